"""Bad input gets a clear error: the right exception type and a message that names the fix."""

import numpy as np
import pytest

import autodiff_lite as ad
import autodiff_lite.numpy as anp


def test_grad_of_non_scalar_output_names_shape_and_alternatives():
    with pytest.raises(ad.NonScalarOutputError, match=r"shape \(3,\).*jacrev or vjp"):
        ad.grad(anp.sin)(np.ones(3))
    with pytest.raises(TypeError, match="has_aux=True"):
        ad.grad(lambda x: (x * 2.0, x))(1.0)


@pytest.mark.parametrize("bad", [2, np.array([1, 2]), np.array([True, False])])
def test_integer_or_bool_input_to_grad_is_a_type_error_naming_the_argument(bad):
    with pytest.raises(TypeError, match=r"argument 0.*dtype (int64|bool).*f\(2\.0\)"):
        ad.grad(lambda x: anp.sum(x * 1.0))(bad)
    with pytest.raises(TypeError, match=r"argument 1"):
        ad.grad(lambda a, b: a * b, argnums=1)(1.0, bad)


def test_jvp_tangent_shape_dtype_and_structure_mismatch():
    x = np.ones(3)
    with pytest.raises(ad.ShapeMismatchError, match=r"tangent 0 has shape \(2,\).*\(3,\)"):
        ad.jvp(anp.sin, (x,), (np.ones(2),))
    with pytest.raises(TypeError, match=r"dtype float32.*float64.*astype"):
        ad.jvp(anp.sin, (x,), (np.ones(3, np.float32),))
    with pytest.raises(TypeError, match=r"tuples of arguments.*jvp\(f, \(x,\), \(v,\)\)"):
        ad.jvp(anp.sin, x, x)
    with pytest.raises(ValueError, match="1 primal.*2 tangent"):
        ad.jvp(anp.sin, (x,), (x, x))
    with pytest.raises(ValueError, match="same structure"):
        ad.jvp(lambda d: d["a"], ({"a": x},), ({"b": x},))


def test_vjp_cotangent_shape_mismatch():
    _, vjp_fn = ad.vjp(anp.sin, np.ones(3))
    with pytest.raises(ad.ShapeMismatchError, match=r"cotangent 0 has shape \(2,\).*\(3,\)"):
        vjp_fn(np.ones(2))


def test_argnums_out_of_range_and_wrong_type():
    with pytest.raises(ValueError, match=r"argnums=2.*2 positional argument.*0\.\.1"):
        ad.grad(lambda a, b: a * b, argnums=2)(1.0, 2.0)
    with pytest.raises(ValueError, match=r"argnums=\(0, 5\)"):
        ad.jacrev(lambda a: a, argnums=(0, 5))(np.ones(2))
    with pytest.raises(TypeError, match="argnums must be an int"):
        ad.grad(lambda a: a, argnums="x")(1.0)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda x: np.sin(x), "sin"),
        (lambda x: np.exp(x) + 1.0, "exp"),
        (lambda x: np.sum(x), "sum"),
        (lambda x: np.tanh(x).sum(), "tanh"),
    ],
)
def test_plain_numpy_function_on_traced_value_names_the_anp_replacement(call, name):
    with pytest.raises(ad.NumpyOnTracerError, match=rf"numpy\.{name}.*anp\.{name}"):
        ad.grad(lambda x: anp.sum(call(x)))(np.ones(2))


def test_converting_a_tracer_to_numpy_or_float_is_explained():
    with pytest.raises(ad.NumpyOnTracerError, match="np.asarray"):
        ad.grad(lambda x: anp.sum(np.asarray(x)))(np.ones(2))
    with pytest.raises(ad.NumpyOnTracerError, match=r"float\(\).*stop_gradient"):
        ad.grad(lambda x: float(x))(1.0)
    with pytest.raises(TypeError, match="immutable.*anp.where"):

        def assign(x):
            x[0] = 1.0
            return x.sum()

        ad.grad(assign)(np.ones(2))


