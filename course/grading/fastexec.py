"""Faster notebook execution for grading, without sharing a kernel between learners.

nbgrader's ``Execute`` starts a kernel when a notebook begins, waits for it, runs the
cells and shuts it down gracefully. :class:`PooledExecute` changes three things:

* the *next* kernel is started while the current submission runs, so its start-up
  (process launch, ``import`` of the course's libraries) overlaps useful work;
* that kernel is started with the course's heavy imports already done
  (``exec_lines``): a fresh process with modules loaded, never another learner's state;
* kernels are shut down immediately and their whole process group is reaped.

Each kernel runs in a scratch folder of its own into which the submission's files are
copied, so (with the sandbox) it never needs to see the grading workspace.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from nbgrader.preprocessors import Execute

#: Imported in every grading kernel before the learner's first cell runs.
WARM_IMPORTS = (
    "import matplotlib",
    "import matplotlib.pyplot",
    "import course.prose",
    "import ipywidgets",
)

_POOL: dict[str, Any] = {}


def start_pool(config, sandbox: dict | None = None) -> None:
    """Remember how to make kernels in this worker and start the first one."""
    _POOL.clear()
    _POOL["config"] = config
    _POOL["sandbox"] = sandbox
    _POOL["next"] = _spawn()


def stop_pool() -> None:
    """Shut down the kernel waiting in the pool (end of a worker's life)."""
    ready = _POOL.pop("next", None)
    if ready:
        _dispose(*ready)


def execute_preprocessors(config, ws, options) -> list:
    """nbgrader's autograde preprocessors with Execute replaced by a pooled Execute.

    With ``options.sandbox`` kernels start through :mod:`course.grading.sandbox`
    (another user, rlimits, no network, hidden paths), else as plain local kernels.
    """
    from course import paths

    names = list(config.Autograde.autograde_preprocessors)
    base: type = Execute
    if options.sandbox:
        from course.grading import sandbox

        limits = sandbox.Limits.from_value(
            {"cell_timeout": options.cell_timeout, **(options.limits or {})})
        hidden = [str(ws.root), str(Path.home()), str(paths.solutions_dir())]
        sandbox.sandbox_config(config, limits, scratch_dir="", hidden_paths=hidden)
        names = list(config.Autograde.autograde_preprocessors)
        base = sandbox.SandboxedExecute
    execute_names = {"nbgrader.preprocessors.Execute", "course.grading.sandbox.SandboxedExecute"}
    return [pooled(base) if isinstance(n, str) and n in execute_names else n for n in names]


def _kernel_manager_class(config):
    cls = config.get("Execute", {}).get("kernel_manager_class")
    if isinstance(cls, str):
        module, _, name = cls.rpartition(".")
        import importlib

        cls = getattr(importlib.import_module(module), name)
    if cls is None:
        from jupyter_client.manager import AsyncKernelManager

        cls = AsyncKernelManager
    return cls


def _spawn():
    """Start a kernel (not waiting for it) in a new scratch folder; return (km, scratch)."""
    from jupyter_core.utils import run_sync

    config = _POOL.get("config")
    scratch = Path(tempfile.mkdtemp(prefix="wbcourse-kernel-"))
    scratch.chmod(0o777)  # the sandbox user must be able to write here
    cls = _kernel_manager_class(config)
    kwargs: dict[str, Any] = {"kernel_name": "python3", "config": config}
    if hasattr(cls, "scratch_dir"):
        kwargs["scratch_dir"] = str(scratch)
    km = cls(**kwargs)
    args = ["--HistoryManager.hist_file=:memory:"]
    args += [f"--IPKernelApp.exec_lines={line}" for line in WARM_IMPORTS]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    run_sync(km.start_kernel)(extra_arguments=args, cwd=str(scratch), **quiet)
    return km, scratch


def _dispose(km, scratch: Path) -> None:
    from jupyter_core.utils import run_sync

    try:
        if km.has_kernel:
            run_sync(km.shutdown_kernel)(now=True)
    except Exception:  # a kernel that already died cannot be shut down; reap below
        pass
    cleanup = getattr(km, "cleanup", None)
    if callable(cleanup):
        try:
            cleanup()
        except Exception:
            pass
    shutil.rmtree(scratch, ignore_errors=True)


def _take(run_path: str | None):
    """A started kernel for the next notebook, with the submission's files in its cwd."""
    ready = _POOL.pop("next", None) or _spawn()
    km, scratch = ready
    if run_path:
        for item in Path(run_path).iterdir():
            target = scratch / item.name
            if item.is_dir() and not item.is_symlink():
                shutil.copytree(item, target, symlinks=False, dirs_exist_ok=True)
            elif item.is_file() and not item.is_symlink():
                shutil.copy2(item, target)
    adopt = getattr(km, "adopt", None)
    if callable(adopt):  # sandboxed kernels run as their own user: hand the files over
        adopt(scratch)
    return km, scratch


def pooled(base: type) -> type:
    """A subclass of the Execute preprocessor ``base`` that takes kernels from the pool."""

    class PooledExecute(base):
        """Execute with a pre-started kernel from this worker's pool."""

        def preprocess(self, nb, resources=None, km=None):
            if km is not None or "config" not in _POOL:
                return super().preprocess(nb, resources, km=km)
            run_path = (resources or {}).get("metadata", {}).get("path")
            km, scratch = _take(run_path)
            try:
                _POOL["next"] = _spawn()  # boots while this notebook runs
                # The kernel was started in its scratch folder: execute there.
                res = dict(resources or {})
                res["metadata"] = {**res.get("metadata", {}), "path": str(scratch)}
                nb, _ = super().preprocess(nb, res, km=km)
                return nb, resources
            finally:
                if self.kc is not None:
                    try:
                        self.kc.stop_channels()
                    except Exception:
                        pass
                    self.kc = None
                _dispose(km, scratch)

    PooledExecute.__qualname__ = f"Pooled{base.__name__}"
    return PooledExecute


#: nbgrader's Execute with the pool, for ``--no-sandbox`` runs.
PooledExecute = pooled(Execute)
