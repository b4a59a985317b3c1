"""``wbcourse report``: what did the room misunderstand? Cohort plots and one HTML page.

For one module the report shows the score distribution, an item analysis of every graded
cell (difficulty = mean fraction of points; discrimination = corrected point-biserial
correlation with the rest of the score, and the upper-lower 27% index), the prose
findings most often triggered across the cohort's answers (recomputed here with
:func:`course.prose.review`), the rubric criteria most often missed (instructors write
``missed: criterion_id, ...`` in a comment), the answers that are near-copies of another
learner's or of the notebook (:mod:`course.grading.similar`) and the learners whose
grading had problems.

PNG files are written next to the page and embedded in it as ``data:`` URIs, so the page
alone can be mailed around. Plots use matplotlib's Agg canvas directly: no display, no
change to the caller's pyplot state.
"""

from __future__ import annotations

import io
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from course.errors import CourseError
from course.grading.export import SubmissionRecord, module_records
from course.grading.html import data_uri, esc, num, page, table, write_atomic
from course.grading.workspace import Workspace

UPPER_LOWER = 0.27
LOW_DISCRIMINATION = 0.2


@dataclass(frozen=True)
class Item:
    """Item analysis of one graded cell across the cohort."""

    grade_id: str
    kind: str
    max_score: float
    n: int  # learners with a score for it (answers awaiting grading are left out)
    mean_score: float
    difficulty: float | None  # mean fraction of the points, 0..1 (higher is easier)
    point_biserial: float | None  # correlation with the rest of the total score
    upper_lower: float | None  # mean fraction in the top 27% minus the bottom 27%

    @property
    def note(self) -> str:
        notes = []
        if self.difficulty is not None and self.difficulty < 0.2:
            notes.append("very hard")
        elif self.difficulty is not None and self.difficulty > 0.9:
            notes.append("very easy")
        disc = self.point_biserial if self.point_biserial is not None else self.upper_lower
        if disc is not None and disc < LOW_DISCRIMINATION:
            notes.append("review: does not separate stronger from weaker learners")
        return "; ".join(notes)


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def correlation(xs: list[float], ys: list[float]) -> float | None:
    """Pearson correlation, or None when there are fewer than 3 pairs or no variance.

    >>> correlation([0, 1, 1, 0], [1, 3, 4, 2])
    0.8944271909999159
    >>> correlation([1, 1, 1], [1, 2, 3]) is None
    True
    """
    n = len(xs)
    if n < 3 or n != len(ys):
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    return sxy / math.sqrt(sxx * syy)


