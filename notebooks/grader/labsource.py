"""A lab's one source: ``notebooks/source/<lab>/<lab>.md``, a MyST Markdown notebook.

Labs are written the way the lessons are: a jupytext MyST notebook that opens as a notebook
in JupyterLab and diffs as text. Each cell carries nbgrader's metadata, exactly what
nbgrader's *Create Assignment* toolbar writes (``grade_id``, ``solution``, ``grade``,
``points``, ``locked``), so an instructor edits a test, a solution or a rubric in one place:

- read-only text: ``+++ {"nbgrader": {..., "locked": true, ...}}`` before a Markdown cell;
- code: a ```` ```{code-cell} ipython3 ```` block with the metadata as YAML at its top;
- an *Autograded answer* holds its solution between ``### BEGIN SOLUTION`` and
  ``### END SOLUTION``; an *Autograded tests* cell has points, visible asserts, then hidden
  tests between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``;
- a *Manually graded answer* (a written explanation) is a Markdown cell with ``solution`` and
  ``grade`` true and its points; its rubric, for the grader, is the model answer between
  ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (removed from the release).

``build(lab)`` writes nbgrader's ``<lab>.ipynb`` next to it (generated, not committed);
``make release`` then makes the student version from that. nbgrader copies a lab's other
files into the release, but not ``*.md`` (``nbgrader_config.py``), so the source with its
solutions never reaches students. Cell ids are the grade ids, so a build is reproducible.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path

import nbformat

COURSE = Path(__file__).resolve().parent.parent
SOURCE = COURSE / "source"
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
REQUIRED = ("grade", "grade_id", "locked", "schema_version", "solution", "task")


class LabSourceError(ValueError):
    """A lab's Markdown source that nbgrader could not use; the message says how to fix it."""


def path(lab: str) -> Path:
    return SOURCE / lab / f"{lab}.md"


def labs() -> list[str]:
    """Every lab of the course: the folders of ``source/`` that hold ``<lab>.md``."""
    return sorted(p.name for p in SOURCE.iterdir() if (p / f"{p.name}.md").is_file())


def read(lab: str):
    """The lab as an nbformat notebook, checked: every cell has nbgrader metadata and a
    unique grade id (the cell's id too), points where it is graded. (A fresh copy each
    time: callers may change it.)"""
    where = path(lab)
    if not where.is_file():
        raise LabSourceError(f"no lab source {where}: a lab is source/<lab>/<lab>.md")
    return copy.deepcopy(_parse(where, where.stat().st_mtime_ns))


@functools.lru_cache(maxsize=64)
def _parse(where: Path, mtime_ns: int):
    import jupytext

    nb = jupytext.read(where, fmt="md:myst")
    seen = set()
    for k, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader")
        if not isinstance(meta, dict) or any(key not in meta for key in REQUIRED):
            raise LabSourceError(
                f"{_at(where, k, cell)}: every cell of a lab needs nbgrader metadata with "
                f"{', '.join(REQUIRED)}; "
                'for read-only text write +++ {"nbgrader": {"grade": false, "grade_id": '
                '"a-name", "locked": true, "schema_version": 3, "solution": false, '
                '"task": false}} above it (or use Create Assignment in JupyterLab)'
            )
        gid = meta["grade_id"]
        if gid in seen:
            raise LabSourceError(
                f"{_at(where, k, cell)}: grade id {gid!r} is used twice; ids must be unique"
            )
        seen.add(gid)
        if meta.get("grade") and not meta.get("points"):
            raise LabSourceError(f"{_at(where, k, cell)}: a graded cell needs points")
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cell.id = gid
        cell.metadata = {"nbgrader": meta}
    nb.metadata = {
        "kernelspec": dict(KERNELSPEC),
        "language_info": {"name": "python", "pygments_lexer": "ipython3"},
    }
    nb.nbformat, nb.nbformat_minor = 4, 5
    nbformat.validate(nb)
    return nb


def _at(where: Path, k: int, cell) -> str:
    """Where a bad cell is, for an error message: the file, its number, its first line."""
    first = cell.source.strip().splitlines()[0][:60] if cell.source.strip() else "(empty)"
    return f"{where.name}, cell {k + 1} ({first!r})"


def build(lab: str) -> Path:
    """Write nbgrader's ``source/<lab>/<lab>.ipynb`` from the Markdown source (only when it
    changed, so nbgrader's timestamps stay put)."""
    out = SOURCE / lab / f"{lab}.ipynb"
    text = nbformat.writes(read(lab)) + "\n"
    if not out.is_file() or out.read_text(encoding="utf-8") != text:
        out.write_text(text, encoding="utf-8")
    return out


def build_all(only=None) -> list[Path]:
    return [build(lab) for lab in (only or labs())]
