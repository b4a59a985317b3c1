"""Fixtures for the sandbox tests (helpers live in sbhelpers.py)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sbhelpers import Workspace, make_workspace, run_fixture, start_template  # noqa: E402


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    """A 0700 grading workspace with secrets the kernel must not see."""
    yield from make_workspace(tmp_path)


@pytest.fixture(scope="session")
def kernel_template(tmp_path_factory) -> Iterator[object]:
    """One warm kernel template for the session's forked kernels."""
    from course.grading.template import fork_supported

    reason = fork_supported()
    if reason:
        pytest.skip(f"forked kernels unavailable: {reason}")
    template = start_template(tmp_path_factory.mktemp("template-home"))
    yield template
    template.close()


@pytest.fixture(params=["kernel", "fork"])
def executor(request) -> str:
    """Both ways ``wbcourse grade`` starts kernels: a new process, or forked (default)."""
    return request.param


@pytest.fixture
def runner(executor, request):
    """``runner(name, workspace, **kw)``: run_fixture with this test's executor."""
    template = request.getfixturevalue("kernel_template") if executor == "fork" else None

    def runner(name: str, ws: Workspace, **kwargs):
        return run_fixture(name, ws, template=template, **kwargs)

    return runner
