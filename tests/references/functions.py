"""anp functions that are not primitives, float32 functions, derivatives at singular
points."""

from __future__ import annotations

import numpy as np

from .composites import Composite
from .namespaces import ANP

# --- float32 ----------------------------------------------------------------------------------

# anp functions (most are not primitives, or are several) and reductions with their
# defaults: float32 in must give float32 values, tangents and gradients out.
FLOAT32_FUNCTIONS = {
    "exp": lambda ns, x: ns.exp(x),
    "tanh": lambda ns, x: ns.tanh(x),
    "sqrt": lambda ns, x: ns.sqrt(x * x + 1.0),
    "square": lambda ns, x: ns.square(x),
    "reciprocal": lambda ns, x: ns.reciprocal(x * x + 1.0),
    "log10": lambda ns, x: ns.log10(x * x + 1.0),
    "log2": lambda ns, x: ns.log2(x * x + 1.0),
    "exp2": lambda ns, x: ns.exp2(x),
    "power": lambda ns, x: (x * x + 1.0) ** 1.5,
    "mean": lambda ns, x: ns.mean(x, axis=0),
    "var": lambda ns, x: ns.var(x, axis=0),
    "std": lambda ns, x: ns.std(x, axis=0),
    "max": lambda ns, x: ns.max(x, axis=1),
    "logsumexp": lambda ns, x: ns.logsumexp(x, axis=1),
    "norm": lambda ns, x: ns.norm(x, axis=1),
    "cumsum": lambda ns, x: ns.cumsum(x, axis=1),
    "clip": lambda ns, x: ns.clip(x, -0.5, 0.5),
    "matmul": lambda ns, x: x @ x.T,
    "astype(float64)": lambda ns, x: ns.sin(ns.astype(x, np.float64)),  # float64 out, float32 grad
}


def float32_function_results(T, name, inp) -> dict:
    fn = FLOAT32_FUNCTIONS[name]
    x, u = inp["x"], inp["u"]

    def f(x):
        return T.sum(fn(T.ns, x) * u)

    return {
        "value": fn(T.ns, x),
        "value_and_grad": T.value_and_grad(f)(x),
        "jvp": T.jvp(f, (x,), (inp["t"],)),
    }


def float32_function_inputs(name, rng) -> dict:
    x = rng.uniform(-1.5, 1.5, (3, 4)).astype(np.float32)
    y = np.asarray(FLOAT32_FUNCTIONS[name](ANP, x.astype(np.float64)))
    return dict(
        x=x,
        u=rng.standard_normal(y.shape).astype(np.float32),
        t=rng.standard_normal(x.shape).astype(np.float32),
    )


def float32_composite(T, comp: Composite, inp, thorough: bool, hessian: bool) -> dict:
    f, a = comp.for_ns(T.ns), tuple(inp["args"])
    out = {"value_and_grad": T.value_and_grad(f)(*a)}
    if thorough:
        out["jvp"] = T.jvp(f, a, tuple(inp["t"]))
    if thorough and hessian:
        out["hessian"] = T.hessian(f)(*a)
    return out


# --- numpy-compatible functions that are not primitives ------------------------------------------

