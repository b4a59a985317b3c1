"""Faster notebook execution for grading, without sharing a kernel between learners.

nbgrader's ``Execute`` starts a kernel when a notebook begins, waits for it, runs the
cells and shuts it down gracefully. :class:`PooledExecute` changes these things:

* the *next* kernel is started while the current submission runs, so its start-up
  overlaps useful work;
* kernels start with the course's heavy imports already done: forked from the worker's
  warm template (``--executor fork``, :mod:`course.grading.template`), or, as new
  processes (``--executor kernel``), by running them first (``exec_lines``); either way
  a fresh process, never another learner's state;
* kernels are shut down immediately and their whole process group is reaped;
* every test cell must prove it ran to its last line (:func:`completion_check`): a
  notebook that swallows exceptions (patched ``run_cell``/``run_code``/``do_execute``,
  a ``post_run_cell`` hook that hides errors) cannot turn a failing test into a pass.

Each kernel runs in a scratch folder of its own into which the submission's files are
copied, so (with the sandbox) it never needs to see the grading workspace.
"""

from __future__ import annotations

import ast
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from jupyter_core.utils import run_sync
from nbgrader.preprocessors import Execute

#: Imported in every grading kernel before the learner's first cell runs.
WARM_IMPORTS = (
    "import matplotlib",
    "import matplotlib.pyplot",
    "import course.prose",
    "import ipywidgets",
)

_POOL: dict[str, Any] = {}
#: Seconds this worker spent, for the current submission, starting and stopping kernels
#: ("kernel") and running cells ("execute"); see :func:`reset_times`.
TIMES: dict[str, float] = {"kernel": 0.0, "execute": 0.0}

#: ``ename`` of the error a test cell gets when it did not run to its end.
INCOMPLETE_ERROR = "GradingCheckFailed"
_MARKER_PREFIX = "WBCourseTestsDone_"
_VALUE = "_wbcourse_test_value"
_MAX_VALUE_CHARS = 10_000


def is_test_cell(cell) -> bool:
    """An autograded test cell: a graded code cell that is not an answer."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) \
        and not meta.get("solution")


def completion_check(source: str) -> tuple[str, str, bool] | None:
    """(code to run, marker, has_value) for a test cell, or None if it cannot be wrapped.

    The test code runs inside one ``if True:`` block that ends by raising an exception of
    a class named with a fresh random marker. The grader counts the tests as passed only
    if that exception is what ended the cell: a kernel that swallows exceptions, per cell
    or per statement, or reports a failed cell as a success, never produces it. A last
    expression (a partial-credit value) is kept and shown as the cell's result.

    >>> code, marker, has_value = completion_check("assert f(2) == 4\\n0.5")
    >>> marker in code and has_value and code.count("assert") == 1
    True
    >>> completion_check("from __future__ import annotations") is None
    True
    """
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        tree = ast.parse(TransformerManager().transform_cell(source))
    except Exception:  # not Python once magics are expanded: run it as it is
        return None
    if not tree.body or any(isinstance(n, ast.ImportFrom) and n.module == "__future__"
                            for n in tree.body):
        return None
    marker = _MARKER_PREFIX + secrets.token_hex(12)
    body = list(tree.body)
    has_value = isinstance(body[-1], ast.Expr)
    if has_value:
        body[-1] = ast.Assign(targets=[ast.Name(_VALUE, ast.Store())], value=body[-1].value)
        body += ast.parse(f"raise {marker}(repr({_VALUE})[:{_MAX_VALUE_CHARS}])").body
    else:
        body += ast.parse(f"raise {marker}()").body
    block = ast.If(test=ast.Constant(True), body=body, orelse=[])
    try:
        code = f"class {marker}(BaseException):\n    pass\n\n\n" + ast.unparse(
            ast.fix_missing_locations(ast.Module(body=[block], type_ignores=[])))
    except (RecursionError, MemoryError, ValueError):
        return None
    return code, marker, has_value


def settle(cell, marker: str, has_value: bool) -> None:
    """Turn a test cell's outputs back into what nbgrader expects, judging completion.

    The marker's error (output or execute-reply error) means the tests ran to the end: it
    is removed and the kept value, if any, becomes the cell's result. Without it and
    without any other error, the cell gets an :data:`INCOMPLETE_ERROR` error (0 points).
    """
    from nbformat import NotebookNode

    done = [o for o in cell.outputs if o.get("output_type") == "error"
            and o.get("ename") == marker]
    kept = [o for o in cell.outputs if not any(o is d for d in done)]
    failed = any(o.get("output_type") == "error"
                 or (o.get("output_type") == "stream" and o.get("name") == "stderr")
                 for o in kept)
    if done and has_value and not failed:
        value = str(done[0].get("evalue", ""))
        if value != "None":
            kept.append(NotebookNode(output_type="execute_result",
                                     execution_count=cell.get("execution_count"),
                                     data={"text/plain": value}, metadata={}))
    if not done and not failed:
        kept.append(NotebookNode(
            output_type="error", ename=INCOMPLETE_ERROR,
            evalue="the tests in this cell did not run to the end, although the notebook "
                   "reported success",
            traceback=[f"{INCOMPLETE_ERROR}: the tests did not run to the end"]))
    cell.outputs = kept


def start_pool(config, *, template=None, scratch_root: str | None = None,
               make_template=None) -> None:
    """Remember how to make kernels in this worker and start the first one.

    With a :class:`~course.grading.template.Template` kernels are forked from it
    (:class:`~course.grading.kernels.ForkedKernelManager`), else started as new processes
    by the configured kernel manager class. A template that died is replaced by
    ``make_template()``. Kernel scratch folders go in ``scratch_root``.
    """
    _POOL.clear()
    _POOL.update(config=config, template=template, scratch_root=scratch_root,
                 make_template=make_template)
    _POOL["next"] = _spawn()


def _live_template():
    """This worker's template, started again if it died (None: kernels are not forked)."""
    template = _POOL.get("template")
    if template is not None and not template.alive() and _POOL.get("make_template"):
        template.close()
        template = _POOL["template"] = _POOL["make_template"]()
        template.wait_ready()
    return template


