"""Grounding: the numbers of an answer, checked against the facts its exercise gives.

An exercise that gives the learner facts passes them to :func:`course.prose.review` as
``context={"facts": [...]}``, each fact a dict with the fields of the course's fact
sheet (``assets/case/facts.toml``): ``counts`` (what it counts), ``number`` (or
``date``), ``unit``, ``period``, and optionally ``id``, ``team`` and ``measure``.  A
fact may instead be a line of the fact table as the learner reads it: ``{"text": ...,
"when": ...}`` (its numbers are read the way an answer's are).

Each number of the answer is read together with what it counts: the noun after it ("5
other teams"), its unit ("480 ms", "17%", "3 days"), or, for a bare number, the words
of its clause ("incidents fell from 7 to 1"), and the period named right next to it.
A number is *supported* when a fact gives the same value (rounded as written; "about"
allows 10%; "more than" and "under" are bounds) for the same noun or unit and an
overlapping period, or when it is the difference, change in per cent or ratio of two
facts about the same measure.  A number whose noun or unit the facts count but whose
value or period they do not give is *unsupported*; one about something no fact counts
is *not in the facts* (a note, not an error).

>>> facts = [{"counts": "teams outside the engineer's own that used the kit",
...           "number": 5, "unit": "teams", "period": "2024H1"},
...          {"counts": "integration bugs the dry runs found", "number": 14, "unit": "bugs"},
...          {"counts": "launches that used the kit", "number": 11, "unit": "launches"}]
>>> from course.prose.analysis import Analysis
>>> def check(text):
...     a = Analysis.of(text)
...     a.context = {"facts": facts}
...     found = ground(a)
...     return found["supported"], [(text[s:e], f["facts"]) for s, e, f in found["unsupported"]]
>>> check("Five other teams used the kit for 11 launches.")
(2, [])
>>> check("By June 2024, 8 other teams had used it for 14 launches.")
... # doctest: +NORMALIZE_WHITESPACE
(0, [('8 other teams', '5 teams (first half of 2024)'),
     ('14 launches', '11 launches (14 is the number of bugs)')])
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
from .periods import LATEST, Period, period_range, periods_in
from .text import Doc, parse

# ------------------------------------------------------------------ units
_TIME = {"ms": 0.001, "millisecond": 0.001, "s": 1.0, "sec": 1.0, "second": 1.0,
         "min": 60.0, "minute": 60.0, "h": 3600.0, "hr": 3600.0, "hour": 3600.0,
         "day": 86400.0, "week": 604800.0, "month": 2629800.0, "quarter": 7889400.0,
         "year": 31557600.0}  # fmt: skip
_TIME_NAME = {"ms": "ms", "millisecond": "ms", "s": "second", "sec": "second",
              "min": "minute", "h": "hour", "hr": "hour"}  # fmt: skip
_MONEY_SIGNS = {"$": "$", "€": "€", "£": "£"}
_MONEY_WORDS = frozenset("usd dollar dollars eur euro euros gbp pound pounds".split())
_PERCENT_WORDS = frozenset({"percent", "pct", "%"})
_FACTOR_WORDS = frozenset({"x", "times"})
_EXTRA_STOPS = frozenset(
    "outside inside beyond instead including like such across within among against along "
    "around behind despite except toward towards upon onto than per via whose last next ago "
    "earlier later today yesterday tomorrow".split()
)
_SKIP_WORDS = frozenset({"one", "half", "hundred", "thousand", "million", "billion", "dozen"})
_RANGE = re.compile(r"\s*(?:to|through|until|down to|up to|→|->|–|—|-)\s*", re.I)
_FILLER = re.compile(r"\b(?:in|during|over|for|by|the|of|as|at)\b|[,()]", re.I)
_BREAK = re.compile(r"[,;:()\[\]—–]|\s-\s|[.!?]\s")
MAX_NOUN_WORDS = 3


def time_unit(word: str) -> str | None:
    """The canonical name of a time unit word ("mins" -> "minute"), or None.

    >>> time_unit("mins"), time_unit("ms"), time_unit("days"), time_unit("teams")
    ('minute', 'ms', 'day', None)
    """
    for w in (word, word[:-1] if word.endswith("s") and len(word) > 2 else word):
        if w in _TIME:
            return _TIME_NAME.get(w, w)
    return None


@dataclass(frozen=True)
class Quantity:
    """What a number measures: ``value`` in base units (seconds for times), ``kind``
    (``count``, ``%``, ``time``, ``money`` or ``x``) and the time unit as written."""

    value: float
    kind: str = "count"
    unit: str = ""

    def in_unit(self, value: float) -> float:
        """``value`` (base units) expressed in this quantity's unit."""
        return value / _TIME[self.unit] if self.kind == "time" and self.unit in _TIME else value


