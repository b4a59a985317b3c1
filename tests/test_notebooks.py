"""Every module follows the course's notebook conventions (docs/authoring.md)."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
import tomllib

from course import catalog, paths
from course.prose import kind_names
from course.release import source_modules

MODULES = source_modules()


def _notebooks(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.ipynb"))


def _grade_cells(nb) -> dict[str, dict]:
    return {
        c.metadata["nbgrader"]["grade_id"]: {"cell": c, **c.metadata["nbgrader"]}
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade_id")
    }


def test_there_are_nine_modules_in_order():
    ids = [m.id for m in catalog.modules()]
    assert ids == MODULES, "catalogue entries and solutions/ folders must match"
    assert [m.number for m in catalog.modules()] == list(range(1, len(ids) + 1))
    assert len(ids) == 9


@pytest.mark.parametrize("module", MODULES)
def test_header_and_key_points_match_catalogue(module):
    mod = catalog.get(module)
    for path in _notebooks(paths.solutions_dir() / module):
        nb = nbformat.read(path, as_version=4)
        first, last = nb.cells[0].source, nb.cells[-1].source
        assert nb.cells[0].cell_type == "markdown"
        part = {p["notebook"]: p for p in mod.parts}.get(
            path.stem, {"teaching": mod.teaching, "exercises": mod.exercises})
        assert re.search(rf"Teaching:?\*?\*?:? {part['teaching']} min", first), "teaching minutes"
        assert f"{part['exercises']} min" in first
        if path == _notebooks(paths.solutions_dir() / module)[0]:
            for text in (mod.title, *mod.questions, *mod.objectives):
                assert text in first, f"{path.name}: first cell misses {text!r}"
        if path == _notebooks(paths.solutions_dir() / module)[-1]:
            assert "Key points" in last
            for text in mod.keypoints:
                assert text in last, f"{path.name}: last cell misses key point {text!r}"


@pytest.mark.parametrize("module", MODULES)
def test_graded_cells_and_feedback_elements(module):
    autograded, manual, interactive = 0, 0, False
    for path in _notebooks(paths.solutions_dir() / module):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "code":
                assert not cell.outputs and cell.execution_count is None, "strip outputs"
                assert "input(" not in cell.source, "graded notebooks never ask for input()"
                interactive |= bool(re.search(r"review_panel|choice_quiz|ipywidgets|interact",
                                              cell.source))
            if meta.get("grade") and not meta.get("solution") and cell.cell_type == "code":
                autograded += 1
            if meta.get("grade") and meta.get("solution"):
                manual += 1
    assert autograded >= 2, "at least two autograded test cells"
    assert manual >= 1, "at least one manually graded answer"
    assert interactive, "at least one interactive widget that gives feedback"


@pytest.mark.parametrize("module", MODULES)
def test_prose_cells_are_wired_for_regrading(module):
    for path in _notebooks(paths.solutions_dir() / module):
        nb = nbformat.read(path, as_version=4)
        cells = _grade_cells(nb)
        for cell in nb.cells:
            prose = cell.metadata.get("wbcourse", {}).get("prose")
            if not prose:
                continue
            meta = cell.metadata["nbgrader"]
            assert prose["answer"] in cells, f"{meta['grade_id']}: answer cell not found"
            last = cell.source.strip().splitlines()[-1].replace(" ", "")
            points = float(meta["points"])
            assert prose["kind"] in kind_names(), f"{meta['grade_id']}: unknown kind"
            pts = re.search(r"\.points\((\d+(?:\.\d+)?)\)$", last)
            assert pts and float(pts.group(1)) == points, (
                f"{meta['grade_id']}: last line must end with .points({meta['points']:g})")
            assert re.match(rf"(course\.prose\.)?review\({prose['variable']},", last), last


@pytest.mark.parametrize("module", MODULES)
def test_rubric_covers_every_manual_answer(module):
    path = paths.assets_dir() / "rubrics" / f"{module}.toml"
    rubric = tomllib.loads(path.read_text(encoding="utf-8"))
    by_id = {a["grade_id"]: a for a in rubric["answer"]}
    for nb_path in _notebooks(paths.solutions_dir() / module):
        nb = nbformat.read(nb_path, as_version=4)
        for grade_id, info in _grade_cells(nb).items():
            if info.get("grade") and info.get("solution"):
                assert grade_id in by_id, f"no rubric for manually graded {grade_id}"
                answer = by_id[grade_id]
                assert float(answer["points"]) == float(info["points"])
                assert sum(c["points"] for c in answer["criteria"]) == answer["points"]


@pytest.mark.parametrize("module", MODULES)
def test_exercises_hide_solutions_and_keep_graded_twins(module):
    for sol_path in _notebooks(paths.solutions_dir() / module):
        ex_path = paths.exercises_dir() / module / sol_path.name
        assert ex_path.exists(), f"{ex_path} missing: run wbcourse release"
        text = ex_path.read_text(encoding="utf-8")
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "MARK SCHEME"):
            assert marker not in text, f"{ex_path.name} leaks {marker}"
        sol, ex = nbformat.read(sol_path, as_version=4), nbformat.read(ex_path, as_version=4)
        sol_cells, ex_cells = _grade_cells(sol), _grade_cells(ex)
        assert set(sol_cells) == set(ex_cells)
        for grade_id, info in sol_cells.items():
            twin = ex_cells[grade_id]
            assert twin.get("points") == info.get("points")
            assert twin["grade"] == info["grade"] and twin["solution"] == info["solution"]
            hidden = re.search(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS",
                               info["cell"].source, re.S)
            if hidden:
                for line in hidden.group(1).strip().splitlines():
                    if line.strip() and len(line.strip()) > 12:
                        assert line not in twin["cell"].source, f"hidden test leaks: {line}"
            if info["solution"]:
                body = re.search(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION",
                                 info["cell"].source, re.S)
                if body:
                    for line in body.group(1).strip().splitlines():
                        if len(line.strip()) > 20:
                            assert line not in twin["cell"].source, f"solution leaks: {line}"


@pytest.mark.parametrize("module", MODULES)
def test_sample_cohort_spec(module):
    from course.samples import load_spec

    learners = load_spec(module)
    assert len(learners) >= 10, "at least 10 sample learners per module"
    assert len({lr.id for lr in learners}) == len(learners)
    bands = {lr.band for lr in learners}
    assert any(high <= 0.5 for _, high in bands) and any(low >= 0.7 for low, _ in bands), (
        "the cohort mixes weak and strong submissions")


@pytest.mark.parametrize("module", MODULES)
def test_every_autograded_item_is_explained_and_the_release_drops_it(module):
    """Each autograded test cell (prose checks aside) has an explanation, for after grading."""
    for path in _notebooks(paths.solutions_dir() / module):
        nb = nbformat.read(path, as_version=4)
        explained = {c.metadata["wbcourse"]["explains"]: c for c in nb.cells
                     if c.metadata.get("wbcourse", {}).get("explains")}
        tests = {gid for gid, info in _grade_cells(nb).items()
                 if info["grade"] and not info["solution"] and info["cell"].cell_type == "code"
                 and not info["cell"].metadata.get("wbcourse", {}).get("prose")}
        assert tests <= set(explained), f"{path.name}: explain {sorted(tests - set(explained))}"
        assert set(explained) <= tests, f"{path.name}: explanations of unknown tests"
        for gid, cell in explained.items():
            assert cell.cell_type == "markdown" and len(cell.source.split("\n\n")) >= 2, gid
        released = (paths.exercises_dir() / module / path.name).read_text(encoding="utf-8")
        assert '"explains"' not in released and "**Explanation**" not in released


@pytest.mark.parametrize("module", MODULES)
def test_minutes_follow_the_stated_method(module):
    """Teaching and exercise minutes are what course.catalog.timing computes (the method in
    docs/instructor-guide.md), and every answer cell has the basis of its minutes."""
    mod = catalog.get(module)
    timings = catalog.timing(module)
    answers = set()
    for path in _notebooks(paths.solutions_dir() / module):
        nb = nbformat.read(path, as_version=4)
        answers |= {gid for gid, info in _grade_cells(nb).items() if info["solution"]}
    assert answers == {e["id"] for e in mod.exercise_basis}, "one [[exercise]] per answer cell"
    if mod.parts:
        parts = {p["notebook"]: p for p in mod.parts}
        assert set(parts) == {t.name for t in timings}
        for t in timings:
            assert parts[t.name]["teaching"] == catalog.round_up(t.teaching), t.name
            assert parts[t.name]["exercises"] == catalog.round_up(t.exercise), t.name
        assert mod.teaching == sum(p["teaching"] for p in mod.parts)
        assert mod.exercises == sum(p["exercises"] for p in mod.parts)
    else:
        assert mod.teaching == catalog.round_up(sum(t.teaching for t in timings))
        assert mod.exercises == catalog.round_up(sum(t.exercise for t in timings))


def test_readme_module_table_is_current():
    readme = (paths.course_root() / "README.md").read_text(encoding="utf-8")
    assert catalog.markdown_table() in readme, "run 'wbcourse modules --markdown' into README"


def test_instructor_guide_timings_are_current():
    guide = (paths.course_root() / "docs" / "instructor-guide.md").read_text(encoding="utf-8")
    assert catalog.minutes_table() in guide, "run scripts/update_readme.py"
    assert catalog.timing_table() in guide, "run scripts/update_readme.py"
