"""Workload 2: a chain of 200 scalar operations on Python floats, then its gradient.

The program is micrograd's home ground: no arrays at all, so the time is all overhead
(building the graph, dispatching each operation, walking the graph back). It cycles
through multiply by a constant, add the input ``x`` again (so ``x`` has many users whose
contributions must accumulate), and ReLU; the constants keep the value positive and
of order one, so every ReLU passes its gradient.
"""

from __future__ import annotations

import numpy as np

from .harness import Config, compare, ratio

N_OPS = 200


def constants(seed: int = 0) -> list[float]:
    rng = np.random.default_rng(seed)
    return [float(c) for c in rng.uniform(0.5, 0.9, size=N_OPS)]


def chain(x, cs, relu):
    """The program, for any number type with * and + and a ``relu`` function."""
    v = x
    for i, c in enumerate(cs):
        op = i % 3
        if op == 0:
            v = v * c
        elif op == 1:
            v = v + x
        else:
            v = relu(v)
    return v


def reference_gradient(x: float, cs) -> float:
    """d chain / dx by hand: v' = c v' for multiply, v' + 1 for add, and ReLU passes v'."""
    v, dv = x, 1.0
    for i, c in enumerate(cs):
        op = i % 3
        if op == 0:
            v, dv = v * c, dv * c
        elif op == 1:
            v, dv = v + x, dv + 1.0
        elif v <= 0:
            v, dv = 0.0, 0.0
    return dv


def systems(mods, x: float, cs) -> tuple[dict, dict]:
    import autodiff_lite as ad
    import autodiff_lite.numpy as anp

    def relu_anp(v):
        return anp.maximum(v, 0.0)

    ad_grad = ad.grad(lambda x: chain(x, cs, relu_anp))
    fns = {
        "python forward": lambda: chain(x, cs, lambda v: v if v > 0.0 else 0.0),
        "autodiff_lite grad": lambda: ad_grad(x),
    }
    got = {"autodiff_lite": float(ad_grad(x))}

    micrograd = mods.get("micrograd")
    if micrograd is not None:
        from micrograd.engine import Value

        def mg_grad():
            xv = Value(x)
            chain(xv, cs, lambda v: v.relu()).backward()
            return xv.grad

        fns["micrograd grad"] = mg_grad
        got["micrograd"] = mg_grad()

    if mods.get("autograd") is not None:
        import autograd
        import autograd.numpy as agnp

        ag_grad = autograd.grad(lambda x: chain(x, cs, lambda v: agnp.maximum(v, 0.0)))
        fns["autograd grad"] = lambda: ag_grad(x)
        got["autograd"] = float(ag_grad(x))

    torch = mods.get("torch")
    if torch is not None:

        def torch_grad():
            xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
            (g,) = torch.autograd.grad(chain(xt, cs, torch.relu), xt)
            return g

        fns["torch grad"] = torch_grad
        got["torch"] = float(torch_grad())

    jax = mods.get("jax")
    if jax is not None:
        j_grad = jax.grad(lambda x: chain(x, cs, jax.nn.relu))
        j_jit = jax.jit(j_grad)
        fns["jax grad (eager)"] = lambda: jax.block_until_ready(j_grad(x))
        fns["jax grad (jit)"] = lambda: jax.block_until_ready(j_jit(x))
        got["jax"] = float(j_jit(x))
    return fns, got


def run(cfg: Config, mods: dict) -> dict:
    x, cs = 0.7, constants()
    fns, got = systems(mods, x, cs)
    expected = reference_gradient(x, cs)
    for name, g in got.items():
        np.testing.assert_allclose(g, expected, rtol=1e-10, err_msg=name)
    times = compare(fns, cfg)
    ratios = {}
    for other in ("micrograd grad", "autograd grad", "torch grad", "jax grad (eager)"):
        if other in times:
            ratios[f"autodiff_lite grad / {other}"] = ratio(times, "autodiff_lite grad", other)
    ratios["autodiff_lite grad / python forward"] = ratio(
        times, "autodiff_lite grad", "python forward"
    )
    return {
        "description": f"{N_OPS} scalar operations on Python floats (x c, + x, ReLU), then d/dx",
        "times": times,
        "ratios": ratios,
        "per_op_us": {k: v["median_s"] / N_OPS * 1e6 for k, v in times.items()},
        "gradient": expected,
    }
