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


def _snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _course_copy(mini_course, tmp_path, monkeypatch):
    import shutil

    copy = tmp_path / "course"
    shutil.copytree(mini_course, copy)
    monkeypatch.setenv("WBCOURSE_ROOT", str(copy))
    return copy


def test_manifest_records_the_course_version(mini_course, tmp_path):
    from course import __version__

    ws = tmp_path / "ws"
    report = start(ws)
    manifest = json.loads((ws / ".wbcourse" / "manifest.json").read_text())
    assert manifest["course_version"] == __version__
    assert report.lines()[1] == f"course version {__version__}: set up 1 module(s)"


def test_workspace_from_a_newer_course_is_refused_untouched(mini_course, tmp_path, capsys):
    ws = tmp_path / "ws"
    start(ws)
    manifest = ws / ".wbcourse" / "manifest.json"
    data = json.loads(manifest.read_text())
    data["course_version"] = "999.0"
    manifest.write_text(json.dumps(data))
    (ws / "01-mini" / "mini.ipynb").unlink()  # start would put it back, if it ran
    before = _snapshot(ws)
    assert main(["start", str(ws), "--no-lab"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "set up by course version 999.0, newer than" in err
    assert _snapshot(ws) == before


def test_changed_new_and_retired_modules_are_reported(mini_course, tmp_path, monkeypatch):
    import shutil

    copy = _course_copy(mini_course, tmp_path, monkeypatch)
    ws = tmp_path / "ws"
    start(ws)
    released = copy / "exercises" / "01-mini" / "mini.ipynb"
    released.write_text(released.read_text().replace("Mini", "Mini (v2)"))
    shutil.copytree(copy / "exercises" / "01-mini", copy / "exercises" / "02-extra")
    report = start(ws)
    assert (report.new_modules, report.changed_modules) == (["02-extra"], ["01-mini"])
    assert "new modules: 02-extra" in report.lines()
    assert "changed modules: 01-mini" in report.lines()
    shutil.rmtree(copy / "exercises" / "02-extra")
    report = start(ws)
    assert report.retired == ["02-extra"] and report.changed_modules == []
    assert (ws / "02-extra" / "mini.ipynb").exists(), "the learner's copy stays"
    assert start(ws).retired == [], "said once"


def test_a_kept_edit_is_not_a_change_on_the_next_run(mini_course, tmp_path, monkeypatch):
    copy = _course_copy(mini_course, tmp_path, monkeypatch)
    ws = tmp_path / "ws"
    start(ws)
    nb = ws / "01-mini" / "mini.ipynb"
    nb.write_text(nb.read_text().replace("Replace this line with your answer.", "Mine."))
    released = copy / "exercises" / "01-mini" / "mini.ipynb"
    released.write_text(released.read_text().replace("Mini", "Mini (v2)"))
    assert start(ws).changed_modules == ["01-mini"]
    again = start(ws)
    assert again.kept == ["01-mini/mini.ipynb"] and again.changed_modules == []
    assert "no module changed" in again.lines()


def test_work_done_in_the_new_release_file_is_kept_too(mini_course, tmp_path, monkeypatch):
    copy = _course_copy(mini_course, tmp_path, monkeypatch)
    ws = tmp_path / "ws"
    start(ws)
    nb = ws / "01-mini" / "mini.ipynb"
    nb.write_text(nb.read_text().replace("Replace this line with your answer.", "Mine."))
    released = copy / "exercises" / "01-mini" / "mini.ipynb"
    released.write_text(released.read_text().replace("Mini", "Mini (v2)"))
    start(ws)
    beside = ws / "01-mini" / "mini.new.ipynb"
    beside.write_text(beside.read_text().replace("Replace this line with your answer.", "Also."))
    released.write_text(released.read_text().replace("Mini (v2)", "Mini (v3)"))
    report = start(ws)
    assert "Also." in beside.read_text(), "the learner worked in the .new file: keep it"
    assert "Mini (v3)" in (ws / "01-mini" / "mini.new2.ipynb").read_text()
    assert report.beside == {"01-mini/mini.ipynb": "01-mini/mini.new2.ipynb"}
    assert "beside it as 01-mini/mini.new2.ipynb" in "\n".join(report.lines())


def test_unreadable_manifest_keeps_every_differing_file(mini_course, tmp_path):
    ws = tmp_path / "ws"
    start(ws)
    (ws / ".wbcourse" / "manifest.json").write_text("{ broken")
    nb = ws / "01-mini" / "mini.ipynb"
    nb.write_text(nb.read_text().replace("Replace this line with your answer.", "Mine."))
    report = start(ws)
    assert report.kept == ["01-mini/mini.ipynb"] and "Mine." in nb.read_text()
    assert any("manifest.json was unreadable" in line for line in report.lines())


def test_start_below_a_file_is_an_error(mini_course, tmp_path, capsys):
    target = tmp_path / "file.txt"
    target.write_text("x")
    assert main(["start", str(target / "ws"), "--no-lab"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is a file, not a folder" in err
    assert target.read_text() == "x"


def test_missing_exercises_in_a_course_source(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WBCOURSE_ROOT", str(tmp_path / "empty"))
    assert main(["start", str(tmp_path / "ws"), "--no-lab"]) == 2
    assert "no released exercises found" in capsys.readouterr().err
    assert not (tmp_path / "ws").exists()


def test_copies_of_a_read_only_installation_are_writable(mini_course, tmp_path, monkeypatch):
    """A shared, read-only install (a hub's venv) still gives the learner files they can save."""
    import stat

    copy = _course_copy(mini_course, tmp_path, monkeypatch)
    released = copy / "exercises" / "01-mini" / "mini.ipynb"
    released.chmod(0o444)
    ws = tmp_path / "ws"
    start(ws)
    assert (ws / "01-mini" / "mini.ipynb").stat().st_mode & stat.S_IWUSR
