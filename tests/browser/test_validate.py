"""Scenario 3: nbgrader's Validate button passes a completed exercise and fails a blank one."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from coursemods import fill_answers, graded_module, start_workspace
from labui import RUN_TIMEOUT, Shot, open_notebook

if TYPE_CHECKING:
    from labserver import LabServer
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def _validate(page: Page) -> None:
    """Press the notebook toolbar's Validate button (nbgrader's JupyterLab extension)."""
    page.locator(".jp-NotebookPanel-toolbar jp-button.validate-button").click()


@pytest.mark.parametrize("state", ["completed", "blank"])
def test_validate_button(state: str, learner_page: Page, learner_lab: LabServer,
                         learner_workspace: Path, shot: Shot) -> None:
    module = graded_module()
    path = start_workspace(module, learner_workspace)
    if state == "completed":
        fill_answers(module, path)
    page = learner_page
    open_notebook(page, learner_lab, str(path.relative_to(learner_lab.root)))

    _validate(page)
    if state == "completed":
        dialog = page.locator(".nbgrader-SuccessDialog")
        dialog.wait_for(timeout=RUN_TIMEOUT)
        assert page.locator(".nbgrader-ErrorDialog").count() == 0
        assert "Success" in dialog.inner_text(), dialog.inner_text()
    else:
        dialog = page.locator(".nbgrader-ErrorDialog")
        dialog.wait_for(timeout=RUN_TIMEOUT)
        dialog.locator(".validation-failed").first.wait_for()
        text = dialog.inner_text()
        assert "NotImplementedError" in text or "failed" in text.lower(), text
    shot(page, f"validate-{state}")
    dialog.locator("button.jp-Dialog-button").first.click()
    dialog.wait_for(state="detached")
