"""Autograding on a Dask cluster: each submission a task, this process the one writer.

``make autograde SCHEDULER=tcp://host:8786`` (``course.py autograde --scheduler ...``) hands
every submission to the workers of a running Dask scheduler (``dask.distributed``: a SLURM
or PBS allocation through dask-jobqueue, a Kubernetes cluster through dask-kubernetes or
Dask Gateway, or ``dask scheduler`` and ``dask worker`` on a few machines). A task carries
the student's notebook as data and grades it exactly as the local pool does
(``harness.grade``: the student's cells in a sandbox of their own on the worker, the tests
in the worker's trusted harness). What comes back is a ``Verdict`` (plain data); the
gradebook is written here, by the client alone (``book.Book``), one verdict at a time.

Exactly once per version. A submission's version is the SHA-256 of its notebook's bytes
(``notebooks.digest``); the task's key names it (``grade-<lab>-<student>-<version>``), so the
scheduler holds one task per version, and the client writes a version once (``grade.py``
skips one it has already written in this run, and ``reports/autograde-state.json``, saved
after every write, skips it in the next run). When a worker dies mid-task, the scheduler runs
that task again on another worker (a killed attempt wrote nothing: only the client writes);
after ``distributed.scheduler.allowed-failures`` deaths (3) it gives up on that submission,
which is reported as not graded. When the scheduler goes away, the run stops with
``SchedulerGone``: everything written so far stays, and re-running the same command grades
only what is new, changed or still ungraded.

The workers need the course (this repository at the same commit: the grader, the labs'
sources and releases) and its Python environment; each task carries a fingerprint of its
lab (``lab_version``) and a worker whose copy differs refuses to grade rather than grade
against other tests. A worker should have one thread (``--nthreads 1``): the harness runs
one submission at a time per process; start more worker processes for more cores.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import threading
from dataclasses import dataclass, field
from functools import cache

from . import sandbox
from .notebooks import COURSE, source_nb

WORKER_WAIT_S = float(os.environ.get("DIFFPROG_WORKER_WAIT", "120"))


class SchedulerGone(RuntimeError):
    """The scheduler could not be reached, or went away during the run."""


@dataclass(frozen=True)
class Verdict:
    """What a worker sends back for one submission version (plain data)."""

    student: str
    lab: str
    version: str
    status: str
    scores: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    notebook: dict | None = None
    seconds: float = 0.0
    worker: str = ""


@cache
def lab_version(lab: str) -> str:
    """A fingerprint of what a lab is graded against: its source (tests, hidden ones too)
    and its release (the cells and helper files the student's process gets)."""
    h = hashlib.sha256(source_nb(lab).__repr__().encode())
    release = COURSE / "release" / lab
    for path in sorted(release.iterdir()):
        if path.is_file() and path.suffix in (".py", ".ipynb"):
            h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


# ----------------------------------------------------------------------------------------
# On a worker
# ----------------------------------------------------------------------------------------

_slot_lock = threading.Lock()
_slots_in_use: set[int] = set()


def _take_slot() -> int:
    """A grading slot (the sandbox's uid when grading as root) no other sandbox on this
    machine holds: unique per worker process (its pid) and per thread within it."""
    with _slot_lock:
        i = next(i for i in range(16) if i not in _slots_in_use)
        _slots_in_use.add(i)
    return (os.getpid() % 2**22) * 16 + i


def _give_slot(slot: int) -> None:
    with _slot_lock:
        _slots_in_use.discard(slot % 16)


def grade_task(job: dict, version_of_lab: str, limits, isolate: bool, cell_timeout: float):
    """One Dask task: grade one submission in its own sandbox on this worker."""
    from . import grade

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 3000))
    where = f"{os.uname().nodename}:{os.getpid()}"
    base = {"student": job["student"], "lab": job["lab"], "version": job["digest"]}
    if lab_version(job["lab"]) != version_of_lab:
        status = (
            f"NOT GRADED: the worker {where} has another version of {job['lab']} than the "
            "instructor (its source or release differs): give every worker the same commit "
            "of the course"
        )
        return Verdict(**base, status=status, worker=where)
    slot = _take_slot()
    try:
        r = grade.grade_job(job, limits, isolate, cell_timeout, slot)
    finally:
        _give_slot(slot)
    return Verdict(**base, status=r["status"], scores=r.get("scores") or {},
                   notes=r.get("notes", []), notebook=r.get("notebook"),
                   seconds=r.get("seconds", 0.0), worker=where)  # fmt: skip


