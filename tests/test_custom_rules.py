"""ad.custom_vjp and ad.custom_jvp against jax.custom_vjp / jax.custom_jvp and finite
differences, inside every transform, to second order."""

from __future__ import annotations

import numpy as np
import pytest

import autodiff_lite as ad
import autodiff_lite.numpy as anp

# --- the same functions in both libraries -----------------------------------------------


def make_log1pexp(lib, custom_jvp):
    """log(1 + e^x) with a stable derivative (the JAX documentation's example)."""

    @custom_jvp
    def log1pexp(x):
        return lib.log1p(lib.exp(x))

    def rule(primals, tangents):
        (x,), (x_dot,) = primals, tangents
        return log1pexp(x), (1.0 - 1.0 / (1.0 + lib.exp(x))) * x_dot

    log1pexp.defjvp(rule)
    return log1pexp


def make_softplus_vjp(lib, custom_vjp):
    """softplus with a hand-written VJP whose residual is x (so grad-of-grad needs it)."""

    @custom_vjp
    def softplus(x):
        return lib.log1p(lib.exp(x))

    def fwd(x):
        return softplus(x), x

    def bwd(x, g):
        return (g * 0.5 * (lib.tanh(0.5 * x) + 1.0),)

    softplus.defvjp(fwd, bwd)
    return softplus


def make_clip_gradient(lib, custom_vjp):
    """Identity forward, gradient clipped to [lo, hi] backward (from the JAX docs)."""

    @custom_vjp
    def clip_gradient(lo, hi, x):
        return x

    def fwd(lo, hi, x):
        return x, (lo, hi)

    def bwd(res, g):
        lo, hi = res
        return (None, None, lib.clip(g, lo, hi))

    clip_gradient.defvjp(fwd, bwd)
    return clip_gradient


@pytest.fixture(scope="module")
def jx(jax_device):
    jax = pytest.importorskip("jax")
    return jax, jax.numpy, lambda a: jax.device_put(np.asarray(a), jax_device)


X = np.array([-3.0, -0.5, 0.0, 0.7, 4.0])


def _close(a, b, rtol=1e-10):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=1e-12)


# --- custom_jvp ----------------------------------------------------------------------------


def test_custom_jvp_log1pexp_matches_jax_in_every_transform(jx):
    jax, jnp, put = jx
    ours = make_log1pexp(anp, ad.custom_jvp)
    theirs = make_log1pexp(jnp, jax.custom_jvp)
    x = put(X)
    _close(ours(X), theirs(x))
    _close(ad.jvp(ours, (X,), (np.ones(5),))[1], jax.jvp(theirs, (x,), (put(np.ones(5)),))[1])
    _close(ad.jacfwd(ours)(X), jax.jacfwd(theirs)(x))
    _close(ad.jacrev(ours)(X), jax.jacrev(theirs)(x))  # reverse mode by transposing the rule
    s = lambda f, lib: lambda x: lib.sum(f(x) * x)  # noqa: E731
    _close(ad.grad(s(ours, anp))(X), jax.grad(s(theirs, jnp))(x))
    _close(ad.hessian(s(ours, anp))(X), jax.hessian(s(theirs, jnp))(x))
    _close(ad.jacrev(ad.jacrev(s(ours, anp)))(X), jax.hessian(s(theirs, jnp))(x))


def test_custom_jvp_fixes_the_nan_of_the_plain_derivative():
    ours = make_log1pexp(anp, ad.custom_jvp)
    plain = lambda x: anp.log1p(anp.exp(x))  # noqa: E731
    with np.errstate(over="ignore", invalid="ignore"):
        assert np.isnan(ad.grad(plain)(800.0))  # inf / inf
        assert ad.grad(ours)(800.0) == 1.0
        assert ad.jvp(ours, (800.0,), (2.0,))[1] == 2.0


def test_custom_jvp_passes_finite_differences():
    ours = make_log1pexp(anp, ad.custom_jvp)
    ad.check_grads(ours, (X,), order=2, modes=("fwd", "rev"))
    ad.check_grads(lambda x: anp.sum(ours(x) ** 2), (X,), order=2)


