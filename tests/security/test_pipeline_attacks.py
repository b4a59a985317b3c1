"""Hostile and broken submissions against the whole grading pipeline (project issue 6).

One grading workspace holds honest learners and every fixture from ``attacks/`` (written by
``make_attack_fixtures.py``) plus a few submissions built here (symbolic links, a renamed or
missing notebook, a 30 MB file). It is graded once, as an instructor would:
``grade(..., sandbox=True, workers=2)`` with small limits. The honest learners are also
graded alone in a second workspace; they must score exactly the same in both. Test cells
are also re-scored from the autograded notebooks (what the kernel run alone gives, before
the static review withholds points) to show the run-time completion check on its own.

The fixture course is a private copy of ``tests/fixtures/mini-course`` so every process the
grading started can be recognised in ``/proc`` by its ``WBCOURSE_ROOT``.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import shutil
import sqlite3
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from course import catalog
from course.grading.status import Outcome

pytestmark = [pytest.mark.security, pytest.mark.slow]

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import make_attack_fixtures as fx  # noqa: E402
from sbhelpers import kernel_results  # noqa: E402

MINI = HERE.parent / "fixtures" / "mini-course"
MODULE = "01-mini"
LIMITS = {"notebook_timeout": 30, "memory_mb": 768}
FULL, WRONG = "baseline-pass-full-marks", "baseline-pass-wrong-answers"
HONEST = (FULL, WRONG, "broken-pass-junk-beside")
TEST_CELL = "q01_double_tests"

#: Tampering fixtures -> text their problems must contain (summary, feedback, export).
REPORTED = {
    "tamper-fail-locked-test-edited": ["locked cell was edited"],
    "tamper-fail-test-cell-deleted": ["q01_double_tests: graded cell was deleted"],
    "tamper-fail-answer-cell-deleted": ["q01_double: answer cell was deleted"],
    "tamper-fail-all-graded-cells-deleted": ["q01_summary_checks: graded cell was deleted"],
    "tamper-fail-metadata-points": ["grading metadata changed (points)"],
    "tamper-fail-metadata-flags": ["grading metadata changed (grade, solution, locked)"],
    "tamper-fail-metadata-checksum": ["grading metadata changed (checksum)"],
    "tamper-fail-patch-review": ["kernel reported 3 points", "flagged for review"],
    "tamper-fail-patch-builtins": ["imports builtins", "withheld"],
    "tamper-fail-mute-stderr": ["flagged for review (changes sys.stderr)"],
    "tamper-fail-mute-showtraceback": ["showtraceback", "withheld"],
    "tamper-fail-post-run-cell-hook": ["withheld", "did not run to the end"],
    "tamper-fail-excepthook": ["excepthook", "withheld"],
    "tamper-fail-patch-run-cell": ["withheld", "did not run to the end"],
    "tamper-fail-patch-run-code": ["withheld", "did not run to the end"],
    "tamper-fail-patch-do-execute": ["withheld", "did not run to the end"],
    "tamper-fail-ast-transformer": ["ast_transformers", "withheld"],
    "tamper-fail-obfuscated-exec": ["uses __builtins__", "did not run to the end"],
}
#: Broken submissions -> the reason they are reported with.
BROKEN = {
    "broken-fail-invalid-json": "mini.ipynb: not valid notebook JSON",
    "broken-fail-nbformat3": "mini.ipynb: unsupported nbformat version 3",
    "broken-fail-not-utf8": "mini.ipynb: not UTF-8 text",
    "broken-fail-empty": "mini.ipynb: empty file",
    "broken-fail-missing-notebook": "mini.ipynb: notebook missing from the submission",
    "broken-fail-renamed-notebook": "found mini (1).ipynb; notebooks must keep their released",
    "broken-fail-symlink-passwd": "mini.ipynb: symbolic link ignored",
    "broken-fail-symlink-other-learner": "mini.ipynb: symbolic link ignored",
    "broken-fail-symlink-folder": "the submission folder is a symbolic link",
}
#: Kernel-machinery attacks the run-time completion check must stop without static review.
RUN_TIME = ["tamper-fail-patch-run-cell", "tamper-fail-patch-run-code",
            "tamper-fail-patch-do-execute", "tamper-fail-post-run-cell-hook",
            "tamper-fail-obfuscated-exec"]


@dataclass
class Graded:
    """A graded workspace and what grading it returned."""

    ws: object
    outcomes: dict[str, Outcome]
    seconds: float

    def cells(self, learner: str) -> dict[str, float]:
        from course.grading.scores import submission_scores

        _, _, questions = submission_scores(self.ws.db_url, MODULE, learner)
        return {q.grade_id: q.score for q in questions}

    def autograded(self, learner: str) -> nbformat.NotebookNode:
        return nbformat.read(self.ws.autograded / learner / MODULE / "mini.ipynb", as_version=4)


# --------------------------------------------------------------------------- helpers


def _submit(ws, learner: str, name: str, replace: dict[str, str] | None = None) -> Path:
    folder = ws.submitted / learner / MODULE
    folder.mkdir(parents=True, exist_ok=True)
    data = (HERE / "attacks" / f"{name}.ipynb").read_bytes()
    for old, new in (replace or {}).items():
        data = data.replace(old.encode(), new.encode())
    path = folder / "mini.ipynb"
    path.write_bytes(data)
    return path


def _tree_digest(folder: Path) -> dict[str, str]:
    """Every entry below ``folder``: file hashes, link targets (links are not followed)."""
    found = {}
    for path in sorted(folder.rglob("*")):
        rel = str(path.relative_to(folder))
        if path.is_symlink():
            found[rel] = "link:" + os.readlink(path)
        elif path.is_file():
            found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _grade(ws, learners: list[str] | None = None) -> Graded:
    from course.grading.grade import grade

    started = time.perf_counter()
    outcomes = grade(ws, MODULE, workers=2, learners=learners, force=True, cell_timeout=3,
                     sandbox=True, limits=LIMITS)
    return Graded(ws, {o.learner: o for o in outcomes}, time.perf_counter() - started)


def _ours(course_root: str) -> list[str]:
    """Live processes started for this file's grading (kernel env, or the sleep marker)."""
    needle = f"WBCOURSE_ROOT={course_root}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            environ = Path(f"/proc/{entry}/environ").read_bytes()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        if stat.rsplit(")", 1)[1].split()[0] == "Z":
            continue
        if needle in environ.split(b"\0") or fx.MARK_SLEEP.encode() in cmdline:
            shown = cmdline.replace(b"\0", b" ")[:120].decode(errors="replace")
            found.append(f"{entry}: {shown}")
    return found


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def course_root(tmp_path_factory) -> Iterator[Path]:
    """A private copy of the mini course, so our kernels carry a unique WBCOURSE_ROOT."""
    root = tmp_path_factory.mktemp("attack-course") / "course"
    shutil.copytree(MINI, root)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WBCOURSE_ROOT", str(root))
        catalog.modules.cache_clear()
        yield root
    catalog.modules.cache_clear()


