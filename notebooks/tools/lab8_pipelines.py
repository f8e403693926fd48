"""Lab 8, Differentiable pipelines: the generator of its nbgrader source notebook.

Run ``python notebooks/tools/lab8_pipelines.py`` to rewrite
``notebooks/source/lab8-pipelines/lab8-pipelines.ipynb``. The visible checks of the
self-check live in ``notebooks/source/lab8-pipelines/lab8_checks.py``.
"""

# The cells' code is indented by 16 spaces here; in the notebooks it fits in 100 columns.
# ruff: noqa: E501

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from nbbuild import answer, code, main, md, notebook, tests  # noqa: E402

LAB = "lab8-pipelines"

# A reference simulator for the hidden tests (each hidden cell has its own copy), so that a
# wrong simulator in Exercise 1 does not cost marks again in Exercises 2 and 3.
REFERENCE_FLY = """
def _fly_reference(v0, k, n_steps, dt):
    vel_x, vel_y = v0[..., 0], v0[..., 1]
    pos_x, pos_y = 0.0 * vel_x, 0.0 * vel_y
    for _step in range(n_steps):
        speed = anp.sqrt(vel_x**2 + vel_y**2)
        vel_x, vel_y = vel_x - dt * k * speed * vel_x, vel_y - dt * (k * speed * vel_y + 9.81)
        pos_x, pos_y = pos_x + dt * vel_x, pos_y + dt * vel_y
    return anp.stack([pos_x, pos_y], axis=-1)

""".replace("\n", "\n                ")


