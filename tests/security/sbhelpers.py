"""Helpers for the sandbox tests: a fake grading workspace and a notebook runner."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SECRET = "SECRET-TOKEN-7f3a"


@dataclass
class Workspace:
    """A grading workspace with two learners, a gradebook and a scratch copy for alice."""

    root: Path
    scratch: Path
    targets: dict[str, Any] = field(default_factory=dict)
    cleanup: list[Path] = field(default_factory=list)


@dataclass
class Run:
    """What running one fixture notebook produced."""

    nb: Any
    results: dict[str, dict[str, Any]]
    error: BaseException | None

    def outputs(self) -> list[Any]:
        return [o for cell in self.nb.cells for o in cell.get("outputs", [])]

    def text(self) -> str:
        return "".join(str(o.get("text", "")) + str(o.get("evalue", "")) for o in self.outputs())

    def enames(self) -> list[str]:
        return [o.ename for o in self.outputs() if o.output_type == "error"]


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def make_workspace(tmp_path: Path) -> Iterator[Workspace]:
    """A 0700 workspace like ``wbcourse init`` makes, with secrets the kernel must not see."""
    from course import paths
    from course.grading.sandbox import course_root

    root = tmp_path / "ws"
    root.mkdir()
    os.chmod(root, 0o700)
    scratch = root / ".wbcourse" / "staging" / "alice" / "mod"
    scratch.mkdir(parents=True)
    other = _write(root / "submitted" / "bob" / "mod" / "mod.ipynb", SECRET + " bob")
    gradebook = _write(root / "gradebook.db", SECRET + " gradebook")
    config = _write(root / "nbgrader_config.py", "# " + SECRET)
    home = Path.home()
    home_file = home / f".wbsandbox-canary-{os.getpid()}"
    home_file.write_text(SECRET + " home", encoding="utf-8")
    solution = next(p for p in sorted(paths.solutions_dir().rglob("*.ipynb")))
    ws = Workspace(root=root, scratch=scratch, cleanup=[home_file])
    ws.targets = {
        "other_learner": str(other), "gradebook": str(gradebook), "solution": str(solution),
        "home_file": str(home_file), "workspace_config": str(config),
        "submitted": str(root / "submitted"), "home": str(home),
        "git": str(course_root() / ".git" / "objects"),
        "workspace_new_file": str(root / "pwned.txt"),
        "home_new_file": str(home / f".wbsandbox-pwned-{os.getpid()}"),
        "grader_pid": os.getpid(), "port": 0,
    }
    ws.cleanup.append(Path(ws.targets["home_new_file"]))
    yield ws
    for path in ws.cleanup:
        path.unlink(missing_ok=True)


def run_fixture(name: str, ws: Workspace, limits: Any = None, disable: tuple[str, ...] = (),
                template: Any = None, **targets: Any) -> Run:
    """Grade ``fixtures/<name>.ipynb`` in ``ws``'s scratch dir with the sandboxed Execute.

    With a ``template`` (a :class:`course.grading.template.Template`) the kernel is forked
    from it, as ``wbcourse grade`` does by default; else it is started as a new process.
    """
    import nbformat

    shutil.copy(FIXTURES / f"{name}.ipynb", ws.scratch / f"{name}.ipynb")
    _write(ws.scratch / "targets.json", json.dumps({**ws.targets, **targets}))
    nb = nbformat.read(ws.scratch / f"{name}.ipynb", as_version=4)
    return run_notebook(nb, ws, limits, disable, template)


def run_notebook(nb: Any, ws: Workspace, limits: Any = None, disable: tuple[str, ...] = (),
                 template: Any = None) -> Run:
    """Run ``nb`` in ``ws``'s scratch dir with the sandboxed Execute (see run_fixture)."""
    from nbclient.exceptions import CellControlSignal, DeadKernelError
    from traitlets.config import Config

    from course.grading.sandbox import SandboxedExecute, sandbox_config

    config = sandbox_config(Config(), limits or small_limits(), str(ws.scratch), [str(ws.root)])
    config.SandboxedKernelManager.disable = list(disable)
    km = None
    if template is not None:
        from course.grading.kernels import CLIENT, ForkedKernelManager

        km = ForkedKernelManager(config=config, template=template, kernel_name="python3",
                                 scratch_dir=str(ws.scratch), client_class=CLIENT)
    error: BaseException | None = None
    try:
        SandboxedExecute(config=config).preprocess(nb, {"metadata": {"path": str(ws.scratch)}},
                                                   km=km)
    except (DeadKernelError, CellControlSignal) as exc:  # what a grader catches per notebook
        error = exc
    return Run(nb=nb, results=kernel_results(nb), error=error)


def start_template(home: Path) -> Any:
    """A kernel template like a grading worker's, its home in ``home``.

    It preloads what every module of the course imports (a worker's preloads one module's).
    """
    from course import catalog, paths
    from course.grading import sandbox
    from course.grading.template import Template, preload_modules

    home.mkdir(parents=True, exist_ok=True)
    sandbox.seed_font_cache(str(home))
    user = sandbox.probe().user or os.environ.get("USER", "grader")
    preload = [name for m in catalog.modules()
               for name in preload_modules(paths.solutions_dir() / m.id)]
    template = Template(sandbox.kernel_env(str(home), user), list(dict.fromkeys(preload)),
                        str(home))
    template.wait_ready()
    return template


def small_limits() -> Any:
    """Small limits so the hostile fixtures finish quickly."""
    from course.grading.sandbox import Limits

    return Limits(cell_timeout=30, notebook_timeout=90, memory_mb=1024, max_processes=32,
                  output_bytes=200_000, file_size_mb=10)


def kernel_results(nb: Any) -> dict[str, dict[str, Any]]:
    """The ``RESULT {json}`` lines attack notebooks print, by their ``name``."""
    found: dict[str, dict[str, Any]] = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            for line in str(out.get("text", "")).splitlines():
                if line.startswith("RESULT "):
                    item = json.loads(line[len("RESULT "):])
                    found[item["name"]] = item
    return found


def survivors(marker: str, wait: float = 3.0) -> list[int]:
    """Pids whose command line contains ``marker``, after giving kills ``wait`` s to land."""
    deadline = time.monotonic() + wait
    while True:
        found = []
        for entry in os.listdir("/proc"):
            if entry.isdigit() and int(entry) != os.getpid():
                try:
                    cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
                    state = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[0]
                except OSError:
                    continue
                if marker.encode() in cmdline and state != "Z":
                    found.append(int(entry))
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)
