"""FAQ: questions with direct answers; external vs internal; internal coverage areas."""

from __future__ import annotations

import re

from ..signals import Analysis
from ..text import Sentence

MIN_WORDS = 150

_Q_PREFIX = re.compile(r"^\s*(?:Q|Question)\s*\d*\s*[:.]\s*", re.IGNORECASE)
_A_PREFIX = re.compile(r"^\s*(?:A|Answer)\s*[:.]\s*", re.IGNORECASE)
_DIRECT = re.compile(
    r"^\s*(?:A\s*[:.]\s*)?(?:yes|no|not yet|we don't know yet|we will know|we'll know|"
    r"we will follow up|i'll follow up|we'll follow up)\b",
    re.IGNORECASE,
)
# the first characters a match of each can start with (the text is stripped); "İ" and "ı"
# match "i" when the case is ignored
_Q_FIRST = frozenset("qQ")
_A_FIRST = frozenset("aA")
_DIRECT_FIRST = frozenset("aAyYnNwWiI\u0130\u0131")
_FIRST_PERSON = re.compile(r"\b(?:I|my|me)\b")  # a customer's question
_WE = re.compile(r"\b(?:we|us|our)\b", re.IGNORECASE)  # the team's own question
_NUMBERISH = re.compile(
    r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|hundred|"
    r"thousand|million)\b",
    re.IGNORECASE,
)
# _NUMBERISH for lower-case text, starting with one character class (faster to scan)
_NUMBERISH_LOWER = re.compile(
    r"[\dotfsehnm](?<!\w.)(?:(?<=\d)\d*|(?<=o)ne|(?<=t)(?:wo|hree|en|welve|wenty|housand)"
    r"|(?<=f)(?:our|ive)|(?<=s)(?:ix|even)|(?<=e)ight|(?<=n)ine|(?<=h)undred|(?<=m)illion)\b"
)


def _numberish(a: Analysis, s: Sentence) -> bool:
    """Does sentence ``s`` hold a number in digits or words (does _NUMBERISH match)?"""
    if a.exact_fold:
        return _NUMBERISH_LOWER.search(a.low, s.start, s.end) is not None
    return _NUMBERISH.search(s.text) is not None


AREAS = {
    "customer_and_market": ("customer, market size", "faq.area.customer"),
    "assumptions_and_risks": ("assumptions and risks", "faq.area.risk"),
    "economics": ("economics: cost, revenue, margin, headcount", "faq.area.economics"),
    "dependencies": ("dependencies on other teams or vendors", "faq.area.dependencies"),
}


def check(a: Analysis) -> None:
    """Add the FAQ signals, components and findings to ``a``."""
    doc = a.doc
    sents = doc.sentences
    # (sentences are stripped: a "Q:" or "A:" label is their first character)
    q_idx = [
        si
        for si, s in enumerate(sents)
        if (s.text.endswith("?") or s.text[:1] in _Q_FIRST and _Q_PREFIX.match(s.text))
        and not (s.text[:1] in _A_FIRST and _A_PREFIX.match(s.text))
        and a.sents[si].n >= 2
    ]
    # answers: the sentences between one question and the next
    bounds = q_idx + [len(sents)]
    internal_q = {m[2] for m in a.matches("kinds", "faq.internal")}
    external_q = {m[2] for m in a.matches("kinds", "faq.external")}
    n_internal = n_external = answered = specific = 0
    answer_sents: set[int] = set()
    answered_q: set[int] = set()
    numbers = a.number_sentences()
    for k, qi in enumerate(q_idx):
        q_text = sents[qi].text
        group = [
            si
            for si in range(qi + 1, bounds[k + 1])
            if not a.sents[si].duplicate and not a.sents[si].heading
        ]
        if qi in internal_q:
            n_internal += 1
        elif qi in external_q or _FIRST_PERSON.search(q_text):
            n_external += 1
        elif _WE.search(q_text):
            n_internal += 1
        else:
            n_external += 1
        words = sum(a.sents[si].n for si in group)
        first = sents[group[0]].text if group else ""
        direct = first[:1] in _DIRECT_FIRST and bool(_DIRECT.match(first))
        has_number = any(si in numbers or _numberish(a, sents[si]) for si in group)
        if words >= 6 or (words >= 2 and (direct or has_number)):
            answered += 1
            answered_q.add(qi)
            answer_sents.update(si for si in group if a.sents[si].prose)
            if has_number or direct:
                specific += 1
        else:
            s = sents[qi]
            a.add(
                "unanswered",
                "Answer this question directly: yes, no, a number, or when you will know.",
                s.start,
                s.end,
            )

    covered = []
    for area, (label, section) in AREAS.items():
        hits = [
            m for m in a.matches("kinds", section) if m[2] in answer_sents or m[2] in answered_q
        ]
        # an area counts when it is asked about or answered in real sentences
        if hits:
            covered.append(area)
        elif q_idx:
            a.add_doc(
                f"missing_{area}",
                f"The internal FAQ does not cover {label}; add a question that does.",
                "info",
            )
    nq = len(q_idx)
    a.signals.update(
        questions=nq,
        answered=answered,
        specific_answers=specific,
        external_questions=n_external,
        internal_questions=n_internal,
        internal_areas=covered,
    )
    a.component("questions", nq / 6, 0.15)
    a.component("answered", answered / nq if nq else 0.0, 0.15)
    a.component("specific_answers", specific / max(answered, 1) * min(answered / 4, 1), 0.2)
    a.component("internal_coverage", len(covered) / 4 if nq else 0.0, 0.3)
    a.component(
        "external_and_internal", 0.5 * min(n_external, 1) + 0.5 * min(n_internal / 2, 1), 0.1
    )
    a.component("answer_depth", len(answer_sents) / max(nq * 2, 6), 0.1)
    if not nq:
        a.add_doc(
            "no_questions",
            "Write the FAQ as questions (ending in '?') each followed by a direct answer.",
            "error",
        )
    elif not n_internal:
        a.add_doc(
            "no_internal_questions",
            "Add internal questions: why now, risks, cost to build, dependencies, alternatives.",
        )
    elif not n_external:
        a.add_doc(
            "no_external_questions",
            "Add the questions a customer would ask: price, how it works, where to get help.",
            "info",
        )