@dataclass
class Mention:
    """A number in a text and what it counts (plain-text offsets)."""

    start: int
    end: int
    q: Quantity
    heads: frozenset[str] = frozenset()  # noun groups of what it counts (empty: bare)
    near: frozenset[str] = frozenset()  # noun groups of the words of its clause
    around: frozenset[str] = frozenset()  # noun groups of the words of its sentence
    period: Period | None = None
    bound: str = ""  # "", "about", "min" (more than ...), "max" (under ...)
    spelled: bool = False
    decimals: int = 0
    goal: bool = False  # in a clause that states a goal or a plan ("the target is 300 ms")
    named: Any = None  # the latest day a period of its sentence starts on (None: none named)
    past: bool = False  # its clause has a verb in the past tense
    borrowed: bool = False  # its sentence says too little: ``around`` adds the one before


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


# ------------------------------------------------------------------ words
@cache
def _stops() -> frozenset[str]:
    return (engine.word_set("language:function_words")
            | engine.word_set("language:function_extra") | _EXTRA_STOPS)


@cache
def _groups() -> dict[str, str]:
    """stem -> the stem of the first word of its synonym group."""
    out: dict[str, str] = {}
    for entry, _ in engine.entries("grounding:synonyms"):
        words = [engine.base(w) for w in entry.split()]
        for w in words:
            out.setdefault(w, words[0])
    return out


def group(word: str) -> str:
    """The noun group of a word: its stem, or its synonym group's first stem.

    >>> group("defects"), group("bugs"), group("launches")
    ('bug', 'bug', 'launch')
    """
    s = engine.base(word.rsplit("-", 1)[-1].strip("'’"))
    return _groups().get(s, s)


def content_groups(words: list[str]) -> frozenset[str]:
    """The noun groups of the content words among ``words`` (no numbers)."""
    stops = _stops()
    return frozenset(group(w) for w in words
                     if w not in stops and len(w) > 1 and engine.number_value(w) is None)


@cache
def _bounds() -> list[tuple[str, engine.PhraseList]]:
    return [(name, engine.phrase_list(f"grounding:{ref}"))
            for name, ref in (("about", "approximately"), ("min", "at_least"),
                              ("max", "at_most"))]


# ------------------------------------------------------------------ reading numbers
def _is_clause_break(plain: str, a: int, b: int) -> bool:
    return bool(_BREAK.search(plain[a:b]))


def _unit_after(doc: Doc, i: int, end: int, tail: str) -> tuple[str, str, int]:
    """(kind, time unit, index of the first word after the unit) for the number at word
    ``i`` whose digits carry ``tail`` ("%", "ms", "$")."""
    if tail in _MONEY_SIGNS:
        return "money", "", i + 1
    if tail == "%":
        return "%", "", i + 1
    if tail and time_unit(tail):
        return "time", time_unit(tail) or "", i + 1
    if tail == "x":
        return "x", "", i + 1
    j = i + 1
    if doc.plain[doc.ends[i] : doc.ends[i] + 2].lstrip(" ").startswith("%"):
        return "%", "", j
    if j < end and not _is_clause_break(doc.plain, doc.ends[i], doc.starts[j]):
        w = doc.lows[j]
        if w in _PERCENT_WORDS:
            return "%", "", j + 1
        if w == "per" and j + 1 < end and doc.lows[j + 1] == "cent":
            return "%", "", j + 2
        if w == "percentage" and j + 1 < end and doc.lows[j + 1].startswith("point"):
            return "%", "", j + 2
        if time_unit(w):
            return "time", time_unit(w) or "", j + 1
        if w in _MONEY_WORDS:
            return "money", "", j + 1
        if w in _FACTOR_WORDS:
            return "x", "", j + 1
    return "count", "", j


