"""Forked grading workers that a run can stop at any moment, leaving nothing behind.

:class:`WorkerPool` forks ``size`` worker processes from the (single-threaded) grading
process. Each one runs ``init()`` once, then ``job(item)`` for every item it is sent,
and answers over a pipe. The pool hands the next item to whichever worker is free.

* A worker dies with the grading process (``PR_SET_PDEATHSIG``), however that ends, and
  everything a worker started dies with it in turn (see :mod:`course.grading.template`).
* A worker that crashes costs only the item it held (reported as
  :class:`WorkerCrashed`); a new worker takes its place.
* Workers ignore SIGINT: a Ctrl-C reaches the whole terminal process group, and the
  grading process decides what happens (:meth:`WorkerPool.kill`).
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, Pipe, wait
from typing import Any

from course.grading.sandbox_exec import PR_SET_PDEATHSIG, prctl

#: Seconds a worker gets to finish its clean-up after the pool is closed.
CLOSE_GRACE = 10.0
_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
#: Event loops a forked worker inherited (never closed, never collected: see below).
_INHERITED: list[Any] = []


class WorkerCrashed(Exception):
    """The worker grading an item died (its exit status is in the message)."""


class WorkerInitFailed(RuntimeError):
    """A worker could not start (its one-line reason is the message)."""


@dataclass
class _Worker:
    pid: int
    conn: Connection
    item: Any = None
    busy: bool = False
    ready: bool = False


def _status_text(status: int) -> str:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        return f"killed by {signal.Signals(sig).name}" if sig in signal.valid_signals() \
            else f"killed by signal {sig}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"


def _forget_inherited_event_loop() -> None:
    """Give this forked worker an event loop of its own.

    A fork copies the parent's asyncio loop (jupyter_core's ``run_sync`` keeps reusing
    it), with the parent's pending tasks and the parent's ZeroMQ sockets registered in
    a selector it shares with the parent. Run in the child, those tasks spin on
    sockets libzmq refuses to use after a fork (EINTR forever): ``grade()`` called from
    a process that already talks to kernels (a notebook, a test run) would hang. The
    inherited loop is dropped, not closed: closing it would unregister the parent's
    file descriptors from the shared selector, and so would its finaliser: it is kept
    referenced until the worker ends with ``os._exit`` (no finalisers run).
    """
    import asyncio
    import sys

    jupyter_loop = getattr(sys.modules.get("jupyter_core.utils"), "_loop", None)
    with contextlib.suppress(RuntimeError):
        _INHERITED.append(asyncio.get_event_loop_policy().get_event_loop())
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    if jupyter_loop is not None:
        _INHERITED.append(jupyter_loop.get())
        jupyter_loop.set(loop)


def _serve(conn: Connection, init: Callable[[], Callable[[], None] | None],
           job: Callable[[Any], Any], parent: int) -> None:
    """A worker's life: tie it to the parent, init, answer jobs until told to stop."""
    code = 0
    try:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:
            os._exit(1)
        _forget_inherited_event_loop()
        try:
            cleanup = init()
        except BaseException as exc:  # noqa: BLE001 - reported to the parent, one line
            reason = str(exc).strip().splitlines()
            conn.send(("init-failed", f"{type(exc).__name__}: {reason[0] if reason else ''}"))
            os._exit(1)
        conn.send(("ready", None))
        try:
            while True:
                try:
                    item = conn.recv()
                except EOFError:
                    break
                if item is None:
                    break
                conn.send(("done", job(item)))
        finally:
            if cleanup is not None:
                cleanup()
    except BaseException:  # noqa: BLE001 - never return into the parent's code
        code = 1
    os._exit(code)


