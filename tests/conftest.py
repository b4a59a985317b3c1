"""Shared fixtures: the real course's modules and a tiny fixture course."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.graded_cohort import cohort  # noqa: F401  (a fixture for export/feedback/report)

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "fixtures" / "mini-course"

# Kernels started by tests and graders must find the venv's tools (nbgrader runs alembic).
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture
def mini_course(monkeypatch) -> Path:
    """Point the package at the one-module fixture course for the duration of a test."""
    from course import catalog

    monkeypatch.setenv("WBCOURSE_ROOT", str(MINI))
    catalog.modules.cache_clear()
    yield MINI
    catalog.modules.cache_clear()
