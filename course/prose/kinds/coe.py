"""Correction of Error: blameless, timeline, impact, root cause by asking why, actions."""

from __future__ import annotations

import re

from .. import lexicon
from ..scan import matches_at, occurrences
from ..signals import Analysis, is_verbish

MIN_WORDS = 120

# Scanning patterns start with a character class rather than "\b" so the regex engine can
# skip ahead to candidate characters; "(?<!\w.)" after the first character is the "\b".
_NAME_BLAME = re.compile(
    r"([A-Z](?<!\w.)[a-z]+)(?:'s)?\s+(?:forgot|failed to|ignored|neglected|didn't|did not|broke|"
    r"messed up|screwed up|should have|never checked|refused)\b"
)
_NOT_NAMES = frozenset(
    "the this that it we our they nobody everyone someone team service system alarm alarms "
    "deploy deployment config configuration cache database monitoring script job host hosts "
    "pipeline code test tests check process automation tool load traffic dashboard runbook "
    "canary rollback network client server query request requests retry retries".split()
)
# an owner: "owner", "owned by", @name, "Payments team", "team Blue", "(Ann," or "Ann will";
# written to start with one character class, "(?<!\w.)" after it standing for "\b"
_OWNER = re.compile(
    r"[o@A-Zt(](?:(?<=o)(?<!\w.)wn(?:er\b|ed by\b)|(?<=@)\w+"
    r"|(?<=[A-Z])(?<!\w.)(?:[A-Za-z]+ team\b|[a-z]+ (?:will|owns)\b)"
    r"|(?<=t)(?<!\w.)eam [A-Z]\w+|(?<=\()(?:[A-Z][a-z]+|[A-Z][A-Za-z]+ team)[,)])"
)
_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = r"(?:" + "|".join(_MONTH_NAMES) + r")[a-z]*"
_DUE = re.compile(
    r"\b\d{1,2} " + _MONTH + r"\b|\b" + _MONTH + r" \d{1,2}\b|"
    r"\b(?:by|due|before)\s+(?:\d|Q[1-4]|H[12]|end of|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|"
    r"oct|nov|dec)[a-z]*|next (?:week|sprint|month|quarter)|monday|tuesday|wednesday|thursday|"
    r"friday)|\b\d{4}-\d{2}-\d{2}\b|\bdue\b",
    re.IGNORECASE,
)
_MONTH_TAIL = (  # the rest of a month name after its first letter
    r"(?:(?<=j)(?:an|un|ul)|(?<=f)eb|(?<=m)(?:ar|ay)|(?<=a)(?:pr|ug)|(?<=s)ep|(?<=o)ct"
    r"|(?<=n)ov|(?<=d)ec)[a-z]*"
)
# _DUE for lower-case text, written to start with one character class (and "(?<!\w.)"
# after it for the leading "\b") so that the regex engine can skip to candidates
_DUE_LOWER = re.compile(
    r"[\dabdfjmnos](?<!\w.)(?:"
    r"(?<=\d)(?:\d? " + _MONTH + r"\b|\d{3}-\d{2}-\d{2}\b)"
    r"|" + _MONTH_TAIL + r" \d{1,2}\b"
    r"|(?:(?<=b)(?:y|efore)|(?<=d)ue)\s+(?:\d|q[1-4]|h[12]|end of|" + _MONTH + r"|next (?:week"
    r"|sprint|month|quarter)|monday|tuesday|wednesday|thursday|friday)"
    r"|(?<=d)ue\b)"
)
# "Pricing platform team: add ..." -- a short label before a colon at the start of a unit
_LABEL = re.compile(
    r"^\s*(?:\d{1,3}[.)]\s*)?(?:action(?: item)?\s*\d*\s*[:.)-]\s*)?"
    r"([A-Za-z][\w&/'’.-]*(?:[ \t]+[\w&/'’.-]+){0,4})[ \t]*:\s*\S",
    re.IGNORECASE,
)
# the verbs of _NAME_BLAME (one must occur for it to match)
_BLAME_VERBS = (
    "forgot",
    "failed to",
    "ignored",
    "neglected",
    "didn't",
    "did not",
    "broke",
    "messed up",
    "screwed up",
    "should have",
    "never checked",
    "refused",
)
# each verb -> the leading run of its first word ("didn" for "didn't")
_BLAME_LEADS = {verb: lexicon.lead_of(verb) for verb in _BLAME_VERBS}
# A match of _OWNER holds one of these; of _DUE, a digit or one of _DUE_WORDS
_OWNER_NEEDLES = ("owne", "@", "team", "(", "will", "owns")
_DUE_WORDS = ("by", "due", "before")
_DIGIT = re.compile(r"\d")
_ASCII_DIGIT = re.compile(r"[0-9]")  # _DIGIT for ASCII text (faster)
_ASCII_DIGIT_DASH = re.compile(r"[0-9]-")  # an ASCII "2025-03-14" holds one
_FIVE_WHYS = re.compile(r"\b(?:5|five) whys\b", re.IGNORECASE)
_TIMESTAMP = re.compile(  # 14:05, UTC, 2025-03-14, T+5
    r"[\dUT](?<!\w.)(?:(?<=\d)(?:\d?:\d{2}\b|\d{3}-\d{2}-\d{2}\b)|(?<=U)TC\b|(?<=T)\+\d+)"
)
_ACTION_CUE = re.compile(r"\bwill\b|\baction|\bowner\b|\bdue\b", re.IGNORECASE)
# Where a paragraph is cut into clauses: at ";", after ")" (and an optional "," or ".",
# and an optional "and"), and after a sentence mark.  Each match starts at a rare
# character: the ";" the cut removes, or the ")" or mark right before the text it
# removes (that character stays in the clause before; see _split_units).
_UNIT_CUT = re.compile(r";|\)(?:[,.]\s+|\s+)(?:and\s+)?|[.!?]\s+")
_WHY = re.compile(r"^\s*(?:\d+[.)]\s*)?(?:why\b|because\b)", re.IGNORECASE)


