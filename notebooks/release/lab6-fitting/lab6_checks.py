"""Self-checks for Lab 6 (fitting parameters with gradients): the VISIBLE checks of each exercise.

Each function runs one exercise's visible checks on your function and prints a report:
which input, what was expected, what you returned, and a hint for the classic mistakes
(stepping with the old velocity, a (1 - momentum) factor PyTorch does not use, Adam
without its bias correction, explicit instead of semi-implicit Euler, recording the loss
after the update). Passing them is necessary, not sufficient: the hidden tests use other
inputs.
"""

import numpy as np

import autodiff_lite as ad
import autodiff_lite.numpy as anp
from autodiff_lite.selfcheck import Case, check


def _item_near(index, value):
    """A hint predicate on item ``index`` of a tuple output."""

    def predicate(got):
        g = np.asarray(got[index], dtype=float)
        return g.shape == np.shape(value) and np.allclose(g, value, rtol=1e-9, atol=1e-12)

    return predicate


def _near(value):
    def predicate(got):
        g = np.asarray(got, dtype=float)
        return g.shape == np.shape(value) and np.allclose(g, value, rtol=1e-9, atol=1e-12)

    return predicate


# ----------------------------------------------------------------------------
# Exercise 1: SGD with momentum
# ----------------------------------------------------------------------------


def _sgd_reference(params, grads, velocity, lr, momentum):
    opt = ad.optim.SGD(lr, momentum=momentum) if momentum else ad.optim.SGD(lr)
    state = {"step": 1, "velocity": velocity}
    new_params, state = opt.update(params, grads, state)
    new_velocity = state["velocity"] if momentum else grads
    return new_params, new_velocity


def momentum_update(fn) -> bool:
    """Exercise 1: momentum_update(params, grads, velocity, lr, momentum) against ad.optim.SGD."""
    p = np.array([1.0, -2.0, 0.5])
    g = np.array([0.5, 1.0, -1.0])
    v = np.array([1.0, 0.0, 2.0])
    cases = []
    for velocity, lr, mu, name in [
        (np.zeros(3), 0.1, 0.9, "the first step (velocity 0)"),
        (v, 0.1, 0.9, "a later step, velocity [1, 0, 2]"),
        (v, 0.05, 0.0, "momentum 0: plain gradient descent"),
    ]:
        expected = _sgd_reference(p, g, velocity, lr, mu)
        v_new = mu * velocity + g
        hints = {
            _item_near(0, p - lr * velocity) if mu else (lambda got: False): "you stepped with "
            "the old velocity: first v = momentum * v + g, then p - lr * v with the new v",
            _item_near(1, mu * velocity + (1 - mu) * g): "PyTorch's momentum has no (1 - "
            "momentum) factor on the gradient: v = momentum * v + g",
            _item_near(0, p + lr * v_new): "the sign: step against the gradient, p - lr * v",
            _item_near(1, velocity): "return the new velocity, not the old one",
        }
        cases.append(
            Case(
                args=(p, g, velocity, lr, mu),
                expected=expected,
                name=name,
                rtol=1e-12,
                atol=1e-14,
                hints=hints,
            )
        )
    return check("momentum_update", fn, cases)


# ----------------------------------------------------------------------------
# Exercise 2: Adam
# ----------------------------------------------------------------------------


def _adam_reference(params, grads, m, v, t, lr, b1=0.9, b2=0.999, eps=1e-8):
    opt = ad.optim.Adam(lr, betas=(b1, b2), eps=eps)
    new_params, state = opt.update(params, grads, {"step": t - 1, "m": m, "v": v})
    return new_params, state["m"], state["v"]


def adam_update(fn) -> bool:
    """Exercise 2: adam_update(params, grads, m, v, t, lr) against ad.optim.Adam."""
    p = np.array([1.0, -2.0, 0.5])
    g = np.array([0.5, 1e-3, -40.0])
    cases = []
    for m, v, t, name in [
        (np.zeros(3), np.zeros(3), 1, "the first step, t = 1: each coordinate moves by about lr"),
        (np.array([0.1, 0.0, -3.0]), np.array([0.01, 1e-6, 2.0]), 3, "step t = 3"),
        (np.array([0.1, 0.0, -3.0]), np.array([0.01, 1e-6, 2.0]), 500, "step t = 500"),
    ]:
        lr = 0.01
        expected = _adam_reference(p, g, m, v, t, lr)
        m_new = 0.9 * m + 0.1 * g
        v_new = 0.999 * v + 0.001 * g * g
        no_correction = p - lr * m_new / (np.sqrt(v_new) + 1e-8)
        off_by_one = p - lr * (m_new / (1 - 0.9 ** (t + 1))) / (
            np.sqrt(v_new / (1 - 0.999 ** (t + 1))) + 1e-8
        )
        hints = {
            _item_near(0, no_correction): "no bias correction: divide m by (1 - b1**t) and v "
            "by (1 - b2**t) before the step (t is the number of this step, 1 for the first)",
            _item_near(0, off_by_one): "the bias correction uses t + 1: t is already the number "
            "of this step (1 for the first)",
            _item_near(2, 0.999 * v + 0.001 * g): "v averages the *squared* gradient, g * g",
        }
        cases.append(
            Case(
                args=(p, g, m, v, t, lr),
                expected=expected,
                name=name,
                rtol=1e-10,
                atol=1e-13,
                hints=hints,
            )
        )
    return check("adam_update", fn, cases)


