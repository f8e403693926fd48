"""The systems compared, their versions, and which BLAS each one multiplies matrices with.

Every system is optional except numpy and autodiff_lite: a missing peer is reported as
``null`` in the results instead of failing the run. Threads are pinned by
:func:`pin_threads` *before* numpy, PyTorch or JAX are imported, so that all systems get
the same number of cores (one, by default: on a 2-core shared machine, a second BLAS
thread mostly measures the neighbours).
"""

from __future__ import annotations

import ctypes
import glob
import importlib
import importlib.metadata
import os

PEERS = ["autograd", "micrograd", "torch", "jax"]


def pin_threads(n: int) -> None:
    """Ask every BLAS/OpenMP/XLA runtime for ``n`` threads; call before importing them."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(n)
    if n == 1 and "XLA_FLAGS" not in os.environ:
        os.environ["XLA_FLAGS"] = (
            "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
        )


def load(name: str):
    """Import a system (None if it is not installed); sets up torch and JAX for float64."""
    try:
        mod = importlib.import_module(name)
    except ImportError:
        return None
    if name == "torch":
        mod.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    if name == "jax":
        mod.config.update("jax_enable_x64", True)
    return mod


def version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def _openblas_core(numpy) -> dict:
    """The OpenBLAS kernel numpy picked at run time (OPENBLAS_CORETYPE can force it)."""
    libdir = os.path.join(os.path.dirname(numpy.__file__), os.pardir, "numpy.libs")
    for path in glob.glob(os.path.join(libdir, "*openblas*")):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        out = {}
        for suffix in ("64_", ""):
            for key, fn in (("core", "get_corename"), ("config", "get_config")):
                f = getattr(lib, f"scipy_openblas_{fn}{suffix}", None)
                if f is not None and key not in out:
                    f.restype = ctypes.c_char_p
                    out[key] = f().decode()
            f = getattr(lib, f"scipy_openblas_get_num_threads{suffix}", None)
            if f is not None and "threads" not in out:
                f.restype = ctypes.c_int
                out["threads"] = f()
        if out:
            return out
    return {}


def describe(mods: dict) -> dict:
    """Versions and BLAS of each loaded system, for the results file."""
    import numpy

    blas = numpy.show_config(mode="dicts")["Build Dependencies"]["blas"]
    numpy_blas = {"name": blas.get("name"), "version": blas.get("version")}
    numpy_blas.update(_openblas_core(numpy))
    numpy_blas["OPENBLAS_CORETYPE"] = os.environ.get("OPENBLAS_CORETYPE")
    out = {
        "numpy": {"version": numpy.__version__, "blas": numpy_blas},
        "autodiff_lite": {"version": version("autodiff_lite"), "blas": "numpy's (above)"},
    }
    if mods.get("autograd") is not None:
        out["autograd"] = {"version": version("autograd"), "blas": "numpy's (above)"}
    if mods.get("micrograd") is not None:
        out["micrograd"] = {"version": version("micrograd"), "blas": "none (pure Python)"}
    torch = mods.get("torch")
    if torch is not None:
        cfg = torch.__config__.show()
        info = [p.split("=", 1)[1] for p in cfg.replace(",", " ").split() if "BLAS_INFO=" in p]
        out["torch"] = {
            "version": torch.__version__,
            "blas": info[0] if info else "unknown",
            "threads": torch.get_num_threads(),
        }
    jax = mods.get("jax")
    if jax is not None:
        out["jax"] = {
            "version": jax.__version__,
            "jaxlib": version("jaxlib"),
            "blas": "XLA CPU (Eigen / XLA's own kernels)",
            "devices": [str(d) for d in jax.devices()],
            "XLA_FLAGS": os.environ.get("XLA_FLAGS"),
        }
    return out
