"""Self-checks for Lab 9 (fixed points and implicit gradients): the VISIBLE checks of each exercise.

Each function runs one exercise's visible checks on your function and prints a report: which
input, what was expected, what you returned, and a hint for the classic mistakes: returning a
point that is not a solution, forgetting (I - A)^{-1}, a missing transpose in the adjoint
equation, a solver that reverse mode records step by step. Passing them is necessary, not
sufficient: the hidden tests use other maps.
"""

import numpy as np

import autodiff_lite as ad
import autodiff_lite.numpy as anp
from autodiff_lite.selfcheck import Case, check

W = np.array([[0.5, -0.2, 0.1], [0.1, 0.4, -0.3], [-0.2, 0.2, 0.3]])
V = np.array([[1.0, 0.0], [0.5, -1.0], [0.0, 2.0]])
C = np.array([0.1, -0.2, 0.3])
THETA = np.array([0.3, -0.4])


def _f(z, theta):
    return anp.tanh(W @ z + V @ theta + C)


def _solution():
    z = np.zeros(3)
    for _ in range(2000):
        z = np.tanh(W @ z + V @ THETA + C)
    return z


def _jacobians(z):
    d = 1 - z**2
    return d[:, None] * W, d[:, None] * V  # A, B


def _near(value, atol=1e-8):
    return lambda got: np.shape(got) == np.shape(value) and np.allclose(got, value, atol=atol)


# ----------------------------------------------------------------------------
# Exercise 1
# ----------------------------------------------------------------------------


def _raises(fn, *args, **kwargs):
    """'RuntimeError' if fn raises one, else what it did instead, in words."""
    try:
        out = fn(*args, **kwargs)
    except NotImplementedError:  # a subclass of RuntimeError: the stub, not an answer
        raise
    except RuntimeError:
        return "RuntimeError"
    return f"returned {np.asarray(out).ravel()[:3]} without raising"


def fixed_point_iterate(fn) -> bool:
    """Exercise 1: fixed_point_iterate(f, z0, theta, tol, max_iter)."""
    z_star = _solution()
    one_step = _f(np.zeros(3), THETA)
    cases = [
        Case(
            args=(_f, np.zeros(3), THETA),
            expected=z_star,
            name="f(z, theta) = tanh(W z + V theta + c) from z0 = 0",
            atol=1e-8,
            rtol=0,
            hints={
                _near(one_step): "you returned the first iterate: keep iterating until the "
                "change is at most tol",
                _near(np.zeros(3)): "you returned z0: did the loop run?",
            },
        )
    ]

    def diverging(max_iter):
        return _raises(fn, lambda z, t: 2.0 * z + t, np.zeros(2), np.ones(2), max_iter=max_iter)

    cases.append(
        Case(
            args=(100,),
            expected="RuntimeError",
            name="z = 2 z + 1 diverges: raise RuntimeError",
            hints={
                lambda got: got.startswith("returned"): "after max_iter steps without "
                "convergence, raise RuntimeError instead of returning the last iterate",
            },
        )
    )
    ok = check("fixed_point_iterate", fn, cases[:1])
    return check("fixed_point_iterate (no convergence)", diverging, cases[1:]) and ok


# ----------------------------------------------------------------------------
# Exercise 2
# ----------------------------------------------------------------------------


def implicit_jacobian(fn) -> bool:
    """Exercise 2: implicit_jacobian(f, z_star, theta) against the closed form."""
    z = _solution()
    A, B = _jacobians(z)
    expected = np.linalg.solve(np.eye(3) - A, B)
    hints = {
        _near(B): "you returned B = df/dtheta alone: that is the derivative of one more step, "
        "not of the solution; solve (I - A) J = B",
        _near(np.linalg.solve(np.eye(3) - A.T, B)): "A is transposed: A[i, j] = df_i/dz_j, "
        "as ad.jacfwd(f, argnums=0) returns it",
        _near(np.linalg.solve(np.eye(3) + A, B)): "a sign: z = f(z) gives dz = A dz + B dtheta, "
        "so (I - A) dz = B dtheta",
        lambda got: np.shape(got) == (2, 3): "the Jacobian is n x p = (3, 2): one row per "
        "unknown, one column per parameter",
    }
    case = Case(
        args=(_f, z, THETA),
        expected=expected,
        name="the tanh map at its solution (n = 3, p = 2)",
        atol=1e-9,
        rtol=0,
        hints=hints,
    )
    return check("implicit_jacobian", fn, [case])


