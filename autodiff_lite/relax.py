"""Relaxations: gradients for programs with hard edges (cuts, counts, samples).

A hard threshold ``x > t`` or a histogram count has derivative zero almost
everywhere, so gradient descent gets no signal from it. Three ways out:

- **replace the edge by a smooth ramp** (:func:`soft_cut`, :func:`soft_histogram`):
  a logistic sigmoid of width ``1 / steepness`` or ``bandwidth``; as the width goes
  to zero the relaxation tends to the hard version, and its gradient grows
  sharper (the bias/variance trade-off of the relaxation);
- **keep the hard value, borrow a gradient** (:func:`straight_through`, Bengio et
  al. 2013): forward with the hard value, backward as if it were the soft one;
- **differentiate the probability instead of the sample**
  (:func:`reinforce_surrogate`, Williams 1992): for ``E_p[f(x)]`` the score-function
  estimator ``mean((f - b) * grad log p(x))`` is unbiased, and a baseline ``b``
  reduces its variance.

>>> x = np.array([0.5, 1.5, 1.7, 2.5])
>>> soft_histogram(x, np.array([0.0, 1.0, 2.0, 3.0]), bandwidth=1e-3).round(6)
array([1., 2., 1.])
"""

from __future__ import annotations

import numpy as np

from . import numpy as anp
from .core import ZERO, Primitive, dtype_of, shape_of, value_of
from .errors import ShapeMismatchError

__all__ = ["reinforce_surrogate", "sigmoid", "soft_cut", "soft_histogram", "straight_through"]


def sigmoid(x):
    """The logistic function 1 / (1 + e^-x), written as (1 + tanh(x/2)) / 2 so that it
    neither overflows nor loses precision for large |x|.

    >>> print(sigmoid(0.0), sigmoid(-1000.0), sigmoid(1000.0))
    0.5 0.0 1.0
    """
    return 0.5 * (anp.tanh(0.5 * x) + 1.0)


def _positive(value, name: str, where: str) -> None:
    v = np.asarray(value_of(value))
    if not np.all(v > 0):
        raise ValueError(
            f"{where}: {name} must be > 0, got {v if v.ndim == 0 else v.min()}; it sets the "
            f"width of the smooth edge"
        )


def soft_cut(x, threshold, steepness):
    """A smooth ``x > threshold``: ``sigmoid(steepness * (x - threshold))``.

    Its width is 1/steepness; ``steepness -> inf`` gives back the hard cut.

    >>> soft_cut(np.array([0.9, 1.1]), 1.0, steepness=10.0).round(3)
    array([0.269, 0.731])
    """
    _positive(steepness, "steepness", "soft_cut")
    return sigmoid(steepness * (x - threshold))


def soft_histogram(x, edges, bandwidth, weights=None):
    """A differentiable histogram of the 1-D sample ``x`` over the bins ``edges``.

    Each sample is smeared by a logistic kernel of scale ``bandwidth``, and its mass
    inside bin ``[e_j, e_{j+1}]`` is ``sigmoid((e_{j+1} - x)/h) - sigmoid((e_j - x)/h)``.
    As ``bandwidth -> 0`` the counts tend to ``np.histogram(x, edges, weights=weights)[0]``
    (for samples not exactly on an edge, where the soft count is split in halves).
    Differentiable in ``x``, ``edges``, ``bandwidth`` and ``weights``.
    """
    if len(shape_of(x)) != 1:
        raise ShapeMismatchError(
            f"soft_histogram: x must be 1-D, got shape {shape_of(x)}; pass x.ravel()"
        )
    e = np.asarray(value_of(edges))
    if e.ndim != 1 or e.size < 2 or not np.all(np.diff(e) > 0):
        raise ValueError(
            "soft_histogram: edges must be a 1-D array of at least 2 strictly increasing "
            f"values, got {e!r}"
        )
    _positive(bandwidth, "bandwidth", "soft_histogram")
    cdf = sigmoid((anp.reshape(edges, (1, -1)) - anp.reshape(x, (-1, 1))) / bandwidth)
    mass = cdf[:, 1:] - cdf[:, :-1]  # (n_samples, n_bins)
    if weights is None:
        return anp.sum(mass, axis=0)
    if shape_of(weights) != shape_of(x):
        raise ShapeMismatchError(
            f"soft_histogram: weights must have the shape of x {shape_of(x)}, "
            f"got {shape_of(weights)}"
        )
    return anp.sum(mass * anp.reshape(weights, (-1, 1)), axis=0)


# The straight-through estimator as a primitive: its value is exactly ``hard`` (no
# rounding from soft + (hard - soft)), its derivative is the identity on ``soft``.
_straight_through_p = Primitive(
    "straight_through",
    lambda hard, soft: np.asarray(hard, dtype=np.result_type(soft)),
    jvps=(ZERO, lambda soft_dot, ans, hard, soft: soft_dot),
    vjps=(ZERO, lambda g, ans, hard, soft: g),
)


def straight_through(hard, soft):
    """The value of ``hard`` with the gradient of ``soft`` (Bengio et al. 2013).

    >>> f = lambda x: anp.sum(straight_through(anp.round(x), x) ** 2)
    >>> ad.grad(f)(np.array([0.4, 0.6]))   # 2 * round(x) * d soft/dx
    array([0., 2.])
    """
    if shape_of(hard) != shape_of(soft):
        raise ShapeMismatchError(
            f"straight_through: hard has shape {shape_of(hard)} but soft has shape "
            f"{shape_of(soft)}; they must be the same value computed two ways"
        )
    if not np.issubdtype(dtype_of(soft), np.floating):
        raise TypeError(f"straight_through: soft must be floating point, got {dtype_of(soft)}")
    return _straight_through_p(hard, soft)


def reinforce_surrogate(logp, f_values, baseline=None):
    """A scalar whose gradient is the score-function (REINFORCE) estimator.

    ``logp`` holds log p(x_i; theta) of samples x_i ~ p (traced in theta), ``f_values``
    the rewards f(x_i) (treated as constants). ``grad`` of the result is
    ``mean((f - b) * grad log p)``, an unbiased estimate of ``grad E[f(x)]`` for any
    baseline ``b`` that does not depend on the sample itself. Its *value* is not the
    expectation: use it only for its gradient.
    """
    if shape_of(logp) != shape_of(f_values):
        raise ShapeMismatchError(
            f"reinforce_surrogate: logp has shape {shape_of(logp)} but f_values has shape "
            f"{shape_of(f_values)}; give one log-probability per sampled reward"
        )
    advantage = anp.stop_gradient(f_values)
    if baseline is not None:
        advantage = advantage - anp.stop_gradient(baseline)
    return anp.mean(advantage * logp)
