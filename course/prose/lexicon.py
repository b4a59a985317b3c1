"""Word lists for the prose checks, loaded lazily from ``course/prose/data/*.txt``.

Each data file holds ``[section]`` blocks; lines starting with ``#`` are comments.
An entry may carry advice after `` | ``. In phrases, ``*`` matches the rest of a
word and ``{n}`` matches a number written in digits or in words.

>>> "significantly" in phrases("style", "weasel")
True
>>> bool(matcher("kinds", "summary.adoption").search("Now 4 teams use it."))
True
"""

from __future__ import annotations

import os
import re
from bisect import bisect_left
from functools import cache
from itertools import accumulate, count, filterfalse
from operator import add

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

NUMBER_WORDS = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy "
    "eighty ninety hundred thousand million billion dozen half"
).split()
NUMBER_RE = r"(?:[$€£]?\d[\d,]*(?:\.\d+)?(?:%|k|m|x)?|" + "|".join(NUMBER_WORDS) + r")"


@cache
def _sections(name: str) -> dict[str, list[tuple[str, str]]]:
    """Parse ``data/<name>.txt`` into ``{section: [(entry, advice), ...]}``."""
    path = os.path.join(os.path.dirname(__file__), "data", f"{name}.txt")
    loader = globals().get("__loader__")
    if loader is not None and hasattr(loader, "get_data"):
        raw = loader.get_data(path).decode("utf-8")  # works from a zip as well
    else:  # pragma: no cover - a module without a loader
        with open(path, encoding="utf-8") as fh:
            raw = fh.read()
    out: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] | None = None
    for line in raw.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = out.setdefault(line[1:-1].strip(), [])
            continue
        if current is None:
            continue
        entry, _, advice = line.partition(" | ")
        current.append((entry.strip().lower(), advice.strip()))
    return out


@cache
def phrases(name: str, section: str) -> tuple[str, ...]:
    """Entries of one section, one per line (advice dropped)."""
    return tuple(e for e, _ in _sections(name)[section])


@cache
def words(name: str, section: str) -> frozenset[str]:
    """Whitespace-separated words of one section, as a set."""
    return frozenset(w for e, _ in _sections(name)[section] for w in e.split())


