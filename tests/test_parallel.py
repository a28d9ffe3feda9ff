"""Work shared between processes (tracker/parallel.py) gives exactly what one process gives."""

from __future__ import annotations

import os
import signal
import time

import pytest

from tracker import parallel
from tracker.errors import BuildFailed
from tracker.site import prepare, renderer, write_tree


def test_map_items_keeps_item_order_whichever_process_computed_it():
    items = list(range(1000))

    def fn(x):
        time.sleep(0.0005)  # enough work for the child to start before the parent has taken every chunk
        return x * x, os.getpid()

    got = parallel.map_items(fn, items, n=2)
    assert [v for v, _ in got] == [x * x for x in items]
    assert len({pid for _, pid in got}) == 2  # really two processes
    assert parallel.map_items(lambda x: x + 1, items, n=1) == [x + 1 for x in items]
    assert parallel.map_items(lambda x: x, [], n=2) == []


def test_map_items_gives_fewer_chunks_to_a_busy_process():
    """Chunks come from a queue: the parent, slowed here, takes few; the child takes the rest."""
    parent = os.getpid()

    def fn(x):
        if os.getpid() == parent:
            time.sleep(0.01)
        return os.getpid()

    got = parallel.map_items(fn, range(1000), n=2)
    assert got.count(parent) < 200


def test_map_items_raises_a_childs_exception_in_the_parent():
    parent = os.getpid()

    def fn(x):
        if os.getpid() != parent:
            raise ValueError("boom in child")
        time.sleep(0.001)  # leave the child time to take a chunk
        return x

    with pytest.raises(ValueError, match="boom in child"):
        parallel.map_items(fn, range(1000), n=2)


def test_map_items_keeps_draining_after_a_childs_error(tmp_path):
    """One child fails at once while another goes on sending chunks: the parent must keep reading
    them to the end (it once stopped, and then waited forever)."""
    parent, marker = os.getpid(), tmp_path / "failed"

    def fn(x):
        if os.getpid() != parent:
            try:  # the first child here fails; the other one works on
                os.close(os.open(marker, os.O_CREAT | os.O_EXCL))
                raise ValueError("boom in one child")
            except FileExistsError:
                pass
        time.sleep(0.002)
        return x

    def hung(signum, frame):
        raise TimeoutError("map_items hung after a child's error")

    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(60)
    try:
        with pytest.raises(ValueError, match="boom in one child"):
            parallel.map_items(fn, range(1000), n=3)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def test_map_items_reports_a_child_that_died():
    parent = os.getpid()

    def fn(x):
        if os.getpid() != parent:
            os._exit(3)
        time.sleep(0.001)
        return x

    with pytest.raises(BuildFailed, match="worker process died"):
        parallel.map_items(fn, range(1000), n=2)


def test_map_items_stops_the_children_when_the_parent_fails():
    parent = os.getpid()

    def fn(x):
        if os.getpid() == parent:
            raise KeyError("boom in parent")
        time.sleep(10)  # a child still at work is killed, not waited for

    start = time.monotonic()
    with pytest.raises(KeyError, match="boom in parent"):
        parallel.map_items(fn, range(1000), n=2)
    assert time.monotonic() - start < 5


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
