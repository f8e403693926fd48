"""Autograding a batch: every new or changed submission, in parallel, one sandbox each.

``autograde`` finds the submissions under ``submitted/<student>/<lab>/<lab>.ipynb`` (refusing
symbolic links and anything that is not a regular file), skips those graded before and
unchanged since (``reports/autograde-state.json``), and grades the rest in a pool of worker
processes, one per core. Each worker grades one submission at a time with ``harness.grade``
(its own sandbox, its own uid); the results come back as data, and this process alone
writes them, one at a time, into nbgrader's gradebook (through nbgrader's API) and
``autograded/``. A submission that cannot be graded is reported with its reason and the
batch goes on. Before anything runs, ``sandbox.check`` proves that the sandbox works: if it
does not, grading stops with the reason.
"""

from __future__ import annotations

import csv
import json
import multiprocessing
import os
import stat
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import nbformat

from . import harness, sandbox
from .notebooks import COURSE, REPORTS, STUDENT_ID, digest, labs, parse_submission, say

MAX_NOTEBOOK_BYTES = 20 * 2**20


def _db_url() -> str:
    return os.environ.get("DIFFPROG_DB_URL", f"sqlite:///{COURSE / 'gradebook.db'}")


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
    try:
        graded = harness.grade(
            job["nb"], job["student"], job["lab"], _SLOT, limits, isolate, cell_timeout
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


def store(result: dict) -> None:
    """Write one result into the gradebook and ``autograded/`` (this process only)."""
    from nbgrader.api import Gradebook

    student, lab = result["student"], result["lab"]
    stamp_file = COURSE / "submitted" / student / lab / "timestamp.txt"
    timestamp = None
    if stamp_file.is_file() and not stamp_file.is_symlink():
        timestamp = stamp_file.read_text()[:100].strip() or None
    scores = result.get("scores") or {}
    flagged = any(n.startswith("FLAG") for n in result.get("notes", []))
    with Gradebook(_db_url(), "diffprog") as gb:
        gb.update_or_create_student(student)
        kwargs = {"timestamp": timestamp} if timestamp else {}
        sub = gb.update_or_create_submission(lab, student, **kwargs)
        for snb in sub.notebooks:
            snb.flagged = flagged
            for g in snb.grades:
                if g.name in scores:  # a test cell: the harness's verdict
                    g.auto_score, g.needs_manual_grade = float(scores[g.name]), False
                elif not scores:  # malformed or refused: nothing to grade by hand either
                    g.auto_score, g.needs_manual_grade = 0.0, False
                else:  # an answer graded by hand (a written explanation)
                    g.auto_score, g.needs_manual_grade = None, True
        gb.db.commit()
    if result.get("notebook") is not None:
        dest = COURSE / "autograded" / student / lab
        for folder in (COURSE / "autograded", COURSE / "autograded" / student, dest):
            if folder.is_symlink():
                folder.unlink()
        dest.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=dest, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            nbformat.write(nbformat.from_dict(result["notebook"]), f)
        os.replace(tmp, dest / f"{lab}.ipynb")
        if timestamp:
            (dest / "timestamp.txt").write_text(timestamp)


def _report(results) -> None:
    path = REPORTS / "autograde.csv"
    rows = {}
    if path.exists():
        with open(path, newline="", encoding="utf-8") as f:
            rows = {(r["student"], r["lab"]): r for r in csv.DictReader(f)}
    for r in results:
        rows[(r["student"], r["lab"])] = {
            "student": r["student"],
            "lab": r["lab"],
            "score": r.get("score", ""),
            "status": r["status"],
            "flags": " | ".join(r.get("notes", [])),
            "sandbox": r.get("sandbox", ""),
        }
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, ["student", "lab", "score", "status", "flags", "sandbox"])
        w.writeheader()
        w.writerows(rows[k] for k in sorted(rows))


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


def _check_sandbox(isolate: bool) -> None:
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
              cell_timeout: float | None = None) -> int:  # fmt: skip
    unknown = sorted(set(todo_labs) - set(labs()))
    if unknown:
        say(f"error: no such lab(s): {', '.join(unknown)}; the labs are: {', '.join(labs())}")
        return 2
    if not isolate:
        say(
            "WARNING: --unsafe-no-sandbox: student code runs WITHOUT isolation, with this "
            "account's rights. Use it only for a trusted local check, never for hand-ins."
        )
    try:
        _check_sandbox(isolate)
    except sandbox.SandboxError as e:
        say(f"error: grading stopped: {e}")
        return 2
    cell_timeout = cell_timeout or float(os.environ.get("DIFFPROG_CELL_TIMEOUT", "60"))
    REPORTS.mkdir(exist_ok=True)
    state_path = REPORTS / "autograde-state.json"
    state = json.loads(state_path.read_text()) if state_path.exists() else {}
    jobs, decided = find(todo_labs, state, force)
    total = len(jobs) + len(decided)
    if total == 0:
        say("nothing to grade: every submission is graded and unchanged (--force regrades)")
        return 0
    n = max(1, min(jobs_n or os.cpu_count() or 1, len(jobs) or 1))
    if not isolate:
        label = "UNSAFE: no sandbox"
    elif sandbox.cgroups_available():
        label = "sandboxed (bubblewrap; cgroup memory and process limits per sandbox)"
    else:
        label = "sandboxed (bubblewrap; memory limited per process: no cgroups here)"
    say(f"autograding {len(jobs)} submission(s) with {n} parallel job(s), {label}")
    bar, results, start = Progress(total), [], time.monotonic()
    for r in decided:
        _finish(r, state, bar, label)
        results.append(r)
    context = multiprocessing.get_context("fork")
    slots = context.Queue()
    for slot in range(1, n + 1):
        slots.put(slot)
    limits = sandbox.Limits()
    with ProcessPoolExecutor(n, mp_context=context, initializer=_init_worker,
                             initargs=(slots,)) as pool:  # fmt: skip
        futures = {pool.submit(_grade_job, job, limits, isolate, cell_timeout): job for job in jobs}
        for fut in as_completed(futures):
            try:
                r = fut.result()
            except (BrokenProcessPool, sandbox.SandboxError) as e:
                job = futures[fut]
                r = {**job, "nb": None, "status": f"NOT GRADED: the grading worker failed: {e}"}
            _finish(r, state, bar, label)
            results.append(r)
    elapsed = time.monotonic() - start
    state_path.write_text(json.dumps(state, indent=1, sort_keys=True))
    _report(results)
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


def _finish(result: dict, state: dict, bar: Progress, label: str) -> None:
    student, lab = result["student"], result["lab"]
    result["sandbox"] = label
    if not result["status"].startswith("NOT GRADED"):
        try:
            store(result)
        except Exception as e:  # noqa: BLE001 - reported; the batch goes on
            result["status"] = f"NOT GRADED: could not write the gradebook: {e!r}"[:500]
    if not result["status"].startswith("NOT GRADED") and result.get("digest"):
        state[f"{student}/{lab}"] = {"digest": result["digest"], "status": result["status"]}
    result["score"] = sum((result.get("scores") or {}).values())
    result.pop("notebook", None)
    bar.step(f"{student}/{lab}: {result['status'].split(':')[0]} {result['score']:g}")
