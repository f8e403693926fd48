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

sys.path.insert(0, HERE)  # the grader package
from grader.refuse import InKernelGradingRefused  # noqa: E402

c.CourseDirectory.course_id = "diffprog"
c.CourseDirectory.root = HERE
c.CourseDirectory.db_url = os.environ.get(
    "DIFFPROG_DB_URL", "sqlite:///" + os.path.join(HERE, "gradebook.db")
)

# A lab's one source is source/<lab>/<lab>.md (with its solutions); nbgrader works on the
# <lab>.ipynb built from it (grader/labsource.py) and copies the lab's other files into the
# release: never the Markdown source. (nbgrader's own defaults, then "*.md".)
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "*.md"]

# What students see where a solution was: a stub that fails loudly until it is replaced.
c.ClearSolutions.code_stub = {"python": 'raise NotImplementedError("your code here")'}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
c.ClearSolutions.begin_solution_delimeter = "BEGIN SOLUTION"  # nbgrader's spelling
c.ClearSolutions.end_solution_delimeter = "END SOLUTION"

# Hidden tests are removed from the release; the grader reads them from source/.
c.ClearHiddenTests.begin_test_delimeter = "BEGIN HIDDEN TESTS"
c.ClearHiddenTests.end_test_delimeter = "END HIDDEN TESTS"
c.ClearHiddenTests.enforce_metadata = True

# Students are added to the gradebook the first time one of their submissions is graded.
c.Autograde.create_student = True

# Autograding is `make autograde` (tools/course.py autograde -> grader/grade.py): the
# student's cells run in a bubblewrap sandbox and the tests run in the grader, outside it.
# nbgrader's own `nbgrader autograde` would run the tests inside the student's kernel, where
# student code decides what they appear to output; it is refused here with that advice.
c.Autograde.autograde_preprocessors = [InKernelGradingRefused]

# Feedback shows visible tests and their failures, but hidden tests only as pass/fail with
# their points (tools/hidden_tests.py).
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    HideHiddenTests,
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

# A student's notebook is untrusted HTML as well as untrusted code (grader/sanitize.py): its
# markdown, outputs and metadata must not run in the browser of whoever reads the feedback,
# nor in the instructor's formgrader session. Both render through an HTMLExporter built from
# this file (generate_feedback with the list above; the formgrader when Jupyter is started in
# this folder), so the three lines below protect both:
# - SanitizeNotebook rewrites the notebook first: an exporter's configured preprocessors run
#   before nbgrader's own list, so before GetGrades adds the (trusted) scores and comments;
# - sanitize_html makes nbconvert drop JavaScript and widget outputs and clean HTML outputs;
# - the two filters clean the HTML the templates write (nbgrader's templates render markdown
#   without nbconvert's clean_html; and nbconvert's clean_html would escape <p>, <h1>, <img>).
from grader.safe_html import clean_html, safe_markdown2html  # noqa: E402
from grader.sanitize import SanitizeNotebook  # noqa: E402

c.HTMLExporter.preprocessors = [SanitizeNotebook]
c.HTMLExporter.sanitize_html = True
c.HTMLExporter.filters = {"clean_html": clean_html, "markdown2html": safe_markdown2html}
