"""Student notebooks made safe to look at: nothing a student wrote runs in a grader's browser.

A graded notebook is the student's file. Its markdown and raw cells may hold raw HTML, its
outputs HTML, SVG, JavaScript or widget views, its metadata whatever the student's editor (or
the student) wrote. nbgrader renders that notebook twice: ``generate_feedback`` writes the
page the student gets back, and the formgrader shows it to the instructor inside a logged-in
Jupyter session, where a script could change grades through the formgrader's API. So a
``<script>``, an ``<img onerror=...>``, a ``javascript:`` link or an SVG with ``onload`` must
never reach either page as markup. Two layers, each complete for what it covers:

1. ``sanitize_notebook`` (the preprocessor ``SanitizeNotebook``) rewrites the notebook before
   any template sees it, so that it is safe whatever renders it: markdown and raw cells are
   cleaned with the allowlist of ``safe_html.py``; outputs keep text/plain, PNG, JPEG and
   cleaned text/html and text/markdown, while JavaScript, SVG, widgets and the rest become a
   one-line note; attachments keep PNG and JPEG; sizes are capped (``Limits``); metadata
   keeps only what nbgrader and the templates read, each value checked (a grade id is
   written into nbgrader's pages unescaped), and the result is a valid notebook.
2. ``safe_html.clean_html`` and ``safe_html.safe_markdown2html`` replace nbconvert's template
   filters of those names, and ``HTMLExporter.sanitize_html`` turns on nbconvert's own output
   checks, so the HTML the templates finally write is cleaned again (see
   ``notebooks/nbgrader_config.py``, which sets all of it for feedback and the formgrader).

Example::

    safe, notes = sanitize_notebook(nbformat.read("eve.ipynb", as_version=4))
    notes  # ['cell 3: markdown HTML cleaned', 'cell 5 output 0: removed application/javascript']
"""

from __future__ import annotations

import copy
import html
import json
import re
from dataclasses import dataclass

import nbformat
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool, Int

from .safe_html import as_text, bleach_html, clean_html, clean_markdown

IMAGE_TYPES = ("image/png", "image/jpeg")
CELL_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
GRADE_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
NBGRADER_FLAGS = ("grade", "solution", "locked", "task")
LEXERS = ("ipython3", "ipython", "python3", "python")


@dataclass(frozen=True)
class Limits:
    """Caps in bytes: one text output (truncated beyond), one image (dropped beyond), all
    outputs of a notebook together (later ones dropped), and the HTML and markdown checked
    per notebook (bleach takes about 4 s a megabyte of dense tags; beyond the cap markdown
    is shown as text and HTML outputs give way to their text/plain)."""

    output: int = 100_000
    image: int = 1_000_000
    notebook: int = 5_000_000
    markup: int = 1_000_000


@dataclass
class _Allowance:
    """What is left of a notebook's caps as its cells are cleaned."""

    outputs: int
    markup: int

    def take_markup(self, text: str) -> bool:
        self.markup -= len(text)
        return self.markup >= 0


