"""Which course modules the browser scenarios drive, and learner notebooks made from them.

The scenarios prefer the real course (the flagship ``08-cross-team-impact``, a module
with plots such as ``04-input-metrics``). Where a scenario can run on any graded
notebook (validate, persistence, formgrader) and the real module is not released yet,
it falls back to the one-module fixture course in ``tests/fixtures/mini-course``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
MINI = REPO / "tests" / "fixtures" / "mini-course"
FLAGSHIP = "08-cross-team-impact"
PLOT_MODULES = ("04-input-metrics", "05-launch-readiness")
_SCRIPT = Path(sys.executable).parent / "wbcourse"
#: the learner's own command (the venv's console script), else the module behind it
WBCOURSE = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "course.cli"]
PLACEHOLDER = "Replace this line with your answer."
#: a work summary that earns full marks from the ``summary`` prose checks (one line)
STRONG_SUMMARY = (
    "Across our org, launch-week incidents caused by integration bugs fell from 7 in the "
    "second half of 2023 to 1 in the first half of 2024. Before the offers service launched "
    "in September 2023, I ran dry runs with 4 partner teams; they found 14 integration bugs. "
    "In October 2023 I built a dry-run kit from our replay scripts: a command-line tool, a "
    "checklist and a one-page guide. Since January 2024 the org launch-readiness review has "
    "required a dry run with the kit. By June 2024, 5 other teams had adopted it for 11 "
    "launches. I review every kit report at the monthly launch review, and those reviews "
    "have led to 3 improvements to the kit.")


@dataclass(frozen=True)
class Module:
    """A released module of a course checkout (the real one or the fixture)."""

    course_root: Path
    id: str
    notebook: str

    @property
    def exercise(self) -> Path:
        """The released (learner) notebook."""
        return self.course_root / "exercises" / self.id / self.notebook

    @property
    def solution(self) -> Path:
        """The instructor master notebook it was generated from."""
        return self.course_root / "solutions" / self.id / self.notebook

    @property
    def is_fixture(self) -> bool:
        """True for the mini-course stand-in."""
        return self.course_root == MINI

    @property
    def env(self) -> dict[str, str]:
        """Environment for ``wbcourse`` commands that should see this module's course."""
        return {"WBCOURSE_ROOT": str(self.course_root)} if self.is_fixture else {}

    def cells(self) -> list[dict[str, Any]]:
        """The released notebook's cells (JSON)."""
        return json.loads(self.exercise.read_text(encoding="utf-8"))["cells"]


def _released(course_root: Path, module_id: str) -> Module | None:
    folder = course_root / "exercises" / module_id
    notebooks = sorted(folder.glob("*.ipynb"))
    if not notebooks or not (course_root / "solutions" / module_id / notebooks[0].name).exists():
        return None
    return Module(course_root, module_id, notebooks[0].name)


def flagship() -> Module | None:
    """The flagship module if it is released, else ``None``.

    ``WBCOURSE_BROWSER_FIXTURE=1`` pretends it is not, to exercise the mini-course fallback.
    """
    if os.environ.get("WBCOURSE_BROWSER_FIXTURE") == "1":
        return None
    return _released(REPO, FLAGSHIP)


def graded_module() -> Module:
    """The flagship if released, else the mini-course's only module."""
    found = flagship() or _released(MINI, "01-mini")
    assert found is not None, f"neither {FLAGSHIP} nor the mini-course fixture is released"
    return found


def plot_module() -> Module | None:
    """A released module whose notebook draws matplotlib plots (preferred ones first)."""
    released = REPO / "exercises"
    others = sorted(p.name for p in released.iterdir() if p.is_dir()) if released.is_dir() else []
    candidates = [*PLOT_MODULES, *others]
    for module_id in candidates:
        module = _released(REPO, module_id)
        if module and any("%matplotlib inline" in _source(c) for c in module.cells()):
            return module
    return None


def _source(cell: dict[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


@dataclass(frozen=True)
class ProseAnswer:
    """Where a prose answer and its live feedback panel sit in a notebook (cell indices)."""

    answer_index: int
    panel_index: int
    variable: str
    kind: str


def prose_answer(module: Module) -> ProseAnswer | None:
    """The first prose answer that has a ``review_panel(<variable>, ...)`` cell after it."""
    cells = module.cells()
    checks = {}
    for cell in cells:
        prose = cell.get("metadata", {}).get("wbcourse", {}).get("prose")
        if prose:
            checks[prose["answer"]] = prose
    for i, cell in enumerate(cells):
        meta = cell.get("metadata", {})
        grade_id = meta.get("nbgrader", {}).get("grade_id")
        if meta.get("wbcourse", {}).get("answer") != "prose" or grade_id not in checks:
            continue
        variable, kind = checks[grade_id]["variable"], checks[grade_id]["kind"]
        for j in range(i + 1, len(cells)):
            if f"review_panel({variable}" in _source(cells[j]).replace(" ", ""):
                return ProseAnswer(i, j, variable, kind)
    return None


def start_workspace(module: Module, folder: Path) -> Path:
    """Run ``wbcourse start FOLDER --no-lab`` for the module's course; return the notebook."""
    env = {**os.environ, **module.env}
    result = subprocess.run([*WBCOURSE, "start", str(folder), "--no-lab"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"wbcourse start failed: {result.stderr or result.stdout}"
    notebook = folder / module.id / module.notebook
    assert notebook.is_file(), f"wbcourse start did not copy {module.id}/{module.notebook}"
    return notebook


def fill_answers(module: Module, notebook: Path, *, blank: tuple[str, ...] = ()) -> None:
    """Write the model answers into ``notebook`` (a learner's copy), as a learner would.

    Answer cells named in ``blank`` are left as released. Uses the same builder as the
    bundled sample cohort (:func:`course.samples.build_notebook`). The mini-course's model
    summary earns only partial credit, so there a full-marks summary is written instead.
    """
    import nbformat

    from course.samples import SampleLearner, build_notebook

    answers = dict.fromkeys(blank, "blank")
    if module.is_fixture:
        for grade_id in set(prose_grade_ids(module)) - set(blank):
            answers[grade_id] = f'draft = """\n{STRONG_SUMMARY}\n"""'
    learner = SampleLearner(id="browser", band=(0.0, 1.0), note="browser test",
                            default="solution", answers=answers)
    exercise = nbformat.read(notebook, as_version=4)
    solution = nbformat.read(module.solution, as_version=4)
    nbformat.write(build_notebook(exercise, solution, learner), notebook)


def prose_grade_ids(module: Module) -> tuple[str, ...]:
    """Grade ids of every prose answer cell of ``module``."""
    return tuple(
        c["metadata"]["nbgrader"]["grade_id"] for c in module.cells()
        if c.get("metadata", {}).get("wbcourse", {}).get("answer") == "prose"
    )


def notebook_sources(path: Path) -> list[str]:
    """Each cell's source, read from the ``.ipynb`` on disk."""
    return [_source(c) for c in json.loads(path.read_text(encoding="utf-8"))["cells"]]
