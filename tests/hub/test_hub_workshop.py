"""A workshop on a real JupyterHub, driven through its REST API with a service token.

Three learners' servers are started through the hub's API; each fetches module 08 from
nbgrader's exchange, writes an answer into the answer cell and submits, as the
Assignments tab does. The instructor (their own Unix account, the hub's environment)
collects from the exchange, grades, writes feedback and releases it through nbgrader's
exchange; each learner fetches their own. Then, as each learner's Unix account: nobody
reads another's work or feedback, nor the instructor's course folder.
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from flow import (
    MODULE,
    STRONG,
    WEAK,
    checks_grade_id,
    fetch_write_submit,
    notebook_path,
)
from hubctl import HubRun

pytestmark = pytest.mark.hub

#: what learner 1, 2 and 3 hand in: a strong summary, a weak one, the release untouched
ANSWERS = (STRONG, WEAK, None)


@dataclass
class Workshop:
    hub: HubRun
    learners: list[str]
    submitted: dict[str, dict[str, Any]]
    collect_output: str
    grades: dict[str, dict[str, Any]]
    checks_id: str  # the graded cell that scores the written answer
    feedback: dict[str, Path]  # learner -> fetched feedback page (in their home)
    inbound: dict[str, Path]  # learner -> their submission folder in the exchange


@pytest.fixture(scope="module")
def workshop(hub: HubRun) -> Workshop:
    s = hub.settings
    learners = list(s.learners[:3])
    with ThreadPoolExecutor(max_workers=3) as pool:
        list(pool.map(hub.spawn, learners))
    with ThreadPoolExecutor(max_workers=3) as pool:
        handed = list(pool.map(lambda pair: fetch_write_submit(hub, *pair),
                               zip(learners, ANSWERS, strict=True)))
    submitted = dict(zip(learners, handed, strict=True))

    ws = s.course_dir
    collected = hub.instructor("collect", MODULE, "--workspace", ws, "--from", "exchange")
    hub.instructor("grade", MODULE, "--workspace", ws, "--workers", "2", "--no-progress")
    export = Path(ws) / "grades.json"
    hub.instructor("export", "--workspace", ws, "-o", str(export))
    grades = {row["learner"]: row for row in json.loads(export.read_text())
              if row["module"] == MODULE}
    hub.instructor("feedback", MODULE, "--workspace", ws, "--to-exchange")

    feedback = {}
    for learner in learners:
        listed = hub.assignments(learner, "fetch_feedback", MODULE)
        pages = [sub["local_feedback_path"] for a in listed if a["status"] == "submitted"
                 for sub in a["submissions"] if sub.get("local_feedback_path")]
        assert pages, f"{learner} fetched no feedback: {json.dumps(listed)[:800]}"
        feedback[learner] = _page_in(Path(f"/home/{learner}"), pages[-1])

    released = Path(s.exchange) / s.course / "outbound" / MODULE
    cells = json.loads(next(released.glob("*.ipynb")).read_text())["cells"]
    inbound = {}
    box = Path(s.exchange) / s.course / "inbound"
    for entry in box.iterdir():
        owner = entry.name.split("+", 1)[0]
        if owner in learners:
            inbound[owner] = entry
    return Workshop(hub, learners, submitted, collected.stdout, grades,
                    checks_grade_id(cells), feedback, inbound)


def _page_in(home: Path, listed_path: str) -> Path:
    """The fetched page: nbgrader lists its folder, relative to the learner's home."""
    folder = Path(listed_path)
    folder = folder if folder.is_absolute() else home / folder
    pages = sorted(folder.glob("*.html"))
    assert pages, f"no feedback page in {folder}"
    return pages[0]


def test_every_submission_is_collected_and_graded(workshop: Workshop) -> None:
    for learner in workshop.learners:
        assert learner in workshop.collect_output, workshop.collect_output
    assert "imported 3 submission(s)" in workshop.collect_output
    assert set(workshop.grades) == set(workshop.learners)
    bad = {u: {k: row.get(k) for k in ("status", "score", "problems")}
           for u, row in workshop.grades.items() if row["status"] != "graded"}
    assert not bad, json.dumps(bad, indent=1)


def test_grades_follow_what_each_learner_wrote(workshop: Workshop) -> None:
    strong, weak, untouched = (workshop.grades[u] for u in workshop.learners)
    checks = workshop.checks_id
    assert checks in strong, f"no column {checks} in the export: {sorted(strong)}"
    assert strong[checks] > weak[checks] >= 0, (strong[checks], weak[checks])
    assert untouched[checks] == 0
    assert strong["score"] > untouched["score"]


