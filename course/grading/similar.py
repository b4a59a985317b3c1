"""``wbcourse similar``: answers that are near-copies of another learner's or of the notebook.

For every answer cell of a module (an nbgrader ``solution`` cell of the instructor's source
notebooks, in every notebook of the module's folder), the submissions in
``submitted/<learner>/<module>/`` are compared two ways (the measure is in
:mod:`course.grading.similarity`):

* **learner with learner**: the share of each answer's own words that lie in passages
  the two answers share, where a passage counts only if it holds distinctive words
  (words outside the notebook's phrases and the cohort's common phrases);
* **learner with notebook**: the share of the learner's own words that lie in passages
  of the released notebook (reading, worked examples, the draft to rewrite, the prompt,
  what its cells print) or of the answer cell's starter text, leaving out the phrases
  the instructor's model answer also takes from the notebook (the facts it is meant to
  use). A learner who hands in a starter text unchanged is flagged as such.

Closed answers (a dict of labels, one letter) and short answers have too few words of
their own to show copying and are not compared. Submissions that cannot be read are
reported and the rest are compared. Nothing here is shown to learners: flags are for the
instructor, who reads both answers before deciding anything.
"""

from __future__ import annotations

import ast
import json
import re
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from course.errors import CourseError
from course.grading import similarity as sim
from course.grading.workspace import Workspace

DEFAULT_THRESHOLD = sim.DEFAULT_THRESHOLD
#: Characters of an answer that are compared; a longer answer is cut (and reported).
MAX_ANSWER_CHARS = 100_000
#: Larger submitted notebooks are not read (the size ``wbcourse collect`` accepts).
MAX_NOTEBOOK_BYTES = 50 * 2**20
NOTEBOOK = "notebook"


# ----------------------------------------------------------------------------- the module

@dataclass(frozen=True)
class ReleasedCell:
    """A cell of the released notebook, as learners received it."""

    notebook: str  # file name without .ipynb
    index: int  # position in the notebook
    source: str  # the cell's text, or what it prints when ``output``
    section: str  # the nearest heading at or above the cell
    output: bool = False


@dataclass(frozen=True)
class Question:
    """An answer cell of the module."""

    notebook: str
    grade_id: str
    index: int
    kind: str  # "text" (markdown or prose in a string) or "code" (closed answers too)
    starter: str  # the cell as released
    starter_is_text: bool  # the starter holds text the learner rewrites (a draft)
    model: str  # the instructor's model answer: the cell's solution region


@dataclass(frozen=True)
class ModuleText:
    """What the comparison needs from a module's source notebooks."""

    module: str
    questions: tuple[Question, ...]
    cells: tuple[ReleasedCell, ...]
    notes: tuple[str, ...] = ()  # what could not be used (a notebook that would not run)

    @property
    def notebooks(self) -> list[str]:
        return sorted({q.notebook for q in self.questions})


