"""Tests for :mod:`course.lessons.quiz` (self-check quizzes)."""

from __future__ import annotations

import pytest

from course.lessons.quiz import QuizItem, check_answers, choice_quiz, quiz_text, score_text

ITEMS = [
    QuizItem("Flipping a feature flag back is", ("one-way", "two-way"), "two-way", "Undo it."),
    QuizItem("Deleting customer data is", ("one-way", "two-way"), "one-way", "No undo."),
    QuizItem("Pick c", ("a", "b", "c"), "c", "It is <c> & only c."),
]


def test_quizitem_is_frozen_and_validates() -> None:
    item = QuizItem("p", ["x", "y"], "x", "e")
    assert item.options == ("x", "y")
    with pytest.raises(AttributeError):
        item.answer = "y"  # type: ignore[misc]
    with pytest.raises(ValueError):
        QuizItem("p", ("x", "y"), "z", "e")
    with pytest.raises(ValueError):
        QuizItem("p", ("x",), "x", "e")
    with pytest.raises(ValueError):
        QuizItem("p", ("x", "x"), "x", "e")


def test_check_answers_headless() -> None:
    assert check_answers(ITEMS, ["two-way", "one-way", "c"]) == [True, True, True]
    assert check_answers(ITEMS, ["one-way", "one-way", "a"]) == [False, True, False]
    assert check_answers(ITEMS, [None, "one-way"]) == [False, True, False]
    assert check_answers(ITEMS, []) == [False, False, False]
    with pytest.raises(ValueError):
        check_answers(ITEMS, ["a", "b", "c", "d"])


def test_score_text() -> None:
    assert score_text([True, False, True, True, False]) == "3 of 5 correct"
    assert score_text([]) == "0 of 0 correct"


def test_quiz_text_lists_prompts_and_options_but_not_answers() -> None:
    text = quiz_text(ITEMS, title="Doors")
    assert text.startswith("Doors (self-check, not graded)")
    assert "1. Flipping a feature flag back is" in text
    assert "   (c) c" in text
    assert "Undo it." not in text  # explanations are not revealed


def test_widget_structure() -> None:
    quiz = choice_quiz(ITEMS, title="Doors")
    assert len(quiz.selectors) == 3
    assert len(quiz.marks) == 3
    assert quiz.results == []
    assert all(s.value is None for s in quiz.selectors)
    assert list(quiz.selectors[2].options) == ["a", "b", "c"]
    assert quiz.check_button.description == "Check"


def test_clicking_check_marks_items_and_summarises() -> None:
    quiz = choice_quiz(ITEMS)
    quiz.selectors[0].value = "two-way"
    quiz.selectors[1].value = "two-way"
    quiz.check_button.click()
    assert quiz.results == [True, False, False]
    assert "Correct" in quiz.marks[0].value and "Undo it." in quiz.marks[0].value
    assert "Not quite" in quiz.marks[1].value and "No undo." in quiz.marks[1].value
    assert "No option chosen" in quiz.marks[2].value
    assert "1 of 3 correct" in quiz.summary.value


def test_changing_an_answer_clears_its_mark_and_recheck_updates() -> None:
    quiz = choice_quiz(ITEMS)
    quiz.check_button.click()
    assert "0 of 3 correct" in quiz.summary.value
    for selector, answer in zip(quiz.selectors, ["two-way", "one-way", "c"], strict=True):
        selector.value = answer
    assert all(mark.value == "" for mark in quiz.marks)
    quiz.check_button.click()
    assert quiz.results == [True, True, True]
    assert "3 of 3 correct" in quiz.summary.value


def test_explanations_are_html_escaped() -> None:
    quiz = choice_quiz(ITEMS)
    quiz.selectors[2].value = "c"
    quiz.check_button.click()
    assert "&lt;c&gt; &amp; only c." in quiz.marks[2].value


def test_text_plain_fallback() -> None:
    quiz = choice_quiz(ITEMS, title="Doors")
    bundle = quiz._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert data["text/plain"] == quiz_text(ITEMS, title="Doors")
    assert "application/vnd.jupyter.widget-view+json" in data


def test_empty_quiz_rejected() -> None:
    with pytest.raises(ValueError):
        choice_quiz([])


def test_import_is_cheap() -> None:
    import subprocess
    import sys

    code = "import sys, course.lessons.quiz; print('ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
