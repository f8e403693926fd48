"""Self-checks for Lab 21 (inductive bias): the VISIBLE checks of each exercise.

Each function runs one exercise's visible checks on your function and prints a report:
which input, what was expected, what you returned, and a hint for the classic mistakes.
Passing them is necessary, not sufficient: the hidden tests use other inputs.
"""

import numpy as np

import autodiff_lite.numpy as anp
from autodiff_lite import nn
from autodiff_lite.selfcheck import Case, check

Q = np.array([[1.0, 0.0], [0.3, -0.4], [0.0, 2.0]])
P = np.array([[0.0, 1.0], [0.5, 0.5], [-1.0, 0.0]])


def _grad_V(q):
    return (1 + np.sum(q * q, axis=-1, keepdims=True)) * q


def _energy(q, p):
    r2 = anp.sum(q * q, axis=-1)
    return 0.5 * anp.sum(p * p, axis=-1) + 0.5 * r2 + 0.25 * r2 * r2


def _pair_near(pair):
    def predicate(got):
        try:
            return all(np.allclose(g, e, rtol=1e-9) for g, e in zip(got, pair))
        except (TypeError, ValueError):
            return False

    return predicate


def hamiltonian_field(fn) -> bool:
    """Exercise 1: the field of the lab's energy, and of a non-separable one."""
    hints = {
        _pair_near((_grad_V(Q), -P)): "you returned (dH/dq, -dH/dp): dq/dt is dH/dp",
        _pair_near((P, _grad_V(Q))): "dp/dt is MINUS dH/dq",
    }
    mixed_expected = (np.sin(Q), -np.cos(Q) * P)
    mixed_hints = {
        _pair_near((np.cos(Q) * P, np.sin(Q))): "the two halves are swapped: return "
        "(dH/dp, -dH/dq)",
    }
    cases = [
        Case((_energy, Q, P), (P, -_grad_V(Q)), "the lab's H at three states", 1e-10, 0, hints),
        Case(
            (lambda q, p: anp.sum(anp.sin(q) * p, axis=1), Q, P),
            mixed_expected,
            "H = sum(sin(q) * p), not kinetic plus potential",
            1e-10,
            0,
            mixed_hints,
        ),
    ]
    return check("hamiltonian_field", fn, cases)


def _ref(method, q, p, dt):
    if method == "euler":
        return q + dt * p, p - dt * _grad_V(q)
    if method == "symplectic_euler":
        p = p - dt * _grad_V(q)
        return q + dt * p, p
    p = p - 0.5 * dt * _grad_V(q)
    q = q + dt * p
    return q, p - 0.5 * dt * _grad_V(q)


def step(fn) -> bool:
    """Exercise 2: one step of each method against a reference."""
    cases = []
    for method in ("euler", "symplectic_euler", "leapfrog"):
        hints = {
            _pair_near(_ref("euler", Q, P, 0.1)): "that is an explicit Euler step (the drift "
            "uses the old momentum)",
            _pair_near(_ref("symplectic_euler", Q, P, 0.1)): "that is symplectic Euler "
            "(a full kick, then a drift)",
        }
        name = f"{method}, three states, dt = 0.1"
        cases.append(Case((method, _grad_V, Q, P, 0.1), _ref(method, Q, P, 0.1), name, 1e-10,
                          0, hints))  # fmt: skip
    return check("step", fn, cases)


def _largest_error(method, conserved, dt, total_time=2.0):
    q, p = Q[:2] * 0.5, P[:2] * 0.5
    start, worst = conserved(q, p), 0.0
    for _ in range(int(round(total_time / dt))):
        q, p = _ref(method, q, p, dt)
        worst = max(worst, float(np.abs(conserved(q, p) - start).max()))
    return worst


def predict_error_ratio(fn) -> bool:
    """Exercise 3: the energy prediction for explicit Euler at k = 2, against a measurement."""
    ratio = _largest_error("euler", _energy, 0.01) / _largest_error("euler", _energy, 0.005)
    hints = {
        lambda got: got is None: "explicit Euler does not conserve the energy",
        lambda got: np.isclose(got, 4.0, rtol=0.1): "explicit Euler is a first-order method",
        lambda got: not isinstance(got, (int, float, np.number)): "return a number (or None)",
    }
    case = Case(("euler", "energy", 2), ratio, "explicit Euler, energy, k = 2", 0.1, 0, hints)
    return check("predict_error_ratio", fn, [case])


def models(invariant_energy, plain_field) -> bool:
    """Exercise 4: both models on fixed weights."""
    rng = np.random.default_rng(1)
    inv, pln = nn.init_mlp(rng, [1, 16, 1]), nn.init_mlp(rng, [4, 32, 4])
    expected = 0.5 * np.sum(P**2, axis=1) + nn.mlp(inv, np.sum(Q**2, axis=1)[:, None])[:, 0]
    hints = {
        lambda got, q=Q: np.allclose(
            got, 0.5 * np.sum(P**2, axis=1) + nn.mlp(inv, np.sqrt(np.sum(q**2, 1))[:, None])[:, 0]
        ): "the network's input is |q|^2, not |q|",
        lambda got: np.shape(got) != (3,): "return one energy per state, shape (n,)",
    }
    out = nn.mlp(pln, np.concatenate([Q, P], axis=1))
    case = Case((inv, Q, P), expected, "three states, fixed weights", 1e-10, 0, hints)
    ok = check("invariant_energy", lambda *a: invariant_energy(*a), [case])
    return (
        check(
            "plain_field",
            lambda *a: tuple(plain_field(*a)),
            [Case((pln, Q, P), (out[:, :2], out[:, 2:]), "three states, fixed weights", 1e-10)],
        )
        and ok
    )


def train(fn, observe_orbits) -> bool:
    """Exercise 5: a few steps of each kind: the losses' length, the first loss, a decrease."""
    data = observe_orbits(np.random.default_rng(3), n_orbits=2, n_snaps=5)

    def summary(kind):
        params, losses = fn(kind, data, 5, 0.02, 0)
        return [float(v) for v in losses]

    summary.__name__ = "train(kind, 10 states, steps=5, lr=0.02, seed=0) -> losses"

    def compare(got, _):
        return len(got) == 5 and got[-1] < got[0]

    hints = {
        lambda got: len(got) != 5: "return one loss per step",
        lambda got: got[-1] >= got[0]: "the loss does not go down: give Adam the gradient of "
        "the loss with respect to the parameters",
    }
    cases = [
        Case((kind,), None, f"kind = {kind!r}", hints=hints) for kind in ("invariant", "plain")
    ]
    return check("train", summary, cases, compare=compare)
