"""Grounding and relevance: an answer's numbers against the exercise's facts, and its
subject against the exercise's own key terms (course/prose/claims.py, facts.py, grounding.py,
relevance.py)."""

from __future__ import annotations

import pytest

from course.prose import review
from course.prose.claims import mentions
from course.prose.facts import fact_problems
from course.prose.relevance import key_terms
from course.prose.text import parse

FACTS = [
    {"id": "runs", "counts": "dry-run sessions before launch", "number": 2, "unit": "sessions",
     "period": "2023-08..09"},
    {"id": "partners", "counts": "partner teams in the launch dry runs", "number": 4,
     "unit": "teams", "period": "2023-08..09"},
    {"id": "bugs", "counts": "integration bugs the dry runs found before launch", "number": 14,
     "unit": "bugs", "period": "2023-08..09"},
    {"id": "teams", "counts": "teams outside the engineer's own that used the dry-run kit",
     "number": 5, "unit": "teams", "period": "2024H1"},
    {"id": "launches", "counts": "launches that used the dry-run kit", "number": 11,
     "unit": "launches", "period": "2024H1"},
    {"id": "inc_h2", "counts": "launch-week incidents caused by integration bugs, across the org",
     "number": 7, "unit": "incidents", "period": "2023H2", "measure": "incidents"},
    {"id": "inc_h1", "counts": "launch-week incidents caused by integration bugs, across the org",
     "number": 1, "unit": "incidents", "period": "2024H1", "measure": "incidents"},
    {"id": "setup", "counts": "days a team needed to set up a dry run before the kit",
     "number": 3, "unit": "days", "period": "before"},
    {"text": "Teams report that setting up a dry run takes half a day instead of about 3 days.",
     "when": "First half of 2024"},
    {"text": "5 other teams (payments, catalog, playback, search, ads) used the kit for 11 "
             "launches.", "when": "January to June 2024"},
    {"id": "detect", "counts": "minutes from the start of customer impact to the first alarm",
     "number": 18, "unit": "minutes"},
    {"id": "mitigate", "counts": "minutes from the start of customer impact to the rollback",
     "number": 44.5, "unit": "minutes"},
]
CONTEXT = {"facts": FACTS}


def unsupported(text: str, context: dict | None = None) -> list[str]:
    """The spans the unsupported_number rule flags in ``text``."""
    r = review(text, "summary", context=context or CONTEXT)
    return [text[f.start:f.end] for f in r.findings if f.rule == "unsupported_number"]


def messages(text: str) -> list[str]:
    r = review(text, "summary", context=CONTEXT)
    return [f.message for f in r.findings if f.rule == "unsupported_number"]


def test_a_number_is_matched_with_what_it_counts():
    assert unsupported("By June 2024, 5 other teams had used the kit.") == []
    assert unsupported("By June 2024, 8 other teams had used the kit.") == ["8 other teams"]
    # 14 is a fact, but of integration bugs, not of launches
    assert unsupported("The kit was used for 14 launches.") == ["14 launches"]
    assert unsupported("The dry runs found 14 integration bugs.") == []


def test_the_message_names_the_facts_it_could_have_used():
    (msg,) = messages("By June 2024, 8 other teams had used the kit.")
    assert msg.startswith("'8 other teams' is not in the facts: they say ")
    assert "5 other teams" in msg
    (msg,) = messages("The kit was used for 14 launches.")
    assert "11 launches" in msg and "14 is the number of" in msg


def test_spelled_out_numbers_reordered_facts_and_different_words():
    text = ("Eleven launches used the kit. Five other teams adopted it in the first half of "
            "2024, after fourteen integration defects turned up in two dry-run sessions with "
            "four partner teams.")
    assert unsupported(text) == []
    assert unsupported("Fifteen launches used the kit.") == ["Fifteen launches"]


@pytest.mark.parametrize("text", [
    "Launch-week incidents caused by integration bugs fell from 7 to 1.",
    "Launch-week incidents caused by integration bugs: 7 → 1.",
    "Launch-week incidents caused by integration bugs went 7 to 1.",
    "Launch-week incidents fell from seven in the second half of 2023 to one in H1 2024.",
    "Launch-week incidents fell from 7 in the second half of 2023 to 1 in the first half "
    "of 2024.",
])
def test_ranges_are_understood(text):
    assert unsupported(text) == []


