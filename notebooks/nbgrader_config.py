"""nbgrader configuration for the differentiable-programming course ("diffprog").

nbgrader reads this file when it runs in this folder (``cd notebooks && nbgrader ...``).
Nothing here is specific to one machine: the course root is this file's folder, and the
gradebook database comes from the environment, so the same file serves a laptop
(SQLite, the default) and a large course on JupyterHub (PostgreSQL).

    export DIFFPROG_DB_URL=postgresql://grader@db.example.org/diffprog   # optional
"""

import os
import sys

c = get_config()  # noqa: F821  (nbgrader provides get_config)

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "tools"))
from hidden_tests import HideHiddenTests  # noqa: E402
from sandbox import SandboxedExecute  # noqa: E402

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
CELL_TIMEOUT_S = int(os.environ.get("DIFFPROG_CELL_TIMEOUT", "60"))
c.ExecutePreprocessor.timeout = CELL_TIMEOUT_S
c.Execute.timeout = CELL_TIMEOUT_S
c.Execute.interrupt_on_timeout = True
# Two waits that are not about the student's code, made generous for busy machines (a
# class graded in parallel): nbclient's defaults are 60 s for a kernel to start and 4 s for
# a cell's last output to arrive after its reply, and nbgrader treats that second wait
# running out as an error of the notebook (the sandbox would then stop grading it).
c.Execute.startup_timeout = 120
c.Execute.iopub_timeout = 30

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

# Student code is untrusted. Autograding runs it in a fenced-in kernel (tools/sandbox.py):
# resource limits, a clean environment, the user `nobody` when grading as root, and an audit
# hook that refuses reads of this course folder (solutions, gradebook, other students' work)
# and of `protected` below, writes outside the submission's folder, processes and network. A
# kernel that dies is reported in the notebook and grading goes on; a test cell after student
# code replaced a test helper (np.allclose, IPython's traceback display, ...) gets no points.
c.Autograde.autograde_preprocessors = [  # nbgrader 0.9's list, with Execute replaced
    SandboxedExecute,
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
REPO = os.path.dirname(HERE)
c.SandboxedExecute.protected_paths = [HERE, os.path.join(REPO, "tests")] + [
    p for p in os.environ.get("DIFFPROG_PROTECT", "").split(os.pathsep) if p
]
c.SandboxedExecute.report_dir = os.environ.get(
    "DIFFPROG_REPORT_DIR", os.path.join(HERE, "reports", "kernels")
)
c.SandboxedExecute.memory_mb = int(os.environ.get("DIFFPROG_MEMORY_MB", "4096"))

# Feedback shows visible tests and their failures, but hidden tests only as pass/fail with
# their points (tools/hidden_tests.py).
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    HideHiddenTests,
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
