"""Input and output metrics of the video store, and the Weekly Business Review's 6-12 chart.

Module 04 loads ``assets/data/wbr_weekly.csv`` and ``assets/data/wbr_monthly.csv``
(written by ``assets/scripts/make_metrics_data.py``): one row per full week or
calendar month, numbers already converted to ``int``/``float``.

>>> weekly = load_weekly()
>>> weekly[0]["iso_week"], weekly[0]["week_start"]
('2023-W01', '2023-01-02')
>>> len(weekly) >= 60
True
>>> sorted(INPUTS) == sorted(c for c in DESCRIPTIONS if c not in OUTPUTS)
True

The learner computes the chart's slices (a :class:`SixTwelve`); this module draws
them (:func:`plot_six_twelve`) and provides the anomaly explorer widget
(:func:`anomaly_explorer`). matplotlib and ipywidgets are imported lazily.
"""

from __future__ import annotations

import csv
import html
import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from course import paths

__all__ = [
    "DESCRIPTIONS",
    "INPUTS",
    "OUTPUTS",
    "SixTwelve",
    "anomaly_explorer",
    "column",
    "judge_anomaly",
    "load_monthly",
    "load_weekly",
    "pearson",
    "plot_six_twelve",
]

#: Controllable input metrics in the data set (what the teams can change directly).
INPUTS = ("titles_added", "catalogue_coverage_pct", "price_accuracy_pct", "price_p99_ms")
#: Output metrics (what customers' choices add up to).
OUTPUTS = ("rentals", "purchases", "revenue_usd")

#: Plain-language meaning of every metric column.
DESCRIPTIONS = {
    "titles_added": "new titles added to the catalogue (a count)",
    "catalogue_coverage_pct": "% of customer searches that found a title available to rent or buy",
    "price_accuracy_pct": "% of title pages that showed an accurate price before the click",
    "price_p99_ms": "p99 latency of the price lookup, in ms (mean of the daily p99 values)",
    "rentals": "rentals (orders)",
    "purchases": "purchases (orders)",
    "revenue_usd": "revenue in US dollars",
}

WEEKS_PER_YEAR = 52


