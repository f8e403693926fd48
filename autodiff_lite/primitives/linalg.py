"""Products and linear algebra: matmul, dot, einsum, solve, inv, det.

The linear layer is the example to remember. For ``y = x @ W`` and a cotangent
``g`` of ``y``'s shape, the VJPs are ``x_bar = g @ W.T`` and ``W_bar = x.T @ g``:
no Jacobian (of size len(y) x len(W)) is ever formed, only products of the
same cost as the forward pass. Batch dimensions broadcast like ``+`` does, so
the results pass through ``unbroadcast`` too.

Complex matrices need no other rules: the VJPs are transposes, ``g @ W.T``, not conjugate
transposes (JAX's convention, see :mod:`.complex`). ``vdot`` conjugates its first argument,
as numpy's does; ``norm`` of complex values is computed from ``|x|^2``.
"""

from __future__ import annotations

import numpy as np

from .. import domains
from ..core import Primitive, shape_of
from . import elementwise as el
from . import reductions
from .broadcasting import broadcast_to, unbroadcast
from .complex import abs2, conj, is_complex
from .reductions import sum
from .shapes import expand_dims, getitem, reshape, swapaxes

R, WC = domains.REAL, domains.WELL_CONDITIONED


def _ndim(x):
    return len(shape_of(x))


def _mT(x):
    """Transpose of the last two axes (a batch of matrices)."""
    return swapaxes(x, -1, -2)


def _matmul_vjp_a(g, ans, a, b):
    if _ndim(a) == 1 and _ndim(b) == 1:  # inner product: g is a scalar
        return g * b
    if _ndim(b) == 1:  # (..., n, k) @ (k,) -> (..., n)
        return unbroadcast(expand_dims(g, -1) * b, a)
    if _ndim(a) == 1:  # (k,) @ (..., k, n) -> (..., n)
        return unbroadcast(getitem(matmul(b, expand_dims(g, -1)), (Ellipsis, 0)), a)
    return unbroadcast(matmul(g, _mT(b)), a)


def _matmul_vjp_b(g, ans, a, b):
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
    """numpy's vdot: the flattened ``conj(a) . b`` (no conjugate for real ``a``)."""
    a = conj(a) if is_complex(a) else a
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
    if ord in (None, 2, "fro"):
        if ord == 2 and axis is None and _ndim(x) == 2:
            raise NotImplementedError("the matrix 2-norm (largest singular value) is not supported")
        return el.sqrt(sum(abs2(x), axis=axis, keepdims=keepdims))
    if ord == 1 and (axis is not None or _ndim(x) == 1):
        return sum(el.abs(x), axis=axis, keepdims=keepdims)
    if ord in (np.inf, "inf") and (axis is not None or _ndim(x) == 1):
        return reductions.max(el.abs(x), axis=axis, keepdims=keepdims)
    raise NotImplementedError(f"linalg.norm with ord={ord!r} is not supported")


# --- slogdet (issue 15: autograd's numpy coverage) ---------------------------------------
# (cholesky and eigh, which need their own conventions, are in .decompositions)


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
