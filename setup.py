"""Build hooks for the learner edition (the metadata is in pyproject.toml).

The wheel gets the released notebooks and the learner assets inside the package
(``course/_content/``); the source distribution gets the same files and nothing else
from outside the package, so neither ever carries ``solutions/``, hidden tests or sample
answers. Which files those are is decided in one place: ``course/edition.py``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

ROOT = Path(__file__).resolve().parent


def _edition():
    spec = importlib.util.spec_from_file_location("_wbcourse_edition",
                                                  ROOT / "course" / "edition.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class BuildPy(build_py):
    """Copy the learner files into the built package (not for editable installs)."""

    def run(self) -> None:
        super().run()
        if not getattr(self, "editable_mode", False):
            edition = _edition()
            edition.write_content(ROOT, Path(self.build_lib) / "course" / edition.CONTENT_DIR)


class SDist(sdist):
    """Ship the package and the learner files; drop everything else setuptools adds."""

    def make_distribution(self) -> None:
        edition = _edition()
        kept = [f for f in self.filelist.files if edition.is_sdist_file(Path(f).as_posix())]
        self.filelist.files = sorted({*kept, *edition.learner_files(ROOT)})
        super().make_distribution()


setup(cmdclass={"build_py": BuildPy, "sdist": SDist})
