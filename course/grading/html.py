"""Small helpers shared by the HTML pages the grading tools write (feedback, cohort report).

Every page is self-contained: inline CSS, images as ``data:`` URIs, no scripts, and a
Content-Security-Policy that forbids loading or running anything, so a page stays safe
to open even if some learner text slipped through unescaped. All learner text goes
through :func:`esc`.
"""

from __future__ import annotations

import base64
import html
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

BASE_CSS = """
:root { --ok: #1a7f37; --partial: #9a6700; --fail: #cf222e; --muted: #57606a;
        --line: #d0d7de; --bg: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328;
       max-width: 960px; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 0 0 .4rem 0; }
.muted { color: var(--muted); }
.card { border: 1px solid var(--line); border-radius: 8px; padding: .8rem 1rem;
        margin: 1rem 0; }
.card.pass { border-left: 6px solid var(--ok); }
.card.partial { border-left: 6px solid var(--partial); }
.card.fail { border-left: 6px solid var(--fail); }
.card.pending { border-left: 6px solid var(--muted); }
.badge { display: inline-block; border-radius: 999px; padding: 0 .6rem; font-size: .85rem;
         font-weight: 600; color: #fff; background: var(--muted); margin-left: .4rem; }
.badge.pass { background: var(--ok); } .badge.partial { background: var(--partial); }
.badge.fail { background: var(--fail); }
.points { float: right; font-weight: 600; }
pre, .answer { background: var(--bg); border: 1px solid var(--line); border-radius: 6px;
               padding: .6rem .8rem; white-space: pre-wrap; word-wrap: break-word;
               overflow-wrap: anywhere; font-size: .92rem; }
pre { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
mark { background: #fff1a8; border-bottom: 2px solid var(--partial); padding: 0 1px; }
mark.error { background: #ffd8d3; border-bottom-color: var(--fail); }
mark.info { background: #ddf4ff; border-bottom-color: #0969da; }
table { border-collapse: collapse; margin: .6rem 0; width: 100%; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left;
         vertical-align: top; }
th { background: var(--bg); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.error-msg { color: var(--fail); font-family: ui-monospace, monospace; }
.explanation { border-left: 4px solid var(--ok); background: var(--bg); padding: .1rem .8rem;
               margin-top: .6rem; }
.problems li { color: var(--fail); }
.comment { border-left: 4px solid #0969da; background: #ddf4ff; padding: .4rem .8rem;
           white-space: pre-wrap; }
img { max-width: 100%; height: auto; }
.summary td, .summary th { width: auto; }
"""


def esc(value: object) -> str:
    """HTML-escape any value (quotes included).

    >>> esc('<script>alert("x")</script>')
    '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'
    """
    return html.escape("" if value is None else str(value), quote=True)


def num(value: float | None, missing: str = "–") -> str:
    """Points as people write them: ``2``, ``2.5``; ``missing`` for None.

    >>> num(2.0), num(2.5), num(None)
    ('2', '2.5', '–')
    """
    if value is None:
        return missing
    return f"{float(value):g}"


def page(title: str, body: str, *, css: str = "") -> str:
    """A complete, self-contained HTML document (``body`` must already be escaped)."""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{esc(title)}</title>\n<style>{BASE_CSS}{css}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], *,
          numeric: Iterable[int] = (), raw: Iterable[int] = ()) -> str:
    """An HTML table; cells are escaped except the columns listed in ``raw``.

    >>> table(["a", "b"], [["<x>", 1]], numeric=[1]).count('class="num"')
    2
    >>> "<td>&lt;x&gt;</td>" in table(["a"], [["<x>"]])
    True
    """
    numeric, raw = set(numeric), set(raw)

    def cls(i: int) -> str:
        return ' class="num"' if i in numeric else ""

    head = "".join(f"<th{cls(i)}>{esc(h)}</th>" for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(
            f"<td{cls(i)}>{c if i in raw else esc(c)}</td>" for i, c in enumerate(row)
        ) + "</tr>"
        for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def highlight(text: str, spans: Iterable[tuple[int, int, str, str]]) -> str:
    """Escape ``text`` and wrap each ``(start, end, title, severity)`` span in ``<mark>``.

    Overlapping spans are split at their boundaries so marks never nest; the title of a
    piece lists the messages of every span covering it. Out-of-range spans are clipped.

    >>> highlight("a <b> c", [(2, 5, "tag", "warning")])
    'a <mark class="warning" title="tag">&lt;b&gt;</mark> c'
    >>> highlight("abc", [])
    'abc'
    """
    n = len(text)
    clipped = []
    for start, end, title, severity in spans:
        start, end = max(0, min(int(start), n)), max(0, min(int(end), n))
        if end > start:
            clipped.append((start, end, title, severity))
    if not clipped:
        return esc(text)
    cuts = sorted({0, n, *(s for s, _, _, _ in clipped), *(e for _, e, _, _ in clipped)})
    rank = {"info": 0, "warning": 1, "error": 2}
    out = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        if b <= a:
            continue
        piece = esc(text[a:b])
        covering = [(t, sev) for s, e, t, sev in clipped if s <= a and b <= e]
        if not covering:
            out.append(piece)
            continue
        titles = list(dict.fromkeys(t for t, _ in covering))
        severity = max((sev for _, sev in covering), key=lambda s: rank.get(s, 1))
        out.append(f'<mark class="{esc(severity)}" title="{esc(" | ".join(titles))}">'
                   f"{piece}</mark>")
    return "".join(out)


def data_uri(png: bytes) -> str:
    """A ``data:`` URI embedding PNG bytes.

    >>> data_uri(b"x")
    'data:image/png;base64,eA=='
    """
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def strip_ansi(text: str) -> str:
    """Remove terminal colour codes (tracebacks and error values carry them).

    >>> strip_ansi("\\x1b[31mAssertionError\\x1b[0m")
    'AssertionError'
    """
    return _ANSI.sub("", text)


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write ``content`` to ``path`` through a temporary file in the same folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content.encode("utf-8") if isinstance(content, str) else content)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
