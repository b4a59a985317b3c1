"""End to end: release -> workspace -> grade, on the fixture course and on every module."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from course import catalog, paths
from course.grading.grade import grade
from course.grading.scores import submission_scores
from course.grading.workspace import init_workspace
from course.samples import SampleLearner, build_notebook, load_spec, sample_dirs

CHEAT = '''class _Always:
    def points(self, n):
        return float(n)
review = lambda *args, **kwargs: _Always()
def double(x):
    return 2 * x'''


def _auto_fraction(db_url: str, module: str, learner: str) -> float:
    _, _, questions = submission_scores(db_url, module, learner)
    auto = [q for q in questions if q.kind == "autograded"]
    return sum(q.score for q in auto) / sum(q.max_score for q in auto)


def _submit(ws, learner: str, module: str, nb, name: str) -> None:
    folder = ws.submitted / learner / module
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / name)


def _full_and_blank(ws, module: str) -> None:
    for ex_path in sorted((paths.exercises_dir() / module).glob("*.ipynb")):
        exercise = nbformat.read(ex_path, as_version=4)
        solution = nbformat.read(paths.solutions_dir() / module / ex_path.name, as_version=4)
        full = build_notebook(exercise, solution, SampleLearner("full", (1, 1), "", "solution", {}))
        _submit(ws, "zz-model-answer", module, full, ex_path.name)
        _submit(ws, "zz-blank", module, exercise, ex_path.name)


@pytest.mark.slow
def test_mini_course_grades_resumes_and_distrusts_the_kernel(mini_course, tmp_path):
    ws = init_workspace(tmp_path / "ws")
    _full_and_blank(ws, "01-mini")
    cheat = nbformat.read(paths.exercises_dir() / "01-mini" / "mini.ipynb", as_version=4)
    for cell in cheat.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "q01_double":
            cell.source = CHEAT
    _submit(ws, "cheater", "01-mini", cheat, "mini.ipynb")

    outcomes = {o.learner: o for o in grade(ws, "01-mini", workers=2, sandbox=False)}
    assert {o.status for o in outcomes.values()} == {"graded"}
    assert _auto_fraction(ws.db_url, "01-mini", "zz-blank") == 0
    assert _auto_fraction(ws.db_url, "01-mini", "zz-model-answer") > 0.5
    # The cheater's kernel claimed full prose points; the grader kept its own score.
    assert any("kernel reported 3" in p for p in outcomes["cheater"].problems)
    _, _, qs = submission_scores(ws.db_url, "01-mini", "cheater")
    prose = next(q for q in qs if q.grade_id == "q01_summary_checks")
    assert prose.score == 0, "the blank draft must not gain points by monkeypatching"

    again = grade(ws, "01-mini", workers=1, sandbox=False)
    assert {o.status for o in again} == {"skipped"}, "graded submissions are not redone"
    forced = grade(ws, "01-mini", learners=["zz-blank"], force=True, workers=1, sandbox=False)
    assert [o.status for o in forced] == ["graded"]


@pytest.mark.slow
def test_broken_submissions_never_stop_the_batch(mini_course, tmp_path):
    ws = init_workspace(tmp_path / "ws")
    _full_and_blank(ws, "01-mini")
    broken = ws.submitted / "broken" / "01-mini"
    broken.mkdir(parents=True)
    (broken / "mini.ipynb").write_text("{ this is not json", encoding="utf-8")
    empty = ws.submitted / "empty" / "01-mini"
    empty.mkdir(parents=True)
    (empty / "mini.ipynb").write_bytes(b"")
    outcomes = {o.learner: o for o in grade(ws, "01-mini", workers=2, sandbox=False)}
    assert outcomes["zz-model-answer"].status == "graded"
    assert any("not valid notebook JSON" in p for p in outcomes["broken"].problems)
    assert any("empty file" in p for p in outcomes["empty"].problems)
    assert outcomes["broken"].score == 0
    assert (broken / "mini.ipynb").read_text() == "{ this is not json", "never modified"


REAL_MODULES = [m.id for m in catalog.modules()]
#: A fresh random name in every run: the widgets' model ids and the completion markers.
VOLATILE = [(re.compile(r'(?<="model_id": ")[0-9a-f]{32}'), "model_id"),
            (re.compile(r"WBCourseTestsDone_[0-9a-f]{24}"), "marker")]


def _cohort_workspace(root: Path):
    """A workspace with every module's sample cohort plus a model answer and a blank."""
    ws = init_workspace(root)
    for module in REAL_MODULES:
        for learner, folder in sample_dirs(module).items():
            shutil.copytree(folder, ws.submitted / learner / module)
        _full_and_blank(ws, module)
    return ws


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory):
    """Every module's cohort graded once the default way: sandboxed, forked kernels."""
    ws = _cohort_workspace(tmp_path_factory.mktemp("course") / "ws")
    for module in REAL_MODULES:
        grade(ws, module, workers=2)
    return ws


