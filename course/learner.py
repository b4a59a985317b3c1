"""``wbcourse start``: copy released exercises into a learner workspace, safely.

A manifest (``.wbcourse/manifest.json``) records the course version and the hash of
every file as it was copied. On a later run, typically after installing a newer course
wheel, new modules are added and a file is updated only if the learner has not changed
it; an edited file is always kept, and the newer release is written beside it as
``NAME.new.ipynb`` so nothing the learner wrote is ever overwritten or lost. The report
says which modules are new or changed since the version the workspace was set up with.

Nothing is written when the command cannot proceed: the workspace path is a file, the
workspace was set up by a newer course version, or the installed course is incomplete.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from course import __version__, edition, paths
from course.errors import CourseError

MANIFEST = Path(".wbcourse") / "manifest.json"
DEFAULT_WORKSPACE = Path("~/wb-course")
_TOP = "(top level)"


@dataclass
class Manifest:
    """What a workspace's manifest says: the course version and each file's release hash."""

    version: str | None = None
    files: dict[str, str] = field(default_factory=dict)
    offered: dict[str, str] = field(default_factory=dict)  # release written beside an edit
    found: bool = False  # a manifest existed (set up before)
    readable: bool = True


@dataclass
class StartReport:
    """What ``start`` did to each file (paths relative to the workspace)."""

    workspace: Path
    version: str = __version__
    previous: Manifest = field(default_factory=Manifest)
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    offered: list[str] = field(default_factory=list)  # kept files with a release new this run
    beside: dict[str, str] = field(default_factory=dict)  # kept file -> where its release is
    unchanged: list[str] = field(default_factory=list)
    corrupt: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)  # modules no longer released

    @property
    def new_modules(self) -> list[str]:
        """Modules this run laid out for the first time."""
        had = {_module(rel) for rel in (*self.updated, *self.kept, *self.unchanged)}
        had |= {_module(rel) for rel in self.previous.files}
        return sorted({_module(rel) for rel in self.added} - had)

    @property
    def changed_modules(self) -> list[str]:
        """Modules already in the workspace whose release changed (new, updated or kept files).

        A file the learner deleted and ``start`` put back is not a change of the course.
        """
        mods = {_module(rel) for rel in (*self.updated, *self.offered)}
        mods |= {_module(rel) for rel in self.added if rel not in self.previous.files}
        return sorted(mods - set(self.new_modules))

    def lines(self) -> list[str]:
        """Human-readable summary lines."""
        out = [f"workspace: {self.workspace}"]
        if not self.previous.found:
            out.append(f"course version {self.version}: set up {len(self.new_modules)} module(s)")
        else:
            before = self.previous.version or "an earlier version"
            if self.previous.version == self.version:
                out.append(f"course version {self.version} (as before)")
            else:
                out.append(f"course version {self.version} (this workspace had {before})")
            if self.new_modules:
                out.append("new modules: " + ", ".join(self.new_modules))
            if self.changed_modules:
                out.append("changed modules: " + ", ".join(self.changed_modules))
            if not self.new_modules and not self.changed_modules:
                out.append("no module changed")
        out.append(f"added {len(self.added)} file(s), updated {len(self.updated)} unedited file(s)")
        for rel in self.kept:
            out.append(f"kept your edited {rel} (the new release is beside it as "
                       f"{self.beside.get(rel, _new_name(rel))})")
        for module in self.retired:
            out.append(f"{module} is no longer in the course; your files there are left as "
                       "they are")
        for rel in self.corrupt:
            out.append(f"warning: {rel} is not a readable notebook; left as it is")
        if not self.previous.readable:
            out.append(f"warning: {MANIFEST} was unreadable; every file that differs from the "
                       "release was kept as yours")
        return out


def _module(rel: str) -> str:
    parts = Path(rel).parts
    return parts[0] if len(parts) > 1 else _TOP


def _new_name(rel: str, n: int = 1) -> str:
    p = Path(rel)
    return p.with_name(f"{p.stem}.new{n if n > 1 else ''}{p.suffix}").as_posix()


def _offer(src: Path, workspace: Path, rel: str, release_hash: str, before: str | None) -> str:
    """Write the release of an edited file beside it; return where (relative).

    ``NAME.new.ipynb`` is ours to refresh while it holds a release we wrote; if the learner
    has worked in it, it is left alone and the release goes to ``NAME.new2.ipynb`` (and on).
    """
    n = 1
    while True:
        target = workspace / _new_name(rel, n)
        if not target.exists() or edition.digest(target) in (release_hash, before):
            shutil.copyfile(src, target)
            return _new_name(rel, n)
        n += 1


def _load_manifest(workspace: Path) -> Manifest:
    path = workspace / MANIFEST
    if not path.exists():
        return Manifest()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        files = {str(k): str(v) for k, v in data.get("files", {}).items()}
        offered = {str(k): str(v) for k, v in data.get("offered", {}).items()}
        version = data.get("course_version")
    except (OSError, ValueError, AttributeError, TypeError):
        return Manifest(found=True, readable=False)
    return Manifest(version=str(version) if version else None, files=files, offered=offered,
                    found=True)


def _check_version(workspace: Path, recorded: str | None) -> None:
    """Refuse a workspace set up by a newer course: this release would look like a downgrade."""
    from packaging.version import InvalidVersion, Version

    if recorded is None:
        return
    try:
        newer = Version(recorded) > Version(__version__)
    except InvalidVersion:
        return  # an unreadable version is treated like an old manifest without one
    if newer:
        raise CourseError(
            f"{workspace} was set up by course version {recorded}, newer than the installed "
            f"{__version__}; install the newer course (pip install --upgrade <course wheel>) "
            "or choose another folder")


def _check_release(source: Path, bundled: bool) -> None:
    """Refuse to start from a partial or damaged installation of the course."""
    bad = edition.damaged_files(source.parent) if bundled else (
        [] if source.is_dir() and any(source.rglob("*.ipynb")) else [f"{source.name}/"])
    if not bad:
        return
    if bundled:
        raise CourseError(
            f"the installed course is incomplete: {len(bad)} file(s) missing or damaged under "
            f"{source.parent} (first: {bad[0]}); reinstall it with "
            "pip install --force-reinstall <course wheel>")
    raise CourseError(f"no released exercises found in {source}; run 'wbcourse release'")


def _released_files(source: Path) -> list[Path]:
    skip = {"__pycache__", ".ipynb_checkpoints"}
    return [p for p in sorted(source.rglob("*"))
            if p.is_file() and not skip.intersection(p.relative_to(source).parts)]


def _write_manifest(workspace: Path, files: dict[str, str], offered: dict[str, str]) -> None:
    """Replace the manifest in one step, so a killed run never leaves half of one."""
    target = workspace / MANIFEST
    target.parent.mkdir(exist_ok=True)
    text = json.dumps({"course_version": __version__, "files": files, "offered": offered},
                      indent=1, sort_keys=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".manifest-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except OSError:
        Path(tmp).unlink(missing_ok=True)
        raise


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
    >>> report.kept, bool(report.new_modules)
    ([], True)
    >>> again = start(ws)
    >>> again.added, again.lines()[1:3]  # doctest: +ELLIPSIS
    ([], ['course version ... (as before)', 'no module changed'])
    """
    source = exercises or paths.exercises_dir()
    _check_release(source, bundled=exercises is None and paths.find_source_root() is None)
    workspace = workspace.expanduser()
    if workspace.exists() and not workspace.is_dir():
        raise CourseError(f"{workspace} exists and is not a folder")
    for parent in workspace.parents:
        if parent.exists() and not parent.is_dir():
            raise CourseError(f"cannot create {workspace}: {parent} is a file, not a folder")
    previous = _load_manifest(workspace) if workspace.is_dir() else Manifest()
    _check_version(workspace, previous.version)
    try:
        workspace.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CourseError(f"cannot create {workspace}: {exc.strerror}") from None
    manifest, offered = dict(previous.files), dict(previous.offered)
    report = StartReport(workspace=workspace.resolve(), previous=previous)
    released_modules = set()
    for src in _released_files(source):
        rel = src.relative_to(source).as_posix()
        released_modules.add(_module(rel))
        dest = workspace / rel
        release_hash = edition.digest(src)
        if not dest.exists():
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
            report.added.append(rel)
        elif edition.digest(dest) == release_hash:
            report.unchanged.append(rel)
        elif manifest.get(rel) == edition.digest(dest):
            shutil.copyfile(src, dest)  # the learner never touched it: take the new release
            report.updated.append(rel)
        else:
            if not _is_readable_notebook(dest):
                report.corrupt.append(rel)
            report.beside[rel] = _offer(src, workspace, rel, release_hash, offered.get(rel))
            report.kept.append(rel)
            if offered.get(rel) != release_hash:
                report.offered.append(rel)
                offered[rel] = release_hash
            continue  # keep the manifest entry of what the learner started from
        manifest[rel] = release_hash
        offered.pop(rel, None)
    report.retired = sorted({_module(rel) for rel in previous.files} - released_modules)
    # said once: the learner's files stay, and a module that comes back finds them as theirs
    manifest = {rel: h for rel, h in manifest.items() if _module(rel) not in report.retired}
    offered = {rel: h for rel, h in offered.items() if rel in manifest}
    try:
        _write_manifest(workspace, manifest, offered)
    except OSError as exc:
        raise CourseError(f"cannot write {workspace / MANIFEST}: {exc.strerror}") from None
    return report


def launch_lab(workspace: Path) -> int:
    """Open JupyterLab in ``workspace`` (replaces the current process)."""
    import sys

    args = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={workspace}"]
    os.execv(sys.executable, args)
    return 0  # pragma: no cover  (execv does not return)
