"""Facts: what an exercise gives the learner, as the numbers an answer is checked against.

An exercise that gives the learner facts passes them to :func:`course.prose.review` as
``context={"facts": [...]}``, each fact a dict with the fields of the course's fact
sheet (``assets/case/facts.toml``): ``counts`` (what it counts), ``number`` (or
``date``), ``unit``, ``period``, and optionally ``id``, ``team``, ``measure`` and
``computed``.  A fact may instead be a line of the fact table as the learner reads it:
``{"text": ..., "when": ...}`` (its numbers are read the way an answer's are, by
:func:`course.prose.claims.mentions`).

Besides the numbers the facts state, :func:`facts_of` adds those they imply: the
difference, change in per cent and ratio of two facts about one measure, the product of
a count and a price on one line, and the minutes between two times of a timeline.
:func:`fact_problems` says what is wrong with facts an author declared.

>>> facts = facts_of({"facts": [
...     {"counts": "p99 latency before the change", "number": 480, "unit": "ms",
...      "measure": "p99"},
...     {"counts": "p99 latency after the change", "number": 120, "unit": "ms",
...      "measure": "p99"}]})
>>> [(f.label, f.q.kind, round(f.q.value, 3)) for f in facts]
... # doctest: +NORMALIZE_WHITESPACE
[('480 ms', 'time', 0.48), ('120 ms', 'time', 0.12),
 ('480 ms and 120 ms', 'time', 0.36), ('480 ms and 120 ms', '%', 75.0),
 ('480 ms and 120 ms', '%', 300.0), ('480 ms and 120 ms', 'x', 4.0)]
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from . import engine
from .analysis import is_verbish
from .claims import mentions
from .periods import period_range, periods_in
from .quantities import (
    MAX_NOUN_WORDS,
    MONEY_SIGNS,
    MONEY_WORDS,
    SECONDS_IN,
    Quantity,
    content_groups,
    format_number,
    group,
    stop_words,
    time_unit,
)
from .text import parse


@dataclass(frozen=True)
class Fact:
    """A fact an answer's numbers are checked against."""

    label: str  # how a message names it: "5 other teams", "480 ms (before)"
    q: Quantity
    heads: frozenset[str]
    words: frozenset[str]
    lo: Any = None  # first and last day of its period (None: any)
    hi: Any = None
    measure: str = ""
    derived: bool = False
    noun: str = ""  # what it counts, as a message says it ("integration bugs")
    given: bool = False  # read from a line of the fact table
    computed: bool = False  # a number the learner computes (in another exercise)
    hidden: bool = False  # ... whose value this copy of the facts keeps back
    #: the words of the line a duration starts from, and those of the line it ends at
    #: that the first lacks: a number it supports must share a word with each ("the
    #: alarm fired 18 minutes after impact began")
    parts: tuple[frozenset[str], ...] = ()


# ------------------------------------------------------------------ facts the exercise states
def _fact_quantity(number: float, unit: str) -> tuple[Quantity, list[str]] | None:
    """The quantity of a sheet fact and the noun words of its unit ("pages a month")."""
    words = [w for w in re.findall(r"[\w%$€£]+", unit.lower())]
    first = words[0] if words else ""
    if first in engine.MULTIPLIERS and first not in ("k", "m"):
        number, words = number * engine.MULTIPLIERS[first], words[1:]
        first = words[0] if words else ""
    if first in ("%", "percent", "percentage"):
        return Quantity(number, "%"), []
    if time_unit(first):
        name = time_unit(first) or ""
        if name == "year" and 1900 <= number <= 2100:
            return None  # a year, not a duration
        return Quantity(number * SECONDS_IN[name], "time", name), []
    if first in MONEY_WORDS or first in MONEY_SIGNS:
        return Quantity(number, "money"), []
    if first in ("x", "times"):
        return Quantity(number, "x"), []
    stops = stop_words()
    noun = []
    for w in words:
        if w in stops or engine.number_value(w) is not None:
            break
        noun.append(w)
    return Quantity(number), noun


