"""``vmap``: a third interpreter, which runs a function on a whole batch at once.

``vmap(f)(xs)`` means ``stack([f(x) for x in xs])``, computed without the loop. Like
``jvp`` and ``grad`` it is a trace: the inputs are wrapped in :class:`BatchTracer`\\ s,
each holding an array *with* a batch axis and the position of that axis (``bdim``, or
``not_mapped`` for a value shared by every example). ``f`` sees one example (``x.shape``
has no batch axis); every primitive it applies reaches :meth:`BatchTrace.process`, which
looks up the primitive's *batching rule* in ``BATCH_RULES``
(:mod:`.batching_rules`). A rule receives the
batched arrays and their batch axes and applies the primitive once to the whole batch:
``sin`` needs nothing (it is elementwise), ``sum(x, axis=0)`` becomes ``sum(x, axis=1)``
when the batch axis comes first, ``matmul`` of a batch of vectors becomes a
matrix-matrix product. So a primitive now carries three rules: JVP, VJP and batching.

How vmap composes with grad and jvp. Each transform opens a trace one level above the
ones already running, and ``core.bind`` always hands a primitive to the highest-level
trace among its arguments; that trace unwraps its own tracers and calls ``bind`` again,
so the traces below get their turn. Nothing here is specific to derivatives:

- ``vmap(grad(f))`` (per-example gradients): vmap is level 1, grad level 2. grad's
  tracers wrap BatchTracers, grad records its tape as usual, and the backward pass
  applies VJP rules, written with the library's own operations, to batched values: those
  operations go through the batching rules. One backward pass computes every example's
  gradient.
- ``grad(vmap(f))``: the batching rules are written with the library's primitives (through
  ``bind``), so grad (level 1) records them on its tape like any other operation.
- ``vmap(vmap(f))``: the inner BatchTracer's array is an outer BatchTracer. The inner
  trace sees one axis; the outer trace handles the other.
- ``vmap(jvp(f))`` gives Jacobians a column block at a time, as ``jax.jacfwd`` does.

The function sees one example, so anything that asks for a concrete value (``if x > 0``,
``float(x)``, ``np.asarray(x)``) gets an :class:`~autodiff_lite.abstract.Abstract`
stand-in with the example's shape and dtype that refuses with a clear error. Use
``anp.where`` for value-dependent choices.

A primitive with no rule raises :class:`BatchingError` naming it. A few primitives
(``argmax``, ``argmin``, ``argsort``, and ``getitem`` with separated advanced indices)
use :func:`loop_rule`, the *slow fallback*: one call per example, restacked, labelled as
such in the table. Adding a primitive means adding its rule to :mod:`.batching_rules`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from . import numpy as anp
from .abstract import Abstract, unwrap_abstract
from .batching_rules import (  # noqa: F401  (the rules, importable from here too)
    BATCH_RULES,
    BatchingError,
    broadcasting_rule,
    concatenate_rule,
    loop_rule,
    matmul_rule,
    moveaxis,
    not_mapped,
    reducer_rule,
    vectorized_rule,
)
from .core import Primitive, Trace, Tracer, bind, dtype_of, new_trace, shape_of
from .primitives import REGISTRY
from .tree import tree_flatten, tree_unflatten


class BatchTracer(Tracer):
    """A batch of values: ``val`` has the batch axis at position ``bdim``."""

    __slots__ = ("val", "bdim")

    def __init__(self, trace: BatchTrace, val, bdim: int):
        self._trace = trace
        self.val = val
        self.bdim = bdim

    @property
    def primal(self) -> Abstract:
        """What the rest of the library sees: one example's shape and dtype, no values."""
        shape = list(shape_of(self.val))
        del shape[self.bdim]
        return Abstract(self, shape, dtype_of(self.val))

    def __repr__(self) -> str:
        return f"BatchTracer(bdim={self.bdim}, val={self.val!r})"


