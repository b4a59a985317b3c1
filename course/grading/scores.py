"""Read scores out of an nbgrader gradebook."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class QuestionScore:
    """One graded cell of one learner's submission."""

    notebook: str
    grade_id: str
    score: float
    max_score: float
    auto_score: float | None
    manual_score: float | None
    needs_manual_grade: bool
    kind: str  # "autograded" (test cell) or "manual" (answer graded by hand)


def submission_scores(db_url: str, module: str, learner: str
                      ) -> tuple[float, float, list[QuestionScore]]:
    """(score, max_score, per-question scores) of a learner's submission of a module."""
    from nbgrader.api import Gradebook

    questions: list[QuestionScore] = []
    with Gradebook(db_url) as gb:
        submission = gb.find_submission(module, learner)
        for nb in submission.notebooks:
            for grade in nb.grades:
                cell = grade.cell
                auto = cell.cell_type == "code" and not _is_solution(gb, cell, nb.name, module)
                questions.append(
                    QuestionScore(
                        notebook=nb.name,
                        grade_id=grade.name,
                        score=float(grade.score),
                        max_score=float(grade.max_score),
                        auto_score=grade.auto_score,
                        manual_score=grade.manual_score,
                        needs_manual_grade=bool(grade.needs_manual_grade),
                        kind="autograded" if auto else "manual",
                    )
                )
        score, max_score = float(submission.score), float(submission.max_score)
    return score, max_score, questions


def _is_solution(gb, cell, notebook: str, module: str) -> bool:
    from nbgrader.api import MissingEntry

    try:
        gb.find_solution_cell(cell.name, notebook, module)
    except MissingEntry:
        return False
    return True


def set_auto_score(db_url: str, module: str, learner: str, notebook: str,
                   grade_id: str, points: float) -> float | None:
    """Overwrite one cell's autograded score; return the score it had before."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url) as gb:
        grade = gb.find_grade(grade_id, notebook, module, learner)
        before = grade.auto_score
        grade.auto_score = points
        gb.db.commit()
    return before
