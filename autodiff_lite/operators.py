"""What numpy may do with a tracer: its arithmetic ufuncs, and nothing that loses the derivative.

:class:`~autodiff_lite.core.Tracer` defines the array interface in its class body; this
module holds the two tables it reads. Numpy calls ``__array_ufunc__`` for
``ndarray + tracer`` too, so the arithmetic ufuncs are routed to our primitives. Any other
numpy function applied to a tracer (``np.sin(x)``) cannot see the derivative, so it raises
an error that names the ``anp`` replacement; converting a tracer to a plain array or number
(``np.asarray(x)``, ``float(x)``) raises too.

The tracer's methods reach the primitive families through this module (``ar``, ``el``,
``linalg``, ``reductions``, ``shapes``), which :mod:`.core` imports last.
"""

from __future__ import annotations

import numpy as np

from .errors import NumpyOnTracerError
from .primitives import arithmetic as ar
from .primitives import elementwise as el
from .primitives import linalg, reductions, shapes

__all__ = ["ar", "el", "linalg", "reductions", "shapes", "UFUNCS", "array_ufunc"]

UFUNCS = {
    np.add: ar.add,
    np.subtract: ar.subtract,
    np.multiply: ar.multiply,
    np.divide: ar.divide,
    np.power: ar.power,
    np.matmul: linalg.matmul,
    np.negative: el.negative,
    np.greater: ar.greater,
    np.greater_equal: ar.greater_equal,
    np.less: ar.less,
    np.less_equal: ar.less_equal,
    np.equal: ar.equal,
    np.not_equal: ar.not_equal,
}
"""The numpy ufuncs that a tracer accepts, and the primitive each one becomes."""


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
