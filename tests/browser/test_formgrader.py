"""Scenario 5: the instructor's formgrader shows the graded submissions of a module."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from gradingws import NAMES, Grading
from labui import (
    KERNEL_TIMEOUT,
    UI_TIMEOUT,
    Shot,
    formgrader_frame,
    hide_left_sidebar,
    menu_command,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def test_formgrader_lists_the_graded_submissions(grader_page: Page, grading: Grading,
                                                 shot: Shot) -> None:
    page = grader_page
    page.goto(grading.server.lab_url(), wait_until="domcontentloaded")
    # JupyterLab serves the grading workspace: its file browser lists the gradebook
    page.locator(".jp-DirListing-content .jp-DirListing-item", has_text="gradebook.db").wait_for(
        timeout=KERNEL_TIMEOUT)
    hide_left_sidebar(page)

    # Nbgrader > Formgrader, as an instructor opens it
    menu_command(page, "Nbgrader", "nbgrader:open-formgrader")
    frame = formgrader_frame(page)
    row = frame.locator("tr", has_text=grading.module.id)
    row.locator("td.num-submissions", has_text=str(len(grading.learners))).wait_for(
        timeout=UI_TIMEOUT)
    shot(page, "formgrader-1-assignments")

    # the submissions of the module: every learner, autograded, with a score
    row.locator("td.num-submissions a").click()
    for learner in grading.learners:
        frame.locator("td.student-id", has_text=learner).wait_for()
        first, last = NAMES[learner]
        assert frame.locator("td.student-name", has_text=f"{last}, {first}").count() == 1
    scores = frame.locator("td.score").all_inner_texts()
    assert len(scores) == len(grading.learners), scores
    assert all("/" in s for s in scores), f"every submission should show a score: {scores}"
    assert frame.locator("td.status", has_text="needs autograding").count() == 0
    shot(page, "formgrader-2-submissions", readme="formgrader-submissions.png")
