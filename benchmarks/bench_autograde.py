"""Lab autograding throughput, and what the two grading boundaries cost per submission.

A scratch copy of the course, ``n`` copies of lab 1's solved notebook as ``n`` students,
graded by ``notebooks/tools/course.py autograde`` with one job, with one job per core, on a
local Dask cluster of N worker processes (``--scheduler``; N = 1, 2, ... up to the cores, as
on a real cluster: ``grader/cluster.py``), and (for comparison only) with one job per core
and ``--unsafe-no-sandbox``. The Dask figures include the client's connection and the
workers' sandbox check; the cluster's start is not counted. Scaling efficiency: the rate on
N workers over N times the rate on one. Each submission
runs in its own bubblewrap sandbox, with the tests in the grader (``notebooks/grader/``).
Reported as submissions per minute and the parallel speed-up, plus the per-submission cost
of each boundary measured in one process:

- ``sandbox_start_ms``: starting a sandboxed runner (bwrap, Python, IPython) until it answers,
  against the same runner started without isolation;
- ``harness_ms``: grading one solved lab-1 notebook with the harness (student cells in the
  runner, tests in the grader over the wire), against running the same cells and tests,
  hidden ones included, in one plain process (what in-kernel grading does, minus nbgrader).

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


def _start_ms(isolate: bool, repeat: int = 8) -> float:
    sys.path.insert(0, str(ROOT / "notebooks"))
    from grader import sandbox

    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        proc = sandbox.Process(1, sandbox.Limits(), isolate)
        proc.hello({})
        times.append(time.perf_counter() - t0)
        proc.stop()
    return 1000 * sorted(times)[len(times) // 2]


def _harness_ms(repeat: int = 5) -> tuple[float, float]:
    sys.path.insert(0, str(ROOT / "notebooks"))
    import contextlib
    import io

    from grader import harness

    source = nbformat.read(ROOT / "notebooks" / "source" / LAB / f"{LAB}.ipynb", as_version=4)
    graded, plain = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = harness.grade(source, "bench", LAB, slot=1)
        graded.append(time.perf_counter() - t0)
        full = sum(test.points for test in harness.lab(LAB).tests.values())
        assert sum(result.scores.values()) == full, result.scores
        t0 = time.perf_counter()
        namespace: dict = {}
        sys.path.insert(0, str(ROOT / "notebooks" / "release" / LAB))
        with contextlib.redirect_stdout(io.StringIO()):
            for cell in source.cells:
                if cell.cell_type == "code":
                    exec(cell.source, namespace)  # noqa: S102 - our own lab
        sys.path.pop(0)
        plain.append(time.perf_counter() - t0)
    return 1000 * sorted(graded)[repeat // 2], 1000 * sorted(plain)[repeat // 2]


def _worker_counts(cores: int) -> list[int]:
    return sorted({1, 2, cores} | ({4, 8} & set(range(cores))))


def _on_dask(course: Path, workers: int) -> float:
    """Seconds to grade every submission on a local Dask cluster of ``workers`` processes
    (one thread each), started for the purpose; its workers import the scratch course's
    grader, as a real cluster's workers import their copy of the course."""
    from distributed import LocalCluster

    sys.path.insert(0, str(course))  # the workers' processes start with this path
    try:
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster:  # fmt: skip
            return _course_py(
                course, "autograde", LAB, "--force", "--scheduler", cluster.scheduler_address
            )
    finally:
        sys.path.remove(str(course))


def throughput(n: int = 16) -> dict:
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
        unsafe = _course_py(
            course, "autograde", LAB, "--jobs", str(jobs), "--force", "--unsafe-no-sandbox"
        )
        dask = {w: n / _on_dask(course, w) * 60 for w in _worker_counts(jobs)}
    sandboxed_ms, bare_ms = _start_ms(True), _start_ms(False)
    harness_ms, plain_ms = _harness_ms()
    return {
        "lab": LAB,
        "submissions": n,
        "jobs": jobs,
        "sandboxed": True,
        "serial_s": serial,
        "parallel_s": parallel,
        "serial_per_min": 60 * n / serial,
        "parallel_per_min": 60 * n / parallel,
        "speedup": serial / parallel,
        "unsafe_parallel_per_min": 60 * n / unsafe,
        "dask_per_min": dask,
        "dask_efficiency": {w: rate / (w * dask[1]) for w, rate in dask.items()},
        "sandbox_start_ms": sandboxed_ms,
        "unsandboxed_start_ms": bare_ms,
        "sandbox_overhead_ms": sandboxed_ms - bare_ms,
        "harness_ms": harness_ms,
        "in_process_ms": plain_ms,
        "harness_over_in_process": harness_ms / plain_ms,
    }


if __name__ == "__main__":
    result = throughput(int(sys.argv[1]) if len(sys.argv) > 1 else 16)
    for key, value in result.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}: {v:.3g}" for k, v in value.items())
        print(f"{key:>24}: {value:.3g}" if isinstance(value, float) else f"{key:>24}: {value}")
