"""Lab 12, systematics-aware optimisation: the generator of its nbgrader source notebook.

Run ``python notebooks/tools/lab12_systematics.py`` to rewrite
``notebooks/source/lab12-systematics/lab12-systematics.ipynb``. The visible checks of the
self-check live in ``notebooks/source/lab12-systematics/lab12_checks.py``.
"""

# The cells' code is indented by 16 spaces here; in the notebooks it fits in 100 columns.
# ruff: noqa: E501

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from nbbuild import answer, code, main, md, notebook, tests  # noqa: E402

LAB = "lab12-systematics"

# The reference model, repeated in each hidden-tests cell so that each is self-contained.
REFERENCE = r"""
def _ref_nll(mu, theta, s, b, b_up, n):
    lam = mu * s + b * np.exp(theta * np.log(b_up / b))
    return float(np.sum(lam - n * np.log(lam)) + 0.5 * theta**2)


def _ref_profile(s, b, b_up, n, mu=0.0):
    r, theta = np.log(b_up / b), 0.0
    for _ in range(200):
        b_t = b * np.exp(theta * r)
        lam = mu * s + b_t
        d1 = np.sum((1 - n / lam) * b_t * r) + theta
        d2 = np.sum(n / lam**2 * (b_t * r) ** 2 + (1 - n / lam) * b_t * r**2) + 1.0
        theta -= d1 / d2
        if abs(d1 / d2) < 1e-14:
            break
    return float(theta)


def _ref_z(s, b, b_up):
    n = s + b
    theta = _ref_profile(s, b, b_up, n)
    return float(np.sqrt(2 * (_ref_nll(0.0, theta, s, b, b_up, n) - _ref_nll(1.0, 0.0, s, b, b_up, n))))


def _random_yields(rng, bins=None):
    bins = bins or int(rng.integers(1, 6))
    s = rng.uniform(1.0, 30.0, bins)
    b = rng.uniform(5.0, 500.0, bins)
    b_up = b * rng.uniform(0.7, 1.4, bins)
    return s, b, b_up

"""


def hidden(body: str) -> str:
    """A hidden-tests block: the reference model, then ``body`` (both at 16 spaces)."""
    return REFERENCE.replace("\n", "\n                ") + body


