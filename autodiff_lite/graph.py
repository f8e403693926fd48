"""Draw the computational graph of a function at given inputs.

Nodes are the inputs (ellipses) and the primitive applications (boxes) with
their primal values; constants appear as small grey notes; edges show data
flow. With ``adjoints_too=True`` every node also shows its adjoint v̄ from one
reverse pass. The drawing is Graphviz DOT text, rendered to SVG by Graphviz's
``dot`` program when it is installed (``apt-get install graphviz``), which is
how it shows up in JupyterLab and in the web book.

>>> g = graph(lambda a, b: anp.log(a * b), 2.0, 3.0)
>>> print(g.to_dot().splitlines()[0])
digraph G {
"""

from __future__ import annotations

import shutil
import subprocess

from .recording import adjoints, record
from .trace_tables import _primal_expression, fmt


class Graph:
    """A computational graph; shows itself as SVG in Jupyter (``_repr_svg_``)."""

    def __init__(self, dot: str, n_ops: int):
        self.dot = dot
        self.n_ops = n_ops

    def to_dot(self) -> str:
        return self.dot

    def to_svg(self) -> str:
        exe = shutil.which("dot")
        if exe is None:
            raise RuntimeError(
                "drawing the graph needs Graphviz's 'dot' program, which is not installed. "
                "Install it with 'apt-get install graphviz' (Debian/Ubuntu), "
                "'brew install graphviz' (macOS) or 'conda install graphviz'. "
                "Graph.to_dot() gives the DOT text without it."
            )
        done = subprocess.run([exe, "-Tsvg"], input=self.dot, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"Graphviz failed to draw the graph: {done.stderr.strip()}")
        return done.stdout

    def _repr_svg_(self) -> str:
        return self.to_svg()

    def save(self, path: str) -> None:
        """Write ``.svg`` (drawn) or ``.dot`` (text), chosen by the file name."""
        text = self.to_dot() if str(path).endswith(".dot") else self.to_svg()
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)


def _label(*lines: str) -> str:
    return "\\n".join(line.replace('"', '\\"') for line in lines)


def graph(f, *args, adjoints_too: bool = False, rankdir: str = "LR") -> Graph:
    """Run ``f(*args)`` once and draw its graph (optionally with adjoints)."""
    rec = record(f, *args)
    out = rec.outputs[0] if rec.outputs else None
    adj = adjoints(rec) if adjoints_too else {}
    ids = {node: f"n{i}" for i, node in enumerate([*rec.inputs, *rec.nodes])}
    lines = [
        "digraph G {",
        f"  rankdir={rankdir};",
        '  node [fontname="Helvetica", fontsize=11];',
        '  edge [color="#555555"];',
    ]

    def extra(node):
        return [f"v̄ = {fmt(adj[node])}"] if node in adj else []

    for node, name in zip(rec.inputs, rec.input_names):
        label = _label(
            f"{name} = {rec.name(node).replace('{', '').replace('}', '')}",
            fmt(node.ans),
            *extra(node),
        )
        lines.append(
            f'  {ids[node]} [label="{label}", shape=ellipse, style=filled, fillcolor="#dbeafe"];'
        )
    n_const = 0
    for node in rec.nodes:
        name = rec.name(node)
        expr = _primal_expression(rec, node).replace("{", "").replace("}", "")
        color = "#fde68a" if node is out else "#f3f4f6"
        label = _label(
            f"{name.replace('{', '').replace('}', '')} = {expr}", fmt(node.ans), *extra(node)
        )
        lines.append(
            f'  {ids[node]} [label="{label}", shape=box, style="rounded,filled", '
            f'fillcolor="{color}"];'
        )
        traced = dict(node.parents)
        for argnum in range(len(node.args)):
            if argnum in traced:
                lines.append(f"  {ids[traced[argnum]]} -> {ids[node]};")
            else:
                cid = f"c{n_const}"
                n_const += 1
                lines.append(
                    f'  {cid} [label="{_label(fmt(node.args[argnum]))}", shape=note, '
                    f'fontsize=9, color="#9ca3af", fontcolor="#6b7280"];'
                )
                lines.append(f'  {cid} -> {ids[node]} [style=dashed, color="#9ca3af"];')
    lines.append("}")
    return Graph("\n".join(lines), len(rec.nodes))
