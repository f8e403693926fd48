"""Elementwise functions of one argument.

For y = f(x) applied element by element, the Jacobian is diagonal with
entries f'(x). Both modes therefore multiply by the same factor:
JVP ``y_dot = f'(x) * x_dot`` and VJP ``x_bar = f'(x) * g``. So each function
below is declared by its numpy implementation and its derivative
``df(ans, x)``, written with the library's own ops so it can be differentiated
again. ``ans`` is f(x), which is often the cheapest way to write f'(x).

Conventions at non-differentiable points (as in JAX):
``abs'(0) = 1``; ``sqrt'(0) = inf``; ``sign``, ``floor``, ``ceil``, ``round``
have derivative 0 everywhere.

Complex arguments: the functions here are holomorphic (``f'(z)`` is a complex number and
the rules hold as written) except ``abs``, whose rules for complex ``z`` are JAX's (see
:mod:`.complex`); ``sign``, ``floor``, ``ceil`` and ``round`` refuse complex numbers.
"""

from __future__ import annotations

import math

import numpy as np

from .. import domains
from ..core import Primitive, dtype_of, value_of
from .complex import conj, is_complex, real, refuse_complex

R, P, U, AM1 = domains.REAL, domains.POSITIVE, domains.INSIDE_UNIT, domains.ABOVE_MINUS_ONE
_SHAPES = [(((),), {}), (((3,),), {}), (((2, 3),), {})]


def elementwise(name, impl, df, domain=R):
    """Declare y = impl(x) with derivative ``df(ans, x)``."""
    return Primitive(
        name,
        impl,
        jvps=(lambda x_dot, ans, x: x_dot * df(ans, x),),
        vjps=(lambda g, ans, x: g * df(ans, x),),
        domains=(domain,),
        cases=_SHAPES,
    )


def nondifferentiable(name, impl):
    """A function whose derivative is zero wherever it exists (a step function)."""
    return Primitive(name, impl, differentiable=False, cases=_SHAPES, domains=(R,))


def _sign_of(x):
    """+1 where x >= 0 and -1 elsewhere, as a constant of x's dtype (for abs)."""
    v = value_of(x)
    return np.where(np.asarray(v) >= 0, 1, -1).astype(dtype_of(x))


negative = Primitive(
    "negative",
    np.negative,
    jvps=(lambda x_dot, ans, x: negative(x_dot),),
    vjps=(lambda g, ans, x: negative(g),),
    domains=(R,),
    cases=_SHAPES,
    vjp_needs_inputs=False,
    vjp_needs_output=False,
)

# name        numpy        derivative f'(x), from ans = f(x) and x          domain
exp = elementwise("exp", np.exp, lambda ans, x: ans)
log = elementwise("log", np.log, lambda ans, x: 1.0 / x, P)
log1p = elementwise("log1p", np.log1p, lambda ans, x: 1.0 / (1.0 + x), AM1)
expm1 = elementwise("expm1", np.expm1, lambda ans, x: ans + 1.0)
sqrt = elementwise("sqrt", np.sqrt, lambda ans, x: 0.5 / ans, P)
sin = elementwise("sin", np.sin, lambda ans, x: cos(x))
cos = elementwise("cos", np.cos, lambda ans, x: -sin(x))
tan = elementwise("tan", np.tan, lambda ans, x: 1.0 + ans * ans, U)
arcsin = elementwise("arcsin", np.arcsin, lambda ans, x: 1.0 / sqrt(1.0 - x * x), U)
arccos = elementwise("arccos", np.arccos, lambda ans, x: -1.0 / sqrt(1.0 - x * x), U)
arctan = elementwise("arctan", np.arctan, lambda ans, x: 1.0 / (1.0 + x * x))
sinh = elementwise("sinh", np.sinh, lambda ans, x: cosh(x))
cosh = elementwise("cosh", np.cosh, lambda ans, x: sinh(x))
tanh = elementwise("tanh", np.tanh, lambda ans, x: 1.0 - ans * ans)


def _abs_slope(ans, x):
    """The derivative factor of |x|: sign(x) for real x; conj(x) / |x| for complex x, where
    the JVP takes the real part (JAX's rules, 0 at x = 0; see :mod:`.complex`)."""
    if not is_complex(x):
        return _sign_of(x)
    at_zero = np.asarray(value_of(ans)) == 0
    return conj(x) / (ans + at_zero.astype(dtype_of(ans)))  # x / 1 = 0 where x = 0


