"""Autograding a batch: every new or changed submission, in parallel, one sandbox each.

``autograde`` finds the submissions under ``submitted/<student>/<lab>/<lab>.ipynb`` (refusing
symbolic links and anything that is not a regular file), skips those graded before and
unchanged since (``reports/autograde-state.json``), and grades the rest in a pool of worker
processes, one per core. Each worker grades one submission at a time with ``harness.grade``
(its own sandbox, its own uid); the results come back as data, and this process alone
writes them, one at a time, into nbgrader's gradebook (through nbgrader's API) and
``autograded/`` (``book.py``). With a Dask scheduler's address, the same jobs go to that
cluster's workers instead (``cluster.py``), and this process is still the one writer.
A submission that cannot be graded is reported with its reason and the batch goes on.
Before anything runs, ``check_sandbox`` proves that the sandbox works (on a cluster: on
every worker): if it does not, grading stops with the reason.
"""

from __future__ import annotations

import multiprocessing
import os
import stat
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from . import harness, sandbox
from .book import Book, report
from .notebooks import COURSE, REPORTS, STUDENT_ID, digest, labs, parse_submission, say

MAX_NOTEBOOK_BYTES = 20 * 2**20


# ----------------------------------------------------------------------------------------
# Finding the submissions
# ----------------------------------------------------------------------------------------


def _regular(path: Path) -> str | None:
    """Why ``path`` (and the folders to it from the course) is not a plain file, or None."""
    rel = path.relative_to(COURSE)
    at = COURSE
    for part in rel.parts:
        at = at / part
        mode = os.lstat(at).st_mode
        if stat.S_ISLNK(mode):
            return f"{at.relative_to(COURSE)} is a symbolic link"
    if not stat.S_ISREG(mode):
        return "not a regular file"
    if os.lstat(path).st_size > MAX_NOTEBOOK_BYTES:
        return f"larger than {MAX_NOTEBOOK_BYTES // 2**20} MB"
    return None


def _read(path: Path) -> bytes:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as f:
        return f.read(MAX_NOTEBOOK_BYTES + 1)


def find(todo_labs, state: dict, force: bool):
    """(jobs to grade, results already decided) for the labs in ``todo_labs``."""
    jobs, decided = [], []
    root = COURSE / "submitted"
    if not root.is_dir() or root.is_symlink():
        return jobs, decided
    for student_dir in sorted(root.iterdir()):
        student = student_dir.name
        for lab in todo_labs:
            path = student_dir / lab / f"{lab}.ipynb"
            if not os.path.lexists(path) and not (
                student_dir.is_symlink() or (student_dir / lab).is_symlink()
            ):
                continue
            base = {"student": student, "lab": lab, "notes": [], "scores": None}
            if not STUDENT_ID.match(student):
                decided.append({**base, "digest": "", "status": "REFUSED: not a student id"})
                continue
            problem = _regular(path) if os.path.lexists(path) else "a symbolic link"
            if problem:
                decided.append({**base, "digest": "", "status": f"REFUSED: {problem}"})
                continue
            raw = _read(path)
            key = f"{student}/{lab}"
            version = digest(raw)
            if not force and state.get(key, {}).get("digest") == version:
                continue  # graded before, unchanged since
            nb, problem = parse_submission(raw)  # the bytes digested, read once
            if problem:
                decided.append({**base, "digest": version, "status": f"MALFORMED: {problem}"})
                continue
            jobs.append({**base, "digest": version, "nb": nb})
    return jobs, decided


# ----------------------------------------------------------------------------------------
# Workers
# ----------------------------------------------------------------------------------------

_SLOT = 0


def _init_worker(slots) -> None:
    global _SLOT
    _SLOT = slots.get()
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 3000))


def _grade_job(job: dict, limits, isolate: bool, cell_timeout: float) -> dict:
    return grade_job(job, limits, isolate, cell_timeout, _SLOT)


