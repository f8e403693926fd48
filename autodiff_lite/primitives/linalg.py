"""Products and linear algebra: matmul, dot, einsum, solve, inv, det.

The linear layer is the example to remember. For ``y = x @ W`` and a cotangent
``g`` of ``y``'s shape, the VJPs are ``x_bar = g @ W.T`` and ``W_bar = x.T @ g``:
no Jacobian (of size len(y) x len(W)) is ever formed, only products of the
same cost as the forward pass. Batch dimensions broadcast like ``+`` does, so
the results pass through ``unbroadcast`` too.
"""

from __future__ import annotations

import numpy as np

from .. import domains
from ..core import Primitive, shape_of
from .broadcasting import broadcast_to, unbroadcast
from .reductions import sum
from .shapes import expand_dims, getitem, reshape, swapaxes

R, WC = domains.REAL, domains.WELL_CONDITIONED


def _ndim(x):
    return len(shape_of(x))


def _mT(x):
    """Transpose of the last two axes (a batch of matrices)."""
    return swapaxes(x, -1, -2)


def _plain_matrices(x, y) -> bool:
    """Are ``x`` and ``y`` both untraced 2-D numpy arrays?

    Speed: in a first derivative, the backward pass hands the rules plain arrays, and a
    network's layers are 2-D @ 2-D. Then the VJPs are one numpy product each, with no
    shape cases to sort out, no transpose primitive and nothing to un-broadcast.
    """
    return type(x) is np.ndarray and type(y) is np.ndarray and x.ndim == 2 and y.ndim == 2


def _matmul_vjp_a(g, ans, a, b):
    if _plain_matrices(g, b):  # speed: see _plain_matrices
        return g @ b.T
    if _ndim(a) == 1 and _ndim(b) == 1:  # inner product: g is a scalar
        return g * b
    if _ndim(b) == 1:  # (..., n, k) @ (k,) -> (..., n)
        return unbroadcast(expand_dims(g, -1) * b, a)
    if _ndim(a) == 1:  # (k,) @ (..., k, n) -> (..., n)
        return unbroadcast(getitem(matmul(b, expand_dims(g, -1)), (Ellipsis, 0)), a)
    return unbroadcast(matmul(g, _mT(b)), a)


def _matmul_vjp_b(g, ans, a, b):
    if _plain_matrices(a, g):  # speed: see _plain_matrices
        return a.T @ g
    if _ndim(a) == 1 and _ndim(b) == 1:
        return g * a
    if _ndim(a) == 1:  # (k,) @ (..., k, n) -> (..., n)
        return unbroadcast(expand_dims(a, -1) * expand_dims(g, -2), b)
    if _ndim(b) == 1:  # (..., n, k) @ (k,) -> (..., n)
        return unbroadcast(getitem(matmul(_mT(a), expand_dims(g, -1)), (Ellipsis, 0)), b)
    return unbroadcast(matmul(_mT(a), g), b)


matmul = Primitive(
    "matmul",
    np.matmul,
    jvps=(
        lambda a_dot, ans, a, b: matmul(a_dot, b),
        lambda b_dot, ans, a, b: matmul(a, b_dot),
    ),
    vjps=(_matmul_vjp_a, _matmul_vjp_b),
    vjp_needs_output=False,  # memory: the rules read a and b, never a @ b
    domains=(R, R),
    cases=[
        (((3,), (3,)), {}),
        (((2, 3), (3,)), {}),
        (((3,), (3, 4)), {}),
        (((2, 3), (3, 4)), {}),
        (((5, 2, 3), (3, 4)), {}),
        (((2, 3), (5, 3, 4)), {}),
    ],
)


def dot(a, b):
    """numpy's dot for scalars, vectors and matrices (use matmul/einsum beyond 2-D)."""
    na, nb = _ndim(a), _ndim(b)
    if na == 0 or nb == 0:
        return a * b
    if na <= 2 and nb <= 2:
        return matmul(a, b)
    raise NotImplementedError(
        f"dot of arrays with {na} and {nb} dimensions is not supported; "
        f"use anp.matmul (batched) or anp.einsum to say which axes to contract"
    )