def _noun_after(doc: Doc, j: int, end: int) -> tuple[list[str], int]:
    """The words of the noun phrase starting at word ``j`` (at most three, up to a
    function word, a verb or a break) and the index after them."""
    stops = _stops()
    words: list[str] = []
    while j < end and len(words) < MAX_NOUN_WORDS:
        w = doc.lows[j]
        gap = doc.plain[doc.ends[j - 1] : doc.starts[j]]
        if gap.strip() or (w in stops and w != "other") or engine.number_value(w) is not None:
            break
        if is_verbish(w) and (words or w.endswith("ed")):
            break
        words.append(w)
        j += 1
    while words and words[-1] == "other":
        words.pop()
        j -= 1
    return words, j


def _number_at(doc: Doc, i: int, end: int) -> tuple[float, str, int, bool, int] | None:
    """(value, tail, index after the number's words, spelled, decimals) of a number
    starting at word ``i``, or None when the word starts no number claim."""
    word = doc.lows[i]
    parsed = engine.number_value(word)
    if parsed is None:
        return None
    value, tail = parsed
    if tail in engine.ORDINAL_SUFFIXES:
        return None
    spelled = word[:1].isalpha()
    j = i + 1
    if word == "half":  # "half a day" is 0.5 day; "by half" counts nothing
        if j < end and doc.lows[j] in ("a", "an"):
            return 0.5, "", j + 1, True, 1
        return None
    if spelled and word in _SKIP_WORDS:
        return None
    if j < end and doc.lows[j] in engine.MULTIPLIERS and tail in ("", *_MONEY_SIGNS):
        value *= engine.MULTIPLIERS[doc.lows[j]]
        j += 1
    digits = word.split(".")[1] if "." in word and not spelled else ""
    decimals = len(re.match(r"\d*", digits).group()) if digits else 0  # type: ignore[union-attr]
    return value, tail, j, spelled, decimals


_NAME = re.compile(r"\d+[A-Z]+")  # "4K", "5G", "2FA": names, not counts


def _is_label(doc: Doc, i: int, w0: int) -> bool:
    """Is the number at word ``i`` a name or a label ("version 8", "4K", "the 6-12
    format", "24/7") rather than a count?"""
    plain = doc.plain
    s, e = doc.starts[i], doc.ends[i]
    if _NAME.fullmatch(plain[s:e]) or re.match(r"[-/:]\d", plain[e : e + 2]) or (
            re.search(r"\d[-/:]$", plain[max(0, s - 2) : s])):
        return True
    if i == w0:
        return False
    prev = doc.lows[i - 1]
    if prev in engine.word_set("grounding:not_claims"):
        return not doc.plain[doc.ends[i - 1] : doc.starts[i]].strip()
    return False


def _bound_index(doc: Doc, idx: engine.TextIndex | None = None) -> dict[int, str]:
    """Where each number that follows a bound phrase starts -> "about", "min" or "max"."""
    idx = idx or engine.TextIndex(doc.plain, [(s, engine.fold(w)) for s, w in
                                              zip(doc.starts, doc.lows, strict=True)])
    out: dict[int, str] = {}
    for name, words in _bounds():
        for _, e, _ in words.find(idx):
            k = doc.word_at(e)
            if k < len(doc.starts) and not doc.plain[e : doc.starts[k]].strip():
                out[doc.starts[k]] = name
            elif doc.plain[e - 1 : e] == "~" and k < len(doc.starts):
                out[doc.starts[k]] = name
    for m in re.finditer(r"~\s*(?=\d)", doc.plain):
        out[m.end()] = "about"
    return out


def _sentence_mentions(doc: Doc, si: int, bounds: dict[int, str],
                       all_periods: list[Period]) -> list[Mention]:
    """The number mentions of sentence ``si`` (ranges share their noun and unit)."""
    s = doc.sentences[si]
    periods = [p for p in all_periods if s.start <= p.start < s.end]
    out: list[Mention] = []
    i = s.w0
    while i < s.w1:
        start = doc.starts[i]
        if (engine.number_value(doc.lows[i]) is None
                or any(p.start <= start < p.end for p in periods) or _is_label(doc, i, s.w0)):
            i += 1
            continue
        read = _read_mention(doc, i, s.w1, bounds)
        if read is None:
            i += 1
            continue
        out.append(read[0])
        i = read[1]
    goals = engine.word_set("grounding:goals")
    around = _words_outside(doc, s.w0, s.w1, periods) - _generic_groups()
    borrowed = len(around) < 2 and si > 0
    if borrowed:  # "Today it is 92%.": the sentence before says of what
        before = doc.sentences[si - 1]
        around |= _words_outside(doc, before.w0, before.w1, periods) - _generic_groups()
    for m in out:
        m.around, m.borrowed = around, borrowed
        lo, hi = _clause(doc, s, m)
        m.near = _words_outside(doc, lo, hi, periods)
        if not m.near and m.q.kind == "count" and not m.heads:  # "Incidents: 7 in H2 2023"
            m.near = _words_outside(doc, s.w0, hi, periods)
        m.goal = not goals.isdisjoint(doc.lows[lo:hi])
        m.past = any(_is_past(w) for w in doc.lows[lo:hi])
        m.period = _period_of(doc, m, periods)
        m.named = max((p.lo for p in periods), default=None)
    _share_ranges(doc, out, periods)
    return [m for m in out if m.heads or not _bare_label(doc, m, s.w0)]


