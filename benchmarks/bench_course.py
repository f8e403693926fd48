"""Workload 7 (opt-in, slow): course-level figures, and the library's import time.

- ``import_time``: ``import autodiff_lite`` in a fresh interpreter (numpy included, as a
  student pays it), median of several runs; numpy's own import beside it.
- ``book``: the web book built from a clean copy of the repository, then again from its
  cache (``jupyter-book build``). Minutes of CPU: only with ``--course``
  (``make bench-course``).
- ``autograde``: lab autograding throughput, serial vs parallel, through the course's
  grading command (:mod:`benchmarks.bench_autograde`). Also only with ``--course``;
  ``null`` when not measured.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

_TIMED_IMPORT = "import time; t = time.perf_counter(); import {mod}; print(time.perf_counter() - t)"


def import_time(repeats: int = 7) -> dict:
    out = {}
    for mod in ("numpy", "autodiff_lite"):
        runs = []
        for _ in range(repeats):
            res = subprocess.run(
                [sys.executable, "-c", _TIMED_IMPORT.format(mod=mod)],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            )
            runs.append(float(res.stdout.strip()))
        out[mod] = {"median_s": float(np.median(runs)), "runs_s": runs}
    return out


def _copy_repo(dest: Path) -> None:
    """The tracked files only (no _build, no caches): a clean checkout."""
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    for f in files:
        if not f:
            continue
        src = ROOT / f.decode()
        if src.is_file():
            (dest / f.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / f.decode())


def book_build_time() -> dict:
    jb = Path(sys.executable).with_name("jupyter-book")
    with tempfile.TemporaryDirectory(prefix="bench-book-") as tmp:
        copy = Path(tmp) / "repo"
        copy.mkdir()
        _copy_repo(copy)
        times = {}
        for label in ("clean", "cached"):
            t0 = time.perf_counter()
            res = subprocess.run(
                [str(jb), "build", str(copy)], capture_output=True, text=True, cwd=copy
            )
            times[f"{label}_s"] = time.perf_counter() - t0
            times[f"{label}_returncode"] = res.returncode
    return times


def run(cfg, mods: dict, course: bool = False) -> dict:
    return {
        "import_time": import_time(3 if cfg.quick else 7),
        "book": book_build_time() if course else None,
        "autograde": _autograde() if course else None,
    }


def _autograde() -> dict:
    from .bench_autograde import throughput

    return throughput()