def test_primitive_without_derivative_rule():
    floor_like = ad.Primitive("my_floor", np.floor)  # no jvps, no vjps
    with pytest.raises(ad.DifferentiationError, match=r"'my_floor' has no VJP.*vjps="):
        ad.grad(lambda x: floor_like(x) * x)(1.5)
    with pytest.raises(ad.DifferentiationError, match=r"'my_floor' has no JVP.*jvps="):
        ad.jvp(floor_like, (1.5,), (1.0,))


def test_escaped_tracer():
    leaked = []

    def f(x):
        leaked.append(x * 2.0)
        return x

    ad.grad(f)(1.0)
    with pytest.raises(ad.EscapedTracerError, match="finished differentiation"):
        ad.grad(lambda y: leaked[0] * y)(1.0)


def test_tensor_backward_errors():
    x = ad.Tensor([1.0, 2.0], requires_grad=True)
    y = x * 3.0
    with pytest.raises(ad.BackwardError, match=r"shape \(2,\) needs a gradient.*\.sum\(\)"):
        y.backward()
    with pytest.raises(ad.BackwardError, match=r"gradient has shape \(3,\)"):
        y.backward(np.ones(3))
    z = (x * x).sum()
    z.backward()
    with pytest.raises(ad.BackwardError, match="second time.*retain_graph=True"):
        z.backward()
    with pytest.raises(ad.BackwardError, match="requires_grad=True"):
        ad.Tensor([1.0]).sum().backward()
    with pytest.raises(TypeError, match="floating-point"):
        ad.Tensor([1, 2], requires_grad=True)


def test_shape_errors_in_linalg_and_einsum():
    with pytest.raises(ValueError, match=r"square 2-D matrix, got shape \(2, 3\)"):
        anp.linalg.solve(np.ones((2, 3)), np.ones(2))
    with pytest.raises(ValueError, match=r"b must have shape \(2,\) or \(2, k\)"):
        anp.linalg.solve(np.eye(2), np.ones(3))
    with pytest.raises(ValueError, match="name 2 operands, got 1"):
        anp.einsum("ij,jk->ik", np.ones((2, 2)))
    with pytest.raises(ValueError, match="axis 3 is out of bounds"):
        anp.sum(np.ones((2, 2)), axis=3)


def test_making_a_primitive_leaves_the_table_alone():
    before = dict(ad.REGISTRY)
    made = ad.Primitive("my_sin", np.sin, vjps=(lambda g, ans, x: g * anp.cos(x),))
    assert ad.REGISTRY == before and "my_sin" not in ad.REGISTRY
    assert ad.grad(made)(0.0) == 1.0


def test_the_table_is_collected_from_the_family_modules():
    from autodiff_lite import primitives

    assert primitives.collect(primitives.FAMILIES) == ad.REGISTRY
    assert ad.REGISTRY["sin"] is anp.sin
    twin = ad.Primitive("sin", np.sin)
    fake_family = type(primitives)("fake_family")
    fake_family.sin = twin
    with pytest.raises(ValueError, match="two different primitives are named 'sin'"):
        primitives.collect([primitives.elementwise, fake_family])


def test_check_grads_catches_a_wrong_rule():
    wrong_vjp = ad.Primitive(
        "wrong_sin_vjp",
        np.sin,
        jvps=(lambda x_dot, ans, x: x_dot * anp.cos(x),),
        vjps=(lambda g, ans, x: g * anp.sin(x),),  # the bug: sin instead of cos
    )
    wrong_jvp = ad.Primitive(
        "wrong_sin_jvp",
        np.sin,
        jvps=(lambda x_dot, ans, x: 2.0 * x_dot * anp.cos(x),),
        vjps=(lambda g, ans, x: g * anp.cos(x),),
    )
    with pytest.raises(ad.GradientCheckError, match="reverse mode"):
        ad.check_grads(wrong_vjp, (np.array([0.3, 1.0]),), modes=("rev",))
    with pytest.raises(ad.GradientCheckError, match="forward mode"):
        ad.check_grads(wrong_jvp, (np.array([0.3, 1.0]),), modes=("fwd",))
    with pytest.raises(TypeError, match="float64"):
        ad.check_grads(anp.sin, (np.ones(2, np.float32),))
