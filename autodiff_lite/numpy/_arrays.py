"""numpy's functions that move, copy, join and split array elements, built from primitives.

None of these needs a derivative rule of its own: each is a composition of primitives
(``getitem``, ``untake``, ``concatenate``, ``reshape``, ``where``...), so its
JVP and VJP follow. Many use one idea, :func:`_gather`: a function that only moves or
copies elements (``roll``, ``tile``, ``repeat``, ``rot90``, ``diagonal``, ``pad`` with
``mode="wrap"``...) is applied by numpy to the *positions* ``0, 1, ..., n - 1`` of the
elements, and the result read back from the array with one integer index. The derivative
of that read is the scatter-add of the cotangent to the same positions, so an element
copied twice (``tile``, ``repeat``) receives the sum of both cotangents, as it must.
"""

from __future__ import annotations

import math

import numpy as np

from ..core import Tracer, shape_of, value_of
from ..primitives.arithmetic import where
from ..primitives.shapes import (
    concatenate,
    flip,
    getitem,
    ravel,
    reshape,
    transpose,
    untake,
)


def _ndim(x) -> int:
    return len(shape_of(x))


def _axis(axis: int, ndim: int, name: str) -> int:
    if not -ndim <= axis < max(ndim, 1):
        raise ValueError(f"{name}: axis {axis} is out of bounds for an array of dimension {ndim}")
    return axis % max(ndim, 1)


def _gather(x, np_function, *args, **kwargs):
    """``np_function(x, *args, **kwargs)`` for a numpy function that only moves or copies
    elements: numpy rearranges the element positions, and we read ``x`` at them."""
    positions = np.arange(math.prod(shape_of(x))).reshape(shape_of(x))
    return getitem(ravel(x), np.asarray(np_function(positions, *args, **kwargs)))


# --- at least n dimensions, stacking -------------------------------------------------------


def _one_or_list(arrays):
    return arrays[0] if len(arrays) == 1 else list(arrays)


def _at_least(x, ndim):
    shape = shape_of(x)
    if len(shape) >= ndim:
        return x
    if ndim == 3 and len(shape) == 2:
        return reshape(x, (*shape, 1))
    if ndim == 3 and len(shape) == 1:
        return reshape(x, (1, *shape, 1))
    return reshape(x, (1,) * (ndim - len(shape)) + tuple(shape))


def atleast_1d(*arrays):
    return _one_or_list([_at_least(a, 1) for a in arrays])


def atleast_2d(*arrays):
    """(n,) becomes (1, n), a row, as in numpy."""
    return _one_or_list([_at_least(a, 2) for a in arrays])


def atleast_3d(*arrays):
    """(n,) becomes (1, n, 1) and (m, n) becomes (m, n, 1), as in numpy."""
    return _one_or_list([_at_least(a, 3) for a in arrays])


def vstack(arrays):
    return concatenate([_at_least(a, 2) for a in arrays], axis=0)


row_stack = vstack


def hstack(arrays):
    arrays = [_at_least(a, 1) for a in arrays]
    return concatenate(arrays, axis=0 if _ndim(arrays[0]) == 1 else 1)


def dstack(arrays):
    return concatenate([_at_least(a, 3) for a in arrays], axis=2)


def column_stack(arrays):
    """1-D arrays become columns; 2-D arrays are joined side by side."""
    cols = [reshape(a, (-1, 1)) if _ndim(a) < 2 else a for a in arrays]
    return concatenate(cols, axis=1)


def append(arr, values, axis=None):
    if axis is None:
        return concatenate([ravel(arr), ravel(values)], axis=0)
    return concatenate([arr, values], axis=axis)


def broadcast_arrays(*arrays):
    from ..primitives.broadcasting import broadcast_to

    shape = np.broadcast_shapes(*(shape_of(a) for a in arrays))
    return tuple(a if shape_of(a) == shape else broadcast_to(a, shape) for a in arrays)


# --- splitting ------------------------------------------------------------------------------


def array_split(x, indices_or_sections, axis=0):
    """Split into parts along ``axis``; an int N gives N parts, the first ones longer by one
    when the length does not divide (numpy's rule), a list gives the split points."""
    ndim = _ndim(x)
    axis = _axis(axis, ndim, "array_split")
    n = shape_of(x)[axis]
    if isinstance(indices_or_sections, (int, np.integer)):
        sections = int(indices_or_sections)
        if sections <= 0:
            raise ValueError("array_split: the number of sections must be larger than 0")
        each, extra = divmod(n, sections)
        sizes = [each + 1] * extra + [each] * (sections - extra)
        points = np.concatenate([[0], np.cumsum(sizes)])
    else:
        points = [0, *(int(i) for i in indices_or_sections), n]
    head = (slice(None),) * axis
    return [getitem(x, head + (slice(a, max(a, b)),)) for a, b in zip(points[:-1], points[1:])]


def split(x, indices_or_sections, axis=0):
    """Like ``array_split``, but an int N must divide the length, as in numpy."""
    if isinstance(indices_or_sections, (int, np.integer)):
        n = shape_of(x)[_axis(axis, _ndim(x), "split")]
        if indices_or_sections <= 0 or n % indices_or_sections:
            raise ValueError(
                f"split: an axis of length {n} cannot be split into {indices_or_sections} "
                f"equal parts; use anp.array_split for unequal parts"
            )
    return array_split(x, indices_or_sections, axis)