def _leading_noun(counts: str) -> list[str]:
    """The noun phrase that starts a fact's ``counts`` ("integration bugs the ...")."""
    stops = stop_words()
    out: list[str] = []
    for w in re.findall(r"[\w'’-]+", counts.lower()):
        if w in stops:
            if out:
                break
            continue
        if (is_verbish(w) and out) or len(out) >= MAX_NOUN_WORDS:
            break
        out.append(w)
    return out


_HALF = {"1": "first", "2": "second"}
_MONTH_NAMES = ("January February March April May June July August September October "
                "November December").split()


def human_period(period: str) -> str:
    """A period id as a reader says it.

    >>> human_period("2024H1"), human_period("2023-08..09"), human_period("2023Q3")
    ('first half of 2024', 'August to September 2023', 'Q3 2023')
    """
    if m := re.fullmatch(r"(\d{4})H([12])", period):
        return f"{_HALF[m[2]]} half of {m[1]}"
    if m := re.fullmatch(r"(\d{4})(Q[1-4](?:-Q[1-4])?)", period):
        return f"{m[2]} {m[1]}"
    if m := re.fullmatch(r"(\d{4})-(\d\d)\.\.(\d\d)", period):
        return f"{_MONTH_NAMES[int(m[2]) - 1]} to {_MONTH_NAMES[int(m[3]) - 1]} {m[1]}"
    if m := re.fullmatch(r"(\d{4})-(\d\d)", period):
        return f"{_MONTH_NAMES[int(m[2]) - 1]} {m[1]}"
    if m := re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)", period):
        return f"{int(m[3])} {_MONTH_NAMES[int(m[2]) - 1]} {m[1]}"
    return period


def sheet_fact(item: dict[str, Any]) -> Fact | None:
    """A :class:`Fact` from a dict with the fact sheet's fields (None for a date fact).

    A fact marked ``computed`` without a number is one the learner computes in another
    exercise, so the learner's copy of the facts does not give its value away: a number
    about it is left unchecked there.  The grader gives it its value (from the source),
    and then it is checked like any other fact.
    """
    computed = bool(item.get("computed"))
    hidden = computed and item.get("number") is None
    number = 0.0 if hidden else item.get("number")
    if number is None or isinstance(number, bool):
        return None
    unit, counts = str(item.get("unit", "")), str(item.get("counts", ""))
    made = _fact_quantity(float(number), unit)
    if made is None:
        return None
    q, unit_noun = made
    lead = _leading_noun(counts)
    heads = {group(w) for w in unit_noun[-1:] + lead[-1:]}
    if q.kind == "time":
        heads = {q.unit}
    words = content_groups(re.findall(r"[\w'’-]+", f"{counts} {unit} {item.get('team', '')}"
                                      .lower()))
    period = str(item.get("period", ""))
    days = period_range(period)
    shown = unit if unit and q.kind != "count" or unit_noun else " ".join(lead)
    label = f"{format_number(float(number))}{'' if shown.startswith('%') else ' '}{shown}".strip()
    if days:
        label += f" ({human_period(period)})"
    noun = " ".join(unit_noun or lead) if q.kind == "count" else ""
    return Fact(label, q, frozenset(heads) | frozenset({group(w) for w in unit_noun}),
                words | frozenset(heads), *(days or (None, None)),
                measure=str(item.get("measure", "")), noun=noun, computed=computed,
                hidden=hidden, derived=hidden)


def given_facts(text: str, when: str = "") -> list[Fact]:
    """Facts read from a line of a fact table as the learner sees it.

    >>> [f.label for f in given_facts("5 other teams used the kit for 11 launches.",
    ...                               "January to June 2024")]
    ['5 other teams (January to June 2024)', '11 launches (January to June 2024)']
    """
    doc = parse(text)
    row = periods_in(when)
    out = []
    for m in mentions(doc):
        p = m.period or (row[0] if row else None)
        said = " ".join(doc.plain[m.start : m.end].split())
        label = said + (f" ({when})" if when and row else "")
        noun = said.split(None, 1)[1] if m.q.kind == "count" and " " in said else ""
        out.append(Fact(label, m.q, m.heads, m.near | m.heads,
                        p.lo if p else None, p.hi if p else None, noun=noun, given=True))
    return out


