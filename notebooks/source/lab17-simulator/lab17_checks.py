"""Self-checks for Lab 17 (a differentiable simulator): the VISIBLE checks of each exercise.

Each function runs one exercise's visible checks on your function and prints a report:
which input, what was expected, what you returned, and a hint for the classic mistakes.
Passing them is necessary, not sufficient: the hidden tests use other inputs.
"""

import numpy as np

import autodiff_lite as ad
import autodiff_lite.numpy as anp
from autodiff_lite.selfcheck import Case, check

G = 9.81
TH0 = np.array([0.4, -1.1, 2.2])
OM0 = np.array([0.3, 0.0, -0.5])


def _accel(length, damping):
    return lambda th, om: -G / length * anp.sin(th) - damping * om


def _kick_drift_kick(th, om, length, damping, dt, damp_new=True, linear=False):
    """The reference step (and two classic slips of it, for the hints)."""
    acc = _accel(length, damping)
    if linear:
        acc = lambda th, om: -G / length * th - damping * om  # noqa: E731
    om_half = om + dt / 2 * acc(th, om)
    th_new = th + dt * om_half
    return th_new, om_half + dt / 2 * acc(th_new, om_half if damp_new else om)


def _euler(th, om, length, damping, dt):
    return th + dt * om, om + dt * _accel(length, damping)(th, om)


def _pair_near(pair):
    def predicate(got):
        try:
            return all(np.allclose(g, e, rtol=1e-9) for g, e in zip(got, pair))
        except (TypeError, ValueError):
            return False

    return predicate


def pendulum_step(fn) -> bool:
    """Exercise 1: pendulum_step(state, length, damping, dt) against a reference step."""
    cases = []
    for length, damping, dt, name in [
        (1.0, 0.0, 0.05, "3 pendulums, L = 1, no damping, dt = 0.05"),
        (1.5, 0.4, 0.1, "3 pendulums, L = 1.5, gamma = 0.4, dt = 0.1"),
    ]:
        expected = _kick_drift_kick(TH0, OM0, length, damping, dt)
        hints = {
            _pair_near(_euler(TH0, OM0, length, damping, dt)): "that is an explicit Euler "
            "step: half a kick, a drift with the half-step velocity, then the second half kick",
            _pair_near(_kick_drift_kick(TH0, OM0, length, damping, dt, linear=True)): "you "
            "used theta instead of sin(theta): that is the small-angle pendulum",
        }
        if damping:
            slip = _kick_drift_kick(TH0, OM0, length, damping, dt, damp_new=False)
            hints[_pair_near(slip)] = (
                "the second half kick damps the half-step velocity, not the old one"
            )
        cases.append(
            Case(((TH0, OM0), length, damping, dt), expected, name, rtol=1e-10, hints=hints)
        )
    return check("pendulum_step", fn, cases)


def _readings(length, damping, n_steps, dt, every):
    state, rows = (TH0, np.zeros(3)), []
    for t in range(n_steps):
        state = _kick_drift_kick(*state, length, damping, dt)
        if (t + 1) % every == 0:
            rows.append(state[0])
    return np.array(rows)


def simulate(fn) -> bool:
    """Exercise 2: simulate(length, damping, theta0, n_steps, dt, every)."""
    expected = _readings(1.2, 0.3, 20, 0.06, 5)
    hints = {
        lambda got: np.shape(got) == (5, 3): "one reading too many: record after steps "
        "every, 2 * every, ... (not before the first step)",
        lambda got: np.shape(got) == (20, 3): "record only every `every`-th step",
    }
    cases = [
        Case(
            (1.2, 0.3, TH0, 20, 0.06, 5),
            expected,
            "3 pendulums, 20 steps, a reading every 5",
            rtol=1e-9,
            hints=hints,
        )
    ]
    ok = check("simulate", fn, cases)

    def d_readings_dlength(length):
        return ad.grad(lambda L: anp.sum(fn(L, 0.3, TH0, 20, 0.06, 5)))(length)

    d_readings_dlength.__name__ = "d/dL of sum(simulate(L, ...)), against finite differences"
    h = 1e-6
    fd = (
        _readings(1.2 + h, 0.3, 20, 0.06, 5).sum() - _readings(1.2 - h, 0.3, 20, 0.06, 5).sum()
    ) / (2 * h)
    hint = {lambda got: got == 0.0: "the gradient is zero: compute with anp, not np"}
    return (
        check(
            "simulate (gradient)",
            d_readings_dlength,
            [Case((1.2,), fd, "L = 1.2", rtol=1e-5, hints=hint)],
        )
        and ok
    )