def grade_job(job: dict, limits, isolate: bool, cell_timeout: float, slot: int) -> dict:
    """Grade one job (in a worker: of the local pool, or of a Dask cluster)."""
    try:
        graded = harness.grade(
            job["nb"], job["student"], job["lab"], slot, limits, isolate, cell_timeout
        )
    except sandbox.SandboxError as e:
        return {**job, "nb": None, "status": f"NOT GRADED: {e}"[:500]}
    except Exception as e:  # noqa: BLE001 - one submission's failure is reported, not fatal
        return {**job, "nb": None, "status": f"NOT GRADED: the grader failed: {e!r}"[:500]}
    return {
        **job,
        "nb": None,
        "scores": graded.scores,
        "notes": job["notes"] + graded.notes,
        "notebook": graded.notebook,
        "status": graded.status,
        "seconds": graded.seconds,
    }


# ----------------------------------------------------------------------------------------
# The one writer
# ----------------------------------------------------------------------------------------


class Progress:
    """A one-line progress bar on a terminal; one line per submission otherwise."""

    def __init__(self, total: int):
        self.total, self.done, self.start = total, 0, time.monotonic()
        self.tty = sys.stderr.isatty()

    def step(self, text: str) -> None:
        self.done += 1
        rate = self.done / max(1e-9, time.monotonic() - self.start) * 60
        bar = "#" * (30 * self.done // self.total)
        line = f"[{bar:<30}] {self.done}/{self.total}  {rate:5.1f}/min  {text}"
        if self.tty:
            print("\r" + line[:150].ljust(150), end="", file=sys.stderr, flush=True)
            if self.done == self.total:
                print(file=sys.stderr)
        else:
            print(line, file=sys.stderr, flush=True)


def check_sandbox(isolate: bool) -> None:
    """Grade nothing unless the sandbox starts and runs the course's Python."""
    from . import wire

    proc = sandbox.Process(0, sandbox.Limits(), isolate)
    try:
        proc.hello({})
        check = "import numpy, autodiff_lite, os; print(os.getuid(), len(os.listdir('/proc')))"
        done = proc.run_cell(check, 60)
    except sandbox.SandboxError as e:
        raise sandbox.SandboxError(
            f"the sandbox could not start the course's Python: {e}\nThe sandbox user must be "
            "able to read the Python installation and the virtual environment (e.g. chmod -R "
            "o+rX on them)."
        ) from None
    except (wire.Closed, wire.TimedOut, wire.WireError) as e:
        raise sandbox.SandboxError(f"the sandbox stopped ({e}): {proc.stderr_text()}") from None
    finally:
        proc.stop()
    if done.get("error"):
        text = "".join(str(o.get("text", "")) for o in done.get("outputs", []))
        raise sandbox.SandboxError(f"the sandbox cannot import the course's packages:\n{text}")


def autograde(todo_labs, jobs_n: int = 0, force: bool = False, isolate: bool = True,
              cell_timeout: float | None = None, scheduler: str | None = None) -> int:  # fmt: skip
    """Grade every new or changed submission of ``todo_labs``: in a local pool of ``jobs_n``
    processes (all cores by default), or on the Dask cluster at ``scheduler``
    (``cluster.py``). Returns the exit status: 0 all graded, 1 some not graded, 2 grading
    could not start (a bad lab, no sandbox), 3 the Dask scheduler could not be reached or
    went away (re-run to go on)."""
    unknown = sorted(set(todo_labs) - set(labs()))
    if unknown:
        say(f"error: no such lab(s): {', '.join(unknown)}; the labs are: {', '.join(labs())}")
        return 2
    if not isolate:
        say(
            "WARNING: --unsafe-no-sandbox: student code runs WITHOUT isolation, with this "
            "account's rights. Use it only for a trusted local check, never for hand-ins."
        )
    if not scheduler:  # a cluster's workers check their own sandbox (cluster.check_worker)
        try:
            check_sandbox(isolate)
        except sandbox.SandboxError as e:
            say(f"error: grading stopped: {e}")
            return 2
    cell_timeout = cell_timeout or float(os.environ.get("DIFFPROG_CELL_TIMEOUT", "60"))
    REPORTS.mkdir(exist_ok=True)
    book = Book()
    jobs, decided = find(todo_labs, book.state, force)
    total = len(jobs) + len(decided)
    if total == 0:
        say("nothing to grade: every submission is graded and unchanged (--force regrades)")
        return 0
    n = max(1, min(jobs_n or os.cpu_count() or 1, len(jobs) or 1))
    if not isolate:
        label = "UNSAFE: no sandbox"
    elif scheduler:
        label = "sandboxed (bubblewrap, on each Dask worker)"
    elif sandbox.cgroups_available():
        label = "sandboxed (bubblewrap; cgroup memory and process limits per sandbox)"
    else:
        label = "sandboxed (bubblewrap; memory limited per process: no cgroups here)"
    where = f"on the Dask cluster at {scheduler}" if scheduler else f"with {n} parallel job(s)"
    say(f"autograding {len(jobs)} submission(s) {where}, {label}")
    bar, results, start = Progress(total), [], time.monotonic()

    def finish(r: dict) -> None:
        if book.finish(r, label):
            bar.step(f"{r['student']}/{r['lab']}: {r['status'].split(':')[0]} {r['score']:g}")
            results.append(r)

    for r in decided:
        finish(r)
    limits = sandbox.Limits()
    try:
        if scheduler:
            from . import cluster

            try:
                cluster.grade_all(scheduler, jobs, limits, isolate, cell_timeout, finish)
            except sandbox.SandboxError as e:
                say(f"error: grading stopped: {e}")
                return 2
        else:
            _grade_locally(jobs, n, limits, isolate, cell_timeout, finish)
    except Exception as e:
        from .cluster import SchedulerGone

        if not isinstance(e, SchedulerGone):
            raise
        print(file=sys.stderr)
        left = len(jobs) + len(decided) - len(results)
        say(
            f"error: grading stopped: {e}.\n{len(results)} submission(s) were graded and saved "
            f"in the gradebook; {left} were not. Nothing is lost: start the scheduler and its "
            "workers again (or leave SCHEDULER out to grade on this machine) and re-run the "
            "same command: it grades only what is not graded yet or has changed since."
        )
        report(results)
        return 3
    finally:
        book.close()
    elapsed = time.monotonic() - start
    report(results)
    bad = [r for r in results if r["status"].startswith("NOT GRADED")]
    say(
        f"graded {len(results) - len(bad)} of {len(results)} submission(s) in {elapsed:.0f} s "
        f"({60 * len(results) / max(elapsed, 1e-9):.1f} per minute); report: "
        "notebooks/reports/autograde.csv"
    )
    for r in results:
        if r.get("notes") or r["status"] != "graded":
            say(f"  {r['student']}/{r['lab']}: {r['status']}; " + "; ".join(r.get("notes", [])))
    return 1 if bad else 0


def _grade_locally(jobs, n, limits, isolate, cell_timeout, finish) -> None:
    """A pool of ``n`` worker processes on this machine, one sandbox per submission."""
    context = multiprocessing.get_context("fork")
    slots = context.Queue()
    for slot in range(1, n + 1):
        slots.put(slot)
    with ProcessPoolExecutor(n, mp_context=context, initializer=_init_worker,
                             initargs=(slots,)) as pool:  # fmt: skip
        futures = {pool.submit(_grade_job, job, limits, isolate, cell_timeout): job for job in jobs}
        for fut in as_completed(futures):
            try:
                r = fut.result()
            except (BrokenProcessPool, sandbox.SandboxError) as e:
                job = futures[fut]
                r = {**job, "nb": None, "status": f"NOT GRADED: the grading worker failed: {e}"}
            finish(r)
