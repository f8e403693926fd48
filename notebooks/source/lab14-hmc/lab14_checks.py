"""Self-checks for Lab 14 (Hamiltonian Monte Carlo): the VISIBLE checks of each exercise.

Each function runs one exercise's visible checks on your function and prints a report:
which input, what was expected, what you returned, and a hint for the classic mistakes
(full kicks at both ends, the energy difference the wrong way round, a missing kinetic
energy, summing the autocorrelations over all lags). Passing them is necessary, not
sufficient: the hidden tests use other inputs. (The expected values are written out as
numbers, so this file holds no solutions.)
"""

import numpy as np

from autodiff_lite.selfcheck import Case, check

PRECISION = np.array([[2.0, 0.5], [0.5, 1.0]])


def _near(value, rtol=1e-8):
    def predicate(got):
        try:
            return bool(np.allclose(np.asarray(got, dtype=float), value, rtol=rtol, atol=1e-10))
        except (TypeError, ValueError):
            return False

    return predicate


def _oscillator(q):
    return -q


def leapfrog(fn) -> bool:
    """Exercise 1: leapfrog(q, p, step_size, n_steps, grad_fn)."""
    cases = [
        Case((1.0, 0.0, 0.1, 1, _oscillator), (0.995, -0.09975), "oscillator, one step"),
        Case(
            (1.0, 0.0, 0.1, 10, _oscillator),
            (0.5399512509335084, -0.8406435124348496),
            "oscillator, ten steps",
            hints={
                _near((0.4978137315132152, -0.8427503884058641)): "full kicks: this is the "
                "symplectic Euler method; leapfrog starts and ends with a HALF kick",
            },
        ),
        Case(
            (np.array([1.0, -0.5]), np.array([0.3, 0.2]), 0.2, 5, lambda q: -PRECISION @ q),
            (np.array([0.45510494, -0.3193062]), np.array([-1.20501055, 0.17933896])),
            "a correlated 2-D Gaussian, five steps",
            rtol=1e-6,
        ),
    ]
    return check("leapfrog", fn, cases)


def hmc_step(fn) -> bool:
    """Exercise 2: a chain of three hmc_step calls, replayed with a fixed seed."""

    def chain(seed):
        rng = np.random.default_rng(seed)
        q, accepted = np.array([1.0, -0.5]), []
        for _ in range(3):
            q, a = fn(q, lambda q: -0.5 * q @ PRECISION @ q, lambda q: -PRECISION @ q, 0.9, 3, rng)
            accepted.append(bool(a))
        return {"accepted": accepted, "q": np.asarray(q, dtype=float)}

    expected = {
        "accepted": [True, True, False],
        "q": np.array([0.4845668443841347, -0.692682714817128]),
    }
    hints = {
        lambda got: (
            got["accepted"] == [True, False, True] or not got["accepted"][0]
        ): "check the sign: accept when log u < H_old - H_new "
        "(a proposal of lower energy is always accepted)",
    }

    def compare(got, exp):
        return got["accepted"] == exp["accepted"] and np.allclose(got["q"], exp["q"])

    case = Case(
        (0,),
        expected,
        "three steps from (1, -0.5), seed 0, step 0.9, 3 leapfrog steps",
        hints=hints,
    )
    return check("hmc_step", chain, [case], compare=compare)


def effective_sample_size(fn) -> bool:
    """Exercise 3: effective_sample_size(x) on an AR(1) chain and on independent draws."""
    rng = np.random.default_rng(0)
    x = np.empty(10000)
    x[0] = rng.normal() / np.sqrt(1 - 0.8**2)
    for t in range(1, len(x)):
        x[t] = 0.8 * x[t - 1] + rng.normal()
    iid = rng.normal(size=5000)

    def within(got, expected):
        return 0.8 < float(got) / expected < 1.2

    hints = {
        lambda got: np.isclose(float(got), len(x)): "you returned N: divide by the "
        "autocorrelation time tau",
        lambda got: float(got) > 3 * 10000 * 0.2 / 1.8 or float(got) < 0: "far off: stop "
        "summing when a pair rho_2m + rho_2m+1 is no longer positive",
    }
    cases = [
        Case((x,), 10000 * 0.2 / 1.8, "AR(1) with phi = 0.8, N = 10000 (exact 1111)", hints=hints),
        Case((iid,), 5000.0, "5000 independent draws"),
    ]
    return check("effective_sample_size", fn, cases, compare=within)