def build():
    return notebook(
        [
            md(
                "intro",
                r"""
                # Lab 12: Systematics-aware optimisation

                This lab goes with the case study **Optimising a selection for the final
                analysis (neos)** (14). You will write the statistical model of a binned
                counting experiment with a background uncertainty, profile its nuisance
                parameter, compute the expected discovery significance and its gradient, and use
                that gradient to place a cut that knows about the uncertainty.

                | | you write | points |
                |---|---|---|
                | Exercise 1 | `nll(mu, theta, s, b, b_up, n)`, the binned negative log-likelihood | 2 |
                | Exercise 2 | `profile_theta(s, b, b_up, n, mu)`, the best-fit nuisance parameter | 2 |
                | Exercise 3 | `asimov_z(s, b, b_up)`, the profiled Asimov significance, differentiable | 4 |
                | Exercise 4 | `optimise_cut(yields_fn, t0, steps, lr)`, a cut placed by gradient ascent | 2 |
                | | **total** | **10** |

                **The model** (as in the lesson). In bin $i$ the analysis expects $s_i$ signal
                and $b_i$ background events; a systematic variation predicts $b_i^{\uparrow}$
                instead. With the signal strength $\mu$ and the nuisance parameter $\theta$
                (constrained to $0 \pm 1$),

                $$
                \lambda_i = \mu s_i + b_i e^{\theta r_i},\quad r_i = \ln\frac{b_i^\uparrow}{b_i},
                \qquad
                \mathrm{NLL}(\mu, \theta) = \sum_i \big[\lambda_i - n_i \ln\lambda_i\big] + \frac{\theta^2}{2} .
                $$

                **How it is graded.** Write your code in the answer cells, in place of
                `raise NotImplementedError(...)`; keep the names and arguments, and don't change
                the other cells. Each exercise ends with grading cells: visible asserts show the
                shape of the check, and hidden tests compare your functions with a reference on
                fresh random yields. Before you submit, restart the kernel and run all cells.

                **Self-check.** After each answer cell, a one-line self-check runs that
                exercise's visible checks and explains a failure in plain words. It never runs
                the hidden tests.
                """,
            ),
            code(
                "setup",
                """
                import lab12_checks as self_check  # the self-checks (visible checks only)
                import numpy as np

                import autodiff_lite as ad
                import autodiff_lite.numpy as anp
                """,
            ),
            # ------------------------------------------------------------------ exercise 1
            md(
                "ex1",
                r"""
                ## Exercise 1: the binned likelihood (2 points)

                Write `nll(mu, theta, s, b, b_up, n)`: the negative log-likelihood above, with
                the constants $\ln n_i!$ dropped, for arrays `s`, `b`, `b_up`, `n` of the same
                shape (one entry per bin) and numbers `mu`, `theta`. Use `anp` (not `np`) so
                that `ad.grad` can differentiate it in every argument.

                **Checked** against a reference on random yields, in value and in its
                derivative with respect to `theta`. The classic slips: forgetting the
                constraint term $\theta^2/2$, and interpolating linearly
                ($b_i + \theta(b_i^\uparrow - b_i)$) instead of exponentially.
                """,
            ),
            answer(
                "nll",
                '''
                def nll(mu, theta, s, b, b_up, n):
                    """The binned Poisson negative log-likelihood with one constrained nuisance parameter."""
                    ### BEGIN SOLUTION
                    lam = mu * s + b * anp.exp(theta * anp.log(b_up / b))
                    return anp.sum(lam - n * anp.log(lam)) + 0.5 * theta**2
                    ### END SOLUTION
                ''',
            ),
            code("selfcheck_nll", "self_check.nll(nll)"),
            tests(
                "test_nll",
                2,
                """
                # Visible tests: the same inputs as the self-check.
                s, b, b_up = np.array([1.0, 2.0]), np.array([10.0, 20.0]), np.array([11.0, 18.0])
                n = s + b
                assert np.isclose(nll(0.0, 0.0, s, b, b_up, n), 30.0 - 11.0 * np.log(10.0) - 22.0 * np.log(20.0), rtol=1e-10)
                expected = 3.0 + 10.0 * 1.1**0.5 + 20.0 * 0.9**0.5 - 11.0 * np.log(1.0 + 10.0 * 1.1**0.5)
                expected += -22.0 * np.log(2.0 + 20.0 * 0.9**0.5) + 0.125
                assert np.isclose(nll(1.0, 0.5, s, b, b_up, n), expected, rtol=1e-10)
                ### BEGIN HIDDEN TESTS
                """
                + hidden(
                    """
                rng_hidden = np.random.default_rng()
                for _ in range(20):
                    s, b, b_up = _random_yields(rng_hidden)
                    n = s + b * rng_hidden.uniform(0.8, 1.2, s.shape)
                    mu, theta = float(rng_hidden.uniform(0, 2)), float(rng_hidden.normal())
                    got = float(nll(mu, theta, s, b, b_up, n))
                    assert np.isclose(got, _ref_nll(mu, theta, s, b, b_up, n), rtol=1e-10), (got, mu, theta)
                    # ad.grad of your nll runs in your notebook's process, where nll lives
                    d_theta = float(student.ad.grad(nll, argnums=1)(mu, theta, s, b, b_up, n))
                    h = 1e-5
                    fd = (_ref_nll(mu, theta + h, s, b, b_up, n) - _ref_nll(mu, theta - h, s, b, b_up, n)) / (2 * h)
                    assert np.isclose(d_theta, fd, rtol=1e-5, atol=1e-6), (d_theta, fd)
                ### END HIDDEN TESTS
                """
                ),
            ),
            # ------------------------------------------------------------------ exercise 2
            md(
                "ex2",
                r"""
                ## Exercise 2: profiling the nuisance parameter (2 points)

                Write `profile_theta(s, b, b_up, n, mu=0.0)`: the $\hat{\hat\theta}$ that
                minimises $\theta \mapsto \mathrm{NLL}(\mu, \theta)$ at fixed `mu`, as a Python
                float, to about $10^{-8}$. The function is convex in $\theta$, so Newton's method
                from $\theta = 0$ converges in a few steps:
                $\theta \leftarrow \theta - \mathrm{NLL}'(\theta) / \mathrm{NLL}''(\theta)$. Get
                the two derivatives with `ad.grad` (of your `nll`, `argnums=1`, twice) or by
                hand, and iterate until the step is tiny (not a fixed small number of steps).
                The inputs are plain numpy arrays.

                **Checked** on random yields: your $\hat{\hat\theta}$ against a reference, and
                that the derivative of the NLL vanishes there.
                """,
            ),
            answer(
                "profile_theta",
                '''
                def profile_theta(s, b, b_up, n, mu=0.0):
                    """The best-fit theta at fixed mu (a float)."""
                    ### BEGIN SOLUTION
                    d1 = ad.grad(nll, argnums=1)
                    d2 = ad.grad(d1, argnums=1)
                    theta = 0.0
                    for _ in range(100):
                        step = float(d1(mu, theta, s, b, b_up, n) / d2(mu, theta, s, b, b_up, n))
                        theta -= step
                        if abs(step) < 1e-12:
                            break
                    return theta
                    ### END SOLUTION
                ''',
            ),
            code("selfcheck_profile_theta", "self_check.profile_theta(profile_theta)"),
            tests(
                "test_profile_theta",
                2,
                """
                # Visible tests: the same inputs as the self-check.
                s, b = np.array([5.0, 10.0]), np.array([100.0, 50.0])
                assert abs(profile_theta(s, b, b, s + b)) < 1e-8  # no systematic effect: theta stays 0
                b_up = b * 1.2
                theta = profile_theta(s, b, b_up, s + b)
                grid = np.linspace(-3, 3, 6001)
                values = [nll(0.0, t, s, b, b_up, s + b) for t in grid]
                assert abs(theta - grid[int(np.argmin(values))]) < 2e-3
                ### BEGIN HIDDEN TESTS
                """
                + hidden(
                    """
                rng_hidden = np.random.default_rng()
                for _ in range(20):
                    s, b, b_up = _random_yields(rng_hidden)
                    n = s + b
                    mu = float(rng_hidden.choice([0.0, 0.5, 1.0]))
                    got = float(profile_theta(s, b, b_up, n, mu))
                    expected = _ref_profile(s, b, b_up, n, mu)
                    assert abs(got - expected) < 1e-7, (got, expected, mu)
                ### END HIDDEN TESTS
                """
                ),
            ),
            # ------------------------------------------------------------------ exercise 3
            md(
                "ex3",
                r"""
                ## Exercise 3: the profiled Asimov significance and its gradient (4 points)

                Write `asimov_z(s, b, b_up)`: the expected discovery significance
                $Z_A = \sqrt{q_0}$ on the Asimov data $n = s + b$, where
                $q_0 = 2[\mathrm{NLL}(0, \hat{\hat\theta}) - \mathrm{NLL}(1, 0)]$ (on Asimov
                data the best fit is $\hat\mu = 1, \hat\theta = 0$).

                It must be **differentiable** with `ad.grad` in `s`, `b` and `b_up`. Your
                `profile_theta` works on plain numbers, so call it on
                `ad.stop_gradient(...)` of its inputs. That gives the right gradient, not an
                approximation: by the envelope theorem (see the lesson), the derivative of a
                minimum is the partial derivative at the minimiser.

                **Checked** (2 points each): the value against a reference, and `ad.grad` of your
                function against finite differences of the reference, on random yields. The
                classic slips: not profiling (keeping $\theta = 0$ under $\mu = 0$), and
                forgetting the factor 2 or the square root.
                """,
            ),
            answer(
                "asimov_z",
                '''
                def asimov_z(s, b, b_up):
                    """The profiled expected discovery significance sqrt(q0) on the Asimov data s + b."""
                    ### BEGIN SOLUTION
                    n = s + b
                    theta = profile_theta(*(ad.stop_gradient(v) for v in (s, b, b_up, n)))
                    q0 = 2 * (nll(0.0, theta, s, b, b_up, n) - nll(1.0, 0.0, s, b, b_up, n))
                    return anp.sqrt(q0)
                    ### END SOLUTION
                ''',
            ),
            code("selfcheck_asimov_z", "self_check.asimov_z(asimov_z)"),
            tests(
                "test_asimov_z",
                2,
                """
                # Visible tests: the same inputs as the self-check.
                s, b = np.array([10.0]), np.array([100.0])
                z_no_syst = np.sqrt(2 * (110.0 * np.log(1.1) - 10.0))  # Cowan et al. 2011, Eq. 97
                assert np.isclose(asimov_z(s, b, b), z_no_syst)
                z = float(asimov_z(s, b, 1.1 * b))
                assert 0.69 < z < 0.72  # about s / sqrt(b + (0.1 b)^2) = 0.707
                ### BEGIN HIDDEN TESTS
                """
                + hidden(
                    """
                rng_hidden = np.random.default_rng()
                for _ in range(20):
                    s, b, b_up = _random_yields(rng_hidden)
                    got = float(asimov_z(s, b, b_up))
                    assert np.isclose(got, _ref_z(s, b, b_up), rtol=1e-7), (got, _ref_z(s, b, b_up))
                ### END HIDDEN TESTS
                """
                ),
            ),
            tests(
                "test_asimov_z_grad",
                2,
                """
                # Visible tests: the gradient on the self-check's inputs.
                from types import SimpleNamespace

                # Graded, this cell runs in the grader and your code in your notebook's own process,
                # `student`: what your code differentiates must be built there, with its `ad` and `anp`.
                # In your kernel, `notebook` is simply this notebook.
                notebook = student if "student" in globals() else SimpleNamespace(**globals())
                s, b = np.array([2.0, 12.0]), np.array([300.0, 40.0])
                b_up = b * np.array([0.9, 1.3])
                grads = notebook.ad.grad(asimov_z, argnums=(0, 1, 2))(s, b, b_up)
                assert all(np.shape(g) == (2,) and np.all(np.isfinite(g)) for g in grads)
                notebook.ad.check_grads(asimov_z, (s, b, b_up), order=1, modes=["rev"])
                ### BEGIN HIDDEN TESTS
                """
                + hidden(
                    """
                rng_hidden = np.random.default_rng()
                for _ in range(8):
                    s, b, b_up = _random_yields(rng_hidden)
                    grads = student.ad.grad(asimov_z, argnums=(0, 1, 2))(s, b, b_up)
                    args = [s, b, b_up]
                    for k in range(3):
                        for i in range(len(s)):
                            h = 1e-5 * args[k][i]
                            up = [a.copy() for a in args]
                            down = [a.copy() for a in args]
                            up[k][i] += h
                            down[k][i] -= h
                            fd = (_ref_z(*up) - _ref_z(*down)) / (2 * h)
                            assert np.isclose(grads[k][i], fd, rtol=1e-4, atol=1e-7), (k, i, grads[k][i], fd)
                ### END HIDDEN TESTS
                """
                ),
            ),
            # ------------------------------------------------------------------ exercise 4
            md(
                "ex4",
                r"""
                ## Exercise 4: a cut that knows about the systematic (2 points)

                An analysis keeps the events with a feature $x > t$. With exponential
                spectra the yields that pass and fail the cut are smooth functions of $t$; the
                function `make_yields` below builds them (two bins: pass, fail). The
                systematic makes the steep background component fall more slowly.

                Write `optimise_cut(yields_fn, t0, steps=300, lr=0.05)`: start at `t0` and
                return the cut $t$ (a float) that maximises `asimov_z(*yields_fn(t))`, by
                gradient ascent with `ad.grad` (plain steps or `ad.optim.Adam`).

                **Checked** on random spectra where the significance has a single maximum: your
                cut must reach at least 99.5 % of the best significance on a fine grid of cuts.
                Maximising the significance *without* the systematic (as if
                $b^\uparrow = b$) puts the cut elsewhere and fails.
                """,
            ),
            code(
                "make_yields",
                '''
                def make_yields(S, A, C, scale_s, scale_a, scale_a_up, scale_c):
                    """yields_fn(t) -> (s, b, b_up), each [pass, fail], for the cut x > t.

                    Signal: S events with an exponential spectrum of scale scale_s. Background: A
                    events of scale scale_a (scale_a_up under the systematic) and C events of scale
                    scale_c (not affected by the systematic).
                    """

                    def yields_fn(t):
                        s_pass = S * anp.exp(-t / scale_s)
                        b_pass = A * anp.exp(-t / scale_a) + C * anp.exp(-t / scale_c)
                        b_up_pass = A * anp.exp(-t / scale_a_up) + C * anp.exp(-t / scale_c)
                        total_b = A + C
                        return (
                            anp.stack([s_pass, S - s_pass]),
                            anp.stack([b_pass, total_b - b_pass]),
                            anp.stack([b_up_pass, total_b - b_up_pass]),
                        )

                    return yields_fn


                example = make_yields(30.0, 1000.0, 50.0, 3.0, 1.0, 1.25, 3.0)
                print("yields at t = 2:", [np.round(v, 1) for v in example(2.0)])
                ''',
            ),
            answer(
                "optimise_cut",
                '''
                def optimise_cut(yields_fn, t0, steps=300, lr=0.05):
                    """The cut t maximising asimov_z(*yields_fn(t)), by gradient ascent from t0."""
                    ### BEGIN SOLUTION
                    grad_z = ad.grad(lambda t: asimov_z(*yields_fn(t)))
                    opt = ad.optim.Adam(lr=lr)
                    t, state = float(t0), opt.init(float(t0))
                    for _ in range(steps):
                        t, state = opt.update(t, -grad_z(t), state)  # ascent: minus the gradient
                    return float(t)
                    ### END SOLUTION
                ''',
            ),
            code(
                "selfcheck_optimise_cut",
                "self_check.optimise_cut(optimise_cut, asimov_z, make_yields)",
            ),
            tests(
                "test_optimise_cut",
                2,
                """
                # Visible tests: the self-check's spectrum.
                from types import SimpleNamespace

                # Graded, this cell runs in the grader and your code in your notebook's own process,
                # `student`: what your code differentiates must be built there, with its `ad` and `anp`.
                # In your kernel, `notebook` is simply this notebook.
                notebook = student if "student" in globals() else SimpleNamespace(**globals())
                yields_fn = notebook.make_yields(30.0, 1000.0, 50.0, 3.0, 1.0, 1.25, 3.0)
                grid = np.linspace(0.05, 12.0, 241)
                best = max(float(asimov_z(*yields_fn(t))) for t in grid)
                t = optimise_cut(yields_fn, 4.0)
                assert float(asimov_z(*yields_fn(t))) > 0.995 * best, (t, best)
                ### BEGIN HIDDEN TESTS
                """
                + hidden(
                    """
                rng_hidden = np.random.default_rng()
                found = 0
                while found < 2:
                    S, A, C = rng_hidden.uniform(20, 50), rng_hidden.uniform(500, 2000), rng_hidden.uniform(20, 100)
                    scale_s, scale_a = rng_hidden.uniform(2.5, 4.0), rng_hidden.uniform(0.8, 1.2)
                    scale_a_up, scale_c = scale_a * rng_hidden.uniform(1.2, 1.35), scale_s
                    yields_fn = make_yields(S, A, C, scale_s, scale_a, scale_a_up, scale_c)
                    grid = np.linspace(0.05, 12.0, 601)
                    z = np.array([_ref_z(*(np.asarray(v) for v in yields_fn(t))) for t in grid])
                    peaks = np.sum((z[1:-1] > z[:-2]) & (z[1:-1] > z[2:]))
                    if peaks != 1 or z.argmax() in (0, len(z) - 1):
                        continue  # only spectra whose significance has a single maximum
                    found += 1
                    t0 = float(grid[z.argmax()] + rng_hidden.choice([-2.0, 2.0]))
                    # your optimiser differentiates the yields: they are made in your process, scored here
                    theirs = student.make_yields(S, A, C, scale_s, scale_a, scale_a_up, scale_c)
                    t = float(optimise_cut(theirs, t0))
                    got = _ref_z(*(np.asarray(v) for v in yields_fn(t)))
                    assert got > 0.995 * z.max(), (t, grid[z.argmax()], got, z.max())
                ### END HIDDEN TESTS
                """
                ),
            ),
            md(
                "further",
                """
                ## Going further (not graded)

                Compare your cut with the one that maximises the significance without the
                systematic (pass `b` as `b_up`), and evaluate both *with* the systematic. How much
                significance does ignoring it cost, and where did the two cuts go?
                """,
            ),
        ]
    )


if __name__ == "__main__":
    main(LAB, build)
