"""Self-checks for Lab 18 (hyperparameters by implicit differentiation): the VISIBLE checks.

Each function runs one exercise's visible checks on your function and prints a report: the
input, what was expected, what you returned, and a hint for the classic mistakes (a point
that is not a minimizer, a lost minus sign, the derivative with respect to lambda instead
of s = log lambda, a gradient per weight instead of per group, gradient ascent). Expected
values are numbers written out here or computed by ``autodiff_lite`` (its own fixed-point
solver and tape), so this file holds no solutions. Passing is necessary, not sufficient:
the hidden tests use fresh data sets.
"""

import numpy as np

import autodiff_lite as ad
import autodiff_lite.numpy as anp
from autodiff_lite.recording import record
from autodiff_lite.selfcheck import Case, check


def _data():
    """The example data of the notebook (make_data with the seed 18)."""
    rng = np.random.default_rng(18)
    w_true = np.concatenate([rng.normal(0.0, 1.5, 3), np.zeros(7)])
    X, Xv = rng.normal(size=(50, 10)), rng.normal(size=(400, 10))
    y = (rng.uniform(size=50) < 1 / (1 + np.exp(-X @ w_true))).astype(float)
    yv = (rng.uniform(size=400) < 1 / (1 + np.exp(-Xv @ w_true))).astype(float)
    return X, y, Xv, yv, np.repeat([0, 1], [3, 7])


X, Y, XV, YV, GROUPS = _data()
S = np.log([0.1, 1.0])


def _val(w):
    z = XV @ w
    return float(np.mean(np.log1p(np.exp(z)) - YV * z))


def _trained(lam):
    """The minimizer, by the library: the fixed point of a gradient step, Newton's method."""

    def step(w, lam):
        p = 1 / (1 + anp.exp(-(X @ w)))
        return w - 0.5 * (X.T @ (p - Y) / len(Y) + lam * w)

    return ad.fixed_point(step, np.zeros(10), lam, method="newton", tol=1e-13)


def fit_logistic(fn) -> bool:
    """Exercise 1: fit_logistic(X, y, lam) on the example data; too few steps raise."""
    lam = np.exp(S)[GROUPS]
    w_ref = _trained(lam)
    unpenalized = "the gradient has the penalty term lam * w (and the Hessian diag(lam))"
    ok = check(
        "fit_logistic",
        fn,
        [
            Case(
                args=(X, Y, lam),
                expected=w_ref,
                name="example data, lam = 0.1 (signal) and 1.0 (noise)",
                atol=1e-7,
                rtol=0,
                hints={
                    lambda got: np.allclose(got, 0): "you returned the start w = 0: did "
                    "the Newton loop run?",
                    lambda got: np.linalg.norm(got) > 2 * np.linalg.norm(w_ref): unpenalized,
                    lambda got: _val(got) < np.inf: "not the minimizer: is the gradient "
                    "X^T (sigma(Xw) - y) / n + lam * w, and the step w - H^{-1} grad?",
                },
            )
        ],
    )

    def one_step(max_iter):
        try:
            out = fn(X, Y, lam, tol=1e-14, max_iter=max_iter)
        except NotImplementedError:
            raise
        except RuntimeError:
            return "RuntimeError"
        return f"returned {np.round(np.asarray(out)[:3], 4)}... without raising"

    stop = Case(
        args=(1,),
        expected="RuntimeError",
        name="max_iter=1, tol=1e-14: raise RuntimeError",
        hints={
            lambda got: got.startswith("returned"): "after max_iter Newton steps without "
            "reaching tol, raise RuntimeError instead of returning w",
        },
    )
    return check("fit_logistic (no convergence)", one_step, [stop]) and ok


