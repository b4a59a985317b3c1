"""``wbcourse collect``: folders, LMS downloads, zips (safely) and nbgrader exchanges."""

from __future__ import annotations

import io
import json
import os
import shutil
import stat
import time
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest

from course import catalog
from course.errors import CourseError
from course.grading import collect as collect_mod
from course.grading.collect import collect
from course.grading.workspace import _CONFIG_TEMPLATE, CONFIG_NAME, Workspace

MINI = Path(__file__).parent / "fixtures" / "mini-course"
MODULE = "01-mini"


@pytest.fixture(autouse=True)
def mini_course(monkeypatch):
    monkeypatch.setenv("WBCOURSE_ROOT", str(MINI))
    catalog.modules.cache_clear()
    yield
    catalog.modules.cache_clear()


@pytest.fixture
def ws(tmp_path) -> Workspace:
    """A grading workspace with the module released (no gradebook needed to collect)."""
    root = tmp_path / "ws"
    (root / "release" / MODULE).mkdir(parents=True)
    (root / "submitted").mkdir()
    shutil.copy(MINI / "exercises" / MODULE / "mini.ipynb", root / "release" / MODULE)
    (root / CONFIG_NAME).write_text(
        _CONFIG_TEMPLATE.format(source=str(MINI / "solutions"), db=""), encoding="utf-8")
    return Workspace(root.resolve())


