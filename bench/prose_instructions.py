"""Count the CPU instructions one ``course.prose.review`` call takes, now and at a git ref.

Time on a shared or throttled machine varies by tens of percent from minute to minute;
instruction counts do not.  This runs each 600-word benchmark text (see ``bench/prose.py``)
under valgrind (``apt-get install valgrind``) twice, with 0 and with N reviews after two
warm-up reviews, and reports the difference per review for the working tree and for the
``course/prose`` of a git ref (the baseline, extracted to a temporary folder).  Python
runs with ``-S``: ``course.prose`` needs only the standard library, and an editable
install in site-packages would otherwise import the working tree for both.

    python bench/prose_instructions.py --ref 2c87f73
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("press_release", "faq", "summary", "coe", "vision")

_RUN = """
import sys
sys.path.insert(0, {root!r})
from course.prose import review  # first: bench/prose.py puts the working tree on the path
sys.path.insert(0, {bench!r})
from prose import text_of
assert review.__module__ == "course.prose" and sys.modules["course"].__path__[0].startswith(
    {root!r}
)
text = text_of({kind!r}, 600)
review(text, {kind!r}); review(text, {kind!r})
for _ in range({n}):
    review(text, {kind!r})
"""


def instructions(root: Path, kind: str, n: int) -> int:
    """Instructions valgrind counts for a Python process that reviews ``n`` times."""
    code = _RUN.format(bench=str(ROOT / "bench"), root=str(root), kind=kind, n=n)
    err = subprocess.run(
        [
            "valgrind",
            "--tool=cachegrind",
            "--cache-sim=no",
            "--cachegrind-out-file=/dev/null",
            sys.executable,
            "-S",  # no site-packages: an editable install would shadow the baseline
            "-c",
            code,
        ],
        capture_output=True,
        text=True,
        check=True,
        # a fixed string-hash seed: set and dict layouts, and so the counts, repeat exactly
        env={**os.environ, "PYTHONHASHSEED": "0"},
    ).stderr
    m = re.search(r"I\s+refs:\s+([\d,]+)", err)
    if not m:
        raise SystemExit(f"no instruction count in valgrind's output:\n{err[-500:]}")
    return int(m.group(1).replace(",", ""))


def per_review(root: Path, kind: str, n: int) -> float:
    """Millions of instructions per review (the start-up and warm-up cancel out)."""
    return (instructions(root, kind, n) - instructions(root, kind, 0)) / n / 1e6


def checkout(ref: str, into: Path) -> Path:
    """``course/`` of ``ref`` in ``into`` (only course/prose is imported from it)."""
    archive = subprocess.run(
        ["git", "archive", ref, "course"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ref", help="git ref to compare with (the baseline)")
    parser.add_argument("--reviews", type=int, default=20, help="reviews per measurement")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    # (the interpreter's build changes the counts: run with the Python your learners use)
    impl, version = platform.python_implementation(), platform.python_version()
    print(f"python: {impl} {version} {sys.executable}")
    with tempfile.TemporaryDirectory() as tmp:
        base = checkout(args.ref, Path(tmp)) if args.ref else None
        print(
            f"{'kind':14} {'now (M)':>8}" + (f" {args.ref[:12]:>12} {'ratio':>6}" if base else "")
        )
        for kind in KINDS:
            now = per_review(ROOT, kind, args.reviews)
            line = f"{kind:14} {now:8.2f}"
            if base is not None:
                then = per_review(base, kind, args.reviews)
                line += f" {then:12.2f} {then / now:5.2f}x"
            print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
