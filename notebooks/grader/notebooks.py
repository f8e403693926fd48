"""Reading notebooks and knowing the labs: what every grading step needs.

A lab is a folder ``notebooks/source/<lab>/`` holding ``<lab>.md`` (the instructor's
version: solutions, visible and hidden tests; see ``labsource``); its student version is
``notebooks/release/<lab>/<lab>.ipynb``. Cells carry nbgrader's metadata
(``metadata.nbgrader``): ``grade_id``, and ``solution``/``grade``/``points`` flags.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from pathlib import Path

import nbformat

from . import labsource

COURSE = Path(__file__).resolve().parent.parent
REPORTS = COURSE / "reports"
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")


def say(*parts) -> None:
    print(*parts, flush=True)


def labs() -> list[str]:
    """Every lab of the course, by folder name (``lab1-finite-differences``, ...)."""
    return labsource.labs()


def nbg(cell) -> dict:
    """A cell's nbgrader metadata ({} for an ordinary cell)."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def is_answer(cell) -> bool:
    return bool(nbg(cell).get("solution"))


def is_test(cell) -> bool:
    """A graded cell that is not an answer: an autograded test cell."""
    meta = nbg(cell)
    return bool(meta.get("grade")) and not meta.get("solution") and cell.cell_type == "code"


def grade_ids(nb) -> list[str]:
    return [nbg(c)["grade_id"] for c in nb.get("cells", []) if nbg(c).get("grade_id")]


@functools.cache  # read once per run: collect and grading consult every lab's release often
def release_nb(lab: str):
    return nbformat.read(COURSE / "release" / lab / f"{lab}.ipynb", as_version=4)


@functools.cache
def source_nb(lab: str):
    """The instructor's notebook, read from the lab's one source (``labsource``): the
    hidden tests the grader runs come from here."""
    return labsource.read(lab)


def digest(data: bytes) -> str:
    """The version of a submission: what decides whether it is graded again."""
    return hashlib.sha256(data).hexdigest()


def read_submission(path: Path):
    """``(notebook, None)`` or ``(None, reason)`` for a file that is not a valid notebook."""
    return parse_submission(path.read_bytes())


def parse_submission(data: bytes):
    """``read_submission`` for a notebook's bytes (collect and grading read them once)."""
    try:
        text = data.decode("utf-8")
        raw = json.loads(text)
    except UnicodeDecodeError:
        return None, "not a text file (is it really a .ipynb notebook?)"
    except json.JSONDecodeError as e:
        return None, f"not valid JSON (line {e.lineno}, column {e.colno}): the file is damaged"
    except RecursionError:
        return None, "nested too deeply to be a notebook"
    if not isinstance(raw, dict) or "cells" not in raw and "worksheets" not in raw:
        return None, "valid JSON but not a notebook (no cells)"
    major = raw.get("nbformat")
    if major != 4:
        return None, (
            f"notebook format {major}, but the course uses format 4: open it in JupyterLab "
            "and save it again"
        )
    try:
        nb = nbformat.reads(text, as_version=4)  # multi-line sources joined
        nbformat.validate(nb)
    except Exception as e:  # noqa: BLE001 - any validation failure is reported as such
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        return None, f"not a valid notebook: {first[:200]}"
    return nb, None


def which_lab(nb, name: str) -> str | None:
    """The lab a notebook belongs to: from its file name, else from its graded cells."""
    for lab in labs():
        if lab in name:
            return lab
    if nb is None:
        return None
    ids = set(grade_ids(nb))
    best, best_share = None, 0.0
    for lab in labs():
        if not (COURSE / "release" / lab / f"{lab}.ipynb").is_file():
            continue  # not released yet
        want = set(grade_ids(release_nb(lab)))
        share = len(ids & want) / max(1, len(want))
        if share > best_share:
            best, best_share = lab, share
    return best if best_share >= 0.5 else None
