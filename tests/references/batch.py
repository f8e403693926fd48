"""Everything but the primitive sweep, computed together: :class:`Batch`."""

from __future__ import annotations

import numpy as np

from .backends import OURS, case_seed, compare_results
from .composites import (
    COMPOSITES,
    SCALAR_COMPOSITES,
    VECTOR_COMPOSITES,
    composite_first_order,
    composite_inputs,
    composite_second_order,
    has_aux_results,
    vector_composite,
)
from .frameworks import tree_leaves
from .functions import (
    ANP_FUNCTIONS,
    FLOAT32_FUNCTIONS,
    POWER_AT_ZERO_EXPONENT,
    SINGULAR_POINTS,
    float32_composite,
    float32_function_inputs,
    float32_function_results,
    function_inputs,
    function_results,
    power_hessian_results,
    singular_results,
)


def batched(backend, items: dict) -> tuple[dict, dict]:
    """Compute ``results(backend, inputs)`` for every ``label: (results, inputs)`` in one
    ``bundle``; a label whose computation fails (e.g. cannot be traced) gets its exception
    in ``errors`` and the others are still computed."""
    errors = {}

    def fn(inputs):
        out = {}
        for label, (results, _) in items.items():
            try:
                out[label] = results(backend, inputs[label])
            except Exception as e:
                errors[label] = e
        return out

    try:
        return backend.bundle(fn, {label: inp for label, (_, inp) in items.items()}), errors
    except Exception as e:
        if len(items) == 1:
            return {}, {label: e for label in items}
    out = {}  # the batch failed as a whole (e.g. compiling): one by one, to isolate it
    for label, item in items.items():
        res, err = batched(backend, {label: item})
        out.update(res)
        errors.update(err)
    return out, errors


# --- everything but the primitive sweep, computed together ----------------------------------------


class Batch:
    """Named computations ``"group/name" -> (results(T, inputs), inputs)``.
    autodiff_lite's side is computed test by test; the reference side of a whole group
    at once, in one ``bundle``, when a test first asks for one of its members (for JAX:
    one compilation per group; XLA compiles one very large function more slowly than
    the same work in a few pieces)."""

    def __init__(self, backend, items: dict):
        self.backend, self.items = backend, items
        self._groups = {}

    def inputs(self, label):
        return self.items[label][1]

    def ours(self, label) -> dict:
        results, inputs = self.items[label]
        return results(OURS, inputs)

    def reference(self, label) -> dict:
        group = label.split("/")[0]
        if group not in self._groups:
            members = {k: v for k, v in self.items.items() if k.split("/")[0] == group}
            self._groups[group] = batched(self.backend, members)
        refs, errors = self._groups[group]
        if label in errors:
            raise errors[label]
        return refs[label]

    def check(self, label, alias=None, **extra):
        ours = self.ours(label)
        compare_results(self.backend, ours, self.reference(label), label, alias=alias, **extra)


def standard_items(backend) -> dict:
    """The composite functions, their float32 versions, the anp functions, float32
    functions, derivatives at singular points: everything the test files check besides
    the sweep of the primitives (fixed seeds, one per item)."""
    thorough = {"thorough": backend.thorough}
    items = {}

    def rng(*parts):
        return np.random.default_rng(case_seed(*parts))

    for name in SCALAR_COMPOSITES:
        c = COMPOSITES[name]
        items[f"first order/{name}"] = (
            lambda T, i, c=c: composite_first_order(T, c, i, **thorough),
            composite_inputs(c, rng("first order", name)),
        )
        items[f"second order/{name}"] = (
            lambda T, i, c=c: composite_second_order(T, c, i, **thorough),
            composite_inputs(c, rng("second order", name)),
        )
        inp = composite_inputs(c, rng("float32", name), np.float32)
        hessian = sum(np.size(a) for a in tree_leaves(inp["args"][0])) <= 12
        items[f"float32/{name}"] = (
            lambda T, i, c=c, h=hessian: float32_composite(T, c, i, backend.thorough, h),
            inp,
        )
    for name in VECTOR_COMPOSITES:
        c = COMPOSITES[name]
        items[f"vector/{name}"] = (
            lambda T, i, c=c: vector_composite(T, c, i),
            composite_inputs(c, rng("vector", name)),
        )
    c = COMPOSITES["mlp_loss"]
    items["has_aux/mlp_loss"] = (
        lambda T, i: has_aux_results(T, c, i),
        composite_inputs(c, rng("has_aux")),
    )
    items["tutorial/at [2, 3, -2]"] = (
        lambda T, x: {"value_and_grad": T.value_and_grad(COMPOSITES["tutorial"].for_ns(T.ns))(x)},
        np.array([2.0, 3.0, -2.0]),
    )
    items["nesting/grad of grad of grad"] = (
        scalar_nesting_results,
        [np.float64(0.3), np.float64(-1.2), np.float64(2.0)],
    )
    for name in ANP_FUNCTIONS:
        items[f"anp/{name}"] = (
            lambda T, i, n=name: function_results(T, n, i),
            function_inputs(name, rng("anp", name)),
        )
    for name in FLOAT32_FUNCTIONS:
        items[f"float32 function/{name}"] = (
            lambda T, i, n=name: float32_function_results(T, n, i),
            float32_function_inputs(name, rng("f32", name)),
        )
    for name, xy in POWER_AT_ZERO_EXPONENT.items():
        items[f"power at y = 0/{name}"] = (power_hessian_results, [np.float64(v) for v in xy])
    for name, (_, x0) in SINGULAR_POINTS.items():
        items[f"singular/{name}"] = (
            lambda T, x, n=name: singular_results(T, n, x),
            np.float64(x0),
        )
    return items


def scalar_nesting_results(T, xs) -> dict:
    """grad, grad(grad), grad(grad(grad)) of a scalar function at a few points."""

    def f(x):
        return T.ns.sin(x) * x**3 + T.ns.exp(-x * x) / (1.0 + x * x)

    out = {}
    for i, x in enumerate(xs):
        out[f"x{i}: grad"] = T.grad(f)(x)
        out[f"x{i}: grad(grad)"] = T.grad(T.grad(f))(x)
        out[f"x{i}: grad(grad(grad))"] = T.grad(T.grad(T.grad(f)))(x)
    return out
