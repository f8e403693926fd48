"""Self-checks for Lab 7 (hard edges): the VISIBLE checks of each exercise.

Each function runs one exercise's visible checks on your function and prints a report:
which input, what was expected, what you returned, and a hint for the classic mistakes
(the sign or the factor s of the sigmoid's derivative, s/b instead of s/sqrt(b), the
kernel's CDF taken the wrong way round, the sign of the score). Passing them is necessary,
not sufficient: the hidden tests use other inputs.
"""

import numpy as np

import autodiff_lite as ad
import autodiff_lite.numpy as anp
from autodiff_lite.selfcheck import Case, check


def _sigmoid(u):
    return 0.5 * (np.tanh(0.5 * np.asarray(u, dtype=float)) + 1.0)


def _item_near(index, value):
    def predicate(got):
        g = np.asarray(got[index], dtype=float)
        return g.shape == np.shape(value) and np.allclose(g, value, rtol=1e-9, atol=1e-12)

    return predicate


def _near(value):
    def predicate(got):
        g = np.asarray(got, dtype=float)
        return g.shape == np.shape(value) and np.allclose(g, value, rtol=1e-9, atol=1e-12)

    return predicate


# ----------------------------------------------------------------------------
# Exercise 1
# ----------------------------------------------------------------------------


def soft_cut_with_grad(fn) -> bool:
    """Exercise 1: (sigmoid(s (x - t)), its derivative in t), against ad.relax and ad.grad."""
    cases = []
    for x, t, s, name in [
        (np.array([0.0, 0.5, 1.0, 2.0]), 0.5, 4.0, "x = [0, 0.5, 1, 2], t = 0.5, s = 4"),
        (np.array([-3.0, 0.1]), 0.0, 1.0, "s = 1"),
        (np.array([-1000.0, 0.0, 1000.0]), 0.0, 10.0, "far from the cut: no overflow"),
    ]:
        value = np.asarray(ad.relax.soft_cut(x, t, s))
        grad = ad.grad(lambda t_, x=x, s=s: anp.sum(ad.relax.soft_cut(x, t_, s)))(t)
        # the derivative elementwise: each entry depends on t through its own term
        slope = -s * value * (1 - value)
        hints = {
            _item_near(1, -slope): "the sign: moving the cut up (larger t) lowers the soft "
            "count, so d/dt is negative: -s * sigma * (1 - sigma)",
            _item_near(1, slope / s): "a factor s is missing: the chain rule through s * (x - t)",
            lambda got: not np.all(np.isfinite(np.asarray(got[0], dtype=float))): "inf or nan: "
            "1 / (1 + exp(-u)) overflows for large |u|; use (1 + tanh(u / 2)) / 2 or np.where",
        }
        assert np.isclose(slope.sum(), grad)
        cases.append(
            Case(
                args=(x, t, s),
                expected=(value, slope),
                name=name,
                rtol=1e-10,
                atol=1e-12,
                hints=hints,
            )
        )
    return check("soft_cut_with_grad", fn, cases)


# ----------------------------------------------------------------------------
# Exercise 2
# ----------------------------------------------------------------------------


def _significance(cut, sig, bkg, w_sig, w_bkg, steepness):
    passed_sig = w_sig * ad.relax.soft_cut(sig, cut, steepness)
    passed_bkg = w_bkg * ad.relax.soft_cut(bkg, cut, steepness)
    return anp.sum(passed_sig) / anp.sqrt(anp.sum(passed_bkg))


_SIG = np.array([1.5, 2.0, 2.5, 3.0])
_BKG = np.array([0.0, 0.5, 1.0, 1.5, 2.2])


