"""The wire between the trusted grader and the student's sandboxed process: plain data only.

Both sides speak in *frames*: a 4-byte big-endian length, then that many bytes of UTF-8
JSON. What a frame can carry is deliberately poor, so that nothing the student's process
sends can be more than data when it arrives in the grader:

- ``None``, ``bool``, ``int``, ``float`` (NaN and infinities included), ``str``;
- ``{"$scalar": {"dtype": "float64", "data": base64}}``: a numpy scalar (``np.float64(2)``);
- ``{"$complex": [re, im]}``, ``{"$tuple": [...]}``, ``{"$dict": [[key, value], ...]}``,
  ``{"$slice": [start, stop, step]}``, ``{"$bytes": base64}``;
- ``{"$array": {"dtype": "float64", "shape": [2, 3], "data": base64}}``: a numpy array of a
  numeric or boolean dtype (never ``object``), rebuilt as a plain ``numpy.ndarray`` whose
  byte count is checked against its shape, so no subclass and no custom comparison can
  arrive;
- ``{"$handle": n, "type": "Dual"}``: a reference to an object that stays in the student's
  process (a ``Dual`` number, a tape node); the grader can only ask about it over the wire;
- ``{"$callback": n}``: a reference to a function of the grader's (a test's ``f``) that the
  student's code may call, with plain data, and that answers with plain data.

``encode`` turns values into that JSON; ``decode`` turns it back, with ``lookup`` deciding what
a handle or callback becomes on the receiving side. Lists, dicts and the like are rebuilt as
exactly their built-in types. Sizes are bounded (``MAX_FRAME`` bytes a frame, ``MAX_DEPTH``
levels of nesting, ``MAX_ITEMS`` elements of an array) and anything else is refused with
``WireError``, which the grader treats as a wrong answer, never as a crash.

This file is also copied into the sandbox (the student's side of the wire uses it), so it
imports nothing but the standard library and numpy.
"""

from __future__ import annotations

import base64
import json
import math
import os
import select
import struct
import time

import numpy as np

MAX_FRAME = 16 * 2**20  # bytes in one frame (a JSON list of 8 M numbers at most)
MAX_DEPTH = 32  # levels of nesting
MAX_ITEMS = 2**24  # elements of one array
MAX_ELEMENTS = 1_000_000  # elements of lists, tuples and dicts in one value, all together
DTYPES = {
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "float32", "float64", "complex64", "complex128",
}  # fmt: skip


class WireError(Exception):
    """A frame that breaks the rules: too big, not JSON, or not plain data."""


class Handle:
    """Marks a value for ``encode`` as a handle: ``Handle(n, "Dual")``."""

    __slots__ = ("id", "type")

    def __init__(self, id: int, type: str = "object"):
        self.id, self.type = id, type


class Callback:
    """Marks a value for ``encode`` as a callback reference: ``Callback(n)``."""

    __slots__ = ("id",)

    def __init__(self, id: int):
        self.id = id


def encode(value, refer=None, depth: int = 0):
    """``value`` as JSON-ready plain data. ``refer(value)`` is asked about anything else and
    returns a ``Handle`` or ``Callback`` marker, or raises ``WireError``."""
    if depth > MAX_DEPTH:
        raise WireError("nested too deeply")
    t = type(value)
    if value is None or t in (bool, int, str):
        return value
    if t is float:
        return value if math.isfinite(value) else {"$float": repr(value)}
    if t is complex:
        return {"$complex": [encode(value.real), encode(value.imag)]}
    if isinstance(value, np.generic) and value.dtype.name in DTYPES:
        data = base64.b64encode(np.asarray(value).tobytes()).decode()  # keeps np.float64 etc.
        return {"$scalar": {"dtype": value.dtype.name, "data": data}}
    if t is list:
        return [encode(v, refer, depth + 1) for v in value]
    if t is tuple:
        return {"$tuple": [encode(v, refer, depth + 1) for v in value]}
    if t is dict:
        return {"$dict": [[encode(k, refer, depth + 1), encode(v, refer, depth + 1)]
                          for k, v in value.items()]}  # fmt: skip
    if t is slice:
        return {
            "$slice": [encode(x, refer, depth + 1) for x in (value.start, value.stop, value.step)]
        }
    if t is bytes:
        return {"$bytes": base64.b64encode(value).decode()}
    if t is type(Ellipsis):
        return {"$ellipsis": True}
    if isinstance(value, np.ndarray) and value.dtype.name in DTYPES:
        array = np.array(value, order="C")  # a subclass is sent as its plain data; 0-d stays 0-d
        return {
            "$array": {
                "dtype": array.dtype.name,
                "shape": list(array.shape),
                "data": base64.b64encode(array.tobytes()).decode(),
            }
        }
    if t is Handle:
        return {"$handle": value.id, "type": value.type}
    if t is Callback:
        return {"$callback": value.id}
    if refer is None:
        raise WireError(f"cannot send a {t.__name__}: only plain data crosses the wire")
    return encode(refer(value), None, depth)