@cache
def _past_forms() -> frozenset[str]:
    present = {"am", "is", "are", "be", "being", "has", "have", "having", "do", "does", "doing"}
    return frozenset(engine.word_set("verbs:irregular") - present)


def _is_past(word: str) -> bool:
    """A verb in the past tense ("fell", "adopted")?"""
    return word in _past_forms() or (word.endswith("ed") and is_verbish(word))


def _read_mention(doc: Doc, i: int, end: int, bounds: dict[int, str]
                  ) -> tuple[Mention, int] | None:
    """The mention starting at word ``i`` and the index after it; "1 in 6 rentals" and
    "99 out of 100 searches" are shares (in per cent)."""
    number = _number_at(doc, i, end)
    if number is None:
        return None
    value, tail, j, spelled, decimals = number
    kind, unit, j = _unit_after(doc, j - 1, end, tail)
    ratio = _ratio_at(doc, j, end) if kind == "count" else None
    if ratio is not None and ratio[0]:
        value, decimals, j = 100 * value / ratio[0], 1, ratio[1]
        kind, bounds = "%", {**bounds, doc.starts[i]: bounds.get(doc.starts[i]) or "about"}
    words, k = _noun_after(doc, j, end) if kind in ("count", "%") else ([], j)
    if words and words[-1] in engine.word_set("grounding:names"):
        return None  # "the 5 whys", "a 6-pager": a name
    q = Quantity(value * (_TIME[unit] if kind == "time" else 1.0), kind, unit)
    heads = frozenset({group(words[-1])}) if words else frozenset()
    if kind == "time":
        heads = frozenset({unit})
    start = doc.starts[i]
    m = Mention(start, doc.ends[max(k - 1, i)], q, heads if kind != "%" else frozenset(),
                bound=bounds.get(start, ""), spelled=spelled, decimals=decimals)
    return m, max(k, i + 1)


def _ratio_at(doc: Doc, j: int, end: int) -> tuple[float, int] | None:
    """(the number after "in" / "out of" at word ``j``, the index after it), or None."""
    if j < end and doc.lows[j] == "in":
        k = j + 1
    elif j + 1 < end and doc.lows[j] == "out" and doc.lows[j + 1] == "of":
        k = j + 2
    else:
        return None
    if k >= end or doc.plain[doc.ends[k - 1] : doc.starts[k]].strip():
        return None
    parsed = engine.number_value(doc.lows[k])
    return (parsed[0], k + 1) if parsed and not parsed[1] else None


def _bare_label(doc: Doc, m: Mention, w0: int) -> bool:
    """A bare count right after a content word ("room 5") or with nothing to count."""
    if m.q.kind != "count":
        return False
    i = doc.word_at(m.start)
    if i == w0:
        return not m.near
    prev = doc.lows[i - 1]
    gap = doc.plain[doc.ends[i - 1] : m.start]
    return (not gap.strip() and prev not in _stops() and not is_verbish(prev)
            and engine.number_value(prev) is None) or not m.near


def _share_ranges(doc: Doc, ms: list[Mention], periods: list[Period]) -> None:
    """"from 7 to 1", "480 -> 140 ms", "7 in H2 2023 to 1 in H1 2024": both ends of a
    range count the same thing."""
    for a, b in zip(ms, ms[1:], strict=False):
        between = doc.plain[a.end : b.start]
        for p in periods:
            if a.end <= p.start and p.end <= b.start:
                between = between.replace(doc.plain[p.start : p.end], " ")
        if not _RANGE.fullmatch(_FILLER.sub(" ", between)):
            continue
        if a.q.kind == "count" and b.q.kind != "count":
            a.q, a.heads = Quantity(a.q.value * (_TIME[b.q.unit] if b.q.kind == "time" else 1),
                                    b.q.kind, b.q.unit), b.heads
        elif b.q.kind == "count" and a.q.kind != "count":
            b.q, b.heads = Quantity(b.q.value * (_TIME[a.q.unit] if a.q.kind == "time" else 1),
                                    a.q.kind, a.q.unit), a.heads
        if not a.heads:
            a.heads = b.heads
        if not b.heads:
            b.heads = a.heads
        a.near = b.near = a.near | b.near