def owner_label(unit: str) -> str | None:
    """The team or role a unit starts with, as in "Pricing platform team: add ..., due ...".

    >>> owner_label("Pricing platform team: add a limit, due 2025-03-14")
    'Pricing platform team'
    >>> owner_label("On-call lead: page the DBA") , owner_label("Root cause: no limit.")
    ('On-call lead', None)
    """
    m = _LABEL.match(unit) if ":" in unit else None
    if not m:
        return None
    roles = lexicon.words("kinds", "coe.owner_roles")
    label = m.group(1)
    if any(w in roles for w in label.lower().split()):
        return label
    return None


def _is_due(unit: str, exact_fold: bool) -> bool:
    """Does ``unit`` give a due date (does :data:`_DUE` match it)?

    ``exact_fold``: ``unit.lower()`` folds case as the regex does (see
    ``Analysis.exact_fold``), so the faster lower-case pattern may be used.

    >>> _is_due("Owner: Offers team. Due: 2024-03-29.", True), _is_due("Add an alarm.", True)
    (True, False)
    """
    if not exact_fold:
        return _DUE.search(unit) is not None
    low = unit.lower()
    # ("in" tests: a call of low.find or low.__contains__ costs more than the search)
    words = (
        [p for p in map(low.find, _DUE_WORDS) if p >= 0]
        if "by" in low or "due" in low or "before" in low
        else []
    )
    is_ascii = low.isascii()
    # without "by", "due" or "before" only a date matches: a day next to a month name, or
    # 2025-03-14 (a timeline entry such as "14:02 ..." is neither); the substring tests
    # come first, a regex search over the whole unit costs more
    if (
        not words
        and not _names_a_month(low)
        and ("-" not in low or is_ascii and _ASCII_DIGIT_DASH.search(low) is None)
    ):
        return False
    digit = (_ASCII_DIGIT if is_ascii else _DIGIT).search(low)  # (the same first digit)
    if not words and digit is None:
        return False  # a date holds a digit
    # a match starts at one of those words, at a digit, or at the month name right before
    # a day ("june 16"): not before the word that ends a space before the first digit
    start = min(words, default=len(low))
    if digit is not None:
        start = min(start, low.rfind(" ", 0, max(digit.start() - 1, 0)) + 1)
    return _DUE_LOWER.search(low, start) is not None


def _split_units(text: str) -> list[str]:
    r"""A paragraph cut into clauses that may each be an action item: as
    ``re.split(r";|(?<=\))[,.]?\s+(?:and\s+)?|(?<=[.!?])\s+", text)``, but much faster
    (the cut pattern starts with a rare character).

    >>> _split_units("Add a limit (Ann); and alert (Ops), and then page. Done")
    ['Add a limit (Ann)', ' and alert (Ops)', 'then page.', 'Done']
    """
    out = []
    pos = 0
    for m in _UNIT_CUT.finditer(text):
        start = m.start()
        if text[start] != ";":
            start += 1  # keep the ")" or the mark
        out.append(text[pos:start])
        pos = m.end()
    out.append(text[pos:])
    return out