def test_each_learner_fetches_their_own_feedback(workshop: Workshop) -> None:
    hub = workshop.hub
    for learner, page in workshop.feedback.items():
        text = hub.as_user(learner, _READ, str(page))
        assert text["ok"], f"{learner} cannot read their feedback {page}: {text}"
        html = text["text"]
        assert f"<strong>{learner}</strong>" in html, f"the page of {learner} names someone else"
        others = [u for u in workshop.learners if u != learner]
        assert not any(u in html for u in others), f"{learner}'s page mentions another learner"
    strong_page = workshop.hub.as_user(workshop.learners[0], _READ,
                                       str(workshop.feedback[workshop.learners[0]]))["text"]
    assert "14 integration bugs" in strong_page, "the page should quote the learner's own answer"


_READ = """
import json, sys
try:
    text = open(sys.argv[1], encoding="utf-8").read()
    print(json.dumps({"ok": True, "text": text}))
except OSError as exc:
    print(json.dumps({"ok": False, "error": type(exc).__name__}))
"""

#: each check: (what, path) -> "ok" | "denied" | "missing"
_TRY = """
import json, os, sys
out = {}
for name, kind, path in json.loads(sys.argv[1]):
    try:
        if kind == "list":
            os.listdir(path)
        else:
            with open(path, "rb") as fh:
                fh.read(1)
        out[name] = "ok"
    except PermissionError:
        out[name] = "denied"
    except FileNotFoundError:
        out[name] = "missing"
print(json.dumps(out))
"""


def test_learners_cannot_read_each_other_or_the_instructor(workshop: Workshop) -> None:
    """As each learner's Unix account: their own work yes; others' and the instructor's no."""
    hub = workshop.hub
    s = hub.settings
    course_x = Path(s.exchange) / s.course
    released = next((course_x / "outbound" / MODULE).glob("*.ipynb"))
    for me in workshop.learners:
        checks = [
            # positive controls: what a learner must reach
            ("released module", "read", str(released)),
            ("own feedback", "read", str(workshop.feedback[me])),
            ("own notebook", "read", f"/home/{me}/{notebook_path(hub)}"),
            # nbgrader's exchange: nothing to list
            ("list inbound", "list", str(course_x / "inbound")),
            ("list feedback", "list", str(course_x / "feedback")),
            # the instructor's course folder and the hub's secrets
            ("course folder", "list", s.course_dir),
            ("solutions", "list", f"{s.course_root}/solutions/{MODULE}"),
            ("gradebook", "read", f"{s.course_dir}/gradebook.db"),
            ("collected work", "list", f"{s.course_dir}/submitted"),
            ("hub secrets", "read", str(hub.hub_dir / "secrets" / "jupyterhub_cookie_secret")),
        ]
        for other in (u for u in workshop.learners if u != me):
            box = workshop.inbound[other]
            checks += [
                (f"{other}'s submission", "read", str(next(box.glob("*.ipynb")))),
                (f"{other}'s submission secret", "read", str(box / "submission_secret.txt")),
                (f"{other}'s submission folder", "list", str(box)),
                (f"{other}'s home", "list", f"/home/{other}"),
                (f"{other}'s feedback page", "read", str(workshop.feedback[other])),
                (f"{other}'s notebook", "read", f"/home/{other}/{notebook_path(hub)}"),
            ]
        seen = hub.as_user(me, _TRY, json.dumps(checks))
        allowed = {"released module", "own feedback", "own notebook"}
        for name, _, path in checks:
            expected = "ok" if name in allowed else "denied"
            assert seen[name] == expected, f"as {me}: {name} ({path}) is {seen[name]}"


def test_feedback_names_are_secret(workshop: Workshop) -> None:
    """Feedback in the exchange is named by a hash of a secret only its learner holds."""
    hub = workshop.hub
    s = hub.settings
    names = {p.name for p in (Path(s.exchange) / s.course / "feedback").iterdir()}
    assert len(names) == len(workshop.learners)
    for learner in workshop.learners:
        assert not any(learner in n for n in names)
    # the secret sits in the learner's own submission (graders only) and cache (their home)
    a = workshop.learners[0]
    mode = (workshop.inbound[a] / "submission_secret.txt").stat()
    assert mode.st_mode & 0o007 == 0, "a submission must not be readable by other accounts"


