"""Recompute prose-graded answers in the grader's own process.

A learner's kernel can monkeypatch anything, including :func:`course.prose.review`, so the
score a test cell printed is never trusted. The grader reads the answer text out of the
submitted notebook *without executing it* (``ast``), scores it with the same
deterministic checks, and records that score.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import nbformat


@dataclass(frozen=True)
class ProseSpec:
    """A prose-checked test cell, as the instructor's solution notebook defines it."""

    notebook: str  # notebook name without .ipynb
    test_id: str  # grade_id of the test cell
    answer_id: str  # grade_id of the answer cell holding the text
    variable: str  # name the text is assigned to
    kind: str  # a course.prose kind (course/prose/rules/<kind>.toml)
    points: float
    topic: tuple[str, ...] = ()
    off: tuple[str, ...] = ()  # rules switched off for this exercise


def specs_for(source_dir: Path) -> list[ProseSpec]:
    """Prose specs of every notebook in a module's solutions folder."""
    specs: list[ProseSpec] = []
    for path in sorted(source_dir.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            prose = cell.metadata.get("wbcourse", {}).get("prose")
            grading = cell.metadata.get("nbgrader", {})
            if not prose or not grading.get("grade"):
                continue
            specs.append(
                ProseSpec(
                    notebook=path.stem,
                    test_id=grading["grade_id"],
                    answer_id=prose["answer"],
                    variable=prose["variable"],
                    kind=prose["kind"],
                    points=float(grading["points"]),
                    topic=tuple(prose.get("topic", ())),
                    off=tuple(prose.get("off", ())),
                )
            )
    return specs


def extract_text(source: str, variable: str) -> str | None:
    """The string literal assigned to ``variable`` in a cell, read without running it.

    >>> extract_text("draft = 'We shipped it.'", "draft")
    'We shipped it.'
    >>> extract_text("draft = make_text()", "draft") is None
    True
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    found: str | None = None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == variable for t in node.targets
        ):
            try:
                value = ast.literal_eval(node.value)
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                value = None
            found = value if isinstance(value, str) else None
    return found


def answer_source(nb: nbformat.NotebookNode, grade_id: str) -> str | None:
    """Source of the cell with ``grade_id`` in a notebook, or None if it is missing."""
    for cell in nb.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id:
            return cell.get("source", "")
    return None


def recompute(spec: ProseSpec, submitted: nbformat.NotebookNode) -> tuple[float, str | None]:
    """Return (points, problem) for one prose answer in a submitted notebook."""
    from course.prose import review

    source = answer_source(submitted, spec.answer_id)
    if source is None:
        return 0.0, f"{spec.answer_id}: answer cell missing"
    text = extract_text(source, spec.variable)
    if text is None:
        return 0.0, f"{spec.answer_id}: could not read {spec.variable} as a plain string"
    return review(text, spec.kind, topic=spec.topic or None, off=spec.off).points(spec.points), None