def test_custom_jvp_with_two_arguments_and_a_pytree_output(jx, rng):
    jax, jnp, put = jx

    def make(lib, custom_jvp):
        @custom_jvp
        def f(x, y):
            return {"p": x * y, "q": lib.sin(x) + y**2}

        def rule(primals, tangents):
            (x, y), (xd, yd) = primals, tangents
            return f(x, y), {"p": xd * y + x * yd, "q": lib.cos(x) * xd + 2 * y * yd}

        f.defjvp(rule)
        return f

    ours, theirs = make(anp, ad.custom_jvp), make(jnp, jax.custom_jvp)
    x, y = rng.standard_normal(3), rng.standard_normal(3)
    loss = lambda f, lib: lambda x, y: lib.sum(f(x, y)["p"] * f(x, y)["q"])  # noqa: E731
    for a, b in zip(
        ad.grad(loss(ours, anp), argnums=(0, 1))(x, y),
        jax.grad(loss(theirs, jnp), argnums=(0, 1))(put(x), put(y)),
    ):
        _close(a, b)
    j = jax.jacfwd(lambda x: theirs(x, put(y))["q"])(put(x))
    _close(ad.jacfwd(lambda x: ours(x, y)["q"])(x), j)


# --- custom_vjp ----------------------------------------------------------------------------


def test_custom_vjp_matches_jax_to_second_order(jx):
    jax, jnp, put = jx
    ours = make_softplus_vjp(anp, ad.custom_vjp)
    theirs = make_softplus_vjp(jnp, jax.custom_vjp)
    x = put(X)
    _close(ours(X), theirs(x))
    _close(ad.jacrev(ours)(X), jax.jacrev(theirs)(x))
    s = lambda f, lib: lambda x: lib.sum(f(x) ** 2)  # noqa: E731
    _close(ad.grad(s(ours, anp))(X), jax.grad(s(theirs, jnp))(x))
    # reverse over reverse: f_bwd is differentiated, residual x included
    _close(ad.jacrev(ad.grad(s(ours, anp)))(X), jax.jacrev(jax.grad(s(theirs, jnp)))(x))


def test_clip_gradient_matches_jax(jx):
    jax, jnp, put = jx
    ours = make_clip_gradient(anp, ad.custom_vjp)
    theirs = make_clip_gradient(jnp, jax.custom_vjp)
    f = lambda clip, lib: lambda x: lib.sum(lib.sin(clip(-0.5, 0.5, x) * 3.0))  # noqa: E731
    g = ad.grad(f(ours, anp))(X)
    _close(g, jax.grad(f(theirs, jnp))(put(X)))
    assert np.abs(g).max() <= 0.5 and np.abs(3 * np.cos(3 * X)).max() > 0.5  # it clipped
    _close(ours(-0.5, 0.5, X), X)


def test_custom_vjp_with_pytrees(jx, rng):
    jax, jnp, put = jx

    def make(lib, custom_vjp):
        @custom_vjp
        def layer(params, x):
            return (lib.tanh(x @ params["W"]), lib.sum(params["b"] * x))

        def fwd(params, x):
            h = lib.tanh(x @ params["W"])
            return (h, lib.sum(params["b"] * x)), (params, x, h)

        def bwd(res, g):
            params, x, h = res
            gh, gs = g
            pre = gh * (1 - h**2)
            return {"W": lib.outer(x, pre), "b": gs * x}, params["W"] @ pre + gs * params["b"]

        layer.defvjp(fwd, bwd)
        return layer

    ours, theirs = make(anp, ad.custom_vjp), make(jnp, jax.custom_vjp)
    params = {"W": rng.standard_normal((3, 2)), "b": rng.standard_normal(3)}
    x = rng.standard_normal(3)
    loss = lambda f, lib: lambda p, x: lib.sum(f(p, x)[0] ** 2) + f(p, x)[1] ** 3  # noqa: E731
    ours_g = ad.grad(loss(ours, anp), argnums=(0, 1))(params, x)
    jparams = {k: put(v) for k, v in params.items()}
    theirs_g = jax.grad(loss(theirs, jnp), argnums=(0, 1))(jparams, put(x))
    for a, b in zip(ad.tree_leaves(ours_g), jax.tree_util.tree_leaves(theirs_g)):
        _close(a, b)
    # and the hand-written rule is right: finite differences on the reverse mode
    ad.check_grads(loss(ours, anp), (params, x), order=1, modes=("rev",))