class BatchTrace(Trace):
    """One ``vmap`` in progress; ``size`` is the number of examples."""

    __slots__ = ("size",)

    def process(self, prim: Primitive, args: tuple, params: dict):
        vals, dims = [], []
        for x in args:
            x = unwrap_abstract(x)
            if self.owns(x):
                vals.append(x.val)
                dims.append(x.bdim)
            else:
                vals.append(x)
                dims.append(not_mapped)
        if all(d is not_mapped for d in dims):
            return bind(prim, tuple(vals), params)
        rule = BATCH_RULES.get(prim.name)
        if rule is None:
            raise BatchingError(
                f"vmap has no batching rule for primitive '{prim.name}'. Add one to "
                f"autodiff_lite.batching_rules.BATCH_RULES (for an elementwise primitive: "
                f"BATCH_RULES['{prim.name}'] = vectorized_rule; as a slow fallback that "
                f"loops over the batch: BATCH_RULES['{prim.name}'] = loop_rule), or call the "
                f"function in a Python loop over the examples."
            )
        ans, bdim = rule(prim, vals, dims, self.size, **params)
        return BatchTracer(self, ans, bdim)

    def refusal(self, what: str) -> str:
        return (
            f"vmap: the function asked for {what}, but inside vmap a value stands for a "
            f"whole batch, whose examples may disagree. Write value-dependent choices with "
            f"anp.where(condition, a, b); read concrete values outside vmap."
        )


# =====================================================================================
# The transform
# =====================================================================================


def _axes_per_arg(in_axes, nargs: int) -> tuple:
    if in_axes is None or isinstance(in_axes, (int, np.integer)):
        return (in_axes,) * nargs
    in_axes = tuple(in_axes)
    if len(in_axes) != nargs:
        raise BatchingError(
            f"vmap: in_axes={in_axes!r} gives {len(in_axes)} axes but the function was called "
            f"with {nargs} positional argument(s); give one entry (an int or None) per argument"
        )
    return in_axes


def vmap(f: Callable, in_axes=0, out_axes: int = 0) -> Callable:
    """Vectorise ``f`` over a batch axis: ``vmap(f)(xs) == stack([f(x) for x in xs])``.

    ``in_axes``: the batch axis of every argument (an int), or one entry per positional
    argument, ``None`` for an argument shared by all examples (it applies to every array
    of a pytree argument). ``out_axes``: where the batch axis goes in every output.

    >>> import numpy as np, autodiff_lite as ad, autodiff_lite.numpy as anp
    >>> ad.vmap(lambda x, w: anp.sum(x * w), in_axes=(0, None))(np.ones((4, 3)), np.arange(3.0))
    array([3., 3., 3., 3.])
    """

    def batched(*args):
        axes = _axes_per_arg(in_axes, len(args))
        sizes = {}
        leaves_axes = []
        for i, (a, ax) in enumerate(zip(args, axes)):
            leaves, tree = tree_flatten(a)
            for leaf in leaves:
                if ax is not None:
                    ndim = len(shape_of(leaf))
                    if not -ndim <= ax < ndim:
                        raise BatchingError(
                            f"vmap: in_axes={ax} for argument {i}, which has shape "
                            f"{shape_of(leaf)}: it has no axis {ax} to map over"
                        )
                    sizes.setdefault(shape_of(leaf)[ax], []).append(i)
            leaves_axes.append((leaves, tree, ax))
        if not sizes:
            raise BatchingError(
                "vmap: every in_axes is None, so there is no batch axis; map at least one "
                "argument (in_axes=0)"
            )
        if len(sizes) > 1:
            raise BatchingError(
                "vmap: the mapped axes have different sizes "
                + ", ".join(f"{n} (argument(s) {a})" for n, a in sizes.items())
                + "; every mapped axis must have the same length"
            )
        (size,) = sizes
        with new_trace(BatchTrace) as trace:
            trace.size = size
            wrapped = []
            for leaves, tree, ax in leaves_axes:
                if ax is not None:
                    leaves = [BatchTracer(trace, x, ax % len(shape_of(x))) for x in leaves]
                wrapped.append(tree_unflatten(tree, leaves))
            out = f(*wrapped)
            out_leaves, out_tree = tree_flatten(out)
            results = []
            for y in out_leaves:
                y = unwrap_abstract(y)
                if trace.owns(y):
                    val, bdim = y.val, y.bdim
                else:  # the same for every example: JAX broadcasts it along the batch
                    val, bdim = anp.broadcast_to(y, (size, *shape_of(y))), 0
                results.append(moveaxis(val, bdim, out_axes))
        return tree_unflatten(out_tree, results)

    batched.__name__ = f"vmap({getattr(f, '__name__', 'f')})"
    return batched


def missing_rules() -> list[str]:
    """The primitives of ``REGISTRY`` that have no batching rule yet."""
    return sorted(name for name in REGISTRY if name not in BATCH_RULES)
