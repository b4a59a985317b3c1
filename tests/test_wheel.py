"""The learner edition: what the wheel and the sdist hold, and what a learner can do with it.

The artifacts are built with ``python -m build`` (or taken from ``WBCOURSE_DIST``, the
folder ``make wheel`` fills, after checking they match this checkout), then installed
into fresh virtual environments outside the checkout.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tarfile
import zipfile
from pathlib import Path

import nbformat
import pytest

from course import __version__, edition, leakcheck
from course.samples import strip_delimiters
from tests.learner_venv import ROOT, build_dist, find_dist, make_learner_venv

pytestmark = pytest.mark.slow
CONTENT = f"course/{edition.CONTENT_DIR}/"


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> dict[str, Path]:
    prebuilt = os.environ.get("WBCOURSE_DIST")
    if prebuilt:
        return find_dist(Path(prebuilt))
    return build_dist(tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="module")
def secrets() -> leakcheck.Secrets:
    return leakcheck.secrets_of(ROOT)


@pytest.fixture(scope="module")
def learner(tmp_path_factory, dist):
    return make_learner_venv(tmp_path_factory.mktemp("learner"), dist["wheel"])


def _wheel_files(wheel: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(wheel) as zf:
        return {n: zf.read(n) for n in zf.namelist() if not n.endswith("/")}


def _sdist_names(sdist: Path) -> list[str]:
    with tarfile.open(sdist) as tf:
        return [m.name.split("/", 1)[1] for m in tf.getmembers() if m.isfile() and "/" in m.name]


def _released_notebooks() -> list[str]:
    return sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "exercises").rglob("*.ipynb"))


# ------------------------------------------------------------------ what the artifacts hold

def test_wheel_holds_the_package_and_exactly_the_learner_files(dist):
    files = _wheel_files(dist["wheel"])
    content = {n[len(CONTENT):]: data for n, data in files.items() if n.startswith(CONTENT)}
    expected = edition.learner_files(ROOT)
    assert sorted(set(content) - {edition.INDEX_NAME}) == expected
    for rel in expected:  # the very files of this checkout (a stale dist/ fails here)
        assert content[rel] == (ROOT / rel).read_bytes(), f"{rel} differs from the checkout"
    notebooks = [rel for rel in content if rel.endswith(".ipynb")]
    assert sorted(notebooks) == _released_notebooks() and notebooks
    assert {"assets/data", "assets/img", "assets/modules"} <= {
        rel.rsplit("/", 1)[0] for rel in content}
    index = json.loads(content[edition.INDEX_NAME])
    assert index["version"] == __version__
    assert "course/cli.py" in files and "course/prose/rules/_common.toml" in files
    print(f"\nwheel: {len(files)} files, {len(notebooks)} notebooks, "
          f"{len(content) - len(notebooks) - 1} asset files")


def test_nothing_instructor_only_is_in_the_wheel_or_the_sdist(dist):
    names = list(_wheel_files(dist["wheel"]))
    if "sdist" in dist:
        names += _sdist_names(dist["sdist"])
    instructor_only = {"solutions", "samples", "rubrics", "prose_eval", "tests", "scripts"}
    for name in names:
        assert not set(Path(name).parts[:-1]) & instructor_only, name


def test_sdist_carries_what_the_wheel_is_built_from_and_no_solutions(dist):
    if "sdist" not in dist:
        pytest.skip("no sdist in WBCOURSE_DIST")
    names = set(_sdist_names(dist["sdist"]))
    assert set(edition.learner_files(ROOT)) <= names
    assert {"pyproject.toml", "setup.py", "course/edition.py"} <= names
    assert not [n for n in names if n.startswith(("solutions/", "tests/", "assets/samples/"))]


def test_artifacts_hold_no_answers_hidden_tests_or_sample_answers(dist, secrets):
    assert len(secrets.lines) > 100 and len(secrets.shingles) > 1000, "the check must know them"
    for artifact in dist.values():
        assert leakcheck.scan(artifact, secrets) == [], artifact.name


# ------------------------------------------------------------------ the check can fail

def _answer_cell(kind: str) -> tuple[str, str]:
    """(grade_id, text) of an instructor-only region of the first solution notebook with one."""
    for sol in sorted((ROOT / "solutions").rglob("*.ipynb")):
        for cell in nbformat.read(sol, as_version=4).cells:
            _public, regions = leakcheck.split_regions(cell.source)
            if regions[kind]:
                return cell.metadata.get("nbgrader", {}).get("grade_id", ""), regions[kind][0]
    raise AssertionError(f"no {kind} region in solutions/")


def _sample_answer() -> str:
    """A sample learner's own written answer (not the model answer)."""
    import tomllib

    for spec in sorted((ROOT / "assets" / "samples" / "specs").glob("*.toml")):
        for learner in tomllib.loads(spec.read_text(encoding="utf-8")).get("learner", []):
            for answer in learner.get("answers", {}).values():
                if "draft" in answer and len(answer) > 300:
                    return answer
    raise AssertionError("no written sample answer")


