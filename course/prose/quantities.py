"""Quantities and the nouns that count them: the vocabulary claims and facts share.

A number in an answer and a number in a fact are compared as a :class:`Quantity`: its
value in base units (seconds for a time), its kind (``count``, ``%``, ``time``,
``money`` or ``x``) and the time unit it was written in.  What a count counts is
compared as *noun groups*: a word's stem ("integr" for "integration"), or the first stem
of its synonym group in the word list ``grounding:synonyms`` ("defects" and "bugs" are
one group).

>>> q = Quantity(3 * SECONDS_IN["day"], "time", time_unit("days") or "")
>>> q.in_unit(q.value), group("defects") == group("bugs")
(3.0, True)
>>> sorted(content_groups("the integration bugs of 5 teams".split()))
['bug', 'integr', 'team']
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from . import engine

# ------------------------------------------------------------------ units
#: seconds in each time unit a number may carry (singular; "days" is read as "day")
SECONDS_IN = {"ms": 0.001, "millisecond": 0.001, "s": 1.0, "sec": 1.0, "second": 1.0,
              "min": 60.0, "minute": 60.0, "h": 3600.0, "hr": 3600.0, "hour": 3600.0,
              "day": 86400.0, "week": 604800.0, "month": 2629800.0, "quarter": 7889400.0,
              "year": 31557600.0}  # fmt: skip
_TIME_NAME = {"ms": "ms", "millisecond": "ms", "s": "second", "sec": "second",
              "min": "minute", "h": "hour", "hr": "hour"}  # fmt: skip
MONEY_SIGNS = {"$": "$", "€": "€", "£": "£"}
MONEY_WORDS = frozenset("usd dollar dollars eur euro euros gbp pound pounds".split())
_EXTRA_STOPS = frozenset(
    "outside inside beyond instead including like such across within among against along "
    "around behind despite except toward towards upon onto than per via whose last next ago "
    "earlier later today yesterday tomorrow".split()
)
#: the most words a noun phrase of a claim or a fact is read with ("integration bugs")
MAX_NOUN_WORDS = 3


def time_unit(word: str) -> str | None:
    """The canonical name of a time unit word ("mins" -> "minute"), or None.

    >>> time_unit("mins"), time_unit("ms"), time_unit("days"), time_unit("teams")
    ('minute', 'ms', 'day', None)
    """
    for w in (word, word[:-1] if word.endswith("s") and len(word) > 2 else word):
        if w in SECONDS_IN:
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
        if self.kind == "time" and self.unit in SECONDS_IN:
            return value / SECONDS_IN[self.unit]
        return value


# ------------------------------------------------------------------ words
@cache
def stop_words() -> frozenset[str]:
    """Words that never say what a number counts: function words, and prepositions and
    time words such as "outside", "per" and "today"."""
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
    stops = stop_words()
    return frozenset(group(w) for w in words
                     if w not in stops and len(w) > 1 and engine.number_value(w) is None)


def format_number(x: float) -> str:
    """A number as a message writes it: thousands separated, at most two decimals.

    >>> format_number(1200000.0), format_number(44.5), format_number(1 / 3)
    ('1,200,000', '44.5', '0.33')
    """
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}".rstrip("0").rstrip(".")


__all__ = ["MAX_NOUN_WORDS", "MONEY_SIGNS", "MONEY_WORDS", "SECONDS_IN", "Quantity",
           "content_groups", "format_number", "group", "stop_words", "time_unit"]
