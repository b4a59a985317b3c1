"""A cohort's roster (``username,name,email``) and its course id, checked before anything.

Usernames become Unix accounts, JupyterHub users and nbgrader student ids at once, so
only names all three accept are allowed: lower-case letters, digits, ``_`` and ``-``,
starting with a letter, at most 32 characters.

>>> r = parse_roster("username,name,email\\nada,Ada Okafor,ada@example.org\\n")
>>> [(p.username, p.first_name, p.last_name) for p in r]
[('ada', 'Ada', 'Okafor')]
>>> check_course_id("wb-2025q1")
'wb-2025q1'
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from course.errors import CourseError

#: Unix (Debian's default NAME_REGEX), JupyterHub and nbgrader all accept these names.
USERNAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
#: ``formgrade-{course}`` must stay a valid 32-character Unix group name.
COURSE_ID = re.compile(r"^[a-z][a-z0-9_-]{0,21}$")
REQUIRED_COLUMNS = ("username", "name", "email")
_EMAIL = re.compile(r"^[^@\s,]+@[^@\s,]+$")


@dataclass(frozen=True)
class Person:
    """One line of the roster."""

    username: str
    name: str = ""
    email: str = ""

    @property
    def first_name(self) -> str:
        return self.name.split(" ", 1)[0] if self.name else ""

    @property
    def last_name(self) -> str:
        return self.name.split(" ", 1)[1] if " " in self.name else ""


def check_username(name: str, where: str = "username") -> str:
    """Return ``name`` if it is a usable account name, else raise a one-line error.

    >>> check_username("grace_h")
    'grace_h'
    >>> check_username("Grace")
    Traceback (most recent call last):
    ...
    course.errors.CourseError: username 'Grace' is not a valid account name (lower-case ...
    """
    if not USERNAME.match(name or ""):
        raise CourseError(f"{where} {name!r} is not a valid account name (lower-case letters, "
                          "digits, '_' and '-', starting with a letter, at most 32 characters)")
    return name


def check_course_id(course: str) -> str:
    """Return ``course`` if it can name the cohort's groups and exchange folder.

    >>> check_course_id("Course 101")
    Traceback (most recent call last):
    ...
    course.errors.CourseError: course id 'Course 101' is not valid (lower-case letters, ...
    """
    if not COURSE_ID.match(course or ""):
        raise CourseError(f"course id {course!r} is not valid (lower-case letters, digits, "
                          "'_' and '-', starting with a letter, at most 22 characters)")
    return course


def parse_roster(text: str, source: str = "roster") -> list[Person]:
    """People in a CSV roster with the header ``username,name,email``.

    Duplicate or invalid usernames, a missing column and an empty roster are one-line
    errors naming the line.

    >>> parse_roster("username,name,email\\nada,,\\nada,,\\n", "r.csv")
    Traceback (most recent call last):
    ...
    course.errors.CourseError: r.csv line 3: duplicate username 'ada' (first on line 2)
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise CourseError(f"{source}: the header must be 'username,name,email' "
                          f"(missing: {', '.join(missing)})")
    reader.fieldnames = header
    seen: dict[str, int] = {}
    people = []
    for row in reader:
        line = reader.line_num
        values = {k: (v or "").strip() for k, v in row.items() if k is not None}
        if not any(values.values()):
            continue
        username = values.get("username", "")
        check_username(username, f"{source} line {line}: username")
        if username in seen:
            raise CourseError(f"{source} line {line}: duplicate username {username!r} "
                              f"(first on line {seen[username]})")
        seen[username] = line
        email = values.get("email", "")
        if email and not _EMAIL.match(email):
            raise CourseError(f"{source} line {line}: {email!r} is not an e-mail address")
        people.append(Person(username, values.get("name", ""), email))
    if not people:
        raise CourseError(f"{source}: the roster lists nobody")
    return people


def read_roster(path: Path) -> list[Person]:
    """:func:`parse_roster` on a file, with a one-line error when it cannot be read."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise CourseError(f"no such roster file: {path}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise CourseError(f"cannot read the roster {path}: {exc}") from exc
    return parse_roster(text, str(path))


def check_cohort(course: str, instructor: str, people: list[Person]) -> None:
    """The course id and instructor are valid and the instructor is not also a learner."""
    check_course_id(course)
    check_username(instructor, "instructor")
    if any(p.username == instructor for p in people):
        raise CourseError(f"the instructor {instructor!r} is also on the roster of learners")