def build():
    return notebook(
        [
            md(
                "intro",
                r"""
                # Lab 8: Differentiable pipelines

                This lab goes with the lesson **Differentiable pipelines** (10). You write a
                differentiable simulator of a ball with air drag, the loss of a network trained
                *through* it, and the calibration of its drag coefficient from observations.

                | | you write | points |
                |---|---|---|
                | Exercise 1 | `fly(v0, k, n_steps, dt)`: the simulator, differentiable | 3 |
                | Exercise 2 | `end_to_end_loss(params, targets, simulate)` | 3 |
                | Exercise 3 | `fit_drag(launches, observed, k0)`: calibration | 4 |
                | | **total** | **10** |

                **How it is graded.** Write your code in the answer cells, in place of
                `raise NotImplementedError(...)`; keep the names and arguments, and don't change
                the other cells. Each exercise ends with a grading cell: its visible asserts
                show the shape of the check, and when your lab is graded, hidden tests compare
                your functions with reference implementations and gradients on fresh random
                inputs, and your calibration with the true coefficient of fresh data (using a
                reference simulator, so that a mistake in Exercise 1 is not counted twice).
                Before you submit, restart the kernel and run all cells.

                **Self-check.** After each answer cell, a one-line self-check runs that
                exercise's visible checks and explains a failure in plain words. It never runs
                the hidden tests.
                """,
            ),
            code(
                "setup",
                """
                import lab8_checks as self_check  # the self-checks (visible checks only)
                import matplotlib.pyplot as plt
                import numpy as np

                import autodiff_lite as ad
                import autodiff_lite.numpy as anp

                G = 9.81
                """,
            ),
            # ------------------------------------------------------------------ exercise 1
            md(
                "ex1",
                r"""
                ## Exercise 1: the simulator (3 points)

                A ball launched from the origin with velocity $\mathbf v_0$ feels gravity $g =
                9.81$ (along $-y$) and quadratic drag: $\dot{\mathbf v} = -g \hat{\mathbf y} -
                k |\mathbf v| \mathbf v$, $\dot{\mathbf x} = \mathbf v$. Write `fly(v0, k,
                n_steps, dt)` integrating it with **semi-implicit Euler**: each step, first the
                new velocity from the acceleration at the *old* velocity,
                $\mathbf v \leftarrow \mathbf v + \Delta t\,(-g\hat{\mathbf y} - k |\mathbf v|
                \mathbf v)$, then the position with the *new* velocity,
                $\mathbf x \leftarrow \mathbf x + \Delta t\, \mathbf v$. `v0` has shape
                `(batch, 2)` (one launch per row); return the final positions, shape
                `(batch, 2)`. It must be differentiable by `ad.grad` in `v0` and `k`: use `anp`
                and arithmetic (split `v0[:, 0]`, `v0[:, 1]`, and `anp.stack` at the end).

                **Checked** (2 points values, 1 point gradient) against a reference simulator
                on random launches, drag coefficients and step sizes.
                """,
            ),
            answer(
                "fly",
                '''
                def fly(v0, k, n_steps, dt):
                    """Final positions (batch, 2) of balls launched at v0 (batch, 2) with drag k."""
                    ### BEGIN SOLUTION
                    vx, vy = v0[:, 0], v0[:, 1]
                    x, y = 0.0 * vx, 0.0 * vy
                    for _ in range(n_steps):
                        speed = anp.sqrt(vx * vx + vy * vy)
                        ax, ay = -k * speed * vx, -k * speed * vy - G
                        vx, vy = vx + dt * ax, vy + dt * ay
                        x, y = x + dt * vx, y + dt * vy
                    return anp.stack([x, y], axis=1)
                    ### END SOLUTION
                ''',
            ),
            code("selfcheck_fly", "self_check.fly(fly)"),
            tests(
                "test_fly_values",
                2,
                """
                # Visible tests: without drag, one step of 0.1 from v0 = (3, 0).
                pos = fly(np.array([[3.0, 0.0]]), 0.0, 1, 0.1)
                assert np.shape(pos) == (1, 2)
                assert np.allclose(pos, [[0.3, -0.1 * 0.1 * G]])  # vy = -0.981 after the step
                ### BEGIN HIDDEN TESTS
                """
                + REFERENCE_FLY
                + """
                rng_hidden = np.random.default_rng()
                for _ in range(8):
                    B = int(rng_hidden.integers(1, 6))
                    v0 = rng_hidden.uniform(-2, 10, size=(B, 2))
                    k, n, dt = float(rng_hidden.uniform(0, 0.3)), int(rng_hidden.integers(1, 40)), float(rng_hidden.uniform(0.01, 0.05))
                    got = np.asarray(fly(v0, k, n, dt), dtype=float)
                    assert got.shape == (B, 2), f"shape {got.shape}, expected {(B, 2)}"
                    assert np.allclose(got, _fly_reference(v0, k, n, dt), rtol=1e-10, atol=1e-12), f"k={k:.3g}, {n} steps of {dt:.3g}"
                ### END HIDDEN TESTS
                """,
            ),
            tests(
                "test_fly_gradient",
                1,
                """
                # Visible tests: the gradient flows (finite differences in k and v0).
                from types import SimpleNamespace

                # Graded, this cell runs in the grader and your code in your notebook's own process,
                # `student`: what your code differentiates must be built there, with its `ad` and `anp`.
                # In your kernel, `notebook` is simply this notebook.
                notebook = student if "student" in globals() else SimpleNamespace(**globals())
                nb_ad, nb_anp = notebook.ad, notebook.anp
                nb_ad.check_grads(lambda k: nb_anp.sum(fly(np.array([[6.0, 4.0]]), k, 10, 0.05)), (0.1,), order=1)
                nb_ad.check_grads(lambda v: nb_anp.sum(fly(v, 0.1, 10, 0.05)), (np.array([[6.0, 4.0]]),), order=1)
                # more drag, less range
                assert nb_ad.grad(lambda k: fly(np.array([[6.0, 4.0]]), k, 10, 0.05)[0, 0])(0.1) < 0
                ### BEGIN HIDDEN TESTS
                """
                + REFERENCE_FLY
                + """
                rng_hidden = np.random.default_rng()
                for _ in range(4):
                    v0, k = rng_hidden.uniform(1, 8, size=(3, 2)), float(rng_hidden.uniform(0.01, 0.3))
                    w = rng_hidden.normal(size=(3, 2))
                    def weighted(v, kk):  # differentiated in your process, where your fly runs
                        return student.anp.sum(fly(v, kk, 20, 0.04) * w)

                    got = student.ad.grad(weighted, argnums=(0, 1))(v0, k)
                    exp = ad.grad(lambda v, kk: anp.sum(w * _fly_reference(v, kk, 20, 0.04)), argnums=(0, 1))(v0, k)
                    assert np.allclose(got[0], exp[0], rtol=1e-8) and np.isclose(got[1], exp[1], rtol=1e-8), "gradients differ"
                ### END HIDDEN TESTS
                """,
            ),
            # ------------------------------------------------------------------ exercise 2
            md(
                "ex2",
                r"""
                ## Exercise 2: a network trained through the simulator (3 points)

                A network chooses the launch velocity for a target $\mathbf t$ after one second
                of flight: the drag-free answer plus a correction,
                $\mathbf v_0(\mathbf t) = \mathbf t + (0, g/2) + 5\, N_\phi\big((\mathbf t - (5,
                1))/3\big)$, with `ad.nn.mlp(params, ...)` as $N_\phi$. Write
                `end_to_end_loss(params, targets, simulate)`: for `targets` of shape `(B, 2)`,
                launch each ball with $\mathbf v_0(\mathbf t)$, run `simulate(v0)` (a function
                from launch velocities `(B, 2)` to final positions `(B, 2)`), and return the
                **mean** over the targets of the squared distance between where the ball is and
                the target. The cell after it trains a network with your loss.

                **Checked** against a reference loss, values and `ad.grad` in `params`, for
                random networks, targets and simulators.
                """,
            ),
            answer(
                "end_to_end_loss",
                '''
                def end_to_end_loss(params, targets, simulate):
                    """Mean squared miss of balls launched by the network at the targets."""
                    ### BEGIN SOLUTION
                    v0 = targets + np.array([0.0, G / 2]) + 5.0 * ad.nn.mlp(params, (targets - np.array([5.0, 1.0])) / 3.0)
                    miss = simulate(v0) - targets
                    return anp.mean(anp.sum(miss * miss, axis=1))
                    ### END SOLUTION
                ''',
            ),
            code("selfcheck_end_to_end_loss", "self_check.end_to_end_loss(end_to_end_loss)"),
            code(
                "train_demo",
                """
                # Train the network through your simulator (25 steps of 0.04 s, k = 0.1).
                try:
                    rng = np.random.default_rng(0)
                    train_targets = np.stack([rng.uniform(2, 8, 32), rng.uniform(-1, 3, 32)], axis=1)


                    def simulate(v0):
                        return fly(v0, 0.1, 25, 0.04)


                    params = ad.nn.init_mlp(np.random.default_rng(1), [2, 16, 2])
                    opt = ad.optim.Adam(0.01)
                    state = opt.init(params)
                    demo_losses = []
                    for _ in range(100):
                        loss, grads = ad.value_and_grad(end_to_end_loss)(params, train_targets, simulate)
                        params, state = opt.update(params, grads, state)
                        demo_losses.append(float(loss))
                    print(f"mean squared miss: {demo_losses[0]:.3f} before training, {demo_losses[-1]:.4f} after")
                    plt.semilogy(demo_losses)
                    plt.xlabel("Adam step")
                    plt.ylabel("mean squared miss")
                    plt.show()
                except NotImplementedError:
                    print("Finish Exercise 1 and 2 first: this cell uses your functions.")
                """,
            ),
            tests(
                "test_end_to_end_loss",
                3,
                """
                # Visible tests: a network of zeros gives the drag-free launch; training helps.
                zero_net = [{"W": np.zeros((2, 3)), "b": np.zeros(3)}, {"W": np.zeros((3, 2)), "b": np.zeros(2)}]
                t = np.array([[4.0, 1.0]])
                no_drag = lambda v0: v0 + np.array([0.0, -G / 2])  # exact without drag, T = 1
                assert np.isclose(end_to_end_loss(zero_net, t, no_drag), 0.0)
                assert demo_losses[-1] < demo_losses[0] / 10
                ### BEGIN HIDDEN TESTS
                """
                + REFERENCE_FLY
                + """
                def _reference_loss(params, targets, simulate):
                    start = targets + np.array([0.0, 9.81 / 2]) + 5.0 * ad.nn.mlp(params, (targets - np.array([5.0, 1.0])) / 3.0)
                    return anp.mean(anp.sum((simulate(start) - targets) ** 2, axis=1))


                # Your loss is differentiated in your process, so the simulator it calls must run there:
                # your self-check's reference simulator (the same as _fly_reference).
                fly_there = student.self_check._reference_fly
                rng_hidden = np.random.default_rng()
                for _ in range(4):
                    B, H = int(rng_hidden.integers(1, 8)), int(rng_hidden.integers(2, 8))
                    net = ad.nn.init_mlp(rng_hidden, [2, H, 2])
                    tg = np.stack([rng_hidden.uniform(2, 8, B), rng_hidden.uniform(-1, 3, B)], axis=1)
                    kk = float(rng_hidden.uniform(0.0, 0.2))
                    sim = lambda v0: _fly_reference(v0, kk, 10, 0.1)
                    sim_there = lambda v0: fly_there(v0, kk, 10, 0.1)
                    loss_got = end_to_end_loss(net, tg, sim_there)
                    assert np.isclose(loss_got, _reference_loss(net, tg, sim), rtol=1e-10), "loss differs"
                    g_got = student.ad.grad(end_to_end_loss)(net, tg, sim_there)
                    g_exp = ad.grad(_reference_loss)(net, tg, sim)
                    for layer_got, layer_exp in zip(g_got, g_exp):
                        for key in ("W", "b"):
                            assert np.allclose(layer_got[key], layer_exp[key], rtol=1e-8, atol=1e-12), f"gradient of {key} differs"
                ### END HIDDEN TESTS
                """,
            ),
            # ------------------------------------------------------------------ exercise 3
            md(
                "ex3",
                r"""
                ## Exercise 3: calibrating the drag coefficient (4 points)

                Balls were launched at the known velocities `launches` (shape `(B, 2)`), and
                their positions after one second (25 steps of 0.04 s) were measured,
                `observed` (shape `(B, 2)`). Write `fit_drag(launches, observed, k0)` returning
                the drag coefficient $k$ (a positive float) that makes `fly(launches, k, 25,
                0.04)` match `observed` in the least-squares sense, starting from the guess
                `k0`. Use gradients: fit $\log k$ (so that $k$ stays positive) with `ad.grad`
                and `ad.optim.Adam`, or with Newton steps using `ad.hessian`. Call your `fly`
                by its name (the hidden tests put a reference simulator in its place).

                **Checked** on fresh random launches and true coefficients between 0.02 and
                0.3, with noise-free and noisy observations: your $k$ must be within 1 %
                (noise-free) or 10 % (noisy) of the truth, starting from a guess up to 3
                times off.
                """,
            ),
            answer(
                "fit_drag",
                '''
                def fit_drag(launches, observed, k0):
                    """The drag coefficient k > 0 that best explains the observed final positions."""
                    ### BEGIN SOLUTION
                    def loss(log_k):
                        return anp.sum((fly(launches, anp.exp(log_k), 25, 0.04) - observed) ** 2)

                    log_k = np.float64(np.log(k0))
                    opt = ad.optim.Adam(0.1)
                    state = opt.init(log_k)
                    for _ in range(40):
                        log_k, state = opt.update(log_k, ad.grad(loss)(log_k), state)
                    for _ in range(5):  # Newton steps to finish
                        log_k = log_k - ad.grad(loss)(log_k) / ad.hessian(loss)(log_k)
                    return float(np.exp(log_k))
                    ### END SOLUTION
                ''',
            ),
            code("selfcheck_fit_drag", "self_check.fit_drag(fit_drag)"),
            tests(
                "test_fit_drag",
                4,
                """
                # Visible tests: noise-free landing points made with k = 0.1.
                launches = np.array([[6.0, 4.0], [8.0, 2.0], [4.0, 7.0]])
                k_fit = fit_drag(launches, fly(launches, 0.1, 25, 0.04), 0.25)
                assert k_fit > 0 and abs(k_fit - 0.1) < 1e-3, k_fit
                ### BEGIN HIDDEN TESTS
                """
                + REFERENCE_FLY
                + """
                rng_hidden = np.random.default_rng()
                # The student's fit runs on the reference simulator: in the student's process, the name
                # fly is the self-check's reference simulator (the same as _fly_reference) meanwhile.
                shell = student.get_ipython()
                _student_fly = student.fly
                shell.push({"fly": student.self_check._reference_fly})
                try:
                    for trial in range(2):
                        L = np.stack([rng_hidden.uniform(3, 9, 4), rng_hidden.uniform(0, 8, 4)], axis=1)
                        k_true = float(rng_hidden.uniform(0.02, 0.3))
                        obs = np.asarray(_fly_reference(L, k_true, 25, 0.04))
                        noisy = trial == 1
                        if noisy:
                            obs = obs + 0.02 * rng_hidden.normal(size=obs.shape)
                        k0 = k_true * float(rng_hidden.choice([1 / 3, 0.5, 2.0, 3.0]))
                        k_got = float(fit_drag(L, obs, k0))
                        tol = 0.1 if noisy else 0.01
                        assert abs(k_got / k_true - 1) < tol, f"true k {k_true:.4f}, start {k0:.4f}: got {k_got:.4f}"
                finally:
                    shell.push({"fly": _student_fly})
                ### END HIDDEN TESTS
                """,
            ),
        ]
    )


if __name__ == "__main__":
    main(LAB, build)