def _rewrite_wheel(wheel: Path, out: Path, change) -> Path:
    """A copy of ``wheel`` with ``change(files)`` applied to its {name: bytes}."""
    files = _wheel_files(wheel)
    change(files)
    target = out / wheel.name
    with zipfile.ZipFile(target, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return target


def _plant_in_notebook(files: dict[str, bytes], text: str) -> str:
    name = next(n for n in sorted(files) if n.endswith(".ipynb"))
    nb = nbformat.reads(files[name].decode(), as_version=4)
    answer = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution"))
    answer.source = text
    files[name] = nbformat.writes(nb).encode()
    return name


@pytest.mark.parametrize("planted", ["solution", "hidden test", "sample answer"])
def test_leak_check_catches_answers_planted_in_a_released_notebook(planted, dist, secrets,
                                                                   tmp_path):
    if planted == "sample answer":
        text = _sample_answer()
    else:
        text = _answer_cell(planted)[1]
    where = {}
    bad = _rewrite_wheel(dist["wheel"], tmp_path,
                         lambda files: where.setdefault("nb", _plant_in_notebook(files, text)))
    leaks = leakcheck.scan(bad, secrets)
    assert [leak.member for leak in leaks] == [where["nb"]]
    assert leaks[0].reason.startswith(planted)


def test_leak_check_catches_a_model_answer_rewrapped_into_package_code(dist, secrets, tmp_path):
    """An answer pasted into a docstring, on other line breaks, is found by its word runs."""
    text = " ".join(_sample_answer().split())
    wrapped = "\n".join(text[i:i + 50] for i in range(0, len(text), 50))

    def plant(files):
        files["course/extra.py"] = f'"""Example:\n{wrapped}\n"""\n'.encode()

    leaks = leakcheck.scan(_rewrite_wheel(dist["wheel"], tmp_path, plant), secrets)
    assert [leak.member for leak in leaks] == ["course/extra.py"]


def test_leak_check_rejects_instructor_files_by_path(dist, secrets, tmp_path):
    def plant(files):
        files[CONTENT + "assets/rubrics/03-faq.toml"] = b"title = 'x'\n"
        files[CONTENT + "solutions/03-faq/faq.ipynb"] = b"{}"

    leaks = leakcheck.scan(_rewrite_wheel(dist["wheel"], tmp_path, plant), secrets)
    assert sorted(leak.member for leak in leaks) == [
        CONTENT + "assets/rubrics/03-faq.toml", CONTENT + "solutions/03-faq/faq.ipynb"]


def test_leak_check_finds_solutions_in_an_sdist(dist, secrets, tmp_path):
    if "sdist" not in dist:
        pytest.skip("no sdist in WBCOURSE_DIST")
    top = dist["sdist"].name[: -len(".tar.gz")]
    unpacked = tmp_path / "unpacked"
    with tarfile.open(dist["sdist"]) as tf:
        tf.extractall(unpacked, filter="data")
    shutil.copytree(ROOT / "solutions", unpacked / top / "solutions")
    bad = tmp_path / "bad" / dist["sdist"].name
    bad.parent.mkdir()
    with tarfile.open(bad, "w:gz") as tf:
        tf.add(unpacked / top, arcname=top)
    leaks = leakcheck.scan(bad, secrets)
    assert leaks and all("/solutions/" in leak.member for leak in leaks)


def test_leak_check_command_exit_codes(dist, tmp_path, capsys):
    assert leakcheck.main([str(p) for p in dist.values()]) == 0
    bad = _rewrite_wheel(dist["wheel"], tmp_path, lambda f: _plant_in_notebook(
        f, _answer_cell("hidden test")[1]))
    assert leakcheck.main([str(bad)]) == 1
    assert "leak: " in capsys.readouterr().err
    corrupt = tmp_path / "corrupt.whl"
    corrupt.write_bytes(b"not a zip")
    assert leakcheck.main([str(corrupt)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1


# ------------------------------------------------------------------ installed, outside the checkout

def test_learner_install_lays_out_every_module(learner):
    probe = learner.run("python", "-c", "import course; print(course.__file__)")
    assert probe.returncode == 0 and Path(probe.stdout.strip()).is_relative_to(learner.path)
    ws = learner.home / "wb-course"
    proc = learner.run("wbcourse", "start", "--no-lab")  # the default ~/wb-course
    assert proc.returncode == 0, proc.stderr
    modules = sorted(p.name for p in (ROOT / "exercises").iterdir() if p.is_dir())
    assert f"course version {__version__}: set up {len(modules)} module(s)" in proc.stdout
    for rel in _released_notebooks():
        copied = ws / Path(rel).relative_to("exercises")
        assert copied.read_bytes() == (ROOT / rel).read_bytes(), rel
    listed = learner.run("wbcourse", "modules")
    assert listed.returncode == 0 and all(m in listed.stdout for m in modules)


def _answered(notebook: Path, solution: Path) -> None:
    """Fill the learner's answer cells with the model answers, as a learner who did them."""
    nb = nbformat.read(notebook, as_version=4)
    model = {c.metadata["nbgrader"]["grade_id"]: c.source
             for c in nbformat.read(solution, as_version=4).cells
             if c.metadata.get("nbgrader", {}).get("solution")}
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.metadata.get("nbgrader", {}).get("solution") and grade_id in model:
            cell.source = strip_delimiters(model[grade_id])
    nbformat.write(nb, notebook)


_RUN_NOTEBOOKS = r"""
import json, sys
from pathlib import Path
import nbformat
from nbclient import NotebookClient
report = {}
for path in map(Path, sys.argv[1:]):
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(
        "import sys, course.paths as p; print(sys.executable, p.__file__, p.content_root())"))
    try:
        NotebookClient(nb, timeout=120, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        error = None
    except Exception as exc:
        error = f"{type(exc).__name__}: {str(exc)[-1500:]}"
    kinds = sorted({k for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                    for k in o.get("data", {})})
    probe = "".join(o.get("text", "") for o in nb.cells[0].get("outputs", []))
    report[path.name] = {"error": error, "kinds": kinds, "probe": probe}
print(json.dumps(report))
"""


def test_every_teaching_cell_runs_from_the_installed_wheel(learner, tmp_path):
    """Each released notebook, laid out by ``start``, runs top to bottom in the learner venv.

    The answer cells hold the model answers (teaching cells such as "your 6-12 chart" use
    them); everything else (set-up, readings' code, widgets, plots, data files, visible
    tests) is exactly what the wheel installed.
    """
    ws = tmp_path / "ws"
    proc = learner.run("wbcourse", "start", ws, "--no-lab")
    assert proc.returncode == 0, proc.stderr
    notebooks = sorted(ws.rglob("*.ipynb"))
    for nb_path in notebooks:
        _answered(nb_path, ROOT / "solutions" / nb_path.relative_to(ws))
    script = tmp_path / "run_notebooks.py"
    script.write_text(_RUN_NOTEBOOKS, encoding="utf-8")
    proc = learner.run("python", script, *notebooks, timeout=1200)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert len(report) == len(_released_notebooks())
    for name, result in report.items():
        assert result["error"] is None, f"{name}: {result['error']}"
        executable, package, content = result["probe"].split()
        assert Path(executable).is_relative_to(learner.path), f"{name}: not the learner venv"
        assert Path(package).is_relative_to(learner.path) and content.endswith("_content")
    kinds = {k for result in report.values() for k in result["kinds"]}
    print(f"\nran {len(report)} notebooks from the installed wheel; outputs: {sorted(kinds)}")
    assert {"image/png", "application/vnd.jupyter.widget-view+json"} <= kinds


def test_instructor_commands_need_the_course_source(learner, tmp_path):
    commands = {
        "init": ["init", str(tmp_path / "grading")],
        "grade": ["grade", "03-faq", "--workspace", str(tmp_path / "grading")],
        "release": ["release", "--check"],
        "samples": ["samples", "--check"],
        "demo": ["demo", str(tmp_path / "demo")],
        "feedback": ["feedback", "03-faq", "--workspace", str(tmp_path / "grading")],
        "report": ["report", "03-faq", "--workspace", str(tmp_path / "grading"), "-o",
                   str(tmp_path / "r")],
    }
    for name, argv in commands.items():
        proc = learner.run("wbcourse", *argv)
        assert proc.returncode == 2, (name, proc.stdout, proc.stderr)
        assert proc.stderr.startswith(f"error: wbcourse {name}: the course source")
        assert proc.stderr.count("\n") == 1 and "WBCOURSE_ROOT" in proc.stderr
        assert "Traceback" not in proc.stderr
    assert not list(tmp_path.iterdir()), "nothing is created"
    pointed = learner.run("wbcourse", "samples", "--check", WBCOURSE_ROOT=str(ROOT))
    assert pointed.returncode == 0, pointed.stderr
    bogus = learner.run("wbcourse", "samples", "--check", WBCOURSE_ROOT=str(tmp_path))
    assert bogus.returncode == 2 and "has no solutions/ folder" in bogus.stderr


def test_learner_commands_work_without_the_source(learner, tmp_path):
    draft = tmp_path / "summary.md"
    draft.write_text("Since March 2024, 5 teams use the load-test library I built; their "
                     "launch incidents fell from 7 to 1 a quarter.\n", encoding="utf-8")
    proc = learner.run("wbcourse", "review", draft, "--kind", "summary", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["kind"] == "summary"


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_workspace_path_that_is_a_file_changes_nothing(learner, tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("my notes", encoding="utf-8")
    for path in (target, target / "ws"):
        proc = learner.run("wbcourse", "start", path, "--no-lab")
        assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
        assert proc.stderr.startswith("error: ")
    assert target.read_text(encoding="utf-8") == "my notes"


@pytest.mark.parametrize("damage", ["one notebook missing", "exercises folder missing",
                                    "notebook truncated"])
def test_partial_install_is_refused_and_changes_nothing(damage, dist, tmp_path_factory):
    venv = make_learner_venv(tmp_path_factory.mktemp("partial"), dist["wheel"])
    ws = venv.home / "ws"
    assert venv.run("wbcourse", "start", ws, "--no-lab").returncode == 0
    before = _snapshot(ws)
    exercises = venv.content() / "exercises"
    first = sorted(exercises.rglob("*.ipynb"))[0]
    if damage == "one notebook missing":
        first.unlink()
    elif damage == "exercises folder missing":
        shutil.rmtree(exercises)
    else:
        first.write_bytes(first.read_bytes()[:100])
    for target in (ws, venv.home / "new-ws"):
        proc = venv.run("wbcourse", "start", target, "--no-lab")
        assert proc.returncode == 2, proc.stdout
        assert proc.stderr.startswith("error: the installed course is incomplete")
        assert proc.stderr.count("\n") == 1 and "reinstall" in proc.stderr
    assert _snapshot(ws) == before
    assert not (venv.home / "new-ws").exists()


# ------------------------------------------------------------------ upgrading the course

def _next_version(version: str) -> str:
    from packaging.version import Version

    v = Version(version)
    return f"{v.major}.{v.minor + 1}.0"


def _newer_source(dist: dict[str, Path], base: Path) -> Path:
    """The sdist unpacked with a later version: one module changed, one edited-by-us, one new."""
    with tarfile.open(dist["sdist"]) as tf:
        tf.extractall(base, filter="data")
    src = next(base.iterdir())
    init = src / "course" / "__init__.py"
    init.write_text(init.read_text().replace(f'"{__version__}"',
                                             f'"{_next_version(__version__)}"'))
    for module in ("03-faq", "04-input-metrics"):
        nb_path = next((src / "exercises" / module).glob("*.ipynb"))
        nb = nbformat.read(nb_path, as_version=4)
        nb.cells[0].source += f"\n\n*Updated in version {_next_version(__version__)}.*"
        nbformat.write(nb, nb_path)
    new = src / "exercises" / "10-what-comes-next"
    new.mkdir()
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "# Module 10: what comes next")]), new / "what-comes-next.ipynb")
    shutil.copy(src / "assets" / "modules" / "09-readiness-over-time.toml",
                src / "assets" / "modules" / "10-what-comes-next.toml")
    return src


def test_upgrade_keeps_learner_work_and_says_what_changed(dist, tmp_path_factory):
    if "sdist" not in dist:
        pytest.skip("the newer wheel is built from the sdist")
    base = tmp_path_factory.mktemp("upgrade")
    newer = build_dist(base / "dist-new", _newer_source(dist, base / "src"), wheel_only=True)
    new_version = _next_version(__version__)
    assert new_version in newer["wheel"].name

    venv = make_learner_venv(base / "learner", dist["wheel"])
    ws = venv.home / "ws"
    assert venv.run("wbcourse", "start", ws, "--no-lab").returncode == 0
    faq = next((ws / "03-faq").glob("*.ipynb"))
    metrics_nb = next((ws / "04-input-metrics").glob("*.ipynb"))
    mine = metrics_nb.read_text(encoding="utf-8").replace("raise NotImplementedError()",
                                                          "pass  # my work in progress")
    metrics_nb.write_text(mine, encoding="utf-8")

    venv.install(newer["wheel"])
    proc = venv.run("wbcourse", "start", ws, "--no-lab")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert f"course version {new_version} (this workspace had {__version__})" in out
    assert "new modules: 10-what-comes-next" in out
    assert "changed modules: 03-faq, 04-input-metrics" in out
    assert f"kept your edited 04-input-metrics/{metrics_nb.name}" in out
    assert f"Updated in version {new_version}" in faq.read_text(encoding="utf-8")
    assert metrics_nb.read_text(encoding="utf-8") == mine, "the learner's edit survives"
    beside = metrics_nb.with_name(metrics_nb.stem + ".new.ipynb")
    assert f"Updated in version {new_version}" in beside.read_text(encoding="utf-8")
    assert (ws / "10-what-comes-next" / "what-comes-next.ipynb").is_file()
    manifest = json.loads((ws / ".wbcourse" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["course_version"] == new_version

    again = venv.run("wbcourse", "start", ws, "--no-lab")
    assert "no module changed" in again.stdout and "(as before)" in again.stdout

    # going back to the older wheel: the workspace is newer than the course, so stop
    venv.install(dist["wheel"])
    before = _snapshot(ws)
    proc = venv.run("wbcourse", "start", ws, "--no-lab")
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert f"set up by course version {new_version}, newer than the installed {__version__}" \
        in proc.stderr
    assert _snapshot(ws) == before
