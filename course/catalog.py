"""The module catalogue: one TOML file per module in ``assets/modules/``.

Each module is an nbgrader assignment ``solutions/NN-slug/`` described by
``assets/modules/NN-slug.toml`` (title, minutes, questions, objectives, key points).

>>> mods = modules()
>>> all(m.id[:2].isdigit() for m in mods)
True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

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
