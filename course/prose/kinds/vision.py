"""Vision document: multi-year horizon, today vs target, milestones, who is involved."""

from __future__ import annotations

from ..signals import Analysis

MIN_WORDS = 120


def check(a: Analysis) -> None:
    """Add the vision signals, components and findings to ``a``."""
    horizon = a.sentences_with("kinds", "vision.horizon")
    current = a.sentences_with("kinds", "vision.current")
    target = a.sentences_with("kinds", "vision.target")
    milestones = a.sentences_with("kinds", "vision.milestone") | a.number_sentences(("date",))
    involves = a.sentences_with("kinds", "vision.involves") | a.scope_sentences()
    measurable = a.number_sentences(("percent", "money", "latency", "count", "duration"))
    customers = set()
    cw = _customer_words()
    for si, info in enumerate(a.sents):
        if info.prose and not cw.isdisjoint(a.sentence_words(si)):
            customers.add(si)

    a.signals.update(
        horizon_mentions=len(horizon),
        current_state_mentions=len(current),
        target_state_mentions=len(target),
        milestones=len(milestones),
        involves_mentions=len(involves),
        measurable_goals=len(measurable),
        customer_mentions=len(customers),
    )
    a.component("multi_year_horizon", len(horizon) / 2, 0.2)
    a.component("today_vs_target", 0.5 * min(len(current), 1) + 0.5 * min(len(target) / 2, 1), 0.2)
    a.component("milestones", len(milestones) / 3, 0.2)
    a.component("involves_others", len(involves) / 3, 0.15)
    a.component("measurable_goals", len(measurable) / 3, 0.15)
    a.component("customer", len(customers) / 2, 0.1)

    if not horizon:
        a.add_doc("no_horizon", "Name the horizon: where this system will be in 2-3 years.")
    if not current or not target:
        a.add_doc(
            "no_current_vs_target",
            "Contrast today's state with the target state ('Today ...; in three years ...').",
        )
    if len(milestones) < 2:
        a.add_doc(
            "no_milestones", "Add milestones with dates (phases, quarters) that lead to the goal."
        )
    if len(involves) < 2:
        a.add_doc("no_involvement", "Say which teams and partners this involves and what they do.")
    if not measurable:
        a.add_doc("no_measures", "Give measurable goals (a number for where you want to be).")


def _customer_words() -> frozenset[str]:
    from .. import lexicon

    return lexicon.words("kinds", "customer_words")
