"""Named detectors: the checks a word list cannot express, written once in Python.

A rules file refers to a detector by name (``detector = "team_scope"``, ``spans =
"acronyms"``); ``"name:part"`` picks one part of a detector that returns a dict.  The
detectors of one kind live in ``course/prose/kinds/<kind>.py`` and are named
``"<kind>.<name>"``.  A detector takes the :class:`~course.prose.analysis.Analysis`
(whose ``context`` holds what the exercise passed to ``review``) and returns a set of
sentence indexes, a number, a list, or spans: ``[(start, end, {field: value}), ...]``
in plain-text offsets, the fields filling the rule's message.

Filters (``unless = "near_number"``) decide whether a word-list match is left out.

>>> from course.prose.analysis import Analysis
>>> a = Analysis.of("We paired with the payments team. The SLA held.")
>>> detect(a, "team_scope"), [f["acronym"] for _, _, f in detect(a, "acronyms")]
({0}, ['SLA'])
"""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib import import_module
from typing import Any

from . import engine
from .analysis import Analysis
from .engine import stem  # noqa: F401  (re-exported: detectors.stem)

Spans = list[tuple[int, int, dict[str, Any]]]
DETECTORS: dict[str, Callable[[Analysis], Any]] = {}
FILTERS: dict[str, Callable[[Analysis, str, tuple[int, int, int, int]], bool]] = {}
KIND_MODULES = ("coe", "faq", "press_release")  # course.prose.kinds.<name>: their detectors


def detector(name: str) -> Callable[[Callable[[Analysis], Any]], Callable[[Analysis], Any]]:
    """Register a detector under ``name``."""

    def register(fn: Callable[[Analysis], Any]) -> Callable[[Analysis], Any]:
        DETECTORS[name] = fn
        return fn

    return register


def match_filter(name: str) -> Callable[[Callable[..., bool]], Callable[..., bool]]:
    """Register a filter: ``fn(a, ref, match) -> True`` leaves the match out."""

    def register(fn: Callable[..., bool]) -> Callable[..., bool]:
        FILTERS[name] = fn
        return fn

    return register


def _lookup(table: dict[str, Any], name: str) -> Any:
    module = name.partition(".")[0]
    if name not in table and module in KIND_MODULES:
        import_module(f"{__package__}.kinds.{module}")
    if name not in table:
        raise ValueError(f"no detector or filter named {name!r}")
    return table[name]


def detect(a: Analysis, ref: str) -> Any:
    """The result of detector ``ref`` (``"name"`` or ``"name:part"``), run once a text."""
    name, _, part = ref.partition(":")
    if name not in a.detected:
        a.detected[name] = _lookup(DETECTORS, name)(a)
    result = a.detected[name]
    return result[part] if part else result


def leaves_out(a: Analysis, name: str, ref: str, match: tuple[int, int, int, int]) -> bool:
    """Does filter ``name`` leave this match of word list ``ref`` out?"""
    return bool(_lookup(FILTERS, name)(a, ref, match))


# ------------------------------------------------------------------ sentences
LONG_SENTENCE_WORDS = 30


@detector("long_sentences")
def long_sentences(a: Analysis) -> Spans:
    """Sentences of more than 30 words (repeated sentences are flagged as such instead)."""
    return [
        (s.start, s.end, {"n": info.n, "limit": LONG_SENTENCE_WORDS})
        for s, info in zip(a.doc.sentences, a.sents, strict=True)
        if info.n > LONG_SENTENCE_WORDS and not info.duplicate
    ]


@detector("duplicates")
def duplicates(a: Analysis) -> Spans:
    """Sentences that repeat an earlier one (word for word or nearly)."""
    return [(s.start, s.end, {}) for s, i in zip(a.doc.sentences, a.sents, strict=True)
            if i.duplicate]


def _is_title(a: Analysis, si: int) -> bool:
    """A whole short block without a full stop: a headline, label or title line."""
    s = a.doc.sentences[si]
    b = a.doc.blocks[s.block]
    words = s.text.split()
    if not (s.start == b.start and s.end >= b.end - 1 and len(words) <= 14
            and s.text.rstrip()[-1:] not in ".!?"):
        return False
    if s.block <= 1 and len(a.doc.blocks) > 2:
        return True  # headline / subheading position
    long_words = [w for w in words if len(w) >= 4]
    return bool(long_words) and sum(w[0].isupper() for w in long_words) / len(long_words) >= 0.6


@detector("not_sentences")
def not_sentences(a: Analysis) -> Spans:
    """Runs of three or more words that do not read as a sentence (no verb, too few
    function words, a list of terms), besides headings and titles."""
    return [
        (s.start, s.end, {})
        for si, (s, i) in enumerate(zip(a.doc.sentences, a.sents, strict=True))
        if not i.duplicate and not i.coherent and not i.heading and i.n >= 3
        and not _is_title(a, si)
    ]


# ------------------------------------------------------------------ acronyms
_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9&]*[A-Z][A-Z0-9&]*s?\b")
_DEFINED_AFTER = re.compile(r"\s*\((?:[^()]*\s)?[A-Za-z][^()]*\)")
_CAPS_NEXT = re.compile(r"[ \t]+([A-Z][A-Z]+)\b")
_CAPS_BEFORE = re.compile(r"\b([A-Z][A-Z]+)[ \t]+$")
_DATELINE_MARK = re.compile(r"\s*(?:,|--|—|–|-\s)")


