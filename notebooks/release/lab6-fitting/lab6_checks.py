"""Self-checks for Lab 6 (fitting parameters with gradients): the VISIBLE checks of each exercise.

Each function runs one exercise's visible checks on your function and prints a report:
which input, what was expected, what you returned, and a hint for the classic mistakes
(stepping with the old velocity, a (1 - momentum) factor PyTorch does not use, Nesterov's
look-ahead with the old velocity, Adam without its bias correction, weight decay added to
the gradient instead of decoupled, a step count off by one or blind to the sign of
1 - lr * a, susceptibles updated before the infections are counted, recording the loss after
the update). Passing them is necessary, not sufficient: the hidden tests use other inputs.
The expected values are numbers worked out by hand or computed by ``autodiff_lite``.
"""

import math

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


def _first(got) -> float:
    values = np.asarray(got, dtype=float).ravel()
    return float(values[0]) if values.size else float("nan")


def fit_loss(simulator, observed):
    """The mean squared error of ``simulator(theta, len(observed))`` against ``observed``,
    as a function of ``theta`` (built here, so that it runs where your code runs)."""
    observed = np.asarray(observed, dtype=float)

    def loss(theta):
        residual = simulator(theta, len(observed)) - observed
        return anp.mean(residual * residual)

    return loss


# ----------------------------------------------------------------------------
# Exercise 1: SGD with momentum, plain and Nesterov
# ----------------------------------------------------------------------------


def _sgd_step(params, grads, velocity, lr, momentum, nesterov):
    """One step of ad.optim.SGD from the given velocity."""
    if not momentum:
        return ad.optim.SGD(lr).update(params, grads, ad.optim.SGD(lr).init(params))[0], grads
    opt = ad.optim.SGD(lr, momentum=momentum, nesterov=nesterov)
    new_params, state = opt.update(params, grads, {"step": 1, "velocity": velocity})
    return new_params, state["velocity"]


def momentum_update(fn) -> bool:
    """Exercise 1: momentum_update(params, grads, velocity, lr, momentum, nesterov) against
    ad.optim.SGD."""
    p = np.array([1.0, -2.0, 0.5])
    g = np.array([0.5, 1.0, -1.0])
    v = np.array([1.0, 0.0, 2.0])
    cases = []
    for velocity, lr, mu, nesterov, name in [
        (np.zeros(3), 0.1, 0.9, False, "the first step (velocity 0)"),
        (v, 0.1, 0.9, False, "a later step, velocity [1, 0, 2]"),
        (v, 0.05, 0.0, False, "momentum 0: plain gradient descent"),
        (v, 0.1, 0.9, True, "Nesterov, velocity [1, 0, 2]"),
    ]:
        expected = _sgd_step(p, g, velocity, lr, mu, nesterov)
        v_new = mu * velocity + g
        hints = {
            _item_near(0, p - lr * (g + mu * velocity)) if nesterov else (lambda got: False): (
                "Nesterov looks ahead with the *new* velocity: p - lr * (g + momentum * v_new)"
            ),
            _item_near(0, p - lr * v_new) if nesterov else (lambda got: False): (
                "with nesterov=True the step is g + momentum * v_new, not v_new"
            ),
            _item_near(0, p - lr * velocity) if mu else (lambda got: False): "you stepped with "
            "the old velocity: first v = momentum * v + g, then p - lr * v with the new v",
            _item_near(1, mu * velocity + (1 - mu) * g): "PyTorch's momentum has no (1 - "
            "momentum) factor on the gradient: v = momentum * v + g",
            _item_near(0, p + lr * v_new): "the sign: step against the gradient, p - lr * v",
            _item_near(1, velocity): "return the new velocity, not the old one",
        }
        cases.append(
            Case(
                args=(p, g, velocity, lr, mu, nesterov),
                expected=expected,
                name=name,
                rtol=1e-12,
                atol=1e-14,
                hints=hints,
            )
        )
    return check("momentum_update", fn, cases)


# ----------------------------------------------------------------------------
# Exercise 2: AdamW
# ----------------------------------------------------------------------------


def _adamw_step(params, grads, m, v, t, lr, weight_decay):
    """ad.optim.Adam's step (defaults b1 = 0.9, b2 = 0.999, eps = 1e-8) from the decayed
    parameters: what torch.optim.AdamW does."""
    opt = ad.optim.Adam(lr)
    state = {"step": t - 1, "m": m, "v": v}
    new_params, state = opt.update(params * (1 - lr * weight_decay), grads, state)
    return new_params, state["m"], state["v"]


