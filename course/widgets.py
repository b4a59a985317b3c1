"""Notebook widgets. ipywidgets is imported inside the functions, never at ``import course``.

``review_panel(draft, "summary")`` shows the prose review of a written answer:
the text with flagged spans highlighted, what to fix first, and the score as a
bar.  Where no widget frontend exists (autograding, nbconvert) the panel's
plain-text representation is the full text report, so nothing is lost.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Any

from course.prose import Review, render_text, review

REVIEW_DELAY = 0.3  # seconds of no typing before the scratchpad is reviewed again
SCRATCH_NOTE = (
    "Scratchpad: edit here to see the feedback change. It is NOT saved or graded; "
    "paste your final answer into the answer cell."
)
_COLOURS = {"error": "#f8c4c4", "warning": "#fde59a", "info": "#cfe3fb"}


def marked_html(result: Review) -> str:
    """The reviewed text as HTML with each flagged span in ``<mark title="...">``.

    >>> from course.prose import review
    >>> "<mark" in marked_html(review("It is very fast.", "summary"))
    True
    """
    text = result.text
    spans = sorted((f for f in result.findings if f.end > f.start), key=lambda f: (f.start, -f.end))
    out: list[str] = []
    pos = 0
    for f in spans:
        if f.start < pos:
            continue  # overlaps a span already marked; it is still in the list below
        out.append(html.escape(text[pos : f.start]))
        title = html.escape(f"{f.rule}: {f.message}", quote=True)
        colour = _COLOURS.get(f.severity, "#fde59a")
        out.append(
            f'<mark title="{title}" style="background:{colour}">'
            f"{html.escape(text[f.start : f.end])}</mark>"
        )
        pos = f.end
    out.append(html.escape(text[pos:]))
    return (
        '<div style="white-space:pre-wrap;font-family:inherit;line-height:1.5;'
        'border:1px solid #ddd;padding:8px;border-radius:4px">' + "".join(out) + "</div>"
    )


def score_html(result: Review) -> str:
    """The score as a coloured bar with its number (and, when the exercise gives facts,
    how the answer's numbers compare with them)."""
    from course.prose.render import facts_line

    pct = int(round(result.score * 100))
    colour = "#c0392b" if result.score < 0.4 else "#d68910" if result.score < 0.7 else "#1e8449"
    facts = facts_line(result)
    return (
        f'<div style="display:flex;align-items:center;gap:8px">'
        f"<b>{html.escape(result.kind)}</b>"
        f'<div style="width:200px;height:12px;background:#eee;border-radius:6px">'
        f'<div style="width:{pct}%;height:12px;background:{colour};border-radius:6px"></div>'
        f"</div><span>score {result.score:.2f}</span></div>"
        + (f"<div><small>{html.escape(facts)}</small></div>" if facts else "")
    )


def findings_html(result: Review, top: int = 6) -> str:
    """A short ordered list of what to fix first (errors, then warnings, then info)."""
    order = {"error": 0, "warning": 1, "info": 2}
    ranked = sorted(result.findings, key=lambda f: order.get(f.severity, 3))[:top]
    if not ranked:
        return "<p>Nothing to fix.</p>"
    items = "".join(
        f"<li><b>{html.escape(f.rule)}</b>: {html.escape(f.message)}"
        + (f" <i>({html.escape(result.text[f.start : f.end][:60])})</i>" if f.end > f.start else "")
        + "</li>"
        for f in ranked
    )
    more = len(result.findings) - len(ranked)
    tail = f"<p>... and {more} more (see the marks above).</p>" if more > 0 else ""
    return f"<p><b>What to fix first</b></p><ol>{items}</ol>{tail}"


def with_plain_text(bundle: Any, text: str) -> Any:
    """``bundle`` (what ``_repr_mimebundle_`` returns: a mime bundle or a ``(data,
    metadata)`` pair) with its ``text/plain`` view replaced by ``text``.

    Frontends without a widget manager (nbconvert, nbgrader, a terminal) show that
    view, so a widget stays readable where it cannot be drawn.

    >>> with_plain_text({"text/html": "<b>x</b>"}, "x")
    {'text/html': '<b>x</b>', 'text/plain': 'x'}
    >>> with_plain_text(({"text/plain": "VBox()"}, {"m": 1}), "x")
    ({'text/plain': 'x'}, {'m': 1})
    >>> with_plain_text(None, "x")
    {'text/plain': 'x'}
    """
    if isinstance(bundle, tuple):
        data, meta = bundle
        return {**data, "text/plain": text}, meta
    if isinstance(bundle, dict):
        return {**bundle, "text/plain": text}
    return {"text/plain": text}


class Debounce:
    """Call ``fn(value)`` once the calls pause for ``delay`` seconds, with the last value.

    Typing in a scratchpad changes its value at every keystroke; the review runs once
    the learner stops typing (or at :meth:`flush`, e.g. from a button).  Without a
    running event loop (a script, a test) each call runs ``fn`` at once.

    >>> seen = []
    >>> d = Debounce(seen.append, 0.3)
    >>> d("a"); d("ab"); seen
    ['a', 'ab']
    >>> import asyncio
    >>> async def typing():
    ...     for v in ("x", "xy", "xyz"):
    ...         d(v)
    ...     await asyncio.sleep(0.4)
    >>> asyncio.run(typing()); seen
    ['a', 'ab', 'xyz']
    """

    def __init__(self, fn: Any, delay: float) -> None:
        self.fn = fn
        self.delay = delay
        self._timer: Any = None
        self._pending: tuple[Any] | None = None

    def __call__(self, value: Any) -> None:
        import asyncio

        self._pending = (value,)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (not in a kernel): no keystrokes to wait for
            self.flush()
            return
        self._timer = loop.call_later(self.delay, self.flush)

    def cancel(self) -> None:
        """Drop the pending call."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._pending = None

    def flush(self) -> None:
        """Run the pending call now (if any)."""
        pending = self._pending
        self.cancel()
        if pending is not None:
            self.fn(pending[0])


def review_panel(
    text: str,
    kind: str,
    *,
    topic: Iterable[str] | None = None,
    context: Mapping[str, Any] | None = None,
    live: bool = True,
    off: Iterable[str] = (),
    delay: float = REVIEW_DELAY,
) -> Any:
    """A widget showing the review of ``text``; with ``live`` a scratchpad re-checks edits
    once typing pauses for ``delay`` seconds, or at once with its "Check again" button.

    The returned box has a ``review`` attribute (the current :class:`Review`) and a
    plain-text representation equal to :func:`course.prose.render_text`.  ``topic``,
    ``context`` (the exercise's facts and key terms, as its notebook gives them: see
    :mod:`course.context`) and ``off`` (rules switched off) are passed to
    :func:`course.prose.review`, so the panel shows the findings the grader will see:
    "'8 other teams' is not in the facts: they say 5 other teams".
    """
    import ipywidgets as w

    topic_list = list(topic) if topic is not None else None
    off_list = tuple(off)

    class ReviewPanel(w.VBox):  # type: ignore[misc]
        """VBox whose plain-text repr is the text report (for frontends without widgets)."""

        review: Review

        def _repr_mimebundle_(self, **kwargs: Any) -> Any:
            bundle = super()._repr_mimebundle_(**kwargs)
            return with_plain_text(bundle, render_text(self.review))

        def __repr__(self) -> str:
            return render_text(self.review)

    score = w.HTML()
    marked = w.HTML()
    todo = w.HTML()
    panel = ReviewPanel()
    children: list[Any] = [score, marked, todo]

    def show(current: str) -> None:
        result = review(current, kind, topic=topic_list, context=context, off=off_list)
        panel.review = result
        score.value = score_html(result)
        marked.value = marked_html(result)
        todo.value = findings_html(result)

    show(text)
    if live:
        pad = w.Textarea(
            value=text,
            description="",
            layout=w.Layout(width="100%", height="160px"),
            continuous_update=True,
        )
        note = w.HTML(f"<small><i>{html.escape(SCRATCH_NOTE)}</i></small>")
        button = w.Button(description="Check again", icon="refresh")
        later = Debounce(show, delay)
        pad.observe(lambda change: later(change["new"]), names="value")

        def check_now(_button: Any) -> None:
            later.cancel()
            show(pad.value)

        button.on_click(check_now)
        children += [note, pad, button]
        panel.scratchpad = pad
        panel.button = button
        panel.pending = later
    panel.children = tuple(children)
    return panel
