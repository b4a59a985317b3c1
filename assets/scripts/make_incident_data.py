"""Write the module-7 incident data: a timeline and per-minute metrics.

A fictional incident on the video store's offers service (the service that shows
what a customer pays to rent or buy a title): a configuration push with new
promotion price rules left out the currency for two marketplaces, so offers for
promotion titles failed or showed a price of 0.00 until the change was rolled back.

Outputs (re-running reproduces them byte for byte; the metric noise is seeded):

* ``assets/data/incident_timeline.csv``: ``time_utc,kind,source,event``
* ``assets/data/incident_metrics.csv``: ``minute_utc,error_rate_pct,wrong_price_pct``

Run: ``python assets/scripts/make_incident_data.py [--out DIR]``
"""

from __future__ import annotations

import csv
import io
import random
from datetime import datetime, timedelta
from pathlib import Path

from course.assetgen import script_main

SEED = 7
DATA = Path(__file__).resolve().parent.parent / "data"

# kind: change, impact, customer_contact, alarm, engage, investigate, action,
#       mitigated, resolved
TIMELINE = [
    (
        "2025-03-14 13:40:00",
        "change",
        "change-review",
        "Config change CR-1187 approved: new price rules for the weekend rental promotion.",
    ),
    (
        "2025-03-14 13:52:10",
        "change",
        "config-pipeline",
        "Config push starts: the promotion rules go to every offers-service host in all "
        "regions in one step.",
    ),
    (
        "2025-03-14 13:52:55",
        "change",
        "config-pipeline",
        "Config push reports success on all hosts.",
    ),
    (
        "2025-03-14 13:53:30",
        "impact",
        "offers-service metrics",
        "Offer requests for promotion titles start failing and the error rate climbs from its "
        "usual 0.1%; some title pages show no rent or buy price.",
    ),
    (
        "2025-03-14 13:58:00",
        "impact",
        "offers-service metrics",
        "Checkout pages in two marketplaces show a rental price of 0.00 for promotion titles.",
    ),
    (
        "2025-03-14 14:04:00",
        "customer_contact",
        "customer support",
        "First customer contact: a rental was shown as 0.00 on the title page but 3.99 at payment.",
    ),
    (
        "2025-03-14 14:11:30",
        "alarm",
        "monitoring",
        "Alarm OffersErrorRateHigh fires (error rate above 2% for 15 minutes); the on-call "
        "engineer is paged.",
    ),
    (
        "2025-03-14 14:14:00",
        "engage",
        "on-call",
        "On-call engineer acknowledges the page and opens an incident channel.",
    ),
    (
        "2025-03-14 14:22:00",
        "investigate",
        "on-call",
        "Dashboards show the error spike began about a minute after the config push finished.",
    ),
    (
        "2025-03-14 14:27:00",
        "engage",
        "promotion-pricing team",
        "Promotion-pricing engineer joins and confirms the new rules have no currency field "
        "for two marketplaces.",
    ),
    (
        "2025-03-14 14:31:00",
        "action",
        "incident channel",
        "Decision: roll the configuration back instead of patching the rules forward.",
    ),
    ("2025-03-14 14:33:30", "action", "config-pipeline", "Config rollback starts."),
    (
        "2025-03-14 14:38:00",
        "mitigated",
        "offers-service metrics",
        "Rollback complete: error rate back to 0.1% and checkout prices correct again. "
        "Customer impact ends.",
    ),
    (
        "2025-03-14 14:55:00",
        "action",
        "customer support",
        "Support lists the 1,214 customers who saw a 0.00 price; no one was charged a price "
        "other than the one shown at payment.",
    ),
    (
        "2025-03-14 16:20:00",
        "action",
        "promotion-pricing team",
        "Corrected rules pass a new check that every marketplace has a currency.",
    ),
    (
        "2025-03-14 16:45:00",
        "change",
        "config-pipeline",
        "Corrected rules pushed one region at a time, waiting 10 minutes between regions.",
    ),
    (
        "2025-03-14 17:31:00",
        "resolved",
        "incident manager",
        "All regions run the corrected rules, the promotion is live and healthy; incident closed.",
    ),
]

BASE_ERROR = 0.1  # percent of offer requests failing on a normal Friday afternoon


def _metrics() -> list[tuple[str, float, float]]:
    """Per-minute error rate and share of offers showing a wrong price (percent)."""
    rng = random.Random(SEED)
    start = datetime(2025, 3, 14, 13, 30)
    impact = datetime(2025, 3, 14, 13, 53)
    wrong_start = datetime(2025, 3, 14, 13, 58)
    rollback = datetime(2025, 3, 14, 14, 34)
    mitigated = datetime(2025, 3, 14, 14, 38)
    rows = []
    for i in range(91):  # 13:30 .. 15:00
        t = start + timedelta(minutes=i)
        error = BASE_ERROR + rng.uniform(-0.04, 0.04)
        wrong = 0.0
        if impact <= t < mitigated:
            ramp = min(1.0, (t - impact).total_seconds() / 240)
            error = 0.4 + 5.6 * ramp + rng.uniform(-0.5, 0.5)
            if t >= wrong_start:
                wrong = 2.5 + rng.uniform(-0.4, 0.4)
            if t >= rollback:
                share = 1 - (t - rollback).total_seconds() / 240
                error = BASE_ERROR + (error - BASE_ERROR) * share
                wrong *= share
        rows.append((t.strftime("%Y-%m-%d %H:%M"), round(error, 2), round(wrong, 2)))
    return rows


def _csv(header: list[str], rows: list[tuple]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def build(out_dir: Path) -> list[Path]:
    """Write both CSV files into ``out_dir`` and return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    timeline, metrics = out_dir / "incident_timeline.csv", out_dir / "incident_metrics.csv"
    timeline.write_text(_csv(["time_utc", "kind", "source", "event"], TIMELINE), encoding="utf-8")
    metrics.write_text(
        _csv(["minute_utc", "error_rate_pct", "wrong_price_pct"], _metrics()), encoding="utf-8"
    )
    return [timeline, metrics]


def main(argv: list[str] | None = None) -> int:
    return script_main(build, DATA, __doc__, argv)


if __name__ == "__main__":
    raise SystemExit(main())
