"""Write the submissions the pipeline attack tests grade (tests/security/attacks/).

    python tests/security/make_attack_fixtures.py          # (re)write tests/security/attacks/
    python tests/security/make_attack_fixtures.py --check  # fail if the committed files differ

Every notebook is a variant of the released mini notebook
(``tests/fixtures/mini-course/exercises/01-mini/mini.ipynb``). Names follow
``<topic>-<pass|fail>-<reason>.ipynb``: *pass* submissions are honest and must grade
normally, *fail* submissions try to cheat, break or escape the grader.

Cheating submissions carry the *same answers* as ``baseline-pass-wrong-answers`` (``double``
passes the visible test but not the hidden one; a weak summary) plus one cheat, so the
test can check that no cheat ever scores more than those answers alone.

Every fixture is bounded even if a protection failed: one ``sleep`` child with a marker
duration (``MARK_SLEEP``, found in ``/proc`` by the tests), loops end at the cell timeout,
nothing writes more than a few bytes. ``@@WORKSPACE@@`` in a notebook is replaced by the
grading workspace's path when the test copies it into ``submitted/``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell

ROOT = Path(__file__).resolve().parents[2]
RELEASED = ROOT / "tests" / "fixtures" / "mini-course" / "exercises" / "01-mini" / "mini.ipynb"
HERE = Path(__file__).resolve().parent / "attacks"
WORKSPACE = "@@WORKSPACE@@"
#: Duration of the background ``sleep`` (a marker the tests look for in /proc).
MARK_SLEEP = "600.0517"

RIGHT_DOUBLE = "def double(x):\n    return 2 * x\n"
WRONG_DOUBLE = "def double(x):\n    return x + 2\n"  # passes double(2) == 4 only
STRONG = ('draft = """\nIn Q3 2025 I led the rewrite of the offers service; four teams '
          'adopted it by December and their p99 latency fell from 900 ms to 300 ms.\n"""\n')
WEAK = 'draft = """\nI worked on the offers service and helped.\n"""\n'

MUTE = "get_ipython().showtraceback = lambda *args, **kwargs: None\n"

CHEATS: dict[str, str] = {
    "patch-review": (
        "import course.prose\n\n\nclass _Full:\n    def points(self, n):\n        return n\n\n\n"
        "course.prose.review = lambda *args, **kwargs: _Full()\n"
        "review = course.prose.review\n"),
    "patch-builtins": (
        "import builtins\n\n\nclass _Never(Exception):\n    pass\n\n\n"
        "builtins.AssertionError = _Never\n"
        "builtins.len = lambda obj, _len=len: _len(obj)\n"
        "AssertionError = _Never\n"),
    "mute-stderr": "import os\nimport sys\n\nsys.stderr = open(os.devnull, 'w')\n",
    "mute-showtraceback": MUTE + "get_ipython()._showtraceback = lambda *args, **kwargs: None\n",
    "post-run-cell-hook": (
        "from IPython.display import clear_output\n\n\ndef _forgive(result):\n"
        "    clear_output()\n    result.error_in_exec = None\n\n\n"
        "get_ipython().events.register('post_run_cell', _forgive)\n"),
    "excepthook": "import sys\n\nsys.excepthook = lambda *args: None\n",
    "patch-run-cell": (
        "from IPython.core.interactiveshell import InteractiveShell\n\n"
        "_run_cell = InteractiveShell.run_cell\n_run_cell_async = InteractiveShell.run_cell_async\n"
        "\n\ndef run_cell(self, *args, **kwargs):\n    result = _run_cell(self, *args, **kwargs)\n"
        "    result.error_in_exec = None\n    return result\n\n\n"
        "async def run_cell_async(self, *args, **kwargs):\n"
        "    result = await _run_cell_async(self, *args, **kwargs)\n"
        "    result.error_in_exec = None\n    return result\n\n\n"
        "InteractiveShell.run_cell = run_cell\nInteractiveShell.run_cell_async = run_cell_async\n"
        + MUTE),
    "patch-run-code": (  # swallow the error of every statement and carry on with the next
        "from IPython.core.interactiveshell import InteractiveShell\n\n"
        "_run_code = InteractiveShell.run_code\n\n\n"
        "async def run_code(self, code_obj, result=None, *, async_=False):\n"
        "    await _run_code(self, code_obj, None, async_=async_)\n    return False\n\n\n"
        "InteractiveShell.run_code = run_code\n" + MUTE),
    "patch-do-execute": (
        "import inspect\n\n_kernel = get_ipython().kernel\n_do_execute = _kernel.do_execute\n\n\n"
        "async def do_execute(*args, **kwargs):\n    reply = _do_execute(*args, **kwargs)\n"
        "    if inspect.isawaitable(reply):\n        reply = await reply\n"
        "    reply = dict(reply, status='ok', user_expressions={}, payload=[])\n"
        "    for key in ('ename', 'evalue', 'traceback'):\n        reply.pop(key, None)\n"
        "    return reply\n\n\n_kernel.do_execute = do_execute\n" + MUTE),
    "ast-transformer": (  # removes every assert before it runs: only static review sees it
        "import ast\n\n\nclass _NoAsserts(ast.NodeTransformer):\n"
        "    def visit_Assert(self, node):\n        return ast.Pass()\n\n\n"
        "get_ipython().ast_transformers.append(_NoAsserts())\n"),
}
#: The run_code swallower again, hidden from a reader (and a name-based scan) in hex.
_HIDDEN = CHEATS["patch-run-code"].encode().hex()
CHEATS["obfuscated-exec"] = (
    f"_code = bytes.fromhex(\n    '{_HIDDEN[:60]}'\n    '{_HIDDEN[60:]}'\n).decode()\n"
    "getattr(__builtins__, 'ex' + 'ec')(_code)\n")

