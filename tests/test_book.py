"""The web book: it builds offline with warnings as errors, and a real browser checks every page.

The build runs the same command as `make book` (cached execution, so a rebuild
only re-runs changed pages). Headless Chromium (Debian's package, driven by
Playwright) then opens every page from disk and checks that math is typeset,
figures load, internal links resolve, the Binder and download buttons point at
the page's source, and nothing is fetched from the network. Screenshots of
every page are kept in `_build/screenshots/` as artifacts.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from course import kernel_failed_to_start  # notebooks/tools (see conftest.py)

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
REPO_URL = "https://github.com/diffprog-course/diffprog-course"
BUILD = ["jupyter-book", "build", ".", "-W", "-n", "--keep-going"]  # as in the Makefile


# What the browser reports about a page after MathJax has run.
PAGE_REPORT = r"""() => {
  const maths = [...document.querySelectorAll('.math')];
  const main = document.querySelector('main');
  return {
    untypeset: maths.filter(m => !m.querySelector('mjx-container'))
                    .map(m => m.textContent.slice(0, 60)),
    rawTex: /\$\$|\\\(|\\\[/.test(main ? main.innerText : ''),
    brokenImages: [...document.images].filter(i => !(i.complete && i.naturalWidth > 0))
                                      .map(i => i.src),
    links: [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href')),
  };
}"""


BUILD_LOG = ROOT / "_build" / "book-build.log"


def _why_the_build_failed(log: str) -> str:
    """The part of a failed build's log that says why.

    The log ends with the build's own traceback, which says only that the build failed; the
    cause is earlier: Sphinx's WARNING and ERROR lines, the cell with its traceback when a
    lesson's cell raised (myst-nb prints it before stopping the build), and a kernel's
    failure to start.
    """
    text = re.sub(r"\x1b\[[0-9;]*m", "", log)  # no terminal colours
    lines = [line for line in text.splitlines() if re.search(r"\b(WARNING|ERROR|CRITICAL):", line)]
    cells = re.findall(
        r"(An error occurred while executing the following cell:.*?)"
        r"(?:\nThe above exception was the direct cause|\Z)",
        text,
        re.S,
    )
    kernels = [line for line in text.splitlines() if kernel_failed_to_start(line)]
    parts = ["\n".join(lines[:40]), *(c[-4000:] for c in cells[:3]), "\n".join(kernels[:5])]
    return "\n\n".join(p for p in parts if p.strip()) or text[-3000:]


def _build_book() -> tuple[int, str]:
    """Build the book as `make book` does; the exit code and the whole log (also saved)."""
    exe = Path(sys.executable).parent / "jupyter-book"
    done = subprocess.run(
        [str(exe), *BUILD[1:]], cwd=ROOT, capture_output=True, text=True, timeout=1800
    )
    log = done.stdout + "\n" + done.stderr
    BUILD_LOG.parent.mkdir(parents=True, exist_ok=True)
    BUILD_LOG.write_text(log)
    return done.returncode, log


@pytest.fixture(scope="session")
def book(request) -> Path:
    code, log = _build_book()
    # A kernel that never started is the machine's fault, not the page's (the same check as
    # the grader's): the build runs once more (the cache keeps every page that did execute)
    # and the retry is reported.
    if code != 0 and kernel_failed_to_start(log):
        warnings.warn(f"the book build was retried: {_why_the_build_failed(log)}", stacklevel=1)
        code, log = _build_book()
    if code != 0:
        why = _why_the_build_failed(log)
        request.config._setup_failures.append(("the book build", why))  # see conftest.py
        pytest.fail(f"book build failed (whole log: {BUILD_LOG}):\n{why}", pytrace=False)
    assert (HTML / "index.html").exists()
    return HTML


def _pages(html: Path) -> list[Path]:
    """The book's pages: the root index and every page in the table of contents.

    (Reading the toc rather than globbing _build/html skips pages left over from
    earlier builds and the theme's templates.)
    """
    return [html / "index.html"] + [html / (entry + ".html") for entry in _sources_in_toc()]


def _sources_in_toc() -> list[str]:
    toc = (ROOT / "_toc.yml").read_text()
    return re.findall(r"(?:root|file):\s*(\S+)", toc)


def test_every_toc_entry_became_a_page(book):
    for entry in _sources_in_toc():
        page = book / (entry + ".html")
        assert page.exists(), f"{entry} is in _toc.yml but {page} was not built"


def test_no_cdn_or_remote_assets_in_the_html(book):
    remote_asset = re.compile(r"""<(?:script|link|img)[^>]+(?:src|href)=["'](?:https?:)?//""")
    for page in _pages(book):
        text = page.read_text(encoding="utf-8")
        assert not remote_asset.search(text), f"{page.relative_to(book)} loads a remote asset"
    assert (book / "_static" / "mathjax" / "tex-chtml.js").exists()


def test_no_solutions_or_hidden_tests_in_the_built_book(book):
    """Students read the book: nbgrader's solution and hidden-test regions must not be in it."""
    markers = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
    leaks = [
        f"{path.relative_to(book)}: {m}"
        for path in book.rglob("*")
        if path.is_file() and path.suffix in (".html", ".ipynb", ".md", ".py", ".txt", ".js")
        for m in markers
        if m in path.read_text(encoding="utf-8", errors="replace")
    ]
    assert not leaks, "instructor-only material in the built book:\n" + "\n".join(leaks)
    assert not list(book.rglob("source/lab*")), "an instructor source folder was built"


def _ids(path: Path, cache: dict) -> set[str]:
    if path not in cache:
        cache[path] = set(re.findall(r'\sid="([^"]+)"', path.read_text(encoding="utf-8")))
    return cache[path]


def test_every_page_in_a_real_browser(book, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    ids_cache: dict = {}
    problems: list[str] = []
    pages = _pages(book)
    assert len(pages) >= 2
    for path in pages:
        rel = path.relative_to(book).as_posix()
        redirect = re.search(
            r'http-equiv="refresh" content="0; url=([^"]+)"', path.read_text(), re.I
        )
        if redirect:  # the root index.html only forwards to the first page
            target = (path.parent / redirect.group(1)).resolve()
            assert target.exists(), f"{rel} redirects to a missing page {redirect.group(1)}"
            continue
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        remote, errors = [], []
        page.on(
            "request", lambda r, remote=remote: r.url.startswith("http") and remote.append(r.url)
        )
        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        page.goto(path.as_uri(), wait_until="load")
        if "mathjax/tex-chtml.js" in path.read_text(encoding="utf-8"):
            page.wait_for_function(
                "() => !!(window.MathJax && MathJax.startup && MathJax.startup.promise)"
            )
            page.evaluate("() => MathJax.startup.promise")
        report = page.evaluate(PAGE_REPORT)
        page.screenshot(path=str(SHOTS / (rel.replace("/", "__") + ".png")), full_page=True)
        page.close()
        if report["untypeset"]:
            problems.append(f"{rel}: math not typeset: {report['untypeset'][:3]}")
        if report["rawTex"]:
            problems.append(f"{rel}: raw TeX delimiters left in the text")
        if report["brokenImages"]:
            problems.append(f"{rel}: images did not load: {report['brokenImages']}")
        if remote:
            problems.append(f"{rel}: fetched from the network: {remote[:3]}")
        if errors:
            problems.append(f"{rel}: JavaScript errors: {errors[:3]}")
        problems += _check_links(path, rel, report["links"], book, ids_cache)
    assert not problems, "\n".join(problems)


def _check_links(path, rel, links, book, ids_cache) -> list[str]:
    problems = []
    for href in links:
        url = urlparse(href)
        if url.scheme in ("http", "https", "mailto"):
            continue
        target = path if not url.path else (path.parent / unquote(url.path)).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target.exists():
            problems.append(f"{rel}: broken link {href}")
        elif url.fragment and target.suffix == ".html":
            if unquote(url.fragment) not in _ids(target, ids_cache):
                problems.append(f"{rel}: link {href} points at a missing anchor")
    return problems


@pytest.mark.parametrize("entry", _sources_in_toc())
def test_binder_and_download_buttons_point_at_the_page_source(book, entry):
    html = (book / (entry + ".html")).read_text(encoding="utf-8")
    source = next((ROOT / entry).parent.glob(Path(entry).name + ".*"))
    rel_source = source.relative_to(ROOT).as_posix()
    binder = re.findall(r'href="(https://mybinder\.org/v2/gh/[^"]+)"', html)
    assert binder, f"{entry}: no Binder launch button"
    expected = f"/v2/gh/{REPO_URL.split('github.com/')[1]}/main?urlpath=lab/tree/{rel_source}"
    assert any(b.endswith(expected) for b in binder), f"{entry}: Binder link {binder} != {expected}"
    downloads = re.findall(r'href="([^"]*_sources/[^"]+)"', html)
    assert downloads, f"{entry}: no download button"
    for d in downloads:
        target = (book / entry).parent / d
        assert target.resolve().exists(), f"{entry}: download link {d} is missing"
    if source.suffix == ".md":  # MyST notebooks download as .ipynb too
        assert any(d.endswith(Path(entry).name + ".ipynb") for d in downloads)


def test_binder_opens_markdown_pages_as_notebooks():
    """The launch buttons' promise, on paper: binder/start puts the course's jupyter/ settings
    (Markdown opens as a Jupytext notebook) on JUPYTER_CONFIG_PATH. tests/test_jupyterlab.py
    builds the Binder repository and checks it in a real JupyterLab and browser."""
    assert "JUPYTER_CONFIG_PATH" in (ROOT / "binder" / "start").read_text()
    overrides = ROOT / "jupyter" / "labconfig" / "default_setting_overrides.json"
    viewers = json.loads(overrides.read_text())["@jupyterlab/docmanager-extension:plugin"]
    assert viewers["defaultViewers"]["markdown"] == "Jupytext Notebook"
    assert "jupytext" in (ROOT / "pyproject.toml").read_text()
    assert os.path.exists(ROOT / "binder" / "requirements.txt")


LESSONS = [e for e in _sources_in_toc() if (ROOT / (e + ".md")).exists()]


def _nbval(entry: str, tmp: Path):
    executed = ROOT / "_build" / "jupyter_execute" / (entry + ".ipynb")
    if not executed.exists():
        return None
    work = tmp / entry.replace("/", "_")
    work.mkdir()
    nb = work / executed.name
    shutil.copy(executed, nb)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "-q", "-p", "no:cacheprovider", str(nb)],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture(scope="session")
def nbval_runs(book, tmp_path_factory):
    """Every lesson re-executed by nbval, several at a time (one per core): each run is a
    separate process, and running them one after another would take most of CI's time."""
    tmp = tmp_path_factory.mktemp("nbval")
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        runs = dict(zip(LESSONS, pool.map(lambda e: _nbval(e, tmp), LESSONS)))
    return runs


@pytest.mark.parametrize("entry", LESSONS)
def test_lesson_reexecutes_under_nbval(nbval_runs, entry):
    """nbval re-runs each executed lesson; cells marked NBVAL_CHECK_OUTPUT must reproduce.

    The lessons also assert their key numbers (against closed forms, finite
    differences, JAX or PyTorch) in their own cells, so a wrong result fails here
    and in the build.
    """
    done = nbval_runs[entry]
    assert done is not None, f"the build did not keep the executed notebook of {entry}"
    assert done.returncode == 0, f"nbval failed on {entry}:\n{done.stdout[-6000:]}"
    assert re.search(r"\d+ passed", done.stdout), done.stdout[-2000:]


# ----------------------------------------------------------------------------------------
# No lesson asserts a timing
# ----------------------------------------------------------------------------------------

# Calls whose result is a wall-clock time: the standard library's clocks and the lessons'
# own timing helpers.
CLOCKS = {"perf_counter", "monotonic", "time", "process_time", "timeit", "best_time", "best_of"}
CODE_CELL = re.compile(r"```\{code-cell\}[^\n]*\n(?:---\n.*?\n---\n)?(.*?)\n```", re.S)


def _names(node) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _reads_a_clock(node) -> bool:
    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            f = call.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
            if name in CLOCKS:
                return True
    return False


def timed_asserts(source: str) -> list[str]:
    """The assert statements of a lesson's code that depend on a measured time.

    A name is timed when it is assigned from a clock (or a helper that reads one) or from
    another timed name; statements are followed in order, into loops and branches but not
    into function bodies (a helper's inside is its own business; calling it is the clock).
    """
    timed: set[str] = set()
    found: list[str] = []

    def targets(t) -> set[str]:
        while isinstance(t, (ast.Subscript, ast.Attribute)):
            t = t.value
        return _names(t)

    def visit(statements):
        for st in statements:
            if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            if isinstance(st, ast.Assert) and _names(st.test) & timed:
                found.append(ast.unparse(st))
            value = getattr(st, "value", None) if isinstance(st, ast.stmt) else None
            if isinstance(st, (ast.Assign, ast.AugAssign, ast.AnnAssign)) and value is not None:
                if _reads_a_clock(value) or _names(value) & timed:
                    for t in st.targets if isinstance(st, ast.Assign) else [st.target]:
                        timed.update(targets(t))
            if isinstance(st, ast.Expr) and isinstance(st.value, ast.Call):
                f = st.value.func  # timings.append(t), times.update(...)
                if isinstance(f, ast.Attribute) and (
                    _reads_a_clock(st.value) or _names(st.value) & timed
                ):
                    timed.update(targets(f.value))
            for field in ("body", "orelse", "finalbody"):
                visit(getattr(st, field, []))

    visit(ast.parse(source).body)
    return found


def test_the_timed_assert_check_finds_a_timed_assert():
    """The check below, on a copy of the cell that once failed CI (lesson 12 measured a
    checkpointing overhead of 0.85 on a CI machine, against a lower bound of 0.9)."""
    cell = (
        "def best_time(fn):\n    return 1.0\n"
        "full_time = best_time(lambda: 0)\n"
        "times = [best_time(lambda: k) for k in range(3)]\n"
        "peaks = [k for k in range(3)]\n"
        "overhead = float(np.median(times) / full_time)\n"
        "assert min(peaks) < 5\n"
        "assert 0.9 < overhead < 3.0, overhead\n"
        "timing = {}\n"
        "for label in 'ab':\n"
        "    start = time.perf_counter()\n"
        "    best = time.perf_counter() - start\n"
        "    timing[label] = best\n"
        "slow = timing['a'] / timing['b']\n"
        "assert slow < 4.0\n"
    )
    assert timed_asserts(cell) == ["assert 0.9 < overhead < 3.0, overhead", "assert slow < 4.0"]


@pytest.mark.parametrize("entry", LESSONS)
def test_no_lesson_asserts_a_timing(entry):
    """Timings on a shared machine are noise: a lesson shows them and asserts what is certain
    (values, counts of passes, memory), so that the book builds the same on any machine.
    Speed targets live in the benchmark suite (make bench)."""
    text = (ROOT / (entry + ".md")).read_text(encoding="utf-8")
    source = "\n".join(CODE_CELL.findall(text))
    source = "\n".join(line for line in source.splitlines() if not line.startswith("%"))
    assert timed_asserts(source) == [], f"{entry} asserts on a measured time"
