"""Make tracers behave like numpy arrays: operators, methods and numpy interop.

``x * y``, ``x @ W``, ``x[0]``, ``x.sum()``, ``-x``, ``x ** 2`` on a traced value
call the library's primitives. ``y += x`` builds a new value (tracers define no
in-place operators, so Python falls back to ``y = y + x``): the input is never
mutated, as in JAX.

A plain numpy function applied to a tracer (``np.sin(x)``) cannot see the
derivative, so it raises an error that names the ``anp`` replacement. The one
exception is numpy's arithmetic ufuncs, which numpy also calls for
``ndarray + tracer``: those are routed to our primitives.
"""

from __future__ import annotations

import numpy as np

from .core import Tracer, bind, dtype_of, shape_of, value_of
from .errors import NumpyOnTracerError
from .primitives import arithmetic as ar
from .primitives import complex as cx
from .primitives import elementwise as el
from .primitives import linalg, reductions, shapes

_UFUNCS = {
    np.add: ar.add,
    np.subtract: ar.subtract,
    np.multiply: ar.multiply,
    np.divide: ar.divide,
    np.power: ar.power,
    np.matmul: linalg.matmul,
    np.negative: el.negative,
    np.conjugate: cx.conj,
    np.greater: ar.greater,
    np.greater_equal: ar.greater_equal,
    np.less: ar.less,
    np.less_equal: ar.less_equal,
    np.equal: ar.equal,
    np.not_equal: ar.not_equal,
}


_NO_PARAMS: dict = {}  # shared by every operator call; nothing ever modifies a call's params


def _suggest(name: str) -> str:
    from . import numpy as anp

    if hasattr(anp, name):
        return f"Use autodiff_lite.numpy.{name} (anp.{name}) instead."
    return "autodiff_lite.numpy has no equivalent; write it with anp primitives or ad.custom_vjp."


def _array_ufunc(self, ufunc, method, *inputs, **kwargs):
    if method == "__call__" and ufunc in _UFUNCS and not kwargs:
        return _UFUNCS[ufunc](*inputs)
    name = ufunc.__name__ if method == "__call__" else f"{ufunc.__name__}.{method}"
    raise NumpyOnTracerError(
        f"numpy.{name} was applied to a traced value, and numpy cannot follow derivatives. "
        + _suggest(ufunc.__name__)
    )


def _array_function(self, func, types, args, kwargs):
    raise NumpyOnTracerError(
        f"numpy.{func.__name__} was applied to a traced value, and numpy cannot follow "
        f"derivatives. " + _suggest(func.__name__)
    )


def _array(self, dtype=None, copy=None):
    raise NumpyOnTracerError(
        "a traced value was converted to a plain numpy array (np.asarray, np.array, or a "
        "numpy function), which would lose its derivative. Use autodiff_lite.numpy (anp) "
        "functions inside differentiated code, or ad.stop_gradient(x) if you mean a constant."
    )


def _no_conversion(kind):
    def convert(self):
        raise NumpyOnTracerError(
            f"{kind}() of a traced value would lose its derivative. Keep it an array inside "
            f"the differentiated function; for a plain number without derivative use "
            f"ad.stop_gradient(x)."
        )

    return convert


def _iter(self):
    n = len(self)
    return (shapes.getitem(self, i) for i in range(n))


def _len(self):
    s = shape_of(self)
    if not s:
        raise TypeError("len() of a 0-d traced value")
    return s[0]


def _reshape(self, *shape):
    return shapes.reshape(self, shape[0] if len(shape) == 1 else shape)


def _transpose(self, *axes):
    if len(axes) == 1 and not isinstance(axes[0], int):
        axes = axes[0]
    return shapes.transpose(self, axes or None)


def install(cls=Tracer):
    """Give ``cls`` the numpy array interface on top of our primitives."""
    binary = {
        "add": ar.add,
        "sub": ar.subtract,
        "mul": ar.multiply,
        "truediv": ar.divide,
        "pow": ar.power,
        "matmul": linalg.matmul,
        "floordiv": ar.floor_divide,
    }
    # Speed: arithmetic operators call bind() directly, one Python call fewer per operation
    # than going through Primitive.__call__ (it matters in long chains of scalar operations).
    for name, f in binary.items():
        setattr(cls, f"__{name}__", lambda self, other, f=f: bind(f, (self, other), _NO_PARAMS))
        setattr(cls, f"__r{name}__", lambda self, other, f=f: bind(f, (other, self), _NO_PARAMS))
    for name, f in {
        "lt": ar.less,
        "le": ar.less_equal,
        "gt": ar.greater,
        "ge": ar.greater_equal,
        "eq": ar.equal,
        "ne": ar.not_equal,
    }.items():
        setattr(cls, f"__{name}__", lambda self, other, f=f: f(self, other))
    cls.__hash__ = object.__hash__
    cls.__neg__ = lambda self: el.negative(self)
    cls.__pos__ = lambda self: self
    cls.__abs__ = lambda self: el.abs(self)
    cls.__getitem__ = lambda self, index: shapes.getitem(self, index)
    cls.__setitem__ = shapes._setitem_error
    cls.__len__ = _len
    cls.__iter__ = _iter
    cls.__bool__ = lambda self: bool(value_of(self))
    cls.__float__ = _no_conversion("float")
    cls.__int__ = _no_conversion("int")
    cls.__complex__ = _no_conversion("complex")
    cls.__array_ufunc__ = _array_ufunc
    cls.__array_function__ = _array_function
    cls.__array__ = _array
    cls.shape = property(shape_of)
    cls.dtype = property(dtype_of)
    cls.ndim = property(lambda self: len(shape_of(self)))
    cls.size = property(lambda self: int(np.prod(shape_of(self))))
    cls.T = property(lambda self: shapes.transpose(self))
    cls.mT = property(lambda self: shapes.swapaxes(self, -1, -2))
    cls.real = property(lambda self: cx.real(self))
    cls.imag = property(lambda self: cx.imag(self))
    cls.conj = cls.conjugate = lambda self: cx.conj(self)
    cls.reshape = _reshape
    cls.transpose = _transpose
    cls.ravel = cls.flatten = lambda self: shapes.ravel(self)
    cls.squeeze = lambda self, axis=None: shapes.squeeze(self, axis)
    cls.swapaxes = lambda self, a, b: shapes.swapaxes(self, a, b)
    cls.astype = lambda self, dtype: shapes.astype(self, dtype)
    cls.dot = lambda self, other: linalg.dot(self, other)
    cls.clip = lambda self, a_min=None, a_max=None: ar.clip(self, a_min, a_max)
    for name in ("sum", "mean", "prod", "max", "min", "var", "std", "cumsum"):
        f = getattr(reductions, name)
        setattr(cls, name, lambda self, *args, f=f, **kwargs: f(self, *args, **kwargs))


install()
