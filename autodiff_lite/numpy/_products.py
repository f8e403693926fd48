"""Tensor products built from ``einsum``, ``reshape`` and products: tensordot, kron, cross."""

from __future__ import annotations

import numpy as np

from ..core import shape_of
from ..primitives.linalg import einsum
from ..primitives.shapes import concatenate, expand_dims, getitem, moveaxis, reshape
from ._arrays import _axis, _ndim

# --- products ---------------------------------------------------------------------------------

_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def tensordot(a, b, axes=2):
    """Sum over the last ``axes`` axes of ``a`` and the first of ``b`` (an int), or over the
    axes listed in ``axes = (axes_of_a, axes_of_b)``; written as an einsum."""
    na, nb = _ndim(a), _ndim(b)
    if isinstance(axes, (int, np.integer)):
        axes_a, axes_b = list(range(na - axes, na)), list(range(axes))
    else:
        axes_a, axes_b = axes
        axes_a = [axes_a] if isinstance(axes_a, (int, np.integer)) else list(axes_a)
        axes_b = [axes_b] if isinstance(axes_b, (int, np.integer)) else list(axes_b)
    if len(axes_a) != len(axes_b):
        raise ValueError(f"tensordot: {len(axes_a)} axes of a but {len(axes_b)} axes of b")
    axes_a = [_axis(i, na, "tensordot") for i in axes_a]
    axes_b = [_axis(i, nb, "tensordot") for i in axes_b]
    if na + nb > len(_LETTERS):
        raise ValueError("tensordot: too many dimensions")
    sa = list(_LETTERS[:na])
    sb = list(_LETTERS[na : na + nb])
    for i, j in zip(axes_a, axes_b):
        if shape_of(a)[i] != shape_of(b)[j]:
            raise ValueError(
                f"tensordot: axis {i} of a has length {shape_of(a)[i]} but axis {j} of b "
                f"has length {shape_of(b)[j]}"
            )
        sb[j] = sa[i]
    out = [c for i, c in enumerate(sa) if i not in axes_a]
    out += [c for j, c in enumerate(sb) if j not in axes_b]
    return einsum(f"{''.join(sa)},{''.join(sb)}->{''.join(out)}", a, b)


def kron(a, b):
    """Kronecker product: block (i, j) of the result is a[i, j] * b (any dimensions)."""
    nd = max(_ndim(a), _ndim(b))
    sa = (1,) * (nd - _ndim(a)) + tuple(shape_of(a))
    sb = (1,) * (nd - _ndim(b)) + tuple(shape_of(b))
    # a[i, j] * b[k, l] at (i, k, j, l), then (i, k) and (j, l) merged.
    a_wide = reshape(a, tuple(n for s in sa for n in (s, 1)))
    b_wide = reshape(b, tuple(n for s in sb for n in (1, s)))
    return reshape(a_wide * b_wide, tuple(p * q for p, q in zip(sa, sb)))


def cross(a, b, axis=-1):
    """Cross product of 3-vectors along ``axis`` (broadcasting the other axes)."""
    a, b = moveaxis(a, axis, -1), moveaxis(b, axis, -1)
    if shape_of(a)[-1] != 3 or shape_of(b)[-1] != 3:
        raise ValueError(
            f"cross: only 3-vectors are supported (numpy 2 deprecates 2-vectors), got "
            f"lengths {shape_of(a)[-1]} and {shape_of(b)[-1]}"
        )
    a0, a1, a2 = (getitem(a, (Ellipsis, i)) for i in range(3))
    b0, b1, b2 = (getitem(b, (Ellipsis, i)) for i in range(3))
    parts = [a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0]
    out = concatenate([expand_dims(p, -1) for p in parts], axis=-1)
    return moveaxis(out, -1, axis)
