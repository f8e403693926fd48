"""Forward mode: push tangents through the program alongside the values.

A :class:`JVPTracer` is a dual number generalised to arrays: a primal value and
its tangent, the directional derivative along the direction the user chose.
Each primitive updates the pair with its JVP rules:
``(x, x_dot) -> (f(x), f'(x) x_dot)``. An argument with no tangent contributes
nothing, so its rule is skipped (symbolic zero).
"""

from __future__ import annotations

from .core import ZERO, Primitive, Trace, Tracer, bind, dtype_of, shape_of
from .errors import ShapeMismatchError
from .primitives.broadcasting import broadcast_to
from .primitives.shapes import astype


class JVPTracer(Tracer):
    """A value with its tangent, inside one forward-mode trace."""

    __slots__ = ("_primal", "tangent")

    def __init__(self, trace: JVPTrace, primal, tangent):
        self._trace = trace
        self._primal = primal
        self.tangent = tangent

    @property
    def primal(self):
        return self._primal

    def __repr__(self) -> str:
        return f"JVPTracer(primal={self._primal!r}, tangent={self.tangent!r})"


class JVPTrace(Trace):
    __slots__ = ()

    def process(self, prim: Primitive, args: tuple, params: dict):
        primals = []
        tangents = []
        for x in args:
            if self.owns(x):
                primals.append(x._primal)
                tangents.append(x.tangent)
            else:
                primals.append(x)
                tangents.append(None)
        ans = bind(prim, primals, params)
        out_dot = None
        for argnum, x_dot in enumerate(tangents):
            if x_dot is None:
                continue
            rule = prim.jvp_rule(argnum)
            if rule is ZERO:
                continue
            term = rule(x_dot, ans, *primals, **params)
            out_dot = term if out_dot is None else out_dot + term
        if out_dot is None:
            return ans
        return JVPTracer(self, ans, fit_to(out_dot, ans, prim))


def fit_to(term, like, prim=None):
    """Give a tangent the shape and dtype of the value it belongs to.

    A JVP rule may return a tangent that still needs broadcasting: in ``x + y``
    with ``x`` of shape (3,) and ``y`` of shape (2, 3), the tangent ``x_dot``
    alone has shape (3,) but the output has shape (2, 3).
    """
    shape, dtype = shape_of(like), dtype_of(like)
    term_shape = shape_of(term)
    if term_shape != shape:
        try:
            term = broadcast_to(term, shape)
        except ValueError as e:
            name = prim.name if prim is not None else "?"
            raise ShapeMismatchError(
                f"the JVP rule of '{name}' returned shape {term_shape}, "
                f"which does not broadcast to the output shape {shape}"
            ) from e
    if dtype_of(term) != dtype:
        term = astype(term, dtype)
    return term
