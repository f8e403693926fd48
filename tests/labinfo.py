"""What the tests need to know about a lab, read from its one source (no numbers copied).

Tests that grade a lab end to end (the pipeline, the classroom, the attacks) expect scores:
these functions derive them from ``notebooks/source/<lab>/<lab>.md`` (through
``notebooks/tools/labstats.py``, which counts a lab's exercises for the instructor too), so a
lab can gain or lose exercises without the tests going stale.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
sys.path.insert(0, str(NOTEBOOKS))
sys.path.insert(0, str(NOTEBOOKS / "tools"))
import labstats  # noqa: E402
from grader import labsource  # noqa: E402

MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


def _kinds(lab: str) -> dict[str, tuple[str, float]]:
    return labstats.exercises(labsource.read(lab))


def exercises(lab: str) -> dict[str, float]:
    """Each code answer cell (in order) and the points of the tests after it."""
    return {gid: points for gid, (kind, points) in _kinds(lab).items() if kind != "written"}


def code_answers(lab: str) -> list[str]:
    return list(exercises(lab))


def autograded_points(lab: str) -> float:
    """What a fully solved lab scores before any written answer is graded by hand."""
    return sum(exercises(lab).values())


def written_answers(lab: str) -> list[str]:
    """The grade ids of the written answers (Markdown cells graded by hand)."""
    return [gid for gid, (kind, _) in _kinds(lab).items() if kind == "written"]


def written_points(lab: str) -> float:
    return sum(points for kind, points in _kinds(lab).values() if kind == "written")


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
        if cell.metadata["nbgrader"].get("grade_id") == grade_id:
            return "\n".join(line for line in cell.source.splitlines() if not MARKER.match(line))
    raise KeyError(grade_id)
