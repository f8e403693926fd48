"""numpy functions whose results carry no derivative: tests, counts, indices, constructors.

Their results are booleans, integers or arrays that do not depend smoothly on the input
(``all``, ``isinf``, ``nonzero``, ``searchsorted``...), or new constants (``empty_like``,
``tril_indices``...). Each is numpy's function applied to the plain values inside any
traced argument, as autograd does with its ``nograd_functions``; the result is a constant
to every transform.
"""

from __future__ import annotations

import functools

import numpy as np

from ..core import Tracer, value_of


def _plain(x):
    if isinstance(x, Tracer):
        return value_of(x)
    if isinstance(x, (list, tuple)):
        return type(x)(_plain(i) for i in x)
    return x


def _constant(np_function):
    """``np_function`` on the values inside traced arguments: a constant result."""

    @functools.wraps(np_function)
    def wrapper(*args, **kwargs):
        return np_function(*_plain(args), **{k: _plain(v) for k, v in kwargs.items()})

    return wrapper


all = _constant(np.all)
any = _constant(np.any)
isinf = _constant(np.isinf)
isposinf = _constant(np.isposinf)
isneginf = _constant(np.isneginf)
isclose = _constant(np.isclose)
allclose = _constant(np.allclose)
array_equal = _constant(np.array_equal)
array_equiv = _constant(np.array_equiv)
logical_xor = _constant(np.logical_xor)
signbit = _constant(np.signbit)
nonzero = _constant(np.nonzero)
flatnonzero = _constant(np.flatnonzero)
argwhere = _constant(np.argwhere)
count_nonzero = _constant(np.count_nonzero)
searchsorted = _constant(np.searchsorted)
argpartition = _constant(np.argpartition)
isscalar = _constant(np.isscalar)
isreal = _constant(np.isreal)
iscomplexobj = _constant(np.iscomplexobj)
result_type = _constant(np.result_type)
empty_like = _constant(np.empty_like)
tril_indices = np.tril_indices
triu_indices = np.triu_indices
diag_indices = np.diag_indices
indices = np.indices