@pytest.fixture(scope="module")
def kernel_course(tmp_path_factory):
    """The same cohorts graded with a new kernel process per notebook."""
    ws = _cohort_workspace(tmp_path_factory.mktemp("course-kernel") / "ws")
    for module in REAL_MODULES:
        grade(ws, module, workers=2, executor="kernel")
    return ws


def _coalesced(outputs: list) -> list:
    """Adjacent stream outputs of one stream as one (how a kernel splits a print into
    messages depends on timing; every notebook viewer joins them)."""
    merged: list = []
    for out in outputs:
        if (merged and out.get("output_type") == "stream" == merged[-1].get("output_type")
                and out.get("name") == merged[-1].get("name")):
            merged[-1] = {**merged[-1], "text": merged[-1]["text"] + out["text"]}
        else:
            merged.append(dict(out))
    return merged


def _outputs(path: Path) -> list:
    """A notebook's cell outputs with the per-run random names replaced by stable ones."""
    cells = nbformat.read(path, as_version=4).cells
    text = json.dumps([_coalesced(c.get("outputs", [])) for c in cells])
    for pattern, name in VOLATILE:
        seen: dict[str, int] = {}
        text = pattern.sub(lambda m, n=name, s=seen: f"{n}-{s.setdefault(m.group(0), len(s))}",
                           text)
    return json.loads(text)


@pytest.mark.parametrize("module", REAL_MODULES)
def test_the_template_preloads_every_course_module_a_grading_kernel_imports(module):
    """The module's notebooks, hidden tests included, import nothing of the course's that
    a worker's template has not imported already."""
    from course.grading.template import preload_modules

    source = paths.solutions_dir() / module
    text = "\n".join(p.read_text(encoding="utf-8") for p in source.glob("*.ipynb"))
    wanted = set(re.findall(r"(?:from|import) (course(?:\.\w+)+)", text))
    wanted |= set(re.findall(r'import_module\(\\"(course[\w.]+)\\"\)', text))
    assert wanted, f"{module}: no course imports found (pattern out of date?)"
    assert wanted <= set(preload_modules(source)), wanted - set(preload_modules(source))


@pytest.mark.slow
@pytest.mark.parametrize("module", REAL_MODULES)
def test_forked_and_fresh_kernels_grade_identically(graded_course, kernel_course, module):
    """Same scores, same problems and the same outputs (plots included) on every cohort."""
    from course.grading import status

    learners = graded_course.learners(module)
    assert learners == kernel_course.learners(module) and len(learners) > 2
    forked = status.load(graded_course.root, module)
    fresh = status.load(kernel_course.root, module)
    pngs = 0
    for learner in learners:
        a, b = forked[learner], fresh[learner]
        assert (a.status, a.score, a.max_score, a.problems) == \
               (b.status, b.score, b.max_score, b.problems), learner
        assert submission_scores(graded_course.db_url, module, learner) == \
               submission_scores(kernel_course.db_url, module, learner), learner
        for path in sorted((graded_course.autograded / learner / module).glob("*.ipynb")):
            twin = kernel_course.autograded / learner / module / path.name
            mine, theirs = _outputs(path), _outputs(twin)
            assert mine == theirs, f"{learner}/{path.name}: outputs differ"
            pngs += json.dumps(mine).count('"image/png"')
    if module in ("04-input-metrics", "05-launch-readiness", "07-learning-from-failure",
                  "09-readiness-over-time"):
        assert pngs, f"{module}: the cohort's notebooks drew no plots to compare"


@pytest.mark.slow
@pytest.mark.parametrize("module", REAL_MODULES)
def test_model_answer_scores_full_and_blank_scores_zero(graded_course, module):
    db = graded_course.db_url
    assert _auto_fraction(db, module, "zz-model-answer") == pytest.approx(1.0)
    assert _auto_fraction(db, module, "zz-blank") == 0


@pytest.mark.slow
@pytest.mark.parametrize("module", REAL_MODULES)
def test_each_sample_lands_in_its_intended_band(graded_course, module):
    misses = []
    for learner in load_spec(module):
        frac = _auto_fraction(graded_course.db_url, module, learner.id)
        low, high = learner.band
        if not low - 1e-9 <= frac <= high + 1e-9:
            misses.append(f"{learner.id}: {frac:.2f} not in [{low}, {high}] ({learner.note})")
    assert not misses, "\n".join(misses)


