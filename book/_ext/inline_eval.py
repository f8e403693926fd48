"""The lessons' inline expressions, {eval}`f"{x:.3f}"`, in the web book as in JupyterLab.

A lesson quotes a computed number in its prose with MyST's inline expression role,
``{eval}`f"{loss:.3f}"```. In JupyterLab, jupyterlab-myst evaluates the expression in the
kernel when its Markdown cell runs, so after "Run All" the sentence shows the number. myst-nb
evaluates ``{eval}`` only when it executes a page inline, without jupyter-cache; the book keeps
its cache and does the same thing another way:

1. When a page is read (Sphinx's ``source-read``), every Markdown cell that quotes
   expressions gets a hidden code cell (tag ``remove-cell``) just before it that computes
   them, ``glue('f"{loss:.3f}" #1', f"{loss:.3f}", display=False)`` (the key counts the
   expression's uses on the page: one may be quoted twice). It runs with the page's
   other cells, so the cache holds it, and it sees the kernel as the Markdown cell does in
   JupyterLab: after the code cells above it.
2. The ``eval`` role (this module's, in place of myst-nb's) pastes the glued value as text,
   without the quotes of a string, as jupyterlab-myst shows it.

An expression that fails, or that names something defined only further down the page, fails
the page's execution, so the build (``-W``) stops on it, as it does on any failing cell.
"""

from __future__ import annotations

import re

from docutils import nodes
from myst_nb.core.variables import RetrievalError, render_variable_outputs
from myst_nb.ext.glue.utils import retrieve_glue_data
from myst_nb.ext.utils import RoleBase
from sphinx.application import Sphinx
from sphinx.util import logging

LOGGER = logging.getLogger(__name__)

EVAL = re.compile(r"\{eval\}`([^`]+)`")
FENCE = re.compile(r"^(`{3,}|~{3,})")
# A MyST notebook (jupytext's "myst" format) says so in its front matter.
MYST_NOTEBOOK = re.compile(r"\A---\n.*?^\s*format_name:\s*myst\b.*?^---\n", re.S | re.M)


def _segments(text: str) -> list[tuple[bool, list[str]]]:
    """The page's lines as (is_markdown, lines) runs: code cells and Markdown between them.

    A code cell is a ```{code-cell} fence up to its closing fence; ``+++`` (a cell break)
    ends a Markdown run too. Other fences (a ```{note} or a plain code block) are Markdown.
    """
    runs: list[tuple[bool, list[str]]] = []
    fence = None
    for line in text.splitlines(keepends=True):
        if fence is None and line.startswith(("```{code-cell}", "~~~{code-cell}")):
            fence = FENCE.match(line).group(1)
            runs.append((False, [line]))
        elif fence is not None:
            runs[-1][1].append(line)
            if line.rstrip() == fence:
                fence = None
        elif line.startswith("+++") or not runs or not runs[-1][0]:
            runs.append((True, [line]))
        else:
            runs[-1][1].append(line)
    return runs


def _key(expression: str, counts: dict[str, int]) -> str:
    """The glue key of an expression's next use on a page: a page may quote one twice, and
    glue keys must be unique. The hidden cells and the role count uses in the same order."""
    counts[expression] = counts.get(expression, 0) + 1
    return f"{expression} #{counts[expression]}"


def _eval_cell(expressions: list[str], counts: dict[str, int]) -> str:
    lines = [
        f"__import__('myst_nb').glue({_key(e, counts)!r}, {e}, display=False)" for e in expressions
    ]
    return "```{code-cell} ipython3\n:tags: [remove-cell]\n\n" + "\n".join(lines) + "\n```\n\n"


def add_eval_cells(text: str) -> str:
    """The page with a hidden glue cell before each Markdown cell that has {eval} roles."""
    front = MYST_NOTEBOOK.match(text)
    if not front or "{eval}`" not in text:
        return text
    out, counts = [front.group(0)], {}
    for is_markdown, lines in _segments(text[front.end() :]):
        block = "".join(lines)
        expressions = EVAL.findall(block) if is_markdown else []
        out.append("\n" + _eval_cell(expressions, counts) + block if expressions else block)
    return "".join(out)


def _on_source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    source[0] = add_eval_cells(source[0])


class EvalRole(RoleBase):
    """{eval}`expression`: the value the page's hidden glue cell computed for it."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        counts = self.document.setdefault("inline_eval_counts", {})
        try:
            data = retrieve_glue_data(self.document, _key(self.text, counts))
        except RetrievalError as exc:
            msg = f"{{eval}}`{self.text}` has no value ({exc})"
            return [], [self.document.reporter.warning(msg, line=self.line)]
        data.metadata["strip_text_quotes"] = True  # a string shows without its quotes
        nodes_ = render_variable_outputs([data], self.document, self.line, self.source, inline=True)
        return nodes_, []


def setup(app: Sphinx) -> dict:
    app.setup_extension("myst_nb")  # so that this role replaces myst-nb's
    app.connect("source-read", _on_source_read)
    app.add_role("eval", EvalRole(), override=True)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
