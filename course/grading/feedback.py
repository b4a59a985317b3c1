"""``wbcourse feedback``: one self-contained HTML page per learner and module.

The page lives at ``feedback/<learner>/<module>/index.html``, next to (never instead of)
nbgrader's own feedback files. It shows the totals, the problems found while grading, and
every graded cell in notebook order:

* a test cell passed, partly passed or failed, with its points; a failing test shows only
  the error's one-line message (``AssertionError: Check negative numbers.``), never the
  test code or the traceback, so hidden tests stay hidden;
* a prose-checked answer shows the learner's text with the flagged spans highlighted and
  the list of what to fix, recomputed here by :func:`course.prose.review`;
* a manually graded answer shows the answer, the rubric, the score (or "awaiting
  grading") and the instructor's comment from the gradebook;
* an autograded item (not a prose check) ends with its explanation: the right answer
  and why, written by the author in the instructor's notebook (a markdown cell marked
  ``{"wbcourse": {"explains": "<test grade_id>"}}``) and never released with it.

All learner text is HTML-escaped and pages carry a CSP that forbids scripts.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import tomllib

from course.errors import CourseError
from course.grading.export import CellGrade, SubmissionRecord, module_records
from course.grading.html import esc, highlight, num, page, strip_ansi, table, write_atomic
from course.grading.workspace import Workspace

MAX_MESSAGE = 500
#: Errors whose text nbclient/nbgrader fill with a preview of the cell (the test code).
_FIXED_MESSAGES = {
    "CellTimeoutError": "the tests took longer than the time limit",
    "DeadKernelError": "the notebook's kernel stopped while the tests ran",
    "DeadKernel": "the notebook's kernel stopped while the tests ran",
}
_LEAK_WINDOW = 16
_ENAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]{0,99}$")
_MISSED = re.compile(r"\bmissed\s*:\s*([A-Za-z0-9_.\-]+(?:[ \t]*,[ \t]*[A-Za-z0-9_.\-]+)*)",
                     re.IGNORECASE)


@dataclass(frozen=True)
class Criterion:
    """One observable criterion of a rubric answer."""

    id: str
    points: float
    description: str


@dataclass(frozen=True)
class RubricAnswer:
    """The rubric of one manually graded answer (``[[answer]]`` in the rubric file)."""

    grade_id: str
    title: str
    points: float
    criteria: tuple[Criterion, ...]


def load_rubric(module: str) -> dict[str, RubricAnswer]:
    """Rubric answers of a module by grade id; empty if the module has no rubric file."""
    from course import paths

    path = paths.assets_dir() / "rubrics" / f"{module}.toml"
    if not path.is_file():
        return {}
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        answers = {}
        for item in raw.get("answer", []):
            criteria = tuple(
                Criterion(str(c["id"]), float(c.get("points", 0)), str(c.get("description", "")))
                for c in item.get("criteria", [])
            )
            answers[str(item["grade_id"])] = RubricAnswer(
                str(item["grade_id"]), str(item.get("title", item["grade_id"])),
                float(item.get("points", sum(c.points for c in criteria))), criteria)
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CourseError(f"cannot read rubric {path}: {exc}") from exc
    return answers


def parse_missed(comment: str | None) -> list[str]:
    """Criterion ids an instructor listed as ``missed: a, b`` in a comment.

    >>> parse_missed("Good start.\\nmissed: outcome, date")
    ['outcome', 'date']
    >>> parse_missed("Missed:clarity") , parse_missed(None)
    (['clarity'], [])
    """
    if not comment:
        return []
    found: list[str] = []
    for match in _MISSED.finditer(comment):
        found += [part.strip() for part in match.group(1).split(",") if part.strip()]
    return list(dict.fromkeys(found))


def _code_without_strings(source: str) -> str:
    """The cell's code with string literals blanked (assert messages may be shown)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return source
    kept = []
    for tok in tokens:
        if tok.type == tokenize.STRING:
            kept.append('""')
        elif tok.type in (tokenize.NL, tokenize.NEWLINE):
            kept.append("\n")
        elif tok.type in (tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT,
                          tokenize.ENDMARKER):
            kept.append(" ")
        elif getattr(tokenize, "FSTRING_MIDDLE", None) == tok.type:
            kept.append("")
        else:
            kept.append(tok.string)
    return " ".join(kept)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _quotes_code(message: str, code: str) -> bool:
    """True if ``message`` contains a run of the test code (a leak of hidden tests).

    ``code`` has its string literals blanked to ``""``. A message leaks if it holds any
    16 characters of the code in a row, or a whole statement of 10 characters or more
    (whitespace ignored).

    >>> _quotes_code("leak: assert f(-3) == -6", 'assert f(-3) == -6, ""')
    True
    >>> _quotes_code("Check negative numbers.", 'assert f(-3) == -6, ""')
    False
    """
    m = _squash(message)
    if not m:
        return False
    for line in code.splitlines():
        for piece in line.split('""'):
            piece = _squash(piece).strip(",;:()[]{}")
            if len(piece) >= 10 and piece in m:
                return True
    c = _squash(code)
    return any(m[i:i + _LEAK_WINDOW] in c for i in range(len(m) - _LEAK_WINDOW + 1))


