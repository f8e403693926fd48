"""The grading sandbox and the wire, checked directly (fast; no nbgrader run).

The probe runs inside a real bubblewrap sandbox (``notebooks/grader/sandbox.py``) and reports
what it can see and do: the grader's files, its environment, other processes, the host's
network. Each protection is also checked *switched off* (``isolate=False``, the command
line's ``--unsafe-no-sandbox``), where the same probe must see the host: so these tests can
fail. ``tests/test_attacks.py`` attacks the whole pipeline; this module pins the boundary.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "notebooks"))
from grader import remote, sandbox, wire  # noqa: E402

pytestmark = pytest.mark.skipif(
    sandbox.shutil.which("bwrap") is None, reason="needs bubblewrap (make test installs it)"
)


class Listener:
    """A TCP server on the host's loopback that records every connection it accepts."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted += 1
            conn.close()

    def close(self):
        self.running = False
        self.thread.join()
        self.sock.close()


PROBE = r"""
import json, os, socket, subprocess
report = {"uid": os.getuid(), "pids": len([p for p in os.listdir('/proc') if p.isdigit()])}
report["root"] = sorted(os.listdir('/'))
report["canary_env"] = os.environ.get("DIFFPROG_CANARY")
report["course_visible"] = os.path.exists(COURSE)
try:
    open(SECRET).read()
    report["secret"] = "read"
except OSError as e:
    report["secret"] = type(e).__name__
try:
    socket.create_connection(("127.0.0.1", PORT), timeout=2).close()
    report["network"] = "connected"
except OSError as e:
    report["network"] = type(e).__name__
try:
    open(os.path.join(os.path.dirname(os.__file__), "pwned.txt"), "w")
    report["python_writable"] = True
except OSError:
    report["python_writable"] = False
try:
    with open("big.bin", "wb") as f:
        for _ in range(200):
            f.write(b"x" * 2**20)
    report["wrote_mb"] = 200
except OSError as e:
    report["wrote_mb"] = os.path.getsize("big.bin") // 2**20
os.remove("big.bin")
children = []
try:
    for _ in range(300):
        children.append(subprocess.Popen(["sleep", "30"]))
except OSError:
    pass
report["children"] = len(children)
for c in children:
    c.kill()
print(json.dumps(report))
"""


