"""Self-checks for Lab 8 (differentiable pipelines): the VISIBLE checks of each exercise.

Each function runs one exercise's visible checks on your function and prints a report:
which input, what was expected, what you returned, and a hint for the classic mistakes
(explicit instead of semi-implicit Euler, a damping with the wrong sign, the starting angle
counted as a step, a run too many or too few, a calibration that stops too early). Passing
them is necessary, not sufficient: the hidden tests use other inputs.
"""

import numpy as np

import autodiff_lite as ad
import autodiff_lite.numpy as anp
from autodiff_lite.selfcheck import Case, check

DT, N_STEPS = 0.05, 40


def _reference_swing(state0, stiffness, damping, n_steps, dt):
    ang, vel = state0[..., 0], state0[..., 1]
    out = []
    for _ in range(n_steps):
        vel = vel + dt * (-stiffness * anp.sin(ang) - damping * vel)
        ang = ang + dt * vel
        out.append(ang)
    return anp.stack(out, axis=-1)


def _explicit_euler(state0, stiffness, damping, n_steps, dt):
    ang, vel = state0[..., 0], state0[..., 1]
    out = []
    for _ in range(n_steps):
        ang, vel = ang + dt * vel, vel + dt * (-stiffness * np.sin(ang) - damping * vel)
        out.append(ang)
    return np.stack(out, axis=-1)


def _near(value):
    def predicate(got):
        g = np.asarray(got, dtype=float)
        return g.shape == np.shape(value) and np.allclose(g, value, rtol=1e-9, atol=1e-12)

    return predicate


_START = np.array([[0.8, 0.0], [-0.3, 1.0]])


def swing(fn) -> bool:
    """Exercise 1: the angles after every step, and their gradient in the stiffness."""
    cases = []
    for k, g, n, dt in [
        (10.0, 0.0, 1, 0.1),
        (9.0, 0.3, 3, 0.05),
        (np.array([4.0, 12.0]), 0.5, 40, 0.05),
    ]:
        expected = np.asarray(_reference_swing(_START, k, g, n, dt))
        with_start = np.concatenate([_START[:, :1], expected[:, :-1]], axis=1)
        cases.append(
            Case(
                args=(_START, k, g, n, dt),
                expected=expected,
                name=f"two pendulums, stiffness {k}, damping {g}, {n} steps of {dt}",
                rtol=1e-10,
                atol=1e-12,
                hints={
                    _near(_explicit_euler(_START, k, g, n, dt)): "that is explicit Euler: "
                    "update the velocity first, then move the angle with the NEW velocity",
                    _near(np.asarray(_reference_swing(_START, k, -g, n, dt)))
                    if g
                    else (
                        lambda got: False
                    ): "damping must slow the pendulum down: -damping * omega (minus sign)",
                    _near(with_start): "column k is the angle AFTER step k + 1: don't store "
                    "the starting angle",
                    lambda got, n=n: (
                        np.shape(got) == (n, 2)
                    ): "transposed: return (batch, n_steps), anp.stack(angles, axis=1)",
                },
            )
        )
    ok = check("swing", fn, cases)

    def grad_in_stiffness(k):
        return ad.grad(lambda k_: anp.sum(fn(_START, k_, 0.3, 20, 0.05)))(k)

    grad_in_stiffness.__name__ = "grad_in_stiffness_of_your_swing"
    expected = ad.grad(lambda k_: anp.sum(_reference_swing(_START, k_, 0.3, 20, 0.05)))(9.0)
    case = Case(
        args=(9.0,),
        expected=expected,
        name="ad.grad in the stiffness of the summed angles",
        rtol=1e-9,
        hints={lambda got: got == 0: "zero: is the stiffness used with anp arithmetic?"},
    )
    return check("swing (gradient)", grad_in_stiffness, [case]) and ok


def _counted(n_params, method):
    runs = [0]

    def loss(p):
        runs[0] += 1
        return anp.sum((anp.cos(p) + 0.5 * p * p - 1.0) ** 2)

    transforms = {
        "grad": ad.grad,
        "jacfwd": ad.jacfwd,
        "jacrev": ad.jacrev,
        "hessian": ad.hessian,
    }
    transforms[method](loss)(np.linspace(0.5, 1.5, n_params))
    return runs[0]


