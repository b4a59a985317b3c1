"""Exercise contexts: the facts and key terms of a written exercise, as data in its notebook.

A written exercise whose answer :func:`course.prose.review` checks may carry a *context*:
the facts it gives the learner (checked against the answer's numbers, see
:mod:`course.prose.grounding`) and its key terms (the subject an answer must be about,
see :mod:`course.prose.relevance`).  The context lives in the exercise's notebook as a
locked code cell that assigns a dict literal, so the learner's kernel has it for the live
feedback panel and the grader reads the instructor's copy of it without running
anything::

    # metadata: {"wbcourse": {"context": {"answer": "q08_rewrite_summary",
    #                                      "facts": "08-kit"}}}
    draft_context = {"facts": [...], "terms": [...]}

The cell's metadata declares where the facts come from:

* ``"facts": "<table id>"``: a fact table of the case study's fact sheet
  (``assets/case/facts.toml``): each row's facts (the sheet's fields: ``id``, ``counts``,
  ``number`` or ``date``, ``unit``, ``period``, ``team``, ``measure``) and the row as the
  learner reads it (``{"text", "when"}``);
* ``"facts": ["<table id>", "<fact id>", {"data": "file.csv", "text": "column", "when":
  "column"}, ...]``: tables, single facts of the sheet and the rows of a data file the
  notebook shows (see :func:`declared_facts`);
* no ``"facts"``: the facts written in the cell itself, with the same fields (checked,
  never rewritten).

The key terms are drawn from what the learner reads: the exercise's markdown cells (from
its heading to the answer cell; instructor-only cells and answers left out) and its facts.
``wbcourse release`` writes both into the cell of the source notebook
(:func:`refresh`); ``wbcourse release --check`` fails when a cell is malformed or out of
date (:func:`problems`), naming the notebook and the cell.

>>> render("ctx", {"facts": [{"counts": "teams", "number": 5}], "terms": ["kit"]})
... # doctest: +ELLIPSIS
"# The facts and key terms of this exercise, ...\\nctx = {'facts': [{'counts': 'teams', \
'number': 5}], 'terms': ['kit']}\\n"
"""

from __future__ import annotations

import ast
import datetime as dt
import pprint
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from course.errors import CourseError

HEADER = (
    "# The facts and key terms of this exercise, as data: the feedback panel and the\n"
    "# checks compare your answer with them. Written by `wbcourse release`; editing this\n"
    "# cell changes nothing for grading, which uses the instructor's copy.\n"
)
CONTEXT_KEYS = frozenset({"facts", "terms"})
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s")


class ContextError(CourseError):
    """A malformed exercise context (the message names the notebook and the cell)."""


@dataclass
class ContextCell:
    """One context cell of a notebook."""

    path: Path
    index: int  # position of the cell in the notebook
    answer: str  # grade_id of the answer cell it belongs to
    declared: dict[str, Any]  # the cell's wbcourse.context metadata
    variable: str | None  # the name the literal is assigned to
    value: Any  # the literal (None when it could not be read)
    problem: str | None = None

    @property
    def where(self) -> str:
        """How messages name the cell."""
        return f"{self.path.name} cell {self.index + 1} (context of {self.answer})"


def _cell_meta(cell: Any) -> dict[str, Any]:
    return cell.get("metadata", {}).get("wbcourse", {}) or {}


