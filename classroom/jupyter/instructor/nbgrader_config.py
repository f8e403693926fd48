"""nbgrader on an instructor's server of the course's JupyterHub.

``classroom/jupyterhub_config.py`` puts this folder on ``JUPYTER_CONFIG_PATH`` for the
instructors. The course folder is the instructor's copy of ``notebooks/``, ``~/diffprog``
unless ``DIFFPROG_COURSE`` names another; its own ``nbgrader_config.py`` (the gradebook,
``DIFFPROG_DB_URL``, the sanitizer every HTML view of a student's notebook goes through) is
loaded from here, so the formgrader, which starts in the home folder, uses it too.
"""

import os

c = get_config()  # noqa: F821  (nbgrader provides get_config)

c.CourseDirectory.course_id = "diffprog"
c.Exchange.root = os.environ.get("DIFFPROG_EXCHANGE", "/srv/nbgrader/exchange")

COURSE = os.environ.get("DIFFPROG_COURSE", os.path.expanduser("~/diffprog"))
if os.path.isfile(os.path.join(COURSE, "nbgrader_config.py")):
    load_subconfig(os.path.join(COURSE, "nbgrader_config.py"))  # noqa: F821
