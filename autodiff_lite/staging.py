"""Staging: record a function once as a graph of primitive applications, then re-run it.

``make_graph(f)(*args)`` (JAX's ``make_jaxpr``) runs ``f`` under a :class:`GraphTrace`.
Each primitive application becomes one :class:`Equation` ``out = prim[params] in1 in2``
on named :class:`Var`\\ s; the result is a :class:`Graph` that prints as a small program
and can be called on new inputs. ``stage(f)`` (in the spirit of ``jax.jit``) keeps one
graph per input *signature* (the shapes and dtypes of the arguments, and their pytree
structure) and, on later calls with the same signature, re-runs the graph with plain
numpy instead of running the Python function again. JAX goes further: it hands the graph
to a compiler (XLA) that fuses operations; here re-running only skips Python's overhead.

What is lost. The graph records primitive applications, not Python. Python code that
depends only on *shapes* (``for i in range(x.shape[0])``) is unrolled into the graph, which
is correct for every input of that shape. Python code that depends on *values* (``if x >
0``, ``while err > tol``) has no single answer for all inputs of a shape, so a traced
value refuses ``bool()`` with an error that says so; write such choices with
``anp.where`` (both branches computed, one kept), or leave that function unstaged.

Composition. The graph is re-run through ``bind`` (``prim(*args, **params)``), which is
plain numpy on plain arrays but is recorded by any trace that is running: ``grad(stage(f))``,
``vmap(stage(f))`` and ``stage(grad(f))`` all work.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .abstract import Abstract, unwrap_abstract
from .core import Primitive, Trace, Tracer, bind, dtype_of, new_trace, shape_of, value_of
from .tree import tree_flatten, tree_unflatten


@dataclass(frozen=True, eq=False)
class Var:
    """A value in the graph: a name, a shape and a dtype (never the value itself)."""

    name: str
    shape: tuple
    dtype: np.dtype

    def __str__(self) -> str:
        return f"{self.name}:{_short_dtype(self.dtype)}{list(self.shape)}".replace(" ", "")


def _short_dtype(dtype) -> str:
    d = np.dtype(dtype)
    return {"f": "f", "i": "i", "b": "bool", "u": "u"}.get(d.kind, d.kind) + (
        "" if d.kind == "b" else str(8 * d.itemsize)
    )


@dataclass(frozen=True, eq=False)
class Equation:
    """``out = prim[params](*inputs)``; an input is a :class:`Var` or a constant."""

    prim: Primitive
    inputs: tuple
    params: dict
    out: Var

    def __str__(self) -> str:
        params = " ".join(f"{k}={_show(v)}" for k, v in self.params.items())
        head = self.prim.name + (f"[{params}]" if params else "")
        args = " ".join(_show(x) for x in self.inputs)
        return f"{self.out} = {head} {args}"


def _show(x) -> str:
    if isinstance(x, Var):
        return x.name
    if np.ndim(x) == 0 and not isinstance(x, (tuple, list)):
        return repr(x.item() if hasattr(x, "item") else x)
    if isinstance(x, np.ndarray):
        return f"const:{_short_dtype(x.dtype)}{list(x.shape)}".replace(" ", "")
    return repr(x).replace(" ", "")


@dataclass
class Graph:
    """A function as a list of primitive applications (see :func:`make_graph`)."""

    inputs: list
    equations: list
    outputs: list
    in_tree: object = None
    out_tree: object = None
    name: str = "f"
    _counter: itertools.count = field(default_factory=itertools.count, repr=False)

    def __str__(self) -> str:
        lines = [f"{{ lambda {' '.join(str(v) for v in self.inputs)} . let"]
        lines += [f"    {eq}" for eq in self.equations]
        lines.append(f"  in ({', '.join(_show(v) for v in self.outputs)}) }}")
        return "\n".join(lines)

    def __len__(self) -> int:
        return len(self.equations)

    def count(self) -> dict:
        """How many applications of each primitive the graph holds."""
        out: dict = {}
        for eq in self.equations:
            out[eq.prim.name] = out.get(eq.prim.name, 0) + 1
        return out

    def __call__(self, *args):
        """Re-run the graph on new arguments of the same signature (an interpreter)."""
        leaves, tree = tree_flatten(args)
        if tree != self.in_tree:
            raise TypeError(f"graph of {self.name}: called with a different argument structure")
        env = dict(zip(self.inputs, leaves))

        def read(x):
            return env[x] if isinstance(x, Var) else x

        for eq in self.equations:
            # bind: plain numpy on arrays, recorded by any trace that is running (grad, vmap)
            env[eq.out] = bind(eq.prim, tuple(read(x) for x in eq.inputs), eq.params)
        return tree_unflatten(self.out_tree, [read(v) for v in self.outputs])


class GraphTracer(Tracer):
    """A value being staged: the concrete value of this run, and its variable in the graph."""

    __slots__ = ("val", "var")

    def __init__(self, trace: GraphTrace, val, var: Var):
        self._trace = trace
        self.val = val
        self.var = var

    @property
    def primal(self) -> Abstract:
        # The graph must hold for every input of this shape: show only shape and dtype.
        return Abstract(self, shape_of(self.val), dtype_of(self.val))

    def __repr__(self) -> str:
        return f"GraphTracer({self.var})"


class GraphTrace(Trace):
    """Records every primitive application into ``self.graph``."""

    __slots__ = ("graph",)

    def new_var(self, like) -> Var:
        n = next(self.graph._counter)
        name = "".join(reversed([chr(97 + n % 26)] + [chr(97 + k % 26) for k in _digits(n)]))
        return Var(name, tuple(shape_of(like)), np.dtype(dtype_of(like)))

    def process(self, prim: Primitive, args: tuple, params: dict):
        vals, inputs = [], []
        for x in args:
            x = unwrap_abstract(x)
            if self.owns(x):
                vals.append(x.val)
                inputs.append(x.var)
            else:
                vals.append(x)
                inputs.append(x)  # a constant of the graph (a number, or an array)
        ans = bind(prim, tuple(vals), params)
        out = self.new_var(ans)
        self.graph.equations.append(Equation(prim, tuple(inputs), dict(params), out))
        return GraphTracer(self, ans, out)

    def refusal(self, what: str) -> str:
        return (
            f"staging: the function asked for {what}, but a staged value stands for every "
            f"input of its shape and dtype, so a branch on it would be frozen into the graph "
            f"at the first call. Write value-dependent choices with anp.where(condition, a, "
            f"b) (both branches are computed, one is kept), or do not stage this function."
        )


def _digits(n: int) -> list:
    out = []
    n //= 26
    while n:
        out.append(n - 1)
        n //= 26
    return out


def make_graph(f: Callable) -> Callable:
    """``make_graph(f)(*args)``: the :class:`Graph` of ``f`` at the signature of ``args``.

    >>> import numpy as np, autodiff_lite as ad, autodiff_lite.numpy as anp
    >>> print(ad.make_graph(lambda x: anp.sum(anp.sin(x) * x))(np.ones(3)))
    { lambda a:f64[3] . let
        b:f64[3] = sin a
        c:f64[3] = multiply b a
        d:f64[] = sum[axis=None keepdims=False] c
      in (d) }
    """

    @functools.wraps(f)
    def traced(*args) -> Graph:
        leaves, in_tree = tree_flatten(args)
        graph = Graph([], [], [], in_tree=in_tree, name=getattr(f, "__name__", "f"))
        with new_trace(GraphTrace) as trace:
            trace.graph = graph
            wrapped = []
            for x in leaves:
                var = trace.new_var(x)
                graph.inputs.append(var)
                wrapped.append(GraphTracer(trace, x, var))
            out = f(*tree_unflatten(in_tree, wrapped))
            out_leaves, graph.out_tree = tree_flatten(out)
            for y in out_leaves:
                y = unwrap_abstract(y)
                graph.outputs.append(y.var if trace.owns(y) else value_of(y))
        return graph

    return traced


def signature(args) -> tuple:
    """What a staged function's cache is keyed by: pytree structure, shapes and dtypes."""
    leaves, tree = tree_flatten(args)
    return (repr(tree), tuple((tuple(shape_of(x)), str(dtype_of(x))) for x in leaves))


def stage(f: Callable) -> Callable:
    """``f`` traced once per input signature, then re-run as a graph (like ``jax.jit``).

    The staged function has ``.graphs`` (signature -> :class:`Graph`) and ``.traces``
    (how many times ``f`` itself ran). The first call with a new signature traces ``f``
    with the arguments' values, then runs the graph.
    """

    @functools.wraps(f)
    def staged(*args):
        key = signature(args)
        if key not in staged.graphs:
            staged.traces += 1
            staged.graphs[key] = make_graph(f)(*_plain(args))
        return staged.graphs[key](*args)

    staged.graphs = {}
    staged.traces = 0
    return staged


def _plain(args):
    """Concrete arrays to trace with: the values where they are plain, ones otherwise."""
    leaves, tree = tree_flatten(args)
    out = []
    for x in leaves:
        v = value_of(x)
        out.append(v if not isinstance(v, Abstract) else np.ones(v.shape, v.dtype))
    return tree_unflatten(tree, out)
