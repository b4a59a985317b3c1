"""The one exception type the CLI turns into a one-line ``error: ...`` and exit code 2."""


class CourseError(Exception):
    """A problem the user can fix (bad path, unknown module, broken file).

    >>> str(CourseError("no workspace at /tmp/x"))
    'no workspace at /tmp/x'
    """
