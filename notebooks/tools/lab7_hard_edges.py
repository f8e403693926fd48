"""Lab 7, Hard edges: the generator of its nbgrader source notebook.

Run ``python notebooks/tools/lab7_hard_edges.py`` to rewrite
``notebooks/source/lab7-hard-edges/lab7-hard-edges.ipynb``. The visible checks of the
self-check live in ``notebooks/source/lab7-hard-edges/lab7_checks.py``.
"""

# The cells' code is indented by 16 spaces here; in the notebooks it fits in 100 columns.
# ruff: noqa: E501

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from nbbuild import answer, code, main, md, notebook, tests  # noqa: E402

LAB = "lab7-hard-edges"

# Exercises 1 and 4 ask for closed forms, Exercise 3 for a histogram of the student's own: an
# answer that calls autodiff_lite's differentiation or ad.relax there scores nothing, found in
# the submitted source by the grader (notebooks/grader/shortcuts.py), so the hidden tests run
# the student's functions as they are. The tests run in the grader: where autodiff_lite must
# differentiate a student's function, they ask the student's own (`student.ad`), since the
# grader's tracers cannot enter the student's process.


def build():
    return notebook(
        [
            md(
                "intro",
                r"""
                # Lab 7: Hard edges

                This lab goes with the lesson **Hard edges** (09). A cut, a count, a histogram
                or a random choice has a zero gradient almost everywhere; here you write the
                tools that give a useful one: a sigmoid-relaxed cut with its derivative, a soft
                significance to optimise a selection, a soft histogram, and the score-function
                (REINFORCE) estimator with a baseline.

                | | you write | points |
                |---|---|---|
                | Exercise 1 | `soft_cut_with_grad(x, t, s)`: value and derivative by hand | 2 |
                | Exercise 2 | `soft_significance(cut, sig, bkg, w_sig, w_bkg, steepness)` | 2 |
                | Exercise 3 | `soft_histogram(x, edges, bandwidth)`, differentiable | 3 |
                | Exercise 4 | `reinforce_gradient(theta, b, f_values, baseline=None)` | 3 |
                | | **total** | **10** |

                **How it is graded.** Write your code in the answer cells, in place of
                `raise NotImplementedError(...)`; keep the names and arguments, and don't change
                the other cells. Each exercise ends with a grading cell: its visible asserts
                show the shape of the check, and when your lab is graded, hidden tests compare
                your functions with `ad.relax` and with closed forms on fresh random inputs.
                Exercises 1 and 4 ask for formulas: an answer to them that uses `autodiff_lite`'s
                differentiation (`ad.grad`, ...) or `ad.relax` scores no points, and so does an
                answer to Exercise 3 that calls `ad.relax.soft_histogram`. Before you submit,
                restart the kernel and run all cells.

                **Self-check.** After each answer cell, a one-line self-check runs that
                exercise's visible checks and explains a failure in plain words. It never runs
                the hidden tests.
                """,
            ),
            code(
                "setup",
                """
                import lab7_checks as self_check  # the self-checks (visible checks only)
                import matplotlib.pyplot as plt
                import numpy as np

                import autodiff_lite as ad
                import autodiff_lite.numpy as anp
                """,
            ),
            # ------------------------------------------------------------------ exercise 1
            md(
                "ex1",
                r"""
                ## Exercise 1: a soft cut and its derivative (2 points)

                The hard cut $\mathbf 1[x > t]$ becomes $\sigma(s(x - t))$ with the logistic
                sigmoid $\sigma(u) = 1/(1 + e^{-u})$ and a steepness $s > 0$. Derive
                $\partial \sigma(s(x - t)) / \partial t$ (use $\sigma' = \sigma (1 - \sigma)$)
                and write `soft_cut_with_grad(x, t, s)` returning the pair `(value, d_dt)`, two
                arrays of the shape of `x`: the soft cut of each event and its derivative with
                respect to the threshold `t`. Use numpy only, and make it **stable**: for
                $|s(x - t)|$ of 1000 nothing may overflow to `inf` or `nan` (hint:
                $\sigma(u) = \tfrac12(1 + \tanh(u/2))$).

                **Checked** against `ad.relax.soft_cut` and `ad.grad` on random events,
                thresholds and steepnesses, far-away events included.
                """,
            ),
            answer(
                "soft_cut_with_grad",
                '''
                def soft_cut_with_grad(x, t, s):
                    """sigmoid(s (x - t)) and its derivative with respect to t, elementwise."""
                    ### BEGIN SOLUTION
                    value = 0.5 * (1.0 + np.tanh(0.5 * s * (np.asarray(x, dtype=float) - t)))
                    return value, -s * value * (1.0 - value)
                    ### END SOLUTION
                ''',
            ),
            code(
                "selfcheck_soft_cut_with_grad",
                "self_check.soft_cut_with_grad(soft_cut_with_grad)",
            ),
            tests(
                "test_soft_cut_with_grad",
                2,
                """
                # Visible tests: at the cut the value is 1/2 and the slope -s/4.
                value, d_dt = soft_cut_with_grad(np.array([0.5, 1000.0]), 0.5, 4.0)
                assert np.allclose(value, [0.5, 1.0]) and np.allclose(d_dt, [-1.0, 0.0])
                ### BEGIN HIDDEN TESTS
                """
                + """
                rng_hidden = np.random.default_rng()
                for _ in range(10):
                    n = int(rng_hidden.integers(1, 30))
                    x = rng_hidden.normal(size=n) * float(rng_hidden.uniform(0.5, 3.0))
                    x[0] = 1e4 * rng_hidden.choice([-1.0, 1.0])  # far from the cut
                    t, s = float(rng_hidden.normal()), float(rng_hidden.uniform(0.2, 30.0))
                    value, d_dt = soft_cut_with_grad(x, t, s)
                    expected = np.asarray(ad.relax.soft_cut(x, t, s))
                    assert np.shape(value) == (n,) and np.shape(d_dt) == (n,), "return two arrays of the shape of x"
                    assert np.all(np.isfinite(value)) and np.all(np.isfinite(d_dt)), "inf or nan: overflow"
                    assert np.allclose(value, expected, rtol=1e-10, atol=1e-14), f"values differ (t={t:.3g}, s={s:.3g})"
                    for i in range(min(n, 4)):
                        g = ad.grad(lambda t_: ad.relax.soft_cut(x[i], t_, s))(t)
                        assert np.isclose(d_dt[i], g, rtol=1e-9, atol=1e-14), f"d/dt differs at x={x[i]:.3g}, t={t:.3g}, s={s:.3g}"
                ### END HIDDEN TESTS
                """,
            ),
            # ------------------------------------------------------------------ exercise 2
            md(
                "ex2",
                r"""
                ## Exercise 2: a soft significance, and a cut optimised with it (2 points)

                Events of a signal and a background sample, with weights, pass a cut
                $x > t$. The approximate significance of the selection is $Z = s / \sqrt b$,
                with $s$ and $b$ the weighted numbers of signal and background events that
                pass. Write `soft_significance(cut, sig, bkg, w_sig, w_bkg, steepness)`, the
                same with each indicator replaced by $\sigma(\text{steepness}\,(x - t))$:

                $$ Z_{\text{soft}} = \frac{\sum_i w^{\text{sig}}_i \sigma(k (x^{\text{sig}}_i - t))}
                {\sqrt{\sum_j w^{\text{bkg}}_j \sigma(k (x^{\text{bkg}}_j - t))}} . $$

                It must be differentiable by `ad.grad` with respect to `cut` (use
                `ad.relax.soft_cut` or your own sigmoid written with `anp`). The cell below then
                maximises it by gradient ascent and compares with a brute-force scan of hard
                cuts.

                **Checked** on random samples and weights: the value and `ad.grad` in the cut
                against a reference, and the optimised cut against the scan.
                """,
            ),
            answer(
                "soft_significance",
                '''
                def soft_significance(cut, sig, bkg, w_sig, w_bkg, steepness):
                    """The soft s / sqrt(b) of the selection x > cut."""
                    ### BEGIN SOLUTION
                    s = anp.sum(w_sig * ad.relax.soft_cut(sig, cut, steepness))
                    b = anp.sum(w_bkg * ad.relax.soft_cut(bkg, cut, steepness))
                    return s / anp.sqrt(b)
                    ### END SOLUTION
                ''',
            ),
            code(
                "selfcheck_soft_significance",
                "self_check.soft_significance(soft_significance)",
            ),
            code(
                "cut_demo",
                """
                # Signal around 2, background falling from 0: where should the cut go?
                try:
                    rng = np.random.default_rng(0)
                    sig, bkg = rng.normal(2.0, 0.7, 1000), rng.exponential(1.0, 5000)
                    w_sig, w_bkg = np.full(1000, 0.02), np.full(5000, 0.2)  # 20 and 1000 expected events

                    cut = 0.5
                    for step in range(150):  # gradient ascent on the soft significance
                        cut = cut + 0.1 * ad.grad(soft_significance)(cut, sig, bkg, w_sig, w_bkg, 4.0)

                    grid = np.linspace(0.0, 4.0, 401)  # brute force: every hard cut on a grid
                    Z_hard = [w_sig[sig > t].sum() / np.sqrt(w_bkg[bkg > t].sum()) for t in grid]
                    best_scan = grid[int(np.argmax(Z_hard))]
                    print(f"gradient ascent: cut {cut:.2f}; brute-force scan: cut {best_scan:.2f}")
                    plt.plot(grid, Z_hard, label="hard cuts")
                    plt.plot(grid, [soft_significance(t, sig, bkg, w_sig, w_bkg, 4.0) for t in grid], label="soft, steepness 4")
                    plt.axvline(cut, ls="--", color="k")
                    plt.xlabel("cut")
                    plt.ylabel("s / sqrt(b)")
                    plt.legend()
                    plt.show()
                except NotImplementedError:
                    print("Finish Exercise 2 first: this cell uses your functions.")
                """,
            ),
            tests(
                "test_soft_significance",
                2,
                """
                # Visible tests: a very steep soft significance is the hard one; the optimised
                # cut agrees with the scan.
                a, b_ = np.array([1.0, 2.0, 3.0]), np.array([0.0, 2.5])
                Z = soft_significance(1.5, a, b_, np.ones(3), np.full(2, 4.0), 1e4)
                assert np.isclose(Z, 2.0 / np.sqrt(4.0))
                assert abs(cut - best_scan) < 0.15, (cut, best_scan)
                ### BEGIN HIDDEN TESTS
                """
                + """
                def _reference_significance(cut, sig, bkg, w_sig, w_bkg, steepness):
                    s = anp.sum(w_sig * ad.relax.soft_cut(sig, cut, steepness))
                    b = anp.sum(w_bkg * ad.relax.soft_cut(bkg, cut, steepness))
                    return s / anp.sqrt(b)


                rng_hidden = np.random.default_rng()
                for _ in range(8):
                    ns, nb = int(rng_hidden.integers(1, 40)), int(rng_hidden.integers(1, 60))
                    sig_h, bkg_h = rng_hidden.normal(1.5, 1.0, ns), rng_hidden.normal(0.0, 1.0, nb)
                    ws, wb = rng_hidden.uniform(0.1, 2.0, ns), rng_hidden.uniform(0.1, 2.0, nb)
                    t, k = float(rng_hidden.normal(0.5, 0.5)), float(rng_hidden.uniform(0.5, 10.0))
                    args = (sig_h, bkg_h, ws, wb, k)
                    got = soft_significance(t, *args)
                    assert np.isclose(got, _reference_significance(t, *args), rtol=1e-10), "value differs"
                    g = student.ad.grad(soft_significance)(t, *args)  # autodiff_lite where your function runs
                    g_ref = ad.grad(_reference_significance)(t, *args)
                    assert np.isclose(g, g_ref, rtol=1e-8, atol=1e-12), f"gradient in the cut: {g}, expected {g_ref}"
                ### END HIDDEN TESTS
                """,
            ),
            # ------------------------------------------------------------------ exercise 3
            md(
                "ex3",
                r"""
                ## Exercise 3: a soft histogram (3 points)

                Smear each event $x_i$ with a logistic kernel of scale $h$ (the bandwidth),
                whose cumulative distribution is $\sigma((y - x_i)/h)$. The event's mass inside
                bin $j$, between the edges $e_j < e_{j+1}$, is
                $\sigma((e_{j+1} - x_i)/h) - \sigma((e_j - x_i)/h)$, and the soft count of the
                bin is the sum of these masses over the events.

                Write `soft_histogram(x, edges, bandwidth)` for a 1-D array of events `x` and a
                1-D array of increasing `edges`, returning the array of the `len(edges) - 1`
                soft counts. It must be differentiable by `ad.grad` with respect to `x`: use
                `anp` (`anp.tanh`, `anp.sum`, `anp.reshape` or broadcasting with `[:, None]`),
                no loop over events needed. As $h \to 0$ it tends to
                `np.histogram(x, edges)[0]`.

                **Checked** (values 2 points, gradient 1 point) against
                `ad.relax.soft_histogram` on random events, edges and bandwidths (calling
                `ad.relax.soft_histogram` in your answer scores no points).
                """,
            ),
            answer(
                "soft_histogram",
                '''
                def soft_histogram(x, edges, bandwidth):
                    """Soft counts of the events x in the bins between consecutive edges."""
                    ### BEGIN SOLUTION
                    u = (anp.reshape(edges, (1, -1)) - anp.reshape(x, (-1, 1))) / bandwidth
                    cdf = 0.5 * (1.0 + anp.tanh(0.5 * u))
                    return anp.sum(cdf[:, 1:] - cdf[:, :-1], axis=0)
                    ### END SOLUTION
                ''',
            ),
            code("selfcheck_soft_histogram", "self_check.soft_histogram(soft_histogram)"),
            tests(
                "test_soft_histogram_values",
                2,
                """
                # Visible tests: a narrow kernel gives np.histogram.
                x = np.array([0.2, 0.5, 1.4, 2.9, 2.1])
                edges = np.array([0.0, 1.0, 2.0, 3.0])
                assert np.allclose(soft_histogram(x, edges, 1e-4), [2.0, 1.0, 2.0])
                ### BEGIN HIDDEN TESTS
                """
                + """
                rng_hidden = np.random.default_rng()
                for _ in range(10):
                    n, n_bins = int(rng_hidden.integers(1, 50)), int(rng_hidden.integers(1, 12))
                    x_h = rng_hidden.normal(size=n) * 2
                    edges_h = np.sort(rng_hidden.uniform(-4, 4, size=n_bins + 1))
                    edges_h[1:] = np.maximum(edges_h[1:], edges_h[:-1] + 1e-3)
                    h = float(10.0 ** rng_hidden.uniform(-3, 0.5))
                    got = np.asarray(soft_histogram(x_h, edges_h, h), dtype=float)
                    expected = np.asarray(ad.relax.soft_histogram(x_h, edges_h, h))
                    assert got.shape == (n_bins,), f"expected {n_bins} counts, got shape {got.shape}"
                    assert np.allclose(got, expected, rtol=1e-9, atol=1e-10), f"counts differ (bandwidth {h:.3g})"
                ### END HIDDEN TESTS
                """,
            ),
            tests(
                "test_soft_histogram_gradient",
                1,
                """
                # Visible tests: the gradient with respect to the events is not zero. The grader runs
                # this cell outside your notebook, so it asks your notebook's autodiff_lite
                # (`student.ad`) to differentiate your function; in your notebook that is `ad`.
                ad_yours = student.ad if "student" in globals() else ad
                g = ad_yours.jacrev(soft_histogram)(x, edges, 0.3)[0]  # d(count in bin 0) / dx
                assert np.shape(g) == x.shape and np.linalg.norm(g) > 0.1
                ### BEGIN HIDDEN TESTS
                """
                + """
                rng_hidden = np.random.default_rng()
                for _ in range(6):
                    n, n_bins = int(rng_hidden.integers(1, 30)), int(rng_hidden.integers(1, 8))
                    x_h = rng_hidden.normal(size=n)
                    edges_h = np.linspace(-2, 2, n_bins + 1)
                    h = float(rng_hidden.uniform(0.05, 1.0))
                    w = rng_hidden.normal(size=n_bins)
                    got = w @ student.ad.jacrev(soft_histogram)(x_h, edges_h, h)  # d(w . counts) / dx
                    expected = ad.grad(lambda z: anp.sum(w * ad.relax.soft_histogram(z, edges_h, h)))(x_h)
                    assert np.allclose(got, expected, rtol=1e-8, atol=1e-10), "gradient in x differs"
                ### END HIDDEN TESTS
                """,
            ),
            # ------------------------------------------------------------------ exercise 4
            md(
                "ex4",
                r"""
                ## Exercise 4: the score-function estimator (3 points)

                A coin shows $b = 1$ with probability $p = \sigma(\theta)$. To estimate
                $\frac{d}{d\theta} \mathbb E[f(b)]$ from samples $b_1, \dots, b_K$ and their
                rewards $f(b_k)$, REINFORCE averages $(f(b_k) - c)\, \frac{d}{d\theta} \log
                p_\theta(b_k)$, with a baseline $c$ that does not depend on the samples
                ($c = 0$ when `baseline` is `None`). Derive the score
                $\frac{d}{d\theta} \log p_\theta(b)$ for $\log p_\theta(b) = b \log \sigma(\theta)
                + (1 - b) \log(1 - \sigma(\theta))$ (it simplifies a lot), and write
                `reinforce_gradient(theta, b, f_values, baseline=None)` returning the estimate,
                a float. Use numpy only.

                **Checked** (2 points) against the gradient of `ad.relax.reinforce_surrogate`
                on random samples and baselines (using autodiff in your answer scores no points);
                and (1 point) statistically: with many samples it must be unbiased, and a
                baseline near $\mathbb E[f]$ must reduce its variance.
                """,
            ),
            answer(
                "reinforce_gradient",
                '''
                def reinforce_gradient(theta, b, f_values, baseline=None):
                    """The score-function estimate of d/dtheta E[f(b)], b ~ Bernoulli(sigmoid(theta))."""
                    ### BEGIN SOLUTION
                    p = 0.5 * (1.0 + np.tanh(0.5 * theta))
                    c = 0.0 if baseline is None else baseline
                    return float(np.mean((np.asarray(f_values) - c) * (np.asarray(b) - p)))
                    ### END SOLUTION
                ''',
            ),
            code(
                "selfcheck_reinforce_gradient",
                "self_check.reinforce_gradient(reinforce_gradient)",
            ),
            tests(
                "test_reinforce_formula",
                2,
                """
                # Visible tests: at theta = 0 the score is b - 1/2.
                b = np.array([1.0, 0.0])
                assert np.isclose(reinforce_gradient(0.0, b, np.array([2.0, 1.0])), (2.0 * 0.5 - 1.0 * 0.5) / 2)
                assert np.isclose(reinforce_gradient(0.0, b, np.array([2.0, 1.0]), baseline=1.0), 0.25)
                ### BEGIN HIDDEN TESTS
                """
                + """
                def _reference_reinforce(theta, b, f_values, baseline):
                    def surrogate(th):
                        p = ad.relax.sigmoid(th)
                        logp = b * anp.log(p) + (1 - b) * anp.log(1 - p)
                        return ad.relax.reinforce_surrogate(logp, f_values, baseline)

                    return float(ad.grad(surrogate)(theta))


                rng_hidden = np.random.default_rng()
                for trial in range(10):
                    K = int(rng_hidden.integers(1, 50))
                    theta = float(rng_hidden.normal(0.0, 2.0))
                    b = (rng_hidden.uniform(size=K) < 0.5).astype(float)
                    f_values = rng_hidden.normal(size=K)
                    baseline = None if trial % 2 else float(rng_hidden.normal())
                    got = reinforce_gradient(theta, b, f_values, baseline)
                    expected = _reference_reinforce(theta, b, f_values, baseline)
                    assert np.isclose(got, expected, rtol=1e-9, atol=1e-12), (
                        f"theta={theta:.3g}, baseline={baseline}: got {got}, expected {expected}"
                    )
                ### END HIDDEN TESTS
                """,
            ),
            tests(
                "test_reinforce_statistics",
                1,
                """
                # Visible tests: unbiased for f(b) = (b - 0.45)^2 at theta = 1 (20000 samples).
                rng = np.random.default_rng(1)
                p1 = 1 / (1 + np.exp(-1.0))
                exact = p1 * (1 - p1) * ((1 - 0.45) ** 2 - 0.45**2)
                draws = (rng.uniform(size=(200, 100)) < p1).astype(float)
                estimates = [reinforce_gradient(1.0, d, (d - 0.45) ** 2) for d in draws]
                assert abs(np.mean(estimates) - exact) < 4 * np.std(estimates) / np.sqrt(200)
                ### BEGIN HIDDEN TESTS
                """
                + """
                rng_hidden = np.random.default_rng()
                theta = float(rng_hidden.uniform(-1.5, 1.5))
                shift = float(rng_hidden.uniform(1.0, 3.0))
                p = 1 / (1 + np.exp(-theta))
                f = lambda d: (d - 0.3) ** 2 + shift  # a large offset: the baseline matters
                exact = p * (1 - p) * (f(1.0) - f(0.0))
                draws = (rng_hidden.uniform(size=(400, 50)) < p).astype(float)
                plain = np.array([reinforce_gradient(theta, d, f(d)) for d in draws])
                with_baseline = np.array([reinforce_gradient(theta, d, f(d), baseline=p * f(1.0) + (1 - p) * f(0.0)) for d in draws])
                for est in (plain, with_baseline):
                    assert abs(est.mean() - exact) < 5 * est.std() / np.sqrt(len(est)) + 1e-12, "biased"
                assert with_baseline.var() < 0.5 * plain.var(), "the baseline should reduce the variance"
                ### END HIDDEN TESTS
                """,
            ),
        ]
    )


if __name__ == "__main__":
    main(LAB, build)
