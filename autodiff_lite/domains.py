"""Where to sample each primitive's arguments in tests.

A domain is a function ``(rng, shape) -> array`` that draws float64 values at
which the primitive is smooth, away from kinks and singular points, so that
finite differences are accurate: ``log`` samples from POSITIVE, ``arcsin``
from INSIDE_UNIT, ``maximum`` from REAL (two random draws almost never tie).
"""

from __future__ import annotations

import numpy as np


def REAL(rng, shape):
    return rng.uniform(-2.0, 2.0, size=shape)


def POSITIVE(rng, shape):
    return rng.uniform(0.5, 2.0, size=shape)


def INSIDE_UNIT(rng, shape):
    return rng.uniform(-0.8, 0.8, size=shape)


def NONZERO(rng, shape):
    sign = np.where(rng.uniform(size=shape) < 0.5, -1.0, 1.0)
    return sign * rng.uniform(0.5, 2.0, size=shape)


def ABOVE_MINUS_ONE(rng, shape):
    return rng.uniform(-0.5, 2.0, size=shape)


def WELL_CONDITIONED(rng, shape):
    """Square matrices close to the identity (for solve, inv, det)."""
    n = shape[-1]
    return np.eye(n) * 2.0 + 0.3 * rng.standard_normal(shape)


def BOOL(rng, shape):
    """A non-differentiable boolean argument (the condition of ``where``)."""
    return rng.uniform(size=shape) < 0.5
