"""Check that a learner wheel or sdist holds no answers.

:func:`secrets_of` reads the course source and gathers its instructor-only text:

* **solution**: text between ``BEGIN SOLUTION`` and ``END SOLUTION`` in ``solutions/``,
  and whole answer cells without those markers (nbgrader blanks them whole);
* **hidden test**: text between ``BEGIN HIDDEN TESTS`` and ``END HIDDEN TESTS``;
* **instructor-only**: any other line of a source notebook that its release drops
  (so text a future release step strips is covered without a change here);
* **sample answer**: what the sample learners in ``assets/samples/`` wrote in answer
  cells, and the replacement answers in the sample specs.

Text that the source also shows learners (the exercise wording, facts a model answer
repeats) is removed from that set, so what is left is only what learners must not see.
:func:`scan` then opens an artifact and reports every file that holds such text, either
as an identical line or as a run of :data:`SHINGLE` words in the same order (which also
catches answers re-wrapped or pasted into a longer line), and every file whose path is
not part of the learner edition (:mod:`course.edition`).

``python -m course.leakcheck dist/*.whl dist/*.tar.gz`` exits 1 and lists the leaks.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tarfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import tomllib

from course import edition

#: Words in a row that count as copied text.
SHINGLE = 8
#: Shortest line (after collapsing spaces) that counts on its own.
MIN_LINE = 12
#: Folder names that never belong in a learner artifact, wherever they appear.
FORBIDDEN_DIRS = frozenset({"solutions", "samples", "rubrics", "prose_eval"})

_REGIONS = {
    "solution": (re.compile(r"BEGIN SOLUTION"), re.compile(r"END SOLUTION")),
    "hidden test": (re.compile(r"BEGIN HIDDEN TESTS"), re.compile(r"END HIDDEN TESTS")),
}
_WORD = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")


def _norm(line: str) -> str:
    return _SPACE.sub(" ", line).strip()


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    return {tuple(words[i:i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


@dataclass
class Secrets:
    """Instructor-only lines and word runs, each mapped to where it comes from."""

    lines: dict[str, str] = field(default_factory=dict)
    shingles: dict[tuple[str, ...], str] = field(default_factory=dict)

    def add(self, text: str, origin: str) -> None:
        """Record ``text`` (one region of instructor-only text) from ``origin``."""
        for line in text.splitlines():
            norm = _norm(line)
            if len(norm) >= MIN_LINE and not _is_marker(norm):
                self.lines.setdefault(norm, origin)
        for sh in _shingles(text):
            self.shingles.setdefault(sh, origin)

    def forget(self, public: str) -> None:
        """Drop whatever also appears in text the course shows learners anyway."""
        for line in public.splitlines():
            self.lines.pop(_norm(line), None)
        for sh in _shingles(public):
            self.shingles.pop(sh, None)

    def find(self, text: str) -> str | None:
        """The origin of the first instructor-only text found in ``text``, if any."""
        for line in text.splitlines():
            origin = self.lines.get(_norm(line))
            if origin:
                return f"{origin}: {_norm(line)[:70]!r}"
        words = _WORD.findall(text.lower())
        for i in range(len(words) - SHINGLE + 1):
            origin = self.shingles.get(tuple(words[i:i + SHINGLE]))
            if origin:
                return f"{origin}: {' '.join(words[i:i + SHINGLE])!r}"
        return None

    def __len__(self) -> int:
        return len(self.lines) + len(self.shingles)


def _is_marker(norm: str) -> bool:
    return any(start.search(norm) or end.search(norm) for start, end in _REGIONS.values())


def split_regions(source: str) -> tuple[str, dict[str, list[str]]]:
    """Split a cell's source into its public text and its marked regions, by kind.

    >>> public, regions = split_regions("x = 1\\n### BEGIN SOLUTION\\nx = 2\\n### END SOLUTION")
    >>> public, regions["solution"], regions["hidden test"]
    ('x = 1', ['x = 2'], [])
    """
    public: list[str] = []
    regions: dict[str, list[list[str]]] = {kind: [] for kind in _REGIONS}
    inside: str | None = None
    for line in source.splitlines():
        if inside is None:
            opened = next((k for k, (start, _) in _REGIONS.items() if start.search(line)), None)
            if opened:
                inside = opened
                regions[opened].append([])
                continue
        elif _REGIONS[inside][1].search(line):
            inside = None
            continue
        (regions[inside][-1] if inside else public).append(line)
    return "\n".join(public), {k: ["\n".join(r) for r in v] for k, v in regions.items()}


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8")).get("cells", [])


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _is_answer(cell: dict) -> bool:
    return bool(cell.get("metadata", {}).get("nbgrader", {}).get("solution"))


def secrets_of(root: Path) -> Secrets:
    """Gather the instructor-only text of the course source at ``root``."""
    from course.errors import CourseError

    solutions = sorted((root / "solutions").rglob("*.ipynb"))
    if not solutions:  # a check that knows no answers would pass anything
        raise CourseError(f"no solution notebooks under {root / 'solutions'}: nothing to "
                          "check against; point --root at the course source")
    secrets = Secrets()
    public_parts: list[str] = []
    for sol in solutions:
        rel = sol.relative_to(root).as_posix()
        released = root / "exercises" / sol.relative_to(root / "solutions")
        # every string of the released notebook (sources, metadata), line by line
        released_lines = ({_norm(ln) for ln in (readable_text(
            released.name, released.read_bytes()) or "").splitlines()}
                          if released.is_file() else None)
        for cell in _cells(sol):
            source = _source(cell)
            public, regions = split_regions(source)
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
            where = f"{rel} {grade_id}".strip()
            for kind, texts in regions.items():
                for text in texts:
                    secrets.add(text, f"{kind} ({where})")
            if _is_answer(cell) and not any(regions.values()):
                secrets.add(source, f"solution ({where})")  # nbgrader blanks it whole
                continue
            if released_lines is not None:  # what the release step removed, however it did
                metadata = readable_text(".json", json.dumps(cell.get("metadata", {})).encode())
                for text in (public, metadata or ""):
                    dropped = [ln for ln in text.splitlines() if _norm(ln) not in released_lines]
                    if dropped:
                        secrets.add("\n".join(dropped), f"instructor-only ({where})")
                public = "\n".join(ln for ln in public.splitlines()
                                   if _norm(ln) in released_lines)
            public_parts.append(public)
    _add_sample_answers(secrets, root)
    # the data learners get is public: model answers quote its facts
    for rel in edition.learner_files(root):
        if not rel.endswith(".ipynb"):
            public_parts.append(readable_text(rel, (root / rel).read_bytes()) or "")
    secrets.forget("\n".join(public_parts))
    return secrets


def _add_sample_answers(secrets: Secrets, root: Path) -> None:
    """What sample learners wrote: answer cells minus the blank template they started from."""
    samples = root / "assets" / "samples"
    if not samples.is_dir():
        return
    templates: dict[str, set[str]] = {}
    for ex in (root / "exercises").rglob("*.ipynb"):
        for cell in _cells(ex):
            gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if gid and _is_answer(cell):
                templates[gid] = {_norm(ln) for ln in _source(cell).splitlines()}
    def written(grade_id: str, source: str) -> str:
        blank = templates.get(grade_id, set())
        return "\n".join(ln for ln in source.splitlines() if _norm(ln) not in blank)

    for nb_path in sorted(samples.rglob("*.ipynb")):
        rel = nb_path.relative_to(root).as_posix()
        for cell in _cells(nb_path):
            if _is_answer(cell):
                gid = cell["metadata"]["nbgrader"].get("grade_id", "")
                secrets.add(written(gid, _source(cell)), f"sample answer ({rel} {gid})")
    for spec in sorted((samples / "specs").glob("*.toml")):
        rel = spec.relative_to(root).as_posix()
        with spec.open("rb") as fh:
            raw = tomllib.load(fh)
        for learner in raw.get("learner", []):
            for gid, answer in learner.get("answers", {}).items():
                if answer not in ("solution", "blank"):
                    secrets.add(written(gid, answer), f"sample answer ({rel} {learner.get('id')})")


# ------------------------------------------------------------------ reading artifacts

def readable_text(name: str, data: bytes) -> str | None:
    """The text a person could read in a file: JSON strings joined, else the decoded bytes.

    >>> readable_text("a.ipynb", b'{"cells": [{"source": ["x = 1\\\\n", "y = 2"]}]}')
    'x = 1\\ny = 2'
    >>> readable_text("a.png", b"\\x89PNG\\x00") is None
    True
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if name.endswith((".ipynb", ".json")):
        try:
            parsed = json.loads(text)
        except ValueError:
            return text
        # a notebook's source is a list of lines; join each list so lines stay whole
        return "\n".join("".join(s) if isinstance(s, list) else s for s in _joined(parsed))
    return text


