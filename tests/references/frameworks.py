"""The frameworks (JAX and PyTorch, each optional), counting and comparing results,
and the record :class:`Ref` of one primitive's references."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

import autodiff_lite as ad

try:
    import jax
    import jax.numpy as jnp
    import jax.scipy.special as jsp_special
except ImportError:  # pragma: no cover
    jax = jnp = jsp_special = None
else:
    jax.config.update("jax_enable_x64", True)  # (conftest does it first; this is a no-op then)

try:
    import torch
    import torch.func as tfunc
except ImportError:  # pragma: no cover
    torch = tfunc = None


# =====================================================================================
# Counting and comparing
# =====================================================================================

CHECKS: Counter = Counter()
"""Number of comparisons made against each framework ("jax", "torch")."""

# float64 on CPU: the library and the references run the same IEEE operations up to
# summation order and libm implementation, so agreement is ~1e-15 relative.
RTOL, ATOL = 1e-10, 1e-12
# float64 on a GPU: XLA:GPU and CUDA compute transcendental functions (exp, sin, pow,
# tanh...) with their own device math library and reduce in a different order (tree
# reductions, fused multiply-adds), which can differ from numpy by a few more ulps,
# amplified a little by derivative formulas. Still float64, so only slightly looser (on
# an H100 with jax 0.11 and torch 2.11 every check also passed at the CPU tolerances;
# the factor 10 is a margin for other GPUs and library versions).
GPU_RTOL, GPU_ATOL = 1e-9, 1e-11
# float32 (any device): eps32 = 1.2e-7; summation order and op fusion differ between
# numpy, XLA and PyTorch, and derivatives compound a few such roundings.
F32_RTOL, F32_ATOL = 2e-4, 2e-5


FIRST_ORDER = ("value", "jvp", "vjp")
SECOND_ORDER = ("jvp_of_vjp", "vjp_of_vjp", "hessian")


def to_numpy(x):
    """A framework array (JAX, PyTorch, ad.Tensor) or a scalar as a numpy array, on the host."""
    if torch is not None and isinstance(x, torch.Tensor):
        return x.numpy(force=True)  # force: also a ZeroTensor (a symbolic zero) or on a GPU
    if jax is not None and isinstance(x, jax.Array):
        return np.asarray(jax.device_get(x))
    if isinstance(x, ad.Tensor):
        return x.numpy()
    return np.asarray(x)


def assert_close(
    ours, ref, against: str, what: str = "", rtol=RTOL, atol=ATOL, dtype=None, check_ref_dtype=True
):
    """One cross-check: same shape, same kind of dtype (or exactly ``dtype``), close values."""
    CHECKS[against] += 1
    ours_a, ref_a = to_numpy(ours), to_numpy(ref)
    where = f"{what} (autodiff_lite vs {against})"
    assert ours_a.shape == ref_a.shape, f"{where}: shape {ours_a.shape} != {ref_a.shape}"
    if dtype is not None:
        assert ours_a.dtype == np.dtype(dtype), (
            f"{where}: autodiff_lite gives dtype {ours_a.dtype}, expected {np.dtype(dtype)}"
        )
        assert ref_a.dtype == np.dtype(dtype) or not check_ref_dtype, (
            f"{where}: {against} gives dtype {ref_a.dtype}, expected {np.dtype(dtype)}"
        )
    elif ref_a.dtype.kind == "f":
        assert ours_a.dtype == ref_a.dtype, f"{where}: dtype {ours_a.dtype} != {ref_a.dtype}"
    else:
        assert ours_a.dtype.kind == ref_a.dtype.kind, (
            f"{where}: dtype {ours_a.dtype} vs {ref_a.dtype}"
        )
    if ours_a.dtype.kind in "biu":
        np.testing.assert_array_equal(ours_a, ref_a, err_msg=where)
    else:
        np.testing.assert_allclose(ours_a, ref_a, rtol=rtol, atol=atol, err_msg=where)


def assert_tree_close(ours, ref, against: str, what: str = "", **kw):
    """Compare two pytrees (dicts, tuples, lists of arrays) leaf by leaf, structure included."""
    if isinstance(ours, dict):
        assert isinstance(ref, dict) and set(ours) == set(ref), (
            f"{what}: dict keys {sorted(ours) if isinstance(ours, dict) else ours} vs "
            f"{against} {sorted(ref) if isinstance(ref, dict) else type(ref).__name__}"
        )
        for k in sorted(ours):
            assert_tree_close(ours[k], ref[k], against, f"{what}[{k!r}]", **kw)
    elif isinstance(ours, (tuple, list)):
        assert isinstance(ref, (tuple, list)) and len(ours) == len(ref), (
            f"{what}: a {type(ours).__name__} of {len(ours)} vs {against} "
            f"{type(ref).__name__} {len(ref) if isinstance(ref, (tuple, list)) else ''}"
        )
        for i, (a, b) in enumerate(zip(ours, ref)):
            assert_tree_close(a, b, against, f"{what}[{i}]", **kw)
    else:
        assert not isinstance(ref, (dict, tuple, list)), (
            f"{what}: leaf vs {against} {type(ref).__name__}"
        )
        assert_close(ours, ref, against, what, **kw)


def tree_map(f, tree):
    """A tiny pytree map over dicts, tuples and lists (enough for these tests)."""
    if isinstance(tree, dict):
        return {k: tree_map(f, v) for k, v in tree.items()}
    if isinstance(tree, (tuple, list)):
        return type(tree)(tree_map(f, v) for v in tree)
    return f(tree)


def tree_leaves(tree) -> list:
    if isinstance(tree, dict):
        return [x for k in sorted(tree) for x in tree_leaves(tree[k])]
    if isinstance(tree, (tuple, list)):
        return [x for v in tree for x in tree_leaves(v)]
    return [tree]


def random_like(rng, tree):
    """Standard normal draws shaped like each leaf, with its float dtype (float64 otherwise)."""

    def draw(a):
        dtype = np.result_type(a)
        return np.asarray(
            rng.standard_normal(np.shape(a)), dtype=dtype if dtype.kind == "f" else np.float64
        )

    return tree_map(draw, tree)


@dataclass
class Ref:
    jax: Callable | None
    torch: Callable | None
    value_only: bool = False  # a non-differentiable primitive: compare values only
    arity: int = 1  # for value-only primitives: how many arguments to sample


def _axes(x, axis):
    """The axes a reduction with ``axis`` (None or a tuple) reduces, as a tuple."""
    return tuple(range(x.ndim)) if axis is None else tuple(axis)


_TORCH_DTYPE: dict = {}  # numpy dtype -> torch dtype, when PyTorch is installed
if torch is not None:
    _TORCH_DTYPE = {
        np.dtype(np.float64): torch.float64,
        np.dtype(np.float32): torch.float32,
        np.dtype(np.float16): torch.float16,
        np.dtype(np.int64): torch.int64,
        np.dtype(np.int32): torch.int32,
        np.dtype(np.bool_): torch.bool,
    }


def _t(name):
    """torch.<name>, looked up when called (so that the table builds without torch)."""
    return lambda *a, **k: getattr(torch, name)(*a, **k)


def _j(name):
    return lambda *a, **k: getattr(jnp, name)(*a, **k)
