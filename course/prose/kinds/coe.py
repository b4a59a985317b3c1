"""Detectors of the Correction of Error kind: blamed names, timeline, why-steps, actions.

Their results are counted and scored by ``rules/coe.toml``.

>>> from course.prose.analysis import Analysis
>>> from course.prose.detectors import detect
>>> a = Analysis.of("At 14:05 UTC the alarm fired. Dave forgot the flag.")
>>> len(detect(a, "coe.timeline")), [t for _, _, f in detect(a, "coe.blamed_names")
...                                   for t in [f["match"]]]
(1, ['Dave forgot'])
"""

from __future__ import annotations

import re
from functools import cache

from .. import engine
from ..analysis import Analysis, is_verbish
from ..detectors import Spans, detector

_NOT_NAMES = frozenset(
    "the this that it we our they nobody everyone someone team service system alarm alarms "
    "deploy deployment config configuration cache database monitoring script job host hosts "
    "pipeline code test tests check process automation tool load traffic dashboard runbook "
    "canary rollback network client server query request requests retry retries".split()
)
_TIMESTAMP = re.compile(r"\b\d{1,2}:\d{2}\b|\bUTC\b|\b\d{4}-\d{2}-\d{2}\b|\bT\+\d+")
_WHY = re.compile(r"^\s*(?:\d+[.)]\s*)?(?:why\b|because\b)", re.IGNORECASE)
_ACTION_CUE = re.compile(r"\bwill\b|\baction|\bowner\b|\bdue\b", re.IGNORECASE)
# where a paragraph is cut into clauses that may each be an action item
_UNIT_CUT = re.compile(r";|(?<=\))[,.]?\s+(?:and\s+)?|(?<=[.!?])\s+")
# an owner: "owner", "owned by", @name, "Payments team", "team Blue", "(Ann," or "Ann will"
_OWNER = re.compile(
    r"\bowner\b|\bowned by\b|@\w+|\b[A-Z][A-Za-z]+ team\b|\bteam [A-Z]\w+|"
    r"\((?:[A-Z][a-z]+|[A-Z][A-Za-z]+ team)[,)]|\b[A-Z][a-z]+ (?:will|owns)\b"
)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
_DUE = re.compile(
    r"\b\d{1,2} " + _MONTH + r"\b|\b" + _MONTH + r" \d{1,2}\b|"
    r"\b(?:by|due|before)\s+(?:\d|Q[1-4]|H[12]|end of|" + _MONTH + r"|next (?:week|sprint|month|"
    r"quarter)|monday|tuesday|wednesday|thursday|friday)|\b\d{4}-\d{2}-\d{2}\b|\bdue\b",
    re.IGNORECASE,
)
# "Pricing platform team: add ..." -- a short label before a colon at the start of a unit
_LABEL = re.compile(
    r"^\s*(?:\d{1,3}[.)]\s*)?(?:action(?: item)?\s*\d*\s*[:.)-]\s*)?"
    r"([A-Za-z][\w&/'’.-]*(?:[ \t]+[\w&/'’.-]+){0,4})[ \t]*:\s*\S",
    re.IGNORECASE,
)


@cache
def _blame_verbs() -> tuple[re.Pattern[str], dict[str, str]]:
    """A name followed by a blaming verb of ``coe:blame_verbs``, and each verb's advice."""
    verbs = dict(engine.entries("coe:blame_verbs"))
    alts = "|".join(map(re.escape, verbs))
    return re.compile(r"\b([A-Z][a-z]+)(?:'s)?\s+(" + alts + r")\b"), verbs


@detector("coe.blamed_names")
def blamed_names(a: Analysis) -> Spans:
    """A person named as the cause: "Dave forgot", "Ann's script broke" (a capitalised word
    before a verb of ``coe:blame_verbs``, unless it is a system or a common word)."""
    pattern, advice = _blame_verbs()
    fw = engine.word_set("language:function_words")
    out: Spans = []
    for m in pattern.finditer(a.doc.plain):
        low = m.group(1).lower()
        if low not in fw and low not in _NOT_NAMES and not is_verbish(low):
            out.append((m.start(), m.end(), {"match": m.group(), "advice": advice[m.group(2)]}))
    return out


@detector("coe.timeline")
def timeline(a: Analysis) -> set[int]:
    """Sentences with a timestamp (14:05, UTC, 2025-03-14, T+5) and a verb: timeline entries."""
    out = set()
    for m in _TIMESTAMP.finditer(a.doc.plain):
        si = a.doc.sentence_at(m.start())
        info = a.sents[si]
        if info.verb and info.n >= 3 and not info.duplicate:
            out.add(si)
    return out


@detector("coe.why_answers")
def why_answers(a: Analysis) -> int:
    """Steps of asking why: a "Why ...?" answered by the next real sentence, or a
    "because ..." sentence."""
    steps = 0
    sents = a.doc.sentences
    for si, s in enumerate(sents):
        if a.sents[si].duplicate or not _WHY.match(s.text):
            continue
        if not s.text.endswith("?"):
            steps += a.sents[si].prose
        elif si + 1 < len(sents) and a.sents[si + 1].prose and not a.sents[si + 1].question:
            steps += 1
    return steps


def owner_label(unit: str) -> str | None:
    """The team or role a unit starts with, as in "Pricing platform team: add ..., due ...".

    >>> owner_label("Pricing platform team: add a limit, due 2025-03-14")
    'Pricing platform team'
    >>> owner_label("On-call lead: page the DBA") , owner_label("Root cause: no limit.")
    ('On-call lead', None)
    """
    m = _LABEL.match(unit)
    roles = engine.word_set("coe:owner_roles")
    if m and any(w in roles for w in m.group(1).lower().split()):
        return m.group(1)
    return None


def _units(a: Analysis, bi: int) -> list[str]:
    """The clauses of block ``bi`` that may be action items (a list item is one)."""
    text = a.doc.block_text(bi)
    if a.doc.blocks[bi].kind == "item":
        return [text]
    cue = bool(_ACTION_CUE.search(text))
    if not cue and ":" not in text:
        return []  # neither an action cue nor an owner label ("Team: do X")
    units = [u for u in _UNIT_CUT.split(text) if u.strip()]
    return units if cue or any(owner_label(u) for u in units) else []


@detector("coe.actions")
def actions(a: Analysis) -> dict[str, int]:
    """Action items (clauses that name an owner or a due date) and how many have both."""
    prose_blocks = {s.block for s, i in zip(a.doc.sentences, a.sents, strict=True) if i.prose}
    items = complete = 0
    for bi, b in enumerate(a.doc.blocks):
        if b.kind == "heading" or bi not in prose_blocks:
            continue
        for unit in _units(a, bi):
            owner = bool(_OWNER.search(unit)) or owner_label(unit) is not None
            due = bool(_DUE.search(unit))
            items += owner or due
            complete += owner and due
    return {"items": items, "complete": complete}
