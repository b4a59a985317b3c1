"""Points for closed items (labelling, matching, ordering), corrected for guessing.

Every closed item of the course is scored by one rule, in its hidden test cell: the
points grow with the number of right answers *above what a blind answer earns*, so
labelling everything the same way, or at random, earns nothing on average::

    points = max_points * max(0, right - chance) / (total - chance)

``chance`` is what a blind answer is expected to get right: ``total / len(choices)``
for labels drawn from a balanced key, 1 for a one-to-one matching (a random
permutation has one fixed point on average), ``(n - 1) / n`` steps for an ordering of
``n`` things, or the number of items whose right answer is the empty one for an
extraction item (an all-empty answer gets those). ``tests/test_blind_strategies.py``
runs every closed item's real test cell against blind strategies (one label for all,
alternating labels, first-word rules, listed order) and fails if any earns more than a
quarter of the points.

Hidden tests reload this module before they use it (``importlib.reload``), so a
learner's kernel cannot swap the rule for a kinder one.

>>> corrected(10, 10, 5, 3)
3.0
>>> corrected(5, 10, 5, 3), corrected(2, 10, 5, 3)
(0.0, 0.0)
>>> corrected(8, 10, 5, 3)
1.8
>>> count_right({1: " Benefit ", 2: "feature"}, {1: "benefit", 2: "benefit"})
1
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

__all__ = ["corrected", "count_right", "chain_steps", "normal"]


def corrected(right: float, total: float, chance: float, points: float) -> float:
    """Points for ``right`` of ``total`` answers when blind answers get ``chance`` right.

    Rounded to hundredths, never below 0 or above ``points``.

    >>> corrected(1, 3, 1, 2), corrected(3, 3, 1, 2)
    (0.0, 2.0)
    >>> corrected(3, 4, 0.8, 2)
    1.38
    """
    if total <= chance:
        raise ValueError(f"chance ({chance}) must be below the number of items ({total})")
    share = max(0.0, min(float(right), float(total)) - chance) / (total - chance)
    return round(points * share, 2)


def normal(value: object) -> str | None:
    """A learner's answer as compared with the key: lower case, single spaces.

    Only a real ``str`` counts: an object that pretends to equal everything never matches.

    >>> normal("  One-Way  door "), normal(3)
    ('one-way door', None)
    """
    if type(value) is not str:
        return None
    return " ".join(value.lower().split())


def count_right(given: object, key: Mapping[object, str],
                canonical: Callable[[str], str | None] | None = None) -> int:
    """How many entries of ``given`` (a dict) match ``key`` after :func:`normal`.

    ``canonical`` maps a normalised answer to the key's spelling (``None`` when it names
    nothing): for example ``"Have Backbone; Disagree and Commit"`` for a Leadership
    Principle written with either punctuation.

    >>> count_right({"A": "two way"}, {"A": "two-way"}, lambda s: s.replace(" ", "-"))
    1
    >>> count_right(["benefit"], {0: "benefit"})
    0
    """
    if type(given) is not dict:
        return 0

    def canon(value: object) -> str | None:
        text = normal(value)
        return canonical(text) if text is not None and canonical is not None else text

    return sum(1 for item, want in key.items()
               if canon(given.get(item)) is not None and canon(given.get(item)) == canon(want))


def chain_steps(given: object, key: Sequence[str]) -> int:
    """How many consecutive pairs of ``key`` also follow each other in ``given``.

    >>> chain_steps(["w", "z", "y", "v", "x"], ["W", "Z", "Y", "V", "X"])
    4
    >>> chain_steps(["X", "V", "Y", "Z", "W"], ["W", "Z", "Y", "V", "X"])
    0
    """
    if type(given) not in (list, tuple):
        return 0
    order = [normal(x) for x in given]
    want = [normal(x) for x in key]
    steps = 0
    for a, b in zip(want, want[1:], strict=False):
        if a in order and b in order and order.index(b) == order.index(a) + 1:
            steps += 1
    return steps
