"""Build the gaming set, ``answers.jsonl``, from the answers below and the course's notebooks.

Each record is written by hand (``text``) or made from a text of the course by small edits
(``base`` and ``edits``): a model answer of the instructor's notebooks
(``model:<answer grade_id>``), or a text a notebook shows (``nb:<module>:<VARIABLE>``).
Edits fail loudly when the text they change is gone, so the set follows the course.

Run from the repository root after changing a model answer or a worked example::

    .venv/bin/python assets/prose_eval/gaming/build.py

Categories: gaming (``invented_numbers``, ``wrong_nouns``, ``other_exercise``,
``worked_example``, ``off_topic_numbers``, ``near_copy``, ``keyword_list``) and honest
(``honest_spelled``, ``honest_reordered``, ``honest_reworded``, ``honest_partial``).
``split`` is ``dev`` (looked at while the checks were built) or ``holdout`` (written at
the same time, used only to measure them).  The companies, people and numbers of the
off-topic texts are invented.
"""
# ruff: noqa: E501  (the answers and their edits are data)

from __future__ import annotations

import glob
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

import nbformat  # noqa: E402

from course.grading import prose_scores  # noqa: E402

# Each record: id, exercise (module/answer grade_id), category, honest, split, note, and
# either "text" or ("base": <name of a notebook text>, "edits": [(old, new), ...]).
# Bases: "model:<answer id>" (a model answer), "nb:<module>:<VARIABLE or marker>".

R = []


def add(id, exercise, category, note, text=None, base=None, edits=(), honest=False,
        split="dev"):
    R.append(dict(id=id, exercise=exercise, category=category, note=note, text=text,
                  base=base, edits=list(edits), honest=honest, split=split))


# =========================================================================== module 08
E = "08-cross-team-impact/q08_rewrite_summary"
M = "model:q08_rewrite_summary"
add("08-inv-1", E, "invented_numbers", "model answer, adoption numbers inflated", base=M,
    edits=[("5 other teams", "8 other teams"), ("11 launches", "17 launches"),
           ("from 7 in", "from 9 in")])
add("08-inv-2", E, "invented_numbers", "model answer, two small numbers changed", base=M,
    edits=[("about 3 days", "about 5 days"), ("3 improvements", "6 improvements")])
add("08-inv-3", E, "invented_numbers", "invented numbers spelled out", base=M, split="holdout",
    edits=[("5 other teams", "eight other teams"), ("11 launches", "nineteen launches"),
           ("coached 2 teammates", "coached four teammates")])
add("08-noun-1", E, "wrong_nouns", "right numbers on the wrong nouns", base=M,
    edits=[("5 other teams", "11 other teams"), ("11 launches", "5 launches"),
           ("3 improvements", "2 improvements"), ("coached 2 teammates", "coached 3 teammates")])
add("08-noun-2", E, "wrong_nouns", "bugs and launches swapped", base=M, split="holdout",
    edits=[("11 launches", "14 launches"), ("found 14 integration bugs", "found 11 integration bugs")])
add("08-period-1", E, "invented_numbers", "the incident numbers put in the wrong periods", base=M,
    edits=[("fell from 7 in the second half of 2023 to 1 in the first\nhalf of 2024",
            "fell from 7 in the first half of 2024 to 1 in the second\nhalf of 2024"),
           ("In the first half of 2024, 5 other teams", "In the second half of 2023, 5 other teams")])
add("08-we-1", E, "worked_example", "the worked example's AFTER text (the load-test harness)",
    base="nb:08-cross-team-impact:AFTER")
add("08-we-2", E, "near_copy", "worked example with the harness renamed the kit", split="holdout",
    base="nb:08-cross-team-impact:AFTER",
    edits=[("harness", "kit"), ("a load-test step", "a dry-run step")])
add("08-draft-1", E, "near_copy", "the draft to rewrite with a few words changed",
    text="""Partner dry runs (2023). Before the offers service launched, I organised dry runs
with the partner teams. I wrote scripts that replayed traffic against their services and a
run-sheet for every session. I set up a shared channel, ran many meetings and fixed the
bugs we found. I also helped teammates who were stuck and answered lots of questions from
other teams. It was a lot of work, but the launch went really smoothly and everyone was
happy with it.""")
add("08-other-1", E, "other_exercise", "module 9's vision outline pasted",
    base="model:q09_vision_outline")
add("08-other-2", E, "other_exercise", "module 7's COE pasted", base="model:q07_coe",
    split="holdout")
