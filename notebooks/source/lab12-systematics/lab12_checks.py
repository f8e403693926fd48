"""Self-checks for Lab 12 (systematics-aware optimisation): the VISIBLE checks of each exercise.

Each function runs one exercise's visible checks on your function and prints a report:
which input, what was expected, what you returned, and a hint for the classic mistakes
(a constraint on one nuisance parameter only, linear interpolation, one Newton step,
profiling the nuisance parameters one at a time, no profiling, a missing factor 2 or
square root, the Fisher information without the nuisance parameters, the peaking
background forgotten, descending instead of ascending). Passing them is necessary, not
sufficient: the hidden tests use other inputs. (The expected values are written out as
numbers, so this file holds no solutions.)
"""

import numpy as np

import autodiff_lite as ad
from autodiff_lite.selfcheck import Case, check

S2, B2 = np.array([1.0, 2.0]), np.array([10.0, 20.0])
B2_UPS = np.array([[11.0, 18.0], [12.0, 24.0]])
S3, B3 = np.array([3.0, 8.0, 15.0]), np.array([200.0, 60.0, 20.0])
B3_UPS = np.array([[180.0, 66.0, 26.0], [210.0, 57.0, 24.0]])


def _near(value, rtol=1e-9):
    """A hint predicate: the output is close to ``value``."""

    def predicate(got):
        try:
            return bool(np.allclose(np.asarray(got, dtype=float), value, rtol=rtol, atol=1e-12))
        except (TypeError, ValueError):
            return False

    return predicate


def nll(fn) -> bool:
    """Exercise 1: nll(mu, thetas, s, b, b_ups, n)."""
    n = S2 + B2
    cases = [
        Case(
            (0.0, np.zeros(2), S2, B2, B2_UPS, n),
            -61.23454604112231,
            "mu = 0, thetas = 0",
            rtol=1e-10,
        ),
        Case(
            (1.0, np.array([0.5, -0.3]), S2, B2, B2_UPS, n),
            -61.109071563707886,
            "mu = 1, thetas = (0.5, -0.3)",
            rtol=1e-10,
            hints={
                _near(-61.15407156370789): "only theta_1 is constrained: the constraint is "
                "the sum of theta_k**2 / 2 over all k",
                _near(-61.09139331099686): "this adds the variations linearly, b + sum_k "
                "theta_k (b_up_k - b); the model multiplies them: b * exp(sum_k theta_k r_k)",
            },
        ),
        Case(
            (0.7, np.array([-1.0, 0.4]), S3, B3, B3_UPS, S3 + B3),
            -1180.146157783546,
            "three bins, two effects",
            rtol=1e-10,
        ),
    ]
    ok = check("nll", fn, cases)
    try:
        d = ad.grad(fn, argnums=1)(1.0, np.array([0.5, -0.3]), S2, B2, B2_UPS, n)
        assert np.shape(d) == (2,) and np.all(np.isfinite(d))
    except Exception as err:  # noqa: BLE001  (explain any failure in words)
        print(
            f"nll: ad.grad(nll, argnums=1) failed or has the wrong shape ({type(err).__name__}: "
            f"{err}); write nll with anp functions (anp.exp, anp.log, anp.sum), not np"
        )
        return False
    return ok


def profile_thetas(fn) -> bool:
    """Exercise 2: profile_thetas(s, b, b_ups, n, mu=0.0)."""
    s, b = np.array([5.0, 10.0]), np.array([100.0, 50.0])
    b_ups = np.array([1.2 * b, [90.0, 65.0]])
    cases = [
        Case(
            (s, b, b[None, :], s + b), np.zeros(1), "no effect (b_up = b): theta stays 0", atol=1e-8
        ),
        Case(
            (s, b, b_ups, s + b),
            np.array([0.4096929, 0.31388417]),
            "two bins, two effects, mu = 0",
            atol=1e-7,
        ),
        Case(
            (S3, B3, B3_UPS, S3 + B3),
            np.array([0.83048661, 1.05110515]),
            "three bins, two effects, mu = 0",
            atol=1e-7,
            hints={
                _near(np.array([0.93900008, 1.22384207]), 1e-6): "this is one Newton step "
                "from 0: iterate until the step is tiny",
                _near(np.array([0.8374987, 1.04071041]), 1e-6): "these are the effects "
                "profiled one at a time; profile all thetas together (the Hessian has "
                "off-diagonal terms)",
            },
        ),
        Case(
            (S3, B3, B3_UPS, S3 + B3),
            np.array([0.40123288, 0.51292585]),
            "three bins, mu = 0.5",
            atol=1e-7,
            kwargs={"mu": 0.5},
            hints={_near(np.array([0.83048661, 1.05110515]), 1e-6): "this is the fit at mu = 0"},
        ),
    ]
    return check("profile_thetas", fn, cases)


