"""Every rule of every kind is documented and exemplified, and its examples hold.

Each rule in ``course/prose/rules/*.toml`` has an id, a one-line description and at
least one text that triggers it (``hit``) and one that does not (``miss``); this test
reviews them all (the way proselint keeps examples per check).  Shared rules
(``_common.toml``) are reviewed as their ``example_kind`` (a summary unless given).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from course.prose import KINDS, review, rules_of
from course.prose.rules import example_text, load_kind

CASES = [
    (kind, rule.id)
    for kind in KINDS
    for rule in rules_of(kind)
    if not rule.shared and rule.id not in load_kind(kind).off
] + [(None, rule.id) for rule in rules_of("summary") if rule.shared]


def example_problems(kind: str | None, rule_id: str) -> list[str]:
    """What is wrong with one rule's examples (nothing: an empty list)."""
    rule = load_kind(kind or "summary").rule(rule_id)
    as_kind = kind or rule.example_kind or "summary"
    spec = load_kind(as_kind)
    problems = []
    if not rule.description.strip() or "\n" in rule.description.strip():
        problems.append(f"{rule_id}: give a one-line description")
    if not rule.hit or not rule.miss:
        problems.append(f"{rule_id}: give at least one hit and one miss example")
    topic = list(rule.example_topic) or None
    for texts, want in ((rule.hit, True), (rule.miss, False)):
        for text in texts:
            r = review(example_text(spec, text), as_kind, topic=topic,
                       context=rule.example_context)
            if (rule_id in {f.rule for f in r.findings}) != want:
                verb = "not triggered by" if want else "triggered by"
                problems.append(f"{as_kind}.{rule_id} {verb} {text[:60]!r}")
    return problems


def check_examples(kind: str) -> list[str]:
    """The problems with the examples of every own rule of ``kind``."""
    spec = load_kind(kind)
    return [p for r in spec.rules if not r.shared and r.id not in spec.off
            for p in example_problems(kind, r.id)]


@pytest.mark.parametrize(("kind", "rule_id"), CASES, ids=[f"{k or 'shared'}.{r}" for k, r in CASES])
def test_rule_examples_trigger_it_or_not(kind: str | None, rule_id: str) -> None:
    assert example_problems(kind, rule_id) == []


def test_rule_ids_are_unique_within_a_kind_and_severities_valid() -> None:
    for kind in KINDS:
        ids = [r.id for r in rules_of(kind)]
        assert len(ids) == len(set(ids)), kind
        assert all(r.severity in ("info", "warning", "error") for r in rules_of(kind))


def test_a_rule_switched_off_gives_no_finding_penalty_or_cap() -> None:
    text = "Latency got significantly better and the SLA held. " * 2
    on = review(text, "summary")
    off = review(text, "summary", off=["weasel", "duplicate"])
    assert {"weasel", "duplicate"} <= {f.rule for f in on.findings}
    assert not {"weasel", "duplicate"} & {f.rule for f in off.findings}
    assert off.signals["penalty"] < on.signals["penalty"]
    assert off.signals["weasel_words"] == on.signals["weasel_words"]  # still measured
    topic = ["offers service"]
    capped = review("I organised our offsite in Lisbon for 40 people.", "summary", topic=topic)
    free = review("I organised our offsite in Lisbon for 40 people.", "summary", topic=topic,
                  off=["off_topic"])
    assert "off_topic" in {f.rule for f in capped.findings}
    assert "off_topic" not in {f.rule for f in free.findings}


def test_cli_lists_the_rules_with_descriptions() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "course.prose.cli", "review", "--rules", "--kind", "coe"],
        capture_output=True, text=True, check=True,
    ).stdout
    assert out.startswith("coe: ")
    for rule in rules_of("coe"):
        assert rule.id in out
    rows = json.loads(subprocess.run(
        [sys.executable, "-m", "course.prose.cli", "review", "--rules", "--json"],
        capture_output=True, text=True, check=True,
    ).stdout)
    assert {r["kind"] for r in rows} == set(KINDS)
    assert all(r["description"] for r in rows)
