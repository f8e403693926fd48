"""Self-checks for Lab 4 (VJPs of array primitives): the VISIBLE checks of each exercise.

Each function runs one exercise's visible checks on your function and prints a report:
which input, what was expected, what you returned (with the shapes), and a hint for the
classic mistakes: a transposed matrix-product VJP, forgetting to un-broadcast, summed axes
put back in the wrong place, a missing 1/B. Passing them is necessary, not sufficient:
the hidden tests use other inputs.
"""

import numpy as np

import autodiff_lite as ad
import autodiff_lite.numpy as anp
from autodiff_lite.selfcheck import Case, check


def _near(value):
    """A hint predicate: the output (an array, or a tuple of arrays) is close to ``value``."""

    def predicate(got):
        if isinstance(value, tuple):
            return len(got) == len(value) and all(
                np.shape(g) == np.shape(v) and np.allclose(g, v, rtol=1e-9, atol=1e-12)
                for g, v in zip(got, value)
            )
        return np.shape(got) == np.shape(value) and np.allclose(got, value, rtol=1e-9, atol=1e-12)

    return predicate


def _item_near(index, value):
    """A hint predicate on item ``index`` of a tuple output."""

    def predicate(got):
        g = got[index]
        return np.shape(g) == np.shape(value) and np.allclose(g, value, rtol=1e-9, atol=1e-12)

    return predicate


def _shapes_are(shapes):
    return lambda got: tuple(np.shape(g) for g in got) == tuple(shapes)


# ----------------------------------------------------------------------------
# Exercise 1
# ----------------------------------------------------------------------------


def vjp_matmul(fn) -> bool:
    """Exercise 1: vjp_matmul(g, A, B) against ad.vjp."""
    A = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 3.0]])
    B = np.array([[1.0, 0.0], [2.0, 1.0], [-1.0, 1.0]])
    g = np.array([[1.0, -1.0], [0.0, 2.0]])
    S, T, G = (np.cos(np.arange(9.0) + k).reshape(3, 3) for k in (0.0, 1.0, 2.0))
    cases = []
    for g_, A_, B_, name in [
        (g, A, B, "A of shape (2, 3), B of shape (3, 2)"),
        (G, S, T, "square A and B, 3 x 3"),
    ]:
        A_bar, B_bar = ad.vjp(lambda a, b: a @ b, A_, B_)[1](g_)
        hints = {
            lambda got, A_=A_, B_=B_: (
                len(got) == 2 and (np.shape(got[0]) != A_.shape or np.shape(got[1]) != B_.shape)
            ): "a cotangent "
            "has the shape of its variable: A_bar is m x k like A, B_bar is k x n like B; "
            "match shapes (g is m x n) to see where the transposes go",
            _item_near(0, A_bar.T): "A_bar is transposed: A_bar = g @ B.T (derive "
            "dC_pq / dA_ij in indices)",
            _item_near(1, B_bar.T): "B_bar is transposed: B_bar = A.T @ g",
            _item_near(0, g_ @ B_) if g_.shape[1] == B_.shape[0] else (lambda got: False): (
                "A_bar needs B transposed: g @ B.T"
            ),
            _item_near(1, A_ @ g_) if A_.shape[1] == g_.shape[0] else (lambda got: False): (
                "B_bar needs A transposed: A.T @ g"
            ),
        }
        cases.append(
            Case(
                args=(g_, A_, B_),
                expected=(A_bar, B_bar),
                name=name,
                rtol=1e-10,
                atol=1e-12,
                hints=hints,
            )
        )
    return check("vjp_matmul", fn, cases)


# ----------------------------------------------------------------------------
# Exercise 2
# ----------------------------------------------------------------------------


def unbroadcast(fn) -> bool:
    """Exercise 2, part 1: unbroadcast(g, shape)."""
    g = np.arange(6.0).reshape(2, 3)
    cases = []
    for shape, expected, name in [
        ((3,), np.array([3.0, 5.0, 7.0]), "(2, 3) -> (3,): sum the new leading axis"),
        ((2, 1), np.array([[3.0], [12.0]]), "(2, 3) -> (2, 1): sum axis 1 and keep it"),
        ((), np.float64(15.0), "(2, 3) -> (): sum everything"),
        ((1, 3), np.array([[3.0, 5.0, 7.0]]), "(2, 3) -> (1, 3)"),
        ((2, 3), g, "(2, 3) -> (2, 3): nothing to do"),
    ]:
        hints = {
            lambda got, shape=shape: np.shape(got) == g.shape and shape != g.shape: "you "
            "returned an array of g's shape: sum over the axes that broadcasting added or "
            "stretched",
            lambda got, expected=expected: (
                np.shape(got) != np.shape(expected) and np.size(got) == np.size(expected)
            ): "the values are right but the shape is "
            "not: keep the stretched axes with length 1 (keepdims=True), or reshape to `shape`",
        }
        cases.append(Case(args=(g, shape), expected=expected, name=name, hints=hints))
    return check("unbroadcast", fn, cases)


