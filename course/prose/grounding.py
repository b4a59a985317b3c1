"""Grounding: the numbers of an answer, checked against the facts its exercise gives.

The answer's numbers are read with what they count by :mod:`course.prose.claims`; the
exercise's facts, and the numbers they imply, by :mod:`course.prose.facts`.  A number
is *supported* when a fact gives the same value (rounded as written; "about" allows
10%; "more than" and "under" are bounds) for the same noun or unit and an overlapping
period, or when it is the difference, change in per cent or ratio of two facts about
the same measure.  A number whose noun or unit the facts count but whose value or
period they do not give is *unsupported*; one about something no fact counts is *not
in the facts* (a note, not an error).

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

import math
from typing import Any

from .claims import Mention, mentions
from .facts import Fact, facts_of
from .periods import LATEST
from .quantities import format_number


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
        text += f" ({format_number(m.q.in_unit(m.q.value))} is the number of {same_value[0].noun})"
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


__all__ = ["ground", "matching", "noun_matches", "period_matches", "supported", "unchecked",
           "value_matches"]
