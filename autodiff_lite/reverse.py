"""Reverse mode: record a tape going forward, walk it backwards accumulating adjoints.

While a :class:`ReverseTrace` runs, every primitive call appends a :class:`Node`
to the tape: which primitive, its inputs, its output, and which traced inputs
it came from (its *parents*). :func:`backward` then visits the nodes from the
outputs back to the inputs in reverse topological order, so that a node is
processed only after every node that used it. Each node hands its cotangent
``ans_bar`` to its parents through the primitive's VJP rules, and a parent used twice
receives the *sum* of both contributions (the multivariable chain rule).
"""

from __future__ import annotations

import itertools

import numpy as np

from .core import ZERO, Primitive, Trace, Tracer, bind, dtype_of
from .errors import BackwardError
from .primitives.shapes import astype

_creation_order = itertools.count()


class Node:
    """One entry of the tape.

    ``order`` numbers the nodes in the order they were created. A node's parents
    always exist before the node itself, so *decreasing* ``order`` is a valid order for
    the backward pass (see :func:`toposort`).
    """

    __slots__ = ("prim", "params", "args", "ans", "parents", "freed", "order", "__weakref__")

    def __init__(self, prim, params, args, ans, parents):
        self.prim = prim  # None for an input (a leaf of the graph)
        self.params = params
        self.args = args
        self.ans = ans
        self.parents = parents  # list of (argnum, parent Node)
        self.freed = False
        self.order = next(_creation_order)

    @classmethod
    def leaf(cls, value) -> Node:
        return cls(None, None, (), value, [])

    def __repr__(self) -> str:
        name = "input" if self.prim is None else self.prim.name
        return f"<Node {name}>"


class ShapeOnly:
    """What the tape keeps of an array whose value no VJP rule will read: its shape and
    dtype (enough for ``shape_of``, ``dtype_of`` and ``unbroadcast``). See
    ``vjp_needs_inputs`` and ``vjp_needs_output`` in :class:`~autodiff_lite.core.Primitive`."""

    __slots__ = ("shape", "dtype")

    def __init__(self, x: np.ndarray):
        self.shape, self.dtype = x.shape, x.dtype

    def __repr__(self) -> str:
        return f"ShapeOnly({self.shape}, {self.dtype})"


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
    keep_values = False  # True: the tape keeps every value (for showing it, see recording)

    def process(self, prim: Primitive, args: tuple, params: dict):
        primals = []
        parents = []  # (argnum, node) for each argument traced by this very trace
        nested = False  # does an argument still carry a tracer of an outer trace?
        for argnum, x in enumerate(args):
            if isinstance(x, Tracer):
                if x._trace is self:
                    parents.append((argnum, x.node))
                    x = x._primal
                else:
                    self.owns(x)  # raises if x escaped from a finished trace of this level
                nested = nested or isinstance(x, Tracer)
            primals.append(x)
        # The traces below this one take their turn: ans = bind(prim, primals, params).
        # Fast path (measured: together with the other fast paths of this module, the
        # ``scalar`` workload of ``make bench`` takes about 1.15x as long without them):
        # in a first derivative nothing below is traced, and bind would only call impl.
        ans = bind(prim, primals, params) if nested else prim.impl(*primals, **params)
        if type(ans) is np.ndarray and not self.keep_values:
            node = Node(prim, params, *_what_the_vjp_reads(prim, primals, ans), parents)
        else:  # a number (scalar programs): nothing worth freeing
            node = Node(prim, params, primals, ans, parents)
        return ReverseTracer(self, ans, node)


def _what_the_vjp_reads(prim: Primitive, args: list, ans: np.ndarray):
    """Memory: of the arrays a rule never reads, the tape keeps only the shape, so they can
    be freed as soon as the program drops them (see ``vjp_needs_inputs`` in Primitive)."""
    if not prim.vjp_needs_inputs:
        args = [ShapeOnly(x) if type(x) is np.ndarray else x for x in args]
    if not prim.vjp_needs_output:
        ans = ShapeOnly(ans)
    return args, ans


def toposort(ends: list[Node]) -> list[Node]:
    """The nodes that ``ends`` depend on, each before every node it uses.

    A depth-first search finds the nodes that can be reached from the ends; sorting
    them by *decreasing* creation number then puts every node after all of its users,
    because a node is always created after the values it uses (its parents). This is
    the order in which the backward pass can visit them: a node's cotangent is complete
    (every user has added its contribution) before the node passes it on.
    """
    reached = {node.order: node for node in ends}
    stack = list(reached.values())
    while stack:
        for _, parent in stack.pop().parents:
            if parent.order not in reached:  # each node is pushed once
                reached[parent.order] = parent
                stack.append(parent)
    return [reached[k] for k in sorted(reached, reverse=True)]


def backward(seeds: list, free: bool = False) -> dict:
    """Propagate cotangents from output nodes to the leaves.

    ``seeds`` is a list of ``(node, ans_bar)`` pairs, one per output. Returns a dict from
    each reached leaf node to its accumulated cotangent ``x_bar``. With ``free=True`` the
    tape is released as it is walked (``Tensor.backward``).
    """
    x_bars: dict = {}  # node -> the sum of the cotangents its users have sent so far
    for node, ans_bar in seeds:
        _accumulate(x_bars, node, ans_bar)
    for node in toposort([node for node, _ in seeds]):
        if node.prim is None:
            continue  # a leaf: keep its cotangent for the caller
        if node.freed:
            raise BackwardError(_FREED)
        ans_bar = x_bars.pop(node, None)  # complete now; popped, as nothing else needs it
        if ans_bar is None:
            continue  # every path from the outputs to this node had zero derivative
        for argnum, parent in node.parents:
            rule = node.prim.vjp_rule(argnum)
            if rule is not ZERO:
                x_bar = rule(ans_bar, node.ans, *node.args, **node.params)
                _accumulate(x_bars, parent, x_bar)
        if free:
            node.args = node.ans = None
            node.freed = True
    return x_bars


def _accumulate(x_bars: dict, node: Node, x_bar) -> None:
    """Add ``x_bar`` to the cotangent of ``node``: a value used twice receives the sum.

    A rule may return another dtype (float32 times a float64 constant is float64); the
    cotangent must have the dtype of its value.
    """
    want = getattr(node.ans, "dtype", None)
    if want is None or getattr(x_bar, "dtype", None) is not want:
        # Fast path above (measured: the ``scalar`` and ``overhead`` workloads of ``make
        # bench`` take 1.1-1.2x as long without it): values of one dtype usually carry the
        # very same dtype object, so only when they do not is the definition asked.
        if dtype_of(x_bar) != dtype_of(node.ans):
            x_bar = astype(x_bar, dtype_of(node.ans))
    before = x_bars.get(node)
    x_bars[node] = x_bar if before is None else before + x_bar


_FREED = (
    "Trying to backward through the graph a second time: its intermediate values "
    "were freed by the first .backward(). Pass retain_graph=True to the first call "
    "if you need to call backward twice, or recompute the forward pass."
)