def _note(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_output("display_data", data={"text/plain": f"[{text}]"})


def _cap(text, limit: int) -> str:
    text = "".join(text) if isinstance(text, list) else str(text)
    size = len(text.encode())
    if size <= limit:
        return text
    cut = text.encode()[:limit].decode(errors="ignore")
    return f"{cut}\n[output truncated: {size:,} bytes, the first {limit:,} shown]"


def _b64_image(value, limit: int) -> str | None:
    """A base64 image no larger than ``limit`` bytes, else None."""
    value = "".join(value) if isinstance(value, list) else value
    ok = isinstance(value, str) and len(value) <= limit * 4 // 3 + 4
    return value if ok and re.fullmatch(r"[A-Za-z0-9+/=\s]*", value) else None


def _clean_data(data: dict, limits: Limits, left: _Allowance, notes: list, where: str) -> dict:
    kept, dropped = {}, []
    for mime, value in data.items():
        text = _cap(value, limits.output) if mime.startswith("text/") else ""
        if mime in IMAGE_TYPES and (image := _b64_image(value, limits.image)) is not None:
            kept[mime] = image
        elif mime == "text/plain":
            kept[mime] = text
        elif mime == "text/html" and left.take_markup(text):
            kept[mime] = _cap(clean_html(text), limits.output)
        elif mime == "text/markdown" and left.take_markup(text):
            kept[mime] = clean_markdown(text)[0]
        else:
            dropped.append(mime)
        if mime in kept and kept[mime] != value:
            notes.append(f"{where}: {mime} cleaned or cut")
    if dropped:
        notes.append(f"{where}: removed {', '.join(dropped)}")
        if not kept:
            kept["text/plain"] = f"[not shown: {', '.join(dropped)} output]"
    return kept


def _clean_output(out, limits: Limits, left: _Allowance, notes: list[str], where: str):
    kind = out.get("output_type")
    if kind == "stream":
        name = out.get("name") if out.get("name") in ("stdout", "stderr") else "stdout"
        return nbformat.v4.new_output(
            "stream", name=name, text=_cap(out.get("text", ""), limits.output)
        )
    if kind == "error":
        trace = [str(line) for line in out.get("traceback", [])][:200]
        if sum(len(line) for line in trace) > limits.output:
            trace = _cap("\n".join(trace), limits.output).split("\n")
        ename, evalue = _cap(out.get("ename", ""), 1000), _cap(out.get("evalue", ""), 10_000)
        return nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=trace)
    if kind in ("display_data", "execute_result"):
        data = _clean_data(dict(out.get("data") or {}), limits, left, notes, where)
        clean = nbformat.v4.new_output(kind, data=data)
        meta = dict(out.get("metadata") or {})
        if set(meta) - set(IMAGE_TYPES):  # e.g. "filenames" (an image URL), "isolated" frames
            notes.append(f"{where}: metadata {sorted(set(meta) - set(IMAGE_TYPES))} dropped")
        for mime in IMAGE_TYPES:  # only the image sizes of an output's metadata are read
            size = meta.get(mime) or {}
            dims = {k: v for k, v in dict(size).items() if k in ("width", "height")}
            if mime in data and all(isinstance(v, int) for v in dims.values()) and dims:
                clean.metadata[mime] = dims
        if kind == "execute_result":
            count = out.get("execution_count")
            clean.execution_count = count if isinstance(count, int) else None
        return clean
    notes.append(f"{where}: removed an output of type {str(kind)[:40]!r}")
    return _note("not shown: an output of unknown type")


def _clean_metadata(meta: dict, cell_type: str) -> dict:
    """Only the cell metadata that nbgrader and the HTML templates read, each value checked."""
    clean = {}
    nbg = meta.get("nbgrader")
    if isinstance(nbg, dict) and GRADE_ID.match(str(nbg.get("grade_id", ""))):
        clean["nbgrader"] = {k: bool(nbg[k]) for k in NBGRADER_FLAGS if k in nbg}
        clean["nbgrader"]["grade_id"] = nbg["grade_id"]
        for key in ("points", "schema_version"):
            if isinstance(nbg.get(key), (int, float)) and not isinstance(nbg[key], bool):
                clean["nbgrader"][key] = nbg[key]
        if re.fullmatch(r"[0-9a-f]{1,128}", str(nbg.get("checksum", ""))):
            clean["nbgrader"]["checksum"] = nbg["checksum"]
        if nbg.get("cell_type") in ("code", "markdown", "raw"):
            clean["nbgrader"]["cell_type"] = nbg["cell_type"]
    tags = meta.get("tags")
    if isinstance(tags, list):
        clean["tags"] = [t for t in tags if isinstance(t, str) and GRADE_ID.match(t)][:50]
    mime = meta.get("raw_mimetype")
    if cell_type == "raw" and isinstance(mime, str) and re.fullmatch(r"[\w.+/-]{1,64}", mime):
        clean["raw_mimetype"] = mime
    return clean


def _clean_attachments(attachments, limits: Limits) -> dict:
    kept = {}
    for name, bundle in (attachments or {}).items():
        if isinstance(bundle, dict) and re.fullmatch(r"[\w. -]{1,100}", str(name)):
            images = {m: _b64_image(v, limits.image) for m, v in bundle.items() if m in IMAGE_TYPES}
            if images := {m: v for m, v in images.items() if v is not None}:
                kept[name] = images
    return kept


