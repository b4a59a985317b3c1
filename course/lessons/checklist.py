"""Self-assessment checklists built from a module's rubric (modules 8 and 9).

A learner working alone has no instructor to grade the written answers. The rubric an
instructor grades with (``assets/rubrics/<module>.toml``) is turned into questions the
learner asks of their own draft: each criterion's ``ask`` (a question for the writer),
or its description when it has none. Ticking the boxes is feedback, not grading:
nothing is recorded.

>>> items = checklist_items("08-cross-team-impact", "q08_own_project")
>>> len(items) >= 3 and all(i.question.endswith("?") for i in items)
True
>>> print(checklist_text("08-cross-team-impact", "q08_own_project").splitlines()[0])
Self-check before you hand in: Your own project summary
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import tomllib

from course import paths

__all__ = ["ChecklistItem", "checklist_items", "checklist_text", "self_check"]


@dataclass(frozen=True)
class ChecklistItem:
    """One rubric criterion, asked as a question of the learner's own draft."""

    id: str
    question: str
    points: float


@lru_cache(maxsize=16)
def _answer(module: str, grade_id: str) -> tuple[str, tuple[ChecklistItem, ...]]:
    path = paths.assets_dir() / "rubrics" / f"{module}.toml"
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    for answer in raw.get("answer", []):
        if answer.get("grade_id") == grade_id:
            items = tuple(
                ChecklistItem(c["id"], " ".join(str(c.get("ask") or c["description"]).split()),
                              float(c.get("points", 0)))
                for c in answer.get("criteria", []))
            return str(answer.get("title", grade_id)), items
    raise LookupError(f"{module} has no rubric answer {grade_id!r}")


def checklist_items(module: str, grade_id: str) -> list[ChecklistItem]:
    """The rubric criteria of ``grade_id`` as questions, in rubric order."""
    return list(_answer(module, grade_id)[1])


def checklist_text(module: str, grade_id: str, ticked: set[str] | frozenset[str] = frozenset()
                   ) -> str:
    """The checklist as plain text, ``[x]`` for ticked criteria.

    >>> text = checklist_text("08-cross-team-impact", "q08_own_project", {"credit"})
    >>> "[x]" in text and "[ ]" in text
    True
    """
    title, items = _answer(module, grade_id)
    lines = [f"Self-check before you hand in: {title}"]
    lines += [f"[{'x' if i.id in ticked else ' '}] {i.question}" for i in items]
    return "\n".join(lines)


def _verdict(items: list[ChecklistItem], ticked: set[str]) -> str:
    missing = [i for i in items if i.id not in ticked]
    if not missing:
        return ("<b>Every box ticked.</b> Read the draft once more as a reviewer who "
                "does not know you: would they tick the same boxes?")
    first = html.escape(missing[0].question)
    return (f"<b>{len(items) - len(missing)} of {len(items)} ticked.</b> "
            f"Revise for the first unticked one: <i>{first}</i>")


def self_check(module: str, grade_id: str) -> Any:
    """A checklist widget: one checkbox per rubric criterion and a running verdict.

    The returned box exposes ``boxes`` (criterion id -> Checkbox) and ``verdict`` so
    tests can drive it; without a widget frontend it shows :func:`checklist_text`.

    >>> panel = self_check("08-cross-team-impact", "q08_own_project")
    >>> for box in panel.boxes.values():
    ...     box.value = True
    >>> panel.verdict.value.startswith("<b>Every box ticked.")
    True
    """
    import ipywidgets as widgets

    from course.widgets import with_plain_text

    title, items = _answer(module, grade_id)

    class Checklist(widgets.VBox):  # type: ignore[misc]
        def _repr_mimebundle_(self, **kwargs: Any) -> Any:
            bundle = super()._repr_mimebundle_(**kwargs)
            ticked = {k for k, b in self.boxes.items() if b.value}
            return with_plain_text(bundle, checklist_text(module, grade_id, ticked))

    boxes = {i.id: widgets.Checkbox(value=False, indent=False,
                                    layout=widgets.Layout(width="28px"))
             for i in items}
    rows = [widgets.HBox([boxes[i.id], widgets.HTML(html.escape(i.question))]) for i in items]
    verdict = widgets.HTML(_verdict(list(items), set()))

    def update(_change: Any = None) -> None:
        verdict.value = _verdict(list(items), {k for k, b in boxes.items() if b.value})

    for box in boxes.values():
        box.observe(update, names="value")
    head = widgets.HTML(f"<h4 style='margin:4px 0'>Self-check: {html.escape(title)}</h4>"
                        "<small>Tick what your draft already does. Not graded, not saved.</small>")
    panel = Checklist([head, *rows, verdict])
    panel.boxes = boxes
    panel.verdict = verdict
    return panel
