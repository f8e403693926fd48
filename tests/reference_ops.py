"""Reference implementations of every autodiff_lite primitive in JAX and PyTorch,
and the machinery the cross-framework tests share.

``REFERENCES[name]`` gives, for each primitive ``name`` in ``ad.REGISTRY``, a
JAX function and a PyTorch function with the *same signature as the
primitive's* ``impl``: ``(*args, **params)``. ``sum`` is called as
``ref(x, axis=(1,), keepdims=False)``, ``getitem`` as ``ref(x, index=...)``,
``einsum`` as ``ref(a, b, subscripts="ij,jk->ik")``. The references are
written with the frameworks' own operations, so that ``jax.jvp``, ``jax.vjp``,
``torch.func.jvp``... differentiate them with *their* rules, and we compare
those derivatives with the library's. Primitives marked
``differentiable=False`` (comparisons, ``sign``, ``floor``, ``argmax``,
``stop_gradient``...) only need a reference for their values; ``arity`` says
how many arguments to give them (their ``cases`` list one argument shape).

How a comparison is made:

- Each computation is written once, as ``results(T, inputs) -> dict``, against
  an interface ``T`` to a framework's transforms: :data:`OURS` (autodiff_lite),
  :class:`JaxBackend` or :class:`TorchBackend`. Composite functions are written
  once against a numpy-like namespace ``T.ns`` (:data:`ANP`, :class:`JaxNS`,
  :class:`TorchNS`). The test runs it with ``OURS`` on numpy inputs and with a
  backend on the same inputs moved to its device, and compares the two dicts
  entry by entry (:func:`compare_results`).
- ``backend.bundle(results, inputs)`` runs the reference side. For JAX it is one
  ``jax.jit`` compilation: XLA compiles each distinct operation of eager JAX
  separately (tens of milliseconds each on a CPU), so the tests group their JAX
  work into few compiled functions (:class:`Sweep`, :func:`batched`).
- :func:`assert_close` counts every comparison in :data:`CHECKS`, which
  ``conftest.py`` prints at the end of the session.
"""

from __future__ import annotations

import functools
import math
import os
import subprocess
import sys
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import autodiff_lite as ad
import autodiff_lite.numpy as anp
from autodiff_lite import domains

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


# =====================================================================================
# The reference table
# =====================================================================================


@dataclass
class Ref:
    jax: Callable | None
    torch: Callable | None
    value_only: bool = False  # a non-differentiable primitive: compare values only
    arity: int = 1  # for value-only primitives: how many arguments to sample


def _axes(x, axis):
    """The axes a reduction with ``axis`` (None or a tuple) reduces, as a tuple."""
    return tuple(range(x.ndim)) if axis is None else tuple(axis)


# --- JAX --------------------------------------------------------------------------------


def _jax_sum_to(x, shape):
    # sum_to is the transpose of broadcast_to: let JAX transpose its own broadcast_to.
    spec = jax.ShapeDtypeStruct(tuple(shape), x.dtype)
    return jax.linear_transpose(lambda y: jnp.broadcast_to(y, x.shape), spec)(x)[0]


def _jax_untake(g, index, shape):
    # untake is the transpose of x[index]: scatter-add of g into zeros.
    return jnp.zeros(shape, g.dtype).at[index].add(g)


def _jax_argsort(x):
    # numpy flattens a 0-d array in argsort (np.argsort(np.float64(1)) == [0]).
    return jnp.argsort(x.reshape(-1) if x.ndim == 0 else x, axis=-1, stable=True)


# --- PyTorch ----------------------------------------------------------------------------

if torch is not None:
    _TORCH_DTYPE = {
        np.dtype(np.float64): torch.float64,
        np.dtype(np.float32): torch.float32,
        np.dtype(np.float16): torch.float16,
        np.dtype(np.int64): torch.int64,
        np.dtype(np.int32): torch.int32,
        np.dtype(np.bool_): torch.bool,
    }


def _has_negative_step(index) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return any(isinstance(i, slice) and i.step is not None and i.step < 0 for i in items)


def _torch_index(index, device):
    if isinstance(index, tuple):
        return tuple(_torch_index(i, device) for i in index)
    if isinstance(index, (np.ndarray, list)):
        return torch.as_tensor(np.asarray(index), device=device)
    return index


def _flat_positions(shape, index) -> np.ndarray:
    """The flat positions (in an array of ``shape``) that numpy's ``[index]`` selects."""
    return np.ascontiguousarray(np.arange(math.prod(shape)).reshape(shape)[index])


def _torch_getitem(x, index):
    if _has_negative_step(index):  # torch slices have no negative steps: gather by position
        pos = _flat_positions(tuple(x.shape), index)
        return x.reshape(-1)[torch.as_tensor(pos, device=x.device)]
    return x[_torch_index(index, x.device)]


def _torch_untake(g, index, shape):
    # Scatter-add g into zeros at the positions x[index] reads (repeats accumulate).
    n = math.prod(shape)
    pos = torch.as_tensor(_flat_positions(tuple(shape), index).reshape(-1), device=g.device)
    out = torch.zeros(n, dtype=g.dtype, device=g.device).index_add(0, pos, g.reshape(-1))
    return out.reshape(tuple(shape))


def _torch_sum_to(x, shape):
    return x.sum() if tuple(shape) == () else x.sum_to_size(tuple(shape))


def _torch_reduce(fn, x, axis, keepdims):
    dims = _axes(x, axis)
    if not dims:  # torch reads dim=() as "all dims"; numpy as "none"
        return x
    return fn(x, dim=dims, keepdim=keepdims)


def _torch_prod(x, axis, keepdims):
    dims = _axes(x, axis)
    out = x
    for d in sorted(dims, reverse=True):  # torch.prod reduces one dim at a time
        out = torch.prod(out, dim=d, keepdim=True)
    if not keepdims:
        out = out.reshape(tuple(n for i, n in enumerate(x.shape) if i not in dims))
    return out


def _torch_where(c, x, y):
    return torch.where(c, x, y)


def _torch_argsort(x):
    return torch.argsort(x.reshape(-1) if x.ndim == 0 else x, dim=-1, stable=True)


def _t(name):
    """torch.<name>, looked up when called (so that the table builds without torch)."""
    return lambda *a, **k: getattr(torch, name)(*a, **k)


def _j(name):
    return lambda *a, **k: getattr(jnp, name)(*a, **k)


