"""``ad.Tensor`` against ``torch.Tensor``: the same expressions, the same ``.grad``.

Each test builds leaves with ``requires_grad=True`` from the same numpy arrays in
both libraries (float64; the PyTorch side on the CPU or on CUDA: the ``device``
fixture), runs the same expression, calls ``.backward()`` the same way, and
compares the values and every leaf's ``.grad``. Where the two spell an operation
differently (``x.max(axis=1)`` vs ``x.amax(dim=1)``), each side gets its own
lambda; everything else is one expression run on both.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import references as R  # noqa: E402

import autodiff_lite as ad  # noqa: E402

pytestmark = pytest.mark.filterwarnings(
    "ignore:`torch.jit.script` is deprecated:DeprecationWarning"  # inside torch itself
)


@pytest.fixture(scope="module")
def dev(torch_device):
    return torch_device


def _tol(dev):
    gpu = torch.device(dev).type != "cpu"
    return (R.GPU_RTOL, R.GPU_ATOL) if gpu else (R.RTOL, R.ATOL)


def check(ours, ref, what, dev):
    rtol, atol = _tol(dev)
    R.assert_close(
        ours.detach().numpy() if isinstance(ours, ad.Tensor) else ours,
        ref,
        "torch",
        what,
        rtol=rtol,
        atol=atol,
    )


def leaves(dev, *arrays):
    """The same float64 leaves, requiring gradients, in both libraries."""
    ours = [ad.Tensor(a, requires_grad=True) for a in arrays]
    ref = [torch.tensor(a, dtype=torch.float64, device=dev, requires_grad=True) for a in arrays]
    return ours, ref


def run_scalar(dev, arrays, f_ours, f_ref=None, what=""):
    """y = f(*leaves), a scalar; y.backward(); compare y and each leaf's .grad."""
    f_ref = f_ref or f_ours
    ours, ref = leaves(dev, *arrays)
    y, ry = f_ours(*ours), f_ref(*ref)
    check(y, ry, f"{what}: value", dev)
    y.backward()
    ry.backward()
    for i, (a, b) in enumerate(zip(ours, ref)):
        assert isinstance(a.grad, ad.Tensor), f"{what}: leaf {i}.grad is {type(a.grad).__name__}"
        check(a.grad, b.grad, f"{what}: leaf {i}.grad", dev)
    return ours, ref


def test_arithmetic_with_broadcasting_and_python_scalars(dev, rng):
    arrays = [rng.standard_normal((2, 3)), rng.standard_normal(3), rng.uniform(0.5, 2, (2, 1))]

    def f(a, b, c):
        y = (a * b + c) / (b * b + 1.0) - a**2 + 2.0 - a / 3.0
        y = y + (1.0 - b) * c - 2.0**b + c**b + 1.0 / (c + a * a)
        return (-y).sum()

    run_scalar(dev, arrays, f, what="broadcasting arithmetic")


def test_numpy_constants_on_either_side(dev, rng):
    a, k = rng.standard_normal((2, 3)), rng.standard_normal(3)
    tk = torch.tensor(k, device=dev)
    run_scalar(
        dev,
        [a],
        lambda x: ((k + x) * (x - k) / (k * k + 1.0)).sum() + (k @ x.T).sum(),
        lambda x: ((tk + x) * (x - tk) / (tk * tk + 1.0)).sum() + (tk @ x.T).sum(),
        what="numpy array operands",
    )


def test_matmul_layer(dev, rng):
    arrays = [rng.standard_normal((4, 3)), rng.standard_normal((3, 2)), rng.standard_normal(2)]
    run_scalar(dev, arrays, lambda x, W, b: ((x @ W + b).tanh() ** 2).sum(), what="tanh layer")
    vecs = [rng.standard_normal(3), rng.standard_normal((3, 3)), rng.standard_normal(3)]
    run_scalar(dev, vecs, lambda u, A, v: u @ A @ v, what="u @ A @ v")


def test_reductions(dev, rng):
    x = rng.standard_normal((3, 4))
    run_scalar(
        dev,
        [x],
        lambda x: (
            (x.sum(axis=0) * x.mean(axis=1, keepdims=True)).sum()
            + x.max(axis=1).sum()
            + x.max() * x.mean()
        ),
        lambda x: (
            (x.sum(axis=0) * x.mean(axis=1, keepdims=True)).sum()
            + x.amax(dim=1).sum()
            + x.amax() * x.mean()
        ),
        what="sum, mean, max",
    )


def test_exp_log_tanh_relu_sigmoid(dev, rng):
    x = rng.uniform(-2, 2, (3, 4))
    run_scalar(
        dev,
        [x],
        lambda x: (
            0.1 * x.exp() + (x * x + 1.0).log() + x.tanh() + x.relu() * x + x.sigmoid()
        ).sum(),
        what="exp, log, tanh, relu, sigmoid",
    )
    run_scalar(
        dev,
        [rng.uniform(0.5, 2, 5)],
        lambda x: (x.sqrt() * x.sin() + x.cos() * x.abs()).sum(),
        what="sqrt, sin, cos, abs",
    )


