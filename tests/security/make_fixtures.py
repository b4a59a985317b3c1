"""Write the hostile (and one benign) notebooks the sandbox tests run.

    python tests/security/make_fixtures.py          # (re)write tests/security/fixtures/
    python tests/security/make_fixtures.py --check  # fail if the committed files differ

Names follow ``<topic>-<pass|fail>-<reason>.ipynb``: *pass* notebooks must grade normally
inside the sandbox, *fail* notebooks attempt something the sandbox must stop.

Every fixture stays safe on a 2-core CI machine even if a protection failed: sizes,
counts and durations are bounded. A notebook reports each attempt as a line
``RESULT {"name": ..., "ok": bool, "error"|"value": ...}``; what to attack is read from
``targets.json``, written into the scratch dir by the test (the kernel's environment is
scrubbed, so it cannot come from there). Sleeping children carry a marker duration such as
``600.0301`` so the tests can find survivors in ``/proc``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent / "fixtures"

PRELUDE = '''\
import json
import os

T = json.load(open("targets.json")) if os.path.exists("targets.json") else {}

def attempt(name, fn):
    """Run one hostile action and report how it ended."""
    try:
        value = fn()
    except BaseException as exc:  # report, keep going
        print("RESULT", json.dumps({"name": name, "ok": False, "error": type(exc).__name__}))
        return None
    print("RESULT", json.dumps({"name": name, "ok": True, "value": str(value)[:120]}))
    return value
'''

AFTER = 'print("RESULT", json.dumps({"name": "after", "ok": True, "value": "kernel alive"}))'

#: Duration markers for sleeping children (tests look for them in /proc cmdlines).
MARK_BOMB = "30.0201"
MARK_DAEMON = "600.0301"
MARK_EXIT = "600.0401"

FIXTURES: dict[str, list[str]] = {
    "baseline-pass-normal-work": [
        "import course\n\nattempt('import_course', lambda: course.__version__)",
        "def write_read():\n    with open('answer.txt', 'w') as f:\n        f.write('hello')\n"
        "    return open('answer.txt').read()\nattempt('write_scratch', write_read)",
        "import tempfile\n\nattempt('tempfile', lambda: tempfile.NamedTemporaryFile().name)",
        "import matplotlib.pyplot as plt\n\n\n"
        "def plot():\n    plt.plot([1, 2, 3])\n    plt.savefig('plot.png')\n"
        "    return os.path.getsize('plot.png')\n\n\nattempt('matplotlib', plot)",
        "attempt('home_is_scratch', lambda: os.path.expanduser('~') == os.getcwd())",
        "import subprocess\n\n\ndef child():\n"
        "    return subprocess.run(['echo', 'ok'], capture_output=True, text=True).stdout\n\n\n"
        "attempt('subprocess', child)",
        AFTER,
    ],
    "runaway-fail-infinite-loop": ["while True:\n    pass", AFTER],
    "runaway-fail-long-sleep": ["import time\n\ntime.sleep(600)", AFTER],
    "runaway-fail-huge-memory": [
        "attempt('alloc_4gib', lambda: len(bytearray(4 * 1024 ** 3)))",
        AFTER,
    ],
    "runaway-fail-fork-bomb": [
        "import subprocess\n\nprocs = []\n\n\ndef bomb():\n    for _ in range(200):\n"
        f"        procs.append(subprocess.Popen(['sleep', '{MARK_BOMB}']))\n"
        "    return len(procs)\n\n\nattempt('spawn_200', bomb)\n"
        "attempt('spawned', lambda: len(procs))",
        AFTER,
    ],
    "runaway-fail-print-flood": [
        "chunk = 'x' * 1_000_000\nfor _ in range(300):\n    print(chunk, flush=True)",
        AFTER,
    ],
    "runaway-fail-disk-fill": [
        "def fill():\n    with open('big.bin', 'wb') as f:\n"
        "        for _ in range(200):\n            f.write(b'0' * 1024 * 1024)\n"
        "    return os.path.getsize('big.bin')\n\n\nattempt('write_200mb', fill)",
        AFTER,
    ],
    "runaway-fail-os-exit": [
        "import subprocess\n\n"
        f"subprocess.Popen(['sleep', '{MARK_EXIT}'], start_new_session=True)\nos._exit(3)",
        AFTER,
    ],
    "runaway-fail-background-process": [
        "import subprocess\n\n"
        f"p = subprocess.Popen(['sleep', '{MARK_DAEMON}'], start_new_session=True)\n"
        "attempt('popen_new_session', lambda: p.pid)",
        "def double_fork():\n    if os.fork() == 0:\n        os.setsid()\n"
        "        if os.fork() == 0:\n"
        f"            os.execvp('sleep', ['sleep', '{MARK_DAEMON}'])\n        os._exit(0)\n"
        "    os.wait()\n    return 'daemonised'\n\n\nattempt('double_fork', double_fork)",
        AFTER,
    ],
    "escape-fail-read-others": [
        "for key in ('other_learner', 'gradebook', 'solution', 'home_file', 'workspace_config'):\n"
        "    attempt('read_' + key, lambda key=key: open(T[key]).read())",
        "attempt('list_submitted', lambda: os.listdir(T['submitted']))\n"
        "attempt('list_home', lambda: os.listdir(T['home']))",
        "attempt('git_objects', lambda: os.listdir(T['git']))",
        AFTER,
    ],
    "escape-fail-write-outside": [
        "def append(path):\n    with open(path, 'a') as f:\n        f.write('PWNED')\n\n\n"
        "attempt('append_gradebook', lambda: append(T['gradebook']))\n"
        "attempt('create_in_workspace', lambda: append(T['workspace_new_file']))\n"
        "attempt('create_in_home', lambda: append(T['home_new_file']))\n"
        "attempt('delete_other_learner', lambda: os.remove(T['other_learner']))\n"
        "attempt('delete_solution', lambda: os.remove(T['solution']))",
        AFTER,
    ],
    "escape-fail-network-loopback": [
        "import socket\n\n\ndef connect():\n"
        "    with socket.create_connection(('127.0.0.1', T['port']), timeout=3) as s:\n"
        "        s.sendall(b'hello from the sandbox')\n        return 'connected'\n\n\n"
        "attempt('connect_loopback', connect)",
        AFTER,
    ],
    "escape-fail-grader-process": [
        "attempt('signal0_grader', lambda: os.kill(T['grader_pid'], 0))\n"
        "attempt('grader_environ', lambda: open(f\"/proc/{T['grader_pid']}/environ\").read())",
        "def leaked_fds():\n    found = []\n    for fd in os.listdir('/proc/self/fd'):\n"
        "        try:\n            found.append(os.readlink(f'/proc/self/fd/{fd}'))\n"
        "        except OSError:\n            pass\n"
        "    hits = [p for p in found if 'gradebook' in p]\n"
        "    if hits:\n        return hits\n    raise LookupError('no gradebook fd')\n\n\n"
        "attempt('inherited_gradebook_fd', leaked_fds)",
        "attempt('setuid_root', lambda: os.setuid(0))",
        AFTER,
    ],
}


def build(name: str, sources: list[str]) -> nbformat.NotebookNode:
    """One fixture notebook: a title, the prelude, then the hostile cells."""
    cells = [new_markdown_cell(f"# Sandbox fixture `{name}`"), new_code_cell(PRELUDE)]
    cells += [new_code_cell(src) for src in sources]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{name[:40]}-{i}"
    return nb


def render(name: str) -> str:
    """Text of a fixture file, stable across runs."""
    return nbformat.writes(build(name, FIXTURES[name])) + "\n"


def main(argv: list[str]) -> int:
    """Write the fixtures, or with ``--check`` report whether they are up to date."""
    check = "--check" in argv
    HERE.mkdir(exist_ok=True)
    stale = []
    for name in FIXTURES:
        path = HERE / f"{name}.ipynb"
        text = render(name)
        if check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(path.name)
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        print("stale fixtures (run make_fixtures.py): " + ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
