"""Work shared between processes (tracker/parallel.py) gives exactly what one process gives."""

from __future__ import annotations

import os
import threading
import time

import pytest

from tracker import parallel
from tracker.errors import BuildFailed
from tracker.site import prepare, renderer, write_tree


def test_map_items_keeps_item_order_whichever_process_computed_it():
    items = list(range(1000))

    def fn(x):
        time.sleep(0.0005)  # enough work for both workers to take chunks
        return x * x, os.getpid()

    got = parallel.map_items(fn, items, n=2)
    assert [v for v, _ in got] == [x * x for x in items]
    assert len({pid for _, pid in got}) == 2 and os.getpid() not in {pid for _, pid in got}  # two workers
    assert parallel.map_items(lambda x: x + 1, items, n=1) == [x + 1 for x in items]
    assert parallel.map_items(lambda x: x, [], n=2) == []


def test_map_items_needs_nothing_picklable_but_results():
    """The workers are forked after the function and the items are set: closures and unpicklable items work."""
    lock = threading.Lock()  # cannot be pickled
    items = [(i, lock) for i in range(300)]
    assert parallel.map_items(lambda item: item[0] * 2 if item[1] is lock else None, items, n=2) == \
        [i * 2 for i in range(300)]


def test_map_items_inside_a_worker_runs_in_that_worker():
    inner = parallel.map_items(lambda x: len(parallel.map_items(lambda y: os.getpid(), range(100), n=2)), range(100), n=2)
    assert inner == [100] * 100


def test_map_items_raises_a_workers_exception_in_the_parent():
    def fn(x):
        if x == 500:
            raise ValueError("boom in worker")
        return x

    with pytest.raises(ValueError, match="boom in worker"):
        parallel.map_items(fn, range(1000), n=2)


def test_an_exception_that_cannot_travel_is_reported_by_name():
    class Local(Exception):  # a class defined in a function cannot be pickled
        pass

    def fn(x):
        if x == 10:
            raise Local("odd one")
        return x

    with pytest.raises(BuildFailed, match="Local: odd one"):
        parallel.map_items(fn, range(1000), n=2)


def test_map_items_stops_after_a_failure_without_running_every_chunk(tmp_path):
    """Chunks not yet started are cancelled: a failure early in a long list returns at once."""
    def fn(x):
        if x == 0:
            raise ValueError("first chunk fails")
        time.sleep(0.01)
        return x

    start = time.monotonic()
    with pytest.raises(ValueError, match="first chunk fails"):
        parallel.map_items(fn, range(2000), n=2)
    assert time.monotonic() - start < 5  # all of it takes 10 s on two workers


def test_map_items_reports_a_worker_that_died():
    def fn(x):
        if x == 300:
            os._exit(3)
        return x

    with pytest.raises(BuildFailed, match="worker process died"):
        parallel.map_items(fn, range(1000), n=2)


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
    again = content_mod.load_content(content).records  # read and hashed in the workers, found in the cache
    assert all(a is b for a, b in zip(again, two, strict=True))


def test_background_workers_run_below_the_builds_priority():
    """The render worker (a Task) and the live audit worker must not take MkDocs' core."""
    from tracker.audit import Live

    mine = os.getpriority(os.PRIO_PROCESS, 0)
    expected = min(19, mine + parallel.BACKGROUND_NICE)
    assert parallel.Task(lambda: os.getpriority(os.PRIO_PROCESS, 0)).join() == expected
    assert set(parallel.map_items(lambda x: os.getpriority(os.PRIO_PROCESS, 0), range(200))) == {mine}
    live = Live()
    try:
        deadline = time.monotonic() + 10  # the worker lowers its own priority just after the fork
        while os.getpriority(os.PRIO_PROCESS, live.pid) != expected and time.monotonic() < deadline:
            time.sleep(0.01)
        assert os.getpriority(os.PRIO_PROCESS, live.pid) == expected
    finally:
        live.close()
