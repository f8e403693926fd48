"""Generator of Lab 1, "Finite differences and their error" (pairs with lesson 02-four-ways).

Run ``python notebooks/tools/lab1_finite_differences.py`` to rewrite the source notebook,
then ``make release`` to regenerate the student version. The self-checks (visible checks
only) are in ``notebooks/source/lab1-finite-differences/lab1_checks.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from nbbuild import answer, code, main, md, notebook, tests  # noqa: E402

LAB = "lab1-finite-differences"

INTRO = r"""
# Lab 1: Finite differences and their error

This lab goes with the lesson *Four ways to differentiate*. You will write the
finite-difference estimates of a derivative yourself, measure how their error depends on the
step size $h$, and then use two classic ideas that do better: Richardson extrapolation and
the complex-step derivative.

**How this lab works.**

- Each exercise says what to write, the signature to fill in, and how it is checked. Replace
  `raise NotImplementedError("your code here")` with your code; keep the function's name and
  arguments.
- After each exercise, a **self-check** cell runs the exercise's visible checks on your
  function and explains any failure: the input, what was expected, what you returned, and a
  hint for the usual mistakes. It does not grade you.
- Then comes a read-only **tests** cell, worth the points shown. Its visible asserts show the
  shape of the check; when your lab is graded, hidden tests with fresh random inputs are
  added, so write the function, not the answers.
- You may use `autodiff_lite` (imported below as `ad`), and JAX (enable float64 with
  `jax.config.update("jax_enable_x64", True)`) or PyTorch, to check yourself.
- Before you submit: *Kernel → Restart Kernel and Run All Cells*, and check that the
  self-checks pass.

| exercise | you write | points |
|---|---|---|
| 1 | `forward_difference(f, x, h)` | 2 |
| 2 | `central_difference(f, x, h)` | 2 |
| 3 | `step_errors(method, f, df, xs, hs)`: error against step size | 2 |
| 4 | `best_step(method, f, df, xs, hs)` | 2 |
| 5 | `richardson(f, x, h)`: Richardson extrapolation | 2 |
| 6 | `complex_step(f, x, h=1e-20)`: the complex-step derivative | 2 |
"""

SELF_CHECK = """
# The self-checks run the visible checks of each exercise: lab1_checks.py, next to this notebook.
import lab1_checks as self_check
"""

SETUP = """
import numpy as np

import autodiff_lite as ad  # noqa: F401  (to check your answers yourself)

eps = np.finfo(np.float64).eps  # machine epsilon of float64
print(f"eps = {eps:.2e}, eps**(1/2) = {eps**0.5:.1e}, eps**(1/3) = {eps ** (1 / 3):.1e}")
"""

# ---------------------------------------------------------------------------- exercise 1
EX1 = r"""
## Exercise 1: the forward difference (2 points)

Write `forward_difference(f, x, h)`, the estimate

$$f'(x) \approx \frac{f(x + h) - f(x)}{h}.$$

`x` may be a float or a numpy array of points (then `f` acts elementwise and you return one
estimate per point): written with array arithmetic, one line serves both.

*Checked:* against the formula for random polynomials, points and steps; one estimate per
point for an array `x`; and its error must shrink like $h$ (first order).
"""

EX1_ANSWER = '''
def forward_difference(f, x, h):
    """The forward-difference estimate (f(x + h) - f(x)) / h of f'(x)."""
    ### BEGIN SOLUTION
    return (f(x + h) - f(x)) / h
    ### END SOLUTION