def test_collect_refuses_work_handed_in_under_another_name(workshop: Workshop) -> None:
    hub = workshop.hub
    s = hub.settings
    a, b, _ = workshop.learners
    forged = f"{a}+{MODULE}+2030-01-01 00:00:00.000000 UTC+forged"
    box = Path(s.exchange) / s.course / "inbound"
    made = hub.as_user(b, """
import json, os, sys
d = os.path.join(sys.argv[1], sys.argv[2])
os.mkdir(d)
open(os.path.join(d, "cross-team-impact.ipynb"), "w").write('{"cells": []}')
print(json.dumps(True))
""", str(box), forged)
    assert made
    out = hub.instructor("collect", MODULE, "--workspace", s.course_dir, "--from", "exchange")
    assert f"handed in by {b}, not by {a}" in out.stdout, out.stdout
    graded = Path(s.course_dir) / "submitted" / a / MODULE / "timestamp.txt"
    assert "2030" not in graded.read_text(), "the forged submission replaced the real one"


def test_formgrader_service_is_for_the_instructor_only(workshop: Workshop) -> None:
    hub = workshop.hub
    s = hub.settings
    url = f"{hub.base}/services/{s.course}/formgrader"
    instructor = hub.login(s.instructor)
    mine = instructor.get(url, timeout=120)
    assert mine.status_code == 200, mine.text[:500]
    assert "formgrader" in mine.text.lower()
    # the service grades in the instructor's course folder: it sees the graded cohort
    api = instructor.get(f"{url}/api/submissions/{MODULE}", timeout=120)
    assert api.status_code == 200, api.text[:500]
    graded = {row["student"] for row in api.json() if row.get("autograded")}
    assert set(workshop.learners) <= graded, api.json()
    theirs = hub.login(workshop.learners[0]).get(url, timeout=120)
    assert theirs.status_code == 403, theirs.status_code
    wrong = hub.login_response(workshop.learners[1], "not-the-password")
    assert wrong.status_code != 302, "a wrong password must not log in"


def _lab_config(hub: HubRun, user: str) -> dict[str, Any]:
    """The page config JupyterLab gets from ``user``'s server."""
    resp = requests.get(f"{hub.base}/user/{user}/lab", timeout=120,
                        headers={"Authorization": f"token {hub.token}"})
    assert resp.status_code == 200, resp.status_code
    found = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                      resp.text, re.S)
    assert found, "no jupyter-config-data in the lab page"
    return json.loads(found.group(1))


def test_each_role_sees_its_nbgrader_extensions(workshop: Workshop) -> None:
    hub = workshop.hub
    s = hub.settings
    learner = workshop.learners[0]
    disabled = _lab_config(hub, learner)["disabledExtensions"]
    for plugin in ("formgrader", "course-list", "create-assignment"):
        assert f"@jupyter/nbgrader:{plugin}" in disabled, disabled
    assert "@jupyter/nbgrader:assignment-list" not in disabled
    missing = requests.get(f"{hub.base}/user/{learner}/formgraders", timeout=60,
                           headers={"Authorization": f"token {hub.token}"})
    assert missing.status_code == 404, "learners' servers have no course list"

    hub.spawn(s.instructor)
    disabled = _lab_config(hub, s.instructor)["disabledExtensions"]
    assert "@jupyter/nbgrader:course-list" not in disabled
    assert "@jupyter/nbgrader:formgrader" in disabled
    courses = hub.server(s.instructor, "GET", "formgraders")
    assert courses["success"], courses
    [entry] = courses["value"]
    assert entry["course_id"] == s.course and entry["kind"] == "jupyterhub"
    assert entry["url"].endswith(f"/services/{s.course}/lab?formgrader=true")
    hub.stop_server(s.instructor)


def test_learner_environment_holds_no_answers(workshop: Workshop) -> None:
    hub = workshop.hub
    learner = workshop.learners[0]
    seen = hub.as_user(learner, """
import json, os
import course
from course import paths
package = os.path.dirname(course.__file__)
print(json.dumps({"source": str(paths.find_source_root()), "package": package}))
""")
    assert seen["source"] == "None", f"learners see a course source: {seen}"
    package = Path(seen["package"])
    assert package.is_relative_to(Path(hub.settings.python).parent.parent)
    from course import leakcheck, paths

    assert leakcheck.check([package]) == []
    def files(part: str) -> set[bytes]:
        return {p.read_bytes() for p in (paths.course_root() / part).rglob("*") if p.is_file()}

    # a sample learner who handed in the release untouched holds no answer
    instructor_only = (files("solutions") | files("assets/samples")) - files("exercises")
    for path in package.rglob("*"):
        if path.is_file():
            assert path.read_bytes() not in instructor_only, f"{path} is an instructor file"
            if path.suffix == ".ipynb":
                assert "BEGIN SOLUTION" not in path.read_text(), path
    assert not any(p.name in ("solutions", "samples", "rubrics") for p in package.rglob("*"))
