"""Grading one submission: the student's cells run in a sandbox, the lab's tests run here.

The trusted harness walks the student's notebook in order, as a kernel would:

- a cell of the student's (answers, their own cells, the lab's demos and self-checks) is
  sent to the sandboxed runner (``runner.py``), which runs it and sends back its text;
- a test cell is never taken from the submission. Its code comes from the instructor's
  source notebook, hidden tests included, and runs *here*, in a namespace with the lab's
  setup (``numpy as np``, ``eps``, ...) run here too. Names the test uses that the setup
  does not define are looked up in the student's process and arrive as plain data or as
  stand-ins (``remote.py``). Whether the test passes is decided here, by this code.

So nothing the student's process prints, displays or sends as a kernel message can pass a
test, and the hidden tests never enter the sandbox (only the inputs the tests call the
student's functions with do). The result is a ``Graded`` record: a score per test cell,
the notebook to keep in ``autograded/`` (the student's cells with their outputs, the
release's visible tests with the harness's verdict, never the hidden code) and notes.

A sandbox that cannot be started (before any student code ran) is the grader's failure, not
the student's: ``SandboxError`` goes up and the submission is reported as not graded.
A test cell has ``cell_timeout`` seconds. A student's process that stops answering or dies
in a test is killed, that test scores nothing, and the process is started again with the
student's cells replayed (at most ``MAX_RESTARTS`` times); one that dies while running the
student's own cells ends the run there, and the tests after it score nothing, as in
JupyterLab.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import copy
import io
import os
import signal
import sys
import time
import traceback
from dataclasses import dataclass, field
from functools import cache

import nbformat

from . import wire
from .notebooks import COURSE, is_answer, is_test, nbg, release_nb, source_nb
from .remote import Remote, SandboxGone, StudentError
from .sandbox import Limits, Process, SandboxError
from .shortcuts import find as find_shortcuts

MAX_RESTARTS = 2
OUTPUT_CHARS = 100_000  # characters of one cell's output kept in the graded notebook
NOTEBOOK_OUTPUT_CHARS = 2_000_000  # of all outputs together
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


@dataclass
class Graded:
    """What grading one submission produced (plain data: it crosses process boundaries)."""

    student: str
    lab: str
    scores: dict[str, float] = field(default_factory=dict)  # test grade id -> points
    notes: list[str] = field(default_factory=list)
    notebook: dict | None = None  # the autograded notebook, as nbformat's dict
    status: str = "graded"
    seconds: float = 0.0


# ----------------------------------------------------------------------------------------
# The lab, as the grader knows it (trusted: from the source and release notebooks)
# ----------------------------------------------------------------------------------------


@dataclass
class TestCell:
    grade_id: str
    points: float
    code: object  # compiled source, hidden tests included
    hidden: tuple[int, int] | None  # first and last line of the hidden block
    lines: list[str]


@dataclass
class Lab:
    name: str
    tests: dict[str, TestCell]
    setup: list  # compiled trusted cells
    release: object  # the release notebook
    exercises: dict[str, list[str]]  # answer grade id -> its test grade ids
    files: dict[str, str]  # the lab's helper files, given to the student's process
    released: dict[str, str]  # grade id -> the release's source of that cell


def _answer_names(nb) -> set[str]:
    names = set()
    for cell in nb.cells:
        if cell.cell_type == "code" and is_answer(cell):
            try:
                tree = ast.parse(cell.source)
            except SyntaxError:
                continue
            for node in tree.body:
                if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                    names.add(node.name)
                elif isinstance(node, ast.Assign):
                    names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def _trusted(cell, answer_names: set[str]) -> bool:
    """A locked cell the grader runs itself: no name an answer defines appears in it."""
    if cell.cell_type != "code" or is_answer(cell) or is_test(cell):
        return False
    try:
        tree = ast.parse(cell.source)
    except SyntaxError:
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in answer_names:
            return False
    return True


@cache
def lab(name: str) -> Lab:
    source, release = source_nb(name), release_nb(name)
    answer_names = _answer_names(source)
    tests, setup, exercises, current = {}, [], {}, None
    for cell in source.cells:
        meta = nbg(cell)
        if cell.cell_type == "code" and is_answer(cell):
            current = meta["grade_id"]
            exercises[current] = []
        elif is_test(cell):
            lines = cell.source.splitlines()
            marks = [
                i + 1 for i, line in enumerate(lines) if line.strip() in (HIDDEN_BEGIN, HIDDEN_END)
            ]
            hidden = (marks[0], marks[-1]) if marks else None
            gid = meta["grade_id"]
            code = compile(cell.source, f"<test {gid}>", "exec")
            tests[gid] = TestCell(gid, float(meta.get("points", 0)), code, hidden, lines)
            if current:
                exercises[current].append(gid)
        elif _trusted(cell, answer_names):
            setup.append(compile(cell.source, f"<setup {meta.get('grade_id')}>", "exec"))
    folder = COURSE / "release" / name
    files = {
        p.name: p.read_text(encoding="utf-8")
        for p in sorted(folder.iterdir())
        if p.is_file() and p.suffix == ".py"
    }
    released = {nbg(c)["grade_id"]: c.source for c in release.cells if nbg(c).get("grade_id")}
    return Lab(name, tests, setup, release, exercises, files, released)


# ----------------------------------------------------------------------------------------
# The notebook to run: the student's cells, the release's test cells
# ----------------------------------------------------------------------------------------


def _same(a: str, b: str) -> bool:
    return [line.rstrip() for line in a.strip().splitlines()] == [
        line.rstrip() for line in b.strip().splitlines()
    ]


def _grading(cell) -> dict:
    """The metadata that decides grading (nbgrader adds checksums and versions around it)."""
    return {k: nbg(cell).get(k) for k in ("grade", "solution", "task", "points", "locked")}


def merge(nb, the_lab: Lab) -> tuple[object, list[str]]:
    """The submission with every graded cell as the release has it (test cells' code and
    all grading metadata; answers keep the student's code), and what had to change."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:  # a source may be a list of lines; the grader reads one string
        if not isinstance(cell.get("source"), str):
            cell.source = "".join(map(str, cell.get("source") or []))
    notes = []
    want = {nbg(c)["grade_id"]: c for c in the_lab.release.cells if nbg(c).get("grade_id")}
    source_cells = {nbg(c).get("grade_id"): c for c in source_nb(the_lab.name).cells}
    seen = set()
    for cell in nb.cells:
        gid = nbg(cell).get("grade_id")
        if not gid:
            cell.get("metadata", {}).pop("nbgrader", None)
            continue
        if gid not in want or gid in seen:
            del cell.metadata["nbgrader"]
            why = "a copy of" if gid in seen else "an unknown"
            notes.append(f"a cell claiming {why} grade id {gid[:60]!r} was made an ordinary cell")
            continue
        seen.add(gid)
        ref = want[gid]
        if is_test(ref):
            edited = not _same(cell.source, ref.source) and not _same(
                cell.source, source_cells.get(gid, ref).source
            )
            if edited or cell.cell_type != "code":
                notes.append(f"test cell {gid!r} was edited; the original was graded")
            if _grading(cell) != _grading(ref):
                notes.append(f"test cell {gid!r}: its grading metadata was changed; restored")
            cell.cell_type, cell.source = "code", ref.source
        elif _grading(cell) != _grading(ref) or cell.cell_type != ref.cell_type:
            notes.append(f"cell {gid!r}: its grading metadata was changed; restored")
            cell.cell_type = ref.cell_type
        cell.metadata["nbgrader"] = copy.deepcopy(nbg(ref))
        if cell.cell_type != "code":
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
        else:
            cell.setdefault("outputs", [])
            cell.setdefault("execution_count", None)
    order = list(want)
    for i, gid in enumerate(order):  # deleted graded cells: back after their predecessor
        if gid in seen:
            continue
        ref = copy.deepcopy(want[gid])
        if is_test(ref) or is_answer(ref):  # a deleted heading or text is no tampering
            kind = "test cell" if is_test(ref) else "answer cell"
            notes.append(f"{kind} {gid!r} was deleted; restored")
        at = 0
        for prev in reversed(order[:i]):
            idx = [k for k, c in enumerate(nb.cells) if nbg(c).get("grade_id") == prev]
            if idx:
                at = idx[0] + 1
                break
        nb.cells.insert(at, ref)
        seen.add(gid)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb, notes


# ----------------------------------------------------------------------------------------
# Running it
# ----------------------------------------------------------------------------------------


class Student:
    """``student.ad``, ``student.np``: a name *as the student's process has it*, for a test
    that must run something there on purpose (``student.ad.grad(nll)(theta)``: autodiff_lite
    differentiating the student's function, which only works where the function lives)."""

    def __init__(self, remote: Remote):
        object.__setattr__(self, "_remote", remote)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return self._remote.name(name)

    def __setattr__(self, name, value):
        """``student.verlet_step = reference``: rebinds the name in the student's process."""
        self._remote.question("setname", name=name, value=value)


class StudentNames(dict):
    """A test's namespace: the lab's trusted setup first; any other name (not a built-in) is
    looked up in the student's process each time it is used."""

    def __init__(self, trusted: dict, remote: Remote):
        super().__init__(trusted)
        self.remote = remote
        dict.__setitem__(self, "student", Student(remote))

    def __setitem__(self, name, value):
        """A lab's setup imports ``student`` for the student's own kernel
        (``autodiff_lite.selfcheck.student``); here the name stays the student's process."""
        if name != "student":
            super().__setitem__(name, value)

    def __missing__(self, name):
        if name in vars(builtins):
            raise KeyError(name)
        try:
            return self.remote.name(name)
        except NameError:
            raise KeyError(name) from None


class Session:
    """One sandbox and its wire; started again (with the student's cells replayed) when a
    test kills it."""

    def __init__(self, the_lab: Lab, slot: int, limits: Limits, isolate: bool, timeout: float):
        self.lab, self.slot, self.limits, self.isolate = the_lab, slot, limits, isolate
        self.timeout = timeout
        self.proc: Process | None = None
        self.remote: Remote | None = None
        self.ran: list[str] = []  # the student's cells run so far (to replay)
        self.restarts = 0
        self.received = 0

    def start(self) -> None:
        self.proc = Process(self.slot, self.limits, self.isolate)
        self.remote = Remote(self.proc.from_child, self.proc.to_child)
        try:
            self.proc.hello(self.lab.files)
        except SandboxError:
            self.stop()
            raise

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.stop()
        self.proc = self.remote = None

    def run(self, source: str) -> dict:
        """Run one cell of the student's; its outputs, or raise SandboxGone."""
        if self.proc is None:
            self.start()
        try:
            reply = self.proc.run_cell(source, self.timeout)
        except wire.TimedOut:
            raise SandboxGone(
                "a cell of yours did not finish and could not be interrupted"
            ) from None
        except (wire.Closed, wire.WireError, OSError) as e:
            raise SandboxGone(f"your notebook's process ended: {self._ending(e)}") from None
        self.ran.append(source)
        return reply

    def _ending(self, error) -> str:
        """How the student's process ended: its exit code or signal, when it did."""
        try:
            code = self.proc.proc.wait(timeout=5)
        except Exception:  # noqa: BLE001 - still running: it broke the wire instead
            return f"it broke the connection to the grader ({error})"
        if code > 128 or code < 0:  # bwrap reports a child killed by a signal as 128 + n
            number = -code if code < 0 else code - 128
            try:
                return f"killed by signal {signal.Signals(number).name}"
            except ValueError:
                return f"exited with code {code}"
        return f"exited with code {code}"

    def restart(self) -> bool:
        self.stop()
        if self.restarts >= MAX_RESTARTS:
            return False
        self.restarts += 1
        cells, self.ran = self.ran, []
        try:
            for source in cells:
                self.run(source)
        except (SandboxGone, SandboxError):
            self.stop()
            return False
        return True


def _verdict(test: TestCell, error: BaseException | None) -> tuple[bool, list[dict], str]:
    """(passed, the cell's outputs for the feedback, a one-line reason)."""
    points = f"{test.points:g} point{'s' * (test.points != 1)}"
    if error is None:
        text = f"passed: {points}\n"
        return True, [{"output_type": "stream", "name": "stdout", "text": text}], ""
    frames = [
        f
        for f in traceback.extract_tb(error.__traceback__)
        if f.filename == f"<test {test.grade_id}>"
    ]
    in_hidden = test.hidden is not None and any(
        test.hidden[0] <= f.lineno <= test.hidden[1] for f in frames
    )
    kind = error.kind if isinstance(error, StudentError) else type(error).__name__
    if isinstance(error, SandboxGone):
        reason = str(error)
    elif in_hidden:
        from_student = isinstance(error, StudentError) or not isinstance(error, AssertionError)
        reason = "a hidden test failed" + (f" (with {kind})" if from_student else "")
    else:
        number = frames[-1].lineno if frames else 0
        line = test.lines[number - 1].strip() if 0 < number <= len(test.lines) else ""
        reason = f"a visible test failed: {kind}: {str(error)[:1000]}" + (
            f"\n  in: {line}" if line else ""
        )
    out = {"output_type": "error", "ename": kind, "evalue": reason.splitlines()[0][:500],
           "traceback": [f"failed ({points} lost): {reason}"]}  # fmt: skip
    return False, [out], reason.splitlines()[0][:200]


def _cut(outputs: list[dict], budget: list[int]) -> list[dict]:
    """Outputs kept in the graded notebook: text only here (sanitizing HTML is feedback's
    job), each cut to OUTPUT_CHARS and all to NOTEBOOK_OUTPUT_CHARS."""
    kept = []
    for out in outputs if isinstance(outputs, list) else []:
        if not isinstance(out, dict):
            continue
        if out.get("output_type") == "stream":
            text = str(out.get("text", ""))
            name = "stderr" if out.get("name") == "stderr" else "stdout"
        elif out.get("output_type") == "display_data" and isinstance(out.get("data"), dict):
            text, name = str(out["data"].get("text/plain", "")), "stdout"
        else:
            continue
        text = text[: min(OUTPUT_CHARS, max(0, budget[0]))]
        budget[0] -= len(text)
        if budget[0] <= 0:
            text += "\n[output cut: this notebook printed more than the grader keeps]\n"
        kept.append(nbformat.v4.new_output("stream", name=name, text=text))
        if budget[0] <= 0:
            break
    return kept


def grade(nb, student: str, lab_name: str, slot: int = 0, limits: Limits | None = None,
          isolate: bool = True, cell_timeout: float = 60) -> Graded:  # fmt: skip
    """Grade one submission (an nbformat notebook); see the module's docstring."""
    start = time.monotonic()
    the_lab = lab(lab_name)
    merged, notes = merge(nb, the_lab)
    result = Graded(student, lab_name, {gid: 0.0 for gid in the_lab.tests}, notes)
    student_cells = [  # the student's code: answers, own cells, and lab cells they edited
        (nbg(c).get("grade_id") if is_answer(c) else None, c.source)
        for c in merged.cells
        if c.cell_type == "code"
        and not is_test(c)
        and (is_answer(c) or not _same(c.source, the_lab.released.get(nbg(c).get("grade_id"), "")))
    ]
    zeroed, shortcut_notes = find_shortcuts(lab_name, student_cells, the_lab.exercises)
    result.notes += shortcut_notes
    session = Session(the_lab, slot, limits or Limits(), isolate, cell_timeout)
    trusted: dict = {"__name__": "__test__"}
    sys.path.insert(0, str(COURSE / "release" / lab_name))  # the lab's self-check module
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            for code in the_lab.setup:
                exec(code, trusted)  # noqa: S102 - the instructor's own setup cells
    finally:
        sys.path.remove(str(COURSE / "release" / lab_name))
    budget, stopped = [NOTEBOOK_OUTPUT_CHARS], None
    try:
        for index, cell in enumerate(merged.cells):
            if cell.cell_type != "code":
                continue
            if not is_test(cell):
                if stopped:
                    continue
                try:
                    done = session.run(cell.source)
                    cell.outputs = _cut(done.get("outputs"), budget)
                    if done.get("error"):  # the traceback is in the text above
                        kind = str(done["error"])[:80]
                        cell.outputs.append(
                            nbformat.v4.new_output("error", ename=kind, evalue="", traceback=[])
                        )
                    if done.get("error") == "KeyboardInterrupt":
                        result.notes.append(
                            f"cell {index + 1} ran past the time limit of {cell_timeout:g} s "
                            "and was interrupted"
                        )
                except SandboxGone as e:
                    stopped = f"your notebook stopped in cell {index + 1}: {e}"
                    result.notes.append(stopped)
                    cell.outputs = [nbformat.v4.new_output("stream", name="stderr", text=stopped)]
                    session.stop()
                continue
            gid = nbg(cell)["grade_id"]
            test = the_lab.tests[gid]
            if stopped:
                error: BaseException | None = SandboxGone(stopped)
            elif gid in zeroed:
                error = SandboxGone(
                    "not graded: the exercise uses a forbidden shortcut (see flags)"
                )
            else:
                error = _run_test(session, test, trusted)
            passed, cell.outputs, reason = _verdict(test, error)
            if error is not None and os.environ.get("DIFFPROG_DEBUG_TESTS"):
                print(f"--- {gid}:", "".join(traceback.format_exception(error))[-3000:])
            result.scores[gid] = test.points if passed else 0.0
            if isinstance(error, SandboxGone) and not stopped and gid not in zeroed:
                result.notes.append(f"test {gid}: {reason}")
                if not session.restart():
                    stopped = "your code's process could not be started again after a failure"
    finally:
        session.stop()
    result.notebook = merged
    result.seconds = time.monotonic() - start
    return result


def _run_test(session: Session, test: TestCell, trusted: dict) -> BaseException | None:
    if session.proc is None:
        session.start()
    session.remote.deadline = time.monotonic() + session.timeout
    session.remote.broken = None
    namespace = StudentNames(trusted, session.remote)
    try:
        exec(test.code, namespace)  # noqa: S102 - the instructor's test, in the grader
    except SandboxGone as e:
        return e
    except Exception as e:  # noqa: BLE001 - a failed test is a grade
        return e
    finally:
        # what the test defined stays for the next test cells, as in a kernel
        trusted.update(dict.items(namespace))
        del namespace
        try:
            session.remote.release()
        except SandboxGone:
            pass
        session.remote.deadline = None
    return None