def _may_name_owner(unit: str) -> bool:
    """Does ``unit`` hold one of :data:`_OWNER_NEEDLES` (as a match of _OWNER does)?  An
    ``in`` test each, written out: cheaper than ``any(map(unit.__contains__, ...))``.

    >>> _may_name_owner("Owner: Offers team"), _may_name_owner("Add an alarm.")
    (True, False)
    """
    return (
        "owne" in unit
        or "@" in unit
        or "team" in unit
        or "(" in unit
        or "will" in unit
        or "owns" in unit
    )


def _names_a_month(low: str) -> bool:
    """Does ``low`` hold one of :data:`_MONTH_NAMES` (an ``in`` test each, written out:
    much cheaper than ``any(map(low.__contains__, _MONTH_NAMES))``)?

    >>> [_names_a_month(m) for m in _MONTH_NAMES] == [True] * 12, _names_a_month("14:05")
    (True, False)
    """
    return (
        "jan" in low
        or "feb" in low
        or "mar" in low
        or "apr" in low
        or "may" in low
        or "jun" in low
        or "jul" in low
        or "aug" in low
        or "sep" in low
        or "oct" in low
        or "nov" in low
        or "dec" in low
    )


def _timestamp_starts(plain: str) -> list[int]:
    """Where a :data:`_TIMESTAMP` match can start: before a ":" or "-" that follows a
    digit (14:05, 2025-03-14), at "UTC" and at "T+".

    >>> t = "At 9:05 UTC (T+3) on 2025-03-14 the well-known alarm fired."
    >>> [m.group() for m in matches_at(_TIMESTAMP, t, _timestamp_starts(t))]
    ['9:05', 'UTC', 'T+3', '2025-03-14']
    """
    out = []
    for q in occurrences(plain, ":"):
        if q and plain[q - 1].isdigit():
            out += (q - 2, q - 1)
    for q in occurrences(plain, "-"):
        if q >= 4 and plain[q - 1].isdigit():
            out.append(q - 4)
    return out + occurrences(plain, "UTC") + occurrences(plain, "T+")


def _name_blame_starts(plain: str, verb: str) -> list[int]:
    """Where a :data:`_NAME_BLAME` match ending in ``verb`` can start: the capital of the
    name before the whitespace (and an optional "'s") that precedes each ``verb``.

    >>> t = "Then Ann's  forgot it; Bob forgot nothing."
    >>> [t[p : p + 3] for p in _name_blame_starts(t, "forgot")]
    ['Ann', 'Bob']
    """
    out = []
    for q in occurrences(plain, verb):
        j = q
        while j > 0 and plain[j - 1].isspace():
            j -= 1
        if j == q:
            continue
        if plain[j - 2 : j] == "'s":
            j -= 2
        k = j
        while k > 0 and "a" <= plain[k - 1] <= "z":
            k -= 1
        if k < j:
            out.append(k - 1)
    return out


