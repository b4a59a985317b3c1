"""``wbcourse export``: one row per (learner, module) with totals and per-question scores.

The ``flags`` column lists the learner's originality flags for the module at the default
threshold (``q08_rewrite_summary~bob 0.93``: the answer shares 93% with bob's, or with
the ``notebook``); see :mod:`course.grading.similar`.

Also the gradebook reader shared by the feedback pages and the cohort report:
:func:`module_records` reads every submission of a module in one gradebook session and
merges in the grading status (``.wbcourse/status/<module>.json``), so a submission that
could not be graded still shows up, with score 0 and the reason.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from course.errors import CourseError
from course.grading import status as status_store
from course.grading.workspace import Workspace

FIXED_COLUMNS = ("learner", "module", "score", "max_score", "auto_score", "auto_max",
                 "manual_score", "needs_manual_grade", "status", "problems", "flags")
FORMATS = ("csv", "json")


@dataclass(frozen=True)
class CellGrade:
    """One graded cell of one submission, as the gradebook holds it."""

    notebook: str
    grade_id: str
    kind: str  # "autograded" (a test cell) or "manual" (an answer graded by hand)
    score: float
    max_score: float
    auto_score: float | None
    manual_score: float | None
    needs_manual_grade: bool

    @property
    def fraction(self) -> float:
        """Score as a fraction of the cell's points (0 when the cell is worth nothing)."""
        return self.score / self.max_score if self.max_score else 0.0


@dataclass
class SubmissionRecord:
    """Everything known about one learner's submission of one module."""

    learner: str
    module: str
    status: str  # "graded" or "failed" (the last grading attempt could not grade it)
    score: float = 0.0
    max_score: float = 0.0
    problems: list[str] = field(default_factory=list)
    cells: list[CellGrade] = field(default_factory=list)
    comments: dict[tuple[str, str], str] = field(default_factory=dict)  # (notebook, cell id)

    @property
    def failed(self) -> bool:
        return self.status == "failed"

    def _total(self, kind: str, attr: str) -> float:
        return float(sum(getattr(c, attr) for c in self.cells if c.kind == kind))

    @property
    def auto_score(self) -> float:
        return self._total("autograded", "score")

    @property
    def auto_max(self) -> float:
        return self._total("autograded", "max_score")

    @property
    def manual_score(self) -> float:
        return self._total("manual", "score")

    @property
    def manual_max(self) -> float:
        return self._total("manual", "max_score")

    @property
    def needs_manual_grade(self) -> bool:
        return any(c.needs_manual_grade for c in self.cells)

    def cell(self, grade_id: str) -> CellGrade | None:
        """The graded cell named ``grade_id``, if the submission has it."""
        return next((c for c in self.cells if c.grade_id == grade_id), None)


def release_order(ws: Workspace, module: str) -> list[tuple[str, list[str]]]:
    """(notebook name, ids of the graded cells in cell order) of each released notebook."""
    import nbformat

    order = []
    for path in sorted((ws.root / "release" / module).glob("*.ipynb")):
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception:  # an unreadable release notebook only loses the ordering
            continue
        ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells
               if c.metadata.get("nbgrader", {}).get("grade")]
        order.append((path.stem, [i for i in ids if i]))
    return order


def gradebook_modules(ws: Workspace) -> list[str]:
    """Modules that have submissions in the gradebook or a grading status file, sorted."""
    from nbgrader.api import Gradebook

    found = set()
    with Gradebook(ws.db_url) as gb:
        for assignment in gb.assignments:
            if assignment.submissions:
                found.add(assignment.name)
    status_dir = ws.root / ".wbcourse" / "status"
    if status_dir.is_dir():
        found.update(p.stem for p in status_dir.glob("*.json"))
    return sorted(found)


