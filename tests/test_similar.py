"""``wbcourse similar``: near-copies between learners and of the notebook, and nothing else."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import tomllib

from course import catalog, paths
from course.cli import main
from course.grading import similarity as sim
from course.grading.similar import check_module
from course.grading.workspace import Workspace
from tests import similar_course as sc

FIXTURES = Path(__file__).parent / "fixtures" / "similar"
M08 = "08-cross-team-impact"


# ------------------------------------------------------------------------------ helpers

@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    return sc.build_course(tmp_path_factory.mktemp("sim-course"))


@pytest.fixture(scope="module")
def warm_cache(course, tmp_path_factory) -> Path:
    """What sim-b prints, run once for the module and copied into each workspace."""
    from course.grading.shown import shown_outputs
    from course.grading.similar import _released_cells, _source_cells

    cache = tmp_path_factory.mktemp("shown-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WBCOURSE_ROOT", str(course))
        for name in ("sim-a", "sim-b"):
            source = _source_cells(course / "solutions" / sc.MODULE / f"{name}.ipynb")
            cells = _released_cells(course / "exercises" / sc.MODULE / f"{name}.ipynb", source)
            _, problem = shown_outputs(cells, cache)
            assert problem is None, problem
    return cache


@pytest.fixture
def ws(course, warm_cache, tmp_path, monkeypatch) -> Workspace:
    """An empty grading workspace of the fixture course."""
    monkeypatch.setenv("WBCOURSE_ROOT", str(course))
    catalog.modules.cache_clear()
    root = tmp_path / "ws"
    (root / "submitted").mkdir(parents=True)
    (root / "nbgrader_config.py").write_text("# a workspace for tests\n")
    shutil.copytree(warm_cache, root / ".wbcourse" / "similar")
    yield Workspace(root)
    catalog.modules.cache_clear()


def answers08() -> dict[str, list[dict]]:
    with (FIXTURES / f"{M08}.toml").open("rb") as fh:
        return tomllib.load(fh)


def module08_workspace(root: Path, texts: dict[str, str]) -> Workspace:
    """A workspace with one submission of the real module 08 per ``{learner: rewrite}``."""
    released = json.loads((paths.exercises_dir() / M08 / "cross-team-impact.ipynb").read_text())
    (root / "submitted").mkdir(parents=True)
    for learner, text in texts.items():
        nb = json.loads(json.dumps(released))
        for cell in nb["cells"]:
            if cell["metadata"].get("nbgrader", {}).get("grade_id") == "q08_rewrite_summary":
                cell["source"] = sc.prose("draft", text)
        folder = root / "submitted" / learner / M08
        folder.mkdir(parents=True)
        (folder / "cross-team-impact.ipynb").write_text(json.dumps(nb))
    return Workspace(root)


def worked_example_after() -> str:
    cells = json.loads((paths.exercises_dir() / M08 / "cross-team-impact.ipynb").read_text())
    source = next("".join(c["source"]) for c in cells["cells"]
                  if 'AFTER = """' in "".join(c["source"]))
    return re.search(r'AFTER = """(.*?)"""', source, re.S).group(1)


ORIGINAL = ("My proudest change this year was small: I noticed that every partner rehearsal "
            "started with an hour of copying settings by hand, so I wrote a script that reads "
            "them from the service catalogue. Rehearsals now start on time, and the two "
            "people who used to do the copying spend that hour reviewing results instead.")


def pairs(report) -> set[frozenset]:
    return {frozenset(f.learners) for f in report.flags if not f.with_notebook}


def typo_edit(text: str) -> str:
    """The small edits a copier makes: case, punctuation, two typos, a word swapped."""
    out = text.replace("teams", "groups", 1).replace(",", ";").replace("launch", "lauch", 2)
    return out.upper()[:40] + out[40:].replace(" the ", " our ", 2)


# --------------------------------------------------------------------- the real module 8