'''

EX1_TESTS = """
# Visible tests: the same inputs as the self-check.
def cube(x):
    return x**3


assert np.isclose(forward_difference(cube, 2.0, 0.5), 15.25)
assert np.isclose(forward_difference(np.exp, 0.0, 1e-3), 1.0005001667083846)
points = np.array([0.0, 1.0, 2.0])
estimates = forward_difference(np.sin, points, 1e-6)
assert np.shape(estimates) == (3,)
assert np.allclose(estimates, np.cos(points), atol=1e-5)
### BEGIN HIDDEN TESTS
rng = np.random.default_rng()


def poly(c):
    return lambda t: np.polyval(c, t)


def exp_a(a):
    return lambda t: np.exp(a * t)


for _ in range(20):
    c = rng.normal(size=5)
    x, h = rng.uniform(-2, 2), 10 ** rng.uniform(-3, -0.5)
    expected = (np.polyval(c, x + h) - np.polyval(c, x)) / h
    got = forward_difference(poly(c), x, h)
    assert np.isclose(got, expected, rtol=1e-9, atol=1e-9), (c, x, h, got, expected)
xs = rng.uniform(-1, 1, size=7)
got = forward_difference(np.exp, xs, 1e-4)
assert np.shape(got) == (7,)
assert np.allclose(got, (np.exp(xs + 1e-4) - np.exp(xs)) / 1e-4, rtol=1e-9)
# first order: halving h halves the error
a, x = rng.uniform(0.5, 2.0), rng.uniform(-1, 1)
err = [abs(forward_difference(exp_a(a), x, h) - a * np.exp(a * x)) for h in (1e-2, 5e-3)]
assert 1.8 < err[0] / err[1] < 2.2, err
### END HIDDEN TESTS
"""

# ---------------------------------------------------------------------------- exercise 2
EX2 = r"""
## Exercise 2: the central difference (2 points)

Write `central_difference(f, x, h)`, the estimate

$$f'(x) \approx \frac{f(x + h) - f(x - h)}{2h}.$$

Taylor's theorem says its error is about $\tfrac{h^2}{6}|f'''(x)|$: second order, so it is
exact for quadratics. Again `x` may be a float or an array.

*Checked:* against the formula for random polynomials, points and steps (a forward
difference will not pass); exact for quadratics; and its error must shrink like $h^2$.
"""

EX2_ANSWER = '''
def central_difference(f, x, h):
    """The central-difference estimate (f(x + h) - f(x - h)) / (2 h) of f'(x)."""
    ### BEGIN SOLUTION
    return (f(x + h) - f(x - h)) / (2 * h)
    ### END SOLUTION
'''

EX2_TESTS = """
# Visible tests: the same inputs as the self-check.
def cube(x):
    return x**3


assert np.isclose(central_difference(cube, 2.0, 0.5), 12.25)
assert np.isclose(central_difference(np.exp, 0.0, 1e-3), 1.0000001666666813)
points = np.array([0.0, 1.0, 2.0])
estimates = central_difference(np.sin, points, 1e-4)
assert np.shape(estimates) == (3,)
assert np.allclose(estimates, np.cos(points), atol=1e-8)
### BEGIN HIDDEN TESTS
rng = np.random.default_rng()


def poly(c):
    return lambda t: np.polyval(c, t)


def exp_a(a):
    return lambda t: np.exp(a * t)


for _ in range(20):
    c = rng.normal(size=5)
    x, h = rng.uniform(-2, 2), 10 ** rng.uniform(-3, -0.5)
    expected = (np.polyval(c, x + h) - np.polyval(c, x - h)) / (2 * h)
    got = central_difference(poly(c), x, h)
    assert np.isclose(got, expected, rtol=1e-9, atol=1e-9), (c, x, h, got, expected)
# exact for a quadratic, whatever the step
c, x, h = rng.normal(size=3), rng.uniform(-2, 2), rng.uniform(0.1, 1.0)
assert np.isclose(central_difference(poly(c), x, h), 2 * c[0] * x + c[1], rtol=1e-9, atol=1e-9)
xs = rng.uniform(-1, 1, size=7)
assert np.shape(central_difference(np.exp, xs, 1e-3)) == (7,)
# second order: halving h quarters the error
a, x = rng.uniform(0.5, 2.0), rng.uniform(-1, 1)
err = [abs(central_difference(exp_a(a), x, h) - a * np.exp(a * x)) for h in (4e-2, 2e-2)]
assert 3.6 < err[0] / err[1] < 4.4, err
### END HIDDEN TESTS
"""

# ---------------------------------------------------------------------------- exercise 3
EX3 = r"""
## Exercise 3: error against step size (2 points)

The lesson's error model says that the error of a difference estimate falls as $h$ shrinks
(truncation) until round-off takes over and it rises again like $\varepsilon |f| / h$.
Round-off makes the error at a single point jump erratically from one $h$ to the next, so we
measure at many points and take the **median**.

Write `step_errors(method, f, df, xs, hs)`. `method` is a difference estimate with the
signature of your functions above (called as `method(f, x, h)`, and it accepts an array
`x`), `df` is the exact derivative of `f`, `xs` an array of points and `hs` an array of
steps. Return a float array of shape `(len(hs),)`: entry `k` is the median over the points of
the absolute error $|\,\mathrm{method}(f, x, h_k) - f'(x)\,|$.

*Checked:* with methods given by the tests (a backward difference, the fourth-order
five-point difference, and others), against a reference for random functions, points and
step grids: the median of the *absolute* errors, one number per step.
"""

EX3_ANSWER = '''
def step_errors(method, f, df, xs, hs):
    """Median over xs of |method(f, x, h) - df(x)| for each h in hs: shape (len(hs),)."""
    ### BEGIN SOLUTION
    xs = np.asarray(xs, dtype=float)
    return np.array([np.median(np.abs(method(f, xs, h) - df(xs))) for h in hs])
    ### END SOLUTION
