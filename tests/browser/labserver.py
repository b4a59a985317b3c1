"""Start, query and stop a real JupyterLab server for the browser tests.

Each server runs in its own process group with a temporary ``HOME`` (so no user
settings leak in), a random token, a free port on 127.0.0.1 and
``--ServerApp.port_retries=0`` (a taken port fails loudly instead of drifting).
Only processes started here are ever signalled, by process-group id.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: nbgrader's server extensions, enabled explicitly (not only through the venv's
#: ``jupyter_server_config.d/nbgrader.json``), plus jupyter_lsp switched off: it is
#: not part of the course and only costs start-up time.
SERVER_EXTENSIONS: dict[str, bool] = {
    "jupyterlab": True,
    "nbgrader.server_extensions.formgrader": True,
    "nbgrader.server_extensions.validate_assignment": True,
    "nbgrader.server_extensions.assignment_list": True,
    "nbgrader.server_extensions.course_list": True,
    "jupyter_lsp": False,
}

#: JupyterLab user settings that make the UI deterministic for a robot.
LAB_SETTINGS: dict[str, dict[str, Any]] = {
    # no "get notified about Jupyter news?" toast over the notebook
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false",
                                                    "checkForUpdates": False},
    # every cell in the DOM, so locators never meet a virtualised (unrendered) cell
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
}

#: Environment variables that would make the learner's kernel differ from a real one.
_DROP_ENV = ("MPLBACKEND", "WBCOURSE_ROOT", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR",
             "JUPYTER_RUNTIME_DIR", "JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "IPYTHONDIR",
             "JUPYTER_PLATFORM_DIRS", "PYTEST_CURRENT_TEST", "PYTEST_XDIST_WORKER")


class LabStartError(RuntimeError):
    """The server did not come up; the message carries the tail of its log."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_home(home: Path) -> None:
    """Populate a fresh ``HOME`` with the server and JupyterLab settings used by the tests."""
    jupyter = home / ".jupyter"
    (jupyter / "labconfig").mkdir(parents=True, exist_ok=True)
    server_config = {
        "ServerApp": {"jpserver_extensions": SERVER_EXTENSIONS},
        # Kernels talk over Unix sockets, not TCP ports on 127.0.0.1: on a machine where
        # many kernels start at once, a TCP port picked by jupyter_client can be taken
        # before the kernel binds it (ZMQError: Address already in use), or the server
        # connects to another process's kernel (Invalid Signature). The learner cannot
        # tell the difference.
        "KernelManager": {"transport": "ipc"},
    }
    (jupyter / "jupyter_server_config.json").write_text(json.dumps(server_config, indent=1))
    # no "build recommended" check: it takes seconds of CPU on every page load
    (jupyter / "labconfig" / "page_config.json").write_text(
        json.dumps({"buildCheck": False, "buildAvailable": False}))
    for name, values in LAB_SETTINGS.items():
        path = jupyter / "lab" / "user-settings" / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


@dataclass
class LabServer:
    """A running JupyterLab server started by :func:`start_lab`."""

    root: Path
    port: int
    token: str
    process: subprocess.Popen[bytes]
    log_path: Path
    runtime_dir: Path
    env: dict[str, str] = field(repr=False, default_factory=dict)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash)."""
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str, **query: str) -> str:
        """An absolute URL for ``path`` that also carries the token (logs a browser in)."""
        params = {**query, "token": self.token}
        return f"{self.base_url}/{path.lstrip('/')}?{urllib.parse.urlencode(params)}"

    def lab_url(self, notebook: str | None = None) -> str:
        """JupyterLab (optionally opening ``notebook``) with a *reset* workspace.

        ``reset`` drops the tabs an earlier test left in the saved workspace, so only
        the notebook asked for gets a kernel.
        """
        path = "lab" if notebook is None else f"lab/tree/{urllib.parse.quote(notebook)}"
        return self.url(path, reset="")

    def api(self, method: str, path: str, body: Any = None, timeout: float = 30) -> Any:
        """Call the server's REST API; return the decoded JSON (or ``None``)."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            f"{self.base_url}/{path.lstrip('/')}", data=data, method=method,
            headers={"Authorization": f"token {self.token}",
                     "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
        return json.loads(raw) if raw else None

    def delete_sessions(self) -> None:
        """Shut down every kernel session (a clean slate for the next test)."""
        for session in self.api("GET", "api/sessions"):
            try:
                self.api("DELETE", f"api/sessions/{session['id']}")
            except urllib.error.HTTPError as exc:  # already gone
                if exc.code != 404:
                    raise
        for kernel in self.api("GET", "api/kernels"):
            try:
                self.api("DELETE", f"api/kernels/{kernel['id']}")
            except urllib.error.HTTPError as exc:
                if exc.code != 404:
                    raise

    def log_tail(self, lines: int = 40) -> str:
        """The last ``lines`` lines of the server log."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout: float = 20) -> None:
        """Shut kernels down, then end the server's process group (ours alone)."""
        if self.process.poll() is None:
            try:
                self.delete_sessions()
            except (OSError, urllib.error.URLError, ValueError):
                pass
        _end_group(self.process, timeout)
        shutil.rmtree(self.runtime_dir, ignore_errors=True)


def _end_group(process: subprocess.Popen[bytes], timeout: float) -> None:
    """SIGTERM the process group we created for ``process``; SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


def _server_env(home: Path, runtime: Path, extra: dict[str, str] | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _DROP_ENV}
    env["HOME"] = str(home)
    env["JUPYTER_RUNTIME_DIR"] = str(runtime)
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    env.update(extra or {})
    return env


def start_lab(root: Path, home: Path, log_path: Path, *, extra_env: dict[str, str] | None = None,
              timeout: float = 180, attempts: int = 3) -> LabServer:
    """Start JupyterLab serving ``root`` and wait until its API answers.

    The server's working directory is ``root`` too, because nbgrader's server
    extensions read ``nbgrader_config.py`` from the current directory.
    """
    write_home(home)
    # short path: kernels' Unix sockets live here (a socket path must stay under 108 bytes)
    runtime = Path(tempfile.mkdtemp(prefix="wbrt-", dir="/tmp"))
    env = _server_env(home, runtime, extra_env)
    last_error = ""
    for _ in range(attempts):
        port, token = free_port(), secrets.token_hex(16)
        cmd = [
            sys.executable, "-m", "jupyterlab",
            "--allow-root",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            "--ServerApp.open_browser=False",
            f"--ServerApp.root_dir={root}",
            f"--IdentityProvider.token={token}",
            "--LabApp.expose_app_in_browser=True",
        ]
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(log_path, "ab") as log:
            process = subprocess.Popen(cmd, cwd=root, env=env, stdout=log,
                                       stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                       start_new_session=True)
        server = LabServer(root=root, port=port, token=token, process=process,
                           log_path=log_path, runtime_dir=runtime, env=env)
        if _wait_ready(server, timeout):
            return server
        last_error = server.log_tail()
        _end_group(process, 10)
        if "already in use" not in last_error:
            break
    shutil.rmtree(runtime, ignore_errors=True)
    raise LabStartError(f"JupyterLab did not start (log {log_path}):\n{last_error}")


def _wait_ready(server: LabServer, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            return False
        try:
            server.api("GET", "api/status", timeout=5)
            return True
        except (OSError, urllib.error.URLError, ValueError):
            time.sleep(0.25)
    return False