def test_independent_rewrites_of_module_8_are_not_flagged(tmp_path):
    """Eight writers, one fact table: same numbers, teams, dates and often order."""
    honest = {a["id"]: a["text"] for a in answers08()["honest"]}
    report = check_module(module08_workspace(tmp_path, honest), M08, outputs=False)
    assert report.flags == []
    stats = next(q for q in report.questions if q.question == "q08_rewrite_summary")
    assert stats.compared == len(honest)
    assert max(stats.highest.values()) < 0.5


def test_near_copies_and_copies_of_the_notebook_are_flagged_among_independent_answers(
        tmp_path):
    data = answers08()
    texts = {a["id"]: a["text"] for a in data["honest"] + data["copy"]}
    texts["kai"] = worked_example_after()  # the worked example about another project
    texts["lena"] = typo_edit(texts["amara"])
    report = check_module(module08_workspace(tmp_path, texts), M08, outputs=False)
    assert pairs(report) == {frozenset(("bruno", "ivo")), frozenset(("dina", "jana")),
                             frozenset(("amara", "lena"))}
    for flag in report.flags:
        assert flag.similarity >= 0.8 and flag.question == "q08_rewrite_summary"
    (notebook,) = [f for f in report.flags if f.with_notebook]
    assert notebook.learners == ("kai", "notebook")
    assert any("Worked example" in p.section for p in notebook.passages)


def test_offsets_point_at_the_shared_words_in_both_answers(tmp_path):
    data = answers08()
    texts = {a["id"]: a["text"] for a in data["honest"] + data["copy"]}
    ws = module08_workspace(tmp_path, texts)
    report = check_module(ws, M08, outputs=False)
    flag = next(f for f in report.flags if set(f.learners) == {"dina", "jana"})
    sources = {}
    for learner in flag.learners:
        nb = json.loads((ws.submitted / learner / M08 / "cross-team-impact.ipynb").read_text())
        sources[learner] = next("".join(c["source"]) for c in nb["cells"] if c["metadata"].get(
            "nbgrader", {}).get("grade_id") == "q08_rewrite_summary")
    a, b = (sources[x] for x in flag.learners)
    assert len(flag.passages) == 2  # jana moved the results to the front
    for p in flag.passages:
        in_a, in_b = a[p.a[0]:p.a[1]], b[p.b[0]:p.b[1]]
        assert in_a == p.text
        assert sim.tokenize(in_a).words[:6] == sim.tokenize(in_b).words[:6]
    assert sum(p.a[1] - p.a[0] for p in flag.passages) > 0.9 * len(a.strip()) - 40


def test_identical_closed_answers_and_short_answers_are_not_compared(tmp_path):
    texts = {"ada": "I built a dry-run kit that 5 teams now use.",
             "ben": "I built a dry-run kit that 5 teams now use."}
    report = check_module(module08_workspace(tmp_path, texts), M08, outputs=False)
    assert report.flags == []  # one sentence proves nothing; every label dict is alike
    assert all(q.compared == 0 for q in report.questions)
    assert "not compared" in "\n".join(report.lines())


# --------------------------------------------------------------- the two-notebook course

def test_second_notebook_starter_text_and_code_answers(ws):
    own = ("Our team raised the cache expiry for product prices from five minutes to six "
           "hours, and we had no alert on stale prices. We will add one and review expiry "
           "changes before they ship.")
    code = ("def total(values):\n    \"\"\"Sum of the numbers in values.\"\"\"\n    acc = 0\n"
            "    for number in values:\n        if number is not None:\n"
            "            acc = acc + number  # skip gaps in the data\n    return acc\n")
    sc.submit(ws.root, "ada", {"q01_rewrite": sc.prose("rewrite", sc.B_DRAFT),
                               "q01_total": code})
    sc.submit(ws.root, "ben", {"q01_rewrite": sc.prose("rewrite", own),
                               "q01_total": code.replace("acc", "total_so_far")})
    sc.submit(ws.root, "cy", {"q01_rewrite": sc.prose("rewrite", sc.B_DRAFT.replace(
        "took too long", "was slow"))})
    report = check_module(ws, sc.MODULE, outputs=False)
    by = {(f.question, f.learners): f for f in report.flags}
    assert by[("q01_rewrite", ("ada", "notebook"))].note == "unchanged starter"
    assert by[("q01_rewrite", ("cy", "notebook"))].note == "mostly the starter text"
    assert all(p.starter for p in by[("q01_rewrite", ("ada", "notebook"))].passages)
    assert ("q01_rewrite", ("ben", "notebook")) not in by
    assert ("q01_total", ("ada", "ben")) in by  # the same code, a variable renamed
    assert {f.notebook for f in report.flags} == {"sim-a", "sim-b"}


