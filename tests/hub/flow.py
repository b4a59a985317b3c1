"""What a learner does on the hub, through their server's REST API (as the Assignments tab
and JupyterLab do): fetch a module, write an answer into the answer cell, submit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hubctl import HubRun

MODULE = "08-cross-team-impact"
#: a summary with a measured outcome, adoption by other teams and dates (one line)
STRONG = (
    "Across our org, launch-week incidents caused by integration bugs fell from 7 in the "
    "second half of 2023 to 1 in the first half of 2024. Before the offers service launched "
    "in September 2023, I ran dry runs with 4 partner teams; they found 14 integration bugs. "
    "In October 2023 I built a dry-run kit from our replay scripts: a command-line tool, a "
    "checklist and a one-page guide. Since January 2024 the org launch-readiness review has "
    "required a dry run with the kit. By June 2024, 5 other teams had adopted it for 11 "
    "launches. I review every kit report at the monthly launch review, and those reviews "
    "have led to 3 improvements to the kit.")
#: activity only, with vague words
WEAK = ("I organised dry runs with partner teams and ran lots of meetings. It was a lot of "
        "work, but the launch went really smoothly and everyone was very happy.")


def notebook_path(hub: HubRun, module: str = MODULE) -> str:
    """Where a fetched module's notebook sits in a learner's home (relative to it)."""
    released = Path(hub.settings.exchange) / hub.settings.course / "outbound" / module
    name = sorted(p.name for p in released.glob("*.ipynb"))[0]
    return f"{hub.settings.course}/{module}/{name}"


def answer_index(cells: list[dict[str, Any]]) -> int:
    """The first prose answer cell that a prose check scores (found by metadata, not text).

    A module may hold ungraded-by-checks answers (a critique, the learner's own project)
    before the one the checks score; the flow writes into the scored one.
    """
    checked = {(cell.get("metadata", {}).get("wbcourse", {}).get("prose") or {}).get("answer")
               for cell in cells}
    for i, cell in enumerate(cells):
        meta = cell.get("metadata", {})
        if meta.get("wbcourse", {}).get("answer") == "prose" and \
                meta.get("nbgrader", {}).get("solution") and \
                meta.get("nbgrader", {}).get("grade_id") in checked:
            return i
    raise AssertionError("the module has no prose answer cell that a prose check scores")


def answer_grade_id(cells: list[dict[str, Any]]) -> str:
    return cells[answer_index(cells)]["metadata"]["nbgrader"]["grade_id"]


def checks_grade_id(cells: list[dict[str, Any]]) -> str:
    """The graded cell that scores the prose answer (its metadata names the answer)."""
    answer = answer_grade_id(cells)
    for cell in cells:
        prose = cell.get("metadata", {}).get("wbcourse", {}).get("prose") or {}
        if prose.get("answer") == answer:
            return cell["metadata"]["nbgrader"]["grade_id"]
    raise AssertionError(f"no graded cell checks the prose answer {answer}")


def answer_text_line(cells: list[dict[str, Any]]) -> str:
    """The released answer cell's first line of text (inside the string)."""
    source = cells[answer_index(cells)]["source"]
    source = "".join(source) if isinstance(source, list) else source
    lines = [ln for ln in source.splitlines() if ln.strip() and '"""' not in ln]
    assert lines, f"the answer cell has no placeholder line: {source!r}"
    return lines[0].strip()


def write_answer(hub: HubRun, user: str, text: str, module: str = MODULE) -> str:
    """Put ``text`` into the learner's answer cell and save, through the contents API.

    Returns the answer cell's grade id.
    """
    path = notebook_path(hub, module)
    model = hub.server(user, "GET", f"api/contents/{path}?content=1&type=notebook")
    cells = model["content"]["cells"]
    index = answer_index(cells)
    variable = _answer_variable(cells[index])
    cells[index]["source"] = f'{variable} = """\n{text}\n"""'
    hub.server(user, "PUT", f"api/contents/{path}",
               {"type": "notebook", "format": "json", "content": model["content"]})
    return cells[index]["metadata"]["nbgrader"]["grade_id"]


def _answer_variable(cell: dict[str, Any]) -> str:
    source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    head = source.split("=", 1)[0].strip()
    return head if head.isidentifier() else "draft"


def fetch_write_submit(hub: HubRun, user: str, text: str | None,
                       module: str = MODULE) -> dict[str, Any]:
    """The learner's whole turn; returns the submitted entry of the Assignments list."""
    listed = hub.assignments(user, "fetch", module)
    assert any(a["assignment_id"] == module and a["status"] == "fetched" for a in listed), \
        f"{module} was not fetched for {user}: {json.dumps(listed)[:500]}"
    if text is not None:
        write_answer(hub, user, text, module)
    listed = hub.assignments(user, "submit", module)
    submitted = [a for a in listed if a["assignment_id"] == module and a["status"] == "submitted"]
    assert submitted, f"{module} was not submitted for {user}: {json.dumps(listed)[:500]}"
    return submitted[0]