def check_worker(isolate: bool) -> str:
    """Run on every worker before grading: the sandbox starts there (``SandboxError``
    otherwise). Returns the worker's Python, for the log."""
    from . import grade

    grade.check_sandbox(isolate)
    return sys.executable


# ----------------------------------------------------------------------------------------
# On the client
# ----------------------------------------------------------------------------------------


def _connect(address: str):
    from distributed import Client

    # the client's own log lines (reconnection tracebacks) would bury the message we print
    logging.getLogger("distributed").setLevel(logging.CRITICAL)
    try:
        client = Client(address, timeout=30, set_as_default=False)
    except (OSError, TimeoutError) as e:
        raise SchedulerGone(
            f"cannot reach the Dask scheduler at {address} ({e}). Is it running? Start one "
            "with `dask scheduler` and workers with `dask worker ADDRESS --nthreads 1`, or "
            "leave SCHEDULER out to grade on this machine."
        ) from None
    try:
        client.wait_for_workers(1, timeout=WORKER_WAIT_S)
    except (OSError, TimeoutError):
        client.close()
        raise SchedulerGone(
            f"the Dask scheduler at {address} has no workers (waited {WORKER_WAIT_S:g} s, "
            "DIFFPROG_WORKER_WAIT): start some with `dask worker ADDRESS --nthreads 1`."
        ) from None
    return client


def grade_all(address: str, jobs: list[dict], limits, isolate: bool, cell_timeout: float,
              finish) -> int:  # fmt: skip
    """Grade ``jobs`` on the cluster; ``finish(result)`` (this process) writes each one as
    it arrives. Returns the number of workers; ``SchedulerGone`` if the scheduler goes."""
    from distributed import as_completed
    from distributed.client import FutureCancelledError

    client = _connect(address)
    try:
        try:
            client.run(check_worker, isolate)
        except sandbox.SandboxError as e:
            raise sandbox.SandboxError(f"on a worker of {address}: {e}") from None
        workers = len(client.scheduler_info(n_workers=-1)["workers"])
        futures = {}
        for job in jobs:
            key = f"grade-{job['lab']}-{job['student']}-{job['digest'][:32]}"
            fut = client.submit(grade_task, job, lab_version(job["lab"]), limits, isolate,
                                cell_timeout, key=key, pure=False)  # fmt: skip
            futures[fut] = job
        for fut in as_completed(futures, loop=client.loop):
            job = futures[fut]
            try:
                v = fut.result()
            except FutureCancelledError:
                raise SchedulerGone(f"the Dask scheduler at {address} went away") from None
            except Exception as e:  # noqa: BLE001 - KilledWorker etc.: this one is reported
                finish({**job, "nb": None, "status": f"NOT GRADED: on the cluster: {e!r}"[:500]})
                continue
            finish({**job, "nb": None, "status": v.status, "scores": v.scores,
                    "notes": job["notes"] + v.notes, "notebook": v.notebook,
                    "seconds": v.seconds, "worker": v.worker})  # fmt: skip
        return workers
    except OSError as e:
        raise SchedulerGone(f"the connection to the Dask scheduler at {address} broke: {e}") from e
    finally:
        try:
            client.close(timeout=10)
        except Exception:  # noqa: BLE001, S110 - a scheduler that is gone cannot say goodbye
            pass
