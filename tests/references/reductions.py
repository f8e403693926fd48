"""References of the reductions (``primitives/reductions.py``)."""

from __future__ import annotations

from .frameworks import Ref, _axes, jnp, jsp_special, torch


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


# name: Ref(jax, torch). Each takes the primitive's (*args, **params).
REFERENCES: dict[str, Ref] = {
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
}
