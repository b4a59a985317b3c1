"""Benchmark: stock ``nbgrader autograde`` vs ``wbcourse grade`` vs the fresh-kernel floor.

One run prints, for each module (default: 08, then 04 which draws plots), on a cohort of
N submissions copied from its sample cohort:

* stock ``nbgrader autograde MODULE`` with nbgrader's defaults (one process, graceful
  kernel shutdown, 30 s cell timeout), as the issue that set the targets measured it;
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


class Cgroup:
    """A cpuacct (cgroup v1) or cgroup v2 group that counts the CPU of a whole process tree.

    On a busy machine wall time says little; the CPU seconds a command and everything
    it started used (killed kernels included) say more. Needs root; else None.
    """

    def __init__(self) -> None:
        self.path: Path | None = None
        for base, stat in ((Path("/sys/fs/cgroup/cpuacct"), "cpuacct.usage"),
                           (Path("/sys/fs/cgroup/unified"), "cpu.stat"),
                           (Path("/sys/fs/cgroup"), "cpu.stat")):
            if os.geteuid() == 0 and (base / "cgroup.procs").exists():
                try:
                    path = Path(tempfile.mkdtemp(prefix="wbcourse-bench-", dir=base))
                except OSError:
                    continue
                if (path / stat).exists():
                    self.path, self.stat = path, stat
                    return
                path.rmdir()

    def wrap(self, cmd: list[str]) -> list[str]:
        if self.path is None:
            return cmd
        return ["sh", "-c", f'echo $$ > {self.path}/cgroup.procs && exec "$@"', "sh", *cmd]

    def seconds(self) -> float | None:
        if self.path is None:
            return None
        text = (self.path / self.stat).read_text()
        if self.stat == "cpuacct.usage":
            return int(text) / 1e9
        return int(dict(line.split() for line in text.splitlines())["usage_usec"]) / 1e6

    def remove(self) -> None:
        if self.path is not None:
            for _ in range(50):
                try:
                    self.path.rmdir()
                    return
                except OSError:
                    time.sleep(0.1)


def _timed(cmd: list[str], cwd: Path | None = None) -> tuple[float, float | None]:
    """(wall seconds, CPU seconds of the whole process tree or None) of ``cmd``."""
    group = Cgroup()
    started = time.perf_counter()
    try:
        done = subprocess.run(group.wrap(cmd), cwd=cwd, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
        wall = time.perf_counter() - started
        cpu = group.seconds()
    finally:
        group.remove()
    if done.returncode:
        raise SystemExit(f"{' '.join(cmd[:4])} failed ({done.returncode}): "
                         f"{done.stderr.strip().splitlines()[-1:]}")
    return wall, cpu


def _wbcourse(ws, module: str, workers: int, *extra: str) -> tuple[float, float | None]:
    return _timed([str(BIN / "wbcourse"), "grade", module, "--workspace", str(ws.root),
                   "--workers", str(workers), "--no-progress", "--force", *extra])


def _execute_one(path: str) -> None:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=30, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(Path(path).parent)}}).execute()


def _floor(notebooks: list[str], workers: int) -> None:
    with ProcessPoolExecutor(max_workers=workers) as pool:
        list(pool.map(_execute_one, notebooks))


def _scores(ws, module: str, learners: list[str]) -> dict[str, float]:
    from course.grading.scores import submission_scores

    return {lr: round(submission_scores(ws.db_url, module, lr)[0], 3) for lr in learners}


def _timings(ws, module: str) -> list[dict[str, float]]:
    from course.grading import status

    return [o.timings for o in status.load(ws.root, module).values() if o.timings]


def _row(name: str, run: tuple[float, float | None], notebooks: int,
         stock: tuple[float, float | None] | None) -> str:
    wall, cpu = run
    ratio = f"{stock[0] / wall:6.2f}x" if stock else "      -"
    cpu_text = f"{cpu / notebooks:10.3f}" if cpu is not None else f"{'-':>10}"
    cpu_ratio = (f"{stock[1] / cpu:6.2f}x" if stock and cpu and stock[1] else "      -")
    return (f"  {name:46} {wall:8.1f} {wall / notebooks:10.3f} {ratio} {cpu_text} "
            f"{cpu_ratio}")


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
    results: dict[str, tuple[float, float | None]] = {}
    if not skip_stock:
        # nbgrader's own defaults (the workspace's config shortens both)
        results["stock nbgrader autograde"] = _timed(
            [str(BIN / "nbgrader"), "autograde", module, "--log-level=ERROR",
             "--Execute.shutdown_kernel=graceful", "--Execute.timeout=30"],
            cwd=spaces["stock"].root)
    results["wbcourse grade (fork)"] = _wbcourse(spaces["fork"], module, workers)
    if not skip_kernel:
        results["wbcourse grade --executor kernel"] = _wbcourse(
            spaces["kernel"], module, workers, "--executor", "kernel")
    notebooks = sorted(str(p) for p in (spaces["fork"].submitted).rglob("*.ipynb"))
    floor_name = f"floor: plain nbclient, fresh kernel, {workers} workers"
    results[floor_name] = _timed([sys.executable, __file__, "--floor", str(workers),
                                  *notebooks])
    stock = results.get("stock nbgrader autograde")
    print(f"  {'run':46} {'seconds':>8} {'s/notebook':>10} {'vs stock':>8} "
          f"{'CPU s/nb':>10} {'vs stock':>7}")
    for name, run in results.items():
        print(_row(name, run, len(notebooks), stock))
    fork, floor = results["wbcourse grade (fork)"], results[floor_name]
    print(f"  fork / floor: wall {fork[0] / floor[0]:.2f}"
          + (f", CPU {fork[1] / floor[1]:.2f}" if fork[1] and floor[1] else "")
          + " (below 1.00 = cheaper than executing the notebooks on fresh kernels "
          "without grading)")

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
          f"{total * len(notebooks) / workers:.1f} s of the run's {fork[0]:.1f} s; the rest: "
          "start-up, and waiting for a CPU on a busy machine)")
    return results


def scaling(module: str, workers: int, cohorts: list[int], tmp: Path) -> None:
    """1 vs ``workers`` workers; then the cost per submission as the cohort grows."""
    ws = _workspace(tmp / f"{module}-scale", module)
    _cohort(ws, module, 48)
    one, _ = _wbcourse(ws, module, 1)
    many, _ = _wbcourse(ws, module, workers)
    print(f"\n== workers, {module}, 48 submissions (fork)")
    print(f"  1 worker: {one:.1f} s ({one / 48:.3f} s/submission); {workers} workers: "
          f"{many:.1f} s ({many / 48:.3f} s/submission); speed-up {one / many:.2f}x")
    print(f"\n== cohort size, {module}, {workers} workers (fork), synthetic submissions")
    print(f"  {'submissions':>11} {'seconds':>8} {'s/submission':>12} {'CPU s/sub':>10} "
          f"{'commit ms first 10%':>20} {'last 10%':>9}")
    for n in cohorts:
        ws = _workspace(tmp / f"{module}-cohort-{n}", module)
        _cohort(ws, module, n)
        secs, cpu = _wbcourse(ws, module, workers)
        from course.grading import status

        ordered = sorted(status.load(ws.root, module).values(), key=lambda o: o.learner)
        commits = [o.timings.get("commit", 0.0) * 1000 for o in ordered]
        tenth = max(1, n // 10)
        cpu_text = f"{cpu / n:10.3f}" if cpu is not None else f"{'-':>10}"
        print(f"  {n:11d} {secs:8.1f} {secs / n:12.3f} {cpu_text} "
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
    parser.add_argument("--floor", nargs="+", help=argparse.SUPPRESS)  # internal
    args = parser.parse_args()
    if args.floor:
        _floor(args.floor[1:], int(args.floor[0]))
        return 0
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
                ratios.append((module, stock, results["wbcourse grade (fork)"]))
        if args.cohorts or args.workers > 1:
            scaling(args.modules[0], args.workers, args.cohorts, tmp)
        for module, stock, fork in ratios:
            cpu = f", CPU {stock[1] / fork[1]:.2f}x" if stock[1] and fork[1] else ""
            print(f"\nwbcourse grade (fork) vs stock nbgrader, {module}: wall "
                  f"{stock[0] / fork[0]:.2f}x{cpu} (target 3x)")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
