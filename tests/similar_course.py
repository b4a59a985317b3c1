"""A two-notebook fixture course for tests/test_similar.py, and submissions made from it.

Module ``01-sim`` has a worked example about another project, a prompt with a draft and a
fact table, a written answer (``q01_summary``), a closed answer (``q01_choice``) and a code
answer (``q01_total``) in ``sim-a.ipynb``; ``sim-b.ipynb`` prints its facts only when it
runs (ROT13 in the source) and asks the learner to rewrite a draft given in the answer
cell itself (``q01_rewrite``).
"""

from __future__ import annotations

import codecs
import json
import re
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

MODULE = "01-sim"

EXAMPLE = """The offers service shows customers what they pay. I led its rewrite, which launched
in Q3 2023. Its p99 latency fell from 480 ms to 140 ms and has stayed there for three
quarters. After launch I turned our load-test harness into a shared library with a guide;
by June 2024 six teams outside ours used it for fourteen launches."""

DRAFT = """Before the launch I organised dry runs with partner teams. I wrote scripts that
replayed traffic and a run-sheet for each session. I ran lots of meetings and fixed the
bugs we found. It was a lot of work, but the launch went really smoothly."""

FACTS = """| When | Fact |
|---|---|
| Sept 2023 | Dry runs with 4 partner teams found 14 integration bugs before launch. |
| Oct 2023 | You packaged the scripts and run-sheet into a dry-run kit: a tool, a checklist, \
a guide. |
| Jan 2024 | The launch-readiness review made a dry run with the kit a required item. |
| Jan to Jun 2024 | 5 other teams used the kit for 11 launches. |
| 2024 | Launch-week incidents caused by integration bugs: 7 in H2 2023, 1 in H1 2024. |"""

MODEL = """Launch-week incidents caused by integration bugs fell from 7 in H2 2023 to 1 in H1
2024. In October 2023 I packaged my dry-run scripts into a kit that the launch-readiness
review has required since January 2024; 5 other teams used it for 11 launches."""

#: What sim-b prints when it runs (its source holds only the ROT13 form).
PRINTED = """Timeline of the checkout outage on 12 March 2024:
09:02 a config change raised the cache expiry for product prices to six hours
09:15 the pricing monitor showed stale prices on one shopper page in five
09:40 the on-call engineer rolled the config change back and flushed the price cache
10:05 prices matched the catalogue again on every page"""

B_DRAFT = """The outage happened because someone changed the config without thinking. The
on-call engineer took too long to notice. We rolled it back in the end and everything
was fine after that, so nobody needs to worry about it happening again in future."""

B_MODEL = """On 12 March 2024 a config change raised the price cache expiry to six hours, and
from 09:15 one page in five showed stale prices. The team rolled the change back by
09:40; prices were right again at 10:05."""


def _meta(grade_id: str, *, solution: bool, grade: bool, points: float = 0,
          prose: bool = False) -> dict:
    meta = {"nbgrader": {"grade": grade, "grade_id": grade_id, "locked": not solution,
                         "schema_version": 3, "solution": solution}}
    if grade:
        meta["nbgrader"]["points"] = points
    if prose:
        meta["wbcourse"] = {"answer": "prose"}
    return meta


