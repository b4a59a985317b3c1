"""Build the bundled sample cohorts from ``assets/samples/specs/<module>.toml``.

Each spec names sample learners, the answers each one gives (the model answer, the
blank release, or a replacement cell), and the band of autograded points the author
intends. Notebooks are built from the *released* exercise, so they are exactly what a
learner would submit, and written to ``assets/samples/<module>/<learner>/`` (one file per
notebook of the module). ``python -m course.samples`` (or ``wbcourse samples``) rebuilds
them.

A learner may also carry the instructor's rubric grading of written answers
(``[learner.rubric] q08_own_project = ["baseline"]``: the criteria missed).
:func:`apply_rubric_grades` writes those grades into a graded workspace the way the
formgrader would (score = the answer's points minus the missed criteria's points, and a
``missed: ...`` comment), so the demo's feedback pages and reports show graded rubric
answers too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import tomllib

from course import nbclean, paths
from course.errors import CourseError

_DELIMITERS = ("### BEGIN SOLUTION", "### END SOLUTION")


@dataclass(frozen=True)
class SampleLearner:
    """One sample learner of a module's cohort."""

    id: str
    band: tuple[float, float]
    note: str
    default: str
    answers: dict[str, str]
    rubric: dict[str, list[str]] = field(default_factory=dict)


def samples_dir() -> Path:
    """The sample cohorts: instructor-only, so they live in the course source alone."""
    return paths.source_assets_dir() / "samples"


def specs_dir() -> Path:
    return samples_dir() / "specs"


def load_spec(module: str) -> list[SampleLearner]:
    """The sample learners of ``module`` (empty if the module has no spec)."""
    path = specs_dir() / f"{module}.toml"
    if not path.exists():
        return []
    with path.open("rb") as fh:
        raw = tomllib.load(fh)
    learners = []
    for item in raw.get("learner", []):
        low, high = item["band"]
        learners.append(SampleLearner(
            id=item["id"], band=(float(low), float(high)), note=item.get("note", ""),
            default=item.get("default", "solution"), answers=dict(item.get("answers", {})),
            rubric={k: list(v) for k, v in item.get("rubric", {}).items()},
        ))
    return learners


def strip_delimiters(source: str) -> str:
    """Remove nbgrader's solution delimiter lines, as a learner's own answer would read.

    >>> strip_delimiters("x = 1\\n    ### BEGIN SOLUTION\\n    return 2\\n    ### END SOLUTION")
    'x = 1\\n    return 2'
    """
    lines = [ln for ln in source.split("\n") if ln.strip() not in _DELIMITERS]
    return "\n".join(lines)


