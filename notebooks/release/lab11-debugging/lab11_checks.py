"""Self-checks for Lab 11 (debugging gradients and training): the VISIBLE checks of each exercise.

Each function runs one exercise's visible checks on your function and prints a report: which
input, what was expected, what you returned, and a hint for the classic mistakes: a one-sided
difference, an absolute error where a relative one is asked, 0/0 on a zero gradient, a
Taylor term off by a factor, an order taken the wrong way round, a rule that is still the
given one, clipping each leaf by its own norm, a fixed start vector for power iteration.
Passing them is necessary, not sufficient: the hidden tests use other inputs.
"""

import numpy as np

import autodiff_lite as ad
import autodiff_lite.numpy as anp
from autodiff_lite.selfcheck import Case, check

EPS = 1e-3  # the epsilon of rms_norm, as in the notebook


# ----------------------------------------------------------------------------
# Exercise 1
# ----------------------------------------------------------------------------

X1 = np.array([[0.5, -1.0, 2.0], [0.1, 0.0, -0.3]])
W1 = np.array([[1.0, 2.0, -1.0], [0.5, 3.0, 1.0]])


def weighted_sin(x):
    return float(np.sum(W1 * np.sin(x)))


def weighted_sin_grad(x):
    return W1 * np.cos(x)


def weighted_sin_grad_wrong_at_1_2(x):
    g = W1 * np.cos(x)
    g[1, 2] *= 1.5
    return g


def sin_of_all_but_first(x):
    return float(np.sum(np.sin(x[1:])))


def sin_of_all_but_first_grad(x):
    return np.concatenate([[0.0], np.cos(x[1:])])


def huge_sin(x):
    return float(1e8 * np.sum(np.sin(x)))


def huge_sin_grad(x):
    return 1e8 * np.cos(x)


def exp_3x(x):
    return float(np.sum(np.exp(3 * x)))


def exp_3x_grad(x):
    return 3 * np.exp(3 * x)


def _error_and_index(expected_error=None, below=None, index=None, ndim=None) -> dict:
    out = {}
    if expected_error is not None:
        out["error"] = expected_error
    if below is not None:
        out["error below"] = below
    if index is not None:
        out["index"] = index
    if ndim is not None:
        out["index length"] = ndim
    return out


def _compare_error(got, expected) -> bool:
    error, index = got
    error = float(error)
    if "error" in expected and not np.isclose(error, expected["error"], rtol=1e-5):
        return False
    if "error below" in expected and not error < expected["error below"]:
        return False
    index = tuple(int(i) for i in np.atleast_1d(index))
    if "index" in expected and index != expected["index"]:
        return False
    return "index length" not in expected or len(index) == expected["index length"]


def _error_of(got):
    return float(got[0])


def worst_relative_error(fn) -> bool:
    """Exercise 1: worst_relative_error(f, grad_f, x, h) -> (error, index)."""
    cases = [
        Case(
            args=(weighted_sin, weighted_sin_grad, X1),
            expected=_error_and_index(below=1e-6, ndim=2),
            name="a right gradient of sum(w * sin(x)), x of shape (2, 3)",
            hints={
                lambda got: np.ndim(got[1]) == 0: "return the index as a tuple, (i, j) for "
                "a 2-D x (np.unravel_index)",
                lambda got: 1e-7 < _error_of(got) < 1e-3: "an error near h: is it a one-sided "
                "difference? Use (f(x + h e_i) - f(x - h e_i)) / (2h)",
            },
        ),
        Case(
            args=(weighted_sin, weighted_sin_grad_wrong_at_1_2, X1),
            expected=_error_and_index(expected_error=1 / 3, index=(1, 2)),
            name="the same gradient with entry (1, 2) multiplied by 1.5",
            hints={
                lambda got: np.isclose(_error_of(got), 0.5, rtol=1e-3): "0.5 = |a - n| / |n|: "
                "divide by the larger of |a_i| and |n_i| (and 1e-8)",
                lambda got: np.ndim(got[1]) == 0: "return the index as a tuple, (i, j) for "
                "a 2-D x (np.unravel_index)",
            },
        ),
        Case(
            args=(sin_of_all_but_first, sin_of_all_but_first_grad, np.array([0.3, -0.7, 1.1])),
            expected=_error_and_index(below=1e-6, ndim=1),
            name="f does not depend on x[0]: its gradient there is exactly 0",
            hints={
                lambda got: not np.isfinite(_error_of(got)): "0 / 0 is nan: the denominator "
                "needs the floor, max(|a_i|, |n_i|, 1e-8)",
            },
        ),
        Case(
            args=(huge_sin, huge_sin_grad, np.array([0.3, -0.7, 1.1])),
            expected=_error_and_index(below=1e-5, ndim=1),
            name="a right gradient of 1e8 * sum(sin(x)): large, so rounding errors are large",
            hints={
                lambda got: _error_of(got) > 1e-5: "is it the absolute error |a_i - n_i|? "
                "Divide by max(|a_i|, |n_i|, 1e-8)",
            },
        ),
        Case(
            args=(exp_3x, exp_3x_grad, np.array([0.1, 0.5, 0.9])),
            kwargs={"h": 1e-3},
            expected=_error_and_index(below=1e-5, ndim=1),
            name="a right gradient of sum(exp(3x)) with h = 1e-3",
            hints={
                lambda got: 1e-4 < _error_of(got) < 1e-2: "an error near h = 1e-3: a one-sided "
                "difference? Central differences are accurate to h**2",
                lambda got: _error_of(got) > 1e-2: "use the h you are given",
            },
        ),
    ]
    return check("worst_relative_error", fn, cases, compare=_compare_error)


