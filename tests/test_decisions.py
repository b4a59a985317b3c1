"""Tests for :mod:`course.lessons.decisions`."""

from __future__ import annotations

import pytest

from course.lessons.decisions import (
    DOOR_TYPES,
    LEADERSHIP_PRINCIPLES,
    canonical_door,
    canonical_principle,
    match_count,
)


def test_sixteen_unique_principles() -> None:
    assert len(LEADERSHIP_PRINCIPLES) == 16
    assert len(set(LEADERSHIP_PRINCIPLES)) == 16
    assert "Strive to be Earth's Best Employer" in LEADERSHIP_PRINCIPLES
    assert "Success and Scale Bring Broad Responsibility" in LEADERSHIP_PRINCIPLES


@pytest.mark.parametrize("name", LEADERSHIP_PRINCIPLES)
def test_every_name_is_its_own_canonical_form(name: str) -> None:
    assert canonical_principle(name) == name
    assert canonical_principle(name.upper()) == name
    assert canonical_principle(f"  {name.lower()}  ") == name


@pytest.mark.parametrize(
    ("loose", "expected"),
    [
        ("Have Backbone; Disagree and Commit", "Have Backbone, Disagree and Commit"),
        ("are right a lot", "Are Right, A Lot"),
        ("Strive to be Earth’s Best Employer", "Strive to be Earth's Best Employer"),
        ("Learn & Be Curious", "Learn and Be Curious"),
    ],
)
def test_loose_spellings(loose: str, expected: str) -> None:
    assert canonical_principle(loose) == expected


@pytest.mark.parametrize("bad", ["", "Speed", "Customer", None, 7, ["Ownership"]])
def test_non_principles(bad: object) -> None:
    assert canonical_principle(bad) is None


def test_doors() -> None:
    assert DOOR_TYPES == ("one-way", "two-way")
    assert canonical_door("one way") == "one-way"
    assert canonical_door("Two-Way door") == "two-way"
    assert canonical_door("irreversible") is None
    assert canonical_door(None) is None


def test_match_count() -> None:
    key = {"A": "Ownership", "B": "Dive Deep", "C": "Frugality"}
    assert match_count({"A": "ownership", "B": "dive deep", "C": "Frugality"}, key) == 3
    assert match_count({"A": "Ownership", "B": "Think Big"}, key) == 1
    assert match_count({"A": "nonsense"}, key) == 0
    assert match_count("Ownership", key) == 0
    doors = {"1": "one-way", "2": "two-way"}
    assert match_count({"1": "One way", "2": "one-way"}, doors, canonical_door) == 1


def test_module_6_table_shows_each_principle_in_one_line():
    """The notebook's table and IN_ONE_LINE (used to test for copied-keyword cues) agree."""
    import nbformat

    from course import paths
    from course.lessons.decisions import IN_ONE_LINE, LEADERSHIP_PRINCIPLES

    assert tuple(IN_ONE_LINE) == LEADERSHIP_PRINCIPLES
    path = paths.solutions_dir() / "06-decide-and-organise" / "decide-and-organise.ipynb"
    text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
    for name, line in IN_ONE_LINE.items():
        assert f"| {name} | {line} |" in text, name