def soft_significance(fn) -> bool:
    """Exercise 2: the soft s/sqrt(b) and its gradient in the cut."""
    w_s, w_b = np.full(4, 0.5), np.full(5, 2.0)
    cases = []
    for cut, steep in [(1.0, 5.0), (1.8, 2.0)]:
        value = _significance(cut, _SIG, _BKG, w_s, w_b, steep)
        s = np.sum(w_s * _sigmoid(steep * (_SIG - cut)))
        b = np.sum(w_b * _sigmoid(steep * (_BKG - cut)))
        hints = {
            _near(s / b): "that is s / b: the significance is s / sqrt(b)",
            _near(
                np.sum(_sigmoid(steep * (_SIG - cut)))
                / np.sqrt(np.sum(_sigmoid(steep * (_BKG - cut))))
            ): ("the weights are missing: s and b are weighted sums"),
        }
        cases.append(
            Case(
                args=(cut, _SIG, _BKG, w_s, w_b, steep),
                expected=value,
                name=f"cut = {cut}, steepness = {steep}",
                rtol=1e-10,
                hints=hints,
            )
        )
    ok = check("soft_significance", fn, cases)

    def gradient_in_cut(cut):
        return ad.grad(lambda c: fn(c, _SIG, _BKG, w_s, w_b, 3.0))(cut)

    gradient_in_cut.__name__ = "grad_of_your_soft_significance"
    expected = ad.grad(lambda c: _significance(c, _SIG, _BKG, w_s, w_b, 3.0))(1.2)
    grad_case = Case(
        args=(1.2,),
        expected=expected,
        name="ad.grad in the cut at 1.2, steepness 3",
        rtol=1e-9,
        hints={
            lambda got: got == 0: "the gradient is zero: write the cut with a sigmoid of "
            "anp arrays (or ad.relax.soft_cut), not with > or np.where"
        },
    )
    return check("soft_significance (gradient)", gradient_in_cut, [grad_case]) and ok


# ----------------------------------------------------------------------------
# Exercise 3
# ----------------------------------------------------------------------------


def soft_histogram(fn) -> bool:
    """Exercise 3: a soft histogram against ad.relax.soft_histogram, values and gradient."""
    x = np.array([0.2, 0.5, 1.4, 2.9, 2.1])
    edges = np.array([0.0, 1.0, 2.0, 3.0])
    cases = []
    for h in (0.5, 0.05, 1e-4):
        expected = np.asarray(ad.relax.soft_histogram(x, edges, h))
        swapped = -expected
        hints = {
            _near(swapped): "negative counts: the mass in [e_j, e_j+1] is "
            "sigmoid((e_j+1 - x)/h) - sigmoid((e_j - x)/h), upper edge first",
            lambda got: np.shape(got) == (x.size, edges.size - 1): "sum over the events: one "
            "count per bin, shape (number of bins,)",
        }
        cases.append(
            Case(
                args=(x, edges, h),
                expected=expected,
                name=f"5 events, 3 bins, bandwidth {h}",
                rtol=1e-9,
                atol=1e-12,
                hints=hints,
            )
        )
    ok = check("soft_histogram", fn, cases)
    weights = np.array([1.0, -2.0, 0.5])

    def grad_in_x(x_):
        return ad.grad(lambda z: anp.sum(weights * fn(z, edges, 0.3)))(x_)

    grad_in_x.__name__ = "grad_of_your_soft_histogram"
    expected = ad.grad(lambda z: anp.sum(weights * ad.relax.soft_histogram(z, edges, 0.3)))(x)
    grad_case = Case(
        args=(x,),
        expected=expected,
        name="ad.grad in the events, bandwidth 0.3",
        rtol=1e-9,
        atol=1e-12,
    )
    return check("soft_histogram (gradient)", grad_in_x, [grad_case]) and ok


# ----------------------------------------------------------------------------
# Exercise 4
# ----------------------------------------------------------------------------


def _reinforce(theta, b, f_values, baseline=None):
    offset = baseline if baseline is not None else 0.0
    return float(np.mean((f_values - offset) * (b - _sigmoid(theta))))


