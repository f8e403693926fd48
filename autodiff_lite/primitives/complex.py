"""Complex numbers: ``real``, ``imag``, ``conj``, ``angle``, and the convention for derivatives.

Most primitives need nothing special for complex arrays. ``exp``, ``sin``, ``log``, ``*``,
``@``, ``solve``... are *holomorphic* (complex-differentiable): near z their change is a
complex number times the change of z, ``f(z + dz) ~ f(z) + f'(z) dz``. Their rules,
``x_dot * f'(x)`` and ``g * f'(x)``, hold as written for complex ``x``.

The convention (JAX's). Forward mode pushes a complex tangent: ``jvp(f, (z,), (z_dot,))``
gives ``f'(z) * z_dot``. Reverse mode pulls back with the *transpose* of that linear map, not
its conjugate transpose: a VJP rule multiplies by ``f'(z)``, never by ``conj(f'(z))``. For a
real-valued ``f`` of ``z = x + iy`` (a loss), ``grad(f)(z)`` is the VJP of the cotangent 1:

    grad(f)(z) = df/dx - i df/dy        (JAX's convention)

the *conjugate* of the direction of steepest ascent; PyTorch returns ``df/dx + i df/dy``,
its conjugate, so gradient descent there is ``z - lr * z.grad`` and here
``z - lr * conj(grad(f)(z))``.

Worked example, f(z) = |z|^2 = x^2 + y^2 at z = 3 + 4i: df/dx = 2x = 6, df/dy = 2y = 8, so
``grad(f)(3 + 4j)`` is 6 - 8i (JAX: ``jax.grad(lambda z: jnp.abs(z) ** 2)(3 + 4j)`` is
``6-8j``; PyTorch's ``z.grad`` is ``6+8j``). Through the rules: f = real(z * conj(z)); the
cotangent 1 of the real part becomes ``1 + 0i`` (the transpose of taking the real part), the
product sends ``conj(z) = 3 - 4i`` to its first factor and ``z = 3 + 4i`` to the second, and
``conj`` conjugates what it receives: (3 - 4i) + conj(3 + 4i) = 6 - 8i.

The functions that are not holomorphic get their own rules, the transposes of their
(real-)linear derivatives, exactly as JAX defines them:

========  =============================  =========================================
function  JVP (forward)                  VJP (reverse), cotangent ``g``
========  =============================  =========================================
real(z)   real(z_dot)                    g + 0i (for real z: g)
imag(z)   imag(z_dot)                    -i g (for real z: 0)
conj(z)   conj(z_dot)                    conj(g)
abs(z)    real(z_dot * conj(z) / |z|)    g * conj(z) / |z| (0 at z = 0, as in JAX)
angle(z)  imag(z_dot * conj(z)) / |z|^2  -i g * conj(z) / |z|^2
========  =============================  =========================================

Where a value is real and its cotangent complex (``x * 1j`` with a real ``x``), the cotangent
of ``x`` is the real part: the transpose of viewing a real number as a complex one (the
engine casts a cotangent to its value's dtype with :func:`~.shapes.astype`, which takes the
real part).

``grad`` needs a real output; for a holomorphic ``f`` with a complex output,
``grad(f, holomorphic=True)(z)`` is ``f'(z)``. Otherwise use ``jvp`` or ``vjp``. Functions
that rely on the order of real numbers (``maximum``, comparisons, ``floor``, ``sort``,
``max``...) refuse complex arguments: see :func:`refuse_complex`.
"""

from __future__ import annotations

import numpy as np

from .. import domains
from ..core import Primitive, dtype_of

_SHAPES = [(((),), {}), (((3,),), {}), (((2, 3),), {})]


def is_complex(x) -> bool:
    """Is ``x`` (traced or not) of a complex dtype?"""
    return dtype_of(x).kind == "c"


def refuse_complex(name: str, impl, hint: str = ""):
    """``impl``, refusing complex arguments with an error that says why.

    For the functions defined by the order of real numbers (``maximum``, ``greater``,
    ``floor``, ``argsort``, ``max``...): numpy orders complex numbers lexicographically, by
    real part and then imaginary part, an order that says nothing about size and has no
    useful derivative.
    """

    def real_only(*args, **params):
        for a in args:
            if type(a) is complex or getattr(getattr(a, "dtype", None), "kind", "") == "c":
                raise TypeError(
                    f"{name} is not defined for complex numbers (got an argument of dtype "
                    f"{np.result_type(a)}): complex numbers have no order. Apply it to "
                    f"anp.real(z), anp.imag(z) or anp.abs(z) instead.{hint}"
                )
        return impl(*args, **params)

    real_only.__name__ = real_only.__qualname__ = getattr(impl, "__name__", name)
    real_only.__wrapped__ = impl  # the numpy function itself (vmap maps numpy calls back)
    return real_only


def _complex_dtype(x):
    """The complex dtype matching the precision of ``x`` (complex64 for float32)."""
    return np.result_type(dtype_of(x), np.complex64)


def _imag_impl(x):
    # np.imag of a real array is a read-only view of zeros; a new array is simpler to use.
    return np.array(np.imag(x))


real = Primitive(
    "real",
    np.real,
    jvps=(lambda x_dot, ans, x: real(x_dot),),
    vjps=(lambda g, ans, x: g * np.ones((), _complex_dtype(x)) if is_complex(x) else g,),
    domains=(domains.REAL,),
    cases=_SHAPES,
    vjp_needs_output=False,
)

imag = Primitive(
    "imag",
    _imag_impl,
    jvps=(lambda x_dot, ans, x: imag(x_dot),),
    vjps=(lambda g, ans, x: g * np.asarray(-1j, _complex_dtype(x)) if is_complex(x) else g * 0.0,),
    domains=(domains.REAL,),
    cases=_SHAPES,
    vjp_needs_output=False,
)

conj = Primitive(
    "conj",
    np.conjugate,
    jvps=(lambda x_dot, ans, x: conj(x_dot),),
    vjps=(lambda g, ans, x: conj(g),),
    domains=(domains.REAL,),
    cases=_SHAPES,
    vjp_needs_inputs=False,
    vjp_needs_output=False,
)
conjugate = conj


def abs2(x):
    """|x|^2 as a real array: x * x for real x, real(x * conj(x)) for complex x."""
    return real(x * conj(x)) if is_complex(x) else x * x


angle = Primitive(
    "angle",
    np.angle,
    jvps=(lambda x_dot, ans, x: imag(x_dot * conj(x)) / abs2(x),),
    vjps=(lambda g, ans, x: g * (np.asarray(-1j, _complex_dtype(x)) * conj(x) / abs2(x)),),
    domains=(domains.NONZERO,),
    cases=_SHAPES,
    vjp_needs_output=False,
)
