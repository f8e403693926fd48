"""Student HTML never runs in a grader's browser (notebooks/grader/sanitize.py).

Three layers of checks:

- unit tests: every attack vector (markdown, raw cells, attachments, each kind of output,
  metadata) rendered with nbconvert's plain ``basic`` template, which emits only the
  notebook's own content. Without sanitizing the rendered HTML holds live markup (a script
  tag, an event handler, a ``javascript:`` URL, a request to ``evil.test``...); after
  ``sanitize_notebook`` it holds none. The first half proves the detector can fail.
- the real feedback path: a scratch course with this repository's ``nbgrader_config.py``,
  a hostile autograded notebook, and the real ``nbgrader generate_feedback``; then the same
  with the config's sanitizing lines undone.
- the formgrader's exporter, built the way nbgrader's server extension builds it.

Both pages are opened in headless Chromium (Debian's package, through Playwright, launched as
``test_book.py`` does). Every vector tries to append to ``window.pwned``, set
``document.title`` or fetch from ``http://evil.test``; the page must show none of it, and
the unsanitized control must show them.
"""

from __future__ import annotations

import base64
import copy
import json
import os
import shutil
import subprocess
import sys
import time
import warnings
from pathlib import Path

import nbformat
import pytest
from nbconvert import HTMLExporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "notebooks"
sys.path.insert(0, str(COURSE))
from grader.safe_html import clean_html, safe_markdown2html  # noqa: E402
from grader.sanitize import Limits, sanitize_notebook  # noqa: E402

bs4 = pytest.importorskip("bs4")
EVIL = "http://evil.test"
PNG = base64.b64encode(  # a 1x1 PNG
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    )
).decode()


def pwn(tag: str) -> str:
    """Script that leaves a trace in the top window (also from a same-origin frame)."""
    return f"(top.pwned=top.pwned||[]).push('{tag}')"


def onerror(tag: str) -> str:
    return f'<img src="x" onerror="{pwn(tag)}">'


def code(*outputs, **kw):
    cell = new_code_cell("display(x)", **kw)
    cell.outputs = list(outputs)
    return cell


def tampered(cell, **fields):
    """A cell with fields nbformat's constructors would refuse (a student's editor won't)."""
    cell.update(fields)
    return cell


def html_out(text: str, **meta):
    return new_output("display_data", data={"text/html": text, "text/plain": "x"}, metadata=meta)


