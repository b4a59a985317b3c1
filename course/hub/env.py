"""``wbcourse hub env PATH``: the environment every hub server runs from, without answers.

A virtual environment built from a Python every account can run (not one under
``/root``), holding the learner edition of the course (the wheel ``make wheel`` builds:
the package, the released notebooks and the learner assets; never ``solutions/``,
hidden tests or sample answers), nbgrader, JupyterLab and JupyterHub's single-user
server. The wheel is checked with :mod:`course.leakcheck` before it is installed, and the
installed package again afterwards. Learners and the instructor's formgrader run from
it; the instructor's solutions stay in their own course folder (``WBCOURSE_ROOT``).
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


def build_wheel(out_dir: Path) -> Path:
    """Build the learner wheel from the instructor's checkout, as ``make wheel`` does."""
    root = paths.course_root()
    if not (root / "pyproject.toml").is_file() or not (root / "setup.py").is_file():
        raise CourseError(f"{root} is not a course checkout: build the hub environment from "
                          "the instructor's repository, or pass --wheel")
    try:
        import build  # noqa: F401  (the PyPA build front end, in the test extra)
    except ImportError as exc:
        raise CourseError("building the learner wheel needs the 'build' package (pip install "
                          "build), or pass --wheel dist/...whl from 'make wheel'") from exc
    _run([sys.executable, "-m", "build", "--outdir", str(out_dir), str(root)],
         "building the learner wheel")
    wheels = sorted(out_dir.glob("working_backwards_course-*.whl"))
    if not wheels:
        raise CourseError("building the learner wheel produced no wheel")
    return wheels[-1]


def check_no_answers(artifact: Path) -> None:
    """One-line error when a wheel or an installed package holds answers (leak check)."""
    from course import leakcheck

    leaks = leakcheck.check([artifact])
    if leaks:
        raise CourseError(f"refusing {artifact}: {leaks[0]} "
                          f"({len(leaks)} leak(s); see python -m course.leakcheck)")


def build_env(target: Path, *, python: str | None = None, wheel: Path | None = None) -> Path:
    """Create the hub environment at ``target``; return its interpreter."""
    target = Path(target).expanduser().absolute()
    if target.exists() and any(target.iterdir()):
        raise CourseError(f"{target} exists and is not empty")
    if wheel is not None and not (Path(wheel).is_file() and str(wheel).endswith(".whl")):
        raise CourseError(f"no such wheel: {wheel}")
    interpreter = base_python(python)
    created = not target.exists()
    try:
        with tempfile.TemporaryDirectory(prefix="wbcourse-wheelhouse-") as tmp:
            wheel = Path(wheel) if wheel else build_wheel(Path(tmp))
            check_no_answers(wheel)
            _run([interpreter, "-m", "venv", str(target)], f"{interpreter} -m venv")
            _run([str(target / "bin" / "pip"), "install", "--quiet", f"{wheel}[hub]"],
                 "installing the course into the hub environment")
        make_world_readable(target)
        check_env(target / "bin" / "python")
        check_no_answers(installed_package(target / "bin" / "python"))
    except BaseException:
        if created:
            shutil.rmtree(target, ignore_errors=True)
        else:
            for child in target.iterdir():
                shutil.rmtree(child, ignore_errors=True) if child.is_dir() else child.unlink()
        raise
    return target / "bin" / "python"


def installed_package(python: Path) -> Path:
    """The ``course`` package folder the environment of ``python`` imports."""
    # -I: not the current folder's course/ (a checkout) but the environment's own
    result = subprocess.run([str(python), "-I", "-c", "import course, os; "
                             "print(os.path.dirname(course.__file__))"],
                            capture_output=True, text=True, timeout=300, check=False)
    if result.returncode != 0:
        raise CourseError(f"{python} cannot import the course")
    return Path(result.stdout.strip())


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
    _run([str(python), "-I", "-c", code], f"importing {', '.join(REQUIRED_MODULES)} with {python}",
         timeout=300)
