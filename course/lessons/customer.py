"""Customer-first helpers for modules 1-3: the five customer questions, the sections
of a working-backwards press release, and a widget that lets a learner put the
sections in order and check the result.

>>> [key for key, _ in FIVE_QUESTIONS]
['who', 'problem', 'benefit', 'evidence', 'experience']
>>> section_keys()[0], section_keys()[-1]
('headline', 'call_to_action')
>>> order_feedback(["headline", "summary", "subheading"])
[True, False, False]
>>> order_summary(order_feedback(section_keys()))
'9 of 9 sections in the right place'

:func:`section_sorter` builds the ipywidgets panel (ipywidgets is imported only
inside it, so ``import course.lessons.customer`` stays cheap). Without a widget frontend
it shows as plain text: the shuffled sections and what to do with them.

:func:`benefit_checks` is the checklist for module 1's rewrite of an engineering
announcement as a customer benefit: a short text, too short for the full
press-release checks of :mod:`course.prose`, but built on the same signals.

>>> [c.passed for c in benefit_checks("We migrated the offers service to a new "
...     "event-driven architecture with a 40% smaller p99.")]
[False, False, False, True, False]
"""

from __future__ import annotations

import html
import random
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, NamedTuple

__all__ = [
    "BenefitCheck",
    "FIVE_QUESTIONS",
    "PRESS_RELEASE_SECTIONS",
    "Section",
    "benefit_checks",
    "benefit_panel",
    "benefit_points",
    "order_feedback",
    "order_summary",
    "section_keys",
    "section_sorter",
    "sorter_text",
]

#: The five customer questions, each with a short key used in exercises.
FIVE_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("who", "Who is the customer?"),
    ("problem", "What is the customer problem or opportunity?"),
    ("benefit", "What is the most important customer benefit?"),
    ("evidence", "How do you know what the customer needs or wants?"),
    ("experience", "What does the customer experience look like?"),
)


class Section(NamedTuple):
    """One section of a press release: key (as in ``course.prose``), name, purpose."""

    key: str
    name: str
    purpose: str


#: The sections of a working-backwards press release, in reading order.
PRESS_RELEASE_SECTIONS: tuple[Section, ...] = (
    Section("headline", "Heading", "Names the product in words the customer would use."),
    Section(
        "subheading",
        "Sub-heading",
        "One sentence: who it is for and what they gain.",
    ),
    Section(
        "summary",
        "Summary",
        "Opens with a city and date line and tells the whole story in brief; "
        "many readers stop here.",
    ),
    Section("problem", "Problem", "The problem as the customer feels it today."),
    Section("solution", "Solution", "How the product removes that problem."),
    Section(
        "leader_quote",
        "Quote from a company leader",
        "Why the company built it, in a spokesperson's voice.",
    ),
    Section(
        "getting_started",
        "How to get started",
        "The first steps a customer takes; shows it is easy to begin.",
    ),
    Section(
        "customer_quote",
        "Customer quote",
        "A believable customer describing the benefit they got.",
    ),
    Section(
        "call_to_action",
        "Closing and call to action",
        "Where to go next and what to do there.",
    ),
)


def section_keys() -> tuple[str, ...]:
    """The section keys in reading order.

    >>> len(section_keys())
    9
    """
    return tuple(section.key for section in PRESS_RELEASE_SECTIONS)


def order_feedback(order: Sequence[str]) -> list[bool]:
    """For each position of ``order``, whether it holds the section that belongs there.

    ``order`` lists section keys (see :func:`section_keys`); a shorter list is
    checked as far as it goes.

    >>> order_feedback(["headline", "subheading", "problem"])
    [True, True, False]
    >>> order_feedback([])
    []
    """
    keys = section_keys()
    if len(order) > len(keys):
        raise ValueError(f"{len(order)} sections given; a press release has {len(keys)}")
    return [given == keys[i] for i, given in enumerate(order)]


