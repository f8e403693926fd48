"""Lab 14, Hamiltonian Monte Carlo: the generator of its nbgrader source notebook.

Run ``python notebooks/tools/lab14_hmc.py`` to rewrite
``notebooks/source/lab14-hmc/lab14-hmc.ipynb``. The visible checks of the self-check live in
``notebooks/source/lab14-hmc/lab14_checks.py``.
"""

# The cells' code is indented by 16 spaces here; in the notebooks it fits in 100 columns.
# ruff: noqa: E501

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from nbbuild import answer, code, main, md, notebook, tests  # noqa: E402

LAB = "lab14-hmc"

# The reference, repeated in each hidden-tests cell so that each is self-contained.
REFERENCE = r"""
def _ref_leapfrog(q, p, step_size, n_steps, grad_fn):
    p = p + 0.5 * step_size * grad_fn(q)
    for i in range(n_steps):
        q = q + step_size * p
        if i < n_steps - 1:
            p = p + step_size * grad_fn(q)
    return q, p + 0.5 * step_size * grad_fn(q)


def _ref_hmc_step(q, log_density, grad_fn, step_size, n_steps, rng):
    p = rng.normal(size=np.shape(q))
    q_new, p_new = _ref_leapfrog(q, p, step_size, n_steps, grad_fn)
    h_old = -log_density(q) + 0.5 * np.sum(p**2)
    h_new = -log_density(q_new) + 0.5 * np.sum(p_new**2)
    if np.log(rng.uniform()) < h_old - h_new:
        return q_new, True
    return q, False


def _random_gaussian(rng, dim):
    A = rng.normal(size=(dim, dim))
    precision = A @ A.T + dim * np.eye(dim)
    return (lambda q: -0.5 * q @ precision @ q), (lambda q: -precision @ q)


def _ar1(rng, phi, n):
    x = np.empty(n)
    x[0] = rng.normal() / np.sqrt(1 - phi**2)
    noise = rng.normal(size=n)
    for t in range(1, n):
        x[t] = phi * x[t - 1] + noise[t]
    return x

"""


def hidden(body: str) -> str:
    """A hidden-tests block: the reference, then ``body`` (both at 16 spaces)."""
    return REFERENCE.replace("\n", "\n                ") + body


