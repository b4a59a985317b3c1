"""The one place where words are matched: word lists, the phrase index, numbers.

Everything that looks for words in a text goes through this module, so the rules
below hold everywhere:

* **Case folding** is :func:`fold` (``str.lower`` plus the few letters that Python's
  case-insensitive regexes treat as ASCII letters).
* **A word boundary** around a list entry is :data:`BEFORE` / :data:`AFTER`: no
  letter, digit, ``_`` or ``-`` right before or after ("low-latency" does not hold
  "latency"; "teams'" holds "teams").
* **Numbers** are :data:`NUMBER_RE` (digits, money, ``k``/``m``/``x`` suffixes, number
  words) and **quantities** are :data:`QUANTITY_KINDS` (dates, money, percentages,
  latencies, durations, counts).

Word lists are ``.txt`` files of ``[section]`` blocks, one entry a line, ``#`` for
comments. In an entry, ``*`` matches the rest of a word and ``{n}`` a number; an
entry may carry advice for the learner after `` | ``.

>>> idx = TextIndex.of("Customers are frustrated: it is hard to rent 5 titles.")
>>> [(idx.plain[s:e], entry) for s, e, entry in phrase_list("press_release:problem").find(idx)]
[('frustrated', 2), ('hard to', 4)]
>>> [m.group() for m in QUANTITY.finditer("p99 fell 40% to 120 ms in Q3")]
['p99', '40%', '120 ms', 'Q3']
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from .folders import RULES_DIR as RULES_FOLDER

RULES_DIR = Path(RULES_FOLDER)

BEFORE = r"(?<![\w-])"  # an entry that starts with a letter or digit starts a word
AFTER = r"(?![\w-])"  # an entry that ends with a letter or digit ends a word
#: the value of each number word (multipliers such as "hundred" scale the number before)
NUMBER_VALUES: dict[str, float] = {
    **{w: i for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split())},
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90, "hundred": 100, "thousand": 1e3, "million": 1e6, "billion": 1e9,
    "dozen": 12, "half": 0.5,
}  # fmt: skip
MULTIPLIERS = {"hundred": 100, "thousand": 1e3, "million": 1e6, "billion": 1e9, "k": 1e3,
               "m": 1e6, "bn": 1e9}  # fmt: skip
NUMBER_WORDS = frozenset(NUMBER_VALUES) - {"zero"}
NUMBER_RE = r"(?:[$€£]?\d[\d,]*(?:\.\d+)?(?:%|k|m|x)?|" + "|".join(sorted(NUMBER_WORDS)) + ")"
# letters that re.IGNORECASE matches to an ASCII letter but str.lower() keeps apart
_FOLD = str.maketrans({"\u0131": "i", "\u017f": "s", "\u212a": "k"})
_LEAD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Case-fold ``text`` the way the word lists are matched.

    >>> fold("Kelvin ſtate"), fold("İ") == "İ".lower()
    ('kelvin state', True)
    """
    return text.lower().translate(_FOLD)


def lead(word: str) -> str:
    """The leading run of letters and digits of a folded word: what the index keys on.

    >>> lead("low-latency"), lead("customer's"), lead("$4")
    ('low', 'customer', '')
    """
    m = _LEAD.match(word)
    return m.group() if m else ""


# ------------------------------------------------------------------ stems
_SUFFIXES = ("ations", "ation", "ments", "ment", "ings", "ing", "ies", "ied", "ers", "er", "ed",
             "es", "ly", "s")  # fmt: skip


@cache
def stem(word: str) -> str:
    """A tiny suffix-stripping stemmer, enough to match 'tests' with 'testing'.

    >>> stem("latencies"), stem("testing"), stem("adopted")
    ('latenc', 'test', 'adopt')
    """
    for suf in _SUFFIXES:
        if word.endswith(suf) and len(word) - len(suf) >= 3:
            return word[: -len(suf)]
    return word


@cache
def base(word: str) -> str:
    """:func:`stem` of a word with a plural "-ies" made "-y" and a final "-e" dropped
    first, so that singular and plural meet ("countries", "country"; "minutes", "minute").

    >>> base("countries") == base("country"), base("minutes") == base("minute")
    (True, True)
    """
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("e") and not word.endswith("ee") and len(word) > 3:
        word = word[:-1]
    return stem(word)