def error_messages(cell) -> list[str]:
    """One line per error a test cell raised: ``ename: evalue``, never code or traceback.

    A message that quotes the test's code (a submission can read the running cell's text
    and raise it) is withheld.

    >>> from nbformat.v4 import new_code_cell, new_output
    >>> cell = new_code_cell("assert f(-3) == -6, 'Check negative numbers.'")
    >>> cell.outputs = [new_output("error", ename="AssertionError",
    ...                 evalue="Check negative numbers.", traceback=["assert f(-3) == -6"])]
    >>> error_messages(cell)
    ['AssertionError: Check negative numbers.']
    >>> cell.outputs[0].evalue = "leak: assert f(-3) == -6"
    >>> error_messages(cell)
    ['AssertionError: (message withheld: it quotes the test code)']
    """
    source = cell.get("source", "")
    code = _code_without_strings(source)
    messages = []
    for output in cell.get("outputs", []):
        if output.get("output_type") != "error":
            continue
        ename = strip_ansi(str(output.get("ename", ""))).strip()
        if not _ENAME.match(ename) or _quotes_code(ename, code):
            ename = "Error"
        if ename in _FIXED_MESSAGES:
            messages.append(f"{ename}: {_FIXED_MESSAGES[ename]}")
            continue
        evalue = strip_ansi(str(output.get("evalue", ""))).strip()[:20 * MAX_MESSAGE]
        if evalue and _quotes_code(evalue, code):
            evalue = "(message withheld: it quotes the test code)"
        if len(evalue) > MAX_MESSAGE:
            evalue = evalue[:MAX_MESSAGE].rstrip() + " …"
        messages.append(f"{ename}: {evalue}" if evalue else ename)
    return messages


def write_feedback(ws: Workspace, module: str, learners: Iterable[str] | None = None
                   ) -> list[Path]:
    """Write ``feedback/<learner>/<module>/index.html`` for each graded learner.

    ``learners`` limits the pages to those learners; a named learner who has no
    submission at all is an error, one who is not graded yet is skipped (as are all
    ungraded learners by default). Returns the pages written.
    """
    from course import paths
    from course.grading import prose_scores

    records = {r.learner: r for r in module_records(ws, module)}
    if learners:
        wanted = list(dict.fromkeys(learners))
        submitted = set(ws.learners(module))
        unknown = [lr for lr in wanted if lr not in records and lr not in submitted]
        if unknown:
            raise CourseError(f"no submission of {module} for: {', '.join(unknown)}")
        chosen = [records[lr] for lr in wanted if lr in records]
    else:
        chosen = list(records.values())
    rubric = load_rubric(module)
    specs = prose_scores.specs_for(paths.solutions_dir() / module)
    explained = explanations(paths.solutions_dir() / module)
    title = _module_title(module)
    written = []
    for record in chosen:
        html_text = render_page(ws, record, title=title, rubric=rubric, specs=specs,
                                explained=explained)
        path = ws.feedback / record.learner / module / "index.html"
        write_atomic(path, html_text)
        written.append(path)
    return written


def _module_title(module: str) -> str:
    from course import catalog

    try:
        return catalog.get(module).title
    except LookupError:
        return module


def _notebooks(ws: Workspace, record: SubmissionRecord) -> dict[str, object]:
    """The learner's notebooks by name: the autograded copy, else the submitted one."""
    import nbformat

    found: dict[str, object] = {}
    names = list(dict.fromkeys(c.notebook for c in record.cells))
    for name in names:
        for folder in (ws.autograded, ws.submitted):
            path = folder / record.learner / record.module / f"{name}.ipynb"
            try:
                found[name] = nbformat.read(path, as_version=4)
                break
            except Exception:  # missing or unreadable: try the next copy
                continue
    return found