def _clause(doc: Doc, s: Any, m: Mention) -> tuple[int, int]:
    """Word indexes of the clause around a mention (up to 12 words back, 6 ahead)."""
    i = doc.word_at(m.start)
    lo = i
    while lo > s.w0 and i - lo < 12 and not _is_clause_break(doc.plain, doc.ends[lo - 1],
                                                              doc.starts[lo]):
        lo -= 1
    hi = doc.word_at(m.end)
    while hi < s.w1 and hi - i < 6 and not _is_clause_break(doc.plain, doc.ends[hi - 1],
                                                             doc.starts[hi]):
        hi += 1
    return lo, hi


@cache
def _generic_groups() -> frozenset[str]:
    """Noun groups of words that say nothing about what a number counts."""
    return frozenset(group(w) for w in engine.word_set("relevance:generic")
                     | engine.word_set("grounding:goals"))


def _words_outside(doc: Doc, lo: int, hi: int, periods: list[Period]) -> frozenset[str]:
    """Noun groups of words ``lo`` to ``hi`` that are not part of a period's name."""
    return content_groups([doc.lows[i] for i in range(lo, hi)
                           if not any(p.start <= doc.starts[i] < p.end for p in periods)])


def _period_of(doc: Doc, m: Mention, periods: list[Period]) -> Period | None:
    """The period named right after a mention ("7 in the second half of 2023", "5 teams
    by June 2024"), later in its clause with no other number between ("5 teams used the
    kit in 2024") or right before it ("In H1 2024, 1 incident")."""
    for p in periods:
        gap = doc.plain[m.end : p.start]
        if p.start >= m.end and len(gap) < 40 and re.fullmatch(
                r"\s*(?:(?:in|during|over|for|by|through|as of|since|until)\s+)?(?:the\s+)?",
                gap, re.I):  # fmt: skip
            return p
    for p in periods:
        gap = doc.plain[m.end : p.start]
        if p.start >= m.end and len(gap.split()) <= 10 and not _BREAK.search(gap) and not any(
                engine.number_value(w.lower()) for w in re.findall(r"[\w$%.,]+", gap)):
            return p
    for p in reversed(periods):
        gap = doc.plain[p.end : m.start]
        if p.end <= m.start and len(gap) < 6 and re.fullmatch(r"[\s,:]*", gap):
            return p
    return None


def mentions(doc: Doc, index: engine.TextIndex | None = None) -> list[Mention]:
    """Every number of a parsed text with what it counts, in text order.

    >>> t = "Setup takes half a day instead of about 3 days; p99 fell from 480 to 140 ms."
    >>> [(t[m.start:m.end], m.q.kind, sorted(m.heads), m.bound) for m in mentions(parse(t))]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('half a day', 'time', ['day'], ''), ('3 days', 'time', ['day'], 'about'),
     ('480', 'time', ['ms'], ''), ('140 ms', 'time', ['ms'], '')]
    """
    bounds = _bound_index(doc, index)
    periods = _periods(doc)
    out: list[Mention] = []
    for si in range(len(doc.sentences)):
        out += _sentence_mentions(doc, si, bounds, periods)
    return out


def _periods(doc: Doc) -> list[Period]:
    """The periods each sentence names (read sentence by sentence, in plain offsets)."""
    out = []
    for s in doc.sentences:
        if any(c.isdigit() for c in s.text):
            out += [Period(p.start + s.start, p.end + s.start, p.lo, p.hi)
                    for p in periods_in(doc.plain[s.start : s.end])]
    return out


# ------------------------------------------------------------------ facts
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
        return Quantity(number * _TIME[name], "time", name), []
    if first in _MONEY_WORDS or first in _MONEY_SIGNS:
        return Quantity(number, "money"), []
    if first in ("x", "times"):
        return Quantity(number, "x"), []
    stops = _stops()
    noun = []
    for w in words:
        if w in stops or engine.number_value(w) is not None:
            break
        noun.append(w)
    return Quantity(number), noun


