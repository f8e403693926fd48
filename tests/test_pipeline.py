"""The instructor's pipeline end to end, on a batch of synthetic submissions.

``notebooks/tools/course.py`` is run as an instructor would run it (``collect``, then
``autograde`` in parallel, ``feedback``, ``export``), with the real nbgrader underneath, in a
scratch copy of the course. The batch holds, for lab 1 (six exercises of 2 points each):
correct, wrong, partial, looping, crashing (``os._exit``, a segfault), memory-hungry,
malformed (bad JSON, an old notebook format, a renamed file), tampered (an edited, a
deleted and a re-weighted test cell) and malicious submissions (writing to the gradebook,
reading the solutions, writing outside its folder, hiding tracebacks, replacing
``np.allclose``). Every grade is checked, and so is what the students get back.
``tests/test_attacks.py`` attacks the pipeline much harder; this module is its everyday use.
"""

from __future__ import annotations

import csv
import functools
import json
import os
import re
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbgrader")

sys.path.insert(0, str(Path(__file__).resolve().parent))
import labinfo  # noqa: E402
from course import copy_course  # noqa: E402
from lab_wrong_answers import WRONG_ANSWERS  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
LAB = "lab1-finite-differences"
FULL = labinfo.autograded_points(LAB)  # before written answers are graded by hand
ANSWERS = labinfo.code_answers(LAB)
POINTS = labinfo.exercises(LAB)  # answer grade id -> the points of its tests
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)


@functools.cache
def solution(grade_id: str) -> str:
    return labinfo.solution(LAB, grade_id)


def release():
    return nbformat.read(NOTEBOOKS / "release" / LAB / f"{LAB}.ipynb", as_version=4)


def cell_of(nb, grade_id):
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            return cell
    raise KeyError(grade_id)


def student_nb(answers: dict | None = None, done=ANSWERS):
    """The release with the solutions of ``done`` filled in, then ``answers`` applied."""
    nb = release()
    for gid in done:
        cell_of(nb, gid).source = solution(gid)
    for gid, text in (answers or {}).items():
        cell_of(nb, gid).source = text
    return nb


def with_prefix(gid: str, code: str) -> str:
    return code + "\n" + solution(gid)


# ----------------------------------------------------------------------------------------
# The batch: (file name in the hand-in folder, notebook or raw text, expected)
# ``expected`` is the total score, or a (low, high) range, and text the report must show.
# ----------------------------------------------------------------------------------------

WRONG_FD = WRONG_ANSWERS[LAB]["forward_difference"]
WRONG_FD = WRONG_FD[0] if isinstance(WRONG_FD, list) else WRONG_FD


