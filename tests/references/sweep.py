"""The sweep of every primitive (cases sampled from the table, results on both sides),
the registry it sweeps, and the Hypothesis families of primitives."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

import autodiff_lite as ad
from autodiff_lite import domains

from .backends import OURS, case_seed, compare_results
from .batch import batched
from .frameworks import SECOND_ORDER, random_like

# The primitives the library declares: the table that the tests sweep. ``ad.REGISTRY`` is
# built explicitly from the family modules (autodiff_lite.primitives.FAMILIES), so
# primitives that tests declare for themselves never enter it.
LIBRARY_PRIMITIVES = dict(ad.REGISTRY)


# The value range of each sampling domain of autodiff_lite.domains (NONZERO is handled
# apart: magnitudes in [0.5, 2] with random signs). A primitive whose domain is not here
# (WELL_CONDITIONED, BOOL) is not in the Hypothesis families.
DOMAIN_RANGES = {
    domains.REAL: (-2.0, 2.0),
    domains.POSITIVE: (0.5, 2.0),
    domains.INSIDE_UNIT: (-0.8, 0.8),
    domains.ABOVE_MINUS_ONE: (-0.5, 2.0),
}


def _array_domain(d):
    return d in DOMAIN_RANGES or d is domains.NONZERO


def arrays_in(domain, shape):
    """A Hypothesis strategy for float64 arrays of ``shape`` inside a library domain."""
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp

    if domain is domains.NONZERO:
        mags = hnp.arrays(np.float64, shape, elements=st.floats(0.5, 2.0))
        signs = hnp.arrays(np.bool_, shape)
        return st.tuples(mags, signs).map(lambda p: np.asarray(np.where(p[1], -p[0], p[0])))
    lo, hi = DOMAIN_RANGES[domain]
    return hnp.arrays(np.float64, shape, elements=st.floats(lo, hi, allow_subnormal=False))


def _shape_ok(fn, *shapes, expect):
    try:
        return np.shape(fn(*[np.full(s, 0.75) for s in shapes])) == expect
    except Exception:
        return False


def unary_family(primitives) -> list[str]:
    """Differentiable elementwise functions of one array: one argument, no params,
    output shaped like the input."""
    return sorted(
        name
        for name, p in primitives.items()
        if p.differentiable
        and p.cases
        and p.domains
        and _array_domain(p.domains[0])
        and all(len(shapes) == 1 and not params for shapes, params in p.cases)
        and _shape_ok(p.impl, (2, 3), expect=(2, 3))
        and _shape_ok(p.impl, (), expect=())
    )


def binary_family(primitives) -> list[str]:
    """Differentiable elementwise functions of two arrays, with numpy broadcasting."""
    return sorted(
        name
        for name, p in primitives.items()
        if p.differentiable
        and p.cases
        and p.domains
        and len(p.domains) == 2
        and all(_array_domain(d) for d in p.domains)
        and all(len(shapes) == 2 and not params for shapes, params in p.cases)
        and _shape_ok(p.impl, (3,), (2, 3), expect=(2, 3))
        and _shape_ok(p.impl, (2, 1), (1, 3), expect=(2, 3))
    )


def reduction_family(primitives) -> list[str]:
    """Differentiable reductions with params (axis, keepdims)."""
    return sorted(
        name
        for name, p in primitives.items()
        if p.differentiable
        and p.cases
        and all(set(params) == {"axis", "keepdims"} for _, params in p.cases)
    )


# --- primitives -----------------------------------------------------------------------------


@dataclass
class PrimCase:
    """One call of a primitive: its arguments (all numpy), which of them are
    differentiated, and the random directions (tangents, cotangents) to use."""

    name: str
    prim: Any
    params: dict
    args: list
    diff: list  # positions of the differentiable (float) arguments
    inputs: dict = field(default_factory=dict)
    k: int = 0  # which case of the primitive's table

    @property
    def diff_args(self):
        return [self.args[i] for i in self.diff]

    def function(self, T):
        """The primitive (T = OURS) or its reference, as a function of the differentiable
        arguments; the others are constants on T's device."""
        ref = self.prim if T is OURS else T.ref(self.name)
        consts = T.put(self.args)

        def f(*d):
            full = list(consts)
            for i, v in zip(self.diff, d):
                full[i] = v
            return ref(*full, **self.params)

        return f


