"""Markdown-aware text model: blocks, sentences and words with offsets.

The analysis runs on a *plain* copy of the text with Markdown markup removed
(heading marks, bullets, emphasis, link targets, code fences).  Every plain
character remembers where it came from, so a finding on the plain text can be
reported at its offsets in the original text.

>>> doc = parse("# Launch\\n\\nWe cut **p99** latency. It fell to [120 ms](http://x).")
>>> [s.text for s in doc.sentences]
['Launch', 'We cut p99 latency.', 'It fell to 120 ms.']
>>> start, end = doc.span(doc.plain.index("p99"), doc.plain.index("p99") + 3)
>>> doc.text[start:end]
'p99'
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from itertools import accumulate

from .scan import occurrences

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

# ------------------------------------------------------------------ patterns
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})[ \t]+")
_HEADING_TAIL = re.compile(r"[ \t]+#+[ \t]*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_ITEM = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])[ \t]+")
_QUOTE = re.compile(r"^\s{0,3}>[ \t]?")
_RULE = re.compile(r"^\s{0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_TABLE_SEP = re.compile(r"^\s*\|?[\s:|-]*-{3,}[\s:|-]*$")
_QA = re.compile(r"^\s*(?:Q|A|Question|Answer)\s*[:.]\s", re.IGNORECASE)
# First characters of a line that none of the line patterns above can match
_PROSE_START = frozenset("BCDEFGHIJKLMNOPRSTUVWXYZbcdefghijklmnoprstuvwxyz")
# The first character (after any whitespace) that a line needs for each pattern to match
_FENCE_FIRST = frozenset("`~")
_RULE_FIRST = frozenset("-*_")
_SETEXT_FIRST = frozenset("=-")
_ITEM_FIRST = frozenset("-*+•")  # or a digit
_QA_FIRST = frozenset("qQaA")
_INLINE = re.compile(
    r"!?\[(?P<ltext>[^\]\n]*)\]\((?P<url>[^)\s]*)(?:\s+\"[^\"]*\")?\)"  # [text](url), images
    r"|\[(?P<rtext>[^\]\n]+)\]\[[^\]\n]*\]"  # [text][ref]
    r"|<(?P<auto>https?://[^>\s]+)>"  # <http://autolink>
    r"|(?P<tick>`+)(?P<code>.+?)(?P=tick)"  # `code`
    r"|</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>"  # <html> tags
    r"|\\(?P<esc>[\\`*_{}\[\]()#+\-.!|>~])"  # backslash escapes
    r"|\*{1,3}|~~|(?<![A-Za-z0-9])_{1,3}|_{1,3}(?![A-Za-z0-9])|\|"  # emphasis marks, pipes
)
_MARKUP_CHAR_LIST = "[`<*_~|\\"  # characters that may start inline markup
_MARKUP_CHARS = re.compile(f"[{re.escape(_MARKUP_CHAR_LIST)}]")
_INLINE_START = re.compile(r"[!\[`<*_~|\\]")  # where an _INLINE match may start
_WORD = re.compile(
    r"[A-Za-z][A-Za-z0-9]*(?:['’\-][A-Za-z0-9]+)*"  # words: don't, low-latency, p99
    r"|[$€£]?\d+(?:[.,:]\d+)*(?:%|[A-Za-z]+)?"  # numbers: 40%, $4.99, 14:05, 100ms, 2FA
)
# The same words as _WORD, written to start with one character class so that the regex
# engine skips spaces and punctuation quickly.  It runs on lower-cased text, and its
# quantifiers are possessive ("*+"): nothing follows them in the pattern, so the greedy
# match never backtracks and possessive ones match the same words without saving
# backtracking points.
_TOKEN = (
    r"[a-z\d$€£](?:(?<=[a-z])[a-z0-9]*+(?:['’\-][a-z0-9]++)*+"
    r"|(?<=[$€£])\d++(?:[.,:]\d++)*+(?:%|[a-z]++)?+"
    r"|(?<=\d)\d*+(?:[.,:]\d++)*+(?:%|[a-z]++)?+)"
)
# Runs of words separated by single spaces, as one match each: "we cut p99 to" is one
# match, split at its spaces afterwards (fewer regex matches than one per word); split()
# keeps the runs at odd indexes.
_RUN_SPLIT = re.compile(f"({_TOKEN}(?: {_TOKEN})*+)")
_NEXT_START = re.compile(r"\s*[\"'“‘(\[]?[A-Z0-9$€£]")
_CUT_NEXT = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789$€£")  # [A-Z0-9$€£]
# a sentence end (full stop, "!" or "?", closing quotes) where the next sentence starts
# (it starts with one character class so that the engine can skip to candidates)
_CUT = re.compile(r"[.!?][.!?]*[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9$€£])")
_ABBREV = frozenset(
    "e.g i.e mr mrs ms dr vs etc inc corp ltd jr sr st no nos fig figs vol approx cf al u.s "
    "p.m a.m".split()
)
_LONGEST_ABBREV = max(map(len, _ABBREV))
# Abbreviations that only stand before a number ("No. 5", "Fig. 3"): before anything else
# the full stop ends the sentence ("The answer is no. We ...").
_NUMBER_PREFIX = frozenset("no nos fig figs vol".split())
_NUMBER_TOKEN = re.compile(r"[$€£]?\d[\d,.]*(?:%|k|m|x)?")


@dataclass(slots=True)
class Block:
    """A heading, list item, quote or paragraph, in plain-text coordinates."""

    kind: str  # "heading" | "item" | "quote" | "para"
    start: int
    end: int
    line: int  # index of the first original line


@dataclass(slots=True)
class Sentence:
    """A sentence (or a heading / bullet fragment) in plain-text coordinates."""

    start: int
    end: int
    block: int
    w0: int  # index of the first word
    w1: int  # one past the last word
    text: str


@dataclass(slots=True)
class Doc:
    """The parsed text: ``plain`` copy, offset map and structure."""

    text: str
    plain: str
    runs: tuple[list[int], list[int], list[bool]]  # the offset map, see parse()
    blocks: list[Block] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)  # word i is plain[starts[i]:ends[i]]
    ends: list[int] = field(default_factory=list)
    lows: list[str] = field(default_factory=list)  # word i, lower-cased
    low: str = ""  # plain.lower() (computed once: it may differ from plain in length)
    block_sentences: list[list[int]] = field(default_factory=list)  # block -> sentences
    _sent_starts: list[int] = field(default_factory=list)
    _by_word: dict[str, list[int]] | None = None
    _sorted_words: list[str] | None = None

    @property
    def by_word(self) -> dict[str, list[int]]:
        """Each distinct lower-cased word -> the indexes where it stands, in order.

        >>> sorted(parse("We cut it; they cut more.").by_word.items())[:2]
        [('cut', [1, 4]), ('it', [2])]
        """
        by_word = self._by_word
        if by_word is None:
            by_word = self._by_word = {}
            get = by_word.get
            for i, w in enumerate(self.lows):
                where = get(w)
                if where is None:
                    by_word[w] = [i]
                else:
                    where.append(i)
        return by_word

    @property
    def sorted_words(self) -> list[str]:
        """The distinct lower-cased words, sorted (numbers and "$" first)."""
        if self._sorted_words is None:
            self._sorted_words = sorted(self.by_word)
        return self._sorted_words

    def original(self, pos: int) -> int:
        """The offset in ``text`` of the plain character at ``pos`` (``len(plain)``: the
        end of the text).

        >>> d = parse("Use **bold** here")
        >>> d.plain, d.original(4), d.original(len(d.plain))
        ('Use bold here', 6, 17)
        """
        starts, origs, copied = self.runs
        k = bisect_right(starts, min(pos, len(self.plain))) - 1
        return origs[k] + (pos - starts[k] if copied[k] else 0)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a plain-text span to ``(start, end)`` in the original text."""
        n = len(self.plain) + 1  # the map's length, with the end of the text
        end = max(end, start + 1)
        s = self.original(min(start, n - 1))
        e = self.original(min(end, n) - 1) + 1
        return s, max(e, s)

    def sentence_at(self, pos: int) -> int:
        """Index of the sentence containing plain offset ``pos`` (or the nearest before)."""
        return (bisect_right(self._sent_starts, pos) or 1) - 1  # max(i - 1, 0), no call

    def word_at(self, pos: int) -> int:
        """Index of the word holding plain offset ``pos``, or of the first word after it
        (the first word that ends after ``pos``: words do not overlap).

        >>> d = parse("We cut p99.")
        >>> d.word_at(0), d.word_at(2), d.word_at(4), d.word_at(10)
        (0, 1, 1, 3)
        """
        return bisect_right(self.ends, pos)


