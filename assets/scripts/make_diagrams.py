"""Draw the course's diagrams into ``assets/img/`` (PNG, matplotlib Agg, deterministic).

* ``pr_faq_flow.png``          idea -> press release -> FAQ -> review -> build, with the
                               rewrite loop from the review back to the draft
* ``flywheel.png``             the flywheel: customer experience -> traffic -> sellers ->
                               selection -> customer experience, fed by lower cost
                               structure -> lower prices
* ``input_output_metrics.png`` controllable inputs (selection, price, convenience) of
                               the video store -> customer choices -> output metrics

No randomness; PNG metadata is stripped, so re-running writes the same bytes with
the same matplotlib version. Run::

    python assets/scripts/make_diagrams.py [--out DIR]
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

from course.assetgen import script_main

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch  # noqa: E402

INK = "#222222"
BLUE = "#0072B2"
LIGHT = "#DCEBF7"
ORANGE = "#E69F00"
PALE_ORANGE = "#FBEBC8"
GREEN = "#009E73"
PALE_GREEN = "#D4F0E6"
GREY = "#777777"
DPI = 100


def _box(ax, x, y, text, *, w=1.6, h=0.7, face=LIGHT, edge=BLUE, size=10, weight="normal"):
    ax.add_patch(
        FancyBboxPatch(
            (x - w / 2, y - h / 2),
            w,
            h,
            boxstyle="round,pad=0.02,rounding_size=0.12",
            facecolor=face,
            edgecolor=edge,
            linewidth=1.4,
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=size, color=INK, weight=weight)


def _arrow(ax, start, end, *, color=INK, rad=0.0, lw=1.5, shrink=4):
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle="-|>",
            mutation_scale=14,
            color=color,
            linewidth=lw,
            connectionstyle=f"arc3,rad={rad}",
            shrinkA=shrink,
            shrinkB=shrink,
        )
    )


def _canvas(width, height, xlim, ylim):
    fig, ax = plt.subplots(figsize=(width, height), dpi=DPI)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig, ax


def _save(fig, path: Path) -> Path:
    fig.savefig(
        path,
        dpi=DPI,
        metadata={"Software": None},
        facecolor="white",
        bbox_inches="tight",
        pad_inches=0.15,
    )
    plt.close(fig)
    return path


def pr_faq_flow(path: Path) -> Path:
    """Idea -> press release -> FAQ -> review -> build, with the rewrite loop."""
    fig, ax = _canvas(9.5, 2.9, (0, 12.0), (0.6, 3.9))
    steps = [
        ("Idea", "a customer\nproblem"),
        ("Press release", "one page,\ncustomer's words"),
        ("FAQ", "external and\ninternal questions"),
        ("Review", "leaders read,\nquestion, decide"),
        ("Build", "only what the\nPR/FAQ promised"),
    ]
    xs = [1.2 + 2.4 * i for i in range(len(steps))]
    y = 2.2
    for i, (x, (name, note)) in enumerate(zip(xs, steps, strict=True)):
        last = i == len(steps) - 1
        _box(
            ax,
            x,
            y,
            name,
            w=2.05,
            h=0.75,
            face=PALE_GREEN if last else LIGHT,
            edge=GREEN if last else BLUE,
            size=11,
            weight="bold",
        )
        ax.text(x, y - 0.85, note, ha="center", va="top", fontsize=8.5, color=GREY)
        if i:
            _arrow(ax, (xs[i - 1] + 1.02, y), (x - 1.02, y))
    _arrow(ax, (xs[3], y + 0.4), (xs[1], y + 0.4), color=ORANGE, rad=0.35, lw=1.6)
    ax.text(
        (xs[1] + xs[3]) / 2,
        3.7,
        "rewrite until the idea is clear (or drop it)",
        ha="center",
        fontsize=9,
        color=ORANGE,
    )
    return _save(fig, path)


def flywheel(path: Path) -> Path:
    """The flywheel, after the widely reproduced napkin sketch."""
    fig, ax = _canvas(7.0, 6.0, (-4.2, 4.2), (-3.5, 3.8))
    loop = ["Customer\nexperience", "Traffic", "Sellers", "Selection"]
    radius = 2.1
    angles = [90, 0, -90, 180]  # top, right, bottom, left: clockwise
    points = []
    for name, deg in zip(loop, angles, strict=True):
        x, y = radius * math.cos(math.radians(deg)), radius * math.sin(math.radians(deg))
        points.append((x, y))
        _box(ax, x, y, name, w=2.0, h=1.0, size=10.5, weight="bold")
    for i in range(len(points)):
        (x0, y0), (x1, y1) = points[i], points[(i + 1) % len(points)]
        _arrow(ax, (x0, y0), (x1, y1), rad=-0.32, color=BLUE, lw=2.0, shrink=26)
    ax.text(0, 0, "Growth", ha="center", va="center", fontsize=15, weight="bold", color=GREEN)
    # Growth -> lower cost structure -> lower prices -> customer experience.
    _box(ax, 3.0, 3.2, "Lower prices", w=1.7, h=0.6, face=PALE_ORANGE, edge=ORANGE)
    _box(ax, 3.0, -3.0, "Lower cost\nstructure", w=1.7, h=0.75, face=PALE_ORANGE, edge=ORANGE)
    _arrow(ax, (3.0, -2.6), (3.0, 2.88), color=ORANGE, rad=0.0, lw=1.6)
    _arrow(ax, (2.15, 3.2), (0.6, 2.5), color=ORANGE, lw=1.6)
    _arrow(ax, (0.55, -0.35), (2.2, -2.75), color=GREEN, lw=1.6)
    ax.text(1.0, -1.45, "scale", fontsize=9, color=GREEN, ha="right", va="center")
    ax.text(
        -4.1,
        -3.3,
        "Each turn of the loop makes the next one easier.",
        fontsize=9,
        color=GREY,
        va="bottom",
    )
    return _save(fig, path)


def input_output_metrics(path: Path) -> Path:
    """Controllable input metrics of the video store drive the output metrics."""
    fig, ax = _canvas(9.5, 4.4, (0, 12.6), (0, 5.8))
    inputs = [
        ("Selection", "% of searches that find a\ntitle to rent or buy"),
        ("Price", "% of title pages with an accurate\nprice before the click"),
        ("Convenience", "price-lookup p99 latency;\nseconds until playback starts"),
    ]
    ys = [4.5, 2.9, 1.3]
    for (name, metric), y in zip(inputs, ys, strict=True):
        _box(ax, 1.6, y, name, w=2.4, h=0.55, size=10.5, weight="bold")
        ax.text(1.6, y - 0.36, metric, ha="center", va="top", fontsize=8, color=GREY)
        _arrow(ax, (2.8, y), (5.2, 2.9), color=BLUE)
    _box(ax, 6.3, 2.9, "Customers find,\ntrust and choose\na title", w=2.2, h=1.3)
    outputs = ["Rentals", "Purchases", "Revenue"]
    for name, y in zip(outputs, ys, strict=True):
        _box(ax, 10.6, y, name, w=2.0, h=0.6, face=PALE_GREEN, edge=GREEN, size=10.5, weight="bold")
        _arrow(ax, (7.4, 2.9), (9.6, y), color=GREEN)
    ax.text(
        1.6, 5.45, "INPUTS: you control them", ha="center", fontsize=10, weight="bold", color=BLUE
    )
    ax.text(
        10.6, 5.45, "OUTPUTS: they follow", ha="center", fontsize=10, weight="bold", color=GREEN
    )
    ax.text(
        6.3,
        0.35,
        "Review inputs every week; outputs lag behind them.",
        ha="center",
        fontsize=9,
        color=GREY,
    )
    return _save(fig, path)


DIAGRAMS = {
    "pr_faq_flow.png": pr_faq_flow,
    "flywheel.png": flywheel,
    "input_output_metrics.png": input_output_metrics,
}


def build(out_dir: Path) -> list[Path]:
    """Draw every diagram into ``out_dir`` and return the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    plt.rcParams.update({"svg.hashsalt": "wbcourse", "font.family": "DejaVu Sans"})
    return [draw(out_dir / name) for name, draw in DIAGRAMS.items()]


def main(argv: list[str] | None = None) -> int:
    return script_main(build, Path(__file__).resolve().parent.parent / "img", __doc__, argv)


if __name__ == "__main__":
    raise SystemExit(main())
