"""Lab 16, physics-informed neural networks: the generator of its nbgrader source notebook.

Run ``python notebooks/tools/lab16_pinns.py`` to rewrite
``notebooks/source/lab16-pinns/lab16-pinns.ipynb``. The visible checks of the
self-check live in ``notebooks/source/lab16-pinns/lab16_checks.py``.
"""

# The cells' code is indented by 16 spaces here; in the notebooks it fits in 100 columns.
# ruff: noqa: E501

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from nbbuild import answer, code, main, md, notebook, tests  # noqa: E402

LAB = "lab16-pinns"

# References, repeated in each hidden-tests cell so that each is self-contained. They take
# the input derivatives point by point with grad of grad: another route to the same numbers.
REFERENCE = r"""
def _ref_derivatives(u, x):
    def scalar(t):
        return u(anp.reshape(t, (1, 1)))[0, 0]

    d1 = ad.grad(scalar)
    d2 = ad.grad(d1)
    first = anp.reshape(anp.stack([d1(t) for t in x[:, 0]]), (-1, 1))
    second = anp.reshape(anp.stack([d2(t) for t in x[:, 0]]), (-1, 1))
    return first, second


def _ref_loss(params, X, q):
    u = lambda x: ad.nn.mlp(params, x)
    residual = _ref_derivatives(u, X)[1] + q(X)
    edges = u(np.array([[0.0], [1.0]]))
    return anp.mean(residual**2) + 0.5 * anp.sum(edges**2)


def _random_net(rng_hidden):
    sizes = [1] + [int(n) for n in rng_hidden.integers(2, 7, size=int(rng_hidden.integers(1, 3)))] + [1]
    params = ad.nn.init_mlp(rng_hidden, sizes)
    for layer in params:
        layer["b"] = rng_hidden.normal(size=layer["b"].shape)
    return params

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
                # Lab 16: Physics-informed neural networks

                This lab goes with the case study **Physics-informed neural networks** (18). A
                small network $u_\theta(x)$ learns the steady temperature of a rod heated with
                power density $q(x)$, with ends held at 0:

                $$ u''(x) + q(x) = 0 \quad (0 < x < 1), \qquad u(0) = u(1) = 0, $$

                by minimising the equation's residual at collocation points plus the boundary
                values. You will write the network's derivatives with respect to its input
                (nested forward mode), the physics-informed loss, and its training.

                | | you write | points |
                |---|---|---|
                | Exercise 1 | `input_derivatives(u, x)`: $u'$ and $u''$ at a batch of points, `jvp` of `jvp` | 3 |
                | Exercise 2 | `pinn_loss(params, X, q)`: residual and boundary loss, differentiable in the weights | 3 |
                | Exercise 3 | `train_pinn(params, X, q, steps, lr)`: Adam on the loss | 2 |
                | | **total** | **8** |

                **How it is graded.** Write your code in the answer cells, in place of
                `raise NotImplementedError(...)`; keep the names and arguments, and don't change
                the other cells. Use `anp` (`autodiff_lite.numpy`) for every value that may be
                traced. Each exercise ends with a grading cell: visible asserts show the shape
                of the check, and hidden tests compare your functions with a reference (which
                takes the derivatives point by point with `grad` of `grad`) on fresh random
                networks. Before you submit, restart the kernel and run all cells.

                **Self-check.** After each answer cell, a one-line self-check runs that
                exercise's visible checks and explains a failure in plain words. It never runs
                the hidden tests.
                """,
            ),
            code(
                "setup",
                """
                import lab16_checks as self_check  # the self-checks (visible checks only)
                import numpy as np

                import autodiff_lite as ad
                import autodiff_lite.numpy as anp


                def q(x):
                    return np.pi**2 * np.sin(np.pi * x)  # the exact solution is sin(pi x)


                X = np.linspace(0.0, 1.0, 18)[1:-1, None]  # 16 collocation points, shape (16, 1)
                params0 = ad.nn.init_mlp(np.random.default_rng(0), [1, 12, 12, 1])
                """,
            ),
            # ------------------------------------------------------------------ exercise 1
            md(
                "ex1",
                r"""
                ## Exercise 1: derivatives with respect to the input (3 points)

                `u` maps a batch `x` of shape `(M, 1)` to `(M, 1)`, **row by row** (row $j$ of
                the output depends only on row $j$ of the input), like a network applied to
                $M$ points. Its Jacobian is therefore diagonal, and one JVP with the tangent
                "all ones" (`anp.ones_like(x)`) returns the diagonal: $u'(x_j)$ for every $j$.
                Write `input_derivatives(u, x)` returning the pair `(u_x, u_xx)`, both of shape
                `(M, 1)`: $u'$ by one `ad.jvp`, and $u''$ by an `ad.jvp` of the function
                computing $u'$ (forward over forward).

                Inside a function that is being differentiated, `x` may be a traced value:
                make the tangent with `anp.ones_like(x)`, not `np.ones_like(x)`.

                **Checked** on $u = \sin$ and on random networks against `grad` of `grad`
                point by point, and inside `ad.grad` (Exercise 2 differentiates through it).
                """,
            ),
            answer(
                "input_derivatives",
                '''
                def input_derivatives(u, x):
                    """(u'(x_j), u''(x_j)) for every row x_j of x, by nested forward mode."""
                    ### BEGIN SOLUTION
                    def first(x):
                        return ad.jvp(u, (x,), (anp.ones_like(x),))[1]

                    u_x, u_xx = ad.jvp(first, (x,), (anp.ones_like(x),))
                    return u_x, u_xx
                    ### END SOLUTION
                ''',
            ),
            code("selfcheck_input_derivatives", "self_check.input_derivatives(input_derivatives)"),
            tests(
                "test_input_derivatives",
                3,
                """
                # Visible tests: sin, whose derivatives are cos and -sin.
                from types import SimpleNamespace

                # Graded, this cell runs in the grader and your code in your notebook's own process,
                # `student`: what your code differentiates must be built there, with its `ad` and `anp`.
                # In your kernel, `notebook` is simply this notebook.
                notebook = student if "student" in globals() else SimpleNamespace(**globals())
                x = np.linspace(0.0, 3.0, 7)[:, None]
                d1, d2 = input_derivatives(notebook.anp.sin, x)
                assert np.shape(d1) == (7, 1) and np.shape(d2) == (7, 1)
                assert np.allclose(d1, np.cos(x)) and np.allclose(d2, -np.sin(x))
                # A cubic: u = x**3, u' = 3x**2, u'' = 6x.
                d1, d2 = input_derivatives(lambda x: x**3, x)
                assert np.allclose(d1, 3 * x**2) and np.allclose(d2, 6 * x)
                ### BEGIN HIDDEN TESTS
                """
                + hidden(
                    """
                rng_hidden = np.random.default_rng()
                for _ in range(4):
                    params = _random_net(rng_hidden)
                    x = rng_hidden.uniform(-1.5, 1.5, (int(rng_hidden.integers(1, 9)), 1))
                    # the network of the student's process for the student's jvp, ours for the reference
                    mine = input_derivatives(lambda x, params=params: student.ad.nn.mlp(params, x), x)
                    ref = _ref_derivatives(lambda x, params=params: ad.nn.mlp(params, x), x)
                    for k in range(2):
                        assert np.shape(mine[k]) == np.shape(x), f"shape {np.shape(mine[k])}"
                        assert np.allclose(mine[k], ref[k], rtol=1e-8, atol=1e-10), f"derivative {k + 1}"
                    # differentiable in the weights: d/dW of sum(u'') against the reference
                    w = rng_hidden.normal(size=x.shape)
                    g_mine = student.ad.grad(
                        lambda p: student.anp.sum(w * input_derivatives(lambda x: student.ad.nn.mlp(p, x), x)[1])
                    )(params)
                    g_ref = ad.grad(lambda p: anp.sum(w * _ref_derivatives(lambda x: ad.nn.mlp(p, x), x)[1]))(params)
                    for a, b in zip(ad.tree_leaves(g_mine), ad.tree_leaves(g_ref)):
                        assert np.allclose(a, b, rtol=1e-7, atol=1e-10), "gradient through u''"
                ### END HIDDEN TESTS
                """
                ),
            ),
            # ------------------------------------------------------------------ exercise 2
            md(
                "ex2",
                r"""
                ## Exercise 2: the physics-informed loss (3 points)

                With the network $u_\theta(x) = $ `ad.nn.mlp(params, x)` and collocation points
                `X` of shape `(M, 1)`, write `pinn_loss(params, X, q)`:

                $$
                L(\theta) = \frac{1}{M} \sum_j \big( u_\theta''(x_j) + q(x_j) \big)^2
                + \frac{1}{2} \big( u_\theta(0)^2 + u_\theta(1)^2 \big) .
                $$

                `q` is a numpy function of `X` (it does not depend on the weights). Use your
                `input_derivatives`, and evaluate the network at the two ends as a batch
                `np.array([[0.0], [1.0]])`.

                **Checked** against the reference loss on random networks: the value and its
                gradient with respect to every weight (`ad.grad`: reverse mode over your two
                forward modes).
                """,
            ),
            answer(
                "pinn_loss",
                '''
                def pinn_loss(params, X, q):
                    """Mean squared residual of u'' + q = 0 at X, plus half the squared boundary values."""
                    ### BEGIN SOLUTION
                    def u(x):
                        return ad.nn.mlp(params, x)

                    residual = input_derivatives(u, X)[1] + q(X)
                    edges = u(np.array([[0.0], [1.0]]))
                    return anp.mean(residual**2) + 0.5 * anp.sum(edges**2)
                    ### END SOLUTION
                ''',
            ),
            code("selfcheck_pinn_loss", "self_check.pinn_loss(pinn_loss, params0, X, q)"),
            tests(
                "test_pinn_loss",
                3,
                """
                # Visible tests: a network that is exactly zero (all weights zero) has u'' = 0 and
                # zero boundary values, so the loss is mean(q(X)**2).
                from types import SimpleNamespace

                # Graded, this cell runs in the grader and your code in your notebook's own process,
                # `student`: what your code differentiates must be built there, with its `ad` and `anp`.
                # In your kernel, `notebook` is simply this notebook.
                notebook = student if "student" in globals() else SimpleNamespace(**globals())
                zero_net = ad.tree_map(lambda a: 0.0 * a, params0)
                assert np.isclose(pinn_loss(zero_net, X, q), np.mean(q(X) ** 2))
                grads = notebook.ad.grad(pinn_loss)(params0, X, q)
                assert [sorted(g) for g in grads] == [["W", "b"]] * 3
                ### BEGIN HIDDEN TESTS
                """
                + hidden(
                    """
                rng_hidden = np.random.default_rng()
                for _ in range(3):
                    params = _random_net(rng_hidden)
                    M = int(rng_hidden.integers(2, 9))
                    Xh = np.sort(rng_hidden.uniform(0.0, 1.0, (M, 1)), axis=0)
                    a, k = rng_hidden.uniform(0.5, 3.0, size=2)
                    qh = lambda x, a=a, k=k: a * np.cos(k * x)
                    assert np.isclose(pinn_loss(params, Xh, qh), _ref_loss(params, Xh, qh), rtol=1e-9)
                    g_mine = student.ad.grad(pinn_loss)(params, Xh, qh)
                    g_ref = ad.grad(_ref_loss)(params, Xh, qh)
                    for a_, b_ in zip(ad.tree_leaves(g_mine), ad.tree_leaves(g_ref)):
                        assert np.allclose(a_, b_, rtol=1e-7, atol=1e-10), "wrong gradient"
                ### END HIDDEN TESTS
                """
                ),
            ),
            # ------------------------------------------------------------------ exercise 3
            md(
                "ex3",
                r"""
                ## Exercise 3: training (2 points)

                Write `train_pinn(params, X, q, steps, lr)`: `steps` steps of
                `ad.optim.Adam(lr=lr)` on `pinn_loss`, with one `ad.value_and_grad` call per
                step. Return `(params, losses)`: the trained parameters and the list of the
                loss values, each computed *before* that step's update.

                **Checked** against a reference loop on random networks (the same losses and
                parameters, to rounding), and on the rod: after 400 steps the network must
                match $\sin \pi x$ to better than 0.05.
                """,
            ),
            answer(
                "train_pinn",
                '''
                def train_pinn(params, X, q, steps, lr):
                    """Adam on pinn_loss for `steps` steps; returns (params, losses)."""
                    ### BEGIN SOLUTION
                    opt = ad.optim.Adam(lr=lr)
                    state = opt.init(params)
                    step = ad.value_and_grad(pinn_loss)
                    losses = []
                    for _ in range(steps):
                        loss, grads = step(params, X, q)
                        losses.append(float(loss))
                        params, state = opt.update(params, grads, state)
                    return params, losses
                    ### END SOLUTION
                ''',
            ),
            code("selfcheck_train_pinn", "self_check.train_pinn(train_pinn, params0, X, q)"),
            tests(
                "test_train_pinn",
                2,
                """
                # Visible tests: the rod. 400 Adam steps from params0.
                trained, losses = train_pinn(params0, X, q, 400, 0.01)
                assert len(losses) == 400 and np.isclose(losses[0], pinn_loss(params0, X, q))
                assert losses[-1] < 1e-2 * losses[0]
                x_fine = np.linspace(0.0, 1.0, 101)[:, None]
                assert np.abs(ad.nn.mlp(trained, x_fine) - np.sin(np.pi * x_fine)).max() < 0.05
                ### BEGIN HIDDEN TESTS
                """
                + hidden(
                    """
                def _ref_train(params, X, q, steps, lr):
                    opt = ad.optim.Adam(lr=lr)
                    state = opt.init(params)
                    losses = []
                    for _ in range(steps):
                        value, grads = ad.value_and_grad(_ref_loss)(params, X, q)
                        losses.append(float(value))
                        params, state = opt.update(params, grads, state)
                    return params, losses


                rng_hidden = np.random.default_rng()
                params = _random_net(rng_hidden)
                Xh = rng_hidden.uniform(0.0, 1.0, (int(rng_hidden.integers(2, 6)), 1))
                steps, lr = int(rng_hidden.integers(3, 8)), float(rng_hidden.uniform(0.001, 0.05))
                mine, l_mine = train_pinn(params, Xh, q, steps, lr)
                ref, l_ref = _ref_train(params, Xh, q, steps, lr)
                assert len(l_mine) == steps, f"{len(l_mine)} losses for {steps} steps"
                assert np.allclose(l_mine, l_ref, rtol=1e-8), "wrong losses"
                for a_, b_ in zip(ad.tree_leaves(mine), ad.tree_leaves(ref)):
                    assert np.allclose(a_, b_, rtol=1e-7, atol=1e-10), "wrong parameters"
                ### END HIDDEN TESTS
                """
                ),
            ),
            md(
                "further",
                """
                ## Going further (not graded)

                The same residual in JAX, with `jax.jvp` of `jax.jvp`, compared with yours on
                the trained network (if JAX is installed).
                """,
            ),
            code(
                "jax_check",
                """
                try:
                    import jax
                    import jax.numpy as jnp
                except ImportError:
                    print("JAX is not installed here; nothing to compare.")
                else:
                    jax.config.update("jax_enable_x64", True)

                    def u_jax(x):
                        for layer in params0[:-1]:
                            x = jnp.tanh(x @ layer["W"] + layer["b"])
                        return x @ params0[-1]["W"] + params0[-1]["b"]

                    def u_x_jax(x):
                        return jax.jvp(u_jax, (x,), (jnp.ones_like(x),))[1]

                    theirs = jax.jvp(u_x_jax, (X,), (jnp.ones_like(X),))[1]
                    try:
                        ours = input_derivatives(lambda x: ad.nn.mlp(params0, x), X)[1]
                        print(f"largest difference in u'' from JAX: {np.max(np.abs(ours - theirs)):.1e}")
                    except NotImplementedError:
                        print("Finish Exercise 1 first.")
                """,
            ),
        ]
    )


if __name__ == "__main__":
    main(LAB, build)