def upper_lower_index(fractions: list[float], totals: list[float]) -> float | None:
    """Mean item fraction of the top 27% of learners (by total) minus the bottom 27%.

    >>> upper_lower_index([1, 1, 0, 0], [9, 8, 2, 1])
    1.0
    >>> upper_lower_index([1.0], [5]) is None
    True
    """
    n = len(fractions)
    if n < 2:
        return None
    k = max(1, round(UPPER_LOWER * n))
    k = min(k, n // 2)
    ranked = sorted(zip(totals, fractions, strict=True), key=lambda t: t[0])
    lower = [f for _, f in ranked[:k]]
    upper = [f for _, f in ranked[-k:]]
    return sum(upper) / k - sum(lower) / k


def item_analysis(records: list[SubmissionRecord]) -> list[Item]:
    """One :class:`Item` per graded cell, in notebook order."""
    order: list[tuple[str, str]] = []
    for r in records:
        for c in r.cells:
            if (c.notebook, c.grade_id) not in order:
                order.append((c.notebook, c.grade_id))
    items = []
    for notebook, gid in order:
        fractions, totals, scores = [], [], []
        kind, max_score = "manual", 0.0
        for r in records:
            c = next((c for c in r.cells if c.notebook == notebook and c.grade_id == gid), None)
            if c is None:
                continue
            kind, max_score = c.kind, c.max_score
            if c.needs_manual_grade and c.manual_score is None:
                continue
            fractions.append(c.fraction)
            scores.append(c.score)
            totals.append(r.score)
        rest = [t - s for t, s in zip(totals, scores, strict=True)]
        items.append(Item(
            grade_id=gid, kind=kind, max_score=max_score, n=len(fractions),
            mean_score=_mean(scores) or 0.0,
            difficulty=_mean(fractions) if max_score else None,
            point_biserial=correlation(fractions, rest),
            upper_lower=upper_lower_index(fractions, totals),
        ))
    return items


@dataclass
class ProseStats:
    """Finding rules and signals seen across the cohort's prose answers."""

    answers: int = 0
    unreadable: int = 0
    rules: Counter | None = None  # rule -> answers in which it fired
    examples: dict[str, str] | None = None  # rule -> one message
    signals: dict[str, list[float]] | None = None  # numeric signal -> values


def prose_stats(ws: Workspace, module: str, records: list[SubmissionRecord]) -> ProseStats:
    """Recompute the prose checks on every graded learner's prose answers."""
    import nbformat

    from course import paths
    from course.grading import prose_scores

    specs = prose_scores.specs_for(paths.solutions_dir() / module)
    stats = ProseStats(rules=Counter(), examples={}, signals={})
    if not specs:
        return stats
    for r in records:
        if r.failed:
            continue
        books: dict[str, object] = {}
        for spec in specs:
            if spec.notebook not in books:
                books[spec.notebook] = None
                for folder in (ws.autograded, ws.submitted):
                    try:
                        books[spec.notebook] = nbformat.read(
                            folder / r.learner / module / f"{spec.notebook}.ipynb", as_version=4)
                        break
                    except Exception:
                        continue
            nb = books[spec.notebook]
            source = prose_scores.answer_source(nb, spec.answer_id) if nb is not None else None
            text = prose_scores.extract_text(source, spec.variable) if source else None
            if text is None:
                stats.unreadable += 1
                continue
            try:
                result = prose_scores.review_answer(spec, text)
            except Exception:  # a broken check must not stop the report
                stats.unreadable += 1
                continue
            stats.answers += 1
            for f in result.findings:
                stats.examples.setdefault(f.rule, f.message)
            stats.rules.update({f.rule for f in result.findings})
            for name, value in result.signals.items():
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    stats.signals.setdefault(f"{spec.kind}.{name}", []).append(float(value))
    return stats


@dataclass(frozen=True)
class RubricRow:
    """How one rubric answer fared across the cohort."""

    grade_id: str
    title: str
    points: float
    graded: int
    below_full: int
    awaiting: int
    mean: float | None


def rubric_stats(module: str, records: list[SubmissionRecord]
                 ) -> tuple[list[RubricRow], Counter, Counter]:
    """(per-answer rows, missed criterion counts, unknown ids counts) from manual grading."""
    from course.grading.feedback import load_rubric, parse_missed

    rubric = load_rubric(module)
    missed: Counter = Counter()
    unknown: Counter = Counter()
    rows = []
    for gid, answer in rubric.items():
        known = {c.id for c in answer.criteria}
        graded = below = awaiting = 0
        scores = []
        for r in records:
            if r.failed:
                continue
            cell = r.cell(gid)
            if cell is None:
                continue
            if cell.needs_manual_grade and cell.manual_score is None:
                awaiting += 1
            else:
                graded += 1
                scores.append(cell.score)
                if cell.score < cell.max_score:
                    below += 1
            for cid in parse_missed(r.comments.get((cell.notebook, gid))):
                if cid in known:
                    missed[(gid, cid)] += 1
                else:
                    unknown[(gid, cid)] += 1
        rows.append(RubricRow(gid, answer.title, answer.points, graded, below, awaiting,
                              _mean(scores)))
    return rows, missed, unknown


# ---------------------------------------------------------------------------- plots

def _figure(width: float = 7.0, height: float = 3.6):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)  # the Agg backend, set explicitly, whatever pyplot uses
    return fig


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def plot_scores(records: list[SubmissionRecord], module: str) -> bytes:
    """Histogram of total scores as a percentage of the maximum."""
    fig = _figure()
    ax = fig.add_subplot()
    values = [100 * r.score / r.max_score if r.max_score else 0.0 for r in records]
    ax.hist(values, bins=[i * 10 for i in range(11)], color="#0969da", edgecolor="white")
    ax.set_xlim(0, 100)
    ax.set_xlabel("total score (% of the maximum)")
    ax.set_ylabel("learners")
    ax.set_title(f"{module}: score distribution (n={len(values)})")
    ax.yaxis.get_major_locator().set_params(integer=True)
    return _png(fig)


