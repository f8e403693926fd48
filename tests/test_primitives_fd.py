"""Every primitive in the table, checked against finite differences.

One parametrized test per (primitive, case): forward and reverse mode, first and
second order, float64, on random inputs from the primitive's declared domain.
Adding a primitive with ``cases`` adds its tests here automatically.

Replaying a failure: the inputs of each (primitive, case) are drawn from a seed that is the
same in every run (a CRC-32 of the test's name and the base seed, never Python's ``hash``,
which changes from process to process), and a failure names it. The base seed is 0; set the
environment variable ``AUTODIFF_FD_SEED`` to another integer to draw other inputs, e.g.
``AUTODIFF_FD_SEED=7 pytest tests/test_primitives_fd.py -k "sin-0"``. The Hypothesis tests
print their own reproduction (``@reproduce_failure``).
"""

import os
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autodiff_lite as ad
import autodiff_lite.numpy as anp
from autodiff_lite import domains

BASE_SEED = int(os.environ.get("AUTODIFF_FD_SEED", "0"))

DIFFERENTIABLE = sorted(name for name, p in ad.REGISTRY.items() if p.differentiable)


def _cases():
    for name in DIFFERENTIABLE:
        prim = ad.REGISTRY[name]
        for k, (shapes, params) in enumerate(prim.cases):
            yield pytest.param(name, k, shapes, params, id=f"{name}-{k}")


def case_seed(name: str, k: int) -> int:
    """The seed of case ``k`` of primitive ``name``: stable across runs and machines."""
    return zlib.crc32(f"{BASE_SEED}/{name}/{k}".encode())


def _sample(prim, shapes, rng):
    return [prim.domains[i](rng, s) for i, s in enumerate(shapes)]


def _split(prim, args):
    """Separate differentiable (float) arguments from fixed ones (booleans)."""
    diff = [i for i, d in enumerate(prim.domains[: len(args)]) if d is not domains.BOOL]
    return diff


def test_every_primitive_has_rules_domains_and_cases():
    for name in DIFFERENTIABLE:
        prim = ad.REGISTRY[name]
        assert prim.jvps is not None and prim.vjps is not None, name
        assert prim.cases, f"{name} declares no test cases"
        assert prim.domains, f"{name} declares no domains"


@pytest.mark.parametrize("name, k, shapes, params", list(_cases()))
def test_primitive_matches_finite_differences(name, k, shapes, params):
    prim = ad.REGISTRY[name]
    seed = case_seed(name, k)
    args = _sample(prim, shapes, np.random.default_rng(seed))
    diff = _split(prim, args)

    def f(*xs):
        full = list(args)
        for i, x in zip(diff, xs):
            full[i] = x
        return prim(*full, **params)

    try:
        ad.check_grads(f, tuple(args[i] for i in diff), order=2, modes=("fwd", "rev"))
    except ad.GradientCheckError as e:
        raise AssertionError(
            f"{name} case {k}, inputs drawn with seed {seed} (replay: AUTODIFF_FD_SEED="
            f"{BASE_SEED} pytest tests/test_primitives_fd.py -k '{name}-{k}'):\n{e}"
        ) from e


@pytest.mark.parametrize("name, k, shapes, params", list(_cases()))
def test_primitive_value_matches_numpy_impl(name, k, shapes, params):
    """Tracing must not change the value: the traced output equals the plain call."""
    prim = ad.REGISTRY[name]
    rng = np.random.default_rng(1)
    args = _sample(prim, shapes, rng)
    diff = _split(prim, args)
    plain = prim.impl(*args, **params)

    def f(*xs):
        full = list(args)
        for i, x in zip(diff, xs):
            full[i] = x
        return prim(*full, **params)

    traced, _ = ad.jvp(f, tuple(args[i] for i in diff), tuple(np.ones_like(args[i]) for i in diff))
    np.testing.assert_array_equal(traced, plain)


# --- Hypothesis: shapes and values for the elementwise and broadcasting families --------

UNARY = [
    n
    for n in DIFFERENTIABLE
    if len(ad.REGISTRY[n].domains) == 1 and ad.REGISTRY[n].cases == ad.REGISTRY["sin"].cases
]
BINARY = ["add", "subtract", "multiply", "divide", "power", "maximum", "minimum", "arctan2"]


