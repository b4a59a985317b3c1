"""Feedback pages: scores, error messages without test code, prose highlights, rubrics."""

from __future__ import annotations

import re
import shutil

import pytest
from nbformat.v4 import new_code_cell, new_output

from course.errors import CourseError
from course.grading.feedback import error_messages, parse_missed, write_feedback
from course.grading.html import highlight
from tests.graded_cohort import (
    MODULE,
    pages,
    set_manual,
)

# ------------------------------------------------------------------- fast units

def test_error_message_is_name_and_value_only():
    cell = new_code_cell('assert double(2) == 4, "double(2) should be 4"\n'
                         'assert double(-3) == -6, "Check negative numbers."')
    cell.outputs = [new_output("error", ename="AssertionError",
                               evalue="Check negative numbers.",
                               traceback=["\x1b[31mTraceback", "assert double(-3) == -6"])]
    assert error_messages(cell) == ["AssertionError: Check negative numbers."]


def test_error_that_quotes_the_test_code_is_withheld():
    source = 'assert double(2) == 4, "ok"\nassert double(-3) == -6, "Check negative numbers."'
    cell = new_code_cell(source)
    cell.outputs = [new_output("error", ename="ValueError", evalue="leak: " + source,
                               traceback=[])]
    (message,) = error_messages(cell)
    assert "double(-3)" not in message and "withheld" in message
    # an exception class named after the code is no way round it either
    cell.outputs = [new_output("error", ename="assert double(-3) == -6", evalue="", traceback=[])]
    assert error_messages(cell) == ["Error"]


def test_timeout_message_never_shows_the_cell_preview():
    cell = new_code_cell("assert secret_check()")
    cell.outputs = [new_output("error", ename="CellTimeoutError", traceback=[],
                               evalue="Here is a preview of the cell contents:\nassert secret")]
    (message,) = error_messages(cell)
    assert "secret" not in message and "time limit" in message


def test_highlight_escapes_and_marks_overlapping_spans():
    out = highlight("<b>We</b> did stuff", [(10, 19, "vague", "warning"), (14, 19, "x", "error")])
    assert out.startswith("&lt;b&gt;We&lt;/b&gt; ")
    assert '<mark class="warning" title="vague">did </mark>' in out
    assert '<mark class="error" title="vague | x">stuff</mark>' in out


def test_parse_missed_from_comments():
    assert parse_missed("Nice.\nMissed: outcome,date\nmissed: clarity") == [
        "outcome", "date", "clarity"]
    assert parse_missed("Nothing was missed here.") == []


# -------------------------------------------------------------- graded cohort

@pytest.mark.slow
def test_pages_for_every_graded_learner_and_nbgrader_files_untouched(cohort):
    theirs = cohort.feedback / "ada" / MODULE / "mini.html"
    theirs.parent.mkdir(parents=True, exist_ok=True)
    theirs.write_text("nbgrader's own feedback")
    written = write_feedback(cohort, MODULE)
    assert sorted(p.parent.parent.name for p in written) == ["ada", "bob", "cy", "dee"]
    assert all(p.name == "index.html" for p in written)
    assert theirs.read_text() == "nbgrader's own feedback"


@pytest.mark.slow
def test_hidden_tests_never_appear_in_feedback(cohort):
    write_feedback(cohort, MODULE)
    for learner, text in pages(cohort).items():
        assert "double(-3)" not in text, learner
        assert "HIDDEN TESTS" not in text, learner
        assert "Traceback" not in text, learner
        assert "assert double" not in text, learner
    bob = pages(cohort)["bob"]
    assert "AssertionError: Check negative numbers." in bob
    assert "0 / 2 points" in bob
    assert "withheld" in pages(cohort)["cy"]  # cy's exception quoted the test cell


@pytest.mark.slow
def test_explanations_follow_every_graded_test_and_never_reach_the_release(cohort):
    from course import paths

    write_feedback(cohort, MODULE)
    why = "doubling is multiplying by two, not adding two"
    for learner in ("ada", "bob"):  # passed and failed alike
        text = re.sub(r"<[^>]+>", "", pages(cohort)[learner])
        assert "Why:" in text and why in text, learner
    assert '<strong>negative</strong>' in pages(cohort)["bob"]
    assert why not in pages(cohort)["dee"]  # not graded: nothing to explain yet
    released = (paths.exercises_dir() / MODULE / "mini.ipynb").read_text(encoding="utf-8")
    assert why not in released and '"explains"' not in released


