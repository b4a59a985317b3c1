"""Tests for ``course.prose.cli.main`` (the ``wbcourse review`` command)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from course.prose.cli import main

GOOD = (
    "I led the offers service rewrite. I cut p99 latency from 900 ms to 120 ms, and six "
    "partner teams adopted the load-test library I wrote over two quarters.\n"
)


def write(tmp_path: Path, data: bytes, name: str = "answer.md") -> str:
    p = tmp_path / name
    p.write_bytes(data)
    return str(p)


def test_text_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["review", write(tmp_path, GOOD.encode()), "--kind", "summary"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("summary: score ")
    assert "[" in out.splitlines()[0]


def test_json_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["review", write(tmp_path, GOOD.encode()), "--kind", "summary", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert set(d) >= {"kind", "score", "signals", "findings"}
    assert d["kind"] == "summary" and 0 <= d["score"] <= 1


def test_press_release_json_lists_sections(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "Gift Cards Arrive\n\nSEATTLE -- The Video Store today announced gift cards.\n"
    assert (
        main(["review", write(tmp_path, text.encode()), "--kind", "press_release", "--json"]) == 0
    )
    assert "headline" in json.loads(capsys.readouterr().out)["signals"]["sections"]


def test_utf8_bom_accepted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["review", write(tmp_path, b"\xef\xbb\xbf" + GOOD.encode()), "--kind", "summary"]) == 0
    )


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"", "empty"),
        (b"  \n\t\n", "empty"),
        (b"abc\x00def", "binary"),
        (b"caf\xe9 latency", "UTF-8"),
    ],
)
def test_bad_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes, needle: str
) -> None:
    assert main(["review", write(tmp_path, data), "--kind", "coe"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and needle in err
    assert len(err.strip().splitlines()) == 1


def test_missing_file_and_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["review", str(tmp_path / "nope.md"), "--kind", "coe"]) == 2
    assert capsys.readouterr().err.startswith("error: ")
    assert main(["review", str(tmp_path), "--kind", "coe"]) == 2
    assert capsys.readouterr().err.startswith("error: ")


def test_bad_kind_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["review", "x.md", "--kind", "memo"]) == 2
    assert "press_release" in capsys.readouterr().err
    assert main(["review", "--help"]) == 0
    assert "--kind" in capsys.readouterr().out
