"""Combine components, text quality and style penalties into one score in 0..1.

score = content x quality - penalty, where

* content is the weighted mean of the kind's components (each capped at 1, so
  stuffing one signal cannot lift the score past its weight);
* quality multiplies coherence (share of words in real sentences), duplication,
  repetition, vocabulary variety and length;
* penalty sums the capped style deductions (long sentences, weasel words, ...).

>>> clamp(1.7), clamp(-0.2), clamp(0.25)
(1.0, 0.0, 0.25)
"""

from __future__ import annotations

from .signals import PENALTY_CAP, Analysis


def clamp(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    """Limit ``x`` to ``lo..hi``."""
    return lo if x < lo else hi if x > hi else x


def quality(a: Analysis, min_words: int) -> dict[str, float]:
    """The quality factors of a text, each in 0..1."""
    sig = a.signals
    words = max(a.word_count, 1)
    dup_words = sum(i.n for i in a.sents if i.duplicate)
    return {
        "coherence": clamp((float(sig["coherent_ratio"]) - 0.3) / 0.55),
        "originality": clamp(1 - 2 * dup_words / words),
        "repetition": clamp(1 - (float(sig["repeated_trigrams"]) - 0.08) / 0.25),
        "variety": clamp((float(sig["msttr"]) - 0.5) / 0.2),
        "length": clamp(a.word_count / min_words) ** 0.5,
    }


def finalize(a: Analysis, min_words: int) -> float:
    """Compute the score, record its parts in ``a.signals`` and add quality findings."""
    total_w = sum(w for _, w in a.components.values()) or 1.0
    content = sum(v * w for v, w in a.components.values()) / total_w
    q = quality(a, min_words)
    factor = 1.0
    for v in q.values():
        factor *= v
    penalty = min(sum(a.penalties.values()), PENALTY_CAP)
    score = clamp(content * factor - penalty)
    for cap in a.caps.values():
        score = min(score, cap)
    if q["length"] < 1:
        a.add_doc(
            "too_short",
            f"At {a.word_count} words this is too short to judge; aim for at least {min_words}.",
        )
    if q["repetition"] < 1 or q["variety"] < 1:
        a.add_doc(
            "repetition",
            "The text repeats the same words and phrases; say each thing once and add new facts.",
        )
    if q["coherence"] < 0.75:
        a.add_doc(
            "keyword_list",
            "Much of this reads as a list of keywords; write complete sentences with a verb.",
            "error",
        )
    a.signals["components"] = {k: round(v, 3) for k, (v, _) in a.components.items()}
    a.signals["quality"] = {k: round(v, 3) for k, v in q.items()}
    a.signals["content"] = round(content, 3)
    a.signals["penalty"] = round(penalty, 3)
    return round(score, 3)
