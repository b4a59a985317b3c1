"""Small extensions to nbgrader used when releasing the course.

Prose answers are written inside a Python string in a code cell::

    draft = \"\"\"
    ### BEGIN SOLUTION
    The model answer ...
    ### END SOLUTION
    \"\"\"

Stock nbgrader would replace the solution region with ``raise NotImplementedError()``
*inside the string*. Cells whose metadata carries ``{"wbcourse": {"answer": "prose"}}``
get a plain-language stub instead. nbgrader is imported when this module is.
"""

from __future__ import annotations

from nbgrader.preprocessors import ClearSolutions
from traitlets import Unicode

PROSE_STUB = "Replace this line with your answer."


def is_prose_answer(cell) -> bool:
    """True for a code cell that holds a prose answer inside a string.

    >>> from nbformat.v4 import new_code_cell
    >>> is_prose_answer(new_code_cell("x = 1", metadata={"wbcourse": {"answer": "prose"}}))
    True
    >>> is_prose_answer(new_code_cell("x = 1"))
    False
    """
    return cell.get("cell_type") == "code" and (
        cell.get("metadata", {}).get("wbcourse", {}).get("answer") == "prose"
    )


class ProseAwareClearSolutions(ClearSolutions):
    """nbgrader's ClearSolutions, with a readable stub inside prose answer strings."""

    prose_stub = Unicode(PROSE_STUB, help="Stub left inside prose answer strings.").tag(
        config=True
    )

    def preprocess_cell(self, cell, resources, cell_index):
        if not is_prose_answer(cell):
            return super().preprocess_cell(cell, resources, cell_index)
        saved = dict(self.code_stub)
        self.code_stub = {lang: self.prose_stub for lang in saved}
        try:
            return super().preprocess_cell(cell, resources, cell_index)
        finally:
            self.code_stub = saved
