"""The autograder under attack: every attack a determined student would try, as a test.

One batch of hand-ins (``tests/attacks.py``: over 50 attacks on labs 1, 2 and 4, and seven
honest students beside them) goes through the real command line once, in a scratch copy of
the released course: ``collect`` of a zip, ``autograde --jobs 2``, ``feedback``, ``export``.
Before, the test plants canaries (secrets no notebook contains): a file in the course folder, a
comment in every hidden test, a table in the gradebook, a variable in the grader's
environment, a file in the grader's home; it listens on TCP (127.0.0.1 and 0.0.0.0) and on
an abstract Unix socket. Then it checks

- every attack's exact secure score (what the work in its notebook deserves), its flag or
  status where one applies, and the evidence in its own outputs;
- the honest students' exact scores (what each gets graded alone);
- that no canary appears in any feedback page, graded notebook, report or export, that no
  listener was reached, that no student script is live in a feedback page, that outputs
  stay bounded and the trusted grader's memory too, and that the batch completed.

The classes of attack (``Attack.kind``): 1 forging a pass, 2 reading secrets, 3 changing
grades, 4 stopping grading for others, 5 escaping the sandbox, 6 unbounded output and
files, 7 forbidden shortcuts, 8 HTML and JavaScript in what the grader shows.

The checks must be able to fail: ``test_without_the_sandbox_the_checks_catch_the_exploits``
grades the attacks whose protection is the sandbox again with ``--unsafe-no-sandbox`` and
requires the same checks to catch each of them (a canary leaks, a listener is reached, a
grade or another student's file changes, grading stops for others), printing which.

A hole found in the grader stays here as an ``xfail(strict=True)`` test whose reason says
where it is: it turns into a failure (XPASS) the day the hole is closed, to be unmarked.
"""

from __future__ import annotations

import csv
import hashlib
import html
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbgrader")

sys.path.insert(0, str(Path(__file__).resolve().parent))
from attacks import ATTACKS, FULL, LAB1, LAB2, LAB4, MARKS, VICTIMS, Attack, Context  # noqa: E402
from course import copy_course  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LABS = (LAB1, LAB2, LAB4)
CELL_TIMEOUT = 10  # seconds per cell and per test cell (the CLI's DIFFPROG_CELL_TIMEOUT)
MEMORY_MB = 640  # the sandbox's memory limit per process (DIFFPROG_MEMORY_MB)
GRADER_MB = 384  # what one trusted grading worker may reach (it peaks near 130 MB)
NOTEBOOK_BYTES = 3 * 2**20  # a graded notebook, however much its student printed
PAGE_BYTES = 5 * 2**20  # a feedback page
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)
# A bystander graded beside the attack that kills its grading worker (unsandboxed only).
BYSTANDER = Attack("v-bystander", LAB2, 0, score=17.0)


# ----------------------------------------------------------------------------------------
# Listeners and canaries
# ----------------------------------------------------------------------------------------


class Listener:
    """A socket that accepts whoever connects and logs the first bytes each one sends."""

    def __init__(self, family, address):
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.bind(address)
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.log: list[bytes] = []
        self.stopped = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stopped:
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            with conn:
                conn.settimeout(2)
                try:
                    self.log.append(conn.recv(256) or b"(connected, sent nothing)")
                except OSError:
                    self.log.append(b"(connected)")

    def close(self):
        self.stopped = True
        self.thread.join(timeout=5)
        self.sock.close()


def _other_addresses() -> tuple[str, ...]:
    """This machine's addresses that are not loopback (where a grader's service might
    listen), found without sending anything."""
    found = set()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))
            found.add(s.getsockname()[0])
        except OSError:
            pass
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.add(info[4][0])
    except OSError:
        pass
    return tuple(sorted(a for a in found if not a.startswith("127.")))


