"""Optimizers as pure functions on pytrees: SGD (with momentum) and Adam.

An optimizer is a pair of functions, as in optax: ``state = opt.init(params)`` and
``params, state = opt.update(params, grads, state)``. Nothing is mutated, so an
update can itself be differentiated (e.g. with respect to the learning rate), and
a training loop is plain Python::

    >>> opt = Adam(lr=0.1)
    >>> params = {"w": np.array([1.0, -2.0])}
    >>> state = opt.init(params)
    >>> for _ in range(100):
    ...     grads = ad.grad(lambda p: anp.sum(p["w"] ** 2))(params)
    ...     params, state = opt.update(params, grads, state)
    >>> bool(np.abs(params["w"]).max() < 0.05)
    True

The update rules follow PyTorch's conventions exactly (``torch.optim.SGD`` with
``dampening=0``, ``torch.optim.Adam`` of Kingma & Ba 2015), so a lesson can check
them against PyTorch step by step.
"""

from __future__ import annotations

import numpy as np

from . import numpy as anp
from .core import dtype_of, shape_of, value_of
from .errors import ShapeMismatchError
from .tree import tree_flatten, tree_unflatten

__all__ = ["SGD", "Adam", "clip_grad_norm"]


def _check_grads(params, grads, where: str):
    p_leaves, p_tree = tree_flatten(params)
    g_leaves, g_tree = tree_flatten(grads)
    if p_tree != g_tree:
        raise ValueError(
            f"{where}: grads must have the structure of params {p_tree}, got {g_tree}; "
            f"pass the output of ad.grad(loss)(params)"
        )
    for i, (p, g) in enumerate(zip(p_leaves, g_leaves)):
        if not np.issubdtype(dtype_of(p), np.floating):
            raise TypeError(
                f"{where}: parameter {i} has dtype {dtype_of(p)}; parameters must be "
                f"floating point (np.array([1.0, 2.0]), not [1, 2])"
            )
        if shape_of(p) != shape_of(g):
            raise ShapeMismatchError(
                f"{where}: gradient {i} has shape {shape_of(g)} but its parameter has "
                f"shape {shape_of(p)}"
            )
    return p_leaves, g_leaves, p_tree


def _check_lr(lr, where):
    if not np.all(np.asarray(value_of(lr)) > 0):
        raise ValueError(f"{where}: lr must be > 0, got {lr!r}")


def clip_grad_norm(grads, max_norm: float):
    """Scale ``grads`` so that their global 2-norm is at most ``max_norm``.

    Returns ``(clipped_grads, norm)``, ``norm`` taken before clipping, with the same
    formula as ``torch.nn.utils.clip_grad_norm_``: scale by
    ``min(1, max_norm / (norm + 1e-6))``.

    >>> g, norm = clip_grad_norm({"a": np.array([3.0, 4.0])}, 1.0)
    >>> print(norm, g["a"].round(4))
    5.0 [0.6 0.8]
    """
    if not max_norm > 0:
        raise ValueError(f"clip_grad_norm: max_norm must be > 0, got {max_norm!r}")
    leaves, tree = tree_flatten(grads)
    if not leaves:
        return grads, 0.0
    norm = anp.sqrt(sum(anp.sum(g * g) for g in leaves))
    scale = anp.minimum(max_norm / (norm + 1e-6), 1.0)
    return tree_unflatten(tree, [g * scale for g in leaves]), norm


class SGD:
    """Stochastic gradient descent, optionally with momentum (PyTorch's convention):
    ``v = momentum * v + g`` then ``p = p - lr * v``; with ``nesterov``,
    ``p = p - lr * (g + momentum * v)``.
    """

    def __init__(self, lr: float, momentum: float = 0.0, nesterov: bool = False, clip_norm=None):
        _check_lr(lr, "SGD")
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"SGD: momentum must be in [0, 1), got {momentum!r}")
        if nesterov and momentum == 0.0:
            raise ValueError("SGD: nesterov=True needs a momentum > 0")
        self.lr, self.momentum, self.nesterov, self.clip_norm = lr, momentum, nesterov, clip_norm

    def __repr__(self) -> str:
        return f"SGD(lr={self.lr}, momentum={self.momentum}, nesterov={self.nesterov})"

    def init(self, params) -> dict:
        leaves, tree = tree_flatten(params)
        return {"step": 0, "velocity": tree_unflatten(tree, [anp.zeros_like(p) for p in leaves])}

    def update(self, params, grads, state):
        p_leaves, g_leaves, tree = _check_grads(params, grads, "SGD.update")
        if self.clip_norm is not None:
            g_leaves = tree_flatten(clip_grad_norm(g_leaves, self.clip_norm)[0])[0]
        v_leaves = tree_flatten(state["velocity"])[0]
        new_p, new_v = [], []
        for p, g, v in zip(p_leaves, g_leaves, v_leaves):
            if self.momentum:
                v = self.momentum * v + g
                g = g + self.momentum * v if self.nesterov else v
            new_p.append(p - self.lr * g)
            new_v.append(v)
        state = {"step": state["step"] + 1, "velocity": tree_unflatten(tree, new_v)}
        return tree_unflatten(tree, new_p), state


class Adam:
    """Adam (Kingma & Ba 2015) with bias correction, the same arithmetic as
    ``torch.optim.Adam``: ``m = b1 m + (1 - b1) g``, ``v = b2 v + (1 - b2) g^2``,
    ``p = p - lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)``."""

    def __init__(self, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8, clip_norm=None):
        _check_lr(lr, "Adam")
        if len(betas) != 2 or not all(0.0 <= b < 1.0 for b in betas):
            raise ValueError(f"Adam: betas must be two numbers in [0, 1), got {betas!r}")
        if not eps >= 0:
            raise ValueError(f"Adam: eps must be >= 0, got {eps!r}")
        self.lr, self.betas, self.eps, self.clip_norm = lr, tuple(betas), eps, clip_norm

    def __repr__(self) -> str:
        return f"Adam(lr={self.lr}, betas={self.betas}, eps={self.eps})"

    def init(self, params) -> dict:
        leaves, tree = tree_flatten(params)
        zeros = [anp.zeros_like(p) for p in leaves]
        return {"step": 0, "m": tree_unflatten(tree, zeros), "v": tree_unflatten(tree, zeros)}

    def update(self, params, grads, state):
        p_leaves, g_leaves, tree = _check_grads(params, grads, "Adam.update")
        if self.clip_norm is not None:
            g_leaves = tree_flatten(clip_grad_norm(g_leaves, self.clip_norm)[0])[0]
        b1, b2 = self.betas
        t = state["step"] + 1
        step_size = self.lr / (1.0 - b1**t)
        root_c2 = np.sqrt(1.0 - b2**t)
        new_p, new_m, new_v = [], [], []
        for p, g, m, v in zip(
            p_leaves, g_leaves, tree_flatten(state["m"])[0], tree_flatten(state["v"])[0]
        ):
            m = b1 * m + (1.0 - b1) * g
            v = b2 * v + (1.0 - b2) * (g * g)
            new_p.append(p - step_size * (m / (anp.sqrt(v) / root_c2 + self.eps)))
            new_m.append(m)
            new_v.append(v)
        state = {"step": t, "m": tree_unflatten(tree, new_m), "v": tree_unflatten(tree, new_v)}
        return tree_unflatten(tree, new_p), state
