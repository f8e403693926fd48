"""Primal, tangent and adjoint trace tables, as printed by Baydin et al. (2018).

Tables 2 and 3 of "Automatic Differentiation in Machine Learning: a Survey"
(JMLR 18(153), 2018) evaluate y = ln(x1) + x1 x2 - sin(x2) step by step. This
module produces the same tables for *any* function, from its real tape:

- the **primal trace**: each intermediate v_i and its value;
- the **tangent trace** (forward mode): each v̇_i, computed by the primitives'
  JVP rules in evaluation order, for a chosen input direction;
- the **adjoint trace** (reverse mode): each contribution v̄_j += v̄_i ∂v_i/∂v_j,
  computed by the VJP rules in reverse order.

>>> t = trace_tables(lambda x1, x2: anp.log(x1) + x1 * x2, 2.0, 5.0)
>>> print(t.tangent.values["v_3"], t.adjoint.values["v_{-1}"])
5.5 5.5
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

import numpy as np

from .recording import Recording, adjoints, forward_sweep, record, reverse_sweep

_INFIX = {"add": "+", "subtract": "−", "multiply": "×", "divide": "/", "matmul": "@"}
_FUNC = {"log": "ln"}


def fmt(x) -> str:
    """Numbers as the paper prints them (3 decimals, trailing zeros dropped)."""
    a = np.asarray(x)
    if a.size == 1:
        return np.format_float_positional(float(a.reshape(())), precision=3, trim="-")
    if a.size <= 4:
        return "[" + ", ".join(fmt(v) for v in a.ravel()) + "]"
    return f"array{a.shape}"


@dataclass
class Row:
    variable: str  # e.g. "v_3", "\\dot v_3", "\\bar v_{-1}"
    expression: str  # e.g. "v_{-1} × v_0", in the same notation
    value: object

    def text(self) -> str:
        return f"{_plain(self.variable)} = {_plain(self.expression)} = {fmt(self.value)}"


@dataclass
class TraceTable:
    """One table: rows in order, plus ``values``, the last value of each variable."""

    title: str
    rows: list = field(default_factory=list)
    values: dict = field(default_factory=dict)  # "v_3" -> value (without dots or bars)

    def add(self, key: str, variable: str, expression: str, value) -> None:
        self.rows.append(Row(variable, expression, value))
        self.values[key] = value

    def __str__(self) -> str:
        return self.title + "\n" + "\n".join("  " + r.text() for r in self.rows)

    def to_markdown(self) -> str:
        lines = [f"| {self.title} | | value |", "|---|---|---:|"]
        for r in self.rows:
            lines.append(f"| {_plain(r.variable)} | = {_plain(r.expression)} | {fmt(r.value)} |")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        body = "".join(
            f"<tr><td>{_html(r.variable)}</td><td>=&nbsp;{_html(r.expression)}</td>"
            f"<td style='text-align:right'>{html.escape(fmt(r.value))}</td></tr>"
            for r in self.rows
        )
        return (
            f"<table class='trace-table'><thead><tr><th colspan='3'>{html.escape(self.title)}"
            f"</th></tr></thead><tbody>{body}</tbody></table>"
        )


@dataclass
class TraceTables:
    primal: TraceTable
    tangent: TraceTable
    adjoint: TraceTable

    def __str__(self) -> str:
        return "\n\n".join(str(t) for t in (self.primal, self.tangent, self.adjoint))

    def _repr_html_(self) -> str:
        cells = "".join(
            f"<td style='vertical-align:top'>{t._repr_html_()}</td>"
            for t in (self.primal, self.tangent, self.adjoint)
        )
        return f"<table><tr>{cells}</tr></table>"


def _plain(s: str) -> str:
    """v_{-1} -> v₋₁-style plain text: keep it readable, drop the braces."""
    return s.replace("\\dot ", "d").replace("\\bar ", "bar ").replace("{", "").replace("}", "")


def _html(s: str) -> str:
    out = html.escape(s)
    out = out.replace("\\dot v", "v&#775;").replace("\\bar v", "v&#772;")
    out = out.replace("\\dot x", "x&#775;").replace("\\bar x", "x&#772;")
    out = out.replace("\\dot y", "y&#775;").replace("\\bar y", "y&#772;")
    return re.sub(r"_\{?(-?\w+)\}?", r"<sub>\1</sub>", out)


def _term(rec: Recording, node_args, argnum, parents_by_arg, decorate=""):
    """The name of argument ``argnum`` (a variable) or its value (a constant)."""
    if argnum in parents_by_arg:
        return decorate + rec.name(parents_by_arg[argnum])
    return fmt(node_args[argnum])


def _primal_expression(rec, node) -> str:
    by_arg = dict(node.parents)
    terms = [_term(rec, node.args, i, by_arg) for i in range(len(node.args))]
    name = node.prim.name
    if name in _INFIX and len(terms) == 2:
        return f"{terms[0]} {_INFIX[name]} {terms[1]}"
    if name == "power":
        return f"{terms[0]}^{terms[1]}"
    if name == "negative":
        return f"−{terms[0]}"
    return (
        f"{_FUNC.get(name, name)} {terms[0]}" if len(terms) == 1 else f"{name}({', '.join(terms)})"
    )


def _tangent_expression(rec, node) -> str:
    by_arg = dict(node.parents)
    a = [_term(rec, node.args, i, by_arg) for i in range(len(node.args))]
    d = [_term(rec, node.args, i, by_arg, "\\dot ") if i in by_arg else None for i in range(len(a))]
    name = node.prim.name
    if name in ("add", "subtract"):
        sign = " + " if name == "add" else " − "
        parts = [d[0] or "", d[1] or ""]
        if d[0] and d[1]:
            return parts[0] + sign + parts[1]
        return d[0] if d[0] else ("" if name == "add" else "−") + d[1]
    if name == "multiply":
        parts = [f"{d[0]} × {a[1]}" if d[0] else "", f"{a[0]} × {d[1]}" if d[1] else ""]
        return " + ".join(p for p in parts if p)
    unary = {
        "log": "{d} / {a}",
        "exp": "{d} × exp {a}",
        "sin": "{d} × cos {a}",
        "cos": "−{d} × sin {a}",
        "tanh": "{d} × (1 − tanh² {a})",
        "sqrt": "{d} / (2 sqrt {a})",
        "negative": "−{d}",
    }
    if name in unary and d[0]:
        return unary[name].format(d=d[0], a=a[0])
    if name == "divide" and d[0] and not d[1]:
        return f"{d[0]} / {a[1]}"
    if name == "power" and d[0] and not d[1]:
        return f"{a[1]} × {a[0]}^({a[1]} − 1) × {d[0]}"
    return f"JVP of {name}"


def trace_tables(f, *args, tangents=None, cotangent=1.0) -> TraceTables:
    """Evaluate ``f(*args)`` and return its primal, tangent and adjoint trace tables.

    ``tangents``: one input direction per argument (default: the first input
    direction, ẋ1 = 1 and the others 0, as in the paper). ``cotangent``: the seed
    ȳ of the (first) output.
    """
    rec = record(f, *args)
    if tangents is None:  # the direction of the first input, as in the paper
        tangents = [np.full(np.shape(a), 1.0 if i == 0 else 0.0) for i, a in enumerate(args)]
    out = rec.outputs[0] if rec.outputs else None

    primal = TraceTable("Forward primal trace")
    tangent = TraceTable("Forward tangent trace")
    for node, xname in zip(rec.inputs, rec.input_names):
        primal.add(rec.name(node), rec.name(node), xname, node.ans)
    for node, xname, t in zip(rec.inputs, rec.input_names, tangents):
        tangent.add(rec.name(node), "\\dot " + rec.name(node), "\\dot " + xname, np.asarray(t))

    # Forward mode on the recorded tape: each node's tangent from its parents' (JVP rules).
    tan = forward_sweep(rec, tangents)
    for node in rec.nodes:
        name = rec.name(node)
        primal.add(name, name, _primal_expression(rec, node), node.ans)
        tangent.add(name, "\\dot " + name, _tangent_expression(rec, node), tan[node])
    if out is not None:
        primal.add("y", "y", rec.name(out), out.ans)
        tangent.add("y", "\\dot y", "\\dot " + rec.name(out), tan[out])

    # Reverse mode on the same tape: walk it backwards, one row per edge.
    adjoint = TraceTable("Reverse adjoint trace")
    adj = adjoints(rec, cotangent)
    if out is not None:
        adjoint.add(rec.name(out), "\\bar " + rec.name(out), "\\bar y", adj[out])
    for node, parent, value, first in reverse_sweep(rec, cotangent):
        var, me = "\\bar " + rec.name(parent), "\\bar " + rec.name(node)
        partial = f"{me} ∂{rec.name(node)}/∂{rec.name(parent)}"
        adjoint.add(rec.name(parent), var, partial if first else f"{var} + {partial}", value)
    for node, xname in zip(rec.inputs, rec.input_names):
        value = adj.get(node, np.zeros_like(np.asarray(node.ans, float)))
        adjoint.add(xname, "\\bar " + xname, "\\bar " + rec.name(node), value)
    return TraceTables(primal, tangent, adjoint)
