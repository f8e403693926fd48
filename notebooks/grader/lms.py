"""The gradebook's grades as the files Canvas and Moodle import (``make grades``).

Both are read from nbgrader's gradebook (the system of record), one row per student, one
column per lab, the lab's total score (autograded points plus hand grades given so far; a
written answer not yet graded counts 0, as in nbgrader's own ``grades.csv``). A lab a student
did not hand in is left blank: both systems then leave that grade as it is.

``canvas.csv``, for Canvas's Gradebook > Import. Canvas finds a student by ``ID`` (its user
id, nbgrader's ``lms_user_id`` where the roster has it), else ``SIS User ID``, else ``SIS
Login ID``; it creates an assignment for each column it does not know, with the points of the
second row (``Points Possible``)::

    Student, ID, SIS User ID, SIS Login ID, Section, <lab>, <lab>, ...
    Points Possible, , , , , <max>, <max>, ...
    <Last, First>, <lms_user_id>, <student id>, <student id>, , <score>, ...

``moodle.csv``, for Moodle's Grades > Import > CSV file. On the import page, "Identify user
by" maps ``ID number`` to the user's ID number (or ``Email address`` to the email), and each
lab column to a grade item (or a new one)::

    ID number, Email address, First name, Last name, <lab>, <lab>, ...
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_COLUMNS = ["ID number", "Email address", "First name", "Last name"]


@dataclass
class Row:
    student: str
    first: str
    last: str
    email: str
    lms_id: str
    scores: dict[str, float]  # lab -> score, for the labs handed in


def read(db_url: str) -> tuple[dict[str, float], list[Row]]:
    """(lab -> points possible, one row per student) from the gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url, "diffprog") as gb:
        labs = {a.name: float(a.max_score) for a in sorted(gb.assignments, key=lambda a: a.name)}
        handed_in: dict[str, dict[str, float]] = {}  # student -> lab -> score
        for lab in labs:
            for sub in gb.assignment_submissions(lab):
                handed_in.setdefault(sub.student_id, {})[lab] = float(sub.score)
        rows = [
            Row(s.id, s.first_name or "", s.last_name or "", s.email or "",
                s.lms_user_id or "", handed_in.get(s.id, {}))
            for s in sorted(gb.students, key=lambda s: s.id)
        ]  # fmt: skip
    return labs, rows


def _number(x: float) -> str:
    return f"{x:g}"


def write(db_url: str, reports: Path) -> tuple[Path, Path]:
    labs, rows = read(db_url)
    canvas, moodle = reports / "canvas.csv", reports / "moodle.csv"
    with open(canvas, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(CANVAS_COLUMNS + list(labs))
        w.writerow(["Points Possible", "", "", "", ""] + [_number(m) for m in labs.values()])
        for r in rows:
            name = f"{r.last}, {r.first}" if r.last and r.first else r.last or r.first or r.student
            scores = [_number(r.scores[lab]) if lab in r.scores else "" for lab in labs]
            w.writerow([name, r.lms_id, r.student, r.student, ""] + scores)
    with open(moodle, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(MOODLE_COLUMNS + list(labs))
        for r in rows:
            scores = [_number(r.scores[lab]) if lab in r.scores else "" for lab in labs]
            w.writerow([r.student, r.email, r.first, r.last] + scores)
    return canvas, moodle
