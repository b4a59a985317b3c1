"""Hostile submissions against the grading sandbox (course.grading.sandbox).

Each test grades one fixture notebook from ``fixtures/`` (written by ``make_fixtures.py``)
through nbgrader's Execute preprocessor, twice: with :class:`SandboxedKernelManager` (a
new kernel process) and with :class:`~course.grading.kernels.ForkedKernelManager` (a
kernel forked from a warm template, what ``wbcourse grade`` does by default). Checks that
need a protection this machine lacks (root, namespaces) are skipped, never faked.
"""

from __future__ import annotations

import dataclasses
import json
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from course.grading.sandbox import (
    Limits,
    Protections,
    UidLease,
    probe,
    sandbox_config,
)

pytestmark = [pytest.mark.security, pytest.mark.slow]

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import make_fixtures  # noqa: E402
from sbhelpers import SECRET, Workspace, small_limits, survivors  # noqa: E402


@pytest.fixture(scope="module")
def prot() -> Protections:
    return probe()


def need(condition: bool, what: str) -> None:
    if not condition:
        pytest.skip(f"this machine cannot provide: {what}")


# --------------------------------------------------------------------------- no kernel


def test_fixtures_are_up_to_date() -> None:
    assert make_fixtures.main(["--check"]) == 0


def test_limits_defaults_and_parsing() -> None:
    lim = Limits()
    assert (lim.cell_timeout, lim.notebook_timeout, lim.memory_mb) == (15, 120, 1024)
    assert (lim.max_processes, lim.output_bytes, lim.file_size_mb) == (64, 1_000_000, 50)
    assert lim.network is False
    assert Limits.from_value(json.dumps({"memory_mb": 512})).memory_mb == 512
    assert Limits.from_value({"network": True}).network is True
    with pytest.raises(ValueError, match="unknown"):
        Limits.from_value({"memroy_mb": 1})


def test_describe_is_one_honest_line(prot: Protections) -> None:
    line = prot.describe()
    assert line.startswith("sandbox: ") and "\n" not in line
    assert "rlimits(mem 1024 MB, procs 64, fsize 50 MB" in line
    assert "rlimits" in prot.active
    if prot.is_root and prot.switches_user:
        assert f"user={prot.user}(uid {prot.uid}" in line
    degraded = probe(disable=("user", "network", "mount", "pid"))
    assert "NOT switched" in degraded.describe()
    assert "hidden paths=NONE" in degraded.describe()
    assert "network" not in degraded.active and "user" not in degraded.active


def test_sandbox_config_fills_execute() -> None:
    from traitlets.config import Config

    lim = Limits(cell_timeout=7, output_bytes=1234)
    c = sandbox_config(Config(), lim, "/tmp/scratch", ["/tmp/ws"])
    assert c.Execute.timeout == 7 and c.Execute.interrupt_on_timeout is True
    assert c.SandboxedExecute.output_bytes == 1234
    assert c.SandboxedKernelManager.hidden_paths == ["/tmp/ws"]
    pre = c.Autograde.autograde_preprocessors
    assert pre[0] == "course.grading.sandbox.SandboxedExecute"
    assert "nbgrader.preprocessors.LimitOutput" in pre


def test_import_is_cheap() -> None:
    code = "import sys, course.grading.sandbox; print('jupyter_client' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "False"


def test_private_uids_are_distinct(prot: Protections) -> None:
    need(prot.private_uids, "private uids (root)")
    a, b = UidLease.acquire(), UidLease.acquire()
    try:
        assert a.uid != b.uid
    finally:
        a.release()
        b.release()


# --------------------------------------------------------------------------- benign


def test_normal_work_still_grades(runner, workspace: Workspace, prot: Protections) -> None:
    run = runner("baseline-pass-normal-work", workspace)
    assert run.error is None, run.text()
    for name in ("import_course", "write_scratch", "tempfile", "matplotlib", "subprocess",
                 "after"):
        assert run.results.get(name, {}).get("ok"), (name, run.results.get(name),
                                                     run.text()[-3000:])
    assert run.results["home_is_scratch"]["value"] == "True"
    assert (workspace.scratch / "answer.txt").read_text() == "hello"


# --------------------------------------------------------------------------- runaway code


@pytest.mark.parametrize("name", ["runaway-fail-infinite-loop", "runaway-fail-long-sleep"])
def test_cell_timeout_interrupts_and_next_cell_runs(runner, workspace: Workspace,
                                                    name: str) -> None:
    run = runner(name, workspace, limits=dataclasses.replace(small_limits(), cell_timeout=2))
    assert run.error is None
    assert any(e in ("CellTimeoutError", "KeyboardInterrupt") for e in run.enames()), run.text()
    assert run.results["after"]["ok"]


def test_huge_allocation_is_a_memory_error(runner, workspace: Workspace) -> None:
    run = runner("runaway-fail-huge-memory", workspace)
    assert run.results["alloc_4gib"] == {"name": "alloc_4gib", "ok": False, "error": "MemoryError"}
    assert run.results["after"]["ok"]