def render_page(ws: Workspace, record: SubmissionRecord, *, title: str,
                rubric: dict[str, RubricAnswer], specs: list,
                explained: dict[tuple[str, str], str] | None = None) -> str:
    """The feedback page of one submission, as HTML text.

    ``explained`` maps (notebook, test grade_id) to the explanation shown under that
    autograded item (see :func:`explanations`).
    """
    explained = explained or {}
    parts = [f"<h1>{esc(title)}</h1>",
             f'<p class="muted">Feedback for <strong>{esc(record.learner)}</strong> '
             f"· module {esc(record.module)}</p>",
             _header(record)]
    if record.failed:
        parts.append('<div class="card fail"><h3>Your submission could not be graded</h3>'
                     "<p>Fix the problems listed above and submit again, or ask your "
                     "instructor.</p></div>")
        return page(f"{title} – feedback for {record.learner}", "\n".join(parts))
    notebooks = _notebooks(ws, record)
    by_answer = {(s.notebook, s.answer_id): s for s in specs}
    by_test = {(s.notebook, s.test_id): s for s in specs}
    done: set[tuple[str, str]] = set()
    for name in dict.fromkeys(c.notebook for c in record.cells):
        nb = notebooks.get(name)
        grades = {c.grade_id: c for c in record.cells if c.notebook == name}
        if len(notebooks) > 1 or nb is None:
            parts.append(f"<h2>{esc(name)}.ipynb</h2>")
        else:
            parts.append("<h2>Your answers</h2>")
        cells = nb.cells if nb is not None else []
        for cell in cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            gid = meta.get("grade_id")
            if not gid:
                continue
            grade = grades.get(gid)
            if grade is None:
                comment = record.comments.get((name, gid))
                if comment and meta.get("solution"):
                    parts.append(f'<div class="card"><h3>{esc(gid)}</h3>'
                                 f"{_comment_html(comment)}</div>")
                continue
            done.add((name, gid))
            spec = by_test.get((name, gid))
            if grade.kind == "autograded" and spec is not None:
                parts.append(_prose_card(grade, spec, nb, rubric))
            elif grade.kind == "autograded":
                parts.append(_test_card(grade, cell, explained.get((name, gid))))
            else:
                parts.append(_manual_card(grade, cell, record, rubric,
                                          by_answer.get((name, gid))))
        for gid, grade in grades.items():
            if (name, gid) not in done:
                parts.append(_missing_card(grade, record, rubric))
    return page(f"{title} – feedback for {record.learner}", "\n".join(parts))


def _header(record: SubmissionRecord) -> str:
    rows = [["Total", f"{num(record.score)} / {num(record.max_score)}"]]
    if not record.failed:
        rows.append(["Autograded", f"{num(record.auto_score)} / {num(record.auto_max)}"])
        pending = sum(c.needs_manual_grade for c in record.cells)
        manual = f"{num(record.manual_score)} / {num(record.manual_max)}"
        if pending:
            manual += f" ({pending} answer{'s' if pending != 1 else ''} awaiting grading)"
        rows.append(["Graded by your instructor", manual])
    out = '<div class="summary">' + table(["", "points"], rows, numeric=[1]) + "</div>"
    problems = learner_problems(record.problems)
    if problems:
        items = "".join(f"<li>{esc(p)}</li>" for p in problems)
        out += f'<h2>Problems found while grading</h2><ul class="problems">{items}</ul>'
    return out


_INTERNAL = ("nbgrader could not grade it", "grader error", "grader worker crashed")


def learner_problems(problems: list[str]) -> list[str]:
    """Problems as a learner should see them: the grader's internals become one line.

    >>> learner_problems(["mini.ipynb: empty file", "grader error: OSError: /srv/x"])
    ['mini.ipynb: empty file', 'the grader could not run your notebook']
    """
    out = []
    for problem in problems:
        if problem.startswith(_INTERNAL):
            problem = "the grader could not run your notebook"
        if problem not in out:
            out.append(problem)
    return out


def _status(grade: CellGrade) -> tuple[str, str]:
    """(css class, label) of a graded cell."""
    if grade.kind == "manual" and grade.needs_manual_grade and grade.manual_score is None:
        return "pending", "awaiting grading"
    if grade.max_score and grade.score >= grade.max_score:
        return "pass", "passed" if grade.kind == "autograded" else "full marks"
    if grade.score > 0:
        return "partial", "partly passed" if grade.kind == "autograded" else "partial marks"
    return "fail", "not passed" if grade.kind == "autograded" else "no marks"


def _card_head(grade: CellGrade, heading: str) -> str:
    css, label = _status(grade)
    points = ("awaiting grading" if css == "pending"
              else f"{num(grade.score)} / {num(grade.max_score)} points")
    return (f'<div class="card {css}" id="{esc(grade.grade_id)}">'
            f'<span class="points">{esc(points)}</span>'
            f'<h3>{esc(heading)}<span class="badge {css}">{esc(label)}</span></h3>')


