"""Generator of Lab 11, "Debugging gradients and training" (pairs with lesson 13-practical).

Run ``python notebooks/tools/lab11_debugging.py`` to rewrite the source notebook, then
``make release`` to regenerate the student version. The self-checks (visible checks only) are
in ``notebooks/source/lab11-debugging/lab11_checks.py``.
"""

# ruff: noqa: E501

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from nbbuild import answer, code, main, md, notebook, tests  # noqa: E402

LAB = "lab11-debugging"

INTRO = r"""
# Lab 11: Debugging gradients and training

This lab goes with the lesson *Practical advice: when fitting goes wrong* (13). You will build
the tools of that lesson's checklist yourself: a finite-difference **gradient checker** that
points at the worst coordinate, use it to find and fix the bugs in three hand-written **VJP
rules**, clip a gradient **by its global norm**, and find the **largest stable learning
rate** of a loss from its Hessian, without ever forming the Hessian.

**How this lab works.** Replace `raise NotImplementedError("your code here")` with your code;
keep the names and arguments. After each exercise a **self-check** runs its visible checks and
explains a failure. The read-only **tests** cells below show the shape of the check; at
grading, hidden tests with fresh random inputs are added, so write the function, not the
answers. Use float64 throughout. Before you submit: *Kernel → Restart Kernel and Run All
Cells*.

| exercise | you write | points |
|---|---|---|
| 1 | `worst_relative_error(f, grad_f, x, h)`: a gradient checker | 2 |
| 2 | `softplus_vjp`, `logsumexp_vjp`, `rms_norm_vjp`: three fixed VJP rules | 3 |
| 3 | `clip_by_global_norm(grads, max_norm)`: clipping on a pytree | 2 |
| 4 | `largest_stable_step(loss, w, n_iter)`: $2/\lambda_{\max}$ by power iteration | 2 |
| | **total** | **9** |
"""

SETUP = '''
# The self-checks run the visible checks of each exercise: lab11_checks.py, next to this notebook.
import lab11_checks as self_check
import numpy as np

import autodiff_lite as ad
import autodiff_lite.numpy as anp

EPS = 1e-3  # the epsilon of rms_norm


def softplus_impl(x):
    """log(1 + e^x), elementwise."""
    return np.logaddexp(0.0, x)


def logsumexp_impl(x):
    """log(sum(exp(x))) over the last axis: an array of shape x.shape[:-1]."""
    m = np.max(x, axis=-1, keepdims=True)
    return (m + np.log(np.sum(np.exp(x - m), axis=-1, keepdims=True)))[..., 0]


def rms_norm_impl(x):
    """x / sqrt(mean(x**2) + EPS) over the last axis (RMSNorm without its weights)."""
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + EPS)


# The given VJP rules, rule(g, ans, x) -> x_bar. Each one has exactly one bug.
def given_softplus_vjp(g, ans, x):
    # softplus'(x) = sigmoid(x), written with the output: exp(-ans) = 1 / (1 + e^x)
    return g * anp.exp(-ans)


def given_logsumexp_vjp(g, ans, x):
    # d logsumexp / dx = softmax(x) = exp(x - ans)
    return g * anp.exp(x - ans)


def given_rms_norm_vjp(g, ans, x):
    # y = x / r with r = sqrt(mean(x**2) + EPS)
    r = anp.sqrt(anp.mean(x * x, axis=-1, keepdims=True) + EPS)
    return g / r - x * anp.sum(g * x, axis=-1, keepdims=True) / r**3


def as_primitive(name, impl, vjp_rule):
    """impl as a primitive whose reverse mode uses vjp_rule (forward mode is not needed here)."""
    return ad.Primitive(name, impl, vjps=(vjp_rule,), register=False)
'''

