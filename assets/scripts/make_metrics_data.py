"""Write the video store's Weekly Business Review data set (module 04).

Simulates one row per day from 2023-01-01 to 2025-03-31 for the fictional video
store, then aggregates it into

* ``assets/data/wbr_weekly.csv``  -- full Monday-to-Sunday weeks, and
* ``assets/data/wbr_monthly.csv`` -- full calendar months.

Columns (weekly and monthly):

``titles_added``            new titles added to the catalogue (sum; a count, easy to game)
``catalogue_coverage_pct``  share of customer searches that found a title available to
                            rent or buy (mean of daily values, percent)
``price_accuracy_pct``      share of title pages that showed an accurate price before the
                            click (mean of daily values, percent)
``price_p99_ms``            p99 latency of the price lookup (mean of the daily p99 values)
``rentals`` ``purchases``   orders (sums)
``revenue_usd``             revenue in US dollars (sum)

The story baked into the numbers: the rewritten offers service launches on 2023-09-11
(price-lookup p99 from about 480 ms to 140 ms, more accurate prices); from December
2023 catalogue coverage climbs as the store licenses the titles customers searched
for and did not find; bulk imports of long-tail titles inflate ``titles_added``
without moving rentals; a bad deploy on 2024-08-13 is rolled back within two days;
and in the week of 2025-03-03 a price-cache misconfiguration slows the price lookup,
title pages show no price or a stale one, and rentals dip.

Deterministic: the same seed writes the same bytes. Run::

    python assets/scripts/make_metrics_data.py [--out DIR]
"""

from __future__ import annotations

import csv
import io
import math
import random
from datetime import date, timedelta
from pathlib import Path

from course.assetgen import script_main

SEED = 20240603
START = date(2023, 1, 1)
END = date(2025, 3, 31)
LAUNCH = date(2023, 9, 11)  # rewritten offers service goes live
INCIDENT = (date(2025, 3, 3), date(2025, 3, 9))  # price-cache misconfiguration
MINOR_INCIDENT = (date(2024, 8, 13), date(2024, 8, 14))  # a bad deploy, rolled back

COLUMNS = [
    "titles_added",
    "catalogue_coverage_pct",
    "price_accuracy_pct",
    "price_p99_ms",
    "rentals",
    "purchases",
    "revenue_usd",
]
SUMS = {"titles_added", "rentals", "purchases", "revenue_usd"}
DECIMALS = {
    "titles_added": 0,
    "catalogue_coverage_pct": 2,
    "price_accuracy_pct": 2,
    "price_p99_ms": 1,
    "rentals": 0,
    "purchases": 0,
    "revenue_usd": 2,
}


def _season(day: date) -> float:
    """Demand multiplier: weekend evenings, winter holidays, a summer lull."""
    weekday = [0.86, 0.84, 0.88, 0.93, 1.12, 1.22, 1.15][day.weekday()]
    doy = day.timetuple().tm_yday
    annual = 1.0 + 0.07 * math.cos(2 * math.pi * (doy - 15) / 365.25)  # winter high
    if day.month == 12 and 20 <= day.day <= 31:
        annual *= 1.30  # holiday break
    elif day.month == 11 and day.day >= 24:
        annual *= 1.12  # long weekend
    elif day.month == 1 and day.day <= 7:
        annual *= 1.10
    return weekday * annual


def _coverage(day: date, rng: random.Random) -> float:
    """Share of searches that find a rentable title: flat, then climbing from December 2023."""
    ramp_start, ramp_end = date(2023, 12, 1), date(2025, 3, 31)
    if day < ramp_start:
        level = 0.78
    elif day > ramp_end:
        level = 0.92
    else:
        frac = (day - ramp_start).days / (ramp_end - ramp_start).days
        level = 0.78 + 0.14 * frac
    return min(0.99, level + rng.gauss(0, 0.004))