def hsplit(x, indices_or_sections):
    if _ndim(x) == 0:
        raise ValueError("hsplit only works on arrays of 1 or more dimensions")
    return split(x, indices_or_sections, axis=1 if _ndim(x) > 1 else 0)


def vsplit(x, indices_or_sections):
    if _ndim(x) < 2:
        raise ValueError("vsplit only works on arrays of 2 or more dimensions")
    return split(x, indices_or_sections, axis=0)


def dsplit(x, indices_or_sections):
    if _ndim(x) < 3:
        raise ValueError("dsplit only works on arrays of 3 or more dimensions")
    return split(x, indices_or_sections, axis=2)


# --- rearranging ------------------------------------------------------------------------------


def roll(x, shift, axis=None):
    return _gather(x, np.roll, shift, axis=axis)


def rot90(x, k=1, axes=(0, 1)):
    return _gather(x, np.rot90, k, axes)


def fliplr(x):
    if _ndim(x) < 2:
        raise ValueError("fliplr needs an array of at least 2 dimensions")
    return flip(x, 1)


def flipud(x):
    if _ndim(x) < 1:
        raise ValueError("flipud needs an array of at least 1 dimension")
    return flip(x, 0)


def rollaxis(x, axis, start=0):
    """numpy's older spelling of moveaxis: axis ``axis`` is moved to just before ``start``."""
    ndim = _ndim(x)
    axis = _axis(axis, ndim, "rollaxis")
    if start < 0:
        start += ndim
    if not 0 <= start <= ndim:
        raise ValueError(f"rollaxis: start {start} is out of bounds for dimension {ndim}")
    if axis < start:
        start -= 1
    axes = [a for a in range(ndim) if a != axis]
    axes.insert(start, axis)
    return transpose(x, axes)


def tile(x, reps):
    return _gather(x, np.tile, reps)


def repeat(x, repeats, axis=None):
    return _gather(x, np.repeat, repeats, axis=axis)


def diagonal(x, offset=0, axis1=0, axis2=1):
    return _gather(x, np.diagonal, offset, axis1, axis2)


def diag(v, k=0):
    """The k-th diagonal of a matrix, or a matrix with the vector ``v`` on its k-th diagonal."""
    ndim = _ndim(v)
    if ndim == 2:
        return diagonal(v, k)
    if ndim != 1:
        raise ValueError(f"diag needs a 1-D or 2-D array, got {ndim} dimensions")
    n = shape_of(v)[0]
    rows, cols = np.arange(n) + max(-k, 0), np.arange(n) + max(k, 0)
    return untake(v, index=(rows, cols), shape=(n + abs(k), n + abs(k)))


def diagflat(v, k=0):
    return diag(ravel(v), k)


def _triangle(x, mask, name):
    if _ndim(x) < 1:
        raise ValueError(f"{name} needs an array of at least 1 dimension")
    return where(mask, x, 0)


def tril(x, k=0):
    """The lower triangle (on and below the k-th diagonal) of the last two axes; zeros above."""
    n, m = (shape_of(x) * 2)[-2:] if _ndim(x) == 1 else shape_of(x)[-2:]
    return _triangle(x, np.tri(n, m, k, dtype=bool), "tril")


def triu(x, k=0):
    """The upper triangle (on and above the k-th diagonal); zeros below."""
    n, m = (shape_of(x) * 2)[-2:] if _ndim(x) == 1 else shape_of(x)[-2:]
    return _triangle(x, ~np.tri(n, m, k - 1, dtype=bool), "triu")


# --- pad ---------------------------------------------------------------------------------------

_COPY_MODES = ("edge", "reflect", "symmetric", "wrap")


def pad(x, pad_width, mode="constant", constant_values=0, reflect_type="even"):
    """numpy's pad for ``mode="constant"`` and the modes that copy elements (``edge``,
    ``reflect``, ``symmetric``, ``wrap``). The padding constant is not differentiated."""
    ndim = _ndim(x)
    widths = np.broadcast_to(np.asarray(pad_width, dtype=int), (ndim, 2))
    if mode == "constant":
        if isinstance(constant_values, Tracer):
            raise TypeError(
                "pad: constant_values is a traced value; only constants are supported. "
                "Build the border with anp.concatenate to differentiate through it."
            )
        padded = tuple(int(n + b + a) for n, (b, a) in zip(shape_of(x), widths))
        inner = tuple(slice(int(b), int(b + n)) for n, (b, _) in zip(shape_of(x), widths))
        border = np.pad(
            np.zeros(shape_of(x), dtype=np.result_type(value_of(x))),
            widths,
            constant_values=constant_values,
        )
        return untake(x, index=inner, shape=padded) + border
    if mode in _COPY_MODES:
        if reflect_type != "even":
            raise NotImplementedError(
                f"pad: reflect_type={reflect_type!r} is not supported (only 'even', which "
                f"copies elements)"
            )
        kwargs = {"reflect_type": reflect_type} if mode in ("reflect", "symmetric") else {}
        return _gather(x, np.pad, widths, mode=mode, **kwargs)
    raise NotImplementedError(
        f"pad: mode={mode!r} is not supported; use one of 'constant', "
        f"{', '.join(repr(m) for m in _COPY_MODES)}"
    )