class WorkerPool:
    """``size`` forked workers running ``job`` on items (see the module docstring)."""

    def __init__(self, size: int, init: Callable[[], Callable[[], None] | None],
                 job: Callable[[Any], Any], *, close_in_child: Iterable[int] = ()) -> None:
        self.size = size
        self._init, self._job = init, job
        self._close_in_child = list(close_in_child)
        self._workers: dict[int, _Worker] = {}
        self.crashes = 0

    def _fork(self) -> _Worker:
        ours, theirs = Pipe(duplex=True)
        parent = os.getpid()
        # No signal handler of the parent may run in the child before it has its own.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
        pid = -1
        try:
            pid = os.fork()
            if pid == 0:
                try:
                    signal.signal(signal.SIGINT, signal.SIG_IGN)
                    signal.signal(signal.SIGTERM, signal.SIG_DFL)
                    signal.signal(signal.SIGHUP, signal.SIG_DFL)
                    signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
                    ours.close()
                    for worker in self._workers.values():
                        worker.conn.close()
                    for fd in self._close_in_child:
                        with contextlib.suppress(OSError):
                            os.close(fd)
                    _serve(theirs, self._init, self._job, parent)
                finally:
                    os._exit(1)
            worker = _Worker(pid=pid, conn=ours)
            self._workers[pid] = worker
        finally:
            if pid != 0:
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        theirs.close()
        return worker

    def start(self) -> None:
        """Fork the workers (they initialise in parallel)."""
        while len(self._workers) < self.size:
            self._fork()

    def _reap(self, worker: _Worker, timeout: float = CLOSE_GRACE) -> str:
        deadline = time.monotonic() + timeout
        while True:
            try:
                pid, status = os.waitpid(worker.pid, os.WNOHANG)
            except ChildProcessError:
                return "gone"
            if pid:
                return _status_text(status)
            if time.monotonic() > deadline:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(worker.pid, signal.SIGKILL)
                deadline = time.monotonic() + 5
            time.sleep(0.01)

    def map(self, items: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
        """Yield ``(item, result)`` as workers finish; a crash gives a WorkerCrashed result."""
        todo = deque(items)
        self.start()
        while todo or any(w.busy for w in self._workers.values()):
            for worker in self._workers.values():
                if worker.ready and not worker.busy and todo:
                    worker.item = todo.popleft()
                    worker.busy = True
                    with contextlib.suppress(OSError):  # a dead worker shows as EOF below
                        worker.conn.send(worker.item)
            conns = {w.conn: w for w in self._workers.values()}
            for conn in wait(list(conns)):
                worker = conns[conn]
                try:
                    kind, payload = conn.recv()
                except (EOFError, OSError):
                    conn.close()
                    del self._workers[worker.pid]
                    how = self._reap(worker)
                    if worker.busy:
                        self.crashes += 1
                        yield worker.item, WorkerCrashed(f"grader worker crashed ({how})")
                    elif not worker.ready:
                        raise WorkerInitFailed(
                            f"a grading worker died while starting ({how})") from None
                    if todo or any(w.busy for w in self._workers.values()):
                        self._fork()
                    continue
                if kind == "init-failed":
                    raise WorkerInitFailed(payload)
                if kind == "ready":
                    worker.ready = True
                elif kind == "done":
                    item, worker.item, worker.busy = worker.item, None, False
                    yield item, payload

    def close(self) -> None:
        """Ask every worker to finish and wait for it (killing it after a grace period)."""
        for worker in list(self._workers.values()):
            with contextlib.suppress(OSError):
                worker.conn.send(None)
        for worker in list(self._workers.values()):
            self._reap(worker)
            worker.conn.close()
        self._workers.clear()

    def kill(self) -> None:
        """SIGKILL every worker now and reap it (what they started dies with them)."""
        for worker in self._workers.values():
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker.pid, signal.SIGKILL)
        for worker in list(self._workers.values()):
            self._reap(worker, timeout=5)
            worker.conn.close()
        self._workers.clear()

    @property
    def pids(self) -> list[int]:
        """Process ids of the live workers."""
        return list(self._workers)