@pytest.fixture(scope="module")
def new_workspace(course_root, tmp_path_factory):
    """Make an empty grading workspace (one nbgrader set-up, copied: it takes seconds)."""
    from course.grading.workspace import Workspace, init_workspace

    template = init_workspace(tmp_path_factory.mktemp("template") / "ws", modules=[MODULE])

    def make(name: str) -> Workspace:
        root = tmp_path_factory.mktemp(name) / "ws"
        shutil.copytree(template.root, root)  # keeps the 0700 mode
        return Workspace(root.resolve())

    return make


@pytest.fixture(scope="module")
def alone(new_workspace) -> Graded:
    """The honest learners, graded on their own."""
    ws = new_workspace("alone")
    for learner in (FULL, WRONG):
        _submit(ws, learner, learner)
    return _grade(ws)


@pytest.fixture(scope="module")
def batch(course_root, alone, new_workspace) -> Iterator[dict]:
    """Honest, hostile and broken learners in one workspace, graded once."""
    ws = new_workspace("batch")
    for name in fx.names():
        _submit(ws, name, name, {fx.WORKSPACE: str(ws.root)})
    # The same escape, aimed at the other (finished) workspace.
    _submit(ws, "escape-fail-other-workspace", "escape-fail-gradebook-and-others",
            {fx.WORKSPACE: str(alone.ws.root)})
    junk = _submit(ws, "broken-pass-junk-beside", FULL).parent / "junk.bin"
    with open(junk, "wb") as f:  # 30 MB, sparse: bounded on disk
        f.truncate(30 * 2**20)
    (ws.submitted / "broken-fail-missing-notebook" / MODULE).mkdir(parents=True)
    (ws.submitted / "broken-fail-missing-notebook" / MODULE / "notes.txt").write_text("hi")
    renamed = _submit(ws, "broken-fail-renamed-notebook", FULL)
    renamed.rename(renamed.with_name("mini (1).ipynb"))
    full_nb = ws.submitted / FULL / MODULE / "mini.ipynb"
    for learner, target in (("broken-fail-symlink-passwd", Path("/etc/passwd")),
                            ("broken-fail-symlink-other-learner", full_nb)):
        (ws.submitted / learner / MODULE).mkdir(parents=True)
        (ws.submitted / learner / MODULE / "mini.ipynb").symlink_to(target)
    (ws.submitted / "broken-fail-symlink-folder").mkdir()
    (ws.submitted / "broken-fail-symlink-folder" / MODULE).symlink_to(full_nb.parent)

    submitted = _tree_digest(ws.submitted)
    other_ws = {"gradebook": _sha(alone.ws.root / "gradebook.db"),
                "submitted": _tree_digest(alone.ws.submitted)}
    graded = _grade(ws)
    print(f"\nbatch of {len(graded.outcomes)} graded in {graded.seconds:.1f} s; "
          f"alone: {alone.seconds:.1f} s")
    yield {"graded": graded, "submitted": submitted, "other_ws": other_ws,
           "alone": alone, "course_root": course_root}


