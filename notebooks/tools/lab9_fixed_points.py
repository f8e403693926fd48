"""Generator of Lab 9, "Fixed points and implicit gradients" (pairs with lesson 11-fixed-points).

Run ``python notebooks/tools/lab9_fixed_points.py`` to rewrite the source notebook, then
``make release`` to regenerate the student version. The self-checks (visible checks only) are
in ``notebooks/source/lab9-fixed-points/lab9_checks.py``.
"""

# ruff: noqa: E501

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from nbbuild import answer, code, main, md, notebook, tests  # noqa: E402

LAB = "lab9-fixed-points"

INTRO = r"""
# Lab 9: Fixed points and implicit gradients

This lab goes with the lesson *Fixed points and implicit layers* (11). A fixed-point layer
returns the $z^\star$ with $z^\star = f(z^\star, \theta)$. You will write the solver, then
its derivative by the **implicit function theorem**, first as a Jacobian, then as a VJP that
only uses vector products, and finally a layer that `ad.grad` differentiates with your rule
instead of recording the solver's iterations.

Notation, as in the lesson: at the solution, $A = \partial f / \partial z$ (shape
$n \times n$) and $B = \partial f / \partial \theta$ (shape $n \times p$), and

$$\frac{\partial z^\star}{\partial \theta} = (I - A)^{-1} B, \qquad
\bar\theta = B^{\top} w \ \text{ where } \ w = \bar z + A^{\top} w .$$

In this lab `z` and `theta` are 1-D float arrays, and `f(z, theta)` returns an array of the
shape of `z`, written with `autodiff_lite.numpy` (so that you can differentiate it with
`ad.jacfwd`, `ad.jvp` and `ad.vjp`).

**How this lab works.** Replace `raise NotImplementedError("your code here")` with your code;
keep the names and arguments. After each exercise a **self-check** runs its visible checks
and explains a failure. The read-only **tests** cell below shows the shape of the check; at
grading, hidden tests with fresh random maps are added, so write the function, not the
answers. You may use `autodiff_lite` (as `ad`) anywhere in this lab. Before you submit:
*Kernel → Restart Kernel and Run All Cells*.

| exercise | you write | points |
|---|---|---|
| 1 | `fixed_point_iterate(f, z0, theta, tol, max_iter)`: the solver | 2 |
| 2 | `implicit_jacobian(f, z_star, theta)`: $\partial z^\star / \partial\theta$ | 2 |
| 3 | `fixed_point_vjp(f, z_star, theta, g)`: $\bar\theta$ from an adjoint iteration | 2 |
| 4 | `fixed_point_layer(f, z0)`: a layer with a custom VJP | 3 |
| | **total** | **9** |
"""

SETUP = """
# The self-checks run the visible checks of each exercise: lab9_checks.py, next to this notebook.
import lab9_checks as self_check
import numpy as np

import autodiff_lite as ad
import autodiff_lite.numpy as anp


def tanh_map(W, V, c):
    \"\"\"The map f(z, theta) = tanh(W z + V theta + c): a contraction when ||W|| < 1.\"\"\"

    def f(z, theta):
        return anp.tanh(W @ z + V @ theta + c)

    return f


# The example of the visible checks: n = 3 unknowns, p = 2 parameters.
W_ex = np.array([[0.5, -0.2, 0.1], [0.1, 0.4, -0.3], [-0.2, 0.2, 0.3]])
V_ex = np.array([[1.0, 0.0], [0.5, -1.0], [0.0, 2.0]])
c_ex = np.array([0.1, -0.2, 0.3])
f_ex = tanh_map(W_ex, V_ex, c_ex)
theta_ex = np.array([0.3, -0.4])
"""

# ---------------------------------------------------------------------------- exercise 1
EX1 = r"""
## Exercise 1: the solver (2 points)

Write `fixed_point_iterate(f, z0, theta, tol=1e-10, max_iter=1000)`: starting from `z0`,
repeat `z_next = f(z, theta)` until the largest change `np.max(np.abs(z_next - z))` is at most
`tol`, then return `z_next`. If that has not happened after `max_iter` calls of `f`, raise a
`RuntimeError` whose message says that the iteration did not converge, after how many steps,
and what to try (a contraction, more steps, Newton's method). Never return a point that is not
a solution.

*Checked:* the result solves $z = f(z, \theta)$ to about `tol` on random contractions of
random sizes; a map that diverges, or converges too slowly for `max_iter`, raises a
`RuntimeError`.
"""

