"""A class on JupyterHub, end to end, on this machine: release, fetch, submit, grade, feedback.

A real JupyterHub (PyPI, ``classroom/jupyterhub_config.py``, the configuration an instructor
would run) with configurable-http-proxy (npm, ``classroom/package-lock.json``) serves
127.0.0.1. Its users are real system users made for the test: an instructor and three
students, logging in with their Unix passwords through PAM, each server started by
``LocalProcessSpawner`` as its user. nbgrader's exchange is a scratch folder (mode 1777) and
the course id is ``diffprog``.

The class: the instructor, in a scratch copy of the course in their home
(``course.copy_course``), generates lab 1 from ``source/`` and releases it
(``nbgrader release_assignment``). Ada logs in with Chromium, fetches the lab in JupyterLab's
Assignments tab, solves it (her server saves it) and submits it there; Ben and Cyd fetch with
the ``nbgrader`` command line run as themselves, Ben solves half, Cyd nothing, and they
submit. The instructor collects (``course.py collect --exchange``, the course's safe collect
reading nbgrader's exchange), grades with the course's grader
(``course.py autograde``: every submission in its bubblewrap sandbox, the tests outside it),
writes feedback (``course.py feedback``) and releases it (``nbgrader release_feedback``);
each student fetches their feedback (Ada in the browser, the others with the command line).
Every grade is read from the gradebook, and each student's feedback in their home shows their
score and no one else's. The instructor's JupyterLab has the formgrader; the students' do
not (the server answers 404 and the Nbgrader menu has no Formgrader). Students cannot list the
exchange's inbound folder, nor read each other's homes or the instructor's course.

The inbound folder is writable by every student, so a hand-in need not come from *Submit*.
A second test leaves two there: Cyd's, whose notebook is a symbolic link to the instructor's
source notebook (``nbgrader collect`` follows it and collects the solutions as her work), and
one Ben makes in Ada's name. ``course.py collect --exchange`` refuses both by name, collects
Cyd's and Ada's own hand-ins instead, and Cyd scores what her own work deserves
(``docs/jupyterhub.md``, *Collecting from the exchange*).

Where the course's Python lives under a folder other users may not enter (a Python installed
under ``/root``, as with pyenv on the CI machine), the hub and the users' commands run in a
private mount view (bubblewrap, as root) in which that folder is replaced by an empty one
holding only the Python installation; nothing else changes. On a real machine the
environment lives where every user can read it (``docs/jupyterhub.md``).

Needs root (to make users); skipped otherwise. Timings go to ``_build/classroom/times.json``,
screenshots to ``_build/screenshots/classroom-*.png``, the hub's log to ``_build/classroom/``.
"""

from __future__ import annotations

import fcntl
import grp
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbgrader")
pytest.importorskip("jupyterhub")

import labinfo  # noqa: E402  (tests/)
from course import NBGRADER, copy_course  # noqa: E402  (notebooks/tools, see conftest.py)

ROOT = Path(__file__).resolve().parent.parent
CLASSROOM = ROOT / "classroom"
HUB_CONFIG = CLASSROOM / "jupyterhub_config.py"
PROXY = CLASSROOM / "node_modules" / ".bin" / "configurable-http-proxy"
BIN = Path(sys.executable).parent
SHOTS = ROOT / "_build" / "screenshots"
LOGS = ROOT / "_build" / "classroom"
SCRATCH_PREFIX = "diffprog-classroom-"

LAB = "lab1-finite-differences"
ANSWERS = labinfo.code_answers(LAB)
POINTS = labinfo.exercises(LAB)  # answer grade id -> the points of its tests
# what feedback and formgrader show as the maximum: the written answers' points included
FULL = labinfo.autograded_points(LAB) + labinfo.written_points(LAB)
INSTRUCTOR = "dp-teacher"
# student: how many code answers they solve, and the score that must follow (before the
# written answers are graded by hand)
STUDENTS = {
    "dp-ada": (len(ANSWERS), labinfo.autograded_points(LAB)),
    "dp-ben": (3, sum(POINTS[g] for g in ANSWERS[:3])),
    "dp-cyd": (0, 0.0),
}
BROWSER_STUDENT = "dp-ada"
GROUPS = {"instructor": "diffprog-instructors", "student": "diffprog-students"}
COLLECT = (sys.executable, "tools/course.py", "collect", "--exchange")  # run in the course


# ----------------------------------------------------------------------------------------
# Without a hub: who sees what is decided by two configuration folders
# ----------------------------------------------------------------------------------------


SETTINGS = ROOT / "jupyter"  # the course's JupyterLab settings (make lab, Binder)


