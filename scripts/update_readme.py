"""Rewrite the README's module table from the catalogue (assets/modules/*.toml)."""

from __future__ import annotations

import re
from pathlib import Path

from course import catalog

README = Path(__file__).resolve().parent.parent / "README.md"


def main() -> int:
    text = README.read_text(encoding="utf-8")
    new = re.sub(
        r"(<!-- modules:start[^\n]*-->\n).*?(\n<!-- modules:end -->)",
        lambda m: m.group(1) + catalog.markdown_table() + m.group(2),
        text,
        flags=re.S,
    )
    if new != text:
        README.write_text(new, encoding="utf-8")
        print("README module table updated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