def test_what_the_notebook_prints_counts_as_the_notebook(ws):
    """Two writers quote the printed timeline; with outputs they are not copying."""
    lines = sc.PRINTED.splitlines()[1:]
    first = ("Root cause first: " + lines[0] + ". Then " + lines[1] + ". Response: "
             + lines[2] + ", and " + lines[3] + ". We now alert on stale prices.")
    second = ("What happened, in order. " + lines[0] + ". Customers noticed it when "
              + lines[1] + ". Mitigation: " + lines[2] + ". Recovery: " + lines[3]
              + ". Next we will review every expiry change.")
    sc.submit(ws.root, "ada", {"q01_rewrite": sc.prose("rewrite", first)})
    sc.submit(ws.root, "ben", {"q01_rewrite": sc.prose("rewrite", second)})
    with_outputs = check_module(ws, sc.MODULE, threshold=0.3)
    without = check_module(ws, sc.MODULE, threshold=0.3, outputs=False)
    assert pairs(with_outputs) == set()
    assert pairs(without) == {frozenset(("ada", "ben"))}  # the reason outputs are read


def test_release_is_made_when_exercises_are_missing(tmp_path, monkeypatch):
    course = sc.build_course(tmp_path / "course", with_release=False)
    monkeypatch.setenv("WBCOURSE_ROOT", str(course))
    ws = Workspace(tmp_path / "ws")
    sc.submit(ws.root, "ada", {"q01_summary": sc.prose("summary", sc.EXAMPLE)})
    report = check_module(ws, sc.MODULE, outputs=False)
    flags = {f.question: f for f in report.flags}
    assert flags["q01_summary"].learners == ("ada", "notebook")
    assert flags["q01_rewrite"].note == "unchanged starter"  # ada left the draft as it was


def test_broken_submissions_are_reported_and_the_rest_compared(ws):
    text = sc.prose("summary", ORIGINAL)
    for learner in ("ada", "ben"):
        sc.submit(ws.root, learner, {"q01_summary": text})
    broken = ws.submitted / "cy" / sc.MODULE
    broken.mkdir(parents=True)
    (broken / "sim-a.ipynb").write_text("{not json")
    (broken / "sim-b.ipynb").write_text('{"worksheets": []}')
    sc.submit(ws.root, "dee", {})
    nb = json.loads((ws.submitted / "dee" / sc.MODULE / "sim-a.ipynb").read_text())
    nb["cells"] = [c for c in nb["cells"]
                   if c["metadata"].get("nbgrader", {}).get("grade_id") != "q01_summary"]
    (ws.submitted / "dee" / sc.MODULE / "sim-a.ipynb").write_text(json.dumps(nb))
    (ws.submitted / "eve" / sc.MODULE).mkdir(parents=True)  # an empty folder
    sc.submit(ws.root, "fay", {})
    nb = json.loads((ws.submitted / "fay" / sc.MODULE / "sim-a.ipynb").read_text())
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "q01_summary":
            cell["source"] = {"not": "text"}
    (ws.submitted / "fay" / sc.MODULE / "sim-a.ipynb").write_text(json.dumps(nb))
    (ws.submitted / "fay" / sc.MODULE / "sim-b.ipynb").unlink()
    (ws.submitted / "fay" / sc.MODULE / "sim-b.ipynb").symlink_to("/dev/zero")
    report = check_module(ws, sc.MODULE, outputs=False)
    problems = [str(p) for p in report.problems]
    assert "cy: sim-a.ipynb is not valid notebook JSON" in problems
    assert "cy: sim-b.ipynb is not a Jupyter notebook (no list of cells)" in problems
    assert "dee: answer cell q01_summary is missing from sim-a.ipynb" in problems
    assert "eve: sim-a.ipynb is missing" in problems
    assert "fay: answer cell q01_summary in sim-a.ipynb holds no text" in problems
    assert "fay: sim-b.ipynb is not a regular file" in problems  # never read forever
    assert pairs(report) == {frozenset(("ada", "ben"))}


