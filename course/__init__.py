"""working-backwards-course: graded notebooks on Working Backwards and promotion readiness.

Importing :mod:`course` is cheap: heavy libraries (matplotlib, nbgrader, ipywidgets)
are imported only inside the functions that need them.

>>> import course
>>> course.__version__
'0.1.0'
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
