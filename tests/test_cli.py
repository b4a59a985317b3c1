"""The command line: one entry point, --help everywhere, clear errors on bad input."""

from __future__ import annotations

import pytest

from course.cli import build_parser, main

COMMANDS = ["release", "start", "init", "grade", "collect", "feedback", "export", "report",
            "similar", "review", "demo", "samples", "modules"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    assert "usage: wbcourse" in capsys.readouterr().out


def test_parser_lists_all_commands():
    text = build_parser().format_help()
    for command in COMMANDS:
        assert command in text


def test_unknown_module_is_a_one_line_error(tmp_path, capsys):
    code = main(["grade", "99-nope", "--workspace", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: ") and err.count("\n") == 1
    assert "unknown module" in err


def test_missing_workspace_is_a_one_line_error(tmp_path, capsys):
    missing = tmp_path / "nowhere"
    code = main(["grade", "08-cross-team-impact", "--workspace", str(missing)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "no grading workspace" in err


def test_folder_that_is_not_a_workspace(tmp_path, capsys):
    code = main(["export", "--workspace", str(tmp_path), "-o", str(tmp_path / "g.csv")])
    assert code == 2
    assert "not a grading workspace" in capsys.readouterr().err


def test_release_check_passes_on_committed_exercises(capsys):
    assert main(["release", "--check"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_release_check_detects_a_stale_exercise(mini_course, tmp_path, monkeypatch, capsys):
    import shutil

    copy = tmp_path / "course"
    shutil.copytree(mini_course, copy)
    monkeypatch.setenv("WBCOURSE_ROOT", str(copy))
    nb = copy / "exercises" / "01-mini" / "mini.ipynb"
    nb.write_text(nb.read_text().replace("double(2) should be 4", "edited by hand"))
    assert main(["release", "--check"]) == 1
    assert "01-mini/mini.ipynb" in capsys.readouterr().err
    assert main(["release"]) == 0
    assert main(["release", "--check"]) == 0


def test_samples_are_current(capsys):
    assert main(["samples", "--check"]) == 0


def test_modules_markdown_table(capsys):
    assert main(["modules", "--markdown"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("| # | Module |") and "Cross-team impact" in out


def test_nbgrader_failure_names_the_module_and_the_reason(tmp_path):
    """A module nbgrader cannot generate stops the release with nbgrader's own reason."""
    from course import release

    with pytest.raises(release.ReleaseError) as err:
        release.generate(tmp_path, ["99-no-such-module"])
    message = str(err.value)
    assert message.startswith("cannot release 99-no-such-module: ")
    assert "No notebooks were matched" in message
    assert "\n" not in message


@pytest.mark.parametrize("argv", [["release", "--check"], ["samples", "--check"],
                                  ["demo", "x"], ["init", "x"]])
def test_instructor_commands_without_a_course_source(argv, tmp_path, monkeypatch, capsys):
    """WBCOURSE_ROOT pointing at a folder without solutions/: one line, exit 2, nothing made."""
    monkeypatch.setenv("WBCOURSE_ROOT", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: wbcourse {argv[0]}: WBCOURSE_ROOT=")
    assert "has no solutions/ folder" in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []
