"""The instructor's side: a grading workspace with graded submissions, served by JupyterLab."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from coursemods import (
    WBCOURSE,
    Module,
    fill_answers,
    graded_module,
    prose_grade_ids,
    start_workspace,
)
from labserver import LabServer, start_lab


@dataclass(frozen=True)
class Grading:
    """An instructor's grading workspace with graded submissions, served by JupyterLab."""

    workspace: Path
    module: Module
    learners: list[str]
    server: LabServer


def prepare_grading(base: Path, home: Path, artifacts: Path) -> Grading:
    """Build a grading workspace with three graded submissions of one module; serve it.

    The workspace is made by the function ``wbcourse init DIR`` calls, restricted to the
    one module graded here (registering every module takes most of a minute); the
    submissions are graded by ``wbcourse grade MODULE --workspace DIR --no-sandbox``.
    ada hands in model answers, grace leaves the written answer blank, linus hands in
    the release untouched.
    """
    module = graded_module()
    ws = base / "workspace"
    env = {**os.environ, **module.env}
    init = subprocess.run(
        [sys.executable, "-c",
         "import sys; from pathlib import Path; "
         "from course.grading.workspace import init_workspace; "
         "init_workspace(Path(sys.argv[1]), modules=[sys.argv[2]])", str(ws), module.id],
        env=env, capture_output=True, text=True, timeout=300)
    assert init.returncode == 0, f"init_workspace failed:\n{init.stderr[-2000:]}"

    learners = {"ada": (), "grace": prose_grade_ids(module), "linus": None}
    for learner, blank in learners.items():
        notebook = start_workspace(module, base / f"learner-{learner}")
        if blank is not None:
            fill_answers(module, notebook, blank=blank)
        target = ws / "submitted" / learner / module.id
        target.mkdir(parents=True)
        shutil.copy2(notebook, target / module.notebook)
    grade = subprocess.run([*WBCOURSE, "grade", module.id, "--workspace", str(ws),
                            "--no-sandbox", "--no-progress"],
                           env=env, capture_output=True, text=True, timeout=600)
    (artifacts / "grade-output.txt").write_text(grade.stdout + grade.stderr)
    assert grade.returncode == 0, f"wbcourse grade failed:\n{grade.stdout}\n{grade.stderr}"
    name_students(ws)
    (artifacts / "grading-server.log").unlink(missing_ok=True)
    server = start_lab(ws, home, artifacts / "grading-server.log", extra_env=module.env)
    return Grading(ws, module, sorted(learners), server)


#: names shown by the formgrader instead of "None, None"
NAMES = {"ada": ("Ada", "Okafor"), "grace": ("Grace", "Lindqvist"), "linus": ("Linus", "Moreau")}


def name_students(ws: Path) -> None:
    """Give the sample learners names in the gradebook, as a roster import would."""
    from nbgrader.api import Gradebook

    from course.grading.workspace import open_workspace

    with Gradebook(open_workspace(ws).db_url) as gradebook:
        for student, (first, last) in NAMES.items():
            gradebook.update_or_create_student(student, first_name=first, last_name=last)
