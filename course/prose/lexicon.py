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
from functools import cache

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
    fast = len(low) == len(matched) and not _ODD_FOLD.search(matched)
    for e, text in _sections(name)[section]:
        prog = _program(e)
        if fast and prog is not None:
            hit = _run(prog, low, matched, 0, True) == len(low)
        else:
            hit = _compiled(e).fullmatch(matched) is not None
        if hit:
            return text or default
    return default


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
# Characters that re.IGNORECASE matches differently from str.lower() (dotted and dotless i,
# long s, Kelvin sign): a text holding one is matched with the compiled patterns instead.
_ODD_FOLD = re.compile("[\u0130\u0131\u017f\u212a]")
_WORDCHARS = "_'’-"
# every character str.isspace() (and so the regex "\s") accepts
_SPACES = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + "\u2028\u2029\u202f\u205f\u3000"
)
_TO_SPACE = str.maketrans(dict.fromkeys(_SPACES, " "))

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
    for w in NUMBER_WORDS:
        if low.startswith(w, p):
            yield p + len(w)


def _isword(c: str) -> bool:
    return c.isalnum() or c == "_" or c == "-"


def _run(
    prog: Program, low: str, plain: str, pos: int, full: bool = False, idx: TokenIndex | None = None
) -> int:
    """End of the entry's match at ``pos`` (like ``pattern.match``), or -1.

    ``idx`` (the text's :class:`TokenIndex`) caches where the numbers of the text end.
    """
    lead, trail, pieces = prog
    if lead and pos > 0 and _isword(plain[pos - 1]):
        return -1
    n = len(low)

    def go(i: int, p: int) -> int:
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
                    end = go(i + 1, e)
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

    return go(0, pos)


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


@cache
def _index(
    name: str, section: str
) -> tuple[
    dict[str, Bucketed],
    dict[str, list[tuple[str, Indexed]]],
    tuple[str, ...],
    tuple[str, ...],
]:
    """Entries indexed by their leading word, so a text is scanned word by word.

    Nothing is compiled here: entries are matched by :func:`_run` (or, for the rare
    entry or text the fast matcher cannot handle, by a regex compiled on first use).
    """
    exact: dict[str, list[Indexed]] = {}
    prefix: dict[str, list[tuple[str, Indexed]]] = {}
    number: list[str] = []
    other: list[str] = []
    for e in phrases(name, section):
        if e.startswith("{n}"):
            number.append(e)
            continue
        m = _LEAD.match(e)
        if not m:
            other.append(e)
            continue
        lead = m.group()
        if e[m.end() : m.end() + 1] == "*":
            prefix.setdefault(lead[:3], []).append((lead, _indexed(e)))
        else:
            exact.setdefault(lead, []).append(_indexed(e))
    split: dict[str, Bucketed] = {lead: _by_next(lead, items) for lead, items in exact.items()}
    return split, prefix, tuple(number), tuple(other)


# Entries of one leading word: (entries always tried, entries by the lead of their second
# word). "the vast majority" is only tried where "the" is followed by a word "vast...".
Bucketed = tuple[list[Indexed], dict[str, list[Indexed]]]


def _by_next(lead: str, items: list[Indexed]) -> Bucketed:
    always: list[Indexed] = []
    by_next: dict[str, list[Indexed]] = {}
    if len(items) < 4:
        return items, by_next
    for item in items:
        head = item[1]
        if head is not None and head.startswith(lead + " "):
            m = _LEAD.match(head, len(lead) + 1)
            # a "*" right after the second word could make the text's word longer
            if m and (m.end() < len(head) or not item[2]):
                by_next.setdefault(m.group(), []).append(item)
                continue
        always.append(item)
    return always, by_next


