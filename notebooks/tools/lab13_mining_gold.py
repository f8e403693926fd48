"""Lab 13, mining gold: the generator of its nbgrader source notebook.

Run ``python notebooks/tools/lab13_mining_gold.py`` to rewrite
``notebooks/source/lab13-mining-gold/lab13-mining-gold.ipynb``. The visible checks of the
self-check live in ``notebooks/source/lab13-mining-gold/lab13_checks.py``.
"""

# The cells' code is indented by 16 spaces here; in the notebooks it fits in 100 columns.
# ruff: noqa: E501

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from nbbuild import answer, code, main, md, notebook, tests  # noqa: E402

LAB = "lab13-mining-gold"

# The reference, repeated in each hidden-tests cell so that each is self-contained.
REFERENCE = r"""
def _ref_log_joint(theta, x, z):
    sigma = 0.2 + 0.5 * z
    return -theta - z * np.exp(-theta) - 0.5 * ((x - z) / sigma) ** 2 - np.log(sigma) - 0.5 * np.log(2 * np.pi)


def _ref_net(params, x, theta):
    h = np.tanh(np.stack([x, theta], axis=1) @ params[0]["W"] + params[0]["b"])
    return (h @ params[1]["W"] + params[1]["b"])[:, 0]


def _ref_cascal(params, theta, x1, x0, t1, alpha):
    s1, s0 = _ref_net(params, x1, theta), _ref_net(params, x0, theta)
    bce = np.mean(np.logaddexp(0.0, -s1)) + np.mean(np.logaddexp(0.0, s0))
    # d s / d theta by hand for the one-hidden-layer tanh network
    pre = np.stack([x1, theta], axis=1) @ params[0]["W"] + params[0]["b"]
    ds = ((1 - np.tanh(pre) ** 2) * params[0]["W"][1]) @ params[1]["W"][:, 0]
    return bce + alpha * np.mean((ds - t1) ** 2)

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
                # Lab 13: Mining gold

                This lab goes with the case study **Gradients as labels (mining gold)** (15).
                You will write the joint log-likelihood of a small simulator, get its joint
                score by automatic differentiation, and write the loss that uses the joint
                score as a label for a likelihood-ratio estimator (CASCAL, Brehmer et al. 2020).

                | | you write | points |
                |---|---|---|
                | Exercise 1 | `log_joint(theta, x, z)`, the joint log-likelihood of one or many events | 2 |
                | Exercise 2 | `joint_score(theta, x, z)`, one score per event, with `ad.grad` | 2 |
                | Exercise 3 | `cascal_loss(params, theta, x1, x0, t1, alpha)` | 3 |
                | | **total** | **7** |

                **The simulator.** A latent "true energy" $z$ and a measured energy $x$:

                - $z \mid \theta$ is exponential with mean $e^{\theta}$:
                  $p(z \mid \theta) = e^{-\theta} \exp(-z e^{-\theta})$ for $z > 0$;
                - $x \mid z \sim \mathcal N\big(z, \sigma(z)^2\big)$ with
                  $\sigma(z) = 0.2 + 0.5 z$ (the detector resolution).

                **How it is graded.** Write your code in the answer cells, in place of
                `raise NotImplementedError(...)`; keep the names and arguments, and don't change
                the other cells. Each exercise ends with a grading cell: visible asserts show the
                shape of the check, and hidden tests compare your functions with a reference on
                fresh random inputs. Before you submit, restart the kernel and run all cells.

                **Self-check.** After each answer cell, a one-line self-check runs that
                exercise's visible checks and explains a failure in plain words. It never runs
                the hidden tests.
                """,
            ),
            code(
                "setup",
                """
                import lab13_checks as self_check  # the self-checks (visible checks only)
                import numpy as np

                import autodiff_lite as ad
                import autodiff_lite.numpy as anp


                def simulate(theta, rng):
                    \"\"\"One event (x, z) per entry of theta.\"\"\"
                    theta = np.asarray(theta, dtype=float)
                    z = rng.exponential(np.exp(theta))
                    x = z + (0.2 + 0.5 * z) * rng.normal(size=z.shape)
                    return x, z
                """,
            ),
            # ------------------------------------------------------------------ exercise 1
            md(
                "ex1",
                r"""
                ## Exercise 1: the joint log-likelihood (2 points)

                Write `log_joint(theta, x, z)` $= \log p(z \mid \theta) + \log p(x \mid z)$,
                with every constant included (the Gaussian's $-\tfrac12 \log 2\pi$ too), for
                numbers or arrays of the same shape (one entry per event; return one value per
                event). Use `anp` so that `ad.grad` can differentiate it.

                **Checked** against a reference on random events. The classic slips: a
                Gamma or exponential with the *rate* $e^{\theta}$ instead of the mean, and
                forgetting $-\log\sigma(z)$, which depends on $z$ (not on $\theta$, so the
                score would not notice; the value does).
                """,
            ),
            answer(
                "log_joint",
                '''
                def log_joint(theta, x, z):
                    """log p(x, z | theta) of the simulator, one value per event."""
                    ### BEGIN SOLUTION
                    sigma = 0.2 + 0.5 * z
                    log_p_z = -theta - z * anp.exp(-theta)
                    log_p_x = -0.5 * ((x - z) / sigma) ** 2 - anp.log(sigma) - 0.5 * np.log(2 * np.pi)
                    return log_p_z + log_p_x
                    ### END SOLUTION
                ''',
            ),
            code("selfcheck_log_joint", "self_check.log_joint(log_joint)"),
            tests(
                "test_log_joint",
                2,
                """
                # Visible tests: the same inputs as the self-check.
                assert np.isclose(log_joint(0.0, 1.0, 1.0), -1.0 - np.log(0.7) - 0.5 * np.log(2 * np.pi))
                got = log_joint(np.array([0.5, -0.5]), np.array([2.0, 0.1]), np.array([1.5, 0.3]))
                assert np.shape(got) == (2,)
                assert np.allclose(got, [-2.41594538, -0.0269981], atol=1e-8)
                ### BEGIN HIDDEN TESTS
                """
                + hidden(
                    """
                rng_hidden = np.random.default_rng()
                theta = rng_hidden.uniform(-1, 1, 30)
                z = rng_hidden.exponential(np.exp(theta))
                x = z + rng_hidden.normal(size=30)
                assert np.allclose(log_joint(theta, x, z), _ref_log_joint(theta, x, z), rtol=1e-10)
                # ad.grad of your log_joint runs in your notebook's process, where log_joint lives
                d = student.ad.grad(lambda th: student.anp.sum(log_joint(th, x, z)))(theta)
                assert np.allclose(d, -1 + z * np.exp(-theta), rtol=1e-8)
                ### END HIDDEN TESTS
                """
                ),
            ),
            # ------------------------------------------------------------------ exercise 2
            md(
                "ex2",
                r"""
                ## Exercise 2: the joint score (2 points)

                Write `joint_score(theta, x, z)`: for arrays of events, the array of
                $t_i = \partial_{\theta_i} \log p(x_i, z_i \mid \theta_i)$, one per event, with
                `ad.grad`. Hint: event $i$'s log-likelihood depends only on its own
                $\theta_i$, so the gradient of the **sum** over events with respect to the
                vector `theta` is the vector of per-event scores (one backward pass for all).

                **Checked** against the score written out by hand, on random events.
                """,
            ),
            answer(
                "joint_score",
                '''
                def joint_score(theta, x, z):
                    """The joint score d/dtheta log p(x_i, z_i | theta_i), one per event."""
                    ### BEGIN SOLUTION
                    return ad.grad(lambda th: anp.sum(log_joint(th, x, z)))(theta)
                    ### END SOLUTION
                ''',
            ),
            code("selfcheck_joint_score", "self_check.joint_score(joint_score)"),
            tests(
                "test_joint_score",
                2,
                """
                # Visible tests: the same inputs as the self-check.
                theta, x, z = np.array([0.0, 0.5]), np.array([1.0, 2.0]), np.array([1.0, 1.5])
                t = joint_score(theta, x, z)
                assert np.shape(t) == (2,), "one score per event"
                assert np.allclose(t, [0.0, 1.5 * np.exp(-0.5) - 1.0])
                ### BEGIN HIDDEN TESTS
                """
                + hidden(
                    """
                rng_hidden = np.random.default_rng()
                for n in (1, 7, 50):
                    theta = rng_hidden.uniform(-1, 1, n)
                    z = rng_hidden.exponential(np.exp(theta))
                    x = z + rng_hidden.normal(size=n)
                    t = joint_score(theta, x, z)
                    assert np.shape(t) == (n,)
                    assert np.allclose(t, -1 + z * np.exp(-theta), rtol=1e-8)
                ### END HIDDEN TESTS
                """
                ),
            ),
            md(
                "identity",
                r"""
                **Gold, checked.** The true score $t(x \mid \theta)$ is the average of the joint
                score over the events with that $x$ (see the lesson). Here is the average joint
                score of simulated events with $x$ close to 2, against the derivative of the
                marginal log-likelihood computed by quadrature over $z$:
                """,
            ),
            code(
                "identity_demo",
                """
                theta0 = 0.3
                x_many, z_many = simulate(np.full(200_000, theta0), np.random.default_rng(0))
                near = np.abs(x_many - 2.0) < 0.05
                try:
                    mean_t = float(np.mean(joint_score(np.full(near.sum(), theta0), x_many[near], z_many[near])))
                    z_grid = np.linspace(1e-5, 40, 8000)

                    def log_marginal(theta):
                        values = log_joint(np.full_like(z_grid, theta), 2.0, z_grid)
                        return float(anp.logsumexp(values)) + np.log(z_grid[1] - z_grid[0])

                    h = 1e-5
                    true_t = (log_marginal(theta0 + h) - log_marginal(theta0 - h)) / (2 * h)
                    print(f"mean joint score near x = 2: {mean_t:.3f}; true score: {true_t:.3f}")
                except NotImplementedError:
                    print("Finish Exercises 1 and 2 first.")
                """,
            ),
            # ------------------------------------------------------------------ exercise 3
            md(
                "ex3",
                r"""
                ## Exercise 3: the CASCAL loss (3 points)

                A network $\hat s(x, \theta)$, `net(params, x, theta)` below, estimates
                $\log r(x \mid \theta) = \log p(x \mid \theta) - \log p(x \mid 0)$. The training
                data are `theta` (shape $(N,)$), events `x1` simulated at `theta` (label 1),
                events `x0` simulated at $\theta = 0$ (label 0, shown with the same `theta`), and
                the joint scores `t1` of the `x1` events. Write

                $$
                L = \underbrace{\frac1N \sum_i \log\big(1 + e^{-\hat s(x_{1i}, \theta_i)}\big)
                + \frac1N \sum_i \log\big(1 + e^{\hat s(x_{0i}, \theta_i)}\big)}_{\text{CARL: cross-entropy}}
                + \alpha\, \frac1N \sum_i \Big(\partial_\theta \hat s(x_{1i}, \theta_i) - t_{1i}\Big)^2
                $$

                as `cascal_loss(params, theta, x1, x0, t1, alpha)`, differentiable in `params`
                with `ad.grad`. Get $\partial_\theta \hat s$ with `ad.grad` (the trick of
                Exercise 2); use `ad.nn.softplus(u)` $= \log(1 + e^u)$.

                **Checked** in value and in its gradient with respect to `params`, against a
                reference on random networks and data. The classic slips: the score term on the
                reference events `x0` (their joint score at $\theta_i$ is not a label for them),
                swapped labels, and a missing $\alpha$.
                """,
            ),
            code(
                "network",
                '''
                def net(params, x, theta):
                    """A 2-H-1 tanh network of (x, theta): the estimate of log r(x | theta)."""
                    return ad.nn.mlp(params, anp.stack([x, theta], axis=1))[:, 0]
                ''',
            ),
            answer(
                "cascal_loss",
                '''
                def cascal_loss(params, theta, x1, x0, t1, alpha):
                    """Cross-entropy of the classifier plus alpha times the squared error of its theta-derivative."""
                    ### BEGIN SOLUTION
                    bce = anp.mean(ad.nn.softplus(-net(params, x1, theta))) + anp.mean(
                        ad.nn.softplus(net(params, x0, theta))
                    )
                    score_hat = ad.grad(lambda th: anp.sum(net(params, x1, th)))(theta)
                    return bce + alpha * anp.mean((score_hat - t1) ** 2)
                    ### END SOLUTION
                ''',
            ),
            code("selfcheck_cascal_loss", "self_check.cascal_loss(cascal_loss)"),
            tests(
                "test_cascal_loss",
                3,
                """
                # Visible tests: the same inputs as the self-check.
                from types import SimpleNamespace

                # Graded, this cell runs in the grader and your code in your notebook's own process,
                # `student`: what your code differentiates must be built there, with its `ad` and `anp`.
                # In your kernel, `notebook` is simply this notebook.
                notebook = student if "student" in globals() else SimpleNamespace(**globals())
                params = ad.nn.init_mlp(np.random.default_rng(0), [2, 4, 1])
                theta, x1, x0 = np.array([0.5, -0.5, 0.2]), np.array([1.0, 0.3, 2.0]), np.array([0.8, 1.2, 0.1])
                t1 = np.array([0.4, -0.7, 1.1])
                assert np.isclose(cascal_loss(params, theta, x1, x0, t1, 0.0), 1.4315223010112335)
                assert np.isclose(cascal_loss(params, theta, x1, x0, t1, 2.0), 2.511112303633338)
                grads = notebook.ad.grad(cascal_loss)(params, theta, x1, x0, t1, 2.0)
                assert np.shape(grads[0]["W"]) == (2, 4)
                ### BEGIN HIDDEN TESTS
                """
                + hidden(
                    """
                rng_hidden = np.random.default_rng()
                for _ in range(5):
                    H, N = int(rng_hidden.integers(2, 6)), int(rng_hidden.integers(3, 12))
                    params = ad.nn.init_mlp(rng_hidden, [2, H, 1])
                    for layer in params:
                        layer["b"] = rng_hidden.normal(size=layer["b"].shape)
                    theta = rng_hidden.uniform(-1, 1, N)
                    x1, x0 = rng_hidden.exponential(1.0, N), rng_hidden.exponential(1.0, N)
                    t1, alpha = rng_hidden.normal(size=N), float(rng_hidden.uniform(0.5, 3))
                    got = float(cascal_loss(params, theta, x1, x0, t1, alpha))
                    assert np.isclose(got, _ref_cascal(params, theta, x1, x0, t1, alpha), rtol=1e-9), got
                    grads = student.ad.grad(cascal_loss)(params, theta, x1, x0, t1, alpha)
                    layer, key = int(rng_hidden.integers(0, 2)), "W"
                    i, j = (int(rng_hidden.integers(0, d)) for d in params[layer][key].shape)
                    h = 1e-6
                    up = [dict((k, v.copy()) for k, v in p.items()) for p in params]
                    down = [dict((k, v.copy()) for k, v in p.items()) for p in params]
                    up[layer][key][i, j] += h
                    down[layer][key][i, j] -= h
                    fd = (_ref_cascal(up, theta, x1, x0, t1, alpha) - _ref_cascal(down, theta, x1, x0, t1, alpha)) / (2 * h)
                    assert np.isclose(grads[layer][key][i, j], fd, rtol=1e-5, atol=1e-8), (grads[layer][key][i, j], fd)
                ### END HIDDEN TESTS
                """
                ),
            ),
            md(
                "further",
                """
                ## Going further (not graded)

                Train `net` (2-16-1) with `ad.optim.Adam` on 200 simulated pairs, once with
                `alpha = 0` (CARL) and once with `alpha = 1` (CASCAL), and compare both with the
                true $\\log r$ computed by quadrature, as in the lesson.
                """,
            ),
        ]
    )


if __name__ == "__main__":
    main(LAB, build)