# name: Ref(jax, torch). Each takes the primitive's (*args, **params).
REFERENCES: dict[str, Ref] = {
    # --- elementwise, one argument
    "negative": Ref(_j("negative"), _t("neg")),
    "exp": Ref(_j("exp"), _t("exp")),
    "log": Ref(_j("log"), _t("log")),
    "log1p": Ref(_j("log1p"), _t("log1p")),
    "expm1": Ref(_j("expm1"), _t("expm1")),
    "sqrt": Ref(_j("sqrt"), _t("sqrt")),
    "sin": Ref(_j("sin"), _t("sin")),
    "cos": Ref(_j("cos"), _t("cos")),
    "tan": Ref(_j("tan"), _t("tan")),
    "arcsin": Ref(_j("arcsin"), _t("asin")),
    "arccos": Ref(_j("arccos"), _t("acos")),
    "arctan": Ref(_j("arctan"), _t("atan")),
    "sinh": Ref(_j("sinh"), _t("sinh")),
    "cosh": Ref(_j("cosh"), _t("cosh")),
    "tanh": Ref(_j("tanh"), _t("tanh")),
    "abs": Ref(_j("abs"), _t("abs")),
    # --- elementwise, two arguments (numpy broadcasting)
    "add": Ref(_j("add"), _t("add")),
    "subtract": Ref(_j("subtract"), _t("sub")),
    "multiply": Ref(_j("multiply"), _t("mul")),
    "divide": Ref(_j("divide"), _t("div")),
    "power": Ref(_j("power"), _t("pow")),
    "arctan2": Ref(_j("arctan2"), _t("atan2")),
    "maximum": Ref(_j("maximum"), _t("maximum")),
    "minimum": Ref(_j("minimum"), _t("minimum")),
    "where": Ref(_j("where"), _torch_where),
    # --- broadcasting and its transpose
    "broadcast_to": Ref(
        lambda x, shape: jnp.broadcast_to(x, shape),
        lambda x, shape: torch.broadcast_to(x, tuple(shape)),
    ),
    "sum_to": Ref(_jax_sum_to, _torch_sum_to),
    # --- shapes
    "reshape": Ref(
        lambda x, shape: jnp.reshape(x, shape), lambda x, shape: torch.reshape(x, shape)
    ),
    "transpose": Ref(
        lambda x, axes: jnp.transpose(x, axes), lambda x, axes: torch.permute(x, tuple(axes))
    ),
    "astype": Ref(
        lambda x, dtype: x.astype(dtype), lambda x, dtype: x.to(_TORCH_DTYPE[np.dtype(dtype)])
    ),
    "getitem": Ref(lambda x, index: x[index], _torch_getitem),
    "untake": Ref(_jax_untake, _torch_untake),
    "concatenate": Ref(
        lambda *arrays, axis: jnp.concatenate(arrays, axis=axis),
        lambda *arrays, axis: torch.cat(arrays, dim=axis),
    ),
    # --- reductions
    "sum": Ref(
        lambda x, axis, keepdims: jnp.sum(x, axis=axis, keepdims=keepdims),
        lambda x, axis, keepdims: _torch_reduce(torch.sum, x, axis, keepdims),
    ),
    "prod": Ref(lambda x, axis, keepdims: jnp.prod(x, axis=axis, keepdims=keepdims), _torch_prod),
    "max": Ref(
        lambda x, axis, keepdims: jnp.max(x, axis=axis, keepdims=keepdims),
        lambda x, axis, keepdims: _torch_reduce(torch.amax, x, axis, keepdims),
    ),
    "min": Ref(
        lambda x, axis, keepdims: jnp.min(x, axis=axis, keepdims=keepdims),
        lambda x, axis, keepdims: _torch_reduce(torch.amin, x, axis, keepdims),
    ),
    "cumsum": Ref(
        lambda x, axis: jnp.cumsum(x, axis=axis), lambda x, axis: torch.cumsum(x, dim=axis)
    ),
    "logsumexp": Ref(
        lambda x, axis, keepdims: jsp_special.logsumexp(x, axis=axis, keepdims=keepdims),
        lambda x, axis, keepdims: _torch_reduce(torch.logsumexp, x, axis, keepdims),
    ),
    # --- products and linear algebra
    "matmul": Ref(_j("matmul"), _t("matmul")),
    "einsum": Ref(
        lambda *ops, subscripts: jnp.einsum(subscripts, *ops),
        lambda *ops, subscripts: torch.einsum(subscripts, *ops),
    ),
    "solve": Ref(lambda a, b: jnp.linalg.solve(a, b), lambda a, b: torch.linalg.solve(a, b)),
    "inv": Ref(lambda a: jnp.linalg.inv(a), lambda a: torch.linalg.inv(a)),
    "det": Ref(lambda a: jnp.linalg.det(a), lambda a: torch.linalg.det(a)),
    # --- not differentiable: values only
    "sign": Ref(_j("sign"), _t("sign"), value_only=True),
    "floor": Ref(_j("floor"), _t("floor"), value_only=True),
    "ceil": Ref(_j("ceil"), _t("ceil"), value_only=True),
    "round": Ref(_j("round"), _t("round"), value_only=True),  # all three: half to even
    "isfinite": Ref(_j("isfinite"), _t("isfinite"), value_only=True),
    "isnan": Ref(_j("isnan"), _t("isnan"), value_only=True),
    "stop_gradient": Ref(lambda x: jax.lax.stop_gradient(x), lambda x: x.detach(), value_only=True),
    "greater": Ref(_j("greater"), _t("gt"), value_only=True, arity=2),
    "greater_equal": Ref(_j("greater_equal"), _t("ge"), value_only=True, arity=2),
    "less": Ref(_j("less"), _t("lt"), value_only=True, arity=2),
    "less_equal": Ref(_j("less_equal"), _t("le"), value_only=True, arity=2),
    "equal": Ref(_j("equal"), _t("eq"), value_only=True, arity=2),
    "not_equal": Ref(_j("not_equal"), _t("ne"), value_only=True, arity=2),
    "logical_and": Ref(_j("logical_and"), _t("logical_and"), value_only=True, arity=2),
    "logical_or": Ref(_j("logical_or"), _t("logical_or"), value_only=True, arity=2),
    "logical_not": Ref(_j("logical_not"), _t("logical_not"), value_only=True),
    "floor_divide": Ref(_j("floor_divide"), _t("floor_divide"), value_only=True, arity=2),
    "argmax": Ref(_j("argmax"), _t("argmax"), value_only=True),  # flat index, first of ties
    "argmin": Ref(_j("argmin"), _t("argmin"), value_only=True),
    "argsort": Ref(_jax_argsort, _torch_argsort, value_only=True),
}


@functools.cache
def fresh_registry_names() -> list[str]:
    """The names in ``ad.REGISTRY`` right after ``import autodiff_lite`` in a fresh interpreter.

    (In this process, other tests may have declared primitives of their own.)
    """
    root = os.path.dirname(os.path.dirname(os.path.abspath(ad.__file__)))
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import autodiff_lite as ad; print('\\n'.join(sorted(ad.REGISTRY)))",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=root,
        check=True,
    )
    return out.stdout.split()


# The primitives the library declares: the table that the tests sweep. (Taken from a fresh
# interpreter, so that primitives declared by other test modules are not swept here.)
LIBRARY_PRIMITIVES = {name: ad.REGISTRY[name] for name in fresh_registry_names()}


# =====================================================================================
# Backends: one interface to each framework's transforms, on a chosen device
# =====================================================================================


class JaxBackend:
    """JAX's transforms. Everything a test asks of JAX is computed in one ``bundle``: a
    single ``jax.jit``-compiled function (compiling op by op, as eager JAX does, costs
    tens of milliseconds per distinct operation on a CPU; one compiled function per test
    is several times cheaper)."""

    name = "jax"
    exact_float32 = True
    # Not thorough: in the sweep of all primitives, second order (the JVP of the VJP only)
    # for the first case of each primitive; for the composite functions, grad with one
    # argnums variant, no Hessian with an argnums tuple, no grad(grad(.)) of a restriction
    # to a line (test_grad_of_grad_of_grad... nests grad against JAX), and in float32
    # value_and_grad only. Tracing and compiling all of it would double JAX's share of
    # the test time; the PyTorch tests (eager, cheap) compute all of it.
    second_order = ("jvp_of_vjp",)
    thorough = False

    def __init__(self, device):
        self.device = device
        gpu = device.platform != "cpu"
        self.rtol, self.atol = (GPU_RTOL, GPU_ATOL) if gpu else (RTOL, ATOL)
        self.ns = JaxNS(self)

    def put(self, tree):
        """numpy leaves -> JAX arrays committed to this backend's device."""
        return tree_map(lambda a: jax.device_put(jnp.asarray(a), self.device), tree)

    def bundle(self, fn, inputs):
        """``fn(inputs)`` with ``inputs`` (numpy pytree) on the device, compiled as one."""
        with jax.default_device(self.device):  # constants made inside land there too
            return jax.jit(fn)(self.put(inputs))

    def ref(self, name):
        return REFERENCES[name].jax

    jvp = staticmethod(lambda f, primals, tangents: jax.jvp(f, tuple(primals), tuple(tangents)))
    vjp = staticmethod(jax.vjp)
    grad = staticmethod(jax.grad)
    value_and_grad = staticmethod(jax.value_and_grad)
    jacfwd = staticmethod(jax.jacfwd)
    jacrev = staticmethod(jax.jacrev)
    hessian = staticmethod(jax.hessian)
    sum = staticmethod(lambda x: jnp.sum(x))

    @staticmethod
    def hvp(f, primals, tangents):
        g = jax.grad(f, argnums=tuple(range(len(primals))))
        return jax.jvp(g, tuple(primals), tuple(tangents))[1]


