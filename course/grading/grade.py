"""``wbcourse grade``: autograde every submission of a module, in parallel, safely.

One run per workspace (:mod:`course.grading.runlock`). The grading process checks the
gradebook, skips what is already graded, forks a few workers
(:mod:`course.grading.workers`) that grade one submission at a time
(:mod:`course.grading.worker`), and appends each finished submission to the status
journal (:mod:`course.grading.status`).

A kill at any moment leaves every submission either completely recorded or as it was,
and the next run (without ``force``) grades exactly those not recorded as finished.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from course.errors import CourseError
from course.grading import status as status_store
from course.grading.status import Outcome
from course.grading.worker import INCOMING, GradeOptions, grade_in_worker, init_worker
from course.grading.workspace import Workspace

#: Left by versions that staged submissions inside the workspace.
OLD_STAGING = Path(".wbcourse") / "staging"
EXECUTORS = ("fork", "kernel")


class GradingStopped(Exception):
    """The run stopped before every submission was graded.

    ``outcomes`` has one entry per chosen learner: those finished, then the rest with
    status "not graded". ``exit_code`` is 130/143 after SIGINT/SIGTERM, else 1.
    """

    def __init__(self, reason: str, outcomes: list[Outcome], exit_code: int = 1) -> None:
        super().__init__(reason)
        self.reason, self.outcomes, self.exit_code = reason, outcomes, exit_code


class _Signalled(BaseException):
    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


# --------------------------------------------------------------------------- choices


def choose_executor(requested: str | None) -> tuple[str, str | None]:
    """(executor, note): ``fork`` wherever kernels can be forked, else ``kernel``.

    >>> choose_executor("kernel")
    ('kernel', None)
    """
    from course.grading.template import fork_supported

    if requested not in (None, "auto", *EXECUTORS):
        raise CourseError(f"unknown executor {requested!r} (choose fork or kernel)")
    if requested == "kernel":
        return "kernel", None
    reason = fork_supported()
    if reason is None:
        return "fork", None
    if requested == "fork":
        raise CourseError(f"--executor fork is not available here: {reason}")
    return "kernel", f"executor: kernel (forked kernels unavailable: {reason})"


def select_learners(ws: Workspace, module: str, wanted: Iterable[str] | None) -> list[str]:
    """Learners to grade: all with a submission, or the named ones (which must exist)."""
    available = ws.learners(module)
    if not wanted:
        return available
    missing = [w for w in wanted if w not in available]
    if missing:
        raise CourseError(f"no submission of {module} for: {', '.join(missing)}")
    return list(dict.fromkeys(wanted))


def _sqlite_timeout(db_url: str) -> str:
    """Let SQLite writers wait for each other instead of failing with 'database is locked'."""
    if db_url.startswith("sqlite:") and "?" not in db_url:
        return db_url + "?timeout=60"
    return db_url


# --------------------------------------------------------------------------- the run


@contextlib.contextmanager
def _signals_as_exceptions() -> Iterator[None]:
    """SIGTERM/SIGHUP raise in the grading process (SIGINT already does), once."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, _frame: object) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)  # the clean-up must not be interrupted
        raise _Signalled(signum)

    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM,
                                                    signal.SIGHUP)}
    for sig in saved:
        signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in saved.items():
            signal.signal(sig, old)


def _import_for_workers() -> None:
    """Import what every worker needs once, here: forked workers share it (no thread starts)."""
    import nbclient  # noqa: F401
    import nbgrader.apps  # noqa: F401

    import course.grading.fastexec  # noqa: F401
    import course.grading.kernels  # noqa: F401
    import course.grading.tamper  # noqa: F401


def _finished(outcome: Outcome) -> bool:
    """Graded, or failed because of the submission itself: nothing to redo while unchanged."""
    return outcome.status == "graded" or (outcome.status == "failed"
                                          and outcome.cause == "submission")


def _stopped_by(sig: _Signalled) -> tuple[str, int]:
    return (f"stopped by {signal.Signals(sig.signum).name}; what was graded is kept, run "
            "again to grade the rest", 128 + sig.signum)


def _run(options: GradeOptions, learners: list[str], workers: int, close_fds: list[int]
         ) -> Iterator[tuple[Outcome, str | None]]:
    """Yield (outcome, reason to stop) as workers finish; a crashed worker fails its learner."""
    from functools import partial

    from course.grading.workers import WorkerCrashed, WorkerPool

    _import_for_workers()
    pool = WorkerPool(workers, partial(init_worker, options), grade_in_worker,
                      close_in_child=close_fds)
    try:
        for learner, result in pool.map(learners):
            if isinstance(result, WorkerCrashed):
                yield Outcome(learner, options.module, "failed", problems=[str(result)],
                              cause="grader"), None
            else:
                yield result
        pool.close()
    finally:
        pool.kill()


