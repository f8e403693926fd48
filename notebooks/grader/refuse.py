"""Refuses ``nbgrader autograde``: in-kernel grading is what this course moved away from.

nbgrader's own autograde runs the test cells inside the student's kernel, where student code
can decide what a test cell appears to output (publish its own result, hook IPython, wrap the
kernel's messages). ``nbgrader_config.py`` replaces its preprocessors with this one, which
stops with the command to use instead: ``make autograde`` (``tools/course.py autograde``),
which runs the student's cells in a sandbox and the tests outside it (``grade.py``).
"""

from nbconvert.preprocessors import Preprocessor


class InKernelGradingRefused(Preprocessor):
    def preprocess(self, nb, resources):
        raise RuntimeError(
            "nbgrader autograde is switched off for this course: it would run the tests in "
            "the student's kernel. Grade with `make autograde` (tools/course.py autograde), "
            "which runs student code in a sandbox and the tests outside it."
        )