class TorchBackend:
    """PyTorch's functional transforms (``torch.func``), run eagerly."""

    name = "torch"
    # torch.func.jvp can return a float64 tangent for a float32 output (e.g. for
    # `9.81 * x.sum()`: the Python float's forward-mode rule is computed in double), so
    # in float32 tests only autodiff_lite's dtypes are required to be float32 exactly.
    exact_float32 = False
    second_order = SECOND_ORDER
    thorough = True

    def __init__(self, device):
        self.device = torch.device(device)
        gpu = self.device.type != "cpu"
        self.rtol, self.atol = (GPU_RTOL, GPU_ATOL) if gpu else (RTOL, ATOL)
        self.ns = TorchNS(self)

    def put(self, tree):
        """numpy leaves -> torch tensors (same dtype) on this backend's device."""
        return tree_map(lambda a: torch.as_tensor(np.asarray(a), device=self.device), tree)

    def bundle(self, fn, inputs):
        return fn(self.put(inputs))

    def ref(self, name):
        return REFERENCES[name].torch

    @staticmethod
    def jvp(f, primals, tangents):
        return tfunc.jvp(f, tuple(primals), tuple(tangents))

    @staticmethod
    def vjp(f, *primals, has_aux=False):
        return tfunc.vjp(f, *primals, has_aux=has_aux)

    @staticmethod
    def grad(f, argnums=0, has_aux=False):
        return tfunc.grad(f, argnums=argnums, has_aux=has_aux)

    @staticmethod
    def value_and_grad(f, argnums=0, has_aux=False):
        g = tfunc.grad_and_value(f, argnums=argnums, has_aux=has_aux)

        def vg(*args):
            gradient, value = g(*args)  # with has_aux, value is (value, aux): JAX's order
            return value, gradient

        return vg

    @staticmethod
    def jacfwd(f, argnums=0):
        return tfunc.jacfwd(f, argnums=argnums)

    @staticmethod
    def jacrev(f, argnums=0):
        return tfunc.jacrev(f, argnums=argnums)

    @staticmethod
    def hessian(f, argnums=0):
        return tfunc.hessian(f, argnums=argnums)

    @staticmethod
    def hvp(f, primals, tangents):
        g = tfunc.grad(f, argnums=tuple(range(len(primals))))
        return tfunc.jvp(g, tuple(primals), tuple(tangents))[1]

    @staticmethod
    def sum(x):
        return torch.sum(x)


# =====================================================================================
# Namespaces: composite functions are written once against ``ns``
# =====================================================================================


class AnpNS:
    """autodiff_lite.numpy, with the few spellings the three namespaces share."""

    name = "autodiff_lite"

    def __getattr__(self, name):
        return getattr(anp, name)

    def const(self, a, like):
        return np.asarray(a, dtype=like.dtype)

    def take(self, x, index):
        return x[index]

    def stop_gradient(self, x):
        return ad.stop_gradient(x)

    def solve(self, a, b):
        return anp.linalg.solve(a, b)

    def inv(self, a):
        return anp.linalg.inv(a)

    def det(self, a):
        return anp.linalg.det(a)

    def norm(self, x, ord=None, axis=None):
        return anp.linalg.norm(x, ord=ord, axis=axis)


class JaxNS:
    name = "jax"

    def __init__(self, backend):
        self.backend = backend

    def __getattr__(self, name):
        return getattr(jnp, name)

    def const(self, a, like):
        return jax.device_put(jnp.asarray(a, dtype=like.dtype), self.backend.device)

    def take(self, x, index):
        return x[index]

    def stop_gradient(self, x):
        return jax.lax.stop_gradient(x)

    def logsumexp(self, x, axis=None, keepdims=False):
        return jsp_special.logsumexp(x, axis=axis, keepdims=keepdims)

    def solve(self, a, b):
        return jnp.linalg.solve(a, b)

    def inv(self, a):
        return jnp.linalg.inv(a)

    def det(self, a):
        return jnp.linalg.det(a)

    def norm(self, x, ord=None, axis=None):
        return jnp.linalg.norm(x, ord=ord, axis=axis)

    def array(self, items):
        return jnp.stack([jnp.asarray(v, dtype=jnp.result_type(*items)) for v in items])


class TorchNS:
    name = "torch"

    def __init__(self, backend):
        self.backend = backend

    def __getattr__(self, name):
        return getattr(torch, name)

    def _t(self, v, like):
        if isinstance(v, torch.Tensor):
            return v
        return torch.as_tensor(v, dtype=like.dtype, device=like.device)

    def const(self, a, like):
        return torch.as_tensor(np.asarray(a), dtype=like.dtype, device=like.device)

    def take(self, x, index):
        return _torch_getitem(x, index)

    def stop_gradient(self, x):
        return x.detach()

    def array(self, items):
        like = next(v for v in items if isinstance(v, torch.Tensor))
        return torch.stack([self._t(v, like) for v in items])

    def prod(self, x, axis=None, keepdims=False):
        return _torch_prod(x, None if axis is None else _tuple(axis), keepdims)

    def amin(self, x, axis=None, keepdims=False):
        return _torch_reduce(torch.amin, x, None if axis is None else _tuple(axis), keepdims)

    def flip(self, x, axis=None):
        return torch.flip(x, tuple(range(x.ndim)) if axis is None else _tuple(axis))

    def expand_dims(self, x, axis):
        return torch.unsqueeze(x, axis)

    def squeeze(self, x, axis=None):
        return torch.squeeze(x) if axis is None else torch.squeeze(x, axis)

    def transpose(self, x, axes=None):
        return torch.permute(x, tuple(reversed(range(x.ndim))) if axes is None else tuple(axes))

    def diff(self, x, axis=-1):
        return torch.diff(x, dim=axis)

    def vdot(self, a, b):
        return torch.vdot(a.reshape(-1), b.reshape(-1))

    def floor_divide(self, x, y):
        # torch has no forward-mode rule for floor_divide; its derivative is zero anyway.
        return torch.floor_divide(x.detach(), y)

    def dot(self, a, b):
        return torch.matmul(a, b)

    def sum(self, x, axis=None, keepdims=False):
        return _torch_reduce(torch.sum, x, None if axis is None else _tuple(axis), keepdims)

    def mean(self, x, axis=None, keepdims=False):
        return _torch_reduce(torch.mean, x, None if axis is None else _tuple(axis), keepdims)

    def max(self, x, axis=None, keepdims=False):
        return _torch_reduce(torch.amax, x, None if axis is None else _tuple(axis), keepdims)

    def var(self, x, axis=None, ddof=0):
        return torch.var(x, dim=None if axis is None else _tuple(axis), correction=ddof)

    def std(self, x, axis=None, ddof=0):
        return torch.std(x, dim=None if axis is None else _tuple(axis), correction=ddof)

    def logsumexp(self, x, axis=None, keepdims=False):
        dims = _axes(x, None if axis is None else _tuple(axis))
        return torch.logsumexp(x, dim=dims, keepdim=keepdims)

    def concatenate(self, xs, axis=0):
        if axis is None:
            return torch.cat([x.reshape(-1) for x in xs])
        return torch.cat(list(xs), dim=axis)

    def stack(self, xs, axis=0):
        return torch.stack(list(xs), dim=axis)

    def where(self, c, x, y):
        like = x if isinstance(x, torch.Tensor) else y
        return torch.where(c, self._t(x, like), self._t(y, like))

    def maximum(self, x, y):
        like = x if isinstance(x, torch.Tensor) else y
        return torch.maximum(self._t(x, like), self._t(y, like))

    def clip(self, x, lo=None, hi=None):
        return torch.clamp(x, lo, hi)

    def cumsum(self, x, axis=None):
        return torch.cumsum(x.reshape(-1), dim=0) if axis is None else torch.cumsum(x, dim=axis)

    def exp2(self, x):
        return torch.exp2(x)

    def astype(self, x, dtype):
        return x.to(_TORCH_DTYPE[np.dtype(dtype)])

    def solve(self, a, b):
        return torch.linalg.solve(a, b)

    def inv(self, a):
        return torch.linalg.inv(a)

    def det(self, a):
        return torch.linalg.det(a)

    def norm(self, x, ord=None, axis=None):
        dim = None if axis is None else _tuple(axis)
        return torch.linalg.vector_norm(x, ord=2 if ord is None else ord, dim=dim)


