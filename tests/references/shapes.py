"""References of broadcasting and the shape operations (``primitives/broadcasting.py``,
``primitives/shapes.py``), with the index helpers PyTorch needs."""

from __future__ import annotations

import math

import numpy as np

from .frameworks import _TORCH_DTYPE, Ref, jax, jnp, torch


def _jax_sum_to(x, shape):
    # sum_to is the transpose of broadcast_to: let JAX transpose its own broadcast_to.
    spec = jax.ShapeDtypeStruct(tuple(shape), x.dtype)
    return jax.linear_transpose(lambda y: jnp.broadcast_to(y, x.shape), spec)(x)[0]


def _jax_untake(g, index, shape):
    # untake is the transpose of x[index]: scatter-add of g into zeros.
    return jnp.zeros(shape, g.dtype).at[index].add(g)


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


# name: Ref(jax, torch). Each takes the primitive's (*args, **params).
REFERENCES: dict[str, Ref] = {
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
}
