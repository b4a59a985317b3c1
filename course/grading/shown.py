"""What a released notebook shows when it runs: the text of its cells' outputs.

Some exercises give their facts in a cell's output rather than in its source (module 9
prints its evidence log from a data file, module 7 its incident timeline). The
originality check (:mod:`course.grading.similar`) counts that text as the notebook's own,
like its markdown: an answer that quotes a printed fact is not copying.

The released notebook is run once with nbclient in a scratch folder (no learner code
is involved) and its text outputs are cached in the grading workspace, keyed by a hash
of the notebook, the course's data files and the course package, so a change to any of
them runs it again.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from course import paths

CELL_TIMEOUT = 60
_TEXT_TYPES = ("text/plain", "text/markdown")


def cache_key(cells: Sequence[dict]) -> str:
    """A hash of the released cells, the course's data files and the course package."""
    digest = hashlib.sha256(json.dumps(list(cells), sort_keys=True).encode("utf-8"))
    package = Path(__file__).resolve().parents[1]
    for root, pattern in ((paths.assets_dir() / "data", "*"), (package, "*.py")):
        for path in sorted(root.rglob(pattern)):
            if path.is_file():
                digest.update(str(path.relative_to(root)).encode("utf-8"))
                digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def output_text(outputs: Sequence[dict]) -> str:
    """The text a learner reads in a cell's outputs (errors and images left out).

    >>> output_text([{"output_type": "stream", "name": "stdout", "text": "14 bugs\\n"},
    ...              {"output_type": "execute_result", "data": {"text/plain": "'ok'"}},
    ...              {"output_type": "error", "ename": "NameError", "evalue": "x"}])
    "14 bugs\\n\\n'ok'"
    """
    parts = []
    for out in outputs:
        kind = out.get("output_type")
        if kind == "stream":
            text = out.get("text", "")
        elif kind in ("execute_result", "display_data"):
            data = out.get("data", {})
            text = next((data[t] for t in _TEXT_TYPES if t in data), "")
        else:
            continue
        parts.append("".join(text) if isinstance(text, list) else str(text))
    return "\n".join(p for p in parts if p.strip())


def shown_outputs(cells: Sequence[dict], cache_dir: Path | None
                  ) -> tuple[dict[int, str], str | None]:
    """``({cell index: output text}, problem)`` of a released notebook, run or cached.

    On failure (no kernel, say) the outputs are empty and ``problem`` says why; the
    caller goes on without them.
    """
    key = cache_key(cells)
    cached = cache_dir / f"{key}.json" if cache_dir is not None else None
    if cached is not None and cached.is_file():
        try:
            return {int(k): v for k, v in json.loads(cached.read_text("utf-8")).items()}, None
        except (OSError, ValueError, AttributeError):
            pass  # a damaged cache is made again
    try:
        found = _run(cells)
    except Exception as exc:  # any failure to run only loses the outputs
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return {}, f"could not run the released notebook to read its outputs ({first})"
    if cached is not None:
        from course.grading.html import write_atomic

        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(cached, json.dumps(found, indent=0))
        except OSError:
            pass  # no cache: the next run runs it again
    return found, None


def _run(cells: Sequence[dict]) -> dict[int, str]:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.reads(json.dumps({
        "cells": list(cells), "nbformat": 4, "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}}}), as_version=4)
    with tempfile.TemporaryDirectory(prefix="wbcourse-shown-") as scratch:
        # The kernel's warnings (plain-TCP transport on loopback) are noise in the
        # instructor's terminal; its errors still show.
        client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                                allow_errors=True, resources={"metadata": {"path": scratch}},
                                extra_arguments=["--IPKernelApp.log_level=ERROR"])
        client.execute(env={**os.environ, "MPLBACKEND": "Agg"})
    return {i: text for i, cell in enumerate(nb.cells)
            if cell.cell_type == "code" and (text := output_text(cell.get("outputs", [])))}
