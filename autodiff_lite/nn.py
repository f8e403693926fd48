"""Neural-network building blocks: initializers, layers, activations and losses.

A network here is just a pytree of parameters (a list of ``{"W", "b"}`` dicts) and
a pure function ``mlp(params, x)``; training is ``ad.grad`` of a loss with respect
to that pytree. Everything is written with :mod:`autodiff_lite.numpy`, so it can be
differentiated to any order.

Initializers keep the variance of activations roughly constant from layer to layer
(Glorot & Bengio 2010; He et al. 2015; LeCun et al. 1998):

==========  ==========================  =============================
``init``    distribution of ``W``       variance
==========  ==========================  =============================
"glorot"    uniform(-a, a)              2 / (n_in + n_out)
"he"        normal                      2 / n_in (for ReLU layers)
"lecun"     normal                      1 / n_in
==========  ==========================  =============================

>>> rng = np.random.default_rng(0)
>>> params = init_mlp(rng, [2, 8, 3])
>>> logits = mlp(params, np.ones((5, 2)))
>>> logits.shape
(5, 3)
>>> print(round(float(cross_entropy(np.zeros((2, 4)), np.array([0, 3]))), 4))  # log 4
1.3863
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from . import numpy as anp
from .core import dtype_of, shape_of
from .errors import ShapeMismatchError
from .relax import sigmoid

__all__ = [
    "cross_entropy",
    "dense",
    "init_dense",
    "init_mlp",
    "log_softmax",
    "mlp",
    "mse",
    "relu",
    "sigmoid",
    "softmax",
    "softplus",
]

INITS = ("glorot", "he", "lecun")


def _check_rng(rng, where: str) -> None:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"{where}: rng must be a numpy Generator, e.g. np.random.default_rng(0); "
            f"got {type(rng).__name__}"
        )


def init_dense(rng: np.random.Generator, n_in: int, n_out: int, init: str = "glorot") -> dict:
    """Parameters of one dense layer: ``{"W": (n_in, n_out), "b": (n_out,)}``, b = 0.

    >>> p = init_dense(np.random.default_rng(0), 3, 2, init="he")
    >>> p["W"].shape, p["b"].shape
    ((3, 2), (2,))
    """
    _check_rng(rng, "init_dense")
    for name, n in (("n_in", n_in), ("n_out", n_out)):
        if not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"init_dense: {name} must be a positive integer, got {n!r}")
    if init == "glorot":
        limit = np.sqrt(6.0 / (n_in + n_out))  # variance limit**2 / 3 = 2 / (n_in + n_out)
        W = rng.uniform(-limit, limit, size=(n_in, n_out))
    elif init == "he":
        W = rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)
    elif init == "lecun":
        W = rng.standard_normal((n_in, n_out)) * np.sqrt(1.0 / n_in)
    else:
        raise ValueError(f"init_dense: unknown init {init!r}; use one of {INITS}")
    return {"W": W, "b": np.zeros(n_out)}


def init_mlp(rng: np.random.Generator, sizes: Sequence[int], init: str = "glorot") -> list:
    """One dense layer per consecutive pair of ``sizes``: ``[2, 8, 3]`` gives 2 layers."""
    if len(sizes) < 2:
        raise ValueError(
            f"init_mlp: sizes needs at least an input and an output size, e.g. [2, 16, 1]; "
            f"got {list(sizes)}"
        )
    return [init_dense(rng, a, b, init) for a, b in zip(sizes[:-1], sizes[1:])]


def dense(params: dict, x):
    """``x @ W + b`` for a batch ``x`` of shape (..., n_in)."""
    W, b = params["W"], params["b"]
    if shape_of(x)[-1:] != shape_of(W)[:1]:
        raise ShapeMismatchError(
            f"dense: x has shape {shape_of(x)} but W has shape {shape_of(W)}; the last "
            f"axis of x must equal W.shape[0] = {shape_of(W)[0]}"
        )
    return x @ W + b


def mlp(params: list, x, activation: Callable = anp.tanh):
    """A multilayer perceptron: dense layers with ``activation`` between them (not after
    the last one, so the output is a logit or a regression value)."""
    for i, layer in enumerate(params):
        x = dense(layer, x)
        if i < len(params) - 1:
            x = activation(x)
    return x


def relu(x):
    """max(x, 0), with derivative 0 at x = 0 (as PyTorch and JAX)."""
    return anp.where(x > 0, x, 0.0)


def softplus(x):
    """log(1 + e^x), a smooth relu, computed without overflow: for x > 0 it is
    x + log1p(e^-x). Each branch of ``where`` sees only inputs where it is safe, so no
    inf (and no nan gradient) appears in the branch that is not taken."""
    pos = x > 0
    x_pos, x_neg = anp.where(pos, x, 0.0), anp.where(pos, 0.0, x)
    return anp.where(pos, x_pos + anp.log1p(anp.exp(-x_pos)), anp.log1p(anp.exp(x_neg)))


def log_softmax(x, axis: int = -1):
    """``x - logsumexp(x)``: stable for large logits, where exp(x) would overflow.

    >>> log_softmax(np.array([1000.0, 1000.0]))
    array([-0.69314718, -0.69314718])
    """
    return x - anp.logsumexp(x, axis=axis, keepdims=True)


def softmax(x, axis: int = -1):
    """exp(x) / sum(exp(x)) along ``axis``, through the stable :func:`log_softmax`."""
    return anp.exp(log_softmax(x, axis=axis))


def cross_entropy(logits, labels):
    """Mean negative log-likelihood of integer ``labels`` (N,) under ``logits`` (N, C),
    as ``torch.nn.functional.cross_entropy``."""
    labels = np.asarray(labels)
    shape = shape_of(logits)
    if len(shape) != 2:
        raise ShapeMismatchError(
            f"cross_entropy: logits must have shape (N, C), got {shape}; for one sample "
            f"use logits[None] and labels[None]"
        )
    if not np.issubdtype(labels.dtype, np.integer):
        raise TypeError(
            f"cross_entropy: labels must be integer class indices, got dtype {labels.dtype}; "
            f"for one-hot targets use labels = targets.argmax(axis=1)"
        )
    if labels.shape != shape[:1]:
        raise ShapeMismatchError(
            f"cross_entropy: labels must have shape ({shape[0]},) to match logits {shape}, "
            f"got {labels.shape}"
        )
    if labels.size and (labels.min() < 0 or labels.max() >= shape[1]):
        raise ValueError(
            f"cross_entropy: labels must lie in 0..{shape[1] - 1} for {shape[1]} classes, "
            f"got values from {labels.min()} to {labels.max()}"
        )
    logp = log_softmax(logits, axis=1)
    return -anp.mean(logp[np.arange(shape[0]), labels])


def mse(pred, target):
    """Mean squared error, ``mean((pred - target)**2)``; the shapes must be equal."""
    if shape_of(pred) != shape_of(target):
        raise ShapeMismatchError(
            f"mse: pred has shape {shape_of(pred)} but target has shape "
            f"{shape_of(target)}; reshape one of them (silent broadcasting is a common bug)"
        )
    if not np.issubdtype(dtype_of(pred), np.floating):
        raise TypeError(f"mse: pred must be floating point, got dtype {dtype_of(pred)}")
    diff = pred - target
    return anp.mean(diff * diff)
