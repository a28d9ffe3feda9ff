"""`build.py serve`: preview with live reload.

MkDocs' own dev server watches content/, templates/ and docs/; before each rebuild a thin hook
(tracker/mkdocs_hook.py) calls refresh(), which runs the same pipeline as `build` and rewrites only
the pages whose text changed. Records are cached by content hash, and a project, browse, projects-list
or timeline-year page is rendered again only when what it shows changed (tracker.render.Renderer.page);
the home, summary and timeline front pages and the downloads, which sum up every record, are rendered
each time. MkDocs then rebuilds in dirty mode: only changed pages are rebuilt, and the hook removes the
built pages whose source is gone (a deleted or renamed record), which dirty builds leave behind.

Invalid content keeps the last good pages on screen, prints the problems, and writes them to
PROBLEMS; every served page carries a small script (added by the hook, only in `serve`) that shows
them in a box at the top of the page, until the content is valid again. MkDocs' live reload reloads
the page after each rebuild, so the box appears and goes without a click.
"""

from __future__ import annotations

import contextlib
import html
import json
import logging
import posixpath
import shutil
import socket
import tempfile
from pathlib import Path

from .errors import TrackerError
from .site import ROOT, TMP_PREFIX, render_tree

log = logging.getLogger(__name__)
_state: dict = {}
PROBLEMS = "tracker-preview/problems.json"  # in the served site only; `build` never writes it


def refresh(docs_dir: Path) -> int:
    """Re-render into docs_dir, writing only changed files; return how many files were written."""
    try:
        _, _, pages = render_tree(_state["content"], memo=_state.setdefault("pages", {}))
    except TrackerError as exc:  # ValidationFailed among them, with its problems
        problems = [str(p) for p in getattr(exc, "problems", ()) if p.severity != "info"] or [str(exc)]
        for text in problems:
            log.error("%s", text)
        log.error("content has errors: showing the last good version")
        return _show_problems(docs_dir, problems)
    memo = _state["pages"]
    for gone in set(memo) - set(pages):
        del memo[gone]  # a deleted record's page
    wanted = {rel: text if isinstance(text, bytes) else text.encode("utf-8") for rel, text in pages.items()}
    src = ROOT / "docs"
    for f in src.rglob("*"):
        if f.is_file():
            wanted[f.relative_to(src).as_posix()] = f.read_bytes()
    wanted[PROBLEMS] = _problems_json([])
    written = 0
    for rel, data in sorted(wanted.items()):
        target = docs_dir / rel
        if not target.is_file() or target.read_bytes() != data:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            written += 1
    for f in list(docs_dir.rglob("*")):
        if f.is_file() and f.relative_to(docs_dir).as_posix() not in wanted:
            f.unlink()  # a record was deleted or renamed
    log.info("tracker: %d page(s) changed", written)
    return written


def _problems_json(problems: list[str]) -> bytes:
    return json.dumps({"problems": problems}, ensure_ascii=False, indent=1).encode("utf-8")


def _show_problems(docs_dir: Path, problems: list[str]) -> int:
    """Publish the problems to the open pages and keep the last good pages; before any good version
    exists, the home page lists them instead. Return how many files were written."""
    (docs_dir / PROBLEMS).parent.mkdir(parents=True, exist_ok=True)
    (docs_dir / PROBLEMS).write_bytes(_problems_json(problems))
    home = docs_dir / "index.md"
    if home.exists() and not home.read_bytes().startswith(NOTHING_YET):
        return 1
    shutil.copytree(ROOT / "docs", docs_dir, dirs_exist_ok=True)  # the guides, which need no content
    home.write_bytes(_first_page(problems))
    return 2


NOTHING_YET = b"# Nothing to preview yet"


def _first_page(problems: list[str]) -> bytes:
    items = "\n".join(f"<li>{html.escape(p)}</li>" for p in problems)
    errors = f"{len(problems)} error{'s' if len(problems) != 1 else ''}"
    return NOTHING_YET + (f"\n\nThe content has {errors}; fix them and save, and this page becomes the "
                          f"site.\n\n<ol>\n{items}\n</ol>\n").encode()


# Added before </body> of every page `serve` builds: show PROBLEMS in a box at the top of the page.
# textContent only, so a problem's text can never become markup.
SCRIPT = """<script>(function(){fetch(%s,{cache:"no-store"}).then(function(r){return r.json()})
.then(function(d){var n=d.problems.length;if(!n)return;var box=document.createElement("div");
box.id="tracker-problems";box.setAttribute("role","alert");box.style.cssText="position:sticky;top:0;z-index:10;"+
"max-height:40vh;overflow:auto;padding:.8em 1.2em;background:#fff3f3;color:#5c0000;border-bottom:3px solid #c00;"+
"font:14px/1.45 system-ui,sans-serif";var h=document.createElement("strong");h.textContent="The content has "+n+
" error"+(n>1?"s":"")+": this page shows the last good version. Fix and save; this box goes when the content "+
"is valid.";box.appendChild(h);var ol=document.createElement("ol");d.problems.forEach(function(p){
var li=document.createElement("li");li.textContent=p;li.style.whiteSpace="pre-wrap";ol.appendChild(li)});
box.appendChild(ol);document.body.insertBefore(box,document.body.firstChild)}).catch(function(){})})();</script>"""


def page_script(page_url: str) -> str:
    """The problems box's script for the page at page_url ("projects/x/", "404.html", "" for the home)."""
    folder = page_url.rsplit("/", 1)[0] if "/" in page_url else "."
    return SCRIPT % json.dumps(posixpath.relpath(PROBLEMS, folder))


def remove_stale(site_dir: Path, built: set[str]) -> None:
    """Delete the pages a dirty build left in site_dir whose source is gone."""
    for f in sorted(site_dir.rglob("*.html")):
        rel = f.relative_to(site_dir).as_posix()
        if rel not in built and rel != "404.html":
            f.unlink()
            with contextlib.suppress(OSError):
                f.parent.rmdir()  # its folder, when nothing else is in it


class PortBusy(TrackerError):
    exit_code = 2


def check_address(addr: str) -> None:
    """Fail before any work when the address cannot be served (a busy port), saying what to do instead."""
    host, _, port = addr.rpartition(":")
    if not port.isdigit() or not host:
        raise PortBusy(f"--addr {addr!r} is not host:port; write e.g. --addr 127.0.0.1:8000")
    with socket.socket(socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET) as sock:
        # as MkDocs' server does: a port whose last server just stopped (connections in TIME-WAIT) is free
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host.strip("[]"), int(port)))
        except OSError as exc:
            free = int(port) + 1
            raise PortBusy(f"cannot serve on {addr}: {exc.strerror}; stop the other server, or run "
                           f"`python build.py serve --addr {host}:{free}`") from None


def run(content: Path, addr: str) -> None:
    from .engine import current

    check_address(addr)
    docs_dir = Path(tempfile.mkdtemp(prefix=TMP_PREFIX + "serve-"))
    _state["content"] = content
    try:
        refresh(docs_dir)
        current().serve(docs_dir, ROOT / "mkdocs.yml", [content, ROOT / "templates", ROOT / "docs"], addr)
    finally:
        shutil.rmtree(docs_dir, ignore_errors=True)
