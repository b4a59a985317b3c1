"""``wbcourse start`` never overwrites or loses a learner's work."""

from __future__ import annotations

import json

from course.cli import main
from course.learner import start


def test_start_copies_every_released_module(mini_course, tmp_path):
    report = start(tmp_path / "ws")
    assert "01-mini/mini.ipynb" in report.added
    assert (tmp_path / "ws" / "01-mini" / "mini.ipynb").exists()


def test_start_again_keeps_edited_notebooks(mini_course, tmp_path, capsys):
    ws = tmp_path / "ws"
    assert main(["start", str(ws), "--no-lab"]) == 0
    nb = ws / "01-mini" / "mini.ipynb"
    mine = nb.read_text().replace("Replace this line with your answer.", "My own draft.")
    nb.write_text(mine)
    assert main(["start", str(ws), "--no-lab"]) == 0
    out = capsys.readouterr().out
    assert nb.read_text() == mine, "the learner's edit must survive"
    assert "kept your edited 01-mini/mini.ipynb" in out


def test_new_release_updates_only_untouched_files(mini_course, tmp_path, monkeypatch):
    import shutil

    course_copy = tmp_path / "course"
    shutil.copytree(mini_course, course_copy)
    monkeypatch.setenv("WBCOURSE_ROOT", str(course_copy))
    ws = tmp_path / "ws"
    start(ws)
    released = course_copy / "exercises" / "01-mini" / "mini.ipynb"
    released.write_text(released.read_text().replace("Mini", "Mini (v2)"))
    report = start(ws)
    assert report.updated == ["01-mini/mini.ipynb"]
    assert "Mini (v2)" in (ws / "01-mini" / "mini.ipynb").read_text()
    # now the learner edits, and another release arrives: their file is kept, new one beside it
    nb = ws / "01-mini" / "mini.ipynb"
    nb.write_text(nb.read_text().replace("Replace this line with your answer.", "Mine."))
    released.write_text(released.read_text().replace("Mini (v2)", "Mini (v3)"))
    report = start(ws)
    assert report.kept == ["01-mini/mini.ipynb"]
    assert "Mine." in nb.read_text()
    assert "Mini (v3)" in (ws / "01-mini" / "mini.new.ipynb").read_text()


def test_corrupt_notebook_in_workspace_is_reported_not_fatal(mini_course, tmp_path):
    ws = tmp_path / "ws"
    start(ws)
    nb = ws / "01-mini" / "mini.ipynb"
    nb.write_text("{ not json")
    report = start(ws)
    assert report.corrupt == ["01-mini/mini.ipynb"]
    assert nb.read_text() == "{ not json", "even a broken file is never overwritten"
    manifest = json.loads((ws / ".wbcourse" / "manifest.json").read_text())
    assert "01-mini/mini.ipynb" in manifest["files"]


def test_start_into_a_file_is_an_error(mini_course, tmp_path, capsys):
    target = tmp_path / "file.txt"
    target.write_text("x")
    assert main(["start", str(target), "--no-lab"]) == 2
    assert "not a folder" in capsys.readouterr().err