def order_summary(results: Sequence[bool]) -> str:
    """Summarise :func:`order_feedback` as ``"k of n sections in the right place"``.

    >>> order_summary([True, False, True])
    '2 of 3 sections in the right place'
    """
    return f"{sum(bool(r) for r in results)} of {len(results)} sections in the right place"


def _shuffled(seed: int) -> list[str]:
    """The section keys in a shuffled order that is never already correct."""
    keys = list(section_keys())
    rng = random.Random(seed)
    order = keys[:]
    while order == keys:
        rng.shuffle(order)
    return order


def sorter_text(order: Sequence[str]) -> str:
    """Plain-text view of the sorter: the sections in their current order.

    >>> print(sorter_text(["summary", "headline"]).splitlines()[1])
    1. Summary
    """
    names = {section.key: section.name for section in PRESS_RELEASE_SECTIONS}
    lines = ["Put the press-release sections in reading order (self-check, not graded):"]
    lines += [f"{i}. {names[key]}" for i, key in enumerate(order, start=1)]
    return "\n".join(lines)


_CORRECT = "#1b7837"
_WRONG = "#b2182b"


@lru_cache(maxsize=1)
def _sorter_class() -> type:
    """The widget class, built on first use so ipywidgets is imported lazily."""
    import ipywidgets as widgets

    from course.widgets import with_plain_text

    class SectionSorter(widgets.VBox):
        """A VBox whose plain-text view lists the sections (for headless runs)."""

        def _repr_mimebundle_(self, **kwargs: Any) -> Any:
            bundle = super()._repr_mimebundle_(**kwargs)
            return with_plain_text(bundle, sorter_text(self.order))

        def move(self, index: int, step: int) -> None:
            """Swap the section at ``index`` with its neighbour ``step`` away (-1 or +1)."""
            other = index + step
            if 0 <= other < len(self.order):
                self.order[index], self.order[other] = self.order[other], self.order[index]
                self.results = []
                self.render()

        def check(self) -> list[bool]:
            """Mark every position and update the summary (what the Check button does)."""
            self.results = order_feedback(self.order)
            self.render()
            done = all(self.results)
            tail = " Well done." if done else " Move the red ones and check again."
            self.summary.value = f"<b>{order_summary(self.results)}</b>.{tail}"
            return self.results

        def render(self) -> None:
            """Redraw the rows for the current order and the last check."""
            sections = {section.key: section for section in PRESS_RELEASE_SECTIONS}
            for i, (label, key) in enumerate(zip(self.labels, self.order, strict=True)):
                section = sections[key]
                text = f"<b>{i + 1}.</b> {html.escape(section.name)}"
                if self.results:
                    if self.results[i]:
                        text += (
                            f' <span style="color:{_CORRECT}">&#10004; '
                            f"{html.escape(section.purpose)}</span>"
                        )
                    else:
                        text += f' <span style="color:{_WRONG}">&#10008; not here</span>'
                label.value = text
            if not self.results:
                self.summary.value = "<i>Use the arrows, then press Check.</i>"

    return SectionSorter


def section_sorter(*, seed: int = 7) -> Any:
    """Build a widget listing the press-release sections in a shuffled order.

    Each row has up and down arrows; **Check** marks each position right or wrong
    and shows what the section is for once it is in place. Nothing is graded.
    The returned widget exposes ``order`` (current keys), ``move(i, step)``,
    ``check()``, ``check_button``, ``summary`` and ``results``, so tests can drive it.

    >>> sorter = section_sorter(seed=1)
    >>> sorter.order = list(section_keys())
    >>> sorter.check_button.click()
    >>> sorter.results == [True] * 9
    True
    """
    import ipywidgets as widgets

    cls = _sorter_class()
    order = _shuffled(seed)
    labels = []
    rows = []
    sorter = cls()
    for i in range(len(order)):
        label = widgets.HTML("", layout=widgets.Layout(width="100%"))
        up = widgets.Button(icon="arrow-up", tooltip="Move up", layout=widgets.Layout(width="36px"))
        down = widgets.Button(
            icon="arrow-down", tooltip="Move down", layout=widgets.Layout(width="36px")
        )
        up.on_click(lambda _b, i=i: sorter.move(i, -1))
        down.on_click(lambda _b, i=i: sorter.move(i, +1))
        labels.append(label)
        rows.append(widgets.HBox([up, down, label]))
    check_button = widgets.Button(description="Check", button_style="primary", icon="check")
    summary = widgets.HTML("")
    sorter.order = order
    sorter.labels = labels
    sorter.results = []
    sorter.check_button = check_button
    sorter.summary = summary
    check_button.on_click(lambda _button: sorter.check())
    sorter.children = [*rows, widgets.HBox([check_button, summary])]
    sorter.render()
    return sorter


