"""ad.fixed_point: implicit derivatives agree with unrolled ones (ours and JAX's), in every
transform and to second order, with memory that does not grow with the iterations."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import autodiff_lite as ad
import autodiff_lite.numpy as anp

N = 4


@pytest.fixture
def problem(rng):
    """An equilibrium layer z = tanh(W z + x) with |W| = 0.6 < 1: a contraction."""
    W = rng.standard_normal((N, N))
    W *= 0.6 / np.linalg.norm(W, 2)
    x = rng.standard_normal(N)
    c = rng.standard_normal(N)
    return W, x, c


def layer(z, W, x, lib=anp):
    return lib.tanh(W @ z + x)


def unrolled(W, x, n_iter=150, lib=anp):
    z = lib.zeros(N) if lib is anp else lib.zeros(N, dtype=lib.float64)
    for _ in range(n_iter):
        z = layer(z, W, x, lib)
    return z


@pytest.mark.parametrize("method", ["iterate", "newton"])
def test_solution_and_gradient_match_unrolled_differentiation(method, problem):
    W, x, c = problem
    z = ad.fixed_point(layer, np.zeros(N), W, x, method=method)
    np.testing.assert_allclose(z, layer(z, W, x), atol=1e-12)
    np.testing.assert_allclose(z, unrolled(W, x), atol=1e-12)

    def loss(W, x):
        return anp.sum(c * ad.fixed_point(layer, np.zeros(N), W, x, method=method) ** 2)

    def loss_unrolled(W, x):
        return anp.sum(c * unrolled(W, x) ** 2)

    ours = ad.grad(loss, argnums=(0, 1))(W, x)
    ref = ad.grad(loss_unrolled, argnums=(0, 1))(W, x)
    for a, b in zip(ours, ref):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


def test_gradient_matches_jax_unrolled(problem, jax_device):
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    W, x, c = problem

    def jax_loss(W, x):
        z = jax.lax.fori_loop(0, 150, lambda i, z: jnp.tanh(W @ z + x), jnp.zeros(N))
        return jnp.sum(jnp.asarray(c) * z**2)

    put = lambda a: jax.device_put(a, jax_device)  # noqa: E731
    ref = jax.grad(jax_loss, argnums=(0, 1))(put(W), put(x))
    ours = ad.grad(
        lambda W, x: anp.sum(c * ad.fixed_point(layer, np.zeros(N), W, x) ** 2), argnums=(0, 1)
    )(W, x)
    # the solver stops at tol=1e-10, so agreement is to about that (measured: 4e-11)
    for a, b in zip(ours, ref):
        np.testing.assert_allclose(a, np.asarray(b), rtol=1e-7, atol=1e-10)


def test_every_transform_and_second_derivatives(problem):
    W, x, _ = problem

    def implicit(x):
        return ad.fixed_point(layer, np.zeros(N), W, x)

    def plain(x):
        return unrolled(W, x, n_iter=120)

    for transform in (ad.jacfwd, ad.jacrev):
        np.testing.assert_allclose(transform(implicit)(x), transform(plain)(x), atol=1e-10)
    v = np.arange(1.0, N + 1)
    np.testing.assert_allclose(
        ad.jvp(implicit, (x,), (v,))[1], ad.jvp(plain, (x,), (v,))[1], atol=1e-10
    )
    s = lambda f: lambda x: anp.sum(f(x) ** 3)  # noqa: E731
    np.testing.assert_allclose(ad.hessian(s(implicit))(x), ad.hessian(s(plain))(x), atol=1e-9)
    np.testing.assert_allclose(
        ad.jacrev(ad.grad(s(implicit)))(x), ad.hessian(s(plain))(x), atol=1e-9
    )
    ad.check_grads(implicit, (x,), order=2)


def test_newton_takes_few_iterations_and_params_may_be_pytrees(problem):
    W, x, _ = problem
    calls = {"iterate": 0, "newton": 0}

    def f(z, p, method):
        if not isinstance(z, ad.core.Tracer):  # count iterations, not jacfwd's evaluations
            calls[method] += 1
        return anp.tanh(p["W"] @ z + p["x"][0])

    sols = {}
    for method in calls:
        sols[method] = ad.fixed_point(
            lambda z, p, m=method: f(z, p, m), np.zeros(N), {"W": W, "x": [x]}, method=method
        )
    np.testing.assert_allclose(sols["newton"], sols["iterate"], atol=1e-10)
    assert calls["newton"] <= 6 < 10 < calls["iterate"], calls  # quadratic vs linear
    g = ad.grad(lambda p: anp.sum(ad.fixed_point(layer, np.zeros(N), p["W"], p["x"])))(
        {"W": W, "x": x}
    )
    assert set(g) == {"W", "x"} and g["W"].shape == (N, N)


def _peak(fn, *args):
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        out = fn(*args)
        return out, tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_number_of_iterations(rng):
    # a slow contraction (rate 0.95) on a large state, so the iterations dominate memory
    n = 3000
    a = rng.uniform(0.0, 0.95, size=n)
    x = rng.standard_normal(n)
    counts = {}

    def f(z, x, key):
        counts[key] = counts.get(key, 0) + 1
        return a * anp.sin(z) + x

    def loss(x, tol):
        return anp.sum(ad.fixed_point(lambda z, x: f(z, x, tol), np.zeros(n), x, tol=tol))

    g_loose, peak_loose = _peak(ad.grad(lambda x: loss(x, 1e-5)), x)
    g_tight, peak_tight = _peak(ad.grad(lambda x: loss(x, 1e-13)), x)
    assert counts[1e-13] > 2 * counts[1e-5]  # the tight solve iterates much longer...
    assert peak_tight < 1.3 * peak_loose  # ...in the same memory
    np.testing.assert_allclose(g_tight, g_loose, rtol=1e-3)

    # unrolled reverse mode stores every iteration: memory proportional to their number
    def loss_unrolled(x, n_iter):
        z = np.zeros(n)
        for _ in range(n_iter):
            z = a * anp.sin(z) + x
        return anp.sum(z)

    g_unrolled, peak_unrolled = _peak(ad.grad(lambda x: loss_unrolled(x, 400)), x)
    np.testing.assert_allclose(g_tight, g_unrolled, rtol=1e-9)
    print(
        f"iterations {counts[1e-5]} vs {counts[1e-13]}; peak {peak_loose / 1e6:.2f} MB vs "
        f"{peak_tight / 1e6:.2f} MB; unrolled (400 iterations) {peak_unrolled / 1e6:.1f} MB"
    )
    assert peak_unrolled > 10 * peak_tight


def test_convergence_errors_say_what_happened_and_what_to_try():
    grow = lambda z, a: 2.0 * z + a  # noqa: E731  (fixed point -a, repelling)
    with pytest.raises(ad.ConvergenceError, match=r"method='iterate'.*iteration.*residual") as e:
        ad.fixed_point(grow, np.ones(2), 1.0, max_iter=50)
    assert e.value.iterations <= 50 and e.value.residual > 1.0 and e.value.method == "iterate"
    assert "method='newton'" in str(e.value)
    # Newton finds the repelling fixed point in one step
    np.testing.assert_allclose(ad.fixed_point(grow, np.ones(2), 1.0, method="newton"), -1.0)
    with pytest.raises(ad.ConvergenceError, match="did not converge after 3 iteration"):
        ad.fixed_point(lambda z, a: 0.999 * z + a, 0.0, 1.0, max_iter=3)
    with pytest.raises(ad.ConvergenceError, match="singular"):
        ad.fixed_point(lambda z, a: z + a, 0.0, 1.0, method="newton")
    with pytest.raises(ad.ConvergenceError, match="non-finite"), np.errstate(over="ignore"):
        ad.fixed_point(lambda z, a: anp.exp(z) * a, 1.0, 100.0)


def test_bad_arguments_are_explained():
    f = lambda z, a: 0.5 * z + a  # noqa: E731
    with pytest.raises(ValueError, match="unknown method 'broyden'"):
        ad.fixed_point(f, 0.0, 1.0, method="broyden")
    with pytest.raises(ValueError, match="tol must be"):
        ad.fixed_point(f, 0.0, 1.0, tol=0.0)
    with pytest.raises(ValueError, match="max_iter"):
        ad.fixed_point(f, 0.0, 1.0, max_iter=0)
    with pytest.raises(TypeError, match="one array"):
        ad.fixed_point(f, (0.0, 1.0), 1.0)
    with pytest.raises(TypeError, match="floating point"):
        ad.fixed_point(f, 0, 1.0)
    with pytest.raises(ValueError, match="same shape"):
        ad.fixed_point(lambda z, a: np.ones(3) * a, 0.0, 1.0)