def _joined(value: object) -> Iterator[str | list[str]]:
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        yield value
    elif isinstance(value, dict | list):
        for item in value.values() if isinstance(value, dict) else value:
            yield from _joined(item)
    elif isinstance(value, str):
        yield value


def members(artifact: Path) -> Iterator[tuple[str, bytes]]:
    """(path inside, bytes) of every file in a wheel, an sdist or a folder."""
    if artifact.is_dir():
        for path in sorted(artifact.rglob("*")):
            if path.is_file():
                yield path.relative_to(artifact).as_posix(), path.read_bytes()
    elif artifact.name.endswith((".whl", ".zip")):
        with zipfile.ZipFile(artifact) as zf:
            for info in zf.infolist():
                if not info.is_dir():
                    yield info.filename, zf.read(info)
    elif artifact.name.endswith((".tar.gz", ".tgz", ".tar")):
        with tarfile.open(artifact) as tf:
            for info in tf.getmembers():
                if info.isfile():
                    fh = tf.extractfile(info)
                    yield info.name, fh.read() if fh else b""
    else:
        raise ValueError(f"{artifact}: not a wheel, an sdist or a folder")


def _path_problem(kind: str, name: str) -> str | None:
    """Why ``name`` must not be in an artifact of ``kind`` ("wheel" or "sdist"), if so."""
    parts = PurePosixPath(name).parts
    if FORBIDDEN_DIRS.intersection(parts[:-1]):
        return "instructor-only folder"
    if kind == "sdist":
        rel = "/".join(parts[1:])  # below the "name-version/" folder
        return None if rel and edition.is_sdist_file(rel) else "not part of the learner edition"
    content = f"course/{edition.CONTENT_DIR}/"
    if name.startswith(content):
        rel = name[len(content):]
        ok = rel == edition.INDEX_NAME or edition.is_learner_file(rel)
        return None if ok else "not a learner file (course/edition.py)"
    if parts[0] == "course" or parts[0].endswith(".dist-info"):
        return None
    return "not part of the learner edition"