add("08-off-1", E, "off_topic_numbers", "a bakery story reusing the fact table's numbers and phrases",
    text="""Since January 2024, every new recipe in our bakery chain has needed a tasting
session with a kit I built from our test kitchen notes. In the first half of 2024, 5 other
teams (bread, pastry, cakes, catering and cafes) used it for 11 launches of seasonal
products. They report preparing a tasting in half a day instead of about 3 days. Over the
same period, complaints about new products fell from 7 in the second half of 2023 to 1 in
the first half of 2024. I review every tasting report at the monthly menu review, and by
June 2024 those reviews had led to 3 improvements. I also coached 2 bakers, who now lead
tastings without me.""")
add("08-off-2", E, "off_topic_numbers", "a football club season reusing the numbers and a few words",
    split="holdout",
    text="""In the first half of 2024 our youth football club ran 11 tournaments with 5 other
teams from the league, and I coached 2 assistant coaches until they could lead training
on their own. Injuries during match weeks fell from 7 in the second half of 2023 to 1 in
the first half of 2024, after we introduced a warm-up checklist. Every month the coaches
review the training reports, and those reviews have led to 3 improvements to the
programme. Preparing a match day now takes half a day instead of about 3 days, because
the kit room is organised and the parents' rota is shared online.""")
add("08-kw-1", E, "keyword_list", "the fact table's numbers and keywords as a list",
    text="""Dry-run kit: 5 other teams, 11 launches, 14 integration bugs, 4 partner teams,
incidents 7 → 1, half a day instead of 3 days, 3 improvements, 2 teammates coached. Tool,
adoption, inspection. Mechanism, impact, scope, org-wide, launch-readiness review,
required, monthly review.""")
add("08-hon-1", E, "honest_spelled", "every number spelled out", honest=True,
    text="""Since January 2024 the org's launch-readiness review has required a dry run with
the kit I built from our launch tooling. In the first half of 2024, five other teams
(payments, catalog, playback, search and ads) used it for eleven launches, and they report
that setting up a dry run now takes half a day instead of about three days. Across the
org, launch-week incidents caused by integration bugs fell from seven in the second half
of 2023 to one in the first half of 2024; other teams changed how they launch in that
period too, so I do not credit the kit with the drop. The kit started with the offers
service launch: in August and September 2023 I led two dry runs in which our team and
four partner teams found fourteen integration bugs, and the launch month had zero
partner-facing incidents. In October 2023 I packaged the replay scripts and run-sheet into
a command-line tool, a checklist and a one-page guide. I review every kit report at the
monthly launch review, where we have made three improvements, and I coached two
teammates who now lead partner dry runs on their own.""")
add("08-hon-2", E, "honest_reordered", "facts in another order, story told from the start",
    honest=True,
    text="""Before the offers service launched in September 2023, I led two dry runs with 4
partner teams (search, title page, checkout and the TV app); together we found 14
integration bugs, and the launch month had zero partner-facing incidents. In October 2023
I turned the replay scripts and run-sheet we had used into a dry-run kit: a command-line
tool, a checklist and a one-page guide. In January 2024 the org's launch-readiness review
made a dry run with the kit a required item. By June 2024, 5 other teams had used the kit
for 11 launches, and they report that a dry run now takes half a day to set up instead of
about 3 days. I review every kit report at the monthly launch review; those reviews have
produced 3 improvements to the kit. I coached 2 teammates until they could lead partner
dry runs without me. Over the same period, launch-week incidents caused by integration
bugs across the org went from 7 in the second half of 2023 to 1 in the first half of
2024, although other launch practices changed as well.""")
add("08-hon-3", E, "honest_reworded", "the same facts in different words, arrows for the change",
    honest=True, split="holdout",
    text="""Other teams now rehearse their launches with a toolkit I created. Since January
2024 the launch-readiness review has asked every team for a dry run completed with it, and
between January and June 2024 five teams outside ours (payments, catalog, playback, search
and ads) relied on it for 11 launches. They say getting a dry run ready takes half a day,
where it used to take about 3 days. Org-wide, launch-week incidents caused by integration
bugs went 7 → 1 from the second half of 2023 to the first half of 2024; because teams
changed several launch habits at the same time, I report this alongside the kit rather
than as its result. The toolkit grew out of our own launch: two rehearsals with 4 partner
teams caught 14 integration bugs before the offers service went live, and no
partner-facing incident followed in the launch month. I run a monthly review of the kit
reports, which has led to 3 improvements, and I mentored 2 teammates who now run partner
dry runs themselves.""")
add("08-hon-4", E, "honest_partial", "a shorter honest answer using a few of the facts",
    honest=True,
    text="""Since January 2024 every launch in our org has needed a dry run with the kit I
packaged in October 2023 from the scripts we used for the offers service launch. In the
first half of 2024, 5 other teams used it for 11 launches. Teams report that setting up a
dry run takes half a day instead of about 3 days. The kit has three parts: a command-line
tool, a required step in the launch-readiness review, and a monthly review of the kit
reports that I run, which has led to 3 improvements so far. I also coached 2 teammates so
that the dry runs no longer depend on me.""")

# =========================================================================== module 09
E = "09-readiness-over-time/q09_work_summary"
M = "model:q09_work_summary"
add("09s-inv-1", E, "invented_numbers", "model summary with the adoption numbers inflated", base=M,
    edits=[("5 teams\noutside ours", "9 teams\noutside ours"), ("11 launches", "23 launches")])
add("09s-inv-2", E, "invented_numbers", "incident drop invented", base=M, split="holdout",
    edits=[("fell from 7 to 1", "fell from 12 to 2")])
add("09s-noun-1", E, "wrong_nouns", "numbers moved to other nouns", base=M,
    edits=[("5 teams\noutside ours", "11 teams\noutside ours"), ("11 launches", "5 launches"),
           ("coached 2 teammates", "coached 5 teammates")])
add("09s-we-1", E, "worked_example", "module 8's worked example pasted",
    base="nb:08-cross-team-impact:AFTER")