class BenefitCheck(NamedTuple):
    """One item of the customer-benefit checklist."""

    name: str
    passed: bool
    advice: str


MIN_BENEFIT_WORDS = 25
MAX_BENEFIT_WORDS = 150


def benefit_checks(text: str) -> list[BenefitCheck]:
    """Check a short customer-benefit rewrite; five items, the first a gate.

    The items are the components of the ``benefit`` kind of :mod:`course.prose`
    (``course/prose/rules/benefit.toml``), so the grader scores exactly this list:

    1. *complete sentences* (at least two, mostly real sentences with verbs);
    2. *speaks to the customer* (customer words such as "you" or "customers", and
       the topic: prices, titles, renting, buying);
    3. *leaves the engineering out* (no architecture, percentiles or service names);
    4. *gives a number* the customer can check;
    5. *reads easily* (25-150 words, sentences under 30 words, no weasel words,
       data instead of vague adjectives, acronyms defined).

    >>> good = ("Start watching a title you rent within 5 seconds. Rentals used to take "
    ...         "up to 20 seconds to start on a TV; now 9 in 10 start in under 5 seconds. "
    ...         "You pay the same price, and your rental still lasts 48 hours.")
    >>> all(c.passed for c in benefit_checks(good))
    True
    >>> benefit_checks("price rent buy title 60 you")[0].passed
    False
    """
    from course.prose import review

    text = str.__str__(text) if isinstance(text, str) else ""
    r = review(text, "benefit")
    sig = r.signals
    problems = []
    words = int(sig.get("words", 0))
    if not MIN_BENEFIT_WORDS <= words <= MAX_BENEFIT_WORDS:
        problems.append(f"keep it to {MIN_BENEFIT_WORDS}-{MAX_BENEFIT_WORDS} words (now {words})")
    if int(sig.get("long_sentences", 0)):
        problems.append("split sentences of 30 words or more")
    if int(sig.get("weasel_words", 0)):
        problems.append("replace weasel words with numbers")
    if int(sig.get("vague_claims", 0)):
        problems.append("put data where the adjectives are ('faster' by how much?)")
    if int(sig.get("undefined_acronyms", 0)):
        problems.append("define every acronym or drop it")
    internal = {r.text[f.start : f.end].lower() for f in r.findings if f.rule == "internal_term"}
    found = ", ".join(sorted(internal)[:3])
    return [
        BenefitCheck(
            "complete sentences",
            bool(sig.get("complete_sentences")),
            "Write at least two complete sentences, each with a verb.",
        ),
        BenefitCheck(
            "speaks to the customer",
            bool(sig.get("speaks_to_customer")),
            "Address the customer ('you', 'customers') and talk about what they see: "
            "prices, titles, renting or buying.",
        ),
        BenefitCheck(
            "leaves the engineering out",
            bool(sig.get("leaves_engineering_out")),
            f"Drop the internal terms ({found}); say what the customer notices instead."
            if found
            else "Drop internal terms; say what the customer notices instead.",
        ),
        BenefitCheck(
            "gives a number",
            bool(sig.get("gives_a_number")),
            "Add a number a customer would recognise: seconds, minutes, a price.",
        ),
        BenefitCheck(
            "reads easily",
            bool(sig.get("reads_easily")),
            ("; ".join(problems) or "write complete sentences first").capitalize() + ".",
        ),
    ]


