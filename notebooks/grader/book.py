"""The one writer: what a grading run records, and where.

Only the process that runs ``autograde`` writes (``grade.py`` locally, ``cluster.py`` on a
Dask cluster: the workers send results back as data). ``store`` writes one result into
nbgrader's gradebook and ``autograded/``; ``Book`` remembers which version of each submission
was written (``reports/autograde-state.json``) and logs every write
(``reports/autograde-ledger.csv``); ``report`` keeps ``reports/autograde.csv``.
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import json
import os
import tempfile
import time

import nbformat

from .notebooks import COURSE, REPORTS


def db_url() -> str:
    return os.environ.get("DIFFPROG_DB_URL", f"sqlite:///{COURSE / 'gradebook.db'}")


def store(result: dict, attempts: int = 3) -> None:
    """Write one result into the gradebook and ``autograded/`` (this process only).

    Another grader may write the same gradebook at the same time (two labs graded at once,
    an instructor in formgrader): when both create the same student or submission row, the
    database refuses one (an integrity error; SQLite: "database is locked"), and that write
    is tried again, where it finds the row the other made."""
    from sqlalchemy.exc import IntegrityError, OperationalError

    for attempt in range(attempts):
        try:
            return _store(result)
        except (IntegrityError, OperationalError):
            if attempt == attempts - 1:
                raise
            time.sleep(0.5 * (attempt + 1))


def _store(result: dict) -> None:
    from nbgrader.api import Gradebook

    student, lab = result["student"], result["lab"]
    stamp_file = COURSE / "submitted" / student / lab / "timestamp.txt"
    timestamp = None
    if stamp_file.is_file() and not stamp_file.is_symlink():
        timestamp = stamp_file.read_text()[:100].strip() or None
    scores = result.get("scores") or {}
    flagged = any(n.startswith("FLAG") for n in result.get("notes", []))
    with Gradebook(db_url(), "diffprog") as gb:
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


@contextlib.contextmanager
def _reports_locked():
    """One run at a time reads and rewrites the shared report files (two labs may be
    graded at the same time, by two runs)."""
    with open(REPORTS / ".autograde.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def report(results) -> None:
    with _reports_locked():
        _write_report(results)


def _write_report(results) -> None:
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


class Book:
    """The one writer's bookkeeping: what was graded at which version.

    ``reports/autograde-state.json`` maps ``student/lab`` to the version (the notebook's
    SHA-256) last written to the gradebook; it is saved (atomically) after every write, so a
    run that stops half-way (a lost Dask scheduler, Ctrl-C) is continued by the next one
    without grading anything twice. ``reports/autograde-ledger.csv`` gets one line per
    write (student, lab, version, status, score, worker, time): the record that each
    version was written exactly once."""

    LEDGER_FIELDS = ["student", "lab", "version", "status", "score", "worker", "time"]

    def __init__(self):
        self.state_path = REPORTS / "autograde-state.json"
        self.state = json.loads(self.state_path.read_text()) if self.state_path.exists() else {}
        self.written: set[tuple[str, str, str]] = set()
        ledger = REPORTS / "autograde-ledger.csv"
        new = not ledger.exists()
        self.ledger = open(ledger, "a", newline="", encoding="utf-8")
        self.writer = csv.DictWriter(self.ledger, self.LEDGER_FIELDS)
        if new:
            self.writer.writeheader()

    def finish(self, result: dict, label: str) -> bool:
        """Write one result (unless this version was written already: then False)."""
        student, lab, version = result["student"], result["lab"], result.get("digest", "")
        if version and (student, lab, version) in self.written:
            return False  # a second copy of a result (a task run twice): written once only
        result["sandbox"] = label
        if not result["status"].startswith("NOT GRADED"):
            try:
                store(result)
            except Exception as e:  # noqa: BLE001 - reported; the batch goes on
                result["status"] = f"NOT GRADED: could not write the gradebook: {e!r}"[:500]
        result["score"] = sum((result.get("scores") or {}).values())
        result.pop("notebook", None)
        if result["status"].startswith("NOT GRADED"):
            return True
        if version:
            self.written.add((student, lab, version))
            self.save(f"{student}/{lab}", {"digest": version, "status": result["status"]})
        self.writer.writerow({"student": student, "lab": lab, "version": version,
                              "status": result["status"].split(":")[0],
                              "score": result["score"], "worker": result.get("worker", "local"),
                              "time": time.strftime("%Y-%m-%dT%H:%M:%S")})  # fmt: skip
        self.ledger.flush()
        return True

    def save(self, key: str, entry: dict) -> None:
        """Record one entry in the state file, keeping what another run (another lab, at the
        same time) recorded since this one read it: read, update, replace, under a lock."""
        with _reports_locked():
            try:
                on_disk = json.loads(self.state_path.read_text())
            except (FileNotFoundError, ValueError):
                on_disk = {}
            on_disk[key] = self.state[key] = entry
            tmp = self.state_path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(on_disk, indent=1, sort_keys=True))
            os.replace(tmp, self.state_path)

    def close(self) -> None:
        self.ledger.close()
