"""Fixtures for the sandbox tests (helpers live in sbhelpers.py)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sbhelpers import Workspace, make_workspace  # noqa: E402


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    """A 0700 grading workspace with secrets the kernel must not see."""
    yield from make_workspace(tmp_path)