# ----------------------------------------------------------------------------
# Exercise 3: the simulator
# ----------------------------------------------------------------------------


def _simulate(theta, n_steps, dt):
    spring, damping = theta[0], theta[1]
    pos, vel, out = 1.0, 0.0, []
    for _step in range(n_steps):
        vel = vel - dt * (spring * pos + damping * vel)
        pos = pos + vel * dt
        out.append(pos)
    return anp.stack(out)


def _explicit(theta, n_steps, dt):
    spring, damping = theta[0], theta[1]
    pos, vel, out = 1.0, 0.0, []
    for _step in range(n_steps):
        pos, vel = pos + vel * dt, vel - dt * (spring * pos + damping * vel)
        out.append(pos)
    return np.array(out)


def simulate_oscillator(fn) -> bool:
    """Exercise 3: the positions, and their gradient through ad.grad."""
    cases = []
    for theta, n, dt in [
        (np.array([4.0, 0.3]), 3, 0.1),
        (np.array([4.0, 0.3]), 50, 0.05),
        (np.array([9.0, 0.0]), 40, 0.02),
    ]:
        hints = {
            _near(_explicit(theta, n, dt)): "this is explicit Euler (x moved with the old "
            "velocity): update v first, then x with the new v",
            lambda got, n=n: np.shape(got) == (n + 1,): "return the n_steps positions after "
            "each step, without the starting position x0 = 1",
        }
        cases.append(
            Case(
                args=(theta, n, dt),
                expected=np.asarray(_simulate(theta, n, dt)),
                name=f"theta = {theta.tolist()}, {n} steps of dt = {dt}",
                rtol=1e-12,
                atol=1e-14,
                hints=hints,
            )
        )
    ok = check("simulate_oscillator", fn, cases)

    # The gradient must flow through: differentiate a loss of your simulation.
    theta = np.array([3.0, 0.5])
    data = np.cos(2.0 * 0.05 * np.arange(1, 31))

    def loss_with(sim):
        return lambda th: anp.mean((sim(th, 30, 0.05) - data) ** 2)

    grad_case = Case(
        args=(theta,),
        expected=ad.grad(loss_with(_simulate))(theta),
        name="ad.grad of a mean squared error of your simulation (30 steps)",
        rtol=1e-9,
        atol=1e-12,
        hints={
            lambda got: np.allclose(got, 0.0): "the gradient is zero: is your simulation "
            "written with anp (or plain arithmetic on theta), not np.array / float()?"
        },
    )

    def gradient_of_student(th):
        return ad.grad(loss_with(fn))(th)

    gradient_of_student.__name__ = "grad_of_your_simulation"
    return check("simulate_oscillator (gradient)", gradient_of_student, [grad_case]) and ok


# ----------------------------------------------------------------------------
# Exercise 4: the training loop
# ----------------------------------------------------------------------------


def _train(loss_fn, params, opt, n_steps):
    opt_state, history = opt.init(params), []
    for _step in range(n_steps):
        value, g = ad.value_and_grad(loss_fn)(params)
        history.append(float(value))
        params, opt_state = opt.update(params, g, opt_state)
    return params, history


def _train_loss_after(loss_fn, params, opt, n_steps):
    opt_state, history = opt.init(params), []
    for _step in range(n_steps):
        params, opt_state = opt.update(params, ad.grad(loss_fn)(params), opt_state)
        history.append(float(loss_fn(params)))
    return params, history


def _bowl(p):
    return anp.sum((p["w"] - np.array([1.0, -1.0])) ** 2) + 3.0 * (p["b"] - 0.5) ** 2


def train(fn) -> bool:
    """Exercise 4: train(loss_fn, params, opt, n_steps) against a reference loop."""
    p0 = {"w": np.array([0.0, 0.0]), "b": np.float64(2.0)}
    cases = []
    for opt, n, name in [
        (ad.optim.SGD(0.1), 5, "5 steps of SGD(lr=0.1) on a quadratic bowl, params a dict"),
        (ad.optim.Adam(0.1), 20, "20 steps of Adam(lr=0.1) on the same bowl"),
    ]:
        expected = _train(_bowl, p0, opt, n)
        wrong = _train_loss_after(_bowl, p0, opt, n)
        hints = {
            _item_near(1, wrong[1]): "losses[i] must be the loss *before* update i (the value "
            "that ad.value_and_grad returns with the gradient), not after it",
            lambda got, n=n: len(got[1]) != n: f"return one loss per step ({n})",
        }
        cases.append(
            Case(
                args=(_bowl, p0, opt, n),
                expected=expected,
                name=name,
                rtol=1e-10,
                atol=1e-12,
                hints=hints,
            )
        )
    return check("train", fn, cases)
