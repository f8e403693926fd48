"""Primitives that move values around without arithmetic.

All of these are *linear*, so each JVP rule applies the same operation to the
tangent, and each VJP rule applies the transpose operation to the cotangent:
the transpose of a reshape is the reverse reshape, of a transpose the inverse
permutation, of indexing a scatter-add (``untake``), of concatenation slicing.
"""

from __future__ import annotations

import numpy as np

from .. import core, domains
from ..core import Primitive, dtype_of, shape_of, value_of
from .complex import real

R = domains.REAL


# --- reshape and transpose --------------------------------------------------

reshape_p = Primitive(
    "reshape",
    lambda x, shape: np.reshape(x, shape),
    jvps=(lambda x_dot, ans, x, shape: reshape_p(x_dot, shape=shape),),
    vjps=(lambda g, ans, x, shape: reshape_p(g, shape=shape_of(x)),),
    domains=(R,),
    cases=[(((2, 3),), {"shape": (3, 2)}), (((6,),), {"shape": (2, 3)})],
    vjp_needs_inputs=False,
    vjp_needs_output=False,
)


def reshape(x, shape, *more):
    """``anp.reshape(x, (2, 3))``; ``-1`` infers one length, as in numpy."""
    if more or isinstance(shape, (int, np.integer)):
        shape = (shape, *more)
    shape = tuple(int(n) for n in shape)
    if -1 in shape:
        shape = np.empty(shape_of(x), dtype=np.bool_).reshape(shape).shape
    if shape == shape_of(x):
        return x
    return reshape_p(x, shape=shape)


def _inverse_permutation(axes):
    return tuple(int(i) for i in np.argsort(axes))


transpose_p = Primitive(
    "transpose",
    lambda x, axes: np.transpose(x, axes),
    jvps=(lambda x_dot, ans, x, axes: transpose_p(x_dot, axes=axes),),
    vjps=(lambda g, ans, x, axes: transpose_p(g, axes=_inverse_permutation(axes)),),
    domains=(R,),
    cases=[(((2, 3),), {"axes": (1, 0)}), (((2, 3, 4),), {"axes": (2, 0, 1)})],
    vjp_needs_inputs=False,
    vjp_needs_output=False,
)


def transpose(x, axes=None):
    """Permute axes; with no ``axes``, reverse them (``x.T``)."""
    ndim = len(shape_of(x))
    axes = tuple(reversed(range(ndim))) if axes is None else tuple(a % ndim for a in axes)
    if axes == tuple(range(ndim)):
        return x
    return transpose_p(x, axes=axes)


def swapaxes(x, axis1, axis2):
    axes = list(range(len(shape_of(x))))
    axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
    return transpose(x, axes)


def moveaxis(x, source, destination):
    ndim = len(shape_of(x))
    axes = [a for a in range(ndim) if a != source % ndim]
    axes.insert(destination % ndim, source % ndim)
    return transpose(x, axes)


def expand_dims(x, axis):
    shape = list(shape_of(x))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    ndim = len(shape) + len(axes)
    for a in sorted(a % ndim for a in axes):
        shape.insert(a, 1)
    return reshape(x, tuple(shape))


def squeeze(x, axis=None):
    shape = shape_of(x)
    if axis is None:
        axes = {i for i, n in enumerate(shape) if n == 1}
    else:
        axes = {a % len(shape) for a in ((axis,) if isinstance(axis, int) else axis)}
        bad = [a for a in axes if shape[a] != 1]
        if bad:
            raise ValueError(f"squeeze: axis {bad[0]} has length {shape[bad[0]]}, not 1")
    return reshape(x, tuple(n for i, n in enumerate(shape) if i not in axes))


def ravel(x):
    return reshape(x, (-1,))


# --- dtype --------------------------------------------------------------------

astype_p = Primitive(
    "astype",
    lambda x, dtype: np.asarray(x).astype(dtype),
    jvps=(lambda x_dot, ans, x, dtype: astype_p(x_dot, dtype=dtype),),
    vjps=(lambda g, ans, x, dtype: astype(g, dtype_of(x)),),  # astype: complex to real
    domains=(R,),
    cases=[(((3,),), {"dtype": np.float64})],
)


def astype(x, dtype):
    """``x`` converted to ``dtype``. Complex to real keeps the real part, as JAX's conversion
    does (numpy warns): the engine relies on it, since the cotangent of a real value is the
    real part of a complex cotangent (see :mod:`.complex`)."""
    dtype = np.dtype(dtype)
    if not np.issubdtype(dtype, np.inexact) and isinstance(x, core.Tracer):
        from ..errors import DifferentiationError

        raise DifferentiationError(
            f"astype({dtype}) of a traced value would drop its derivative: only float "
            f"and complex dtypes can be differentiated. Use anp.floor/anp.round if you mean "
            f"to round, or ad.stop_gradient(x) to say the derivative is not needed."
        )
    if dtype.kind != "c" and dtype_of(x).kind == "c":
        x = real(x)
    return astype_p(x, dtype=dtype)


