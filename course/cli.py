"""``wbcourse``: the course's single command-line entry point.

Every command has ``--help``, exits 0 on success and exits 2 with a one-line
``error: ...`` on bad input. Heavy modules are imported inside each command.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from course.errors import CourseError

#: Commands that read the course source (solutions/, hidden tests, rubrics, sample
#: cohorts). A learner install has none of it, so they stop early with one clear line.
NEEDS_SOURCE = frozenset({"release", "init", "grade", "samples", "demo", "feedback", "report"})


def _module_id(name: str) -> str:
    from course import catalog

    return catalog.get(name).id


def _cmd_release(args: argparse.Namespace) -> int:
    from course.release import ReleaseError, release

    modules = [_module_id(m) for m in args.module] if args.module else None
    if args.to_exchange:
        return _publish(args, modules)
    if args.workspace or args.force:
        raise CourseError("--workspace and --force go with --to-exchange")
    try:
        result = release(check=args.check, modules=modules)
    except ReleaseError as exc:
        raise CourseError(str(exc)) from exc
    if args.check:
        if result.stale:
            print("error: exercises/ is stale; run 'wbcourse release'. Differences:",
                  file=sys.stderr)
            for rel in result.changed:
                print(f"  {rel}", file=sys.stderr)
            return 1
        print(f"exercises/ is up to date ({len(result.modules)} modules)")
        return 0
    for cell in result.contexts:
        print(f"updated the exercise context in solutions/{cell}")
    print(f"released {len(result.modules)} module(s) into exercises/; "
          f"{len(result.changed)} file(s) changed")
    return 0


def _publish(args: argparse.Namespace, modules: list[str] | None) -> int:
    """``release MODULE... --to-exchange``: nbgrader's release_assignment, from exercises/."""
    from course.grading.workspace import open_workspace
    from course.hub.exchange import check_publishable, publish
    from course.release import ReleaseError, release

    if not modules or not args.workspace or args.check:
        raise CourseError("--to-exchange needs the modules to publish and --workspace "
                          "(the instructor's course folder), and no --check")
    ws = open_workspace(Path(args.workspace))
    for module in modules:
        check_publishable(ws, module, force=args.force)
    try:
        stale = release(check=True, modules=modules)
    except ReleaseError as exc:
        raise CourseError(str(exc)) from exc
    if stale.stale:
        raise CourseError(f"exercises/ is stale for {stale.changed[0].split('/')[0]}: run "
                          "'wbcourse release' before publishing")
    for module in modules:
        dest = publish(ws, module, force=args.force)
        print(f"published {module} to the exchange: {dest}")
    return 0


def _cmd_start(args: argparse.Namespace) -> int:
    from course.learner import DEFAULT_WORKSPACE, launch_lab, start

    workspace = Path(args.dir) if args.dir else DEFAULT_WORKSPACE
    report = start(workspace)
    for line in report.lines():
        print(line)
    if args.no_lab:
        return 0
    return launch_lab(report.workspace)


def _cmd_init(args: argparse.Namespace) -> int:
    from course.grading.workspace import init_workspace

    ws = init_workspace(Path(args.dir), db_url=args.db_url)
    print(f"grading workspace ready at {ws.root}")
    print(f"  gradebook: {ws.db_url}")
    print(f"  put submissions in {ws.submitted}/<learner>/<module>/")
    return 0


def _cmd_grade(args: argparse.Namespace) -> int:
    from course.grading.cli_grade import run_grade

    return run_grade(args)


def _cmd_collect(args: argparse.Namespace) -> int:
    from course.grading.collect import collect
    from course.grading.workspace import open_workspace

    ws = open_workspace(Path(args.workspace))
    module = _module_id(args.module)
    if args.source == "exchange":
        from course.hub.exchange import inbound

        source = inbound(ws, module)
    else:
        source = Path(args.source)
    report = collect(ws, module, source)
    for line in report.lines():
        print(line)
    return 0


