"""Self-checks for Lab 16 (physics-informed neural networks): the VISIBLE checks.

Each function runs one exercise's visible checks on your function and prints a report:
which input, what was expected, what you returned, and a hint for the classic mistakes.
Passing them is necessary, not sufficient: the hidden tests use other inputs. The expected
values come from derivatives taken point by point with grad, and from counters run here.
"""

import numpy as np

import autodiff_lite as ad
import autodiff_lite.numpy as anp
from autodiff_lite.selfcheck import Case, check

OMEGA = 2.0


def _near(value, rtol=1e-7):
    def predicate(got):
        try:
            return np.shape(got) == np.shape(value) and np.allclose(got, value, rtol=rtol)
        except (TypeError, ValueError):
            return False

    return predicate


def _pointwise(u, x, order):
    """[u, u', ..., u^(order)] by grad of grad ..., one point at a time (slow, but sure)."""

    def scalar(t):
        return u(anp.reshape(t, (1, 1)))[0, 0]

    fns = [scalar]
    for _ in range(order):
        fns.append(ad.grad(fns[-1]))
    return [np.array([[f(t)] for t in x[:, 0]]) for f in fns]


class _Counted:
    def __init__(self, fn):
        self.fn, self.calls = fn, 0

    def __call__(self, *args):
        self.calls += 1
        return self.fn(*args)


def input_derivatives(fn) -> bool:
    """Exercise 1: input_derivatives(u, x, order) -> [u, u', ..., u^(order)]."""
    x = np.linspace(0.0, 3.0, 7)[:, None]
    sin_tower = [np.sin(x), np.cos(x), -np.sin(x), -np.cos(x)]
    cube_tower = [x**3, 3 * x**2, 6 * x]
    cases = [
        Case(
            (anp.sin, x, 3),
            sin_tower,
            "u = sin at 7 points, order 3",
            rtol=1e-9,
            atol=1e-12,
            hints={
                lambda got: isinstance(got, (list, tuple)) and len(got) == 3: "order 3 "
                "means four arrays: u itself, then u', u'' and u'''",
                lambda got: (
                    isinstance(got, (list, tuple)) and len(got) == 4 and _near(sin_tower[1])(got[2])
                ): "an array repeats: each JVP must be taken "
                "of the function that returns the whole list so far, not of u",
            },
        ),
        Case((lambda t: t**3, x, 2), cube_tower, "u = x**3 at 7 points, order 2", rtol=1e-9),
        Case((anp.sin, x, 0), [np.sin(x)], "order 0: just [u(x)]", rtol=1e-12),
    ]
    ok = check("input_derivatives", fn, cases)

    def calls_of_u(order):
        counted = _Counted(anp.sin)
        fn(counted, x, order)
        return counted.calls

    calls_of_u.__name__ = "the number of calls of u inside input_derivatives(u, x, order)"
    hint = {
        lambda got: got == 4: "u is called once per derivative: build the JVPs on top of "
        "each other so that the innermost function is the only one that calls u",
    }
    return (
        check("input_derivatives (calls)", calls_of_u, [Case((3,), 1, "order 3", hints=hint)])
        and ok
    )


def _count(n_points, order, method):
    params = ad.nn.init_mlp(np.random.default_rng(1), [1, 3, 1])
    x = np.linspace(0.1, 0.9, n_points)[:, None]
    net = _Counted(lambda x: ad.nn.mlp(params, x))
    if method == "grad_per_point":
        fn = lambda t: net(anp.reshape(t, (1, 1)))[0, 0]  # noqa: E731
        for _ in range(order):
            fn = ad.grad(fn)
        for t in x[:, 0]:
            fn(t)
    elif method == "nested_jacfwd":
        fn = net
        for _ in range(order):
            fn = ad.jacfwd(fn)
        fn(x)
    return net.calls


def predict_net_calls(fn) -> bool:
    """Exercise 2: the number of network calls, against counters (two methods shown here)."""
    cases = []
    for n_points, order, method in [(4, 2, "grad_per_point"), (3, 2, "nested_jacfwd")]:
        measured = _count(n_points, order, method)
        hints = {
            lambda got: (
                not isinstance(got, (int, float, np.integer, np.floating)) or isinstance(got, bool)
            ): "return a number",
            lambda got, n=n_points, m=order: got == n * m: "the calls do not add up level by "
            "level: think about how each transform traces the function it is given",
        }
        name = f"{method}, n_points = {n_points}, order = {order}"
        cases.append(Case((n_points, order, method), measured, name, rtol=0, hints=hints))
    return check("predict_net_calls", fn, cases)