def reinforce_gradient(fn) -> bool:
    """Exercise 4: the score-function estimator for Bernoulli(sigmoid(theta)) samples."""
    b = np.array([1.0, 0.0, 1.0, 1.0])
    f_values = (b - 0.45) ** 2
    cases = []
    for theta, baseline, name in [
        (0.0, None, "theta = 0, no baseline"),
        (1.0, None, "theta = 1, no baseline"),
        (1.0, 0.25, "theta = 1, baseline 0.25"),
    ]:
        expected = _reinforce(theta, b, f_values, baseline)
        p = float(_sigmoid(theta))
        hints = {
            _near(-expected): "the sign of the score: d/dtheta log p(b) = b - sigmoid(theta)",
            _near(_reinforce(theta, b, f_values, None)) if baseline else (lambda got: False): (
                "the baseline is ignored: use (f - baseline) * score"
            ),
            _near(_reinforce(theta, b, f_values, -baseline) if baseline else np.nan): (
                "subtract the baseline, don't add it"
            ),
            _near(float(np.mean(f_values * (b - p) * p * (1 - p)))): "the score of "
            "Bernoulli(sigmoid(theta)) simplifies to b - sigmoid(theta): no extra sigmoid'",
        }
        cases.append(
            Case(
                args=(theta, b, f_values, baseline),
                expected=expected,
                name=name,
                rtol=1e-10,
                atol=1e-14,
                hints=hints,
            )
        )
    return check("reinforce_gradient", fn, cases)


# ----------------------------------------------------------------------------
# Exercise 5
# ----------------------------------------------------------------------------


def _one_sample_estimates(theta, f0, f1, baseline):
    """The library's one-sample REINFORCE estimate at b = 0 and at b = 1."""
    out = []
    for b_val, f_val in [(0.0, f0), (1.0, f1)]:

        def surrogate(th, b_val=b_val, f_val=f_val):
            s = ad.relax.sigmoid(th)
            logp = anp.reshape(b_val * anp.log(s) + (1 - b_val) * anp.log(1 - s), (1,))
            return ad.relax.reinforce_surrogate(logp, np.array([f_val]), baseline)

        out.append(float(ad.grad(surrogate)(theta)))
    return np.array(out)


def _moments(theta, f0, f1, baseline):
    p = float(_sigmoid(theta))
    weights = np.array([1 - p, p])
    g = _one_sample_estimates(theta, f0, f1, baseline)
    mean = weights @ g
    return mean, float(weights @ g**2), float(weights @ (g - mean) ** 2)


def reinforce_variance(variance_fn, baseline_fn) -> bool:
    """Exercise 5: the variance of one REINFORCE sample, and the best constant baseline."""
    cases = []
    for theta, f0, f1, c in [(1.0, 2.2025, 2.3025, 0.0), (-0.5, 1.0, -2.0, 0.5)]:
        mean, second, variance = _moments(theta, f0, f1, c)
        cases.append(
            Case(
                args=(theta, f0, f1, c),
                expected=variance,
                name=f"theta = {theta}, f0 = {f0}, f1 = {f1}, baseline {c}",
                rtol=1e-8,
                atol=1e-12,
                hints={
                    _near(second): "that is the mean of the square, E[g^2]: subtract the "
                    "square of the mean, E[g]^2 = (p (1 - p) (f1 - f0))^2",
                    _near(np.sqrt(variance)): "that is the standard deviation: square it",
                },
            )
        )
    ok = check("reinforce_variance", variance_fn, cases)
    cases = []
    for theta, f0, f1 in [(1.0, 2.2025, 2.3025), (-0.5, 1.0, -2.0)]:
        p = float(_sigmoid(theta))
        v = [_moments(theta, f0, f1, c)[2] for c in (-1.0, 0.0, 1.0)]
        best = 0.5 * (v[0] - v[2]) / (v[0] - 2 * v[1] + v[2])  # the quadratic's minimiser
        cases.append(
            Case(
                args=(theta, f0, f1),
                expected=best,
                name=f"theta = {theta}, f0 = {f0}, f1 = {f1}",
                rtol=1e-6,
                atol=1e-9,
                hints={
                    _near(p * f1 + (1 - p) * f0): "that is E[f]: a good baseline, not the "
                    "best one; minimise the variance, a quadratic in the baseline"
                },
            )
        )
    return check("best_baseline", baseline_fn, cases) and ok
