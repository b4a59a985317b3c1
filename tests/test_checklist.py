"""Self-assessment checklists are built from the rubrics (course.lessons.checklist)."""

from __future__ import annotations

import subprocess
import sys

import pytest
import tomllib

from course import paths
from course.lessons.checklist import checklist_items, checklist_text, self_check

#: The "your own work" answers whose notebooks show a checklist.
OWN_WORK = [("08-cross-team-impact", "q08_own_project"),
            ("09-readiness-over-time", "q09_capstone")]


@pytest.mark.parametrize("module, grade_id", OWN_WORK)
def test_every_criterion_becomes_a_question(module, grade_id):
    rubric = tomllib.loads((paths.source_assets_dir() / "rubrics" / f"{module}.toml").read_text())
    answer = next(a for a in rubric["answer"] if a["grade_id"] == grade_id)
    items = checklist_items(module, grade_id)
    assert [i.id for i in items] == [c["id"] for c in answer["criteria"]]
    assert all(c.get("ask", "").endswith("?") for c in answer["criteria"]), "write an ask"
    assert sum(i.points for i in items) == answer["points"]
    assert [i.question for i in items] == [" ".join(c["ask"].split()) for c in answer["criteria"]]


def test_learners_get_the_questions_and_nothing_else_of_the_rubric():
    from course.edition import is_learner_file
    from course.release import write_checklists

    assert write_checklists(check=True) == [], "run wbcourse release"
    assert is_learner_file("assets/checklists/08-cross-team-impact.toml")
    assert not is_learner_file("assets/rubrics/08-cross-team-impact.toml")
    for module, _ in OWN_WORK:
        shipped = (paths.source_assets_dir() / "checklists" / f"{module}.toml").read_text()
        rubric = tomllib.loads((paths.source_assets_dir() / "rubrics" / f"{module}.toml")
                               .read_text())
        for answer in rubric["answer"]:
            for c in answer.get("criteria", []):
                assert " ".join(c["description"].split()) not in " ".join(shipped.split())


def test_ticking_boxes_changes_the_verdict_and_the_text_view():
    panel = self_check("08-cross-team-impact", "q08_own_project")
    assert panel.verdict.value.startswith("<b>0 of 4 ticked")
    first, *rest = panel.boxes
    panel.boxes[first].value = True
    assert panel.verdict.value.startswith("<b>1 of 4 ticked")
    assert "Revise for the first unticked one" in panel.verdict.value
    assert "[x]" in checklist_text("08-cross-team-impact", "q08_own_project", {first})
    for name in rest:
        panel.boxes[name].value = True
    assert panel.verdict.value.startswith("<b>Every box ticked.")


def test_unknown_answer_is_a_clear_error():
    with pytest.raises(LookupError, match="no self-check"):
        checklist_items("08-cross-team-impact", "q08_nothing")


def test_import_stays_light():
    code = "import sys, course.lessons.checklist; print('ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