add("09s-other-1", E, "other_exercise", "module 4's input-metrics plan pasted",
    base="model:q04_input_metrics", split="holdout")
add("09s-off-1", E, "off_topic_numbers", "a volunteer charity year reusing numbers",
    text="""In 2024 I moved from running one food bank shift to coordinating the whole
volunteer programme. In the first half of 2024, 5 teams outside ours used our rota
template for 11 collection drives, and new volunteers report getting ready in half a day
instead of about 3 days. Missed deliveries across the city fell from 7 to 1 over the same
period. I run the monthly volunteer meeting that reviews the rota, and I coached 2
volunteers until they could lead collection drives on their own.""")
add("09s-hon-1", E, "honest_reworded", "the same year told in other words", honest=True,
    text="""Over 2024 my work shifted from one service to the direction of the whole offers
platform. I wrote its three-year vision in Q1, the regional-pricing strategy in Q2 (two
principal engineers reviewed it) and, in Q3, the annual plan for three teams' roadmaps.
The dry-run kit I packaged from our launch tooling became a required launch-readiness step
in January 2024; between January and June, five teams outside ours used it for eleven
launches and now set up a dry run in half a day rather than about three days. Launch-week
integration incidents across the org went from 7 to 1 in that time, though other practices
changed too. I run the monthly review of kit reports, coached 2 teammates to lead partner
dry runs alone, and started a fortnightly design clinic in Q3.""")
add("09s-hon-2", E, "honest_reordered", "people first, then the platform work", honest=True,
    split="holdout",
    text="""In 2024 I grew other engineers as well as systems. I coached 2 teammates until
they could lead partner dry runs on their own, and in Q3 I started a fortnightly design
clinic for the team's mid-level engineers. The dry-run kit I packaged from our launch
tooling has been required for every launch since January 2024; in the first half of the
year 5 teams outside ours used it for 11 launches and report a set-up time of half a day
instead of about 3 days, and I run the monthly review of its reports. I also set direction
for the offers platform: a three-year vision in Q1, the regional-pricing strategy in Q2,
reviewed by two principal engineers, and the annual plan for three teams in Q3.""")

E = "09-readiness-over-time/q09_vision_outline"
M = "model:q09_vision_outline"
add("09v-inv-1", E, "invented_numbers", "vision with today's numbers invented", base=M,
    edits=[("within 140 ms", "within 90 ms"), ("our 4 markets", "our 9 markets"),
           ("2% of the prices", "7% of the prices")])
add("09v-inv-2", E, "invented_numbers", "the launch time of a market invented", base=M,
    split="holdout", edits=[("instead of 3 months", "instead of 8 months"),
                            ("our 4 markets", "our 6 markets")])
add("09v-other-1", E, "other_exercise", "module 8's model summary pasted",
    base="model:q08_rewrite_summary")
add("09v-off-1", E, "off_topic_numbers", "a city library vision reusing the numbers",
    text="""City library vision, 2025 to 2027.

Today the library answers every loan request within 140 minutes at its busiest branch.
Each of our 4 districts still keeps its own catalogue rules in the old card system, and 2%
of the books readers reserve are missing from the shelf.

In three years, readers in every district will reserve a book and find it waiting. A new
branch will open its catalogue in 2 weeks instead of 3 months. Our goal is fewer than 0.1%
missing reservations.

Phase 1 (H1 2025): two districts move to the shared catalogue. Phase 2 (2026): school
libraries join. Phase 3 (by the end of 2027): all 4 districts run on it and the card
system is switched off.""")
add("09v-hon-1", E, "honest_reworded", "the same vision in other words", honest=True,
    text="""Offers platform vision for 2025 to 2027.

Today every price request is answered within 140 ms at the 99th percentile (p99), but
each of the store's 4 markets keeps its own price rules in the legacy offers interface, and
in new markets 2% of the prices customers see differ from what checkout charges.

By 2027 a customer in any market will see the same price at checkout that they saw on
the page. Launching pricing in a new market will take weeks, not about 3 months, and we
aim for under 0.1% mismatches while traffic doubles.

Phase 1 (H1 2025): catalog and payments adopt a shared price-event schema, and two
markets leave the legacy interface. Phase 2 (2026): regional pricing moves onto the
platform and search and ads read prices from it. Phase 3 (by the end of 2027): all 4
markets are on the platform and the legacy interface is retired.""")

# =========================================================================== module 07
E = "07-learning-from-failure/q07_coe"
M = "model:q07_coe"
add("07-inv-1", E, "invented_numbers", "COE with impact numbers invented", base=M,
    edits=[("1,214\ncustomers", "3,480\ncustomers"), ("up to 6.5%", "up to 12%"),
           ("18 minutes after", "9 minutes after")])
add("07-inv-2", E, "invented_numbers", "COE with the durations changed", base=M, split="holdout",
    edits=[("for 44.5 minutes", "for 25 minutes"), ("44.5 minutes after it began",
                                                    "25 minutes after it began"),
           ("217.5\n  minutes", "95\n  minutes")])
add("07-noun-1", E, "wrong_nouns", "COE with the durations swapped", base=M,
    edits=[("for 44.5 minutes", "for 18 minutes"), ("18 minutes after impact",
                                                    "44.5 minutes after impact")])