def _inline_matches(text: str, start: int, end: int) -> Iterator[re.Match[str]]:
    """``_INLINE.finditer(text, start, end)``, trying only where markup may start.

    (_INLINE starts with optional "!" and alternatives, so the regex engine cannot skip
    ahead by itself; trying it at every character is slow.)
    """
    pos = start
    search, match = _INLINE_START.search, _INLINE.match
    while True:
        c = search(text, pos, end)
        if c is None:
            return
        m = match(text, c.start(), end)
        if m is None:
            pos = c.start() + 1
        else:
            yield m
            pos = m.end()


def _inline(text: str, start: int, end: int, segs: list[tuple[int, int]]) -> None:
    """Append the kept ``(start, end)`` pieces of ``text[start:end]`` with markup removed."""
    if not _MARKUP_CHARS.search(text, start, end):
        segs.append((start, end))  # plain line: nothing to strip
        return
    pos = start
    for m in _inline_matches(text, start, end):
        if m.start() > pos:
            segs.append((pos, m.start()))
        if m.group("ltext") is not None:
            _inline(text, m.start("ltext"), m.end("ltext"), segs)
        elif m.group("rtext") is not None:
            _inline(text, m.start("rtext"), m.end("rtext"), segs)
        elif m.group("auto") is not None:
            segs.append((m.start("auto"), m.end("auto")))
        elif m.group("code") is not None:
            segs.append((m.start("code"), m.end("code")))
        elif m.group("esc") is not None:
            segs.append((m.start("esc"), m.end("esc")))
        elif m.group(0) == "|":
            segs.append((m.start(), m.start()))  # marker: becomes a space
        pos = m.end()
    if pos < end:
        segs.append((pos, end))


