"""``wbcourse hub init | start | env | remove``: the command line of :mod:`course.hub`.

Imported when ``wbcourse`` builds its parser, so it imports nothing heavy itself.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``hub`` sub-commands to ``parser``."""
    sub = parser.add_subparsers(dest="hub_command", required=True, metavar="HUB_COMMAND")

    def add(name: str, help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.set_defaults(hub_command=name)
        return p

    p = add("init", "write a working JupyterHub setup for one cohort (run as root)")
    p.add_argument("dir", help="new (or empty) folder for the hub's settings and state")
    p.add_argument("--course", required=True,
                   help="course id: names the exchange folder and the groups "
                        "nbgrader-ID (learners) and formgrade-ID (graders)")
    p.add_argument("--instructor", required=True, help="the instructor's account name")
    p.add_argument("--learners", required=True, type=Path,
                   help="roster CSV with the header username,name,email")
    p.add_argument("--create-accounts", action="store_true",
                   help="create missing Unix accounts (random first passwords are written "
                        "to DIR/secrets/passwords.csv, readable by root only)")
    p.add_argument("--exchange", type=Path,
                   help="nbgrader exchange root (default: DIR/exchange); an existing one "
                        "must have mode 1777")
    p.add_argument("--course-dir", type=Path,
                   help="the instructor's course folder (default: ~INSTRUCTOR/ID)")
    p.add_argument("--python", help="interpreter of the environment the servers run from "
                                    "(default: this one; see 'wbcourse hub env')")
    p.add_argument("--spawner", choices=["local", "simple"], default="local",
                   help="local: each learner's server runs as their Unix account (default); "
                        "simple: everything runs as root, for load tests only")
    p.add_argument("--ip", default="127.0.0.1",
                   help="address the hub listens on (default 127.0.0.1: put a TLS proxy in "
                        "front, or give --ssl-cert/--ssl-key with --ip 0.0.0.0)")
    p.add_argument("--port", type=int, default=8000, help="public port (default 8000)")
    p.add_argument("--ssl-cert", default="", help="TLS certificate file")
    p.add_argument("--ssl-key", default="", help="TLS key file")
    p.add_argument("--module", action="append", default=[],
                   help="register only this module in the gradebook (repeatable; "
                        "default: every module)")

    p = add("start", "check the hub setup, then run JupyterHub in the foreground (as root)")
    p.add_argument("dir", help="a folder made by 'wbcourse hub init'")
    p.add_argument("--ip", help="listen on this address instead of the one set at init")
    p.add_argument("--port", type=int, help="public port instead of the one set at init")

    p = add("env", "build the environment the hub's servers run from (no answers in it)")
    p.add_argument("dir", help="new folder for the virtual environment, e.g. /opt/wbcourse")
    p.add_argument("--base-python",
                   help="interpreter to build it from (default: one every account can run)")
    p.add_argument("--wheel", type=Path,
                   help="the learner wheel to install (default: build it as 'make wheel' "
                        "does); it is checked for answers first")

    p = add("remove", "remove a stopped hub's folder and its course's exchange folder")
    p.add_argument("dir", help="a folder made by 'wbcourse hub init'")
    p.add_argument("--delete-accounts", action="store_true",
                   help="also delete the accounts and groups 'hub init' created, with their "
                        "homes (the instructor's gradebook too: export grades first)")


def run(args: argparse.Namespace) -> int:
    """Run the ``hub`` sub-command in ``args``."""
    if args.hub_command == "init":
        from course.hub.setup import InitOptions, init_hub

        opts = InitOptions(
            hub_dir=Path(args.dir), course=args.course, instructor=args.instructor,
            learners_file=args.learners, create_accounts=args.create_accounts,
            exchange=args.exchange, course_dir=args.course_dir, python=args.python,
            spawner=args.spawner, ip=args.ip, port=args.port, ssl_cert=args.ssl_cert,
            ssl_key=args.ssl_key, modules=[_module_id(m) for m in args.module])
        report = init_hub(opts, say=lambda line: print(line, flush=True))
        for line in report.lines():
            print(line)
        return 0
    if args.hub_command == "start":
        from course.hub.start import start

        start(Path(args.dir), ip=args.ip, port=args.port)
        return 0  # pragma: no cover  (start replaces the process)
    if args.hub_command == "env":
        from course.hub.env import build_env

        python = build_env(Path(args.dir), python=args.base_python, wheel=args.wheel)
        print(f"hub environment ready: {python}")
        print(f"use it with: wbcourse hub init DIR ... --python {python}")
        return 0
    from course.hub.setup import remove_hub

    report = remove_hub(Path(args.dir), delete_accounts=args.delete_accounts)
    for item in report.removed:
        print(f"removed {item}")
    for problem in report.problems:
        print(f"warning: {problem}")
    return 1 if report.problems else 0


def _module_id(name: str) -> str:
    from course import catalog

    return catalog.get(name).id