add("07-other-1", E, "other_exercise", "module 5's readiness FAQ pasted",
    base="model:q05_readiness_faq")
add("07-off-1", E, "off_topic_numbers", "a train delay write-up reusing the numbers",
    split="holdout",
    text="""Summary: On 14 March 2025 a timetable change for the weekend service left out
the platform numbers for two stations. Passengers saw no departure board for 44.5 minutes
until the old timetable was restored.

Customer impact: from 13:53 to 14:38 up to 6.5% of trains were delayed, and 1,214
passengers in two stations missed a connection. The first passenger complained at 14:04.

Timeline:
- 13:52 The timetable was published to every station at once.
- 14:11 The delay alarm fired, 18 minutes after the first delay.
- 14:38 The old timetable was back, 44.5 minutes after the first delay.

Root cause: the timetable tool checked the file format but not that every station had a
platform.

Action items: check required fields before publishing (owner: timetable team, due
2025-03-28); publish one region at a time (owner: operations, due 2025-04-18).""")
add("07-hon-1", E, "honest_reworded", "a shorter honest COE in other words", honest=True,
    text="""Summary: On 14 March 2025 new promotion rules reached every offers-service host
without a currency for two marketplaces. Promotion titles could not be priced, so
customers saw errors or a price of 0.00 until we rolled the configuration back, 44.5
minutes after impact began.

Customer impact: between 13:53 and 14:38 UTC up to 6.5% of offer requests failed, and
1,214 customers in two marketplaces saw a price of 0.00. Nobody was charged a price other
than the one shown at payment.

Timeline (UTC):
- 13:52 The config push sent the rules to all hosts in one step.
- 13:53 Offer errors started to climb.
- 14:04 A customer contacted support about a 0.00 price.
- 14:11 The error-rate alarm paged on-call, 18 minutes after impact began.
- 14:38 The rollback finished and impact ended.
- 17:31 Corrected rules were live everywhere; incident closed, 217.5 minutes after impact
  began.

Root cause: the service cannot price without a currency; the rules left it out for two
marketplaces; the pipeline only checked syntax because config was treated as data, not
code, so it had no schema tests and skipped the staged regional rollout.

Action items:
- Check required fields per marketplace in the config pipeline (owner: pricing platform
  team, due 2025-03-28).
- Roll config out region by region with automatic rollback (owner: deployment tools team,
  due 2025-04-18).
- Alarm on offer errors within minutes rather than after 15 (owner: offers service team,
  due 2025-03-21).""")

# =========================================================================== module 05
E = "05-launch-readiness/q05_readiness_faq"
M = "model:q05_readiness_faq"
add("05-inv-1", E, "invented_numbers", "FAQ with load-test numbers invented", base=M,
    edits=[("181 ms at\n1,700", "150 ms at\n1,700"), ("249 ms at 1,800", "190 ms at 1,800"),
           ("holds up to\n1,700 rps", "holds up to\n2,000 rps")])
add("05-inv-2", E, "invented_numbers", "FAQ with the dry runs' findings invented", base=M,
    split="holdout", edits=[("found 14 integration\nbugs", "found 25 integration\nbugs"),
                            ("took 4 minutes", "took 11 minutes")])
add("05-noun-1", E, "wrong_nouns", "FAQ with numbers on the wrong things", base=M,
    edits=[("found 14 integration\nbugs", "found 4 integration\nbugs"),
           ("retried a\nfailed call 3 times", "retried a\nfailed call 14 times")])
add("05-other-1", E, "other_exercise", "module 3's FAQ pasted", base="model:q03_faq")
add("05-off-1", E, "off_topic_numbers", "a concert venue FAQ reusing the numbers", split="holdout",
    text="""Q: Can the venue handle the crowd at peak?
Yes. Our limit is 200 people per entrance a minute. In the rehearsal the queue moved at
181 people a minute at 1,700 guests and 249 at 1,800 guests, so the doors hold up to 1,700
guests. The expected peak is 1,100 guests; 1.5 times that is 1,650.

Q: What did the two rehearsals find?
Two rehearsals with the 4 catering teams found 14 problems, all fixed.

Q: What is still open?
The fire inspection is booked for 6 September and the stage crew finishes the lighting by
8 September. We open on 13 September only if both are done.

Q: How do we evacuate, and how long does it take?
In the second rehearsal everyone was outside in 4 minutes.""")
add("05-hon-1", E, "honest_reordered", "the same answers, questions in another order",
    honest=True,
    text="""Q: What did the dry runs with partner teams find?
We ran two dry runs with 4 partner teams: search, title page, checkout and the TV app.
They found 14 integration bugs, all of which are fixed. Checkout used to time out after
150 ms and now waits 300 ms; search used to retry a failed call 3 times and now retries
once, with backoff.

Q: How do we roll back, and how long does it take?
A feature flag sends traffic back to the old service; in the second dry run this took 4
minutes. Ana owns the rollback and rehearses it in production at 1% of traffic on 7
September.

Q: Does the service meet its latency SLA at peak?
Yes. The service-level agreement (SLA) is a p99 of at most 200 ms. The load test measured
a p99 of 181 ms at 1,700 requests per second (rps) and 249 ms at 1,800 rps. The expected
holiday peak is 1,100 rps, and 1.5 times that is 1,650 rps, below the 1,700 rps the
service handles within the SLA.

Q: What is still open before launch?
The title page team's SLA confirmation (by 6 September), the alarm evidence and runbooks
(by 8 September) and the rollback rehearsal. At 1,800 rps the pricing database's
connection pool is full; the data platform team raises its size by 8 September. We launch
on 13 September only when these are done.""")

