"""Lab autograding throughput: the grading pipeline serial against parallel.

A scratch copy of the course, ``n`` copies of lab 1's solved notebook as ``n`` students,
graded by ``notebooks/tools/course.py autograde`` once with one job and once with one job
per core (each submission is a real ``nbgrader autograde`` run in the sandboxed kernel).
Reported as submissions per minute and the parallel speed-up.

    python -m benchmarks.bench_autograde [n]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "notebooks" / "tools"))
from course import copy_course  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LAB = "lab1-finite-differences"


def _solved(course: Path):
    source = nbformat.read(course / "source" / LAB / f"{LAB}.ipynb", as_version=4)
    solutions = {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in source.cells
        if c.metadata.get("nbgrader", {}).get("solution")
    }
    nb = nbformat.read(course / "release" / LAB / f"{LAB}.ipynb", as_version=4)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in solutions:
            cell.source = solutions[gid]
    return nb


def _course_py(course: Path, *args) -> float:
    env = {k: v for k, v in os.environ.items() if k != "DIFFPROG_DB_URL"}
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, str(course / "tools" / "course.py"), *args],
        check=True,
        capture_output=True,
        env=env,
    )
    return time.perf_counter() - t0


def throughput(n: int = 8) -> dict:
    jobs = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="bench-grade-") as tmp:
        course = Path(tmp) / "notebooks"
        copy_course(course)
        _course_py(course, "release", LAB)
        nb = _solved(course)
        for i in range(n):
            dest = course / "submitted" / f"student{i:02d}" / LAB
            dest.mkdir(parents=True)
            nbformat.write(nb, dest / f"{LAB}.ipynb")
        serial = _course_py(course, "autograde", LAB, "--jobs", "1", "--force")
        parallel = _course_py(course, "autograde", LAB, "--jobs", str(jobs), "--force")
    return {
        "lab": LAB,
        "submissions": n,
        "jobs": jobs,
        "serial_s": serial,
        "parallel_s": parallel,
        "serial_per_min": 60 * n / serial,
        "parallel_per_min": 60 * n / parallel,
        "speedup": serial / parallel,
    }


if __name__ == "__main__":
    result = throughput(int(sys.argv[1]) if len(sys.argv) > 1 else 8)
    for key, value in result.items():
        print(f"{key:>18}: {value:.3g}" if isinstance(value, float) else f"{key:>18}: {value}")
