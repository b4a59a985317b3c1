"""``wbcourse hub env PATH``: the environment every hub server runs from, without answers.

A virtual environment built from a Python every account can run (not one under
``/root``), holding the course package as a wheel (``course/`` only: no ``solutions/``,
no sample answers), nbgrader, JupyterLab and JupyterHub's single-user server. Learners
and the instructor's formgrader run from it; the instructor's solutions stay in their
own course folder (``WBCOURSE_ROOT``).
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

from course import paths
from course.errors import CourseError

#: built into the wheel; nothing else of the repository goes in
WHEEL_SOURCES = ("pyproject.toml", "README.md", "course")
#: imported by the servers: a failed import means a broken environment
REQUIRED_MODULES = ("course", "nbgrader", "jupyterhub", "jupyterlab", "ipywidgets")


def world_usable(path: Path) -> bool:
    """True if every account can reach and run ``path`` (each parent searchable by others).

    >>> world_usable(Path("/usr/bin/env"))
    True
    """
    real = Path(os.path.realpath(path))
    try:
        if not real.stat().st_mode & stat.S_IXOTH:
            return False
        return all(p.stat().st_mode & stat.S_IXOTH for p in real.parents)
    except OSError:
        return False


def base_python(preferred: str | None = None) -> str:
    """An interpreter every account can run: ``preferred``, this one's base, or the system's."""
    candidates = [preferred] if preferred else [
        getattr(sys, "_base_executable", sys.executable), "/usr/bin/python3"]
    for candidate in candidates:
        if candidate and Path(candidate).exists() and world_usable(Path(candidate)):
            return candidate
    if preferred:
        raise CourseError(f"{preferred} cannot be run by other accounts (is it under /root?)")
    raise CourseError("no Python that every account can run was found: install Debian's "
                      "python3 and python3-venv, or pass --base-python")


def _run(argv: list[str], what: str, timeout: float = 1800) -> None:
    result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    if result.returncode != 0:
        lines = [ln for ln in (result.stderr or result.stdout).splitlines()
                 if ln.strip() and "is ignored" not in ln]
        raise CourseError(f"{what} failed: {lines[-1] if lines else result.returncode}")


def build_wheel(out_dir: Path, pip: Path) -> Path:
    """Build the course's wheel from a clean copy of the package sources; return it."""
    root = paths.course_root()
    missing = [name for name in WHEEL_SOURCES if not (root / name).exists()]
    if missing:
        raise CourseError(f"{root} is not a course checkout ({', '.join(missing)} missing): "
                          "build the hub environment from the instructor's repository")
    with tempfile.TemporaryDirectory(prefix="wbcourse-wheel-") as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        for name in WHEEL_SOURCES:
            item = root / name
            if item.is_dir():
                shutil.copytree(item, src / name,
                                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                shutil.copy2(item, src / name)
        _run([str(pip), "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out_dir), str(src)],
             "building the course wheel")
    wheels = sorted(out_dir.glob("working_backwards_course-*.whl"))
    if not wheels:
        raise CourseError("building the course wheel produced no wheel")
    return wheels[-1]


def build_env(target: Path, *, python: str | None = None) -> Path:
    """Create the hub environment at ``target``; return its interpreter."""
    target = Path(target).expanduser().absolute()
    if target.exists() and any(target.iterdir()):
        raise CourseError(f"{target} exists and is not empty")
    interpreter = base_python(python)
    created = not target.exists()
    try:
        _run([interpreter, "-m", "venv", str(target)], f"{interpreter} -m venv")
        pip = target / "bin" / "pip"
        with tempfile.TemporaryDirectory(prefix="wbcourse-wheelhouse-") as tmp:
            wheel = build_wheel(Path(tmp), pip)
            _run([str(pip), "install", "--quiet", f"{wheel}[hub]"],
                 "installing the course into the hub environment")
        make_world_readable(target)
        check_env(target / "bin" / "python")
    except BaseException:
        if created:
            shutil.rmtree(target, ignore_errors=True)
        else:
            for child in target.iterdir():
                shutil.rmtree(child, ignore_errors=True) if child.is_dir() else child.unlink()
        raise
    return target / "bin" / "python"


def make_world_readable(root: Path) -> None:
    """``chmod -R a+rX``: everyone reads files and enters folders (whatever the umask was)."""
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            path = Path(dirpath) / name
            if path.is_symlink():
                continue
            mode = path.stat().st_mode
            extra = stat.S_IRGRP | stat.S_IROTH
            if stat.S_ISDIR(mode) or mode & stat.S_IXUSR:
                extra |= stat.S_IXGRP | stat.S_IXOTH
            os.chmod(path, stat.S_IMODE(mode) | extra)
    os.chmod(root, stat.S_IMODE(root.stat().st_mode) | 0o055)


def check_env(python: Path) -> None:
    """The environment imports what the servers need (one-line error otherwise)."""
    if not Path(python).exists():
        raise CourseError(f"no Python at {python}")
    if not (Path(python).parent / "jupyterhub-singleuser").exists():
        raise CourseError(f"{Path(python).parent} has no jupyterhub-singleuser: build the "
                          "environment with 'wbcourse hub env PATH' (or pip install "
                          "'working-backwards-course[hub]')")
    code = "import " + ", ".join(REQUIRED_MODULES)
    _run([str(python), "-c", code], f"importing {', '.join(REQUIRED_MODULES)} with {python}",
         timeout=300)
