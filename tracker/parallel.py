"""Share one stage's work between the machine's cores (at 10,000 records, load, render and audit each
cost tens of seconds on one core, and MkDocs itself uses only one).

`split(fn, items)` forks one child per extra core. Every process, the parent included, runs fn on its
own share (items i, i + w, i + 2w, ...), children send their result back pickled through a pipe, and the
results come back in process order. fn therefore needs no pickling: the children inherit everything
already loaded. Output never depends on how many processes ran: each item is processed the same way
wherever it lands, and callers merge results in a fixed order. With one core, or few items, nothing is
forked at all. An exception in a child is raised again in the parent.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import sys
from collections.abc import Callable, Sequence

from .errors import BuildFailed

MIN_ITEMS = 64  # below this, forking costs more than it saves


def workers() -> int:
    """Cores this process may use (TRACKER_WORKERS overrides, e.g. 1 to turn parallelism off)."""
    forced = os.environ.get("TRACKER_WORKERS", "").strip()
    if forced.isdigit() and int(forced) > 0:
        return int(forced)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def split(fn: Callable[[list], object], items: Sequence, n: int | None = None) -> list:
    """Return [fn(share_0), fn(share_1), ...], share k being items[k::n], computed in n processes."""
    n = min(n or workers(), max(1, len(items) // (MIN_ITEMS // 2)))
    if n <= 1 or not hasattr(os, "fork"):
        return [fn(list(items))]
    children = [_spawn(lambda k=k: fn(list(items[k::n]))) for k in range(1, n)]
    results: list = []
    try:
        results.append(fn(list(items[0::n])))
    finally:
        received = [_receive(pid, r) for pid, r in children]  # always reap, even when our share failed
    for status, value in received:
        if status != "ok":
            raise value
        results.append(value)
    return results


def _spawn(fn: Callable[[], object], low_priority: bool = False) -> tuple[int, int]:
    """Fork a child that runs fn() and pipes back its pickled result (or its error); return (pid, fd).
    With low_priority, the child runs at background priority (see background())."""
    sys.stdout.flush()
    sys.stderr.flush()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: run fn, send the result, never return into the caller's code
        os.close(r)
        _die_with_parent()
        if low_priority:
            background()
        code = 0
        try:
            payload = pickle.dumps(("ok", fn()), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
            payload, code = _error_payload(exc), 1
        try:
            with os.fdopen(w, "wb") as out:
                out.write(payload)
        finally:
            os._exit(code)
    os.close(w)
    return pid, r


class Task:
    """fn() running in a forked child, at background priority, while this process does something else
    (see tracker.stream)."""

    def __init__(self, fn: Callable[[], object]):
        self.pid, self.fd = _spawn(fn, low_priority=True)
        self._result: tuple[str, object] | None = None

    def done(self) -> bool:
        """True once the child has finished (its result, or its death, is waiting in the pipe)."""
        return self._result is not None or bool(select.select([self.fd], [], [], 0)[0])

    def join(self):
        """Wait for the child; return fn's result, or raise its error here."""
        if self._result is None:
            self._result = _receive(self.pid, self.fd)
        status, value = self._result
        if status != "ok":
            raise value
        return value

    def close(self) -> None:
        """Stop the child if it is still running (the build failed elsewhere) and reap it."""
        if self._result is None:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            self._result = _receive(self.pid, self.fd)


def map_items(fn: Callable[[object], object], items: Sequence, n: int | None = None) -> list:
    """[fn(x) for x in items], computed in several processes, in the order of items."""
    parts = split(lambda share: [fn(x) for x in share], items, n)
    out: list = [None] * len(items)
    for k, part in enumerate(parts):
        out[k :: len(parts)] = part
    return out


def _receive(pid: int, fd: int) -> tuple[str, object]:
    with os.fdopen(fd, "rb") as inp:
        data = inp.read()
    _, status = os.waitpid(pid, 0)
    if not data:
        return "error", BuildFailed(f"a worker process died (exit status {status}); nothing was published")
    return pickle.loads(data)  # noqa: S301 - bytes from our own forked child, never from input


def _error_payload(exc: BaseException) -> bytes:
    try:
        payload = pickle.dumps(("error", exc))
        pickle.loads(payload)  # noqa: S301 - some exceptions pickle but cannot be rebuilt: test it here
        return payload
    except Exception:  # noqa: BLE001 - an exception that cannot travel is sent as text
        return pickle.dumps(("error", BuildFailed(f"{type(exc).__name__}: {exc}")))


BACKGROUND_NICE = 10


def background() -> None:
    """Lower this process's priority. A worker that runs beside MkDocs (which builds on one core) must
    never take MkDocs' core: with three processes on two cores, the scheduler would otherwise preempt
    MkDocs each time a worker wakes up (measured at 1,000 records: about 1,800 involuntary context
    switches of the MkDocs process per build, against about 100 without the workers)."""
    with contextlib.suppress(OSError):
        os.nice(BACKGROUND_NICE)


def _die_with_parent() -> None:
    """Ask Linux to kill this child if the parent dies (a killed build leaves no worker running)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass
