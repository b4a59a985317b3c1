"""Kinds of written answer declared as data, as :mod:`course.prose.scoring` runs them.

A kind is a TOML file ``<kind>.toml`` in a rules folder (the built-in one is
``course/prose/rules/``; more with :func:`add_rules_folder` or the
``WBCOURSE_PROSE_RULES`` environment variable: :mod:`course.prose.folders`), merged on
top of ``_common.toml``:

* ``[count.NAME]``: what is measured, from exactly one source: ``sentences`` (prose
  sentences with a phrase of a word list), ``matches`` (the phrases themselves),
  ``word_sentences`` / ``words`` (single words of a list), ``quantities``, ``measure``
  (a shared measure), ``detector`` (a named Python detector), ``findings`` (how many
  findings a rule gave), ``all`` / ``any`` (intersection / union of sentence sets) or
  ``value`` (an expression).  Names without a leading ``_`` are reported as signals.
* ``[components.NAME]``: ``count`` and ``target`` (value ``count / target``) or a
  ``value`` expression, and a ``weight``.  Content is the weighted mean of the values,
  each capped at 1.
* ``[rules.ID]``: ``description``, ``severity``, ``message`` and one source of
  findings: ``matches`` (every phrase of a word list, unless the named ``unless`` test
  holds), ``spans`` (a detector's spans) or ``when`` (an expression: one finding about
  the whole text).  Optional ``penalty`` / ``penalty_cap`` / ``penalty_count`` (a
  deduction per finding), ``cap`` (the highest score the text can get while the rule
  fires), and ``hit`` / ``miss`` example texts that do and do not trigger it.

score = content x quality - penalties (at most ``penalty_cap``), then capped.

>>> kind = load_kind("summary")
>>> kind.min_words, "no_ownership" in [r.id for r in kind.rules]
(90, True)
>>> evaluate("min(a / 2, 1) if b else 0", {"a": 3, "b": True})
1
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import tomllib

from . import engine, folders
from .folders import kinds  # noqa: F401  (re-exported)

COMMON = "_common"
SEVERITIES = ("info", "warning", "error")


# ------------------------------------------------------------------ expressions
def clamp(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    """Limit ``x`` to ``lo..hi``."""
    return lo if x < lo else hi if x > hi else x


FUNCTIONS = {"min": min, "max": max, "clamp": clamp}
_ALLOWED = (
    ast.Expression, ast.BoolOp, ast.BinOp, ast.UnaryOp, ast.Compare, ast.IfExp, ast.Call,
    ast.Name, ast.Load, ast.Constant, ast.And, ast.Or, ast.Not, ast.USub, ast.Add, ast.Sub,
    ast.Mult, ast.Div, ast.Pow, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In,
    ast.NotIn,
)  # fmt: skip


@cache
def compile_expression(source: str) -> Any:
    """Compile an expression of a rules file: arithmetic, comparisons, ``and`` / ``or`` /
    ``not``, ``x if c else y``, ``in``, and the functions ``min``, ``max``, ``clamp``."""
    tree = ast.parse(source, mode="eval")
    for node in ast.walk(tree):
        ok = isinstance(node, _ALLOWED)
        if isinstance(node, ast.Call):
            ok = isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS and not node.keywords
        if not ok:
            raise ValueError(f"expression {source!r}: {type(node).__name__} is not allowed")
    return compile(tree, "<rules>", "eval")


def evaluate(source: str, names: dict[str, Any]) -> Any:
    """The value of an expression over ``names``."""
    try:
        return eval(compile_expression(source), {"__builtins__": {}, **FUNCTIONS}, names)
    except NameError as exc:
        raise ValueError(f"expression {source!r}: {exc}") from None


class Counted(int):
    """A count that remembers what it counted: ``sections`` is 3 and ``'faq' in sections``."""

    items: Any

    def __new__(cls, items: Any) -> Counted:
        obj = super().__new__(cls, len(items))
        obj.items = items
        return obj

    def __contains__(self, item: object) -> bool:
        return item in self.items


# ------------------------------------------------------------------ the rules files
@dataclass(frozen=True, eq=False)
class Rule:
    """One rule: an id, what it says and what triggers it (see the module docstring)."""

    id: str
    description: str
    message: str
    severity: str = "warning"
    matches: str | None = None
    spans: str | None = None
    when: str | None = None
    advice: str = ""
    unless: str | None = None
    penalty: float = 0.0
    penalty_cap: float = 1.0
    penalty_count: str | None = None
    cap: float | None = None
    hit: tuple[str, ...] = ()
    miss: tuple[str, ...] = ()
    example_kind: str | None = None  # the kind a shared rule's examples are reviewed as
    example_topic: tuple[str, ...] = ()  # the topic they are reviewed with
    example_context: dict[str, Any] | None = None  # the exercise context they are reviewed with
    shared: bool = False  # declared in _common.toml (every kind has it)

    def __post_init__(self) -> None:
        spans = self.matches is not None or self.spans is not None
        if spans == (self.when is not None):
            raise ValueError(f"rule {self.id}: give `when`, or `matches` and/or `spans`")
        if self.severity not in SEVERITIES:
            raise ValueError(f"rule {self.id}: severity must be one of {', '.join(SEVERITIES)}")
        if not self.description or not self.message:
            raise ValueError(f"rule {self.id}: a description and a message are required")


@dataclass(frozen=True)
class Kind:
    """A kind of written answer, as its rules file declares it (merged with the common one)."""

    name: str
    title: str
    description: str
    min_words: int
    folder: Path
    counts: dict[str, dict[str, Any]]
    components: dict[str, dict[str, Any]]
    quality: dict[str, str]
    rules: tuple[Rule, ...]
    penalty_cap: float
    off: tuple[str, ...] = ()  # common rules this kind does not use
    texts: dict[str, str] = field(default_factory=dict)  # named example texts ("@name")

    def rule(self, rule_id: str) -> Rule:
        """The rule ``rule_id``."""
        return next(r for r in self.rules if r.id == rule_id)


def add_rules_folder(folder: str | os.PathLike[str]) -> None:
    """Look for kinds and word lists in ``folder`` too (see :mod:`course.prose.folders`)."""
    folders.add_rules_folder(folder)
    load_kind.cache_clear()


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: {exc}") from None


def _rules(table: dict[str, dict[str, Any]], shared: bool) -> list[Rule]:
    out = []
    for rid, spec in table.items():
        spec = dict(spec)
        spec["hit"] = tuple(spec.get("hit", ()))
        spec["miss"] = tuple(spec.get("miss", ()))
        spec["example_topic"] = tuple(spec.get("example_topic", ()))
        spec["shared"] = shared
        if shared:
            spec.setdefault("example_kind", "summary")
        try:
            out.append(Rule(id=rid, **spec))
        except TypeError as exc:
            raise ValueError(f"rule {rid}: {exc}") from None
    return out


@cache
def load_kind(name: str) -> Kind:
    """The kind ``name``, read from its rules file and merged with ``_common.toml``."""
    path = Path(folders.kind_file(name))
    common, own = _read(engine.RULES_DIR / f"{COMMON}.toml"), _read(path)
    score = {**common.get("score", {}), **own.get("score", {})}
    quality = dict(common.get("quality", {})) if score.get("quality", True) else {}
    return Kind(
        name=name,
        title=own.get("title", name.replace("_", " ")),
        description=own.get("description", ""),
        min_words=int(own.get("min_words", 100)),
        folder=path.parent,
        counts={**common.get("count", {}), **own.get("count", {})},
        components=own.get("components", {}),
        quality=quality,
        rules=(*_rules(own.get("rules", {}), False), *_rules(common.get("rules", {}), True)),
        penalty_cap=float(score.get("penalty_cap", 0.25)) if score.get("penalties", True) else 0.0,
        off=tuple(own.get("off", ())),
        texts={**common.get("texts", {}), **own.get("texts", {})},
    )


def example_text(kind: Kind, text: str) -> str:
    """An example as written, or the kind's named text for ``"@name"``."""
    return kind.texts[text[1:]] if text.startswith("@") else text