def source_notebooks() -> dict[str, nbformat.NotebookNode]:
    """The instructor's notebooks of the module (with solutions)."""
    a = new_notebook(cells=[
        new_markdown_cell("# Module 1: Sim\n\nReviewers look for impact that other teams "
                          "can check: a baseline, a result and a date."),
        new_markdown_cell("## Worked example"),
        new_code_cell(f'EXAMPLE = """\n{EXAMPLE}\n"""\nprint(len(EXAMPLE.split()))'),
        new_markdown_cell("### Exercise A: rewrite the summary\n\nHere is the draft:\n\n"
                          + "\n".join(f"> {line}" for line in DRAFT.splitlines())
                          + f"\n\nThe facts:\n\n{FACTS}",
                          metadata=_meta("q01_intro", solution=False, grade=False)),
        new_code_cell(f'summary = """\n### BEGIN SOLUTION\n{MODEL}\n### END SOLUTION\n"""',
                      metadata=_meta("q01_summary", solution=True, grade=True, points=2,
                                     prose=True)),
        new_code_cell('choice = "?"  # "A", "B" or "C"\n### BEGIN SOLUTION\nchoice = "B"\n'
                      "### END SOLUTION",
                      metadata=_meta("q01_choice", solution=True, grade=False)),
        new_code_cell('assert choice in ("A", "B", "C")',
                      metadata=_meta("q01_choice_tests", solution=False, grade=True,
                                     points=1)),
        new_code_cell('def total(values):\n    """Sum of the numbers in values."""\n'
                      "    ### BEGIN SOLUTION\n    result = 0\n    for value in values:\n"
                      "        result += value\n    return result\n    ### END SOLUTION",
                      metadata=_meta("q01_total", solution=True, grade=False)),
    ])
    b = new_notebook(cells=[
        new_markdown_cell("## Part B: the outage\n\nRun the cell to see the timeline."),
        new_code_cell("import codecs\n\nprint(codecs.decode(" + repr(codecs.encode(
            PRINTED, "rot13")) + ', "rot13"))'),
        new_markdown_cell("### Exercise B: rewrite the draft below so it is blameless"),
        new_code_cell(f'rewrite = """\n{B_DRAFT}\n### BEGIN SOLUTION\n{B_MODEL}\n'
                      '### END SOLUTION\n"""',
                      metadata=_meta("q01_rewrite", solution=True, grade=True, points=2,
                                     prose=True)),
    ])
    for nb in (a, b):
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}
    return {"sim-a": a, "sim-b": b}


_REGION = re.compile(r"^([ \t]*)### BEGIN SOLUTION\n.*?### END SOLUTION", re.S | re.M)


def release(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """What nbgrader (with the course's prose-aware stub) releases from ``nb``."""
    out = nbformat.from_dict(json.loads(json.dumps(nb)))
    for cell in out.cells:
        if not cell.metadata.get("nbgrader", {}).get("solution"):
            continue
        if cell.metadata.get("wbcourse", {}).get("answer") == "prose":
            cell.source = _REGION.sub(r"\1Replace this line with your answer.", cell.source)
        else:
            cell.source = _REGION.sub(r"\1# YOUR CODE HERE\n\1raise NotImplementedError()",
                                      cell.source)
    return out


def build_course(root: Path, *, with_release: bool = True) -> Path:
    """Write the fixture course (catalogue, solutions, exercises) under ``root``."""
    (root / "assets" / "modules").mkdir(parents=True)
    (root / "assets" / "modules" / f"{MODULE}.toml").write_text(
        'title = "Sim"\nteaching = 1\nexercises = 1\nquestions = ["Copied?"]\n'
        'objectives = ["Compare answers."]\nkeypoints = ["Read both texts."]\n',
        encoding="utf-8")
    for name, nb in source_notebooks().items():
        folder = root / "solutions" / MODULE
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, folder / f"{name}.ipynb")
        if with_release:
            (root / "exercises" / MODULE).mkdir(parents=True, exist_ok=True)
            nbformat.write(release(nb), root / "exercises" / MODULE / f"{name}.ipynb")
    return root


def submit(ws_root: Path, learner: str, answers: dict[str, str]) -> None:
    """Write ``learner``'s submission: the release with ``{grade_id: cell source}`` put in."""
    for name, nb in source_notebooks().items():
        released = release(nb)
        for cell in released.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in answers:
                cell.source = answers[grade_id]
        folder = ws_root / "submitted" / learner / MODULE
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(released, folder / f"{name}.ipynb")


def prose(variable: str, text: str) -> str:
    """A written answer cell: ``variable = \"\"\"text\"\"\"``."""
    return f'{variable} = """\n{text}\n"""\n'
