"""Decompositions of symmetric matrices: cholesky and eigh (eigenvalues, eigenvectors).

Convention (JAX's): the input is symmetrized first, S = (A + A^T) / 2, so the derivative
with respect to A is the symmetric one. (numpy reads only the lower triangle; autograd and
PyTorch also return symmetric gradients.) Each rule is written with the library's own ops
(``solve``, ``matmul``, ``eigvalsh``), so second derivatives work too.

The rules, for the reader who wants to derive them (Murray 2016, "Differentiation of the
Cholesky decomposition"; Giles 2008, "An extended collection of matrix derivative
results"): with Phi(X) the lower triangle of X with its diagonal halved,

    cholesky:      L_dot = L Phi(L^-1 S_dot L^-T)        S_bar = L^-T Phi(L^T L_bar) L^-1
    eigenvalues:   w_dot = diag(V^T S_dot V)              S_bar = V diag(w_bar) V^T
    eigenvectors:  V_dot = V (F o (V^T S_dot V))          S_bar = V (F o (V^T V_bar)) V^T

where F[i, j] = 1 / (w_j - w_i) off the diagonal and 0 on it (so the eigenvalues must be
distinct) and o is the elementwise product. Each VJP is the transpose of its JVP.
"""

from __future__ import annotations

import numpy as np

from ..core import Primitive, shape_of
from .linalg import _check_square, _mT, matmul, solve_p
from .reductions import sum
from .shapes import expand_dims


def _sym(a):
    return 0.5 * (a + _mT(a))


def _half_lower(x):
    """Phi(X): the lower triangle of X with its diagonal halved (a constant mask)."""
    n = shape_of(x)[-1]
    return x * (np.tril(np.ones((n, n)), -1) + 0.5 * np.eye(n))


def _right_solve(x, m):
    """x @ inv(m), as a solve: (inv(m)^T @ x^T)^T."""
    return _mT(solve_p(_mT(m), _mT(x)))


def _cholesky_jvp(a_dot, ans, a):
    """L_dot = L Phi(L^-1 S_dot L^-T) (Murray 2016, "Differentiation of the Cholesky
    decomposition"), S_dot the symmetric part of a_dot."""
    inner = _right_solve(solve_p(ans, _sym(a_dot)), _mT(ans))
    return ans @ _half_lower(inner)


def _cholesky_vjp(g, ans, a):
    """The transpose of the JVP: S_bar = L^-T Phi(L^T L_bar) L^-1, then symmetrized."""
    s_bar = _right_solve(solve_p(_mT(ans), _half_lower(_mT(ans) @ g)), ans)
    return _sym(s_bar)


def _spd(rng, shape):
    """Symmetric positive definite matrices, well conditioned (for cholesky)."""
    n = shape[-1]
    m = rng.standard_normal(shape)
    return m @ np.swapaxes(m, -1, -2) / n + np.eye(n)


cholesky_p = Primitive(
    "cholesky",
    lambda a: np.linalg.cholesky(0.5 * (a + np.swapaxes(a, -1, -2))),
    jvps=(_cholesky_jvp,),
    vjps=(_cholesky_vjp,),
    domains=(_spd,),
    cases=[(((3, 3),), {})],
)


def cholesky(a):
    """The lower Cholesky factor L of a symmetric positive definite matrix: a = L L^T."""
    _check_square(a, "linalg.cholesky")
    return cholesky_p(a)


def _distinct_eigenvalues(rng, shape):
    """Matrices whose symmetric part has eigenvalues at least 0.9 apart (near -1.5, 0 and
    1.5 for 3 x 3): eigenvector derivatives grow like 1 / gap, so tests keep gaps wide."""
    n = shape[-1]
    q, _ = np.linalg.qr(rng.standard_normal(shape))
    w = np.linspace(-1.5, 1.5, n) + rng.uniform(-0.3, 0.3, (*shape[:-2], n))
    sym = (q * w[..., None, :]) @ np.swapaxes(q, -1, -2)
    return sym + 0.2 * rng.uniform(-1.0, 1.0, shape)  # a non-symmetric part, ignored


def _eigh_impl(a):
    """Eigenvectors of the symmetric part of a, columns ordered by ascending eigenvalue,
    each with the sign that makes its entry of largest magnitude positive (numpy, JAX and
    PyTorch may each return -v for v; fixing the sign makes the result a function)."""
    _, v = np.linalg.eigh(0.5 * (a + np.swapaxes(a, -1, -2)))
    pick = np.take_along_axis(v, np.argmax(np.abs(v), axis=-2)[..., None, :], axis=-2)
    return np.where(pick < 0, -v, v)


def _eig_gaps(a):
    """F[i, j] = 1 / (w_j - w_i) off the diagonal, 0 on it (traced: w depends on a)."""
    w = eigvalsh_p(a)
    n = shape_of(w)[-1]
    off = 1.0 - np.eye(n)
    return off / (expand_dims(w, -2) - expand_dims(w, -1) + np.eye(n))


eigh_vectors_p = Primitive(
    "eigh_vectors",
    _eigh_impl,
    # V_dot = V (F o (V^T S_dot V)); its transpose S_bar = V (F o (V^T V_bar)) V^T.
    jvps=(lambda a_dot, ans, a: ans @ (_eig_gaps(a) * (_mT(ans) @ _sym(a_dot) @ ans)),),
    vjps=(lambda g, ans, a: _sym(ans @ (_eig_gaps(a) * (_mT(ans) @ g)) @ _mT(ans)),),
    domains=(_distinct_eigenvalues,),
    cases=[(((3, 3),), {})],
)

eigvalsh_p = Primitive(
    "eigvalsh",
    lambda a: np.linalg.eigvalsh(0.5 * (a + np.swapaxes(a, -1, -2))),
    # w_dot = diag(V^T S_dot V); its transpose S_bar = V diag(w_bar) V^T.
    jvps=(lambda a_dot, ans, a: _diag_of_product(eigh_vectors_p(a), _sym(a_dot)),),
    vjps=(
        lambda g, ans, a: matmul(eigh_vectors_p(a) * expand_dims(g, -2), _mT(eigh_vectors_p(a))),
    ),
    domains=(_distinct_eigenvalues,),
    cases=[(((3, 3),), {})],
    vjp_needs_output=False,
)


def _diag_of_product(v, s):
    """diag(V^T S V) without forming the off-diagonal entries."""
    return sum(v * matmul(s, v), axis=-2)


def eigvalsh(a):
    """Eigenvalues of the symmetric part of ``a``, ascending. Their derivatives assume the
    eigenvalues are distinct (at a repeated eigenvalue they are not differentiable)."""
    _check_square(a, "linalg.eigvalsh")
    return eigvalsh_p(a)


def eigh(a):
    """(eigenvalues, eigenvectors) of the symmetric part of ``a``; see ``_eigh_impl`` for
    the sign of each eigenvector. Derivatives need distinct eigenvalues."""
    _check_square(a, "linalg.eigh")
    return eigvalsh_p(a), eigh_vectors_p(a)