abs = Primitive(
    "abs",
    np.abs,
    jvps=(
        lambda x_dot, ans, x: (
            real(x_dot * _abs_slope(ans, x)) if is_complex(x) else x_dot * _abs_slope(ans, x)
        ),
    ),
    vjps=(lambda g, ans, x: g * _abs_slope(ans, x),),
    domains=(domains.NONZERO,),
    cases=_SHAPES,
)
absolute = abs

_NO_ORDER = " (For the phase of z, use anp.angle; z / anp.abs(z) is sign(z) for z != 0.)"
sign = nondifferentiable("sign", refuse_complex("sign", np.sign, _NO_ORDER))
floor = nondifferentiable("floor", refuse_complex("floor", np.floor))
ceil = nondifferentiable("ceil", refuse_complex("ceil", np.ceil))
round = nondifferentiable("round", refuse_complex("round", np.round))
isfinite = nondifferentiable("isfinite", np.isfinite)
isnan = nondifferentiable("isnan", np.isnan)
stop_gradient = nondifferentiable("stop_gradient", lambda x: x)
# stop_gradient: the identity with derivative zero, a constant to every transform.


def square(x):
    return x * x


def reciprocal(x):
    return 1.0 / x


# Python floats, not numpy scalars: under numpy 2's promotion rules a float64 *scalar*
# would turn a float32 array into float64, and float32 must stay float32.
_LN2, _LN10 = math.log(2.0), math.log(10.0)


def log10(x):
    return log(x) / _LN10


def log2(x):
    return log(x) / _LN2


def exp2(x):
    return exp(x * _LN2)


# --- more of numpy's elementwise functions (issue 15: autograd's numpy coverage) ---------
# Same pattern as above: numpy function and derivative f'(x). Conventions follow autograd
# and JAX; where they differ at a singular point, the docstring of the section says so.


def _above_one(rng, shape):
    """arccosh is defined for x >= 1 and singular at 1: sample away from it."""
    return rng.uniform(1.2, 3.0, size=shape)


arcsinh = elementwise("arcsinh", np.arcsinh, lambda ans, x: 1.0 / sqrt(x * x + 1.0))
arccosh = elementwise("arccosh", np.arccosh, lambda ans, x: 1.0 / sqrt(x * x - 1.0), _above_one)
arctanh = elementwise("arctanh", np.arctanh, lambda ans, x: 1.0 / (1.0 - x * x), U)
# cbrt'(x) = 1 / (3 cbrt(x)^2): infinite at 0, like sqrt (JAX gives inf there too).
cbrt = elementwise("cbrt", np.cbrt, lambda ans, x: 1.0 / (3.0 * ans * ans), domains.NONZERO)


def _sinc_derivative(ans, x):
    """d/dx sin(pi x) / (pi x) = (cos(pi x) - sinc(x)) / x, and at x = 0 its limit 0.

    At 0 the rule returns ``-pi^2/3 * x`` (which is 0 there) so that its own derivative,
    sinc''(0) = -pi^2 / 3, is right too, as in JAX (which expands sinc in a series at 0);
    third and higher derivatives at exactly x = 0 are not. (PyTorch gives 0 for sinc''(0).)
    Tests sample away from 0 (NONZERO), where every order is right.
    """
    from .arithmetic import where

    at_zero = np.asarray(value_of(x)) == 0
    if not np.any(at_zero):
        return (cos(math.pi * x) - ans) / x
    x_safe = where(at_zero, 1.0, x)  # no 0/0 in the branch that is thrown away
    return where(at_zero, (-(math.pi**2) / 3.0) * x, (cos(math.pi * x_safe) - ans) / x_safe)


sinc = elementwise("sinc", np.sinc, _sinc_derivative, domains.NONZERO)

rint = nondifferentiable("rint", np.rint)
trunc = nondifferentiable("trunc", np.trunc)
fix = trunc  # numpy's fix rounds toward zero, like trunc
fabs = abs  # fabs is abs for real numbers (it refuses complex ones)

_RAD_PER_DEG = math.pi / 180.0


def deg2rad(x):
    return x * _RAD_PER_DEG


def rad2deg(x):
    return x * (1.0 / _RAD_PER_DEG)


radians, degrees = deg2rad, rad2deg


def positive(x):
    return x