def _caps_phrase(a: Analysis, s: int, e: int) -> bool:
    """Is the all-caps word at ``plain[s:e]`` part of a caps phrase or a dateline?"""
    plain = a.doc.plain
    if _CAPS_NEXT.match(plain[e : e + 30]) or _CAPS_BEFORE.search(plain[max(0, s - 30) : s]):
        return True
    block = a.doc.blocks[a.doc.sentences[a.doc.sentence_at(s)].block]
    return s == block.start and bool(_DATELINE_MARK.match(plain[e : e + 4]))


@detector("acronyms")
def acronyms(a: Analysis) -> Spans:
    """Acronyms not defined on first use ("SLA" without "Service Level Agreement (SLA)");
    well-known ones (``style:known_acronyms``), caps phrases and datelines are left out."""
    plain = a.doc.plain
    known = {w.upper() for w in engine.word_set("style:known_acronyms")}
    seen: set[str] = set()
    out: Spans = []
    for m in _ACRONYM.finditer(plain):
        word = m.group()
        base = word[:-1] if word.endswith("s") and word[:-1].isupper() else word
        if base in seen or base.upper() in known or len(base) > 6:
            continue
        if sum(c.isupper() for c in base) < 2:
            continue
        s, e = m.span()
        if _caps_phrase(a, s, e):
            continue  # ALL-CAPS phrases and datelines ("NEW YORK --", "SEATTLE,")
        seen.add(base)
        if plain[max(0, s - 2) : s].endswith("(") and plain[e : e + 2].startswith(")"):
            continue  # "Service Level Agreement (SLA)"
        if _DEFINED_AFTER.match(plain[e : e + 80]) and len(plain[e:].split(")", 1)[0].split()) >= 2:
            continue  # "SLA (service level agreement)"
        out.append((s, s + len(base), {"acronym": base}))
    return out


# ------------------------------------------------------------------ scope and topic
_NAMED_TEAMS = re.compile(
    r"\b(?:with|for|from|to|and|by|the) (?:the )?(?!my\b|our\b|own\b|same\b|whole\b)"
    r"[A-Za-z][\w-]+ (?:and (?:the )?[A-Za-z][\w-]+ )?teams?\b"
)


@detector("team_scope")
def team_scope(a: Analysis) -> set[int]:
    """Prose sentences that reach beyond the writer's team: a phrase of
    ``shared:team_scope`` or a named team ("with the payments team")."""
    out = a.sentences_with("shared:team_scope")
    doc = a.doc
    for bi, b in enumerate(doc.blocks):
        if "team" in doc.block_text(bi):
            for m in _NAMED_TEAMS.finditer(doc.plain, b.start, b.end):
                si = doc.sentence_at(m.start())
                if a.sents[si].prose:
                    out.add(si)
    return out


@detector("topic")
def topic(a: Analysis) -> dict[str, Any]:
    """How many of the prompt's keywords (``context["topic"]``) the real sentences use.

    ``overlap`` is None when the exercise gave no topic (nothing to compare with);
    ``words`` names what to write about: the topic, else the exercise's first key terms.
    """
    given = a.context.get("topic")
    phrases = [given] if isinstance(given, str) else list(given or ())
    fw = engine.word_set("language:function_words")
    wanted = {stem(w) for p in phrases for w in p.lower().replace("-", " ").split()
              if w not in fw and len(w) > 1}
    if not wanted:
        terms = [str(t) for t in a.context.get("terms") or ()][:5]
        return {"overlap": None, "words": ", ".join(terms) or "the question asked"}
    have = {stem(w) for si, i in enumerate(a.sents) if i.coherent for w in a.sentence_words(si)}
    return {"overlap": len(wanted & have), "words": ", ".join(sorted(phrases)[:5])}


@detector("subject")
def subject(a: Analysis) -> dict[str, Any]:
    """How far the real sentences use the exercise's key terms (``context["terms"]``):
    see :func:`course.prose.relevance.subject`."""
    from .relevance import subject as measure

    return measure(a)


# ------------------------------------------------------------------ grounding
@detector("grounding")
def grounding(a: Analysis) -> dict[str, Any]:
    """The answer's numbers checked against the exercise's facts (``context["facts"]``):
    see :func:`course.prose.grounding.ground`."""
    from .grounding import ground

    return ground(a)


# ------------------------------------------------------------------ filters
@match_filter("near_number")
def near_number(a: Analysis, ref: str, match: tuple[int, int, int, int]) -> bool:
    """A quantity stands within eight words, in the same sentence."""
    return a.near_number(match[0])


@match_filter("asks_for_number")
def asks_for_number(a: Analysis, ref: str, match: tuple[int, int, int, int]) -> bool:
    """A quantifier of ``style:weasel_quantifiers`` inside a question or right after "how"
    asks for the number instead of hiding it ("How many customers ...?")."""
    start, _, si, entry = match
    phrase = engine.phrase_list(ref, a.folder).entries[entry][0]
    if phrase not in {e for e, _ in engine.entries("style:weasel_quantifiers")}:
        return False
    if a.sents[si].question:
        return True
    i = a.doc.word_at(start)
    return i > a.doc.sentences[si].w0 and a.lows[i - 1] == "how"
