"""Readiness over time: a dated evidence log, quarters, and the charts of Module 9.

An *evidence log* (a "brag document") lists dated entries, each tagged with a
career-ladder dimension and whether it shows work at the learner's ``current`` level
or at the ``next`` one. The course bundles a fictional engineer's log in
``assets/data/evidence_log.csv``.

>>> log = load_evidence()
>>> sorted({e.dimension for e in log}) == sorted(DIMENSIONS)
True
>>> log[0].quarter
'2023Q1'
>>> last_quarters("2024Q2")
['2023Q3', '2023Q4', '2024Q1', '2024Q2']

The module gives the tools around the exercises (loading, quarter arithmetic,
charts, an explorer widget); the consistency rule itself is what learners write.
matplotlib and ipywidgets are imported only inside the functions that draw.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from course import paths

__all__ = [
    "DIMENSIONS",
    "LEVELS",
    "Evidence",
    "consistency_explorer",
    "explorer_text",
    "last_quarters",
    "load_evidence",
    "plot_radar",
    "plot_timeline",
    "quarter_of",
    "quarter_range",
    "shift_quarter",
]

#: Career-ladder dimensions used by the course's evidence log, in display order.
DIMENSIONS: tuple[str, ...] = ("scope", "impact", "influence", "mentoring", "technical_direction")
#: ``current``: solid work at today's level. ``next``: work that shows the next level.
LEVELS: tuple[str, ...] = ("current", "next")

EVIDENCE_FILE = "evidence_log.csv"


@dataclass(frozen=True)
class Evidence:
    """One dated entry of an evidence log.

    >>> e = Evidence(dt.date(2024, 2, 29), "technical_direction", "next", "Vision doc")
    >>> e.quarter, e.is_next_level
    ('2024Q1', True)
    """

    date: dt.date
    dimension: str
    level: str
    text: str

    @property
    def quarter(self) -> str:
        """Calendar quarter of the entry, such as ``"2024Q1"``."""
        return quarter_of(self.date)

    @property
    def is_next_level(self) -> bool:
        """True when the entry shows next-level work."""
        return self.level == "next"


def quarter_of(day: dt.date | str) -> str:
    """Calendar quarter of a date (or an ISO ``YYYY-MM-DD`` string).

    >>> quarter_of("2023-09-13"), quarter_of(dt.date(2024, 12, 31))
    ('2023Q3', '2024Q4')
    """
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def _parse_quarter(quarter: str) -> tuple[int, int]:
    """``"2024Q1"`` -> ``(2024, 1)``; raises ``ValueError`` on anything else."""
    text = str(quarter).strip().upper()
    if len(text) != 6 or text[4] != "Q" or not text[:4].isdigit() or text[5] not in "1234":
        raise ValueError(f"not a quarter: {quarter!r} (expected a string such as '2024Q1')")
    return int(text[:4]), int(text[5])


def shift_quarter(quarter: str, steps: int) -> str:
    """The quarter ``steps`` quarters after (or, if negative, before) ``quarter``.

    >>> shift_quarter("2024Q1", -1), shift_quarter("2023Q4", 1), shift_quarter("2024Q2", 0)
    ('2023Q4', '2024Q1', '2024Q2')
    """
    year, q = _parse_quarter(quarter)
    index = year * 4 + (q - 1) + steps
    return f"{index // 4}Q{index % 4 + 1}"


def quarter_range(first: str, last: str) -> list[str]:
    """All quarters from ``first`` to ``last``, both included, oldest first.

    >>> quarter_range("2023Q3", "2024Q2")
    ['2023Q3', '2023Q4', '2024Q1', '2024Q2']
    >>> quarter_range("2024Q2", "2024Q1")
    []
    """
    y0, q0 = _parse_quarter(first)
    y1, q1 = _parse_quarter(last)
    count = (y1 * 4 + q1) - (y0 * 4 + q0) + 1
    return [shift_quarter(first, i) for i in range(max(count, 0))]


def last_quarters(as_of: str, n: int = 4) -> list[str]:
    """The ``n`` quarters that end with ``as_of`` (included), oldest first.

    >>> last_quarters("2024Q1", 3)
    ['2023Q3', '2023Q4', '2024Q1']
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    return quarter_range(shift_quarter(as_of, -(n - 1)), as_of)


