"""ad.relax: limits of the relaxations, gradients (finite differences, JAX), and the
statistics of the REINFORCE estimator."""

from __future__ import annotations

import numpy as np
import pytest

import autodiff_lite as ad
import autodiff_lite.numpy as anp
from autodiff_lite import relax


def test_soft_cut_tends_to_the_hard_cut(rng):
    x = rng.uniform(-2, 2, size=200)
    x = x[np.abs(x - 0.3) > 1e-3]
    hard = (x > 0.3).astype(float)
    errors = [np.abs(relax.soft_cut(x, 0.3, k) - hard).max() for k in (1.0, 10.0, 1e3, 1e5)]
    assert errors == sorted(errors, reverse=True)  # monotone in the steepness
    assert errors[0] > 0.2 and errors[-1] < 1e-12
    assert relax.soft_cut(0.3, 0.3, 50.0) == 0.5  # on the edge: half


@pytest.mark.parametrize("weighted", [False, True])
def test_soft_histogram_tends_to_np_histogram(weighted, rng):
    x = rng.standard_normal(500)
    edges = np.linspace(-3, 3, 13)
    weights = rng.uniform(0.5, 2.0, size=500) if weighted else None
    ref = np.histogram(x, edges, weights=weights)[0]
    gap = np.abs(x[:, None] - edges[None, :]).min()  # how close a sample comes to an edge
    soft = relax.soft_histogram(x, edges, bandwidth=gap / 40, weights=weights)
    np.testing.assert_allclose(soft, ref, atol=1e-9)
    wide = relax.soft_histogram(x, edges, bandwidth=0.3, weights=weights)
    assert np.abs(wide - ref).max() > 1.0  # a wide kernel really is different...
    total = np.sum(weights) if weighted else 500
    assert wide.sum() < total  # ...and loses mass off the two outer edges


def test_gradients_match_finite_differences(rng):
    x, edges, w = rng.standard_normal(20), np.linspace(-2, 2, 6), rng.uniform(size=20)
    ad.check_grads(lambda x: relax.soft_histogram(x, edges, 0.4), (x,), order=2)
    ad.check_grads(lambda e, h: relax.soft_histogram(x, e, h, weights=w), (edges, 0.4), order=1)
    ad.check_grads(lambda x, t: relax.soft_cut(x, t, 3.0), (x, 0.2), order=2)
    ad.check_grads(relax.sigmoid, (x * 5,), order=2)


def test_soft_histogram_and_soft_cut_match_jax(rng, jax_device):
    jax = pytest.importorskip("jax")
    jnp = jax.numpy

    def jax_hist(x, edges, h, w):
        cdf = jax.nn.sigmoid((edges[None, :] - x[:, None]) / h)
        return jnp.sum((cdf[:, 1:] - cdf[:, :-1]) * w[:, None], axis=0)

    x, edges, w = rng.standard_normal(30), np.linspace(-2, 2, 7), rng.uniform(size=30)
    u = rng.standard_normal(6)
    y, vjp_fn = ad.vjp(lambda x, e, h, w: relax.soft_histogram(x, e, h, w), x, edges, 0.3, w)
    put = lambda a: jax.device_put(a, jax_device)  # noqa: E731
    jy, jvjp = jax.vjp(jax_hist, put(x), put(edges), put(0.3), put(w))
    np.testing.assert_allclose(y, np.asarray(jy), rtol=1e-12)
    for ours, theirs in zip(vjp_fn(u), jvjp(put(u))):
        np.testing.assert_allclose(ours, np.asarray(theirs), rtol=1e-10, atol=1e-12)
    g = ad.grad(lambda k: anp.sum(relax.soft_cut(x, 0.1, k) * x))(4.0)
    jg = jax.grad(lambda k: jnp.sum(jax.nn.sigmoid(k * (put(x) - 0.1)) * put(x)))(put(4.0))
    assert g == pytest.approx(float(jg), rel=1e-10)


