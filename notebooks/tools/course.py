"""The instructor's pipeline, one command per step, on top of nbgrader.

Run from the repository (the Makefile targets call it)::

    python notebooks/tools/course.py release                # student versions of all labs
    python notebooks/tools/course.py collect PATH [--lab L] # a folder or .zip of submissions
    python notebooks/tools/course.py autograde [LAB ...] [--jobs N] [--force]
    python notebooks/tools/course.py feedback [LAB ...]
    python notebooks/tools/course.py export                 # grades.csv + per-lab summary

What it adds to nbgrader:

- ``collect`` accepts the shapes submissions arrive in (nbgrader's own layout, a folder per
  student, ``<student>_<lab>.ipynb`` files, a zip of any of these; a renamed notebook is
  recognised by its cells) and puts each in ``submitted/<student>/<lab>/<lab>.ipynb``. It
  reports what it cannot place, and never overwrites a different earlier submission without
  keeping it in ``archive/``.
- ``autograde`` grades in parallel, one process per core, with a progress bar. Each
  submission is graded by the real ``nbgrader autograde`` in a private scratch copy of the
  course (its own gradebook, no solutions on disk), through the sandboxed kernel of
  ``sandbox.py``; the grades are then written into the course gradebook one at a time.
  Before grading, the notebook is checked: a malformed file is reported and scores zero; a
  deleted or edited test cell is restored from the release and the report says so.
- ``export`` writes ``reports/grades.csv`` (nbgrader's export) and a per-lab summary
  (``reports/summary.md``, ``reports/summary.csv``, ``reports/scores.png``).

Every step is safe to re-run. The gradebook is nbgrader's (``DIFFPROG_DB_URL``, SQLite by
default); reports go to ``notebooks/reports/``.
"""

from __future__ import annotations

import argparse
import copy
import csv
import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import datetime, timezone
from pathlib import Path

import nbformat
import numpy as np

COURSE = Path(__file__).resolve().parent.parent
TOOLS = COURSE / "tools"
BIN = Path(sys.executable).parent
REPORTS = COURSE / "reports"
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]*$")


# Students' work, grades and caches: what a scratch copy of the course leaves out.
WORKING = ("submitted", "autograded", "feedback", "reports", "archive", "nbgrader_exchange")
WORKING += ("*.db", "*.db-*", ".nbgrader.log", "__pycache__", ".ipynb_checkpoints")


def copy_course(dest: Path, *, with_release: bool = True) -> Path:
    """A copy of the course (configuration, tools, labs) without anyone's work or grades;
    ``with_release=False`` also leaves out the student versions (to generate them anew)."""
    ignore = WORKING if with_release else (*WORKING, "release")
    shutil.copytree(COURSE, dest, ignore=shutil.ignore_patterns(*ignore))
    return dest


def labs() -> list[str]:
    return sorted(
        p.name for p in (COURSE / "source").iterdir() if (p / f"{p.name}.ipynb").is_file()
    )


# Speed: every nbgrader run imports nbformat, whose schema library (jsonschema) imports
# rfc3987_syntax when it is installed (jupyter-events asks for it), and that module compiles
# 38 grammars at import: 2.5 s of CPU per run, half of nbgrader's start-up, and this script
# runs nbgrader once per submission. Neither nbgrader nor nbformat checks IRIs, so the
# launcher tells Python the module is absent (``None`` in sys.modules makes its import fail)
# and jsonschema goes on without it. Otherwise this is the ``nbgrader`` command itself.
NBGRADER = (
    "import sys; sys.modules['rfc3987_syntax'] = None; "
    "from nbgrader.apps.nbgraderapp import main; sys.exit(main())"
)


