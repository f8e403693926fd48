"""Primitives, traces and tracers: the machinery every transform shares.

A *primitive* is a numpy function whose derivatives we know: it carries its
implementation, one JVP rule and one VJP rule per argument, side by side.

A *trace* is one differentiation in progress (one call of ``jvp``, ``vjp``,
``grad``...). While it runs, the inputs are wrapped in *tracers*, objects that
look like arrays but remember the extra information the trace needs: a tangent
(forward mode) or a node of the tape (reverse mode).

Every differentiable operation goes through :func:`bind`. It looks at the
arguments, finds the tracer with the highest *level* (the innermost, most
recent trace) and lets that trace handle the call. The trace unwraps its own
tracers, calls ``bind`` again on the unwrapped values (so outer traces get their
turn), and wraps the result. Values from outer traces are constants to an
inner trace. That is how nested derivatives stay apart.

Walking through ``grad(grad(f))(x)`` with ``f(x) = x**3``:

1. The outer ``grad`` opens trace level 1 and wraps ``x`` in tracer ``a``.
2. The inner ``grad`` opens level 2 and wraps ``a`` in tracer ``b``.
3. ``b ** 3``: the highest level among the arguments is 2, so trace 2 records
   a tape node and calls ``bind(power, a, 3)``. Now the highest level is 1, so
   trace 1 records its own node and calls ``bind(power, x, 3)``, which is plain
   numpy: 8.0 when x = 2.
4. The inner ``grad`` runs its backward pass. The VJP rule of ``power``
   computes ``g * 3 * a**2`` with the library's own ops; ``a`` is a level-1
   tracer, so that computation is recorded on trace 1's tape.
5. The outer ``grad`` runs backward over trace 1's tape, which now contains the
   inner derivative: d/dx 3x**2 = 6x = 12.

Because each trace only unwraps tracers that belong to it, a derivative taken
inside another never leaks into the outer one (no "perturbation confusion").

Glossary (one name per idea, across the library):

- ``x`` an argument, ``ans`` a primitive's output; ``primal`` the value itself.
- ``x_dot`` a tangent (forward mode), ``ans_dot`` the output's tangent.
- ``x_bar`` a cotangent (reverse mode), ``ans_bar`` the output's cotangent. The rules of
  the primitive table call ``ans_bar`` simply ``g``: ``vjp(g, ans, *args)``.
- *trace*: one differentiation in progress (:class:`Trace`, one level of the stack);
  *tracer*: a value inside it (:class:`Tracer`); *tape*: the list of nodes that a
  reverse-mode trace records (:mod:`.reverse`); *trace table*: Baydin et al.'s tabular
  view of a tape (:mod:`.trace_tables`), a drawing, not a trace.
- *primitive*: an operation with known derivative rules (:class:`Primitive`); the
  *table* ``ad.REGISTRY``: the library's primitives (:mod:`.primitives`); a
  *function-level primitive*: a whole function with whole-function rules
  (:mod:`.function_primitive`: custom rules, checkpointing, implicit differentiation).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np

from .errors import DifferentiationError, EscapedTracerError

ZERO = "zero"
"""Marks an argument with respect to which a primitive has zero derivative."""


class Primitive:
    """A numpy function with its derivative rules.

    ``impl(*args, **params)`` is the numpy implementation. ``jvps`` holds one rule
    per argument, ``rule(x_dot, ans, *args, **params)``, giving that argument's
    contribution to the output tangent ``ans_dot``. ``vjps`` holds one rule per argument,
    ``rule(g, ans, *args, **params)``, giving the cotangent ``x_bar`` of that argument
    from the output's cotangent ``g`` (``ans_bar``). A rule
    may be :data:`ZERO`. ``domains`` says where tests should sample each argument
    (see :mod:`autodiff_lite.domains`); ``cases`` lists shapes and params to test.

    Variadic primitives (``concatenate``, ``einsum``) give ``jvps``/``vjps`` as a
    function of the argument number instead of a tuple. Making a primitive has no side
    effect: the library's table, ``ad.REGISTRY``, is collected from the family modules
    (see :mod:`autodiff_lite.primitives`).

    What the backward pass reads. ``vjp_needs_inputs=False`` promises that the VJP rules
    read only the *shapes and dtypes* of the arguments, never their values (``add``,
    ``reshape``, ``sum``: linear maps that only move or sum the cotangent);
    ``vjp_needs_output=False`` promises the same of ``ans`` (``matmul``, ``multiply``).
    Reverse mode then keeps a small :class:`~autodiff_lite.reverse.ShapeOnly` stand-in on
    the tape instead of the array, which can be freed during the forward pass (PyTorch's
    operations likewise save for backward only the tensors their formula uses).
    """

    __slots__ = (
        "name",
        "impl",
        "jvps",
        "vjps",
        "differentiable",
        "domains",
        "cases",
        "vjp_needs_inputs",
        "vjp_needs_output",
    )

    def __init__(
        self,
        name: str,
        impl: Callable,
        jvps=None,
        vjps=None,
        *,
        differentiable: bool = True,
        domains=None,
        cases=None,
        vjp_needs_inputs: bool = True,
        vjp_needs_output: bool = True,
    ):
        self.name = name
        self.impl = impl
        self.jvps = jvps
        self.vjps = vjps
        self.differentiable = differentiable
        self.domains = domains
        self.cases = cases
        self.vjp_needs_inputs = vjp_needs_inputs
        self.vjp_needs_output = vjp_needs_output

    def __call__(self, *args, **params):
        return bind(self, args, params)

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"

    def jvp_rule(self, argnum: int):
        return self._rule(self.jvps, argnum, "JVP (forward mode)", "jvps")

    def vjp_rule(self, argnum: int):
        rules = self.vjps
        if type(rules) is tuple and rules[argnum] is not None:
            return rules[argnum]  # fast path: the usual tuple (the backward pass asks often)
        return self._rule(rules, argnum, "VJP (reverse mode)", "vjps")

    def _rule(self, rules, argnum, mode, field):
        if rules is None:
            raise DifferentiationError(
                f"primitive '{self.name}' has no {mode} rule, so it cannot be "
                f"differentiated. Give it one: Primitive('{self.name}', impl, "
                f"{field}=(...one rule per argument...)), or wrap the function with "
                f"ad.custom_vjp / use ad.stop_gradient if its derivative is not needed."
            )
        rule = rules(argnum) if callable(rules) else rules[argnum]
        if rule is None:
            raise DifferentiationError(
                f"primitive '{self.name}' cannot be differentiated with respect to "
                f"argument {argnum} in {mode}."
            )
        return rule


# ----------------------------------------------------------------------------
# Traces and the trace stack
# ----------------------------------------------------------------------------


class Trace:
    """One differentiation in progress. Subclasses say what a primitive call does."""

    __slots__ = ("level", "active")

    def __init__(self, level: int):
        self.level = level
        self.active = True

    def process(self, prim: Primitive, args: tuple, params: dict):
        raise NotImplementedError

    def owns(self, x) -> bool:
        """Is ``x`` a tracer of this very trace (not of an outer or a dead one)?"""
        if isinstance(x, Tracer):
            if x._trace is self:
                return True
            if x._trace.level == self.level:
                raise EscapedTracerError(_ESCAPED)
        return False


_ESCAPED = (
    "a traced value from a finished differentiation was used in a new one. This "
    "happens when a function stores a traced intermediate (in a global, a list or "
    "an object attribute) and it is used after grad/jvp/vjp returned. Return values "
    "from the differentiated function instead of storing them."
)

_trace_stack: list[Trace] = []


@contextmanager
def new_trace(kind: type[Trace]) -> Iterator[Trace]:
    """A context manager: open a trace one level above every trace already running.

    ``with new_trace(ReverseTrace) as trace:`` runs its block with ``trace`` on top of the
    stack; on exit the trace is popped and marked finished, so a tracer that escapes it is
    caught the next time it is used (see :data:`_ESCAPED`).
    """
    trace = kind(len(_trace_stack) + 1)
    _trace_stack.append(trace)
    try:
        yield trace
    finally:
        _trace_stack.pop()
        trace.active = False


def bind(prim: Primitive, args: tuple, params: dict):
    """Apply ``prim``: plain numpy if no argument is traced, else let the top trace run it."""
    top = None
    for x in args:
        if isinstance(x, Tracer) and (top is None or x._trace.level > top.level):
            top = x._trace
    if top is None:
        return prim.impl(*args, **params)
    if not prim.differentiable or not _differentiating[-1]:
        # Comparisons, sign, floor... (derivative zero everywhere), or any primitive inside
        # `with no_grad():`: the result is a constant to every trace, returned untraced.
        return prim.impl(*[value_of(x) for x in args], **params)
    if not top.active:
        raise EscapedTracerError(_ESCAPED)
    return top.process(prim, args, params)


_differentiating = [True]  # the top says whether bind records anything (see no_grad)


@contextmanager
def no_grad() -> Iterator[None]:
    """A context manager that turns differentiation off inside its block.

    Every primitive applied inside the block gives a plain, untraced value: a constant to
    every trace (``grad``, ``jvp``, ``vjp``...) and to ``Tensor.backward`` alike, as if
    :func:`~autodiff_lite.stop_gradient` wrapped each result (PyTorch's ``torch.no_grad``).

    >>> def f(x):
    ...     with no_grad():
    ...         scale = x * x   # a constant: no derivative flows through it
    ...     return scale * x
    >>> print(ad.grad(f)(3.0))  # d/dx (9 x) at x = 3, not d/dx x**3 = 27
    9.0
    """
    _differentiating.append(False)
    try:
        yield
    finally:
        _differentiating.pop()


def value_of(x):
    """Strip every level of tracing: the plain numpy value inside ``x``."""
    while isinstance(x, Tracer):
        x = x.primal
    return x


def shape_of(x) -> tuple:
    """The shape of ``x``, traced or not (``()`` for Python scalars)."""
    v = value_of(x)
    s = getattr(v, "shape", None)
    return s if s is not None else np.shape(v)


def dtype_of(x) -> np.dtype:
    """The dtype of ``x``, traced or not (float64 for a Python float)."""
    v = value_of(x)
    d = getattr(v, "dtype", None)
    return d if d is not None else np.result_type(v)


# The tracer's array interface (``ArrayMethods``) calls primitives, and the primitive
# families are declared with the machinery above, so they are imported last.
from .operators import ArrayMethods  # noqa: E402


class Tracer(ArrayMethods):
    """A value being traced: it looks like a numpy array to the user's code.

    Subclasses (one per kind of trace) hold what their trace needs, and give ``primal``,
    the value one level down. The array interface (``x * y``, ``x @ W``, ``x[0]``,
    ``x.sum()``, numpy interop and its refusals) is the class body of
    :class:`~autodiff_lite.operators.ArrayMethods`, which every tracer inherits.
    """

    __slots__ = ("_trace",)

    @property
    def primal(self):
        raise NotImplementedError
