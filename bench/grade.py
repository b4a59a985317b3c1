"""Benchmark: stock ``nbgrader autograde`` vs ``wbcourse grade`` on one cohort.

Builds a cohort of N submissions of one module (cycling through its sample cohort),
then in one run times:

* stock ``nbgrader autograde MODULE`` with nbgrader's defaults (one process, graceful
  kernel shutdown, 30 s cell timeout) in workspace A;
* ``wbcourse grade MODULE --workers W`` in workspace B (sandboxed, the default), and
  again with ``--no-sandbox`` in workspace C;
* the floor: the same notebooks executed with a fresh kernel each through plain
  nbclient, no grading, with W worker processes.

It checks that every learner's score is identical across the gradebooks and prints
the ratios.

    python bench/grade.py [--module 04-input-metrics] [--learners 60] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

BIN = Path(sys.executable).parent


def _cohort(ws: Path, module: str, n: int) -> list[str]:
    from course.samples import sample_dirs

    samples = list(sample_dirs(module).items())
    if not samples:
        raise SystemExit(f"no sample cohort for {module}")
    learners = []
    for i in range(n):
        name, folder = samples[i % len(samples)]
        learner = f"{name}-{i:03d}"
        shutil.copytree(folder, ws / "submitted" / learner / module)
        learners.append(learner)
    return learners


def _init(path: Path, module: str) -> None:
    subprocess.run([BIN / "wbcourse", "init", str(path)], check=True, capture_output=True)


def _scores(ws: Path, module: str, learners: list[str]) -> dict[str, float]:
    from course.grading.scores import submission_scores

    db = f"sqlite:///{ws / 'gradebook.db'}"
    return {lr: round(submission_scores(db, module, lr)[0], 3) for lr in learners}


def _timed(cmd: list[str], cwd: Path | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def _execute_one(path: str) -> None:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=30, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(Path(path).parent)}}).execute()


def _floor(notebooks: list[str], workers: int) -> float:
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        list(pool.map(_execute_one, notebooks))
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", default="04-input-metrics")
    parser.add_argument("--learners", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-stock", action="store_true", help="skip the slow baseline")
    args = parser.parse_args()
    env_path = os.pathsep.join([str(BIN), os.environ.get("PATH", "")])
    os.environ["PATH"] = env_path

    tmp = Path(tempfile.mkdtemp(prefix="wbcourse-bench-"))
    try:
        names = {"stock": tmp / "stock", "wb": tmp / "wb", "wb_nosandbox": tmp / "wb-nosandbox"}
        for path in names.values():
            _init(path, args.module)
        learners = []
        for path in names.values():
            learners = _cohort(path, args.module, args.learners)
        print(f"cohort: {len(learners)} submissions of {args.module}; {os.cpu_count()} CPUs; "
              f"{args.workers} workers")

        results: dict[str, float] = {}
        if not args.skip_stock:
            results["stock nbgrader autograde"] = _timed(
                [str(BIN / "nbgrader"), "autograde", args.module,
                 "--Execute.shutdown_kernel=graceful", "--Execute.timeout=30",
                 "--log-level=ERROR"], cwd=names["stock"])
        wb = [str(BIN / "wbcourse"), "grade", args.module, "--no-progress",
              "--workers", str(args.workers)]
        results[f"wbcourse grade --workers {args.workers}"] = _timed(
            [*wb, "--workspace", str(names["wb"])])
        results[f"wbcourse grade --workers {args.workers} --no-sandbox"] = _timed(
            [*wb, "--workspace", str(names["wb_nosandbox"]), "--no-sandbox"])
        notebooks = sorted(str(p) for p in (names["wb"] / "submitted").rglob("*.ipynb"))
        results[f"floor: plain nbclient, {args.workers} workers"] = _floor(notebooks,
                                                                          args.workers)

        print(f"\n{'run':48} {'seconds':>8} {'s/notebook':>11}")
        for name, secs in results.items():
            print(f"{name:48} {secs:8.1f} {secs / len(notebooks):11.2f}")

        wb_scores = _scores(names["wb"], args.module, learners)
        same_nosandbox = wb_scores == _scores(names["wb_nosandbox"], args.module, learners)
        print(f"\nscores identical (sandbox vs no sandbox): {same_nosandbox}")
        wb_time = results[f"wbcourse grade --workers {args.workers}"]
        floor = results[f"floor: plain nbclient, {args.workers} workers"]
        if not args.skip_stock:
            stock_scores = _scores(names["stock"], args.module, learners)
            diff = {k: (stock_scores[k], wb_scores[k]) for k in learners
                    if stock_scores[k] != wb_scores[k]}
            # Stock nbgrader trusts the prose score a learner's kernel prints; wbcourse
            # recomputes it and records a problem. Those differences are intended.
            from course.grading import status

            outcomes = status.load(names["wb"], args.module)
            caught = {k for k in diff
                      if any("kernel reported" in p for p in outcomes[k].problems)}
            unexplained = {k: v for k, v in diff.items() if k not in caught}
            same = not unexplained
            print(f"scores identical (stock nbgrader vs wbcourse): {len(learners) - len(diff)} "
                  f"of {len(learners)}; {len(caught)} differ because wbcourse recomputed a "
                  f"faked prose score; unexplained differences: {len(unexplained)}")
            if unexplained:
                print(f"  unexplained (stock, wbcourse): {unexplained}")
            stock = results["stock nbgrader autograde"]
            print(f"speed-up vs stock nbgrader: {stock / wb_time:.2f}x")
            if not same or not same_nosandbox:
                return 1
        print(f"wbcourse time / floor time: {wb_time / floor:.2f} (1.00 = as fast as "
              "executing without grading)")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
