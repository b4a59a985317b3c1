"""The gradebook side of grading: checks, a worker's scratch copy, one-transaction writes.

nbgrader's autograde writes to the gradebook as it goes (the student, the submission,
then one commit per graded cell) and does not undo those writes when it is interrupted
(nbgrader issue #216 made it remove the autograded folder, not the rows). A killed run
would leave half-graded submissions in the gradebook. So a grading worker runs nbgrader
against a *scratch* gradebook of its own (:func:`seed_scratch`: the module's assignment,
notebooks and cells copied from the real one), and the real gradebook is written once
per submission, in one transaction (:func:`held`): nbgrader's own code that records a
submission (``Autograde.init_assignment``, ``SaveAutoGrades``, ``AssignLatePenalties``)
runs again against the real gradebook with its commits held, then everything is
committed together. A kill, a full disk or a read-only database leaves the gradebook
with the submission's previous complete result, or none.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

from course.errors import CourseError

#: nbgrader modules whose code opens its own ``Gradebook(db_url)`` while recording a
#: submission; :func:`held` points their ``Gradebook`` at the held one.
_RECORDING_MODULES = (
    "nbgrader.converters.autograde",
    "nbgrader.preprocessors.saveautogrades",
    "nbgrader.preprocessors.latesubmissions",
)


def _reason(exc: BaseException) -> str:
    """The first line of a database error, without SQLAlchemy's decorations."""
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


def is_full_or_readonly(exc: BaseException) -> bool:
    """Does ``exc`` mean the disk is full or the gradebook cannot be written?"""
    import errno

    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS):
        return True
    # shutil.copytree gathers its errors into one (errno-less) shutil.Error
    text = f"{exc} {getattr(exc, 'orig', '')}".lower()
    return any(s in text for s in ("disk is full", "readonly database", "read-only",
                                   "disk i/o error", "no space left", "disk quota"))


def full_or_readonly_reason(exc: BaseException) -> str:
    """One line for a full disk or an unwritable gradebook (see is_full_or_readonly)."""
    import errno

    text = f"{exc} {getattr(exc, 'orig', '')}".lower()
    if "no space left" in text or "disk is full" in text:
        return os.strerror(errno.ENOSPC) + " (the disk is full)"
    if "disk quota" in text:
        return os.strerror(errno.EDQUOT)
    if "read-only" in text or "readonly" in text:
        return "the gradebook or the workspace is read-only"
    return _reason(exc)


def describe(db_url: str) -> str:
    """The gradebook's file for SQLite, else its URL without a password.

    >>> describe("sqlite:////ws/gradebook.db?timeout=60")
    '/ws/gradebook.db'
    >>> describe("postgresql://grader:secret@db/grades")
    'postgresql://grader:***@db/grades'
    """
    from sqlalchemy.engine import make_url

    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        return url.database or db_url
    return url.render_as_string(hide_password=True)


def check(db_url: str, course_id: str, module: str | None = None) -> None:
    """Raise a one-line :class:`CourseError` if the gradebook cannot be read and written.

    Nothing is changed: the write test is rolled back.
    """
    from nbgrader.api import Gradebook
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    where = describe(db_url)
    gb = None
    try:
        with Gradebook(db_url, course_id) as gb:
            if gb.engine.dialect.name == "sqlite":
                result = gb.db.execute(text("PRAGMA quick_check")).scalar()
                if result != "ok":
                    raise CourseError(f"the gradebook {where} is damaged ({result}); restore "
                                      "it from a backup (nothing was graded)")
            gb.db.execute(text("UPDATE assignment SET name = name WHERE 0 = 1"))
            gb.db.rollback()
            if module is not None:
                gb.find_assignment(module)
    except CourseError:
        raise
    except SQLAlchemyError as exc:
        if is_full_or_readonly(exc):
            raise CourseError(f"the gradebook {where} cannot be written ({_reason(exc)}); "
                              "nothing was graded") from exc
        raise CourseError(f"the gradebook {where} cannot be read ({_reason(exc)}); restore "
                          "it from a backup (nothing was graded)") from exc
    except Exception as exc:  # nbgrader's MissingEntry and friends
        if type(exc).__name__ == "MissingEntry":
            raise CourseError(f"{module} is not registered in the gradebook {where}") from exc
        raise CourseError(f"the gradebook {where} cannot be used ({exc})") from exc
    finally:
        if gb is not None:  # no open connection may be inherited by forked workers
            gb.engine.dispose()