def read_literal(source: str) -> tuple[str | None, Any, str | None]:
    """(variable, value, problem) of a cell that assigns one literal.

    >>> read_literal("# note\\nctx = {'terms': ['kit']}")
    ('ctx', {'terms': ['kit']}, None)
    >>> read_literal("ctx = load()")[2]
    'the cell must assign a literal (a dict of facts and terms), not a computation'
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        return None, None, f"the cell is not valid Python ({exc.msg}, line {exc.lineno})"
    assigns = [n for n in tree.body if isinstance(n, ast.Assign)]
    if len(tree.body) != 1 or len(assigns) != 1 or len(assigns[0].targets) != 1 \
            or not isinstance(assigns[0].targets[0], ast.Name):
        return None, None, "the cell must hold one assignment: name = {...}"
    name = assigns[0].targets[0].id
    try:
        value = ast.literal_eval(assigns[0].value)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return name, None, ("the cell must assign a literal (a dict of facts and terms), "
                            "not a computation")
    return name, value, None


def value_problems(value: Any) -> list[str]:
    """What is wrong with a context value (nothing: an empty list).

    >>> value_problems({"facts": [{"counts": "teams", "number": "5"}], "terms": "kit"})
    ["fact 1: number must be a number, not '5'", 'terms must be a list of words']
    """
    from course.prose.facts import fact_problems

    if not isinstance(value, dict):
        return [f"the context must be a dict, not {type(value).__name__}"]
    out = [f"unknown key {k!r} (expected facts, terms)" for k in sorted(set(value) - CONTEXT_KEYS,
                                                                       key=str)]
    if "facts" in value:
        out += fact_problems(value["facts"])
    terms = value.get("terms", [])
    if not isinstance(terms, list) or not all(isinstance(t, str) and t.strip() for t in terms):
        out.append("terms must be a list of words")
    return out


def context_cells(path: Path, nb: Any | None = None) -> list[ContextCell]:
    """The context cells of a notebook (read, not yet checked against their source)."""
    import nbformat

    nb = nb if nb is not None else nbformat.read(path, as_version=4)
    out = []
    for i, cell in enumerate(nb.cells):
        declared = _cell_meta(cell).get("context")
        if declared is None:
            continue
        if isinstance(declared, str):
            declared = {"answer": declared}
        answer = str(declared.get("answer", "")) if isinstance(declared, dict) else ""
        item = ContextCell(path, i, answer or "?", declared if isinstance(declared, dict)
                           else {}, None, None)
        if not answer or cell.get("cell_type") != "code":
            item.problem = ("the metadata must be {\"context\": {\"answer\": <grade_id>}} on a "
                            "code cell")
        else:
            item.variable, item.value, item.problem = read_literal(cell.get("source", ""))
            if item.problem is None:
                found = value_problems(item.value)
                item.problem = "; ".join(found) if found else None
        out.append(item)
    return out


# ------------------------------------------------------------------ facts of the fact sheet
def sheet_path() -> Path:
    """The case study's fact sheet."""
    from course import paths

    return paths.source_assets_dir() / "case" / "facts.toml"


def _sheet() -> dict[str, Any]:
    """The fact sheet as tables of fields, read by the case study's one reader
    (:func:`course.lessons.case.load`, which also checks it)."""
    from dataclasses import asdict

    from course.lessons import case

    path = sheet_path()
    try:
        sheet = case.load(path)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ContextError(f"cannot read the fact sheet {path}: {exc}") from exc
    return {"fact": [asdict(f) for f in sheet.facts.values()],
            "table": list(sheet.tables.values())}


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


def _fact(item: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "counts", "number", "date", "unit", "period", "team", "measure")
    return {k: _plain(item[k]) for k in keys if item.get(k) not in (None, "")}


def declared_facts(ref: Any) -> list[Any]:
    """The facts a declaration names, in order.  A declaration is one item or a list of
    items, each

    * a table id of the fact sheet: the facts of each row and the row as the learner
      reads it (``{"text", "when"}``);
    * a fact id of the fact sheet;
    * ``{"computed": ["<fact id>", ...]}``: facts the learner computes in another
      exercise (a percentile, a duration): what they count, never their values, so the
      released notebook does not give the answer away; numbers about them are left
      unchecked;
    * a data file the notebook shows, ``{"data": "incident_timeline.csv", "text":
      "event", "when": "time_utc", "label": "kind"}``: each row as a line of text (the
      ``text`` column, after the ``label`` column if given), dated by the ``when``
      column.
    """
    items = ref if isinstance(ref, list) else [ref]
    sheet: dict[str, Any] | None = None
    out: list[Any] = []
    for item in items:
        if isinstance(item, dict) and "computed" in item:
            sheet = sheet if sheet is not None else _sheet()
            out += [_computed(f) for ref in _ids(item["computed"])
                    for f in _sheet_item(sheet, ref)]
            continue
        if isinstance(item, dict):
            out += _data_rows(item)
            continue
        if not isinstance(item, str):
            raise ContextError(f"facts: {item!r} is neither a table or fact id nor a data file")
        sheet = sheet if sheet is not None else _sheet()
        out += _sheet_item(sheet, item)
    return out


