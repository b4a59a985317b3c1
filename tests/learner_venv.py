"""Build the learner edition and install it into fresh virtual environments.

A learner venv is created outside the checkout with ``python -m venv --without-pip``; the
course wheel is installed into it with pip (``--no-deps``), and a ``.pth`` line makes the
test run's own site-packages (jupyterlab, nbgrader, ipykernel, ...) importable after the
venv's own, so no download is needed. Only the wheel provides ``course``: the checkout's
editable-install hook is not processed from a ``.pth`` path line, and every command runs
from a folder outside the checkout with ``WBCOURSE_ROOT`` unset.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def build_dist(out: Path, source: Path = ROOT, *, wheel_only: bool = False) -> dict[str, Path]:
    """Run ``python -m build`` (isolated, as a user would) on ``source``; return the files.

    Without ``wheel_only`` it builds the sdist and then the wheel *from the sdist*, so the
    wheel also proves the sdist is complete.
    """
    cmd = [sys.executable, "-m", "build", "--outdir", str(out)]
    if wheel_only:
        cmd.append("--wheel")
    proc = subprocess.run([*cmd, str(source)], capture_output=True, text=True, timeout=600)
    if proc.returncode:
        raise RuntimeError(f"build failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return find_dist(out)


def find_dist(folder: Path) -> dict[str, Path]:
    """{"wheel": ..., "sdist": ...} in ``folder`` (the sdist may be absent)."""
    found = {}
    for kind, pattern in (("wheel", "*.whl"), ("sdist", "*.tar.gz")):
        files = sorted(folder.glob(pattern))
        if len(files) > 1:
            raise RuntimeError(f"{folder} holds {len(files)} {pattern} files; expected one")
        if files:
            found[kind] = files[0]
    if "wheel" not in found:
        raise RuntimeError(f"no wheel in {folder}")
    return found


@dataclass
class LearnerVenv:
    """A fresh virtual environment with the course wheel installed."""

    path: Path
    home: Path  # a HOME and working folder outside the checkout

    @property
    def python(self) -> Path:
        return self.path / "bin" / "python"

    @property
    def wbcourse(self) -> Path:
        return self.path / "bin" / "wbcourse"

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of a learner's shell: no WBCOURSE_ROOT, HOME outside the checkout."""
        drop = ("WBCOURSE_ROOT", "PYTHONPATH", "VIRTUAL_ENV", "MPLBACKEND",
                "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_PATH")
        env = {k: v for k, v in os.environ.items() if k not in drop}
        env.update(HOME=str(self.home), PATH=f"{self.path / 'bin'}:{env.get('PATH', '')}",
                   JUPYTER_PLATFORM_DIRS="1", **extra)
        return env

    def run(self, *args: str | Path, timeout: int = 300, **extra: str):
        """Run a command (``wbcourse ...`` or ``python ...``) as the learner would."""
        argv = [str(a) for a in args]
        if argv[0] in ("wbcourse", "python"):
            argv[0] = str(self.wbcourse if argv[0] == "wbcourse" else self.python)
        return subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                              cwd=self.home, env=self.env(**extra))

    def install(self, wheel: Path) -> None:
        """Install (or upgrade, or reinstall) ``wheel`` into this venv."""
        proc = subprocess.run(
            [sys.executable, "-m", "pip", "--python", str(self.python), "install", "-q",
             "--no-deps", "--force-reinstall", str(wheel)],
            capture_output=True, text=True, timeout=300)
        if proc.returncode:
            raise RuntimeError(f"pip install {wheel.name} failed: {proc.stderr[-2000:]}")

    def site_packages(self) -> Path:
        out = subprocess.run([str(self.python), "-c",
                              "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True)
        return Path(out.stdout.strip())

    def content(self) -> Path:
        """The installed learner files (``course/_content``)."""
        return self.site_packages() / "course" / "_content"


def make_learner_venv(base: Path, wheel: Path) -> LearnerVenv:
    """Create a venv under ``base`` (outside the checkout) and install ``wheel`` into it."""
    if ROOT in base.resolve().parents:
        raise ValueError(f"{base} is inside the checkout")
    venv = LearnerVenv(path=base / "venv", home=base / "home")
    venv.home.mkdir(parents=True)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv.path)], check=True,
                   timeout=120)
    ours = dict.fromkeys(sysconfig.get_paths()[k] for k in ("purelib", "platlib"))
    (venv.site_packages() / "zz-test-dependencies.pth").write_text(
        "".join(f"{p}\n" for p in ours), encoding="utf-8")
    venv.install(wheel)
    return venv