def notebook(text: str = "x = 1") -> str:
    """A small valid notebook whose one code cell is ``text``."""
    return json.dumps({"cells": [{"cell_type": "code", "execution_count": None, "id": "c1",
                                  "metadata": {}, "outputs": [], "source": text}],
                       "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def write(path: Path, content: str | bytes, mtime: float | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def submitted(ws: Workspace, learner: str) -> Path:
    return ws.submitted / learner / MODULE


def skipped_reasons(report) -> dict[str, str]:
    return {s.source: s.reason for s in report.skipped}


def all_files(root: Path) -> set[str]:
    return {p.name for p in root.rglob("*")}


# ------------------------------------------------------------------- plain folders

def test_folder_per_learner_both_layouts(ws, tmp_path):
    src = tmp_path / "src"
    write(src / "ada" / "mini.ipynb", notebook("ada = 1"))
    write(src / "bob" / MODULE / "my work.ipynb", notebook("bob = 1"))
    write(src / "bob" / MODULE / "data.csv", "a,b\n1,2\n")
    report = collect(ws, MODULE, src)
    assert [i.learner for i in report.imported] == ["ada", "bob"]
    assert "ada = 1" in (submitted(ws, "ada") / "mini.ipynb").read_text()
    # bob's only notebook takes the module's notebook name; other files come along
    assert "bob = 1" in (submitted(ws, "bob") / "mini.ipynb").read_text()
    assert (submitted(ws, "bob") / "data.csv").read_text() == "a,b\n1,2\n"
    assert any("renamed to mini.ipynb" in n for n in report.imported[1].notes)
    assert ws.learners(MODULE) == ["ada", "bob"]


def test_timestamp_txt_is_nbgrader_format(ws, tmp_path):
    from nbgrader.utils import parse_utc

    when = time.mktime((2025, 3, 4, 10, 30, 0, 0, 0, -1))
    write(tmp_path / "src" / "ada" / "mini.ipynb", notebook(), mtime=when)
    collect(ws, MODULE, tmp_path / "src")
    text = (submitted(ws, "ada") / "timestamp.txt").read_text()
    assert text.endswith(" UTC")
    expected = datetime.fromtimestamp(when, timezone.utc).replace(tzinfo=None)
    assert abs((parse_utc(text) - expected).total_seconds()) < 1  # parse_utc: naive UTC


def test_lms_downloads_one_file_per_learner(ws, tmp_path):
    src = tmp_path / "downloads"
    write(src / "smithjane_12345_678_cross-team-impact.ipynb", notebook("jane = 1"))
    write(src / "doejohn_LATE_222_333_mini-1.ipynb", notebook("john = 1"))
    write(src / "ada.ipynb", notebook("ada = 1"))
    write(src / "Jane Smith_1_assignsubmission_file_mini.ipynb", notebook())
    write(src / "readme.txt", "hello")
    write(src / "mini.ipynb", notebook())
    write(src / ".hidden.ipynb", notebook())
    report = collect(ws, MODULE, src)
    assert [i.learner for i in report.imported] == ["ada", "doejohn", "smithjane"]
    assert "jane = 1" in (submitted(ws, "smithjane") / "mini.ipynb").read_text()
    reasons = skipped_reasons(report)
    assert "not usable" in reasons["Jane Smith_1_assignsubmission_file_mini.ipynb"]
    assert "not a notebook" in reasons["readme.txt"]
    assert "module's own notebook" in reasons["mini.ipynb"]
    assert "not usable" in reasons[".hidden.ipynb"]
    assert not (ws.submitted / "Jane Smith").exists()


def test_duplicate_learner_keeps_the_newest(ws, tmp_path):
    src = tmp_path / "downloads"
    now = time.time()
    write(src / "ada_1_10_mini.ipynb", notebook("old = 1"), mtime=now - 3600)
    write(src / "ada_1_11_mini-1.ipynb", notebook("new = 1"), mtime=now)
    write(src / "ada" / "mini.ipynb", notebook("folder = 1"), mtime=now - 7200)
    report = collect(ws, MODULE, src)
    assert [i.learner for i in report.imported] == ["ada"]
    assert "new = 1" in (submitted(ws, "ada") / "mini.ipynb").read_text()
    reasons = skipped_reasons(report)
    assert "older submission of ada" in reasons["ada_1_10_mini.ipynb"]
    assert "older submission of ada" in reasons["ada/"]


def test_previous_submission_is_preserved(ws, tmp_path):
    src = tmp_path / "src"
    write(src / "ada" / "mini.ipynb", notebook("first = 1"))
    collect(ws, MODULE, src)
    write(src / "ada" / "mini.ipynb", notebook("second = 1"))
    report = collect(ws, MODULE, src)
    assert "second = 1" in (submitted(ws, "ada") / "mini.ipynb").read_text()
    previous = list((ws.root / ".wbcourse" / "previous" / "ada").iterdir())
    assert len(previous) == 1 and previous[0].name.startswith(f"{MODULE}-")
    assert previous[0].name.endswith("Z")
    assert "first = 1" in (previous[0] / "mini.ipynb").read_text()
    assert any("previous submission kept" in n for n in report.imported[0].notes)
    # collecting the same thing again changes nothing and keeps no extra copy
    again = collect(ws, MODULE, src)
    assert any("unchanged" in n for n in again.imported[0].notes)
    assert len(list((ws.root / ".wbcourse" / "previous" / "ada").iterdir())) == 1


def test_corrupt_and_empty_notebooks_are_imported_with_a_note(ws, tmp_path):
    src = tmp_path / "src"
    write(src / "ada_1_mini.ipynb", "{not json")
    write(src / "bob_1_mini.ipynb", b"")
    report = collect(ws, MODULE, src)
    notes = {i.learner: " ".join(i.notes) for i in report.imported}
    assert "imported (not valid JSON; will be reported when graded)" in notes["ada"]
    assert "empty file" in notes["bob"]
    assert (submitted(ws, "ada") / "mini.ipynb").read_text() == "{not json"


def test_links_and_folders_without_notebooks_are_skipped(ws, tmp_path):
    src = tmp_path / "src"
    secret = write(tmp_path / "secret.txt", "instructor only")
    write(src / "ada" / "mini.ipynb", notebook())
    (src / "ada" / "steal.txt").symlink_to(secret)
    write(src / "bob" / "notes.md", "no notebook here")
    report = collect(ws, MODULE, src)
    assert [i.learner for i in report.imported] == ["ada"]
    assert not (submitted(ws, "ada") / "steal.txt").exists()
    reasons = skipped_reasons(report)
    assert reasons["ada/steal.txt"] == "symbolic link ignored"
    assert "no notebook" in reasons["bob/"]


def test_missing_source_is_a_one_line_error(ws, tmp_path):
    with pytest.raises(CourseError, match="no such file or folder"):
        collect(ws, MODULE, tmp_path / "nope")


def test_refuses_to_collect_from_the_workspace_itself(ws):
    with pytest.raises(CourseError, match="inside the workspace"):
        collect(ws, MODULE, ws.submitted)
    with pytest.raises(CourseError, match="is the grading workspace itself"):
        collect(ws, MODULE, ws.root)


# ------------------------------------------------------------------------- zips

def make_zip(path: Path, entries: dict[str, bytes | str], *, compression=zipfile.ZIP_DEFLATED
             ) -> Path:
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


def test_zip_of_lms_downloads(ws, tmp_path):
    archive = make_zip(tmp_path / "submissions.zip", {
        "smithjane_12345_678_mini.ipynb": notebook("jane = 1"),
        "doejohn_222_333_mini.ipynb": notebook("john = 1"),
    })
    report = collect(ws, MODULE, archive)
    assert [i.learner for i in report.imported] == ["doejohn", "smithjane"]
    assert "john = 1" in (submitted(ws, "doejohn") / "mini.ipynb").read_text()
    leftovers = [p for p in (ws.root / ".wbcourse").iterdir() if p.name.startswith("collect-")]
    assert leftovers == []  # the temporary folder is gone


def test_zip_with_a_wrapping_folder_of_learner_folders(ws, tmp_path):
    archive = make_zip(tmp_path / "cohort.zip", {
        "cohort/ada/mini.ipynb": notebook("ada = 1"),
        "cohort/bob/01-mini/mini.ipynb": notebook("bob = 1"),
        "__MACOSX/cohort/._ada": "junk",
    })
    report = collect(ws, MODULE, archive)
    assert [i.learner for i in report.imported] == ["ada", "bob"]
    assert report.skipped == []


def test_zip_of_a_single_learner_folder(ws, tmp_path):
    archive = make_zip(tmp_path / "ada.zip", {"ada/mini.ipynb": notebook("ada = 1")})
    report = collect(ws, MODULE, archive)
    assert [i.learner for i in report.imported] == ["ada"]


@pytest.mark.parametrize("name", ["../evil.ipynb", "ada/../../../../../evil.ipynb",
                                  "/{tmp}/evil.ipynb", "..\\..\\evil.ipynb"])
def test_zip_slip_is_rejected_and_nothing_is_written(ws, tmp_path, name):
    name = name.format(tmp=str(tmp_path).lstrip("/"))
    archive = make_zip(tmp_path / "bad.zip", {"ada_1_mini.ipynb": notebook(), name: notebook()})
    with pytest.raises(CourseError, match="unsafe entry"):
        collect(ws, MODULE, archive)
    assert "evil.ipynb" not in all_files(tmp_path)
    assert list(ws.submitted.iterdir()) == []


def test_zip_with_a_symlink_is_rejected(ws, tmp_path):
    path = tmp_path / "link.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("ada_1_mini.ipynb", notebook())
        info = zipfile.ZipInfo("bob_1_mini.ipynb")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(CourseError, match="symbolic link"):
        collect(ws, MODULE, path)
    assert list(ws.submitted.iterdir()) == []


def test_zip_bomb_by_compression_ratio_is_rejected(ws, tmp_path):
    archive = make_zip(tmp_path / "bomb.zip", {"ada_1_mini.ipynb": b"\0" * (5 * 2**20)})
    assert archive.stat().st_size < 50_000
    with pytest.raises(CourseError, match="zip bomb"):
        collect(ws, MODULE, archive)
    assert list(ws.submitted.iterdir()) == []


def test_zip_with_an_oversized_entry_is_rejected(ws, tmp_path):
    archive = make_zip(tmp_path / "big.zip", {"ada_1_mini.ipynb": b"\0" * (60 * 2**20)})
    with pytest.raises(CourseError, match="larger than 50 MB"):
        collect(ws, MODULE, archive)
    assert all_files(ws.root / ".wbcourse") == set()


def test_zip_limits_on_total_size_and_entry_count(ws, tmp_path, monkeypatch):
    entries = {f"l{i}_1_mini.ipynb": notebook(f"x = {i}") for i in range(6)}
    archive = make_zip(tmp_path / "many.zip", entries)
    monkeypatch.setattr(collect_mod, "MAX_ENTRIES", 5)
    with pytest.raises(CourseError, match="more than 5 entries"):
        collect(ws, MODULE, archive)
    monkeypatch.setattr(collect_mod, "MAX_ENTRIES", 10_000)
    monkeypatch.setattr(collect_mod, "MAX_TOTAL_BYTES", 1000)
    with pytest.raises(CourseError, match="unpacks to more than"):
        collect(ws, MODULE, archive)
    assert list(ws.submitted.iterdir()) == []


def test_zip_whose_header_lies_about_its_size_is_stopped(ws, tmp_path):
    path = make_zip(tmp_path / "liar.zip", {"ada_1_mini.ipynb": b"a" * 5000},
                    compression=zipfile.ZIP_STORED)
    data = bytearray(path.read_bytes())
    # shrink the declared size in the central directory (offset 24 of its entry)
    central = data.rfind(b"PK\x01\x02")
    data[central + 24:central + 28] = (100).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    with pytest.raises(CourseError):
        collect(ws, MODULE, path)
    assert list(ws.submitted.iterdir()) == []


def test_corrupt_zip_is_a_one_line_error(ws, tmp_path):
    path = write(tmp_path / "broken.zip", b"PK\x03\x04 this is not really a zip")
    with pytest.raises(CourseError, match="not a readable zip file") as err:
        collect(ws, MODULE, path)
    assert "\n" not in str(err.value)


def test_unknown_file_type_is_an_error(ws, tmp_path):
    with pytest.raises(CourseError, match="not a folder, a .zip"):
        collect(ws, MODULE, write(tmp_path / "grades.pdf", b"%PDF-1.4"))


# -------------------------------------------------------------- nbgrader exchange

def test_exchange_takes_the_newest_submission_per_learner(ws, tmp_path):
    inbound = tmp_path / "exchange" / "wb-course" / "inbound"
    old = "2025-01-10 09:00:00.000000 UTC"
    new = "2025-01-12 18:30:00.123456 UTC"
    write(inbound / f"ada+{MODULE}+{old}+abc" / "mini.ipynb", notebook("old = 1"))
    write(inbound / f"ada+{MODULE}+{new}+def" / "mini.ipynb", notebook("new = 1"))
    write(inbound / f"ada+{MODULE}+{new}+def" / "timestamp.txt", new)
    write(inbound / f"bob+{MODULE}+{old}" / "mini.ipynb", notebook("bob = 1"))
    write(inbound / f"bob+02-other+{new}" / "other.ipynb", notebook())
    report = collect(ws, MODULE, tmp_path / "exchange")
    assert [i.learner for i in report.imported] == ["ada", "bob"]
    assert "new = 1" in (submitted(ws, "ada") / "mini.ipynb").read_text()
    assert (submitted(ws, "ada") / "timestamp.txt").read_text() == new
    assert "older submission of ada" in skipped_reasons(report)[f"ada+{MODULE}+{old}+abc"]
    assert not (submitted(ws, "bob") / "other.ipynb").exists()


def test_exchange_with_several_courses_needs_a_choice(ws, tmp_path):
    for course in ("course-a", "course-b"):
        write(tmp_path / "ex" / course / "inbound" /
              f"ada+{MODULE}+2025-01-10 09:00:00.000000 UTC" / "mini.ipynb", notebook())
    with pytest.raises(CourseError, match="several courses"):
        collect(ws, MODULE, tmp_path / "ex")
    report = collect(ws, MODULE, tmp_path / "ex" / "course-b")
    assert [i.learner for i in report.imported] == ["ada"]


# ------------------------------------------------------------------------ CLI

def test_cli_collect_prints_a_report(ws, tmp_path, capsys):
    from course.cli import main

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("ada_1_2_mini.ipynb", notebook())
        zf.writestr("notes.txt", "x")
    write(tmp_path / "subs.zip", buf.getvalue())
    code = main(["collect", "mini", "--workspace", str(ws.root), "--from",
                 str(tmp_path / "subs.zip")])
    out = capsys.readouterr().out
    assert code == 0
    assert "imported 1 submission(s) of 01-mini" in out
    assert "notes.txt: not a notebook" in out
    assert main(["collect", "mini", "--workspace", str(ws.root), "--from",
                 str(tmp_path / "missing.zip")]) == 2
    assert "error: no such file or folder" in capsys.readouterr().err