def _cleanup_leftovers(root: Path) -> None:
    """Folders a killed run (or an older version) left in the workspace."""
    shutil.rmtree(root / INCOMING, ignore_errors=True)
    shutil.rmtree(root / OLD_STAGING, ignore_errors=True)


def grade(ws: Workspace, module: str, *, workers: int | None = None,
          learners: Iterable[str] | None = None, force: bool = False,
          cell_timeout: int = 15, sandbox: bool = True, limits: dict | None = None,
          on_result: Callable[[Outcome], None] | None = None, executor: str | None = None,
          wait: bool = False, on_message: Callable[[str], None] | None = None
          ) -> list[Outcome]:
    """Grade ``module`` for every (or the named) learner; return one outcome per learner.

    Already graded, unchanged submissions are skipped unless ``force``. Raises
    :class:`CourseError` for bad input (nothing graded), :class:`GradingStopped` when
    the run stops early (a signal, a full disk, an unwritable gradebook).
    """
    say = on_message or (lambda _msg: None)
    chosen = select_learners(ws, module, learners)
    executor, note = choose_executor(executor)
    if note:
        say(note)
    outcomes: dict[str, Outcome] = {}
    stopped: tuple[str, int] | None = None
    try:
        with _signals_as_exceptions():
            stopped = _grade_locked(ws, module, chosen, outcomes, force=force, wait=wait,
                                    workers=workers, say=say, on_result=on_result,
                                    options=GradeOptions(root=str(ws.root), module=module,
                                                         cell_timeout=cell_timeout,
                                                         sandbox=sandbox, limits=limits,
                                                         executor=executor))
    except _Signalled as sig:
        stopped = _stopped_by(sig)
    if stopped:
        rest = [Outcome(lr, module, "not graded") for lr in chosen if lr not in outcomes]
        raise GradingStopped(stopped[0], [outcomes[lr] for lr in chosen if lr in outcomes]
                             + rest, stopped[1])
    return [outcomes[lr] for lr in chosen]


def _grade_locked(ws: Workspace, module: str, chosen: list[str], outcomes: dict[str, Outcome],
                  *, force: bool, wait: bool, workers: int | None, say: Callable[[str], None],
                  on_result: Callable[[Outcome], None] | None, options: GradeOptions
                  ) -> tuple[str, int] | None:
    """The run under the workspace lock; fills ``outcomes``; returns why it stopped early."""
    from course.grading import gradebook
    from course.grading.runlock import RunDir, WorkspaceLock
    from course.grading.workers import WorkerInitFailed
    from course.grading.workspace import register_modules

    with WorkspaceLock.acquire(ws.root, module, wait=wait, on_wait=say) as lock:
        if lock.stale:
            say(f"cleared a stale grading lock (pid {lock.stale.get('pid', '?')}, "
                f"{lock.stale.get('module', '?')}: a run that was killed)")
        if not (ws.root / "release" / module).is_dir():
            register_modules(ws, [module])
        config = ws.config()
        db_url = _sqlite_timeout(str(config.CourseDirectory.db_url))
        course_id = str(config.CourseDirectory.course_id)
        gradebook.check(db_url, course_id, module)
        _cleanup_leftovers(ws.root)
        status_store.compact(ws.root, module)
        recorded = status_store.load(ws.root, module)
        todo: list[str] = []
        fingerprints: dict[str, str] = {}
        for learner in chosen:
            fp = status_store.fingerprint(ws.submitted / learner / module)
            old = recorded.get(learner)
            if not force and old and old.fingerprint == fp and _finished(old):
                outcomes[learner] = replace(old, status="skipped")
                if on_result:
                    on_result(outcomes[learner])
            else:
                todo.append(learner)
                fingerprints[learner] = fp
        if not todo:
            return None
        run = RunDir()
        options = replace(options, run_dir=str(run.path), db_url=db_url, course_id=course_id)
        count = max(1, min(workers or os.cpu_count() or 1, len(todo)))
        try:
            for outcome, fatal in _run(options, todo, count, [lock.fd]):
                outcome.fingerprint = fingerprints[outcome.learner]
                outcomes[outcome.learner] = outcome
                if not fatal:  # a failed one is tried again by the next run
                    try:
                        status_store.record(ws.root, module, outcome)
                    except OSError as exc:
                        outcome.status, outcome.cause = "failed", "grader"
                        outcome.problems.append(f"status not recorded: {exc.strerror}")
                        fatal = f"cannot record the grading status ({exc.strerror})"
                if on_result:
                    on_result(outcome)
                if fatal:
                    return (f"stopped: {fatal}; what was graded is kept, run again to grade "
                            "the rest", 1)
        except _Signalled as sig:
            return _stopped_by(sig)
        except WorkerInitFailed as exc:
            return f"grading workers could not start: {exc}", 1
        finally:
            run.remove()
            status_store.compact(ws.root, module)
    return None
