"""Unit tests for course.prose: rules, offsets, Markdown, scoring contract."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from course.prose import KINDS, Finding, Review, render_text, review

ROOT = Path(__file__).resolve().parents[1]


def spans(r: Review, rule: str) -> list[str]:
    return [r.text[f.start : f.end] for f in r.findings if f.rule == rule]


# ------------------------------------------------------------------ contract
def test_unknown_kind_lists_kinds() -> None:
    with pytest.raises(ValueError) as exc:
        review("Some text.", "memo")
    for kind in KINDS:
        assert kind in str(exc.value)


@pytest.mark.parametrize("text", ["", "   ", "\n\t\n"])
@pytest.mark.parametrize("kind", KINDS)
def test_empty_text_gives_zero_and_one_finding(text: str, kind: str) -> None:
    r = review(text, kind)
    assert r.score == 0.0
    assert [f.rule for f in r.findings] == ["empty"]
    assert r.points(4) == 0.0


def test_review_and_finding_are_frozen() -> None:
    r = review("I led the rewrite.", "summary")
    with pytest.raises(AttributeError):
        r.score = 1.0  # type: ignore[misc]
    with pytest.raises(AttributeError):
        r.findings[0].rule = "x"  # type: ignore[misc]


def test_to_dict_is_json_with_contract_fields() -> None:
    r = review("Latency is significantly better. The SLA holds.", "summary")
    d = json.loads(json.dumps(r.to_dict()))
    assert set(d) >= {"kind", "score", "signals", "findings"}
    assert d["kind"] == "summary" and 0 <= d["score"] <= 1
    for f in d["findings"]:
        assert set(f) == {"rule", "message", "start", "end", "severity"}
        assert f["severity"] in ("info", "warning", "error")
        assert f["message"].endswith(".")


@pytest.mark.parametrize(
    ("score", "max_points", "expected"),
    [
        (0.0, 4, 0.0),
        (1.0, 4, 4.0),
        (0.62, 4, 2.5),
        (0.5625, 4, 2.5),
        (0.5624, 4, 2.0),
        (0.3125, 4, 1.5),
        (0.74, 10, 7.5),
        (0.999, 3, 3.0),
        (0.1, 2, 0.0),
        (0.125, 2, 0.5),
    ],
)
def test_points_round_to_half(score: float, max_points: float, expected: float) -> None:
    assert Review("summary", "", score, {}, []).points(max_points) == expected


def test_scores_in_range_for_every_kind_on_every_eval_text() -> None:
    for path in sorted((ROOT / "assets" / "prose_eval").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            text = json.loads(line)["text"]
            for kind in KINDS:
                r = review(text, kind)
                assert 0.0 <= r.score <= 1.0
                for f in r.findings:
                    assert 0 <= f.start <= f.end <= len(text)


def test_deterministic_in_process_and_across_processes() -> None:
    text = (ROOT / "assets" / "prose_eval" / "summary.jsonl").read_text().splitlines()[0]
    text = json.loads(text)["text"]
    a, b = review(text, "summary"), review(text, "summary")
    assert a.to_dict() == b.to_dict()
    code = (
        "import json,sys; from course.prose import review; "
        "t=sys.stdin.read(); r=review(t,'summary'); print(json.dumps([r.score, r.points(4)]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        input=text,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    ).stdout
    assert json.loads(out) == [a.score, a.points(4)]


# ------------------------------------------------------------------ shared rules
def test_long_sentence_span_is_the_sentence() -> None:
    long = (
        "Word " + " ".join(["word"] * 19) + " and we kept going with more words until it was long."
    )
    text = "Short one here. " + long
    r = review(text, "summary")
    assert spans(r, "long_sentence") == [long]


def test_weasel_offsets() -> None:
    text = "We made latency significantly lower, and nearly all pages load."
    r = review(text, "summary")
    assert spans(r, "weasel") == ["significantly", "nearly all"]


def test_vague_claim_needs_a_number_nearby() -> None:
    r = review("The new service is faster and more reliable.", "summary")
    assert spans(r, "vague_claim") == ["faster", "more reliable"]
    r = review("The new service is faster: p99 fell from 900 ms to 120 ms.", "summary")
    assert spans(r, "vague_claim") == []


def test_acronyms_defined_on_first_use_or_known() -> None:
    r = review("The COE named the SLA. Our API is fine.", "coe")
    assert spans(r, "undefined_acronym") == ["COE", "SLA"]
    r = review("We met the Service Level Agreement (SLA). The SLA held.", "coe")
    assert spans(r, "undefined_acronym") == []
    r = review("The SLA (service level agreement) held. The SLA held again.", "coe")
    assert spans(r, "undefined_acronym") == []
    r = review("SEATTLE, 4 March -- NEW YORK is loud.", "press_release")
    assert spans(r, "undefined_acronym") == []


def test_quantities_are_counted_by_type() -> None:
    text = (
        "Three teams cut p99 latency from 900 ms to 120 ms in Q3 2024, saving $40k "
        "and 12% of cost over twelve months; at 14:05 UTC it held for 2 hours."
    )
    s = review(text, "summary").signals
    assert s["percentages"] == 1
    assert s["money"] == 1
    assert s["latencies"] == 3  # p99, 900 ms, 120 ms
    assert s["durations"] == 2  # twelve months, 2 hours
    assert s["dates"] == 3  # Q3, 2024, 14:05
    assert s["numbers"] >= 10


def test_keyword_list_is_not_a_sentence() -> None:
    r = review("teams library adopted 40% quarter mechanism checklist partner", "summary")
    assert spans(r, "not_a_sentence")
    assert r.signals["coherent_ratio"] == 0.0
    assert r.score == 0.0


def test_duplicate_sentences_flagged_and_not_credited() -> None:
    once = "I led the offers rewrite and six partner teams adopted the load-test library."
    r1 = review(once, "summary")
    r3 = review(" ".join([once] * 3), "summary")
    assert len(spans(r3, "duplicate")) == 2
    assert r3.score <= r1.score


def test_off_topic_capped() -> None:
    text = (
        "I organised our offsite in Lisbon for 40 people and negotiated a 15% discount. "
        "Two other groups adopted my planning template, and I trained their organisers."
    )
    free = review(text, "summary")
    capped = review(text, "summary", topic=["offers service", "latency", "load test"])
    assert "off_topic" in [f.rule for f in capped.findings]
    assert capped.score <= 0.15
    gen = review(text, "summary", topic=(t for t in ["offers service", "latency"]))
    assert gen.score == capped.score
    assert review(text, "summary", topic="Lisbon offsite").score == free.score
    on = review(text, "summary", topic=["offsite", "planning"])
    assert "off_topic" not in [f.rule for f in on.findings]
    assert on.score == free.score


# ------------------------------------------------------------------ markdown
MD = """# Offers service rewrite

