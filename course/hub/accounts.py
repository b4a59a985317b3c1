"""Unix accounts and groups for a cohort, and running a command as one of them.

Everything here that changes the system needs root. :class:`Changes` records each
account, group and folder created, so a failed ``hub init`` undoes exactly what it did
(in reverse order) and nothing else: accounts that already existed are never touched.

>>> Changes().summary()
'nothing created'
"""

from __future__ import annotations

import grp
import os
import pwd
import secrets
import shutil
import string
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from course.errors import CourseError

#: PATH for commands run as another user (no entry from root's own PATH leaks in).
SAFE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def is_root() -> bool:
    return os.geteuid() == 0


def user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def group_exists(name: str) -> bool:
    try:
        grp.getgrnam(name)
    except KeyError:
        return False
    return True


def home_of(name: str) -> Path:
    """The home folder of account ``name`` (a one-line error if there is no such account)."""
    try:
        return Path(pwd.getpwnam(name).pw_dir)
    except KeyError as exc:
        raise CourseError(f"no Unix account named {name!r}") from exc


def ids_of(name: str) -> tuple[int, int]:
    """(uid, primary gid) of account ``name``."""
    try:
        entry = pwd.getpwnam(name)
    except KeyError as exc:
        raise CourseError(f"no Unix account named {name!r}") from exc
    return entry.pw_uid, entry.pw_gid


def gid_of(group: str) -> int:
    try:
        return grp.getgrnam(group).gr_gid
    except KeyError as exc:
        raise CourseError(f"no Unix group named {group!r}") from exc


def _run(argv: Sequence[str], what: str, *, stdin: str | None = None) -> None:
    try:
        result = subprocess.run(list(argv), input=stdin, capture_output=True, text=True,
                                timeout=120, check=False)
    except FileNotFoundError as exc:
        raise CourseError(f"{what}: {argv[0]} is not installed") from exc
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        raise CourseError(f"{what} failed: {lines[-1] if lines else f'exit {result.returncode}'}")


def new_password(length: int = 16) -> str:
    """A random password of letters and digits (easy to read out in a room).

    >>> len(new_password()), new_password().isalnum()
    (16, True)
    """
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


@dataclass
class Changes:
    """What a setup created, in order, so it can be undone exactly."""

    users: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)
    passwords: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        parts = []
        if self.users:
            parts.append(f"{len(self.users)} account(s)")
        if self.groups:
            parts.append(f"{len(self.groups)} group(s)")
        if self.paths:
            parts.append(f"{len(self.paths)} folder(s)")
        return ", ".join(parts) if parts else "nothing created"

    def undo(self) -> list[str]:
        """Remove what was created, newest first; return problems (never raises)."""
        problems = []
        for path in reversed(self.paths):
            try:
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                elif path.exists() or path.is_symlink():
                    path.unlink()
            except OSError as exc:
                problems.append(f"could not remove {path}: {exc}")
        for user in reversed(self.users):
            try:
                remove_user(user)
            except CourseError as exc:
                problems.append(str(exc))
        for group in reversed(self.groups):
            try:
                remove_group(group)
            except CourseError as exc:
                problems.append(str(exc))
        self.paths.clear()
        self.users.clear()
        self.groups.clear()
        return problems

    def mkdir(self, path: Path, mode: int, uid: int = 0, gid: int = 0) -> Path:
        """Create one folder (its parent must exist) with an exact mode and owner."""
        path.mkdir()
        self.paths.append(path)
        os.chown(path, uid, gid)
        os.chmod(path, mode)  # after chown: chown clears set-group-id
        return path


def create_group(name: str, changes: Changes) -> None:
    """``groupadd name`` unless it exists already (then it is left alone)."""
    if group_exists(name):
        return
    _run(["groupadd", name], f"groupadd {name}")
    changes.groups.append(name)


def create_user(name: str, changes: Changes, *, comment: str = "",
                password: bool = True) -> None:
    """``useradd`` with a private group and a home only its owner can enter.

    A random password is set (kept in ``changes.passwords``) so the account can log in to
    the hub with PAM. Existing accounts are left alone.
    """
    if user_exists(name):
        return
    argv = ["useradd", "--create-home", "--user-group", "--shell", "/bin/bash"]
    if comment:
        argv += ["--comment", comment.replace(":", " ").replace(",", " ")]
    _run([*argv, name], f"useradd {name}")
    changes.users.append(name)
    home = home_of(name)
    os.chmod(home, 0o700)
    if password:
        secret = new_password()
        _run(["chpasswd"], f"setting the password of {name}", stdin=f"{name}:{secret}\n")
        changes.passwords[name] = secret


def add_to_group(user: str, group: str) -> None:
    """Add an account to a supplementary group (no-op when it is a member already)."""
    if user in grp.getgrnam(group).gr_mem:
        return
    _run(["usermod", "--append", "--groups", group, user], f"adding {user} to {group}")


def remove_user(name: str) -> None:
    """``userdel --remove`` (home and mail spool go too)."""
    if not user_exists(name):
        return
    for _ in range(20):
        result = subprocess.run(["userdel", "--remove", name], capture_output=True,
                                text=True, timeout=120, check=False)
        # exit 8: a process of the account has not been reaped yet (it just stopped)
        if result.returncode != 8:
            break
        time.sleep(0.5)
    # exit 12: the home folder could not be removed (e.g. already gone); the account is
    if result.returncode not in (0, 12) or user_exists(name):
        lines = (result.stderr or result.stdout).strip().splitlines()
        raise CourseError(f"userdel {name} failed: {lines[-1] if lines else result.returncode}")


def remove_group(name: str) -> None:
    """``groupdel`` a group this setup created."""
    if not group_exists(name):
        return
    _run(["groupdel", name], f"groupdel {name}")


def user_env(name: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A clean environment for a process of account ``name`` (HOME, USER, a safe PATH)."""
    entry = pwd.getpwnam(name)
    env = {"HOME": entry.pw_dir, "USER": name, "LOGNAME": name, "SHELL": entry.pw_shell,
           "PATH": SAFE_PATH, "LANG": os.environ.get("LANG", "C.UTF-8")}
    env.update(extra or {})
    return env


def as_user_argv(name: str, argv: Sequence[str]) -> list[str]:
    """``argv`` prefixed so it runs with the uid, gid and groups of account ``name``.

    >>> as_user_argv("ada", ["id"])[:4]
    ['setpriv', '--reuid=ada', '--regid=ada', '--init-groups']
    """
    group = _primary_group(name)
    return ["setpriv", f"--reuid={name}", f"--regid={group}", "--init-groups", "--", *argv]


def _primary_group(name: str) -> str:
    try:
        return grp.getgrgid(pwd.getpwnam(name).pw_gid).gr_name
    except KeyError:
        return name


def run_as(name: str, argv: Sequence[str], *, env: Mapping[str, str] | None = None,
           cwd: Path | None = None, timeout: float = 600,
           input: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` as account ``name`` (root only) with :func:`user_env` plus ``env``."""
    if not is_root():
        raise CourseError("running a command as another account needs root")
    full_env = user_env(name, env)
    return subprocess.run(as_user_argv(name, argv), env=full_env, cwd=cwd or full_env["HOME"],
                          capture_output=True, text=True, timeout=timeout, input=input,
                          check=False)