def _tuple(axis):
    return (axis,) if isinstance(axis, int) else tuple(axis)


ANP = AnpNS()


# =====================================================================================
# Composite functions, written once for the three namespaces
# =====================================================================================


def tutorial(ns, x):
    """The JAX autodiff tutorial's example (y += ... must not mutate x)."""
    y = x
    for _ in range(4):
        y += x[0] ** 2 + ns.sin(x[1]) + ns.exp(-x[2])
    return ns.sum(y)


def tutorial_out_of_place(ns, x):
    """The same function for PyTorch, where ``y += ...`` on a tensor is in place (it would
    write into x). For autodiff_lite and JAX, ``+=`` on a traced value is exactly this."""
    y = x
    for _ in range(4):
        y = y + (x[0] ** 2 + ns.sin(x[1]) + ns.exp(-x[2]))
    return ns.sum(y)


def mlp_predict(ns, params, x):
    h = ns.tanh(x @ params["W1"] + params["b1"])
    return h @ params["W2"] + params["b2"], h


def mlp_loss(ns, params, x, y):
    pred, _ = mlp_predict(ns, params, x)
    return ns.mean((pred - y) ** 2)


def mlp_loss_aux(ns, params, x, y):
    pred, h = mlp_predict(ns, params, x)
    return ns.mean((pred - y) ** 2), {"pred": pred, "activity": ns.sum(h * h, axis=0)}


LABELS = np.array([0, 2, 1, 2, 3])


def xent_logsumexp(ns, W, x):
    """Softmax cross-entropy with the library's ``logsumexp``."""
    logits = x @ W
    picked = ns.take(logits, (np.arange(len(LABELS)), LABELS))
    return ns.mean(ns.logsumexp(logits, axis=1) - picked)


def xent_manual(ns, W, x):
    """Softmax cross-entropy written out: max shift (a constant), log-softmax, one-hot."""
    logits = x @ W
    m = ns.stop_gradient(ns.max(logits, axis=1, keepdims=True))
    shifted = logits - m
    logp = shifted - ns.log(ns.sum(ns.exp(shifted), axis=1, keepdims=True))
    onehot = ns.const(np.eye(W.shape[1])[LABELS], like=x)
    return -ns.mean(ns.sum(onehot * logp, axis=1))


def spring_energy(ns, pos):
    """A chain of springs (rest length 1, stiffness 10) under gravity, pos of shape (n, 2)."""
    d = pos[1:] - pos[:-1]
    length = ns.norm(d, axis=1)
    elastic = 0.5 * 10.0 * ns.sum((length - 1.0) ** 2)
    gravity = 9.81 * ns.sum(pos[:, 1])
    return elastic + gravity


def linalg_fn(ns, A, b):
    x = ns.solve(A, b)
    return ns.norm(x) + 0.1 * ns.det(A) + ns.sum((ns.inv(A) @ b) * ns.tanh(x))


def linalg_vec(ns, A, b):
    return ns.solve(A, b) * ns.tanh(b) + ns.inv(A) @ ns.sin(b)


_REPEATED = np.array([0, 2, 2, 5])


def kitchen_sink(ns, x):
    """Indexing (slices, repeated integer indices), concatenate, stack, where, maximum,
    clip, cumsum, einsum: x of shape (6,) -> shape (10,)."""
    a = x[1:4]
    b = ns.take(x, (_REPEATED,))  # x[2] is used twice: its cotangents must add up
    c = ns.concatenate([a, 2.0 * b], axis=0)  # (7,)
    s = ns.stack([c, c**2, ns.cos(c)], axis=0)  # (3, 7)
    w = ns.where(c > 0, c, 0.1 * c)  # leaky relu
    m = ns.maximum(s[0], 0.5 * s[1])
    cl = ns.clip(c, -0.5, 0.7)
    cs = ns.cumsum(w * cl, axis=0)
    e = ns.einsum("ij,j->i", s, m)
    return ns.concatenate([cs, e], axis=0)


def kitchen_sink_scalar(ns, x):
    v = kitchen_sink(ns, x)
    return ns.sum(v * ns.sin(v))


@dataclass
class Composite:
    name: str
    fn: Callable  # fn(ns, *args)
    make_args: Callable  # rng -> tuple of numpy pytrees
    vector: bool = False  # non-scalar output (for jacobians, jvp, vjp only)
    torch_fn: Callable | None = None  # a PyTorch spelling, where it has to differ
    argnums: tuple = ()  # argnums (tuples) to test grad/jacobians with, beyond the default 0

    def for_ns(self, ns):
        fn = self.torch_fn if (self.torch_fn is not None and ns.name == "torch") else self.fn
        return lambda *args: fn(ns, *args)


def _wc(rng, n=3):
    return np.eye(n) * 2.0 + 0.3 * rng.standard_normal((n, n))


def _mlp_args(rng):
    params = {
        "W1": 0.7 * rng.standard_normal((3, 4)),
        "b1": 0.1 * rng.standard_normal(4),
        "W2": 0.7 * rng.standard_normal((4, 2)),
        "b2": 0.1 * rng.standard_normal(2),
    }
    return params, rng.standard_normal((5, 3)), rng.standard_normal((5, 2))


def _chain(rng):
    # A roughly straight chain, stretched and compressed a little.
    pos = np.stack([np.arange(5.0), np.zeros(5)], axis=1)
    return (pos + 0.3 * rng.standard_normal((5, 2)),)


COMPOSITES = {
    c.name: c
    for c in [
        Composite(
            "tutorial",
            tutorial,
            lambda rng: (rng.uniform(-2, 2, 3),),
            torch_fn=tutorial_out_of_place,
        ),
        Composite("mlp_loss", mlp_loss, _mlp_args, argnums=((0,), (0, 1), (0, 1, 2))),
        Composite(
            "xent_logsumexp",
            xent_logsumexp,
            lambda rng: (rng.standard_normal((3, 4)), rng.standard_normal((5, 3))),
            argnums=((0, 1),),
        ),
        Composite(
            "xent_manual",
            xent_manual,
            lambda rng: (rng.standard_normal((3, 4)), rng.standard_normal((5, 3))),
            argnums=((0, 1),),
        ),
        Composite("spring_energy", spring_energy, _chain),
        Composite(
            "linalg",
            linalg_fn,
            lambda rng: (_wc(rng), rng.standard_normal(3)),
            argnums=((0, 1), (1,)),
        ),
        Composite(
            "kitchen_sink_scalar", kitchen_sink_scalar, lambda rng: (rng.uniform(-1.5, 1.5, 6),)
        ),
        Composite(
            "kitchen_sink", kitchen_sink, lambda rng: (rng.uniform(-1.5, 1.5, 6),), vector=True
        ),
        Composite(
            "linalg_vec",
            linalg_vec,
            lambda rng: (_wc(rng), rng.standard_normal(3)),
            vector=True,
            argnums=((0, 1),),
        ),
    ]
}
SCALAR_COMPOSITES = [n for n, c in COMPOSITES.items() if not c.vector]
VECTOR_COMPOSITES = [n for n, c in COMPOSITES.items() if c.vector]


# =====================================================================================
# Hypothesis: families of primitives and strategies for their arguments
# =====================================================================================

# The value range of each sampling domain of autodiff_lite.domains (NONZERO is handled
# apart: magnitudes in [0.5, 2] with random signs). A primitive whose domain is not here
# (WELL_CONDITIONED, BOOL) is not in the Hypothesis families.
DOMAIN_RANGES = {
    domains.REAL: (-2.0, 2.0),
    domains.POSITIVE: (0.5, 2.0),
    domains.INSIDE_UNIT: (-0.8, 0.8),
    domains.ABOVE_MINUS_ONE: (-0.5, 2.0),
    domains.SMALL: (-1.0, 1.0),
}


