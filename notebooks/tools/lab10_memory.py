"""Generator of Lab 10, "Memory and checkpointing" (pairs with lesson 12-memory).

Run ``python notebooks/tools/lab10_memory.py`` to rewrite the source notebook, then
``make release`` to regenerate the student version. The self-checks (visible checks only) are
in ``notebooks/source/lab10-memory/lab10_checks.py``.
"""

# ruff: noqa: E501

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from nbbuild import answer, code, main, md, notebook, tests  # noqa: E402

LAB = "lab10-memory"

INTRO = r"""
# Lab 10: Memory and checkpointing

This lab goes with the lesson *Memory: what reverse mode stores* (12). You will count what a
reverse-mode tape keeps, write a checkpointed gradient that stores a few states and recomputes
the rest, and choose between forward mode, reverse mode and checkpointed reverse mode from
their costs.

**How this lab works.** Replace `raise NotImplementedError("your code here")` with your code;
keep the names and arguments. After each exercise a **self-check** runs its visible checks and
explains a failure. The read-only **tests** cell below shows the shape of the check; at
grading, hidden tests with fresh random inputs are added, so write the function, not the
answers. Before you submit: *Kernel → Restart Kernel and Run All Cells*.

| exercise | you write | points |
|---|---|---|
| 1 | `tape_bytes(f, *args)`: nodes and bytes of a tape | 2 |
| 2 | `checkpointed_grad(step, x0, theta, n_steps, every)`: recompute segments | 3 |
| 3 | `choose_mode(n_in, n_out, n_steps, state_bytes, memory_limit)` | 2 |
| | **total** | **7** |
"""

SETUP = """
# The self-checks run the visible checks of each exercise: lab10_checks.py, next to this notebook.
import lab10_checks as self_check
import numpy as np

import autodiff_lite as ad
import autodiff_lite.numpy as anp
from autodiff_lite.recording import record
"""

# ---------------------------------------------------------------------------- exercise 1
EX1 = r"""
## Exercise 1: what a tape keeps (2 points)

`record(f, *args)` (imported above) runs `f` once under reverse mode and returns its tape:
`rec.nodes` lists the operations in the order they ran, and each node keeps the values its
VJP rule may need, its inputs `node.args` (arrays and constants) and its output `node.ans`.

Write `tape_bytes(f, *args)`, returning the pair `(n_nodes, n_bytes)`: the number of nodes of
the tape, and the bytes of the **distinct** values the nodes keep, counting each value once
even when it is the output of one node and the input of another (compare them by `id`), with
`np.asarray(value).nbytes` for each.

*Checked:* against the count from the tape on random chains of elementwise operations and
matrix products of random sizes.
"""

EX1_ANSWER = '''
def tape_bytes(f, *args):
    """(number of nodes, bytes of the distinct values) of the reverse-mode tape of f(*args)."""
    ### BEGIN SOLUTION
    rec = record(f, *args)
    seen, total = set(), 0
    for node in rec.nodes:
        for value in (node.ans, *node.args):
            if id(value) not in seen:
                seen.add(id(value))
                total += np.asarray(value).nbytes
    return len(rec.nodes), total
    ### END SOLUTION
'''

