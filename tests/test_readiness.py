"""Tests for course.lessons.readiness: the evidence log, quarter arithmetic, charts, explorer."""

from __future__ import annotations

import datetime as dt
import importlib.util
import subprocess
import sys

import pytest

from course import paths
from course.lessons import readiness
from course.lessons.readiness import (
    DIMENSIONS,
    Evidence,
    consistency_explorer,
    explorer_text,
    last_quarters,
    load_evidence,
    quarter_of,
    quarter_range,
    shift_quarter,
)


def _next_quarters(log, dimension):
    return {e.quarter for e in log if e.dimension == dimension and e.level == "next"}


def _reference_rule(quarters, as_of, window=4, needed=3):
    return sum(q in quarters for q in last_quarters(as_of, window)) >= needed


def test_import_is_cheap():
    code = (
        "import sys, course.lessons.readiness; "
        "print(any(m in sys.modules for m in ('matplotlib', 'ipywidgets')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("day", "quarter"),
    [("2023-01-01", "2023Q1"), ("2023-03-31", "2023Q1"), ("2023-04-01", "2023Q2"),
     ("2024-09-30", "2024Q3"), ("2024-12-31", "2024Q4"), (dt.date(2024, 7, 1), "2024Q3")],
)
def test_quarter_of_boundaries(day, quarter):
    assert quarter_of(day) == quarter


def test_shift_quarter_crosses_years():
    assert shift_quarter("2024Q1", -1) == "2023Q4"
    assert shift_quarter("2023Q4", 5) == "2025Q1"
    assert shift_quarter("2024Q3", -8) == "2022Q3"


@pytest.mark.parametrize("bad", ["2024Q5", "2024-Q1", "Q1 2024", "", "2024q0"])
def test_bad_quarters_are_rejected(bad):
    with pytest.raises(ValueError, match="not a quarter"):
        shift_quarter(bad, 1)


def test_lower_case_quarter_is_accepted():
    assert shift_quarter("2024q1", 1) == "2024Q2"


def test_quarter_range_and_window():
    assert quarter_range("2023Q4", "2023Q4") == ["2023Q4"]
    assert len(quarter_range("2023Q1", "2024Q4")) == 8
    assert last_quarters("2024Q1") == ["2023Q2", "2023Q3", "2023Q4", "2024Q1"]
    with pytest.raises(ValueError):
        last_quarters("2024Q1", 0)


def test_bundled_log_shape():
    log = load_evidence()
    assert len(log) >= 50
    assert {e.dimension for e in log} == set(DIMENSIONS)
    assert {e.level for e in log} == {"current", "next"}
    assert [e.date for e in log] == sorted(e.date for e in log)
    assert quarter_of(log[0].date) == "2023Q1" and quarter_of(log[-1].date) == "2024Q4"
    assert all(e.text for e in log)


def test_load_returns_fresh_list():
    first = load_evidence()
    first.clear()
    assert load_evidence()


def test_bundled_log_follows_the_story():
    """The exercises of Module 9 rely on these facts of the designed log."""
    log = load_evidence()
    by_dim = {d: _next_quarters(log, d) for d in DIMENSIONS}
    # At the first promotion attempt (2023Q3) no dimension is consistent yet ...
    assert not any(_reference_rule(by_dim[d], "2023Q3") for d in DIMENSIONS)
    # ... though two dimensions had next-level evidence that very quarter ("flashes").
    assert sum("2023Q3" in by_dim[d] for d in DIMENSIONS) == 2
    ready = [
        q for q in quarter_range("2023Q1", "2024Q4")
        if all(_reference_rule(by_dim[d], q) for d in DIMENSIONS)
    ]
    assert ready[0] == "2024Q4"
    # Impact is the last dimension to become consistent: it needs time after launch.
    first_consistent = {
        d: next(q for q in quarter_range("2023Q1", "2024Q4") if _reference_rule(by_dim[d], q))
        for d in DIMENSIONS
    }
    assert max(first_consistent, key=lambda d: first_consistent[d]) == "impact"
    # No next-level impact can be logged before there is something to measure.
    assert min(by_dim["impact"]) == "2024Q1"


def test_data_script_reproduces_the_file(tmp_path):
    script = paths.assets_dir() / "scripts" / "make_evidence_data.py"
    spec = importlib.util.spec_from_file_location("make_evidence_data", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    bundled = paths.data_path("evidence_log.csv").read_text(encoding="utf-8")
    assert module.render(module.rows()) == bundled


def test_load_reports_bad_rows(tmp_path):
    bad = tmp_path / "log.csv"
    bad.write_text("date,dimension,level,evidence\n2024-13-01,scope,next,x\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 2"):
        load_evidence(bad)
    bad.write_text("date,dimension,level,evidence\n2024-01-01,scope,senior,x\n", encoding="utf-8")
    with pytest.raises(ValueError, match="level must be"):
        load_evidence(bad)


def test_explorer_text_verdicts():
    text = explorer_text(None, {"2024Q2", "2024Q3"}, "2024Q4")
    assert "2 of the last 4" in text and "not yet consistent" in text
    assert "your function" not in text.lower()


def test_explorer_text_judges_the_learners_rule():
    assert "agrees with the rule" in explorer_text(_reference_rule, {"2024Q1"}, "2024Q4")

    def wrong(quarters, as_of, window=4, needed=3):
        return len(quarters) >= needed  # ignores the window

    text = explorer_text(wrong, {"2023Q1", "2023Q2", "2023Q3"}, "2024Q4")
    assert "disagrees" in text

    def unfinished(quarters, as_of, window=4, needed=3):
        raise NotImplementedError()

    assert "not written yet" in explorer_text(unfinished, set(), "2024Q4")

    def not_bool(quarters, as_of, window=4, needed=3):
        return 3

    assert "should return True or False" in explorer_text(not_bool, set(), "2024Q4")


def test_explorer_widget_updates():
    w = consistency_explorer(_reference_rule, ticked={"2024Q1", "2024Q2"}, as_of="2024Q4")
    assert "not yet consistent" in w.verdict.value
    next(t for t in w.toggles if t.description == "2024Q4").value = True
    assert ": consistent." in w.verdict.value and "agrees" in w.verdict.value
    w.as_of.value = "2023Q4"
    assert "not yet consistent" in w.verdict.value
    data = w._repr_mimebundle_()
    data = data[0] if isinstance(data, tuple) else data
    assert "Quarters 2023Q1-2023Q4" in data["text/plain"]


def test_plots_return_axes():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    log = load_evidence()
    events = {"launch": "2023-09-13", "review": dt.date(2023, 10, 1)}
    ax = readiness.plot_timeline(log, events=events)
    assert len(ax.get_yticklabels()) == len(DIMENSIONS)
    radar = readiness.plot_radar({d: 0.5 for d in DIMENSIONS}, label="now")
    assert radar.name == "polar"
    readiness.plot_radar({d: 1.0 for d in DIMENSIONS}, ax=radar, label="later")
    plt.close("all")


def test_plot_input_errors():
    with pytest.raises(ValueError, match="empty"):
        readiness.plot_timeline([])
    with pytest.raises(ValueError, match="outside 0..1"):
        readiness.plot_radar({"scope": 3})
    with pytest.raises(ValueError, match="empty"):
        readiness.plot_radar({})


def test_evidence_properties():
    e = Evidence(dt.date(2023, 9, 13), "scope", "current", "x")
    assert e.quarter == "2023Q3" and not e.is_next_level
