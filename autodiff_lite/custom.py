"""Custom derivative rules for whole functions: ``custom_vjp`` and ``custom_jvp``.

Sometimes the derivative a program would get by differentiating its operations
is not the one we want: it may overflow where the function does not
(``log(1 + exp(x))``), it may cost too much (an iterative solver), or we may want
a different gradient on purpose (gradient clipping, straight-through). JAX's answer,
followed here with the same semantics, is to declare the rule for the whole function:

>>> @custom_vjp
... def clip_gradient(x):
...     return x
>>> clip_gradient.defvjp(lambda x: (x, None), lambda res, g: (anp.clip(g, -1.0, 1.0),))
>>> print(ad.grad(lambda x: 5.0 * clip_gradient(x))(2.0))    # d/dx 5x = 5, clipped to 1
1.0

How it works: each call with traced arguments makes a fresh function-level primitive
(:mod:`.function_primitive`, not in the table) whose implementation runs the user's
function on plain values and whose rules call the user's rule. The primitive sees the flat list of
argument leaves; a function returning a pytree has its output leaves concatenated
into one vector and split again, with the library's own (differentiable) ops.

Rules receive traced values when derivatives are nested, so a rule written with
``autodiff_lite.numpy`` supports higher-order derivatives. A ``custom_jvp`` rule is
linear in the tangents, so reverse mode gets its VJP by transposing it (running
reverse mode on the tangent map), as in JAX; a ``custom_vjp`` has no forward mode.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

from . import numpy as anp
from .core import Tracer, dtype_of, shape_of, value_of
from .errors import DifferentiationError, ShapeMismatchError
from .function_primitive import function_primitive
from .transforms import vjp
from .tree import tree_flatten, tree_unflatten

__all__ = ["custom_jvp", "custom_vjp"]


def has_tracer(leaves) -> bool:
    return any(isinstance(x, Tracer) for x in leaves)


class OutputPacker:
    """Turns the pytree output of a function into one flat array, and back.

    ``pack`` runs on plain values inside a primitive's implementation and remembers
    the tree; ``unpack`` and ``pack_traced`` use library ops, so derivatives flow
    through the slicing. A single-array output is left as it is.
    """

    def __init__(self, where: str):
        self.where = where
        self.tree = None
        self.shapes = None

    def pack(self, out):
        leaves, self.tree = tree_flatten(out)
        for x in leaves:
            if not np.issubdtype(dtype_of(x), np.floating):
                raise TypeError(
                    f"{self.where}: every output must be a floating-point array, got dtype "
                    f"{dtype_of(x)}; return integer results from a separate function"
                )
        self.shapes = [np.shape(x) for x in leaves]
        if self.single:
            return leaves[0]
        return np.concatenate([np.ravel(x) for x in leaves])

    @property
    def single(self) -> bool:
        return self.tree.kind == "leaf"

    def pack_traced(self, out):
        leaves, tree = tree_flatten(out)
        if tree != self.tree:
            raise ValueError(
                f"{self.where}: expected an output with structure {self.tree}, got {tree}"
            )
        if self.single:
            return leaves[0]
        return anp.concatenate([anp.reshape(x, (-1,)) for x in leaves])

    def unpack(self, flat):
        if self.single:
            return flat
        leaves, start = [], 0
        for shape in self.shapes:
            n = int(np.prod(shape))
            leaves.append(anp.reshape(flat[start : start + n], shape))
            start += n
        return tree_unflatten(self.tree, leaves)


def _zeros_like(x):
    return np.zeros(
        shape_of(x), dtype=dtype_of(x) if np.issubdtype(dtype_of(x), np.floating) else float
    )


class custom_vjp:  # noqa: N801  (lower case, like the JAX decorator it mirrors)
    """Wrap ``f`` so that reverse mode uses your VJP: ``f.defvjp(f_fwd, f_bwd)``.

    ``f_fwd(*args) -> (out, residuals)`` runs forward and saves what the backward
    pass needs; ``f_bwd(residuals, ans_bar) -> tuple`` returns one cotangent per argument
    of ``f`` (``None`` for zero). Works in ``grad``, ``vjp``, ``jacrev``; forward mode
    (``jvp``, ``jacfwd``, ``hessian``) raises, as in JAX.
    """

    def __init__(self, f: Callable):
        functools.update_wrapper(self, f)
        self.f = f
        self.f_fwd = self.f_bwd = None

    def defvjp(self, f_fwd: Callable, f_bwd: Callable) -> None:
        self.f_fwd, self.f_bwd = f_fwd, f_bwd

    def __call__(self, *args):
        name = getattr(self.f, "__name__", "f")
        if self.f_fwd is None:
            raise TypeError(
                f"custom_vjp function '{name}' has no VJP rule yet: call "
                f"{name}.defvjp(f_fwd, f_bwd) before using it"
            )
        leaves, tree = tree_flatten(args)
        if not has_tracer(leaves):
            return self.f(*args)
        packer = OutputPacker(f"custom_vjp function '{name}'")
        saved = {}

        def impl(*plain):
            out, saved["res"] = self.f_fwd(*tree_unflatten(tree, list(plain)))
            return packer.pack(out)

        def vjp_all(ans_bar, ans, *vals):
            # Under nested derivatives the arguments are traced by outer traces: run
            # f_fwd again on them, so that the residuals carry those derivatives too.
            res = (
                self.f_fwd(*tree_unflatten(tree, list(vals)))[1]
                if has_tracer(vals)
                else saved["res"]
            )
            x_bars = self.f_bwd(res, packer.unpack(ans_bar))
            return self._check_cotangents(x_bars, args, vals, name)

        def no_jvp(*_):
            raise DifferentiationError(
                f"custom_vjp function '{name}' cannot be used in forward mode (jvp, jacfwd, "
                f"hessian): it only has a VJP rule, as in JAX. Use grad/vjp/jacrev, or define "
                f"it with ad.custom_jvp instead."
            )

        prim = function_primitive(f"custom_vjp[{name}]", impl, vjp=vjp_all, jvp=no_jvp)
        return packer.unpack(prim(*leaves))

    @staticmethod
    def _check_cotangents(x_bars, args, vals, name):
        if not isinstance(x_bars, (tuple, list)) or len(x_bars) != len(args):
            raise TypeError(
                f"custom_vjp function '{name}': f_bwd must return a tuple with one cotangent "
                f"per argument ({len(args)}), e.g. (x_bar,) for one argument; got {x_bars!r}"
            )
        out = []
        for i, (x_bar, arg) in enumerate(zip(x_bars, args)):
            arg_leaves, arg_tree = tree_flatten(arg)
            if x_bar is None:
                out.extend(_zeros_like(x) for x in arg_leaves)
                continue
            x_bar_leaves, x_bar_tree = tree_flatten(x_bar)
            if x_bar_tree != arg_tree:
                raise ValueError(
                    f"custom_vjp function '{name}': cotangent {i} from f_bwd has structure "
                    f"{x_bar_tree}, but argument {i} has structure {arg_tree}"
                )
            for c, x in zip(x_bar_leaves, arg_leaves):
                if shape_of(c) != shape_of(x):
                    raise ShapeMismatchError(
                        f"custom_vjp function '{name}': f_bwd returned a cotangent of shape "
                        f"{shape_of(c)} for argument {i} of shape {shape_of(x)}"
                    )
            out.extend(x_bar_leaves)
        return out


class custom_jvp:  # noqa: N801
    """Wrap ``f`` so that forward mode uses your JVP: ``f.defjvp(rule)``.

    ``rule(primals, tangents) -> (out, out_dot)``, both tuples with one entry per
    argument; ``out_dot`` must be linear in ``tangents``. Reverse mode transposes
    the rule, so ``grad`` and ``jacrev`` work too.

    >>> @custom_jvp
    ... def log1pexp(x):
    ...     return anp.log1p(anp.exp(x))
    >>> log1pexp.defjvp(lambda p, t: (log1pexp(p[0]), t[0] * ad.relax.sigmoid(p[0])))
    >>> print(ad.grad(log1pexp)(0.0), ad.jvp(log1pexp, (2.0,), (1.0,))[1].round(4))
    0.5 0.8808
    """

    def __init__(self, f: Callable):
        functools.update_wrapper(self, f)
        self.f = f
        self.rule = None

    def defjvp(self, rule: Callable) -> None:
        self.rule = rule

    def __call__(self, *args):
        name = getattr(self.f, "__name__", "f")
        if self.rule is None:
            raise TypeError(
                f"custom_jvp function '{name}' has no JVP rule yet: call {name}.defjvp(rule)"
            )
        leaves, tree = tree_flatten(args)
        if not has_tracer(leaves):
            return self.f(*args)
        packer = OutputPacker(f"custom_jvp function '{name}'")

        def tangent_out(vals, argnum, x_dot):
            dots = [x_dot if i == argnum else _zeros_like(v) for i, v in enumerate(vals)]
            return tangent_map(vals, dots)

        def tangent_map(vals, dots):
            result = self.rule(tree_unflatten(tree, list(vals)), tree_unflatten(tree, list(dots)))
            if not isinstance(result, (tuple, list)) or len(result) != 2:
                raise TypeError(
                    f"custom_jvp function '{name}': the rule must return (out, out_dot), "
                    f"got {type(result).__name__}"
                )
            return packer.pack_traced(result[1])

        def x_dot_to_ans_dot(argnum, x_dot, ans, *vals):
            return tangent_out(vals, argnum, x_dot)

        def vjp_all(ans_bar, ans, *vals):
            # The tangent map t -> ans_dot is linear: its VJP at any point (here 0) is
            # the transpose we need, for every argument at once.
            zeros = [_zeros_like(value_of(v)) for v in vals]
            _, pullback = vjp(lambda *dots: tangent_map(vals, dots), *zeros)
            return pullback(ans_bar)

        prim = function_primitive(
            f"custom_jvp[{name}]",
            lambda *plain: packer.pack(self.f(*tree_unflatten(tree, list(plain)))),
            vjp=vjp_all,
            jvp=x_dot_to_ans_dot,
        )
        return packer.unpack(prim(*leaves))
