"""Grading untrusted notebooks with the least privilege this machine allows.

nbgrader runs a student's notebook in a Jupyter kernel with the rights of whoever runs
``nbgrader autograde``: the instructor. This module narrows that, in two parts.

1. :class:`SandboxedExecute`, nbgrader's ``Execute`` preprocessor with three additions:

   - the kernel is started through this file (``python sandbox.py kernel ...``) instead of
     plainly, so that it runs inside the limits of part 2, and listens on Unix sockets in a
     folder of its own rather than on TCP ports;
   - a kernel that dies (``os._exit``, a segfault, a memory or CPU limit) or stops
     answering does not abort grading: the cell that killed it gets an error output saying
     why, the cells after it are marked "not run", and the grades so far are kept;
   - before each autograder test cell, a *guard* compares the functions the tests rely on
     (``np.allclose``, ``np.testing.*``, ``ad.grad``, IPython's traceback display, ...)
     with what they were before any student code ran. If student code replaced one, that
     test cell is not run, gets zero points, and the submission is flagged.

   What happened (crash, tampering, timeouts) is written to a JSON report in a folder the
   student's code cannot reach (``report_dir``).

2. The kernel wrapper (``main``), which runs before any student code, in the kernel process:

   - resource limits: address space (a memory bomb gets ``MemoryError``), CPU seconds,
     file size, no core dumps, and a cap on processes;
   - a clean environment: no inherited variables (database URLs, tokens), a private HOME and
     TMPDIR inside the submission's folder;
   - when started as root: it drops to the unprivileged user ``nobody``, so the operating
     system itself keeps the kernel away from the gradebook and everything else it may
     not write;
   - a Python audit hook (PEP 578), which cannot be removed once installed, refusing: reads
     of the protected folders (the course: ``source/`` with the solutions, the gradebook,
     other students' work), writes outside the submission's folder, starting processes,
     network connections and opening SQLite databases.

What this does not do: an audit hook is a tripwire, not a wall. Code that reaches raw
memory (``ctypes``) can get around it, and the guard runs inside the student's process.
For a course where students may attack the grader, run each grading job in a container or
VM with no network and a read-only filesystem (see ``notebooks/README.md``).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from queue import Empty

from traitlets import Integer, List, Unicode  # (the kernel imports traitlets anyway)

# ----------------------------------------------------------------------------------------
# Part 1: the nbgrader preprocessor (runs in the trusted grading process)
# ----------------------------------------------------------------------------------------

if __name__ != "__main__":  # imported by nbgrader: the grading process
    from jupyter_core.utils import ensure_async, run_sync
    from nbformat.notebooknode import NotebookNode
    from nbgrader.preprocessors import Execute
else:  # run as the kernel wrapper (part 2), which needs none of the grader's imports.
    # Speed: they cost the kernel 3 to 4 s of CPU at every start (importing nbformat
    # compiles the grammars of its JSON-schema validator), 6 times what the kernel itself
    # needs, and the kernel starts once per graded notebook.
    Execute = object

    def run_sync(function):
        return function


# The names the autograder tests rely on. Student code may use them, not replace them.
GUARDED = {
    "builtins": [
        "abs", "all", "any", "callable", "float", "getattr", "hasattr", "int", "isinstance",
        "len", "list", "max", "min", "print", "range", "repr", "round", "sorted", "str",
        "sum", "tuple", "type", "zip", "AssertionError", "Exception",
    ],
    "math": ["isclose", "isfinite", "sqrt", "exp", "log", "sin", "cos"],
    "numpy": [
        "allclose", "isclose", "array_equal", "asarray", "array", "abs", "max", "min", "all",
        "any", "isfinite", "shape", "zeros", "ones", "linspace", "float64",
    ],
    "numpy.testing": [
        "assert_allclose", "assert_array_equal", "assert_array_almost_equal", "assert_equal",
    ],
    "numpy.linalg": ["norm", "solve"],
    "numpy.random": ["default_rng"],
    "autodiff_lite": [
        "grad", "jvp", "vjp", "value_and_grad", "jacfwd", "jacrev", "hessian", "check_grads",
    ],
    "IPython.core.interactiveshell": ["InteractiveShell.showtraceback",
                                      "InteractiveShell._showtraceback",
                                      "InteractiveShell.run_cell",
                                      "InteractiveShell.run_cell_async",
                                      "InteractiveShell.run_code"],
}  # fmt: skip

# Runs silently in the kernel: prints one line, the fingerprint of every guarded name
# (the identity of the object and of its code), between markers.
GUARD_CODE = (
    "def __diffprog_guard(guarded):\n"
    "    import importlib, json\n"
    "    out = {}\n"
    "    for module, names in guarded.items():\n"
    "        try:\n"
    "            obj0 = importlib.import_module(module)\n"
    "        except Exception:\n"
    "            continue\n"
    "        for name in names:\n"
    "            obj = obj0\n"
    "            try:\n"
    "                for part in name.split('.'):\n"
    "                    obj = getattr(obj, part)\n"
    "            except AttributeError:\n"
    "                out[module + '.' + name] = 'missing'\n"
    "                continue\n"
    "            code = getattr(obj, '__code__', None)\n"
    "            out[module + '.' + name] = [id(obj), id(code)]\n"
    "    ip = get_ipython()\n"
    "    for attr in ('showtraceback', '_showtraceback', 'run_cell', 'run_code'):\n"
    "        bound = getattr(ip, attr, None)\n"
    "        out['shell.' + attr] = id(getattr(bound, '__func__', bound))\n"
    "    import os\n"
    "    out['sandbox'] = os.environ.get('DIFFPROG_SANDBOX_USER', 'not sandboxed')\n"
    "    print('@@GUARD@@' + json.dumps(out, sort_keys=True) + '@@GUARD@@')\n"
    "__diffprog_guard({guarded!r})\n"
    "del __diffprog_guard\n"
)

GUARD_SOURCE = GUARD_CODE.replace("{guarded!r}", repr(GUARDED))

NOT_RUN = "not run: the kernel stopped in an earlier cell ({why})"


def _error_output(ename: str, evalue: str):
    return NotebookNode(
        output_type="error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"]
    )


def _is_test_cell(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.cell_type == "code" and meta.get("grade", False) and not meta.get("solution")


class SandboxedExecute(Execute):
    """nbgrader's Execute, with a sandboxed kernel, crash handling and the guard."""

    memory_mb = Integer(4096, help="Address-space limit of the kernel, in MiB.").tag(config=True)
    cpu_seconds = Integer(600, help="CPU-time limit of the kernel, in seconds.").tag(config=True)
    protected_paths = List(
        Unicode(), [], help="Folders the student's code may not read (the course, ...)."
    ).tag(config=True)
    report_dir = Unicode("", help="Where to write the grading reports (JSON).").tag(config=True)

    # ---- starting the kernel through the wrapper ------------------------------------

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        if os.name == "posix":
            # Unix sockets in a private folder instead of TCP ports on localhost. With TCP,
            # jupyter_client picks free ports and closes them, and the kernel binds them a
            # moment later; graders running side by side could take each other's ports, and
            # then a kernel never answered ("Kernel didn't respond in 60 seconds": measured
            # 1 start in 120 with 4 graders starting kernels on 2 cores). Socket files in a
            # new folder per kernel have no such race. (As with TCP, the messages are
            # signed with the kernel's own key; another process cannot forge them.)
            self._socket_dir = tempfile.mkdtemp(prefix="diffprog-kernel-")
            if os.geteuid() == 0:  # the kernel will be `nobody` (see _drop_privileges)
                os.chown(self._socket_dir, NOBODY, NOBODY)
            km.transport = "ipc"
            km.ip = os.path.join(self._socket_dir, "kernel")
        spec = km.kernel_spec
        spec.argv = [
            sys.executable,
            os.path.abspath(__file__),
            "kernel",
            "-f",
            "{connection_file}",
        ]
        spec.env = {
            **(spec.env or {}),
            "DIFFPROG_SANDBOX_PROTECT": os.pathsep.join(
                os.path.abspath(p) for p in self.protected_paths
            ),
            "DIFFPROG_SANDBOX_MEMORY_MB": str(self.memory_mb),
            "DIFFPROG_SANDBOX_CPU_S": str(self.cpu_seconds),
        }
        return km

    # ---- running the notebook ---------------------------------------------------------

    def preprocess(self, nb, resources=None, km=None):
        self._report = {"crash": None, "tampered": [], "timeouts": [], "not_run": 0}
        self._baseline = None
        self._dead = None
        self._socket_dir = None
        try:
            return super().preprocess(nb, resources, km=km)
        finally:
            self._write_report(resources or {})
            if self._socket_dir:
                shutil.rmtree(self._socket_dir, ignore_errors=True)

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if cell.cell_type != "code":
            return cell
        if self._dead is not None:
            cell.outputs = [_error_output("NotRun", NOT_RUN.format(why=self._dead))]
            self._report["not_run"] += 1
            return cell
        try:
            if self._baseline is None:
                self._baseline = await self._fingerprints()
                self._report["sandbox"] = self._baseline.get("sandbox")
            if _is_test_cell(cell):
                changed = self._changed(await self._fingerprints())
                if changed:
                    return self._refuse(cell, changed)
            result = await super().async_execute_cell(
                cell, cell_index, execution_count=execution_count, store_history=store_history
            )
            if any(o.get("ename") == "CellTimeoutError" for o in cell.get("outputs", [])):
                self._report["timeouts"].append(cell.get("id", cell_index))
            return result
        except Exception as e:  # the kernel died or stopped answering
            why = await self._why_dead(e)
            self._dead = why
            self._report["crash"] = {"cell": cell.get("id", cell_index), "reason": why}
            cell.outputs = [_error_output("KernelDied", f"the kernel stopped in this cell: {why}")]
            await self._kill_kernel()
            return cell

    # nbclient binds the synchronous execute_cell to its own async_execute_cell; rebind it.
    execute_cell = run_sync(async_execute_cell)

    async def _fingerprints(self) -> dict:
        """Run the guard code in the kernel, outside the notebook (no cell, no history)."""
        msg_id = await ensure_async(
            self.kc.execute(GUARD_SOURCE, store_history=False, allow_stdin=False)
        )
        text = ""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                msg = await ensure_async(self.kc.get_iopub_msg(timeout=1))
            except Empty:
                continue
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            content = msg["content"]
            if msg["msg_type"] == "stream":
                text += content.get("text", "")
            elif msg["msg_type"] == "status" and content.get("execution_state") == "idle":
                break
        await self.async_wait_for_reply(msg_id)
        if "@@GUARD@@" in text:
            return json.loads(text.split("@@GUARD@@")[1])
        return {"guard": "no answer (the kernel's output was tampered with?)"}

    def _changed(self, now: dict) -> list[str]:
        base = self._baseline or {}
        return sorted(k for k in set(base) | set(now) if base.get(k) != now.get(k))

    def _refuse(self, cell, changed):
        names = ", ".join(changed[:5]) + (" ..." if len(changed) > 5 else "")
        self._report["tampered"].append({"cell": cell.get("id"), "replaced": changed})
        cell.outputs = [
            _error_output(
                "TamperedEnvironment",
                f"code in this notebook replaced {names}, which the tests rely on: this "
                "test cell was not run (0 points) and the submission is flagged for the "
                "instructor",
            )
        ]
        return cell

    async def _why_dead(self, error: Exception) -> str:
        code = None
        try:
            provisioner = getattr(self.km, "provisioner", None)
            if provisioner is not None:
                code = await provisioner.poll()
        except Exception:  # noqa: BLE001 - best effort: the reason is for humans
            code = None
        if code is None:
            return f"it stopped answering ({type(error).__name__}); it was shut down"
        if code < 0:
            sig = -code
            name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else sig
            extra = {
                "SIGSEGV": " (a segmentation fault)",
                "SIGXCPU": " (the CPU-time limit)",
                "SIGKILL": " (killed, often for using too much memory)",
            }.get(str(name), "")
            return f"the kernel process was killed by {name}{extra}"
        return f"the kernel process exited with code {code} (os._exit or sys.exit in C code?)"

    async def _kill_kernel(self):
        try:
            if self.km is not None:
                await self.km.shutdown_kernel(now=True)
        except Exception:  # noqa: BLE001
            pass

    def _write_report(self, resources):
        if not self.report_dir:
            return
        meta = resources.get("nbgrader", {})
        name = "--".join(str(meta.get(k, "unknown")) for k in ("student", "assignment", "notebook"))
        os.makedirs(self.report_dir, exist_ok=True)
        path = os.path.join(self.report_dir, name + ".json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(self._report, f, indent=1)


# ----------------------------------------------------------------------------------------
# Part 2: the kernel wrapper (runs in the kernel process, before any student code)
# ----------------------------------------------------------------------------------------

NOBODY = 65534
KEEP_ENV = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "JAX_PLATFORMS", "PYTHONPATH")
KEEP_ENV_PREFIXES = ("OMP_", "OPENBLAS_", "MKL_", "XLA_", "JPY_", "JUPYTER_")


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