def _ids(refs: Any) -> list[str]:
    if isinstance(refs, str):
        return [refs]
    if isinstance(refs, list) and all(isinstance(r, str) for r in refs):
        return refs
    raise ContextError('facts: "computed" must name facts of the fact sheet')


def _computed(fact: Any) -> dict[str, Any]:
    """A fact the learner computes elsewhere: what it counts, never its value."""
    if not isinstance(fact, dict) or "text" in fact:
        raise ContextError('facts: "computed" must name facts, not tables')
    out = {k: v for k, v in fact.items() if k not in ("number", "date")}
    out["computed"] = True
    return out


def _sheet_item(sheet: dict[str, Any], ref: str) -> list[Any]:
    facts = {f.get("id"): f for f in sheet.get("fact", [])}
    tables = {t.get("id"): t for t in sheet.get("table", [])}
    if ref in facts:
        return [_fact(facts[ref])]
    if ref not in tables:
        raise ContextError(f"the fact sheet has no table or fact {ref!r}")
    out: list[Any] = []
    for row in tables[ref].get("row", []):
        unknown = [f for f in row.get("facts", ()) if f not in facts]
        if unknown:
            raise ContextError(f"table {ref!r} names unknown facts {unknown}")
        out += [_fact(facts[f]) for f in row.get("facts", ())]
        text = f"{row['label']}: {row['text']}" if row.get("label") else row["text"]
        out.append({"text": text, **({"when": row["when"]} if row.get("when") else {})})
    return out


def _data_rows(spec: dict[str, Any]) -> list[Any]:
    import csv

    from course import paths

    name, column, when = spec.get("data"), spec.get("text"), spec.get("when")
    label = spec.get("label")
    if not isinstance(name, str) or not isinstance(column, str) or "/" in name:
        raise ContextError(f"facts: {spec!r} must name a data file and its text column, "
                           '{"data": "file.csv", "text": "column", "when": "column"}')
    path = paths.source_assets_dir() / "data" / name
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, csv.Error, UnicodeDecodeError) as exc:
        raise ContextError(f"cannot read the data file {path}: {exc}") from exc
    missing = [c for c in (column, when, label) if c and rows and c not in rows[0]]
    if missing:
        raise ContextError(f"{name} has no column {missing[0]!r}")
    return [{"text": f"{r[label]}: {r[column]}" if label and r.get(label) else r[column],
             **({"when": r[when]} if when and r.get(when) else {})}
            for r in rows if (r.get(column) or "").strip()]


# ------------------------------------------------------------------ key terms
def exercise_texts(nb: Any, answer: str) -> list[str]:
    """What the learner reads for the exercise: its markdown cells, from the heading before
    the answer cell down to it (instructor-only explanations and answers left out)."""
    cells = nb.cells
    index = next((i for i, c in enumerate(cells)
                  if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == answer), None)
    if index is None:
        return []
    texts: list[str] = []
    for cell in reversed(cells[:index]):
        if cell.get("cell_type") != "markdown":
            continue
        meta = cell.get("metadata", {})
        if meta.get("nbgrader", {}).get("solution") or _cell_meta(cell).get("explains"):
            continue
        texts.insert(0, cell.get("source", ""))
        if _HEADING.match(cell.get("source", "")):
            break
    return texts


def fact_texts(facts: list[Any]) -> list[str]:
    """The words of an exercise's facts: what each counts and each row as shown."""
    out = []
    for f in facts:
        if isinstance(f, str):
            out.append(f)
        elif isinstance(f, dict):
            out.append(str(f.get("text") or f.get("counts") or ""))
    return out


