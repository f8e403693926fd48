"""autodiff_lite against JAX and PyTorch: every primitive, and the transforms on composite
functions.

Each test runs once per reference framework (the ``framework`` fixture: ``jax``, then
``torch``) and per device (the ``device`` fixture: the CPU, and the GPU when there is one).
It computes the same thing with autodiff_lite (numpy, on the CPU) and with the reference
(float64, on the chosen device) from the same random inputs, and compares: values, JVPs,
VJPs, second derivatives, and the transforms ``grad`` (with ``argnums`` tuples and
``has_aux``), ``value_and_grad``, ``jvp``, ``vjp``, ``jacfwd``, ``jacrev``, ``hessian``,
``hvp`` and their nestings. Each computation is written once (``tests/references/``) and
run on both sides.

The two references are used differently, for speed:

- JAX (``jax.jvp``, ``jax.vjp``, ``jax.grad``...) compiles: each test groups its JAX work
  into one ``jax.jit`` function, the sweep of all primitives is one compilation, second
  order is checked on the first case of each primitive, and Hypothesis draws few examples.
- PyTorch (``torch.func.jvp``, ``vjp``, ``grad``, ``grad_and_value``, ``jacfwd``,
  ``jacrev``, ``hessian``) runs eagerly and cheaply: every case gets second order, and
  Hypothesis draws more examples.

A few checks run against one framework only: derivatives at singular points and the
Hessian of ``x ** y`` at ``y == 0`` against JAX (PyTorch's is wrong there), float32 for
every primitive against PyTorch. The object API (``ad.Tensor`` against ``torch.Tensor``) is
in ``test_tensor_vs_torch.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("hypothesis")

import references as R  # noqa: E402
from hypothesis import HealthCheck, assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

import autodiff_lite as ad  # noqa: E402

PRIMS = R.LIBRARY_PRIMITIVES
FRAMEWORKS = ["jax", "torch"]

pytestmark = pytest.mark.filterwarnings(
    "ignore:`torch.jit.script` is deprecated:DeprecationWarning"  # inside torch.func itself
)

# Every Hypothesis example compiles one JAX function (new shapes), about 0.1 s on a CPU: few
# examples for JAX. PyTorch runs eagerly: each example costs a few milliseconds.
EXAMPLES = {"jax": 6, "torch": 25}


def hypothesis_settings(backend):
    return settings(
        max_examples=EXAMPLES[backend.name],
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )


@pytest.fixture(scope="module", params=FRAMEWORKS)
def framework(request):
    """The reference framework. A test that parametrizes ``framework`` itself (indirectly)
    runs against the frameworks it names only."""
    return request.param


@pytest.fixture(scope="module")
def backend(request, framework, device):
    if framework == "jax":
        return R.JaxBackend(request.getfixturevalue("jax_device"))
    return R.TorchBackend(request.getfixturevalue("torch_device"))


@pytest.fixture(scope="module")
def sweep(backend):
    # JAX: one compiled function for all cases of all primitives (see references.Sweep).
    return R.Sweep(backend, PRIMS, batch=backend.name == "jax")


def _ids(cases):
    return [f"{name}-{k}" for name, k in cases]


def only(*frameworks):
    """Run a test against the named frameworks only."""
    # scope="module", like the fixture's own params: pytest then still groups the tests by
    # framework, so that each backend (and its JAX compilations) is set up once.
    return pytest.mark.parametrize("framework", frameworks, indirect=True, scope="module")


# --- the reference table covers the registry -----------------------------------------------


@pytest.mark.parametrize("fw", FRAMEWORKS)
def test_every_registry_primitive_has_a_reference(fw):
    pytest.importorskip(fw)
    names = sorted(ad.REGISTRY)
    assert len(names) >= 40, names  # the sweep really sees the table
    missing = [n for n in names if n not in R.REFERENCES or getattr(R.REFERENCES[n], fw) is None]
    assert not missing, (
        f"primitives without a {fw} reference in tests/references/: {missing}. "
        f"Add one to the REFERENCES of its family (same signature as the primitive's impl)."
    )
    wrong = [n for n in names if R.REFERENCES[n].value_only == ad.REGISTRY[n].differentiable]
    assert not wrong, (
        f"value_only must be set for exactly the non-differentiable primitives: {wrong}"
    )
    stale = sorted(set(R.REFERENCES) - set(names))
    assert not stale, f"references for primitives the library does not have: {stale}"
    assert sorted(PRIMS) == names


def test_hypothesis_families_are_not_empty():
    assert {"exp", "log", "tanh", "abs"} <= set(R.unary_family(PRIMS))
    assert {"add", "multiply", "divide", "power", "maximum"} <= set(R.binary_family(PRIMS))
    assert "matmul" not in R.binary_family(PRIMS)
    assert {"sum", "prod", "max", "min"} <= set(R.reduction_family(PRIMS))


def test_reference_runs_on_the_requested_device(backend):
    out = backend.bundle(lambda x: x * 2.0, np.ones(3))
    if backend.name == "jax":
        assert {d.platform for d in out.devices()} == {backend.device.platform}
    else:
        assert out.device.type == backend.device.type


# --- every primitive, every case of its table -----------------------------------------------

DIFF_CASES = R.primitive_cases(PRIMS, differentiable=True)
VALUE_CASES = R.primitive_cases(PRIMS, differentiable=False)


def _compare_case(backend, sweep, name, k, keys):
    case = sweep.case(name, k)
    ours, refs = sweep.ours(name, k), sweep.reference(name, k)
    what = f"{name}{[a.shape for a in case.args]} {case.params}"
    selected = {key: ours[key] for key in keys if key in ours}
    assert selected, f"{what}: none of {keys} computed"  # never a vacuous pass
    R.compare_results(backend, selected, refs, what)


@pytest.mark.parametrize("name,k", DIFF_CASES, ids=_ids(DIFF_CASES))
def test_primitive_value_jvp_vjp(backend, sweep, name, k):
    _compare_case(backend, sweep, name, k, R.FIRST_ORDER)


# Second order: against both frameworks for the first case of each primitive, against
# PyTorch only for the others (see JaxBackend: JAX would compile all of it).
FIRST_CASES = [(name, k) for name, k in DIFF_CASES if k == 0]
OTHER_CASES = [(name, k) for name, k in DIFF_CASES if k != 0]


@pytest.mark.parametrize("name,k", FIRST_CASES, ids=_ids(FIRST_CASES))
def test_primitive_second_order(backend, sweep, name, k):
    _compare_case(backend, sweep, name, k, R.SECOND_ORDER)


@only("torch")
@pytest.mark.parametrize("name,k", OTHER_CASES, ids=_ids(OTHER_CASES))
def test_primitive_second_order_other_cases(backend, sweep, name, k):
    _compare_case(backend, sweep, name, k, R.SECOND_ORDER)


@pytest.mark.parametrize("name,k", VALUE_CASES, ids=_ids(VALUE_CASES))
def test_nondifferentiable_primitive(backend, sweep, name, k):
    _compare_case(backend, sweep, name, k, ["value", "jvp of p(x) * x", "vjp of p(x) * x"])


# --- Hypothesis: shapes and values --------------------------------------------------------

SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3)
SEEDS = st.integers(0, 2**32 - 1)


def test_unary_elementwise_hypothesis(backend):
    @hypothesis_settings(backend)
    @given(data=st.data())
    def check(data):
        name = data.draw(st.sampled_from(R.unary_family(PRIMS)), label="primitive")
        shape = data.draw(SHAPES, label="shape")
        x = data.draw(R.arrays_in(PRIMS[name].domains[0], shape), label="x")
        case = R.make_case(name, PRIMS[name], [x])
        R.check_example(backend, case, data.draw(SEEDS, label="seed"))

    check()


def test_binary_broadcasting_hypothesis(backend):
    @hypothesis_settings(backend)
    @given(data=st.data())
    def check(data):
        name = data.draw(st.sampled_from(R.binary_family(PRIMS)), label="primitive")
        shapes = data.draw(
            hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3),
            label="shapes",
        ).input_shapes
        dom = PRIMS[name].domains
        x = data.draw(R.arrays_in(dom[0], shapes[0]), label="x")
        y = data.draw(R.arrays_in(dom[1], shapes[1]), label="y")
        if backend.name == "torch":
            # PyTorch's mixed second derivative of x ** y is wrong where y == 0 (it cuts the
            # y-dependence of d/dx there); autodiff_lite follows JAX, which checks that point.
            assume(not (name == "power" and np.any(y == 0)))
        case = R.make_case(name, PRIMS[name], [x, y])
        R.check_example(backend, case, data.draw(SEEDS, label="seed"))

    check()


def test_where_broadcasting_hypothesis(backend):
    @hypothesis_settings(backend)
    @given(data=st.data())
    def check(data):
        shapes = data.draw(
            hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3, max_side=3),
            label="shapes",
        ).input_shapes
        c = data.draw(hnp.arrays(np.bool_, shapes[0]), label="condition")
        x = data.draw(R.arrays_in(R.domains.REAL, shapes[1]), label="x")
        y = data.draw(R.arrays_in(R.domains.REAL, shapes[2]), label="y")
        case = R.make_case("where", PRIMS["where"], [c, x, y])
        R.check_example(backend, case, data.draw(SEEDS, label="seed"))

    check()


def test_reductions_hypothesis(backend):
    @hypothesis_settings(backend)
    @given(data=st.data())
    def check(data):
        name = data.draw(st.sampled_from(R.reduction_family(PRIMS)), label="primitive")
        shape = data.draw(SHAPES, label="shape")
        ndim = len(shape)
        if name == "prod":  # the library differentiates prod along one axis at a time only
            one_axis = st.integers(0, max(ndim - 1, 0)).map(lambda a: (a,))
            axis = data.draw(st.one_of(st.none(), one_axis) if ndim else st.none(), label="axis")
        else:
            axis = data.draw(st.one_of(st.none(), hnp.valid_tuple_axes(ndim)), label="axis")
            axis = None if axis is None else tuple(sorted(a % ndim for a in axis))
        keepdims = data.draw(st.booleans(), label="keepdims")
        # A few repeated levels, so that max/min often tie (the derivative is then shared).
        levels = st.sampled_from([-1.0, 0.5, 1.5])
        elements = st.one_of(levels, st.floats(-2, 2, allow_subnormal=False))
        x = data.draw(hnp.arrays(np.float64, shape, elements=elements), label="x")
        case = R.make_case(name, PRIMS[name], [x], {"axis": axis, "keepdims": keepdims})
        R.check_example(backend, case, data.draw(SEEDS, label="seed"))

    check()


# --- transforms on composite functions, numpy-like functions, float32 ------------------------


@pytest.fixture(scope="module")
def batch(backend):
    # The reference side of everything below, computed together (for JAX: one compilation).
    return R.Batch(backend, R.standard_items(backend))


@pytest.mark.parametrize("name", R.SCALAR_COMPOSITES)
def test_composite_grad_value_and_grad_jvp_vjp(batch, name):
    batch.check(f"first order/{name}")


@pytest.mark.parametrize("name", R.SCALAR_COMPOSITES)
def test_composite_hessian_hvp_and_nesting(batch, name):
    batch.check(f"second order/{name}", alias=R.SECOND_ORDER_ALIAS)


@pytest.mark.parametrize("name", R.VECTOR_COMPOSITES)
def test_vector_composite_jvp_vjp_jacobians(batch, name):
    batch.check(f"vector/{name}")


def test_has_aux(batch):
    batch.check("has_aux/mlp_loss")


def test_grad_of_grad_of_grad_of_scalar_function(batch):
    batch.check("nesting/grad of grad of grad")


def test_tutorial_function_known_values_and_no_mutation(batch):
    label = "tutorial/at [2, 3, -2]"
    x = batch.inputs(label)
    x_before = x.copy()
    value, g = batch.ours(label)["value_and_grad"]
    np.testing.assert_allclose(value, 141.36212, rtol=1e-7)
    np.testing.assert_allclose(g, [49.0, -10.8799, -87.6687], rtol=1e-5)
    batch.check(label)
    f = R.COMPOSITES["tutorial"].for_ns(R.ANP)
    ad.grad(f)(x)
    ad.jvp(f, (x,), (np.ones(3),))
    ad.vjp(f, x)[1](np.float64(1.0))
    ad.hessian(f)(x)
    np.testing.assert_array_equal(x, x_before, err_msg="a transform of f mutated its input x")


@pytest.mark.parametrize("name", list(R.ANP_FUNCTIONS))
def test_anp_function(batch, name):
    batch.check(f"anp/{name}")


@only("jax")
@pytest.mark.parametrize("kind", list(R.SCALAR_KINDS))
@pytest.mark.parametrize("name", list(R.SINGULAR_POINTS))
def test_derivative_at_singular_point(backend, batch, name, kind):
    # inf and nan where the derivative is infinite, whatever the type of the scalar input
    label = f"singular/{name}"
    x0 = R.SCALAR_KINDS[kind](batch.inputs(label))
    with np.errstate(divide="ignore", invalid="ignore"):
        ours = R.singular_results(R.OURS, name, x0)
    ours["grad"] = np.asarray(ours["grad"], dtype=np.float64)  # a Python float stays one
    R.compare_results(backend, ours, batch.reference(label), f"{name} ({kind})")


@only("jax")  # PyTorch gets these points wrong (see POWER_AT_ZERO_EXPONENT)
@pytest.mark.parametrize("name", list(R.POWER_AT_ZERO_EXPONENT))
def test_power_second_derivatives_at_zero_exponent(batch, name):
    batch.check(f"power at y = 0/{name}")


F32 = dict(rtol=R.F32_RTOL, atol=R.F32_ATOL)


@pytest.mark.parametrize("name", list(R.FLOAT32_FUNCTIONS))
def test_float32_function(backend, batch, name):
    label = f"float32 function/{name}"
    ours, refs = batch.ours(label), batch.reference(label)
    astype = name.startswith("astype")  # float64 out, float32 gradient
    R.compare_results(
        backend,
        {"value": ours.pop("value")},
        refs,
        label,
        dtype=np.float64 if astype else np.float32,
        **F32,
    )
    R.compare_results(backend, ours, refs, label, dtype=None if astype else np.float32, **F32)
    g = ours["value_and_grad"][1]
    assert np.asarray(g).dtype == np.float32, (
        f"{name}: the gradient of a float32 input is {g.dtype}"
    )


@pytest.mark.parametrize("name", R.SCALAR_COMPOSITES)
def test_float32_composite(backend, batch, name):
    label = f"float32/{name}"
    ours, refs = batch.ours(label), batch.reference(label)
    hessian = {"hessian": ours.pop("hessian")} if "hessian" in ours else {}
    R.compare_results(backend, ours, refs, label, dtype=np.float32, **F32)
    # Second derivatives in float32 compound more roundings than first ones: looser.
    R.compare_results(backend, hessian, refs, label, dtype=np.float32, rtol=1e-3, atol=1e-4)


@only("torch")  # for JAX it would be one more large compilation
def test_float32_primitives_keep_float32(backend):
    """Every differentiable primitive (first case): float32 in, float32 value, JVP, VJP out."""
    cases = {}
    for name, k in DIFF_CASES:
        if k != 0 or "dtype" in PRIMS[name].cases[k][1]:
            continue
        rng = np.random.default_rng(R.case_seed("float32", name))
        case = R.sample_case(PRIMS, name, k, rng)
        case.args = [a.astype(np.float32) if a.dtype.kind == "f" else a for a in case.args]
        cases[name] = R.with_directions(case, rng)

    def results(T, inputs):
        return {n: R.primitive_results(T, c, inputs[n], second_order=()) for n, c in cases.items()}

    inputs = {n: c.inputs for n, c in cases.items()}
    ours, refs = results(R.OURS, inputs), backend.bundle(lambda i: results(backend, i), inputs)
    failures = []
    for name in cases:
        try:
            R.compare_results(
                backend, ours[name], refs[name], f"float32 {name}", dtype=np.float32, **F32
            )
        except AssertionError as e:
            failures.append(str(e).splitlines()[0])
    assert not failures, "\n".join(failures)