def predict_simulator_runs(fn) -> bool:
    """Exercise 2: predicted runs of the simulator against counted ones."""
    cases = []
    for n in (1, 3):
        for method in ("grad", "jacfwd", "jacrev", "hessian"):
            measured = _counted(n, method)
            hints = {}
            if method == "grad":
                hints[lambda got, m=measured: got == m + 1] = (
                    "ad.grad records ONE run; the backward pass walks that recording, it does "
                    "not run the simulator again"
                )
            if method == "hessian" and n > 1:
                hints[lambda got, n=n: got == n * n] = (
                    "not n^2: jacfwd(jacrev(f)) is n forward passes, each through one run"
                )
            cases.append(
                Case(args=(n, method), expected=measured, name=f"n = {n}, {method}", hints=hints)
            )
    return check("predict_simulator_runs", fn, cases)


def fit_pendulum(fn) -> bool:
    """Exercise 3: the calibrated constants from noise-free swings."""
    start = np.array([[0.8, 0.0], [-0.4, 2.0]])
    cases = []
    for k_true, g_true, guess in [(9.0, 0.4, (7.5, 1.0)), (5.0, 0.8, (6.0, 0.3))]:
        observed = np.asarray(_reference_swing(start, k_true, g_true, N_STEPS, DT))
        cases.append(
            Case(
                args=(start, observed, guess),
                expected=(k_true, g_true),
                name=f"swings made with stiffness {k_true}, damping {g_true}, start at {guess}",
                rtol=1e-4,
                hints={
                    lambda got, guess=guess: np.allclose(np.asarray(got, dtype=float), guess): (
                        "you returned the guess: did the fit take any steps?"
                    )
                },
            )
        )
    return check("fit_pendulum", fn, cases)


def _reference_loss(params, targets, simulate):
    omega0 = 3.0 * targets + ad.nn.mlp(params, targets[:, None])[:, 0]
    angles = simulate(anp.stack([0.0 * omega0, omega0], axis=-1))
    return anp.mean((angles[:, -1] - targets) ** 2)


def end_to_end_loss(fn) -> bool:
    """Exercise 3: the mean squared miss of the network's kicks through a simulator."""
    params = ad.nn.init_mlp(np.random.default_rng(0), [1, 4, 1])
    targets = np.array([0.5, -1.0, 1.1])

    def sim(state0):
        return _reference_swing(state0, 9.0, 0.3, 10, 0.05)

    def summed(p, t, s):
        omega0 = 3.0 * t + ad.nn.mlp(p, t[:, None])[:, 0]
        return anp.sum((s(anp.stack([0.0 * omega0, omega0], axis=-1))[:, -1] - t) ** 2)

    def first_angle(p, t, s):
        omega0 = 3.0 * t + ad.nn.mlp(p, t[:, None])[:, 0]
        return anp.mean((s(anp.stack([0.0 * omega0, omega0], axis=-1))[:, 0] - t) ** 2)

    case = Case(
        args=(params, targets, sim),
        expected=_reference_loss(params, targets, sim),
        name="3 targets, a small network, 10 steps of the pendulum",
        rtol=1e-10,
        hints={
            _near(summed(params, targets, sim)): "that is the sum over targets: take the mean",
            _near(first_angle(params, targets, sim)): "that is the angle after the FIRST step: "
            "the target is for the last angle, column -1",
        },
    )
    ok = check("end_to_end_loss", fn, [case])

    def grad_first_bias(p):
        return ad.grad(fn)(p, targets, sim)[0]["b"]

    grad_first_bias.__name__ = "grad_of_your_loss"
    expected = ad.grad(_reference_loss)(params, targets, sim)[0]["b"]
    grad_case = Case(
        args=(params,),
        expected=expected,
        name="ad.grad in the first layer's bias",
        rtol=1e-9,
        atol=1e-12,
    )
    return check("end_to_end_loss (gradient)", grad_first_bias, [grad_case]) and ok