def load_module(source_dir: Path, release_dir: Path | None = None, *,
                outputs: bool = True, cache_dir: Path | None = None) -> ModuleText:
    """Answer cells and released text of every notebook in a module's solutions folder.

    Answer cells are the nbgrader ``solution`` cells of the source notebooks. The text
    learners received is read from the module's notebooks in ``release_dir`` (by default
    the course's ``exercises/``, which ``wbcourse release --check`` keeps in step); if
    one is missing or its cells do not match the source, the release is made here with
    the preprocessors ``wbcourse release`` uses. With ``outputs``, what each released
    notebook prints when it runs is part of its text too (:mod:`course.grading.shown`,
    cached in ``cache_dir``).
    """
    from course import paths as course_paths

    module = source_dir.name
    release_dir = release_dir or course_paths.exercises_dir() / module
    notebooks = sorted(source_dir.glob("*.ipynb"))
    if not notebooks:
        raise CourseError(f"{module} has no notebooks in {source_dir}")
    questions: list[Question] = []
    cells: list[ReleasedCell] = []
    notes: list[str] = []
    for path in notebooks:
        source = _source_cells(path)
        released = _released_cells(release_dir / path.name, source)
        if released is None:
            released = _release_now(path)
        printed: dict[int, str] = {}
        if outputs:
            from course.grading.shown import shown_outputs

            printed, problem = shown_outputs(released, cache_dir)
            if problem:
                notes.append(f"{path.name}: {problem}; its printed text is not compared")
        section = ""
        for index, (cell, mine) in enumerate(zip(released, source, strict=True)):
            text = _text(cell)
            if cell.get("cell_type") == "markdown":
                section = _heading(text) or section
            cells.append(ReleasedCell(path.stem, index, text, section))
            if index in printed:
                cells.append(ReleasedCell(path.stem, index, printed[index], section, output=True))
            meta = _grading(mine)
            if meta.get("solution") and isinstance(meta.get("grade_id"), str):
                model = solution_text(_text(mine))
                # Written: markdown, or prose in a string (a one-letter choice is closed).
                is_text = cell.get("cell_type") == "markdown" or (
                    _assigns_strings(text) and len(sim.tokenize(model)) >= sim.MIN_WORDS)
                questions.append(Question(
                    notebook=path.stem, grade_id=meta["grade_id"], index=index,
                    kind="text" if is_text else "code", starter=text,
                    starter_is_text=len(sim.tokenize(_starter_text(cell))) >= sim.MIN_WORDS,
                    model=model))
    return ModuleText(module, tuple(questions), tuple(cells), tuple(notes))


def _source_cells(path: Path) -> list[dict]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        cells = raw["cells"]
        if not isinstance(cells, list) or not all(isinstance(c, dict) for c in cells):
            raise TypeError("cells is not a list of cells")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CourseError(f"cannot read the source notebook {path}: {exc}") from exc
    return cells


def _released_cells(path: Path, source: list[dict]) -> list[dict] | None:
    """The released notebook's cells, if it exists and matches ``source`` cell by cell."""
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(cells, list) or len(cells) != len(source) or not all(
            isinstance(c, dict) and _grading(c).get("grade_id") == _grading(s).get("grade_id")
            for c, s in zip(cells, source, strict=True)):
        return None
    return cells


def _release_now(path: Path) -> list[dict]:
    """Release one source notebook in memory with the course's nbgrader preprocessors."""
    import nbformat
    from nbgrader.preprocessors import ClearHiddenTests

    from course.nbgrader_ext import ProseAwareClearSolutions

    try:
        nb = nbformat.read(path, as_version=4)
        nb, _ = ProseAwareClearSolutions().preprocess(nb, {})
        nb, _ = ClearHiddenTests().preprocess(nb, {})
    except Exception as exc:  # nbgrader raises many kinds for malformed metadata
        first = str(exc).splitlines()[0] if str(exc) else repr(exc)
        raise CourseError(f"cannot release {path.name} to compare with it: {first}") from exc
    return [dict(cell) for cell in nb.cells]


def _grading(cell: dict) -> dict:
    meta = cell.get("metadata")
    grading = meta.get("nbgrader") if isinstance(meta, dict) else None
    return grading if isinstance(grading, dict) else {}


def _text(cell: dict) -> str:
    """A cell's source as one string ('' if it is not text).

    >>> _text({"source": ["a\\n", "b"]}), _text({"source": 3})
    ('a\\nb', '')
    """
    source = cell.get("source", "")
    if isinstance(source, list) and all(isinstance(s, str) for s in source):
        return "".join(source)
    return source if isinstance(source, str) else ""


_SOLUTION = re.compile(r"^[ \t]*### BEGIN SOLUTION[^\n]*\n(.*?)^[ \t]*### END SOLUTION",
                       re.S | re.M)


def solution_text(source: str) -> str:
    """The instructor's answer in a source cell: its solution regions, or the whole cell.

    >>> solution_text('x = 1\\n### BEGIN SOLUTION\\nx = 2\\n### END SOLUTION')
    'x = 2\\n'
    >>> solution_text("Free text answer.")
    'Free text answer.'
    """
    regions = _SOLUTION.findall(source)
    return "".join(regions) if regions else source