def plot_items(items: list[Item]) -> bytes:
    """Difficulty and discrimination of each graded cell, side by side."""
    height = max(2.5, 0.45 * len(items) + 1.2)
    fig = _figure(9.0, height)
    left, right = fig.subplots(1, 2, sharey=True)
    names = [i.grade_id for i in items]
    ys = list(range(len(items)))
    left.barh(ys, [i.difficulty or 0 for i in items], color="#1a7f37")
    left.set_xlim(0, 1)
    left.set_yticks(ys, names)
    left.invert_yaxis()
    left.set_xlabel("difficulty (mean fraction of points)")
    left.set_title("Item analysis", loc="left")
    disc = [i.point_biserial if i.point_biserial is not None else (i.upper_lower or 0)
            for i in items]
    colours = ["#cf222e" if d < LOW_DISCRIMINATION else "#0969da" for d in disc]
    right.barh(ys, disc, color=colours)
    for y, item in zip(ys, items, strict=True):
        if item.point_biserial is None and item.upper_lower is None:
            right.text(0.03, y, "n/a", va="center", color="#57606a")
    right.set_xlim(-1, 1)
    right.axvline(LOW_DISCRIMINATION, color="#57606a", linestyle="--", linewidth=1)
    right.set_xlabel("discrimination")
    return _png(fig)


def plot_counts(counts: list[tuple[str, int]], title: str, xlabel: str) -> bytes:
    """Horizontal bar chart of the most frequent labels."""
    fig = _figure(8.0, max(2.2, 0.4 * len(counts) + 1.2))
    ax = fig.add_subplot()
    ys = list(range(len(counts)))
    ax.barh(ys, [c for _, c in counts], color="#9a6700")
    ax.set_yticks(ys, [label for label, _ in counts])
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.xaxis.get_major_locator().set_params(integer=True)
    return _png(fig)


def plot_similarity(highest: list[float], threshold: float) -> bytes:
    """Histogram of each answer's highest similarity, with the flag threshold marked."""
    fig = _figure()
    ax = fig.add_subplot()
    bins = [i / 20 for i in range(21)]
    below = [v for v in highest if v < threshold]
    above = [v for v in highest if v >= threshold]
    ax.hist([below, above], bins=bins, stacked=True, color=["#0969da", "#cf222e"],
            label=["below the threshold", "flagged"], edgecolor="white")
    ax.axvline(threshold, color="#57606a", linestyle="--", linewidth=1)
    ax.set_xlim(0, 1)
    ax.set_xlabel("highest similarity of the answer (to another learner or the notebook)")
    ax.set_ylabel("answers")
    ax.set_title(f"Originality (n={len(highest)} answers compared)")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.legend(loc="upper right")
    return _png(fig)


