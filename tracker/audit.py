"""Stage 7: read every generated HTML file and refuse to publish anything unsafe or broken.

Pages are parsed with lexbor (through selectolax), a C implementation of the WHATWG HTML parsing
algorithm: the tree checked here is the tree a browser builds, and parsing 10,000 pages takes
seconds rather than minutes. The work is shared between the machine's cores. The rules follow the
safety notes.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import posixpath
import re
from pathlib import Path
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

from . import parallel
from .engine import theme_scripts

FORBIDDEN_TAGS = {"iframe", "object", "embed", "form", "base", "frame", "frameset", "applet"}
URL_ATTRS = {"href", "src", "action", "formaction", "poster", "srcset", "data", "xlink:href", "cite"}
SAFE_SCHEMES = {"", "http", "https", "mailto"}
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
# In the theme's chrome around the article, only the theme's own search and palette forms.
THEME_FORMS = {"md-search__form", "md-header__option"}
# The theme's own inline scripts (Material 9.8.1's base.html), by the SHA-256 of their text with the one
# per-page value, the site root in `new URL("../..",location)`, written as BASE. Any other inline script,
# in the article or in the theme's chrome (a value from site.yaml breaking out of an attribute), fails the
# audit. tests/test_audit.py re-derives the hashes from a real build, so a theme upgrade fails there first.
THEME_INLINE_SCRIPTS = {
    "0eb10c249dbdb0beef225a10ce5cbe55418cc4a7014cc208f8e7d6ed8f00906e",
    "ffcc0f7735fdab434d257c80e65cec2e88d716991e69757185b7e450e41a5b2f",
    "89614d6b864bbe7884f6ad1ab21aa2216e6686af528a97cd15075dda2fe14374",
}
_SCRIPT_BASE = re.compile(r'new URL\("(?:\.\./)*(?:\.\.|\.|/)?",location\)')


def inline_script_digest(text: str) -> str:
    return hashlib.sha256(_SCRIPT_BASE.sub("new URL(BASE,location)", text).encode()).hexdigest()


def _inline_script_allowed(node) -> bool:
    """The theme's configuration (JSON data, never run) or one of its own inline scripts."""
    kind = (node.attributes.get("type") or "").strip().lower()
    text = node.text() or ""
    if kind == "application/json":
        if node.attributes.get("id") != "__config":
            return False
        try:
            json.loads(text)
        except ValueError:
            return False
        return "</" not in text
    return kind in ("", "text/javascript") and inline_script_digest(text) in THEME_INLINE_SCRIPTS


def audit_page(text: str, rel: str, allowed_scripts: set[str], files: set[str]) -> list[str]:
    """Findings for one page at path rel of the site, its links checked against the site's files."""
    findings, hrefs = page_findings(text, allowed_scripts)
    return findings + broken_links(rel, hrefs, files)


def page_findings(text: str, allowed_scripts: set[str]) -> tuple[list[str], set[str]]:
    """Findings for one page, and its relative links (checked once every file of the site is known).
    Inside the article (where data lands) no script or form at all; in the theme's chrome around it,
    only the theme's own scripts and forms."""
    tree = LexborHTMLParser(text)
    findings: list[str] = []
    hrefs: set[str] = set()
    for node in tree.root.traverse() if tree.root else ():
        tag = node.tag
        where = f"<{tag}>"
        for name, value in node.attributes.items():
            if name.startswith("on"):
                findings.append(f"{where} has event-handler attribute {name}")
            elif name in URL_ATTRS and value is not None:
                value = value.strip()
                scheme = urlsplit(value).scheme.lower() if ":" in value else ""
                if scheme not in SAFE_SCHEMES:
                    findings.append(f"{where} {name} uses scheme '{scheme}:'")
                elif name == "href" and not scheme:
                    hrefs.add(value)
        if tag == "script":
            src = node.attributes.get("src")
            if src is not None and not any(src.endswith(a) for a in allowed_scripts):
                findings.append(f"script not shipped by the theme: {src}")
            elif src is None and not _inline_script_allowed(node):
                findings.append("inline script that is not the theme's own")
        elif tag == "meta" and (node.attributes.get("http-equiv") or "").strip().lower() == "refresh":
            findings.append("<meta http-equiv=refresh>: a redirect")
        elif tag == "form" and set((node.attributes.get("class") or "").split()) & THEME_FORMS:
            pass  # checked below: never inside the article
        elif tag in FORBIDDEN_TAGS:
            findings.append(f"forbidden element {where}")
    findings += ["script inside the page content" for _ in tree.css("article script")]
    findings += ["forbidden element <form>" for node in tree.css("article form")
                 if set((node.attributes.get("class") or "").split()) & THEME_FORMS]
    if BIDI.search(text):  # rare: only then walk the text nodes
        for node in tree.root.traverse(include_text=True):
            if node.tag == "-text" and node.parent is not None and node.parent.tag != "script":
                if BIDI.search(node.text_content or ""):
                    findings.append("bidi override character in text")
                    break
    return findings, hrefs