def _hidden_lines(source: Path) -> list[str]:
    """Lines found only in a lab's hidden tests (not in its release, not in a solution),
    and in the repository's last commit too (an attack reads them from git)."""
    nb = nbformat.read(source, as_version=4)
    lab = source.parent.name
    release = (ROOT / "notebooks" / "release" / lab / f"{lab}.ipynb").read_text()
    where = f"HEAD:notebooks/source/{lab}/{lab}.md"
    git = subprocess.run(["git", "-C", str(ROOT), "show", where], capture_output=True, text=True)
    lines = []
    for cell in nb.cells:
        for block in HIDDEN.findall(cell.source):
            for line in block.splitlines():
                line = line.strip()
                if len(line) >= 30 and not line.startswith("#") and '"' not in line:
                    fresh = line not in release and line not in lines
                    committed = git.returncode or line in git.stdout
                    if "\\" not in line and fresh and committed:
                        lines.append(line)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            lines = [ln for ln in lines if ln not in cell.source]
    return sorted(lines, key=len, reverse=True)[:4]  # the longest: nobody writes them by chance


def _plant_canaries(course: Path, home: Path) -> dict[str, str]:
    """Secrets no notebook contains, where a student must not reach: name -> value."""
    tag = uuid.uuid4().hex
    canaries = {
        "course file": f"CANARY-FILE-{tag}",
        "grader home": f"CANARY-HOME-{tag}",
        "grader environment": f"CANARY-ENV-{tag}",
        "gradebook": f"CANARY-GRADEBOOK-{tag}",
        "hidden tests": f"CANARY-HIDDEN-{tag}",
    }
    (course / "secret-canary.txt").write_text(canaries["course file"] + "\n")
    home.mkdir(parents=True, exist_ok=True)
    (home / ".canary").write_text(canaries["grader home"] + "\n")
    with sqlite3.connect(course / "gradebook.db") as con:
        con.execute("CREATE TABLE canary (secret TEXT)")
        con.execute("INSERT INTO canary VALUES (?)", (canaries["gradebook"],))
    for lab in LABS:  # a comment inside every hidden test block, and real hidden lines
        path = course / "source" / lab / f"{lab}.ipynb"
        for i, line in enumerate(_hidden_lines(path)):
            canaries[f"{lab} hidden line {i + 1}"] = line
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            cell.source = cell.source.replace(
                "### BEGIN HIDDEN TESTS\n",
                f"### BEGIN HIDDEN TESTS\n# {canaries['hidden tests']}\n",
            )
        nbformat.write(nb, path)
    return canaries


# ----------------------------------------------------------------------------------------
# One batch through the command line
# ----------------------------------------------------------------------------------------


@dataclass
class Batch:
    course: Path
    ctx: Context
    canaries: dict[str, str]
    listeners: dict[str, Listener]
    hand_ins: list[Attack]
    submitted: dict[str, str] = field(default_factory=dict)  # path -> sha256 after collect
    runs: dict[str, subprocess.CompletedProcess] = field(default_factory=dict)
    worker_peak_mb: dict[int, float] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)  # per step, and "all"
    started: float = field(default_factory=time.time)

    def report(self) -> dict[str, dict]:
        with open(self.course / "reports" / "autograde.csv", newline="") as f:
            return {r["student"]: r for r in csv.DictReader(f)}

    def grades(self) -> dict[str, float]:
        path = self.course / "reports" / "grades.csv"
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
        return {r["student_id"]: float(r["score"]) for r in rows if r["timestamp"]}

    def graded(self, student: str, lab: str):
        path = self.course / "autograded" / student / lab / f"{lab}.ipynb"
        return nbformat.read(path, as_version=4) if path.exists() else None

    def outputs(self, attack: Attack) -> str:
        nb = self.graded(attack.student, attack.lab)
        if nb is None:
            return ""
        return "".join(
            str(o.get("text", "")) + str(o.get("evalue", "")) + "".join(o.get("traceback", []))
            for c in nb.cells
            if c.cell_type == "code"
            for o in c.get("outputs", [])
        )

    def artifacts(self):
        """(name, text) of everything the grader wrote that people read."""
        for folder in ("feedback", "autograded", "reports"):
            for path in sorted((self.course / folder).rglob("*")):
                if path.is_file() and not path.is_symlink():
                    yield (
                        str(path.relative_to(self.course)),
                        path.read_bytes().decode("utf-8", "replace"),
                    )
        for name, proc in self.runs.items():
            yield f"output of course.py {name}", proc.stdout + proc.stderr

    def close(self):
        for listener in self.listeners.values():
            listener.close()


