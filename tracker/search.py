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
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from .errors import BuildFailed

log = logging.getLogger(__name__)
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


# Pagefind's memory grows with the pages it indexes at once (PERFORMANCE.md, "Measurements behind the
# code"): a larger site is indexed in shards of at most this many pages, one after another, each
# into a bundle of its own (pagefind/, pagefind-2/, ...), which the search UI merges (bundles.json).
SHARD_PAGES = 4000
BUNDLES = "bundles.json"


class Indexer:
    """Index the built site on a background thread (Pagefind uses the cores MkDocs has left) while the audit
    runs; finish() waits for it."""

    def __init__(self, site: Path, shard_pages: int = SHARD_PAGES):
        self.site, self.shard_pages = site, shard_pages
        self.error: str | None = None
        self.bundles: list[str] = []
        self.procs: list[subprocess.Popen] = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _pagefind(self, source: Path, output: Path) -> None:
        proc = subprocess.Popen(  # noqa: S603 - the pinned pagefind package; the arguments are our own paths
            [sys.executable, "-m", "pagefind", "--site", str(source), "--output-path", str(output),
             "--exclude-selectors", EXCLUDE, "--silent"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.procs.append(proc)
        out, _ = proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"exit code {proc.returncode}: {out.strip()[-2000:]}")

    def _run(self) -> None:
        try:
            pages = sorted(p for p in self.site.rglob("*.html") if b"data-pagefind-body" in p.read_bytes())
            shards = [pages[i : i + self.shard_pages] for i in range(0, len(pages), self.shard_pages)] or [[]]
            for n, shard in enumerate(shards, start=1):
                bundle, clock = FOLDER if n == 1 else f"{FOLDER}-{n}", time.perf_counter()
                if len(shards) == 1:
                    self._pagefind(self.site, self.site / bundle)
                else:  # a view of the site holding only this shard's pages, as hard links at the same paths
                    view = Path(tempfile.mkdtemp(prefix=".search-shard-", dir=self.site.parent))
                    try:
                        for page in shard:
                            rel = page.relative_to(self.site)
                            (view / rel).parent.mkdir(parents=True, exist_ok=True)
                            _link(page, view / rel)
                        self._pagefind(view, self.site / bundle)
                    finally:
                        shutil.rmtree(view, ignore_errors=True)
                for name in UNUSED:
                    (self.site / bundle / name).unlink(missing_ok=True)
                self.bundles.append(bundle)
                log.info("indexed %s pages for search into %s/ in %.1f s", f"{len(shard):,}", bundle,
                         time.perf_counter() - clock)
            (self.site / FOLDER / BUNDLES).write_text(json.dumps({"merge": self.bundles[1:]}) + "\n")
        except Exception as exc:  # noqa: BLE001 - reported by finish() on the build's thread
            self.error = f"{type(exc).__name__}: {exc}"

    def finish(self) -> list[str]:
        """Wait for the index; raise BuildFailed if Pagefind failed; return audit findings for its folders."""
        self.thread.join()
        if self.error:
            raise BuildFailed(f"search index (pagefind) failed: {self.error}")
        return audit_bundles(self.site)

    def kill(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()


def _link(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:  # a file system without hard links
        shutil.copyfile(src, dst)


def audit_bundles(site: Path) -> list[str]:
    """The bundles listed in bundles.json, and no other folder named like one."""
    findings = []
    try:
        merge = json.loads((site / FOLDER / BUNDLES).read_text())["merge"]
        listed = isinstance(merge, list) and all(isinstance(b, str) and re.fullmatch(rf"{FOLDER}-[0-9]+", b)
                                                 for b in merge)
    except (OSError, ValueError, KeyError, TypeError):
        listed = False
    if not listed:
        return [f"{FOLDER}/{BUNDLES}: missing or not a list of search bundles"]
    for bundle in [FOLDER, *merge]:
        findings += audit(site / bundle, bundle)
    extra = {p.name for p in site.glob(f"{FOLDER}-*")} - set(merge)
    findings += [f"{name}/: a search bundle not listed in {FOLDER}/{BUNDLES}" for name in sorted(extra)]
    return findings


def audit(folder: Path, name: str = FOLDER) -> list[str]:
    """Every file is a shipped file with its known hash, or an index file by name."""
    findings = []
    if not (folder / "pagefind-entry.json").is_file():
        findings.append(f"{name}/: no search index was written")
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if rel in SHIPPED:
            if hashlib.sha256(path.read_bytes()).hexdigest() != SHIPPED[rel]:
                findings.append(f"{name}/{rel}: not the file Pagefind ships (hash differs)")
        elif not INDEX_FILES.fullmatch(rel) and not (name == FOLDER and rel == BUNDLES):
            findings.append(f"{name}/{rel}: not a file Pagefind ships or an index file")
    return findings


def shipped_hashes(folder: Path) -> dict[str, str]:
    """The SHA-256 of each shipped file in a fresh Pagefind output folder (for tests and upgrades)."""
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
            for name in SHIPPED}
