"""``wbcourse start``: copy released exercises into a learner workspace, safely.

A manifest (``.wbcourse/manifest.json``) records the hash of every file as it was
copied. On a later run a file is updated only if the learner has not changed it;
an edited file is always kept, and the newer release is written beside it as
``NAME.new.ipynb`` so nothing the learner wrote is ever overwritten or lost.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from course import paths
from course.errors import CourseError

MANIFEST = Path(".wbcourse") / "manifest.json"
DEFAULT_WORKSPACE = Path("~/wb-course")


@dataclass
class StartReport:
    """What ``start`` did to each file (paths relative to the workspace)."""

    workspace: Path
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    corrupt: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Human-readable summary lines."""
        out = [f"workspace: {self.workspace}"]
        out.append(f"added {len(self.added)} file(s), updated {len(self.updated)} unedited file(s)")
        for rel in self.kept:
            out.append(f"kept your edited {rel} (the new release is beside it as "
                       f"{_new_name(rel)})")
        for rel in self.corrupt:
            out.append(f"warning: {rel} is not a readable notebook; left as it is")
        return out


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _new_name(rel: str) -> str:
    p = Path(rel)
    return str(p.with_name(f"{p.stem}.new{p.suffix}"))


def _load_manifest(workspace: Path) -> dict[str, str]:
    path = workspace / MANIFEST
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.get("files", {}).items()}


def _is_readable_notebook(path: Path) -> bool:
    if path.suffix != ".ipynb":
        return True
    try:
        json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return True


def start(workspace: Path, exercises: Path | None = None) -> StartReport:
    """Copy every released module into ``workspace`` without overwriting edits.

    >>> import tempfile
    >>> ws = Path(tempfile.mkdtemp()) / "ws"
    >>> report = start(ws)
    >>> report.kept, bool(report.added)
    ([], True)
    >>> start(ws).added
    []
    """
    source = exercises or paths.exercises_dir()
    if not source.is_dir() or not any(source.iterdir()):
        raise CourseError(f"no released exercises found in {source}; run 'wbcourse release'")
    workspace = workspace.expanduser()
    if workspace.exists() and not workspace.is_dir():
        raise CourseError(f"{workspace} exists and is not a folder")
    workspace.mkdir(parents=True, exist_ok=True)
    manifest = _load_manifest(workspace)
    report = StartReport(workspace=workspace.resolve())
    for src in sorted(source.rglob("*")):
        if not src.is_file() or "__pycache__" in src.parts or ".ipynb_checkpoints" in src.parts:
            continue
        rel = str(src.relative_to(source))
        dest = workspace / rel
        release_hash = _digest(src)
        if not dest.exists():
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest)
            report.added.append(rel)
        elif _digest(dest) == release_hash:
            report.unchanged.append(rel)
        elif manifest.get(rel) == _digest(dest):
            shutil.copy2(src, dest)  # the learner never touched it: take the new release
            report.updated.append(rel)
        else:
            if not _is_readable_notebook(dest):
                report.corrupt.append(rel)
            shutil.copy2(src, workspace / _new_name(rel))
            report.kept.append(rel)
            continue  # keep the manifest entry of what the learner started from
        manifest[rel] = release_hash
    (workspace / MANIFEST).parent.mkdir(exist_ok=True)
    (workspace / MANIFEST).write_text(json.dumps({"files": manifest}, indent=1, sort_keys=True))
    return report


def launch_lab(workspace: Path) -> int:
    """Open JupyterLab in ``workspace`` (replaces the current process)."""
    import os
    import sys

    args = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={workspace}"]
    os.execv(sys.executable, args)
    return 0  # pragma: no cover  (execv does not return)
