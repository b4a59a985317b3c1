"""Drive JupyterLab 4 the way a learner does, waiting on its real state.

Every wait is on something JupyterLab shows: the status bar's kernel text, the
execution prompts of cells (``[*]`` while queued or running), the dirty mark on a
tab, dialogs, widget views. Nothing sleeps for a fixed time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from labserver import LabServer
    from playwright.sync_api import FrameLocator, Locator, Page

#: the ``shot`` fixture: ``shot(page, name, *, readme=None, full_page=False) -> Path``
Shot = Callable[..., Path]

KERNEL_IDLE = "Python 3 (ipykernel) | Idle"
#: generous, bounded waits (milliseconds); the machine may be busy with other work
KERNEL_TIMEOUT = 120_000
RUN_TIMEOUT = 180_000
UI_TIMEOUT = 30_000

_NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden)"
_SCORE = re.compile(r"score (\d+(?:\.\d+)?)")


def notebook(page: Page) -> Locator:
    """The notebook currently shown in the main area."""
    return page.locator(_NOTEBOOK)


def cell(page: Page, index: int) -> Locator:
    """Cell ``index`` (0-based, same order as in the ``.ipynb``) of the current notebook."""
    return notebook(page).locator(".jp-Notebook .jp-Cell").nth(index)


def wait_idle(page: Page, timeout: float = KERNEL_TIMEOUT) -> None:
    """Wait until the status bar says the notebook's kernel is idle.

    (The notebook toolbar's own idle indicator flips to idle too early during start-up;
    the status bar text is the reliable signal.)
    """
    page.locator("#jp-main-statusbar").get_by_text(KERNEL_IDLE, exact=True).wait_for(
        state="visible", timeout=timeout)


def open_notebook(page: Page, server: LabServer, path: str,
                  timeout: float = KERNEL_TIMEOUT) -> Locator:
    """Load JupyterLab with ``path`` (relative to the server root) open and its kernel idle."""
    page.goto(server.lab_url(path), wait_until="domcontentloaded", timeout=timeout)
    return wait_notebook_ready(page, Path(path).name, timeout)


def wait_notebook_ready(page: Page, name: str, timeout: float = KERNEL_TIMEOUT) -> Locator:
    """Wait for notebook ``name`` to be the current tab, rendered, with an idle kernel."""
    page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.jp-mod-current",
                 has_text=name).wait_for(timeout=timeout)
    panel = notebook(page)
    panel.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=timeout)
    wait_idle(page, timeout)
    return panel


def menu_command(page: Page, menu: str, command: str) -> None:
    """Click ``menu`` in the main menu bar, then its item running ``command``."""
    page.locator("#jp-MainMenu .lm-MenuBar-item", has_text=re.compile(f"^{menu}$")).click()
    page.locator(f".lm-Menu li[data-command='{command}']").click()


_WATCH_PROMPTS = """() => {
  const root = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook');
  window.__wbSawRunning = false;
  const check = () => {
    for (const p of root.querySelectorAll('.jp-InputPrompt')) {
      if (p.textContent.includes('*')) { window.__wbSawRunning = true; return; }
    }
  };
  if (window.__wbObserver) window.__wbObserver.disconnect();
  window.__wbObserver = new MutationObserver(check);
  window.__wbObserver.observe(root, {subtree: true, childList: true, characterData: true});
  check();
}"""

_RUN_FINISHED = """(complete) => {
  if (!window.__wbSawRunning) return false;
  const root = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook');
  const prompts = [...root.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
    .map(p => p.textContent.trim());
  if (prompts.some(t => t.includes('*'))) return false;
  return !complete || prompts.every(t => /\\[\\d+\\]/.test(t));
}"""


def run_all(page: Page, *, complete: bool = True, timeout: float = RUN_TIMEOUT) -> None:
    """Run > Run All Cells, then wait until no cell is queued or running and the kernel idles.

    With ``complete`` every code cell must have run (no error stopped the run).
    """
    page.evaluate(_WATCH_PROMPTS)
    menu_command(page, "Run", "runmenu:run-all")
    page.wait_for_function(_RUN_FINISHED, arg=complete, timeout=timeout)
    wait_idle(page, timeout)


def replace_line(page: Page, index: int, old: str, new: str) -> None:
    """In cell ``index``, select the editor line containing ``old`` and type ``new`` over it.

    Real key presses into CodeMirror, like a learner; ends back in command mode.
    """
    editor = cell(page, index).locator(".jp-InputArea-editor")
    line = editor.locator(".cm-line", has_text=old).first
    line.scroll_into_view_if_needed()
    line.click()
    page.keyboard.press("Home")
    page.keyboard.press("Shift+End")
    page.keyboard.type(new)
    editor.locator(".cm-line", has_text=new[:40]).first.wait_for(timeout=UI_TIMEOUT)
    page.keyboard.press("Escape")


def cell_text(page: Page, index: int) -> str:
    """The source of cell ``index`` as its editor shows it."""
    return cell(page, index).locator(".jp-InputArea-editor .cm-content").inner_text()


def current_tab(page: Page) -> Locator:
    """The current tab of the main dock panel."""
    return page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.jp-mod-current")


def save(page: Page) -> None:
    """Save with Ctrl+S and wait until the tab no longer shows unsaved changes."""
    notebook(page).locator(".jp-Notebook").focus()
    page.keyboard.press("Control+s")
    page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.jp-mod-current:not(.jp-mod-dirty)"
                 ).wait_for(timeout=UI_TIMEOUT)


_WATCH_STATUS = """() => {
  window.__wbStatus = [];
  const bar = document.querySelector('#jp-main-statusbar');
  if (window.__wbStatusObserver) window.__wbStatusObserver.disconnect();
  window.__wbStatusObserver = new MutationObserver(() => {
    for (const el of bar.querySelectorAll('.jp-StatusBar-TextItem')) {
      const t = el.textContent;
      if (t.includes(' | ') && window.__wbStatus[window.__wbStatus.length - 1] !== t) {
        window.__wbStatus.push(t);
      }
    }
  });
  window.__wbStatusObserver.observe(bar, {subtree: true, childList: true, characterData: true});
}"""

_RESTARTED = """(idle) => window.__wbStatus.some(t => !t.endsWith('| Idle'))
  && window.__wbStatus[window.__wbStatus.length - 1] === idle"""


def restart_kernel(page: Page, timeout: float = KERNEL_TIMEOUT) -> None:
    """Kernel > Restart Kernel..., confirm, and wait until the kernel went down and is idle."""
    page.evaluate(_WATCH_STATUS)
    menu_command(page, "Kernel", "kernelmenu:restart")
    page.locator(".jp-Dialog .jp-Dialog-button.jp-mod-accept").click()
    page.wait_for_function(_RESTARTED, arg=KERNEL_IDLE, timeout=timeout)
    wait_idle(page, timeout)


def close_current_tab(page: Page) -> None:
    """Close the current document tab with its close icon."""
    tab = current_tab(page)
    label = tab.locator(".lm-TabBar-tabLabel").inner_text()
    tab.locator(".lm-TabBar-tabCloseIcon").click()
    page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text=label).wait_for(
        state="detached", timeout=UI_TIMEOUT)


def open_from_file_browser(page: Page, name: str, timeout: float = KERNEL_TIMEOUT) -> Locator:
    """Double-click ``name`` in the file browser's current folder and wait until it is ready."""
    item = page.locator(".jp-DirListing-content .jp-DirListing-item", has_text=name).first
    item.dblclick()
    return wait_notebook_ready(page, name, timeout)


def output_widget(page: Page, index: int, timeout: float = 2 * UI_TIMEOUT) -> Locator:
    """The rendered ipywidgets view in cell ``index``'s output (waits for it)."""
    view = cell(page, index).locator(".jp-OutputArea-output .jupyter-widgets").first
    view.wait_for(timeout=timeout)
    return view


def panel_score(panel: Locator) -> float:
    """The score a ``review_panel`` shows (``score 0.42`` next to its bar)."""
    match = _SCORE.search(panel.inner_text())
    assert match, f"no score in the feedback panel: {panel.inner_text()[:300]!r}"
    return float(match.group(1))


def wait_score(panel: Locator, *, above: float | None = None, below: float | None = None,
               timeout: float = 2 * UI_TIMEOUT) -> float:
    """Wait until the panel's score is strictly above ``above`` and/or below ``below``."""
    panel.page.wait_for_function(
        """([el, lo, hi]) => {
             const m = /score (\\d+(?:\\.\\d+)?)/.exec(el.innerText);
             if (!m) return false;
             const s = parseFloat(m[1]);
             return (lo === null || s > lo) && (hi === null || s < hi);
           }""",
        arg=[panel.element_handle(), above, below], timeout=timeout)
    return panel_score(panel)


def formgrader_frame(page: Page) -> FrameLocator:
    """The formgrader's iframe inside its JupyterLab tab."""
    return page.frame_locator(".lm-DockPanel iframe").first


def hide_left_sidebar(page: Page) -> None:
    """Collapse the left sidebar (click its open tab), leaving more room for the notebook."""
    panel = page.locator("#jp-left-stack")
    if panel.is_visible():
        page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current").click()
        panel.wait_for(state="hidden")


def scroll_into_view(locator: Locator, block: str = "start") -> None:
    """Scroll the notebook so ``locator`` sits at ``block`` (start/center) of the view.

    Waits two animation frames, so a screenshot taken next shows the scrolled page.
    """
    locator.evaluate("(el, block) => el.scrollIntoView({block})", block)
    locator.page.evaluate(
        "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
