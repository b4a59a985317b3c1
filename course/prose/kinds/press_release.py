"""Press release: sections found by what each paragraph does, length, customer language.

Sections are detected from position (headline first, call to action last),
quotation marks with an attribution ("said", a dash and a name), problem and
solution wording, "today announced", "to get started" and links.  Markdown
headings are only an extra hint.
"""

from __future__ import annotations

import re

from .. import lexicon
from ..signals import Analysis

MIN_WORDS = 220
MAX_WORDS = 600
SECTIONS = (
    "headline",
    "subheading",
    "summary",
    "problem",
    "solution",
    "leader_quote",
    "getting_started",
    "customer_quote",
    "call_to_action",
    "faq",
)
CORE = SECTIONS[:-1]
ADVICE = {
    "headline": "Start with a headline that names the product in words customers use.",
    "subheading": "Add a one-sentence subheading: who it is for and what they gain.",
    "summary": "Add a summary paragraph (city, date, 'today announced', what and for whom).",
    "problem": "Describe the customer's problem in their terms before the solution.",
    "solution": "Explain how the product solves that problem for the customer.",
    "leader_quote": "Add a quote from a company leader on why this matters to customers.",
    "getting_started": "Say how a customer gets started, in one or two concrete steps.",
    "customer_quote": "Add a quote from a (hypothetical) customer on what changed for them.",
    "call_to_action": "Close with a call to action: where to go to try it or learn more.",
}
_GENERIC_TITLES = frozenset(
    "press release|pr|pr/faq|pr-faq|prfaq|working backwards|draft|the press release|"
    "internal press release|pr faq".split("|")
)
_HINTS = (
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


# _HINTS as lower-case substrings (the same matches, found without a regex per heading)
_HINT_WORDS = (
    (("frequently asked", "questions"), "faq"),
    (("problem", "pain", "challenge"), "problem"),
    (("solution", "how it works"), "solution"),
    (
        ("customer quote", "customer testimonial", "customer says", "what customers say"),
        "customer_quote",
    ),
    (("leader", "executive", "quote"), "leader_quote"),
    (("get started", "getting started", "how to start", "availability"), "getting_started"),
    (("call to action", "learn more", "next steps"), "call_to_action"),
    (("summary", "overview", "announcement"), "summary"),
    (("subheading", "sub-heading", "subtitle", "sub-title"), "subheading"),
)
_FAQ_WORD = re.compile(r"\bfaqs?\b")


def _section_hint(heading: str) -> str | None:
    """The section a heading names, if any.

    >>> _section_hint("## The customer's PAIN"), _section_hint("FAQs"), _section_hint("Launch")
    ('problem', 'faq', None)
    """
    low = heading.lower()
    if not lexicon.folds_exactly(heading, low):
        for pat, name in _HINTS:  # case folding differs from str.lower(): use the regexes
            if pat.search(heading):
                return name
        return None
    for words, name in _HINT_WORDS:
        if any(map(low.__contains__, words)) or (name == "faq" and _FAQ_WORD.search(low)):
            return name
    return None


def check(a: Analysis) -> None:
    """Add the press-release signals, components and findings to ``a``."""
    doc = a.doc
    plain = doc.plain
    blocks = doc.blocks
    found: dict[str, int] = {}  # section -> block index where found

    # the press release body ends where an FAQ starts
    body_end = len(blocks)
    heading_hint: dict[int, str | None] = {}  # heading block -> the section it names
    for bi, b in enumerate(blocks):
        if b.kind != "heading":
            continue
        heading_hint[bi] = _section_hint(plain[b.start : b.end])
        if heading_hint[bi] == "faq" and bi > 0:
            body_end = bi
            found["faq"] = bi
            break
    if "faq" not in found:
        questions = [
            bi for bi, b in enumerate(blocks) if plain[b.start : b.end].rstrip().endswith("?")
        ]
        if len(questions) >= 2:
            found["faq"] = questions[0]
            body_end = questions[0]

    hint: dict[int, str] = {}
    content: list[int] = []  # body blocks that are not headings
    for bi in range(body_end):
        b = blocks[bi]
        text = plain[b.start : b.end].strip()
        if b.kind == "heading":
            name = heading_hint[bi]  # (every heading before body_end has its hint)
            if name and bi + 1 < body_end and len(text.split()) <= 6:
                hint[bi + 1] = name
            continue
        content.append(bi)

    announce_b = a.block_matches("kinds", "pr.announce")
    # headline and subheading: the first short lines
    first = [bi for bi in range(body_end)]
    while (
        first
        and plain[blocks[first[0]].start : blocks[first[0]].end].strip().lower().strip("#*: ")
        in _GENERIC_TITLES
    ):
        first.pop(0)
    if first:
        b = blocks[first[0]]
        n = len(plain[b.start : b.end].split())
        if n <= 20 and not _DATELINE.match(plain[b.start : b.end]) or b.kind == "heading":
            found["headline"] = first[0]
            if len(first) > 1:
                b2 = blocks[first[1]]
                t2 = plain[b2.start : b2.end]
                if (
                    len(t2.split()) <= 45
                    and len(_sentences_in(a, first[1])) <= 2
                    and not _DATELINE.match(t2)
                    and first[1] not in announce_b
                    and hint.get(first[1]) in (None, "subheading")
                ):
                    found["subheading"] = first[1]
    taken = {found.get("headline"), found.get("subheading")}
    prose_blocks = {doc.sentences[si].block for si, i in enumerate(a.sents) if i.prose}
    body = [bi for bi in content if bi not in taken and bi in prose_blocks]

    for bi in body[:3]:
        t = plain[blocks[bi].start : blocks[bi].end]
        if _DATELINE.match(t) or bi in announce_b:
            found.setdefault("summary", bi)
            break

    # quotes
    quotes: list[tuple[int, str, str]] = []  # block, quote text, rest of block
    quote_spans: dict[int, list[tuple[int, int]]] = {}
    for bi in body:
        t = plain[blocks[bi].start : blocks[bi].end]
        qs = list(_QUOTE.finditer(t))
        base = blocks[bi].start
        quote_spans[bi] = [(base + m.start(), base + m.end()) for m in qs]
        if qs and (_ATTRIB.search(t) or blocks[bi].kind == "quote"):
            quote_text = " ".join(m.group(1) for m in qs)
            quotes.append((bi, quote_text, _QUOTE.sub(" ", t)))  # (and the rest of the block)
        elif blocks[bi].kind == "quote" and len(t.split()) >= 8:
            quotes.append((bi, t, ""))
    company = _company(a, found.get("summary"), found.get("headline"))
    leader_b = a.block_matches("kinds", "pr.leader_title")
    customer_b = a.block_matches("kinds", "pr.customer_title")
    roles: list[tuple[int, str]] = []
    for order, (bi, qt, rest) in enumerate(quotes):
        inside = quote_spans.get(bi, [])
        lead = 2 * _outside(leader_b.get(bi, []), inside) + bool(_WE.search(qt))
        cust = 2 * _outside(customer_b.get(bi, []), inside) + bool(_FIRST_PERSON.search(qt))
        if company and company.lower() in rest.lower():
            lead += 2
        if hint.get(bi) in ("leader_quote", "customer_quote"):
            roles.append((bi, hint[bi]))
            continue
        if lead > cust:
            roles.append((bi, "leader_quote"))
        elif cust > lead:
            roles.append((bi, "customer_quote"))
        else:
            roles.append((bi, "leader_quote" if order == 0 else "customer_quote"))
    for bi, role in roles:
        if role in found:
            other = "customer_quote" if role == "leader_quote" else "leader_quote"
            found.setdefault(other, bi)
        else:
            found[role] = bi
    quote_blocks = {bi for bi, _, _ in quotes}

    problem_b = a.block_matches("kinds", "pr.problem")
    solution_b = a.block_matches("kinds", "pr.solution")
    start_b = a.block_matches("kinds", "pr.getting_started")
    cta_b = a.block_matches("kinds", "pr.cta")
    tail = set(body[-2:])
    for bi in body:
        t = plain[blocks[bi].start : blocks[bi].end]
        n = len(t.split())
        if bi in hint:
            found.setdefault(hint[bi], bi)
        if bi in quote_blocks or n < 8:
            continue
        if len(problem_b.get(bi, ())) >= (1 if n >= 12 else 2):
            found.setdefault("problem", bi)
        if bi in solution_b and (found.get("problem", bi + 1) <= bi or n >= 20):
            found.setdefault("solution", bi)
        if bi in start_b and (
            bi not in tail or re.search(r"get(?:ting)? started|to start|step", t, re.I)
        ):
            found.setdefault("getting_started", bi)
        if bi in tail and bi in cta_b:
            found["call_to_action"] = bi
    if "call_to_action" not in found:
        # loose releases put "to learn more, visit <link>" wherever it fits
        for bi in body:
            t = plain[blocks[bi].start : blocks[bi].end]
            if bi in cta_b and re.search(r"\bvisit\b|https?://|www\.|\.com\b", t, re.I):
                found["call_to_action"] = bi
                break
    _by_position(a, found, body, quote_blocks)
    if "summary" not in found:
        # loose releases: the first substantial paragraph that restates the headline
        head = found.get("headline")
        head_words = set()
        if head is not None:
            hb = blocks[head]
            head_words = {w for w in plain[hb.start : hb.end].lower().split() if len(w) > 3}
        for bi in body[:2]:
            t = plain[blocks[bi].start : blocks[bi].end]
            if (
                bi not in quote_blocks
                and len(t.split()) >= 25
                and (
                    len(head_words & set(t.lower().split())) >= 1
                    or re.search(r"\btoday\b", t, re.I)
                )
            ):
                found["summary"] = bi
                break

    sections = [s for s in SECTIONS if s in found]
    core = [s for s in CORE if s in found]
    a.signals["sections"] = sections

    # length, customer language, jargon
    body_words = sum(a.sents[si].n for si, s in enumerate(doc.sentences) if s.block < body_end)
    customer_words = lexicon.words("kinds", "customer_words")
    cust = sum(map(customer_words.__contains__, doc.lows))
    jargon = []
    for s, e, si in a.matches("jargon", "jargon"):
        if doc.sentences[si].block < body_end:
            jargon.append((s, e))
    code_spans = a.doc.text.count("`") // 2
    numbers = a.number_sentences()
    a.signals.update(
        body_words=body_words,
        customer_words=cust,
        jargon_terms=len(jargon),
        spec_detail=len(jargon) + code_spans,
    )
    a.component("sections", len(core) / len(CORE), 0.5)
    a.component("customer_language", min(cust / 8, 1) * cust / (cust + 2 * len(jargon) or 1), 0.15)
    a.component("quantified_benefit", len(numbers) / 3, 0.15)
    if body_words <= MAX_WORDS:
        length = min(body_words / MIN_WORDS, 1)
    else:
        length = max(0.0, 1 - (body_words - MAX_WORDS) / 400)
    a.component("length", length, 0.1)
    a.component("plain_language", 1 - (len(jargon) + code_spans) / 6, 0.1)
    if len(jargon) + code_spans:
        a.penalties["jargon"] = min(0.02 * (len(jargon) + code_spans), 0.1)

    for s, e in jargon:
        a.add(
            "jargon",
            f"'{plain[s:e]}' is internal detail; say what the customer gets instead "
            "(move design detail to the internal FAQ).",
            s,
            e,
            "info",
        )
    if body_words > MAX_WORDS:
        a.add_doc(
            "too_long",
            f"The press release body has {body_words} words; cut it to one page "
            f"(under {MAX_WORDS}).",
        )
    for s in CORE:
        if s not in found:
            a.add_doc(f"missing_{s}", ADVICE[s], "info")


def _by_position(a: Analysis, found: dict[str, int], body: list[int], quotes: set[int]) -> None:
    """Loose releases: paragraphs between the summary and the first quote or call to
    action are the problem then the solution (the order of the classic template)."""
    if "problem" in found and "solution" in found:
        return
    start = found.get("summary", found.get("subheading", found.get("headline", -1)))
    ends = [
        found[k]
        for k in ("leader_quote", "customer_quote", "getting_started", "call_to_action")
        if k in found and found[k] > start
    ]
    stop = min(ends) if ends else len(a.doc.blocks)
    middle = [
        bi
        for bi in body
        if start < bi < stop
        and bi not in quotes
        and bi not in found.values()
        and len(a.doc.plain[a.doc.blocks[bi].start : a.doc.blocks[bi].end].split()) >= 12
    ]
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


def _outside(hits: list[tuple[int, int]], quotes: list[tuple[int, int]]) -> bool:
    """Is any hit outside every quotation (i.e. in the attribution)?"""
    return any(not any(qs <= s < qe for qs, qe in quotes) for s, _ in hits)


def _sentences_in(a: Analysis, bi: int) -> list[int]:
    return a.doc.block_sentences[bi]


def _company(a: Analysis, summary: int | None, headline: int | None) -> str | None:
    """The announcing organisation: the capitalised words before 'announced' / 'launches'."""
    plain = a.doc.plain
    for bi in (summary, headline):
        if bi is None:
            continue
        b = a.doc.blocks[bi]
        m = re.search(
            r"([A-Z][\w&.]*(?:\s+[A-Z][\w&.]*){0,2})\s+(?:today\s+)?"
            r"(?:announced|announces|launched|launches|introduces|unveil)",
            plain[b.start : b.end],
        )
        if m:
            name = m.group(1).split()[-1] if m.group(1).split()[0] in ("Today",) else m.group(1)
            return name
    return None