# ----------------------------------------------------------------------------
# Exercise 3
# ----------------------------------------------------------------------------


def fixed_point_vjp(fn) -> bool:
    """Exercise 3: fixed_point_vjp(f, z_star, theta, g) against g^T (I - A)^{-1} B."""
    z = _solution()
    A, B = _jacobians(z)
    cases = []
    for g in [np.array([1.0, 0.0, 0.0]), np.array([0.5, -1.0, 2.0])]:
        expected = np.linalg.solve((np.eye(3) - A).T, g) @ B
        hints = {
            _near(g @ B): "you returned B^T g: the adjoint solve w = g + A^T w is missing",
            _near(g @ np.linalg.solve(np.eye(3) - A.T, B)): "A^T and A are swapped: "
            "the adjoint iteration is w = g + A^T w, which is vjp_fn(w) of f in z",
            lambda got: np.shape(got) == (3,): "theta_bar has the shape of theta (2,), "
            "not of z: return B^T w, the VJP of f in theta",
        }
        cases.append(
            Case(
                args=(_f, z, THETA, g),
                expected=expected,
                name=f"g = {g.tolist()}",
                atol=1e-9,
                rtol=0,
                hints=hints,
            )
        )
    return check("fixed_point_vjp", fn, cases)


# ----------------------------------------------------------------------------
# Exercise 4
# ----------------------------------------------------------------------------


def fixed_point_layer(fn) -> bool:
    """Exercise 4: the gradient through fixed_point_layer(f, z0), and no traced iterations."""
    z = _solution()
    A, B = _jacobians(z)
    implicit = (2 * z) @ np.linalg.solve(np.eye(3) - A, B)

    def gradient_of_sum_of_squares(fixed_point_layer):
        layer = fixed_point_layer(_f, np.zeros(3))
        return ad.grad(lambda t: anp.sum(layer(t) ** 2))(THETA)

    def traced_calls_of_f(fixed_point_layer):
        calls = {"n": 0, "trace": None}

        def f(z, theta):
            if calls["trace"] is not None and any(
                getattr(a, "_trace", None) is calls["trace"] for a in (z, theta)
            ):
                calls["n"] += 1
            return _f(z, theta)

        layer = fixed_point_layer(f, np.zeros(3))

        def loss(theta):
            calls["trace"] = theta._trace
            return anp.sum(layer(theta) ** 2)

        ad.grad(loss)(THETA)
        return "at most 2" if calls["n"] <= 2 else f"{calls['n']} traced calls of f"

    ok = check(
        "fixed_point_layer: gradient",
        gradient_of_sum_of_squares,
        [
            Case(
                args=(fn,),
                expected=implicit,
                name="ad.grad of sum(layer(theta)**2)",
                atol=1e-8,
                rtol=0,
                hints={
                    _near(2 * z @ B): "your VJP rule returns B^T g: solve the adjoint "
                    "equation (Exercise 3)",
                },
            )
        ],
    )
    return (
        check(
            "fixed_point_layer: the iterations are not recorded",
            traced_calls_of_f,
            [
                Case(
                    args=(fn,),
                    expected="at most 2",
                    name="calls of f on ad.grad's traced values",
                    hints={
                        lambda got: "traced" in got: "ad.grad recorded the solver's "
                        "iterations: make the solver one ad.Primitive whose impl runs on plain "
                        "arrays and whose VJP rule calls fixed_point_vjp",
                    },
                )
            ],
        )
        and ok
    )
