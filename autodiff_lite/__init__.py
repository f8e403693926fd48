"""autodiff_lite: a small, readable automatic differentiation library on numpy.

>>> import autodiff_lite as ad
>>> import autodiff_lite.numpy as anp
>>> df = ad.grad(lambda x: anp.sin(x) * x)     # d/dx x sin x = sin x + x cos x
>>> print(df(0.0), df(anp.pi / 2))
0.0 1.0

The pieces, each in its own module:

- :mod:`.core`: primitives, traces, tracers and ``bind``, the dispatch heart;
- :mod:`.primitives`: the table of primitives with their JVP and VJP rules;
- :mod:`.forward` and :mod:`.reverse`: the two modes;
- :mod:`.transforms`: ``jvp``, ``vjp``, ``grad``, ``jacfwd``, ``jacrev``, ``hessian``;
- :mod:`.tensor`: a PyTorch-like ``Tensor`` with ``.backward()`` on the same tape;
- :mod:`.checking`: ``check_grads`` against finite differences;
- :mod:`.trace_tables` and :mod:`.graph`: the machinery made visible (trace tables
  as in Baydin et al. 2018, computational-graph drawings), from the real tape.

Part II, built on the same machinery:

- :mod:`.custom`: ``custom_vjp`` and ``custom_jvp``, your own rule for a whole function;
- :mod:`.checkpointing`: ``checkpoint`` and ``checkpointed_loop``, recompute instead of store;
- :mod:`.implicit`: ``fixed_point``, differentiated by the implicit function theorem;
- :mod:`.nn`: initializers, layers, activations and losses for small networks;
- :mod:`.optim`: SGD, momentum and Adam as pure functions on pytrees;
- :mod:`.relax`: smooth cuts and histograms, straight-through and REINFORCE gradients.
"""

from . import nn, optim, relax
from .batching import vmap
from .checking import check_grads
from .checkpointing import checkpoint, checkpointed_loop
from .core import Primitive, no_grad
from .custom import custom_jvp, custom_vjp
from .errors import (
    BackwardError,
    ConvergenceError,
    DifferentiationError,
    EscapedTracerError,
    GradientCheckError,
    NonScalarOutputError,
    NumpyOnTracerError,
    ShapeMismatchError,
)
from .graph import Graph, graph
from .implicit import fixed_point
from .jacobians import hessian, hvp, jacfwd, jacobian, jacrev
from .primitives import REGISTRY
from .primitives.elementwise import stop_gradient
from .staging import make_graph, stage
from .tensor import Tensor
from .trace_tables import TraceTables, trace_tables
from .transforms import grad, jvp, value_and_grad, vjp
from .tree import tree_flatten, tree_leaves, tree_map, tree_unflatten

__version__ = "0.1.0"

__all__ = [
    "BackwardError",
    "ConvergenceError",
    "DifferentiationError",
    "EscapedTracerError",
    "GradientCheckError",
    "Graph",
    "NonScalarOutputError",
    "NumpyOnTracerError",
    "Primitive",
    "REGISTRY",
    "ShapeMismatchError",
    "Tensor",
    "check_grads",
    "checkpoint",
    "checkpointed_loop",
    "custom_jvp",
    "custom_vjp",
    "fixed_point",
    "grad",
    "graph",
    "hessian",
    "hvp",
    "jacfwd",
    "jacobian",
    "jacrev",
    "jvp",
    "make_graph",
    "nn",
    "no_grad",
    "optim",
    "relax",
    "stage",
    "stop_gradient",
    "TraceTables",
    "trace_tables",
    "tree_flatten",
    "tree_leaves",
    "tree_map",
    "tree_unflatten",
    "value_and_grad",
    "vjp",
    "vmap",
]
