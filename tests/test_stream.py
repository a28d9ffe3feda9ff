"""Rendering while MkDocs reads (tracker/stream.py) publishes exactly what rendering first publishes,
and fails as cleanly."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from tracker import parallel
from tracker import site as site_mod
from tracker.errors import BuildFailed
from tracker.render import Job
from tracker.stream import mkdocs_order


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_streamed_build_equals_one_core_build(content, tmp_path, monkeypatch, caplog):
    """Pages rendered while MkDocs reads them, and indexed for search as it converts them, publish the same
    bytes as pages rendered first and a site indexed once built (search bundles included, in shards)."""
    from tracker import search
    from tracker.render import Renderer

    real = Renderer.page

    def slow_page(self, path, template, **context):  # MkDocs reaches these pages before they are written
        if path.startswith("projects/") and path != "projects/index.md":
            time.sleep(1)
        return real(self, path, template, **context)

    monkeypatch.setenv("TRACKER_WORKERS", "2")  # even on a one-core machine
    monkeypatch.setattr(Renderer, "page", slow_page)
    monkeypatch.setattr(search, "SHARD_PAGES", 7)  # 10 searched pages: two bundles
    caplog.set_level("INFO", logger="tracker")
    site_mod.build(content, tmp_path / "two" / "site", keep_docs=str(tmp_path / "two" / "docs"))
    indexed = [r.created for r in caplog.records if r.getMessage().startswith("indexed 7 pages for search")]
    built = [r.created for r in caplog.records if r.getMessage().startswith("mkdocs built the site")]
    assert len(indexed) == 1 and indexed[0] < built[0]  # the first shard while MkDocs was building
    assert "indexing the built site instead" not in caplog.text
    monkeypatch.setattr(Renderer, "page", real)
    monkeypatch.setenv("TRACKER_WORKERS", "1")
    site_mod.build(content, tmp_path / "one" / "site", keep_docs=str(tmp_path / "one" / "docs"))
    two, one = tree(tmp_path / "two" / "docs"), tree(tmp_path / "one" / "docs")
    assert len(two) > 20 and two == one  # the docs tree, byte for byte
    assert tree(tmp_path / "two" / "site") == tree(tmp_path / "one" / "site")
    assert (tmp_path / "two" / "site" / "pagefind-2" / "pagefind-entry.json").is_file()


def test_a_failing_render_worker_fails_the_build_and_publishes_nothing(content, tmp_path, monkeypatch):
    site = tmp_path / "site"
    site_mod.build(content, site)
    before = tree(site)
    monkeypatch.setenv("TRACKER_WORKERS", "2")
    from tracker.render import Renderer

    real = Renderer.page

    def page(self, path, template, **context):
        if path.startswith("projects/anyuan"):  # rendered in the worker, while MkDocs waits for it
            raise BuildFailed(f"injected failure rendering {path}")
        return real(self, path, template, **context)

    monkeypatch.setattr(Renderer, "page", page)
    with pytest.raises(BuildFailed, match="injected failure rendering projects/anyuan"):
        site_mod.build(content, site)
    assert tree(site) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(site_mod.TMP_PREFIX)] == []


def test_pages_are_rendered_in_the_order_mkdocs_reads_them(content, tmp_path):
    """If the order were wrong the build would still be right, only slower: check it against MkDocs."""
    from mkdocs.config import load_config
    from mkdocs.structure.files import get_files

    docs = tmp_path / "docs"
    data, derived = site_mod.prepare(content)
    site_mod.write_tree(site_mod.renderer(data, derived).jobs(), site_mod.ROOT / "docs", docs)
    cfg = load_config(str(site_mod.ROOT / "mkdocs.yml"), docs_dir=str(docs), site_dir=str(tmp_path / "site"))
    read = [f.src_uri for f in get_files(cfg).documentation_pages()]
    assert len(read) > 20 and sorted(read, key=mkdocs_order) == read


def test_a_job_must_write_exactly_the_paths_it_declares():
    assert Job(("a.md",), lambda: {"a.md": "x"})() == {"a.md": "x"}
    with pytest.raises(BuildFailed, match="not the paths it declared"):
        Job(("a.md",), lambda: {"a.md": "x", "b.md": "y"})()


def test_task_returns_raises_and_can_be_stopped():
    task = parallel.Task(lambda: 6 * 7)
    assert task.join() == 42 and task.done()
    failing = parallel.Task(lambda: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        failing.join()
    slow = parallel.Task(lambda: time.sleep(60))
    assert not slow.done()
    start = time.perf_counter()
    slow.close()  # killed and reaped, not waited for
    assert time.perf_counter() - start < 10


def test_pages_are_deleted_once_read_and_the_site_is_the_same(content, tmp_path, monkeypatch):
    """Without --keep-docs the pages go on another core as soon as MkDocs has read them (on_env); the
    static files it copies afterwards stay, and the published site is the one-core build's."""
    from tracker.stream import Stream

    jobs = [Job(("a.md",), lambda: {"a.md": "# A\n"}), Job(("d/x.csv",), lambda: {"d/x.csv": "x\n"})]
    stream = Stream(jobs, tmp_path / "no-docs", tmp_path / "docs", tmp_path / "scratch", discard=True)
    assert stream.finish() == 2
    stream.close()
    assert tree(tmp_path / "docs") == {"d/x.csv": hashlib.sha256(b"x\n").hexdigest()}

    monkeypatch.setenv("TRACKER_WORKERS", "2")
    site_mod.build(content, tmp_path / "two" / "site")
    monkeypatch.setenv("TRACKER_WORKERS", "1")
    site_mod.build(content, tmp_path / "one" / "site")
    assert tree(tmp_path / "two" / "site") == tree(tmp_path / "one" / "site")
    assert sorted(p.name for p in (tmp_path / "two").iterdir()) == [".site.lock", "site"]  # no leftovers