def config_path(role: str) -> list[Path]:
    """JUPYTER_CONFIG_PATH of a server, highest priority first (as classroom/jupyterhub_config.py
    sets it; the users' command lines get the same)."""
    if role == "instructor":
        return [CLASSROOM / "jupyter" / "instructor", SETTINGS / "instructor", SETTINGS]
    return [CLASSROOM / "jupyter" / "student", SETTINGS]


def effective_settings(role: str) -> tuple[dict, set]:
    """The server extensions and the disabled JupyterLab plugins a server of ``role`` gets:
    the environment's own settings overridden by each folder of its path, lowest first (the
    merge Jupyter Server and JupyterLab make)."""
    env = Path(sys.prefix) / "etc" / "jupyter"
    extensions: dict = {}
    for f in sorted((env / "jupyter_server_config.d").glob("*.json")):
        extensions.update(json.loads(f.read_text())["ServerApp"]["jpserver_extensions"])
    disabled: dict = {}
    for folder in reversed(config_path(role)):
        server = folder / "jupyter_server_config.json"
        if server.exists():
            conf = json.loads(server.read_text())
            extensions.update(conf.get("ServerApp", {}).get("jpserver_extensions", {}))
        lab = folder / "labconfig" / "page_config.json"
        if lab.exists():
            disabled.update(json.loads(lab.read_text()).get("disabledExtensions", {}))
    return extensions, {k for k, v in disabled.items() if v}


