"""Where kinds and word lists are looked for (kept light: ``import course.prose`` lists
the kinds without loading any rules).

>>> kinds()[:6]
('press_release', 'faq', 'summary', 'coe', 'vision', 'benefit')
"""

from __future__ import annotations

import os

RULES_DIR = os.path.join(os.path.dirname(__file__), "rules")
BUILTIN_KINDS = ("press_release", "faq", "summary", "coe", "vision", "benefit")
EXTRA_FOLDERS: list[str] = []  # added by add_rules_folder(), searched first
ENV = "WBCOURSE_PROSE_RULES"  # more folders, separated by os.pathsep


def add_rules_folder(folder: str | os.PathLike[str]) -> None:
    """Look for kinds (``<kind>.toml``) and word lists in ``folder`` too, before the
    built-in ones (a course's own kinds)."""
    path = os.path.abspath(folder)
    if not os.path.isdir(path):
        raise ValueError(f"{folder}: no such folder")
    if path not in EXTRA_FOLDERS:
        EXTRA_FOLDERS.insert(0, path)


def rules_folders() -> list[str]:
    """Where kinds are looked for, first match wins."""
    env = [p for p in os.environ.get(ENV, "").split(os.pathsep) if p]
    return [*EXTRA_FOLDERS, *env, RULES_DIR]


def kinds() -> tuple[str, ...]:
    """The names of every kind, built-in ones first."""
    found = set()
    for folder in rules_folders():
        names = os.listdir(folder) if os.path.isdir(folder) else ()
        found.update(n[:-5] for n in names if n.endswith(".toml") and not n.startswith("_"))
    builtin = [k for k in BUILTIN_KINDS if k in found]
    return (*builtin, *sorted(found - set(builtin)))


def kind_file(name: str) -> str:
    """The rules file of kind ``name``."""
    for folder in rules_folders():
        if os.path.isfile(os.path.join(folder, f"{name}.toml")):
            return os.path.join(folder, f"{name}.toml")
    raise ValueError(f"unknown kind {name!r}; expected one of: {', '.join(kinds())}")