def originality_section(ws: Workspace, module: str, images: dict[str, bytes]) -> str:
    """The report's originality section: flags, linked groups, a plot, what was skipped."""
    from course.grading.similar import check_module

    head = "<h2>Originality</h2>"
    try:
        found = check_module(ws, module)
    except CourseError as exc:
        return head + f"<p class=\"muted\">Not checked: {esc(exc)}</p>"
    compared = [q for q in found.questions if q.compared]
    highest = [v for q in compared for v in q.highest.values()]
    part = [head, "<p>Answers compared with every other learner's answer and with the "
            "notebook (reading, worked examples, prompt and what it prints). Words the "
            "notebook or the cohort's common phrasing explain do not count as copying. "
            f"Threshold {found.threshold:.2f}. A flag is a reason to read both texts, not "
            "proof: learners may have worked together as allowed, or both quote a shared "
            "source. <code>wbcourse similar</code> prints the shared passages' offsets."
            "</p>"]
    if found.flags:
        rows = [[f.question, " ~ ".join(f.learners), f"{f.similarity:.2f}",
                 " / ".join("–" if v is None else f"{v:.2f}" for v in f.shares),
                 "; ".join([f.note] * bool(f.note) + [f"from {p}" for p in f.places()]),
                 _passage_excerpt(f)] for f in found.flags]
        part.append(table(["answer", "learners", "similarity", "shares", "note",
                           "first shared passage"], rows, numeric=[2]))
    else:
        part.append("<p>No answer reaches the threshold.</p>")
    groups = found.groups()
    if groups:
        part.append("<p>Learners linked by flags (one text handed around?):</p><ul>"
                    + "".join(f"<li>{esc(q)}: {esc(', '.join(g))}</li>" for q, g in groups)
                    + "</ul>")
    if highest:
        images["similarity"] = plot_similarity(highest, found.threshold)
        part.append(_img("similarity", images["similarity"],
                         "Highest similarity of each answer"))
    skipped = [q.question for q in found.questions if not q.compared]
    notes = [f"{q.question}: {q.compared} of {q.answers} answers compared"
             for q in compared if q.compared < q.answers]
    if skipped:
        notes.append("not compared (closed or short answers): " + ", ".join(skipped))
    notes += [str(p) for p in found.problems] + found.notes
    if notes:
        part.append("<ul class=\"muted\">" + "".join(f"<li>{esc(n)}</li>" for n in notes)
                    + "</ul>")
    return "".join(part)


def _passage_excerpt(flag) -> str:
    if not flag.passages:
        return ""
    text = " ".join(flag.passages[0].text.split())
    return text if len(text) <= 160 else text[:159] + "…"


# ---------------------------------------------------------------------------- page

