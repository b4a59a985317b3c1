"""Kernels forked from one warm template share nothing a learner's code can change.

Learner A's kernel changes every kind of state it can reach (imported modules, builtins,
matplotlib's settings, the random generators, the environment, files in its /tmp and
HOME, the template's own folder) and tries to reach the template process. Learner B's
kernel, forked from the same template while A's still runs, and C's, forked after A's
is gone, must see none of it.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import nbformat
import pytest

pytestmark = [pytest.mark.security, pytest.mark.slow]

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sbhelpers import Workspace, make_workspace, run_notebook  # noqa: E402

CHANGE = '''
import builtins, json, os, random, sys
import matplotlib, numpy, course.prose
course.prose.LEAKED_BY_A = "a"
builtins.leaked_by_a = "a"
sys.modules["leaked_by_a"] = object()
matplotlib.rcParams["lines.linewidth"] = 42.0
os.environ["LEAKED_BY_A"] = "a"
open("/tmp/leaked-by-a", "w").write("a")
open(os.path.expanduser("~/leaked-by-a"), "w").write("a")
home = {template_home!r}
try:
    open(os.path.join(home, "leaked-by-a"), "w").write("a")
    wrote_template_home = True
except OSError:
    wrote_template_home = False
try:
    os.kill({template_pid}, 0)
    saw_template = True
except OSError:
    saw_template = False
print("RESULT " + json.dumps({{"name": "a", "ok": True, "value": json.dumps({{
    "random": random.random(), "numpy": float(numpy.random.random()),
    "wrote_template_home": wrote_template_home, "saw_template": saw_template,
    "pid": os.getpid(), "uid": os.getuid()}})}}))
'''
LOOK = '''
import builtins, json, os, random, sys
import matplotlib, numpy, course.prose
print("RESULT " + json.dumps({"name": "look", "ok": True, "value": json.dumps({
    "module_attr": hasattr(course.prose, "LEAKED_BY_A"),
    "builtin": hasattr(builtins, "leaked_by_a"),
    "sys_modules": "leaked_by_a" in sys.modules,
    "linewidth": float(matplotlib.rcParams["lines.linewidth"]),
    "environ": "LEAKED_BY_A" in os.environ,
    "tmp_file": os.path.exists("/tmp/leaked-by-a"),
    "home_file": os.path.exists(os.path.expanduser("~/leaked-by-a")),
    "random": random.random(), "numpy": float(numpy.random.random())})}))
'''
PAUSE = "import time\ntime.sleep(8)"


def _notebook(*sources: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])


def _value(run, name: str) -> dict:
    return json.loads(run.results[name]["value"])


@pytest.fixture
def spaces(tmp_path: Path):
    """Three learners' grading workspaces."""
    made = []
    for name in ("a", "b", "c"):
        (tmp_path / name).mkdir()
        made.append(make_workspace(tmp_path / name))
    yield [next(gen) for gen in made]
    for gen in made:
        next(gen, None)


def test_no_state_crosses_between_forked_kernels(kernel_template, spaces) -> None:
    import threading

    ws_a, ws_b, ws_c = spaces
    template = kernel_template
    change = CHANGE.format(template_home=template.home, template_pid=template.process.pid)
    results: dict = {}

    def learner_a() -> None:
        results["a"] = run_notebook(_notebook(change, PAUSE), ws_a, template=template)

    thread = threading.Thread(target=learner_a)
    thread.start()
    # B starts while A's kernel, changed, is still running.
    for _ in range(100):
        if (ws_a.scratch / "leaked-by-a").exists():
            break
        thread.join(0.1)
    results["b"] = run_notebook(_notebook(LOOK), ws_b, template=template)
    thread.join()
    results["c"] = run_notebook(_notebook(LOOK), ws_c, template=template)

    a = _value(results["a"], "a")
    assert (ws_a.scratch / "leaked-by-a").exists(), "A's kernel did run"
    for name in ("b", "c"):
        seen = _value(results[name], "look")
        assert seen["module_attr"] is seen["builtin"] is seen["sys_modules"] is False, seen
        assert seen["environ"] is seen["tmp_file"] is seen["home_file"] is False, seen
        assert seen["linewidth"] != 42.0, seen
        assert seen["random"] != a["random"] and seen["numpy"] != a["numpy"], (seen, a)
    assert _value(results["b"], "look")["numpy"] != _value(results["c"], "look")["numpy"]
    assert not (Path(template.home) / "leaked-by-a").exists()
    assert template.alive(), "the template must outlive its kernels"
    from course.grading.sandbox import probe

    prot = probe()
    if prot.mount_namespace or prot.switches_user:
        assert a["wrote_template_home"] is False
    if prot.pid_namespace or prot.switches_user:
        assert a["saw_template"] is False
    if prot.private_uids:
        assert a["uid"] != os.getuid()


def test_the_template_does_its_imports_once(kernel_template) -> None:
    """It reports what it imported: the kernels' machinery, the course's heavy modules,
    what the module's notebooks import (lessons, and the marking helpers the hidden tests
    load with import_module); every import and warm-up succeeded."""
    info = kernel_template.wait_ready()
    for name in ("ipykernel.kernelapp", "matplotlib.pyplot", "ipywidgets", "course.prose",
                 "course.widgets", "course.lessons.quiz", "course.lessons.checklist",
                 "course.grading.marking"):
        assert name in info["loaded"], info
    assert info["failed"] == []


def test_forked_kernels_apply_the_sandbox_before_learner_code(
        kernel_template, tmp_path: Path) -> None:
    """The first line of learner code already runs limited, as another uid, in new namespaces."""
    from course.grading.sandbox import probe

    gen = make_workspace(tmp_path)
    ws: Workspace = next(gen)
    code = '''
import json, os, resource
print("RESULT " + json.dumps({"name": "first", "ok": True, "value": json.dumps({
    "uid": os.getuid(), "pid": os.getpid(),
    "as": resource.getrlimit(resource.RLIMIT_AS)[0],
    "nproc": resource.getrlimit(resource.RLIMIT_NPROC)[0],
    "cwd": os.getcwd(), "home": os.environ.get("HOME"),
    "workspace_visible": os.path.exists(GRADEBOOK)})}))
'''.replace("GRADEBOOK", repr(str(ws.root / "gradebook.db")))
    run = run_notebook(_notebook(code), ws, template=kernel_template)
    seen = json.loads(run.results["first"]["value"])
    prot = probe()
    assert seen["as"] == 1024 * 2**20 and seen["cwd"] == seen["home"] == str(ws.scratch)
    if prot.private_uids:
        assert seen["uid"] >= 1_900_000_000 and seen["nproc"] == 32
    if prot.pid_namespace:
        assert seen["pid"] == 2  # the supervisor is pid 1 of the kernel's namespace
    if prot.mount_namespace:
        assert seen["workspace_visible"] is False
    next(gen, None)
