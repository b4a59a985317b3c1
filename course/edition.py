"""The learner edition: which of the repository's files a learner may receive.

The repository is the instructor's copy. A learner installs a wheel built from it that
carries the ``course`` package, the released notebooks (``exercises/``) and the asset
files the notebooks read. The rule is an allow-list: :data:`LEARNER_ASSETS` names the
asset files learners get, and everything else under ``assets/`` (sample cohorts,
rubrics, evaluation sets, generator scripts, and any folder added later) stays with the
instructor until someone adds it here on purpose. ``solutions/`` and ``tests/`` never
ship.

At build time ``setup.py`` calls :func:`write_content`, which copies the allowed files
into the package as ``course/_content/`` (laid out like the repository, so
``course.paths`` only switches its root) together with ``edition.json``: the course
version and a SHA-256 of every file, so a partial or damaged install is recognised.

This module uses only the standard library: ``setup.py`` loads it before anything else
is installed.

>>> is_learner_file("assets/data/wbr_weekly.csv"), is_learner_file("assets/samples/specs/x.toml")
(True, False)
>>> is_learner_file("exercises/03-faq/faq.ipynb"), is_learner_file("solutions/03-faq/faq.ipynb")
(True, False)
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import re
import shutil
from pathlib import Path, PurePosixPath

#: Asset files learners' notebooks read (patterns relative to ``assets/``): the data
#: sets and images the lessons load, and the module catalogue (titles, minutes,
#: objectives) that ``wbcourse modules`` lists, and the self-check questions generated
#: from the rubrics (``checklists/``). Rubrics are not here: their criteria quote example
#: answers, and the notebooks already state what each rubric rewards.
LEARNER_ASSETS = ("data/*", "img/*", "modules/*.toml", "checklists/*.toml")

#: Top-level folders whose files ship as they are (the released notebooks).
LEARNER_TREES = ("exercises",)

#: Where the learner files go inside the installed package.
CONTENT_DIR = "_content"
INDEX_NAME = "edition.json"

#: Files of the source distribution besides the package and the learner files.
SDIST_EXTRA = ("pyproject.toml", "setup.py", "setup.cfg", "README.md", "CHANGELOG.md",
               "LICENSE*", "PKG-INFO", "*.egg-info/*")

_SKIP_PARTS = {"__pycache__", ".ipynb_checkpoints"}
_VERSION = re.compile(r"""^__version__\s*=\s*["']([^"']+)["']""", re.M)


def _skipped(rel: PurePosixPath) -> bool:
    return bool(_SKIP_PARTS.intersection(rel.parts)) or any(
        p.startswith(".") for p in rel.parts)


def is_learner_file(rel: str) -> bool:
    """Whether the repository file ``rel`` (a POSIX path from the root) ships to learners.

    >>> is_learner_file("assets/rubrics/03-faq.toml"), is_learner_file("assets/img/flywheel.png")
    (False, True)
    >>> is_learner_file("assets/data/sub/x.csv"), is_learner_file("exercises/.x/secret")
    (False, False)
    """
    path = PurePosixPath(rel)
    if _skipped(path) or len(path.parts) < 2:
        return False
    top, rest = path.parts[0], PurePosixPath(*path.parts[1:])
    if top in LEARNER_TREES:
        return True
    if top == "assets":
        # match on the whole relative path, so "data/*" never reaches into sub-folders
        return any(fnmatch.fnmatchcase(str(rest), pat) and
                   len(rest.parts) == len(PurePosixPath(pat).parts) for pat in LEARNER_ASSETS)
    return False


def learner_files(root: Path) -> list[str]:
    """Every file under the repository ``root`` that the learner edition carries, sorted."""
    found = []
    for top in (*LEARNER_TREES, "assets"):
        base = root / top
        if not base.is_dir():
            continue
        for path in base.rglob("*"):
            rel = path.relative_to(root).as_posix()
            if path.is_file() and is_learner_file(rel):
                found.append(rel)
    return sorted(found)


def is_sdist_file(rel: str) -> bool:
    """Whether ``rel`` (relative to the sdist's root) may be in the source distribution.

    >>> is_sdist_file("course/cli.py"), is_sdist_file("tests/test_cli.py")
    (True, False)
    >>> is_sdist_file("solutions/03-faq/faq.ipynb"), is_sdist_file("exercises/03-faq/faq.ipynb")
    (False, True)
    """
    path = PurePosixPath(rel)
    if _skipped(path):
        return False
    if path.parts[0] == "course" or is_learner_file(rel):
        return True
    return any(fnmatch.fnmatchcase(rel, pat) for pat in SDIST_EXTRA)


def source_version(root: Path) -> str:
    """The course version written in ``course/__init__.py`` under ``root``."""
    found = _VERSION.search((root / "course" / "__init__.py").read_text(encoding="utf-8"))
    if not found:
        raise ValueError(f"no __version__ in {root / 'course' / '__init__.py'}")
    return found.group(1)


def digest(path: Path) -> str:
    """SHA-256 of a file's bytes, as hex."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_content(root: Path, dest: Path) -> list[str]:
    """Copy the learner files of ``root`` into ``dest`` and index them; return them.

    >>> import tempfile
    >>> src, out = Path(tempfile.mkdtemp()), Path(tempfile.mkdtemp()) / "_content"
    >>> for rel in ("exercises/01-a/a.ipynb", "assets/data/a.csv", "assets/samples/x/a.ipynb",
    ...             "course/__init__.py"):
    ...     (src / rel).parent.mkdir(parents=True, exist_ok=True)
    ...     _ = (src / rel).write_text("__version__ = '1.2'")
    >>> write_content(src, out)
    ['assets/data/a.csv', 'exercises/01-a/a.ipynb']
    >>> json.loads((out / INDEX_NAME).read_text())["version"]
    '1.2'
    """
    files = learner_files(root)
    if not any(rel.endswith(".ipynb") for rel in files):
        raise FileNotFoundError(f"no released notebooks under {root / 'exercises'}; "
                                "run 'wbcourse release' before building the learner edition")
    if dest.exists():
        shutil.rmtree(dest)
    for rel in files:
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / rel, target)
    index = {"version": source_version(root),
             "files": {rel: digest(root / rel) for rel in files}}
    (dest / INDEX_NAME).write_text(json.dumps(index, indent=1, sort_keys=True) + "\n",
                                   encoding="utf-8")
    return files


def damaged_files(content: Path) -> list[str]:
    """Files the installed edition's index lists that are missing or changed.

    An edition without an index (a checkout) is judged by its ``exercises/`` folder alone.

    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp())
    >>> damaged_files(out)
    ['exercises/']
    """
    index_path = content / INDEX_NAME
    if not index_path.is_file():
        exercises = content / "exercises"
        ok = exercises.is_dir() and any(exercises.rglob("*.ipynb"))
        return [] if ok else ["exercises/"]
    try:
        listed = json.loads(index_path.read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return [INDEX_NAME]
    bad = []
    for rel, want in sorted(listed.items()):
        path = content / rel
        try:
            if digest(path) != want:
                bad.append(rel)
        except OSError:
            bad.append(rel)
    return bad
