"""Broadcasting and its transpose, un-broadcasting.

numpy broadcasting copies a value along new or length-1 axes:
``x + y`` with ``x.shape == (3,)`` and ``y.shape == (2, 3)`` uses ``x`` twice.
In reverse mode, a value used twice receives the *sum* of its cotangents, so
the cotangent of a broadcast value is summed back down to the value's shape::

    x.shape == (3,), g.shape == (2, 3)   ->   unbroadcast(g, x) == g.sum(axis=0)
    x.shape == (2, 1), g.shape == (2, 3) ->   unbroadcast(g, x) == g.sum(axis=1, keepdims=True)

``broadcast_to`` and ``sum_to`` are each other's transposes (their VJP rules
call each other), which is why grad-of-grad works through broadcasting.
"""

from __future__ import annotations

import numpy as np

from .. import domains
from ..core import Primitive, shape_of


def _sum_to_impl(x, shape):
    x = np.asarray(x)
    if x.shape == tuple(shape):
        return x
    lead = x.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and x.shape[lead + i] != 1
    )
    out = x.sum(axis=axes, keepdims=True)
    return out.reshape(shape)


broadcast_to = Primitive(
    "broadcast_to",
    lambda x, shape: np.broadcast_to(x, shape),
    jvps=(lambda x_dot, ans, x, shape: broadcast_to(x_dot, shape),),
    vjps=(lambda g, ans, x, shape: sum_to(g, shape_of(x)),),
    domains=(domains.REAL,),
    cases=[(((3,),), {"shape": (2, 3)}), (((2, 1),), {"shape": (2, 4)})],
    vjp_needs_inputs=False,
    vjp_needs_output=False,
)

sum_to = Primitive(
    "sum_to",
    _sum_to_impl,
    jvps=(lambda x_dot, ans, x, shape: sum_to(x_dot, shape),),
    vjps=(lambda g, ans, x, shape: broadcast_to(g, shape_of(x)),),
    domains=(domains.REAL,),
    cases=[(((2, 3),), {"shape": (3,)}), (((2, 4),), {"shape": (2, 1)})],
    vjp_needs_inputs=False,
    vjp_needs_output=False,
)


def unbroadcast(g, x):
    """Sum the cotangent ``g`` down to the shape of the argument ``x``.

    Fast path (measured: the ``scalar`` workload of ``make bench`` takes about 1.15x as long
    without it): two single numbers have nothing to sum, and every binary rule of a scalar
    program asks, so they skip the shape comparison.
    """
    if type(g) is np.float64 and type(x) in (float, np.float64):
        return g
    target = shape_of(x)
    if shape_of(g) == target:
        return g
    return sum_to(g, target)