def test_placeholders_can_be_links_to_one_empty_file_and_never_overwrite(tmp_path, monkeypatch):
    import errno
    import os

    from tracker.stream import placeholders

    jobs = [Job((f"p/{i}.md",), lambda: {}) for i in range(5)]
    empty = tmp_path / "empty"
    empty.touch()
    links = []
    real_link = os.link

    def link(src, dst):  # a file system whose files take two links at most, as ext4 takes 65,000
        if links.count(str(src)) == 2:
            raise OSError(errno.EMLINK, "Too many links")
        links.append(str(src))
        real_link(src, dst)

    monkeypatch.setattr(os, "link", link)
    root = placeholders(jobs, tmp_path / "no-docs", tmp_path / "docs", empty)
    assert sorted(p.name for p in (root / "p").iterdir()) == [f"{i}.md" for i in range(5)]
    assert all((root / "p" / f"{i}.md").stat().st_size == 0 for i in range(5))
    assert len(set(links)) == 3  # empty, then two more once each filled up
    with pytest.raises(BuildFailed, match="would overwrite"):
        placeholders(jobs[:1], tmp_path / "no-docs", tmp_path / "docs", empty)


def test_placeholders_fall_back_to_files_where_links_are_not_allowed(tmp_path, monkeypatch):
    import errno
    import os

    from tracker.stream import placeholders

    def link(src, dst):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", link)
    empty = tmp_path / "empty"
    empty.touch()
    jobs = [Job((f"p/{i}.md",), lambda: {}) for i in range(3)]
    root = placeholders(jobs, tmp_path / "no-docs", tmp_path / "docs", empty)
    assert sorted(p.name for p in (root / "p").iterdir()) == ["0.md", "1.md", "2.md"]
    assert empty.stat().st_nlink == 1  # files of their own
    with pytest.raises(BuildFailed, match="would overwrite"):
        placeholders(jobs[:1], tmp_path / "no-docs", tmp_path / "docs", empty)


def test_a_page_that_cannot_be_deleted_does_not_fail_the_build(tmp_path, monkeypatch):
    import os

    from tracker.stream import Stream

    def unlink(path):
        raise PermissionError(13, "Permission denied", str(path))

    jobs = [Job(("a.md",), lambda: {"a.md": "# A\n"})]
    stream = Stream(jobs, tmp_path / "no-docs", tmp_path / "docs", tmp_path / "scratch", discard=True)
    monkeypatch.setattr(os, "unlink", unlink)  # before finish() forks the deleting worker
    assert stream.finish() == 1
    stream.close()  # waits for the worker, which could not delete: no error
    assert (tmp_path / "docs" / "a.md").read_text() == "# A\n"


def test_a_task_that_dies_is_reported():
    task = parallel.Task(lambda: os._exit(5))
    with pytest.raises(BuildFailed, match=r"worker process died \(exit status 5\)"):
        task.join()


def test_a_task_may_share_its_own_work_between_processes():
    assert parallel.Task(lambda: parallel.map_items(lambda x: x * 2, range(200), n=2)).join() == [x * 2 for x in range(200)]
