"""References of ``real``, ``imag``, ``conj`` and ``angle`` (``primitives/complex.py``).

The sweep samples every primitive on real arrays, where ``real`` and ``conj`` are the
identity and ``imag`` and ``angle`` are constants (derivative zero); their complex
behaviour is checked in ``test_complex.py``.
"""

from __future__ import annotations

from .frameworks import Ref, _j, _t, torch


def _torch_imag(x):
    # torch.imag refuses real tensors; numpy and JAX give zeros.
    return torch.imag(x) if x.is_complex() else torch.zeros_like(x)


# name: Ref(jax, torch). Each takes the primitive's (*args, **params).
REFERENCES: dict[str, Ref] = {
    "real": Ref(_j("real"), _t("real")),
    "imag": Ref(_j("imag"), _torch_imag),
    "conj": Ref(_j("conjugate"), _t("conj")),
    "angle": Ref(_j("angle"), _t("angle")),
}
