"""Write ``assets/data/evidence_log.csv``: a fictional engineer's dated evidence log.

The log is the "brag document" used in Module 9 (Readiness over time). It follows the
course's story: the offers-service rewrite ships in Q3 2023, a first promotion attempt
right after launch is turned down, and next-level evidence becomes consistent during
2024 (vision documents, design-review feedback, partner coordination, coaching).

Which quarters hold next-level evidence for each dimension is fixed by design (the
exercises are built on it); the seeded random generator only picks dates inside each
quarter and the everyday, current-level entries. Entries whose date matters to the story
are pinned, and every number agrees with the case study's fact sheet
(``assets/case/facts.toml``): an entry reports a period's result only after that period
has ended. Re-running reproduces the file byte for byte::

    python assets/scripts/make_evidence_data.py [--out DIR]
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from pathlib import Path

from course.assetgen import script_main

SEED = 20240901
OUT = Path(__file__).resolve().parents[1] / "data" / "evidence_log.csv"
QUARTERS = ["2023Q1", "2023Q2", "2023Q3", "2023Q4", "2024Q1", "2024Q2", "2024Q3", "2024Q4"]
DIMENSIONS = ["scope", "impact", "influence", "mentoring", "technical_direction"]

# Next-level evidence, by design: {dimension: {quarter: [entries]}}. An entry is its text,
# or (text, ISO date) when the story fixes the day.
NEXT: dict[str, dict[str, list[str | tuple[str, str]]]] = {
    "scope": {
        "2023Q3": [("Owned the offers-service rewrite end to end: plan, dependencies, launch",
                    "2023-09-13")],
        "2024Q1": ["Set the team's half-year pricing-latency goal, agreed with two partner orgs"],
        "2024Q2": [
            "Turned the ambiguous regional-pricing request into a two-quarter plan with milestones"
        ],
        "2024Q3": ["Wrote the annual plan for the offers platform covering three teams' roadmaps"],
        "2024Q4": ["Led planning for next year's offers roadmap with two partner teams"],
    },
    "impact": {
        "2024Q1": [
            "Offers p99 latency stayed under 150 ms in every week of 2023Q4, the first full "
            "quarter after launch",
        ],
        "2024Q3": [
            "Dry-run kit used by 5 teams outside ours for 11 launches in H1 2024",
            "Launch-week integration incidents across the org: 7 in H2 2023, 1 in H1 2024 "
            "(the kit became required in January; other launch practices changed too)",
        ],
        "2024Q4": [
            "Latency rollbacks across the org: 4 in H2 2023, 0 in the first three quarters "
            "of 2024",
        ],
    },
    "influence": {
        "2023Q2": ["Coordinated dry-run schedules with 4 partner teams ahead of the offers launch"],
        "2023Q3": [("Led the launch dry runs with 4 partner teams; together we found and fixed "
                    "14 integration bugs", "2023-09-08")],
        "2024Q1": ["Gave directional feedback in the org design review of the checkout service"],
        "2024Q2": ["Aligned payments and catalog teams on one price-event schema"],
        "2024Q3": ["Ran the monthly launch review that inspects dry-run kit reports"],
        "2024Q4": ["Persuaded the playback team to adopt the shared load-test harness"],
    },
    "mentoring": {
        "2023Q4": ["Taught a blocked teammate to trace partner timeouts themselves"],
        "2024Q2": ["Coached 2 teammates until they could lead partner dry runs on their own"],
        "2024Q3": ["Started a fortnightly design clinic for the team's mid-level engineers"],
        "2024Q4": ["Onboarded 2 new hires with a self-serve guide that they now maintain"],
    },
    "technical_direction": {
        "2023Q2": ["Proposed splitting price calculation from offer display; adopted"],
        "2024Q1": ["Wrote a three-year vision document for the offers platform"],
        "2024Q2": ["Wrote the regional-pricing technical strategy, reviewed by two principals"],
        "2024Q3": ["Defined an 18-month deprecation plan for the legacy offers interface"],
    },
}

# Everyday, current-level work: the bulk of any honest log.
CURRENT: dict[str, list[str]] = {
    "scope": [
        "Delivered the pricing tickets planned for the quarter",
        "Shipped the team's planned feature work on schedule",
        "Estimated and sequenced the team's backlog items",
        "Closed out bugs assigned at sprint planning",
    ],
    "impact": [
        "Fixed pricing bugs from the on-call queue",
        "Kept the offers test suite green through the quarter",
        "Took a week of on-call for the offers service",
        "Cleaned up unused price tables",
    ],
    "influence": [
        "Reviewed teammates' pull requests",
        "Answered partner questions in the offers support channel",
        "Presented the team's sprint demo",
        "Took notes at the weekly partner sync",
    ],
    "mentoring": [
        "Paired with a new hire on a first change",
        "Answered an intern's questions about the pricing model",
        "Reviewed a teammate's design doc draft",
    ],
    "technical_direction": [
        "Compared two libraries for a team decision",
        "Updated the offers service data-model docs",
        "Commented on a team design doc",
    ],
}


def quarter_bounds(quarter: str) -> tuple[dt.date, dt.date]:
    """First and last day of a quarter such as ``"2024Q1"``."""
    year, q = int(quarter[:4]), int(quarter[-1])
    start = dt.date(year, 3 * q - 2, 1)
    end = dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - dt.timedelta(days=1)
    return start, end


def rows(seed: int = SEED) -> list[dict[str, str]]:
    """All log entries, sorted by date, then dimension, then text."""
    rng = random.Random(seed)
    out: list[dict[str, str]] = []
    for quarter in QUARTERS:
        start, end = quarter_bounds(quarter)
        span = (end - start).days
        for dim in DIMENSIONS:
            for entry in NEXT[dim].get(quarter, []):
                text, pinned = entry if isinstance(entry, tuple) else (entry, None)
                # Outcomes can only be logged once measured: late in their quarter.
                low = span // 2 if dim == "impact" else 0
                day = start + dt.timedelta(days=rng.randint(low, span))
                out.append({"date": pinned or day.isoformat(), "dimension": dim,
                            "level": "next", "evidence": text})
            for text in rng.sample(CURRENT[dim], rng.choice([0, 1, 1, 2])):
                day = start + dt.timedelta(days=rng.randint(0, span))
                out.append({"date": day.isoformat(), "dimension": dim, "level": "current",
                            "evidence": text})
    out.sort(key=lambda r: (r["date"], r["dimension"], r["evidence"]))
    return out


def render(entries: list[dict[str, str]]) -> str:
    """The CSV text, with Unix line endings."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=["date", "dimension", "level", "evidence"],
                            lineterminator="\n")
    writer.writeheader()
    writer.writerows(entries)
    return buf.getvalue()


def build(out_dir: Path) -> list[Path]:
    """Write ``evidence_log.csv`` into ``out_dir`` and return its path in a list."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / OUT.name
    path.write_text(render(rows()), encoding="utf-8")
    return [path]


def main(argv: list[str] | None = None) -> int:
    return script_main(build, OUT.parent, __doc__, argv)


if __name__ == "__main__":
    raise SystemExit(main())
