"""Sorting and reading elements at computed positions, built from ``getitem``.

``sort`` and ``partition`` compute the order of the elements from their values (a
constant: the order does not change under a small perturbation, away from ties) and read
the array in that order with ``take_along_axis``. The derivative of that read sends each
cotangent back to the element it came from.
"""

from __future__ import annotations

import numpy as np

from ..core import shape_of, value_of
from ..primitives.shapes import getitem, ravel
from ._arrays import _axis, _ndim


def take(x, indices, axis=None):
    indices = np.asarray(value_of(indices))
    if axis is None:
        return getitem(ravel(x), indices)
    axis = _axis(axis, _ndim(x), "take")
    return getitem(x, (slice(None),) * axis + (indices,))


def take_along_axis(x, indices, axis):
    """``x`` read at ``indices`` along ``axis`` (as numpy: the result of argsort, argmax
    with keepdims...); ``axis=None`` reads the flattened array."""
    indices = np.asarray(value_of(indices))
    if axis is None:
        return getitem(ravel(x), indices)
    ndim = _ndim(x)
    axis = _axis(axis, ndim, "take_along_axis")
    if indices.ndim != ndim:
        raise ValueError(
            f"take_along_axis: indices must have as many dimensions as the array ({ndim}), "
            f"got {indices.ndim}"
        )
    index = tuple(
        indices if d == axis else np.arange(n).reshape((1,) * d + (n,) + (1,) * (ndim - d - 1))
        for d, n in enumerate(shape_of(x))
    )
    return getitem(x, index)


# --- sorting -----------------------------------------------------------------------------------


def sort(x, axis=-1):
    """Sorted copy. The derivative moves each cotangent back to where its element came
    from; at ties numpy's stable order decides (as in JAX's sort)."""
    if axis is None:
        x, axis = ravel(x), 0
    order = np.argsort(np.asarray(value_of(x)), axis=axis, kind="stable")
    return take_along_axis(x, order, axis)


def partition(x, kth, axis=-1):
    """numpy's partition: the k-th element in its sorted place, smaller ones before it and
    larger ones after (in an unspecified order, which may differ from numpy's own)."""
    if axis is None:
        x, axis = ravel(x), 0
    order = np.argpartition(np.asarray(value_of(x)), kth, axis=axis)
    return take_along_axis(x, order, axis)
