"""``wbcourse collect``: bring learners' notebooks into ``submitted/<learner>/<module>/``.

Accepted sources:

* a folder with one folder per learner: ``src/<learner>/*.ipynb`` or
  ``src/<learner>/<module>/*.ipynb``;
* a folder of one file per learner, as LMS downloads give them: the learner id is the
  file name up to the first ``_`` (Canvas: ``smithjane_12345_678_mini.ipynb`` is
  ``smithjane``), or the whole name (``ada.ipynb``);
* a ``.zip`` of either, unpacked safely in a temporary folder inside the workspace
  (no ``..`` or absolute paths, no links, size, entry-count and compression-ratio limits);
* an nbgrader exchange: ``<exchange>/<course_id>/inbound/<learner>+<module>+<timestamp>…``
  (the newest submission of each learner is taken).

Nothing is lost: when a learner's submission already in the workspace differs from the
new one, the old folder is moved to ``.wbcourse/previous/<learner>/<module>-<UTC time>/``
first. Each imported folder gets nbgrader's ``timestamp.txt``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from course.errors import CourseError
from course.grading.workspace import Workspace

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f UTC"  # what nbgrader writes to timestamp.txt
MAX_ENTRIES = 10_000
MAX_ENTRY_BYTES = 50 * 2**20
MAX_TOTAL_BYTES = 500 * 2**20
MAX_RATIO = 200
RATIO_MIN_BYTES = 2**20  # tiny files may compress well; the ratio applies above 1 MB
_CHUNK = 2**20
_VALID_ID = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")
_IGNORED = {"__MACOSX", ".DS_Store", "Thumbs.db", ".ipynb_checkpoints", "__pycache__"}


@dataclass(frozen=True)
class Imported:
    """A learner's submission written to (or already present in) the workspace."""

    learner: str
    source: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Skipped:
    """Something in the source that was not imported, and why."""

    source: str
    reason: str
    learner: str | None = None


@dataclass
class CollectReport:
    """What :func:`collect` did."""

    module: str
    destination: Path
    imported: list[Imported] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Human-readable summary, one line per learner or skipped item.

        >>> r = CollectReport("01-mini", Path("/ws/submitted"),
        ...                   [Imported("ada", "ada.ipynb", ("renamed to mini.ipynb",))],
        ...                   [Skipped("notes.txt", "not a notebook")])
        >>> print("\\n".join(r.lines()))
        imported 1 submission(s) of 01-mini into /ws/submitted
          ada  from ada.ipynb; renamed to mini.ipynb
        skipped 1:
          notes.txt: not a notebook
        next: wbcourse grade 01-mini --workspace /ws
        """
        out = [f"imported {len(self.imported)} submission(s) of {self.module} "
               f"into {self.destination}"]
        width = max((len(i.learner) for i in self.imported), default=0)
        for item in self.imported:
            notes = "".join(f"; {n}" for n in item.notes)
            out.append(f"  {item.learner.ljust(width)}  from {item.source}{notes}")
        if self.skipped:
            out.append(f"skipped {len(self.skipped)}:")
            out += [f"  {s.source}: {s.reason}" for s in self.skipped]
        if self.imported:
            out.append(f"next: wbcourse grade {self.module} --workspace "
                       f"{self.destination.parent}")
        return out


@dataclass
class _Candidate:
    """One learner's submission found in the source, before it is written."""

    learner: str
    label: str  # where it came from, for the report
    files: list[tuple[str, Path]]  # (relative destination path, source file)
    timestamp: datetime  # UTC, naive
    notes: list[str] = field(default_factory=list)


def valid_learner_id(learner: str) -> bool:
    """Ids nbgrader and a file system both accept: ``[A-Za-z0-9._-]``, not starting with ".".

    >>> valid_learner_id("smithjane"), valid_learner_id("jane.smith-2")
    (True, True)
    >>> valid_learner_id(".hidden"), valid_learner_id("Jane Smith"), valid_learner_id("..")
    (False, False, False)
    """
    return bool(_VALID_ID.match(learner)) and not learner.startswith(".")


