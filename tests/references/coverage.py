"""JAX and PyTorch references for the numpy coverage of issue 15 (autograd's numpy surface).

Imported by the package (``tests/references/__init__.py``), it adds to its tables:

- ``REFERENCES``: a JAX and a PyTorch reference for each new primitive (arcsinh, cbrt,
  sinc, remainder, fmod, rint, trunc, logabsdet, cholesky, eigvalsh, eigh_vectors...), with
  the primitive's signature, exactly as in the family tables of this package;
- ``ANP_FUNCTIONS``: the new ``anp`` functions built from primitives (tensordot, roll,
  pad, split, sort, gradient...), each written once against a namespace ``ns`` and run on
  autodiff_lite, JAX and PyTorch (values, JVPs and VJPs compared);
- (where ``torch`` or ``jax.numpy`` names or calls one of those functions differently from
  numpy, the translating method is in ``namespaces.py``, in the ``*Spellings`` bases of the
  namespaces).
"""

from __future__ import annotations

import numpy as np

from . import functions
from .frameworks import Ref, _j, _t, jnp, torch

# --- primitives ---------------------------------------------------------------------------


def _jax_sym(a):
    return 0.5 * (a + jnp.swapaxes(a, -1, -2))


def _torch_sym(a):
    return 0.5 * (a + a.mT)


def _jax_eigh_vectors(a):
    # The library's convention (see primitives/linalg.py): each eigenvector's entry of
    # largest magnitude is positive. The sign is a constant, so derivatives follow it.
    v = jnp.linalg.eigh(_jax_sym(a))[1]
    pick = jnp.take_along_axis(v, jnp.argmax(jnp.abs(v), axis=-2)[..., None, :], axis=-2)
    return v * jnp.where(pick < 0, -1.0, 1.0)


def _torch_eigh_vectors(a):
    v = torch.linalg.eigh(_torch_sym(a))[1]
    index = torch.argmax(torch.abs(v), dim=-2, keepdim=True)
    pick = torch.take_along_dim(v, index, dim=-2).detach()
    return v * torch.where(pick < 0, -1.0, 1.0).to(v.dtype)


def _torch_cbrt(x):
    return torch.sign(x) * torch.abs(x) ** (1.0 / 3.0)


REFERENCES: dict[str, Ref] = {
    "arcsinh": Ref(_j("arcsinh"), _t("asinh")),
    "arccosh": Ref(_j("arccosh"), _t("acosh")),
    "arctanh": Ref(_j("arctanh"), _t("atanh")),
    "cbrt": Ref(_j("cbrt"), _torch_cbrt),
    "sinc": Ref(_j("sinc"), _t("sinc")),
    "remainder": Ref(_j("remainder"), _t("remainder")),
    "fmod": Ref(_j("fmod"), _t("fmod")),
    "logabsdet": Ref(lambda a: jnp.linalg.slogdet(a)[1], lambda a: torch.linalg.slogdet(a)[1]),
    "cholesky": Ref(
        lambda a: jnp.linalg.cholesky(_jax_sym(a)),
        lambda a: torch.linalg.cholesky(_torch_sym(a)),
    ),
    "eigvalsh": Ref(
        lambda a: jnp.linalg.eigvalsh(_jax_sym(a)),
        lambda a: torch.linalg.eigvalsh(_torch_sym(a)),
    ),
    "eigh_vectors": Ref(_jax_eigh_vectors, _torch_eigh_vectors),
    # not differentiable: values only (rint and torch.round both round half to even)
    "rint": Ref(_j("rint"), _t("round"), value_only=True),
    "trunc": Ref(_j("trunc"), _t("trunc"), value_only=True),
}


def _register():
    """Add the new functions to ANP_FUNCTIONS (their spellings in each framework are the
    ``*Spellings`` bases of the namespaces, in ``namespaces.py``)."""
    clash = set(ANP_FUNCTIONS) & set(functions.ANP_FUNCTIONS)
    assert not clash, f"defined twice: {sorted(clash)}"
    functions.ANP_FUNCTIONS.update(ANP_FUNCTIONS)  # REFERENCES: merged by the package


# --- anp functions built from primitives -----------------------------------------------------
# Each takes ns and x of shape (3, 4) (uniform in [-2, 2]), as references.functions.ANP_FUNCTIONS.

_REPEATS = np.array([1, 2, 0, 3])
_WEIGHTS = np.array([1.0, 2.0, 0.5, 3.0])
_ORDER = np.array([[2, 0, 1, 1], [0, 2, 2, 0]])


def _parts(ns, parts):
    """Join split parts again, each scaled differently (so a misplaced part shows)."""
    return ns.concatenate([(i + 1.0) * p for i, p in enumerate(parts)], axis=-1)


def _spd(ns, x):
    """A symmetric positive definite matrix made from x (for cholesky, eigh, slogdet)."""
    return x[:, :3] @ x[:, :3].T * 0.25 + x[:, 3:] * x[:, 3:].T + 2.0 * ns.const(np.eye(3), x)


