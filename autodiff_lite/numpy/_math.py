"""numpy's numerical functions that are a few lines of primitives: their derivatives follow.

Conventions are autograd's and JAX's: ``nan_to_num`` passes the derivative through where
``x`` is finite and gives 0 where it replaced a value; ``logaddexp`` is differentiated as
``log(exp(x) + exp(y))`` (its derivative is ``exp(x - ans)``); ``hypot`` has the 2-norm's
nan derivative at (0, 0); ``gradient`` and ``trapezoid`` are linear in their array, so
their derivatives are the same finite-difference and quadrature weights.
"""

from __future__ import annotations

import math

import numpy as np

from ..core import shape_of, value_of
from ..primitives.arithmetic import where
from ..primitives.broadcasting import broadcast_to
from ..primitives.elementwise import exp, log, sqrt
from ..primitives.reductions import max, min, normalize_axis, prod, sum
from ..primitives.shapes import concatenate, expand_dims, getitem, moveaxis, reshape

_LN2 = math.log(2.0)


def logaddexp(x, y):
    """log(exp(x) + exp(y)) without overflow: shifted by max(x, y), taken as a constant."""
    m = np.maximum(value_of(x), value_of(y))
    m = np.where(np.isfinite(m), m, 0.0)  # two -inf (or +inf) are not shifted
    return log(exp(x - m) + exp(y - m)) + m


def logaddexp2(x, y):
    return logaddexp(x * _LN2, y * _LN2) * (1.0 / _LN2)


def hypot(x, y):
    return sqrt(x * x + y * y)


def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    """Replace nan and infinities by numbers; the derivative is 0 where a value was replaced."""
    xv = value_of(x)
    replaced = np.nan_to_num(xv, nan=nan, posinf=posinf, neginf=neginf)
    return where(np.isfinite(xv), x, replaced)


def select(condlist, choicelist, default=0):
    """From the first condition that holds, the matching choice (numpy's select)."""
    if len(condlist) != len(choicelist):
        raise ValueError("select: condlist and choicelist must have the same length")
    out = default
    for cond, choice in reversed(list(zip(condlist, choicelist))):
        out = where(np.asarray(value_of(cond), dtype=bool), choice, out)
    return out


def cumprod(x, axis=None):
    """Cumulative product. Each prefix product is a ``prod`` (whose derivative is right even
    where x has zeros), so it costs O(n^2) for a length-n axis."""
    if axis is None:
        x, axis = reshape(x, (-1,)), 0
    moved = moveaxis(x, axis, -1)
    n = shape_of(moved)[-1]
    rows = broadcast_to(expand_dims(moved, -2), (*shape_of(moved)[:-1], n, n))
    prefix = where(np.tri(n, dtype=bool), rows, 1.0)  # row i keeps x_0 ... x_i
    return moveaxis(prod(prefix, axis=-1), -1, axis)


def ptp(x, axis=None, keepdims=False):
    return max(x, axis=axis, keepdims=keepdims) - min(x, axis=axis, keepdims=keepdims)


def average(a, axis=None, weights=None, returned=False, keepdims=False):
    """Weighted mean; ``weights`` shaped like ``a``, or 1-D along a single ``axis``."""
    ndim = len(shape_of(a))
    if weights is None:
        axes = normalize_axis(axis, ndim)
        count = math.prod(shape_of(a)) if axes is None else math.prod(shape_of(a)[i] for i in axes)
        avg = sum(a, axis=axis, keepdims=keepdims) / count
        total = np.full(shape_of(avg), float(count))
    else:
        w = weights
        if shape_of(w) != shape_of(a):
            if axis is None or len(shape_of(w)) != 1 or not isinstance(axis, int):
                raise ValueError(
                    "average: weights must have the shape of a, or be 1-D along one axis"
                )
            w = reshape(w, tuple(-1 if i == axis % ndim else 1 for i in range(ndim)))
            w = broadcast_to(w, shape_of(a))
        total = sum(w, axis=axis, keepdims=keepdims)
        avg = sum(a * w, axis=axis, keepdims=keepdims) / total
    return (avg, total) if returned else avg


def nansum(x, axis=None, keepdims=False):
    """Sum ignoring nans (their derivative is 0)."""
    return sum(where(np.isnan(value_of(x)), 0.0, x), axis=axis, keepdims=keepdims)


def nanmean(x, axis=None, keepdims=False):
    """Mean ignoring nans (their derivative is 0)."""
    axis = normalize_axis(axis, len(shape_of(x)))
    xv = value_of(x)
    count = np.sum(~np.isnan(xv), axis=axis, keepdims=keepdims).astype(np.result_type(xv))
    return nansum(x, axis=axis, keepdims=keepdims) / count