def vjp_add_broadcast(fn) -> bool:
    """Exercise 2, part 2: vjp_add_broadcast(g, x, y) against ad.vjp."""
    cases = []
    for x, y, name in [
        (np.ones((4, 3)), np.ones(3), "x (4, 3) + y (3,): a bias added to every row"),
        (np.ones((2, 1)), np.ones((1, 3)), "x (2, 1) + y (1, 3): an outer sum"),
        (np.ones((2, 3)), np.ones((2, 3)), "x (2, 3) + y (2, 3): no broadcasting"),
        (np.ones((2, 3)), np.float64(2.0), "x (2, 3) + a scalar y"),
    ]:
        z_shape = np.shape(x + y)
        g = np.arange(np.size(x + y), dtype=float).reshape(z_shape) - 2.0
        expected = tuple(ad.vjp(lambda x, y: x + y, x, y)[1](g))
        hints = {
            lambda got, z_shape=z_shape, x=x, y=y: any(
                np.shape(c) == z_shape and np.shape(v) != z_shape for c, v in zip(got, (x, y))
            ): "a cotangent has the shape of its variable, and g has the shape of x + y: "
            "forgot to un-broadcast? Sum g down to each argument's shape (your unbroadcast)",
        }
        cases.append(Case(args=(g, x, y), expected=expected, name=name, hints=hints))
    return check("vjp_add_broadcast", fn, cases)


# ----------------------------------------------------------------------------
# Exercise 3
# ----------------------------------------------------------------------------


def vjp_sum(fn) -> bool:
    """Exercise 3: vjp_sum(g, x, axis, keepdims) against ad.vjp."""
    cases = []
    for shape, axis, keepdims in [
        ((2, 3), None, False),
        ((2, 3), 0, False),
        ((3, 3), 1, False),
        ((2, 3), 1, True),
        ((2, 3, 4), (0, 2), False),
        ((2, 3, 4), -1, False),
    ]:
        x = np.ones(shape)
        s = np.sum(x, axis=axis, keepdims=keepdims)
        g = np.arange(np.size(s), dtype=float).reshape(np.shape(s)) + 1.0
        expected = ad.vjp(lambda x, a=axis, k=keepdims: anp.sum(x, axis=a, keepdims=k), x)[1](g)[0]
        hints = {
            lambda got, shape=shape: np.shape(got) != shape: "x_bar has the shape of x: "
            "broadcast g back to x.shape",
        }
        if not keepdims and axis is not None:
            try:
                wrong = np.broadcast_to(g, shape)
                hints[_near(wrong)] = (
                    "g was broadcast from the right, onto the wrong axes: put the summed axes "
                    "back first, with length 1 (np.expand_dims(g, axis))"
                )
            except ValueError:
                pass
        name = f"x of shape {shape}, axis={axis}, keepdims={keepdims}"
        cases.append(Case(args=(g, x, axis, keepdims), expected=expected, name=name, hints=hints))
    return check("vjp_sum", fn, cases)


# ----------------------------------------------------------------------------
# Exercise 4
# ----------------------------------------------------------------------------


def _cross_entropy(logits, labels):
    rows = np.arange(len(labels))

    def loss(z):
        return anp.mean(anp.logsumexp(z, axis=1) - z[rows, labels])

    value, grad = ad.value_and_grad(loss)(np.asarray(logits, dtype=float))
    return float(value), grad


