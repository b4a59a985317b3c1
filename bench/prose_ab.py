"""Time ``course.prose.review`` now against a git ref, interleaved in one process.

A shared or throttled machine changes speed by tens of percent from minute to minute,
so two benchmark runs one after the other do not compare code.  This loads the
``course/prose`` of ``--ref`` as a second package and alternates between the two in
rounds (the order flips every round), so both see the same machine phases.

    python bench/prose_ab.py --ref HEAD~3 [--runs 100] [--rounds 6]

The ratio is the baseline's median CPU time over the working tree's (above 1: faster now).
"""

from __future__ import annotations

import argparse
import importlib
import io
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from prose import KINDS, p99, text_of  # noqa: E402

from course.prose import review  # noqa: E402


def load_ref(ref: str, into: Path):
    """The ``review`` function of ``course/prose`` at ``ref``, imported as ``refcourse.prose``."""
    archive = subprocess.run(
        ["git", "archive", ref, "course/prose"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    (into / "course").rename(into / "refcourse")
    (into / "refcourse" / "__init__.py").write_text("", encoding="utf-8")
    sys.path.insert(0, str(into))
    return importlib.import_module("refcourse.prose").review


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", required=True, help="git ref of the baseline")
    parser.add_argument("--words", type=int, default=600, help="words per text")
    parser.add_argument("--runs", type=int, default=100, help="reviews per kind and round")
    parser.add_argument("--rounds", type=int, default=6, help="rounds (the order flips)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        old = load_ref(args.ref, Path(tmp))
        texts = {kind: text_of(kind, args.words) for kind in KINDS}
        cpu: dict[tuple[str, str], list[float]] = {}
        for r in range(args.rounds):
            pair = (("ref", old), ("now", review))
            for kind, text in texts.items():
                for name, fn in pair if r % 2 == 0 else pair[::-1]:
                    fn(text, kind)  # warm
                    xs = cpu.setdefault((name, kind), [])
                    for _ in range(args.runs):
                        c0 = time.thread_time()
                        fn(text, kind)
                        xs.append(time.thread_time() - c0)
    print(f"{args.words} words, {args.rounds} rounds x {args.runs} reviews; CPU ms per review")
    print(f"{'kind':14} {'ref median':>10} {'ref p99':>8} {'now median':>10} {'now p99':>8} ratio")
    for kind in [*KINDS, "all"]:
        pick = KINDS if kind == "all" else (kind,)
        a = [x for k in pick for x in cpu[("ref", k)]]
        b = [x for k in pick for x in cpu[("now", k)]]
        ma, mb = statistics.median(a), statistics.median(b)
        print(
            f"{kind:14} {ma * 1e3:10.2f} {p99(a) * 1e3:8.2f} {mb * 1e3:10.2f} "
            f"{p99(b) * 1e3:8.2f} {ma / mb:5.2f}x"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