def _leading_noun(counts: str) -> list[str]:
    """The noun phrase that starts a fact's ``counts`` ("integration bugs the ...")."""
    stops = _stops()
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


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}".rstrip("0").rstrip(".")


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
    label = f"{_fmt(float(number))}{'' if shown.startswith('%') else ' '}{shown}".strip()
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


@cache
def _TIME_GROUPS() -> frozenset[str]:  # noqa: N802  (a constant, built on first use)
    return frozenset(group(w) for w in _TIME) | frozenset(_TIME)


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
                out.append(Fact(f"{_fmt(minutes)} minutes ({at0} to {at1})",
                                Quantity(minutes * 60, "time", "minute"),
                                frozenset({"minute"}), w0 | w1 | {group("minute")}, derived=True,
                                parts=(w0 - _TIME_GROUPS(), w1 - w0 - _TIME_GROUPS())))
    return out


def facts_of(context: dict[str, Any]) -> tuple[Fact, ...]:
    """The facts of an exercise context (``context["facts"]``), read once per content."""
    items = context.get("facts") or ()
    if not items:
        return ()
    return _facts_from_json(json.dumps(list(items), sort_keys=True, default=str))


# ------------------------------------------------------------------ matching
def _round_half_up(x: float, decimals: int) -> float:
    k = 10**decimals
    return math.floor(x * k + 0.5) / k


def value_matches(m: Mention, f: Fact) -> bool:
    """Does the fact's value agree with the mention (as written, bound or rounded)?"""
    if m.q.kind != f.q.kind:
        return False
    want, have = m.q.in_unit(m.q.value), m.q.in_unit(f.q.value)
    if m.bound == "min":
        return have >= want
    if m.bound == "max":
        return have <= want
    if m.bound == "about" and abs(want - have) <= 0.1 * abs(have):
        return True
    written = {_round_half_up(have, m.decimals)}
    if f.derived:  # a computed value may also be cut short: 85.7% as "85%"
        written.add(math.floor(have * 10**m.decimals + 1e-9) / 10**m.decimals)
    return any(abs(w - want) <= 1e-9 for w in written)


def noun_matches(m: Mention, f: Fact) -> bool:
    """Does the fact count what the mention counts (its noun, unit or clause)?"""
    if m.q.kind != f.q.kind:
        return False
    if m.q.kind in ("%", "money", "x"):
        return True
    if m.q.kind == "time":
        return True
    if m.heads:
        return bool(m.heads & (f.heads or f.words))
    return bool(m.near & (f.words | f.heads))


def period_matches(m: Mention, f: Fact) -> bool:
    """Do the mention's period and the fact's share a day (or either names none)?"""
    return m.period is None or f.lo is None or m.period.overlaps(f.lo, f.hi)


def matching(m: Mention, facts: tuple[Fact, ...]) -> list[Fact]:
    """The facts (and numbers derived from two facts) that give the mention's number for
    what it counts and its period."""
    return [f for f in facts if not f.hidden and value_matches(m, f) and noun_matches(m, f)
            and period_matches(m, f) and all(m.around & p for p in f.parts)]


def unchecked(m: Mention, facts: tuple[Fact, ...]) -> bool:
    """Is the mention about a number the learner computes (a ``computed`` fact fits its
    words at least as well as any fact with a value)?"""
    def fit(f: Fact) -> tuple[int, int]:
        return len(m.near & f.words), len(m.around & f.words)

    computed = [fit(f) for f in facts if f.hidden and noun_matches(m, f)]
    if not computed:
        return False
    others = [fit(f) for f in facts if _related(m, f) and not f.parts]
    return max(computed) >= max(others, default=(0, 0))


