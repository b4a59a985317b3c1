"""Build the bundled sample cohorts from ``assets/samples/specs/<module>.toml``.

Each spec names sample learners, the answers each one gives (the model answer, the
blank release, or a replacement cell), and the band of autograded points the author
intends. Notebooks are built from the *released* exercise, so they are exactly what a
learner would submit, and written to ``assets/samples/<module>/<learner>/``.
``python -m course.samples`` (or ``wbcourse samples``) rebuilds them.
"""

from __future__ import annotations

from dataclasses import dataclass
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
                   learner: SampleLearner) -> nbformat.NotebookNode:
    """The notebook ``learner`` would submit, built from the released ``exercise``."""
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
    if unknown:
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
        for ex_path in sorted(exercise_dir.glob("*.ipynb")):
            exercise = nbformat.read(ex_path, as_version=4)
            solution = nbformat.read(paths.solutions_dir() / module / ex_path.name, as_version=4)
            for learner in learners:
                text = nbclean.dumps(build_notebook(exercise, solution, learner))
                target = root / module / learner.id / ex_path.name
                if target.exists() and target.read_text(encoding="utf-8") == text:
                    continue
                changed.append(str(target.relative_to(root)))
                if not check:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_text(text, encoding="utf-8")
    return changed


def sample_dirs(module: str) -> dict[str, Path]:
    """The built sample submissions of ``module``, by learner id."""
    base = samples_dir() / module
    return {lr.id: base / lr.id for lr in load_spec(module) if (base / lr.id).is_dir()}


if __name__ == "__main__":
    print("\n".join(build_samples()) or "samples up to date")
