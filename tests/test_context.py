"""Exercise contexts in notebooks (course/context.py): written by `wbcourse release`,
checked by `release --check`, read by the grader from the source notebook only, shown by
the live panel and the feedback page."""

from __future__ import annotations

import html
import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell

from course import context as ctx
from course.cli import main
from course.grading import prose_scores
from course.grading.export import CellGrade
from tests.conftest import MINI

SHEET = """
[[fact]]
id = "kit_teams"
counts = "teams outside the engineer's own that used the dry-run kit"
number = 5
unit = "teams"
period = "2024H1"

[[fact]]
id = "kit_launches"
counts = "launches that used the dry-run kit"
number = 11
unit = "launches"
period = "2024H1"

[[fact]]
id = "kit_packaged"
counts = "month the kit was packaged"
date = 2023-10-01
period = "2023-10"

[[table]]
id = "mini-kit"
[[table.row]]
when = "January to June 2024"
text = "5 other teams used the **dry-run kit** for 11 launches."
facts = ["kit_teams", "kit_launches"]
[[table.row]]
when = "October 2023"
text = "You packaged the replay scripts into the dry-run kit."
facts = ["kit_packaged"]
"""
HONEST = ("I packaged our replay scripts into a dry-run kit in October 2023 and led its "
          "adoption across the org. The org's launch review now requires a dry run with the "
          "kit, and I review every kit report each month with the teams that use it. In the "
          "first half of 2024, 5 other teams used the kit for 11 launches, so partner launches "
          "no longer depend on my team. I wrote the one-page guide, decided which checks the "
          "kit runs, and coached the first teams through their dry runs myself.")
INVENTED = HONEST.replace("5 other teams", "9 other teams")
NOTEBOOK = "mini.ipynb"


def make_course(tmp_path: Path, monkeypatch, declared: object = "mini-kit") -> Path:
    """A copy of the fixture course whose prose exercise declares facts, with a fact sheet."""
    copy = tmp_path / "course"
    shutil.copytree(MINI, copy)
    (copy / "assets" / "case").mkdir(parents=True)
    (copy / "assets" / "case" / "facts.toml").write_text(SHEET, encoding="utf-8")
    path = copy / "solutions" / "01-mini" / NOTEBOOK
    nb = nbformat.read(path, as_version=4)
    answer = next(i for i, c in enumerate(nb.cells)
                  if c.metadata.get("nbgrader", {}).get("grade_id") == "q01_summary")
    intro = new_markdown_cell("### Exercise: the dry-run kit\n\nSummarise the kit's adoption "
                              "by other teams, using the facts below.")
    meta = {"answer": "q01_summary"}
    if declared is not None:
        meta["facts"] = declared
    cell = new_code_cell("draft_context = {}", metadata={
        "wbcourse": {"context": meta},
        "nbgrader": {"grade": False, "grade_id": "q01_summary_context", "locked": True,
                     "schema_version": 3, "solution": False}})
    nb.cells[answer:answer] = [intro]
    nb.cells.insert(answer + 2, cell)
    checks = next(c for c in nb.cells if c.metadata.get("wbcourse", {}).get("prose"))
    checks.source = 'review(draft, "summary", context=draft_context).points(3)'
    path.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
    monkeypatch.setenv("WBCOURSE_ROOT", str(copy))
    return copy


def context_cell(course: Path, folder: str = "solutions") -> nbformat.NotebookNode:
    nb = nbformat.read(course / folder / "01-mini" / NOTEBOOK, as_version=4)
    return next(c for c in nb.cells if c.metadata.get("wbcourse", {}).get("context"))


def set_context_source(course: Path, source: str) -> None:
    path = course / "solutions" / "01-mini" / NOTEBOOK
    nb = nbformat.read(path, as_version=4)
    next(c for c in nb.cells if c.metadata.get("wbcourse", {}).get("context")).source = source
    path.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")


def test_release_writes_the_facts_and_key_terms_into_the_source_and_the_exercise(
        tmp_path, monkeypatch, capsys):
    course = make_course(tmp_path, monkeypatch)
    assert main(["release", "--check"]) == 2  # the new cell is out of date
    assert "mini.ipynb cell" in capsys.readouterr().err
    assert main(["release"]) == 0
    assert "updated the exercise context in solutions/01-mini/mini.ipynb" in \
        capsys.readouterr().out
    variable, value, problem = ctx.read_literal(context_cell(course).source)
    assert (variable, problem) == ("draft_context", None)
    facts = value["facts"]
    assert {"id": "kit_teams", "counts": "teams outside the engineer's own that used the "
            "dry-run kit", "number": 5, "unit": "teams", "period": "2024H1"} in facts
    assert {"text": "5 other teams used the **dry-run kit** for 11 launches.",
            "when": "January to June 2024"} in facts
    assert {"id": "kit_packaged", "counts": "month the kit was packaged",
            "date": "2023-10-01", "period": "2023-10"} in facts
    assert "dry run" in value["terms"] and "kit" in value["terms"]
    # the learner's notebook carries the same data (the panel needs it)
    released = ctx.read_literal(context_cell(course, "exercises").source)[1]
    assert released == value
    assert main(["release", "--check"]) == 0


