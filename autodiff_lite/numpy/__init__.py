"""A numpy-like namespace of differentiable functions: ``import autodiff_lite.numpy as anp``.

Write numerical code with ``anp`` where you would write ``np`` (or ``jnp``), and
it can be differentiated by ``ad.grad`` and friends. Everything here is either a
primitive from the table (:mod:`autodiff_lite.primitives`) or a few lines built
from primitives, so its derivatives follow automatically.

Outside a transform the functions return plain numpy arrays.

What it covers: the numpy surface that HIPS autograd differentiates (its
``autograd.numpy`` wrapper and VJP tables), for real arrays, with autograd's and JAX's
conventions at kinks and ties (each rule's docstring says which). The functions come
from four places:

- primitives with their own rules (:mod:`autodiff_lite.primitives`: elementwise,
  arithmetic, reductions, shapes, linear algebra);
- functions that move, copy, join or split elements, built from primitives
  (:mod:`._arrays`: ``roll``, ``tile``, ``pad``, ``split``, ``diag``...; :mod:`._sorting`:
  ``sort``, ``partition``, ``take_along_axis``; :mod:`._products`: ``tensordot``,
  ``kron``, ``cross``);
- numerical functions built from primitives (:mod:`._math`: ``logaddexp``,
  ``nan_to_num``, ``cumprod``, ``gradient``, ``trapezoid``...);
- functions whose result carries no derivative (:mod:`._constant`: ``all``, ``isinf``,
  ``nonzero``, ``searchsorted``..., and the constructors below).

A numpy function that is in none of them raises ``NumpyOnTracerError`` when it meets a
traced value, naming the function; write it with ``anp`` functions or ``ad.custom_vjp``.
"""

from __future__ import annotations

import numpy as _np

from ..core import Tracer as _Tracer
from ..core import value_of as _value_of
from ..primitives.arithmetic import (
    add,
    arctan2,
    argmax,
    argmin,
    argsort,
    clip,
    divide,
    equal,
    floor_divide,
    fmod,
    greater,
    greater_equal,
    less,
    less_equal,
    logical_and,
    logical_not,
    logical_or,
    maximum,
    minimum,
    mod,
    multiply,
    not_equal,
    power,
    remainder,
    subtract,
    true_divide,
    where,
)
from ..primitives.broadcasting import broadcast_to
from ..primitives.complex import angle, conj, conjugate, imag, real
from ..primitives.elementwise import (
    abs,
    absolute,
    arccos,
    arccosh,
    arcsin,
    arcsinh,
    arctan,
    arctanh,
    cbrt,
    ceil,
    cos,
    cosh,
    deg2rad,
    degrees,
    exp,
    exp2,
    expm1,
    fabs,
    fix,
    floor,
    isfinite,
    isnan,
    log,
    log1p,
    log2,
    log10,
    negative,
    positive,
    rad2deg,
    radians,
    reciprocal,
    rint,
    round,
    sign,
    sin,
    sinc,
    sinh,
    sqrt,
    square,
    stop_gradient,
    tan,
    tanh,
    trunc,
)
from ..primitives.linalg import dot, einsum, inner, matmul, outer, trace, vdot
from ..primitives.reductions import (
    amax,
    amin,
    cumsum,
    logsumexp,
    max,
    mean,
    min,
    prod,
    std,
    sum,
    var,
)
from ..primitives.shapes import (
    astype,
    concatenate,
    expand_dims,
    flip,
    moveaxis,
    ravel,
    reshape,
    squeeze,
    stack,
    swapaxes,
    transpose,
)
from . import linalg
from ._arrays import (
    append,
    array_split,
    atleast_1d,
    atleast_2d,
    atleast_3d,
    broadcast_arrays,
    column_stack,
    diag,
    diagflat,
    diagonal,
    dsplit,
    dstack,
    fliplr,
    flipud,
    hsplit,
    hstack,
    pad,
    repeat,
    roll,
    rollaxis,
    rot90,
    row_stack,
    split,
    tile,
    tril,
    triu,
    vsplit,
    vstack,
)
from ._constant import (
    all,
    allclose,
    any,
    argpartition,
    argwhere,
    array_equal,
    array_equiv,
    count_nonzero,
    diag_indices,
    empty_like,
    flatnonzero,
    indices,
    isclose,
    iscomplexobj,
    isinf,
    isneginf,
    isposinf,
    isreal,
    isscalar,
    logical_xor,
    nonzero,
    result_type,
    searchsorted,
    signbit,
    tril_indices,
    triu_indices,
)
from ._math import (
    average,
    cumprod,
    fmax,
    fmin,
    gradient,
    hypot,
    linspace,
    logaddexp,
    logaddexp2,
    nan_to_num,
    nanmean,
    nansum,
    ptp,
    select,
    trapezoid,
    trapz,
)
from ._products import cross, kron, tensordot
from ._sorting import partition, sort, take, take_along_axis

