"""Function-level primitives: a whole function treated as one operation of the table.

``custom_vjp``, ``custom_jvp``, ``checkpoint`` and ``fixed_point`` all do the same thing:
they take a function of several array arguments, run it on plain values, and give the
traces *one rule for the whole function* instead of letting them see its inside. This
module is that one mechanism.

A library primitive has one VJP rule per argument (``sin``, ``multiply``: each rule is
a formula). A function-level rule computes the cotangents of *all* arguments at once,
because they share the expensive part (a recomputation, a linear solve, the user's
``f_bwd``). :func:`function_primitive` turns such a rule into the per-argument rules the
backward pass calls, and runs it once per visit of the node, not once per argument.

The invariant that makes this correct, checked here rather than assumed: the backward
pass asks a node for the cotangents of its arguments one after the other, with the same
output cotangent ``ans_bar`` and the same argument values. So the rule's answer is kept
together with the objects it was computed from, and reused only when *the very same*
objects come back (compared with ``is``: arrays are never compared by value); anything
else computes it again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .core import Primitive

__all__ = ["function_primitive"]


def function_primitive(
    name: str,
    impl: Callable,
    *,
    vjp: Callable[..., Sequence] | None = None,
    jvp: Callable | None = None,
) -> Primitive:
    """A primitive for a whole function, with whole-function rules.

    - ``impl(*args)`` computes the function on plain values;
    - ``vjp(ans_bar, ans, *args)`` returns one cotangent per argument (the whole VJP);
    - ``jvp(argnum, x_dot, ans, *args)`` returns the output tangent that the tangent
      ``x_dot`` of argument ``argnum`` contributes (forward mode sums the contributions).

    A mode without a rule raises the primitive's usual error when it is needed.

    >>> def double_vjp(ans_bar, ans, x):
    ...     return [2 * ans_bar]
    >>> double = function_primitive("double", lambda x: 2 * x, vjp=double_vjp)
    >>> print(ad.grad(double)(3.0))
    2.0
    """
    vjp_rule = None if vjp is None else _per_argument(vjp)
    jvp_rule = None if jvp is None else (lambda argnum: _bind_argnum(jvp, argnum))
    return Primitive(name, impl, jvps=jvp_rule, vjps=vjp_rule)


def _bind_argnum(jvp: Callable, argnum: int) -> Callable:
    def rule(x_dot, ans, *args):
        return jvp(argnum, x_dot, ans, *args)

    return rule


def _per_argument(vjp: Callable[..., Sequence]) -> Callable[[int], Callable]:
    """One rule per argument, all answered by one call of ``vjp`` (see the invariant)."""
    last: dict = {}  # "inputs": the objects of the last call; "x_bars": its answer

    def x_bars(ans_bar, ans, args):
        seen = last.get("inputs")
        inputs = (ans_bar, ans, *args)
        if (
            seen is None
            or len(seen) != len(inputs)
            or any(a is not b for a, b in zip(seen, inputs))
        ):
            x_bars = list(vjp(ans_bar, ans, *args))
            if len(x_bars) != len(args):
                raise TypeError(
                    f"a whole-function VJP must return one cotangent per argument "
                    f"({len(args)}), got {len(x_bars)}"
                )
            last["inputs"], last["x_bars"] = inputs, x_bars
        return last["x_bars"]

    def rule_for(argnum: int) -> Callable:
        def rule(ans_bar, ans, *args):
            return x_bars(ans_bar, ans, args)[argnum]

        return rule

    return rule_for
