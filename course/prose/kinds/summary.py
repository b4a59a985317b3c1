"""Promotion write-up about a project: outcome, scope, mechanism, adoption, ownership."""

from __future__ import annotations

from .. import lexicon
from ..signals import Analysis

MIN_WORDS = 90


def check(a: Analysis) -> None:
    """Add the summary signals, components and findings to ``a``."""
    numbers = a.number_sentences()
    outcome = a.sentences_with("kinds", "summary.outcome")
    measured = outcome & numbers
    scope = a.scope_sentences()
    mechanism = a.sentences_with("kinds", "summary.mechanism")
    adoption = a.sentences_with("kinds", "summary.adoption")
    adoption_counted = adoption & numbers
    horizon = a.sentences_with("kinds", "summary.horizon") | a.number_sentences(
        ("date", "duration")
    )
    owned = a.prose_matches("kinds", "summary.ownership")
    activity = a.matches("kinds", "summary.activity")

    a.signals.update(
        measured_outcomes=len(measured),
        scope_mentions=len(scope),
        mechanism_mentions=len(mechanism),
        adoption_mentions=len(adoption),
        adoption_with_numbers=len(adoption_counted),
        time_horizon_mentions=len(horizon),
        ownership_phrases=len(owned),
        activity_phrases=len(activity),
    )
    a.component("measured_outcome", len(measured) / 2, 0.25)
    a.component("scope_beyond_team", len(scope) / 2, 0.17)
    a.component("mechanism", len(mechanism) / 2, 0.13)
    a.component("adoption", 0.6 * min(len(adoption), 1) + 0.4 * min(len(adoption_counted), 1), 0.15)
    a.component("time_horizon", len(horizon) / 2, 0.1)
    own_share = len(owned) / (len(owned) + len(activity)) if owned or activity else 0.0
    a.component("ownership", min(len(owned) / 2, 1) * own_share, 0.2)

    plain = a.doc.plain
    for s, e, _si in activity:
        phrase = plain[s:e]
        tip = lexicon.advice_for("kinds", "summary.activity", phrase, "say what you owned")
        a.add("activity_language", f"'{phrase}' describes activity: {tip}.", s, e)
    if not measured:
        a.add_doc(
            "no_measured_outcome",
            "State a measured outcome: a number with what changed (p99 from 900 ms to 150 ms).",
        )
    if not scope:
        a.add_doc(
            "no_scope",
            "Show reach beyond your team: name the partner teams or how many teams it touched.",
        )
    if not mechanism or not adoption:
        a.add_doc(
            "no_mechanism",
            "Say what you left behind that others use (a library, checklist, review) "
            "and who adopted it.",
        )
    if not owned:
        a.add_doc(
            "no_ownership",
            "Say what you owned or decided in the first person ('I led', 'I decided').",
        )