# ------------------------------------------------------------------ word lists
def _read_sections(path: Path) -> dict[str, list[tuple[str, str]]]:
    """``{section: [(entry, advice), ...]}`` of one word-list file."""
    out: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = out.setdefault(line[1:-1].strip(), [])
        elif current is not None:
            entry, _, advice = line.partition(" | ")
            current.append((fold(entry.strip()), advice.strip()))
    return out


@cache
def _sections(path: Path) -> dict[str, list[tuple[str, str]]]:
    return _read_sections(path)


def sections(path: Path) -> list[str]:
    """The section names of a word-list file."""
    return list(_sections(path))


def list_path(ref: str, folder: Path | None = None) -> tuple[Path, str]:
    """Where the word list ``"file:section"`` lives: ``file.txt`` in ``folder`` (a kind's
    own folder) or else in the built-in rules folder."""
    name, sep, section = ref.partition(":")
    if not sep:
        raise ValueError(f"word list {ref!r}: write it as 'file:section'")
    for base in (folder, RULES_DIR):
        if base is not None and (base / f"{name}.txt").is_file():
            path = base / f"{name}.txt"
            if section not in _sections(path):
                raise ValueError(f"word list {ref!r}: no [{section}] in {path}")
            return path, section
    raise ValueError(f"word list {ref!r}: no {name}.txt in {folder or RULES_DIR}")


def entries(ref: str, folder: Path | None = None) -> list[tuple[str, str]]:
    """The ``(entry, advice)`` pairs of a word list.

    >>> entries("style:weasel")[0]
    ('nearly all', 'say how many, as a number or a percentage')
    """
    path, section = list_path(ref, folder)
    return _sections(path)[section]


@cache
def word_set(ref: str, folder: Path | None = None) -> frozenset[str]:
    """The whitespace-separated words of a word list, as a set.

    >>> "we" in word_set("language:function_words")
    True
    """
    return frozenset(w for e, _ in entries(ref, folder) for w in e.split())


def entry_pattern(entry: str) -> str:
    """The regex of one list entry (case is ignored when it is compiled).

    >>> print(entry_pattern("very"), entry_pattern("frustrat*"))
    (?<![\\w-])very(?![\\w-]) (?<![\\w-])frustrat[\\w'’-]*
    """
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
        body = BEFORE + body
    if entry[-1:].isalnum():
        body += AFTER
    return body


@cache
def _compiled(entry: str) -> re.Pattern[str]:
    return re.compile(entry_pattern(entry), re.IGNORECASE)


# ------------------------------------------------------------------ the text's index
@dataclass
class TextIndex:
    """Where each word of a text starts, keyed by its leading run (built once a text).

    ``words``: ``(start, folded word)`` pairs in text order.
    """

    plain: str
    words: list[tuple[int, str]]
    leads: dict[str, list[int]] = field(default_factory=dict)  # lead -> word starts
    numbers: list[int] = field(default_factory=list)  # where a word starts a number
    sorted_leads: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        for start, word in self.words:
            self.leads.setdefault(lead(word), []).append(start)
            if word[:1] not in "abcdefghijklmnopqrstuvwxyz" or word in NUMBER_WORDS:
                self.numbers.append(start)
        self.sorted_leads = sorted(self.leads)

    @classmethod
    def of(cls, plain: str) -> TextIndex:
        """The index of a plain text, with its words as :func:`course.prose.text.parse`
        finds them."""
        from .text import WORD

        return cls(plain, [(m.start(), fold(m.group())) for m in WORD.finditer(plain)])

    def leads_starting(self, prefix: str) -> list[str]:
        """The leads of the text that start with ``prefix``."""
        i = bisect_left(self.sorted_leads, prefix)
        out = []
        while i < len(self.sorted_leads) and self.sorted_leads[i].startswith(prefix):
            out.append(self.sorted_leads[i])
            i += 1
        return out


