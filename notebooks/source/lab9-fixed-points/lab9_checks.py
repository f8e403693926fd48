"""Self-checks for Lab 9 (fixed points and implicit gradients): the VISIBLE checks of each exercise.

Each function runs one exercise's visible checks on your function and prints a report: which
input, what was expected, what you returned, and a hint for the classic mistakes: returning a
point that is not a solution, a miscounted number of calls, an off-by-one prediction, a
missing transpose in the adjoint equation, an adjoint iteration without damping, a solver that
reverse mode records step by step. Passing them is necessary, not sufficient: the hidden tests
use other maps and parameters.
"""

import numpy as np

import autodiff_lite as ad
import autodiff_lite.numpy as anp
from autodiff_lite.selfcheck import Case, check

S = np.array([[1.5, 0.3, 0.0], [0.3, 1.2, -0.4], [0.0, -0.4, 1.8]])
V = np.array([[1.0, 0.0], [0.5, -1.0], [0.0, 2.0]])
C = np.array([0.1, -0.2, 0.3])
THETA = np.array([0.3, -0.4])
BETA = 0.4


def _f(z, theta):
    return V @ theta + C - S @ anp.tanh(z)


def _solution():
    z = np.zeros(3)
    for _ in range(2000):
        z = z + BETA * (_f(z, THETA) - z)
    return z


def _jacobians(z):
    return -S * (1 - np.tanh(z) ** 2)[None, :], V  # A, B


def _near(value, atol=1e-8):
    return lambda got: np.shape(got) == np.shape(value) and np.allclose(got, value, atol=atol)


def _item_near(index, value, atol=1e-8):
    def predicate(got):
        return isinstance(got, tuple) and len(got) == 2 and _near(value, atol)(got[index])

    return predicate


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
    return f"returned {out!r:.60} without raising"


def _counted_run(fn, f, *args, **kwargs):
    """fn's (z, calls) and the number of times it really called f."""
    n = [0]

    def counted(z, theta):
        n[0] += 1
        return f(z, theta)

    z, calls = fn(counted, *args, **kwargs)
    return np.asarray(z), int(calls), n[0]


def damped_iterate(fn) -> bool:
    """Exercise 1: damped_iterate(f, z0, theta, beta, tol, max_iter) -> (z, calls)."""
    z_star = _solution()

    def run(beta):
        z, calls, really = _counted_run(fn, _f, np.zeros(3), THETA, beta=beta)
        return z, calls == really

    cases = [
        Case(
            args=(BETA,),
            expected=(z_star, True),
            name="the inhibitory example from z0 = 0, beta = 0.4: (z, calls == calls of f)",
            atol=1e-8,
            rtol=0,
            hints={
                _item_near(0, np.zeros(3)): "you returned z0: did the loop run?",
                lambda got: isinstance(got, tuple) and got[1] is False: "the count is wrong: "
                "return the number of calls of f, the last one (the converged residual) "
                "included",
            },
        )
    ]
    ok = check("damped_iterate", run, cases)

    def diverging(beta):
        return _raises(fn, _f, np.zeros(3), THETA, beta=beta, max_iter=200)

    case = Case(
        args=(1.0,),
        expected="RuntimeError",
        name="beta = 1 on the example: plain iteration diverges, raise RuntimeError",
        hints={
            lambda got: got.startswith("returned"): "after max_iter calls without "
            "convergence, raise RuntimeError instead of returning the last iterate",
        },
    )
    return check("damped_iterate (no convergence)", diverging, [case]) and ok


# ----------------------------------------------------------------------------
# Exercise 2
# ----------------------------------------------------------------------------


def _count(rate, beta, tol, dist0):
    z, calls = dist0, 0
    while True:
        calls += 1
        residual = rate * z - z
        if abs(residual) <= tol:
            return calls
        z = z + beta * residual


def predict_calls(fn) -> bool:
    """Exercise 2: the predicted number of calls against a counted loop."""
    cases = []
    for args in [(0.5, 1.0, 1e-6, 1.0), (0.9, 1.0, 1e-10, 2.0), (-2.0, 0.25, 1e-8, 3.0)]:
        measured = _count(*args)
        cases.append(
            Case(
                args=args,
                expected=measured,
                name="rate {}, beta {}, tol {:.0e}, dist0 {}".format(*args),
                rtol=0,
                hints={
                    lambda got, m=measured: got == m - 1: "one short: the last call, whose "
                    "residual is within tol, counts too",
                    lambda got, m=measured: got == m + 1: "one too many: the solver stops at "
                    "the first call whose residual is within tol",
                    lambda got: isinstance(got, float) and got != int(got): "a number of "
                    "calls is a whole number: round up (np.ceil)",
                },
            )
        )
    return check("predict_calls", fn, cases)


# ----------------------------------------------------------------------------
# Exercise 3
# ----------------------------------------------------------------------------


def fixed_point_vjp(fn) -> bool:
    """Exercise 3: fixed_point_vjp(f, z_star, theta, g, beta) against g^T (I - A)^{-1} B."""
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
                kwargs={"beta": BETA},
                expected=expected,
                name=f"g = {g.tolist()}, beta = {BETA}",
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
    """Exercise 4: the gradient through fixed_point_layer(f, z0, beta), no traced iterations."""
    z = _solution()
    A, B = _jacobians(z)
    implicit = (2 * z) @ np.linalg.solve(np.eye(3) - A, B)

    def gradient_of_sum_of_squares(fixed_point_layer):
        layer = fixed_point_layer(_f, np.zeros(3), BETA)
        return ad.grad(lambda t: anp.sum(layer(t) ** 2))(THETA)

    def traced_calls_of_f(fixed_point_layer):
        layer = fixed_point_layer(_f, np.zeros(3), BETA)
        tape = ad.recording.record(layer, THETA)
        n = sum(node.prim.name == "tanh" for node in tape.nodes)
        return "at most 2" if n <= 2 else f"{n} traced calls of f"

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
                    name="calls of f on the tape of one evaluation of the layer",
                    hints={
                        lambda got: "traced" in got: "the tape recorded the solver's "
                        "iterations: make the solver one ad.Primitive whose impl runs on plain "
                        "arrays and whose VJP rule calls fixed_point_vjp",
                    },
                )
            ],
        )
        and ok
    )