EX1_TESTS = """
# Visible tests: the same inputs as the self-check.
from types import SimpleNamespace

# Graded, this cell runs in the grader and your code in your notebook's own process,
# `student`: what your code differentiates must be built there, with its `ad` and `anp`.
# In your kernel, `notebook` is simply this notebook.
notebook = student if "student" in globals() else SimpleNamespace(**globals())
nb_anp = notebook.anp
x = np.linspace(0.0, 1.0, 100)  # 800 bytes
assert tape_bytes(lambda x: nb_anp.sin(x) * 0.9 + 0.1, x) == (3, 4 * 800 + 2 * 8)
assert tape_bytes(lambda x: nb_anp.sum(x * x), x) == (2, 800 + 800 + 8)
W = np.ones((4, 3))
assert tape_bytes(lambda W, x: nb_anp.tanh(W @ x), W, np.ones(3)) == (2, 96 + 24 + 32 + 32)
### BEGIN HIDDEN TESTS
rng = np.random.default_rng()


def reference(f, *args):
    rec = record(f, *args)
    values = {}
    for node in rec.nodes:
        for value in (node.ans, *node.args):
            values[id(value)] = np.asarray(value).nbytes
    return len(rec.nodes), sum(values.values())


# The chain is recorded in your process with its anp, each operation asked of it by the grader.
# Its constant c is an input, so that the one value is shared by every step there as here (a
# number the grader sends arrives as a new object each time).
for _ in range(8):
    n, m, steps = (int(k) for k in rng.integers(2, 30, size=3))
    W = rng.normal(size=(m, n))
    x = rng.normal(size=n)
    c = float(rng.uniform(0.1, 1.0))

    def chain_with(anp, steps=steps):
        def chain(W, x, c):
            h = anp.tanh(W @ x)
            for _ in range(steps):
                h = anp.exp(-h * h) * c + h
            return anp.sum(h)

        return chain

    got = tape_bytes(chain_with(student.anp), W, x, c)
    expected = reference(chain_with(anp), W, x, c)
    assert tuple(got) == expected, (got, expected)
### END HIDDEN TESTS
"""

# ---------------------------------------------------------------------------- exercise 2
EX2 = r"""
## Exercise 2: a checkpointed gradient (3 points)

The loop $x_{i+1} = \mathrm{step}(x_i, \theta)$, $i = 0, \dots, N-1$, ends with the loss
$L = \sum_j (x_N)_j$. Write `checkpointed_grad(step, x0, theta, n_steps, every)`, returning the
pair `(x0_bar, theta_bar)` $= (\partial L / \partial x_0, \partial L / \partial \theta)$,
with this schedule:

1. **forward**, without any tape (call `step` on plain arrays): keep only the checkpoints
   $x_0, x_{k}, x_{2k}, \dots$ with $k =$ `every`;
2. **backward**, segment by segment from the last: recompute the segment from its checkpoint
   under `ad.vjp` (a function of both the state and $\theta$), pull the cotangent of the
   state back through it, and **add** the segment's share of $\bar\theta$ (every segment uses
   $\theta$). Let each segment's tape go before recording the next one.

The last segment may be shorter when `every` does not divide `n_steps`.

*Checked:* against `ad.grad` of the whole loop on random sizes and segment lengths; `step`
must run at most `2 * n_steps` times; and the peak memory (measured with `tracemalloc` on a
large state) must stay near $N/k + 3k$ states: storing every state is not checkpointing.
"""

EX2_ANSWER = '''
def checkpointed_grad(step, x0, theta, n_steps, every):
    """(dL/dx0, dL/dtheta) for L = sum(x_N), storing only every `every`-th state."""
    ### BEGIN SOLUTION
    checkpoints, x = [], x0
    for i in range(n_steps):
        if i % every == 0:
            checkpoints.append(x)
        x = step(x, theta)
    x_bar = np.ones_like(x)
    theta_bar = np.zeros_like(theta)
    for start in reversed(range(0, n_steps, every)):
        length = min(every, n_steps - start)

        def segment(x, theta, length=length):
            for _ in range(length):
                x = step(x, theta)
            return x

        x_bar, share = ad.vjp(segment, checkpoints[start // every], theta)[1](x_bar)
        theta_bar = theta_bar + share
    return x_bar, theta_bar
    ### END SOLUTION
'''

