"""The text measure behind ``wbcourse similar``: shared passages that are not shared facts.

Two answers to the same exercise share a lot without any copying: the facts they were
given (numbers, team names, dates), the exercise's vocabulary, the prompt's phrasing and
a similar structure. What copying leaves, and independent writing almost never does, is
a long run of the same words in the same order that comes from neither the notebook nor
the cohort's common phrasing. The measure therefore works in four steps:

1. **Normalise** (:func:`tokenize`): words (``\\w+``) in case-folded, accent-free form,
   each with its character offsets. Punctuation and white space never count.
2. **Discount shared vocabulary** (:func:`common_phrases`): every word that lies in a
   three-word phrase of the released notebook (reading, worked examples, prompt, fact
   table, the answer cell's starter) or in a phrase that many learners' answers share is
   *background*. The other words of an answer are its *distinctive* words.
3. **Find shared passages** (:func:`passages`): rapidfuzz aligns the two word sequences
   (longest common subsequence); aligned runs a few words apart are chained, so small
   edits (a typo, a swapped word, an inserted clause) do not break a passage. Passages
   are taken out and the rest is aligned again, so reordered paragraphs are found too.
   A passage needs :data:`MIN_PASSAGE` aligned words at :data:`MIN_DENSITY` and, between
   two learners, :data:`MIN_PASSAGE_DISTINCT` distinctive words.
4. **Score**: the share of each answer's own words (the code around a written answer
   left out) that lie in shared passages; a pair's similarity is the larger share, so an
   answer copied whole into a longer one scores high. Against the notebook, the share of
   the learner's own words inside passages of the notebook, leaving out words in phrases
   the instructor's model answer also takes from the notebook (the facts to be used).

Candidate pairs come from datasketch's MinHash LSH over each answer's distinctive
three-word phrases, so a cohort of a thousand is not compared pair by pair.

>>> a = tokenize("Launch incidents fell from 7 to 1; the kit's checklist did it.")
>>> a.words[:5]
('launch', 'incidents', 'fell', 'from', '7')
>>> a.text_of(0, 2)
'Launch incidents'
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: Similarity at or above which a pair (or an answer and the notebook) is flagged.
DEFAULT_THRESHOLD = 0.5
#: Words per phrase for background phrases and LSH shingles.
NGRAM = 3
#: Fewest words an answer needs (distinctive words for pairs, own words for the
#: notebook) before it is compared at all: shorter answers cannot show copying.
MIN_WORDS = 15
#: Fewest aligned words in a shared passage.
MIN_PASSAGE = 12
#: Largest run of unaligned words (on either side) inside one passage: a small edit.
MAX_GAP = 3
#: Fewest aligned words per word of a passage's extent, on both sides.
MIN_DENSITY = 0.7
#: Fewest distinctive words, and least share of distinctive words among its aligned
#: words, a passage between two learners must hold.
MIN_PASSAGE_DISTINCT = 4
DISTINCT_SHARE = 0.25
#: Alignment rounds: each round removes the passages found and aligns the rest again.
ROUNDS = 3
#: A phrase in at least this share of a question's answers (and in at least
#: :data:`MIN_COMMON` answers), in varied company, is the cohort's shared vocabulary.
COMMON_SHARE = 0.25
MIN_COMMON = 5
#: Share of those answers in which a common phrase must have different neighbours.
CONTEXT_VARIETY = 0.5
#: MinHash LSH bands and rows: a pair whose distinctive phrases have a Jaccard
#: similarity of s is proposed with probability 1 - (1 - s**2)**64 (0.93 at 0.2, 0.15 at
#: 0.05), then checked exactly. Near-copies with small edits keep 0.25 or more.
LSH_BANDS = 64
LSH_ROWS = 2
LSH_SEED = 21
#: A candidate pair must share at least this share of the smaller answer's distinctive
#: phrases per unit of threshold: small edits break about half the phrases of a copy.
PHRASES_PER_THRESHOLD = 0.4

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Tokens:
    """The words of a text in normalised form, with their character offsets."""

    text: str
    words: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]

    def __len__(self) -> int:
        return len(self.words)

    def char_span(self, start: int, end: int) -> tuple[int, int]:
        """Character offsets ``[start, end)`` of words ``start`` to ``end - 1``."""
        return self.spans[start][0], self.spans[end - 1][1]

    def text_of(self, start: int, end: int) -> str:
        """The original text of words ``start`` to ``end - 1``, punctuation included."""
        first, last = self.char_span(start, end)
        return self.text[first:last]


def normalise_word(word: str) -> str:
    """Case-folded, without accents.

    >>> normalise_word("Café"), normalise_word("STRASSE")
    ('cafe', 'strasse')
    """
    word = word.casefold()
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokenize(text: str) -> Tokens:
    """Split ``text`` into normalised words with offsets (punctuation and space dropped).

    >>> t = tokenize("Dry-run kit: 5 teams, 11 launches.")
    >>> t.words
    ('dry', 'run', 'kit', '5', 'teams', '11', 'launches')
    >>> t.spans[2]
    (8, 11)
    """
    words, spans = [], []
    for match in _WORD.finditer(text):
        words.append(normalise_word(match.group()))
        spans.append(match.span())
    return Tokens(text, tuple(words), tuple(spans))


class Vocabulary:
    """Maps words to small integers, so alignment and phrase sets work on ints.

    >>> v = Vocabulary()
    >>> v.ids(("a", "b", "a"))
    [0, 1, 0]
    """

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}

    def ids(self, words: Iterable[str]) -> list[int]:
        table = self._ids
        return [table.setdefault(w, len(table)) for w in words]


def ngrams(ids: Sequence[int], n: int = NGRAM) -> list[tuple[int, ...]]:
    """Consecutive ``n``-word phrases of a word-id sequence.

    >>> ngrams([1, 2, 3, 4])
    [(1, 2, 3), (2, 3, 4)]
    """
    return list(zip(*(ids[i:] for i in range(n)), strict=False))


def covered_by(grams: Sequence[tuple[int, ...]], length: int,
               phrases: set[tuple[int, ...]]) -> list[bool]:
    """For each of ``length`` words, whether a phrase of ``grams`` (its :func:`ngrams`)
    that contains it is in ``phrases``.

    >>> ids = [1, 2, 3, 4, 5]
    >>> covered_by(ngrams(ids), len(ids), {(2, 3, 4)})
    [False, True, True, True, False]
    """
    out = [False] * length
    for i, gram in enumerate(grams):
        if gram in phrases:
            out[i:i + len(gram)] = [True] * len(gram)
    return out


def common_phrases(answers: Sequence[Sequence[int]]) -> set[tuple[int, ...]]:
    """Phrases that are the cohort's shared vocabulary rather than anyone's own words.

    A phrase is common when at least :data:`COMMON_SHARE` of the answers (and at least
    :data:`MIN_COMMON`) use it, *in varied company*: the words on either side of it
    differ in at least :data:`CONTEXT_VARIETY` of those answers. An idiom passes; a
    passage handed around a cohort does not, however many learners hand it in.

    >>> idiom = [[i, 7, 8, 9, i + 50] for i in range(6)]  # (7, 8, 9) in six contexts
    >>> sorted(common_phrases(idiom))
    [(7, 8, 9)]
    >>> common_phrases([[4, 7, 8, 9, 5]] * 6)  # one text, six times
    set()
    """
    users: Counter = Counter()
    company: dict[tuple[int, ...], set[tuple[int, int]]] = {}
    for ids in answers:
        seen: dict[tuple[int, ...], tuple[int, int]] = {}
        for i, gram in enumerate(ngrams(ids)):
            seen.setdefault(gram, (ids[i - 1] if i else -1,
                                   ids[i + NGRAM] if i + NGRAM < len(ids) else -1))
        users.update(seen.keys())
        for gram, context in seen.items():
            company.setdefault(gram, set()).add(context)
    need = max(MIN_COMMON, COMMON_SHARE * len(answers))
    return {g for g, n in users.items() if n >= need and len(company[g]) >= CONTEXT_VARIETY * n}


@dataclass(frozen=True)
class Passage:
    """Aligned words ``a_start..a_end`` of one text and ``b_start..b_end`` of the other."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    matched: int  # aligned words inside
    distinct: int = 0  # aligned words of ``a`` that are distinctive (when counted)


