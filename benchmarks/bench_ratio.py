"""Workload 3: what a gradient costs, as a multiple of the forward pass, on three programs.

The cheap-gradient principle says a gradient costs a small constant times the function
(Griewank and Walther 2008, who bound it by about 4 for reverse mode; Baydin et al. 2018).
Each system's ratio is its own gradient time over its own forward time:
autodiff_lite and HIPS autograd against the same code run on plain arrays, PyTorch
against its forward under ``no_grad``, JAX against its jitted forward.

- ``mlp``: the network of workload 1 (matrix products dominate).
- ``simulator``: 100 explicit time steps of 64 damped nonlinear oscillators, loss on the
  final state, gradient w.r.t. the stiffnesses (many small elementwise operations).
- ``reductions``: log-sum-exp over rows, variance over columns and row maxima of a
  256 x 256 array, gradient w.r.t. the array (reductions and their broadcasts back).
"""

from __future__ import annotations

import numpy as np

from . import bench_mlp
from .harness import Config, compare, ratio

STEPS, N_OSC, DT = 100, 64, 0.01


class Ops:
    """The few functions the programs need, from one system's namespace."""

    def __init__(self, sin, sum, mean, var, max, logsumexp):  # noqa: A002 - numpy's names
        self.sin, self.sum, self.mean, self.var = sin, sum, mean, var
        self.max, self.logsumexp = max, logsumexp


def simulator(k, q0, p0, ops):
    q, p = q0, p0
    for _ in range(STEPS):
        force = -k * q - 0.1 * p + 0.5 * ops.sin(q)
        p = p + DT * force
        q = q + DT * p
    return ops.sum(q * q)


def reductions(x, ops):
    return ops.sum(ops.logsumexp(x, 1)) + ops.sum(ops.var(x, 0)) + ops.mean(ops.max(x, 1))


def _inputs(seed=0):
    rng = np.random.default_rng(seed)
    sim = (rng.uniform(0.5, 2.0, N_OSC), rng.normal(size=N_OSC), rng.normal(size=N_OSC))
    red = rng.normal(size=(256, 256))
    return sim, red


def _programs(mods):
    """{system: (ops, to_array, grad_maker, forward_maker)}."""
    import autodiff_lite as ad
    import autodiff_lite.numpy as anp

    out = {}
    ad_ops = Ops(
        anp.sin,
        anp.sum,
        anp.mean,
        lambda x, a: anp.var(x, axis=a),
        lambda x, a: anp.max(x, axis=a),
        lambda x, a: anp.logsumexp(x, axis=a),
    )
    out["autodiff_lite"] = (ad_ops, np.asarray, ad.grad, lambda f: f)
    if mods.get("autograd") is not None:
        import autograd
        import autograd.numpy as agnp
        from autograd.scipy.special import logsumexp as ag_lse

        ag_ops = Ops(
            agnp.sin,
            agnp.sum,
            agnp.mean,
            lambda x, a: agnp.var(x, axis=a),
            lambda x, a: agnp.max(x, axis=a),
            lambda x, a: ag_lse(x, axis=a),
        )
        out["autograd"] = (ag_ops, np.asarray, autograd.grad, lambda f: f)
    torch = mods.get("torch")
    if torch is not None:
        t_ops = Ops(
            torch.sin,
            torch.sum,
            torch.mean,
            lambda x, a: torch.var(x, dim=a, unbiased=False),
            lambda x, a: torch.amax(x, dim=a),
            lambda x, a: torch.logsumexp(x, dim=a),
        )

        def t_grad(f):
            def g(x, *rest):
                x = x.detach().requires_grad_(True)
                return torch.autograd.grad(f(x, *rest), x)[0]

            return g

        def t_fwd(f):
            def run(*args):
                with torch.no_grad():
                    return f(*args)

            return run

        out["torch"] = (t_ops, torch.tensor, t_grad, t_fwd)
    jax = mods.get("jax")
    if jax is not None:
        import jax.numpy as jnp
        from jax.scipy.special import logsumexp as j_lse

        j_ops = Ops(
            jnp.sin,
            jnp.sum,
            jnp.mean,
            lambda x, a: jnp.var(x, axis=a),
            lambda x, a: jnp.max(x, axis=a),
            lambda x, a: j_lse(x, axis=a),
        )

        def j_grad(f):
            g = jax.jit(jax.grad(f))
            return lambda *a: jax.block_until_ready(g(*a))

        def j_fwd(f):
            jf = jax.jit(f)
            return lambda *a: jax.block_until_ready(jf(*a))

        out["jax (jit)"] = (j_ops, jnp.asarray, j_grad, j_fwd)
    return out


def run(cfg: Config, mods: dict) -> dict:
    (k, q0, p0), red = _inputs()
    params, x, labels = bench_mlp.make_inputs()
    results = {}
    for prog in ("mlp", "simulator", "reductions"):
        fns, grads = {}, {}
        for system, (ops, arr, make_grad, make_fwd) in _programs(mods).items():
            if prog == "mlp":
                if system == "autodiff_lite":
                    import autodiff_lite.numpy as anp

                    f = bench_mlp.loss_with(anp, anp.logsumexp)
                elif system == "autograd":
                    import autograd.numpy as agnp
                    from autograd.scipy.special import logsumexp as ag_lse

                    f = bench_mlp.loss_with(agnp, ag_lse)
                else:
                    continue  # PyTorch and JAX: workload 1 measures the same ratio
                args = (params, x, labels)
            elif prog == "simulator":
                f = lambda k, q0, p0, ops=ops: simulator(k, q0, p0, ops)  # noqa: E731
                args = (arr(k), arr(q0), arr(p0))
            else:
                f = lambda x, ops=ops: reductions(x, ops)  # noqa: E731
                args = (arr(red),)
            g, fw = make_grad(f), make_fwd(f)
            fns[f"{system} forward"] = lambda fw=fw, args=args: fw(*args)
            fns[f"{system} grad"] = lambda g=g, args=args: g(*args)
            grads[system] = g(*args)
        ref = grads["autodiff_lite"]
        for system, gr in grads.items():
            if prog != "mlp":
                np.testing.assert_allclose(
                    np.asarray(gr), ref, rtol=1e-8, atol=1e-10, err_msg=f"{prog}/{system}"
                )
        times = compare(fns, cfg)
        systems_here = [n[: -len(" grad")] for n in fns if n.endswith(" grad")]
        results[prog] = {
            "times": times,
            "grad_over_forward": {
                s: ratio(times, f"{s} grad", f"{s} forward") for s in systems_here
            },
        }
    return {
        "description": "gradient time / forward time, each system against its own forward",
        "programs": results,
    }
