"""ad.nn: initializer statistics, layers and losses against PyTorch, stable softmax."""

from __future__ import annotations

import numpy as np
import pytest

import autodiff_lite as ad
import autodiff_lite.numpy as anp
from autodiff_lite import nn

# --- initializers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "init, variance",
    [
        ("glorot", lambda n_in, n_out: 2.0 / (n_in + n_out)),
        ("he", lambda n_in, n_out: 2.0 / n_in),
        ("lecun", lambda n_in, n_out: 1.0 / n_in),
    ],
)
def test_initializers_have_the_right_shape_and_variance(init, variance, rng):
    n_in, n_out = 300, 200
    p = nn.init_dense(rng, n_in, n_out, init=init)
    assert p["W"].shape == (n_in, n_out) and p["b"].shape == (n_out,)
    assert p["W"].dtype == np.float64
    np.testing.assert_array_equal(p["b"], 0.0)
    # 60000 samples: the sample variance is within ~1% (4 standard errors < 3%) of the target.
    assert p["W"].var() == pytest.approx(variance(n_in, n_out), rel=0.03)
    assert abs(p["W"].mean()) < 4 * np.sqrt(variance(n_in, n_out) / p["W"].size)
    if init == "glorot":  # uniform on [-a, a], a = sqrt(6 / (n_in + n_out))
        assert np.abs(p["W"]).max() <= np.sqrt(6.0 / (n_in + n_out))


def test_init_mlp_shapes_and_reproducibility():
    sizes = [4, 16, 8, 3]
    a = nn.init_mlp(np.random.default_rng(1), sizes)
    b = nn.init_mlp(np.random.default_rng(1), sizes)
    assert [layer["W"].shape for layer in a] == [(4, 16), (16, 8), (8, 3)]
    for la, lb in zip(a, b):
        np.testing.assert_array_equal(la["W"], lb["W"])


def test_he_keeps_relu_activations_from_vanishing(rng):
    x = rng.standard_normal((2000, 256))
    for init, lo in [("he", 0.5), ("lecun", 0.0)]:
        params = nn.init_mlp(np.random.default_rng(0), [256] * 11, init=init)
        h = x
        for layer in params:
            h = nn.relu(nn.dense(layer, h))
        if init == "he":  # He et al. 2015: the second moment stays of order one after 10 layers
            assert lo < np.mean(h**2) < 4.0
        else:  # with variance 1/n it halves at every relu layer
            assert np.mean(h**2) < 0.01


# --- layers and losses against PyTorch ----------------------------------------------------


def test_mlp_and_cross_entropy_match_pytorch(rng, torch_device):
    torch = pytest.importorskip("torch")
    params = nn.init_mlp(rng, [5, 7, 4])
    x = rng.standard_normal((6, 5))
    labels = rng.integers(0, 4, size=6)

    def loss(params):
        return nn.cross_entropy(nn.mlp(params, x), labels)

    value, grads = ad.value_and_grad(loss)(params)

    tp = [
        {k: torch.tensor(v, device=torch_device, requires_grad=True) for k, v in layer.items()}
        for layer in params
    ]
    h = torch.tensor(x, device=torch_device)
    h = torch.tanh(h @ tp[0]["W"] + tp[0]["b"])
    logits = h @ tp[1]["W"] + tp[1]["b"]
    t_loss = torch.nn.functional.cross_entropy(logits, torch.tensor(labels, device=torch_device))
    t_loss.backward()
    assert value == pytest.approx(t_loss.item(), rel=1e-12)
    for layer, tlayer in zip(grads, tp):
        for k in ("W", "b"):
            np.testing.assert_allclose(layer[k], tlayer[k].grad.cpu().numpy(), rtol=1e-10)


@pytest.mark.parametrize("name", ["relu", "sigmoid", "softplus", "softmax", "log_softmax"])
def test_activations_match_pytorch(name, rng, torch_device):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((3, 5)) * 3.0
    x[0, 0] = 0.0  # relu's kink: both say derivative 0
    u = rng.standard_normal((3, 5))
    ref = {
        "relu": torch.relu,
        "sigmoid": torch.sigmoid,
        "softplus": torch.nn.functional.softplus,
        "softmax": lambda t: torch.softmax(t, dim=-1),
        "log_softmax": lambda t: torch.log_softmax(t, dim=-1),
    }[name]
    f = getattr(nn, name)
    y, vjp_fn = ad.vjp(f, x)
    tx = torch.tensor(x, device=torch_device, requires_grad=True)
    ty = ref(tx)
    (ty * torch.tensor(u, device=torch_device)).sum().backward()
    np.testing.assert_allclose(y, ty.detach().cpu().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(vjp_fn(u)[0], tx.grad.cpu().numpy(), rtol=1e-10, atol=1e-14)


def test_mse_and_gradients_by_finite_differences(rng):
    params = nn.init_mlp(rng, [3, 4, 2])
    x, y = rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
    loss = nn.mse(nn.mlp(params, x), y)
    assert loss == pytest.approx(np.mean((nn.mlp(params, x) - y) ** 2))
    ad.check_grads(lambda p: nn.mse(nn.mlp(p, x), y), (params,), order=2)
    labels = np.array([0, 1, 1, 0, 1])
    ad.check_grads(lambda p: nn.cross_entropy(nn.mlp(p, x), labels), (params,), order=2)


def test_log_softmax_is_stable_for_large_logits():
    x = np.array([[1000.0, 0.0, -1000.0], [-800.0, -800.0, -800.0]])
    out = nn.log_softmax(x)
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(out[0], [0.0, -1000.0, -2000.0])
    np.testing.assert_allclose(out[1], np.log(1 / 3) * np.ones(3))
    np.testing.assert_allclose(nn.softmax(x).sum(axis=1), 1.0)
    g = ad.grad(lambda z: nn.cross_entropy(z, np.array([2, 0])))(x)
    assert np.all(np.isfinite(g))
    np.testing.assert_allclose(g[0], [0.5, 0.0, -0.5])  # (softmax - onehot) / N
    assert nn.softplus(np.array(1000.0)) == 1000.0


# --- clear errors -------------------------------------------------------------------------


def test_errors_say_what_is_wrong():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="unknown init 'xavier'"):
        nn.init_dense(rng, 2, 3, init="xavier")
    with pytest.raises(TypeError, match="numpy Generator"):
        nn.init_dense(0, 2, 3)
    with pytest.raises(ValueError, match="positive integer"):
        nn.init_dense(rng, 0, 3)
    with pytest.raises(ValueError, match="at least an input and an output"):
        nn.init_mlp(rng, [3])
    with pytest.raises(ad.ShapeMismatchError, match="W.shape"):
        nn.dense(nn.init_dense(rng, 2, 3), np.ones((4, 5)))
    with pytest.raises(TypeError, match="integer class indices"):
        nn.cross_entropy(np.zeros((2, 3)), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="0..2"):
        nn.cross_entropy(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ad.ShapeMismatchError, match=r"\(N, C\)"):
        nn.cross_entropy(np.zeros(3), np.array([0]))
    with pytest.raises(ad.ShapeMismatchError, match="broadcasting"):
        nn.mse(np.zeros((3, 1)), np.zeros(3))


def test_mlp_activation_is_not_applied_after_the_last_layer(rng):
    params = nn.init_mlp(rng, [2, 3])
    x = rng.standard_normal((4, 2)) * 10
    np.testing.assert_allclose(nn.mlp(params, x), x @ params[0]["W"] + params[0]["b"])
    assert nn.mlp(params, x, activation=anp.sin).shape == (4, 3)
