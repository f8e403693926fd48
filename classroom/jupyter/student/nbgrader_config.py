"""nbgrader on a student's server of the course's JupyterHub.

``classroom/jupyterhub_config.py`` puts this folder on ``JUPYTER_CONFIG_PATH`` for every
student, so their Assignments tab and the ``nbgrader`` command line (fetch, submit,
fetch_feedback) use the course's exchange. Which nbgrader tools a student sees is set by the
course's ``jupyter/`` folder, which comes after this one (students' tools only).
"""

import os

c = get_config()  # noqa: F821  (nbgrader provides get_config)

c.CourseDirectory.course_id = "diffprog"
c.Exchange.root = os.environ.get("DIFFPROG_EXCHANGE", "/srv/nbgrader/exchange")
