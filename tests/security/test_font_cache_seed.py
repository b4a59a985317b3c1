"""Seeding a kernel's HOME with the font cache never writes through a learner's symlink."""

from __future__ import annotations

import os
from pathlib import Path

from course.grading.sandbox import seed_font_cache


def _cache(tmp_path: Path) -> Path:
    src = tmp_path / "grader-cache"
    src.mkdir()
    (src / "fontlist-v390.json").write_text('{"fonts": []}')
    (src / "other.json").write_text("{}")
    return src


def test_copies_only_the_font_list_into_home_cache(tmp_path: Path) -> None:
    home = tmp_path / "scratch"
    home.mkdir()
    copied = seed_font_cache(str(home), str(_cache(tmp_path)))
    assert copied == [str(home / ".cache" / "matplotlib" / "fontlist-v390.json")]
    assert (home / ".cache" / "matplotlib" / "fontlist-v390.json").read_text() == '{"fonts": []}'
    assert not (home / ".cache" / "matplotlib" / "other.json").exists()


def test_a_symlinked_cache_folder_is_left_alone(tmp_path: Path) -> None:
    home, elsewhere = tmp_path / "scratch", tmp_path / "elsewhere"
    home.mkdir()
    elsewhere.mkdir()
    os.symlink(elsewhere, home / ".cache")  # a submission's trap
    assert seed_font_cache(str(home), str(_cache(tmp_path))) == []
    assert list(elsewhere.iterdir()) == []


def test_an_existing_file_is_never_replaced(tmp_path: Path) -> None:
    home = tmp_path / "scratch"
    (home / ".cache" / "matplotlib").mkdir(parents=True)
    mine = home / ".cache" / "matplotlib" / "fontlist-v390.json"
    mine.write_text("learner's")
    assert seed_font_cache(str(home), str(_cache(tmp_path))) == []
    assert mine.read_text() == "learner's"


def test_no_grader_cache_copies_nothing(tmp_path: Path) -> None:
    home = tmp_path / "scratch"
    home.mkdir()
    assert seed_font_cache(str(home), str(tmp_path / "missing")) == []
    assert not (home / ".cache").exists()