def _lines(text: str) -> list[tuple[int, int]]:
    out = []
    pos = 0
    n = len(text)
    while pos <= n:
        nl = text.find("\n", pos)
        if nl < 0:
            out.append((pos, n))
            break
        e = nl - 1 if nl > pos and text[nl - 1] == "\r" else nl
        out.append((pos, e))
        pos = nl + 1
    return out


def _ends_open(text: str, s: int, e: int) -> bool:
    """True when a line ends mid-sentence (wrapped paragraph)."""
    tail = text[s:e].rstrip()
    return bool(tail) and tail[-1] not in ".!?:;\"”'’)"


def _title_like(text: str, s: int, e: int) -> bool:
    """A short line without final punctuation: a headline, a label, a title."""
    line = text[s:e].strip()
    return bool(line) and line[-1] not in ".,;:" and len(line.split()) <= 14


def parse(text: str) -> Doc:
    """Parse ``text`` (plain text or Markdown) into a :class:`Doc`."""
    raw_blocks: list[tuple[str, int, list[tuple[int, int]]]] = []  # kind, line, segments
    cur: list[tuple[int, int]] | None = None
    cur_kind = "para"
    prev_line: tuple[int, int] | None = None
    in_fence = False

    def close() -> None:
        nonlocal cur, prev_line
        if cur:
            raw_blocks.append((cur_kind, cur_line, cur))
        cur = None
        prev_line = None

    cur_line = 0
    next_mark = -1
    # where the characters of _MARKUP_CHARS are (str.find is much faster than a regex
    # scan for a character class)
    marks = sorted(p for c in _MARKUP_CHAR_LIST for p in occurrences(text, c))
    for li, (ls, le) in enumerate(_lines(text)):
        if ls == le and not in_fence:  # an empty line ends the block (the common case)
            if cur is not None:
                close()
            continue
        body = ls
        body_end = le
        kind = None
        if in_fence or text[ls : ls + 1] not in _PROSE_START:
            # a line that may hold Markdown structure (a line starting with any other
            # letter is a plain line of prose: none of these patterns can match it)
            line = text[ls:le]
            first = line[:1]
            if not in_fence and (first.isalpha() or first.isdigit()):
                # of the patterns below, only a numbered item ("1.") or a "Q:" / "A:"
                # label can match a line that starts with a letter or a digit
                m = _ITEM.match(line) if first.isdigit() else None
                if m:
                    kind = "item"
                    body += m.end()
                elif first.isalpha() and _QA.match(line):
                    kind = "para"
                    close()
            else:
                # the first character after any whitespace: each pattern below can only
                # match a line with one of a few first characters, so most are skipped
                c = line.lstrip()[:1]
                if c in _FENCE_FIRST and _FENCE.match(line):
                    in_fence = not in_fence
                    close()
                    continue
                if in_fence:
                    continue
                if (
                    not c
                    or (c in _RULE_FIRST and _RULE.match(line))
                    or ("---" in line and _TABLE_SEP.match(line))
                ):
                    close()
                    continue
                if (
                    c in _SETEXT_FIRST
                    and _SETEXT.match(line)
                    and cur is not None
                    and prev_line is not None
                ):
                    cur_kind = "heading"
                    close()
                    continue
                m = _QUOTE.match(line) if c == ">" else None
                if m:
                    body = ls + m.end()
                    kind = "quote"
                rest = text[body:le]
                if m:
                    c = rest.lstrip()[:1]
                m = _HEADING.match(rest) if c == "#" else None
                if m:
                    kind = "heading"
                    body += m.end()
                else:
                    m = _ITEM.match(rest) if c in _ITEM_FIRST or c.isdigit() else None
                    if m:
                        kind = "item"
                        body += m.end()
                    elif c in _QA_FIRST and _QA.match(rest):
                        kind = kind or "para"
                        close()
                if kind == "heading":
                    t = _HEADING_TAIL.search(text, body, le)
                    if t:
                        body_end = t.start()
        starts_new = (
            cur is None
            or kind in ("heading", "item")
            or (kind == "quote" and cur_kind != "quote")
            or (kind is None and cur_kind == "quote")
            or (prev_line is not None and text[prev_line[0] : prev_line[1]].rstrip()[-1:] == "?")
            or (
                prev_line is not None
                and _title_like(text, *prev_line)
                and _ends_open(text, *prev_line)
                and bool(_NEXT_START.match(text[body:le]))
            )
        )
        if starts_new:
            close()
            cur = []
            cur_kind = kind or "para"
            cur_line = li
        elif cur:
            cur.append((ls - 1, ls - 1))  # line break inside a block: becomes a space
        assert cur is not None
        if next_mark < body:  # where the next markup character is, from here on
            k = bisect_left(marks, body)
            next_mark = marks[k] if k < len(marks) else len(text)
        if next_mark >= body_end:
            cur.append((body, body_end))  # plain line: nothing to strip
        else:
            _inline(text, body, body_end, cur)
        prev_line = (body, body_end)
        if kind == "heading":
            close()
    close()

    plain_parts: list[str] = []
    # the offset map as runs: plain[p] for p in run k comes from
    # text[run_orig[k] + (p - run_plain[k])] when copied, from text[run_orig[k]] otherwise
    run_plain: list[int] = []
    run_orig: list[int] = []
    run_copied: list[bool] = []
    blocks: list[Block] = []
    size = 0
    last = -1  # the original offset of the last plain character
    for bi, (kind, line_no, segs) in enumerate(raw_blocks):
        if bi:
            plain_parts.append("\n\n")
            run_plain.append(size)
            run_orig.append(last + 1)
            run_copied.append(False)
            last += 1
            size += 2
        start = size
        for s, e in segs:
            run_plain.append(size)
            if s == e:  # synthetic space (line break or table pipe)
                plain_parts.append(" ")
                run_orig.append(max(s, 0))
                run_copied.append(False)
                last = max(s, 0)
                size += 1
            else:
                plain_parts.append(text[s:e])
                run_orig.append(s)
                run_copied.append(True)
                last = e - 1
                size += e - s
        blocks.append(Block(kind, start, size, line_no))
    plain = "".join(plain_parts).replace("\r", " ").replace("\t", " ")
    run_plain.append(size)  # sentinel for end offsets
    run_orig.append(len(text))
    run_copied.append(False)
    low = plain.lower()
    doc = Doc(
        text=text, plain=plain, runs=(run_plain, run_orig, run_copied), blocks=blocks, low=low
    )
    if len(low) == len(plain):
        doc.starts, doc.ends, doc.lows = _tokenize(low)
    else:  # rare letters whose lower case is longer (e.g. "İ"): keep offsets exact
        spans = [m.span() for m in _WORD.finditer(plain)]
        doc.starts = [s for s, _ in spans]
        doc.ends = [e for _, e in spans]
        doc.lows = [plain[s:e].lower() for s, e in spans]
    doc.sentences = _split_sentences(doc)  # also sets _sent_starts and block_sentences
    return doc


