"""Warm kernel templates: a fresh, fully sandboxed kernel per submission, forked.

Starting a Python kernel costs far more than running a typical graded notebook: the
interpreter starts, then imports ipykernel, matplotlib, ipywidgets and the course's own
modules. A grading worker therefore keeps one *template*: a process that has done those
imports once and then only waits. For each submission the worker asks it for a kernel
and the template forks a child that

1. becomes the sandbox launcher of :mod:`course.grading.sandbox_exec` (its own session,
   new network/mount/pid namespaces, the supervisor as pid 1, hidden paths, private
   ``/tmp``), then
2. in the kernel process applies the rlimits, drops to the kernel's private uid, sets
   ``no_new_privs`` and only then starts the kernel *in process* (no ``exec``) from the
   modules already imported, in the submission's scratch folder.

::

    worker ──socketpair──▶ template (imports done, one thread, never runs learner code)
                             └─ fork: launcher ─ supervisor (pid 1) ─ kernel

The template never runs learner code and never receives anything from a kernel, so
nothing one learner's code does can reach the next learner's kernel: each kernel starts
from the template's memory as it was after the imports (copy-on-write), in its own
namespaces, as its own uid. Exactly the protections of a kernel started with ``exec``
apply (SECURITY.md lists what they are).

Process lifetime: the template dies with its worker (``PR_SET_PDEATHSIG``), every
launcher with the template, the supervisor with its launcher, and the whole pid
namespace (kernel and everything learner code started) with the supervisor.

The worker side is :class:`Template` (start, wait until ready, fork a kernel) and
:class:`ForkedProcess`, the ``subprocess.Popen``-like handle jupyter_client's provisioner
keeps, backed by a pidfd the template passes over the socket (no pid-reuse race).

>>> notebook_imports_from_source("import numpy as np\\nfrom course.prose import review")
['course.prose', 'numpy']
>>> notebook_imports_from_source("import importlib as il\\nil.import_module('course.plots')")
['course.plots', 'importlib']
"""

from __future__ import annotations

import argparse
import ast
import importlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from course.grading import sandbox_exec

#: Imported by every template: the kernel machinery and the course's heavy modules.
BASE_PRELOAD = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.debugger",
    "IPython.core.debugger",
    "IPython.core.completerlib",
    "IPython.extensions.storemagic",
    "tornado.platform.asyncio",
    "sqlite3",
    "matplotlib",
    "matplotlib.pyplot",
    "matplotlib.backends.backend_agg",
    "matplotlib_inline.backend_inline",  # what %matplotlib inline loads
    "ipywidgets",
    "course.prose",
    "course.widgets",
)
#: Largest request or reply on the template socket.
MAX_MESSAGE = 1 << 20
#: Seconds a worker waits for its template to finish importing.
READY_TIMEOUT = 120.0


class TemplateError(RuntimeError):
    """The template could not be started or could not fork a kernel."""


# --------------------------------------------------------------------------- what to preload


def notebook_imports_from_source(source: str) -> list[str]:
    """Absolute module names a code cell imports (``from a.b import c`` gives ``a.b``).

    ``import_module("a.b")`` with a literal name counts too (hidden tests import the
    marking helpers that way, to reload them).
    """
    lines = [ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
    try:
        tree = ast.parse("\n".join(lines))
    except (SyntaxError, ValueError):
        return []
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
        elif isinstance(node, ast.Call) and _literal_import_module(node):
            found.add(node.args[0].value)
    return sorted(found)


def _literal_import_module(call: ast.Call) -> bool:
    """``import_module("name")`` or ``x.import_module("name")`` with a literal name."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    return (name == "import_module" and len(call.args) == 1 and not call.keywords
            and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str)
            and not call.args[0].value.startswith("."))


def notebook_imports(paths: Iterable[Path]) -> list[str]:
    """Modules the code cells of the given (instructor's, trusted) notebooks import."""
    import nbformat

    found: set[str] = set()
    for path in paths:
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception:  # an unreadable release notebook only costs its warm imports
            continue
        for cell in nb.cells:
            if cell.get("cell_type") == "code":
                found.update(notebook_imports_from_source(cell.source))
    return sorted(found)


def preload_modules(source_dir: Path | None) -> list[str]:
    """The template's imports: :data:`BASE_PRELOAD` plus what the module's notebooks import.

    ``source_dir`` holds the instructor's notebooks of the module (with the hidden
    tests, whose imports a grading kernel runs too); a submission is never read.
    """
    extra = notebook_imports(sorted(source_dir.glob("*.ipynb"))) if source_dir else []
    return list(dict.fromkeys([*BASE_PRELOAD, *extra]))


# --------------------------------------------------------------------------- template process


def _preload(names: Sequence[str]) -> tuple[list[str], list[str]]:
    loaded, failed = [], []
    for name in names:
        try:
            importlib.import_module(name)
            loaded.append(name)
        except BaseException:  # noqa: BLE001 - a failing import is skipped, never fatal
            failed.append(name)
    return loaded, failed


def _warm_up_matplotlib() -> None:
    """Draw one small figure off screen: fonts, text layout and the Agg backend load once.

    Only matplotlib's object API is used (no pyplot figure, so no figure number is
    taken); what it leaves are caches every later figure in a process reuses anyway.
    """
    if "matplotlib" not in sys.modules:
        return
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 2), dpi=50)
    axes = fig.add_subplot()
    axes.plot([0, 1], [0, 1])
    axes.set_title("warm-up 0.5")
    axes.set_xlabel("week")
    FigureCanvasAgg(fig).print_png(io.BytesIO())