def vjp_softmax_cross_entropy(fn) -> bool:
    """Exercise 4: vjp_softmax_cross_entropy(logits, labels) against ad.value_and_grad."""
    cases = []
    for logits, labels, name in [
        (np.array([[1.0, 2.0, 0.0], [0.0, 0.0, 3.0]]), np.array([0, 2]), "2 examples, 3 classes"),
        (np.zeros((1, 4)), np.array([1]), "equal logits: the loss is log 4"),
        (np.array([[1000.0, 0.0, -1000.0]]), np.array([0]), "logits of size 1000"),
    ]:
        loss, bar = _cross_entropy(logits, labels)
        B = len(labels)
        hints = {
            lambda got: (
                not np.all(np.isfinite(np.asarray(got[1], dtype=float)))
                or not np.isfinite(float(got[0]))
            ): "inf or nan: exp(1000) overflows; subtract each "
            "row's maximum from the logits before np.exp (the softmax does not change)",
            _item_near(1, bar * B): "the gradient is B times too large: the loss is a mean "
            "over the batch, so divide by B",
            _item_near(1, -bar): "the sign is flipped: dL/dz = (softmax - one_hot) / B",
        }
        if B > 1:
            hints[lambda got, s=loss * B: np.isclose(float(got[0]), s)] = (
                "the loss is the mean over the batch, not the sum"
            )
        cases.append(
            Case(
                args=(logits, labels),
                expected=(loss, bar),
                name=name,
                rtol=1e-9,
                atol=1e-12,
                hints=hints,
            )
        )
    return check("vjp_softmax_cross_entropy", fn, cases)


# ----------------------------------------------------------------------------
# Exercise 5
# ----------------------------------------------------------------------------


def linear_backward(fn) -> bool:
    """Exercise 5: linear_backward(Y_bar, X, W, b) for Y = X @ W.T + b, against ad.vjp."""
    cases = []
    for B, n, m in [(4, 3, 2), (2, 3, 3)]:
        X = np.arange(B * n, dtype=float).reshape(B, n) / 10
        W = np.cos(np.arange(m * n, dtype=float)).reshape(m, n)
        b = np.zeros(m)
        Y_bar = np.sin(np.arange(B * m, dtype=float)).reshape(B, m)
        expected = tuple(ad.vjp(lambda X, W, b: X @ W.T + b, X, W, b)[1](Y_bar))
        hints = {
            lambda got, B=B, m=m: np.shape(got[2]) == (B, m): "b_bar has the shape of Y: b is "
            "added to every row, so un-broadcast, i.e. sum Y_bar over the batch axis",
            _item_near(1, expected[1].T): "W_bar is transposed: W is out x in here (PyTorch's "
            "convention), so W_bar = Y_bar.T @ X",
            lambda got, n=n, m=m: np.shape(got[1]) == (n, m) and n != m: "W_bar has the "
            "shape (in, out) but W is (out, in): W_bar = Y_bar.T @ X",
            _item_near(0, Y_bar @ W.T[:m] if n == m else np.full((B, n), np.nan)): "X_bar uses "
            "W as it is, not W.T: Y = X @ W.T, so X_bar = Y_bar @ W",
        }
        name = f"batch {B}, {n} inputs, {m} outputs"
        cases.append(
            Case(
                args=(Y_bar, X, W, b),
                expected=expected,
                name=name,
                rtol=1e-10,
                atol=1e-12,
                hints=hints,
            )
        )
    return check("linear_backward", fn, cases)


# ----------------------------------------------------------------------------
# Exercise 6: the bytes of the Jacobians
# ----------------------------------------------------------------------------


def predict_jacobian_bytes(fn) -> bool:
    """Exercise 6: predict_jacobian_bytes(batch, n_in, n_out), against sizes by hand."""
    cases = []
    for B, n, m, expected, name in [
        # Y is (B, m); the Jacobians are (B, m, B, n), (B, m, m, n) and (B, m, m), 8 bytes each
        (1, 1, 1, (8, 8, 8), "B = n = m = 1: three 1-entry Jacobians"),
        (3, 4, 2, (8 * 6 * 12, 8 * 6 * 8, 8 * 6 * 2), "B = 3, n = 4, m = 2"),
        (4, 3, 2, (8 * 8 * 12, 8 * 8 * 6, 8 * 8 * 2), "B = 4, n = 3, m = 2"),
    ]:
        hints = {
            lambda got, e=expected: tuple(got) == tuple(v // 8 for v in e): "those are entries: "
            "a float64 entry takes 8 bytes",
            lambda got, e=expected, B=B: len(tuple(got)) == 3 and tuple(got)[0] * B == e[0]: (
                "X_bytes: the output (B, m) depends on the whole input (B, n), so the batch "
                "appears twice, (B, m, B, n)"
            ),
            lambda got, e=expected, B=B: len(tuple(got)) == 3 and tuple(got)[2] * B == e[2]: (
                "b_bytes: every one of the B * m outputs has a row, (B, m, m)"
            ),
        }
        cases.append(Case(args=(B, n, m), expected=expected, name=name, hints=hints))
    return check("predict_jacobian_bytes", fn, cases)