def stop_pool() -> None:
    """Shut down the kernel waiting in the pool and the template (end of a worker's life)."""
    ready = _POOL.pop("next", None)
    if ready:
        _dispose(*ready)
    template = _POOL.pop("template", None)
    if template is not None:
        template.close()


def reset_times() -> None:
    """Zero :data:`TIMES` (before each submission)."""
    for key in TIMES:
        TIMES[key] = 0.0


def execute_preprocessors(config, ws, options) -> list:
    """nbgrader's autograde preprocessors with Execute replaced by a pooled Execute.

    With ``options.sandbox`` kernels start inside :mod:`course.grading.sandbox` (another
    user, rlimits, no network, hidden paths), else as plain local kernels; with
    ``options.executor == "fork"`` they are forked from the worker's template either way
    (without the sandbox: no namespaces, no uid switch, no limits).
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
    elif options.executor == "fork":
        from course.grading.sandbox import OPTIONAL

        config.ForkedKernelManager.disable = list(OPTIONAL)
        config.ForkedKernelManager.apply_limits = False
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
    template = _live_template()
    scratch = Path(tempfile.mkdtemp(prefix="wbcourse-kernel-", dir=_POOL.get("scratch_root")))
    scratch.chmod(0o777)  # the sandbox user must be able to write here
    kwargs: dict[str, Any] = {"kernel_name": "python3", "config": config}
    from course.grading.kernels import CLIENT, ForkedKernelManager

    kwargs["client_class"] = CLIENT
    if template is not None:
        cls: type = ForkedKernelManager
        kwargs["template"] = template
    else:
        cls = _kernel_manager_class(config)
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


def alive(km) -> bool:
    """Is the kernel of ``km`` still running (a waiting kernel may die, e.g. killed)?"""
    from jupyter_core.utils import ensure_async, run_sync

    async def check() -> bool:
        return bool(await ensure_async(km.is_alive()))

    try:
        return run_sync(check)()
    except Exception:
        return False


def _take(run_path: str | None):
    """A started kernel for the next notebook, with the submission's files in its cwd."""
    ready = _POOL.pop("next", None)
    if ready is not None and not alive(ready[0]):
        _dispose(*ready)  # it died while it waited: never hand a dead kernel to a notebook
        ready = None
    ready = ready or _spawn()
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

        async def async_execute_cell(self, cell, cell_index, *args, **kwargs):
            started = time.perf_counter()
            try:
                return await self._checked_execute_cell(cell, cell_index, *args, **kwargs)
            finally:
                TIMES["execute"] += time.perf_counter() - started

        async def _checked_execute_cell(self, cell, cell_index, *args, **kwargs):
            check = completion_check(cell.source) if is_test_cell(cell) else None
            if check is None:
                return await super().async_execute_cell(cell, cell_index, *args, **kwargs)
            code, marker, has_value = check
            source, cell.source = cell.source, code
            try:
                cell = await super().async_execute_cell(cell, cell_index, *args, **kwargs)
            finally:
                cell.source = source
            settle(cell, marker, has_value)
            return cell

        # nbclient binds ``execute_cell`` to NotebookClient's own coroutine at class
        # creation; rebind it so nbconvert's preprocess_cell reaches the override above
        # (and SandboxedExecute's notebook deadline behind it).
        execute_cell = run_sync(async_execute_cell)

        def preprocess(self, nb, resources=None, km=None):
            if km is not None or "config" not in _POOL:
                return super().preprocess(nb, resources, km=km)
            run_path = (resources or {}).get("metadata", {}).get("path")
            started, ran = time.perf_counter(), TIMES["execute"]
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
                TIMES["kernel"] += time.perf_counter() - started - (TIMES["execute"] - ran)

    PooledExecute.__qualname__ = f"Pooled{base.__name__}"
    return PooledExecute


#: nbgrader's Execute with the pool, for ``--no-sandbox`` runs.
PooledExecute = pooled(Execute)