# ---------------------------------------------------------------------------- exercise 1
EX1 = r"""
## Exercise 1: a gradient checker (2 points)

Write `worst_relative_error(f, grad_f, x, h=1e-6)`. Here `f` maps a float array `x` (of any
shape) to a number and `grad_f(x)` claims to be its gradient (an array of the shape of `x`).
Compare the claim $a$ with **central differences**, one coordinate at a time,

$$n_i = \frac{f(x + h e_i) - f(x - h e_i)}{2h},$$

and return the pair `(error, index)`: the largest **relative error** over the coordinates,

$$\text{rel}_i = \frac{|a_i - n_i|}{\max(|a_i|, |n_i|, 10^{-8})},$$

as a Python `float`, and the `index` where it occurs, as a tuple of ints (`(i,)` for a 1-D
`x`, `(i, j)` for a 2-D one; `np.ndindex` and `np.unravel_index` help). The floor $10^{-8}$
avoids $0/0$ where the gradient is exactly zero. Don't modify `x`.

A relative error is the right measure because it does not depend on the size of the gradient:
for a correct float64 gradient it is about $10^{-7}$ or less, for a wrong one about $10^{-2}$
or more (CS231n's rule of thumb; Goodfellow, Bengio and Courville 2016, section 11.5).

*Checked:* on random functions of 1-D, 2-D and 3-D arrays, with correct gradients (a small
error) and with one wrong coordinate at a random place (its error and its index); on a
coordinate with a zero gradient (no `nan`); on functions of size $10^{8}$ and $10^{-8}$ (an
absolute error fails one of them); and with `h=1e-3`, where a one-sided difference is not
accurate enough.
"""

EX1_ANSWER = '''
def worst_relative_error(f, grad_f, x, h=1e-6):
    """(largest relative error, its index) of grad_f(x) against central differences of f."""
    ### BEGIN SOLUTION
    x = np.array(x, dtype=float)
    analytic = np.asarray(grad_f(x.copy()), dtype=float)
    numeric = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = h
        numeric[i] = (f(x + e) - f(x - e)) / (2 * h)
    scale = np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)), 1e-8)
    rel = np.abs(analytic - numeric) / scale
    worst = np.unravel_index(np.argmax(rel), x.shape)
    return float(rel[worst]), tuple(int(k) for k in worst)
    ### END SOLUTION
'''

EX1_TESTS = """
# Visible tests: the same inputs as the self-check.
x = np.array([[0.5, -1.0, 2.0], [0.1, 0.0, -0.3]])
w = np.array([[1.0, 2.0, -1.0], [0.5, 3.0, 1.0]])


def f(x):
    return float(np.sum(w * np.sin(x)))


def right(x):
    return w * np.cos(x)


def wrong(x):
    g = w * np.cos(x)
    g[1, 2] *= 1.5  # one wrong coordinate
    return g


error, index = worst_relative_error(f, right, x)
assert isinstance(error, float) and error < 1e-6, error
assert len(index) == 2
error, index = worst_relative_error(f, wrong, x)
assert np.isclose(error, 1 / 3, rtol=1e-5) and tuple(index) == (1, 2), (error, index)
### BEGIN HIDDEN TESTS
rng = np.random.default_rng()
for shape in [(int(rng.integers(2, 9)),), tuple(rng.integers(2, 5, size=2)), tuple(rng.integers(2, 4, size=3))]:
    shape = tuple(int(s) for s in shape)
    x = rng.normal(size=shape)
    x_before = x.copy()
    # |gradient| >= 0.1 everywhere, so that rounding cannot make a right gradient look wrong
    w = rng.uniform(0.5, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)
    c = rng.uniform(0.5, 2.0)

    def f(x):
        return float(np.sum(w * x + 0.2 * np.sin(c * x)))

    def right(x):
        return w + 0.2 * c * np.cos(c * x)

    error, index = worst_relative_error(f, right, x)
    assert np.all(x == x_before), "worst_relative_error changed x"
    assert error < 1e-6, f"a correct gradient on shape {shape} has relative error {error:.2e}"
    assert len(index) == len(shape), f"index {index} for an array of shape {shape}"
    k = tuple(int(rng.integers(s)) for s in shape)
    factor = rng.uniform(1.2, 3.0) * rng.choice([-1.0, 1.0])

    def wrong(x, k=k, factor=factor):
        g = right(x)
        g[k] *= factor
        return g

    a = right(x)[k]
    expected = abs(a - factor * a) / max(abs(a), abs(factor * a))
    error, index = worst_relative_error(f, wrong, x)
    assert np.isclose(error, expected, rtol=1e-4), (error, expected)
    assert tuple(int(i) for i in index) == k, f"the wrong coordinate is {k}, not {index}"

# a coordinate that f does not depend on: gradient exactly zero, no nan
x = rng.uniform(-1.0, 1.0, size=5)
error, index = worst_relative_error(lambda x: float(np.sum(np.sin(x[1:]))), lambda x: np.concatenate([[0.0], np.cos(x[1:])]), x)
assert np.isfinite(error) and error < 1e-6, error
# a huge function with a right gradient, and a tiny one with a wrong gradient
x = rng.uniform(-1.0, 1.0, size=4)
big, tiny = 1e8 * rng.uniform(1, 2), 1e-8 * rng.uniform(1, 2)
error, _ = worst_relative_error(lambda x: float(big * np.sum(np.sin(x))), lambda x: big * np.cos(x), x)
assert error < 1e-5, f"a correct gradient of a function of size 1e8: relative error {error:.2e}"
error, _ = worst_relative_error(lambda x: float(tiny * np.sum(np.sin(x))), lambda x: 2 * tiny * np.cos(x), x)
assert np.isclose(error, 0.5, rtol=1e-3), f"a gradient twice too large must give 0.5, got {error}"
# h = 1e-3: central differences are accurate to h**2, one-sided ones only to h
x = rng.uniform(0.0, 1.0, size=6)
error, _ = worst_relative_error(lambda x: float(np.sum(np.exp(3 * x))), lambda x: 3 * np.exp(3 * x), x, h=1e-3)
assert error < 1e-5, f"with h = 1e-3 a correct gradient gives {error:.2e}: central differences?"
### END HIDDEN TESTS
"""

