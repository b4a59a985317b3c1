"""The module catalogue: one TOML file per module in ``assets/modules/``.

Each module is an nbgrader assignment ``solutions/NN-slug/`` described by
``assets/modules/NN-slug.toml`` (title, minutes, questions, objectives, key points, and
the ``[[exercise]]`` entries the exercise minutes are computed from).

The minutes follow one stated method (:func:`timing`, docs/instructor-guide.md):

* **teaching** = reading words (the text, and the prose of worked examples) / 150 a
  minute + 1 minute per runnable example or widget cell + half a minute per self-check
  question;
* **exercises** = the exercise texts and the items they list, read at 150 words a
  minute, plus, per exercise: half a minute per closed item (one decision each); the
  author's timed walk-through for each coding exercise; and for each written answer its
  target length at 15 words a minute plus 5 minutes to plan and 5 to revise;
* each total is rounded up to the next 5 minutes.

>>> mods = modules()
>>> all(m.id[:2].isdigit() for m in mods)
True
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import tomllib

from course import paths


class UnknownModuleError(LookupError):
    """Raised when a module id or number names no module of the course."""


@dataclass(frozen=True)
class Module:
    """One module (an nbgrader assignment) of the course."""

    id: str
    title: str
    teaching: int
    exercises: int
    questions: tuple[str, ...]
    objectives: tuple[str, ...]
    keypoints: tuple[str, ...]
    exercise_basis: tuple[dict, ...] = ()
    parts: tuple[dict, ...] = ()

    @property
    def number(self) -> int:
        """Position in the curriculum, from the ``NN-`` prefix."""
        return int(self.id.split("-", 1)[0])

    @property
    def minutes(self) -> int:
        """Teaching plus exercise minutes."""
        return self.teaching + self.exercises


@lru_cache(maxsize=1)
def modules() -> tuple[Module, ...]:
    """All modules, in curriculum order."""
    found = []
    for path in sorted((paths.assets_dir() / "modules").glob("*.toml")):
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
        found.append(
            Module(
                id=path.stem,
                title=raw["title"],
                teaching=int(raw["teaching"]),
                exercises=int(raw["exercises"]),
                questions=tuple(raw["questions"]),
                objectives=tuple(raw["objectives"]),
                keypoints=tuple(raw["keypoints"]),
                exercise_basis=tuple(raw.get("exercise", ())),
                parts=tuple(raw.get("part", ())),
            )
        )
    return tuple(found)


def get(name: str) -> Module:
    """Find a module by id (``08-cross-team-impact``), slug (``cross-team-impact``) or number.

    >>> get("cross-team-impact").id
    '08-cross-team-impact'
    >>> get("8").id
    '08-cross-team-impact'
    """
    for mod in modules():
        slug = mod.id.split("-", 1)[1]
        if name in (mod.id, slug) or (name.isdigit() and int(name) == mod.number):
            return mod
    known = ", ".join(m.id for m in modules())
    raise UnknownModuleError(f"unknown module {name!r}; known modules: {known}")


def markdown_table() -> str:
    """The README's module table, generated from the catalogue."""
    rows = [
        "| # | Module | Teaching | Exercises | You will be able to |",
        "|---|---|---|---|---|",
    ]
    for mod in modules():
        objectives = "<br>".join(mod.objectives)
        rows.append(
            f"| {mod.number} | [{mod.title}](exercises/{mod.id}/) | {mod.teaching} min "
            f"| {mod.exercises} min | {objectives} |"
        )
    return "\n".join(rows)


# --------------------------------------------------------------------- timings

READING_WPM = 150
WRITING_WPM = 15
PLAN_MINUTES = 5
REVISE_MINUTES = 5
CLOSED_ITEM_MINUTES = 0.5
EXAMPLE_CELL_MINUTES = 1.0
QUIZ_QUESTION_MINUTES = 0.5
_EXERCISE_HEADING = re.compile(r"^#{2,4} .*\b(?:Exercise|Capstone|Write it|Your own)\b.*$", re.M)
_HEADING = re.compile(r"^#{1,4} ", re.M)


@dataclass
class ExerciseTime:
    """Minutes one exercise takes by the course's method, and what they rest on."""

    id: str
    notebook: str
    heading: str
    basis: str
    minutes: float


@dataclass
class NotebookTime:
    """Teaching and exercise minutes of one notebook."""

    name: str
    reading_words: int = 0
    example_cells: int = 0
    quiz_questions: int = 0
    instruction_words: int = 0
    exercises: list[ExerciseTime] = field(default_factory=list)

    @property
    def teaching(self) -> float:
        return (self.reading_words / READING_WPM + self.example_cells * EXAMPLE_CELL_MINUTES
                + self.quiz_questions * QUIZ_QUESTION_MINUTES)

    @property
    def exercise(self) -> float:
        return self.instruction_words / READING_WPM + sum(e.minutes for e in self.exercises)


def round_up(minutes: float) -> int:
    """Minutes rounded up to the next 5.

    >>> round_up(21.2), round_up(25.0), round_up(0)
    (25, 25, 0)
    """
    return int(5 * math.ceil(round(minutes, 6) / 5))


def _words(text: str) -> int:
    return len(re.findall(r"[A-Za-z0-9][A-Za-z0-9'’%.,-]*", text))


