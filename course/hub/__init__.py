"""Workshops on a real JupyterHub with nbgrader's exchange (``wbcourse hub``).

* :mod:`course.hub.roster` reads and checks a cohort's roster and course id;
* :mod:`course.hub.accounts` creates and removes Unix accounts and groups (root only),
  undoing everything it created when a later step fails;
* :mod:`course.hub.layout` decides where every file of a hub setup lives;
* :mod:`course.hub.config` renders ``jupyterhub_config.py``, the nbgrader configuration
  of each role and the lab extensions each role sees;
* :mod:`course.hub.setup` is ``wbcourse hub init``: one cohort's hub, all or nothing;
* :mod:`course.hub.env` builds the environment learners run from (no answers in it);
* :mod:`course.hub.start` is ``wbcourse hub start``: checks, then JupyterHub;
* :mod:`course.hub.exchange` publishes modules and feedback to nbgrader's exchange and
  makes submissions readable by the graders only.

Nothing heavy is imported here.
"""