def passages(a: Sequence[int], b: Sequence[int], *,
             a_keep: Sequence[bool] | None = None, b_keep: Sequence[bool] | None = None,
             a_distinct: Sequence[int] | None = None) -> list[Passage]:
    """Shared passages of two word-id sequences, in the order of ``a``.

    Runs of at least two aligned words, at most :data:`MAX_GAP` words apart, are chained
    (a lone common word links nothing); a passage needs :data:`MIN_PASSAGE` aligned words
    and :data:`MIN_DENSITY` on both sides. When ``a_distinct`` (the :func:`running_count`
    of ``a``'s distinctive words) is given, its aligned words must also hold
    :data:`MIN_PASSAGE_DISTINCT` distinctive words, and at least :data:`DISTINCT_SHARE`
    of them: a passage made of the exercise's facts with a few linking words is not
    copying. Words whose ``a_keep``/``b_keep`` is False never align (the code around an
    answer, say).

    >>> text = list(range(30))
    >>> edited = text[:6] + [99] + text[7:]  # one word changed
    >>> [(p.a_start, p.a_end, p.matched) for p in passages(text, edited)]
    [(0, 30, 29)]
    >>> passages(text, list(range(50, 80)))
    []
    >>> moved = text[15:] + text[:15]  # the two halves swapped
    >>> [(p.a_start, p.a_end, p.b_start) for p in passages(text, moved)]
    [(0, 15, 15), (15, 30, 0)]
    >>> passages(text, text, a_keep=[i % 2 == 0 for i in text])  # every other word masked
    []
    >>> facts = running_count([i in (3, 9, 15, 21) for i in text])  # 4 of 30 distinctive
    >>> passages(text, text, a_distinct=facts)
    []
    """
    from rapidfuzz.distance import Indel

    a_seq, b_seq = _masked(a, a_keep, -1), _masked(b, b_keep, _B_MASK)
    found: list[Passage] = []
    for _ in range(ROUNDS):
        blocks = Indel.opcodes(a_seq, b_seq).as_matching_blocks()
        new = [p for p in _chains(blocks, a_distinct) if _valid(p, a_distinct is not None)]
        if not new:
            break
        for p in new:  # words already in a passage never align again
            a_seq[p.a_start:p.a_end] = range(-1 - p.a_start, -1 - p.a_end, -1)
            b_seq[p.b_start:p.b_end] = range(_B_MASK - p.b_start, _B_MASK - p.b_end, -1)
        found += new
    return sorted(found, key=lambda p: p.a_start)


