"""``wbcourse hub`` without a running hub: roster, generated config, bad input, exchange pieces."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from traitlets.config import Config

from course.cli import main
from course.errors import CourseError
from course.hub import config as hubconfig
from course.hub import exchange
from course.hub.layout import Layout, Settings
from course.hub.roster import parse_roster

ROSTER = "username,name,email\nada,Ada Okafor,ada@example.org\ngrace,Grace L,\n"


# ------------------------------------------------------------------ roster

@pytest.mark.parametrize(("text", "message"), [
    ("user,name\nada,Ada\n", "header must be 'username,name,email'"),
    ("username,name,email\nada,,\nbob,,\nada,,\n", "line 4: duplicate username 'ada'"),
    ("username,name,email\nAda,,\n", "username 'Ada' is not a valid account name"),
    ("username,name,email\nada smith,,\n", "is not a valid account name"),
    ("username,name,email\n1ada,,\n", "is not a valid account name"),
    ("username,name,email\nada,,not-an-address\n", "is not an e-mail address"),
    ("username,name,email\n", "lists nobody"),
])
def test_bad_rosters_are_one_line_errors(text: str, message: str) -> None:
    with pytest.raises(CourseError, match=message) as err:
        parse_roster(text, "cohort.csv")
    assert "\n" not in str(err.value)


def test_roster_reads_names_and_skips_blank_lines() -> None:
    people = parse_roster("\ufeffUsername,Name,Email\n\nada,Ada Okafor,ada@example.org\n\n")
    assert [(p.username, p.first_name, p.last_name, p.email) for p in people] == \
        [("ada", "Ada", "Okafor", "ada@example.org")]


# ------------------------------------------------------------------ generated files

def _settings(tmp_path: Path, spawner: str = "local") -> tuple[Layout, Settings]:
    layout = Layout(tmp_path / "hub")
    s = Settings(course="wb1", instructor="ines", learners=("ada", "grace"),
                 python="/opt/wb/env/bin/python", exchange=str(tmp_path / "x"),
                 course_dir="/home/ines/wb1", spawner=spawner, port=8123)
    return layout, s


class _Spawner:
    def __init__(self, name: str) -> None:
        self.user = type("User", (), {"name": name})()


def _load_hub_config(layout: Layout, s: Settings) -> Config:
    layout.secrets.mkdir(parents=True)
    layout.proxy_token.write_text("t" * 64)
    layout.config.write_text(hubconfig.jupyterhub_config(layout, s))
    c = Config()
    code = compile(layout.config.read_text(), str(layout.config), "exec")
    exec(code, {"get_config": lambda: c, "__file__": str(layout.config),
                "load_subconfig": lambda path: None})
    return c


def test_hub_config_runs_and_sets_up_the_cohort(tmp_path: Path) -> None:
    layout, s = _settings(tmp_path)
    c = _load_hub_config(layout, s)
    assert c.JupyterHub.authenticator_class == "pam"
    assert c.JupyterHub.spawner_class == "localprocess"
    assert c.Authenticator.allowed_users == {"ada", "grace", "ines"}
    assert c.Authenticator.admin_users == {"ines"}
    assert c.JupyterHub.load_groups["nbgrader-wb1"]["users"] == ["ada", "grace"]
    assert c.JupyterHub.load_groups["formgrade-wb1"]["users"] == ["ines"]
    service = c.JupyterHub.services[0]
    assert service["name"] == "wb1" and service["user"] == "ines"
    assert service["cwd"] == "/home/ines/wb1"
    assert service["command"] == ["/opt/wb/env/bin/jupyterhub-singleuser"]
    assert service["environment"]["WBCOURSE_ROOT"] == "/home/ines/wb1/course-source"
    assert c.JupyterHub.port == 8123 and c.JupyterHub.ip == "127.0.0.1"
    env = c.Spawner.environment
    learner, instructor = _Spawner("ada"), _Spawner("ines")
    assert env["JUPYTER_CONFIG_PATH"](learner) == \
        f"{layout.role_dir('learner')}:{layout.common}"
    assert env["JUPYTER_CONFIG_PATH"](instructor).startswith(str(layout.role_dir("instructor")))
    assert env["WBCOURSE_ROOT"](learner) == ""
    assert env["WBCOURSE_ROOT"](instructor) == "/home/ines/wb1/course-source"
    assert env["PATH"].startswith("/opt/wb/env/bin:")


def test_hub_start_chooses_ports_through_the_environment(tmp_path: Path, monkeypatch) -> None:
    layout, s = _settings(tmp_path)
    monkeypatch.setenv("WBCOURSE_HUB_PORT", "9001")
    monkeypatch.setenv("WBCOURSE_HUB_FORMGRADER_PORT", "9002")
    c = _load_hub_config(layout, s)
    assert c.JupyterHub.port == 9001
    assert c.JupyterHub.services[0]["url"] == "http://127.0.0.1:9002"


def test_load_test_mode_runs_everything_as_the_hub_user(tmp_path: Path) -> None:
    layout, s = _settings(tmp_path, spawner="simple")
    c = _load_hub_config(layout, s)
    assert c.JupyterHub.spawner_class == "simple"
    assert c.JupyterHub.authenticator_class == "null"
    assert "user" not in c.JupyterHub.services[0]
    learner = hubconfig.role_nbgrader_config("learner", s)
    assert "student_id" in learner and "JUPYTERHUB_USER" in learner


def test_each_role_gets_its_extensions(tmp_path: Path) -> None:
    layout, s = _settings(tmp_path)
    files = hubconfig.role_files(layout, s)

    def page(role: str) -> set[str]:
        path = layout.role_dir(role) / "labconfig" / "page_config.json"
        return set(json.loads(files[path])["disabledExtensions"])

    def server(role: str) -> dict[str, bool]:
        path = layout.role_dir(role) / "jupyter_server_config.json"
        return json.loads(files[path])["ServerApp"]["jpserver_extensions"]

    assert page("learner") == {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:course-list",
                               "@jupyter/nbgrader:create-assignment"}
    assert page("instructor") == {"@jupyter/nbgrader:formgrader",
                                  "@jupyter/nbgrader:create-assignment"}
    assert page("formgrader") == {"@jupyter/nbgrader:assignment-list",
                                  "@jupyter/nbgrader:course-list"}
    assert server("learner")["nbgrader.server_extensions.formgrader"] is False
    assert server("learner")["nbgrader.server_extensions.assignment_list"] is True
    assert server("instructor")["nbgrader.server_extensions.course_list"] is True
    assert server("formgrader")["nbgrader.server_extensions.formgrader"] is True
    for path, text in files.items():
        if path.suffix == ".py":
            compile(text, str(path), "exec")
    common = files[layout.common / "nbgrader_config.py"]
    assert "course_id = 'wb1'" in common and "JupyterHubAuthPlugin" in common
    assert "PrivateSubmit" in files[layout.role_dir("learner") / "nbgrader_config.py"]


# ------------------------------------------------------------------ bad input

def _init(tmp_path: Path, *extra: str, roster: str = ROSTER, course: str = "wb1") -> list[str]:
    (tmp_path / "roster.csv").write_text(roster)
    return ["hub", "init", str(tmp_path / "hub"), "--course", course, "--instructor", "ines",
            "--learners", str(tmp_path / "roster.csv"), *extra]


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    return err


@pytest.mark.parametrize(("args", "roster", "course", "message"), [
    ((), ROSTER, "Course 1", "course id 'Course 1' is not valid"),
    ((), ROSTER + "ada,Again,\n", "wb1", "duplicate username 'ada'"),
    ((), ROSTER + "Bad.Name,,\n", "wb1", "not a valid account name"),
    ((), ROSTER + "ines,Ines,\n", "wb1", "also on the roster"),
    (("--port", "70000"), ROSTER, "wb1", "is not a TCP port"),
    (("--ssl-cert", "/nonexistent.pem"), ROSTER, "wb1", "--ssl-cert and --ssl-key"),
])
def test_hub_init_refuses_bad_input_and_creates_nothing(tmp_path, capsys, args, roster,
                                                       course, message) -> None:
    assert main(_init(tmp_path, *args, roster=roster, course=course)) == 2
    assert message in _one_line_error(capsys)
    assert not (tmp_path / "hub").exists()


def test_hub_init_refuses_an_exchange_with_wrong_permissions(tmp_path, capsys) -> None:
    xroot = tmp_path / "exchange"
    xroot.mkdir(mode=0o755)
    os.chmod(xroot, 0o755)
    code = main(_init(tmp_path, "--spawner", "simple", "--exchange", str(xroot)))
    assert code == 2
    assert "has mode 0755; nbgrader needs 1777" in _one_line_error(capsys)
    assert not (tmp_path / "hub").exists() and list(xroot.iterdir()) == []


def test_hub_init_refuses_a_folder_in_use(tmp_path, capsys) -> None:
    (tmp_path / "hub").mkdir()
    (tmp_path / "hub" / "notes.txt").write_text("mine")
    assert main(_init(tmp_path, "--spawner", "simple")) == 2
    assert "is not an empty folder" in _one_line_error(capsys)
    assert [p.name for p in (tmp_path / "hub").iterdir()] == ["notes.txt"]


def test_hub_start_on_a_folder_that_is_no_hub(tmp_path, capsys) -> None:
    assert main(["hub", "start", str(tmp_path)]) == 2
    assert "is not a hub folder" in _one_line_error(capsys)


def test_missing_roster_file(tmp_path, capsys) -> None:
    args = ["hub", "init", str(tmp_path / "hub"), "--course", "wb1", "--instructor", "ines",
            "--learners", str(tmp_path / "nope.csv")]
    assert main(args) == 2
    assert "no such roster file" in _one_line_error(capsys)


# ------------------------------------------------------------------ exchange pieces

def test_exchange_root_must_be_world_writable_and_sticky(tmp_path: Path) -> None:
    root = tmp_path / "x"
    root.mkdir()
    os.chmod(root, 0o777)
    with pytest.raises(CourseError, match="0777; nbgrader needs 1777"):
        exchange.check_root(root)
    os.chmod(root, 0o1777)
    exchange.check_root(root)
    with pytest.raises(CourseError, match="no exchange folder"):
        exchange.check_root(tmp_path / "missing")


def test_answer_markers_are_found(tmp_path: Path) -> None:
    (tmp_path / "a.ipynb").write_text('{"cells": [{"source": "x = 1"}]}')
    assert exchange.answer_leaks(tmp_path) == []
    (tmp_path / "b.ipynb").write_text('{"cells": [{"source": "### BEGIN SOLUTION\\nx = 1"}]}')
    assert exchange.answer_leaks(tmp_path) == ["b.ipynb"]


def test_every_committed_release_is_free_of_answer_markers() -> None:
    from course import paths

    for module in sorted(p for p in paths.exercises_dir().iterdir() if p.is_dir()):
        assert exchange.answer_leaks(module) == [], module.name


_SUBMIT = """
import os, sys
from traitlets.config import Config
from nbgrader.auth import Authenticator
from nbgrader.coursedir import CourseDirectory
from course.hub.exchange import PrivateSubmit
c = Config()
c.CourseDirectory.course_id = "wb1"
c.CourseDirectory.assignment_id = "08-mini"
c.Exchange.root = sys.argv[1]
c.Exchange.cache = sys.argv[2]
c.Exchange.assignment_dir = sys.argv[3]
submit = PrivateSubmit(coursedir=CourseDirectory(config=c), authenticator=Authenticator(config=c),
                       config=c)
