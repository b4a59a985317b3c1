"""Benchmark: stock ``nbgrader autograde`` vs ``wbcourse grade`` vs the fresh-kernel floor.

One run prints, for each module (default: 08, then 04 which draws plots), on a cohort of
N submissions copied from its sample cohort:

* stock ``nbgrader autograde MODULE`` with nbgrader's defaults (one process);
* ``wbcourse grade --workers W`` with kernels forked from a warm template (the default),
  and with ``--executor kernel`` (a new kernel process per notebook);
* the floor: the same notebooks executed by plain nbclient, a fresh kernel each, W worker
  processes, no grading at all;

with seconds per notebook and ratios, a check that the scores agree, and the per-notebook
breakdown of the forked run (fork and sandbox, learner code, nbgrader's own work, prose
re-scoring, gradebook writes). Then how the cost grows: 1 and W workers, and cohorts of
50, 200 and 1,000 synthetic submissions (copies of the sample cohort under new names),
with the cost per submission and the gradebook-write cost early and late in the cohort.

    python bench/grade.py [--modules 08-cross-team-impact 04-input-metrics]
                          [--learners 48] [--workers 2] [--cohorts 50 200 1000]
                          [--skip-stock] [--skip-kernel]

Figures from a busy machine are noisy: compare ratios from one run, on a quiet machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

BIN = Path(sys.executable).parent
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _workspace(path: Path, module: str):
    from course.grading.workspace import init_workspace

    return init_workspace(path, modules=[module])


def _cohort(ws, module: str, n: int) -> list[str]:
    """``n`` submissions of ``module``, cycling through its sample cohort."""
    from course.samples import sample_dirs

    samples = list(sample_dirs(module).items())
    if not samples:
        raise SystemExit(f"no sample cohort for {module}")
    learners = []
    for i in range(n):
        name, folder = samples[i % len(samples)]
        learner = f"s{i:04d}-{name}"
        shutil.copytree(folder, ws.submitted / learner / module)
        learners.append(learner)
    return learners


def _timed(cmd: list[str], cwd: Path | None = None) -> float:
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(cmd[:4])} failed ({done.returncode}): "
                         f"{done.stderr.strip().splitlines()[-1:]}")
    return time.perf_counter() - started


def _wbcourse(ws, module: str, workers: int, *extra: str) -> float:
    return _timed([str(BIN / "wbcourse"), "grade", module, "--workspace", str(ws.root),
                   "--workers", str(workers), "--no-progress", "--force", *extra])


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


def _scores(ws, module: str, learners: list[str]) -> dict[str, float]:
    from course.grading.scores import submission_scores

    return {lr: round(submission_scores(ws.db_url, module, lr)[0], 3) for lr in learners}


def _timings(ws, module: str) -> list[dict[str, float]]:
    from course.grading import status

    return [o.timings for o in status.load(ws.root, module).values() if o.timings]


def _row(name: str, seconds: float, notebooks: int, stock: float | None) -> str:
    ratio = f"{stock / seconds:6.2f}x" if stock else "      -"
    return f"  {name:46} {seconds:8.1f} {seconds / notebooks:10.3f} {ratio}"


def compare(module: str, learners_n: int, workers: int, tmp: Path, skip_stock: bool,
            skip_kernel: bool) -> dict[str, float]:
    """Stock vs wbcourse (fork, kernel) vs floor on one module; print; return seconds."""
    from course.grading import status
    from course.grading.status import STAGES

    spaces = {name: _workspace(tmp / f"{module}-{name}", module)
              for name in ("stock", "fork", "kernel")}
    learners = []
    for ws in spaces.values():
        learners = _cohort(ws, module, learners_n)
    print(f"\n== {module}: {len(learners)} submissions, {workers} workers, "
          f"{os.cpu_count()} CPUs")
    results: dict[str, float] = {}
    if not skip_stock:
        results["stock nbgrader autograde"] = _timed(
            [str(BIN / "nbgrader"), "autograde", module, "--log-level=ERROR"],
            cwd=spaces["stock"].root)
    results["wbcourse grade (fork)"] = _wbcourse(spaces["fork"], module, workers)
    if not skip_kernel:
        results["wbcourse grade --executor kernel"] = _wbcourse(
            spaces["kernel"], module, workers, "--executor", "kernel")
    notebooks = sorted(str(p) for p in (spaces["fork"].submitted).rglob("*.ipynb"))
    results[f"floor: plain nbclient, fresh kernel, {workers} workers"] = _floor(notebooks,
                                                                               workers)
    stock = results.get("stock nbgrader autograde")
    print(f"  {'run':46} {'seconds':>8} {'s/notebook':>10} {'vs stock':>7}")
    for name, secs in results.items():
        print(_row(name, secs, len(notebooks), stock))
    fork = results["wbcourse grade (fork)"]
    floor = results[f"floor: plain nbclient, fresh kernel, {workers} workers"]
    print(f"  fork / floor time: {fork / floor:.2f} (below 1.00 = faster than executing the "
          "notebooks on fresh kernels without grading)")

    fork_scores = _scores(spaces["fork"], module, learners)
    if not skip_kernel:
        same = fork_scores == _scores(spaces["kernel"], module, learners)
        print(f"  scores identical (fork vs kernel): {same}")
    if not skip_stock:
        stock_scores = _scores(spaces["stock"], module, learners)
        diff = {k for k in learners if stock_scores[k] != fork_scores[k]}
        outcomes = status.load(spaces["fork"].root, module)
        # Stock nbgrader trusts the prose score a learner's kernel prints; wbcourse
        # recomputes it and records a problem. Those differences are intended.
        caught = {k for k in diff if any("kernel reported" in p for p in outcomes[k].problems)}
        print(f"  scores identical (stock vs wbcourse): {len(learners) - len(diff)} of "
              f"{len(learners)}; {len(caught)} differ because wbcourse re-scored a faked "
              f"prose answer; unexplained: {len(diff - caught)}")

    timings = _timings(spaces["fork"], module)
    print(f"  per notebook, inside one worker (fork run; {len(timings)} notebooks; mean "
          "seconds):")
    total = 0.0
    for key, label in STAGES.items():
        mean = statistics.fmean(t.get(key, 0.0) for t in timings)
        total += mean
        print(f"    {label:44} {mean:7.3f}")
    print(f"    {'total':44} {total:7.3f}   (x {len(notebooks)} / {workers} workers = "
          f"{total * len(notebooks) / workers:.1f} s of the run's {fork:.1f} s)")
    return results


def scaling(module: str, workers: int, cohorts: list[int], tmp: Path) -> None:
    """1 vs ``workers`` workers; then the cost per submission as the cohort grows."""
    ws = _workspace(tmp / f"{module}-scale", module)
    _cohort(ws, module, 48)
    one = _wbcourse(ws, module, 1)
    many = _wbcourse(ws, module, workers)
    print(f"\n== workers, {module}, 48 submissions (fork)")
    print(f"  1 worker: {one:.1f} s ({one / 48:.3f} s/submission); {workers} workers: "
          f"{many:.1f} s ({many / 48:.3f} s/submission); speed-up {one / many:.2f}x")
    print(f"\n== cohort size, {module}, {workers} workers (fork), synthetic submissions")
    print(f"  {'submissions':>11} {'seconds':>8} {'s/submission':>12} "
          f"{'commit ms first 10%':>20} {'last 10%':>9}")
    for n in cohorts:
        ws = _workspace(tmp / f"{module}-cohort-{n}", module)
        _cohort(ws, module, n)
        secs = _wbcourse(ws, module, workers)
        from course.grading import status

        ordered = sorted(status.load(ws.root, module).values(), key=lambda o: o.learner)
        commits = [o.timings.get("commit", 0.0) * 1000 for o in ordered]
        tenth = max(1, n // 10)
        print(f"  {n:11d} {secs:8.1f} {secs / n:12.3f} "
              f"{statistics.fmean(commits[:tenth]):20.1f} "
              f"{statistics.fmean(commits[-tenth:]):9.1f}")
        shutil.rmtree(ws.root, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", nargs="+",
                        default=["08-cross-team-impact", "04-input-metrics"])
    parser.add_argument("--learners", type=int, default=48)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cohorts", type=int, nargs="*", default=[50, 200, 1000])
    parser.add_argument("--skip-stock", action="store_true", help="skip the slow baseline")
    parser.add_argument("--skip-kernel", action="store_true",
                        help="skip wbcourse's --executor kernel run")
    args = parser.parse_args()
    os.environ["PATH"] = os.pathsep.join([str(BIN), os.environ.get("PATH", "")])
    os.environ.setdefault("MPLBACKEND", "Agg")
    from course.grading.sandbox import probe
    from course.grading.template import fork_supported

    print(f"python {sys.version.split()[0]}; {probe().describe()}")
    if fork_supported():
        raise SystemExit(f"forked kernels unavailable here: {fork_supported()}")
    tmp = Path(tempfile.mkdtemp(prefix="wbcourse-bench-"))
    try:
        ratios = []
        for module in args.modules:
            results = compare(module, args.learners, args.workers, tmp, args.skip_stock,
                              args.skip_kernel)
            stock = results.get("stock nbgrader autograde")
            if stock:
                ratios.append((module, stock / results["wbcourse grade (fork)"]))
        if args.cohorts or args.workers > 1:
            scaling(args.modules[0], args.workers, args.cohorts, tmp)
        if ratios:
            print("\nspeed-up of wbcourse grade (fork) over stock nbgrader: "
                  + "; ".join(f"{m}: {r:.2f}x" for m, r in ratios) + " (target 3x)")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