@pytest.mark.slow
def test_a_two_notebook_module_is_graded_fed_back_reported_and_exported(graded_course, tmp_path):
    """Module 9 is two notebooks in one assignment: every stage sees both."""
    from course.grading.export import export, module_records
    from course.grading.feedback import write_feedback
    from course.grading.report import write_report

    module = "09-readiness-over-time"
    names = sorted(p.stem for p in (paths.exercises_dir() / module).glob("*.ipynb"))
    assert len(names) == 2
    records = {r.learner: r for r in module_records(graded_course, module)}
    assert {c.notebook for c in records["ada"].cells} == set(names)
    (page,) = write_feedback(graded_course, module, learners=["ada"])
    text = page.read_text(encoding="utf-8")
    assert all(f"{name}.ipynb" in text for name in names)
    assert "Why:" in text
    report = write_report(graded_course, module, tmp_path / "report")
    assert report.exists()
    out = tmp_path / "grades.csv"
    export(graded_course, out, fmt="csv")
    head = out.read_text(encoding="utf-8").splitlines()[0]
    assert "q09_next_level_quarters_tests" in head and "q09_work_summary_checks" in head


@pytest.mark.slow
def test_sample_rubric_grades_enter_the_gradebook_as_the_formgrader_would(graded_course):
    from nbgrader.api import Gradebook

    from course.samples import apply_rubric_grades, rubric_score

    module = "08-cross-team-impact"
    assert apply_rubric_grades(graded_course, module) >= 10
    ben = next(lr for lr in load_spec(module) if lr.id == "ben")
    with Gradebook(graded_course.db_url) as gb:
        for grade_id, missed in ben.rubric.items():
            grade = gb.find_grade(grade_id, "cross-team-impact", module, "ben")
            comment = gb.find_comment(grade_id, "cross-team-impact", module, "ben")
            assert grade.manual_score == rubric_score(module, grade_id, missed) < grade.max_score
            assert comment.manual_comment == f"missed: {', '.join(missed)}"


def test_sample_notebooks_exist_for_every_learner():
    for module in REAL_MODULES:
        built = sample_dirs(module)
        assert set(built) == {lr.id for lr in load_spec(module)}, module
        released = sorted(p.name for p in (paths.exercises_dir() / module).glob("*.ipynb"))
        for folder in built.values():
            assert sorted(p.name for p in Path(folder).glob("*.ipynb")) == released, folder


@pytest.mark.slow
def test_a_kernel_that_dies_once_is_retried_on_a_fresh_kernel(mini_course, tmp_path, monkeypatch):
    """A kernel death from outside the notebook (a busy machine) costs no points."""
    from nbgrader.apps import NbGraderAPI

    ws = init_workspace(tmp_path / "ws")
    _full_and_blank(ws, "01-mini")
    real = NbGraderAPI.autograde
    log = tmp_path / "calls.txt"  # grading happens in forked workers: count in a file

    def dies_once(self, assignment_id, student_id, **kwargs):
        with open(log, "a") as f:
            f.write(student_id + "\n")
        if student_id == "zz-model-answer" and log.read_text().split().count(student_id) == 1:
            return {"success": False, "error": "nbclient.exceptions.DeadKernelError: Kernel died",
                    "log": ""}
        return real(self, assignment_id, student_id, **kwargs)

    monkeypatch.setattr(NbGraderAPI, "autograde", dies_once)
    outcomes = {o.learner: o for o in grade(ws, "01-mini", workers=1, sandbox=False)}
    model = outcomes["zz-model-answer"]
    assert model.status == "graded", model.problems
    calls = log.read_text().split()
    assert calls.count("zz-model-answer") == 2 and calls.count("zz-blank") == 1
    assert any("graded from the second run" in p for p in model.problems)
    assert _auto_fraction(ws.db_url, "01-mini", "zz-model-answer") > 0.5


def test_the_pool_never_hands_out_a_dead_kernel(tmp_path):
    """A waiting kernel that died (killed, crashed) is replaced before a notebook uses it."""
    import os
    import signal

    from traitlets.config import Config

    from course.grading import fastexec

    fastexec.start_pool(Config())
    try:
        km, _scratch = fastexec._POOL["next"]
        assert fastexec.alive(km)
        os.kill(km.provisioner.process.pid, signal.SIGKILL)
        km.provisioner.process.wait()
        assert not fastexec.alive(km)
        fresh, scratch = fastexec._take(None)
        try:
            assert fresh is not km and fastexec.alive(fresh)
        finally:
            fastexec._dispose(fresh, scratch)
    finally:
        fastexec.stop_pool()