def inner(a, b):
    """numpy's inner: contract the last axis of a with the last axis of b."""
    na, nb = _ndim(a), _ndim(b)
    if na == 0 or nb == 0:
        return a * b
    letters = "abcdefghijklmnopqrstuvwxy"
    sa, sb = letters[: na - 1] + "z", letters[na - 1 : na + nb - 2] + "z"
    return einsum(f"{sa},{sb}->{sa[:-1]}{sb[:-1]}", a, b)


def outer(a, b):
    a, b = reshape(a, (-1,)), reshape(b, (-1,))
    return expand_dims(a, 1) * expand_dims(b, 0)


def vdot(a, b):
    return sum(reshape(a, (-1,)) * reshape(b, (-1,)))


# --- einsum ------------------------------------------------------------------


def parse_einsum(subscripts: str, n_operands: int):
    """Split 'ij,jk->ik' into (['ij', 'jk'], 'ik'), filling in an implicit output."""
    s = subscripts.replace(" ", "")
    if "." in s:
        raise NotImplementedError("einsum with '...' is not supported; name every axis")
    inputs, _, output = s.partition("->")
    ins = inputs.split(",")
    if len(ins) != n_operands:
        raise ValueError(
            f"einsum subscripts '{subscripts}' name {len(ins)} operands, got {n_operands}"
        )
    if "->" not in s:
        letters = "".join(ins)
        output = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    return ins, output


def _einsum_vjp(argnum):
    def rule(g, ans, *operands, subscripts):
        ins, out = parse_einsum(subscripts, len(operands))
        mine = ins[argnum]
        if len(set(mine)) != len(mine):
            raise NotImplementedError(
                f"einsum derivative for operand {argnum} with a repeated index ('{mine}', "
                f"a diagonal or trace) is not supported; use anp.trace or indexing"
            )
        others = [op for i, op in enumerate(operands) if i != argnum]
        other_subs = [s for i, s in enumerate(ins) if i != argnum]
        available = set("".join(other_subs) + out)
        kept = "".join(c for c in mine if c in available)
        spec = ",".join([*other_subs, out]) + "->" + kept
        x_bar = einsum_p(*others, g, subscripts=spec)
        if kept != mine:  # an index summed only within this operand: broadcast back
            shape = shape_of(operands[argnum])
            kept_shape = tuple(n if c in available else 1 for c, n in zip(mine, shape))
            x_bar = broadcast_to(reshape(x_bar, kept_shape), shape)
        return x_bar

    return rule


def _einsum_jvp(argnum):
    def rule(x_dot, ans, *operands, subscripts):
        ops = [x_dot if i == argnum else op for i, op in enumerate(operands)]
        return einsum_p(*ops, subscripts=subscripts)

    return rule


einsum_p = Primitive(
    "einsum",
    lambda *operands, subscripts: np.einsum(subscripts, *operands),
    jvps=_einsum_jvp,
    vjps=_einsum_vjp,
    domains=(R, R, R),
    cases=[
        (((2, 3), (3, 4)), {"subscripts": "ij,jk->ik"}),
        (((2, 3), (2, 3)), {"subscripts": "ij,ij->"}),
        (((5, 2, 3), (5, 3, 4)), {"subscripts": "bij,bjk->bik"}),
        (((2, 3), (3,), (4,)), {"subscripts": "ij,j,k->ik"}),
        (((2, 3),), {"subscripts": "ij->j"}),
    ],
)


def einsum(subscripts, *operands):
    """Einstein summation, e.g. ``einsum('ij,jk->ik', A, B)``; no '...' or diagonals."""
    parse_einsum(subscripts, len(operands))
    return einsum_p(*operands, subscripts=subscripts.replace(" ", ""))


# --- solve, inv, det -------------------------------------------------------------


def _check_square(a, name):
    s = shape_of(a)
    if len(s) != 2 or s[0] != s[1]:
        raise ValueError(f"{name} needs a square 2-D matrix, got shape {s}")


def _solve_vjp_a(g, ans, a, b):
    b_bar = solve_p(_mT(a), g)
    if _ndim(b) == 1:
        return -outer(b_bar, ans)
    return -matmul(b_bar, _mT(ans))


