"""Where the course's own files live.

Two editions of one repository (see :mod:`course.edition`):

* the **course source** is the instructor's checkout: ``solutions/`` (answers and hidden
  tests), ``exercises/`` and ``assets/``. It is found from ``WBCOURSE_ROOT`` or, for an
  editable install, next to the package. Only instructor commands need it
  (:func:`course_root`, :func:`solutions_dir`).
* the **learner files** (released notebooks, data, images, module catalogue) come from
  the course source when there is one, else from the copy a learner wheel installs
  inside the package (``course/_content``): :func:`content_root`, :func:`exercises_dir`,
  :func:`assets_dir`, :func:`data_path`.

>>> from course import paths
>>> paths.exercises_dir().name, paths.data_path("wbr_weekly.csv").parent.name
('exercises', 'data')
"""

from __future__ import annotations

import os
from pathlib import Path

from course.errors import CourseError

PACKAGE_DIR = Path(__file__).resolve().parent
#: The learner files a wheel installs (absent in a checkout).
BUNDLED_CONTENT = PACKAGE_DIR / "_content"


class SourceNotFoundError(CourseError):
    """An instructor command ran where the course source (``solutions/``) is not available."""


def find_source_root() -> Path | None:
    """The course source: ``WBCOURSE_ROOT`` if set, else the checkout around the package.

    Returns None for a learner install (a wheel in site-packages) without ``WBCOURSE_ROOT``.
    """
    env = os.environ.get("WBCOURSE_ROOT")
    if env:
        return Path(env).expanduser().resolve()
    checkout = PACKAGE_DIR.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "exercises").is_dir():
        return checkout
    return None


def course_root() -> Path:
    """The course source's root folder; :class:`SourceNotFoundError` when there is none.

    >>> (course_root() / "solutions").is_dir()
    True
    """
    root = find_source_root()
    if root is None:
        raise SourceNotFoundError(
            "the course source (solutions/ with the answers and hidden tests) is not "
            "installed: learner installs leave it out. Run this from the instructor's "
            "checkout of the course repository, or set WBCOURSE_ROOT=/path/to/checkout")
    if not (root / "solutions").is_dir():
        where = f"WBCOURSE_ROOT={root}" if os.environ.get("WBCOURSE_ROOT") else str(root)
        raise SourceNotFoundError(
            f"{where} has no solutions/ folder; point WBCOURSE_ROOT at the instructor's "
            "checkout of the course repository")
    return root


def content_root() -> Path:
    """Root of the learner files: the course source if there is one, else the installed copy."""
    return find_source_root() or BUNDLED_CONTENT


def solutions_dir() -> Path:
    """Instructor master notebooks (nbgrader *source*); needs the course source."""
    return course_root() / "solutions"


def exercises_dir() -> Path:
    """Learner notebooks (nbgrader *release*), generated from :func:`solutions_dir`."""
    return content_root() / "exercises"


def assets_dir() -> Path:
    """Data sets, images and the module catalogue (and, in the source, instructor assets)."""
    return content_root() / "assets"


def source_assets_dir() -> Path:
    """The course source's ``assets/``: sample cohorts, rubrics, evaluation sets."""
    return course_root() / "assets"


def data_path(name: str) -> Path:
    """Path of a bundled data file in ``assets/data``.

    >>> data_path("wbr_weekly.csv").parent.name
    'data'
    """
    return assets_dir() / "data" / name