ANP_FUNCTIONS = {
    "tensordot (axes=1)": lambda ns, x: ns.tensordot(x, x.T, axes=1),
    "tensordot (axis lists)": lambda ns, x: ns.tensordot(x, 2.0 * x, axes=([1, 0], [1, 0])),
    "repeat (axis=1)": lambda ns, x: ns.repeat(x, 2, axis=1),
    "repeat (flattened, counts)": lambda ns, x: ns.repeat(x[0], _REPEATS),
    "tile": lambda ns, x: ns.tile(x, (2, 1, 2)),
    "roll": lambda ns, x: ns.roll(x, -1, axis=1) * ns.roll(x, 5),
    "rot90": lambda ns, x: ns.rot90(x) @ ns.rot90(x, 3, (1, 0)).T,
    "fliplr, flipud": lambda ns, x: ns.fliplr(x) * ns.flipud(x),
    "vstack": lambda ns, x: ns.vstack([x, x[0]]) * ns.vstack([x[1], x]),
    "hstack": lambda ns, x: ns.hstack([x, x[:, :1] ** 2]),
    "dstack": lambda ns, x: ns.dstack([x, x**2]),
    "column_stack": lambda ns, x: ns.column_stack([x[0], x[1] ** 2, x[2]]),
    "atleast_3d": lambda ns, x: ns.atleast_3d(x[0]) * 2.0,
    "array_split": lambda ns, x: _parts(ns, ns.array_split(x, 3, axis=1)),
    "split (indices)": lambda ns, x: _parts(ns, ns.split(x, [1, 3], axis=1)),
    "hsplit, vsplit": lambda ns, x: (
        _parts(ns, ns.hsplit(x, 2)) + ns.reshape(_parts(ns, ns.vsplit(x, 3)), (3, 4)) ** 2
    ),
    "tril, triu": lambda ns, x: ns.tril(x) + 2.0 * ns.triu(x, 1) + ns.tril(x, -1) ** 2,
    "diag (extract, build)": lambda ns, x: ns.diag(ns.diag(x, 1), -1)[1:, :3] + ns.diag(x[:, :3]),
    "diagonal, diagflat": lambda ns, x: ns.diagflat(ns.diagonal(x, 1)),
    "append": lambda ns, x: ns.append(x, x[0] ** 2),
    "pad (constant)": lambda ns, x: ns.pad(x, ((1, 0), (2, 1)), constant_values=0.5),
    "pad (edge)": lambda ns, x: ns.pad(x, ((1, 2), (0, 1)), mode="edge"),
    "pad (reflect)": lambda ns, x: ns.pad(x, ((2, 1), (1, 3)), mode="reflect"),
    "pad (wrap)": lambda ns, x: ns.pad(x, ((1, 2), (3, 1)), mode="wrap"),
    "sort": lambda ns, x: ns.sort(x, axis=0) * ns.sort(x),
    "partition (order-free parts)": lambda ns, x: (
        ns.partition(x, 1, axis=1)[:, 1]
        + ns.sum(ns.partition(x, 1, axis=1)[:, 2:] ** 3, axis=1)
        + ns.partition(x, 1, axis=1)[:, 0] ** 2
    ),
    "select": lambda ns, x: ns.select([x > 1.0, x < 0.0], [x, x**2], 0.5),
    "nan_to_num (log of negatives)": lambda ns, x: ns.nan_to_num(ns.log(x), nan=-1.0),
    "deg2rad, rad2deg, degrees, radians": lambda ns, x: (
        ns.deg2rad(x) * ns.rad2deg(x) + ns.degrees(x) + ns.radians(x) ** 2
    ),
    "logaddexp, logaddexp2": lambda ns, x: ns.logaddexp(x, x[0]) + ns.logaddexp2(x, 0.3 * x),
    "hypot": lambda ns, x: ns.hypot(x, ns.flip(x, 0)),
    "fmax, fmin": lambda ns, x: ns.fmax(x, ns.flip(x, 0)) * ns.fmin(x, x[0]),
    "linspace (traced ends)": lambda ns, x: ns.linspace(x[0, 0], x[1, 1], 5),
    "cumprod": lambda ns, x: ns.cumprod(x, axis=1) + ns.cumprod(x[0]),
    "average (weights)": lambda ns, x: ns.average(x, axis=1, weights=ns.const(_WEIGHTS, x)),
    "ptp": lambda ns, x: ns.ptp(x, axis=0),
    "trapezoid": lambda ns, x: ns.trapezoid(x, dx=0.5, axis=0) * ns.trapezoid(x**2)[1],
    "gradient": lambda ns, x: ns.gradient(x, 0.5, axis=1) * ns.gradient(x[0]),
    "kron": lambda ns, x: ns.kron(x[:2, :2], x),
    "cross": lambda ns, x: ns.cross(x[:, :3], x[:, 1:] ** 2),
    "rollaxis": lambda ns, x: ns.rollaxis(ns.reshape(x, (3, 2, 2)), 2) * 2.0,
    "take_along_axis": lambda ns, x: ns.take_along_axis(x, _ORDER, 0) * x[0],
    "linalg.pinv (wide)": lambda ns, x: ns.pinv(x),
    "linalg.matrix_power": lambda ns, x: ns.matrix_power(x[:, :3] * 0.5, 3),
    "linalg.multi_dot": lambda ns, x: ns.multi_dot([x, x.T, x]),
    "linalg.slogdet": lambda ns, x: ns.slogdet(_spd(ns, x))[1],
    "linalg.eigvalsh": lambda ns, x: ns.eigvalsh(_spd(ns, x)),
}


_register()
