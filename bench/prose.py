"""Benchmark course.prose: time per review by text length and kind, and import time.

Run: ``python bench/prose.py [--runs N]``.  Targets: p99 <= 15 ms for 600 words,
``import course.prose`` < 100 ms (measured in a fresh interpreter, minus startup).

Times move with the machine: a 1M-step reference loop is timed with every round, and
each 600-word review is also paired with a fixed step of that loop (see paired_600) to
tell the machine's tail from the code's.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from course.prose import review  # noqa: E402
from course.prose.text import parse  # noqa: E402

SIZES = (100, 300, 600, 800)
# the kinds with a labelled set to cut benchmark texts from (not module 1's short "benefit")
KINDS = tuple(p.stem for p in sorted((ROOT / "assets" / "prose_eval").glob("*.jsonl")))


def corpus(kind: str) -> list[str]:
    """Paragraphs of the strong and adequate eval answers of one kind."""
    path = ROOT / "assets" / "prose_eval" / f"{kind}.jsonl"
    recs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    paras: list[str] = []
    for r in recs:
        if r["label"] != "weak":
            paras.extend(p for p in r["text"].split("\n\n") if p.strip())
    return paras


def text_of(kind: str, words: int) -> str:
    """Whole paragraphs from the eval set, cut right after the ``words``-th word as the
    review counts words (Markdown marks such as "-" and "##" are not words).

    >>> [review(text_of(k, 600), k).signals["words"] for k in ("coe", "summary")]
    [600, 600]
    """
    out: list[str] = []
    for p in corpus(kind):
        out.append(p)
        doc = parse("\n\n".join(out))
        if len(doc.ends) >= words:
            return doc.text[: doc.original(doc.ends[words - 1] - 1) + 1]
    return "\n\n".join(out)


def time_reviews(text: str, kind: str, runs: int, context: dict | None = None
                 ) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds per review (CPU time is robust to a busy machine)."""
    review(text, kind, context=context)  # warm the lazy caches
    wall, cpu = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.thread_time()
        review(text, kind, context=context)
        cpu.append(time.thread_time() - c0)
        wall.append(time.perf_counter() - t0)
    return wall, cpu


