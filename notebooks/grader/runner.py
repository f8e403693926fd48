"""The program that runs inside the sandbox: the student's cells, and answers about them.

The grader starts this file in a fresh sandbox for each submission (``sandbox.py``) and
talks to it over two pipes, file descriptors 3 (in) and 4 (out), in the frames of
``wire.py``. Everything in this process is the student's: their code may replace any part
of this file while it runs, so nothing here decides a grade. It only

1. writes the lab's helper files into its private folder (``hello``);
2. runs the student's cells one at a time when asked (``exec``), in an IPython shell so that
   magics and ``display`` work as in JupyterLab, and returns each cell's text output;
3. answers the questions the grader's tests ask (``name``, ``call``, ``getattr``,
   ``operator``, ``value``, ...) with plain data, or with a handle for an object that
   cannot travel (a ``Dual`` number), and calls back the test's own functions when the
   student's code calls them.

Limits the grader asked for and that only apply once inside the sandbox (the number of
processes is counted per user namespace) are set first, before any student code runs.
"""

from __future__ import annotations

import operator
import os
import resource
import signal
import sys

import numpy as np
from wire import DTYPES, Callback, Handle, Peer, WireError, decode, encode, recv, send

OUTPUT_LIMIT = 256 * 1024  # characters of output kept per cell (the grader cuts again)
OPERATORS = {
    name: getattr(operator, name)
    for name in (
        "add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "neg", "pos",
        "abs", "getitem", "setitem", "delitem", "contains", "and_", "or_", "xor", "invert",
    )
}  # fmt: skip
MAX_ITER = 100_000
# An error in a test's function reaches the student's code as the same built-in type.
RAISED = {
    e.__name__: e
    for e in (ValueError, TypeError, ZeroDivisionError, OverflowError, FloatingPointError,
              IndexError, KeyError, ArithmeticError)
}  # fmt: skip


class Student(Peer):
    """The student's side of the wire: the shell, the handles, the callbacks."""

    def __init__(self):
        super().__init__(3, 4)
        self.shell = None
        self.handles: dict[int, object] = {}
        self.ids: dict[int, int] = {}  # id(object) -> handle number (one handle per object)
        self.count = 0

    # -- plain data and handles ----------------------------------------------------------

    def refer(self, value) -> Handle:
        key = id(value)
        if key not in self.ids:
            self.count += 1
            n = self.count
            self.handles[n], self.ids[key] = value, n
        kind = f"class {value.__name__}" if isinstance(value, type) else type(value).__name__
        return Handle(self.ids[key], kind)

    def out(self, value):
        return encode(value, self.refer)

    def lookup(self, marker):
        if isinstance(marker, Handle):
            if marker.id not in self.handles:
                raise WireError("no such handle")
            return self.handles[marker.id]
        return TestFunction(self, marker)

    def arg(self, data):
        return decode(data, self.lookup)

    # -- the grader's questions ----------------------------------------------------------

    def serve(self, request: dict, deadline=None):
        op = request["op"]
        if op == "name":
            name = request["name"]
            if name not in self.shell.user_ns:
                raise NameError(f"name {name!r} is not defined in your notebook")
            return self.out(self.shell.user_ns[name])
        if op == "setname":
            self.shell.user_ns[str(request["name"])] = self.arg(request["value"])
            return None
        if op == "call":
            fn = self.arg(request["target"])
            args = self.arg(request.get("args", []))
            kwargs = self.arg(request.get("kwargs", {"$dict": []}))
            return self.out(fn(*args, **kwargs))
        if op == "getattr":
            return self.out(getattr(self.arg(request["target"]), request["name"]))
        if op == "setattr":
            setattr(self.arg(request["target"]), request["name"], self.arg(request["value"]))
            return None
        if op == "operator":
            fn = OPERATORS[request["fn"]]
            return self.out(fn(*self.arg(request["args"])))
        if op == "release":  # the grader no longer holds these: the objects may go
            for n in self.arg(request["ids"]):
                value = self.handles.pop(n, None)
                if value is not None:
                    self.ids.pop(id(value), None)
            return None
        if op == "isinstance":
            return isinstance(self.arg(request["target"]), self.arg(request["cls"]))
        if op == "len":
            return len(self.arg(request["target"]))
        if op == "iter":
            items = []
            for item in self.arg(request["target"]):
                items.append(item)
                if len(items) > MAX_ITER:
                    raise ValueError(f"more than {MAX_ITER} items")
            return self.out(items)
        if op == "value":
            return self.out(plain(self.arg(request["target"])))
        if op == "repr":
            return repr(self.arg(request["target"]))[:500]
        raise WireError(f"unknown question {op!r}")

    # -- the notebook --------------------------------------------------------------------

    def hello(self, message: dict) -> None:
        for name, text in message.get("files", {}).items():
            if "/" in name or name.startswith("."):
                continue
            with open(name, "w", encoding="utf-8") as f:
                f.write(text)
        from IPython.core.interactiveshell import InteractiveShell
        from traitlets.config import Config

        config = Config()
        config.HistoryManager.enabled = False
        config.InteractiveShell.colors = "NoColor"
        config.InteractiveShell.xmode = "Plain"
        self.shell = InteractiveShell.instance(config=config)
        sys.path.insert(0, os.getcwd())

    def run_cell(self, source: str, timeout: float) -> dict:
        from IPython.utils.capture import capture_output

        def interrupt(signum, frame):
            raise KeyboardInterrupt(f"the cell ran past the time limit of {timeout:g} s")

        signal.signal(signal.SIGALRM, interrupt)
        with capture_output(display=True) as captured:
            signal.setitimer(signal.ITIMER_REAL, timeout)
            try:
                result = self.shell.run_cell(source, store_history=False, silent=False)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        outputs = []
        for name, text in (("stdout", captured.stdout), ("stderr", captured.stderr)):
            if text:
                outputs.append({"output_type": "stream", "name": name, "text": cut(text)})
        for shown in captured.outputs[:20]:
            data = {k: cut(v) for k, v in shown.data.items() if k in ("text/plain", "text/html")}
            if data:
                outputs.append({"output_type": "display_data", "data": data, "metadata": {}})
        error = result.error_in_exec or result.error_before_exec
        return {"outputs": outputs, "error": None if error is None else type(error).__name__}

    def main(self) -> None:
        while True:
            message = recv(self.rfd)
            op = message["op"]
            if op == "hello":
                self.hello(message)
                send(self.wfd, {"op": "ready"})
            elif op == "exec":
                done = self.run_cell(message["source"], float(message.get("timeout", 60)))
                send(self.wfd, {"op": "done", **done})
            elif op == "bye":
                return
            else:
                self.answer(message)