# =========================================================================== module 03
E = "03-faq/q03_faq"
M = "model:q03_faq"
add("03-inv-1", E, "invented_numbers", "FAQ with market and cost numbers invented", base=M,
    edits=[("8 million of them", "15 million of them"), ("About $40,000 a month", "About $95,000 a month"),
           ("for 30 minutes after", "for 60 minutes after")])
add("03-inv-2", E, "invented_numbers", "FAQ with country numbers invented", base=M, split="holdout",
    edits=[("in 10 of our 12 countries", "in 14 of our 16 countries"),
           ("In the other 2,", "In the other 2,")])
add("03-noun-1", E, "wrong_nouns", "numbers on the wrong nouns", base=M,
    edits=[("8 million of them", "3.75 million of them"), ("about 3.75 million rentals",
                                                           "about 8 million rentals")])
add("03-other-1", E, "other_exercise", "module 5's readiness FAQ pasted",
    base="model:q05_readiness_faq", split="holdout")
add("03-off-1", E, "off_topic_numbers", "a gym membership FAQ reusing the numbers",
    text="""## External FAQ

Do I pay anything extra to book classes online?
No. Online booking is part of every membership at no extra cost.

Is the price I see the price I pay?
Yes, in 10 of our 12 clubs the price includes tax. In the other 2 it shows the price
before tax until 1 September 2026.

## Internal FAQ

How many members are there?
8 million members a year open the booking page, and about 3.75 million bookings a month
reach payment.

What does it cost?
About $40,000 a month for the booking system. If the trial holds, about 300,000 more
bookings a month complete.""")
add("03-hon-1", E, "honest_reworded", "the same FAQ in other words", honest=True,
    text="""## External FAQ

Does seeing exact prices cost me anything?
No. Every customer gets exact prices at no extra cost.

On which screens will I see the exact price?
On all of them: from 1 June 2026, title pages on TVs, phones, tablets and the web list each
way to watch with its final price.

Does the price include tax?
In 10 of the 12 countries we serve, yes. In the other 2 the page shows the price before
tax, and says so, until tax-inclusive prices arrive on 1 September 2026.

What if a sale ends while I am looking at the page?
Checkout honours the price you saw for 30 minutes after the page showed it.

## Internal FAQ

How many customers does this reach?
8 million customers a month open a title page with a rent or buy option, and about 3.75
million rentals a month reach checkout.

What does it cost, and what could it earn?
About 2 billion price calculations a month add about $40,000 a month in computing. If the
pilot result holds, about 300,000 more rentals a month complete, at an average of $4.

Which teams must deliver, and when?
Checkout must use the title page's price calculation by 1 May 2026; the tax team has
tax-inclusive prices ready in 10 countries and the other 2 by 1 September 2026; and TV
app version 8 must reach 95% of TVs before launch.""")

# =========================================================================== module 02
E = "02-press-release/q02_press_release"
M = "model:q02_press_release"
add("02-inv-1", E, "invented_numbers", "press release with the pilot results invented", base=M,
    edits=[("fell from 17% to 9%", "fell from 21% to 4%"), ("fell by 60%", "fell by 85%")])
add("02-inv-2", E, "invented_numbers", "launch reach invented", base=M, split="holdout",
    edits=[("in all 12 countries", "in all 30 countries"), ("with 5% of customers",
                                                            "with 20% of customers")])
add("02-noun-1", E, "wrong_nouns", "pilot numbers on the wrong nouns", base=M,
    edits=[("with 5% of customers", "with 9% of customers"),
           ("fell from 17% to 9%", "fell from 60% to 5%")])
add("02-other-1", E, "other_exercise", "module 3's FAQ pasted", base="model:q03_faq")
add("02-off-1", E, "off_topic_numbers", "a bike-sharing press release reusing the numbers",
    split="holdout",
    text="""# Know the fare before you ride: exact fares on every bike

City riders can now see exactly what a ride will cost before they unlock a bike.

SEATTLE, 1 June 2026 -- CityBikes today launched exact fares on every bike dock. Each dock
screen now shows the final fare, tax included, for a 30-minute or a day ride.

Until now, docks showed only a starting fare, and riders found out the real cost at the
end of the ride. Last quarter, 1 in 6 rides ended with a complaint about the fare. In a
four-week pilot with 5% of riders, fare complaints fell from 17% to 9%, and support calls
fell by 60%.

"Nobody likes a surprise at the end of a ride," said Dana Okafor, head of CityBikes.
Exact fares are available today in all 12 cities CityBikes serves.""")
add("02-hon-1", E, "honest_spelled", "the press release with numbers spelled out and reordered",
    honest=True,
    text="""# See what you will pay before you click

Video store customers can now see the exact price of every way to watch a film or series,
or that it is already in their plan, right on the title page.

SEATTLE, 1 June 2026 -- The video store today launched exact prices on every title page,
in all twelve countries it serves, on TVs, phones, tablets and the web. Each option is
listed with its final price, tax included, and the price you click is the price you pay.

In a four-week pilot with five percent of customers, checkout abandonment on rentals fell
from 17% to 9%, and support contacts about price differences fell by 60%. Until now a
title page showed only a starting price, such as "Rent from $2.99", and last quarter one
in six rentals that reached checkout was abandoned at the step where the final price first
appeared.

A page might now list "Included with your plan", "Rent in HD: $3.99 for 48 hours" and "Buy
in 4K: $14.99". If a title is in your plan, that option comes first.

"Our customers told us the price they saw was not always the price they paid," said Dana
Okafor, head of the video store. "Now it is."

"I can see what 4K costs before I decide," said Tom Berg, a customer from Leeds.

There is nothing to install: open any title page and choose how you want to watch.""")

