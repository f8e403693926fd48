"""The instructor's pipeline, one command per step, on top of nbgrader.

Run from the repository (the Makefile targets call it)::

    python notebooks/tools/course.py release                # student versions of all labs
                                                            # (from each source/<lab>/<lab>.md)
    python notebooks/tools/course.py collect PATH [--lab L] # a folder or .zip of submissions
    python notebooks/tools/course.py collect --exchange [LAB ...]  # nbgrader's exchange
    python notebooks/tools/course.py autograde [LAB ...] [--jobs N] [--force] [--unsafe-no-sandbox]
                                            [--scheduler tcp://host:8786]   # on a Dask cluster
    python notebooks/tools/course.py feedback [LAB ...]
    python notebooks/tools/course.py export                 # grades.csv + per-lab summary

What it adds to nbgrader:

- ``collect`` (``grader/collect.py``) accepts the shapes submissions arrive in (nbgrader's
  own layout, a folder per student, ``<student>_<lab>.ipynb`` files, a zip of any of these;
  a renamed notebook is recognised by its cells), puts each in
  ``submitted/<student>/<lab>/<lab>.ipynb``, refuses links, special files and oversized
  archives, and reports every file it does not place by name. ``collect --exchange``
  (``grader/exchange.py``) collects what students submitted to nbgrader's exchange on a
  JupyterHub under the same rules (instead of ``nbgrader collect``, which follows links).
- ``autograde`` (``grader/grade.py``) grades in parallel, one worker per core, with a
  progress bar: each submission's cells run in a bubblewrap sandbox of its own, its tests
  run in the grader (``grader/harness.py``), and one process writes the verdicts into
  nbgrader's gradebook. ``--unsafe-no-sandbox`` skips the sandbox for a trusted local check.
  ``--scheduler ADDRESS`` (or ``DIFFPROG_SCHEDULER``) grades on a Dask cluster's workers
  instead (``grader/cluster.py``), this process still the one writer; a run stopped by a lost
  scheduler is continued by running it again.
- ``feedback`` runs ``nbgrader generate_feedback`` (student HTML sanitized,
  ``grader/sanitize.py``).
- ``export`` writes ``reports/grades.csv`` (nbgrader's export), the same grades for an LMS
  (``reports/canvas.csv``, ``reports/moodle.csv``: ``grader/lms.py``) and a per-lab summary
  (``reports/summary.md``, ``reports/summary.csv``, ``reports/scores.png``).

Every step is safe to re-run. The gradebook is nbgrader's (``DIFFPROG_DB_URL``, SQLite by
default); reports go to ``notebooks/reports/``.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import shutil
import stat
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np

COURSE = Path(__file__).resolve().parent.parent
TOOLS = COURSE / "tools"
BIN = Path(sys.executable).parent
REPORTS = COURSE / "reports"
sys.path.insert(0, str(COURSE))  # the grader package (notebooks/grader/) of this course
from grader import labsource  # noqa: E402
from grader.notebooks import labs, say  # noqa: E402  (one definition of each, shared)

# Students' work, grades and caches: what a scratch copy of the course leaves out.
WORKING = ("submitted", "autograded", "feedback", "reports", "archive", "nbgrader_exchange")
WORKING += ("*.db", "*.db-*", ".nbgrader.log", "__pycache__", ".ipynb_checkpoints")


def copy_course(dest: Path, *, with_release: bool = True) -> Path:
    """A copy of the course (configuration, tools, labs) without anyone's work or grades;
    ``with_release=False`` also leaves out the student versions (to generate them anew)."""
    ignore = WORKING if with_release else (*WORKING, "release")
    labsource.build_all()  # nbgrader's source notebooks, from the labs' Markdown sources
    shutil.copytree(COURSE, dest, ignore=shutil.ignore_patterns(*ignore))
    return dest


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


# ----------------------------------------------------------------------------------------
# release
# ----------------------------------------------------------------------------------------


def cmd_release(args) -> int:
    for lab in args.labs or labs():
        say(f"releasing {lab}")
        try:
            labsource.build(lab)  # source/<lab>/<lab>.md -> nbgrader's <lab>.ipynb
        except labsource.LabSourceError as e:
            say(f"error: {e}")
            return 1
        done = nbgrader("generate_assignment", lab, "--force", "--log-level=WARN")
        if done.returncode:
            say(done.stderr)
            return 1
    say("the student versions are in notebooks/release/")
    return 0


# ----------------------------------------------------------------------------------------
# collect
# ----------------------------------------------------------------------------------------


def cmd_collect(args) -> int:
    """Safe and loud: the rules are in ``grader/collect.py`` and ``grader/exchange.py``."""
    from grader import collect, exchange

    given = {"file_mb": args.max_file_mb, "total_mb": args.max_total_mb, "files": args.max_files}
    try:
        limits = collect.Limits.from_env(**given)
    except ValueError as e:
        say(f"error: {e}")
        return 2
    if args.exchange:
        return exchange.main(COURSE, args.where + ([args.lab] if args.lab else []), limits)
    return collect.main(args.where[0], COURSE, args.lab, limits)


# ----------------------------------------------------------------------------------------
# autograde (grader/grade.py: the sandbox, the trusted harness, the one gradebook writer)
# ----------------------------------------------------------------------------------------


# A Jupyter kernel that dies before answering its first message, or never answers it, ran
# none of the code it was given: it could not start. The book build (tests/test_book.py)
# retries such a build once. (jupyter_client's messages.)
KERNEL_START_FAILED = ("Kernel died before replying to kernel_info", "Kernel didn't respond in")


def kernel_failed_to_start(nbgrader_output: str) -> bool:
    return any(message in nbgrader_output for message in KERNEL_START_FAILED)


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


def cmd_autograde(args) -> int:
    from grader import grade

    todo_labs = args.labs or labs()
    if not set(todo_labs) - set(labs()):
        _ensure_in_gradebook(todo_labs)
    return grade.autograde(
        todo_labs,
        args.jobs,
        args.force,
        isolate=not args.unsafe_no_sandbox,
        scheduler=args.scheduler or os.environ.get("DIFFPROG_SCHEDULER") or None,
    )


# ----------------------------------------------------------------------------------------
# feedback and export
# ----------------------------------------------------------------------------------------


SUBMISSION_SECRET = "submission_secret.txt"
SECRET = re.compile(r"[0-9a-f]{16,256}")


def _keep_submission_secret(student: str, lab: str) -> None:
    """Give ``nbgrader release_feedback`` the key it files a student's feedback under.

    ``nbgrader submit`` (on a JupyterHub, through the exchange) writes a random secret into
    the submission; ``release_feedback`` names the feedback in the exchange by a hash of it,
    and ``fetch_feedback`` finds it there with the student's own copy. nbgrader's autograde
    carries the file to ``autograded/`` and so to ``feedback/``; our grader writes only the
    graded notebook, so it is copied here. It comes from the student's hand-in: only a
    regular file holding a hex string is copied (what nbgrader writes).
    """
    source = COURSE / "submitted" / student / lab / SUBMISSION_SECRET
    try:
        fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return  # not submitted through an exchange (collected from a folder or a zip)
    except OSError as e:  # a link (ELOOP), unreadable, ...
        say(f"{student}/{lab}: {SUBMISSION_SECRET} refused ({e.strerror}); feedback not releasable")
        return
    with os.fdopen(fd, "rb") as f:
        regular = stat.S_ISREG(os.fstat(f.fileno()).st_mode)
        secret = f.read(300).decode("ascii", "replace").strip() if regular else ""
    if not SECRET.fullmatch(secret):
        say(f"{student}/{lab}: {SUBMISSION_SECRET} is not nbgrader's; feedback not releasable")
        return
    (COURSE / "feedback" / student / lab / SUBMISSION_SECRET).write_text(secret)


def cmd_feedback(args) -> int:
    status = 0
    for lab in args.labs or labs():
        if not list((COURSE / "autograded").glob(f"*/{lab}")):
            continue
        done = nbgrader("generate_feedback", lab, "--force", "--log-level=WARN")
        pages = list((COURSE / "feedback").glob(f"*/{lab}/*.html"))
        for student in sorted({p.parent.parent.name for p in pages}):
            _keep_submission_secret(student, lab)
        say(f"{lab}: feedback for {len(pages)} student(s) in notebooks/feedback/*/{lab}/")
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
    pending = _ungraded()
    lines += ["", f"Written answers still to grade by hand (formgrader): {len(pending)}"]
    for lab, count in sorted(Counter(r[1] for r in pending).items()):
        lines.append(f"- {lab}: {count} (reports/ungraded.csv lists them)")
    (REPORTS / "summary.md").write_text("# Grades by lab\n\n" + "\n".join(lines) + "\n")
    _plot(by_lab, max_score)
    from grader import lms

    lms.write(_db_url(), REPORTS)
    say(f"wrote {out}, canvas.csv and moodle.csv (for an LMS), summary.md, summary.csv, scores.png")
    say("\n".join(lines))
    return 0


def _ungraded() -> list[tuple[str, str, str, float]]:
    """(student, lab, cell, points) of each answer still waiting for a hand grade (the
    written answers: nbgrader's manually graded cells), also in ``reports/ungraded.csv``.
    Their points count in the maximum of ``grades.csv`` and as 0 in its score until graded."""
    from nbgrader.api import Gradebook

    rows = []
    with Gradebook(_db_url(), "diffprog") as gb:
        for lab in gb.assignments:
            for sub in gb.assignment_submissions(lab.name):
                for snb in sub.notebooks:
                    for g in snb.grades:
                        if g.needs_manual_grade:
                            rows.append((sub.student_id, lab.name, g.name, float(g.max_score)))
    rows.sort()
    with open(REPORTS / "ungraded.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student_id", "lab", "cell", "points"])
        w.writerows(rows)
    return rows


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
    p = sub.add_parser(
        "collect",
        help="put a folder or zip of submissions, or nbgrader's exchange, into submitted/",
    )
    where = "the folder or .zip; with --exchange, the labs to collect (default: all)"
    p.add_argument("where", nargs="*", metavar="PATH | LAB", help=where)
    p.add_argument(
        "--exchange",
        action="store_true",
        help="collect what students submitted to nbgrader's exchange (c.Exchange.root)",
    )
    p.add_argument("--lab", help="the lab, if the files do not say it")
    p.add_argument("--max-file-mb", type=float, help="largest notebook read (default 20 MB)")
    p.add_argument("--max-total-mb", type=float, help="most read per hand-in (default 200 MB)")
    p.add_argument("--max-files", type=int, help="most files per hand-in (default 10000)")
    p = sub.add_parser("autograde", help="grade all submissions in parallel")
    p.add_argument("labs", nargs="*")
    p.add_argument("--jobs", type=int, default=0, help="parallel jobs (default: all cores)")
    p.add_argument("--force", action="store_true", help="regrade unchanged submissions too")
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="grade on the workers of this Dask scheduler (tcp://host:8786); default: locally",
    )
    p.add_argument(
        "--unsafe-no-sandbox",
        action="store_true",
        help="run student code WITHOUT isolation (a trusted local check only; never for hand-ins)",
    )
    p = sub.add_parser("feedback", help="HTML feedback for every graded submission")
    p.add_argument("labs", nargs="*")
    sub.add_parser("export", help="grades.csv and a per-lab summary with a plot")
    args = parser.parse_args(argv)
    if args.command == "collect":
        asked = [args.lab] if args.lab else []
        if args.exchange:
            asked += args.where
        elif len(args.where) != 1:
            parser.error("collect takes one folder or .zip (or --exchange [LAB ...])")
        for lab in asked:
            if lab not in labs():
                parser.error(f"no lab {lab!r}; the labs are: {', '.join(labs())}")
    return {
        "release": cmd_release,
        "collect": cmd_collect,
        "autograde": cmd_autograde,
        "feedback": cmd_feedback,
        "export": cmd_export,
    }[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
