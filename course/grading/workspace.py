"""A grading workspace: a standard nbgrader course directory wired to this course.

``wbcourse init DIR`` writes ``DIR/nbgrader_config.py`` (so stock ``nbgrader`` commands
work there too), creates the gradebook (SQLite by default, or any SQLAlchemy URL
nbgrader accepts) and registers every module through nbgrader's generate_assignment.
Submissions go in ``DIR/submitted/<learner>/<module>/``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from course import paths
from course.errors import CourseError
from course.nbconfig import generate_assignments

CONFIG_NAME = "nbgrader_config.py"
_CONFIG_TEMPLATE = '''"""nbgrader configuration of a working-backwards-course grading workspace."""

from course.nbconfig import configure

c = get_config()  # noqa: F821
configure(c, source={source!r}, release="release"{db})
'''


@dataclass(frozen=True)
class Workspace:
    """An initialised grading workspace."""

    root: Path

    @property
    def submitted(self) -> Path:
        return self.root / "submitted"

    @property
    def autograded(self) -> Path:
        return self.root / "autograded"

    @property
    def feedback(self) -> Path:
        return self.root / "feedback"

    def config(self):
        """The traitlets Config nbgrader would load in this folder, with root set."""
        from traitlets.config.loader import PyFileConfigLoader

        loader = PyFileConfigLoader(CONFIG_NAME, path=str(self.root))
        config = loader.load_config()
        config.CourseDirectory.root = str(self.root)
        if "db_url" not in config.CourseDirectory:
            config.CourseDirectory.db_url = f"sqlite:///{self.root / 'gradebook.db'}"
        return config

    @property
    def db_url(self) -> str:
        return str(self.config().CourseDirectory.db_url)

    def learners(self, module: str) -> list[str]:
        """Learner ids with a submission folder for ``module``, sorted."""
        if not self.submitted.is_dir():
            return []
        return sorted(
            p.name for p in self.submitted.iterdir() if (p / module).is_dir()
        )


def open_workspace(root: Path) -> Workspace:
    """Return the workspace at ``root`` or raise a one-line :class:`CourseError`."""
    root = Path(root).expanduser()
    if not root.is_dir():
        raise CourseError(f"no grading workspace at {root} "
                          f"(create one with 'wbcourse init {root}')")
    if not (root / CONFIG_NAME).is_file():
        raise CourseError(f"{root} is not a grading workspace: {CONFIG_NAME} is missing "
                          f"(run 'wbcourse init {root}')")
    return Workspace(root.resolve())


def init_workspace(root: Path, *, db_url: str | None = None,
                   modules: list[str] | None = None) -> Workspace:
    """Create (or refresh) a grading workspace and register the course's modules.

    Re-running it is safe: existing submissions and grades are kept.
    """
    from course.release import source_modules

    root = Path(root).expanduser()
    if root.exists() and not root.is_dir():
        raise CourseError(f"{root} exists and is not a folder")
    root.mkdir(parents=True, exist_ok=True)
    # Only the instructor may enter the workspace: sandboxed kernels run as another user.
    os.chmod(root, 0o700)
    root = root.resolve()
    db = f", db_url={db_url!r}" if db_url else ""
    (root / CONFIG_NAME).write_text(
        _CONFIG_TEMPLATE.format(source=str(paths.solutions_dir()), db=db), encoding="utf-8"
    )
    for sub in ("submitted", "autograded", "feedback"):
        (root / sub).mkdir(exist_ok=True)
    ws = Workspace(root)
    register_modules(ws, modules or source_modules())
    return ws


def register_modules(ws: Workspace, modules: list[str]) -> None:
    """Run nbgrader's generate_assignment for each module inside the workspace."""
    failed = generate_assignments(ws.config(), modules)
    if failed is not None:
        raise CourseError(f"cannot register {failed[0]}: {failed[1]}")