def _offers(day: date, rng: random.Random) -> tuple[float, float]:
    """(price accuracy, price-lookup p99 ms) of the day."""
    if day < LAUNCH:
        accuracy, p99 = 0.962 + rng.gauss(0, 0.003), 480 + rng.gauss(0, 18)
    else:
        accuracy, p99 = 0.991 + rng.gauss(0, 0.0015), 140 + rng.gauss(0, 6)
    if INCIDENT[0] <= day <= INCIDENT[1]:
        accuracy, p99 = 0.85 + rng.gauss(0, 0.005), 640 + rng.gauss(0, 30)
    if MINOR_INCIDENT[0] <= day <= MINOR_INCIDENT[1]:
        accuracy, p99 = 0.95 + rng.gauss(0, 0.004), 390 + rng.gauss(0, 20)
    return min(accuracy, 0.999), p99


def simulate(seed: int = SEED) -> list[dict[str, object]]:
    """One dict per day with every column (unrounded)."""
    rng = random.Random(seed)
    days = []
    day = START
    bulk_days = set()
    while day <= END:
        # Bulk imports of long-tail titles: a few days a quarter, no link to demand.
        if rng.random() < 0.025:
            bulk_days.add(day)
        day += timedelta(days=1)
    day = START
    while day <= END:
        years = (day - START).days / 365.25
        trend = 1.05**years  # steady growth in customers
        coverage = _coverage(day, rng)
        accuracy, p99 = _offers(day, rng)
        demand = 5200 * trend * _season(day)
        demand *= (coverage / 0.78) ** 1.2 * (accuracy / 0.962) ** 0.6
        rentals = demand * math.exp(rng.gauss(0, 0.025))
        purchases = rentals * 0.17 * math.exp(rng.gauss(0, 0.05))
        revenue = rentals * (4.10 + rng.gauss(0, 0.05)) + purchases * (12.40 + rng.gauss(0, 0.2))
        titles = rng.randint(8, 45)
        if day in bulk_days:
            titles += rng.randint(1500, 4000)
        days.append(
            {
                "day": day,
                "titles_added": titles,
                "catalogue_coverage_pct": 100 * coverage,
                "price_accuracy_pct": 100 * accuracy,
                "price_p99_ms": p99,
                "rentals": rentals,
                "purchases": purchases,
                "revenue_usd": revenue,
            }
        )
        day += timedelta(days=1)
    return days


def _aggregate(group: list[dict[str, object]]) -> dict[str, float]:
    out: dict[str, float] = {}
    for col in COLUMNS:
        values = [float(d[col]) for d in group]  # type: ignore[arg-type]
        out[col] = sum(values) if col in SUMS else sum(values) / len(values)
    return out


def _fmt(col: str, value: float) -> str:
    places = DECIMALS[col]
    return str(round(value)) if places == 0 else f"{value:.{places}f}"


def weekly_rows(days: list[dict[str, object]]) -> list[dict[str, str]]:
    """Full Monday-to-Sunday weeks."""
    rows = []
    i = next(k for k, d in enumerate(days) if d["day"].weekday() == 0)  # type: ignore[union-attr]
    while i + 7 <= len(days):
        group = days[i : i + 7]
        start: date = group[0]["day"]  # type: ignore[assignment]
        iso = start.isocalendar()
        agg = _aggregate(group)
        row = {"week_start": start.isoformat(), "iso_week": f"{iso[0]}-W{iso[1]:02d}"}
        row.update({c: _fmt(c, agg[c]) for c in COLUMNS})
        rows.append(row)
        i += 7
    return rows


def monthly_rows(days: list[dict[str, object]]) -> list[dict[str, str]]:
    """Full calendar months."""
    months: dict[str, list[dict[str, object]]] = {}
    for d in days:
        months.setdefault(d["day"].strftime("%Y-%m"), []).append(d)  # type: ignore[union-attr]
    rows = []
    for month, group in months.items():
        agg = _aggregate(group)
        row = {"month": month}
        row.update({c: _fmt(c, agg[c]) for c in COLUMNS})
        rows.append(row)
    return rows


def _csv(rows: list[dict[str, str]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def build(out_dir: Path, seed: int = SEED) -> list[Path]:
    """Write both CSV files into ``out_dir`` and return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    days = simulate(seed)
    written = []
    tables = (("wbr_weekly.csv", weekly_rows(days)), ("wbr_monthly.csv", monthly_rows(days)))
    for name, rows in tables:
        path = out_dir / name
        path.write_text(_csv(rows), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    return script_main(build, Path(__file__).resolve().parent.parent / "data", __doc__, argv)


if __name__ == "__main__":
    raise SystemExit(main())
