"""Backends: one interface to each framework's transforms, on a chosen device, and
:data:`OURS`, autodiff_lite behind the same interface."""

from __future__ import annotations

import zlib

import numpy as np

import autodiff_lite as ad
import autodiff_lite.numpy as anp

from .frameworks import (
    ATOL,
    GPU_ATOL,
    GPU_RTOL,
    RTOL,
    SECOND_ORDER,
    assert_tree_close,
    jax,
    jnp,
    tfunc,
    torch,
    tree_map,
)
from .namespaces import ANP, JaxNS, TorchNS


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
        from . import REFERENCES  # the table, merged in __init__ from the family modules

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
        from . import REFERENCES  # the table, merged in __init__ from the family modules

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
