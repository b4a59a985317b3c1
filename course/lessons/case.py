"""The case study's fact sheet (``assets/case/facts.toml``) and a checker for case facts.

The course follows one engineer who rewrote a video store's offers service. Every number
the notebooks, the data files and the model answers state about that story comes from
one machine-readable sheet:

* ``[[fact]]``: one atomic fact: its ``number`` (or ``date``), what it ``counts`` and in
  which ``unit``, the ``period`` it covers (``2023H2``, ``2024Q1``, ``2023-09``, ``2024``,
  ``2024Q1-Q3``, or a label such as ``before``) and the ``team`` it is about. Facts that
  text states in several places name a ``measure``.
* ``[[measure]]``: how text refers to a measure, so :func:`contradictions` can find
  claims about it: a ``cue`` (the noun phrase) and, for facts that are easier to read
  with one pattern, ``patterns`` whose named groups hold the number (``n``, or
  ``n_<period>`` when the pattern also fixes the period) and optionally the period
  (``p``); ``requires`` limits a measure to sentences that also match it.
* ``[[table]]``: the fact tables and fact lists the exercises show, row by row, each row
  naming the facts it is made from. :func:`render` writes a table as the Markdown a
  notebook cell holds; ``tests/test_case_facts.py`` checks the notebooks hold exactly that.

>>> sheet = load()
>>> sheet.value("integration_incidents", "2023H2")
7
>>> print(*contradictions("Launch-week incidents: 7 in H2 2023, down to 1 in Q1 2024."))
launch-week incidents caused by integration bugs, across the org: the sheet has no value for \
2024Q1 (text says 1)
>>> contradictions("Launch-week incidents: 7 in the second half of 2023 and 1 "
...                "in the first half of 2024.")
[]
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import tomllib

from course import paths
from course.prose.engine import NUMBER_VALUES

__all__ = ["Fact", "Measure", "Sheet", "cell_texts", "contradictions", "early_claims", "load",
           "periods_in", "render", "sheet_path"]

#: number words up to twelve, valued as the prose checks value them (and "no": none)
_WORDS = {"no": 0, **{w: int(v) for w, v in NUMBER_VALUES.items()
                      if float(v).is_integer() and v <= 12 and w != "dozen"}}
_NUMBER = re.compile(r"(?<![\w.,:-])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w:]|[.,]\d)"
                     r"|\b(" + "|".join(_WORDS) + r")\b", re.I)
_BOUNDS = re.compile(r"\b(?:under|below|above|over|fewer than|less than|more than|at most|"
                     r"at least|up to|target(?: of)?|goal(?: of)?|aim(?: of)?)\s*(?:about\s+)?$",
                     re.I)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(*])|\n\s*\n|\n\s*[-*|]\s|\n(?=\|)")


@dataclass(frozen=True)
class Fact:
    """One atomic fact of the case study."""

    id: str
    counts: str
    number: float | None = None
    date: dt.date | None = None
    unit: str = ""
    period: str = ""
    team: str = ""
    measure: str = ""


@dataclass(frozen=True)
class Measure:
    """How text refers to a quantity the sheet holds for one or more periods."""

    id: str
    counts: str
    cue: re.Pattern[str] | None
    patterns: tuple[re.Pattern[str], ...] = ()
    requires: re.Pattern[str] | None = None
    values: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Sheet:
    """The whole fact sheet."""

    facts: dict[str, Fact]
    measures: dict[str, Measure]
    tables: dict[str, dict]

    def value(self, measure: str, period: str) -> float | None:
        """The number the sheet holds for ``measure`` in ``period`` (None if none)."""
        return self.measures[measure].values.get(period)


def sheet_path() -> Path:
    """Where the fact sheet lives."""
    return paths.assets_dir() / "case" / "facts.toml"


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


@lru_cache(maxsize=4)
def _load(path: Path) -> Sheet:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    facts: dict[str, Fact] = {}
    for item in raw.get("fact", []):
        fact = Fact(id=item["id"], counts=item["counts"], number=item.get("number"),
                    date=item.get("date"), unit=item.get("unit", ""),
                    period=str(item.get("period", "")), team=item.get("team", ""),
                    measure=item.get("measure", ""))
        if fact.id in facts:
            raise ValueError(f"fact {fact.id!r} is defined twice")
        facts[fact.id] = fact
    measures: dict[str, Measure] = {}
    for item in raw.get("measure", []):
        values = {f.period: _number(f.number) for f in facts.values()
                  if f.measure == item["id"] and f.number is not None}
        measures[item["id"]] = Measure(
            id=item["id"], counts=item["counts"],
            cue=re.compile(item["cue"], re.I) if item.get("cue") else None,
            patterns=tuple(re.compile(p, re.I) for p in item.get("patterns", ())),
            requires=re.compile(item["requires"], re.I) if item.get("requires") else None,
            values=values)
    unknown = {f.measure for f in facts.values() if f.measure} - set(measures)
    if unknown:
        raise ValueError(f"facts name measures the sheet does not define: {sorted(unknown)}")
    tables = {t["id"]: t for t in raw.get("table", [])}
    for table in tables.values():
        for row in table.get("row", []):
            missing = set(row.get("facts", ())) - set(facts)
            if missing:
                raise ValueError(f"table {table['id']!r} names unknown facts {sorted(missing)}")
    return Sheet(facts, measures, tables)


def load(path: Path | None = None) -> Sheet:
    """The fact sheet (cached per path)."""
    return _load(Path(path) if path else sheet_path())


def render(table_id: str, sheet: Sheet | None = None) -> str:
    """The Markdown of one fact table or fact list, exactly as a notebook cell holds it.

    >>> print(render("08-kit").splitlines()[0])
    | When | Fact |
    """
    table = (sheet or load()).tables[table_id]
    rows = table.get("row", [])
    if table.get("style") == "bullets":
        return "\n".join(f"- **{r['label']}:** {r['text']}" if r.get("label")
                         else f"- {r['text']}" for r in rows)
    head = table.get("columns", ["When", "Fact"])
    lines = [f"| {' | '.join(head)} |", "|" + "---|" * len(head)]
    lines += [f"| {r['when']} | {r['text']} |" for r in rows]
    return "\n".join(lines)


# ------------------------------------------------------------------ the checker

@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    value: object


def periods_in(text: str, today: dt.date | None = None) -> list[_Span]:
    """Period expressions in ``text``, as spans whose value is a period id: the grammar of
    :func:`course.prose.periods.periods_in` (the one the prose checks read periods with).

    ``this quarter`` and ``this year`` resolve against ``today`` (a dated log entry);
    without it they are dropped.

    >>> [p.value for p in periods_in("from H2 2023 to the first half of 2024, by 2025")]
    ['2023H2', '2024H1', '2025']
    >>> [p.value for p in periods_in("1 this quarter", dt.date(2024, 2, 20))]
    ['2024Q1']
    """
    from course.prose.periods import periods_in as read

    return [_Span(p.start, p.end, p.id) for p in read(text, today, join=False) if p.id]


def period_range(period: str) -> tuple[dt.date, dt.date] | None:
    """First and last day of a period id (None for labels such as ``before``).

    >>> period_range("2024Q1-Q3")
    (datetime.date(2024, 1, 1), datetime.date(2024, 9, 30))
    >>> period_range("2023-08..09")
    (datetime.date(2023, 8, 1), datetime.date(2023, 9, 30))
    """
    from course.prose.periods import period_range as days

    return days(period)


def _numbers(text: str, skip: list[_Span]) -> list[_Span]:
    out = []
    for m in _NUMBER.finditer(text):
        if any(s.start <= m.start() < s.end for s in skip):
            continue
        raw = m.group(1) or m.group(2)
        value = _WORDS[raw.lower()] if m.group(2) else float(raw.replace(",", ""))
        out.append(_Span(m.start(), m.end(), _number(value)))
    return out


def _words_between(text: str, start: int, end: int) -> int:
    return len(re.findall(r"[\w'-]+", text[start:end]))


def _claims(sentence: str, sheet: Sheet, today: dt.date | None
            ) -> list[tuple[str, float, str | None]]:
    """(measure id, number, period or None) for every claim the sentence makes."""
    claims: list[tuple[str, float, str | None]] = []
    active = [m for m in sheet.measures.values()
              if m.requires is None or m.requires.search(sentence)]
    taken: list[tuple[int, int]] = []
    for measure in active:
        for pattern in measure.patterns:
            for m in pattern.finditer(sentence):
                taken.append((m.start(), m.end()))
                groups = {k: v for k, v in m.groupdict().items() if v is not None}
                period = groups.pop("p", None)
                if period is not None:
                    found = periods_in(period, today)
                    period = found[0].value if found else None
                for name, raw in groups.items():
                    nums = _numbers(raw, [])
                    if not nums:
                        continue
                    label = name[2:] if name.startswith("n_") else period
                    claims.append((measure.id, nums[0].value, label))
    periods = periods_in(sentence, today)
    cues: list[tuple[int, int, Measure]] = []
    for measure in active:
        if measure.cue is None:
            continue
        cues += [(m.start(), m.end(), measure) for m in measure.cue.finditer(sentence)]
    cues = [c for c in cues if not any(o is not c and o[0] <= c[0] and c[1] <= o[1]
                                       and (o[1] - o[0]) > (c[1] - c[0]) for o in cues)]
    if not cues:
        return claims
    clause_breaks = [m.start() for m in re.finditer(r"[,;:]\s|\s[-–]\s", sentence)]
    for num in _numbers(sentence, periods):
        if any(a <= num.start < b for a, b in taken):
            continue
        if _BOUNDS.search(sentence[:num.start]):
            continue
        after = [c for c in cues if c[0] >= num.end and _words_between(sentence, num.end, c[0]) <= 2
                 and re.fullmatch(r"[\w\s-]*", sentence[num.end:c[0]])]
        bound = next((p for p in periods if p.start >= num.end
                      and _words_between(sentence, num.end, p.start) <= 3
                      and re.fullmatch(r"\s*(?:in|during|over|for|of|by)?\s*(?:the\s+)?",
                                       sentence[num.end:p.start], re.I)), None)
        measure = None
        if after:
            measure = min(after, key=lambda c: c[0])[2]
        else:
            before = [c for c in cues if c[1] <= num.start]
            same_clause = [c for c in before
                           if not any(c[1] <= b < num.start for b in clause_breaks)]
            lead = sentence[max(0, num.start - 12):num.start].lower()
            if bound is not None and before:
                measure = max(before, key=lambda c: c[1])[2]
            elif same_clause and re.search(r"(?:from|to|→|->|:)\s*(?:about\s+)?$", lead):
                measure = max(same_clause, key=lambda c: c[1])[2]
        if measure is not None:
            claims.append((measure.id, num.value, bound.value if bound else None))
    return claims


def contradictions(text: str, *, today: dt.date | None = None,
                   sheet: Sheet | None = None) -> list[str]:
    """One line per claim in ``text`` that the fact sheet contradicts.

    A claim is a number the text ties to a measure of the sheet (by its cue or one of
    its patterns), with the period it names, if any. It contradicts the sheet when the
    sheet holds a different number for that period, holds nothing for that period, or
    (with no period named) holds that number for no period at all. Numbers after
    ``under``, ``at least``, ``target`` and the like are goals or bounds, not claims.
    ``today`` dates the text (a log entry), which fixes ``this quarter``.
    """
    sheet = sheet or load()
    problems: list[str] = []
    for sentence in _SENTENCE.split(text):
        if not sentence or not sentence.strip():
            continue
        for measure_id, number, period in _claims(sentence, sheet, today):
            measure = sheet.measures[measure_id]
            if period is not None:
                want = measure.values.get(period)
                if want is None:
                    problems.append(f"{measure.counts}: the sheet has no value for {period} "
                                    f"(text says {number:g})")
                elif want != number:
                    problems.append(f"{measure.counts}: {period} is {want:g}, text says "
                                    f"{number:g}")
            elif number not in measure.values.values():
                known = ", ".join(f"{v:g} ({p})" for p, v in measure.values.items())
                problems.append(f"{measure.counts}: text says {number:g}; the sheet has {known}")
    return list(dict.fromkeys(problems))


def early_claims(text: str, day: dt.date) -> list[str]:
    """Periods a text dated ``day`` reports on before they have ended.

    A log entry written on 20 February cannot report the whole of that quarter.

    >>> early_claims("7 in H2 2023, 1 this quarter", dt.date(2024, 2, 20))
    ['2024Q1 ends 2024-03-31, after the entry (2024-02-20)']
    """
    out = []
    for span in periods_in(text, day):
        bounds = period_range(str(span.value))
        if bounds and bounds[1] >= day and bounds[0] <= day:
            out.append(f"{span.value} ends {bounds[1]}, after the entry ({day})")
    return out


def cell_texts(cell: dict) -> list[str]:
    """The prose a notebook cell states: a markdown cell's text, a code cell's strings.

    Each string literal of a code cell is checked on its own (a dict of statements holds
    one claim per value); a cell that does not parse yields its raw text.

    >>> cell_texts({"cell_type": "code", "source": 'x = {1: "One.", 2: "Two " "words."}'})
    ['One.', 'Two words.']
    """
    import ast

    source = cell.get("source", "")
    if isinstance(source, list):
        source = "".join(source)
    if cell.get("cell_type") != "code":
        return [source]
    try:
        tree = ast.parse("\n".join(ln for ln in source.splitlines()
                                    if not ln.lstrip().startswith(("%", "!"))))
    except SyntaxError:
        return [source]
    return [n.value for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value.strip()]
