"""Names used by the decision-habits module: the Leadership Principles and door types.

Learners type principle names by hand, so :func:`canonical_principle` forgives
case, spacing and punctuation (``"have backbone; disagree and commit"`` is fine)
but not a different principle.

>>> len(LEADERSHIP_PRINCIPLES)
16
>>> canonical_principle("  dive deep ")
'Dive Deep'
>>> canonical_principle("Have Backbone; Disagree and Commit")
'Have Backbone, Disagree and Commit'
>>> canonical_principle("Move Fast") is None
True
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = [
    "DOOR_TYPES",
    "IN_ONE_LINE",
    "LEADERSHIP_PRINCIPLES",
    "canonical_door",
    "canonical_principle",
    "match_count",
]

#: The 16 Leadership Principles, in the order Amazon publishes them.
LEADERSHIP_PRINCIPLES: tuple[str, ...] = (
    "Customer Obsession",
    "Ownership",
    "Invent and Simplify",
    "Are Right, A Lot",
    "Learn and Be Curious",
    "Hire and Develop the Best",
    "Insist on the Highest Standards",
    "Think Big",
    "Bias for Action",
    "Frugality",
    "Earn Trust",
    "Dive Deep",
    "Have Backbone, Disagree and Commit",
    "Deliver Results",
    "Strive to be Earth's Best Employer",
    "Success and Scale Bring Broad Responsibility",
)

#: Each principle in one line, in this course's words (module 6 shows them as a table).
IN_ONE_LINE: dict[str, str] = {
    "Customer Obsession": "Start from the customer and work backwards; watch competitors, but "
    "obsess over customers.",
    "Ownership": "Think long term and act for the whole company, beyond your own team; "
    "\"that's not my job\" is never the answer.",
    "Invent and Simplify": "Expect new ideas from anywhere, and keep looking for the simpler way.",
    "Are Right, A Lot": "Have good judgement, built by seeking different views and trying to "
    "prove your own beliefs wrong.",
    "Learn and Be Curious": "Keep learning, and stay curious about new possibilities.",
    "Hire and Develop the Best": "Raise the bar with every hire and promotion; coach people "
    "and grow leaders.",
    "Insist on the Highest Standards": "Keep raising the bar; don't pass defects down the line; "
    "fix problems so they stay fixed.",
    "Think Big": "Set a bold direction that others can rally behind.",
    "Bias for Action": "Speed matters: many decisions can be reversed and don't need long "
    "study. Take calculated risks.",
    "Frugality": "Do more with less; constraints breed resourcefulness.",
    "Earn Trust": "Listen, speak candidly, treat people with respect, and be open about your "
    "own mistakes.",
    "Dive Deep": "Stay close to the details and audit them; be sceptical when the numbers and "
    "the anecdotes disagree.",
    "Have Backbone, Disagree and Commit": "Challenge decisions you disagree with, respectfully, "
    "even when it is uncomfortable; once decided, commit fully.",
    "Deliver Results": "Focus on the key inputs and deliver them with the right quality, on "
    "time, despite setbacks.",
    "Strive to be Earth's Best Employer": "Build a safer, fairer, more productive workplace, "
    "and lead with empathy.",
    "Success and Scale Bring Broad Responsibility": "Be humble and thoughtful about the wider "
    "effects of what you do.",
}

#: The two kinds of decision in the 2015 shareholder letter.
DOOR_TYPES: tuple[str, ...] = ("one-way", "two-way")


def _key(text: str) -> str:
    """Lower-case letters only, ``&`` read as ``and``.

    >>> _key("Earth’s Best  Employer & co")
    'earthsbestemployerandco'
    """
    text = text.lower().replace("&", " and ")
    return re.sub(r"[^a-z]", "", text)


_BY_KEY = {_key(name): name for name in LEADERSHIP_PRINCIPLES}


def canonical_principle(name: object) -> str | None:
    """The official spelling of a principle name, or ``None`` if it names none.

    >>> canonical_principle("INSIST ON THE HIGHEST STANDARDS")
    'Insist on the Highest Standards'
    >>> canonical_principle(3) is None
    True
    """
    if not isinstance(name, str):
        return None
    return _BY_KEY.get(_key(name))


def canonical_door(label: object) -> str | None:
    """``"one-way"`` or ``"two-way"`` for loose spellings, else ``None``.

    >>> canonical_door("Two way door"), canonical_door("ONE-WAY"), canonical_door("maybe")
    ('two-way', 'one-way', None)
    """
    if not isinstance(label, str):
        return None
    key = _key(label).removesuffix("door")
    return {"oneway": "one-way", "twoway": "two-way"}.get(key)


def match_count(
    answers: object,
    key: dict[str, str],
    normalise: Callable[[object], str | None] = canonical_principle,
) -> int:
    """How many entries of ``answers`` (a dict) agree with ``key`` after normalising.

    Missing entries, wrong types and unknown names count as not matching.

    >>> match_count({"A": "ownership", "B": "Frugality"}, {"A": "Ownership", "B": "Dive Deep"})
    1
    >>> match_count(None, {"A": "Ownership"})
    0
    """
    if not isinstance(answers, dict):
        return 0
    return sum(
        1
        for item, expected in key.items()
        if normalise(answers.get(item)) is not None
        and normalise(answers.get(item)) == normalise(expected)
    )
