"""Tests for :mod:`course.lessons.customer` (five questions, press-release sections, sorter)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from course.lessons.customer import (
    FIVE_QUESTIONS,
    PRESS_RELEASE_SECTIONS,
    order_feedback,
    order_summary,
    section_keys,
    section_sorter,
    sorter_text,
)

PROSE_SECTIONS = {
    "headline",
    "subheading",
    "summary",
    "problem",
    "solution",
    "leader_quote",
    "getting_started",
    "customer_quote",
    "call_to_action",
}


def test_five_questions_are_the_books_five() -> None:
    assert len(FIVE_QUESTIONS) == 5
    assert [q for _, q in FIVE_QUESTIONS][0] == "Who is the customer?"
    assert len({k for k, _ in FIVE_QUESTIONS}) == 5


def test_section_keys_match_the_prose_checker_names() -> None:
    assert set(section_keys()) == PROSE_SECTIONS
    assert len(PRESS_RELEASE_SECTIONS) == 9
    assert all(s.name and s.purpose for s in PRESS_RELEASE_SECTIONS)


def test_order_feedback() -> None:
    keys = list(section_keys())
    assert order_feedback(keys) == [True] * 9
    swapped = keys[:]
    swapped[3], swapped[4] = swapped[4], swapped[3]
    assert order_feedback(swapped).count(False) == 2
    with pytest.raises(ValueError):
        order_feedback(keys + ["faq"])
    assert order_summary([True, True]) == "2 of 2 sections in the right place"


def test_sorter_text_lists_names() -> None:
    text = sorter_text(["call_to_action", "headline"])
    assert "1. Closing and call to action" in text
    assert "2. Heading" in text


def test_sorter_starts_shuffled_and_moves() -> None:
    sorter = section_sorter(seed=3)
    assert sorted(sorter.order) == sorted(section_keys())
    assert sorter.order != list(section_keys())
    first, second = sorter.order[0], sorter.order[1]
    sorter.move(0, +1)
    assert sorter.order[:2] == [second, first]
    sorter.move(0, -1)  # off the top: nothing happens
    assert sorter.order[:2] == [second, first]


def test_sorter_check_marks_positions() -> None:
    sorter = section_sorter()
    results = sorter.check()
    assert results == order_feedback(sorter.order)
    assert "sections in the right place" in sorter.summary.value
    sorter.order = list(section_keys())
    sorter.check_button.click()
    assert sorter.results == [True] * 9
    assert "Well done" in sorter.summary.value


def test_sorter_plain_text_repr() -> None:
    sorter = section_sorter()
    data = sorter._repr_mimebundle_()
    if isinstance(data, tuple):
        data = data[0]
    assert data["text/plain"].startswith("Put the press-release sections")


def test_import_is_cheap() -> None:
    code = "import sys, course.lessons.customer; print('ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


GOOD_REWRITE = """See sale prices the minute a sale starts

Video store customers now see the current price to rent or buy a title, discounts
included, as soon as its page opens.

When a sale starts, its prices now reach every title page within 60 seconds instead of
the next morning. The price you see is the price you pay at checkout.
"""


def test_benefit_checks_pass_a_customer_rewrite() -> None:
    from course.lessons.customer import benefit_checks, benefit_points

    assert all(c.passed for c in benefit_checks(GOOD_REWRITE))
    assert benefit_points(GOOD_REWRITE) == 2.0
    assert benefit_points(GOOD_REWRITE, 4) == 4.0


def test_benefit_checks_fail_the_engineering_announcement() -> None:
    from course.lessons.customer import benefit_checks, benefit_points

    text = (
        "We migrated the offers service to a new event-driven architecture with a 40% "
        "smaller p99. The backend now scales better."
    )
    checks = {c.name: c for c in benefit_checks(text)}
    assert not checks["leaves the engineering out"].passed
    assert "architecture" in checks["leaves the engineering out"].advice
    assert benefit_points(text) <= 1.0


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "price rent buy title 60 seconds you customers checkout page sale discount",
        "Replace this line with your answer.",
    ],
)
def test_benefit_points_zero_for_blank_or_keyword_lists(text: str) -> None:
    from course.lessons.customer import benefit_points

    assert benefit_points(text) == 0.0


def test_benefit_points_ignores_str_subclass_tricks() -> None:
    from course.lessons.customer import benefit_points

    class Sneaky(str):
        def __str__(self) -> str:
            return GOOD_REWRITE

    assert benefit_points(Sneaky("Too short.")) == 0.0
    assert benefit_points(None) == 0.0  # type: ignore[arg-type]


def test_benefit_panel_updates_live() -> None:
    from course.lessons.customer import benefit_panel, benefit_text

    panel = benefit_panel("Too short.")
    assert "0.0 of 2 points" in panel.checklist.value
    panel.scratch.value = GOOD_REWRITE
    assert "2.0 of 2 points" in panel.checklist.value
    data = panel._repr_mimebundle_()
    if isinstance(data, tuple):
        data = data[0]
    assert data["text/plain"] == benefit_text(GOOD_REWRITE)
