"""Self-checks for Lab 16 (physics-informed neural networks): the VISIBLE checks.

Each function runs one exercise's visible checks on your function and prints a report:
which input, what was expected, what you returned, and a hint for the classic mistakes.
Passing them is necessary, not sufficient: the hidden tests use other inputs. The expected
values come from derivatives taken point by point with grad of grad.
"""

import numpy as np

import autodiff_lite as ad
import autodiff_lite.numpy as anp
from autodiff_lite.selfcheck import Case, check

EDGES = np.array([[0.0], [1.0]])


def _near(value):
    def predicate(got):
        try:
            return np.shape(got) == np.shape(value) and np.allclose(got, value, rtol=1e-7)
        except (TypeError, ValueError):
            return False

    return predicate


def _pair_near(a, b):
    def predicate(got):
        return (
            isinstance(got, (tuple, list))
            and len(got) == 2
            and _near(a)(got[0])
            and _near(b)(got[1])
        )

    return predicate


def _pointwise(u, x, order):
    def scalar(t):
        return u(anp.reshape(t, (1, 1)))[0, 0]

    d = scalar
    for _ in range(order):
        d = ad.grad(d)
    return np.array([[d(t)] for t in x[:, 0]])


def input_derivatives(fn) -> bool:
    """Exercise 1: input_derivatives(u, x) -> (u', u'')."""
    x = np.linspace(0.0, 3.0, 7)[:, None]
    cases = []
    for u, name, d0, d1, d2 in [
        (anp.sin, "u = sin at 7 points", np.sin(x), np.cos(x), -np.sin(x)),
        (lambda t: t**3, "u = x**3 at 7 points", x**3, 3 * x**2, 6 * x),
    ]:
        hints = {
            _pair_near(d0, d1): "you returned (u, u'): the pair is (u', u''), the JVP of the "
            "function that computes u'",
            _pair_near(d1, d1): "the second item is u' again: differentiate the function "
            "x -> u'(x), not u",
            lambda got: (
                isinstance(got, (tuple, list)) and len(got) == 2 and np.shape(got[0]) != x.shape
            ): "each derivative has the shape of x, (M, 1)",
        }
        cases.append(Case((u, x), (d1, d2), name, rtol=1e-9, atol=1e-12, hints=hints))
    return check("input_derivatives", fn, cases)


def _reference_loss(params, X, q, sign=1.0, boundary=True):
    def net(points):
        return ad.nn.mlp(params, points)

    residual = _pointwise(net, X, 2) + sign * q(X)
    value = np.mean(residual**2)
    return value + (0.5 * np.sum(net(EDGES) ** 2) if boundary else 0.0)


def pinn_loss(fn, params, X, q) -> bool:
    """Exercise 2: pinn_loss(params, X, q) on the lab's network."""
    hints = {
        _near(_reference_loss(params, X, q, boundary=False)): "the boundary term is missing: "
        "add 0.5 * (u(0)**2 + u(1)**2)",
        _near(_reference_loss(params, X, q, sign=-1.0)): "the sign of q: the residual of "
        "u'' + q = 0 is u'' + q",
    }
    cases = [
        Case(
            (params, X, q),
            _reference_loss(params, X, q),
            "the lab's network, 16 points",
            rtol=1e-9,
            hints=hints,
        )
    ]
    ok = check("pinn_loss", fn, cases)

    def grad_norm(params, X, q):
        grads = ad.grad(fn)(params, X, q)
        return float(np.sqrt(sum(np.sum(g**2) for g in ad.tree_leaves(grads))))

    grad_norm.__name__ = "the norm of ad.grad(pinn_loss)(params, X, q)"
    h, direction = 1e-6, ad.tree_map(np.ones_like, params)
    plus = ad.tree_map(lambda p, d: p + h * d, params, direction)
    minus = ad.tree_map(lambda p, d: p - h * d, params, direction)
    fd = (_reference_loss(plus, X, q) - _reference_loss(minus, X, q)) / (2 * h)

    def directional(params, X, q):
        grads = ad.grad(fn)(params, X, q)
        return float(sum(np.sum(g) for g in ad.tree_leaves(grads)))

    directional.__name__ = "ad.grad(pinn_loss) along all-ones, against finite differences"
    hint = {lambda got: got == 0.0: "the gradient is zero: use anp on traced values"}
    return (
        check(
            "pinn_loss (gradient)",
            directional,
            [Case((params, X, q), fd, "d/dt pinn_loss(params + t * ones)", rtol=1e-5, hints=hint)],
        )
        and ok
    )


def train_pinn(fn, params, X, q) -> bool:
    """Exercise 3: train_pinn(params, X, q, steps, lr), 3 steps against a reference loop."""
    opt = ad.optim.Adam(lr=0.01)
    state, p, expected = opt.init(params), params, []
    for _ in range(3):
        value = _reference_loss(p, X, q)
        grads = ad.grad(lambda p: _loss_traced(p, X, q))(p)
        expected.append(value)
        p, state = opt.update(p, grads, state)

    def losses(params, X, q):
        return list(fn(params, X, q, 3, 0.01)[1])

    losses.__name__ = "the losses of train_pinn(params0, X, q, steps=3, lr=0.01)"
    hints = {
        lambda got: len(got) == 3 and np.isclose(got[0], expected[1]): "record each loss "
        "before the update (the first one is the loss of the starting parameters)",
        lambda got: len(got) == 3 and got[-1] > got[0]: "the loss grows: Adam minimises the "
        "loss, so give it the gradient of pinn_loss itself",
    }
    return check("train_pinn", losses, [Case((params, X, q), expected, "3 steps", hints=hints)])


def _loss_traced(params, X, q):
    def net(points):
        return ad.nn.mlp(params, points)

    def scalar(t):
        return net(anp.reshape(t, (1, 1)))[0, 0]

    second = ad.grad(ad.grad(scalar))
    residual = anp.stack([second(t) for t in X[:, 0]]) + q(X[:, 0])
    return anp.mean(residual**2) + 0.5 * anp.sum(net(EDGES) ** 2)