@cache
def advice(name: str, section: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    """``(pattern, advice)`` pairs, to look up the advice for a matched phrase."""
    return tuple(
        (re.compile(_entry_pattern(e), re.IGNORECASE), a) for e, a in _sections(name)[section]
    )


def advice_for(name: str, section: str, matched: str, default: str = "") -> str:
    """The advice attached to the entry that matches ``matched`` exactly.

    >>> advice_for("style", "weasel", "Nearly  all")
    'say how many, as a number or a percentage'
    """
    low = matched.lower()
    fast = folds_exactly(matched, low)
    if fast:
        # only entries that start with the same word can match the whole phrase
        by_lead, general = _advice_index(name, section)
        m = _LEAD.match(low)
        entries = by_lead.get(m.group(), []) if m else []
        if general:
            entries = [(e, text) for _, e, text in sorted(entries + general)]
        else:
            entries = [(e, text) for _, e, text in entries]
    else:
        entries = _sections(name)[section]
    for e, text in entries:
        prog = _program(e)
        if fast and prog is not None:
            hit = _run(prog, low, matched, 0, True) == len(low)
        else:
            hit = _compiled(e).fullmatch(matched) is not None
        if hit:
            return text or default
    return default


@cache
def _advice_index(
    name: str, section: str
) -> tuple[dict[str, list[tuple[int, str, str]]], list[tuple[int, str, str]]]:
    """A section's ``(order, entry, advice)`` by leading word, and the entries that do not
    start with a whole word ("{n} teams", "frustrat*", ".com")."""
    by_lead: dict[str, list[tuple[int, str, str]]] = {}
    general: list[tuple[int, str, str]] = []
    for order, (e, text) in enumerate(_sections(name)[section]):
        m = _LEAD.match(e)
        if m and e[m.end() : m.end() + 1] not in ("*", "{"):
            by_lead.setdefault(m.group(), []).append((order, e, text))
        else:
            general.append((order, e, text))
    return by_lead, general


def _entry_pattern(entry: str) -> str:
    parts = []
    for token in re.split(r"(\{n\}|\*)", entry):
        if token == "{n}":
            parts.append(NUMBER_RE)
        elif token == "*":
            parts.append(r"[\w'’-]*")
        else:
            parts.append(re.escape(token).replace(r"\ ", r"\s+"))
    body = "".join(parts)
    if entry[:1].isalnum() or entry.startswith("{n}"):
        body = r"(?<![\w-])" + body
    if entry[-1:].isalnum():
        body += r"(?![\w-])"
    return body


_LEAD = re.compile(r"[a-z0-9]+")
_NUMBER_SET = frozenset(NUMBER_WORDS)
_NUMBER_WORDS_BY_FIRST: dict[str, tuple[str, ...]] = {
    c: tuple(w for w in NUMBER_WORDS if w[0] == c) for c in {w[0] for w in NUMBER_WORDS}
}
# Characters that re.IGNORECASE matches differently from str.lower() (dotted and dotless i,
# long s, Kelvin sign): a text holding one is matched with the compiled patterns instead.
ODD_FOLD_CHARS = "\u0130\u0131\u017f\u212a"


def folds_exactly(text: str, low: str) -> bool:
    """Does ``low`` (``text.lower()``) hold a case-insensitive regex match exactly where
    ``text`` does?  (Same length, none of :data:`ODD_FOLD_CHARS`.)

    >>> folds_exactly("Team A", "team a"), folds_exactly("İstanbul", "İstanbul".lower())
    (True, False)
    """
    return len(low) == len(text) and not any(c in text for c in ODD_FOLD_CHARS)


_WORDCHARS = "_'’-"
# every character str.isspace() (and so the regex "\s") accepts
_SPACES = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + "\u2028\u2029\u202f\u205f\u3000"
)
_OTHER_SPACE = re.compile("[" + _SPACES + "]")
# the ASCII ones besides "\n" ("in" tests for these are much faster than isprintable())
_ASCII_OTHER_SPACES = tuple(c for c in _SPACES if c.isascii() and c != "\n")
_LINE_LEAD = re.compile(r"^[a-z0-9]*", re.MULTILINE)  # the lead of each line's word


def _group(words: list[str]) -> dict[str, list[int]]:
    """Each distinct word -> the indexes where it stands (as ``Doc.by_word``)."""
    out: dict[str, list[int]] = {}
    for i, w in enumerate(words):
        if w in out:
            out[w].append(i)
        else:
            out[w] = [i]
    return out


def lead_of(word: str) -> str:
    """The leading run of letters and digits of a lower-case word.

    >>> lead_of("low-latency"), lead_of("day's"), lead_of("$4")
    ('low', 'day', '')
    """
    m = _LEAD.match(word)
    return m.group() if m else ""


# A program is the parsed form of an entry, matched without compiling a regex:
# (lead boundary, trail boundary, pieces), each piece a literal string, " " (one or
# more spaces), "*" (the rest of a word) or "{n}" (a number).
Program = tuple[bool, bool, tuple[str, ...]]


@cache
def _program(entry: str) -> Program | None:
    """The program for ``entry``, or None when only the regex can express it."""
    if (
        not entry
        or not entry.isascii()
        and not set(entry) <= set("abcdefghijklmnopqrstuvwxyz0123456789 '’-.&/{}*$%")
    ):
        return None
    if "  " in entry:
        return None
    pieces: list[str] = []
    for token in re.split(r"(\{n\}|\*| )", entry):
        if token:
            pieces.append(token)
    if "*" in pieces[:-1]:
        return None  # "*" only at the end: it then never needs to give characters back
    lead = entry[:1].isalnum() or entry.startswith("{n}")
    return lead, entry[-1:].isalnum(), tuple(pieces)


@cache
def _compiled(entry: str) -> re.Pattern[str]:
    return re.compile(_entry_pattern(entry), re.IGNORECASE)