def adam_update(fn) -> bool:
    """Exercise 2: adam_update(params, grads, m, v, t, lr, ..., weight_decay) against
    ad.optim.Adam."""
    p = np.array([1.0, -2.0, 0.5])
    g = np.array([0.5, 1e-3, -40.0])
    cases = []
    m3, v3 = np.array([0.1, 0.0, -3.0]), np.array([0.01, 1e-6, 2.0])
    for m, v, t, wd, name in [
        (np.zeros(3), np.zeros(3), 1, 0.0, "the first step, t = 1: each coordinate moves by lr"),
        (m3, v3, 3, 0.0, "step t = 3, no weight decay"),
        (m3, v3, 500, 0.0, "step t = 500, no weight decay"),
        (m3, v3, 3, 0.5, "step t = 3, weight_decay = 0.5"),
    ]:
        lr = 0.01
        expected = _adamw_step(p, g, m, v, t, lr, wd)
        m_new = 0.9 * m + 0.1 * g
        v_new = 0.999 * v + 0.001 * g * g
        no_correction = p * (1 - lr * wd) - lr * m_new / (np.sqrt(v_new) + 1e-8)
        off_by_one = p * (1 - lr * wd) - lr * (m_new / (1 - 0.9 ** (t + 1))) / (
            np.sqrt(v_new / (1 - 0.999 ** (t + 1))) + 1e-8
        )
        coupled = _adamw_step(p, g + wd * p, m, v, t, lr, 0.0)
        hints = {
            _item_near(0, coupled[0]) if wd else (lambda got: False): "weight decay added to "
            "the gradient is L2 regularisation, not AdamW: shrink params by (1 - lr * "
            "weight_decay) and compute m and v from the gradient alone",
            _item_near(0, no_correction): "no bias correction: divide m by (1 - b1**t) and v "
            "by (1 - b2**t) before the step (t is the number of this step, 1 for the first)",
            _item_near(0, off_by_one): "the bias correction uses t + 1: t is already the number "
            "of this step (1 for the first)",
            _item_near(2, 0.999 * v + 0.001 * g): "v averages the *squared* gradient, g * g",
        }
        cases.append(
            Case(
                args=(p, g, m, v, t, lr),
                kwargs={"weight_decay": wd},
                expected=expected,
                name=name,
                rtol=1e-10,
                atol=1e-13,
                hints=hints,
            )
        )
    return check("adam_update", fn, cases)


# ----------------------------------------------------------------------------
# Exercise 3: predict the steps of gradient descent
# ----------------------------------------------------------------------------


def predict_steps(fn) -> bool:
    """Exercise 3: predict_steps(curvature, lr, tol), counts worked out by hand."""
    cases = [
        # |1 - 0.01 * 10| = 0.9, and 0.9**131 > 1e-6 >= 0.9**132
        (10.0, 0.01, 1e-6, 132, "a = 10, lr = 0.01: |w| shrinks by 0.9 a step"),
        (10.0, 0.19, 1e-6, 132, "a = 10, lr = 0.19: w alternates in sign, |w| shrinks by 0.9"),
        (10.0, 0.1, 1e-6, 1, "a = 10, lr = 0.1: 1 - lr * a = 0, one step lands on the minimum"),
        (10.0, 0.21, 1e-6, math.inf, "a = 10, lr = 0.21: |w| grows by 1.1 a step"),
        (2.0, 0.25, 0.5, 1, "a = 2, lr = 0.25, tol = 0.5: one step gives w = 0.5"),
        (2.0, 0.3, 1.5, 0, "tol = 1.5: w0 = 1 is already within tol"),
    ]
    built = []
    for a, lr, tol, expected, name in cases:
        hints = {
            lambda got, e=expected: np.isfinite(e) and got == e - 1: "one step short: the "
            "count is the first k with |1 - lr a|^k <= tol, a ceiling, not a floor",
            lambda got, e=expected: np.isfinite(e) and got == e + 1: "one step too many: is "
            "|w| <= tol already reached, or do you count w0 as a step?",
            lambda got: isinstance(got, (int, float)) and got < 0: "a negative count: when "
            "|1 - lr a| >= 1 gradient descent never gets there (math.inf)",
        }
        built.append(Case(args=(a, lr, tol), expected=expected, name=name, hints=hints))
    return check("predict_steps", fn, built)