def _split_markdown(source: str) -> tuple[str, str]:
    """(teaching text, exercise text) of a markdown cell, split at exercise headings."""
    teaching, exercise = [], []
    current = teaching
    pieces = re.split(r"(?m)^(?=#{1,4} )", source)
    for piece in pieces:
        if _EXERCISE_HEADING.match(piece):
            current = exercise
        elif _HEADING.match(piece):
            current = teaching
        current.append(piece)
    return "".join(teaching), "".join(exercise)


def _exercise_cost(entry: dict) -> tuple[str, float]:
    if "items" in entry:
        n = int(entry["items"])
        return f"{n} closed items × {CLOSED_ITEM_MINUTES:g} min", n * CLOSED_ITEM_MINUTES
    if "walkthrough" in entry:
        m = float(entry["walkthrough"])
        return f"code: {m:g} min walk-through", m
    if "words" in entry:
        w = int(entry["words"])
        minutes = w / WRITING_WPM + PLAN_MINUTES + REVISE_MINUTES
        return (f"writing {w} words at {WRITING_WPM} wpm + {PLAN_MINUTES} plan "
                f"+ {REVISE_MINUTES} revise"), minutes
    raise ValueError(f"exercise {entry.get('id')!r} needs items, walkthrough or words")


def notebook_timing(path: Path, basis: dict[str, dict]) -> NotebookTime:
    """Reading, example and exercise minutes of one solution notebook."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    result = NotebookTime(path.stem)
    heading = ""
    code_cells = 0
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        extra = cell.metadata.get("wbcourse", {})
        if extra.get("explains"):
            continue  # instructor-only, not in the release
        if extra.get("context"):
            continue  # an exercise's facts as data, for the checks: not read (course.context)
        if cell.cell_type == "markdown":
            if meta.get("solution"):
                continue  # a manually graded markdown answer
            teach, exercise = _split_markdown(cell.source)
            result.reading_words += _words(teach)
            result.instruction_words += _words(exercise)
            found = _EXERCISE_HEADING.findall(cell.source) or re.findall(
                r"^#{2,4} .*", exercise, re.M)
            if found:
                heading = found[-1].lstrip("# ").strip()
            continue
        code_cells += 1
        gid = meta.get("grade_id")
        if gid in basis:
            label, minutes = _exercise_cost(basis[gid])
            result.exercises.append(ExerciseTime(gid, path.stem, heading, label, minutes))
        elif meta.get("locked") and not meta.get("grade") and gid:
            # the items an exercise lists (a data cell): read as part of the exercise
            from course.lessons.case import cell_texts

            result.instruction_words += sum(_words(t) for t in cell_texts(cell))
        elif not meta and code_cells > 1:
            result.example_cells += 1
            quiz = cell.source.count("QuizItem(")
            result.quiz_questions += quiz
            if not quiz:  # a worked example's text (a press release, a summary) is read
                from course.lessons.case import cell_texts

                result.reading_words += sum(_words(t) for t in cell_texts(cell)
                                            if len(t.split()) >= 8)
    return result


def timing(module: str) -> list[NotebookTime]:
    """Per-notebook timings of ``module`` by the course's method (reads its notebooks)."""
    mod = get(module)
    basis = {e["id"]: e for e in mod.exercise_basis}
    out = [notebook_timing(p, basis)
           for p in sorted((paths.solutions_dir() / mod.id).glob("*.ipynb"))]
    found = {e.id for nb in out for e in nb.exercises}
    missing = set(basis) - found
    if missing:
        raise ValueError(f"{mod.id}: [[exercise]] entries name no answer cell: {sorted(missing)}")
    return out


def minutes_table() -> str:
    """The instructor guide's module timings (Markdown), from the catalogue.

    >>> minutes_table().splitlines()[0]
    '| # | Module | Notebooks | Teaching | Exercises | Total |'
    """
    rows = ["| # | Module | Notebooks | Teaching | Exercises | Total |",
            "|---|---|---|---|---|---|"]
    for mod in modules():
        parts = ", ".join(f"{p['notebook']} ({p['teaching']} + {p['exercises']})"
                          for p in mod.parts) or "1"
        rows.append(f"| {mod.number} | {mod.title} | {parts} | {mod.teaching} | "
                    f"{mod.exercises} | {mod.minutes} |")
    teaching = sum(m.teaching for m in modules())
    exercises = sum(m.exercises for m in modules())
    total = teaching + exercises
    rows.append(f"| | **All modules** | | **{teaching}** | **{exercises}** | "
                f"**{total} ({total // 60} h {total % 60:02d})** |")
    return "\n".join(rows)


def timing_table() -> str:
    """The instructor guide's per-exercise timing table (Markdown), for every module."""
    rows = ["| Module | Notebook | Exercise | Basis | Minutes |", "|---|---|---|---|---|"]
    for mod in modules():
        for nb in timing(mod.id):
            rows.append(f"| {mod.number} | {nb.name} | *reading the exercise texts* | "
                        f"{nb.instruction_words} words at {READING_WPM} wpm | "
                        f"{nb.instruction_words / READING_WPM:.1f} |")
            for ex in nb.exercises:
                rows.append(f"| {mod.number} | {nb.name} | {ex.heading or ex.id} (`{ex.id}`) "
                            f"| {ex.basis} | {ex.minutes:.1f} |")
            rows.append(f"| {mod.number} | {nb.name} | **teaching** | {nb.reading_words} words "
                        f"at {READING_WPM} wpm + {nb.example_cells} example cells + "
                        f"{nb.quiz_questions} self-check questions | {nb.teaching:.1f} |")
    return "\n".join(rows)