def make_case(name, prim, args, params=None) -> PrimCase:
    args = [np.asarray(a) for a in args]
    diff = [i for i, a in enumerate(args) if a.dtype.kind == "f"]
    return PrimCase(name, prim, params or {}, args, diff)


def with_directions(case: PrimCase, rng) -> PrimCase:
    """Draw the tangents t, second tangents w, output cotangent ct and contraction u."""
    d = case.diff_args
    y = np.asarray(case.prim(*case.args, **case.params))
    like_y = lambda: np.asarray(rng.standard_normal(y.shape), dtype=y.dtype)  # noqa: E731
    case.inputs = dict(d=d, t=random_like(rng, d), w=random_like(rng, d), ct=like_y(), u=like_y())
    return case


def primitive_cases(primitives: dict, differentiable: bool):
    return [
        (name, k)
        for name, prim in sorted(primitives.items())
        if prim.differentiable == differentiable
        for k in range(len(prim.cases or []))
    ]


def sample_case(primitives, name, k, rng) -> PrimCase:
    prim = primitives[name]
    shapes, params = prim.cases[k]
    args = [prim.domains[i](rng, s) for i, s in enumerate(shapes)]
    return make_case(name, prim, args, params)


def primitive_results(
    T, case: PrimCase, inp, second_order=SECOND_ORDER, hessian_max_size=12
) -> dict:
    """Value, JVP, VJP; and the second-order checks named in ``second_order``: the JVP of
    the VJP (forward-over-reverse), the VJP of the VJP (reverse-over-reverse), the Hessian
    of sum(u * f) (when the inputs are small)."""
    f = case.function(T)
    d, t, ct = tuple(inp["d"]), tuple(inp["t"]), inp["ct"]
    out = {"value": f(*d), "jvp": T.jvp(f, d, t)}
    y, pullback = T.vjp(f, *d)
    out["vjp"] = (y, pullback(ct))

    def pulled(*dd):
        return T.vjp(f, *dd)[1](ct)

    if "jvp_of_vjp" in second_order:
        out["jvp_of_vjp"] = T.jvp(pulled, d, t)[1]
    if "vjp_of_vjp" in second_order:
        out["vjp_of_vjp"] = T.vjp(pulled, *d)[1](tuple(inp["w"]))
    if "hessian" in second_order and sum(np.size(a) for a in case.diff_args) <= hessian_max_size:
        u = inp["u"]
        argnums = tuple(range(len(d)))
        out["hessian"] = T.hessian(lambda *dd: T.sum(u * f(*dd)), argnums=argnums)(*d)
    return out


