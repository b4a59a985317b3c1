"""What every check knows about a text: sentences, their quality, quantities, matches.

:class:`Analysis` parses a text once and holds the facts that the rules of every
kind build on: for each sentence whether it reads as a real sentence (a verb and
function words, not a keyword list), whether it repeats an earlier one, and where
the quantities are.  Word lists are matched through :mod:`course.prose.engine`.

>>> a = Analysis.of("Latency fell from 900 ms to 120 ms in Q3. It was very much better.")
>>> a.measures()["coherent_ratio"], [k for _, _, k in a.quantities]
(1.0, ['latency', 'latency', 'date'])
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from . import engine
from .text import Doc, Sentence, parse, split_words

_TIMESTAMP_START = re.compile(
    r"\s*(?:\d{1,2}:\d{2}|\d{4}-\d{2}-\d{2}|T\+\d+|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|"
    r"nov|dec)[a-z]*\.? \d{1,2}\b|\d{1,2} (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"[\"“][^\"”]*[\"”]")
_PARENS = re.compile(r"\([^()]*\)")
_SHORT_SENTENCE = re.compile(r"[\"“(]?[A-Z][^\n]*[.!]$")
_QA_LABEL = re.compile(r"\s*(?:q|a|question|answer)\s*\d*\s*[:.]\s", re.IGNORECASE)
_YES_NO = re.compile(
    r"\s*(?:(?:a|answer)\s*[:.]\s*)?(?:(?P<yn>yes|no)|not yet)(?=\s*(?:[,.;:!—–]|-\s|$))",
    re.IGNORECASE,
)
_YES_NO_OPENERS = frozenset(
    "is are was were do does did can could will would should shall may might must has have had "
    "isn't aren't wasn't weren't don't doesn't didn't won't can't".split()
)
_QUESTION_WORDS = ("why", "how", "when", "where", "who")
_HOW_MUCH = ("how many", "how much", "how long", "how often")


@cache
def _verb_forms() -> frozenset[str]:
    """Verb forms: the irregular list plus -s, -ed, -ing forms of the regular verbs."""
    forms: set[str] = set(engine.word_set("verbs:irregular"))
    for v in engine.word_set("verbs:verbs"):
        forms.update((v, v + "s", v + "es", v + "ed", v + "ing", v + "d"))
        if v.endswith("e"):
            forms.add(v[:-1] + "ing")
        if v.endswith("y"):
            forms.update((v[:-1] + "ies", v[:-1] + "ied"))
        vowels = tuple("aeiou")
        if v[-1] not in "aeiouwxy" and v[-2:-1] in vowels and v[-3:-2] not in vowels:
            forms.update((v + v[-1] + "ed", v + v[-1] + "ing"))  # ship -> shipped, commit
    return frozenset(forms | {f.replace("'", "’") for f in forms})


def is_verbish(word: str) -> bool:
    """A rough test for a verb form (list of common verbs plus ``-ed`` endings).

    >>> is_verbish("shipped"), is_verbish("mechanism"), is_verbish("decided")
    (True, False, True)
    >>> is_verbish("rewrote"), is_verbish("committing"), is_verbish("didn’t")
    (True, True, True)
    """
    return word in _verb_forms() or (len(word) > 4 and word.endswith("ed") and word[-3] != "e")


@cache
def _verb_context() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(subject pronouns, modals, words that may stand between them and the verb)."""
    modals = engine.word_set("verbs:modals")
    modals |= {m.replace("'", "’") for m in modals}
    skip = engine.word_set("language:function_extra") - {"no", "yes", "what", "how", "why"}
    return engine.word_set("verbs:subjects"), frozenset(modals), skip