EX1_ANSWER = '''
def fixed_point_iterate(f, z0, theta, tol=1e-10, max_iter=1000):
    """The z with z = f(z, theta), by fixed-point iteration from z0."""
    ### BEGIN SOLUTION
    z = np.asarray(z0, dtype=float)
    change = np.inf
    for _ in range(max_iter):
        z_next = f(z, theta)
        change = np.max(np.abs(z_next - z))
        if change <= tol:
            return z_next
        z = z_next
    raise RuntimeError(
        f"fixed-point iteration did not converge in {max_iter} steps (last change "
        f"{change:.2e} > tol={tol:g}); check that f is a contraction, raise max_iter, "
        "or use Newton's method"
    )
    ### END SOLUTION
'''

EX1_TESTS = """
# Visible tests: the same inputs as the self-check.
z = fixed_point_iterate(f_ex, np.zeros(3), theta_ex)
assert np.shape(z) == (3,)
assert np.max(np.abs(f_ex(z, theta_ex) - z)) < 1e-9
assert np.allclose(z, [0.38151029, 0.67503278, -0.53922569], atol=1e-7)
try:
    fixed_point_iterate(lambda z, t: 2.0 * z + t, np.zeros(2), np.ones(2), max_iter=100)
except NotImplementedError:  # a subclass of RuntimeError
    raise
except RuntimeError:
    pass
else:
    raise AssertionError("a diverging iteration must raise RuntimeError")
### BEGIN HIDDEN TESTS
rng = np.random.default_rng()
for _ in range(10):
    n, p = (int(k) for k in rng.integers(1, 8, size=2))
    W = rng.normal(size=(n, n))
    W *= rng.uniform(0.3, 0.9) / np.linalg.norm(W, 2)
    V, c = rng.normal(size=(n, p)), rng.normal(size=n)
    theta = rng.normal(size=p)
    f = tanh_map(W, V, c)  # the grader's copy, to check the answer
    f_yours = student.tanh_map(W, V, c)  # the same map in your process, where your solver runs
    z_ref = np.zeros(n)
    for _ in range(3000):
        z_ref = np.tanh(W @ z_ref + V @ theta + c)
    z = fixed_point_iterate(f_yours, rng.normal(size=n), theta)
    assert np.shape(z) == (n,), np.shape(z)
    assert np.max(np.abs(f(z, theta) - z)) < 1e-9, "not a fixed point"
    assert np.allclose(z, z_ref, atol=1e-8)
    z_tight = fixed_point_iterate(f_yours, np.zeros(n), theta, tol=1e-13)
    assert np.allclose(z_tight, z_ref, atol=1e-12)
# too slow for max_iter: a contraction with factor 0.999 from far away
for bad, kwargs in [
    (lambda z, t: 0.999 * z + t, {"max_iter": 50}),
    (lambda z, t: -1.5 * z + t, {}),
    (lambda z, t: t - z, {"max_iter": 200}),  # a 2-cycle: z, -z, z, ... never settles
]:
    try:
        fixed_point_iterate(bad, rng.normal(size=3), np.zeros(3), **kwargs)
    except NotImplementedError:
        raise
    except RuntimeError as err:
        assert str(err), "say why in the error message"
    else:
        raise AssertionError("no RuntimeError when the iteration does not converge")
### END HIDDEN TESTS
"""

# ---------------------------------------------------------------------------- exercise 2
EX2 = r"""
## Exercise 2: the implicit Jacobian (2 points)

Write `implicit_jacobian(f, z_star, theta)`, the $n \times p$ matrix
$\partial z^\star / \partial \theta = (I - A)^{-1} B$, with $A$ and $B$ the Jacobians of `f`
with respect to `z` and to `theta` at `(z_star, theta)` (use `ad.jacfwd` or `ad.jacrev`; they
take `argnums`). Solve the linear system with `np.linalg.solve`; don't invert.

*Checked:* against the closed form for random `tanh` maps, and against finite differences of
the solution $z^\star(\theta)$. The classic mistake, returning $B$ alone, is the derivative of
*one* more step of the iteration, not of the solution.
"""

EX2_ANSWER = '''
def implicit_jacobian(f, z_star, theta):
    """d z_star / d theta, an (n, p) array, by the implicit function theorem."""
    ### BEGIN SOLUTION
    A = ad.jacfwd(f, argnums=0)(z_star, theta)
    B = ad.jacfwd(f, argnums=1)(z_star, theta)
    return np.linalg.solve(np.eye(len(z_star)) - A, B)
    ### END SOLUTION
'''

