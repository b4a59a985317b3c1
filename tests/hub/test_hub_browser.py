"""A learner in Chromium: the hub's login page, the Assignments tab, the feedback widget, submit.

The fourth learner of the cohort logs in with their Unix password on the hub's own login
page (PAM); the hub spawns their JupyterLab. They open nbgrader's Assignments tab, fetch
module 08, open its notebook from the list, run the setup cell, type a draft into the
answer cell and run the live feedback panel; typing a better version into the panel's
scratchpad raises its score. They save and submit from the Assignments tab, and the
submission in the exchange holds what they typed.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from flow import MODULE, STRONG, answer_index, answer_text_line
from hubctl import REPO, HubRun

sys.path.insert(0, str(REPO / "tests" / "browser"))
from labui import (  # noqa: E402
    KERNEL_TIMEOUT,
    UI_TIMEOUT,
    cell,
    output_widget,
    panel_score,
    replace_line,
    save,
    wait_idle,
    wait_notebook_ready,
    wait_score,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.hub, pytest.mark.browser]

CHROMIUM = Path("/usr/bin/chromium")
DRAFT = "I organised dry runs with partner teams and ran lots of meetings."
#: JupyterLab settings that keep pop-ups away from a robot (as tests/browser does)
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false",
                                                    "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
}


@pytest.fixture(scope="module")
def page(hub: HubRun, artifacts: Path) -> Iterator[Page]:
    if not (CHROMIUM.exists() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure_system_deps.sh", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update"])
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        context.set_default_timeout(UI_TIMEOUT)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        try:
            yield page
        except Exception:
            raise
        finally:
            try:
                page.screenshot(path=str(artifacts / "browser-last.png"))
            except Exception:  # noqa: BLE001  (a crashed page must not hide the failure)
                pass
            if errors:
                print(f"page errors: {errors}")
            context.close()
            browser.close()


def _seed_lab_settings(learner: str) -> None:
    """What a learner's JupyterLab settings would hold: no news toast, every cell in the DOM."""
    import pwd

    entry = pwd.getpwnam(learner)
    base = Path(entry.pw_dir) / ".jupyter" / "lab" / "user-settings"
    for name, values in LAB_SETTINGS.items():
        path = base / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    for folder in [Path(entry.pw_dir) / ".jupyter", *Path(entry.pw_dir, ".jupyter").rglob("*")]:
        os.chown(folder, entry.pw_uid, entry.pw_gid)


def _run_cell(page: Page, index: int) -> None:
    """Select cell ``index``, Shift+Enter, and wait until it has run and the kernel idles."""
    target = cell(page, index)
    target.locator(".jp-InputPrompt").first.click()
    page.keyboard.press("Escape")
    before = target.locator(".jp-InputPrompt").first.inner_text()
    page.keyboard.press("Shift+Enter")
    page.wait_for_function(
        """([el, before]) => { const t = el.innerText.trim();
             return /\\[\\d+\\]/.test(t) && t !== before.trim(); }""",
        arg=[target.locator(".jp-InputPrompt").first.element_handle(), before],
        timeout=KERNEL_TIMEOUT)
    wait_idle(page)


def _list_rows(page: Page, name: str):
    return page.locator(f"#{name}_assignments_list > .list_item",
                        has=page.locator(".item_name", has_text=MODULE))


def test_learner_logs_in_fetches_sees_feedback_and_submits(hub: HubRun, page: Page,
                                                           artifacts: Path) -> None:
    learner = hub.settings.learners[3]
    _seed_lab_settings(learner)
    released = Path(hub.settings.exchange) / hub.settings.course / "outbound" / MODULE
    notebook = sorted(released.glob("*.ipynb"))[0]
    cells = json.loads(notebook.read_text())["cells"]
    setup = next(i for i, c in enumerate(cells) if c["cell_type"] == "code")
    answer = answer_index(cells)
    panel = next(i for i in range(answer + 1, len(cells))
                 if "review_panel(" in "".join(cells[i]["source"]))
    # the exercise's facts cell (written by release) defines what the panel compares with
    context = [i for i in range(setup + 1, answer)
               if cells[i].get("metadata", {}).get("wbcourse", {}).get("context")]

    # 1. the hub's login page, with the learner's Unix password
    page.goto(f"{hub.base}/hub/login", wait_until="domcontentloaded")
    page.locator("#username_input").fill(learner)
    page.locator("#password_input").fill(hub.passwords[learner])
    page.screenshot(path=str(artifacts / "browser-1-login.png"))
    page.locator("#login_submit").click()
    page.wait_for_url(re.compile(rf"/user/{learner}/lab"), timeout=KERNEL_TIMEOUT * 2)
    page.locator("#jp-main-dock-panel").wait_for(timeout=KERNEL_TIMEOUT)

    # 2. nbgrader's Assignments tab lists module 08 as released: fetch it
    page.locator("#jp-MainMenu .lm-MenuBar-item", has_text=re.compile("^Nbgrader$")).click()
    page.locator("li[data-command='nbgrader:open-assignment-list']").click()
    released_row = _list_rows(page, "released")
    released_row.wait_for(timeout=KERNEL_TIMEOUT)
    page.screenshot(path=str(artifacts / "browser-2-assignments.png"))
    released_row.locator(".item_status button").click()
    fetched_row = _list_rows(page, "fetched")
    fetched_row.wait_for(timeout=KERNEL_TIMEOUT)

    # 3. open the notebook from the list
    fetched_row.locator(".item_name a", has_text=MODULE).click()  # unfolds its notebooks
    link = page.locator("#fetched_assignments_list .collapse.in .item_name a",
                        has_text=re.compile(f"^{re.escape(notebook.stem)}$"))
    link.click()
    wait_notebook_ready(page, notebook.name)

    # 4. run the setup and the facts cell, write a draft, run the live feedback panel
    _run_cell(page, setup)
    for i in context:
        _run_cell(page, i)
    replace_line(page, answer, answer_text_line(cells), DRAFT)
    _run_cell(page, answer)
    _run_cell(page, panel)
    widget = output_widget(page, panel)
    first = panel_score(widget)
    assert widget.locator("ol li").count() >= 1, "a weak draft should get findings"
    page.screenshot(path=str(artifacts / "browser-3-feedback.png"))

    # 5. the panel updates as the learner edits the scratchpad
    widget.locator("textarea").fill(STRONG)
    better = wait_score(widget, above=first)
    assert better > first
    page.screenshot(path=str(artifacts / "browser-4-feedback-updated.png"))

    # 6. save, then submit from the Assignments tab
    save(page)
    page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text="Assignments").click()
    fetched_row = _list_rows(page, "fetched")
    fetched_row.locator(".item_status button", has_text="Submit").click()
    submitted = _list_rows(page, "submitted")
    submitted.wait_for(timeout=KERNEL_TIMEOUT)
    page.screenshot(path=str(artifacts / "browser-5-submitted.png"))

    box = Path(hub.settings.exchange) / hub.settings.course / "inbound"
    mine = [p for p in box.iterdir() if p.name.startswith(f"{learner}+{MODULE}+")]
    assert len(mine) == 1, [p.name for p in box.iterdir()]
    handed_in = json.loads(next(mine[0].glob("*.ipynb")).read_text())
    assert DRAFT in "".join(handed_in["cells"][answer]["source"]), \
        "the submission should hold the draft typed in the browser"
