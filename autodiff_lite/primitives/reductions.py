"""Reductions: sum, prod, max, min, cumsum, and the statistics built on them.

The VJP of a reduction spreads the cotangent back over the reduced axes:
``_spread(g, x, axis, keepdims)`` reshapes ``g`` to keep the reduced axes as
length 1 and broadcasts it to the shape of ``x``. ``sum`` sends ``g`` to every
element; ``max`` only to the elements that attain the maximum.

Conventions at ties (as in JAX): the derivative of ``max``/``min`` is shared
equally between all elements that attain the extreme value.

Complex arguments: ``sum``, ``mean``, ``prod`` and ``cumsum`` take them (they are
holomorphic, see :mod:`.complex`); ``var`` and ``std`` of complex values are real, from
``|x - mean|^2`` as in numpy; ``max``, ``min`` and ``logsumexp`` refuse them.
"""

from __future__ import annotations

import builtins
import math

import numpy as np

from .. import domains
from ..core import Primitive, shape_of, value_of
from . import elementwise as el
from .broadcasting import broadcast_to
from .complex import abs2, refuse_complex
from .shapes import getitem_p, moveaxis, reshape

R = domains.REAL
_AXIS_CASES = [
    (((3,),), {"axis": None, "keepdims": False}),
    (((2, 3),), {"axis": (1,), "keepdims": False}),
    (((2, 3),), {"axis": (0,), "keepdims": True}),
    (((2, 3, 4),), {"axis": (0, 2), "keepdims": False}),
]


def normalize_axis(axis, ndim):
    """None stays None; an int or a sequence becomes a sorted tuple of positive axes."""
    if axis is None:
        return None
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    n = builtins.max(ndim, 1)  # this module defines its own max
    for a in axes:
        if not -ndim <= a < n:
            raise ValueError(f"axis {a} is out of bounds for an array of dimension {ndim}")
    return tuple(sorted(int(a) % n for a in axes))


def _kept_shape(shape, axis):
    """The shape of a reduction with keepdims=True."""
    if axis is None:
        return (1,) * len(shape)
    return tuple(1 if i in axis else n for i, n in enumerate(shape))


def _kept(y, x, axis, keepdims):
    """``y`` (shaped like the result) with the reduced axes of ``x`` kept as length 1."""
    return y if keepdims else reshape(y, _kept_shape(shape_of(x), axis))


def _spread(g, x, axis, keepdims):
    """Undo a reduction's shape change: broadcast ``g`` back to the shape of ``x``."""
    return broadcast_to(_kept(g, x, axis, keepdims), shape_of(x))


def _count(x, axis):
    """How many elements a reduction over ``axis`` combines (math.prod: no numpy call)."""
    shape = shape_of(x)
    return math.prod(shape[a] for a in axis) if axis is not None else math.prod(shape)


# --- sum -------------------------------------------------------------------------

sum_p = Primitive(
    "sum",
    lambda x, axis, keepdims: np.sum(x, axis=axis, keepdims=keepdims),
    jvps=(lambda x_dot, ans, x, axis, keepdims: sum_p(x_dot, axis=axis, keepdims=keepdims),),
    vjps=(lambda g, ans, x, axis, keepdims: _spread(g, x, axis, keepdims),),
    domains=(R,),
    cases=_AXIS_CASES,
    vjp_needs_inputs=False,
    vjp_needs_output=False,
)


def sum(x, axis=None, keepdims=False):
    return sum_p(x, axis=normalize_axis(axis, len(shape_of(x))), keepdims=keepdims)


def mean(x, axis=None, keepdims=False):
    axis = normalize_axis(axis, len(shape_of(x)))
    return sum_p(x, axis=axis, keepdims=keepdims) / _count(x, axis)


def var(x, axis=None, ddof=0, keepdims=False):
    axis = normalize_axis(axis, len(shape_of(x)))
    centered = x - mean(x, axis=axis, keepdims=True)
    return sum(abs2(centered), axis=axis, keepdims=keepdims) / (_count(x, axis) - ddof)


def std(x, axis=None, ddof=0, keepdims=False):
    """Standard deviation. Its derivative is nan where all values are equal (as in JAX)."""
    return el.sqrt(var(x, axis=axis, ddof=ddof, keepdims=keepdims))


# --- prod ------------------------------------------------------------------------


def _prod_of_others(x, axis):
    """For each element, the product of all the *other* elements along ``axis``.

    This is d prod / d x_i, computed without dividing by x_i, so it is right even
    when some x_i are zero. It uses the library's own ops (where, prod), so the
    second derivative comes for free. Cost O(n^2) in the reduced length n.
    """
    from .arithmetic import where

    if axis is None:
        flat = reshape(x, (1, -1))
        return reshape(_prod_of_others(flat, (1,)), shape_of(x))
    if len(axis) != 1:
        raise NotImplementedError(
            "the derivative of prod over several axes at once is not implemented; "
            "reduce one axis at a time: prod(prod(x, axis=0), axis=0)"
        )
    moved = moveaxis(x, axis[0], -1)  # (..., n)
    n = shape_of(moved)[-1]
    rows = broadcast_to(reshape(moved, (*shape_of(moved)[:-1], 1, n)), (*shape_of(moved), n))
    others = prod_p(
        where(np.eye(n, dtype=bool), 1.0, rows), axis=(len(shape_of(rows)) - 1,), keepdims=False
    )
    return moveaxis(others, -1, axis[0])


