"""Stages 4-5 overlapped with stage 6: render the docs tree on a second core while MkDocs reads it.

MkDocs builds on one core, and most of its time goes into reading and converting pages one after
another. `Stream` first creates every generated file as an empty placeholder (so MkDocs lists the
whole tree at once), then forks a worker that renders the pages in the order MkDocs reads them and
moves each finished page over its placeholder with an atomic rename. tracker/build_hook.py makes
MkDocs wait, page by page, until the page it is about to read is complete, and, before MkDocs copies
the static files (the downloads), until the worker has finished everything.

The docs tree is the same as write_tree's, byte for byte: the hook only waits, it never changes what
MkDocs reads. Without the hook (another generator, one core) write_tree renders first instead.
"""

from __future__ import annotations

import contextlib
import errno
import os
import posixpath
import shutil
import time
from pathlib import Path

from . import parallel
from .errors import BuildFailed


def mkdocs_order(rel: str) -> tuple:
    """Where MkDocs reads rel in a build: it walks the docs tree top-down, a folder's files (index
    first) before its subfolders, both sorted by name (mkdocs.structure.files.get_files)."""
    *folders, name = rel.split("/")
    return (*((1, f) for f in folders), (0, name.rsplit(".", 1)[0] not in ("index", "README"), name))


def placeholders(jobs: list, docs_src: Path, out: Path, empty: Path | None = None) -> Path:
    """Copy the hand-written docs/ into out and create every generated file there, empty; return out's
    resolved path. Files are created exclusively: a generated page can never overwrite a hand-written
    one, or another generated page.

    With `empty` (an empty file on the same file system), each placeholder is a hard link to it rather
    than a file of its own, which is much faster to create (PERFORMANCE.md, "Measurements behind the
    code"). Such placeholders must
    only ever be replaced (os.replace), never written into: every one of them is the same file."""
    if docs_src.is_dir():
        shutil.copytree(docs_src, out, dirs_exist_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    root = out.resolve()
    made: set[str] = set()
    for job in jobs:
        for rel in job.paths:
            # ids are validated slugs; this guards the invariant anyway (lexically: the tree has no symlinks)
            if posixpath.normpath(rel) != rel or rel.startswith(("/", "../")) or "\\" in rel:
                raise BuildFailed(f"refusing to write outside the docs tree: {rel}")
            folder = posixpath.dirname(rel)
            if folder not in made:
                (root / folder).mkdir(parents=True, exist_ok=True)
                made.add(folder)
            try:
                empty = _placeholder(root / rel, empty)
            except FileExistsError:
                raise BuildFailed(f"generated page {rel} would overwrite another page of the docs tree") from None
    return root


def _placeholder(target: Path, empty: Path | None) -> Path | None:
    """Create target, empty, failing if it exists; return the file to link the next placeholder to."""
    if empty is not None:
        try:
            os.link(empty, target)
            return empty
        except FileExistsError:
            raise
        except OSError as exc:
            if exc.errno != errno.EMLINK:
                empty = None  # a file system without hard links: files of their own, below
            else:  # ext4 allows 65,000 links to a file: start another
                empty = empty.with_name(empty.name + "+")
                empty.touch(exist_ok=False)
                os.link(empty, target)
                return empty
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
    return None


class Stream:
    """The render worker of one build; `current` is what tracker/build_hook.py talks to."""

    current: Stream | None = None

    def __init__(self, jobs: list, docs_src: Path, out: Path, scratch: Path, discard: bool = False):
        scratch.mkdir(parents=True, exist_ok=True)
        empty = scratch / "empty"
        empty.touch(exist_ok=False)
        self.root = placeholders(jobs, docs_src, out, empty)  # pages are moved over them: see render()
        self.pending = {rel for job in jobs for rel in job.paths}
        # With discard, the generated pages are deleted on the other core once MkDocs has read them all
        # (finish), while MkDocs renders them: the build then has only folders and static files left to
        # delete, instead of the whole docs tree after MkDocs, on one core.
        self.pages = sorted(rel for rel in self.pending if rel.endswith(".md")) if discard else []
        self.discarding: parallel.Task | None = None
        ordered = sorted(jobs, key=lambda job: mkdocs_order(job.paths[0]))
        self.task = parallel.Task(lambda: render(ordered, self.root, scratch))
        self.waited = 0.0
        Stream.current = self

    def wait_for(self, rel: str) -> None:
        """Return once the generated file rel (a path in the docs tree, as MkDocs' src_uri) is complete:
        now, or when the worker has finished."""
        if rel not in self.pending:
            return
        path = self.root / rel
        start = time.perf_counter()
        while not os.stat(path).st_size and not self.task.done():
            time.sleep(0.002)
        if not os.stat(path).st_size:
            self.task.join()  # finished without writing it: raise the worker's error, if any
        self.pending.discard(rel)
        self.waited += time.perf_counter() - start

    def close(self) -> None:
        """Stop the worker if the build failed before it finished; wait for the pages to be deleted."""
        Stream.current = None
        self.task.close()
        if self.discarding is not None:
            self.discarding.join()

    def finish(self) -> int:
        """Wait for the worker; return the number of files it wrote, or raise its error. MkDocs has read
        every page by now (tracker/build_hook.py calls this from on_env), so with discard the pages are
        deleted from here on, on another core; the static files MkDocs copies next stay."""
        Stream.current = None
        start = time.perf_counter()
        count = self.task.join()
        self.waited += time.perf_counter() - start
        if self.pages and self.discarding is None:
            root, pages = self.root, self.pages
            self.discarding = parallel.Task(lambda: _unlink(root, pages))
        return count


def render(jobs: list, root: Path, scratch: Path | None = None) -> int:
    """Run the jobs and write each file over its placeholder; return the number of files written. With
    a scratch folder, each file is written there first and renamed into place, so a reader never sees
    a half-written page."""
    count = 0
    for job in jobs:
        for rel, text in job().items():
            target = root / rel
            first = scratch / str(count) if scratch else target
            _write(first, text)
            if first != target:
                os.replace(first, target)
            count += 1
    return count


def _write(path: Path, text: str | bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)  # (a third of open()'s cost, per file)
    try:
        data = memoryview(text if isinstance(text, bytes) else text.encode("utf-8"))
        while data:
            data = data[os.write(fd, data):]
    finally:
        os.close(fd)


def _unlink(root: Path, pages: list[str]) -> int:
    """Delete the pages; like the build's final rmtree(ignore_errors=True), a page that cannot be deleted
    is left for it (or the next build's clean-up) rather than failing a build that has succeeded."""
    for rel in pages:
        with contextlib.suppress(OSError):
            os.unlink(root / rel)
    return len(pages)
