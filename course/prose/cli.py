"""``wbcourse review FILE --kind KIND [--json]``: run the prose checks on a file;
``wbcourse review --rules [--kind KIND]``: list the rules with their descriptions.

>>> main(["review", "/no/such/file.md", "--kind", "summary"])
2
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from pathlib import Path

from . import kind_names


class _Fail(Exception):
    """A one-line user error; printed as ``error: ...`` with exit status 2."""


def add_review_arguments(rv: argparse.ArgumentParser) -> None:
    """The arguments of ``review`` (shared by ``wbcourse`` and this module's parser)."""
    rv.add_argument("file", metavar="FILE", nargs="?", help="UTF-8 text or Markdown file")
    rv.add_argument("--kind", choices=kind_names(), help="what the text is (required with FILE)")
    rv.add_argument("--json", action="store_true", help="print the review (or rules) as JSON")
    rv.add_argument("--rules", action="store_true",
                    help="list the rules of every kind (or of --kind) with their descriptions")


def build_parser(prog: str = "wbcourse") -> argparse.ArgumentParser:
    """The argument parser for the ``review`` command."""
    parser = argparse.ArgumentParser(prog=prog, description="Prose checks for written answers.")
    sub = parser.add_subparsers(dest="command", required=True)
    rv = sub.add_parser(
        "review",
        help="review a text or Markdown file",
        description="Score a written answer and list what to fix; --rules lists the rules.",
    )
    add_review_arguments(rv)
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


def rules_report(kind_names: list[str], as_json: bool = False) -> str:
    """The rules of the given kinds, as text (or JSON), one rule a line.

    >>> print(rules_report(["benefit"]).splitlines()[0])
    benefit: Customer benefit
    """
    from .rules import load_kind

    rows = []
    for name in kind_names:
        kind = load_kind(name)
        rows += [{"kind": name, "rule": r.id, "severity": r.severity, "shared": r.shared,
                  "description": r.description} for r in kind.rules if r.id not in kind.off]
    if as_json:
        return json.dumps(rows, ensure_ascii=False, indent=1)
    lines = []
    for name in kind_names:
        lines += ["" if lines else None, f"{name}: {load_kind(name).title}"]
        for row in (r for r in rows if r["kind"] == name):
            head = f"  {row['rule']:<30} {row['severity']:<8}"
            body = textwrap.wrap(row["description"], 100 - len(head))
            lines.append(head + (body[0] if body else ""))
            lines += [" " * len(head) + more for more in body[1:]]
    return "\n".join(line for line in lines if line is not None)


def run(args: argparse.Namespace) -> int:
    """Run a parsed ``review`` command; return the exit status (0 ok, 2 bad input)."""
    if args.rules:
        print(rules_report([args.kind] if args.kind else list(kind_names()), args.json))
        return 0
    try:
        if not args.file or not args.kind:
            raise _Fail("give FILE and --kind KIND (or --rules to list the rules)")
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


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit status (0 ok, 2 bad input)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return int(exc.code or 0)
    return run(args)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
