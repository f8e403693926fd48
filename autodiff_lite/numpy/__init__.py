"""A numpy-like namespace of differentiable functions: ``import autodiff_lite.numpy as anp``.

Write numerical code with ``anp`` where you would write ``np`` (or ``jnp``), and
it can be differentiated by ``ad.grad`` and friends. Everything here is either a
primitive from the table (:mod:`autodiff_lite.primitives`) or a few lines built
from primitives, so its derivatives follow automatically.

Outside a transform the functions return plain numpy arrays.
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
    greater,
    greater_equal,
    less,
    less_equal,
    logical_and,
    logical_not,
    logical_or,
    maximum,
    minimum,
    multiply,
    not_equal,
    power,
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
    arcsin,
    arctan,
    ceil,
    cos,
    cosh,
    exp,
    exp2,
    expm1,
    floor,
    isfinite,
    isnan,
    log,
    log1p,
    log2,
    log10,
    negative,
    reciprocal,
    round,
    sign,
    sin,
    sinh,
    sqrt,
    square,
    stop_gradient,
    tan,
    tanh,
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
    return _np.full_like(_value_of(x), fill_value, dtype=dtype)


zeros, ones, full, empty = _np.zeros, _np.ones, _np.full, _np.empty
eye, identity, arange, linspace, logspace = (
    _np.eye,
    _np.identity,
    _np.arange,
    _np.linspace,
    _np.logspace,
)
meshgrid, tril, triu = _np.meshgrid, _np.tril, _np.triu


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
