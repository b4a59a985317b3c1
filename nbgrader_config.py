"""nbgrader configuration: this repository is itself an nbgrader course.

``solutions/`` is the source directory and ``exercises/`` the release directory, so
``nbgrader generate_assignment MODULE`` here writes what ``wbcourse release`` writes.
"""

from course.nbconfig import configure

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)
configure(c, source="solutions", release="exercises")