def _tokenize(low: str) -> tuple[list[int], list[int], list[str]]:
    """(starts, ends, words) of the words of lower-cased text (as ``_WORD`` finds them).

    >>> starts, ends, words = _tokenize("we cut p99 to 120 ms, don't we?")
    >>> words
    ['we', 'cut', 'p99', 'to', '120', 'ms', "don't", 'we']
    >>> starts[-2:], ends[-2:]
    ([22, 28], [27, 30])
    """
    # split() keeps the runs of words at odd indexes, the text between them at even ones.
    # The words are the runs joined and split at single spaces; a word's offset is the
    # running length of the words and separators before it: one space after a word
    # inside a run, the text between the runs after a run's last word.
    parts = _RUN_SPLIT.split(low)
    runs = parts[1::2]
    if not runs:
        return [], [], []
    words = " ".join(runs).split(" ")
    lens = [1] * (2 * len(words) + 1)  # separator, word, separator, word, ..., separator
    lens[1::2] = map(len, words)
    lens[0] = len(parts[0])
    pos = 0
    for run, gap in zip(runs, map(len, parts[2::2]), strict=True):
        pos += 2 * run.count(" ") + 2  # the separator after the run's last word
        lens[pos] = gap
    offs = list(accumulate(lens))
    return offs[0:-1:2], offs[1::2], words


