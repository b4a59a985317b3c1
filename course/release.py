"""Regenerate ``exercises/`` (nbgrader release) from ``solutions/`` (nbgrader source).

Generation goes through nbgrader's own ``generate_assignment`` into a temporary folder,
then every notebook is cleaned (:mod:`course.nbclean`) so the committed files are stable,
and the instructor-only cells are dropped: the explanations of autograded items
(markdown cells marked ``{"wbcourse": {"explains": "<test grade_id>"}}``), which learners
see only on their feedback page after grading.
``check`` compares that output with the committed ``exercises/`` and writes nothing.

Before that, the exercise contexts of the source notebooks (the facts and key terms of
each written exercise, :mod:`course.context`) are brought up to date in ``solutions/``;
with ``check`` a malformed or out-of-date context is an error naming its cell.
"""

from __future__ import annotations

import filecmp
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from course import nbclean, paths


class ReleaseError(RuntimeError):
    """nbgrader refused to generate a module (broken source notebook, bad metadata)."""


@dataclass
class ReleaseResult:
    """What a release or a check found."""

    modules: list[str]
    changed: list[str] = field(default_factory=list)  # relative paths that differ
    contexts: list[str] = field(default_factory=list)  # context cells rewritten in solutions/

    @property
    def stale(self) -> bool:
        return bool(self.changed)


def source_modules(solutions: Path | None = None) -> list[str]:
    """Module folders in ``solutions/`` (``NN-slug``), sorted."""
    root = solutions or paths.solutions_dir()
    return sorted(p.name for p in root.iterdir() if p.is_dir() and p.name[:2].isdigit())


def generate(out_dir: Path, modules: list[str] | None = None) -> list[str]:
    """Run nbgrader's generate_assignment for ``modules`` into ``out_dir``; return them."""
    from traitlets.config import Config

    from course.nbconfig import configure, generate_assignments

    modules = modules or source_modules()
    with tempfile.TemporaryDirectory(prefix="wbcourse-release-") as tmp:
        config = configure(
            Config(),
            source=str(paths.solutions_dir()),
            release=str(out_dir),
            db_url=f"sqlite:///{tmp}/gradebook.db",
        )
        config.CourseDirectory.root = tmp
        failed = generate_assignments(config, modules)
        if failed is not None:
            raise ReleaseError(f"cannot release {failed[0]}: {failed[1]}")
    for nb_path in nbclean.notebooks([out_dir]):
        nb = nbformat.read(nb_path, as_version=4)
        nb_path.write_text(nbclean.dumps(nbclean.clean(strip_instructor_cells(nb))),
                           encoding="utf-8")
    return modules


def is_instructor_cell(cell: nbformat.NotebookNode) -> bool:
    """True for a cell only the instructor's copy holds (an explanation of an answer)."""
    return bool(cell.get("metadata", {}).get("wbcourse", {}).get("explains"))


def strip_instructor_cells(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``nb`` (changed in place) without the cells learners must not receive.

    >>> from nbformat.v4 import new_notebook, new_markdown_cell
    >>> why = new_markdown_cell("Why: ...", metadata={"wbcourse": {"explains": "q1_tests"}})
    >>> len(strip_instructor_cells(new_notebook(cells=[new_markdown_cell("Read"), why])).cells)
    1
    """
    nb.cells = [c for c in nb.cells if not is_instructor_cell(c)]
    return nb


def _relative_files(root: Path) -> set[str]:
    if not root.exists():
        return set()
    skip = {"__pycache__", ".ipynb_checkpoints"}
    return {
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file() and not skip.intersection(p.parts)
    }


def diff_trees(expected: Path, actual: Path) -> list[str]:
    """Relative paths that are missing, extra or different between two folders."""
    want, have = _relative_files(expected), _relative_files(actual)
    changed = sorted(want ^ have)
    for rel in sorted(want & have):
        if not filecmp.cmp(expected / rel, actual / rel, shallow=False):
            changed.append(rel)
    return sorted(changed)


def release(*, check: bool = False, modules: list[str] | None = None) -> ReleaseResult:
    """Regenerate exercises (or, with ``check``, only report what would change).

    Always the course source's ``exercises/`` (never a learner install's copy).
    """
    exercises = paths.course_root() / "exercises"
    updated = update_contexts(modules or source_modules(), check=check)
    with tempfile.TemporaryDirectory(prefix="wbcourse-exercises-") as tmp:
        fresh = Path(tmp) / "exercises"
        fresh.mkdir()
        done = generate(fresh, modules)
        result = ReleaseResult(modules=done, contexts=updated)
        scope = done if modules else sorted({*done, *_module_dirs(exercises)})
        for module in scope:
            differing = diff_trees(fresh / module, exercises / module)
            result.changed += [f"{module}/{rel}" for rel in differing]
        if not check:
            for module in scope:
                target = exercises / module
                if target.exists():
                    shutil.rmtree(target)
                if (fresh / module).exists():
                    shutil.copytree(fresh / module, target)
    result.changed += write_checklists(check=check)
    return result


def update_contexts(modules: list[str], *, check: bool = False) -> list[str]:
    """Bring the exercise contexts of the modules' source notebooks up to date (with
    ``check``, only look); return the cells rewritten.  A malformed (or, with ``check``,
    out-of-date) context raises :class:`ReleaseError` naming the notebook and the cell."""
    from course.context import ContextError, problems, refresh

    found: list[str] = []
    updated: list[str] = []
    for module in modules:
        for nb in sorted((paths.solutions_dir() / module).glob("*.ipynb")):
            try:
                if check:
                    found += [f"{module}/{p}" for p in problems(nb)]
                else:
                    updated += [f"{module}/{c}" for c in refresh(nb)]
            except ContextError as exc:
                found.append(f"{module}/{exc}")
            except (OSError, ValueError) as exc:  # an unreadable notebook: nbgrader says more
                found.append(f"{module}/{nb.name}: cannot read the notebook ({exc})")
    if found:
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        raise ReleaseError(f"solutions/{found[0]}{more}")
    return updated


def write_checklists(*, check: bool = False) -> list[str]:
    """Regenerate ``assets/checklists/`` (learners' self-check questions) from the rubrics.

    Returns the relative paths that differ (with ``check``, nothing is written).
    """
    from course.lessons.checklist import checklist_toml

    assets = paths.source_assets_dir()
    want = {}
    for rubric in sorted((assets / "rubrics").glob("*.toml")):
        text = checklist_toml(rubric.read_text(encoding="utf-8"), rubric.name)
        if text is not None:
            want[rubric.name] = text
    folder = assets / "checklists"
    have = {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.toml")}
    changed = sorted(n for n in want.keys() | have.keys() if want.get(n) != have.get(n))
    if not check:
        folder.mkdir(exist_ok=True)
        for name in changed:
            if name in want:
                (folder / name).write_text(want[name], encoding="utf-8")
            else:
                (folder / name).unlink()
    return [f"assets/checklists/{n}" for n in changed]


def _module_dirs(root: Path) -> list[str]:
    if not root.exists():
        return []
    return [p.name for p in root.iterdir() if p.is_dir() and p.name[:2].isdigit()]