def _warm_up_prose() -> None:
    """Review one short text as every kind: rules files, word lists and patterns load once.

    What stays behind is :func:`course.prose.rules.load_kind`'s cache of the course's
    own rules files, the same ones a fresh kernel would read on its first review.
    """
    prose = sys.modules.get("course.prose")
    if prose is None:
        return
    for kind in prose.kind_names():
        prose.review("We cut checkout latency from 480 ms to 140 ms for two teams.", kind)


def _home_dirs() -> list[str]:
    """Folders under this process's HOME that imported modules have cached (matplotlib's).

    A forked kernel keeps using them, so each kernel gets them recreated empty in its own
    private /tmp (see :func:`course.grading.sandbox_exec.make_private_dirs`).
    """
    home = os.environ.get("HOME", "")
    mpl = sys.modules.get("matplotlib")
    found = []
    for getter in ("get_configdir", "get_cachedir"):
        try:
            path = str(getattr(mpl, getter)()) if mpl is not None else ""
        except Exception:  # noqa: BLE001 - a missing folder only costs its recreation
            continue
        if home and path.startswith(home.rstrip("/") + "/"):
            found.append(path)
    return found


def _task_count() -> int:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 1


def _fork_kernel(sock: socket.socket, request: dict[str, Any]) -> None:
    """Fork a launcher for ``request`` and hand the worker a pidfd for it."""
    sys.stdout.flush()
    sys.stderr.flush()
    template = os.getpid()
    pid = os.fork()
    if pid == 0:
        _launcher(sock, request, template)
    try:
        pidfd = os.pidfd_open(pid)
    except OSError as exc:
        sock.send(json.dumps({"error": f"pidfd_open: {exc}"}).encode())
        return
    try:
        socket.send_fds(sock, [json.dumps({"pid": pid}).encode()], [pidfd])
    finally:
        os.close(pidfd)