submit.start()
"""


def test_private_submit_leaves_work_to_its_author_and_the_graders(tmp_path: Path) -> None:
    root = tmp_path / "x"
    (root / "wb1" / "outbound" / "08-mini").mkdir(parents=True)
    (root / "wb1" / "outbound" / "08-mini" / "mini.ipynb").write_text('{"cells": []}')
    inbound = root / "wb1" / "inbound"
    inbound.mkdir()
    os.chmod(root, 0o1777)
    os.chmod(inbound, exchange.INBOUND_MODE)
    work = tmp_path / "home" / "08-mini"
    work.mkdir(parents=True)
    (work / "mini.ipynb").write_text('{"cells": [], "answer": 42}')
    (work / "data").mkdir()
    (work / "data" / "notes.txt").write_text("mine")
    result = subprocess.run([sys.executable, "-c", _SUBMIT, str(root), str(tmp_path / "cache"),
                             str(tmp_path / "home")], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    [box] = list(inbound.iterdir())
    assert stat.S_IMODE(box.stat().st_mode) == exchange.PRIVATE_DIR_MODE
    names = {p.relative_to(box).as_posix(): stat.S_IMODE(p.stat().st_mode)
             for p in box.rglob("*")}
    assert {"mini.ipynb", "timestamp.txt", "submission_secret.txt", "data/notes.txt"} <= set(names)
    for name, mode in names.items():
        expected = exchange.PRIVATE_DIR_MODE if (box / name).is_dir() \
            else exchange.PRIVATE_FILE_MODE
        assert mode == expected, (name, oct(mode))
    assert json.loads((box / "mini.ipynb").read_text())["answer"] == 42


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a folder to another account needs root")
def test_collect_skips_a_submission_made_by_someone_else(tmp_path: Path) -> None:
    import pwd

    from course.grading.collect import CollectReport, _from_exchange
    from course.grading.workspace import Workspace

    inbound = tmp_path / "inbound"
    entry = inbound / "ada+01-mini+2025-01-10 09:00:00.000000 UTC+abc"
    entry.mkdir(parents=True)
    (entry / "mini.ipynb").write_text('{"cells": []}')
    nobody = pwd.getpwnam("nobody")
    os.chown(entry, nobody.pw_uid, nobody.pw_gid)
    report = CollectReport("01-mini", tmp_path / "submitted")
    found = _from_exchange(Workspace(tmp_path), "01-mini", [inbound], report)
    assert found == []
    assert "handed in by nobody, not by ada" in report.skipped[0].reason


def test_feedback_release_explains_what_it_cannot_send(tmp_path: Path) -> None:
    from course.grading.workspace import Workspace

    ws = Workspace(tmp_path)
    page = tmp_path / "feedback" / "ada" / "08-x" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text("<html></html>")
    sub = tmp_path / "submitted" / "ada" / "08-x"
    sub.mkdir(parents=True)
    (sub / "x.ipynb").write_text("{}")
    out = tmp_path / "stage"
    reason = exchange._stage(ws, "08-x", "ada", out)
    assert reason and "did not come through the exchange" in reason
    (sub / "timestamp.txt").write_text("2025-01-10 09:00:00.000000 UTC")
    (sub / "submission_secret.txt").write_text("s" * 128)
    assert exchange._stage(ws, "08-x", "ada", out) is None
    assert (out / "x.html").read_text() == "<html></html>"
    assert stat.S_IMODE((out / "x.html").stat().st_mode) == 0o644
    assert exchange._stage(ws, "08-x", "bob", tmp_path / "s2").startswith("no feedback page")
