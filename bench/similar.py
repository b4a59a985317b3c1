"""Benchmark: ``wbcourse similar`` on 1,000 synthetic submissions of module 08.

Builds a grading workspace with N submissions of module 08 (cross-team impact). Every
learner answers Exercise D (rewrite the dry-run summary) with the exercise's facts in
their own words: each fact is phrased from one of several sentence patterns with
interchangeable openings, verbs, objects and time phrases, half the words that have
near-synonyms are swapped for one, the facts come in a random order and a few personal
sentences are mixed in. Then it plants known copies (about 6% of the cohort):

* families of 2 to 4 learners who pass one answer around, each copy edited a little:
  per word, a typo 5%, a swapped word 6% (of the words with a swap), an inserted word
  3%, a dropped word 2%, a change of case 3%; a sentence moved (40% of copies), dropped
  (30%) or added (30%); commas turned into semicolons (50%);
* learners who paste the worked example's AFTER text (lightly edited) or hand in the
  draft from the prompt (unchanged or lightly edited).

The closed answers (labels, one letter) are the right ones or random ones. It times
``wbcourse similar 08 --json`` end to end (a fresh process: imports and reading every
notebook included), and as a floor in the same run, reading the same notebooks with
nbformat. It prints recall and precision on the planted copies and the number of flags
between independent answers.

    python bench/similar.py [--learners 1000] [--seed 21] [--keep DIR]
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MODULE = "08-cross-team-impact"
NOTEBOOK = "cross-team-impact"
QUESTION = "q08_rewrite_summary"
BIN = Path(sys.executable).parent

# ----------------------------------------------------------------------- honest answers
# Each fact: sentence patterns; {a|b|c} picks one option at random. Learners writing
# independently pick openings, verbs, word order and number style on their own, so two
# independent answers rarely share more than a fact's own words.
_WHEN_H2 = "{in the second half of 2023|in H2 2023|during the second half of 2023|in late 2023}"
_WHEN_H1 = "{in the first half of 2024|in H1 2024|by mid-2024|during the first half of 2024}"
_ORG = "{across the org|across our organisation|org-wide|in our org|throughout the org}"
_FELL = "{fell|dropped|went down|decreased|came down}"
FACTS = [
    [f"{{Launch-week incidents|Incidents in launch week|Launch incidents|Incidents during "
     f"launch week}} {{caused by|that came from|due to|traced to|rooted in}} integration bugs "
     f"{_FELL} from {{7|seven}} {_WHEN_H2} to {{1|one|a single one}} {_WHEN_H1}{{ {_ORG}|}}.",
     f"{{{_ORG.capitalize()}|Over the following year|Within a year}}, {{we|the teams}} "
     f"{{went from|moved from|cut|reduced}} {{7|seven}} launch-week incidents {{caused by|"
     f"rooted in|from|linked to}} integration bugs {{to just 1|down to 1|to a single one|to "
     f"one}} between {{late 2023|the second half of 2023|H2 2023}} and {{mid-2024|the first "
     f"half of 2024|H1 2024}}.",
     f"{{The number of|The count of}} launch-week incidents {{that came from|caused by|"
     f"stemming from}} integration bugs {{{_ORG} |}}{_FELL} {{sharply |steadily |}}from "
     f"{{7|seven}} to {{1|one}} between {{H2 2023|late 2023}} and {{H1 2024|mid-2024}}.",
     "{Our work paid off|It worked|The result shows}: {only one|just 1|a single} launch-week "
     "incident {in H1 2024|in the first half of 2024|by mid-2024} came from integration bugs, "
     "{against|compared with|down from} {seven|7} {in H2 2023|in late 2023|the half-year "
     "before}.",
     "{I am proudest of the outcome|The headline is the outcome|What changed most}: "
     "integration bugs {now cause|caused} {1|one} launch-week incident {per half-year|in H1 "
     "2024|in early 2024}, {where|when} they caused {7|seven} {in H2 2023|a half-year "
     "earlier|the half before}."],
    ["{Our|The|My} dry runs with {4|four} partner teams {caught|found|surfaced|exposed|turned "
     "up} {14|fourteen} integration bugs {before|ahead of|prior to} {the offers service "
     "launched|the launch|our launch|go-live} {in September 2023|that September|}.",
     "{Before launch|Ahead of the September 2023 launch|Prior to going live|Before we "
     "shipped}, {four|4} partner teams {joined|took part in|went through|ran} {dry runs|"
     "rehearsals|dry-run sessions} {that|which} {uncovered|caught|flagged|revealed} "
     "{14|fourteen} integration {bugs|defects|issues}.",
     "{Fourteen|14} integration bugs {were caught|were found|surfaced} {early|in advance|"
     "before launch} {because|since|as} {4|four} partner teams {rehearsed|practised|did dry "
     "runs} with us {first|beforehand|ahead of time}.",
     "{Fourteen|14} bugs in {our|the} integrations {showed up|appeared|came to light} "
     "{during|in} the dry runs {I ran|I organised|we held} with {four|4} partner teams {ahead "
     "of|before} {go-live|launch|the September 2023 launch}.",
     "{I|We} {rehearsed|practised|tested} the launch with {four|4} partner teams{ in August "
     "and September 2023| over the summer of 2023|}, and {that|this} {caught|turned "
     "up|exposed} {14|fourteen} integration bugs {early|before customers saw them|in time}."],
    ["{The launch month|September 2023|Our launch month|The month of the launch} {had|saw|"
     "ended with|passed with|brought} {zero|no} partner-facing incidents.",
     "{Not one|No} partner-facing incident {happened|occurred|was reported|came up} "
     "{in the month we launched|during the launch month|in September 2023|that month}.",
     "{Partners|Partner teams|Our partners} {saw|hit|reported} {zero|no} incidents "
     "{in the launch month|during launch month|that September}.",
     "{There were|We had|We saw} {zero|no} partner-facing incidents {after|following} {the "
     "launch|go-live|launch} {in September 2023|that month|in the first month}."],
    ["In October 2023 I {packaged|turned|bundled|converted|wrapped} the replay scripts and "
     "{the |our |}run-sheet {into|as} a {dry-run kit|reusable kit|shared kit|kit}{: a "
     "command-line tool, a checklist and a one-page guide| with a CLI, a checklist and a "
     "short guide|, which has a tool, a checklist and a guide| made of a tool, a checklist "
     "and a guide|}.",
     "{Afterwards|After launch|That October|A month later}, I {made|built|put together|"
     "assembled} a {reusable |shared |}kit {from|out of} {my|our|the} {scripts and "
     "run-sheet|replay scripts and session run-sheet|launch scripts and checklists}, "
     "{with|including|containing} a command-line tool, a checklist and a {one-page |short |"
     "brief |}guide.",
     "The {dry-run |}kit {I built|I packaged|I created} in October 2023 {has|bundles|"
     "combines} {three|3} parts: a {command-line |CLI |}tool, a checklist and a "
     "{one-page |short |}guide.",
     "{To make this repeatable|So that others could reuse it|To spread the practice}, I "
     "{turned|packaged|converted} {my|the} scripts and run-sheet into a kit {in October "
     "2023|that October|a month after launch}{: a tool, a checklist and a guide| (tool, "
     "checklist, guide)|}."],
    ["{Since|From|Starting in} January 2024 the {org's |}launch-readiness review {has "
     "required|requires|has made mandatory|insists on} a dry run {done |completed |run |}with "
     "the kit.",
     "{The|Our|Our org's} launch-readiness review {made|turned} {running|completing|doing} a "
     "dry run with the kit {into |}a required item {in January 2024|from January 2024|at "
     "the start of 2024}.",
     "{A dry run with the kit|Using the kit for a dry run|Running the kit} {became|has been|"
     "is now} {a required|a mandatory|an obligatory} {item|step|check} {of|in} the "
     "launch-readiness review {since|from} January 2024.",
     "{I proposed|I pushed for|I argued for} {adding|making} the kit {to|part of} the "
     "launch-readiness review, {and|which} {it became|made it} a required {item|step} in "
     "January 2024."],
    ["{Between January and June 2024|In the first half of 2024|By June 2024|Over the first "
     "six months of 2024}, {5|five} other teams{ (payments, catalog, playback, search and "
     "ads)|, including payments and search,| such as catalog and ads|} {used|adopted|"
     "relied on|ran|picked up} the kit for {11|eleven} launches.",
     "{Five|5} teams {outside ours|outside mine|beyond my own|in other parts of the org} "
     "{have used|ran|adopted|took up} the kit {for|across|on|in} {11|eleven} launches "
     "{this year|in 2024|so far|by June}.",
     "{Eleven|11} launches {by|from|across} {five|5} other teams {have used|relied on|went "
     "through} the kit{ since January| this year| in 2024|}.",
     "{Adoption spread|Other teams followed|Word got around}: {payments, catalog, playback, "
     "search and ads|five teams|5 teams} {used|ran} the kit {for|across} {11|eleven} launches "
     "{in the first half of 2024|by June 2024|between January and June}."],
    ["{Every month|Each month|Monthly} I {review|go through|read|examine} {every|each|all "
     "the} kit {report|reports} at the {monthly |}launch review, and {these|the|those} "
     "reviews {have led to|produced|drove|resulted in} {3|three} improvements {to|in} the "
     "kit.",
     "I {inspect|check|audit} the kit reports {every month|monthly|once a month} {at|during|"
     "in} the launch review; {three|3} {improvements|fixes|changes} to the kit {came out of|"
     "followed from|resulted from} {it|those reviews|that inspection}.",
     "{Three|3} {improvements|fixes|upgrades} to the kit {came|followed} from {my|the} "
     "{monthly|regular} {review|inspection|check} of kit reports at the launch review.",
     "{To keep it working|To inspect it|So that it stays useful}, I {look at|review|read} "
     "{every|each} kit report {monthly|each month|once a month}{ in the launch review| at the "
     "launch review|}, {which|and this} {has led to|produced|gave us} {three|3} {kit "
     "improvements|improvements|fixes} so far."],
    ["{Teams|Other teams|Adopting teams|The teams using it} {report|say|tell us|have told "
     "me} that setting up a dry run {now |}takes half a day instead of about {3|three} days.",
     "{Setting up|Preparing|Getting ready for} a dry run {went from|dropped from|shrank from|"
     "fell from} about {three|3} days to half a day{ for the teams using it|, according to "
     "those teams|, teams say|}.",
     "{Half a day|Only half a day} {is now enough|now suffices|is all it takes} to set up a "
     "dry run, {down from|instead of|compared with} about {three|3} days{, the teams "
     "report| before the kit|}.",
     "{The kit|It} {cut|shortened|reduced} {dry-run setup|the setup of a dry run|setup time} "
     "from about {3|three} days to half a day{, teams report|, according to the teams| for "
     "adopting teams|}."],
    ["I {taught|trained|coached|showed} {4|four} teammates {to run|how to run|to operate} "
     "the kit, so {they now run dry runs without me|dry runs no longer depend on me|the work "
     "does not wait for me|I am no longer the bottleneck}.",
     "{Four|4} teammates {now run|can now run|run|lead} dry runs {on their own|without me|"
     "independently} {after I taught them|since I trained them|because I coached them|"
     "after some coaching}.",
     "{Dry runs|The dry runs} no longer {depend on|need|wait for} me: I {taught|trained|"
     "coached} {four|4} teammates to run {the kit|them}.",
     "{I also|And I} {taught|coached|trained} {four|4} {teammates|colleagues|people on my "
     "team}, {who|and they} now run {the|their} dry runs {without me|on their own|alone}."],
]
VOICE = [
    "{My role was|I was responsible for|I owned|I led} {the dry-run effort|partner testing|"
    "the dry runs|the partner rehearsals} for the {offers service|offers-service launch|"
    "offers rewrite}.",
    "{Looking back|In hindsight|On reflection|With hindsight}, the {kit|checklist|"
    "inspection step|required review item} {mattered more than|did more than|counted for "
    "more than|was worth more than} {the scripts|any single fix|the meetings|the launch "
    "itself}.",
    "{Next|In the coming quarter|Going forward|From here}, I {plan to|want to|intend to|"
    "will} {measure|track|report|publish} {setup time|incident counts|adoption|kit usage} "
    "{per launch|each quarter|for every team|monthly}.",
    "{This|That} {matters|is important|counts} because {partner teams|other teams|the "
    "wider org} {no longer|do not} {have to|need to} {start from scratch|reinvent dry "
    "runs|build their own tooling}.",
]
# Independent writers also differ word by word: each learner words a sentence with their
# own choice among near-synonyms (a template alone would make twins of two learners who
# happen to pick the same options).
SYNONYMS = [
    ("built", "created", "developed"), ("teams", "groups", "squads"),
    ("reports", "write-ups", "results"), ("improvements", "upgrades", "enhancements"),
    ("bugs", "defects", "faults"), ("found", "caught", "detected", "spotted"),
    ("launches", "releases", "rollouts"), ("incidents", "outages", "problems"),
    ("now", "today", "these days"), ("every", "each"), ("kit", "toolkit"),
    ("guide", "handbook", "manual"), ("taught", "trained", "coached", "showed"),
    ("teammates", "colleagues", "peers"), ("required", "mandatory", "compulsory"),
    ("about", "roughly", "around", "approximately"),
    ("instead of", "rather than", "compared with"), ("monthly", "every month"),
    ("fell", "dropped", "declined", "shrank"), ("other", "additional", "further"),
    ("adopted", "took up", "embraced"), ("setting up", "preparing", "organising"),
    ("before", "ahead of", "prior to"), ("my", "our"),
    ("dry runs", "rehearsals", "trial runs"), ("dry run", "rehearsal", "trial run"),
    ("launch month", "release month", "month of launch"), ("in advance", "early"),
    ("So that", "In order that"), ("Afterwards", "Later", "After that"),
]
_SYNONYM_OF = {w: group for group in SYNONYMS for w in group}
_PHRASE = re.compile(r"\b(?:" + "|".join(sorted((re.escape(w) for w in _SYNONYM_OF),
                                                 key=len, reverse=True)) + r")\b")


def _vary(sentence: str, rng: random.Random, rate: float = 0.5) -> str:
    """Reword ``sentence`` the way one writer differs from another (near-synonyms)."""
    def swap(m: re.Match) -> str:
        word = m.group(0)
        return rng.choice(_SYNONYM_OF[word]) if rng.random() < rate else word

    return _PHRASE.sub(swap, sentence)


_OPTION = re.compile(r"\{([^{}]*)\}")


def _fill(pattern: str, rng: random.Random) -> str:
    while "{" in pattern:  # innermost choices first
        pattern = _OPTION.sub(lambda m: rng.choice(m.group(1).split("|")), pattern)
    return pattern


def honest_answer(rng: random.Random) -> str:
    """One learner's rewrite: the outcome first, then 5 to 8 other facts in any order."""
    lead = _fill(rng.choice(FACTS[0]), rng)
    rest = rng.sample(FACTS[1:], rng.randint(5, len(FACTS) - 1))
    sentences = [lead] + [_fill(rng.choice(f), rng) for f in rest]
    for pattern in rng.sample(VOICE, rng.randint(0, 2)):
        sentences.insert(rng.randint(1, len(sentences)), _fill(pattern, rng))
    sentences = [_vary(s, rng) for s in sentences]
    return _wrap(" ".join(sentences))