def _num_ends(low: str, p: int) -> Iterator[int]:
    """Ends of NUMBER_RE matched at ``low[p:]``, in the order the regex tries them.

    >>> list(_num_ends("1,5.25k teams", 0))[:4]
    [7, 6, 5, 3]
    >>> list(_num_ends("seventy", 0))
    [5, 7]
    """
    n = len(low)
    q = p + 1 if p < n and low[p] in "$€£" else p
    if q < n and low[q].isdecimal():
        r = q + 1
        while r < n and (low[r].isdecimal() or low[r] == ","):
            r += 1
        for r2 in range(r, q, -1):  # [\d,]* is greedy, then gives back one at a time
            if r2 + 1 < n and low[r2] == "." and low[r2 + 1].isdecimal():
                f = r2 + 2
                while f < n and low[f].isdecimal():
                    f += 1
                ends = [*range(f, r2 + 1, -1), r2]  # (?:\.\d+)? greedy, then shorter, then none
            else:
                ends = [r2]
            for e in ends:
                if e < n and low[e] in "%kmx":
                    yield e + 1
                yield e
    for w in _NUMBER_WORDS_BY_FIRST.get(low[p : p + 1], ()):
        if low.startswith(w, p):
            yield p + len(w)


def _isword(c: str) -> bool:
    return c.isalnum() or c == "_" or c == "-"


def _run(
    prog: Program, low: str, plain: str, pos: int, full: bool = False, idx: TokenIndex | None = None
) -> int:
    """End of the entry's match at ``pos`` (like ``pattern.match``), or -1.

    ``idx`` (the text's :class:`TokenIndex`) caches where the numbers of the text end.

    >>> _run(_program("{n} teams use*"), "now 12 teams use it", "now 12 teams use it", 4)
    16
    """
    lead, trail, pieces = prog
    if lead and pos > 0 and _isword(plain[pos - 1]):
        return -1
    return _go(pieces, 0, pos, low, plain, trail, full, idx)


def _go(
    pieces: tuple[str, ...],
    i: int,
    p: int,
    low: str,
    plain: str,
    trail: bool,
    full: bool,
    idx: TokenIndex | None,
) -> int:
    """Match ``pieces[i:]`` at ``low[p:]`` (see :func:`_run`)."""
    n = len(low)
    while i < len(pieces):
        piece = pieces[i]
        if piece == " ":
            if p >= n or not low[p].isspace():
                return -1
            p += 1
            while p < n and low[p].isspace():
                p += 1
        elif piece == "*":
            while p < n and (low[p].isalnum() or low[p] in _WORDCHARS):
                p += 1
        elif piece == "{n}":
            for e in idx.num_ends(p) if idx is not None else _num_ends(low, p):
                end = _go(pieces, i + 1, e, low, plain, trail, full, idx)
                if end >= 0:
                    return end
            return -1
        elif low.startswith(piece, p):
            p += len(piece)
        else:
            return -1
        i += 1
    if trail and p < n and _isword(plain[p]):
        return -1
    if full and p != n:
        return -1
    return p


# An indexed entry: (entry, head, star, trail): ``head`` is the literal text before a
# final "*" (or the whole entry), or None when the entry needs the general matcher;
# ``trail``: the match must end at a word boundary.
Indexed = tuple[str, "str | None", bool, bool]


def _indexed(e: str) -> Indexed:
    prog = _program(e)
    if prog is None or "{n}" in e:
        return e, None, False, False
    star = e.endswith("*")
    return e, e[:-1] if star else e, star, prog[1]


def _later_leads(entry: str) -> tuple[str, ...]:
    """Leading words a text must hold for an entry to occur in it, after the first.

    Words with ``{n}`` or ``*`` are left out (a text's word may be longer than "use*").

    >>> _later_leads("the vast majority"), _later_leads("a bunch of*")
    (('vast', 'majority'), ('bunch',))
    >>> _later_leads("in {n} years"), _later_leads("very")
    (('years',), ())
    """
    words = [w for w in entry.split(" ")[1:] if "*" not in w and "{" not in w]
    return tuple(m.group() for m in map(_LEAD.match, words) if m)


