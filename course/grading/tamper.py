"""Report edits to a submission that matter, by comparing it with the released notebook.

Stock nbgrader warns about every hidden-test cell (their checksums differ from the
source by design). Here only real tampering is reported: a locked cell whose text is not
the released text, a graded cell that is missing, or grading metadata that was changed.
nbgrader's autograde then restores all of these from the gradebook.
"""

from __future__ import annotations

import nbformat

_GRADING_KEYS = ("grade", "solution", "locked", "points")


def _by_id(nb: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    cells = {}
    for cell in nb.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id:
            cells[grade_id] = cell
    return cells


def tampering(released: nbformat.NotebookNode, submitted: nbformat.NotebookNode) -> list[str]:
    """Problems worth telling the instructor about, one line each.

    >>> from nbformat.v4 import new_notebook, new_code_cell
    >>> meta = {"nbgrader": {"grade_id": "t1", "locked": True, "grade": True, "points": 1,
    ...                      "solution": False}}
    >>> rel = new_notebook(cells=[new_code_cell("assert f() == 1", metadata=meta)])
    >>> sub = new_notebook(cells=[new_code_cell("pass", metadata=meta)])
    >>> tampering(rel, sub)
    ['t1: locked cell was edited (restored for grading)']
    >>> tampering(rel, new_notebook(cells=[]))
    ['t1: graded cell was deleted (put back for grading)']
    """
    problems: list[str] = []
    mine = _by_id(submitted)
    for grade_id, cell in _by_id(released).items():
        theirs = mine.get(grade_id)
        meta = cell.metadata["nbgrader"]
        if theirs is None:
            if meta.get("grade") or meta.get("locked"):
                problems.append(f"{grade_id}: graded cell was deleted (put back for grading)")
            continue
        their_meta = theirs.get("metadata", {}).get("nbgrader", {})
        changed = [k for k in _GRADING_KEYS if their_meta.get(k) != meta.get(k)]
        if changed:
            problems.append(f"{grade_id}: grading metadata changed ({', '.join(changed)}); "
                            "restored for grading")
        if meta.get("locked") and not meta.get("solution") and theirs.get("source") != cell.source:
            problems.append(f"{grade_id}: locked cell was edited (restored for grading)")
    return problems