def _array_domain(d):
    return d in DOMAIN_RANGES or d is domains.NONZERO


def arrays_in(domain, shape):
    """A Hypothesis strategy for float64 arrays of ``shape`` inside a library domain."""
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp

    if domain is domains.NONZERO:
        mags = hnp.arrays(np.float64, shape, elements=st.floats(0.5, 2.0))
        signs = hnp.arrays(np.bool_, shape)
        return st.tuples(mags, signs).map(lambda p: np.asarray(np.where(p[1], -p[0], p[0])))
    lo, hi = DOMAIN_RANGES[domain]
    return hnp.arrays(np.float64, shape, elements=st.floats(lo, hi, allow_subnormal=False))


def _shape_ok(fn, *shapes, expect):
    try:
        return np.shape(fn(*[np.full(s, 0.75) for s in shapes])) == expect
    except Exception:
        return False


def unary_family(primitives) -> list[str]:
    """Differentiable elementwise functions of one array: one argument, no params,
    output shaped like the input."""
    return sorted(
        name
        for name, p in primitives.items()
        if p.differentiable
        and p.cases
        and p.domains
        and _array_domain(p.domains[0])
        and all(len(shapes) == 1 and not params for shapes, params in p.cases)
        and _shape_ok(p.impl, (2, 3), expect=(2, 3))
        and _shape_ok(p.impl, (), expect=())
    )


def binary_family(primitives) -> list[str]:
    """Differentiable elementwise functions of two arrays, with numpy broadcasting."""
    return sorted(
        name
        for name, p in primitives.items()
        if p.differentiable
        and p.cases
        and p.domains
        and len(p.domains) == 2
        and all(_array_domain(d) for d in p.domains)
        and all(len(shapes) == 2 and not params for shapes, params in p.cases)
        and _shape_ok(p.impl, (3,), (2, 3), expect=(2, 3))
        and _shape_ok(p.impl, (2, 1), (1, 3), expect=(2, 3))
    )


def reduction_family(primitives) -> list[str]:
    """Differentiable reductions with params (axis, keepdims)."""
    return sorted(
        name
        for name, p in primitives.items()
        if p.differentiable
        and p.cases
        and all(set(params) == {"axis", "keepdims"} for _, params in p.cases)
    )


# =====================================================================================
# The same computations on autodiff_lite and on a reference
# =====================================================================================


class Ours:
    """autodiff_lite behind the backends' interface, so that each computation below is
    written once and run on autodiff_lite and on a reference framework."""

    name = "autodiff_lite"
    ns = ANP

    @staticmethod
    def put(tree):
        return tree

    @staticmethod
    def bundle(fn, inputs):
        return fn(inputs)

    jvp = staticmethod(ad.jvp)
    vjp = staticmethod(ad.vjp)
    grad = staticmethod(ad.grad)
    value_and_grad = staticmethod(ad.value_and_grad)
    jacfwd = staticmethod(ad.jacfwd)
    jacrev = staticmethod(ad.jacrev)
    hessian = staticmethod(ad.hessian)
    hvp = staticmethod(ad.hvp)
    sum = staticmethod(anp.sum)


OURS = Ours()


def _kw(backend, **extra):
    kw = dict(against=backend.name, rtol=backend.rtol, atol=backend.atol)
    if extra.get("dtype") is not None:
        kw["check_ref_dtype"] = backend.exact_float32
    kw.update(extra)
    return kw


def compare_results(backend, ours: dict, refs: dict, what: str, alias=None, **extra):
    """Compare every entry of ``ours`` with the reference's entry of the same name (or
    ``alias[name]``)."""
    alias = alias or {}
    for key, value in ours.items():
        assert_tree_close(
            value, refs[alias.get(key, key)], what=f"{what}: {key}", **_kw(backend, **extra)
        )


def case_seed(*parts) -> int:
    return zlib.crc32("/".join(map(str, parts)).encode())


# --- primitives -----------------------------------------------------------------------------


@dataclass
class PrimCase:
    """One call of a primitive: its arguments (all numpy), which of them are
    differentiated, and the random directions (tangents, cotangents) to use."""

    name: str
    prim: Any
    params: dict
    args: list
    diff: list  # positions of the differentiable (float) arguments
    inputs: dict = field(default_factory=dict)
    k: int = 0  # which case of the primitive's table

    @property
    def diff_args(self):
        return [self.args[i] for i in self.diff]

    def function(self, T):
        """The primitive (T = OURS) or its reference, as a function of the differentiable
        arguments; the others are constants on T's device."""
        ref = self.prim if T is OURS else T.ref(self.name)
        consts = T.put(self.args)

        def f(*d):
            full = list(consts)
            for i, v in zip(self.diff, d):
                full[i] = v
            return ref(*full, **self.params)

        return f


def make_case(name, prim, args, params=None) -> PrimCase:
    args = [np.asarray(a) for a in args]
    diff = [i for i, a in enumerate(args) if a.dtype.kind == "f"]
    return PrimCase(name, prim, params or {}, args, diff)


def with_directions(case: PrimCase, rng) -> PrimCase:
    """Draw the tangents t, second tangents w, output cotangent ct and contraction u."""
    d = case.diff_args
    y = np.asarray(case.prim(*case.args, **case.params))
    like_y = lambda: np.asarray(rng.standard_normal(y.shape), dtype=y.dtype)  # noqa: E731
    case.inputs = dict(d=d, t=random_like(rng, d), w=random_like(rng, d), ct=like_y(), u=like_y())
    return case


def primitive_cases(primitives: dict, differentiable: bool):
    return [
        (name, k)
        for name, prim in sorted(primitives.items())
        if prim.differentiable == differentiable
        for k in range(len(prim.cases or []))
    ]


def sample_case(primitives, name, k, rng) -> PrimCase:
    prim = primitives[name]
    shapes, params = prim.cases[k]
    args = [prim.domains[i](rng, s) for i, s in enumerate(shapes)]
    return make_case(name, prim, args, params)


def primitive_results(
    T, case: PrimCase, inp, second_order=SECOND_ORDER, hessian_max_size=12
) -> dict:
    """Value, JVP, VJP; and the second-order checks named in ``second_order``: the JVP of
    the VJP (forward-over-reverse), the VJP of the VJP (reverse-over-reverse), the Hessian
    of sum(u * f) (when the inputs are small)."""
    f = case.function(T)
    d, t, ct = tuple(inp["d"]), tuple(inp["t"]), inp["ct"]
    out = {"value": f(*d), "jvp": T.jvp(f, d, t)}
    y, pullback = T.vjp(f, *d)
    out["vjp"] = (y, pullback(ct))

    def pulled(*dd):
        return T.vjp(f, *dd)[1](ct)

    if "jvp_of_vjp" in second_order:
        out["jvp_of_vjp"] = T.jvp(pulled, d, t)[1]
    if "vjp_of_vjp" in second_order:
        out["vjp_of_vjp"] = T.vjp(pulled, *d)[1](tuple(inp["w"]))
    if "hessian" in second_order and sum(np.size(a) for a in case.diff_args) <= hessian_max_size:
        u = inp["u"]
        argnums = tuple(range(len(d)))
        out["hessian"] = T.hessian(lambda *dd: T.sum(u * f(*dd)), argnums=argnums)(*d)
    return out


