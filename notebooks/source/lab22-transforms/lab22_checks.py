"""Self-checks for Lab 22 (transforms beyond grad): the VISIBLE checks of each exercise.

Each function runs one exercise's visible checks on your code and prints a report: the
input, what was expected, what you returned, and a hint for the classic mistakes (the
example's axis not shifted past the batch axis; a batched operand of lower rank not lined
up with the others; the mean clipped instead of each example; a prediction that forgets the
loop is unrolled). Expected values are computed here example by example with numpy, or by
``autodiff_lite``, so this file holds no solutions. Passing is necessary, not sufficient:
the hidden tests use fresh random shapes, axes and data.
"""

import numpy as np

import autodiff_lite as ad
import autodiff_lite.numpy as anp
from autodiff_lite.selfcheck import Case, check


def _per_example(op, args, dims):
    size = next(np.shape(a)[d] for a, d in zip(args, dims) if d is not None)
    return np.stack(
        [
            op(*[a if d is None else np.take(a, i, axis=d) for a, d in zip(args, dims)])
            for i in range(size)
        ]
    )


def _front(result):
    ans, bdim = result
    return np.moveaxis(np.asarray(ans), bdim, 0)


def rules(cumsum_rule, where_rule) -> bool:
    """Exercise 1: cumsum along an example's axis; where with broadcasting and shared args."""
    x = np.arange(24.0).reshape(2, 3, 4)
    unshifted = "the example's axis k is axis k + 1 of the batched array when k >= bdim"
    cumsum_cases = [
        Case(
            args=(bdim, axis),
            expected=_per_example(lambda e, a=axis: np.cumsum(e, axis=a), [x], [bdim]),
            name=f"x of shape (2, 3, 4), bdim={bdim}, axis={axis}",
            hints={lambda got: True: unshifted + "; a negative axis counts from the end"},
        )
        for bdim, axis in [(0, 0), (0, -1), (1, 0), (2, 1), (1, -2)]
    ]
    ok = check("cumsum_rule", lambda b, a: _front(cumsum_rule(x, b, a)), cumsum_cases)
    c = np.arange(12).reshape(4, 3) % 3 == 1
    a, b = np.arange(6.0).reshape(2, 3), -np.ones((2, 4, 3))
    lower_rank = (
        "an example of lower rank needs 1s after the batch axis (numpy aligns from the right)"
    )
    where_cases = [
        Case(
            args=((c, 0, a, None, b, 1),),
            expected=_per_example(np.where, [c, a, b], [0, None, 1]),
            name="c (4, 3) batched at 0, a (2, 3) shared, b (2, 4, 3) batched at 1",
            hints={lambda got: True: lower_rank},
        ),
        Case(
            args=((c.T, 1, b, 1, 5.0, None),),
            expected=_per_example(np.where, [c.T, b, 5.0], [1, 1, None]),
            name="c (3, 4) and b (2, 4, 3) batched at 1, the number 5 (shared)",
        ),
    ]
    return check("where_rule", lambda args: _front(where_rule(*args)), where_cases) and ok


def per_example(per_example_grads, clipped_mean_gradient) -> bool:
    """Exercise 2: Poisson regression's gradients, one row per example, and their clipped mean."""
    X = np.array([[1.0, 0.5], [0.2, -1.0], [1.5, 1.5]])
    Y = np.array([2.0, 0.0, 7.0])
    w = np.array([0.3, -0.2])
    rows = [ad.grad(lambda w, x=x, y=y: anp.exp(x @ w) - y * (x @ w))(w) for x, y in zip(X, Y)]
    G = np.stack(rows)
    ok = check(
        "per_example_grads",
        lambda: np.asarray(per_example_grads(w, X, Y)),
        [
            Case(
                expected=G,
                name="3 examples, 2 features",
                hints={lambda got: got.shape != (3, 2): "one row per example: shape (n, d)"},
            )
        ],
    )
    clipped = np.mean([g * min(1.0, 0.5 / np.linalg.norm(g)) for g in G], axis=0)
    mean_clipped = G.mean(axis=0) * min(1.0, 0.5 / np.linalg.norm(G.mean(axis=0)))
    cases = [
        Case(args=(1e6,), expected=G.mean(axis=0), name="clip = 1e6 (nothing clipped)"),
        Case(
            args=(0.5,),
            expected=clipped,
            name="clip = 0.5",
            hints={
                lambda got: np.allclose(got, mean_clipped): "clip each example's gradient, then "
                "average; clipping the mean bounds nothing per example"
            },
        ),
    ]
    return check("clipped_mean_gradient", lambda c: clipped_mean_gradient(w, X, Y, c), cases) and ok


def predict_equations(predict, zigzag) -> bool:
    """Exercise 3: the prediction against the staged graph's length."""
    cases = [
        Case(
            args=(m,),
            expected=len(ad.make_graph(zigzag)(np.ones(m))),
            name=f"m = {m}",
            hints={
                lambda got: (
                    True
                ): "the for loop and the if run while tracing: each iteration leaves "
                "the primitives of the branch it took; count the iterations of each kind"
            },
        )
        for m in (1, 4, 7)
    ]
    return check("predict_equations", predict, cases)
