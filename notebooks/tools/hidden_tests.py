"""Feedback without the hidden tests: a preprocessor for ``nbgrader generate_feedback``.

nbgrader makes a student's feedback from the autograded notebook, which holds the hidden
tests (restored from the gradebook for grading). Left alone, the feedback would show their
code, and a failing hidden test's traceback would show the lines around the failure. This
preprocessor runs before the HTML is written and, in every autograder test cell:

- keeps the visible tests and replaces the hidden block by one comment line;
- keeps a failure of a visible test, reduced to the failing line and the message;
- reports a failure inside the hidden block only as "a hidden test failed", with the
  cell's points, never its message (which may quote hidden inputs or expected values).

``notebooks/nbgrader_config.py`` puts it in ``GenerateFeedback.preprocessors``, so plain
``nbgrader generate_feedback`` uses it too.
"""

from __future__ import annotations

import re

from nbconvert.preprocessors import Preprocessor
from nbformat.notebooknode import NotebookNode
from traitlets import Bool

BEGIN, END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
CELL_LINE = re.compile(r"Cell In\s*\[(\d*)\], line (\d+)")


def visible_part(source: str) -> tuple[str, int | None]:
    """The source up to the hidden block, and the (1-based) line where that block starts."""
    lines = source.split("\n")
    for i, line in enumerate(lines):
        if line.strip() == BEGIN:
            return "\n".join(lines[:i]).rstrip("\n"), i + 1
    return source, None


def failing_line(error, execution_count) -> int | None:
    """The line of the test cell where an error was raised, read from its traceback
    (the last frame in this cell, ``Cell In[<its execution count>], line N``)."""
    text = ANSI.sub("", "\n".join(error.get("traceback", [])))
    found = [int(n) for count, n in CELL_LINE.findall(text) if count == str(execution_count)]
    return found[-1] if found else None


class HideHiddenTests(Preprocessor):
    """Remove hidden tests, and what their failures would reveal, from feedback."""

    enabled = Bool(True, help="nbconvert runs a preprocessor only when it is enabled")

    def preprocess_cell(self, cell, resources, index):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
            return cell, resources
        source = cell.source
        visible, hidden_from = visible_part(source)
        if hidden_from is None:
            return cell, resources
        points = meta.get("points", 0)
        cell.source = (
            visible + f"\n# (hidden tests for this exercise, {points} point(s): not shown)"
        )
        outputs = []
        for out in cell.get("outputs", []):
            if out.get("output_type") != "error":
                outputs.append(out)
                continue
            line = failing_line(out, cell.get("execution_count"))
            if line is not None and line < hidden_from:
                code = source.split("\n")[line - 1].strip()
                message = f"{out.get('ename', 'Error')}: {out.get('evalue', '')}"
                text = f"a visible test failed at line {line}: {code}\n{message}"
            elif out.get("ename") in ("KernelDied", "NotRun", "TamperedEnvironment"):
                text = f"{out.get('ename')}: {out.get('evalue', '')}"
            else:
                text = (
                    "a hidden test failed (this cell scores 0 of "
                    f"{points}). Test your code on more inputs than the visible tests use."
                )
            outputs.append(
                NotebookNode(
                    output_type="error",
                    ename=out.get("ename", "Error"),
                    evalue="",
                    traceback=[text],
                )
            )
        cell.outputs = outputs
        return cell, resources