def batch(course: Path):
    source_file = course / "source" / LAB / f"{LAB}.ipynb"
    gradebook = course / "gradebook.db"
    out = {}

    def add(student, nb, score, note=None, name=None):
        out[student] = (name or f"{student}/{LAB}.ipynb", nb, score, note)

    add("correct", student_nb(), FULL)
    nb = student_nb()  # a test cell as the notebook's very last cell
    nb.cells = nb.cells[: nb.cells.index(cell_of(nb, "test_complex_step")) + 1]
    add("ends_with_test", nb, FULL)
    lose_fd = FULL - POINTS["forward_difference"]
    add("wrong", student_nb({"forward_difference": WRONG_FD}), lose_fd)
    add("partial", student_nb(done=ANSWERS[:3]), sum(POINTS[g] for g in ANSWERS[:3]))
    add(
        "looping",
        student_nb({"best_step": "while True:\n    pass"}),
        FULL - POINTS["best_step"],
        "interrupted",
    )
    add(
        "crash_exit",
        student_nb({"step_errors": "import os\nos._exit(3)"}),
        labinfo.points_before(LAB, "step_errors"),
        "exited with code 3",
    )
    add(
        "crash_segv",
        student_nb({"richardson": "import faulthandler\nfaulthandler._sigsegv()"}),
        labinfo.points_before(LAB, "richardson"),
        "SIGSEGV",
    )
    add(
        "memory_bomb",
        student_nb(
            {
                "central_difference": with_prefix(
                    "central_difference",
                    "try:\n    x = b'x' * (8 * 2**30)\n"
                    "except MemoryError:\n    print('memory limit hit')",
                )
            }
        ),
        FULL,
    )
    # tampering: the tests are restored, so the wrong answers still lose their points
    nb = student_nb({"forward_difference": WRONG_FD})
    cell_of(nb, "test_forward_difference").source = "assert True"
    add("edited_test", nb, lose_fd, "was edited; the original was graded")
    nb = student_nb({"forward_difference": WRONG_FD})
    nb.cells.remove(cell_of(nb, "test_forward_difference"))
    add("deleted_test", nb, lose_fd, "was deleted; restored")
    nb = student_nb()
    cell_of(nb, "test_complex_step").metadata["nbgrader"]["points"] = 100
    add("reweighted_test", nb, FULL, "metadata was changed; restored")
    # malicious: each attempt prints "blocked" when refused; the answers are right
    attempts = {
        "gradebook": (
            f"import sqlite3\nsqlite3.connect({str(gradebook)!r}).execute('delete from grade')"
        ),
        "gradebook_file": f"open({str(gradebook)!r}, 'r+b').write(b'x')",
        "solutions": f"print(open({str(source_file)!r}).read()[:100])",
        "listing": f"import os\nprint(os.listdir({str(course / 'submitted')!r}))",
        "outside": f"open({str(ROOT / 'PWNED.txt')!r}, 'w').write('x')",
    }
    # allowed inside the sandbox (its own /tmp, its own processes), invisible outside it
    probe_inside = (
        "open('/tmp/diffprog-pwned.txt', 'w').write('x')\n"
        "import subprocess\nsubprocess.run(['touch', '/tmp/diffprog-pwned-2.txt'])\n"
    )
    probe = "\n".join(
        f"try:\n{_indent(code)}\n    print('ESCAPED {name}')\n"
        f"except Exception as e:\n    print('blocked {name}:', e)"
        for name, code in attempts.items()
    )
    add(
        "malicious_files",
        student_nb(
            {"forward_difference": with_prefix("forward_difference", probe + "\n" + probe_inside)}
        ),
        FULL,
    )
    # hiding tracebacks and replacing numpy in the student's process changes nothing: the
    # tests run in the grader, so the right answers score and the wrong one does not
    hide = "get_ipython().showtraceback = lambda *a, **k: None\n"
    add(
        "malicious_traceback",
        student_nb({"forward_difference": with_prefix("forward_difference", hide)}),
        FULL,
    )
    patch = (
        "import numpy as np\nnp.allclose = lambda *a, **k: True\n"
        "np.testing.assert_allclose = lambda *a, **k: None\n"
    )
    add("malicious_patch", student_nb({"forward_difference": patch + WRONG_FD}), lose_fd)
    # malformed and misnamed files
    add("bad_json", '{"cells": [', 0.0, "MALFORMED")
    add(
        "old_format",
        json.dumps({"nbformat": 3, "nbformat_minor": 0, "worksheets": []}),
        0.0,
        "MALFORMED",
    )
    add("renamed", student_nb(), FULL, None, name="renamed/My Lab 1 (final).ipynb")
    add(
        "flat",
        student_nb({"forward_difference": WRONG_FD}),
        lose_fd,
        None,
        name=f"flat_{LAB}.ipynb",
    )
    return out


def _indent(code: str) -> str:
    return "\n".join("    " + line for line in code.splitlines())


# ----------------------------------------------------------------------------------------
# Running the pipeline once for the whole module
# ----------------------------------------------------------------------------------------


