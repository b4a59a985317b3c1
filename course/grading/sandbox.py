"""Safe-by-default execution of learners' notebooks while grading, without Docker.

nbgrader runs a submission's code with the grader's permissions. This module starts each
grading kernel through :mod:`course.grading.sandbox_exec`, which applies every protection
the machine allows (see ``SECURITY.md`` and ``docs/sandbox.md``):

* resource limits (always): memory, processes, file size, CPU time, no core dumps;
* its own session and, as root, its own pid namespace: everything the notebook started is
  killed when the kernel ends, including daemonised processes;
* as root: a private unprivileged uid per kernel (account ``wbsandbox``), no new privileges;
* as root: a network namespace with no interfaces (the kernel talks to the grader over
  unix sockets) and a mount namespace hiding the gradebook, solutions, other learners and
  the instructor's home under empty read-only tmpfs, with a private ``/tmp``;
* a scrubbed environment, HOME/TMPDIR/cwd in the submission's scratch copy;
* in the grader: a per-cell timeout, a whole-notebook deadline and an output byte cap.

>>> Limits().memory_mb
1024
>>> Limits.from_value('{"cell_timeout": 5}').cell_timeout
5
>>> from traitlets.config import Config
>>> sandbox_config(Config(), Limits(), "/tmp/x", []).Execute.timeout
15

Importing this module is cheap: jupyter_client and nbgrader load on first use of
:class:`SandboxedKernelManager` or :class:`SandboxedExecute`.
"""

from __future__ import annotations

import dataclasses
import fcntl
import functools
import grp
import json
import os
import pwd
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course import paths

#: Name of the system account whose group sandboxed kernels run in.
SANDBOX_USER = "wbsandbox"
#: Each kernel gets its own uid from this range, so one notebook's processes (and its
#: RLIMIT_NPROC count) never mix with another's when grading in parallel.
PRIVATE_UID_BASE = 1_900_000_000
PRIVATE_UID_SLOTS = 1024
#: A cell that prints this many times the output cap (all dropped) gets interrupted.
FLOOD_FACTOR = 10
#: Prefix of the per-kernel runtime dirs (connection file, ipc sockets) in /tmp.
RUNTIME_PREFIX = "wbsandbox-"
#: Lock files that hand out private uids across grader processes (root only).
LOCK_DIR = "/run/wbsandbox"
#: Environment variables passed through to the kernel unchanged; everything else is dropped.
ENV_KEEP = ("LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "LC_MESSAGES", "TZ", "MPLBACKEND",
            "WBCOURSE_ROOT", "PYTHONHASHSEED", "JPY_SESSION_NAME")


@dataclass(frozen=True)
class Limits:
    """What one graded notebook may use. Defaults suit the course's notebooks.

    cell_timeout: seconds per cell before it is interrupted (nbgrader's ``Execute.timeout``).
    notebook_timeout: wall-clock seconds for the whole notebook; also the kernel's CPU limit.
    memory_mb: address-space limit of each kernel process (RLIMIT_AS).
    max_processes: processes + threads the kernel's uid may have (RLIMIT_NPROC).
    output_bytes: notebook output kept by the grader; the rest is dropped with a note.
    file_size_mb: largest file the kernel may write (RLIMIT_FSIZE).
    network: allow network access (off: the kernel gets an empty network namespace).
    """

    cell_timeout: int = 15
    notebook_timeout: int = 120
    memory_mb: int = 1024
    max_processes: int = 64
    output_bytes: int = 1_000_000
    file_size_mb: int = 50
    network: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (JSON-ready)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_value(cls, value: Limits | dict[str, Any] | str | None) -> Limits:
        """Build from a Limits, a dict, a JSON string or None (defaults)."""
        if isinstance(value, Limits):
            return value
        if isinstance(value, str):
            value = json.loads(value) if value.strip() else {}
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(value or {}) - known
        if unknown:
            raise ValueError(f"unknown sandbox limit(s): {', '.join(sorted(unknown))}")
        return cls(**(value or {}))


