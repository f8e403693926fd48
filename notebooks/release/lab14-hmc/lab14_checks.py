"""Self-checks for Lab 14 (Hamiltonian Monte Carlo): the VISIBLE checks of each exercise.

Each function runs one exercise's visible checks on your function and prints a report:
which input, what was expected, what you returned, and a hint for the classic mistakes
(full kicks at both ends, the energy difference the wrong way round, a missing kinetic
energy, summing the autocorrelations over all lags, a rejected proposal not recorded).
Passing them is necessary, not sufficient: the hidden tests use other inputs. (The expected
values are written out as numbers or computed with numpy, so this file holds no solutions.)

It also holds the lab's measuring instruments, used by the measure cells and the tests:
``gaussian_target`` (a Gaussian log-density and its gradient), ``Counted`` (counts the
calls of a function) and the two measurements of Exercise 2, which run *your* leapfrog.
"""

import numpy as np

from autodiff_lite.selfcheck import Case, check

PRECISION = np.array([[2.0, 0.5], [0.5, 1.0]])


class Counted:
    """``f = Counted(g)`` behaves as ``g`` and counts its calls in ``f.n``."""

    def __init__(self, fn):
        self.fn, self.n = fn, 0

    def __call__(self, *args):
        self.n += 1
        return self.fn(*args)


def gaussian_target(precision):
    """(log_density, grad_fn) of the zero-mean Gaussian with this precision matrix."""
    precision = np.asarray(precision, dtype=float)

    def log_density(q):
        return -0.5 * q @ precision @ q

    def grad_fn(q):
        return -precision @ q

    return log_density, grad_fn


def largest_energy_error(leapfrog, precision, step_size, length, q0, p0):
    """The largest |H - H(start)| along a trajectory of the given length, one leapfrog step
    at a time (``leapfrog`` is the integrator measured)."""
    log_density, grad_fn = gaussian_target(precision)

    def energy(q, p):
        return -log_density(q) + 0.5 * np.sum(p**2)

    q, p, h0, worst = q0, p0, energy(q0, p0), 0.0
    for _ in range(int(round(length / step_size))):
        q, p = leapfrog(q, p, step_size, 1, grad_fn)
        worst = max(worst, abs(float(energy(q, p) - h0)))
    return worst


def measure_energy_error_ratio(leapfrog, precision, shrink, step_size=0.05):
    """Largest energy error at step_size over that at step_size / shrink (length 1)."""
    precision = np.asarray(precision, dtype=float)
    q0 = np.linspace(1.0, -0.5, len(precision))
    p0 = np.linspace(0.3, 0.8, len(precision))
    coarse = largest_energy_error(leapfrog, precision, step_size, 1.0, q0, p0)
    fine = largest_energy_error(leapfrog, precision, step_size / shrink, 1.0, q0, p0)
    return coarse / fine


def measure_max_stable_step(leapfrog, precision, n_steps=300):
    """The largest step size for which n_steps leapfrog steps stay bounded (bisection)."""
    _, grad_fn = gaussian_target(precision)
    q0 = np.linspace(1.0, -0.7, len(precision)) + 0.3

    def stable(step_size):
        with np.errstate(all="ignore"):
            q, _ = leapfrog(q0, np.zeros_like(q0), step_size, n_steps, grad_fn)
        return bool(np.all(np.abs(q) < 1e6))

    low, high = 0.0, 1.0
    while stable(high):
        low, high = high, 2.0 * high
    for _ in range(30):
        middle = 0.5 * (low + high)
        low, high = (middle, high) if stable(middle) else (low, middle)
    return 0.5 * (low + high)


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


def predictions(ratio_fn, stable_fn, leapfrog_fn) -> bool:
    """Exercise 2: your predictions against measurements made with your leapfrog."""
    try:
        ratio = measure_energy_error_ratio(leapfrog_fn, PRECISION, 2)
        stable = measure_max_stable_step(leapfrog_fn, PRECISION)
    except NotImplementedError:
        print("predictions: not implemented yet (finish Exercise 1, leapfrog, first)")
        return False
    ok = check(
        "predict_energy_error_ratio",
        ratio_fn,
        [
            Case(
                (2,),
                ratio,
                "halving the step, measured with your leapfrog",
                rtol=0.1,
                hints={
                    _near(2.0): "that is a first-order method's ratio; leapfrog's "
                    "error over a trajectory is of a higher order in the step size"
                },
            )
        ],
    )
    return ok & check(
        "predict_max_stable_step",
        stable_fn,
        [
            Case(
                (PRECISION,),
                stable,
                "the 2-D Gaussian with precision [[2, 0.5], [0.5, 1]]",
                rtol=0.02,
                hints={
                    _near(2 / np.sqrt(2.0), 1e-6): "the diagonal is not the stiffness of the "
                    "stiffest direction: use the eigenvalues of the precision matrix",
                    _near(1 / np.sqrt(2.2071067811865475), 1e-6): "a factor 2 is missing: "
                    "for q'' = -w^2 q leapfrog is stable while step * w < 2",
                },
            )
        ],
    )


