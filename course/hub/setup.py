"""``wbcourse hub init`` and ``wbcourse hub remove``: one cohort's hub, all or nothing.

``init`` checks everything it can before it changes anything (course id, roster, the
environment, the exchange's permissions, which accounts exist), then creates groups,
accounts (only with ``create_accounts``), folders and files, and finally checks, as a
learner and as the instructor, that the learner can run the environment and read the
hub's settings but not the instructor's course folder. If any step fails, everything it
created is removed again and the error is reported on one line.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from course import paths
from course.errors import CourseError
from course.hub import accounts, config, exchange
from course.hub.layout import SPAWNERS, Layout, Settings, course_exchange, load_settings
from course.hub.roster import Person, check_cohort, read_roster

#: copied into the instructor's course folder: what grading reads (never given to learners)
COURSE_PARTS = ("solutions", "exercises", "assets")
CREATED_NAME = "created.json"


@dataclass
class InitOptions:
    """Everything ``hub init`` needs (the CLI's arguments)."""

    hub_dir: Path
    course: str
    instructor: str
    learners_file: Path
    create_accounts: bool = False
    exchange: Path | None = None
    course_dir: Path | None = None
    python: str | None = None
    spawner: str = "local"
    ip: str = "127.0.0.1"
    port: int = 8000
    ssl_cert: str = ""
    ssl_key: str = ""
    modules: list[str] = field(default_factory=list)


@dataclass
class InitReport:
    """What ``hub init`` made."""

    layout: Layout
    settings: Settings
    created_users: list[str]
    created_groups: list[str]
    passwords_file: Path | None

    def lines(self) -> list[str]:
        s = self.settings
        out = [f"hub for {s.course} ready in {self.layout.root}",
               f"  learners: {len(s.learners)}; instructor: {s.instructor}",
               f"  exchange: {course_exchange(s.exchange, s.course)}",
               f"  instructor's course folder: {s.course_dir}",
               f"  formgrader service: /services/{s.course}/formgrader"]
        if self.created_users:
            out.append(f"  created {len(self.created_users)} account(s) and "
                       f"{len(self.created_groups)} group(s)")
        if self.passwords_file:
            out.append(f"  first passwords of the new accounts: {self.passwords_file} "
                       "(root only)")
        out.append(f"next: wbcourse hub start {self.layout.root}")
        out.append(f"then, as {s.instructor}: wbcourse release MODULE --to-exchange "
                   f"--workspace {s.course_dir}")
        return out


Say = Callable[[str], None]


def init_hub(opts: InitOptions, say: Say = lambda _: None) -> InitReport:
    """Create the hub described by ``opts``; undo everything on failure."""
    people, settings, layout = _plan(opts)
    changes = accounts.Changes()
    try:
        _apply(opts, people, settings, layout, changes, say)
        _verify(settings, layout)
    except BaseException as exc:
        problems = changes.undo()
        if isinstance(exc, CourseError):
            note = "; nothing was left behind" if not problems else \
                f"; cleaning up also failed: {problems[0]}"
            raise CourseError(f"{exc}{note}") from exc
        raise
    passwords = layout.passwords if changes.passwords else None
    return InitReport(layout, settings, list(changes.users), list(changes.groups), passwords)


# ------------------------------------------------------------------------- planning

def _plan(opts: InitOptions) -> tuple[list[Person], Settings, Layout]:
    """Check every input; decide every path. Changes nothing."""
    if opts.spawner not in SPAWNERS:
        raise CourseError(f"unknown spawner {opts.spawner!r} (choose from {', '.join(SPAWNERS)})")
    people = read_roster(opts.learners_file)
    check_cohort(opts.course, opts.instructor, people)
    if not 0 < opts.port < 65536:
        raise CourseError(f"port {opts.port} is not a TCP port")
    if bool(opts.ssl_cert) != bool(opts.ssl_key):
        raise CourseError("give both --ssl-cert and --ssl-key, or neither")
    for name in (opts.ssl_cert, opts.ssl_key):
        if name and not Path(name).is_file():
            raise CourseError(f"no such file: {name}")
    local = opts.spawner == "local"
    if local and not accounts.is_root():
        raise CourseError("hub init creates folders owned by the instructor and groups: "
                          "run it as root")
    hub_dir = Path(opts.hub_dir).expanduser().absolute()
    if hub_dir.exists() and (not hub_dir.is_dir() or any(hub_dir.iterdir())):
        raise CourseError(f"{hub_dir} exists and is not an empty folder")
    if not hub_dir.parent.is_dir():
        raise CourseError(f"no such folder: {hub_dir.parent}")
    layout = Layout(hub_dir)
    xroot = Path(opts.exchange).expanduser().absolute() if opts.exchange \
        else layout.default_exchange
    if xroot.exists():
        exchange.check_root(xroot)
        if (xroot / opts.course).exists():
            raise CourseError(f"the exchange {xroot} already has a course {opts.course!r}: "
                              "choose another course id")
    elif xroot != layout.default_exchange and not xroot.parent.is_dir():
        raise CourseError(f"no such folder: {xroot.parent}")
    python = os.path.abspath(opts.python or sys.executable)
    from course.hub.env import check_env

    check_env(Path(python))
    usernames = [opts.instructor] + [p.username for p in people]
    if local:
        missing = [u for u in usernames if not accounts.user_exists(u)]
        if missing and not opts.create_accounts:
            raise CourseError(f"no Unix account for {', '.join(missing[:5])}"
                              f"{' ...' if len(missing) > 5 else ''}: add --create-accounts "
                              "to create them")
        for group in (f"nbgrader-{opts.course}", f"formgrade-{opts.course}"):
            if accounts.group_exists(group):
                raise CourseError(f"the group {group} exists already (another cohort with "
                                  "this course id?): choose another course id")
    if opts.course_dir:
        course_dir = Path(opts.course_dir).expanduser().absolute()
    elif local and accounts.user_exists(opts.instructor):
        course_dir = accounts.home_of(opts.instructor) / opts.course
    elif local:
        course_dir = Path("/home") / opts.instructor / opts.course  # made by useradd
    else:
        course_dir = hub_dir / "grading"
    if course_dir.exists():
        raise CourseError(f"the course folder {course_dir} exists already")
    modules = list(opts.modules) or _all_modules()
    source = paths.course_root()
    for part in COURSE_PARTS:
        if not (source / part).is_dir():
            raise CourseError(f"{source} has no {part}/: run hub init from the instructor's "
                              "copy of the course (or set WBCOURSE_ROOT)")
    settings = Settings(
        course=opts.course, instructor=opts.instructor,
        learners=tuple(p.username for p in people), python=python, exchange=str(xroot),
        course_dir=str(course_dir), spawner=opts.spawner, ip=opts.ip, port=opts.port,
        ssl_cert=opts.ssl_cert, ssl_key=opts.ssl_key, modules=tuple(modules))
    return people, settings, layout


def _all_modules() -> list[str]:
    from course.release import source_modules

    return source_modules()


# ------------------------------------------------------------------------- applying

def _apply(opts: InitOptions, people: list[Person], s: Settings, layout: Layout,
           changes: accounts.Changes, say: Say) -> None:
    local = s.spawner == "local"
    if local:
        for group in (s.learner_group, s.grader_group):
            accounts.create_group(group, changes)
        say(f"groups {s.learner_group} and {s.grader_group} created")
        if opts.create_accounts:
            accounts.create_user(s.instructor, changes, comment="instructor")
            for person in people:
                accounts.create_user(person.username, changes, comment=person.name)
            say(f"{len(changes.users)} account(s) created")
        for person in people:
            accounts.add_to_group(person.username, s.learner_group)
        # the instructor owns the course's exchange folder and grades it
        accounts.add_to_group(s.instructor, s.grader_group)
        uid, gid = accounts.ids_of(s.instructor)
        learners_gid = accounts.gid_of(s.learner_group)
        graders_gid = accounts.gid_of(s.grader_group)
    else:
        uid, gid = os.geteuid(), os.getegid()
        learners_gid = graders_gid = gid

    # the hub folder: settings readable by every server, secrets and state by root only
    root_uid, root_gid = os.geteuid(), os.getegid()
    changes.mkdir(layout.root, 0o755, root_uid, root_gid)
    for folder in (layout.etc, layout.common, *[layout.role_dir(r) for r in
                                               ("learner", "instructor", "formgrader")]):
        changes.mkdir(folder, 0o755, root_uid, root_gid)
    changes.mkdir(layout.secrets, 0o700, root_uid, root_gid)
    changes.mkdir(layout.state, 0o700, root_uid, root_gid)
    _write(layout.settings, s.to_toml(), 0o644)
    _write(layout.config, config.jupyterhub_config(layout, s), 0o644)
    for path, text in config.role_files(layout, s).items():
        path.parent.mkdir(exist_ok=True, mode=0o755)
        _write(path, text, 0o644)
    _write(layout.cookie_secret, secrets.token_hex(32) + "\n", 0o600)
    _write(layout.proxy_token, secrets.token_hex(32) + "\n", 0o600)
    _write(layout.roster, Path(opts.learners_file).read_text(encoding="utf-8"), 0o600)
    if changes.passwords:
        lines = ["username,password", *[f"{u},{p}" for u, p in changes.passwords.items()]]
        _write(layout.passwords, "\n".join(lines) + "\n", 0o600)

    # the exchange, with the permissions nbgrader expects
    xroot = Path(s.exchange)
    if not xroot.exists():
        changes.mkdir(xroot, exchange.ROOT_MODE, root_uid, root_gid)
    course_x = course_exchange(xroot, s.course)
    changes.mkdir(course_x, exchange.COURSE_MODE, uid, learners_gid)
    for name, mode in (("outbound", exchange.OUTBOUND_MODE), ("inbound", exchange.INBOUND_MODE),
                       ("feedback", exchange.FEEDBACK_MODE)):
        changes.mkdir(course_x / name, mode, uid, graders_gid)
    say(f"exchange ready at {course_x}")

    # the instructor's course folder: a copy of the course and a grading workspace
    course_dir = Path(s.course_dir)
    if not course_dir.parent.is_dir():
        raise CourseError(f"no such folder: {course_dir.parent}")
    changes.mkdir(course_dir, 0o700, uid, gid)
    source = paths.course_root()
    for part in COURSE_PARTS:
        shutil.copytree(source / part, Path(s.course_root) / part,
                        ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    _chown_tree(course_dir, uid, gid)
    say(f"registering {len(s.modules)} module(s) in the gradebook (nbgrader)")
    _init_workspace(s)
    ws_config = course_dir / "nbgrader_config.py"
    with ws_config.open("a", encoding="utf-8") as fh:
        fh.write(config.workspace_block(s))
    (layout.state / CREATED_NAME).write_text(json.dumps(
        {"users": changes.users, "groups": changes.groups}, indent=1), encoding="utf-8")


def _write(path: Path, text: str, mode: int) -> None:
    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)


def _chown_tree(root: Path, uid: int, gid: int) -> None:
    if (uid, gid) == (os.geteuid(), os.getegid()):
        return
    os.chown(root, uid, gid)
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            os.lchown(os.path.join(dirpath, name), uid, gid)


_INIT_CODE = ("import sys; from pathlib import Path; "
              "from course.grading.workspace import init_workspace; "
              "init_workspace(Path(sys.argv[1]), modules=sys.argv[2:])")


def instructor_env(s: Settings) -> dict[str, str]:
    """Environment for ``wbcourse`` run as the instructor on this hub."""
    return {"PATH": f"{s.bin_dir}:{accounts.SAFE_PATH}", "WBCOURSE_ROOT": s.course_root}


def _init_workspace(s: Settings) -> None:
    """``wbcourse init`` of the course folder, run as the instructor from the hub's env."""
    argv = [s.python, "-c", _INIT_CODE, s.course_dir, *s.modules]
    if s.spawner == "local":
        result = accounts.run_as(s.instructor, argv, env=instructor_env(s), cwd=Path(s.course_dir))
    else:
        import subprocess

        result = subprocess.run(argv, env={**os.environ, **instructor_env(s)},
                                capture_output=True, text=True, timeout=900, check=False)
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines() or ["no output"]
        raise CourseError(f"creating the grading workspace failed: {lines[-1]}")


# ------------------------------------------------------------------------ verifying

_PROBE = """
import json, os, sys
out = {}
try:
    import course, nbgrader, jupyterhub
    from course import paths
    source = paths.find_source_root()
    out["solutions"] = bool(source and (source / "solutions").is_dir())
except Exception as exc:
    out["error"] = f"{type(exc).__name__}: {exc}"
for key, path in json.loads(sys.argv[1]).items():
    out[key] = os.access(path, os.R_OK)
print(json.dumps(out))
"""


def _probe(user: str, s: Settings, checks: dict[str, str], env: dict[str, str]) -> dict:
    result = accounts.run_as(user, [s.python, "-c", _PROBE, json.dumps(checks)], env=env,
                             timeout=300)
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        raise CourseError(f"{user} cannot run {s.python}: "
                          f"{lines[-1] if lines else result.returncode} (is it under /root? "
                          "build one with 'wbcourse hub env PATH')")
    try:
        return json.loads(result.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError) as exc:
        raise CourseError(f"checking the environment as {user} printed nothing usable") from exc


def _verify(s: Settings, layout: Layout) -> None:
    """As a learner and as the instructor: what each must and must not reach."""
    if s.spawner != "local":
        return
    learner = s.learners[0]
    seen = _probe(learner, s, {
        "config": str(layout.role_dir("learner") / "nbgrader_config.py"),
        "common": str(layout.common / "nbgrader_config.py"),
        "course_dir": s.course_dir,
        "solutions_copy": str(Path(s.course_root) / "solutions"),
        "secrets": str(layout.cookie_secret),
    }, {"PATH": f"{s.bin_dir}:{accounts.SAFE_PATH}"})
    if "error" in seen:
        raise CourseError(f"learner {learner} cannot import the course from {s.python}: "
                          f"{seen['error']}")
    if seen.get("solutions"):
        raise CourseError(f"learners would see solutions/ through {s.python} (an editable "
                          "install of the instructor's checkout?): build a learner environment "
                          "with 'wbcourse hub env PATH' and pass --python")
    if not (seen["config"] and seen["common"]):
        raise CourseError(f"learner {learner} cannot read {layout.etc}: a parent folder is "
                          "closed to other accounts")
    if seen["course_dir"] or seen["solutions_copy"] or seen["secrets"]:
        raise CourseError(f"learner {learner} can read the instructor's course folder or the "
                          "hub's secrets")
    mine = _probe(s.instructor, s, {"course_dir": s.course_dir,
                                    "formgrader": str(layout.role_dir("formgrader"))},
                  instructor_env(s))
    if "error" in mine or not mine["course_dir"]:
        raise CourseError(f"the instructor {s.instructor} cannot use {s.course_dir} with "
                          f"{s.python}: {mine.get('error', 'unreadable')}")


# ------------------------------------------------------------------------- removing

@dataclass
class RemoveReport:
    removed: list[str]
    problems: list[str]


def remove_hub(hub_dir: Path, *, delete_accounts: bool = False) -> RemoveReport:
    """Remove a hub folder and its course's exchange folder; with ``delete_accounts`` also
    the accounts and groups ``hub init`` created (their homes, so the gradebook too)."""
    layout, s = load_settings(hub_dir)
    pid_file = layout.state / "jupyterhub.pid"
    if pid_file.exists():
        try:
            os.kill(int(pid_file.read_text().strip()), 0)
        except (ValueError, ProcessLookupError, PermissionError):
            pass
        else:
            raise CourseError(f"the hub of {s.course} is still running (pid file {pid_file}): "
                              "stop it first")
    created = {"users": [], "groups": []}
    try:
        created = json.loads((layout.state / CREATED_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    removed, problems = [], []
    for folder in (course_exchange(s.exchange, s.course),
                   *([Path(s.exchange)] if Path(s.exchange) == layout.default_exchange else []),
                   layout.root):
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)
            (problems if folder.exists() else removed).append(str(folder))
    if delete_accounts:
        for user in reversed(created.get("users", [])):
            try:
                accounts.remove_user(user)
                removed.append(f"account {user}")
            except CourseError as exc:
                problems.append(str(exc))
        for group in reversed(created.get("groups", [])):
            try:
                accounts.remove_group(group)
                removed.append(f"group {group}")
            except CourseError as exc:
                problems.append(str(exc))
    return RemoveReport(removed, problems)