def value_only_case(primitives, name, k) -> PrimCase:
    """A non-differentiable primitive with arguments that exercise its edge cases (zeros,
    exact halves for rounding, ties between the two arguments, nan and inf)."""
    from . import REFERENCES  # the table, merged in __init__ from the family modules

    rng = np.random.default_rng(case_seed(name, k))
    prim = primitives[name]
    shape = prim.cases[k][0][0]
    halves = rng.integers(-4, 5, size=shape) / 2.0  # ..., -0.5, 0, 0.5, 1, 1.5, ...
    x = np.where(rng.uniform(size=shape) < 0.5, halves, rng.uniform(-2, 2, shape))
    if name == "argsort":  # numpy's default sort is not stable: use distinct values
        x = rng.permutation(max(np.size(x), 1))[: np.size(x)].reshape(shape) * 1.0
    if name in ("isfinite", "isnan"):
        x = np.where(rng.uniform(size=shape) < 0.3, np.nan, x)
        x = np.where(rng.uniform(size=shape) < 0.3, -np.inf, x)
    args = [x]
    if REFERENCES[name].arity == 2:
        if name == "floor_divide":
            args.append(domains.NONZERO(rng, shape))
        else:
            args.append(np.where(rng.uniform(size=shape) < 0.4, x, rng.uniform(-2, 2, shape)))
    case = make_case(name, prim, args)
    case.diff = []
    out = np.asarray(prim(*case.args))
    case.inputs = {"args": case.args}
    if out.dtype.kind == "f" and len(args) == 1 and np.all(np.isfinite(x)):
        # Inside a derivative it is a constant: d/dx [p(x) * x] = p(x) (so for
        # stop_gradient, x and not 2x). Compare the JVP and VJP of x -> p(x) * x.
        case.inputs.update(t=rng.standard_normal(np.shape(x)), ct=rng.standard_normal(np.shape(x)))
    return case


def value_only_results(T, case: PrimCase, inp) -> dict:
    f = case.prim if T is OURS else T.ref(case.name)
    out = {"value": f(*inp["args"])}
    if "t" in inp:
        (x,) = inp["args"]

        def g(v):
            return f(v) * v

        out["jvp of p(x) * x"] = T.jvp(g, (x,), (inp["t"],))
        out["vjp of p(x) * x"] = T.vjp(g, x)[1](inp["ct"])
    return out


class Sweep:
    """Every case of every primitive, sampled once (fixed seed per case), with the
    backend's results for it. ``batch=True`` computes all cases of a kind in one
    ``bundle`` (for JAX: one compilation instead of one per case)."""

    def __init__(self, backend, primitives, batch: bool):
        self.backend, self.primitives, self.batch = backend, primitives, batch
        self._cases, self._refs, self._errors = {}, {}, {}

    def case(self, name, k) -> PrimCase:
        key = (name, k)
        if key not in self._cases:
            if self.primitives[name].differentiable:
                rng = np.random.default_rng(case_seed(name, k))
                case = with_directions(sample_case(self.primitives, name, k, rng), rng)
                case.k = k
                self._cases[key] = case
            else:
                self._cases[key] = value_only_case(self.primitives, name, k)
        return self._cases[key]

    def _results(self, case):
        if case.prim.differentiable:
            # Not thorough (JAX): second order for the first case of each primitive only.
            second = self.backend.second_order if self.backend.thorough or case.k == 0 else ()
            return lambda T, inp: primitive_results(T, case, inp, second)
        return lambda T, inp: value_only_results(T, case, inp)

    def ours(self, name, k) -> dict:
        case = self.case(name, k)
        return self._results(case)(OURS, case.inputs)

    def reference(self, name, k) -> dict:
        label = f"{name}-{k}"
        if label not in self._refs and label not in self._errors:
            diff = self.primitives[name].differentiable
            keys = primitive_cases(self.primitives, diff) if self.batch else [(name, k)]
            items = {}
            for n, j in keys:
                case = self.case(n, j)
                items[f"{n}-{j}"] = (self._results(case), case.inputs)
            results, errors = batched(self.backend, items)
            self._refs.update(results)
            self._errors.update(errors)
        if label in self._errors:
            raise self._errors[label]
        return self._refs[label]


def check_example(backend, case: PrimCase, seed: int):
    """One Hypothesis example: first and second order (no Hessian), ours vs reference."""
    with_directions(case, np.random.default_rng(seed))
    what = f"{case.name}{[a.shape for a in case.args]} {case.params}"

    def results(T, inp):
        return primitive_results(T, case, inp, backend.second_order, hessian_max_size=0)

    ours = results(OURS, case.inputs)
    refs = backend.bundle(lambda inp: results(backend, inp), case.inputs)
    compare_results(backend, ours, refs, what)