EX2_TESTS = """
# Visible tests: the same inputs as the self-check.
from types import SimpleNamespace

# Graded, this cell runs in the grader and your code in your notebook's own process,
# `student`: what your code differentiates must be built there, with its `ad` and `anp`.
# In your kernel, `notebook` is simply this notebook.
notebook = student if "student" in globals() else SimpleNamespace(**globals())
z_star = fixed_point_iterate(f_ex, np.zeros(3), theta_ex, tol=1e-13)
J = implicit_jacobian(notebook.f_ex, z_star, theta_ex)
assert np.shape(J) == (3, 2)
d = 1 - z_star**2  # tanh' at the solution
J_ref = np.linalg.solve(np.eye(3) - d[:, None] * W_ex, d[:, None] * V_ex)
assert np.allclose(J, J_ref, atol=1e-10)
### BEGIN HIDDEN TESTS
rng = np.random.default_rng()
for _ in range(10):
    n, p = (int(k) for k in rng.integers(1, 7, size=2))
    W = rng.normal(size=(n, n))
    W *= rng.uniform(0.5, 0.95) / np.linalg.norm(W, 2)
    V, c, theta = rng.normal(size=(n, p)), rng.normal(size=n), rng.normal(size=p)
    f = student.tanh_map(W, V, c)  # the map in your process, where ad.jacfwd can trace it
    z_star = np.zeros(n)
    for _ in range(5000):
        z_star = np.tanh(W @ z_star + V @ theta + c)
    d = 1 - z_star**2
    J_ref = np.linalg.solve(np.eye(n) - d[:, None] * W, d[:, None] * V)
    J = implicit_jacobian(f, z_star, theta)
    assert np.shape(J) == (n, p), (np.shape(J), (n, p))
    assert np.allclose(J, J_ref, atol=1e-9), "wrong Jacobian"
# finite differences of the solution map, on one of them
h, k = 1e-6, int(rng.integers(p))
e = np.zeros(p)
e[k] = h


def solve(t):
    z = np.zeros(n)
    for _ in range(5000):
        z = np.tanh(W @ z + V @ t + c)
    return z


assert np.allclose(J[:, k], (solve(theta + e) - solve(theta - e)) / (2 * h), atol=1e-6)
### END HIDDEN TESTS
"""

# ---------------------------------------------------------------------------- exercise 3
EX3 = r"""
## Exercise 3: the VJP, without any Jacobian (2 points)

A layer with $n = 10^6$ unknowns has no room for an $n \times n$ matrix, so reverse mode uses
the **adjoint equation** instead. Write `fixed_point_vjp(f, z_star, theta, g, tol=1e-12,
max_iter=1000)`, returning $\bar\theta = B^{\top} w$ (the shape of `theta`), where $w$ solves
$w = g + A^{\top} w$, by iteration from $w = g$. Use `ad.vjp` of `f` at `(z_star, theta)`
for the products $A^{\top} w$ and $B^{\top} w$: record `f` once (`ad.vjp(lambda z: f(z,
theta), z_star)`), then call the returned `vjp_fn` at every step; no `jacfwd`, no
`np.linalg`. Stop as in Exercise 1, and raise a `RuntimeError` if the adjoint iteration does
not converge.

*Checked:* against $g^{\top} (I - A)^{-1} B$ on random maps and cotangents. Note the
**transpose**: iterating $w = g + A w$ (a JVP where a VJP is needed) gives the wrong answer
whenever $A$ is not symmetric.
"""

EX3_ANSWER = '''
def fixed_point_vjp(f, z_star, theta, g, tol=1e-12, max_iter=1000):
    """theta_bar = g^T dz*/dtheta, by the adjoint iteration w = g + A^T w."""
    ### BEGIN SOLUTION
    _, A_T = ad.vjp(lambda z: f(z, theta), z_star)
    w = g
    for _ in range(max_iter):
        w_next = g + A_T(w)[0]
        if np.max(np.abs(w_next - w)) <= tol:
            break
        w = w_next
    else:
        raise RuntimeError(f"the adjoint iteration did not converge in {max_iter} steps")
    _, B_T = ad.vjp(lambda t: f(z_star, t), theta)
    return B_T(w_next)[0]
    ### END SOLUTION
'''

