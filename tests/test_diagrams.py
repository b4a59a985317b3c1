"""Tests for assets/scripts/make_diagrams.py and course.plots."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from course import paths, plots

SCRIPT = paths.assets_dir() / "scripts" / "make_diagrams.py"
NAMES = ("pr_faq_flow.png", "flywheel.png", "input_output_metrics.png")


def _load_script():
    spec = importlib.util.spec_from_file_location("make_diagrams", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> list[Path]:
    return _load_script().build(tmp_path_factory.mktemp("img"))


def test_every_diagram_is_drawn(built) -> None:
    assert sorted(p.name for p in built) == sorted(NAMES)
    for path in built:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_drawing_is_deterministic(built, tmp_path: Path) -> None:
    again = _load_script().build(tmp_path)
    for first, second in zip(built, again, strict=True):
        assert first.read_bytes() == second.read_bytes(), f"{first.name} differs between runs"


def test_bundled_diagrams_are_current_and_small(built) -> None:
    for path in built:
        bundled = plots.img_path(path.name)
        assert bundled.is_file(), f"missing {bundled}: run python {SCRIPT}"
        assert bundled.stat().st_size < 150_000
        # Pixels differ across matplotlib/freetype versions; the drawing's size must not.
        assert _png_size(bundled) == _png_size(path), (
            f"{bundled.name} is stale: run python {SCRIPT}"
        )


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[16:24]
    return int.from_bytes(header[:4], "big"), int.from_bytes(header[4:], "big")


def test_show_image_returns_an_ipython_image() -> None:
    image = plots.show_image("flywheel.png", width=300)
    assert type(image).__name__ == "Image" and image.width == 300


def test_show_image_names_the_missing_file() -> None:
    with pytest.raises(FileNotFoundError, match="make_diagrams.py"):
        plots.show_image("no_such_diagram.png")
