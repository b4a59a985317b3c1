"""docs/authoring.md, "Adding a kind of written answer", works as written.

The test takes the rules file and the word lists out of the guide, puts them in a
temporary folder (nothing else: no Python), and uses the new kind from Python and
from the command line.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from course.prose import add_rules_folder, folders, kind_names, review
from course.prose import rules as prose_rules

ROOT = Path(__file__).resolve().parents[1]
GOOD = """We propose a shared price cache for the offers service.

Problem: title pages are too slow today. The p99 of a title page is 900 ms, and every
price lookup goes to the database.

We considered two options. Option A is a shared cache in front of the database. The
alternative, option B, is to do nothing and buy a bigger database next year.

We recommend option A, because it removes most price lookups from the database. The
trade-off is a new service to run, and the risk is a stale price for up to 30 seconds.
The downside of option B is a cost that grows with every sale.

Success means a p99 under 200 ms for every title page by the end of Q3. The payments team
and the catalog team must agree on the 30 seconds before we start, and we will review the
target with them every month.
"""
WEAK = "We could maybe add a cache. It might be nice. Perhaps the pages get faster."


def guide_files() -> dict[str, str]:
    """The files the guide shows, by name (a code block whose first line names it)."""
    text = (ROOT / "docs" / "authoring.md").read_text(encoding="utf-8")
    section = text.split("## Adding a kind of written answer", 1)[1].split("\n## ", 1)[0]
    out = {}
    for block in re.findall(r"```(?:toml|text)\n(.*?)```", section, re.S):
        first, _, body = block.partition("\n")
        out[first.lstrip("# ").strip()] = body
    return out


@pytest.fixture
def rules_folder(tmp_path: Path):
    for name, body in guide_files().items():
        (tmp_path / name).write_text(body, encoding="utf-8")
    saved = list(folders.EXTRA_FOLDERS)
    yield tmp_path
    folders.EXTRA_FOLDERS[:] = saved
    prose_rules.load_kind.cache_clear()


def test_the_guide_shows_a_rules_file_and_word_lists_only() -> None:
    assert sorted(guide_files()) == ["design_proposal.toml", "design_proposal.txt"]


def test_a_new_kind_from_a_rules_file_and_word_lists(rules_folder: Path) -> None:
    from tests.test_prose_rules import check_examples

    assert "design_proposal" not in kind_names()
    add_rules_folder(rules_folder)
    assert "design_proposal" in kind_names()
    assert check_examples("design_proposal") == []
    good, weak = review(GOOD, "design_proposal"), review(WEAK, "design_proposal")
    assert good.score >= 0.6 > 0.2 >= weak.score
    assert good.signals["options_mentions"] >= 2 and good.signals["measured_goals"] >= 1
    assert not {"no_options", "no_recommendation", "no_measured_goal"} & {
        f.rule for f in good.findings}
    hedges = [WEAK[f.start : f.end] for f in weak.findings if f.rule == "hedging"]
    assert hedges == ["could maybe", "might be nice", "Perhaps"]
    # the shared rules apply too
    assert "too_short" in {f.rule for f in weak.findings}


def test_the_command_line_finds_kinds_in_the_folder(rules_folder: Path, tmp_path: Path) -> None:
    answer = tmp_path / "proposal.md"
    answer.write_text(GOOD, encoding="utf-8")
    env = {**os.environ, "WBCOURSE_PROSE_RULES": str(rules_folder)}
    cmd = [sys.executable, "-m", "course.cli", "review"]
    listing = subprocess.run([*cmd, "--rules", "--kind", "design_proposal"], env=env,
                             capture_output=True, text=True, check=True).stdout
    assert listing.startswith("design_proposal: One-page design proposal")
    assert "no_recommendation" in listing and "weasel" in listing
    report = subprocess.run([*cmd, str(answer), "--kind", "design_proposal"], env=env,
                            capture_output=True, text=True, check=True).stdout
    assert report.startswith("design_proposal: score")
    bad = subprocess.run([*cmd, str(answer), "--kind", "design_proposal"],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "design_proposal" in bad.stderr