class Fence:
    """The rules of the audit hook: which paths may be read and written."""

    def __init__(self, workdir: str, protected: list[str]):
        self.workdir = os.path.realpath(workdir)
        self.protected = [os.path.realpath(p) for p in protected if p]
        self.writable = [self.workdir, "/dev/null"]

    def _real(self, path) -> str | None:
        if isinstance(path, int) or path is None:
            return None
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        return os.path.realpath(os.path.join(self.workdir, os.fspath(path)))

    def may_read(self, path) -> bool:
        real = self._real(path)
        if real is None or _inside(real, self.workdir):
            return True
        return not any(_inside(real, root) for root in self.protected)

    def may_write(self, path) -> bool:
        real = self._real(path)
        if real is None:
            return True
        return any(_inside(real, root) for root in self.writable)

    def hook(self, event: str, args: tuple) -> None:
        if event == "open":
            path, mode, flags = args
            writing = (mode and any(c in str(mode) for c in "wax+")) or (
                flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND)
            )
            if writing and not self.may_write(path):
                raise PermissionError(f"grading sandbox: writing {path} is not allowed")
            if not self.may_read(path):
                raise PermissionError(f"grading sandbox: reading {path} is not allowed")
        elif event in ("os.listdir", "os.scandir", "glob.glob"):
            if args and not self.may_read(args[0]):
                raise PermissionError(f"grading sandbox: listing {args[0]} is not allowed")
        elif event in (
            "os.remove", "os.rmdir", "os.mkdir", "os.chmod", "os.chown", "os.truncate",
            "os.utime", "os.link", "os.symlink", "shutil.rmtree", "shutil.copyfile",
            "shutil.move",
        ):  # fmt: skip
            paths = [a for a in args if isinstance(a, (str, bytes, os.PathLike))]
            for p in (
                paths[-1:] if event in ("os.link", "os.symlink", "shutil.copyfile") else paths[:1]
            ):
                if not self.may_write(p):
                    raise PermissionError(f"grading sandbox: changing {p} is not allowed")
        elif event == "os.rename":
            for p in args[:2]:
                if not self.may_write(p):
                    raise PermissionError(f"grading sandbox: renaming {p} is not allowed")
        elif event in (
            "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn",
            "os.fork", "os.forkpty", "pty.spawn",
        ):  # fmt: skip
            raise PermissionError("grading sandbox: starting other programs is not allowed")
        elif event in ("socket.connect", "socket.bind", "socket.sendto"):
            raise PermissionError("grading sandbox: network access is not allowed")
        elif event == "sqlite3.connect":
            if args and str(args[0]) != ":memory:":
                raise PermissionError("grading sandbox: opening databases is not allowed")


