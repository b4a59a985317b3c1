"""``wbcourse grade``: autograde every submission of a module, in parallel.

Each worker process builds nbgrader's API once and grades many learners, so nbgrader's
start-up is paid once per worker, not once per learner. Every submission still runs in a
fresh kernel of its own (see :mod:`course.grading.fastexec`). After nbgrader has graded a
submission, prose answers are re-scored in the worker's own process
(:mod:`course.grading.prose_scores`) and that score is what the gradebook keeps.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from course.errors import CourseError
from course.grading import status as status_store
from course.grading.status import Outcome
from course.grading.workspace import Workspace

STAGING = Path(".wbcourse") / "staging"


@dataclass(frozen=True)
class GradeOptions:
    """Settings shared by every worker of one ``grade`` run."""

    root: str
    module: str
    cell_timeout: int = 15
    sandbox: bool = True
    limits: dict | None = None


_WORKER: dict = {}


def _sqlite_timeout(db_url: str) -> str:
    """Let SQLite writers wait for each other instead of failing with 'database is locked'."""
    if db_url.startswith("sqlite:") and "?" not in db_url:
        return db_url + "?timeout=60"
    return db_url


def build_config(options: GradeOptions):
    """nbgrader config for grading: the workspace's own, plus the fast executor."""
    from course.grading.workspace import Workspace

    ws = Workspace(Path(options.root))
    config = ws.config()
    config.CourseDirectory.db_url = _sqlite_timeout(str(config.CourseDirectory.db_url))
    config.CourseDirectory.submitted_directory = str(STAGING)
    config.Application.log_level = "WARN"
    config.OverwriteCells.add_missing_cells = True
    config.Execute.timeout = options.cell_timeout
    config.Execute.shutdown_kernel = "immediate"
    config.Autograde.autograde_preprocessors = [
        "nbgrader.preprocessors.Execute",
        "nbgrader.preprocessors.IgnorePattern",
        "nbconvert.preprocessors.ClearMetadataPreprocessor",
        "nbgrader.preprocessors.LimitOutput",
        "nbgrader.preprocessors.SaveAutoGrades",
        "nbgrader.preprocessors.AssignLatePenalties",
        "nbgrader.preprocessors.CheckCellMetadata",
    ]
    from course.grading.fastexec import execute_preprocessors

    config.Autograde.autograde_preprocessors = execute_preprocessors(config, ws, options)
    return config


def _init_worker(options: GradeOptions) -> None:
    import warnings

    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning)  # nbgrader's autoflush noise
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    config = build_config(options)
    coursedir = CourseDirectory(config=config)
    _WORKER["api"] = NbGraderAPI(coursedir=coursedir, config=config)
    _WORKER["options"] = options
    from multiprocessing import util

    from course.grading import fastexec

    fastexec.start_pool(config)
    # Pool workers leave through os._exit (no atexit): shut the spare kernel down here.
    util.Finalize(None, fastexec.stop_pool, exitpriority=10)


def _grade_in_worker(learner: str) -> Outcome:
    options: GradeOptions = _WORKER["options"]
    started = time.perf_counter()
    try:
        outcome = grade_submission(_WORKER["api"], options, learner)
    except Exception as exc:  # one submission must never stop the batch
        outcome = Outcome(learner, options.module, "failed",
                          problems=[f"grader error: {type(exc).__name__}: {exc}"[:300]])
    outcome.seconds = round(time.perf_counter() - started, 2)
    return outcome


def grade_submission(api, options: GradeOptions, learner: str) -> Outcome:
    """Stage, autograde, re-score prose and collect the result for one learner."""
    import nbformat

    from course.grading import prose_scores, staging, tamper
    from course.grading.scores import submission_scores

    root, module = Path(options.root), options.module
    source = root / "submitted" / learner / module
    staged = root / STAGING / learner / module
    problems = staging.stage(source, staged)
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
    if released and not present:
        return Outcome(learner, module, "failed", problems=problems)
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
            problems.append("the notebook's kernel died while it ran, on two fresh kernels "
                            "(os._exit, a crash or running out of memory), so nothing could "
                            "be graded")
        else:
            lines = _log(result).strip().splitlines()
            problems.append("nbgrader could not grade it: "
                            + (lines[-1] if lines else "unknown error"))
        return Outcome(learner, module, "failed", problems=problems)
    problems += _rescore_prose(api, options, learner, staged, prose_scores)
    problems += _execution_problems(root / "autograded" / learner / module)
    _withhold_tests(api, options, learner, withheld, prose_scores)
    score, max_score, _ = submission_scores(api.coursedir.db_url, module, learner)
    return Outcome(learner, module, "graded", score=score, max_score=max_score, problems=problems)


def _log(result: dict) -> str:
    """The error and log text of an nbgrader autograde result."""
    return f"{result.get('error') or ''}\n{result.get('log') or ''}"