def check(a: Analysis) -> None:
    """Add the COE signals, components and findings to ``a``."""
    doc = a.doc
    plain = doc.plain

    blame = 0
    for s, e, _si in a.matches("kinds", "coe.blame_phrases"):
        phrase = plain[s:e]
        tip = lexicon.advice_for("kinds", "coe.blame_phrases", phrase, "describe the system")
        blame += 1
        a.add("blame", f"'{phrase}' assigns blame: {tip}.", s, e, "error")
    fw = lexicon.words("language", "function_words")
    # (every match ends in a blame verb, a whole word: try the pattern only before one,
    # and look for a verb only when a word with its leading run occurs)
    has = a.token_index().has_lead
    starts = [
        p
        for verb, lead in _BLAME_LEADS.items()
        if has(lead)
        for p in _name_blame_starts(plain, verb)
    ]
    for m in matches_at(_NAME_BLAME, plain, starts):
        name = m.group(1)
        low = name.lower()
        if low in fw or low in _NOT_NAMES or is_verbish(low):
            continue
        blame += 1
        a.add(
            "blame",
            f"This names {name} as the cause; describe what in the system or process "
            "allowed the mistake.",
            m.start(),
            m.end(),
            "error",
        )

    timeline = set()
    for m in matches_at(_TIMESTAMP, plain, _timestamp_starts(plain)):
        si = doc.sentence_at(m.start())
        info = a.sents[si]
        if info.verb and info.n >= 3 and not info.duplicate:
            timeline.add(si)
    numbers = a.number_sentences()
    impact = a.sentences_with("kinds", "coe.impact") & numbers
    why_steps = 0  # a "why" (question or "because") followed by an answer in a real sentence
    sents = doc.sentences
    for si, s in enumerate(sents):
        first = s.text[:1]  # (sentences are stripped) a cheap pre-check for _WHY
        if first not in "wWbB" and not first.isdigit():
            continue
        if a.sents[si].duplicate or not _WHY.match(s.text):
            continue
        if not s.text.endswith("?"):
            why_steps += a.sents[si].prose
        elif si + 1 < len(sents) and a.sents[si + 1].prose and not a.sents[si + 1].question:
            why_steps += 1
    causal = a.sentences_with("kinds", "coe.root_cause")
    root_named = any(
        "root cause" in plain[s:e].lower() for s, e, _ in a.matches("kinds", "coe.root_cause")
    )
    if a.exact_fold:  # "5 whys", "five whys": try the pattern only before "whys"
        whys = occurrences(a.low, "whys")
        five_whys = bool(matches_at(_FIVE_WHYS, plain, [q - d for q in whys for d in (2, 5)]))
    else:
        five_whys = bool(_FIVE_WHYS.search(plain))
    steps = max(why_steps, len(causal))

    actions = []  # (unit text, has owner, has due date)
    # the blocks with a prose sentence (one pass, instead of a test per block)
    prose_blocks = {s.block for s, info in zip(sents, a.sents, strict=True) if info.prose}
    for bi, b in enumerate(doc.blocks):
        if b.kind == "heading" or bi not in prose_blocks:
            continue
        text = plain[b.start : b.end]
        if b.kind == "item":
            units = [text]
        else:
            if a.exact_fold:  # ("in" tests on the lower-cased block before the regex)
                low = a.low[b.start : b.end]
                cue = "will" in low or "action" in low or "owner" in low or "due" in low
                cue = cue and bool(_ACTION_CUE.search(text))
            else:
                cue = bool(_ACTION_CUE.search(text))
            if not cue and ":" not in text:
                continue  # neither an action cue nor an owner label ("Team: do X")
            units = [u for u in _split_units(text) if u.strip()]
            if not cue and not any(owner_label(u) for u in units):
                continue
        for u in units:
            owner = (
                _may_name_owner(u) and bool(_OWNER.search(u))
            ) or owner_label(u) is not None
            due = _is_due(u, a.exact_fold)
            if owner or due:
                actions.append((u, owner, due))
    complete = [x for x in actions if x[1] and x[2]]
    process = a.sentences_with("kinds", "coe.process")

    a.signals.update(
        blame_phrases=blame,
        timeline_entries=len(timeline),
        impact_statements=len(impact),
        why_steps=steps,
        root_cause_named=root_named,
        five_whys=five_whys,
        action_items=len(actions),
        action_items_with_owner_and_date=len(complete),
        process_language=len(process),
    )
    a.component("blameless", 1.0 - 0.5 * blame, 0.15)
    a.component("timeline", len(timeline) / 4, 0.2)
    a.component("customer_impact", len(impact) / 2, 0.2)
    a.component(
        "root_cause",
        0.3 * (root_named or five_whys) + 0.7 * min(steps / 4, 1.0),
        0.2,
    )
    a.component("action_items", min(len(complete) / 3, 1) * 0.8 + 0.2 * min(len(actions), 1), 0.2)
    a.component("process_focus", len(process) / 3, 0.05)
    if blame:
        a.penalties["blame"] = min(0.08 * blame, 0.2)

    if len(timeline) < 3:
        a.add_doc("no_timeline", "Add a timeline with timestamps and time zone (14:05 UTC ...).")
    if not impact:
        a.add_doc(
            "no_impact",
            "Quantify customer impact: how many customers or orders, error rate, for how long.",
        )
    if steps < 3:
        a.add_doc(
            "shallow_root_cause",
            "Keep asking why until you reach a process or system cause; show each step.",
        )
    if len(complete) < len(actions) or not actions:
        a.add_doc(
            "action_items",
            "Give every action item an owner (a team or person) and a due date.",
        )