def _answer_cells(nb: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    cells = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and meta.get("grade_id"):
            cells[meta["grade_id"]] = cell
    return cells


def build_notebook(exercise: nbformat.NotebookNode, solution: nbformat.NotebookNode,
                   learner: SampleLearner, *, strict: bool = True) -> nbformat.NotebookNode:
    """The notebook ``learner`` would submit, built from the released ``exercise``.

    With ``strict`` an answer the spec gives for a cell this notebook lacks is an error;
    a module of several notebooks checks that across all of them instead.
    """
    nb = nbformat.from_dict(exercise)
    model = _answer_cells(solution)
    for grade_id, cell in _answer_cells(nb).items():
        choice = learner.answers.get(grade_id, learner.default)
        if choice == "blank":
            continue
        if choice == "solution":
            if grade_id not in model:
                raise CourseError(f"{learner.id}: no model answer for {grade_id}")
            cell.source = strip_delimiters(model[grade_id].source)
        else:
            cell.source = choice.strip("\n")
    unknown = set(learner.answers) - set(_answer_cells(nb))
    if strict and unknown:
        raise CourseError(f"sample {learner.id}: no answer cell named {', '.join(sorted(unknown))}")
    return nbclean.clean(nb)


def build_samples(modules: list[str] | None = None, check: bool = False) -> list[str]:
    """Write (or with ``check`` only compare) every sample notebook; return changed paths."""
    root = samples_dir()
    if modules is None:
        modules = sorted(p.stem for p in specs_dir().glob("*.toml")) if specs_dir().exists() else []
    changed: list[str] = []
    for module in modules:
        learners = load_spec(module)
        exercise_dir = paths.course_root() / "exercises" / module
        released = {p: nbformat.read(p, as_version=4) for p in sorted(exercise_dir.glob("*.ipynb"))}
        cells = {gid for nb in released.values() for gid in _answer_cells(nb)}
        for learner in learners:
            unknown = set(learner.answers) - cells
            if unknown:
                raise CourseError(f"sample {learner.id} of {module}: no answer cell named "
                                  f"{', '.join(sorted(unknown))}")
            _check_rubric(module, learner)
        for ex_path, exercise in released.items():
            solution = nbformat.read(paths.solutions_dir() / module / ex_path.name, as_version=4)
            for learner in learners:
                text = nbclean.dumps(build_notebook(exercise, solution, learner, strict=False))
                target = root / module / learner.id / ex_path.name
                if target.exists() and target.read_text(encoding="utf-8") == text:
                    continue
                changed.append(str(target.relative_to(root)))
                if not check:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_text(text, encoding="utf-8")
    return changed


def _check_rubric(module: str, learner: SampleLearner) -> None:
    if not learner.rubric:
        return
    from course.grading.feedback import load_rubric

    rubric = load_rubric(module)
    for grade_id, missed in learner.rubric.items():
        if grade_id not in rubric:
            raise CourseError(f"sample {learner.id} of {module}: no rubric answer {grade_id}")
        unknown = set(missed) - {c.id for c in rubric[grade_id].criteria}
        if unknown:
            raise CourseError(f"sample {learner.id} of {module}: {grade_id} has no criterion "
                              f"{', '.join(sorted(unknown))}")


def rubric_score(module: str, grade_id: str, missed: list[str]) -> float:
    """Points an answer earns when it misses the rubric criteria ``missed``.

    >>> rubric_score("08-cross-team-impact", "q08_own_project", [])
    4.0
    >>> rubric_score("08-cross-team-impact", "q08_own_project", ["credit", "causes"])
    2.0
    """
    from course.grading.feedback import load_rubric

    answer = load_rubric(module)[grade_id]
    return answer.points - sum(c.points for c in answer.criteria if c.id in missed)


def apply_rubric_grades(ws, module: str) -> int:
    """Grade the sample learners' rubric answers in ``ws`` as their spec says; return how many.

    Uses nbgrader's gradebook API, as the formgrader does: each answer gets its score and
    a ``missed: a, b`` comment (or ``Meets every criterion.``). Learners not graded yet
    are skipped.
    """
    from nbgrader.api import Gradebook, MissingEntry

    notebooks = {}
    for path in sorted((paths.exercises_dir() / module).glob("*.ipynb")):
        for gid in _answer_cells(nbformat.read(path, as_version=4)):
            notebooks[gid] = path.stem
    done = 0
    with Gradebook(ws.db_url) as gb:
        for learner in load_spec(module):
            for grade_id, missed in learner.rubric.items():
                try:
                    grade = gb.find_grade(grade_id, notebooks[grade_id], module, learner.id)
                    note = gb.find_comment(grade_id, notebooks[grade_id], module, learner.id)
                except (MissingEntry, KeyError):
                    continue
                grade.manual_score = rubric_score(module, grade_id, missed)
                note.manual_comment = (f"missed: {', '.join(missed)}" if missed
                                       else "Meets every criterion.")
                done += 1
        gb.db.commit()
    return done


def sample_dirs(module: str) -> dict[str, Path]:
    """The built sample submissions of ``module``, by learner id."""
    base = samples_dir() / module
    return {lr.id: base / lr.id for lr in load_spec(module) if (base / lr.id).is_dir()}


if __name__ == "__main__":
    print("\n".join(build_samples()) or "samples up to date")