def audit_site(site: Path, live: Live | None = None) -> list[str]:
    """Return a list of problems found in the built site (empty when it is safe to publish).

    Pages that `live` already parsed while MkDocs was building are checked from its results, once the
    file on disk is shown to be the text it parsed; every other page is read and parsed here."""
    allowed = theme_scripts()
    files = set()
    for folder, _, names in os.walk(site):
        here = os.path.relpath(folder, site).replace(os.sep, "/")
        files.update(names if here == "." else (f"{here}/{n}" for n in names))
    pages = sorted(f for f in files if f.endswith(".html"))
    done = live.results() if live else {}

    def run(rel: str) -> list[str]:
        data = (site / rel).read_bytes()
        seen = done.get(rel)
        if seen is not None and seen[0] == _digest(data):
            findings, hrefs = seen[1:]
        else:
            findings, hrefs = page_findings(data.decode("utf-8"), allowed)
        return [f"{rel}: {x}" for x in findings + broken_links(rel, hrefs, files)]

    return sorted(x for part in parallel.map_items(run, pages) for x in part)


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


class Live:
    """Audit pages on another core while MkDocs is still building the rest.

    MkDocs renders pages one after another on one core. tracker/build_hook.py hands each finished page
    to submit(), which pipes it to a forked worker that parses it at once; results() collects the
    findings. audit_site still reads every file from disk and uses a result only when the file is
    exactly the text that was parsed (a digest), so a page is never published unchecked."""

    current: Live | None = None

    def __init__(self):
        self.allowed = theme_scripts()
        pages_r, self.pages = parallel.FORK.Pipe(duplex=False)
        self.back, back_w = parallel.FORK.Pipe(duplex=False)
        self.process = parallel.FORK.Process(target=self._work, args=(pages_r, back_w))
        self.process.start()
        pages_r.close()
        back_w.close()
        Live.current = self

    @property
    def pid(self) -> int:
        return self.process.pid

    def _work(self, pages, back) -> None:
        self.pages.close()  # this process's copy of the parent's end: else the pages never end
        self.back.close()
        parallel._die_with_parent()
        parallel.background()
        results: dict = {}
        interned: dict[str, str] = {}
        while True:
            try:
                rel, text = pages.recv()
            except EOFError:
                break
            findings, hrefs = page_findings(text, self.allowed)
            # the digest of the bytes MkDocs writes for this page (mkdocs.commands.build._build_page); links
            # as a tuple of shared strings, not a set per page: 10,000 pages repeat the same few links
            results[rel] = (_digest(text.encode("utf-8", "xmlcharrefreplace")), findings,
                            tuple(sorted(interned.setdefault(h, h) for h in hrefs)))
        back.send(results)

    def submit(self, rel: str, text: str) -> None:
        try:
            self.pages.send((rel, text))
        except OSError:  # the worker died: audit_site will parse this page itself
            pass

    def results(self) -> dict:
        """Stop the worker and return {page: (digest, findings, links)}; empty if it failed."""
        Live.current = None
        self.pages.close()
        try:
            results = self.back.recv()
        except (EOFError, OSError):
            results = {}
        self.back.close()
        self.process.join()
        return results if self.process.exitcode == 0 else {}

    def close(self) -> None:
        if Live.current is self:
            self.results()


def broken_links(rel: str, hrefs: set[str], files: set[str]) -> list[str]:
    """Internal relative links must lead to a page of the site (raw HTML links bypass MkDocs' checks).

    Links are resolved as a browser does, on the URL path (no file-system calls: thousands of pages)."""
    out = []
    folder = posixpath.dirname(rel)
    for href in sorted(hrefs):
        path = href.split("#", 1)[0].split("?", 1)[0]
        if not path or path.startswith("/"):
            continue
        here = folder
        while path.startswith("../") and path[3:4] != "/" and here:  # the same link on every project page
            here, path = posixpath.dirname(here), path[3:]
        target = _target(here, path)
        if target == ".." or target.startswith("../"):
            out.append(f"link leaves the site: {href}")
        elif target not in files and f"{target}/index.html".lstrip("/") not in files and target != ".":
            out.append(f"broken link: {href}")
    return out


@functools.lru_cache(maxsize=4096)
def _target(here: str, path: str) -> str:
    return posixpath.normpath(posixpath.join(here, path))