def _along(x, axis, start, stop):
    return getitem(x, (slice(None),) * axis + (slice(start, stop),))


def trapezoid(y, x=None, dx=1.0, axis=-1):
    """Integral by the trapezoidal rule along ``axis``, with sample points ``x`` (1-D, or
    shaped like ``y``) or a constant spacing ``dx``."""
    ndim = len(shape_of(y))
    axis %= ndim
    if x is None:
        d = dx
    elif len(shape_of(x)) == 1:  # sample points along the axis
        d = _along(x, 0, 1, None) - _along(x, 0, None, -1)
        d = reshape(d, tuple(-1 if i == axis else 1 for i in range(ndim)))
    else:  # sample points shaped like y
        d = _along(x, axis, 1, None) - _along(x, axis, None, -1)
    mid = (_along(y, axis, 1, None) + _along(y, axis, None, -1)) * 0.5
    return sum(d * mid, axis=axis)


trapz = trapezoid  # the name autograd and numpy < 2.0 use


def gradient(f, *varargs, axis=None, edge_order=1):
    """numpy's gradient: central differences inside, one-sided ones (first or second order,
    ``edge_order``) at the ends, for constant spacings (scalars) only."""
    ndim = len(shape_of(f))
    axes = list(range(ndim)) if axis is None else normalize_axis(axis, ndim)
    if not varargs:
        spacings = [1.0] * len(axes)
    elif len(varargs) == 1 and np.ndim(value_of(varargs[0])) == 0:
        spacings = list(varargs) * len(axes)
    elif len(varargs) == len(axes) and all(np.ndim(value_of(h)) == 0 for h in varargs):
        spacings = list(varargs)
    else:
        raise NotImplementedError(
            "gradient: only constant spacings (one scalar, or one per axis) are supported; "
            "for sample coordinates use anp.diff and divide"
        )
    if edge_order not in (1, 2):
        raise ValueError("gradient: edge_order must be 1 or 2")
    out = [_gradient_along(f, a, h, edge_order) for a, h in zip(axes, spacings)]
    return out[0] if len(out) == 1 else out


def _gradient_along(f, axis, h, edge_order):
    n = shape_of(f)[axis]
    if n < edge_order + 1:
        raise ValueError(
            f"gradient: an axis of length {n} is too short for edge_order={edge_order} "
            f"(it needs at least {edge_order + 1} points)"
        )
    v = lambda i, j=None: _along(f, axis, i, j)  # noqa: E731 - a slice along the axis
    inside = (v(2, None) - v(None, -2)) / (2.0 * h)
    if edge_order == 1:
        first = (v(1, 2) - v(0, 1)) / h
        last = (v(-1, None) - v(-2, -1)) / h
    else:
        first = (-3.0 * v(0, 1) + 4.0 * v(1, 2) - v(2, 3)) / (2.0 * h)
        last = (3.0 * v(-1, None) - 4.0 * v(-2, -1) + v(-3, -2)) / (2.0 * h)
    return concatenate([first, inside, last], axis=axis)


def fmax(x, y):
    """Elementwise maximum that ignores nan (the other value wins); ties as ``maximum``."""
    from ..primitives.arithmetic import maximum

    xv, yv = np.isnan(value_of(x)), np.isnan(value_of(y))
    return where(yv, x, where(xv, y, maximum(x, y)))


def fmin(x, y):
    from ..primitives.arithmetic import minimum

    xv, yv = np.isnan(value_of(x)), np.isnan(value_of(y))
    return where(yv, x, where(xv, y, minimum(x, y)))


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """numpy's linspace; differentiable in ``start`` and ``stop`` (as in autograd)."""
    from ..core import Tracer

    if not isinstance(start, Tracer) and not isinstance(stop, Tracer):
        return np.linspace(start, stop, num, endpoint, retstep, dtype, axis)
    if axis != 0:
        raise NotImplementedError("linspace with traced start or stop supports axis=0 only")
    div = (num - 1) if endpoint else num
    shape = np.broadcast_shapes(shape_of(start), shape_of(stop))
    steps = np.arange(num, dtype=float).reshape((num,) + (1,) * len(shape))
    step = (stop - start) / div if div > 0 else (stop - start) * np.nan
    out = start + steps * step
    if endpoint and num > 1:  # the last sample is exactly stop, as in numpy
        last = np.arange(num).reshape(steps.shape) == num - 1
        out = where(last, broadcast_to(stop, shape), out)
    return (out, step) if retstep else out