def decode(data, lookup=None, depth: int = 0, budget: list | None = None):
    """Plain data from JSON; ``lookup(marker)`` turns a ``Handle``/``Callback`` marker into
    what stands for it on this side (``WireError`` if there is no ``lookup``)."""
    if depth > MAX_DEPTH:
        raise WireError("nested too deeply")
    if budget is None:
        budget = [MAX_ELEMENTS]
    if type(data) in (list, dict):
        _spend(budget, len(data))
    t = type(data)
    if data is None or t in (bool, int, float, str):
        return data
    if t is list:
        return [decode(v, lookup, depth + 1, budget) for v in data]
    if t is not dict or len(data) not in (1, 2):
        raise WireError(f"not plain data: {t.__name__}")
    if "$handle" in data or "$callback" in data:
        if lookup is None:
            raise WireError("a reference where only data may be")
        if "$handle" in data:
            marker = Handle(_int(data["$handle"]), str(data.get("type", "object"))[:80])
        else:
            marker = Callback(_int(data["$callback"]))
        return lookup(marker)
    if len(data) != 1:
        raise WireError("not plain data: a dict with extra keys")
    ((tag, body),) = data.items()
    if tag == "$float":
        if body not in ("nan", "inf", "-inf"):
            raise WireError("bad float")
        return float(body)
    if tag == "$complex":
        re, im = (decode(x, None, depth + 1, budget) for x in _pair(body))
        return complex(re, im)
    if tag in ("$tuple", "$dict") and type(body) is list:
        _spend(budget, len(body))
    if tag == "$tuple":
        return tuple(decode(v, lookup, depth + 1, budget) for v in _list(body))
    if tag == "$dict":
        return {decode(k, None, depth + 1, budget): decode(v, lookup, depth + 1, budget)
                for k, v in (_pair(kv) for kv in _list(body))}  # fmt: skip
    if tag == "$slice":
        start, stop, step = (decode(x, None, depth + 1, budget) for x in _list(body, 3))
        return slice(start, stop, step)
    if tag == "$bytes":
        return base64.b64decode(_str(body), validate=True)
    if tag == "$ellipsis":
        return Ellipsis
    if tag == "$array":
        return _array(body)
    if tag == "$scalar":
        if type(body) is not dict:
            raise WireError("bad scalar")
        return _array({**body, "shape": []})[()]
    raise WireError(f"unknown tag {tag[:20]!r}")


def _spend(budget: list, n: int) -> None:
    budget[0] -= n
    if budget[0] < 0:
        raise WireError(f"more than {MAX_ELEMENTS} elements in one value")


def _array(body) -> np.ndarray:
    if type(body) is not dict:
        raise WireError("bad array")
    dtype = body.get("dtype")
    shape = body.get("shape")
    if dtype not in DTYPES or type(shape) is not list or len(shape) > 32:
        raise WireError("bad array dtype or shape")
    shape = tuple(_int(n) for n in shape)
    if any(n < 0 for n in shape) or math.prod(shape) > MAX_ITEMS:
        raise WireError("bad array size")
    raw = base64.b64decode(_str(body.get("data")), validate=True)
    dt = np.dtype(dtype)
    if len(raw) != math.prod(shape) * dt.itemsize:
        raise WireError("array data does not match its shape")
    return np.frombuffer(raw, dtype=dt).reshape(shape).copy()


def _int(x) -> int:
    if type(x) is not int:
        raise WireError("expected an integer")
    return x


def _str(x) -> str:
    if type(x) is not str:
        raise WireError("expected a string")
    return x


def _list(x, n: int | None = None) -> list:
    if type(x) is not list or (n is not None and len(x) != n):
        raise WireError("expected a list")
    return x


