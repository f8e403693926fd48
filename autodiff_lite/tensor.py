"""A small PyTorch-like object API on the same tape: ``Tensor``, ``.backward()``, ``.grad``.

This is *define-by-run*: every operation on a tensor with ``requires_grad=True``
is recorded as it happens, on one long-lived reverse-mode trace (level 0, below
every functional transform). ``y.backward()`` walks that tape from ``y`` with
the same :func:`~autodiff_lite.reverse.backward` and the same VJP rules as
``grad``. It is not a second engine, just a different way to drive the first.

As in PyTorch, gradients *accumulate* into ``.grad`` across calls (zero them
between steps), the tape is freed by ``backward()`` unless
``retain_graph=True``, and only leaf tensors keep a ``.grad``.

>>> x = Tensor([1.0, 2.0], requires_grad=True)
>>> (x * x).sum().backward()
>>> x.grad
Tensor([2., 4.])
"""

from __future__ import annotations

import weakref

import numpy as np

from . import numpy as anp
from .core import _differentiating, value_of
from .errors import BackwardError
from .primitives.shapes import getitem
from .reverse import Node, ReverseTrace, ReverseTracer, backward

_EAGER = ReverseTrace(0)  # the tape every Tensor records on; always active
_leaf_owner: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # leaf node -> tensor


def _value(x):
    if isinstance(x, Tensor):
        return x._value if _differentiating[-1] else value_of(x._value)
    return x


