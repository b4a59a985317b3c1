"""Bad input around a hub: one-line errors, exit 2, nothing half-created or half-started."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from flow import MODULE
from hubctl import REPO, Cohort, HubRun, remove_leftovers, wbcourse

pytestmark = pytest.mark.hub


def _error(result) -> str:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    err = result.stderr
    assert err.startswith("error: ") and err.count("\n") == 1, err
    return err


def test_a_failed_init_leaves_no_account_group_or_folder(hub_root: Path) -> None:
    """Accounts are created, then the environment turns out unusable for learners: all undone.

    The repository's own virtualenv is an editable install: learners would either not be
    able to run it (a checkout under /root) or would see solutions/ through it.
    """
    from course.hub import accounts

    names = Cohort()
    target = hub_root / "failed-hub"
    try:
        result = wbcourse("hub", "init", str(target), "--course", names.course,
                          "--instructor", names.instructor,
                          "--learners", str(names.roster(hub_root / "failed-roster.csv")),
                          "--create-accounts", "--python", sys.executable, "--module", MODULE,
                          check=False, timeout=900)
        err = _error(result)
        assert "nothing was left behind" in err
        assert not target.exists()
        for user in names.accounts:
            assert not accounts.user_exists(user), f"{user} was left behind"
            assert not Path(f"/home/{user}").exists()
        for group in names.groups:
            assert not accounts.group_exists(group), f"{group} was left behind"
    finally:
        assert remove_leftovers(names) == []


def test_a_port_in_use_stops_the_start(hub: HubRun) -> None:
    result = wbcourse("hub", "start", str(hub.hub_dir), "--port", str(hub.port), check=False,
                      timeout=120)
    assert f"port {hub.port} on 127.0.0.1 is in use" in _error(result)


@pytest.fixture(scope="module")
def simple_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A hub folder for load tests (no accounts): the exchange checks need no real cohort."""
    base = tmp_path_factory.mktemp("simple-hub")
    roster = base / "roster.csv"
    roster.write_text("username,name,email\nada,Ada,\n")
    hub_dir = base / "hub"
    wbcourse("hub", "init", str(hub_dir), "--course", "wbsimple", "--instructor", "ines",
             "--learners", str(roster), "--spawner", "simple", "--python", sys.executable,
             "--module", MODULE)
    yield hub_dir


def test_start_refuses_an_exchange_with_wrong_permissions(simple_hub: Path) -> None:
    xroot = simple_hub / "exchange"
    inbound = xroot / "wbsimple" / "inbound"
    try:
        os.chmod(xroot, 0o755)
        result = wbcourse("hub", "start", str(simple_hub), check=False, timeout=120)
        assert "has mode 0755; nbgrader needs 1777" in _error(result)
        os.chmod(xroot, 0o1777)
        os.chmod(inbound, 0o777)
        result = wbcourse("hub", "start", str(simple_hub), check=False, timeout=120)
        assert "inbound has mode 0777, expected 2773" in _error(result)
    finally:
        os.chmod(xroot, 0o1777)
        os.chmod(inbound, 0o2773)


def test_exchange_commands_explain_what_is_missing(simple_hub: Path) -> None:
    ws = str(simple_hub / "grading")
    env = {"WBCOURSE_ROOT": str(simple_hub / "grading" / "course-source")}
    not_released = wbcourse("collect", MODULE, "--workspace", ws, "--from", "exchange",
                            env=env, check=False)
    assert f"{MODULE} is not released to the exchange of wbsimple" in _error(not_released)

    wbcourse("release", MODULE, "--to-exchange", "--workspace", ws, env=env)
    again = wbcourse("release", MODULE, "--to-exchange", "--workspace", ws, env=env,
                     check=False)
    assert "already in the exchange" in _error(again)
    assert "published" in wbcourse("release", MODULE, "--to-exchange", "--force",
                                   "--workspace", ws, env=env).stdout
    nothing = wbcourse("collect", MODULE, "--workspace", ws, "--from", "exchange", env=env)
    assert "imported 0 submission(s)" in nothing.stdout

    unknown = wbcourse("release", "99-nope", "--to-exchange", "--workspace", ws, env=env,
                       check=False)
    assert "unknown module" in _error(unknown)

    config = Path(ws) / "nbgrader_config.py"
    original = config.read_text()
    try:
        config.write_text(original + "\nc.CourseDirectory.course_id = 'nosuchcourse'\n")
        unknown_course = wbcourse("collect", MODULE, "--workspace", ws, "--from", "exchange",
                                  env=env, check=False)
        assert "unknown course id 'nosuchcourse'" in _error(unknown_course)
    finally:
        config.write_text(original)


def test_the_simple_hub_has_nbgraders_layout(simple_hub: Path) -> None:
    import stat

    from course.hub import exchange

    course_x = simple_hub / "exchange" / "wbsimple"
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in course_x.iterdir()}
    assert modes == {"inbound": exchange.INBOUND_MODE, "outbound": exchange.OUTBOUND_MODE,
                     "feedback": exchange.FEEDBACK_MODE}
    assert stat.S_IMODE((simple_hub / "exchange").stat().st_mode) == 0o1777
    assert stat.S_IMODE((simple_hub / "secrets").stat().st_mode) == 0o700
    assert (REPO / "solutions").is_dir()  # the copy in the course folder came from here
    assert (simple_hub / "grading" / "course-source" / "solutions" / MODULE).is_dir()
