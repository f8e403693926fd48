"""Real servers for the grading tests, started on 127.0.0.1 and stopped by the tests.

- ``DaskServer``: a ``dask scheduler`` or ``dask worker`` process (no nanny, so that killing
  a worker kills it: nothing starts it again);
- ``postgres``: a PostgreSQL server from Debian's ``postgresql`` package, initialised into a
  temporary folder and run by an unprivileged user (``nobody`` when the tests run as root,
  as in CI), with its socket in that folder too.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DaskServer:
    """One ``dask scheduler`` or ``dask worker`` process; ``pythonpath`` is where its
    ``grader`` package (the scratch course's) and ``autodiff_lite`` come from."""

    def __init__(self, args: list[str], pythonpath: list[Path], log: Path):
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(map(str, pythonpath)))
        self.log = open(log, "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", *args, "--no-dashboard"],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @classmethod
    def scheduler(cls, port: int, pythonpath, log: Path) -> DaskServer:
        args = ["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", str(port)]
        return cls(args, pythonpath, log)

    @classmethod
    def worker(cls, address: str, name: str, pythonpath, log: Path) -> DaskServer:
        args = ["distributed.cli.dask_worker", address, "--nthreads", "1", "--no-nanny"]
        return cls([*args, "--name", name, "--host", "127.0.0.1"], pythonpath, log)

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to say goodbye (a crash, an OOM kill)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=60)

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=60)
        self.log.close()


def wait_for(condition, timeout: float, what: str, poll: float = 0.2):
    """Wait for ``condition()`` to be true (an event we can only observe by looking)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(poll)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


# ----------------------------------------------------------------------------------------
# PostgreSQL
# ----------------------------------------------------------------------------------------


def postgres_bin() -> Path | None:
    """The folder of Debian's PostgreSQL programs (initdb, pg_ctl: not on PATH there)."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(os.path.realpath(found)).parent
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4])
    )
    return Path(candidates[-1]).parent if candidates else None


@contextlib.contextmanager
def postgres(user: str = "grader", database: str = "diffprog"):
    """A PostgreSQL server on 127.0.0.1 (a free port), run by an unprivileged user in a
    temporary folder; yields the SQLAlchemy URL of ``database``. Stopped and removed after."""
    bindir = postgres_bin()
    if bindir is None:
        raise RuntimeError(
            "PostgreSQL is not installed: `requirements/system-packages.sh test` installs "
            "Debian's postgresql package (make test runs it)"
        )
    folder = Path(tempfile.mkdtemp(prefix="diffprog-pg-", dir="/tmp"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # the server refuses to run as root: it runs as nobody
        os.chown(folder, 65534, 65534)
        as_user = ["setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups"]
    data, sockets, log = folder / "data", folder / "sockets", folder / "server.log"
    port = free_port()

    def run(*argv):
        done = subprocess.run([*as_user, *argv], capture_output=True, text=True, timeout=300)
        if done.returncode:
            raise RuntimeError(f"{argv[0]} failed:\n{done.stdout}\n{done.stderr}")

    try:
        run("mkdir", str(sockets))
        run(str(bindir / "initdb"), "-D", str(data), "-U", user, "-A", "trust", "-E", "UTF8",
            "--no-sync", "--locale", "C")  # fmt: skip
        options = f"-h 127.0.0.1 -p {port} -k {sockets} -c fsync=off -c max_connections=100"
        run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w",
            "-t", "120", "start")  # fmt: skip
        run(str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", user, database)
        yield f"postgresql+psycopg2://{user}@127.0.0.1:{port}/{database}"
    finally:
        if (data / "postmaster.pid").exists():
            with contextlib.suppress(Exception):
                run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)
