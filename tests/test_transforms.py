"""The functional transforms: pytrees, argnums, has_aux, nesting, dtypes, purity."""

import numpy as np
import pytest

import autodiff_lite as ad
import autodiff_lite.numpy as anp


def tutorial_f(x):
    """The JAX tutorial snippet: augmented assignment on a traced value."""
    y = x
    for _ in range(4):
        y += x[0] ** 2 + anp.sin(x[1]) + anp.exp(-x[2])
    return y.sum()


def test_jax_tutorial_snippet_value_gradient_and_no_mutation():
    x = np.array([2.0, 3.0, -2.0])
    before = x.copy()
    value, g = ad.value_and_grad(tutorial_f)(x)
    np.testing.assert_allclose(value, 141.36212, rtol=1e-7)
    np.testing.assert_allclose(g, [49.0, -10.8799, -87.6687], atol=1e-4)
    np.testing.assert_array_equal(x, before)
    out, dot = ad.jvp(tutorial_f, (x,), (np.array([1.0, 0.0, 0.0]),))
    np.testing.assert_allclose(dot, 49.0)
    np.testing.assert_array_equal(x, before)


def test_grad_of_grad_to_fourth_order():
    f = lambda x: anp.sin(x)  # noqa: E731
    derivs = [f]
    for _ in range(4):
        derivs.append(ad.grad(derivs[-1]))
    x = 0.7
    expected = [np.sin(x), np.cos(x), -np.sin(x), -np.cos(x), np.sin(x)]
    for d, e in zip(derivs, expected):
        np.testing.assert_allclose(d(x), e, rtol=1e-12)


def test_no_perturbation_confusion():
    """Siskind & Pearlmutter's example: d/dx [x * d/dy (x + y)] = 1, not 2."""

    def outer(x):
        inner = ad.grad(lambda y: x + y)(1.0)
        return x * inner

    assert ad.grad(outer)(3.0) == pytest.approx(1.0)

    def outer_fwd(x):
        return x * ad.jvp(lambda y: x * y, (2.0,), (1.0,))[1]  # d/dy (x y) = x  -> x^2

    assert ad.jvp(outer_fwd, (3.0,), (1.0,))[1] == pytest.approx(6.0)


def test_hessian_forward_over_reverse_and_all_nestings_agree():
    def f(x):
        return anp.sum(anp.sin(x) * x**2) + x[0] * x[1] ** 3

    x = np.array([0.3, -1.2, 0.8])
    h = ad.hessian(f)(x)
    for other in (ad.jacfwd(ad.jacfwd(f)), ad.jacrev(ad.jacrev(f)), ad.jacrev(ad.jacfwd(f))):
        np.testing.assert_allclose(other(x), h, rtol=1e-12)
    np.testing.assert_allclose(h, h.T, rtol=1e-12)
    v = np.array([1.0, 2.0, -1.0])
    np.testing.assert_allclose(ad.hvp(f, (x,), (v,))[0], h @ v, rtol=1e-12)
    # diagonal entry by hand: d2/dx2 (sin x x^2) = (2 - x^2) sin x + 4 x cos x
    x2 = x[2]
    np.testing.assert_allclose(h[2, 2], (2 - x2**2) * np.sin(x2) + 4 * x2 * np.cos(x2))


def test_pytree_params_and_argnums_tuple_and_has_aux():
    params = {"W": np.array([[1.0, 2.0], [3.0, 4.0]]), "b": (np.array([0.5, -0.5]), [2.0])}
    x = np.array([1.0, -1.0])

    def loss(p, x):
        h = anp.tanh(p["W"] @ x + p["b"][0]) * p["b"][1][0]
        return anp.sum(h**2), h

    (value, h), g = ad.value_and_grad(loss, has_aux=True)(params, x)
    assert set(g) == {"W", "b"} and isinstance(g["b"], tuple) and isinstance(g["b"][1], list)
    assert g["W"].shape == (2, 2)
    assert not isinstance(h, ad.core.Tracer)
    # compare with finite differences through check_grads on each leaf
    ad.check_grads(lambda W: loss({**params, "W": W}, x)[0], (params["W"],), order=1)
    gp, gx = ad.grad(lambda p, x: loss(p, x)[0], argnums=(0, 1))(params, x)
    np.testing.assert_allclose(gp["W"], g["W"])
    assert gx.shape == x.shape


def test_jacobian_shapes_follow_jax_convention():
    f = lambda x, y: (x[:, None] * y[None, :], anp.sum(x))  # noqa: E731
    x, y = np.arange(1.0, 4.0), np.arange(1.0, 3.0)
    for jac in (ad.jacfwd, ad.jacrev):
        (jx_outer, jy_outer), (jx_sum, jy_sum) = jac(f, argnums=(0, 1))(x, y)
        assert jx_outer.shape == (3, 2, 3) and jy_outer.shape == (3, 2, 2)
        assert jx_sum.shape == (3,) and jy_sum.shape == (2,)
        np.testing.assert_allclose(jx_sum, 1.0)
        np.testing.assert_allclose(jy_sum, 0.0)
        np.testing.assert_allclose(jx_outer[:, :, 0][0], y)


def test_vjp_of_multiple_outputs_and_zero_cotangent_for_unused_input():
    def f(x, y):
        return {"a": x * 2.0, "b": anp.sum(x) ** 2}

    x, y = np.array([1.0, 2.0]), np.array([5.0])
    out, vjp_fn = ad.vjp(f, x, y)
    gx, gy = vjp_fn({"a": np.array([1.0, 0.0]), "b": 1.0})
    np.testing.assert_allclose(gx, [2.0 + 6.0, 6.0])
    np.testing.assert_array_equal(gy, [0.0])


