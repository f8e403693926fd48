"""Arithmetic with numpy broadcasting, comparisons, and selection.

Every binary rule ends in ``unbroadcast(..., x)``: if ``x`` was broadcast
to the output shape in the forward pass, its cotangent is summed back to
``x``'s own shape (see :mod:`.broadcasting`). JVP rules need no such care: the
engine broadcasts each tangent to the output shape.

Conventions at non-differentiable points (as in JAX):
``maximum``/``minimum`` give half the derivative to each argument where they tie;
``x ** y`` has d/dy = 0 where x == 0 (as in JAX) and d/dx = 0 at x == y == 0 (as in
PyTorch; JAX gives nan there).

Complex arguments: ``add``, ``subtract``, ``multiply``, ``divide``, ``power`` and ``where``
take them with the rules as written (they are holomorphic; see :mod:`.complex`). The
functions defined by the order of real numbers (``maximum``, ``minimum``, ``arctan2``, the
comparisons ``<``, ``<=``, ``>``, ``>=``, ``floor_divide``, ``argmax``, ``argmin``,
``argsort``) refuse them; ``equal`` and ``not_equal`` accept them.
"""

from __future__ import annotations

import operator

import numpy as np

from .. import domains
from ..core import ZERO, Primitive, dtype_of, value_of
from .broadcasting import unbroadcast
from .complex import refuse_complex
from .elementwise import log, nondifferentiable

R, P, NZ = domains.REAL, domains.POSITIVE, domains.NONZERO
_BINARY_SHAPES = [
    (((), ()), {}),
    (((3,), (3,)), {}),
    (((2, 3), (3,)), {}),
    (((2, 1), (1, 3)), {}),
    (((), (2, 3)), {}),
]


def binary(name, impl, jvps, vjps, domain=(R, R), **needs):
    return Primitive(name, impl, jvps, vjps, domains=domain, cases=_BINARY_SHAPES, **needs)


add = binary(
    "add",
    np.add,
    jvps=(lambda x_dot, ans, x, y: x_dot, lambda y_dot, ans, x, y: y_dot),
    vjps=(lambda g, ans, x, y: unbroadcast(g, x), lambda g, ans, x, y: unbroadcast(g, y)),
    vjp_needs_inputs=False,  # memory: the tape keeps shapes only (see Primitive)
    vjp_needs_output=False,
)

subtract = binary(
    "subtract",
    np.subtract,
    jvps=(lambda x_dot, ans, x, y: x_dot, lambda y_dot, ans, x, y: -y_dot),
    vjps=(lambda g, ans, x, y: unbroadcast(g, x), lambda g, ans, x, y: unbroadcast(-g, y)),
    vjp_needs_inputs=False,
    vjp_needs_output=False,
)

multiply = binary(
    "multiply",
    np.multiply,
    jvps=(lambda x_dot, ans, x, y: x_dot * y, lambda y_dot, ans, x, y: x * y_dot),
    vjps=(
        lambda g, ans, x, y: unbroadcast(g * y, x),
        lambda g, ans, x, y: unbroadcast(x * g, y),
    ),
    vjp_needs_output=False,
)

divide = binary(
    "divide",
    np.divide,
    jvps=(lambda x_dot, ans, x, y: x_dot / y, lambda y_dot, ans, x, y: -y_dot * ans / y),
    vjps=(
        lambda g, ans, x, y: unbroadcast(g / y, x),
        lambda g, ans, x, y: unbroadcast(-g * ans / y, y),
    ),
    domain=(R, NZ),
)
true_divide = divide


def _pow_dx(ans, x, y):
    """d(x**y)/dx = y * x**(y - 1); at x == y == 0 we take 0 (x**0 is the constant 1).

    Only that one point is masked, so the y-derivative of this rule (the mixed
    second derivative y * x**(y-1) * log x + x**(y-1)) survives at y == 0.
    """
    both_zero = (np.asarray(value_of(x)) == 0) & (np.asarray(value_of(y)) == 0)
    if not np.any(both_zero):
        return y * x ** (y - 1.0)
    x_safe = where(both_zero, 1.0, x)  # avoid 0 ** -1 in the branch that is thrown away
    return where(both_zero, 0.0, y * x_safe ** (y - 1.0))