def value_only_case(primitives, name, k) -> PrimCase:
    """A non-differentiable primitive with arguments that exercise its edge cases (zeros,
    exact halves for rounding, ties between the two arguments, nan and inf)."""
    rng = np.random.default_rng(case_seed(name, k))
    prim = primitives[name]
    shape = prim.cases[k][0][0]
    halves = rng.integers(-4, 5, size=shape) / 2.0  # ..., -0.5, 0, 0.5, 1, 1.5, ...
    x = np.where(rng.uniform(size=shape) < 0.5, halves, rng.uniform(-2, 2, shape))
    if name == "argsort":  # numpy's default sort is not stable: use distinct values
        x = rng.permutation(max(np.size(x), 1))[: np.size(x)].reshape(shape) * 1.0
    if name in ("isfinite", "isnan"):
        x = np.where(rng.uniform(size=shape) < 0.3, np.nan, x)
        x = np.where(rng.uniform(size=shape) < 0.3, -np.inf, x)
    args = [x]
    if REFERENCES[name].arity == 2:
        if name == "floor_divide":
            args.append(domains.NONZERO(rng, shape))
        else:
            args.append(np.where(rng.uniform(size=shape) < 0.4, x, rng.uniform(-2, 2, shape)))
    case = make_case(name, prim, args)
    case.diff = []
    out = np.asarray(prim(*case.args))
    case.inputs = {"args": case.args}
    if out.dtype.kind == "f" and len(args) == 1 and np.all(np.isfinite(x)):
        # Inside a derivative it is a constant: d/dx [p(x) * x] = p(x) (so for
        # stop_gradient, x and not 2x). Compare the JVP and VJP of x -> p(x) * x.
        case.inputs.update(t=rng.standard_normal(np.shape(x)), ct=rng.standard_normal(np.shape(x)))
    return case


def value_only_results(T, case: PrimCase, inp) -> dict:
    f = case.prim if T is OURS else T.ref(case.name)
    out = {"value": f(*inp["args"])}
    if "t" in inp:
        (x,) = inp["args"]

        def g(v):
            return f(v) * v

        out["jvp of p(x) * x"] = T.jvp(g, (x,), (inp["t"],))
        out["vjp of p(x) * x"] = T.vjp(g, x)[1](inp["ct"])
    return out


class Sweep:
    """Every case of every primitive, sampled once (fixed seed per case), with the
    backend's results for it. ``batch=True`` computes all cases of a kind in one
    ``bundle`` (for JAX: one compilation instead of one per case)."""

    def __init__(self, backend, primitives, batch: bool):
        self.backend, self.primitives, self.batch = backend, primitives, batch
        self._cases, self._refs, self._errors = {}, {}, {}

    def case(self, name, k) -> PrimCase:
        key = (name, k)
        if key not in self._cases:
            if self.primitives[name].differentiable:
                rng = np.random.default_rng(case_seed(name, k))
                case = with_directions(sample_case(self.primitives, name, k, rng), rng)
                case.k = k
                self._cases[key] = case
            else:
                self._cases[key] = value_only_case(self.primitives, name, k)
        return self._cases[key]

    def _results(self, case):
        if case.prim.differentiable:
            # Not thorough (JAX): second order for the first case of each primitive only.
            second = self.backend.second_order if self.backend.thorough or case.k == 0 else ()
            return lambda T, inp: primitive_results(T, case, inp, second)
        return lambda T, inp: value_only_results(T, case, inp)

    def ours(self, name, k) -> dict:
        case = self.case(name, k)
        return self._results(case)(OURS, case.inputs)

    def reference(self, name, k) -> dict:
        label = f"{name}-{k}"
        if label not in self._refs and label not in self._errors:
            diff = self.primitives[name].differentiable
            keys = primitive_cases(self.primitives, diff) if self.batch else [(name, k)]
            items = {}
            for n, j in keys:
                case = self.case(n, j)
                items[f"{n}-{j}"] = (self._results(case), case.inputs)
            results, errors = batched(self.backend, items)
            self._refs.update(results)
            self._errors.update(errors)
        if label in self._errors:
            raise self._errors[label]
        return self._refs[label]


def check_example(backend, case: PrimCase, seed: int):
    """One Hypothesis example: first and second order (no Hessian), ours vs reference."""
    with_directions(case, np.random.default_rng(seed))
    what = f"{case.name}{[a.shape for a in case.args]} {case.params}"

    def results(T, inp):
        return primitive_results(T, case, inp, backend.second_order, hessian_max_size=0)

    ours = results(OURS, case.inputs)
    refs = backend.bundle(lambda inp: results(backend, inp), case.inputs)
    compare_results(backend, ours, refs, what)


# --- composite functions -------------------------------------------------------------------


def composite_first_order(T, comp: Composite, inp, thorough=True) -> dict:
    f, a = comp.for_ns(T.ns), tuple(inp["args"])
    argnums = [0, *comp.argnums] if thorough else (list(comp.argnums[-1:]) or [0])
    out = {f"grad argnums={n}": T.grad(f, argnums=n)(*a) for n in argnums}
    out["value_and_grad"] = T.value_and_grad(f)(*a)
    out["jvp"] = T.jvp(f, a, tuple(inp["t"]))
    y, pullback = T.vjp(f, *a)
    out["vjp"] = (y, pullback(inp["ct"]))
    return out


def composite_second_order(T, comp: Composite, inp, thorough=True) -> dict:
    f, a = comp.for_ns(T.ns), tuple(inp["args"])
    out = {"hessian": T.hessian(f)(*a)}
    if T is OURS:  # the nestings the Hessian is made of, against the reference's Hessian
        out["jacfwd(jacrev(f))"] = ad.jacfwd(ad.jacrev(f))(*a)
        out["jacrev(jacfwd(f))"] = ad.jacrev(ad.jacfwd(f))(*a)
    multi = [n for n in comp.argnums if isinstance(n, tuple) and len(n) > 1][:1]
    for n in multi if thorough else []:
        out[f"hessian argnums={n}"] = T.hessian(f, argnums=n)(*a)
    out["hvp"] = T.hvp(f, a, tuple(inp["t"]))

    # grad(grad(phi)) with phi(s) = f(x0 + s v, *rest): the second directional derivative
    def phi(s):
        return f(tree_map_2(lambda x, v: x + s * v, a[0], inp["v"]), *a[1:])

    if thorough:
        out["grad(grad(f on a line))"] = T.grad(T.grad(phi))(inp["s"])
    return out


SECOND_ORDER_ALIAS = {"jacfwd(jacrev(f))": "hessian", "jacrev(jacfwd(f))": "hessian"}


def composite_inputs(comp: Composite, rng, dtype=np.float64) -> dict:
    args = tree_map(lambda a: np.asarray(a, dtype=dtype), comp.make_args(rng))
    y = np.asarray(comp.fn(ANP, *args))
    return dict(
        args=args,
        t=random_like(rng, args),
        ct=np.asarray(rng.standard_normal(y.shape), dtype=y.dtype),
        v=random_like(rng, args[0]),
        s=np.asarray(0.3, dtype=dtype),
    )


def tree_map_2(f, a, b):
    if isinstance(a, dict):
        return {k: tree_map_2(f, a[k], b[k]) for k in a}
    if isinstance(a, (tuple, list)):
        return type(a)(tree_map_2(f, x, y) for x, y in zip(a, b))
    return f(a, b)


def vector_composite(T, comp: Composite, inp) -> dict:
    f, a = comp.for_ns(T.ns), tuple(inp["args"])
    out = {"jvp": T.jvp(f, a, tuple(inp["t"])), "vjp": T.vjp(f, *a)[1](inp["ct"])}
    for n in [0, *comp.argnums]:
        out[f"jacfwd argnums={n}"] = T.jacfwd(f, argnums=n)(*a)
        out[f"jacrev argnums={n}"] = T.jacrev(f, argnums=n)(*a)
    return out


def has_aux_results(T, comp, inp) -> dict:
    """grad, value_and_grad and vjp with has_aux=True: the MLP loss returning (loss, aux)."""
    params, x, y = inp["args"]

    def f(*a):
        return mlp_loss_aux(T.ns, *a)

    out = {
        "grad(has_aux=True)": T.grad(f, has_aux=True)(params, x, y),
        "value_and_grad(argnums=(0, 1), has_aux=True)": T.value_and_grad(
            f, argnums=(0, 1), has_aux=True
        )(params, x, y),
    }
    value, pullback, aux = T.vjp(lambda p: f(p, x, y), params, has_aux=True)
    out["vjp(has_aux=True)"] = (value, aux, pullback(inp["ct"]))
    return out