'''

METHODS = """
def backward(f, x, h):
    return (f(x) - f(x - h)) / h


def five_point(f, x, h):
    return (-f(x + 2 * h) + 8 * f(x + h) - 8 * f(x - h) + f(x - 2 * h)) / (12 * h)
"""

HIDDEN_METHODS = """
def forward_ref(f, x, h):
    return (f(x + h) - f(x)) / h


def central_ref(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)


def exp_a(a):
    return lambda t: np.exp(a * t)


def exp_a_prime(a):
    return lambda t: a * np.exp(a * t)
"""

EX3_TESTS = f"""
# Visible tests: methods that are not the exercises, so that this one is graded on its own.


{METHODS.strip()}


xs, hs = np.array([0.5, 0.8, 1.1, 1.4]), np.array([0.4, 0.2, 0.1])
errors = step_errors(backward, np.sin, np.cos, xs, hs)
assert np.shape(errors) == (3,)
assert np.allclose(errors, [0.14350786138189928, 0.07633375445972665, 0.039222479190481524])
errors = step_errors(five_point, np.sin, np.cos, xs, hs)
assert np.allclose(errors, [4.815341226284131e-04, 3.0529012283009305e-05, 1.9148903684929053e-06])
### BEGIN HIDDEN TESTS
rng = np.random.default_rng()


{HIDDEN_METHODS.strip()}


for method in (forward_ref, central_ref, five_point):
    for _ in range(3):
        a = rng.choice([-1, 1]) * rng.uniform(0.5, 2.0)
        f, df = exp_a(a), exp_a_prime(a)
        xs = rng.uniform(-1, 1, size=rng.integers(5, 30))
        hs = np.logspace(rng.uniform(-2.5, -2), rng.uniform(-1, -0.5), rng.integers(4, 12))
        got = step_errors(method, f, df, xs, hs)
        assert np.shape(got) == hs.shape, np.shape(got)
        ref = [np.median(np.abs(method(f, xs, h) - df(xs))) for h in hs]
        assert np.allclose(got, ref, rtol=1e-4), (got, ref)
### END HIDDEN TESTS
"""

# ---------------------------------------------------------------------------- exercise 4
EX4 = r"""
## Exercise 4: the best step (2 points)

Write `best_step(method, f, df, xs, hs)`: the step in `hs` with the smallest median error,
using your `step_errors`. Return the step $h$ itself (a float from `hs`), not its position
in `hs`.

The lesson's error model predicts where the best step lies: about
$\varepsilon^{1/2} \approx 10^{-8}$ for a first-order difference (forward or backward), about
$\varepsilon^{1/3} \approx 6 \cdot 10^{-6}$ for the second-order central one, and in general
about $\varepsilon^{1/(p+1)}$ for a method of order $p$.

*Checked:* the step is one of `hs` and the one your `step_errors` ranks best; for $\sin$ on
$[0.5, 1.5]$, the backward difference's best step lies within a factor 10 of
$\varepsilon^{1/2}$ and the five-point difference's within a factor 10 of
$\varepsilon^{1/5}$.
"""

EX4_ANSWER = '''
def best_step(method, f, df, xs, hs):
    """The step h in hs with the smallest median error step_errors(...)."""
    ### BEGIN SOLUTION
    hs = np.asarray(hs, dtype=float)
    return float(hs[np.argmin(step_errors(method, f, df, xs, hs))])
    ### END SOLUTION
