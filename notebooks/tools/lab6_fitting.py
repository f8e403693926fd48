"""Lab 6, Fitting parameters with gradients: the generator of its nbgrader source notebook.

Run ``python notebooks/tools/lab6_fitting.py`` to rewrite
``notebooks/source/lab6-fitting/lab6-fitting.ipynb``. The visible checks of the self-check
live in ``notebooks/source/lab6-fitting/lab6_checks.py``.
"""

# The cells' code is indented by 16 spaces here; in the notebooks it fits in 100 columns.
# ruff: noqa: E501

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from nbbuild import answer, code, main, md, notebook, tests  # noqa: E402

LAB = "lab6-fitting"


def build():
    return notebook(
        [
            md(
                "intro",
                r"""
                # Lab 6: Fitting parameters with gradients

                This lab goes with the lesson **Fitting parameters with gradients** (08). You
                write the updates of the optimizers of that lesson yourself, then a
                differentiable simulator of a damped oscillator and the training loop that fits
                its parameters to noisy data.

                | | you write | points |
                |---|---|---|
                | Exercise 1 | `momentum_update(params, grads, velocity, lr, momentum)` | 2 |
                | Exercise 2 | `adam_update(params, grads, m, v, t, lr, b1, b2, eps)` | 3 |
                | Exercise 3 | `simulate_oscillator(theta, n_steps, dt)`, differentiable | 2 |
                | Exercise 4 | `train(loss_fn, params, opt, n_steps)`, and a fit with it | 3 |
                | | **total** | **10** |

                **How it is graded.** Write your code in the answer cells, in place of
                `raise NotImplementedError(...)`; keep the names and arguments, and don't change
                the other cells. Each exercise ends with a grading cell: its visible asserts
                show the shape of the check, and when your lab is graded, hidden tests compare
                your functions with `ad.optim` (calling `ad.optim` in your updates scores no
                points for them), with a reference simulator and with the true
                parameters of fresh random data. Before you submit, restart the kernel and run
                all cells.

                **Self-check.** After each answer cell, a one-line self-check runs that
                exercise's visible checks and explains a failure in plain words (which input,
                expected against got, and a hint for the classic mistakes). It never runs the
                hidden tests.
                """,
            ),
            code(
                "setup",
                """
                import lab6_checks as self_check  # the self-checks (visible checks only)
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
                ## Exercise 1: gradient descent with momentum (2 points)

                The heavy-ball update in PyTorch's convention (the one `ad.optim.SGD` and
                `torch.optim.SGD` use) keeps a velocity $v$, with $v = 0$ before the first
                step:

                $$ v \leftarrow \mu\, v + g, \qquad p \leftarrow p - \eta\, v , $$

                with the gradient $g$, the learning rate $\eta$ (`lr`) and the momentum $\mu$
                (`momentum`, in $[0, 1)$; $\mu = 0$ is plain gradient descent). Write
                `momentum_update(params, grads, velocity, lr, momentum)` for numpy arrays,
                returning the pair `(new_params, new_velocity)`. Do not change the arrays you
                are given (return new ones).

                **Checked** against `ad.optim.SGD(lr, momentum=momentum)` over several steps on
                random arrays, learning rates and momenta.
                """,
            ),
            answer(
                "momentum_update",
                '''
                def momentum_update(params, grads, velocity, lr, momentum):
                    """One step of SGD with momentum: returns (new_params, new_velocity)."""
                    ### BEGIN SOLUTION
                    new_velocity = momentum * velocity + grads
                    return params - lr * new_velocity, new_velocity
                    ### END SOLUTION
                ''',
            ),
            code("selfcheck_momentum_update", "self_check.momentum_update(momentum_update)"),
            tests(
                "test_momentum_update",
                2,
                """
                # Visible tests: the first step from v = 0 is plain gradient descent, then the
                # velocity adds up.
                p, g = np.array([1.0, -2.0]), np.array([0.5, 1.0])
                p1, v1 = momentum_update(p, g, np.zeros(2), 0.1, 0.9)
                assert np.allclose(v1, g) and np.allclose(p1, p - 0.1 * g)
                p2, v2 = momentum_update(p1, g, v1, 0.1, 0.9)
                assert np.allclose(v2, 1.9 * g) and np.allclose(p2, p1 - 0.19 * g)
                ### BEGIN HIDDEN TESTS
                rng_hidden = np.random.default_rng()
                for trial in range(10):
                    shape = tuple(int(n) for n in rng_hidden.integers(1, 5, size=int(rng_hidden.integers(1, 3))))
                    lr = float(rng_hidden.uniform(1e-3, 0.5))
                    mu = 0.0 if trial == 0 else float(rng_hidden.uniform(0.1, 0.99))
                    opt = ad.optim.SGD(lr, momentum=mu) if mu else ad.optim.SGD(lr)
                    p = rng_hidden.normal(size=shape)
                    state = opt.init(p)
                    ours_p, ours_v = p.copy(), np.zeros(shape)
                    for step in range(5):
                        g = rng_hidden.normal(size=shape)
                        ours_p, ours_v = momentum_update(ours_p, g, ours_v, lr, mu)
                        p, state = opt.update(p, g, state)
                        assert np.shape(ours_p) == shape, f"params: shape {np.shape(ours_p)}, expected {shape}"
                        assert np.allclose(ours_p, p, rtol=1e-12, atol=1e-14), (
                            f"step {step + 1} with lr={lr:.3g}, momentum={mu:.3g}: params differ from ad.optim.SGD"
                        )
                ### END HIDDEN TESTS
                """,
            ),
            # ------------------------------------------------------------------ exercise 2
            md(
                "ex2",
                r"""
                ## Exercise 2: Adam (3 points)

                Adam (Kingma and Ba 2015) keeps running averages of the gradient and of its
                square, $m$ and $v$ (both $0$ before the first step), and corrects their bias
                towards zero. For step number $t = 1, 2, \dots$:

                $$
                m \leftarrow \beta_1 m + (1 - \beta_1)\, g, \qquad
                v \leftarrow \beta_2 v + (1 - \beta_2)\, g^2, \qquad
                p \leftarrow p - \eta\, \frac{m / (1 - \beta_1^t)}{\sqrt{v / (1 - \beta_2^t)} + \varepsilon}
                $$

                (all elementwise). Write `adam_update(params, grads, m, v, t, lr, b1=0.9,
                b2=0.999, eps=1e-8)` returning `(new_params, new_m, new_v)`; `t` is the number
                of *this* step, 1 for the first. A check you can do by hand: on the first step,
                every coordinate moves by almost exactly `lr`, whatever the size of its
                gradient.

                **Checked** against `ad.optim.Adam(lr, betas=(b1, b2), eps=eps)` (which matches
                `torch.optim.Adam`) over many steps on random arrays, gradients of very
                different sizes included.
                """,
            ),
            answer(
                "adam_update",
                '''
                def adam_update(params, grads, m, v, t, lr, b1=0.9, b2=0.999, eps=1e-8):
                    """Step t (1 for the first) of Adam: returns (new_params, new_m, new_v)."""
                    ### BEGIN SOLUTION
                    m = b1 * m + (1 - b1) * grads
                    v = b2 * v + (1 - b2) * grads * grads
                    m_hat = m / (1 - b1**t)
                    v_hat = v / (1 - b2**t)
                    return params - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
                    ### END SOLUTION
                ''',
            ),
            code("selfcheck_adam_update", "self_check.adam_update(adam_update)"),
            tests(
                "test_adam_update",
                3,
                """
                # Visible tests: on the first step each coordinate moves by about lr.
                p, g = np.array([1.0, -2.0, 0.5]), np.array([1e-3, 5.0, -300.0])
                p1, m1, v1 = adam_update(p, g, np.zeros(3), np.zeros(3), 1, 0.01)
                assert np.allclose(p1 - p, -0.01 * np.sign(g), rtol=1e-4)
                assert np.allclose(m1, 0.1 * g) and np.allclose(v1, 0.001 * g**2)
                ### BEGIN HIDDEN TESTS
                rng_hidden = np.random.default_rng()
                for trial in range(8):
                    shape = tuple(int(n) for n in rng_hidden.integers(1, 5, size=int(rng_hidden.integers(1, 3))))
                    lr = float(rng_hidden.uniform(1e-3, 0.1))
                    b1, b2 = float(rng_hidden.uniform(0.5, 0.95)), float(rng_hidden.uniform(0.9, 0.9999))
                    eps = float(10.0 ** rng_hidden.uniform(-10, -3))
                    opt = ad.optim.Adam(lr, betas=(b1, b2), eps=eps)
                    p = rng_hidden.normal(size=shape)
                    state = opt.init(p)
                    ours_p, ours_m, ours_v = p.copy(), np.zeros(shape), np.zeros(shape)
                    scales = 10.0 ** rng_hidden.uniform(-4, 3, size=shape)
                    for t in range(1, 31):
                        g = scales * rng_hidden.normal(size=shape)
                        ours_p, ours_m, ours_v = adam_update(ours_p, g, ours_m, ours_v, t, lr, b1, b2, eps)
                        p, state = opt.update(p, g, state)
                        assert np.allclose(ours_p, p, rtol=1e-10, atol=1e-13), (
                            f"step t={t} (lr={lr:.3g}, b1={b1:.3g}, b2={b2:.4g}, eps={eps:.2g}): "
                            "params differ from ad.optim.Adam"
                        )
                        assert np.allclose(ours_m, state["m"], rtol=1e-10, atol=1e-13), f"m differs at t={t}"
                        assert np.allclose(ours_v, state["v"], rtol=1e-10, atol=1e-13), f"v differs at t={t}"
                ### END HIDDEN TESTS
                """,
            ),
            # ------------------------------------------------------------------ exercise 3
            md(
                "ex3",
                r"""
                ## Exercise 3: a differentiable simulator (2 points)

                A damped oscillator, $\ddot x = -k x - c \dot x$, starts at $x = 1$ with
                velocity $0$. Simulate it with the **semi-implicit Euler** method, which updates
                the velocity first and then moves the position with the *new* velocity:

                $$ v_{i+1} = v_i + \Delta t\,(-k x_i - c v_i), \qquad x_{i+1} = x_i + \Delta t\, v_{i+1}. $$

                Write `simulate_oscillator(theta, n_steps, dt)` with `theta = (k, c)` (a numpy
                array of 2 floats), returning the array of the `n_steps` positions
                $x_1, \dots, x_n$ (not $x_0$). It must be **differentiable** by `ad.grad` with
                respect to `theta`: compute with arithmetic on `theta[0]` and `theta[1]` and
                `anp` functions (collect the positions in a list and `anp.stack` it), never
                `np.array(...)` or `float(...)` of a traced value.

                (Explicit Euler, which moves $x$ with the *old* velocity, gains energy at every
                step; semi-implicit Euler does not, which is why simulators use it.)

                **Checked** (one point each): the positions against a reference simulator on
                random parameters; and `ad.grad` of a loss of your simulation against the
                reference gradient.
                """,
            ),
            answer(
                "simulate_oscillator",
                '''
                def simulate_oscillator(theta, n_steps, dt):
                    """Positions x_1..x_n of x'' = -k x - c x' from x = 1, x' = 0 (semi-implicit Euler)."""
                    ### BEGIN SOLUTION
                    k, c = theta[0], theta[1]
                    x, v = 1.0, 0.0
                    xs = []
                    for _ in range(n_steps):
                        v = v + dt * (-k * x - c * v)
                        x = x + dt * v
                        xs.append(x)
                    return anp.stack(xs)
                    ### END SOLUTION
                ''',
            ),
            code(
                "selfcheck_simulate_oscillator",
                "self_check.simulate_oscillator(simulate_oscillator)",
            ),
            tests(
                "test_simulate_positions",
                1,
                """
                # Visible tests: two steps by hand, k = 4, c = 0.5, dt = 0.1.
                xs = simulate_oscillator(np.array([4.0, 0.5]), 2, 0.1)
                assert np.shape(xs) == (2,)
                # v1 = -0.4, x1 = 0.96; v2 = -0.4 + 0.1 * (-3.84 + 0.2) = -0.764, x2 = 0.8836
                assert np.allclose(xs, [0.96, 0.8836])
                ### BEGIN HIDDEN TESTS
                """
                + """
                def _reference_simulation(theta, n_steps, dt):
                    k, c = theta[0], theta[1]
                    x, v, out = 1.0, 0.0, []
                    for _ in range(n_steps):
                        v = v + dt * (-k * x - c * v)
                        x = x + dt * v
                        out.append(x)
                    return np.array(out)


                rng_hidden = np.random.default_rng()
                for _ in range(10):
                    theta = np.array([rng_hidden.uniform(0.5, 20.0), rng_hidden.uniform(0.0, 2.0)])
                    n, dt = int(rng_hidden.integers(1, 80)), float(rng_hidden.uniform(0.01, 0.1))
                    got = np.asarray(simulate_oscillator(theta, n, dt), dtype=float)
                    assert got.shape == (n,), f"expected {n} positions, got shape {got.shape}"
                    assert np.allclose(got, _reference_simulation(theta, n, dt), rtol=1e-10, atol=1e-12), (
                        f"positions differ for theta={theta}, n_steps={n}, dt={dt:.3g}"
                    )
                ### END HIDDEN TESTS
                """,
            ),
            tests(
                "test_simulate_gradient",
                1,
                """
                # Visible tests: the gradient flows through your simulator (finite differences).
                from types import SimpleNamespace

                # Graded, this cell runs in the grader and your code in your notebook's own process,
                # `student`: what your code differentiates must be built there, with its `ad` and `anp`.
                # In your kernel, `notebook` is simply this notebook.
                notebook = student if "student" in globals() else SimpleNamespace(**globals())
                data = np.cos(2.0 * 0.05 * np.arange(1, 41))


                def sim_loss(theta):
                    return notebook.anp.mean((simulate_oscillator(theta, 40, 0.05) - data) ** 2)


                notebook.ad.check_grads(sim_loss, (np.array([3.0, 0.5]),), order=1)
                assert np.linalg.norm(notebook.ad.grad(sim_loss)(np.array([3.0, 0.5]))) > 1e-3
                ### BEGIN HIDDEN TESTS
                """
                + """
                def _reference_simulation_ad(theta, n_steps, dt):
                    k, c = theta[0], theta[1]
                    x, v, out = 1.0, 0.0, []
                    for _ in range(n_steps):
                        v = v + dt * (-k * x - c * v)
                        x = x + dt * v
                        out.append(x)
                    return anp.stack(out)


                rng_hidden = np.random.default_rng()
                for _ in range(5):
                    n, dt = int(rng_hidden.integers(10, 60)), float(rng_hidden.uniform(0.02, 0.08))
                    target = rng_hidden.normal(size=n)
                    theta = np.array([rng_hidden.uniform(0.5, 10.0), rng_hidden.uniform(0.0, 1.0)])

                    def loss_of(sim, anp):  # with your process's anp for your simulator
                        return lambda th: anp.sum(sim(th, n, dt) * target) + anp.mean(sim(th, n, dt) ** 2)

                    ours = student.ad.grad(loss_of(simulate_oscillator, student.anp))(theta)
                    expected = ad.grad(loss_of(_reference_simulation_ad, anp))(theta)
                    assert np.allclose(ours, expected, rtol=1e-9, atol=1e-12), (
                        f"gradient for theta={theta}: {ours}, expected {expected}"
                    )
                ### END HIDDEN TESTS
                """,
            ),
            # ------------------------------------------------------------------ exercise 4
            md(
                "ex4",
                r"""
                ## Exercise 4: the training loop, and a fit (3 points)

                Write `train(loss_fn, params, opt, n_steps)`: starting from `params` (any pytree:
                an array, or a dict of arrays), make `n_steps` steps of the optimizer `opt`
                (an `ad.optim.SGD` or `ad.optim.Adam`: `state = opt.init(params)` once, then
                `params, state = opt.update(params, grads, state)` each step), and return
                `(params, losses)`, where `losses` is the list of the `n_steps` floats
                `losses[i]` = the loss **before** update `i`. Use `ad.value_and_grad(loss_fn)`,
                which gives the loss and its gradient in one pass.

                Then the cell below uses your `train` and your simulator to fit $\theta = (k,
                c)$ to noisy observations of an oscillator with $k = 4$, $c = 0.3$.

                **Checked** (one point each, and one for the fit): against a reference loop
                with the same optimizer on random quadratic losses with dict parameters
                (SGD, momentum and Adam); and by fitting fresh random oscillators from a nearby
                start, which must recover their $k$ and $c$.
                """,
            ),
            answer(
                "train",
                '''
                def train(loss_fn, params, opt, n_steps):
                    """n_steps of opt on loss_fn from params: returns (params, losses before each step)."""
                    ### BEGIN SOLUTION
                    state = opt.init(params)
                    losses = []
                    for _ in range(n_steps):
                        loss, grads = ad.value_and_grad(loss_fn)(params)
                        params, state = opt.update(params, grads, state)
                        losses.append(float(loss))
                    return params, losses
                    ### END SOLUTION
                ''',
            ),
            code("selfcheck_train", "self_check.train(train)"),
            tests(
                "test_train",
                2,
                """
                # Visible tests: one step of SGD on (p - 3)^2 from p = 0, by hand.
                from types import SimpleNamespace

                # Graded, this cell runs in the grader and your code in your notebook's own process,
                # `student`: what your code differentiates must be built there, with its `ad` and `anp`.
                # In your kernel, `notebook` is simply this notebook.
                notebook = student if "student" in globals() else SimpleNamespace(**globals())
                p, losses = train(lambda p: (p - 3.0) ** 2, np.float64(0.0), notebook.ad.optim.SGD(0.25), 1)
                assert np.allclose(losses, [9.0]) and np.isclose(p, 1.5)  # 0 - 0.25 * (-6)
                p, losses = train(lambda p: (p - 3.0) ** 2, np.float64(0.0), notebook.ad.optim.SGD(0.25), 10)
                assert len(losses) == 10 and losses[-1] < losses[0] and np.isclose(p, 3.0, atol=1e-2)
                ### BEGIN HIDDEN TESTS
                """
                + """
                def _reference_train(loss_fn, params, opt, n_steps):
                    state, losses = opt.init(params), []
                    for _ in range(n_steps):
                        loss, grads = ad.value_and_grad(loss_fn)(params)
                        params, state = opt.update(params, grads, state)
                        losses.append(float(loss))
                    return params, losses


                rng_hidden = np.random.default_rng()
                for trial in range(6):
                    d = int(rng_hidden.integers(1, 5))
                    Q = rng_hidden.normal(size=(d, d))
                    H = Q @ Q.T + np.eye(d)
                    target, b_target = rng_hidden.normal(size=d), float(rng_hidden.normal())

                    def loss_with(anp):  # your train differentiates it with your process's anp
                        def loss_fn(p):
                            r = p["w"] - target
                            return 0.5 * r @ H @ r + anp.sum(anp.tanh(p["w"])) + (p["b"] - b_target) ** 2

                        return loss_fn

                    p0 = {"w": rng_hidden.normal(size=d), "b": np.float64(rng_hidden.normal())}
                    make = [
                        lambda ad: ad.optim.SGD(0.05),
                        lambda ad: ad.optim.SGD(0.02, momentum=0.9),
                        lambda ad: ad.optim.Adam(0.05),
                    ][trial % 3]
                    n = int(rng_hidden.integers(5, 30))
                    got_p, got_losses = train(loss_with(student.anp), p0, make(student.ad), n)
                    exp_p, exp_losses = _reference_train(loss_with(anp), p0, make(ad), n)
                    assert len(got_losses) == n, f"expected {n} losses, got {len(got_losses)}"
                    assert np.allclose(got_losses, exp_losses, rtol=1e-10), f"losses differ with {make(ad)}"
                    for key in ("w", "b"):
                        assert np.allclose(got_p[key], exp_p[key], rtol=1e-10), f"params[{key!r}] differ with {make(ad)}"
                ### END HIDDEN TESTS
                """,
            ),
            code(
                "fit_demo",
                """
                # The fit: noisy observations of an oscillator with k = 4, c = 0.3, fitted with
                # your train and your simulator, starting from k = 3, c = 1.
                try:
                    n_steps, dt = 100, 0.075
                    t = dt * np.arange(1, n_steps + 1)
                    theta_true = np.array([4.0, 0.3])
                    data = simulate_oscillator(theta_true, n_steps, dt)
                    data = data + 0.05 * np.random.default_rng(0).normal(size=n_steps)


                    def fit_loss(theta):
                        r = simulate_oscillator(theta, n_steps, dt) - data
                        return anp.mean(r * r)


                    theta_fit, fit_losses = train(fit_loss, np.array([3.0, 1.0]), ad.optim.Adam(0.03), 120)
                    print(f"fitted k = {theta_fit[0]:.3f}, c = {theta_fit[1]:.3f}; final loss {fit_losses[-1]:.4f}")
                    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
                    ax1.plot(t, data, ".", ms=3, color="0.5", label="data")
                    ax1.plot(t, simulate_oscillator(theta_fit, n_steps, dt), label="fit")
                    ax1.set(xlabel="time", ylabel="x")
                    ax1.legend()
                    ax2.semilogy(fit_losses)
                    ax2.set(xlabel="step", ylabel="loss")
                    plt.show()
                except NotImplementedError:
                    print("Finish Exercise 3 and 4 first: this cell uses your functions.")
                """,
            ),
            tests(
                "test_fit",
                1,
                """
                # Visible tests: the fit above found the true parameters.
                assert np.allclose(theta_fit, theta_true, atol=0.1), theta_fit
                assert fit_losses[-1] < 0.01 < fit_losses[0]
                ### BEGIN HIDDEN TESTS
                """
                + """
                def _reference_simulation_fit(theta, n_steps, dt):
                    k, c = theta[0], theta[1]
                    x, v, out = 1.0, 0.0, []
                    for _ in range(n_steps):
                        v = v + dt * (-k * x - c * v)
                        x = x + dt * v
                        out.append(x)
                    return anp.stack(out)


                # Your train differentiates the loss in your process: there, the loss simulates with
                # your self-check's reference simulator (the same semi-implicit Euler as above), so
                # that the 80 steps run in one call rather than one question to the grader each.
                simulate_there, mean_there = student.self_check._simulate, student.anp.mean
                rng_hidden = np.random.default_rng()
                for _ in range(2):
                    true = np.array([rng_hidden.uniform(2.0, 8.0), rng_hidden.uniform(0.1, 0.6)])
                    noisy = _reference_simulation_fit(true, 80, 0.075) + 0.02 * rng_hidden.normal(size=80)

                    def hidden_loss(theta):
                        r = simulate_there(theta, 80, 0.075) - noisy
                        return mean_there(r * r)

                    start = true * np.array([rng_hidden.uniform(0.85, 1.15), rng_hidden.uniform(0.5, 2.0)])
                    fitted, fit_l = train(hidden_loss, start, student.ad.optim.Adam(0.02), 150)
                    assert np.allclose(fitted, true, atol=0.08), f"fit from {start} found {fitted}, truth {true}"
                ### END HIDDEN TESTS
                """,
            ),
            md(
                "further",
                """
                ## Going further (not graded)

                Start the fit from $k = 14$ instead. Plot the loss against $k$ (with $c$ fixed)
                to see why it does not find $k = 4$; the lesson explains the local minima. Then
                try $\\theta = (\\log k, \\log c)$ as the parameters.
                """,
            ),
        ]
    )


if __name__ == "__main__":
    main(LAB, build)