# --------------------------------------------------------------------------- no kernel


def test_attack_fixtures_are_up_to_date() -> None:
    assert fx.main(["--check"]) == 0


def test_completion_check_keeps_results_and_flags_silent_cells() -> None:
    from nbformat import NotebookNode

    from course.grading.fastexec import INCOMPLETE_ERROR, completion_check, settle

    code, marker, has_value = completion_check('assert f(2) == 4, "no"\nscore / 2')
    assert has_value and code.startswith(f"class {marker}(BaseException)")
    compile(code, "<test>", "exec")

    def cell(*outputs: dict) -> NotebookNode:
        return NotebookNode(execution_count=3, outputs=[NotebookNode(o) for o in outputs])

    done = cell({"output_type": "error", "ename": marker, "evalue": "0.5", "traceback": []})
    settle(done, marker, has_value)
    assert [o.output_type for o in done.outputs] == ["execute_result"]
    assert done.outputs[0].data == {"text/plain": "0.5"}
    silent = cell({"output_type": "stream", "name": "stdout", "text": "hi"})
    settle(silent, marker, has_value)
    assert silent.outputs[-1].ename == INCOMPLETE_ERROR
    failed = cell({"output_type": "error", "ename": "AssertionError", "evalue": "no",
                   "traceback": []})
    settle(failed, marker, has_value)
    assert [o.ename for o in failed.outputs] == ["AssertionError"]