# ---------------------------------------------------------------------------- exercise 2
EX2 = r"""
## Exercise 2: three wrong VJP rules (3 points)

The setup cell defines three functions and, for each, a VJP rule `given_..._vjp(g, ans, x)`
with **exactly one bug** each (a wrong formula, a lost axis, a missing factor):

| function | definition | shape of the output |
|---|---|---|
| `softplus_impl` | $\log(1 + e^{x})$, elementwise | `x.shape` |
| `logsumexp_impl` | $\log \sum_j e^{x_{\dots j}}$ over the last axis | `x.shape[:-1]` |
| `rms_norm_impl` | $x / r$, $r = \sqrt{\operatorname{mean}_j x_{\dots j}^2 + \epsilon}$ over the last axis | `x.shape` |

Find each bug, **with tools, not by staring**: make the primitive with
`p = as_primitive("softplus", softplus_impl, given_softplus_vjp)`, then run your checker of
Exercise 1 on `lambda x: float(np.sum(u * p(x)))` and `ad.grad(lambda x: anp.sum(u * p(x)))`
for a random `u` (a random weighting tests every output), and `ad.check_grads(p, (x,),
order=1, modes=("rev",))`. Try 2-D inputs, square ones too. The cell below does the first
step for you.

Then write the fixed rules `softplus_vjp(g, ans, x)`, `logsumexp_vjp(g, ans, x)` and
`rms_norm_vjp(g, ans, x)`: the cotangent $\bar x$ (the shape of `x`) given the cotangent `g`
of the output (the shape of `ans`). Keep each rule close to the given one, written with
`anp`, so that it can itself be differentiated (second derivatives).

*Checked:* against the true VJP on random inputs of 1, 2 and 3 dimensions (square ones
included) and random cotangents, and by `ad.check_grads` to second order. One point per rule.
"""

