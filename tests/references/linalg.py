"""References of products and linear algebra (``primitives/linalg.py``)."""

from __future__ import annotations

from .frameworks import Ref, _j, _t, jnp, torch

# name: Ref(jax, torch). Each takes the primitive's (*args, **params).
REFERENCES: dict[str, Ref] = {
    # --- products and linear algebra
    "matmul": Ref(_j("matmul"), _t("matmul")),
    "einsum": Ref(
        lambda *ops, subscripts: jnp.einsum(subscripts, *ops),
        lambda *ops, subscripts: torch.einsum(subscripts, *ops),
    ),
    "solve": Ref(lambda a, b: jnp.linalg.solve(a, b), lambda a, b: torch.linalg.solve(a, b)),
    "inv": Ref(lambda a: jnp.linalg.inv(a), lambda a: torch.linalg.inv(a)),
    "det": Ref(lambda a: jnp.linalg.det(a), lambda a: torch.linalg.det(a)),
}