def _cmd_feedback(args: argparse.Namespace) -> int:
    from course.grading.feedback import write_feedback
    from course.grading.workspace import open_workspace

    ws = open_workspace(Path(args.workspace))
    module = _module_id(args.module)
    pages = write_feedback(ws, module, learners=args.learner or None)
    print(f"wrote {len(pages)} feedback page(s) under {ws.feedback}")
    if args.to_exchange:
        from course.hub.exchange import release_feedback

        learners = args.learner or [p.parent.parent.name for p in pages]
        for line in release_feedback(ws, module, learners).lines():
            print(line)
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from course.grading.export import export
    from course.grading.workspace import open_workspace

    ws = open_workspace(Path(args.workspace))
    rows = export(ws, Path(args.output), fmt=args.format)
    print(f"wrote {rows} row(s) to {args.output}")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from course.grading.report import write_report
    from course.grading.workspace import open_workspace

    ws = open_workspace(Path(args.workspace))
    page = write_report(ws, _module_id(args.module), Path(args.output))
    print(f"cohort report: {page}")
    return 0


def _cmd_hub(args: argparse.Namespace) -> int:
    from course.hub.cli import run

    return run(args)


def _cmd_similar(args: argparse.Namespace) -> int:
    from course.grading.similar import run_similar

    return run_similar(_module_id(args.module), Path(args.workspace),
                       threshold=args.threshold, as_json=args.json)


def _cmd_review(args: argparse.Namespace) -> int:
    from course.prose.cli import run

    return run(args)


def _cmd_demo(args: argparse.Namespace) -> int:
    from course.demo import run_demo

    return run_demo(Path(args.dir), modules=args.module or None, workers=args.workers)


def _cmd_samples(args: argparse.Namespace) -> int:
    from course.samples import build_samples

    written = build_samples(modules=[_module_id(m) for m in args.module] or None,
                            check=args.check)
    if args.check:
        if written:
            print("error: assets/samples is stale; run 'wbcourse samples'", file=sys.stderr)
            for rel in written:
                print(f"  {rel}", file=sys.stderr)
            return 1
        print("assets/samples is up to date")
        return 0
    print(f"wrote {len(written)} sample notebook(s) into assets/samples/")
    return 0


