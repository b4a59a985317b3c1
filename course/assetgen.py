"""The command line shared by the data and diagram scripts in ``assets/scripts/``.

Each script defines ``build(out_dir) -> list[Path]`` (write its files, return their
paths) and hands it to :func:`script_main`, so every script takes ``--out DIR`` and
reports what it wrote the same way:

>>> import tempfile
>>> def build(out_dir):
...     path = out_dir / "x.csv"
...     path.write_text("a\\n", encoding="utf-8")
...     return [path]
>>> with tempfile.TemporaryDirectory() as tmp:
...     script_main(build, Path(tmp), "Write x.csv.", [])  # doctest: +ELLIPSIS
wrote .../x.csv (2 bytes)
0
"""

from __future__ import annotations

import argparse
from pathlib import Path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable


def script_main(
    build: Callable[[Path], list[Path]],
    default_out: Path,
    doc: str | None,
    argv: list[str] | None = None,
) -> int:
    """Parse ``--out DIR`` (default ``default_out``), run ``build`` and list its files.

    ``doc`` is the script's docstring; its first line describes the script in ``--help``.
    """
    parser = argparse.ArgumentParser(description=(doc or "").strip().splitlines()[0])
    parser.add_argument("--out", type=Path, default=default_out, help="output folder")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for path in build(args.out):
        print(f"wrote {path} ({path.stat().st_size} bytes)")
    return 0