@pytest.mark.slow
def test_learner_text_is_escaped_and_pages_forbid_scripts(cohort):
    write_feedback(cohort, MODULE)
    cy = pages(cohort)["cy"]
    assert "<script>" not in cy
    assert "&lt;script&gt;alert(&#x27;pwned&#x27;)&lt;/script&gt;" in cy
    assert "default-src 'none'" in cy
    assert not re.search(r"<(link|script|iframe)\b", cy)


@pytest.mark.slow
def test_header_totals_and_prose_findings(cohort):
    from course.grading.scores import submission_scores

    write_feedback(cohort, MODULE)
    bob = pages(cohort)["bob"]
    score, max_score, _ = submission_scores(cohort.db_url, MODULE, "bob")
    assert f"{score:g} / {max_score:g}" in bob
    assert "Autograded" in bob and "awaiting grading" in bob
    # bob's vague summary is shown with its flagged spans and what to fix
    assert "I worked on the offers service and helped." in re.sub(r"<[^>]+>", "", bob)
    assert "What to fix:" in bob and "<mark" in bob


@pytest.mark.slow
def test_failed_submission_shows_the_problem(cohort):
    write_feedback(cohort, MODULE, learners=["dee"])
    dee = pages(cohort)["dee"]
    assert "could not be graded" in dee
    assert "not valid notebook JSON" in dee


@pytest.mark.slow
def test_manual_score_comment_and_rubric_appear(cohort):
    set_manual(cohort, "ada", 1, "Clear outcome <b>but</b> no date.\nmissed: date")
    try:
        (page,) = write_feedback(cohort, MODULE, learners=["ada"])
        text = page.read_text()
        assert "Impact summary" in text
        assert "Says when it happened (&lt;quarter&gt; or year)." in text
        assert "Clear outcome &lt;b&gt;but&lt;/b&gt; no date." in text
        assert re.search(r"<td>date</td><td class=\"num\">1</td><td>[^<]*</td><td>missed</td>",
                         text)
        card = text[text.index('id="q01_summary"'):]
        assert "1 / 2 points" in card[:200]
    finally:
        set_manual(cohort, "ada", None, None)
    text = write_feedback(cohort, MODULE, learners=["ada"])[0].read_text()
    assert "awaiting grading" in text


@pytest.mark.slow
def test_ungraded_and_unknown_learners(cohort):
    folder = cohort.submitted / "eve" / MODULE
    folder.mkdir(parents=True)
    shutil.copy(cohort.root / "release" / MODULE / "mini.ipynb", folder)
    try:
        assert write_feedback(cohort, MODULE, learners=["eve"]) == []
        assert "eve" not in {p.parent.parent.name for p in write_feedback(cohort, MODULE)}
        with pytest.raises(CourseError, match="no submission of 01-mini for: zed"):
            write_feedback(cohort, MODULE, learners=["zed"])
    finally:
        shutil.rmtree(cohort.submitted / "eve")


@pytest.mark.slow
def test_cli_feedback(cohort, capsys):
    from course.cli import main

    assert main(["feedback", "mini", "--workspace", str(cohort.root), "--learner", "bob"]) == 0
    assert "wrote 1 feedback page(s)" in capsys.readouterr().out


@pytest.mark.slow
def test_feedback_never_shows_another_learners_text(cohort, tmp_path):
    """ada's answer was copied by eve: ada's page shows neither eve nor her words."""
    from course.grading.similar import check_module
    from tests.graded_cohort import COPY_EXTRA, with_copier

    ws = with_copier(cohort, tmp_path / "ws")
    assert check_module(ws, MODULE).flags  # the copy is found
    write_feedback(ws, MODULE)
    for learner, text in pages(ws).items():
        assert COPY_EXTRA not in text, learner
        assert not re.search(r"\beve\b", text), learner