def test_custom_vjp_runs_fwd_once_and_reuses_its_residuals():
    calls = {"fwd": 0, "bwd": 0}

    @ad.custom_vjp
    def square(x):
        return x * x

    def fwd(x):
        calls["fwd"] += 1
        return x * x, x

    def bwd(x, g):
        calls["bwd"] += 1
        return (2.0 * x * g,)

    square.defvjp(fwd, bwd)
    assert ad.grad(lambda x, y: square(x) * y, argnums=(0, 1))(3.0, 2.0) == (12.0, 9.0)
    assert calls == {"fwd": 1, "bwd": 1}
    assert square(4.0) == 16.0 and calls["fwd"] == 1  # no tracing: plain f
    ad.check_grads(square, (X,), order=2, modes=("rev",))


def test_forward_mode_on_custom_vjp_raises_a_clear_error():
    f = make_softplus_vjp(anp, ad.custom_vjp)
    with pytest.raises(ad.DifferentiationError, match="only has a VJP rule.*custom_jvp"):
        ad.jvp(f, (1.0,), (1.0,))
    with pytest.raises(ad.DifferentiationError, match="forward mode"):
        ad.hessian(lambda x: anp.sum(f(x)))(X)


def test_errors_in_user_rules_are_explained():
    @ad.custom_vjp
    def f(x, y):
        return x * y

    with pytest.raises(TypeError, match=r"no VJP rule yet: call f.defvjp"):
        f(1.0, 2.0)
    f.defvjp(lambda x, y: (x * y, (x, y)), lambda res, g: (g * res[1],))
    with pytest.raises(TypeError, match=r"one cotangent per argument \(2\)"):
        ad.grad(f)(1.0, 2.0)
    f.defvjp(lambda x, y: (x * y, (x, y)), lambda res, g: (np.ones(3), g * res[0]))
    with pytest.raises(ad.ShapeMismatchError, match=r"shape \(3,\) for argument 0"):
        ad.grad(f)(1.0, 2.0)

    @ad.custom_jvp
    def h(x):
        return x

    with pytest.raises(TypeError, match=r"no JVP rule yet"):
        h(1.0)
    h.defjvp(lambda p, t: t[0])
    with pytest.raises(TypeError, match=r"must return \(out, out_dot\)"):
        ad.jvp(h, (np.ones(2),), (np.ones(2),))


def test_function_primitive_runs_its_whole_function_vjp_once_per_visit():
    """The per-argument rules share one call of the whole-function VJP, and only while the
    very same cotangent and arguments come back (the invariant function_primitive checks)."""
    from autodiff_lite.function_primitive import function_primitive

    calls = []

    def vjp_all(ans_bar, ans, x, y):
        calls.append(1)
        return [ans_bar * y, ans_bar * x]

    times = function_primitive("times", np.multiply, vjp=vjp_all)
    x, y = np.array([1.0, 2.0]), np.array([3.0, 5.0])
    gx, gy = ad.grad(lambda x, y: anp.sum(times(x, y)), argnums=(0, 1))(x, y)
    np.testing.assert_allclose(gx, y)
    np.testing.assert_allclose(gy, x)
    assert len(calls) == 1  # two arguments, one call
    _, vjp_fn = ad.vjp(times, x, y)
    first = vjp_fn(np.ones(2))
    second = vjp_fn(2 * np.ones(2))  # a new cotangent: computed again, not the memo
    np.testing.assert_allclose(second[0], 2 * first[0])
    assert len(calls) == 3
    with pytest.raises(ad.DifferentiationError, match="no JVP"):
        ad.jvp(times, (x, y), (x, y))