class TokenIndex:
    """Where each leading word occurs in a text (built once per text)."""

    def __init__(self, plain: str, words: list[tuple[int, int, str]]) -> None:
        self.plain = plain
        lowered = plain.lower()
        # None: match with the compiled patterns (case folding differs from str.lower)
        self.low = lowered if len(lowered) == len(plain) and not _ODD_FOLD.search(plain) else None
        # whitespace as plain spaces: a phrase "a b" is then found with one startswith
        self.spaced = self.low.translate(_TO_SPACE) if self.low is not None else None
        self.lead: dict[str, list[int]] = {}
        self.numbers: list[int] = []
        lead_of = self.lead
        numbers = self.numbers
        lead_match = _LEAD.match
        for s, _e, word in words:
            if word.isalnum():
                key = word
            else:
                m = lead_match(word)
                key = m.group() if m else ""
            if key:
                if key in lead_of:
                    lead_of[key].append(s)
                else:
                    lead_of[key] = [s]
            c = word[0]
            if c.isdigit() or c in "$€£" or word in _NUMBER_SET:
                numbers.append(s)
        self._words = words
        self._next: dict[int, str] | None = None
        self.by3: dict[str, list[str]] = {}
        for lead in self.lead:
            self.by3.setdefault(lead[:3], []).append(lead)
        self._ends: dict[int, tuple[int, ...]] = {}
        self._follow: tuple[dict[str, list[tuple[int, int]]], dict[str, list[tuple[int, int]]]]
        self._follow = ({}, {})
        self._follow_done = False

    def next_leads(self) -> dict[int, str]:
        """Word start -> leading run of the next word, when only whitespace lies between."""
        nxt = self._next
        if nxt is None:
            nxt = self._next = {}
            words = self._words
            plain = self.plain
            lead_match = _LEAD.match
            for (s, e, _w), (s2, _e2, w2) in zip(words, words[1:], strict=False):
                if s2 == e + 1 or plain[e:s2].isspace():
                    if w2.isalnum():
                        nxt[s] = w2
                    else:
                        m = lead_match(w2)
                        if m:
                            nxt[s] = m.group()
        return nxt

    def num_ends(self, pos: int) -> tuple[int, ...]:
        """Where a number starting at ``pos`` may end (as NUMBER_RE tries them)."""
        ends = self._ends.get(pos)
        if ends is None:
            assert self.low is not None
            ends = self._ends[pos] = tuple(_num_ends(self.low, pos))
        return ends

    def number_candidates(self, prog: Program) -> list[int] | set[int]:
        """Number positions where a ``{n} ...`` entry can match (a necessary condition)."""
        pieces = prog[2]
        if len(pieces) < 2 or pieces[1] in ("*", "{n}"):
            return self.numbers
        low = self.low
        assert low is not None
        if not self._follow_done:
            adjacent, spaced = self._follow
            n = len(low)
            for pos in self.numbers:
                for e in self.num_ends(pos):
                    if e >= n:
                        continue
                    if low[e].isspace():
                        q = e + 1
                        while q < n and low[q].isspace():
                            q += 1
                        if q < n:
                            spaced.setdefault(low[q], []).append((pos, q))
                    else:
                        adjacent.setdefault(low[e], []).append((pos, e))
            self._follow_done = True
        if pieces[1] == " ":
            if len(pieces) < 3 or pieces[2] in ("*", "{n}", " "):
                return self.numbers
            lit, table = pieces[2], self._follow[1]
        else:
            lit, table = pieces[1], self._follow[0]
        return {pos for pos, at in table.get(lit[0], ()) if low.startswith(lit, at)}


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
    >>> [t[s:e] for s, e in find("kinds", "pr.problem", TokenIndex(d.plain, d.words))]
    ['frustrated', 'hard to']
    """
    exact, prefix, number, rest = _index(name, section)
    plain = idx.plain
    low = idx.low
    spaced = idx.spaced
    size = len(plain)
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

    def scan(items: list[Indexed], positions: list[int]) -> None:
        """Entries that start with a word: one startswith per entry and position."""
        for pos in positions:
            if pos and (plain[pos - 1].isalnum() or plain[pos - 1] in "_-"):
                continue  # every indexed entry starts with a word boundary
            for entry, head, star, trail in items:
                if head is None or spaced is None:
                    attempt(entry, pos)
                    continue
                if not spaced.startswith(head, pos):
                    if " " in head and "  " in spaced[pos : pos + len(head) + 1]:
                        attempt(entry, pos)  # "\s+" may stand for several spaces here
                    continue
                end = pos + len(head)
                if star:
                    while end < size and (spaced[end].isalnum() or spaced[end] in _WORDCHARS):
                        end += 1
                elif trail and end < size and (plain[end].isalnum() or plain[end] in "_-"):
                    continue
                if end > best.get(pos, -1):
                    best[pos] = end

    lead_of = idx.lead
    for lead, (always, by_next) in exact.items():
        positions = lead_of.get(lead)
        if not positions:
            continue
        if always:
            scan(always, positions)
        if by_next:
            nxt = idx.next_leads()
            for pos in positions:
                items = by_next.get(nxt.get(pos, ""))
                if items:
                    scan(items, [pos])
    for key, pitems in prefix.items():
        for lead in idx.by3.get(key, ()):
            for pre, item in pitems:
                if lead.startswith(pre):
                    scan([item], lead_of[lead])
    for entry in number:
        prog = _program(entry) if low is not None else None
        for pos in idx.numbers if prog is None else idx.number_candidates(prog):
            attempt(entry, pos)
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