def supported(m: Mention, facts: tuple[Fact, ...], found: list[Fact],
              taken: frozenset[int] = frozenset()) -> bool:
    """Is the mention given by one of the facts ``found`` to match it?

    A number with a unit ("44.5 minutes", "9%") must also be the number of the fact its
    words are about: when another fact with that unit shares more words with its clause
    (then its sentence, if the clause shares a word with it at all) than every fact that
    gives the number ("the alarm fired 44.5
    minutes after impact began", when the facts give 18 minutes to the alarm and 44.5 to
    the rollback), it is not supported.  Facts another number of the sentence states
    (``taken``, by ``id``) are not rivals.
    """
    if not found or m.q.kind == "count":
        return bool(found)

    near = m.near or (m.around if m.borrowed else m.near)  # "Today it is 92%."

    def fit(f: Fact) -> tuple[int, int]:  # words shared with its clause, then its sentence
        return len(near & f.words), len(m.around & f.words)

    best = max(fit(f) for f in found)
    rivals = [f for f in facts if id(f) not in taken and not f.parts
              and (_related(m, f) or (f.hidden and noun_matches(m, f)))]
    # a fact the learner computes wins only on its clause: its description is generic
    return not any(fit(f) > best and fit(f)[0] and (not f.computed or fit(f)[0] > best[0])
                   for f in rivals)


def _related(m: Mention, f: Fact) -> bool:
    """Does the fact count the same kind of thing as the mention?  (Numbers derived from
    two facts do not count, but for durations read from a timeline.)"""
    if (f.derived and not f.parts) or m.q.kind != f.q.kind:
        return False
    if m.q.kind == "time":
        return m.q.unit == f.q.unit
    return noun_matches(m, f)


def _could_use(m: Mention, facts: tuple[Fact, ...]) -> str:
    """The facts an unsupported mention could have used, for its message.  Durations read
    from a timeline are never named (they may be what another exercise asks for)."""
    related = sorted((f for f in facts if _related(m, f)),
                     key=lambda f: (-len(m.near & f.words), -len(m.around & f.words)))
    timeline = any(f.parts for f in related)
    related = [f for f in related if not f.parts]
    shown = [f for f in related if f.noun or f.q.kind != "count"]
    given = [f for f in shown if f.given]
    shown = given + [f for f in shown if not any(g.q == f.q for g in given)]
    labels = list(dict.fromkeys(f.label for f in shown or related))[:3]
    same_value = [f for f in facts if not f.derived and f.q.kind == m.q.kind and f.noun
                  and value_matches(m, f) and f not in related]
    text = ", ".join(labels)
    if same_value and m.heads and text:
        text += f" ({_fmt(m.q.in_unit(m.q.value))} is the number of {same_value[0].noun})"
    if timeline:
        text += ("; " if text else "") + "work durations out from the times of the timeline"
    return text


def ground(a: Any) -> dict[str, Any]:
    """The grounding of an analysed text against ``a.context["facts"]``.

    ``supported`` and ``claims`` count numbers; ``unsupported`` and ``unknown`` are
    spans ``(start, end, {"claim", "facts"})``, ``unchecked`` the numbers about results
    the learner computes whose values the facts keep back; the counts are None when the
    exercise gives no facts.
    """
    facts = facts_of(a.context)
    if not facts:
        return {"supported": None, "claims": None, "unsupported": [], "unknown": [],
                "unchecked": [], "unsupported_count": None}
    plain = a.doc.plain
    n_ok, bad, unknown, later = 0, [], [], []
    ms = mentions(a.doc, a.index)
    today = max((f.hi for f in facts if f.hi is not None and f.hi < LATEST), default=None)
    found = [matching(m, facts) for m in ms]
    sentence = [a.doc.sentence_at(m.start) for m in ms]
    for k, m in enumerate(ms):
        taken = frozenset(id(f) for j, fs in enumerate(found)
                          if j != k and sentence[j] == sentence[k] for f in fs)
        if supported(m, facts, found[k], taken):
            n_ok += 1
            continue
        if m.goal or (today is not None and m.named is not None and m.named > today
                      and not m.past):
            continue  # a goal, or a plan for after the facts: not a claim of fact
        if unchecked(m, facts):
            later.append((m.start, m.end, {"claim": " ".join(plain[m.start : m.end].split())}))
            continue  # the learner's own result: checked when graded
        fields = {"claim": " ".join(plain[m.start : m.end].split()), "facts": _could_use(m, facts)}
        if fields["facts"]:
            bad.append((m.start, m.end, fields))
        elif not m.spelled:
            unknown.append((m.start, m.end, fields))
    return {"supported": n_ok, "claims": len(ms), "unsupported": bad, "unknown": unknown,
            "unchecked": later, "unsupported_count": len(bad)}


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


__all__ = ["Fact", "Mention", "Quantity", "fact_problems", "facts_of", "ground",
           "given_facts", "human_period", "mentions", "sheet_fact", "supported"]
