"""``check_grads``: compare derivatives with finite differences, to any order.

For a random direction ``v`` in input space and ``u`` in output space:

- forward mode must match the central difference
  ``(f(x + eps v) - f(x - eps v)) / (2 eps)``, which approximates ``J v``;
- reverse mode must satisfy ``<u, J v> == <vjp(u), v>``, with ``J v`` again
  from finite differences (the *dot-product test*).

For ``order=2`` the same checks run on the derivative functions
``x -> jvp(f, x, v)`` and ``x -> vjp(f, x)(u)`` themselves, and so on.
Use float64: in float32 the finite differences are too noisy to compare.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .core import value_of
from .errors import GradientCheckError
from .transforms import jvp, vjp
from .tree import tree_flatten, tree_unflatten


def _random_like(leaves, rng):
    return [rng.standard_normal(np.shape(value_of(x))).astype(np.float64) for x in leaves]


def _vdot(a_leaves, b_leaves) -> float:
    return float(sum(np.vdot(np.asarray(a), np.asarray(b)) for a, b in zip(a_leaves, b_leaves)))


def _add(leaves, dirs, scale):
    return [np.asarray(x, dtype=np.float64) + scale * d for x, d in zip(leaves, dirs)]


def check_grads(
    f: Callable,
    args: Sequence,
    order: int = 2,
    modes: Sequence[str] = ("fwd", "rev"),
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-5,
    seed: int = 0,
) -> None:
    """Raise :class:`GradientCheckError` if f's derivatives disagree with finite differences.

    >>> check_grads(anp.sin, (0.3,), order=2)        # passes silently
    """
    if not isinstance(args, (tuple, list)):
        raise TypeError(
            f"check_grads expects args as a tuple, e.g. check_grads(f, (x,)); "
            f"got {type(args).__name__}"
        )
    bad = set(modes) - {"fwd", "rev"}
    if bad:
        raise ValueError(f"check_grads: unknown mode(s) {sorted(bad)}; use 'fwd' and/or 'rev'")
    rng = np.random.default_rng(seed)
    _check(f, tuple(args), order, tuple(modes), eps, atol, rtol, rng, 1)


def _check(f, args, order, modes, eps, atol, rtol, rng, level):
    leaves, tree = tree_flatten(args)
    for i, x in enumerate(leaves):
        if np.result_type(value_of(x)) != np.float64:
            raise TypeError(
                f"check_grads needs float64 inputs (finite differences are too noisy in "
                f"lower precision); input {i} has dtype {np.result_type(value_of(x))}"
            )

    def f_flat(ls):
        return tree_flatten(f(*tree_unflatten(tree, ls)))[0]

    v = _random_like(leaves, rng)
    plus, minus = f_flat(_add(leaves, v, eps)), f_flat(_add(leaves, v, -eps))
    numeric = [(np.asarray(p) - np.asarray(m)) / (2 * eps) for p, m in zip(plus, minus)]
    name = getattr(f, "__name__", "f")

    if "fwd" in modes:
        _, out_dot = jvp(lambda *a: f_flat(list(a)), tuple(leaves), tuple(v))
        for k, (a, n) in enumerate(zip(out_dot, numeric)):
            a = np.asarray(a)
            if not np.allclose(a, n, atol=atol, rtol=rtol):
                raise GradientCheckError(
                    f"forward mode (order {level}) of {name}: output {k}: jvp gives {a!r} "
                    f"but finite differences give {n!r} (max |diff| {np.max(np.abs(a - n)):.3g})"
                )
    if "rev" in modes:
        outs, vjp_fn = vjp(lambda *a: f_flat(list(a)), *leaves)
        u = _random_like(outs, rng)
        x_bar = vjp_fn(u)
        lhs, rhs = _vdot(u, numeric), _vdot(x_bar, v)
        if not np.isclose(lhs, rhs, atol=atol, rtol=rtol):
            raise GradientCheckError(
                f"reverse mode (order {level}) of {name}: <u, J v> from finite differences is "
                f"{lhs:.10g} but <vjp(u), v> is {rhs:.10g} (|diff| {abs(lhs - rhs):.3g})"
            )

    if order > 1:
        if "fwd" in modes:

            def f_jvp(*a):
                return jvp(lambda *b: f_flat(list(b)), tuple(tree_flatten(a)[0]), tuple(v))[1]

            _check(f_jvp, args, order - 1, modes, eps, atol, rtol, rng, level + 1)
        if "rev" in modes:
            u2 = _random_like(f_flat(leaves), rng)

            def f_vjp(*a):
                return vjp(lambda *b: f_flat(list(b)), *tree_flatten(a)[0])[1](u2)

            _check(f_vjp, args, order - 1, modes, eps, atol, rtol, rng, level + 1)
