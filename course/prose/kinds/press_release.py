"""Detector of the press-release kind: which paragraph is which section.

Sections are found from position (headline first, call to action last), quotation
marks with an attribution ("said", a dash and a name), problem and solution
wording, "today announced", "to get started" and links.  Markdown headings are
only an extra hint.  ``rules/press_release.toml`` counts and scores the result.

>>> from course.prose.analysis import Analysis
>>> from course.prose.detectors import detect
>>> detect(Analysis.of("Gift cards are here\\n\\nWe launched gift cards today."),
...        "press_release.sections:sections")
['headline', 'summary']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..analysis import Analysis
from ..detectors import detector, match_filter

SECTIONS = (
    "headline", "subheading", "summary", "problem", "solution", "leader_quote",
    "getting_started", "customer_quote", "call_to_action", "faq",
)  # fmt: skip
CORE = SECTIONS[:-1]
_GENERIC_TITLES = frozenset(
    "press release|pr|pr/faq|pr-faq|prfaq|working backwards|draft|the press release|"
    "internal press release|pr faq".split("|")
)
_HINTS = (  # what a heading names
    (re.compile(r"frequently asked|\bfaqs?\b|questions", re.I), "faq"),
    (re.compile(r"problem|pain|challenge", re.I), "problem"),
    (re.compile(r"solution|how it works", re.I), "solution"),
    (re.compile(r"customer (?:quote|testimonial|says)|what customers say", re.I), "customer_quote"),
    (re.compile(r"leader|executive|quote", re.I), "leader_quote"),
    (re.compile(r"get(?:ting)? started|how to start|availability", re.I), "getting_started"),
    (re.compile(r"call to action|learn more|next steps", re.I), "call_to_action"),
    (re.compile(r"summary|overview|announcement", re.I), "summary"),
    (re.compile(r"sub-?heading|sub-?title", re.I), "subheading"),
)
_DATELINE = re.compile(
    r"^\s*[A-Z][A-Za-z.]+(?:[ ,]+[A-Z][A-Za-z.]+){0,3}\s*(?:\(\w+\)\s*)?"
    r"(?:--|—|–|-|,\s*(?:\w+\.?\s+\d{1,2}|\d{4}|[A-Z]{2}\b))"
)
_QUOTE = re.compile(r"[“\"]([^”\"]{15,})[”\"]")
_ATTRIB = re.compile(
    r"\b(?:said|says|explains|explained|adds|added|notes|noted|according to)\b"
    r"|(?:^|[”\"]\s*)(?:--|—|–|-)\s*[A-Z]"
    r"|[”\"][,.]?\s*[A-Z][a-z]+ [A-Z][a-z]+",
)
_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I've|my|me)\b")
_WE = re.compile(r"\b(?:we|we're|we've|our)\b", re.IGNORECASE)
_STEPS = re.compile(r"get(?:ting)? started|to start|step", re.I)
_LINK = re.compile(r"\bvisit\b|https?://|www\.|\.com\b", re.I)
_TODAY = re.compile(r"\btoday\b", re.I)
_COMPANY = re.compile(
    r"([A-Z][\w&.]*(?:\s+[A-Z][\w&.]*){0,2})\s+(?:today\s+)?"
    r"(?:announced|announces|launched|launches|introduces|unveil)"
)


def section_hint(heading: str) -> str | None:
    """The section a heading names, if any.

    >>> section_hint("## The customer's PAIN"), section_hint("FAQs"), section_hint("Launch")
    ('problem', 'faq', None)
    """
    return next((name for pat, name in _HINTS if pat.search(heading)), None)


@dataclass
class _Release:
    """The blocks of a press release while its sections are being found."""

    a: Analysis
    found: dict[str, int] = field(default_factory=dict)  # section -> block index
    hint: dict[int, str] = field(default_factory=dict)  # block -> section its heading names
    body_end: int = 0  # where the FAQ starts
    body: list[int] = field(default_factory=list)  # prose blocks of the body, in order
    quotes: dict[int, tuple[str, str]] = field(default_factory=dict)  # block -> quote, rest

    def text(self, bi: int) -> str:
        return self.a.doc.block_text(bi)

    def words(self, bi: int) -> int:
        return len(self.text(bi).split())

    def matched(self, section: str) -> dict[int, list[tuple[int, int]]]:
        """The matches of ``press_release:<section>`` by block."""
        out: dict[int, list[tuple[int, int]]] = {}
        for s, e, si, _ in self.a.matches(f"press_release:{section}"):
            out.setdefault(self.a.doc.sentences[si].block, []).append((s, e))
        return out


def _find_faq(r: _Release) -> None:
    """The body ends at a heading that names the FAQ, or at the first of two questions."""
    blocks = r.a.doc.blocks
    r.body_end = len(blocks)
    for bi, b in enumerate(blocks):
        if b.kind == "heading" and section_hint(r.text(bi)) == "faq" and bi > 0:
            r.body_end = r.found["faq"] = bi
            return
    questions = [bi for bi in range(len(blocks)) if r.text(bi).rstrip().endswith("?")]
    if len(questions) >= 2:
        r.body_end = r.found["faq"] = questions[0]


def _find_head(r: _Release) -> None:
    """Headline and subheading: the first short lines (generic titles skipped)."""
    first = list(range(r.body_end))
    while first and r.text(first[0]).strip().lower().strip("#*: ") in _GENERIC_TITLES:
        first.pop(0)
    if not first:
        return
    b = r.a.doc.blocks[first[0]]
    if not (r.words(first[0]) <= 20 and not _DATELINE.match(r.text(first[0]))
            or b.kind == "heading"):
        return
    r.found["headline"] = first[0]
    if len(first) > 1:
        sub = first[1]
        if (r.words(sub) <= 45 and len(r.a.doc.block_sentences[sub]) <= 2
                and not _DATELINE.match(r.text(sub)) and sub not in r.matched("announce")
                and r.hint.get(sub) in (None, "subheading")):
            r.found["subheading"] = sub


def _find_quotes(r: _Release) -> None:
    """Quotations with an attribution (or quote blocks), as leader or customer quotes."""
    spans: dict[int, list[tuple[int, int]]] = {}
    for bi in r.body:
        t, base = r.text(bi), r.a.doc.blocks[bi].start
        qs = list(_QUOTE.finditer(t))
        spans[bi] = [(base + m.start(), base + m.end()) for m in qs]
        if qs and (_ATTRIB.search(t) or r.a.doc.blocks[bi].kind == "quote"):
            r.quotes[bi] = (" ".join(m.group(1) for m in qs), _QUOTE.sub(" ", t))
        elif r.a.doc.blocks[bi].kind == "quote" and len(t.split()) >= 8:
            r.quotes[bi] = (t, "")
    company = _company(r)
    leader, customer = r.matched("leader_title"), r.matched("customer_title")
    for order, (bi, (quote, rest)) in enumerate(r.quotes.items()):
        lead = 2 * _outside(leader.get(bi, []), spans[bi]) + bool(_WE.search(quote))
        cust = 2 * _outside(customer.get(bi, []), spans[bi]) + bool(_FIRST_PERSON.search(quote))
        if company and company.lower() in rest.lower():
            lead += 2
        if r.hint.get(bi) in ("leader_quote", "customer_quote"):
            role = r.hint[bi]
        elif lead != cust:
            role = "leader_quote" if lead > cust else "customer_quote"
        else:
            role = "leader_quote" if order == 0 else "customer_quote"
        if role in r.found:
            other = "customer_quote" if role == "leader_quote" else "leader_quote"
            r.found.setdefault(other, bi)
        else:
            r.found[role] = bi


def _find_by_wording(r: _Release) -> None:
    """Problem, solution, getting started and call to action from their word lists."""
    problem, solution = r.matched("problem"), r.matched("solution")
    start, cta = r.matched("getting_started"), r.matched("cta")
    tail = set(r.body[-2:])
    for bi in r.body:
        n = r.words(bi)
        if bi in r.hint:
            r.found.setdefault(r.hint[bi], bi)
        if bi in r.quotes or n < 8:
            continue
        if len(problem.get(bi, ())) >= (1 if n >= 12 else 2):
            r.found.setdefault("problem", bi)
        if bi in solution and (r.found.get("problem", bi + 1) <= bi or n >= 20):
            r.found.setdefault("solution", bi)
        if bi in start and (bi not in tail or _STEPS.search(r.text(bi))):
            r.found.setdefault("getting_started", bi)
        if bi in tail and bi in cta:
            r.found["call_to_action"] = bi
    if "call_to_action" not in r.found:
        # loose releases put "to learn more, visit <link>" wherever it fits
        linked = [bi for bi in r.body if bi in cta and _LINK.search(r.text(bi))]
        if linked:
            r.found["call_to_action"] = linked[0]


def _find_by_position(r: _Release) -> None:
    """Loose releases: paragraphs between the summary and the first quote or call to
    action are the problem then the solution (the order of the classic template)."""
    found = r.found
    if "problem" in found and "solution" in found:
        return
    start = found.get("summary", found.get("subheading", found.get("headline", -1)))
    ends = [found[k] for k in ("leader_quote", "customer_quote", "getting_started",
                               "call_to_action") if k in found and found[k] > start]
    stop = min(ends) if ends else len(r.a.doc.blocks)
    middle = [bi for bi in r.body if start < bi < stop and bi not in r.quotes
              and bi not in found.values() and r.words(bi) >= 12]
    if "problem" not in found and "solution" not in found:
        if len(middle) >= 2:
            found["problem"], found["solution"] = middle[0], middle[1]
    elif "problem" not in found:
        before = [bi for bi in middle if bi < found["solution"]]
        if before:
            found["problem"] = before[0]
    else:
        after = [bi for bi in middle if bi > found["problem"]]
        if after:
            found["solution"] = after[0]


def _find_summary(r: _Release) -> None:
    """The summary: a dateline or "today announced" paragraph near the top, or else the
    first long paragraph that restates the headline (loose releases)."""
    announce = r.matched("announce")
    for bi in r.body[:3]:
        if _DATELINE.match(r.text(bi)) or bi in announce:
            r.found["summary"] = bi
            return


def _find_loose_summary(r: _Release) -> None:
    if "summary" in r.found:
        return
    head = r.found.get("headline")
    head_words = set()
    if head is not None:
        head_words = {w for w in r.text(head).lower().split() if len(w) > 3}
    for bi in r.body[:2]:
        t = r.text(bi)
        if bi not in r.quotes and len(t.split()) >= 25 and (
            head_words & set(t.lower().split()) or _TODAY.search(t)
        ):
            r.found["summary"] = bi
            return


def _outside(hits: list[tuple[int, int]], quotes: list[tuple[int, int]]) -> bool:
    """Is any hit outside every quotation (i.e. in the attribution)?"""
    return any(not any(qs <= s < qe for qs, qe in quotes) for s, _ in hits)


def _company(r: _Release) -> str | None:
    """The announcing organisation: the capitalised words before 'announced' / 'launches'."""
    for bi in (r.found.get("summary"), r.found.get("headline")):
        m = _COMPANY.search(r.text(bi)) if bi is not None else None
        if m:
            words = m.group(1).split()
            return words[-1] if words[0] == "Today" else m.group(1)
    return None


def _release(a: Analysis) -> _Release:
    r = _Release(a)
    _find_faq(r)
    for bi in range(r.body_end):
        if a.doc.blocks[bi].kind == "heading":
            name = section_hint(r.text(bi))
            if name and bi + 1 < r.body_end and r.words(bi) <= 6:
                r.hint[bi + 1] = name
    _find_head(r)
    taken = {r.found.get("headline"), r.found.get("subheading")}
    prose = {a.doc.sentences[si].block for si, i in enumerate(a.sents) if i.prose}
    r.body = [bi for bi in range(r.body_end)
              if a.doc.blocks[bi].kind != "heading" and bi not in taken and bi in prose]
    _find_summary(r)
    _find_quotes(r)
    _find_by_wording(r)
    _find_by_position(r)
    _find_loose_summary(r)
    return r


@detector("press_release.sections")
def sections(a: Analysis) -> dict[str, Any]:
    """The sections found (in template order), the body's length and code spans."""
    r = _release(a)
    found = [s for s in SECTIONS if s in r.found]
    return {
        "sections": found,
        "core": sum(s in CORE for s in found),
        "body_end": r.body_end,
        "body_words": sum(i.n for s, i in zip(a.doc.sentences, a.sents, strict=True)
                          if s.block < r.body_end),
        "code_spans": a.doc.text.count("`") // 2,
    }


@match_filter("press_release.after_body")
def after_body(a: Analysis, ref: str, match: tuple[int, int, int, int]) -> bool:
    """The match is in the FAQ after the press release's body."""
    from ..detectors import detect

    return a.doc.sentences[match[2]].block >= detect(a, "press_release.sections:body_end")
