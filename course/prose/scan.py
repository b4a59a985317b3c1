"""Find a pattern's matches by trying it only where a match can start.

A pattern such as ``[\\dUT](?<!\\w.)...`` has candidates at every digit and capital,
so ``finditer`` tries it at most characters of a text.  When a rare literal that
every match holds (":" of "14:05", "UTC", a blame verb) tells where a match must
start, :func:`matches_at` tries the pattern only there and gives the same matches.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable


def occurrences(text: str, needle: str, start: int = 0, end: int | None = None) -> list[int]:
    """Every offset where ``needle`` starts in ``text[start:end]`` (overlaps included).

    >>> occurrences("10:05 to 10:40", ":")
    [2, 11]
    >>> occurrences("aaa", "aa")
    [0, 1]
    """
    stop = len(text) if end is None else end
    out = []
    pos = text.find(needle, start, stop)
    while pos >= 0:
        out.append(pos)
        pos = text.find(needle, pos + 1, stop)
    return out


def matches_at(
    pattern: re.Pattern[str],
    text: str,
    starts: Iterable[int],
    pos: int = 0,
    endpos: int | None = None,
) -> list[re.Match[str]]:
    """``list(pattern.finditer(text, pos, endpos))``, trying the pattern only at ``starts``.

    ``starts`` must hold every offset where a match of ``pattern`` can start (it may
    hold more, in any order, and offsets outside the range); the pattern must not match
    the empty string.  Like ``finditer``, later matches do not overlap earlier ones.

    >>> p = re.compile(r"\\d{1,2}:\\d{2}")
    >>> text = "At 14:05 and 9:30."
    >>> [m.group() for m in matches_at(p, text, [q - d for q in occurrences(text, ":")
    ...                                           for d in (2, 1)])]
    ['14:05', '9:30']
    >>> [m.group() for m in p.finditer(text)]
    ['14:05', '9:30']
    """
    out = []
    end = max(pos, 0)
    size = len(text) if endpos is None else min(endpos, len(text))
    match = pattern.match
    for start in sorted(set(starts)):
        if start < end or start > size:
            continue
        m = match(text, start, size)
        if m is not None:
            out.append(m)
            end = m.end()
    return out
