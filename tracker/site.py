"""The pipeline: load -> validate -> derive -> render -> write -> engine build (MkDocs) -> search index
(Pagefind; with MkDocs on two or more cores, built while MkDocs builds) and audit -> publish.

Nothing touches site/ until everything has succeeded: the docs tree and the site are built in
temporary folders beside site/, indexed, audited, and then swapped in with one atomic rename. A failure
at any stage, or a kill, leaves the previous site/ exactly as it was. Output folders that would replace
an input, a file or a folder the tracker did not write are refused before anything starts (guard_output).
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

from .errors import BuildFailed, ValidationFailed, cap

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
TMP_PREFIX = ".tracker-tmp-"


def prepare(content: Path, strict: bool = False):
    """Stages 1-3: load, validate (every error at once) and derive; return (dataset, derived)."""
    from . import history
    from .content import load_content
    from .derive import derive

    data = load_content(content)  # stages 1-2: load and validate, every error at once
    derived = derive(data)  # stage 3: timeline, conversions, summaries, and the records' history from git
    if data.settings.get("history"):
        clock = time.perf_counter()
        derived.history = history.read(content, data.vocab)
        if not derived.history.reason:
            log.info("read the records' history (%d new commits) in %.2f s", derived.history.commits_read,
                     time.perf_counter() - clock)
    gc.freeze()  # like the records (tracker.content.load_content): kept to the end, no cycles to collect
    warnings = cap([w for w in [*data.warnings, *derived.warnings] if w.severity == "warning"])
    for w in warnings:
        log.warning("%s", w)
    if strict and warnings:
        raise ValidationFailed(warnings)
    return data, derived


def renderer(data, derived, memo: dict | None = None):
    from .render import Renderer

    return Renderer(data, derived, ROOT / "templates", memo)


def render_tree(content: Path, strict: bool = False, memo: dict | None = None):
    """Stages 1-4 in memory: return (dataset, derived, {path: text}); `serve` and the tests use it.
    `serve` passes a memo, so that pages showing nothing that changed are not rendered again."""
    data, derived = prepare(content, strict)
    return data, derived, renderer(data, derived, memo).render_all()


def write_tree(jobs: list, docs_src: Path, out: Path) -> int:
    """Stages 4-5: copy the hand-written docs/, then run the render jobs on every core, each process
    writing its pages straight to disk (no page is held in memory longer than it takes to write it).
    Return the number of files written (tracker.stream.placeholders guards every path first)."""
    from . import parallel
    from .stream import placeholders, render

    root = placeholders(jobs, docs_src, out)
    return sum(parallel.map_items(lambda job: render([job], root), jobs))


def engine_build(docs_dir: Path, site_dir: Path, config_file: Path, site_url: str | None = None,
                 stream: bool = False, as_of: tuple[int, int, int] | None = None) -> None:
    """Stage 6: a strict build of the rendered tree into a temporary site folder, by the chosen engine."""
    from .engine import current

    current().build(docs_dir, site_dir, config_file, site_url, stream, as_of)


@contextlib.contextmanager
def build_lock(site: Path):
    """Allow one build per site folder at a time; a second one fails fast instead of racing."""
    lock_path = site.parent / f".{site.name}.lock"
    with open(lock_path, "w") as fh:
        try:
            fcntl.lockf(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a POSIX lock: not held by forked workers
        except OSError:
            raise BuildFailed(f"another build of {site} is running; wait for it to finish") from None
        yield


# A marker file in every folder the tracker writes and may later replace: a folder without it is not ours.
MARKER = ".tracker-output"
# What a build reads: never to be replaced, emptied or written into (the content folder is added per build).
INPUTS = (".git", ".github", "content", "templates", "docs", "overrides", "tracker", "tests", "schema", "build.py",
          "mkdocs.yml", "requirements.txt", "Makefile")


def guard_output(path: Path, content: Path, what: str) -> Path:
    """Refuse an output folder that a build would destroy input by replacing: one that is, contains or is
    inside the repository's inputs or the content folder, an existing file, or a non-empty folder that this
    tracker did not write (no MARKER). Return the resolved path."""
    path = path.resolve()
    inputs = [(ROOT / name).resolve() for name in INPUTS] + [content.resolve(), ROOT.resolve()]
    for inp in inputs:
        inside = path.is_relative_to(inp) and inp != ROOT.resolve()  # inside the repository itself is fine
        if inp.is_relative_to(path) or inside:  # (is_relative_to is true for the path itself too)
            raise BuildFailed(f"{what} {path} would replace or write into {inp}, which the build reads; "
                              f"choose a folder outside it, e.g. {ROOT / 'site'}")
    if path.exists() and not path.is_dir():
        raise BuildFailed(f"{what} {path} is a file; choose a folder (it is replaced as a whole)")
    legacy = (path / "assets" / "tracker.js").is_file()  # written before the marker existed
    if path.is_dir() and any(path.iterdir()) and not (path / MARKER).is_file() and not legacy:
        raise BuildFailed(f"{what} {path} holds files the tracker did not write (no {MARKER}); choose an empty "
                          "or new folder, or remove it yourself")
    return path


def _work_prefix(site: Path) -> str:
    """Temporary folders beside site/ carry its name, so a build cleans up only after builds of the same site."""
    return f"{TMP_PREFIX}{site.name}-"


def _cleanup_stale(site: Path) -> None:
    for stale in site.parent.glob(f"{_work_prefix(site)}*"):
        shutil.rmtree(stale, ignore_errors=True)


def publish(new_site: Path, site: Path) -> None:
    """Stage 9: swap new_site into place atomically; the old tree is removed afterwards."""
    if site.exists():
        if not _exchange(new_site, site):
            old = site.parent / f"{_work_prefix(site)}old-{os.getpid()}"
            os.rename(site, old)
            os.rename(new_site, site)
            new_site = old
        shutil.rmtree(new_site, ignore_errors=True)  # now holds the old site
    else:
        os.rename(new_site, site)


def _release_memory() -> None:
    """Collect garbage cycles and hand freed heap back to the system (glibc's malloc_trim), so that workers
    forked afterwards share a smaller parent, and the build's peak memory is MkDocs' own (PERFORMANCE.md,
    "Measurements behind the code")."""
    gc.collect()
    try:
        import ctypes

        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to trim
        pass


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths with renameat2(RENAME_EXCHANGE) where Linux offers it."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    AT_FDCWD, RENAME_EXCHANGE = -100, 2
    return renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0


def build(content: Path, site: Path, keep_docs: str | None = None, strict: bool = False) -> str:
    """Run the whole pipeline; return a one-line summary. site/ changes only if every stage succeeds."""
    site, keep = outputs(content, site, keep_docs)  # refused before any work if they would destroy input
    with build_lock(site), contextlib.ExitStack() as cleanup:
        _cleanup_stale(site)
        live = live_audit(cleanup)  # the audit's worker, forked while this process is still small
        jobs, records, options = plan(content, strict)  # stages 1-4: load, validate, derive, the pages to render
        work = Path(tempfile.mkdtemp(prefix=_work_prefix(site), dir=site.parent))  # staging, beside site/
        cleanup.callback(shutil.rmtree, work, ignore_errors=True)
        index = search_index(work / "site", live, cleanup) if live else None  # fed while the engine builds
        count = render_and_build(jobs, work, options, live, keep, cleanup)  # stages 5-6: pages, engine
        check_site(work / "site", live, index, cleanup)  # stages 7-8: search index and audit
        (work / "site" / MARKER).write_text("written by build.py build; replaced as a whole by the next build\n")
        staged = site.parent / f"{_work_prefix(site)}new-{os.getpid()}"
        os.rename(work / "site", staged)
        publish(staged, site)  # stage 9: one atomic swap
    return f"{count} pages from {records} records into {site}"


def outputs(content: Path, site: Path, keep_docs: str | None) -> tuple[Path, Path | None]:
    """The site folder and the --keep-docs folder, each checked by guard_output, and not overlapping."""
    site = guard_output(site, content, "--site-dir")
    keep = guard_output(Path(keep_docs), content, "--keep-docs") if keep_docs else None
    if keep and (site == keep or site.is_relative_to(keep) or keep.is_relative_to(site)):
        raise BuildFailed(f"--keep-docs {keep} and --site-dir {site} overlap; give them separate folders")
    site.parent.mkdir(parents=True, exist_ok=True)
    return site, keep


def live_audit(cleanup: contextlib.ExitStack):
    """With an engine that streams and two or more cores, pages are rendered on another core while MkDocs
    reads them (tracker/stream.py) and audited there as soon as MkDocs has rendered them; return that
    audit (None otherwise). Its worker is forked first, while this process is small: forked later, it
    would keep a private copy of every record once this process frees them (PERFORMANCE.md,
    "Measurements behind the code")."""
    from . import engine, parallel
    from .audit import Live

    if engine.current().streams and parallel.workers() > 1:
        return cleanup.enter_context(contextlib.closing(Live()))
    return None


def plan(content: Path, strict: bool) -> tuple[list, int, str | None]:
    """Stages 1-4: load, validate and derive, then the render jobs; return (jobs, records, the engine's options:
    the site's address and the date the data is current to).
    The records and derived data are held by the jobs only from here, and freed with them."""
    clock = time.perf_counter()
    data, derived = prepare(content, strict)
    log.info("checked %d records in %.1f s", len(data.records), time.perf_counter() - clock)
    options = {"site_url": data.settings.get("site_url"), "as_of": data.settings["as_of"].first_day()}
    return renderer(data, derived).jobs(), len(data.records), options


def render_and_build(jobs: list, work: Path, options: dict, live, keep: Path | None,
                     cleanup: contextlib.ExitStack) -> int:
    """Stages 5-6: write the docs tree into work/docs and build it into work/site with the engine; with a
    live audit, the pages are rendered while the engine reads them. Empties `jobs` (so that the records
    are freed before the engine builds its own copy of everything); return the number of files written."""
    from .content import clear_cache
    from .engine import current
    from .stream import Stream

    eng, docs_dir, clock = current(), work / "docs", time.perf_counter()
    if live:
        stream = Stream(jobs, ROOT / "docs", docs_dir, work / "scratch", discard=not keep)
        cleanup.callback(stream.close)
        log.info("running %s build --strict, rendering pages on another core as it reads them", eng.name)
    else:
        count = write_tree(jobs, ROOT / "docs", docs_dir)
        log.info("rendered %d pages in %.1f s; running %s build --strict", count, time.perf_counter() - clock, eng.name)
    jobs.clear()
    clear_cache()  # with it, the records are freed here, and the engine reuses their memory
    engine_build(docs_dir, work / "site", ROOT / "mkdocs.yml", stream=bool(live), **options)
    _release_memory()  # the engine's pages are garbage now; the audit forks workers next
    if live:
        count = stream.finish()  # (already done by the hook, unless the engine skipped it)
        log.info("rendered %d pages while %s read them (it waited %.1f s for them)", count, eng.name, stream.waited)
    if keep:  # complete now (before the audit, so a failing audit can be traced to its page)
        shutil.rmtree(keep, ignore_errors=True)
        shutil.copytree(docs_dir, keep)
        (keep / MARKER).write_text("written by build.py build --keep-docs; replaced by the next one\n")
    log.info("%s built the site in %.1f s; indexing it for search and auditing it", eng.name, time.perf_counter() - clock)
    return count


def search_index(site: Path, live, cleanup: contextlib.ExitStack):
    """Stage 7: the search index (tracker.search.Indexer), stopped if the build fails. Where the pages are
    audited live (an engine that streams, on two or more cores), build() starts it before the engine, which
    feeds it as it reads the pages; otherwise check_site starts it on the built site."""
    from . import search

    index = search.Indexer(site, live=bool(live))
    cleanup.callback(index.kill)
    return index


def check_site(new_site: Path, live, index, cleanup: contextlib.ExitStack) -> None:
    """Stages 7-8: finish the search index while the audit runs; nothing unsafe or broken gets published."""
    from .audit import audit_site

    clock = time.perf_counter()
    index = index or search_index(new_site, None, cleanup)
    findings = audit_site(new_site, live) + index.finish()
    log.info("indexed and audited in %.1f s", time.perf_counter() - clock)
    if findings:
        raise BuildFailed("post-build audit failed:\n  " + "\n  ".join(findings[:50]))


def serve(content: Path, addr: str) -> None:
    """Preview with live reload: rebuild the docs tree when a record, template or page changes."""
    from .serve import run

    run(content, addr)
