"""``wbcourse demo``: the whole instructor flow on the bundled sample cohorts.

It creates a grading workspace (SQLite gradebook), imports each module's sample cohort,
grades it in parallel, enters the rubric grades the sample specs give for written answers
(as an instructor would in the formgrader), writes feedback pages, a grades CSV and a
cohort report, and prints where everything is.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path


def run_demo(root: Path, modules: list[str] | None = None, workers: int | None = None) -> int:
    """Run the demo into ``root``; return an exit code."""
    from course import catalog, samples
    from course.errors import CourseError
    from course.grading.cli_grade import summary_table
    from course.grading.export import export
    from course.grading.feedback import write_feedback
    from course.grading.grade import GradingStopped, grade
    from course.grading.report import write_report
    from course.grading.workspace import init_workspace

    chosen = [catalog.get(m).id for m in modules] if modules else [m.id for m in catalog.modules()]
    chosen = [m for m in chosen if samples.sample_dirs(m)]
    if not chosen:
        raise CourseError("no sample cohorts found in assets/samples (run 'wbcourse samples')")
    started = time.perf_counter()
    ws = init_workspace(root, modules=chosen)
    print(f"grading workspace: {ws.root} (gradebook {ws.db_url})")
    for module in chosen:
        for learner, folder in samples.sample_dirs(module).items():
            dest = ws.submitted / learner / module
            if dest.exists():
                shutil.rmtree(dest)
            shutil.copytree(folder, dest)
    for module in chosen:
        print(f"\n== {module}")
        try:
            outcomes = grade(ws, module, workers=workers, force=True)
        except GradingStopped as exc:  # a signal, a full disk: say so in one line
            print(summary_table(exc.outcomes))
            print(f"error: {exc.reason}", file=sys.stderr)
            return exc.exit_code
        print(summary_table(outcomes))
        samples.apply_rubric_grades(ws, module)  # the instructor's rubric grading, as given
        write_feedback(ws, module)
        write_report(ws, module, ws.root / "reports" / module)
    csv_path = ws.root / "grades.csv"
    export(ws, csv_path, fmt="csv")
    print(f"\nDone in {time.perf_counter() - started:.0f} s.")
    print(f"  feedback pages: {ws.feedback}/<learner>/<module>/index.html")
    print(f"  grades:         {csv_path}")
    print(f"  cohort reports: {ws.root / 'reports'}/<module>/<module>.html")
    return 0
