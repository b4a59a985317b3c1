"""Periods: the time spans that text and facts name, as ranges of days.

A fact gives its period as an id (the format of ``assets/case/facts.toml``):
``2024`` (a year), ``2023H2`` (a half-year), ``2024Q1`` or ``2024Q1-Q3`` (quarters),
``2023-09`` or ``2023-08..09`` (months), ``2023-09-13`` (a day), or a label such as
``before`` that names no dates.  Text names periods in words: "the second half of
2023", "Q1 2024", "Aug to Sept 2023", "13 September 2023", "mid-2024", "by June 2024".

>>> period_range("2024Q1-Q3")
(datetime.date(2024, 1, 1), datetime.date(2024, 9, 30))
>>> t = "Outages went from 9 during the second half of 2023 to 2 by June 2024."
>>> [(t[p.start:p.end], p.lo.isoformat(), p.hi.isoformat()) for p in periods_in(t)]
... # doctest: +NORMALIZE_WHITESPACE
[('second half of 2023', '2023-07-01', '2023-12-31'),
 ('June 2024', '0001-01-01', '2024-06-30')]
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november "
    "december".split(), start=1)}  # fmt: skip
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS["sept"] = 9
_MONTH = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"((?:19|20)\d\d)"
_CAP_MONTH = r"(?:" + "|".join(sorted((m.title() for m in MONTHS), key=len, reverse=True)) + r")\.?"
_ORDINAL = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": 4}
EARLIEST, LATEST = dt.date.min, dt.date.max


def month_end(year: int, month: int) -> dt.date:
    """The last day of a month.

    >>> month_end(2024, 2), month_end(2023, 12)
    (datetime.date(2024, 2, 29), datetime.date(2023, 12, 31))
    """
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def _months(year: int, first: int, last: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, first, 1), month_end(year, last)


def period_range(period: str) -> tuple[dt.date, dt.date] | None:
    """First and last day of a period id (None for a label such as ``before``).

    >>> period_range("2023H2")
    (datetime.date(2023, 7, 1), datetime.date(2023, 12, 31))
    >>> period_range("2023-08..09"), period_range("after")
    ((datetime.date(2023, 8, 1), datetime.date(2023, 9, 30)), None)
    """
    period = str(period).strip()
    if m := re.fullmatch(r"(\d{4})", period):
        return _months(int(m[1]), 1, 12)
    if m := re.fullmatch(r"(\d{4})H([12])", period):
        h = int(m[2])
        return _months(int(m[1]), 6 * h - 5, 6 * h)
    if m := re.fullmatch(r"(\d{4})Q([1-4])(?:-Q([1-4]))?", period):
        a, b = int(m[2]), int(m[3] or m[2])
        return _months(int(m[1]), 3 * a - 2, 3 * b) if a <= b else None
    if m := re.fullmatch(r"(\d{4})-(\d\d)(?:\.\.(\d\d))?", period):
        a, b = int(m[2]), int(m[3] or m[2])
        return _months(int(m[1]), a, b) if 1 <= a <= b <= 12 else None
    if m := re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)", period):
        try:
            day = dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
        return day, day
    return None


def is_period_id(period: str) -> bool:
    """Is ``period`` an id :func:`period_range` understands (labels are not)?"""
    return period_range(period) is not None


@dataclass(frozen=True)
class Period:
    """A period named in a text: ``text[start:end]`` covers the days ``lo`` to ``hi``
    (open-ended after "by" / "until" / "before", or "since" / "after")."""

    start: int
    end: int
    lo: dt.date
    hi: dt.date
    named: tuple[dt.date, dt.date] | None = None  # the days the words name, before "by" etc.

    @property
    def id(self) -> str | None:
        """The period id of the days the words name ("2024H1"), if it has one."""
        return period_id(*self.named) if self.named else None

    def overlaps(self, lo: dt.date, hi: dt.date) -> bool:
        """Does this period share a day with ``lo..hi``?"""
        return self.lo <= hi and lo <= self.hi


def _month(name: str) -> int:
    return MONTHS[name.lower().rstrip(".")]


def _day(year: str, month: str, day: str) -> tuple[dt.date, dt.date] | None:
    try:
        d = dt.date(int(year), _month(month), int(day))
    except ValueError:
        return None
    return d, d


def _span(y1: str, m1: str, y2: str, m2: str) -> tuple[dt.date, dt.date] | None:
    lo, hi = dt.date(int(y1), _month(m1), 1), month_end(int(y2), _month(m2))
    return (lo, hi) if lo <= hi else None


_Make = Callable[[re.Match[str]], "tuple[dt.date, dt.date] | None"]
# (pattern, days it names): the most specific first; a later pattern never takes text an
# earlier one matched.
_PATTERNS: list[tuple[re.Pattern[str], _Make]] = [
    (re.compile(rf"\b({_MONTH}),? {_YEAR} ?(?:to|through|until|-|–|—) ?({_MONTH}),? {_YEAR}\b",
                re.I), lambda m: _span(m[2], m[1], m[4], m[3])),
    (re.compile(rf"\b(first|second) half of {_YEAR}\b", re.I),
     lambda m: period_range(f"{m[2]}H{_ORDINAL[m[1].lower()]}")),
    (re.compile(rf"\bfirst three quarters of {_YEAR}\b", re.I),
     lambda m: period_range(f"{m[1]}Q1-Q3")),
    (re.compile(rf"\b(first|second|third|fourth|last) quarter of {_YEAR}\b", re.I),
     lambda m: period_range(f"{m[2]}Q{_ORDINAL[m[1].lower()]}")),
    (re.compile(rf"\bH([12])(?: of)? {_YEAR}\b"), lambda m: period_range(f"{m[2]}H{m[1]}")),
    (re.compile(rf"\b{_YEAR} ?H([12])\b"), lambda m: period_range(f"{m[1]}H{m[2]}")),
    (re.compile(rf"\bQ([1-4])(?: ?(?:-|–|to) ?Q([1-4]))?(?:,? of)?,? {_YEAR}\b"),
     lambda m: period_range(f"{m[3]}Q{m[1]}" + (f"-Q{m[2]}" if m[2] else ""))),
    (re.compile(rf"\b{_YEAR} ?Q([1-4])(?:-Q([1-4]))?\b"),
     lambda m: period_range(f"{m[1]}Q{m[2]}" + (f"-Q{m[3]}" if m[3] else ""))),
    (re.compile(rf"\b{_YEAR}-(\d\d)-(\d\d)\b"), lambda m: period_range(m[0])),
    (re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)? ({_MONTH}),? {_YEAR}\b", re.I),
     lambda m: _day(m[3], m[2], m[1])),
    (re.compile(rf"\b({_MONTH}) (\d{{1,2}})(?:st|nd|rd|th)?,? {_YEAR}\b", re.I),
     lambda m: _day(m[3], m[1], m[2])),
    (re.compile(rf"\b({_MONTH}) ?(?:to|through|until|-|–|—) ?({_MONTH}),? {_YEAR}\b", re.I),
     lambda m: _months(int(m[3]), _month(m[1]), _month(m[2]))
     if _month(m[1]) <= _month(m[2]) else None),
    (re.compile(rf"\b({_MONTH}),? {_YEAR}\b", re.I),
     lambda m: _months(int(m[2]), _month(m[1]), _month(m[1]))),
    (re.compile(rf"\b{_YEAR}-(\d\d)\b(?!-)"),
     lambda m: _months(int(m[1]), int(m[2]), int(m[2])) if 1 <= int(m[2]) <= 12 else None),
    (re.compile(rf"\b(?:early|the start of|the beginning of|beginning of|start of) {_YEAR}\b",
                re.I), lambda m: _months(int(m[1]), 1, 4)),
    (re.compile(rf"\bmid-? ?{_YEAR}\b", re.I), lambda m: _months(int(m[1]), 5, 8)),
    (re.compile(rf"\b(?:late|the end of|end of) {_YEAR}\b", re.I),
     lambda m: _months(int(m[1]), 9, 12)),
    (re.compile(rf"(?<![\w$€£.,-]){_YEAR}(?![\w%-]|[.,]\d)"), lambda m: period_range(m[1])),
    # a day without its year ("by 6 September", "on March 14"): a date, of no known year
    (re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)? {_CAP_MONTH}\b"), lambda m: (EARLIEST, LATEST)),
    (re.compile(rf"\b{_CAP_MONTH} \d{{1,2}}(?:st|nd|rd|th)?\b(?![.,]\d)"),
     lambda m: (EARLIEST, LATEST)),
]
def _this(text: str, today: dt.date | None) -> list[tuple[int, int, tuple[dt.date, dt.date]]]:
    if today is None:
        return []
    out = []
    for m in re.finditer(r"\bthis (quarter|year)\b", text, re.I):
        if m[1].lower() == "year":
            days = period_range(str(today.year))
        else:
            days = period_range(f"{today.year}Q{(today.month - 1) // 3 + 1}")
        if days:
            out.append((m.start(), m.end(), days))
    return out


_QUALIFIER = re.compile(r"\b(by|until|till|through|up to|before|since|from|after)\s+(?:the\s+)?$",
                        re.I)


def _qualified(days: tuple[dt.date, dt.date], before: str) -> tuple[dt.date, dt.date]:
    """The days of a period as the word before it bounds them ("by", "since", ...)."""
    m = _QUALIFIER.search(before)
    word = m[1].lower() if m else ""
    one = dt.timedelta(days=1)
    if word == "before":
        return EARLIEST, max(days[0] - one, EARLIEST)
    if word == "after":
        return min(days[1] + one, LATEST), LATEST
    if word in ("since", "from"):
        return days[0], LATEST
    if word:
        return EARLIEST, days[1]
    return days

def period_id(first: dt.date, last: dt.date) -> str | None:
    """The id of the period from ``first`` to ``last`` (None if no id names it).

    >>> import datetime as dt
    >>> h1 = (dt.date(2024, 1, 1), dt.date(2024, 6, 30))
    >>> period_id(*h1), period_id(dt.date(2023, 8, 1), dt.date(2023, 9, 30))
    ('2024H1', '2023-08..09')
    """
    if first.year != last.year or first.day != 1 and first != last:
        return None
    y = first.year
    for pid in (f"{y}", f"{y}H1", f"{y}H2", *(f"{y}Q{a}" + (f"-Q{b}" if b > a else "")
                                             for a in range(1, 5) for b in range(a, 5))):
        if period_range(pid) == (first, last):
            return pid
    if first == last:
        return first.isoformat()
    if last == month_end(y, last.month):
        a, b = first.month, last.month
        return f"{y}-{a:02d}" + (f"..{b:02d}" if b > a else "")
    return None


def periods_in(text: str, today: dt.date | None = None, *, join: bool = True) -> list[Period]:
    """The periods ``text`` names, in order; "by June 2024" runs from the earliest day,
    "since January 2024" to the latest; "this quarter" and "this year" need ``today``
    (the day the text was written), else they are left out.  With ``join``, "between P1
    and P2" and "from P1 to P2" are one period.

    >>> [(p.lo.isoformat(), p.hi.isoformat()) for p in periods_in("Q1 2024; since mid-2023")]
    [('2024-01-01', '2024-03-31'), ('2023-05-01', '9999-12-31')]
    >>> [(p.lo.isoformat(), p.hi.isoformat()) for p in periods_in("from May 2023 to Q1 2024")]
    [('2023-05-01', '2024-03-31')]
    """
    found: list[Period] = []
    taken: list[tuple[int, int]] = []
    for pattern, make in _PATTERNS:
        for m in pattern.finditer(text):
            s, e = m.span()
            if any(a < e and s < b for a, b in taken):
                continue
            days = make(m)
            if days is None:
                continue
            taken.append((s, e))
            lo, hi = _qualified(days, text[max(0, s - 16) : s])
            found.append(Period(s, e, lo, hi, days))
    for s, e, days in _this(text, today):
        if not any(a < e and s < b for a, b in taken):
            found.append(Period(s, e, *_qualified(days, text[max(0, s - 16) : s]), days))
    found.sort(key=lambda p: p.start)
    return _joined(text, found) if join else found


_BETWEEN = re.compile(r"\b(?:between|from)\s+(?:the\s+)?$", re.I)
_AND = re.compile(r"\s*(?:and|to|through|until|-|–|—)\s+(?:the\s+)?", re.I)


def _joined(text: str, found: list[Period]) -> list[Period]:
    """"between P1 and P2", "from P1 to P2": one period from the start of P1 to the end
    of P2."""
    out: list[Period] = []
    for p in found:
        last = out[-1] if out else None
        if (last is not None and _AND.fullmatch(text[last.end : p.start])
                and _BETWEEN.search(text[max(0, last.start - 16) : last.start])):
            days = (last.named[0], p.named[1]) if last.named and p.named else None
            out[-1] = Period(last.start, p.end, last.lo, max(p.hi, last.lo), days)
        else:
            out.append(p)
    return out