def test_threshold_lowers_and_raises_what_is_flagged(ws):
    half = sc.EXAMPLE.split(". ")
    own = ("My own part was coaching two new engineers through their first launch and "
           "writing the runbook they now keep up to date themselves every quarter.")
    sc.submit(ws.root, "ada", {"q01_summary": sc.prose("summary", sc.MODEL + " " + own)})
    sc.submit(ws.root, "ben", {"q01_summary": sc.prose(
        "summary", own + " Separately, " + ". ".join(half[:2]) + ".")})
    low = check_module(ws, sc.MODULE, threshold=0.2, outputs=False)
    high = check_module(ws, sc.MODULE, threshold=0.95, outputs=False)
    assert pairs(low) == {frozenset(("ada", "ben"))}
    assert pairs(high) == set()
    with pytest.raises(Exception, match="threshold"):
        check_module(ws, sc.MODULE, threshold=1.5, outputs=False)


# -------------------------------------------------------------------------------- CLI

def test_cli_json_lists_flags_with_offsets(ws, capsys):
    copied = sc.prose("summary", sc.MODEL + " I also taught four teammates to run the kit.")
    sc.submit(ws.root, "ada", {"q01_summary": copied})
    sc.submit(ws.root, "ben", {"q01_summary": copied.replace("fell", "dropped")})
    (ws.submitted / "cy" / sc.MODULE).mkdir(parents=True)
    (ws.submitted / "cy" / sc.MODULE / "sim-a.ipynb").write_text("[]")
    assert main(["similar", "sim", "--workspace", str(ws.root), "--json"]) == 0
    out, err = capsys.readouterr()
    flags = json.loads(out)
    assert [(f["question"], f["learners"], f["note"]) for f in flags] == [
        ("q01_summary", ["ada", "ben"], ""),  # questions in notebook order
        ("q01_rewrite", ["ada", "notebook"], "unchanged starter"),  # left as released
        ("q01_rewrite", ["ben", "notebook"], "unchanged starter")]
    flag = flags[0]
    assert 0.9 <= flag["similarity"] <= 1 and set(flag) >= {"passages", "shares", "notebook"}
    start, end = flag["passages"][0]["a"]
    assert copied[start:end] == flag["passages"][0]["text"]
    assert "warning: cy: sim-a.ipynb is not a Jupyter notebook" in err


def test_cli_table(ws, capsys):
    sc.submit(ws.root, "ada", {"q01_summary": sc.prose("summary", sc.EXAMPLE)})
    sc.submit(ws.root, "ben", {"q01_summary": sc.prose("summary", sc.MODEL)})
    assert main(["similar", sc.MODULE, "--workspace", str(ws.root)]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("q01_summary")]
    assert len(rows) == 1 and "ada ~ notebook" in rows[0] and "Worked example" in rows[0]
    assert "unchanged starter" in out  # nobody rewrote q01_rewrite


@pytest.mark.parametrize("argv, message", [
    (["similar", "sim", "--workspace", "{missing}"], "no grading workspace"),
    (["similar", "nosuchmodule", "--workspace", "{ws}"], "unknown module"),
    (["similar", "sim", "--workspace", "{ws}"], "no submissions of 01-sim"),
    (["similar", "sim", "--workspace", "{ws}", "--threshold", "0"], "--threshold"),
])
def test_cli_bad_input_is_one_line_and_exit_2(ws, capsys, argv, message):
    argv = [a.format(ws=ws.root, missing=ws.root / "nope") for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and message in err and "\n" not in err
