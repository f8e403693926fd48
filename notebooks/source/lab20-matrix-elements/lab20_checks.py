"""Self-checks for Lab 20 (matrix elements): the VISIBLE checks of each exercise.

Each function runs one exercise's visible checks on your function and prints a report:
which input, what was expected, what you returned, and a hint for the classic mistakes
(no interference, no width, swapped angular factors, a missing spin average, the wrong
integration volume, a missing normalisation, np.polyfit's order). Passing them is
necessary, not sufficient: the hidden tests use other inputs. (The expected values are
written out as numbers, or are properties any right answer has, so this file holds no
solutions.)
"""

import numpy as np

import autodiff_lite as ad
from autodiff_lite.selfcheck import Case, check

COSINES = np.array([-0.8, 0.0, 0.6])


def _near(value, rtol=1e-6):
    def predicate(got):
        try:
            return bool(np.allclose(np.asarray(got, dtype=float), value, rtol=rtol, atol=1e-12))
        except (TypeError, ValueError):
            return False

    return predicate


def _not_finite(got):
    try:
        return not np.all(np.isfinite(np.asarray(got, dtype=float)))
    except (TypeError, ValueError):
        return False


def make_msq(fn, process) -> bool:
    """Exercise 1: make_msq(exchanges) returns msq(theta, s, cos_theta)."""

    def run(args):
        exchanges, theta, s = args
        return fn(exchanges)(theta, s, COSINES)

    hints = {
        _near(np.array([0.01789959, 0.01153022, 0.01643859])): "this adds |A|^2 of each "
        "exchange separately; square the SUM of the exchanges (they interfere)",
        _near(np.array([0.02753374, 0.0599705, 0.13467329])): "the spin average 1/4 is missing",
        _near(np.array([0.04229237, 0.01499263, 0.00711162])): "the angular factors are "
        "swapped: same helicities (LL, RR) go with (1 + cos)^2",
    }
    cases = [
        Case(
            (([process[0]], 0.7, 100.0),),
            np.array([0.01580679, 0.00963829, 0.01310807]),
            "the photon alone: e^4 (1 + cos^2)",
            rtol=1e-6,
        ),
        Case(
            ((process, 0.5, 500.0**2),),
            np.array([0.00688344, 0.01499263, 0.03366832]),
            "the lab's process, theta = 0.5, sqrt(s) = 500 GeV",
            rtol=1e-6,
            hints=hints,
        ),
        Case(
            ((process, 0.0, 91.1876**2),),
            np.array([2.59793935, 1.61923224, 2.24535698]),
            "on the Z pole, theta = 0",
            rtol=1e-6,
            hints={
                _not_finite: "infinite on the pole: the propagator needs the width, "
                "s / (s - M^2 + i M Gamma), as real and imaginary parts"
            },
        ),
    ]
    ok = check("make_msq", run, cases)
    try:
        msq = fn(process)
        d = ad.grad(lambda th: msq(th, 500.0**2, 0.3))(0.2)
        d_cos = ad.grad(lambda c: msq(0.2, 500.0**2, c))(0.3)
        assert np.isfinite(d) and np.isfinite(d_cos)
    except Exception as err:  # noqa: BLE001  (explain any failure in words)
        print(
            f"make_msq: ad.grad of msq failed ({type(err).__name__}: {err}); use anp and "
            "real arithmetic (no complex numbers, no float() of theta)"
        )
        return False
    return ok


def sigma_mc(fn) -> bool:
    """Exercise 2: sigma_mc(theta, n, cut, seed)."""
    cases = [
        Case((0.0, 1000, 0.9, 0), 0.3983634992750678, "1000 samples, cut 0.9", rtol=1e-9),
        Case(
            (0.3, 500, 0.6, 1),
            0.27178432767727434,
            "500 samples, cut 0.6, theta = 0.3",
            rtol=1e-9,
            hints={
                _near(0.4529738794621239): "the volume of [-cut, cut] is 2 * cut, not 2",
                _near(0.3212435472439036): "the samples must be drawn in [-cut, cut], "
                "not in [-1, 1]",
            },
        ),
    ]
    ok = check("sigma_mc", fn, cases)
    try:
        slope = ad.grad(fn)(0.3, 500, 0.6, 1)
    except Exception as err:  # noqa: BLE001
        print(f"sigma_mc: ad.grad failed ({type(err).__name__}: {err}); use anp.mean")
        return False
    if not np.isclose(slope, 0.16931000686274744, rtol=1e-7):
        print(f"sigma_mc: the gradient at theta = 0.3 is {slope}, expected 0.16931000686")
        return False
    return ok


def predict_n_samples(fn) -> bool:
    """Exercise 3: properties any right prediction has (the value is measured next)."""

    def number(got):
        return isinstance(got, (int, float, np.floating)) and not isinstance(got, bool)

    def quarters(args):
        eps, cut = args
        coarse, fine = fn(2 * eps, cut), fn(eps, cut)
        return number(coarse) and number(fine) and bool(np.isclose(fine, 4 * coarse))

    cases = [
        Case(((0.02, 0.9),), True, "a number; half the error needs four times the samples"),
        Case(((0.05, 0.5),), True, "a number; half the error needs four times the samples"),
    ]
    ok = check("predict_n_samples", quarters, cases)
    try:
        qed_shape = np.isclose(fn(0.01, 0.9), 361.5847231694458, rtol=1e-6)
        grows = fn(0.01, 0.9) > fn(0.01, 0.3) > 0
    except Exception as err:  # noqa: BLE001
        print(f"predict_n_samples failed ({type(err).__name__}: {err})")
        return False
    if qed_shape:
        print(
            "predict_n_samples: this is the photon's shape 1 + cos^2; at theta = 0 the "
            "derivative comes from A_LL only: which angular factor goes with LL?"
        )
        return False
    if not grows:
        print(
            "predict_n_samples: a wider acceptance lets the derivative vary more over the "
            "samples, so it needs more of them; yours does not grow with cut"
        )
        return False
    return ok


def joint_score(fn) -> bool:
    """Exercise 4: joint_score(theta, z, cut)."""
    z = np.array([-0.7, 0.1, 0.8])
    cases = [
        Case(
            (0.0, z),
            np.array([-0.52870848, 0.03972469, 0.13454139]),
            "three events at theta = 0",
            atol=2e-4,
            hints={
                _near(np.array([0.09499822, 0.66343139, 0.75824809]), 1e-4): "the "
                "normalisation term -d log sigma / d theta is missing",
                lambda got: np.shape(got) == (): "one number for all events: give each event "
                "its own copy of theta, and take the gradient of the sum",
            },
        ),
        Case(
            (0.2, z, 0.6),
            np.array([-0.52159496, 0.0349083, 0.11639545]),
            "theta = 0.2, cut = 0.6",
            atol=2e-4,
        ),
    ]
    return check("joint_score", fn, cases)


def fit_score(fn) -> bool:
    """Exercise 5: fit_score(x, t, degree), lowest power first."""
    x = np.array([-1.0, 0.0, 1.0, 2.0])
    cases = [
        Case(
            (x, 1.0 - 2.0 * x + 0.5 * x**2, 2),
            np.array([1.0, -2.0, 0.5]),
            "an exact parabola 1 - 2x + 0.5x^2",
            atol=1e-9,
            hints={
                _near(np.array([0.5, -2.0, 1.0])): "highest power first (np.polyfit's "
                "order); the lowest power comes first here"
            },
        ),
    ]
    return check("fit_score", fn, cases)