'''

EX4_TESTS = f"""
# Visible tests: methods that are not the exercises, so that this one is graded on its own.


{METHODS.strip()}


xs, hs = np.linspace(0.5, 1.5, 50), np.logspace(-16, 0, 81)
h_backward = best_step(backward, np.sin, np.cos, xs, hs)
h_five_point = best_step(five_point, np.sin, np.cos, xs, hs)
assert h_backward in hs and h_five_point in hs
assert eps**0.5 / 10 < h_backward < 10 * eps**0.5, h_backward
assert eps**0.2 / 10 < h_five_point < 10 * eps**0.2, h_five_point
### BEGIN HIDDEN TESTS
rng = np.random.default_rng()


{HIDDEN_METHODS.strip()}


for method in (forward_ref, central_ref, backward):
    a = rng.uniform(0.5, 2.0)
    f, df = exp_a(a), exp_a_prime(a)
    xs = rng.uniform(-1, 1, size=rng.integers(20, 60))
    hs = np.logspace(rng.uniform(-16, -14), rng.uniform(-1, 0), rng.integers(50, 120))
    got = best_step(method, f, df, xs, hs)
    assert np.ndim(got) == 0 and got in hs, got
    errors = step_errors(method, f, df, xs, hs)
    assert got == hs[np.argmin(errors)], (got, hs[np.argmin(errors)])
### END HIDDEN TESTS
"""

STUDY = r"""
### Try it: where are the best steps for $\exp$ near $0$?

The cell below measures your forward and central differences for $f = \exp$ at 200 points
near $0$ (run it once Exercises 1 to 4 pass). Compare the best steps with the error model,
$h^\ast = 2\sqrt{\varepsilon |f| / |f''|}$ (forward) and
$h^\ast = (3\varepsilon |f| / |f'''|)^{1/3}$ (central), where here
$|f| = |f''| = |f'''| \approx 1$.
"""

STUDY_CODE = """
xs_exp = np.random.default_rng(0).uniform(-0.5, 0.5, size=200)
hs_exp = np.logspace(-16, 0, 161)
try:
    for name, method, theory in [
        ("forward", forward_difference, 2 * eps**0.5),
        ("central", central_difference, (3 * eps) ** (1 / 3)),
    ]:
        h = best_step(method, np.exp, np.exp, xs_exp, hs_exp)
        err = step_errors(method, np.exp, np.exp, xs_exp, [h])[0]
        print(f"{name}: best h = {h:.1e} (model: {theory:.1e}), median error {err:.1e}")
except NotImplementedError:
    print("Run this cell again once Exercises 1 to 4 are done.")
"""

# ---------------------------------------------------------------------------- exercise 5
EX5 = r"""
## Exercise 5: Richardson extrapolation (2 points)

The central difference has an error expansion in even powers of $h$:
$C(h) = f'(x) + c\,h^2 + O(h^4)$, with $c$ independent of $h$. Halving the step gives
$C(h/2) = f'(x) + c\,h^2/4 + O(h^4)$. Choose the weights of $C(h)$ and $C(h/2)$ that cancel
the $h^2$ term (and still give $f'(x)$ when there is no error), and you get a
**fourth-order** estimate from the same kind of differences (Richardson 1911).

Write `richardson(f, x, h)`, combining your `central_difference` at the steps $h$ and $h/2$.

*Checked:* against the extrapolation formula for random polynomials; it must be exact for
polynomials of degree 4; and its error must shrink like $h^4$.
"""

EX5_ANSWER = '''
def richardson(f, x, h):
    """Richardson extrapolation of central_difference at the steps h and h/2."""
    ### BEGIN SOLUTION
    return (4 * central_difference(f, x, h / 2) - central_difference(f, x, h)) / 3
    ### END SOLUTION
