"""``wbcourse hub start DIR``: check the setup, then run JupyterHub in the foreground.

Before JupyterHub starts: root for real accounts, configurable-http-proxy installed, the
exchange's permissions, the public port free. The hub's own API, the proxy's API and the
formgrader service get free ports on 127.0.0.1 chosen now, so several hubs (or test
runs) share a machine. JupyterHub then replaces this process (same pid): stopping it with
SIGTERM or Ctrl+C stops the proxy, the formgrader and every learner's server too.
"""

from __future__ import annotations

import os
import shutil
import socket
import stat
from dataclasses import dataclass
from pathlib import Path

from course.errors import CourseError
from course.hub import accounts, exchange
from course.hub.layout import Layout, Settings, course_exchange, load_settings

PROXY = "configurable-http-proxy"


@dataclass(frozen=True)
class Launch:
    """The command, environment and folder JupyterHub is started with."""

    argv: list[str]
    env: dict[str, str]
    cwd: Path
    url: str


def free_port(ip: str = "127.0.0.1") -> int:
    """A TCP port on ``ip`` that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((ip, 0))
        return int(s.getsockname()[1])


def check_port_free(ip: str, port: int) -> None:
    """One-line error when something listens on ``ip:port`` already."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((ip or "0.0.0.0", port))
        except OSError as exc:
            raise CourseError(f"port {port} on {ip or 'all addresses'} is in use "
                              f"({exc.strerror}): stop what uses it or pass --port") from exc


def check_exchange(s: Settings) -> None:
    """The exchange root is 1777 and the course's folder has nbgrader's layout."""
    exchange.check_root(Path(s.exchange))
    folder = course_exchange(s.exchange, s.course)
    expected = {"": exchange.COURSE_MODE, "outbound": exchange.OUTBOUND_MODE,
                "inbound": exchange.INBOUND_MODE, "feedback": exchange.FEEDBACK_MODE}
    for name, mode in expected.items():
        path = folder / name if name else folder
        try:
            st = path.stat()
        except FileNotFoundError as exc:
            raise CourseError(f"unknown course id {s.course!r}: {path} is missing "
                              "(run 'wbcourse hub init' again)") from exc
        found = stat.S_IMODE(st.st_mode)
        if found != mode:
            raise CourseError(f"{path} has mode {found:04o}, expected {mode:04o} "
                              f"(chmod {mode:04o} {path})")
        if s.spawner == "local" and st.st_uid != accounts.ids_of(s.instructor)[0]:
            raise CourseError(f"{path} does not belong to the instructor {s.instructor} "
                              f"(chown {s.instructor} {path})")


def prepare(hub_dir: Path, *, ip: str | None = None, port: int | None = None) -> Launch:
    """Every check, and the launch it leads to (nothing is started)."""
    layout, s = load_settings(hub_dir)
    if s.spawner == "local" and not accounts.is_root():
        raise CourseError("the hub starts each learner's server as their Unix account: "
                          "run 'wbcourse hub start' as root")
    proxy = shutil.which(PROXY)
    if proxy is None:
        raise CourseError(f"{PROXY} is not installed: npm install -g {PROXY}")
    if not Path(s.python).exists():
        raise CourseError(f"the hub's environment is gone: no {s.python}")
    check_exchange(s)
    ip = s.ip if ip is None else ip
    port = s.port if port is None else port
    check_port_free(ip, port)
    internal = _distinct_free_ports(3)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WBCOURSE_HUB_")}
    env.pop("WBCOURSE_ROOT", None)
    env.update({
        "WBCOURSE_HUB_IP": ip, "WBCOURSE_HUB_PORT": str(port),
        "WBCOURSE_HUB_HUB_PORT": str(internal[0]),
        "WBCOURSE_HUB_PROXY_API_PORT": str(internal[1]),
        "WBCOURSE_HUB_FORMGRADER_PORT": str(internal[2]),
        "PATH": os.pathsep.join([s.bin_dir, str(Path(proxy).parent),
                                 env.get("PATH", accounts.SAFE_PATH)]),
    })
    scheme = "https" if s.ssl_cert else "http"
    host = ip or "0.0.0.0"
    argv = [s.python, "-m", "jupyterhub", "-f", str(layout.config)]
    return Launch(argv, env, layout.state, f"{scheme}://{host}:{port}/")


def _distinct_free_ports(count: int) -> list[int]:
    ports: list[int] = []
    while len(ports) < count:
        port = free_port()
        if port not in ports:
            ports.append(port)
    return ports


def start(hub_dir: Path, *, ip: str | None = None, port: int | None = None) -> None:
    """Check, then replace this process with JupyterHub (does not return)."""
    launch = prepare(hub_dir, ip=ip, port=port)
    print(f"starting JupyterHub at {launch.url} (Ctrl+C stops it and every server)", flush=True)
    os.chdir(launch.cwd)
    os.execve(launch.argv[0], launch.argv, launch.env)


def layout_of(hub_dir: Path) -> Layout:
    return load_settings(hub_dir)[0]
