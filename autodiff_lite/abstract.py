"""What a non-numeric interpreter shows the rest of the library: a shape and a dtype.

The forward and reverse traces carry concrete numbers, so ``value_of(tracer)`` (which
strips every level of tracing) can hand a plain array to code that asks for one. Two
interpreters added later carry something else:

- ``vmap`` (:mod:`.batching`) carries a *batch* of values: the array inside has an extra
  axis that the function being vectorised must never see;
- staging (:mod:`.staging`) records a graph: its tracer stands for *every* input of a
  given shape and dtype, not for one value.

For those, the tracer's ``primal`` is an :class:`Abstract` stand-in. It answers what the
rest of the library legitimately asks of a value (``shape_of``, ``dtype_of``,
``np.zeros_like``), routes the non-differentiable primitives (comparisons, ``sign``,
``argmax``...) back to its trace, and refuses the rest with an error that says why:
``if x > 0:`` on a batched or staged value has no single answer.

Why the routing: ``core.bind`` evaluates a primitive marked ``differentiable=False``
directly on ``value_of`` of its arguments (a derivative trace has nothing to add to a
comparison). For an :class:`Abstract` argument, numpy then calls our ``__array_ufunc__``
or ``__array_function__`` with the primitive's numpy implementation, which we map back to
the primitive and hand to the trace that owns the value.
"""

from __future__ import annotations

import functools

import numpy as np

from .core import Tracer


class AbstractValueError(TypeError):
    """A concrete value was asked of a batched or staged value, which has none."""


@functools.cache
def _numpy_to_primitive() -> dict:
    """Non-differentiable primitives by their numpy implementation (np.greater -> greater).

    Built once, on first use (the table is complete by then), not on every numpy call."""
    from .primitives import REGISTRY  # (the table is built after the core)

    return {
        getattr(p.impl, "__wrapped__", p.impl): p for p in REGISTRY.values() if not p.differentiable
    }


class Abstract:
    """The shape and dtype of the value a tracer stands for, and nothing else.

    ``owner`` is the tracer; ``shape`` is the shape the traced function sees (for
    ``vmap``, one example's shape, without the batch axis).
    """

    __slots__ = ("owner", "shape", "dtype")
    __array_priority__ = 2000

    def __init__(self, owner: Tracer, shape: tuple, dtype):
        self.owner = owner
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))

    def __repr__(self) -> str:
        return f"Abstract({self.dtype}{list(self.shape)}, of {type(self.owner).__name__})"

    def _refuse(self, what: str):
        raise AbstractValueError(self.owner._trace.refusal(what))

    def __bool__(self):
        self._refuse("bool() of it (an `if`, `while`, `and`/`or` on a traced value)")

    def __array__(self, dtype=None, copy=None):
        self._refuse(
            "a concrete numpy array of it (np.asarray; or a derivative rule that reads "
            "values, as those of power, abs, maximum and max do today: write x * x for "
            "x ** 2 inside vmap(grad(...)))"
        )

    def _route(self, func, args, kwargs):
        prim = _numpy_to_primitive().get(func)
        if prim is None or kwargs:
            return None
        owners = [a.owner for a in args if isinstance(a, Abstract)]
        top = max(owners, key=lambda t: t._trace.level)._trace
        args = tuple(a.owner if isinstance(a, Abstract) else a for a in args)
        return top.process(prim, args, {})

    def __array_ufunc__(self, ufunc, method, *args, **kwargs):
        if method == "__call__":
            out = self._route(ufunc, args, kwargs)
            if out is not None:
                return out
        self._refuse(f"numpy.{ufunc.__name__} of it")

    def __array_function__(self, func, types, args, kwargs):
        if func in (np.zeros_like, np.ones_like) and not kwargs:
            return func(np.empty(self.shape, self.dtype))
        if func is np.shape:
            return self.shape
        if func is np.ndim:
            return self.ndim
        if func is np.size and not kwargs:
            return self.size
        if func is np.result_type and len(args) == 1:
            return self.dtype
        out = self._route(func, args, kwargs)
        if out is not None:
            return out
        self._refuse(f"numpy.{func.__name__} of it")


def unwrap_abstract(x):
    """The tracer behind an :class:`Abstract` stand-in; anything else unchanged."""
    return x.owner if isinstance(x, Abstract) else x
