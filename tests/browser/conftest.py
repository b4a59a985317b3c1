"""Fixtures for the real-browser tests: Chromium, JupyterLab servers, pages, screenshots.

Two session-scoped JupyterLab servers are started on demand: one on a learner's
workspace (``wbcourse start``), one on an instructor's grading workspace (for the
formgrader). Each test gets a fresh browser context, and every kernel session is shut
down through the REST API before it starts. Screenshots go to ``test-artifacts/browser/``;
with ``UPDATE_SCREENSHOTS=1`` the README's pictures in ``docs/screenshots/`` are refreshed.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

sys.path.insert(0, str(Path(__file__).resolve().parent))

from coursemods import REPO  # noqa: E402
from gradingws import Grading, prepare_grading  # noqa: E402
from labserver import LabServer, start_lab  # noqa: E402
from labui import UI_TIMEOUT, Shot  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
ARTIFACTS = REPO / "test-artifacts" / "browser"
README_SHOTS = REPO / "docs" / "screenshots"
VIEWPORT: dict[str, int] = {"width": 1400, "height": 900}
GRADING_TIMEOUT = 900  # seconds for init + grading + server start on a busy machine

_FAILED = pytest.StashKey[bool]()


def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> None:
    """Remember whether the test body failed, so fixtures can save a failure screenshot."""
    if call.when == "call":
        item.stash[_FAILED] = call.excinfo is not None


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """``test-artifacts/browser/`` (gitignored), emptied of last run's screenshots."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    return ARTIFACTS


@pytest.fixture(scope="session")
def chromium_executable() -> Path:
    """Debian's Chromium; a clear failure (never a silent skip) when it is missing."""
    if not (CHROMIUM.exists() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"{CHROMIUM} is missing: the browser tests need Debian's chromium. "
                    "Run scripts/ensure_chromium.sh (as root) first; "
                    "do not run 'playwright install'.", pytrace=False)
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_executable: Path) -> Iterator[Browser]:
    """One headless Chromium for the whole session, driven by Python Playwright."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Python Playwright is missing: pip install -e '.[browser]' "
                    "(the browser itself comes from scripts/ensure_chromium.sh)", pytrace=False)

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(chromium_executable),
                                      args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def learner_lab(chromium_executable: Path, tmp_path_factory: pytest.TempPathFactory,
                artifacts: Path) -> Iterator[LabServer]:
    """JupyterLab on a learner's folder; each test adds its own ``wbcourse start`` workspace."""
    root = tmp_path_factory.mktemp("learner")
    home = tmp_path_factory.mktemp("learner-home")
    (artifacts / "learner-server.log").unlink(missing_ok=True)
    server = start_lab(root, home, artifacts / "learner-server.log")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def _grading_future(tmp_path_factory: pytest.TempPathFactory, artifacts: Path
                    ) -> Iterator[Future[Grading]]:
    """Prepare the grading workspace and its server in a background thread."""
    base = tmp_path_factory.mktemp("grading")
    home = tmp_path_factory.mktemp("grading-home")
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="grading") as pool:
        future = pool.submit(prepare_grading, base, home, ARTIFACTS)
        yield future
        try:
            grading = future.result(timeout=GRADING_TIMEOUT)
        except Exception:  # noqa: BLE001  (reported by the test that used it)
            return
        grading.server.stop()


@pytest.fixture(scope="session", autouse=True)
def _start_grading_early(request: pytest.FixtureRequest) -> None:
    """Start grading while the learner scenarios run, if a formgrader test is selected."""
    request.getfixturevalue("chromium_executable")  # fail fast, before any heavy setup
    if any("grading" in getattr(item, "fixturenames", ()) for item in request.session.items):
        request.getfixturevalue("_grading_future")


@pytest.fixture(scope="session")
def grading(_grading_future: Future[Grading]) -> Grading:
    """The ready grading workspace and its JupyterLab server (``root_dir`` = workspace)."""
    return _grading_future.result(timeout=GRADING_TIMEOUT)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the formgrader scenario last, so its grading overlaps the learner scenarios."""
    def late(item: pytest.Item) -> bool:
        return "grading" in getattr(item, "fixturenames", ())

    items.sort(key=late)  # stable: every other test keeps its place


@pytest.fixture
def shot(artifacts: Path) -> Shot:
    """``shot(page, "name")`` saves a screenshot to ``test-artifacts/browser/name.png``.

    ``readme="file.png"`` also copies it into ``docs/screenshots/`` when the environment
    has ``UPDATE_SCREENSHOTS=1`` (so ordinary runs never touch tracked files).
    """

    def take(page: Page, name: str, *, readme: str | None = None,
             full_page: bool = False) -> Path:
        path = artifacts / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        if readme and os.environ.get("UPDATE_SCREENSHOTS") == "1":
            README_SHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, README_SHOTS / readme)
        return path

    return take


def _page_for(server: LabServer, browser: Browser, request: pytest.FixtureRequest,
              artifacts: Path) -> Iterator[Page]:
    server.delete_sessions()  # no kernel left from an earlier test can be swapped in
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(UI_TIMEOUT)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield page
    finally:
        if request.node.stash.get(_FAILED, False):
            try:
                page.screenshot(path=str(artifacts / f"FAILED-{request.node.name}.png"))
            except Exception:  # noqa: BLE001  (a crashed page must not hide the failure)
                pass
            print(f"page errors: {errors}\n--- server log tail ---\n{server.log_tail()}")
        context.close()
        server.delete_sessions()


@pytest.fixture
def learner_page(learner_lab: LabServer, browser: Browser, request: pytest.FixtureRequest,
                 artifacts: Path) -> Iterator[Page]:
    """A fresh browser page for the learner server, with no kernel sessions running."""
    yield from _page_for(learner_lab, browser, request, artifacts)


@pytest.fixture
def grader_page(grading: Grading, browser: Browser, request: pytest.FixtureRequest,
                artifacts: Path) -> Iterator[Page]:
    """A fresh browser page for the instructor's (grading workspace) server."""
    yield from _page_for(grading.server, browser, request, artifacts)


@pytest.fixture
def learner_workspace(learner_lab: LabServer, request: pytest.FixtureRequest) -> Path:
    """An empty folder inside the learner server's root, named after the test."""
    folder = learner_lab.root / request.node.name.replace("[", "-").replace("]", "")
    folder.mkdir()
    return folder
