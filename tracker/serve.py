"""`build.py serve`: preview with live reload.

MkDocs' own dev server watches content/, templates/ and docs/; before each rebuild a thin hook
(tracker/mkdocs_hook.py) calls refresh(), which runs the same pipeline as `build` and rewrites only
the pages whose text changed. Records are cached by content hash, and a project, browse, projects-list
or timeline-year page is rendered again only when what it shows changed (tracker.render.Renderer.page);
the home, summary and timeline front pages and the downloads, which sum up every record, are rendered
each time. MkDocs then rebuilds in dirty mode: only changed pages are rebuilt. Invalid content keeps
the last good pages on screen and prints the problems.
"""

from __future__ import annotations

import logging
import shutil
import socket
import tempfile
from pathlib import Path

from .errors import TrackerError, ValidationFailed
from .site import ROOT, TMP_PREFIX, render_tree

log = logging.getLogger(__name__)
_state: dict = {}


def refresh(docs_dir: Path) -> int:
    """Re-render into docs_dir, writing only changed files; return how many files were written."""
    try:
        _, _, pages = render_tree(_state["content"], memo=_state.setdefault("pages", {}))
    except ValidationFailed as exc:
        for p in exc.problems:
            if p.severity != "info":
                log.error("%s", p)
        log.error("content has errors: showing the last good version")
        return 0
    except TrackerError as exc:
        log.error("%s", exc)
        return 0
    memo = _state["pages"]
    for gone in set(memo) - set(pages):
        del memo[gone]  # a deleted record's page
    wanted = {rel: text if isinstance(text, bytes) else text.encode("utf-8") for rel, text in pages.items()}
    src = ROOT / "docs"
    for f in src.rglob("*"):
        if f.is_file():
            wanted[f.relative_to(src).as_posix()] = f.read_bytes()
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


class PortBusy(TrackerError):
    exit_code = 2


def check_address(addr: str) -> None:
    """Fail before any work when the address cannot be served (a busy port), saying what to do instead."""
    host, _, port = addr.rpartition(":")
    if not port.isdigit() or not host:
        raise PortBusy(f"--addr {addr!r} is not host:port; write e.g. --addr 127.0.0.1:8000")
    with socket.socket(socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET) as sock:
        try:
            sock.bind((host.strip("[]"), int(port)))
        except OSError as exc:
            free = int(port) + 1
            raise PortBusy(f"cannot serve on {addr}: {exc.strerror}; stop the other server, or run "
                           f"`python build.py serve --addr {host}:{free}`") from None


class _QuietDirtyBuild(logging.Filter):
    """MkDocs warns that a dirty build may give inaccurate navigation on every refresh. The tracker's
    navigation is fixed in mkdocs.yml and every page that lists others is rewritten on each refresh, so the
    warning says nothing here: drop it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "dirty" not in record.getMessage().lower()


def run(content: Path, addr: str) -> None:
    from mkdocs.commands.serve import serve as mk_serve

    check_address(addr)
    for name in ("mkdocs", "mkdocs.commands.build", "mkdocs.commands.serve"):
        logging.getLogger(name).addFilter(_QuietDirtyBuild())
    docs_dir = Path(tempfile.mkdtemp(prefix=TMP_PREFIX + "serve-"))
    _state["content"] = content
    try:
        refresh(docs_dir)
        mk_serve(
            config_file=str(ROOT / "mkdocs.yml"),
            build_type="dirty",
            watch=[str(content), str(ROOT / "templates"), str(ROOT / "docs")],
            docs_dir=str(docs_dir),
            dev_addr=addr,
            hooks=[str(ROOT / "tracker" / "mkdocs_hook.py")],
            strict=False,
        )
    finally:
        shutil.rmtree(docs_dir, ignore_errors=True)
