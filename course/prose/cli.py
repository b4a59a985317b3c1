"""``wbcourse review FILE --kind KIND [--json]``: run the prose checks on a file.

>>> main(["review", "/no/such/file.md", "--kind", "summary"])
2
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .kinds import KINDS


class _Fail(Exception):
    """A one-line user error; printed as ``error: ...`` with exit status 2."""


def build_parser(prog: str = "wbcourse") -> argparse.ArgumentParser:
    """The argument parser for the ``review`` command."""
    parser = argparse.ArgumentParser(prog=prog, description="Prose checks for written answers.")
    sub = parser.add_subparsers(dest="command", required=True)
    rv = sub.add_parser(
        "review",
        help="review a text or Markdown file",
        description="Score a written answer and list what to fix.",
    )
    rv.add_argument("file", metavar="FILE", help="UTF-8 text or Markdown file")
    rv.add_argument("--kind", required=True, choices=KINDS, help="what the text is")
    rv.add_argument("--json", action="store_true", help="print the review as JSON")
    return parser


def read_text(path: str) -> str:
    """Read ``path`` as UTF-8 text; raise :class:`_Fail` with a one-line reason."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise _Fail(f"{path}: no such file") from None
    except IsADirectoryError:
        raise _Fail(f"{path}: is a directory, expected a text file") from None
    except OSError as exc:
        raise _Fail(f"{path}: cannot read ({exc.strerror or exc})") from None
    if b"\x00" in data:
        raise _Fail(f"{path}: looks like a binary file (NUL bytes), expected text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _Fail(f"{path}: not valid UTF-8 (byte {exc.start})") from None
    if not text.strip():
        raise _Fail(f"{path}: file is empty")
    return text


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit status (0 ok, 2 bad input)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return int(exc.code or 0)
    try:
        text = read_text(args.file)
    except _Fail as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from . import render_text, review

    result = review(text, args.kind)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        print(render_text(result))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