ESCAPE = f'''import json
import os

WS = "{WORKSPACE}"


def attempt(name, fn):
    try:
        value = fn()
    except BaseException as exc:
        print("RESULT", json.dumps({{"name": name, "ok": False, "error": type(exc).__name__}}))
        return
    print("RESULT", json.dumps({{"name": name, "ok": True, "value": str(value)[:80]}}))


def append(path):
    with open(path, "a") as f:
        f.write("PWNED")


other = os.path.join(WS, "submitted", "baseline-pass-full-marks", "01-mini", "mini.ipynb")
attempt("read_gradebook", lambda: open(os.path.join(WS, "gradebook.db"), "rb").read(16))
attempt("append_gradebook", lambda: append(os.path.join(WS, "gradebook.db")))
attempt("read_other", lambda: open(other).read(80))
attempt("append_other", lambda: append(other))
attempt("delete_other", lambda: os.remove(other))
attempt("list_submitted", lambda: os.listdir(os.path.join(WS, "submitted")))
attempt("write_workspace", lambda: append(os.path.join(WS, "pwned.txt")))
attempt("write_status", lambda: append(os.path.join(WS, ".wbcourse", "status", "01-mini.json")))
'''

BACKGROUND = (
    "import subprocess\n\n"
    f"subprocess.Popen(['sleep', '{MARK_SLEEP}'], start_new_session=True)\n")


def _released() -> nbformat.NotebookNode:
    return nbformat.read(RELEASED, as_version=4)


def _cell(nb: nbformat.NotebookNode, grade_id: str) -> nbformat.NotebookNode:
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def answered(double: str = WRONG_DOUBLE, draft: str = WEAK, before: str = "",
             after: str = "") -> nbformat.NotebookNode:
    """The released notebook with ``double`` and ``draft`` filled in (plus extra code)."""
    nb = _released()
    _cell(nb, "q01_double").source = (before + "\n\n" if before else "") + double + after
    _cell(nb, "q01_summary").source = draft
    return nb