class TestFunction:
    """A function of the grader's test, as the student's code sees it: calling it asks the
    grader to run it (with plain data) and waits for the plain answer."""

    def __init__(self, peer: Student, marker: Callback):
        self._peer, self._marker = peer, marker

    def __call__(self, *args, **kwargs):
        peer = self._peer
        reply = peer.ask(
            {
                "op": "call",
                "target": encode(self._marker),
                "args": peer.out(list(args)),
                "kwargs": peer.out(dict(kwargs)),
            }  # fmt: skip
        )
        if reply["op"] == "raise":
            kind = RAISED.get(reply.get("type"), RuntimeError)
            raise kind(reply.get("message", ""))
        return peer.arg(reply["value"])

    def __repr__(self):
        return "<a function of the test>"


def plain(value):
    """The numbers in ``value``: itself when it is plain data, else ``np.asarray`` of it."""
    try:
        encode(value)
        return value
    except WireError:
        pass
    array = np.asarray(value)
    if array.dtype.name not in DTYPES:
        raise TypeError(f"a {type(value).__name__} cannot be read as numbers")
    return array.item() if array.ndim == 0 else array


def cut(text):
    if isinstance(text, list):
        text = "".join(text)
    text = str(text)
    if len(text) > OUTPUT_LIMIT:
        return text[:OUTPUT_LIMIT] + f"\n[... output cut at {OUTPUT_LIMIT} characters]"
    return text


LIMITS = {"as": resource.RLIMIT_AS, "cpu": resource.RLIMIT_CPU, "fsize": resource.RLIMIT_FSIZE,
          "nproc": resource.RLIMIT_NPROC, "nofile": resource.RLIMIT_NOFILE,
          "core": resource.RLIMIT_CORE}  # fmt: skip


def main() -> None:
    # DIFFPROG_LIMITS="as=4294967296,cpu=300,...": set before any student code runs. The
    # number of processes is counted per user (per user namespace): each sandbox has its
    # own, so one student's fork bomb cannot stop another's code from starting processes.
    for item in filter(None, os.environ.pop("DIFFPROG_LIMITS", "").split(",")):
        name, value = item.split("=")
        resource.setrlimit(LIMITS[name], (int(value), int(value)))
    Student().main()


if __name__ == "__main__":
    main()
