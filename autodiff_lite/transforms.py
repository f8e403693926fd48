"""The functional API: jvp, vjp, grad, value_and_grad.

These follow JAX's names and semantics. Each is a thin layer over one trace:

- ``jvp`` opens a forward-mode trace, pairs each input with its tangent, runs
  ``f`` once, and reads the output tangent: one pass per *input direction*.
- ``vjp`` opens a reverse-mode trace, runs ``f`` once recording the tape, and
  returns ``vjp_fn`` that walks the tape backwards from an output cotangent:
  one backward pass per *output direction*.
- ``grad`` is ``vjp`` with the cotangent 1 for a scalar output.

Jacobians and Hessians, built on these two, are in :mod:`.jacobians`.

Arguments and outputs may be pytrees (nested tuples, lists, dicts of arrays).

Complex inputs follow JAX's convention: ``jvp`` pushes complex tangents, ``vjp`` pulls back
with the transpose (not the conjugate transpose), and for a real-valued ``f``,
``grad(f)(z)`` is ``df/dx - i df/dy``: ``grad(lambda z: anp.abs(z) ** 2)(3 + 4j)`` is
``6-8j``. See :mod:`autodiff_lite.primitives.complex` for the worked example.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .core import dtype_of, new_trace, shape_of, value_of
from .errors import NonScalarOutputError, ShapeMismatchError
from .forward import JVPTrace, JVPTracer
from .reverse import Node, ReverseTrace, ReverseTracer, backward
from .tree import tree_flatten, tree_unflatten

# ----------------------------------------------------------------------------
# Checking arguments
# ----------------------------------------------------------------------------


def _fname(f) -> str:
    return getattr(f, "__name__", None) or repr(f)


def normalize_argnums(argnums, nargs: int, where: str) -> tuple[bool, tuple[int, ...]]:
    """``(one argument?, argnums as non-negative ints)``, or an error naming ``where``."""
    single = isinstance(argnums, (int, np.integer))
    nums = (argnums,) if single else tuple(argnums)
    if not nums:
        raise ValueError(f"{where}: argnums is empty; say which argument(s) to differentiate")
    for a in nums:
        if not isinstance(a, (int, np.integer)):
            raise TypeError(f"{where}: argnums must be an int or a tuple of ints, got {argnums!r}")
        if not -nargs <= a < nargs:
            raise ValueError(
                f"{where}: argnums={argnums!r} but the function was called with {nargs} "
                f"positional argument(s), so valid argnums are 0..{nargs - 1}"
            )
    return single, tuple(int(a) % nargs for a in nums)


def check_float(
    leaves: Sequence, where: str, what: str = "input", complex_ok: bool = False
) -> None:
    """Refuse integer and boolean leaves (no derivative), and complex ones unless ``complex_ok``."""
    for i, x in enumerate(leaves):
        dtype = dtype_of(x)
        if dtype.kind == "c" and not complex_ok:
            raise TypeError(
                f"{where} does not take complex {what}s, but {what} {i} has dtype {dtype}. "
                f"grad (of a real-valued function), jvp and vjp do, with JAX's convention "
                f"(see autodiff_lite.primitives.complex); or pass the real and imaginary "
                f"parts as separate real arguments."
            )
        if dtype.kind not in "fc":  # not floating point (np.issubdtype is slower)
            raise TypeError(
                f"{where} requires real floating-point {what}s, but {what} {i} has dtype "
                f"{dtype}. Pass floats (f(2.0), not f(2)) or convert with "
                f"x.astype(float); integer and boolean values have no derivative."
            )


def fix_arguments(f: Callable, args: tuple, kwargs: dict, nums: tuple[int, ...]) -> Callable:
    """``f`` as a function of the arguments at positions ``nums`` only."""

    def f_partial(*diff_args):
        full = list(args)
        for i, a in zip(nums, diff_args):
            full[i] = a
        return f(*full, **kwargs)

    return f_partial


# ----------------------------------------------------------------------------
# Forward mode
# ----------------------------------------------------------------------------


def _numpy_scalars(leaves: list) -> list:
    """Python floats become numpy float64 scalars, so that the rules follow numpy's
    arithmetic: 1.0 / 0.0 is inf (with a warning) rather than a ZeroDivisionError."""
    return [
        np.float64(x) if type(x) is float else np.complex128(x) if type(x) is complex else x
        for x in leaves
    ]


def jvp_flat(f_flat: Callable, leaves: list, tangents: list):
    """Forward mode on flat lists: run ``f_flat(leaves)`` with ``tangents`` (None: no
    tangent) and return ``(output leaves, their tangents, output treedef)``. The building
    block of :func:`jvp` and :func:`~autodiff_lite.jacobians.jacfwd`."""
    leaves, tangents = _numpy_scalars(leaves), _numpy_scalars(tangents)
    with new_trace(JVPTrace) as trace:
        boxed = [x if t is None else JVPTracer(trace, x, t) for x, t in zip(leaves, tangents)]
        out = f_flat(boxed)
        out_leaves, out_tree = tree_flatten(out)
        primals, out_dots = [], []
        for y in out_leaves:
            if trace.owns(y):
                primals.append(y.primal)
                out_dots.append(y.tangent)
            else:
                primals.append(y)
                out_dots.append(np.zeros_like(value_of(y)))
    return primals, out_dots, out_tree


def jvp(f: Callable, primals: Sequence, tangents: Sequence) -> tuple[Any, Any]:
    """Forward mode: ``(f(*primals), J @ tangents)`` in one pass.

    >>> y, y_dot = jvp(anp.sin, (0.0,), (1.0,))
    >>> print(y, y_dot)
    0.0 1.0
    """
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError(
            f"jvp expects primals and tangents as tuples of arguments, e.g. "
            f"jvp(f, (x,), (v,)); got {type(primals).__name__} and {type(tangents).__name__}"
        )
    if len(primals) != len(tangents):
        raise ValueError(
            f"jvp got {len(primals)} primal(s) but {len(tangents)} tangent(s); "
            f"give one tangent per argument"
        )
    p_leaves, p_tree = tree_flatten(tuple(primals))
    t_leaves, t_tree = tree_flatten(tuple(tangents))
    if p_tree != t_tree:
        raise ValueError(
            f"jvp: tangents must have the same structure as primals, got {t_tree} for {p_tree}"
        )
    check_float(p_leaves, "jvp", "primal", complex_ok=True)
    for i, (p, t) in enumerate(zip(p_leaves, t_leaves)):
        if shape_of(p) != shape_of(t):
            raise ShapeMismatchError(
                f"jvp: tangent {i} has shape {shape_of(t)} but its primal has shape "
                f"{shape_of(p)}; a tangent must have exactly the shape of its primal"
            )
        if dtype_of(p) != dtype_of(t):
            raise TypeError(
                f"jvp: tangent {i} has dtype {dtype_of(t)} but its primal has dtype "
                f"{dtype_of(p)}; use the same dtype, e.g. v.astype({dtype_of(p)})"
            )

    def f_flat(leaves):
        return f(*tree_unflatten(p_tree, leaves))

    out, out_dots, out_tree = jvp_flat(f_flat, p_leaves, t_leaves)
    return tree_unflatten(out_tree, out), tree_unflatten(out_tree, out_dots)


# ----------------------------------------------------------------------------
# Reverse mode
# ----------------------------------------------------------------------------


def vjp_flat(f_flat: Callable, leaves: list, has_aux: bool = False):
    """Reverse mode on flat lists: record ``f_flat(leaves)`` on a tape and return
    ``(output leaves, output treedef, pullback, aux)``, where ``pullback(ans_bars)`` maps
    one cotangent per output leaf to one per input leaf. The building block of :func:`vjp`,
    :func:`grad` and :func:`~autodiff_lite.jacobians.jacrev`."""
    leaves = _numpy_scalars(leaves)
    with new_trace(ReverseTrace) as trace:
        nodes = [Node.leaf(x) for x in leaves]
        out = f_flat([ReverseTracer(trace, x, n) for x, n in zip(leaves, nodes)])
        aux = None
        if has_aux:
            if not (isinstance(out, (tuple, list)) and len(out) == 2):
                raise TypeError("with has_aux=True, f must return a pair (output, aux)")
            out, aux = out
            aux = _strip(aux, trace)
        out_leaves, out_tree = tree_flatten(out)
        out_nodes = [y.node if trace.owns(y) else None for y in out_leaves]
        primals = [y.primal if trace.owns(y) else y for y in out_leaves]

    def pullback(ans_bars: list) -> list:
        seeds = [(n, a) for n, a in zip(out_nodes, ans_bars) if n is not None and a is not None]
        found = backward(seeds) if seeds else {}
        return [
            _like(found[n], x) if n in found else np.zeros_like(value_of(x))
            for n, x in zip(nodes, leaves)
        ]

    return primals, out_tree, pullback, aux


def _like(x_bar, x):
    """A Python-number cotangent becomes a numpy scalar of x's dtype (as JAX returns arrays)."""
    if isinstance(x_bar, (int, float, complex)):
        return np.asarray(x_bar, dtype=dtype_of(x))[()]
    return x_bar