EX2_DEMO = """
# Try it: your checker on the three given rules (random 2-D input, random output weights).
rng = np.random.default_rng(0)
x_try = rng.normal(size=(3, 4))
for name, impl, rule in [
    ("softplus", softplus_impl, given_softplus_vjp),
    ("logsumexp", logsumexp_impl, given_logsumexp_vjp),
    ("rms_norm", rms_norm_impl, given_rms_norm_vjp),
]:
    p = as_primitive(name, impl, rule)
    u = rng.normal(size=np.shape(impl(x_try)))
    try:
        error, index = worst_relative_error(
            lambda x: float(np.sum(u * impl(x))), ad.grad(lambda x: anp.sum(u * p(x))), x_try
        )
    except NotImplementedError:
        print("Finish Exercise 1 first.")
        break
    except Exception as err:  # a broken rule can fail loudly: that is a clue too
        print(f"{name:10s} the given rule raised {type(err).__name__}: {err}")
    else:
        print(f"{name:10s} worst relative error {error:.2e} at {index}")
"""

EX2_ANSWER = '''
def softplus_vjp(g, ans, x):
    """x_bar for ans = softplus(x)."""
    ### BEGIN SOLUTION
    return g * (1 - anp.exp(-ans))  # sigmoid(x) = 1 - 1 / (1 + e^x)
    ### END SOLUTION


def logsumexp_vjp(g, ans, x):
    """x_bar for ans = logsumexp(x) over the last axis."""
    ### BEGIN SOLUTION
    return g[..., None] * anp.exp(x - ans[..., None])  # put back the summed axis
    ### END SOLUTION


def rms_norm_vjp(g, ans, x):
    """x_bar for ans = rms_norm(x) over the last axis."""
    ### BEGIN SOLUTION
    n = x.shape[-1]
    r = anp.sqrt(anp.mean(x * x, axis=-1, keepdims=True) + EPS)
    return g / r - x * anp.sum(g * x, axis=-1, keepdims=True) / (n * r**3)
    ### END SOLUTION
'''

EX2_SELFCHECK = "self_check.fixed_rules(softplus_vjp, logsumexp_vjp, rms_norm_vjp)"

# Each rule's tests: the student's rule against a reference VJP (the grader's autodiff on a
# trusted re-implementation), then check_grads to second order, which differentiates the
# student's rule and so runs in the student's process.
RULE_TESTS = """
from types import SimpleNamespace

# Graded, this cell runs in the grader and your code in your notebook's own process,
# `student`: what your code differentiates must be built there, with its `ad` and `anp`.
# In your kernel, `notebook` is simply this notebook.
notebook = student if "student" in globals() else SimpleNamespace(**globals())


def reference_vjp(impl_anp, x, g):
    return ad.vjp(impl_anp, x)[1](g)[0]


def check_rule(name, impl, rule, impl_anp, x, g):
    got = rule(g, impl(x), x)
    assert np.shape(got) == np.shape(x), f"{name}: x_bar has shape {np.shape(got)}, x has {np.shape(x)}"
    assert np.allclose(got, reference_vjp(impl_anp, x, g), rtol=1e-9, atol=1e-12), f"{name}: wrong x_bar for x of shape {x.shape}"
    notebook.ad.check_grads(notebook.as_primitive(name, impl, rule), (x,), order=2, modes=("rev",))


"""

REFERENCES = {
    "softplus": "lambda x: anp.log1p(anp.exp(x))",
    "logsumexp": "lambda x: anp.logsumexp(x, axis=-1)",
    "rms_norm": "lambda x: x / anp.sqrt(anp.mean(x**2, axis=-1, keepdims=True) + EPS)",
}

VISIBLE_X = {
    "softplus": "np.array([[-2.0, 0.5], [1.0, 3.0]])",
    "logsumexp": "np.array([[0.5, -1.0, 2.0], [0.0, 1.0, -0.5], [1.5, 0.2, 0.3]])",
    "rms_norm": "np.array([[0.5, -1.0, 2.0, 0.1], [1.0, 0.2, -0.4, 0.3]])",
}