# ------------------------------------------------------------------ facts they imply
def _derived(facts: list[Fact]) -> list[Fact]:
    """Differences, changes in per cent and ratios of two facts set side by side: two
    facts about one measure, or two numbers of one line of a fact table that count the
    same thing ("half a day instead of about 3 days")."""
    out = []
    for i, a in enumerate(facts):
        for b in facts[i + 1 :]:
            same = (a.measure and a.measure == b.measure) or (
                not a.measure and not b.measure and a.heads == b.heads)
            if not same or a.q.kind != b.q.kind or a.q.value == b.q.value:
                continue
            out += _pair(a, b)
    return out


def _pair(a: Fact, b: Fact) -> list[Fact]:
    hi, lo = max(a.q.value, b.q.value), min(a.q.value, b.q.value)
    label = f"{a.label} and {b.label}"
    heads, words = a.heads | b.heads, a.words | b.words
    out = [Fact(label, Quantity(hi - lo, a.q.kind, a.q.unit or b.q.unit), heads, words,
                derived=True)]
    out += [Fact(label, Quantity(100 * (hi - lo) / base, "%"), heads, words, derived=True)
            for base in (a.q.value, b.q.value) if base]
    if lo:
        out.append(Fact(label, Quantity(hi / lo, "x"), heads, words, derived=True))
    return out


def _products(row: list[Fact]) -> list[Fact]:
    """Numbers one line of a fact table implies by multiplying two of its numbers: a
    count times a price ("300,000 more rentals a month at $4 each": $1.2 million) or a
    factor ("1,100 requests per second; 1.5 times that": 1,650)."""
    out = []
    for a in row:
        for b in row:
            if a is b or b.q.kind not in ("money", "x") or a.q.kind not in ("count", "money"):
                continue
            if a.q.kind == "money" and b.q.kind == "money":
                continue
            kind = "money" if "money" in (a.q.kind, b.q.kind) else a.q.kind
            out.append(Fact(f"{a.label} and {b.label}", Quantity(a.q.value * b.q.value, kind),
                            a.heads, a.words | b.words, derived=True))
    return out


@cache
def _TIME_GROUPS() -> frozenset[str]:  # noqa: N802  (a constant, built on first use)
    return frozenset(group(w) for w in SECONDS_IN) | frozenset(SECONDS_IN)


_STAMP = re.compile(r"(\d{4}-\d\d-\d\d)[ T](\d\d):(\d\d)(?::(\d\d))?")


def _durations(items: list[Any]) -> list[Fact]:
    """The minutes between any two lines of a timeline (lines dated to the second or the
    minute, on one day): "the alarm fired 18 minutes after impact began" is read from the
    times of its two lines, which the learner computes and the facts need not state."""
    stamped = []
    for item in items:
        row = _row(item)
        m = _STAMP.match(row[1]) if row else None
        if row and m:
            seconds = int(m[2]) * 3600 + int(m[3]) * 60 + int(m[4] or 0)
            stamped.append((m[1], seconds, f"{m[2]}:{m[3]}", content_groups(
                [w.lower() for w in re.findall(r"[\w'’-]+", row[0])])))
    stamped.sort()
    out = []
    for i, (day, t0, at0, w0) in enumerate(stamped):
        for day1, t1, at1, w1 in stamped[i + 1 :]:
            if day1 == day and t1 > t0:
                minutes = (t1 - t0) / 60
                out.append(Fact(f"{format_number(minutes)} minutes ({at0} to {at1})",
                                Quantity(minutes * 60, "time", "minute"),
                                frozenset({"minute"}), w0 | w1 | {group("minute")}, derived=True,
                                parts=(w0 - _TIME_GROUPS(), w1 - w0 - _TIME_GROUPS())))
    return out


# ------------------------------------------------------------------ the facts of a context
def _row(item: Any) -> tuple[str, str] | None:
    if isinstance(item, str):
        return item, ""
    if isinstance(item, dict) and "text" in item:
        return str(item["text"]), str(item.get("when", ""))
    return None


