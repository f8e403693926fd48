"""Self-checks for Lab 3 (a tape and reverse mode): the VISIBLE checks of each exercise.

Each function runs one exercise's visible checks on your code and prints a report:
which input, what was expected, what you returned, and a hint for the classic mistakes
(overwriting instead of accumulating, skipping the topological order, forgetting to
reset gradients between backward passes). Passing them is necessary, not sufficient:
the hidden tests use other inputs.
"""

import math

import numpy as np

import autodiff_lite as ad
import autodiff_lite.numpy as anp
from autodiff_lite.selfcheck import Case, check


def _near(value):
    """A hint predicate: the student's output is close to ``value``."""
    return lambda got: np.allclose(np.asarray(got, dtype=float), value, rtol=1e-9, atol=1e-12)


# ----------------------------------------------------------------------------
# Exercise 1: the operations of Value
# ----------------------------------------------------------------------------

_OPS = {
    "a + b": (lambda a, b: a + b, lambda u, w: (u + w, [1.0, 1.0])),
    "a * b": (lambda a, b: a * b, lambda u, w: (u * w, [w, u])),
    "-a": (lambda a, b: -a, lambda u, w: (-u, [-1.0, 0.0])),
    "a - b": (lambda a, b: a - b, lambda u, w: (u - w, [1.0, -1.0])),
    "a / b": (lambda a, b: a / b, lambda u, w: (u / w, [1 / w, -u / w**2])),
    "a ** 3": (lambda a, b: a**3, lambda u, w: (u**3, [3 * u**2, 0.0])),
    "a ** -0.5": (lambda a, b: a**-0.5, lambda u, w: (u**-0.5, [-0.5 * u**-1.5, 0.0])),
    "a * a": (lambda a, b: a * a, lambda u, w: (u * u, [2 * u, 0.0])),
    "3 * a": (lambda a, b: 3 * a, lambda u, w: (3 * u, [3.0, 0.0])),
    "1 - a": (lambda a, b: 1 - a, lambda u, w: (1 - u, [-1.0, 0.0])),
    "1 / b": (lambda a, b: 1 / b, lambda u, w: (1 / w, [0.0, -1 / w**2])),
    "a.exp()": (lambda a, b: a.exp(), lambda u, w: (math.exp(u), [math.exp(u), 0.0])),
    "a.log()": (lambda a, b: a.log(), lambda u, w: (math.log(u), [1 / u, 0.0])),
    "a.tanh()": (
        lambda a, b: a.tanh(),
        lambda u, w: (math.tanh(u), [1 - math.tanh(u) ** 2, 0.0]),
    ),
}

# What the classic slips give, as (value, d/da, d/db), for the hints.
_SLIPS = {
    "a * b": [
        (
            lambda u, w: [u * w, u, w],
            "the local derivative of a * b with respect to a is "
            "b, and with respect to b it is a (you swapped them)",
        )
    ],
    "a - b": [
        (lambda u, w: [u - w, 1.0, 1.0], "the local derivative of a - b with respect to b is -1")
    ],
    "a / b": [
        (
            lambda u, w: [u / w, 1 / w, u / w**2],
            "the local derivative of a / b with respect to b is -a / b**2 (mind the sign)",
        ),
        (
            lambda u, w: [u / w, 1 / w, -1 / w**2],
            "the local derivative of a / b with respect to b is -a / b**2, not -1 / b**2",
        ),
    ],
    "a ** 3": [
        (lambda u, w: [u**3, 3 * u**3, 0.0], "the local derivative of a ** c is c * a ** (c - 1)")
    ],
    "a ** -0.5": [
        (
            lambda u, w: [u**-0.5, -0.5 * u**-0.5, 0.0],
            "the local derivative of a ** c is c * a ** (c - 1)",
        )
    ],
    "a * a": [
        (
            lambda u, w: [u * u, u, 0.0],
            "a * a uses a twice: list both pairs (a, a.data), or one pair with 2 * a.data",
        )
    ],
    "a.tanh()": [
        (
            lambda u, w: [math.tanh(u), 1 - u**2, 0.0],
            "that is 1 - a**2; the derivative of tanh is 1 - tanh(a)**2",
        )
    ],
    "a.exp()": [(lambda u, w: [math.exp(u), u, 0.0], "the derivative of exp(a) is exp(a)")],
}


