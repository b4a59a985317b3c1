"""Last of the hub tests: stopping the hub stops everything, ``hub remove`` removes the rest."""

from __future__ import annotations

from pathlib import Path

import pytest
from hubctl import Cohort, HubRun, processes_of, wbcourse

pytestmark = pytest.mark.hub


def test_stopping_the_hub_stops_every_server_and_remove_deletes_the_accounts(
        hub: HubRun, cohort_names: Cohort) -> None:
    from course.hub import accounts

    s = hub.settings
    hub.spawn(s.learners[0])  # at least one learner's server is up when the hub stops
    assert processes_of(hub.accounts()), "expected servers running as the cohort's accounts"
    forced = hub.stop()
    assert forced == [], f"the hub left processes behind that had to be killed: {forced}"
    assert processes_of(hub.accounts()) == []
    assert not (hub.hub_dir / "state" / "jupyterhub.pid").exists()

    out = wbcourse("hub", "remove", str(hub.hub_dir), "--delete-accounts")
    assert "removed account" in out.stdout
    for user in cohort_names.accounts:
        assert not accounts.user_exists(user), f"account {user} is still there"
        assert not Path(f"/home/{user}").exists()
    for group in cohort_names.groups:
        assert not accounts.group_exists(group), f"group {group} is still there"
    assert not hub.hub_dir.exists()
    assert not (Path(s.exchange) / s.course).exists()
