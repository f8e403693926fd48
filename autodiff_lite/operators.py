"""The array interface of tracers: operators, methods and numpy interop, on our primitives.

:class:`ArrayMethods` is the class body that :class:`~autodiff_lite.core.Tracer` inherits:
``x * y``, ``x @ W``, ``x[0]``, ``x.sum()``, ``-x``, ``x ** 2`` on a traced value call the
library's primitives. ``y += x`` builds a new value (no in-place operators are defined,
so Python falls back to ``y = y + x``): the input is never mutated, as in JAX.

Numpy calls ``__array_ufunc__`` for ``ndarray + tracer`` too, so the arithmetic ufuncs are
routed to our primitives. Any other
numpy function applied to a tracer (``np.sin(x)``) cannot see the derivative, so it raises
an error that names the ``anp`` replacement; converting a tracer to a plain array or number
(``np.asarray(x)``, ``float(x)``) raises too.

This module imports the primitive families, which are declared with :mod:`.core`'s
machinery; :mod:`.core` therefore imports it last, after everything the families use.
"""

from __future__ import annotations

import numpy as np

from .core import bind, dtype_of, shape_of, value_of
from .errors import NumpyOnTracerError
from .primitives import arithmetic as ar
from .primitives import complex as cx
from .primitives import elementwise as el
from .primitives import linalg, reductions, shapes

__all__ = ["ArrayMethods", "UFUNCS"]