def rule_tests(name: str) -> str:
    impl, rule, ref = f"{name}_impl", f"{name}_vjp", REFERENCES[name]
    return (
        "# Visible tests: the same input as the self-check.\n"
        + RULE_TESTS
        + f"x = {VISIBLE_X[name]}\n"
        + f"g = np.cos(np.arange(np.size({impl}(x)), dtype=float)).reshape(np.shape({impl}(x)))\n"
        + f'check_rule("{name}", {impl}, {rule}, {ref}, x, g)\n'
        + "### BEGIN HIDDEN TESTS\n"
        + "rng = np.random.default_rng()\n"
        + "for shape in [(6,), (4, 4), (3, 5), (2, 3, 4), (5, 5)]:\n"
        + "    x = rng.normal(size=shape) * rng.uniform(0.5, 3.0)\n"
        + f"    g = rng.normal(size=np.shape({impl}(x)))\n"
        + f'    check_rule("{name}", {impl}, {rule}, {ref}, x, g)\n'
        + "### END HIDDEN TESTS\n"
    )


# ---------------------------------------------------------------------------- exercise 3
EX3 = r"""
## Exercise 3: clipping by the global norm (2 points)

A network's gradient is a **pytree**: nested dicts, lists and tuples of arrays, one leaf per
parameter array. Clipping by the global norm treats the whole tree as one long vector (Pascanu,
Mikolov and Bengio 2013): with $\|g\| = \sqrt{\sum_{\text{leaves}} \sum g^2}$, every leaf is
multiplied by the same factor $\min(1, c / \|g\|)$, so the direction of the whole gradient is
kept and only a step that is too long is shortened.

Write `clip_by_global_norm(grads, max_norm)`, returning `(clipped, norm)`: a pytree of the
same structure (same containers, same keys, same shapes) and the norm **before** clipping, as
a float. A zero gradient comes back unchanged (no `nan`); a `max_norm` that is not positive
raises a `ValueError` that says so. Don't modify `grads`. `ad.tree_flatten` and
`ad.tree_unflatten` (or `ad.tree_map`) do the walking over the tree; don't call
`ad.optim.clip_grad_norm`, write it yourself.

*Checked:* on random trees of random sizes, clipped and not clipped; the classic mistake,
clipping each leaf by its own norm, changes the direction and fails.
"""

EX3_ANSWER = '''
def clip_by_global_norm(grads, max_norm):
    """(grads scaled by min(1, max_norm / norm), norm): one factor for the whole pytree."""
    ### BEGIN SOLUTION
    if not max_norm > 0:
        raise ValueError(f"clip_by_global_norm: max_norm must be positive, got {max_norm!r}")
    leaves, treedef = ad.tree_flatten(grads)
    norm = float(np.sqrt(sum(np.sum(np.square(leaf)) for leaf in leaves)))
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return ad.tree_unflatten(treedef, [np.asarray(leaf) * scale for leaf in leaves]), norm
    ### END SOLUTION
'''

