"""The notebooks as students meet them: JupyterLab from `make lab` and from Binder, in Chromium.

Two real JupyterLab servers, each on 127.0.0.1 with a token, started and stopped here, each
for a new user (an empty home: no ~/.jupyter settings help):

- **local**: `make lab` in a scratch copy of the course (lessons and lab 1), as a student
  types it; the settings come from the repository's jupyter/ folder only.
- **binder**: the student repository (`make student-repo`, notebooks/grader/export.py),
  `binder/postBuild` run in it as repo2docker runs it, and the server started through
  `binder/start`, as repo2docker starts it. No Docker: the Python environment is the course's
  .venv, and binder/requirements.txt is checked to resolve to the same pins with pip's
  `--dry-run` (a full second environment would take many minutes).

Headless Chromium (Debian's, driven by Playwright as in test_book.py) then does what a
student does: opens a lesson of each part from its URL (it must open as a notebook, not in
the text editor), runs all cells (no error output; the numbers the prose quotes with
{eval} appear as numbers), works on lab 1 (the self-check of an unsolved exercise says why,
a typed solution passes it, Validate passes a solved copy), and looks at the Nbgrader menu
(no Formgrader, no Create Assignment). Screenshots go to _build/screenshots/jupyterlab-*.png
and the measured times to _build/jupyterlab-timings.json.

Two settings are the test user's own, not the course's: notebooks render every cell
(``windowingMode: none``, so that the page holds the whole notebook to read), and documents
are not autosaved (the scratch copies stay as copied).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "notebooks" / "grader"))
from export import export  # noqa: E402  (the student repository; this test is the instructors')

BIN = Path(sys.executable).parent
SHOTS = ROOT / "_build" / "screenshots"
TIMINGS = ROOT / "_build" / "jupyterlab-timings.json"
LAB = "notebooks/release/lab1-finite-differences"
EVAL = re.compile(r"\{eval\}`([^`]+)`")
# Markers built here, so that this file is not itself a file holding them.
MARKERS = ("BEGIN " + "SOLUTION", "BEGIN " + "HIDDEN TESTS")

# One short lesson per part, with numbers its prose quotes, as the web book shows them. Each
# lesson asserts these in its own cells (closed forms, finite differences, seeded runs).
LESSONS = {
    "book/part1/04-forward-mode.md": ["-0.357116", "7.2163"],  # g'(1.5) by dual numbers; a JVP
    "book/part2/09-hard-edges.md": ["-70.4"],  # the true slope of the expected count
    "book/part3/16-hmc.md": ["-0.9927", "84"],  # the posterior's correlation and elongation
}
TIMES: dict[str, float] = {}


# ----------------------------------------------------------------------------------------
# Servers
# ----------------------------------------------------------------------------------------


@dataclass
class Lab:
    """A running JupyterLab: its address, token, folder and the new user it runs as."""

    name: str
    url: str
    token: str
    root: Path
    home: Path
    process: subprocess.Popen
    log: Path
    started_s: float = 0.0
    extra: dict = field(default_factory=dict)

    def get(self, path: str) -> tuple[int, str]:
        request = urllib.request.Request(
            self.url + path, headers={"Authorization": f"token {self.token}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, ""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _new_user(home: Path) -> dict[str, str]:
    """The environment of a user who has never run Jupyter: every Jupyter folder in `home`."""
    settings = home / ".jupyter" / "lab" / "user-settings" / "@jupyterlab"
    for plugin, values in {
        "notebook-extension/tracker": {"windowingMode": "none"},
        "docmanager-extension/plugin": {"autosave": False},
    }.items():
        path = settings / (plugin + ".jupyterlab-settings")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "IPYTHON"))}
    env.update(
        HOME=str(home),
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        # matplotlib's font cache is the machine's, not a setting: reusing it saves seconds.
        MPLCONFIGDIR=os.environ.get("MPLCONFIGDIR", str(Path.home() / ".cache" / "matplotlib")),
        PYTHONUNBUFFERED="1",
    )
    return env


def _server_args(port: int, token: str, root: Path) -> list[str]:
    args = [
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
    ]
    return args + (["--allow-root"] if os.geteuid() == 0 else [])


def _start(
    name: str,
    command: list[str],
    *,
    cwd: Path,
    env: dict,
    root: Path,
    home: Path,
    token,
    port,
    log: Path,
) -> Lab:
    started = time.perf_counter()
    with open(log, "wb") as out:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # make and its children stop together
        )
    lab = Lab(name, f"http://127.0.0.1:{port}/", token, root, home, process, log)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{name}: JupyterLab exited ({process.returncode}):\n{log.read_text()}")
        try:
            if lab.get("api/status")[0] == 200:
                lab.started_s = time.perf_counter() - started
                TIMES[f"{name}: server start (s)"] = round(lab.started_s, 1)
                return lab
        except OSError:
            pass
        time.sleep(0.3)
    _stop(lab)
    pytest.fail(f"{name}: JupyterLab did not answer in 120 s:\n{log.read_text()[-4000:]}")


def _stop(lab: Lab) -> None:
    if lab.process.poll() is None:
        os.killpg(lab.process.pid, signal.SIGTERM)
        try:
            lab.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(lab.process.pid, signal.SIGKILL)
            lab.process.wait()


def _copy(src: Path, dest: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "_build")
    if src.is_dir():
        shutil.copytree(src, dest, ignore=ignore)
    else:
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest)


@pytest.fixture(scope="module")
def local_lab(tmp_path_factory) -> Iterator[Lab]:
    """`make lab` in a scratch copy of the course, with the course's .venv (not rebuilt)."""
    tmp = tmp_path_factory.mktemp("make-lab")
    course = tmp / "course"
    for part in ("Makefile", "pyproject.toml", "requirements", "jupyter", "book", LAB):
        _copy(ROOT / part, course / part)
    port, token, home = _free_port(), secrets.token_hex(16), tmp / "home"
    venv = BIN.parent
    command = [
        "make", "--no-print-directory", "lab",
        f"VENV={venv}",
        "-o", f"{venv}/.installed",  # the environment exists: never reinstall it here
        "LAB_ARGS=" + " ".join(a for a in _server_args(port, token, course)
                               if not a.startswith("--ServerApp.root_dir")),
    ]  # fmt: skip
    lab = _start("local", command, cwd=course, env=_new_user(home), root=course, home=home,
                 token=token, port=port, log=tmp / "jupyterlab.log")  # fmt: skip
    yield lab
    _stop(lab)