def _wrap(text: str, width: int = 88) -> str:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "\n".join([*lines, line])


# ------------------------------------------------------------------------ planted copies
SWAPS = {"the": "our", "and": "plus", "now": "today", "kit": "toolkit", "teams": "groups",
         "launch": "release", "review": "meeting", "found": "discovered", "I": "we",
         "every": "each", "fell": "decreased", "other": "more", "used": "employed"}
FILLERS = ["really", "also", "actually", "clearly", "then"]


def near_copy(text: str, rng: random.Random) -> str:
    """``text`` with the small edits a copier makes to hide a copy."""
    sentences = re.split(r"(?<=[.!?])\s+", " ".join(text.split()))
    if len(sentences) > 3 and rng.random() < 0.4:  # move a sentence
        s = sentences.pop(rng.randrange(1, len(sentences)))
        sentences.insert(rng.randrange(0, len(sentences)), s)
    if len(sentences) > 5 and rng.random() < 0.3:  # drop one
        sentences.pop(rng.randrange(len(sentences)))
    if rng.random() < 0.3:  # add one of their own
        sentences.append(_fill(rng.choice(VOICE), rng))
    words = []
    for word in " ".join(sentences).split():
        roll = rng.random()
        core = word.strip(".,;:")
        if roll < 0.05 and len(core) > 3:  # a typo: two letters swapped (5%)
            i = rng.randrange(len(core) - 1)
            word = word.replace(core, core[:i] + core[i + 1] + core[i] + core[i + 2:], 1)
        elif 0.05 <= roll < 0.11 and core in SWAPS:  # a word swapped (6% of those)
            word = word.replace(core, SWAPS[core], 1)
        elif 0.11 <= roll < 0.14:  # a word inserted (3%)
            words.append(rng.choice(FILLERS))
        elif 0.14 <= roll < 0.16:  # a word dropped (2%)
            continue
        if rng.random() < 0.03:
            word = word.upper() if rng.random() < 0.5 else word.capitalize()
        words.append(word)
    out = " ".join(words)
    if rng.random() < 0.5:
        out = out.replace(",", ";")
    return _wrap(out, rng.choice([70, 88, 100]))