# --- float32 ----------------------------------------------------------------------------------

# anp functions (most are not primitives, or are several) and reductions with their
# defaults: float32 in must give float32 values, tangents and gradients out.
FLOAT32_FUNCTIONS = {
    "exp": lambda ns, x: ns.exp(x),
    "tanh": lambda ns, x: ns.tanh(x),
    "sqrt": lambda ns, x: ns.sqrt(x * x + 1.0),
    "square": lambda ns, x: ns.square(x),
    "reciprocal": lambda ns, x: ns.reciprocal(x * x + 1.0),
    "log10": lambda ns, x: ns.log10(x * x + 1.0),
    "log2": lambda ns, x: ns.log2(x * x + 1.0),
    "exp2": lambda ns, x: ns.exp2(x),
    "power": lambda ns, x: (x * x + 1.0) ** 1.5,
    "mean": lambda ns, x: ns.mean(x, axis=0),
    "var": lambda ns, x: ns.var(x, axis=0),
    "std": lambda ns, x: ns.std(x, axis=0),
    "max": lambda ns, x: ns.max(x, axis=1),
    "logsumexp": lambda ns, x: ns.logsumexp(x, axis=1),
    "norm": lambda ns, x: ns.norm(x, axis=1),
    "cumsum": lambda ns, x: ns.cumsum(x, axis=1),
    "clip": lambda ns, x: ns.clip(x, -0.5, 0.5),
    "matmul": lambda ns, x: x @ x.T,
    "astype(float64)": lambda ns, x: ns.sin(ns.astype(x, np.float64)),  # float64 out, float32 grad
}


def float32_function_results(T, name, inp) -> dict:
    fn = FLOAT32_FUNCTIONS[name]
    x, u = inp["x"], inp["u"]

    def f(x):
        return T.sum(fn(T.ns, x) * u)

    return {
        "value": fn(T.ns, x),
        "value_and_grad": T.value_and_grad(f)(x),
        "jvp": T.jvp(f, (x,), (inp["t"],)),
    }


def float32_function_inputs(name, rng) -> dict:
    x = rng.uniform(-1.5, 1.5, (3, 4)).astype(np.float32)
    y = np.asarray(FLOAT32_FUNCTIONS[name](ANP, x.astype(np.float64)))
    return dict(
        x=x,
        u=rng.standard_normal(y.shape).astype(np.float32),
        t=rng.standard_normal(x.shape).astype(np.float32),
    )


def float32_composite(T, comp: Composite, inp, thorough: bool, hessian: bool) -> dict:
    f, a = comp.for_ns(T.ns), tuple(inp["args"])
    out = {"value_and_grad": T.value_and_grad(f)(*a)}
    if thorough:
        out["jvp"] = T.jvp(f, a, tuple(inp["t"]))
    if thorough and hessian:
        out["hessian"] = T.hessian(f)(*a)
    return out


# --- numpy-compatible functions that are not primitives ------------------------------------------

# anp functions built from primitives: their shapes and conventions must be numpy's (and
# so JAX's and PyTorch's). Each takes ns and x of shape (3, 4).
_ZERO_COLUMN = np.array([1.0, 0.0, 1.0, 1.0])
ANP_FUNCTIONS = {
    "inner (1-D)": lambda ns, x: ns.inner(x[0], x[1]),
    "inner (2-D)": lambda ns, x: ns.inner(x, 2.0 * x),
    "outer": lambda ns, x: ns.outer(x[0], x[1, :3]),
    "vdot (flattens)": lambda ns, x: ns.vdot(x, 2.0 * x),
    "dot (matrix, vector)": lambda ns, x: ns.dot(x, x[0]),
    "dot (matrix, matrix)": lambda ns, x: ns.dot(x, x.T),
    "trace": lambda ns, x: ns.trace(x[:, :3] * x[:, 1:]),
    "diff": lambda ns, x: ns.diff(x, axis=0) ** 2,
    "flip": lambda ns, x: ns.flip(x, axis=1) * x,
    "moveaxis": lambda ns, x: ns.moveaxis(ns.reshape(x, (3, 2, 2)), 0, -1),
    "expand_dims, squeeze": lambda ns, x: ns.squeeze(ns.expand_dims(x, 1), 1) * x,
    "var (ddof=1)": lambda ns, x: ns.var(x, axis=0, ddof=1),
    "std": lambda ns, x: ns.std(x, axis=1),
    "norm (ord=1)": lambda ns, x: ns.norm(x[0], ord=1),
    "norm (ord=inf)": lambda ns, x: ns.norm(x[0], ord=np.inf),
    "norm (Frobenius)": lambda ns, x: ns.norm(x),
    "cumsum (flattened)": lambda ns, x: ns.cumsum(x),
    "clip (lower bound only)": lambda ns, x: ns.clip(x, -0.5, None),
    "clip (upper bound only)": lambda ns, x: ns.clip(x, None, 0.5),
    "stack (axis=-1)": lambda ns, x: ns.stack([x, 2.0 * x], axis=-1),
    "concatenate (axis=None)": lambda ns, x: ns.concatenate([x, x[:1]], axis=None),
    "reshape (-1)": lambda ns, x: ns.reshape(x, (-1, 2)) ** 2,
    "transpose (negative axes)": lambda ns, x: ns.transpose(ns.reshape(x, (3, 2, 2)), (-1, 0, 1)),
    "swapaxes": lambda ns, x: ns.swapaxes(ns.reshape(x, (3, 2, 2)), 0, 2),
    "einsum (implicit output)": lambda ns, x: ns.einsum("ij,kj", x, x),
    "matmul (broadcast batch)": lambda ns, x: ns.matmul(
        ns.reshape(x, (3, 1, 1, 4)), ns.reshape(ns.concatenate([x, x], axis=0), (2, 4, 3))
    ),
    "x[None, ..., 1:3]": lambda ns, x: x[None, ..., 1:3] * 2.0,
    "x[::-1, ::-2]": lambda ns, x: ns.take(x, (slice(None, None, -1), slice(None, None, -2))),
    "x[boolean mask]": lambda ns, x: ns.take(x, (np.array([True, False, True]),)),
    "x[int array, int array] (broadcast)": lambda ns, x: ns.take(
        x, (np.array([[0], [2]]), np.array([1, 3]))
    ),
    "x[int array, slice]": lambda ns, x: ns.take(x, (np.array([0, 2, 2]), slice(1, 3))),
    "where (scalar branches)": lambda ns, x: ns.where(x > 0, x, 0.0) + ns.where(x > 0.5, 1.0, x),
    "array([...traced values...])": lambda ns, x: ns.array([x[0, 0], 2.0 * x[1, 1], 3.0]),
    "iterating over rows": lambda ns, x: sum(r * r for r in x),
    "logsumexp (all axes)": lambda ns, x: ns.logsumexp(x),
    "mean (keepdims)": lambda ns, x: ns.mean(x, keepdims=True),
    "amin": lambda ns, x: ns.amin(x, axis=0),
    "prod (with a zero)": lambda ns, x: ns.prod(x * ns.const(_ZERO_COLUMN, like=x), axis=1),
    "sign, floor, floor_divide inside": lambda ns, x: (
        ns.sign(x) * x + ns.floor(x) * x + ns.floor_divide(x, 0.7) * x
    ),
    "powers (x**3, 2**x)": lambda ns, x: x**3 + 2.0**x,
    "square, reciprocal": lambda ns, x: ns.square(x) + ns.reciprocal(x + 3.0),
    "log10, log2, exp2": lambda ns, x: ns.log10(x * x + 1.0) + ns.log2(x * x + 2.0) + ns.exp2(x),
}


def function_inputs(name, rng) -> dict:
    return dict(x=rng.uniform(-2, 2, (3, 4)), t=rng.standard_normal((3, 4)))


