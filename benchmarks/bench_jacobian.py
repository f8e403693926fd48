"""Workload 4: Jacobians by forward vs reverse mode over a grid of sizes: the crossover.

For f: R^n -> R^m, ``jacfwd`` runs one forward pass per input (n passes) and
``jacrev`` one backward pass per output (m passes, after one recording). The program is a
small two-layer map, ``y = sin(B tanh(A x))`` with a hidden width of 32, so the
per-pass cost hardly depends on n and m and the pass counts decide. The result is the
time ratio jacfwd / jacrev on the grid: above 1, reverse mode wins.
"""

from __future__ import annotations

import numpy as np

from .harness import Config, compare, ratio

HIDDEN = 32


def run(cfg: Config, mods: dict) -> dict:
    import autodiff_lite as ad
    import autodiff_lite.numpy as anp

    sizes = [1, 8, 64] if cfg.quick else [1, 3, 10, 30, 100]
    rng = np.random.default_rng(0)
    # 25 cells: fewer, shorter rounds per cell than the other workloads.
    cell_cfg = Config(quick=cfg.quick, rounds=max(3, cfg.rounds // 3), budget_s=0.02)
    grid = []
    for n in sizes:
        for m in sizes:
            a = rng.normal(size=(HIDDEN, n)) / np.sqrt(n)
            b = rng.normal(size=(m, HIDDEN)) / np.sqrt(HIDDEN)
            x = rng.normal(size=n)

            def f(x, a=a, b=b):
                return anp.sin(b @ anp.tanh(a @ x))

            fwd, rev = ad.jacfwd(f), ad.jacrev(f)
            np.testing.assert_allclose(fwd(x), rev(x), rtol=1e-10, atol=1e-12)
            fns = {"jacfwd": lambda f=fwd, x=x: f(x), "jacrev": lambda r=rev, x=x: r(x)}
            times = compare(fns, cell_cfg, 1)
            grid.append(
                {
                    "n": n,
                    "m": m,
                    "jacfwd_s": times["jacfwd"]["median_s"],
                    "jacrev_s": times["jacrev"]["median_s"],
                    "fwd_over_rev": ratio(times, "jacfwd", "jacrev"),
                }
            )
    return {
        "description": "autodiff_lite jacfwd vs jacrev of y = sin(B tanh(A x)), "
        f"x in R^n, y in R^m, hidden width {HIDDEN}",
        "sizes": sizes,
        "grid": grid,
    }
