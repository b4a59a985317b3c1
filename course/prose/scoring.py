"""Run a kind's rules on an analysed text: counts, findings, components, score.

score = content x quality - penalty, where

* content is the weighted mean of the kind's components (each capped at 1, so
  stuffing one signal cannot lift the score past its weight);
* quality multiplies the factors of ``_common.toml`` (coherence, originality,
  repetition, vocabulary variety, length);
* penalty sums the capped deductions of the rules that fired (long sentences,
  weasel words, ...), at most the kind's ``penalty_cap``;

and a rule with a ``cap`` that fired caps the score.

>>> from course.prose.analysis import Analysis
>>> from course.prose.rules import load_kind
>>> score, signals, findings = run(load_kind("summary"), Analysis.of("I led it."))
>>> score, signals["words"], [f.rule for f in findings][:2]
(0.018, 3, ['no_measured_outcome', 'no_scope'])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .analysis import Analysis
from .detectors import detect, leaves_out
from .engine import phrase_list
from .rules import Counted, Kind, Rule, clamp, evaluate


@dataclass(slots=True)
class RawFinding:
    """A finding in plain-text coordinates (``doc_level``: about the whole text)."""

    rule: str
    message: str
    start: int
    end: int
    severity: str
    doc_level: bool = False


def _count(a: Analysis, name: str, spec: dict[str, Any], ns: dict[str, Any],
           found: dict[str, list[RawFinding]]) -> Any:  # fmt: skip
    """The value of one ``[count.NAME]`` (see :mod:`course.prose.rules`)."""
    sources = {
        "sentences": lambda ref: a.sentences_with(ref),
        "matches": lambda ref: tuple(a.matches(ref) if spec.get("anywhere")
                                     else a.prose_matches(ref)),
        "word_sentences": lambda ref: a.sentences_with_words(ref),
        "words": lambda ref: a.count_words(ref),
        "quantities": lambda kinds: a.number_sentences(() if kinds == "any" else kinds),
        "measure": lambda key: ns[key],
        "detector": lambda ref: detect(a, ref),
        "findings": lambda rid: len(found.get(rid, ())),
        "all": lambda names: set.intersection(*(set(ns[n].items) for n in names)),
        "any": lambda names: set.union(*(set(ns[n].items) for n in names)),
        "value": lambda expr: evaluate(expr, ns),
    }
    given = [key for key in sources if key in spec]
    if len(given) != 1:
        raise ValueError(f"count {name}: give exactly one of {', '.join(sources)}")
    try:
        return sources[given[0]](spec[given[0]])
    except KeyError as exc:
        raise ValueError(f"count {name}: {exc.args[0]!r} is not defined before it") from None


def _as_name(value: Any) -> Any:
    """A count as expressions see it: a number, or a :class:`Counted` collection."""
    return Counted(value) if isinstance(value, (set, frozenset, list, tuple)) else value


def _as_signal(value: Any) -> Any:
    """A count as the review reports it: a list (of names) as it is, sets and tuples (of
    sentences, of matches) counted."""
    if isinstance(value, Counted):
        value = value.items
    return len(value) if isinstance(value, (set, frozenset, tuple)) else value


def _span_findings(a: Analysis, rule: Rule) -> list[RawFinding]:
    """The findings of a ``matches`` or ``spans`` rule."""
    plain = a.doc.plain
    out = []
    if rule.matches is not None:
        words = phrase_list(rule.matches, a.folder)
        for m in a.matches(rule.matches):
            if rule.unless and leaves_out(a, rule.unless, rule.matches, m):
                continue
            fields = {"match": plain[m[0] : m[1]], "advice": words.advice(m[3], rule.advice)}
            out.append(RawFinding(rule.id, rule.message.format_map(fields), m[0], m[1],
                                  rule.severity))
    if rule.spans is not None:
        for start, end, fields in detect(a, rule.spans):
            fields = {"match": plain[start:end], "advice": rule.advice, **fields}
            out.append(RawFinding(rule.id, rule.message.format_map(fields), start, end,
                                  rule.severity))
    return out


def _components(kind: Kind, ns: dict[str, Any]) -> dict[str, tuple[float, float]]:
    """``name -> (value in 0..1, weight)`` of each component."""
    out = {}
    for name, spec in kind.components.items():
        if "value" in spec:
            value = evaluate(spec["value"], ns)
        else:
            value = ns[spec["count"]] / spec.get("target", 1)
        out[name] = (min(max(float(value), 0.0), 1.0), float(spec["weight"]))
    return out


def run(kind: Kind, a: Analysis, off: set[str] | frozenset[str] = frozenset()) -> tuple[
        float, dict[str, Any], list[RawFinding]]:  # fmt: skip
    """Score ``a`` as ``kind``: ``(score, signals, findings)``; rules in ``off`` (and the
    common rules the kind leaves out) give no findings, penalty or cap."""
    off = set(off) | set(kind.off)
    ns: dict[str, Any] = {**a.measures(), "min_words": kind.min_words}
    found: dict[str, list[RawFinding]] = {}
    for rule in kind.rules:  # (switched-off rules are still counted in the signals)
        if rule.when is None:
            found[rule.id] = _span_findings(a, rule)
    signals: dict[str, Any] = {}
    for name, spec in kind.counts.items():
        value = _count(a, name, spec, ns, found)
        ns[name] = _as_name(value)
        if not name.startswith("_") and value is not None:
            signals[name] = _as_signal(value)
    components = _components(kind, ns)
    total = sum(w for _, w in components.values()) or 1.0
    content = sum(v * w for v, w in components.values()) / total
    quality = {name: float(evaluate(expr, ns)) for name, expr in kind.quality.items()}
    ns.update(quality)
    factor = 1.0
    for v in quality.values():
        factor *= v
    penalties = {}
    caps = []
    for rule in kind.rules:
        if rule.id in off:
            continue
        if rule.when is not None and evaluate(rule.when, ns):
            found[rule.id] = [RawFinding(rule.id, rule.message.format_map(ns), 0, 0,
                                         rule.severity, doc_level=True)]
        n = evaluate(rule.penalty_count, ns) if rule.penalty_count else len(found.get(rule.id, ()))
        if rule.penalty and n:
            penalties[rule.id] = min(n * rule.penalty, rule.penalty_cap)
        if rule.cap is not None and found.get(rule.id):
            caps.append(rule.cap)
    # (the shared rules' deductions first: the same sum, to the last bit, as ever)
    shared = [r.id for r in kind.rules if r.shared]
    ordered = [penalties[r] for r in shared if r in penalties]
    ordered += [v for r, v in penalties.items() if r not in shared]
    penalty = min(sum(ordered), kind.penalty_cap)
    score = min([clamp(content * factor - penalty), *caps])
    signals["components"] = {k: round(v, 3) for k, (v, _) in components.items()}
    signals["quality"] = {k: round(v, 3) for k, v in quality.items()}
    signals["content"] = round(content, 3)
    signals["penalty"] = round(penalty, 3)
    findings = [f for rule in kind.rules if rule.id not in off for f in found.get(rule.id, ())]
    return round(score, 3), signals, findings