EX3_TESTS = """
# Visible tests: the same inputs as the self-check.
grads = {"W": np.array([[3.0, 0.0], [0.0, 0.0]]), "b": [np.array([4.0]), np.array([0.0, 0.0])]}
clipped, norm = clip_by_global_norm(grads, 1.0)
assert np.isclose(norm, 5.0)
assert np.allclose(clipped["W"], [[0.6, 0.0], [0.0, 0.0]]) and np.allclose(clipped["b"][0], [0.8])
assert isinstance(clipped["b"], list) and np.shape(clipped["b"][1]) == (2,)
same, norm = clip_by_global_norm(grads, 10.0)  # short enough: unchanged
assert np.isclose(norm, 5.0) and np.allclose(same["W"], grads["W"]) and np.allclose(same["b"][0], [4.0])
### BEGIN HIDDEN TESTS
rng = np.random.default_rng()
# switched off where the student's code runs (the grader's own copy is not the student's)
saved_clip = student.ad.optim.clip_grad_norm


def refuse(*args, **kwargs):
    raise RuntimeError("write clip_by_global_norm yourself: ad.optim.clip_grad_norm is switched off")


student.ad.optim.clip_grad_norm = refuse
try:
    for _ in range(10):
        n_layers = int(rng.integers(1, 4))
        tree = {
            "layers": [
                {"W": rng.normal(size=tuple(int(s) for s in rng.integers(1, 6, size=2))), "b": rng.normal(size=int(rng.integers(1, 6)))}
                for _ in range(n_layers)
            ],
            "head": (rng.normal(size=3) * rng.uniform(0.1, 10.0), rng.normal(size=(2, 2))),
        }
        leaves, treedef = ad.tree_flatten(tree)
        before = [leaf.copy() for leaf in leaves]
        true_norm = np.sqrt(sum(np.sum(leaf**2) for leaf in leaves))
        c = true_norm * rng.choice([rng.uniform(0.05, 0.9), rng.uniform(1.1, 3.0)])
        clipped, norm = clip_by_global_norm(tree, c)
        assert np.isclose(float(norm), true_norm, rtol=1e-12), "wrong norm"
        got_leaves, got_treedef = ad.tree_flatten(clipped)
        assert got_treedef == treedef, f"the structure changed: {got_treedef} instead of {treedef}"
        factor = min(1.0, c / true_norm)
        for got, leaf in zip(got_leaves, leaves):
            assert np.shape(got) == np.shape(leaf)
            assert np.allclose(got, factor * leaf, rtol=1e-12, atol=0), "wrong clipped values"
        assert all(np.array_equal(a, b) for a, b in zip(leaves, before)), "grads were modified"
    zero = {"a": np.zeros(3), "b": [np.zeros((2, 2))]}
    clipped, norm = clip_by_global_norm(zero, float(rng.uniform(0.5, 2.0)))
    assert float(norm) == 0.0 and np.all(clipped["a"] == 0) and np.all(clipped["b"][0] == 0)
    for bad in (0.0, -float(rng.uniform(0.5, 2.0))):
        try:
            clip_by_global_norm(zero, bad)
        except ValueError as err:
            assert str(err), "say what is wrong in the error message"
        else:
            raise AssertionError(f"max_norm={bad} must raise ValueError")
finally:
    student.ad.optim.clip_grad_norm = saved_clip
### END HIDDEN TESTS
"""

# ---------------------------------------------------------------------------- exercise 4
EX4 = r"""
## Exercise 4: the largest stable learning rate (2 points)

Near a minimum, gradient descent $w \leftarrow w - \eta \nabla L(w)$ behaves as on the
quadratic with the Hessian $H$ there: it converges for $\eta < 2 / \lambda_{\max}(H)$ and
diverges above (the lesson; Nocedal and Wright 2006, chapter 3). For a network $H$ is far too
big to form, but **power iteration** only needs products $H v$, and `ad.hvp(loss, (w,),
(v,))` gives one for the cost of a few gradients (it returns a tuple: `(Hv,)`):

1. start from a **random** unit vector $v$ (a fixed one, like all ones, may be orthogonal to
   the top eigenvector);
2. repeat `n_iter` times: $u = H v$, $\lambda = v \cdot u$, $v = u / \|u\|$ (normalise at
   every step, or the vector overflows).

For a convex loss ($H$ positive semi-definite), $\lambda$ converges to $\lambda_{\max}$.

Write `largest_stable_step(loss, w, n_iter=100)`, returning `(lam_max, step)` with
`step` $= 2 / $ `lam_max`, for a scalar `loss(w)` of a 1-D array `w`. Use `ad.hvp`; don't
form the Hessian (`ad.hessian`, `ad.jacfwd`, `ad.jacrev` and `np.linalg`'s eigenvalue
functions are switched off in the hidden tests).

*Checked:* against the eigenvalues of random quadratics (with a top eigenvector orthogonal
to the vector of ones, and with $\lambda_{\max}$ up to $10^4$) and of a regularised logistic
regression; and gradient descent on the quadratic converges at $0.95\times$ your step and
diverges at $1.05\times$.
"""

EX4_ANSWER = '''
def largest_stable_step(loss, w, n_iter=100):
    """(lam_max, 2 / lam_max) of the Hessian of loss at w, by power iteration with ad.hvp."""
    ### BEGIN SOLUTION
    rng = np.random.default_rng(0)
    v = rng.standard_normal(np.shape(w))
    v = v / np.linalg.norm(v)
    lam = 0.0
    for _ in range(n_iter):
        (u,) = ad.hvp(loss, (w,), (v,))
        lam = float(np.vdot(v, u))
        norm = np.linalg.norm(u)
        if norm == 0:
            break
        v = u / norm
    return lam, 2.0 / lam
    ### END SOLUTION
'''

