"""Lab 4, VJPs of array primitives: the generator of its nbgrader source notebook.

Run ``python notebooks/tools/lab4_array_vjps.py`` to rewrite
``notebooks/source/lab4-array-vjps/lab4-array-vjps.ipynb``. The visible checks of the
self-check live in ``notebooks/source/lab4-array-vjps/lab4_checks.py``.
"""

# The cells' code is indented by 16 spaces here; in the notebooks it fits in 100 columns.
# ruff: noqa: E501

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from nbbuild import answer, code, main, md, notebook, tests  # noqa: E402

LAB = "lab4-array-vjps"

# The hidden tests' helpers; each hidden test cell carries its own copy, so that it does not
# depend on any other cell. (Calling ad.vjp or the library's unbroadcast in an answer is not
# an answer: the grader finds it in the submitted source, notebooks/grader/shortcuts.py.)
HELPERS = """

def _sent(a):
    \"\"\"`a` as the hidden tests pass it to your function: a 0-d array as a numpy scalar, as
    numpy's own arithmetic gives it (the grading wire would deliver a 0-d array as shape (1,)).\"\"\"
    return a[()] if isinstance(a, np.ndarray) and a.ndim == 0 else a


def _assert_same(got, expected, what):
    assert isinstance(got, tuple) == isinstance(expected, tuple), f"{what}: return a tuple"
    if isinstance(expected, tuple):
        assert len(got) == len(expected), f"{what}: expected {len(expected)} results"
        for g, e in zip(got, expected):
            _assert_same(g, e, what)
        return
    assert np.shape(got) == np.shape(expected), (
        f"{what}: shape {np.shape(got)}, expected {np.shape(expected)}"
    )
    assert np.allclose(got, expected, rtol=1e-10, atol=1e-12), f"{what}: wrong values"

"""


def hidden(body: str) -> str:
    """A hidden-tests block: the shared helpers, then ``body`` (both at 16 spaces)."""
    return HELPERS.replace("\n", "\n                ") + body


