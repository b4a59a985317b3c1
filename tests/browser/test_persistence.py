"""Scenario 4: what a learner types survives saving, a kernel restart, closing and reopening."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from coursemods import PLACEHOLDER, graded_module, notebook_sources, start_workspace
from labui import (
    Shot,
    cell_text,
    close_current_tab,
    open_from_file_browser,
    open_notebook,
    replace_line,
    restart_kernel,
    save,
)

if TYPE_CHECKING:
    from labserver import LabServer
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

TEXT = "Since March 2024 the on-call pages of 3 partner teams fell from 30 to 4 a month."


def test_answer_survives_save_restart_close_and_reopen(
        learner_page: Page, learner_lab: LabServer, learner_workspace: Path, shot: Shot) -> None:
    module = graded_module()
    path = start_workspace(module, learner_workspace)
    index = next(i for i, src in enumerate(notebook_sources(path)) if PLACEHOLDER in src)
    page = learner_page
    open_notebook(page, learner_lab, str(path.relative_to(learner_lab.root)))

    replace_line(page, index, PLACEHOLDER, TEXT)
    save(page)
    assert TEXT in notebook_sources(path)[index], "Ctrl+S should write the answer to disk"

    restart_kernel(page)
    close_current_tab(page)
    open_from_file_browser(page, path.name)
    assert TEXT in cell_text(page, index), "the reopened notebook lost the learner's answer"
    assert PLACEHOLDER not in cell_text(page, index)
    shot(page, "persistence-reopened")
    assert TEXT in notebook_sources(path)[index]