@pytest.mark.parametrize(("source", "says"), [
    ('draft_context = {"facts": [{"counts": "teams", "number": "five"}]}',
     "fact 1: number must be a number, not 'five'"),
    ("draft_context = {'facts': [{'counts': 'teams', 'number': 5, 'period': '2024H3'}]}",
     "period '2024H3' is not a period id"),
    ("draft_context = load_facts()", "must assign a literal"),
    ("draft_context = {'facts': [", "not valid Python"),
    ("draft_context = {'fact': []}", "unknown key 'fact'"),
])
def test_malformed_inline_facts_fail_release_check_naming_the_cell(
        tmp_path, monkeypatch, capsys, source, says):
    course = make_course(tmp_path, monkeypatch, declared=None)
    set_context_source(course, source)
    assert main(["release", "--check"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: solutions/01-mini/mini.ipynb cell ")
    assert "(context of q01_summary)" in err and says in err
    assert "\n" not in err
    assert main(["release"]) == 2  # nor does it release


def test_a_declaration_naming_an_unknown_table_fails_naming_the_cell(tmp_path, monkeypatch,
                                                                    capsys):
    make_course(tmp_path, monkeypatch, declared="no-such-table")
    assert main(["release", "--check"]) == 2
    err = capsys.readouterr().err
    assert "context of q01_summary" in err and "no table or fact 'no-such-table'" in err


def test_inline_facts_are_kept_and_checked(tmp_path, monkeypatch):
    course = make_course(tmp_path, monkeypatch, declared=None)
    set_context_source(course, "draft_context = {'facts': [{'counts': 'teams that used the "
                               "kit', 'number': 5, 'unit': 'teams'}]}")
    assert main(["release"]) == 0
    value = ctx.read_literal(context_cell(course).source)[1]
    assert value["facts"] == [{"counts": "teams that used the kit", "number": 5,
                               "unit": "teams"}]
    assert value["terms"]  # drawn from the exercise's text
    assert ctx.problems(course / "solutions" / "01-mini" / NOTEBOOK) == []


def submission(course: Path, text: str, context_source: str | None = None):
    """The released notebook with an answer filled in (and its context cell edited)."""
    nb = nbformat.read(course / "exercises" / "01-mini" / NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "q01_summary":
            cell.source = f'draft = """{text}"""'
        if context_source and cell.metadata.get("wbcourse", {}).get("context"):
            cell.source = context_source
    return nb


def test_the_grader_uses_the_source_facts_never_the_submission(tmp_path, monkeypatch):
    course = make_course(tmp_path, monkeypatch)
    assert main(["release"]) == 0
    (spec,) = prose_scores.specs_for(course / "solutions" / "01-mini")
    assert spec.context and spec.context["facts"]
    text = HONEST
    honest, _ = prose_scores.recompute(spec, submission(course, text))
    # the learner rewrites the facts in their copy so that 9 teams looks supported
    forged = ("draft_context = {'facts': [{'counts': 'teams that used the kit', "
              "'number': 9, 'unit': 'teams'}]}")
    invented, problem = prose_scores.recompute(
        spec, submission(course, text.replace("5 other", "9 other"), forged))
    assert problem is None
    assert invented <= spec.points / 2 < honest


def test_a_malformed_source_context_stops_grading_with_the_cell_named(tmp_path, monkeypatch):
    from course.errors import CourseError

    course = make_course(tmp_path, monkeypatch, declared=None)
    set_context_source(course, "draft_context = {'facts': 5}")
    with pytest.raises(CourseError, match=r"01-mini/mini.ipynb cell \d+ \(context of "
                                          r"q01_summary\): facts must be a list"):
        prose_scores.specs_for(course / "solutions" / "01-mini")


def test_the_panel_shows_the_grounded_findings_live(tmp_path, monkeypatch):
    from course.widgets import review_panel

    course = make_course(tmp_path, monkeypatch)
    assert main(["release"]) == 0
    value = ctx.read_literal(context_cell(course, "exercises").source)[1]
    panel = review_panel(INVENTED, "summary", context=value)
    todo = html.unescape(panel.children[2].value)
    assert "'9 other teams' is not in the facts: they say 5 other teams" in todo
    assert "1 not in them" in panel.children[0].value
    panel.scratchpad.value = HONEST  # (no event loop: reviewed at once)
    assert "not in the facts" not in html.unescape(panel.children[2].value)
    assert "Numbers checked against the exercise" in repr(panel)


def test_the_feedback_page_shows_the_grounded_findings(tmp_path, monkeypatch):
    from course.grading.feedback import _prose_card

    course = make_course(tmp_path, monkeypatch)
    assert main(["release"]) == 0
    (spec,) = prose_scores.specs_for(course / "solutions" / "01-mini")
    grade = CellGrade("mini", spec.test_id, "autograded", 1.0, 3.0, 1.0, None, False)
    html = _prose_card(grade, spec, submission(course, INVENTED), {})
    assert "&#x27;9 other teams&#x27; is not in the facts: they say 5 other teams" in html
    assert "Numbers checked against the exercise&#x27;s facts: 1 in the facts, 1 not" in html