def test_fork_bomb_is_capped_and_reaped(runner, workspace: Workspace, prot: Protections) -> None:
    run = runner("runaway-fail-fork-bomb", workspace)
    assert run.results["after"]["ok"], run.text()
    if prot.switches_user:  # RLIMIT_NPROC does not bind root
        assert run.results["spawn_200"]["ok"] is False
        assert int(run.results["spawned"]["value"]) < small_limits().max_processes
    assert survivors(make_fixtures.MARK_BOMB) == []


def test_output_flood_is_capped(runner, workspace: Workspace) -> None:
    run = runner("runaway-fail-print-flood", workspace)
    kept = sum(len(str(o.get("text", ""))) for o in run.outputs())
    assert kept < 2 * small_limits().output_bytes
    assert "output limit" in run.text()


def test_file_size_limit(runner, workspace: Workspace) -> None:
    run = runner("runaway-fail-disk-fill", workspace)
    assert run.results["write_200mb"]["ok"] is False
    assert (workspace.scratch / "big.bin").stat().st_size <= 10 * 1024 * 1024
    assert run.results["after"]["ok"]


def test_os_exit_kills_kernel_but_batch_goes_on(runner, workspace: Workspace) -> None:
    run = runner("runaway-fail-os-exit", workspace)
    assert run.error is not None  # nbclient reports the dead kernel
    assert "after" not in run.results
    assert survivors(make_fixtures.MARK_EXIT) == []
    again = runner("baseline-pass-normal-work", workspace)
    assert again.results["after"]["ok"]


def test_background_processes_do_not_outlive_the_notebook(runner, workspace: Workspace) -> None:
    run = runner("runaway-fail-background-process", workspace)
    assert run.results["popen_new_session"]["ok"] and run.results["double_fork"]["ok"]
    assert survivors(make_fixtures.MARK_DAEMON) == []


@pytest.mark.parametrize("name", ["runaway-fail-background-process", "runaway-fail-fork-bomb",
                                  "runaway-fail-huge-memory"])
def test_degraded_mode_still_limits_and_reaps(runner, workspace: Workspace, name: str) -> None:
    """No user switch, no namespaces (what a non-root grader gets): rlimits + tree kill."""
    run = runner(name, workspace, disable=("user", "network", "mount", "pid"))
    assert run.results["after"]["ok"], run.text()
    if "memory" in name:
        assert run.results["alloc_4gib"]["error"] == "MemoryError"
    for marker in (make_fixtures.MARK_DAEMON, make_fixtures.MARK_BOMB):
        assert survivors(marker) == []


# --------------------------------------------------------------------------- reaching out


def test_cannot_read_other_learners_gradebook_solutions_home(
        runner, workspace: Workspace, prot: Protections) -> None:
    need(prot.switches_user or prot.mount_namespace, "user switch or mount namespace")
    run = runner("escape-fail-read-others", workspace)
    assert SECRET not in run.text()
    for key in ("other_learner", "gradebook", "solution", "home_file", "workspace_config"):
        res = run.results["read_" + key]
        assert res["ok"] is False, res
        assert res["error"] in ("PermissionError", "FileNotFoundError"), res
    listed = run.results["list_submitted"]
    assert not listed["ok"] or listed["value"] == "[]"
    home = run.results["list_home"]
    assert not home["ok"] or ".wbsandbox-canary" not in home["value"]
    git = run.results["git_objects"]
    assert not git["ok"] or git["value"] == "[]"


def test_cannot_write_or_delete_outside_scratch(runner, workspace: Workspace,
                                                prot: Protections) -> None:
    need(prot.switches_user or prot.mount_namespace, "user switch or mount namespace")
    t = workspace.targets
    before = {k: Path(t[k]).read_bytes() for k in ("gradebook", "other_learner", "solution")}
    run = runner("escape-fail-write-outside", workspace)
    for name in ("append_gradebook", "create_in_workspace", "create_in_home",
                 "delete_other_learner", "delete_solution"):
        assert run.results[name]["ok"] is False, run.results[name]
    assert {k: Path(t[k]).read_bytes() for k in before} == before
    assert not Path(t["workspace_new_file"]).exists()
    assert not Path(t["home_new_file"]).exists()


def test_network_is_isolated(runner, workspace: Workspace, prot: Protections) -> None:
    need(prot.network_isolated, "network namespace")
    accepted: list[bytes] = []
    with socket.socket() as server:  # our own listener, loopback only
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        server.settimeout(0.5)
        stop = threading.Event()

        def serve() -> None:
            while not stop.is_set():
                try:
                    conn, _ = server.accept()
                except OSError:
                    continue
                with conn:
                    accepted.append(conn.recv(100))

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        run = runner("escape-fail-network-loopback", workspace,
                          port=server.getsockname()[1])
        stop.set()
        thread.join(2)
    assert run.results["connect_loopback"]["ok"] is False, run.results
    assert accepted == []


def test_grader_process_is_out_of_reach(runner, workspace: Workspace, prot: Protections) -> None:
    with open(workspace.targets["gradebook"], "rb"):  # an open fd the kernel must not inherit
        run = runner("escape-fail-grader-process", workspace)
    assert run.results["inherited_gradebook_fd"]["ok"] is False
    if prot.switches_user or prot.pid_namespace:
        assert run.results["signal0_grader"]["ok"] is False
        assert run.results["grader_environ"]["ok"] is False
    if prot.switches_user:
        assert run.results["setuid_root"]["ok"] is False