def _visible(text: str) -> str:
    """Text as a reader sees it: HTML tags dropped, entities and JSON escapes undone."""
    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return text.replace('\\"', '"').replace("\\n", "\n")


def _watch_workers(proc: subprocess.Popen, peaks: dict[int, float]) -> None:
    """Record the peak memory (VmHWM) of each grading worker (the CLI's child processes:
    they run the trusted harness; the sandboxes are bubblewrap processes below them)."""
    while proc.poll() is None:
        try:
            children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        except OSError:
            children = []
        for pid in map(int, children):
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            m = re.search(r"VmHWM:\s+(\d+) kB", status)
            if m and "python" in status.split("\n", 1)[0].lower():
                peaks[pid] = max(peaks.get(pid, 0.0), int(m.group(1)) / 1024)
        time.sleep(0.2)


def _env(course: Path, **more) -> dict:
    env = dict(os.environ)
    env.pop("DIFFPROG_DB_URL", None)
    env.update(
        JUPYTER_CONFIG_DIR=str(course.parent / "jupyter-config"),
        DIFFPROG_CELL_TIMEOUT=str(CELL_TIMEOUT),
        DIFFPROG_MEMORY_MB=str(MEMORY_MB),
        MPLCONFIGDIR=str(course.parent / "matplotlib"),
        **more,
    )
    return env


def _course_cmd(batch: Batch, name: str, *args, watch=False) -> subprocess.CompletedProcess:
    env = _env(batch.course, DIFFPROG_CANARY=batch.canaries["grader environment"],
               HOME=batch.ctx.home)  # fmt: skip
    cmd = [sys.executable, str(batch.course / "tools" / "course.py"), *args]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=batch.course, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    watcher = None
    if watch:
        watcher = threading.Thread(target=_watch_workers, args=(proc, batch.worker_peak_mb))
        watcher.start()
    out, err = proc.communicate(timeout=900)
    if watcher:
        watcher.join()
    done = subprocess.CompletedProcess(cmd, proc.returncode, out, err)
    batch.runs[name] = done
    batch.seconds[name] = time.monotonic() - start
    return done


def _hand_in(batch: Batch, folder: Path, hand_ins: list[Attack]) -> Path:
    """The notebooks as a zip, as students' hand-ins arrive."""
    for attack in hand_ins:
        path = folder / attack.student / f"{attack.lab}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(attack.notebook(batch.ctx), path)
    zip_path = folder.with_suffix(".zip")
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as z:
        for p in sorted(folder.rglob("*.ipynb")):
            z.write(p, p.relative_to(folder))
    return zip_path


