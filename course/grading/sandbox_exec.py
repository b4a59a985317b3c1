"""Launcher that wraps a Jupyter kernel command in the grading sandbox.

Run by :class:`course.grading.sandbox.SandboxedKernelManager` as::

    python -m course.grading.sandbox_exec --spec JSON -- KERNEL_CMD...

and by :func:`course.grading.sandbox.probe` as ``python -m course.grading.sandbox_exec --probe``.

Only the standard library is used: this module runs before the kernel, as root when the
grader is root. The process tree it builds::

    launcher (grader's child, own session; watches the grader)
      └─ supervisor (pid 1 of a new pid namespace when possible; reaps, caps stderr)
           └─ kernel (rlimits, unprivileged uid, no_new_privs, cwd = scratch, exec)

When the kernel exits the supervisor kills everything that is left (all of the pid
namespace, every descendant, every process of the kernel's private uid) and exits with
the kernel's status. See ``docs/sandbox.md``.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import resource
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

CLONE_NEWNS = 0x00020000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY = 0x1
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_NOEXEC = 0x8
MS_REMOUNT = 0x20
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 1 << 18
PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38
PR_SET_CHILD_SUBREAPER = 36

#: Bytes of the kernel's own stdout/stderr (not notebook output) passed on to the grader.
STDERR_CAP = 64 * 1024
#: Size of the private /tmp, /var/tmp and /dev/shm a kernel gets in a mount namespace.
PRIVATE_TMP_SIZE = "64m"
PRIVATE_TMP_DIRS = ("/tmp", "/var/tmp", "/dev/shm")

_libc = ctypes.CDLL(None, use_errno=True)  # the running python's own libc (no ldconfig run)


def _check(ret: int, what: str) -> None:
    """Raise OSError with errno if a libc call failed."""
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def unshare(flags: int) -> None:
    """unshare(2): move this process into new namespaces (Python 3.11 has no os.unshare)."""
    _check(_libc.unshare(ctypes.c_int(flags)), "unshare")


def mount(source: str | None, target: str, fstype: str | None, flags: int,
          data: str | None = None) -> None:
    """mount(2) through libc."""
    enc = [None if s is None else s.encode() for s in (source, target, fstype, data)]
    ret = _libc.mount(enc[0], enc[1], enc[2], ctypes.c_ulong(flags), enc[3])
    _check(ret, f"mount {target}")


def prctl(option: int, arg: int) -> None:
    """prctl(2) with one argument."""
    _check(_libc.prctl(option, ctypes.c_ulong(arg), 0, 0, 0), f"prctl {option}")


# --------------------------------------------------------------------------- probe

def probe_namespaces() -> dict[str, Any]:
    """Try each namespace in this (throw-away) process; return what worked and why not."""
    result: dict[str, Any] = {"errors": {}}
    for name, flag in (("network", CLONE_NEWNET), ("pid", CLONE_NEWPID), ("mount", CLONE_NEWNS)):
        try:
            unshare(flag)
            if flag == CLONE_NEWNS:
                mount(None, "/", None, MS_REC | MS_PRIVATE)
                mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "size=1m")
            result[name] = True
        except OSError as exc:
            result[name] = False
            result["errors"][name] = exc.strerror or str(exc)
    return result


# --------------------------------------------------------------------------- mounts

def _is_under(path: str, parent: str) -> bool:
    return path == parent or path.startswith(parent.rstrip("/") + "/")


def _covered_by(path: str, covers: Iterable[str]) -> str | None:
    """The cover that hides ``path`` (deepest one), if any."""
    found = [c for c in covers if _is_under(path, c)]
    return max(found, key=len) if found else None


def _cover(path: str, *, writable: bool, size: str = "1m") -> None:
    """Mount an empty tmpfs over ``path`` (writable ones are private /tmp dirs)."""
    mode = "1777" if writable else "0755"
    mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size},mode={mode}")


def _bind(fd: int, target: str, *, readonly: bool) -> None:
    """Bind the directory open as ``fd`` onto ``target`` (created in a cover)."""
    os.makedirs(target, mode=0o755, exist_ok=True)
    mount(f"/proc/self/fd/{fd}", target, None, MS_BIND | MS_REC)
    flags = MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV | (MS_RDONLY if readonly else 0)
    mount(None, target, None, flags)


def setup_mounts(hidden: Sequence[str], keep_ro: Sequence[str], keep_rw: Sequence[str],
                 *, private_tmp: bool, new_proc: bool) -> list[str]:
    """Hide ``hidden`` dirs under empty read-only tmpfs, then re-expose the ``keep`` dirs.

    Must run in a fresh mount namespace as root. Returns the paths actually covered.
    """
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    os.umask(0o022)  # bind targets created in covers must be traversable by the kernel
    keep = {p: True for p in keep_ro if os.path.isdir(p)}
    keep.update({p: False for p in keep_rw if os.path.isdir(p)})
    fds = {p: os.open(p, os.O_PATH | os.O_DIRECTORY) for p in keep}
    # Look the hidden dirs up before /tmp is covered: one under /tmp (a checkout or a
    # workspace there) would otherwise seem not to exist and never be hidden again after
    # its parent is bound back.
    dirs = sorted({h for h in hidden if os.path.isdir(h)}, key=len)
    tmp = [t for t in PRIVATE_TMP_DIRS if private_tmp and os.path.isdir(t)]
    for path in tmp:  # fresh private /tmp first: whatever was below it is gone already
        _cover(path, writable=True, size=PRIVATE_TMP_SIZE)
    covered: list[str] = list(tmp)
    for path in dirs:
        if _covered_by(path, covered) is None:
            _cover(path, writable=False)
            covered.append(path)
    bound: list[str] = []
    for path in sorted(keep, key=len):
        if _covered_by(path, covered) is not None:
            _bind(fds[path], path, readonly=keep[path])
            bound.append(path)
    for path in dirs:  # hidden dirs inside a re-exposed keep dir are visible again
        if path not in covered and os.path.isdir(path) and _covered_by(path, bound):
            _cover(path, writable=False)
            covered.append(path)
    for path in covered:
        if path not in tmp:
            mount(None, path, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    for fd in fds.values():
        os.close(fd)
    if new_proc:
        mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    return covered


def make_private_dirs(paths: Sequence[str], uid: int | None, gid: int | None) -> None:
    """Create ``paths`` (in the private /tmp) for the kernel's uid; skip what cannot be made.

    A forked kernel keeps paths its template computed at import time (matplotlib's config
    and cache folders in the template's home under /tmp); recreating them empty in the
    kernel's own /tmp keeps them private and writable, as they are for a fresh kernel.
    """
    for path in paths:
        try:
            os.makedirs(path, mode=0o700, exist_ok=True)
            if uid is not None and os.geteuid() == 0:
                os.chown(path, uid, gid if gid is not None else uid)
        except OSError:
            continue


# --------------------------------------------------------------------------- processes

def _proc_table() -> dict[int, int]:
    """pid -> ppid for every visible process."""
    table: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        table[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    return table


def descendants(root: int) -> list[int]:
    """Every process below ``root`` (a subreaper keeps orphans inside this tree)."""
    table = _proc_table()
    children: dict[int, list[int]] = {}
    for pid, ppid in table.items():
        children.setdefault(ppid, []).append(pid)
    found: list[int] = []
    stack = [root]
    while stack:
        for kid in children.get(stack.pop(), []):
            found.append(kid)
            stack.append(kid)
    return found


def kill_uid(uid: int) -> None:
    """SIGKILL every process of ``uid`` (a private sandbox uid) from a short-lived child."""
    if os.geteuid() != 0 or uid == 0:
        return
    pid = os.fork()
    if pid == 0:
        try:
            os.setresuid(uid, uid, uid)
            for _ in range(5):
                os.kill(-1, signal.SIGKILL)
        except OSError:
            pass
        os._exit(0)
    os.waitpid(pid, 0)


def reap_children() -> None:
    """Collect every exited child without blocking."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def kill_tree(root: int, *, as_init: bool, uid: int | None) -> None:
    """Kill every process left below ``root`` (we are ``root``), repeating until none."""
    for _ in range(20):
        if as_init:
            try:
                os.kill(-1, signal.SIGKILL)  # pid 1 of a pid namespace: everybody else in it
            except ProcessLookupError:
                pass
        left = descendants(root)
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if uid is not None:
            kill_uid(uid)
        reap_children()
        if not left and not descendants(root):
            return
        time.sleep(0.02)


# --------------------------------------------------------------------------- kernel

def apply_rlimits(limits: dict[str, Any], nproc_base: int = 0) -> None:
    """Set the kernel's resource limits (soft = hard, so the kernel cannot raise them)."""
    mb = 1024 * 1024
    wanted = {
        resource.RLIMIT_AS: limits.get("memory_mb", 0) * mb,
        resource.RLIMIT_NPROC: limits.get("max_processes", 0) + nproc_base,
        resource.RLIMIT_FSIZE: limits.get("file_size_mb", 0) * mb,
        resource.RLIMIT_CPU: limits.get("notebook_timeout", 0),
        resource.RLIMIT_CORE: 0,
    }
    for which, value in wanted.items():
        if value or which == resource.RLIMIT_CORE:
            resource.setrlimit(which, (value, value))


def drop_privileges(uid: int, gid: int) -> None:
    """Become ``uid``:``gid`` with no supplementary groups, for good."""
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    if os.getuid() != uid or os.geteuid() != uid:
        raise OSError("could not drop privileges")


#: In-process kernel start used instead of ``exec`` by forked kernels: called as
#: ``start(cmd, env)`` in the kernel process once every limit is in force; never returns.
KernelStart = Callable[[list[str], dict[str, str]], None]


def become_kernel(spec: dict[str, Any], cmd: list[str], out_fd: int, scratch_fd: int,
                  start: KernelStart | None = None) -> None:
    """In the forked child: limit, drop privileges, redirect, then exec (or start) the kernel."""
    try:
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(out_fd, 1)
        os.dup2(out_fd, 2)
        os.fchdir(scratch_fd)
        os.closerange(3, _max_fd())
        os.umask(0o077)
        apply_rlimits(spec["limits"], spec.get("nproc_base", 0))
        if spec.get("uid") is not None and os.geteuid() == 0:
            drop_privileges(spec["uid"], spec["gid"])
        prctl(PR_SET_NO_NEW_PRIVS, 1)
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
        # 1 = "parent is init": ipykernel then neither polls its parent nor prints a banner
        env = {**os.environ, "JPY_PARENT_PID": "1"}
        if start is not None:
            prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # after the uid change (which clears it)
            start(cmd, env)
        else:
            os.execvpe(cmd[0], cmd, env)
    except BaseException as exc:  # noqa: BLE001 - report anything, never return to caller
        os.write(2, f"sandbox: cannot start kernel: {exc}\n".encode())
    os._exit(127)


def _max_fd() -> int:
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return min(soft if soft > 0 else 4096, 65536)


def forward_capped(fd: int, cap: int = STDERR_CAP) -> None:
    """Copy the kernel's stdout/stderr to ours, keeping at most ``cap`` bytes."""
    sent = dropped = 0
    while chunk := os.read(fd, 65536):
        keep = chunk[: max(cap - sent, 0)]
        if keep:
            os.write(2, keep)
        sent += len(keep)
        dropped += len(chunk) - len(keep)
    if dropped:
        os.write(2, f"\nsandbox: {dropped} more bytes of kernel stderr dropped\n".encode())


def exit_status(status: int) -> int:
    """Shell-style exit code of a wait status (128 + signal number when killed)."""
    code = os.waitstatus_to_exitcode(status)
    return code if code >= 0 else 128 - code


def wait_for(pid: int, *, grader: int | None = None) -> int:
    """Wait for ``pid``, reaping every other child; kill it if the grader goes away."""
    while True:
        try:
            got, status = os.waitpid(-1, 0 if grader is None else os.WNOHANG)
        except ChildProcessError:
            return 1
        if got == pid:
            return exit_status(status)
        if got:
            continue
        if grader is not None and os.getppid() != grader:
            os.kill(pid, signal.SIGKILL)  # the grader died: take the kernel down with us
        time.sleep(0.05)


def supervise(spec: dict[str, Any], cmd: list[str], *, as_init: bool,
              start: KernelStart | None = None) -> int:
    """Set up mounts, start the kernel, wait for it, then kill whatever it left behind."""
    if as_init:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if spec.get("mount"):
        try:
            setup_mounts(spec.get("hidden", []), spec.get("keep_ro", []), spec.get("keep_rw", []),
                         private_tmp=True, new_proc=as_init)
        except OSError as exc:
            os.write(2, f"sandbox: mount namespace setup failed: {exc}\n".encode())
            return 126
        make_private_dirs(spec.get("make_dirs", []), spec.get("uid"), spec.get("gid"))
    scratch_fd = os.open(spec["scratch"], os.O_RDONLY | os.O_DIRECTORY)
    read_fd, write_fd = os.pipe()
    kid = os.fork()
    if kid == 0:
        os.close(read_fd)
        become_kernel(spec, cmd, write_fd, scratch_fd, start)
    os.close(write_fd)
    os.close(scratch_fd)
    reader = threading.Thread(target=forward_capped, args=(read_fd,), daemon=True)
    reader.start()
    status = wait_for(kid, grader=None if as_init else spec["_grader"])
    kill_tree(os.getpid(), as_init=as_init, uid=spec.get("uid"))
    reader.join(timeout=1)
    return status


def enter_namespaces(spec: dict[str, Any]) -> dict[str, bool]:
    """unshare what the spec asks for, one namespace at a time; report what worked."""
    done: dict[str, bool] = {}
    for key, flag in (("network", CLONE_NEWNET), ("mount", CLONE_NEWNS), ("pid", CLONE_NEWPID)):
        done[key] = False
        if spec.get(key):
            try:
                unshare(flag)
                done[key] = True
            except OSError as exc:
                os.write(2, f"sandbox: no {key} namespace ({exc.strerror})\n".encode())
    return done


def run(spec: dict[str, Any], cmd: list[str], start: KernelStart | None = None) -> int:
    """Launcher entry: namespaces, then supervise (directly or as pid 1 of a new pid ns).

    ``start`` replaces the final ``exec`` of ``cmd`` (a kernel forked from a warm
    template, see :mod:`course.grading.template`); every protection is applied the same.
    """
    os.closerange(3, _max_fd())  # never leak the grader's files (gradebook, sockets) inward
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)  # the kernel gets these through its process group
    try:
        prctl(PR_SET_CHILD_SUBREAPER, 1)
    except OSError:
        pass
    done = enter_namespaces(spec)
    spec = {**spec, "mount": done["mount"], "_grader": os.getppid()}
    if not done["pid"]:
        return supervise(spec, cmd, as_init=False, start=start)
    child = os.fork()
    if child == 0:
        os._exit(supervise(spec, cmd, as_init=True, start=start))
    # Everything else lived in the pid namespace and died with its init (fork would fail now).
    return wait_for(child, grader=spec["_grader"])


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``--probe`` or ``--spec JSON -- CMD...``."""
    parser = argparse.ArgumentParser(prog="python -m course.grading.sandbox_exec")
    parser.add_argument("--probe", action="store_true", help="print what this machine allows")
    parser.add_argument("--spec", help="JSON sandbox spec written by SandboxedKernelManager")
    parser.add_argument("cmd", nargs="*", help="the kernel command, after --")
    args = parser.parse_args(argv)
    if args.probe:
        print(json.dumps(probe_namespaces()))
        return 0
    if not args.spec or not args.cmd:
        parser.error("need --spec JSON -- CMD...")
    return run(json.loads(args.spec), list(args.cmd))


if __name__ == "__main__":
    sys.exit(main())