class Tensor:
    """An array that can record the operations applied to it, for ``.backward()``."""

    __slots__ = ("_value", "grad", "_is_leaf", "__weakref__")
    __array_ufunc__ = None  # so that `ndarray + Tensor` calls Tensor.__radd__

    def __init__(self, data, requires_grad: bool = False, dtype=None):
        data = np.array(value_of(data._value) if isinstance(data, Tensor) else data, dtype=dtype)
        if data.dtype.kind in "iub" and dtype is None and requires_grad:
            raise TypeError(
                f"only floating-point tensors can require gradients, got dtype {data.dtype}; "
                f"use Tensor([1.0, 2.0], ...) or dtype=float"
            )
        self.grad = None
        self._is_leaf = True
        if requires_grad:
            node = Node.leaf(data)
            _leaf_owner[node] = weakref.ref(self)
            self._value = ReverseTracer(_EAGER, data, node)
        else:
            self._value = data

    @classmethod
    def _from(cls, value) -> Tensor:
        t = cls.__new__(cls)
        t._value, t.grad, t._is_leaf = value, None, False
        return t

    # --- what a tensor is ------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        return isinstance(self._value, ReverseTracer) and self._value._trace is _EAGER

    @property
    def is_leaf(self) -> bool:
        """As in PyTorch: made by the user, or not requiring grad (so no graph behind it)."""
        return self._is_leaf or not self.requires_grad

    @property
    def data(self) -> np.ndarray:
        """The plain numpy array, not recorded (updating it in place is not tracked)."""
        return value_of(self._value)

    shape = property(lambda self: self.data.shape)
    dtype = property(lambda self: self.data.dtype)
    ndim = property(lambda self: self.data.ndim)

    # --- handing a tensor to numpy and Python, with PyTorch's refusals --------------------
    def numpy(self) -> np.ndarray:
        """A copy of the values as a numpy array; refused while the tensor requires grad."""
        if self.requires_grad:
            raise BackwardError(
                "can't call numpy() on a tensor that requires grad: the array would not "
                "carry its gradient. Use tensor.detach().numpy() instead (as in PyTorch)."
            )
        return self.data.copy()

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        """``np.asarray(t)``: the rules of :meth:`numpy` (so matplotlib can plot a tensor)."""
        out = self.numpy()
        return out if dtype is None else out.astype(dtype)

    def tolist(self):
        """The values as (nested) Python numbers; allowed with requires_grad, as in PyTorch."""
        return self.data.tolist()

    def item(self):
        """The one value of a one-element tensor, as a Python number."""
        return self._one_element("item()").item()

    def __float__(self) -> float:
        return float(self._one_element("float()").item())

    def __int__(self) -> int:
        return int(self._one_element("int()").item())

    def __bool__(self) -> bool:
        return bool(self._one_element("bool()").item())

    def _one_element(self, what: str) -> np.ndarray:
        if self.data.size != 1:
            raise ValueError(
                f"{what} needs a one-element tensor, got shape {self.shape} "
                f"({self.data.size} elements). Reduce it first (t.sum(), t[0]) or use "
                f"t.tolist() for all the values."
            )
        return self.data

    def detach(self) -> Tensor:
        return Tensor(self.data)

    def zero_grad(self) -> None:
        self.grad = None

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="Tensor(")
        return f"Tensor({body}, requires_grad=True)" if self.requires_grad else f"Tensor({body})"

    def __len__(self) -> int:
        return len(self.data)

    # --- the backward pass -------------------------------------------------------------
    def backward(self, gradient=None, retain_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) into ``leaf.grad`` for every leaf that requires grad."""
        if not self.requires_grad:
            raise BackwardError(
                "this tensor does not depend on any tensor with requires_grad=True, so there "
                "is nothing to differentiate. Create inputs with Tensor(data, requires_grad=True)."
            )
        if gradient is None:
            if self.shape != ():
                raise BackwardError(
                    f"backward() on a tensor of shape {self.shape} needs a gradient argument "
                    f"(the cotangent, with the same shape), e.g. "
                    f"y.backward(np.ones({self.shape})), or reduce to a scalar first with y.sum()"
                )
            gradient = np.ones_like(self.data)
        gradient = np.asarray(value_of(_value(gradient)), dtype=self.dtype)
        if gradient.shape != self.shape:
            raise BackwardError(
                f"backward(gradient): gradient has shape {gradient.shape} but the tensor has "
                f"shape {self.shape}; they must match"
            )
        node = self._value.node
        if node.freed:
            raise BackwardError(
                "Trying to backward through the graph a second time: its intermediate values "
                "were freed by the first .backward(). Pass retain_graph=True to the first call."
            )
        found = backward([(node, gradient)], free=not retain_graph)
        for leaf, x_bar in found.items():
            ref = _leaf_owner.get(leaf)
            tensor = ref() if ref is not None else None
            if tensor is not None:
                tensor.grad = (
                    Tensor(x_bar) if tensor.grad is None else Tensor(tensor.grad.data + x_bar)
                )

    # --- operations: each records through the same primitives as anp ---------------------
    def _apply(self, f, *others, **kwargs) -> Tensor:
        return Tensor._from(f(_value(self), *[_value(o) for o in others], **kwargs))

    def __add__(self, o):
        return self._apply(anp.add, o)

    def __radd__(self, o):
        return Tensor._from(anp.add(_value(o), _value(self)))

    def __sub__(self, o):
        return self._apply(anp.subtract, o)

    def __rsub__(self, o):
        return Tensor._from(anp.subtract(_value(o), _value(self)))

    def __mul__(self, o):
        return self._apply(anp.multiply, o)

    def __rmul__(self, o):
        return Tensor._from(anp.multiply(_value(o), _value(self)))

    def __truediv__(self, o):
        return self._apply(anp.divide, o)

    def __rtruediv__(self, o):
        return Tensor._from(anp.divide(_value(o), _value(self)))

    def __pow__(self, o):
        return self._apply(anp.power, o)

    def __rpow__(self, o):
        return Tensor._from(anp.power(_value(o), _value(self)))

    def __matmul__(self, o):
        return self._apply(anp.matmul, o)

    def __rmatmul__(self, o):
        return Tensor._from(anp.matmul(_value(o), _value(self)))

    def __neg__(self):
        return self._apply(anp.negative)

    def __getitem__(self, index):
        return self._apply(getitem, index)

    def __lt__(self, o):
        return Tensor(self.data < value_of(_value(o)))

    def __gt__(self, o):
        return Tensor(self.data > value_of(_value(o)))

    def exp(self):
        return self._apply(anp.exp)

    def log(self):
        return self._apply(anp.log)

    def sin(self):
        return self._apply(anp.sin)

    def cos(self):
        return self._apply(anp.cos)

    def tanh(self):
        return self._apply(anp.tanh)

    def sqrt(self):
        return self._apply(anp.sqrt)

    def abs(self):
        return self._apply(anp.abs)

    def relu(self):
        return self._apply(anp.maximum, 0.0)

    def sigmoid(self):
        return self._apply(lambda x: 0.5 * (anp.tanh(0.5 * x) + 1.0))

    def sum(self, axis=None, keepdims=False):
        return self._apply(anp.sum, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims=False):
        return self._apply(anp.mean, axis=axis, keepdims=keepdims)

    def max(self, axis=None, keepdims=False):
        return self._apply(anp.max, axis=axis, keepdims=keepdims)

    def reshape(self, *shape):
        return self._apply(anp.reshape, shape[0] if len(shape) == 1 else shape)

    def log_softmax(self, axis=-1):
        return self._apply(lambda x: x - anp.logsumexp(x, axis=axis, keepdims=True))

    # --- in-place updates, for optimizer steps (as in PyTorch, only under no_grad) ---------
    def _inplace(self, op, other) -> Tensor:
        if _differentiating[-1] and self.requires_grad:
            raise BackwardError(
                "a tensor that requires grad was updated in place, which would corrupt its "
                "gradient. Update parameters inside `with ad.no_grad():`, e.g. "
                "`with ad.no_grad(): w -= lr * w.grad`."
            )
        op(self.data, value_of(_value(other)), out=self.data)
        return self

    def __iadd__(self, other):
        return self._inplace(np.add, other)

    def __isub__(self, other):
        return self._inplace(np.subtract, other)

    def __imul__(self, other):
        return self._inplace(np.multiply, other)

    @property
    def T(self) -> Tensor:
        return self._apply(anp.transpose)