# anp functions built from primitives: their shapes and conventions must be numpy's (and
# so JAX's and PyTorch's). Each takes ns and x of shape (3, 4).
_ZERO_COLUMN = np.array([1.0, 0.0, 1.0, 1.0])
ANP_FUNCTIONS = {
    "inner (1-D)": lambda ns, x: ns.inner(x[0], x[1]),
    "inner (2-D)": lambda ns, x: ns.inner(x, 2.0 * x),
    "outer": lambda ns, x: ns.outer(x[0], x[1, :3]),
    "vdot (flattens)": lambda ns, x: ns.vdot(x, 2.0 * x),
    "dot (matrix, vector)": lambda ns, x: ns.dot(x, x[0]),
    "dot (matrix, matrix)": lambda ns, x: ns.dot(x, x.T),
    "trace": lambda ns, x: ns.trace(x[:, :3] * x[:, 1:]),
    "diff": lambda ns, x: ns.diff(x, axis=0) ** 2,
    "flip": lambda ns, x: ns.flip(x, axis=1) * x,
    "moveaxis": lambda ns, x: ns.moveaxis(ns.reshape(x, (3, 2, 2)), 0, -1),
    "expand_dims, squeeze": lambda ns, x: ns.squeeze(ns.expand_dims(x, 1), 1) * x,
    "var (ddof=1)": lambda ns, x: ns.var(x, axis=0, ddof=1),
    "std": lambda ns, x: ns.std(x, axis=1),
    "norm (ord=1)": lambda ns, x: ns.norm(x[0], ord=1),
    "norm (ord=inf)": lambda ns, x: ns.norm(x[0], ord=np.inf),
    "norm (Frobenius)": lambda ns, x: ns.norm(x),
    "cumsum (flattened)": lambda ns, x: ns.cumsum(x),
    "clip (lower bound only)": lambda ns, x: ns.clip(x, -0.5, None),
    "clip (upper bound only)": lambda ns, x: ns.clip(x, None, 0.5),
    "stack (axis=-1)": lambda ns, x: ns.stack([x, 2.0 * x], axis=-1),
    "concatenate (axis=None)": lambda ns, x: ns.concatenate([x, x[:1]], axis=None),
    "reshape (-1)": lambda ns, x: ns.reshape(x, (-1, 2)) ** 2,
    "transpose (negative axes)": lambda ns, x: ns.transpose(ns.reshape(x, (3, 2, 2)), (-1, 0, 1)),
    "swapaxes": lambda ns, x: ns.swapaxes(ns.reshape(x, (3, 2, 2)), 0, 2),
    "einsum (implicit output)": lambda ns, x: ns.einsum("ij,kj", x, x),
    "matmul (broadcast batch)": lambda ns, x: ns.matmul(
        ns.reshape(x, (3, 1, 1, 4)), ns.reshape(ns.concatenate([x, x], axis=0), (2, 4, 3))
    ),
    "x[None, ..., 1:3]": lambda ns, x: x[None, ..., 1:3] * 2.0,
    "x[::-1, ::-2]": lambda ns, x: ns.take(x, (slice(None, None, -1), slice(None, None, -2))),
    "x[boolean mask]": lambda ns, x: ns.take(x, (np.array([True, False, True]),)),
    "x[int array, int array] (broadcast)": lambda ns, x: ns.take(
        x, (np.array([[0], [2]]), np.array([1, 3]))
    ),
    "x[int array, slice]": lambda ns, x: ns.take(x, (np.array([0, 2, 2]), slice(1, 3))),
    "where (scalar branches)": lambda ns, x: ns.where(x > 0, x, 0.0) + ns.where(x > 0.5, 1.0, x),
    "array([...traced values...])": lambda ns, x: ns.array([x[0, 0], 2.0 * x[1, 1], 3.0]),
    "iterating over rows": lambda ns, x: sum(r * r for r in x),
    "logsumexp (all axes)": lambda ns, x: ns.logsumexp(x),
    "mean (keepdims)": lambda ns, x: ns.mean(x, keepdims=True),
    "amin": lambda ns, x: ns.amin(x, axis=0),
    "prod (with a zero)": lambda ns, x: ns.prod(x * ns.const(_ZERO_COLUMN, like=x), axis=1),
    "sign, floor, floor_divide inside": lambda ns, x: (
        ns.sign(x) * x + ns.floor(x) * x + ns.floor_divide(x, 0.7) * x
    ),
    "powers (x**3, 2**x)": lambda ns, x: x**3 + 2.0**x,
    "square, reciprocal": lambda ns, x: ns.square(x) + ns.reciprocal(x + 3.0),
    "log10, log2, exp2": lambda ns, x: ns.log10(x * x + 1.0) + ns.log2(x * x + 2.0) + ns.exp2(x),
}


def function_inputs(name, rng) -> dict:
    return dict(x=rng.uniform(-2, 2, (3, 4)), t=rng.standard_normal((3, 4)))


def function_results(T, name, inp) -> dict:
    """Value, JVP and VJP of one of ANP_FUNCTIONS (the cotangent 1 + y is built from each
    side's own output y, so that a wrong output shape shows as such, not as a VJP error)."""
    fn = ANP_FUNCTIONS[name]

    def f(x):
        return fn(T.ns, x)

    x = inp["x"]
    y, pullback = T.vjp(f, x)
    return {"value": f(x), "jvp": T.jvp(f, (x,), (inp["t"],)), "vjp": pullback(1.0 + y)}


# --- derivatives at singular points ---------------------------------------------------------------

# Where a derivative is infinite (or nan), the library, like JAX, follows IEEE arithmetic:
# d/dx log(x) at 0 is inf, not an exception. x0 is given as a Python float, a numpy scalar
# and a 0-d array: JAX treats the three alike.
SINGULAR_POINTS = {
    "log at 0": (lambda ns, x: ns.log(x), 0.0),
    "log1p at -1": (lambda ns, x: ns.log1p(x), -1.0),
    "sqrt at 0": (lambda ns, x: ns.sqrt(x), 0.0),
    "x ** 0.5 at 0": (lambda ns, x: x**0.5, 0.0),
    "x ** -1.0 at 0": (lambda ns, x: x**-1.0, 0.0),
    "1 / x at 0": (lambda ns, x: 1.0 / x, 0.0),
    "arcsin at 1": (lambda ns, x: ns.arcsin(x), 1.0),
    "arctan2(x, 0) at 0": (lambda ns, x: ns.arctan2(x, 0.0), 0.0),
}
SCALAR_KINDS = {
    "python float": float,
    "numpy float64": np.float64,
    "0-d array": lambda v: np.array(v, dtype=np.float64),
}


# Points where a convention for a singular case must not leak into its neighbours: the
# Hessian of x ** y at y == 0 (x > 0: smooth there; d/dy d/dx x**y = 1/x). (PyTorch has
# the same flaw as the library here, so these are checked against JAX only.)
POWER_AT_ZERO_EXPONENT = {
    "x ** y at (1, 0)": (1.0, 0.0),
    "x ** y at (2, 0)": (2.0, 0.0),
    "x ** y at (0.5, 0)": (0.5, 0.0),
}


def power_hessian_results(T, xy):
    x, y = xy
    return {"hessian": T.hessian(lambda x, y: x**y, argnums=(0, 1))(x, y)}


def singular_results(T, name, x):
    fn, _ = SINGULAR_POINTS[name]
    return {"grad": T.grad(lambda v: fn(T.ns, v))(x)}