def learner_from_filename(name: str) -> str:
    """The learner id in an LMS download's file name: everything before the first ``_``.

    >>> learner_from_filename("smithjane_12345_678_cross-team-impact.ipynb")
    'smithjane'
    >>> learner_from_filename("ada.ipynb")
    'ada'
    >>> learner_from_filename("smithjane_LATE_12345_678_mini-1.ipynb")
    'smithjane'
    """
    stem = name[:-len(".ipynb")] if name.endswith(".ipynb") else Path(name).stem
    return stem.split("_", 1)[0]


def collect(ws: Workspace, module: str, source: Path) -> CollectReport:
    """Import the submissions of ``module`` found in ``source`` into the workspace."""
    source = Path(source).expanduser()
    if not source.exists():
        raise CourseError(f"no such file or folder: {source}")
    _refuse_own_folder(ws, source)
    report = CollectReport(module, ws.submitted)
    scratch_root = ws.root / ".wbcourse"
    scratch_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="collect-", dir=scratch_root) as tmp:
        scratch = Path(tmp)
        if source.is_dir():
            folder = source
        elif source.suffix.lower() == ".ipynb":
            folder = scratch / "single"
            folder.mkdir()
            shutil.copy2(source, folder / source.name)
        elif source.suffix.lower() == ".zip" or zipfile.is_zipfile(source):
            folder = scratch / "unzipped"
            folder.mkdir()
            safe_extract(source, folder)
            folder = _unwrap(folder, module, _release_names(ws, module))
        else:
            raise CourseError(f"{source} is not a folder, a .zip file or a notebook")
        candidates = _find(ws, module, folder, report)
        chosen = _dedupe(candidates, report)
        staging = scratch / "out"
        staging.mkdir()
        for cand in sorted(chosen, key=lambda c: c.learner):
            _write(ws, module, cand, staging, report)
    report.imported.sort(key=lambda i: i.learner)
    return report


def _refuse_own_folder(ws: Workspace, source: Path) -> None:
    """Refuse to import from the workspace itself or from the folders it manages."""
    resolved = source.resolve()
    if resolved == ws.root.resolve():
        raise CourseError(f"{source} is the grading workspace itself: collect from the "
                          "folder or zip holding the learners' work")
    for own in (ws.submitted, ws.autograded, ws.feedback, ws.root / "release",
                ws.root / ".wbcourse"):
        own = own.resolve()
        if resolved == own or own in resolved.parents:
            raise CourseError(f"{source} is inside the workspace's own {own.name}/ folder: "
                              "collect from a copy elsewhere")


# --------------------------------------------------------------------------- zip files