EX3_TESTS = """
# Visible tests: the same inputs as the self-check.
from types import SimpleNamespace

# Graded, this cell runs in the grader and your code in your notebook's own process,
# `student`: what your code differentiates must be built there, with its `ad` and `anp`.
# In your kernel, `notebook` is simply this notebook.
notebook = student if "student" in globals() else SimpleNamespace(**globals())
z_star = fixed_point_iterate(f_ex, np.zeros(3), theta_ex, tol=1e-13)
d = 1 - z_star**2
J_ref = np.linalg.solve(np.eye(3) - d[:, None] * W_ex, d[:, None] * V_ex)
for g in [np.array([1.0, 0.0, 0.0]), np.array([0.5, -1.0, 2.0])]:
    theta_bar = fixed_point_vjp(notebook.f_ex, z_star, theta_ex, g)
    assert np.shape(theta_bar) == (2,)
    assert np.allclose(theta_bar, g @ J_ref, atol=1e-10)
### BEGIN HIDDEN TESTS
rng = np.random.default_rng()
for _ in range(10):
    n, p = (int(k) for k in rng.integers(2, 9, size=2))
    W = rng.normal(size=(n, n))  # far from symmetric
    W *= rng.uniform(0.5, 0.9) / np.linalg.norm(W, 2)
    V, c, theta = rng.normal(size=(n, p)), rng.normal(size=n), rng.normal(size=p)
    f = student.tanh_map(W, V, c)  # the map in your process, where ad.vjp can trace it
    z_star = np.zeros(n)
    for _ in range(5000):
        z_star = np.tanh(W @ z_star + V @ theta + c)
    d = 1 - z_star**2
    J_ref = np.linalg.solve(np.eye(n) - d[:, None] * W, d[:, None] * V)
    g = rng.normal(size=n)
    theta_bar = fixed_point_vjp(f, z_star, theta, g)
    assert np.shape(theta_bar) == (p,), (np.shape(theta_bar), (p,))
    assert np.allclose(theta_bar, g @ J_ref, atol=1e-9), "wrong VJP"
### END HIDDEN TESTS
"""

# ---------------------------------------------------------------------------- exercise 4
EX4 = r"""
## Exercise 4: a differentiable fixed-point layer (3 points)

Write `fixed_point_layer(f, z0)`, returning a function `layer(theta)` that computes
$z^\star(\theta)$ with your solver (from `z0`, `tol=1e-12`) and that `ad.grad`, `ad.vjp` and
`ad.jacrev` differentiate with **your** VJP of Exercise 3, never by recording the solver's
iterations. Make the solver one primitive with a custom VJP rule, as the lesson does:

```python
ad.Primitive("fixed_point", impl, vjps=(rule,), register=False)
```

where `impl(theta)` returns the solution and `rule(g, ans, theta)` returns $\bar\theta$ given
the cotangent `g` of the output and the output `ans` $= z^\star$ (forward mode is not needed
here; `ad.custom_vjp`, if your version of `autodiff_lite` has it, works too).

*Checked:* `ad.grad` of a loss of the layer against the implicit gradient, on random maps;
and the solver must not run on traced values: `f` is called on `ad.grad`'s traced values at
most twice (an unrolled solver calls it at every iteration).
"""

EX4_ANSWER = '''
def fixed_point_layer(f, z0):
    """theta -> z*(theta), differentiable by the implicit function theorem."""
    ### BEGIN SOLUTION
    def impl(theta):
        return fixed_point_iterate(f, z0, theta, tol=1e-12)

    def rule(g, z_star, theta):
        return fixed_point_vjp(f, z_star, theta, g)

    return ad.Primitive("fixed_point", impl, vjps=(rule,), register=False)
    ### END SOLUTION
'''

EX4_DEMO = """
# Try it: the gradient of a loss of the layer, against the unrolled gradient.
try:
    layer = fixed_point_layer(f_ex, np.zeros(3))
except NotImplementedError:
    print("Finish Exercise 4 first.")
else:
    def unrolled(theta, K=200):
        z = np.zeros(3)
        for _ in range(K):
            z = f_ex(z, theta)
        return z

    print("implicit:", ad.grad(lambda t: anp.sum(layer(t) ** 2))(theta_ex))
    print("unrolled:", ad.grad(lambda t: anp.sum(unrolled(t) ** 2))(theta_ex))
"""

