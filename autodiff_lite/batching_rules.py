"""Batching rules: how each primitive runs on a whole batch at once (the table ``vmap`` reads).

A rule receives the primitive, the arrays (``vals``), the position of each one's batch axis
(``dims``; ``not_mapped`` for a value shared by every example) and the batch size, plus the
primitive's parameters, and returns ``(ans, bdim)``: the batched result and where its batch
axis is. Rules are written with the library's own operations (``anp``), so that ``grad``
records every step of a batched computation (``grad(vmap(f))``). Whole families share a
rule, as in JAX: ``vectorized_rule`` for elementwise primitives, ``broadcasting_rule`` for
elementwise ones with numpy broadcasting, ``reducer_rule`` for reductions; primitives with
shape parameters have rules of their own; :func:`loop_rule` is the slow fallback.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from . import numpy as anp
from .core import shape_of
from .primitives.shapes import getitem

not_mapped = None
"""The batch axis of a value shared by every example (JAX spells it ``not_mapped`` too)."""


class BatchingError(ValueError):
    """vmap cannot batch this call: a missing rule, mismatched batch sizes, bad axes."""


# =====================================================================================
# Moving batch axes (with library primitives, so that grad can record every step)
# =====================================================================================


def moveaxis(x, src: int, dst: int):
    """``x`` with axis ``src`` moved to position ``dst`` (one ``transpose``)."""
    n = len(shape_of(x))
    src, dst = src % n, dst % n
    if src == dst:
        return x
    perm = [i for i in range(n) if i != src]
    perm.insert(dst, src)
    return anp.transpose(x, tuple(perm))


def to_front(x, bdim, size: int):
    """The batch axis first; an unmapped value is broadcast to the batch size."""
    if bdim is not_mapped:
        return anp.broadcast_to(x, (size, *shape_of(x)))
    return moveaxis(x, bdim, 0)


def _example_ndim(x, bdim) -> int:
    return len(shape_of(x)) - (bdim is not not_mapped)


def _normalize(axis: int, ndim: int) -> int:
    if not -ndim <= axis < max(ndim, 1):
        raise BatchingError(f"axis {axis} is out of range for an example with {ndim} dimensions")
    return axis % max(ndim, 1)


# =====================================================================================
# Generic rules for whole families of primitives
# =====================================================================================


def vectorized_rule(prim, vals, dims, size, **params):
    """Elementwise, one argument (``sin``, ``exp``, ``sign``, ``astype``...): apply as is."""
    (x,), (bdim,) = vals, dims
    return prim(x, **params), bdim


def broadcasting_rule(prim, vals, dims, size, **params):
    """Elementwise with numpy broadcasting (``add``, ``where``, ``greater``...).

    Batched operands get their batch axis first and 1s after it, so that every
    example's dimensions line up from the right; unmapped operands are left alone.
    Example: per-example shapes (3,) and (2, 3), batch 5: (5, 1, 3) and (5, 2, 3).
    """
    rank = max(_example_ndim(v, d) for v, d in zip(vals, dims))
    args = []
    for v, d in zip(vals, dims):
        if d is not_mapped:
            args.append(v)
            continue
        v = moveaxis(v, d, 0)
        shape = shape_of(v)
        args.append(anp.reshape(v, (shape[0],) + (1,) * (rank - len(shape) + 1) + shape[1:]))
    return prim(*args, **params), 0


def reducer_rule(prim, vals, dims, size, *, axis, keepdims):
    """Reductions (``sum``, ``prod``, ``max``, ``logsumexp``...): shift ``axis`` past the batch.

    With the batch axis first, the example's axis ``a`` is axis ``a + 1``; ``axis=None``
    (everything) becomes every axis but the batch axis.
    """
    (x,), (bdim,) = vals, dims
    x = moveaxis(x, bdim, 0)
    ndim = len(shape_of(x)) - 1
    axes = range(ndim) if axis is None else (axis,) if np.ndim(axis) == 0 else axis
    new_axis = tuple(_normalize(a, ndim) + 1 for a in axes)
    return prim(x, axis=new_axis, keepdims=keepdims), 0


def cumsum_rule(prim, vals, dims, size, *, axis):
    """``cumsum`` along one axis: the same shift as a reduction. (None flattens the example.)"""
    (x,), (bdim,) = vals, dims
    x = moveaxis(x, bdim, 0)
    if axis is None:
        x, axis = anp.reshape(x, (size, -1)), 0
    return prim(x, axis=_normalize(axis, len(shape_of(x)) - 1) + 1), 0


def loop_rule(prim, vals, dims, size, **params):
    """The slow fallback: apply ``prim`` to each example in turn and stack the results.

    Correct for any primitive, with ``size`` primitive calls instead of one.
    """
    outs = []
    for i in range(size):
        args = [
            v if d is not_mapped else getitem(v, (slice(None),) * d + (i,))
            for v, d in zip(vals, dims)
        ]
        ans = prim(*args, **params)
        outs.append(anp.reshape(ans, (1, *shape_of(ans))))
    return anp.concatenate(outs, axis=0), 0


# =====================================================================================
# Rules for primitives with shape parameters
# =====================================================================================


def _shape_param(vals, shape):
    """``broadcast_to(x, shape)`` and ``sum_to(x, shape)`` are called with ``shape``
    positional by the library's rules; it then arrives as an unmapped argument."""
    return (vals[0],), tuple(shape if shape is not None else vals[1])


