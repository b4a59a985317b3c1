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
from bisect import bisect_right
from dataclasses import dataclass, field

# ------------------------------------------------------------------ line patterns
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})[ \t]+")
_HEADING_TAIL = re.compile(r"[ \t]+#+[ \t]*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_ITEM = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])[ \t]+")
_QUOTE = re.compile(r"^\s{0,3}>[ \t]?")
_RULE = re.compile(r"^\s{0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_TABLE_SEP = re.compile(r"^\s*\|?[\s:|-]*-{3,}[\s:|-]*$")
_QA = re.compile(r"^\s*(?:Q|A|Question|Answer)\s*[:.]\s", re.IGNORECASE)
_INLINE = re.compile(
    r"!?\[(?P<ltext>[^\]\n]*)\]\((?P<url>[^)\s]*)(?:\s+\"[^\"]*\")?\)"  # [text](url), images
    r"|\[(?P<rtext>[^\]\n]+)\]\[[^\]\n]*\]"  # [text][ref]
    r"|<(?P<auto>https?://[^>\s]+)>"  # <http://autolink>
    r"|(?P<tick>`+)(?P<code>.+?)(?P=tick)"  # `code`
    r"|</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>"  # <html> tags
    r"|\\(?P<esc>[\\`*_{}\[\]()#+\-.!|>~])"  # backslash escapes
    r"|\*{1,3}|~~|(?<![A-Za-z0-9])_{1,3}|_{1,3}(?![A-Za-z0-9])|\|"  # emphasis marks, pipes
)
_KEPT_GROUPS = ("ltext", "rtext", "auto", "code", "esc")  # markup whose inside is text
# ------------------------------------------------------------------ words and sentences
WORD = re.compile(
    r"[A-Za-z][A-Za-z0-9]*(?:['’\-][A-Za-z0-9]+)*"  # words: don't, low-latency, p99
    r"|[$€£]?\d+(?:[.,:]\d+)*(?:%|[A-Za-z]+)?"  # numbers: 40%, $4.99, 14:05, 100ms, 2FA
)
_NEXT_START = re.compile(r"\s*[\"'“‘(\[]?[A-Z0-9$€£]")
# a sentence end (full stop, "!" or "?", closing quotes) where the next sentence starts
_CUT = re.compile(r"[.!?][.!?]*[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9$€£])")
_ABBREV = frozenset(
    "e.g i.e mr mrs ms dr vs etc inc corp ltd jr sr st no nos fig figs vol approx cf al u.s "
    "p.m a.m".split()
)
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


@dataclass
class Doc:
    """The parsed text: ``plain`` copy, offset map and structure."""

    text: str
    plain: str
    runs: tuple[list[int], list[int], list[bool]]  # the offset map, see _plain_text()
    blocks: list[Block] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)  # word i is plain[starts[i]:ends[i]]
    ends: list[int] = field(default_factory=list)
    lows: list[str] = field(default_factory=list)  # word i, lower-cased
    block_sentences: list[list[int]] = field(default_factory=list)  # block -> sentences
    sent_starts: list[int] = field(default_factory=list)

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
        return max(bisect_right(self.sent_starts, pos) - 1, 0)

    def word_at(self, pos: int) -> int:
        """Index of the word holding plain offset ``pos``, or of the first word after it.

        >>> d = parse("We cut p99.")
        >>> d.word_at(0), d.word_at(2), d.word_at(4), d.word_at(10)
        (0, 1, 1, 3)
        """
        return bisect_right(self.ends, pos)

    def block_text(self, bi: int) -> str:
        """The plain text of block ``bi``."""
        b = self.blocks[bi]
        return self.plain[b.start : b.end]


