"""Claims: the numbers of a text, each read together with what it counts.

Each number is read with the noun after it ("5 other teams"), its unit ("480 ms",
"17%", "3 days", "$4"), or, for a bare number, the words of its clause ("incidents fell
from 7 to 1"), and the period named right next to it ("in the first half of 2024").
Spelled-out numbers ("five"), bounds ("about", "more than", "under"), shares ("1 in 6
rentals" is about 16.7%) and ranges ("from 7 to 1", "480 -> 140 ms": both ends count the
same thing) are understood; names and labels ("version 8", "4K", "24/7", "the 5 whys")
are not claims.  :mod:`course.prose.grounding` checks the claims against the facts.

>>> from course.prose.text import parse
>>> t = "Five other teams used the kit in H1 2024; about 1 in 6 rentals came from search."
>>> [(t[m.start:m.end], m.q.kind, round(m.q.value, 1), sorted(m.heads), m.bound)
...  for m in mentions(parse(t))]  # doctest: +NORMALIZE_WHITESPACE
[('Five other teams', 'count', 5.0, ['team'], ''),
 ('1 in 6 rentals', '%', 16.7, [], 'about')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from . import engine
from .analysis import is_verbish
from .periods import Period, periods_in
from .quantities import (
    MAX_NOUN_WORDS,
    MONEY_SIGNS,
    MONEY_WORDS,
    SECONDS_IN,
    Quantity,
    content_groups,
    group,
    stop_words,
    time_unit,
)
from .text import Doc

_PERCENT_WORDS = frozenset({"percent", "pct", "%"})
_FACTOR_WORDS = frozenset({"x", "times"})
_SKIP_WORDS = frozenset({"one", "half", "hundred", "thousand", "million", "billion", "dozen"})
_RANGE = re.compile(r"\s*(?:to|through|until|down to|up to|→|->|–|—|-)\s*", re.I)
_FILLER = re.compile(r"\b(?:in|during|over|for|by|the|of|as|at)\b|[,()]", re.I)
_BREAK = re.compile(r"[,;:()\[\]—–]|\s-\s|[.!?]\s")


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


# ------------------------------------------------------------------ reading numbers
@cache
def _bounds() -> list[tuple[str, engine.PhraseList]]:
    return [(name, engine.phrase_list(f"grounding:{ref}"))
            for name, ref in (("about", "approximately"), ("min", "at_least"),
                              ("max", "at_most"))]


def _is_clause_break(plain: str, a: int, b: int) -> bool:
    return bool(_BREAK.search(plain[a:b]))


def _unit_after(doc: Doc, i: int, end: int, tail: str) -> tuple[str, str, int]:
    """(kind, time unit, index of the first word after the unit) for the number at word
    ``i`` whose digits carry ``tail`` ("%", "ms", "$")."""
    if tail in MONEY_SIGNS:
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
        if w in MONEY_WORDS:
            return "money", "", j + 1
        if w in _FACTOR_WORDS:
            return "x", "", j + 1
    return "count", "", j


def _noun_after(doc: Doc, j: int, end: int) -> tuple[list[str], int]:
    """The words of the noun phrase starting at word ``j`` (at most three, up to a
    function word, a verb or a break) and the index after them."""
    stops = stop_words()
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
    if j < end and doc.lows[j] in engine.MULTIPLIERS and tail in ("", *MONEY_SIGNS):
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
    q = Quantity(value * (SECONDS_IN[unit] if kind == "time" else 1.0), kind, unit)
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
    return (not gap.strip() and prev not in stop_words() and not is_verbish(prev)
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
            a.q, a.heads = Quantity(a.q.value * (SECONDS_IN[b.q.unit] if b.q.kind == "time" else 1),
                                    b.q.kind, b.q.unit), b.heads
        elif b.q.kind == "count" and a.q.kind != "count":
            b.q, b.heads = Quantity(b.q.value * (SECONDS_IN[a.q.unit] if a.q.kind == "time" else 1),
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

    >>> from course.prose.text import parse
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


__all__ = ["Mention", "mentions"]