def load_evidence(path: str | Path | None = None) -> list[Evidence]:
    """Read an evidence log CSV (``date,dimension,level,evidence``), sorted by date.

    Without ``path`` it reads the course's bundled ``assets/data/evidence_log.csv``.
    Each call returns a fresh list, so changing it cannot affect another cell.

    >>> log = load_evidence()
    >>> len(log) > 40, {e.level for e in log} == set(LEVELS)
    (True, True)
    """
    target = Path(path) if path is not None else paths.data_path(EVIDENCE_FILE)
    return list(_load(str(target)))


@lru_cache(maxsize=4)
def _load(target: str) -> tuple[Evidence, ...]:
    entries = []
    with open(target, newline="", encoding="utf-8") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            try:
                entry = Evidence(
                    date=dt.date.fromisoformat(row["date"].strip()),
                    dimension=row["dimension"].strip(),
                    level=row["level"].strip(),
                    text=row["evidence"].strip(),
                )
            except (KeyError, AttributeError, ValueError) as exc:
                raise ValueError(f"{target}, line {line}: cannot read entry ({exc})") from None
            if entry.level not in LEVELS:
                raise ValueError(f"{target}, line {line}: level must be one of {LEVELS}")
            entries.append(entry)
    entries.sort(key=lambda e: (e.date, e.dimension, e.text))
    return tuple(entries)


# --------------------------------------------------------------------------- charts
_PALETTE = {  # Okabe and Ito, colour-blind safe
    "scope": "#0072B2",
    "impact": "#D55E00",
    "influence": "#009E73",
    "mentoring": "#CC79A7",
    "technical_direction": "#E69F00",
}


def _label(dimension: str) -> str:
    """Human label of a dimension name.

    >>> _label("technical_direction")
    'technical direction'
    """
    return dimension.replace("_", " ")


def _as_date(value: dt.date | str) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def plot_timeline(
    entries: Iterable[Evidence],
    *,
    events: Mapping[str, dt.date | str] | None = None,
    ax: Any = None,
    title: str = "Evidence log: one row per dimension",
) -> Any:
    """Draw the evidence log as a timeline and return the matplotlib Axes.

    Each dimension gets a row. Next-level entries are large filled dots; current-level
    entries are small hollow grey dots. Light vertical lines mark quarter boundaries;
    ``events`` (``{"label": date}``) adds labelled dashed lines, for example the launch
    of a project or a promotion attempt.
    """
    import matplotlib.pyplot as plt

    entries = list(entries)
    if not entries:
        raise ValueError("no entries to plot: the evidence log is empty")
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 3.4))
    dims = [d for d in DIMENSIONS if any(e.dimension == d for e in entries)]
    dims += sorted({e.dimension for e in entries} - set(dims))
    rows = {d: len(dims) - 1 - i for i, d in enumerate(dims)}

    for dim in dims:
        cur = [e.date for e in entries if e.dimension == dim and not e.is_next_level]
        nxt = [e.date for e in entries if e.dimension == dim and e.is_next_level]
        y = rows[dim]
        ax.scatter(cur, [y] * len(cur), s=28, facecolors="none", edgecolors="#999999",
                   linewidths=1, zorder=2)
        ax.scatter(nxt, [y] * len(nxt), s=80, color=_PALETTE.get(dim, "#222222"),
                   edgecolors="white", linewidths=0.8, zorder=3)

    first, last = quarter_of(entries[0].date), quarter_of(entries[-1].date)
    for q in quarter_range(first, shift_quarter(last, 1)):
        year, n = _parse_quarter(q)
        start = dt.date(year, 3 * n - 2, 1)
        ax.axvline(start, color="#dddddd", linewidth=0.8, zorder=1)
        if q != shift_quarter(last, 1):
            ax.text(start + dt.timedelta(days=45), len(dims) - 0.35, q, ha="center",
                    va="bottom", fontsize=7, color="#666666")
    for i, (label, when) in enumerate((events or {}).items()):
        day = _as_date(when)
        ax.axvline(day, color="#222222", linestyle="--", linewidth=1, zorder=1)
        # Alternate sides (and heights) so labels of close events do not overlap.
        ha, text = ("right", f"{label} ") if i % 2 == 0 else ("left", f" {label}")
        ax.text(day, -0.75 + 0.3 * (i // 2 % 2), text, fontsize=7, color="#222222",
                va="bottom", ha=ha)

    ax.set_yticks(list(rows.values()), [_label(d) for d in rows])
    ax.set_ylim(-0.8, len(dims) + 0.1)
    ax.set_title(title, fontsize=11, loc="left")
    ax.scatter([], [], s=80, color="#555555", label="next level")
    ax.scatter([], [], s=28, facecolors="none", edgecolors="#999999", label="current level")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=8)
    return ax


