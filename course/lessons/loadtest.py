"""Load-test results of the offers service and the Operational Readiness Review (module 05).

``assets/data/loadtest.csv`` (written by ``assets/scripts/make_loadtest_data.py``)
holds 1,000 sampled request latencies at each of 20 load levels, 100 to 2,000
requests per second (rps).

>>> samples = load_samples()
>>> sorted(samples)[:3], len(samples[100])
([100, 200, 300], 1000)

A *percentile table* maps each load level to its latency percentiles in ms, the
shape the learner computes and the charts draw::

    {100: {"p50": 45.1, "p90": 66.0, "p99": 107.5}, 200: {...}, ...}

>>> table = {100: {"p50": 40.0, "p90": 60.0, "p99": 90.0},
...          200: {"p50": 45.0, "p90": 80.0, "p99": 300.0}}
>>> sla_verdict(table, 200)[0]
False

matplotlib and ipywidgets are imported inside the functions that draw.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from course import paths

__all__ = [
    "ORR_CHECKLIST",
    "PERCENTILES",
    "SLA_MS",
    "load_explorer",
    "load_samples",
    "plot_percentiles",
    "sla_verdict",
    "table_problems",
]

#: The offers service's latency SLA: p99 at or below this many milliseconds.
SLA_MS = 200.0
#: Percentile names in a percentile table and the percent each stands for.
PERCENTILES = {"p50": 50, "p90": 90, "p99": 99}

#: The course's Operational Readiness Review checklist for a service launch.
ORR_CHECKLIST = {
    "sla_audit": "SLA audit: measured p99 latency and error rate meet what each calling team "
    "was promised, at expected peak load plus headroom.",
    "load_test": "Load test: load stepped past 1.5 times the expected peak; the breaking point "
    "is written down.",
    "alarms": "Alarms on p99 latency, error rate and traffic page the on-call engineer.",
    "dashboards": "One dashboard shows the health of the service and of its dependencies.",
    "runbooks": "A runbook for every alarm: what it means, what to check, how to mitigate.",
    "rollback": "A rehearsed rollback: how traffic goes back to the old service, and how long "
    "that takes.",
    "dry_run": "A dry run with every partner team that calls the service, before launch day.",
    "on_call": "The on-call rotation is staffed and trained on the new service.",
}

Table = Mapping[int, Mapping[str, float]]


def load_samples(path: str | Path | None = None) -> dict[int, list[float]]:
    """Latency samples in ms per load level (rps), load levels in increasing order."""
    found: dict[int, list[float]] = {}
    source = Path(path) if path else paths.data_path("loadtest.csv")
    with source.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            found.setdefault(int(row["rps"]), []).append(float(row["latency_ms"]))
    return dict(sorted(found.items()))


def table_problems(table: Any) -> list[str]:
    """Reasons a percentile table cannot be drawn (empty when it is fine).

    >>> table_problems({100: {"p50": 1.0, "p90": 2.0}})
    ['load 100: missing p99']
    >>> table_problems({})
    ['the table is empty']
    """
    if not isinstance(table, Mapping):
        return [f"expected a dict of load level -> percentiles, got {type(table).__name__}"]
    if not table:
        return ["the table is empty"]
    problems = []
    for rps, row in table.items():
        if not isinstance(row, Mapping):
            problems.append(f"load {rps}: expected a dict of percentiles")
            continue
        problems += [f"load {rps}: missing {name}" for name in PERCENTILES if name not in row]
    return problems


def sla_verdict(
    table: Table, rps: int, sla_ms: float = SLA_MS, percentile: str = "p99"
) -> tuple[bool, str]:
    """Does the load level ``rps`` meet the SLA? Returns ``(passes, message)``.

    >>> sla_verdict({100: {"p50": 40.0, "p90": 60.0, "p99": 90.0}}, 100)
    (True, 'At 100 rps p99 is 90 ms: within the 200 ms SLA (110 ms to spare).')
    """
    row = table[rps]
    value = float(row[percentile])
    if value <= sla_ms:
        return True, (
            f"At {rps:,} rps {percentile} is {value:,.0f} ms: within the {sla_ms:,.0f} ms SLA "
            f"({sla_ms - value:,.0f} ms to spare)."
        )
    return False, (
        f"At {rps:,} rps {percentile} is {value:,.0f} ms: it breaks the {sla_ms:,.0f} ms SLA "
        f"by {value - sla_ms:,.0f} ms, although p50 is only {float(row['p50']):,.0f} ms."
    )


def plot_percentiles(
    table: Table,
    sla_ms: float = SLA_MS,
    *,
    highlight: int | None = None,
    log: bool = True,
    title: str = "Offers service: latency percentiles by load",
) -> Any:
    """Draw p50/p90/p99 against load with the SLA line; return the matplotlib Figure.

    ``log`` uses a logarithmic latency axis, so the saturated top levels do not flatten
    the rest. ``highlight`` marks one load level with a vertical line.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig = plot_percentiles({100: {"p50": 40, "p90": 60, "p99": 90},
    ...                         200: {"p50": 45, "p90": 80, "p99": 300}})
    >>> fig.axes[0].get_ylabel()
    'latency (ms)'
    >>> import matplotlib.pyplot as plt; plt.close(fig)
    """
    problems = table_problems(table)
    if problems:
        raise ValueError("cannot draw this table: " + "; ".join(problems[:3]))
    import matplotlib.pyplot as plt

    from course.plots import COLORS, style_axes

    levels = sorted(table)
    fig, ax = plt.subplots(figsize=(8.5, 4.0))
    styles = {"p50": ("#56B4E9", ":"), "p90": (COLORS["this_year"], "--"), "p99": ("#000000", "-")}
    for name, (colour, line) in styles.items():
        ys = [float(table[r][name]) for r in levels]
        ax.plot(levels, ys, line, color=colour, marker="o", ms=3, label=name)
    ax.axhline(sla_ms, color=COLORS["alert"], linewidth=1.5, label=f"SLA: p99 <= {sla_ms:,.0f} ms")
    if highlight is not None:
        ax.axvline(highlight, color=COLORS["accent"], linewidth=1.2)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("load (requests per second)", fontsize=9)
    style_axes(ax, title=title, ylabel="latency (ms)")
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    fig.tight_layout()
    return fig


def load_explorer(table: Table, sla_ms: float = SLA_MS, expected_peak: int | None = None) -> Any:
    """A widget: slide through the load levels and see p50/p90/p99 against the SLA.

    Shows a pass/fail message for the chosen level and marks it on the chart. With
    ``expected_peak`` it also says whether the level covers 1.5 times that peak.
    Without ipywidgets it returns a short text instead.
    """
    problems = table_problems(table)
    if problems:
        return "Your table is not ready yet: " + "; ".join(problems[:3])
    try:
        import ipywidgets as W
    except ImportError:  # pragma: no cover - ipywidgets is a dependency
        return "ipywidgets is not installed: use sla_verdict(table, rps) instead."
    import matplotlib.pyplot as plt

    levels = sorted(table)
    slider = W.SelectionSlider(
        options=levels,
        value=levels[len(levels) // 2],
        description="Load (rps)",
        continuous_update=False,
        layout=W.Layout(width="60%"),
    )
    note, out = W.HTML(), W.Output()

    def update(*_: Any) -> None:
        rps = slider.value
        ok, message = sla_verdict(table, rps, sla_ms)
        row = table[rps]
        figures = ", ".join(f"{k} {float(row[k]):,.0f} ms" for k in PERCENTILES)
        colour = "#009E73" if ok else "#D55E00"
        extra = ""
        if expected_peak:
            target = 1.5 * expected_peak
            covers = "covers" if rps >= target else "is below"
            extra = (
                f"<br>Expected peak {expected_peak:,} rps x 1.5 = {target:,.0f} rps: "
                f"this level {covers} it."
            )
        note.value = (
            f"<p><b style='color:{colour}'>{'PASS' if ok else 'FAIL'}</b> {message}"
            f"<br><small>{figures}</small>{extra}</p>"
        )
        out.clear_output(wait=True)
        with out:
            fig = plot_percentiles(table, sla_ms, highlight=rps)
            plt.show()
            plt.close(fig)

    slider.observe(update, names="value")
    update()
    return W.VBox([slider, note, out])