def function_results(T, name, inp) -> dict:
    """Value, JVP and VJP of one of ANP_FUNCTIONS (the cotangent 1 + y is built from each
    side's own output y, so that a wrong output shape shows as such, not as a VJP error)."""
    fn = ANP_FUNCTIONS[name]

    def f(x):
        return fn(T.ns, x)

    x = inp["x"]
    y, pullback = T.vjp(f, x)
    return {"value": f(x), "jvp": T.jvp(f, (x,), (inp["t"],)), "vjp": pullback(1.0 + y)}


def batched(backend, items: dict) -> tuple[dict, dict]:
    """Compute ``results(backend, inputs)`` for every ``label: (results, inputs)`` in one
    ``bundle``; a label whose computation fails (e.g. cannot be traced) gets its exception
    in ``errors`` and the others are still computed."""
    errors = {}

    def fn(inputs):
        out = {}
        for label, (results, _) in items.items():
            try:
                out[label] = results(backend, inputs[label])
            except Exception as e:
                errors[label] = e
        return out

    try:
        return backend.bundle(fn, {label: inp for label, (_, inp) in items.items()}), errors
    except Exception as e:
        if len(items) == 1:
            return {}, {label: e for label in items}
    out = {}  # the batch failed as a whole (e.g. compiling): one by one, to isolate it
    for label, item in items.items():
        res, err = batched(backend, {label: item})
        out.update(res)
        errors.update(err)
    return out, errors


# --- derivatives at singular points ---------------------------------------------------------------

# Where a derivative is infinite (or nan), the library, like JAX, follows IEEE arithmetic:
# d/dx log(x) at 0 is inf, not an exception. x0 is given as a Python float, a numpy scalar
# and a 0-d array: JAX treats the three alike.
SINGULAR_POINTS = {
    "log at 0": (lambda ns, x: ns.log(x), 0.0),
    "log1p at -1": (lambda ns, x: ns.log1p(x), -1.0),
    "sqrt at 0": (lambda ns, x: ns.sqrt(x), 0.0),
    "x ** 0.5 at 0": (lambda ns, x: x**0.5, 0.0),
    "x ** -1.0 at 0": (lambda ns, x: x**-1.0, 0.0),
    "1 / x at 0": (lambda ns, x: 1.0 / x, 0.0),
    "arcsin at 1": (lambda ns, x: ns.arcsin(x), 1.0),
    "arctan2(x, 0) at 0": (lambda ns, x: ns.arctan2(x, 0.0), 0.0),
}
SCALAR_KINDS = {
    "python float": float,
    "numpy float64": np.float64,
    "0-d array": lambda v: np.array(v, dtype=np.float64),
}


# Points where a convention for a singular case must not leak into its neighbours: the
# Hessian of x ** y at y == 0 (x > 0: smooth there; d/dy d/dx x**y = 1/x). (PyTorch has
# the same flaw as the library here, so these are checked against JAX only.)
POWER_AT_ZERO_EXPONENT = {
    "x ** y at (1, 0)": (1.0, 0.0),
    "x ** y at (2, 0)": (2.0, 0.0),
    "x ** y at (0.5, 0)": (0.5, 0.0),
}


def power_hessian_results(T, xy):
    x, y = xy
    return {"hessian": T.hessian(lambda x, y: x**y, argnums=(0, 1))(x, y)}


def singular_results(T, name, x):
    fn, _ = SINGULAR_POINTS[name]
    return {"grad": T.grad(lambda v: fn(T.ns, v))(x)}


# --- everything but the primitive sweep, computed together ----------------------------------------


class Batch:
    """Named computations ``"group/name" -> (results(T, inputs), inputs)``.
    autodiff_lite's side is computed test by test; the reference side of a whole group
    at once, in one ``bundle``, when a test first asks for one of its members (for JAX:
    one compilation per group; XLA compiles one very large function more slowly than
    the same work in a few pieces)."""

    def __init__(self, backend, items: dict):
        self.backend, self.items = backend, items
        self._groups = {}

    def inputs(self, label):
        return self.items[label][1]

    def ours(self, label) -> dict:
        results, inputs = self.items[label]
        return results(OURS, inputs)

    def reference(self, label) -> dict:
        group = label.split("/")[0]
        if group not in self._groups:
            members = {k: v for k, v in self.items.items() if k.split("/")[0] == group}
            self._groups[group] = batched(self.backend, members)
        refs, errors = self._groups[group]
        if label in errors:
            raise errors[label]
        return refs[label]

    def check(self, label, alias=None, **extra):
        ours = self.ours(label)
        compare_results(self.backend, ours, self.reference(label), label, alias=alias, **extra)


def standard_items(backend) -> dict:
    """The composite functions, their float32 versions, the anp functions, float32
    functions, derivatives at singular points: everything the test files check besides
    the sweep of the primitives (fixed seeds, one per item)."""
    thorough = {"thorough": backend.thorough}
    items = {}

    def rng(*parts):
        return np.random.default_rng(case_seed(*parts))

    for name in SCALAR_COMPOSITES:
        c = COMPOSITES[name]
        items[f"first order/{name}"] = (
            lambda T, i, c=c: composite_first_order(T, c, i, **thorough),
            composite_inputs(c, rng("first order", name)),
        )
        items[f"second order/{name}"] = (
            lambda T, i, c=c: composite_second_order(T, c, i, **thorough),
            composite_inputs(c, rng("second order", name)),
        )
        inp = composite_inputs(c, rng("float32", name), np.float32)
        hessian = sum(np.size(a) for a in tree_leaves(inp["args"][0])) <= 12
        items[f"float32/{name}"] = (
            lambda T, i, c=c, h=hessian: float32_composite(T, c, i, backend.thorough, h),
            inp,
        )
    for name in VECTOR_COMPOSITES:
        c = COMPOSITES[name]
        items[f"vector/{name}"] = (
            lambda T, i, c=c: vector_composite(T, c, i),
            composite_inputs(c, rng("vector", name)),
        )
    c = COMPOSITES["mlp_loss"]
    items["has_aux/mlp_loss"] = (
        lambda T, i: has_aux_results(T, c, i),
        composite_inputs(c, rng("has_aux")),
    )
    items["tutorial/at [2, 3, -2]"] = (
        lambda T, x: {"value_and_grad": T.value_and_grad(COMPOSITES["tutorial"].for_ns(T.ns))(x)},
        np.array([2.0, 3.0, -2.0]),
    )
    items["nesting/grad of grad of grad"] = (
        scalar_nesting_results,
        [np.float64(0.3), np.float64(-1.2), np.float64(2.0)],
    )
    for name in ANP_FUNCTIONS:
        items[f"anp/{name}"] = (
            lambda T, i, n=name: function_results(T, n, i),
            function_inputs(name, rng("anp", name)),
        )
    for name in FLOAT32_FUNCTIONS:
        items[f"float32 function/{name}"] = (
            lambda T, i, n=name: float32_function_results(T, n, i),
            float32_function_inputs(name, rng("f32", name)),
        )
    for name, xy in POWER_AT_ZERO_EXPONENT.items():
        items[f"power at y = 0/{name}"] = (power_hessian_results, [np.float64(v) for v in xy])
    for name, (_, x0) in SINGULAR_POINTS.items():
        items[f"singular/{name}"] = (
            lambda T, x, n=name: singular_results(T, n, x),
            np.float64(x0),
        )
    return items


def scalar_nesting_results(T, xs) -> dict:
    """grad, grad(grad), grad(grad(grad)) of a scalar function at a few points."""

    def f(x):
        return T.ns.sin(x) * x**3 + T.ns.exp(-x * x) / (1.0 + x * x)

    out = {}
    for i, x in enumerate(xs):
        out[f"x{i}: grad"] = T.grad(f)(x)
        out[f"x{i}: grad(grad)"] = T.grad(T.grad(f))(x)
        out[f"x{i}: grad(grad(grad))"] = T.grad(T.grad(T.grad(f)))(x)
    return out


import reference_coverage  # noqa: E402, F401 - adds the numpy coverage of issue 15
