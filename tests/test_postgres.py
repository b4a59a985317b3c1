"""A shared PostgreSQL gradebook (``--db-url``) works like the SQLite default.

The fixture starts a throw-away PostgreSQL server on 127.0.0.1 (a free port) from the
Debian ``postgresql`` package, which ``scripts/ensure_system_deps.sh`` installs.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def _pg_bin(name: str) -> str:
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    found = shutil.which(name) or (candidates[-1] if candidates else None)
    if not found:
        pytest.fail(f"{name} not found: run scripts/ensure_system_deps.sh to install PostgreSQL")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres_url():
    # not under pytest's tmp dir: that is private to root, and the server runs as postgres
    base = Path(tempfile.mkdtemp(prefix="wbcourse-pg-"))
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    as_user: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        user = "postgres"
        try:
            pw = pwd.getpwnam(user)
        except KeyError:
            pytest.fail("no 'postgres' user: install the Debian postgresql package")
        for p in (base, sock):
            os.chown(p, pw.pw_uid, pw.pw_gid)
        base.chmod(0o755)
        as_user = ["runuser", "-u", user, "--"]
    subprocess.run([*as_user, _pg_bin("initdb"), "-D", str(data), "-A", "trust", "-U", "grader"],
                   check=True, capture_output=True)
    port = _free_port()
    log = base / "pg.log"
    subprocess.run([*as_user, _pg_bin("pg_ctl"), "-D", str(data), "-l", str(log), "-w",
                    "-o", f"-h 127.0.0.1 -p {port} -k {sock}", "start"], check=True,
                   capture_output=True)
    try:
        for _ in range(50):
            ready = subprocess.run([_pg_bin("pg_isready"), "-h", "127.0.0.1", "-p", str(port)],
                                   capture_output=True)
            if ready.returncode == 0:
                break
            time.sleep(0.1)
        subprocess.run([_pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "grader",
                        "gradebook"], check=True, capture_output=True)
        yield f"postgresql://grader@127.0.0.1:{port}/gradebook"
    finally:
        subprocess.run([*as_user, _pg_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def test_grading_into_a_shared_postgres_gradebook(mini_course, tmp_path, postgres_url):
    import nbformat

    from course import paths
    from course.grading.export import export
    from course.grading.grade import grade
    from course.grading.scores import submission_scores
    from course.grading.workspace import init_workspace, open_workspace
    from course.samples import SampleLearner, build_notebook

    ws = init_workspace(tmp_path / "ws", db_url=postgres_url)
    assert open_workspace(ws.root).db_url == postgres_url
    exercise = nbformat.read(paths.exercises_dir() / "01-mini" / "mini.ipynb", as_version=4)
    solution = nbformat.read(paths.solutions_dir() / "01-mini" / "mini.ipynb", as_version=4)
    for i in range(4):
        nb = build_notebook(exercise, solution, SampleLearner(f"l{i}", (0, 1), "", "solution", {}))
        folder = ws.submitted / f"learner{i}" / "01-mini"
        folder.mkdir(parents=True)
        nbformat.write(nb if i % 2 else exercise, folder / "mini.ipynb")
    outcomes = grade(ws, "01-mini", workers=2, sandbox=False)
    assert [o.status for o in outcomes] == ["graded"] * 4
    scores = [submission_scores(postgres_url, "01-mini", f"learner{i}")[0] for i in range(4)]
    assert scores[0] == 0 and scores[1] > 0 and scores[1] == scores[3]
    # a second instructor on another workspace sees the same gradebook
    other = init_workspace(tmp_path / "ws2", db_url=postgres_url)
    rows = export(other, tmp_path / "grades.csv", fmt="csv")
    assert rows == 4
    assert Path(tmp_path / "grades.csv").read_text().count("learner") >= 4
