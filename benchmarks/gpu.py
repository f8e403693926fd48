"""The framework columns of the MLP workload on a GPU, when one is present.

    python -m benchmarks.gpu            # writes benchmarks/results-gpu.json

An MLP of workload 1's sizes (784-256-256-10, batch 128, float64, the gradient of the mean
cross-entropy with respect to all weights) but with tanh hidden layers, zero initial biases
and its own data, so its ratios are comparable within this file, not with workload 1's.
It is timed for PyTorch eager and JAX (eager and jit) on the GPU, beside the CPU figures
of numpy's forward pass and ``autodiff_lite``'s gradient measured in the same run. Each
time is the median of repeated runs after warm-up, with the device synchronised before the
clock stops. ``autodiff_lite`` itself runs on numpy (CPU): this records what a GPU buys
for a model of this size, and the device it was measured on.
"""

from __future__ import annotations

import datetime
import json
import platform
import time
from pathlib import Path

import numpy as np

SIZES = (784, 256, 256, 10)
BATCH = 128
RESULTS = Path(__file__).with_name("results-gpu.json")


def _data(seed=0):
    rng = np.random.default_rng(seed)
    params = []
    for n_in, n_out in zip(SIZES[:-1], SIZES[1:]):
        params.append((rng.normal(0, 1 / np.sqrt(n_in), (n_in, n_out)), np.zeros(n_out)))
    x = rng.normal(size=(BATCH, SIZES[0]))
    y = rng.integers(0, SIZES[-1], size=BATCH)
    return params, x, y


def _median_time(fn, sync=lambda out: out, repeats=30, warmup=5) -> float:
    for _ in range(warmup):
        sync(fn())
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        sync(fn())
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def cpu_columns(params, x, y) -> dict:
    import autodiff_lite as ad
    import autodiff_lite.numpy as anp

    def forward(ps, x):
        h = x
        for i, (w, b) in enumerate(ps):
            h = h @ w + b
            if i < len(ps) - 1:
                h = anp.tanh(h)
        return h

    def loss(ps, x, y):
        logits = forward(ps, x)
        logp = logits - anp.log(anp.sum(anp.exp(logits), axis=1, keepdims=True))
        return -anp.mean(logp[np.arange(len(y)), y])

    grad = ad.grad(loss)
    return {
        "numpy forward (CPU)": _median_time(lambda: forward(params, x)),
        "autodiff_lite grad (CPU)": _median_time(lambda: grad(params, x, y)),
    }


def torch_columns(params, x, y) -> dict:
    import torch

    if not torch.cuda.is_available():
        return {}
    dev = torch.device("cuda")
    ps = [
        (
            torch.tensor(w, device=dev, requires_grad=True),
            torch.tensor(b, device=dev, requires_grad=True),
        )
        for w, b in params
    ]
    xt, yt = torch.tensor(x, device=dev), torch.tensor(y, device=dev)

    def loss():
        h = xt
        for i, (w, b) in enumerate(ps):
            h = h @ w + b
            if i < len(ps) - 1:
                h = torch.tanh(h)
        return torch.nn.functional.cross_entropy(h, yt)

    flat = [p for pair in ps for p in pair]

    def grad():
        return torch.autograd.grad(loss(), flat)

    def forward():
        with torch.no_grad():
            return loss()

    sync = lambda out: torch.cuda.synchronize()  # noqa: E731
    return {
        "device (torch)": torch.cuda.get_device_name(0),
        "torch forward (GPU)": _median_time(forward, sync),
        "torch grad (GPU)": _median_time(grad, sync),
    }


def jax_columns(params, x, y) -> dict:
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    gpus = [d for d in jax.devices() if d.platform == "gpu"]
    if not gpus:
        return {}
    ps = jax.device_put([(jnp.asarray(w), jnp.asarray(b)) for w, b in params], gpus[0])
    xj, yj = jax.device_put(jnp.asarray(x), gpus[0]), jax.device_put(jnp.asarray(y), gpus[0])

    def loss(ps, x, y):
        h = x
        for i, (w, b) in enumerate(ps):
            h = h @ w + b
            if i < len(ps) - 1:
                h = jnp.tanh(h)
        logp = jax.nn.log_softmax(h)
        return -jnp.mean(logp[jnp.arange(len(y)), y])

    grad = jax.grad(loss)
    grad_jit = jax.jit(grad)
    sync = lambda out: jax.block_until_ready(out)  # noqa: E731
    return {
        "device (jax)": str(gpus[0]),
        "jax eager grad (GPU)": _median_time(lambda: grad(ps, xj, yj), sync, repeats=10),
        "jax jit grad (GPU)": _median_time(lambda: grad_jit(ps, xj, yj), sync),
    }


def main() -> None:
    params, x, y = _data()
    times = {
        **cpu_columns(params, x, y),
        **torch_columns(params, x, y),
        **jax_columns(params, x, y),
    }
    base = times["numpy forward (CPU)"]
    ratios = {k: v / base for k, v in times.items() if isinstance(v, float)}
    result = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": platform.platform(),
        "workload": f"MLP {'-'.join(map(str, SIZES))}, batch {BATCH}, float64",
        "median_s": times,
        "ratio_to_numpy_forward": ratios,
    }
    RESULTS.write_text(json.dumps(result, indent=1))
    for k, v in times.items():
        print(f"{k:>28}: {v if isinstance(v, str) else f'{v * 1e3:.3f} ms'}")


if __name__ == "__main__":
    main()