# ----------------------------------------------------------------------------
# Exercise 4: the epidemic
# ----------------------------------------------------------------------------


def simulate_epidemic(fn) -> bool:
    """Exercise 4: the infected fractions (worked out by hand), and their gradient through
    ad.grad (against finite differences)."""
    s1 = 0.99 - 0.00495  # beta = 0.5, D = 5, i0 = 0.01: n0 = 0.5 * 0.99 * 0.01
    i2 = 0.01295 + 0.5 * s1 * 0.01295 - 0.01295 / 5
    cases = [
        Case(
            args=(np.array([0.5, 5.0]), 2),
            expected=np.array([0.01295, i2]),
            name="beta = 0.5, D = 5, two days by hand",
            rtol=1e-10,
            hints={
                lambda got: np.isclose(_first(got), 0.01 + 0.5 * s1 * 0.01 - 0.002): "you "
                "counted the infections with the susceptibles already reduced: compute n from "
                "the same day's s and i, then update both",
                lambda got: _first(got) < 0: "recovery is i / D, not i * D",
                lambda got: np.shape(got) == (3,): "return the n_days values after each day, "
                "without the starting fraction i0",
            },
        ),
        Case(
            args=(np.array([0.5, 5.0]), 1, 0.1),
            expected=np.array([0.1 + 0.5 * 0.9 * 0.1 - 0.1 / 5]),
            name="one day from i0 = 0.1",
            rtol=1e-10,
            hints={lambda got: np.allclose(got, 0.01295): "use the i0 you are given"},
        ),
    ]
    ok = check("simulate_epidemic", fn, cases)

    # The gradient must flow through: check it against finite differences.
    observed = 0.02 * np.sin(0.1 * np.arange(1, 31)) + 0.05
    loss = fit_loss(fn, observed)
    theta = np.array([0.4, 6.0])

    def gradient_agrees(th):
        ad.check_grads(loss, (th,), order=1)
        return float(np.linalg.norm(ad.grad(loss)(th)) > 1e-6)

    gradient_agrees.__name__ = "grad_of_your_model"
    grad_case = Case(
        args=(theta,),
        expected=1.0,
        name="ad.grad of a mean squared error of your model (30 days) is not zero and agrees "
        "with finite differences",
        hints={
            lambda got: got == 0.0: "the gradient is zero: is your model written with anp "
            "(or plain arithmetic on theta), not np.array / float()?"
        },
    )
    return check("simulate_epidemic (gradient)", gradient_agrees, [grad_case]) and ok


# ----------------------------------------------------------------------------
# Exercise 5: the training loop
# ----------------------------------------------------------------------------


def _bowl(p):
    return anp.sum((p["w"] - np.array([1.0, -1.0])) ** 2) + 3.0 * (p["b"] - 0.5) ** 2


def train(fn) -> bool:
    """Exercise 5: train(loss_fn, params, opt, n_steps) on a bowl, worked out by hand.

    On the bowl, SGD(0.1) multiplies w - (1, -1) by 1 - 0.1 * 2 = 0.8 and b - 0.5 by
    1 - 0.1 * 6 = 0.4 at every step, so the loss before step k is
    2 * 0.8**(2k) + 3 * 1.5**2 * 0.4**(2k) from w = (0, 0), b = 2."""
    p0 = {"w": np.array([0.0, 0.0]), "b": np.float64(2.0)}
    n = 5
    losses = [2 * 0.8 ** (2 * k) + 6.75 * 0.4 ** (2 * k) for k in range(n)]
    after = [2 * 0.8 ** (2 * k) + 6.75 * 0.4 ** (2 * k) for k in range(1, n + 1)]
    expected = ({"w": np.array([1.0, -1.0]) * (1 - 0.8**n), "b": 0.5 + 1.5 * 0.4**n}, losses)
    case = Case(
        args=(_bowl, p0, ad.optim.SGD(0.1), n),
        expected=expected,
        name="5 steps of SGD(lr=0.1) on a quadratic bowl, params a dict",
        rtol=1e-10,
        atol=1e-12,
        hints={
            _item_near(1, after): "losses[i] must be the loss *before* update i (the value "
            "that ad.value_and_grad returns with the gradient), not after it",
            lambda got: len(got[1]) != n: f"return one loss per step ({n})",
        },
    )
    return check("train", fn, [case])