def test_periods_are_checked_where_the_facts_give_one():
    assert unsupported("Launch-week incidents fell from 7 in the first half of 2024 to 1 in "
                       "the second half of 2024.") == ["7", "1"]
    assert unsupported("In 2023, 5 other teams used the kit.") == ["5 other teams"]
    assert unsupported("In October 2023 I built the kit, and 5 other teams used it.") == []
    assert unsupported("5 other teams used the kit in 2023.") == ["5 other teams"]
    assert unsupported("5 other teams used the kit by June 2024.") == []


def test_units_rounding_bounds_and_derived_numbers():
    assert unsupported("Setting up a dry run takes half a day instead of 3 days.") == []
    assert unsupported("Setting up a dry run takes half a day instead of 5 days.") == ["5 days"]
    assert unsupported("Set-up time fell by 83%, six times faster.") == []
    assert unsupported("Incidents fell by 86%.") == []
    assert unsupported("Incidents fell by 6 in a year.") == []
    assert unsupported("More than 10 launches used the kit.") == []
    assert unsupported("More than 20 launches used the kit.") == ["20 launches"]
    assert unsupported("The rollback ended impact after about 45 minutes.") == []


def test_a_number_with_a_unit_must_be_the_fact_its_sentence_is_about():
    assert unsupported("The alarm fired 18 minutes after impact began.") == []
    assert unsupported("The alarm fired 44.5 minutes after impact began.") == ["44.5 minutes"]


def test_goals_plans_names_and_dates_are_not_claims():
    for text in ("Our goal is 30 launches by the end of 2024.",
                 "We will reach 20 teams next year.",
                 "In 2026, 40 teams use the kit.",  # a plan: after every fact's period
                 "Version 8 of the kit ships with 4K support on 6 September.",
                 "It runs 24/7 in the 6-12 format."):
        assert unsupported(text) == [], text


def test_numbers_about_things_no_fact_counts_are_a_note_not_an_error():
    r = review("I also gave 3 talks about the kit to 40 engineers.", "summary",
               context=CONTEXT)
    rules = {f.rule for f in r.findings}
    assert "number_not_in_facts" in rules and "unsupported_number" not in rules


def test_unsupported_claims_cap_the_score_at_half():
    honest = ("Since January 2024 the org's launch-readiness review has required a dry run "
              "with the kit I built from our launch tooling. In the first half of 2024, 5 "
              "other teams (payments, catalog, playback, search and ads) used it for 11 "
              "launches, and they report setting up a dry run in half a day instead of about "
              "3 days. Launch-week incidents caused by integration bugs across the org fell "
              "from 7 in the second half of 2023 to 1 in the first half of 2024; other teams "
              "changed how they launch too, so I do not claim the drop. The kit grew out of "
              "two dry runs I led with 4 partner teams, which found 14 integration bugs before "
              "launch. I packaged the replay scripts and run-sheet into a command-line tool, "
              "a checklist and a one-page guide, and I review every kit report at the monthly "
              "launch review.")
    invented = honest.replace("5\nother", "9 other").replace("5 other", "9 other")
    good = review(honest, "summary", context=CONTEXT)
    bad = review(invented, "summary", context=CONTEXT)
    assert good.signals["unsupported_numbers"] == 0 and good.points(3) >= 2.5
    assert bad.signals["unsupported_numbers"] == 1
    assert bad.score <= 0.5 and bad.points(3) <= 1.5
    finding = next(f for f in bad.findings if f.rule == "unsupported_number")
    assert invented[finding.start:finding.end] == "9 other teams"
    # without facts, nothing changes: no signals, no findings, the same score
    plain = review(invented, "summary")
    assert "grounded_numbers" not in plain.signals and plain.score == review(honest,
                                                                             "summary").score


def test_mentions_read_numbers_with_their_nouns_units_and_shares():
    t = "Last quarter 1 in 6 rentals failed; p99 fell from 480 to 140 ms; $1.2 million a month."
    got = [(t[m.start:m.end], m.q.kind) for m in mentions(parse(t))]
    assert got == [("1 in 6 rentals", "%"), ("480", "time"), ("140 ms", "time"),
                   ("$1.2 million", "money")]


def test_malformed_facts_are_described():
    assert fact_problems(FACTS) == []
    assert fact_problems("5 teams") == ["facts must be a list, not str"]
    problems = fact_problems([{"counts": "teams", "number": 5, "period": "2024H3"},
                              {"number": 1}, {"text": "x", "colour": "red"}])
    assert problems == [
        "fact 1: period '2024H3' is not a period id (2024, 2024H1, 2024Q1, 2024Q1-Q3, "
        "2024-06, 2024-06..09, 2024-06-30) or a label",
        "fact 2: counts (what it counts) is required",
        "fact 3: unknown field 'colour'",
    ]