def _digests(course: Path) -> dict[str, str]:
    return {
        str(p.relative_to(course)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((course / "submitted").rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> Path:
    """A course whose labs are released (and so recorded in its gradebook), to copy: what
    an instructor has before the hand-ins arrive."""
    course = copy_course(tmp_path_factory.mktemp("released") / "notebooks")
    done = subprocess.run([sys.executable, str(course / "tools" / "course.py"), "release", *LABS],
                          env=_env(course), capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return course


def run_batch(released: Path, tmp: Path, hand_ins: list[Attack], unsafe=False, last=(),
              feedback=True) -> Batch:  # fmt: skip
    """Plant canaries in a copy of the released course, collect ``hand_ins`` as a zip and
    grade them in one batch (then, in a second batch, ``last``), give feedback and export,
    all through the command line."""
    start = time.monotonic()
    course = tmp / "notebooks"
    shutil.copytree(released, course)
    home = tmp / "grader-home"
    canaries = _plant_canaries(course, home)
    name = f"diffprog-canary-{uuid.uuid4().hex}"
    listeners = {
        "tcp 127.0.0.1": Listener(socket.AF_INET, ("127.0.0.1", 0)),
        "tcp 0.0.0.0": Listener(socket.AF_INET, ("0.0.0.0", 0)),
        "abstract unix": Listener(socket.AF_UNIX, "\0" + name),
    }
    ctx = Context(
        course=str(course),
        repo=str(ROOT),
        home=str(home),
        port=listeners["tcp 127.0.0.1"].sock.getsockname()[1],
        port_any=listeners["tcp 0.0.0.0"].sock.getsockname()[1],
        hosts=_other_addresses(),
        abstract=name,
        memory_mb=MEMORY_MB,
    )
    batch = Batch(course, ctx, canaries, listeners, [*hand_ins, *last])
    for attack in batch.hand_ins:  # the notebooks themselves hold no secret
        text = json.dumps(attack.notebook(ctx))
        assert not [k for k, v in canaries.items() if v in text], attack.student
    labs = sorted({a.lab for a in batch.hand_ins})
    grade = ["autograde", *labs, "--jobs", "2", *(["--unsafe-no-sandbox"] if unsafe else [])]
    _course_cmd(batch, "collect", "collect", str(_hand_in(batch, tmp / "hand-in", hand_ins)))
    batch.submitted = _digests(course)
    _course_cmd(batch, "autograde", *grade, watch=True)
    if last:
        _course_cmd(batch, "collect last", "collect", str(_hand_in(batch, tmp / "last", last)))
        batch.submitted = {**_digests(course), **batch.submitted}
        _course_cmd(batch, "autograde last", *grade)
    if feedback:
        _course_cmd(batch, "feedback", "feedback", *labs)
    _course_cmd(batch, "export", "export")
    batch.seconds["all"] = time.monotonic() - start
    return batch


@pytest.fixture(scope="module")
def batch(released, tmp_path_factory):
    b = run_batch(released, tmp_path_factory.mktemp("attacks"), ATTACKS + VICTIMS)
    yield b
    b.close()
    times = ", ".join(f"{k} {v:.0f} s" for k, v in b.seconds.items())
    peaks = ", ".join(f"{v:.0f}" for v in b.worker_peak_mb.values())
    print(f"\nthe attack batch ({len(b.hand_ins)} hand-ins): {times}; grader peaks (MB) {peaks}")


# ----------------------------------------------------------------------------------------
# The checks (each also used on the unsandboxed batch)
# ----------------------------------------------------------------------------------------


def leaks(batch: Batch) -> dict[str, list[str]]:
    """Where each canary shows: {artifact: [canary names]}."""
    found = {}
    for name, text in batch.artifacts():
        seen = _visible(text)
        hits = [k for k, v in batch.canaries.items() if v in text or v in seen]
        if hits:
            found[name] = hits
    return found


def reached(batch: Batch) -> dict[str, list[bytes]]:
    return {name: list(listener.log) for name, listener in batch.listeners.items() if listener.log}


def score_problems(batch: Batch, hand_ins) -> dict[str, str]:
    """Hand-ins whose score (gradebook export and report), or report note, is not the one
    expected, with what was there instead."""
    grades, report, bad = batch.grades(), batch.report(), {}
    for a in hand_ins:
        row = report.get(a.student)
        if row is None:
            bad[a.student] = "no row in the report"
            continue
        got = grades.get(a.student)
        text = f"{row['status']} | {row['flags']}"
        if got != pytest.approx(a.score) or float(row["score"] or -1) != pytest.approx(a.score):
            bad[a.student] = f"scored {got} (report {row['score']}), expected {a.score:g}: {text}"
        elif a.note and a.note not in text:
            bad[a.student] = f"the report says {text!r}, not {a.note!r}"
    return bad


def changed_files(batch: Batch) -> dict[str, str]:
    """Other students' files that changed after collect, or that carry another's marker."""
    now = _digests(batch.course)
    bad = {p: "changed after collect" for p, d in batch.submitted.items() if now.get(p) != d}
    for folder in ("submitted", "autograded", "feedback"):
        for path in (batch.course / folder).rglob("*"):
            if path.is_file():
                owner = path.relative_to(batch.course / folder).parts[0]
                for m in re.findall(r"PWNED-BY-([\w.@-]+)", path.read_text(errors="replace")):
                    if m != owner:
                        bad[str(path.relative_to(batch.course))] = f"written by {m}"
    return bad


def live_scripts(page: str) -> list[str]:
    """The attack marks that a browser would run in ``page``: inside <script>, an event
    handler attribute, or a javascript:/data: URL."""

    class Finder(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.found, self.in_script = [], False

        def handle_starttag(self, tag, attrs):
            self.in_script = self.in_script or tag in ("script", "svg", "iframe", "object")
            for key, value in attrs:
                value = value or ""
                dangerous = key.startswith("on") or re.match(
                    r"\s*(javascript|data|vbscript):", value, re.I
                )
                if dangerous and MARKS.search(value):
                    self.found.append(f"<{tag} {key}={value[:80]!r}>")

        def handle_endtag(self, tag):
            if tag in ("script", "svg", "iframe", "object"):
                self.in_script = False

        def handle_data(self, data):
            if self.in_script and MARKS.search(data):
                self.found.append(f"script: {data[:80]!r}")

    finder = Finder()
    finder.feed(page)
    return finder.found


# ----------------------------------------------------------------------------------------
# The sandboxed batch
# ----------------------------------------------------------------------------------------


def test_every_hand_in_is_graded_and_the_batch_completes(batch):
    report = batch.report()
    students = {a.student for a in batch.hand_ins}
    assert set(report) == students, (sorted(students - set(report)), batch.runs["collect"].stdout)
    not_graded = {s: r["status"] for s, r in report.items() if r["status"] != "graded"}
    assert not not_graded, not_graded
    grade = batch.runs["autograde"]
    assert grade.returncode == 0, grade.stdout[-3000:] + grade.stderr[-3000:]
    for step in ("collect", "feedback", "export"):
        assert batch.runs[step].returncode == 0, batch.runs[step].stdout[-3000:]
    pages = {p.parts[-3] for p in (batch.course / "feedback").glob("*/*/*.html")}
    assert pages == students, sorted(students - pages)
    assert set(batch.grades()) == students


def test_victims_score_what_they_score_alone(batch):
    assert not score_problems(batch, VICTIMS), score_problems(batch, VICTIMS)


def _attack_params():
    params = []
    for a in ATTACKS:
        marks = [pytest.mark.xfail(strict=True, reason=f"HOLE: {a.hole}")] if a.hole else []
        params.append(pytest.param(a, id=a.student, marks=marks))
    return params


@pytest.mark.parametrize("attack", _attack_params())
def test_attack_gets_the_honest_score(batch, attack):
    problem = score_problems(batch, [attack]).get(attack.student)
    assert problem is None, problem
    if attack.evidence:
        problem = attack.evidence(batch.outputs(attack), batch.ctx)
        assert problem is None, problem


def test_no_secret_reaches_feedback_graded_notebooks_reports_or_exports(batch):
    assert len(batch.canaries) > 5 + len(LABS)  # real hidden lines were found in each lab
    found = leaks(batch)
    assert not found, found


def test_no_student_reaches_the_graders_network(batch):
    assert not reached(batch), reached(batch)


def test_no_grade_or_other_students_file_changes(batch):
    assert not changed_files(batch), changed_files(batch)
    with sqlite3.connect(batch.course / "gradebook.db") as con:
        triggers = con.execute("select name from sqlite_master where type='trigger'").fetchall()
        manual = con.execute("select count(*) from grade where manual_score is not null")
        assert not triggers and manual.fetchone()[0] == 0


def test_nothing_lands_on_the_grading_machine(batch):
    planted = ["loot-*", "grader.fifo", "grader.sock", "big.bin", "fill0", "x.fifo"]
    for folder in (Path("/tmp"), Path("/dev/shm"), batch.course, Path(batch.ctx.home)):
        look = folder.glob if folder.parent == Path("/") else folder.rglob
        for pattern in planted:
            found = [p for p in look(pattern) if p.lstat().st_mtime >= batch.started]
            assert not found, found
    links = [p for p in batch.course.rglob("*") if p.is_symlink()]
    assert not links, links


def test_feedback_runs_no_student_script(batch):
    pages = sorted((batch.course / "feedback").glob("*/*/*.html"))
    live = {str(p.relative_to(batch.course)): live_scripts(p.read_text()) for p in pages}
    live = {k: v for k, v in live.items() if v}
    assert not live, live
    # the attacks did arrive (their marks are in the pages as text), and the check can fail:
    # nbconvert's own exporter, without the course's sanitizer, leaves them live
    page = (batch.course / "feedback" / "c8-html-cells" / LAB1 / f"{LAB1}.html").read_text()
    assert "PWNED_PRINT_MARK" in page
    from nbconvert import HTMLExporter

    raw, _ = HTMLExporter().from_notebook_node(batch.graded("c8-html-cells", LAB1))
    assert live_scripts(raw), "no live script found even in an unsanitized page"


def test_outputs_and_files_stay_bounded(batch):
    for folder, limit in (("autograded", NOTEBOOK_BYTES), ("feedback", PAGE_BYTES)):
        for path in (batch.course / folder).rglob("*"):
            if path.is_file():
                assert path.stat().st_size < limit, (path, path.stat().st_size)


def test_the_trusted_grader_stays_small(batch):
    assert batch.worker_peak_mb, "no grading worker was seen"
    peak = max(batch.worker_peak_mb.values())
    assert peak < GRADER_MB, f"a grading worker reached {peak:.0f} MB: {batch.worker_peak_mb}"


# ----------------------------------------------------------------------------------------
# Without the sandbox, the same checks catch the exploits
# ----------------------------------------------------------------------------------------

GUARDED = [a for a in ATTACKS if a.guarded_by_sandbox and a.caught_by != "batch"]
KILLERS = [a for a in ATTACKS if a.guarded_by_sandbox and a.caught_by == "batch"]


def _caught(batch: Batch, attack: Attack, victims: list[Attack]) -> str | None:
    """How the checks caught ``attack`` in an unsandboxed batch, or None."""
    if attack.caught_by == "leak":
        mine = (f"autograded/{attack.student}/", f"feedback/{attack.student}/")
        hits = {k: v for k, v in leaks(batch).items() if k.startswith(mine)}
        return f"canaries in {hits}" if hits else None
    if attack.caught_by == "listener":
        hits = [n for n, log in reached(batch).items() if any(
            attack.student.encode() in line for line in log)]  # fmt: skip
        return f"reached {hits}" if hits else None
    if attack.caught_by == "grades":
        bad = score_problems(batch, victims)
        return f"victims' grades changed: {bad}" if bad else None
    if attack.caught_by == "files":
        bad = changed_files(batch)
        return f"other students' files changed: {bad}" if bad else None
    if attack.caught_by == "batch":
        last = batch.runs.get("autograde last")
        report = batch.report()
        stopped = [s for s, r in report.items() if r["status"].startswith("NOT GRADED")]
        if last is not None and (last.returncode != 0 or stopped):
            return f"grading stopped (exit {last.returncode}); not graded: {stopped}"
        return None
    raise ValueError(attack.caught_by)


def test_without_the_sandbox_the_checks_catch_the_exploits(released, tmp_path_factory):
    """The attacks whose protection is the sandbox, graded with --unsafe-no-sandbox (a
    trusted local check only): each must be caught by the checks above. The attack that
    kills its grading worker goes in a second batch with a bystander, last."""
    victims = [v for v in VICTIMS if v.student in ("v-correct", "v-wrong", "v-correct-lab2")]
    tmp = tmp_path_factory.mktemp("unsafe")
    last = KILLERS + [BYSTANDER]
    b = run_batch(released, tmp, GUARDED + victims, unsafe=True, last=last, feedback=False)
    try:
        caught = {a.student: _caught(b, a, victims) for a in GUARDED + KILLERS}
    finally:
        b.close()
        for path in Path("/tmp").glob("loot-CANARY-*"):  # what c2-exfil-filenames left here
            if any(v in path.name for v in b.canaries.values()):
                path.unlink()
    print(f"\nwithout the sandbox ({b.seconds['all']:.0f} s), the checks caught:")
    for student, how in caught.items():
        print(f"  {student}: {how or 'NOT CAUGHT'}"[:400])
    missed = sorted(s for s, how in caught.items() if how is None)
    assert not missed, f"exploits the checks did not catch without the sandbox: {missed}"
    assert len(caught) >= 15


def test_the_catalogue_covers_every_class():
    kinds = {a.kind for a in ATTACKS}
    assert kinds == set(range(1, 9)), kinds
    assert len({a.student for a in ATTACKS + VICTIMS}) == len(ATTACKS + VICTIMS)
    assert len(ATTACKS) >= 40 and len({a.lab for a in ATTACKS}) >= 3
    assert len({v.score for v in VICTIMS if v.lab == LAB1}) == 4  # a mix-up would show
    assert all(a.score <= FULL[a.lab] for a in ATTACKS + VICTIMS)
