"""Jacobians and Hessians from the two modes: jacfwd, jacrev, hessian, hvp.

For f: R^n -> R^m the Jacobian J is m x n.

- ``jacfwd`` pushes the n unit vectors e_j through ``jvp``: column j of J is
  J e_j. Cost: n forward passes, so it wins when n (inputs) is small.
- ``jacrev`` pulls the m unit vectors back through one recorded tape: row i of
  J is e_i^T J. Cost: one forward pass and m backward passes, so it wins when
  m (outputs) is small; a gradient (m = 1) costs one backward pass.
- ``hessian`` is ``jacfwd(jacrev(f))``: forward-over-reverse, the cheap way.

Results follow JAX's layout: for an output leaf of shape (a, b) and an input leaf
of shape (c,), the block has shape (a, b, c).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import numpy as np

from .core import dtype_of, shape_of, value_of
from .primitives.shapes import reshape, stack
from .transforms import (
    check_float,
    fix_arguments,
    grad,
    jvp,
    jvp_flat,
    normalize_argnums,
    vjp_flat,
)
from .tree import tree_flatten, tree_unflatten

# ----------------------------------------------------------------------------


def _basis(x, j):
    """The j-th unit vector in the space of arrays shaped like ``x``."""
    e = np.zeros(np.size(value_of(x)), dtype=dtype_of(x))
    e[j] = 1
    return e.reshape(shape_of(x))


def _jacobian_setup(f, argnums, args, kwargs, where):
    single, nums = normalize_argnums(argnums, len(args), where)
    diff_args = tuple(args[i] for i in nums)
    leaves, in_tree = tree_flatten(diff_args[0] if single else diff_args)
    check_float(leaves, where)
    f_fixed = fix_arguments(f, args, kwargs, nums)

    def f_flat(ls):
        tree = tree_unflatten(in_tree, ls)
        return f_fixed(tree) if single else f_fixed(*tree)

    return leaves, in_tree, f_flat


def _assemble(blocks, out_leaves, out_tree, in_leaves, in_tree):
    """Arrange blocks[i][k] (d out_i / d in_k) into JAX's nested output structure."""
    per_out = []
    for i, y in enumerate(out_leaves):
        per_in = [reshape(blocks[i][k], shape_of(y) + shape_of(x)) for k, x in enumerate(in_leaves)]
        per_out.append(tree_unflatten(in_tree, per_in))
    return tree_unflatten(out_tree, per_out)


def jacfwd(f: Callable, argnums=0) -> Callable:
    """The Jacobian by forward mode: one ``jvp`` per input element (column by column)."""

    @functools.wraps(f)
    def jacfwd_f(*args, **kwargs):
        leaves, in_tree, f_flat = _jacobian_setup(f, argnums, args, kwargs, "jacfwd")
        columns = []  # columns[k][j] = list of output-leaf tangents for input leaf k, element j
        out_leaves, out_tree = None, None
        for k, x in enumerate(leaves):
            cols = []
            for j in range(np.size(value_of(x))):
                tangents = [None] * len(leaves)
                tangents[k] = _basis(x, j)
                out_leaves, dots, out_tree = jvp_flat(f_flat, leaves, tangents)
                cols.append(dots)
            columns.append(cols)
        if out_leaves is None:  # no input elements at all
            out_leaves, _, out_tree = jvp_flat(f_flat, leaves, [None] * len(leaves))
        blocks = [
            [
                _stack_or_empty([c[i] for c in columns[k]], out_leaves[i], -1)
                for k in range(len(leaves))
            ]
            for i in range(len(out_leaves))
        ]
        return _assemble(blocks, out_leaves, out_tree, leaves, in_tree)

    return jacfwd_f


def jacrev(f: Callable, argnums=0) -> Callable:
    """The Jacobian by reverse mode: one backward pass per output element (row by row)."""

    @functools.wraps(f)
    def jacrev_f(*args, **kwargs):
        leaves, in_tree, f_flat = _jacobian_setup(f, argnums, args, kwargs, "jacrev")
        out_leaves, out_tree, pullback, _ = vjp_flat(f_flat, leaves)
        blocks = []
        for i, y in enumerate(out_leaves):
            rows = []
            for j in range(np.size(value_of(y))):
                ans_bars = [None] * len(out_leaves)
                ans_bars[i] = _basis(y, j)
                rows.append(pullback(ans_bars))
            blocks.append(
                [_stack_or_empty([r[k] for r in rows], leaves[k], 0) for k in range(len(leaves))]
            )
        return _assemble(blocks, out_leaves, out_tree, leaves, in_tree)

    return jacrev_f


def _stack_or_empty(parts, like, axis):
    if parts:
        return stack(parts, axis=axis)
    return np.zeros((0,), dtype=dtype_of(like))


jacobian = jacrev


def hessian(f: Callable, argnums=0) -> Callable:
    """Second derivatives, forward-over-reverse: ``jacfwd(jacrev(f))``."""
    return jacfwd(jacrev(f, argnums), argnums)


def hvp(f: Callable, primals: Sequence, tangents: Sequence):
    """Hessian-vector product H v of a scalar f, without forming H (forward-over-reverse)."""
    return jvp(grad(f, argnums=tuple(range(len(primals)))), tuple(primals), tuple(tangents))[1]
