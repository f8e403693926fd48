"""Implicit differentiation: derivatives of a fixed point without unrolling the solver.

``z* = fixed_point(f, z0, theta)`` solves ``z = f(z, theta)`` by iteration or by
Newton's method. Differentiating through the iterations would store every one of
them and give the derivative of the *approximation*. The implicit function theorem
gives the derivative of the *solution* from the solution alone: differentiating
``z* = f(z*, theta)``,

    dz* = A dz* + B dtheta,   A = df/dz,  B = df/dtheta   (both at z*)

so the JVP is ``z_dot = (I - A)^{-1} B theta_dot`` and the VJP is ``theta_bar = B^T w``
with ``w`` solving the *adjoint* system ``w = g + A^T w``. Both linear systems are
themselves fixed points, solved with the same method by calling ``fixed_point``
again, so derivatives of derivatives (``hessian``) follow by the same theorem.
Memory does not grow with the number of iterations (Bai, Kolter & Koltun 2019,
"Deep Equilibrium Models"; Blondel et al. 2022, "Efficient and modular implicit
differentiation").

>>> f = lambda z, a: 0.5 * (z + a / z)       # Heron: the fixed point is sqrt(a)
>>> print(fixed_point(f, 1.0, 2.0).round(12), ad.grad(lambda a: fixed_point(f, 1.0, a))(4.0))
1.414213562373 0.25
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .core import dtype_of, shape_of, value_of
from .custom import _zeros_like, has_tracer
from .errors import ConvergenceError
from .function_primitive import function_primitive
from .jacobians import jacfwd
from .transforms import jvp, vjp
from .tree import tree_flatten, tree_unflatten

__all__ = ["fixed_point"]

METHODS = ("iterate", "newton")


def _fail(method, k, res, tol, why):
    hints = {
        "iterate": "plain iteration converges only where f is a contraction (|df/dz| < 1); "
        "try method='newton', a z0 closer to the solution, or a larger max_iter",
        "newton": "Newton's method needs a good z0 and a nonsingular I - df/dz; try a z0 "
        "closer to the solution, method='iterate', or a larger max_iter",
    }
    raise ConvergenceError(
        f"fixed_point(method={method!r}) {why} after {k} iteration(s): residual "
        f"max|f(z) - z| = {res:.3g}, tolerance {tol:.3g}. Hint: {hints[method]}.",
        method=method,
        iterations=k,
        residual=res,
    )


def _solve(f: Callable, z0, method: str, tol: float, max_iter: int):
    """Solve ``z = f(z)`` on plain values; converged when max|f(z) - z| <= tol (1 + max|z|)."""
    z = np.array(z0, dtype=float) if np.ndim(z0) == 0 else np.asarray(z0)
    res = np.inf
    for k in range(max_iter + 1):
        fz = np.asarray(f(z))
        if np.shape(fz) != np.shape(z):
            raise ValueError(
                f"fixed_point: f(z) has shape {np.shape(fz)} but z has shape {np.shape(z)}; "
                f"f must map z to a value of the same shape"
            )
        res = float(np.max(np.abs(fz - z), initial=0.0))
        if not np.isfinite(res):
            _fail(method, k, res, tol, "diverged (a non-finite value appeared)")
        if res <= tol * (1.0 + float(np.max(np.abs(z), initial=0.0))):
            return fz if method == "iterate" else z
        if k == max_iter:
            break
        if method == "iterate":
            z = fz
        else:
            n = int(np.size(z))
            J = np.reshape(jacfwd(f)(z), (n, n)) - np.eye(n)
            try:
                step = np.linalg.solve(J, np.ravel(fz - z))
            except np.linalg.LinAlgError:
                _fail(method, k, res, tol, "stopped at a singular Jacobian I - df/dz")
            z = z - np.reshape(step, np.shape(z))
    _fail(method, max_iter, res, tol, "did not converge")


def fixed_point(
    f: Callable,
    z0,
    *params,
    method: str = "iterate",
    tol: float = 1e-10,
    max_iter: int = 1000,
):
    """The solution ``z`` of ``z = f(z, *params)``, differentiable in ``params``.

    ``z0`` (an array, not differentiated) starts the solver. ``method="iterate"``
    repeats ``z = f(z, ...)``; ``method="newton"`` takes Newton steps on f(z) - z with
    the Jacobian from ``ad.jacfwd`` (so ``f`` must use ``autodiff_lite.numpy``). All
    derivatives (``jvp``, ``vjp``, ``grad``, ``jacfwd``, ``jacrev``, ``hessian``) come
    from the implicit function theorem, never from the iterations. Raises
    :class:`~autodiff_lite.errors.ConvergenceError` when the solver does not converge.
    """
    if method not in METHODS:
        raise ValueError(f"fixed_point: unknown method {method!r}; use one of {METHODS}")
    if not (np.isscalar(tol) and tol > 0):
        raise ValueError(f"fixed_point: tol must be a number > 0, got {tol!r}")
    if not isinstance(max_iter, (int, np.integer)) or max_iter < 1:
        raise ValueError(f"fixed_point: max_iter must be an integer >= 1, got {max_iter!r}")
    if isinstance(z0, (tuple, list, dict)):
        raise TypeError(
            "fixed_point: z0 must be one array (pytrees are not supported); concatenate "
            "the unknowns into one vector and split them inside f"
        )
    if not np.issubdtype(dtype_of(z0), np.floating):
        raise TypeError(f"fixed_point: z0 must be floating point (1.0, not 1), got {dtype_of(z0)}")
    z0 = value_of(z0)  # the starting point does not change the solution: no derivative
    leaves, tree = tree_flatten(params)
    opts = dict(method=method, tol=tol, max_iter=max_iter)

    def f_flat(z, vals):
        return f(z, *tree_unflatten(tree, list(vals)))

    if not has_tracer(leaves):
        return _solve(lambda z: f_flat(z, leaves), z0, method, tol, max_iter)

    floats = [i for i, x in enumerate(leaves) if np.issubdtype(dtype_of(x), np.floating)]

    def f_of_floats(z, vals):
        def f_floats(*float_vals):
            full = list(vals)
            for i, v in zip(floats, float_vals):
                full[i] = v
            return f_flat(z, full)

        return f_floats

    def vjp_all(z_bar, z, *vals):
        # adjoint system w = z_bar + (df/dz)^T w, a fixed point in w (linear)
        def adjoint(w, z, vals, z_bar):
            return z_bar + vjp(lambda z: f_flat(z, vals), z)[1](w)[0]

        w = fixed_point(adjoint, _zeros_like(z), z, list(vals), z_bar, **opts)
        x_bars = dict(zip(floats, vjp(f_of_floats(z, vals), *[vals[i] for i in floats])[1](w)))
        return [x_bars[i] if i in x_bars else _zeros_like(v) for i, v in enumerate(vals)]

    def x_dot_to_z_dot(argnum, x_dot, z, *vals):
        dots = [x_dot if i == argnum else _zeros_like(vals[i]) for i in floats]
        u = jvp(f_of_floats(z, vals), tuple(vals[i] for i in floats), tuple(dots))[1]

        # tangent system z_dot = u + (df/dz) z_dot, a fixed point in z_dot (linear)
        def tangent(z_dot, z, vals, u):
            return u + jvp(lambda z: f_flat(z, vals), (z,), (z_dot,))[1]

        return fixed_point(tangent, _zeros_like(z), z, list(vals), u, **opts)

    prim = function_primitive(
        f"fixed_point[{getattr(f, '__name__', 'f')}]",
        lambda *plain: _solve(lambda z: f_flat(z, plain), z0, method, tol, max_iter),
        vjp=vjp_all,
        jvp=x_dot_to_z_dot,
    )
    z = prim(*leaves)
    assert shape_of(z) == np.shape(z0)
    return z