@settings(max_examples=30, deadline=None)
@given(
    name=st.sampled_from(UNARY),
    shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=3),
    seed=st.integers(0, 2**31 - 1),
)
def test_unary_primitives_any_shape(name, shape, seed):
    prim = ad.REGISTRY[name]
    x = prim.domains[0](np.random.default_rng(seed), shape)
    ad.check_grads(prim, (x,), order=2)


@settings(max_examples=30, deadline=None)
@given(
    name=st.sampled_from(BINARY),
    shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3),
    seed=st.integers(0, 2**31 - 1),
)
def test_binary_primitives_broadcast_any_shapes(name, shapes, seed):
    prim = ad.REGISTRY[name]
    rng = np.random.default_rng(seed)
    x, y = (prim.domains[i](rng, s) for i, s in enumerate(shapes.input_shapes))
    out = prim(x, y)
    assert np.shape(out) == shapes.result_shape
    ad.check_grads(prim, (x, y), order=2)
    # Un-broadcasting: each gradient has its argument's shape.
    gx, gy = ad.grad(lambda a, b: anp.sum(prim(a, b)), argnums=(0, 1))(x, y)
    assert np.shape(gx) == np.shape(x) and np.shape(gy) == np.shape(y)


@settings(max_examples=25, deadline=None)
@given(
    shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=4),
    data=st.data(),
)
def test_reductions_any_axis(shape, data):
    axis = data.draw(st.none() | st.integers(0, len(shape) - 1))
    keepdims = data.draw(st.booleans())
    x = np.random.default_rng(len(shape)).uniform(0.5, 1.5, size=shape)
    for f in (anp.sum, anp.mean, anp.prod, anp.max, anp.min, anp.var, anp.logsumexp):
        ad.check_grads(lambda x, f=f: f(x, axis=axis, keepdims=keepdims), (x,), order=2)


# --- vjp_needs_inputs / vjp_needs_output: the tape keeps only shapes -------------------

SHAPE_ONLY = [
    n
    for n in DIFFERENTIABLE
    if not (ad.REGISTRY[n].vjp_needs_inputs and ad.REGISTRY[n].vjp_needs_output)
]


def test_some_primitives_keep_only_shapes_on_the_tape():
    assert {"add", "subtract", "reshape", "sum", "getitem", "matmul", "maximum"} <= set(SHAPE_ONLY)


@pytest.mark.parametrize("name", SHAPE_ONLY)
def test_shape_only_rules_give_the_same_cotangents(name):
    """A primitive that promises its VJP reads no input (or output) values gets the same
    cotangents from ShapeOnly stand-ins as from the arrays themselves."""
    from autodiff_lite.reverse import ShapeOnly

    prim = ad.REGISTRY[name]
    rng = np.random.default_rng(7)
    for shapes, params in prim.cases:
        args = _sample(prim, shapes, rng)
        ans = np.asarray(prim.impl(*args, **params))
        g = rng.normal(size=ans.shape)
        kept = args
        if not prim.vjp_needs_inputs:
            kept = [ShapeOnly(a) if isinstance(a, np.ndarray) else a for a in args]
        kept_ans = ans if prim.vjp_needs_output else ShapeOnly(ans)
        for i in _split(prim, args):
            rule = prim.vjp_rule(i)
            want = rule(g, ans, *args, **params)
            got = rule(g, kept_ans, *kept, **params)
            np.testing.assert_array_equal(got, want, err_msg=f"{name} argument {i}")


def test_tape_keeps_shapes_not_arrays_for_add():
    """Memory: after x @ W + b, the tape no longer holds x @ W (add reads no values)."""
    import weakref

    from autodiff_lite.core import new_trace
    from autodiff_lite.reverse import Node, ReverseTrace, ReverseTracer

    x, w, b = np.ones((4, 3)), np.ones((3, 2)), np.ones(2)
    with new_trace(ReverseTrace) as trace:
        tw = ReverseTracer(trace, w, Node.leaf(w))
        xw = x @ tw
        ref = weakref.ref(xw.primal)
        y = xw + b
        del xw
        assert ref() is None, "the tape kept x @ W alive"
        assert y.node.args[0].shape == (4, 2)
