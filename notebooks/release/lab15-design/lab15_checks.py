"""Self-checks for Lab 15 (design optimisation): the VISIBLE checks of each exercise.

Each function runs one exercise's visible checks on your function and prints a report:
which input, what was expected, what you returned, and a hint for the classic mistakes.
Passing them is necessary, not sufficient: the hidden tests use other inputs.
"""

import numpy as np

import autodiff_lite as ad
import autodiff_lite.numpy as anp
from autodiff_lite.selfcheck import Case, check

Z4 = np.array([20.0, 40.0, 60.0, 80.0])
NOISY = np.stack([5.0 + 0.5 * Z4, -3.0 + 0.0 * Z4]) + np.array(
    [[0.1, -0.2, 0.3, 0.0], [0.0, 0.1, 0.0, -0.1]]
)


def _near(value, rtol=1e-8):
    def predicate(got):
        try:
            return np.shape(got) == np.shape(value) and np.allclose(got, value, rtol=rtol)
        except TypeError:
            return False

    return predicate


def fit_intercepts(fn) -> bool:
    """Exercise 1: fit_intercepts(z, hits) against np.polyfit, and differentiable in z."""
    fits = [np.polyfit(Z4, row, 1) for row in NOISY]
    intercepts = np.array([f[1] for f in fits])
    slopes = np.array([f[0] for f in fits])
    hints = {
        _near(slopes): "you returned the slopes; the intercept is mean(y) - slope * mean(z)",
        _near(NOISY.mean(axis=1) + slopes * Z4.mean()): "sign: the intercept is "
        "mean(y) - slope * mean(z)",
        lambda got: np.shape(got) == (4,): "one intercept per track (row of hits), not per layer",
    }
    cases = [
        Case((Z4, NOISY), intercepts, "two noisy tracks through 4 layers", rtol=1e-9, hints=hints),
    ]

    def grad_of_fit(z):
        return ad.grad(lambda z: anp.sum(fn(z, NOISY) ** 2))(z)

    grad_of_fit.__name__ = "grad of sum(fit_intercepts(z, hits)**2) in z"
    w = np.polyfit(Z4, NOISY.T, 1)[1]  # the intercepts again, for the expected gradient
    expected_grad = ad.jacfwd(lambda z: _intercepts_by_solve(z, NOISY))(Z4).T @ (2 * w)
    ok = check("fit_intercepts", fn, cases)
    hint = {
        lambda got: got is None: "use anp (autodiff_lite.numpy), not np, on z: it is traced",
    }
    return (
        check(
            "fit_intercepts (differentiable)",
            grad_of_fit,
            [
                Case(
                    (Z4,), expected_grad, "gradient with respect to the layer positions", hints=hint
                )
            ],
        )
        and ok
    )


def _intercepts_by_solve(z, hits):
    """The intercepts as the normal equations give them (another route to the same fit)."""
    n = anp.shape(z)[0]
    s1, s2 = anp.sum(z), anp.sum(z * z)
    sy, szy = anp.sum(hits, axis=1), hits @ z
    return (s2 * sy - s1 * szy) / (n * s2 - s1 * s1)


def ip_resolution(fn) -> bool:
    """Exercise 2: ip_resolution(z, sigma) against the least-squares covariance."""
    cases = []
    for z, name in [
        (np.linspace(20.0, 100.0, 6), "six equally spaced layers, 20 to 100 mm"),
        (np.array([20.0] * 5 + [100.0]), "five layers at 20 mm, one at 100 mm"),
    ]:
        A = np.stack([np.ones_like(z), z], axis=1)
        cov = 100.0 * np.linalg.inv(A.T @ A)
        expected = float(np.sqrt(cov[0, 0]))
        hints = {
            _near(expected**2): "that is the variance; return the standard deviation",
            _near(10.0 * np.sqrt(1 / len(z))): "only the 1/n term: the extrapolation to z = 0 "
            "adds mean(z)**2 / S_zz",
            _near(float(np.sqrt(cov[1, 1]))): "that is the slope's resolution, not the intercept's",
        }
        cases.append(Case((z, 10.0), expected, name, rtol=1e-9, hints=hints))
    return check("ip_resolution", fn, cases)


def soft_significance(fn) -> bool:
    """Exercise 3: soft_significance(ip, n_sig, cut, width, n_s, n_b)."""
    ip = np.array([50.0, -60.0, 1.0, -2.0, 0.5])

    def reference(ip, cut, width, n_s, n_b, signed=False, steep=None):
        x = ip if signed else np.abs(ip)
        k = (1.0 / width) if steep is None else steep
        passed = 1.0 / (1.0 + np.exp(-k * (x - cut)))
        s, b = n_s * passed[:2].mean(), n_b * passed[2:].mean()
        return s / np.sqrt(s + b)

    cases = []
    for cut, width, name in [
        (-100.0, 1.0, "a cut below every |IP|: everything passes, Z = 10 / sqrt(110)"),
        (20.0, 1.0, "cut 20, width 1"),
        (5.0, 3.0, "cut 5, width 3"),
    ]:
        args = (ip, 2, cut, width, 10.0, 100.0)
        hints = {
            _near(reference(ip, cut, width, 10.0, 100.0, signed=True)): "cut on |ip| "
            "(anp.abs): displaced tracks have IPs of both signs",
            _near(reference(ip, cut, width, 10.0, 100.0, steep=width)): "the steepness is "
            "1 / width, not width",
        }
        cases.append(Case(args, reference(*args[:1], cut, width, 10.0, 100.0), name, hints=hints))
    return check("soft_significance", fn, cases)


def optimise_design(fn) -> bool:
    """Exercise 4: optimise_design(objective, params, steps, lr) on a concave bowl."""

    def bowl(p):
        return -anp.sum((p["u"] - np.array([1.0, 2.0])) ** 2) - (p["cut"] - 3.0) ** 2

    def run(steps):
        params, history = fn(bowl, {"u": np.zeros(2), "cut": 0.0}, steps, 0.1)
        return {"first": history[0], "length": len(history), "cut": params["cut"]}

    run.__name__ = "optimise_design(bowl, start, steps, 0.1): first value, length, final cut"
    # Adam moves each parameter by about lr per step at first: 3 steps take the cut to ~0.3.
    opt = ad.optim.Adam(lr=0.1)
    p, state = {"u": np.zeros(2), "cut": 0.0}, None
    state = opt.init(p)
    for _ in range(3):
        g = {"u": -2 * (np.array([1.0, 2.0]) - p["u"]), "cut": -2 * (3.0 - p["cut"])}
        p, state = opt.update(p, g, state)
    hints = {
        lambda got: isinstance(got, dict) and got["cut"] < 0: "the cut moved away from the top: "
        "Adam minimises, so give it the gradient of -objective",
        lambda got: isinstance(got, dict) and got["first"] != -14.0: "record each value "
        "before the update: the first one is objective(start) = -14",
    }
    return check(
        "optimise_design",
        run,
        [Case((3,), {"first": -14.0, "length": 3, "cut": p["cut"]}, "3 steps", hints=hints)],
    )