def _heading(markdown: str) -> str:
    for line in markdown.splitlines():
        if line.startswith("#"):
            return line.lstrip("#").strip()
    return ""


def _assigns_strings(source: str) -> bool:
    """True when a code cell only assigns string literals (a written answer in a string).

    >>> _assigns_strings('draft = \"\"\"Replace this line.\"\"\"'), _assigns_strings("x = {1: '?'}")
    (True, False)
    """
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return False
    return bool(body) and all(
        isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str) for node in body)


def _starter_text(cell: dict) -> str:
    """The words a starter gives the learner to rewrite: markdown, or the strings a code
    cell assigns (the code around them is scaffolding)."""
    text = _text(cell)
    if cell.get("cell_type") == "markdown":
        return text
    if _assigns_strings(text):
        return "\n".join(node.value.value for node in ast.parse(text).body)
    return ""


# ------------------------------------------------------------------------- submissions

@dataclass(frozen=True)
class Problem:
    """A submission, or one answer of it, that could not be compared."""

    learner: str
    message: str

    def __str__(self) -> str:
        return f"{self.learner}: {self.message}"


def read_answers(ws: Workspace, module: ModuleText, learners: Sequence[str]
                 ) -> tuple[dict[str, dict[str, str]], list[Problem]]:
    """``{grade_id: {learner: cell source}}`` of every readable answer, and the problems."""
    answers: dict[str, dict[str, str]] = {q.grade_id: {} for q in module.questions}
    problems: list[Problem] = []
    for learner in learners:
        for notebook in module.notebooks:
            path = ws.submitted / learner / module.module / f"{notebook}.ipynb"
            found, problem = _read_cells(path)
            if problem:
                problems.append(Problem(learner, problem))
                continue
            for q in module.questions:
                if q.notebook != notebook:
                    continue
                if q.grade_id not in found:
                    problems.append(Problem(
                        learner, f"answer cell {q.grade_id} is missing from {path.name}"))
                    continue
                source = found[q.grade_id]
                if source is None:
                    problems.append(Problem(
                        learner, f"answer cell {q.grade_id} in {path.name} holds no text"))
                    continue
                if len(source) > MAX_ANSWER_CHARS:
                    problems.append(Problem(
                        learner, f"{q.grade_id} is {len(source):,} characters long: only "
                                 f"the first {MAX_ANSWER_CHARS:,} are compared"))
                    source = source[:MAX_ANSWER_CHARS]
                answers[q.grade_id][learner] = source
    return answers, problems


def _read_cells(path: Path) -> tuple[dict[str, str | None], str | None]:
    """``{grade_id: source}`` of a submitted notebook (None: not text), or why it cannot
    be read."""
    name = path.name
    try:
        info = path.stat()
    except OSError:
        return {}, f"{name} is missing"
    if not stat.S_ISREG(info.st_mode):
        return {}, f"{name} is not a regular file"
    if info.st_size > MAX_NOTEBOOK_BYTES:
        return {}, f"{name} is larger than {MAX_NOTEBOOK_BYTES // 2**20} MB; not read"
    try:
        raw = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError) as exc:
        reason = "cannot be read" if isinstance(exc, OSError) else "is not valid notebook JSON"
        return {}, f"{name} {reason}"
    cells = raw.get("cells") if isinstance(raw, dict) else None
    if not isinstance(cells, list):
        return {}, f"{name} is not a Jupyter notebook (no list of cells)"
    found: dict[str, str | None] = {}
    for cell in cells:
        if not isinstance(cell, dict):
            continue
        grade_id = _grading(cell).get("grade_id")
        if isinstance(grade_id, str) and grade_id not in found:
            source = cell.get("source", "")
            readable = isinstance(source, str) or (
                isinstance(source, list) and all(isinstance(x, str) for x in source))
            found[grade_id] = _text(cell) if readable else None
    return found, None


# ---------------------------------------------------------------------------- results

