"""The gaming set: written answers that try to game the automatic checks, and honest ones.

``assets/prose_eval/gaming/answers.jsonl`` holds, for every written exercise that gives facts,
answers that should not keep their points (invented numbers, right numbers on the wrong
nouns, text from another exercise or a worked example, text about another subject with
the right numbers, near-copies of the notebook's texts with small edits) and honest
paraphrases that should lose nothing (spelled-out numbers, reordered facts, other words).
Each answer is scored as the grader scores it: with the kind, points and context of the
exercise's *source* notebook.

Run ``pytest -s tests/test_prose_gaming.py`` to see the figures: how many gaming answers
keep more than half of the exercise's automatic points (target 0) and how many honest
ones lose any point to the facts and subject checks (target 0), per exercise and per
split ("dev" answers were looked at while the checks were built; "holdout" ones only to
measure them).
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from course import paths
from course.grading import prose_scores
from course.prose import review

SET = Path(__file__).resolve().parents[1] / "assets" / "prose_eval" / "gaming" / "answers.jsonl"
GAMING = ("invented_numbers", "wrong_nouns", "other_exercise", "worked_example",
          "off_topic_numbers", "near_copy", "keyword_list")
HONEST = ("honest_spelled", "honest_reordered", "honest_reworded", "honest_partial")
#: at most this share of each group may miss its target (a small tolerance)
TOLERANCE = 0.05
#: what every written exercise with facts must have in the set
REQUIRED = {"invented_numbers", "wrong_nouns", "off_topic_numbers", "near_copy"}


def records() -> list[dict]:
    return [json.loads(line) for line in SET.read_text(encoding="utf-8").splitlines() if line]


def specs() -> dict[str, prose_scores.ProseSpec]:
    """Every prose-checked exercise of the course, by "module/answer grade_id"."""
    out = {}
    for module in sorted(p.name for p in paths.solutions_dir().iterdir() if p.is_dir()):
        for spec in prose_scores.specs_for(paths.solutions_dir() / module):
            out[f"{module}/{spec.answer_id}"] = spec
    return out


_RESULTS: list[dict] = []


def results() -> list[dict]:
    """Each record with the points it gets with and without the exercise's context."""
    if not _RESULTS:
        by_id = specs()
        for r in records():
            spec = by_id[r["exercise"]]
            graded = prose_scores.review_answer(spec, r["text"]).points(spec.points)
            plain = review(r["text"], spec.kind, topic=spec.topic or None,
                           off=spec.off).points(spec.points)
            _RESULTS.append({**r, "points": graded, "without": plain, "max": spec.points})
    return _RESULTS


def missed(r: dict) -> bool:
    """A gaming answer that keeps more than half its points; an honest one that loses."""
    return r["points"] < r["without"] if r["honest"] else r["points"] > r["max"] / 2


def test_the_set_is_well_formed():
    recs = records()
    assert len({r["id"] for r in recs}) == len(recs)
    for r in recs:
        assert r["category"] in GAMING + HONEST, r["id"]
        assert r["honest"] == (r["category"] in HONEST), r["id"]
        assert r["split"] in ("dev", "holdout") and r["text"].strip() and r["note"], r["id"]


def test_every_written_exercise_with_facts_has_gaming_and_honest_answers():
    by_id = specs()
    with_facts = {k for k, s in by_id.items() if s.context and s.context.get("facts")}
    assert with_facts, "no written exercise declares facts"
    cats: dict[str, set[str]] = defaultdict(set)
    for r in records():
        assert r["exercise"] in with_facts, f"{r['id']}: {r['exercise']} gives no facts"
        cats[r["exercise"]].add(r["category"])
    for exercise in sorted(with_facts):
        have = cats[exercise]
        assert REQUIRED <= have, f"{exercise} lacks {sorted(REQUIRED - have)}"
        assert have & {"other_exercise", "worked_example"}, exercise
        assert have & set(HONEST), exercise


def test_gaming_answers_lose_their_points_and_honest_ones_keep_them():
    rows = results()
    table: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for r in rows:
        for key in ((r["exercise"], "all"), ("all", r["split"]), ("all", "all")):
            cell = table[key]
            cell[0 if not r["honest"] else 2] += 1
            cell[1 if not r["honest"] else 3] += missed(r)
    print(f"\n{'exercise':44} {'split':8} {'gaming':>7} {'kept>1/2':>9} {'honest':>7} "
          f"{'lost':>5}")
    for (exercise, split), (n_g, kept, n_h, lost) in sorted(table.items()):
        print(f"{exercise:44} {split:8} {n_g:7} {kept:9} {n_h:7} {lost:5}")
    for r in rows:
        if missed(r):
            print(f"  missed: {r['id']} ({r['category']}): {r['points']} of {r['max']} "
                  f"points, {r['without']} without the facts")
    n_g, kept, n_h, lost = table[("all", "all")]
    assert kept <= TOLERANCE * n_g, f"{kept} of {n_g} gaming answers keep over half"
    assert lost <= TOLERANCE * n_h, f"{lost} of {n_h} honest answers lose points"


@pytest.mark.parametrize("category", ["invented_numbers", "wrong_nouns"])
def test_invented_numbers_are_named_at_their_offsets(category):
    by_id = specs()
    for r in records():
        if r["category"] != category:
            continue
        result = prose_scores.review_answer(by_id[r["exercise"]], r["text"])
        flagged = [f for f in result.findings if f.rule == "unsupported_number"]
        assert flagged, r["id"]
        for f in flagged:
            claim = " ".join(r["text"][f.start:f.end].split())
            assert f.message.startswith(f"'{claim}' is not in the facts: they say "), r["id"]
