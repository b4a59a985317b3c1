"""nbgrader configuration shared by the repository and every grading workspace.

Both ``nbgrader_config.py`` files call :func:`configure`, so stock ``nbgrader``
commands and ``wbcourse`` behave the same.

>>> from traitlets.config import Config
>>> c = configure(Config(), source="/repo/solutions", release="/repo/exercises")
>>> c.CourseDirectory.source_directory
'/repo/solutions'
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

COURSE_ID = "working-backwards"
#: Seconds a single cell may run while grading; the course's cells take well under 5 s.
CELL_TIMEOUT = 15


def ensure_tools_on_path() -> None:
    """Put this interpreter's ``bin`` folder on PATH.

    nbgrader runs the ``alembic`` command when it creates a gradebook; inside a virtual
    environment that was not activated, the command is only found this way.
    """
    bindir = str(Path(sys.executable).parent)
    parts = os.environ.get("PATH", "").split(os.pathsep)
    if bindir not in parts:
        os.environ["PATH"] = os.pathsep.join([bindir, *parts])


def configure(c: Any, *, source: str, release: str, db_url: str | None = None) -> Any:
    """Fill an nbgrader traitlets config ``c`` for this course and return it."""
    ensure_tools_on_path()
    c.CourseDirectory.course_id = COURSE_ID
    c.CourseDirectory.source_directory = source
    c.CourseDirectory.release_directory = release
    if db_url:
        c.CourseDirectory.db_url = db_url
    # Only notebooks are course content; never copy caches into releases or workspaces.
    c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]
    c.GenerateAssignment.preprocessors = [
        "nbgrader.preprocessors.IncludeHeaderFooter",
        "nbgrader.preprocessors.InstantiateTests",
        "nbgrader.preprocessors.LockCells",
        "course.nbgrader_ext.ProseAwareClearSolutions",
        "nbgrader.preprocessors.ClearOutput",
        "nbgrader.preprocessors.CheckCellMetadata",
        "nbgrader.preprocessors.ComputeChecksums",
        "nbgrader.preprocessors.SaveCells",
        "nbgrader.preprocessors.ClearHiddenTests",
        "nbgrader.preprocessors.ClearMarkScheme",
        "nbgrader.preprocessors.ComputeChecksums",
        "nbgrader.preprocessors.CheckCellMetadata",
    ]
    c.Execute.timeout = CELL_TIMEOUT
    c.Execute.shutdown_kernel = "immediate"
    return c


def generate_assignments(config: Any, modules: list[str]) -> tuple[str, str] | None:
    """Run nbgrader's generate_assignment for each of ``modules`` with ``config``.

    Returns ``(module, reason)`` for the first module nbgrader fails on (the reason is
    the last line of nbgrader's error or log), or ``None`` when all succeed.
    """
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    config.Application.log_level = "WARN"
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    for module in modules:
        result = api.generate_assignment(module, force=True, create=True)
        if not result["success"]:
            lines = (result.get("error") or result.get("log") or "").strip().splitlines()
            return module, lines[-1] if lines else "nbgrader reported a failure"
    return None
