"""``wbcourse grade`` under faults: real signals to real processes, a real full disk.

Every test runs the ``wbcourse`` command in a subprocess on a private copy of the fixture
course (``tests/fixtures/mini-course``), so every process a run starts (workers, kernel
templates, sandbox launchers, kernels, what learner code starts) carries that copy's
path in its ``WBCOURSE_ROOT`` and can be found in ``/proc`` whoever its parent is.

* SIGINT (to the process group, as Ctrl-C sends it), SIGTERM and SIGKILL, while the
  workers start and in the middle of the batch: within 5 s nothing of the run is left,
  the gradebook holds only complete results, and the next run grades exactly the
  submissions that were not recorded as finished.
* Two runs on one workspace: the second refuses with one line naming the first, or
  waits with ``--wait``; a lock left by a killed run is cleared.
* A full disk (a small tmpfs), a read-only and a corrupt gradebook: one line, nothing
  lost, the run can be resumed.
* Exit statuses 0, 1 and 2.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from course import catalog

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "fixtures" / "mini-course"
MODULE = "01-mini"
WBCOURSE = str(Path(sys.executable).parent / "wbcourse")
#: Learner code in one submission starts this long sleeper in a session of its own.
SLEEPER = "wbcourse-fault-test-sleeper"
ANSWER = '''import time
time.sleep({pause})
def double(x):
    return 2 * x'''
DAEMON = '''import subprocess, sys, time
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)", "{marker}"],
                 start_new_session=True)
time.sleep({pause})
def double(x):
    return 2 * x'''


@dataclass
class Run:
    """A finished ``wbcourse grade``: exit code, output, and its summary table by learner."""

    code: int
    out: str
    err: str

    @property
    def rows(self) -> dict[str, list[str]]:
        table = {}
        for line in self.out.splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[1] in ("graded", "skipped", "failed", "not"):
                table[parts[0]] = parts
        return table

    def status(self, learner: str) -> str:
        return self.rows[learner][1]


# --------------------------------------------------------------------------- set-up


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """A private copy of the mini course: its path marks every process of our runs."""
    root = tmp_path_factory.mktemp("fault-course") / "course"
    shutil.copytree(MINI, root)
    return root


@pytest.fixture(scope="module")
def template_ws(course, tmp_path_factory) -> Path:
    """An initialised workspace to copy (``wbcourse init`` takes seconds)."""
    root = tmp_path_factory.mktemp("fault-template") / "ws"
    subprocess.run([WBCOURSE, "init", str(root)], env=_env(course), check=True,
                   capture_output=True)
    return root


def _env(course: Path) -> dict[str, str]:
    return {**os.environ, "WBCOURSE_ROOT": str(course), "MPLBACKEND": "Agg"}


def _submit(ws: Path, course: Path, learner: str, answer: str) -> None:
    nb = nbformat.read(course / "exercises" / MODULE / "mini.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "q01_double":
            cell.source = answer
    folder = ws / "submitted" / learner / MODULE
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / "mini.ipynb")


def _workspace(template_ws: Path, course: Path, dest: Path, learners: int = 8,
               pause: float = 0.6, daemon: bool = True) -> Path:
    shutil.copytree(template_ws, dest)
    for i in range(learners):
        _submit(dest, course, f"learner-{i:02d}", ANSWER.format(pause=pause))
    if daemon:
        _submit(dest, course, "daemon", DAEMON.format(marker=SLEEPER, pause=pause))
    return dest


def _start(ws: Path, course: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([WBCOURSE, "grade", MODULE, "--workspace", str(ws), "--workers",
                             "2", "--no-progress", *args], env=_env(course),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def _finish(proc: subprocess.Popen, timeout: float = 300) -> Run:
    out, err = proc.communicate(timeout=timeout)
    return Run(proc.returncode, out, err)


def _grade(ws: Path, course: Path, *args: str) -> Run:
    return _finish(_start(ws, course, *args))


# --------------------------------------------------------------------------- inspection


def _ours(course: Path) -> list[str]:
    """Live processes of our runs (their environment names our course copy)."""
    needle = f"WBCOURSE_ROOT={course}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            state = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[0]
            environ = Path(f"/proc/{entry}/environ").read_bytes()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        if state != "Z" and (needle in environ.split(b"\0") or SLEEPER.encode() in cmdline):
            shown = cmdline.replace(b"\0", b" ")[:100].decode(errors="replace")
            found.append(f"{entry}: {shown}")
    return found


def _gone_within(course: Path, seconds: float) -> list[str]:
    deadline = time.monotonic() + seconds
    while (left := _ours(course)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def _journal(ws: Path) -> list[dict]:
    from course.grading import status

    return [o.to_dict() for o in status.load(ws, MODULE).values()]


def _wait_for_journal(ws: Path, count: int, proc: subprocess.Popen, timeout: float = 120) -> None:
    from course.grading.status import journal_path

    path = journal_path(ws, MODULE)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if path.exists() and path.read_bytes().count(b"\n") >= count:
            return
        time.sleep(0.05)
    raise AssertionError(f"the run recorded fewer than {count} submissions in {timeout} s")


def _gradebook(ws: Path) -> dict[str, dict[str, float | None]]:
    """Learner -> {grade_id: auto_score} for every submission in the gradebook."""
    with sqlite3.connect(ws / "gradebook.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = db.execute(
            "SELECT submitted_assignment.student_id, base_cell.name, grade.auto_score "
            "FROM grade JOIN submitted_notebook ON grade.notebook_id = submitted_notebook.id "
            "JOIN submitted_assignment ON submitted_notebook.assignment_id = "
            "submitted_assignment.id JOIN base_cell ON grade.cell_id = base_cell.id"
        ).fetchall()
    found: dict[str, dict[str, float | None]] = {}
    for learner, cell, score in rows:
        found.setdefault(learner, {})[cell] = score
    return found


def _assert_complete(ws: Path) -> dict[str, dict[str, float | None]]:
    """Every submission in the gradebook is a whole result, the one the status records."""
    book = _gradebook(ws)
    recorded = {o["learner"]: o for o in _journal(ws) if o["status"] == "graded"}
    for learner, cells in book.items():
        # q01_double_tests ran (2 points, all learners here answer it right); the prose
        # check was re-scored by the grader (3 points for a real summary, 0 for the stub)
        assert cells["q01_double_tests"] == 2.0, (learner, cells)
        assert cells["q01_summary_checks"] == 0.0, (learner, cells)
    assert set(recorded) <= set(book), "a finished submission is missing from the gradebook"
    return book


# --------------------------------------------------------------------------- signals


@pytest.mark.parametrize("sig,moment", [
    (signal.SIGINT, "start-up"), (signal.SIGINT, "mid-batch"),
    (signal.SIGTERM, "start-up"), (signal.SIGTERM, "mid-batch"),
    (signal.SIGKILL, "start-up"), (signal.SIGKILL, "mid-batch"),
], ids=lambda value: getattr(value, "name", value))
def test_a_signal_leaves_nothing_running_and_the_next_run_resumes(
        course, template_ws, tmp_path, sig, moment):
    ws = _workspace(template_ws, course, tmp_path / "ws")
    proc = _start(ws, course)
    if moment == "start-up":
        time.sleep(1.0)  # workers and kernel templates are starting
    else:
        _wait_for_journal(ws, 2, proc)
    if sig == signal.SIGINT:
        os.killpg(proc.pid, sig)  # what Ctrl-C in a terminal does
    else:
        os.kill(proc.pid, sig)
    run = _finish(proc, timeout=30)
    left = _gone_within(course, 5.0)
    assert left == [], f"still running 5 s after {sig.name}: {left}"
    if sig == signal.SIGKILL or run.code == -sig:
        # SIGTERM in the first moments, while Python still imports, ends the process by
        # the default action, before grading began: nothing was started yet.
        assert run.code == -sig and (sig == signal.SIGKILL or moment == "start-up"), run
    elif run.code != 0:  # a run may finish its last submission just as the signal lands
        assert run.code == 128 + sig, run.err
        said = run.err.strip().splitlines()[-1]
        stopped = (f"error: stopped by {sig.name}; what was graded is kept, run again to "
                   "grade the rest")
        # Ctrl-C while the command still imports: the CLI's own one line
        assert said == stopped or (moment, said) == ("start-up", "error: interrupted"), run.err
    finished = {o["learner"] for o in _journal(ws) if o["status"] == "graded"}
    _assert_complete(ws)

    again = _grade(ws, course)
    assert again.code == 0, again.out + again.err
    if sig == signal.SIGKILL:
        assert "cleared a stale grading lock" in again.err
    expected = {lr: ("skipped" if lr in finished else "graded")
                for lr in [*(f"learner-{i:02d}" for i in range(8)), "daemon"]}
    assert {lr: again.status(lr) for lr in expected} == expected
    book = _assert_complete(ws)
    assert set(book) == set(expected)
    assert _gone_within(course, 5.0) == []
    assert not list((ws / ".wbcourse").glob("incoming/*"))


def test_sigkill_with_fresh_kernel_processes_leaves_nothing(course, template_ws, tmp_path):
    ws = _workspace(template_ws, course, tmp_path / "ws")
    proc = _start(ws, course, "--executor", "kernel")
    _wait_for_journal(ws, 2, proc)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert _gone_within(course, 5.0) == []
    _assert_complete(ws)
    assert _grade(ws, course, "--executor", "kernel").code == 0


def test_a_killed_worker_fails_only_its_learner_and_exits_1(course, template_ws, tmp_path):
    ws = _workspace(template_ws, course, tmp_path / "ws", pause=1.5, daemon=False)
    proc = _start(ws, course)
    _wait_for_journal(ws, 1, proc)
    workers = [int(p) for p in Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
               .read_text().split()]
    assert len(workers) == 2, workers
    os.kill(workers[0], signal.SIGKILL)  # as the kernel's OOM killer would
    run = _finish(proc)
    assert run.code == 1, run.out + run.err
    crashed = [lr for lr, row in run.rows.items() if row[1] == "failed"]
    assert len(crashed) == 1 and "grader worker crashed (killed by SIGKILL)" in run.out
    assert sum(row[1] == "graded" for row in run.rows.values()) == 7
    assert _gone_within(course, 5.0) == []
    again = _grade(ws, course)
    assert again.code == 0 and again.status(crashed[0]) == "graded"


def test_a_killed_template_is_replaced_and_the_batch_goes_on(course, template_ws, tmp_path):
    ws = _workspace(template_ws, course, tmp_path / "ws", pause=1.0, daemon=False)
    proc = _start(ws, course)
    _wait_for_journal(ws, 1, proc)
    workers = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
    templates = [int(p) for w in workers
                 for p in Path(f"/proc/{w}/task/{w}/children").read_text().split()
                 if b"course.grading.template" in Path(f"/proc/{p}/cmdline").read_bytes()]
    assert len(templates) == 2, templates
    os.kill(templates[0], signal.SIGKILL)
    run = _finish(proc)
    assert run.code in (0, 1), run.out + run.err  # the learner whose kernel it held may fail
    assert sum(row[1] == "graded" for row in run.rows.values()) >= 7, run.out
    assert _gone_within(course, 5.0) == []
    again = _grade(ws, course)
    assert again.code == 0 and len(_assert_complete(ws)) == 8


# --------------------------------------------------------------------------- two runs


def test_a_second_run_refuses_or_waits_and_never_races(course, template_ws, tmp_path):
    ws = _workspace(template_ws, course, tmp_path / "ws", learners=6, pause=1.0, daemon=False)
    first = _start(ws, course)
    _wait_for_journal(ws, 1, first)
    refused = _grade(ws, course, "--force")
    assert refused.code == 1
    lines = refused.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "error: another 'wbcourse grade' is running on this workspace"), refused.err
    assert f"pid {first.pid}" in lines[0] and MODULE in lines[0]
    waiting = _start(ws, course, "--force", "--wait")
    one = _finish(first)
    two = _finish(waiting)
    assert (one.code, two.code) == (0, 0), one.err + two.err
    assert "waiting for the grading run already in this workspace" in two.err
    assert {row[1] for row in one.rows.values()} == {"graded"}
    assert {row[1] for row in two.rows.values()} == {"graded"}
    assert len(_assert_complete(ws)) == 6


# --------------------------------------------------------------------------- storage


@contextlib.contextmanager
def _tmpfs(size: str):
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mnt = Path(tempfile.mkdtemp(prefix="wbcourse-fault-tmpfs-"))
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mnt)],
                          capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)
        shutil.rmtree(mnt, ignore_errors=True)


def _fill(folder: Path) -> Path:
    """Fill the file system of ``folder`` to the last byte."""
    filler = folder / "filler.bin"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (1 << 20, 4096, 1):
            with contextlib.suppress(OSError):
                while os.write(fd, b"\0" * size):
                    pass
    finally:
        os.close(fd)
    return filler


def test_a_full_disk_stops_with_one_line_and_loses_nothing(course, template_ws, tmp_path):
    with _tmpfs("12m") as mnt:
        ws = _workspace(template_ws, course, mnt / "ws", learners=6, pause=0, daemon=False)
        first = _grade(ws, course, "--learner", "learner-00", "--learner", "learner-01")
        assert first.code == 0, first.out + first.err
        before = _gradebook(ws)
        status_before = (ws / ".wbcourse" / "status" / f"{MODULE}.json").read_bytes()
        filler = _fill(mnt)
        full = _grade(ws, course)
        assert full.code == 1, full.out + full.err
        last = full.err.strip().splitlines()[-1]
        assert last.startswith("error: stopped: cannot record results:"), full.err
        assert "what was graded is kept, run again to grade the rest" in last
        assert _gradebook(ws) == before, "a full disk changed the gradebook"
        assert (ws / ".wbcourse" / "status" / f"{MODULE}.json").read_bytes() == status_before
        assert _gone_within(course, 5.0) == []
        filler.unlink()
        resumed = _grade(ws, course)
        assert resumed.code == 0, resumed.out + resumed.err
        assert [resumed.status(f"learner-{i:02d}") for i in range(6)] == \
               ["skipped"] * 2 + ["graded"] * 4
        assert len(_assert_complete(ws)) == 6


def test_a_read_only_gradebook_is_one_line_and_grading_resumes(course, template_ws, tmp_path):
    if os.geteuid() != 0:
        pytest.skip("a read-only bind mount needs root")
    ws = _workspace(template_ws, course, tmp_path / "ws", learners=3, pause=0, daemon=False)
    db = ws / "gradebook.db"
    before = db.read_bytes()
    subprocess.run(["mount", "--bind", str(db), str(db)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(db)], check=True)
        run = _grade(ws, course)
    finally:
        subprocess.run(["umount", str(db)], check=True)
    assert run.code == 2, run.out + run.err
    assert run.err.strip().splitlines() == [
        f"error: the gradebook {ws.resolve()}/gradebook.db cannot be written (attempt to write "
        "a readonly database); nothing was graded"]
    assert db.read_bytes() == before
    assert _grade(ws, course).code == 0
    assert len(_assert_complete(ws)) == 3


def test_a_corrupt_gradebook_is_one_line_and_never_overwritten(course, template_ws, tmp_path):
    ws = _workspace(template_ws, course, tmp_path / "ws", learners=3, pause=0, daemon=False)
    assert _grade(ws, course, "--learner", "learner-00").code == 0
    db = ws / "gradebook.db"
    good = db.read_bytes()
    status_file = ws / ".wbcourse" / "status" / f"{MODULE}.json"
    status_before = status_file.read_bytes()
    corrupt = b"this is not a gradebook " * 400
    db.write_bytes(corrupt)
    run = _grade(ws, course)
    assert run.code == 2
    lines = run.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: the gradebook {ws.resolve()}/"
                                                   "gradebook.db cannot be read"), run.err
    assert "nothing was graded" in lines[0]
    assert db.read_bytes() == corrupt and status_file.read_bytes() == status_before
    db.write_bytes(good)  # the instructor restores the backup
    again = _grade(ws, course)
    assert again.code == 0
    assert [again.status(f"learner-{i:02d}") for i in range(3)] == ["skipped", "graded",
                                                                   "graded"]


# --------------------------------------------------------------------------- exit statuses


def test_exit_status_0_when_a_learner_notebook_is_broken(course, template_ws, tmp_path):
    ws = _workspace(template_ws, course, tmp_path / "ws", learners=2, pause=0, daemon=False)
    broken = ws / "submitted" / "broken" / MODULE
    broken.mkdir(parents=True)
    (broken / "mini.ipynb").write_text("{ not json", encoding="utf-8")
    run = _grade(ws, course)
    assert run.code == 0, run.out + run.err
    assert run.status("broken") == "failed" and "not valid notebook JSON" in run.out
    assert "1 broken submissions, 0 grader-side" in run.out
    assert {run.status("learner-00"), run.status("learner-01")} == {"graded"}


@pytest.mark.parametrize("args,message", ids=["module", "learner", "workspace"], argvalues=[
    (["99-nope"], "error: unknown module '99-nope'; known modules: 01-mini"),
    (["--learner", "nobody"], "error: no submission of 01-mini for: nobody"),
    (["--workspace-missing"], "error: no grading workspace at"),
])
def test_exit_status_2_for_bad_input(course, template_ws, tmp_path, args, message):
    ws = _workspace(template_ws, course, tmp_path / "ws", learners=1, pause=0, daemon=False)
    if args == ["99-nope"]:
        cmd = [WBCOURSE, "grade", "99-nope", "--workspace", str(ws)]
    elif args == ["--workspace-missing"]:
        cmd = [WBCOURSE, "grade", MODULE, "--workspace", str(tmp_path / "missing")]
    else:
        cmd = [WBCOURSE, "grade", MODULE, "--workspace", str(ws), *args]
    done = subprocess.run(cmd, env=_env(course), capture_output=True, text=True)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(message), done.stderr
    assert not (ws / "autograded" / "learner-00").exists()


def test_status_journal_keeps_whole_lines_only(tmp_path):
    """A line cut short (a kill or a full disk mid-write) is ignored, never half-read."""
    from course.grading import status

    status.record(tmp_path, MODULE, status.Outcome("ada", MODULE, "graded", 3.0, 5.0))
    path = status.journal_path(tmp_path, MODULE)
    with open(path, "ab") as f:
        f.write(json.dumps({"learner": "ben", "status": "graded"}).encode()[:20])
    assert set(status.load(tmp_path, MODULE)) == {"ada"}
    status.record(tmp_path, MODULE, status.Outcome("cy", MODULE, "graded", 1.0, 5.0))
    assert set(status.load(tmp_path, MODULE)) == {"ada", "cy"}
    assert status.compact(tmp_path, MODULE) and not path.exists()
    assert set(status.load(tmp_path, MODULE)) == {"ada", "cy"}


def test_catalog_of_the_fixture_course(course, monkeypatch):
    """The fault tests grade the fixture course's one module (sanity check of the set-up)."""
    monkeypatch.setenv("WBCOURSE_ROOT", str(course))
    catalog.modules.cache_clear()
    try:
        assert [m.id for m in catalog.modules()] == [MODULE]
    finally:
        catalog.modules.cache_clear()