def plot_radar(
    values: Mapping[str, float],
    *,
    ax: Any = None,
    label: str | None = None,
    color: str | None = None,
    threshold: float | None = 0.75,
    title: str = "",
) -> Any:
    """Draw a readiness radar: one spoke per dimension, values from 0 to 1.

    ``values`` maps each dimension to a share, for example the share of the last four
    quarters with next-level evidence. Call it twice with the same ``ax`` to compare
    two moments; ``threshold`` draws the dashed "consistent" ring. Returns the Axes.
    """
    import matplotlib.pyplot as plt

    if not values:
        raise ValueError("values is empty: give one share per dimension")
    dims = [d for d in DIMENSIONS if d in values] + [d for d in values if d not in DIMENSIONS]
    shares = []
    for d in dims:
        v = float(values[d])
        if not 0.0 <= v <= 1.0:
            raise ValueError(f"{d}: {v} is outside 0..1; give a share, not a count")
        shares.append(v)
    if ax is None:
        _, ax = plt.subplots(figsize=(4.2, 4.2), subplot_kw={"projection": "polar"})
    import math

    angles = [2 * math.pi * i / len(dims) for i in range(len(dims))]
    loop = angles + angles[:1]
    colour = color or "#0072B2"
    ax.plot(loop, shares + shares[:1], color=colour, linewidth=2, label=label)
    ax.fill(loop, shares + shares[:1], color=colour, alpha=0.2)
    if threshold is not None and not getattr(ax, "_wb_threshold", False):
        ax.plot(loop, [threshold] * len(loop), color="#222222", linestyle="--", linewidth=1,
                label=f"consistent ({threshold:.0%})")
        ax._wb_threshold = True
    ax.set_xticks(angles, [_label(d) for d in dims], fontsize=8)
    ax.set_ylim(0, 1)
    ax.set_yticks([0.25, 0.5, 0.75, 1.0], ["", "", "", ""])
    if title:
        ax.set_title(title, fontsize=10, pad=14)
    if label is not None:
        ax.legend(loc="lower left", bbox_to_anchor=(0.85, -0.15), fontsize=7, frameon=False)
    return ax


# --------------------------------------------------------------------------- explorer
def _window_hits(ticked: Iterable[str], as_of: str, window: int) -> list[tuple[str, bool]]:
    marked = set(ticked)
    return [(q, q in marked) for q in last_quarters(as_of, window)]


def _call_rule(rule: Callable[..., Any], ticked: set[str], as_of: str, window: int,
               needed: int) -> tuple[Any, str | None]:
    """Run the learner's rule; return (result, error message or None)."""
    try:
        return rule(set(ticked), as_of, window=window, needed=needed), None
    except NotImplementedError:
        return None, "your function is not written yet (it raises NotImplementedError)"
    except Exception as exc:  # the learner's code may fail in any way
        return None, f"your function raised {type(exc).__name__}: {exc}"


def explorer_text(
    rule: Callable[..., Any] | None,
    ticked: Iterable[str],
    as_of: str,
    *,
    window: int = 4,
    needed: int = 3,
) -> str:
    """Explain the consistency rule for one set of quarters, and compare ``rule`` with it.

    ``rule(quarters, as_of, window=..., needed=...)`` is the learner's function;
    pass ``None`` to see the explanation alone.

    >>> print(explorer_text(None, {"2024Q1", "2024Q2", "2024Q4"}, "2024Q4"))
    Quarters 2024Q1-2024Q4: 2024Q1 yes, 2024Q2 yes, 2024Q3 no, 2024Q4 yes.
    3 of the last 4 quarters have next-level evidence; the rule needs 3: consistent.
    >>> def always(quarters, as_of, window=4, needed=3):
    ...     return True
    >>> print(explorer_text(always, set(), "2024Q4").splitlines()[-1])
    Your function returned True: it disagrees with the rule here.
    """
    hits = _window_hits(ticked, as_of, window)
    count = sum(ok for _, ok in hits)
    expected = count >= needed
    marks = ", ".join(f"{q} {'yes' if ok else 'no'}" for q, ok in hits)
    lines = [
        f"Quarters {hits[0][0]}-{hits[-1][0]}: {marks}.",
        f"{count} of the last {window} quarters have next-level evidence; the rule needs "
        f"{needed}: {'consistent' if expected else 'not yet consistent'}.",
    ]
    if rule is not None:
        result, error = _call_rule(rule, set(ticked), as_of, window, needed)
        if error:
            lines.append(f"Could not check your function: {error}.")
        elif not isinstance(result, bool):
            lines.append(f"Your function returned {result!r}; it should return True or False.")
        elif result == expected:
            lines.append(f"Your function returned {result}: it agrees with the rule.")
        else:
            lines.append(f"Your function returned {result}: it disagrees with the rule here.")
    return "\n".join(lines)