def _launcher(sock: socket.socket, request: dict[str, Any], template: int) -> None:
    """In the forked child: become the sandbox launcher; never returns."""
    code = 127
    try:
        sandbox_exec.prctl(sandbox_exec.PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != template:
            os._exit(1)
        sock.close()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.setsid()
        os.environ.clear()
        os.environ.update(request["env"])
        code = sandbox_exec.run(request["spec"], list(request["cmd"]), start=start_kernel_here)
    except BaseException as exc:  # noqa: BLE001 - report, never return into the template
        try:
            os.write(2, f"template: cannot start kernel: {exc}\n".encode())
        except OSError:
            pass
    os._exit(code)


def kernel_argv(cmd: Sequence[str]) -> list[str]:
    """The kernel's own arguments from a ``python -m ipykernel_launcher ...`` command.

    >>> kernel_argv(["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "k.json"])
    ['-f', 'k.json']
    """
    cmd = list(cmd)
    for i in range(len(cmd) - 1):
        if cmd[i] == "-m" and cmd[i + 1] in ("ipykernel_launcher", "ipykernel"):
            return cmd[i + 2:]
    raise TemplateError(f"not an ipykernel command: {' '.join(cmd)[:200]}")


def _fresh_process_state() -> None:
    """Reset what a new interpreter would have fresh and a fork inherits.

    ``random`` reseeds itself after fork; numpy's legacy global generator does not. The
    temporary folder is looked up again from the kernel's environment, and warnings the
    template already showed once may show again (as in a new interpreter).
    """
    import tempfile
    import warnings

    tempfile.tempdir = None
    numpy_random = sys.modules.get("numpy.random")
    if numpy_random is not None:
        numpy_random.seed()
    mutated = getattr(warnings, "_filters_mutated", None)
    if callable(mutated):
        mutated()


def start_kernel_here(cmd: list[str], env: dict[str, str]) -> None:
    """Run an IPython kernel in this (sandboxed, forked) process until it is shut down."""
    argv = kernel_argv(cmd)
    os.environ.clear()
    os.environ.update(env)
    _fresh_process_state()
    import importlib.util

    launcher = importlib.util.find_spec("ipykernel_launcher")
    sys.argv = [launcher.origin if launcher and launcher.origin else "ipykernel_launcher", *argv]
    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance()
    app.initialize(argv)
    widgets = sys.modules.get("ipywidgets")
    if widgets is not None and hasattr(widgets, "_handle_ipython"):
        widgets._handle_ipython()  # what importing ipywidgets inside a kernel does
    app.start()
    os._exit(0)


def serve(sock: socket.socket) -> int:
    """Fork a kernel for each request until the worker closes the socket."""
    while True:
        try:
            ready, _, _ = select.select([sock], [], [], 1.0)
        except InterruptedError:
            continue
        sandbox_exec.reap_children()
        if not ready:
            continue
        try:
            data = sock.recv(MAX_MESSAGE)
        except OSError:
            data = b""
        if not data:
            return 0
        try:
            request = json.loads(data)
        except ValueError:
            sock.send(json.dumps({"error": "bad request"}).encode())
            continue
        _fork_kernel(sock, request)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m course.grading.template --fd N --parent PID --preload a,b``."""
    parser = argparse.ArgumentParser(prog="python -m course.grading.template")
    parser.add_argument("--fd", type=int, required=True, help="socket to the worker")
    parser.add_argument("--parent", type=int, required=True, help="the worker's pid")
    parser.add_argument("--preload", default="", help="modules to import, comma-separated")
    args = parser.parse_args(argv)
    sandbox_exec.prctl(sandbox_exec.PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != args.parent:
        return 1  # the worker died before we could tie our life to it
    for sig in (signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)  # the grading run decides; SIGTERM still ends us
    sock = socket.socket(fileno=args.fd)
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]  # a kernel's path starts like ipykernel_launcher's
    started = time.perf_counter()
    loaded, failed = _preload([n for n in args.preload.split(",") if n])
    for name, warm_up in (("matplotlib", _warm_up_matplotlib), ("prose", _warm_up_prose)):
        try:
            warm_up()
        except Exception:  # noqa: BLE001 - a warm-up that fails only costs its time later
            failed.append(f"({name} warm-up)")
    sys.stdout.flush()
    sys.stderr.flush()
    tasks = _task_count()
    reply = {"ready": tasks == 1, "pid": os.getpid(), "loaded": loaded, "failed": failed,
             "private_dirs": _home_dirs(), "seconds": round(time.perf_counter() - started, 3)}
    if tasks != 1:
        reply["error"] = (f"the template has {tasks} threads after its imports; "
                          "forking it would be unsafe")
    sock.send(json.dumps(reply).encode())
    if tasks != 1:
        return 1
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)  # start-up errors went to the log; kernels' stderr is dropped
    os.close(devnull)
    return serve(sock)


# --------------------------------------------------------------------------- worker side


def fork_supported() -> str | None:
    """None if this machine can fork kernels from a template, else the reason why not."""
    if not sys.platform.startswith("linux"):
        return "needs Linux"
    if not hasattr(os, "pidfd_open") or not hasattr(socket, "send_fds"):
        return "needs Python 3.9+ with pidfd support"
    try:
        fd = os.pidfd_open(os.getpid())
    except OSError as exc:
        return f"needs Linux 5.3+ pidfds ({exc.strerror})"
    os.close(fd)
    return None


class ForkedProcess:
    """The ``Popen``-like handle of a kernel forked by a template (backed by a pidfd).

    The template, not this process, is the kernel's parent and reaps it, so the exit
    status is not known here: :attr:`returncode` is ``-SIGKILL`` when it was killed
    through this handle and ``0`` otherwise once it has exited.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int, pidfd: int) -> None:
        self.pid = pid
        self._fd = pidfd
        self._killed = False
        self.returncode: int | None = None

    def _exited(self, timeout: float) -> bool:
        if self.returncode is not None:
            return True
        ready, _, _ = select.select([self._fd], [], [], timeout)
        if not ready:
            return False
        self.returncode = -signal.SIGKILL if self._killed else 0
        os.close(self._fd)
        self._fd = -1
        return True

    def poll(self) -> int | None:
        """The exit status once exited, else None."""
        self._exited(0)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """Block until the process has exited."""
        if not self._exited(-1 if timeout is None else timeout) and timeout is not None:
            raise subprocess.TimeoutExpired("forked kernel", timeout)
        while not self._exited(1.0):
            pass
        return self.returncode if self.returncode is not None else 0

    def send_signal(self, sig: int) -> None:
        """Signal the process (never another one that reused its pid)."""
        if self.returncode is None and self._fd >= 0:
            if sig == signal.SIGKILL:
                self._killed = True
            try:
                signal.pidfd_send_signal(self._fd, sig)
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def close(self) -> None:
        """Release the pidfd (the process is not signalled)."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


class Template:
    """A worker's template process: started once, forks one kernel per request."""

    def __init__(self, env: dict[str, str], preload: Sequence[str], home: str,
                 log_path: str | None = None) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.preload = list(preload)
        self.home = home
        self._log_path = log_path or os.path.join(home, "template.log")
        with open(self._log_path, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "course.grading.template", "--fd", str(theirs.fileno()),
                 "--parent", str(os.getpid()), "--preload", ",".join(self.preload)],
                env=env, cwd=home, pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=log)
        theirs.close()
        self._sock = ours
        self._lock = threading.Lock()  # one request and its reply at a time
        self.info: dict[str, Any] | None = None

    def _log_tail(self) -> str:
        try:
            lines = Path(self._log_path).read_text(errors="replace").strip().splitlines()
        except OSError:
            return ""
        return lines[-1][:300] if lines else ""

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> dict[str, Any]:
        """Block until the template has imported everything; return its start-up report."""
        if self.info is not None:
            return self.info
        ready, _, _ = select.select([self._sock], [], [], timeout)
        data = self._sock.recv(MAX_MESSAGE) if ready else b""
        info = json.loads(data) if data else {}
        if not info.get("ready"):
            reason = info.get("error") or self._log_tail() or "it exited during start-up"
            self.close()
            raise TemplateError(f"kernel template did not start: {reason}")
        self.info = info
        return info

    @property
    def private_dirs(self) -> list[str]:
        """Folders each kernel gets recreated privately (see :func:`_home_dirs`)."""
        return list(self.wait_ready().get("private_dirs", []))

    def alive(self) -> bool:
        """Is the template process still running?"""
        return self.process.poll() is None

    def fork(self, spec: dict[str, Any], cmd: Sequence[str], env: dict[str, str]
             ) -> ForkedProcess:
        """Fork a kernel that runs ``cmd``'s ipykernel inside the sandbox ``spec``."""
        self.wait_ready()
        request = json.dumps({"spec": spec, "cmd": list(cmd), "env": env}).encode()
        try:
            with self._lock:
                self._sock.send(request)
                data, fds, _, _ = socket.recv_fds(self._sock, MAX_MESSAGE, 1)
        except OSError as exc:
            raise TemplateError(f"kernel template is gone: {exc}") from exc
        if not data:
            raise TemplateError("kernel template is gone")
        reply = json.loads(data)
        if "pid" not in reply or not fds:
            for fd in fds:
                os.close(fd)
            raise TemplateError(f"kernel template could not fork: {reply.get('error')}")
        return ForkedProcess(int(reply["pid"]), fds[0])

    def close(self) -> None:
        """Stop the template (its kernels die with it)."""
        try:
            self._sock.close()
        except OSError:
            pass
        if self.process.poll() is None:
            self.process.kill()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass


if __name__ == "__main__":
    sys.exit(main())