_B_MASK = -1_000_000_000  # masked words of ``a`` count down from -1, of ``b`` from here


def _masked(ids: Sequence[int], keep: Sequence[bool] | None, base: int) -> list[int]:
    """``ids`` with every word not kept replaced by a value no other word has."""
    if keep is None:
        return list(ids)
    return [w if k else base - i for i, (w, k) in enumerate(zip(ids, keep, strict=True))]


def _chains(blocks, a_distinct: Sequence[int] | None) -> list[Passage]:
    chains: list[Passage] = []
    cur: list[int] | None = None  # a_start, a_end, b_start, b_end, matched, distinct
    for blk in blocks:
        if blk.size < 2:
            continue
        end = blk.a + blk.size
        distinct = a_distinct[end] - a_distinct[blk.a] if a_distinct is not None else 0
        if cur is not None and blk.a - cur[1] <= MAX_GAP and blk.b - cur[3] <= MAX_GAP:
            cur[1], cur[3] = end, blk.b + blk.size
            cur[4] += blk.size
            cur[5] += distinct
            continue
        if cur is not None:
            chains.append(Passage(*cur))
        cur = [blk.a, end, blk.b, blk.b + blk.size, blk.size, distinct]
    if cur is not None:
        chains.append(Passage(*cur))
    return chains


