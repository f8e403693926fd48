"""The student's objects as the trusted grader sees them: stand-ins that only ask questions.

A test cell of a lab is ordinary Python (``assert np.isclose(forward_difference(cube, 2.0,
0.5), 15.25)``). The grader runs it in its own process, where ``forward_difference`` is a
``StudentObject``: calling it sends the call over the wire to the sandbox (``wire.py``) and
waits for the answer. Whatever comes back is either plain data, rebuilt by the grader
(numbers, strings, plain ``numpy`` arrays), or another ``StudentObject`` (a ``Dual``
number, a tape node). The test's own functions (``cube`` above) travel the other way as
callbacks: the student's code may call them, and the grader runs them on plain data.

What a stand-in never does is let the student's code decide a comparison: ``==``, ``<``,
``bool()``, ``float()`` and ``np.asarray`` first fetch the object's *value* (plain numbers
from the sandbox) and compare those here. An object whose ``__eq__`` always says yes, a
numpy subclass that agrees with everything, a ``float`` subclass: all arrive as numbers.
Arithmetic (``d * 2``), attributes (``d.tangent``), calls, indexing and ``len`` are asked of
the student's object, because that is what the tests grade; the answers are plain data again.
"""

from __future__ import annotations

import builtins
import time
import weakref

import numpy as np

from .wire import Callback, Closed, Handle, Peer, TimedOut, WireError, decode, encode


class StudentError(Exception):
    """An exception raised by the student's code, of a type the grader does not know."""

    def __init__(self, kind: str, message: str):
        super().__init__(f"{kind}: {message}")
        self.kind = kind


class SandboxGone(BaseException):
    """The student's process died or stopped answering: the test cannot go on. (A
    ``BaseException``, so that a test's ``except Exception`` does not swallow it.)"""


# Exceptions the student's code raises come back as these types when the name matches
# (tests catch ValueError and friends); any other type becomes a StudentError.
KNOWN = {
    name: obj
    for name, obj in vars(builtins).items()
    if isinstance(obj, type) and issubclass(obj, Exception) and not name.startswith("_")
}


class Remote(Peer):
    """The grader's side of the wire for one sandbox."""

    catch_all = False

    def __init__(self, rfd: int, wfd: int):
        super().__init__(rfd, wfd)
        self.callbacks: list = []
        # one stand-in per student object while the grader holds it; when the last reference
        # goes, the student's process may let the object go too (``release``)
        self.objects: weakref.WeakValueDictionary = weakref.WeakValueDictionary()
        self.seen: set[int] = set()
        self.deadline: float | None = None
        self.broken: str | None = None

    # -- encoding ------------------------------------------------------------------------

    def refer(self, value):
        if isinstance(value, StudentObject):
            return value._handle
        if isinstance(value, StudentClass):
            return value._handle
        if isinstance(value, np.random.Generator):
            raise WireError("a random generator cannot be sent: pass numbers or a seed")
        if callable(value):
            self.callbacks.append(value)
            return Callback(len(self.callbacks) - 1)
        raise WireError(f"the test tried to send a {type(value).__name__} to the student's code")

    def lookup(self, marker):
        if isinstance(marker, Handle):
            # one stand-in per student object, so that `is`, sets and dicts work as there
            self.seen.add(marker.id)
            stand_in = self.objects.get(marker.id)
            if stand_in is None:
                if marker.type.startswith("class "):
                    attrs = {"_remote": self, "_handle": marker}
                    stand_in = StudentClass(marker.type[6:], (), attrs)
                else:
                    stand_in = StudentObject(self, marker)
                self.objects[marker.id] = stand_in
            return stand_in
        if not 0 <= marker.id < len(self.callbacks):
            raise WireError("no such callback")
        return self.callbacks[marker.id]

    # -- asking --------------------------------------------------------------------------

    def question(self, op: str, **fields):
        """Ask the sandbox; return the decoded answer or raise what the student's code raised."""
        if self.broken:
            raise SandboxGone(self.broken)
        message = {"op": op}
        for key, value in fields.items():
            message[key] = value if key in ("name", "fn") else encode(value, self.refer)
        try:
            reply = self.ask(message, self.deadline)
        except TimedOut:
            self.broken = "your code did not answer within the time limit"
            raise SandboxGone(self.broken) from None
        except (Closed, WireError, OSError) as e:
            self.broken = f"your code's process stopped answering ({e})"
            raise SandboxGone(self.broken) from None
        if reply["op"] == "raise":
            kind, text = str(reply.get("type", "Exception"))[:80], str(reply.get("message"))
            if kind in KNOWN:
                raise KNOWN[kind](text)
            raise StudentError(kind, text)
        try:
            return decode(reply.get("value"), self.lookup)
        except (WireError, ValueError, RecursionError) as e:
            raise StudentError("WireError", f"the answer was not plain data: {e}") from None

    def serve(self, request: dict, deadline=None):
        # The only thing the student's side may ask: call one of the test's functions.
        if request["op"] != "call":
            raise WireError("the student's code may only call the test's functions")
        fn = decode(request.get("target"), self.lookup)
        if isinstance(fn, StudentObject) or not callable(fn):
            raise WireError("not a function of the test")
        args = decode(request.get("args", []), self.lookup)
        kwargs = decode(request.get("kwargs", {"$dict": []}), self.lookup)
        if type(args) is not list or type(kwargs) is not dict:
            raise WireError("bad call")
        return encode(fn(*args, **kwargs), self.refer)

    def release(self) -> None:
        """Tell the student's process which handles the grader no longer holds."""
        gone = sorted(self.seen - set(self.objects.keys()))
        if gone and not self.broken:
            self.seen -= set(gone)
            self.question("release", ids=gone)

    def name(self, name: str):
        return self.question("name", name=name)


