"""Workload 5: peak memory of reverse mode, and two ways to cut it.

1. A 1000-step loop (a damped nonlinear update of a 2000-vector), gradient with respect
   to a parameter vector carried through the loop. Plain reverse mode keeps every step's
   intermediates; ``ad.checkpointed_loop`` keeps only the carry at every
   ``sqrt(1000) ~ 32``-th step and recomputes each segment during the backward pass
   (Griewank and Walther 2008, ch. 12; Chen et al. 2016).
2. A fixed-point solve ``z = tanh(W z + x)``, gradient w.r.t. ``x``: unrolled (reverse
   mode through every iteration, memory grows with the iteration count) against
   ``ad.fixed_point`` (implicit function theorem: nothing of the iterations is kept).

Peak memory is measured with ``tracemalloc`` (numpy reports its buffers to it), above
what was allocated before the call.
"""

from __future__ import annotations

import numpy as np

from .harness import Config, compare, peak_memory, ratio

STEPS, WIDTH, DT = 1000, 2000, 0.01


def _loop_problem():
    import autodiff_lite.numpy as anp

    rng = np.random.default_rng(0)
    x0 = rng.normal(size=WIDTH)
    w = rng.uniform(0.5, 1.5, size=WIDTH)

    def step(carry):
        x, w = carry
        return x + DT * (anp.sin(w * x) - 0.1 * x), w

    return x0, w, step


def loop_memory(cfg: Config) -> dict:
    import autodiff_lite as ad
    import autodiff_lite.numpy as anp

    x0, w, step = _loop_problem()
    steps = 200 if cfg.quick else STEPS

    def plain(w):
        carry = (x0, w)
        for _ in range(steps):
            carry = step(carry)
        return anp.sum(carry[0] ** 2)

    def checkpointed(w):
        x, _ = ad.checkpointed_loop(step, (x0, w), steps)
        return anp.sum(x**2)

    g_plain, g_ckpt = ad.grad(plain), ad.grad(checkpointed)
    np.testing.assert_allclose(g_ckpt(w), g_plain(w), rtol=1e-10, atol=1e-12)
    mem_plain, _ = peak_memory(lambda: g_plain(w))
    mem_ckpt, _ = peak_memory(lambda: g_ckpt(w))
    fwd_cfg = Config(quick=cfg.quick, rounds=max(3, cfg.rounds // 3))
    times = compare(
        {
            "forward": lambda: plain(w),
            "plain grad": lambda: g_plain(w),
            "checkpointed grad": lambda: g_ckpt(w),
        },
        fwd_cfg,
        1,
    )
    return {
        "steps": steps,
        "width": WIDTH,
        "segment": max(1, round(steps**0.5)),
        "peak_bytes": {"plain": mem_plain, "checkpointed": mem_ckpt},
        "memory_reduction": mem_plain / mem_ckpt,
        "times": times,
        "time_ratio_checkpointed_over_plain": ratio(times, "checkpointed grad", "plain grad"),
    }


def fixed_point_memory(cfg: Config) -> dict:
    import autodiff_lite as ad
    import autodiff_lite.numpy as anp

    n = 300
    rng = np.random.default_rng(1)
    w = rng.normal(size=(n, n))
    w = w + w.T  # symmetric, so its spectral radius is its norm: a slow contraction
    w *= 0.97 / np.linalg.norm(w, 2)  # tanh is 1-Lipschitz, so f is a contraction in z
    x = 0.1 * rng.normal(size=n)  # small: tanh is nearly linear, so convergence is slow
    z0 = np.zeros(n)

    def f(z, x):
        return anp.tanh(w @ z + x)

    rows = []
    for tol in [1e-2, 1e-4, 1e-6, 1e-8, 1e-10] if not cfg.quick else [1e-2, 1e-6, 1e-10]:
        calls = [0]

        def counted(z, x, calls=calls):
            calls[0] += 1
            return f(z, x)

        ad.fixed_point(counted, z0, x, tol=tol, max_iter=10_000)
        iters = calls[0]

        def unrolled(x, iters=iters):
            z = z0
            for _ in range(iters):
                z = f(z, x)
            return anp.sum(z)

        def implicit(x, tol=tol):
            return anp.sum(ad.fixed_point(f, z0, x, tol=tol, max_iter=10_000))

        g_unrolled, g_implicit = ad.grad(unrolled), ad.grad(implicit)
        if tol <= 1e-8:  # converged: the two gradients agree (loosely solved, they need not)
            np.testing.assert_allclose(g_implicit(x), g_unrolled(x), rtol=1e-5, atol=1e-8)
        rows.append(
            {
                "tol": tol,
                "iterations": iters,
                "unrolled_peak_bytes": peak_memory(lambda g=g_unrolled: g(x))[0],
                "implicit_peak_bytes": peak_memory(lambda g=g_implicit: g(x))[0],
            }
        )
    return {"n": n, "rows": rows}


def run(cfg: Config, mods: dict) -> dict:
    return {
        "description": "peak memory (tracemalloc) of autodiff_lite's reverse mode",
        "loop": loop_memory(cfg),
        "fixed_point": fixed_point_memory(cfg),
    }