def _limit_resources(memory_mb: int, cpu_s: int) -> None:
    import resource

    def cap(kind, value):
        soft, hard = resource.getrlimit(kind)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(kind, (value, value if hard == resource.RLIM_INFINITY else hard))

    cap(resource.RLIMIT_AS, memory_mb * 1024 * 1024)
    cap(resource.RLIMIT_CPU, cpu_s)
    cap(resource.RLIMIT_FSIZE, 256 * 1024 * 1024)
    cap(resource.RLIMIT_CORE, 0)
    cap(resource.RLIMIT_NPROC, 512)


def _clean_environment(workdir: str) -> None:
    keep = {k: v for k, v in os.environ.items() if k in KEEP_ENV or k.startswith(KEEP_ENV_PREFIXES)}
    home = os.path.join(workdir, ".sandbox-home")
    os.makedirs(os.path.join(home, "tmp"), exist_ok=True)
    keep.update(
        HOME=home,
        TMPDIR=os.path.join(home, "tmp"),
        MPLCONFIGDIR=os.path.join(home, "matplotlib"),
        IPYTHONDIR=os.path.join(home, "ipython"),
        XDG_CACHE_HOME=os.path.join(home, "cache"),
        MPLBACKEND="Agg",
        DIFFPROG_SANDBOXED="1",
    )
    os.environ.clear()
    os.environ.update(keep)


