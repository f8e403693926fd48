"""Workload 1: the gradient of an MLP's cross-entropy, 784-256-256-10, batch 128, float64.

Every system computes the same loss on the same arrays: two ReLU hidden layers, a linear
output, the mean cross-entropy ``logsumexp(logits) - logits[label]``, and its gradient with
respect to all six weight arrays (not the data). The baseline is the plain numpy forward
pass. Before timing, every system's gradient is checked against autodiff_lite's.
"""

from __future__ import annotations

import numpy as np

from .harness import Config, compare, ratio

SIZES = (784, 256, 256, 10)
BATCH = 128


def make_inputs(seed: int = 0):
    rng = np.random.default_rng(seed)
    params = []
    for n_in, n_out in zip(SIZES[:-1], SIZES[1:]):
        params += [rng.normal(size=(n_in, n_out)) / np.sqrt(n_in), 0.1 * rng.normal(size=n_out)]
    x = rng.normal(size=(BATCH, SIZES[0]))
    labels = rng.integers(0, SIZES[-1], size=BATCH)
    return params, x, labels


def numpy_loss(params, x, labels):
    h = x
    for i in range(0, len(params), 2):
        h = h @ params[i] + params[i + 1]
        if i + 2 < len(params):
            h = np.maximum(h, 0.0)
    m = h.max(axis=1, keepdims=True)
    lse = np.log(np.exp(h - m).sum(axis=1)) + m[:, 0]
    return np.mean(lse - h[np.arange(len(labels)), labels])


def numpy_grad(params, x, labels):
    """The gradient written out by hand in numpy: what no autodiff library can beat.

    The same products as any reverse pass (every W_bar, every h_bar but the input's),
    with the softmax and ReLU masks fused into the fewest passes over the arrays.
    """
    hs, pre = [x], []
    for i in range(0, len(params), 2):
        a = hs[-1] @ params[i] + params[i + 1]
        pre.append(a)
        hs.append(np.maximum(a, 0.0) if i + 2 < len(params) else a)
    z, rows = hs.pop(), np.arange(len(labels))
    e = np.exp(z - z.max(axis=1, keepdims=True))
    g = e / (e.sum(axis=1, keepdims=True) * len(labels))  # softmax / batch
    g[rows, labels] -= 1.0 / len(labels)
    grads = []
    for i in reversed(range(0, len(params), 2)):
        h = hs.pop()
        grads[:0] = [h.T @ g, g.sum(axis=0)]
        if hs:
            g = (g @ params[i].T) * (pre[i // 2 - 1] > 0)
    return grads


def loss_with(xp, logsumexp):
    """The same loss written against a numpy-like module ``xp`` (anp, autograd.numpy, jnp)."""

    def loss(params, x, labels):
        h = x
        for i in range(0, len(params), 2):
            h = h @ params[i] + params[i + 1]
            if i + 2 < len(params):
                h = xp.maximum(h, 0.0)
        return xp.mean(logsumexp(h, axis=1) - h[np.arange(len(labels)), labels])

    return loss


def systems(mods, params, x, labels):
    """{name: zero-argument function} for the forward baseline and each gradient."""
    import autodiff_lite as ad
    import autodiff_lite.numpy as anp

    fns = {"numpy forward": lambda: numpy_loss(params, x, labels)}
    fns["numpy hand-written grad"] = lambda: numpy_grad(params, x, labels)
    ad_loss = loss_with(anp, anp.logsumexp)
    ad_grad = ad.grad(ad_loss)
    fns["autodiff_lite grad"] = lambda: ad_grad(params, x, labels)
    reference = ad_grad(params, x, labels)
    checks = {"numpy hand-written": numpy_grad(params, x, labels)}

    if mods.get("autograd") is not None:
        import autograd
        import autograd.numpy as agnp
        from autograd.scipy.special import logsumexp as ag_lse

        ag_grad = autograd.grad(loss_with(agnp, ag_lse))
        fns["autograd grad"] = lambda: ag_grad(params, x, labels)
        checks["autograd"] = ag_grad(params, x, labels)

    torch = mods.get("torch")
    if torch is not None:
        tp = [torch.tensor(p, requires_grad=True) for p in params]
        tx, tl = torch.tensor(x), torch.tensor(labels)
        rows = torch.arange(len(labels))

        def torch_loss():
            h = tx
            for i in range(0, len(tp), 2):
                h = h @ tp[i] + tp[i + 1]
                if i + 2 < len(tp):
                    h = torch.relu(h)
            return torch.mean(torch.logsumexp(h, dim=1) - h[rows, tl])

        def torch_forward():
            with torch.no_grad():
                return torch_loss()

        def torch_grad():
            return torch.autograd.grad(torch_loss(), tp)

        fns["torch forward"] = torch_forward
        fns["torch grad"] = torch_grad
        checks["torch"] = [g.numpy() for g in torch_grad()]

    jax = mods.get("jax")
    if jax is not None:
        import jax.numpy as jnp
        from jax.scipy.special import logsumexp as jax_lse

        jp = [jnp.asarray(p) for p in params]
        jx, jl = jnp.asarray(x), jnp.asarray(labels)
        j_loss = loss_with(jnp, jax_lse)
        j_grad = jax.grad(j_loss)
        j_fwd_jit, j_grad_jit = jax.jit(j_loss), jax.jit(j_grad)

        def block(tree):
            return jax.block_until_ready(tree)

        fns["jax grad (eager)"] = lambda: block(j_grad(jp, jx, jl))
        fns["jax forward (jit)"] = lambda: block(j_fwd_jit(jp, jx, jl))
        fns["jax grad (jit)"] = lambda: block(j_grad_jit(jp, jx, jl))
        checks["jax"] = [np.asarray(g) for g in j_grad_jit(jp, jx, jl)]

    for name, grads in checks.items():
        for g, r in zip(grads, reference):
            np.testing.assert_allclose(g, r, rtol=1e-7, atol=1e-10, err_msg=name)
    return fns


def run(cfg: Config, mods: dict) -> dict:
    params, x, labels = make_inputs()
    fns = systems(mods, params, x, labels)
    times = compare(fns, cfg)
    base = "numpy forward"
    ratios = {f"{name} / numpy forward": ratio(times, name, base) for name in times}
    pairs = [
        ("autodiff_lite grad", "numpy hand-written grad"),
        ("numpy hand-written grad", "autograd grad"),
        ("autodiff_lite grad", "autograd grad"),
        ("autodiff_lite grad", "torch grad"),
        ("torch grad", "torch forward"),
        ("jax grad (jit)", "jax forward (jit)"),
    ]
    for a, b in pairs:
        if a in times and b in times:
            ratios[f"{a} / {b}"] = ratio(times, a, b)
    multiply_adds = sum(a * b for a, b in zip(SIZES[:-1], SIZES[1:])) * BATCH
    # The backward pass needs W_bar for every layer and h_bar for all but the first.
    backward_madds = multiply_adds + sum(a * b for a, b in zip(SIZES[1:-1], SIZES[2:])) * BATCH
    return {
        "description": f"MLP {'-'.join(map(str, SIZES))}, batch {BATCH}, float64, ReLU, "
        "mean cross-entropy; gradient w.r.t. all weights and biases",
        "times": times,
        "ratios": ratios,
        "floor_ratio_by_multiply_adds": (multiply_adds + backward_madds) / multiply_adds,
        "gradients_checked_against_autodiff_lite": True,
    }
