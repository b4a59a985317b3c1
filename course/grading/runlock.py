"""One grading run per workspace, and a private scratch folder per run.

:class:`WorkspaceLock` is an ``flock`` on ``.wbcourse/grade.lock``. The kernel releases
it when the holding process ends, however it ends, so a killed run never blocks the next
one; the file also records who holds it (pid, module, start time), which a refused run
names and a later run reports as a stale lock it cleared.

:class:`RunDir` is the run's folder under the system's temporary folder (worker scratch
course folders, kernel scratch folders, template homes). It holds an ``flock`` of its
own, so a later run can tell the folder of a killed run from a live one and remove it.

>>> import tempfile
>>> root = Path(tempfile.mkdtemp())
>>> with WorkspaceLock.acquire(root, "08-x") as lock:
...     WorkspaceLock.acquire(root, "04-y")
Traceback (most recent call last):
...
course.grading.runlock.WorkspaceBusy: another 'wbcourse grade' is running on this workspace ...
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import socket
import sys
import tempfile
import time
from pathlib import Path

from course.errors import CourseError

LOCK_NAME = Path(".wbcourse") / "grade.lock"
RUN_PREFIX = "wbcourse-grade-"
OWNER = ".owner"


class WorkspaceBusy(CourseError):
    """Another grading run holds the workspace."""


def _describe(info: dict) -> str:
    started = info.get("started")
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started)) if started else "?"
    return (f"pid {info.get('pid', '?')} on {info.get('host', '?')}, grading "
            f"{info.get('module', '?')}, started {when}")


def _read_info(fd: int) -> dict:
    try:
        data = os.pread(fd, 4096, 0)
        info = json.loads(data) if data.strip() else {}
    except (OSError, ValueError):
        return {"pid": "?"}
    return info if isinstance(info, dict) else {}


class WorkspaceLock:
    """The exclusive right to grade in one workspace (see the module docstring)."""

    def __init__(self, fd: int, path: Path, stale: dict | None) -> None:
        self.fd = fd
        self.path = path
        #: What a killed earlier run left in the lock file (None if it ended cleanly).
        self.stale = stale

    @classmethod
    def acquire(cls, root: Path, module: str, *, wait: bool = False,
                on_wait: callable | None = None) -> WorkspaceLock:
        """Take the lock, or raise :class:`WorkspaceBusy` naming the holder (or wait)."""
        path = Path(root) / LOCK_NAME
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            raise CourseError(f"cannot create the grading lock {path}: {exc.strerror}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_info(fd)
            if not wait:
                os.close(fd)
                raise WorkspaceBusy(
                    f"another 'wbcourse grade' is running on this workspace ({_describe(holder)}); "
                    "wait for it or add --wait") from None
            if on_wait:
                on_wait(f"waiting for the grading run already in this workspace "
                        f"({_describe(holder)})")
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError as exc:  # a file system without locks: grade, but say so
            print(f"warning: cannot lock {path} ({exc.strerror}); do not start two grading "
                  "runs at once here", file=sys.stderr)
        left = _read_info(fd)
        info = {"pid": os.getpid(), "host": socket.gethostname(), "module": module,
                "started": time.time()}
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(info).encode(), 0)
        except OSError:
            pass  # a full disk: the flock alone still keeps other runs out
        return cls(fd, path, left or None)

    def release(self) -> None:
        """Mark the lock free (the file stays, empty) and let it go."""
        if self.fd < 0:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(self.fd, 0)
        os.close(self.fd)
        self.fd = -1

    def __enter__(self) -> WorkspaceLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class RunDir:
    """A grading run's private folder in the temporary folder, removed when it ends."""

    def __init__(self) -> None:
        remove_stale_run_dirs()
        self.path = Path(tempfile.mkdtemp(prefix=RUN_PREFIX))
        os.chmod(self.path, 0o711)  # kernels (other uids) reach only their own folder
        self._fd = os.open(self.path / OWNER, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        fcntl.flock(self._fd, fcntl.LOCK_EX)

    def sub(self, name: str, mode: int = 0o700) -> Path:
        """A new private folder inside the run folder."""
        path = Path(tempfile.mkdtemp(prefix=name, dir=self.path))
        os.chmod(path, mode)
        return path

    def remove(self) -> None:
        """Delete the folder (call once nothing of the run is left running)."""
        shutil.rmtree(self.path, ignore_errors=True)
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def remove_stale_run_dirs(tmp: str | None = None) -> list[Path]:
    """Remove run folders whose run is gone (its owner lock can be taken)."""
    removed = []
    base = Path(tmp or tempfile.gettempdir())
    for path in base.glob(RUN_PREFIX + "*"):
        try:
            fd = os.open(path / OWNER, os.O_RDWR | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue  # a live run
        shutil.rmtree(path, ignore_errors=True)
        os.close(fd)
        removed.append(path)
    return removed