# =========================================================================== module 04
E = "04-input-metrics/q04_input_metrics"
M = "model:q04_input_metrics"
add("04-inv-1", E, "invented_numbers", "plan with today's baselines invented", base=M,
    edits=[("Today it is 92%", "Today it is 85%"), ("Today\nit is 620 ms", "Today\nit is 900 ms"),
           ("about 40% of weekly rentals", "about 65% of weekly rentals")])
add("04-inv-2", E, "invented_numbers", "plan with a baseline invented", base=M, split="holdout",
    edits=[("Today it is 99.1%", "Today it is 97.5%")])
add("04-other-1", E, "other_exercise", "module 9's vision outline pasted",
    base="model:q09_vision_outline")
add("04-off-1", E, "off_topic_numbers", "a hospital plan reusing the numbers", split="holdout",
    text="""Today the clinic reports one number each week: patients seen within a day, about
40% of weekly visits. That is an output. Over the next two years we will manage three
inputs instead.

First, appointment coverage: the share of calls that end with a booked slot. Today it is
92%; our goal is 96% by June 2026.

Second, waiting-room time at the 99th percentile: today it is 620 minutes a week in total,
and the target is 300 by June 2026.

Third, the share of prescriptions filled correctly the first time: today it is 99.1%, and
the target is 99.8% by December 2025. In March 2026 we will test each input in one ward.""")
add("04-hon-1", E, "honest_reworded", "the plan in other words", honest=True,
    text="""The search team reports one output each week: rentals that started from a
search, about 40% of weekly rentals in March 2025. It moves slowly and we cannot act on it
directly, so for the next two years we will manage three inputs we control.

Search coverage, the share of searches that find a title to rent or buy, is 92% today; we
aim for 96% by June 2026 by licensing the titles customers looked for and did not find.
We believe a search that finds nothing ends without a rental.

Search speed: 99 in 100 result pages load within 620 ms today; the target is 300 ms by June
2026, on the hypothesis that customers who wait leave.

Price accuracy: 99.1% of title pages show an accurate price before the click; with the
offers team we target 99.8% by December 2025.

From September 2025 all three go on the weekly business review. In March 2026 we test each
input in one region and check whether rentals from search move; an input that moves
without moving rentals is replaced.""")

# =========================================================================== module 01
E = "01-start-with-the-customer/q01_rewrite"
M = "model:q01_rewrite"
add("01-inv-1", E, "invented_numbers", "the rewrite with faster numbers invented", base=M,
    edits=[("within 60 seconds", "within 5 seconds"), ("within 0.3 seconds", "within 0.1 seconds")])
add("01-inv-2", E, "invented_numbers", "the before-and-after numbers invented", base=M,
    split="holdout", edits=[("down from 0.5 seconds", "down from 2 seconds")])
add("01-noun-1", E, "wrong_nouns", "the two speeds swapped", base=M,
    edits=[("within 60 seconds instead", "within 0.3 seconds instead"),
           ("appears within 0.3 seconds", "appears within 60 seconds")])
add("01-off-1", E, "off_topic_numbers", "a bus timetable text with the same numbers",
    text="""Know when your bus comes

Riders now see the real arrival time of every bus at their stop.

When a bus is late, its new time now reaches every stop display within 60 seconds instead
of the next morning's timetable. For 99 in 100 stops, the time appears within 0.3 seconds,
down from 0.5 seconds. The time you see is the time the bus arrives.""")
add("01-near-1", E, "near_copy", "the engineering note from the prompt with small edits",
    text="""We moved the offers service to a new event-driven architecture and cut its p99
latency from 480 ms to 140 ms. Customers get a much faster service now.""")
add("01-other-1", E, "other_exercise", "the worked press release of module 2 pasted",
    base="nb:02-press-release:example", split="holdout")
add("01-hon-1", E, "honest_spelled", "numbers spelled out, facts reordered", honest=True,
    text="""Prices that are always up to date

Video store customers see the current price of every title, sales included, as soon as
they open its page.

For ninety-nine in a hundred visits, the price shows within 0.3 seconds of the page
opening, down from half a second, on a TV, phone or browser. A new sale now reaches every
title page within sixty seconds, not the next morning. What you see on the page is what
you pay at checkout.""")
add("01-hon-2", E, "honest_reworded", "other words, one number", honest=True,
    split="holdout",
    text="""Sale prices the moment the sale begins

Anyone renting or buying from the video store now sees today's price, discounts included,
the moment a title page opens.

Sales reach every title page in under a minute rather than the next morning, and the
price on the page is the price charged at checkout.""")

