"""Lab 15, design optimisation: the generator of its nbgrader source notebook.

Run ``python notebooks/tools/lab15_design.py`` to rewrite
``notebooks/source/lab15-design/lab15-design.ipynb``. The visible checks of the
self-check live in ``notebooks/source/lab15-design/lab15_checks.py``.
"""

# The cells' code is indented by 16 spaces here; in the notebooks it fits in 100 columns.
# ruff: noqa: E501

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from nbbuild import answer, code, main, md, notebook, tests  # noqa: E402

LAB = "lab15-design"

# References, repeated in each hidden-tests cell so that each is self-contained.
REFERENCE = r"""
def _ref_intercepts(z, hits):
    z_bar = anp.mean(z)
    dz = z - z_bar
    return anp.mean(hits, axis=1) - (hits @ dz) / anp.sum(dz * dz) * z_bar


def _ref_resolution(z, sigma):
    A = np.stack([np.ones(len(z)), np.asarray(z, dtype=float)], axis=1)
    return float(sigma * np.sqrt(np.linalg.inv(A.T @ A)[0, 0]))


def _ref_significance(ip, n_sig, cut, width, n_s, n_b):
    passed = ad.relax.soft_cut(anp.abs(ip), cut, 1.0 / width)
    s = n_s * anp.mean(passed[:n_sig])
    b = n_b * anp.mean(passed[n_sig:])
    return s / anp.sqrt(s + b)

"""


def hidden(body: str) -> str:
    """A hidden-tests block: the references, then ``body`` (both at 16 spaces)."""
    return REFERENCE.replace("\n", "\n                ") + body