def _create_empty(scratch_url: str, version: str) -> None:
    """An empty gradebook with the real one's schema version.

    (``Gradebook()`` on a new database asks the ``alembic`` command for that version,
    a second of start-up per worker; the real gradebook already knows it.)
    """
    from nbgrader.api import Base
    from sqlalchemy import create_engine, text

    engine = create_engine(scratch_url)
    try:
        Base.metadata.create_all(bind=engine)
        with engine.begin() as db:
            db.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
            db.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"),
                       {"v": version})
    finally:
        engine.dispose()


def seed_scratch(main_url: str, scratch_url: str, module: str, course_id: str) -> None:
    """Copy ``module``'s assignment, notebooks and cells into a new scratch gradebook."""
    from nbgrader.api import Gradebook
    from sqlalchemy import text

    with Gradebook(main_url, course_id) as src:
        version = src.db.execute(text("SELECT version_num FROM alembic_version")).scalar()
        src.engine.dispose()
    _create_empty(scratch_url, str(version))
    with Gradebook(main_url, course_id) as src, Gradebook(scratch_url, course_id) as dst:
        assignment = src.find_assignment(module)
        dst.update_or_create_assignment(module, duedate=assignment.duedate,
                                        course_id=course_id)
        for nb in assignment.notebooks:
            dst.update_or_create_notebook(nb.name, module)
            for cell in nb.grade_cells:
                dst.update_or_create_grade_cell(cell.name, nb.name, module,
                                                max_score=cell.max_score,
                                                cell_type=cell.cell_type)
            for cell in nb.solution_cells:
                dst.update_or_create_solution_cell(cell.name, nb.name, module)
            for cell in nb.task_cells:
                dst.update_or_create_task_cell(cell.name, nb.name, module,
                                               max_score=cell.max_score,
                                               cell_type=cell.cell_type)
            for cell in nb.source_cells:
                dst.update_or_create_source_cell(cell.name, nb.name, module,
                                                 source=cell.source, cell_type=cell.cell_type,
                                                 locked=cell.locked, checksum=cell.checksum)


def forget(scratch_url: str, module: str, learner: str, course_id: str) -> None:
    """Remove a learner's submission from a scratch gradebook (keeps it small)."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(scratch_url, course_id) as gb, contextlib.suppress(MissingEntry):
        gb.remove_submission(module, learner)


class _HeldGradebook:
    """Stands in for ``nbgrader.api.Gradebook(...)``: always the one held gradebook."""

    def __init__(self, gradebook: Any) -> None:
        self._gradebook = gradebook

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._gradebook


@contextlib.contextmanager
def held(db_url: str, course_id: str) -> Iterator[Any]:
    """A Gradebook whose commits wait until the block ends: all of it or nothing.

    Inside the block every ``Gradebook(...)`` that nbgrader's submission-recording code
    opens is this one, its ``commit()`` only flushes and ``close()`` does nothing. The
    transaction is committed when the block ends and rolled back if it raises.
    """
    import importlib

    from nbgrader.api import Gradebook

    gradebook = Gradebook(db_url, course_id)
    session = gradebook.db
    gradebook.close = lambda: None  # nbgrader's "with Gradebook(...)" must not end it
    session.commit = session.flush
    patched = [importlib.import_module(name) for name in _RECORDING_MODULES]
    saved = [module.Gradebook for module in patched]
    stand_in = _HeldGradebook(gradebook)
    for module in patched:
        module.Gradebook = stand_in
    try:
        yield gradebook
        del session.commit
        session.commit()
    except BaseException:
        with contextlib.suppress(Exception):
            session.rollback()
        raise
    finally:
        for module, original in zip(patched, saved, strict=True):
            module.Gradebook = original
        with contextlib.suppress(Exception):
            session.remove()
