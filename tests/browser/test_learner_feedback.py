"""Scenario 1: a learner runs the flagship module and the feedback panel reacts to drafts."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from coursemods import (
    PLACEHOLDER,
    STRONG_SUMMARY,
    fill_answers,
    flagship,
    prose_answer,
    prose_grade_ids,
    start_workspace,
)
from labui import (
    Shot,
    cell,
    hide_left_sidebar,
    open_notebook,
    output_widget,
    panel_score,
    replace_line,
    run_all,
    scroll_into_view,
    wait_score,
)

if TYPE_CHECKING:
    from labserver import LabServer
    from playwright.sync_api import Locator, Page

pytestmark = pytest.mark.browser

#: activity-only draft with vague words the summary checks flag
WEAK = ("I organised dry runs with partner teams and ran lots of meetings. It was a lot of "
        "work, but the launch went really smoothly and everyone was very happy.")
WEAK_WORDS = {"lots of", "a lot of", "really", "very"}
#: the same work told as cross-team impact (one line: typed into CodeMirror as is)
STRONG = STRONG_SUMMARY


def _marks(panel: Locator) -> list[str]:
    return [t.strip().lower() for t in panel.locator("mark").all_inner_texts()]


def test_feedback_panel_highlights_weak_draft_and_score_rises(
        learner_page: Page, learner_lab: LabServer, learner_workspace: Path, shot: Shot) -> None:
    module = flagship()
    if module is None:
        pytest.skip("08-cross-team-impact is not released yet (exercises/ lacks it)")
    answer = prose_answer(module)
    assert answer is not None, f"{module.id} has no prose answer followed by review_panel()"
    notebook = start_workspace(module, learner_workspace)
    # a learner who has done the earlier exercises and now reaches the written one
    fill_answers(module, notebook, blank=prose_grade_ids(module))
    page = learner_page

    open_notebook(page, learner_lab, str(notebook.relative_to(learner_lab.root)))
    hide_left_sidebar(page)
    run_all(page)
    panel = output_widget(page, answer.panel_index)
    assert panel.locator("textarea").count() == 1, "the live panel should offer a scratchpad"
    placeholder_score = panel_score(panel)
    assert panel.locator("ol li").count() >= 1, "the placeholder answer should get findings"

    # 1. write a weak draft into the answer cell and run again: specific words get marked
    replace_line(page, answer.answer_index, PLACEHOLDER, WEAK)
    run_all(page)
    panel = output_widget(page, answer.panel_index)
    marked = _marks(panel)
    assert WEAK_WORDS & set(marked), f"expected vague words marked in the draft, got {marked}"
    assert all(m.get_attribute("title") for m in panel.locator("mark").all()), \
        "every mark should explain itself in a tooltip"
    findings = panel.locator("ol li").all_inner_texts()
    assert any("weasel" in f for f in findings), f"no weasel-word finding listed: {findings}"
    weak_score = panel_score(panel)
    assert weak_score < 0.4, f"a weak draft should score low, got {weak_score}"
    scroll_into_view(cell(page, answer.answer_index))  # the draft above its feedback
    shot(page, "feedback-1-weak-draft", readme="module-feedback.png")

    # 2. the scratchpad re-checks every edit live, without running a cell
    pad = panel.locator("textarea")
    pad.fill(STRONG)
    live_score = wait_score(panel, above=weak_score)
    assert not WEAK_WORDS & set(_marks(panel)), "marks of the old draft should be gone"
    scroll_into_view(panel, "center")
    shot(page, "feedback-2-scratchpad-strong")

    # 3. put the better version into the answer cell and re-run: the score rises there too
    replace_line(page, answer.answer_index, WEAK[:40], STRONG)
    run_all(page)
    panel = output_widget(page, answer.panel_index)
    strong_score = panel_score(panel)
    assert strong_score > weak_score >= placeholder_score
    assert strong_score >= 0.7, f"the strong rewrite should score well, got {strong_score}"
    assert abs(strong_score - live_score) < 1e-9, "cell and scratchpad should agree"
    scroll_into_view(cell(page, answer.answer_index))
    shot(page, "feedback-3-strong-answer")
