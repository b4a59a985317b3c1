"""The course's side of nbgrader's exchange: publish modules and feedback, keep work private.

* :func:`publish` is ``wbcourse release MODULE --to-exchange``: nbgrader's own
  release_assignment, from the course's ``exercises/`` (the generated learner edition,
  checked for answer markers before anything is copied);
* :func:`release_feedback` is ``wbcourse feedback MODULE --to-exchange``: each learner's
  course feedback page goes out through nbgrader's release_feedback, under the name the
  learner's own fetch_feedback looks for (keyed by the secret of their submission);
* :func:`inbound` finds the submissions ``wbcourse collect MODULE --from exchange`` reads;
* :class:`PrivateSubmit` is the learners' submit: like nbgrader's, but what a learner
  hands in is readable by its author and the graders' group only (nbgrader's makes it
  world-readable and relies on the folder name being hard to guess).

Permissions nbgrader expects (and ``wbcourse hub init`` sets)::

    <exchange>/               root   1777  anyone may create a course folder, none remove another's
    <exchange>/<course>/      instructor:nbgrader-<course>  0750  the cohort only
        outbound/             instructor:formgrade-<course> 2755  released modules, read-only
        inbound/              instructor:formgrade-<course> 2773  learners drop, cannot list
        feedback/             instructor:formgrade-<course> 2711  fetched by secret name only
"""

from __future__ import annotations

import os
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path

from course import paths
from course.errors import CourseError
from course.grading.workspace import Workspace

#: nbgrader's default exchange root, used when a workspace's config names none.
DEFAULT_ROOT = "/usr/local/share/nbgrader/exchange"
ROOT_MODE = 0o1777
COURSE_MODE = 0o750
OUTBOUND_MODE = 0o2755
INBOUND_MODE = 0o2773
FEEDBACK_MODE = 0o2711
#: a submission: its author and the graders' group (set-group-id inbound) only
PRIVATE_DIR_MODE = 0o770
PRIVATE_FILE_MODE = 0o640
#: text that only an instructor's notebook holds; a release containing it is refused
ANSWER_MARKERS = ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "BEGIN MARK SCHEME")


def check_root(root: Path) -> None:
    """The exchange root exists with the permissions nbgrader needs (``1777``).

    >>> import tempfile; d = Path(tempfile.mkdtemp()); os.chmod(d, 0o755)
    >>> check_root(d)
    Traceback (most recent call last):
    ...
    course.errors.CourseError: the exchange folder ... has mode 0755; nbgrader needs 1777 ...
    """
    try:
        st = root.stat()
    except FileNotFoundError as exc:
        raise CourseError(f"no exchange folder at {root}") from exc
    if not stat.S_ISDIR(st.st_mode):
        raise CourseError(f"the exchange {root} is not a folder")
    mode = stat.S_IMODE(st.st_mode)
    if mode & ROOT_MODE != ROOT_MODE:
        raise CourseError(f"the exchange folder {root} has mode {mode:04o}; nbgrader needs 1777 "
                          f"(everyone may write, sticky): chmod 1777 {root}")


def exchange_of(ws: Workspace) -> tuple[Path, str]:
    """(exchange root, course id) from the workspace's ``nbgrader_config.py``."""
    config = ws.config()
    root = str(config.Exchange.get("root", "") or DEFAULT_ROOT) \
        if "Exchange" in config else DEFAULT_ROOT
    course_id = str(config.CourseDirectory.get("course_id", "") or "")
    if not course_id:
        raise CourseError(f"{ws.root}/nbgrader_config.py sets no c.CourseDirectory.course_id")
    return Path(root), course_id


def course_folder(ws: Workspace) -> tuple[Path, str]:
    """``<exchange>/<course>`` of the workspace's course, which must exist."""
    root, course_id = exchange_of(ws)
    check_root(root)
    folder = root / course_id
    if not folder.is_dir():
        raise CourseError(f"unknown course id {course_id!r}: the exchange {root} has no folder "
                          f"{course_id} (set up the hub with 'wbcourse hub init', or fix "
                          "c.CourseDirectory.course_id)")
    return folder, course_id