# The entries of one section, by how they are found in a text:
# (single: lead word -> (entries tried where that word stands, their later words' leads
#          or () when none has later words),
#  phrases: lead word -> (literal entry of several words, found where the lead word
#           stands or with str.find (see _phrases_by_next), the leading words of its
#           later words),
#  prefix: (letters before "*", entry) pairs, numbers: "{n} ..." entries,
#  rest: entries that need not start at a word, such as ".com").
Indexes = tuple[
    dict[str, tuple[list[Indexed], tuple[tuple[str, ...], ...]]],
    dict[str, list[tuple[Indexed, tuple[str, ...]]]],
    tuple[tuple[str, Indexed], ...],
    tuple[str, ...],
    tuple[str, ...],
]


@cache
def _index(name: str, section: str) -> Indexes:
    """A section's entries sorted by how they are found in a text.

    Nothing is compiled here: entries are matched by :func:`_run` and ``str`` methods
    (or, for the rare entry or text the fast matcher cannot handle, by a regex
    compiled on first use).
    """
    single: dict[str, list[tuple[Indexed, tuple[str, ...]]]] = {}
    multi: dict[str, list[tuple[Indexed, tuple[str, ...]]]] = {}
    prefix: list[tuple[str, Indexed]] = []
    number: list[str] = []
    other: list[str] = []
    for e in phrases(name, section):
        if e.startswith("{n}"):
            number.append(e)
            continue
        m = _LEAD.match(e)
        if not m or e[m.end() : m.end() + 1] == "{":  # ".com", "p{n}": the text's word
            other.append(e)  # does not start with the entry's leading run alone
            continue
        lead = m.group()
        item = _indexed(e)
        if e[m.end() : m.end() + 1] == "*":
            prefix.append((lead, item))
        elif item[1] is not None and " " in item[1]:
            multi.setdefault(lead, []).append((item, _later_leads(e)))
        else:
            single.setdefault(lead, []).append((item, _later_leads(e)))
    by_lead = {}
    for lead, pairs in single.items():
        laters = tuple(later for _, later in pairs)
        by_lead[lead] = ([item for item, _ in pairs], laters if any(laters) else ())
    return by_lead, multi, tuple(prefix), tuple(number), tuple(other)


# The phrases (entries of several words) of one section with one lead word: (by the
# leading run of their second word, and the phrases found with str.find instead, with
# the leads of their later words)
PhrasesByNext = tuple[dict[str, list[Indexed]], list[tuple[Indexed, tuple[str, ...]]]]


@cache
def _phrases_by_next(name: str, section: str) -> dict[str, PhrasesByNext]:
    """A section's phrases by lead word, then by the leading run of their second word.

    Where a phrase occurs, the text's next word after the lead word has the same
    leading run as the phrase's second word ("cause's" for "root cause"), unless that
    word ends the phrase before a "*" ("biggest challenge*"): such a phrase, or one of
    a single word ("today, "), is found with ``str.find`` instead.

    >>> by_next, whole = _phrases_by_next("kinds", "faq.internal")["why"]
    >>> sorted(by_next)[:3], whole
    (['not', 'now', 'should'], [])
    >>> _phrases_by_next("kinds", "faq.internal")["biggest"][1]
    [(('biggest challenge*', 'biggest challenge', True, False), ())]
    """
    from .text import split_words

    out: dict[str, PhrasesByNext] = {}
    for lead, items in _index(name, section)[1].items():
        by_next: dict[str, list[Indexed]] = {}
        whole: list[tuple[Indexed, tuple[str, ...]]] = []
        for item, later in items:
            assert item[1] is not None  # (a phrase is literal text)
            words = split_words(item[1])
            if len(words) < 2 or (len(words) == 2 and item[2]):
                whole.append((item, later))
            else:
                by_next.setdefault(lead_of(words[1]), []).append(item)
        out[lead] = (by_next, whole)
    return out