def _valid(p: Passage, check_distinct: bool) -> bool:
    if p.matched < MIN_PASSAGE:
        return False
    if p.matched < MIN_DENSITY * (p.a_end - p.a_start) or \
            p.matched < MIN_DENSITY * (p.b_end - p.b_start):
        return False
    if check_distinct and p.distinct < max(MIN_PASSAGE_DISTINCT, DISTINCT_SHARE * p.matched):
        return False
    return True


def running_count(mask: Sequence[bool]) -> list[int]:
    """``out[i]`` = how many of the first ``i`` words are marked (``len(mask) + 1`` items).

    >>> running_count([True, False, True])
    [0, 1, 1, 2]
    """
    out = [0]
    for marked in mask:
        out.append(out[-1] + marked)
    return out


def share(counts: Sequence[int], spans: Iterable[tuple[int, int]]) -> float:
    """Share of the marked words (``counts`` from :func:`running_count`) inside ``spans``.

    Overlapping spans count once; 0 when no word is marked.

    >>> share(running_count([True, True, False, True]), [(0, 2), (1, 2)])
    0.6666666666666666
    """
    total = counts[-1]
    if not total:
        return 0.0
    inside, reach = 0, 0
    for start, end in sorted(spans):
        start = max(start, reach)
        if end > start:
            inside += counts[end] - counts[start]
            reach = end
    return inside / total


def candidate_pairs(shingles: Sequence[set[tuple[int, ...]]],
                    min_containment: float = 0.0) -> list[tuple[int, int]]:
    """Index pairs ``(i, j)``, ``i < j``, whose phrase sets may overlap enough, sorted.

    datasketch's MinHash LSH (:data:`LSH_BANDS` bands of :data:`LSH_ROWS` rows) proposes
    pairs; a pair is kept when the phrases the two sets share are at least
    ``min_containment`` of the smaller set. Empty sets take no part. Deterministic: the
    MinHash seed is fixed.

    >>> same = {(1, 2, 3), (2, 3, 4), (3, 4, 5), (4, 5, 6)}
    >>> candidate_pairs([same, {(7, 8, 9)}, set(same)])
    [(0, 2)]
    """
    from datasketch import MinHash, MinHashLSH

    keys = [i for i, s in enumerate(shingles) if s]
    if len(keys) < 2:
        return []
    hashes = MinHash.bulk([shingles[i] for i in keys], num_perm=LSH_BANDS * LSH_ROWS,
                          seed=LSH_SEED, hashfunc=_phrase_hash)
    lsh = MinHashLSH(num_perm=LSH_BANDS * LSH_ROWS, params=(LSH_BANDS, LSH_ROWS))
    with lsh.insertion_session() as session:
        for key, mh in zip(keys, hashes, strict=True):
            session.insert(key, mh, check_duplication=False)
    pairs: set[tuple[int, int]] = set()
    for key, mh in zip(keys, hashes, strict=True):
        pairs.update((key, other) for other in lsh.query(mh) if other > key)
    return sorted((i, j) for i, j in pairs if len(shingles[i] & shingles[j])
                  >= min_containment * min(len(shingles[i]), len(shingles[j])))


def _phrase_hash(gram: tuple[int, ...]) -> int:
    """A 32-bit hash of a phrase of word ids (tuples of ints hash the same in every run)."""
    return hash(gram) & 0xFFFFFFFF
