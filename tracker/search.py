"""Search: a Pagefind index of the built site, written beside it as a build stage.

Pagefind indexes the HTML that the engine wrote (so it does not depend on which engine that was) into
small chunks that the reader's browser fetches as it needs them: a query fetches a few hundred KB, not the
whole index. Only what a page is about is indexed: templates/ and overrides/main.html mark each page's
content (data-pagefind-body) unless its front matter excludes it from search (listing pages), and the
selectors below leave out what repeats across pages (related lists, charts, footers). With an engine
that streams, the pages are indexed while it builds, from what it wrote into each page's content, and
each written page is checked against it (Indexer); the bundles are the same bytes either way.

The post-build audit allows the files Pagefind ships by name and hash (SHIPPED, for the pinned version),
and its index files by name pattern; anything else in the search folder fails the build.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from . import parallel
from .errors import BuildFailed

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent
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
# overrides/main.html wraps the content of every page that is searched in this element.
BODY = "<div data-pagefind-body>"


def page_order(rel: str) -> tuple:
    """The order of the pages in the shards, by folder (as a Path sorts): close to the order in which
    MkDocs reads them (tracker.stream.mkdocs_order), so that in a streamed build each shard is complete
    early. Only the speed depends on it; both ways of indexing use it."""
    return tuple(rel.split("/"))


class Indexer:
    """Index the site for search on a background thread, in shards (Pagefind uses the cores MkDocs has
    left); finish() waits for it.

    Without `live`, the built site is indexed once the engine has finished, beside the audit. With `live`
    (an engine that streams, tracker/build_hook.py), each page is indexed from what the engine made of it
    while it is still building the others: plan() names the pages to come, read() hands over each page's
    content as soon as it is converted (long before the engine writes any page), into a small page of
    its own at the same path; each shard is indexed, at background priority, as soon as its pages are
    known. Pagefind reads only the content block and the page's language, so the bundles are the same
    bytes (tests/test_stream.py). check() makes sure of it for every page the engine writes: if a
    written page holds anything the small one did not, the live bundles are dropped and the built site is
    indexed after all."""

    current: Indexer | None = None  # the live one, which tracker/build_hook.py feeds

    def __init__(self, site: Path, shard_pages: int | None = None, live: bool = False):
        self.site, self.shard_pages, self.live = site, shard_pages or SHARD_PAGES, live
        self.error: str | None = None
        self.bundles: list[str] = []
        self.procs: list[subprocess.Popen] = []
        self.shards: queue.SimpleQueue = queue.SimpleQueue()  # each shard's pages to index; None ends
        self.pages = site.parent / "search-pages"  # live: each searched page's content, named by its slot
        self.out = site.parent / "search-bundles"  # live: the bundles, moved into the site by finish()
        self.order: list[str] = []  # live: every page the engine builds, in page_order
        self.slot: dict[str, int] = {}  # live: page -> its place in order, which names its small page
        self.known: dict[str, tuple | None] = {}  # page -> (heading, hash of content) if searched, else None
        self.ready, self.taken = 0, []  # order[:ready] are known; the searched ones not yet in a shard
        self.lang = "en"
        self.spoiled: str | None = None  # why the live bundles cannot be used
        self.closed, self.queued = False, 0
        if live:
            Indexer.current = self
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    # What the engine hands over, on its own thread (tracker/build_hook.py).

    def plan(self, pages: list[str], lang: str) -> None:
        """The pages the engine will build (paths in the site), and the language the theme declares."""
        self.order, self.lang = sorted(pages, key=page_order), lang
        self.slot = {rel: i for i, rel in enumerate(self.order)}
        self.pages.mkdir(parents=True, exist_ok=True)

    def read(self, rel: str, content: str | None, title: str) -> None:
        """Page rel has been converted to `content` (None: the page is not searched); `title` is the heading
        the theme adds when the content has none."""
        if self.spoiled or self.closed:
            return
        if rel not in self.slot:
            self.spoiled = f"{rel} was not among the pages the engine named"
            return
        if content is None:
            self.known[rel] = None
        else:
            heading = "" if "<h1" in content else f"<h1>{title}</h1>\n"  # as the theme's content block adds it
            self.known[rel] = heading, _digest(content)
            page = f'<html lang="{self.lang}"><body>{BODY}{heading}{content}</div></body></html>'
            (self.pages / self._flat(rel)).write_text(page)  # one folder: no folder to make on the engine's thread
        while self.ready < len(self.order) and self.order[self.ready] in self.known:
            self._take(self.order[self.ready])

    def check(self, rel: str, output: str) -> None:
        """Page rel as the engine wrote it: Pagefind must find in it exactly what it found in the small page."""
        if self.spoiled:
            return
        start, end = output.find(BODY), output.rfind("</div>", 0, output.rfind("</article>"))
        if rel not in self.known or (start >= 0) != (self.known[rel] is not None):
            self.spoiled = f"{rel} is {'' if start >= 0 else 'not '}searched as written, unlike as read"
        elif start >= 0:
            heading, digest = self.known[rel]
            body = output[start + len(BODY) : end].strip()
            if not body.startswith(heading.strip()) or _digest(body[len(heading.strip()) :]) != digest:
                self.spoiled = f"{rel}: the searched part of the page is not its content"
            elif output.count("data-pagefind", 0, start) + output.count("data-pagefind", end) or \
                    f'<html lang="{self.lang}"' not in output[:start]:
                self.spoiled = f"{rel}: Pagefind would read more than the page's content"

    def _flat(self, rel: str) -> str:
        return f"{self.slot[rel]}.html"

    def _take(self, rel: str) -> None:
        self.ready += 1
        if self.known.get(rel) is not None:
            self.taken.append(rel)
        if len(self.taken) == self.shard_pages:
            self._queue(self.taken)
            self.taken = []

    def _queue(self, pages: list[str]) -> None:
        self.queued += 1
        self.shards.put(pages)

    def close(self) -> None:
        """The engine has read every page: queue the last shard."""
        if self.closed:
            return
        self.closed = True
        for rel in self.order[self.ready :]:  # never read: not in the site either
            self._take(rel)
        if self.taken or not self.queued:
            self._queue(self.taken)
        self.shards.put(None)

    # Indexing, on the indexer's thread.

    def _run(self) -> None:
        try:
            if not self.live:
                pages = sorted((p.relative_to(self.site).as_posix() for p in self.site.rglob("*.html")
                                if b"data-pagefind-body" in p.read_bytes()), key=page_order)
                for i in range(0, len(pages) or 1, self.shard_pages):
                    self._queue(pages[i : i + self.shard_pages])
                self.shards.put(None)
            while (shard := self.shards.get()) is not None:
                if not self.spoiled:
                    self._index(shard)
        except Exception as exc:  # noqa: BLE001 - reported by finish() on the build's thread
            self.error = f"{type(exc).__name__}: {exc}"

    def _index(self, shard: list[str]) -> None:
        """Index the shard's pages (the small ones if live, else the built ones) into the next bundle."""
        bundle, clock = FOLDER if not self.bundles else f"{FOLDER}-{len(self.bundles) + 1}", time.perf_counter()
        if not shard and self.live:  # no page is marked: Pagefind indexes every page of the built site
            self.spoiled = self.spoiled or "no page is marked as searched"
            return
        pages = [[str(self.pages / self._flat(rel) if self.live else self.site / rel), rel] for rel in shard]
        output = (self.out if self.live else self.site) / bundle
        self._pagefind(pages, output)
        for name in UNUSED:
            (output / name).unlink(missing_ok=True)
        self.bundles.append(bundle)
        log.info("indexed %s pages for search into %s/ in %.1f s", f"{len(shard):,}", bundle,
                 time.perf_counter() - clock)

    def _pagefind(self, pages: list[list[str]], output: Path) -> None:
        """Index the pages ([file, path in the site]) into output, in a process of its own (see main)."""
        nice = ["nice", "-n", str(parallel.BACKGROUND_NICE)] if self.live else []  # beside the engine: not on its core
        proc = subprocess.Popen(  # noqa: S603 - this module and the pinned pagefind; the arguments are our own paths
            [*nice, sys.executable, "-m", "tracker.search", str(output.resolve()), str(self.site.resolve())],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.procs.append(proc)
        out, _ = proc.communicate(json.dumps({"pages": pages, "move": self.live}))
        if proc.returncode != 0:
            raise RuntimeError(f"exit code {proc.returncode}: {out.strip()[-2000:]}")

    def finish(self) -> list[str]:
        """Wait for the index; raise BuildFailed if Pagefind failed; return audit findings for its folders."""
        if self.live:
            self.close()
            Indexer.current = None
        self.thread.join()
        if self.error:
            raise BuildFailed(f"search index (pagefind) failed: {self.error}")
        if self.spoiled:
            log.warning("search: %s; indexing the built site instead", self.spoiled)
            return Indexer(self.site, self.shard_pages).finish()
        for bundle in self.bundles if self.live else []:
            os.rename(self.out / bundle, self.site / bundle)
        (self.site / FOLDER / BUNDLES).write_text(json.dumps({"merge": self.bundles[1:]}) + "\n")
        return audit_bundles(self.site)

    def kill(self) -> None:
        """Stop (the build failed): no further shard is indexed, and a running Pagefind is killed."""
        self.spoiled = self.spoiled or "the build stopped"
        self.close()
        Indexer.current = None
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()


def main(output: str, site: str) -> int:
    """`python -m tracker.search OUTPUT SITE`, the pages as JSON on stdin: gather the pages in a folder of
    their own beside the site (moved there if `move`, else hard-linked), index them into OUTPUT with
    Pagefind, and remove the folder. With no pages, index the whole site. A process of its own, so that
    its many small file operations never wait for the engine's thread."""
    parallel._die_with_parent()
    job = json.load(sys.stdin)
    view = Path(tempfile.mkdtemp(prefix=".search-shard-", dir=Path(site).parent)) if job["pages"] else Path(site)
    try:
        for file, rel in job["pages"]:
            (view / rel).parent.mkdir(parents=True, exist_ok=True)
            if job["move"]:
                os.rename(file, view / rel)
            else:
                _link(Path(file), view / rel)
        return subprocess.call([sys.executable, "-m", "pagefind", "--site", str(view), "--output-path", output,  # noqa: S603
                                "--exclude-selectors", EXCLUDE, "--silent"], preexec_fn=parallel._die_with_parent)
    finally:
        if view != Path(site):
            shutil.rmtree(view, ignore_errors=True)


def _digest(content: str) -> bytes:
    return hashlib.blake2b(content.strip().encode(), digest_size=16).digest()


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


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
