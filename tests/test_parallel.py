"""Work shared between processes (tracker/parallel.py) gives exactly what one process gives."""

from __future__ import annotations

import os
import time

import pytest

from tracker import parallel
from tracker.errors import BuildFailed
from tracker.site import prepare, renderer, write_tree


def test_split_covers_every_item_once_in_fixed_shares():
    items = list(range(200))
    parts = parallel.split(lambda share: [(os.getpid(), x * x) for x in share], items, n=2)
    assert [x for part in parts for _, x in part] == [x * x for x in items[0::2] + items[1::2]]
    assert len({pid for part in parts for pid, _ in part}) == 2  # really two processes
    assert parallel.split(sum, items, n=1) == [sum(items)]


def test_split_raises_a_childs_exception_in_the_parent():
    def fn(share):
        if share[0] == 1:  # the child's share starts with item 1
            raise ValueError("boom in child")
        return len(share)

    with pytest.raises(ValueError, match="boom in child"):
        parallel.split(fn, list(range(200)), n=2)


def test_split_reports_a_child_that_died():
    def fn(share):
        if share[0] == 1:
            os._exit(3)
        return 0

    with pytest.raises(BuildFailed, match="worker process died"):
        parallel.split(fn, list(range(200)), n=2)


def test_workers_can_be_forced(monkeypatch):
    monkeypatch.setenv("TRACKER_WORKERS", "1")
    assert parallel.workers() == 1


def test_parallel_write_equals_rendering_in_one_process(content, tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "MIN_ITEMS", 2)  # the fixture has few records: force a real split
    monkeypatch.setenv("TRACKER_WORKERS", "2")  # even on a one-core machine
    data, derived = prepare(content)
    pages = renderer(data, derived).render_all()
    count = write_tree(renderer(data, derived).jobs(), tmp_path / "empty", tmp_path / "docs")
    written = {p.relative_to(tmp_path / "docs").as_posix(): p.read_bytes()
               for p in (tmp_path / "docs").rglob("*") if p.is_file()}
    assert count == len(pages) == len(written)
    assert written == {k: v if isinstance(v, bytes) else v.encode() for k, v in pages.items()}


def test_generated_page_never_overwrites_a_hand_written_one(content, tmp_path):
    docs = tmp_path / "docs-src"
    (docs / "projects").mkdir(parents=True)
    data, derived = prepare(content)
    clash = f"projects/{data.records[0]['id']}.md"
    (docs / clash).write_text("hand-written")
    with pytest.raises(BuildFailed, match=f"generated page {clash} would overwrite"):
        write_tree(renderer(data, derived).jobs(), docs, tmp_path / "out")


def test_parallel_load_equals_one_process_and_fills_the_parents_cache(content, monkeypatch):
    from tracker import content as content_mod

    monkeypatch.setattr(parallel, "MIN_ITEMS", 2)
    content_mod._RECORD_CACHE.clear()
    monkeypatch.setenv("TRACKER_WORKERS", "1")
    one = content_mod.load_content(content).records
    content_mod._RECORD_CACHE.clear()
    monkeypatch.setenv("TRACKER_WORKERS", "2")
    two = content_mod.load_content(content).records
    assert one == two and len(two) == 2
    assert len(content_mod._RECORD_CACHE) == 2  # results from the worker are cached here, for `serve`


def test_background_workers_run_below_the_builds_priority():
    """The render worker (a Task) and the live audit worker must not take MkDocs' core."""
    from tracker.audit import Live

    mine = os.getpriority(os.PRIO_PROCESS, 0)
    expected = min(19, mine + parallel.BACKGROUND_NICE)
    assert parallel.Task(lambda: os.getpriority(os.PRIO_PROCESS, 0)).join() == expected
    assert set(parallel.split(lambda share: os.getpriority(os.PRIO_PROCESS, 0), range(200))) == {mine}
    live = Live()
    try:
        deadline = time.monotonic() + 10  # the worker lowers its own priority just after the fork
        while os.getpriority(os.PRIO_PROCESS, live.pid) != expected and time.monotonic() < deadline:
            time.sleep(0.01)
        assert os.getpriority(os.PRIO_PROCESS, live.pid) == expected
    finally:
        live.close()
