"""Share one stage's work between the machine's cores (at 10,000 records, load, render and audit each
cost tens of seconds on one core, and MkDocs itself uses only one).

`map_items(fn, items)` forks one child per extra core. Every process, the parent included, takes
chunks of items from a shared queue and runs fn on each item; children send their results back pickled
through a pipe, and the results come back in the order of items. fn therefore needs no pickling: the
children inherit everything already loaded. Output never depends on how many processes ran, or on which
ran what: each item is processed the same way wherever it lands. With one core, or few items, nothing
is forked at all. An exception in a child is raised again in the parent. `Task` runs one function in a
child while the parent goes on (tracker.stream).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pickle
import select
import signal
import sys
from collections.abc import Callable, Sequence

from .errors import BuildFailed

MIN_ITEMS = 64  # below this, forking costs more than it saves
F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)  # Linux: a pipe's buffer size


def workers() -> int:
    """Cores this process may use (TRACKER_WORKERS overrides, e.g. 1 to turn parallelism off)."""
    forced = os.environ.get("TRACKER_WORKERS", "").strip()
    if forced.isdigit() and int(forced) > 0:
        return int(forced)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _spawn(fn: Callable[[], object]) -> tuple[int, int]:
    """Fork a child that runs fn() at background priority (see background()) and pipes back its
    pickled result (or its error); return (pid, fd)."""
    sys.stdout.flush()
    sys.stderr.flush()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: run fn, send the result, never return into the caller's code
        os.close(r)
        _die_with_parent()
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
        self.pid, self.fd = _spawn(fn)
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
    """[fn(x) for x in items], computed in several processes, in the order of items.

    The items are handed out in small chunks from a queue (a pipe of chunk numbers,
    filled before anything is forked), and each child sends back a chunk's results as soon as it is
    done. The parent takes chunks too, and between two of its own it unpickles what the children
    have sent: so no process waits for another at the end, and the parent, which has the unpickling
    to do as well, simply takes fewer chunks. Results are placed by chunk number, so which process
    computed what never shows in the output."""
    items = list(items)
    n = min(n or workers(), max(1, len(items) // (MIN_ITEMS // 2)))
    if n <= 1 or not hasattr(os, "fork"):
        return [fn(x) for x in items]
    # about 100 chunks a process, and at most 1,024 of them: their tokens (4 bytes each) fit in any
    # pipe's buffer, so writing them all before anything is forked never blocks
    size = max(8, -(-len(items) // (n * 100)), -(-len(items) // 1024))
    chunks = range(-(-len(items) // size))
    out: list = [None] * len(chunks)
    tokens_r, tokens_w = os.pipe()
    os.write(tokens_w, b"".join(k.to_bytes(4, "little") for k in chunks))
    os.close(tokens_w)  # so that a read returns b"" once every chunk is taken

    def take():  # the next chunk's number, or None: reads of 4 bytes from a pipe are atomic
        token = os.read(tokens_r, 4)
        return int.from_bytes(token, "little") if token else None

    def work(k: int) -> list:
        return [fn(x) for x in items[k * size : (k + 1) * size]]

    children = [_spawn_streaming(take, work) for _ in range(1, n)]
    inbox = {fd: bytearray() for _, fd in children}
    failure: BaseException | None = None
    try:
        while (k := take()) is not None:
            out[k] = work(k)
            failed = _drain(inbox, out, block=False)  # (always drain: a child must never block on its pipe)
            failure = failure or failed
        while inbox:
            failed = _drain(inbox, out, block=True)
            failure = failure or failed
    except BaseException:
        for pid, _ in children:  # our own chunk failed: stop the children
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        raise
    finally:
        os.close(tokens_r)
        for fd in inbox:
            os.close(fd)
        for pid, _ in children:
            _, status = os.waitpid(pid, 0)
            if status and failure is None:
                failure = BuildFailed(f"a worker process died (exit status {status}); nothing was published")
    if failure is not None:
        raise failure
    if any(part is None for part in out):  # pragma: no cover - a child that exited 0 without its chunks
        raise BuildFailed("a worker process lost its work; nothing was published")
    return [x for part in out for x in part]


def _spawn_streaming(take: Callable[[], int | None], work: Callable[[int], list]) -> tuple[int, int]:
    """Fork a child that takes chunk numbers until none are left and sends each chunk's results (or
    its error) as a length-prefixed pickle; return (pid, fd of the results, non-blocking)."""
    sys.stdout.flush()
    sys.stderr.flush()
    r, w = os.pipe()
    with contextlib.suppress(OSError):  # room for a few chunks: the parent reads only between its own
        fcntl.fcntl(w, F_SETPIPE_SZ, 1 << 20)
    pid = os.fork()
    if pid == 0:
        os.close(r)
        _die_with_parent()
        code = 0
        with os.fdopen(w, "wb") as pipe:
            try:
                while (k := take()) is not None:
                    frame = pickle.dumps(("ok", k, work(k)), protocol=pickle.HIGHEST_PROTOCOL)
                    pipe.write(len(frame).to_bytes(8, "little") + frame)
                    pipe.flush()  # now, not when the write buffer is full: the parent reads as we go
            except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
                frame, code = _error_payload(exc), 1
                with contextlib.suppress(OSError):
                    pipe.write(len(frame).to_bytes(8, "little") + frame)
            finally:
                with contextlib.suppress(OSError):
                    pipe.flush()
                os._exit(code)
    os.close(w)
    os.set_blocking(r, False)
    return pid, r


def _drain(inbox: dict[int, bytearray], out: list, block: bool) -> BaseException | None:
    """Read what the children have sent so far (with block, wait for at least one of them); put each
    complete chunk in out; close and forget a child's pipe at its end. Return a child's error, if any."""
    failure = None
    ready = select.select(list(inbox), [], [])[0] if block else list(inbox)
    for fd in ready:
        buf = inbox[fd]
        while True:
            try:
                data = os.read(fd, 1 << 20)
            except BlockingIOError:
                break
            if not data:
                os.close(fd)
                del inbox[fd]
                break
            buf += data
        while len(buf) >= 8 and len(buf) >= 8 + (length := int.from_bytes(buf[:8], "little")):
            message = pickle.loads(buf[8 : 8 + length])  # noqa: S301 - from our own forked child
            del buf[: 8 + length]
            if message[0] == "ok":
                out[message[1]] = message[2]
            else:
                failure = failure or message[1]
    return failure


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