def _split_sentences(doc: Doc) -> list[Sentence]:
    plain = doc.plain
    out: list[Sentence] = []
    ends = doc.ends
    sent_starts: list[int] = []
    block_sentences: list[list[int]] = []
    blocks = doc.blocks
    # sentence ends in the whole text at once, then sorted into their blocks (a block
    # ends before "\n\n", so an end whose next sentence is in the next block is dropped)
    block_starts = [b.start for b in blocks]
    inner: list[list[int]] = [[] for _ in blocks]
    for dot, end, simple in _cut_spans(plain):
        bi = bisect_right(block_starts, dot) - 1
        b = blocks[bi]
        if b.kind == "heading" or end >= b.end:
            continue
        # the next sentence must start inside the block (for a simple cut, _NEXT_START
        # matches the space and the capital: the capital must be inside the block)
        if not (dot + 2 < b.end if simple else _NEXT_START.match(plain, end, b.end)):
            continue
        if plain[dot] == "." and _abbreviation_stop(plain, b.start, dot, end):
            continue
        inner[bi].append(end)
    index = 0  # of the next sentence
    for bi, b in enumerate(blocks):
        cuts = [b.start, *inner[bi], b.end]
        mine: list[int] = []
        for s, e in zip(cuts, cuts[1:], strict=False):
            piece = plain[s:e]
            text = piece.strip()  # str.strip() removes what str.isspace() accepts
            if not text:
                continue
            s += len(piece) - len(piece.lstrip())
            e = s + len(text)
            # the words from the one at (or after) s to the one at (or after) e: Doc.word_at
            w0 = bisect_right(ends, s)
            w1 = bisect_right(ends, e)
            mine.append(index)
            index += 1
            sent_starts.append(s)
            out.append(Sentence(s, e, bi, w0, w1, text))
        block_sentences.append(mine)
    doc._sent_starts = sent_starts
    doc.block_sentences = block_sentences
    return out