def safe_extract(archive: Path, dest: Path) -> None:
    """Unpack ``archive`` into ``dest``, refusing anything unsafe before writing a byte.

    Refused (one-line :class:`CourseError`): unreadable zips, more than
    :data:`MAX_ENTRIES` entries, names with ``..`` or absolute paths, symbolic links,
    encrypted entries, an entry over :data:`MAX_ENTRY_BYTES`, more than
    :data:`MAX_TOTAL_BYTES` in all, or a compression ratio over :data:`MAX_RATIO` (a zip
    bomb). Sizes are enforced while unpacking too, whatever the headers claim.
    """
    name = archive.name
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise CourseError(f"{name}: not a readable zip file") from exc
    with zf:
        try:
            infos = zf.infolist()
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise CourseError(f"{name}: not a readable zip file") from exc
        if len(infos) > MAX_ENTRIES:
            raise CourseError(f"{name}: more than {MAX_ENTRIES} entries; refusing to unpack")
        total = packed = 0
        plan: list[tuple[zipfile.ZipInfo, tuple[str, ...]]] = []
        for info in infos:
            parts = _safe_parts(info.filename)
            if parts is None:
                raise CourseError(f"{name}: unsafe entry {info.filename!r} "
                                  "(absolute path or '..'); refusing to unpack")
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise CourseError(f"{name}: entry {info.filename!r} is a symbolic link; "
                                  "refusing to unpack")
            if info.flag_bits & 0x1:
                raise CourseError(f"{name}: entry {info.filename!r} is encrypted")
            if info.file_size > MAX_ENTRY_BYTES:
                raise CourseError(f"{name}: entry {info.filename!r} is larger than "
                                  f"{MAX_ENTRY_BYTES // 2**20} MB; refusing to unpack")
            if info.file_size > RATIO_MIN_BYTES and \
                    info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise CourseError(f"{name}: entry {info.filename!r} compresses more than "
                                  f"{MAX_RATIO}:1 (a zip bomb?); refusing to unpack")
            total += info.file_size
            packed += info.compress_size
            if parts:
                plan.append((info, parts))
        if total > MAX_TOTAL_BYTES:
            raise CourseError(f"{name}: unpacks to more than {MAX_TOTAL_BYTES // 2**20} MB; "
                              "refusing to unpack")
        if total > RATIO_MIN_BYTES and total > MAX_RATIO * max(packed, 1):
            raise CourseError(f"{name}: compresses more than {MAX_RATIO}:1 (a zip bomb?); "
                              "refusing to unpack")
        root = dest.resolve()
        written = 0
        try:
            for info, parts in plan:
                target = root.joinpath(*parts)
                if root not in target.parents:  # belt and braces after _safe_parts
                    raise CourseError(f"{name}: unsafe entry {info.filename!r}")
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                size = 0
                with zf.open(info) as src, open(target, "xb") as out:
                    while chunk := src.read(_CHUNK):
                        size += len(chunk)
                        written += len(chunk)
                        if size > max(info.file_size, 0) or size > MAX_ENTRY_BYTES \
                                or written > MAX_TOTAL_BYTES:
                            raise CourseError(f"{name}: entry {info.filename!r} unpacks to "
                                              "more than its header says; refusing to unpack")
                        out.write(chunk)
                stamp = _zip_time(info)
                if stamp is not None:
                    os.utime(target, (stamp, stamp))
        except CourseError:
            raise
        except FileExistsError as exc:
            raise CourseError(f"{name}: two entries unpack to the same path "
                              f"{Path(exc.filename or '').name!r}") from exc
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError,
                ValueError) as exc:
            raise CourseError(f"{name}: not a readable zip file") from exc


def _safe_parts(filename: str) -> tuple[str, ...] | None:
    """Path parts of a zip entry name, or None if it is absolute or climbs out.

    >>> _safe_parts("ada/mini.ipynb"), _safe_parts("./ada//x.ipynb")
    (('ada', 'mini.ipynb'), ('ada', 'x.ipynb'))
    >>> _safe_parts("../evil.ipynb"), _safe_parts("/etc/x"), _safe_parts("C:\\\\x")
    (None, None, None)
    """
    if "\0" in filename:
        return None
    name = filename.replace("\\", "/")
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return None
    parts = tuple(p for p in name.split("/") if p not in ("", "."))
    if any(p == ".." for p in parts):
        return None
    return parts


def _zip_time(info: zipfile.ZipInfo) -> float | None:
    try:
        return datetime(*info.date_time).timestamp()
    except (ValueError, OverflowError):
        return None


def _visible(folder: Path) -> list[Path]:
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return []
    return [p for p in entries if p.name not in _IGNORED and not p.name.startswith(".")]


def _unwrap(folder: Path, module: str, release: list[str]) -> Path:
    """Step into single wrapping folders (``cohort.zip`` holding ``cohort/<learner>/...``).

    A lone folder is a learner's own when it holds one notebook, a notebook named like the
    module's, or a ``<module>/`` folder; otherwise it only wraps the real content.
    """
    for _ in range(4):
        entries = _visible(folder)
        if len(entries) != 1 or not entries[0].is_dir() or entries[0].is_symlink():
            return folder
        inner = entries[0]
        if _inbound_dirs(folder) or inner.name == module:
            return folder
        children = _visible(inner)
        notebooks = [p.name for p in children if p.is_file() and p.suffix == ".ipynb"]
        dirs = [p.name for p in children if p.is_dir()]
        if len(notebooks) == 1 or set(notebooks) & set(release) or module in dirs:
            return folder
        if not notebooks and not dirs:
            return folder
        folder = inner
    return folder


