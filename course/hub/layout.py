"""Where every file of one cohort's hub lives, and the settings ``hub init`` records.

::

    DIR/                        root, 0755: readable so learners' servers find etc/
      hub.toml                  the settings below (no secrets, no names or e-mails)
      jupyterhub_config.py      generated; ends by loading jupyterhub_config.local.py
      etc/common/               nbgrader_config.py every role reads (course id, exchange)
      etc/learner/              what a learner's server loads: extensions, private submit
      etc/instructor/           the instructor's own server: assignment and course lists
      etc/formgrader/           the formgrader service: formgrader, create assignment
      secrets/                  root only: cookie secret, proxy token, roster, passwords
      state/                    root only: the hub's database, pid files
      exchange/                 nbgrader's exchange (default place), 1777
    COURSE_DIR/                 the instructor's, 0700: a grading workspace and course-source/
                                (solutions, exercises, assets) that learners never see

>>> s = Settings(course="wb1", instructor="ines", learners=("ada",), python="/env/bin/python",
...              exchange="/srv/x", course_dir="/home/ines/wb1")
>>> Settings.from_toml(s.to_toml()) == s
True
>>> Layout(Path("/srv/hub")).role_dir("learner")
PosixPath('/srv/hub/etc/learner')
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import tomllib

from course.errors import CourseError

ROLES = ("learner", "instructor", "formgrader")
SPAWNERS = ("local", "simple")
SETTINGS_NAME = "hub.toml"


@dataclass(frozen=True)
class Settings:
    """What ``wbcourse hub init`` decided for a cohort (``DIR/hub.toml``)."""

    course: str
    instructor: str
    learners: tuple[str, ...]
    python: str  # the interpreter of the environment servers run from
    exchange: str
    course_dir: str
    spawner: str = "local"
    ip: str = "127.0.0.1"
    port: int = 8000
    ssl_cert: str = ""
    ssl_key: str = ""
    modules: tuple[str, ...] = field(default_factory=tuple)

    @property
    def bin_dir(self) -> str:
        return str(Path(self.python).parent)

    @property
    def learner_group(self) -> str:
        return f"nbgrader-{self.course}"

    @property
    def grader_group(self) -> str:
        return f"formgrade-{self.course}"

    @property
    def course_root(self) -> str:
        """The instructor's copy of the course (solutions, exercises, assets)."""
        return str(Path(self.course_dir) / "course-source")

    def to_toml(self) -> str:
        """The settings as TOML (every value is a string, an int or a list of strings)."""
        lines = ["# written by 'wbcourse hub init'; read by 'wbcourse hub start'"]
        for key, value in asdict(self).items():
            if isinstance(value, (tuple, list)):
                lines.append(f"{key} = {json.dumps(list(value))}")
            elif isinstance(value, int):
                lines.append(f"{key} = {value}")
            else:
                lines.append(f"{key} = {json.dumps(value)}")
        return "\n".join(lines) + "\n"

    @classmethod
    def from_toml(cls, text: str) -> Settings:
        raw = tomllib.loads(text)
        for key in ("learners", "modules"):
            raw[key] = tuple(raw.get(key, ()))
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in raw.items() if k in known})


@dataclass(frozen=True)
class Layout:
    """Paths inside one hub folder."""

    root: Path

    @property
    def settings(self) -> Path:
        return self.root / SETTINGS_NAME

    @property
    def config(self) -> Path:
        return self.root / "jupyterhub_config.py"

    @property
    def local_config(self) -> Path:
        return self.root / "jupyterhub_config.local.py"

    @property
    def etc(self) -> Path:
        return self.root / "etc"

    @property
    def common(self) -> Path:
        return self.etc / "common"

    def role_dir(self, role: str) -> Path:
        return self.etc / role

    def config_path(self, role: str) -> str:
        """``JUPYTER_CONFIG_PATH`` for a role: its own folder first, then the common one."""
        return f"{self.role_dir(role)}:{self.common}"

    @property
    def secrets(self) -> Path:
        return self.root / "secrets"

    @property
    def cookie_secret(self) -> Path:
        return self.secrets / "jupyterhub_cookie_secret"

    @property
    def proxy_token(self) -> Path:
        return self.secrets / "proxy_auth_token"

    @property
    def passwords(self) -> Path:
        return self.secrets / "passwords.csv"

    @property
    def roster(self) -> Path:
        return self.secrets / "roster.csv"

    @property
    def state(self) -> Path:
        return self.root / "state"

    @property
    def default_exchange(self) -> Path:
        return self.root / "exchange"


def course_exchange(exchange: Path | str, course: str) -> Path:
    """``<exchange>/<course>``: nbgrader's folder for one course."""
    return Path(exchange) / course


def load_settings(hub_dir: Path) -> tuple[Layout, Settings]:
    """The layout and settings of an initialised hub folder (one-line error otherwise)."""
    layout = Layout(Path(hub_dir).expanduser().resolve())
    if not layout.settings.is_file():
        raise CourseError(f"{hub_dir} is not a hub folder: {SETTINGS_NAME} is missing "
                          f"(create one with 'wbcourse hub init {hub_dir} ...')")
    try:
        return layout, Settings.from_toml(layout.settings.read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError) as exc:
        raise CourseError(f"{layout.settings} is unreadable: {exc}") from exc
