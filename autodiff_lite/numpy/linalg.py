"""``anp.linalg``: differentiable linear algebra (see :mod:`autodiff_lite.primitives.linalg`)."""

from ..primitives.linalg import det, inv, norm, solve

__all__ = ["det", "inv", "norm", "solve"]
