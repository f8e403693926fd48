"""Self-checks for Lab 17 (a differentiable simulator): the VISIBLE checks of each exercise.

Each function runs one exercise's visible checks on your function and prints a report:
which input, what was expected, what you returned, and a hint for the classic mistakes.
Passing them is necessary, not sufficient: the hidden tests use other inputs.
"""

import numpy as np

import autodiff_lite as ad
import autodiff_lite.numpy as anp
from autodiff_lite.selfcheck import Case, check

X0 = np.sin(np.linspace(0.5, 2.5, 5))
V0 = 0.2 * np.cos(np.linspace(0.0, 2.0, 5))
SENSORS = np.array([1, 3])


def _leapfrog(acc, x, v, k, gamma, dt, damping_at_half=True):
    kick = v + dt / 2 * acc(x, v, k, gamma)
    moved = x + dt * kick
    damp_v = kick if damping_at_half else v
    return moved, kick + dt / 2 * acc(moved, damp_v, k, gamma)


def _euler(acc, x, v, k, gamma, dt):
    return x + dt * v, v + dt * acc(x, v, k, gamma)


def _pair_near(pair):
    def predicate(got):
        try:
            return all(np.allclose(g, e, rtol=1e-9) for g, e in zip(got, pair))
        except (TypeError, ValueError):
            return False

    return predicate


def verlet_step(fn, acc) -> bool:
    """Exercise 1: verlet_step(state, k, gamma, dt) against a reference step."""
    cases = []
    for k, gamma, dt, name in [
        (1.0, 0.0, 0.1, "5 masses, no damping, dt = 0.1"),
        (1.5, 0.3, 0.2, "5 masses, k = 1.5, gamma = 0.3, dt = 0.2"),
    ]:
        expected = _leapfrog(acc, X0, V0, k, gamma, dt)
        hints = {
            _pair_near(_euler(acc, X0, V0, k, gamma, dt)): "that is an explicit Euler step: "
            "half a kick, a drift with the half-step velocity, then the second half kick",
            _pair_near(_leapfrog(acc, X0, V0, k, gamma, dt, damping_at_half=False)): "the "
            "second half kick uses the half-step velocity v_half in the damping term, "
            "not the old v",
        }
        cases.append(Case(((X0, V0), k, gamma, dt), expected, name, rtol=1e-10, hints=hints))
    return check("verlet_step", fn, cases)


def _readings(acc, k, gamma, n_steps, dt, every):
    x, v, rows = X0, V0, []
    for t in range(n_steps):
        x, v = _leapfrog(acc, x, v, k, gamma, dt)
        if (t + 1) % every == 0:
            rows.append(x[SENSORS])
    return np.array(rows)


def simulate(fn, acc) -> bool:
    """Exercise 2: simulate(k, gamma, x0, v0, n_steps, dt, sensors, every)."""
    expected = _readings(acc, 1.0, 0.1, 20, 0.1, 5)
    hints = {
        lambda got: np.shape(got) == (5, 2): "one reading too many: record after steps "
        "every, 2 * every, ... (not before the first step)",
        lambda got: np.shape(got) == (20, 2): "record only every `every`-th step",
        lambda got: np.shape(got) == (4, 5): "record only the sensor masses, x[sensors]",
    }
    cases = [
        Case(
            (1.0, 0.1, X0, V0, 20, 0.1, SENSORS, 5),
            expected,
            "5 masses, 20 steps, a reading every 5",
            rtol=1e-9,
            hints=hints,
        )
    ]
    ok = check("simulate", fn, cases)

    def d_readings_dk(k):
        return ad.grad(lambda k: anp.sum(fn(k, 0.1, X0, V0, 20, 0.1, SENSORS, 5)))(k)

    d_readings_dk.__name__ = "d/dk of sum(simulate(k, ...)), against finite differences"
    h = 1e-6
    fd = (
        _readings(acc, 1.0 + h, 0.1, 20, 0.1, 5).sum()
        - _readings(acc, 1.0 - h, 0.1, 20, 0.1, 5).sum()
    ) / (2 * h)
    hint = {lambda got: got == 0.0: "the gradient is zero: compute with anp, not np"}
    return (
        check(
            "simulate (gradient)", d_readings_dk, [Case((1.0,), fd, "k = 1", rtol=1e-5, hints=hint)]
        )
        and ok
    )


def simulate_checkpointed(fn, acc) -> bool:
    """Exercise 3: simulate_checkpointed(..., segment) against the reference readings."""
    expected = _readings(acc, 1.0, 0.1, 40, 0.1, 5)
    cases = [
        Case(
            (1.0, 0.1, X0, V0, 40, 0.1, SENSORS, 5, 10),
            expected,
            "40 steps in segments of 10, a reading every 5",
            rtol=1e-9,
            hints={
                lambda got: np.shape(got) == (2, 2): "concatenate the readings of every "
                "segment, not only the last one's",
            },
        )
    ]
    ok = check("simulate_checkpointed", fn, cases)

    def gradient(k, gamma):
        return ad.grad(
            lambda k, g: anp.sum(fn(k, g, X0, V0, 40, 0.1, SENSORS, 5, 10) ** 2), argnums=(0, 1)
        )(k, gamma)

    gradient.__name__ = "ad.grad in (k, gamma) of sum(readings**2), against finite differences"
    h = 1e-6
    fd = tuple(
        (
            (_readings(acc, 1.0 + h * e[0], 0.1 + h * e[1], 40, 0.1, 5) ** 2).sum()
            - (_readings(acc, 1.0 - h * e[0], 0.1 - h * e[1], 40, 0.1, 5) ** 2).sum()
        )
        / (2 * h)
        for e in np.eye(2)
    )
    hint = {
        lambda got: np.allclose(got, 0.0): "a zero gradient: pass k and gamma to the "
        "checkpointed segment as arguments, not by closure",
    }
    return (
        check(
            "simulate_checkpointed (gradient)",
            gradient,
            [Case((1.0, 0.1), fd, "k = 1, gamma = 0.1", rtol=1e-5, hints=hint)],
        )
        and ok
    )