class TokenIndex:
    """Where each leading word occurs in a text (built once per text).

    ``starts``, ``ends`` and ``lows`` are the words of ``plain``: word ``i`` is
    ``plain[starts[i]:ends[i]]``, lower-cased in ``lows[i]``; ``by_word`` (each distinct
    word -> its indexes, see :attr:`course.prose.text.Doc.by_word`) and ``sorted_words``
    save grouping and sorting them again; ``lowered`` (``plain.lower()``) and
    ``exact_fold`` (see :attr:`course.prose.signals.Analysis.exact_fold`) save computing
    them again.
    """

    def __init__(
        self,
        plain: str,
        starts: list[int],
        ends: list[int],
        lows: list[str],
        by_word: dict[str, list[int]] | None = None,
        sorted_words: list[str] | None = None,
        *,
        lowered: str | None = None,
        exact_fold: bool | None = None,
    ) -> None:
        self.plain = plain
        if lowered is None:
            lowered = plain.lower()
        if exact_fold is None:
            exact_fold = folds_exactly(plain, lowered)
        # None: match with the compiled patterns (case folding differs from str.lower)
        self.low = lowered if exact_fold else None
        # whitespace as plain spaces: a phrase "a b" is then found with one find()
        low = self.low
        if low is not None:
            low = low.replace("\n", " ")  # the common case, much faster than re.sub
            # every other space character is unprintable: skip the regex for most texts
            if (
                any(c in low for c in _ASCII_OTHER_SPACES)
                if low.isascii()
                else not low.isprintable() and _OTHER_SPACE.search(low)
            ):
                low = _OTHER_SPACE.sub(" ", low)
        self.spaced: str | None = low
        # runs of spaces as one space, so a phrase "a b" is found with one str.find even
        # where "\s+" matches several (between paragraphs): see :meth:`find_phrase`
        self._gaps: list[int] = []  # collapsed position of each run of two or more spaces
        self._removed: list[int] = [0]  # spaces removed up to and including each run
        self.collapsed = low
        if low is not None and "  " in low and "   " not in low:
            # (every run is two spaces, as between paragraphs: one removed per run)
            parts = low.split("  ")
            self.collapsed = " ".join(parts)
            self._gaps = list(map(add, accumulate(map(len, parts[:-1])), count()))
            self._removed = list(range(len(parts)))
        elif low is not None and "  " in low:
            pieces = []
            size, pos = len(low), 0
            run = low.find("  ")
            while run >= 0:
                end = run + 2
                while end < size and low[end] == " ":
                    end += 1
                pieces.append(low[pos : run + 1])
                self._gaps.append(run - self._removed[-1])
                self._removed.append(self._removed[-1] + end - run - 1)
                pos = end
                run = low.find("  ", end)
            pieces.append(low[pos:])
            self.collapsed = "".join(pieces)
        if by_word is None:
            by_word = _group(lows)
        words = sorted(by_word) if sorted_words is None else sorted_words
        # Words by their leading run of letters and digits ("low" of "low-latency"): most
        # words are letters and digits only and are their own lead.
        keyed = dict(by_word)
        others = list(filterfalse(str.isalnum, words))  # (one isalnum() per word)
        # the other words, still sorted
        leads = list(filterfalse(set(others).__contains__, words)) if others else list(words)
        if others:
            new = []
            for w, key in zip(others, _LINE_LEAD.findall("\n".join(others)), strict=True):
                del keyed[w]
                if key:
                    have = keyed.get(key)
                    if have is None:
                        new.append(key)
                        keyed[key] = by_word[w]
                    else:
                        keyed[key] = sorted(have + by_word[w])
            if new:
                leads = sorted(leads + new)
        self._keyed = keyed  # lead -> word indexes
        self._starts = starts
        self._lows = lows
        self._sorted = leads  # == sorted(keyed)
        # words that start a number: "$4.99", "2025", "40%", "seventy" (sorted words that
        # are neither ASCII letters first nor after "z" start with a digit or "$")
        lo, hi = bisect_left(words, "a"), bisect_left(words, "{")
        number_words = [*words[:lo], *words[hi:], *_NUMBER_SET.intersection(words[lo:hi])]
        self._number_words = sorted(i for w in number_words for i in by_word[w])
        self.numbers = list(map(starts.__getitem__, self._number_words))
        self._after_number: dict[str, list[int]] | None = None
        self._num: dict[int, tuple[int, ...]] = {}
        self._candidates: dict[tuple[str, bool], set[int]] = {}

    def find_phrase(self, head: str) -> list[tuple[int, int]]:
        """``(start, end)`` of every occurrence of ``head`` (words separated by single
        spaces) where the text separates the words by any whitespace.

        >>> from course.prose.text import parse
        >>> d = parse("It is the\\tvast  majority.\\n\\nThe vast majority")
        >>> [d.plain[s:e] for s, e in TokenIndex(d.plain, d.starts, d.ends, d.lows)
        ...  .find_phrase("the vast majority")]
        ['the vast  majority', 'The vast majority']
        """
        text = self.collapsed
        assert text is not None
        gaps, removed = self._gaps, self._removed
        out = []
        pos = text.find(head)
        while pos >= 0:
            end = pos + len(head) - 1  # last character
            if gaps:
                s = pos + removed[bisect_left(gaps, pos)]
                e = end + removed[bisect_left(gaps, end)]
            else:
                s, e = pos, end
            out.append((s, e + 1))
            pos = text.find(head, pos + 1)
        return out

    @property
    def lead(self) -> dict[str, list[int]]:
        """Every leading run -> where its words start (plain offsets).

        >>> from course.prose.text import parse
        >>> d = parse("Don't stop; don lost.")
        >>> TokenIndex(d.plain, d.starts, d.ends, d.lows).lead["don"]
        [0, 12]
        """
        starts = self._starts
        return {k: [starts[i] for i in where] for k, where in self._keyed.items()}

    def has_lead(self, lead: str) -> bool:
        """Does a word with the leading run ``lead`` occur ("didn" for "didn't")?"""
        return lead in self._keyed

    def is_word_start(self, pos: int) -> bool:
        """Does a word of the text start at ``pos``?"""
        i = bisect_left(self._starts, pos)
        return i < len(self._starts) and self._starts[i] == pos

    def num_ends(self, pos: int) -> tuple[int, ...]:
        """Where a number starting at ``pos`` may end (as NUMBER_RE tries them)."""
        ends = self._num.get(pos)
        if ends is None:
            assert self.low is not None
            ends = self._num[pos] = tuple(_num_ends(self.low, pos))
        return ends

    def _numbers_before(self) -> dict[str, list[int]]:
        """The leading run of each word that follows a number -> where those numbers
        start (plain offsets).

        >>> from course.prose.text import parse
        >>> d = parse("5 teams, 12 teams's and two services.")
        >>> TokenIndex(d.plain, d.starts, d.ends, d.lows)._numbers_before()
        {'teams': [0, 9], 'services': [24]}
        """
        out = self._after_number
        if out is None:
            out = self._after_number = {}
            lows, starts, last = self._lows, self._starts, len(self._lows) - 1
            for i in self._number_words:
                if i < last:
                    w = lows[i + 1]
                    out.setdefault(w if w.isalnum() else lead_of(w), []).append(starts[i])
        return out

    def number_candidates(self, prog: Program) -> list[int] | set[int]:
        """Number positions where a ``{n} ...`` entry can match (a necessary condition).

        A number holds no whitespace, so it lies in the run of non-space characters
        that ends right before the entry's first literal ("teams" in "{n} teams").
        After a space, that literal starts the word after the number: the numbers the
        words with its leading run follow are the candidates.
        """
        pieces = prog[2]
        if len(pieces) < 2 or pieces[1] in ("*", "{n}"):
            return self.numbers
        if pieces[1] == " ":
            if len(pieces) < 3 or pieces[2] in ("*", "{n}", " "):
                return self.numbers
            lit, gap = pieces[2], True
            if lit[0].isalnum() and pieces[3:4] != ("*",):
                # the literal starts the word after the number, and that word's leading
                # run is the literal's ("teams" for "teams" and "teams's")
                return self._numbers_before().get(lead_of(lit), [])
        else:
            lit, gap = pieces[1], False
        cached = self._candidates.get((lit, gap))
        if cached is not None:
            return cached
        low, sp, numbers = self.low, self.spaced, self.numbers
        assert low is not None and sp is not None
        out: set[int] = self._candidates.setdefault((lit, gap), set())
        q = low.find(lit)
        while q >= 0:
            j = q
            if gap:
                while j > 0 and sp[j - 1] == " ":
                    j -= 1
            if j > 0 and (j < q or not gap):
                run_start = sp.rfind(" ", 0, j) + 1
                out.update(numbers[bisect_left(numbers, run_start) : bisect_left(numbers, j)])
            q = low.find(lit, q + 1)
        return out


