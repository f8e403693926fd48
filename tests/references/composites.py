"""Composite functions, written once for the three namespaces, and what is computed
on them (first and second order, vector outputs, has_aux)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

import autodiff_lite as ad

from .backends import OURS
from .frameworks import random_like, tree_map
from .namespaces import ANP


def tutorial(ns, x):
    """The JAX autodiff tutorial's example (y += ... must not mutate x)."""
    y = x
    for _ in range(4):
        y += x[0] ** 2 + ns.sin(x[1]) + ns.exp(-x[2])
    return ns.sum(y)


def tutorial_out_of_place(ns, x):
    """The same function for PyTorch, where ``y += ...`` on a tensor is in place (it would
    write into x). For autodiff_lite and JAX, ``+=`` on a traced value is exactly this."""
    y = x
    for _ in range(4):
        y = y + (x[0] ** 2 + ns.sin(x[1]) + ns.exp(-x[2]))
    return ns.sum(y)


def mlp_predict(ns, params, x):
    h = ns.tanh(x @ params["W1"] + params["b1"])
    return h @ params["W2"] + params["b2"], h


def mlp_loss(ns, params, x, y):
    pred, _ = mlp_predict(ns, params, x)
    return ns.mean((pred - y) ** 2)


def mlp_loss_aux(ns, params, x, y):
    pred, h = mlp_predict(ns, params, x)
    return ns.mean((pred - y) ** 2), {"pred": pred, "activity": ns.sum(h * h, axis=0)}


LABELS = np.array([0, 2, 1, 2, 3])


def xent_logsumexp(ns, W, x):
    """Softmax cross-entropy with the library's ``logsumexp``."""
    logits = x @ W
    picked = ns.take(logits, (np.arange(len(LABELS)), LABELS))
    return ns.mean(ns.logsumexp(logits, axis=1) - picked)


def xent_manual(ns, W, x):
    """Softmax cross-entropy written out: max shift (a constant), log-softmax, one-hot."""
    logits = x @ W
    m = ns.stop_gradient(ns.max(logits, axis=1, keepdims=True))
    shifted = logits - m
    logp = shifted - ns.log(ns.sum(ns.exp(shifted), axis=1, keepdims=True))
    onehot = ns.const(np.eye(W.shape[1])[LABELS], like=x)
    return -ns.mean(ns.sum(onehot * logp, axis=1))


def spring_energy(ns, pos):
    """A chain of springs (rest length 1, stiffness 10) under gravity, pos of shape (n, 2)."""
    d = pos[1:] - pos[:-1]
    length = ns.norm(d, axis=1)
    elastic = 0.5 * 10.0 * ns.sum((length - 1.0) ** 2)
    gravity = 9.81 * ns.sum(pos[:, 1])
    return elastic + gravity


def linalg_fn(ns, A, b):
    x = ns.solve(A, b)
    return ns.norm(x) + 0.1 * ns.det(A) + ns.sum((ns.inv(A) @ b) * ns.tanh(x))


def linalg_vec(ns, A, b):
    return ns.solve(A, b) * ns.tanh(b) + ns.inv(A) @ ns.sin(b)


_REPEATED = np.array([0, 2, 2, 5])


def kitchen_sink(ns, x):
    """Indexing (slices, repeated integer indices), concatenate, stack, where, maximum,
    clip, cumsum, einsum: x of shape (6,) -> shape (10,)."""
    a = x[1:4]
    b = ns.take(x, (_REPEATED,))  # x[2] is used twice: its cotangents must add up
    c = ns.concatenate([a, 2.0 * b], axis=0)  # (7,)
    s = ns.stack([c, c**2, ns.cos(c)], axis=0)  # (3, 7)
    w = ns.where(c > 0, c, 0.1 * c)  # leaky relu
    m = ns.maximum(s[0], 0.5 * s[1])
    cl = ns.clip(c, -0.5, 0.7)
    cs = ns.cumsum(w * cl, axis=0)
    e = ns.einsum("ij,j->i", s, m)
    return ns.concatenate([cs, e], axis=0)


def kitchen_sink_scalar(ns, x):
    v = kitchen_sink(ns, x)
    return ns.sum(v * ns.sin(v))


@dataclass
class Composite:
    name: str
    fn: Callable  # fn(ns, *args)
    make_args: Callable  # rng -> tuple of numpy pytrees
    vector: bool = False  # non-scalar output (for jacobians, jvp, vjp only)
    torch_fn: Callable | None = None  # a PyTorch spelling, where it has to differ
    argnums: tuple = ()  # argnums (tuples) to test grad/jacobians with, beyond the default 0

    def for_ns(self, ns):
        fn = self.torch_fn if (self.torch_fn is not None and ns.name == "torch") else self.fn
        return lambda *args: fn(ns, *args)


def _wc(rng, n=3):
    return np.eye(n) * 2.0 + 0.3 * rng.standard_normal((n, n))


def _mlp_args(rng):
    params = {
        "W1": 0.7 * rng.standard_normal((3, 4)),
        "b1": 0.1 * rng.standard_normal(4),
        "W2": 0.7 * rng.standard_normal((4, 2)),
        "b2": 0.1 * rng.standard_normal(2),
    }
    return params, rng.standard_normal((5, 3)), rng.standard_normal((5, 2))


def _chain(rng):
    # A roughly straight chain, stretched and compressed a little.
    pos = np.stack([np.arange(5.0), np.zeros(5)], axis=1)
    return (pos + 0.3 * rng.standard_normal((5, 2)),)