def test_straight_through_has_the_hard_value_and_the_soft_gradient(rng):
    x = rng.uniform(-1, 1, size=10)

    def f(x):
        soft = relax.sigmoid(4.0 * x)
        hard = anp.where(x > 0, 1.0, 0.0)
        return relax.straight_through(hard, soft)

    np.testing.assert_array_equal(f(x), (x > 0).astype(float))  # exactly the hard value
    j = ad.jacrev(f)(x)
    np.testing.assert_allclose(j, ad.jacrev(lambda x: relax.sigmoid(4.0 * x))(x))
    np.testing.assert_allclose(ad.jacfwd(f)(x), j)
    with pytest.raises(ad.ShapeMismatchError, match="same value"):
        relax.straight_through(np.ones(3), np.ones(4))


def test_reinforce_is_unbiased_and_a_baseline_reduces_its_variance():
    # E_{x ~ Bernoulli(p)}[f(x)] with f(1) = 3, f(0) = 5: the exact gradient in p is 3 - 5.
    # theta = logit(p); d/dtheta = (3 - 5) p (1 - p).
    theta, n_batches, batch = 0.4, 1000, 16
    p = 1 / (1 + np.exp(-theta))
    exact = (3.0 - 5.0) * p * (1 - p)
    rng = np.random.default_rng(12345)

    def estimates(baseline):
        out = np.empty(n_batches)
        for i in range(n_batches):
            x = (rng.uniform(size=batch) < p).astype(float)
            f = np.where(x == 1, 3.0, 5.0)

            def surrogate(theta, x=x, f=f):
                q = relax.sigmoid(theta)
                logp = x * anp.log(q) + (1 - x) * anp.log(1 - q)
                return relax.reinforce_surrogate(logp, f, baseline)

            out[i] = ad.grad(surrogate)(theta)
        return out

    plain, with_baseline = estimates(None), estimates(4.0)
    for est in (plain, with_baseline):
        stderr = est.std(ddof=1) / np.sqrt(n_batches)
        assert abs(est.mean() - exact) < 4 * stderr, (est.mean(), exact, stderr)
    # the baseline near E[f] removes most of the variance
    assert with_baseline.var() < 0.1 * plain.var()


def test_reinforce_gaussian_mean_gradient():
    # d/dmu E_{x ~ N(mu, 1)}[x^2] = 2 mu; score of the mean: x - mu.
    rng = np.random.default_rng(7)
    mu, n = 0.7, 200_000
    x = mu + rng.standard_normal(n)
    g = ad.grad(lambda m: relax.reinforce_surrogate(-0.5 * (x - m) ** 2, x**2))(mu)
    stderr = np.std(x**2 * (x - mu)) / np.sqrt(n)
    assert abs(g - 2 * mu) < 4 * stderr


def test_errors_say_what_is_wrong():
    with pytest.raises(ValueError, match="steepness must be > 0"):
        relax.soft_cut(1.0, 0.0, -1.0)
    with pytest.raises(ValueError, match="strictly increasing"):
        relax.soft_histogram(np.ones(3), np.array([0.0, 2.0, 1.0]), 0.1)
    with pytest.raises(ValueError, match="bandwidth must be > 0"):
        relax.soft_histogram(np.ones(3), np.array([0.0, 1.0]), 0.0)
    with pytest.raises(ad.ShapeMismatchError, match="1-D"):
        relax.soft_histogram(np.ones((3, 2)), np.array([0.0, 1.0]), 0.1)
    with pytest.raises(ad.ShapeMismatchError, match="weights"):
        relax.soft_histogram(np.ones(3), np.array([0.0, 1.0]), 0.1, weights=np.ones(2))
    with pytest.raises(ad.ShapeMismatchError, match="one log-probability per"):
        relax.reinforce_surrogate(np.ones(3), np.ones(4))
