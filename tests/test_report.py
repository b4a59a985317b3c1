"""``wbcourse report``: cohort plots, item analysis, prose findings, rubric misses."""

from __future__ import annotations

import re
import shutil

import pytest

from course.errors import CourseError
from course.grading import status as status_store
from course.grading.export import CellGrade, SubmissionRecord
from course.grading.report import (
    correlation,
    item_analysis,
    plot_items,
    plot_scores,
    upper_lower_index,
    write_report,
)
from course.grading.workspace import Workspace
from tests.graded_cohort import (
    COPY_EXTRA,
    MODULE,
    STRONG,
    with_copier,
)


def record(learner: str, *scores: tuple[str, float, float]) -> SubmissionRecord:
    cells = [CellGrade("nb", gid, "autograded", s, m, s, None, False) for gid, s, m in scores]
    return SubmissionRecord(learner, MODULE, "graded", sum(c.score for c in cells),
                            sum(c.max_score for c in cells), cells=cells)


def test_item_analysis_separates_good_from_useless_items():
    records = [record(f"l{i}", ("q1", float(i >= 3), 1), ("q2", 1.0, 1), ("q3", i % 2, 1),
                      ("q4", float(i), 5)) for i in range(6)]
    items = {i.grade_id: i for i in item_analysis(records)}
    assert items["q1"].difficulty == pytest.approx(0.5)
    assert items["q1"].point_biserial > 0.5 and items["q1"].upper_lower > 0.5
    assert items["q2"].difficulty == 1.0
    assert items["q2"].point_biserial is None  # everyone got it: no variance
    assert "very easy" in items["q2"].note


def test_tiny_cohorts_do_not_divide_by_zero():
    (item,) = item_analysis([record("solo", ("q1", 1.0, 2))])
    assert item.n == 1 and item.difficulty == 0.5
    assert item.point_biserial is None and item.upper_lower is None
    same = item_analysis([record("a", ("q1", 1.0, 1)), record("b", ("q1", 1.0, 1))])
    assert same[0].upper_lower == 0.0 and same[0].point_biserial is None
    zero = item_analysis([record("z", ("q0", 0.0, 0))])
    assert zero[0].difficulty is None
    assert correlation([], []) is None and upper_lower_index([], []) is None
    for png in (plot_scores([record("solo", ("q1", 1.0, 2))], MODULE), plot_items([item])):
        assert png.startswith(b"\x89PNG")


def test_awaiting_manual_grades_are_left_out_of_item_statistics():
    graded = record("a", ("q1", 1.0, 1))
    pending = SubmissionRecord("b", MODULE, "graded", 0, 1, cells=[
        CellGrade("nb", "q1", "manual", 0.0, 1.0, None, None, True)])
    (item,) = item_analysis([graded, pending])
    assert item.n == 1 and item.difficulty == 1.0


def images(html_text: str) -> list[str]:
    return re.findall(r'src="(data:image/png;base64,[^"]+)"', html_text)


def comment(ws: Workspace, learner: str, text: str, score: float | None) -> None:
    from nbgrader.api import Gradebook

    with Gradebook(ws.db_url) as gb:
        gb.find_comment("q01_summary", "mini", MODULE, learner).manual_comment = text
        grade = gb.find_grade("q01_summary", "mini", MODULE, learner)
        grade.manual_score = score
        grade.needs_manual_grade = score is None
        gb.db.commit()


def keep_only(ws: Workspace, learners: set[str]) -> None:
    """Remove every other learner from the gradebook and the status file."""
    from nbgrader.api import Gradebook

    outcomes = status_store.load(ws.root, MODULE)
    with Gradebook(ws.db_url) as gb:
        for learner in list(outcomes):
            if learner not in learners:
                try:
                    gb.remove_submission(MODULE, learner)
                except Exception:
                    pass
                del outcomes[learner]
    status_store.save(ws.root, MODULE, outcomes)


@pytest.mark.slow
def test_report_page_plots_and_sections(cohort, tmp_path):
    comment(cohort, "ada", "Strong.\nmissed: date", 1)
    comment(cohort, "bob", "missed: date, outcome, tone", 0)
    page = write_report(cohort, MODULE, tmp_path / "report")
    text = page.read_text()
    assert page == tmp_path / "report" / f"{MODULE}.html"
    pngs = sorted(p.name for p in (tmp_path / "report").glob("*.png"))
    assert pngs == [f"{MODULE}-{n}.png"
                    for n in ("items", "prose", "rubric", "scores", "similarity")]
    assert len(images(text)) == 5
    assert "<script" not in text and "http" not in text.split("</style>", 1)[1]
    for heading in ("Scores", "Item analysis", "Prose checks", "Originality", "Rubric",
                    "Learners with problems"):
        assert f"<h2>{heading}</h2>" in text
    assert "q01_double_tests" in text and "point-biserial" in text
    # rubric: date missed twice, outcome once; 'tone' is not a criterion of the rubric
    assert "<td>q01_summary: date</td><td class=\"num\">2</td>" in text
    assert "<td>q01_summary: outcome</td><td class=\"num\">1</td>" in text
    assert "q01_summary: tone (1)" in text
    # dee failed to grade and cy's kernel score disagreed or not: dee is listed
    problems = text.split("<h2>Learners with problems</h2>", 1)[1]
    assert "<td>dee</td><td>failed</td>" in problems
    assert "not valid notebook JSON" in problems


@pytest.mark.slow
def test_report_for_a_single_learner(cohort, tmp_path):
    ws = Workspace(tmp_path / "ws")
    shutil.copytree(cohort.root, ws.root, symlinks=True)
    keep_only(ws, {"ada"})
    page = write_report(ws, MODULE, tmp_path / "out")
    text = page.read_text()
    assert "n/a" in text  # no discrimination from one learner
    assert len(images(text)) >= 2


@pytest.mark.slow
def test_report_without_graded_learners_is_an_error(cohort, tmp_path):
    ws = Workspace(tmp_path / "ws")
    shutil.copytree(cohort.root, ws.root, symlinks=True)
    keep_only(ws, {"dee"})  # only the failed one is left
    with pytest.raises(CourseError, match="no graded submissions of 01-mini"):
        write_report(ws, MODULE, tmp_path / "out")
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_cli_report(cohort, tmp_path, capsys):
    from course.cli import main

    assert main(["report", "mini", "--workspace", str(cohort.root), "-o",
                 str(tmp_path / "r")]) == 0
    assert "cohort report:" in capsys.readouterr().out
    assert (tmp_path / "r" / f"{MODULE}.html").exists()


@pytest.mark.slow
def test_report_shows_originality_flags_and_their_plot(cohort, tmp_path):
    ws = with_copier(cohort, tmp_path / "ws")
    text = write_report(ws, MODULE, tmp_path / "out").read_text()
    part = text.split("<h2>Originality</h2>", 1)[1].split("<h2>", 1)[0]
    assert "<td>q01_summary</td><td>ada ~ eve</td>" in part
    assert STRONG[:40] in part  # the instructor sees the shared passage
    assert COPY_EXTRA not in part  # but only the shared words
    assert 'data-name="similarity"' in part
    assert (tmp_path / "out" / f"{MODULE}-similarity.png").stat().st_size > 1000
    assert "dee: mini.ipynb is not valid notebook JSON" in part  # reported, not fatal
    assert "A flag is a reason to read both texts, not proof" in part
