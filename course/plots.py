"""Small shared helpers for the course's charts and diagrams.

Notebooks are copied into a learner's workspace, so a markdown link such as
``../../assets/img/flywheel.png`` would not resolve there. Show a bundled diagram
from code instead::

    from course.plots import show_image
    show_image("flywheel.png")

matplotlib and IPython are imported inside the functions that need them, so
``import course.plots`` stays cheap.

>>> img_path("flywheel.png").parent.name
'img'
>>> fmt_thousands(1234567)
'1,234,567'
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from course import paths

__all__ = ["COLORS", "fmt_thousands", "img_path", "new_axes", "show_image", "style_axes"]

#: Colour-blind-safe palette (Okabe and Ito) used across the course's charts.
COLORS = {
    "this_year": "#0072B2",
    "last_year": "#999999",
    "alert": "#D55E00",
    "ok": "#009E73",
    "accent": "#E69F00",
    "ink": "#222222",
}


def img_path(name: str) -> Path:
    """Path of a bundled diagram in ``assets/img``.

    >>> img_path("pr_faq_flow.png").name
    'pr_faq_flow.png'
    """
    return paths.assets_dir() / "img" / name


def show_image(name: str, width: int | None = None) -> Any:
    """Return an ``IPython.display.Image`` of a bundled diagram (the notebook shows it).

    Raises ``FileNotFoundError`` with the expected path if the diagram is missing.
    """
    path = img_path(name)
    if not path.is_file():
        raise FileNotFoundError(
            f"diagram {name!r} not found at {path}; run assets/scripts/make_diagrams.py"
        )
    from IPython.display import Image

    return Image(filename=str(path), width=width)


def fmt_thousands(value: float) -> str:
    """Format a number with thousands separators and no decimals.

    >>> fmt_thousands(51016.4)
    '51,016'
    """
    return f"{value:,.0f}"


def style_axes(ax: Any, *, title: str = "", ylabel: str = "") -> Any:
    """Apply the course's plain chart style to a matplotlib Axes and return it."""
    if title:
        ax.set_title(title, fontsize=11, loc="left", color=COLORS["ink"])
    if ylabel:
        ax.set_ylabel(ylabel, fontsize=9)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=8)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    return ax


def new_axes(ncols: int = 1, *, figsize: tuple[float, float] = (9.0, 3.6), **kwargs: Any) -> Any:
    """Create ``(figure, axes)`` with pyplot (imported here, lazily).

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig, ax = new_axes()
    >>> type(ax).__name__
    'Axes'
    >>> import matplotlib.pyplot as plt; plt.close(fig)
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, ncols, figsize=figsize, **kwargs)
    return fig, axes
