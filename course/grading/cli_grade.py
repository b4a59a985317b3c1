"""The ``wbcourse grade`` command: progress bar, grading, summary table."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from course.grading.status import Outcome


def summary_table(outcomes: list[Outcome]) -> str:
    """A per-learner table: score, max, time and problems.

    >>> print(summary_table([Outcome("ada", "08-x", "graded", 7.5, 10, 1.2, [])]))
    learner  status  score  max  time  problems
    ada      graded    7.5   10  1.2s  -
    """
    header = ("learner", "status", "score", "max", "time", "problems")
    rows = [
        (o.learner, o.status, f"{o.score:g}", f"{o.max_score:g}", f"{o.seconds:.1f}s",
         "; ".join(o.problems) or "-")
        for o in outcomes
    ]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(header)]
    right = {2, 3, 4}

    def fmt(row) -> str:
        cells = [c.rjust(w) if i in right else c.ljust(w)
                 for i, (c, w) in enumerate(zip(row[:-1], widths[:-1], strict=True))]
        return "  ".join([*cells, row[-1]]).rstrip()

    return "\n".join([fmt(header), *(fmt(r) for r in rows)])


def run_grade(args: argparse.Namespace) -> int:
    """Grade a module as the CLI asked; print progress and the summary table."""
    from course import catalog
    from course.grading.grade import grade, select_learners
    from course.grading.workspace import open_workspace

    module = catalog.get(args.module).id
    ws = open_workspace(Path(args.workspace))
    learners = select_learners(ws, module, args.learner)
    if not learners:
        print(f"no submissions of {module} in {ws.submitted}")
        return 0
    limits = {k: v for k, v in {
        "memory_mb": args.memory_mb, "max_processes": args.max_processes,
        "notebook_timeout": args.notebook_timeout}.items() if v is not None}
    sandbox = not args.no_sandbox
    if sandbox:
        from course.grading.sandbox import probe

        print(probe().describe())
    bar = None
    if not args.no_progress:
        from tqdm import tqdm

        tqdm.monitor_interval = 0  # no monitor thread: workers are forked
        bar = tqdm(total=len(learners), unit="nb", desc=f"grading {module}", file=sys.stderr)

    def tick(outcome: Outcome) -> None:
        if bar is not None:
            bar.set_postfix_str(outcome.learner)
            bar.update(1)

    try:
        outcomes = grade(ws, module, workers=args.workers, learners=learners, force=args.force,
                         cell_timeout=args.cell_timeout, sandbox=sandbox, limits=limits or None,
                         on_result=tick)
    finally:
        if bar is not None:
            bar.close()
    print(summary_table(outcomes))
    graded = sum(o.status == "graded" for o in outcomes)
    skipped = sum(o.status == "skipped" for o in outcomes)
    failed = sum(o.status == "failed" for o in outcomes)
    print(f"{graded} graded, {skipped} already graded (use --force to redo), {failed} failed")
    return 0
