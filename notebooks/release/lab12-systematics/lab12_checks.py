"""Self-checks for Lab 12 (systematics-aware optimisation): the VISIBLE checks of each exercise.

Each function runs one exercise's visible checks on your function and prints a report:
which input, what was expected, what you returned, and a hint for the classic mistakes
(a missing constraint term, linear interpolation, too few Newton steps, no profiling, a
missing factor 2 or square root, ascending the wrong significance). Passing them is
necessary, not sufficient: the hidden tests use other inputs. (The expected values are
written out as numbers, so this file holds no solutions.)
"""

import numpy as np

import autodiff_lite as ad
from autodiff_lite.selfcheck import Case, check

S2, B2, B2_UP = np.array([1.0, 2.0]), np.array([10.0, 20.0]), np.array([11.0, 18.0])
S3, B3 = np.array([3.0, 8.0, 15.0]), np.array([200.0, 60.0, 20.0])
B3_UP = np.array([180.0, 66.0, 26.0])


def _near(value, rtol=1e-9):
    """A hint predicate: the output is close to ``value``."""

    def predicate(got):
        try:
            return bool(np.allclose(np.asarray(got, dtype=float), value, rtol=rtol, atol=1e-12))
        except (TypeError, ValueError):
            return False

    return predicate


def nll(fn) -> bool:
    """Exercise 1: nll(mu, theta, s, b, b_up, n)."""
    n = S2 + B2
    cases = [
        Case((0.0, 0.0, S2, B2, B2_UP, n), -61.23454604112231, "mu = 0, theta = 0", rtol=1e-10),
        Case(
            (1.0, 0.5, S2, B2, B2_UP, n),
            -61.219551692271374,
            "mu = 1, theta = 0.5",
            rtol=1e-10,
            hints={
                _near(-61.344551692271374): "the constraint term theta**2 / 2 is missing",
                _near(-61.22031101897656): "this is the linear interpolation b + theta "
                "(b_up - b); the model is exponential: b * exp(theta * log(b_up / b))",
            },
        ),
        Case(
            (0.0, -1.0, S2, B2, B2_UP, n),
            -60.69093409461559,
            "mu = 0, theta = -1 (the background moves the other way)",
            rtol=1e-10,
        ),
    ]
    ok = check("nll", fn, cases)
    try:
        d = float(ad.grad(fn, argnums=1)(1.0, 0.5, S2, B2, B2_UP, n))
    except Exception as err:  # noqa: BLE001  (explain any failure in words)
        print(
            f"nll: ad.grad(nll, argnums=1) failed ({type(err).__name__}: {err}); write nll "
            "with anp functions (anp.exp, anp.log, anp.sum), not np"
        )
        return False
    if not np.isfinite(d):
        print("nll: its derivative in theta is not finite")
        return False
    return ok


def profile_theta(fn) -> bool:
    """Exercise 2: profile_theta(s, b, b_up, n, mu=0.0)."""
    s, b = np.array([5.0, 10.0]), np.array([100.0, 50.0])
    cases = [
        Case((s, b, b, s + b), 0.0, "no systematic effect (b_up = b): theta stays 0", atol=1e-8),
        Case(
            (s, b, 1.2 * b, s + b),
            0.44164079049806865,
            "b_up = 1.2 b, Asimov data, mu = 0",
            atol=1e-8,
            hints={
                _near(0.4568567556299029): "this is one Newton step from 0: iterate until "
                "the step is tiny",
            },
        ),
        Case(
            (S3, B3, B3_UP, S3 + B3),
            0.8374986978063866,
            "three bins, mu = 0",
            atol=1e-8,
        ),
        Case(
            (S3, B3, B3_UP, S3 + B3),
            0.3504714458227763,
            "three bins, mu = 0.5",
            atol=1e-8,
            kwargs={"mu": 0.5},
            hints={_near(0.8374986978063866): "this is the fit at mu = 0: use the mu given"},
        ),
    ]
    return check("profile_theta", fn, cases)


def asimov_z(fn) -> bool:
    """Exercise 3: asimov_z(s, b, b_up), its value and its gradient."""
    s1, b1 = np.array([10.0]), np.array([100.0])
    z3, z3_stat = 2.5587830286297892, 3.2000108233703104
    hints = {
        _near(z3_stat): "this is the significance without the systematic: profile theta "
        "under mu = 0 (theta = profile_theta(...)), don't keep it at 0",
        _near(z3**2): "this is q0: return its square root",
        _near(z3 / np.sqrt(2)): "q0 = 2 [NLL(0, theta_hat_hat) - NLL(1, 0)]: the factor 2 is "
        "missing",
    }
    cases = [
        Case((s1, b1, b1), 0.9839916447569069, "one bin, no systematic (Cowan et al. Eq. 97)"),
        Case((s1, b1, 1.1 * b1), 0.7041409486733814, "one bin, 10 % background uncertainty"),
        Case((S3, B3, B3_UP), z3, "three bins", hints=hints),
    ]
    ok = check("asimov_z", fn, cases)
    s4, b4 = np.array([2.0, 12.0]), np.array([300.0, 40.0])
    b4_up = b4 * np.array([0.9, 1.3])
    expected = [
        [0.03447008662514994, 0.1070832094310159],
        [0.0144964413029675, 0.030982853618661516],
        [-0.015417554504825216, -0.040667174869040784],
    ]
    grad_case = Case(
        (s4, b4, b4_up),
        tuple(np.array(e) for e in expected),
        "ad.grad(asimov_z, argnums=(0, 1, 2)) on two bins",
        rtol=1e-6,
        atol=1e-10,
    )
    return check("gradient of asimov_z", ad.grad(fn, argnums=(0, 1, 2)), [grad_case]) and ok


def optimise_cut(fn, asimov_z_fn, make_yields) -> bool:
    """Exercise 4: optimise_cut(yields_fn, t0): the significance it reaches."""
    yields_fn = make_yields(30.0, 1000.0, 50.0, 3.0, 1.0, 1.25, 3.0)
    best, best_t = 1.2085441295768509, 8.10

    def reached(yields_fn, t0):
        t = float(fn(yields_fn, t0))
        return {"cut": t, "Z_A": float(asimov_z_fn(*yields_fn(t)))}

    def close(got, expected):
        return got["Z_A"] > 0.995 * expected["Z_A"]

    hints = {
        lambda got: abs(got["cut"] - 4.68) < 0.3: "this is the best cut without the systematic: "
        "maximise asimov_z with b_up as given",
        lambda got: got["cut"] < 1.0: "the cut went down: ascend (t + lr * dZ/dt), or give "
        "an optimiser minus the gradient",
    }
    cases = [
        Case((yields_fn, 4.0), {"cut": best_t, "Z_A": best}, "from t0 = 4", hints=hints),
        Case((yields_fn, 11.0), {"cut": best_t, "Z_A": best}, "from t0 = 11", hints=hints),
    ]
    return check("optimise_cut", lambda y, t0: reached(y, t0), cases, compare=close)
