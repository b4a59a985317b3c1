"""Drive a real JupyterHub made by ``wbcourse hub init`` from the tests and the benchmark.

A :class:`HubRun` is one running hub: ``wbcourse hub start`` in its own process group,
plus an API-only service (written to ``jupyterhub_config.local.py``) whose token starts
servers and talks to them through the proxy, as an operator's script would. Everything is
stopped by pid: the hub's process group, then any process left to the hub's accounts.
"""

from __future__ import annotations

import csv
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

REPO = Path(__file__).resolve().parents[2]
WBCOURSE = [sys.executable, "-m", "course.cli"]
SERVICE = "wbcourse-test"
#: what the test service may do: start and use servers, read users (no login as anyone)
SERVICE_SCOPES = ["admin:servers", "access:servers", "read:users", "list:users",
                  "read:services", "list:services"]


def wbcourse(*args: str, env: dict[str, str] | None = None, timeout: float = 900,
             check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run ``wbcourse`` (this checkout) as root; fail with its output when it fails."""
    result = subprocess.run([*WBCOURSE, *args], capture_output=True, text=True,
                            timeout=timeout, env={**os.environ, **(env or {})}, cwd=REPO)
    if check and result.returncode != 0:
        raise AssertionError(f"wbcourse {' '.join(args)} failed ({result.returncode}):\n"
                             f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def write_service_config(hub_dir: Path) -> str:
    """Add the test's API service to the hub's local config; return its token."""
    token = secrets.token_hex(24)
    (hub_dir / "jupyterhub_config.local.py").write_text(f'''
# added by the tests: an API-only service that starts and drives the servers
c.JupyterHub.services.append({{"name": {SERVICE!r}, "api_token": {token!r}}})
c.JupyterHub.load_roles.append({{"name": {SERVICE!r}, "services": [{SERVICE!r}],
                                 "scopes": {SERVICE_SCOPES!r}}})
''')
    os.chmod(hub_dir / "jupyterhub_config.local.py", 0o600)
    return token


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class HubRun:
    """A running hub started with ``wbcourse hub start``."""

    hub_dir: Path
    port: int
    token: str
    process: subprocess.Popen[bytes]
    log: Path
    settings: Any
    passwords: dict[str, str] = field(default_factory=dict)

    # ------------------------------------------------------------------ start/stop
    @classmethod
    def start(cls, hub_dir: Path, log: Path, timeout: float = 180) -> HubRun:
        from course.hub.layout import load_settings

        _, settings = load_settings(hub_dir)
        token = write_service_config(hub_dir)
        passwords = {}
        pw_file = hub_dir / "secrets" / "passwords.csv"
        if pw_file.exists():
            passwords = {r["username"]: r["password"] for r in csv.DictReader(pw_file.open())}
        last = ""
        for _ in range(3):  # a port taken between choosing and binding: try another
            port = free_port()
            with open(log, "ab") as out:
                process = subprocess.Popen(
                    [*WBCOURSE, "hub", "start", str(hub_dir), "--port", str(port)],
                    stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                    start_new_session=True, cwd=REPO)
            run = cls(hub_dir, port, token, process, log, settings, passwords)
            if run.wait_ready(timeout):
                return run
            last = run.log_tail()
            run.stop()
            if "in use" not in last:
                break
        raise AssertionError(f"the hub did not start:\n{last}")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                self.api("GET", "/services")
                return True
            except (requests.RequestException, AssertionError):
                time.sleep(0.5)
        return False

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def accounts(self) -> list[str]:
        return [self.settings.instructor, *self.settings.learners]

    def stop(self, timeout: float = 120, grace: float = 15) -> list[str]:
        """SIGTERM the hub's group (it stops every server), then end any leftover by pid.

        Returns what had to be killed by force (empty when the hub stopped cleanly).
        """
        forced = []
        started = descendants(self.process.pid)  # servers, kernels, proxy: ours, by pid
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                forced.append(f"hub {self.process.pid}")
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)
            except ProcessLookupError:
                pass
        proxy_pid = self.hub_dir / "state" / "proxy.pid"
        if proxy_pid.exists():
            try:
                pid = int(proxy_pid.read_text().strip())
                if _cmdline(pid).find("configurable-http-proxy") >= 0:
                    os.kill(pid, signal.SIGKILL)
                    forced.append(f"proxy {pid}")
            except (ValueError, ProcessLookupError):
                pass
        # a kernel notices its server is gone within a second or two (ipykernel's parent
        # poller) and exits by itself: wait for that before calling anything left behind
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and any(
                c and _cmdline(p) == c for p, c in started.items()):
            time.sleep(0.25)
        for pid, cmdline in started.items():
            if cmdline and _cmdline(pid) == cmdline:  # the same process, left behind
                try:
                    os.kill(pid, signal.SIGKILL)
                    forced.append(f"pid {pid} {cmdline[:60]}")
                except ProcessLookupError:
                    pass
        if self.settings.spawner == "local":
            forced += kill_processes_of(self.accounts())
        return sorted(set(forced))

    # ------------------------------------------------------------------ hub API
    def api(self, method: str, path: str, body: Any = None, *, token: str | None = None,
            timeout: float = 60, ok: Iterable[int] = (200, 201, 202, 204)) -> Any:
        resp = requests.request(method, f"{self.base}/hub/api{path}", json=body, timeout=timeout,
                                headers={"Authorization": f"token {token or self.token}"})
        if resp.status_code not in ok:
            raise AssertionError(f"{method} /hub/api{path}: {resp.status_code} {resp.text[:500]}")
        return resp.json() if resp.content else None

    def spawn(self, user: str, timeout: float = 240) -> None:
        """Start ``user``'s server through the REST API and wait until it is ready."""
        self.api("POST", f"/users/{user}/server", ok=(201, 202, 400))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            server = self.api("GET", f"/users/{user}")["servers"].get("")
            if server and server.get("ready"):
                return
            if server is None and time.monotonic() > deadline - timeout + 10:
                # the spawn failed (the hub forgets the server): show why
                raise AssertionError(f"the server of {user} did not start:\n{self.log_tail()}")
            time.sleep(0.5)
        raise AssertionError(f"the server of {user} was not ready in {timeout}s")

    def stop_server(self, user: str) -> None:
        self.api("DELETE", f"/users/{user}/server", ok=(202, 204, 400))

    # ------------------------------------------------------------------ servers
    def server(self, user: str, method: str, path: str, body: Any = None,
               timeout: float = 180) -> Any:
        """Call ``user``'s single-user server through the proxy with the service token."""
        resp = requests.request(method, f"{self.base}/user/{user}/{path.lstrip('/')}",
                                json=body, timeout=timeout,
                                headers={"Authorization": f"token {self.token}"})
        if resp.status_code >= 400:
            raise AssertionError(f"{method} /user/{user}/{path}: {resp.status_code} "
                                 f"{resp.text[:800]}")
        return resp.json() if resp.content else None

    def assignments(self, user: str, action: str | None = None, module: str = "") -> list:
        """nbgrader's Assignments tab: list, or fetch/submit/fetch_feedback then list."""
        course = self.settings.course
        if action is None:
            reply = self.server(user, "GET", f"assignments?course_id={course}")
        else:
            reply = self.server(user, "POST", f"assignments/{action}",
                                {"course_id": course, "assignment_id": module})
        if isinstance(reply, dict) and not reply.get("success", True):
            raise AssertionError(f"{action or 'list'} as {user} failed:\n{reply.get('value')}")
        return reply["value"] if isinstance(reply, dict) else reply

    # ------------------------------------------------------------------ accounts
    def instructor(self, *args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
        """``wbcourse ARGS`` as the instructor, from the hub's environment."""
        from course.hub import accounts
        from course.hub.setup import instructor_env

        s = self.settings
        result = accounts.run_as(s.instructor, [f"{s.bin_dir}/wbcourse", *args],
                                 env=instructor_env(s), cwd=Path(s.course_dir), timeout=timeout)
        if result.returncode != 0:
            raise AssertionError(f"wbcourse {' '.join(args)} as {s.instructor} failed:\n"
                                 f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        return result

    def as_user(self, user: str, code: str, *args: str) -> Any:
        """Run Python ``code`` as ``user`` (their uid, gid and groups); return its JSON output."""
        from course.hub import accounts

        result = accounts.run_as(user, [self.settings.python, "-c", code, *args],
                                 env={"PATH": f"{self.settings.bin_dir}:{accounts.SAFE_PATH}"},
                                 timeout=300)
        if result.returncode != 0:
            raise AssertionError(f"python as {user} failed:\n{result.stderr[-2000:]}")
        return json.loads(result.stdout.strip().splitlines()[-1])

    def login_response(self, user: str, password: str | None = None,
                       session: requests.Session | None = None) -> requests.Response:
        """POST the hub's login form (PAM checks the Unix password); 302 means logged in."""
        session = session or requests.Session()
        session.get(f"{self.base}/hub/login", timeout=60)
        return session.post(f"{self.base}/hub/login?next=%2Fhub%2Fhome",
                            data={"username": user,
                                  "password": self.passwords[user] if password is None
                                  else password,
                                  "_xsrf": session.cookies.get("_xsrf", "")},
                            allow_redirects=False, timeout=120)

    def login(self, user: str) -> requests.Session:
        """A session logged in as ``user`` through the login form, with their password."""
        session = requests.Session()
        resp = self.login_response(user, session=session)
        if resp.status_code != 302:
            raise AssertionError(f"login of {user} failed: {resp.status_code} {resp.text[:300]}")
        return session


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def descendants(pid: int) -> dict[int, str]:
    """Every process below ``pid`` (by parent links in /proc), with its command line."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat_fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(stat_fields[1]), []).append(int(entry.name))
    found: dict[int, str] = {}
    todo = list(children.get(pid, []))
    while todo:
        child = todo.pop()
        found[child] = _cmdline(child)
        todo += children.get(child, [])
    return found


def processes_of(users: Iterable[str]) -> list[int]:
    """Pids of processes running as any of ``users`` (accounts the tests created)."""
    import pwd

    uids = set()
    for user in users:
        try:
            uids.add(pwd.getpwnam(user).pw_uid)
        except KeyError:
            continue
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid not in uids:
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state != "Z":  # a zombie has ended already; init reaps it
            found.append(int(entry.name))
    return found


def kill_processes_of(users: Iterable[str]) -> list[str]:
    """SIGKILL what still runs as the test's accounts (so they can be deleted)."""
    users = list(users)
    killed = set()
    for _ in range(10):
        pids = [p for p in processes_of(users) if _cmdline(p)]  # zombies are being reaped
        if not pids:
            break
        for pid in pids:
            try:
                line = _cmdline(pid)[:60]
                os.kill(pid, signal.SIGKILL)
                killed.add(f"pid {pid} {line}")
            except ProcessLookupError:
                pass
        time.sleep(0.5)
    return sorted(killed)


class Cohort:
    """Names of the test cohort (unique per run: other engineers test on this machine)."""

    def __init__(self) -> None:
        suffix = secrets.token_hex(3)
        self.course = f"wbt{suffix}"
        self.instructor = f"wbi{suffix}"
        # three learners go through the REST API, the fourth through the browser
        self.learners = [f"wbl{suffix}{c}" for c in "abcd"]

    @property
    def accounts(self) -> list[str]:
        return [self.instructor, *self.learners]

    @property
    def groups(self) -> list[str]:
        return [f"nbgrader-{self.course}", f"formgrade-{self.course}"]

    def roster(self, path: Path) -> Path:
        names = ["Ada Okafor", "Grace Lindqvist", "Linus Moreau", "Mary Somerville"]
        lines = ["username,name,email"]
        lines += [f"{u},{n},{u}@example.org" for u, n in zip(self.learners, names, strict=True)]
        path.write_text("\n".join(lines) + "\n")
        return path


def remove_leftovers(names: Cohort) -> list[str]:
    """Whatever of the cohort's accounts and groups still exists, removed (fallback)."""
    from course.errors import CourseError
    from course.hub import accounts

    left = []
    kill_processes_of(names.accounts)
    for user in names.accounts:
        if accounts.user_exists(user):
            left.append(user)
            try:
                accounts.remove_user(user)
            except CourseError:
                pass
    for group in names.groups:
        if accounts.group_exists(group):
            left.append(group)
            try:
                accounts.remove_group(group)
            except CourseError:
                pass
    return left
