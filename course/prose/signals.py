"""Shared detectors: sentence quality, quantities, weasel words, vague claims, acronyms.

:class:`Analysis` holds one parsed text plus everything the kind-specific checks
add to it: named signals, findings (in plain-text coordinates until the end),
scoring components and style penalties.

>>> a = Analysis.of("Latency fell from 900 ms to 120 ms in Q3. It was very much better.")
>>> a.signals["latencies"], a.signals["dates"]
(2, 1)
>>> sorted({f.rule for f in a.findings})
['vague_claim', 'weasel']
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

from . import lexicon
from .scan import matches_at, occurrences
from .text import Doc, Sentence, parse, split_words

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

# ------------------------------------------------------------------ quantities
_NUMW = (
    r"(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|eighteen|twenty|thirty|forty|fifty|sixty|hundred|a hundred|a thousand|a dozen|"
    r"dozens of|hundreds of|thousands of|millions of|half)"
)
_UNIT_T = r"(?:seconds?|secs?|s|minutes?|mins?|hours?|hrs?|h|days?|weeks?|months?|years?|quarters?)"
# Quantity patterns: (kind, what the match starts with: "d" digit, "l" letter, "c" currency
# sign, pattern).  Tried in this order; the first kind that matches names the quantity.
# Possessive quantifiers ("\d++", "?+") stand where nothing after them could match what
# backtracking would give back (a digit, a space): the same matches, fewer steps when a
# kind fails.  (Not in "count": "1,000," gives back its comma to end at a word boundary.)
_QTY_ALTS = (
    ("date", "d", r"\b\d{4}-\d{2}-\d{2}\b"),
    ("date", "d", r"\b\d{1,2}+:\d{2}(?::\d{2})?\b"),
    ("date", "d", r"\b(?:19|20)\d{2}s?\b"),
    ("date", "l", r"\b[QH][1-4]\b"),
    ("date", "l", r"\bFY\d{2,4}\b"),
    (
        "date",
        "l",
        r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}"
        r"(?:st|nd|rd|th)?\b",
    ),
    ("money", "c", r"[$€£]\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:[kmb]n?|million|billion|thousand)\b)?"),
    ("money", "d", r"\b\d[\d,]*+(?:\.\d++)?+\s?+(?:dollars|usd|eur|euros|gbp|cents)\b"),
    (
        "percent",
        "d",
        r"\b\d++(?:\.\d++)?+\s?+(?:%|percent\b|per cent\b|pct\b|percentage points?\b|x\b)",
    ),
    ("percent", "l", r"\b" + _NUMW + r"\s+percent\b"),
    ("latency", "l", r"\b[pP]\d{2}(?:\.\d+)?\b"),
    ("latency", "d", r"\b\d++(?:\.\d++)?+\s?+(?:ms|milliseconds?|µs|us)\b"),
    ("duration", "d", r"\b\d++(?:\.\d++)?+\s?+" + _UNIT_T + r"\b"),
    (
        "duration",
        "l",
        r"\b(?:one|an?|" + _NUMW + r")\s+(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?"
        r"|quarters?)\b",
    ),
    ("count", "d", r"\b\d[\d,]*(?:\.\d+)?(?:k|m|x)?\b"),
    ("count", "l", r"\b" + _NUMW + r"\b(?=\s+[a-z])"),
)


# The upper-case parts of _QTY_ALTS and what they become for lower-case text ("µ", the
# micro sign, matches the Greek mu too when the case is ignored).
_QTY_LOWER = (("[QH]", "[qh]"), ("FY", "fy"), ("[pP]", "p"), ("µ", "[µμ]"))


def quantity_pattern(starts: str = "dlc", *, lower: bool = False) -> re.Pattern[str]:
    """The quantity alternatives that start with one of ``starts`` as one regex.

    ``quantity_pattern()`` is the full definition; the review matches a word with the
    part for its first character only, which finds the same match faster.  With
    ``lower``, the pattern is for lower-cased text and does not ignore case (faster; the
    same matches where lower-casing folds case as the regex does, see
    :func:`course.prose.lexicon.folds_exactly`).

    >>> quantity_pattern("c").match("$4.2k per month").lastgroup
    'money'
    >>> quantity_pattern("l", lower=True).match("q3 and fy25").lastgroup
    'date'
    """
    groups: dict[str, list[str]] = {}
    for kind, first, pattern in _QTY_ALTS:
        if first in starts:
            if lower:
                for upper, low in _QTY_LOWER:
                    pattern = pattern.replace(upper, low)
            groups.setdefault(kind, []).append(pattern)
    return re.compile(
        "|".join(f"(?P<{kind}>{'|'.join(alts)})" for kind, alts in groups.items()),
        0 if lower else re.IGNORECASE,
    )


_QTY_DIGIT, _QTY_LETTER, _QTY_MONEY = (quantity_pattern(f) for f in "dlc")
_QTY_DIGIT_LOW, _QTY_LETTER_LOW, _QTY_MONEY_LOW = (quantity_pattern(f, lower=True) for f in "dlc")
_TIMESTAMP_START = re.compile(
    r"\s*(?:\d{1,2}:\d{2}|\d{4}-\d{2}-\d{2}|T\+\d+|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|"
    r"nov|dec)[a-z]*\.? \d{1,2}\b|\d{1,2} (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))",
    re.IGNORECASE,
)
# the first characters a _TIMESTAMP_START match can have in a sentence (besides digits)
_TIMESTAMP_FIRST = frozenset("TtJjFfMmAaSsOoNnDd\u017f")  # (long s: "s" ignoring case)
_QUOTED = re.compile(r"[\"“][^\"”]*[\"”]")
_SHORT_SENTENCE = re.compile(r"[\"“(]?[A-Z][^\n]*[.!]$")
_NAMED_TEAMS = re.compile(  # "with the payments team"; "(?<!\w.)" is a leading "\b"
    r"[wftab](?<!\w.)(?:(?<=w)ith|(?<=f)or|(?<=f)rom|(?<=t)o|(?<=a)nd|(?<=b)y|(?<=t)he) "
    r"(?:the )?(?!my\b|our\b|own\b|same\b|whole\b)"
    r"[A-Za-z][\w-]+ (?:and (?:the )?[A-Za-z][\w-]+ )?teams?\b",
)
_QTY_FIRST = frozenset("0123456789$€£")
_QTY_WORDS = frozenset(
    "two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen eighteen twenty thirty forty fifty sixty hundred a an one dozens hundreds "
    "thousands millions half q1 q2 q3 q4 h1 h2 jan january feb february mar march apr april "
    "may jun june jul july aug august sep sept september oct october nov november dec december "
    "p50 p90 p95 p99 p999 p99.9".split()
)
_TIME_UNITS = frozenset(
    "second seconds minute minutes hour hours day days week weeks month months year years "
    "quarter quarters".split()
)
_AFTER_A = _TIME_UNITS | {"hundred", "thousand", "dozen"}


def _after_a(word: str) -> bool:
    # (a word of letters and digits only is its own leading run)
    return word in _AFTER_A or (not word.isalnum() and lexicon.lead_of(word) in _AFTER_A)


def _digit_first(word: str) -> bool:
    return word[0].isdigit()


_MONTHS = (
    "jan january feb february mar march apr april may jun june jul july aug august sep sept "
    "september oct october nov november dec december"
).split()
# words of _QTY_WORDS that start a quantity only when the next word passes a test
_NEEDS_NEXT = {"a": _after_a, "an": _after_a, "one": _after_a} | dict.fromkeys(
    _MONTHS, _digit_first
)
# Scanning patterns start with a character class, not "\b", so the regex engine can skip
# ahead to candidate characters; the word boundary is checked by a lookbehind instead.
_ACRONYM = re.compile(r"[A-Z](?<!\w.)[A-Z0-9&]*[A-Z][A-Z0-9&]*s?\b")
# One byte per character for _acronym_starts: "U" for a capital, "0" for a digit or "&"
# (what may follow the first capital of an acronym), a space for anything else.
_ACRONYM_CLASSES = bytes(
    85 if 65 <= i <= 90 else 48 if 48 <= i <= 57 or i == 38 else 32 for i in range(256)
)
_ACRONYM_PAIR = re.compile(rb"U(?=[U0])")

# ------------------------------------------------------------------ weights
LONG_SENTENCE_WORDS = 30
PENALTY = {  # rule -> (per finding, cap)
    "long_sentence": (0.04, 0.12),
    "weasel": (0.02, 0.10),
    "vague_claim": (0.015, 0.08),
    "undefined_acronym": (0.015, 0.06),
}
PENALTY_CAP = 0.25


@dataclass(slots=True)  # not frozen: a frozen dataclass is slower to create
class RawFinding:
    """A finding in plain-text coordinates (mapped to the original text later)."""

    rule: str
    message: str
    start: int
    end: int
    severity: str
    doc_level: bool = False


@lru_cache(maxsize=1)
def _known_acronyms() -> frozenset[str]:
    """Acronyms that need no definition ("API", "URL"), in upper case."""
    return frozenset(a.upper() for a in lexicon.phrases("style", "known_acronyms"))


@lru_cache(maxsize=1)
def _verb_forms() -> frozenset[str]:
    forms: set[str] = set(lexicon.words("verbs", "irregular"))
    forms.update([f.replace("'", "’") for f in forms if "'" in f])
    for v in lexicon.words("verbs", "verbs"):
        forms.update((v, v + "s", v + "es", v + "ed", v + "ing", v + "d"))
        if v.endswith("e"):
            forms.update((v[:-1] + "ing", v + "d"))
        if v.endswith("y"):
            forms.update((v[:-1] + "ies", v[:-1] + "ied"))
        if (
            v[-1] not in "aeiouwxy"
            and v[-2:-1] in tuple("aeiou")
            and v[-3:-2] not in tuple("aeiou")
        ):
            forms.update((v + v[-1] + "ed", v + v[-1] + "ing"))  # ship -> shipped, commit
    return frozenset(forms)


def _ed_words(words: Iterable[str]) -> list[str]:
    """The words of five letters or more that end in "ed" but not "eed" (see _ed_form).

    Found by splitting the joined words after each "ed": a loop over every word (or a
    ``str.find`` per match) is slower.

    >>> sorted(_ed_words({"shipped", "agreed", "led", "red", "decided", "team"}))
    ['decided', 'shipped']
    """
    out = []
    # every piece but the last ends a word that ends in "ed" (without the "ed")
    for piece in ("\n".join(words) + "\n").split("ed\n")[:-1]:
        stem = piece.rpartition("\n")[2]
        if len(stem) >= 3 and stem[-1] != "e":
            out.append(stem + "ed")
    return out


def _ed_form(word: str) -> bool:
    return len(word) > 4 and word.endswith("ed") and not word.endswith("eed")


def is_verbish(word: str) -> bool:
    """A rough test for a verb form (list of common verbs plus ``-ed`` endings).

    >>> is_verbish("shipped"), is_verbish("mechanism"), is_verbish("decided")
    (True, False, True)
    >>> is_verbish("rewrote"), is_verbish("committing"), is_verbish("didn’t")
    (True, True, True)
    """
    return word in _verb_forms() or _ed_form(word)


@lru_cache(maxsize=1)
def _verb_context() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(subject pronouns, modals, words that may stand between them and the verb)."""
    modals = lexicon.words("verbs", "modals")
    modals |= {m.replace("'", "’") for m in modals if "'" in m}
    skip = lexicon.words("language", "function_extra") - {"no", "yes", "what", "how", "why"}
    return lexicon.words("verbs", "subjects"), frozenset(modals), skip


