"""Closed items cannot be passed blind.

Every closed item (labelling, matching, ordering, copying a phrase) declares itself in
its answer cell's metadata, ``{"wbcourse": {"closed": {...}}}`` (docs/authoring.md).
For each one this file runs the item's real test cell, hidden tests included, the way
the grader does, against answers a learner could give without reading the items:

* one label for everything;
* alternating labels, and cycling through the choices in their listed order;
* simple surface rules: by the item's first word, by a pronoun anywhere in it, by
  whether it holds a number, by the choice whose name or description shares most words
  with it;
* for orderings, the listed, reversed and alphabetical orders; for copied phrases, an
  empty answer, the first word, the first two words or the last word.

No blind strategy may earn more than a quarter of the item's points, and the model
answer must earn all of them. ``python -m tests.test_blind_strategies`` prints the
table of what each item's best blind strategy earns.
"""

from __future__ import annotations

import ast
import contextlib
import io
import itertools
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import nbformat
import pytest

from course import paths
from course.release import source_modules

LIMIT = 0.25
KINDS = ("labels", "match", "order", "extract")
PRONOUNS = {"i", "we", "our", "my", "me", "us", "you", "your"}
STOP = {"the", "a", "an", "and", "or", "of", "to", "in", "on", "for", "is", "are", "it",
        "that", "this", "with", "by", "as", "be", "at", "from", "was", "were", "its", "their"}


@dataclass(frozen=True)
class ClosedItem:
    """One closed item of a solution notebook, with everything needed to grade it."""

    path: Path
    answer_id: str
    test_id: str
    variable: str
    kind: str
    spec: dict

    @property
    def name(self) -> str:
        return f"{self.path.parent.name}/{self.answer_id}"


def _code(source: str) -> str:
    """A cell as plain Python: IPython magics dropped (they only set up plotting)."""
    return "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("%"))


def _solution_body(source: str) -> str | None:
    found = re.search(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", source, re.S)
    return found.group(1) if found else None


def _assigned_constant(source: str) -> tuple[str, object] | None:
    """(name, value) when the solution region only assigns a literal of strings."""
    body = _solution_body(source)
    if body is None:
        return None
    try:
        tree = ast.parse(body)
    except SyntaxError:
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Assign):
        return None
    node = tree.body[0]
    try:
        value = ast.literal_eval(node.value)
    except ValueError:
        return None
    values = list(value.values()) if isinstance(value, dict) else value
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
        return None
    return node.targets[0].id, value


def _notebooks() -> list[Path]:
    root = paths.solutions_dir()
    return [p for m in source_modules() for p in sorted((root / m).glob("*.ipynb"))]


def closed_items() -> list[ClosedItem]:
    found = []
    for path in _notebooks():
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            spec = cell.metadata.get("wbcourse", {}).get("closed")
            if spec:
                gid = cell.metadata["nbgrader"]["grade_id"]
                found.append(ClosedItem(path, gid, f"{gid}_tests", spec["variable"],
                                        spec["kind"], spec))
    return found


ITEMS = closed_items()


@cache
def _namespace(path: Path, answer_id: str) -> tuple[dict, str, float, object]:
    """(namespace after every cell before the answer, test source, points, model answer)."""
    nb = nbformat.read(path, as_version=4)
    namespace: dict = {"__name__": "__closed_item__"}
    model = None
    for index, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code":
            continue
        if meta.get("grade_id") == answer_id:
            model = _assigned_constant(cell.source)
            test = next(c for c in nb.cells[index:]
                        if c.metadata.get("nbgrader", {}).get("grade_id") == f"{answer_id}_tests")
            return namespace, test.source, float(test.metadata["nbgrader"]["points"]), model
        if meta.get("grade") and not meta.get("solution"):
            continue  # another item's tests
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(_code(cell.source), f"{path.name}[{index}]", "exec"), namespace)
    raise AssertionError(f"{answer_id} not found in {path}")


def earned(item: ClosedItem, answer: object) -> float:
    """Points the item's test cell gives ``answer`` (0 when it raises, as in nbgrader)."""
    namespace, source, points, _ = _namespace(item.path, item.answer_id)
    scope = dict(namespace)
    scope[item.variable] = answer
    tree = ast.parse(_code(source))
    last = tree.body[-1] if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    body = ast.Module(body=tree.body[:-1] if last else tree.body, type_ignores=[])
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(body, item.test_id, "exec"), scope)
            value = eval(compile(ast.Expression(last.value), item.test_id, "eval"), scope) \
                if last else points
    except Exception:
        return 0.0
    return float(value) if isinstance(value, int | float) else points