@lru_cache(maxsize=64)
def _facts_from_json(blob: str) -> tuple[Fact, ...]:
    items = json.loads(blob)
    sheet = [f for f in (sheet_fact(x) for x in items if isinstance(x, dict) and "text" not in x)
             if f is not None]
    computed = [f for f in sheet if f.hidden]
    sheet = [f for f in sheet if not f.hidden]
    rows = [given_facts(*row) for x in items if (row := _row(x))]
    # numbers a fact's description states ("for 99 in 100 title-page visits")
    rows += [given_facts(str(x["counts"])) for x in items
             if isinstance(x, dict) and "text" not in x and any(c.isdigit() for c in
                                                                 str(x.get("counts", "")))]
    given = [g for row in rows for g in row]
    derived = _derived(sheet) + [d for row in rows for d in _derived(row) + _products(row)]
    return tuple(sheet + given + _durations(items) + derived + computed)


def facts_of(context: dict[str, Any]) -> tuple[Fact, ...]:
    """The facts of an exercise context (``context["facts"]``), read once per content."""
    items = context.get("facts") or ()
    if not items:
        return ()
    return _facts_from_json(json.dumps(list(items), sort_keys=True, default=str))


# ------------------------------------------------------------------ validation
_ID_SHAPE = re.compile(r"\d{4}(?:[HQ]\d|-\d|$)")  # what a period id looks like (else a label)
FACT_FIELDS = frozenset({"id", "counts", "number", "date", "unit", "period", "team", "measure",
                         "computed"})
ROW_FIELDS = frozenset({"text", "when", "facts"})


def fact_problems(items: Any) -> list[str]:
    """What is wrong with a list of facts (nothing: an empty list).

    >>> fact_problems([{"counts": "teams", "number": "five"}, {"text": ""}, 3])
    ... # doctest: +NORMALIZE_WHITESPACE
    ["fact 1: number must be a number, not 'five'", 'fact 2: text is empty',
     'fact 3: expected a table of fields or a line of text, not int']
    """
    if not isinstance(items, (list, tuple)):
        return [f"facts must be a list, not {type(items).__name__}"]
    out = []
    for n, item in enumerate(items, start=1):
        if isinstance(item, str):
            out += [f"fact {n}: text is empty"] if not item.strip() else []
        elif not isinstance(item, dict):
            out.append(f"fact {n}: expected a table of fields or a line of text, "
                       f"not {type(item).__name__}")
        elif "text" in item:
            out += _row_problems(n, item)
        else:
            out += _fact_problems(n, item)
    return out


def _row_problems(n: int, item: dict[str, Any]) -> list[str]:
    out = [f"fact {n}: unknown field {k!r}" for k in sorted(set(item) - ROW_FIELDS)]
    if not isinstance(item["text"], str) or not item["text"].strip():
        out.append(f"fact {n}: text is empty")
    if "when" in item and not isinstance(item["when"], str):
        out.append(f"fact {n}: when must be text")
    return out


def _fact_problems(n: int, item: dict[str, Any]) -> list[str]:
    out = [f"fact {n}: unknown field {k!r}" for k in sorted(set(item) - FACT_FIELDS)]
    if not str(item.get("counts", "")).strip():
        out.append(f"fact {n}: counts (what it counts) is required")
    number, date = item.get("number"), item.get("date")
    if item.get("computed") not in (None, True, False):
        out.append(f"fact {n}: computed must be true or false")
    if number is None and date is None and not item.get("computed"):
        out.append(f"fact {n}: give a number or a date (or computed = true)")
    if item.get("computed") and (number is not None or date is not None):
        out.append(f"fact {n}: a computed fact gives no number or date (the learner's "
                   "notebook must not show it)")
    if number is not None and (isinstance(number, bool) or not isinstance(number, (int, float))
                               or not math.isfinite(number)):
        out.append(f"fact {n}: number must be a number, not {number!r}")
    for key in ("unit", "period", "team", "measure", "id"):
        if key in item and not isinstance(item[key], str):
            out.append(f"fact {n}: {key} must be text, not {item[key]!r}")
    period = item.get("period")
    if isinstance(period, str) and _ID_SHAPE.match(period) and period_range(period) is None:
        out.append(f"fact {n}: period {period!r} is not a period id (2024, 2024H1, 2024Q1, "
                   "2024Q1-Q3, 2024-06, 2024-06..09, 2024-06-30) or a label")
    return out


__all__ = ["FACT_FIELDS", "ROW_FIELDS", "Fact", "fact_problems", "facts_of",
           "given_facts", "human_period", "sheet_fact"]
