"""Tests for ``course.widgets.review_panel`` (no widget frontend needed)."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytest.importorskip("ipywidgets")

from course.widgets import SCRATCH_NOTE, marked_html, review_panel  # noqa: E402

WEAK = "I worked on the offers service. It was significantly faster."
BETTER = (
    "I led the offers service rewrite and cut p99 latency from 900 ms to 120 ms. "
    "Six partner teams adopted the load-test library I wrote over two quarters, "
    "and the launch checklist is now used by the whole org."
)


def html_values(panel) -> str:
    return "\n".join(getattr(c, "value", "") for c in panel.children if hasattr(c, "value"))


def test_panel_highlights_spans_with_escaped_text() -> None:
    panel = review_panel(WEAK + " <b>&</b>", "summary")
    html = html_values(panel)
    assert "<mark" in html and 'title="weasel:' in html
    assert ">significantly</mark>" in html
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in html
    assert f"score {panel.review.score:.2f}" in html


def test_live_update_changes_score() -> None:
    panel = review_panel(WEAK, "summary")
    before = panel.review.score
    panel.scratchpad.value = BETTER
    assert panel.review.score > before
    assert panel.review.text == BETTER
    panel.button.click()
    assert panel.review.text == BETTER


def test_scratchpad_note_says_not_saved() -> None:
    panel = review_panel(WEAK, "summary")
    assert SCRATCH_NOTE in html_values(panel)
    assert "not saved" in SCRATCH_NOTE.lower() or "NOT saved" in SCRATCH_NOTE


def test_static_panel_has_no_scratchpad() -> None:
    panel = review_panel(WEAK, "summary", live=False)
    assert not hasattr(panel, "scratchpad")
    assert len(panel.children) == 3


def test_plain_text_repr_contains_report() -> None:
    panel = review_panel(WEAK, "summary", topic=["offers service"])
    bundle = panel._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert f"score {panel.review.score:.2f}" in data["text/plain"]
    assert "What to fix:" in data["text/plain"]
    assert "application/vnd.jupyter.widget-view+json" in data
    assert repr(panel).startswith("summary: score")


def test_marked_html_overlaps_are_safe() -> None:
    from course.prose import review

    out = marked_html(review("It was significantly better, very very fast.", "summary"))
    assert out.count("<mark") == out.count("</mark>")


def test_import_course_does_not_import_ipywidgets() -> None:
    code = "import sys, course, course.prose; print('ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_scratchpad_reviews_once_typing_pauses_not_per_keystroke(monkeypatch) -> None:
    import asyncio

    import course.widgets as widgets

    calls: list[str] = []
    real = widgets.review

    def counting(text, kind, **kw):
        calls.append(text)
        return real(text, kind, **kw)

    monkeypatch.setattr(widgets, "review", counting)
    panel = review_panel(WEAK, "summary", delay=0.05)
    assert calls == [WEAK]

    async def type_slowly_then_pause() -> None:
        for i in range(1, len(BETTER) + 1, 7):  # keystrokes, closer together than the delay
            panel.scratchpad.value = BETTER[:i]
            await asyncio.sleep(0.001)
        panel.scratchpad.value = BETTER
        assert calls == [WEAK]  # nothing reviewed while typing
        await asyncio.sleep(0.15)

    asyncio.run(type_slowly_then_pause())
    assert calls == [WEAK, BETTER]
    assert panel.review.text == BETTER

    async def type_then_press_check() -> None:
        panel.scratchpad.value = WEAK
        panel.button.click()  # the button reviews at once, and the pending review is dropped
        assert calls[-1] == WEAK
        await asyncio.sleep(0.15)

    asyncio.run(type_then_press_check())
    assert calls == [WEAK, BETTER, WEAK]


def test_review_panel_passes_rules_switched_off() -> None:
    panel = review_panel(WEAK, "summary", off=["weasel"], live=False)
    assert "weasel" not in {f.rule for f in panel.review.findings}
