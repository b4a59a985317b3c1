"""Where the course's own files live.

The course is installed editable from its repository, so the folders that sit beside
the package (``solutions/``, ``exercises/``, ``assets/``) are found relative to it.
Set ``WBCOURSE_ROOT`` to point at another checkout.

>>> from course import paths
>>> paths.solutions_dir().name
'solutions'
"""

from __future__ import annotations

import os
from pathlib import Path


def course_root() -> Path:
    """Return the repository root that holds ``solutions/``, ``exercises/`` and ``assets/``."""
    env = os.environ.get("WBCOURSE_ROOT")
    if env:
        return Path(env).expanduser().resolve()
    return Path(__file__).resolve().parent.parent


def solutions_dir() -> Path:
    """Instructor master notebooks (nbgrader *source*)."""
    return course_root() / "solutions"


def exercises_dir() -> Path:
    """Learner notebooks (nbgrader *release*), generated from :func:`solutions_dir`."""
    return course_root() / "exercises"


def assets_dir() -> Path:
    """Data sets, rubrics, images and sample cohorts."""
    return course_root() / "assets"


def data_path(name: str) -> Path:
    """Path of a bundled data file in ``assets/data``.

    >>> data_path("wbr_weekly.csv").parent.name
    'data'
    """
    return assets_dir() / "data" / name
