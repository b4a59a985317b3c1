"""A grading worker: one scratch course, one kernel template, one submission at a time.

Forked by :func:`course.grading.grade.grade` (see :mod:`course.grading.workers`). A
worker builds nbgrader's API once, against a scratch copy of the course of its own
(staged submissions, a scratch gradebook seeded with the module, nbgrader's output),
and grades one learner at a time (:func:`grade_submission`):

1. **stage** a sanitised copy of the submission and check it for tampering;
2. **autograde** it with nbgrader; notebooks run in a fresh sandboxed kernel each,
   forked from the worker's warm template (:mod:`course.grading.template`) or started
   as a new process (``executor="kernel"``);
3. **commit** (:func:`commit`): the autograded folder is copied into the workspace,
   the submission is recorded in the real gradebook in one transaction
   (:func:`course.grading.gradebook.held`) with prose answers re-scored by the grader
   itself (:mod:`course.grading.prose_scores`), then the new autograded folder replaces
   the old one. The grading process then appends the outcome to the status journal.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from course.grading.status import Outcome
from course.grading.workspace import Workspace

#: Where the commit step copies autograded folders before swapping them in.
INCOMING = Path(".wbcourse") / "incoming"


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



class _Fatal(Exception):
    """A grader-side condition that stops the whole run (full disk, unwritable gradebook)."""


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
    from course import paths
    from course.grading import sandbox, template

    home = tempfile.mkdtemp(prefix="template-", dir=run)
    sandbox.seed_font_cache(home)
    user = (sandbox.probe().user if options.sandbox else None) or os.environ.get("USER",
                                                                                 "grader")
    return template.Template(sandbox.kernel_env(home, user),
                             template.preload_modules(paths.solutions_dir() / options.module),
                             home)


def init_worker(options: GradeOptions) -> Callable[[], None]:
    """Build this worker's template, scratch course and nbgrader API; return its clean-up."""
    import warnings
    from functools import partial

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
        fastexec.start_pool(config, template=template, scratch_root=str(run),
                            make_template=partial(_start_template, options, run))
    except BaseException:
        if template is not None:
            template.close()
        raise
    return fastexec.stop_pool


def grade_in_worker(learner: str) -> tuple[Outcome, str | None]:
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
    score, max_score, prose_seconds, more = commit(api, options, learner, released, staged,
                                                    autograded, withheld)
    t_done = time.perf_counter()
    kernel, execute = fastexec.TIMES["kernel"], fastexec.TIMES["execute"]
    timings = {"stage": t_staged - t_start, "kernel": kernel, "execute": execute,
               "nbgrader": max(0.0, t_graded - t_staged - kernel - execute),
               "prose": prose_seconds, "commit": t_done - t_graded - prose_seconds}
    return Outcome(learner, module, "graded", score=score, max_score=max_score,
                   problems=problems + more,
                   timings={k: round(v, 4) for k, v in timings.items()})


def commit(api, options: GradeOptions, learner: str, released: list[Path], staged: Path,
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