# ------------------------------------------------------------------------------- cohort
def notebook_texts() -> tuple[str, str]:
    """(the worked example's AFTER text, the prompt's draft) from the released notebook."""
    import nbformat

    from course import paths

    nb = nbformat.read(paths.exercises_dir() / MODULE / f"{NOTEBOOK}.ipynb", as_version=4)
    after = draft = None
    for cell in nb.cells:
        found = re.search(r'AFTER = """(.*?)"""', cell.source, re.S)
        if found:
            after = found.group(1).strip()
        if "first draft" in cell.source:
            quoted = [ln[2:] for ln in cell.source.splitlines() if ln.startswith("> ")]
            draft = " ".join(quoted).split("** ", 1)[-1]
    if not after or not draft:
        raise SystemExit(f"cannot find the worked example or the draft in {MODULE}")
    return after, draft


def build_cohort(ws: Path, n: int, seed: int) -> tuple[set[frozenset], set[str]]:
    """Write N submissions; return (planted learner pairs, planted notebook copiers)."""
    from course import paths

    rng = random.Random(seed)
    released = json.loads((paths.exercises_dir() / MODULE / f"{NOTEBOOK}.ipynb").read_text())
    after, draft = notebook_texts()
    names = [f"learner{i:04d}" for i in range(n)]
    answers: dict[str, str] = {}
    pairs: set[frozenset] = set()
    copiers: set[str] = set()
    pool = iter(rng.sample(names, len(names)))
    families = max(1, n * 6 // 100)  # about 6% of the cohort hands an answer around
    for size in [2] * (families * 3 // 4) + [3] * (families // 6) + \
            [4] * (families - families * 3 // 4 - families // 6):
        family = [next(pool) for _ in range(size)]
        source = honest_answer(rng)
        answers[family[0]] = source
        for member in family[1:]:
            answers[member] = near_copy(source, rng)
        pairs.update(frozenset(p) for p in itertools.combinations(family, 2))
    for i in range(max(2, n // 50)):  # 2%: the worked example or the draft
        learner = next(pool)
        if i % 2 == 0:
            answers[learner] = near_copy(after, rng)
        else:
            answers[learner] = draft if i % 4 == 1 else near_copy(draft, rng)
        copiers.add(learner)
    for learner in pool:
        answers[learner] = honest_answer(rng)
    for learner in names:
        nb = json.loads(json.dumps(released))
        for cell in nb["cells"]:
            gid = cell["metadata"].get("nbgrader", {}).get("grade_id")
            if gid == QUESTION:
                cell["source"] = f'draft = """\n{answers[learner]}\n"""\n'
            elif gid == "q08_mechanism":
                cell["source"] = f'mechanism_choice = "{rng.choice("ABCCCD")}"\n'
            elif gid == "q08_classify":
                labels = {k: rng.choice(["activity", "impact"]) for k in range(1, 9)}
                cell["source"] = f"labels = {labels!r}\n"
        folder = ws / "submitted" / learner / MODULE
        folder.mkdir(parents=True)
        (folder / f"{NOTEBOOK}.ipynb").write_text(json.dumps(nb, indent=1), encoding="utf-8")
    return pairs, copiers


def _read_floor(ws: Path) -> float:
    import nbformat

    start = time.perf_counter()
    for path in sorted((ws / "submitted").glob(f"*/{MODULE}/*.ipynb")):
        nbformat.read(path, as_version=4)
    return time.perf_counter() - start


def _timed(cmd: list[str]) -> tuple[subprocess.CompletedProcess, float, float]:
    """(result, wall seconds, CPU seconds of the command and its children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return done, wall, cpu


def _ratio(hit: int, total: int) -> str:
    return f"{hit}/{total} = {hit / total:.3f}" if total else "n/a"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument("--threshold", type=float, help="passed on to wbcourse similar")
    parser.add_argument("--keep", type=Path, help="build the workspace here and keep it")
    args = parser.parse_args(argv)
    tmp = None
    if args.keep:
        ws = args.keep
        if ws.exists():
            shutil.rmtree(ws)
    else:
        tmp = tempfile.mkdtemp(prefix="bench-similar-")
        ws = Path(tmp) / "ws"
    try:
        subprocess.run([BIN / "wbcourse", "init", str(ws)], check=True, capture_output=True)
        pairs, copiers = build_cohort(ws, args.learners, args.seed)
        print(f"{args.learners} submissions of {MODULE}: {len(pairs)} planted learner pairs, "
              f"{len(copiers)} planted copies of the notebook ({sys.executable})")
        floor = _read_floor(ws)
        cmd = [str(BIN / "wbcourse"), "similar", MODULE, "--workspace", str(ws), "--json"]
        if args.threshold is not None:
            cmd += ["--threshold", str(args.threshold)]
        cold = _timed(cmd)  # runs the released notebook once and caches what it prints
        done, seconds, cpu = _timed(cmd)
        flags = [f for f in json.loads(done.stdout) if f["question"] == QUESTION]
        found = {frozenset(f["learners"]) for f in flags if "notebook" not in f["learners"]}
        notebook = {f["learners"][0] for f in flags if "notebook" in f["learners"]}
        other = [f for f in json.loads(done.stdout) if f["question"] != QUESTION]
        print(f"wbcourse similar --json: {seconds:.2f} s end to end, {cpu:.2f} s CPU "
              f"(target < 10 s for 1,000); the first run, which also runs the released "
              f"notebook once: {cold[1]:.2f} s, {cold[2]:.2f} s CPU")
        print(f"baseline, reading the same notebooks with nbformat: {floor:.2f} s "
              f"(similar takes {seconds / floor:.1f}x that)")
        print(f"learner pairs:   recall {_ratio(len(found & pairs), len(pairs))}, "
              f"precision {_ratio(len(found & pairs), len(found))}")
        print(f"notebook copies: recall {_ratio(len(notebook & copiers), len(copiers))}, "
              f"precision {_ratio(len(notebook & copiers), len(notebook))}")
        planted = {lr for p in pairs for lr in p} | copiers
        false_pairs = [p for p in found - pairs if not p & planted]
        false_notebook = notebook - copiers
        print(f"flags on independent answers: {len(false_pairs)} pair(s), "
              f"{len(false_notebook)} notebook flag(s); flags on closed answers: {len(other)}")
        for f in flags:
            key = frozenset(f["learners"])
            if (key not in pairs and "notebook" not in f["learners"]) or \
                    ("notebook" in f["learners"] and f["learners"][0] not in copiers):
                print(f"  unexpected: {f['learners']} {f['similarity']}")
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
