"""ad.optim against torch.optim, step by step on a pytree of parameters."""

from __future__ import annotations

import numpy as np
import pytest

import autodiff_lite as ad
import autodiff_lite.numpy as anp
from autodiff_lite import optim

N_STEPS = 25


def _problem(rng):
    """A small nonconvex loss on a pytree: {"W": (3, 2), "b": (2,)} and a scalar in a list."""
    x, y = rng.standard_normal((8, 3)), rng.standard_normal((8, 2))
    params = {"W": rng.standard_normal((3, 2)), "b": rng.standard_normal(2), "s": [np.array(0.5)]}

    def loss(p, lib=anp):
        pred = lib.tanh(x_(lib) @ p["W"] + p["b"]) * p["s"][0]
        return lib.mean((pred - y_(lib)) ** 2)

    def x_(lib):
        return x if lib is anp else lib.as_tensor(x, device=lib.DEV)

    def y_(lib):
        return y if lib is anp else lib.as_tensor(y, device=lib.DEV)

    return params, loss


def _run_ours(opt, params, loss):
    state = opt.init(params)
    history = []
    for _ in range(N_STEPS):
        grads = ad.grad(loss)(params)
        params, state = opt.update(params, grads, state)
        history.append(params)
    return history, state


def _run_torch(make_opt, params, loss, device, clip=None):
    torch = pytest.importorskip("torch")
    torch.DEV = device
    tp = {
        "W": torch.tensor(params["W"], device=device, requires_grad=True),
        "b": torch.tensor(params["b"], device=device, requires_grad=True),
        "s": [torch.tensor(params["s"][0], device=device, requires_grad=True)],
    }
    leaves = [tp["W"], tp["b"], tp["s"][0]]
    opt = make_opt(leaves)
    history = []
    for _ in range(N_STEPS):
        opt.zero_grad()
        loss(tp, torch).backward()
        if clip is not None:
            torch.nn.utils.clip_grad_norm_(leaves, clip)
        opt.step()
        history.append([t.detach().cpu().numpy().copy() for t in leaves])
    return history


def _compare(ours, theirs):
    for p, t in zip(ours, theirs):
        leaves = [p["W"], p["b"], p["s"][0]]
        for a, b in zip(leaves, t):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (dict(lr=0.1), dict(lr=0.1)),
        (dict(lr=0.05, momentum=0.9), dict(lr=0.05, momentum=0.9)),
        (dict(lr=0.05, momentum=0.8, nesterov=True), dict(lr=0.05, momentum=0.8, nesterov=True)),
    ],
    ids=["plain", "momentum", "nesterov"],
)
def test_sgd_matches_torch(ours, theirs, rng, torch_device):
    torch = pytest.importorskip("torch")
    params, loss = _problem(rng)
    history, state = _run_ours(optim.SGD(**ours), params, loss)
    assert state["step"] == N_STEPS
    make = lambda p: torch.optim.SGD(p, **theirs)  # noqa: E731
    _compare(history, _run_torch(make, params, loss, torch_device))


@pytest.mark.parametrize("clip", [None, 0.05])
def test_adam_matches_torch_over_many_steps(clip, rng, torch_device):
    torch = pytest.importorskip("torch")
    params, loss = _problem(rng)
    opt = optim.Adam(lr=0.03, betas=(0.8, 0.99), eps=1e-6, clip_norm=clip)
    history, _ = _run_ours(opt, params, loss)
    make = lambda p: torch.optim.Adam(p, lr=0.03, betas=(0.8, 0.99), eps=1e-6)  # noqa: E731
    _compare(history, _run_torch(make, params, loss, torch_device, clip=clip))
    # the run moved the parameters (a test of a no-op would pass the comparison too)
    assert np.abs(history[-1]["W"] - params["W"]).max() > 0.1


def test_clip_grad_norm_matches_torch(rng, torch_device):
    torch = pytest.importorskip("torch")
    grads = {"a": rng.standard_normal((4, 3)), "b": [rng.standard_normal(5)]}
    total = np.sqrt(sum(np.sum(g**2) for g in ad.tree_leaves(grads)))
    for max_norm in [0.5 * total, 2.0 * total]:
        clipped, norm = optim.clip_grad_norm(grads, max_norm)
        ts = [torch.tensor(g, device=torch_device) for g in ad.tree_leaves(grads)]
        for t in ts:
            t.grad = t.detach().clone()
        t_norm = torch.nn.utils.clip_grad_norm_(ts, max_norm)
        assert norm == pytest.approx(t_norm.item(), rel=1e-12)
        for ours, t in zip(ad.tree_leaves(clipped), ts):
            np.testing.assert_allclose(ours, t.grad.cpu().numpy(), rtol=1e-12)
        new_norm = np.sqrt(sum(np.sum(g**2) for g in ad.tree_leaves(clipped)))
        assert new_norm <= max_norm * (1 + 1e-9)


def test_optimizers_minimize_a_quadratic():
    target = np.array([1.0, -2.0, 3.0])
    for opt in [optim.SGD(0.1), optim.SGD(0.05, momentum=0.9), optim.Adam(0.1)]:
        params = {"x": np.zeros(3)}
        state = opt.init(params)
        for _ in range(300):
            g = ad.grad(lambda p: anp.sum((p["x"] - target) ** 2))(params)
            params, state = opt.update(params, g, state)
        np.testing.assert_allclose(params["x"], target, atol=1e-3, err_msg=repr(opt))


def test_an_update_can_be_differentiated_with_respect_to_the_learning_rate():
    # d/d lr of the loss after one SGD step: -|g|^2 (a hypergradient).
    x0 = np.array([1.0, 2.0])

    def loss(x):
        return anp.sum(x**2)

    def after_one_step(lr):
        opt = optim.SGD(0.1)
        opt.lr = lr
        new, _ = opt.update({"x": x0}, {"x": 2 * x0}, opt.init({"x": x0}))
        return loss(new["x"])

    assert ad.grad(after_one_step)(0.1) == pytest.approx(-2 * np.sum(2 * x0 * (1 - 0.2) * x0))


def test_errors_say_what_is_wrong():
    with pytest.raises(ValueError, match="lr must be > 0"):
        optim.SGD(-1.0)
    with pytest.raises(ValueError, match="momentum"):
        optim.SGD(0.1, momentum=1.5)
    with pytest.raises(ValueError, match="nesterov"):
        optim.SGD(0.1, nesterov=True)
    with pytest.raises(ValueError, match="betas"):
        optim.Adam(betas=(0.9,))
    with pytest.raises(ValueError, match="max_norm"):
        optim.clip_grad_norm([np.ones(2)], 0.0)
    opt = optim.Adam()
    params = {"w": np.ones(2)}
    state = opt.init(params)
    with pytest.raises(ValueError, match="structure of params"):
        opt.update(params, {"v": np.ones(2)}, state)
    with pytest.raises(ad.ShapeMismatchError, match="shape"):
        opt.update(params, {"w": np.ones(3)}, state)
    with pytest.raises(TypeError, match="floating point"):
        opt.update({"w": np.array([1, 2])}, {"w": np.ones(2)}, state)
