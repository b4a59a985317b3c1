"""The prose checks give exactly the frozen reviews of ``tests/data/prose_golden/``.

A failure lists the cases that changed.  When a change is deliberate, regenerate the
files with ``make goldens`` and explain every difference in CHANGELOG.md.
"""

from __future__ import annotations

import pytest

from tests import prose_golden


@pytest.mark.parametrize("group", prose_golden.GROUPS)
def test_reviews_match_the_golden_files(group: str) -> None:
    now = prose_golden.BUILDERS[group]()
    diff = prose_golden.differences(group, now)
    assert not diff, (
        f"{len(diff)} {group} case(s) differ from {prose_golden.path_of(group)}: {diff[:20]}"
        " (run `make goldens` after a deliberate change and explain it in CHANGELOG.md)"
    )


def test_every_sample_answer_is_frozen_with_its_points() -> None:
    cases = prose_golden.load("samples")
    assert len(cases) >= 80
    assert all(isinstance(c["points"], float) for c in cases.values())
    assert {c["kind"] for c in cases.values()} >= {"press_release", "faq", "summary", "coe"}
