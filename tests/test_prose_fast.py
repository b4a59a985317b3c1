"""The prose checker's speed-ups find exactly what their plain definitions find.

Several patterns are written for speed: they start with one character class (so the
regex engine can skip ahead), run on lower-cased text, or are replaced by substring
tests.  Each test here compares a fast form with the plain pattern it replaces, over
every paragraph, sentence and clause of the labelled evaluation set and the sample
notebooks, plus hand-written edge cases.  A failure means the speed-up changed what a
learner is told.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

from course.prose import lexicon, scan, signals
from course.prose import text as text_module
from course.prose.kinds import coe, faq, press_release
from course.prose.text import _CUT, _NEXT_START, _TOKEN, _WORD, parse

ROOT = Path(__file__).resolve().parents[1]

EDGE_CASES = [
    "İstanbul teams use it. The SLA (service level agreement) held. NEW YORK -- We cut it.",
    "$ 5 $5 €3.2k ٣٤ x$4 a-b-c don't 12:30:11 1,000,000.5% p99.9 ’tis -x 5_000 2FA e.g. U.S.",
    "14:02 UTC: alarm. T+5 paged. 2024-03-29, x12:30, a_UTC, éUTC, 1:23 and 123:45.",
    "Bob forgot the flag. Alice's script broke prod. The team failed to check. Ann didn't.",
    "We worked with the payments team and the search and the ads teams; for Foo-bar team.",
    "Owner: Offers team. Due: 2024-03-29. By next sprint, due by Q3, before end of June.",
    "Dec 12; 12 DECEMBER; due; overdue; by\tfriday; May 2024; by h2; BY q4; sept 3.",
    "It took one hour, a dozen days, a hundred percent, half the teams, ten minutes.",
    "Really?! Yes. “Quoted.” Next. He said (so). Then... it ended! 3 a.m. Fig. 2 shows.",
    "Five whys; 5 WHYS; the owner will act; action items; (Alice, (Ops team) Team Foo Bar.",
    "one-off, twenty-one, x-one, 2,000 users, 5k, 10x, $5, ٣ teams, Seven Teams, MILLION.",
    "Ann's \t forgot; McKay broke it; x Bo's broke; Zed\nrefused; 5  whys, FIVE whys, 5whys.",
    "٣:٤٥ 1:2 123:45 12:345 -12:30 2024-1-01 12024-03-29 x2024-03-29 UTCx T+ T+12 (UTC).",
    "Why? Because. 1. Why did it fail? 2) because the cache. (Why) “Why”? WHY not? Whys.",
    "(with the Foo-bar and the x_y team) to  ads team; by a b c team; and the my team; teams",
    " a  b -c d- e--f g'h i’ $4 5% 6.7.8 x9 9x a\tb\nc a b",
    "AT&T, B2B and X-API; éSLA _API 5SLA (SLA) A&&B ÀPI QA’s KPIs API2 A1B2C Ok OK.",
    "Ping @ann; it owns nothing; Owners: (Bo) who will; the teams; owned by x.",
]


@cache
def raw_texts() -> tuple[str, ...]:
    """The edge cases, every eval answer and every sample notebook cell, as written."""
    texts = list(EDGE_CASES)
    for path in sorted((ROOT / "assets" / "prose_eval").glob("*.jsonl")):
        texts += [json.loads(line)["text"] for line in path.read_text().splitlines()]
    for path in sorted((ROOT / "assets" / "samples").rglob("*.ipynb")):
        try:
            nb = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            continue
        texts += ["".join(c.get("source", [])) for c in nb.get("cells", [])]
    return tuple(texts)


@cache
def corpus() -> tuple[str, ...]:
    """Paragraphs, sentences and clauses of every eval answer and sample notebook cell."""
    out: list[str] = []
    for t in raw_texts():
        plain = parse(t).plain
        out.append(plain)
        out += [p for p in re.split(r"(?<=[.;!?])\s+|\n\n", plain) if p.strip()]
    return tuple(dict.fromkeys(out))


def spans(pattern: re.Pattern[str], text: str) -> list[tuple[tuple[int, int], tuple]]:
    return [(m.span(), m.groups()) for m in pattern.finditer(text)]


@pytest.mark.parametrize(
    ("fast", "plain"),
    [
        (signals._ACRONYM, r"\b[A-Z][A-Z0-9&]*[A-Z][A-Z0-9&]*s?\b"),
        (
            signals._NAMED_TEAMS,
            r"\b(?:with|for|from|to|and|by|the) (?:the )?(?!my\b|our\b|own\b|same\b|whole\b)"
            r"[A-Za-z][\w-]+ (?:and (?:the )?[A-Za-z][\w-]+ )?teams?\b",
        ),
        (coe._TIMESTAMP, r"\b\d{1,2}:\d{2}\b|\bUTC\b|\b\d{4}-\d{2}-\d{2}\b|\bT\+\d+"),
        (
            coe._NAME_BLAME,
            r"\b([A-Z][a-z]+)(?:'s)?\s+(?:forgot|failed to|ignored|neglected|didn't|did not|"
            r"broke|messed up|screwed up|should have|never checked|refused)\b",
        ),
    ],
    ids=["acronym", "named_teams", "timestamp", "name_blame"],
)
def test_scanning_patterns_match_like_their_plain_form(fast: re.Pattern[str], plain: str) -> None:
    reference = re.compile(plain)
    for text in corpus():
        assert spans(fast, text) == spans(reference, text), text[:80]


def test_acronym_starts_hold_every_acronym_match() -> None:
    for text in corpus():
        starts = signals._acronym_starts(text)
        found = [m.span() for m in scan.matches_at(signals._ACRONYM, text, starts)]
        assert found == [m.span() for m in signals._ACRONYM.finditer(text)], text[:80]


def test_word_split_finds_the_same_words_as_the_word_pattern() -> None:
    for text in corpus():
        low = text.lower()
        parts = re.compile(f"({_TOKEN})").split(low)
        assert parts[1::2] == _WORD.findall(low), text[:80]


def test_runs_of_words_give_the_words_and_offsets_of_the_word_pattern() -> None:
    for text in corpus():
        low = text.lower()
        if len(low) != len(text):
            continue  # (parse uses the word pattern itself for these)
        starts, ends, words = text_module._tokenize(low)
        spans = [m.span() for m in _WORD.finditer(low)]
        assert list(zip(starts, ends, strict=True)) == spans, text[:80]
        assert words == [low[s:e] for s, e in spans], text[:80]


def test_sentence_cuts_match_end_plus_next_start() -> None:
    """_CUT is a sentence end (_END) followed by the start of the next sentence."""
    end = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s|$)")
    for text in corpus():
        expected = [
            m.end()
            for m in end.finditer(text)
            if m.end() < len(text) and _NEXT_START.match(text, m.end())
        ]
        assert [m.end() for m in _CUT.finditer(text)] == expected, text[:80]


def test_sentence_cuts_start_at_a_full_stop_or_mark() -> None:
    for text in corpus():
        stops = [i for i, c in enumerate(text) if c in ".!?"]
        found = [m.span() for m in scan.matches_at(_CUT, text, stops)]
        assert found == [m.span() for m in _CUT.finditer(text)], text[:80]


def test_cut_spans_are_the_cut_pattern_matches() -> None:
    """The cuts found without the regex are the regex's own matches (but for a mark at
    the end of a block, before a newline), and after each of them the next sentence
    starts with the character two on."""
    texts = [*corpus(), *raw_texts(), "a. B. c.  D.\tE. 'F'. (G.) H.. I?! J.\nK. L", "x. 9. $. €"]
    simple = 0
    for text in texts:
        found = text_module._cut_spans(text)
        expected = [m.span() for m in _CUT.finditer(text) if text[m.start() + 1 :][:1] != "\n"]
        assert [(s, e) for s, e, _ in found] == expected, text[:80]
        for _, end, easy in found:
            if easy:
                simple += 1
                nxt = _NEXT_START.match(text, end, end + 2)
                assert nxt is not None and nxt.end() == end + 2, text[:80]
    assert simple > 1000


def _abbreviation_stop_reference(plain: str, lo: int, dot: int, after: int) -> bool:
    """text._abbreviation_stop without its pre-check on the word before the full stop."""
    before = plain[max(lo, dot - 40) : dot].rsplit(None, 2)
    last = before[-1].lower().lstrip("(\"'“") if before else ""
    if not (last in text_module._ABBREV or (len(last) == 1 and last.isalpha())):
        return False
    nxt = _NEXT_START.match(plain, after)
    first = nxt.group()[-1] if nxt else ""
    if last in text_module._NUMBER_PREFIX:
        return first.isdigit()
    if (
        first.isupper()
        and len(before) >= 2
        and text_module._NUMBER_TOKEN.fullmatch(before[-2].lstrip("(~"))
    ):
        return False
    return True


def test_abbreviation_pre_check_changes_no_decision() -> None:
    """Skipping a word that ends in a digit or is longer than any abbreviation before a
    full stop decides every full stop as the full check does."""
    extra = "Approx. 5 teams. Dr. Lee, approxx. Then e.g. X. 3. Y. İİİİİİİ. Z. ab1. Q. (Mr. P)."
    checked = 0
    for text in [*corpus(), extra]:
        for dot in scan.occurrences(text, "."):
            n = text_module._LONGEST_ABBREV + 1
            for lo in {0, max(dot - n, 0), max(dot - 1, 0), dot}:
                got = text_module._abbreviation_stop(text, lo, dot, dot + 1)
                assert got == _abbreviation_stop_reference(text, lo, dot, dot + 1), text[:80]
                checked += 1
    assert checked > 10_000


def test_line_patterns_need_their_first_character() -> None:
    """parse() tries a Markdown line pattern only when the line's first character after
    any whitespace is one the pattern can start with."""
    needs = [
        (text_module._FENCE, text_module._FENCE_FIRST),
        (text_module._RULE, text_module._RULE_FIRST),
        (text_module._SETEXT, text_module._SETEXT_FIRST),
        (text_module._QUOTE, {">"}),
        (text_module._HEADING, {"#"}),
        (text_module._QA, text_module._QA_FIRST),
    ]
    lines = [line for t in raw_texts() for line in t.splitlines()]
    marks = "``` |~~~ x|* * *|_ _ _|- - -|===|--|> q|# h|- item|+ item|• item|1) x|٣. x|Q: x"
    marks += "|answer. y|question:z|:---|a ---"
    for space in ("", " ", "   ", "    ", "\t", "\u00a0", "\u2003"):
        lines += [space + mark for mark in [*marks.split("|"), "|---|:--:|"]]
    matched = 0
    for line in lines:
        first = line.lstrip()[:1]
        for pattern, allowed in needs:
            if pattern.match(line):
                matched += 1
                assert first in allowed, (pattern.pattern, line[:80])
        if text_module._ITEM.match(line):
            assert first in text_module._ITEM_FIRST or first.isdigit(), line[:80]
        if text_module._TABLE_SEP.match(line):
            assert "---" in line, line[:80]
    assert matched > 100


def test_faq_patterns_need_their_first_character() -> None:
    """The FAQ check tries its label and direct-answer patterns on a (stripped) sentence
    only when its first character is one they can start with."""
    needs = [
        (faq._Q_PREFIX, faq._Q_FIRST),
        (faq._A_PREFIX, faq._A_FIRST),
        (faq._DIRECT, faq._DIRECT_FIRST),
    ]
    texts = [s.text for t in raw_texts() for s in parse(t).sentences]
    texts += ["İ'll follow up.", "ı'll follow up.", "Question 3: why?", "a. yes", "NOT YET."]
    texts += ["We'll know in May.", "Yes.", "No, not yet.", "Q. Why?", "Answer: no."]
    matched = 0
    for text in texts:
        for pattern, allowed in needs:
            if pattern.match(text):
                matched += 1
                assert text[:1] in allowed, (pattern.pattern, text[:80])
    assert matched > 100


def test_markup_character_list_is_the_markup_pattern() -> None:
    listed = [chr(i) for i in range(0x110000) if text_module._MARKUP_CHARS.match(chr(i))]
    assert sorted(text_module._MARKUP_CHAR_LIST) == listed


def test_lines_starting_with_a_letter_or_digit_match_only_item_or_label_patterns() -> None:
    others = [
        text_module._FENCE,
        text_module._RULE,
        text_module._TABLE_SEP,
        text_module._SETEXT,
        text_module._QUOTE,
        text_module._HEADING,
    ]
    lines = [line for t in corpus() for line in t.splitlines()]
    lines += ["A: yes", "Q. why", "1. Step", "1) step", "2025 plan", "Ünsal said", "٣. x"]
    for line in lines:
        first = line[:1]
        if first.isalpha() or first.isdigit():
            assert not any(p.match(line) for p in others), line[:80]
            if first.isalpha():
                assert not text_module._ITEM.match(line), line[:80]
            else:
                assert not text_module._QA.match(line), line[:80]


def test_quantity_parts_match_like_the_full_pattern() -> None:
    """Each word is matched with the part of the quantity pattern for its first character."""
    parts = {"c": signals._QTY_MONEY, "d": signals._QTY_DIGIT, "l": signals._QTY_LETTER}
    assert _compare_quantity_parts(parts, corpus(), lower=False) > 10_000


def _compare_quantity_parts(parts: dict, texts, *, lower: bool) -> int:
    """Assert that at every word, the part for its first character (on the lower-cased
    text if ``lower``) finds what the full quantity pattern finds; return the words checked."""
    full = signals.quantity_pattern()
    checked = 0
    for text in texts:
        low = text.lower() if lower else text
        if lower and not lexicon.folds_exactly(text, low):
            continue  # the review uses the full pattern on such a text
        for m in _WORD.finditer(text):
            c = m.group()[0]
            part = parts["c" if c in "$€£" else "d" if c.isdigit() else "l"]
            a, b = full.match(text, m.start()), part.match(low, m.start())
            assert (a and (a.span(), a.lastgroup)) == (b and (b.span(), b.lastgroup)), text[:80]
            checked += 1
    return checked


def test_lower_case_quantity_patterns_match_like_the_full_pattern() -> None:
    """On lower-cased text the case-sensitive quantity parts find the same quantities."""
    parts = {
        "c": signals._QTY_MONEY_LOW,
        "d": signals._QTY_DIGIT_LOW,
        "l": signals._QTY_LETTER_LOW,
    }
    extra = ["Q3 FY25 P99 p50 H1 5 µs 5 μs 5 ΜS 4 MS 30 SECONDS 2 Percent $4 MILLION Jan 5"]
    assert _compare_quantity_parts(parts, [*corpus(), *extra], lower=True) > 10_000
    for pattern in parts.values():  # nothing upper-case is left to match
        assert not re.search(r"(?<!\\)[A-Z]", pattern.pattern.replace("(?P<", "")), pattern


def test_possessive_quantity_patterns_match_like_their_backtracking_form() -> None:
    """The "++", "*+" and "?+" in the quantity patterns (no backtracking into a number
    where no later part could match what it gives back) change no match."""
    fast = signals.quantity_pattern()
    plain = re.compile(re.sub(r"(?<=[*+?}])\+", "", fast.pattern), fast.flags)
    assert plain.pattern.count("+") < fast.pattern.count("+")
    extra = [
        "1,000, then 12,5 percent, 3.5.6 ms, 10 ,000 dollars, 4.5. 2 ,5% 7.x 9 s 10\u00a0ms.",
        "12:345 1:2:3 2024-01-0 5.5x 5.5.5% 100,000,000.50 usd 2 ٣٤ % 3  seconds 8.hours",
    ]
    checked = 0
    for text in [*corpus(), *extra]:
        for m in _WORD.finditer(text):
            a, b = fast.match(text, m.start()), plain.match(text, m.start())
            assert (a and (a.span(), a.lastgroup)) == (b and (b.span(), b.lastgroup)), text[:80]
            checked += 1
    assert checked > 10_000


def test_quantity_candidates_keep_every_number_word_where_a_quantity_starts() -> None:
    """Skipping "a", "an", "one" and month names by their next word loses no quantity.

    (Candidates are words that start with an ASCII digit or a currency sign, number and
    month words, and "p99"-like words.)
    """
    full = signals.quantity_pattern()
    for text in corpus():
        doc = parse(text)
        candidates = set(signals._quantity_candidates(doc))
        for i, (start, w) in enumerate(zip(doc.starts, doc.lows, strict=True)):
            listed = (
                w[0] in signals._QTY_FIRST
                or w in signals._QTY_WORDS
                or (w[0] in "pf" and w[-1].isdigit())
            )
            if listed and full.match(doc.plain, start):
                assert i in candidates, (w, text[:80])


@pytest.mark.parametrize(
    ("fast", "slow", "mode"),
    [
        (coe._is_due, coe._DUE, "unit"),
        (faq._NUMBERISH_LOWER, faq._NUMBERISH, "lower"),
        (coe._DUE_LOWER, coe._DUE, "lower"),
    ],
    ids=["is_due", "numberish", "due_lower"],
)
def test_lower_case_patterns_agree_on_whether_a_clause_matches(fast, slow, mode) -> None:
    # (and units where a due date starts well before the first digit, sits after a dash
    # that follows no digit, or uses digits other than ASCII ones)
    extra = [
        "Ship it (Septemberish 16).",
        "Owner: Ann, (june 16)",
        "the error-rate alarm at 14:02 and SEP 3",
        "on-call 5 teams",
        "２０２５-03-14 rollout",
        "x-1 nearby before: end of Q3",
        "9-5 shift, 3 days",
    ]
    for text in [*corpus(), *extra]:
        expected = slow.search(text) is not None
        if mode == "unit":
            assert fast(text, True) == expected, text[:80]
            assert fast(text, False) == expected, text[:80]
        else:
            assert (fast.search(text.lower()) is not None) == expected, text[:80]


def test_unit_split_cuts_like_the_unit_pattern() -> None:
    """coe._split_units (cuts found from a rare character) splits like the plain pattern."""
    plain = re.compile(r";|(?<=\))[,.]?\s+(?:and\s+)?|(?<=[.!?])\s+")
    extra = [
        "a (b), and c (d). and e; f ) g (h)  and  i (j),x (k);; l ).  m",
        "Why? Because. (x)\tand\ny; (z). end (q)and r ?  s !t .\u2003u",
        "x). y x),  and z x) ; y x)and y x)\n\nand y ... ; ;",
    ]
    cuts = 0
    for text in [*corpus(), *raw_texts(), *extra]:
        expected = plain.split(text)
        assert coe._split_units(text) == expected, text[:80]
        cuts += len(expected) - 1
    assert cuts > 1000


def test_owner_pattern_agrees_with_its_plain_form() -> None:
    plain = re.compile(
        r"\bowner\b|\bowned by\b|@\w+|\b[A-Z][A-Za-z]+ team\b|\bteam [A-Z]\w+|"
        r"\((?:[A-Z][a-z]+|[A-Z][A-Za-z]+ team)[,)]|\b[A-Z][a-z]+ (?:will|owns)\b"
    )
    for text in corpus():
        found = plain.search(text) is not None
        assert (coe._OWNER.search(text) is not None) == found, text[:80]
        if found:  # the pre-check before the regex lets every owner through
            assert any(n in text for n in coe._OWNER_NEEDLES), text[:80]
        assert coe._may_name_owner(text) == any(n in text for n in coe._OWNER_NEEDLES)


def test_timeline_entries_start_with_a_listed_character() -> None:
    for text in corpus():
        for sentence in parse(text).sentences:
            if signals._TIMESTAMP_START.match(sentence.text):
                c = sentence.text[0]
                assert c in signals._TIMESTAMP_FIRST or c.isdigit(), sentence.text[:80]


def test_blame_needs_a_word_with_its_verbs_leading_run() -> None:
    """The COE check looks for a blamed name only before a verb whose first word's
    leading run ("didn" for "didn't") the text holds as a word."""
    found = 0
    for text in [*corpus(), "Ann's  forgot it. Bob didn't's check; Cy did not, Di failed to."]:
        matches = list(coe._NAME_BLAME.finditer(text))
        has = signals.Analysis.of(text).token_index().has_lead if matches else None
        for m in matches:
            assert has is not None
            verb = m.group()[m.end(1) - m.start() :].removeprefix("'s").strip()
            assert verb in coe._BLAME_LEADS and has(coe._BLAME_LEADS[verb]), m.group()
            found += 1
    assert found >= 4


@pytest.mark.parametrize(
    ("pattern", "starts"),
    [
        (coe._TIMESTAMP, coe._timestamp_starts),
        (
            coe._NAME_BLAME,
            lambda t: [p for v in coe._BLAME_VERBS for p in coe._name_blame_starts(t, v)],
        ),
        (
            coe._FIVE_WHYS,
            lambda t: [q - d for q in scan.occurrences(t.lower(), "whys") for d in (2, 5)],
        ),
        (signals._NAMED_TEAMS, lambda t: signals._named_team_starts(t, 0, len(t))),
    ],
    ids=["timestamp", "name_blame", "five_whys", "named_teams"],
)
def test_trying_a_pattern_at_candidate_starts_finds_every_match(pattern, starts) -> None:
    for text in corpus():
        if len(text.lower()) != len(text):
            continue  # (the COE check searches the plain text for these)
        found = [(m.span(), m.groups()) for m in scan.matches_at(pattern, text, starts(text))]
        assert found == spans(pattern, text), text[:80]


def test_why_steps_start_with_w_b_or_a_digit() -> None:
    for text in corpus():
        for sentence in parse(text).sentences:
            if coe._WHY.match(sentence.text):
                c = sentence.text[0]
                assert c in "wWbB" or c.isdigit(), sentence.text[:80]


def test_section_hints_from_substrings_match_the_hint_patterns() -> None:
    headings = [
        "Frequently asked questions",
        "FAQs",
        "faq",
        "Customer FAQ",
        "The problem",
        "PAIN",
        "Our challenge",
        "Solution",
        "How it works",
        "Customer quote",
        "What customers say",
        "Leader quote",
        "Executive",
        "Get started",
        "Getting Started",
        "Availability",
        "Call to action",
        "Learn more",
        "Next steps",
        "Summary",
        "Overview",
        "Sub-heading",
        "Subtitle",
        "Launch",
        "Press release",
        "fAQ-ish",
        "faqs!",
        "Painless",
        "",
    ]
    headings += [t for t in corpus() if len(t) < 60]
    for h in headings:
        expected = next((name for pat, name in press_release._HINTS if pat.search(h)), None)
        assert press_release._section_hint(h) == expected, h


def test_advice_lookup_by_leading_word_matches_a_scan_of_all_entries() -> None:
    for name, section in [
        ("style", "weasel"),
        ("kinds", "summary.activity"),
        ("kinds", "coe.blame_phrases"),
    ]:
        entries = lexicon._sections(name)[section]
        phrases = [e.replace("*", "ing").replace("{n}", "3") for e, _ in entries]
        for phrase in phrases + [p.upper() for p in phrases] + ["Nearly  all", "x"]:
            expected = next(
                (text or "-" for e, text in entries if lexicon._compiled(e).fullmatch(phrase)),
                "-",
            )
            assert lexicon.advice_for(name, section, phrase, "-") == expected, phrase


def test_offset_runs_map_every_plain_character_like_a_full_map() -> None:
    """Doc.original() (runs) gives the offset a character-by-character map would."""
    for text in EDGE_CASES + [
        "# Title #\n\n- **bold** item\n- [link](http://x.y) and `code`\n\n> quote | pipe",
        "Line one\nwraps here.\r\n\r\nSecond\tparagraph ![img](a.png) <b>tag</b> \\*esc",
    ]:
        doc = parse(text)
        for p, ch in enumerate(doc.plain):
            orig = doc.original(p)
            if ch.strip():  # a kept character maps to the same character
                assert text[orig] == ch, (text, p)
        assert doc.original(len(doc.plain)) == len(text)


def _plain_duplicates(doc: text_module.Doc) -> list[bool]:
    """The duplicate rule as written: the same words as an earlier sentence, or (six words
    or more) a Jaccard similarity of at least 0.8 with an earlier sentence's word set."""
    out, keys, bags = [], set(), []
    for s in doc.sentences:
        ws = doc.lows[s.w0 : s.w1]
        dup = False
        if len(ws) >= 3:
            key = " ".join(ws)
            if key in keys:
                dup = True
            elif len(ws) >= 6:
                bag = set(ws)
                dup = any(len(bag & o) / len(bag | o) >= 0.8 for o in bags)
            keys.add(key)
            if len(ws) >= 6:
                bags.append(set(ws))
        out.append(dup)
    return out


