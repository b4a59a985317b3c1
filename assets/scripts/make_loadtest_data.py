"""Write the offers-service load test results (module 05) to ``assets/data/loadtest.csv``.

A step load test of the rewritten offers service: 20 load levels from 100 to 2,000
requests per second (rps), each held long enough to record a sample of 1,000
request latencies. One row per sampled request::

    rps,latency_ms
    100,37.2

The latency model is a service time (log-normal, median about 45 ms), plus queueing
delay that grows sharply as the load approaches the fleet's capacity, plus rare
garbage-collection pauses. With the SLA "p99 <= 200 ms" the median stays far below
the line at every level while the p99 crosses it: the point of the module.

Deterministic: the same seed writes the same bytes. Run::

    python assets/scripts/make_loadtest_data.py [--out DIR]
"""

from __future__ import annotations

import io
import math
import random
from pathlib import Path

from course.assetgen import script_main

SEED = 1400
LEVELS = tuple(range(100, 2001, 100))
SAMPLES_PER_LEVEL = 1000
CAPACITY_RPS = 2000.0  # where queues grow without bound in this model


def _latency(rps: int, rng: random.Random) -> float:
    """One request's latency in milliseconds at a given load."""
    service = 45.0 * math.exp(rng.gauss(0, 0.30))
    rho = min(rps / CAPACITY_RPS, 0.995)
    # Probability of waiting in a queue and the mean wait both grow with utilisation.
    p_wait = rho**3
    if rng.random() < p_wait:
        mean_wait = 6.0 * rho / (1.0 - rho)
        service += rng.expovariate(1.0 / mean_wait)
    if rng.random() < 0.004:  # rare garbage-collection pause
        service += rng.uniform(60, 140)
    return service


def samples(seed: int = SEED) -> list[tuple[int, float]]:
    """(rps, latency_ms) pairs, rounded to 0.1 ms, in load order."""
    rng = random.Random(seed)
    out = []
    for rps in LEVELS:
        for _ in range(SAMPLES_PER_LEVEL):
            out.append((rps, round(_latency(rps, rng), 1)))
    return out


def build(out_dir: Path, seed: int = SEED) -> list[Path]:
    """Write ``loadtest.csv`` into ``out_dir`` and return its path in a list."""
    out_dir.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    buf.write("rps,latency_ms\n")
    for rps, ms in samples(seed):
        buf.write(f"{rps},{ms:.1f}\n")
    path = out_dir / "loadtest.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    return [path]


def main(argv: list[str] | None = None) -> int:
    return script_main(build, Path(__file__).resolve().parent.parent / "data", __doc__, argv)


if __name__ == "__main__":
    raise SystemExit(main())
