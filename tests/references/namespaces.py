"""Namespaces: composite functions are written once against ``ns``."""

from __future__ import annotations

import numpy as np

import autodiff_lite as ad
import autodiff_lite.numpy as anp

from .frameworks import _TORCH_DTYPE, _axes, jax, jnp, jsp_special, torch
from .reductions import _torch_prod, _torch_reduce
from .shapes import _torch_getitem

# --- numpy's spellings of the functions the numpy coverage added (bases of the namespaces)


def _dims(axis):
    return axis if isinstance(axis, int) else tuple(axis)


class _TorchSpellings:  # numpy coverage (issue 15)
    """numpy's signatures on top of torch, for the functions the composites below use."""

    def tensordot(self, a, b, axes=2):
        return torch.tensordot(a, b, dims=axes if isinstance(axes, int) else tuple(axes))

    def repeat(self, x, repeats, axis=None):
        if not isinstance(repeats, int):
            repeats = torch.as_tensor(np.asarray(repeats), device=x.device)
        if axis is None:
            return torch.repeat_interleave(x.reshape(-1), repeats)
        return torch.repeat_interleave(x, repeats, dim=axis)

    def roll(self, x, shift, axis=None):
        return torch.roll(x, shift, dims=axis)

    def rot90(self, x, k=1, axes=(0, 1)):
        return torch.rot90(x, k, list(axes))

    def array_split(self, x, sections, axis=0):
        return list(torch.tensor_split(x, sections, dim=axis))

    def split(self, x, sections, axis=0):
        return list(torch.tensor_split(x, sections, dim=axis))

    def hsplit(self, x, sections):
        return list(torch.tensor_split(x, sections, dim=1 if x.ndim > 1 else 0))

    def vsplit(self, x, sections):
        return list(torch.tensor_split(x, sections, dim=0))

    def append(self, x, values, axis=None):
        if axis is None:
            return torch.cat([x.reshape(-1), values.reshape(-1)])
        return torch.cat([x, values], dim=axis)

    def pad(self, x, pad_width, mode="constant", constant_values=0):
        widths = np.broadcast_to(np.asarray(pad_width), (x.ndim, 2))
        flat = [int(w) for b, a in reversed(widths) for w in (b, a)]  # last axis first
        if mode == "constant":
            return torch.nn.functional.pad(x, flat, value=constant_values)
        torch_mode = {"edge": "replicate", "wrap": "circular", "reflect": "reflect"}[mode]
        # torch pads the last two axes of a (channels, height, width) array in these modes.
        return torch.nn.functional.pad(x[None], flat, mode=torch_mode)[0]

    def sort(self, x, axis=-1):
        return torch.sort(x, dim=axis, stable=True).values

    def partition(self, x, kth, axis=-1):
        # Any valid partition: only order-free functions of it are compared.
        return torch.sort(x, dim=axis, stable=True).values

    def select(self, condlist, choicelist, default=0):
        out = default
        for c, v in reversed(list(zip(condlist, choicelist))):
            like = v if isinstance(v, torch.Tensor) else out
            out = torch.where(c, self._t(v, like), self._t(out, like))
        return out

    def degrees(self, x):
        return torch.rad2deg(x)

    def radians(self, x):
        return torch.deg2rad(x)

    def cumprod(self, x, axis=None):
        return torch.cumprod(x.reshape(-1), dim=0) if axis is None else torch.cumprod(x, dim=axis)

    def average(self, x, axis=None, weights=None):
        if weights is None:
            return TorchNS.mean(self, x, axis)
        shape = [1] * x.ndim
        shape[axis] = -1
        w = weights.reshape(shape)
        return (x * w).sum(dim=axis) / (w * torch.ones_like(x)).sum(dim=axis)

    def ptp(self, x, axis=None):
        return TorchNS.max(self, x, axis) - torch.neg(TorchNS.max(self, -x, axis))

    def trapezoid(self, y, x=None, dx=1.0, axis=-1):
        if x is None:
            return torch.trapezoid(y, dx=dx, dim=axis)
        return torch.trapezoid(y, x, dim=axis)

    def gradient(self, f, spacing=1.0, axis=None, edge_order=1):
        dims = list(range(f.ndim)) if axis is None else [axis]
        out = torch.gradient(f, spacing=spacing, dim=dims, edge_order=edge_order)
        return out[0] if len(out) == 1 else list(out)

    def cross(self, a, b, axis=-1):
        return torch.linalg.cross(a, b, dim=axis)

    def rollaxis(self, x, axis, start=0):
        axes = [i for i in range(x.ndim) if i != axis % x.ndim]
        start = start + x.ndim if start < 0 else start
        axes.insert(start - 1 if axis % x.ndim < start else start, axis % x.ndim)
        return torch.permute(x, axes)

    def take_along_axis(self, x, indices, axis):
        return torch.take_along_dim(x, torch.as_tensor(np.asarray(indices), device=x.device), axis)

    def linspace(self, start, stop, num=50):
        # torch.linspace does not differentiate its ends: the same samples, written out
        t = torch.arange(num, dtype=start.dtype, device=start.device) / (num - 1)
        return torch.where(t == 1.0, stop, start + (stop - start) * t)

    def pinv(self, a):
        return torch.linalg.pinv(a)

    def matrix_power(self, a, n):
        return torch.linalg.matrix_power(a, n)

    def multi_dot(self, arrays):
        return torch.linalg.multi_dot(list(arrays))

    def slogdet(self, a):
        return tuple(torch.linalg.slogdet(a))

    def eigvalsh(self, a):
        return torch.linalg.eigvalsh(a)


class _JaxSpellings:  # numpy coverage (issue 15)
    def pinv(self, a):
        return jnp.linalg.pinv(a)

    def matrix_power(self, a, n):
        return jnp.linalg.matrix_power(a, n)

    def multi_dot(self, arrays):
        return jnp.linalg.multi_dot(list(arrays))

    def slogdet(self, a):
        return tuple(jnp.linalg.slogdet(a))

    def eigvalsh(self, a):
        return jnp.linalg.eigvalsh(a)


class _AnpSpellings:  # numpy coverage (issue 15)
    def pinv(self, a):
        return anp.linalg.pinv(a)

    def matrix_power(self, a, n):
        return anp.linalg.matrix_power(a, n)

    def multi_dot(self, arrays):
        return anp.linalg.multi_dot(arrays)

    def slogdet(self, a):
        return anp.linalg.slogdet(a)

    def eigvalsh(self, a):
        return anp.linalg.eigvalsh(a)


# --- the namespaces


class AnpNS(_AnpSpellings):
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


class JaxNS(_JaxSpellings):
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


class TorchNS(_TorchSpellings):
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
