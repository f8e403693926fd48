"""``anp.linalg``: differentiable linear algebra (see :mod:`autodiff_lite.primitives.linalg`).

``det``, ``slogdet``, ``inv``, ``solve``, ``cholesky``, ``eigh``, ``eigvalsh`` are
primitives with their own rules; ``pinv``, ``matrix_power`` and ``multi_dot`` are built
from them. The symmetric functions (``cholesky``, ``eigh``, ``eigvalsh``) read the
symmetric part of their input and give symmetric derivatives, as in JAX.
"""

from __future__ import annotations

import numpy as np

from ..core import shape_of, value_of
from ..primitives.decompositions import cholesky, eigh, eigvalsh
from ..primitives.linalg import (
    det,
    inv,
    matmul,
    norm,
    slogdet,
    solve,
)
from ..primitives.shapes import swapaxes

__all__ = [
    "cholesky",
    "det",
    "eigh",
    "eigvalsh",
    "inv",
    "matrix_power",
    "multi_dot",
    "norm",
    "pinv",
    "slogdet",
    "solve",
]


def pinv(a):
    """Moore-Penrose pseudo-inverse of a matrix of full rank, as ``inv(a^T a) a^T`` (tall)
    or ``a^T inv(a a^T)`` (wide). A rank-deficient matrix raises an error: its
    pseudo-inverse is not a differentiable function of it."""
    if len(shape_of(a)) != 2:
        raise ValueError(f"linalg.pinv needs a 2-D matrix, got shape {shape_of(a)}")
    m, n = shape_of(a)
    if np.linalg.matrix_rank(value_of(a)) < min(m, n):
        raise NotImplementedError(
            "linalg.pinv: the matrix is rank-deficient; only full-rank matrices are "
            "supported (there the pseudo-inverse is differentiable)"
        )
    at = swapaxes(a, 0, 1)
    return solve(matmul(at, a), at) if m >= n else swapaxes(solve(matmul(a, at), a), 0, 1)


def matrix_power(a, n: int):
    """``a`` multiplied by itself ``n`` times (by squaring); ``n < 0`` uses ``inv(a)``."""
    if not isinstance(n, (int, np.integer)):
        raise TypeError(f"linalg.matrix_power: the exponent must be an integer, got {n!r}")
    if n < 0:
        a, n = inv(a), -n
    if n == 0:
        return np.broadcast_to(np.eye(shape_of(a)[-1]), shape_of(a)).copy()
    result, power = None, a
    while n:
        if n & 1:
            result = power if result is None else matmul(result, power)
        n >>= 1
        if n:
            power = matmul(power, power)
    return result


def multi_dot(arrays):
    """The product of a list of matrices, left to right (numpy also picks an order)."""
    arrays = list(arrays)
    if len(arrays) < 2:
        raise ValueError("linalg.multi_dot needs at least two arrays")
    out = arrays[0]
    for b in arrays[1:]:
        out = matmul(out, b)
    return out
