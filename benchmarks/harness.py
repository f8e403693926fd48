"""Timing and memory measurement shared by every workload.

The machine these numbers come from is small and shared, so single timings are noise.
Two rules keep comparisons fair:

- **Interleave.** :func:`compare` runs every system once per *round*, in a rotating
  order, for many rounds; a burst of load from elsewhere then hits all systems alike
  instead of whichever happened to be running.
- **Medians of paired ratios.** Each system's time is the median over rounds (with the
  quartiles, so the page can show the spread). A ratio between two systems is the median
  over rounds of the ratio *within* a round, so that slow drifts of the machine's speed
  (another job starting) cancel out.
- **CPU time.** With every system pinned to one thread, the process's CPU time
  (``time.process_time``) counts the work a system did and not the time it spent waiting
  for a core that another program held. Wall-clock medians are recorded beside it.
"""

from __future__ import annotations

import gc
import os
import platform
import sys
import time
import tracemalloc
from collections.abc import Callable

import numpy as np


class Config:
    """How hard to measure: ``quick`` is for checking that the suite runs (a few seconds)."""

    def __init__(self, quick: bool = False, rounds: int | None = None, budget_s: float = 0.2):
        self.quick = quick
        self.rounds = rounds or (3 if quick else 25)
        # Target time for one round of one system; fast functions run several times per round.
        self.budget_s = 0.02 if quick else budget_s


def _calls_per_round(f: Callable, budget_s: float) -> int:
    t0 = time.process_time()
    f()
    dt = time.process_time() - t0
    return max(1, min(1000, int(budget_s / max(dt, 1e-7))))


def compare(fns: dict[str, Callable], cfg: Config, warmup: int = 2) -> dict:
    """Median CPU seconds per call of each zero-argument function, measured interleaved.

    Returns ``{name: {"median_s", "q1_s", "q3_s", "wall_median_s", "rounds",
    "calls_per_round", "samples_s"}}`` (``samples_s``: one mean time per round).
    """
    for f in fns.values():
        for _ in range(warmup):
            f()
    inner = {name: _calls_per_round(f, cfg.budget_s) for name, f in fns.items()}
    samples: dict[str, list[float]] = {name: [] for name in fns}
    walls: dict[str, list[float]] = {name: [] for name in fns}
    names = list(fns)
    gc_was_enabled = gc.isenabled()
    try:
        for r in range(cfg.rounds):
            order = names[r % len(names) :] + names[: r % len(names)]
            for name in order:
                f, n = fns[name], inner[name]
                gc.collect()
                gc.disable()  # a collection inside one system's timing is noise for it alone
                c0, t0 = time.process_time(), time.perf_counter()
                for _ in range(n):
                    f()
                samples[name].append((time.process_time() - c0) / n)
                walls[name].append((time.perf_counter() - t0) / n)
                if gc_was_enabled:
                    gc.enable()
    finally:
        if gc_was_enabled:
            gc.enable()
    out = {}
    for name, s in samples.items():
        q1, med, q3 = np.percentile(s, [25, 50, 75])
        out[name] = {
            "median_s": float(med),
            "q1_s": float(q1),
            "q3_s": float(q3),
            "wall_median_s": float(np.median(walls[name])),
            "rounds": len(s),
            "calls_per_round": inner[name],
            "samples_s": [float(f"{v:.4g}") for v in s],
        }
    return out


def ratio(results: dict, a: str, b: str) -> float:
    """How many times slower ``a`` is than ``b``: the median of their per-round ratios."""
    pairs = zip(results[a]["samples_s"], results[b]["samples_s"])
    return float(np.median([x / y for x, y in pairs]))


def _fill_free_lists() -> None:
    """Make (untraced) and drop 2000 tuples of each size 1..19: CPython's free lists fill."""
    spare = [tuple(range(size)) for size in range(1, 20) for _ in range(2000)]
    del spare


def peak_memory(f: Callable) -> tuple[int, float]:
    """Peak bytes allocated while ``f()`` runs (Python objects and numpy buffers), and seconds.

    ``tracemalloc`` sees numpy's array buffers because numpy reports them to it; the peak
    is measured above what was allocated before the call.

    CPython keeps up to 2000 freed tuples of each small size for reuse (its *free
    lists*), and ``gc.collect()`` empties them. Refilled during the measurement they
    would count up to about 250 KB that grow with how many tuples the program has made
    so far, not with what it keeps: an iterative solver would seem to grow by 0.2 KB
    per iteration. So the lists are filled before tracing starts.
    """
    gc.collect()
    _fill_free_lists()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        t0 = time.perf_counter()
        f()
        dt = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak - base, dt


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_info() -> dict:
    env_keys = [
        k
        for k in sorted(os.environ)
        if k.startswith(("OPENBLAS", "OMP_", "MKL_", "XLA_", "MALLOC_", "BENCH_"))
    ]
    try:
        load = os.getloadavg()
    except OSError:
        load = None
    return {
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "load_average_at_start": load,
        "python": sys.version.split()[0],
        "env": {k: os.environ[k] for k in env_keys},
    }
