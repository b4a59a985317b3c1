"""Strip outputs, execution counts and run-time metadata from notebooks.

Committed notebooks carry no outputs, so diffs stay readable and nothing a run printed
leaks into the repository. ``python -m course.nbclean PATH...`` cleans files in place.

>>> import nbformat
>>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1", execution_count=3)])
>>> clean(nb).cells[0].execution_count is None
True
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

import nbformat

_RUNTIME_CELL_KEYS = ("execution", "collapsed", "scrolled", "jupyter")
_RUNTIME_NB_KEYS = ("widgets", "toc", "varInspector")


def clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return ``nb`` (modified in place) without outputs or run-time metadata."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        for key in _RUNTIME_CELL_KEYS:
            cell.metadata.pop(key, None)
    for key in _RUNTIME_NB_KEYS:
        nb.metadata.pop(key, None)
    return nb


def dumps(nb: nbformat.NotebookNode) -> str:
    """Serialise a notebook the one way the repository stores it."""
    return nbformat.writes(nb, version=4) + "\n"


def clean_text(text: str) -> str:
    """Clean a notebook given as JSON text and return the canonical text."""
    return dumps(clean(nbformat.reads(text, as_version=4)))


def notebooks(paths: Iterable[Path]) -> list[Path]:
    """Expand folders into the notebooks below them (checkpoints excluded)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += [p for p in sorted(path.rglob("*.ipynb"))
                      if ".ipynb_checkpoints" not in p.parts]
        else:
            found.append(path)
    return found


def main(argv: list[str] | None = None) -> int:
    """Clean the notebooks named on the command line (files or folders)."""
    args = sys.argv[1:] if argv is None else argv
    changed = 0
    for path in notebooks(Path(a) for a in args):
        before = path.read_text(encoding="utf-8")
        after = clean_text(before)
        if after != before:
            path.write_text(after, encoding="utf-8")
            changed += 1
            print(f"cleaned {path}")
    return 0 if changed >= 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
