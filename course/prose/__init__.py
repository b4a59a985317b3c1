"""Deterministic, explainable feedback and reproducible scores for written answers.

``review(text, kind)`` returns a :class:`Review`: a score in 0..1, named signals
(measures, never verdicts) and findings that each point at a span of the text
and say what to do.  Standard library only; the same text always gets the same
score, so a grader can recompute it in its own process.

>>> r = review("I led the rewrite of the offers service.", "summary")
>>> 0 <= r.score <= 1, r.kind
(True, 'summary')
>>> review("   ", "coe").findings[0].rule
'empty'
>>> review("text", "memo")
Traceback (most recent call last):
...
ValueError: unknown kind 'memo'; expected one of: press_release, faq, summary, coe, vision
"""

from __future__ import annotations

from .kinds import KINDS
from .model import Finding, Review
from .render import render_text

TYPE_CHECKING = False  # keep `import course.prose` light: typing-only imports below
if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["KINDS", "Finding", "Review", "render_text", "review"]

OFF_TOPIC_CAP = 0.15
_SUFFIXES = (
    "ations",
    "ation",
    "ments",
    "ment",
    "ings",
    "ing",
    "ies",
    "ied",
    "ers",
    "er",
    "ed",
    "es",
    "ly",
    "s",
)


def _stem(word: str) -> str:
    """A tiny suffix-stripping stemmer, enough to match 'tests' with 'testing'.

    >>> _stem("latencies"), _stem("testing"), _stem("adopted")
    ('latenc', 'test', 'adopt')
    """
    for suf in _SUFFIXES:
        if word.endswith(suf) and len(word) - len(suf) >= 3:
            return word[: -len(suf)]
    return word


def review(text: str, kind: str, *, topic: Iterable[str] | None = None) -> Review:
    """Review ``text`` as a written answer of ``kind`` (one of :data:`KINDS`).

    ``topic`` lists keywords of the prompt; a text sharing none of them is
    flagged ``off_topic`` and its score capped at 0.15.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of: {', '.join(KINDS)}")
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    if not text.strip():
        return Review(
            kind=kind,
            text=text,
            score=0.0,
            signals={"words": 0},
            findings=[Finding("empty", "Write your answer: the text is empty.", 0, 0, "error")],
        )
    from . import kinds, scoring
    from .signals import Analysis
    from .text import parse

    module = kinds.get(kind)
    a = Analysis(parse(text))
    module.check(a)
    if topic is not None:
        _check_topic(a, [topic] if isinstance(topic, str) else list(topic))
    score = scoring.finalize(a, module.MIN_WORDS)
    doc = a.doc
    findings = []
    for f in a.findings:
        start, end = (0, 0) if f.doc_level else doc.span(f.start, f.end)
        findings.append(Finding(f.rule, f.message, start, end, f.severity))
    findings.sort(
        key=lambda f: (
            f.start == f.end == 0,
            f.start,
            f.end,
            "" if f.start == f.end == 0 else f.rule,
        )
    )
    return Review(kind=kind, text=text, score=score, signals=a.signals, findings=findings)


def _check_topic(a: object, topic: list[str]) -> None:
    from . import lexicon
    from .signals import Analysis

    assert isinstance(a, Analysis)
    fw = lexicon.words("language", "function_words")
    wanted = {
        _stem(w)
        for phrase in topic
        for w in phrase.lower().replace("-", " ").split()
        if w not in fw and len(w) > 1
    }
    if not wanted:
        return
    have = set()
    for si, info in enumerate(a.sents):
        if info.coherent:
            have.update(_stem(w) for w in a.sentence_words(si))
    shared = sorted(wanted & have)
    a.signals["topic_overlap"] = len(shared)
    if not shared:
        a.caps["off_topic"] = OFF_TOPIC_CAP
        a.add_doc(
            "off_topic",
            "This does not address the question: write about " + ", ".join(sorted(topic)[:5]) + ".",
            "error",
        )
