"""Relevance: is an answer about its exercise's subject?

The subject is the exercise's own: its key terms, drawn by :func:`key_terms` from the
text the learner reads (the prompt, the fact table, the draft to rewrite) and passed to
:func:`course.prose.review` as ``context={"terms": [...]}``.  Words every answer of the
kind uses (the kind's own word lists), instructions ("write", "cell") and function
words are not key terms, so an answer about another subject cannot pass by reusing
"teams", "launch" and the exercise's numbers.

:func:`subject` measures how many distinct key terms the answer's real sentences use
and what share of those sentences use one.

>>> terms = key_terms(["Dry runs with 4 partner teams found 14 integration bugs. "
...                    "You packaged the replay scripts into a dry-run kit."], "summary")
>>> terms[:4]
['dry run', 'integration bug', 'replay script', 'bug']
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from typing import Any

from . import engine
from .text import parse

MAX_TERMS = 40


@cache
def _generic(kind: str) -> tuple[frozenset[str], frozenset[str]]:
    """Words that say nothing about an exercise's subject on their own: ``hard`` ones
    (function and instruction words) never count; ``soft`` ones (the words of the
    kind's own word lists, which every answer of it uses) count only in a pair with a
    subject word ("dry run")."""
    from .rules import load_kind

    hard: set[str] = set(engine.word_set("language:function_words"))
    hard |= engine.word_set("language:function_extra")
    hard |= engine.word_set("relevance:generic")
    spec = load_kind(kind)
    hard |= set(f"{kind} {spec.title}".lower().replace("_", " ").split())
    folder = spec.folder
    soft: set[str] = set()
    for path in sorted({*folder.glob(f"{kind}.txt"), engine.RULES_DIR / "shared.txt",
                        engine.RULES_DIR / "style.txt"}):
        for section in engine.sections(path):
            for entry, _ in engine.entries(f"{path.stem}:{section}", folder):
                soft.update(w.rstrip("*") for w in entry.replace("-", " ").split()
                            if "{" not in w)
    stem = engine.stem
    return (frozenset(hard | {stem(w) for w in hard}),
            frozenset(soft | {stem(w) for w in soft if w}))


def _content(words: list[str], hard: frozenset[str], soft: frozenset[str]
             ) -> list[tuple[str, bool] | None]:
    """Each word's (stem, is a subject word on its own), or None for a function word,
    an instruction word, a verb form, a month or a number."""
    from .analysis import is_verbish
    from .periods import MONTHS

    out: list[tuple[str, bool] | None] = []
    for w in words:
        w = w.removesuffix("'s").removesuffix("’s").strip("'’")
        s = engine.stem(w)
        if (len(w) < 3 or not w[:1].isalpha() or s in hard or w in hard or w in MONTHS
                or (is_verbish(w) and w.endswith(("ed", "ing")))):
            out.append(None)
        else:
            out.append((s, s not in soft and w not in soft))
    return out


def _runs(text: str) -> list[list[str]]:
    """Runs of words with nothing but spaces or hyphens between them ("dry-run kit")."""
    doc = parse(text)
    runs: list[list[str]] = []
    last = -1
    for i, w in enumerate(doc.lows):
        gap = doc.plain[doc.ends[i - 1] : doc.starts[i]] if i else "."
        if i == 0 or gap.strip(" -") or i - 1 != last:
            runs.append([])
        runs[-1] += [p for p in w.split("-") if p]
        last = i
    return runs


def key_terms(texts: list[str], kind: str, limit: int = MAX_TERMS) -> list[str]:
    """The key terms of an exercise's texts: its most frequent subject words and pairs of
    adjacent words with a subject word among them ("dry run"), as written, most
    frequent first."""
    hard, soft = _generic(kind)
    counts: Counter[str] = Counter()
    shown: dict[str, Counter[str]] = {}
    for text in texts:
        for words in _runs(text):
            stems = _content(words, hard, soft)
            for i, st in enumerate(stems):
                if st is None:
                    continue
                if st[1]:
                    _count(counts, shown, st[0], words[i])
                nxt = stems[i + 1] if i + 1 < len(stems) else None
                if nxt is not None and (st[1] or nxt[1]):
                    _count(counts, shown, f"{st[0]} {nxt[0]}", f"{words[i]} {words[i + 1]}",
                           weight=2)
    ranked = sorted(counts, key=lambda t: (-counts[t], t))
    return [_singular(shown[t].most_common(1)[0][0]) for t in ranked[:limit]]


def _count(counts: Counter[str], shown: dict[str, Counter[str]], key: str, word: str,
           weight: int = 1) -> None:
    counts[key] += weight
    shown.setdefault(key, Counter())[word] += 1


def _singular(term: str) -> str:
    """A term as a reader expects it: its last word without a plural -s."""
    head, _, last = term.rpartition(" ")
    if last.endswith("s") and not last.endswith("ss") and len(last) > 3:
        last = last[:-1]
    return f"{head} {last}".strip()


def _term_stems(terms: list[str]) -> list[tuple[str, ...]]:
    return [tuple(engine.stem(p) for w in t.lower().split() for p in w.split("-") if p)
            for t in terms]


def subject(a: Any) -> dict[str, Any]:
    """How far the answer's real sentences use the exercise's key terms
    (``context["terms"]``): ``terms`` distinct ones, ``share`` of sentences with one.

    Without key terms both are None (and the private ``_terms`` / ``_share`` are -1)."""
    terms = a.context.get("terms") or ()
    if not terms:
        return {"terms": None, "share": None, "_terms": -1, "_share": -1.0, "words": ""}
    wanted = _term_stems([str(t) for t in terms])
    used: set[tuple[str, ...]] = set()
    on = n = 0
    for si, info in enumerate(a.sents):
        if not info.coherent or info.heading:
            continue
        n += 1
        stems = {engine.stem(p) for w in a.sentence_words(si) for p in w.split("-") if p}
        hit = {t for t in wanted if t and all(p in stems for p in t)}
        used |= hit
        on += bool(hit)
    share = round(on / n, 3) if n else 0.0
    words = ", ".join(str(t) for t in terms[:6])
    return {"terms": len(used), "share": share, "_terms": len(used), "_share": share,
            "words": words}