I **owned** the rewrite. Latency got *significantly* lower (see [the dashboard](http://x.example/d)).

- Used by `six` teams
- Adopted by _three_ partner teams
1. It cut p99 from 900 ms to 120 ms.
"""


def test_markdown_offsets_map_to_original() -> None:
    r = review(MD, "summary")
    assert spans(r, "weasel") == ["significantly"]
    sentences = r.signals["sentences"]
    assert sentences == 5  # heading excluded; each bullet is its own unit


def test_markdown_link_text_kept_url_dropped() -> None:
    from course.prose.text import parse

    doc = parse(MD)
    assert "http" not in doc.plain
    assert "the dashboard" in doc.plain
    assert "**" not in doc.plain and "`" not in doc.plain and "_three_" not in doc.plain
    texts = [s.text for s in doc.sentences]
    assert texts[0] == "Offers service rewrite"
    assert "Used by six teams" in texts
    assert "It cut p99 from 900 ms to 120 ms." in texts


def test_crlf_and_code_fences() -> None:
    text = "Latency is very low.\r\n\r\n```\nvery very very\n```\r\nIt is very good.\r\n"
    r = review(text, "summary")
    found = [f for f in r.findings if f.rule == "weasel"]
    assert [text[f.start : f.end] for f in found] == ["very", "very"]
    assert found[0].start == text.index("very")
    assert found[1].start == text.rindex("very")


def test_abbreviations_do_not_split_sentences() -> None:
    from course.prose.text import parse

    doc = parse("We use tools, e.g. the load-test library. Dr. Lee agreed.")
    assert [s.text for s in doc.sentences] == [
        "We use tools, e.g. the load-test library.",
        "Dr. Lee agreed.",
    ]


# ------------------------------------------------------------------ kinds
LOOSE_PR = """Watch Together, Miles Apart
Watch party lets friends watch the same film at the same moment, and talk while they watch.

LONDON -- 12 September 2025 -- The Video Store today launched Watch Party, a way for up to \
eight people in different homes to watch a title in sync.

Friends who live apart start films at the same time over the phone and drift out of sync \
within minutes, and the evening falls apart when one person pauses.

Watch Party keeps everyone on the same frame: when anyone pauses, it pauses for everyone, and \
a chat panel sits beside the picture.

"We kept hearing from customers who wanted film night back," said Priya Natarajan, general \
manager of Video Store Social.

Starting a party takes less than a minute: open a title, choose Watch Party, and send the link.

"My daughter is at university, and we watch a film together every Sunday," - Alan Moore, a \
customer from Bristol.

Watch Party is available today on the web. To learn more, visit videostore.example.com/party.
"""


def test_press_release_sections_loose_format() -> None:
    r = review(LOOSE_PR, "press_release")
    assert r.signals["sections"] == [
        "headline",
        "subheading",
        "summary",
        "problem",
        "solution",
        "leader_quote",
        "getting_started",
        "customer_quote",
        "call_to_action",
    ]


def test_press_release_headings_faq_and_jargon() -> None:
    text = LOOSE_PR.replace("a chat panel", "a Redis-backed microservice chat panel") + (
        "\n## FAQ\n\nDoes it cost extra?\nNo, each viewer uses their own rental.\n"
    )
    r = review(text, "press_release")
    assert "faq" in r.signals["sections"]
    assert spans(r, "jargon") == ["microservice"]


def test_press_release_missing_sections_are_findings() -> None:
    r = review("Gift cards are here.\n\nWe launched gift cards today. Try them.", "press_release")
    rules = {f.rule for f in r.findings}
    assert {"missing_customer_quote", "missing_leader_quote", "missing_problem"} <= rules
    assert all(f.start == f.end == 0 for f in r.findings if f.rule.startswith("missing_"))


def test_summary_activity_language() -> None:
    text = "I worked on the offers service and helped with load tests. I participated in reviews."
    r = review(text, "summary")
    assert spans(r, "activity_language") == ["worked on", "helped with", "participated in"]
    assert r.signals["activity_phrases"] == 3


def test_coe_blame_and_blameless() -> None:
    r = review("Dave forgot to set the limit. It was careless and Dave's fault.", "coe")
    assert spans(r, "blame") == ["Dave forgot", "careless", "fault"]
    r = review("The deploy failed to set the limit because the schema allows none.", "coe")
    assert spans(r, "blame") == []


def test_coe_timeline_whys_and_actions() -> None:
    text = """At 14:02 UTC a config change removed the cache limit.
At 14:06 UTC the alarm fired and paged the on-call engineer.
At 14:40 UTC the rollback finished.

Why did requests fail? The hosts ran out of memory. Why? The cache had no limit.
Why was that allowed? The schema treats the limit as optional.

- Make the limit required. Owner: Offers team. Due: 2024-03-29.
- Stage config deploys (Deployment team, by 30 April).
"""
    s = review(text, "coe").signals
    assert s["timeline_entries"] == 3
    assert s["why_steps"] == 3
    assert s["action_items_with_owner_and_date"] == 2


def test_faq_questions_external_internal_and_areas() -> None:
    text = """How much does it cost?
It costs $3.99 per rental.

Why now?
Complaints rose by 35% this year, so customers want it.

What are the risks?
We assume studios agree; if two refuse, we cover 60% of titles.

What do we depend on?
The payments team must support credits by Q2.

What is the margin?
"""
    r = review(text, "faq")
    s = r.signals
    assert s["questions"] == 5
    assert s["answered"] == 4
    assert s["external_questions"] == 1 and s["internal_questions"] == 4
    assert set(s["internal_areas"]) == {
        "customer_and_market",
        "assumptions_and_risks",
        "economics",
        "dependencies",
    }
    assert spans(r, "unanswered") == ["What is the margin?"]


def test_vision_signals() -> None:
    text = (
        "Today each storefront prices offers its own way. By 2027 we will serve every price "
        "from one platform at 150 ms p99. In 2025 H1 we will move checkout with the payments "
        "team, and in 2026 the TV and mobile teams will follow."
    )
    s = review(text, "vision").signals
    assert s["current_state_mentions"] >= 1 and s["target_state_mentions"] >= 1
    assert s["horizon_mentions"] >= 1 and s["milestones"] >= 2 and s["involves_mentions"] >= 1


# ------------------------------------------------------------------ render
def test_render_text_marks_spans_and_lists_findings() -> None:
    r = review("Latency got significantly better.", "summary")
    out = render_text(r)
    assert out.splitlines()[0] == f"summary: score {r.score:.2f} [" + "-" * 10 + "]"
    assert ">>significantly<<[1]" in out
    assert " 1. weasel:" in out


def test_finding_fields() -> None:
    f = Finding("weasel", "Do this.", 1, 3, "warning")
    assert f.to_dict() == {
        "rule": "weasel",
        "message": "Do this.",
        "start": 1,
        "end": 3,
        "severity": "warning",
    }


# ------------------------------------------------------------------ reported false positives
def sentence_spans(text: str) -> list[tuple[int, int, str]]:
    from course.prose.text import parse

    doc = parse(text)
    out = []
    for s in doc.sentences:
        start, end = doc.span(s.start, s.end)
        out.append((start, end, text[start:end]))
    return out


def test_unit_before_full_stop_ends_the_sentence() -> None:
    text = "p99 fell to 140 ms. Each team now runs the load test before launch."
    assert sentence_spans(text) == [
        (0, 19, "p99 fell to 140 ms."),
        (20, len(text), "Each team now runs the load test before launch."),
    ]
    assert [
        s[2] for s in sentence_spans("It took 3 s. Then it failed at 5 p.m. The pager fired.")
    ] == [
        "It took 3 s.",
        "Then it failed at 5 p.m.",
        "The pager fired.",
    ]
    # the same letters are still abbreviations where they are not units
    assert [s[2] for s in sentence_spans("Ms. Lee agreed. See No. 5 and Fig. 2 here.")] == [
        "Ms. Lee agreed.",
        "See No. 5 and Fig. 2 here.",
    ]
    assert [s[2] for s in sentence_spans("No. Exact prices are free. 140 vs. 90 ms.")] == [
        "No.",
        "Exact prices are free.",
        "140 vs. 90 ms.",
    ]


def test_unit_split_avoids_a_merged_long_sentence() -> None:
    first = "After the rewrite the p99 latency of the offers service fell to 140 ms."
    second = "Each of the five partner teams now runs the same load test before it launches."
    r = review(f"{first} {second}", "summary")
    assert r.signals["sentences"] == 2
    assert spans(r, "long_sentence") == []
    assert spans(r, "not_a_sentence") == []


@pytest.mark.parametrize(
    "sentence",
    [
        "My team rewrote it in Q3 2023.",
        "We chose the staged rollout and drove it to done.",
        "She began the migration and ran it for six weeks.",
        "The team overcame two outages and rebuilt the cache.",
        "We now preorder the capacity for each launch.",  # subject + verb not in the list
        "The payments team can autoscale the service within minutes.",  # modal + verb
        "Customers didn’t see the new price until checkout.",  # curly apostrophe
    ],
)
def test_verb_forms_make_sentences(sentence: str) -> None:
    r = review(sentence, "summary")
    assert spans(r, "not_a_sentence") == []
    assert r.signals["coherent_ratio"] == 1.0


def test_verb_heuristics() -> None:
    from course.prose.analysis import has_verb_phrase, is_verbish
    from course.prose.engine import word_set

    for word in ("rewrote", "rewritten", "led", "built", "took", "kept", "found", "shipped"):
        assert is_verbish(word), word
    for word in ("committing", "committed", "prioritises", "retired", "ships"):
        assert is_verbish(word), word
    for word in ("mechanism", "library", "checklist", "quarter", "bit", "cast"):
        assert not is_verbish(word), word
    fw = word_set("language:function_words")
    assert has_verb_phrase(["we", "also", "preorder", "titles"], fw)
    assert has_verb_phrase(["it", "will", "not", "autoscale"], fw)
    assert not has_verb_phrase(["may", "2025", "launch", "plan"], fw)  # the month May
    assert not has_verb_phrase(["i", "e", "the", "library"], fw)  # "i.e."


def test_weasel_quantifier_not_flagged_in_questions_or_after_how() -> None:
    text = "How many customers will see this?\nAbout 8 million customers a month open a title page."
    assert spans(review(text, "faq"), "weasel") == []
    assert spans(review("Do most of the teams run it?\nYes, 5 of 7.", "faq"), "weasel") == []
    r = review("We counted how many customers saw the old price.", "summary")
    assert spans(r, "weasel") == []
    # a claim still gets flagged, at the phrase
    text = "Many customers saw the old price. How often did it happen?"
    r = review(text, "summary")
    found = [f for f in r.findings if f.rule == "weasel"]
    assert [(f.start, f.end) for f in found] == [(0, 14)]
    assert text[found[0].start : found[0].end] == "Many customers"
    # only quantifiers are exempt: a vague intensifier in a question is still vague
    assert spans(review("Is checkout significantly faster now?", "faq"), "weasel") == [
        "significantly"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Yes, in 10 of our 12 countries.",
        "Are taxes included?",
        "No.",
        "Yes.",
        "Not yet.",
        "Are taxes included?\nYes, in 10 of our 12 countries.",
        "Why now?\nComplaints rose by 35% this year.",
        "How many customers will see this?\nAbout 8 million a month.",
        "Q: Does it cost extra?\nA: No.",
        "Do I pay extra?\nNo. Exact prices are included for every customer.",
    ],
)
def test_short_questions_and_direct_answers_are_sentences(text: str) -> None:
    r = review(text, "faq")
    assert spans(r, "not_a_sentence") == []
    assert r.signals["coherent_ratio"] == 1.0


def test_short_answers_do_not_excuse_keyword_lists() -> None:
    # "yes" to a what-question is no answer; a keyword question is no question
    r = review("What cost?\nYes.\n\nWhich teams?\nNo.", "faq")
    assert r.signals["coherent_ratio"] == 0.0
    text = "Q: Cost?\nA: Yes, customers market risks assumptions cost revenue margin headcount."
    r = review(text, "faq")
    start = text.index("A: Yes")
    assert [(f.start, f.end) for f in r.findings if f.rule == "not_a_sentence"] == [
        (start, len(text))
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        "5 other teams (payments, catalog, playback, search and ads) adopted it within a quarter.",
        "In Q3, after the outage, we rewrote the service, cut p99 to 140 ms, and shipped it.",
        "Payments, catalog, playback and search now run the load test, and ads joins in May.",
    ],
)
def test_sentences_with_lists_are_not_keyword_lists(sentence: str) -> None:
    r = review(sentence, "summary")
    assert spans(r, "not_a_sentence") == []
    assert r.signals["coherent_ratio"] == 1.0


def test_keyword_lists_still_detected() -> None:
    text = "teams library adopted 40% quarter mechanism scope impact"
    r = review(text, "summary")
    assert [(f.start, f.end) for f in r.findings if f.rule == "not_a_sentence"] == [(0, len(text))]
    assert r.score == 0.0
    text = "Ownership: I led, I owned, I decided, I designed, I shipped."
    r = review(text, "summary")
    assert spans(r, "not_a_sentence") == [text]
    text = "We shipped latency, p99, SLA, load test, library, checklist, teams, adoption, scope."
    assert spans(review(text, "summary"), "not_a_sentence") == [text]


def test_coe_owner_label_before_colon_counts_as_owner() -> None:
    from course.prose.kinds.coe import owner_label

    text = """Action items:
- Pricing platform team: add a required-fields check to the config pipeline, due 2025-03-14.
- Deployment tools team: roll config out one region at a time, due 2025-04-18.
- SRE: page when offer errors stay above 2% for 3 minutes, by 21 March.
- Add more tests.
"""
    s = review(text, "coe").signals
    assert s["action_items"] == 3
    assert s["action_items_with_owner_and_date"] == 3
    para = (
        "We traced the fault to the config pipeline. Pricing platform team: add a check, "
        "due 2025-03-14. Checkout team: retry once, by 30 April."
    )
    s = review(para, "coe").signals
    assert s["action_items_with_owner_and_date"] == 2
    assert owner_label("On-call lead: page the database team") == "On-call lead"
    assert owner_label("Root cause: the schema allows no limit.") is None
    assert owner_label("Impact: 6.5% of requests failed, due to the config.") is None


# ------------------------------------------------------------------ the phrase index
def test_phrase_index_finds_what_each_entry_regex_finds_at_word_starts() -> None:
    """The index tries an entry only where it can start; the entry's regex stays its
    definition: every word list, on tricky texts, finds the longest match of any entry
    at each word start, left to right without overlaps."""
    import re

    from course.prose import engine

    def reference(ref: str, idx: engine.TextIndex) -> list[tuple[int, int]]:
        best: dict[int, int] = {}
        starts = {s for s, _ in idx.words}
        for entry, _ in engine.entries(ref):
            anywhere = not engine.lead(entry) and not entry.startswith("{n}")
            for m in re.compile(engine.entry_pattern(entry), re.I).finditer(idx.plain):
                if anywhere or m.start() in starts:
                    best[m.start()] = max(best.get(m.start(), -1), m.end())
        out: list[tuple[int, int]] = []
        for pos in sorted(best):
            if not out or pos >= out[-1][1]:
                out.append((pos, best[pos]))
        return out

    texts = [
        "5 teams, 1,000 teams and seventy teams adopted it; 2-3 years, two to three years, by Q3.",
        "Customers  are\nfrustrated: it is hard\tto rent. Nearly   all of them,"
        " the vast\n\nmajority.",
        "I led the rewrite; I owned the SLA. We will add a limit. İstanbul teams use it often.",
        "Best-in-class, state-of-the-art and 40% teams use it; $4.2k per month; a lot of teams.",
        "Visit videostore.example.com/party or x.com. Sign up today to learn more.",
        "The root cause's fix: why\n\nnow? I\tled it, i  owned it. Why did it fail? I led",
        "5) teams, (12 teams use it, 3\n\nteams run, 1,000 teams' tools, 9 teams's, 7 orgs.",
    ]
    for path in sorted((ROOT / "assets" / "prose_eval").glob("*.jsonl")):
        texts.append(json.loads(path.read_text(encoding="utf-8").splitlines()[0])["text"])
    refs = [
        f"{path.stem}:{section}"
        for path in sorted(engine.RULES_DIR.glob("*.txt"))
        for section in engine._sections(path)
        if path.stem not in ("language", "verbs")  # (word sets, looked up word by word)
    ]
    for text in texts:
        idx = engine.TextIndex.of(text)
        for ref in refs:
            found = [(s, e) for s, e, _ in engine.phrase_list(ref).find(idx)]
            assert found == reference(ref, idx), (ref, text[:40])