def _scan_all(entry: str, idx: TokenIndex) -> list[tuple[int, int]]:
    """Like ``finditer`` for an entry that need not start at a word (".com")."""
    _e, head, star, trail = _indexed(entry)
    low = idx.low
    if low is None or head is None or " " in head:
        return [m.span() for m in _compiled(entry).finditer(idx.plain)]
    plain = idx.plain
    lead = entry[:1].isalnum()
    size = len(low)
    out = []
    pos = low.find(head)
    while pos >= 0:
        end = pos + len(head)
        ok = not (lead and pos and (plain[pos - 1].isalnum() or plain[pos - 1] in "_-"))
        if ok and star:
            while end < size and (low[end].isalnum() or low[end] in _WORDCHARS):
                end += 1
        elif ok and trail and end < size and (plain[end].isalnum() or plain[end] in "_-"):
            ok = False
        if ok:
            out.append((pos, end))
            pos = low.find(head, max(end, pos + 1))
        else:
            pos = low.find(head, pos + 1)
    return out


def find(name: str, section: str, idx: TokenIndex) -> list[tuple[int, int]]:
    """Non-overlapping ``(start, end)`` matches of a section's entries (longest first).

    >>> t = "Customers are frustrated; it is hard to rent."
    >>> from course.prose.text import parse
    >>> d = parse(t)
    >>> idx = TokenIndex(d.plain, d.starts, d.ends, d.lows)
    >>> [t[s:e] for s, e in find("kinds", "pr.problem", idx)]
    ['frustrated', 'hard to']
    """
    single, multi, prefix, number, rest = _index(name, section)
    plain = idx.plain
    low = idx.low
    spaced = idx.spaced
    size = len(plain)
    keyed = idx._keyed  # leading run -> the indexes of its words
    lows, word_starts = idx._lows, idx._starts
    best: dict[int, int] = {}

    def attempt(entry: str, pos: int) -> None:
        prog = _program(entry) if low is not None else None
        if prog is not None:
            end = _run(prog, low, plain, pos, False, idx)  # type: ignore[arg-type]
        else:
            m = _compiled(entry).match(plain, pos)
            end = m.end() if m else -1
        if end >= 0 and end > best.get(pos, -1):
            best[pos] = end

    # literal matches (start, end, final "*", word boundary after), extended and recorded
    # in one loop at the end (cheaper than a helper call per match)
    literal: list[tuple[int, int, bool, bool]] = []

    def scan(items: list[Indexed], where: list[int], known: str = "") -> None:
        """Entries that start with a word: a startswith per entry and position at most.

        ``where``: the indexes of the words to try them at.  ``known``: each of those
        words starts with these letters (its leading run starts with them), so an entry
        whose head is ``known`` needs no startswith.
        """
        for i in where:
            pos = word_starts[i]
            if pos and (c := plain[pos - 1]) != " " and (c.isalnum() or c in "_-"):
                continue  # every indexed entry starts at a word boundary
            for entry, head, star, trail in items:
                if head is None or spaced is None:
                    attempt(entry, pos)
                    continue
                if head != known and not spaced.startswith(head, pos):
                    if " " in head and "  " in spaced[pos : pos + len(head) + 1]:
                        attempt(entry, pos)  # "\s+" may stand for several spaces here
                    continue
                literal.append((pos, pos + len(head), star, trail))

    has = keyed.__contains__  # does a word with this leading run occur?
    last = len(lows) - 1
    # (the leads that occur, found by one set intersection; the order of the matches
    # found does not matter: the longest match at each position is kept)
    for lead in single.keys() & keyed.keys():
        items, laters = single[lead]
        if laters and low is not None:
            # (for a text whose case folds exactly) an entry's later words must occur too
            pairs = zip(items, laters, strict=True)
            items = [item for item, later in pairs if all(map(has, later))]
            if not items:
                continue
        scan(items, keyed[lead], lead)
    by_lead = _phrases_by_next(name, section)
    words = keyed.keys()
    for lead in multi.keys() & words:
        if spaced is None:
            scan([item for item, _ in multi[lead]], keyed[lead])
            continue
        by_next, whole = by_lead[lead]
        # where the lead word stands, the phrases whose second word comes next: one dict
        # lookup per place (when the second word of one of them occurs at all)
        if by_next and not words.isdisjoint(by_next.keys()):
            for i in keyed[lead]:
                if i == last:
                    continue
                w = lows[i + 1]
                found = by_next.get(w if w.isalnum() else lead_of(w))
                if found is None:
                    continue
                pos = word_starts[i]
                if pos and (c := plain[pos - 1]) != " " and (c.isalnum() or c in "_-"):
                    continue  # not at a word boundary
                for entry, head, star, trail in found:
                    assert head is not None
                    if spaced.startswith(head, pos):
                        literal.append((pos, pos + len(head), star, trail))
                    elif "  " in spaced[pos : pos + len(head) + 1]:
                        attempt(entry, pos)  # "\s+" may stand for several spaces here
        for (_entry, head, star, trail), later in whole:
            assert head is not None
            if not all(map(has, later)):
                continue  # a word of the phrase is missing from the text
            for pos, end in idx.find_phrase(head):
                if pos and (c := plain[pos - 1]) != " " and (c.isalnum() or c in "_-"):
                    continue  # not at a word boundary
                if idx.is_word_start(pos):
                    literal.append((pos, end, star, trail))
    leads, n_leads = idx._sorted, len(idx._sorted)
    for pre, item in prefix:
        i = bisect_left(leads, pre)  # the text's leading words that start with pre
        while i < n_leads and leads[i].startswith(pre):
            scan([item], keyed[leads[i]], pre)
            i += 1
    sp = spaced or ""  # (literal matches are recorded only when spaced is set)
    for pos, end, star, trail in literal:  # each literal match plain[pos:end]
        if star:  # extended over the rest of the word
            while end < size and (sp[end].isalnum() or sp[end] in _WORDCHARS):
                end += 1
        elif trail and end < size and (c := plain[end]) != " " and (c.isalnum() or c in "_-"):
            continue  # the entry ends inside a word
        if end > best.get(pos, -1):
            best[pos] = end
    for entry in number:
        prog = _program(entry) if low is not None else None
        if prog is None:
            for pos in idx.numbers:
                attempt(entry, pos)
            continue
        for pos in idx.number_candidates(prog):
            end = _run(prog, low, plain, pos, False, idx)  # type: ignore[arg-type]
            if end > best.get(pos, -1):
                best[pos] = end
    for entry in rest:
        for s, e in _scan_all(entry, idx):
            if e > best.get(s, -1):
                best[s] = e
    out: list[tuple[int, int]] = []
    end = -1
    for pos in sorted(best):
        if pos >= end:
            out.append((pos, best[pos]))
            end = best[pos]
    return out


@cache
def matcher(name: str, section: str) -> re.Pattern[str]:
    """One case-insensitive regex matching any entry of the section (longest first)."""
    entries = sorted(phrases(name, section), key=len, reverse=True)
    return re.compile("|".join(f"(?:{_entry_pattern(e)})" for e in entries), re.IGNORECASE)