# ----------------------------------------------------------------------------
# Exercise 2
# ----------------------------------------------------------------------------


def _measured_checker_error(c, h, scheme, x=0.3):
    exact = c * np.exp(c * x)
    if scheme == "central":
        quotient = (np.exp(c * (x + h)) - np.exp(c * (x - h))) / (2 * h)
    else:
        quotient = (np.exp(c * (x + h)) - np.exp(c * x)) / h
    return float(abs(exact - quotient) / max(abs(exact), abs(quotient)))


def predict_checker_error(fn) -> bool:
    """Exercise 2: predict_checker_error(c, h, scheme), against the measured error."""
    cases = []
    for c, h in [(2.0, 1e-2), (0.5, 2e-2), (5.0, 1e-3)]:
        step_times_c = h * c
        for scheme in ("central", "forward"):
            cases.append(
                Case(
                    args=(c, h, scheme),
                    expected=_measured_checker_error(c, h, scheme),
                    name=f"{scheme} difference of exp({c:g} x), h = {h:g}",
                    hints={
                        lambda got, t=step_times_c: np.isclose(
                            float(got), t**2 / 2
                        ): "(ch)**2 / 2 is a "
                        "term of e^{ch}; in the central quotient the even terms cancel: "
                        "expand sinh(ch) / ch",
                        lambda got, t=step_times_c: np.isclose(float(got), t): "expand "
                        "(e^{ch} - 1) / (ch): 1 + ch / 2 + ...",
                        lambda got, h=h, s=scheme: (
                            np.isclose(float(got), h ** (2 if s == "central" else 1))
                            or np.isclose(float(got), h**2 / 6)
                            or np.isclose(float(got), h / 2)
                        ): "the error is a function of c h, "
                        "not of h alone: the derivative of exp(c x) grows with c",
                    },
                )
            )
    return check("predict_checker_error", fn, cases, compare=_compare_prediction)


def _compare_prediction(got, expected) -> bool:
    try:
        return abs(float(got) - expected) <= 0.03 * expected
    except (TypeError, ValueError):
        return False


# ----------------------------------------------------------------------------
# Exercise 3
# ----------------------------------------------------------------------------

X3 = np.array([0.4, -0.8, 1.3])


def smooth(x):
    return float(np.sum(np.exp(x) + np.sin(2 * x)))


def smooth_grad(x):
    return np.exp(x) + 2 * np.cos(2 * x)


def smooth_grad_wrong(x):
    g = smooth_grad(x)
    g[2] *= 1.001
    return g


def _compare_diagnosis(got, expected) -> bool:
    order, verdict = got
    return abs(float(order) - expected[0]) < 0.2 and verdict == expected[1]