# ----------------------------------------------------------- more near copies and nouns
add("02-we-1", E := "02-press-release/q02_press_release", "worked_example",
    "the worked Continue Watching press release pasted", base="nb:02-press-release:example")
add("02-near-1", E, "near_copy", "the worked press release with the product renamed",
    split="holdout", base="nb:02-press-release:example",
    edits=[("Continue Watching", "Exact Prices"), ("BRISTOL, 14 April 2026", "SEATTLE, 1 June 2026")])
add("03-we-1", "03-faq/q03_faq", "worked_example", "the worked Continue Watching FAQ pasted",
    base="nb:03-faq:example")
add("03-near-1", "03-faq/q03_faq", "near_copy", "the worked FAQ with the product renamed",
    split="holdout", base="nb:03-faq:example",
    edits=[("Continue Watching", "Exact prices")])
add("04-noun-1", "04-input-metrics/q04_input_metrics", "wrong_nouns",
    "plan with today's numbers on the wrong metrics", base="model:q04_input_metrics",
    edits=[("Today it is 92%", "Today it is 99.1%"), ("Today it is 99.1%", "Today it is 92%")])
add("04-near-1", "04-input-metrics/q04_input_metrics", "near_copy",
    "module 9's vision outline with a few words changed to search",
    base="model:q09_vision_outline",
    edits=[("Offers platform vision", "Search plan"), ("offers service", "search service")])
add("05-near-1", "05-launch-readiness/q05_readiness_faq", "near_copy",
    "module 3's worked FAQ with a few words changed", base="nb:03-faq:example",
    edits=[("Continue Watching", "The new offers service")])
add("05-we-1", "05-launch-readiness/q05_readiness_faq", "worked_example",
    "module 8's worked example pasted", base="nb:08-cross-team-impact:AFTER", split="holdout")
add("07-near-1", "07-learning-from-failure/q07_coe", "near_copy",
    "module 8's worked example with incident words swapped in", base="nb:08-cross-team-impact:AFTER",
    edits=[("harness", "config check"), ("latency rollbacks", "config incidents")])
add("07-noun-2", "07-learning-from-failure/q07_coe", "wrong_nouns",
    "customers and failure share swapped", base="model:q07_coe", split="holdout",
    edits=[("up to 6.5% of offer requests", "up to 12.14% of offer requests"),
           ("1,214\ncustomers", "65\ncustomers")])
add("08-near-2", "08-cross-team-impact/q08_rewrite_summary", "near_copy",
    "the draft to rewrite with numbers from the fact table added",
    text="""Partner dry runs (2023). Before the offers service launched, I organised dry runs
with 4 partner teams. I wrote scripts that replayed traffic against their services and a
run-sheet for each session. I set up a shared channel, ran lots of meetings and fixed the
14 bugs we found. I also helped 2 teammates who were blocked and answered many questions
from other teams. It was a lot of work, but the launch went really smoothly and everyone
was happy.""")
add("09s-near-1", "09-readiness-over-time/q09_work_summary", "near_copy",
    "module 8's worked example with a few words changed", base="nb:08-cross-team-impact:AFTER",
    edits=[("harness", "kit"), ("load-test step", "dry-run step")], split="holdout")
add("09v-noun-1", "09-readiness-over-time/q09_vision_outline", "wrong_nouns",
    "today's numbers on the wrong things", base="model:q09_vision_outline",
    edits=[("Each of our 4 markets", "Each of our 3 markets"),
           ("instead of 3 months", "instead of 4 months")])
add("09v-near-1", "09-readiness-over-time/q09_vision_outline", "near_copy",
    "module 4's plan with a few words changed", base="model:q04_input_metrics",
    edits=[("search team", "offers team")])
add("09s-noun-2", "09-readiness-over-time/q09_work_summary", "wrong_nouns",
    "kit numbers moved to the wrong nouns", base="model:q09_work_summary", split="holdout",
    edits=[("about 3 days", "about 2 days"), ("coached 2 teammates", "coached 3 teammates")])