prod_p = Primitive(
    "prod",
    lambda x, axis, keepdims: np.prod(x, axis=axis, keepdims=keepdims),
    jvps=(
        lambda x_dot, ans, x, axis, keepdims: sum_p(
            x_dot * _prod_of_others(x, axis), axis=axis, keepdims=keepdims
        ),
    ),
    vjps=(
        lambda g, ans, x, axis, keepdims: _spread(g, x, axis, keepdims) * _prod_of_others(x, axis),
    ),
    domains=(R,),
    cases=[
        (((3,),), {"axis": None, "keepdims": False}),
        (((2, 3),), {"axis": (1,), "keepdims": False}),
        (((2, 3),), {"axis": (0,), "keepdims": True}),
    ],
)


def prod(x, axis=None, keepdims=False):
    return prod_p(x, axis=normalize_axis(axis, len(shape_of(x))), keepdims=keepdims)


# --- max and min ---------------------------------------------------------------------


def _share_at_ties(x, ans, axis, keepdims):
    """1/k at each of the k elements that attain the extreme value, 0 elsewhere."""
    xv = np.asarray(value_of(x))
    av = np.asarray(value_of(ans))
    if not keepdims:
        av = av.reshape(_kept_shape(xv.shape, axis))
    hit = (xv == av).astype(xv.dtype)
    return hit / hit.sum(axis=axis, keepdims=True)


def _weighted_reduction(name, impl, weights):
    """A reduction whose derivative is a weighting of its inputs, given by
    ``weights(x, ans, axis, keepdims)`` (shaped like ``x``): the JVP is the weighted sum
    of ``x_dot``, the VJP spreads ``g`` over the inputs in proportion to the weights.

    ``max`` and ``min`` share the derivative among the elements that attain the extreme;
    ``logsumexp`` gives each element its softmax probability.
    """
    return Primitive(
        name,
        impl,
        jvps=(
            lambda x_dot, ans, x, axis, keepdims: sum_p(
                x_dot * weights(x, ans, axis, keepdims), axis=axis, keepdims=keepdims
            ),
        ),
        # g needs no broadcast_to here: the product broadcasts it over the reduced axes.
        vjps=(
            lambda g, ans, x, axis, keepdims: (
                _kept(g, x, axis, keepdims) * weights(x, ans, axis, keepdims)
            ),
        ),
        domains=(R,),
        cases=_AXIS_CASES,
    )


def _extreme(name, impl):
    return _weighted_reduction(
        name, lambda x, axis, keepdims: impl(x, axis=axis, keepdims=keepdims), _share_at_ties
    )


max_p = _extreme("max", refuse_complex("max", np.max))
min_p = _extreme("min", refuse_complex("min", np.min))


def max(x, axis=None, keepdims=False):
    return max_p(x, axis=normalize_axis(axis, len(shape_of(x))), keepdims=keepdims)


def min(x, axis=None, keepdims=False):
    return min_p(x, axis=normalize_axis(axis, len(shape_of(x))), keepdims=keepdims)


amax, amin = max, min


# --- cumsum ---------------------------------------------------------------------------


def _reverse_cumsum(g, axis):
    """The transpose of cumsum: sums from the end, cumsum(g[::-1])[::-1]."""
    ndim = len(shape_of(g))
    rev = (slice(None),) * axis + (slice(None, None, -1),) + (slice(None),) * (ndim - axis - 1)
    return getitem_p(cumsum_p(getitem_p(g, index=rev), axis=axis), index=rev)


cumsum_p = Primitive(
    "cumsum",
    lambda x, axis: np.cumsum(x, axis=axis),
    jvps=(lambda x_dot, ans, x, axis: cumsum_p(x_dot, axis=axis),),
    vjps=(lambda g, ans, x, axis: _reverse_cumsum(g, axis),),
    domains=(R,),
    cases=[(((4,),), {"axis": 0}), (((2, 3),), {"axis": 1})],
)


def cumsum(x, axis=None):
    if axis is None:
        x, axis = reshape(x, (-1,)), 0
    return cumsum_p(x, axis=int(axis) % len(shape_of(x)))


# --- logsumexp --------------------------------------------------------------------------
# One primitive rather than a composite of max, exp, sum and log. Its derivative is the
# softmax, exp(x - logsumexp(x)), which the rules build from ``ans`` without redoing the
# shifted sum. Speed: a cross-entropy loss then puts one node on the tape instead of
# eight, and the backward pass makes one pass over the logits instead of four.


def _logsumexp_impl(x, axis, keepdims):
    """log(sum(exp(x))) without overflow: shift by the maximum first (a constant)."""
    x = np.asarray(x)
    m = np.max(x, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)  # rows of -inf (or +inf) are not shifted
    out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else out.reshape(_reduced_shape(x.shape, axis))


def _reduced_shape(shape, axis):
    return () if axis is None else tuple(n for i, n in enumerate(shape) if i not in axis)


def _softmax(x, ans, axis, keepdims):
    """d logsumexp(x) / dx = exp(x - logsumexp(x)), from library ops (so it has derivatives)."""
    return el.exp(x - _kept(ans, x, axis, keepdims))


logsumexp_p = _weighted_reduction(
    "logsumexp", refuse_complex("logsumexp", _logsumexp_impl), _softmax
)


def logsumexp(a, axis=None, keepdims=False):
    """log(sum(exp(a))) over ``axis``, without overflow; its gradient is the softmax."""
    return logsumexp_p(a, axis=normalize_axis(axis, len(shape_of(a))), keepdims=keepdims)