def broadcast_to_rule(prim, vals, dims, size, shape=None):
    (x,), shape = _shape_param(vals, shape)
    bdim = dims[0]
    x = moveaxis(x, bdim, 0)
    s = shape_of(x)
    x = anp.reshape(x, (size,) + (1,) * (len(shape) - len(s) + 1) + s[1:])
    return prim(x, shape=(size, *shape)), 0


def sum_to_rule(prim, vals, dims, size, shape=None):
    (x,), shape = _shape_param(vals, shape)
    bdim = dims[0]
    x = moveaxis(x, bdim, 0)
    extra = len(shape_of(x)) - 1 - len(shape)
    if extra > 0:  # sum the example's leading axes here: sum_to would take the batch axis
        x = anp.sum(x, axis=tuple(range(1, extra + 1)))
    return prim(x, shape=(size, *shape)), 0


def reshape_rule(prim, vals, dims, size, *, shape):
    (x,), (bdim,) = vals, dims
    shape = (shape,) if np.ndim(shape) == 0 else tuple(shape)
    return prim(moveaxis(x, bdim, 0), shape=(size, *shape)), 0


def transpose_rule(prim, vals, dims, size, *, axes):
    (x,), (bdim,) = vals, dims
    x = moveaxis(x, bdim, 0)
    ndim = len(shape_of(x)) - 1
    axes = range(ndim)[::-1] if axes is None else [_normalize(a, ndim) for a in axes]
    return prim(x, axes=(0, *(a + 1 for a in axes))), 0


def _index_batched(index) -> tuple | None:
    """``(slice(None),) + index``, or None when numpy would move the indexed axes first.

    numpy puts the dimensions of advanced (array) indices first when slices separate
    them; with the batch slice in front that happens whenever the example's index has an
    array after a slice, so those indices take the slow fallback.
    """
    index = index if isinstance(index, tuple) else (index,)
    is_array = [isinstance(i, (np.ndarray, list)) for i in index]
    if any(is_array):
        first = is_array.index(True)
        last = len(is_array) - 1 - is_array[::-1].index(True)
        if not all(is_array[first : last + 1]) or first > 0:
            return None
    return (slice(None), *index)


def getitem_rule(prim, vals, dims, size, *, index):
    """``x[index]`` per example is ``x[:, index]`` for the batch (batch axis first)."""
    (x,), (bdim,) = vals, dims
    new_index = _index_batched(index)
    if new_index is None:
        return loop_rule(prim, vals, dims, size, index=index)
    return prim(moveaxis(x, bdim, 0), index=new_index), 0


def untake_rule(prim, vals, dims, size, *, index, shape):
    """The transpose of ``getitem`` (scatter-add into zeros), batched the same way."""
    (g,), (bdim,) = vals, dims
    new_index = _index_batched(index)
    if new_index is None:
        return loop_rule(prim, vals, dims, size, index=index, shape=shape)
    return prim(moveaxis(g, bdim, 0), index=new_index, shape=(size, *shape)), 0


def concatenate_rule(prim, vals, dims, size, *, axis):
    """Every operand batched at the front (unmapped ones broadcast), then ``axis + 1``."""
    ndim = _example_ndim(vals[0], dims[0])
    args = [to_front(v, d, size) for v, d in zip(vals, dims)]
    return prim(*args, axis=_normalize(axis, ndim) + 1), 0


def matmul_rule(prim, vals, dims, size):
    """``x @ y`` per example: batch axes first, a vector promoted to a matrix for the call.

    numpy's matmul treats a 1-D operand as a vector but a 2-D one as a matrix, so a batch
    of vectors (B, k) is reshaped to (B, 1, k) (left) or (B, k, 1) (right) and the added
    axis is dropped from the result. Stacked operands get 1s after the batch axis, so that
    their stack dimensions line up from the right with the other operand's.
    """
    (x, y), (xd, yd) = vals, dims
    x_vec, y_vec = _example_ndim(x, xd) == 1, _example_ndim(y, yd) == 1
    if xd is not not_mapped:
        x = moveaxis(x, xd, 0)
        if x_vec:
            x = anp.reshape(x, (size, 1, shape_of(x)[1]))
    if yd is not not_mapped:
        y = moveaxis(y, yd, 0)
        if y_vec:
            y = anp.reshape(y, (size, shape_of(y)[1], 1))
    # stack dimensions of each operand (those before the last two), batch axis excluded
    stack = [max(len(shape_of(v)) - (d is not not_mapped) - 2, 0) for v, d in ((x, xd), (y, yd))]
    rank = max(stack)
    if xd is not not_mapped:
        x = anp.reshape(x, (size,) + (1,) * (rank - stack[0]) + shape_of(x)[1:])
    if yd is not not_mapped:
        y = anp.reshape(y, (size,) + (1,) * (rank - stack[1]) + shape_of(y)[1:])
    ans = prim(x, y)
    s = list(shape_of(ans))
    if yd is not not_mapped and y_vec:
        del s[-1]
    if xd is not not_mapped and x_vec:
        del s[-1 if y_vec else -2]
    return anp.reshape(ans, tuple(s)), 0