def inbound(ws: Workspace, module: str) -> Path:
    """The inbound folder ``collect --from exchange`` reads, once ``module`` was published."""
    folder, course_id = course_folder(ws)
    if not (folder / "outbound" / module).is_dir():
        raise CourseError(f"{module} is not released to the exchange of {course_id} (no "
                          f"{folder / 'outbound' / module}): run 'wbcourse release {module} "
                          f"--to-exchange --workspace {ws.root}' first")
    box = folder / "inbound"
    if not os.access(box, os.R_OK | os.X_OK):
        raise CourseError(f"cannot list {box}: collect as the instructor who owns it")
    return box


def answer_leaks(folder: Path) -> list[str]:
    """Files under ``folder`` that contain an answer marker (relative paths)."""
    leaks = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if any(marker in text for marker in ANSWER_MARKERS):
            leaks.append(str(path.relative_to(folder)))
    return leaks


def _nbgrader(ws: Workspace, module: str, **coursedir: str):
    """(config, CourseDirectory, Authenticator, ExchangeFactory) for one module."""
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange import ExchangeFactory

    config = ws.config()
    config.CourseDirectory.assignment_id = module
    for key, value in coursedir.items():
        setattr(config.CourseDirectory, key, value)
    config.Application.log_level = "WARN"
    return (config, CourseDirectory(config=config), Authenticator(config=config),
            ExchangeFactory(config=config))


def check_publishable(ws: Workspace, module: str, *, force: bool = False) -> None:
    """Cheap checks before publishing: the module is released, the exchange is ready."""
    source = paths.exercises_dir() / module
    if not any(source.glob("*.ipynb")):
        raise CourseError(f"{module} is not released: {source} holds no notebook "
                          f"(run 'wbcourse release {module}')")
    folder, course_id = course_folder(ws)
    if (folder / "outbound" / module).exists() and not force:
        raise CourseError(f"{module} is already in the exchange of {course_id}; add --force "
                          "to replace it (learners keep the copies they fetched)")


def publish(ws: Workspace, module: str, *, force: bool = False) -> Path:
    """Release ``exercises/<module>`` to the exchange with nbgrader; return where it went."""
    from nbgrader.exchange import ExchangeError

    check_publishable(ws, module, force=force)
    source = paths.exercises_dir() / module
    leaks = answer_leaks(source)
    if leaks:
        raise CourseError(f"refusing to publish {module}: {leaks[0]} holds answer markers "
                          "(exercises/ must come from 'wbcourse release')")
    folder, _ = course_folder(ws)
    dest = folder / "outbound" / module
    config, coursedir, auth, factory = _nbgrader(
        ws, module, release_directory=str(paths.exercises_dir()))
    releaser = factory.ReleaseAssignment(coursedir=coursedir, authenticator=auth,
                                         config=config)
    releaser.force = force
    try:
        releaser.start()
    except ExchangeError as exc:
        raise CourseError(f"nbgrader could not release {module}: {exc}") from exc
    return dest