def _pow_dy(ans, x, y):
    """d(x**y)/dy = log(x) * x**y, and 0 where x == 0."""
    xv = np.asarray(value_of(x))
    if np.all(xv != 0):
        return log(x) * ans
    return where(xv == 0, 0.0, log(where(xv == 0, 1.0, x)) * ans)


power = binary(
    "power",
    np.power,
    jvps=(
        lambda x_dot, ans, x, y: x_dot * _pow_dx(ans, x, y),
        lambda y_dot, ans, x, y: y_dot * _pow_dy(ans, x, y),
    ),
    vjps=(
        lambda g, ans, x, y: unbroadcast(g * _pow_dx(ans, x, y), x),
        lambda g, ans, x, y: unbroadcast(g * _pow_dy(ans, x, y), y),
    ),
    domain=(P, R),
)


def _arctan2_denominator(y, x):
    return x * x + y * y


arctan2 = binary(
    "arctan2",
    refuse_complex("arctan2", np.arctan2),
    jvps=(
        lambda y_dot, ans, y, x: y_dot * x / _arctan2_denominator(y, x),
        lambda x_dot, ans, y, x: -x_dot * y / _arctan2_denominator(y, x),
    ),
    vjps=(
        lambda g, ans, y, x: unbroadcast(g * x / _arctan2_denominator(y, x), y),
        lambda g, ans, y, x: unbroadcast(-g * y / _arctan2_denominator(y, x), x),
    ),
    domain=(NZ, NZ),
)


def _max_share(x, y):
    """d maximum(x, y) / dx: 1 where x > y, 1/2 at ties, 0 elsewhere (a constant).

    Ties are rare, so the common case returns the boolean mask ``x > y`` itself;
    ``g * mask`` then converts it inside the multiplication (ReLU's derivative, once per
    layer of a network, makes no float array of ones and zeros).
    """
    xv, yv = value_of(x), value_of(y)
    wins = np.greater(xv, yv)
    ties = np.equal(xv, yv)
    if not ties.any():
        return wins
    dtype = np.result_type(dtype_of(x), dtype_of(y))
    return np.where(ties, 0.5, wins).astype(dtype)


def _max_share_fast(x, y):
    """:func:`_max_share`, with a fast path for two single float64 numbers.

    Fast path (measured: a scalar chain with ReLU, ``make bench``'s ``scalar`` workload,
    takes about 1.4x as long without it): numpy's comparisons and ``np.where`` cost
    microseconds of setup each, even for one number, while Python compares two numbers
    at once. Tracers and arrays take the plain definition.
    """
    if type(x) in _FLOAT_NUMBERS and type(y) in _FLOAT_NUMBERS:
        return 1.0 if x > y else 0.5 if x == y else 0.0
    return _max_share(x, y)


_FLOAT_NUMBERS = (float, np.float64)


maximum = binary(
    "maximum",
    refuse_complex("maximum", np.maximum),
    jvps=(
        lambda x_dot, ans, x, y: x_dot * _max_share_fast(x, y),
        lambda y_dot, ans, x, y: y_dot * _max_share_fast(y, x),
    ),
    vjps=(
        lambda g, ans, x, y: unbroadcast(g * _max_share_fast(x, y), x),
        lambda g, ans, x, y: unbroadcast(g * _max_share_fast(y, x), y),
    ),
    vjp_needs_output=False,
)

minimum = binary(
    "minimum",
    refuse_complex("minimum", np.minimum),
    jvps=(
        lambda x_dot, ans, x, y: x_dot * _max_share_fast(y, x),
        lambda y_dot, ans, x, y: y_dot * _max_share_fast(x, y),
    ),
    vjps=(
        lambda g, ans, x, y: unbroadcast(g * _max_share_fast(y, x), x),
        lambda g, ans, x, y: unbroadcast(g * _max_share_fast(x, y), y),
    ),
    vjp_needs_output=False,
)


def clip(x, a_min=None, a_max=None):
    """Clip to [a_min, a_max]; at a boundary the derivative is 1/2, as in JAX."""
    if a_min is not None:
        x = maximum(x, a_min)
    if a_max is not None:
        x = minimum(x, a_max)
    return x


def _where_impl(condition, x, y):
    return np.where(condition, x, y)