def _value_op(Value, op, u, w):
    """Run one operation on Values; return [data, d/da, d/db] read from its parents."""
    a, b = Value(u), Value(w)
    z = _OPS[op][0](a, b)
    if not isinstance(z, Value):
        raise TypeError(f"{op} returned a {type(z).__name__}, not a Value")
    local = [sum(float(d) for p, d in z.parents if p is x) for x in (a, b)]
    return np.array([z.data, *local])


def value_ops(Value) -> bool:
    """Exercise 1: the operations of Value (value and local derivatives)."""
    points = {"a.log()": (2.0, -4.0), "a ** -0.5": (4.0, -4.0)}
    cases = []
    for op, (_, rule) in _OPS.items():
        u, w = points.get(op, (2.0, -4.0))
        value, local = rule(u, w)
        hints = {_near(slip(u, w)): text for slip, text in _SLIPS.get(op, [])}
        hints[
            lambda got, local=local: np.allclose(got[1:], 0.0) and not np.allclose(local, 0.0)
        ] = (
            "no local derivative was found for the operands: put the operand Values themselves "
            "(not copies) in parents, as pairs (operand, local derivative)"
        )
        cases.append(
            Case(
                args=(op, u, w),
                expected=np.array([value, *local]),
                name=f"{op} at a = {u}, b = {w}: [value, d/da, d/db]",
                rtol=1e-10,
                atol=1e-12,
                hints=hints,
            )
        )
    return check("Value operations", lambda op, a, b: _value_op(Value, op, a, b), cases)


# ----------------------------------------------------------------------------
# Exercise 2: topological order
# ----------------------------------------------------------------------------


def _graphs(Value):
    """name -> (output, {Value: label}) for the visible graphs."""
    a = Value(1.0)
    b = Value(2.0, ((a, 1.0),))
    c = Value(3.0, ((a, 1.0),))
    d = Value(4.0, ((b, 1.0), (c, 1.0)))
    y = Value(5.0, ((d, 1.0), (a, 1.0)))
    labels = {a: "a", b: "b", c: "c", d: "d", y: "y"}
    root = v = Value(1.0)
    for _ in range(5000):
        v = Value(1.0, ((v, 1.0),))
    return {
        "a diamond a -> (b, c) -> d": (d, labels),
        "the diamond with a skip connection a -> y": (y, labels),
        "a Value without parents": (a, labels),
        "a chain of 5000 operations": (v, {root: "the first Value", v: "the last Value"}),
    }


def _verdict(order, y, labels):
    """'ok', or what is wrong with ``order`` as a topological order of y's graph."""

    def name(v):
        return labels.get(v, "an intermediate Value")

    try:
        order = list(order)
    except TypeError:
        return f"topological_order returned a {type(order).__name__}, not a list"
    seen = set()
    for v in order:
        if id(v) in seen:
            return f"{name(v)} appears more than once"
        seen.add(id(v))
    reachable, stack = {id(y): y}, [y]
    while stack:
        for p, _ in stack.pop().parents:
            if id(p) not in reachable:
                reachable[id(p)] = p
                stack.append(p)
    missing = [reachable[i] for i in reachable if i not in seen]
    if missing:
        return f"{name(missing[0])} is missing ({len(missing)} Value(s) missing in all)"
    if len(seen) > len(reachable):
        return "the list holds Values that y does not depend on"
    position = {id(v): k for k, v in enumerate(order)}
    for v in order:
        for p, _ in v.parents:
            if position[id(p)] > position[id(v)]:
                return f"{name(v)} comes before its parent {name(p)}"
    if order[-1] is not y:
        return "y is not last"
    return "ok"


def topological_order(Value, fn) -> bool:
    """Exercise 2: topological_order(y)."""
    graphs = _graphs(Value)

    def run(graph_name):
        y, labels = graphs[graph_name]
        try:
            order = fn(y)
        except RecursionError:
            return "RecursionError: the recursion went deeper than Python allows"
        return _verdict(order, y, labels)

    hints = {
        lambda got: "RecursionError" in got: "use an explicit stack instead of recursion: push "
        "(value, parents_done) pairs, and append a value to the order when it is popped the "
        "second time, after all of its parents",
        lambda got: "more than once" in got: "remember the Values you have already visited (a "
        "set) and skip them",
        lambda got: "comes before its parent" in got: "append a value only after all of its "
        "parents are in the list (depth-first: parents first); a breadth-first walk from y "
        "does not give this order",
        lambda got: "is missing" in got: "follow the parents of every value you visit, to any "
        "depth",
    }
    cases = [Case(args=(g,), expected="ok", name=g, hints=hints) for g in graphs]
    return check("topological_order", run, cases)


