"""Self-check multiple-choice quizzes for the notebooks.

A quiz is *feedback, not grading*: nothing here is recorded by nbgrader. Each
:class:`QuizItem` is one question with its options, the right answer and an
explanation shown after the learner presses **Check**.

>>> items = [
...     QuizItem("Can you undo a feature flag flip?", ("yes", "no"), "yes",
...              "Flip it back: a two-way door."),
...     QuizItem("Who reads the six-pager first?", ("the author", "everyone, in the meeting"),
...              "everyone, in the meeting", "The meeting starts with silent reading."),
... ]
>>> check_answers(items, ["yes", "the author"])
[True, False]
>>> score_text(check_answers(items, ["yes", None]))
'1 of 2 correct'

:func:`choice_quiz` builds the ipywidgets panel (ipywidgets is imported only inside
it, so ``import course.lessons.quiz`` stays cheap). Without a widget frontend (a headless
run, a plain console) the panel shows as text listing prompts and options.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

__all__ = ["QuizItem", "check_answers", "choice_quiz", "quiz_text", "score_text"]


@dataclass(frozen=True)
class QuizItem:
    """One multiple-choice question.

    ``answer`` must be one of ``options``; lists given as options become a tuple.

    >>> QuizItem("2 + 2?", ["3", "4"], "4", "Arithmetic.").options
    ('3', '4')
    >>> QuizItem("2 + 2?", ("3", "4"), "5", "")
    Traceback (most recent call last):
    ...
    ValueError: answer '5' is not one of the options of '2 + 2?'
    """

    prompt: str
    options: tuple[str, ...]
    answer: str
    explanation: str

    def __post_init__(self) -> None:
        options = tuple(self.options)
        object.__setattr__(self, "options", options)
        if len(options) < 2:
            raise ValueError(f"{self.prompt!r} needs at least two options")
        if len(set(options)) != len(options):
            raise ValueError(f"{self.prompt!r} has duplicate options")
        if self.answer not in options:
            raise ValueError(f"answer {self.answer!r} is not one of the options of {self.prompt!r}")


def check_answers(items: Sequence[QuizItem], choices: Sequence[str | None]) -> list[bool]:
    """Return, per item, whether the chosen option is the right answer.

    ``choices`` lines up with ``items``; ``None`` (or a missing trailing choice)
    means "not answered" and counts as incorrect.

    >>> item = QuizItem("Pick b", ("a", "b"), "b", "")
    >>> check_answers([item, item], ["b"])
    [True, False]
    """
    if len(choices) > len(items):
        raise ValueError(f"{len(choices)} choices for {len(items)} items")
    padded = list(choices) + [None] * (len(items) - len(choices))
    pairs = zip(items, padded, strict=True)
    return [choice is not None and choice == item.answer for item, choice in pairs]


def score_text(results: Sequence[bool]) -> str:
    """Summarise results as ``"k of n correct"``.

    >>> score_text([True, False, True])
    '2 of 3 correct'
    """
    return f"{sum(bool(r) for r in results)} of {len(results)} correct"


def quiz_text(items: Sequence[QuizItem], *, title: str = "") -> str:
    """Plain-text rendering of a quiz: prompts and lettered options, no answers.

    >>> print(quiz_text([QuizItem("Pick b", ("a", "b"), "b", "")], title="Demo"))
    Demo (self-check, not graded)
    1. Pick b
       (a) a
       (b) b
    """
    head = f"{title} (self-check, not graded)" if title else "Self-check quiz (not graded)"
    lines = [head]
    for number, item in enumerate(items, start=1):
        lines.append(f"{number}. {item.prompt}")
        for letter, option in zip("abcdefghijklmnopqrstuvwxyz", item.options, strict=False):
            lines.append(f"   ({letter}) {option}")
    return "\n".join(lines)


_CORRECT = "#1b7837"
_WRONG = "#b2182b"
_NEUTRAL = "#555555"


def _mark_html(item: QuizItem, choice: str | None, correct: bool) -> str:
    """HTML shown under one item after Check."""
    explanation = html.escape(item.explanation)
    if choice is None:
        return (
            f'<span style="color:{_NEUTRAL}">&#9675; No option chosen yet. '
            "Pick one and press Check.</span>"
        )
    if correct:
        return f'<span style="color:{_CORRECT}"><b>&#10004; Correct.</b> {explanation}</span>'
    return f'<span style="color:{_WRONG}"><b>&#10008; Not quite.</b> {explanation}</span>'


@lru_cache(maxsize=1)
def _quiz_class() -> type:
    """The widget class, built on first use so ipywidgets is imported lazily."""
    import ipywidgets as widgets

    from course.widgets import with_plain_text

    class ChoiceQuiz(widgets.VBox):
        """A VBox whose plain-text view lists the questions (for headless runs)."""

        def _repr_mimebundle_(self, **kwargs: Any) -> Any:
            bundle = super()._repr_mimebundle_(**kwargs)
            return with_plain_text(bundle, quiz_text(self.items, title=self.title))

        def choices(self) -> list[str | None]:
            """The options currently selected, ``None`` where nothing is chosen."""
            return [selector.value for selector in self.selectors]

        def check(self) -> list[bool]:
            """Mark every item and update the summary (what the Check button does)."""
            results = check_answers(self.items, self.choices())
            rows = zip(self.items, self.choices(), results, self.marks, strict=True)
            for item, choice, ok, mark in rows:
                mark.value = _mark_html(item, choice, ok)
            self.results = results
            self.summary.value = f"<b>{score_text(results)}</b> (self-check, not graded)"
            return results

    return ChoiceQuiz


def choice_quiz(items: list[QuizItem], *, title: str = "") -> Any:
    """Build a self-check quiz panel: one dropdown per item and a Check button.

    Pressing **Check** marks each item correct or incorrect, shows its explanation
    and a summary such as ``"3 of 5 correct"``. Nothing is graded or saved.
    The returned widget exposes ``items``, ``selectors`` (the dropdowns),
    ``check_button``, ``marks`` (one HTML per item), ``summary`` and ``results``
    (the last check, ``[]`` before any), so tests can drive it.

    >>> quiz = choice_quiz([QuizItem("Pick b", ("a", "b"), "b", "It says b.")], title="Demo")
    >>> quiz.selectors[0].value = "b"
    >>> quiz.check_button.click()
    >>> quiz.results, quiz.summary.value.startswith("<b>1 of 1 correct")
    ([True], True)
    """
    import ipywidgets as widgets

    items = list(items)
    if not items:
        raise ValueError("a quiz needs at least one item")
    cls = _quiz_class()

    selectors = []
    marks = []
    rows = []
    if title:
        rows.append(widgets.HTML(f"<h4 style='margin:4px 0'>{html.escape(title)}</h4>"))
    for number, item in enumerate(items, start=1):
        prompt = widgets.HTML(f"<b>{number}.</b> {html.escape(item.prompt)}")
        selector = widgets.Dropdown(
            options=list(item.options),
            value=None,
            description="Answer:",
            layout=widgets.Layout(width="95%"),
            style={"description_width": "initial"},
        )
        mark = widgets.HTML("")

        def _clear(change: dict, mark: Any = mark) -> None:
            mark.value = ""

        selector.observe(_clear, names="value")
        selectors.append(selector)
        marks.append(mark)
        rows.append(widgets.VBox([prompt, selector, mark], layout=widgets.Layout(margin="4px 0")))

    check_button = widgets.Button(description="Check", button_style="primary", icon="check")
    summary = widgets.HTML("<i>Choose an answer for each question, then press Check.</i>")
    rows.append(widgets.HBox([check_button, summary]))

    quiz = cls(rows)
    quiz.items = items
    quiz.title = title
    quiz.selectors = selectors
    quiz.marks = marks
    quiz.check_button = check_button
    quiz.summary = summary
    quiz.results = []
    check_button.on_click(lambda _button: quiz.check())
    return quiz