def test_float32_stays_float32_and_python_floats_work():
    x32 = np.array([0.5, 1.5], dtype=np.float32)
    g = ad.grad(lambda x: anp.sum(anp.exp(x) * 2.0 + x**2))(x32)
    assert g.dtype == np.float32
    out, dot = ad.jvp(lambda x: anp.tanh(x) * 3.0, (x32,), (np.ones(2, np.float32),))
    assert out.dtype == np.float32 and dot.dtype == np.float32
    assert ad.grad(lambda a, b: a * b + 1.0)(2.0, 5.0) == 5.0
    assert ad.grad(lambda x: anp.maximum(x, 0.0))(np.float32(1.0)).dtype == np.float32


def test_jax_conventions_at_kinks():
    assert ad.grad(anp.abs)(0.0) == 1.0
    assert ad.grad(lambda x: anp.maximum(x, 0.0))(0.0) == 0.5
    assert ad.grad(lambda x: anp.clip(x, 0.0, 1.0))(1.0) == 0.5
    assert ad.grad(anp.sqrt)(0.0) == np.inf
    assert ad.grad(lambda x: anp.max(x))(np.array([1.0, 3.0, 3.0])).tolist() == [0, 0.5, 0.5]
    assert ad.grad(lambda x: x**0.0)(0.0) == 0.0
    assert ad.grad(lambda y: 0.0**y, argnums=0)(2.0) == 0.0
    assert ad.grad(anp.sign)(2.0) == 0.0
    assert np.isnan(ad.grad(anp.linalg.norm)(np.zeros(3))).all()


def test_prod_gradient_with_zeros_is_exact():
    x = np.array([2.0, 0.0, 3.0, 4.0])
    np.testing.assert_allclose(ad.grad(anp.prod)(x), [0.0, 24.0, 0.0, 0.0])
    x = np.array([0.0, 0.0, 3.0])
    np.testing.assert_allclose(ad.grad(anp.prod)(x), [0.0, 0.0, 0.0])


def test_array_methods_and_operators_on_tracers():
    W = np.array([[1.0, 2.0], [3.0, 4.0]])

    def f(x):
        y = (x @ W).T.reshape(2, 1).sum(axis=1) - x
        z = abs(-y) / 2.0 + 1.0 / (x + 3.0) + 2.0**x
        return z.mean() + x.max() + x[0] * len(x) + anp.array([x[1], x[0]]).std()

    ad.check_grads(f, (np.array([0.3, 0.9]),), order=2)
    x = np.array([0.3, 0.9])
    ndarray_left = ad.grad(lambda x: anp.sum(np.array([1.0, 2.0]) * x + W[0] - x))(x)
    np.testing.assert_allclose(ndarray_left, [0.0, 1.0])


def test_python_control_flow_on_traced_values():
    def piecewise(x):
        if x > 0:
            return x**2
        return -x

    assert ad.grad(piecewise)(3.0) == 6.0
    assert ad.grad(piecewise)(-3.0) == -1.0

    def loop(x):
        while x < 10.0:
            x = x * 2.0
        return x

    assert ad.grad(loop)(3.0) == 4.0


def test_stop_gradient_and_constants():
    f = lambda x: x * ad.stop_gradient(x)  # noqa: E731
    assert ad.grad(f)(3.0) == 3.0
    assert ad.grad(lambda x: anp.sum(anp.zeros_like(x) + x))(np.ones(2)).tolist() == [1, 1]


def test_linear_algebra_against_closed_forms():
    rng = np.random.default_rng(0)
    A = np.eye(3) * 3 + rng.standard_normal((3, 3)) * 0.2
    b = rng.standard_normal(3)
    # d/db (1/2 |A^{-1} b|^2) = A^{-T} A^{-1} b
    g = ad.grad(lambda b: 0.5 * anp.sum(anp.linalg.solve(A, b) ** 2))(b)
    x = np.linalg.solve(A, b)
    np.testing.assert_allclose(g, np.linalg.solve(A.T, x), rtol=1e-12)
    # d det(A) / dA = det(A) A^{-T}
    np.testing.assert_allclose(ad.grad(anp.linalg.det)(A), np.linalg.det(A) * np.linalg.inv(A).T)
    ad.check_grads(lambda A: anp.sum(anp.linalg.inv(A) @ b), (A,), order=2)
    ad.check_grads(lambda a, c: anp.einsum("ij,j,k->ik", A, a, c), (b, b[:2]), order=2)


def test_no_grad_turns_differentiation_off_for_every_transform():
    """One switch for grad, jvp and Tensor.backward, like torch.no_grad over a block."""

    def f(x):
        with ad.no_grad():
            scale = anp.sin(x) * x  # a constant inside the block
        assert not isinstance(scale, ad.core.Tracer)
        return scale * x

    x = 0.7
    c = np.sin(x) * x
    assert np.isclose(ad.grad(f)(x), c)  # d/dx (c x), not d/dx (x^2 sin x)
    assert np.isclose(ad.jvp(f, (x,), (1.0,))[1], c)
    assert np.isclose(ad.grad(ad.grad(f))(x), 0.0)
    t = ad.Tensor(x, requires_grad=True)
    with ad.no_grad():
        u = t * t
    assert not u.requires_grad
    # the switch is restored when the block exits, even by an exception
    with pytest.raises(RuntimeError):
        with ad.no_grad():
            raise RuntimeError
    assert np.isclose(ad.grad(lambda x: x * x)(3.0), 6.0)
