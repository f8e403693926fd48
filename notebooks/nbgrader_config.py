"""nbgrader configuration for the differentiable-programming course ("diffprog").

nbgrader reads this file when it runs in this folder (``cd notebooks && nbgrader ...``).
Nothing here is specific to one machine: the course root is this file's folder, and the
gradebook database comes from the environment, so the same file serves a laptop
(SQLite, the default) and a large course on JupyterHub (PostgreSQL).

    export DIFFPROG_DB_URL=postgresql://grader@db.example.org/diffprog   # optional
"""

import os

c = get_config()  # noqa: F821  (nbgrader provides get_config)

HERE = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.course_id = "diffprog"
c.CourseDirectory.root = HERE
c.CourseDirectory.db_url = os.environ.get(
    "DIFFPROG_DB_URL", "sqlite:///" + os.path.join(HERE, "gradebook.db")
)

# Autograding runs each notebook in a fresh kernel. A cell that runs longer than this is
# interrupted, recorded as an error (0 points for a test cell), and grading goes on with the
# next cell, so one endless loop cannot stall a whole class. Our labs run in seconds.
# nbgrader's Execute preprocessor subclasses nbconvert's ExecutePreprocessor and declares
# its own timeout, so the limit is set on both.
CELL_TIMEOUT_S = 60
c.ExecutePreprocessor.timeout = CELL_TIMEOUT_S
c.Execute.timeout = CELL_TIMEOUT_S
c.Execute.interrupt_on_timeout = True

# What students see where a solution was: a stub that fails loudly until it is replaced.
c.ClearSolutions.code_stub = {"python": 'raise NotImplementedError("your code here")'}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
c.ClearSolutions.begin_solution_delimeter = "BEGIN SOLUTION"  # nbgrader's spelling
c.ClearSolutions.end_solution_delimeter = "END SOLUTION"

# Hidden tests are removed from the release and restored from the gradebook at grading.
c.ClearHiddenTests.begin_test_delimeter = "BEGIN HIDDEN TESTS"
c.ClearHiddenTests.end_test_delimeter = "END HIDDEN TESTS"
c.ClearHiddenTests.enforce_metadata = True

# Students are added to the gradebook the first time one of their submissions is graded.
c.Autograde.create_student = True
