"""Deterministic, explainable feedback and reproducible scores for written answers.

``review(text, kind)`` returns a :class:`Review`: a score in 0..1, named signals
(measures, never verdicts) and findings that each point at a span of the text
and say what to do.  Standard library only; the same text always gets the same
score, so a grader can recompute it in its own process.

Each kind is declared as data in ``course/prose/rules/<kind>.toml`` (see
``docs/authoring.md``); :func:`rules_of` lists a kind's rules.

>>> r = review("I led the rewrite of the offers service.", "summary")
>>> 0 <= r.score <= 1, r.kind
(True, 'summary')
>>> review("   ", "coe").findings[0].rule
'empty'
>>> review("text", "memo")
Traceback (most recent call last):
...
ValueError: unknown kind 'memo'; expected one of: press_release, faq, summary, coe, vision, benefit
"""

from __future__ import annotations

from .model import Finding, Review
from .render import render_text

TYPE_CHECKING = False  # keep `import course.prose` light: typing-only imports below
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import Any

    from .rules import Rule

__all__ = ["KINDS", "Finding", "Review", "add_rules_folder", "kind_names", "render_text",
           "review", "rules_of"]  # fmt: skip


def kind_names() -> tuple[str, ...]:
    """The kinds of written answer: one per rules file (built-in ones first)."""
    from .folders import kinds

    return kinds()


KINDS = kind_names()  # the kinds when the package was imported (kind_names(): later ones too)


def add_rules_folder(folder: str) -> None:
    """Use the kinds and word lists of ``folder`` too (a course's own kinds)."""
    from .rules import add_rules_folder as add

    add(folder)


def rules_of(kind: str) -> tuple[Rule, ...]:
    """The rules a ``kind`` applies (its own, then the shared ones), with descriptions.

    >>> [r.id for r in rules_of("summary")][:2]
    ['activity_language', 'no_measured_outcome']
    """
    from .rules import load_kind

    return load_kind(kind).rules


def review(
    text: str,
    kind: str,
    *,
    topic: Iterable[str] | str | None = None,
    context: Mapping[str, Any] | None = None,
    off: Iterable[str] = (),
) -> Review:
    """Review ``text`` as a written answer of ``kind`` (one of :func:`kind_names`).

    ``topic`` lists keywords of the prompt; a text sharing none of them is flagged
    ``off_topic`` and its score capped at 0.15.  ``context`` is what else the exercise
    knows (detectors read it; ``topic`` is ``context["topic"]``).  ``off`` names rules
    switched off for this exercise: they give no finding, penalty or cap.
    """
    from .rules import load_kind

    kind_spec = load_kind(kind)  # (raises ValueError for an unknown kind)
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    if not text.strip():
        finding = Finding("empty", "Write your answer: the text is empty.", 0, 0, "error")
        return Review(kind=kind, text=text, score=0.0, signals={"words": 0}, findings=[finding])
    from .analysis import Analysis
    from .scoring import run
    from .text import parse

    ctx = dict(context or {})
    if topic is not None:
        ctx["topic"] = topic
    doc = parse(text)
    score, signals, raw = run(kind_spec, Analysis(doc, ctx, kind_spec.folder, kind), frozenset(off))
    findings = [
        Finding(f.rule, f.message, *((0, 0) if f.doc_level else doc.span(f.start, f.end)),
                f.severity)
        for f in raw
    ]
    findings.sort(key=lambda f: (f.start == f.end == 0, f.start, f.end,
                                 "" if f.start == f.end == 0 else f.rule))  # fmt: skip
    return Review(kind=kind, text=text, score=score, signals=signals, findings=findings)
