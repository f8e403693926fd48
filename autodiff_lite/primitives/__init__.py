"""The table of primitives, one module per family.

Importing this package declares every primitive; ``core.REGISTRY`` then maps
each name to its :class:`~autodiff_lite.core.Primitive` (implementation, JVP and
VJP rules, test domains), which is what the test suite sweeps.
"""

from . import (
    arithmetic,
    broadcasting,
    complex,
    decompositions,
    elementwise,
    linalg,
    reductions,
    shapes,
)

__all__ = [
    "arithmetic",
    "broadcasting",
    "complex",
    "decompositions",
    "elementwise",
    "linalg",
    "reductions",
    "shapes",
]
