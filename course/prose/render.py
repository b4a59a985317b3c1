"""Plain-text report of a :class:`~course.prose.model.Review`."""

from __future__ import annotations

from .model import Review


def score_bar(score: float, width: int = 10) -> str:
    """``score 0.62 [######----]``.

    >>> score_bar(0.62)
    'score 0.62 [######----]'
    """
    filled = int(round(score * width))
    return f"score {score:.2f} [{'#' * filled}{'-' * (width - filled)}]"


def facts_line(review: Review) -> str:
    """How the answer's numbers compare with the exercise's facts ("" when it gives none).

    >>> from course.prose import review
    >>> facts = [{"counts": "teams that used the kit", "number": 5, "unit": "teams"}]
    >>> facts_line(review("Five teams used the kit; 8 teams asked.", "summary",
    ...                   context={"facts": facts}))
    "Numbers checked against the exercise's facts: 1 in the facts, 1 not in them."
    """
    grounded = review.signals.get("grounded_numbers")
    if grounded is None:
        return ""
    bad = review.signals.get("unsupported_numbers", 0)
    return (f"Numbers checked against the exercise's facts: {grounded} in the facts"
            + (f", {bad} not in them." if bad else "."))


def render_text(review: Review, *, max_findings: int = 40) -> str:
    """A human-readable report: score bar, the text with numbered marks, what to fix.

    >>> from course.prose import review
    >>> print(render_text(review("Latency got significantly better.", "summary")))
    ... # doctest: +ELLIPSIS
    summary: score 0.00 [----------]
    <BLANKLINE>
    Latency got >>significantly<<[1] >>better<<[2].
    <BLANKLINE>
    What to fix:
     1. weasel: 'significantly' is vague: ...
    """
    lines = [f"{review.kind}: {score_bar(review.score)}", ""]
    spans = [(i, f) for i, f in enumerate(review.findings, 1) if f.end > f.start]
    # mark spans inline; a span overlapping an earlier mark is listed but not marked
    text = review.text
    out: list[str] = []
    pos = 0
    for i, f in sorted(spans, key=lambda x: (x[1].start, -x[1].end)):
        if f.start < pos:
            continue
        out.append(text[pos : f.start])
        out.append(f">>{text[f.start : f.end]}<<[{i}]")
        pos = f.end
    out.append(text[pos:])
    lines.append("".join(out).rstrip())
    lines.append("")
    if facts_line(review):
        lines += [facts_line(review), ""]
    if review.findings:
        lines.append("What to fix:")
        for i, f in enumerate(review.findings[:max_findings], 1):
            lines.append(f"{i:>2}. {f.rule}: {f.message}")
        if len(review.findings) > max_findings:
            lines.append(f"    ... and {len(review.findings) - max_findings} more")
    else:
        lines.append("Nothing to fix.")
    return "\n".join(lines)
