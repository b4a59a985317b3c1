"""Golden files of the prose checks: what ``review(...).to_dict()`` returns, frozen.

Three groups, one JSON file each under ``tests/data/prose_golden/``:

* ``eval``: every answer of the labelled set in ``assets/prose_eval/`` (with its topic);
* ``samples``: every prose-checked written answer of the sample cohorts in
  ``assets/samples/`` (the kind and topic its module's solution notebook gives, and the
  points the grader awards);
* ``edge``: edge cases (Markdown, empty sections, very long sentences, non-ASCII text)
  reviewed as every kind.

Regenerate after a deliberate change (and explain every difference in CHANGELOG.md)::

    make goldens          # = .venv/bin/python -m tests.prose_golden --update

``python -m tests.prose_golden`` without ``--update`` prints which cases differ.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN_DIR = ROOT / "tests" / "data" / "prose_golden"
GROUPS = ("eval", "samples", "edge")

_LONG_SENTENCE = (
    "When the offers service rewrite started we had no load tests and no shared checklist "
    + "and the partner teams " * 40
    + "all waited for the same release train, which slipped twice."
)
EDGE_CASES: dict[str, str] = {
    "markdown": (
        "# Offers service rewrite\n\nI **owned** the rewrite. Latency got *significantly* "
        "lower (see [the dashboard](http://x.example/d)).\n\n- Used by `six` teams\n"
        "- Adopted by _three_ partner teams\n1. It cut p99 from 900 ms to 120 ms.\n\n"
        "> A quote block that goes on for a while, said Ann.\n\n| a | b |\n|---|---|\n"
        "| 1 | 2 |\n\n```\ncode very very\n```\n\nSetext heading\n===\n\nLast line.\n"
    ),
    "empty_sections": (
        "# Headline\n\n## Summary\n\n## Problem\n\n## Solution\n\n## FAQ\n\n"
        "Q: Why now?\n\nA:\n\n## Timeline\n\n## Action items\n"
    ),
    "only_headings": "# One\n## Two\n### Three\n",
    "long_sentence": _LONG_SENTENCE,
    "long_text": " ".join(["I led the rewrite and cut p99 from 900 ms to 120 ms."] * 120),
    "non_ascii": (
        "İstanbul teams use it. Straße und Café: 40 % schneller. 東京のチーム used it. "
        "٣٤ teams, €3.2k, £5 a month, Ωmega SLA, naïve façade, ﬁle, Kelvin K sign, "
        "ſtate. Ünïcödé “quotes” — dashes – and… ellipses!"
    ),
    "crlf_and_fences": (
        "Latency is very low.\r\n\r\n```\nvery very very\n```\r\nIt is very good.\r\n"
    ),
    "html_and_links": (
        "<b>Bold</b> text with <a href='x'>a link</a> and <https://example.com>. "
        "An image ![alt text](img.png) and a [ref][1] link.\n\n[1]: http://x\n"
    ),
    "qa_labels": (
        "Q: Does it cost extra?\nA: No.\n\nQ2: How many customers?\nA: About 8 million a "
        "month.\n\nQuestion: Why now?\nAnswer: Complaints rose by 35% this year."
    ),
    "timeline": (
        "14:02 UTC: a config change removed the cache limit.\n14:06 UTC the alarm fired.\n"
        "T+5 paged the on-call. 2024-03-29 we shipped the fix. Dave forgot the flag.\n\n"
        "- Make the limit required. Owner: Offers team. Due: 2024-03-29.\n"
        "- SRE: page when errors stay above 2% for 3 minutes, by 21 March.\n"
    ),
    "keyword_list": "teams library adopted 40% quarter mechanism checklist partner scope",
    "whitespace": " \t a  b -c d- e--f g'h i’ $4 5% 6.7.8 x9 9x a\tb\nc a b \u00a0 \u2003 end.",
    "punctuation": "Really?! Yes. “Quoted.” Next. He said (so). Then... it ended! 3 a.m. Fig. 2.",
    "acronyms": "AT&T, B2B and X-API; éSLA _API 5SLA (SLA) A&&B ÀPI QA’s KPIs API2 A1B2C Ok OK.",
    "numbers": (
        "$ 5 $5 €3.2k ٣٤ x$4 a-b-c don't 12:30:11 1,000,000.5% p99.9 ’tis -x 5_000 2FA "
        "e.g. U.S. It took one hour, a dozen days, a hundred percent, half the teams."
    ),
    "blame": (
        "Bob forgot the flag. Alice's script broke prod. The team failed to check. "
        "Ann didn't. It was careless and Dave's fault. Five whys; 5 WHYS; 5  whys."
    ),
    "named_teams": (
        "We worked with the payments team and the search and the ads teams; for Foo-bar "
        "team. (with the Foo-bar and the x_y team) to  ads team; and the my team."
    ),
}
# (text, topic) cases reviewed as every kind, besides EDGE_CASES without a topic
TOPIC_CASES: dict[str, tuple[str, list[str]]] = {
    "off_topic": (
        "I organised our offsite in Lisbon for 40 people and negotiated a 15% discount. "
        "Two other groups adopted my planning template, and I trained their organisers.",
        ["offers service", "latency", "load test"],
    ),
}


def _kinds() -> tuple[str, ...]:
    from course.prose import KINDS

    return tuple(KINDS)


def eval_cases() -> dict[str, dict]:
    """``id -> review`` for every labelled answer, reviewed as its kind."""
    from course.prose import review

    out = {}
    for path in sorted((ROOT / "assets" / "prose_eval").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rec = json.loads(line)
                out[rec["id"]] = review(rec["text"], rec["kind"], topic=rec.get("topic")).to_dict()
    return out


def sample_cases() -> dict[str, dict]:
    """``module/learner/answer -> {kind, points, review}`` for every prose-checked answer of
    the sample cohorts (the review as the grader runs it; the points it awards)."""
    import nbformat

    from course.grading import prose_scores
    from course.prose import review

    out: dict[str, dict] = {}
    for module in sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir()):
        specs = prose_scores.specs_for(ROOT / "solutions" / module)
        for nb_path in sorted((ROOT / "assets" / "samples" / module).glob("*/*.ipynb")):
            nb = nbformat.read(nb_path, as_version=4)
            for spec in specs:
                if spec.notebook != nb_path.stem:
                    continue
                key = f"{module}/{nb_path.parent.name}/{spec.answer_id}"
                source = prose_scores.answer_source(nb, spec.answer_id)
                text = prose_scores.extract_text(source, spec.variable) if source else None
                points, problem = prose_scores.recompute(spec, nb)
                case: dict = {"kind": spec.kind, "points": points, "problem": problem}
                if text is not None and spec.kind is not None:
                    options = {"topic": list(spec.topic) or None}
                    options.update(_spec_options(spec))
                    case["review"] = review(text, spec.kind, **options).to_dict()
                if nb_path.parent.parent.name.startswith("01-"):
                    # module 1's customer-benefit checklist, as its widget shows it
                    from course.lessons.customer import benefit_checks

                    case["checks"] = [c.passed for c in benefit_checks(text or "")]
                out[key] = case
    return out


def _spec_options(spec: object) -> dict:
    """Further review options a spec carries (rules switched off for the exercise, and its
    context: the facts and key terms of its source notebook)."""
    off = tuple(getattr(spec, "off", ()) or ())
    options: dict = {"off": off} if off else {}
    if getattr(spec, "context", None):
        options["context"] = spec.context
    return options


def edge_cases() -> dict[str, dict]:
    """``case/kind -> review`` for every edge case reviewed as every kind."""
    from course.prose import review

    out = {}
    for kind in _kinds():
        for name, text in EDGE_CASES.items():
            out[f"{name}/{kind}"] = review(text, kind).to_dict()
        for name, (text, topic) in TOPIC_CASES.items():
            out[f"{name}/{kind}"] = review(text, kind, topic=topic).to_dict()
    return out


BUILDERS = {"eval": eval_cases, "samples": sample_cases, "edge": edge_cases}


def path_of(group: str) -> Path:
    return GOLDEN_DIR / f"{group}.json"


def load(group: str) -> dict[str, dict]:
    return json.loads(path_of(group).read_text(encoding="utf-8"))


def dump(cases: dict[str, dict]) -> str:
    return json.dumps(cases, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def differences(group: str, now: dict[str, dict]) -> list[str]:
    """The case ids whose review differs from the golden file (added and removed too)."""
    then = load(group) if path_of(group).exists() else {}
    keys = sorted(set(then) | set(now))
    # compare through JSON so that tuples and lists, ints and floats compare as stored
    now = json.loads(dump(now))
    return [k for k in keys if then.get(k) != now.get(k)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--update", action="store_true", help="rewrite the golden files")
    parser.add_argument("groups", nargs="*", metavar="GROUP", help=f"any of {', '.join(GROUPS)}")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.groups) - set(GROUPS))
    if unknown:
        parser.error(f"unknown group(s): {', '.join(unknown)}")
    changed = 0
    for group in args.groups or GROUPS:
        now = BUILDERS[group]()
        diff = differences(group, now)
        changed += len(diff)
        print(f"{group}: {len(now)} cases, {len(diff)} differ from {path_of(group).name}")
        for key in diff[:50]:
            print(f"  {key}")
        if args.update:
            GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
            path_of(group).write_text(dump(now), encoding="utf-8")
    if args.update:
        print(f"wrote {GOLDEN_DIR.relative_to(ROOT)}/")
        return 0
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
