"""Forked grading workers (course.grading.workers) started from a process with a live loop."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from course.grading.workers import WorkerPool


async def _work() -> int:
    await asyncio.sleep(0.2)
    return os.getpid()


def _job(_item: object) -> int:
    """What a grading worker does: run coroutines with jupyter_core's run_sync."""
    from jupyter_core.utils import run_sync

    return run_sync(_work)()


def test_a_worker_never_runs_the_parents_pending_event_loop_tasks(tmp_path: Path) -> None:
    """A notebook or a test run that calls grade() has a loop with tasks of its own (kernel
    clients listening on ZeroMQ sockets); a forked worker must not run them (they spin
    forever on the parent's sockets there)."""
    from jupyter_core.utils import ensure_event_loop, run_sync

    loop = ensure_event_loop()
    ran = tmp_path / "ran"

    async def parents_task() -> None:
        while True:
            with open(ran, "a", encoding="utf-8") as out:
                out.write(f"{os.getpid()}\n")
            await asyncio.sleep(0.01)

    task = loop.create_task(parents_task())
    run_sync(asyncio.sleep)(0.05)  # the parent's task runs, and stays pending
    pool = WorkerPool(2, lambda: None, _job)
    try:
        results = dict(pool.map([1, 2]))
    finally:
        pool.close()
        task.cancel()
    children = set(results.values())
    assert len(children) == 2 and os.getpid() not in children, results
    pids = {int(line) for line in ran.read_text(encoding="utf-8").split()}
    assert pids == {os.getpid()}, f"workers {pids - {os.getpid()}} ran the parent's task"