def _clean_cell(cell, i: int, limits: Limits, left: _Allowance, notes: list[str]):
    kind, source = cell.get("cell_type"), cell.get("source", "")
    source = "".join(source) if isinstance(source, list) else str(source)
    meta = _clean_metadata(dict(cell.get("metadata") or {}), kind)
    for key in ("nbgrader", "tags"):
        if key in cell.get("metadata", {}) and meta.get(key) != cell.metadata[key]:
            notes.append(f"cell {i}: {key} metadata not valid, dropped or reduced")
    why = None
    if kind == "markdown":
        attachments = _clean_attachments(cell.get("attachments"), limits)
        if len(attachments) != len(cell.get("attachments") or {}):
            notes.append(f"cell {i}: removed attachments that are not PNG or JPEG images")
        text = _cap(source, limits.output)
        if left.take_markup(text):
            text, why = clean_markdown(text, attachments)
        else:
            text, why = as_text(text, "more markup than the grader checks"), "over the cap"
        new = nbformat.v4.new_markdown_cell(text, metadata=meta)
        if attachments:
            new.attachments = attachments
    elif kind == "raw":
        text = _cap(source, limits.output)
        text = bleach_html(text) if left.take_markup(text) else html.escape(text)
        why = "raw HTML cleaned" if text != source else None
        new = nbformat.v4.new_raw_cell(text, metadata=meta)
    elif kind == "code":
        count = cell.get("execution_count")
        new = nbformat.v4.new_code_cell(_cap(source, limits.output), metadata=meta)
        new.execution_count = count if isinstance(count, int) else None
        if count is not None and new.execution_count is None:
            why = f"execution count {str(count)[:40]!r} is not a number"
        for j, output in enumerate(cell.get("outputs", [])):
            clean = _clean_output(output, limits, left, notes, f"cell {i} output {j}")
            size = len(json.dumps(clean).encode())
            if size > left.outputs:  # the whole notebook's allowance is spent
                notes.append(f"cell {i} output {j}: dropped, the notebook's outputs exceed the cap")
                clean, size = _note("output not shown: this notebook's outputs are too large"), 0
            left.outputs -= size
            new.outputs.append(clean)
    else:
        why, new = "unknown cell type", nbformat.v4.new_markdown_cell("*[a cell was removed]*")
    if why:
        notes.append(f"cell {i}: {why}")
    if isinstance(cell.get("id"), str) and CELL_ID.match(cell["id"]):
        new.id = cell["id"]
    return new


def sanitize_notebook(nb, limits: Limits = Limits()) -> tuple[nbformat.NotebookNode, list[str]]:
    """A copy of ``nb`` that is safe to render as HTML, and notes on what was changed."""
    notes: list[str] = []
    info = nb.get("metadata", {}).get("language_info") or {}
    lexer = info.get("pygments_lexer") if info.get("pygments_lexer") in LEXERS else "ipython3"
    metadata = {"language_info": {"name": "python", "pygments_lexer": lexer}}
    spec = nb.get("metadata", {}).get("kernelspec") or {}
    if all(GRADE_ID.match(str(spec.get(k, ""))) for k in ("name", "language")):
        metadata["kernelspec"] = {k: spec[k] for k in ("name", "language")}
        metadata["kernelspec"]["display_name"] = html.escape(str(spec.get("display_name", ""))[:80])
    out = nbformat.v4.new_notebook(metadata=metadata)
    left = _Allowance(limits.notebook, limits.markup)
    out.cells = [_clean_cell(c, i, limits, left, notes) for i, c in enumerate(nb.get("cells", []))]
    return out, notes


class SanitizeNotebook(Preprocessor):
    """nbconvert preprocessor: ``sanitize_notebook`` on every notebook rendered."""

    enabled = Bool(True, help="nbconvert runs a preprocessor only when it is enabled")
    output_bytes = Int(Limits.output, help="largest text output kept whole").tag(config=True)
    image_bytes = Int(Limits.image, help="largest image kept").tag(config=True)
    notebook_bytes = Int(Limits.notebook, help="all outputs together").tag(config=True)
    markup_bytes = Int(Limits.markup, help="HTML and markdown checked").tag(config=True)

    def preprocess(self, nb, resources):
        limits = Limits(self.output_bytes, self.image_bytes, self.notebook_bytes, self.markup_bytes)
        clean, notes = sanitize_notebook(copy.deepcopy(nb), limits)
        if notes:
            name = (resources or {}).get("metadata", {}).get("name", "notebook")
            self.log.info("sanitized %s: %d change(s): %s", name, len(notes), "; ".join(notes[:5]))
        return clean, resources