def _cmd_modules(args: argparse.Namespace) -> int:
    from course import catalog

    if args.markdown:
        print(catalog.markdown_table())
        return 0
    for mod in catalog.modules():
        print(f"{mod.id:32} {mod.teaching:3} + {mod.exercises:3} min  {mod.title}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``wbcourse`` (exposed for tests and docs)."""
    from course.grading.similarity import DEFAULT_THRESHOLD

    parser = argparse.ArgumentParser(
        prog="wbcourse",
        description="Working Backwards course: release, learn, grade, give feedback.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, func: Callable[[argparse.Namespace], int], help_: str):
        p = sub.add_parser(name, help=help_, description=help_)
        p.set_defaults(func=func)
        return p

    p = add("release", _cmd_release, "regenerate exercises/ from solutions/ with nbgrader")
    p.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 if exercises/ differs from a fresh release")
    p.add_argument("module", nargs="*", help="only these modules (default: all)")
    p.add_argument("--to-exchange", action="store_true",
                   help="publish the modules' exercises to the nbgrader exchange of "
                        "--workspace (learners fetch them from the Assignments tab)")
    p.add_argument("--workspace", help="with --to-exchange: the instructor's course folder")
    p.add_argument("--force", action="store_true",
                   help="with --to-exchange: replace a module already in the exchange")

    p = add("start", _cmd_start, "copy the exercises into your workspace and open JupyterLab")
    p.add_argument("dir", nargs="?", help="workspace folder (default: ~/wb-course)")
    p.add_argument("--no-lab", action="store_true", help="do not launch JupyterLab")

    p = add("init", _cmd_init, "create a grading workspace (an nbgrader course directory)")
    p.add_argument("dir", help="folder to create or refresh")
    p.add_argument("--db-url", help="SQLAlchemy URL of the gradebook (default: SQLite in DIR)")

    p = add("grade", _cmd_grade, "autograde every submission of a module")
    p.add_argument("module")
    p.add_argument("--workspace", required=True, help="grading workspace folder")
    p.add_argument("--workers", type=int, help="parallel workers (default: number of CPUs)")
    p.add_argument("--learner", action="append", help="grade only this learner (repeatable)")
    p.add_argument("--force", action="store_true", help="re-grade already graded submissions")
    p.add_argument("--cell-timeout", type=int, default=15, help="seconds per cell (default 15)")
    p.add_argument("--memory-mb", type=int, help="memory limit per kernel in MB")
    p.add_argument("--max-processes", type=int, help="process limit per kernel")
    p.add_argument("--notebook-timeout", type=int, help="seconds per notebook")
    p.add_argument("--no-sandbox", action="store_true",
                   help="run kernels without the sandbox (trusted submissions only)")
    p.add_argument("--executor", choices=("fork", "kernel"),
                   help="fork: kernels forked from a warm template (default where the "
                        "machine allows it); kernel: a new kernel process per notebook")
    p.add_argument("--wait", action="store_true",
                   help="if another grading run holds the workspace, wait for it to end")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")

    p = add("collect", _cmd_collect, "import submissions from a folder, a zip or an exchange")
    p.add_argument("module")
    p.add_argument("--workspace", required=True)
    p.add_argument("--from", dest="source", required=True,
                   help="folder, .zip, nbgrader exchange folder, or the word 'exchange' for "
                        "the exchange the workspace's nbgrader_config.py names "
                        "(write ./exchange for a folder of that name)")

    p = add("feedback", _cmd_feedback, "write one HTML feedback page per learner")
    p.add_argument("module")
    p.add_argument("--workspace", required=True)
    p.add_argument("--learner", action="append")
    p.add_argument("--to-exchange", action="store_true",
                   help="then release the pages through nbgrader's exchange (each learner "
                        "fetches their own from the Assignments tab)")

    p = add("export", _cmd_export, "export grades for every module")
    p.add_argument("--workspace", required=True)
    p.add_argument("-o", "--output", required=True, help="output file")
    p.add_argument("--format", choices=["csv", "json"], help="default: from the file suffix")

    p = add("report", _cmd_report, "cohort plots and an HTML report for a module")
    p.add_argument("module")
    p.add_argument("--workspace", required=True)
    p.add_argument("-o", "--output", required=True, help="output folder")

    p = add("similar", _cmd_similar,
            "find answers that are near-copies of another learner's or of the notebook")
    p.add_argument("module")
    p.add_argument("--workspace", required=True, help="grading workspace folder")
    p.add_argument("--json", action="store_true",
                   help="print a JSON list of flags (question, learners, similarity, passages)")
    p.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD, metavar="T",
                   help="flag similarities at or above T, above 0 and at most 1 "
                        f"(default {DEFAULT_THRESHOLD})")

    p = add("review", _cmd_review, "run the prose checks on a text or Markdown file")
    from course.prose.cli import add_review_arguments

    add_review_arguments(p)

    p = add("demo", _cmd_demo, "grade the bundled sample cohorts end to end")
    p.add_argument("dir", nargs="?", default="demo-workspace", help="workspace folder")
    p.add_argument("--module", action="append", help="only this module (repeatable)")
    p.add_argument("--workers", type=int)

    p = add("samples", _cmd_samples, "rebuild the sample cohorts in assets/samples/")
    p.add_argument("module", nargs="*")
    p.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")

    p = add("hub", _cmd_hub, "run a workshop on JupyterHub with nbgrader's exchange")
    from course.hub.cli import add_arguments

    add_arguments(p)

    p = add("modules", _cmd_modules, "list the course's modules")
    p.add_argument("--markdown", action="store_true", help="print the README module table")
    return parser


def _require_source(command: str) -> None:
    """Stop an instructor command where the course source cannot be found."""
    from course import paths

    try:
        paths.course_root()
    except paths.SourceNotFoundError as exc:
        raise paths.SourceNotFoundError(f"wbcourse {command}: {exc}") from None


def main(argv: list[str] | None = None) -> int:
    """Run ``wbcourse`` with ``argv``; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command in NEEDS_SOURCE:
            _require_source(args.command)
        return int(args.func(args) or 0)
    except CourseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except LookupError as exc:  # unknown module
        print(f"error: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
