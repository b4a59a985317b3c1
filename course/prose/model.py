"""The result types: :class:`Review` and :class:`Finding`."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

TYPE_CHECKING = False  # avoid importing typing at run time (import time matters)
if TYPE_CHECKING:
    from typing import Any

SEVERITIES = ("info", "warning", "error")


@dataclass(frozen=True)
class Finding:
    """One thing to fix: ``text[start:end]`` is the flagged span of the original text.

    Findings about the whole text (missing section, too short) use ``start == end == 0``.
    """

    rule: str
    message: str
    start: int
    end: int
    severity: str = "warning"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict with the five contract fields."""
        return {
            "rule": self.rule,
            "message": self.message,
            "start": self.start,
            "end": self.end,
            "severity": self.severity,
        }


@dataclass(frozen=True)
class Review:
    """The outcome of :func:`course.prose.review`: a score, named signals and findings.

    >>> r = Review(kind="summary", text="x", score=0.62, signals={}, findings=[])
    >>> r.points(4), r.points(10), r.points(3)
    (2.5, 6.0, 2.0)
    """

    kind: str
    text: str = field(repr=False)
    score: float
    signals: dict[str, Any]
    findings: list[Finding]

    def to_dict(self) -> dict[str, Any]:
        """``{"kind", "score", "signals", "findings"}``, ready for ``json.dumps``."""
        return {
            "kind": self.kind,
            "score": self.score,
            "signals": self.signals,
            "findings": [f.to_dict() for f in self.findings],
        }

    def points(self, max_points: float) -> float:
        """``score * max_points`` rounded half-up to the nearest 0.5 (nbgrader partial credit).

        >>> Review("coe", "", 0.5, {}, []).points(5)
        2.5
        >>> Review("coe", "", 0.3125, {}, []).points(4)
        1.5
        """
        raw = round(self.score * max_points * 2, 6)  # absorb float noise before rounding
        pts = math.floor(raw + 0.5) / 2
        return float(min(max(pts, 0.0), max_points))