# --------------------------------------------------------------------- finding work

def _release_names(ws: Workspace, module: str) -> list[str]:
    """Notebook file names the module releases (workspace copy, else the course's)."""
    from course import paths

    for folder in (ws.root / "release" / module, paths.exercises_dir() / module,
                   paths.solutions_dir() / module):
        names = sorted(p.name for p in folder.glob("*.ipynb"))
        if names:
            return names
    return []


def _inbound_dirs(folder: Path) -> list[Path]:
    """nbgrader exchange ``inbound`` folders at or just below ``folder``."""
    if folder.name == "inbound":
        return [folder]
    if (folder / "inbound").is_dir():
        return [folder / "inbound"]
    return [p / "inbound" for p in _visible(folder) if p.is_dir() and (p / "inbound").is_dir()]


def _find(ws: Workspace, module: str, folder: Path, report: CollectReport) -> list[_Candidate]:
    inbound = _inbound_dirs(folder)
    if inbound:
        return _from_exchange(ws, module, inbound, report)
    release = _release_names(ws, module)
    candidates = []
    for entry in sorted(p for p in folder.iterdir() if p.name not in _IGNORED):
        rel = entry.name
        if entry.is_symlink():
            report.skipped.append(Skipped(rel, "symbolic link ignored"))
        elif entry.is_dir():
            cand = _from_learner_folder(entry, module, release, report)
            if cand is not None:
                candidates.append(cand)
        elif entry.is_file():
            cand = _from_file(entry, release, report)
            if cand is not None:
                candidates.append(cand)
        else:
            report.skipped.append(Skipped(rel, "not a regular file"))
    return candidates


def _check_id(learner: str, label: str, report: CollectReport) -> bool:
    if valid_learner_id(learner):
        return True
    report.skipped.append(Skipped(label, f"learner id {learner!r} is not usable (only letters, "
                                         "digits, '.', '_' and '-', not starting with '.')"))
    return False


def _from_file(path: Path, release: list[str], report: CollectReport) -> _Candidate | None:
    if path.suffix != ".ipynb":
        report.skipped.append(Skipped(path.name, "not a notebook (.ipynb)"))
        return None
    if path.name in release:
        report.skipped.append(Skipped(path.name, "this is the module's own notebook name, not "
                                                 "a learner's file: put it in a folder named "
                                                 "after the learner"))
        return None
    learner = learner_from_filename(path.name)
    if not _check_id(learner, path.name, report):
        return None
    if path.stat().st_size > MAX_ENTRY_BYTES:
        report.skipped.append(Skipped(path.name, f"larger than {MAX_ENTRY_BYTES // 2**20} MB",
                                      learner))
        return None
    return _Candidate(learner, path.name, [(path.name, path)], _mtime([path]))


def _from_learner_folder(folder: Path, module: str, release: list[str],
                         report: CollectReport) -> _Candidate | None:
    learner = folder.name
    if not _check_id(learner, folder.name + "/", report):
        return None
    inner = folder / module
    base = inner if inner.is_dir() and not inner.is_symlink() else folder
    files: list[tuple[str, Path]] = []
    stamp: datetime | None = None
    for path in _walk(base, report, f"{folder.name}/"):
        rel = path.relative_to(base).as_posix()
        if base is folder and rel.split("/", 1)[0] != rel and _looks_like_module(rel):
            continue  # another module's folder inside the learner's folder
        if rel == "timestamp.txt":
            stamp = _read_timestamp(path)
            continue
        files.append((rel, path))
    label = f"{folder.name}/" + (f"{module}/" if base is inner else "")
    if not any(rel.endswith(".ipynb") for rel, _ in files):
        report.skipped.append(Skipped(label, f"no notebook for {module} in this folder", learner))
        return None
    return _Candidate(learner, label, files, stamp or _mtime([p for _, p in files]))


def _looks_like_module(rel: str) -> bool:
    top = rel.split("/", 1)[0]
    return bool(re.match(r"^\d\d-[a-z0-9-]+$", top))


