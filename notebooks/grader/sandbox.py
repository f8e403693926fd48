"""The OS sandbox one submission runs in: bubblewrap, an unprivileged user, nothing else.

Why bubblewrap. It is the sandbox Flatpak runs every desktop application in: small (one
setuid-free binary from Debian's ``bubblewrap`` package), maintained, and it builds exactly
the view we ask for out of Linux namespaces, with no daemon and no image. nsjail would do
too (it adds seccomp policies and cgroups but is not packaged by Debian); a rootless
container runtime (podman) needs an image and storage set up per machine. Python-level
fences (audit hooks, the first version's approach) are not a boundary at all: ``ctypes``,
``os.chdir`` plus relative paths or SQLite's ``ATTACH`` walk around them.

What the student's process gets (``command``):

- its own PID, network, IPC, UTS and cgroup namespaces: it sees only its own processes (so
  it cannot signal the grader or another student's run), and its network is an empty
  namespace whose loopback reaches nothing but itself;
- a root file system made of read-only views of ``/usr`` (and its ``/bin``, ``/lib``
  links), the Python installation and the virtual environment, the ``autodiff_lite``
  package and the two files of the runner (``runner.py``, ``wire.py``), plus a fresh
  ``/proc`` of its own and a minimal ``/dev``. No course folder, no gradebook, no other
  submission, no home folder, no host ``/proc``, no ``/etc``;
- private writable folders ``/home/student`` (its working folder) and ``/tmp``, each a
  tmpfs of ``scratch_mb``, so the bytes it can write are bounded;
- an unprivileged user: when the grader runs as root, ``setpriv`` (util-linux) drops to a
  uid of its own per grading slot, with no capabilities and ``no_new_privs``; otherwise a
  user namespace maps it to the grader's own uid without privileges;
- limits set before any student code runs (``runner.py``): address space, CPU seconds,
  processes (counted per user, so per sandbox), file size, open files, no core dumps; and,
  where the grader may make control groups (cgroup v1, as root), memory and processes for
  the whole sandbox together (``make_cgroups``). The wall time and the bytes it may send
  back are enforced by the grader (``harness.py``).

If the sandbox cannot be set up, ``check`` says why and grading stops. ``isolate=False``
(the command line's ``--unsafe-no-sandbox``) runs the same runner as a plain child process,
for a trusted local check only; it is named loudly wherever it is used.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from . import wire

GRADER = Path(__file__).resolve().parent
RUNNER_FILES = ("runner.py", "wire.py")
INSIDE = "/opt/grader"  # where the runner's files appear inside the sandbox
HOME = "/home/student"
SANDBOX_UID_BASE = 2_000_000_000  # uids of grading slots when the grader runs as root


class SandboxError(RuntimeError):
    """The sandbox could not be set up: grading must not go on without it."""


@dataclass(frozen=True)
class Limits:
    memory_mb: int = int(os.environ.get("DIFFPROG_MEMORY_MB", "4096"))
    cpu_s: int = 600
    processes: int = 64
    file_mb: int = 16
    scratch_mb: int = 64
    open_files: int = 256

    def runner_env(self) -> str:
        mb = 2**20
        parts = dict(as_=self.memory_mb * mb, cpu=self.cpu_s, nproc=self.processes,
                     fsize=self.file_mb * mb, nofile=self.open_files, core=0)  # fmt: skip
        return ",".join(f"{k.rstrip('_')}={v}" for k, v in parts.items())


@functools.cache
def _autodiff_lite_home() -> str | None:
    """The folder holding the ``autodiff_lite`` the grader imports (its repository when
    installed in editable mode): the student's Python is pointed there (``PYTHONPATH``), so
    that it imports the same package, whichever checkout an editable install names."""
    spec = importlib.util.find_spec("autodiff_lite")
    if spec and spec.submodule_search_locations:
        return str(Path(list(spec.submodule_search_locations)[0]).resolve().parent)
    return None


@functools.cache  # the same for every sandbox of a run
def _python_paths() -> list[str]:
    """The folders the student's Python needs to see: the installation, the environment,
    and ``autodiff_lite`` (installed in editable mode, so it lives in the repository)."""
    paths = {sys.base_prefix, sys.prefix}
    spec = importlib.util.find_spec("autodiff_lite")
    if spec and spec.submodule_search_locations:
        paths.add(str(Path(list(spec.submodule_search_locations)[0]).resolve()))
    real = sorted({os.path.realpath(p) for p in paths} | paths)
    # keep only the outermost of nested paths
    return [p for p in real if not any(p != q and p.startswith(q + "/") for q in real)]


def _parents(path: str) -> list[str]:
    """bubblewrap makes missing parents with the mode of the host's (0700 for /root): make
    them readable first, without showing anything of the host's folders."""
    out, parts = [], Path(path).parents
    for parent in reversed(parts):
        if str(parent) != "/":
            out += ["--perms", "0755", "--dir", str(parent)]
    return out


