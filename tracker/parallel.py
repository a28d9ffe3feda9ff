"""Share one stage's work between the machine's cores, with the standard library's process pool (at
10,000 records, load, render and audit each cost tens of seconds on one core, and MkDocs itself uses
only one).

Workers are forked (multiprocessing's "fork" context), so they inherit everything already loaded: the
function and the items are never pickled, only chunk numbers go out and results come back. Output never
depends on how many processes ran, or on which ran what: each item is processed the same way wherever
it lands, and results come back in the order of items. `Task` runs one function in a forked child while
this process goes on (tracker.stream).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import signal
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from .errors import BuildFailed

MIN_ITEMS = 64  # below this, forking costs more than it saves
FORK = multiprocessing.get_context("fork")
_job: tuple[Callable, list, int] | None = None  # what the pool's workers run: set before they are forked


def workers() -> int:
    """Cores this process may use (TRACKER_WORKERS overrides, e.g. 1 to turn parallelism off)."""
    forced = os.environ.get("TRACKER_WORKERS", "").strip()
    if forced.isdigit() and int(forced) > 0:
        return int(forced)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def map_items(fn: Callable[[object], object], items: Sequence, n: int | None = None) -> list:
    """[fn(x) for x in items], computed in n worker processes (one per core), in the order of items.

    Items go out in small chunks (about 50 per worker), so that no worker waits for another at the end."""
    global _job
    items = list(items)
    n = min(n or workers(), max(1, len(items) // (MIN_ITEMS // 2)))
    if n <= 1 or _job is not None:  # one core, few items, or already inside a worker
        return [fn(x) for x in items]
    size = max(8, -(-len(items) // (n * 50)))
    _job = (fn, items, size)
    try:
        with ProcessPoolExecutor(n, mp_context=FORK, initializer=_die_with_parent) as pool:
            # (on a failure, Executor.map cancels the chunks not yet started)
            return [x for part in pool.map(_chunk, range(-(-len(items) // size))) for x in part]
    except BrokenProcessPool:
        raise BuildFailed("a worker process died; nothing was published") from None
    finally:
        _job = None


def _chunk(k: int) -> list:
    fn, items, size = _job
    try:
        return [fn(x) for x in items[k * size : (k + 1) * size]]
    except Exception as exc:
        raise _portable(exc) from None


class Task:
    """fn() running in a forked child, at background priority, while this process does something else
    (see tracker.stream)."""

    def __init__(self, fn: Callable[[], object]):
        self._conn, child_end = FORK.Pipe(duplex=False)
        self.process = FORK.Process(target=_run_task, args=(fn, child_end, self._conn))
        self.process.start()
        child_end.close()
        self._result: tuple[str, object] | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def done(self) -> bool:
        """True once the child has finished (its result, or its death, is waiting in the pipe)."""
        return self._result is not None or self._conn.poll(0)

    def join(self):
        """Wait for the child; return fn's result, or raise its error here."""
        if self._result is None:
            try:
                self._result = self._conn.recv()
            except EOFError:  # it died without sending anything
                self.process.join()
                self._result = ("error", BuildFailed(f"a worker process died (exit status {self.process.exitcode}); "
                                                     "nothing was published"))
            self._conn.close()
            self.process.join()
        status, value = self._result
        if status != "ok":
            raise value
        return value

    def close(self) -> None:
        """Stop the child if it is still running (the build failed elsewhere) and reap it."""
        if self._result is None:
            self.process.kill()
            self._result = ("error", BuildFailed("stopped"))
            self._conn.close()
            self.process.join()


def _run_task(fn: Callable[[], object], conn, parent_end) -> None:
    parent_end.close()
    _die_with_parent()
    background()
    try:
        result = ("ok", fn())
    except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
        result = ("error", _portable(exc))
    conn.send(result)
    conn.close()


def _portable(exc: BaseException) -> BaseException:
    """exc itself if it can travel to the parent (pickled and rebuilt), else a BuildFailed that names it."""
    try:
        pickle.loads(pickle.dumps(exc))  # noqa: S301 - some exceptions pickle but cannot be rebuilt: test it here
        return exc
    except Exception:  # noqa: BLE001
        return BuildFailed(f"{type(exc).__name__}: {exc}")


BACKGROUND_NICE = 10


def background() -> None:
    """Lower this process's priority. A worker that runs beside MkDocs (which builds on one core) must
    never take MkDocs' core: with three processes on two cores, the scheduler would otherwise preempt
    MkDocs each time a worker wakes up (PERFORMANCE.md, "Measurements behind the code")."""
    with contextlib.suppress(OSError):
        os.nice(BACKGROUND_NICE)


def _die_with_parent() -> None:
    """Ask Linux to kill this child if the parent dies (a killed build leaves no worker running)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass
