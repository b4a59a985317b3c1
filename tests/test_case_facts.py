"""The case study has one set of facts (assets/case/facts.toml) and everything agrees with it."""

from __future__ import annotations

import csv
import datetime as dt
import re

import nbformat
import pytest

from course import paths
from course.lessons import case
from course.release import source_modules

SHEET = case.load()


def _solution_notebooks():
    return [p for m in source_modules()
            for p in sorted((paths.solutions_dir() / m).glob("*.ipynb"))]


def _fact_cells():
    for path in _solution_notebooks():
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            table = cell.metadata.get("wbcourse", {}).get("facts")
            if table:
                yield path, index, table, cell


# ------------------------------------------------------------------ the sheet itself

def test_every_fact_says_what_it_counts_when_and_for_whom():
    for fact in SHEET.facts.values():
        assert fact.counts and fact.period and fact.team, fact.id
        assert (fact.number is None) != (fact.date is None), f"{fact.id}: a number or a date"
        if fact.number is not None:
            assert fact.unit, f"{fact.id}: a number needs its unit"


def test_every_measure_is_findable_in_text():
    for measure in SHEET.measures.values():
        assert measure.cue or measure.patterns, measure.id
        assert measure.values, f"{measure.id}: no fact gives it a value"


# ------------------------------------------------------------------ the checker

@pytest.mark.parametrize("text, problem", [
    ("Launch-week integration incidents across the org fell from 7 in the second half of "
     "2023 to 1 in Q1 2024.", "no value for 2024Q1"),
    ("Latency rollbacks across the org: 4 in H2 2023, 0 in 2024.", "no value for 2024"),
    ("Latency rollbacks across the org fell from 5 in the second half of 2023 to 0 in the "
     "first half of 2024.", "2023H2 is 4"),
    ("I taught 4 teammates to run the kit; they now run dry runs without me.", "text says 4"),
    ("Dry runs with 3 partner teams found 14 integration bugs.", "text says 3"),
    ("In the load test the p99 was 190 ms at 1,700 rps.", "1700rps is 181"),
])
def test_checker_finds_contradictions(text, problem):
    found = case.contradictions(text)
    assert any(problem in p for p in found), found


@pytest.mark.parametrize("text", [
    "Launch-week incidents caused by integration bugs, across the org, fell from 7 in the "
    "second half of 2023 to 1 in the first half of 2024.",
    "By June 2024, 5 other teams had adopted the kit for 11 launches.",
    "Its p99 latency fell from 480 ms to 140 ms, inside the 200 ms target.",
    "Our goal is a p99 latency under 150 ms at twice today's traffic.",
    "Phase 1 retires the legacy interface in 2 markets.",
])
def test_checker_accepts_what_the_sheet_says(text):
    assert case.contradictions(text) == []


def test_early_claims_need_the_period_to_have_ended():
    assert case.early_claims("7 in H2 2023, 1 this quarter", dt.date(2024, 2, 20))
    assert case.early_claims("0 in 2024", dt.date(2024, 11, 18))
    assert not case.early_claims("4 in H2 2023, 0 in the first half of 2024",
                                 dt.date(2024, 7, 10))


# ------------------------------------------------------------------ notebooks and files

def test_fact_tables_are_rendered_from_the_sheet():
    used = set()
    for path, index, table, cell in _fact_cells():
        used.add(table)
        assert case.render(table) in cell.source, (
            f"{path.parent.name}[{index}]: the fact table differs from "
            f"case.render({table!r}); paste the rendered table back in")
    assert used == set(SHEET.tables), f"tables no notebook shows: {set(SHEET.tables) - used}"


def _shown(fact: case.Fact) -> list[str]:
    if fact.date is not None:
        d = fact.date
        return [d.isoformat(), f"{d.day} {d:%B %Y}", f"{d:%B %Y}", f"{d:%B} {d.year}"]
    n = fact.number
    text = f"{n:,.0f}" if float(n).is_integer() else f"{n:g}"
    words = {0: ["zero"], 1: ["one", "once"], 2: ["two", "twice"], 3: ["three"], 4: ["four"]}
    return [text, text.replace(",", ""), *words.get(n, [])]


def test_each_table_row_states_the_facts_it_is_made_from():
    for table in SHEET.tables.values():
        for row in table.get("row", []):
            shown = f"{row.get('when', '')} {row['text']}"
            for fact_id in row.get("facts", []):
                forms = _shown(SHEET.facts[fact_id])
                assert any(re.search(rf"(?<![\d,.]){re.escape(f)}(?!\d|,\d)", shown, re.I)
                           for f in forms), f"{table['id']}: row does not show {fact_id} {forms}"