def _same_chain(got, exp) -> bool:
    """Two replayed chains agree: the same states (to 1e-6) and the same acceptance rate."""
    return (
        got["samples"].shape == exp["samples"].shape
        and np.allclose(got["samples"], exp["samples"], rtol=1e-6)
        and np.isclose(got["rate"], exp["rate"])
    )


def hmc_chain(fn) -> bool:
    """Exercise 3: a chain of six transitions, replayed with a fixed seed."""
    log_density, grad_fn = gaussian_target(PRECISION)

    def chain(seed):
        rng = np.random.default_rng(seed)
        samples, rate = fn(log_density, grad_fn, np.array([1.0, -0.5]), 6, 0.9, 3, rng)
        return {"samples": np.asarray(samples, dtype=float), "rate": float(rate)}

    expected = {
        "samples": np.array(
            [
                [-0.55122009, 0.99403691],
                [-0.55122009, 0.99403691],
                [1.56709567, -0.41532433],
                [0.93457939, 0.99448151],
                [0.82311257, -0.05240606],
                [-0.4563507, -1.36756616],
            ]
        ),
        "rate": 5 / 6,
    }

    hints = {
        lambda got: got["samples"].shape != (6, 2): "return one row per transition, shape "
        "(n_samples, dim), the state AFTER each transition (repeated when rejected)",
        lambda got: not np.allclose(got["samples"][0], expected["samples"][0], rtol=1e-6): (
            "the first proposal differs: draw the step-size factor first, then the "
            "momentum, then u; accept when log u < H_old - H_new"
        ),
    }
    case = Case((0,), expected, "6 transitions from (1, -0.5), seed 0, step 0.9, 3 steps")
    case.hints = hints
    return check("hmc_chain", chain, [case], compare=_same_chain)


def effective_sample_size(fn) -> bool:
    """Exercise 4: effective_sample_size(x) on an AR(1) chain and on independent draws."""
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


def random_walk_metropolis(fn) -> bool:
    """Exercise 5: six Metropolis steps, replayed with a fixed seed."""
    log_density, _ = gaussian_target(PRECISION)

    def chain(seed):
        rng = np.random.default_rng(seed)
        samples, rate = fn(log_density, np.array([1.0, -0.5]), 6, 1.0, rng)
        return {"samples": np.asarray(samples, dtype=float), "rate": float(rate)}

    first, second = [1.12573022, -0.63210486], [-0.13969125, -1.25537933]
    expected = {"samples": np.array([first] * 3 + [second] * 3), "rate": 1 / 3}

    hints = {
        lambda got: len(got["samples"]) < 6: "record the current state after EVERY step, "
        "the old one again when the proposal is rejected",
    }
    case = Case((0,), expected, "6 steps from (1, -0.5), seed 0, scale 1", hints=hints)
    return check("random_walk_metropolis", chain, [case], compare=_same_chain)


def make_ar1_target(fn) -> bool:
    """Exercise 6: the AR(1) log-density and its gradient at one point, rho = 0.8."""
    q = np.array([0.5, -1.0, 2.0, 0.3])
    lags = np.abs(np.subtract.outer(np.arange(4), np.arange(4)))
    precision = np.linalg.inv(0.8**lags)  # the inverse of the covariance rho^|i - j|

    def at_q(rho):
        log_density, grad_fn = fn(rho)
        zero = np.zeros(4)
        return {
            "log ratio": float(log_density(q) - log_density(zero)),
            "grad": np.asarray(grad_fn(q), dtype=float),
        }

    expected = {"log ratio": float(-0.5 * q @ precision @ q), "grad": -precision @ q}
    hints = {
        lambda got: np.isclose(got["log ratio"], -0.5 * q @ q): "that is an independent "
        "Gaussian: the innovations are q_t - rho q_(t-1)",
    }
    case = Case((0.8,), expected, "rho = 0.8 at q = (0.5, -1, 2, 0.3)", rtol=1e-8, hints=hints)
    return check("make_ar1_target", at_q, [case])
