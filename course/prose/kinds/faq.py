"""Detector of the FAQ kind: questions grouped with their answers.

Its parts are counted and scored by ``rules/faq.toml``.

>>> from course.prose.analysis import Analysis
>>> from course.prose.detectors import detect
>>> a = Analysis.of("Why now?\\nComplaints rose by 35% this year.\\n\\nWhat is the cost?")
>>> qa = detect(a, "faq.qa")
>>> qa["questions"], qa["answered"], qa["internal"]
(2, 1, 1)
>>> [a.doc.plain[s:e] for s, e, _ in qa["unanswered"]]
['What is the cost?']
"""

from __future__ import annotations

import re
from typing import Any

from ..analysis import Analysis
from ..detectors import detector

_Q_PREFIX = re.compile(r"^\s*(?:Q|Question)\s*\d*\s*[:.]\s*", re.IGNORECASE)
_A_PREFIX = re.compile(r"^\s*(?:A|Answer)\s*[:.]\s*", re.IGNORECASE)
_DIRECT = re.compile(
    r"^\s*(?:A\s*[:.]\s*)?(?:yes|no|not yet|we don't know yet|we will know|we'll know|"
    r"we will follow up|i'll follow up|we'll follow up)\b",
    re.IGNORECASE,
)
_FIRST_PERSON = re.compile(r"\b(?:I|my|me)\b")  # a customer's question
_WE = re.compile(r"\b(?:we|us|our)\b", re.IGNORECASE)  # the team's own question
_NUMBERISH = re.compile(
    r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|hundred|"
    r"thousand|million)\b",
    re.IGNORECASE,
)
# internal-FAQ areas: name -> the word list that covers it
AREAS = {
    "customer_and_market": "faq:area.customer",
    "assumptions_and_risks": "faq:area.risk",
    "economics": "faq:area.economics",
    "dependencies": "faq:area.dependencies",
}


def _questions(a: Analysis) -> list[int]:
    """Sentences that ask (end in "?" or start with a "Q:" label), not "A:" answers."""
    return [
        si for si, s in enumerate(a.doc.sentences)
        if (s.text.endswith("?") or _Q_PREFIX.match(s.text))
        and not _A_PREFIX.match(s.text) and a.sents[si].n >= 2
    ]  # fmt: skip


def _is_internal(a: Analysis, qi: int) -> bool:
    """An internal question (the team's: risks, cost to build) rather than a customer's."""
    if qi in {m[2] for m in a.matches("faq:internal")}:
        return True
    text = a.doc.sentences[qi].text
    if qi in {m[2] for m in a.matches("faq:external")} or _FIRST_PERSON.search(text):
        return False
    return bool(_WE.search(text))


@detector("faq.qa")
def qa(a: Analysis) -> dict[str, Any]:
    """Questions, the answers between one question and the next, and what they cover."""
    sents = a.doc.sentences
    q_idx = _questions(a)
    numbers = a.number_sentences()
    out: dict[str, Any] = dict.fromkeys(("answered", "specific", "internal"), 0)
    answer_sents: set[int] = set()
    answered_q: set[int] = set()
    unanswered = []
    for qi, end in zip(q_idx, [*q_idx[1:], len(sents)], strict=False):
        out["internal"] += _is_internal(a, qi)
        group = [si for si in range(qi + 1, end)
                 if not a.sents[si].duplicate and not a.sents[si].heading]
        words = sum(a.sents[si].n for si in group)
        direct = bool(group) and bool(_DIRECT.match(sents[group[0]].text))
        has_number = any(si in numbers or _NUMBERISH.search(sents[si].text) for si in group)
        if words >= 6 or (words >= 2 and (direct or has_number)):
            out["answered"] += 1
            out["specific"] += has_number or direct
            answered_q.add(qi)
            answer_sents.update(si for si in group if a.sents[si].prose)
        else:
            unanswered.append((sents[qi].start, sents[qi].end, {}))
    out["questions"] = len(q_idx)
    out["external"] = len(q_idx) - out["internal"]
    out["answer_sentences"] = len(answer_sents)
    out["unanswered"] = unanswered
    # an area counts when it is asked about or answered in real sentences
    asked = answer_sents | answered_q
    out["areas"] = [area for area, ref in AREAS.items()
                    if any(m[2] in asked for m in a.matches(ref))]
    return out