def test_restore_puts_released_grading_cells_back() -> None:
    from course.grading.tamper import restore

    released = nbformat.read(fx.RELEASED, as_version=4)
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in released.cells]
    for name in ("tamper-fail-metadata-flags", "tamper-fail-all-graded-cells-deleted",
                 "tamper-fail-test-cell-deleted", "tamper-fail-metadata-points"):
        nb = restore(released, nbformat.reads(fx.render(name).decode(), as_version=4))
        nbformat.validate(nb)
        meta = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]
                for c in nb.cells if "nbgrader" in c.metadata}
        assert meta == {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]
                        for c in released.cells if "nbgrader" in c.metadata}, name
        order = [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]
        assert [i for i in order if i] == [i for i in ids if i], name


def test_static_review_spares_every_honest_sample_submission(monkeypatch) -> None:
    """The course's own sample cohorts: nothing is withheld, only gaming is flagged."""
    from course import paths
    from course.grading.tamper import review_flags
    from course.samples import sample_dirs

    monkeypatch.delenv("WBCOURSE_ROOT", raising=False)  # the real course
    catalog.modules.cache_clear()
    flagged = []
    try:
        modules = list(catalog.modules())
    finally:
        catalog.modules.cache_clear()
    for module in modules:
        for released_path in sorted((paths.exercises_dir() / module.id).glob("*.ipynb")):
            released = nbformat.read(released_path, as_version=4)
            for learner, folder in sample_dirs(module.id).items():
                if (folder / released_path.name).is_file():
                    nb = nbformat.read(folder / released_path.name, as_version=4)
                    problems, withhold = review_flags(released, nb)
                    assert not withhold, (module.id, learner, problems)
                    flagged += [f"{module.id}/{learner}" for _ in problems]
    assert set(flagged) <= {"04-input-metrics/hana", "06-decide-and-organise/gus",
                            "07-learning-from-failure/gus"}, flagged


# --------------------------------------------------------------------------- the batch


def test_batch_completes_and_honest_learners_score_as_if_alone(batch) -> None:
    graded, alone = batch["graded"], batch["alone"]
    expected = set(fx.names()) | set(BROKEN) | set(HONEST) | {"escape-fail-other-workspace"}
    assert set(graded.outcomes) == expected
    for learner in HONEST:
        solo_name = WRONG if learner == WRONG else FULL
        mine, solo = graded.outcomes[learner], alone.outcomes[solo_name]
        assert mine.status == solo.status == "graded", (mine, solo)
        assert (mine.score, mine.max_score) == (solo.score, solo.max_score)
        assert graded.cells(learner) == alone.cells(solo_name)
    assert alone.cells(FULL)[TEST_CELL] == 2.0 and alone.cells(WRONG)[TEST_CELL] == 0.0
    assert graded.outcomes[FULL].problems == graded.outcomes[WRONG].problems == []
    assert graded.outcomes["broken-pass-junk-beside"].problems == [
        "junk.bin: larger than 20 MB, ignored"]


@pytest.mark.parametrize("learner", sorted(REPORTED))
def test_tampering_never_beats_the_same_answers(batch, learner: str) -> None:
    graded = batch["graded"]
    honest = graded.outcomes[WRONG]
    outcome = graded.outcomes[learner]
    assert outcome.status == "graded", outcome
    assert outcome.score <= honest.score, (outcome, honest)
    cells = graded.cells(learner)
    assert cells[TEST_CELL] <= graded.cells(WRONG)[TEST_CELL]
    assert outcome.max_score == honest.max_score, "points metadata must not change the total"


def test_tampering_is_reported_in_summary_feedback_and_export(batch) -> None:
    from course.grading.export import rows
    from course.grading.feedback import write_feedback

    graded = batch["graded"]
    write_feedback(graded.ws, MODULE)
    exported = {r["learner"]: r["problems"] for r in rows(graded.ws)[1]}
    missing = []
    for learner, needles in REPORTED.items():
        page = (graded.ws.feedback / learner / MODULE / "index.html").read_text()
        for needle in needles:
            if not any(needle in p for p in graded.outcomes[learner].problems):
                missing.append(f"{learner}: {needle!r} not in outcome {graded.outcomes[learner]}")
            if html.escape(needle) not in page:
                missing.append(f"{learner}: {needle!r} not on the feedback page")
            if needle not in exported[learner]:
                missing.append(f"{learner}: {needle!r} not in the export")
    assert not missing, "\n".join(missing)