def _cut_spans(plain: str) -> list[tuple[int, int, bool]]:
    """``(start, end, simple)`` of every :data:`_CUT` match, as ``finditer`` finds them,
    except at the end of a block (a mark right before a newline).

    ``simple``: the match is a mark followed by one space and ``[A-Z0-9$€£]`` ("limit.
    The"), found without the regex; the next sentence then starts two characters on.

    >>> _cut_spans("It fell. Then?! (Yes.) 2.5 x")
    [(7, 8, True), (13, 15, False), (20, 22, False)]
    """
    stops = [*occurrences(plain, "."), *occurrences(plain, "!"), *occurrences(plain, "?")]
    stops.sort()
    out = []
    last = 0  # where the last match ended: like finditer, matches do not overlap
    for dot in stops:  # every match starts at one of these
        if dot < last:
            continue
        after = plain[dot + 1 : dot + 2]
        if after == " " and plain[dot + 2 : dot + 3] in _CUT_NEXT:
            last = dot + 1
            out.append((dot, last, True))
            continue
        if after == "\n":
            continue  # the end of a block ("\n" stands only between blocks)
        m = _CUT.match(plain, dot)
        if m is not None:
            last = m.end()
            out.append((dot, last, False))
    return out


def _abbreviation_stop(plain: str, lo: int, dot: int, after: int) -> bool:
    """Is the full stop at ``plain[dot]`` part of an abbreviation rather than a sentence end?

    A unit after a number ends the sentence before a capitalised word, although the
    same letters may abbreviate a title ("Ms. Lee") or an initial ("J. Smith"):

    >>> t = "p99 fell to 140 ms. Each team agreed."
    >>> _abbreviation_stop(t, 0, t.index(". E"), t.index(" E"))
    False
    >>> t = "Ms. Lee agreed."
    >>> _abbreviation_stop(t, 0, 2, 3)
    True
    """
    n = _LONGEST_ABBREV + 1
    if dot > lo and plain[dot - 1].isdigit() or dot - n >= lo and plain[dot - n : dot].isalpha():
        return False  # the word before ends in a digit, or is longer than any abbreviation
    before = plain[max(lo, dot - 40) : dot].rsplit(None, 2)
    last = before[-1].lower().lstrip("(\"'“") if before else ""
    if not (last in _ABBREV or (len(last) == 1 and last.isalpha())):
        return False
    nxt = _NEXT_START.match(plain, after)
    first = nxt.group()[-1] if nxt else ""
    if last in _NUMBER_PREFIX:
        return first.isdigit()  # "No. 5" but not "No. We will ..."
    if first.isupper() and len(before) >= 2 and _NUMBER_TOKEN.fullmatch(before[-2].lstrip("(~")):
        return False  # a unit after a number: "140 ms. Each", "in 3 s. Then"
    return True


def split_words(text: str) -> list[str]:
    """Lower-cased words of ``text``.

    >>> split_words("Cut p99 from 900 ms to 120 ms, saving $4.2k/month.")
    ['cut', 'p99', 'from', '900', 'ms', 'to', '120', 'ms', 'saving', '$4.2k', 'month']
    """
    return [m.group().lower() for m in _WORD.finditer(text)]