COMPOSITES = {
    c.name: c
    for c in [
        Composite(
            "tutorial",
            tutorial,
            lambda rng: (rng.uniform(-2, 2, 3),),
            torch_fn=tutorial_out_of_place,
        ),
        Composite("mlp_loss", mlp_loss, _mlp_args, argnums=((0,), (0, 1), (0, 1, 2))),
        Composite(
            "xent_logsumexp",
            xent_logsumexp,
            lambda rng: (rng.standard_normal((3, 4)), rng.standard_normal((5, 3))),
            argnums=((0, 1),),
        ),
        Composite(
            "xent_manual",
            xent_manual,
            lambda rng: (rng.standard_normal((3, 4)), rng.standard_normal((5, 3))),
            argnums=((0, 1),),
        ),
        Composite("spring_energy", spring_energy, _chain),
        Composite(
            "linalg",
            linalg_fn,
            lambda rng: (_wc(rng), rng.standard_normal(3)),
            argnums=((0, 1), (1,)),
        ),
        Composite(
            "kitchen_sink_scalar", kitchen_sink_scalar, lambda rng: (rng.uniform(-1.5, 1.5, 6),)
        ),
        Composite(
            "kitchen_sink", kitchen_sink, lambda rng: (rng.uniform(-1.5, 1.5, 6),), vector=True
        ),
        Composite(
            "linalg_vec",
            linalg_vec,
            lambda rng: (_wc(rng), rng.standard_normal(3)),
            vector=True,
            argnums=((0, 1),),
        ),
    ]
}
SCALAR_COMPOSITES = [n for n, c in COMPOSITES.items() if not c.vector]
VECTOR_COMPOSITES = [n for n, c in COMPOSITES.items() if c.vector]


# --- composite functions -------------------------------------------------------------------


def composite_first_order(T, comp: Composite, inp, thorough=True) -> dict:
    f, a = comp.for_ns(T.ns), tuple(inp["args"])
    argnums = [0, *comp.argnums] if thorough else (list(comp.argnums[-1:]) or [0])
    out = {f"grad argnums={n}": T.grad(f, argnums=n)(*a) for n in argnums}
    out["value_and_grad"] = T.value_and_grad(f)(*a)
    out["jvp"] = T.jvp(f, a, tuple(inp["t"]))
    y, pullback = T.vjp(f, *a)
    out["vjp"] = (y, pullback(inp["ct"]))
    return out


def composite_second_order(T, comp: Composite, inp, thorough=True) -> dict:
    f, a = comp.for_ns(T.ns), tuple(inp["args"])
    out = {"hessian": T.hessian(f)(*a)}
    if T is OURS:  # the nestings the Hessian is made of, against the reference's Hessian
        out["jacfwd(jacrev(f))"] = ad.jacfwd(ad.jacrev(f))(*a)
        out["jacrev(jacfwd(f))"] = ad.jacrev(ad.jacfwd(f))(*a)
    multi = [n for n in comp.argnums if isinstance(n, tuple) and len(n) > 1][:1]
    for n in multi if thorough else []:
        out[f"hessian argnums={n}"] = T.hessian(f, argnums=n)(*a)
    out["hvp"] = T.hvp(f, a, tuple(inp["t"]))

    # grad(grad(phi)) with phi(s) = f(x0 + s v, *rest): the second directional derivative
    def phi(s):
        return f(tree_map_2(lambda x, v: x + s * v, a[0], inp["v"]), *a[1:])

    if thorough:
        out["grad(grad(f on a line))"] = T.grad(T.grad(phi))(inp["s"])
    return out


SECOND_ORDER_ALIAS = {"jacfwd(jacrev(f))": "hessian", "jacrev(jacfwd(f))": "hessian"}


def composite_inputs(comp: Composite, rng, dtype=np.float64) -> dict:
    args = tree_map(lambda a: np.asarray(a, dtype=dtype), comp.make_args(rng))
    y = np.asarray(comp.fn(ANP, *args))
    return dict(
        args=args,
        t=random_like(rng, args),
        ct=np.asarray(rng.standard_normal(y.shape), dtype=y.dtype),
        v=random_like(rng, args[0]),
        s=np.asarray(0.3, dtype=dtype),
    )


def tree_map_2(f, a, b):
    if isinstance(a, dict):
        return {k: tree_map_2(f, a[k], b[k]) for k in a}
    if isinstance(a, (tuple, list)):
        return type(a)(tree_map_2(f, x, y) for x, y in zip(a, b))
    return f(a, b)


def vector_composite(T, comp: Composite, inp) -> dict:
    f, a = comp.for_ns(T.ns), tuple(inp["args"])
    out = {"jvp": T.jvp(f, a, tuple(inp["t"])), "vjp": T.vjp(f, *a)[1](inp["ct"])}
    for n in [0, *comp.argnums]:
        out[f"jacfwd argnums={n}"] = T.jacfwd(f, argnums=n)(*a)
        out[f"jacrev argnums={n}"] = T.jacrev(f, argnums=n)(*a)
    return out


def has_aux_results(T, comp, inp) -> dict:
    """grad, value_and_grad and vjp with has_aux=True: the MLP loss returning (loss, aux)."""
    params, x, y = inp["args"]

    def f(*a):
        return mlp_loss_aux(T.ns, *a)

    out = {
        "grad(has_aux=True)": T.grad(f, has_aux=True)(params, x, y),
        "value_and_grad(argnums=(0, 1), has_aux=True)": T.value_and_grad(
            f, argnums=(0, 1), has_aux=True
        )(params, x, y),
    }
    value, pullback, aux = T.vjp(lambda p: f(p, x, y), params, has_aux=True)
    out["vjp(has_aux=True)"] = (value, aux, pullback(inp["ct"]))
    return out