EX2_TESTS = """
# Visible tests: the same inputs as the self-check.
from types import SimpleNamespace

# Graded, this cell runs in the grader and your code in your notebook's own process,
# `student`: what your code differentiates must be built there, with its `ad` and `anp`.
# In your kernel, `notebook` is simply this notebook.
notebook = student if "student" in globals() else SimpleNamespace(**globals())


def step_with(anp):
    def step(x, theta):
        return anp.multiply(anp.sin(x), theta) + 0.1

    return step


step, nb_step = step_with(anp), step_with(notebook.anp)  # nb_step: with your process's anp


def full_grad(step, x0, theta, n_steps):
    def loss(x, theta):
        for _ in range(n_steps):
            x = step(x, theta)
        return anp.sum(x)

    return ad.grad(loss, argnums=(0, 1))(x0, theta)


x0, theta = np.linspace(-1.0, 1.0, 5), np.full(5, 0.8)
for n_steps, every in [(12, 4), (10, 3), (6, 1), (6, 6)]:
    got = checkpointed_grad(nb_step, x0, theta, n_steps, every)
    expected = full_grad(step, x0, theta, n_steps)
    assert np.allclose(got[0], expected[0]) and np.allclose(got[1], expected[1]), (n_steps, every)
### BEGIN HIDDEN TESTS
rng = np.random.default_rng()
for _ in range(5):
    size, n_steps = int(rng.integers(1, 8)), int(rng.integers(5, 40))
    every = int(rng.integers(1, n_steps + 1))
    x0, theta = rng.normal(size=size), rng.uniform(0.5, 1.0, size=size)
    calls = {"n": 0}

    def counted_with(anp, calls):
        def counted(x, theta):
            calls["n"] += 1
            return anp.multiply(anp.tanh(x), theta) + anp.cos(theta) * 0.1

        return counted

    got = checkpointed_grad(counted_with(student.anp, calls), x0, theta, n_steps, every)
    assert calls["n"] <= 2 * n_steps, f"step ran {calls['n']} times for {n_steps} steps"
    expected = full_grad(counted_with(anp, {"n": 0}), x0, theta, n_steps)
    assert np.allclose(got[0], expected[0], rtol=1e-10), "wrong x0_bar"
    assert np.allclose(got[1], expected[1], rtol=1e-10), "wrong theta_bar"

# memory: N = 100 steps in segments of 10 on a state of 20 000 numbers, measured in your
# process (its tracemalloc), with the step of the visible tests as your self-check has it, so
# that the whole loop runs there and nothing it makes is held for the grader meanwhile
tracemalloc_there = student.get_ipython().ev("__import__('tracemalloc')")
x0 = rng.normal(size=20_000)
theta = rng.uniform(0.5, 1.0, size=20_000)
tracemalloc_there.start()
try:
    checkpointed_grad(student.self_check._step, x0, theta, 100, 10)
    peak = tracemalloc_there.get_traced_memory()[1]
finally:
    tracemalloc_there.stop()
states = peak / x0.nbytes
assert states < 60, (
    f"peak memory of {states:.0f} states; checkpointing needs about 100/10 + 3*10 (storing "
    "every state, or keeping a segment's pullback alive while the next one is recorded, costs more)"
)
### END HIDDEN TESTS
"""

# ---------------------------------------------------------------------------- exercise 3
EX3 = r"""
## Exercise 3: forward, reverse or checkpointed? (2 points)

A function $F : \mathbb{R}^{n_\text{in}} \to \mathbb{R}^{n_\text{out}}$ is computed in
`n_steps` steps on states of `state_bytes` bytes. For its full Jacobian, use this cost model
(the table of the lesson):

| mode | passes | memory (bytes) |
|---|---|---|
| `"forward"` | $n_\text{in}$ | $2 \times$ `state_bytes` (value and tangent) |
| `"reverse"` | $1 + n_\text{out}$ | `n_steps` $\times$ `state_bytes` |
| `"checkpointed"` | $2 + n_\text{out}$ | $2 \sqrt{\texttt{n\_steps}} \times$ `state_bytes` |

Write `choose_mode(n_in, n_out, n_steps, state_bytes, memory_limit)`, returning the name of
the mode with the **fewest passes among those whose memory fits** (memory at most
`memory_limit`); when two fit with the same number of passes, the one that uses less memory.
If no mode fits, raise a `MemoryError` that says how much memory the cheapest mode needs.

*Checked:* on random sizes and limits, against the rule above.
"""