def diagnose(fn) -> bool:
    """Exercise 3: diagnose(f, grad_f, x, h) -> (order, verdict)."""
    cases = [
        Case(
            args=(smooth, smooth_grad, X3),
            expected=(2.0, "noise"),
            name="a right gradient of sum(exp(x) + sin(2x)), h = 1e-2",
            hints={
                lambda got: abs(float(got[0]) + 2) < 0.2: "order -2: the ratio is the error at "
                "h over the error at h / 2, not the other way round",
                lambda got: abs(float(got[0]) - 1) < 0.2: "order 1: is Exercise 1 still a "
                "one-sided difference?",
                lambda got: abs(float(got[0]) - 2) < 0.2: "the order is right: the verdict is "
                "'noise' above 1.5",
            },
        ),
        Case(
            args=(smooth, smooth_grad_wrong, X3),
            expected=(0.0, "wrong"),
            name="the same gradient with its last entry 0.1% too large",
            hints={
                lambda got: abs(float(got[0])) < 0.2: "the order is right: the verdict is "
                "'wrong' below 0.5",
            },
        ),
    ]
    return check("diagnose", fn, cases, compare=_compare_diagnosis)


# ----------------------------------------------------------------------------
# Exercise 5
# ----------------------------------------------------------------------------


def cumsum_impl(x):
    return np.cumsum(x, axis=-1)


def logsumexp_impl(x):
    m = np.max(x, axis=-1, keepdims=True)
    return (m + np.log(np.sum(np.exp(x - m), axis=-1, keepdims=True)))[..., 0]


def rms_norm_impl(x):
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + EPS)


def _cotangent(shape, k=0.0):
    return np.cos(np.arange(int(np.prod(shape)), dtype=float) + k).reshape(shape)


def _close_to(value):
    return lambda got: np.shape(got) == np.shape(value) and np.allclose(got, value)


def _rule_case(impl, x, reference, name, hints):
    ans = impl(x)
    g = _cotangent(np.shape(ans))
    return Case(
        args=(g, ans, x),
        expected=reference(g, x),
        name=name,
        rtol=1e-9,
        atol=1e-12,
        hints={hint_of(g, ans, x): text for hint_of, text in hints},
    )


def _cumsum_reference(g, x):
    return np.flip(np.cumsum(np.flip(g, -1), axis=-1), -1)


def _logsumexp_reference(g, x):
    shifted = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return np.expand_dims(g, -1) * shifted / np.sum(shifted, axis=-1, keepdims=True)


def _rms_norm_reference(g, x):
    def rms_norm(x):
        return x / anp.sqrt(anp.mean(x**2, axis=-1, keepdims=True) + EPS)

    return ad.vjp(rms_norm, x)[1](g)[0]


def fixed_rules(cumsum_vjp, logsumexp_vjp, rms_norm_vjp) -> bool:
    """Exercise 5: the three fixed rules, rule(g, ans, x) -> x_bar, against the true VJPs."""
    x_cum = np.array([[-2.0, 0.5], [1.0, 3.0]])
    x_square = np.array([[0.5, -1.0, 2.0], [0.0, 1.0, -0.5], [1.5, 0.2, 0.3]])
    x_wide = np.array([[0.5, -1.0, 2.0, 0.1], [1.0, 0.2, -0.4, 0.3]])

    still_cumsum = (
        lambda g, ans, x: _close_to(np.cumsum(g, axis=-1)),
        "this is what the given rule returns: x_0 feeds every running sum, x_last only the "
        "last one; sum g from each position to the END of the axis",
    )
    still_lse = (
        lambda g, ans, x: _close_to(g * np.exp(x - ans)),
        "this is what the given rule returns: g and ans have the shape x.shape[:-1], so they "
        "broadcast against the wrong axis of x; give them back the summed axis first",
    )
    still_rms = (
        lambda g, ans, x: _close_to(
            g / np.sqrt(np.mean(x * x, -1, keepdims=True) + EPS)
            - x
            * np.sum(g * x, -1, keepdims=True)
            / np.sqrt(np.mean(x * x, -1, keepdims=True) + EPS) ** 3
        ),
        "this is what the given rule returns: differentiate mean(x**2) = sum(x**2) / n "
        "again; a factor is missing",
    )
    results = [
        check(
            "cumsum_vjp",
            cumsum_vjp,
            [_rule_case(cumsum_impl, x_cum, _cumsum_reference, "x, shape (2, 2)", [still_cumsum])],
        ),
        check(
            "logsumexp_vjp",
            logsumexp_vjp,
            [
                _rule_case(
                    logsumexp_impl, x_square, _logsumexp_reference, "x of shape (3, 3)", [still_lse]
                ),
                _rule_case(logsumexp_impl, x_wide, _logsumexp_reference, "x of shape (2, 4)", []),
            ],
        ),
        check(
            "rms_norm_vjp",
            rms_norm_vjp,
            [
                _rule_case(
                    rms_norm_impl, x_wide, _rms_norm_reference, "x of shape (2, 4)", [still_rms]
                )
            ],
        ),
    ]
    return all(results)