'''

EX5_TESTS = """
# Visible tests: the same inputs as the self-check.
def quintic(x):
    return x**5


assert np.isclose(richardson(quintic, 1.0, 0.1), 4.999975000000007, rtol=1e-9)
assert np.isclose(richardson(np.exp, 0.0, 0.2), 0.999996662696098, rtol=1e-9)
### BEGIN HIDDEN TESTS
rng = np.random.default_rng()


def central_ref(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)


def poly(c):
    return lambda t: np.polyval(c, t)


def exp_a(a):
    return lambda t: np.exp(a * t)


for _ in range(10):
    c = rng.normal(size=6)
    x, h = rng.uniform(-1, 1), rng.uniform(0.05, 0.5)
    expected = (4 * central_ref(poly(c), x, h / 2) - central_ref(poly(c), x, h)) / 3
    got = richardson(poly(c), x, h)
    assert np.isclose(got, expected, rtol=1e-9, atol=1e-9), (c, x, h, got, expected)
    exact = np.polyval(np.polyder(c[1:]), x)  # a quartic: no error at all
    assert np.isclose(richardson(poly(c[1:]), x, h), exact, rtol=1e-8, atol=1e-8), (c, x, h)
# fourth order: halving h divides the error by 16
a, x = rng.uniform(0.5, 1.5), rng.uniform(-1, 1)
err = [abs(richardson(exp_a(a), x, h) - a * np.exp(a * x)) for h in (0.4, 0.2)]
assert 13 < err[0] / err[1] < 19, err
### END HIDDEN TESTS
"""

# ---------------------------------------------------------------------------- exercise 6
EX6 = r"""
## Exercise 6: the complex-step derivative (2 points)

Every difference above subtracts two nearly equal numbers, which is where round-off comes
from. The complex step avoids the subtraction. For a function that is analytic and written
with operations that accept complex numbers (arithmetic, `np.exp`, `np.sin`, `np.sqrt`,
...), Taylor's theorem with an imaginary step $ih$ gives

$$
f(x + ih) = f(x) + ih\,f'(x) - \tfrac{h^2}{2} f''(x) - \tfrac{ih^3}{6} f'''(x) + \dots,
$$

so $f'(x) = \operatorname{Im} f(x + ih) / h + O(h^2)$ with no subtraction at all: $h$ can be
as small as $10^{-20}$ and the result is exact to round-off (Squire and Trefethen 1998;
Martins, Sturdza and Alonso 2003).

Write `complex_step(f, x, h=1e-20)`, returning that real number. (It fails for code that is
not complex-safe: `abs`, comparisons, `np.real`, ...)

*Checked:* to 12 digits against exact derivatives of random functions, including negative
derivatives and steps as small as $10^{-200}$; the result must be a real number.
"""

EX6_ANSWER = '''
def complex_step(f, x, h=1e-20):
    """The complex-step derivative Im f(x + ih) / h of f at x (a real number)."""
    ### BEGIN SOLUTION
    return np.imag(f(x + 1j * h)) / h
    ### END SOLUTION
'''

EX6_TESTS = """
# Visible tests: the same inputs as the self-check.
def squire_trefethen(x):
    return np.exp(x) / np.sqrt(np.sin(x) ** 3 + np.cos(x) ** 3)


