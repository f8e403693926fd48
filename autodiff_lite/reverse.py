"""Reverse mode: record a tape going forward, walk it backwards accumulating adjoints.

While a :class:`ReverseTrace` runs, every primitive call appends a :class:`Node`
to the tape: which primitive, its inputs, its output, and which traced inputs
it came from (its *parents*). :func:`backward` then visits the nodes from the
outputs back to the inputs in reverse topological order, so that a node is
processed only after every node that used it. Each node hands its cotangent
``g`` to its parents through the primitive's VJP rules, and a parent used twice
receives the *sum* of both contributions (the multivariable chain rule).
"""

from __future__ import annotations

from .core import ZERO, Primitive, Trace, Tracer, bind, dtype_of
from .errors import BackwardError
from .primitives.shapes import astype


class Node:
    """One entry of the tape."""

    __slots__ = ("prim", "params", "args", "ans", "parents", "freed", "__weakref__")

    def __init__(self, prim, params, args, ans, parents):
        self.prim = prim  # None for an input (a leaf of the graph)
        self.params = params
        self.args = args
        self.ans = ans
        self.parents = parents  # list of (argnum, parent Node)
        self.freed = False

    @classmethod
    def leaf(cls, value) -> Node:
        return cls(None, None, (), value, [])

    def __repr__(self) -> str:
        name = "input" if self.prim is None else self.prim.name
        return f"<Node {name}>"


class ReverseTracer(Tracer):
    """A value inside one reverse-mode trace, knowing the tape node that made it."""

    __slots__ = ("_primal", "node")

    def __init__(self, trace: ReverseTrace, primal, node: Node):
        self._trace = trace
        self._primal = primal
        self.node = node

    @property
    def primal(self):
        return self._primal

    def __repr__(self) -> str:
        return f"ReverseTracer({self._primal!r})"


class ReverseTrace(Trace):
    __slots__ = ()

    def process(self, prim: Primitive, args: tuple, params: dict):
        primals = []
        parents = []
        for argnum, x in enumerate(args):
            if self.owns(x):
                primals.append(x._primal)
                parents.append((argnum, x.node))
            else:
                primals.append(x)
        ans = bind(prim, primals, params)
        return ReverseTracer(self, ans, Node(prim, params, primals, ans, parents))


def toposort(end: Node):
    """Yield the nodes that ``end`` depends on, each after all of its users."""
    child_counts: dict = {}
    stack = [end]
    while stack:
        node = stack.pop()
        if node in child_counts:
            child_counts[node] += 1
        else:
            child_counts[node] = 1
            stack.extend(parent for _, parent in node.parents)
    ready = [end]
    while ready:
        node = ready.pop()
        yield node
        for _, parent in node.parents:
            if child_counts[parent] == 1:
                ready.append(parent)
            else:
                child_counts[parent] -= 1


def backward(seeds: list, free: bool = False) -> dict:
    """Propagate cotangents from output nodes to the leaves.

    ``seeds`` is a list of ``(node, cotangent)`` pairs, one per output. Returns a
    dict from each reached leaf node to its accumulated cotangent. With
    ``free=True`` the tape is released as it is walked (``Tensor.backward``).
    """
    root = Node(None, None, (), None, [(i, node) for i, (node, _) in enumerate(seeds)])
    cotangents: dict = {}
    for node in toposort(root):
        if node is root:
            contributions = [(parent, ct) for parent, (_, ct) in zip(_parents(root), seeds)]
        elif node.prim is None:
            continue  # a leaf: keep its cotangent for the caller
        else:
            if node.freed:
                raise BackwardError(_FREED)
            g = cotangents.pop(node, None)
            if g is None:
                continue
            contributions = []
            for argnum, parent in node.parents:
                rule = node.prim.vjp_rule(argnum)
                if rule is ZERO:
                    continue
                contributions.append((parent, rule(g, node.ans, *node.args, **node.params)))
            if free:
                node.args = node.ans = None
                node.freed = True
        for parent, ct in contributions:
            if dtype_of(ct) != dtype_of(parent.ans):
                ct = astype(ct, dtype_of(parent.ans))
            if parent in cotangents:
                cotangents[parent] = cotangents[parent] + ct
            else:
                cotangents[parent] = ct
    return cotangents


def _parents(node):
    return [parent for _, parent in node.parents]


_FREED = (
    "Trying to backward through the graph a second time: its intermediate values "
    "were freed by the first .backward(). Pass retain_graph=True to the first call "
    "if you need to call backward twice, or recompute the forward pass."
)