def command(slot: int, limits: Limits, isolate: bool = True) -> tuple[list[str], dict]:
    """The command line that starts the runner for grading slot ``slot``, and its env."""
    python = os.path.abspath(sys.executable)
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": HOME,
        "LANG": "C.UTF-8",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": "/tmp/matplotlib",
        "PYTHONDONTWRITEBYTECODE": "1",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "DIFFPROG_LIMITS": limits.runner_env(),
    }
    # The environment is exactly this one (bwrap --clearenv; Popen's env otherwise), so the
    # runner reads it (no -E): PYTHONPATH names the grader's own autodiff_lite.
    if _autodiff_lite_home():
        env["PYTHONPATH"] = _autodiff_lite_home()
    if not isolate:
        return [python, "-s", str(GRADER / "runner.py")], env
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise SandboxError(
            "bubblewrap (bwrap) is not installed: grading needs it to isolate student code. "
            "Install it (sudo apt-get install bubblewrap), or, for a trusted local check "
            "only, run with --unsafe-no-sandbox"
        )
    argv = [bwrap, "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts"]
    argv += ["--unshare-cgroup-try", "--die-with-parent", "--new-session", "--clearenv"]
    if os.geteuid() != 0:
        argv += ["--unshare-user", "--uid", "65534", "--gid", "65534"]
    # the private writable folders first: a later bind may lie inside one of them (a
    # virtual environment under /tmp must not be hidden by the sandbox's own /tmp)
    argv += ["--dev", "/dev"]
    size = str(limits.scratch_mb * 2**20)
    for folder in ("/tmp", "/dev/shm", HOME):
        argv += ["--size", size, "--perms", "1777", "--tmpfs", folder]
    argv += ["--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64"):
        if os.path.islink(top):
            argv += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            argv += ["--ro-bind", top, top]
    for path in _python_paths():
        argv += [*_parents(path), "--ro-bind", path, path]
    argv += ["--perms", "0755", "--dir", INSIDE]
    for name in RUNNER_FILES:
        argv += ["--ro-bind", str(GRADER / name), f"{INSIDE}/{name}"]
    argv += ["--proc", "/proc"]
    argv += ["--chdir", HOME]
    for key, value in env.items():
        argv += ["--setenv", key, value]
    if os.geteuid() == 0:
        uid = str(SANDBOX_UID_BASE + slot)
        argv += ["/usr/bin/setpriv", "--reuid", uid, "--regid", uid, "--clear-groups"]
        argv += ["--inh-caps=-all", "--bounding-set=-all", "--no-new-privs"]
    argv += [python, "-s", f"{INSIDE}/runner.py"]
    return argv, env


CGROUP_V1 = Path("/sys/fs/cgroup")