def hypergradient(fn) -> bool:
    """Exercise 2: hypergradient at s = (log 0.1, log 1) against finite differences."""
    w = _trained(np.exp(S)[GROUPS])
    expected = np.array([0.02805514, -0.00079433])  # central differences of V(s)
    case = Case(
        args=(w, X, Y, XV, YV, S, GROUPS),
        expected=expected,
        name="example data at s = (log 0.1, log 1.0)",
        atol=1e-7,
        rtol=0,
        hints={
            lambda got: np.allclose(got, -expected, atol=1e-7): "the sign: differentiating "
            "H dw + (dlam * w) = 0 gives dw = -H^{-1} (dlam * w)",
            lambda got: np.allclose(got, expected / np.exp(S), atol=1e-7): "that is dV/dlam: "
            "the chain rule through lam = exp(s) multiplies by lam",
            lambda got: np.shape(got) == (10,): "one number per group, not per weight: sum "
            "the contributions of the weights of each group (np.bincount with weights)",
        },
    )
    return check("hypergradient", fn, [case])


def _gd_step(w, lam):
    p = 1 / (1 + anp.exp(-(X @ w)))
    return w - 0.5 * (X.T @ (p - Y) / len(Y) + lam * w)


def _measured(K, method):
    def unrolled(s):
        lam = anp.exp(s)[GROUPS]
        w = np.zeros(10)
        for _ in range(K):
            w = _gd_step(w, lam)
        z = XV @ w
        return anp.mean(anp.log(1 + anp.exp(z)) - YV * z)

    def implicit(s):
        lam = anp.exp(s)[GROUPS]
        w = ad.fixed_point(_gd_step, np.zeros(10), lam, method="newton")
        z = XV @ w
        return anp.mean(anp.log(1 + anp.exp(z)) - YV * z)

    return len(record(unrolled if method == "unrolled" else implicit, S).nodes)


def predict_tape_nodes(fn) -> bool:
    """Exercise 3: the predicted tape lengths against the library's recording."""
    cases = []
    for K in (1, 2, 10):
        m = _measured(K, "unrolled")
        cases.append(
            Case(
                args=(K, "unrolled"),
                expected=m,
                name=f"unrolled, K = {K}",
                hints={
                    lambda got, m=m, K=K: got == m + 8 and K > 1: "the first step records fewer "
                    "nodes: w is a constant there, so X @ w, the sigmoid and X.T @ (...) are "
                    "plain numpy",
                    lambda got, m=m: got == m - 2: "exp(s) and the indexing [groups] are on "
                    "the tape too",
                    lambda got, m=m: got == m - 1 or got == m + 1: "anp.mean records two nodes",
                },
            )
        )
    m = _measured(1, "implicit")
    cases.append(
        Case(
            args=(10, "implicit"),
            expected=m,
            name="implicit (K = 10)",
            hints={
                lambda got: got > 20: "ad.fixed_point is one node: its iterations run on "
                "plain values and are not recorded, whatever K is",
            },
        )
    )
    return check("predict_tape_nodes", fn, cases)


def tune(fn) -> bool:
    """Exercise 4: 30 steps from s0 = (0, 0) on the example data."""
    expected = np.array([-4.23988019, 0.74191999])

    def final_s(*args):
        out = fn(*args)
        if not (isinstance(out, tuple) and len(out) == 2):
            raise TypeError("return a pair (s, losses)")
        return np.asarray(out[0])

    case = Case(
        args=(X, Y, XV, YV, GROUPS, np.zeros(2)),
        expected=expected,
        name="example data from s0 = (0, 0), lr = 20, 30 steps",
        atol=1e-5,
        rtol=0,
        hints={
            lambda got: got[0] > 0 and got[1] < 0: "the signal penalty went up and the noise "
            "penalty down: that is gradient ascent (s - lr * dV/ds descends)",
            lambda got: np.max(np.abs(got)) > 6: "clip s to [-6, 6] after every step",
            lambda got: np.allclose(got, 0): "you returned s0: update s inside the loop",
        },
    )
    ok = check("tune: the final s", final_s, [case])

    def first_and_last(*args):
        losses = fn(*args)[1]
        return (len(losses), round(float(losses[0]), 6), bool(losses[-1] < losses[0]))

    start = Case(
        args=(X, Y, XV, YV, GROUPS, np.zeros(2)),
        expected=(30, 0.628140, True),
        name="losses: 30 of them, the first V(s0) = 0.628140, the last lower",
    )
    return check("tune: the losses", first_and_last, [start]) and ok
