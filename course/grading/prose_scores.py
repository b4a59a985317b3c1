"""Recompute prose-graded answers in the grader's own process.

A learner's kernel can monkeypatch anything, including :func:`course.prose.review`, so the
score a test cell printed is never trusted. The grader reads the answer text out of the
submitted notebook *without executing it* (``ast``), scores it with the same
deterministic checks, and records that score.

Everything else the checks use comes from the instructor's *source* notebook, never from
the submission (a learner can edit any cell): the kind, the points, the rules switched
off, and the exercise's context (its facts and key terms, :mod:`course.context`).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from course.errors import CourseError


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
    #: the exercise's facts and key terms, from the source notebook (None: it gives none)
    context: dict[str, Any] | None = field(default=None, compare=False)


def specs_for(source_dir: Path) -> list[ProseSpec]:
    """Prose specs of every notebook in a module's solutions folder.

    A malformed exercise context raises :class:`~course.errors.CourseError` naming the
    notebook and the cell: grading on with the facts left out would score differently
    from the learner's feedback panel.
    """
    from course.context import contexts

    specs: list[ProseSpec] = []
    for path in sorted(source_dir.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        try:
            given = contexts(path)
        except CourseError as exc:
            raise CourseError(f"{path.parent.name}/{exc}") from None
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
                    context=given.get(prose["answer"]),
                )
            )
    return specs


def review_answer(spec: ProseSpec, text: str) -> Any:
    """The :class:`~course.prose.Review` of an answer as its exercise defines it (the
    source notebook's kind, topic, rules switched off and context)."""
    from course.prose import review

    return review(text, spec.kind, topic=spec.topic or None, context=spec.context,
                  off=spec.off)


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
    source = answer_source(submitted, spec.answer_id)
    if source is None:
        return 0.0, f"{spec.answer_id}: answer cell missing"
    text = extract_text(source, spec.variable)
    if text is None:
        return 0.0, f"{spec.answer_id}: could not read {spec.variable} as a plain string"
    return review_answer(spec, text).points(spec.points), None