def test_log_softmax_cross_entropy(dev, rng):
    logits, labels = rng.standard_normal((4, 5)), np.array([0, 3, 3, 1])
    tl = torch.tensor(labels, device=dev)
    run_scalar(
        dev,
        [logits],
        lambda z: -z.log_softmax(axis=-1)[np.arange(4), labels].mean(),
        lambda z: -z.log_softmax(dim=-1)[torch.arange(4, device=dev), tl].mean(),
        what="cross-entropy",
    )


def test_indexing_reshape_transpose(dev, rng):
    x = rng.standard_normal((3, 4))
    rep = np.array([0, 2, 2])  # a repeated row: its gradient accumulates
    trep = torch.tensor(rep, device=dev)
    run_scalar(
        dev,
        [x],
        lambda x: (
            (x[1, :3] * x[:, 2]).sum()
            + (x[1:, ::2] ** 2).sum()
            + x[rep].sum() * x[-1, -1]
            + (x.T.reshape(2, 6) * x.reshape(6, 2).T).sum()
        ),
        lambda x: (
            (x[1, :3] * x[:, 2]).sum()
            + (x[1:, ::2] ** 2).sum()
            + x[trep].sum() * x[-1, -1]
            + (x.T.reshape(2, 6) * x.reshape(6, 2).T).sum()
        ),
        what="indexing",
    )


def test_value_used_several_times(dev, rng):
    run_scalar(
        dev,
        [rng.standard_normal(5)],
        lambda x: (x * x + x.exp() * x - x.sin() * x * x + x / (x * x + 1.0)).sum(),
        what="x used five times",
    )


def test_backward_on_two_outputs_accumulates(dev, rng):
    (x,), (tx,) = leaves(dev, rng.standard_normal(4))
    y1, y2 = (x * x).sum(), (x.sin() * x).sum()
    t1, t2 = (tx * tx).sum(), (tx.sin() * tx).sum()
    y1.backward()
    t1.backward()
    check(x.grad, tx.grad, "after the first backward", dev)
    y2.backward()
    t2.backward()
    check(x.grad, tx.grad, "after the second backward (accumulated)", dev)


def test_backward_with_gradient_for_non_scalar_output(dev, rng):
    (x, w), (tx, tw) = leaves(dev, rng.standard_normal((2, 3)), rng.standard_normal(3))
    g = rng.standard_normal((2, 3))
    y, ty = (x * w).tanh() + w, (tx * tw).tanh() + tw
    check(y, ty, "value", dev)
    y.backward(g)
    ty.backward(torch.tensor(g, device=dev))
    check(x.grad, tx.grad, "x.grad from backward(gradient)", dev)
    check(w.grad, tw.grad, "w.grad from backward(gradient) (broadcast: summed)", dev)


def test_retain_graph_double_backward(dev, rng):
    (x,), (tx,) = leaves(dev, rng.standard_normal(3))
    y, ty = (x**3 * x.exp()).sum(), (tx**3 * tx.exp()).sum()
    y.backward(retain_graph=True)
    ty.backward(retain_graph=True)
    check(x.grad, tx.grad, "first backward", dev)
    y.backward()
    ty.backward()
    check(x.grad, tx.grad, "second backward through the retained graph", dev)
    # Without retain_graph the graph is freed: a third backward is an error in both.
    with pytest.raises(RuntimeError):
        ty.backward()
    with pytest.raises(RuntimeError):
        y.backward()


def _flags(pairs, dev):
    for what, (a, b) in pairs.items():
        check(np.bool_(a.requires_grad), np.bool_(b.requires_grad), f"{what}: requires_grad", dev)
        check(np.bool_(a.is_leaf), np.bool_(b.is_leaf), f"{what}: is_leaf", dev)
        check(a, b, f"{what}: value", dev)


def test_leaf_flags(dev, rng):
    (x,), (tx,) = leaves(dev, rng.standard_normal(3))
    _flags(
        {"leaf": (x, tx), "x * 2": (x * 2.0, tx * 2.0), "detach": (x.detach(), tx.detach())}, dev
    )


def test_results_made_under_no_grad(dev, rng):
    # In PyTorch a tensor that does not require gradients is a leaf, by convention.
    (x,), (tx,) = leaves(dev, rng.standard_normal(3))
    with ad.no_grad():
        ours = x * 2.0
    with torch.no_grad():
        ref = tx * 2.0
    _flags({"x * 2 under no_grad": (ours, ref)}, dev)