EX3_ANSWER = '''
def choose_mode(n_in, n_out, n_steps, state_bytes, memory_limit):
    """'forward', 'reverse' or 'checkpointed': the fewest passes that fit in memory_limit."""
    ### BEGIN SOLUTION
    modes = {
        "forward": (n_in, 2 * state_bytes),
        "reverse": (1 + n_out, n_steps * state_bytes),
        "checkpointed": (2 + n_out, 2 * np.sqrt(n_steps) * state_bytes),
    }
    fitting = [(passes, memory, name) for name, (passes, memory) in modes.items() if memory <= memory_limit]
    if not fitting:
        need = min(memory for _, memory in modes.values())
        raise MemoryError(
            f"no mode fits in {memory_limit} bytes: the smallest, forward mode, needs {need:.0f}"
        )
    return min(fitting)[2]
    ### END SOLUTION
'''

EX3_TESTS = """
# Visible tests: the same inputs as the self-check.
MB = 1e6
assert choose_mode(1000, 1, 100, 1 * MB, 1000 * MB) == "reverse"  # a gradient: reverse
assert choose_mode(1, 1000, 100, 1 * MB, 1000 * MB) == "forward"  # a curve: forward
assert choose_mode(1000, 1, 10_000, 1 * MB, 1000 * MB) == "checkpointed"  # tape too long
assert choose_mode(3, 1, 10_000, 1 * MB, 1000 * MB) == "forward"  # a tie in passes: less memory
try:
    choose_mode(10, 10, 100, 1 * MB, 1 * MB)
except MemoryError:
    pass
else:
    raise AssertionError("nothing fits in 1 MB: raise MemoryError")
### BEGIN HIDDEN TESTS
rng = np.random.default_rng()


def rule(n_in, n_out, n_steps, state_bytes, memory_limit):
    options = [
        (n_in, 2 * state_bytes, "forward"),
        (1 + n_out, n_steps * state_bytes, "reverse"),
        (2 + n_out, 2 * np.sqrt(n_steps) * state_bytes, "checkpointed"),
    ]
    fitting = [o for o in options if o[1] <= memory_limit]
    return min(fitting)[2] if fitting else "MemoryError"


for _ in range(300):
    n_in, n_out = (int(10 ** rng.uniform(0, 4)) for _ in range(2))
    n_steps, state_bytes = int(10 ** rng.uniform(0, 5)), int(10 ** rng.uniform(3, 7))
    limit = float(10 ** rng.uniform(3, 11))
    if rng.random() < 0.2:
        n_out = n_in - 1  # ties between forward and checkpointed
    expected = rule(n_in, n_out, n_steps, state_bytes, limit)
    try:
        got = choose_mode(n_in, n_out, n_steps, state_bytes, limit)
    except MemoryError:
        got = "MemoryError"
    assert got == expected, ((n_in, n_out, n_steps, state_bytes, limit), got, expected)
### END HIDDEN TESTS
"""

FURTHER = r"""
## Going further (not graded)

Measure it: time `ad.jacfwd` and `ad.jacrev` of a loop of 200 steps for a few `(n_in,
n_out)`, and its peak memory with `tracemalloc`, and compare with the model of Exercise 3.
The library's `ad.checkpointed_loop(step, x0, n_steps, every)` runs the schedule of
Exercise 2 inside any transform.
"""


def build():
    return notebook(
        [
            md("intro", INTRO),
            code("setup", SETUP),
            md("ex1", EX1),
            answer("tape_bytes", EX1_ANSWER),
            code("selfcheck_tape_bytes", "self_check.tape_bytes(tape_bytes)"),
            tests("test_tape_bytes", 2, EX1_TESTS),
            md("ex2", EX2),
            answer("checkpointed_grad", EX2_ANSWER),
            code("selfcheck_checkpointed_grad", "self_check.checkpointed_grad(checkpointed_grad)"),
            tests("test_checkpointed_grad", 3, EX2_TESTS),
            md("ex3", EX3),
            answer("choose_mode", EX3_ANSWER),
            code("selfcheck_choose_mode", "self_check.choose_mode(choose_mode)"),
            tests("test_choose_mode", 2, EX3_TESTS),
            md("further", FURTHER),
        ]
    )


if __name__ == "__main__":
    main(LAB, build)