@dataclass(frozen=True)
class SharedPassage:
    """A passage two texts share: character offsets into each (``end`` excluded)."""

    a: tuple[int, int]
    b: tuple[int, int]
    text: str  # the first learner's words
    cell: int | None = None  # for the notebook: the released cell's index
    section: str = ""  # for the notebook: the heading above that cell
    starter: bool = False  # for the notebook: the passage is the answer cell's starter
    output: bool = False  # for the notebook: ``b`` is in what the cell prints, not its source

    def to_json(self) -> dict:
        out: dict = {"a": list(self.a), "b": list(self.b), "text": self.text}
        if self.cell is not None:
            out.update(cell=self.cell, section=self.section, starter=self.starter,
                       output=self.output)
        return out


@dataclass(frozen=True)
class Flag:
    """Two answers (or an answer and the notebook) that share too much."""

    question: str
    notebook: str
    learners: tuple[str, str]  # the second is "notebook" for copies of the notebook
    similarity: float
    shares: tuple[float, float | None]  # share of each text in the shared passages
    passages: tuple[SharedPassage, ...]
    note: str = ""

    @property
    def with_notebook(self) -> bool:
        return self.learners[1] == NOTEBOOK

    def places(self) -> list[str]:
        """Where in the notebook the shared passages are (headings), for a notebook flag.

        >>> p = SharedPassage((0, 9), (0, 9), "x", cell=4, section="Worked example")
        >>> Flag("q1", "nb", ("ada", NOTEBOOK), 1.0, (1.0, None), (p, p)).places()
        ['Worked example']
        """
        places: list[str] = []
        for p in self.passages if self.with_notebook else ():
            place = "the starter" if p.starter else (p.section or f"cell {p.cell}")
            place += " (what it prints)" if p.output else ""
            if place not in places:
                places.append(place)
        return places

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "notebook": self.notebook,
            "learners": list(self.learners),
            "similarity": round(self.similarity, 3),
            "shares": [None if s is None else round(s, 3) for s in self.shares],
            "note": self.note,
            "passages": [p.to_json() for p in self.passages],
        }

    def label(self, learner: str) -> str:
        """What the export's ``flags`` column says about this flag in ``learner``'s row.

        >>> flag = Flag("q1", "nb", ("ada", "bob"), 0.914, (0.9, 0.9), ())
        >>> flag.label("ada"), flag.label("bob")
        ('q1~bob 0.91', 'q1~ada 0.91')
        """
        other = self.learners[1] if self.learners[0] == learner else self.learners[0]
        return f"{self.question}~{other} {self.similarity:.2f}"


@dataclass
class QuestionStats:
    """How one answer cell was compared."""

    question: str
    notebook: str
    kind: str
    answers: int = 0  # readable answers
    compared: int = 0  # answers with enough words of their own to compare
    pairs_scored: int = 0  # candidate pairs aligned
    highest: dict[str, float] = field(default_factory=dict)  # compared learner -> best score