@dataclass
class PhraseList:
    """A word list indexed by how its entries can start, matched against a :class:`TextIndex`.

    An entry is tried only where it can start: where a word with its leading run
    stands ("root cause" where "root" stands), where a word's lead starts with its
    letters before ``*`` or ``{n}`` ("frustrat*", "p{n}"), at numbers ("{n} teams"), or
    anywhere when it starts with punctuation (".com").
    """

    entries: list[tuple[str, str]]
    by_lead: dict[str, list[int]] = field(default_factory=dict)
    by_prefix: list[tuple[str, int]] = field(default_factory=list)
    at_numbers: list[int] = field(default_factory=list)
    anywhere: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        for i, (entry, _) in enumerate(self.entries):
            key = lead(entry)
            if entry.startswith("{n}"):
                self.at_numbers.append(i)
            elif not key:
                self.anywhere.append(i)
            elif entry[len(key) : len(key) + 1] in ("*", "{"):
                self.by_prefix.append((key, i))
            else:
                self.by_lead.setdefault(key, []).append(i)

    def candidates(self, idx: TextIndex) -> Iterator[tuple[int, int]]:
        """``(entry, position)`` pairs: where each entry may match in the text."""
        for key in self.by_lead.keys() & idx.leads.keys():
            for pos in idx.leads[key]:
                yield from ((i, pos) for i in self.by_lead[key])
        for prefix, i in self.by_prefix:
            for key in idx.leads_starting(prefix):
                yield from ((i, pos) for pos in idx.leads[key])
        for i in self.at_numbers:
            yield from ((i, pos) for pos in idx.numbers)
        for i in self.anywhere:
            yield from ((i, m.start()) for m in _compiled(self.entries[i][0]).finditer(idx.plain))

    def find(self, idx: TextIndex) -> list[tuple[int, int, int]]:
        """Non-overlapping ``(start, end, entry index)`` matches, the longest at each start
        (of equally long ones, the first entry), earlier starts first."""
        best: dict[int, tuple[int, int]] = {}  # start -> (end, -entry)
        for i, pos in self.candidates(idx):
            m = _compiled(self.entries[i][0]).match(idx.plain, pos)
            if m and (m.end(), -i) > best.get(pos, (-1, 0)):
                best[pos] = (m.end(), -i)
        out: list[tuple[int, int, int]] = []
        for pos in sorted(best):
            end, neg = best[pos]
            if not out or pos >= out[-1][1]:
                out.append((pos, end, -neg))
        return out

    def advice(self, i: int, default: str = "") -> str:
        """The advice written after entry ``i`` (or ``default``)."""
        return self.entries[i][1] or default


@cache
def phrase_list(ref: str, folder: Path | None = None) -> PhraseList:
    """The indexed word list ``"file:section"`` (see :func:`list_path`)."""
    return PhraseList(entries(ref, folder))


# ------------------------------------------------------------------ quantities
_NUMW = (
    r"(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|eighteen|twenty|thirty|forty|fifty|sixty|hundred|a hundred|a thousand|a dozen|"
    r"dozens of|hundreds of|thousands of|millions of|half)"
)
_UNIT = r"(?:seconds?|secs?|s|minutes?|mins?|hours?|hrs?|h|days?|weeks?|months?|years?|quarters?)"
_SPELLED_UNIT = r"(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|quarters?)"
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*"
# (kind, pattern): tried in this order at each place a quantity may start; the first
# kind that matches names the quantity.
QUANTITY_KINDS = (
    ("date", r"\b\d{4}-\d{2}-\d{2}\b"),
    ("date", r"\b\d{1,2}:\d{2}(?::\d{2})?\b"),
    ("date", r"\b(?:19|20)\d{2}s?\b"),
    ("date", r"\b[QH][1-4]\b"),
    ("date", r"\bFY\d{2,4}\b"),
    ("date", r"\b" + _MONTH + r"\.?\s+\d{1,2}(?:st|nd|rd|th)?\b"),
    ("money", r"[$€£]\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:[kmb]n?|million|billion|thousand)\b)?"),
    ("money", r"\b\d[\d,]*(?:\.\d+)?\s?(?:dollars|usd|eur|euros|gbp|cents)\b"),
    ("percent", r"\b\d+(?:\.\d+)?\s?(?:%|percent\b|per cent\b|pct\b|percentage points?\b|x\b)"),
    ("percent", r"\b" + _NUMW + r"\s+percent\b"),
    ("latency", r"\b[pP]\d{2}(?:\.\d+)?\b"),
    ("latency", r"\b\d+(?:\.\d+)?\s?(?:ms|milliseconds?|µs|us)\b"),
    ("duration", r"\b\d+(?:\.\d+)?\s?" + _UNIT + r"\b"),
    ("duration", r"\b(?:one|an?|" + _NUMW + r")\s+" + _SPELLED_UNIT + r"\b"),
    ("count", r"\b\d[\d,]*(?:\.\d+)?(?:k|m|x)?\b"),
    ("count", r"\b" + _NUMW + r"\b(?=\s+[a-z])"),
)