@pytest.fixture(scope="module")
def binder_repo(tmp_path_factory) -> Path:
    """The student repository with binder/postBuild run in it, as repo2docker builds it."""
    dest = tmp_path_factory.mktemp("binder") / "repo"
    started = time.perf_counter()
    export(ROOT, dest)
    env = _new_user(dest.parent / "build-home")
    done = subprocess.run(
        ["bash", "binder/postBuild"], cwd=dest, env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, f"binder/postBuild failed:\n{done.stdout}\n{done.stderr}"
    TIMES["binder: export + postBuild (s)"] = round(time.perf_counter() - started, 1)
    return dest


@pytest.fixture(scope="module")
def binder_lab(binder_repo, tmp_path_factory) -> Iterator[Lab]:
    """JupyterLab started through binder/start in the built repository (REPO_DIR, as in
    repo2docker)."""
    tmp = tmp_path_factory.mktemp("binder-lab")
    port, token, home = _free_port(), secrets.token_hex(16), tmp / "home"
    env = _new_user(home) | {"REPO_DIR": str(binder_repo)}
    command = ["binder/start", str(BIN / "jupyter"), "lab",
               *_server_args(port, token, binder_repo)]  # fmt: skip
    lab = _start("binder", command, cwd=binder_repo, env=env, root=binder_repo, home=home,
                 token=token, port=port, log=tmp / "jupyterlab.log")  # fmt: skip
    yield lab
    _stop(lab)


@pytest.fixture(scope="module", autouse=True)
def _write_timings():
    yield
    if TIMES:
        TIMINGS.parent.mkdir(parents=True, exist_ok=True)
        TIMINGS.write_text(json.dumps(TIMES, indent=1) + "\n")
        print("\nJupyterLab timings:", json.dumps(TIMES, indent=1))


# ----------------------------------------------------------------------------------------
# Driving JupyterLab
# ----------------------------------------------------------------------------------------

PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook in front
NOTEBOOK = f"{PANEL} .jp-Notebook"


def _open(browser, lab: Lab, path: str):
    """A new page with `path` opened from its URL, as Binder's launch link opens it; the
    page and the seconds until the document was shown."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(60_000)
    started = time.perf_counter()
    page.goto(f"{lab.url}lab/tree/{path}?reset&token={lab.token}")
    page.wait_for_selector(f"{NOTEBOOK}, .jp-FileEditor")
    return page, time.perf_counter() - started


@contextmanager
def _opened(browser, lab: Lab, path: str, name: str):
    """`path` open in a new page (and the seconds it took); on the way out the page is
    closed and its kernel shut down, with a screenshot (-FAILED) if something failed."""
    page, open_s = _open(browser, lab, path)
    failed = True
    try:
        yield page, open_s
        failed = False
    finally:
        _close(page, lab, name, failed)


def _close(page, lab: Lab, name: str, failed: bool) -> None:
    """Close the page and shut its kernel down (the next notebook gets the machine)."""
    if failed:
        _shot(page, name + "-FAILED")
    page.close()
    code, body = lab.get("api/sessions")
    for session in json.loads(body) if code == 200 else []:
        request = urllib.request.Request(
            f"{lab.url}api/sessions/{session['id']}",
            method="DELETE",
            headers={"Authorization": f"token {lab.token}"},
        )
        urllib.request.urlopen(request, timeout=30).close()


def _kernel_idle(page) -> None:
    page.wait_for_selector(
        f"{PANEL} .jp-Notebook-ExecutionIndicator[data-status='idle']",
        timeout=120_000,
    )


def _menu(page, menu: str, command: str | None = None) -> list[str]:
    """Open a main-menu menu; click `command` (a command id) in it, or return its items."""
    page.locator("div.lm-MenuBar-itemLabel", has_text=re.compile(f"^{menu}$")).click()
    items = page.locator(".lm-Menu.lm-MenuBar-menu li.lm-Menu-item[data-type='command']")
    items.first.wait_for()
    if command is not None:
        page.locator(f"li.lm-Menu-item[data-command='{command}']").click()
        return []
    labels = [t.strip() for t in items.all_inner_texts()]
    page.keyboard.press("Escape")
    return labels


ALL_RAN = """(sel) => {
  const prompts = [...document.querySelectorAll(sel + ' .jp-CodeCell .jp-InputPrompt')];
  return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
}"""
STALLED = """(sel) => {
  const idle = document.querySelector(sel.replace(' .jp-Notebook', '') +
      " .jp-Notebook-ExecutionIndicator[data-status='idle']");
  const prompts = [...document.querySelectorAll(sel + ' .jp-CodeCell .jp-InputPrompt')];
  return !!idle && prompts.some(p => /\\[ \\]/.test(p.textContent));
}"""


STARTED = """(sel) => [...document.querySelectorAll(sel + ' .jp-CodeCell .jp-InputPrompt')]
    .some(p => /\\[(\\*|\\d+)\\]/.test(p.textContent))"""


def _start_run_all(page) -> None:
    """Run > Run All Cells, and make sure it started: a Run All given while the new
    kernel is still connecting is dropped (no cell queued), so it is given again then."""
    for _ in range(3):
        _menu(page, "Run", "runmenu:run-all")
        try:
            page.wait_for_function(STARTED, arg=NOTEBOOK, timeout=20_000)
            return
        except Exception:  # Playwright's TimeoutError
            _kernel_idle(page)
    pytest.fail("Run All queued no cell, three times")


def _run_all(page, timeout_s: float = 240) -> float:
    """Run > Run All Cells; the seconds until every code cell has run and the kernel is idle.

    On this busy 2-core machine a Run All has now and then stopped part-way, with no error,
    the kernel idle and the cells below never run (a few times in a dozen runs, in lessons;
    not understood yet). A student would press Run All again; so does this, once, with a
    warning that names the notebook, and the timings file records it.
    """
    started = time.perf_counter()
    for attempt in (1, 2):
        _start_run_all(page)
        deadline = time.monotonic() + timeout_s
        stalled_since = None
        while time.monotonic() < deadline:
            if page.evaluate(ALL_RAN, NOTEBOOK):
                _kernel_idle(page)
                return time.perf_counter() - started
            stalled = page.evaluate(STALLED, NOTEBOOK)
            stalled_since = (stalled_since or time.monotonic()) if stalled else None
            if stalled_since and time.monotonic() - stalled_since > 15:
                break
            time.sleep(0.5)
        else:
            pytest.fail(f"Run All did not finish in {timeout_s} s")
        if attempt == 1:
            where = page.url.split("?")[0]
            TIMES[f"Run All stopped part-way, run again: {where}"] = 1
            warnings.warn(f"Run All stopped part-way in {where}; ran it again", stacklevel=2)
    pytest.fail("Run All stopped part-way twice, with no error and the kernel idle")


def _cell(page, index: int):
    return page.locator(f"{NOTEBOOK} .jp-Cell").nth(index)


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"jupyterlab-{name}.png"), full_page=True)


def _tracebacks(page) -> list[str]:
    outputs = page.locator(f"{NOTEBOOK} .jp-OutputArea-output").all_inner_texts()
    return [t[:1500] for t in outputs if "Traceback (most recent call last)" in t]


# ----------------------------------------------------------------------------------------
# The lessons
# ----------------------------------------------------------------------------------------


def _check_lesson(browser, lab: Lab, lesson: str, numbers: list[str]) -> None:
    name = f"{lab.name}-{Path(lesson).stem}"
    with _opened(browser, lab, lesson, name) as (page, open_s):
        assert page.locator(NOTEBOOK).count() == 1, f"{lesson} opened in the text editor"
        _kernel_idle(page)
        TIMES[f"{lab.name}: open {lesson} (s)"] = round(open_s, 1)
        TIMES[f"{lab.name}: run all {lesson} (s)"] = round(_run_all(page), 1)
        expressions = EVAL.findall((lab.root / lesson).read_text(encoding="utf-8"))
        assert expressions, f"{lesson} quotes no number with {{eval}}: pick another lesson"
        # jupyterlab-myst shows an {eval} as its code until the kernel has answered, then
        # the value (or, for an expression that failed, the error in red).
        page.wait_for_function(
            """([sel, exprs]) => ![...document.querySelectorAll(sel + ' .jp-MarkdownCell code')]
                   .some(c => exprs.includes(c.textContent))""",
            arg=[NOTEBOOK, expressions],
            timeout=60_000,
        )
        _shot(page, name)
        assert not _tracebacks(page), f"{lesson}: error output:\n" + "\n".join(_tracebacks(page))
        prose = page.locator(f"{NOTEBOOK} .jp-MarkdownCell .myst")
        failed = page.locator(
            f"{NOTEBOOK} .jp-MarkdownCell .myst [data-mime-type='application/vnd.jupyter.stderr']"
        ).all_inner_texts()
        assert not failed, f"{lesson}: quoted expressions failed: {failed}"
        text = "\n".join(prose.all_inner_texts())
        raw = sorted(set(re.findall(r"\{(?:eval|glue[:\w]*|doc|ref|numref)\}`", text)))
        assert not raw, f"{lesson}: roles shown as raw text in JupyterLab: {raw}"
        for number in numbers:
            assert number in text, f"{lesson}: the quoted number {number} is not in the prose"


@pytest.mark.parametrize("lesson", list(LESSONS))
def test_lesson_opens_as_a_notebook_and_runs_with_its_numbers(browser, local_lab, lesson):
    _check_lesson(browser, local_lab, lesson, LESSONS[lesson])


def test_binder_lesson_opens_as_a_notebook_and_runs_with_its_numbers(browser, binder_lab):
    lesson = next(iter(LESSONS))
    _check_lesson(browser, binder_lab, lesson, LESSONS[lesson])


def test_make_lab_writes_no_settings_into_the_home_folder(local_lab):
    """The settings are the course's (jupyter/ on JUPYTER_CONFIG_PATH), not the user's."""
    code, body = local_lab.get("lab/api/settings/@jupyterlab/docmanager-extension:plugin")
    assert code == 200
    defaults = json.loads(body)["schema"]["properties"]["defaultViewers"]["default"]
    assert defaults.get("markdown") == "Jupytext Notebook", defaults
    written = sorted(
        str(p.relative_to(local_lab.home))
        for p in local_lab.home.rglob("*")
        if p.is_file() and ("labconfig" in p.parts or re.match(r"jupyter_.*config", p.name))
    )
    assert not written, f"settings written into the home folder: {written}"


# ----------------------------------------------------------------------------------------
# A lab: self-check, a typed solution, Validate
# ----------------------------------------------------------------------------------------


def _solutions() -> dict[str, str]:
    """Lab 1's answers from the instructor's source, by nbgrader grade_id: code, and the model
    written answers (Validate refuses a written answer left empty)."""
    import nbformat

    source = ROOT / LAB.replace("release", "source") / "lab1-finite-differences.ipynb"
    nb = nbformat.read(source, as_version=4)
    return {
        c.metadata["nbgrader"]["grade_id"]: "\n".join(
            line for line in c.source.splitlines() if not re.match(r"\s*### (BEGIN|END) ", line)
        )
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("solution")
    }


def _grade_ids(path: Path) -> list[str]:
    import nbformat

    nb = nbformat.read(path, as_version=4)
    return [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]


def test_lab_self_check_explains_a_failure_and_passes_a_typed_solution(browser, local_lab):
    notebook = f"{LAB}/lab1-finite-differences.ipynb"
    ids = _grade_ids(local_lab.root / notebook)
    answer, check = ids.index("forward_difference"), ids.index("selfcheck_forward_difference")
    with _opened(browser, local_lab, notebook, "lab1") as (page, _):
        _kernel_idle(page)
        _start_run_all(page)  # it stops at the first visible test (unsolved)
        report = _cell(page, check).locator(".jp-OutputArea-output")
        report.wait_for()
        page.wait_for_function(
            "(el) => /visible checks/.test(el.textContent)", arg=report.element_handle()
        )
        before = report.inner_text()
        _shot(page, "lab1-unsolved")
        assert "✗" in before and "not implemented yet" in before, before
        _kernel_idle(page)

        # Type the solution into the answer cell, run it and its self-check (Shift+Enter twice).
        editor = _cell(page, answer).locator(".cm-content")
        editor.click()
        page.keyboard.press("Control+A")
        page.keyboard.insert_text(_solutions()["forward_difference"])
        page.keyboard.press("Shift+Enter")
        page.keyboard.press("Shift+Enter")
        page.wait_for_function(
            "(el) => /visible checks passed/.test(el.textContent)",
            arg=_cell(page, check).element_handle(),
            timeout=60_000,
        )
        after = _cell(page, check).locator(".jp-OutputArea-output").inner_text()
        _shot(page, "lab1-typed-solution")
        assert "✓" in after and "✗" not in after, after


def _validate(browser, lab: Lab, notebook: str, shot: str) -> tuple[str, str]:
    """Click the notebook's Validate button; the dialog's verdict class and its text."""
    with _opened(browser, lab, notebook, shot) as (page, _):
        _kernel_idle(page)
        started = time.perf_counter()
        page.locator(f"{PANEL} .jp-NotebookPanel-toolbar jp-button[aria-label='Validate']").click()
        verdict = page.locator(".jp-Dialog .validation-success, .jp-Dialog .validation-failed")
        verdict.wait_for(timeout=180_000)
        TIMES[f"{lab.name}: validate {Path(notebook).name} (s)"] = round(
            time.perf_counter() - started, 1
        )
        _shot(page, shot)
        return verdict.get_attribute("class"), page.locator(".jp-Dialog").inner_text()


def test_validate_passes_a_solved_lab_and_fails_the_unsolved_one(browser, local_lab):
    import nbformat

    folder = local_lab.root / LAB
    nb = nbformat.read(folder / "lab1-finite-differences.ipynb", as_version=4)
    solutions = _solutions()
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in solutions:
            cell.source = solutions[grade_id]
    nbformat.write(nb, folder / "lab1-solved.ipynb")

    verdict, text = _validate(browser, local_lab, f"{LAB}/lab1-solved.ipynb", "lab1-validate")
    assert "validation-success" in verdict, text
    assert "Success! Your notebook passes all the tests." in text
    verdict, text = _validate(
        browser, local_lab, f"{LAB}/lab1-finite-differences.ipynb", "lab1-validate-unsolved"
    )
    assert "validation-failed" in verdict and "NotImplementedError" in text, text


# ----------------------------------------------------------------------------------------
# Students' tools only
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["local_lab", "binder_lab"])
def test_nbgrader_offers_students_tools_only(browser, request, which):
    lab = request.getfixturevalue(which)
    with _opened(browser, lab, "book/intro.md", f"{lab.name}-nbgrader-menu") as (page, _):
        items = _menu(page, "Nbgrader")
        _shot(page, f"{lab.name}-nbgrader-menu")
        _menu(page, "Nbgrader", "nbgrader:open-assignment-list")
        page.locator(".nbgrader-mainarea-widget").first.wait_for()
    assert "Assignment List" in items, items
    for tool in ("Formgrader", "Create Assignment", "Course List"):
        assert not any(tool in i for i in items), f"the Nbgrader menu offers {tool}: {items}"
    assert lab.get("formgrader")[0] == 404  # the server extension is off too
    code, body = lab.get("lab")
    assert code == 200 and '"@jupyter/nbgrader:formgrader"' in body  # listed as disabled


# ----------------------------------------------------------------------------------------
# Binder
# ----------------------------------------------------------------------------------------


def test_binder_requirements_resolve_to_the_course_pins(binder_repo):
    """binder/requirements.txt, as repo2docker reads it, against the course's .venv: pip's
    dry run finds every requirement already satisfied by the pinned environment, so Binder
    gets the same versions (only the course package itself would be (re)installed)."""
    requirements = (binder_repo / "binder" / "requirements.txt").read_text()
    assert "-c ../requirements/constraints.txt" in requirements
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--disable-pip-version-check",
         "--report", "-", "--quiet", "-r", "binder/requirements.txt"],
        cwd=binder_repo, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    TIMES["binder: pip install --dry-run (s)"] = round(time.perf_counter() - started, 1)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    to_install = sorted(i["metadata"]["name"] for i in report["install"])
    assert to_install == ["autodiff_lite"], f"Binder would install other versions: {to_install}"


def test_binder_holds_what_students_need_and_nothing_they_must_not_see(binder_repo):
    for entry in re.findall(r"(?:root|file):\s*(\S+)", (ROOT / "_toc.yml").read_text()):
        found = list((binder_repo / entry).parent.glob(Path(entry).name + ".*"))
        assert found, f"{entry} (in the book's table of contents) is missing on Binder"
    labs = sorted(p.name for p in (ROOT / "notebooks" / "release").iterdir() if p.is_dir())
    for lab in labs:
        assert list((binder_repo / "notebooks" / "release" / lab).glob("*.ipynb")), lab
    assert (binder_repo / "autodiff_lite" / "__init__.py").exists()
    for gone in ("notebooks/source", "notebooks/tools", "notebooks/grader",
                 "notebooks/nbgrader_config.py", "tests"):  # fmt: skip
        assert not (binder_repo / gone).exists(), f"{gone} is on Binder"
    leaks = [
        str(p.relative_to(binder_repo))
        for p in binder_repo.rglob("*")
        if p.is_file() and ".git" not in p.parts
        and any(m.encode() in p.read_bytes() for m in MARKERS)
    ]  # fmt: skip
    assert not leaks, f"solution or hidden-test markers on Binder: {leaks}"
    start = binder_repo / "binder" / "start"
    assert start.stat().st_mode & stat.S_IXUSR, "binder/start must be executable"


def test_binder_start_serves_the_course_settings(binder_lab):
    """The server binder/start launched reads jupyter/: Markdown opens as a notebook, and
    nbgrader's instructor plugins are disabled."""
    code, body = binder_lab.get("lab/api/settings/@jupyterlab/docmanager-extension:plugin")
    assert code == 200
    defaults = json.loads(body)["schema"]["properties"]["defaultViewers"]["default"]
    assert defaults == {"markdown": "Jupytext Notebook", "myst": "Jupytext Notebook"}
    code, page = binder_lab.get("lab")
    config = json.loads(re.search(r'id="jupyter-config-data" type="application/json">(.*?)</',
                                  page, re.S).group(1))  # fmt: skip
    disabled = set(config.get("disabledExtensions", []))
    assert {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment"} <= disabled
    assert "@jupyter/nbgrader:assignment-list" not in disabled
    assert "@jupyter/nbgrader:validate-assignment" not in disabled