@dataclass(frozen=True)
class Leak:
    """One file of an artifact that must not reach learners, and why."""

    artifact: str
    member: str
    reason: str

    def __str__(self) -> str:
        return f"{self.artifact}: {self.member}: {self.reason}"


def scan(artifact: Path, secrets: Secrets) -> list[Leak]:
    """Every leak in ``artifact`` (a ``.whl``, an sdist ``.tar.gz`` or an unpacked folder)."""
    kind = "sdist" if artifact.name.endswith((".tar.gz", ".tgz", ".tar")) else "wheel"
    leaks = []
    for name, data in members(artifact):
        problem = None if artifact.is_dir() else _path_problem(kind, name)
        if problem:
            leaks.append(Leak(artifact.name, name, problem))
            continue
        text = readable_text(name, data)
        found = secrets.find(text) if text else None
        if found:
            leaks.append(Leak(artifact.name, name, found))
    return leaks


def check(artifacts: Iterable[Path], root: Path | None = None) -> list[Leak]:
    """Leaks in every artifact, judged against the course source at ``root``."""
    from course import paths

    secrets = secrets_of(root or paths.course_root())
    return [leak for artifact in artifacts for leak in scan(artifact, secrets)]


def main(argv: list[str] | None = None) -> int:
    """``python -m course.leakcheck ARTIFACT...``: exit 0 if clean, 1 with the leaks listed."""
    parser = argparse.ArgumentParser(prog="python -m course.leakcheck",
                                     description="Check learner wheels and sdists for answers.")
    parser.add_argument("artifact", nargs="+", type=Path, help=".whl, .tar.gz or folder")
    parser.add_argument("--root", type=Path, help="course source (default: this checkout)")
    args = parser.parse_args(argv)
    from course.errors import CourseError

    try:
        secrets = secrets_of(args.root) if args.root else None
        leaks = check(args.artifact, args.root) if secrets is None else [
            leak for a in args.artifact for leak in scan(a, secrets)]
    except (CourseError, OSError, ValueError, zipfile.BadZipFile, tarfile.TarError) as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0].rstrip(":")
        print(f"error: cannot check {' '.join(map(str, args.artifact))}: {reason}",
              file=sys.stderr)
        return 2
    for leak in leaks:
        print(f"leak: {leak}", file=sys.stderr)
    if leaks:
        return 1
    names = ", ".join(a.name for a in args.artifact)
    print(f"no answers, hidden tests or sample answers in {names}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