# ----------------------------------------------------------------------------
# Exercise 3: backward
# ----------------------------------------------------------------------------


def _exp(v):
    return v.exp() if hasattr(v, "parents") else anp.exp(v)


def _log(v):
    return v.log() if hasattr(v, "parents") else anp.log(v)


def _tanh(v):
    return v.tanh() if hasattr(v, "parents") else anp.tanh(v)


def _square(x):
    return x * x


def _baydin_tanh(x1, x2):
    return _log(x1) + x1 * x2 - _tanh(x2)


def _skip(x1, x2):
    a = x1 * x2
    b = _tanh(a)
    c = _exp(b) * b - b / x2
    return c + a * a


def _buggy_grads(Value, f, point, bug):
    """What a classic bug gives on your Values, as the inputs' adjoints.

    ``bug`` is "overwrite" (= instead of += in a topological order) or "breadth-first"
    (+=, but each value passes its adjoint on when a breadth-first walk from y meets it).
    The adjoints are kept in a dict, so your Values' grads are not touched.
    """
    xs = [Value(p) for p in point]
    out = f(*xs)
    if bug == "breadth-first":
        walk, queue, met = [], [out], {id(out)}
        while queue:
            node = queue.pop(0)
            walk.append(node)
            for parent, _ in node.parents:
                if id(parent) not in met:
                    met.add(id(parent))
                    queue.append(parent)
    else:  # a depth-first post-order, reversed: users before the values they use
        post, done = [], set()

        def dfs(node):
            done.add(id(node))
            for parent, _ in node.parents:
                if id(parent) not in done:
                    dfs(parent)
            post.append(node)

        dfs(out)
        walk = post[::-1]
    adjoint = {id(out): 1.0}
    for node in walk:
        for parent, d in node.parents:
            share = adjoint.get(id(node), 0.0) * d
            if bug == "overwrite":
                adjoint[id(parent)] = share
            else:
                adjoint[id(parent)] = adjoint.get(id(parent), 0.0) + share
    return np.array([adjoint.get(id(x), 0.0) for x in xs])


def _ops_ok(Value):
    """Whether your operations of Exercise 1 follow the table, at a few points."""
    for op, (_, rule) in _OPS.items():
        for u, w in [(0.7, -1.3), (2.0, 0.5)]:
            value, local = rule(u, w)
            if not np.allclose(_value_op(Value, op, u, w), [value, *local], rtol=1e-9):
                return False
    return True


def _tape_grad(Value, backward_fn, f, point):
    xs = [Value(p) for p in point]
    y = f(*xs)
    backward_fn(y)
    return np.array([x.grad for x in xs], dtype=float)


def backward(Value, fn) -> bool:
    """Exercise 3: backward(y), checked against ad.grad."""
    functions = [
        (_square, (3.0,), "x * x at x = 3"),
        (_baydin_tanh, (2.0, 5.0), "log(x1) + x1 * x2 - tanh(x2) at (2, 5)"),
        (_skip, (0.5, 1.5), "an expression with shared subexpressions at (0.5, 1.5)"),
        (_skip, (-1.2, 0.7), "an expression with shared subexpressions at (-1.2, 0.7)"),
    ]
    cases = []
    for f, point, name in functions:
        expected = np.array(ad.grad(f, argnums=tuple(range(len(point))))(*point), dtype=float)
        hints = {
            _near(np.zeros_like(expected)): "every gradient is 0: start with y.grad = 1.0 "
            "(the seed), and add into parent.grad",
        }
        try:
            ops_ok = _ops_ok(Value)
        except Exception:  # your Values don't work yet: no hints about the backward pass
            ops_ok = None
        if ops_ok is False:
            hints[lambda got: True] = (
                "the operations of Exercise 1 give wrong local derivatives, so no backward "
                "pass can be right: fix them first (run the self-check of Exercise 1)"
            )
        for bug, text in [
            (
                "overwrite",
                "this is what overwriting gives: add each share to parent.grad "
                "(+=), a value used twice gets two shares",
            ),
            (
                "breadth-first",
                "this is what a breadth-first walk from y gives: visit the values "
                "in reversed topological_order(y), so that a value passes its adjoint on only "
                "once all of its users have added theirs",
            ),
        ]:
            if not ops_ok:
                break
            wrong = _buggy_grads(Value, f, point, bug)
            if not np.allclose(wrong, expected, rtol=1e-10, atol=1e-12):
                hints[_near(wrong)] = text
        cases.append(
            Case(args=(f, point), expected=expected, name=name, rtol=1e-10, atol=1e-12, hints=hints)
        )
    return check("backward", lambda f, point: _tape_grad(Value, fn, f, point), cases)


