"""The leak check on the one-module fixture course: what it knows is secret, what it finds.

The end-to-end checks on the real wheel and sdist are in ``test_wheel.py``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from course import leakcheck

MINI = Path(__file__).parent / "fixtures" / "mini-course"
MODEL = "it cut their launch preparation from three weeks to four days"
EXPLANATION = "Doubling means adding a number to itself, which is why double(2) is 4."


@pytest.fixture
def course(tmp_path) -> Path:
    """A copy of the mini course whose source has an explanation the release strips."""
    root = tmp_path / "course"
    shutil.copytree(MINI, root)
    sol = root / "solutions" / "01-mini" / "mini.ipynb"
    nb = nbformat.read(sol, as_version=4)
    nb.cells.insert(3, nbformat.v4.new_markdown_cell(EXPLANATION,
                                                     metadata={"wbcourse": {"instructor": True}}))
    nb.cells[2].metadata["wbcourse"] = {"why": "Return the argument times two, not plus two."}
    nbformat.write(nb, sol)
    sample = root / "assets" / "samples" / "01-mini" / "ann" / "mini.ipynb"
    sample.parent.mkdir(parents=True)
    learner = nbformat.read(root / "exercises" / "01-mini" / "mini.ipynb", as_version=4)
    for cell in learner.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "q01_summary":
            cell.source = ('draft = """\nMy team shipped a cache in May 2025 and p99 fell '
                           'by half.\n"""')
    nbformat.write(learner, sample)
    return root


def _artifact(tmp_path: Path, course: Path, text: str, name: str = "x.py") -> Path:
    """A folder that looks like an installed edition, with ``text`` in one file."""
    out = tmp_path / "artifact"
    shutil.copytree(course / "exercises", out / "exercises")
    (out / name).write_text(text, encoding="utf-8")
    return out


def test_the_released_course_is_clean(course, tmp_path):
    secrets = leakcheck.secrets_of(course)
    assert leakcheck.scan(_artifact(tmp_path, course, "print('hello')\n"), secrets) == []


@pytest.mark.parametrize(("text", "kind"), [
    ("    return 2 * x\n", "solution"),  # one line of an answer
    ("y = 1\n", None),
    ('assert double(-3) == -6, "Check negative numbers."\n', "hidden test"),
    (f"# {MODEL.upper()}!\n", "solution"),  # case and punctuation changed: the word run
    (EXPLANATION + "\n", "instructor-only"),  # a cell the release drops
    ("why = 'Return the argument times two, not plus two.'\n", "instructor-only"),  # metadata
    ("My team shipped a cache in May 2025 and p99 fell by half.\n", "sample answer"),
])
def test_instructor_only_text_is_found(text, kind, course, tmp_path):
    leaks = leakcheck.scan(_artifact(tmp_path, course, text), leakcheck.secrets_of(course))
    if kind is None:
        assert leaks == []
    else:
        assert [leak.member for leak in leaks] == ["x.py"]
        assert leaks[0].reason.startswith(kind)


def test_text_learners_see_anyway_is_not_secret(course):
    secrets = leakcheck.secrets_of(course)
    assert secrets.find("assert double(2) == 4, \"double(2) should be 4\"") is None
    assert secrets.find("Replace this line with your answer.") is None


def test_a_notebook_output_is_read_too(course, tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "print(x)", outputs=[nbformat.v4.new_output("stream", text=MODEL + "\n")])])
    artifact = _artifact(tmp_path, course, nbformat.writes(nb), name="out.ipynb")
    leaks = leakcheck.scan(artifact, leakcheck.secrets_of(course))
    assert [leak.member for leak in leaks] == ["out.ipynb"]


def test_a_released_notebook_with_its_solution_left_in(course, tmp_path):
    """The release step failed to strip a solution: the markers in the source still tell."""
    released = course / "exercises" / "01-mini" / "mini.ipynb"
    shutil.copy(course / "solutions" / "01-mini" / "mini.ipynb", released)
    secrets = leakcheck.secrets_of(course)
    leaks = leakcheck.scan(_artifact(tmp_path, course, ""), secrets)
    assert [leak.member for leak in leaks] == ["exercises/01-mini/mini.ipynb"]


def test_unreadable_artifact_is_a_one_line_error(tmp_path, capsys):
    bad = tmp_path / "x.tar.gz"
    bad.write_bytes(b"\x00" * 10)
    assert leakcheck.main([str(bad), "--root", str(MINI)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert leakcheck.main([str(tmp_path / "nope.whl"), "--root", str(MINI)]) == 2


def test_command_line_lists_each_leak(course, tmp_path, capsys):
    artifact = _artifact(tmp_path, course, EXPLANATION)
    assert leakcheck.main([str(artifact), "--root", str(course)]) == 1
    err = capsys.readouterr().err
    assert "leak: artifact: x.py: instructor-only (solutions/01-mini/mini.ipynb" in err


def test_a_root_without_solutions_cannot_vouch_for_anything(tmp_path, capsys):
    artifact = tmp_path / "a"
    artifact.mkdir()
    assert leakcheck.main([str(artifact), "--root", str(tmp_path)]) == 2
    assert "no solution notebooks" in capsys.readouterr().err