def _hard(params, X, omega, sign=1.0):
    u, _, u2 = _pointwise(lambda t: 1.0 + t**2 * ad.nn.mlp(params, t), X, 2)
    return float(np.mean((u2 + sign * omega**2 * u) ** 2))


def _soft(params, X, omega, penalty=True):
    net = lambda t: ad.nn.mlp(params, t)  # noqa: E731
    u, _, u2 = _pointwise(net, X, 2)
    u0, du0 = _pointwise(net, np.zeros((1, 1)), 1)
    extra = (u0[0, 0] - 1) ** 2 + du0[0, 0] ** 2 if penalty else 0.0
    return float(np.mean((u2 + omega**2 * u) ** 2) + extra)


def oscillator_loss(trial, loss, soft, params, X) -> bool:
    """Exercise 3: trial_solution, oscillator_loss and soft_oscillator_loss."""
    t = np.array([[0.0], [0.5], [1.5]])
    expected = 1.0 + t**2 * ad.nn.mlp(params, t)
    ok = check(
        "trial_solution",
        trial,
        [
            Case(
                (params, t),
                expected,
                "params0 at t = 0, 0.5, 1.5",
                rtol=1e-10,
                hints={
                    _near(1.0 + t * ad.nn.mlp(params, t)): "t * N(t) keeps u(0) = 1 but not "
                    "u'(0) = 0: multiply by t**2",
                },
            )
        ],
    )
    ok = (
        check(
            "oscillator_loss",
            loss,
            [
                Case(
                    (params, X, OMEGA),
                    _hard(params, X, OMEGA),
                    "params0, 20 points, omega = 2",
                    rtol=1e-8,
                    hints={
                        _near(_hard(params, X, OMEGA, sign=-1.0)): "the sign: the "
                        "residual is u'' + omega**2 u",
                    },
                )
            ],
        )
        and ok
    )
    hints = {
        _near(_soft(params, X, OMEGA, penalty=False)): "the initial conditions are missing: "
        "add (N(0) - 1)**2 + N'(0)**2",
    }
    soft_case = Case(
        (params, X, OMEGA), _soft(params, X, OMEGA), "params0, omega = 2", rtol=1e-8, hints=hints
    )
    return check("soft_oscillator_loss", soft, [soft_case]) and ok


def _hard_traced(params, X, omega):
    """The hard-constrained loss, differentiable in the weights (grad of grad per point)."""

    def scalar(t):
        return (1.0 + t**2 * ad.nn.mlp(params, anp.reshape(t, (1, 1))))[0, 0]

    second = ad.grad(ad.grad(scalar))
    residual = anp.stack([second(t) + omega**2 * scalar(t) for t in X[:, 0]])
    return anp.mean(residual**2)


def fit_oscillator(fit, max_error, params, X) -> bool:
    """Exercise 4: three steps of fit_oscillator against a reference loop; max_error."""
    opt = ad.optim.Adam(lr=0.01)
    state, p, expected = opt.init(params), params, []
    for _ in range(3):
        value, grads = ad.value_and_grad(_hard_traced)(p, X, OMEGA)
        expected.append(float(value))
        p, state = opt.update(p, grads, state)

    def losses(params, X):
        return list(fit(params, X, OMEGA, 3, 0.01)[1])

    losses.__name__ = "the losses of fit_oscillator(params0, X, 2.0, steps=3, lr=0.01)"
    hints = {
        lambda got: len(got) == 3 and np.isclose(got[0], expected[1]): "record each loss "
        "before the update (the first one is the loss of the starting parameters)",
        lambda got: len(got) == 3 and got[-1] > got[0]: "the loss grows: give Adam the "
        "gradient of oscillator_loss itself",
    }
    ok = check("fit_oscillator", losses, [Case((params, X), expected, "3 steps", hints=hints)])
    grid = np.linspace(0.0, 2.0, 201)[:, None]
    gap = np.abs(1.0 + grid**2 * ad.nn.mlp(params, grid) - np.cos(OMEGA * grid))
    hints = {
        lambda got: np.isclose(got, gap.mean()): "the largest error, not the mean",
    }
    case = Case((params, OMEGA, 2.0), float(gap.max()), "params0, omega = 2, T = 2", hints=hints)
    return check("max_error", max_error, [case]) and ok