@pytest.mark.parametrize("role", ["instructor", "student"])
def test_a_servers_settings_show_the_formgrader_to_instructors_only(role):
    """The hub layers the course's JupyterLab settings (``jupyter/``, students' tools only;
    ``jupyter/instructor/`` on top for instructors) under the classroom's nbgrader settings
    (the exchange). This checks the layering without a hub; the test below checks it live."""
    for folder in config_path(role):
        assert folder.is_dir(), f"{folder} is missing (JUPYTER_CONFIG_PATH of a {role})"
    extensions, disabled = effective_settings(role)
    assert extensions["nbgrader.server_extensions.assignment_list"] is True
    assert extensions["nbgrader.server_extensions.validate_assignment"] is True
    assert "@jupyter/nbgrader:assignment-list" not in disabled
    assert "@jupyter/nbgrader:validate-assignment" not in disabled
    instructor_only = {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment"}
    if role == "instructor":
        assert extensions["nbgrader.server_extensions.formgrader"] is True
        assert not instructor_only & disabled, disabled
    else:
        assert extensions["nbgrader.server_extensions.formgrader"] is False
        assert instructor_only <= disabled, disabled
    config = (config_path(role)[0] / "nbgrader_config.py").read_text()
    assert 'course_id = "diffprog"' in config and "DIFFPROG_EXCHANGE" in config


def test_feedback_keeps_the_key_nbgrader_releases_it_under(tmp_path, monkeypatch, capsys):
    """``course.py feedback`` copies the secret ``nbgrader submit`` put in a submission next to
    the feedback (``nbgrader release_feedback`` files the page under its hash), but only a
    regular file holding a hex string: a link, or anything else, is named and left out."""
    import course

    monkeypatch.setattr(course, "COURSE", tmp_path)
    secrets_by_student = {
        "ada": "a" * 128,  # what nbgrader writes: secrets.token_hex(64)
        "ben": "not <b>hex</b>",
        "cyd": None,  # a link to a file the grader may read
        "dan": ...,  # no secret: collected from a folder or a zip
    }
    for student, secret in secrets_by_student.items():
        (tmp_path / "submitted" / student / LAB).mkdir(parents=True)
        (tmp_path / "feedback" / student / LAB).mkdir(parents=True)
        path = tmp_path / "submitted" / student / LAB / "submission_secret.txt"
        if secret is None:
            (tmp_path / "private.txt").write_text("b" * 128)
            path.symlink_to(tmp_path / "private.txt")
        elif secret is not ...:
            path.write_text(secret)
        course._keep_submission_secret(student, LAB)
    kept = {
        s: (tmp_path / "feedback" / s / LAB / "submission_secret.txt").exists()
        for s in secrets_by_student
    }
    assert kept == {"ada": True, "ben": False, "cyd": False, "dan": False}
    out = capsys.readouterr().out
    assert "ben/" in out and "cyd/" in out and "dan/" not in out, out


# ----------------------------------------------------------------------------------------
# Users, the shared view of the Python environment, commands run as a user
# ----------------------------------------------------------------------------------------


def _closed_ancestor(path: Path) -> Path | None:
    """The outermost folder above ``path`` that other users may not enter, if any."""
    for parent in reversed(path.parents):
        if not parent.stat().st_mode & stat.S_IXOTH:
            return parent
    return None


def shared_view() -> list[str]:
    """A command prefix (bubblewrap, run as root) under which every user can run the course's
    Python: each folder on the way that others may not enter (``/root``, holding pyenv's
    Python) is replaced by an empty one with only the needed installation bound back in,
    read-only. Everything else is the machine itself (``--dev-bind / /``), with root's
    capabilities kept so the hub can switch users. Empty when nothing is closed."""
    needed = {Path(p).resolve() for p in (sys.base_prefix, sys.prefix, ROOT)}
    needed = {p for p in needed if not any(q != p and q in p.parents for q in needed)}
    closed: dict[Path, list[Path]] = {}
    for path in sorted(needed):
        blocked = _closed_ancestor(path)
        if blocked is not None:
            closed.setdefault(blocked, []).append(path)
    if not closed:
        return []
    argv = ["bwrap", "--dev-bind", "/", "/", "--cap-add", "ALL", "--die-with-parent"]
    for blocked, paths in closed.items():
        argv += ["--perms", "0755", "--tmpfs", str(blocked)]
        for path in paths:
            for parent in reversed(path.parents):
                if blocked in parent.parents:
                    argv += ["--perms", "0755", "--dir", str(parent)]
            argv += ["--ro-bind", str(path), str(path)]
    return [*argv, "--"]


class Classroom:
    """The scratch world of one test: users, homes, the exchange, the hub."""

    def __init__(self, scratch: Path):
        self.scratch = scratch
        self.exchange = scratch / "exchange"
        self.homes = scratch / "home"
        self.view = shared_view()
        self.passwords: dict[str, str] = {}
        self.made_groups: list[str] = []
        self.users: list[str] = []
        self.hub: subprocess.Popen | None = None
        self.url = ""
        self.times: dict[str, float] = {}

    # -- users ------------------------------------------------------------------------
    def home(self, user: str) -> Path:
        return self.homes / user

    def role(self, user: str) -> str:
        return "instructor" if user == INSTRUCTOR else "student"

    def add_user(self, user: str) -> None:
        _remove_stale_user(user)
        group = GROUPS[self.role(user)]
        home = self.home(user)
        _sh(
            "useradd",
            "--create-home",
            "--home-dir",
            str(home),
            "--shell",
            "/bin/bash",
            "--groups",
            group,
            user,
        )
        self.users.append(user)
        home.chmod(0o700)  # a student's work is theirs alone
        self.passwords[user] = secrets.token_urlsafe(12)
        _sh("chpasswd", input=f"{user}:{self.passwords[user]}\n")

    def env(self, user: str) -> dict[str, str]:
        return {
            "HOME": str(self.home(user)),
            "USER": user,
            "LOGNAME": user,
            "SHELL": "/bin/bash",
            "PATH": f"{BIN}:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "JUPYTER_CONFIG_PATH": os.pathsep.join(map(str, config_path(self.role(user)))),
            "DIFFPROG_EXCHANGE": str(self.exchange),
            "DIFFPROG_MEMORY_MB": "3072",
        }

    def run_as(self, user: str, *argv: str, cwd: Path | None = None, check=True, timeout=600,
               input: str | None = None):  # fmt: skip
        """Run a command as ``user`` (setpriv drops root's uid, gid and groups)."""
        env = [f"{k}={v}" for k, v in self.env(user).items()]
        cmd = [*self.view, "/usr/bin/setpriv", "--reuid", user, "--regid", user,
               "--init-groups", "--", "/usr/bin/env", "-i", *env, *argv]  # fmt: skip
        proc = subprocess.run(
            cmd,
            cwd=cwd or self.home(user),
            capture_output=True,
            text=True,
            timeout=timeout,
            input=input,
            stdin=None if input is not None else subprocess.DEVNULL,
        )
        if check and proc.returncode:
            raise AssertionError(
                f"as {user}: {' '.join(argv[:4])} ... exited {proc.returncode}\n"
                f"{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
            )
        return proc

    def nbgrader(self, user: str, *args: str, cwd: Path | None = None, check=True):
        """The real ``nbgrader`` command line, as ``user`` (course.py's fast launcher)."""
        return self.run_as(user, sys.executable, "-c", NBGRADER, *args, cwd=cwd, check=check)

    # -- the hub ----------------------------------------------------------------------
    def start_hub(self) -> None:
        state = self.scratch / "hub"
        state.mkdir(mode=0o700)
        port, hub_port, api_port = _free_ports(3)
        self.url = f"http://127.0.0.1:{port}"
        LOGS.mkdir(parents=True, exist_ok=True)
        self.log = open(LOGS / "hub.log", "w")
        env = {
            "PATH": f"{BIN}:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "HOME": str(state),
            "DIFFPROG_EXCHANGE": str(self.exchange),
        }
        self.hub = subprocess.Popen(
            [
                *self.view,
                str(BIN / "jupyterhub"),
                "-f",
                str(HUB_CONFIG),
                "--ip",
                "127.0.0.1",
                "--port",
                str(port),
                f"--JupyterHub.hub_port={hub_port}",
                f"--ConfigurableHTTPProxy.api_url=http://127.0.0.1:{api_port}",
                f"--JupyterHub.pid_file={state / 'hub.pid'}",
            ],
            cwd=state,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.hub.poll() is not None:
                pytest.fail(f"JupyterHub exited ({self.hub.returncode}):\n{self.hub_log()}")
            try:
                with urllib.request.urlopen(f"{self.url}/hub/api/", timeout=2) as r:
                    if r.status == 200 and "version" in json.load(r):
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
                pass
            time.sleep(0.2)
        pytest.fail(f"JupyterHub did not answer in 90 s:\n{self.hub_log()}")

    def hub_log(self) -> str:
        path = LOGS / "hub.log"
        return path.read_text(errors="replace")[-6000:] if path.exists() else ""

    def stop_hub(self) -> None:
        if self.hub is None or self.hub.poll() is not None:
            return
        pid_file = self.scratch / "hub" / "hub.pid"
        try:  # the hub stops the users' servers and the proxy on SIGTERM
            os.kill(int(pid_file.read_text()), signal.SIGTERM)
        except (OSError, ValueError):
            self.hub.terminate()
        try:
            self.hub.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.hub.pid, signal.SIGKILL)
            self.hub.wait(timeout=10)

    # -- cleaning up ------------------------------------------------------------------
    def close(self) -> None:
        try:
            self.stop_hub()
        finally:
            uids = {pwd.getpwnam(u).pw_uid for u in self.users if _user_exists(u)}
            _kill_processes_of(uids)
            for user in self.users:
                subprocess.run(["userdel", user], capture_output=True)
            for group in self.made_groups:
                subprocess.run(["groupdel", group], capture_output=True)
            if getattr(self, "log", None):
                self.log.close()
            shutil.rmtree(self.scratch, ignore_errors=True)


def _sh(*argv: str, input: str | None = None) -> str:
    proc = subprocess.run(argv, input=input, capture_output=True, text=True)
    if proc.returncode:
        raise AssertionError(f"{' '.join(argv)} failed: {proc.stderr}")
    return proc.stdout


def _user_exists(user: str) -> bool:
    try:
        pwd.getpwnam(user)
    except KeyError:
        return False
    return True


def _remove_stale_user(user: str) -> None:
    """A user left by an earlier run of this test (its home in a scratch folder of ours) is
    removed; any other user of that name stops the test rather than be touched."""
    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        return
    if not Path(entry.pw_dir).name == user or SCRATCH_PREFIX not in entry.pw_dir:
        pytest.fail(f"a user {user!r} exists that this test did not make; remove it to run it")
    _kill_processes_of({entry.pw_uid})
    _sh("userdel", user)
    shutil.rmtree(Path(entry.pw_dir).parent.parent, ignore_errors=True)


def _kill_processes_of(uids: set[int]) -> None:
    """Kill the processes of the test's own users (by process id: /proc lists them)."""
    if not uids:
        return
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        uid = re.search(r"^Uid:\s+(\d+)", status, re.M)
        if uid and int(uid.group(1)) in uids:
            try:
                os.kill(int(entry.name), signal.SIGKILL)
            except OSError:
                pass


def _free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _install_proxy() -> None:
    """configurable-http-proxy from npm (classroom/package-lock.json), installed once."""
    node = shutil.which("node")
    if node is None or shutil.which("npm") is None:
        pytest.fail(
            "Node.js and npm are needed for JupyterHub's proxy (configurable-http-proxy): "
            "apt-get install nodejs npm (Node.js 20 or newer)"
        )
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout
    if int(re.match(r"v(\d+)", version).group(1)) < 20:
        pytest.fail(f"configurable-http-proxy 5 needs Node.js 20 or newer, not {version}")
    lock = CLASSROOM / "package-lock.json"
    installed = CLASSROOM / "node_modules" / ".package-lock.json"
    if PROXY.exists() and installed.exists() and installed.stat().st_mtime >= lock.stat().st_mtime:
        return
    done = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund"],
        cwd=CLASSROOM,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode or not PROXY.exists():
        pytest.fail(f"npm ci in classroom/ failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")


@contextmanager
def timed(times: dict, name: str):
    start = time.monotonic()
    yield
    times[name] = round(time.monotonic() - start, 1)


# ----------------------------------------------------------------------------------------
# The lab: solutions from the source, the student version from the release
# ----------------------------------------------------------------------------------------


def answer_ids(nb) -> list[str]:
    """The code answer cells (the written answers are graded by hand)."""
    return [
        c.metadata["nbgrader"]["grade_id"]
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"
    ]


def unsolved(nb) -> int:
    """How many code answer cells still hold the stub."""
    return sum(
        "your code here" in c.source
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"
    )


def solve(release_nb, n: int):
    """The student version with the first ``n`` answers replaced by the source's solution."""
    nb = nbformat.from_dict(json.loads(nbformat.writes(release_nb)))
    todo = answer_ids(nb)[:n]
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in todo:
            cell.source = labinfo.solution(LAB, gid)
    return nb


# ----------------------------------------------------------------------------------------
# The browser
# ----------------------------------------------------------------------------------------


def log_in(browser, room: Classroom, user: str):
    """Log in on the hub's page as ``user``; returns the page once JupyterLab is up."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{room.url}/hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", room.passwords[user])
    page.click("#login_submit")
    page.wait_for_url(re.compile(rf"/user/{user}/lab"), timeout=150_000)
    page.get_by_role("menuitem", name="Nbgrader").wait_for(timeout=120_000)
    return page


def nbgrader_menu(page) -> list[str]:
    page.get_by_role("menuitem", name="Nbgrader").click()
    items = page.locator(".lm-Menu:visible .lm-Menu-itemLabel").all_inner_texts()
    page.keyboard.press("Escape")
    return [i.strip() for i in items]


def assignments_tab(page):
    page.get_by_role("menuitem", name="Nbgrader").click()
    page.locator(".lm-Menu:visible .lm-Menu-itemLabel", has_text="Assignment List").click()
    panel = page.locator("#assignments")
    panel.wait_for()
    return panel


def lab_row(panel, listing: str):
    return panel.locator(f"#{listing} .list_item:not(.nested_list_item)", has_text=LAB)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"classroom-{name}.png"))


def wait_for(predicate, what: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


# ----------------------------------------------------------------------------------------
# The class
# ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def room(request):
    if os.geteuid() != 0:
        pytest.skip(
            "the classroom test makes system users (useradd) and runs JupyterHub's PAM login "
            "and LocalProcessSpawner, which need root (CI runs as root)"
        )
    for tool in ("bwrap", "useradd", "chpasswd", "groupadd"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is missing (requirements/system-packages.sh installs bwrap)")
    # One classroom on the machine at a time (its users and groups have fixed names): a
    # second test process (pytest-xdist, another checkout) waits here for the first.
    lock = open("/tmp/diffprog-classroom.lock", "w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    request.addfinalizer(lock.close)
    _install_proxy()
    scratch = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX, dir="/tmp"))
    scratch.chmod(0o755)
    room = Classroom(scratch)
    try:
        room.homes.mkdir(mode=0o755)
        room.exchange.mkdir()
        room.exchange.chmod(0o1777)  # nbgrader's exchange: everyone writes, no one deletes
        for group in GROUPS.values():
            try:
                grp.getgrnam(group)
            except KeyError:
                _sh("groupadd", group)
                room.made_groups.append(group)
        for user in (INSTRUCTOR, *STUDENTS):
            room.add_user(user)
        probe = room.run_as(
            "dp-ada", sys.executable, "-c", "import nbgrader, autodiff_lite", check=False
        )
        if probe.returncode:
            pytest.fail(f"a student cannot run the course's Python:\n{probe.stderr[-2000:]}")
        yield room
    finally:
        room.close()


def gradebook_scores(course: Path) -> dict[str, float]:
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "diffprog") as gb:
        for student in gb.students:
            scores[student.id] = gb.find_submission(LAB, student.id).score
    return scores


def test_a_class_on_jupyterhub(room, browser):
    times = room.times
    course = room.home(INSTRUCTOR) / "diffprog"
    teacher = pwd.getpwnam(INSTRUCTOR)

    # The hub starts while the instructor makes the lab's student version in their course.
    with timed(times, "hub start"):
        room.start_hub()
    copy_course(course, with_release=False)
    _sh("chown", "-R", f"{teacher.pw_uid}:{teacher.pw_gid}", str(course))
    with timed(times, "generate the lab"):
        room.run_as(INSTRUCTOR, sys.executable, "tools/course.py", "release", LAB, cwd=course)
    released = course / "release" / LAB / f"{LAB}.ipynb"
    assert released.is_file() and "BEGIN SOLUTION" not in released.read_text()
    release_nb = nbformat.read(released, as_version=4)
    assert answer_ids(release_nb) == ANSWERS

    round_trip = time.monotonic()
    # 1. The instructor releases the lab into the exchange.
    room.nbgrader(INSTRUCTOR, "release_assignment", LAB, cwd=course)
    outbound = room.exchange / "diffprog" / "outbound" / LAB / f"{LAB}.ipynb"
    assert outbound.is_file(), sorted(map(str, room.exchange.rglob("*")))
    assert "BEGIN SOLUTION" not in outbound.read_text()
    assert "BEGIN HIDDEN TESTS" not in outbound.read_text()

    # 2. Ada fetches it in JupyterLab's Assignments tab; the others with the command line.
    with timed(times, "browser: log in, server start, JupyterLab up"):
        ada = log_in(browser, room, BROWSER_STUDENT)
    ada_lab = room.home(BROWSER_STUDENT) / LAB / f"{LAB}.ipynb"
    with timed(times, "browser: fetch in the Assignments tab"):
        panel = assignments_tab(ada)
        lab_row(panel, "released_assignments_list").get_by_role("button", name="Fetch").click()
        lab_row(panel, "fetched_assignments_list").wait_for()
        wait_for(ada_lab.is_file, f"{ada_lab} after Fetch")
    shot(ada, "student-fetched")
    assert ada_lab.stat().st_uid == pwd.getpwnam(BROWSER_STUDENT).pw_uid
    others = [s for s in STUDENTS if s != BROWSER_STUDENT]
    with ThreadPoolExecutor(len(others)) as pool:
        list(pool.map(lambda s: room.nbgrader(s, "fetch_assignment", LAB), others))
    for student in others:
        fetched = room.home(student) / LAB / f"{LAB}.ipynb"
        assert fetched.is_file() and fetched.stat().st_uid == pwd.getpwnam(student).pw_uid
        assert (room.home(student) / LAB / "lab1_checks.py").is_file()  # the self-checks

    # 3. They solve what they solve. Ada's server saves her notebook (the contents API, as
    #    JupyterLab's save does); Ben and Cyd edit theirs on disk as themselves.
    xsrf = next(c["value"] for c in ada.context.cookies() if c["name"] == "_xsrf")
    saved = ada.request.put(
        f"{room.url}/user/{BROWSER_STUDENT}/api/contents/{LAB}/{LAB}.ipynb",
        data=json.dumps(
            {
                "type": "notebook",
                "format": "json",
                "content": json.loads(
                    nbformat.writes(solve(release_nb, STUDENTS[BROWSER_STUDENT][0]))
                ),
            }
        ),
        headers={"X-XSRFToken": xsrf, "Content-Type": "application/json"},
    )
    assert saved.ok, saved.text()
    assert unsolved(nbformat.read(ada_lab, as_version=4)) == 0
    for student in others:
        nb = solve(release_nb, STUDENTS[student][0])
        path = room.home(student) / LAB / f"{LAB}.ipynb"
        _write_as(room, student, path, nbformat.writes(nb))

    # 4. They submit: Ada in the Assignments tab, the others with the command line.
    with timed(times, "browser: submit in the Assignments tab"):
        ada.locator("#refresh_assignments_list").click()
        lab_row(panel, "fetched_assignments_list").get_by_role("button", name="Submit").click()
        lab_row(panel, "submitted_assignments_list").wait_for()
    shot(ada, "student-submitted")
    for student in others:
        room.nbgrader(student, "submit", LAB)
    inbound = room.exchange / "diffprog" / "inbound"
    handed_in = {p.name.split("+")[0]: p for p in inbound.iterdir()}
    assert sorted(handed_in) == sorted(STUDENTS), sorted(handed_in)
    for student, path in handed_in.items():
        assert path.stat().st_uid == pwd.getpwnam(student).pw_uid, path
    # nbgrader's exchange keeps submissions apart: a student cannot list the inbound
    # folder, and cannot read another student's home either.
    peek = room.run_as("dp-ben", "/bin/ls", str(inbound), check=False)
    assert peek.returncode != 0 and "Permission denied" in peek.stderr, peek
    for private in (ada_lab, course / "source" / LAB / f"{LAB}.ipynb", course / "gradebook.db"):
        peek = room.run_as("dp-ben", "/bin/cat", str(private), check=False)
        assert peek.returncode != 0 and "Permission denied" in peek.stderr, (private, peek)

    # 5. The instructor collects (the course's safe collect, reading nbgrader's exchange),
    #    grades in the sandbox, writes and releases feedback.
    collected = room.run_as(INSTRUCTOR, *COLLECT, LAB, cwd=course).stdout
    assert "collected 3 notebook(s) from 3 hand-in(s); 0 refused" in collected, collected
    for student in STUDENTS:
        here = course / "submitted" / student / LAB
        for name in (f"{LAB}.ipynb", "timestamp.txt", "submission_secret.txt"):
            assert (here / name).is_file(), (student, name)
    with timed(times, "autograde (3 submissions, sandboxed)"):
        graded = room.run_as(
            INSTRUCTOR,
            sys.executable,
            "tools/course.py",
            "autograde",
            LAB,
            "--jobs",
            "2",
            cwd=course,
        )
    assert "3/3" in graded.stderr or "3 graded" in graded.stdout, graded.stdout
    scores = gradebook_scores(course)
    expected = {s: score for s, (_, score) in STUDENTS.items()}
    assert scores == pytest.approx(expected), (scores, graded.stdout, graded.stderr[-2000:])
    room.run_as(INSTRUCTOR, sys.executable, "tools/course.py", "feedback", LAB, cwd=course)
    room.nbgrader(INSTRUCTOR, "release_feedback", LAB, cwd=course)
    released_feedback = list((room.exchange / "diffprog" / "feedback").glob("*.html"))
    assert len(released_feedback) == len(STUDENTS), released_feedback

    # 6. The students fetch their feedback: Ada in the browser, the others on the command line.
    with timed(times, "browser: fetch feedback"):
        ada.locator("#refresh_assignments_list").click()
        row = lab_row(panel, "submitted_assignments_list")
        row.get_by_role("button", name="Fetch Feedback").click()
        wait_for(
            lambda: list((room.home(BROWSER_STUDENT) / LAB / "feedback").glob("*/*.html")),
            "Ada's feedback",
        )
    shot(ada, "student-feedback")
    for student in others:
        room.nbgrader(student, "fetch_feedback", LAB)
    times["round trip: release to three students and back"] = round(
        time.monotonic() - round_trip, 1
    )
    for student, (_, score) in STUDENTS.items():
        pages = list((room.home(student) / LAB / "feedback").glob(f"*/{LAB}.html"))
        assert len(pages) == 1, (student, pages)
        page = pages[0]
        assert page.stat().st_uid == pwd.getpwnam(student).pw_uid
        text = page.read_text()
        totals = re.findall(rf"{LAB} \(Score: ([\d.]+) / ([\d.]+)\)", text)
        assert totals == [(f"{score:.1f}", f"{FULL:.1f}")], (student, totals)
        for other in STUDENTS:
            assert other not in text or other == student, (student, other)

    # 7. The formgrader is the instructor's: their JupyterLab shows it, with the three
    #    submissions; a student's has neither the page nor the menu entry.
    assert "Formgrader" not in nbgrader_menu(ada), nbgrader_menu(ada)
    assert "Assignment List" in nbgrader_menu(ada)
    refused = ada.request.get(f"{room.url}/user/{BROWSER_STUDENT}/formgrader")
    assert refused.status == 404, refused.status
    with timed(times, "browser: instructor logs in"):
        teacher_page = log_in(browser, room, INSTRUCTOR)
    assert "Formgrader" in nbgrader_menu(teacher_page)
    teacher_page.goto(f"{room.url}/user/{INSTRUCTOR}/formgrader/manage_assignments")
    row = teacher_page.locator("tr", has_text=LAB)
    row.wait_for()
    cells = row.locator("td").all_inner_texts()
    assert any(c.strip() == str(len(STUDENTS)) for c in cells), cells  # submissions
    shot(teacher_page, "instructor-formgrader")
    teacher_page.goto(f"{room.url}/user/{INSTRUCTOR}/formgrader/gradebook/{LAB}/{LAB}")
    teacher_page.get_by_role("link", name="Submission #1").wait_for()
    teacher_page.get_by_role("button", name="Show All Names").click()
    shown = {}
    for student in STUDENTS:
        row = teacher_page.locator("tbody tr", has_text=student)
        shown[student] = row.locator("td").nth(2).inner_text().strip()
    assert shown == {s: f"{score:g} / {FULL:g}" for s, (_, score) in STUDENTS.items()}, shown
    shot(teacher_page, "instructor-gradebook")

    LOGS.mkdir(parents=True, exist_ok=True)
    (LOGS / "times.json").write_text(json.dumps(times, indent=1) + "\n")
    print("\nclassroom timings (s):", json.dumps(times, indent=1))


def _write_as(room: Classroom, user: str, path: Path, text: str) -> None:
    """Write a file as ``user`` (the student's own edit; ownership and permissions theirs)."""
    script = "import sys; open(sys.argv[1], 'w').write(sys.stdin.read())"
    room.run_as(user, sys.executable, "-c", script, str(path), input=text)


def test_a_link_or_anothers_name_in_the_exchange_does_not_become_a_submission(room):
    """A student need not use *Submit*: the inbound folder is writable by everyone. Cyd leaves
    a hand-in of her own there, later than her real one, whose notebook is a symbolic link to
    the instructor's source notebook: she cannot read that file, but ``nbgrader collect``, run
    by the instructor, follows the link and collects the solutions as her work. Ben leaves one
    named for Ada, to replace her work with his. ``course.py collect --exchange`` refuses both
    by name (a link; a folder that is Ben's, not Ada's), collects each student's own latest
    hand-in instead, and Cyd's grade is what her own (empty) work deserves."""
    course = room.home(INSTRUCTOR) / "links-course"
    teacher = pwd.getpwnam(INSTRUCTOR)
    copy_course(course, with_release=False)
    _sh("chown", "-R", f"{teacher.pw_uid}:{teacher.pw_gid}", str(course))
    room.run_as(INSTRUCTOR, sys.executable, "tools/course.py", "release", LAB, cwd=course)
    room.nbgrader(INSTRUCTOR, "release_assignment", LAB, "--force", cwd=course)
    if not (room.home("dp-cyd") / LAB).is_dir():  # this test alone: Cyd has not fetched it
        room.nbgrader("dp-cyd", "fetch_assignment", LAB)
    room.nbgrader("dp-cyd", "submit", LAB)  # her own work, solved or not: what she deserves
    inbound = room.exchange / "diffprog" / "inbound"
    source = course / "source" / LAB / f"{LAB}.ipynb"
    now = time.strftime("%Y-%m-%d %H:%M:%S.000000 UTC", time.gmtime(time.time() + 1))
    link = inbound / f"dp-cyd+{LAB}+{now}+link"
    script = (
        "import os, sys; os.mkdir(sys.argv[1]); "
        "os.symlink(sys.argv[2], os.path.join(sys.argv[1], sys.argv[3]))"
    )
    room.run_as("dp-cyd", sys.executable, "-c", script, str(link), str(source), f"{LAB}.ipynb")
    peek = room.run_as("dp-cyd", "/bin/cat", str(link / f"{LAB}.ipynb"), check=False)
    assert peek.returncode != 0, "the student can read the instructor's source"
    forged = inbound / f"dp-ada+{LAB}+{now}+forged"
    script = (
        "import os, secrets, sys; d = sys.argv[1]; os.mkdir(d); "
        "open(os.path.join(d, sys.argv[2]), 'w').write(sys.stdin.read()); "
        "open(os.path.join(d, 'timestamp.txt'), 'w').write(sys.argv[3]); "
        "open(os.path.join(d, 'submission_secret.txt'), 'w').write(secrets.token_hex(64))"
    )
    released = (course / "release" / LAB / f"{LAB}.ipynb").read_text()
    room.run_as("dp-ben", sys.executable, "-c", script, str(forged), f"{LAB}.ipynb", now,
                input=released)  # fmt: skip

    done = room.run_as(INSTRUCTOR, *COLLECT, LAB, cwd=course, check=False)
    assert done.returncode == 1, done.stdout + done.stderr
    refused = {
        link.name: f"{LAB}.ipynb: a symbolic link (to {source}): refused",
        forged.name: "its folder belongs to dp-ben (uid ",
    }
    for name, why in refused.items():
        assert f"REFUSED {name}: {why}" in done.stdout, (name, done.stdout)
    assert "not to dp-ada: a hand-in in another's name" in done.stdout, done.stdout
    for path in (course / "submitted").rglob("*"):
        assert path.is_dir() or "BEGIN SOLUTION" not in path.read_text(errors="replace"), path
    collected = course / "submitted" / "dp-cyd" / LAB / f"{LAB}.ipynb"
    assert collected.is_file(), done.stdout
    room.run_as(INSTRUCTOR, sys.executable, "tools/course.py", "autograde", LAB, "--jobs", "2",
                cwd=course)  # fmt: skip
    scores = gradebook_scores(course)
    assert scores["dp-cyd"] == 0.0, scores
    for student, (_, score) in STUDENTS.items():  # Ada and Ben too, where they handed in
        assert scores.get(student, score) == pytest.approx(score), (student, scores)
