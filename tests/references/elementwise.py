"""References of the elementwise functions of one argument (``primitives/elementwise.py``)."""

from __future__ import annotations

from .frameworks import Ref, _j, _t, jax

# name: Ref(jax, torch). Each takes the primitive's (*args, **params).
REFERENCES: dict[str, Ref] = {
    # --- elementwise, one argument
    "negative": Ref(_j("negative"), _t("neg")),
    "exp": Ref(_j("exp"), _t("exp")),
    "log": Ref(_j("log"), _t("log")),
    "log1p": Ref(_j("log1p"), _t("log1p")),
    "expm1": Ref(_j("expm1"), _t("expm1")),
    "sqrt": Ref(_j("sqrt"), _t("sqrt")),
    "sin": Ref(_j("sin"), _t("sin")),
    "cos": Ref(_j("cos"), _t("cos")),
    "tan": Ref(_j("tan"), _t("tan")),
    "arcsin": Ref(_j("arcsin"), _t("asin")),
    "arccos": Ref(_j("arccos"), _t("acos")),
    "arctan": Ref(_j("arctan"), _t("atan")),
    "sinh": Ref(_j("sinh"), _t("sinh")),
    "cosh": Ref(_j("cosh"), _t("cosh")),
    "tanh": Ref(_j("tanh"), _t("tanh")),
    "abs": Ref(_j("abs"), _t("abs")),
    "sign": Ref(_j("sign"), _t("sign"), value_only=True),
    "floor": Ref(_j("floor"), _t("floor"), value_only=True),
    "ceil": Ref(_j("ceil"), _t("ceil"), value_only=True),
    "round": Ref(_j("round"), _t("round"), value_only=True),  # all three: half to even
    "isfinite": Ref(_j("isfinite"), _t("isfinite"), value_only=True),
    "isnan": Ref(_j("isnan"), _t("isnan"), value_only=True),
    "stop_gradient": Ref(lambda x: jax.lax.stop_gradient(x), lambda x: x.detach(), value_only=True),
}