def test_near_duplicates_skip_only_sentences_that_cannot_have_one() -> None:
    """Sentences with many words used nowhere else are not compared: same duplicates."""
    texts = [t for t in corpus() if len(t) > 200]
    # each text again with a near-copy of its longest sentence (one word changed, one added)
    for t in list(texts):
        longest = max(parse(t).sentences, key=lambda s: s.w1 - s.w0).text
        words = longest.split()
        if len(words) >= 6:
            words[len(words) // 2] = "quickly"
            texts.append(f"{t}\n\n{' '.join(words)} today.")
    found = 0
    for t in texts:
        doc = parse(t)
        fast = [info.duplicate for info in signals.Analysis(doc).sents]
        assert fast == _plain_duplicates(doc), t
        found += sum(fast)
    assert found > 100  # the check saw many duplicates, not only unique sentences


def test_token_index_groups_words_by_their_leading_run() -> None:
    """Each leading run of letters and digits maps to every word that starts with it."""
    extra = ["rent-to-own rent rent's 14:02 14 14:06 error-rate on-call o'clock $4 4 x-1 x"]
    checked = 0
    for text in [*corpus(), *extra]:
        doc = parse(text)
        idx = lexicon.TokenIndex(doc.plain, doc.starts, doc.ends, doc.lows)
        expected: dict[str, list[int]] = {}
        for start, word in zip(doc.starts, doc.lows, strict=True):
            lead = word if word.isalnum() else lexicon.lead_of(word)  # "٣٤" is its own
            if lead:
                expected.setdefault(lead, []).append(start)
        assert idx.lead == expected, text[:80]
        assert idx._sorted == sorted(expected), text[:80]
        checked += sum(not w.isalnum() for w in doc.lows)
    assert checked > 1_000  # words whose lead is not the whole word


def test_answer_labels_drop_the_words_the_label_holds() -> None:
    """A "Q:" / "A:" label is one word, or two when its number stands apart ("Q 2:")."""
    labels = ["Q:", "a.", "Q1:", "Q 1:", "q\t12 :", "QUESTION:", "Answer 3.", "A ٣:", "queſtion:"]
    texts = [f"{lead}{label} Why now?" for label in labels for lead in ("", " ", "\n")]
    texts += ["Quick: start now.", "As planned.", "A: yes", "Queue: 5 items."]
    for text in [*texts, *corpus()]:
        ws = text_module.split_words(text)
        m = signals._QA_LABEL.match(text)
        expected = ws[len(text_module.split_words(m.group())) :] if m else ws
        assert signals._unlabelled(text, ws) == expected, text[:80]