def module_records(ws: Workspace, module: str) -> list[SubmissionRecord]:
    """Every graded or failed submission of ``module``, sorted by learner.

    Scores and comments come from the gradebook; status and problems from the status
    file. A learner whose last grading attempt failed gets score 0 and no cell grades
    (an older gradebook entry would describe a submission that is no longer current).
    """
    from nbgrader.api import Gradebook, MissingEntry

    outcomes = status_store.load(ws.root, module)
    records: dict[str, SubmissionRecord] = {}
    order = {(nb, gid): i for i, (nb, gid) in enumerate(
        (nb, gid) for nb, ids in release_order(ws, module) for gid in ids)}
    with Gradebook(ws.db_url) as gb:
        try:
            assignment = gb.find_assignment(module)
        except MissingEntry:
            assignment = None
        max_score = float(assignment.max_score) if assignment is not None else 0.0
        kinds: dict[tuple[str, str], str] = {}
        if assignment is not None:
            for nb in assignment.notebooks:
                solutions = {c.name for c in nb.solution_cells}
                for cell in nb.grade_cells:
                    auto = cell.cell_type == "code" and cell.name not in solutions
                    kinds[(nb.name, cell.name)] = "autograded" if auto else "manual"
            submissions = assignment.submissions
        else:
            submissions = []
        for sub in submissions:
            learner = sub.student_id
            cells = []
            comments = {}
            for nb in sub.notebooks:
                for grade in nb.grades:
                    cells.append(CellGrade(
                        notebook=nb.name,
                        grade_id=grade.name,
                        kind=kinds.get((nb.name, grade.name), "manual"),
                        score=float(grade.score),
                        max_score=float(grade.max_score),
                        auto_score=_opt(grade.auto_score),
                        manual_score=_opt(grade.manual_score),
                        # formgrader clears the flag when it saves a score; scripts
                        # setting only manual_score mean the same
                        needs_manual_grade=bool(grade.needs_manual_grade)
                        and grade.manual_score is None,
                    ))
                for comment in nb.comments:
                    if comment.comment:
                        comments[(nb.name, comment.name)] = str(comment.comment)
            cells.sort(key=lambda c: (order.get((c.notebook, c.grade_id), len(order)),
                                      c.notebook, c.grade_id))
            records[learner] = SubmissionRecord(
                learner=learner, module=module, status="graded", score=float(sub.score),
                max_score=float(sub.max_score), cells=cells, comments=comments)
    for learner, outcome in outcomes.items():
        record = records.get(learner)
        if outcome.status == "failed":
            records[learner] = SubmissionRecord(
                learner=learner, module=module, status="failed", score=0.0,
                max_score=record.max_score if record else (outcome.max_score or max_score),
                problems=list(outcome.problems) or ["could not be graded"])
        elif record is not None:
            record.problems = list(outcome.problems)
    return [records[k] for k in sorted(records)]


def _opt(value: float | None) -> float | None:
    return None if value is None else float(value)


def rows(ws: Workspace) -> tuple[list[str], list[dict]]:
    """(columns, rows) of the export: fixed columns then one column per graded cell."""
    cell_columns: list[str] = []
    column_of: dict[tuple[str, str], str] = {}
    records: list[SubmissionRecord] = []
    flags: dict[tuple[str, str], str] = {}
    for module in gradebook_modules(ws):
        module_rows = module_records(ws, module)
        records += module_rows
        flags.update(_flags(ws, module))
        ids = [gid for _, gids in release_order(ws, module) for gid in gids]
        ids += [c.grade_id for r in module_rows for c in r.cells]
        for gid in dict.fromkeys(ids):
            if (module, gid) in column_of:
                continue
            name = gid
            if name in FIXED_COLUMNS or name in cell_columns:
                name = f"{module}:{gid}"
            column_of[(module, gid)] = name
            cell_columns.append(name)
    out = []
    for r in records:
        row: dict = {
            "learner": r.learner,
            "module": r.module,
            "score": r.score,
            "max_score": r.max_score,
            "auto_score": None if r.failed else r.auto_score,
            "auto_max": None if r.failed else r.auto_max,
            "manual_score": None if r.failed else r.manual_score,
            "needs_manual_grade": False if r.failed else r.needs_manual_grade,
            "status": r.status,
            "problems": "; ".join(r.problems),
            "flags": flags.get((r.module, r.learner), ""),
        }
        for column in cell_columns:
            row[column] = None
        for c in r.cells:
            row[column_of[(r.module, c.grade_id)]] = c.score
        out.append(row)
    return [*FIXED_COLUMNS, *cell_columns], out


def _flags(ws: Workspace, module: str) -> dict[tuple[str, str], str]:
    """``{(module, learner): "q~other 0.93; ..."}`` from the originality check."""
    from course.grading.similar import check_module

    try:
        found = check_module(ws, module)
    except CourseError:  # nothing to compare: no flags
        return {}
    return {(module, learner): "; ".join(f.label(learner) for f in found.flags_of(learner))
            for learner in found.learners if found.flags_of(learner)}


def export(ws: Workspace, output: Path, fmt: str | None) -> int:
    """Write every (learner, module) row of the gradebook to ``output``; return the row count.

    ``fmt`` is ``"csv"`` or ``"json"``; None takes it from the file suffix.
    """
    output = Path(output).expanduser()
    if fmt is None:
        fmt = output.suffix.lower().lstrip(".")
        if fmt not in FORMATS:
            raise CourseError(f"cannot tell the export format from '{output.name}': "
                              "use a .csv or .json file name, or --format csv|json")
    elif fmt not in FORMATS:
        raise CourseError(f"unknown export format '{fmt}' (use csv or json)")
    if output.is_dir():
        raise CourseError(f"{output} is a folder: give a file name such as grades.{fmt}")
    columns, data = rows(ws)
    if fmt == "json":
        text = json.dumps(data, indent=1) + "\n"
    else:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in data:
            writer.writerow({k: _csv_value(v) for k, v in row.items()})
        text = buf.getvalue()
    from course.grading.html import write_atomic

    try:
        write_atomic(output, text)
    except OSError as exc:
        raise CourseError(f"cannot write {output}: {exc.strerror or exc}") from exc
    return len(data)


def _csv_value(value: object) -> object:
    """CSV cell text: empty for missing, yes/no for booleans, ``2`` rather than ``2.0``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.10g}"
    return value