def _values(item: ClosedItem, key: str) -> object:
    spec = item.spec.get(key)
    if isinstance(spec, str):
        namespace = _namespace(item.path, item.answer_id)[0]
        return namespace[spec]
    return spec


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def strategies(item: ClosedItem) -> dict[str, object]:
    """Blind answers for ``item``, by a name that says how each was made."""
    items = _values(item, "items")
    keys = list(items) if isinstance(items, dict) else list(items)
    texts = {k: items[k] for k in keys} if isinstance(items, dict) else {}
    out: dict[str, object] = {}
    if item.kind == "order":
        out["listed order"] = list(keys)
        out["reversed"] = list(reversed(keys))
        out["alphabetical"] = sorted(keys)
        out["reverse alphabetical"] = sorted(keys, reverse=True)
        return out
    if item.kind == "extract":
        out["all empty"] = dict.fromkeys(keys, "")
        for name, pick in (("first word", lambda w: w[:1]), ("first two words", lambda w: w[:2]),
                           ("last word", lambda w: w[-1:])):
            out[name] = {k: " ".join(pick(texts[k].rstrip(".").split())) for k in keys}
        return out
    choices = list(_values(item, "choices"))
    for c in choices:
        out[f"all {c!r}"] = dict.fromkeys(keys, c)
    for a, b in itertools.permutations(choices, 2):
        out[f"alternate {a!r}/{b!r}"] = {k: (a, b)[i % 2] for i, k in enumerate(keys)}
    for name, order in (("listed", choices), ("reversed", choices[::-1])):
        out[f"cycle {name} choices"] = {k: order[i % len(order)] for i, k in enumerate(keys)}
    if not texts:
        return out
    first = {k: (_words(texts[k]) or [""])[0] for k in keys}
    rules = {f"first word {w!r}": (lambda k, w=w: first[k] == w) for w in set(first.values())}
    rules["first word a pronoun"] = lambda k: first[k] in PRONOUNS
    for p in sorted(PRONOUNS):
        rules[f"has {p!r}"] = lambda k, p=p: p in _words(texts[k])
    rules["has a number"] = lambda k: bool(re.search(r"\d", texts[k]))
    for (rule, test), (a, b) in itertools.product(rules.items(),
                                                  itertools.permutations(choices, 2)):
        out[f"{rule} -> {a!r} else {b!r}"] = {k: a if test(k) else b for k in keys}
    described = _values(item, "descriptions") or {}
    profile = {c: set(_words(f"{c} {described.get(c, '')}")) - STOP for c in choices}
    out["most shared words"] = {
        k: max(choices, key=lambda c: len(profile[c] & set(_words(texts[k]))))
        for k in keys}
    return out


def best_blind(item: ClosedItem) -> tuple[str, float, float]:
    """(strategy, points it earns, item's points) for the strongest blind strategy."""
    points = _namespace(item.path, item.answer_id)[2]
    scores = {name: earned(item, answer) for name, answer in strategies(item).items()}
    name = max(scores, key=scores.get)
    return name, scores[name], points


def test_every_closed_item_is_declared():
    """An answer cell whose model answer is a literal of strings is a closed item."""
    declared = {(i.path, i.answer_id) for i in ITEMS}
    missing = []
    for path in _notebooks():
        for cell in nbformat.read(path, as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("solution") and not meta.get("grade") and cell.cell_type == "code" \
                    and _assigned_constant(cell.source) is not None \
                    and (path, meta["grade_id"]) not in declared:
                missing.append(f"{path.parent.name}/{meta['grade_id']}")
    assert not missing, f"declare wbcourse.closed on: {missing}"
    assert all(i.kind in KINDS for i in ITEMS)


@pytest.mark.parametrize("item", ITEMS, ids=lambda i: i.name)
def test_model_answer_earns_every_point(item):
    _, _, points, model = _namespace(item.path, item.answer_id)
    assert model is not None and model[0] == item.variable, "the model answer must be a literal"
    assert earned(item, model[1]) == pytest.approx(points)


@pytest.mark.parametrize("item", ITEMS, ids=lambda i: i.name)
def test_no_blind_strategy_earns_more_than_a_quarter(item):
    points = _namespace(item.path, item.answer_id)[2]
    over = {name: got for name, answer in strategies(item).items()
            if (got := earned(item, answer)) > LIMIT * points + 1e-9}
    assert not over, f"{item.name} ({points:g} points): blind answers earn {over}"


def test_the_check_catches_a_patterned_key():
    """The strategies find an alternating key and a first-word cue (the check can fail)."""
    item = next(i for i in ITEMS if i.kind == "labels" and len(_values(i, "choices")) == 2)
    keys = list(_values(item, "items"))
    a, b = _values(item, "choices")
    alternating = {k: (a, b)[n % 2] for n, k in enumerate(keys)}
    assert alternating in strategies(item).values()
    assert any(v == dict.fromkeys(keys, a) for v in strategies(item).values())


def table() -> str:
    """What the best blind strategy earns on each closed item, as Markdown."""
    rows = ["| item | kind | points | best blind strategy | earns | share |",
            "|---|---|---|---|---|---|"]
    for item in ITEMS:
        name, got, points = best_blind(item)
        rows.append(f"| {item.name} | {item.kind} | {points:g} | {name} | {got:g} | "
                    f"{got / points:.0%} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(table())
