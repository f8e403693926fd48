"""vmap: every primitive's batching rule against jax.vmap, and vmap composed with grad.

Each primitive of ``ad.REGISTRY`` is batched at its test cases (``prim.cases``, arguments
drawn from ``prim.domains``) with the batch axis first, last, and (for primitives of
several arguments) with the first argument shared (``in_axes=None``), and compared with
``jax.vmap`` of the primitive's JAX reference. Per-example gradients are compared with a
Python loop and with ``jax.vmap(jax.grad(...))``.
"""

from __future__ import annotations

import numpy as np
import pytest
from references import REFERENCES
from references.frameworks import jax, jnp

import autodiff_lite as ad
import autodiff_lite.numpy as anp
from autodiff_lite import domains
from autodiff_lite.abstract import AbstractValueError
from autodiff_lite.batching import BATCH_RULES, BatchingError, vmap

pytestmark = pytest.mark.skipif(jax is None, reason="JAX is not installed")

B = 3  # batch size
ALL = sorted(n for n in REFERENCES if n in ad.REGISTRY)


def _arg_domains(name, k):
    prim = ad.REGISTRY[name]
    arity = len(prim.cases[k][0]) if not REFERENCES[name].value_only else REFERENCES[name].arity
    doms = list(prim.domains or ())
    doms += [doms[-1] if doms else domains.REAL] * (arity - len(doms))
    if name == "floor_divide":
        doms[1] = domains.NONZERO
    return doms[:arity]


def _cases(name):
    prim = ad.REGISTRY[name]
    for k, (shapes, _) in enumerate(prim.cases):
        arity = len(_arg_domains(name, k))
        shapes = tuple(shapes) + (shapes[0],) * (arity - len(shapes))
        variants = [("first", (0,) * arity), ("last", (-1,) * arity)]
        if arity > 1:
            variants.append(("shared", (None,) + (0,) * (arity - 1)))
        for label, axes in variants:
            yield pytest.param(name, k, axes, id=f"{name}-{k}-{label}")


PARAMS = [p for name in ALL for p in _cases(name)]


def test_every_primitive_has_a_batching_rule():
    missing = sorted(set(ad.REGISTRY) & set(REFERENCES) - set(BATCH_RULES))
    assert not missing, f"no batching rule for {missing}"


def _batched_args(name, k, axes, rng):
    prim = ad.REGISTRY[name]
    shapes, params = prim.cases[k]
    doms = _arg_domains(name, k)
    shapes = tuple(shapes) + (shapes[0],) * (len(doms) - len(shapes))
    args = []
    for dom, shape, ax in zip(doms, shapes, axes):
        if ax is None:
            args.append(dom(rng, shape))
            continue
        # one example after another, then the batch axis moved into place: a domain may
        # describe a whole matrix (well conditioned, symmetric positive definite...)
        x = np.moveaxis(dom(rng, (B, *shape)), 0, ax % (len(shape) + 1))
        args.append(x)
    return args, params


@pytest.mark.parametrize("name, k, axes", PARAMS)
def test_vmap_of_primitive_matches_jax(name, k, axes, rng):
    """Against the definition (a loop over the examples) always; against jax.vmap of the
    JAX reference for the batch axis first, and for every in_axes at the first case
    (JAX's eager dispatch costs ~0.2 s a call on this machine: the sweep stays short)."""
    prim = ad.REGISTRY[name]
    args, params = _batched_args(name, k, axes, rng)
    ours = np.asarray(vmap(lambda *a: prim(*a, **params), in_axes=axes)(*args))
    loop = [
        prim(*[a if ax is None else np.take(a, i, axis=ax) for a, ax in zip(args, axes)], **params)
        for i in range(B)
    ]
    loop = np.stack(loop)
    assert ours.shape == loop.shape and ours.dtype == loop.dtype, (ours.shape, loop.shape)
    np.testing.assert_allclose(ours.astype(float), loop.astype(float), rtol=1e-13)
    if k == 0 or all(ax == 0 for ax in axes):
        ref = jax.vmap(lambda *a: REFERENCES[name].jax(*a, **params), in_axes=axes)(*args)
        ref = np.asarray(ref)
        assert ours.shape == ref.shape, (ours.shape, ref.shape)
        np.testing.assert_allclose(ours.astype(float), ref.astype(float), rtol=1e-10)


def test_out_axes_and_unmapped_output():
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(vmap(anp.sin, out_axes=1)(x), np.sin(x).T)
    # an output that does not depend on the batch is broadcast along it, as in JAX
    np.testing.assert_allclose(vmap(lambda x: 2.0)(x), np.full(2, 2.0))


def _mlp_loss(ns):
    def loss(params, x, y):
        W1, b1, w2 = params
        h = ns.tanh(x @ W1 + b1)
        r = h @ w2 - y
        return r * r

    return loss