SVG = f'<svg xmlns="http://www.w3.org/2000/svg" onload="{pwn("svg")}"><script>1</script></svg>'
VECTORS = {
    "md_script": new_markdown_cell(f"<script>{pwn('md_script')};document.title='pwned'</script>"),
    "md_onerror": new_markdown_cell("An image " + onerror("md_onerror")),
    "md_fetch": new_markdown_cell(f"<img src=x onerror=\"fetch('{EVIL}/md_fetch')\">"),
    "md_svg": new_markdown_cell(f'<svg onload="{pwn("md_svg")}"><circle r="5"/></svg>'),
    "md_iframe": new_markdown_cell(
        f'<iframe srcdoc="&lt;script&gt;{pwn("md_iframe")}&lt;/script&gt;"></iframe>'
    ),
    "md_html_link": new_markdown_cell(f'<a href="javascript:{pwn("md_html_link")}">a link</a>'),
    "md_link": new_markdown_cell("[a markdown link](javascript:top.document.title='pwned')"),
    "md_ref_link": new_markdown_cell("[ref]\n\n[ref]: JaVa&#115;cript:top.document.title=1"),
    "md_autolink": new_markdown_cell("<javascript:top.document.title='pwned'>"),
    "md_style": new_markdown_cell(f"<style>body {{ background: url({EVIL}/style) }}</style>"),
    "md_style_attr": new_markdown_cell(f'<p style="background:url({EVIL}/attr)">styled</p>'),
    "md_remote_image": new_markdown_cell(f"![pixel]({EVIL}/pixel.png)"),
    "md_meta_refresh": new_markdown_cell(f'<meta http-equiv="refresh" content="0;url={EVIL}/">'),
    "md_form": new_markdown_cell(f'<form action="{EVIL}/form"><button>Go</button></form>'),
    "md_attachment": new_markdown_cell(
        "![a](attachment:evil.svg)",
        attachments={
            "evil.svg": {"image/svg+xml": base64.b64encode(SVG.encode()).decode()},
            "page.html": {"text/html": base64.b64encode(b"<script>1</script>").decode()},
        },
    ),
    "raw_html": new_raw_cell(
        f"<script>{pwn('raw')}</script>" + onerror("raw"), metadata={"raw_mimetype": "text/html"}
    ),
    "out_html_script": code(html_out(f"<script>{pwn('out_html_script')}</script>")),
    "out_html_onerror": code(html_out(onerror("out_html_onerror"))),
    "out_js": code(new_output("display_data", data={"application/javascript": pwn("out_js")})),
    "out_svg": code(new_output("display_data", data={"image/svg+xml": SVG})),
    "out_markdown": code(new_output("display_data", data={"text/markdown": onerror("out_md")})),
    "out_isolated": code(
        html_out(f"<script>fetch('{EVIL}/isolated')</script>", **{"text/html": {"isolated": True}})
    ),
    "out_widget": code(
        new_output(
            "display_data",
            data={
                "application/vnd.jupyter.widget-view+json": {"model_id": "m", "version_major": 2}
            },
        )
    ),
    "out_png_filename": code(
        new_output(
            "display_data",
            data={"image/png": PNG},
            metadata={"filenames": {"image/png": f"{EVIL}/file.png"}},
        )
    ),
    "out_stream": code(new_output("stream", name="stdout", text=f"<script>{pwn('s')}</script>")),
    "out_error": code(new_output("error", ename="E", evalue="v", traceback=[onerror("out_error")])),
    "meta_execution_count": tampered(new_code_cell("1"), execution_count=onerror("count")),
    "meta_tags": new_code_cell("1", metadata={"tags": ['x"><script>alert(1)</script>']}),
    "meta_grade_id": new_code_cell(
        "1",
        metadata={
            "nbgrader": {"solution": True, "grade_id": f'"></textarea>{onerror("grade_id")}'}
        },
    ),
}
# Vectors that nbconvert's plain template already escapes: the detector rightly finds
# nothing in them even unsanitized. The grade id is rendered raw only by nbgrader's templates.
ESCAPED_BY_NBCONVERT = {"raw_html", "out_stream", "out_error", "meta_tags", "meta_grade_id"}
# Left out of the pages opened in the browser: a refresh navigates away from the page; the
# unsanitized control could not render the other two at all (nbconvert validates the notebook
# after each preprocessor and rejects a text execution count; GetGrades looks every grade id
# up in the gradebook). The unit test above covers all three.
NOT_IN_BROWSER = {"md_meta_refresh", "meta_grade_id", "meta_execution_count"}
LIVE_TAGS = {"script", "style", "iframe", "frame", "object", "embed", "svg", "math", "link"}
LIVE_TAGS |= {"meta", "base", "form", "input", "button", "textarea", "video", "audio"}
URL_ATTRS = ("href", "src", "action", "formaction", "xlink:href", "srcdoc", "data", "poster")


def render_plain(nb) -> str:
    """nbconvert's ``basic`` template, no sanitizing: only the notebook's content."""
    plain = HTMLExporter(template_name="basic")
    plain._preprocessors = []  # nbconvert validates after each one; a browser does not
    return plain.from_notebook_node(nbformat.from_dict(nb))[0]


def live_markup(page: str) -> list[str]:
    """Everything in the HTML that could run, style, frame or fetch."""
    found = []
    for tag in bs4.BeautifulSoup(page, "html.parser").find_all(True):
        if tag.name in LIVE_TAGS:
            found.append(f"<{tag.name}>")
        for name, value in tag.attrs.items():
            value = " ".join(value) if isinstance(value, list) else str(value)
            url = "".join(value.split()).lower()
            image = tag.name == "img" and name == "src"
            fetched = "evil.test" in url and name != "href"  # a link is fine, a load is not
            if name.startswith("on") or name == "style" or fetched:
                found.append(f"{tag.name} {name}={value[:40]!r}")
            elif name in URL_ATTRS and url.startswith(("javascript:", "vbscript:", "data:")):
                if not (image and url.startswith(("data:image/png", "data:image/jpeg"))):
                    found.append(f"{tag.name} {name}={value[:40]!r}")
    return found


def notebook(*cells):
    nb = new_notebook()
    nb.cells = [copy.deepcopy(c) for c in cells]  # unvalidated, as a student may hand it in
    return nb


