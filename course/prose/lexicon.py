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

import re
from functools import cache

NUMBER_WORDS = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy "
    "eighty ninety hundred thousand million billion dozen half"
).split()
NUMBER_RE = r"(?:[$€£]?\d[\d,]*(?:\.\d+)?(?:%|k|m|x)?|" + "|".join(NUMBER_WORDS) + r")"


@cache
def _sections(name: str) -> dict[str, list[tuple[str, str]]]:
    """Parse ``data/<name>.txt`` into ``{section: [(entry, advice), ...]}``."""
    from importlib.resources import files

    raw = files("course.prose").joinpath("data").joinpath(f"{name}.txt").read_text(encoding="utf-8")
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
    """The advice attached to the entry that matches ``matched`` exactly."""
    for pat, text in advice(name, section):
        if pat.fullmatch(matched):
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


@cache
def _index(
    name: str, section: str
) -> tuple[
    dict[str, list[re.Pattern[str]]],
    dict[str, list[tuple[str, re.Pattern[str]]]],
    tuple[re.Pattern[str], ...],
    re.Pattern[str] | None,
]:
    """Entries indexed by their leading word, so a text is scanned word by word."""
    exact: dict[str, list[re.Pattern[str]]] = {}
    prefix: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    number: list[re.Pattern[str]] = []
    other: list[str] = []
    for e in phrases(name, section):
        body = _entry_pattern(e)
        if e.startswith("{n}"):
            number.append(re.compile(body, re.IGNORECASE))
            continue
        m = _LEAD.match(e)
        if not m:
            other.append(body)
            continue
        lead = m.group()
        pat = re.compile(body, re.IGNORECASE)
        if e[m.end() : m.end() + 1] == "*":
            prefix.setdefault(lead[:3], []).append((lead, pat))
        else:
            exact.setdefault(lead, []).append(pat)
    rest = re.compile("|".join(f"(?:{p})" for p in other), re.IGNORECASE) if other else None
    return exact, prefix, tuple(number), rest


class TokenIndex:
    """Where each leading word occurs in a text (built once per text)."""

    def __init__(self, plain: str, words: list[tuple[int, int, str]]) -> None:
        self.plain = plain
        self.lead: dict[str, list[int]] = {}
        self.numbers: list[int] = []
        lead_of = self.lead
        for s, _e, low in words:
            if low.isalnum():
                key = low
            else:
                m = _LEAD.match(low)
                key = m.group() if m else ""
            if key:
                if key in lead_of:
                    lead_of[key].append(s)
                else:
                    lead_of[key] = [s]
            c = low[0]
            if c.isdigit() or c in "$€£" or low in _NUMBER_SET:
                self.numbers.append(s)
        self.by3: dict[str, list[str]] = {}
        for lead in self.lead:
            self.by3.setdefault(lead[:3], []).append(lead)


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
    best: dict[int, int] = {}

    def attempt(pat: re.Pattern[str], pos: int) -> None:
        m = pat.match(plain, pos)
        if m and m.end() > best.get(pos, -1):
            best[pos] = m.end()

    for lead, pats in exact.items():
        for pos in idx.lead.get(lead, ()):
            for pat in pats:
                attempt(pat, pos)
    for key, entries in prefix.items():
        for lead in idx.by3.get(key, ()):
            for pre, pat in entries:
                if lead.startswith(pre):
                    for pos in idx.lead[lead]:
                        attempt(pat, pos)
    if number:
        for pos in idx.numbers:
            for pat in number:
                attempt(pat, pos)
    if rest is not None:
        for m in rest.finditer(plain):
            if m.end() > best.get(m.start(), -1):
                best[m.start()] = m.end()
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