def _mlp_data(rng, n=5):
    params = (rng.standard_normal((3, 4)), rng.standard_normal(4), rng.standard_normal(4))
    return params, rng.standard_normal((n, 3)), rng.standard_normal(n)


def test_per_example_gradients_match_loop_and_jax(rng):
    params, xs, ys = _mlp_data(rng)
    loss = _mlp_loss(anp)
    ours = vmap(ad.grad(loss), in_axes=(None, 0, 0))(params, xs, ys)
    loop = [ad.grad(loss)(params, x, y) for x, y in zip(xs, ys)]
    ref = jax.vmap(jax.grad(_mlp_loss(jnp)), in_axes=(None, 0, 0))(params, xs, ys)
    for i in range(3):
        np.testing.assert_allclose(ours[i], np.stack([g[i] for g in loop]), rtol=1e-12)
        np.testing.assert_allclose(ours[i], np.asarray(ref[i]), rtol=1e-10)


def test_grad_of_vmap_matches_jax(rng):
    params, xs, ys = _mlp_data(rng)

    def total(ns, vm, grad):
        return grad(lambda p: ns.sum(vm(_mlp_loss(ns), in_axes=(None, 0, 0))(p, xs, ys)))(params)

    ours = total(anp, vmap, ad.grad)
    ref = total(jnp, jax.vmap, jax.grad)
    for a, b in zip(ours, ref):
        np.testing.assert_allclose(a, np.asarray(b), rtol=1e-10)


def test_jacobians_by_vmap_of_jvp_and_vjp(rng):
    def f(x):
        return anp.sin(x) * anp.sum(x * x) + anp.cumsum(x)

    x = rng.standard_normal(4)
    eye = np.eye(4)
    jac_fwd = vmap(lambda t: ad.jvp(f, (x,), (t,))[1], out_axes=1)(eye)
    _, pullback = ad.vjp(f, x)
    jac_rev = vmap(lambda ct: pullback(ct)[0])(eye)
    ref = np.asarray(jax.jacfwd(lambda x: jnp.sin(x) * jnp.sum(x * x) + jnp.cumsum(x))(x))
    np.testing.assert_allclose(jac_fwd, ref, rtol=1e-12)
    np.testing.assert_allclose(jac_rev, ref, rtol=1e-12)
    np.testing.assert_allclose(ad.jacfwd(f)(x), jac_fwd, rtol=1e-12)


def test_nested_vmap_and_hessians(rng):
    A = rng.standard_normal((2, 3, 4))
    v = rng.standard_normal(4)
    ours = vmap(vmap(lambda row, v: anp.sum(row * v), in_axes=(0, None)), in_axes=(0, None))(A, v)
    np.testing.assert_allclose(ours, A @ v)
    # per-example Hessians: vmap over jacfwd(grad)
    xs = rng.standard_normal((3, 2))
    ours = vmap(ad.hessian(lambda x: anp.sum(anp.sin(x) * anp.sin(x)) * x[0]))(xs)
    ref = jax.vmap(jax.hessian(lambda x: jnp.sum(jnp.sin(x) * jnp.sin(x)) * x[0]))(xs)
    np.testing.assert_allclose(ours, np.asarray(ref), rtol=1e-10)


def test_where_with_a_batched_comparison(rng):
    xs = rng.standard_normal((4, 3))
    f = lambda x: anp.where(x > 0, x, 0.1 * x)  # noqa: E731
    np.testing.assert_allclose(vmap(f)(xs), np.where(xs > 0, xs, 0.1 * xs))
    g = vmap(ad.grad(lambda x: anp.sum(f(x) * f(x))))(xs)
    np.testing.assert_allclose(g, np.where(xs > 0, 2 * xs, 0.02 * xs))


def test_clear_errors():
    x = np.ones((4, 3))
    with pytest.raises(AbstractValueError, match="anp.where"):
        vmap(lambda x: x if anp.sum(x) > 0 else -x)(x)
    with pytest.raises(BatchingError, match="different sizes"):
        vmap(lambda a, b: a + b)(x, np.ones((5, 3)))
    with pytest.raises(BatchingError, match="in_axes"):
        vmap(lambda a, b: a + b, in_axes=(0,))(x, x)
    with pytest.raises(BatchingError, match="no axis 2"):
        vmap(anp.sin, in_axes=2)(x)
    with pytest.raises(BatchingError, match="every in_axes is None"):
        vmap(anp.sin, in_axes=None)(x)
    with pytest.raises(AbstractValueError, match="x \\* x"):  # power's VJP reads values
        vmap(ad.grad(lambda x: anp.sum(x**2)))(x)
    lonely = ad.Primitive("no_rule_here", np.sin)
    with pytest.raises(BatchingError, match="'no_rule_here'.*BATCH_RULES"):
        vmap(lambda x: lonely(x))(x)
