"""ad.checkpoint and ad.checkpointed_loop: the same gradients as the plain program, with
less memory (tracemalloc) for one extra forward pass (counted calls)."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import autodiff_lite as ad
import autodiff_lite.numpy as anp
from autodiff_lite.checkpointing import loop

N_STEPS, SIZE = 200, 4000


def _counting_step():
    calls = [0]

    def step(x):
        calls[0] += 1
        return x + 0.01 * anp.tanh(x) * anp.cos(x)

    return step, calls


def _peak_bytes(fn, *args):
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        out = fn(*args)
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    return out, peak


def test_checkpointed_loop_saves_memory_and_recomputes_each_step_once(rng):
    x0 = rng.standard_normal(SIZE)
    step, calls = _counting_step()
    plain = ad.grad(lambda x: anp.sum(loop(step, x, N_STEPS) ** 2))
    g_plain, peak_plain = _peak_bytes(plain, x0)
    assert calls[0] == N_STEPS
    calls[0] = 0
    ckpt = ad.grad(lambda x: anp.sum(ad.checkpointed_loop(step, x, N_STEPS) ** 2))
    g_ckpt, peak_ckpt = _peak_bytes(ckpt, x0)
    np.testing.assert_allclose(g_ckpt, g_plain, rtol=1e-13)
    # every step runs twice: once forward without a tape, once recomputed with one
    assert calls[0] == 2 * N_STEPS
    ratio = peak_plain / peak_ckpt
    print(f"peak memory: plain {peak_plain / 1e6:.1f} MB, checkpointed {peak_ckpt / 1e6:.2f} MB")
    assert ratio >= 5.0, (peak_plain, peak_ckpt)


def test_memory_grows_like_sqrt_n(rng):
    x0 = rng.standard_normal(SIZE)
    step, _ = _counting_step()
    peaks = {}
    for n in (100, 400):
        f = ad.grad(lambda x, n=n: anp.sum(ad.checkpointed_loop(step, x, n)))
        peaks[n] = _peak_bytes(f, x0)[1]
    # 4x the steps: about 2x the memory with sqrt(n) segments (4x without checkpoints)
    assert peaks[400] / peaks[100] < 3.0, peaks


@pytest.mark.parametrize("every", [1, 3, 7, 50])
def test_segment_lengths_that_do_not_divide_n(every, rng):
    x0 = rng.standard_normal(5)
    step, calls = _counting_step()
    f = lambda x: anp.sum(ad.checkpointed_loop(step, x, 20, every=every) ** 3)  # noqa: E731
    g = lambda x: anp.sum(loop(step, x, 20) ** 3)  # noqa: E731
    assert f(x0) == pytest.approx(g(x0))
    np.testing.assert_allclose(ad.grad(f)(x0), ad.grad(g)(x0), rtol=1e-13)


def test_checkpoint_in_every_transform_to_second_order(rng):
    calls = [0]

    @ad.checkpoint
    def block(params, x):
        calls[0] += 1
        return {"h": anp.tanh(x @ params["W"] + params["b"]), "s": anp.sum(x**2)}

    params = {"W": rng.standard_normal((3, 2)), "b": rng.standard_normal(2)}
    x = rng.standard_normal(3)

    def f(params, x):
        out = block(params, x)
        return anp.sum(out["h"] ** 2) * out["s"]

    def f_plain(params, x):
        h = anp.tanh(x @ params["W"] + params["b"])
        return anp.sum(h**2) * anp.sum(x**2)

    for transform in (ad.grad, ad.jacrev, ad.jacfwd, ad.hessian):
        ours = transform(f, argnums=(0, 1))(params, x)
        ref = transform(f_plain, argnums=(0, 1))(params, x)
        for a, b in zip(ad.tree_leaves(ours), ad.tree_leaves(ref)):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    ad.check_grads(f, (params, x), order=2)
    calls[0] = 0
    ad.grad(f, argnums=(0, 1))(params, x)
    assert calls[0] == 2  # forward once, recomputed once for both arguments
    calls[0] = 0
    assert f(params, x) == pytest.approx(f_plain(params, x)) and calls[0] == 1


def test_checkpoint_with_integer_arguments_and_a_pytree_carry():
    f = ad.checkpoint(lambda x, k: x**k)
    assert ad.grad(lambda x: f(x, 3))(2.0) == 12.0
    assert ad.jvp(lambda x: f(x, 3), (2.0,), (1.0,))[1] == 12.0

    def step(c):
        return {"x": c["x"] * c["v"], "v": c["v"] + 0.1}

    def loss(x, check):
        c = {"x": x, "v": np.array([1.0, 2.0])}
        c = ad.checkpointed_loop(step, c, 5, every=2) if check else loop(step, c, 5)
        return anp.sum(c["x"])

    x = np.array([1.0, -1.0])
    np.testing.assert_allclose(ad.grad(loss)(x, True), ad.grad(loss)(x, False))


def test_errors_say_what_is_wrong():
    with pytest.raises(ValueError, match="n_steps must be an integer"):
        ad.checkpointed_loop(lambda c: c, 1.0, -1)
    with pytest.raises(ValueError, match="every must be a positive integer"):
        ad.checkpointed_loop(lambda c: c, 1.0, 4, every=0)
    with pytest.raises(TypeError, match="floating-point"):
        ad.grad(lambda x: ad.checkpoint(lambda x: (x, np.arange(3)))(x)[0])(1.0)
