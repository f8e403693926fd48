"""Self-checks for Lab 10 (memory and checkpointing): the VISIBLE checks of each exercise.

Each function runs one exercise's visible checks on your function and prints a report: which
input, what was expected, what you returned, and a hint for the classic mistakes: counting a
value twice or a constant at every step, starting theta_bar at zero or overwriting it instead
of adding each segment's share, thinking the recomputation is shared by all the backward
passes, undoing the kick before the drift, comparing passes without checking memory. Passing
them is necessary, not sufficient: the hidden tests use other inputs.
"""

import numpy as np

import autodiff_lite as ad
import autodiff_lite.numpy as anp
from autodiff_lite.recording import record
from autodiff_lite.selfcheck import Case, check

MB = 1e6
DT = 0.05


def _pendulum_step(x, v, k, dt):
    v = v - dt * (k * anp.sin(x))
    x = x + dt * v
    return x, v


def _pendulum_loss(x, v, k, n_steps, dt=DT):
    for _ in range(n_steps):
        x, v = _pendulum_step(x, v, k, dt)
    return anp.sum(x * x)


def _measured_tape(n_steps, d):
    """(nodes, distinct bytes) of the recorded tape: the library's count, not a formula."""
    rng = np.random.default_rng(3)
    x, v, k = rng.normal(size=d), rng.normal(size=d), rng.uniform(0.5, 2.0, size=d)
    rec = record(lambda x, v, k: _pendulum_loss(x, v, k, n_steps), x, v, k)
    sizes = {}
    for node in rec.nodes:
        for value in (node.ans, *node.args):
            sizes[id(value)] = np.asarray(value).nbytes
    return len(rec.nodes), sum(sizes.values())


# ----------------------------------------------------------------------------
# Exercise 1
# ----------------------------------------------------------------------------


def predict_tape(predict_nodes, predict_bytes) -> bool:
    """Exercise 1: predict_tape_nodes(n_steps), predict_tape_bytes(n_steps, d)."""
    node_cases = [
        Case(
            args=(n,),
            expected=_measured_tape(n, 4)[0],
            name=f"{n} steps",
            hints={
                lambda got, n=n: got == 6 * n + 1: "the loss has two nodes: x * x, then the sum",
                lambda got, n=n: got == 5 * n + 2: "count the nodes of one step again: "
                "dt * (k * sin(x)) is three operations",
            },
        )
        for n in (1, 4)
    ]
    byte_cases = [
        Case(
            args=(n, d),
            expected=_measured_tape(n, d)[1],
            name=f"{n} steps on {d} pendulums",
            hints={
                lambda got, n=n, d=d: got == _measured_tape(n, d)[1] + 8 * d * (n - 1): "k is "
                "one array, kept by every step's k * sin(x) node: count it once",
                lambda got, n=n, d=d: got == _measured_tape(n, d)[1] - 8: "DT is on the tape "
                "too, once (8 bytes): the same Python float at every step",
                lambda got, n=n, d=d: got == _measured_tape(n, d)[1] - 8 * d: "x * x keeps x "
                "once, but its output is a new vector",
            },
        )
        for n, d in [(1, 10), (4, 1000)]
    ]
    return all(
        [
            check("predict_tape_nodes", predict_nodes, node_cases),
            check("predict_tape_bytes", predict_bytes, byte_cases),
        ]
    )


# ----------------------------------------------------------------------------
# Exercise 2
# ----------------------------------------------------------------------------


def _step(x, theta):
    return anp.sin(x) * theta + 0.1


def _loss(x, theta):
    return anp.sum(x * x) + 0.3 * anp.sum(theta * theta)


def _full(x0, theta, n_steps):
    def total(x, theta):
        for _ in range(n_steps):
            x = _step(x, theta)
        return _loss(x, theta)

    return ad.grad(total, argnums=(0, 1))(x0, theta)


def checkpointed_grad(fn) -> bool:
    """Exercise 2: checkpointed_grad(step, loss, x0, theta, n_steps, every) against ad.grad."""
    x0, theta = np.linspace(-1.0, 1.0, 5), np.full(5, 0.8)
    from_loss = ad.grad(_loss, argnums=1)
    cases = []
    for n_steps, every in [(12, 4), (10, 3), (6, 1), (6, 6)]:
        expected = _full(x0, theta, n_steps)
        x_n = x0
        for _ in range(n_steps):
            x_n = _step(x_n, theta)

        def no_penalty(got, expected=expected, x_n=x_n):
            return np.allclose(got[1], expected[1] - from_loss(x_n, theta))

        cases.append(
            Case(
                args=(_step, _loss, x0, theta, n_steps, every),
                expected=tuple(expected),
                name=f"{n_steps} steps in segments of {every}, loss sum(x**2) + 0.3 sum(theta**2)",
                rtol=1e-9,
                atol=1e-12,
                hints={
                    no_penalty: "theta_bar misses the loss's own dL/dtheta (the penalty): "
                    "start theta_bar there, not at zero",
                    lambda got, expected=expected: (
                        np.allclose(got[0], expected[0]) and not np.allclose(got[1], expected[1])
                    ): "x0_bar is right but theta_bar is not: every segment uses theta, so "
                    "its shares add up (theta_bar = theta_bar + share)",
                },
            )
        )
    return check("checkpointed_grad", fn, cases)


# ----------------------------------------------------------------------------
# Exercise 3
# ----------------------------------------------------------------------------


def _count_step_calls(n_steps, every, n_out, checkpointed, d=8):
    calls = []

    def step(x):
        calls.append(1)
        return 0.5 * anp.tanh(x) + x

    def F(x):
        if checkpointed:
            return ad.checkpointed_loop(step, x, n_steps, every)[:n_out]
        for _ in range(n_steps):
            x = step(x)
        return x[:n_out]

    ad.jacrev(F)(np.linspace(-1.0, 1.0, d))
    return len(calls)


