"""The table of primitives, one module per family.

Each family module declares its primitives as module-level names (``sin = elementwise(...)``);
declaring a :class:`~autodiff_lite.core.Primitive` has no side effect. The table that the
lessons read and the tests sweep, :data:`REGISTRY` (``ad.REGISTRY``), is built here,
explicitly, from the modules listed in :data:`FAMILIES`. A new family is one more entry
in that list.
"""

from __future__ import annotations

from types import ModuleType

from ..core import Primitive
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

FAMILIES: list[ModuleType] = [
    arithmetic,
    broadcasting,
    complex,
    decompositions,
    elementwise,
    linalg,
    reductions,
    shapes,
]
"""The family modules whose primitives make up the library's table (add new families here)."""


def collect(modules: list[ModuleType]) -> dict[str, Primitive]:
    """Every :class:`Primitive` that ``modules`` define at module level, by name.

    A module may import another family's primitive (``arithmetic`` uses ``log``): the same
    object is found twice and kept once. Two *different* primitives with one name are an
    error, since the table could hold only one of them.
    """
    table: dict[str, Primitive] = {}
    for module in modules:
        for value in vars(module).values():
            if isinstance(value, Primitive):
                other = table.setdefault(value.name, value)
                if other is not value:
                    raise ValueError(
                        f"two different primitives are named '{value.name}' (one in "
                        f"{module.__name__}); give each primitive its own name"
                    )
    return dict(sorted(table.items()))


REGISTRY: dict[str, Primitive] = collect(FAMILIES)
"""The library's primitives by name: the table that tests sweep and lessons read."""

__all__ = ["FAMILIES", "REGISTRY", "collect", *(m.__name__.rsplit(".", 1)[1] for m in FAMILIES)]