def run_probe(isolate: bool, secret: Path, port: int) -> dict:
    proc = sandbox.Process(1, sandbox.Limits(), isolate)
    try:
        proc.hello({})  # raises unless the runner says it is ready
        source = (
            f"COURSE, SECRET, PORT = {str(ROOT / 'notebooks')!r}, {str(secret)!r}, {port}\n" + PROBE
        )
        done = proc.run_cell(source, 60)
    finally:
        proc.stop()
    text = "".join(o.get("text", "") for o in done["outputs"])
    assert not done["error"], text
    return json.loads(text.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def probes(tmp_path_factory):
    secret = tmp_path_factory.mktemp("grader-home") / "secret.txt"
    secret.write_text("the grader's private file")
    os.environ["DIFFPROG_CANARY"] = "canary-7f3a"
    listener = Listener()
    try:
        inside = run_probe(True, secret, listener.port)
        accepted_inside = listener.accepted
        outside = run_probe(False, secret, listener.port)
    finally:
        listener.close()
        del os.environ["DIFFPROG_CANARY"]
    return inside, accepted_inside, outside, listener.accepted - accepted_inside


def test_the_sandbox_sees_nothing_of_the_host(probes):
    inside, accepted, _, _ = probes
    assert inside["uid"] != 0
    assert inside["pids"] <= 3, inside  # its own PID namespace: the runner and its init
    # the system folders, and the top folder of each path bound for Python (the checkout
    # may live anywhere: /work here, /check/work on CI)
    bound = {Path(path).parts[1] for path in sandbox._python_paths()}
    system = {"bin", "dev", "home", "lib", "lib32", "lib64", "opt", "proc", "sbin", "tmp", "usr"}
    assert set(inside["root"]) <= system | bound, (inside["root"], bound)
    assert "etc" not in inside["root"]
    assert inside["canary_env"] is None  # a clean environment
    assert inside["course_visible"] is False  # no course folder, gradebook or solutions
    assert inside["secret"] == "FileNotFoundError"  # nothing of the grader's home
    assert inside["python_writable"] is False  # the Python installation is read-only


def test_the_sandbox_has_no_network(probes):
    inside, accepted, _, _ = probes
    assert inside["network"] in ("ConnectionRefusedError", "OSError"), inside
    assert accepted == 0  # the host's listener never saw the sandbox


def test_the_sandbox_bounds_bytes_and_processes(probes):
    inside, _, _, _ = probes
    limits = sandbox.Limits()
    assert inside["wrote_mb"] <= min(limits.file_mb, limits.scratch_mb) + 1, inside
    assert inside["children"] < limits.processes, inside


def test_without_isolation_the_probe_sees_the_host(probes):
    """The same probe with the sandbox switched off: every check above would fail."""
    _, _, outside, accepted = probes
    assert outside["course_visible"] is True
    assert outside["secret"] == "read"
    assert outside["network"] == "connected" and accepted >= 1
    assert outside["pids"] > 3


def test_a_stopped_sandbox_leaves_no_process_behind():
    proc = sandbox.Process(7, sandbox.Limits(), True)
    proc.hello({})
    proc.run_cell("import subprocess\nfor _ in range(5): subprocess.Popen(['sleep', '300'])", 30)
    uid = sandbox.SANDBOX_UID_BASE + 7 if os.geteuid() == 0 else None
    proc.stop()
    time.sleep(0.5)
    if uid is None:
        pytest.skip("per-slot uids are used only when grading as root")
    left = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        uids = next(line for line in status.splitlines() if line.startswith("Uid:")).split()
        if int(uids[1]) == uid:
            left.append(pid)
    assert not left, f"processes of the sandbox still running: {left}"


# ----------------------------------------------------------------------------------------
# The wire: plain data only
# ----------------------------------------------------------------------------------------


class AgreeingArray(np.ndarray):
    def __eq__(self, other):
        return np.ones(self.shape, bool)


def test_an_array_subclass_arrives_as_plain_numbers():
    sent = np.arange(3.0).view(AgreeingArray)
    got = wire.decode(json.loads(json.dumps(wire.encode(sent))))
    assert type(got) is np.ndarray and got.dtype == np.float64
    assert not np.array_equal(got, [9.0, 9.0, 9.0])


@pytest.mark.parametrize(
    "frame",
    [
        {"$array": {"dtype": "object", "shape": [1], "data": ""}},
        {"$array": {"dtype": "float64", "shape": [4], "data": "AAAAAAAA8D8="}},  # 1 of 4
        {"$array": {"dtype": "float64", "shape": [2**40], "data": ""}},
        {"$pickle": "gASV"},
        {"$handle": 1},  # a reference where only data may be
        {"$tuple": [1], "extra": 2},
    ],
)
def test_the_wire_refuses_what_is_not_plain_data(frame):
    with pytest.raises(wire.WireError):
        wire.decode(frame)


def test_the_wire_refuses_deep_nesting():
    deep = 0
    for _ in range(wire.MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(wire.WireError):
        wire.decode(deep)


def test_the_wire_refuses_a_flood_of_elements():
    """A frame's worth of tiny elements would cost the grader far more memory than bytes."""
    with pytest.raises(wire.WireError):
        wire.decode({"$tuple": [0] * (wire.MAX_ELEMENTS + 1)})
    with pytest.raises(wire.WireError):
        wire.decode([[0] * 1000] * (wire.MAX_ELEMENTS // 1000 + 1))


def test_a_student_object_is_compared_by_its_value():
    """An object whose ``__eq__`` always says yes is compared by its numbers, here."""

    class FakeRemote:
        def question(self, op, **fields):
            assert op == "value", "a comparison must never be asked of the student's object"
            return 3.0

    obj = remote.StudentObject(FakeRemote(), wire.Handle(1, "Liar"))
    assert obj == 3.0 and not (obj == 5.0) and obj < 4 and float(obj) == 3.0
    assert np.isclose(obj, 3.0) and not np.isclose(obj, 5.0)


MEMORY_PROBE = """
import os, time
pids = []
for _ in range(2):
    pid = os.fork()
    if pid == 0:
        block = b"x" * (360 * 2**20)  # 56% of the 640 MB limit, every page touched
        time.sleep(2)
        os._exit(0)
    pids.append(pid)
print(sum(os.waitpid(p, 0)[1] == 0 for p in pids))  # children that held their block
"""


def _children_that_held(monkeypatch, with_cgroups: bool) -> int:
    if not with_cgroups:
        monkeypatch.setattr(sandbox, "make_cgroups", lambda name, limits: [])
    proc = sandbox.Process(8, sandbox.Limits(memory_mb=640), True)
    try:
        proc.hello({})
        done = proc.run_cell(MEMORY_PROBE, 30)
    finally:
        proc.stop()
    return int("".join(o.get("text", "") for o in done["outputs"]).split()[-1])


@pytest.mark.skipif(not sandbox.cgroups_available(), reason="needs cgroup v1 as root")
def test_a_sandbox_shares_one_memory_limit_among_its_processes(monkeypatch):
    """With a control group, two children of 56% each cannot both hold their memory; without
    it (the per-process limit alone) they can: the check fails when the protection is off."""
    assert _children_that_held(monkeypatch, with_cgroups=True) == 1
    assert _children_that_held(monkeypatch, with_cgroups=False) == 2
