"""Workload 6: the overhead per primitive on tiny arrays, the cost of tracing itself.

A chain of ``N`` cheap elementwise operations (sin, multiply, add) on an array of 3
numbers does almost no arithmetic, so the time per operation is the bookkeeping: plain
numpy's ufunc dispatch, then what each system adds to record the operation and to run
its derivative rule backwards. Reported per operation, forward and forward+backward.
"""

from __future__ import annotations

import numpy as np

from .harness import Config, compare

N = 100


def program(x, sin):
    v = x
    for _ in range(N // 3):
        v = sin(v) * 0.9 + x
    return v


def run(cfg: Config, mods: dict) -> dict:
    import autodiff_lite as ad
    import autodiff_lite.numpy as anp

    x = np.array([0.1, 0.2, 0.3])
    n_ops = 3 * (N // 3)
    ad_grad = ad.grad(lambda x: anp.sum(program(x, anp.sin)))
    fns = {
        "numpy forward": lambda: program(x, np.sin),
        "autodiff_lite forward (untraced)": lambda: program(x, anp.sin),
        "autodiff_lite grad": lambda: ad_grad(x),
    }
    if mods.get("autograd") is not None:
        import autograd
        import autograd.numpy as agnp

        ag_grad = autograd.grad(lambda x: agnp.sum(program(x, agnp.sin)))
        fns["autograd grad"] = lambda: ag_grad(x)
    torch = mods.get("torch")
    if torch is not None:
        tx0 = torch.tensor(x)

        def torch_forward():
            with torch.no_grad():
                return program(tx0, torch.sin)

        def torch_grad():
            tx = tx0.clone().requires_grad_(True)
            return torch.autograd.grad(program(tx, torch.sin).sum(), tx)

        fns["torch forward"] = torch_forward
        fns["torch grad"] = torch_grad
    jax = mods.get("jax")
    if jax is not None:
        import jax.numpy as jnp

        jx = jnp.asarray(x)
        j_grad = jax.grad(lambda x: jnp.sum(program(x, jnp.sin)))
        fns["jax forward (eager)"] = lambda: jax.block_until_ready(program(jx, jnp.sin))
        fns["jax grad (eager)"] = lambda: jax.block_until_ready(j_grad(jx))
    times = compare(fns, cfg)
    return {
        "description": f"{n_ops} elementwise operations (sin, *, +) on an array of 3 numbers",
        "times": times,
        "per_op_us": {k: v["median_s"] / n_ops * 1e6 for k, v in times.items()},
    }
