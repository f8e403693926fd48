"""Lab 3, A tape and reverse mode: the generator of its nbgrader source notebook.

Run ``python notebooks/tools/lab3_reverse_mode.py`` to rewrite
``notebooks/source/lab3-reverse-mode/lab3-reverse-mode.ipynb``. The visible checks of the
self-check live in ``notebooks/source/lab3-reverse-mode/lab3_checks.py``.
"""

# The cells' code is indented by 16 spaces here; in the notebooks it fits in 100 columns.
# ruff: noqa: E501

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from nbbuild import answer, code, main, md, notebook, tests  # noqa: E402

LAB = "lab3-reverse-mode"

# A random expression program, shared by the hidden tests of exercises 3 and 4 (each hidden
# test cell carries its own copy, so that it does not depend on any other cell). Every
# operation reads earlier values, often the latest one (depth) and often an older one
# (shared subexpressions, and paths of different lengths to the same value, which is what
# exposes a backward pass that skips the topological order). The constants keep log and
# division away from their poles and exp from overflowing.
RANDOM_PROGRAMS = r'''

def _exp(v):
    return v.exp() if isinstance(v, Value) else anp.exp(v)


def _log(v):
    return v.log() if isinstance(v, Value) else anp.log(v)


def _tanh(v):
    return v.tanh() if isinstance(v, Value) else anp.tanh(v)


_OPS = ["add", "sub", "mul", "div", "pow", "exp", "log", "tanh", "cmul", "rsub", "rdiv"]


def _random_program(rng, n_in, n_ops):
    prog = []
    for k in range(n_ops):
        n = n_in + k
        i = n - 1 if rng.random() < 0.5 else int(rng.integers(n))
        j = int(rng.integers(n))
        op = str(rng.choice(_OPS))
        c = float(rng.choice([2, 3, -1, 0.5, -1.5])) if op == "pow" else float(rng.uniform(-2, 2))
        prog.append((op, i, j, c))
    return prog


def _run(prog, xs):
    v = list(xs)
    for op, i, j, c in prog:
        a, b = v[i], v[j]
        if op == "add":
            r = a + b
        elif op == "sub":
            r = a - b
        elif op == "mul":
            r = a * b
        elif op == "div":
            r = a / (b * b + 1.0)
        elif op == "pow":
            r = (a * a + 0.5) ** c
        elif op == "exp":
            r = _exp(_tanh(a))
        elif op == "log":
            r = _log(a * a + 1.0)
        elif op == "tanh":
            r = _tanh(a + b)
        elif op == "cmul":
            r = c * a
        elif op == "rsub":
            r = c - a
        else:
            r = c / (a * a + 1.0)
        v.append(r)
    return v


def _tame_program(rng, n_in, n_ops, x):
    """A random program whose values all stay moderate at x (retry until they do)."""
    while True:
        prog = _random_program(rng, n_in, n_ops)
        if max(abs(float(u)) for u in _run(prog, x)) < 1e3:
            return prog

'''