def _texts():
    for path in _solution_notebooks():
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            for text in case.cell_texts(cell):
                yield f"{path.parent.name}/{path.name}[{index}]", text
    for folder in ("rubrics", "modules"):
        for path in sorted((paths.assets_dir() / folder).glob("*.toml")):
            yield f"assets/{folder}/{path.name}", path.read_text(encoding="utf-8")
    for table in SHEET.tables.values():
        for row in table.get("row", []):
            yield f"facts.toml table {table['id']}", f"{row.get('when', '')}: {row['text']}"


def test_notebooks_rubrics_and_tables_agree_with_the_sheet():
    problems = [f"{where}: {p}" for where, text in _texts() for p in case.contradictions(text)]
    assert not problems, "\n".join(problems)


def _evidence_log():
    with paths.data_path("evidence_log.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_evidence_log_agrees_with_the_sheet_and_reports_only_finished_periods():
    problems = []
    for row in _evidence_log():
        day = dt.date.fromisoformat(row["date"])
        problems += [f"{row['date']}: {p}" for p in
                     case.contradictions(row["evidence"], today=day)
                     + case.early_claims(row["evidence"], day)]
    assert not problems, "\n".join(problems)


def test_load_test_data_yields_the_sheet_numbers():
    import numpy as np

    from course.lessons.loadtest import SLA_MS, load_samples

    samples = load_samples()
    p99 = {rps: float(np.percentile(v, 99)) for rps, v in samples.items()}
    assert len(samples) == SHEET.facts["loadtest_levels"].number
    assert SLA_MS == SHEET.facts["offers_sla"].number
    first_break = min(r for r in p99 if p99[r] > SLA_MS)
    assert first_break == SHEET.facts["loadtest_break"].number
    assert round(p99[1700]) == SHEET.facts["loadtest_p99_1700"].number
    assert round(p99[1800]) == SHEET.facts["loadtest_p99_1800"].number
    safe = max(r for r in p99 if r < first_break)
    peak = SHEET.facts["expected_peak"].number
    assert safe >= SHEET.facts["headroom_factor"].number * peak, "the story says there is headroom"


def test_incident_data_yields_the_sheet_numbers():
    with paths.data_path("incident_timeline.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with paths.data_path("incident_metrics.csv").open(newline="", encoding="utf-8") as fh:
        errors = [float(r["error_rate_pct"]) for r in csv.DictReader(fh)]

    def first(kind):
        return min(dt.datetime.fromisoformat(r["time_utc"]) for r in rows if r["kind"] == kind)

    start = first("impact")
    for fact, kind in (("time_to_detect", "alarm"), ("time_to_mitigate", "mitigated"),
                       ("time_to_resolve", "resolved")):
        minutes = (first(kind) - start).total_seconds() / 60
        assert minutes == SHEET.facts[fact].number, fact
    assert start.date() == SHEET.facts["incident_day"].date
    customers = SHEET.facts["incident_customers"].number
    assert any(f"{customers:,.0f} customers" in r["event"] for r in rows)
    assert round(max(errors), 1) == SHEET.facts["incident_peak_errors"].number


def test_weekly_review_data_yields_the_sheet_numbers():
    from course.lessons.metrics import column, load_monthly, load_weekly

    weekly, monthly = load_weekly(), load_monthly()
    p99 = dict(zip(column(monthly, "month"), column(monthly, "price_p99_ms"), strict=True))
    launch = SHEET.facts["offers_launch"].date
    before = [v for m, v in p99.items() if m < f"{launch:%Y-%m}"]
    after = [v for m, v in p99.items() if m > f"{launch:%Y-%m}" and m < "2025-03"]
    assert abs(sum(before) / len(before) - SHEET.facts["offers_p99_before"].number) < 15
    assert abs(sum(after) / len(after) - SHEET.facts["offers_p99_after"].number) < 15
    assert round(weekly[-1]["catalogue_coverage_pct"]) == \
        SHEET.facts["search_coverage_today"].number
    assert round(weekly[-1]["price_accuracy_pct"], 1) == \
        SHEET.facts["price_accuracy_today"].number


def test_evidence_log_yields_the_readiness_facts():
    """The quarters at which the log shows consistent dimensions, by the course's rule."""
    from course.lessons.readiness import DIMENSIONS, last_quarters, load_evidence

    log = load_evidence()

    def consistent(as_of):
        out = []
        for d in DIMENSIONS:
            have = {e.quarter for e in log if e.dimension == d and e.level == "next"}
            if sum(q in have for q in last_quarters(as_of, 4)) >= 3:
                out.append(d)
        return out

    for fact in SHEET.facts.values():
        if fact.measure == "consistent_dimensions":
            assert len(consistent(fact.period)) == fact.number, fact.id
    assert consistent("2024Q1") == ["influence"]
    assert len(consistent("2024Q3")) == 4 and "impact" not in consistent("2024Q3")
    dates = {e.date for e in log}
    assert min(dates) < SHEET.facts["offers_launch"].date < max(dates)
