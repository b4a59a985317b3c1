"""A small graded cohort of the fixture course, shared by the export, feedback and report
tests: ada is strong, bob half right, cy hostile, dee sends a corrupt notebook."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest

from course import catalog
from course.grading.workspace import Workspace

MINI = Path(__file__).parent / "fixtures" / "mini-course"
MODULE = "01-mini"
RUBRIC = '''
[[answer]]
grade_id = "q01_summary"
title = "Impact summary"
points = 2
[[answer.criteria]]
id = "outcome"
points = 1
description = "States a measured outcome (a number with a unit)."
[[answer.criteria]]
id = "date"
points = 1
description = "Says when it happened (<quarter> or year)."
'''
STRONG = ("In Q3 2025 I led the rewrite of the offers service; four teams adopted it by "
          "December and their p99 latency fell from 900 ms to 300 ms.")
HOSTILE_DOUBLE = '''def double(x):
    cell = get_ipython().user_ns["In"][-1]
    raise ValueError("leak: " + cell)
'''
ANSWERS = {
    "ada": {"q01_double": "def double(x):\n    return 2 * x\n",
            "q01_summary": f'draft = """\n{STRONG}\n"""\n'},
    "bob": {"q01_double": "def double(x):\n    return x + 2\n",
            "q01_summary": 'draft = """\nI worked on the offers service and helped.\n"""\n'},
    "cy": {"q01_double": HOSTILE_DOUBLE,
           "q01_summary": 'draft = """\n<script>alert(\'pwned\')</script> I shipped it.\n"""\n'},
}


def build_cohort(base: Path) -> tuple[Path, Path]:
    """(course root, graded workspace), built once per test session in ``base``.

    ada is strong, bob half right (a hidden test fails), cy hostile (leaks the running
    test cell through an exception, HTML in the answer), dee sends a corrupt notebook.
    """
    from course.grading.grade import grade
    from course.grading.workspace import init_workspace

    course, root, done = base / "course", base / "ws", base / "done"
    if done.exists():
        return course, root
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    shutil.copytree(MINI, course)
    (course / "assets" / "rubrics").mkdir()
    (course / "assets" / "rubrics" / f"{MODULE}.toml").write_text(RUBRIC, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WBCOURSE_ROOT", str(course))
        catalog.modules.cache_clear()
        ws = init_workspace(root, modules=[MODULE])
        released = nbformat.read(ws.root / "release" / MODULE / "mini.ipynb", as_version=4)
        for learner, answers in ANSWERS.items():
            nb = nbformat.from_dict(json.loads(json.dumps(released)))
            for cell in nb.cells:
                gid = cell.metadata.get("nbgrader", {}).get("grade_id")
                if gid in answers:
                    cell.source = answers[gid]
            folder = ws.submitted / learner / MODULE
            folder.mkdir(parents=True)
            nbformat.write(nb, folder / "mini.ipynb")
        (ws.submitted / "dee" / MODULE).mkdir(parents=True)
        (ws.submitted / "dee" / MODULE / "mini.ipynb").write_text("{not json")
        grade(ws, MODULE, workers=2, sandbox=False)
    catalog.modules.cache_clear()
    done.touch()
    return course, root


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    """A private copy of the graded cohort, with WBCOURSE_ROOT pointing at its course."""
    course, root = build_cohort(tmp_path_factory.getbasetemp() / "graded-cohort")
    copy = tmp_path_factory.mktemp("cohort") / "ws"
    shutil.copytree(root, copy, symlinks=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WBCOURSE_ROOT", str(course))
        catalog.modules.cache_clear()
        yield Workspace(copy)
    catalog.modules.cache_clear()


def set_manual(ws: Workspace, learner: str, score: float | None, comment: str | None) -> None:
    """Grade ``q01_summary`` by hand through nbgrader's own API, as formgrader would."""
    from nbgrader.api import Gradebook

    with Gradebook(ws.db_url) as gb:
        grade = gb.find_grade("q01_summary", "mini", MODULE, learner)
        grade.manual_score = score
        note = gb.find_comment("q01_summary", "mini", MODULE, learner)
        note.manual_comment = comment
        gb.db.commit()


def pages(ws: Workspace) -> dict[str, str]:
    return {p.parent.parent.name: p.read_text(encoding="utf-8")
            for p in sorted(ws.feedback.glob(f"*/{MODULE}/index.html"))}


COPY_EXTRA = "Eve added this closing sentence of her own to hide the copy."


def with_copier(cohort: Workspace, dest: Path) -> Workspace:
    """A copy of the graded cohort where eve (not graded) handed in ada's summary, lightly
    edited and with a sentence of her own."""
    ws = Workspace(dest)
    shutil.copytree(cohort.root, ws.root, symlinks=True)
    source = ws.submitted / "ada" / MODULE / "mini.ipynb"
    nb = nbformat.read(source, as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "q01_summary":
            edited = STRONG.replace("four teams", "4 teams").replace(";", ",")
            cell.source = f'draft = """\n{edited} {COPY_EXTRA}\n"""\n'
    (ws.submitted / "eve" / MODULE).mkdir(parents=True)
    nbformat.write(nb, ws.submitted / "eve" / MODULE / "mini.ipynb")
    return ws