def _walk(base: Path, report: CollectReport, label: str) -> list[Path]:
    """Regular files below ``base`` (links, special and oversized files are reported)."""
    found = []
    for dirpath, dirnames, filenames in os.walk(base, followlinks=False):
        here = Path(dirpath)
        keep = []
        for d in sorted(dirnames):
            if d in _IGNORED or d.startswith("."):
                continue
            if (here / d).is_symlink():
                report.skipped.append(Skipped(label + (here / d).relative_to(base).as_posix(),
                                              "symbolic link ignored"))
                continue
            keep.append(d)
        dirnames[:] = keep
        for f in sorted(filenames):
            path = here / f
            rel = label + path.relative_to(base).as_posix()
            if f in _IGNORED or f.startswith("."):
                continue
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                report.skipped.append(Skipped(rel, "symbolic link ignored"))
            elif not stat.S_ISREG(mode):
                report.skipped.append(Skipped(rel, "not a regular file"))
            elif path.stat().st_size > MAX_ENTRY_BYTES:
                report.skipped.append(Skipped(rel, f"larger than {MAX_ENTRY_BYTES // 2**20} MB"))
            else:
                found.append(path)
    return found


def _from_exchange(ws: Workspace, module: str, inbound: list[Path],
                   report: CollectReport) -> list[_Candidate]:
    """Submissions of ``module`` in nbgrader exchange inbound folders."""
    if len(inbound) > 1:
        course_id = str(ws.config().CourseDirectory.get("course_id", "") or "")
        mine = [p for p in inbound if p.parent.name == course_id]
        if not mine:
            names = ", ".join(sorted(p.parent.name for p in inbound))
            raise CourseError(f"the exchange holds several courses ({names}): point --from at "
                              "one of them or set c.CourseDirectory.course_id")
        inbound = mine
    from nbgrader.utils import parse_utc

    candidates = []
    for entry in _visible(inbound[0]):
        parts = entry.name.split("+")
        if len(parts) not in (3, 4) or not entry.is_dir() or entry.is_symlink():
            report.skipped.append(Skipped(entry.name, "not an nbgrader submission folder"))
            continue
        learner, mod, raw_ts = parts[:3]
        if mod != module:
            continue
        if not _check_id(learner, entry.name, report):
            continue
        owner = _impostor(entry, learner)
        if owner:
            report.skipped.append(Skipped(entry.name, f"handed in by {owner}, not by {learner}: "
                                                      "not imported", learner))
            continue
        try:
            stamp = parse_utc(raw_ts)
        except (ValueError, OverflowError, TypeError):
            report.skipped.append(Skipped(entry.name, f"unreadable timestamp {raw_ts!r}",
                                          learner))
            continue
        files = [(p.relative_to(entry).as_posix(), p) for p in _walk(entry, report,
                                                                     entry.name + "/")]
        files = [(rel, p) for rel, p in files if rel != "timestamp.txt"]
        if not any(rel.endswith(".ipynb") for rel, _ in files):
            report.skipped.append(Skipped(entry.name, "no notebook in this submission", learner))
            continue
        candidates.append(_Candidate(learner, entry.name, files, stamp))
    return candidates


def _impostor(entry: Path, learner: str) -> str | None:
    """The account that made an exchange submission, if it is neither the learner it names
    nor root or the collecting user (copies an administrator made); else None.

    On a shared machine every learner writes to ``inbound``, so the name at the start of a
    submission proves nothing: the folder's owner does (nbgrader only warns about this).
    """
    import pwd

    try:
        uid = entry.lstat().st_uid
    except OSError:
        return None
    if uid in (0, os.geteuid()):
        return None
    try:
        owner = pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"
    return None if owner == learner else owner


def _mtime(paths: list[Path]) -> datetime:
    newest = max((p.stat().st_mtime for p in paths), default=0.0)
    return datetime.fromtimestamp(newest, timezone.utc).replace(tzinfo=None)


