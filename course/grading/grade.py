"""``wbcourse grade``: autograde every submission of a module, in parallel, safely.

One run per workspace (:mod:`course.grading.runlock`). The grading process forks a few
workers (:mod:`course.grading.workers`); each builds nbgrader's API once, against a
scratch copy of the course of its own (staged submissions, a scratch gradebook,
nbgrader's output), and grades one learner at a time:

1. **stage** a sanitised copy of the submission and check it for tampering;
2. **autograde** it with nbgrader; notebooks run in a fresh sandboxed kernel each,
   forked from the worker's warm template (:mod:`course.grading.template`) or started
   as a new process (``executor="kernel"``);
3. **commit**: the autograded folder is copied into the workspace, the submission is
   recorded in the real gradebook in one transaction (:func:`course.grading.gradebook.held`)
   with prose answers re-scored by the grader itself (:mod:`course.grading.prose_scores`),
   the new autograded folder replaces the old one, and the grading process appends the
   outcome to the status journal (:mod:`course.grading.status`).

A kill at any moment leaves every submission either completely recorded or as it was,
and the next run (without ``force``) grades exactly those not recorded as finished.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from course.errors import CourseError
from course.grading import status as status_store
from course.grading.status import Outcome
from course.grading.workspace import Workspace

#: Where the commit step copies autograded folders before swapping them in.
INCOMING = Path(".wbcourse") / "incoming"
#: Left by versions that staged submissions inside the workspace.
OLD_STAGING = Path(".wbcourse") / "staging"
EXECUTORS = ("fork", "kernel")


@dataclass(frozen=True)
class GradeOptions:
    """Settings shared by every worker of one ``grade`` run."""

    root: str
    module: str
    cell_timeout: int = 15
    sandbox: bool = True
    limits: dict | None = None
    executor: str = "kernel"
    run_dir: str = ""
    db_url: str = ""
    course_id: str = ""


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


class _Fatal(Exception):
    """A grader-side condition that stops the whole run (full disk, unwritable gradebook)."""


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


# --------------------------------------------------------------------------- the worker

_WORKER: dict = {}


def build_config(options: GradeOptions, scratch: Path):
    """nbgrader config of a worker: the workspace's, pointed at the worker's scratch course."""
    from course.grading.fastexec import execute_preprocessors

    ws = Workspace(Path(options.root))
    config = ws.config()
    config.CourseDirectory.root = str(scratch)
    config.CourseDirectory.db_url = f"sqlite:///{scratch / 'gradebook.db'}"
    config.CourseDirectory.submitted_directory = "submitted"
    config.CourseDirectory.autograded_directory = "autograded"
    config.Application.log_level = "WARN"
    config.OverwriteCells.add_missing_cells = True
    config.Execute.timeout = options.cell_timeout
    config.Execute.shutdown_kernel = "immediate"
    # Recording grades (SaveAutoGrades, AssignLatePenalties) happens once, in the real
    # gradebook, at commit time (course.grading.gradebook).
    config.Autograde.autograde_preprocessors = [
        "nbgrader.preprocessors.Execute",
        "nbgrader.preprocessors.IgnorePattern",
        "nbconvert.preprocessors.ClearMetadataPreprocessor",
        "nbgrader.preprocessors.LimitOutput",
        "nbgrader.preprocessors.CheckCellMetadata",
    ]
    config.Autograde.autograde_preprocessors = execute_preprocessors(config, ws, options)
    return config


def _start_template(options: GradeOptions, run: Path):
    """Start this worker's kernel template (it imports while nbgrader loads here)."""
    from course.grading import sandbox, template

    home = tempfile.mkdtemp(prefix="template-", dir=run)
    sandbox.seed_font_cache(home)
    user = (sandbox.probe().user if options.sandbox else None) or os.environ.get("USER",
                                                                                 "grader")
    release = Path(options.root) / "release" / options.module
    return template.Template(sandbox.kernel_env(home, user),
                             template.preload_modules(release), home)