def one(name: str):
    nb = notebook(VECTORS[name])
    if name == "out_widget":
        state = {"state": {}, "x": f"</script><script>{pwn('widget_state')}</script>"}
        nb.metadata.widgets = {"application/vnd.jupyter.widget-state+json": state}
    return nb


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_each_vector_is_live_without_sanitizing_and_dead_with_it(name):
    nb = one(name)
    if name not in ESCAPED_BY_NBCONVERT:
        assert live_markup(render_plain(nb)), f"{name}: the detector found nothing to remove"
    safe, notes = sanitize_notebook(nb)
    nbformat.validate(safe)  # nbconvert refuses an invalid notebook: no feedback at all
    assert live_markup(render_plain(safe)) == [], name
    assert notes or name in ESCAPED_BY_NBCONVERT, f"{name}: changed, yet said nothing"


def test_what_the_sanitizer_keeps_and_says():
    safe, _ = sanitize_notebook(notebook(*VECTORS.values()))
    cells = dict(zip(VECTORS, safe.cells))
    assert "[not shown: application/javascript output]" in str(cells["out_js"].outputs)
    assert "javascript:" in cells["md_link"].source and "<pre>" in cells["md_link"].source
    assert cells["md_attachment"].get("attachments", {}) == {}  # SVG and HTML attachments dropped
    assert "nbgrader" not in cells["meta_grade_id"].metadata
    assert cells["meta_execution_count"].execution_count is None
    png = cells["out_png_filename"].outputs[0]
    assert png.data == {"image/png": PNG} and "filenames" not in png.metadata
    assert "&lt;script>" in cells["md_script"].source  # shown to the grader, not run
    again, _ = sanitize_notebook(safe)
    assert [c.source for c in again.cells] == [c.source for c in safe.cells]


def test_sizes_are_capped():
    big = "x" * 300_000
    outputs = [new_output("stream", name="stdout", text=big)]
    outputs += [new_output("display_data", data={"text/plain": "y" * 90_000}) for _ in range(30)]
    outputs += [new_output("display_data", data={"image/png": "A" * 2_000_000})]
    nb = notebook(code(*outputs))
    safe, notes = sanitize_notebook(nb, Limits(output=100_000, image=1_000_000, notebook=1_000_000))
    kept = safe.cells[0].outputs
    assert len(kept[0].text) < 101_000 and "output truncated: 300,000 bytes" in kept[0].text
    assert len(json.dumps(safe)) < 1_200_000
    assert any("exceed the cap" in n for n in notes)
    assert "image/png" not in kept[-1].get("data", {})


def test_the_html_checked_per_notebook_is_capped():
    """bleach is slow on dense tags, so a notebook full of them could stall feedback."""
    dense = ("<table>" + "<tr><td onclick='x()'>1</td><td><b>2</b></td></tr>" * 2000)[:100_000]
    outputs = [html_out(dense) for _ in range(10)]
    cells = [code(*outputs), new_markdown_cell("<b onclick='x()'>bold</b> " * 4000)]
    start = time.perf_counter()
    safe, notes = sanitize_notebook(notebook(*cells), Limits(markup=250_000))
    seconds = time.perf_counter() - start
    html_kept = [o for o in safe.cells[0].outputs if "text/html" in o.data]
    assert len(html_kept) == 2 and all(o.data["text/plain"] == "x" for o in safe.cells[0].outputs)
    assert safe.cells[1].source.startswith("<p><em>[shown as text: more markup")
    assert live_markup(render_plain(safe)) == [] and seconds < 10, seconds


def test_the_labs_pass_untouched():
    """The instructor's own content, student and instructor versions of every lab: markdown,
    code (the hidden tests that feedback hides come after the sanitizer), metadata, ids."""
    labs = sorted((COURSE / "release").glob("*/*.ipynb"))
    assert len(labs) >= 17
    labs += sorted((COURSE / "source").glob("*/*.ipynb"))
    for path in labs:
        nb = nbformat.read(path, as_version=4)
        safe, _ = sanitize_notebook(nb)
        for before, after in zip(nb.cells, safe.cells, strict=True):
            assert after.source == before.source, (path.name, before.source[:80])
            assert after.metadata.get("nbgrader") == before.metadata.get("nbgrader"), path.name
            assert after.id == before.id


# --------------------------------------------------------------------------------------------
# The real pages in a real browser


REPORT = """() => ({
  pwned: window.pwned || [],
  title: document.title,
  live: [...document.querySelectorAll('#notebook-container *')].flatMap(e =>
      [...e.attributes].filter(a => /^on/i.test(a.name)
                               || /^\\s*(javascript|vbscript):/i.test(a.value))
        .map(a => e.tagName + ' ' + a.name)
      .concat(/^(SCRIPT|IFRAME|OBJECT|EMBED|SVG|STYLE)$/i.test(e.tagName) ? [e.tagName] : [])),
})"""