@dataclass
class SimilarityReport:
    """The outcome of :func:`check_module`."""

    module: str
    learners: list[str]
    threshold: float
    flags: list[Flag]
    problems: list[Problem]
    questions: list[QuestionStats]
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> list[dict]:
        return [f.to_json() for f in self.flags]

    def flags_of(self, learner: str) -> list[Flag]:
        """Flags that name ``learner``."""
        return [f for f in self.flags if learner in f.learners]

    def groups(self) -> list[tuple[str, list[str]]]:
        """``(question, learners)`` for every three or more learners linked by flags.

        >>> f = [Flag("q1", "nb", pair, 0.9, (0.9, 0.9), ())
        ...      for pair in [("a", "b"), ("b", "c"), ("d", "e")]]
        >>> SimilarityReport("m", [], 0.5, f, [], []).groups()
        [('q1', ['a', 'b', 'c'])]
        """
        out = []
        for question in dict.fromkeys(f.question for f in self.flags):
            linked: dict[str, set[str]] = {}
            for f in self.flags:
                if f.question == question and not f.with_notebook:
                    a, b = f.learners
                    group = linked.get(a, {a}) | linked.get(b, {b})
                    for learner in group:
                        linked[learner] = group
            seen = []
            for group in linked.values():
                if len(group) >= 3 and group not in seen:
                    seen.append(group)
            out += [(question, sorted(g)) for g in sorted(seen, key=sorted)]
        return out

    def lines(self) -> list[str]:
        """The readable table ``wbcourse similar`` prints."""
        out = [f"{self.module}: {len(self.learners)} learner(s), threshold "
               f"{self.threshold:.2f}"]
        if self.flags:
            rows = [(f.question, f"{f.learners[0]} ~ {f.learners[1]}", f"{f.similarity:.2f}",
                     _describe(f)) for f in self.flags]
            header = ("question", "learners", "similarity", "shared passages")
            widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
            fmt = f"{{:{widths[0]}}}  {{:{widths[1]}}}  {{:>{widths[2]}}}  {{}}"
            out.append(fmt.format(*header))
            out += [fmt.format(*r) for r in rows]
        else:
            out.append("no answers above the threshold")
        out.append(f"{len(self.flags)} flag(s). A flag is a reason to read both texts, "
                   "not a verdict.")
        for question, group in self.groups():
            out.append(f"  {question}: {len(group)} learners linked by flags: "
                       + ", ".join(group))
        compared = [q for q in self.questions if q.compared]
        for q in compared:
            short = q.answers - q.compared
            out.append(f"  {q.question}: {q.compared} answer(s) compared"
                       + (f", {short} too short to compare" if short else ""))
        idle = [q.question for q in self.questions if not q.compared]
        if idle:
            out.append("  not compared (closed or short answers in every submission): "
                       + ", ".join(idle))
        if self.problems:
            out.append(f"{len(self.problems)} problem(s):")
            out += [f"  {p}" for p in self.problems]
        out += [f"note: {n}" for n in self.notes]
        return out