def _init_worker(options: GradeOptions) -> Callable[[], None]:
    """Build this worker's template, scratch course and nbgrader API; return its clean-up."""
    import warnings

    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning)  # nbgrader's autoflush noise
    run = Path(options.run_dir)
    template = _start_template(options, run) if options.executor == "fork" else None
    try:
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory

        from course import paths
        from course.grading import fastexec, gradebook, nbgrader_tuning, prose_scores

        nbgrader_tuning.tune()
        scratch = Path(tempfile.mkdtemp(prefix="worker-", dir=run))
        config = build_config(options, scratch)
        gradebook.seed_scratch(options.db_url, str(config.CourseDirectory.db_url),
                               options.module, options.course_id)
        coursedir = CourseDirectory(config=config)
        _WORKER.update(api=NbGraderAPI(coursedir=coursedir, config=config), scratch=scratch,
                       options=options,
                       prose=prose_scores.specs_for(paths.solutions_dir() / options.module))
        if template is not None:
            template.wait_ready()
        fastexec.start_pool(config, template=template, scratch_root=str(run))
    except BaseException:
        if template is not None:
            template.close()
        raise
    return fastexec.stop_pool


def _grade_in_worker(learner: str) -> tuple[Outcome, str | None]:
    """Grade one learner in this worker: (outcome, reason to stop the run or None)."""
    options: GradeOptions = _WORKER["options"]
    started = time.perf_counter()
    fatal = None
    try:
        outcome = grade_submission(_WORKER["api"], options, learner)
    except _Fatal as exc:
        fatal = str(exc)
        outcome = Outcome(learner, options.module, "failed", problems=[fatal], cause="grader")
    except Exception as exc:  # one submission must never stop the batch
        outcome = Outcome(learner, options.module, "failed", cause="grader",
                          problems=[f"grader error: {type(exc).__name__}: {exc}"[:300]])
    finally:
        with contextlib.suppress(Exception):
            from course.grading import gradebook

            gradebook.forget(str(_WORKER["api"].coursedir.db_url), options.module, learner,
                             options.course_id)
    outcome.seconds = round(time.perf_counter() - started, 2)
    return outcome, fatal


def grade_submission(api, options: GradeOptions, learner: str) -> Outcome:
    """Stage, autograde, commit (gradebook + autograded folder) one learner's submission."""
    import nbformat

    from course.grading import fastexec, staging, tamper

    root, module = Path(options.root), options.module
    scratch = Path(api.coursedir.root)
    staged = scratch / "submitted" / learner / module
    autograded = scratch / "autograded" / learner / module
    shutil.rmtree(scratch / "autograded" / learner, ignore_errors=True)
    t_start = time.perf_counter()
    problems = staging.stage(root / "submitted" / learner / module, staged)
    released = sorted((root / "release" / module).glob("*.ipynb"))
    withheld: list[tuple[str, nbformat.NotebookNode]] = []  # (name, released) tests held
    present = 0
    for nb_path in released:
        mine = staged / nb_path.name
        if not mine.exists():
            if not any(p.startswith(nb_path.name) for p in problems):
                others = sorted(p.name[:60] for p in staged.glob("*.ipynb"))[:3]
                hint = (f" (found {', '.join(others)}; notebooks must keep their released name)"
                        if others else "")
                problems.append(f"{nb_path.name}: notebook missing from the submission{hint}")
            continue
        present += 1
        ours, theirs = nbformat.read(nb_path, as_version=4), nbformat.read(mine, as_version=4)
        problems += tamper.tampering(ours, theirs)
        flags, withhold = tamper.review_flags(ours, theirs)
        problems += flags
        if withhold:
            withheld.append((nb_path.stem, ours))
        # Graded cells exactly as released (nbgrader gives up on some edits otherwise).
        nbformat.write(tamper.restore(ours, theirs), mine)
    t_staged = time.perf_counter()
    fastexec.reset_times()
    if released and not present:
        return Outcome(learner, module, "failed", problems=problems, cause="submission")
    result = api.autograde(module, learner, force=True, create=True)
    if not result["success"] and _kernel_died(result):
        # A kernel can die for reasons outside the notebook (a busy machine): one more
        # run on a fresh kernel; a notebook that kills its kernel does so again.
        result = api.autograde(module, learner, force=True, create=True)
        if result["success"]:
            problems.append("the kernel died during the first run, not again on a fresh "
                            "kernel: graded from the second run")
    if not result["success"]:
        if _kernel_died(result):
            return Outcome(learner, module, "failed", cause="submission", problems=[
                *problems, "the notebook's kernel died while it ran, on two fresh kernels "
                "(os._exit, a crash or running out of memory), so nothing could be graded"])
        lines = _log(result).strip().splitlines()
        return Outcome(learner, module, "failed", cause="grader", problems=[
            *problems, "nbgrader could not grade it: " + (lines[-1] if lines else "unknown error")])
    t_graded = time.perf_counter()
    problems += _execution_problems(autograded)
    score, max_score, prose_seconds, more = _commit(api, options, learner, released, staged,
                                                    autograded, withheld)
    t_done = time.perf_counter()
    kernel, execute = fastexec.TIMES["kernel"], fastexec.TIMES["execute"]
    timings = {"stage": t_staged - t_start, "kernel": kernel, "execute": execute,
               "nbgrader": max(0.0, t_graded - t_staged - kernel - execute),
               "prose": prose_seconds, "commit": t_done - t_graded - prose_seconds}
    return Outcome(learner, module, "graded", score=score, max_score=max_score,
                   problems=problems + more,
                   timings={k: round(v, 4) for k, v in timings.items()})