solve_p = Primitive(
    "solve",
    np.linalg.solve,
    jvps=(
        lambda a_dot, ans, a, b: solve_p(a, -(a_dot @ ans)),
        lambda b_dot, ans, a, b: solve_p(a, b_dot),
    ),
    vjps=(_solve_vjp_a, lambda g, ans, a, b: solve_p(_mT(a), g)),
    domains=(WC, R),
    cases=[(((3, 3), (3,)), {}), (((3, 3), (3, 2)), {})],
)


def solve(a, b):
    """Solve ``a @ x = b`` for x (a square, b a vector or a matrix of columns)."""
    _check_square(a, "linalg.solve")
    if _ndim(b) not in (1, 2) or shape_of(b)[0] != shape_of(a)[0]:
        raise ValueError(
            f"linalg.solve: b must have shape ({shape_of(a)[0]},) or ({shape_of(a)[0]}, k) "
            f"to match a of shape {shape_of(a)}, got {shape_of(b)}"
        )
    return solve_p(a, b)


inv_p = Primitive(
    "inv",
    np.linalg.inv,
    jvps=(lambda a_dot, ans, a: -(ans @ a_dot @ ans),),
    vjps=(lambda g, ans, a: -(_mT(ans) @ g @ _mT(ans)),),
    domains=(WC,),
    cases=[(((3, 3),), {})],
)


def inv(a):
    _check_square(a, "linalg.inv")
    return inv_p(a)


det_p = Primitive(
    "det",
    np.linalg.det,
    jvps=(lambda a_dot, ans, a: ans * sum(_mT(inv_p(a)) * a_dot),),
    vjps=(lambda g, ans, a: g * ans * _mT(inv_p(a)),),
    domains=(WC,),
    cases=[(((3, 3),), {})],
)


def det(a):
    _check_square(a, "linalg.det")
    return det_p(a)


def trace(a):
    n = min(shape_of(a)[-2:])
    idx = np.arange(n)
    return sum(getitem(a, (idx, idx)))


def norm(x, ord=None, axis=None, keepdims=False):
    """Vector 2-norm (and Frobenius for matrices), 1-norm, inf-norm.

    Its derivative at x = 0 is nan, as in JAX (the 2-norm has a kink there).
    """
    from .elementwise import abs, sqrt
    from .reductions import max

    if ord in (None, 2, "fro"):
        if ord == 2 and axis is None and _ndim(x) == 2:
            raise NotImplementedError("the matrix 2-norm (largest singular value) is not supported")
        return sqrt(sum(x * x, axis=axis, keepdims=keepdims))
    if ord == 1 and (axis is not None or _ndim(x) == 1):
        return sum(abs(x), axis=axis, keepdims=keepdims)
    if ord in (np.inf, "inf") and (axis is not None or _ndim(x) == 1):
        return max(abs(x), axis=axis, keepdims=keepdims)
    raise NotImplementedError(f"linalg.norm with ord={ord!r} is not supported")


# --- slogdet, cholesky, eigh (issue 15: autograd's numpy coverage) -------------------------
# Symmetric-matrix functions follow JAX's convention: the input is symmetrized first,
# S = (A + A^T) / 2, so the derivative with respect to A is the symmetric one (numpy reads
# only the lower triangle; autograd and PyTorch also return symmetric gradients).


def _sym(a):
    return 0.5 * (a + _mT(a))


def _logabsdet_impl(a):
    return np.linalg.slogdet(a)[1]


# d log|det A| = tr(A^{-1} dA): the same rule as det's, without the factor det(A).
logabsdet_p = Primitive(
    "logabsdet",
    _logabsdet_impl,
    jvps=(lambda a_dot, ans, a: sum(_mT(inv_p(a)) * a_dot),),
    vjps=(lambda g, ans, a: g * _mT(inv_p(a)),),
    domains=(WC,),
    cases=[(((3, 3),), {})],
    vjp_needs_output=False,
)


def slogdet(a):
    """(sign, log|det a|), as numpy; the sign is a constant (its derivative is zero)."""
    _check_square(a, "linalg.slogdet")
    from ..core import value_of

    return np.sign(np.linalg.det(value_of(a))), logabsdet_p(a)


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
    return v * np.where(pick < 0, -1.0, 1.0)


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