def build():
    return notebook(
        [
            md(
                "intro",
                r"""
                # Lab 3: A tape and reverse mode

                This lab goes with the lesson **Reverse mode** (05). You will build reverse mode
                for scalar expressions from scratch, in the style of the lesson's `Value`:

                | | you write | points |
                |---|---|---|
                | Exercise 1 | the operations of `Value`: each result's value and local derivatives | 3 |
                | Exercise 2 | `topological_order(y)`, without recursion | 2 |
                | Exercise 3 | `backward(y)`, accumulating adjoints | 3 |
                | Exercise 4 | `jacobian(F, x)`, one backward pass per output | 2 |
                | | **total** | **10** |

                **How it is graded.** Write your code in the answer cells, in place of
                `raise NotImplementedError(...)`; don't rename the functions, and don't change
                the other cells. Each exercise ends with a grading cell: its visible asserts
                show the shape of the check, and when your lab is graded, hidden tests run the
                same checks again on fresh random inputs (random expressions with shared
                subexpressions, random graphs), so an answer that only fits the visible inputs
                loses the points. Before you submit, restart the kernel and run all cells.

                **Self-check.** After each answer cell, a one-line self-check runs that
                exercise's visible checks and explains a failure in plain words: which input,
                what was expected, what you returned, and a hint for the classic mistakes. It
                never runs the hidden tests.

                You may use `autodiff_lite` (and JAX or PyTorch) to check yourself, as the
                tests do; your `Value` must compute its derivatives itself.
                """,
            ),
            code(
                "setup",
                """
                import math

                import lab3_checks as self_check  # the self-checks (visible checks only)
                import numpy as np

                import autodiff_lite as ad
                import autodiff_lite.numpy as anp
                """,
            ),
            md(
                "ex1",
                r"""
                ## Exercise 1: the operations of `Value` (3 points)

                A `Value` holds a number `data`, the tape entry `parents`, and its adjoint
                `grad` ($\bar v = \partial y / \partial v$, filled in by `backward` in
                Exercise 3). **Every operation makes one new `Value`** whose `parents` is a
                tuple of pairs `(operand, local derivative)`: the operand `Value` itself (not a
                copy), and the float $\partial\,\text{result} / \partial\,\text{operand}$ at the
                operands' current values. Fill in the methods below with these rules:

                | operation | result | local derivatives |
                |---|---|---|
                | `a + b` | $a + b$ | $1$, $1$ |
                | `a * b` | $a b$ | $b$, $a$ |
                | `-a` | $-a$ | $-1$ |
                | `a - b` | $a - b$ | $1$, $-1$ |
                | `a / b` | $a / b$ | $1/b$, $-a/b^2$ |
                | `a ** c` ($c$ a constant `int` or `float`) | $a^c$ | $c\, a^{c-1}$ |
                | `a.exp()` | $e^a$ | $e^a$ |
                | `a.log()` | $\ln a$ | $1/a$ |
                | `a.tanh()` | $\tanh a$ | $1 - \tanh^2 a$ |

                A plain number (`2 * x`, `x + 1`, `1 / x`) is first wrapped as a constant
                `Value(number)`; a constant has no parents, so its local derivative is never
                used. The reflected operations (`__radd__`, `__rmul__`, `__rsub__`,
                `__rtruediv__`) are given.

                **Checked:** for each operation at random operands, the result's `data`, and
                its local derivative with respect to each operand, must match the table to
                $10^{-10}$. The local derivative with respect to an operand is the sum over the
                pairs in `parents` that hold that operand, so `x * x` may list `x` twice and
                has local derivative $2x$. Two points for the arithmetic (`+`, `*`, `-`, `/`,
                `**`, negation), one for `exp`, `log` and `tanh`.
                """,
            ),
            answer(
                "value_ops",
                '''
                class Value:
                    """A scalar that remembers how it was computed, for a backward pass."""

                    def __init__(self, data, parents=()):
                        self.data = float(data)
                        self.parents = tuple(parents)  # pairs (operand Value, local derivative)
                        self.grad = 0.0  # the adjoint dy/dself, set by backward(y)

                    def __repr__(self):
                        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"

                    def __add__(self, other):
                        other = other if isinstance(other, Value) else Value(other)
                        ### BEGIN SOLUTION
                        return Value(self.data + other.data, ((self, 1.0), (other, 1.0)))
                        ### END SOLUTION

                    def __mul__(self, other):
                        other = other if isinstance(other, Value) else Value(other)
                        ### BEGIN SOLUTION
                        return Value(self.data * other.data, ((self, other.data), (other, self.data)))
                        ### END SOLUTION

                    def __neg__(self):
                        ### BEGIN SOLUTION
                        return Value(-self.data, ((self, -1.0),))
                        ### END SOLUTION

                    def __sub__(self, other):
                        other = other if isinstance(other, Value) else Value(other)
                        ### BEGIN SOLUTION
                        return Value(self.data - other.data, ((self, 1.0), (other, -1.0)))
                        ### END SOLUTION

                    def __truediv__(self, other):
                        other = other if isinstance(other, Value) else Value(other)
                        ### BEGIN SOLUTION
                        q = self.data / other.data
                        return Value(q, ((self, 1.0 / other.data), (other, -q / other.data)))
                        ### END SOLUTION

                    def __pow__(self, c):
                        if isinstance(c, Value):
                            raise TypeError("only constant exponents: x ** 2.0, not x ** y")
                        ### BEGIN SOLUTION
                        return Value(self.data**c, ((self, c * self.data ** (c - 1)),))
                        ### END SOLUTION

                    def exp(self):
                        ### BEGIN SOLUTION
                        e = math.exp(self.data)
                        return Value(e, ((self, e),))
                        ### END SOLUTION

                    def log(self):
                        ### BEGIN SOLUTION
                        return Value(math.log(self.data), ((self, 1.0 / self.data),))
                        ### END SOLUTION

                    def tanh(self):
                        ### BEGIN SOLUTION
                        t = math.tanh(self.data)
                        return Value(t, ((self, 1.0 - t * t),))
                        ### END SOLUTION

                    # Given: a number on the left, as in 2 * x or 1 - x.
                    __radd__ = __add__
                    __rmul__ = __mul__

                    def __rsub__(self, other):
                        return Value(other) - self

                    def __rtruediv__(self, other):
                        return Value(other) / self
                ''',
            ),
            md(
                "functions_text",
                """
                The elementary functions, for any argument: the `Value` method for a `Value`,
                and the function of `autodiff_lite.numpy` for anything else. So one Python
                function runs both on your tape and under `ad.grad`, which is how the checks
                compare them.
                """,
            ),
            code(
                "functions",
                """
                def exp(v):
                    return v.exp() if isinstance(v, Value) else anp.exp(v)


                def log(v):
                    return v.log() if isinstance(v, Value) else anp.log(v)


                def tanh(v):
                    return v.tanh() if isinstance(v, Value) else anp.tanh(v)


                x = Value(3.0)
                try:
                    y = x * x + 1
                    print(y, "with parents", y.parents)
                except NotImplementedError:
                    print("Exercise 1 is not done yet.")
                """,
            ),
            code("selfcheck_value_ops", "self_check.value_ops(Value)"),
            tests(
                "test_value_arithmetic",
                2,
                """
                def which(v):
                    \"\"\"Which object v is. A Value of your notebook reaches the grader as a stand-in, a new one
                    each time it is fetched, so `is` and id() cannot compare Values here: its handle can.\"\"\"
                    handle = getattr(v, "_handle", None)
                    return ("yours", handle.id) if handle is not None else ("here", id(v))


                def local_derivatives(z, *operands):
                    \"\"\"z's value, and its local derivative with respect to each operand.\"\"\"
                    assert isinstance(z, Value), f"the result should be a Value, got {type(z).__name__}"
                    parents = [(which(p), d) for p, d in z.parents]
                    return z.data, [sum(float(d) for p, d in parents if p == which(x)) for x in operands]


                def assert_local(z, operands, value, derivatives):
                    got_value, got_derivatives = local_derivatives(z, *operands)
                    assert np.isclose(got_value, value, rtol=1e-10, atol=1e-12), (
                        f"value: expected {value}, got {got_value}"
                    )
                    assert np.allclose(got_derivatives, derivatives, rtol=1e-10, atol=1e-12), (
                        f"local derivatives: expected {derivatives}, got {got_derivatives}"
                    )


                a, b = Value(2.0), Value(-4.0)
                assert_local(a + b, (a, b), -2.0, [1.0, 1.0])
                assert_local(a * b, (a, b), -8.0, [-4.0, 2.0])
                assert_local(-a, (a,), -2.0, [-1.0])
                assert_local(a - b, (a, b), 6.0, [1.0, -1.0])
                assert_local(a / b, (a, b), -0.5, [-0.25, -0.125])
                assert_local(a**3, (a,), 8.0, [12.0])
                assert_local(a * a, (a,), 4.0, [4.0])  # a used twice: 2a
                assert_local(3 * a, (a,), 6.0, [3.0])
                assert_local(1 - a, (a,), -1.0, [-1.0])
                assert_local(1 / b, (b,), -0.25, [-0.0625])
                ### BEGIN HIDDEN TESTS
                rng = np.random.default_rng()
                for _ in range(25):
                    u = float(rng.uniform(-3, 3))
                    w = float(rng.choice([-1.0, 1.0]) * rng.uniform(0.5, 3))
                    c = float(rng.choice([-1.0, 1.0]) * rng.uniform(0.5, 3))
                    a, b = Value(u), Value(w)
                    assert_local(a + b, (a, b), u + w, [1.0, 1.0])
                    assert_local(a * b, (a, b), u * w, [w, u])
                    assert_local(-b, (b,), -w, [-1.0])
                    assert_local(a - b, (a, b), u - w, [1.0, -1.0])
                    assert_local(b - a, (a, b), w - u, [-1.0, 1.0])
                    assert_local(a / b, (a, b), u / w, [1 / w, -u / w**2])
                    d = Value(c)
                    assert_local(a / d, (a, d), u / c, [1 / c, -u / c**2])
                    assert_local(a * a, (a,), u * u, [2 * u])
                    assert_local(b - b, (b,), 0.0, [0.0])
                    k = int(rng.integers(-3, 5))
                    assert_local(b**k, (b,), w**k, [k * w ** (k - 1)])
                    p, q = abs(w), float(rng.uniform(-2.5, 2.5))
                    bp = Value(p)
                    assert_local(bp**q, (bp,), p**q, [q * p ** (q - 1)])
                    assert_local(c + a, (a,), c + u, [1.0])
                    assert_local(a + c, (a,), u + c, [1.0])
                    assert_local(c * a, (a,), c * u, [c])
                    assert_local(a * c, (a,), u * c, [c])
                    assert_local(c - a, (a,), c - u, [-1.0])
                    assert_local(a - c, (a,), u - c, [1.0])
                    assert_local(c / b, (b,), c / w, [-c / w**2])
                    assert_local(a / c, (a,), u / c, [1 / c])
                ### END HIDDEN TESTS
                """,
            ),
            tests(
                "test_value_functions",
                1,
                """
                for method, fn, dfn in [
                    ("exp", math.exp, math.exp),
                    ("log", math.log, lambda t: 1 / t),
                    ("tanh", math.tanh, lambda t: 1 - math.tanh(t) ** 2),
                ]:
                    for t in [0.5, 2.0]:
                        a = Value(t)
                        z = getattr(a, method)()
                        value, (derivative,) = local_derivatives(z, a)
                        assert np.isclose(value, fn(t), rtol=1e-12), f"{method}({t}): value {value}"
                        assert np.isclose(derivative, dfn(t), rtol=1e-10), (
                            f"{method}({t}): local derivative {derivative}, expected {dfn(t)}"
                        )
                ### BEGIN HIDDEN TESTS
                rng = np.random.default_rng()
                for t in rng.uniform(-3, 3, 20):
                    t = float(t)
                    a = Value(t)
                    assert_local(a.exp(), (a,), math.exp(t), [math.exp(t)])
                    assert_local(a.tanh(), (a,), math.tanh(t), [1 - math.tanh(t) ** 2])
                    assert_local(tanh(a), (a,), math.tanh(t), [1 - math.tanh(t) ** 2])
                    p = abs(t) + 0.1
                    ap = Value(p)
                    assert_local(ap.log(), (ap,), math.log(p), [1 / p])
                    assert_local(log(ap), (ap,), math.log(p), [1 / p])
                ### END HIDDEN TESTS
                """,
            ),
            md(
                "ex2",
                r"""
                ## Exercise 2: a topological order, without recursion (2 points)

                Write `topological_order(y)`: the list of every `Value` that `y` depends on
                (through `parents`, at any depth, `y` itself included), **each exactly once,
                each after all of its parents**, so the list ends with `y`. A depth-first
                search gives this order, as in the lesson, but the lesson's recursive version
                fails on a long chain of operations (Python stops at about 1000 nested calls):
                use an explicit stack instead. Compare `Value`s by identity (a `set` of `Value`s
                does that, since `Value` defines no `__eq__`).

                **Checked** on graphs built directly with `Value(data, parents)`, so this
                exercise does not depend on Exercise 1: every reachable `Value` appears once,
                nothing else appears, every parent comes before its children, and `y` is last.
                One point for small graphs (a diamond, a skip connection, random graphs), one
                for a chain of 5000 operations.
                """,
            ),
            answer(
                "topological_order",
                '''
                def topological_order(y):
                    """Every Value that y depends on, each once, each after all of its parents."""
                    ### BEGIN SOLUTION
                    order, seen = [], set()
                    stack = [(y, False)]  # (value, are its parents already in order?)
                    while stack:
                        v, parents_done = stack.pop()
                        if parents_done:
                            order.append(v)
                        elif v not in seen:
                            seen.add(v)
                            stack.append((v, True))
                            for parent, _ in v.parents:
                                if parent not in seen:
                                    stack.append((parent, False))
                    return order
                    ### END SOLUTION
                ''',
            ),
            code(
                "selfcheck_topological_order",
                "self_check.topological_order(Value, topological_order)",
            ),
            tests(
                "test_topological_order",
                1,
                """
                def which(v):
                    \"\"\"Which object v is. A Value of your notebook reaches the grader as a stand-in, a new one
                    each time it is fetched, so `is` and id() cannot compare Values here: its handle can.\"\"\"
                    handle = getattr(v, "_handle", None)
                    return ("yours", handle.id) if handle is not None else ("here", id(v))


                def assert_topological(order, y):
                    order = list(order)
                    ids = [which(v) for v in order]
                    assert len(set(ids)) == len(ids), "a Value appears more than once"
                    reachable, stack, parents = {which(y)}, [y], {}
                    while stack:
                        v = stack.pop()
                        parents[which(v)] = [p for p, _ in v.parents]
                        for p in parents[which(v)]:
                            if which(p) not in reachable:
                                reachable.add(which(p))
                                stack.append(p)
                    assert set(ids) == reachable, (
                        f"expected the {len(reachable)} Values that y depends on, got {len(set(ids))} "
                        f"({len(reachable - set(ids))} missing, {len(set(ids) - reachable)} extra)"
                    )
                    position = {i: k for k, i in enumerate(ids)}
                    for v in ids:
                        for p in parents[v]:
                            assert position[which(p)] < position[v], "a Value comes before its parent"
                    assert ids[-1] == which(y), "y should come last"


                a = Value(1.0)
                b = Value(2.0, ((a, 1.0),))
                c = Value(3.0, ((a, 1.0),))
                d = Value(4.0, ((b, 1.0), (c, 1.0)))  # a diamond: a -> b, c -> d
                assert_topological(topological_order(d), d)
                y = Value(5.0, ((d, 1.0), (a, 1.0)))  # and a skip connection from a to y
                assert_topological(topological_order(y), y)
                assert_topological(topological_order(a), a)  # a Value without parents
                ### BEGIN HIDDEN TESTS
                rng = np.random.default_rng()
                for _ in range(30):
                    nodes = [Value(0.0) for _ in range(int(rng.integers(1, 4)))]
                    for _ in range(int(rng.integers(1, 40))):
                        k = int(rng.integers(0, 4))
                        parents = [(nodes[int(rng.integers(len(nodes)))], 1.0) for _ in range(k)]
                        if rng.random() < 0.5:
                            parents.append((nodes[-1], 1.0))
                        nodes.append(Value(0.0, parents))
                    y = nodes[int(rng.integers(len(nodes) // 2, len(nodes)))]
                    assert_topological(topological_order(y), y)
                ### END HIDDEN TESTS
                """,
            ),
            tests(
                "test_topological_order_deep",
                1,
                """
                root = v = Value(1.0)
                for _ in range(5000):
                    v = Value(1.0, ((v, 1.0),))
                order = topological_order(v)
                assert len(order) == 5001 and which(order[0]) == which(root) and which(order[-1]) == which(v)
                ### BEGIN HIDDEN TESTS
                rng = np.random.default_rng()
                nodes = [Value(0.0), Value(0.0)]
                for _ in range(int(rng.integers(8000, 12000))):  # a deep ladder with skips
                    skip = nodes[-1 - int(rng.integers(1, min(len(nodes), 50)))]
                    nodes.append(Value(0.0, ((nodes[-1], 1.0), (skip, 1.0))))
                assert_topological(topological_order(nodes[-1]), nodes[-1])
                ### END HIDDEN TESTS
                """,
            ),
            md(
                "ex3",
                r"""
                ## Exercise 3: the backward pass (3 points)

                Write `backward(y)`: set `y.grad = 1.0` (the seed, $\bar y = 1$), then visit the
                values of `topological_order(y)` in reverse, so that each value comes after
                every value that uses it, and for each value `v` and each pair
                `(parent, local)` in `v.parents` **add** `v.grad * local` to `parent.grad`.
                Afterwards each `v.grad` is $\partial y / \partial v$. It assumes that every
                `grad` starts at 0, as in a fresh forward pass.

                Two classic mistakes give wrong gradients, and the checks catch both:

                - **overwriting** (`=` instead of `+=`): a value used twice (`x * x`, or a
                  shared subexpression) keeps only one of its shares;
                - **skipping the topological order** (e.g. walking breadth-first from `y`): a
                  value can pass its adjoint on before all of its users have added theirs.

                **Checked** against `ad.grad` on functions written with `+ - * / **`, `exp`,
                `log` and `tanh`: one point for small functions (`x * x`, the lesson's example
                with `tanh`), two for expressions with shared subexpressions (a visible one,
                and hidden random expression graphs).
                """,
            ),
            answer(
                "backward",
                '''
                def backward(y):
                    """Accumulate dy/dv into v.grad for every Value v that y depends on."""
                    ### BEGIN SOLUTION
                    y.grad = 1.0
                    for v in reversed(topological_order(y)):
                        for parent, local in v.parents:
                            parent.grad += v.grad * local
                    ### END SOLUTION


                Value.backward = backward  # so that y.backward() works too
                ''',
            ),
            code("selfcheck_backward", "self_check.backward(Value, backward)"),
            tests(
                "test_backward_small",
                1,
                """
                # The notebook's exp, log and tanh, here in the grader: a Value goes to your tape
                # (its method), anything else to autodiff_lite.numpy, so that ad.grad traces them.
                def exp(v):
                    return v.exp() if isinstance(v, Value) else anp.exp(v)


                def log(v):
                    return v.log() if isinstance(v, Value) else anp.log(v)


                def tanh(v):
                    return v.tanh() if isinstance(v, Value) else anp.tanh(v)


                def tape_grad(f, *point):
                    \"\"\"The gradient of f at point, by your tape.\"\"\"
                    xs = [Value(p) for p in point]
                    y = f(*xs)
                    backward(y)
                    return np.array([x.grad for x in xs])


                def ad_grad(f, *point):
                    return np.array(ad.grad(f, argnums=tuple(range(len(point))))(*point))


                def square(x):
                    return x * x


                def baydin_tanh(x1, x2):
                    return log(x1) + x1 * x2 - tanh(x2)


                assert np.allclose(tape_grad(square, 3.0), [6.0]), tape_grad(square, 3.0)
                assert np.allclose(tape_grad(baydin_tanh, 2.0, 5.0), ad_grad(baydin_tanh, 2.0, 5.0))
                x = Value(2.0)
                backward(x)
                assert x.grad == 1.0  # dy/dy = 1
                ### BEGIN HIDDEN TESTS
                rng = np.random.default_rng()
                for _ in range(10):
                    p = float(rng.uniform(-3, 3))
                    assert np.allclose(tape_grad(square, p), [2 * p], rtol=1e-10)
                    q = (float(rng.uniform(0.5, 3)), float(rng.uniform(-3, 3)))
                    assert np.allclose(tape_grad(baydin_tanh, *q), ad_grad(baydin_tanh, *q), rtol=1e-10)
                    assert np.allclose(
                        tape_grad(lambda t: t**3 / (1 + t * t), p),
                        ad_grad(lambda t: t**3 / (1 + t * t), p),
                        rtol=1e-10,
                    )
                ### END HIDDEN TESTS
                """,
            ),
            tests(
                "test_backward_shared",
                2,
                """
                def skip(x1, x2):
                    a = x1 * x2
                    b = tanh(a)  # a feeds b, and reaches the output by a shorter path too
                    c = exp(b) * b - b / x2
                    return c + a * a


                for point in [(0.5, 1.5), (-1.2, 0.7)]:
                    got, expected = tape_grad(skip, *point), ad_grad(skip, *point)
                    assert np.allclose(got, expected, rtol=1e-10), (point, got, expected)
                ### BEGIN HIDDEN TESTS
                """
                + RANDOM_PROGRAMS.replace("\n", "\n                ")
                + """
                rng = np.random.default_rng()
                for _ in range(12):
                    n_in = int(rng.integers(1, 4))
                    x0 = [float(t) for t in rng.uniform(-1.5, 1.5, n_in)]
                    prog = _tame_program(rng, n_in, int(rng.integers(6, 16)), x0)
                    prog.append(("add", n_in + len(prog) - 1, int(rng.integers(n_in, n_in + len(prog))), 0.0))

                    def f(*xs, prog=prog):
                        return _run(prog, xs)[-1]

                    got, expected = tape_grad(f, *x0), ad_grad(f, *x0)
                    assert np.allclose(got, expected, rtol=1e-9, atol=1e-9), (prog, x0, got, expected)
                ### END HIDDEN TESTS
                """,
            ),
            md(
                "ex4",
                r"""
                ## Exercise 4: a Jacobian, one backward pass per output (2 points)

                For $F : \mathbb{R}^n \to \mathbb{R}^m$, one recorded forward pass and $m$
                backward passes give the Jacobian row by row: the backward pass from output
                $i$ leaves $\partial F_i / \partial x_j$ in `x[j].grad`. Write
                `jacobian(F, x)`, where `F` maps a list of $n$ `Value`s to a list of $m$
                `Value`s and `x` is a list of $n$ floats, returning the $m \times n$ Jacobian
                as a numpy array. Call `F` **once**, on fresh `Value`s made from `x`, then run
                one backward pass per output.

                Careful: gradients *accumulate*, across backward passes too. Before each
                backward pass, reset to 0 the `grad` of every value the pass will touch, and
                of the inputs (an output need not depend on every input).

                **Checked** against `ad.jacrev` on small functions (visible) and random
                functions with shared subexpressions (hidden); `F` counts its calls and
                accepts only `Value`s.
                """,
            ),
            answer(
                "jacobian",
                '''
                def jacobian(F, x):
                    """The Jacobian of F at x (a list of floats): one forward pass, m backward passes."""
                    ### BEGIN SOLUTION
                    inputs = [Value(t) for t in x]
                    outputs = F(inputs)
                    J = np.zeros((len(outputs), len(inputs)))
                    for i, y in enumerate(outputs):
                        for v in topological_order(y) + inputs:
                            v.grad = 0.0
                        backward(y)
                        J[i] = [v.grad for v in inputs]
                    return J
                    ### END SOLUTION
                ''',
            ),
            code("selfcheck_jacobian", "self_check.jacobian(Value, jacobian)"),
            tests(
                "test_jacobian",
                2,
                """
                def once_on_values(F):
                    \"\"\"F, refusing anything but a list of Values, and counting its calls.\"\"\"

                    def F_checked(xs):
                        F_checked.calls += 1
                        assert F_checked.calls == 1, "call F only once"
                        assert all(isinstance(v, Value) for v in xs), "call F on a list of Values"
                        return F(xs)

                    F_checked.calls = 0
                    return F_checked


                def ad_jacobian(F, x):
                    return ad.jacrev(lambda a: anp.stack(F([a[j] for j in range(len(x))])))(np.array(x))


                def F1(x):
                    return [x[0] * x[1] * tanh(x[2]), x[0] + exp(x[1] * x[2])]


                def F2(x):  # the last output does not depend on x[1]
                    return [x[0] * x[1], tanh(x[1]), x[0] * x[0]]


                for F, x in [(F1, [1.0, 2.0, 0.5]), (F2, [0.7, -1.2])]:
                    J = jacobian(once_on_values(F), x)
                    assert np.shape(J) == (len(F(x)), len(x)), np.shape(J)
                    assert np.allclose(J, ad_jacobian(F, x), rtol=1e-10), J
                ### BEGIN HIDDEN TESTS
                """
                + RANDOM_PROGRAMS.replace("\n", "\n                ")
                + """
                rng = np.random.default_rng()
                for _ in range(8):
                    n_in = int(rng.integers(1, 4))
                    x0 = [float(t) for t in rng.uniform(-1.5, 1.5, n_in)]
                    prog = _tame_program(rng, n_in, int(rng.integers(6, 14)), x0)
                    n = n_in + len(prog)
                    outs = [int(rng.integers(n)) for _ in range(int(rng.integers(2, 5)))] + [n - 1]

                    def F(xs, prog=prog, outs=outs):
                        v = _run(prog, xs)
                        return [v[k] for k in outs]

                    J = jacobian(once_on_values(F), x0)
                    assert np.shape(J) == (len(outs), n_in), np.shape(J)
                    assert np.allclose(J, ad_jacobian(F, x0), rtol=1e-9, atol=1e-9), (prog, outs, x0)
                ### END HIDDEN TESTS
                """,
            ),
            md(
                "further",
                """
                ## Going further (not graded)

                The same checks against JAX, if it is installed (in float64, as JAX computes in
                float32 unless told otherwise). Then try the exercises at the end of the
                lesson: the adjoint trace of $x_1 x_2 + \\sin x_1$ by hand, and the cost of
                `jacfwd` against `jacrev` as $n$ and $m$ change.
                """,
            ),
            code(
                "jax_check",
                """
                try:
                    import jax
                    import jax.numpy as jnp
                except ImportError:
                    print("JAX is not installed here; nothing to compare.")
                else:
                    jax.config.update("jax_enable_x64", True)

                    def baydin_jax(x1, x2):
                        return jnp.log(x1) + x1 * x2 - jnp.tanh(x2)

                    try:
                        x1, x2 = Value(2.0), Value(5.0)
                        backward(log(x1) + x1 * x2 - tanh(x2))
                        ours = np.array([x1.grad, x2.grad])
                        theirs = np.array(jax.grad(baydin_jax, argnums=(0, 1))(2.0, 5.0))
                        print("your tape:", ours, "  JAX:", theirs)
                        print("largest difference:", np.max(np.abs(ours - theirs)))
                    except NotImplementedError:
                        print("Finish Exercises 1 to 3 first.")
                """,
            ),
        ]
    )


if __name__ == "__main__":
    main(LAB, build)
