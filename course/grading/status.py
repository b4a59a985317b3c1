"""Per-module grading status kept in the workspace (``.wbcourse/status/MODULE.json``).

The gradebook holds scores; this file holds what nbgrader's gradebook has no place for:
problems found while grading (a corrupt notebook, a timeout, a prose score that the
learner's kernel reported differently) and the fingerprint of each graded submission,
so a re-run can skip what is already graded.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass
class Outcome:
    """The result of grading one learner's submission of one module."""

    learner: str
    module: str
    status: str  # "graded", "skipped" (already graded), "failed" (could not be graded)
    score: float = 0.0
    max_score: float = 0.0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    fingerprint: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def fingerprint(folder: Path) -> str:
    """A hash of every file name and content below ``folder`` (stable across runs)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"<unreadable>")
    return digest.hexdigest()


def _path(root: Path, module: str) -> Path:
    return root / ".wbcourse" / "status" / f"{module}.json"


def load(root: Path, module: str) -> dict[str, Outcome]:
    """Outcomes recorded for ``module``, by learner."""
    path = _path(root, module)
    if not path.exists():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return {}
    return {k: Outcome(**v) for k, v in raw.items()}


def save(root: Path, module: str, outcomes: dict[str, Outcome]) -> None:
    """Write the outcomes of ``module`` atomically."""
    path = _path(root, module)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({k: v.to_dict() for k, v in sorted(outcomes.items())}, indent=1))
    tmp.replace(path)