def _kind_of(nb: Any, answer: str) -> str:
    for cell in nb.cells:
        prose = _cell_meta(cell).get("prose")
        if isinstance(prose, dict) and prose.get("answer") == answer and prose.get("kind"):
            return str(prose["kind"])
    return "summary"


def expected(nb: Any, cell: ContextCell) -> dict[str, Any]:
    """The context a cell should hold: its declared facts and the exercise's key terms."""
    from course.prose.relevance import key_terms

    if "facts" in cell.declared:
        facts = declared_facts(cell.declared["facts"])
    else:
        facts = list((cell.value or {}).get("facts", [])) if isinstance(cell.value, dict) else []
    out: dict[str, Any] = {}
    if facts:
        out["facts"] = facts
    if cell.declared.get("terms", "auto") == "auto":
        texts = exercise_texts(nb, cell.answer) + fact_texts(facts)
        out["terms"] = key_terms(texts, _kind_of(nb, cell.answer))
    elif isinstance(cell.value, dict) and "terms" in cell.value:
        out["terms"] = cell.value["terms"]
    return out


def render(variable: str, value: dict[str, Any]) -> str:
    """The source of a context cell."""
    return f"{HEADER}{variable} = {pprint.pformat(value, width=92, sort_dicts=False)}\n"


# ------------------------------------------------------------------ notebooks
def problems(path: Path) -> list[str]:
    """One line per malformed or out-of-date context cell of a source notebook."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    out = []
    for cell in context_cells(path, nb):
        if cell.problem:
            out.append(f"{cell.where}: {cell.problem}")
            continue
        try:
            want = expected(nb, cell)
        except ContextError as exc:
            out.append(f"{cell.where}: {exc}")
            continue
        if want != cell.value:
            out.append(f"{cell.where}: out of date with its facts or the exercise's text; "
                       "run 'wbcourse release'")
    return out


def refresh(path: Path) -> list[str]:
    """Rewrite the out-of-date context cells of a source notebook; return the cells
    rewritten.  A malformed cell raises :class:`ContextError` naming it."""
    import nbformat

    from course import nbclean

    nb = nbformat.read(path, as_version=4)
    changed = []
    for cell in context_cells(path, nb):
        if cell.problem and cell.variable is None:
            raise ContextError(f"{cell.where}: {cell.problem}")
        if cell.problem and "facts" not in cell.declared:
            raise ContextError(f"{cell.where}: {cell.problem}")
        try:
            want = expected(nb, cell)
        except ContextError as exc:
            raise ContextError(f"{cell.where}: {exc}") from None
        if want != cell.value:
            nb.cells[cell.index].source = render(cell.variable or "context", want).rstrip("\n")
            changed.append(cell.where)
    if changed:
        path.write_text(nbclean.dumps(nbclean.clean(nb)), encoding="utf-8")
    return changed


def contexts(path: Path) -> dict[str, dict[str, Any]]:
    """The context of each answer in a source notebook (answer grade_id -> context), as
    the grader uses it: computed facts get their values from the fact sheet.  A malformed
    cell raises :class:`ContextError` naming it."""
    out = {}
    for cell in context_cells(path):
        if cell.problem:
            raise ContextError(f"{cell.where}: {cell.problem}")
        try:
            out[cell.answer] = with_computed_values(cell.value)
        except ContextError as exc:
            raise ContextError(f"{cell.where}: {exc}") from None
    return out


def with_computed_values(value: dict[str, Any]) -> dict[str, Any]:
    """A context with the values of its computed facts filled in from the fact sheet (the
    grader's copy: the learner's keeps them back)."""
    facts = value.get("facts") or []
    wanted = [f for f in facts if isinstance(f, dict) and f.get("computed") and f.get("id")]
    if not wanted:
        return value
    sheet = {f.get("id"): f for f in _sheet().get("fact", [])}
    filled = []
    for f in facts:
        if f in wanted:
            if f["id"] not in sheet:
                raise ContextError(f"the fact sheet has no fact {f['id']!r}")
            f = {**f, **{k: _plain(sheet[f["id"]][k]) for k in ("number", "date")
                         if k in sheet[f["id"]]}}
        filled.append(f)
    return {**value, "facts": filled}