def load_only_files(route, requests: list) -> None:
    requests.append(route.request.url)
    route.continue_() if route.request.url.startswith("file:") else route.abort()


def visit(browser, page_file: Path) -> dict:
    """Open a page as a grader would, with jQuery present (stubbed: nothing is downloaded),
    and report what student script ran and what it tried to fetch."""
    page = browser.new_page()
    requests, dialogs = [], []
    page.add_init_script("window.$ = window.jQuery = function () { return {}; };")
    page.route("**/*", lambda route: load_only_files(route, requests))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(page_file.as_uri(), wait_until="load")
    page.wait_for_timeout(500)
    report = page.evaluate(REPORT)
    page.close()
    report["evil"] = sorted(u for u in requests if "evil.test" in u)
    report["dialogs"] = dialogs
    print(page_file.name, json.dumps(report))
    return report


def assert_clean(report: dict, what: str) -> None:
    assert report["pwned"] == [], f"{what}: student script ran: {report['pwned']}"
    assert report["title"] != "pwned", what
    assert report["evil"] == [], f"{what}: requests to the student's server: {report['evil']}"
    assert report["dialogs"] == [] and report["live"] == [], (what, report)


def assert_attacked(report: dict, what: str) -> None:
    """The control: the same page unsanitized really does run the student's script."""
    assert len(set(report["pwned"])) >= 3, (what, report)
    assert report["title"] == "pwned" and report["evil"] and report["live"], (what, report)