def _read(path: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with path.open(newline="", encoding="utf-8") as fh:
        for raw in csv.DictReader(fh):
            row: dict[str, Any] = {}
            for key, value in raw.items():
                if key in DESCRIPTIONS:
                    row[key] = int(value) if value.lstrip("-").isdigit() else float(value)
                else:
                    row[key] = value
            rows.append(row)
    return rows


def load_weekly(path: str | Path | None = None) -> list[dict[str, Any]]:
    """Weekly rows (oldest first): ``week_start``, ``iso_week`` and one key per metric.

    >>> load_weekly()[-1]["iso_week"]
    '2025-W13'
    """
    return _read(Path(path) if path else paths.data_path("wbr_weekly.csv"))


def load_monthly(path: str | Path | None = None) -> list[dict[str, Any]]:
    """Monthly rows (oldest first): ``month`` (``YYYY-MM``) and one key per metric.

    >>> load_monthly()[-1]["month"]
    '2025-03'
    """
    return _read(Path(path) if path else paths.data_path("wbr_monthly.csv"))


def column(rows: Sequence[dict[str, Any]], name: str) -> list[Any]:
    """The values of one column, oldest first.

    >>> column([{"rentals": 3}, {"rentals": 5}], "rentals")
    [3, 5]
    """
    try:
        return [row[name] for row in rows]
    except KeyError:
        known = ", ".join(rows[0]) if rows else "(no rows)"
        raise KeyError(f"no column {name!r}; columns are: {known}") from None


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Pearson correlation of two equally long sequences (-1..1; 0.0 if either is constant).

    >>> pearson([1, 2, 3, 4], [10, 20, 30, 40])
    1.0
    >>> pearson([1, 2, 3, 4], [4, 3, 2, 1])
    -1.0
    >>> pearson([1, 2, 3], [5, 5, 5])
    0.0
    """
    if len(xs) != len(ys):
        raise ValueError(f"sequences differ in length: {len(xs)} and {len(ys)}")
    if len(xs) < 2:
        raise ValueError("need at least two pairs")
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return 0.0
    return round(sxy / math.sqrt(sxx * syy), 12)


@dataclass(frozen=True)
class SixTwelve:
    """What a 6-12 chart shows for one metric.

    Six weeks (labels, this year's values, the same weeks a year earlier) next to
    twelve months (labels, values, the same months a year earlier), oldest first.
    """

    week_labels: list[str]
    weeks: list[float]
    weeks_prior_year: list[float]
    month_labels: list[str]
    months: list[float]
    months_prior_year: list[float]

    def problems(self) -> list[str]:
        """Shape problems that would make the chart wrong (empty when it looks right).

        >>> SixTwelve(["a"], [1], [1], [], [], []).problems()[0]
        'expected 6 week labels, got 1'
        """
        found = []
        for name, want in (
            ("week_labels", 6),
            ("weeks", 6),
            ("weeks_prior_year", 6),
            ("month_labels", 12),
            ("months", 12),
            ("months_prior_year", 12),
        ):
            got = len(getattr(self, name))
            if got != want:
                label = name.replace("_", " ")
                found.append(f"expected {want} {label}, got {got}")
        return found


def _pct(current: float, previous: float) -> float | None:
    return None if not previous else 100.0 * (current - previous) / previous


def plot_six_twelve(
    chart: SixTwelve, *, title: str = "", ylabel: str = "", highlight: str | None = None
) -> Any:
    """Draw a 6-12 chart and return the matplotlib Figure.

    Left: the last six weeks; right: the last twelve months. This year is a solid
    blue line, the same period a year earlier a grey dashed line. ``highlight``
    names a week label to circle. Weekly and monthly totals differ in scale, so each
    panel has its own y axis.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> w = [f"W{i}" for i in range(6)]
    >>> m = [f"M{i}" for i in range(12)]
    >>> fig = plot_six_twelve(SixTwelve(w, [1] * 6, [1] * 6, m, [2] * 12, [2] * 12))
    >>> len(fig.axes)
    2
    >>> import matplotlib.pyplot as plt; plt.close(fig)
    """
    problems = chart.problems()
    if problems:
        raise ValueError("cannot draw this 6-12 chart: " + "; ".join(problems))
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    from course.plots import COLORS, style_axes

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6), gridspec_kw={"width_ratios": [1, 2]})
    panels = (
        (left, chart.week_labels, chart.weeks, chart.weeks_prior_year, "Last 6 weeks"),
        (right, chart.month_labels, chart.months, chart.months_prior_year, "Last 12 months"),
    )
    for ax, labels, now, before, name in panels:
        xs = range(len(labels))
        ax.plot(xs, before, "--", color=COLORS["last_year"], marker=".", label="a year earlier")
        ax.plot(xs, now, "-", color=COLORS["this_year"], marker="o", ms=4, label="this year")
        ax.set_xticks(list(xs), labels, rotation=45, ha="right")
        if max(list(now) + list(before)) >= 10_000:
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        style_axes(ax, title=name)
    if highlight in chart.week_labels:
        i = chart.week_labels.index(highlight)
        left.plot([i], [chart.weeks[i]], "o", ms=14, mfc="none", mec=COLORS["alert"], mew=2)
    left.set_ylabel(ylabel, fontsize=9)
    right.legend(fontsize=8, frameon=False, loc="best")
    if title:
        fig.suptitle(title, x=0.01, ha="left", fontsize=12)
    fig.tight_layout()
    return fig


def _last_six_yoy(weekly: Sequence[dict[str, Any]], name: str) -> list[tuple[str, float, float]]:
    """(label, week-over-week %, year-over-year %) for the last six weeks."""
    values, labels = column(weekly, name), column(weekly, "iso_week")
    out = []
    for i in range(len(values) - 6, len(values)):
        wow = _pct(values[i], values[i - 1]) or 0.0
        yoy = _pct(values[i], values[i - WEEKS_PER_YEAR]) or 0.0
        out.append((labels[i], wow, yoy))
    return out


def judge_anomaly(weekly: Sequence[dict[str, Any]], name: str, week: str) -> tuple[bool, str]:
    """Is ``week`` the one of the last six whose year-over-year change breaks the pattern?

    Returns ``(correct, feedback)``. The odd week out is the one whose
    year-over-year change is furthest from the median of the six.

    >>> ok, message = judge_anomaly(load_weekly(), "rentals", "2025-W13")
    >>> ok
    False
    """
    rows = _last_six_yoy(weekly, name)
    labels = [r[0] for r in rows]
    if week not in labels:
        raise ValueError(f"{week!r} is not one of the last six weeks: {', '.join(labels)}")
    median = statistics.median(r[2] for r in rows)
    odd = max(rows, key=lambda r: abs(r[2] - median))
    label, wow, yoy = rows[labels.index(week)]
    typical = f"the six weeks' median is {median:+.1f}% year over year"
    if label == odd[0]:
        return True, (
            f"Yes: {label} is {yoy:+.1f}% year over year while {typical}. "
            f"That is the week to explain in the review (week over week: {wow:+.1f}%)."
        )
    hint = ""
    if abs(wow) > 5:
        hint = (
            f" Its week-over-week change ({wow:+.1f}%) is large, but a year-over-year "
            "view shows it is back to the usual pattern."
        )
    return False, (
        f"Not this one: {label} is {yoy:+.1f}% year over year and {typical}.{hint} "
        "Look for the week whose year-over-year change stands apart."
    )


def anomaly_explorer(
    weekly: Sequence[dict[str, Any]],
    monthly: Sequence[dict[str, Any]],
    chart: Callable[[Sequence[dict[str, Any]], Sequence[dict[str, Any]], str], SixTwelve],
    metrics: Sequence[str] = ("rentals", "revenue_usd", "price_accuracy_pct", "price_p99_ms"),
) -> Any:
    """A widget: pick a metric and a week of the last six, press **Flag**, get feedback.

    The chart is the 6-12 chart of the chosen metric with the chosen week circled,
    computed by ``chart``: the learner's own ``six_twelve`` from the exercise (the
    package ships no answer to it). Until that function works the widget says why,
    and flagged weeks are still judged. Without ipywidgets it returns a short text.
    """
    try:
        import ipywidgets as W
    except ImportError:  # pragma: no cover - ipywidgets is a dependency
        return "ipywidgets is not installed: use judge_anomaly(weekly, metric, week) instead."
    import matplotlib.pyplot as plt

    labels = column(weekly, "iso_week")[-6:]
    pick = W.Dropdown(options=list(metrics), value=metrics[0], description="Metric")
    week = W.SelectionSlider(options=labels, value=labels[-1], description="Week")
    flag = W.Button(description="Flag this week", button_style="warning", icon="flag")
    chart_out, note = W.Output(), W.HTML()

    def draw(*_: Any) -> None:
        chart_out.clear_output(wait=True)
        with chart_out:
            try:
                fig = plot_six_twelve(
                    chart(weekly, monthly, pick.value),
                    title=DESCRIPTIONS.get(pick.value, pick.value),
                    highlight=week.value,
                )
            except Exception as exc:  # the learner's function is unfinished or wrong
                reason = type(exc).__name__ + (f": {exc}" if str(exc) else "")
                note.value = ("<p>The chart is drawn by your <code>six_twelve</code>, which "
                              f"does not work yet ({html.escape(reason)}). Flagging a week "
                              "still works.</p>")
                return
            plt.show()
            plt.close(fig)
        note.value = ""

    def on_flag(_: Any) -> None:
        ok, message = judge_anomaly(weekly, pick.value, week.value)
        colour = "#009E73" if ok else "#D55E00"
        verdict = "Right" if ok else "Try again"
        note.value = f"<p style='color:{colour}'><b>{verdict}.</b> {message}</p>"

    pick.observe(draw, names="value")
    week.observe(draw, names="value")
    flag.on_click(on_flag)
    draw()
    return W.VBox([W.HBox([pick, week, flag]), note, chart_out])