assert np.isrealobj(complex_step(np.exp, 0.0))
assert np.isclose(complex_step(np.exp, 0.0), 1.0, rtol=1e-13)
assert np.isclose(complex_step(np.sin, 2.0), np.cos(2.0), rtol=1e-13)
assert np.isclose(complex_step(squire_trefethen, 1.5), 4.05342789389862, rtol=1e-13)
assert np.isclose(complex_step(np.exp, 1.0, h=1e-200), np.e, rtol=1e-13)
### BEGIN HIDDEN TESTS
rng = np.random.default_rng()


def exp_sin(a, b):
    return lambda t: np.exp(a * t) * np.sin(b * t)


def rational(c):
    return lambda t: np.polyval(c, t) / (2 + t * t)


for _ in range(20):
    a, b = rng.normal(size=2) * 2
    x = rng.uniform(-2, 2)
    got = complex_step(exp_sin(a, b), x, h=10 ** rng.uniform(-200, -10))
    exact = a * np.exp(a * x) * np.sin(b * x) + b * np.exp(a * x) * np.cos(b * x)
    scale = (abs(a) + abs(b)) * np.exp(a * x)  # the round-off of `exact` itself
    assert np.isrealobj(got)
    assert abs(got - exact) <= 1e-12 * scale, (a, b, x, got, exact)
    c = rng.normal(size=4)  # a rational function, by the quotient rule
    p, dp, q = np.polyval(c, x), np.polyval(np.polyder(c), x), 2 + x * x
    exact = (dp * q - p * 2 * x) / q**2
    assert np.isclose(complex_step(rational(c), x), exact, rtol=1e-12, atol=1e-13), (c, x)
### END HIDDEN TESTS
"""

END = r"""
## Before you submit

*Kernel → Restart Kernel and Run All Cells*, then read the self-check reports: each should
say "visible checks passed". That is necessary, not sufficient: the hidden tests use other
inputs.

**References.** L. F. Richardson (1911), The approximate arithmetical solution by finite
differences of physical problems, *Phil. Trans. R. Soc. A* 210, 307–357. W. Squire,
G. Trefethen (1998), Using complex variables to estimate derivatives of real functions,
*SIAM Review* 40(1), 110–112. J. R. R. A. Martins, P. Sturdza, J. J. Alonso (2003), The
complex-step derivative approximation, *ACM Transactions on Mathematical Software* 29(3),
245–262.
"""


def exercise(n: int, name: str, text: str, solution: str, test_source: str) -> list:
    """The four cells of an exercise: task, answer, self-check call, tests (2 points)."""
    return [
        md(f"ex{n}", text),
        answer(name, solution),
        code(f"selfcheck_{name}", f"self_check.{name}({name})"),
        tests(f"test_{name}", 2, test_source),
    ]


def build():
    return notebook(
        [
            md("intro", INTRO),
            code("setup", SETUP),
            code("setup_self_check", SELF_CHECK),
            *exercise(1, "forward_difference", EX1, EX1_ANSWER, EX1_TESTS),
            *exercise(2, "central_difference", EX2, EX2_ANSWER, EX2_TESTS),
            *exercise(3, "step_errors", EX3, EX3_ANSWER, EX3_TESTS),
            *exercise(4, "best_step", EX4, EX4_ANSWER, EX4_TESTS),
            md("study", STUDY),
            code("study_code", STUDY_CODE),
            *exercise(5, "richardson", EX5, EX5_ANSWER, EX5_TESTS),
            *exercise(6, "complex_step", EX6, EX6_ANSWER, EX6_TESTS),
            md("end", END),
        ]
    )


if __name__ == "__main__":
    main(LAB, build)