def _value(obj: StudentObject):
    return obj._remote.question("value", target=obj)


def _op(name):
    def method(self, *others):
        return self._remote.question("operator", fn=name, args=[self, *others])

    return method


def _rop(name):
    def method(self, other):
        return self._remote.question("operator", fn=name, args=[other, self])

    return method


def _compare(how):
    def method(self, other):
        other = _value(other) if isinstance(other, StudentObject) else other
        return how(_value(self), other)

    return method


UFUNC_OPERATORS = {"add": "add", "subtract": "sub", "multiply": "mul", "true_divide": "truediv",
                   "divide": "truediv", "power": "pow", "matmul": "matmul", "negative": "neg",
                   "positive": "pos", "absolute": "abs", "floor_divide": "floordiv",
                   "remainder": "mod"}  # fmt: skip


class StudentClass(type):
    """A class of the student's (``Dual``): calling it makes a ``StudentObject``, and
    ``isinstance(x, Dual)`` asks the student's process."""

    def __call__(cls, *args, **kwargs):
        return cls._remote.question("call", target=cls, args=list(args), kwargs=dict(kwargs))

    def __instancecheck__(cls, obj):
        if not isinstance(obj, StudentObject):
            return False
        return bool(cls._remote.question("isinstance", target=obj, cls=cls))

    def __getattr__(cls, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return cls._remote.question("getattr", target=cls, name=name)


class StudentObject:
    """An object living in the student's process (see the module's docstring)."""

    __slots__ = ("_remote", "_handle", "__weakref__")

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        """``np.sqrt(x)``, ``np.float64(2) * d``: on the values when the student's objects
        are numbers (computed here), else as the Python operator, asked of the student's
        object (a ``Dual`` times a numpy float)."""
        try:
            values = [_value(x) if isinstance(x, StudentObject) else x for x in inputs]
        except (TypeError, StudentError):  # not numbers (a Dual, a traced value)
            if method == "__call__" and ufunc.__name__ in UFUNC_OPERATORS and not kwargs:
                return self._remote.question(
                    "operator", fn=UFUNC_OPERATORS[ufunc.__name__], args=list(inputs)
                )
            raise
        return getattr(ufunc, method)(*values, **kwargs)

    def __init__(self, remote: Remote, handle: Handle):
        object.__setattr__(self, "_remote", remote)
        object.__setattr__(self, "_handle", handle)

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)  # numpy and Python probe these; never ask the student
        return self._remote.question("getattr", target=self, name=name)

    def __setattr__(self, name, value):
        self._remote.question("setattr", target=self, name=name, value=value)

    def __call__(self, *args, **kwargs):
        return self._remote.question("call", target=self, args=list(args), kwargs=dict(kwargs))

    def __repr__(self):
        return f"<{self._handle.type} object of your code>"

    def __len__(self):
        return self._remote.question("len", target=self)

    def __iter__(self):
        return iter(self._remote.question("iter", target=self))

    def __array__(self, dtype=None, copy=None):
        return np.asarray(_value(self), dtype=dtype)

    def __float__(self):
        return float(_value(self))

    def __int__(self):
        return int(_value(self))

    def __index__(self):
        value = _value(self)
        if type(value) is not int:
            raise TypeError("not an integer")
        return value

    def __complex__(self):
        return complex(_value(self))

    def __bool__(self):
        return bool(_value(self))

    __hash__ = object.__hash__
    __eq__ = _compare(lambda a, b: a == b)
    __ne__ = _compare(lambda a, b: a != b)
    __lt__ = _compare(lambda a, b: a < b)
    __le__ = _compare(lambda a, b: a <= b)
    __gt__ = _compare(lambda a, b: a > b)
    __ge__ = _compare(lambda a, b: a >= b)

    __add__, __radd__ = _op("add"), _rop("add")
    __sub__, __rsub__ = _op("sub"), _rop("sub")
    __mul__, __rmul__ = _op("mul"), _rop("mul")
    __truediv__, __rtruediv__ = _op("truediv"), _rop("truediv")
    __floordiv__, __rfloordiv__ = _op("floordiv"), _rop("floordiv")
    __mod__, __rmod__ = _op("mod"), _rop("mod")
    __pow__, __rpow__ = _op("pow"), _rop("pow")
    __matmul__, __rmatmul__ = _op("matmul"), _rop("matmul")
    __and__, __rand__ = _op("and_"), _rop("and_")
    __or__, __ror__ = _op("or_"), _rop("or_")
    __neg__, __pos__, __abs__ = _op("neg"), _op("pos"), _op("abs")
    __invert__ = _op("invert")
    __getitem__ = _op("getitem")
    __setitem__ = _op("setitem")
    __delitem__ = _op("delitem")
    __contains__ = _op("contains")


def deadline_in(seconds: float) -> float:
    return time.monotonic() + seconds
