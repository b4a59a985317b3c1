"""Per-module grading status kept in the workspace (``.wbcourse/status/MODULE.json``).

The gradebook holds scores; this file holds what nbgrader's gradebook has no place for:
problems found while grading (a corrupt notebook, a timeout, a prose score that the
learner's kernel reported differently) and the fingerprint of each graded submission,
so a re-run can skip what is already graded.

A grading run appends one line per finished submission to ``MODULE.journal`` (one small
write, whatever the size of the cohort) and folds the journal into ``MODULE.json`` when
it starts and ends (:func:`compact`). A line cut short by a full disk or a killed
process is ignored, so a submission counts as finished only once its whole line is
written, after its grades are in the gradebook.

>>> import tempfile
>>> root = Path(tempfile.mkdtemp())
>>> record(root, "08-x", Outcome("ada", "08-x", "graded", 7.0, 10.0))
>>> load(root, "08-x")["ada"].score
7.0
>>> compact(root, "08-x") and not journal_path(root, "08-x").exists()
True
>>> load(root, "08-x")["ada"].status
'graded'
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path


@dataclass
class Outcome:
    """The result of grading one learner's submission of one module.

    ``status`` is "graded", "skipped" (already graded and unchanged) or "failed" (no
    score recorded). A failed outcome's ``cause`` says whose side the reason is on:
    "submission" (the learner's files: a broken or missing notebook, a notebook that
    kills its kernel; the submission counts as handled) or "grader" (a crash, a full
    disk, an nbgrader error: grading it again may succeed). ``timings`` holds seconds
    spent per grading stage (see :data:`STAGES`).
    """

    learner: str
    module: str
    status: str
    score: float = 0.0
    max_score: float = 0.0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    fingerprint: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    cause: str = ""

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict) -> Outcome:
        """Build from a stored dict, ignoring keys this version does not know."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in known})


#: Grading stages timed per submission, in order (seconds in ``Outcome.timings``).
STAGES = {
    "stage": "staging and tamper checks",
    "kernel": "kernel start and stop (fork and sandbox)",
    "execute": "learner code (cells running)",
    "nbgrader": "nbgrader's own work",
    "prose": "prose re-scoring",
    "commit": "gradebook write and autograded copy",
}


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


def journal_path(root: Path, module: str) -> Path:
    """Where a run appends its finished submissions, one JSON object per line."""
    return _path(root, module).with_suffix(".journal")


def _read_journal(path: Path) -> list[dict]:
    try:
        data = path.read_bytes()
    except OSError:
        return []
    entries = []
    for line in data.split(b"\n"):
        try:
            raw = json.loads(line)
        except ValueError:
            continue  # empty, or cut short by a full disk or a kill
        if isinstance(raw, dict) and "learner" in raw:
            entries.append(raw)
    return entries


def load(root: Path, module: str) -> dict[str, Outcome]:
    """Outcomes recorded for ``module``, by learner (the journal's lines win)."""
    path = _path(root, module)
    raw: dict = {}
    if path.exists():
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            raw = {}
    outcomes = {k: Outcome.from_dict(v) for k, v in raw.items()}
    for entry in _read_journal(journal_path(root, module)):
        outcomes[entry["learner"]] = Outcome.from_dict(entry)
    return outcomes


def save(root: Path, module: str, outcomes: dict[str, Outcome]) -> None:
    """Write the outcomes of ``module`` atomically (replacing file and journal)."""
    path = _path(root, module)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump({k: v.to_dict() for k, v in sorted(outcomes.items())}, f, indent=1)
        tmp.replace(path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise
    journal_path(root, module).unlink(missing_ok=True)


def record(root: Path, module: str, outcome: Outcome) -> None:
    """Append one finished submission to the journal (one write of one line)."""
    path = journal_path(root, module)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(outcome.to_dict()) + "\n").encode()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        # A line cut short earlier (full disk) must not swallow this one.
        if os.fstat(fd).st_size and not _ends_with_newline(path):
            line = b"\n" + line
        written = os.write(fd, line)
        if written != len(line):
            raise OSError(28, "No space left on device (journal line cut short)")
    finally:
        os.close(fd)


def _ends_with_newline(path: Path) -> bool:
    with open(path, "rb") as f:
        f.seek(-1, os.SEEK_END)
        return f.read(1) == b"\n"


def compact(root: Path, module: str) -> bool:
    """Fold the journal into ``MODULE.json``; False (journal kept) if it cannot be written."""
    if not journal_path(root, module).exists():
        return True
    try:
        save(root, module, load(root, module))
    except OSError:
        return False
    return True