def _strip(tree, trace):
    """Remove this trace's wrapping from ``tree`` (aux outputs carry no derivative)."""
    leaves, td = tree_flatten(tree)
    return tree_unflatten(td, [x.primal if trace.owns(x) else x for x in leaves])


def _record(f: Callable, primals: tuple, has_aux: bool, check_as: str | None = None):
    """Run ``f(*primals)`` on a tape: ``(output leaves, output treedef, primals' treedef,
    pullback over the primal leaves, aux)``. Shared by vjp and grad; ``check_as`` names
    the caller in the error for non-float primals (grad checks them itself, per argument)."""
    p_leaves, p_tree = tree_flatten(primals)
    if check_as:
        check_float(p_leaves, check_as, "primal", complex_ok=True)

    def f_flat(leaves):
        return f(*tree_unflatten(p_tree, leaves))

    out_leaves, out_tree, pullback, aux = vjp_flat(f_flat, p_leaves, has_aux)
    return out_leaves, out_tree, p_tree, pullback, aux


def vjp(f: Callable, *primals, has_aux: bool = False):
    """Reverse mode: ``(f(*primals), vjp_fn)``, where ``vjp_fn(g)`` gives ``g @ J`` per argument.

    >>> y, vjp_fn = vjp(lambda x: x * x, 3.0)
    >>> print(vjp_fn(1.0)[0])
    6.0
    """
    out_leaves, out_tree, p_tree, pullback, aux = _record(f, primals, has_aux, check_as="vjp")

    def vjp_fn(cotangent):
        y_bar_leaves, y_bar_tree = tree_flatten(cotangent)
        if y_bar_tree != out_tree:
            raise ValueError(
                f"vjp_fn expects a cotangent with the structure of f's output {out_tree}, "
                f"got {y_bar_tree}"
            )
        for i, (y, y_bar) in enumerate(zip(out_leaves, y_bar_leaves)):
            if shape_of(y_bar) != shape_of(y):
                raise ShapeMismatchError(
                    f"vjp_fn: cotangent {i} has shape {shape_of(y_bar)} but the output has "
                    f"shape {shape_of(y)}; a cotangent must have the shape of its output"
                )
        return tree_unflatten(p_tree, pullback(y_bar_leaves))

    out = tree_unflatten(out_tree, out_leaves)
    return (out, vjp_fn, aux) if has_aux else (out, vjp_fn)