def write_report(ws: Workspace, module: str, out_dir: Path) -> Path:
    """Write ``<module>-*.png`` and ``<module>.html`` into ``out_dir``; return the page."""
    from course.grading.feedback import _module_title

    records = module_records(ws, module)
    graded = [r for r in records if not r.failed]
    if not graded:
        raise CourseError(f"no graded submissions of {module} in {ws.root}: "
                          f"run 'wbcourse grade {module} --workspace {ws.root}' first")
    out_dir = Path(out_dir).expanduser()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CourseError(f"cannot create {out_dir}: {exc.strerror or exc}") from exc
    title = _module_title(module)
    images: dict[str, bytes] = {}
    sections = []

    totals = [r.score for r in graded]
    maxima = {r.max_score for r in graded}
    images["scores"] = plot_scores(graded, module)
    pending = sum(c.needs_manual_grade and c.manual_score is None for r in graded for c in r.cells)
    median = sorted(totals)[len(totals) // 2] if len(totals) % 2 else \
        (sorted(totals)[len(totals) // 2 - 1] + sorted(totals)[len(totals) // 2]) / 2
    stats_rows = [["learners graded", len(graded)],
                  ["could not be graded", len(records) - len(graded)],
                  ["maximum score", " / ".join(num(m) for m in sorted(maxima))],
                  ["mean score", num(round(sum(totals) / len(totals), 2))],
                  ["median score", num(median)],
                  ["lowest / highest", f"{num(min(totals))} / {num(max(totals))}"],
                  ["answers awaiting manual grading", pending]]
    note = ("<p class=\"muted\">Answers awaiting manual grading count as 0 in the totals."
            "</p>" if pending else "")
    sections.append("<h2>Scores</h2>" + table(["", ""], stats_rows, numeric=[1]) + note
                    + _img("scores", images["scores"], "Score distribution"))

    items = item_analysis(graded)
    if items:
        images["items"] = plot_items(items)
        rows = [[i.grade_id, i.kind, num(i.max_score), i.n, num(round(i.mean_score, 2)),
                 _fmt(i.difficulty), _fmt(i.point_biserial), _fmt(i.upper_lower), i.note]
                for i in items]
        sections.append(
            "<h2>Item analysis</h2><p>Difficulty is the mean fraction of the points earned "
            "(low = hard). Discrimination is the correlation of the item with the rest of "
            "the score (point-biserial) and the difference between the top and bottom 27% "
            "of learners; below 0.2 the item does not separate stronger from weaker "
            "learners. n/a: too few learners or no variation.</p>"
            + table(["grade id", "kind", "points", "n", "mean", "difficulty",
                     "point-biserial", "upper-lower", "note"], rows, numeric=[2, 3, 4, 5, 6, 7])
            + _img("items", images["items"], "Item difficulty and discrimination"))

    prose = prose_stats(ws, module, graded)
    if prose.answers or prose.unreadable:
        part = [f"<h2>Prose checks</h2><p>{prose.answers} answer(s) checked"
                + (f", {prose.unreadable} could not be read" if prose.unreadable else "")
                + ".</p>"]
        common = prose.rules.most_common(12)
        if common:
            images["prose"] = plot_counts(common, "Prose findings across the cohort",
                                          "answers with this finding")
            part.append(table(["rule", "answers", "share", "example message"],
                              [[rule, n, f"{100 * n / max(prose.answers, 1):.0f}%",
                                prose.examples.get(rule, "")] for rule, n in common],
                              numeric=[1, 2]))
            part.append(_img("prose", images["prose"], "Most frequent prose findings"))
        else:
            part.append("<p>No findings in any answer.</p>")
        if prose.signals:
            part.append(f"<details><summary>Mean signals ({len(prose.signals)})</summary>"
                        + table(
                ["signal", "mean", "answers"],
                [[name, num(round(sum(v) / len(v), 2)), len(v)]
                 for name, v in sorted(prose.signals.items())], numeric=[1, 2])
                        + "</details>")
        sections.append("".join(part))

    sections.append(originality_section(ws, module, images))

    rubric_rows, missed, unknown = rubric_stats(module, graded)
    if rubric_rows:
        part = ["<h2>Rubric</h2>", table(
            ["answer", "title", "points", "graded", "below full marks", "awaiting grading",
             "mean"],
            [[r.grade_id, r.title, num(r.points), r.graded, r.below_full, r.awaiting,
              _fmt(r.mean)] for r in rubric_rows], numeric=[2, 3, 4, 5, 6])]
        if missed:
            common = [(f"{gid}: {cid}", n) for (gid, cid), n in missed.most_common(12)]
            images["rubric"] = plot_counts(common, "Rubric criteria most often missed",
                                           "answers missing it")
            part.append("<p>Criteria most often missed (from <code>missed: ...</code> in "
                        "graders' comments):</p>"
                        + table(["criterion", "answers"], common, numeric=[1])
                        + _img("rubric", images["rubric"], "Rubric criteria most often missed"))
        else:
            part.append("<p class=\"muted\">No grader comment lists missed criteria yet (write "
                        "<code>missed: criterion_id, ...</code> in a comment).</p>")
        if unknown:
            part.append("<p>Comments name criteria the rubric does not have: "
                        + esc(", ".join(f"{g}: {c} ({n})" for (g, c), n in unknown.items()))
                        + "</p>")
        sections.append("".join(part))

    troubled = [r for r in records if r.problems or r.failed]
    if troubled:
        sections.append("<h2>Learners with problems</h2>" + table(
            ["learner", "status", "score", "problems"],
            [[r.learner, r.status, num(r.score), "; ".join(r.problems)] for r in troubled],
            numeric=[2]))
    else:
        sections.append("<h2>Learners with problems</h2><p>None.</p>")

    for name, png in images.items():
        write_atomic(out_dir / f"{module}-{name}.png", png)
    body = (f"<h1>Cohort report: {esc(title)}</h1><p class=\"muted\">module {esc(module)} · "
            f"workspace {esc(ws.root)}</p>" + "\n".join(sections))
    path = out_dir / f"{module}.html"
    write_atomic(path, page(f"{title} – cohort report", body))
    return path


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _img(name: str, png: bytes, alt: str) -> str:
    return f'<p><img alt="{esc(alt)}" data-name="{esc(name)}" src="{data_uri(png)}"></p>'
