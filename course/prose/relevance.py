"""Relevance: is an answer about its exercise's subject?

The subject is the exercise's own: its key terms, drawn by :func:`key_terms` from the
text the learner reads (the prompt, the fact table, the draft to rewrite) and passed to
:func:`course.prose.review` as ``context={"terms": [...]}``.  Words every answer of the
kind uses (the kind's own word lists), verbs, instructions ("write", "cell") and
function words are not key terms, so an answer cannot look on topic by reusing "teams",
"launch" and the exercise's numbers.

:func:`subject` measures three things over the answer's real sentences: how many
distinct key terms they use, what share of them use one, and what share of their subject
words (nouns and adjectives that are neither generic nor the kind's own) are *foreign*:
found nowhere in the exercise.  An answer about another subject scores high on the last
even when it borrows the exercise's key phrases.

>>> terms = key_terms(["Rehearsals with three partner groups caught 12 contract bugs. "
...                    "Their replay scripts became a rehearsal kit."], "summary")
>>> terms[:5]
['rehearsal', 'bug', 'contract', 'kit', 'replay']
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from typing import Any

from . import engine
from .text import parse

#: bigrams need this many occurrences in the exercise's texts to be key terms
MIN_PAIR_COUNT = 2
MAX_TERMS = 400


def _list_words(path: Any) -> set[str]:
    """The words of every entry of a word-list file ("*" and "{n}" left out)."""
    out: set[str] = set()
    for section in engine.sections(path):
        for entry, _ in engine.entries(f"{path.stem}:{section}", path.parent):
            out.update(w.rstrip("*") for w in entry.replace("-", " ").split() if "{" not in w)
    return out


@cache
def _generic(kind: str) -> tuple[frozenset[str], frozenset[str]]:
    """Words that say nothing about an exercise's subject on their own: ``hard`` ones
    (function and instruction words, the kind's name) never count; ``soft`` ones (the
    shared word lists, and words the lists of several kinds share: what answers of any
    kind use) count only in a pair with a subject word ("dry run")."""
    from .folders import kinds
    from .rules import load_kind

    hard: set[str] = set(engine.word_set("language:function_words"))
    hard |= engine.word_set("language:function_extra")
    hard |= engine.word_set("relevance:generic")
    spec = load_kind(kind)
    hard |= set(f"{kind} {spec.title}".lower().replace("_", " ").split())
    rules = engine.RULES_DIR
    soft = _list_words(rules / "shared.txt") | _list_words(rules / "style.txt")
    seen: dict[str, int] = {}
    for name in kinds():
        path = load_kind(name).folder / f"{name}.txt"
        for w in _list_words(path) if path.is_file() else set():
            seen[w] = seen.get(w, 0) + 1
    soft |= {w for w, n in seen.items() if n >= 2}  # words the lists of several kinds share
    stem = engine.base
    return (frozenset(hard | {stem(w) for w in hard}),
            frozenset(soft | {stem(w) for w in soft if w}))


def _words(run: list[str], kind: str) -> list[tuple[str, str, bool] | None]:
    """Each word of a run as (word, stem, a subject word on its own?), or None for a
    function or instruction word, a month, a number or a word too short to tell."""
    from .analysis import is_verbish
    from .periods import MONTHS

    hard, soft = _generic(kind)
    out: list[tuple[str, str, bool] | None] = []
    for w in run:
        w = w.removesuffix("'s").removesuffix("’s").strip("'’")
        s = engine.base(w)
        if len(w) < 3 or not w[:1].isalpha() or s in hard or w in hard or w in MONTHS:
            out.append(None)
        else:
            alone = s not in soft and w not in soft and not is_verbish(w)
            out.append((w, s, alone))
    return out


def _runs(text: str) -> list[list[str]]:
    """Runs of words with nothing but spaces or hyphens between them ("dry-run kit")."""
    doc = parse(text)
    return runs_of(doc, 0, len(doc.lows))


def runs_of(doc: Any, w0: int, w1: int) -> list[list[str]]:
    """The runs of words ``w0`` to ``w1`` of a parsed text (see :func:`_runs`)."""
    runs: list[list[str]] = []
    for i in range(w0, w1):
        gap = doc.plain[doc.ends[i - 1] : doc.starts[i]] if i > w0 else "."
        if i == w0 or gap.strip(" -"):
            runs.append([])
        runs[-1] += [p for p in doc.lows[i].split("-") if p]
    return runs


def key_terms(texts: list[str], kind: str, limit: int = MAX_TERMS) -> list[str]:
    """The key terms of an exercise's texts, most frequent first: each subject word, and
    each pair of adjacent words with a subject word among them ("dry run") that occurs
    at least twice, as written."""
    counts: Counter[str] = Counter()
    shown: dict[str, Counter[str]] = {}
    for text in texts:
        for run in _runs(text):
            words = _words(run, kind)
            for i, w in enumerate(words):
                if w is None:
                    continue
                if w[2]:
                    _count(counts, shown, w[1], w[0])
                nxt = words[i + 1] if i + 1 < len(words) else None
                if nxt is not None and (w[2] or nxt[2]):
                    _count(counts, shown, f"{w[1]} {nxt[1]}", f"{w[0]} {nxt[0]}")
    keep = [t for t in counts if " " not in t or counts[t] >= MIN_PAIR_COUNT]
    ranked = sorted(keep, key=lambda t: (-counts[t] * (1 + (" " in t)), t))
    return [_singular(shown[t].most_common(1)[0][0]) for t in ranked[:limit]]


def _count(counts: Counter[str], shown: dict[str, Counter[str]], key: str, word: str) -> None:
    counts[key] += 1
    shown.setdefault(key, Counter())[word] += 1


def _singular(term: str) -> str:
    """A term as a reader expects it: its last word without a plural -s."""
    head, _, last = term.rpartition(" ")
    if last.endswith("ies") and len(last) > 4:
        last = last[:-3] + "y"
    elif last.endswith("s") and not last.endswith(("ss", "us", "is")) and len(last) > 3:
        last = last[:-1]
    return f"{head} {last}".strip()


def _stems(term: str) -> tuple[str, ...]:
    return tuple(engine.base(p) for w in term.lower().split() for p in w.split("-") if p)


#: the least number of subject words an answer needs before its foreign share is judged
MIN_SUBJECT_WORDS = 10
#: key terms an answer of at least LONG_ANSWER real sentences must use (a shorter one: 1)
MIN_TERMS = 3
LONG_ANSWER = 4


def subject(a: Any) -> dict[str, Any]:
    """How far the answer's real sentences keep to the exercise's key terms
    (``context["terms"]``): ``terms`` (distinct ones used), ``share`` (of sentences using
    one) and ``foreign`` (share of subject words found nowhere in the exercise, None
    below ten subject words).  ``_needed`` is how many key terms the answer must use (3,
    or 1 for an answer of fewer than four real sentences) and ``_long`` whether the share
    is judged.  Without key terms all three are None (and the private ``_terms`` /
    ``_share`` are -1, ``_foreign`` 0)."""
    terms = [str(t) for t in a.context.get("terms") or ()]
    if not terms:
        return {"terms": None, "share": None, "foreign": None, "_terms": -1, "_share": -1.0,
                "_foreign": 0.0, "_needed": 0, "_long": False}
    wanted = {_stems(t) for t in terms}
    vocab = {t[0] for t in wanted if len(t) == 1}
    pairs = [t for t in wanted if len(t) > 1]
    used: set[tuple[str, ...]] = set()
    on = n = subject_words = foreign = 0
    for si, info in enumerate(a.sents):
        if not info.coherent or info.heading:
            continue
        n += 1
        s = a.doc.sentences[si]
        runs = runs_of(a.doc, s.w0, s.w1)
        stems = {engine.base(p) for run in runs for p in run}
        hit = {(t,) for t in stems & vocab} | {t for t in pairs if all(p in stems for p in t)}
        used |= hit
        on += bool(hit)
        for w in (w for run in runs for w in _words(run, a.kind or "summary") if w and w[2]):
            subject_words += 1
            foreign += w[1] not in vocab
    share = round(on / n, 3) if n else 0.0
    ratio = round(foreign / subject_words, 3) if subject_words >= MIN_SUBJECT_WORDS else None
    long = n >= LONG_ANSWER
    return {"terms": len(used), "share": share, "foreign": ratio, "_terms": len(used),
            "_share": share, "_foreign": ratio or 0.0, "_needed": MIN_TERMS if long else 1,
            "_long": long}