def einsum_rule(prim, vals, dims, size, *, subscripts):
    """A fresh index letter for the batch axis, on the batched operands and the output."""
    if "..." in subscripts:
        return loop_rule(prim, vals, dims, size, subscripts=subscripts)
    inputs, _, out = subscripts.replace(" ", "").partition("->")
    inputs = inputs.split(",")
    if "->" not in subscripts:  # implicit output: the letters used once, sorted
        letters = "".join(inputs)
        out = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    b = next(
        c for c in "zyxwvutsrqponmlkjihgfedcbaZYXWVUTSRQPONMLKJIHGFEDCBA" if c not in subscripts
    )
    args, subs = [], []
    for v, d, s in zip(vals, dims, inputs):
        if d is not_mapped:
            args.append(v)
            subs.append(s)
        else:
            args.append(moveaxis(v, d, 0))
            subs.append(b + s)
    return prim(*args, subscripts=",".join(subs) + "->" + b + out), 0


def solve_rule(prim, vals, dims, size):
    """``solve(a, b)``: numpy reads a 2-D ``b`` as a matrix, so a batch of vectors gets a
    trailing axis for the call."""
    (a, b), (ad_, bd) = vals, dims
    b_vec = _example_ndim(b, bd) == 1
    a = a if ad_ is not_mapped else moveaxis(a, ad_, 0)
    if bd is not_mapped:
        b = b if not b_vec else anp.reshape(b, (*shape_of(b), 1))
        b = anp.broadcast_to(b, (size, *shape_of(b)))
    else:
        b = moveaxis(b, bd, 0)
        b = b if not b_vec else anp.reshape(b, (*shape_of(b), 1))
    if ad_ is not_mapped:
        a = anp.broadcast_to(a, (size, *shape_of(a)))
    ans = prim(a, b)
    return (anp.reshape(ans, shape_of(ans)[:-1]) if b_vec else ans), 0


def stacked_matrix_rule(prim, vals, dims, size):
    """``inv``, ``det``, the decompositions: numpy already maps them over leading axes; put the
    batch there."""
    (x,), (bdim,) = vals, dims
    return prim(moveaxis(x, bdim, 0)), 0


# =====================================================================================
# The table: primitive name -> batching rule
# =====================================================================================

BATCH_RULES: dict[str, Callable] = {}
"""Batching rule of each primitive: ``rule(prim, vals, dims, size, **params) -> (ans, bdim)``."""

for _name in (
    "negative exp log log1p expm1 sqrt sin cos tan arcsin arccos arctan sinh cosh tanh abs "
    "sign floor ceil round isfinite isnan stop_gradient logical_not astype "
    "arcsinh arccosh arctanh cbrt sinc rint trunc real imag conj angle"
).split():
    BATCH_RULES[_name] = vectorized_rule
for _name in (
    "add subtract multiply divide power arctan2 maximum minimum where greater greater_equal "
    "less less_equal equal not_equal logical_and logical_or floor_divide remainder fmod"
).split():
    BATCH_RULES[_name] = broadcasting_rule
for _name in ("sum", "prod", "max", "min", "logsumexp"):
    BATCH_RULES[_name] = reducer_rule
BATCH_RULES.update(
    cumsum=cumsum_rule,
    broadcast_to=broadcast_to_rule,
    sum_to=sum_to_rule,
    reshape=reshape_rule,
    transpose=transpose_rule,
    getitem=getitem_rule,
    untake=untake_rule,
    concatenate=concatenate_rule,
    matmul=matmul_rule,
    einsum=einsum_rule,
    solve=solve_rule,
    inv=stacked_matrix_rule,
    det=stacked_matrix_rule,
    logabsdet=stacked_matrix_rule,
    cholesky=stacked_matrix_rule,
    eigvalsh=stacked_matrix_rule,
    eigh_vectors=stacked_matrix_rule,
    # The slow fallback, one call per example: these take no axis parameter to shift.
    argmax=loop_rule,
    argmin=loop_rule,
    argsort=loop_rule,
)