def _write(path: Path, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


def make_cgroups(name: str, limits: Limits) -> list[Path]:
    """Control groups that bound the whole sandbox, all its processes together: memory
    (``memory_mb``) and processes, where the grader may make them (cgroup v1's memory and
    pids controllers, as root). ``[]`` where it may not: then only the per-process limits
    apply (``runner.py``), and a sandbox's processes together can use more memory."""
    made: list[Path] = []
    wanted = {
        "memory": {"memory.limit_in_bytes": str(limits.memory_mb * 2**20)},
        "pids": {"pids.max": str(4 * limits.processes)},  # threads count here too
    }
    try:
        for controller, files in wanted.items():
            group = CGROUP_V1 / controller / f"diffprog-{name}"
            group.mkdir()
            made.append(group)
            for file, value in files.items():
                _write(group / file, value)
    except OSError:
        remove_cgroups(made)
        return []
    return made


def remove_cgroups(groups: list[Path]) -> None:
    """Kill whatever is left in the groups, then remove them."""
    for group in groups:
        for _ in range(50):
            try:
                pids = (group / "cgroup.procs").read_text().split()
            except OSError:
                pids = []
            for pid in pids:
                try:
                    os.kill(int(pid), 9)
                except (ProcessLookupError, ValueError):
                    pass
            try:
                group.rmdir()
                break
            except FileNotFoundError:
                break
            except OSError:
                time.sleep(0.02)


def cgroups_available() -> bool:
    groups = make_cgroups(f"probe-{os.getpid()}", Limits())
    remove_cgroups(groups)
    return bool(groups)


class Process:
    """A running sandbox: the runner on the other end of two pipes."""

    def __init__(self, slot: int, limits: Limits, isolate: bool = True):
        argv, env = command(slot, limits, isolate)
        self.cgroups = make_cgroups(f"{os.getpid()}-{slot}", limits) if isolate else []
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()
        self._scratch = None
        cwd = None
        if not isolate:
            self._scratch = tempfile.TemporaryDirectory(prefix="diffprog-unsafe-")
            cwd = self._scratch.name
            env = {**env, "HOME": cwd, "MPLCONFIGDIR": cwd}
        # The runner reads fd 3 and writes fd 4: move the pipe ends there in the child.
        self.proc = subprocess.Popen(
            [
                "/bin/bash",
                "-c",
                # join the sandbox's control groups (children inherit them), then run it
                'r=$1 w=$2; shift 2; for g in $CGROUPS; do echo $$ > "$g/cgroup.procs" '
                '|| exit 97; done; exec 3<&"$r" 4>&"$w" "$@"',
                "bash",
                str(to_child_r),
                str(from_child_w),
                *argv,
            ],  # fmt: skip
            pass_fds=(to_child_r, from_child_w),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env
            if not isolate
            else {"PATH": "/usr/bin:/bin", "CGROUPS": " ".join(map(str, self.cgroups))},
            cwd=cwd,
            start_new_session=True,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self.errors = bytearray()
        self._drain = threading.Thread(target=self._read_errors, daemon=True)
        self._drain.start()

    def hello(self, files: dict[str, str]) -> None:
        """Give the runner the lab's helper files and wait until it is ready; SandboxError,
        with what the sandbox printed, if it never is."""
        try:
            wire.send(self.to_child, {"op": "hello", "files": files})
            reply = wire.recv(self.from_child, time.monotonic() + 120)
        except (wire.Closed, wire.TimedOut, wire.WireError) as e:
            raise SandboxError(f"the sandbox did not start ({e}): {self.stderr_text()}") from None
        if reply.get("op") != "ready":
            raise SandboxError("the sandbox did not start: its runner did not say it was ready")

    def run_cell(self, source: str, timeout: float) -> dict:
        """Run one cell in the runner; its ``done`` message (``outputs``, ``error``). The
        wire's exceptions say when the runner did not answer in ``timeout`` + 30 s or died."""
        wire.send(self.to_child, {"op": "exec", "source": source, "timeout": timeout})
        deadline = time.monotonic() + timeout + 30
        while True:  # a late reply to a question the grader gave up on may come first
            reply = wire.recv(self.from_child, deadline)
            if reply["op"] == "done":
                return reply

    def _read_errors(self) -> None:
        # keep the first 16 KB of what the sandbox writes to stderr (bwrap's own errors)
        for chunk in iter(lambda: self.proc.stderr.read(4096), b""):
            if len(self.errors) < 16384:
                self.errors += chunk[: 16384 - len(self.errors)]

    def stop(self) -> None:
        """Kill the sandbox and everything in it (its PID namespace dies with it)."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, 9)
            except ProcessLookupError:
                pass
        self.proc.wait()
        remove_cgroups(self.cgroups)
        for fd in (self.to_child, self.from_child):
            try:
                os.close(fd)
            except OSError:
                pass
        wire.forget(self.from_child)
        self._drain.join(timeout=5)
        if self._scratch is not None:
            self._scratch.cleanup()

    def stderr_text(self) -> str:
        return bytes(self.errors).decode(errors="replace").strip()