# ----------------------------------------------------------------------------
# Exercise 6
# ----------------------------------------------------------------------------


def clip_by_global_norm(fn) -> bool:
    """Exercise 6: clip_by_global_norm(grads, max_norm) -> (clipped, norm)."""

    def clip_or_value_error(grads, max_norm):
        try:
            return fn(grads, max_norm)
        except ValueError:
            return "ValueError"

    def tree():
        return {"W": np.array([[3.0, 0.0], [0.0, 0.0]]), "b": [np.array([4.0]), np.zeros(2)]}

    def per_leaf(got):
        return np.allclose(got[0]["W"], [[1.0, 0.0], [0.0, 0.0]]) and np.allclose(
            got[0]["b"][0], [1.0]
        )

    cases = [
        Case(
            args=(tree(), 1.0),
            expected=(
                {"W": np.array([[0.6, 0.0], [0.0, 0.0]]), "b": [np.array([0.8]), np.zeros(2)]},
                5.0,
            ),
            name="a tree of norm 5 (a 3 and a 4), clipped to 1",
            hints={
                per_leaf: "each leaf was clipped by its own norm: use one factor for the "
                "whole tree, from the norm of all leaves together",
            },
        ),
        Case(
            args=(tree(), 10.0),
            expected=(tree(), 5.0),
            name="the same tree with max_norm 10: short enough, unchanged",
            hints={
                lambda got: np.allclose(got[0]["W"][0, 0], 6.0): "a gradient shorter than "
                "max_norm stays as it is: the factor is min(1, max_norm / norm)",
            },
        ),
        Case(
            args=({"a": np.zeros(3)}, 1.0),
            expected=({"a": np.zeros(3)}, 0.0),
            name="a zero gradient",
            hints={
                lambda got: not np.all(np.isfinite(got[0]["a"])): "0 / 0: a zero gradient "
                "needs no clipping; return it as it is",
            },
        ),
        Case(args=(tree(), 0.0), expected="ValueError", name="max_norm = 0: raise ValueError"),
    ]
    return check("clip_by_global_norm", clip_or_value_error, cases)


# ----------------------------------------------------------------------------
# Exercise 7
# ----------------------------------------------------------------------------


def quadratic_of(H):
    def quadratic(w):
        return 0.5 * anp.sum(w * (H @ w))

    quadratic.__name__ = "quadratic"
    return quadratic


def largest_stable_step(fn) -> bool:
    """Exercise 7: largest_stable_step(loss, w, n_iter) -> (lam_max, 2 / lam_max)."""
    H1 = np.array([[3.0, 1.0, 0.0], [1.0, 2.0, 0.0], [0.0, 0.0, 0.5]])
    lam1 = (5 + np.sqrt(5)) / 2
    H2 = np.array([[2.0, -1.0, 0.0], [-1.0, 2.0, 0.0], [0.0, 0.0, 1.0]])  # top: (1, -1, 0)
    H3 = np.diag([1e4, 5e3, 1e3])

    def near(value):
        return lambda got: np.isclose(float(got[0]), value, rtol=1e-6)

    cases = [
        Case(
            args=(quadratic_of(H1), np.zeros(3)),
            expected=(lam1, 2 / lam1),
            name="0.5 w.Hw with eigenvalues 3.62, 1.38, 0.5",
            rtol=1e-8,
            hints={
                lambda got: np.isclose(float(got[1]), 1 / lam1): "the step is 2 / lam_max",
                near(lam1): "lam_max is right: return 2 / lam_max as the step",
            },
        ),
        Case(
            args=(quadratic_of(H2), np.zeros(3)),
            expected=(3.0, 2 / 3),
            name="eigenvalues 3, 1, 1, the top eigenvector (1, -1, 0) orthogonal to (1, 1, 1)",
            rtol=1e-8,
            hints={
                near(1.0): "power iteration found 1: did it start from (1, 1, 1)? Start from "
                "a random vector",
            },
        ),
        Case(
            args=(quadratic_of(H3), np.zeros(3)),
            expected=(1e4, 2e-4),
            name="eigenvalues 1e4, 5e3, 1e3",
            rtol=1e-8,
            hints={
                lambda got: not np.isfinite(float(got[0])): "overflow: normalise v at every "
                "step, v = u / ||u||",
            },
        ),
    ]
    return check("largest_stable_step", fn, cases)