def course_cmd(course: Path, *args, check=True, memory_mb=3072):
    env = dict(os.environ)
    env.pop("DIFFPROG_DB_URL", None)
    env["JUPYTER_CONFIG_DIR"] = str(course.parent / "jupyter-config")
    env["DIFFPROG_CELL_TIMEOUT"] = "15"
    env["DIFFPROG_MEMORY_MB"] = str(memory_mb)
    proc = subprocess.run(
        [sys.executable, str(course / "tools" / "course.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if check and proc.returncode:
        raise AssertionError(f"course.py {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pipeline")
    course = tmp / "notebooks"
    copy_course(course)
    for leftover in ("/tmp/diffprog-pwned.txt", "/tmp/diffprog-pwned-2.txt"):
        Path(leftover).unlink(missing_ok=True)
    course_cmd(course, "release", LAB)
    hand_in = tmp / "hand-in"
    expected = {}
    for student, (name, nb, score, note) in batch(course).items():
        path = hand_in / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(nb, str):
            path.write_text(nb)
        else:
            nbformat.write(nb, path)
        expected["flat" if student == "flat" else student] = (score, note)
    # a stray file that is not a notebook, and the whole folder as a zip
    (hand_in / "notes.txt").write_text("not a notebook")
    zip_path = tmp / "hand-in.zip"
    with zipfile.ZipFile(zip_path, "w") as z:
        for p in hand_in.rglob("*"):
            z.write(p, p.relative_to(hand_in))
    collect = course_cmd(course, "collect", str(zip_path))
    collect_again = course_cmd(course, "collect", str(zip_path))
    grade = course_cmd(course, "autograde", LAB, "--jobs", "2", check=False)
    grade_again = course_cmd(course, "autograde", LAB, check=False)
    feedback = course_cmd(course, "feedback", LAB)
    export = course_cmd(course, "export")
    return {
        "course": course,
        "expected": expected,
        "collect": collect,
        "collect_again": collect_again,
        "grade": grade,
        "grade_again": grade_again,
        "feedback": feedback,
        "export": export,
    }


def report(run) -> dict:
    with open(run["course"] / "reports" / "autograde.csv", newline="") as f:
        return {r["student"]: r for r in csv.DictReader(f)}


def grades(run) -> dict:
    with open(run["course"] / "reports" / "grades.csv", newline="") as f:
        return {r["student_id"]: float(r["score"]) for r in csv.DictReader(f)}


# ----------------------------------------------------------------------------------------
# The checks
# ----------------------------------------------------------------------------------------


def test_collect_places_every_notebook_and_reports_the_rest(run):
    out = run["collect"].stdout
    assert "notes.txt: not a notebook" in out, out
    placed = sorted(
        p.parent.parent.name for p in (run["course"] / "submitted").glob(f"*/{LAB}/{LAB}.ipynb")
    )
    assert placed == sorted(run["expected"]), placed
    assert "renamed from My Lab 1 (final).ipynb" in out
    assert "MALFORMED" in out


def test_collect_is_idempotent(run):
    out = run["collect_again"].stdout
    assert "placed" not in out.replace("NOT PLACED", "").replace("could not be placed", ""), out
    assert out.count("unchanged") == len(run["expected"]), out


def test_autograde_grades_every_submission(run):
    got = grades(run)
    rep = report(run)
    wrong = {
        s: (got.get(s), score)
        for s, (score, _) in run["expected"].items()
        if got.get(s) != pytest.approx(score)
    }
    assert not wrong, (
        f"(got, expected): {wrong}\n{run['grade'].stdout}\n{run['grade'].stderr[-3000:]}"
    )
    for student, (_, note) in run["expected"].items():
        text = rep[student]["status"] + " " + rep[student]["flags"]
        if note:
            assert note in text, f"{student}: the report says {text!r}, not {note!r}"
    assert run["grade"].returncode == 0, run["grade"].stdout


def test_untouched_submissions_are_not_reported_as_edited(run):
    """Only real tampering is reported: honest submissions (right, wrong, partial) carry no
    note at all, while the edited, deleted and re-weighted test cells are named."""
    rep = report(run)
    for student in ("correct", "wrong", "partial", "renamed", "ends_with_test"):
        assert rep[student]["flags"] == "", (student, rep[student]["flags"])
    assert "test_forward_difference" in rep["edited_test"]["flags"]
    assert "test_complex_step" in rep["reweighted_test"]["flags"]


def test_autograde_shows_progress_and_throughput(run):
    err = run["grade"].stderr
    assert f"{len(run['expected'])}/{len(run['expected'])}" in err, err[-2000:]
    assert "per minute" in run["grade"].stdout


def test_regrading_is_idempotent(run):
    assert "nothing to grade" in run["grade_again"].stdout, run["grade_again"].stdout
    assert run["grade_again"].returncode == 0


def test_malicious_attempts_are_blocked(run):
    nb = nbformat.read(
        run["course"] / "autograded" / "malicious_files" / LAB / f"{LAB}.ipynb", as_version=4
    )
    text = "".join(o.get("text", "") for o in cell_of(nb, "forward_difference").outputs)
    for name in ("gradebook", "gradebook_file", "solutions", "listing", "outside"):
        assert f"blocked {name}:" in text, text
    assert "ESCAPED" not in text, text
    assert not (ROOT / "PWNED.txt").exists()
    assert not Path("/tmp/diffprog-pwned.txt").exists()
    assert not Path("/tmp/diffprog-pwned-2.txt").exists()
    # the gradebook still has every student's grades
    con = sqlite3.connect(run["course"] / "gradebook.db")
    n = con.execute("select count(*) from grade").fetchone()[0]
    assert n > 0


def test_feedback_hides_hidden_tests(run):
    pages = sorted((run["course"] / "feedback").glob(f"*/{LAB}/{LAB}.html"))
    graded = [s for s, (_, note) in run["expected"].items() if note != "MALFORMED"]
    assert len(pages) == len(graded), (pages, run["feedback"].stdout)
    source = (run["course"] / "source" / LAB / f"{LAB}.ipynb").read_text()
    hidden_lines = set()
    nb = nbformat.reads(source, as_version=4)
    for cell in nb.cells:
        for block in HIDDEN.findall(cell.source):
            hidden_lines |= {
                ln.strip()
                for ln in block.splitlines()
                if len(ln.strip()) >= 12 and not ln.strip().startswith("#")
            }
    # lines that a student writes too (the solutions of the answer cells) are not a leak
    for cell in nb.cells:
        for block in re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", cell.source, re.S):
            hidden_lines -= {ln.strip() for ln in block.splitlines()}
    assert hidden_lines
    import html

    for page in pages:
        text = html.unescape(re.sub(r"<[^>]+>", "", page.read_text()))
        leaked = [ln for ln in hidden_lines if ln in text]
        assert not leaked, f"{page}: hidden test code in the feedback: {leaked[:3]}"
    wrong = html.unescape(
        re.sub(
            r"<[^>]+>", "", (run["course"] / "feedback" / "wrong" / LAB / f"{LAB}.html").read_text()
        )
    )
    assert "a visible test failed" in wrong or "a hidden test failed" in wrong, wrong[-3000:]


def test_export_writes_grades_and_summary(run):
    course = run["course"]
    assert (course / "reports" / "scores.png").stat().st_size > 1000
    summary = (course / "reports" / "summary.md").read_text()
    assert LAB in summary
    got = grades(run)
    assert got["correct"] == FULL


def test_grades_list_the_written_answers_left_to_grade_by_hand(run):
    """make grades counts the written answers' points in the maximum, lists every one still
    waiting for formgrader, and takes a hand grade into the total on the next export."""
    course = run["course"]
    written = labinfo.written_answers(LAB)
    assert written, f"{LAB} has no written answer"
    with open(course / "reports" / "ungraded.csv", newline="") as f:
        pending = {(r["student_id"], r["cell"]) for r in csv.DictReader(f)}
    assert {("correct", gid) for gid in written} <= pending
    summary = (course / "reports" / "summary.md").read_text()
    assert f"Written answers still to grade by hand (formgrader): {len(pending)}" in summary
    with open(course / "reports" / "grades.csv", newline="") as f:
        row = next(r for r in csv.DictReader(f) if r["student_id"] == "correct")
    assert float(row["max_score"]) == FULL + labinfo.written_points(LAB)

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "diffprog") as gb:
        grade = gb.find_grade(written[0], LAB, LAB, "correct")
        grade.manual_score = grade.max_score  # the instructor, as formgrader does
        grade.needs_manual_grade = False
        gb.db.commit()
        given = float(grade.max_score)
    course_cmd(course, "export")
    assert grades(run)["correct"] == FULL + given
    with open(course / "reports" / "ungraded.csv", newline="") as f:
        still = {(r["student_id"], r["cell"]) for r in csv.DictReader(f)}
    assert still == pending - {("correct", written[0])}


def test_a_sandbox_that_cannot_start_stops_grading(tmp_path):
    """Grading never goes on without isolation: when the sandbox cannot run the course's
    Python (here 1 MB of address space is too little for it), autograde stops before it
    grades anything and says why."""
    course = tmp_path / "notebooks"
    copy_course(course)
    course_cmd(course, "release", LAB)
    hand_in = tmp_path / "hand-in" / "ada" / f"{LAB}.ipynb"
    hand_in.parent.mkdir(parents=True)
    nbformat.write(student_nb(), hand_in)
    course_cmd(course, "collect", str(tmp_path / "hand-in"))
    proc = course_cmd(course, "autograde", LAB, check=False, memory_mb=1)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2, out
    assert "grading stopped" in out and "sandbox" in out, out
    assert not (course / "autograded").exists(), out
    with (
        open(course / "reports" / "autograde.csv", newline="")
        if (course / "reports" / "autograde.csv").exists()
        else open(os.devnull) as f
    ):
        assert "ada" not in f.read()