def _kernel_died(result: dict) -> bool:
    """Did an nbgrader autograde result fail because the notebook's kernel died?"""
    log = _log(result)
    return "DeadKernelError" in log or "Kernel died" in log


def _withhold_tests(api, options: GradeOptions, learner: str,
                    notebooks: list[tuple[str, object]], prose_scores) -> None:
    """Score 0 for the autograded tests of notebooks whose code tampers with the kernel.

    Prose checks keep the grader's own score (it never depends on the kernel). An
    instructor who finds the code harmless restores points with a manual score.
    """
    from course import paths
    from course.grading.scores import set_auto_score

    if not notebooks:
        return
    prose = {(s.notebook, s.test_id) for s in
             prose_scores.specs_for(paths.solutions_dir() / options.module)}
    for name, nb in notebooks:
        for cell in nb.cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if (cell.cell_type == "code" and meta.get("grade") and not meta.get("solution")
                    and (name, meta.get("grade_id")) not in prose):
                set_auto_score(api.coursedir.db_url, options.module, learner, name,
                               meta["grade_id"], 0.0)


def _rescore_prose(api, options: GradeOptions, learner: str, staged: Path, prose_scores
                   ) -> list[str]:
    """Replace kernel-reported prose scores with the grader's own; report disagreements."""
    import nbformat

    from course import paths
    from course.grading.scores import set_auto_score

    problems: list[str] = []
    specs = prose_scores.specs_for(paths.solutions_dir() / options.module)
    db_url = api.coursedir.db_url
    for spec in specs:
        nb_path = staged / f"{spec.notebook}.ipynb"
        if nb_path.exists():
            points, problem = prose_scores.recompute(spec, nbformat.read(nb_path, as_version=4))
        else:
            points, problem = 0.0, None
        if problem:
            problems.append(problem)
        before = set_auto_score(db_url, options.module, learner, spec.notebook, spec.test_id,
                                points)
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


def select_learners(ws: Workspace, module: str, wanted: Iterable[str] | None) -> list[str]:
    """Learners to grade: all with a submission, or the named ones (which must exist)."""
    available = ws.learners(module)
    if not wanted:
        return available
    missing = [w for w in wanted if w not in available]
    if missing:
        raise CourseError(f"no submission of {module} for: {', '.join(missing)}")
    return list(dict.fromkeys(wanted))


def grade(ws: Workspace, module: str, *, workers: int | None = None,
          learners: Iterable[str] | None = None, force: bool = False,
          cell_timeout: int = 15, sandbox: bool = True, limits: dict | None = None,
          on_result: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Grade ``module`` for every (or the named) learner; return one outcome per learner.

    Already graded, unchanged submissions are skipped unless ``force``.
    """
    from course.grading.workspace import register_modules

    chosen = select_learners(ws, module, learners)
    if not (ws.root / "release" / module).is_dir():
        register_modules(ws, [module])
    recorded = status_store.load(ws.root, module)
    outcomes: dict[str, Outcome] = {}
    todo: list[str] = []
    for learner in chosen:
        fp = status_store.fingerprint(ws.submitted / learner / module)
        old = recorded.get(learner)
        if not force and old and old.status == "graded" and old.fingerprint == fp:
            outcomes[learner] = Outcome(**{**old.to_dict(), "status": "skipped"})
            if on_result:
                on_result(outcomes[learner])
        else:
            todo.append(learner)
    fingerprints = {lr: status_store.fingerprint(ws.submitted / lr / module) for lr in todo}
    options = GradeOptions(root=str(ws.root), module=module, cell_timeout=cell_timeout,
                           sandbox=sandbox, limits=limits)
    workers = max(1, min(workers or os.cpu_count() or 1, len(todo) or 1))
    for outcome in _run(options, todo, workers):
        outcome.fingerprint = fingerprints[outcome.learner]
        outcomes[outcome.learner] = outcome
        recorded[outcome.learner] = outcome
        status_store.save(ws.root, module, recorded)
        if on_result:
            on_result(outcome)
    return [outcomes[lr] for lr in chosen]


def _run(options: GradeOptions, learners: list[str], workers: int):
    """Yield outcomes as workers finish them; a crashed worker fails only its learner."""
    if not learners:
        return
    if workers == 1:
        _init_worker(options)
        try:
            for learner in learners:
                yield _grade_in_worker(learner)
        finally:
            from course.grading import fastexec

            fastexec.stop_pool()
        return
    context = multiprocessing.get_context("fork")
    pending = list(learners)
    while pending:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                 initializer=_init_worker, initargs=(options,)) as pool:
            futures = {pool.submit(_grade_in_worker, lr): lr for lr in pending}
            pending = []
            broken = False
            for future in as_completed(futures):
                learner = futures[future]
                try:
                    yield future.result()
                except Exception as exc:  # BrokenProcessPool and friends
                    if broken:
                        pending.append(learner)
                        continue
                    broken = True
                    yield Outcome(learner, options.module, "failed",
                                  problems=[f"grader worker crashed: {type(exc).__name__}"])
