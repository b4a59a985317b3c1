"""Kernel start-up time with and without the grading sandbox.

    python bench/sandbox.py [--runs N]

Starts a python3 kernel N times with jupyter_client's AsyncKernelManager and N times with
course.grading.sandbox.SandboxedKernelManager, waits until each answers kernel_info, shuts
it down, and prints the median and min of both and the difference.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


async def start_once(manager_class: type, scratch: str) -> float:
    """Seconds from start_kernel to a kernel_info reply."""
    km = manager_class(kernel_name="python3")
    if hasattr(km, "scratch_dir"):
        km.scratch_dir = scratch
    t0 = time.perf_counter()
    await km.start_kernel(cwd=scratch, stderr=subprocess.DEVNULL)
    kc = km.client()
    kc.start_channels()
    await kc.wait_for_ready(timeout=60)
    elapsed = time.perf_counter() - t0
    kc.stop_channels()
    await km.shutdown_kernel(now=True)
    return elapsed


async def measure(runs: int) -> dict[str, list[float]]:
    from jupyter_client.manager import AsyncKernelManager

    from course.grading.sandbox import SandboxedKernelManager, probe

    print(probe().describe())
    times: dict[str, list[float]] = {"plain": [], "sandboxed": []}
    for _ in range(runs):  # interleave so machine load hits both alike
        for name, cls in (("plain", AsyncKernelManager), ("sandboxed", SandboxedKernelManager)):
            with tempfile.TemporaryDirectory() as scratch:
                times[name].append(await start_once(cls, scratch))
    return times


def launcher_only(runs: int) -> list[float]:
    """Seconds to run ``/bin/true`` through the launcher (namespaces, mounts, uid drop)."""
    import json
    import os

    from course.grading.sandbox import course_root, launcher_spec, probe

    prot = probe()
    env = {**os.environ, "PYTHONPATH": str(course_root())}
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as scratch, tempfile.TemporaryDirectory() as rt:
            uid = None  # no private uid here: only root-owned temp dirs
            spec = launcher_spec(prot, scratch=scratch, runtime_dir=rt, uid=uid, gid=None,
                                 nproc_base=0)
            cmd = [sys.executable, "-S", "-m", "course.grading.sandbox_exec", "--spec",
                   json.dumps(spec), "--", "/bin/true"]
            t0 = time.perf_counter()
            subprocess.run(cmd, env=env, check=True)
            times.append(time.perf_counter() - t0)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    times = asyncio.run(measure(args.runs))
    for name, values in times.items():
        print(f"{name:>9}: median {statistics.median(values):.3f} s, "
              f"min {min(values):.3f} s over {len(values)} starts")
    overhead = statistics.median(times["sandboxed"]) - statistics.median(times["plain"])
    print(f" overhead: {overhead:+.3f} s per kernel (median)")
    launch = launcher_only(args.runs)
    bare = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-S", "-c", "pass"], check=True)
        bare.append(time.perf_counter() - t0)
    print(f" launcher: median {statistics.median(launch):.3f} s to run /bin/true through it "
          f"(python -S -c pass: {statistics.median(bare):.3f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
