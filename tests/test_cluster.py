"""Autograding on a real Dask cluster (``grader/cluster.py``), with its faults.

A ``dask scheduler`` and two ``dask worker`` processes are started on 127.0.0.1 for a scratch
copy of the course; ``course.py autograde --scheduler`` grades lab 1 submissions on them.

- A worker killed (SIGKILL) while it grades: every submission is still graded, with the
  right score, and written once (``reports/autograde-ledger.csv``: one line per write).
- The scheduler killed mid-run: the run stops with exit code 3 and says what to do; the
  re-run (here on this machine, no scheduler) grades what is left and a changed
  resubmission, and regrades nothing graded and unchanged.

Shown to fail without its protection (by hand): with ``Book.save`` keeping the state in
memory only (as before, when the state was written at the end of a run), the re-run after
the lost scheduler rewrote an unchanged, already graded submission, and the second test
failed with "written more than once" (2026-12-07).
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
distributed = pytest.importorskip("distributed")
pytest.importorskip("nbgrader")

sys.path.insert(0, str(Path(__file__).resolve().parent))
from course import copy_course  # noqa: E402
from servers import DaskServer, free_port, wait_for  # noqa: E402
from test_pipeline import FULL, LAB, POINTS, WRONG_FD, course_cmd, student_nb  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LOSE_FD = FULL - POINTS["forward_difference"]


def hand_in(course: Path, students: dict) -> dict:
    """Put each student's notebook into submitted/ (as collect does); their expected scores."""
    expected = {}
    for student, wrong in students.items():
        dest = course / "submitted" / student / LAB
        dest.mkdir(parents=True, exist_ok=True)
        nb = student_nb({"forward_difference": WRONG_FD} if wrong else None)
        nbformat.write(nb, dest / f"{LAB}.ipynb")
        expected[student] = LOSE_FD if wrong else FULL
    return expected


def ledger(course: Path) -> list[dict]:
    path = course / "reports" / "autograde-ledger.csv"
    if not path.exists():
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def gradebook_scores(course: Path) -> dict[str, float]:
    """Each student's lab-1 score, and the number of submission rows, from the gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "diffprog") as gb:
        subs = gb.assignment_submissions(LAB)
        assert len({s.student_id for s in subs}) == len(subs), "two rows for one student"
        return {s.student_id: float(s.score) for s in subs}


def autograde_in_background(course: Path, *args) -> tuple[subprocess.Popen, Path]:
    out = course.parent / f"autograde-{len(list(course.parent.glob('autograde-*')))}.log"
    env = {k: v for k, v in os.environ.items() if k != "DIFFPROG_DB_URL"}
    env["DIFFPROG_CELL_TIMEOUT"] = "30"
    proc = subprocess.Popen(
        [sys.executable, str(course / "tools" / "course.py"), "autograde", LAB, *args],
        env=env,
        stdout=open(out, "w"),
        stderr=subprocess.STDOUT,
    )
    return proc, out


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cluster")
    course = tmp / "notebooks"
    copy_course(course)
    course_cmd(course, "release", LAB)
    path = [course, ROOT]  # the workers' grader is the scratch course's
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    servers = {"scheduler": DaskServer.scheduler(port, path, tmp / "scheduler.log")}
    for name in ("w1", "w2"):
        servers[name] = DaskServer.worker(address, name, path, tmp / f"{name}.log")
    client = distributed.Client(address, timeout=120)
    try:
        client.wait_for_workers(2, timeout=300)
        yield {"course": course, "address": address, "servers": servers, "client": client}
    finally:
        client.close(timeout=10)
        for server in servers.values():
            server.stop()


def test_a_worker_killed_mid_batch_loses_no_grade_and_grades_nothing_twice(cluster):
    course, client = cluster["course"], cluster["client"]
    expected = hand_in(course, {f"k{i}": i % 3 == 1 for i in range(8)})
    proc, log = autograde_in_background(course, "--scheduler", cluster["address"])

    def a_worker_busy_after_a_write():
        assert proc.poll() is None, log.read_text()[-4000:]
        if not ledger(course):
            return None
        busy = [w for w, keys in client.processing().items() if keys]
        return busy[0] if busy else None

    busy = wait_for(a_worker_busy_after_a_write, 600, "a first grade and a busy worker")
    name = client.scheduler_info(n_workers=-1)["workers"][busy]["name"]
    cluster["servers"][name].kill()  # the worker process, while it grades
    assert proc.wait(timeout=900) == 0, log.read_text()[-4000:]
    assert gradebook_scores(course) == pytest.approx(expected), log.read_text()[-4000:]
    rows = ledger(course)
    writes = Counter((r["student"], r["version"]) for r in rows)
    assert sorted(s for s, _ in writes) == sorted(expected), rows
    assert set(writes.values()) == {1}, f"written more than once: {writes}"
    assert {r["status"] for r in rows} == {"graded"}, rows


def test_a_lost_scheduler_stops_the_run_and_a_rerun_continues(cluster):
    course = cluster["course"]
    before = len(ledger(course))
    expected = hand_in(course, {f"s{i}": i % 2 == 1 for i in range(8)})
    proc, log = autograde_in_background(course, "--scheduler", cluster["address"])

    def two_grades():  # one to hand in again, changed; one to stay as it is
        assert proc.poll() is None, log.read_text()[-4000:]
        return len(ledger(course)) >= before + 2

    wait_for(two_grades, 600, "two grades of the new batch", poll=0.05)
    cluster["servers"]["scheduler"].kill()
    assert proc.wait(timeout=300) == 3, log.read_text()[-4000:]
    out = log.read_text()
    assert "went away" in out and cluster["address"] in out, out[-3000:]
    assert "re-run the same command" in out, out[-3000:]
    graded_first = {r["student"]: r["version"] for r in ledger(course)[before:]}
    assert 2 <= len(graded_first) < len(expected), graded_first
    # one of the graded students hands in again, changed: now wrong (or now right)
    changed = sorted(graded_first)[0]
    expected.update(hand_in(course, {changed: expected[changed] == FULL}))
    rerun = course_cmd(course, "autograde", LAB, "--jobs", "2")
    rows = ledger(course)[before:]
    writes = Counter((r["student"], r["version"]) for r in rows)
    assert set(writes.values()) == {1}, f"written more than once: {writes}\n{rerun.stdout}"
    regraded = {r["student"] for r in ledger(course)[before + len(graded_first) :]}
    assert regraded == (set(expected) - set(graded_first)) | {changed}, rerun.stdout
    scores = gradebook_scores(course)
    assert {s: scores[s] for s in expected} == pytest.approx(expected)
    assert all(s.startswith(("k", "s")) for s in scores)