def build():
    return notebook(
        [
            md(
                "intro",
                r"""
                # Lab 15: Design optimisation

                This lab goes with the case study **Designing a detector by gradient descent**
                (17). A tracker of $n$ flat layers at distances $z_1, \dots, z_n$ from the beam
                measures each track's transverse position $y_i$ with resolution $\sigma$; a
                straight-line fit extrapolated to $z = 0$ gives the track's **impact parameter**
                (IP). Displaced tracks (large IP) are selected with $|\mathrm{IP}| > c$. You
                will write the pieces of the differentiable chain *layer positions → hits →
                fit → selection → significance* and optimise a layout and a cut together.

                | | you write | points |
                |---|---|---|
                | Exercise 1 | `fit_intercepts(z, hits)`, the least-squares line fit at $z = 0$, differentiable | 2 |
                | Exercise 2 | `ip_resolution(z, sigma)`, the fit's IP resolution from the formula | 2 |
                | Exercise 3 | `soft_significance(ip, n_sig, cut, width, n_s, n_b)`, $S/\sqrt{S+B}$ with a soft cut | 2 |
                | Exercise 4 | `optimise_design(objective, params, steps, lr)`, gradient ascent with Adam | 2 |
                | | **total** | **8** |

                **How it is graded.** Write your code in the answer cells, in place of
                `raise NotImplementedError(...)`; keep the names and arguments, and don't change
                the other cells. Write with `anp` (`autodiff_lite.numpy`) wherever a value may
                be differentiated: the tests take gradients through your functions. Each
                exercise ends with a grading cell: visible asserts show the shape of the check,
                and hidden tests compare your functions with a reference on fresh random
                inputs. Before you submit, restart the kernel and run all cells.

                **Self-check.** After each answer cell, a one-line self-check runs that
                exercise's visible checks and explains a failure in plain words. It never runs
                the hidden tests.
                """,
            ),
            code(
                "setup",
                """
                import lab15_checks as self_check  # the self-checks (visible checks only)
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
                ## Exercise 1: the track fit (2 points)

                Each row of `hits` (shape `(tracks, n)`) holds one track's measured positions at
                the layers `z` (shape `(n,)`). Fit the straight line $y = a + s z$ to each row by
                least squares and return the intercepts $a$ (shape `(tracks,)`), the measured
                IPs. With $\bar z$ the mean of `z` and $S_{zz} = \sum_i (z_i - \bar z)^2$:

                $$
                \hat s = \frac{\sum_i (z_i - \bar z)\, y_i}{S_{zz}}, \qquad
                \hat a = \bar y - \hat s\, \bar z .
                $$

                Use `anp` and array operations (no loop over tracks): the tests differentiate
                your fit with respect to `z`.

                **Checked** against `np.polyfit` on random tracks, and its gradient with respect
                to the layer positions against the reference fit's.
                """,
            ),
            answer(
                "fit_intercepts",
                '''
                def fit_intercepts(z, hits):
                    """Least-squares lines through the rows of hits, evaluated at z = 0."""
                    ### BEGIN SOLUTION
                    z_bar = anp.mean(z)
                    dz = z - z_bar
                    slopes = (hits @ dz) / anp.sum(dz * dz)
                    return anp.mean(hits, axis=1) - slopes * z_bar
                    ### END SOLUTION
                ''',
            ),
            code("selfcheck_fit_intercepts", "self_check.fit_intercepts(fit_intercepts)"),
            tests(
                "test_fit_intercepts",
                2,
                """
                # Visible tests: a line through exact points, and a noisy track against polyfit.
                from types import SimpleNamespace

                # Graded, this cell runs in the grader and your code in your notebook's own process,
                # `student`: what your code differentiates must be built there, with its `ad` and `anp`.
                # In your kernel, `notebook` is simply this notebook.
                notebook = student if "student" in globals() else SimpleNamespace(**globals())
                z = np.array([20.0, 40.0, 60.0, 80.0])
                hits = np.stack([5.0 + 0.5 * z, -3.0 + 0.0 * z])
                assert np.allclose(fit_intercepts(z, hits), [5.0, -3.0])
                noisy = hits + np.array([[0.1, -0.2, 0.3, 0.0], [0.0, 0.1, 0.0, -0.1]])
                expected = [np.polyfit(z, row, 1)[1] for row in noisy]
                assert np.allclose(fit_intercepts(z, noisy), expected)
                # Differentiable in z: d/dz of the sum of squared intercepts.
                grad_z = notebook.ad.grad(lambda z: notebook.anp.sum(fit_intercepts(z, noisy) ** 2))(z)
                assert np.shape(grad_z) == (4,) and np.all(np.isfinite(grad_z))
                ### BEGIN HIDDEN TESTS
                """
                + hidden(
                    """
                rng_hidden = np.random.default_rng()
                for _ in range(10):
                    n, tracks = int(rng_hidden.integers(2, 8)), int(rng_hidden.integers(1, 30))
                    z = np.sort(rng_hidden.uniform(5.0, 120.0, n))
                    hits = rng_hidden.normal(0.0, 50.0, (tracks, n))
                    got = fit_intercepts(z, hits)
                    expected = [np.polyfit(z, row, 1)[1] for row in hits]
                    assert np.shape(got) == (tracks,), f"shape {np.shape(got)}, expected ({tracks},)"
                    assert np.allclose(got, expected, rtol=1e-8, atol=1e-8), "wrong intercepts"
                    w = rng_hidden.normal(size=tracks)
                    mine = student.ad.grad(lambda z: student.anp.sum(w * fit_intercepts(z, hits)))(z)
                    ref = ad.grad(lambda z: anp.sum(w * _ref_intercepts(z, hits)))(z)
                    assert np.allclose(mine, ref, rtol=1e-7, atol=1e-9), "wrong gradient in z"
                ### END HIDDEN TESTS
                """
                ),
            ),
            # ------------------------------------------------------------------ exercise 2
            md(
                "ex2",
                r"""
                ## Exercise 2: the IP resolution (2 points)

                The fit is linear in the hits, so with independent hit errors of standard
                deviation $\sigma$ the measured IP has the standard deviation

                $$
                \sigma_{\mathrm{IP}} = \sigma \sqrt{\frac{1}{n} + \frac{\bar z^{\,2}}{S_{zz}}} .
                $$

                Write `ip_resolution(z, sigma)` returning it (a float). Derive it if you like:
                $\hat a = \sum_i w_i y_i$ with weights $w_i = 1/n - \bar z (z_i - \bar z)/S_{zz}$,
                and $\operatorname{Var} \hat a = \sigma^2 \sum_i w_i^2$.

                **Checked** against the $(0, 0)$ entry of $\sigma^2 (A^\top A)^{-1}$, the
                covariance of the least-squares fit with design matrix $A = [1, z_i]$, on random
                layouts.
                """,
            ),
            answer(
                "ip_resolution",
                '''
                def ip_resolution(z, sigma):
                    """The standard deviation of the fitted intercept at z = 0."""
                    ### BEGIN SOLUTION
                    z = np.asarray(z, dtype=float)
                    dz = z - z.mean()
                    return float(sigma * np.sqrt(1 / len(z) + z.mean() ** 2 / np.sum(dz**2)))
                    ### END SOLUTION
                ''',
            ),
            code("selfcheck_ip_resolution", "self_check.ip_resolution(ip_resolution)"),
            tests(
                "test_ip_resolution",
                2,
                """
                # Visible tests: the lesson's two layouts.
                assert np.isclose(ip_resolution(np.linspace(20.0, 100.0, 6), 10.0), 9.850066473065525)
                five_in_one_out = np.array([20.0] * 5 + [100.0])
                assert np.isclose(ip_resolution(five_in_one_out, 10.0), 10.0 * np.sqrt(0.375))
                ### BEGIN HIDDEN TESTS
                """
                + hidden(
                    """
                rng_hidden = np.random.default_rng()
                for _ in range(20):
                    n = int(rng_hidden.integers(2, 10))
                    z = rng_hidden.uniform(1.0, 200.0, n)
                    sigma = float(rng_hidden.uniform(1.0, 50.0))
                    got = ip_resolution(z, sigma)
                    assert np.isclose(got, _ref_resolution(z, sigma), rtol=1e-8), (z, sigma, got)
                ### END HIDDEN TESTS
                """
                ),
            ),
            # ------------------------------------------------------------------ exercise 3
            md(
                "ex3",
                r"""
                ## Exercise 3: a soft selection and its significance (2 points)

                `ip` holds the measured IPs of simulated tracks, the first `n_sig` displaced
                (signal) and the rest prompt (background). A track passes the cut
                $|\mathrm{IP}| > c$ softly, with weight $\sigma_{\text{logistic}}\big((|\mathrm{IP}| -
                c)/w\big)$ (`ad.relax.soft_cut(anp.abs(ip), cut, 1 / width)`). The expected
                numbers of selected events are $S = N_S \times$ (mean weight of the signal
                tracks) and $B = N_B \times$ (mean weight of the background tracks), and the
                figure of merit is

                $$ Z = \frac{S}{\sqrt{S + B}} . $$

                Write `soft_significance(ip, n_sig, cut, width, n_s, n_b)` returning $Z$,
                differentiable in `ip` and in `cut`.

                **Checked** against a reference on random samples: the value, and the gradients
                with respect to the cut and to every IP.
                """,
            ),
            answer(
                "soft_significance",
                '''
                def soft_significance(ip, n_sig, cut, width, n_s, n_b):
                    """S / sqrt(S + B) for the soft selection |ip| > cut of width `width`."""
                    ### BEGIN SOLUTION
                    passed = ad.relax.soft_cut(anp.abs(ip), cut, 1.0 / width)
                    s = n_s * anp.mean(passed[:n_sig])
                    b = n_b * anp.mean(passed[n_sig:])
                    return s / anp.sqrt(s + b)
                    ### END SOLUTION
                ''',
            ),
            code("selfcheck_soft_significance", "self_check.soft_significance(soft_significance)"),
            tests(
                "test_soft_significance",
                2,
                """
                # Visible tests: a cut far below every |IP| keeps everything; a symmetric sample.
                from types import SimpleNamespace

                # Graded, this cell runs in the grader and your code in your notebook's own process,
                # `student`: what your code differentiates must be built there, with its `ad` and `anp`.
                # In your kernel, `notebook` is simply this notebook.
                notebook = student if "student" in globals() else SimpleNamespace(**globals())
                ip = np.array([50.0, -60.0, 1.0, -2.0, 0.5])
                assert np.isclose(soft_significance(ip, 2, -100.0, 1.0, 10.0, 100.0), 10 / np.sqrt(110))
                z_value = soft_significance(ip, 2, 20.0, 1.0, 10.0, 100.0)
                assert 3.0 < z_value < 10 / np.sqrt(10)
                d_cut = notebook.ad.grad(lambda c: soft_significance(ip, 2, c, 1.0, 10.0, 100.0))(20.0)
                assert np.isfinite(d_cut)
                ### BEGIN HIDDEN TESTS
                """
                + hidden(
                    """
                rng_hidden = np.random.default_rng()
                for _ in range(10):
                    n_sig, n_bkg = int(rng_hidden.integers(2, 40)), int(rng_hidden.integers(2, 40))
                    ip = np.concatenate(
                        [rng_hidden.laplace(0, 40, n_sig), rng_hidden.normal(0, 10, n_bkg)]
                    )
                    cut, width = float(rng_hidden.uniform(5, 40)), float(rng_hidden.uniform(0.5, 5))
                    n_s, n_b = float(rng_hidden.uniform(10, 200)), float(rng_hidden.uniform(100, 1e4))
                    args = (n_sig, cut, width, n_s, n_b)
                    assert np.isclose(soft_significance(ip, *args), _ref_significance(ip, *args), rtol=1e-9)
                    for argnum in (0, 2):
                        mine = student.ad.grad(soft_significance, argnums=argnum)(ip, *args)
                        ref = ad.grad(_ref_significance, argnums=argnum)(ip, *args)
                        assert np.allclose(mine, ref, rtol=1e-7, atol=1e-12), f"gradient {argnum}"
                ### END HIDDEN TESTS
                """
                ),
            ),
            # ------------------------------------------------------------------ exercise 4
            md(
                "ex4",
                r"""
                ## Exercise 4: optimising layout and cut together (2 points)

                Write `optimise_design(objective, params, steps, lr)` that **maximises**
                `objective(params)` (a scalar function of a pytree, e.g.
                `{"u": array, "cut": float}`) by `steps` steps of Adam,
                `ad.optim.Adam(lr=lr)` with its default betas. Adam *minimises*, so give it the
                gradient of `-objective`. Return the pair `(params, history)`: the final
                parameters and the list of objective values, one per step, each computed
                *before* that step's update (use `ad.value_and_grad`, one call per step).

                **Checked** against a reference loop on random concave objectives: the same
                history and final parameters, to rounding.
                """,
            ),
            answer(
                "optimise_design",
                '''
                def optimise_design(objective, params, steps, lr):
                    """Maximise objective(params) with `steps` Adam steps; returns (params, history)."""
                    ### BEGIN SOLUTION
                    opt = ad.optim.Adam(lr=lr)
                    state = opt.init(params)
                    loss_and_grad = ad.value_and_grad(lambda p: -objective(p))
                    history = []
                    for _ in range(steps):
                        loss, grads = loss_and_grad(params)
                        history.append(-float(loss))
                        params, state = opt.update(params, grads, state)
                    return params, history
                    ### END SOLUTION
                ''',
            ),
            code("selfcheck_optimise_design", "self_check.optimise_design(optimise_design)"),
            tests(
                "test_optimise_design",
                2,
                """
                # Visible tests: a concave bowl with its top at u = (1, 2), cut = 3.
                from types import SimpleNamespace

                # Graded, this cell runs in the grader and your code in your notebook's own process,
                # `student`: what your code differentiates must be built there, with its `ad` and `anp`.
                # In your kernel, `notebook` is simply this notebook.
                notebook = student if "student" in globals() else SimpleNamespace(**globals())


                def bowl(p):
                    return -notebook.anp.sum((p["u"] - np.array([1.0, 2.0])) ** 2) - (p["cut"] - 3.0) ** 2


                found, history = optimise_design(bowl, {"u": np.zeros(2), "cut": 0.0}, 300, 0.1)
                assert len(history) == 300 and np.isclose(history[0], -14.0)
                assert history[-1] > history[0]
                assert np.allclose(found["u"], [1.0, 2.0], atol=0.05) and abs(found["cut"] - 3.0) < 0.05
                ### BEGIN HIDDEN TESTS
                """
                + hidden(
                    """
                def _ref_optimise(objective, params, steps, lr):
                    opt = ad.optim.Adam(lr=lr)
                    state = opt.init(params)
                    history = []
                    for _ in range(steps):
                        value, grads = ad.value_and_grad(objective)(params)
                        history.append(float(value))
                        grads = ad.tree_map(lambda g: -g, grads)
                        params, state = opt.update(params, grads, state)
                    return params, history


                rng_hidden = np.random.default_rng()
                for _ in range(3):
                    top, scale = rng_hidden.normal(size=3), rng_hidden.uniform(0.5, 3.0, 3)

                    def objective(p, top=top, scale=scale, anp=anp):  # anp: the student's for their optimiser
                        return -anp.sum(scale[:2] * (p["u"] - top[:2]) ** 2) - scale[2] * (p["cut"] - top[2]) ** 4

                    start = {"u": rng_hidden.normal(size=2), "cut": float(rng_hidden.normal())}
                    steps, lr = int(rng_hidden.integers(5, 40)), float(rng_hidden.uniform(0.01, 0.2))
                    mine, h_mine = optimise_design(lambda p: objective(p, anp=student.anp), dict(start), steps, lr)
                    ref, h_ref = _ref_optimise(objective, dict(start), steps, lr)
                    assert len(h_mine) == steps, f"{len(h_mine)} history values for {steps} steps"
                    assert np.allclose(h_mine, h_ref, rtol=1e-9, atol=1e-12), "wrong history"
                    assert np.allclose(mine["u"], ref["u"], rtol=1e-9, atol=1e-12)
                    assert np.isclose(mine["cut"], ref["cut"], rtol=1e-9, atol=1e-12)
                ### END HIDDEN TESTS
                """
                ),
            ),
            md(
                "further",
                """
                ## Putting it together (not graded)

                The lesson's detector, with your pieces: six layers kept inside 20 to 100 mm by
                a sigmoid, 10 µm hits, displaced and prompt tracks, and the layout and cut
                optimised together. Compare the final resolution with Elfving's optimum, five
                layers at 20 mm and one at 100 mm, $\\sigma_{\\mathrm{IP}} = 6.12$ µm.
                """,
            ),
            code(
                "together",
                """
                n_sig, n_bkg = 500, 1500
                ip_true = np.concatenate([rng.laplace(0, 50.0, n_sig), np.zeros(n_bkg)])
                eps = rng.standard_normal((n_sig + n_bkg, 6))


                def layers(u):
                    return 20.0 + 80.0 * ad.relax.sigmoid(u)


                def detector_significance(p):
                    ip = fit_intercepts(layers(p["u"]), ip_true[:, None] + 10.0 * eps)
                    return soft_significance(ip, n_sig, p["cut"], 0.5, 100.0, 10_000.0)


                try:
                    start = {"u": np.linspace(-2.0, 2.0, 6), "cut": 30.0}
                    best, history = optimise_design(detector_significance, start, 200, 0.1)
                    z = layers(best["u"])
                    print(f"Z: {history[0]:.2f} -> {history[-1]:.2f}; layers {np.round(np.sort(z), 1)} mm")
                    print(f"cut {best['cut']:.1f} µm, sigma_IP {ip_resolution(z, 10.0):.2f} µm")
                except NotImplementedError:
                    print("Finish the exercises first.")
                """,
            ),
        ]
    )


if __name__ == "__main__":
    main(LAB, build)
