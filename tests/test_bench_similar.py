"""bench/similar.py builds a cohort with planted copies and prints time, recall and precision."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_bench_prints_time_recall_and_precision() -> None:
    out = subprocess.run([sys.executable, "bench/similar.py", "--learners", "80"], cwd=ROOT,
                         capture_output=True, text=True, check=True, timeout=600).stdout
    assert "80 submissions of 08-cross-team-impact" in out
    assert re.search(r"wbcourse similar --json: [\d.]+ s end to end, [\d.]+ s CPU", out)
    recall = re.search(r"learner pairs: +recall (\d+)/(\d+)", out)
    found, planted = map(int, recall.groups())
    assert planted > 0 and found / planted >= 0.8
    notebook = re.search(r"notebook copies: recall (\d+)/(\d+)", out)
    assert int(notebook.group(1)) == int(notebook.group(2)) > 0
    assert "flags on independent answers:" in out