where = Primitive(
    "where",
    _where_impl,
    jvps=(
        ZERO,
        lambda x_dot, ans, c, x, y: where(c, x_dot, 0.0),
        lambda y_dot, ans, c, x, y: where(c, 0.0, y_dot),
    ),
    vjps=(
        ZERO,
        lambda g, ans, c, x, y: unbroadcast(where(c, g, 0.0), x),
        lambda g, ans, c, x, y: unbroadcast(where(c, 0.0, g), y),
    ),
    domains=(domains.BOOL, R, R),
    cases=[(((3,), (3,), (3,)), {}), (((2, 3), (3,), (2, 1)), {})],
)


def _ordered(name):
    """A numpy function of the order of real numbers (refusing complex ones), not
    differentiable."""
    return nondifferentiable(name, refuse_complex(name, getattr(np, name)))


# Comparisons and logic: piecewise constant, so derivative zero (results are untraced).
greater = _ordered("greater")
greater_equal = _ordered("greater_equal")
less = _ordered("less")
less_equal = _ordered("less_equal")
equal = nondifferentiable("equal", np.equal)
not_equal = nondifferentiable("not_equal", np.not_equal)
logical_and = nondifferentiable("logical_and", np.logical_and)
logical_or = nondifferentiable("logical_or", np.logical_or)
logical_not = nondifferentiable("logical_not", np.logical_not)
floor_divide = _ordered("floor_divide")
argmax = _ordered("argmax")
argmin = _ordered("argmin")
argsort = _ordered("argsort")


# --- remainders (issue 15: autograd's numpy coverage) ---------------------------------------
# x mod y = x - q * y with an integer quotient q that is constant between the jumps: so
# d/dx = 1 and d/dy = -q (as in autograd, JAX and PyTorch). ``remainder`` (numpy's ``%``,
# the sign of y) takes q = floor(x / y); ``fmod`` (C's, the sign of x) q = trunc(x / y).
# At a jump (x / y an integer) q is still floor (or trunc) of x / y, as in JAX and
# PyTorch; finite differences cannot check a jump, so tests sample away from them.


def _floor_quotient(x, y):
    """floor(x / y), a constant to every trace (it is piecewise constant)."""
    return np.floor(np.divide(value_of(x), value_of(y)))


def _trunc_quotient(x, y):
    return np.trunc(np.divide(value_of(x), value_of(y)))


def _remainder_rule(quotient):
    return (
        (lambda x_dot, ans, x, y: x_dot, lambda y_dot, ans, x, y: -y_dot * quotient(x, y)),
        (
            lambda g, ans, x, y: unbroadcast(g, x),
            lambda g, ans, x, y: unbroadcast(-g * quotient(x, y), y),
        ),
    )


remainder = binary("remainder", np.remainder, *_remainder_rule(_floor_quotient), domain=(R, NZ))
mod = remainder
fmod = binary("fmod", np.fmod, *_remainder_rule(_trunc_quotient), domain=(R, NZ))


# --- fast path: arithmetic on single numbers ------------------------------------------
# Measured: the ``scalar`` workload of ``make bench`` (a chain of 200 operations on one
# number) takes about 1.15x as long without it. A numpy ufunc spends about a microsecond
# on setup even for one number, while Python's operator on a numpy float64 takes a tenth
# of that and gives the same result (numpy's scalar arithmetic: the same rounding, and inf
# or nan with a warning where Python would raise ZeroDivisionError). So the primitives
# above keep their ufunc as the definition, and for a float64 pair (at least one of them
# numpy's: two Python floats would follow Python's rules) the operator is used instead.


def _with_number_fast_path(ufunc, op):
    """``ufunc``, computed by the Python operator ``op`` when both arguments are float64
    numbers and at least one is numpy's."""

    def impl(x, y):
        tx, ty = type(x), type(y)
        if tx is np.float64 and (ty is np.float64 or ty is float):
            return op(x, y)
        if ty is np.float64 and tx is float:
            return op(x, y)
        return ufunc(x, y)

    impl.__name__ = impl.__qualname__ = ufunc.__name__
    return impl


for _prim, _op in [
    (add, operator.add),
    (subtract, operator.sub),
    (multiply, operator.mul),
    (divide, operator.truediv),
    (power, operator.pow),
    (maximum, lambda x, y: np.float64(x if x >= y or x != x else y)),  # numpy's: nan wins
    (minimum, lambda x, y: np.float64(x if x <= y or x != x else y)),
]:
    _prim.impl = _with_number_fast_path(_prim.impl, _op)