add("03-hon-2", "03-faq/q03_faq", "honest_spelled", "internal FAQ answers with numbers spelled",
    honest=True, split="holdout",
    text="""## External FAQ

Will I pay more to see exact prices?
No. Every customer gets them at no extra cost.

Is tax included?
Yes, in ten of the twelve countries we serve. In the other two, pages show the price
before tax, and say so, until 1 September 2026.

## Internal FAQ

How big is the opportunity?
Eight million customers a month open a title page with a rent or buy option, and about
3.75 million rentals a month reach checkout.

What does it cost?
About two billion price calculations a month, which add about $40,000 a month in
computing.

What must other teams deliver?
Checkout uses the title page's price calculation from 1 May 2026, and TV app version 8
must reach 95% of TVs before launch.""")
add("05-hon-2", "05-launch-readiness/q05_readiness_faq", "honest_reworded",
    "a shorter FAQ in other words", honest=True, split="holdout",
    text="""Q: Are we ready for holiday traffic?
Yes. The service keeps its p99 within the 200 ms service-level agreement (SLA) up to the
load level the test found, and our expected peak of 1,100 requests per second times 1.5 is
1,650, which is below it.

Q: What did rehearsing with partner teams change?
Two dry runs with 4 partner teams found 14 integration bugs, all fixed. Checkout's client
now waits 300 ms instead of timing out after 150 ms, and search retries once with backoff
instead of 3 times.

Q: How fast can we roll back?
A feature flag returns traffic to the old service; in the second dry run it took 4
minutes.

Q: What is left?
The data platform team raises the database pool size by 8 September, because the pool is
full at 1,800 requests per second. We launch on 13 September only if the open items are
done.""")
add("04-hon-2", "04-input-metrics/q04_input_metrics", "honest_reordered",
    "the plan with its metrics in another order", honest=True, split="holdout",
    text="""Three inputs we control will drive our plan for the next two years, instead of
the one output the search team reports today (rentals that started from a search, about
40% of weekly rentals).

Price accuracy comes first: 99.1% of title pages show an accurate price before the click,
and together with the offers team we aim for 99.8% by December 2025.

Search speed: 99 in 100 result pages load within 620 ms today; our target is 300 ms by June
2026, because we believe customers who wait leave.

Search coverage: 92% of searches find a title to rent or buy; our goal is 96% by June 2026,
by licensing titles that customers looked for and did not find.

All three join the weekly business review by September 2025, and in March 2026 we test
each input in one region to see whether rentals from search move.""")
add("07-hon-2", "07-learning-from-failure/q07_coe", "honest_spelled",
    "the COE with spelled numbers and the timeline first", honest=True, split="holdout",
    text="""Timeline (UTC), 14 March 2025:
- 13:52 The config push sent the new promotion rules to every host at once.
- 13:53 Offer errors started to climb: customer impact began.
- 14:11 The error-rate alarm paged on-call, eighteen minutes after impact began.
- 14:38 The rollback completed and impact ended, 44.5 minutes after it began.
- 17:31 Corrected rules were live in all regions; the incident closed 217.5 minutes after
  impact began.

Summary: the promotion rules left out the currency for two marketplaces, so the offers
service could not price promotion titles and customers saw errors or a price of 0.00.

Customer impact: up to 6.5% of offer requests failed, and 1,214 customers in two
marketplaces saw a price of 0.00. Nobody was charged a price other than the one shown at
payment.

Root cause: the pipeline checked syntax but not required fields, because config was
treated as data rather than code: no schema tests and no region-by-region rollout.

Action items:
- Add a required-fields check per marketplace to the config pipeline (owner: pricing
  platform team, due 2025-03-28).
- Roll config out region by region with automatic rollback (owner: deployment tools team,
  due 2025-04-18).
- Page on offer errors within three minutes instead of fifteen (owner: offers service
  team, due 2025-03-21).""")
add("09v-hon-2", "09-readiness-over-time/q09_vision_outline", "honest_spelled",
    "the vision with spelled numbers", honest=True, split="holdout",
    text="""Offers platform vision, 2025 to 2027.

Today every price request is answered within 140 ms at the 99th percentile (p99). Each of
our four markets keeps its own price rules in the legacy offers interface, and in new
markets two percent of the prices customers see differ from the checkout price.

By 2027 customers in every market see one price that matches checkout, and a new market
launches its pricing in weeks rather than about three months.

Phase 1 (H1 2025): catalog and payments move to the shared price-event schema. Phase 2
(2026): regional pricing runs on the platform. Phase 3 (by the end of 2027): all four
markets run on it and the legacy interface is switched off.""")


def models() -> dict[str, str]:
    """The model answer of every prose-checked exercise, by answer grade_id."""
    found = {}
    for folder in sorted(p for p in (ROOT / "solutions").iterdir() if p.is_dir()):
        for spec in prose_scores.specs_for(folder):
            nb = nbformat.read(folder / f"{spec.notebook}.ipynb", as_version=4)
            source = prose_scores.answer_source(nb, spec.answer_id) or ""
            m = re.search(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", source, re.S)
            if m:
                found[spec.answer_id] = m.group(1).strip()
    return found


def notebook_text(module: str, variable: str) -> str:
    """The string a notebook of ``module`` assigns to ``variable`` (a worked example)."""
    for path in sorted(glob.glob(str(ROOT / "solutions" / module / "*.ipynb"))):
        for cell in nbformat.read(path, as_version=4).cells:
            m = re.search(rf'^{variable} = """\n(.*?)"""', cell.source, re.S | re.M)
            if m:
                return m.group(1).strip()
    raise KeyError(f"{module}: no {variable}")


def text_of(record: dict, model: dict[str, str]) -> str:
    if record["text"]:
        return record["text"].strip()
    kind, _, rest = record["base"].partition(":")
    text = model[rest] if kind == "model" else notebook_text(*rest.split(":"))
    for old, new in record["edits"]:
        if old not in text:
            raise SystemExit(f"{record['id']}: the text to edit is gone: {old!r}")
        text = text.replace(old, new)
    return text


def main() -> int:
    model = models()
    rows = [{"id": r["id"], "exercise": r["exercise"], "category": r["category"],
             "honest": r["honest"], "split": r["split"], "text": text_of(r, model),
             "note": r["note"]} for r in R]
    path = Path(__file__).with_name("answers.jsonl")
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")
    print(f"wrote {path} ({len(rows)} answers, {sum(r['honest'] for r in rows)} honest)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
