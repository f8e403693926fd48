"""What the tests need to know about a lab, read from its one source (no numbers copied).

Tests that grade a lab end to end (the pipeline, the classroom, the attacks) expect scores:
these functions derive them from ``notebooks/source/<lab>/<lab>.md``, so a lab can gain or
lose exercises without the tests going stale.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "notebooks"))
from grader import labsource  # noqa: E402

MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


def _nbg(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def exercises(lab: str) -> dict[str, float]:
    """Each code answer cell (in order) and the points of the tests after it."""
    out: dict[str, float] = {}
    current = None
    for cell in labsource.read(lab).cells:
        meta = _nbg(cell)
        if meta.get("solution") and cell.cell_type == "code":
            current = meta["grade_id"]
            out[current] = 0.0
        elif meta.get("grade") and not meta.get("solution") and current:
            out[current] += float(meta["points"])
    return out


def code_answers(lab: str) -> list[str]:
    return list(exercises(lab))


def autograded_points(lab: str) -> float:
    """What a fully solved lab scores before any written answer is graded by hand."""
    return sum(exercises(lab).values())


def written_points(lab: str) -> float:
    return sum(
        float(_nbg(c)["points"])
        for c in labsource.read(lab).cells
        if c.cell_type == "markdown" and _nbg(c).get("solution")
    )


def points_before(lab: str, grade_id: str) -> float:
    """The points of the exercises before answer ``grade_id`` (what a submission keeps when
    its process dies in that answer)."""
    total = 0.0
    for gid, points in exercises(lab).items():
        if gid == grade_id:
            return total
        total += points
    raise KeyError(grade_id)


def solution(lab: str, grade_id: str) -> str:
    """The instructor's answer as a student who solved it would hand it in."""
    for cell in labsource.read(lab).cells:
        if _nbg(cell).get("grade_id") == grade_id:
            return "\n".join(line for line in cell.source.splitlines() if not MARKER.match(line))
    raise KeyError(grade_id)


def written_answers(lab: str) -> list[str]:
    """The grade ids of the written answers (Markdown cells graded by hand)."""
    return [
        _nbg(c)["grade_id"]
        for c in labsource.read(lab).cells
        if c.cell_type == "markdown" and _nbg(c).get("solution")
    ]