def _quantity_regex() -> re.Pattern[str]:
    groups: dict[str, list[str]] = {}
    for kind, pattern in QUANTITY_KINDS:
        groups.setdefault(kind, []).append(pattern)
    alts = (f"(?P<{kind}>{'|'.join(ps)})" for kind, ps in groups.items())
    return re.compile("|".join(alts), re.IGNORECASE)


QUANTITY = _quantity_regex()
# words where a quantity may start besides digits and currency signs (number and month
# words, quarters, percentiles); also "p…" and "f…" words that end in a digit ("p99", "fy25")
QUANTITY_WORDS = frozenset(
    "two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen eighteen twenty thirty forty fifty sixty hundred a an one dozens hundreds "
    "thousands millions half q1 q2 q3 q4 h1 h2 jan january feb february mar march apr april "
    "may jun june jul july aug august sep sept september oct october nov november dec december"
    .split()
)


def may_start_quantity(word: str) -> bool:
    """Can a quantity start at this folded word?

    >>> [may_start_quantity(w) for w in ("40%", "$4", "q3", "p99", "fy25", "team")]
    [True, True, True, True, True, False]
    """
    return (
        word[0] in "0123456789$€£"
        or word in QUANTITY_WORDS
        or (word[0] in "fp" and word[-1].isdigit())
    )


def quantities(plain: str, words: list[tuple[int, str]]) -> list[tuple[int, int, str]]:
    """``(start, end, kind)`` of every quantity, tried at the words where one may start.

    >>> t = "Three teams cut p99 from 900 ms to 120 ms in Q3, saving $4k."
    >>> [(t[s:e], k) for s, e, k in quantities(t, TextIndex.of(t).words)]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('Three', 'count'), ('p99', 'latency'), ('900 ms', 'latency'), ('120 ms', 'latency'),
     ('Q3', 'date'), ('$4k', 'money')]
    """
    out: list[tuple[int, int, str]] = []
    end = -1
    for start, word in words:
        if start >= end and may_start_quantity(word):
            m = QUANTITY.match(plain, start)
            if m:
                end = m.end()
                out.append((start, end, m.lastgroup or "count"))
    return out


# ------------------------------------------------------------------ number values
_DIGITS = re.compile(r"([$€£])?(\d[\d,]*(?:\.\d+)?)([a-zµ%]*)")
ORDINAL_SUFFIXES = frozenset({"st", "nd", "rd", "th"})


def number_value(word: str) -> tuple[float, str] | None:
    """The value of a folded word that is a number, with the sign or letters around its
    digits (``$``, ``%``, ``ms``; ``k``/``m``/``bn`` are applied), or None.

    >>> number_value("1,700"), number_value("$4.2k"), number_value("40%")
    ((1700.0, ''), (4200.0, '$'), (40.0, '%'))
    >>> number_value("seven"), number_value("twenty-one"), number_value("480ms")
    ((7.0, ''), (21.0, ''), (480.0, 'ms'))
    >>> number_value("14:05"), number_value("team"), number_value("one-page")
    (None, None, None)
    """
    if word in NUMBER_VALUES:
        return float(NUMBER_VALUES[word]), ""
    if "-" in word and word[:1].isalpha():
        parts = word.split("-")
        if len(parts) == 2 and parts[0] in NUMBER_VALUES and parts[1] in NUMBER_VALUES:
            tens, ones = NUMBER_VALUES[parts[0]], NUMBER_VALUES[parts[1]]
            if tens >= 20 and tens % 10 == 0 and 0 < ones < 10:
                return float(tens + ones), ""  # "twenty-one"
        return None
    m = _DIGITS.fullmatch(word)
    if not m:
        return None
    sign, digits, tail = m.groups()
    value = float(digits.replace(",", ""))
    if tail in MULTIPLIERS:
        return value * MULTIPLIERS[tail], sign or ""
    return value, sign or tail
