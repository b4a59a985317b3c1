"""Agreement between course.prose scores and the hand-labelled set in assets/prose_eval/.

Kendall's tau-b between the label order (weak < adequate < strong) and the score,
per kind and overall; gaming attempts must score below the median adequate answer.
Run ``pytest -s tests/test_prose_eval.py`` to see the figures.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest

from course.prose import KINDS, review

EVAL_DIR = Path(__file__).resolve().parents[1] / "assets" / "prose_eval"
ORDER = {"weak": 0, "adequate": 1, "strong": 2}
# the kinds with a labelled set (module 1's short "benefit" checklist has none)
EVAL_KINDS = tuple(k for k in KINDS if (EVAL_DIR / f"{k}.jsonl").exists())
MIN_TAU_PER_KIND = 0.75
MIN_TAU_OVERALL = 0.75


def kendall_tau_b(x: list[float], y: list[float]) -> float:
    """Kendall's tau-b (handles ties in both variables); O(n^2), fine for hundreds."""
    concordant = discordant = ties_x = ties_y = 0
    n = len(x)
    for i in range(n):
        for j in range(i + 1, n):
            dx = (x[i] > x[j]) - (x[i] < x[j])
            dy = (y[i] > y[j]) - (y[i] < y[j])
            if dx == 0 and dy == 0:
                continue
            if dx == 0:
                ties_x += 1
            elif dy == 0:
                ties_y += 1
            elif dx == dy:
                concordant += 1
            else:
                discordant += 1
    denom = ((concordant + discordant + ties_x) * (concordant + discordant + ties_y)) ** 0.5
    return (concordant - discordant) / denom if denom else 0.0


def load(kind: str) -> list[dict]:
    path = EVAL_DIR / f"{kind}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def scored(kind: str) -> list[tuple[dict, float]]:
    return [(r, review(r["text"], kind, topic=r.get("topic")).score) for r in load(kind)]


_CACHE: dict[str, list[tuple[dict, float]]] = {}


def results(kind: str) -> list[tuple[dict, float]]:
    if kind not in _CACHE:
        _CACHE[kind] = scored(kind)
    return _CACHE[kind]


def test_every_built_in_kind_but_benefit_has_a_labelled_set() -> None:
    assert set(KINDS) - set(EVAL_KINDS) == {"benefit"}


def test_kendall_tau_b_known_values() -> None:
    assert kendall_tau_b([1, 2, 3], [1, 2, 3]) == 1.0
    assert kendall_tau_b([1, 2, 3], [3, 2, 1]) == -1.0
    # ties in x: tau-b = (C - D) / sqrt((C + D + Tx)(C + D + Ty)) = 2 / sqrt(2 * 3)
    assert kendall_tau_b([0, 0, 1], [1, 2, 3]) == pytest.approx(2 / 6**0.5)


@pytest.mark.parametrize("kind", EVAL_KINDS)
def test_eval_set_shape(kind: str) -> None:
    recs = load(kind)
    assert len(recs) >= 24
    labels = {r["label"] for r in recs}
    assert labels == set(ORDER)
    assert all(r["kind"] == kind and r["text"].strip() and r["note"] for r in recs)
    assert len({r["id"] for r in recs}) == len(recs)
    assert any(r.get("gaming") for r in recs)


@pytest.mark.parametrize("kind", EVAL_KINDS)
def test_scores_agree_with_labels(kind: str) -> None:
    pairs = results(kind)
    tau = kendall_tau_b([ORDER[r["label"]] for r, _ in pairs], [s for _, s in pairs])
    medians = {lab: statistics.median(s for r, s in pairs if r["label"] == lab) for lab in ORDER}
    print(
        f"\n{kind:14} n={len(pairs):3} tau_b={tau:.3f} medians "
        + " ".join(f"{k}={v:.2f}" for k, v in medians.items())
    )
    assert tau >= MIN_TAU_PER_KIND
    assert medians["weak"] < medians["adequate"] < medians["strong"]


@pytest.mark.parametrize("kind", EVAL_KINDS)
def test_gaming_scores_below_adequate_median(kind: str) -> None:
    pairs = results(kind)
    median_adequate = statistics.median(s for r, s in pairs if r["label"] == "adequate")
    gaming = [(r["id"], s) for r, s in pairs if r.get("gaming")]
    assert gaming
    for rid, s in gaming:
        assert s < median_adequate, f"{rid} scored {s} >= adequate median {median_adequate}"


def test_overall_tau() -> None:
    xs: list[float] = []
    ys: list[float] = []
    for kind in EVAL_KINDS:
        for r, s in results(kind):
            xs.append(ORDER[r["label"]])
            ys.append(s)
    tau = kendall_tau_b(xs, ys)
    print(f"\noverall        n={len(xs):3} tau_b={tau:.3f}")
    assert tau >= MIN_TAU_OVERALL
