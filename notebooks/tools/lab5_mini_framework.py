"""Lab 5, Build a small PyTorch-style framework: the generator of its nbgrader source notebook.

Run ``python notebooks/tools/lab5_mini_framework.py`` to rewrite
``notebooks/source/lab5-mini-framework/lab5-mini-framework.ipynb``. The visible checks of the
self-check live in ``notebooks/source/lab5-mini-framework/lab5_checks.py``.
"""

# The cells' code is indented by 16 spaces here; in the notebooks it fits in 100 columns.
# ruff: noqa: E501

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from nbbuild import answer, code, main, md, notebook, tests  # noqa: E402

LAB = "lab5-mini-framework"

# Calling ad.grad or wrapping ad.Tensor in an answer is not an answer: the grader finds it in
# the submitted source (notebooks/grader/shortcuts.py), so the hidden tests run the student's
# code as it is. The tests run in the grader, with the student's Tensors as stand-ins: `which`
# tells them apart (`is` cannot), and shapes are read as `t.shape` in the student's process
# (grader/wire.py sends a 0-d array as shape (1,), through np.ascontiguousarray).


def build():
    return notebook(
        [
            md(
                "intro",
                r"""
                # Lab 5: Build a small PyTorch-style framework

                This lab goes with the lesson **Inside a framework** (07). You will write a
                define-by-run framework in the style of PyTorch: a `Tensor` that wraps a numpy
                array, records every operation applied to it, and answers `.backward()` by
                walking that record backwards with the VJP rules of Lab 4. Then you train a small
                network with it.

                | | you write | points |
                |---|---|---|
                | Exercise 1 | the operations of `Tensor`: `+`, `*`, `@`, `sum`, `relu`, `tanh` | 3 |
                | Exercise 2 | `backward()`: topological order, accumulation, `.grad` | 3 |
                | Exercise 3 | `mlp_loss(params, x, y)`, a two-layer network | 1 |
                | Exercise 4 | `sgd_step(params, lr)` and `train(...)` | 3 |
                | | **total** | **10** |

                **How it is graded.** Write your code in the answer cells, in place of
                `raise NotImplementedError(...)`; keep the names and arguments, and don't change
                the other cells. Each exercise ends with a grading cell: its visible asserts
                show the shape of the check, and when your lab is graded, hidden tests run the
                same checks on fresh random inputs and compare with `autodiff_lite` (`ad.Tensor`
                and `ad.grad`). Your code must compute the gradients itself: an exercise whose
                code uses `autodiff_lite`'s differentiation (`ad.grad`, `ad.Tensor`, ...) scores no
                points. Before you submit, restart the kernel and run all cells.

                **Self-check.** After each answer cell, a one-line self-check runs that
                exercise's visible checks and explains a failure in plain words. It never runs
                the hidden tests.
                """,
            ),
            code(
                "setup",
                '''
                import lab5_checks as self_check  # the self-checks (visible checks only)
                import numpy as np

                import autodiff_lite as ad
                import autodiff_lite.numpy as anp


                def unbroadcast(g, shape):
                    """Sum the cotangent g down to `shape`: Lab 4, exercise 2."""
                    g = np.asarray(g)
                    g = g.sum(axis=tuple(range(g.ndim - len(shape))))
                    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
                    return g.sum(axis=stretched, keepdims=True).reshape(shape)
                ''',
            ),
            # ------------------------------------------------------------------ exercise 1
            md(
                "ex1",
                r"""
                ## Exercise 1: operations that record themselves (3 points)

                A `Tensor` holds a float array `data`, its `parents` and, after a backward pass,
                its gradient `grad`. **Every operation makes one new `Tensor`** whose `parents`
                is a tuple of pairs `(operand, vjp)`: the operand `Tensor` itself, and a
                function `vjp(g)` that takes the cotangent `g` of the result (an array of the
                result's shape) and returns the operand's share of the cotangent, **with the
                operand's shape**. These are Lab 4's rules:

                | operation | result | `vjp(g)` for `a` | `vjp(g)` for `b` |
                |---|---|---|---|
                | `a + b` (broadcasting) | `a.data + b.data` | `g` un-broadcast to `a`'s shape | `g` un-broadcast to `b`'s shape |
                | `a * b` (broadcasting) | `a.data * b.data` | `g * b.data`, un-broadcast | `g * a.data`, un-broadcast |
                | `a @ b` (2-D) | `a.data @ b.data` | `g @ b.data.T` | `a.data.T @ g` |
                | `a.sum()` | the sum of all entries, shape `()` | `g` broadcast to `a`'s shape | |
                | `a.relu()` | $\max(a, 0)$ | `g` where `a > 0`, else 0 | |
                | `a.tanh()` | $\tanh a$ | `g * (1 - tanh(a)**2)` | |

                `unbroadcast(g, shape)` is given above. A plain number or array operand is
                wrapped as a constant `Tensor` first (`as_tensor`). `requires_grad` is worked out
                by `__init__`: a result requires a gradient when one of its parents does.
                Subtraction, negation and `mean` are given, built from your operations.

                **Checked:** for each operation on random arrays (a bias broadcast over a batch
                included), the result's `data`, and each operand's cotangent (the sum of the
                `vjp(g)` of the pairs that hold that operand, for a random `g`), must match
                the same operation on `ad.Tensor`. Two points for `+` and `*`, one for `@`,
                `sum`, `relu` and `tanh`.
                """,
            ),
            answer(
                "tensor_ops",
                '''
                def as_tensor(x):
                    return x if isinstance(x, Tensor) else Tensor(x)


                class Tensor:
                    """A float array that records the operations applied to it, for .backward()."""

                    __array_ufunc__ = None  # so that `ndarray * Tensor` calls Tensor.__rmul__

                    def __init__(self, data, requires_grad=False, parents=()):
                        self.data = np.array(data, dtype=float)
                        self.parents = tuple(parents)  # pairs (operand Tensor, vjp function)
                        self.requires_grad = bool(requires_grad) or any(p.requires_grad for p, _ in self.parents)
                        self.grad = None  # filled in by backward(), for leaves that require grad

                    shape = property(lambda self: self.data.shape)

                    def item(self):
                        return self.data.item()

                    def __repr__(self):
                        flag = ", requires_grad=True" if self.requires_grad else ""
                        return f"Tensor({np.array2string(self.data, separator=', ')}{flag})"

                    def __add__(self, other):
                        other = as_tensor(other)
                        ### BEGIN SOLUTION
                        a, b = self, other
                        return Tensor(
                            a.data + b.data,
                            parents=(
                                (a, lambda g: unbroadcast(g, a.shape)),
                                (b, lambda g: unbroadcast(g, b.shape)),
                            ),
                        )
                        ### END SOLUTION

                    def __mul__(self, other):
                        other = as_tensor(other)
                        ### BEGIN SOLUTION
                        a, b = self, other
                        return Tensor(
                            a.data * b.data,
                            parents=(
                                (a, lambda g: unbroadcast(g * b.data, a.shape)),
                                (b, lambda g: unbroadcast(g * a.data, b.shape)),
                            ),
                        )
                        ### END SOLUTION

                    def __matmul__(self, other):
                        other = as_tensor(other)
                        ### BEGIN SOLUTION
                        a, b = self, other
                        return Tensor(
                            a.data @ b.data,
                            parents=((a, lambda g: g @ b.data.T), (b, lambda g: a.data.T @ g)),
                        )
                        ### END SOLUTION

                    def sum(self):
                        ### BEGIN SOLUTION
                        return Tensor(self.data.sum(), parents=((self, lambda g: np.ones(self.shape) * g),))
                        ### END SOLUTION

                    def relu(self):
                        ### BEGIN SOLUTION
                        positive = self.data > 0
                        return Tensor(np.where(positive, self.data, 0.0), parents=((self, lambda g: g * positive),))
                        ### END SOLUTION

                    def tanh(self):
                        ### BEGIN SOLUTION
                        t = np.tanh(self.data)
                        return Tensor(t, parents=((self, lambda g: g * (1.0 - t * t)),))
                        ### END SOLUTION

                    # Given: built from the operations above.
                    __radd__ = __add__
                    __rmul__ = __mul__

                    def __neg__(self):
                        return self * -1.0

                    def __sub__(self, other):
                        return self + (-as_tensor(other))

                    def __rsub__(self, other):
                        return as_tensor(other) + (-self)

                    def mean(self):
                        return self.sum() * (1.0 / self.data.size)

                    def zero_grad(self):
                        self.grad = None
                ''',
            ),
            code("selfcheck_tensor_ops", "self_check.tensor_ops(Tensor)"),
            tests(
                "test_add_mul",
                2,
                """
                # Visible tests: the same inputs as the self-check.
                def which(v):
                    \"\"\"Which object v is. A Tensor of your notebook reaches the grader as a stand-in, a new one
                    each time it is fetched, so `is` and id() cannot compare Tensors here: its handle can.\"\"\"
                    handle = getattr(v, "_handle", None)
                    return ("yours", handle.id) if handle is not None else ("here", id(v))


                def recorded_cotangents(z, operands, g):
                    \"\"\"Each operand's cotangent: the sum of the vjp(g) of its pairs in z.parents.\"\"\"
                    assert isinstance(z, Tensor), f"the result should be a Tensor, got {type(z).__name__}"
                    shares = []
                    for t in operands:
                        share = np.zeros(t.shape)
                        for p, vjp in z.parents:
                            if which(p) == which(t):
                                v = np.asarray(vjp(g), dtype=float)
                                assert v.shape == t.shape, (
                                    f"vjp returned shape {v.shape} for an operand of shape {t.shape}: un-broadcast"
                                )
                                share = share + v
                        shares.append(share)
                    return shares


                def reference_cotangents(op, arrays, g):
                    \"\"\"The same operation on ad.Tensor: its value, and each operand's cotangent.\"\"\"
                    ref = [ad.Tensor(a, requires_grad=True) for a in arrays]
                    out = op(*ref)
                    out.backward(g)
                    return out.numpy(), [
                        np.zeros(np.shape(a)) if r.grad is None else r.grad.numpy() for a, r in zip(arrays, ref)
                    ]


                def assert_op(op, *arrays, seed=0):
                    \"\"\"op on your Tensors against op on ad.Tensor, for a random cotangent g.\"\"\"
                    tensors = [Tensor(a, requires_grad=True) for a in arrays]
                    z = op(*tensors)
                    g = np.random.default_rng(seed).normal(size=z.shape)
                    value, expected = reference_cotangents(op, arrays, g)
                    # z.shape is z.data.shape, read in your notebook (a copy of a 0-d z.data reaches
                    # the grader with shape (1,))
                    assert tuple(z.shape) == np.shape(value), f"result shape {tuple(z.shape)}"
                    assert np.allclose(z.data, value), "wrong values"
                    for got, want in zip(recorded_cotangents(z, tensors, g), expected):
                        assert np.allclose(got, want, rtol=1e-10, atol=1e-12), (got, want)
                    assert z.requires_grad


                A = np.arange(6.0).reshape(2, 3) - 2.5
                assert_op(lambda a, b: a + b, A, np.array([1.0, -2.0, 0.5]))  # a bias: un-broadcast
                assert_op(lambda a, b: a * b, A, np.array([[2.0], [-1.0]]))
                assert_op(lambda a: a * a, A)
                assert_op(lambda a: 2.0 * a, A)  # a number operand is a constant Tensor
                assert_op(lambda a: a + 1.0, A)
                ### BEGIN HIDDEN TESTS
                """
                + """
                rng_hidden = np.random.default_rng()
                for _ in range(15):
                    B, m = (int(d) for d in rng_hidden.integers(1, 6, size=2))
                    X, v, col = (
                        rng_hidden.normal(size=(B, m)),
                        rng_hidden.normal(size=m),
                        rng_hidden.normal(size=(B, 1)),
                    )
                    c = float(rng_hidden.normal())
                    for op, arrays in [
                        (lambda a, b: a + b, (X, v)),
                        (lambda a, b: a + b, (v, X)),
                        (lambda a, b: a + b, (X, col)),
                        (lambda a, b: a * b, (X, v)),
                        (lambda a, b: a * b, (col, X)),
                        (lambda a, b: a * b, (X, X[::-1])),
                        (lambda a: a * a, (X,)),
                        (lambda a, c=c: c * a, (v,)),
                        (lambda a, c=c: a + c, (X,)),
                    ]:
                        tensors = [Tensor(a, requires_grad=True) for a in arrays]
                        z = op(*tensors)
                        g = rng_hidden.normal(size=z.shape)
                        got = recorded_cotangents(z, tensors, g)
                        value, expected = reference_cotangents(op, arrays, g)
                        assert np.allclose(z.data, value)
                        for gg, want in zip(got, expected):
                            assert np.allclose(gg, want, rtol=1e-10, atol=1e-12), (gg, want)
                ### END HIDDEN TESTS
                """,
            ),
            tests(
                "test_matmul_sum_relu_tanh",
                1,
                """
                # Visible tests: the same inputs as the self-check.
                W = np.array([[1.0, -1.0], [0.5, 2.0], [0.0, 1.0]])
                assert_op(lambda a, b: a @ b, A, W)
                assert_op(lambda a, b: a @ b, A[:, :2], A[:, 1:])  # square: a transposed rule fails
                assert_op(lambda a: a.sum(), A)
                assert_op(lambda a: a.relu(), A)
                assert_op(lambda a: a.tanh(), A)
                ### BEGIN HIDDEN TESTS
                """
                + """
                rng_hidden = np.random.default_rng()
                for trial in range(15):
                    m, k, n = (int(d) for d in rng_hidden.integers(1, 6, size=3))
                    if trial % 3 == 0:
                        m = k = n
                    P, Q = rng_hidden.normal(size=(m, k)), rng_hidden.normal(size=(k, n))
                    for op, arrays in [
                        (lambda a, b: a @ b, (P, Q)),
                        (lambda a: a.sum(), (P,)),
                        (lambda a: a.relu(), (P,)),
                        (lambda a: a.tanh(), (2.0 * P,)),
                    ]:
                        tensors = [Tensor(a, requires_grad=True) for a in arrays]
                        z = op(*tensors)
                        g = rng_hidden.normal(size=z.shape)
                        got = recorded_cotangents(z, tensors, g)
                        value, expected = reference_cotangents(op, arrays, g)
                        assert np.allclose(z.data, value)
                        for gg, want in zip(got, expected):
                            assert np.allclose(gg, want, rtol=1e-10, atol=1e-12), (gg, want)
                ### END HIDDEN TESTS
                """,
            ),
            # ------------------------------------------------------------------ exercise 2
            md(
                "ex2",
                r"""
                ## Exercise 2: the backward pass (3 points)

                Write `backward(self, gradient=None)`, which becomes `Tensor.backward`:

                1. the seed: the cotangent of `self` is `gradient`, or `np.ones(self.shape)`
                   when it is `None` (for a scalar loss, that is $\bar L = 1$);
                2. walk the tensors that `self` depends on in **reverse topological order** (each
                   after every tensor that uses it; write the order without recursion, as in
                   Lab 3: a network's graph can be deep), and for each pair `(parent, vjp)` of
                   each tensor, **add** `vjp(g)` into the parent's cotangent (a tensor used twice
                   gets two shares);
                3. for every **leaf** (a tensor without parents) that `requires_grad`, add its
                   cotangent into `leaf.grad` (set it if `grad` is `None`). As in PyTorch,
                   gradients accumulate across `backward()` calls until someone sets `grad` back
                   to `None`.

                Keep the cotangents of the intermediate tensors in a dictionary keyed by
                `id(tensor)` (or on the tensors; only the leaves' `grad` is checked). You may
                skip parents that do not require a gradient.

                **Checked** against `ad.Tensor` and `ad.grad`: one point for small graphs and
                accumulation across two calls; two for random graphs with shared tensors, biases
                broadcast over a batch, `@`, `relu` and `tanh`.
                """,
            ),
            answer(
                "backward",
                '''
                def backward(self, gradient=None):
                    """Accumulate d(self)/d(leaf) into leaf.grad for every leaf that requires grad."""
                    ### BEGIN SOLUTION
                    # A topological order of the tensors that need a cotangent, by an explicit stack.
                    order, seen, stack = [], set(), [(self, False)]
                    while stack:
                        t, parents_done = stack.pop()
                        if parents_done:
                            order.append(t)
                        elif id(t) not in seen:
                            seen.add(id(t))
                            stack.append((t, True))
                            for p, _ in t.parents:
                                if p.requires_grad and id(p) not in seen:
                                    stack.append((p, False))
                    seed = np.ones(self.shape) if gradient is None else np.asarray(gradient, dtype=float)
                    cotangents = {id(self): seed}
                    for t in reversed(order):
                        g = cotangents.pop(id(t), None)
                        if g is None:
                            continue
                        if not t.parents:
                            if t.requires_grad:
                                t.grad = g if t.grad is None else t.grad + g
                            continue
                        for p, vjp in t.parents:
                            if p.requires_grad:
                                share = vjp(g)
                                cotangents[id(p)] = cotangents[id(p)] + share if id(p) in cotangents else share
                    ### END SOLUTION


                Tensor.backward = backward
                ''',
            ),
            code("selfcheck_backward", "self_check.backward(Tensor)"),
            tests(
                "test_backward_small",
                1,
                """
                # Visible tests: the same inputs as the self-check.
                x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
                (x * x).sum().backward()
                assert x.grad is not None and np.allclose(x.grad, [2.0, 4.0, 6.0]), x.grad
                (x * x).sum().backward()  # gradients accumulate across calls
                assert np.allclose(x.grad, [4.0, 8.0, 12.0]), x.grad
                w, data = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0])
                (w * data).sum().backward()  # the lesson's example
                assert np.allclose(w.grad, [3.0, 4.0]) and data.grad is None
                v = Tensor([0.5, -1.0], requires_grad=True)
                (v * v * v).backward(np.array([1.0, 2.0]))  # an explicit cotangent
                assert np.allclose(v.grad, [0.75, 6.0]), v.grad
                ### BEGIN HIDDEN TESTS
                """
                + """
                rng_hidden = np.random.default_rng()
                for _ in range(10):
                    a = rng_hidden.normal(size=int(rng_hidden.integers(1, 6)))
                    x = Tensor(a, requires_grad=True)
                    (x * x).sum().backward()
                    first = np.array(x.grad, dtype=float)
                    (x.tanh() * x).sum().backward()
                    second = np.array(x.grad, dtype=float)
                    assert np.allclose(first, 2 * a, rtol=1e-10)
                    g2 = ad.grad(lambda t: anp.sum(anp.tanh(t) * t))(a)
                    assert np.allclose(second, 2 * a + g2, rtol=1e-10), "accumulate across calls"
                ### END HIDDEN TESTS
                """,
            ),
            tests(
                "test_backward_graphs",
                2,
                """
                def run_net(T, X, W, b, V):
                    \"\"\"A small graph with shared tensors, on either Tensor class.\"\"\"
                    h = (X @ W + b).tanh()  # b: a bias broadcast over the batch
                    r = (h @ V).relu()
                    return (h * r + h).sum() + (r * b).sum()


                rng_visible = np.random.default_rng(5)
                arrays = [rng_visible.normal(size=s) for s in [(4, 3), (3, 3), (3,), (3, 3)]]
                ours = [Tensor(arrays[0])] + [Tensor(a, requires_grad=True) for a in arrays[1:]]
                run_net(Tensor, *ours).backward()
                theirs = [ad.Tensor(arrays[0])] + [ad.Tensor(a, requires_grad=True) for a in arrays[1:]]
                run_net(ad.Tensor, *theirs).backward()
                for name, o, t in zip(["W", "b", "V"], ours[1:], theirs[1:]):
                    assert np.shape(o.grad) == t.shape, f"{name}.grad has shape {np.shape(o.grad)}"
                    assert np.allclose(o.grad, t.grad.numpy(), rtol=1e-10), f"{name}.grad is wrong"
                ### BEGIN HIDDEN TESTS
                """
                + """
                def _random_graph(rng, n_ops):
                    prog = []
                    for k in range(n_ops):
                        n = 1 + k  # matrices available: X, then one per op
                        i = n - 1 if rng.random() < 0.5 else int(rng.integers(n))
                        j = int(rng.integers(n))
                        prog.append(
                            (
                                str(rng.choice(["matmul", "bias", "add", "mul", "relu", "tanh", "scale"])),
                                i,
                                j,
                                int(rng.integers(3)),
                                float(rng.uniform(-1.5, 1.5)),
                            )
                        )
                    return prog


                def _run_graph(prog, X, Ws, bs):
                    ms = [X]
                    for op, i, j, w, c in prog:
                        a, b = ms[i], ms[j]
                        if op == "matmul":
                            r = a @ Ws[w]
                        elif op == "bias":
                            r = a + bs[w] if c > 0 else bs[w] * a
                        elif op == "add":
                            r = a + b
                        elif op == "mul":
                            r = (a * b).tanh()
                        elif op == "relu":
                            r = a.relu()
                        elif op == "tanh":
                            r = (a + b).tanh()
                        else:
                            r = c * a
                        ms.append(r)
                    k = int(len(prog) // 2)
                    return (ms[-1] * ms[-1]).sum() + (ms[k] * bs[0]).sum() + ms[-1].sum()


                rng_hidden = np.random.default_rng()
                for _ in range(12):
                    B, m = int(rng_hidden.integers(1, 5)), int(rng_hidden.integers(1, 5))
                    X = rng_hidden.normal(size=(B, m))
                    Ws = [rng_hidden.normal(size=(m, m)) / np.sqrt(m) for _ in range(3)]
                    bs = [rng_hidden.normal(size=m) for _ in range(3)]
                    prog = _random_graph(rng_hidden, int(rng_hidden.integers(4, 14)))
                    ours_W = [Tensor(W, requires_grad=True) for W in Ws]
                    ours_b = [Tensor(b, requires_grad=True) for b in bs]
                    _run_graph(prog, Tensor(X), ours_W, ours_b).backward()
                    got = [None if t.grad is None else np.array(t.grad, dtype=float) for t in ours_W + ours_b]
                    theirs_W = [ad.Tensor(W, requires_grad=True) for W in Ws]
                    theirs_b = [ad.Tensor(b, requires_grad=True) for b in bs]
                    _run_graph(prog, ad.Tensor(X), theirs_W, theirs_b).backward()
                    for g, t in zip(got, theirs_W + theirs_b):
                        want = np.zeros(t.shape) if t.grad is None else t.grad.numpy()
                        g = np.zeros(t.shape) if g is None else g
                        assert np.shape(g) == t.shape, f"a gradient has shape {np.shape(g)}, expected {t.shape}"
                        assert np.allclose(g, want, rtol=1e-9, atol=1e-10), (prog, g, want)
                ### END HIDDEN TESTS
                """,
            ),
            # ------------------------------------------------------------------ exercise 3
            md(
                "ex3",
                r"""
                ## Exercise 3: a two-layer network (1 point)

                The toy regression of this lab: 32 points $x$ in $[-2, 2]$ and targets
                $y = \sin x$, as arrays of shape $(32, 1)$. The network has 16 tanh units,

                $$
                \hat y = \tanh(x W_1 + b_1)\, W_2 + b_2, \qquad
                L = \frac{1}{32} \sum_{k} (\hat y_k - y_k)^2 ,
                $$

                with `params` a dict of `Tensor`s: `W1` $(1, 16)$, `b1` $(16,)$, `W2` $(16, 1)$,
                `b2` $(1,)$. Write `mlp_loss(params, x, y)` with your `Tensor` operations (`x`
                and `y` are constant `Tensor`s); it returns the loss as a `Tensor` of shape `()`.

                **Checked:** the loss value against numpy, and the gradients that your
                `backward` gives against `ad.grad` of the same loss, at random parameters.
                """,
            ),
            code(
                "data",
                """
                xs = np.linspace(-2.0, 2.0, 32).reshape(-1, 1)
                ys = np.sin(xs)


                def init_params(seed, hidden=16):
                    \"\"\"Random initial parameters, as numpy arrays.\"\"\"
                    rng = np.random.default_rng(seed)
                    return {
                        "W1": rng.normal(size=(1, hidden)),
                        "b1": rng.normal(size=hidden),
                        "W2": rng.normal(size=(hidden, 1)) / np.sqrt(hidden),
                        "b2": np.zeros(1),
                    }


                def loss_ad(params, x, y):
                    \"\"\"The same loss with autodiff_lite, for checking.\"\"\"
                    h = anp.tanh(x @ params["W1"] + params["b1"])
                    pred = h @ params["W2"] + params["b2"]
                    return anp.mean((pred - y) ** 2)
                """,
            ),
            answer(
                "mlp_loss",
                '''
                def mlp_loss(params, x, y):
                    """The mean squared error of tanh(x @ W1 + b1) @ W2 + b2 against y, as a Tensor."""
                    ### BEGIN SOLUTION
                    h = (x @ params["W1"] + params["b1"]).tanh()
                    pred = h @ params["W2"] + params["b2"]
                    diff = pred - y
                    return (diff * diff).mean()
                    ### END SOLUTION
                ''',
            ),
            code("selfcheck_mlp_loss", "self_check.mlp_loss(Tensor, mlp_loss)"),
            tests(
                "test_mlp_loss",
                1,
                """
                # Visible tests: the same inputs as the self-check.
                def check_mlp_loss(seed):
                    p0 = init_params(seed)
                    params = {k: Tensor(v, requires_grad=True) for k, v in p0.items()}
                    loss = mlp_loss(params, Tensor(xs), Tensor(ys))
                    assert isinstance(loss, Tensor) and loss.shape == (), "return a Tensor of shape ()"
                    assert np.isclose(loss.item(), loss_ad(p0, xs, ys), rtol=1e-12), loss.item()
                    loss.backward()
                    expected = ad.grad(loss_ad)(p0, xs, ys)
                    for k in p0:
                        assert np.allclose(params[k].grad, expected[k], rtol=1e-10, atol=1e-12), k


                check_mlp_loss(0)
                ### BEGIN HIDDEN TESTS
                """
                + """
                for _ in range(5):
                    seed = int.from_bytes(__import__("os").urandom(4), "little")
                    p0 = init_params(seed)
                    params = {k: Tensor(v, requires_grad=True) for k, v in p0.items()}
                    loss = mlp_loss(params, Tensor(xs), Tensor(ys))
                    loss.backward()
                    assert np.isclose(loss.item(), loss_ad(p0, xs, ys), rtol=1e-12)
                    expected = ad.grad(loss_ad)(p0, xs, ys)
                    for k in p0:
                        assert np.allclose(params[k].grad, expected[k], rtol=1e-10, atol=1e-12), k
                ### END HIDDEN TESTS
                """,
            ),
            # ------------------------------------------------------------------ exercise 4
            md(
                "ex4",
                r"""
                ## Exercise 4: training (3 points)

                1. Write `sgd_step(params, lr)`: for each parameter `p`, update its array **in
                   place**, `p.data -= lr * p.grad`, then clear its gradient (`p.grad = None`)
                   for the next step. In place matters: the `Tensor` objects in `params` are the
                   leaves of the next forward pass; `p = p - lr * p.grad` would record a new,
                   non-leaf tensor instead (see the lesson's pitfalls).
                2. Write `train(params, x, y, steps, lr)`: `steps` steps of gradient descent,
                   each one forward pass (`mlp_loss`), one `backward()` and one `sgd_step`.
                   Return the list of the `steps` losses, as floats, each computed *before* its
                   update.

                **Checked:** `sgd_step` on a parameter with a gradient (one point); `train` on
                the toy regression, 200 steps with `lr = 0.1` from random initial parameters
                (two points): the losses must follow the curve of the same training done with
                `ad.value_and_grad` (to $10^{-8}$), and the final loss must be below 0.02 (it
                starts near 0.7). Forgetting to clear the gradients makes each step use the sum
                of all past gradients, and fails.
                """,
            ),
            answer(
                "train",
                '''
                def sgd_step(params, lr):
                    """One gradient-descent step, in place, then clear the gradients."""
                    ### BEGIN SOLUTION
                    for p in params.values():
                        p.data -= lr * p.grad
                        p.grad = None
                    ### END SOLUTION


                def train(params, x, y, steps, lr):
                    """`steps` steps of gradient descent on mlp_loss; the list of losses."""
                    ### BEGIN SOLUTION
                    losses = []
                    for _ in range(steps):
                        loss = mlp_loss(params, x, y)
                        loss.backward()
                        sgd_step(params, lr)
                        losses.append(loss.item())
                    return losses
                    ### END SOLUTION
                ''',
            ),
            code("selfcheck_train", "self_check.train(Tensor, sgd_step, train)"),
            tests(
                "test_sgd_step",
                1,
                """
                # Visible tests: the same inputs as the self-check.
                # (The grader receives copies of your arrays, so it checks the values of p.data after
                # the step; the self-check above also checks that the step updates p.data in place.)
                p = Tensor([1.0, 2.0], requires_grad=True)
                (p * p).sum().backward()
                sgd_step({"p": p}, 0.25)
                assert np.allclose(p.data, [0.5, 1.0]), p.data
                assert p.grad is None, "clear the gradient after the step"
                ### BEGIN HIDDEN TESTS
                rng_hidden = np.random.default_rng()
                a, lr = rng_hidden.normal(size=(3, 2)), float(rng_hidden.uniform(0.01, 1.0))
                q = Tensor(a, requires_grad=True)
                (q.tanh()).sum().backward()
                sgd_step({"q": q}, lr)
                assert np.allclose(q.data, a - lr * (1 - np.tanh(a) ** 2), rtol=1e-12)
                assert q.grad is None
                ### END HIDDEN TESTS
                """,
            ),
            tests(
                "test_train",
                2,
                """
                def train_reference(p0, steps, lr):
                    \"\"\"The same training with autodiff_lite's functional API.\"\"\"
                    value_and_grad = ad.value_and_grad(loss_ad)
                    params, losses = dict(p0), []
                    for _ in range(steps):
                        loss, grads = value_and_grad(params, xs, ys)
                        params = {k: params[k] - lr * grads[k] for k in params}
                        losses.append(float(loss))
                    return losses, params


                def check_training(seed, steps=200, lr=0.1):
                    p0 = init_params(seed)
                    params = {k: Tensor(v, requires_grad=True) for k, v in p0.items()}
                    losses = train(params, Tensor(xs), Tensor(ys), steps, lr)
                    expected, final = train_reference(p0, steps, lr)
                    assert len(losses) == steps, f"expected {steps} losses, got {len(losses)}"
                    assert np.allclose(losses, expected, rtol=1e-8, atol=1e-12), "the loss curve differs"
                    assert losses[-1] < 0.02, f"final loss {losses[-1]:.4f} is not below 0.02"
                    for k in p0:
                        assert np.allclose(params[k].data, final[k], rtol=1e-8, atol=1e-12), k
                    return losses


                losses = check_training(seed=0)
                print(f"loss {losses[0]:.3f} -> {losses[-1]:.4f} in {len(losses)} steps")
                ### BEGIN HIDDEN TESTS
                """
                + """
                seed = int.from_bytes(__import__("os").urandom(4), "little")
                p0 = init_params(seed)
                params = {k: Tensor(v, requires_grad=True) for k, v in p0.items()}
                losses = train(params, Tensor(xs), Tensor(ys), 200, 0.1)
                expected, final = train_reference(p0, 200, 0.1)
                assert np.allclose(losses, expected, rtol=1e-8, atol=1e-12), "the loss curve differs"
                assert losses[-1] < 0.02, (seed, losses[-1])
                ### END HIDDEN TESTS
                """,
            ),
            md(
                "further",
                """
                ## Going further (not graded)

                Your network after training, against the target. Then try the lesson's
                exercises with your framework: train without clearing the gradients, or split
                the 32 points into 4 batches and accumulate their gradients on purpose.
                """,
            ),
            code(
                "plot",
                """
                import matplotlib.pyplot as plt

                try:
                    params = {k: Tensor(v, requires_grad=True) for k, v in init_params(1).items()}
                    losses = train(params, Tensor(xs), Tensor(ys), 200, 0.1)
                except NotImplementedError:
                    print("Finish Exercises 1 to 4 first.")
                else:
                    h = np.tanh(xs @ params["W1"].data + params["b1"].data)
                    fig, (ax_loss, ax_fit) = plt.subplots(1, 2, figsize=(9, 3.5))
                    ax_loss.semilogy(losses)
                    ax_loss.set(xlabel="step", ylabel="loss", title="training loss")
                    ax_fit.plot(xs, ys, "k-", label="sin x")
                    ax_fit.plot(xs, h @ params["W2"].data + params["b2"].data, "o", ms=3, label="network")
                    ax_fit.set(xlabel="x", title="after 200 steps")
                    ax_fit.legend()
                    fig.tight_layout()
                    plt.show()
                """,
            ),
        ]
    )


if __name__ == "__main__":
    main(LAB, build)
