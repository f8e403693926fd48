"""Pytrees: nested tuples, lists and dicts of arrays, treated as one value.

Transforms accept and return pytrees, as in JAX: ``grad(loss)(params)`` where
``params = {"W": W, "b": b}`` returns ``{"W": dW, "b": db}``. Internally a tree is
flattened to a list of leaves plus a *treedef* that knows how to rebuild it::

    >>> leaves, treedef = tree_flatten({"b": 2.0, "a": (1.0, [3.0])})
    >>> leaves
    [1.0, 3.0, 2.0]
    >>> tree_unflatten(treedef, [10.0, 30.0, 20.0])
    {'a': (10.0, [30.0]), 'b': 20.0}

Dict keys are visited in sorted order, so two dicts with the same keys flatten
alike. ``None`` is an empty subtree, as in JAX.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class TreeDef:
    """The shape of a pytree without its leaves."""

    __slots__ = ("kind", "meta", "children")

    def __init__(self, kind, meta=None, children=()):
        self.kind = kind  # "leaf", "none", tuple, list or dict
        self.meta = meta  # the sorted keys of a dict
        self.children = children

    def __eq__(self, other) -> bool:
        return (
            isinstance(other, TreeDef)
            and self.kind == other.kind
            and self.meta == other.meta
            and self.children == other.children
        )

    def __hash__(self):
        return hash((str(self.kind), self.meta, self.children))

    def __repr__(self) -> str:
        if self.kind == "leaf":
            return "*"
        if self.kind == "none":
            return "None"
        inner = ", ".join(repr(c) for c in self.children)
        if self.kind is dict:
            inner = ", ".join(f"{k!r}: {c!r}" for k, c in zip(self.meta, self.children))
            return "{" + inner + "}"
        return ("(" + inner + ")") if self.kind is tuple else ("[" + inner + "]")


_LEAF = TreeDef("leaf")


def tree_flatten(tree: Any) -> tuple[list, TreeDef]:
    """Split a pytree into its list of leaves and its treedef."""
    leaves: list = []
    return leaves, _flatten(tree, leaves)


def _flatten(tree, leaves):
    if isinstance(tree, (tuple, list)) and not hasattr(tree, "_fields"):
        kind = type(tree) if type(tree) in (tuple, list) else tuple
        return TreeDef(kind, None, tuple(_flatten(c, leaves) for c in tree))
    if isinstance(tree, dict):
        keys = tuple(sorted(tree))
        return TreeDef(dict, keys, tuple(_flatten(tree[k], leaves) for k in keys))
    if tree is None:
        return TreeDef("none")
    leaves.append(tree)
    return _LEAF


def tree_unflatten(treedef: TreeDef, leaves) -> Any:
    """Rebuild a pytree of the shape ``treedef`` from a sequence of leaves."""
    it = iter(leaves)
    out = _unflatten(treedef, it)
    return out


def _unflatten(td, it):
    if td.kind == "leaf":
        return next(it)
    if td.kind == "none":
        return None
    children = [_unflatten(c, it) for c in td.children]
    if td.kind is dict:
        return dict(zip(td.meta, children))
    return td.kind(children)


def tree_leaves(tree: Any) -> list:
    return tree_flatten(tree)[0]


def tree_map(f: Callable, tree: Any, *rest: Any) -> Any:
    """Apply ``f`` leaf by leaf to one or more pytrees of the same shape."""
    leaves, td = tree_flatten(tree)
    others = []
    for r in rest:
        r_leaves, r_td = tree_flatten(r)
        if r_td != td:
            raise ValueError(f"tree_map needs trees of the same structure, got {td} and {r_td}")
        others.append(r_leaves)
    return tree_unflatten(td, [f(*xs) for xs in zip(leaves, *others)])