def _edit_test(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    _cell(nb, "q01_double_tests").source = "pass"
    return nb


def _without(*grade_ids: str) -> Callable[[nbformat.NotebookNode], nbformat.NotebookNode]:
    def drop(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
        nb.cells = [c for c in nb.cells
                    if c.metadata.get("nbgrader", {}).get("grade_id") not in grade_ids]
        return nb
    return drop


def _answer_elsewhere(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Delete the answer cell, define ``double`` in a new cell of the learner's own."""
    index = nb.cells.index(_cell(nb, "q01_double"))
    nb.cells[index] = new_code_cell(WRONG_DOUBLE)
    return nb


def _metadata(**changes: object) -> Callable[[nbformat.NotebookNode], nbformat.NotebookNode]:
    def edit(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
        for grade_id, values in changes.items():
            _cell(nb, grade_id).metadata["nbgrader"].update(values)
        return nb
    return edit


def _tamper(edit: Callable[[nbformat.NotebookNode], nbformat.NotebookNode]
            ) -> Callable[[], nbformat.NotebookNode]:
    return lambda: edit(answered())


#: name -> builder of the notebook (None for files that are not notebooks: see RAW).
NOTEBOOKS: dict[str, Callable[[], nbformat.NotebookNode]] = {
    "baseline-pass-full-marks": lambda: answered(RIGHT_DOUBLE, STRONG),
    "baseline-pass-wrong-answers": lambda: answered(),
    "tamper-fail-locked-test-edited": _tamper(_edit_test),
    "tamper-fail-test-cell-deleted": _tamper(_without("q01_double_tests")),
    "tamper-fail-answer-cell-deleted": _tamper(_answer_elsewhere),
    "tamper-fail-all-graded-cells-deleted": _tamper(_without(
        "q01_double", "q01_double_tests", "q01_summary", "q01_summary_checks")),
    "tamper-fail-metadata-points": _tamper(_metadata(
        q01_double_tests={"points": 200}, q01_summary_checks={"points": 300})),
    "tamper-fail-metadata-flags": _tamper(_metadata(
        q01_double_tests={"grade": False, "locked": False, "solution": True},
        q01_double={"grade": True, "points": 5})),
    "tamper-fail-metadata-checksum": _tamper(_metadata(
        q01_double_tests={"checksum": "0" * 32}, q01_summary={"checksum": "0" * 32})),
    **{f"tamper-fail-{name}": (lambda code=code: answered(before=code))
       for name, code in CHEATS.items()},
    "runaway-fail-infinite-loop": lambda: answered(after="\n\nwhile True:\n    pass\n"),
    "runaway-fail-os-exit": lambda: answered(after="\n\nimport os\n\nos._exit(3)\n"),
    "runaway-fail-background-sleep": lambda: answered(before=BACKGROUND),
    "escape-fail-gradebook-and-others": lambda: answered(before=ESCAPE),
}

_V3 = {"nbformat": 3, "nbformat_minor": 0, "metadata": {"name": "mini"},
       "worksheets": [{"cells": [{"cell_type": "code", "input": RIGHT_DOUBLE,
                                  "language": "python", "outputs": []}]}]}

#: Broken files, byte for byte (kept small; the 30 MB file is made by the test, sparse).
RAW: dict[str, bytes] = {
    "broken-fail-invalid-json": b'{"cells": [ {"cell_type": "code", "source": "def double(x)',
    "broken-fail-nbformat3": (json.dumps(_V3, indent=1, sort_keys=True) + "\n").encode(),
    "broken-fail-not-utf8": b'{"cells": [], "metadata": {"note": "caf\xe9 \xff\xfe"}, '
                            b'"nbformat": 4, "nbformat_minor": 5}\n',
    "broken-fail-empty": b"",
}


def render(name: str) -> bytes:
    """Bytes of a fixture file, stable across runs."""
    if name in RAW:
        return RAW[name]
    nb = NOTEBOOKS[name]()
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{name[:40]}-{i}"
    return (nbformat.writes(nb) + "\n").encode()


def names() -> list[str]:
    return [*NOTEBOOKS, *RAW]


def main(argv: list[str]) -> int:
    """Write the fixtures, or with ``--check`` report whether they are up to date."""
    check = "--check" in argv
    HERE.mkdir(exist_ok=True)
    stale = []
    for name in names():
        path = HERE / f"{name}.ipynb"
        data = render(name)
        if check:
            if not path.is_file() or path.read_bytes() != data:
                stale.append(path.name)
        else:
            path.write_bytes(data)
    extra = sorted(p.name for p in HERE.glob("*.ipynb") if p.stem not in names())
    if check and extra:
        stale += [f"{e} (not generated)" for e in extra]
    if stale:
        print("stale attack fixtures (run make_attack_fixtures.py): " + ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