def _override_note(grade: CellGrade) -> str:
    if grade.kind == "autograded" and grade.manual_score is not None:
        return '<p class="muted">Your instructor adjusted this score.</p>'
    return ""


def _test_card(grade: CellGrade, cell, explanation: str | None = None) -> str:
    name = grade.grade_id.removesuffix("_tests")
    out = [_card_head(grade, f"Tests for {name}"), _override_note(grade)]
    messages = error_messages(cell)
    if messages:
        out.append("<p>What went wrong:</p>")
        out += [f'<p class="error-msg">{esc(m)}</p>' for m in messages]
    elif grade.max_score and grade.score < grade.max_score:
        out.append("<p>The tests did not pass.</p>")
    else:
        out.append("<p>All tests passed.</p>")
    if explanation:
        out.append(explanation_html(explanation))
    out.append("</div>")
    return "".join(out)


# ---------------------------------------------------------------- explanations

def explanations(source_dir: Path) -> dict[tuple[str, str], str]:
    """Explanations of autograded items in a module's solution notebooks.

    Keys are (notebook name without ``.ipynb``, grade_id of the test cell explained);
    values are the explanation's text without its first paragraph (the heading that tells
    authors the cell is instructor-only). Release removes these cells
    (:func:`course.release.strip_instructor_cells`); only the feedback page shows them.
    """
    import nbformat

    found: dict[tuple[str, str], str] = {}
    for path in sorted(Path(source_dir).glob("*.ipynb")):
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception:  # an unreadable notebook only loses its explanations
            continue
        for cell in nb.cells:
            target = cell.get("metadata", {}).get("wbcourse", {}).get("explains")
            if target and cell.cell_type == "markdown":
                paragraphs = cell.source.strip().split("\n\n")
                found[(path.stem, str(target))] = "\n\n".join(paragraphs[1:]).strip()
    return found


_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*([^*]+)\*\*")


def explanation_html(text: str) -> str:
    """An explanation as HTML: escaped paragraphs and bullet lists, `code` and **bold**.

    >>> print(explanation_html("Item **2** is `feature`.\\n\\n- because <p99>")
    ...       .replace("><", ">\\n<"))
    <div class="explanation">
    <p>Why:</p>
    <p>Item <strong>2</strong> is <code>feature</code>.</p>
    <ul>
    <li>because &lt;p99&gt;</li>
    </ul>
    </div>
    """
    def inline(line: str) -> str:
        return _BOLD.sub(r"<strong>\1</strong>", _CODE.sub(r"<code>\1</code>", esc(line)))

    out = ['<div class="explanation"><p>Why:</p>']
    for block in text.strip().split("\n\n"):
        lines = [ln.strip() for ln in block.strip().splitlines() if ln.strip()]
        if lines and all(ln.startswith(("- ", "* ")) for ln in lines):
            out.append("<ul>" + "".join(f"<li>{inline(ln[2:])}</li>" for ln in lines) + "</ul>")
        elif lines:
            out.append(f"<p>{inline(' '.join(lines))}</p>")
    out.append("</div>")
    return "".join(out)


def _prose_text(spec, nb) -> tuple[str | None, str | None]:
    """(text, problem) of the answer a prose check reads."""
    from course.grading.prose_scores import answer_source, extract_text

    source = answer_source(nb, spec.answer_id) if nb is not None else None
    if source is None:
        return None, "The answer cell is missing from your notebook."
    text = extract_text(source, spec.variable)
    if text is None:
        return None, (f"Your answer could not be read: keep {spec.variable} = \"\"\"...\"\"\" "
                      "as one plain string.")
    return text, None