def _commit(api, options: GradeOptions, learner: str, released: list[Path], staged: Path,
            autograded: Path, withheld: list) -> tuple[float, float, float, list[str]]:
    """Record the submission: gradebook in one transaction, then the autograded folder.

    Returns (score, max score, seconds spent re-scoring prose, problems found).
    Raises :class:`_Fatal` when the disk is full or the gradebook cannot be written.
    """
    from course.grading import gradebook

    root, module = Path(options.root), options.module
    incoming = root / INCOMING / f"{learner}.{module}.{secrets.token_hex(4)}"
    try:
        incoming.parent.mkdir(parents=True, exist_ok=True)
        if autograded.is_dir():
            shutil.copytree(autograded, incoming, symlinks=True)
        else:
            incoming.mkdir()
        with gradebook.held(options.db_url, options.course_id) as gb:
            _record_with_nbgrader(api, gb, module, learner, released, staged, autograded)
            started = time.perf_counter()
            problems = _rescore_prose(gb, options, learner, staged)
            prose_seconds = time.perf_counter() - started
            _withhold_tests(gb, options, learner, withheld)
            submission = gb.find_submission(module, learner)
            score, max_score = float(submission.score), float(submission.max_score)
        _swap_in(incoming, root / "autograded" / learner / module)
    except Exception as exc:
        shutil.rmtree(incoming, ignore_errors=True)
        if gradebook.is_full_or_readonly(exc):
            raise _Fatal("cannot record results: "
                         + gradebook.full_or_readonly_reason(exc)) from exc
        raise
    return score, max_score, prose_seconds, problems


def _record_with_nbgrader(api, gb, module: str, learner: str, released: list[Path],
                          staged: Path, autograded: Path) -> None:
    """nbgrader's own recording steps, run against the held gradebook ``gb``.

    ``Autograde.init_assignment`` creates the student and the submission (with its
    timestamp) and scores missing notebooks 0; ``SaveAutoGrades`` and
    ``AssignLatePenalties`` record each autograded notebook.
    """
    import nbformat
    from nbgrader.apps.api import temp_attrs
    from nbgrader.converters.autograde import Autograde
    from nbgrader.preprocessors import AssignLatePenalties, SaveAutoGrades

    with temp_attrs(api.coursedir, assignment_id=module, student_id=learner):
        app = Autograde(coursedir=api.coursedir, parent=api)
        app.notebooks = [str(staged / p.name) for p in released]
        app.init_assignment(module, learner)
        for nb_path in sorted(autograded.glob("*.ipynb")):
            nb = nbformat.read(nb_path, as_version=4)
            resources = {"nbgrader": {"notebook": nb_path.stem, "assignment": module,
                                      "student": learner, "db_url": gb.engine.url}}
            for step in (SaveAutoGrades, AssignLatePenalties):
                nb, resources = step(parent=app).preprocess(nb, resources)