@dataclass
class FeedbackRelease:
    """What :func:`release_feedback` sent out."""

    module: str
    released: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Summary lines.

        >>> print("\\n".join(FeedbackRelease("08-x", ["ada"], [("bob", "no page")]).lines()))
        released feedback on 08-x to the exchange for 1 learner(s): ada
          skipped bob: no page
        """
        out = [f"released feedback on {self.module} to the exchange for "
               f"{len(self.released)} learner(s): {', '.join(self.released) or '-'}"]
        out += [f"  skipped {who}: {why}" for who, why in self.skipped]
        return out


STAGING = Path(".wbcourse") / "feedback-release"


def release_feedback(ws: Workspace, module: str, learners: list[str] | None = None
                     ) -> FeedbackRelease:
    """Send each learner's ``feedback/<learner>/<module>/index.html`` out as nbgrader feedback.

    nbgrader names released feedback after a hash of the submission's secret and the
    notebook's name, so only the learner who holds that submission can fetch it. The page
    goes out once per notebook of the submission (a module has one).
    """
    from nbgrader.exchange import ExchangeError

    course_folder(ws)  # the exchange and the course exist
    result = FeedbackRelease(module)
    staging = ws.root / STAGING
    shutil.rmtree(staging, ignore_errors=True)
    wanted = learners or sorted(p.name for p in ws.feedback.iterdir()
                                if (p / module / "index.html").is_file()) \
        if ws.feedback.is_dir() else []
    try:
        for learner in wanted:
            reason = _stage(ws, module, learner, staging / learner / module)
            if reason:
                result.skipped.append((learner, reason))
            else:
                result.released.append(learner)
        if not result.released:
            return result
        config, coursedir, auth, factory = _nbgrader(
            ws, module, feedback_directory=str(STAGING))
        releaser = factory.ReleaseFeedback(coursedir=coursedir, authenticator=auth,
                                           config=config)
        try:
            releaser.start()
        except ExchangeError as exc:
            raise CourseError(f"nbgrader could not release feedback on {module}: {exc}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return result


def _stage(ws: Workspace, module: str, learner: str, dest: Path) -> str | None:
    """Lay out one learner's page as nbgrader's release_feedback expects; or say why not."""
    page = ws.feedback / learner / module / "index.html"
    submission = ws.submitted / learner / module
    if not page.is_file():
        return f"no feedback page (run 'wbcourse feedback {module}' first)"
    secret = submission / "submission_secret.txt"
    stamp = submission / "timestamp.txt"
    if not secret.is_file() or not stamp.is_file():
        return "this submission did not come through the exchange (no submission secret)"
    notebooks = sorted(p.stem for p in submission.glob("*.ipynb"))
    if not notebooks:
        return "no notebook in the submission"
    dest.mkdir(parents=True)
    for name in (secret.name, stamp.name):
        shutil.copyfile(submission / name, dest / name)
    for stem in notebooks:
        target = dest / f"{stem}.html"
        shutil.copyfile(page, target)
        os.chmod(target, 0o644)  # the learner reads it; its name is the secret
    return None


def _import_submit():
    from nbgrader.exchange.default.submit import ExchangeSubmit

    return ExchangeSubmit


class PrivateSubmit(_import_submit()):  # type: ignore[misc]
    """nbgrader's submit, leaving the copy in ``inbound`` to its author and the graders.

    The inbound folder is set-group-id and owned by the graders' group, so a submission
    gets that group; its folders become ``0770`` and its files ``0640``. Other learners
    can neither list inbound nor open a submission whose name they learn.
    """

    def _in_inbound(self, path: str) -> bool:
        inbound_path = getattr(self, "inbound_path", "")
        return bool(inbound_path) and os.path.abspath(path).startswith(
            os.path.abspath(inbound_path) + os.sep)

    def do_copy(self, src, dest, log=None):  # noqa: D102 (nbgrader's signature)
        if not self._in_inbound(dest):
            return super().do_copy(src, dest, log)
        # nbgrader's copytree would copy the folder modes over the set-group-id bit that
        # makes every file of the submission (timestamp and secret too) the graders'
        size = self.get_size(src)
        if size > 1000 * self.coursedir.max_dir_size:
            raise RuntimeError(f"Directory size is too big. Size is {size}, maximum size is "
                               f"{1000 * self.coursedir.max_dir_size}")
        from nbgrader.utils import ignore_patterns

        ignore = ignore_patterns(exclude=self.coursedir.ignore, include=self.coursedir.include,
                                 max_file_size=self.coursedir.max_file_size, log=self.log)
        _copy_keeping_group(src, dest, ignore)
        return None

    def set_perms(self, dest, fileperms, dirperms):  # noqa: D102
        if self._in_inbound(dest):
            fileperms, dirperms = PRIVATE_FILE_MODE, PRIVATE_DIR_MODE
        super().set_perms(dest, fileperms, dirperms)

    def copy_files(self):  # noqa: D102
        super().copy_files()
        # nbgrader opens the submission folder to everyone (0777) so its instructor can
        # delete it later; the graders' group can do that already
        os.chmod(os.path.join(self.inbound_path, self.assignment_filename), PRIVATE_DIR_MODE)


def _copy_keeping_group(src: str, dest: str, ignore) -> None:
    """Copy a folder tree without copying folder modes (new folders keep set-group-id)."""
    os.mkdir(dest)
    names = os.listdir(src)
    skipped = ignore(src, names) if ignore else set()
    for name in sorted(set(names) - set(skipped)):
        source, target = os.path.join(src, name), os.path.join(dest, name)
        if os.path.islink(source):
            continue
        if os.path.isdir(source):
            _copy_keeping_group(source, target, ignore)
        elif os.path.isfile(source):
            shutil.copyfile(source, target)