EX4_TESTS = """
# Visible tests: the same inputs as the self-check.
from types import SimpleNamespace

# Graded, this cell runs in the grader and your code in your notebook's own process,
# `student`: what your code differentiates must be built there, with its `ad` and `anp`.
# In your kernel, `notebook` is simply this notebook.
notebook = student if "student" in globals() else SimpleNamespace(**globals())


def traced_calls(layer, theta):
    \"\"\"How often one evaluation of layer(theta) calls f on traced values: each call leaves
    the tanh of f on the tape (a solver with a custom VJP runs on plain values: none).\"\"\"
    tape = notebook.ad.recording.record(layer, theta)
    return sum(node.prim.name == "tanh" for node in tape.nodes)


layer = fixed_point_layer(notebook.f_ex, np.zeros(3))
z_star = layer(theta_ex)
assert np.allclose(z_star, [0.38151029, 0.67503278, -0.53922569], atol=1e-7)


def loss(theta):
    return notebook.anp.sum(layer(theta) ** 2)


grad = notebook.ad.grad(loss)(theta_ex)
d = 1 - z_star**2
J_ref = np.linalg.solve(np.eye(3) - d[:, None] * W_ex, d[:, None] * V_ex)
assert np.allclose(grad, (2 * z_star) @ J_ref, atol=1e-9)
calls = traced_calls(layer, theta_ex)
assert calls <= 2, f"the solver ran on traced values ({calls} calls of f)"
### BEGIN HIDDEN TESTS
rng = np.random.default_rng()
for _ in range(6):
    n, p = (int(k) for k in rng.integers(2, 8, size=2))
    W = rng.normal(size=(n, n))
    W *= rng.uniform(0.6, 0.9) / np.linalg.norm(W, 2)
    V, c, theta = rng.normal(size=(n, p)), rng.normal(size=n), rng.normal(size=p)
    layer = fixed_point_layer(student.tanh_map(W, V, c), np.zeros(n))
    z_star = np.zeros(n)
    for _ in range(5000):
        z_star = np.tanh(W @ z_star + V @ theta + c)
    d = 1 - z_star**2
    J_ref = np.linalg.solve(np.eye(n) - d[:, None] * W, d[:, None] * V)
    weights = rng.normal(size=n)

    def loss(theta):
        return student.anp.sum(student.anp.sin(layer(theta)) * weights)

    grad = student.ad.grad(loss)(theta)
    assert np.shape(grad) == (p,)
    assert np.allclose(grad, (weights * np.cos(z_star)) @ J_ref, atol=1e-8), "wrong gradient"
    calls = traced_calls(layer, theta)
    assert calls <= 2, f"the solver ran on traced values ({calls} calls of f)"
    J_rev = student.ad.jacrev(layer)(theta)
    assert np.allclose(J_rev, J_ref, atol=1e-8), "jacrev of the layer is wrong"
### END HIDDEN TESTS
"""

FURTHER = r"""
## Going further (not graded)

- Add a JVP rule to your primitive (`jvps=(rule,)`, solving $\dot z = A \dot z + B \dot\theta$)
  and check both modes with `ad.check_grads(layer, (theta_ex,), order=1)`.
- Measure the peak memory (`tracemalloc`) of `ad.grad` through your layer and through an
  unrolled loop of 200 steps, as in the lesson.
"""


def build():
    return notebook(
        [
            md("intro", INTRO),
            code("setup", SETUP),
            md("ex1", EX1),
            answer("fixed_point_iterate", EX1_ANSWER),
            code(
                "selfcheck_fixed_point_iterate",
                "self_check.fixed_point_iterate(fixed_point_iterate)",
            ),
            tests("test_fixed_point_iterate", 2, EX1_TESTS),
            md("ex2", EX2),
            answer("implicit_jacobian", EX2_ANSWER),
            code("selfcheck_implicit_jacobian", "self_check.implicit_jacobian(implicit_jacobian)"),
            tests("test_implicit_jacobian", 2, EX2_TESTS),
            md("ex3", EX3),
            answer("fixed_point_vjp", EX3_ANSWER),
            code("selfcheck_fixed_point_vjp", "self_check.fixed_point_vjp(fixed_point_vjp)"),
            tests("test_fixed_point_vjp", 2, EX3_TESTS),
            md("ex4", EX4),
            answer("fixed_point_layer", EX4_ANSWER),
            code("selfcheck_fixed_point_layer", "self_check.fixed_point_layer(fixed_point_layer)"),
            code("demo_fixed_point_layer", EX4_DEMO),
            tests("test_fixed_point_layer", 3, EX4_TESTS),
            md("further", FURTHER),
        ]
    )


if __name__ == "__main__":
    main(LAB, build)