def has_verb_phrase(ws: list[str], fw: frozenset[str]) -> bool:
    """A verb by position: a subject pronoun or a modal followed by a content word.

    Catches verbs missing from the word list ("we preorder", "it can autoscale").

    >>> fw = engine.word_set("language:function_words")
    >>> has_verb_phrase("we now preorder titles".split(), fw)
    True
    >>> has_verb_phrase("may 2025 launch plan".split(), fw)
    False
    """
    subjects, modals, skip = _verb_context()
    for i, w in enumerate(ws):
        if w in subjects or w in modals:
            j = i + 1
            while j < len(ws) and (ws[j] in skip or (ws[j].endswith("ly") and len(ws[j]) > 4)):
                j += 1
            if j < len(ws):
                nxt = ws[j]
                if len(nxt) > 1 and nxt not in fw and nxt[0] not in "0123456789$€£":
                    return True
    return False


def _has_verb(ws: list[str], fw: frozenset[str]) -> bool:
    return any(map(is_verbish, ws)) or has_verb_phrase(ws, fw)


def unlabelled(text: str, ws: list[str]) -> list[str]:
    """Words without a leading "Q:" / "A:" label.

    >>> unlabelled("Q: Why now?", ["q", "why", "now"]), unlabelled("Why?", ["why"])
    (['why', 'now'], ['why'])
    """
    m = _QA_LABEL.match(text)
    return ws[len(split_words(m.group())) :] if m else ws


def _short_question(text: str, ws: list[str], verb: bool) -> bool:
    """A short question that reads as one: "Why now?", "How many customers?", "Are taxes
    included?" -- but not a keyword with a question mark ("What cost?", "Risk?")."""
    if not text.rstrip().endswith("?"):
        return False
    rest = unlabelled(text, ws)
    if len(rest) == 2:
        return rest[0] in _QUESTION_WORDS
    return 3 <= len(rest) <= 4 and (verb or " ".join(rest[:2]) in _HOW_MUCH)


def _short_answer(text: str, ws: list[str], fw: frozenset[str], prev_q: list[str] | None) -> bool:
    """A direct answer: yes / no / not yet, or a number right after a question.

    "No.", "Yes, in 10 of our 12 countries.", "About 8 million customers a month."
    Yes and no answer only yes/no questions ("Are taxes included? Yes."), and an answer
    of more than three words still needs function words, so a keyword list does not pass.
    """
    rest = unlabelled(text, ws)
    if not rest or len(rest) > 20 or text.rstrip().endswith("?"):
        return False
    m = _YES_NO.match(text)
    if m:
        if m.group("yn") and prev_q and prev_q[0] not in _YES_NO_OPENERS:
            return False  # "What does it cost? Yes." is no answer
    elif prev_q is None or not any(
        w[0] in "0123456789$€£" or w in engine.NUMBER_WORDS for w in rest
    ):
        return False
    return len(rest) <= 3 or _enough_function_words(sum(w in fw for w in rest), len(rest))


def _enough_function_words(n_fw: int, n: int) -> bool:
    return n_fw >= 1 and n_fw / n >= (0.12 if n >= 15 else 0.08)


