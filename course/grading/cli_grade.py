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


def exit_status(outcomes: list[Outcome]) -> int:
    """0 when every submission was handled, 1 when one failed for a grader-side reason.

    A learner's broken submission counts as handled (its problem is in the table).

    >>> broken = Outcome("ben", "08-x", "failed", cause="submission")
    >>> exit_status([Outcome("ada", "08-x", "graded"), broken])
    0
    >>> exit_status([Outcome("ada", "08-x", "graded"), Outcome("cy", "08-x", "failed",
    ...                                                        cause="grader")])
    1
    """
    return 0 if all(o.status in ("graded", "skipped") or o.cause == "submission"
                    for o in outcomes) else 1


def run_grade(args: argparse.Namespace) -> int:
    """Grade a module as the CLI asked; print progress and the summary table.

    Exit status: 0 every submission graded (a learner's broken notebook is graded, with
    its problem listed); 1 some could not be graded for a grader-side reason (in the
    table), another run holds the workspace, or the run was stopped (130/143 after
    SIGINT/SIGTERM); 2 bad input (raised as CourseError, printed by the CLI).
    """
    from course import catalog
    from course.grading.grade import GradingStopped, choose_executor, grade, select_learners
    from course.grading.runlock import WorkspaceBusy
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
    executor, note = choose_executor(getattr(args, "executor", None))
    if sandbox:
        from course.grading.sandbox import probe

        print(probe().describe())
    print(note or f"executor: {executor} " + (
        "(kernels forked from a warm template in each worker)" if executor == "fork"
        else "(a new kernel process per notebook)"))
    bar = None
    if not args.no_progress:
        from tqdm import tqdm

        tqdm.monitor_interval = 0  # no monitor thread: workers are forked
        bar = tqdm(total=len(learners), unit="nb", desc=f"grading {module}", file=sys.stderr)

    def tick(outcome: Outcome) -> None:
        if bar is not None:
            bar.set_postfix_str(outcome.learner)
            bar.update(1)

    def say(message: str) -> None:
        print(message, file=sys.stderr)

    stopped: GradingStopped | None = None
    try:
        outcomes = grade(ws, module, workers=args.workers, learners=learners, force=args.force,
                         cell_timeout=args.cell_timeout, sandbox=sandbox, limits=limits or None,
                         on_result=tick, executor=executor, wait=getattr(args, "wait", False),
                         on_message=say)
    except WorkspaceBusy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except GradingStopped as exc:
        stopped, outcomes = exc, exc.outcomes
    finally:
        if bar is not None:
            bar.close()
    print(summary_table(outcomes))
    counts = {name: sum(o.status == name for o in outcomes)
              for name in ("graded", "skipped", "failed", "not graded")}
    broken = sum(o.status == "failed" and o.cause == "submission" for o in outcomes)
    print(f"{counts['graded']} graded, {counts['skipped']} already graded (use --force to "
          f"redo), {counts['failed']} failed ({broken} broken submissions, "
          f"{counts['failed'] - broken} grader-side)"
          + (f", {counts['not graded']} not graded" if counts["not graded"] else ""))
    if stopped is not None:
        print(f"error: {stopped.reason}", file=sys.stderr)
        return stopped.exit_code
    return exit_status(outcomes)
