"""A real JupyterHub for the ``hub`` tests: one cohort, built once per session.

``wbcourse hub env`` builds the learners' environment from the learner wheel (the one
``make wheel`` built when ``WBCOURSE_DIST`` names its folder) in a folder under /tmp every
account can read; ``wbcourse hub init --create-accounts``
makes an instructor and four learner accounts with unique names; ``wbcourse hub start``
runs JupyterHub and configurable-http-proxy on 127.0.0.1 with free ports. At the end the
hub is stopped, and ``wbcourse hub remove --delete-accounts`` (then a fallback by name)
removes every account, group and folder, also when a test failed.

Set ``WBCOURSE_HUB_TEST_ENV=/path/to/env`` to reuse an environment built by
``wbcourse hub env`` (saves a minute while developing).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from flow import MODULE  # noqa: E402
from hubctl import REPO, Cohort, HubRun, remove_leftovers, wbcourse  # noqa: E402

ARTIFACTS = REPO / "test-artifacts" / "hub"
#: run last, in this order, among the hub tests
_LATE = ("test_hub_browser", "test_hub_cleanup")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The browser scenario after the API scenarios; the clean-up check last of all."""
    def rank(item: pytest.Item) -> int:
        module = Path(str(item.fspath)).stem
        return _LATE.index(module) + 1 if module in _LATE else 0

    items.sort(key=rank)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def hub_root() -> Iterator[Path]:
    """A folder under /tmp every account can enter (mkdtemp makes it 0700)."""
    if os.geteuid() != 0:
        pytest.skip("the hub tests create Unix accounts with useradd and start servers as "
                    "them: run them as root")
    if shutil.which("configurable-http-proxy") is None:
        pytest.fail("configurable-http-proxy is missing: run scripts/ensure_system_deps.sh "
                    "(npm install -g configurable-http-proxy)", pytrace=False)
    base = Path(tempfile.mkdtemp(prefix="wbhub-", dir="/tmp"))
    os.chmod(base, 0o755)
    yield base
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def hub_python(hub_root: Path) -> Path:
    """The learners' environment (built by ``wbcourse hub env``)."""
    reuse = os.environ.get("WBCOURSE_HUB_TEST_ENV")
    if reuse:
        return Path(reuse) / "bin" / "python"
    wheel = []
    dist = os.environ.get("WBCOURSE_DIST")  # make test builds the wheel once for every suite
    if dist:
        found = sorted(Path(dist).glob("working_backwards_course-*.whl"))
        assert found, f"no learner wheel in WBCOURSE_DIST={dist}"
        wheel = ["--wheel", str(found[-1])]
    wbcourse("hub", "env", str(hub_root / "env"), *wheel, timeout=1800)
    return hub_root / "env" / "bin" / "python"


@pytest.fixture(scope="session")
def cohort_names() -> Cohort:
    return Cohort()


@pytest.fixture(scope="session")
def hub(hub_root: Path, hub_python: Path, cohort_names: Cohort, artifacts: Path
        ) -> Iterator[HubRun]:
    """The running hub, module 08 published to its exchange by the instructor."""
    names = cohort_names
    hub_dir = hub_root / "hub"
    run: HubRun | None = None
    try:
        wbcourse("hub", "init", str(hub_dir), "--course", names.course,
                 "--instructor", names.instructor,
                 "--learners", str(names.roster(hub_root / "roster.csv")),
                 "--create-accounts", "--python", str(hub_python), "--module", MODULE,
                 timeout=900)
        log = artifacts / "hub.log"
        log.unlink(missing_ok=True)
        run = HubRun.start(hub_dir, log)
        run.instructor("release", MODULE, "--to-exchange", "--workspace",
                       run.settings.course_dir)
        yield run
    finally:
        if run is not None:
            run.stop()
        if (hub_dir / "hub.toml").exists():
            wbcourse("hub", "remove", str(hub_dir), "--delete-accounts", check=False)
        remove_leftovers(names)
