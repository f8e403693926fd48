"""References of arithmetic, comparisons and selection (``primitives/arithmetic.py``)."""

from __future__ import annotations

from .frameworks import Ref, _j, _t, jnp, torch


def _jax_argsort(x):
    # numpy flattens a 0-d array in argsort (np.argsort(np.float64(1)) == [0]).
    return jnp.argsort(x.reshape(-1) if x.ndim == 0 else x, axis=-1, stable=True)


def _torch_where(c, x, y):
    return torch.where(c, x, y)


def _torch_argsort(x):
    return torch.argsort(x.reshape(-1) if x.ndim == 0 else x, dim=-1, stable=True)


# name: Ref(jax, torch). Each takes the primitive's (*args, **params).
REFERENCES: dict[str, Ref] = {
    # --- elementwise, two arguments (numpy broadcasting)
    "add": Ref(_j("add"), _t("add")),
    "subtract": Ref(_j("subtract"), _t("sub")),
    "multiply": Ref(_j("multiply"), _t("mul")),
    "divide": Ref(_j("divide"), _t("div")),
    "power": Ref(_j("power"), _t("pow")),
    "arctan2": Ref(_j("arctan2"), _t("atan2")),
    "maximum": Ref(_j("maximum"), _t("maximum")),
    "minimum": Ref(_j("minimum"), _t("minimum")),
    "where": Ref(_j("where"), _torch_where),
    "greater": Ref(_j("greater"), _t("gt"), value_only=True, arity=2),
    "greater_equal": Ref(_j("greater_equal"), _t("ge"), value_only=True, arity=2),
    "less": Ref(_j("less"), _t("lt"), value_only=True, arity=2),
    "less_equal": Ref(_j("less_equal"), _t("le"), value_only=True, arity=2),
    "equal": Ref(_j("equal"), _t("eq"), value_only=True, arity=2),
    "not_equal": Ref(_j("not_equal"), _t("ne"), value_only=True, arity=2),
    "logical_and": Ref(_j("logical_and"), _t("logical_and"), value_only=True, arity=2),
    "logical_or": Ref(_j("logical_or"), _t("logical_or"), value_only=True, arity=2),
    "logical_not": Ref(_j("logical_not"), _t("logical_not"), value_only=True),
    "floor_divide": Ref(_j("floor_divide"), _t("floor_divide"), value_only=True, arity=2),
    "argmax": Ref(_j("argmax"), _t("argmax"), value_only=True),  # flat index, first of ties
    "argmin": Ref(_j("argmin"), _t("argmin"), value_only=True),
    "argsort": Ref(_jax_argsort, _torch_argsort, value_only=True),
}