def simulate_checkpointed(fn) -> bool:
    """Exercise 3: simulate_checkpointed(..., segment) against the reference readings."""
    expected = _readings(1.2, 0.3, 40, 0.06, 4)
    cases = [
        Case(
            (1.2, 0.3, TH0, 40, 0.06, 4, 8),
            expected,
            "40 steps in segments of 8, a reading every 4",
            rtol=1e-9,
            hints={
                lambda got: np.shape(got) == (2, 3): "concatenate the readings of every "
                "segment, not only the last one's",
            },
        )
    ]
    ok = check("simulate_checkpointed", fn, cases)

    def gradient(length, damping):
        return ad.grad(lambda L, c: anp.sum(fn(L, c, TH0, 40, 0.06, 4, 8) ** 2), argnums=(0, 1))(
            length, damping
        )

    gradient.__name__ = "ad.grad in (L, gamma) of sum(readings**2), against finite differences"
    h = 1e-6
    fd = tuple(
        (
            (_readings(1.2 + h * e[0], 0.3 + h * e[1], 40, 0.06, 4) ** 2).sum()
            - (_readings(1.2 - h * e[0], 0.3 - h * e[1], 40, 0.06, 4) ** 2).sum()
        )
        / (2 * h)
        for e in np.eye(2)
    )
    hint = {
        lambda got: np.allclose(got, 0.0): "a zero gradient: pass L and gamma to the "
        "checkpointed segment as arguments, not by closure",
    }
    return (
        check(
            "simulate_checkpointed (gradient)",
            gradient,
            [Case((1.2, 0.3), fd, "L = 1.2, gamma = 0.3", rtol=1e-5, hints=hint)],
        )
        and ok
    )


def _steps_for_gradient(n_steps, n_params):
    """The steps a plain ad.grad runs, counted on the reference step."""
    calls = [0]

    def loss(lengths):
        state = (np.linspace(0.2, 1.5, n_params), np.zeros(n_params))
        for _ in range(n_steps):
            calls[0] += 1
            state = _kick_drift_kick(*state, lengths, 0.2, 0.06)
        return anp.sum(state[0] ** 2)

    ad.grad(loss)(np.linspace(0.8, 1.4, n_params))
    return calls[0]


def predict_step_calls(fn) -> bool:
    """Exercise 4: the number of steps behind a plain gradient, against a counter."""
    cases = []
    for n_steps, n_params in [(10, 2), (30, 5)]:
        measured = _steps_for_gradient(n_steps, n_params)
        hints = {
            lambda got: (
                not isinstance(got, (int, float, np.integer, np.floating)) or isinstance(got, bool)
            ): "return a number",
            lambda got, n=n_steps: got == 2 * n: "the backward pass of reverse mode walks the "
            "tape: it runs no steps of the simulator",
            lambda got, n=n_steps, p=n_params: got == n * p: "one reverse pass gives the "
            "derivatives for every parameter at once",
        }
        name = f"mode 'grad', n_steps = {n_steps}, n_params = {n_params}, segment = 5"
        cases.append(Case((n_steps, n_params, 5, "grad"), measured, name, rtol=0, hints=hints))
    return check("predict_step_calls", fn, cases)


def calibrate(fn, theta0, n_steps, dt, every) -> bool:
    """Exercise 5: two steps of calibrate on noise-free data: the shape of the answer, the
    first loss (at the guess), and a loss that goes down."""
    data = []
    state = (theta0, 0.0 * theta0)
    for t in range(n_steps):
        state = _kick_drift_kick(*state, 1.2, 0.3, dt)
        if (t + 1) % every == 0:
            data.append(state[0])
    data = np.array(data)
    guess = (1.0, 0.4)
    state = (theta0, 0.0 * theta0)
    first = []
    for t in range(n_steps):
        state = _kick_drift_kick(*state, *guess, dt)
        if (t + 1) % every == 0:
            first.append(state[0])
    first_loss = float(np.mean((np.array(first) - data) ** 2))

    def summary(data, guess):
        (length, damping), losses = fn(data, guess, 3, 0.05)
        return [float(length), float(damping)], list(losses)

    summary.__name__ = "calibrate(data from (1.2, 0.3), guess (1.0, 0.4), steps=3, lr=0.05)"

    def compare(got, _):
        (params, losses) = got
        return (
            len(losses) == 3
            and np.isclose(losses[0], first_loss, rtol=1e-8)
            and losses[-1] < losses[0]
            and abs(params[0] - 1.2) < abs(guess[0] - 1.2)
        )

    hints = {
        lambda got: len(got[1]) == 3 and np.isclose(got[1][1], first_loss): "record each "
        "loss before the update (the first one is the loss at the guess)",
        lambda got: len(got[1]) == 3 and got[1][-1] > got[1][0]: "the loss grows: give Adam "
        "the gradient of the loss itself, in the log parameters",
    }
    case = Case(
        (data, guess), None, "3 Adam steps from (1.0, 0.4), data from (1.2, 0.3)", hints=hints
    )
    return check("calibrate", summary, [case], compare=compare)