def _swap_in(incoming: Path, dest: Path) -> None:
    """Put the new autograded folder in place of the old one (two renames)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    old = incoming.with_name(incoming.name + ".old")
    if dest.exists() or dest.is_symlink():
        os.rename(dest, old)
    os.rename(incoming, dest)
    shutil.rmtree(old, ignore_errors=True)


def _log(result: dict) -> str:
    """The error and log text of an nbgrader autograde result."""
    return f"{result.get('error') or ''}\n{result.get('log') or ''}"


def _kernel_died(result: dict) -> bool:
    """Did an nbgrader autograde result fail because the notebook's kernel died?"""
    log = _log(result)
    return "DeadKernelError" in log or "Kernel died" in log


def _withhold_tests(gb, options: GradeOptions, learner: str,
                    notebooks: list[tuple[str, object]]) -> None:
    """Score 0 for the autograded tests of notebooks whose code tampers with the kernel.

    Prose checks keep the grader's own score (it never depends on the kernel). An
    instructor who finds the code harmless restores points with a manual score.
    """
    prose = {(s.notebook, s.test_id) for s in _WORKER.get("prose", [])}
    for name, nb in notebooks:
        for cell in nb.cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if (cell.cell_type == "code" and meta.get("grade") and not meta.get("solution")
                    and (name, meta.get("grade_id")) not in prose):
                gb.find_grade(meta["grade_id"], name, options.module, learner).auto_score = 0.0


def _rescore_prose(gb, options: GradeOptions, learner: str, staged: Path) -> list[str]:
    """Replace kernel-reported prose scores with the grader's own; report disagreements."""
    import nbformat

    from course.grading import prose_scores

    problems: list[str] = []
    for spec in _WORKER.get("prose", []):
        nb_path = staged / f"{spec.notebook}.ipynb"
        if nb_path.exists():
            points, problem = prose_scores.recompute(spec, nbformat.read(nb_path, as_version=4))
        else:
            points, problem = 0.0, None
        if problem:
            problems.append(problem)
        grade = gb.find_grade(spec.test_id, spec.notebook, options.module, learner)
        before = grade.auto_score
        grade.auto_score = points
        if before is not None and abs(float(before) - points) > 1e-9:
            problems.append(
                f"{spec.test_id}: the learner's kernel reported {float(before):g} points, "
                f"the grader computed {points:g} from the submitted text (kept {points:g})"
            )
    return problems


def _execution_problems(folder: Path) -> list[str]:
    """Timeouts, dead kernels and failed completion checks in the autograded notebooks."""
    import nbformat

    from course.grading.fastexec import INCOMPLETE_ERROR

    problems: list[str] = []
    for nb_path in sorted(folder.glob("*.ipynb")):
        nb = nbformat.read(nb_path, as_version=4)
        for index, cell in enumerate(nb.cells):
            for output in cell.get("outputs", []):
                if output.get("output_type") != "error":
                    continue
                name = output.get("ename", "")
                grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
                where = grade_id or f"cell {index}"
                if name == "CellTimeoutError":
                    problems.append(f"{where}: stopped after the cell time limit")
                elif name in ("DeadKernelError", "DeadKernel"):
                    problems.append(f"{where}: the kernel died while running this cell")
                elif name == INCOMPLETE_ERROR:
                    problems.append(f"{where}: the tests did not run to the end although the "
                                    "kernel reported success (the notebook changes how cells "
                                    "run); its result was not trusted")
    return problems


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
    pool = WorkerPool(workers, partial(_init_worker, options), _grade_in_worker,
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