def _others_can_read(path: str) -> bool:
    """Can a user with no special rights read ``path`` (every folder above it searchable)?"""
    import stat

    path = os.path.realpath(path)
    parts = Path(path).parents
    for folder in [*reversed(parts), Path(path)]:
        mode = os.stat(folder).st_mode
        if not mode & stat.S_IXOTH or (folder == Path(path) and not mode & stat.S_IROTH):
            return False
    return True


def _python_readable_by_others() -> bool:
    import sysconfig

    return all(
        _others_can_read(sysconfig.get_paths()[key]) for key in ("stdlib", "platstdlib", "purelib")
    )


def _drop_privileges(workdir: str) -> str:
    """As root, become ``nobody``; the submission's folder becomes nobody's.

    Returns what was done, for the report. It is skipped where ``nobody`` could not run this
    Python (installed under root's home, for example): then the kernel stays root and only
    the audit hook and the limits apply.
    """
    if os.geteuid() != 0:
        return f"runs as the grading user (uid {os.geteuid()})"
    if not _python_readable_by_others():
        return "runs as root: this Python is not readable by 'nobody' (install it system-wide)"
    if not _others_can_read(os.path.dirname(workdir)):
        return "runs as root: 'nobody' could not reach the submission's folder"
    for base, dirs, files in os.walk(workdir):
        for name in [base] + [os.path.join(base, n) for n in dirs + files]:
            os.lchown(name, NOBODY, NOBODY)
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)
    return "runs as 'nobody'"