def nbgrader(*args: str, cwd: Path = COURSE, env: dict | None = None, timeout=None):
    """Run the real nbgrader command line (with this environment's bin/ on PATH)."""
    full_env = dict(os.environ if env is None else env)
    full_env["PATH"] = f"{BIN}{os.pathsep}{full_env.get('PATH', '')}"
    return subprocess.run(
        [sys.executable, "-c", NBGRADER, *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def say(*parts) -> None:
    print(*parts, flush=True)


# ----------------------------------------------------------------------------------------
# Reading notebooks
# ----------------------------------------------------------------------------------------


def nbg(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def grade_ids(nb) -> list[str]:
    return [nbg(c)["grade_id"] for c in nb.get("cells", []) if nbg(c).get("grade_id")]


@functools.cache  # read once per run: collect and repair consult every lab's release often
def release_nb(lab: str):
    return nbformat.read(COURSE / "release" / lab / f"{lab}.ipynb", as_version=4)


def read_submission(path: Path):
    """``(notebook, None)`` or ``(None, reason)`` for a file that is not a valid notebook."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        return None, "not a text file (is it really a .ipynb notebook?)"
    except json.JSONDecodeError as e:
        return None, f"not valid JSON (line {e.lineno}, column {e.colno}): the file is damaged"
    if not isinstance(raw, dict) or "cells" not in raw and "worksheets" not in raw:
        return None, "valid JSON but not a notebook (no cells)"
    major = raw.get("nbformat")
    if major != 4:
        return None, (
            f"notebook format {major}, but the course uses format 4: open it in JupyterLab "
            "and save it again"
        )
    try:
        nb = nbformat.from_dict(raw)
        nbformat.validate(nb)
    except Exception as e:  # noqa: BLE001 - any validation failure is reported as such
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        return None, f"not a valid notebook: {first[:200]}"
    return nb, None


def which_lab(nb, name: str) -> str | None:
    """The lab a notebook belongs to: from its file name, else from its graded cells."""
    for lab in labs():
        if lab in name:
            return lab
    if nb is None:
        return None
    ids = set(grade_ids(nb))
    best, best_share = None, 0.0
    for lab in labs():
        if not (COURSE / "release" / lab / f"{lab}.ipynb").is_file():
            continue  # not released yet
        want = set(grade_ids(release_nb(lab)))
        share = len(ids & want) / max(1, len(want))
        if share > best_share:
            best, best_share = lab, share
    return best if best_share >= 0.5 else None


# ----------------------------------------------------------------------------------------
# release
# ----------------------------------------------------------------------------------------


def cmd_release(args) -> int:
    for lab in args.labs or labs():
        say(f"releasing {lab}")
        done = nbgrader("generate_assignment", lab, "--force", "--log-level=WARN")
        if done.returncode:
            say(done.stderr)
            return 1
    say("the student versions are in notebooks/release/")
    return 0


# ----------------------------------------------------------------------------------------
# collect
# ----------------------------------------------------------------------------------------


def _student_from(rel: Path, lab: str | None) -> str | None:
    if len(rel.parts) > 1:
        return rel.parts[0]
    stem = rel.stem
    if lab:
        stem = stem.replace(lab, "")
    stem = re.sub(r"(?i)(submission|assignment|notebook)", "", stem).strip("_- .")
    return stem or None


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cmd_collect(args) -> int:
    src = Path(args.path).expanduser().resolve()
    if not src.exists():
        say(f"error: {src} does not exist")
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        if src.is_file() and zipfile.is_zipfile(src):
            with zipfile.ZipFile(src) as z:
                for member in z.infolist():
                    target = (Path(tmp) / member.filename).resolve()
                    if not str(target).startswith(str(Path(tmp).resolve())):
                        say(f"  skipped (unsafe path in zip): {member.filename}")
                        continue
                    z.extract(member, tmp)
            root = Path(tmp)
        elif src.is_dir():
            root = src
        else:
            say(f"error: {src} is neither a folder nor a zip file")
            return 2
        placed, unplaced = _collect_from(root, args.lab)
    _write_collect_report(placed, unplaced)
    say(f"collected {len(placed)} notebook(s); {len(unplaced)} file(s) could not be placed")
    for rel, why in unplaced:
        say(f"  NOT PLACED {rel}: {why}")
    return 0


def _collect_from(root: Path, only_lab: str | None):
    placed, unplaced = [], []
    # nbgrader's layout <root>/submitted/...: look inside it
    if (root / "submitted").is_dir():
        root = root / "submitted"
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if path.is_dir() or any(p.startswith(".") or p == "__MACOSX" for p in rel.parts):
            continue
        if path.suffix != ".ipynb":
            unplaced.append((str(rel), "not a notebook (.ipynb); ignored"))
            continue
        nb, problem = read_submission(path)
        lab = only_lab or which_lab(nb, path.name if len(rel.parts) < 3 else str(rel))
        if lab is None:
            why = problem or "cannot tell which lab it is (name it <student>_<lab>.ipynb)"
            unplaced.append((str(rel), why))
            continue
        student = _student_from(rel, lab)
        if not student or not STUDENT_ID.match(student):
            unplaced.append((str(rel), f"cannot tell the student id (got {student!r})"))
            continue
        status = _place(path, student, lab)
        if path.stem != lab:
            status += f" (renamed from {path.name})"
        if problem:
            status += f"; MALFORMED: {problem}"
        placed.append((student, lab, str(rel), status))
        say(f"  {student:<16} {lab:<28} {status}")
    return placed, unplaced


def _place(path: Path, student: str, lab: str) -> str:
    dest_dir = COURSE / "submitted" / student / lab
    dest = dest_dir / f"{lab}.ipynb"
    if dest.exists():
        if _digest(dest) == _digest(path):
            return "unchanged"
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        keep = COURSE / "archive" / student / lab / f"{stamp}.ipynb"
        keep.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(dest, keep)
        status = f"replaced (the earlier file is kept in archive/{student}/{lab}/)"
    else:
        status = "placed"
    dest_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy2(path, dest)
    mtime = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
    (dest_dir / "timestamp.txt").write_text(mtime.strftime("%Y-%m-%d %H:%M:%S.%f %Z"))
    return status


def _write_collect_report(placed, unplaced) -> None:
    REPORTS.mkdir(exist_ok=True)
    with open(REPORTS / "collect.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student", "lab", "file", "status"])
        w.writerows(placed)
        w.writerows(["", "", rel, f"NOT PLACED: {why}"] for rel, why in unplaced)


# ----------------------------------------------------------------------------------------
# autograde
# ----------------------------------------------------------------------------------------


def repair(nb, lab: str) -> list[str]:
    """Make a submission's graded cells match the release; return what was changed.

    Test cells that were deleted or edited (source, type or nbgrader metadata) are put back
    from the release (nbgrader then adds the hidden tests from the gradebook); answer cells
    that were deleted get the release's stub; cells claiming a grade id the lab does not
    have lose their nbgrader metadata.
    """
    notes = []
    release = release_nb(lab)
    want = {nbg(c)["grade_id"]: c for c in release.cells if nbg(c).get("grade_id")}
    have = {nbg(c).get("grade_id"): c for c in nb.cells if nbg(c).get("grade_id")}
    for cell in nb.cells:
        gid = nbg(cell).get("grade_id")
        if gid and gid not in want:
            del cell.metadata["nbgrader"]
            notes.append(f"cell with unknown grade id {gid!r} made an ordinary cell")
    for gid, ref in want.items():
        cell = have.get(gid)
        is_test = nbg(ref).get("grade") and not nbg(ref).get("solution")
        if cell is None:
            continue
        if nbg(cell) != nbg(ref) or cell.cell_type != ref.cell_type:
            what = "test cell" if is_test else "cell"
            notes.append(f"{what} {gid!r}: its type or grading metadata was changed; restored")
            keep_source = cell.source
            cell.clear()
            cell.update(copy.deepcopy(ref))
            if not is_test and nbg(ref).get("solution"):
                cell.source = keep_source
        elif is_test and cell.source != ref.source:
            notes.append(f"test cell {gid!r} was edited; restored")
            cell.source = ref.source
    # deleted cells: put each back after the graded cell that precedes it in the release
    order = list(want)
    for i, gid in enumerate(order):
        if gid in {nbg(c).get("grade_id") for c in nb.cells}:
            continue
        ref = copy.deepcopy(want[gid])
        kind = "test cell" if nbg(ref).get("grade") and not nbg(ref).get("solution") else "cell"
        notes.append(f"{kind} {gid!r} was deleted; restored from the release")
        at = 0
        for prev in reversed(order[:i]):
            idx = [k for k, c in enumerate(nb.cells) if nbg(c).get("grade_id") == prev]
            if idx:
                at = idx[0] + 1
                break
        nb.cells.insert(at, ref)
    return notes


def _job_course(batch: Path, lab: str, template: dict) -> Path:
    """A private scratch course for one lab: config, tools, the lab's non-notebook files and
    a gradebook that knows the lab. The solutions are not in it."""
    if lab in template:
        return template[lab]
    base = batch / f"template-{lab}"
    (base / "tools").mkdir(parents=True)
    shutil.copy2(COURSE / "nbgrader_config.py", base)
    for name in ("sandbox.py", "hidden_tests.py"):
        shutil.copy2(TOOLS / name, base / "tools")
    shutil.copytree(COURSE / "source" / lab, base / "source" / lab)
    env = {**os.environ, "DIFFPROG_DB_URL": f"sqlite:///{base / 'gradebook.db'}"}
    done = nbgrader("generate_assignment", lab, "--force", "--log-level=WARN", cwd=base, env=env)
    if done.returncode:
        raise RuntimeError(f"could not prepare {lab} for grading:\n{done.stderr[-2000:]}")
    (base / "source" / lab / f"{lab}.ipynb").unlink()
    shutil.rmtree(base / "release")
    template[lab] = base
    return base


# A kernel that dies before answering its first message, or never answers it, ran none
# of the student's code: it could not start. On a busy machine the usual causes are a TCP
# port that another program took between jupyter_client choosing it and the kernel binding
# it, and a start slower than the startup timeout. Grading such a submission again is
# safe, so it is retried a few times before it is reported. (jupyter_client's messages.)
KERNEL_START_FAILED = ("Kernel died before replying to kernel_info", "Kernel didn't respond in")
KERNEL_START_ATTEMPTS = 3


def kernel_failed_to_start(nbgrader_output: str) -> bool:
    return any(message in nbgrader_output for message in KERNEL_START_FAILED)


def _grade_one(job: dict, batch: Path, template: dict, timeout_s: int) -> dict:
    student, lab = job["student"], job["lab"]
    result = {
        "student": student,
        "lab": lab,
        "digest": job["digest"],
        "notes": list(job["notes"]),
        "grades": None,
    }
    base = _job_course(batch, lab, template)
    work = batch / f"{student}--{lab}"
    shutil.copytree(base, work)
    os.chmod(work, 0o711)  # the kernel may pass through, not look around
    os.chmod(work / "gradebook.db", 0o600)
    os.chmod(work / "source", 0o700)
    sub = work / "submitted" / student / lab
    sub.mkdir(parents=True)
    nbformat.write(job["nb"], sub / f"{lab}.ipynb")
    stamp = COURSE / "submitted" / student / lab / "timestamp.txt"
    if stamp.exists():
        shutil.copy2(stamp, sub)
    env = {
        **os.environ,
        "DIFFPROG_DB_URL": f"sqlite:///{work / 'gradebook.db'}",
        "DIFFPROG_REPORT_DIR": str(work / "reports"),
        "DIFFPROG_PROTECT": os.pathsep.join([str(COURSE), str(batch)]),
    }
    try:
        for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
            done = nbgrader(
                "autograde", lab, "--student", student, "--force", cwd=work, env=env,
                timeout=timeout_s,
            )  # fmt: skip
            if not kernel_failed_to_start(done.stdout + done.stderr):
                break
            result["notes"].append(f"the kernel failed to start (attempt {attempt})")
    except subprocess.TimeoutExpired:
        result["status"] = f"NOT GRADED: grading took over {timeout_s} s; grade it by hand"
        return result
    graded = work / "autograded" / student / lab
    if done.returncode or not graded.is_dir():
        tail = "\n".join(done.stderr.strip().splitlines()[-5:])
        result["status"] = f"NOT GRADED: nbgrader failed: {tail[-500:]}"
        return result
    result["grades"] = _read_grades(work / "gradebook.db", lab, student)
    result["autograded"] = graded
    for report in sorted((work / "reports").glob("*.json")):
        info = json.loads(report.read_text())
        if info.get("crash"):
            result["notes"].append(
                f"kernel stopped in cell {info['crash']['cell']}: {info['crash']['reason']}"
            )
        for t in info.get("tampered", []):
            result["notes"].append(
                f"FLAG: test cell {t['cell']} not run, code replaced {', '.join(t['replaced'][:3])}"
            )
        for cell in info.get("timeouts", []):
            result["notes"].append(f"cell {cell} ran past the time limit and was interrupted")
        result["sandbox"] = info.get("sandbox")
    result["status"] = "graded"
    return result


def _read_grades(db: Path, lab: str, student: str) -> dict:
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(f"sqlite:///{db}", "diffprog") as gb:
        sub = gb.find_submission(lab, student)
        for snb in sub.notebooks:
            for g in snb.grades:
                out[(snb.name, g.name)] = (g.auto_score, g.needs_manual_grade)
    return out


def _store(result: dict, timestamp: str | None) -> None:
    """Write one result into the course gradebook and autograded/ (the parent process only)."""
    from nbgrader.api import Gradebook

    student, lab = result["student"], result["lab"]
    with Gradebook(_db_url(), "diffprog") as gb:
        gb.update_or_create_student(student)
        kwargs = {"timestamp": timestamp} if timestamp else {}
        sub = gb.update_or_create_submission(lab, student, **kwargs)
        for snb in sub.notebooks:
            for g in snb.grades:
                if result["grades"] is None:  # malformed: zero, no manual grading needed
                    g.auto_score, g.needs_manual_grade = 0.0, False
                else:
                    g.auto_score, g.needs_manual_grade = result["grades"][(snb.name, g.name)]
        gb.db.commit()
    if result.get("autograded"):
        dest = COURSE / "autograded" / student / lab
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(result["autograded"], dest)


def _db_url() -> str:
    return os.environ.get("DIFFPROG_DB_URL", f"sqlite:///{COURSE / 'gradebook.db'}")


def _ensure_in_gradebook(todo_labs) -> None:
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(_db_url(), "diffprog") as gb:
        missing = []
        for lab in todo_labs:
            try:
                gb.find_assignment(lab)
            except MissingEntry:
                missing.append(lab)
    for lab in missing:  # generate_assignment records the lab (and rewrites its release)
        say(f"recording {lab} in the gradebook (nbgrader generate_assignment)")
        done = nbgrader("generate_assignment", lab, "--force", "--log-level=WARN")
        if done.returncode:
            raise RuntimeError(done.stderr)


def _score(result) -> float:
    return sum((s or 0.0) for s, _ in (result.get("grades") or {}).values())


class Progress:
    """A one-line progress bar on a terminal; one line per submission otherwise."""

    def __init__(self, total: int):
        self.total, self.done, self.start = total, 0, time.monotonic()
        self.tty = sys.stderr.isatty()

    def step(self, text: str) -> None:
        self.done += 1
        rate = self.done / max(1e-9, time.monotonic() - self.start) * 60
        width = 30
        bar = "#" * (width * self.done // self.total)
        line = f"[{bar:<{width}}] {self.done}/{self.total}  {rate:5.1f}/min  {text}"
        if self.tty:
            print("\r" + line[:150].ljust(150), end="", file=sys.stderr, flush=True)
            if self.done == self.total:
                print(file=sys.stderr)
        else:
            print(line, file=sys.stderr, flush=True)


def cmd_autograde(args) -> int:
    todo_labs = args.labs or labs()
    unknown = sorted(set(todo_labs) - set(labs()))
    if unknown:
        say(f"error: no such lab(s): {', '.join(unknown)}; the labs are: {', '.join(labs())}")
        return 2
    _ensure_in_gradebook(todo_labs)
    REPORTS.mkdir(exist_ok=True)
    state_path = REPORTS / "autograde-state.json"
    state = json.loads(state_path.read_text()) if state_path.exists() else {}
    jobs, results = [], []
    for lab in todo_labs:
        for path in sorted((COURSE / "submitted").glob(f"*/{lab}/{lab}.ipynb")):
            student = path.parent.parent.name
            key = f"{student}/{lab}"
            digest = _digest(path)
            if not args.force and state.get(key, {}).get("digest") == digest:
                continue  # graded before, unchanged since: nothing to do
            nb, problem = read_submission(path)
            job = {"student": student, "lab": lab, "digest": digest, "notes": []}
            if problem:
                results.append({**job, "grades": None, "status": f"MALFORMED: {problem}"})
                continue
            job["notes"] = repair(nb, lab)
            job["nb"] = nb
            jobs.append(job)
    total = len(jobs) + len(results)
    if total == 0:
        say("nothing to grade: every submission is graded and unchanged (--force regrades)")
        return 0
    n_jobs = args.jobs or os.cpu_count() or 1
    say(f"autograding {len(jobs)} submission(s) with {n_jobs} parallel job(s)")
    bar = Progress(total)
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="diffprog-grade-") as tmp:
        batch = Path(tmp)
        os.chmod(batch, 0o711)
        template: dict = {}
        for lab in {j["lab"] for j in jobs}:
            _job_course(batch, lab, template)  # prepared once, before the workers start
        for r in results:
            _finish(r, state, bar)
        with ThreadPoolExecutor(max_workers=n_jobs) as pool:
            futures = [pool.submit(_grade_one, job, batch, template, args.timeout) for job in jobs]
            for fut in as_completed(futures):
                r = fut.result()
                _finish(r, state, bar)
                results.append(r)
    elapsed = time.monotonic() - start
    state_path.write_text(json.dumps(state, indent=1, sort_keys=True))
    _write_autograde_report(results)
    bad = [r for r in results if r["status"].startswith("NOT GRADED")]
    say(
        f"graded {len(results) - len(bad)} of {len(results)} submission(s) in {elapsed:.0f} s "
        f"({60 * len(results) / max(elapsed, 1e-9):.1f} per minute); report: "
        f"notebooks/reports/autograde.csv"
    )
    flagged = [r for r in results if r.get("notes")]
    for r in flagged + bad:
        say(f"  {r['student']}/{r['lab']}: {r['status']}; " + "; ".join(r.get("notes", [])))
    return 1 if bad else 0


def _finish(result: dict, state: dict, bar: Progress) -> None:
    student, lab = result["student"], result["lab"]
    if not result["status"].startswith("NOT GRADED"):
        stamp = COURSE / "submitted" / student / lab / "timestamp.txt"
        _store(result, stamp.read_text().strip() if stamp.exists() else None)
        state[f"{student}/{lab}"] = {"digest": result["digest"], "status": result["status"]}
    score = _score(result)
    result["score"] = score
    bar.step(f"{student}/{lab}: {result['status'].split(':')[0]} {score:g}")


def _write_autograde_report(results) -> None:
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
            "sandbox": r.get("sandbox") or "",
        }
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, ["student", "lab", "score", "status", "flags", "sandbox"])
        w.writeheader()
        w.writerows(rows[k] for k in sorted(rows))


# ----------------------------------------------------------------------------------------
# feedback and export
# ----------------------------------------------------------------------------------------


def cmd_feedback(args) -> int:
    status = 0
    for lab in args.labs or labs():
        if not list((COURSE / "autograded").glob(f"*/{lab}")):
            continue
        done = nbgrader("generate_feedback", lab, "--force", "--log-level=WARN")
        n = len(list((COURSE / "feedback").glob(f"*/{lab}/*.html")))
        say(f"{lab}: feedback for {n} student(s) in notebooks/feedback/*/{lab}/")
        if done.returncode:
            say(done.stderr[-2000:])
            status = 1
    return status


def cmd_export(args) -> int:
    REPORTS.mkdir(exist_ok=True)
    out = REPORTS / "grades.csv"
    done = nbgrader("export", "--to", str(out), "--log-level=WARN")
    if done.returncode:
        say(done.stderr[-2000:])
        return 1
    with open(out, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    by_lab: dict[str, list[float]] = {}
    max_score: dict[str, float] = {}
    for r in rows:
        if r["timestamp"] or r["score"] not in ("", None):
            by_lab.setdefault(r["assignment"], [])
        max_score[r["assignment"]] = float(r["max_score"])
        submitted = (COURSE / "submitted" / r["student_id"] / r["assignment"]).is_dir()
        if submitted:
            by_lab.setdefault(r["assignment"], []).append(float(r["score"]))
    lines = [
        "| lab | submissions | mean | median | min | max | max possible |",
        "|---|---|---|---|---|---|---|",
    ]
    with open(REPORTS / "summary.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["lab", "submissions", "mean", "median", "min", "max", "max_score"])
        for lab, scores in sorted(by_lab.items()):
            if not scores:
                continue
            s = np.array(scores)
            row = [lab, len(s), s.mean(), np.median(s), s.min(), s.max(), max_score[lab]]
            w.writerow(row)
            lines.append(
                "| "
                + " | ".join(f"{v:.3g}" if isinstance(v, float) else str(v) for v in row)
                + " |"
            )
    (REPORTS / "summary.md").write_text("# Grades by lab\n\n" + "\n".join(lines) + "\n")
    _plot(by_lab, max_score)
    say(f"wrote {out}, notebooks/reports/summary.md, summary.csv and scores.png")
    say("\n".join(lines))
    return 0


def _plot(by_lab, max_score) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = [lab for lab in sorted(by_lab) if by_lab[lab]]
    if not shown:
        return
    cols = min(3, len(shown))
    rows = -(-len(shown) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 2.8 * rows), squeeze=False)
    for ax, lab in zip(axes.flat, shown):
        ax.hist(by_lab[lab], bins=np.linspace(0, max_score[lab], 11) if max_score[lab] else 10)
        ax.set_title(f"{lab} (n={len(by_lab[lab])})", fontsize=9)
        ax.set_xlabel("score")
    for ax in list(axes.flat)[len(shown) :]:
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(REPORTS / "scores.png", dpi=100)


# ----------------------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="course.py", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("release", help="make the student versions (nbgrader generate_assignment)")
    p.add_argument("labs", nargs="*")
    p = sub.add_parser("collect", help="put a folder or zip of submissions into submitted/")
    p.add_argument("path")
    p.add_argument("--lab", help="the lab, if the files do not say it")
    p = sub.add_parser("autograde", help="grade all submissions in parallel")
    p.add_argument("labs", nargs="*")
    p.add_argument("--jobs", type=int, default=0, help="parallel jobs (default: all cores)")
    p.add_argument("--force", action="store_true", help="regrade unchanged submissions too")
    p.add_argument("--timeout", type=int, default=900, help="seconds per submission at most")
    p = sub.add_parser("feedback", help="HTML feedback for every graded submission")
    p.add_argument("labs", nargs="*")
    sub.add_parser("export", help="grades.csv and a per-lab summary with a plot")
    args = parser.parse_args(argv)
    if args.command == "collect" and args.lab and args.lab not in labs():
        parser.error(f"no lab {args.lab!r}; the labs are: {', '.join(labs())}")
    return {
        "release": cmd_release,
        "collect": cmd_collect,
        "autograde": cmd_autograde,
        "feedback": cmd_feedback,
        "export": cmd_export,
    }[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