# ------------------------------------------------------------------ Markdown to plain
def _inline(text: str, start: int, end: int, segs: list[tuple[int, int]]) -> None:
    """Append the kept ``(start, end)`` pieces of ``text[start:end]`` with markup removed
    (``(p, p)`` stands for a space: a table pipe)."""
    pos = start
    for m in _INLINE.finditer(text, start, end):
        if m.start() > pos:
            segs.append((pos, m.start()))
        kept = next((g for g in _KEPT_GROUPS if m.group(g) is not None), None)
        if kept in ("ltext", "rtext"):
            _inline(text, m.start(kept), m.end(kept), segs)
        elif kept is not None:
            segs.append((m.start(kept), m.end(kept)))
        elif m.group(0) == "|":
            segs.append((m.start(), m.start()))
        pos = m.end()
    if pos < end:
        segs.append((pos, end))


def _lines(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each line, without its ``\\n`` or ``\\r\\n``."""
    out = []
    pos = 0
    lines = text.split("\n")
    for i, line in enumerate(lines):
        end = pos + len(line)
        crlf = line.endswith("\r") and i < len(lines) - 1
        out.append((pos, end - 1 if crlf else end))
        pos = end + 1
    return out


def _ends_open(line: str) -> bool:
    """True when a line ends mid-sentence (wrapped paragraph)."""
    tail = line.rstrip()
    return bool(tail) and tail[-1] not in ".!?:;\"”'’)"


def _title_like(line: str) -> bool:
    """A short line without final punctuation: a headline, a label, a title."""
    line = line.strip()
    return bool(line) and line[-1] not in ".,;:" and len(line.split()) <= 14


class _Blocks:
    """Markdown lines grouped into blocks of ``(start, end)`` text segments."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.out: list[tuple[str, int, list[tuple[int, int]]]] = []  # kind, line, segments
        self.cur: list[tuple[int, int]] | None = None
        self.kind = "para"
        self.line = 0
        self.prev: tuple[int, int] | None = None  # the body of the block's last line

    def close(self) -> None:
        if self.cur:
            self.out.append((self.kind, self.line, self.cur))
        self.cur = None
        self.prev = None

    def starts_new(self, kind: str | None, body: str) -> bool:
        """Does a line of this ``kind`` (None: plain text) start a new block?"""
        if self.cur is None or kind in ("heading", "item"):
            return True
        if (kind == "quote") != (self.kind == "quote"):
            return True
        if self.prev is None:
            return False
        prev = self.text[self.prev[0] : self.prev[1]]
        if prev.rstrip()[-1:] == "?":
            return True  # a question stands alone
        return _title_like(prev) and _ends_open(prev) and bool(_NEXT_START.match(body))

    def add(self, li: int, kind: str | None, line_start: int, body: int, end: int) -> None:
        """Add the text ``text[body:end]`` of line ``li`` (which starts at ``line_start``)."""
        if self.starts_new(kind, self.text[body:end]):
            self.close()
            self.cur, self.kind, self.line = [], kind or "para", li
        elif self.cur:
            self.cur.append((line_start - 1, line_start - 1))  # the line break: a space
        assert self.cur is not None
        _inline(self.text, body, end, self.cur)
        self.prev = (body, end)
        if kind == "heading":
            self.close()


def _classify(line: str) -> tuple[str | None, int]:
    """The kind of a Markdown line (None: plain text) and where its text starts."""
    kind = None
    body = 0
    m = _QUOTE.match(line)
    if m:
        kind, body = "quote", m.end()
    rest = line[body:]
    m = _HEADING.match(rest)
    if m:
        return "heading", body + m.end()
    m = _ITEM.match(rest)
    if m:
        return "item", body + m.end()
    if _QA.match(rest):
        return kind or "para", -1 - body  # a "Q:" / "A:" label starts a block
    return kind, body


def _blocks(text: str) -> list[tuple[str, int, list[tuple[int, int]]]]:
    """The text's blocks: ``(kind, first line, text segments)``."""
    blocks = _Blocks(text)
    in_fence = False
    for li, (ls, le) in enumerate(_lines(text)):
        line = text[ls:le]
        if _FENCE.match(line):
            in_fence = not in_fence
            blocks.close()
            continue
        if in_fence:
            continue
        if not line.strip() or _RULE.match(line) or _TABLE_SEP.match(line):
            blocks.close()
            continue
        if _SETEXT.match(line) and blocks.cur is not None and blocks.prev is not None:
            blocks.kind = "heading"  # the line before was a heading
            blocks.close()
            continue
        kind, body = _classify(line)
        if body < 0:  # a "Q:" / "A:" label
            blocks.close()
            body = -1 - body
        end = le
        if kind == "heading":
            tail = _HEADING_TAIL.search(text, ls + body, le)
            end = tail.start() if tail else le
        blocks.add(li, kind, ls, ls + body, end)
    blocks.close()
    return blocks.out


def _plain_text(
    text: str, raw_blocks: list[tuple[str, int, list[tuple[int, int]]]]
) -> tuple[str, tuple[list[int], list[int], list[bool]], list[Block]]:
    """The plain text, its offset map and blocks.

    The map is a list of runs: plain[p] for p in run k comes from
    ``text[orig[k] + (p - start[k])]`` when copied, from ``text[orig[k]]`` otherwise.
    """
    parts: list[str] = []
    run_start: list[int] = []
    run_orig: list[int] = []
    copied: list[bool] = []
    blocks: list[Block] = []
    size = 0
    last = -1  # the original offset of the last plain character

    def put(piece: str, orig: int, is_copy: bool) -> None:
        nonlocal size
        parts.append(piece)
        run_start.append(size)
        run_orig.append(orig)
        copied.append(is_copy)
        size += len(piece)

    for bi, (kind, line_no, segs) in enumerate(raw_blocks):
        if bi:
            put("\n\n", last + 1, False)
            last += 1
        start = size
        for s, e in segs:
            if s == e:  # a space for a line break or a table pipe
                put(" ", max(s, 0), False)
                last = max(s, 0)
            else:
                put(text[s:e], s, True)
                last = e - 1
        blocks.append(Block(kind, start, size, line_no))
    run_start.append(size)  # sentinel for end offsets
    run_orig.append(len(text))
    copied.append(False)
    plain = "".join(parts).replace("\r", " ").replace("\t", " ")
    return plain, (run_start, run_orig, copied), blocks


def parse(text: str) -> Doc:
    """Parse ``text`` (plain text or Markdown) into a :class:`Doc`."""
    plain, runs, blocks = _plain_text(text, _blocks(text))
    doc = Doc(text=text, plain=plain, runs=runs, blocks=blocks)
    for m in WORD.finditer(plain):
        doc.starts.append(m.start())
        doc.ends.append(m.end())
        doc.lows.append(m.group().lower())
    _split_sentences(doc)
    return doc


def _split_sentences(doc: Doc) -> None:
    """Cut each block into sentences; set ``sentences``, ``sent_starts`` and
    ``block_sentences``."""
    plain = doc.plain
    cuts: list[list[int]] = [[b.start] for b in doc.blocks]
    block_starts = [b.start for b in doc.blocks]
    for m in _CUT.finditer(plain):
        dot, end = m.start(), m.end()
        bi = bisect_right(block_starts, dot) - 1
        b = doc.blocks[bi]
        if b.kind == "heading" or end >= b.end or not _NEXT_START.match(plain, end, b.end):
            continue  # no sentence starts after it inside the block
        if plain[dot] == "." and _abbreviation_stop(plain, b.start, dot, end):
            continue
        cuts[bi].append(end)
    for bi, b in enumerate(doc.blocks):
        mine: list[int] = []
        bounds = [*cuts[bi], b.end]
        for s, e in zip(bounds, bounds[1:], strict=False):
            piece = plain[s:e]
            text = piece.strip()
            if not text:
                continue
            s += len(piece) - len(piece.lstrip())
            e = s + len(text)
            mine.append(len(doc.sentences))
            doc.sent_starts.append(s)
            doc.sentences.append(Sentence(s, e, bi, doc.word_at(s), doc.word_at(e), text))
        doc.block_sentences.append(mine)


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
    return [m.group().lower() for m in WORD.finditer(text)]