def main(argv: list[str]) -> None:
    """``python sandbox.py kernel -f CONNECTION_FILE``: start an ipykernel, fenced in."""
    connection_file = argv[argv.index("-f") + 1]
    workdir = os.getcwd()
    protected = [p for p in os.environ.get("DIFFPROG_SANDBOX_PROTECT", "").split(os.pathsep) if p]
    memory_mb = int(os.environ.get("DIFFPROG_SANDBOX_MEMORY_MB", "4096"))
    cpu_s = int(os.environ.get("DIFFPROG_SANDBOX_CPU_S", "600"))

    _clean_environment(workdir)
    # The connection file (ports and the key that signs messages) usually lives in root's
    # runtime folder, out of reach once we are `nobody`: use a private copy.
    private = os.path.join(os.environ["HOME"], "connection.json")
    with open(connection_file, "rb") as src, open(private, "wb") as dst:
        dst.write(src.read())
    os.chmod(private, 0o600)
    connection_file = private
    _limit_resources(memory_mb, cpu_s)
    os.environ["DIFFPROG_SANDBOX_USER"] = _drop_privileges(workdir)
    sys.dont_write_bytecode = True
    # Import what the kernel needs before the fence goes up (reading is allowed anyway,
    # but this keeps the hook out of the kernel's start-up).
    from ipykernel import kernelapp

    fence = Fence(workdir, protected)
    sys.addaudithook(fence.hook)
    sys.argv = ["ipykernel_launcher", "-f", connection_file, "--HistoryManager.enabled=False"]
    kernelapp.launch_new_instance()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "kernel":
        main(sys.argv[2:])
    else:
        sys.exit("usage: python sandbox.py kernel -f CONNECTION_FILE (started by the grader)")