def nbgrader_cmd(course: Path, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIFFPROG_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    start = time.perf_counter()
    run = subprocess.run(  # as course.py runs it (without a slow import it does not need)
        [sys.executable, "-c", NBGRADER, *args, "--log-level=WARN"],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    print(f"nbgrader {args[0]}: {time.perf_counter() - start:.1f} s")


NBGRADER = (
    "import sys; sys.modules['rfc3987_syntax'] = None; "
    "from nbgrader.apps.nbgraderapp import main; sys.exit(main())"
)
UNDO = """
c.HTMLExporter.preprocessors = []
c.HTMLExporter.sanitize_html = False
c.HTMLExporter.filters = {}
"""


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """A scratch course: this repository's config and tools, one lab, one hostile student
    whose notebook is in autograded/ with grades in the gradebook (autograding itself is
    tested in test_pipeline.py; here only what it hands to feedback matters)."""
    course = tmp_path_factory.mktemp("sanitize") / "course"
    skip = ("source", "release", "submitted", "autograded", "feedback", "reports", "archive")
    shutil.copytree(COURSE, course, ignore=shutil.ignore_patterns(*skip, "*.db*", "__pycache__"))
    answer = new_code_cell("answer = 42", metadata={"nbgrader": {"solution": True, "grade": False,
             "locked": False, "grade_id": "answer", "schema_version": 3}})  # fmt: skip
    test = new_code_cell("assert answer == 42", metadata={"nbgrader": {"solution": False,
           "grade": True, "locked": True, "grade_id": "answer_test", "points": 1,
           "schema_version": 3}})  # fmt: skip
    written = new_markdown_cell("YOUR ANSWER HERE", metadata={"nbgrader": {"solution": True,
              "grade": True, "locked": False, "grade_id": "written", "points": 1,
              "schema_version": 3}})  # fmt: skip
    source = new_notebook(cells=[new_markdown_cell("# Hostile\n\n*Instructor's* text."), answer,
                          test, written])  # fmt: skip
    source.metadata.kernelspec = {"name": "python3", "language": "python", "display_name": "Py"}
    (course / "source" / "hostile").mkdir(parents=True)
    nbformat.write(source, course / "source" / "hostile" / "hostile.ipynb")
    nbgrader_cmd(course, "generate_assignment", "hostile", "--force")

    nb = nbformat.read(course / "release" / "hostile" / "hostile.ipynb", as_version=4)
    nb.cells[3].source = "My answer: " + onerror("written_answer")
    nb.cells += [VECTORS[n] for n in VECTORS if n not in NOT_IN_BROWSER]
    nb.metadata.widgets = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    (course / "autograded" / "eve" / "hostile").mkdir(parents=True)
    nbformat.write(nb, course / "autograded" / "eve" / "hostile" / "hostile.ipynb")
    from nbgrader.api import Gradebook

    with warnings.catch_warnings():  # SQLAlchemy warns about nbgrader's own session use
        warnings.simplefilter("ignore")
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id="diffprog") as gb:
            gb.add_student("eve")
            gb.add_submission("hostile", "eve")
            for grade in gb.find_submission_notebook("hostile", "hostile", "eve").grades:
                grade.auto_score = 1
            gb.db.commit()
    return course


@pytest.fixture(scope="module")
def feedback(course) -> dict[str, Path]:
    """The real ``nbgrader generate_feedback``, with the config as committed, then undone."""
    page = course / "feedback" / "eve" / "hostile" / "hostile.html"
    nbgrader_cmd(course, "generate_feedback", "hostile", "--force")
    safe = course.parent / "feedback-sanitized.html"  # --force empties feedback/eve/
    page.rename(safe)
    config = course / "nbgrader_config.py"
    config.write_text(config.read_text() + UNDO)
    try:
        nbgrader_cmd(course, "generate_feedback", "hostile", "--force")
    finally:
        config.write_text(config.read_text().replace(UNDO, ""))
    return {"sanitized": safe, "control": page}


def test_feedback_runs_no_student_script(feedback, browser):
    assert_clean(visit(browser, feedback["sanitized"]), "feedback")
    text = feedback["sanitized"].read_text()
    assert "Instructor" in text and "Score: 2.0 / 2.0" in text  # still the feedback page
    assert "[not shown: application/javascript output]" in text


def test_feedback_without_sanitizing_does_run_it(feedback, browser):
    assert_attacked(visit(browser, feedback["control"]), "unsanitized feedback")


def formgrader_page(course: Path, out: Path, *, sanitized: bool) -> Path:
    """The formgrader's page for eve's notebook, rendered by an HTMLExporter configured as
    nbgrader's server extension configures it (FormgradeExtension.initialize in the course
    folder, then HTMLExporter(config=...)), with the resources its handler passes."""
    from nbgrader.server_extensions.formgrader.formgrader import FormgradeExtension

    cwd, path = os.getcwd(), list(sys.path)
    os.chdir(course)
    try:
        app = FormgradeExtension()
        app.initialize([])
        config = app.config.copy()
    finally:
        os.chdir(cwd)
        sys.path[:] = path
    if not sanitized:
        config.HTMLExporter.preprocessors, config.HTMLExporter.filters = [], {}
        config.HTMLExporter.sanitize_html = False
    resources = {"assignment_id": "hostile", "notebook_id": "hostile", "submission_id": "s",
                 "index": 0, "total": 1, "base_url": "", "student": "eve", "last_name": "",
                 "first_name": "", "notebook_path": "autograded/eve/hostile/x.ipynb"}  # fmt: skip
    nb = nbformat.read(course / "autograded" / "eve" / "hostile" / "hostile.ipynb", as_version=4)
    nb.cells.append(VECTORS["meta_grade_id"])  # the formgrader writes grade ids unescaped
    exporter = HTMLExporter(config=config)
    assert exporter.template_name == "formgrade"
    out.write_text(exporter.from_notebook_node(nb, resources=resources)[0])
    return out


def test_formgrader_runs_no_student_script(course, browser, tmp_path):
    page = formgrader_page(course, tmp_path / "formgrade.html", sanitized=True)
    assert_clean(visit(browser, page), "formgrader")


def test_formgrader_without_sanitizing_does_run_it(course, browser, tmp_path):
    page = formgrader_page(course, tmp_path / "formgrade.html", sanitized=False)
    assert_attacked(visit(browser, page), "unsanitized formgrader")


# What the render-time layer alone (the config's filters and sanitize_html, no preprocessor)
# makes safe: all markup. It cannot reach what the templates build from other fields (an
# image URL in "filenames", an "isolated" frame, the execution count), nor SVG (nbconvert
# shows it as an <img>, where its scripts do not run): the preprocessor handles those.
RENDER_LAYER_MISSES = {"out_png_filename", "out_isolated", "meta_execution_count"}
RENDER_LAYER_MISSES |= {"md_attachment", "out_svg"}


@pytest.mark.parametrize("name", sorted(set(VECTORS) - ESCAPED_BY_NBCONVERT - RENDER_LAYER_MISSES))
def test_the_render_layer_alone_cleans_markup(name):
    filters = {"clean_html": clean_html, "markdown2html": safe_markdown2html}
    exporter = HTMLExporter(template_name="basic", sanitize_html=True, filters=filters)
    exporter._preprocessors = []
    page = exporter.from_notebook_node(nbformat.from_dict(one(name)))[0]
    assert live_markup(page) == [], name