def _short(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters with an ellipsis.

    >>> _short("Exercise D: rewrite a summary", 12)
    'Exercise D:…'
    """
    return text if len(text) <= width else text[:width - 1].rstrip() + "…"


def _describe(f: Flag) -> str:
    words = sum(len(sim.tokenize(p.text)) for p in f.passages)
    where = " from " + "; ".join(_short(p, 40) for p in f.places()) if f.with_notebook else ""
    excerpt = _short(" ".join(f.passages[0].text.split()) if f.passages else "", 50)
    note = f"{f.note}; " if f.note else ""
    return (f"{note}{len(f.passages)} passage(s), {words} words{where}: \"{excerpt}\"")


# ----------------------------------------------------------------------------- compare

class Reference:
    """The released notebooks of a module, tokenised once for all its questions."""

    def __init__(self, cells: Sequence[ReleasedCell]) -> None:
        self.vocab = sim.Vocabulary()
        self.cells = list(cells)
        self.tokens = [sim.tokenize(c.source) for c in self.cells]
        self.ids = [self.vocab.ids(t.words) for t in self.tokens]
        self.phrases: set[tuple[int, ...]] = set()
        self.where: dict[tuple[int, ...], list[int]] = {}  # phrase -> cells holding it
        for k, ids in enumerate(self.ids):
            for gram in set(sim.ngrams(ids)):
                self.phrases.add(gram)
                self.where.setdefault(gram, []).append(k)

    def position(self, q: Question) -> int:
        """Where the question's own cell (its starter) is in :attr:`cells`."""
        return next(k for k, c in enumerate(self.cells)
                    if (c.notebook, c.index, c.output) == (q.notebook, q.index, False))


@dataclass
class _Text:
    learner: str
    tokens: sim.Tokens
    ids: list[int]
    grams: list[tuple[int, ...]]
    own: list[bool]  # not part of a scaffold starter (the code around the answer)
    own_count: list[int] = field(default_factory=list)  # running count of own words
    distinct: list[int] = field(default_factory=list)  # running count: own, not background


def compare_question(q: Question, ref: Reference, answers: dict[str, str],
                     threshold: float) -> tuple[list[Flag], QuestionStats]:
    """Flags and statistics of one answer cell across a cohort's answers."""
    stats = QuestionStats(q.grade_id, q.notebook, q.kind, answers=len(answers))
    starter_ids = ref.ids[ref.position(q)]
    texts = []
    for learner in sorted(answers):
        tokens = sim.tokenize(answers[learner])
        ids = ref.vocab.ids(tokens.words)
        own = [True] * len(ids) if q.starter_is_text else _not_in(ids, starter_ids)
        texts.append(_Text(learner, tokens, ids, sim.ngrams(ids), own))
    model_phrases = set(sim.ngrams(ref.vocab.ids(sim.tokenize(q.model).words)))
    background = ref.phrases | sim.common_phrases([t.ids for t in texts])
    if q.kind == "code":  # closed and code answers converge on the model answer
        background |= model_phrases
    for t in texts:
        t.own_count = sim.running_count(t.own)
        t.distinct = sim.running_count([o and not c for o, c in zip(
            t.own, sim.covered_by(t.grams, len(t.ids), background), strict=True)])
    flags: list[Flag] = []
    stats.highest = {t.learner: 0.0 for t in texts}

    # learner with learner
    eligible = [t for t in texts if t.distinct[-1] >= sim.MIN_WORDS]
    shingles = [{g for g in t.grams if g not in background} for t in eligible]
    for i, j in sim.candidate_pairs(shingles, sim.PHRASES_PER_THRESHOLD * threshold):
        a, b = eligible[i], eligible[j]
        found = sim.passages(a.ids, b.ids, a_keep=a.own, b_keep=b.own, a_distinct=a.distinct)
        stats.pairs_scored += 1
        if not found:
            continue
        share_a = sim.share(a.own_count, [(p.a_start, p.a_end) for p in found])
        share_b = sim.share(b.own_count, [(p.b_start, p.b_end) for p in found])
        score = max(share_a, share_b)
        for t in (a, b):
            stats.highest[t.learner] = max(stats.highest[t.learner], score)
        if score >= threshold:
            flags.append(Flag(q.grade_id, q.notebook, (a.learner, b.learner), score,
                              (share_a, share_b), tuple(
                SharedPassage(a.tokens.char_span(p.a_start, p.a_end),
                              b.tokens.char_span(p.b_start, p.b_end),
                              a.tokens.text_of(p.a_start, p.a_end)) for p in found)))

    # learner with notebook
    compared = {t.learner for t in eligible}
    for t in texts:
        if t.own_count[-1] < sim.MIN_WORDS:
            continue
        compared.add(t.learner)
        flag = _notebook_flag(q, t, ref, model_phrases)
        if flag is None:
            continue
        stats.highest[t.learner] = max(stats.highest[t.learner], flag.similarity)
        if flag.similarity >= threshold:
            flags.append(flag)
    stats.compared = len(compared)
    stats.highest = {k: v for k, v in stats.highest.items() if k in compared}
    flags.sort(key=lambda f: (-f.similarity, f.learners))
    return flags, stats


def _not_in(ids: list[int], starter: list[int]) -> list[bool]:
    """Words of an answer that the LCS alignment does not match to the starter."""
    from rapidfuzz.distance import Indel

    own = [True] * len(ids)
    for blk in Indel.opcodes(ids, starter).as_matching_blocks():
        for i in range(blk.a, blk.a + blk.size):
            own[i] = False
    return own


def _unchanged(answer: list[int], starter: list[int]) -> bool:
    """True when the answer is the starter's words, at most a placeholder line removed.

    >>> _unchanged([1, 2, 3], [1, 2, 3, 9, 9]), _unchanged([1, 2, 4], [1, 2, 3])
    (True, False)
    """
    from rapidfuzz.distance import LCSseq

    kept = LCSseq.similarity(answer, starter)
    return kept == len(answer) and len(starter) - kept <= max(8, len(starter) // 10)


def _notebook_flag(q: Question, t: _Text, ref: Reference, model_phrases) -> Flag | None:
    """The learner's answer against the notebook's cells (and a starter to rewrite)."""
    own_cell = ref.position(q)
    hits: dict[int, int] = {}
    for g in t.grams:
        for k in ref.where.get(g, ()):
            hits[k] = hits.get(k, 0) + 1
    shared: list[tuple[int, sim.Passage]] = []
    for k in sorted(hits):
        if hits[k] < 2 or (k == own_cell and not q.starter_is_text):
            continue
        shared += [(k, p) for p in sim.passages(t.ids, ref.ids[k], a_keep=t.own)]
    if not shared:
        return None
    # The learner's own words, less those in phrases the model answer also uses: the
    # notebook text an answer is meant to use (the facts, say) is not copying.
    counted = sim.running_count([o and not m for o, m in zip(
        t.own, sim.covered_by(t.grams, len(t.ids), model_phrases), strict=True)])
    coverage = sim.share(counted, [(p.a_start, p.a_end) for _, p in shared])
    shared.sort(key=lambda kp: kp[1].a_start)
    from_starter = [(p.a_start, p.a_end) for k, p in shared if k == own_cell]
    note = ""
    if q.starter_is_text and _unchanged(t.ids, ref.ids[own_cell]):
        note = "unchanged starter"
    elif from_starter and sim.share(counted, from_starter) >= 0.5:
        note = "mostly the starter text"
    passages = tuple(SharedPassage(
        t.tokens.char_span(p.a_start, p.a_end), ref.tokens[k].char_span(p.b_start, p.b_end),
        t.tokens.text_of(p.a_start, p.a_end), cell=ref.cells[k].index,
        section="" if k == own_cell else ref.cells[k].section, starter=k == own_cell,
        output=ref.cells[k].output) for k, p in shared)
    return Flag(q.grade_id, q.notebook, (t.learner, NOTEBOOK), coverage, (coverage, None),
                passages, note)


def check_module(ws: Workspace, module: str, *, threshold: float = DEFAULT_THRESHOLD,
                 source_dir: Path | None = None, release_dir: Path | None = None,
                 learners: Iterable[str] | None = None,
                 outputs: bool = True) -> SimilarityReport:
    """Compare every submission of ``module`` in the workspace; see the module docstring.

    ``source_dir`` and ``release_dir`` default to the course's ``solutions/<module>`` and
    ``exercises/<module>``; ``outputs`` adds what the released notebooks print (run once
    and cached in the workspace's ``.wbcourse/similar/``). Raises :class:`CourseError`
    when there is nothing to compare (no submissions, no answer cells) or the threshold
    is outside (0, 1].
    """
    from course import paths

    if not 0 < threshold <= 1:
        raise CourseError(f"--threshold must be above 0 and at most 1, not {threshold:g}")
    source_dir = source_dir or paths.solutions_dir() / module
    if not source_dir.is_dir():
        raise CourseError(f"no source notebooks for {module} in {source_dir.parent}")
    chosen = sorted(learners) if learners is not None else ws.learners(module)
    if not chosen:
        raise CourseError(f"no submissions of {module} in {ws.submitted}")
    text = load_module(source_dir, release_dir, outputs=outputs,
                       cache_dir=ws.root / ".wbcourse" / "similar")
    if not text.questions:
        raise CourseError(f"{module} has no answer cells (nbgrader solution cells) to compare")
    answers, problems = read_answers(ws, text, chosen)
    flags: list[Flag] = []
    stats: list[QuestionStats] = []
    ref = Reference(text.cells)
    for q in text.questions:
        found, st = compare_question(q, ref, answers[q.grade_id], threshold)
        flags += found
        stats.append(st)
    return SimilarityReport(module, list(chosen), threshold, flags, problems, stats,
                            list(text.notes))


def run_similar(module: str, workspace: Path, *, threshold: float, as_json: bool) -> int:
    """The ``wbcourse similar`` command: print the flags; problems go to stderr in JSON mode."""
    import sys

    from course.grading.workspace import open_workspace

    ws = open_workspace(workspace)
    report = check_module(ws, module, threshold=threshold)
    if as_json:
        print(json.dumps(report.to_json(), indent=1, ensure_ascii=False))
        for p in report.problems:
            print(f"warning: {p}", file=sys.stderr)
        for note in report.notes:
            print(f"note: {note}", file=sys.stderr)
    else:
        print("\n".join(report.lines()))
    return 0