# --- a tiny MLP trained with SGD ------------------------------------------------------------


def _mlp_setup(rng):
    params = {
        "W1": 0.5 * rng.standard_normal((3, 8)),
        "b1": np.zeros(8),
        "W2": 0.5 * rng.standard_normal((8, 1)),
        "b2": np.zeros(1),
    }
    X = rng.standard_normal((16, 3))
    y = np.sin(X.sum(axis=1, keepdims=True))
    return params, X, y


def _loss(p, X, y):
    h = (X @ p["W1"] + p["b1"]).tanh()
    return ((h @ p["W2"] + p["b2"] - y) ** 2).mean()


def _torch_training(params, X, y, dev, steps, lr):
    p = {k: torch.tensor(v, device=dev, requires_grad=True) for k, v in params.items()}
    tX, ty = torch.tensor(X, device=dev), torch.tensor(y, device=dev)
    losses = []
    for _ in range(steps):
        loss = _loss(p, tX, ty)
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            for v in p.values():
                v -= lr * v.grad
                v.grad = None
    return losses, p


def test_mlp_sgd_training_matches_torch(dev, rng):
    params, X, y = _mlp_setup(rng)
    steps, lr = 6, 0.2
    ref_losses, ref_params = _torch_training(params, X, y, dev, steps, lr)

    p = {k: ad.Tensor(v, requires_grad=True) for k, v in params.items()}
    losses = []
    for _ in range(steps):
        loss = _loss(p, X, y)
        losses.append(loss.item())
        loss.backward()
        with ad.no_grad():
            for v in p.values():
                v.data[...] -= lr * v.grad.data  # in place: v stays a leaf
                v.zero_grad()
    check(np.array(losses), np.array(ref_losses), "losses along training", dev)
    assert losses[-1] < losses[0], losses
    for k in p:
        check(p[k], ref_params[k], f"trained {k}", dev)


def test_mlp_sgd_training_with_the_pytorch_update_idiom(dev, rng):
    """`p -= lr * p.grad` under no_grad, exactly as in PyTorch, must keep p a trainable leaf."""
    params, X, y = _mlp_setup(rng)
    steps, lr = 3, 0.2
    ref_losses, _ = _torch_training(params, X, y, dev, steps, lr)

    p = {k: ad.Tensor(v, requires_grad=True) for k, v in params.items()}
    losses = []
    for _ in range(steps):
        loss = _loss(p, X, y)
        losses.append(loss.item())
        loss.backward()
        with ad.no_grad():
            for k in p:
                p[k] -= lr * p[k].grad
                p[k].grad = None
        assert all(v.requires_grad and v.is_leaf for v in p.values()), (
            "after `p -= lr * p.grad` under ad.no_grad(), the parameters no longer require "
            "gradients: "
            + ", ".join(
                f"{k}: requires_grad={v.requires_grad}, is_leaf={v.is_leaf}" for k, v in p.items()
            )
        )
    check(np.array(losses), np.array(ref_losses), "losses along training", dev)


def _both_refuse(ours, theirs):
    """Both calls raise: ours a clear ValueError/BackwardError, PyTorch its own error."""
    with pytest.raises((ValueError, ad.BackwardError)) as err:
        ours()
    with pytest.raises((ValueError, RuntimeError)):
        theirs()
    return str(err.value)


def test_interop_with_numpy_and_python_follows_pytorch():
    """float, int, bool, item, tolist, numpy and np.asarray: the same values as PyTorch,
    and the same refusals (many elements; numpy() while requiring grad)."""
    for data, grad in [(2.5, True), ([3.5], False), ([[1.0, -2.0], [0.5, 4.0]], True)]:
        _check_interop(ad.Tensor(data, requires_grad=grad), torch.tensor(data, requires_grad=grad))


def _check_interop(ours, ref):
    grad = ref.requires_grad
    assert ours.tolist() == ref.tolist()
    if ref.numel() == 1:
        assert float(ours) == float(ref) and int(ours) == int(ref)
        assert bool(ours) == bool(ref) and ours.item() == ref.item()
    else:
        assert "one-element" in _both_refuse(lambda: float(ours), lambda: float(ref))
        _both_refuse(lambda: int(ours), lambda: int(ref))
        _both_refuse(lambda: bool(ours), lambda: bool(ref))
        _both_refuse(ours.item, ref.item)
    if grad:
        msg = _both_refuse(ours.numpy, ref.numpy)
        assert "detach()" in msg
        _both_refuse(lambda: np.asarray(ours), lambda: np.asarray(ref))
        ours, ref = ours.detach(), ref.detach()
    np.testing.assert_array_equal(ours.numpy(), ref.numpy())
    np.testing.assert_array_equal(np.asarray(ours), np.asarray(ref))
    assert np.asarray(ours, dtype=np.float32).dtype == np.float32
