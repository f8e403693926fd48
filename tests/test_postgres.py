"""The whole pipeline against a real PostgreSQL gradebook, with graders writing at once.

The test starts PostgreSQL itself (Debian's ``postgresql`` package: ``initdb`` into a
temporary folder, ``pg_ctl start`` on 127.0.0.1 and a free port, run by ``nobody`` when the
tests run as root; ``tests/servers.py``) and points the course at it with
``DIFFPROG_DB_URL``. Then, as an instructor would: ``release`` two labs, ``collect`` a
folder of hand-ins, ``autograde`` both labs in two runs at the same time (two writers on one
database, on the same students), a hand grade written as formgrader writes it, ``feedback``
and ``export`` (nbgrader's ``grades.csv``, and the Canvas and Moodle files). Every grade is
checked in the database and in each export; no SQLite file appears.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
psycopg2 = pytest.importorskip("psycopg2")
pytest.importorskip("nbgrader")

sys.path.insert(0, str(Path(__file__).resolve().parent))
import labinfo  # noqa: E402
from course import copy_course  # noqa: E402
from servers import postgres  # noqa: E402

LAB1, LAB2 = "lab1-finite-differences", "lab2-dual-numbers"
NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def solved(lab: str, done: list[str]):
    nb = nbformat.read(NOTEBOOKS / "release" / lab / f"{lab}.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") in done:
            cell.source = labinfo.solution(lab, cell.metadata["nbgrader"]["grade_id"])
    return nb


def course_py(course: Path, url: str, *args, wait=True):
    env = dict(os.environ, DIFFPROG_DB_URL=url, DIFFPROG_CELL_TIMEOUT="30")
    env["JUPYTER_CONFIG_DIR"] = str(course.parent / "jupyter-config")
    argv = [sys.executable, str(course / "tools" / "course.py"), *args]
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)  # fmt: skip
    if not wait:
        return proc
    out, _ = proc.communicate(timeout=1200)
    assert proc.returncode == 0, f"course.py {' '.join(args)} failed:\n{out[-4000:]}"
    return out


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_the_pipeline_on_postgresql(tmp_path):
    course = tmp_path / "notebooks"
    copy_course(course)
    answers = {lab: labinfo.code_answers(lab) for lab in (LAB1, LAB2)}
    hand_ins = {  # (student, lab): (answers done, expected autograded score)
        ("ada", LAB1): answers[LAB1],
        ("bob", LAB1): answers[LAB1][:2],
        ("cy", LAB1): [],
        ("ada", LAB2): answers[LAB2],
        ("bob", LAB2): answers[LAB2][:1],
        ("dee", LAB2): answers[LAB2],
    }
    expected = {
        key: sum(labinfo.exercises(key[1])[gid] for gid in done) for key, done in hand_ins.items()
    }
    with postgres() as url:
        course_py(course, url, "release", LAB1, LAB2)
        folder = tmp_path / "hand-in"
        for (student, lab), done in hand_ins.items():
            (folder / student).mkdir(parents=True, exist_ok=True)
            nbformat.write(solved(lab, done), folder / student / f"{lab}.ipynb")
        course_py(course, url, "collect", str(folder))
        # two graders at once, one per lab, writing the same students into one database
        runs = [course_py(course, url, "autograde", lab, "--jobs", "1", wait=False)
                for lab in (LAB1, LAB2)]  # fmt: skip
        for run in runs:
            out, _ = run.communicate(timeout=1200)
            assert run.returncode == 0, out[-4000:]
        # a hand grade for ada's written answer in lab 1, as formgrader records it
        from nbgrader.api import Gradebook

        written = labinfo.written_answers(LAB1)[0]
        with Gradebook(url, "diffprog") as gb:
            grade = gb.find_grade(written, LAB1, LAB1, "ada")
            grade.manual_score, grade.needs_manual_grade = grade.max_score, False
            gb.db.commit()
            expected[("ada", LAB1)] += float(grade.max_score)
        course_py(course, url, "feedback", LAB1, LAB2)
        course_py(course, url, "export")

        # the grades are in PostgreSQL, one submission row per hand-in
        with psycopg2.connect(url.replace("+psycopg2", "")) as db, db.cursor() as cur:
            cur.execute(
                "select s.student_id, a.name from submitted_assignment s "
                "join assignment a on a.id = s.assignment_id"
            )
            rows = sorted(cur.fetchall())
        assert rows == sorted(expected), rows
        with Gradebook(url, "diffprog") as gb:
            in_db = {key: float(gb.find_submission(key[1], key[0]).score) for key in expected}
            points = {lab: float(gb.find_assignment(lab).max_score) for lab in (LAB1, LAB2)}
    assert in_db == pytest.approx(expected)
    assert not list(course.glob("*.db")), "a SQLite gradebook was written"

    reports = course / "reports"
    exported = {
        (r["student_id"], r["assignment"]): float(r["score"])
        for r in read_csv(reports / "grades.csv")
        if (r["student_id"], r["assignment"]) in expected
    }
    assert exported == pytest.approx(expected)
    pages = {(p.parents[1].name, p.parent.name) for p in (course / "feedback").glob("*/*/*.html")}
    assert pages == set(expected), pages

    # Canvas: the documented header, the points possible, one row per student
    canvas = list(csv.reader(open(reports / "canvas.csv", newline="", encoding="utf-8")))
    labs = canvas[0][5:]
    assert canvas[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert {LAB1, LAB2} <= set(labs)
    assert canvas[1][0] == "Points Possible"
    assert {lab: float(v) for lab, v in zip(labs, canvas[1][5:])}[LAB1] == points[LAB1]
    students = {"ada", "bob", "cy", "dee"}
    by_student = {row[2]: dict(zip(labs, row[5:])) for row in canvas[2:]}
    assert set(by_student) == students
    for (student, lab), score in expected.items():
        assert float(by_student[student][lab]) == pytest.approx(score)
    assert by_student["cy"][LAB2] == "" and by_student["dee"][LAB1] == ""  # not handed in

    # Moodle: an identifier column (ID number) and one column per lab
    moodle = read_csv(reports / "moodle.csv")
    assert list(moodle[0])[:4] == ["ID number", "Email address", "First name", "Last name"]
    got = {(r["ID number"], lab): r[lab] for r in moodle for lab in labs}
    for (student, lab), score in expected.items():
        assert float(got[(student, lab)]) == pytest.approx(score)
    assert got[("cy", LAB2)] == ""