def has_verb_phrase(ws: list[str], fw: frozenset[str]) -> bool:
    """A verb by position: a subject pronoun or a modal followed by a content word.

    Catches verbs missing from the word list ("we preorder", "it can autoscale").

    >>> fw = lexicon.words("language", "function_words")
    >>> has_verb_phrase("we now preorder titles".split(), fw)
    True
    >>> has_verb_phrase("may 2025 launch plan".split(), fw)
    False
    """
    subjects, modals, skip = _verb_context()
    n = len(ws)
    for i, w in enumerate(ws):
        if w in subjects or w in modals:
            j = i + 1
            while j < n and (ws[j] in skip or (ws[j].endswith("ly") and len(ws[j]) > 4)):
                j += 1
            if j < n:
                nxt = ws[j]
                if len(nxt) > 1 and nxt not in fw and not (nxt[0].isdigit() or nxt[0] in "$€£"):
                    return True
    return False


@dataclass(slots=True)
class SentInfo:
    """Per-sentence facts used by every check."""

    n: int
    prose: bool  # counts for content signals (a coherent, non-duplicate sentence)
    coherent: bool
    duplicate: bool
    heading: bool
    question: bool
    verb: bool


class Analysis:
    """Everything known about one text while it is being reviewed."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.signals: dict[str, object] = {}
        self.findings: list[RawFinding] = []
        self.components: dict[str, tuple[float, float]] = {}
        self.penalties: dict[str, float] = {}
        self.caps: dict[str, float] = {}
        self._match_cache: dict[tuple[str, str], list[tuple[int, int, int]]] = {}
        self._index: lexicon.TokenIndex | None = None
        # lower-cased plain text; where ``exact_fold`` holds, a phrase occurs in ``low``
        # exactly when a case-insensitive regex finds it in ``plain`` (a fast pre-check)
        self.low = doc.low
        self.exact_fold = lexicon.folds_exactly(doc.plain, self.low)
        self.word_count = len(doc.lows)
        self.lows = doc.lows  # the lower-cased words, in order
        self.sents: list[SentInfo] = []
        self.quantities: list[tuple[int, int, str]] = []
        self._number_word: list[bool] = [False] * self.word_count
        self._sentence_facts()
        self._quantities()
        self._style()

    @classmethod
    def of(cls, text: str) -> Analysis:
        """Parse and analyse ``text`` with the shared checks only."""
        return cls(parse(text))

    # -------------------------------------------------------------- helpers
    def add(self, rule: str, message: str, start: int, end: int, severity: str = "warning") -> None:
        """Record a finding on ``plain[start:end]``."""
        self.findings.append(RawFinding(rule, message, start, end, severity))

    def add_doc(self, rule: str, message: str, severity: str = "warning") -> None:
        """Record a finding about the whole text (no span)."""
        self.findings.append(RawFinding(rule, message, 0, 0, severity, doc_level=True))

    def component(self, name: str, value: float, weight: float) -> None:
        """Add a scoring component; ``value`` is clamped to 0..1."""
        self.components[name] = (min(max(value, 0.0), 1.0), weight)

    def matches(self, file: str, section: str) -> list[tuple[int, int, int]]:
        """All ``(start, end, sentence)`` matches of a lexicon section in the plain text."""
        key = (file, section)
        hit = self._match_cache.get(key)
        if hit is None:
            first = self.doc._sent_starts  # Doc.sentence_at, inlined
            hit = [
                (s, e, (bisect_right(first, s) or 1) - 1)  # (max(i - 1, 0) without a call)
                for s, e in lexicon.find(file, section, self.token_index())
            ]
            self._match_cache[key] = hit
        return hit

    def token_index(self) -> lexicon.TokenIndex:
        """The text's :class:`course.prose.lexicon.TokenIndex` (built on first use).

        >>> Analysis.of("Ann didn't check it.").token_index().has_lead("didn")
        True
        """
        if self._index is None:
            doc = self.doc
            self._index = lexicon.TokenIndex(
                doc.plain,
                doc.starts,
                doc.ends,
                doc.lows,
                doc.by_word,
                doc.sorted_words,
                lowered=doc.low,
                exact_fold=self.exact_fold,
            )
        return self._index

    def block_matches(self, file: str, section: str) -> dict[int, list[tuple[int, int]]]:
        """Matches grouped by block index."""
        out: dict[int, list[tuple[int, int]]] = {}
        for s, e, si in self.matches(file, section):
            out.setdefault(self.doc.sentences[si].block, []).append((s, e))
        return out

    def prose_matches(self, file: str, section: str) -> list[tuple[int, int, int]]:
        """Matches that sit in coherent, non-duplicate sentences (these earn credit)."""
        return [m for m in self.matches(file, section) if self.sents[m[2]].prose]

    def sentences_with(self, file: str, section: str) -> set[int]:
        """Indices of prose sentences with at least one match of the section."""
        return {m[2] for m in self.prose_matches(file, section)}

    def scope_sentences(self) -> set[int]:
        """Prose sentences that reach beyond the writer's own team."""
        out = self.sentences_with("kinds", "team_scope")
        doc = self.doc
        plain = doc.plain
        pos = plain.find("team")  # every match holds "team": search only those blocks
        while pos >= 0:
            b = doc.blocks[doc.sentences[doc.sentence_at(pos)].block]
            starts = _named_team_starts(plain, b.start, b.end)
            for m in matches_at(_NAMED_TEAMS, plain, starts, b.start, b.end):
                si = doc.sentence_at(m.start())
                if self.sents[si].prose:
                    out.add(si)
            pos = plain.find("team", b.end)
        return out

    def number_sentences(self, kinds: tuple[str, ...] = ()) -> set[int]:
        """Prose sentences holding a quantity (of the given kinds, or any)."""
        out = set()
        first = self.doc._sent_starts  # Doc.sentence_at, inlined
        sents = self.sents
        for s, _, k in self.quantities:
            if not kinds or k in kinds:
                si = (bisect_right(first, s) or 1) - 1
                if sents[si].prose:
                    out.add(si)
        return out

    def sentence_words(self, si: int) -> list[str]:
        """Lower-cased words of sentence ``si``."""
        s = self.doc.sentences[si]
        return self.lows[s.w0 : s.w1]

    # -------------------------------------------------------------- shared facts
    def _sentence_facts(self) -> None:
        doc = self.doc
        fw = lexicon.words("language", "function_words")
        forms = _verb_forms()
        seen: set[tuple[str, ...]] = set()  # the words of the sentences so far
        lows = self.lows
        uniq = doc.by_word  # the distinct words
        verbish = forms.intersection(uniq).union(_ed_words(uniq))
        is_fw = fw.__contains__
        fw_before = list(accumulate(map(is_fw, lows), initial=0))  # function words before i
        once = _once_indexes(uniq)  # where the words used once in the text stand
        bags: dict[int, list[frozenset[str]]] = {}  # word sets of sentences, by size
        prev_q: list[str] | None = None  # words of the previous sentence if it was a question
        prev_block = -1
        block_kinds = [b.kind for b in doc.blocks]
        sents = self.sents
        body_words = coherent_words = n_body = n_dup = 0
        for s in doc.sentences:
            ws = lows[s.w0 : s.w1]
            n = len(ws)
            bag = frozenset(ws) if n >= 6 else None  # its distinct words
            text = s.text  # no surrounding whitespace
            block_kind = block_kinds[s.block]
            heading = block_kind == "heading"
            question = text[-1:] == "?"
            # a "Q:" / "A:" label is no function word ("A: customers market risk")
            if ws and ws[0] in "qa":
                n_fw = sum(map(is_fw, _unlabelled(text, ws)))
            else:
                n_fw = fw_before[s.w1] - fw_before[s.w0]
            verb = not verbish.isdisjoint(ws) or has_verb_phrase(ws, fw)
            if block_kind == "item":
                coherent = n >= 3 and verb and n_fw >= 1
            elif (
                verb
                and 3 <= n <= 16
                and (text[0] in _TIMESTAMP_FIRST or text[0].isdigit())
                and _TIMESTAMP_START.match(text)
            ):
                coherent = True  # timeline entry: "14:05 alarm fired"
            else:
                need = 0.12 if n >= 15 else 0.08
                coherent = n >= 4 and verb and n_fw >= 1 and n_fw / n >= need
                if not coherent and verb and 3 <= n <= 6 and _SHORT_SENTENCE.match(text):
                    coherent = True  # "Latency dropped sharply."
            if not coherent and not heading:
                # questions and their direct answers may be short: "Why now?", "No."
                after_q = prev_q if prev_block >= s.block - 1 else None
                coherent = _short_question(text, ws, verb) or _short_answer(text, ws, fw, after_q)
            prev_q = _unlabelled(text, ws) if question else None
            prev_block = s.block
            if coherent:
                if n > 60:
                    coherent = False  # a run-on block; nobody can read it as one sentence
                elif n > 25 and block_kind != "item" and text[-1:] not in ".!?:;\"”)'’":
                    coherent = False  # a long line with no full stop: a run-on keyword line
                elif n >= 10 and len(bag) / n < 0.6:  # type: ignore[arg-type]
                    coherent = False  # the same few words over and over
                elif "," in text and _term_list(text, n, verbish, fw):
                    coherent = False  # a comma-separated list of terms, not a sentence
            dup = False
            if n >= 3:
                key = tuple(ws)
                if key in seen:
                    dup = True
                elif bag is not None and 5 * (
                    bisect_left(once, s.w1) - bisect_left(once, s.w0)
                ) <= len(bag):
                    # (a sentence can have a near-duplicate only if at most a fifth of its
                    # distinct words are used nowhere else: see _once_indexes)
                    nb = len(bag)
                    # Jaccard >= 0.8 needs the smaller set to be >= 0.8 of the larger
                    for no in range(-(-4 * nb // 5), 5 * nb // 4 + 1):
                        for other in bags.get(no, ()):
                            inter = len(bag & other)
                            if inter and inter / (nb + no - inter) >= 0.8:
                                dup = True
                                break
                        if dup:
                            break
                    bags.setdefault(nb, []).append(bag)
                seen.add(key)
            body = not heading or question
            if body:
                body_words += n
                if coherent:
                    coherent_words += n
            n_body += not heading
            n_dup += dup
            sents.append(
                SentInfo(n, coherent and not dup and body, coherent, dup, heading, question, verb)
            )

        ws = lows
        n_tri = len(ws) - 2
        trigrams = set(zip(ws, ws[1:], ws[2:], strict=False))
        repeat = 1 - len(trigrams) / n_tri if n_tri >= 10 else 0.0
        self.signals.update(
            words=self.word_count,
            sentences=n_body,
            avg_sentence_words=round(body_words / max(1, n_body), 1),
            coherent_ratio=round(coherent_words / body_words, 3) if body_words else 0.0,
            duplicate_sentences=n_dup,
            repeated_trigrams=round(repeat, 3),
            msttr=round(_msttr(ws), 3),
        )
        for si, info in enumerate(self.sents):
            s = doc.sentences[si]
            if info.duplicate:
                self.add(
                    "duplicate",
                    "This sentence repeats an earlier one; delete it or say something new.",
                    s.start,
                    s.end,
                    "error",
                )
            elif not info.coherent and not info.heading and info.n >= 3 and not _is_title(doc, s):
                self.add(
                    "not_a_sentence",
                    "Write this as a full sentence: who did what, and with what result.",
                    s.start,
                    s.end,
                    "warning",
                )

    def _quantities(self) -> None:
        doc = self.doc
        counts = dict.fromkeys(("percent", "money", "latency", "duration", "date", "count"), 0)
        end = -1
        starts = doc.starts
        n_words = len(starts)
        number_word = self._number_word
        if self.exact_fold:  # match the lower-cased text: same offsets, faster patterns
            text = self.low
            digit, letter, money = _QTY_DIGIT_LOW.match, _QTY_LETTER_LOW.match, _QTY_MONEY_LOW.match
        else:
            text = doc.plain
            digit, letter, money = _QTY_DIGIT.match, _QTY_LETTER.match, _QTY_MONEY.match
        lows = doc.lows
        for i in _quantity_candidates(doc):
            low = lows[i]
            c = low[0]
            if c in _QTY_FIRST:
                match = money if c in "$€£" else digit
            else:
                match = letter
            ws = starts[i]
            if ws < end:
                continue
            m = match(text, ws)
            if not m:
                continue
            end = m.end()
            k = m.lastgroup or "count"
            counts[k] += 1
            self.quantities.append((ws, end, k))
            while i < n_words and starts[i] < end:
                number_word[i] = True
                i += 1
        self.signals.update(
            numbers=len(self.quantities),
            percentages=counts["percent"],
            money=counts["money"],
            latencies=counts["latency"],
            durations=counts["duration"],
            dates=counts["date"],
        )

    def _asks(self, pos: int, si: int) -> bool:
        """Is plain offset ``pos`` inside a question, or right after "how"?"""
        if self.sents[si].question:
            return True
        i = self.doc.word_at(pos)
        return i > self.doc.sentences[si].w0 and self.lows[i - 1] == "how"

    def near_number(self, pos: int, window: int = 8) -> bool:
        """Is there a quantity within ``window`` words of plain offset ``pos``, same sentence?"""
        doc = self.doc
        sent = doc.sentences[doc.sentence_at(pos)]
        i = doc.word_at(pos)
        lo = max(sent.w0, i - window)
        hi = min(sent.w1, i + window + 1)
        return any(self._number_word[lo:hi])

    # -------------------------------------------------------------- style checks
    def _style(self) -> None:
        doc = self.doc
        long_n = 0
        for si, s in enumerate(doc.sentences):
            n = self.sents[si].n
            if n > LONG_SENTENCE_WORDS and not self.sents[si].duplicate:
                long_n += 1
                self.add(
                    "long_sentence",
                    f"This sentence has {n} words; split it into sentences under "
                    f"{LONG_SENTENCE_WORDS} words.",
                    s.start,
                    s.end,
                )
        weasels = 0
        quantifiers = lexicon.phrases("style", "weasel_quantifiers")
        for s, e, si in self.matches("style", "weasel"):
            phrase = doc.plain[s:e]
            if " ".join(phrase.lower().split()) in quantifiers and self._asks(s, si):
                continue  # "How many customers ...?" asks for the number
            tip = lexicon.advice_for("style", "weasel", phrase, "replace it with a fact")
            weasels += 1
            self.add("weasel", f"'{phrase}' is vague: {tip}.", s, e)
        vague = 0
        for s, e, _si in self.matches("style", "vague_adjectives"):
            if self.near_number(s):
                continue
            vague += 1
            word = doc.plain[s:e]
            self.add(
                "vague_claim",
                f"'{word}' claims a change without data: add the number (from X to Y).",
                s,
                e,
                "info",
            )
        undefined = self._acronyms()
        self.signals.update(
            long_sentences=long_n,
            weasel_words=weasels,
            vague_claims=vague,
            undefined_acronyms=undefined,
        )
        for rule, n in (
            ("long_sentence", long_n),
            ("weasel", weasels),
            ("vague_claim", vague),
            ("undefined_acronym", undefined),
        ):
            per, cap = PENALTY[rule]
            if n:
                self.penalties[rule] = min(n * per, cap)

    def _acronyms(self) -> int:
        doc = self.doc
        plain = doc.plain
        known = _known_acronyms()
        seen: set[str] = set()
        undefined = 0
        for m in matches_at(_ACRONYM, plain, _acronym_starts(plain)):
            word = m.group()
            base = word[:-1] if word.endswith("s") and word[:-1].isupper() else word
            if base in seen or base.upper() in known or len(base) > 6:
                continue
            if sum(c.isupper() for c in base) < 2:
                continue
            s, e = m.start(), m.end()
            before = plain[max(0, s - 2) : s]
            after = plain[e : e + 2]
            if self._caps_phrase(s, e):
                continue  # ALL-CAPS phrases and datelines ("NEW YORK --", "SEATTLE,")
            seen.add(base)
            if before.endswith("(") and after.startswith(")"):
                continue  # "Service Level Agreement (SLA)"
            if re.match(r"\s*\((?:[^()]*\s)?[A-Za-z][^()]*\)", plain[e : e + 80]):
                inside = plain[e:].split(")", 1)[0]
                if len(inside.split()) >= 2:
                    continue  # "SLA (service level agreement)"
            undefined += 1
            self.add(
                "undefined_acronym",
                f"Define '{base}' on first use, e.g. 'Full Name ({base})'.",
                s,
                s + len(base),
                "info",
            )
        return undefined

    def _caps_phrase(self, s: int, e: int) -> bool:
        """Is the all-caps word at ``plain[s:e]`` part of a caps phrase or a dateline?"""
        plain = self.doc.plain
        nxt = re.match(r"[ \t]+([A-Z][A-Z]+)\b", plain[e : e + 30])
        prev = re.search(r"\b([A-Z][A-Z]+)[ \t]+$", plain[max(0, s - 30) : s])
        if nxt or prev:
            return True
        block = self.doc.blocks[self.doc.sentences[self.doc.sentence_at(s)].block]
        return s == block.start and bool(re.match(r"\s*(?:,|--|—|–|-\s)", plain[e : e + 4]))


_YES_NO_OPENERS = frozenset(
    "is are was were do does did can could will would should shall may might must has have had "
    "isn't aren't wasn't weren't don't doesn't didn't won't can't".split()
)
_QA_LABEL = re.compile(
    r"\s*(?:q|a|question|answer)(?P<gap>\s*)(?P<num>\d*)\s*[:.]\s", re.IGNORECASE
)
_YES_NO = re.compile(
    r"\s*(?:(?:a|answer)\s*[:.]\s*)?(?:(?P<yn>yes|no)|not yet)(?=\s*(?:[,.;:!—–]|-\s|$))",
    re.IGNORECASE,
)
_PARENS = re.compile(r"\([^()]*\)")


_TEAM_LEADS = ("with", "for", "from", "to", "and", "by", "the")  # the first words of _NAMED_TEAMS


def _named_team_starts(plain: str, start: int, end: int) -> list[int]:
    """Where a :data:`_NAMED_TEAMS` match in ``plain[start:end]`` can start.

    A match is a leading word, then two to six single spaces apart words ending in
    "team": so it starts with a leading word that ends at the second to sixth space
    before a "team" (a space right before it).

    >>> t = "We paired (with the payments and the ads team) daily."
    >>> [m.group() for m in matches_at(_NAMED_TEAMS, t, _named_team_starts(t, 0, len(t)))]
    ['with the payments and the ads team']
    """
    out = []
    for q in occurrences(plain, "team", start, end):
        if plain[q - 1 : q] != " ":
            continue
        space = q - 1
        for _ in range(5):  # the 2nd to the 6th space before "team"
            space = plain.rfind(" ", start, space)
            if space < 0:
                break
            if plain.endswith(_TEAM_LEADS, max(start, space - 4), space):
                out += (space - 4, space - 3, space - 2)
    return out


def _quantity_candidates(doc: Doc) -> list[int]:
    """Indexes of the words where a quantity may start, in text order.

    Words that start with a digit or a currency sign, number and month words, and
    "p99"-like words.

    >>> _quantity_candidates(parse("In Q3 p99 fell by half, to 90 ms, saving $4k."))
    [1, 2, 5, 7, 10]
    """
    by_word = doc.by_word
    words = doc.sorted_words
    lo, hi = bisect_left(words, "a"), bisect_left(words, "{")  # digits and "$" sort first
    cands = [w for w in words[:lo] if w[0] in _QTY_FIRST]
    cands += [w for w in words[hi:] if w[0] in _QTY_FIRST]  # "€", "£"
    middle = words[lo:hi]
    cands += _QTY_WORDS.intersection(middle)
    for first in "fp":  # "p99", "fy25"
        i = bisect_left(middle, first)
        while i < len(middle) and middle[i][0] == first:
            if middle[i][-1].isdigit() and middle[i] not in _QTY_WORDS:
                cands.append(middle[i])
            i += 1
    lows = doc.lows
    last = len(lows) - 1
    out = []
    for w in cands:
        nxt = _NEEDS_NEXT.get(w)
        for i in by_word[w]:
            # "a", "an", "one" start a quantity only before "hundred", "hours", ...; a month
            # name only before a day ("May 5"): skip the regex for "a team", "may reach"
            if nxt is not None and (i == last or not nxt(lows[i + 1])):
                continue
            out.append(i)
    out.sort()
    return out


def _acronym_starts(plain: str) -> list[int]:
    """Where an :data:`_ACRONYM` match can start: at a capital followed by a capital, a
    digit or "&".

    Found in a copy of ``plain`` with one byte per character (non-ASCII characters
    become "?"): trying the pattern at every capital costs more.

    >>> t = "The SLA held; AT&T and B2B, not Q3 or Ok."
    >>> [m.group() for m in matches_at(_ACRONYM, t, _acronym_starts(t))]
    ['SLA', 'AT&T', 'B2B']
    """
    classes = plain.encode("ascii", "replace").translate(_ACRONYM_CLASSES)
    return [m.start() for m in _ACRONYM_PAIR.finditer(classes)]


def _once_indexes(by_word: dict[str, list[int]]) -> list[int]:
    """The indexes of the words that occur only once in the text, in order (``by_word``
    as :attr:`course.prose.text.Doc.by_word`, its words in the order of first use).

    A near-duplicate (Jaccard similarity >= 0.8) shares all but a fifth of the distinct
    words of each sentence: a sentence with more words that stand nowhere else in the text
    has none, and is neither compared nor kept for comparison.

    >>> _once_indexes(parse("We cut it and we cut more.").by_word)
    [2, 3, 6]
    """
    # (in the dict's order, the order of first use: already sorted)
    return [ix[0] for ix in by_word.values() if len(ix) == 1]


def _unlabelled(text: str, ws: list[str]) -> list[str]:
    """Words without a leading "Q:" / "A:" label.

    >>> _unlabelled("Q: Why now?", ["q", "why", "now"]), _unlabelled("Why?", ["why"])
    (['why', 'now'], ['why'])
    """
    if text[:1] not in "qQaA" and not text[:1].isspace():
        return ws  # a label starts with "q" or "a", after any whitespace
    m = _QA_LABEL.match(text)
    if not m:
        return ws
    if m.group().isascii():  # one word, or two when a number stands apart: "Q 2:"
        return ws[2 if m.group("gap") and m.group("num") else 1 :]
    return ws[len(split_words(m.group())) :]  # ("queſtion" is two words)


def _short_question(text: str, ws: list[str], verb: bool) -> bool:
    """A short question that reads as one: "Why now?", "How many customers?", "Are taxes
    included?" -- but not a keyword with a question mark ("What cost?", "Risk?")."""
    if not text.rstrip().endswith("?"):
        return False
    rest = _unlabelled(text, ws)
    if len(rest) == 2:
        return rest[0] in ("why", "how", "when", "where", "who")
    if 3 <= len(rest) <= 4:
        return verb or rest[0] + " " + rest[1] in ("how many", "how much", "how long", "how often")
    return False


def _short_answer(text: str, ws: list[str], fw: frozenset[str], prev_q: list[str] | None) -> bool:
    """A direct answer: yes / no / not yet, or a number right after a question.

    "No.", "Yes, in 10 of our 12 countries.", "About 8 million customers a month."
    Yes and no answer only yes/no questions ("Are taxes included? Yes."), and an answer
    of more than three words still needs function words, so a keyword list does not pass.
    """
    rest = _unlabelled(text, ws)
    if not rest or len(rest) > 20 or text.rstrip().endswith("?"):
        return False
    m = _YES_NO.match(text)
    if m:
        if m.group("yn") and prev_q is not None and prev_q[:1] and prev_q[0] not in _YES_NO_OPENERS:
            return False  # "What does it cost? Yes." is no answer
    elif prev_q is None or not any(w[0] in _QTY_FIRST or w in lexicon.NUMBER_WORDS for w in rest):
        return False
    n_fw = sum(w in fw for w in rest)
    return len(rest) <= 3 or (n_fw >= 1 and n_fw / len(rest) >= (0.12 if len(rest) >= 15 else 0.08))


def _term_list(text: str, n: int, verbish: frozenset[str], fw: frozenset[str]) -> bool:
    """Is a comma-dense sentence a list of terms rather than a sentence with a list in it?

    Commas inside quotes and parentheses do not count; a sentence whose comma-separated
    parts are mostly clauses (a verb and a function word) is structured prose:

    >>> fw = lexicon.words("language", "function_words")
    >>> t = "In Q3, after the outage, we rewrote it, cut p99 to 140 ms, and shipped it."
    >>> _term_list(t, 17, frozenset(["rewrote", "cut", "shipped"]), fw)
    False
    >>> t = "Ownership: I led, I owned, I decided, I designed, I shipped."
    >>> _term_list(t, 11, frozenset(["led", "owned", "decided", "designed", "shipped"]), fw)
    True
    """
    if text.count(",") < 3:
        return False
    t = _PARENS.sub(" ", _QUOTED.sub(" ", text))
    commas = t.count(",")
    if not ((n >= 12 and commas / n > 0.25) or (n >= 6 and commas >= 3 and commas / n > 0.2)):
        return False
    clause_words = total = 0
    for seg in t.split(","):
        sw = split_words(seg)
        total += len(sw)
        if (
            len(sw) >= 3
            and any(w in fw for w in sw)
            and (any(w in verbish or _ed_form(w) for w in sw) or has_verb_phrase(sw, fw))
        ):
            clause_words += len(sw)
    return clause_words < 0.5 * total


def _is_title(doc: Doc, s: Sentence) -> bool:
    """A whole short block without a full stop: a headline, label or title line."""
    b = doc.blocks[s.block]
    words = s.text.split()
    if not (
        s.start == b.start
        and s.end >= b.end - 1
        and len(words) <= 14
        and s.text.rstrip()[-1:] not in ".!?"
    ):
        return False
    if s.block <= 1 and len(doc.blocks) > 2:
        return True  # headline / subheading position
    long_words = [w for w in words if len(w) >= 4]
    return bool(long_words) and sum(w[0].isupper() for w in long_words) / len(long_words) >= 0.6


def _msttr(words: list[str], segment: int = 40) -> float:
    """Mean segmental type-token ratio: vocabulary variety, independent of length.

    >>> _msttr(["a", "b"] * 40), _msttr([str(i) for i in range(80)])
    (0.05, 1.0)
    """
    n = len(words)
    if n == 0:
        return 0.0
    if n < 2 * segment:
        return len(set(words[:segment])) / min(n, segment)
    chunks = [words[i : i + segment] for i in range(0, n - segment + 1, segment)]
    return sum(map(len, map(set, chunks))) / (len(chunks) * segment)
