"""Build nbgrader source notebooks from Python: one small function per kind of cell.

A lab's generator (``notebooks/tools/lab<N>_<name>.py``) lists its cells with these
helpers and writes ``notebooks/source/<lab>/<lab>.ipynb``; nbgrader then makes the
student version from it (``make release``). The cell metadata is exactly what nbgrader
0.9's "Create Assignment" toolbar writes:

- ``md``/``code``: read-only instructions or setup ("Read-only": locked, no points);
- ``answer``: an "Autograded answer" cell, with the solution between
  ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (nbgrader replaces it by a stub);
- ``tests``: an "Autograded tests" cell with points: visible asserts first, then the
  hidden ones between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``.

An exercise is one ``answer`` cell followed by its ``tests`` cell(s); ``tests/test_labs.py``
relies on that order. Cell ids are the grade ids, so regenerating gives identical files.
Run a generator to rewrite its notebook, e.g. ``python notebooks/tools/lab1_finite_differences.py``.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import nbformat

NOTEBOOKS = Path(__file__).resolve().parent.parent
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


def _text(source: str) -> str:
    return textwrap.dedent(source).strip("\n")


def _meta(grade_id: str, *, grade: bool, solution: bool, locked: bool, points=None) -> dict:
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def md(grade_id: str, source: str):
    """A read-only Markdown cell (instructions)."""
    cell = nbformat.v4.new_markdown_cell(_text(source), id=grade_id)
    cell.metadata = _meta(grade_id, grade=False, solution=False, locked=True)
    return cell


def code(grade_id: str, source: str):
    """A read-only code cell (setup, a self-check call, a demonstration)."""
    cell = nbformat.v4.new_code_cell(_text(source), id=grade_id)
    cell.metadata = _meta(grade_id, grade=False, solution=False, locked=True)
    return cell


def answer(grade_id: str, source: str):
    """An autograded answer cell: the student's code, the solution between the markers."""
    cell = nbformat.v4.new_code_cell(_text(source), id=grade_id)
    cell.metadata = _meta(grade_id, grade=False, solution=True, locked=False)
    return cell


def tests(grade_id: str, points: int, source: str):
    """An autograded tests cell worth ``points``: visible asserts, then hidden tests."""
    text = _text(source)
    if "### BEGIN HIDDEN TESTS" not in text:
        raise ValueError(f"{grade_id}: every tests cell needs hidden tests")
    cell = nbformat.v4.new_code_cell(text, id=grade_id)
    cell.metadata = _meta(grade_id, grade=True, solution=False, locked=True, points=points)
    return cell


def notebook(cells: list):
    """A notebook of these cells, for the python3 kernel."""
    ids = [c.id for c in cells]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"duplicate grade ids: {dupes}")
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata = {
        "kernelspec": dict(KERNELSPEC),
        "language_info": {"name": "python", "pygments_lexer": "ipython3"},
    }
    nbformat.validate(nb)
    return nb


def source_path(lab: str) -> Path:
    return NOTEBOOKS / "source" / lab / f"{lab}.ipynb"


def main(lab: str, build) -> None:
    """Write ``build()`` to the lab's source notebook (what a generator's __main__ calls)."""
    path = source_path(lab)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(build(), path)
    print(f"wrote {path.relative_to(NOTEBOOKS.parent)}", file=sys.stderr)


_AUTODIFF_OFF = r'''

class _AutodiffOff:
    """Within `with _AutodiffOff():`, autodiff_lite cannot differentiate."""

    names = [
        (ad.transforms, "_vjp_flat"),
        (ad.transforms, "_jvp_flat"),
        (ad.tensor, "backward"),
{extra_names}    ]

    def __enter__(self):
        def refuse(*args, **kwargs):
            raise RuntimeError(
{message}
            )

        self.saved = [getattr(module, name) for module, name in self.names]
        for module, name in self.names:
            setattr(module, name, refuse)

    def __exit__(self, *exc):
        for (module, name), saved in zip(self.names, self.saved):
            setattr(module, name, saved)
'''


def autodiff_off(message_lines: list[str], extra_names: list[str] = ()) -> str:
    """Source of ``_AutodiffOff``, which hidden tests use to switch off autodiff_lite's
    differentiation while a student's code runs (so calling ``ad.vjp`` is not an answer).

    ``message_lines`` are the string literals of the error a student sees;
    ``extra_names`` more ``(module, "name")`` entries to switch off.
    """
    return _AUTODIFF_OFF.replace(
        "{extra_names}", "".join(f"        {n},\n" for n in extra_names)
    ).replace("{message}", "\n".join(f"                {line}" for line in message_lines))