UFUNCS = {
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
"""The numpy ufuncs that a tracer accepts, and the primitive each one becomes."""

_NO_PARAMS: dict = {}  # shared by every operator call; nothing ever modifies a call's params


def _suggest(name: str) -> str:
    from . import numpy as anp  # the numpy wrapper imports the library: import it late

    if hasattr(anp, name):
        return f"Use autodiff_lite.numpy.{name} (anp.{name}) instead."
    return "autodiff_lite.numpy has no equivalent; write it with anp primitives or ad.custom_vjp."


def array_ufunc(ufunc, method: str, inputs: tuple, kwargs: dict):
    """``Tracer.__array_ufunc__``: an arithmetic ufunc becomes its primitive; others refuse."""
    if method == "__call__" and ufunc in UFUNCS and not kwargs:
        return UFUNCS[ufunc](*inputs)
    name = ufunc.__name__ if method == "__call__" else f"{ufunc.__name__}.{method}"
    raise NumpyOnTracerError(
        f"numpy.{name} was applied to a traced value, and numpy cannot follow derivatives. "
        + _suggest(ufunc.__name__)
    )


def refuse_numpy_function(func):
    """``Tracer.__array_function__``: numpy functions cannot follow derivatives."""
    raise NumpyOnTracerError(
        f"numpy.{func.__name__} was applied to a traced value, and numpy cannot follow "
        f"derivatives. " + _suggest(func.__name__)
    )


def refuse_conversion(kind: str):
    """``np.asarray``, ``float`` or ``int`` of a tracer: the derivative would be lost."""
    if kind == "np.asarray":
        raise NumpyOnTracerError(
            "a traced value was converted to a plain numpy array (np.asarray, np.array, or a "
            "numpy function), which would lose its derivative. Use autodiff_lite.numpy (anp) "
            "functions inside differentiated code, or ad.stop_gradient(x) if you mean a "
            "constant."
        )
    raise NumpyOnTracerError(
        f"{kind}() of a traced value would lose its derivative. Keep it an array inside "
        f"the differentiated function; for a plain number without derivative use "
        f"ad.stop_gradient(x)."
    )


class ArrayMethods:
    """What makes a tracer look like a numpy array; see the module docstring."""

    __slots__ = ()
    __array_priority__ = 1000
    __hash__ = object.__hash__  # defining __eq__ would otherwise remove it

    # --- arithmetic and comparisons
    # Fast path: the operators call ``bind`` themselves, one Python call fewer per
    # operation than ``ar.add(self, other)`` (measured: 7-10% of the ``scalar`` workload of
    # ``make bench``, a chain of operators on one number).
    def __add__(self, other):
        return bind(ar.add, (self, other), _NO_PARAMS)

    def __radd__(self, other):
        return bind(ar.add, (other, self), _NO_PARAMS)

    def __sub__(self, other):
        return bind(ar.subtract, (self, other), _NO_PARAMS)

    def __rsub__(self, other):
        return bind(ar.subtract, (other, self), _NO_PARAMS)

    def __mul__(self, other):
        return bind(ar.multiply, (self, other), _NO_PARAMS)

    def __rmul__(self, other):
        return bind(ar.multiply, (other, self), _NO_PARAMS)

    def __truediv__(self, other):
        return bind(ar.divide, (self, other), _NO_PARAMS)

    def __rtruediv__(self, other):
        return bind(ar.divide, (other, self), _NO_PARAMS)

    def __floordiv__(self, other):
        return bind(ar.floor_divide, (self, other), _NO_PARAMS)

    def __rfloordiv__(self, other):
        return bind(ar.floor_divide, (other, self), _NO_PARAMS)

    def __pow__(self, other):
        return bind(ar.power, (self, other), _NO_PARAMS)

    def __rpow__(self, other):
        return bind(ar.power, (other, self), _NO_PARAMS)

    def __matmul__(self, other):
        return bind(linalg.matmul, (self, other), _NO_PARAMS)

    def __rmatmul__(self, other):
        return bind(linalg.matmul, (other, self), _NO_PARAMS)

    def __neg__(self):
        return el.negative(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return el.abs(self)

    def __lt__(self, other):
        return ar.less(self, other)

    def __le__(self, other):
        return ar.less_equal(self, other)

    def __gt__(self, other):
        return ar.greater(self, other)

    def __ge__(self, other):
        return ar.greater_equal(self, other)

    def __eq__(self, other):
        return ar.equal(self, other)

    def __ne__(self, other):
        return ar.not_equal(self, other)

    # --- shape, indexing and iteration
    shape = property(lambda self: shape_of(self))
    dtype = property(lambda self: dtype_of(self))
    ndim = property(lambda self: len(shape_of(self)))
    size = property(lambda self: int(np.prod(shape_of(self))))
    T = property(lambda self: shapes.transpose(self))
    mT = property(lambda self: shapes.swapaxes(self, -1, -2))

    # --- complex numbers (see primitives/complex.py for the convention)
    real = property(lambda self: cx.real(self))
    imag = property(lambda self: cx.imag(self))

    def conj(self):
        return cx.conj(self)

    conjugate = conj

    def __getitem__(self, index):
        return shapes.getitem(self, index)

    def __setitem__(self, index, value):
        shapes._setitem_error(self, index, value)

    def __len__(self):
        s = shape_of(self)
        if not s:
            raise TypeError("len() of a 0-d traced value")
        return s[0]

    def __iter__(self):
        return (shapes.getitem(self, i) for i in range(len(self)))

    def reshape(self, *shape):
        return shapes.reshape(self, shape[0] if len(shape) == 1 else shape)

    def transpose(self, *axes):
        if len(axes) == 1 and not isinstance(axes[0], int):
            axes = axes[0]
        return shapes.transpose(self, axes or None)

    def ravel(self):
        return shapes.ravel(self)

    flatten = ravel

    def squeeze(self, axis=None):
        return shapes.squeeze(self, axis)

    def swapaxes(self, a, b):
        return shapes.swapaxes(self, a, b)

    def astype(self, dtype):
        return shapes.astype(self, dtype)

    # --- the array methods that are primitives or functions of the table
    def dot(self, other):
        return linalg.dot(self, other)

    def clip(self, a_min=None, a_max=None):
        return ar.clip(self, a_min, a_max)

    def sum(self, *args, **kwargs):
        return reductions.sum(self, *args, **kwargs)

    def mean(self, *args, **kwargs):
        return reductions.mean(self, *args, **kwargs)

    def prod(self, *args, **kwargs):
        return reductions.prod(self, *args, **kwargs)

    def max(self, *args, **kwargs):
        return reductions.max(self, *args, **kwargs)

    def min(self, *args, **kwargs):
        return reductions.min(self, *args, **kwargs)

    def var(self, *args, **kwargs):
        return reductions.var(self, *args, **kwargs)

    def std(self, *args, **kwargs):
        return reductions.std(self, *args, **kwargs)

    def cumsum(self, *args, **kwargs):
        return reductions.cumsum(self, *args, **kwargs)

    # --- numpy interop: route arithmetic ufuncs, refuse what would lose the derivative
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return array_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        refuse_numpy_function(func)

    def __array__(self, dtype=None, copy=None):
        refuse_conversion("np.asarray")

    def __bool__(self):
        return bool(value_of(self))  # control flow on a value: allowed, as in autograd

    def __float__(self):
        refuse_conversion("float")

    def __int__(self):
        refuse_conversion("int")

    def __complex__(self):
        refuse_conversion("complex")
