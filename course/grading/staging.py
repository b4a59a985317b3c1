"""Make a sanitised copy of a submission for nbgrader to grade.

The learner's files in ``submitted/`` are never modified. The grader works on a copy in
``.wbcourse/staging/<learner>/<module>/`` that leaves out anything unsafe or unreadable:
symbolic links (a linked submission folder is not graded at all), special files,
oversized files and notebooks that are not valid JSON.
"""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

MAX_FILE_BYTES = 20 * 1024 * 1024


def notebook_problem(path: Path) -> str | None:
    """Why a notebook file cannot be graded, or None if it can.

    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "a.ipynb"
    >>> _ = p.write_bytes(b"")
    >>> notebook_problem(p)
    'a.ipynb: empty file'
    """
    data = path.read_bytes()
    if not data.strip():
        return f"{path.name}: empty file"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return f"{path.name}: not UTF-8 text"
    try:
        raw = json.loads(text)
    except ValueError as exc:
        return f"{path.name}: not valid notebook JSON ({exc.msg} at line {exc.lineno})"
    if isinstance(raw, dict) and "nbformat" in raw and raw.get("nbformat") != 4:
        return f"{path.name}: unsupported nbformat version {raw.get('nbformat')!r:.20} (need 4)"
    if not isinstance(raw, dict) or not isinstance(raw.get("cells"), list):
        return f"{path.name}: not a notebook (no list of cells)"
    import nbformat

    try:
        nbformat.validate(nbformat.reads(text, as_version=4))
    except Exception as exc:  # nbformat raises several types for invalid notebooks
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"{path.name}: invalid notebook ({first[:120]})"
    return None


def stage(source: Path, dest: Path) -> list[str]:
    """Copy ``source`` into a fresh ``dest``, leaving out unsafe files; return problems."""
    problems: list[str] = []
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    linked = [p for p in (source.parent, source) if p.is_symlink()]
    if linked:  # it would grade whatever the link points at (another learner's work)
        return [f"{linked[0].name}: the submission folder is a symbolic link; ignored"]
    for path in sorted(source.rglob("*")):
        rel = path.relative_to(source)
        if any(part.startswith(".ipynb_checkpoints") for part in rel.parts):
            continue
        mode = path.lstat().st_mode
        if stat.S_ISLNK(mode):
            problems.append(f"{rel}: symbolic link ignored")
            continue
        if stat.S_ISDIR(mode):
            (dest / rel).mkdir(exist_ok=True)
            continue
        if not stat.S_ISREG(mode):
            problems.append(f"{rel}: special file ignored")
            continue
        if path.stat().st_size > MAX_FILE_BYTES:
            problems.append(f"{rel}: larger than {MAX_FILE_BYTES // 2**20} MB, ignored")
            continue
        if path.suffix == ".ipynb":
            problem = notebook_problem(path)
            if problem:
                problems.append(problem)
                continue
        shutil.copyfile(path, dest / rel)
    return problems