def build():
    return notebook(
        [
            md(
                "intro",
                r"""
                # Lab 14: Hamiltonian Monte Carlo

                This lab goes with the case study **Hamiltonian Monte Carlo** (16). You will
                write the leapfrog integrator, one HMC transition with its accept step, and an
                effective-sample-size estimate, then sample a correlated posterior with
                gradients from `ad.grad`.

                | | you write | points |
                |---|---|---|
                | Exercise 1 | `leapfrog(q, p, step_size, n_steps, grad_fn)` | 3 |
                | Exercise 2 | `hmc_step(q, log_density, grad_fn, step_size, n_steps, rng)` | 3 |
                | Exercise 3 | `effective_sample_size(x)`, Geyer's initial positive sequence | 2 |
                | | **total** | **8** |

                **How it is graded.** Write your code in the answer cells, in place of
                `raise NotImplementedError(...)`; keep the names and arguments, and don't change
                the other cells. Each exercise ends with a grading cell: visible asserts show the
                shape of the check, and hidden tests compare your functions with a reference on
                fresh random targets. Before you submit, restart the kernel and run all cells.

                **Self-check.** After each answer cell, a one-line self-check runs that
                exercise's visible checks and explains a failure in plain words. It never runs
                the hidden tests.
                """,
            ),
            code(
                "setup",
                """
                import lab14_checks as self_check  # the self-checks (visible checks only)
                import numpy as np

                import autodiff_lite as ad
                import autodiff_lite.numpy as anp
                """,
            ),
            # ------------------------------------------------------------------ exercise 1
            md(
                "ex1",
                r"""
                ## Exercise 1: the leapfrog integrator (3 points)

                With $U(q) = -\log \pi(q)$ and $H = U(q) + \tfrac12|p|^2$, one leapfrog step of
                size $\varepsilon$ is a half kick, a drift and a half kick:

                $$
                p \leftarrow p + \tfrac{\varepsilon}{2} \nabla \log\pi(q),\quad
                q \leftarrow q + \varepsilon p,\quad
                p \leftarrow p + \tfrac{\varepsilon}{2} \nabla \log\pi(q).
                $$

                Write `leapfrog(q, p, step_size, n_steps, grad_fn)` returning the pair
                `(q, p)` after `n_steps` steps, where `grad_fn(q)` is $\nabla \log \pi(q)$.
                `q` and `p` are numbers or 1-D arrays. Merge the two half kicks between
                consecutive steps into one full kick, so that `n_steps` steps call `grad_fn`
                exactly `n_steps + 1` times.

                **Checked** against a reference on random Gaussian targets (values, and the
                number of gradient calls), and for reversibility. The classic slip: full kicks
                at both ends (the symplectic Euler method), which is first order only.
                """,
            ),
            answer(
                "leapfrog",
                '''
                def leapfrog(q, p, step_size, n_steps, grad_fn):
                    """n_steps leapfrog steps from (q, p) for the log-density gradient grad_fn."""
                    ### BEGIN SOLUTION
                    p = p + 0.5 * step_size * grad_fn(q)
                    for i in range(n_steps):
                        q = q + step_size * p
                        if i < n_steps - 1:
                            p = p + step_size * grad_fn(q)
                    p = p + 0.5 * step_size * grad_fn(q)
                    return q, p
                    ### END SOLUTION
                ''',
            ),
            code("selfcheck_leapfrog", "self_check.leapfrog(leapfrog)"),
            tests(
                "test_leapfrog",
                3,
                """
                # Visible tests: the same inputs as the self-check.
                q, p = leapfrog(1.0, 0.0, 0.1, 1, lambda q: -q)  # a harmonic oscillator
                assert np.isclose(q, 0.995) and np.isclose(p, -0.09975)
                q, p = leapfrog(1.0, 0.0, 0.1, 10, lambda q: -q)
                assert np.isclose(q, 0.5399512509335084) and np.isclose(p, -0.8406435124348496)
                ### BEGIN HIDDEN TESTS
                """
                + hidden(
                    """
                rng_hidden = np.random.default_rng()
                for _ in range(10):
                    dim = int(rng_hidden.integers(1, 5))
                    _, grad = _random_gaussian(rng_hidden, dim)
                    calls = []

                    def counted(q, grad=grad, calls=calls):
                        calls.append(1)
                        return grad(q)

                    q0, p0 = rng_hidden.normal(size=dim), rng_hidden.normal(size=dim)
                    eps, n = float(rng_hidden.uniform(0.01, 0.2)), int(rng_hidden.integers(1, 12))
                    q1, p1 = leapfrog(q0, p0, eps, n, counted)
                    rq, rp = _ref_leapfrog(q0, p0, eps, n, grad)
                    assert np.allclose(q1, rq, rtol=1e-10) and np.allclose(p1, rp, rtol=1e-10)
                    assert len(calls) == n + 1, f"{len(calls)} gradient calls for {n} steps"
                    qb, pb = leapfrog(q1, -p1, eps, n, grad)  # reversible
                    assert np.allclose(qb, q0, atol=1e-9) and np.allclose(-pb, p0, atol=1e-9)
                ### END HIDDEN TESTS
                """
                ),
            ),
            # ------------------------------------------------------------------ exercise 2
            md(
                "ex2",
                r"""
                ## Exercise 2: one HMC transition (3 points)

                Write `hmc_step(q, log_density, grad_fn, step_size, n_steps, rng)` returning
                `(q_next, accepted)`: draw a momentum `p = rng.normal(size=np.shape(q))`, run
                your leapfrog, then draw `u = rng.uniform()` and accept the end point if
                $\log u < H(q, p) - H(q', p')$, with $H(q, p) = -\log\pi(q) + \tfrac12|p|^2$.
                If rejected, return the old `q`. Draw the random numbers exactly in this order
                (one normal array, then one uniform) so that the hidden tests can replay your
                chain with the same seed.

                **Checked** by replaying chains on random Gaussian targets with the same seed
                as a reference. The classic slips: the energy difference the wrong way round,
                and forgetting the kinetic energy $\tfrac12|p|^2$.
                """,
            ),
            answer(
                "hmc_step",
                '''
                def hmc_step(q, log_density, grad_fn, step_size, n_steps, rng):
                    """One HMC transition: (next state, whether the proposal was accepted)."""
                    ### BEGIN SOLUTION
                    p = rng.normal(size=np.shape(q))
                    q_new, p_new = leapfrog(q, p, step_size, n_steps, grad_fn)
                    h_old = -log_density(q) + 0.5 * np.sum(p**2)
                    h_new = -log_density(q_new) + 0.5 * np.sum(p_new**2)
                    if np.log(rng.uniform()) < h_old - h_new:
                        return q_new, True
                    return q, False
                    ### END SOLUTION
                ''',
            ),
            code("selfcheck_hmc_step", "self_check.hmc_step(hmc_step)"),
            tests(
                "test_hmc_step",
                3,
                """
                # Visible tests: the same inputs as the self-check.
                from types import SimpleNamespace

                # Graded, this cell runs in the grader and your code in your notebook's own process,
                # `student`: the generator your code draws from must be made there, with its `np`.
                # In your kernel, `notebook` is simply this notebook.
                notebook = student if "student" in globals() else SimpleNamespace(**globals())
                precision = np.array([[2.0, 0.5], [0.5, 1.0]])
                rng = notebook.np.random.default_rng(0)
                q, accepted = np.array([1.0, -0.5]), []
                for _ in range(3):
                    q, a = hmc_step(q, lambda q: -0.5 * q @ precision @ q, lambda q: -precision @ q, 0.9, 3, rng)
                    accepted.append(bool(a))
                assert accepted == [True, True, False], accepted
                assert np.allclose(q, [0.4845668443841347, -0.692682714817128])
                ### BEGIN HIDDEN TESTS
                """
                + hidden(
                    """
                seed = int(np.random.default_rng().integers(2**31))
                rng_hidden = np.random.default_rng(seed)
                for _ in range(4):
                    dim = int(rng_hidden.integers(1, 4))
                    log_density, grad = _random_gaussian(rng_hidden, dim)
                    eps, n = float(rng_hidden.uniform(0.1, 0.6)), int(rng_hidden.integers(1, 6))
                    # the same seed for the student's chain (a generator of the student's process) and ours
                    ours, theirs = student.np.random.default_rng(seed + 1), np.random.default_rng(seed + 1)
                    q_ref = q_got = rng_hidden.normal(size=dim)
                    n_rejected = 0
                    for _ in range(30):
                        q_ref, a_ref = _ref_hmc_step(q_ref, log_density, grad, eps, n, theirs)
                        q_got, a_got = hmc_step(q_got, log_density, grad, eps, n, ours)
                        assert bool(a_got) == bool(a_ref), "accepted where the reference rejected, or back"
                        assert np.allclose(q_got, q_ref, rtol=1e-10)
                        n_rejected += not a_ref
                ### END HIDDEN TESTS
                """
                ),
            ),
            md(
                "demo",
                r"""
                **Try it** on the correlated calibration posterior of the lesson, with the
                gradient from `ad.grad`:
                """,
            ),
            code(
                "hmc_demo",
                """
                E = np.linspace(8.0, 12.0, 20)
                y = 1.0 + 2.0 * E + 0.5 * np.random.default_rng(0).normal(size=E.size)


                def log_posterior(q):
                    return -0.5 * anp.sum(((y - q[0] - q[1] * E) / 0.5) ** 2)


                grad_log_posterior = ad.grad(log_posterior)
                try:
                    rng = np.random.default_rng(1)
                    q, chain, n_accepted = np.array([1.0, 2.0]), [], 0
                    for _ in range(200):
                        q, a = hmc_step(q, log_posterior, grad_log_posterior, 0.012, 100, rng)
                        chain.append(q)
                        n_accepted += a
                    chain = np.array(chain)
                    print(f"acceptance {n_accepted / 200:.2f}; posterior mean {chain[40:].mean(axis=0).round(3)}")
                except NotImplementedError:
                    print("Finish Exercises 1 and 2 first.")
                """,
            ),
            # ------------------------------------------------------------------ exercise 3
            md(
                "ex3",
                r"""
                ## Exercise 3: the effective sample size (2 points)

                For one chain $x_1, \dots, x_N$ (a 1-D array), estimate the autocorrelations
                $\hat\rho_k = \hat c_k / \hat c_0$ with
                $\hat c_k = \frac1N \sum_{t=1}^{N-k} (x_t - \bar x)(x_{t+k} - \bar x)$, then
                Geyer's initial positive sequence: add the pairs
                $\Gamma_m = \hat\rho_{2m} + \hat\rho_{2m+1}$ for $m = 0, 1, \dots$ while
                $\Gamma_m > 0$, and return

                $$
                N_{\text{eff}} = \frac{N}{\tau}, \qquad \tau = -1 + 2 \sum_{m} \Gamma_m .
                $$

                Write `effective_sample_size(x)`. (`np.correlate` or an FFT computes all the
                $\hat c_k$ at once; a loop over lags is fine too for $N$ up to about $10^4$.)

                **Checked** on AR(1) processes $x_t = \phi x_{t-1} + \text{noise}$, whose ESS is
                $N(1 - \phi)/(1 + \phi)$, within 20 %, and on independent draws, where it is
                close to $N$. The classic slip: summing the estimated $\hat\rho_k$ over *all*
                lags, where noise dominates.
                """,
            ),
            answer(
                "effective_sample_size",
                '''
                def effective_sample_size(x):
                    """Geyer's initial-positive-sequence estimate of the ESS of one chain x."""
                    ### BEGIN SOLUTION
                    x = np.asarray(x, dtype=float)
                    n = len(x)
                    centred = x - x.mean()
                    f = np.fft.rfft(centred, n=2 * n)
                    acov = np.fft.irfft(f * np.conj(f))[:n] / n
                    rho = acov / acov[0]
                    tau = -1.0
                    for k in range(0, n - 1, 2):
                        pair = rho[k] + rho[k + 1]
                        if pair <= 0:
                            break
                        tau += 2 * pair
                    return n / tau
                    ### END SOLUTION
                ''',
            ),
            code(
                "selfcheck_effective_sample_size",
                "self_check.effective_sample_size(effective_sample_size)",
            ),
            tests(
                "test_effective_sample_size",
                2,
                """
                # Visible tests: the same inputs as the self-check.
                rng = np.random.default_rng(0)
                x = np.empty(10000)
                x[0] = rng.normal() / np.sqrt(1 - 0.8**2)
                for t in range(1, len(x)):
                    x[t] = 0.8 * x[t - 1] + rng.normal()
                ess = effective_sample_size(x)
                assert 0.8 < ess / (10000 * 0.2 / 1.8) < 1.2, ess
                ess_iid = effective_sample_size(rng.normal(size=5000))
                assert 0.8 < ess_iid / 5000 < 1.2, ess_iid
                ### BEGIN HIDDEN TESTS
                """
                + hidden(
                    """
                rng_hidden = np.random.default_rng()
                for _ in range(4):
                    phi = float(rng_hidden.uniform(-0.3, 0.8))
                    x = _ar1(rng_hidden, phi, 50000)
                    exact = 50000 * (1 - phi) / (1 + phi)
                    ess = float(effective_sample_size(x))
                    assert 0.8 < ess / exact < 1.2, (phi, ess, exact)
                ### END HIDDEN TESTS
                """
                ),
            ),
            md(
                "further",
                r"""
                ## Going further (not graded)

                Run your `hmc_step` and a random-walk Metropolis sampler on the calibration
                posterior above, and compare their `effective_sample_size` per gradient (or
                density) evaluation, as in the lesson. Then draw the momentum from
                $\mathcal N(0, \Sigma^{-1})$ with $\Sigma$ the posterior covariance (a mass
                matrix): how much faster does HMC mix?
                """,
            ),
        ]
    )


if __name__ == "__main__":
    main(LAB, build)