def _prose_card(grade: CellGrade, spec, nb, rubric: dict[str, RubricAnswer]) -> str:
    answer = rubric.get(spec.answer_id)
    name = answer.title if answer else spec.answer_id
    out = [_card_head(grade, f"Automatic checks on: {name}"), _override_note(grade)]
    text, problem = _prose_text(spec, nb)
    if text is None:
        out.append(f"<p>{esc(problem)}</p></div>")
        return "".join(out)
    review = None
    try:
        from course.grading.prose_scores import review_answer

        review = review_answer(spec, text)
    except Exception as exc:  # the checks must never stop the feedback pages
        out.append(f'<p class="muted">The automatic checks could not run here '
                   f"({esc(type(exc).__name__)}).</p>")
    spans = []
    findings = list(review.findings) if review is not None else []
    for f in findings:
        if f.end > f.start:
            spans.append((f.start, f.end, f.message, f.severity))
    out.append(f'<div class="answer">{highlight(text, spans)}</div>')
    if review is not None:
        out.append(facts_check_html(review))
        if findings:
            items = []
            for f in findings:
                quote = text[max(0, f.start):f.end] if f.end > f.start else ""
                where = f' – “{esc(quote[:80])}{"…" if len(quote) > 80 else ""}”' if quote else ""
                items.append(f"<li><strong>{esc(f.severity)}</strong> "
                             f"({esc(f.rule)}): {esc(f.message)}{where}</li>")
            out.append("<p>What to fix:</p><ul>" + "".join(items) + "</ul>")
        else:
            out.append("<p>No findings: the checks have nothing to add.</p>")
    out.append("</div>")
    return "".join(out)


def facts_check_html(review) -> str:
    """One line on how the answer's numbers compare with the exercise's facts (empty when
    the exercise gives none).

    >>> from course.prose import review
    >>> facts = [{"counts": "teams that used the kit", "number": 5, "unit": "teams"}]
    >>> r = review("Five teams used the kit; 8 teams asked for it.", "summary",
    ...            context={"facts": facts})
    >>> print(facts_check_html(r))
    <p class="facts">Numbers checked against the exercise&#x27;s facts: 1 in the facts, 1 not \
in them.</p>
    """
    from course.prose.render import facts_line

    line = facts_line(review)
    return f'<p class="facts">{esc(line)}</p>' if line else ""


def _answer_html(cell) -> str:
    """The learner's answer as escaped HTML (a prose answer shows just its text)."""
    source = cell.get("source", "")
    if cell.get("cell_type") == "markdown":
        return f'<div class="answer">{esc(source)}</div>'
    if cell.get("metadata", {}).get("wbcourse", {}).get("answer") == "prose":
        text = _any_string(source)
        if text is not None:
            return f'<div class="answer">{esc(text)}</div>'
    return f"<pre><code>{esc(source)}</code></pre>"


def _any_string(source: str) -> str | None:
    """The first plain string assigned at the top level of a cell, read without running it."""
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) \
                and isinstance(node.value.value, str):
            return node.value.value
    return None


def _rubric_html(answer: RubricAnswer, missed: list[str]) -> str:
    rows = []
    for c in answer.criteria:
        mark = "missed" if c.id in missed else ""
        rows.append([c.id, num(c.points), c.description, mark])
    headers = ["criterion", "points", "what it takes", ""]
    return "<p>Rubric:</p>" + table(headers, rows, numeric=[1])


def _comment_html(comment: str | None) -> str:
    if not comment:
        return ""
    return f'<p>Instructor\'s comment:</p><div class="comment">{esc(comment)}</div>'


def _manual_card(grade: CellGrade, cell, record: SubmissionRecord,
                 rubric: dict[str, RubricAnswer], spec) -> str:
    answer = rubric.get(grade.grade_id)
    out = [_card_head(grade, answer.title if answer else grade.grade_id)]
    if (grade.manual_score is None and not grade.needs_manual_grade
            and grade.auto_score is not None and grade.auto_score == 0):
        out.append('<p class="muted">You did not change this answer from the '
                   "released notebook.</p>")
    if spec is not None:
        name = answer.title if answer else grade.grade_id
        out.append(f'<p class="muted">Your text is shown with the automatic checks on it: '
                   f'see <a href="#{esc(spec.test_id)}">Automatic checks on: {esc(name)}</a>.'
                   "</p>")
    elif not cell.get("metadata", {}).get("nbgrader", {}).get("task"):
        out.append("<p>Your answer:</p>" + _answer_html(cell))
    comment = record.comments.get((grade.notebook, grade.grade_id))
    if answer is not None and answer.criteria:
        out.append(_rubric_html(answer, parse_missed(comment)))
    if grade.manual_score is None and grade.needs_manual_grade:
        out.append('<p class="muted">Your instructor has not graded this answer yet.</p>')
    out.append(_comment_html(comment))
    out.append("</div>")
    return "".join(out)


def _missing_card(grade: CellGrade, record: SubmissionRecord,
                  rubric: dict[str, RubricAnswer]) -> str:
    answer = rubric.get(grade.grade_id)
    heading = answer.title if answer else grade.grade_id
    comment = record.comments.get((grade.notebook, grade.grade_id))
    return (_card_head(grade, heading) + _override_note(grade)
            + '<p class="muted">This cell could not be shown.</p>'
            + _comment_html(comment) + "</div>")
