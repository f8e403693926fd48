"""Gradient checkpointing: trade compute for memory in reverse mode.

Reverse mode keeps every intermediate value of the forward pass until the
backward pass needs it, so memory grows with the length of the program. A
*checkpointed* function keeps only its inputs: its inside runs without a tape
during the forward pass, and runs again, this time recording, when the backward
pass reaches it (Griewank 1992; Chen et al. 2016, "Training deep nets with
sublinear memory cost").

For a loop of ``n`` steps cut into segments of ``k`` steps, the tape holds
``n / k`` segment inputs plus one segment's ``k`` steps at a time, so the memory
is ``O(n/k + k)``: ``O(sqrt n)`` for ``k = sqrt n``, for the price of one extra
forward pass.

>>> step = lambda x: anp.sin(x) + x
>>> f = lambda x: checkpointed_loop(step, x, n_steps=100)
>>> g_plain = ad.grad(lambda x: anp.sum(loop(step, x, 100)))(np.ones(3))
>>> bool(np.allclose(ad.grad(lambda x: anp.sum(f(x)))(np.ones(3)), g_plain))
True

How it works: each call with traced arguments binds a fresh function-level primitive
(:mod:`.function_primitive`, not in the table) whose implementation runs ``f`` on plain
values and whose VJP rule runs ``ad.vjp`` of ``f`` on the saved inputs, then pulls the
cotangent back.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np

from .core import dtype_of
from .custom import OutputPacker, _zeros_like, has_tracer
from .function_primitive import function_primitive
from .transforms import jvp, vjp
from .tree import tree_flatten, tree_unflatten

__all__ = ["checkpoint", "checkpointed_loop", "loop"]


def _is_float(x) -> bool:
    return np.issubdtype(dtype_of(x), np.floating)


def checkpoint(f: Callable) -> Callable:
    """``f`` unchanged in value; under reverse mode, its inside is recomputed in the
    backward pass instead of stored. Arguments and outputs may be pytrees."""
    name = getattr(f, "__name__", "f")

    @functools.wraps(f)
    def checkpointed(*args):
        leaves, tree = tree_flatten(args)
        if not has_tracer(leaves):
            return f(*args)
        packer = OutputPacker(f"checkpoint of '{name}'")
        floats = [i for i, x in enumerate(leaves) if _is_float(x)]

        def f_of_floats(vals):
            """f as a function of the float leaves only (integers stay constants)."""

            def f_floats(*float_vals):
                full = list(vals)
                for i, v in zip(floats, float_vals):
                    full[i] = v
                return packer.pack_traced(f(*tree_unflatten(tree, full)))

            return f_floats

        def vjp_all(ans_bar, ans, *vals):
            # One recomputation, this time on a tape, serves every argument.
            _, pullback = vjp(f_of_floats(vals), *[vals[i] for i in floats])
            x_bars = dict(zip(floats, pullback(ans_bar)))
            return [x_bars.get(i) if i in x_bars else _zeros_like(v) for i, v in enumerate(vals)]

        def x_dot_to_ans_dot(argnum, x_dot, ans, *vals):
            primals = tuple(vals[i] for i in floats)
            tangents = tuple(x_dot if i == argnum else _zeros_like(vals[i]) for i in floats)
            return jvp(f_of_floats(vals), primals, tangents)[1]

        prim = function_primitive(
            f"checkpoint[{name}]",
            lambda *plain: packer.pack(f(*tree_unflatten(tree, list(plain)))),
            vjp=vjp_all,
            jvp=x_dot_to_ans_dot,
        )
        return packer.unpack(prim(*leaves))

    return checkpointed


def loop(step: Callable, carry, n_steps: int):
    """``carry = step(carry)``, ``n_steps`` times: the plain loop, for comparison."""
    for _ in range(n_steps):
        carry = step(carry)
    return carry


def checkpointed_loop(step: Callable, carry, n_steps: int, every: int | None = None):
    """Run ``carry = step(carry)`` ``n_steps`` times, checkpointing every ``every``
    steps (default ``round(sqrt(n_steps))``); returns the final carry."""
    if not isinstance(n_steps, (int, np.integer)) or n_steps < 0:
        raise ValueError(f"checkpointed_loop: n_steps must be an integer >= 0, got {n_steps!r}")
    if every is None:
        every = max(1, round(math.sqrt(n_steps)))
    if not isinstance(every, (int, np.integer)) or every < 1:
        raise ValueError(
            f"checkpointed_loop: every must be a positive integer (steps per segment), "
            f"got {every!r}"
        )
    done = 0
    while done < n_steps:
        k = min(every, n_steps - done)
        segment = functools.partial(loop, step, n_steps=k)
        segment.__name__ = f"{getattr(step, '__name__', 'step')} x {k}"
        carry = checkpoint(segment)(carry)
        done += k
    return carry