def _read_timestamp(path: Path) -> datetime | None:
    from nbgrader.utils import parse_utc

    try:
        text = path.read_text(encoding="utf-8").strip()
        return parse_utc(text) if text else None
    except (OSError, UnicodeDecodeError, ValueError, OverflowError, TypeError):
        return None


def _dedupe(candidates: list[_Candidate], report: CollectReport) -> list[_Candidate]:
    """Keep the newest submission of each learner; report the others as skipped."""
    by_learner: dict[str, list[_Candidate]] = {}
    for cand in candidates:
        by_learner.setdefault(cand.learner, []).append(cand)
    chosen = []
    for learner, group in by_learner.items():
        group.sort(key=lambda c: (c.timestamp, c.label), reverse=True)
        chosen.append(group[0])
        for older in group[1:]:
            report.skipped.append(Skipped(
                older.label, f"older submission of {learner} (kept {group[0].label}, "
                             f"{group[0].timestamp:%Y-%m-%d %H:%M} UTC)", learner))
    return chosen


# --------------------------------------------------------------------------- writing

def _notebook_note(path: Path) -> str | None:
    """A short note for a notebook the grader will complain about, or None."""
    try:
        data = path.read_bytes()
    except OSError:
        return "unreadable"
    if not data.strip():
        return "empty file"
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return "not valid JSON"
    if not isinstance(raw, dict) or not isinstance(raw.get("cells"), list):
        return "not a notebook"
    return None


def _same_content(a: Path, b: Path) -> bool:
    """True if two submission folders hold the same files (timestamp.txt aside)."""
    def listing(folder: Path) -> dict[str, Path]:
        return {p.relative_to(folder).as_posix(): p for p in folder.rglob("*")
                if p.is_file() and not p.is_symlink() and p.name != "timestamp.txt"}

    left, right = listing(a), listing(b)
    if left.keys() != right.keys():
        return False
    return all(left[k].read_bytes() == right[k].read_bytes() for k in left)


def _write(ws: Workspace, module: str, cand: _Candidate, staging: Path,
           report: CollectReport) -> None:
    release = _release_names(ws, module)
    notebooks = [rel for rel, _ in cand.files if rel.endswith(".ipynb")]
    files = list(cand.files)
    notes = list(cand.notes)
    warnings = []
    if len(release) == 1 and len(notebooks) == 1 and notebooks[0] != release[0]:
        files = [(release[0] if rel == notebooks[0] else rel, p) for rel, p in files]
        notes.append(f"renamed to {release[0]}")
    elif release and notebooks and not set(release) & set(notebooks):
        warnings.append(f"no notebook named {', '.join(release)}")
    new = staging / cand.learner
    for (rel, path), (original, _) in zip(files, cand.files, strict=True):
        target = new.joinpath(*rel.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        os.utime(target, (path.stat().st_mtime, path.stat().st_mtime))
        if rel.endswith(".ipynb"):
            problem = _notebook_note(target)
            if problem:
                which = "" if len(notebooks) == 1 else f"{Path(original).name}: "
                warnings.append(f"{which}imported ({problem}; will be reported when graded)")
    (new / "timestamp.txt").write_text(cand.timestamp.strftime(TIMESTAMP_FORMAT),
                                       encoding="utf-8")
    dest = ws.submitted / cand.learner / module
    if dest.is_dir() and not dest.is_symlink() and _same_content(dest, new):
        shutil.rmtree(new)
        report.imported.append(Imported(cand.learner, cand.label,
                                        ("unchanged: already in the workspace",)))
        return
    if dest.exists() or dest.is_symlink():
        kept = _previous_path(ws, cand.learner, module)
        kept.parent.mkdir(parents=True, exist_ok=True)
        os.replace(dest, kept)
        notes.append(f"previous submission kept in {kept.relative_to(ws.root)}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    os.replace(new, dest)
    report.imported.append(Imported(cand.learner, cand.label, (*notes, *warnings)))


def _previous_path(ws: Workspace, learner: str, module: str) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    base = ws.root / ".wbcourse" / "previous" / learner
    path = base / f"{module}-{stamp}"
    n = 2
    while path.exists():
        path = base / f"{module}-{stamp}-{n}"
        n += 1
    return path