@dataclass(frozen=True)
class Protections:
    """What the sandbox can do on this machine (see :func:`probe`)."""

    limits: Limits = field(default_factory=Limits)
    is_root: bool = False
    user: str | None = None
    uid: int | None = None
    gid: int | None = None
    private_uids: bool = False
    network_isolated: bool = False
    mount_namespace: bool = False
    pid_namespace: bool = False
    hidden_paths: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def switches_user(self) -> bool:
        """True when kernels run as an unprivileged uid."""
        return self.uid is not None

    @property
    def active(self) -> list[str]:
        """Names of the protections that will be applied."""
        names = ["rlimits", "session-kill", "scrubbed-env", "output-cap", "timeouts"]
        flags = [("user", self.switches_user), ("private-uid", self.private_uids),
                 ("no-new-privs", True), ("network", self.network_isolated),
                 ("hidden-paths", self.mount_namespace), ("private-tmp", self.mount_namespace),
                 ("pid-namespace", self.pid_namespace)]
        return names + [name for name, on in flags if on]

    def describe(self) -> str:
        """One line for logs and ``wbcourse grade`` output."""
        lim = self.limits
        if self.switches_user:
            extra = ", private uid per kernel" if self.private_uids else ""
            user = f"user={self.user}(uid {self.uid}{extra})"
        else:
            user = "user=unchanged(NOT switched)"
        rl = (f"rlimits(mem {lim.memory_mb} MB, procs {lim.max_processes}, "
              f"fsize {lim.file_size_mb} MB, cpu {lim.notebook_timeout} s)")
        if lim.network:
            net = "network=allowed"
        else:
            net = "network=isolated" if self.network_isolated else "network=NOT isolated"
        hidden = (f"hidden paths={len(self.hidden_paths)}" if self.mount_namespace
                  else "hidden paths=NONE (no mount namespace)")
        kill = "pid namespace" if self.pid_namespace else "process-tree kill"
        parts = [user, rl, net, hidden, kill]
        if self.notes:
            parts.append("notes: " + "; ".join(self.notes))
        return "sandbox: " + ", ".join(parts)


# --------------------------------------------------------------------------- probing

def course_root() -> Path:
    """Directory that holds the ``course`` package (must stay importable in the kernel)."""
    return Path(__file__).resolve().parents[2]


def default_hidden_paths() -> list[str]:
    """Always hidden: the instructor's home, the solutions and the repository's git history."""
    found = [Path.home(), paths.solutions_dir(), course_root() / ".git"]
    return _unique(str(p.resolve()) for p in found if str(p) != "/" and p.is_dir())


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


@functools.lru_cache(maxsize=1)
def _namespace_support() -> dict[str, Any]:
    """Ask a throw-away launcher process which namespaces this machine allows."""
    if not sys.platform.startswith("linux"):
        return {"errors": {"all": "not Linux"}}
    cmd = [sys.executable, "-m", "course.grading.sandbox_exec", "--probe"]
    env = {**os.environ, "PYTHONPATH": _pythonpath()}
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=20, env=env,
                             check=True).stdout
        return json.loads(out)
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        return {"errors": {"all": f"probe failed: {exc}"}}


def ensure_sandbox_user(create: bool = True) -> tuple[str, int, int] | None:
    """(name, uid, gid) of the ``wbsandbox`` system account, creating it as root if needed.

    Falls back to ``nobody``; None when not root (no user switch possible).
    """
    if os.geteuid() != 0:
        return None
    for attempt in range(2):
        try:
            entry = pwd.getpwnam(SANDBOX_USER)
            return entry.pw_name, entry.pw_uid, entry.pw_gid
        except KeyError:
            if attempt or not create or not shutil.which("useradd"):
                break
            subprocess.run(["useradd", "--system", "--user-group", "--no-create-home",
                            "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin",
                            SANDBOX_USER], capture_output=True, check=False)
    try:
        entry = pwd.getpwnam("nobody")
        return entry.pw_name, entry.pw_uid, grp.getgrnam("nogroup").gr_gid
    except KeyError:
        return None


