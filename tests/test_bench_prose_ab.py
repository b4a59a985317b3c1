"""bench/prose_ab.py times the working tree against a git ref in one process."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(
    shutil.which("git") is None or not (ROOT / ".git").exists(), reason="needs a git checkout"
)
def test_interleaved_timing_against_head_prints_every_kind() -> None:
    out = subprocess.run(
        [sys.executable, "bench/prose_ab.py", "--ref", "HEAD", "--words", "100"]
        + ["--runs", "2", "--rounds", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    rows = {line.split()[0]: line.split() for line in out.splitlines()[2:]}
    assert set(rows) == {"press_release", "faq", "summary", "coe", "vision", "all"}
    for cells in rows.values():
        ref_median, now_median, ratio = float(cells[1]), float(cells[3]), cells[5]
        assert ref_median > 0 and now_median > 0
        assert ratio.endswith("x") and float(ratio[:-1]) > 0