def _pair(x) -> list:
    return _list(x, 2)


# ----------------------------------------------------------------------------------------
# Frames on file descriptors
# ----------------------------------------------------------------------------------------


class Closed(Exception):
    """The other side closed the wire (its process ended)."""


class TimedOut(Exception):
    """No frame arrived before the deadline."""


def send(fd: int, message: dict) -> None:
    payload = json.dumps(message, allow_nan=False, separators=(",", ":")).encode()
    if len(payload) > MAX_FRAME:
        raise WireError(f"a frame of {len(payload)} bytes is over the limit of {MAX_FRAME}")
    data = struct.pack(">I", len(payload)) + payload
    view = memoryview(data)
    while view:
        try:
            n = os.write(fd, view)
        except BrokenPipeError as e:
            raise Closed("the other side is gone") from e
        view = view[n:]


def recv(fd: int, deadline: float | None = None) -> dict:
    """The next frame's message; ``deadline`` is a ``time.monotonic()`` value or None."""
    (size,) = struct.unpack(">I", _read(fd, 4, deadline))
    if size > MAX_FRAME:
        raise WireError(f"a frame of {size} bytes is over the limit of {MAX_FRAME}")
    payload = _read(fd, size, deadline)
    # Count before parsing: json.loads would build every element first (a frame of "[],"
    # is 5 million lists, gigabytes of Python objects) before decode's budget could look.
    if payload.count(b",") + payload.count(b"[") + payload.count(b"{") > 2 * MAX_ELEMENTS:
        raise WireError(f"a frame with more than {MAX_ELEMENTS} elements")
    try:
        message = json.loads(payload)
    except (ValueError, RecursionError) as e:
        raise WireError(f"a frame that is not JSON: {str(e)[:100]}") from None
    if type(message) is not dict or type(message.get("op")) is not str:
        raise WireError("a frame without an operation")
    return message


# What was read from each descriptor beyond the frame asked for (one read often brings the
# header, the frame and the next frame: one system call instead of several per message).
_buffers: dict[int, bytearray] = {}


def forget(fd: int) -> None:
    """Drop what was buffered for ``fd`` (call it when the descriptor is closed)."""
    _buffers.pop(fd, None)


def _read(fd: int, n: int, deadline: float | None) -> bytes:
    buffer = _buffers.setdefault(fd, bytearray())
    while len(buffer) < n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimedOut()
        chunk = os.read(fd, max(n - len(buffer), 1 << 16))
        if not chunk:
            raise Closed("the other side closed the wire")
        buffer += chunk
    data = bytes(buffer[:n])
    del buffer[:n]
    return data


# ----------------------------------------------------------------------------------------
# Requests and replies, in both directions
# ----------------------------------------------------------------------------------------


class Peer:
    """One end of the wire. ``ask`` sends a request and waits for its reply; while it waits,
    requests from the other side (a callback the student's code calls in the middle of a
    test's call) are served by ``serve``, which subclasses define. Replies are
    ``{"op": "return", "value": ...}`` or ``{"op": "raise", "type": ..., "message": ...}``.
    """

    def __init__(self, rfd: int, wfd: int):
        self.rfd, self.wfd, self.last_id = rfd, wfd, 0

    def ask(self, message: dict, deadline: float | None = None) -> dict:
        self.last_id += 1
        me = self.last_id
        send(self.wfd, {**message, "id": me})
        while True:
            reply = recv(self.rfd, deadline)
            if reply["op"] in ("return", "raise"):
                if reply.get("id") != me:
                    raise WireError("a reply to a question that was not asked")
                return reply
            self.answer(reply, deadline)

    def answer(self, request: dict, deadline: float | None = None) -> None:
        try:
            value = self.serve(request, deadline)
            reply = {"op": "return", "value": value}
        except (Closed, TimedOut):
            raise
        except BaseException as e:  # noqa: BLE001 - every failure goes back as a reply
            if isinstance(e, (SystemExit, KeyboardInterrupt)) and not self.catch_all:
                raise
            reply = {
                "op": "raise",
                "type": type(e).__name__,
                "module": type(e).__module__,
                "message": str(e)[:4000],
            }
        send(self.wfd, {**reply, "id": request.get("id")})

    catch_all = True

    def serve(self, request: dict, deadline: float | None):  # pragma: no cover - abstract
        raise WireError(f"cannot serve {request.get('op')!r}")