def _others_can_read(path: str) -> bool:
    """Whether an unrelated uid can reach and read ``path`` (every parent needs o+x)."""
    p = Path(path).resolve()
    try:
        for parent in reversed(p.parents):
            if not parent.stat().st_mode & stat.S_IXOTH:
                return False
        return bool(p.stat().st_mode & stat.S_IROTH)
    except OSError:
        return False


def runtime_paths() -> list[str]:
    """Read-only paths a kernel needs: the Python installation, the venv, the course."""
    found = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
             os.path.dirname(os.path.realpath(sys.executable)), str(course_root())]
    return _unique(os.path.realpath(p) for p in found)


#: Protections that can be switched off (for debugging, or to test the degraded mode).
OPTIONAL = ("user", "network", "mount", "pid")


def probe(limits: Limits | None = None, hidden_paths: Sequence[str] | None = None,
          *, create_user: bool = True, disable: Iterable[str] = ()) -> Protections:
    """Detect which protections this machine supports for sandboxed kernels.

    ``disable`` switches off some of :data:`OPTIONAL` even where the machine allows them.
    """
    off = set(disable)
    if off - set(OPTIONAL):
        raise ValueError(f"unknown protection(s) to disable: {sorted(off - set(OPTIONAL))}")
    limits = limits or Limits()
    hidden = tuple(_unique([*default_hidden_paths(),
                            *(str(Path(p).resolve()) for p in hidden_paths or ())]))
    ns = {k: v for k, v in _namespace_support().items() if k not in off}
    errors = {k: v for k, v in ns.get("errors", {}).items() if k not in off}
    notes: list[str] = []
    is_root = os.geteuid() == 0
    account = ensure_sandbox_user(create_user) if is_root and "user" not in off else None
    if off:
        notes.append("disabled: " + ", ".join(sorted(off)))
    if not is_root:
        notes.append("not root: no user switch or namespaces")
    elif errors:
        notes.append("; ".join(f"{k}: {v}" for k, v in errors.items()))
    mount_ns = bool(ns.get("mount"))
    if account and not mount_ns:
        blocked = [p for p in runtime_paths() if not _others_can_read(p)]
        if blocked:
            notes.append(f"user switch off: {blocked[0]} unreadable without a mount namespace")
            account = None
    return Protections(
        limits=limits, is_root=is_root,
        user=account[0] if account else None,
        uid=account[1] if account else None,
        gid=account[2] if account else None,
        private_uids=bool(account),
        network_isolated=bool(ns.get("network")) and not limits.network,
        mount_namespace=mount_ns, pid_namespace=bool(ns.get("pid")),
        hidden_paths=hidden if mount_ns else (), notes=tuple(notes))


# --------------------------------------------------------------------------- per-kernel setup

class UidLease:
    """A private uid held (by an flock) for the life of one kernel."""

    def __init__(self, uid: int, fd: int) -> None:
        self.uid, self._fd = uid, fd

    @classmethod
    def acquire(cls, kill_stale: bool = True) -> UidLease:
        """Take the first free private uid; kill anything a crashed run left under it.

        ``kill_stale=False`` when kernels get pid namespaces: every process of a private
        uid then lived in its kernel's namespace and died with it.
        """
        os.makedirs(LOCK_DIR, mode=0o700, exist_ok=True)
        for slot in range(PRIVATE_UID_SLOTS):
            path = os.path.join(LOCK_DIR, f"slot-{slot}.lock")
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            lease = cls(PRIVATE_UID_BASE + slot, fd)
            if kill_stale:
                kill_uid(lease.uid)
            _remove_stale_runtime_dirs(lease.uid)
            return lease
        raise RuntimeError("no free sandbox uid: too many kernels at once")

    def release(self) -> None:
        """Give the uid back (idempotent)."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def _remove_stale_runtime_dirs(uid: int) -> None:
    """Runtime dirs of a uid we just leased belong to kernels that are gone."""
    for entry in os.scandir("/tmp"):
        try:
            if entry.name.startswith(RUNTIME_PREFIX) and entry.stat().st_uid == uid:
                shutil.rmtree(entry.path, ignore_errors=True)
        except OSError:
            continue


def kill_uid(uid: int, gid: int | None = None) -> None:
    """SIGKILL every process running as ``uid`` (a private sandbox uid; root only)."""
    kill = shutil.which("kill") or "/bin/kill"
    if os.geteuid() != 0 or uid < PRIVATE_UID_BASE or not os.path.exists(kill):
        return
    gid = gid if gid is not None else uid
    subprocess.run([kill, "-s", "KILL", "--", "-1"], user=uid, group=gid, extra_groups=[],
                   capture_output=True, check=False, cwd="/")


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (including ones in a child pid namespace)."""
    from course.grading.sandbox_exec import descendants as _descendants

    return _descendants(pid)