# --- indexing -------------------------------------------------------------------


def _untake_impl(g, index, shape):
    out = np.zeros(shape, dtype=np.result_type(g))
    if _is_basic(index):
        out[index] = g  # basic indices never repeat an element: plain assignment
    else:
        np.add.at(out, index, g)  # integer arrays may repeat: accumulate
    return out


def _is_basic(index):
    items = index if isinstance(index, tuple) else (index,)
    return all(i is None or i is Ellipsis or isinstance(i, (int, slice)) for i in items)


getitem_p = Primitive(
    "getitem",
    lambda x, index: np.asarray(x)[index],
    jvps=(lambda x_dot, ans, x, index: getitem_p(x_dot, index=index),),
    vjps=(lambda g, ans, x, index: untake(g, index=index, shape=shape_of(x)),),
    domains=(R,),
    cases=[
        (((4,),), {"index": 1}),
        (((3, 4),), {"index": (slice(None), slice(1, 3))}),
        (((5,),), {"index": np.array([0, 2, 2, 4])}),
        (((3, 4),), {"index": (np.array([0, 2]), np.array([1, 1]))}),
    ],
    vjp_needs_inputs=False,
    vjp_needs_output=False,
)

untake = Primitive(
    "untake",
    _untake_impl,
    jvps=(lambda g_dot, ans, g, index, shape: untake(g_dot, index=index, shape=shape),),
    vjps=(lambda ct, ans, g, index, shape: getitem_p(ct, index=index),),
    domains=(R,),
    cases=[(((2,),), {"index": np.array([1, 1]), "shape": (3,)})],
    vjp_needs_inputs=False,
    vjp_needs_output=False,
)


def getitem(x, index):
    """``x[index]`` for basic (ints, slices, None, ...) and integer-array indices."""
    index = _static_index(index)
    return getitem_p(x, index=index)


def _static_index(index):
    if isinstance(index, tuple):
        return tuple(_static_index(i) for i in index)
    if isinstance(index, list):
        index = np.asarray([value_of(i) for i in index])
    if isinstance(index, core.Tracer):
        value = value_of(index)
        if not np.issubdtype(np.result_type(value), np.integer) and value.dtype != bool:
            raise TypeError(
                f"arrays used as indices must be integers or booleans, got a traced "
                f"{np.result_type(value)} array"
            )
        index = value
    return index


def _setitem_error(self, index, value):
    raise TypeError(
        "traced arrays are immutable, as in JAX: `x[i] = v` is not supported inside a "
        "differentiated function. Build a new array instead, e.g. "
        "`anp.where(mask, v, x)` or `anp.concatenate([x[:i], v[None], x[i + 1:]])`."
    )


# --- joining ----------------------------------------------------------------------


def _offsets(arrays, axis):
    sizes = [shape_of(a)[axis] for a in arrays]
    return np.concatenate([[0], np.cumsum(sizes)]).astype(int)


def _concat_vjp(argnum):
    def rule(g, ans, *arrays, axis):
        start, stop = _offsets(arrays, axis)[argnum : argnum + 2]
        index = (slice(None),) * (axis % len(shape_of(ans))) + (slice(start, stop),)
        return getitem_p(g, index=index)

    return rule


def _concat_jvp(argnum):
    def rule(x_dot, ans, *arrays, axis):
        parts = [
            x_dot if i == argnum else np.zeros(shape_of(a), dtype_of(x_dot))
            for i, a in enumerate(arrays)
        ]
        return concatenate_p(*parts, axis=axis)

    return rule


concatenate_p = Primitive(
    "concatenate",
    lambda *arrays, axis: np.concatenate(arrays, axis=axis),
    jvps=_concat_jvp,
    vjps=_concat_vjp,
    domains=(R, R, R),
    cases=[(((2,), (3,), (1,)), {"axis": 0}), (((2, 3), (2, 1), (2, 2)), {"axis": 1})],
)


def concatenate(arrays, axis=0):
    arrays = list(arrays)
    if axis is None:
        arrays, axis = [ravel(a) for a in arrays], 0
    return concatenate_p(*arrays, axis=axis)


def stack(arrays, axis=0):
    arrays = list(arrays)
    if not arrays:
        raise ValueError("stack needs at least one array")
    ndim = len(shape_of(arrays[0])) + 1
    return concatenate([expand_dims(a, axis % ndim) for a in arrays], axis=axis % ndim)


def flip(x, axis=None):
    ndim = len(shape_of(x))
    axes = range(ndim) if axis is None else ((axis,) if isinstance(axis, int) else axis)
    index = [slice(None)] * ndim
    for a in axes:
        index[a % ndim] = slice(None, None, -1)
    return getitem_p(x, index=tuple(index))