# ------------------------------------------------------------------ relevance
EXERCISE = [
    "Rewrite the summary of the partner dry runs so that a reviewer sees cross-team impact.",
    "Two dry runs with 4 partner teams found 14 integration bugs before the offers service "
    "launched. You packaged the replay scripts and run-sheet into a dry-run kit: a "
    "command-line tool, a checklist and a one-page guide. 5 other teams used the kit for 11 "
    "launches. You review every kit report at the monthly launch review.",
]


def subject_context() -> dict:
    return {"facts": FACTS, "terms": key_terms(EXERCISE, "summary")}


def test_key_terms_come_from_the_exercise_not_from_generic_words():
    terms = key_terms(EXERCISE, "summary")
    assert "dry run" in terms and "kit" in terms and "replay" in terms
    assert not {"team", "launch", "rewrite", "summary", "the"} & set(terms)


def test_an_answer_about_another_subject_is_off_topic_even_with_the_numbers():
    bakery = ("Since January 2024 every new recipe in our bakery has needed a tasting with a kit "
              "I built from our kitchen notes. In the first half of 2024, 5 other teams (bread, "
              "pastry, cakes, catering and cafes) used it for 11 launches of seasonal products. "
              "Complaints about new cakes fell from 7 in the second half of 2023 to 1 in the "
              "first half of 2024, and I review every tasting report at the monthly menu "
              "review.")
    on = ("I led two dry runs with 4 partner teams that found 14 integration bugs, then "
          "packaged the replay scripts and run-sheet into a dry-run kit with a command-line "
          "tool and a one-page guide. 5 other teams used the kit for 11 launches, and I review "
          "every kit report at the monthly launch review.")
    off = review(bakery, "summary", context=subject_context())
    assert "off_subject" in {f.rule for f in off.findings} and off.score <= 0.15
    assert off.signals["subject_foreign"] >= 0.5
    good = review(on, "summary", context=subject_context())
    assert "off_subject" not in {f.rule for f in good.findings}
    assert good.signals["subject_terms"] >= 5


def test_a_topic_list_still_works_without_key_terms():
    r = review("I organised our offsite in Lisbon for 40 people.", "summary",
               topic=["offers service"])
    assert "off_topic" in {f.rule for f in r.findings}
    assert "subject_terms" not in r.signals


TIMELINE = {"facts": [
    {"text": "impact: Offer requests start failing and the error rate climbs.",
     "when": "2025-03-14 13:53:30"},
    {"text": "alarm: Alarm fires; the on-call engineer is paged.", "when": "2025-03-14 14:11:30"},
    {"text": "mitigated: Rollback complete: error rate back to normal. Customer impact ends.",
     "when": "2025-03-14 14:38:00"},
]}


def test_durations_are_read_from_a_timeline_without_being_given():
    def bad(text: str) -> list[str]:
        return unsupported(text, TIMELINE)

    assert bad("The alarm fired and paged on-call 18 minutes after impact began.") == []
    assert bad("The rollback completed and impact ended 44.5 minutes after it began.") == []
    assert bad("The alarm fired 9 minutes after impact began.") == ["9 minutes"]
    # the right number for another pair of events
    assert bad("The rollback completed and impact ended 18 minutes after it began.") == [
        "18 minutes"]


def test_computed_results_are_kept_back_from_the_learner_and_checked_when_graded():
    learner = {"facts": [
        {"id": "p99_1700", "counts": "p99 latency at 1,700 requests per second in the load "
         "test", "unit": "ms", "computed": True},
        {"counts": "checkout client's timeout before the dry runs", "number": 150, "unit": "ms"},
    ]}
    grader = {"facts": [{**learner["facts"][0], "number": 181}, learner["facts"][1]]}
    right = "In the load test the p99 was 181 ms at 1,700 requests per second."
    wrong = right.replace("181", "150")
    seen = review(wrong, "faq", context=learner)
    assert {f.rule for f in seen.findings} >= {"computed_number"}
    assert "unsupported_number" not in {f.rule for f in seen.findings}
    assert unsupported(right, grader) == [] and unsupported(wrong, grader) == ["150 ms"]
    assert fact_problems([{**learner["facts"][0], "number": 181}]) == [
        "fact 1: a computed fact gives no number or date (the learner's notebook must not "
        "show it)"]