def asimov_z(fn) -> bool:
    """Exercise 3: asimov_z(s, b, b_ups), its value and its gradient."""
    s1, b1 = np.array([10.0]), np.array([100.0])
    z3, z3_stat = 1.9295364886292903, 3.200010823370354
    hints = {
        _near(z3_stat): "this is the significance without the systematics: profile the "
        "thetas under mu = 0, don't keep them at 0",
        _near(z3**2): "this is q0: return its square root",
        _near(z3 / np.sqrt(2)): "q0 = 2 [NLL(0, thetas_hat_hat) - NLL(1, 0)]: the factor 2 "
        "is missing",
    }
    cases = [
        Case((s1, b1, b1[None, :]), 0.9839916447569069, "one bin, no systematic (Cowan Eq. 97)"),
        Case((s1, b1, 1.1 * b1[None, :]), 0.7041409486734621, "one bin, one 10 % effect"),
        Case(
            (s1, b1, np.array([1.1 * b1, 1.1 * b1])),
            0.5762484237117093,
            "one bin, two 10 % effects",
        ),
        Case((S3, B3, B3_UPS), z3, "three bins, two effects", hints=hints),
    ]
    ok = check("asimov_z", fn, cases)
    s4, b4 = np.array([2.0, 12.0, 6.0]), np.array([300.0, 40.0, 90.0])
    b4_ups = b4 * np.array([[0.9, 1.3, 1.1], [1.05, 1.0, 0.8]])
    expected = (
        np.array([0.03604181, 0.096641, 0.02270545]),
        np.array([0.01904982, 0.040308, 0.01125278]),
        np.array(
            [[-0.01816122, -0.04168338, -0.01001515], [-0.00191175, -0.00665487, -0.00169119]]
        ),
    )
    grad_case = Case(
        (s4, b4, b4_ups), expected, "ad.grad(asimov_z, argnums=(0, 1, 2))", rtol=1e-5, atol=1e-8
    )
    return check("gradient of asimov_z", ad.grad(fn, argnums=(0, 1, 2)), [grad_case]) and ok


def predict_sigma_mu(fn) -> bool:
    """Exercise 4: predict_sigma_mu(s, b, b_ups) (the measurement comes next)."""
    cases = [
        Case(
            (S3, B3, B3[None, :]),
            0.36725801441477074,
            "no systematic effect (b_up = b): sigma_mu = 1 / sqrt(I_mu_mu)",
            rtol=1e-9,
        ),
        Case(
            (S3, B3, B3_UPS),
            0.48736079424968787,
            "three bins, two effects",
            rtol=1e-9,
            hints={
                _near(0.36725801441477074): "this is 1 / sqrt(I_mu_mu), the uncertainty with "
                "the thetas fixed: invert the whole matrix and take its (mu, mu) entry",
                _near(0.9294262449263944): "the constraint terms (+1 on the thetas' diagonal) "
                "are missing",
            },
        ),
    ]
    ok = check("predict_sigma_mu", fn, cases)
    if ok and not isinstance(fn(S3, B3, B3_UPS), float):
        print("predict_sigma_mu: return a Python float (float(...))")
        return False
    return ok


def window_yields(fn, spec) -> bool:
    """Exercise 5: window_yields(lo, hi, spec)."""
    expected = (
        np.array([4.5514908, 50.8970184, 4.5514908]),
        np.array([2359.20858565, 532.77770936, 408.01370499]),
        np.array(
            [
                [2257.30376956, 553.72654162, 488.96968882],
                [2434.20858565, 606.77378172, 409.01763263],
            ]
        ),
    )

    def hint_on(index, value):
        return lambda got: np.allclose(np.asarray(got[index], dtype=float), value, rtol=1e-7)

    hints = {
        hint_on(1, [2209.20858565, 384.78556464, 406.00584971]): "b is the continuum only: "
        "add the peaking background",
        lambda got: np.allclose(
            np.asarray(got[2], dtype=float)[1],
            [3538.81287848, 799.16656404, 612.02055748],
            rtol=1e-7,
        ): "the second variation scales the whole background; only the peaking part is "
        "poorly known",
        lambda got: np.allclose(
            np.asarray(got[2], dtype=float)[0],
            [2107.30376956, 405.7343969, 486.96183355],
            rtol=1e-7,
        ): "the first variation forgot the peaking background (it is still there when the "
        "continuum's slope changes)",
    }
    cases = [
        Case((4.0, 6.0, spec), expected, "the window (4, 6) of SPEC", rtol=1e-7, hints=hints),
        Case(
            (3.2, 7.1, spec),
            (
                np.array([0.65921656, 59.0275759, 0.31320754]),
                np.array([2003.29951601, 1015.19277102, 281.50771297]),
                np.array(
                    [
                        [1898.16708913, 1052.78034295, 349.05256791],
                        [2021.17995431, 1147.24774916, 281.57229653],
                    ]
                ),
            ),
            "the window (3.2, 7.1) of SPEC",
            rtol=1e-7,
        ),
    ]
    ok = check(
        "window_yields", lambda lo, hi, sp: tuple(np.asarray(v) for v in fn(lo, hi, sp)), cases
    )
    try:
        d = ad.grad(lambda lo: fn(lo, 6.0, spec)[0][1])(4.0)
        assert np.isfinite(d) and d < 0
    except Exception as err:  # noqa: BLE001
        print(
            f"window_yields: its derivative in lo failed or is wrong ({type(err).__name__}: "
            f"{err}); write it with anp and ad.relax.sigmoid, and anp.stack the bins"
        )
        return False
    return ok


def optimise_window(fn, asimov_z_fn, window_yields_fn, spec) -> bool:
    """Exercise 6: ten steps of optimise_window go uphill (a quick check)."""

    def z_of(window):
        return float(asimov_z_fn(*window_yields_fn(window[0], window[1], spec)))

    start = (3.5, 6.5)

    def uphill(got, expected):
        return z_of(got) > z_of(expected)

    cases = [
        Case(
            (spec, *start),
            start,
            "10 steps from (3.5, 6.5) raise Z_A",
            kwargs={"steps": 10},
            hints={
                lambda got: z_of(got) < z_of(start): "Z_A went down: ascend (give the "
                "optimiser minus the gradient)",
                lambda got: np.isclose(got[1], start[1]): "the upper edge did not move: "
                "optimise both edges together",
            },
        ),
    ]
    return check("optimise_window", fn, cases, compare=uphill)
