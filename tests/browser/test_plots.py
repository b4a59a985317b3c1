"""Scenario 2: a module with plots draws them as PNG images in JupyterLab."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from coursemods import fill_answers, plot_module, start_workspace
from labui import Shot, hide_left_sidebar, notebook, open_notebook, run_all, scroll_into_view

if TYPE_CHECKING:
    from labserver import LabServer
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def test_plots_render_as_png_images(learner_page: Page, learner_lab: LabServer,
                                    learner_workspace: Path, shot: Shot) -> None:
    module = plot_module()
    if module is None:
        pytest.skip("no released module with plots yet (04-input-metrics, 05-launch-readiness)")
    path = start_workspace(module, learner_workspace)
    fill_answers(module, path)  # the plots that use the learner's functions need answers
    page = learner_page

    open_notebook(page, learner_lab, str(path.relative_to(learner_lab.root)))
    hide_left_sidebar(page)
    run_all(page)
    images = notebook(page).locator(".jp-OutputArea-output img[src^='data:image/png']")
    images.first.wait_for()
    sizes = images.evaluate_all(
        "imgs => imgs.map(i => i.complete ? [i.naturalWidth, i.naturalHeight] : [0, 0])")
    assert sizes and all(w > 100 and h > 100 for w, h in sizes), \
        f"every plot should be a decoded PNG of real size, got {sizes}"
    scroll_into_view(images.last, "center")
    shot(page, f"plot-{module.id}", readme="module-plot.png")