def predict_step_calls(fn) -> bool:
    """Exercise 3: predict_step_calls(n_steps, every, n_out, checkpointed)."""
    cases = []
    for sizes in [(12, 4, 1, True), (12, 4, 3, True), (10, 3, 2, True), (12, 4, 3, False)]:
        n_steps, every, n_out, checkpointed = sizes
        cases.append(
            Case(
                args=sizes,
                expected=_count_step_calls(*sizes),
                name=f"{n_steps} steps, every={every}, n_out={n_out}, checkpointed={checkpointed}",
                hints={
                    lambda got, n=n_steps, m=n_out, c=checkpointed: (
                        c and got == 2 * n
                    ): "that is one "
                    "gradient; jacrev pulls back n_out cotangents, and each asks every "
                    "checkpoint's rule to recompute its segment",
                    lambda got, n=n_steps, m=n_out, c=checkpointed: (
                        c and got == n * (1 + 2 * m)
                    ): "the "
                    "table's 1 + 2m counts passes, forward and backward; the backward passes "
                    "themselves do not call step, only the recomputations do",
                    lambda got, n=n_steps, c=checkpointed: (not c) and got != n: "without "
                    "checkpointing the loop runs once, under the tape; the backward passes "
                    "only read the tape",
                },
            )
        )
    return check("predict_step_calls", fn, cases)


# ----------------------------------------------------------------------------
# Exercise 5
# ----------------------------------------------------------------------------


def reversible_grad(unstep, grad_fn) -> bool:
    """Exercise 5: pendulum_unstep(x, v, k, dt) and reversible_grad(x0, v0, k, dt, n_steps)."""
    x, v, k = np.array([0.3, -1.2, 2.5]), np.array([1.0, 0.5, -2.0]), np.array([1.0, 2.0, 0.5])
    x1, v1 = (np.asarray(a) for a in _pendulum_step(x, v, k, 0.1))
    kick_first = (x1 - 0.1 * (v1 + 0.1 * k * np.sin(x1)), v1 + 0.1 * k * np.sin(x1))
    unstep_ok = check(
        "pendulum_unstep",
        unstep,
        [
            Case(
                args=(x1, v1, k, 0.1),
                expected=(x, v),
                name="one step back from pendulum_step(x, v, k, 0.1)",
                rtol=1e-12,
                hints={
                    lambda got: np.allclose(got[1], v1 + 0.1 * k * np.sin(x1)): "the kick "
                    "used sin(x_i), the old position: undo the drift first, then the kick",
                    lambda got: np.allclose(got[0], kick_first[0]): "undo the steps in the "
                    "reverse order: the drift came last, so undo it first",
                },
            )
        ],
    )
    cases = []
    for n_steps in (1, 7, 60):
        expected = ad.grad(
            lambda x, v, k, n=n_steps: _pendulum_loss(x, v, k, n, 0.1), argnums=(0, 1, 2)
        )(x, v, k)
        cases.append(
            Case(
                args=(x, v, k, 0.1, n_steps),
                expected=tuple(expected),
                name=f"{n_steps} steps of 3 pendulums, dt = 0.1",
                rtol=1e-8,
                atol=1e-10,
                hints={
                    lambda got, e=expected: np.allclose(got[0], e[0] / 2): "dL/dx_N of "
                    "sum(x_N**2) is 2 x_N",
                    lambda got, e=expected: (
                        np.allclose(got[0], e[0]) and not np.allclose(got[2], e[2])
                    ): "k_bar: every step uses k, so add the shares of all the steps",
                },
            )
        )
    return all([unstep_ok, check("reversible_grad", grad_fn, cases)])


# ----------------------------------------------------------------------------
# Exercise 6
# ----------------------------------------------------------------------------


def choose_mode(fn) -> bool:
    """Exercise 6: choose_mode(n_in, n_out, n_steps, state_bytes, memory_limit)."""

    def or_memory_error(*args):
        try:
            return fn(*args)
        except MemoryError:
            return "MemoryError"

    cases = [
        Case(
            args=(1000, 1, 100, 1 * MB, 1000 * MB),
            expected="reverse",
            name="a gradient: 1000 inputs, 1 output, 100 steps, 1 MB states, 1000 MB",
            hints={
                lambda got: got == "forward": "forward mode needs one pass per input (1000); "
                "reverse one per output, plus the recorded forward pass (2)",
            },
        ),
        Case(
            args=(1, 1000, 100, 1 * MB, 1000 * MB),
            expected="forward",
            name="a curve: 1 input, 1000 outputs",
        ),
        Case(
            args=(1000, 1, 10_000, 1 * MB, 1000 * MB),
            expected="checkpointed",
            name="a gradient through 10 000 steps: the tape needs 10 000 MB",
            hints={
                lambda got: got == "reverse": "reverse mode has the fewest passes but its "
                "tape (n_steps * state_bytes) does not fit: check the memory first",
            },
        ),
        Case(
            args=(3, 1, 10_000, 1 * MB, 1000 * MB),
            expected="forward",
            name="3 passes each for forward and checkpointed: the smaller memory wins",
            hints={
                lambda got: got == "checkpointed": "a tie in passes: choose the mode that "
                "uses less memory (forward: 2 MB)",
            },
        ),
        Case(
            args=(10, 10, 100, 1 * MB, 1 * MB),
            expected="MemoryError",
            name="nothing fits in 1 MB: raise MemoryError",
        ),
    ]
    return check("choose_mode", or_memory_error, cases)