@lru_cache(maxsize=1)
def _explorer_class() -> type:
    """The widget class, built on first use so ipywidgets is imported lazily."""
    import ipywidgets as widgets

    from course.widgets import with_plain_text

    class ConsistencyExplorer(widgets.VBox):
        """A VBox whose plain-text view is :func:`explorer_text` (for headless runs)."""

        def _repr_mimebundle_(self, **kwargs: Any) -> Any:
            bundle = super()._repr_mimebundle_(**kwargs)
            return with_plain_text(bundle, self.text())

        def ticked(self) -> set[str]:
            """Quarters currently marked as having next-level evidence."""
            return {t.description for t in self.toggles if t.value}

        def text(self) -> str:
            return explorer_text(self.rule, self.ticked(), self.as_of.value,
                                 window=self.window, needed=self.needed)

        def update(self, *_: Any) -> None:
            """Recompute the verdict (called whenever a toggle or the quarter changes)."""
            window = set(last_quarters(self.as_of.value, self.window))
            for t in self.toggles:
                t.layout.border = "2px solid #0072B2" if t.description in window else ""
            lines = self.text().splitlines()
            colour = "#222222"
            if len(lines) > 2:
                colour = "#009E73" if "agrees" in lines[2] and "dis" not in lines[2] else "#D55E00"
            body = "<br>".join(html.escape(line) for line in lines[:2])
            extra = f"<br><b style='color:{colour}'>{html.escape(lines[2])}</b>" if len(
                lines) > 2 else ""
            self.verdict.value = f"<div style='font-size:13px'>{body}{extra}</div>"

    return ConsistencyExplorer


def consistency_explorer(
    rule: Callable[..., Any] | None = None,
    *,
    quarters: Sequence[str] | None = None,
    ticked: Iterable[str] = (),
    as_of: str | None = None,
    window: int = 4,
    needed: int = 3,
) -> Any:
    """A widget: toggle the quarters that have next-level evidence, pick a quarter, and
    see whether the dimension counts as consistent there, and whether ``rule`` agrees.

    ``quarters`` defaults to the span of the bundled log (2023Q1 to 2024Q4); ``ticked``
    sets which start switched on. The widget exposes ``toggles``, ``as_of``, ``verdict``
    and ``text()`` so tests can drive it.

    >>> w = consistency_explorer(ticked={"2024Q2", "2024Q3", "2024Q4"}, as_of="2024Q4")
    >>> w.text().splitlines()[1].endswith(": consistent.")
    True
    >>> w.toggles[-1].value = False
    >>> w.text().splitlines()[1].endswith("not yet consistent.")
    True
    """
    import ipywidgets as widgets

    quarters = list(quarters or quarter_range("2023Q1", "2024Q4"))
    for q in quarters:
        _parse_quarter(q)
    on = set(ticked)
    cls = _explorer_class()
    toggles = [
        widgets.ToggleButton(value=q in on, description=q, tooltip=f"next-level evidence in {q}",
                             layout=widgets.Layout(width="80px"))
        for q in quarters
    ]
    pick = widgets.Dropdown(options=quarters, value=as_of or quarters[-1],
                            description="As of:", layout=widgets.Layout(width="200px"))
    verdict = widgets.HTML()
    intro = widgets.HTML(
        "<i>Switch on the quarters with next-level evidence; the outlined ones are the "
        f"{window}-quarter window that ends at the chosen quarter.</i>"
    )
    panel = cls([intro, widgets.HBox(toggles, layout=widgets.Layout(flex_flow="row wrap")),
                 pick, verdict])
    panel.rule, panel.toggles, panel.as_of, panel.verdict = rule, toggles, pick, verdict
    panel.window, panel.needed = window, needed
    for t in toggles:
        t.observe(panel.update, names="value")
    pick.observe(panel.update, names="value")
    panel.update()
    return panel