def build():
    return notebook(
        [
            md(
                "intro",
                r"""
                # Lab 4: VJPs of array primitives

                This lab goes with the lesson **VJPs of array code** (06). Reverse mode sends a
                cotangent back through each operation with that operation's
                vector-Jacobian product (VJP): given $\bar y = \partial L / \partial y$, with the
                shape of $y$, return $\bar x = \partial L / \partial x$, with the shape of $x$,
                without ever forming the Jacobian. Here you write these rules yourself, with
                numpy, for the operations a neural network is made of:

                | | you write | points |
                |---|---|---|
                | Exercise 1 | `vjp_matmul(g, A, B)` | 2 |
                | Exercise 2 | `unbroadcast(g, shape)` and `vjp_add_broadcast(g, x, y)` | 2 |
                | Exercise 3 | `vjp_sum(g, x, axis, keepdims)` | 2 |
                | Exercise 4 | `vjp_softmax_cross_entropy(logits, labels)` | 2 |
                | Exercise 5 | `linear_backward(Y_bar, X, W, b)`, PyTorch's `nn.Linear` | 2 |
                | | **total** | **10** |

                **How it is graded.** Write your code in the answer cells, in place of
                `raise NotImplementedError(...)`; keep the names and arguments, and don't change
                the other cells. Each exercise ends with a grading cell: its visible asserts
                show the shape of the check, and when your lab is graded, hidden tests compare
                your function with `ad.vjp` on fresh random shapes and values. Your functions
                must compute with numpy: an exercise whose code calls `autodiff_lite`'s
                differentiation (`ad.vjp`, `ad.grad`, ...) or its `unbroadcast` scores no points.
                Before you submit, restart the kernel and run all cells.

                **Self-check.** After each answer cell, a one-line self-check runs that
                exercise's visible checks and explains a failure in plain words (which input,
                expected against got, with the shapes, and a hint for the classic mistakes). It
                never runs the hidden tests.

                **Two habits that catch most mistakes.** A cotangent always has the shape of its
                variable: $\bar A$ has the shape of $A$. And an index derivation beats
                guessing: write $y_{ij}$ as a sum, differentiate one entry, then read off the
                matrix product.
                """,
            ),
            code(
                "setup",
                """
                import lab4_checks as self_check  # the self-checks (visible checks only)
                import numpy as np

                import autodiff_lite as ad
                import autodiff_lite.numpy as anp

                rng = np.random.default_rng(0)
                """,
            ),
            # ------------------------------------------------------------------ exercise 1
            md(
                "ex1",
                r"""
                ## Exercise 1: matrix product (2 points)

                For $C = A B$ with $A \in \mathbb{R}^{m \times k}$, $B \in \mathbb{R}^{k \times n}$
                and the cotangent $g = \bar C \in \mathbb{R}^{m \times n}$, derive
                $\bar A_{ij} = \sum_{p,q} g_{pq}\, \partial C_{pq} / \partial A_{ij}$ (and the same
                for $B$), then write `vjp_matmul(g, A, B)` returning the pair
                `(A_bar, B_bar)`. Both arrays are 2-D.

                **Checked** against `ad.vjp(lambda A, B: A @ B, A, B)` on random shapes,
                square ones included: on a square matrix a transposed answer has the right
                shape and the wrong values.
                """,
            ),
            answer(
                "vjp_matmul",
                '''
                def vjp_matmul(g, A, B):
                    """The cotangents (A_bar, B_bar) of C = A @ B, given g = C_bar."""
                    ### BEGIN SOLUTION
                    return g @ B.T, A.T @ g
                    ### END SOLUTION
                ''',
            ),
            code("selfcheck_vjp_matmul", "self_check.vjp_matmul(vjp_matmul)"),
            tests(
                "test_vjp_matmul",
                2,
                """
                # Visible tests: the same inputs as the self-check.
                def matmul_reference(g, A, B):
                    return tuple(ad.vjp(lambda A, B: A @ B, A, B)[1](g))


                A = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 3.0]])
                B = np.array([[1.0, 0.0], [2.0, 1.0], [-1.0, 1.0]])
                g = np.array([[1.0, -1.0], [0.0, 2.0]])
                A_bar, B_bar = vjp_matmul(g, A, B)
                assert np.shape(A_bar) == (2, 3) and np.shape(B_bar) == (3, 2)
                assert np.allclose(A_bar, [[1.0, 1.0, -2.0], [0.0, 2.0, 2.0]])
                assert np.allclose(B_bar, [[1.0, -1.0], [2.0, 0.0], [0.0, 6.0]])
                S, T, G = (np.cos(np.arange(9.0) + k).reshape(3, 3) for k in (0.0, 1.0, 2.0))
                for got, expected in zip(vjp_matmul(G, S, T), matmul_reference(G, S, T)):
                    assert np.allclose(got, expected)  # square: a transposed answer fails here
                ### BEGIN HIDDEN TESTS
                """
                + hidden(
                    """
                rng_hidden = np.random.default_rng()
                for trial in range(20):
                    m, k, n = (int(d) for d in rng_hidden.integers(1, 7, size=3))
                    if trial % 3 == 0:
                        m = k = n
                    A, B = rng_hidden.normal(size=(m, k)), rng_hidden.normal(size=(k, n))
                    g = rng_hidden.normal(size=(m, n))
                    _assert_same(
                        tuple(vjp_matmul(g, A, B)),
                        matmul_reference(g, A, B),
                        f"vjp_matmul with A {A.shape}, B {B.shape}",
                    )
                ### END HIDDEN TESTS
                """
                ),
            ),
            # ------------------------------------------------------------------ exercise 2
            md(
                "ex2",
                r"""
                ## Exercise 2: addition with broadcasting (2 points)

                numpy broadcasting copies a value along new leading axes and along axes of
                length 1: in `x + y` with `x.shape == (4, 3)` and `y.shape == (3,)`, `y` is used
                in all 4 rows. A value used several times receives the **sum** of its
                cotangents, so the cotangent of a broadcast value is summed back down to its
                own shape: this is **un-broadcasting**.

                1. Write `unbroadcast(g, shape)`: sum `g` over its extra leading axes, and over
                   every axis where `shape` has length 1 but `g` does not (keeping that axis, with
                   length 1), so that the result has exactly the shape `shape`. For example
                   `(2, 3) -> (3,)` sums axis 0, and `(2, 3) -> (2, 1)` sums axis 1 and keeps it.
                2. Write `vjp_add_broadcast(g, x, y)`, the cotangents `(x_bar, y_bar)` of
                   `z = x + y` given `g = z_bar`, for any two shapes that broadcast together.

                The classic mistake is to return `g` itself: it has the shape of `z`, not of `x`
                or `y`. Nothing fails at once, and the gradient step then silently turns a bias
                into a matrix (see the lesson).

                **Checked** (one point each): `unbroadcast` on random shapes (extra leading axes,
                length-1 axes, scalars), and `vjp_add_broadcast` against
                `ad.vjp(lambda x, y: x + y, x, y)`.
                """,
            ),
            answer(
                "unbroadcast",
                '''
                def unbroadcast(g, shape):
                    """Sum the cotangent g down to `shape` (undo numpy broadcasting)."""
                    ### BEGIN SOLUTION
                    shape = tuple(shape)
                    g = np.asarray(g)
                    lead = g.ndim - len(shape)
                    g = g.sum(axis=tuple(range(lead)))  # the new leading axes
                    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
                    return g.sum(axis=stretched, keepdims=True).reshape(shape)
                    ### END SOLUTION


                def vjp_add_broadcast(g, x, y):
                    """The cotangents (x_bar, y_bar) of z = x + y (with broadcasting), given g = z_bar."""
                    ### BEGIN SOLUTION
                    return unbroadcast(g, np.shape(x)), unbroadcast(g, np.shape(y))
                    ### END SOLUTION
                ''',
            ),
            code(
                "selfcheck_unbroadcast",
                """
                self_check.unbroadcast(unbroadcast)
                self_check.vjp_add_broadcast(vjp_add_broadcast)
                """,
            ),
            tests(
                "test_unbroadcast",
                1,
                """
                # Visible tests: the same inputs as the self-check.
                g = np.arange(6.0).reshape(2, 3)
                assert np.shape(unbroadcast(g, (3,))) == (3,)
                assert np.allclose(unbroadcast(g, (3,)), [3.0, 5.0, 7.0])
                assert np.shape(unbroadcast(g, (2, 1))) == (2, 1)
                assert np.allclose(unbroadcast(g, (2, 1)), [[3.0], [12.0]])
                assert np.shape(unbroadcast(g, ())) == () and np.isclose(unbroadcast(g, ()), 15.0)
                assert np.allclose(unbroadcast(g, (1, 3)), [[3.0, 5.0, 7.0]])
                assert np.allclose(unbroadcast(g, (2, 3)), g)
                ### BEGIN HIDDEN TESTS
                """
                + hidden(
                    """
                rng_hidden = np.random.default_rng()
                for _ in range(30):
                    shape = tuple(int(d) for d in rng_hidden.integers(1, 4, size=rng_hidden.integers(0, 4)))
                    lead = tuple(int(d) for d in rng_hidden.integers(1, 4, size=rng_hidden.integers(0, 3)))
                    full = lead + tuple(n if n > 1 else int(rng_hidden.integers(1, 4)) for n in shape)
                    g = rng_hidden.normal(size=full)
                    expected = np.asarray(g)
                    expected = expected.sum(axis=tuple(range(len(lead))))
                    for i, n in enumerate(shape):
                        if n == 1:
                            expected = expected.sum(axis=i, keepdims=True)
                    _assert_same(unbroadcast(_sent(g), shape), expected, f"unbroadcast {full} -> {shape}")
                ### END HIDDEN TESTS
                """
                ),
            ),
            tests(
                "test_vjp_add_broadcast",
                1,
                """
                # Visible tests: the same inputs as the self-check.
                def add_reference(g, x, y):
                    return tuple(ad.vjp(lambda x, y: x + y, x, y)[1](g))


                for x, y in [
                    (np.ones((4, 3)), np.ones(3)),  # a bias added to every row
                    (np.ones((2, 1)), np.ones((1, 3))),  # an outer sum
                    (np.ones((2, 3)), np.ones((2, 3))),  # no broadcasting
                    (np.ones((2, 3)), np.float64(2.0)),  # a scalar
                ]:
                    g = np.arange(np.size(x + y), dtype=float).reshape(np.shape(x + y)) - 2.0
                    x_bar, y_bar = vjp_add_broadcast(g, x, y)
                    assert np.shape(x_bar) == np.shape(x) and np.shape(y_bar) == np.shape(y), (
                        "a cotangent has the shape of its variable: un-broadcast"
                    )
                    expected = add_reference(g, x, y)
                    assert np.allclose(x_bar, expected[0]) and np.allclose(y_bar, expected[1])
                ### BEGIN HIDDEN TESTS
                """
                + hidden(
                    """
                rng_hidden = np.random.default_rng()
                for _ in range(20):
                    full = tuple(int(d) for d in rng_hidden.integers(1, 5, size=rng_hidden.integers(1, 4)))

                    def squash(shape):
                        shape = list(shape[int(rng_hidden.integers(0, len(shape) + 1)) :])
                        return tuple(1 if rng_hidden.random() < 0.4 else n for n in shape)

                    x, y = rng_hidden.normal(size=squash(full)), rng_hidden.normal(size=full)
                    if rng_hidden.random() < 0.5:
                        x, y = y, rng_hidden.normal(size=squash(full))
                    g = rng_hidden.normal(size=np.broadcast_shapes(np.shape(x), np.shape(y)))
                    _assert_same(
                        tuple(vjp_add_broadcast(g, _sent(x), _sent(y))),
                        add_reference(g, x, y),
                        f"vjp_add_broadcast with x {np.shape(x)}, y {np.shape(y)}",
                    )
                ### END HIDDEN TESTS
                """
                ),
            ),
            # ------------------------------------------------------------------ exercise 3
            md(
                "ex3",
                r"""
                ## Exercise 3: sum over axes (2 points)

                `s = x.sum(axis, keepdims)` uses each entry of `x` once, with local derivative 1,
                so each entry's cotangent is the cotangent of the sum it went into: the VJP
                *broadcasts* `g` back to the shape of `x` (broadcasting and summing are each
                other's transposes). Write `vjp_sum(g, x, axis=None, keepdims=False)` returning
                `x_bar`, with the shape of `x`. `axis` is `None` (all axes), an `int` (possibly
                negative) or a tuple of ints, as in numpy.

                Careful with `keepdims=False`: the summed axes are gone from `g`, and
                broadcasting `g` as it is lines its axes up *from the right*, which puts them on
                the wrong axes of `x` (or fails). Put the summed axes back first, with length 1
                (`np.expand_dims`).

                **Checked** against `ad.vjp(lambda x: x.sum(axis, keepdims), x)` on random
                shapes and axes.
                """,
            ),
            answer(
                "vjp_sum",
                '''
                def vjp_sum(g, x, axis=None, keepdims=False):
                    """The cotangent x_bar of s = x.sum(axis=axis, keepdims=keepdims), given g = s_bar."""
                    ### BEGIN SOLUTION
                    x = np.asarray(x)
                    g = np.asarray(g)
                    if axis is None:
                        axis = tuple(range(x.ndim))
                    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
                    axes = tuple(a % x.ndim for a in axes)
                    if not keepdims:
                        g = np.expand_dims(g, axes)
                    return np.broadcast_to(g, x.shape).copy()
                    ### END SOLUTION
                ''',
            ),
            code("selfcheck_vjp_sum", "self_check.vjp_sum(vjp_sum)"),
            tests(
                "test_vjp_sum",
                2,
                """
                # Visible tests: the same inputs as the self-check.
                def sum_reference(g, x, axis, keepdims):
                    return ad.vjp(lambda x: anp.sum(x, axis=axis, keepdims=keepdims), x)[1](g)[0]


                for shape, axis, keepdims in [
                    ((2, 3), None, False),
                    ((2, 3), 0, False),
                    ((3, 3), 1, False),  # square: lining g up from the right gives wrong values
                    ((2, 3), 1, True),
                    ((2, 3, 4), (0, 2), False),
                    ((2, 3, 4), -1, False),
                ]:
                    x = np.ones(shape)
                    s = np.sum(x, axis=axis, keepdims=keepdims)
                    g = np.arange(np.size(s), dtype=float).reshape(np.shape(s)) + 1.0
                    x_bar = vjp_sum(g, x, axis, keepdims)
                    assert np.shape(x_bar) == shape, (shape, axis, keepdims, np.shape(x_bar))
                    assert np.allclose(x_bar, sum_reference(g, x, axis, keepdims)), (shape, axis, keepdims)
                ### BEGIN HIDDEN TESTS
                """
                + hidden(
                    """
                rng_hidden = np.random.default_rng()
                for _ in range(30):
                    ndim = int(rng_hidden.integers(1, 4))
                    shape = tuple(int(d) for d in rng_hidden.integers(1, 5, size=ndim))
                    kind = int(rng_hidden.integers(0, 3))
                    if kind == 0:
                        axis = None
                    elif kind == 1:
                        axis = int(rng_hidden.integers(-ndim, ndim))
                    else:
                        k = int(rng_hidden.integers(1, ndim + 1))
                        axis = tuple(int(a) for a in rng_hidden.choice(ndim, size=k, replace=False))
                    keepdims = bool(rng_hidden.random() < 0.5)
                    x = rng_hidden.normal(size=shape)
                    g = rng_hidden.normal(size=np.shape(np.sum(x, axis=axis, keepdims=keepdims)))
                    _assert_same(
                        vjp_sum(_sent(g), x, axis, keepdims),
                        sum_reference(g, x, axis, keepdims),
                        f"vjp_sum of shape {shape} with axis={axis}, keepdims={keepdims}",
                    )
                ### END HIDDEN TESTS
                """
                ),
            ),
            # ------------------------------------------------------------------ exercise 4
            md(
                "ex4",
                r"""
                ## Exercise 4: softmax cross-entropy (2 points)

                A classifier's loss for a batch of $B$ examples, `logits` of shape $(B, C)$ (one
                score per class) and integer `labels` of shape $(B,)$, is the mean
                cross-entropy of the softmax probabilities:

                $$
                L = \frac{1}{B} \sum_{b} \Big( \log \sum_c e^{z_{bc}} - z_{b, y_b} \Big),
                \qquad
                \frac{\partial L}{\partial z_{bc}} = \frac{1}{B}\big( p_{bc} - [c = y_b] \big),
                \quad p_b = \operatorname{softmax}(z_b) .
                $$

                Write `vjp_softmax_cross_entropy(logits, labels)` returning the pair
                `(loss, logits_bar)`: the loss (a float) and its gradient with respect to the
                logits (the VJP with $\bar L = 1$), in one pass, without forming the Jacobian of
                the softmax. Compute it **stably**: logits of size 1000 must not overflow
                (subtract each row's maximum before `np.exp`; the result does not change).

                **Checked** against `ad.value_and_grad` of the loss written with
                `anp.logsumexp`, on random batches, large logits included. The classic slips:
                forgetting the $1/B$ of the mean, and the sign of the label term.
                """,
            ),
            answer(
                "vjp_softmax_cross_entropy",
                '''
                def vjp_softmax_cross_entropy(logits, labels):
                    """The mean softmax cross-entropy and its gradient with respect to the logits."""
                    ### BEGIN SOLUTION
                    z = np.asarray(logits, dtype=float)
                    B = z.shape[0]
                    shifted = z - z.max(axis=1, keepdims=True)
                    log_sum = np.log(np.exp(shifted).sum(axis=1))
                    rows = np.arange(B)
                    loss = float(np.mean(log_sum - shifted[rows, labels]))
                    p = np.exp(shifted - log_sum[:, None])
                    p[rows, labels] -= 1.0
                    return loss, p / B
                    ### END SOLUTION
                ''',
            ),
            code(
                "selfcheck_vjp_softmax_cross_entropy",
                "self_check.vjp_softmax_cross_entropy(vjp_softmax_cross_entropy)",
            ),
            tests(
                "test_vjp_softmax_cross_entropy",
                2,
                """
                # Visible tests: the same inputs as the self-check.
                def cross_entropy_reference(logits, labels):
                    rows = np.arange(len(labels))

                    def loss(z):
                        return anp.mean(anp.logsumexp(z, axis=1) - z[rows, labels])

                    value, grad = ad.value_and_grad(loss)(np.asarray(logits, dtype=float))
                    return float(value), grad


                def assert_cross_entropy(logits, labels):
                    loss, logits_bar = vjp_softmax_cross_entropy(logits, labels)
                    expected_loss, expected_bar = cross_entropy_reference(logits, labels)
                    assert np.isclose(loss, expected_loss, rtol=1e-10, atol=1e-12), (loss, expected_loss)
                    assert np.shape(logits_bar) == np.shape(logits)
                    assert np.allclose(logits_bar, expected_bar, rtol=1e-9, atol=1e-12), logits_bar


                assert_cross_entropy(np.array([[1.0, 2.0, 0.0], [0.0, 0.0, 3.0]]), np.array([0, 2]))
                assert_cross_entropy(np.zeros((1, 4)), np.array([1]))  # loss log 4
                assert_cross_entropy(np.array([[1000.0, 0.0, -1000.0]]), np.array([0]))  # stable
                ### BEGIN HIDDEN TESTS
                """
                + hidden(
                    """
                rng_hidden = np.random.default_rng()
                for trial in range(20):
                    B, C = int(rng_hidden.integers(1, 9)), int(rng_hidden.integers(2, 7))
                    scale = 500.0 if trial % 5 == 0 else float(rng_hidden.uniform(0.5, 5.0))
                    logits = scale * rng_hidden.normal(size=(B, C))
                    labels = rng_hidden.integers(0, C, size=B)
                    loss, logits_bar = vjp_softmax_cross_entropy(logits, labels)
                    expected_loss, expected_bar = cross_entropy_reference(logits, labels)
                    assert np.isfinite(loss) and np.all(np.isfinite(logits_bar)), "overflow: subtract the max"
                    assert np.isclose(loss, expected_loss, rtol=1e-9, atol=1e-9), (loss, expected_loss)
                    _assert_same(np.asarray(logits_bar), expected_bar, f"logits_bar for B={B}, C={C}")
                ### END HIDDEN TESTS
                """
                ),
            ),
            # ------------------------------------------------------------------ exercise 5
            md(
                "ex5",
                r"""
                ## Exercise 5: a linear layer, PyTorch's way (2 points)

                PyTorch's `nn.Linear` stores its weight as *out* × *in* and computes

                $$Y = X W^\top + b, \qquad X \in \mathbb{R}^{B \times n},\;
                W \in \mathbb{R}^{m \times n},\; b \in \mathbb{R}^{m},\; Y \in \mathbb{R}^{B \times m}.$$

                Write `linear_backward(Y_bar, X, W, b)` returning `(X_bar, W_bar, b_bar)`. Derive
                it in indices ($Y_{ki} = \sum_j X_{kj} W_{ij} + b_i$), or compose your
                `vjp_matmul` and `vjp_add_broadcast`; either way, check the shapes: the lesson
                used $Y = XW + b$, and the transposed weight changes the formulas. And `b` is
                added to every row.

                **Checked** against `ad.vjp(lambda X, W, b: X @ W.T + b, X, W, b)` on random
                layers, square ones ($m = n$) included.
                """,
            ),
            answer(
                "linear_backward",
                '''
                def linear_backward(Y_bar, X, W, b):
                    """The cotangents (X_bar, W_bar, b_bar) of Y = X @ W.T + b, given Y_bar."""
                    ### BEGIN SOLUTION
                    return Y_bar @ W, Y_bar.T @ X, Y_bar.sum(axis=0)
                    ### END SOLUTION
                ''',
            ),
            code("selfcheck_linear_backward", "self_check.linear_backward(linear_backward)"),
            tests(
                "test_linear_backward",
                2,
                """
                # Visible tests: the same inputs as the self-check.
                def linear_reference(Y_bar, X, W, b):
                    return tuple(ad.vjp(lambda X, W, b: X @ W.T + b, X, W, b)[1](Y_bar))


                for B, n, m in [(4, 3, 2), (2, 3, 3)]:
                    X = np.arange(B * n, dtype=float).reshape(B, n) / 10
                    W = np.cos(np.arange(m * n, dtype=float)).reshape(m, n)
                    b = np.zeros(m)
                    Y_bar = np.sin(np.arange(B * m, dtype=float)).reshape(B, m)
                    got = tuple(linear_backward(Y_bar, X, W, b))
                    expected = linear_reference(Y_bar, X, W, b)
                    for name, g, e in zip(["X_bar", "W_bar", "b_bar"], got, expected):
                        assert np.shape(g) == np.shape(e), f"{name}: shape {np.shape(g)}, expected {np.shape(e)}"
                        assert np.allclose(g, e), f"{name} is wrong"
                ### BEGIN HIDDEN TESTS
                """
                + hidden(
                    """
                rng_hidden = np.random.default_rng()
                for trial in range(20):
                    B, n, m = (int(d) for d in rng_hidden.integers(1, 7, size=3))
                    if trial % 3 == 0:
                        n = m
                    X, W = rng_hidden.normal(size=(B, n)), rng_hidden.normal(size=(m, n))
                    b, Y_bar = rng_hidden.normal(size=m), rng_hidden.normal(size=(B, m))
                    _assert_same(
                        tuple(linear_backward(Y_bar, X, W, b)),
                        linear_reference(Y_bar, X, W, b),
                        f"linear_backward, B={B}, n={n}, m={m}",
                    )
                ### END HIDDEN TESTS
                """
                ),
            ),
            md(
                "further",
                """
                ## Going further (not graded)

                The same layer in PyTorch, if it is installed: `torch.nn.functional.linear`
                computes $X W^\\top + b$, and `torch.autograd.grad` gives the three cotangents.
                """,
            ),
            code(
                "torch_check",
                """
                try:
                    import torch
                except ImportError:
                    print("PyTorch is not installed here; nothing to compare.")
                else:
                    X, W, b = rng.normal(size=(5, 4)), rng.normal(size=(3, 4)), rng.normal(size=3)
                    Y_bar = rng.normal(size=(5, 3))
                    Xt, Wt, bt = (torch.tensor(a, requires_grad=True) for a in (X, W, b))
                    Y = torch.nn.functional.linear(Xt, Wt, bt)
                    theirs = torch.autograd.grad(Y, (Xt, Wt, bt), grad_outputs=torch.tensor(Y_bar))
                    try:
                        ours = linear_backward(Y_bar, X, W, b)
                        for name, a, t in zip(["X_bar", "W_bar", "b_bar"], ours, theirs):
                            print(f"{name}: largest difference from PyTorch {np.max(np.abs(a - t.numpy())):.1e}")
                    except NotImplementedError:
                        print("Finish Exercise 5 first.")
                """,
            ),
        ]
    )


if __name__ == "__main__":
    main(LAB, build)
