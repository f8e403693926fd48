"""Self-checks for Lab 8 (differentiable pipelines): the VISIBLE checks of each exercise.

Each function runs one exercise's visible checks on your function and prints a report:
which input, what was expected, what you returned, and a hint for the classic mistakes
(drag with the wrong sign, gravity on the wrong axis, a summed instead of a mean loss, a
fit of k that can go negative). Passing them is necessary, not sufficient: the hidden
tests use other inputs.
"""

import numpy as np

import autodiff_lite as ad
import autodiff_lite.numpy as anp
from autodiff_lite.selfcheck import Case, check

GRAVITY = 9.81


def _reference_fly(v0, k, n_steps, dt):
    vel_x, vel_y = v0[..., 0], v0[..., 1]
    pos_x, pos_y = 0.0 * vel_x, 0.0 * vel_y
    for _step in range(n_steps):
        speed = anp.sqrt(vel_x**2 + vel_y**2)
        vel_x, vel_y = vel_x - dt * k * speed * vel_x, vel_y - dt * (k * speed * vel_y + GRAVITY)
        pos_x, pos_y = pos_x + dt * vel_x, pos_y + dt * vel_y
    return anp.stack([pos_x, pos_y], axis=-1)


def _near(value):
    def predicate(got):
        g = np.asarray(got, dtype=float)
        return g.shape == np.shape(value) and np.allclose(g, value, rtol=1e-9, atol=1e-12)

    return predicate


def fly(fn) -> bool:
    """Exercise 1: landing positions, and their gradient in k."""
    v0 = np.array([[6.0, 4.0], [3.0, 0.0]])
    cases = []
    for k, n, dt in [(0.0, 2, 0.1), (0.1, 2, 0.1), (0.1, 25, 0.04)]:
        hints = {
            _near(_reference_fly(v0, -k, n, dt)) if k else (lambda got: False): "drag must "
            "slow the ball down: a = -k |v| v (minus sign)",
        }
        cases.append(
            Case(
                args=(v0, k, n, dt),
                expected=np.asarray(_reference_fly(v0, k, n, dt)),
                name=f"two launches, k = {k}, {n} steps of {dt}",
                rtol=1e-10,
                atol=1e-12,
                hints=hints,
            )
        )
    ok = check("fly", fn, cases)

    def grad_in_k(k):
        return ad.grad(lambda k_: anp.sum(fn(v0, k_, 25, 0.04)))(k)

    grad_in_k.__name__ = "grad_in_k_of_your_fly"
    expected = ad.grad(lambda k_: anp.sum(_reference_fly(v0, k_, 25, 0.04)))(0.1)
    case = Case(
        args=(0.1,),
        expected=expected,
        name="ad.grad in k of the summed positions",
        rtol=1e-9,
        hints={lambda got: got == 0: "zero: is k used with anp arithmetic?"},
    )
    return check("fly (gradient)", grad_in_k, [case]) and ok


def _reference_loss(params, targets, simulate):
    v_start = (targets + 0.5 * np.array([0.0, GRAVITY])) + 5.0 * ad.nn.mlp(
        params, (targets - np.array([5.0, 1.0])) / 3.0
    )
    missed = simulate(v_start) - targets
    return anp.mean(anp.sum(missed * missed, axis=1))


def end_to_end_loss(fn) -> bool:
    """Exercise 2: the mean squared miss of the network's launches through a simulator."""
    params = ad.nn.init_mlp(np.random.default_rng(0), [2, 4, 2])
    targets = np.array([[4.0, 1.0], [6.0, -0.5], [3.0, 2.0]])

    def sim(v0):
        return _reference_fly(v0, 0.1, 25, 0.04)

    def sum_loss(p, t, s):
        v_start = (t + 0.5 * np.array([0.0, GRAVITY])) + 5.0 * ad.nn.mlp(p, (t - [5.0, 1.0]) / 3.0)
        return anp.sum((s(v_start) - t) ** 2)

    cases = [
        Case(
            args=(params, targets, sim),
            expected=_reference_loss(params, targets, sim),
            name="3 targets, a small network, the drag simulator",
            rtol=1e-10,
            hints={
                _near(sum_loss(params, targets, sim)): "that is the sum over targets: "
                "take the mean over targets of the squared distance"
            },
        ),
    ]
    ok = check("end_to_end_loss", fn, cases)

    def grad_first_bias(p):
        return ad.grad(fn)(p, targets, sim)[0]["b"]

    grad_first_bias.__name__ = "grad_of_your_loss"
    expected = ad.grad(_reference_loss)(params, targets, sim)[0]["b"]
    case = Case(
        args=(params,),
        expected=expected,
        name="ad.grad in the first layer's bias",
        rtol=1e-9,
        atol=1e-12,
    )
    return check("end_to_end_loss (gradient)", grad_first_bias, [case]) and ok


def fit_drag(fn) -> bool:
    """Exercise 3: the calibrated drag coefficient from noiseless trajectories."""
    launches = np.array([[6.0, 4.0], [8.0, 2.0]])
    cases = []
    for k_true in (0.05, 0.2):
        observed = np.asarray(_reference_fly(launches, k_true, 25, 0.04))
        cases.append(
            Case(
                args=(launches, observed, 0.3),
                expected=k_true,
                name=f"landing points made with k = {k_true}, start at 0.3",
                rtol=1e-3,
            )
        )
    return check("fit_drag", fn, cases)
