"""Regression: a hidden folder under /tmp stays hidden when its parent is re-exposed.

A checkout or grading workspace under /tmp (a CI clone, say) is bound back into the
kernel's private /tmp; the solutions inside it must still be covered.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from course.grading import sandbox

pytestmark = pytest.mark.security


def test_hidden_dir_under_tmp_is_covered_after_its_parent_is_bound_back():
    prot = sandbox.probe()
    if not prot.mount_namespace:
        pytest.skip("needs a mount namespace (root)")
    base = Path(tempfile.mkdtemp(prefix="wbcourse-tmpcheckout-"))
    secret_dir = base / "solutions"
    secret_dir.mkdir()
    (secret_dir / "answer.txt").write_text("the model answer")
    for path in (base, secret_dir, secret_dir / "answer.txt"):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    scratch = Path(tempfile.mkdtemp(prefix="wbcourse-scratch-"))
    runtime = Path(tempfile.mkdtemp(prefix="wbcourse-runtime-"))
    for path in (scratch, runtime):
        os.chmod(path, 0o777)
    spec = sandbox.launcher_spec(prot, scratch=str(scratch), runtime_dir=str(runtime),
                                 uid=prot.uid, gid=prot.gid, nproc_base=0)
    spec["hidden"] = [*spec["hidden"], str(secret_dir)]
    spec["keep_ro"] = [*spec["keep_ro"], str(base)]
    try:
        run = subprocess.run(
            [sys.executable, "-S", "-m", "course.grading.sandbox_exec", "--spec",
             json.dumps(spec), "--", "/bin/cat", str(secret_dir / "answer.txt")],
            capture_output=True, text=True, timeout=60,
            env={**os.environ, "PYTHONPATH": str(sandbox.course_root())},
        )
    finally:
        for path in (base, scratch, runtime):
            subprocess.run(["rm", "-rf", str(path)], check=False)
    assert "the model answer" not in run.stdout
    assert run.returncode != 0