def percentile(xs: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``xs``, nearest rank.

    >>> percentile([4.0, 1.0, 3.0, 2.0, 5.0], 0.5), percentile([1.0, 2.0], 0.99)
    (3.0, 2.0)
    """
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def p99(xs: list[float]) -> float:
    return percentile(xs, 0.99)


def import_time(repeat: int = 7) -> float:
    """Median seconds for ``import course.prose`` in a fresh interpreter, minus startup."""

    def run(code: str) -> float:
        samples = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
            samples.append(time.perf_counter() - t0)
        return statistics.median(samples)

    return max(run("import course.prose") - run("pass"), 0.0)


def interpreter() -> str:
    """The Python that runs the benchmark: its build changes every figure below (a distro's
    optimised build runs the same review in fewer instructions than a plain source build).

    >>> interpreter().startswith(platform.python_implementation())
    True
    """
    return f"{platform.python_implementation()} {platform.python_version()} {sys.executable}"


def reference_loop_ms() -> tuple[float, float]:
    """Wall and CPU ms of a fixed pure-Python workload (about 30-60 ms on an idle core).

    Compare review times with it to tell a slow or busy machine from slow code.
    """
    t0, c0 = time.perf_counter(), time.thread_time()
    _reference_work(1_000_000)
    return (time.perf_counter() - t0) * 1000, (time.thread_time() - c0) * 1000


def _reference_work(loops: int) -> int:
    """The reference loop's body, ``loops`` times."""
    total = 0
    for i in range(loops):
        total += i & 7
    return total


STEP_LOOPS = 50_000  # one reference step: 1/20 of the reference loop


def reference_step_cpu(loops: int = STEP_LOOPS) -> float:
    """CPU seconds of ``loops`` steps of the reference loop's body (about as long as one
    600-word review)."""
    c0 = time.thread_time()
    _reference_work(loops)
    return time.thread_time() - c0


def paired_600(runs: int) -> None:
    """600-word reviews of every kind, each followed by one reference step, both timed.

    The machine's own tail (stalls, changes of speed) shows in the steps' p99 over their
    median; a review tail well above the steps' is the code's.  The review median in
    steps does not move with the machine's speed: a review of ``x`` steps takes
    ``x * loop / 20`` ms on a machine whose 1M-step reference loop takes ``loop`` ms.
    """
    print(
        f"\n600 words, each review followed by one reference step ({STEP_LOOPS:,} steps of the "
        "reference loop), CPU ms:"
    )
    print(
        f"{'kind':14} {'review median':>13} {'p99':>6} {'p99/median':>10} | "
        f"{'step median':>11} {'p99':>6} {'p99/median':>10} | {'review median in steps':>22}"
    )
    for kind in KINDS:
        text = text_of(kind, 600)
        review(text, kind)  # warm the lazy caches
        reference_step_cpu()
        reviews, steps = [], []
        for _ in range(runs):
            c0 = time.thread_time()
            review(text, kind)
            reviews.append((time.thread_time() - c0) * 1000)
            steps.append(reference_step_cpu() * 1000)
        rm, rp = statistics.median(reviews), p99(reviews)
        sm, sp = statistics.median(steps), p99(steps)
        print(
            f"{kind:14} {rm:>13.2f} {rp:>6.2f} {rp / rm:>9.2f}x | {sm:>11.2f} {sp:>6.2f} "
            f"{sp / sm:>9.2f}x | {rm / sm:>22.2f}"
        )


def importtime_ms(repeat: int = 5) -> float:
    """Median cumulative ``-X importtime`` figure for course.prose (excludes startup)."""
    samples = []
    for _ in range(repeat):
        err = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", "import course.prose"],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stderr
        for line in err.splitlines():
            parts = [p.strip() for p in line.split("|")]
            if len(parts) == 3 and parts[2] == "course.prose":
                samples.append(int(parts[1]) / 1000)
    return statistics.median(samples) if samples else float("nan")


_FIRST_CALL = """
import json, sys, time
t0, c0 = time.perf_counter(), time.process_time()
from course.prose import review
t1, c1 = time.perf_counter(), time.process_time()
text, kind = json.load(sys.stdin)
review(text, kind)
t2, c2 = time.perf_counter(), time.process_time()
review(text, kind)
t3, c3 = time.perf_counter(), time.process_time()
print(json.dumps([t1 - t0, c1 - c0, t2 - t1, c2 - c1, t3 - t2, c3 - c2]))
"""


def first_call_ms(kind: str, words: int = 600, repeat: int = 5) -> list[float]:
    """Median ms (wall, CPU) of import, first and second review in a fresh interpreter.

    The first review loads the word lists and compiles the shared patterns.
    """
    runs = []
    payload = json.dumps([text_of(kind, words), kind])
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", _FIRST_CALL],
            input=payload,
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout
        runs.append(json.loads(out))
    return [statistics.median(r[i] for r in runs) * 1000 for i in range(6)]


def rounds_600(rounds: int, runs: int) -> None:
    """600-word reviews of every kind in several rounds, each with its own reference loop.

    A shared or throttled machine changes speed over minutes; the rounds show how the
    p99 moves with the machine (the reference loop) rather than with the code.
    """
    print(
        f"\n600 words, {rounds} rounds of {runs} reviews per kind: CPU ms per review, and p99 "
        "relative to the reference loop"
    )
    texts = {kind: text_of(kind, 600) for kind in KINDS}
    all_cpu: list[float] = []
    for r in range(rounds):
        ref = reference_loop_ms()[1]
        worst, medians = 0.0, []
        for kind, text in texts.items():
            _, cpu = time_reviews(text, kind, runs)
            all_cpu += cpu
            worst = max(worst, p99(cpu) * 1000)
            medians.append(statistics.median(cpu) * 1000)
        print(
            f"round {r + 1}: reference loop {ref:5.1f} ms | median of kinds "
            f"{statistics.median(medians):5.2f} ms | worst kind p99 {worst:5.2f} ms "
            f"({worst / ref * 100:.1f}% of the loop)"
        )
    print(
        f"all rounds: p10 {percentile(all_cpu, 0.10) * 1000:.2f} ms, median "
        f"{statistics.median(all_cpu) * 1000:.2f} ms, p99 {p99(all_cpu) * 1000:.2f} ms "
        "(target <= 15 ms; a p10 far below the median means the machine ran at two speeds)"
    )


def exercise_contexts() -> list[tuple[str, str, dict]]:
    """(exercise, kind, context) of every written exercise whose source notebook gives
    facts or key terms."""
    from course.grading import prose_scores

    out = []
    for folder in sorted((ROOT / "solutions").iterdir()):
        if folder.is_dir():
            out += [(f"{folder.name[:2]}/{s.answer_id}", s.kind, s.context)
                    for s in prose_scores.specs_for(folder) if s.context and s.kind in KINDS]
    return out


def with_contexts(runs: int) -> float:
    """600-word reviews against each exercise's facts and key terms; the worst p99."""
    print("\nwith an exercise's facts and key terms (600 words of its kind)")
    print(f"{'exercise':30} {'median ms':>10} {'p99 ms':>8} {'without':>8}")
    worst = 0.0
    for name, kind, context in exercise_contexts():
        text = text_of(kind, 600)
        wall, _ = time_reviews(text, kind, runs, context)
        base, _ = time_reviews(text, kind, runs)
        worst = max(worst, p99(wall) * 1000)
        print(f"{name:30} {statistics.median(wall) * 1000:>10.2f} {p99(wall) * 1000:>8.2f} "
              f"{statistics.median(base) * 1000:>8.2f}")
    return worst


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=300, help="reviews per size and kind")
    parser.add_argument(
        "--rounds", type=int, default=5, help="rounds of 600-word reviews (machine speed varies)"
    )
    args = parser.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    ref_wall, ref_cpu = reference_loop_ms()
    print(
        f"machine: load average {load:.1f} on {os.cpu_count()} CPUs; reference 1M-step loop "
        f"{ref_wall:.0f} ms wall, {ref_cpu:.0f} ms CPU (about 30-60 ms on an idle core)"
    )
    print(f"python: {interpreter()}\n")
    print(
        f"{'kind':14} {'words':>5} {'median ms':>10} {'p99 ms':>8} "
        f"{'cpu median':>11} {'cpu p99':>8}"
    )
    worst_600 = worst_600_cpu = 0.0
    for kind in KINDS:
        for size in SIZES:
            text = text_of(kind, size)
            wall, cpu = time_reviews(text, kind, args.runs)
            med, hi = statistics.median(wall) * 1000, p99(wall) * 1000
            cmed, chi = statistics.median(cpu) * 1000, p99(cpu) * 1000
            if size == 600:
                worst_600 = max(worst_600, hi)
                worst_600_cpu = max(worst_600_cpu, chi)
            print(
                f"{kind:14} {review(text, kind).signals['words']:>5} {med:>10.2f} {hi:>8.2f} "
                f"{cmed:>11.2f} {chi:>8.2f}"
            )
    rounds_600(args.rounds, args.runs)
    paired_600(args.runs)
    worst_context = with_contexts(max(20, args.runs // 5))
    print("\nfresh interpreter, 600 words: import / first review / second review (ms)")
    for kind in KINDS:
        iw, ic, fw, fc, sw, sc = first_call_ms(kind)
        print(
            f"{kind:14} import {iw:6.1f} wall {ic:6.1f} CPU | first {fw:6.1f} wall {fc:6.1f} CPU"
            f" | second {sw:5.1f} wall {sc:5.1f} CPU"
        )
    imp = import_time() * 1000
    print(
        f"\nworst p99 at 600 words: {worst_600:.2f} ms wall, {worst_600_cpu:.2f} ms CPU "
        "(target <= 15 ms)"
    )
    print(f"worst p99 at 600 words with an exercise's facts: {worst_context:.2f} ms wall "
          "(target <= 15 ms)")
    print(f"import course.prose: {imp:.1f} ms wall minus startup (target < 100 ms)")
    print(f"import course.prose: {importtime_ms():.1f} ms by -X importtime (cumulative)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