def test_broken_input_is_reported_and_submitted_is_untouched(batch) -> None:
    graded = batch["graded"]
    for learner, reason in BROKEN.items():
        outcome = graded.outcomes[learner]
        assert outcome.status == "failed" and outcome.score == 0, outcome
        assert any(reason in p for p in outcome.problems), (reason, outcome.problems)
        assert not any(p.startswith("nbgrader could not") for p in outcome.problems), outcome
    assert _tree_digest(graded.ws.submitted) == batch["submitted"]
    assert "root:" not in json.dumps([o.problems for o in graded.outcomes.values()])


def test_runaway_code_is_stopped_and_leaves_nothing_behind(batch) -> None:
    graded = batch["graded"]
    loop = graded.outcomes["runaway-fail-infinite-loop"]
    assert loop.status == "graded" and any("cell time limit" in p for p in loop.problems)
    died = graded.outcomes["runaway-fail-os-exit"]
    assert died.status == "failed" and any("kernel died" in p for p in died.problems), died
    assert graded.outcomes["runaway-fail-background-sleep"].status == "graded"
    deadline = time.monotonic() + 10
    while _ours(str(batch["course_root"])) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _ours(str(batch["course_root"])) == [], "kernels or children outlived grading"
    with sqlite3.connect(graded.ws.root / "gradebook.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_reaching_out_to_gradebook_and_other_learners_fails(batch) -> None:
    graded = batch["graded"]
    for learner in ("escape-fail-gradebook-and-others", "escape-fail-other-workspace"):
        results = kernel_results(graded.autograded(learner))
        assert len(results) == 8, results
        assert [r for r in results.values() if r["ok"]] == [], results
    assert b"PWNED" not in (graded.ws.root / "gradebook.db").read_bytes()
    assert not (graded.ws.root / "pwned.txt").exists()
    status = graded.ws.root / ".wbcourse" / "status" / f"{MODULE}.json"
    assert "PWNED" not in status.read_text()
    alone_root = batch["alone"].ws.root
    assert _sha(alone_root / "gradebook.db") == batch["other_ws"]["gradebook"]
    assert _tree_digest(alone_root / "submitted") == batch["other_ws"]["submitted"]
    assert not (alone_root / "pwned.txt").exists()


# --------------------------------------------------------------------------- run-time layer


def test_completion_check_alone_stops_kernel_tampering(batch) -> None:
    """Score the autograded test cells as nbgrader does, before the static review's hold."""
    from nbgrader.utils import determine_grade

    graded = batch["graded"]

    def kernel_score(learner: str) -> float:
        nb = graded.autograded(learner)
        cell = next(c for c in nb.cells
                    if c.metadata.get("nbgrader", {}).get("grade_id") == TEST_CELL)
        return determine_grade(cell)[0]

    honest = kernel_score(WRONG)
    assert (honest, kernel_score(FULL)) == (0.0, 2.0)
    for learner in [*RUN_TIME, "tamper-fail-mute-showtraceback", "tamper-fail-excepthook",
                    "tamper-fail-mute-stderr", "tamper-fail-patch-builtins"]:
        assert kernel_score(learner) <= honest, learner
    for learner in RUN_TIME:
        assert any(f"{TEST_CELL}: the tests did not run to the end" in p
                   for p in graded.outcomes[learner].problems), graded.outcomes[learner]
    # The documented limit: an AST transformer that deletes asserts runs the test to its
    # end, so only the static review keeps its points away.
    assert kernel_score("tamper-fail-ast-transformer") == 2.0
    assert graded.cells("tamper-fail-ast-transformer")[TEST_CELL] == 0.0