def value_and_grad(
    f: Callable, argnums=0, has_aux: bool = False, holomorphic: bool = False
) -> Callable:
    """Like :func:`grad`, but return ``(f(*args), gradient)`` from the same pass."""

    @functools.wraps(f)
    def value_and_grad_f(*args, **kwargs):
        single, nums = normalize_argnums(argnums, len(args), "grad")
        for i in nums:
            leaves, where = tree_flatten(args[i])[0], f"grad of {_fname(f)}"
            check_float(leaves, where, f"argument {i}, leaf", complex_ok=True)
            if holomorphic:
                _check_complex(leaves, where, f"argument {i}")
        # vjp's steps without its checks of the cotangent: we make the cotangent ourselves.
        diff_args = tuple(args[i] for i in nums)
        out_leaves, out_tree, tree, pullback, aux = _record(
            fix_arguments(f, args, kwargs, nums), diff_args, has_aux
        )
        out = tree_unflatten(out_tree, out_leaves)
        _check_scalar(out, f, holomorphic)
        g = tree_unflatten(tree, pullback([np.ones_like(value_of(out))]))
        g = g[0] if single else g
        return ((out, aux), g) if has_aux else (out, g)

    return value_and_grad_f


def _check_complex(leaves, where, what) -> None:
    for x in leaves:
        if dtype_of(x).kind != "c":
            raise TypeError(
                f"{where} with holomorphic=True needs complex values, but {what} has dtype "
                f"{dtype_of(x)}; pass complex ones (e.g. z + 0j), or drop holomorphic=True."
            )


def _check_scalar(out, f, holomorphic: bool = False) -> None:
    if isinstance(out, (tuple, list, dict)):
        raise TypeError(
            f"grad of {_fname(f)}: the function returned a {type(out).__name__}, but grad "
            f"needs a single scalar. If it returns (loss, extra), pass has_aux=True."
        )
    if shape_of(out) != ():
        raise NonScalarOutputError(
            f"grad of {_fname(f)} needs a scalar output, got shape {shape_of(out)}. Use "
            f"jacrev or vjp for non-scalar outputs, or reduce it first (e.g. .sum())."
        )
    if holomorphic:
        _check_complex([out], f"grad of {_fname(f)}", "the output")
    elif dtype_of(out).kind == "c":
        raise TypeError(
            f"grad of {_fname(f)} needs a real output, got dtype {dtype_of(out)}. For a "
            f"holomorphic function (exp, sin, z ** 2...: a complex derivative f'(z)) pass "
            f"holomorphic=True; otherwise take a real part or abs first, or use jvp or vjp, "
            f"as in JAX."
        )
    check_float([out], f"grad of {_fname(f)}", "output", complex_ok=holomorphic)


def grad(f: Callable, argnums=0, has_aux: bool = False, holomorphic: bool = False) -> Callable:
    """The gradient of a scalar function, by reverse mode.

    >>> grad(lambda x: anp.sum(x ** 2))(np.array([1.0, 2.0]))
    array([2., 4.])

    ``argnums`` picks the argument(s) to differentiate (an int, or a tuple for
    a tuple of gradients); with ``has_aux=True``, ``f`` returns ``(loss, aux)``
    and the result is ``(gradient, aux)``. Complex inputs follow JAX's convention (see
    :mod:`autodiff_lite.primitives.complex`); with ``holomorphic=True``, ``f`` may return a
    complex number and the result is its complex derivative ``f'(z)``.
    """
    vg = value_and_grad(f, argnums, has_aux, holomorphic)

    @functools.wraps(f)
    def grad_f(*args, **kwargs):
        value, g = vg(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return grad_f