def _term_list(text: str, n: int, fw: frozenset[str]) -> bool:
    """Is a comma-dense sentence a list of terms rather than a sentence with a list in it?

    Commas inside quotes and parentheses do not count; a sentence whose comma-separated
    parts are mostly clauses (a verb and a function word) is structured prose:

    >>> fw = engine.word_set("language:function_words")
    >>> _term_list("In Q3, after the outage, we rewrote it, cut p99 to 140 ms, and shipped it.",
    ...            17, fw)
    False
    >>> _term_list("Ownership: I led, I owned, I decided, I designed, I shipped.", 11, fw)
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
        if len(sw) >= 3 and any(w in fw for w in sw) and _has_verb(sw, fw):
            clause_words += len(sw)
    return clause_words < 0.5 * total


@dataclass(slots=True)
class SentInfo:
    """Per-sentence facts used by every check."""

    n: int  # words
    prose: bool  # counts for content signals (a coherent, non-duplicate body sentence)
    coherent: bool
    duplicate: bool
    heading: bool
    question: bool
    verb: bool


def _coherent(doc: Doc, s: Sentence, ws: list[str], verb: bool, prev_q: list[str] | None) -> bool:
    """Does sentence ``s`` (words ``ws``) read as a real sentence?"""
    fw = engine.word_set("language:function_words")
    n, text = len(ws), s.text
    n_fw = sum(w in fw for w in unlabelled(text, ws))  # a "Q:" label is no function word
    block_kind = doc.blocks[s.block].kind
    if block_kind == "item":
        ok = n >= 3 and verb and n_fw >= 1
    elif verb and 3 <= n <= 16 and _TIMESTAMP_START.match(text):
        ok = True  # timeline entry: "14:05 alarm fired"
    else:
        ok = n >= 4 and verb and _enough_function_words(n_fw, n)
        ok = ok or (verb and 3 <= n <= 6 and bool(_SHORT_SENTENCE.match(text)))
    if not ok and block_kind != "heading":
        # questions and their direct answers may be short: "Why now?", "No."
        ok = _short_question(text, ws, verb) or _short_answer(text, ws, fw, prev_q)
    if not ok or n > 60:
        return False  # (a run-on block of more than 60 words nobody can read as one)
    if n > 25 and block_kind != "item" and text[-1:] not in ".!?:;\"”)'’":
        return False  # a long line with no full stop: a run-on keyword line
    if n >= 10 and len(set(ws)) / n < 0.6:
        return False  # the same few words over and over
    return "," not in text or not _term_list(text, n, fw)  # a list of terms is no sentence


def _is_near_duplicate(bag: frozenset[str], earlier: list[frozenset[str]]) -> bool:
    """Is a sentence's word set at least 80% alike (Jaccard) to an earlier one's?"""
    for other in earlier:
        inter = len(bag & other)
        if inter and inter / (len(bag) + len(other) - inter) >= 0.8:
            return True
    return False


def sentence_facts(doc: Doc) -> list[SentInfo]:
    """The :class:`SentInfo` of each sentence of ``doc``."""
    fw = engine.word_set("language:function_words")
    out: list[SentInfo] = []
    seen: set[tuple[str, ...]] = set()
    bags: list[frozenset[str]] = []  # word sets of the earlier sentences of 6+ words
    prev_q: list[str] | None = None  # words of the previous sentence if it was a question
    prev_block = -1
    for s in doc.sentences:
        ws = doc.lows[s.w0 : s.w1]
        heading = doc.blocks[s.block].kind == "heading"
        question = s.text.endswith("?")
        verb = _has_verb(ws, fw)
        coherent = _coherent(doc, s, ws, verb, prev_q if prev_block >= s.block - 1 else None)
        prev_q = unlabelled(s.text, ws) if question else None
        prev_block = s.block
        dup = False
        if len(ws) >= 3:
            dup = tuple(ws) in seen
            seen.add(tuple(ws))
            if len(ws) >= 6:
                bag = frozenset(ws)
                dup = dup or _is_near_duplicate(bag, bags)
                bags.append(bag)
        body = not heading or question
        out.append(SentInfo(len(ws), coherent and not dup and body, coherent, dup, heading,
                            question, verb))
    return out


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
    return sum(len(set(c)) for c in chunks) / (len(chunks) * segment)


class Analysis:
    """Everything known about one text while it is being reviewed.

    ``context`` holds what the exercise knows besides the text (``{"topic": [...]}``);
    detectors read it.  ``folder`` is where the kind's own word lists are, ``kind`` the
    kind the text is reviewed as.
    """

    def __init__(
        self, doc: Doc, context: dict[str, Any] | None = None, folder: Path | None = None,
        kind: str | None = None,
    ) -> None:
        self.doc = doc
        self.context = dict(context or {})
        self.folder = folder
        self.kind = kind
        self.lows = doc.lows
        self.word_count = len(doc.lows)
        words = [(s, engine.fold(w)) for s, w in zip(doc.starts, doc.lows, strict=True)]
        self.index = engine.TextIndex(doc.plain, words)
        self.sents = sentence_facts(doc)
        self.quantities = engine.quantities(doc.plain, words)
        self.number_word = [False] * self.word_count
        for s, e, _ in self.quantities:
            i = doc.word_at(s)
            while i < self.word_count and doc.starts[i] < e:
                self.number_word[i] = True
                i += 1
        self._matches: dict[str, list[tuple[int, int, int, int]]] = {}
        self.detected: dict[str, Any] = {}  # detector name -> its result (see rules.py)

    @classmethod
    def of(cls, text: str) -> Analysis:
        """Parse and analyse ``text``."""
        return cls(parse(text))

    # -------------------------------------------------------------- word lists
    def matches(self, ref: str) -> list[tuple[int, int, int, int]]:
        """``(start, end, sentence, entry)`` of every match of a word list (``"file:section"``).

        >>> [m[:3] for m in Analysis.of("I led it. I worked on it.").matches("summary:activity")]
        [(12, 21, 1)]
        """
        if ref not in self._matches:
            found = engine.phrase_list(ref, self.folder).find(self.index)
            at = self.doc.sentence_at
            self._matches[ref] = [(s, e, at(s), i) for s, e, i in found]
        return self._matches[ref]

    def prose_matches(self, ref: str) -> list[tuple[int, int, int, int]]:
        """Matches that sit in coherent, non-duplicate sentences (these earn credit)."""
        return [m for m in self.matches(ref) if self.sents[m[2]].prose]

    def sentences_with(self, ref: str) -> set[int]:
        """Prose sentences with at least one match of the word list."""
        return {m[2] for m in self.prose_matches(ref)}

    def sentences_with_words(self, ref: str) -> set[int]:
        """Prose sentences holding a word of the word list (a set of single words)."""
        words = engine.word_set(ref, self.folder)
        return {si for si, info in enumerate(self.sents)
                if info.prose and not words.isdisjoint(self.sentence_words(si))}

    def count_words(self, ref: str) -> int:
        """How many words of the text are in the word list."""
        words = engine.word_set(ref, self.folder)
        return sum(w in words for w in self.lows)

    def number_sentences(self, kinds: tuple[str, ...] | list[str] = ()) -> set[int]:
        """Prose sentences holding a quantity (of the given kinds, or any)."""
        at = self.doc.sentence_at
        return {at(s) for s, _, k in self.quantities
                if (not kinds or k in kinds) and self.sents[at(s)].prose}

    def sentence_words(self, si: int) -> list[str]:
        """Lower-cased words of sentence ``si``."""
        s = self.doc.sentences[si]
        return self.lows[s.w0 : s.w1]

    def near_number(self, pos: int, window: int = 8) -> bool:
        """Is there a quantity within ``window`` words of plain offset ``pos``, same sentence?"""
        sent = self.doc.sentences[self.doc.sentence_at(pos)]
        i = self.doc.word_at(pos)
        return any(self.number_word[max(sent.w0, i - window) : min(sent.w1, i + window + 1)])

    # -------------------------------------------------------------- shared measures
    def measures(self) -> dict[str, Any]:
        """The measures every kind has (words, sentences, coherence, repetition, quantities)."""
        body = [i for i in self.sents if not i.heading or i.question]
        body_words = sum(i.n for i in body)
        n_body = sum(not i.heading for i in self.sents)
        ws = self.lows
        n_tri = len(ws) - 2
        repeat = 1 - len(set(zip(ws, ws[1:], ws[2:], strict=False))) / n_tri if n_tri >= 10 else 0.0
        kinds = [k for _, _, k in self.quantities]
        coherent = sum(i.n for i in body if i.coherent)
        return {
            "words": self.word_count,
            "sentences": n_body,
            "avg_sentence_words": round(body_words / max(1, n_body), 1),
            "coherent_ratio": round(coherent / body_words, 3) if body_words else 0.0,
            "duplicate_sentences": sum(i.duplicate for i in self.sents),
            "duplicate_words": sum(i.n for i in self.sents if i.duplicate),
            "repeated_trigrams": round(repeat, 3),
            "msttr": round(_msttr(ws), 3),
            "numbers": len(kinds),
            "percentages": kinds.count("percent"),
            "money": kinds.count("money"),
            "latencies": kinds.count("latency"),
            "durations": kinds.count("duration"),
            "dates": kinds.count("date"),
        }
