"""Staging: make_graph records primitive applications; stage re-runs the graph per signature.

Checked against the eager function (the definition), grad of the eager function, and
jax.make_jaxpr's count of primitive applications for the same program.
"""

from __future__ import annotations

import numpy as np
import pytest
from references.frameworks import jax, jnp

import autodiff_lite as ad
import autodiff_lite.numpy as anp
from autodiff_lite.abstract import AbstractValueError
from autodiff_lite.staging import make_graph, stage


def mlp(ns):
    def f(x, W, b):
        h = x
        for _ in range(3):  # shape-only Python control flow: unrolled into the graph
            h = ns.tanh(h @ W + b)
        return ns.sum(h * h)

    return f


def _inputs(rng, batch=4, n=3):
    return rng.standard_normal((batch, n)), rng.standard_normal((n, n)), rng.standard_normal(n)


def test_graph_counts_and_prints(rng):
    args = _inputs(rng)
    graph = make_graph(mlp(anp))(*args)
    assert graph.count() == {"matmul": 3, "add": 3, "tanh": 3, "multiply": 1, "sum": 1}
    assert len(graph) == 11
    text = str(graph)
    assert text.startswith("{ lambda a:f64[4,3] b:f64[3,3] c:f64[3] . let")
    assert "tanh" in text and text.rstrip().endswith("}")
    # JAX's staged program of the same function applies the same number of tanh and dot ops
    jaxpr = jax.make_jaxpr(mlp(jnp))(*args)
    names = [eq.primitive.name for eq in jaxpr.jaxpr.eqns]
    assert names.count("tanh") == 3 and names.count("dot_general") == 3


def test_staged_equals_eager_and_traces_once_per_signature(rng):
    f = mlp(anp)
    staged = stage(f)
    for _ in range(3):
        args = _inputs(rng)
        np.testing.assert_allclose(staged(*args), f(*args), rtol=1e-13)
    assert staged.traces == 1
    args = _inputs(rng, batch=7)  # a new shape: a new trace
    np.testing.assert_allclose(staged(*args), f(*args), rtol=1e-13)
    assert staged.traces == 2 and len(staged.graphs) == 2
    staged(*[a.astype(np.float32) for a in args])  # a new dtype: a new trace
    assert staged.traces == 3


def test_grad_and_vmap_of_staged(rng):
    f = mlp(anp)
    staged = stage(f)
    args = _inputs(rng)
    for argnum in range(3):
        np.testing.assert_allclose(
            ad.grad(staged, argnums=argnum)(*args), ad.grad(f, argnums=argnum)(*args), rtol=1e-12
        )
    ref = jax.grad(mlp(jnp), argnums=1)(*args)
    np.testing.assert_allclose(ad.grad(staged, argnums=1)(*args), np.asarray(ref), rtol=1e-10)
    xs = rng.standard_normal((5, 4, 3))
    per = ad.vmap(staged, in_axes=(0, None, None))(xs, args[1], args[2])
    np.testing.assert_allclose(per, [f(x, args[1], args[2]) for x in xs], rtol=1e-13)
    # a staged gradient: the backward pass itself becomes a graph
    g = stage(ad.grad(f, argnums=1))
    np.testing.assert_allclose(g(*args), ad.grad(f, argnums=1)(*args), rtol=1e-13)


def test_value_dependent_control_flow_is_refused_with_a_clear_error(rng):
    def relu_if(x):
        if anp.sum(x) > 0:
            return x
        return 0.0 * x

    with pytest.raises(AbstractValueError, match="frozen into the graph.*anp.where"):
        stage(relu_if)(np.ones(3))
    # the fix: both branches in the graph, one kept per element
    relu = stage(lambda x: anp.where(x > 0, x, 0.0))
    x = rng.standard_normal(6)
    np.testing.assert_allclose(relu(x), np.maximum(x, 0.0))
    np.testing.assert_allclose(relu(-x), np.maximum(-x, 0.0))
    assert relu.traces == 1


def test_graph_refuses_another_structure():
    graph = make_graph(lambda x, y: x * y)(np.ones(2), np.ones(2))
    with pytest.raises(TypeError, match="different argument structure"):
        graph(np.ones(2))