def kill_group(pid: int | None) -> None:
    """SIGKILL a launcher and its process group (supervisor and kernel included)."""
    if not pid:
        return
    for kill, target in ((os.killpg, pid), (os.kill, pid)):
        try:
            kill(target, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def kill_tree(pid: int | None, uid: int | None = None) -> None:
    """Kill a launcher, its process group, all its descendants and the kernel uid's processes."""
    if pid:
        victims = descendants(pid)
        for target in (*victims, pid):
            try:
                os.kill(target, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        try:
            os.killpg(pid, signal.SIGKILL)  # the launcher leads its own session/group
        except (ProcessLookupError, PermissionError):
            pass
    if uid is not None:
        kill_uid(uid)


def count_tasks(uid: int) -> int:
    """Processes + threads of ``uid`` (what RLIMIT_NPROC counts)."""
    total = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    total += len(os.listdir(f"/proc/{entry.name}/task"))
            except OSError:
                continue
    return total


def chown_tree(root: str, uid: int, gid: int) -> None:
    """Give the kernel's uid the scratch copy (never following symlinks)."""
    os.lchown(root, uid, gid)
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            os.lchown(os.path.join(dirpath, name), uid, gid)


def seed_font_cache(scratch: str, source: str | None = None) -> list[str]:
    """Copy the grader's matplotlib font cache into the kernel's HOME (``scratch``).

    The kernel's HOME is a fresh scratch folder, so without a cache ``import
    matplotlib.pyplot`` rebuilds the font list in every graded notebook (about 0.4 s of
    CPU each).  The copy goes where matplotlib looks in that HOME
    (``~/.cache/matplotlib``) and is then handed to the kernel's uid with the rest of
    the scratch folder.  Returns the copied files; nothing is copied if the grader has
    no cache yet.

    >>> import tempfile, pathlib
    >>> src, home = tempfile.mkdtemp(), tempfile.mkdtemp()
    >>> _ = pathlib.Path(src, "fontlist-v390.json").write_text("{}")
    >>> [os.path.relpath(p, home) for p in seed_font_cache(home, src)]
    ['.cache/matplotlib/fontlist-v390.json']
    """
    if source is None:
        source = os.environ.get("MPLCONFIGDIR") or os.path.join(
            os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "matplotlib"
        )
    try:
        names = [n for n in os.listdir(source) if n.startswith("fontlist-")]
    except OSError:
        return []
    dest = os.path.join(scratch, ".cache", "matplotlib")
    if any(os.path.islink(d) for d in (os.path.dirname(dest), dest)):
        return []  # a submission's symlink must never redirect the grader's writes
    copied = []
    for name in names:
        target = os.path.join(dest, name)
        if os.path.lexists(target):
            continue  # never replace what is already there
        try:
            os.makedirs(dest, exist_ok=True)
            shutil.copyfile(os.path.join(source, name), target)
        except OSError:
            continue
        copied.append(target)
    return copied


def _pythonpath(extra: str = "") -> str:
    parts = [str(course_root()), *[p for p in extra.split(os.pathsep) if p]]
    return os.pathsep.join(_unique(parts))


def kernel_env(scratch: str, user: str, base: dict[str, str] | None = None) -> dict[str, str]:
    """The kernel's environment: an allow-list, never the grader's secrets."""
    base = dict(os.environ if base is None else base)
    env = {k: v for k, v in base.items() if k in ENV_KEEP}
    bindir = os.path.dirname(sys.executable)
    env.update({
        "PATH": os.pathsep.join([bindir, "/usr/local/bin", "/usr/bin", "/bin"]),
        "PYTHONPATH": _pythonpath(base.get("PYTHONPATH", "")),
        "HOME": scratch, "TMPDIR": scratch, "USER": user, "LOGNAME": user,
        "SHELL": "/bin/sh", "MPLBACKEND": env.get("MPLBACKEND", "agg"),
        "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1", "MALLOC_ARENA_MAX": "2",
        "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        "LANG": env.get("LANG", "C.UTF-8"),
    })
    if sys.prefix != sys.base_prefix:
        env["VIRTUAL_ENV"] = sys.prefix
    return env


def launcher_spec(prot: Protections, *, scratch: str, runtime_dir: str, uid: int | None,
                  gid: int | None, nproc_base: int) -> dict[str, Any]:
    """The JSON spec :mod:`course.grading.sandbox_exec` applies."""
    keep_ro = runtime_paths()
    hidden = list(prot.hidden_paths)
    if uid is not None:  # make sure the unprivileged kernel can reach what it needs
        hidden += [_first_closed_parent(p) for p in keep_ro + [scratch]]
    return {
        "limits": prot.limits.to_dict(), "scratch": scratch, "uid": uid, "gid": gid,
        "nproc_base": nproc_base, "network": prot.network_isolated,
        "mount": prot.mount_namespace, "pid": prot.pid_namespace,
        "hidden": _unique(h for h in hidden if h), "keep_ro": keep_ro,
        "keep_rw": [scratch, runtime_dir],
    }


def _first_closed_parent(path: str) -> str:
    """The outermost parent of ``path`` that others cannot traverse ('' if none)."""
    for parent in reversed(Path(path).resolve().parents):
        try:
            if not parent.stat().st_mode & stat.S_IXOTH:
                return str(parent)
        except OSError:
            return ""
    return ""


# --------------------------------------------------------------------------- lazy classes

def _make_kernel_manager() -> type:
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import Any as AnyTrait
    from traitlets import Bool, List, Unicode, validate

    class SandboxedKernelManager(AsyncKernelManager):
        """An AsyncKernelManager whose kernels run inside the grading sandbox.

        Use with nbgrader as ``Execute(km=SandboxedKernelManager(...))``, through
        :class:`SandboxedExecute`, or via :func:`sandbox_config`.
        """

        limits = AnyTrait(None, allow_none=True,
                          help="Limits as a dict or JSON string (see course.grading.sandbox.Limits)"
                          ).tag(config=True)
        scratch_dir = Unicode("", help="Kernel cwd/HOME/TMPDIR: the submission's scratch copy; "
                              "default: the cwd nbclient asks for").tag(config=True)
        hidden_paths = List(Unicode(), help="Directories the kernel must not see "
                            "(gradebook, workspace, other learners)").tag(config=True)
        disable = List(Unicode(), help=f"Protections to switch off, of {OPTIONAL} "
                       "(debugging only)").tag(config=True)
        apply_limits = Bool(True, help="Apply the rlimits (off only for --no-sandbox runs, "
                            "together with disable=all)").tag(config=True)

        @validate("limits")
        def _check_limits(self, proposal: dict[str, Any]) -> dict[str, Any]:
            return Limits.from_value(proposal["value"]).to_dict()

        #: Copy the grader's matplotlib font cache into each fresh kernel's HOME.
        seeds_font_cache = True

        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self._lease: UidLease | None = None
            self._runtime_dir: str | None = None
            self._victim_uid: int | None = None
            self.protections: Protections | None = None
            self.spec: dict[str, Any] = {}
            self.kernel_cmd: list[str] = []

        @property
        def sandbox_limits(self) -> Limits:
            """The limits in force, as a :class:`Limits`."""
            return Limits.from_value(self.limits)

        async def _async_pre_start_kernel(self, **kw: Any) -> tuple[list[str], dict[str, Any]]:
            scratch = os.path.realpath(self.scratch_dir or kw.get("cwd") or tempfile.mkdtemp())
            prot = probe(self.sandbox_limits, self.hidden_paths, disable=self.disable)
            self.protections = prot
            self._prepare_runtime(prot)
            user = prot.user or os.environ.get("USER", "grader")
            kw["env"] = kernel_env(scratch, user, kw.get("env"))
            kw["cwd"] = scratch
            if self.seeds_font_cache:
                seed_font_cache(scratch)
            cmd, kw = await super()._async_pre_start_kernel(**kw)
            uid = self._lease.uid if self._lease else None
            if uid is not None:
                chown_tree(scratch, uid, prot.gid or uid)
                chown_tree(self._runtime_dir or "", uid, prot.gid or uid)
            base = 0 if uid is not None or not self.apply_limits else count_tasks(os.getuid())
            spec = launcher_spec(prot, scratch=scratch, runtime_dir=self._runtime_dir or "",
                                 uid=uid, gid=prot.gid, nproc_base=base)
            if not self.apply_limits:
                spec["limits"] = {}
            self.spec, self.kernel_cmd = spec, list(cmd)
            launcher = [sys.executable, "-S", "-m", "course.grading.sandbox_exec",  # -S: fast
                        "--spec", json.dumps(spec), "--"]
            return launcher + cmd, kw

        def _prepare_runtime(self, prot: Protections) -> None:
            """ipc sockets + connection file in a private dir the kernel's uid owns."""
            if self._runtime_dir is None:
                self._runtime_dir = tempfile.mkdtemp(prefix=RUNTIME_PREFIX, dir="/tmp")
            if prot.switches_user and self._lease is None:
                self._lease = UidLease.acquire(kill_stale=not prot.pid_namespace)
                self._victim_uid = self._lease.uid
            self.transport = "ipc"
            base = os.path.join(self._runtime_dir, f"kernel-{self.kernel_id or 'k'}")
            if not self.connection_file or not self.connection_file.startswith(self._runtime_dir):
                self.connection_file = base + ".json"
                self.ip = base + "-ipc"

        async def _async_kill_kernel(self, restart: bool = False) -> None:
            self.kill_leftovers()
            await super()._async_kill_kernel(restart=restart)

        async def _async_cleanup_resources(self, restart: bool = False) -> None:
            self.kill_leftovers()
            await super()._async_cleanup_resources(restart=restart)
            if not restart:
                self.cleanup()

        # AsyncKernelManager binds these public names to the base implementations at class
        # creation; rebind them so callers such as nbclient reach the overrides above.
        cleanup_resources = _async_cleanup_resources
        _kill_kernel = _async_kill_kernel

        def kill_leftovers(self) -> None:
            """SIGKILL the launcher, its whole tree and anything running as the kernel's uid."""
            proc = getattr(self.provisioner, "process", None) if self.provisioner else None
            # Only while the launcher is unreaped: its pid cannot have been reused yet.
            pid = proc.pid if proc is not None and proc.returncode is None else None
            if self.protections is not None and self.protections.pid_namespace:
                # Everything the kernel started lives in its pid namespace, which dies
                # with the supervisor: killing the launcher's process group is enough.
                kill_group(pid)
            else:
                kill_tree(pid, self._victim_uid)

        @property
        def sandbox_uid(self) -> int | None:
            """The private uid the kernel runs as (None when not switching user)."""
            return self._lease.uid if self._lease else None

        def adopt(self, path: str | os.PathLike[str]) -> None:
            """Hand files copied into the scratch dir after start-up to the kernel's uid."""
            if self._lease is not None and self.protections is not None:
                chown_tree(str(path), self._lease.uid, self.protections.gid or self._lease.uid)

        def cleanup(self) -> None:
            """Reap everything the kernel started and release its uid and runtime dir."""
            self.kill_leftovers()
            if self._runtime_dir:
                shutil.rmtree(self._runtime_dir, ignore_errors=True)
                self._runtime_dir = None
            if self._lease:
                self._lease.release()
                self._lease = None

    return SandboxedKernelManager


def _make_execute() -> type:
    from nbformat import NotebookNode
    from nbgrader.preprocessors import Execute
    from traitlets import Integer

    class SandboxedExecute(Execute):
        """nbgrader's Execute with the sandboxed kernel, an output cap and a notebook deadline."""

        output_bytes = Integer(Limits.output_bytes, help="Output bytes kept per notebook "
                               "(-1: no limit)").tag(config=True)
        notebook_timeout = Integer(Limits.notebook_timeout, help="Wall-clock seconds for all "
                                   "cells of a notebook (-1: no limit)").tag(config=True)

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            configured = self._configured_manager(kwargs.get("config"))
            manager = configured or __getattr__("SandboxedKernelManager")
            kwargs.setdefault("kernel_manager_class", manager)
            super().__init__(*args, **kwargs)
            self._reset_budget()

        @staticmethod
        def _configured_manager(config: Any) -> Any:
            for section in ("SandboxedExecute", "Execute"):
                if config is not None and "kernel_manager_class" in config.get(section, {}):
                    return config[section]["kernel_manager_class"]
            return None

        def _reset_budget(self) -> None:
            self._deadline: float | None = None
            self._output_used = 0
            self._dropped = 0
            self._flood_stopped = False
            self._noted_cells: set[int] = set()

        def preprocess(self, nb: Any, resources: Any = None, km: Any = None) -> Any:
            self._reset_budget()
            try:
                return super().preprocess(nb, resources, km=km)
            finally:
                manager = km or getattr(self, "km", None)
                if manager is not None and hasattr(manager, "cleanup"):
                    manager.cleanup()

        def _remaining(self) -> float | None:
            import time

            if self.notebook_timeout is None or self.notebook_timeout < 0:
                return None
            if self._deadline is None:
                self._deadline = time.monotonic() + self.notebook_timeout
            return self._deadline - time.monotonic()

        def _get_timeout(self, cell: Any) -> int | None:
            timeout = super()._get_timeout(cell)
            remaining = self._remaining()
            if remaining is None:
                return timeout
            return max(1, int(min(timeout or remaining, remaining)))

        async def async_execute_cell(self, cell: Any, cell_index: int, *args: Any,
                                     **kwargs: Any) -> Any:
            remaining = self._remaining()
            if cell.cell_type == "code" and remaining is not None and remaining <= 0:
                cell.outputs = [NotebookNode(
                    output_type="error", ename="NotebookTimeout",
                    evalue=f"grading time budget of {self.notebook_timeout} s used up",
                    traceback=[f"NotebookTimeout: grading time budget of "
                               f"{self.notebook_timeout} s used up; cell not run"])]
                return cell
            self._flood_stopped = False
            return await super().async_execute_cell(cell, cell_index, *args, **kwargs)

        def output(self, outs: list, msg: dict, display_id: str | None,
                   cell_index: int) -> Any:
            size = _message_size(msg)
            room = self.output_bytes - self._output_used if self.output_bytes >= 0 else size
            if size <= room:
                self._output_used += size
                return super().output(outs, msg, display_id, cell_index)
            if room > 0 and msg.get("msg_type") == "stream":  # keep the head of the text
                content = {**msg["content"], "text": msg["content"]["text"][:room]}
                super().output(outs, {**msg, "content": content}, display_id, cell_index)
            self._output_used += max(room, 0)
            self._dropped += size - max(room, 0)
            self._note_limit(outs, cell_index)
            if self._dropped > FLOOD_FACTOR * max(self.output_bytes, 1):
                self._stop_flood()
            return None

        def _note_limit(self, outs: list, cell_index: int) -> None:
            if cell_index not in self._noted_cells:
                self._noted_cells.add(cell_index)
                outs.append(NotebookNode(
                    output_type="stream", name="stderr",
                    text=f"\n[grader] output limit of {self.output_bytes} bytes reached; "
                         "further output dropped\n"))

        def _stop_flood(self) -> None:
            """Interrupt a kernel that keeps printing long after the cap (once per cell)."""
            import asyncio

            if self._flood_stopped or self.km is None:
                return
            self._flood_stopped = True
            result = self.km.interrupt_kernel()
            if asyncio.iscoroutine(result):
                asyncio.ensure_future(result)

    return SandboxedExecute


def _message_size(msg: dict[str, Any]) -> int:
    """Approximate bytes an output message adds to the notebook."""
    content = msg.get("content", {})
    if "text" in content:
        return len(content["text"])
    data = content.get("data") or {}
    size = sum(len(v) if isinstance(v, str) else len(json.dumps(v)) for v in data.values())
    return size + sum(len(line) for line in content.get("traceback") or [])


_LAZY = {"SandboxedKernelManager": _make_kernel_manager, "SandboxedExecute": _make_execute}


def __getattr__(name: str) -> Any:
    """Build the jupyter_client/nbgrader-based classes on first use (PEP 562)."""
    if name in globals():
        return globals()[name]
    if name in _LAZY:
        cls = _LAZY[name]()
        cls.__module__ = __name__
        cls.__qualname__ = name
        globals()[name] = cls
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --------------------------------------------------------------------------- config

_MANAGER = f"{__name__}.SandboxedKernelManager"
_EXECUTE = f"{__name__}.SandboxedExecute"
_NBGRADER_EXECUTE = ("Execute", "nbgrader.preprocessors.Execute",
                     "nbgrader.preprocessors.execute.Execute")


def _autograde_preprocessors(current: Sequence[Any] | None) -> list[Any]:
    """nbgrader's autograde preprocessors with Execute swapped for SandboxedExecute."""
    if not current:
        current = ["nbgrader.preprocessors.Execute", "nbgrader.preprocessors.IgnorePattern",
                   "nbconvert.preprocessors.ClearMetadataPreprocessor",
                   "nbgrader.preprocessors.LimitOutput", "nbgrader.preprocessors.SaveAutoGrades",
                   "nbgrader.preprocessors.AssignLatePenalties",
                   "nbgrader.preprocessors.CheckCellMetadata"]
    swapped = []
    for item in current:
        name = item if isinstance(item, str) else f"{item.__module__}.{item.__qualname__}"
        is_execute = name in _NBGRADER_EXECUTE or getattr(item, "__name__", "") == "Execute"
        swapped.append(_EXECUTE if is_execute else item)
    return swapped


def sandbox_config(c: Any, limits: Limits, scratch_dir: str,
                   hidden_paths: Sequence[str]) -> Any:
    """Fill a traitlets Config so nbgrader's autograde/Execute grade inside the sandbox."""
    c.SandboxedKernelManager.limits = limits.to_dict()
    c.SandboxedKernelManager.scratch_dir = str(scratch_dir) if scratch_dir else ""
    c.SandboxedKernelManager.hidden_paths = [str(p) for p in hidden_paths]
    c.Execute.kernel_manager_class = _MANAGER
    c.Execute.timeout = limits.cell_timeout
    c.Execute.interrupt_on_timeout = True
    c.Execute.shutdown_kernel = "immediate"
    c.Execute.startup_timeout = 60
    # A flooding or interrupted kernel must not abort the batch: wait a while, then move on.
    c.Execute.iopub_timeout = 10
    c.Execute.raise_on_iopub_timeout = False
    c.SandboxedExecute.output_bytes = limits.output_bytes
    c.SandboxedExecute.notebook_timeout = limits.notebook_timeout
    c.LimitOutput.max_lines = 1000
    c.LimitOutput.max_traceback = 100
    current = c.Autograde.get("autograde_preprocessors") if "Autograde" in c else None
    c.Autograde.autograde_preprocessors = _autograde_preprocessors(current)
    return c
