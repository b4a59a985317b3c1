"""``wbcourse export``: one row per (learner, module), CSV or JSON, failures included."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from course.errors import CourseError
from course.grading.export import FIXED_COLUMNS, export
from tests.graded_cohort import (
    MODULE,
    with_copier,
)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.slow
def test_csv_has_fixed_columns_then_one_per_graded_cell(cohort, tmp_path):
    out = tmp_path / "grades.csv"
    assert export(cohort, out, None) == 4
    with out.open(newline="") as fh:
        header = next(csv.reader(fh))
    assert header == [*FIXED_COLUMNS, "q01_double_tests", "q01_summary", "q01_summary_checks"]
    rows = {r["learner"]: r for r in read_csv(out)}
    assert sorted(rows) == ["ada", "bob", "cy", "dee"]
    assert all(r["module"] == MODULE for r in rows.values())
    ada, bob = rows["ada"], rows["bob"]
    assert ada["q01_double_tests"] == "2" and bob["q01_double_tests"] == "0"
    assert ada["max_score"] == "7" and ada["auto_max"] == "5"
    assert float(ada["score"]) == float(ada["auto_score"]) + float(ada["manual_score"])
    assert ada["needs_manual_grade"] == "yes" and ada["status"] == "graded"


@pytest.mark.slow
def test_failed_learner_has_score_zero_and_the_reason(cohort, tmp_path):
    export(cohort, tmp_path / "grades.csv", None)
    dee = {r["learner"]: r for r in read_csv(tmp_path / "grades.csv")}["dee"]
    assert dee["status"] == "failed"
    assert dee["score"] == "0"
    assert "not valid notebook JSON" in dee["problems"]
    assert dee["q01_double_tests"] == ""


@pytest.mark.slow
def test_json_matches_csv_and_types_are_kept(cohort, tmp_path):
    n = export(cohort, tmp_path / "out" / "deeper" / "grades.json", None)  # folders created
    data = json.loads((tmp_path / "out" / "deeper" / "grades.json").read_text())
    assert n == len(data) == 4
    ada = next(r for r in data if r["learner"] == "ada")
    assert ada["needs_manual_grade"] is True
    assert isinstance(ada["score"], float)
    assert list(ada)[:len(FIXED_COLUMNS)] == list(FIXED_COLUMNS)
    dee = next(r for r in data if r["learner"] == "dee")
    assert dee["q01_summary"] is None and dee["status"] == "failed"


@pytest.mark.slow
def test_manual_grade_and_comment_from_nbgrader_reach_the_export(cohort, tmp_path):
    from nbgrader.api import Gradebook

    with Gradebook(cohort.db_url) as gb:
        grade = gb.find_grade("q01_summary", "mini", MODULE, "bob")
        grade.manual_score = 1.5
        gb.find_comment("q01_summary", "mini", MODULE, "bob").manual_comment = "missed: date"
        gb.db.commit()
    try:
        export(cohort, tmp_path / "grades.csv", None)
        bob = {r["learner"]: r for r in read_csv(tmp_path / "grades.csv")}["bob"]
        assert bob["q01_summary"] == "1.5"
        assert bob["needs_manual_grade"] == "no"
        assert float(bob["manual_score"]) == 1.5
    finally:
        with Gradebook(cohort.db_url) as gb:
            gb.find_grade("q01_summary", "mini", MODULE, "bob").manual_score = None
            gb.find_comment("q01_summary", "mini", MODULE, "bob").manual_comment = None
            gb.db.commit()


@pytest.mark.slow
def test_format_option_and_unknown_suffix(cohort, tmp_path):
    assert export(cohort, tmp_path / "grades.txt", "json") == 4
    json.loads((tmp_path / "grades.txt").read_text())
    with pytest.raises(CourseError, match="cannot tell the export format"):
        export(cohort, tmp_path / "grades.xlsx", None)
    assert not (tmp_path / "grades.xlsx").exists()


@pytest.mark.slow
def test_cli_export(cohort, tmp_path, capsys):
    from course.cli import main

    out = tmp_path / "g.csv"
    assert main(["export", "--workspace", str(cohort.root), "-o", str(out)]) == 0
    assert "wrote 4 row(s)" in capsys.readouterr().out
    assert main(["export", "--workspace", str(cohort.root), "-o", str(tmp_path / "g.ods")]) == 2
    assert capsys.readouterr().err.startswith("error: cannot tell the export format")


@pytest.mark.slow
def test_flags_column_names_the_learner_an_answer_was_copied_with(cohort, tmp_path):
    ws = with_copier(cohort, tmp_path / "ws")
    export(ws, tmp_path / "grades.csv", None)
    rows = {r["learner"]: r for r in read_csv(tmp_path / "grades.csv")}
    assert rows["ada"]["flags"] == "q01_summary~eve 1.00"  # eve took all of ada's answer
    assert rows["bob"]["flags"] == "" and rows["dee"]["flags"] == ""
    export(ws, tmp_path / "grades.json", None)
    data = json.loads((tmp_path / "grades.json").read_text())
    assert next(r for r in data if r["learner"] == "ada")["flags"] == "q01_summary~eve 1.00"
