"""Namespaces: composite functions are written once against ``ns``."""

from __future__ import annotations

import numpy as np

import autodiff_lite as ad
import autodiff_lite.numpy as anp

from .frameworks import _TORCH_DTYPE, _axes, jax, jnp, jsp_special, torch
from .reductions import _torch_prod, _torch_reduce
from .shapes import _torch_getitem


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