# numpy 2's array-API spellings of the same functions.
acos, acosh, asin, asinh, atan, atanh, atan2 = (
    arccos,
    arccosh,
    arcsin,
    arcsinh,
    arctan,
    arctanh,
    arctan2,
)
pow, permute_dims = power, transpose

# Constants and dtypes, so that `anp.pi` and `anp.float32` work as with numpy.
pi, e, inf, nan, newaxis = _np.pi, _np.e, _np.inf, _np.nan, _np.newaxis
float32, float64, int32, int64, bool_ = _np.float32, _np.float64, _np.int32, _np.int64, _np.bool_
complex64, complex128 = _np.complex64, _np.complex128
ndarray = _np.ndarray


# --- constructors: constants, so they need no derivative -------------------------


def zeros_like(x, dtype=None):
    return _np.zeros_like(_value_of(x), dtype=dtype)


def ones_like(x, dtype=None):
    return _np.ones_like(_value_of(x), dtype=dtype)


def full_like(x, fill_value, dtype=None):
    """Like ``np.full_like``; a traced ``fill_value`` keeps its derivative (as in autograd)."""
    return full(
        shape(x), fill_value, dtype=_np.result_type(_value_of(x)) if dtype is None else dtype
    )


def full(shape, fill_value, dtype=None):
    """Like ``np.full``; a traced ``fill_value`` keeps its derivative (as in autograd)."""
    if isinstance(fill_value, _Tracer):
        shape = (shape,) if isinstance(shape, (int, _np.integer)) else tuple(shape)
        value = fill_value if dtype is None else astype(fill_value, dtype)
        return broadcast_to(value, shape)
    return _np.full(shape, fill_value, dtype=dtype)


zeros, ones, empty = _np.zeros, _np.ones, _np.empty
eye, identity, arange, logspace = _np.eye, _np.identity, _np.arange, _np.logspace
meshgrid = _np.meshgrid


def _contains_tracer(x):
    if isinstance(x, _Tracer):
        return True
    if isinstance(x, (list, tuple)):
        return any(_contains_tracer(i) for i in x)
    return False


def array(obj, dtype=None):
    """Like ``np.array``; a (nested) list holding traced values is stacked, keeping derivatives."""
    if isinstance(obj, _Tracer):
        return obj if dtype is None else astype(obj, dtype)
    if isinstance(obj, (list, tuple)) and _contains_tracer(obj):
        out = stack([array(i) for i in obj])
        return out if dtype is None else astype(out, dtype)
    return _np.array(obj, dtype=dtype)


def asarray(obj, dtype=None):
    if isinstance(obj, _Tracer) or (isinstance(obj, (list, tuple)) and _contains_tracer(obj)):
        return array(obj, dtype)
    return _np.asarray(obj, dtype=dtype)


def diff(x, axis=-1):
    """First differences along ``axis``: x[1:] - x[:-1]."""
    ndim = len(x.shape) if isinstance(x, _Tracer) else _np.ndim(x)
    axis %= ndim
    head = (slice(None),) * axis
    return x[head + (slice(1, None),)] - x[head + (slice(None, -1),)]


def shape(x):
    return _np.shape(_value_of(x))


def ndim(x):
    return _np.ndim(_value_of(x))


def size(x):
    return _np.size(_value_of(x))
