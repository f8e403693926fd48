"""Lab 17, a differentiable simulator: the generator of its nbgrader source notebook.

Run ``python notebooks/tools/lab17_simulator.py`` to rewrite
``notebooks/source/lab17-simulator/lab17-simulator.ipynb``. The visible checks of the
self-check live in ``notebooks/source/lab17-simulator/lab17_checks.py``.
"""

# The cells' code is indented by 16 spaces here; in the notebooks it fits in 100 columns.
# ruff: noqa: E501

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from nbbuild import answer, code, main, md, notebook, tests  # noqa: E402

LAB = "lab17-simulator"

# References, repeated in each hidden-tests cell so that each is self-contained. The hidden
# tests of Exercises 2 and 3 put the reference step in place of the student's verlet_step (the
# name is rebound in the student's process, where simulate looks it up), so that a mistake in
# Exercise 1 is not charged again; there it steps the student's traced values, with the
# notebook's chain_acceleration of the student's process.
REFERENCE = r"""
def _ref_step(state, k, gamma, dt, acceleration=chain_acceleration):
    x, v = state
    half = v + 0.5 * dt * acceleration(x, v, k, gamma)
    x = x + dt * half
    return x, half + 0.5 * dt * acceleration(x, half, k, gamma)


def _ref_simulate(k, gamma, x0, v0, n_steps, dt, sensors, every):
    state, rows = (x0, v0), []
    for t in range(n_steps):
        state = _ref_step(state, k, gamma, dt)
        if (t + 1) % every == 0:
            rows.append(state[0][sensors])
    return anp.stack(rows)


class _ReferenceStep:
    # Within `with _ReferenceStep() as calls:`, the name verlet_step in the student's process
    # is the reference step, counting calls.
    def __enter__(self):
        self.shell, self.saved = student.get_ipython(), student.verlet_step
        self.calls = [0]

        def counting(*args, **kwargs):
            self.calls[0] += 1
            return _ref_step(*args, **kwargs, acceleration=student.chain_acceleration)

        self.shell.push({"verlet_step": counting})
        return self.calls

    def __exit__(self, *exc):
        self.shell.push({"verlet_step": self.saved})


def _random_problem(rng_hidden):
    n = int(rng_hidden.integers(3, 9))
    x0, v0 = rng_hidden.normal(size=n), 0.3 * rng_hidden.normal(size=n)
    k, gamma = float(rng_hidden.uniform(0.5, 2.0)), float(rng_hidden.uniform(0.0, 0.3))
    sensors = np.sort(rng_hidden.choice(n, size=int(rng_hidden.integers(1, n + 1)), replace=False))
    return n, x0, v0, k, gamma, sensors

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
                # Lab 17: A differentiable simulator

                This lab goes with the case study **Calibrating a differentiable simulator**
                (19). A chain of masses joined by springs, with fixed ends, stiffness $k$ and
                damping $\gamma$, obeys

                $$ \ddot x_i = k\,(x_{i+1} - 2 x_i + x_{i-1}) - \gamma\, \dot x_i,
                \qquad x_0 = x_{n+1} = 0 . $$

                You will write its leapfrog time step, the simulator that records sensor
                readings, and a checkpointed version whose gradient needs far less memory.

                | | you write | points |
                |---|---|---|
                | Exercise 1 | `verlet_step(state, k, gamma, dt)`, one velocity Verlet step | 2 |
                | Exercise 2 | `simulate(k, gamma, x0, v0, n_steps, dt, sensors, every)`, the readings | 2 |
                | Exercise 3 | `simulate_checkpointed(..., segment)`, the same with `ad.checkpoint` | 3 |
                | | **total** | **7** |

                **How it is graded.** Write your code in the answer cells, in place of
                `raise NotImplementedError(...)`; keep the names and arguments, and don't change
                the other cells. Use `anp` (`autodiff_lite.numpy`) for values that may be
                traced: the tests differentiate your simulator with respect to $k$ and
                $\gamma$. Each exercise ends with a grading cell: visible asserts show the shape
                of the check, and hidden tests compare your functions with a reference on fresh
                random chains. Before you submit, restart the kernel and run all cells.

                **Self-check.** After each answer cell, a one-line self-check runs that
                exercise's visible checks and explains a failure in plain words. It never runs
                the hidden tests.
                """,
            ),
            code(
                "setup",
                """
                import lab17_checks as self_check  # the self-checks (visible checks only)
                import numpy as np

                import autodiff_lite as ad
                import autodiff_lite.numpy as anp


                def chain_acceleration(x, v, k, gamma):
                    \"\"\"The acceleration of every mass: springs to both neighbours (fixed ends), damping.\"\"\"
                    n = anp.shape(x)[0]
                    laplacian = -2 * np.eye(n) + np.eye(n, k=1) + np.eye(n, k=-1)
                    return k * (x @ laplacian) - gamma * v
                """,
            ),
            # ------------------------------------------------------------------ exercise 1
            md(
                "ex1",
                r"""
                ## Exercise 1: one leapfrog step (2 points)

                Write `verlet_step(state, k, gamma, dt)` for `state = (x, v)`, returning the new
                pair `(x, v)` after one velocity Verlet step, with `a = chain_acceleration`:

                $$
                v_{1/2} = v + \tfrac{\Delta t}{2}\, a(x, v), \qquad
                x' = x + \Delta t\, v_{1/2}, \qquad
                v' = v_{1/2} + \tfrac{\Delta t}{2}\, a(x', v_{1/2}) .
                $$

                (The damping in the second half-kick uses $v_{1/2}$, which keeps the step
                explicit.)

                **Checked** against a reference on random chains, and for its derivatives with
                respect to $k$ and $\gamma$. Without damping, the energy must stay close to its
                start over many steps; with explicit Euler it would not.
                """,
            ),
            answer(
                "verlet_step",
                '''
                def verlet_step(state, k, gamma, dt):
                    """One velocity Verlet step of the chain: (x, v) -> (x', v')."""
                    ### BEGIN SOLUTION
                    x, v = state
                    v_half = v + 0.5 * dt * chain_acceleration(x, v, k, gamma)
                    x_new = x + dt * v_half
                    v_new = v_half + 0.5 * dt * chain_acceleration(x_new, v_half, k, gamma)
                    return x_new, v_new
                    ### END SOLUTION
                ''',
            ),
            code(
                "selfcheck_verlet_step", "self_check.verlet_step(verlet_step, chain_acceleration)"
            ),
            tests(
                "test_verlet_step",
                2,
                """
                # Visible tests: a single mass between two springs, x'' = -2k x, from x = 1 at rest.
                x, v = verlet_step((np.array([1.0]), np.array([0.0])), 1.0, 0.0, 0.1)
                assert np.allclose(x, [0.99]) and np.allclose(v, [-0.199])


                def energy(x, v, k):
                    stretch = np.diff(np.concatenate([[0.0], x, [0.0]]))
                    return 0.5 * np.sum(v**2) + 0.5 * k * np.sum(stretch**2)


                state = (np.sin(np.linspace(0.3, 2.8, 6)), np.zeros(6))
                e0 = energy(*state, 1.0)
                for _ in range(1000):
                    state = verlet_step(state, 1.0, 0.0, 0.2)
                assert abs(energy(*state, 1.0) / e0 - 1) < 0.02  # bounded energy error
                ### BEGIN HIDDEN TESTS
                """
                + hidden(
                    """
                rng_hidden = np.random.default_rng()
                for _ in range(10):
                    n, x0, v0, k, gamma, _ = _random_problem(rng_hidden)
                    dt = float(rng_hidden.uniform(0.01, 0.3))
                    got = verlet_step((x0, v0), k, gamma, dt)
                    ref = _ref_step((x0, v0), k, gamma, dt)
                    assert np.allclose(got[0], ref[0], rtol=1e-10) and np.allclose(got[1], ref[1], rtol=1e-10)
                    w = rng_hidden.normal(size=n)
                    for argnum in (1, 2):
                        mine = student.ad.grad(
                            lambda k, g: student.anp.sum(w * verlet_step((x0, v0), k, g, dt)[1]), argnums=argnum - 1
                        )(k, gamma)
                        theirs = ad.grad(lambda k, g: anp.sum(w * _ref_step((x0, v0), k, g, dt)[1]), argnums=argnum - 1)(k, gamma)
                        assert np.isclose(mine, theirs, rtol=1e-9, atol=1e-12), "derivative in k or gamma"
                ### END HIDDEN TESTS
                """
                ),
            ),
            # ------------------------------------------------------------------ exercise 2
            md(
                "ex2",
                r"""
                ## Exercise 2: the simulator (2 points)

                Write `simulate(k, gamma, x0, v0, n_steps, dt, sensors, every)`: start from
                `(x0, v0)`, take `n_steps` steps with your `verlet_step`, and after every
                `every`-th step (steps `every`, `2 * every`, ...) record the displacements of
                the masses `sensors` (an integer array). Return the readings stacked into an
                array of shape `(n_steps // every, len(sensors))` (`anp.stack`).

                **Checked** against a reference on random chains: the readings, and their
                gradient with respect to $k$ and $\gamma$ (reverse mode through every step).
                """,
            ),
            answer(
                "simulate",
                '''
                def simulate(k, gamma, x0, v0, n_steps, dt, sensors, every):
                    """Readings x[sensors] after every `every`-th of n_steps Verlet steps."""
                    ### BEGIN SOLUTION
                    state, readings = (x0, v0), []
                    for t in range(1, n_steps + 1):
                        state = verlet_step(state, k, gamma, dt)
                        if t % every == 0:
                            readings.append(state[0][sensors])
                    return anp.stack(readings)
                    ### END SOLUTION
                ''',
            ),
            code("selfcheck_simulate", "self_check.simulate(simulate, chain_acceleration)"),
            tests(
                "test_simulate",
                2,
                """
                # Visible tests: shape, the first reading, and a gradient in k.
                from types import SimpleNamespace

                # Graded, this cell runs in the grader and your code in your notebook's own process,
                # `student`: what your code differentiates must be built there, with its `ad` and `anp`.
                # In your kernel, `notebook` is simply this notebook.
                notebook = student if "student" in globals() else SimpleNamespace(**globals())
                x0, v0 = np.sin(np.linspace(0.5, 2.5, 5)), np.zeros(5)
                readings = simulate(1.0, 0.1, x0, v0, 20, 0.1, np.array([1, 3]), 5)
                assert np.shape(readings) == (4, 2)
                state = (x0, v0)
                for _ in range(5):
                    state = verlet_step(state, 1.0, 0.1, 0.1)
                assert np.allclose(readings[0], state[0][[1, 3]])
                d_k = notebook.ad.grad(
                    lambda k: notebook.anp.sum(simulate(k, 0.1, x0, v0, 20, 0.1, np.array([1, 3]), 5))
                )(1.0)
                assert np.isfinite(d_k) and d_k != 0.0
                ### BEGIN HIDDEN TESTS
                """
                + hidden(
                    """
                rng_hidden = np.random.default_rng()
                for _ in range(4):
                    n, x0, v0, k, gamma, sensors = _random_problem(rng_hidden)
                    every = int(rng_hidden.integers(1, 5))
                    n_steps = every * int(rng_hidden.integers(1, 8)) + int(rng_hidden.integers(0, every))
                    args = (x0, v0, n_steps, 0.1, sensors, every)
                    with _ReferenceStep():
                        got = simulate(k, gamma, *args)
                        expected = _ref_simulate(k, gamma, *args)
                        assert np.shape(got) == np.shape(expected), f"shape {np.shape(got)}, expected {np.shape(expected)}"
                        assert np.allclose(got, expected, rtol=1e-10, atol=1e-12), "wrong readings"
                        w = rng_hidden.normal(size=np.shape(expected))
                        mine = student.ad.grad(
                            lambda k, g: student.anp.sum(w * simulate(k, g, *args)), argnums=(0, 1)
                        )(k, gamma)
                        theirs = ad.grad(lambda k, g: anp.sum(w * _ref_simulate(k, g, *args)), argnums=(0, 1))(k, gamma)
                        assert np.allclose(mine, theirs, rtol=1e-9, atol=1e-12), "wrong gradient"
                ### END HIDDEN TESTS
                """
                ),
            ),
            # ------------------------------------------------------------------ exercise 3
            md(
                "ex3",
                r"""
                ## Exercise 3: a checkpointed simulator (3 points)

                Reverse mode through `simulate` keeps the tape of every step. Write
                `simulate_checkpointed(k, gamma, x0, v0, n_steps, dt, sensors, every, segment)`,
                which returns exactly what `simulate` returns, but runs the steps in segments of
                `segment` steps, each wrapped with `ad.checkpoint`: a segment keeps only its
                inputs during the forward pass and is recomputed, with a tape, during the
                backward pass. You may assume that `segment` is a multiple of `every` and
                `n_steps` a multiple of `segment`.

                Write a function `run_segment(x, v, k, gamma)` that takes `segment` steps with
                `verlet_step` and returns `(x, v, readings of this segment)`, wrap it once with
                `ad.checkpoint`, call it `n_steps // segment` times, and concatenate the
                readings (`anp.concatenate`). Pass `k` and `gamma` **as arguments** of the
                segment: `ad.checkpoint` recomputes a function from its arguments, and a traced
                value captured from outside would escape it.

                **Checked** against the reference simulator (readings and gradients), and by
                counting: under `ad.grad`, a checkpointed simulator runs every step exactly
                twice (once without a tape, once recording), a plain one once.
                """,
            ),
            answer(
                "simulate_checkpointed",
                '''
                def simulate_checkpointed(k, gamma, x0, v0, n_steps, dt, sensors, every, segment):
                    """simulate(...), with each segment of `segment` steps checkpointed."""
                    ### BEGIN SOLUTION
                    def run_segment(x, v, k, gamma):
                        state, readings = (x, v), []
                        for t in range(1, segment + 1):
                            state = verlet_step(state, k, gamma, dt)
                            if t % every == 0:
                                readings.append(state[0][sensors])
                        return state[0], state[1], anp.stack(readings)

                    run_segment = ad.checkpoint(run_segment)
                    x, v, pieces = x0, v0, []
                    for _ in range(n_steps // segment):
                        x, v, piece = run_segment(x, v, k, gamma)
                        pieces.append(piece)
                    return anp.concatenate(pieces, axis=0)
                    ### END SOLUTION
                ''',
            ),
            code(
                "selfcheck_simulate_checkpointed",
                "self_check.simulate_checkpointed(simulate_checkpointed, chain_acceleration)",
            ),
            tests(
                "test_simulate_checkpointed",
                3,
                """
                # Visible tests: the same readings and gradient as simulate, 40 steps in segments of 10.
                from types import SimpleNamespace

                # Graded, this cell runs in the grader and your code in your notebook's own process,
                # `student`: what your code differentiates must be built there, with its `ad` and `anp`.
                # In your kernel, `notebook` is simply this notebook.
                notebook = student if "student" in globals() else SimpleNamespace(**globals())
                x0, v0 = np.sin(np.linspace(0.5, 2.5, 5)), np.zeros(5)
                args = (x0, v0, 40, 0.1, np.array([1, 3]), 5)
                assert np.allclose(simulate_checkpointed(1.0, 0.1, *args, 10), simulate(1.0, 0.1, *args))
                g_ckpt = notebook.ad.grad(
                    lambda k: notebook.anp.sum(simulate_checkpointed(k, 0.1, *args, 10) ** 2)
                )(1.0)
                g_plain = notebook.ad.grad(lambda k: notebook.anp.sum(simulate(k, 0.1, *args) ** 2))(1.0)
                assert np.isclose(g_ckpt, g_plain, rtol=1e-10)
                ### BEGIN HIDDEN TESTS
                """
                + hidden(
                    """
                rng_hidden = np.random.default_rng()
                for _ in range(3):
                    n, x0, v0, k, gamma, sensors = _random_problem(rng_hidden)
                    every = int(rng_hidden.integers(1, 4))
                    segment = every * int(rng_hidden.integers(1, 4))
                    n_steps = segment * int(rng_hidden.integers(2, 5))
                    args = (x0, v0, n_steps, 0.1, sensors, every)
                    with _ReferenceStep() as calls:
                        got = simulate_checkpointed(k, gamma, *args, segment)
                        expected = _ref_simulate(k, gamma, *args)
                        assert np.shape(got) == np.shape(expected), f"shape {np.shape(got)}"
                        assert np.allclose(got, expected, rtol=1e-10, atol=1e-12), "wrong readings"
                        w = rng_hidden.normal(size=np.shape(expected))
                        calls[0] = 0
                        mine = student.ad.grad(
                            lambda k, g: student.anp.sum(w * simulate_checkpointed(k, g, *args, segment)),
                            argnums=(0, 1),
                        )(k, gamma)
                        assert calls[0] == 2 * n_steps, (
                            f"under ad.grad your simulator ran {calls[0]} steps for n_steps = {n_steps}; "
                            "a checkpointed one runs each step twice"
                        )
                        theirs = ad.grad(lambda k, g: anp.sum(w * _ref_simulate(k, g, *args)), argnums=(0, 1))(k, gamma)
                        assert np.allclose(mine, theirs, rtol=1e-9, atol=1e-12), "wrong gradient"
                ### END HIDDEN TESTS
                """
                ),
            ),
            md(
                "further",
                """
                ## Going further (not graded)

                Calibrate the chain: simulate readings with $k = 1$, $\\gamma = 0.05$, add noise,
                and recover both constants from a guess with Adam on the logarithms, through
                your checkpointed simulator. Then compare the peak memory of one gradient with
                and without checkpointing (`tracemalloc`).
                """,
            ),
            code(
                "calibrate",
                """
                import tracemalloc

                x0 = np.exp(-0.5 * ((np.arange(24) - 8) / 2.0) ** 2)
                v0, sensors = np.zeros(24), np.array([4, 12, 19])
                setup = (x0, v0, 160, 0.2, sensors, 5)
                try:
                    data = simulate(1.0, 0.05, *setup) + 0.01 * np.random.default_rng(0).normal(size=(32, 3))

                    def loss(p):
                        readings = simulate_checkpointed(anp.exp(p[0]), anp.exp(p[1]), *setup, 20)
                        return anp.mean((readings - data) ** 2)

                    opt = ad.optim.Adam(lr=0.1)
                    p = np.log([0.85, 0.1])
                    state = opt.init(p)
                    for _ in range(25):
                        value, grads = ad.value_and_grad(loss)(p)
                        p, state = opt.update(p, grads, state)
                    print(f"k = {np.exp(p[0]):.3f}, gamma = {np.exp(p[1]):.4f} (true 1 and 0.05)")
                    for name, fn in [
                        ("plain", lambda p: anp.mean((simulate(anp.exp(p[0]), anp.exp(p[1]), *setup) - data) ** 2)),
                        ("checkpointed", loss),
                    ]:
                        tracemalloc.start()
                        ad.grad(fn)(p)
                        print(f"{name}: peak {tracemalloc.get_traced_memory()[1] / 1e6:.2f} MB")
                        tracemalloc.stop()
                except NotImplementedError:
                    print("Finish the exercises first.")
                """,
            ),
        ]
    )


if __name__ == "__main__":
    main(LAB, build)