EX4_TESTS = """
# Visible tests: the same inputs as the self-check.
from types import SimpleNamespace

# Graded, this cell runs in the grader and your code in your notebook's own process,
# `student`: what your code differentiates must be built there, with its `ad` and `anp`.
# In your kernel, `notebook` is simply this notebook.
notebook = student if "student" in globals() else SimpleNamespace(**globals())
H = np.array([[3.0, 1.0, 0.0], [1.0, 2.0, 0.0], [0.0, 0.0, 0.5]])


def quadratic(w):
    return 0.5 * notebook.anp.sum(w * (H @ w))


lam, step = largest_stable_step(quadratic, np.zeros(3))
assert np.isclose(lam, (5 + np.sqrt(5)) / 2, rtol=1e-8), lam
assert np.isclose(step, 2 / lam, rtol=1e-12), step
H = np.array([[2.0, -1.0, 0.0], [-1.0, 2.0, 0.0], [0.0, 0.0, 1.0]])  # top eigenvector (1, -1, 0)
lam, step = largest_stable_step(quadratic, np.zeros(3))
assert np.isclose(lam, 3.0, rtol=1e-8), f"{lam}: start from a random vector, not (1, 1, 1)"
### BEGIN HIDDEN TESTS
rng = np.random.default_rng()


def random_spd(n, lam_max, orthogonal_to_ones=False):
    Q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    if orthogonal_to_ones:  # top eigenvector orthogonal to (1, ..., 1)
        top = rng.normal(size=n)
        top -= top.mean()
        Q[:, 0] = top / np.linalg.norm(top)
        Q, _ = np.linalg.qr(Q)
    lams = lam_max * np.concatenate([[1.0, 0.8], rng.uniform(0.01, 0.8, size=n - 2)])
    return (Q * lams) @ Q.T, lam_max


def descend(H, w0, lr, steps=600):
    w = w0.copy()
    for _ in range(steps):
        w = w - lr * (H @ w)
    return np.linalg.norm(w) / np.linalg.norm(w0)


cases = []
for k in range(4):
    n = int(rng.integers(3, 12))
    cases.append(random_spd(n, float(10 ** rng.uniform(-1, 4)), orthogonal_to_ones=(k % 2 == 0)))
cases.append(random_spd(8, 1e4, orthogonal_to_ones=False))
# a regularised logistic regression: its Hessian (and top eigenvalue) from ad.hessian, first
X = rng.normal(size=(40, 4)) * np.array([3.0, 1.0, 0.5, 0.2])
y = (rng.random(40) < 0.5).astype(float)
w_log = rng.normal(size=4) * 0.3


def logistic(w, anp=anp):  # anp: ours for the reference, the student's for the student's ad.hvp
    z = X @ w
    return anp.mean(anp.log1p(anp.exp(z)) - y * z) + 0.05 * anp.sum(w * w)


lam_log = np.linalg.eigvalsh(ad.hessian(logistic)(w_log))[-1]

# switched off where the student's code runs (the grader's own copies are not the student's)
their_ad, their_linalg = student.ad, student.np.linalg
saved = {name: getattr(their_ad, name) for name in ("hessian", "jacfwd", "jacrev", "jacobian")}
saved_linalg = {
    name: getattr(their_linalg, name) for name in ("eig", "eigh", "eigvals", "eigvalsh")
}


def refuse(*args, **kwargs):
    raise RuntimeError("largest_stable_step: use power iteration with ad.hvp, don't form the Hessian")


for name in saved:
    setattr(their_ad, name, refuse)
for name in saved_linalg:
    setattr(their_linalg, name, refuse)
try:
    results = []
    for H, lam_max in cases:
        def quadratic(w, H=H):  # traced by the student's ad.hvp, in the student's process
            return 0.5 * student.anp.sum(w * (H @ w))

        w0 = rng.normal(size=H.shape[0])
        results.append((H, lam_max, largest_stable_step(quadratic, w0)))
    lam_got, step_got = largest_stable_step(lambda w: logistic(w, student.anp), w_log, n_iter=300)
finally:
    for name, value in saved.items():
        setattr(their_ad, name, value)
    for name, value in saved_linalg.items():
        setattr(their_linalg, name, value)

for H, lam_max, (lam, step) in results:
    assert np.isclose(lam, lam_max, rtol=1e-6), f"lam_max {lam}, expected {lam_max}"
    assert np.isclose(step, 2 / lam_max, rtol=1e-6), "step must be 2 / lam_max"
    w0 = rng.normal(size=H.shape[0])
    assert descend(H, w0, 0.95 * step) < 1e-3, "gradient descent at 0.95 x step should converge"
    assert descend(H, w0, 1.05 * step) > 1e3, "gradient descent at 1.05 x step should diverge"
assert np.isclose(lam_got, lam_log, rtol=1e-5), (lam_got, lam_log)
assert np.isclose(step_got, 2 / lam_log, rtol=1e-5)
### END HIDDEN TESTS
"""

