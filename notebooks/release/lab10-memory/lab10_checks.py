"""Self-checks for Lab 10 (memory and checkpointing): the VISIBLE checks of each exercise.

Each function runs one exercise's visible checks on your function and prints a report: which
input, what was expected, what you returned, and a hint for the classic mistakes: counting a
value twice, forgetting the constants, overwriting theta_bar instead of adding each
segment's share, comparing passes without checking memory. Passing them is necessary, not
sufficient: the hidden tests use other inputs.
"""

import numpy as np

import autodiff_lite as ad
import autodiff_lite.numpy as anp
from autodiff_lite.selfcheck import Case, check

MB = 1e6


# ----------------------------------------------------------------------------
# Exercise 1
# ----------------------------------------------------------------------------


def tape_bytes(fn) -> bool:
    """Exercise 1: tape_bytes(f, *args) -> (n_nodes, n_bytes)."""
    x = np.linspace(0.0, 1.0, 100)
    W = np.ones((4, 3))

    def chain(x):
        return anp.sin(x) * 0.9 + 0.1

    def square_sum(x):
        return anp.sum(x * x)

    def layer(W, x):
        return anp.tanh(W @ x)

    cases = [
        Case(
            args=(chain, x),
            expected=(3, 4 * 800 + 2 * 8),
            name="sin(x) * 0.9 + 0.1 on 100 numbers (800 bytes)",
            hints={
                lambda got: got[1] == 6 * 800 + 2 * 8: "each node's input is the previous "
                "node's output: count each value once (by id)",
                lambda got: got[1] == 4 * 800: "the constants 0.9 and 0.1 are kept too "
                "(np.asarray(0.9).nbytes is 8)",
                lambda got: got[1] == 3 * 800: "count the inputs (node.args) as well as the "
                "outputs: the first node's input x is on the tape",
            },
        ),
        Case(
            args=(square_sum, x),
            expected=(2, 800 + 800 + 8),
            name="sum(x * x): x is used twice by one node",
            hints={
                lambda got: got[1] == 3 * 800 + 8: "x appears twice in the args of x * x but "
                "is one array: count it once",
            },
        ),
        Case(
            args=(layer, W, np.ones(3)),
            expected=(2, 96 + 24 + 32 + 32),
            name="tanh(W @ x) with W of shape (4, 3)",
        ),
    ]
    return check("tape_bytes", fn, cases)


# ----------------------------------------------------------------------------
# Exercise 2
# ----------------------------------------------------------------------------


def _step(x, theta):
    return anp.sin(x) * theta + 0.1


def _full(x0, theta, n_steps):
    def loss(x, theta):
        for _ in range(n_steps):
            x = _step(x, theta)
        return anp.sum(x)

    return ad.grad(loss, argnums=(0, 1))(x0, theta)


def checkpointed_grad(fn) -> bool:
    """Exercise 2: checkpointed_grad(step, x0, theta, n_steps, every) against ad.grad."""
    x0, theta = np.linspace(-1.0, 1.0, 5), np.full(5, 0.8)
    cases = []
    for n_steps, every in [(12, 4), (10, 3), (6, 1), (6, 6)]:
        expected = _full(x0, theta, n_steps)

        def only_last(got, n_steps=n_steps, every=every):
            # theta_bar of the last segment alone: what overwriting (= instead of +=) leaves
            seg_len = n_steps - every * ((n_steps - 1) // every)
            x = x0
            for _ in range(n_steps - seg_len):
                x = _step(x, theta)

            def seg(t):
                y = x
                for _ in range(seg_len):
                    y = _step(y, t)
                return anp.sum(y)

            return np.allclose(got[1], ad.grad(seg)(theta)) and seg_len < n_steps

        cases.append(
            Case(
                args=(_step, x0, theta, n_steps, every),
                expected=tuple(expected),
                name=f"{n_steps} steps in segments of {every}",
                rtol=1e-9,
                atol=1e-12,
                hints={
                    only_last: "theta_bar is the last segment's share only: add the shares "
                    "of all segments (theta_bar = theta_bar + share)",
                    lambda got, expected=expected: (
                        np.allclose(got[0], expected[0]) and not np.allclose(got[1], expected[1])
                    ): "x0_bar is right but theta_bar "
                    "is not: every segment uses theta, so its shares add up",
                },
            )
        )
    return check("checkpointed_grad", fn, cases)


# ----------------------------------------------------------------------------
# Exercise 3
# ----------------------------------------------------------------------------


def choose_mode(fn) -> bool:
    """Exercise 3: choose_mode(n_in, n_out, n_steps, state_bytes, memory_limit)."""

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
