"""Record a function's tape in evaluation order, for showing it (tables, graphs).

``record(f, *args)`` runs ``f`` once under a reverse-mode trace that also keeps
every node in the order it was created. Variables get the names used by
Baydin et al. (2018): inputs are v_{1-n} ... v_0, intermediates v_1, v_2, ...
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field

import numpy as np

from .core import ZERO, new_trace, value_of
from .reverse import Node, ReverseTrace, ReverseTracer
from .tree import tree_flatten


class RecordingTrace(ReverseTrace):
    """A reverse-mode trace that remembers the order in which nodes were made."""

    __slots__ = ("order",)
    keep_values = True  # the tables and graphs show every value

    def __init__(self, level: int):
        super().__init__(level)
        self.order: list[Node] = []

    def process(self, prim, args, params):
        out = super().process(prim, args, params)
        self.order.append(out.node)
        return out


@dataclass
class Recording:
    """The tape of one evaluation: inputs, operations in order, outputs, names."""

    inputs: list  # leaf nodes, one per input
    input_names: list  # x1, x2, ... or the function's parameter names
    nodes: list  # operation nodes in evaluation order
    outputs: list  # output nodes (None for an output that does not depend on inputs)
    names: dict = field(default_factory=dict)  # node -> "v_3"

    def name(self, node) -> str:
        return self.names[node]


def _input_names(f, n: int) -> list[str]:
    try:
        params = [
            p.name
            for p in inspect.signature(f).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError):
        params = []
    if len(params) >= n:
        return params[:n]
    return [f"x{i + 1}" for i in range(n)]


def record(f, *args) -> Recording:
    """Run ``f(*args)`` once and return its tape. Arguments must be arrays or floats."""
    for i, a in enumerate(args):
        if len(tree_flatten(a)[0]) != 1 or isinstance(a, (list, tuple, dict)):
            raise TypeError(
                f"record/trace_tables/graph take plain arrays or numbers as arguments; "
                f"argument {i} is a {type(a).__name__}. Pass its leaves as separate arguments."
            )
    with new_trace(RecordingTrace) as trace:
        inputs = [Node.leaf(np.asarray(a, dtype=float) if _is_int(a) else a) for a in args]
        out = f(*[ReverseTracer(trace, n.ans, n) for n in inputs])
        outs, _ = tree_flatten(out)
        outputs = [y.node if trace.owns(y) else None for y in outs]
        nodes = list(trace.order)
    rec = Recording(inputs, _input_names(f, len(args)), nodes, outputs)
    n = len(inputs)
    for i, node in enumerate(inputs):
        rec.names[node] = f"v_{{{i + 1 - n}}}" if i + 1 - n < 0 else f"v_{i + 1 - n}"
    for k, node in enumerate(nodes, start=1):
        rec.names[node] = f"v_{k}"
    return rec


def _is_int(a) -> bool:
    return np.issubdtype(np.result_type(value_of(a)), np.integer)


def forward_sweep(rec: Recording, tangents) -> dict:
    """Forward mode over a recorded tape: the tangent of every node, by the JVP rules."""
    tan = {node: np.asarray(t) for node, t in zip(rec.inputs, tangents)}
    for node in rec.nodes:
        total = None
        for argnum, parent in node.parents:
            rule = node.prim.jvp_rule(argnum)
            if rule is not ZERO:
                term = rule(tan[parent], node.ans, *node.args, **node.params)
                total = term if total is None else total + term
        shape = np.shape(node.ans)
        tan[node] = np.zeros(shape) if total is None else np.broadcast_to(total, shape)
    return tan


def reverse_sweep(rec: Recording, cotangent=1.0):
    """Reverse mode over a recorded tape, one edge at a time.

    Yields ``(node, parent, adjoint_of_parent_so_far, first)`` for every edge, in
    the order a backward pass visits them (nodes in reverse evaluation order,
    which is a valid reverse topological order). ``first`` says whether this is
    the parent's first contribution (=) or a later one (+=).
    """
    out = rec.outputs[0] if rec.outputs else None
    if out is None:
        return
    adj = {out: np.asarray(cotangent, dtype=np.result_type(out.ans))}
    for node in reversed(rec.nodes):
        if node not in adj:
            continue
        for argnum, parent in node.parents:
            rule = node.prim.vjp_rule(argnum)
            if rule is ZERO:
                continue
            ct = rule(adj[node], node.ans, *node.args, **node.params)
            first = parent not in adj
            adj[parent] = ct if first else adj[parent] + ct
            yield node, parent, adj[parent], first


def adjoints(rec: Recording, cotangent=1.0) -> dict:
    """The final adjoint of every node reached by the reverse sweep."""
    out = rec.outputs[0] if rec.outputs else None
    adj = {} if out is None else {out: np.asarray(cotangent, dtype=np.result_type(out.ans))}
    for _, parent, value, _ in reverse_sweep(rec, cotangent):
        adj[parent] = value
    return adj