# ----------------------------------------------------------------------------
# Exercise 4: Jacobian
# ----------------------------------------------------------------------------


def _F1(x):
    return [x[0] * x[1] * _tanh(x[2]), x[0] + _exp(x[1] * x[2])]


def _F2(x):
    return [x[0] * x[1], _tanh(x[1]), x[0] * x[0]]


def jacobian(Value, fn) -> bool:
    """Exercise 4: jacobian(F, x), checked against ad.jacrev."""

    def run(F, x):
        calls = []

        def F_checked(xs):
            calls.append(1)
            if len(calls) > 1:
                raise AssertionError(
                    "F was called more than once: call it once, then run one "
                    "backward pass per output"
                )
            if not all(isinstance(v, Value) for v in xs):
                raise TypeError("call F on a list of Values (made from x)")
            return F(xs)

        return fn(F_checked, x)

    cases = []
    for F, x, name in [
        (_F1, [1.0, 2.0, 0.5], "F(x) = [x0 x1 tanh(x2), x0 + exp(x1 x2)] at (1, 2, 0.5)"),
        (_F2, [0.7, -1.2], "F(x) = [x0 x1, tanh(x1), x0 x0] at (0.7, -1.2)"),
    ]:
        n = len(x)
        J = np.asarray(
            ad.jacrev(lambda a, F=F, n=n: anp.stack(F([a[j] for j in range(n)])))(np.array(x))
        )
        hints = {
            _near(np.cumsum(J, axis=0)): "each row holds the sum of the rows above it: "
            "gradients accumulate, so reset every grad to 0 before each backward pass",
            lambda got, J=J: (
                np.shape(got) == J.shape
                and not np.allclose(got, J)
                and np.allclose(np.where(J != 0, got, J), J)
            ): "an entry that should be 0 is not: "
            "an input that this output does not depend on kept its grad from an earlier "
            "backward pass; reset the inputs' grads too",
            lambda got, J=J: np.shape(got) == J.T.shape and J.shape != J.T.shape: "one row per "
            "output, one column per input: the shape is (m, n)",
        }
        cases.append(Case(args=(F, x), expected=J, name=name, rtol=1e-10, atol=1e-12, hints=hints))
    return check("jacobian", run, cases)


# ----------------------------------------------------------------------------
# Exercise 5: predict the size of a tape
# ----------------------------------------------------------------------------


def _waves(x, n):
    total = 0.0
    for k in range(1, n + 1):
        weight = 1.0 / k**2
        total = total + weight * _tanh(k * x)
    return total


def _count_values(y):
    """The Values y depends on, y included (a walk of parents, not your topological_order)."""
    seen, stack = {id(y): y}, [y]
    while stack:
        for parent, _ in stack.pop().parents:
            if id(parent) not in seen:
                seen[id(parent)] = parent
                stack.append(parent)
    return len(seen)


def predict_tape_nodes(Value, topological_order, fn) -> bool:
    """Exercise 5: predict_tape_nodes(n, tape), against the tapes measured here."""
    from autodiff_lite.recording import record

    constants = (
        "autodiff_lite records only operations with a traced operand: 1.0 / k**2 is computed "
        "from plain numbers and never reaches the tape, and the input is a leaf, not a node"
    )
    wrapped = (
        "your Value wraps every plain number it meets in a Value of its own (k, the weight, "
        "and the 0.0 that total starts from, once), and topological_order includes x itself"
    )
    cases = []
    for n in (1, 2, 10):
        measured = len(record(lambda x, n=n: _waves(x, n), 0.3).nodes)
        cases.append(
            Case(
                (n, "autodiff_lite"),
                measured,  # measured with autodiff_lite.recording.record
                f"waves(x, {n}) on autodiff_lite's tape (measured: {measured} operations)",
                hints={lambda got, m=measured: got > m: constants},
            )
        )
    try:
        measured_values = {n: _count_values(_waves(Value(0.3), n)) for n in (1, 2, 10)}
    except NotImplementedError:
        print("(Exercise 1 is not done yet: the Value tape is not checked here.)")
        measured_values = {}
    for n, measured in measured_values.items():
        cases.append(
            Case(
                (n, "value"),
                measured,  # counted on your own Values
                f"waves(Value(x), {n}) on your Value tape (measured: {measured} Values)",
                hints={lambda got, m=measured: got < m: wrapped},
            )
        )
    return check("predict_tape_nodes", fn, cases)
