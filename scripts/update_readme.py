"""Rewrite the generated tables of README.md and docs/instructor-guide.md.

* README.md: the module table (assets/modules/*.toml);
* docs/instructor-guide.md: the module timings and the per-exercise timing figures, by
  the method in course.catalog (tests fail when either file is stale).
"""

from __future__ import annotations

import re
from pathlib import Path

from course import catalog

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
GUIDE = ROOT / "docs" / "instructor-guide.md"


def replace_block(text: str, name: str, body: str) -> str:
    """``text`` with the lines between ``<!-- name:start ... -->`` and ``<!-- name:end -->``
    replaced by ``body``."""
    return re.sub(
        rf"(<!-- {name}:start[^\n]*-->\n).*?(\n<!-- {name}:end -->)",
        lambda m: m.group(1) + body + m.group(2),
        text,
        flags=re.S,
    )


def rewrite(path: Path, blocks: dict[str, str]) -> bool:
    text = path.read_text(encoding="utf-8")
    new = text
    for name, body in blocks.items():
        new = replace_block(new, name, body)
    if new != text:
        path.write_text(new, encoding="utf-8")
        return True
    return False


def main() -> int:
    if rewrite(README, {"modules": catalog.markdown_table()}):
        print("README module table updated")
    if rewrite(GUIDE, {"timings": catalog.minutes_table(),
                       "exercise-timings": catalog.timing_table()}):
        print("instructor guide timing tables updated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
