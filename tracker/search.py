"""Search: a Pagefind index of the built site, written beside it as a build stage.

Pagefind indexes the HTML that the engine wrote (so it does not depend on which engine that was) into
small chunks that the reader's browser fetches as it needs them: a query fetches a few hundred KB, not the
whole index. Only what a page is about is indexed: templates/ and overrides/main.html mark each page's
content (data-pagefind-body) unless its front matter excludes it from search (listing pages), and the
selectors below leave out what repeats across pages (related lists, charts, footers).

The post-build audit allows the files Pagefind ships by name and hash (SHIPPED, for the pinned version),
and its index files by name pattern; anything else in the search folder fails the build.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

from .errors import BuildFailed

FOLDER = "pagefind"
# What a page repeats from others, or that does not say what the page is about.
EXCLUDE = ".tr-related, .tr-figure, .tr-asof, .tr-edit, .tr-cites, .tr-pager, .tr-crumbs"
# The files of Pagefind 1.5.2 that the site serves, with their SHA-256 (tests/test_search.py re-derives
# them from the pinned binary). The other UI variants Pagefind writes are deleted: nothing loads them.
SHIPPED = {
    "pagefind.js": "252d272bd34d483d19a752060f6a065114d15ab12c42d8f905ca565e2768a009",
    "pagefind-ui.js": "2efa93f2e80a199ca742a69bd4cfffabc5c591ebe7763f64f7c655fd00d2209f",
    "pagefind-ui.css": "e113b816110ed07b017613e901addfe635350f2a5b84990aa76c91a74b158084",
    "pagefind-worker.js": "4ca50d25bcab9e1c3afbc00ab5f7761114e83c8fc1b83d38655af1558b650c2a",
    "wasm.en.pagefind": "bb16c9e6d3d214d4d05cccca51df7b487b86b3657318da767f6ca9e0a2e7259d",
    "wasm.unknown.pagefind": "3a74cefceacd066e8d3bc8c52e7bc1c869544ca3d9031b44a9b7136356d5d7f4",
}
UNUSED = ("pagefind-component-ui.css", "pagefind-component-ui.js", "pagefind-modular-ui.css",
          "pagefind-modular-ui.js", "pagefind-highlight.js")
INDEX_FILES = re.compile(r"pagefind-entry\.json|pagefind\.[a-z-]+_[0-9a-f]+\.pf_meta|"
                         r"(index/[a-z-]+_[0-9a-f]+\.pf_index)|(fragment/[a-z-]+_[0-9a-f]+\.pf_fragment)|"
                         r"(filter/[a-z-]+_[0-9a-f]+\.pf_filter)")


def start(site: Path) -> subprocess.Popen:
    """Start indexing the built site in the background (Pagefind uses the cores MkDocs has left)."""
    return subprocess.Popen(  # noqa: S603 - the pinned pagefind package; the arguments are our own paths
        [sys.executable, "-m", "pagefind", "--site", str(site), "--output-subdir", FOLDER,
         "--exclude-selectors", EXCLUDE, "--silent"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish(proc: subprocess.Popen, site: Path) -> list[str]:
    """Wait for the index; drop the UI variants nobody loads; return audit findings for the folder."""
    out, _ = proc.communicate()
    if proc.returncode != 0:
        raise BuildFailed(f"search index (pagefind) failed with exit code {proc.returncode}: {out.strip()[-2000:]}")
    folder = site / FOLDER
    for name in UNUSED:
        (folder / name).unlink(missing_ok=True)
    return audit(folder)


def audit(folder: Path) -> list[str]:
    """Every file is a shipped file with its known hash, or an index file by name."""
    findings = []
    if not (folder / "pagefind-entry.json").is_file():
        findings.append(f"{FOLDER}/: no search index was written")
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if rel in SHIPPED:
            if hashlib.sha256(path.read_bytes()).hexdigest() != SHIPPED[rel]:
                findings.append(f"{FOLDER}/{rel}: not the file Pagefind ships (hash differs)")
        elif not INDEX_FILES.fullmatch(rel):
            findings.append(f"{FOLDER}/{rel}: not a file Pagefind ships or an index file")
    return findings


def shipped_hashes(folder: Path) -> dict[str, str]:
    """The SHA-256 of each shipped file in a fresh Pagefind output folder (for tests and upgrades)."""
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
            for name in SHIPPED}
