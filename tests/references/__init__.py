"""Reference implementations of every autodiff_lite primitive in JAX and PyTorch,
and the machinery the cross-framework tests share.

``REFERENCES[name]`` gives, for each primitive ``name`` in ``ad.REGISTRY``, a
JAX function and a PyTorch function with the *same signature as the
primitive's* ``impl``: ``(*args, **params)``. ``sum`` is called as
``ref(x, axis=(1,), keepdims=False)``, ``getitem`` as ``ref(x, index=...)``,
``einsum`` as ``ref(a, b, subscripts="ij,jk->ik")``. The references are
written with the frameworks' own operations, so that ``jax.jvp``, ``jax.vjp``,
``torch.func.jvp``... differentiate them with *their* rules, and we compare
those derivatives with the library's. Primitives marked
``differentiable=False`` (comparisons, ``sign``, ``floor``, ``argmax``,
``stop_gradient``...) only need a reference for their values; ``arity`` says
how many arguments to give them (their ``cases`` list one argument shape).

How a comparison is made:

- Each computation is written once, as ``results(T, inputs) -> dict``, against
  an interface ``T`` to a framework's transforms: :data:`OURS` (autodiff_lite),
  :class:`JaxBackend` or :class:`TorchBackend`. Composite functions are written
  once against a numpy-like namespace ``T.ns`` (:data:`ANP`, :class:`JaxNS`,
  :class:`TorchNS`). The test runs it with ``OURS`` on numpy inputs and with a
  backend on the same inputs moved to its device, and compares the two dicts
  entry by entry (:func:`compare_results`).
- ``backend.bundle(results, inputs)`` runs the reference side. For JAX it is one
  ``jax.jit`` compilation: XLA compiles each distinct operation of eager JAX
  separately (tens of milliseconds each on a CPU), so the tests group their JAX
  work into few compiled functions (:class:`Sweep`, :func:`batched`).
- :func:`assert_close` counts every comparison in :data:`CHECKS`, which
  ``conftest.py`` prints at the end of the session.

The modules, bottom up: ``frameworks`` (JAX and PyTorch, comparing, counting, ``Ref``);
one table per family of primitives, as in ``autodiff_lite/primitives/`` (``elementwise``,
``arithmetic``, ``shapes``, ``reductions``, ``linalg``, ``complex``); ``namespaces`` (``ns``
for composite functions); ``backends`` (each framework's transforms, and ``OURS``);
``composites`` and ``functions`` (what is computed beyond the primitives); ``batch`` (the
reference side of those, computed together); ``sweep`` (every case of every primitive).
"""

from __future__ import annotations

from autodiff_lite import domains

from . import arithmetic, complex, coverage, elementwise, linalg, reductions, shapes
from .backends import OURS, JaxBackend, Ours, TorchBackend, case_seed, compare_results
from .batch import Batch, batched, scalar_nesting_results, standard_items
from .composites import (
    COMPOSITES,
    SCALAR_COMPOSITES,
    SECOND_ORDER_ALIAS,
    VECTOR_COMPOSITES,
    Composite,
    composite_first_order,
    composite_inputs,
    composite_second_order,
    has_aux_results,
    tree_map_2,
    vector_composite,
)
from .frameworks import (
    ATOL,
    CHECKS,
    F32_ATOL,
    F32_RTOL,
    FIRST_ORDER,
    GPU_ATOL,
    GPU_RTOL,
    RTOL,
    SECOND_ORDER,
    Ref,
    assert_close,
    assert_tree_close,
    random_like,
    to_numpy,
    tree_leaves,
    tree_map,
)
from .functions import (
    ANP_FUNCTIONS,
    FLOAT32_FUNCTIONS,
    POWER_AT_ZERO_EXPONENT,
    SCALAR_KINDS,
    SINGULAR_POINTS,
    float32_composite,
    float32_function_inputs,
    float32_function_results,
    function_inputs,
    function_results,
    power_hessian_results,
    singular_results,
)
from .namespaces import ANP, AnpNS, JaxNS, TorchNS
from .sweep import (
    DOMAIN_RANGES,
    LIBRARY_PRIMITIVES,
    PrimCase,
    Sweep,
    arrays_in,
    binary_family,
    check_example,
    make_case,
    primitive_cases,
    primitive_results,
    reduction_family,
    sample_case,
    unary_family,
    value_only_case,
    value_only_results,
    with_directions,
)

# name: Ref(jax, torch), for every primitive of the library: the family tables, merged.
REFERENCES: dict[str, Ref] = {
    **elementwise.REFERENCES,
    **arithmetic.REFERENCES,
    **shapes.REFERENCES,
    **reductions.REFERENCES,
    **linalg.REFERENCES,
    **complex.REFERENCES,
    **coverage.REFERENCES,  # the numpy coverage of autograd's surface (issue 15)
}

__all__ = [
    "ANP",
    "ANP_FUNCTIONS",
    "ATOL",
    "CHECKS",
    "COMPOSITES",
    "DOMAIN_RANGES",
    "F32_ATOL",
    "F32_RTOL",
    "FIRST_ORDER",
    "FLOAT32_FUNCTIONS",
    "GPU_ATOL",
    "GPU_RTOL",
    "LIBRARY_PRIMITIVES",
    "OURS",
    "POWER_AT_ZERO_EXPONENT",
    "REFERENCES",
    "RTOL",
    "SCALAR_COMPOSITES",
    "SCALAR_KINDS",
    "SECOND_ORDER",
    "SECOND_ORDER_ALIAS",
    "SINGULAR_POINTS",
    "VECTOR_COMPOSITES",
    "AnpNS",
    "Batch",
    "Composite",
    "JaxBackend",
    "JaxNS",
    "Ours",
    "PrimCase",
    "Ref",
    "Sweep",
    "TorchBackend",
    "TorchNS",
    "arrays_in",
    "assert_close",
    "assert_tree_close",
    "batched",
    "binary_family",
    "case_seed",
    "check_example",
    "compare_results",
    "composite_first_order",
    "composite_inputs",
    "composite_second_order",
    "domains",
    "float32_composite",
    "float32_function_inputs",
    "float32_function_results",
    "function_inputs",
    "function_results",
    "has_aux_results",
    "make_case",
    "power_hessian_results",
    "primitive_cases",
    "primitive_results",
    "random_like",
    "reduction_family",
    "sample_case",
    "scalar_nesting_results",
    "singular_results",
    "standard_items",
    "to_numpy",
    "tree_leaves",
    "tree_map",
    "tree_map_2",
    "unary_family",
    "value_only_case",
    "value_only_results",
    "vector_composite",
    "with_directions",
]