FURTHER = r"""
## Going further (not graded)

- Put your tools together on the lesson's cliff, $L(a) = \operatorname{mean}_t (e^{a t} -
  e^{0.3 t})^2$: compute `largest_stable_step` at $a = 0.3$ and at $a = 0.5$, and explain why
  a step that is stable near the answer throws $a$ away from $0.5$ unless the gradient is
  clipped.
- Give `softplus` a JVP rule with a bug as well and see which mode `ad.check_grads` blames.
- Compare your fixed rules with JAX: `jax.vjp(jax.nn.softplus, x)`,
  `jax.vjp(lambda x: jax.scipy.special.logsumexp(x, axis=-1), x)` (with
  `jax.config.update("jax_enable_x64", True)`).

**References.** Goodfellow, Bengio and Courville (2016), *Deep Learning*, section 11.5
(gradient checking); Pascanu, Mikolov and Bengio (2013), *On the difficulty of training
recurrent neural networks*, ICML (clipping by the global norm); Zhang and Sennrich (2019),
*Root mean square layer normalization*, NeurIPS (RMSNorm); Nocedal and Wright (2006),
*Numerical Optimization*, chapter 3 (the step size and the condition number); Golub and Van
Loan (2013), *Matrix Computations*, section 8.2 (power iteration).
"""


def build():
    return notebook(
        [
            md("intro", INTRO),
            code("setup", SETUP),
            md("ex1", EX1),
            answer("worst_relative_error", EX1_ANSWER),
            code(
                "selfcheck_worst_relative_error",
                "self_check.worst_relative_error(worst_relative_error)",
            ),
            tests("test_worst_relative_error", 2, EX1_TESTS),
            md("ex2", EX2),
            code("demo_given_rules", EX2_DEMO),
            answer("fixed_rules", EX2_ANSWER),
            code("selfcheck_fixed_rules", EX2_SELFCHECK),
            tests("test_softplus_vjp", 1, rule_tests("softplus")),
            tests("test_logsumexp_vjp", 1, rule_tests("logsumexp")),
            tests("test_rms_norm_vjp", 1, rule_tests("rms_norm")),
            md("ex3", EX3),
            answer("clip_by_global_norm", EX3_ANSWER),
            code(
                "selfcheck_clip_by_global_norm",
                "self_check.clip_by_global_norm(clip_by_global_norm)",
            ),
            tests("test_clip_by_global_norm", 2, EX3_TESTS),
            md("ex4", EX4),
            answer("largest_stable_step", EX4_ANSWER),
            code(
                "selfcheck_largest_stable_step",
                "self_check.largest_stable_step(largest_stable_step)",
            ),
            tests("test_largest_stable_step", 2, EX4_TESTS),
            md("further", FURTHER),
        ]
    )


if __name__ == "__main__":
    main(LAB, build)
