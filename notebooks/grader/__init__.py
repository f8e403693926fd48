"""The grading side of the course: one module per step, each with one job.

``notebooks.py`` reads notebooks and knows the labs; ``collect.py`` puts hand-ins into
nbgrader's layout, ``exchange.py`` does the same for nbgrader's exchange, and ``place.py``
writes what they accept into the course; ``sandbox.py`` builds the OS sandbox (bubblewrap) a
submission runs in; ``wire.py`` is the plain-data protocol between the sandbox and the grader;
``runner.py`` is the program inside the sandbox; ``harness.py`` runs the lab's tests in the
trusted grader process; ``grade.py`` grades a batch and writes the gradebook; ``sanitize.py``
makes student output safe to show (with ``safe_html.py``, one HTML allowlist); ``export.py``
writes the student-facing repository; ``shortcuts.py`` finds forbidden library calls in the
source; ``refuse.py`` turns nbgrader's in-kernel autograde away.

The command line is ``notebooks/tools/course.py`` (the Makefile's ``collect``, ``autograde``,
``feedback`` and ``grades`` call it).
"""