def benefit_points(text: str, max_points: float = 2.0, context: dict | None = None) -> float:
    """Points for :func:`benefit_checks`, as the grader gives them: the ``benefit`` review's
    points (a quarter of ``max_points`` per check passed after the first, and nothing
    unless the first, complete sentences, passes), capped at half while a number is not
    in the exercise's facts (``context``, see :mod:`course.context`).

    >>> benefit_points("")
    0.0
    >>> benefit_points("We migrated the offers service to a new event-driven "
    ...                "architecture with a 40% smaller p99. It is faster now.")
    0.5
    """
    from course.prose import review

    text = str.__str__(text) if isinstance(text, str) else ""
    return review(text, "benefit", context=context).points(max_points)


def benefit_text(text: str) -> str:
    """Plain-text rendering of the checklist.

    >>> print(benefit_text("").splitlines()[1])
    [ ] complete sentences: Write at least two complete sentences, each with a verb.
    """
    lines = [f"Customer-benefit checklist: {benefit_points(text)} of 2 points"]
    for check in benefit_checks(text):
        mark = "[x]" if check.passed else "[ ]"
        lines.append(f"{mark} {check.name}" + ("" if check.passed else f": {check.advice}"))
    return "\n".join(lines)


def _facts_html(text: str, context: dict | None) -> str:
    """The numbers of ``text`` that the exercise's facts do not give, as HTML items."""
    if not context:
        return ""
    from course.prose import review

    found = [f.message for f in review(text, "benefit", context=context).findings
             if f.rule in ("unsupported_number", "number_not_in_facts")]
    return "".join(f'<li style="color:{_WRONG}">&#10008; {html.escape(m)}</li>' for m in found)


def _benefit_html(text: str, context: dict | None = None) -> str:
    rows = []
    for check in benefit_checks(text):
        if check.passed:
            rows.append(f'<li style="color:{_CORRECT}">&#10004; {html.escape(check.name)}</li>')
        else:
            rows.append(
                f'<li style="color:{_WRONG}">&#10008; {html.escape(check.name)}: '
                f"{html.escape(check.advice)}</li>"
            )
    head = f"<b>Checklist: {benefit_points(text, context=context)} of 2 points</b>"
    return (head + "<ul style='margin:4px 0'>" + "".join(rows) + _facts_html(text, context)
            + "</ul>")


@lru_cache(maxsize=1)
def _panel_class() -> type:
    import ipywidgets as widgets

    from course.widgets import with_plain_text

    class BenefitPanel(widgets.VBox):
        """A VBox whose plain-text view is the checklist (for headless runs)."""

        def _repr_mimebundle_(self, **kwargs: Any) -> Any:
            bundle = super()._repr_mimebundle_(**kwargs)
            return with_plain_text(bundle, benefit_text(self.scratch.value))

    return BenefitPanel


def benefit_panel(text: str, context: dict | None = None) -> Any:
    """A live checklist for a customer-benefit rewrite.

    Shows :func:`benefit_checks` for ``text`` and a scratchpad pre-filled with it;
    the checklist updates as you type. The scratchpad is for trying ideas: copy the
    version you like back into the answer cell, which is what gets graded.  With the
    exercise's ``context`` (its facts), a number the facts do not give is listed too
    ("'2 seconds' is not in the facts: they say 0.3 seconds").

    >>> panel = benefit_panel("Too short.")
    >>> panel.scratch.value = "Prices show on every title page within 0.3 seconds."
    >>> "gives a number" in panel.checklist.value
    True
    """
    import ipywidgets as widgets

    cls = _panel_class()
    checklist = widgets.HTML(_benefit_html(text, context))
    scratch = widgets.Textarea(
        value=text.strip(),
        description="Try:",
        layout=widgets.Layout(width="100%", height="140px"),
    )

    def _update(change: dict) -> None:
        checklist.value = _benefit_html(change["new"], context)

    scratch.observe(_update, names="value")
    note = widgets.HTML(
        "<i>The scratchpad is not saved: copy your final version into the answer cell.</i>"
    )
    panel = cls([checklist, scratch, note])
    panel.checklist = checklist
    panel.scratch = scratch
    return panel
