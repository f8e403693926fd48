"""Generator of Lab 2, "Dual numbers and forward mode" (pairs with lesson 04-forward-mode).

Run ``python notebooks/tools/lab2_dual_numbers.py`` to rewrite the source notebook, then
``make release`` to regenerate the student version. The self-checks (visible checks only)
are in ``notebooks/source/lab2-dual-numbers/lab2_checks.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from nbbuild import answer, code, main, md, notebook, tests  # noqa: E402

LAB = "lab2-dual-numbers"

INTRO = r"""
# Lab 2: Dual numbers and forward mode

This lab goes with the lesson *Forward mode*. You will build forward-mode automatic
differentiation from scratch: a dual number class, the elementary functions on it, the
derivative of a function of one variable, a tangent trace written out by hand, a
Jacobian-vector product, and a whole Jacobian, column by column. Every answer is checked
against `autodiff_lite`'s own forward and reverse modes.

**How this lab works.**

- Each exercise says what to write, the signature to fill in, and how it is checked. Replace
  each `raise NotImplementedError("your code here")` with your code; keep the names and
  arguments.
- After each exercise, a **self-check** cell runs the exercise's visible checks and explains
  any failure: the input, what was expected, what you returned, and a hint for the usual
  mistakes. It does not grade you.
- Then come read-only **tests** cells, worth the points shown. Their visible asserts show
  the shape of the check; when your lab is graded, hidden tests with fresh random inputs
  (random polynomials and compositions) are added, so write the rule, not the answers.
- You may use `autodiff_lite` (imported below as `ad`, with `anp` its numpy), and JAX (enable
  float64 with `jax.config.update("jax_enable_x64", True)`) or PyTorch, to check yourself.
  Your answers themselves must use your dual numbers.
- Before you submit: *Kernel → Restart Kernel and Run All Cells*, and check that the
  self-checks pass.

| exercise | you write | points |
|---|---|---|
| 1 | the class `Dual`: `+`, `-`, `*`, `/`, `**`, with plain numbers on either side | 6 |
| 2 | `sin`, `cos`, `exp`, `log`, `sqrt` of dual numbers | 3 |
| 3 | `derivative(f, x)` | 2 |
| 4 | `tangent_trace(x1, x2, x1_dot, x2_dot)`: a tangent trace by hand | 2 |
| 5 | `jvp(f, x, v)`: a Jacobian-vector product | 2 |
| 6 | `jacobian(F, x)`: the Jacobian, column by column | 2 |
"""

SELF_CHECK = """
# The self-checks run the visible checks of each exercise: lab2_checks.py, next to this notebook.
import lab2_checks as self_check
"""

SETUP = """
import numpy as np

import autodiff_lite as ad
import autodiff_lite.numpy as anp
"""

# ---------------------------------------------------------------------------- exercise 1
EX1 = r"""
## Exercise 1: dual numbers (6 points)

A dual number $a + b\,\varepsilon$ has a value $a$ and an $\varepsilon$ part $b$, with the
one rule $\varepsilon^2 = 0$. Complete the class `Dual` below so that Python's operators
work on it, following the rules of the lesson:

$$
\begin{aligned}
(a + b\varepsilon) \pm (c + d\varepsilon) &= (a \pm c) + (b \pm d)\,\varepsilon, \qquad
-(a + b\varepsilon) = -a - b\,\varepsilon, \\
(a + b\varepsilon)(c + d\varepsilon) &= ac + (ad + bc)\,\varepsilon, \qquad
\frac{a + b\varepsilon}{c + d\varepsilon} = \frac{a}{c} + \frac{bc - ad}{c^2}\,\varepsilon, \\
(a + b\varepsilon)^n &= a^n + n\,a^{n-1} b\,\varepsilon \quad (n \text{ a constant}).
\end{aligned}
$$

A plain number $c$ (a Python or numpy float or int) is the dual number $c + 0\varepsilon$:
`lift` turns it into one. Python calls `x.__add__(y)` for `x + y`, and, when `x` is a plain
number that does not know about `Dual`, `y.__radd__(x)`: so `2 * d`, `1 - d` and `1 / d`
need the `__r...__` methods. The values `a` and `b` may also be numpy arrays (a dual number
per element); your code works for them unchanged if it only uses arithmetic.

*Checked:* every operation, with dual numbers and plain numbers on either side, against
the rules for random values, and random polynomials and rational functions evaluated on
`Dual(x, 1.0)` against their derivatives (a product rule with a missing term, or a quotient
rule with the wrong sign, will not pass). Every operation must return a `Dual`.
"""

EX1_ANSWER = '''
class Dual:
    """a + b·ε with ε² = 0: `a` is the value, `b` the ε part (the derivative part)."""

    __array_ufunc__ = None  # numpy then hands `np.float64(2.0) * Dual(...)` to __rmul__

    def __init__(self, a, b=0.0):
        self.a, self.b = a, b

    def __repr__(self):
        return f"Dual({self.a!r}, {self.b!r})"

    def __add__(self, other):  # self + other
        o = lift(other)
        ### BEGIN SOLUTION
        return Dual(self.a + o.a, self.b + o.b)
        ### END SOLUTION

    def __radd__(self, other):  # other + self, for a plain number other
        ### BEGIN SOLUTION
        return lift(other) + self
        ### END SOLUTION

    def __sub__(self, other):  # self - other
        o = lift(other)
        ### BEGIN SOLUTION
        return Dual(self.a - o.a, self.b - o.b)
        ### END SOLUTION

    def __rsub__(self, other):  # other - self
        ### BEGIN SOLUTION
        return lift(other) - self
        ### END SOLUTION

    def __neg__(self):  # -self
        ### BEGIN SOLUTION
        return Dual(-self.a, -self.b)
        ### END SOLUTION

    def __mul__(self, other):  # self * other
        o = lift(other)
        ### BEGIN SOLUTION
        return Dual(self.a * o.a, self.a * o.b + self.b * o.a)
        ### END SOLUTION

    def __rmul__(self, other):  # other * self
        ### BEGIN SOLUTION
        return lift(other) * self
        ### END SOLUTION

    def __truediv__(self, other):  # self / other
        o = lift(other)
        ### BEGIN SOLUTION
        return Dual(self.a / o.a, (self.b * o.a - self.a * o.b) / (o.a * o.a))
        ### END SOLUTION

    def __rtruediv__(self, other):  # other / self
        ### BEGIN SOLUTION
        return lift(other) / self
        ### END SOLUTION

    def __pow__(self, n):  # self ** n, for a constant (plain number) n
        ### BEGIN SOLUTION
        return Dual(self.a**n, n * self.a ** (n - 1) * self.b)
        ### END SOLUTION


def lift(x):
    """A plain number c becomes the dual number c + 0·ε; a Dual stays as it is."""
    return x if isinstance(x, Dual) else Dual(x, 0.0)
'''

PARTS = '''
def parts(d):
    """(value, ε part) of a Dual, checking that it is one."""
    assert isinstance(d, Dual), f"expected a Dual, got {type(d).__name__}"
    return (d.a, d.b)
'''

HIDDEN_SETUP = """
rng = np.random.default_rng()


def rand():
    return float(rng.uniform(0.5, 3.0) * rng.choice([-1, 1]))
"""

ADD_SUB_TESTS = f"""
# Visible tests: the same operations as the self-check.
{PARTS.strip()}


assert np.allclose(parts(Dual(2.0, 1.0) + Dual(3.0, 4.0)), (5.0, 5.0))
assert np.allclose(parts(Dual(2.0, 1.0) - Dual(3.0, 4.0)), (-1.0, -3.0))
assert np.allclose(parts(Dual(2.0, 1.0) + 3.0), (5.0, 1.0))
assert np.allclose(parts(3.0 + Dual(2.0, 1.0)), (5.0, 1.0))
assert np.allclose(parts(3.0 - Dual(2.0, 1.0)), (1.0, -1.0))
assert np.allclose(parts(-Dual(2.0, 1.0)), (-2.0, -1.0))
### BEGIN HIDDEN TESTS
{HIDDEN_SETUP.strip()}


for _ in range(10):
    a, b, c, d, k = rand(), rand(), rand(), rand(), int(rng.integers(-5, 6))
    assert np.allclose(parts(Dual(a, b) + Dual(c, d)), (a + c, b + d))
    assert np.allclose(parts(Dual(a, b) - Dual(c, d)), (a - c, b - d))
    assert np.allclose(parts(c - Dual(a, b)), (c - a, -b))
    assert np.allclose(parts(np.float64(c) + Dual(a, b)), (c + a, b))
    assert np.allclose(parts(k - Dual(a, b)), (k - a, -b))
    assert np.allclose(parts(-Dual(a, b) + k), (k - a, -b))
xs = rng.uniform(-2, 2, size=5)  # arrays inside a Dual
assert np.allclose(parts(1.0 - Dual(xs, np.ones(5))), (1.0 - xs, -np.ones(5)))
### END HIDDEN TESTS
"""

MUL_TESTS = f"""
# Visible tests: the same operations as the self-check.
{PARTS.strip()}


assert np.allclose(parts(Dual(2.0, 1.0) * Dual(3.0, 4.0)), (6.0, 11.0))
assert np.allclose(parts(2.0 * Dual(3.0, 4.0)), (6.0, 8.0))
assert np.allclose(parts(Dual(3.0, 4.0) * 2.0), (6.0, 8.0))
assert np.allclose(parts(np.float64(2.0) * Dual(3.0, 4.0)), (6.0, 8.0))
### BEGIN HIDDEN TESTS
{HIDDEN_SETUP.strip()}


for _ in range(10):
    a, b, c, d = rand(), rand(), rand(), rand()
    assert np.allclose(parts(Dual(a, b) * Dual(c, d)), (a * c, a * d + b * c))
    assert np.allclose(parts(c * Dual(a, b)), (c * a, c * b))
    assert np.allclose(parts(Dual(a, b) * np.float64(c)), (c * a, c * b))
# random polynomials by Horner's rule, against their derivatives
for _ in range(10):
    coeffs, x = rng.normal(size=int(rng.integers(2, 7))), rand()
    p = Dual(0.0, 0.0)
    for c in coeffs:
        p = p * Dual(x, 1.0) + float(c)
    assert np.allclose(parts(p), (np.polyval(coeffs, x), np.polyval(np.polyder(coeffs), x)))
xs = rng.uniform(-2, 2, size=5)  # arrays inside a Dual: d/dx x*x = 2x at every point
assert np.allclose(parts(Dual(xs, np.ones(5)) * Dual(xs, np.ones(5)))[1], 2 * xs)
### END HIDDEN TESTS
"""

DIV_TESTS = f"""
# Visible tests: the same operations as the self-check.
{PARTS.strip()}


assert np.allclose(parts(Dual(6.0, 1.0) / Dual(3.0, 1.0)), (2.0, -1.0 / 3.0))
assert np.allclose(parts(1.0 / Dual(3.0, 1.0)), (1.0 / 3.0, -1.0 / 9.0))
assert np.allclose(parts(Dual(6.0, 2.0) / 2.0), (3.0, 1.0))
### BEGIN HIDDEN TESTS
{HIDDEN_SETUP.strip()}


for _ in range(10):
    a, b, c, d = rand(), rand(), rand(), rand()
    assert np.allclose(parts(Dual(a, b) / Dual(c, d)), (a / c, (b * c - a * d) / c**2))
    assert np.allclose(parts(c / Dual(a, b)), (c / a, -c * b / a**2))
    assert np.allclose(parts(Dual(a, b) / np.float64(c)), (a / c, b / c))
# random rational functions p(x) / q(x), against the quotient rule
for _ in range(10):
    p_c, q_c, x = rng.normal(size=3), np.array([1.0, 0.0, 1.0 + rng.uniform()]), rand()
    xd = Dual(x, 1.0)
    r = (p_c[0] * xd * xd + p_c[1] * xd + p_c[2]) / (q_c[0] * xd * xd + q_c[2])
    p, dp = np.polyval(p_c, x), np.polyval(np.polyder(p_c), x)
    q, dq = np.polyval(q_c, x), np.polyval(np.polyder(q_c), x)
    assert np.allclose(parts(r), (p / q, (dp * q - p * dq) / q**2))
### END HIDDEN TESTS
"""

POW_TESTS = f"""
# Visible tests: the same operations as the self-check.
{PARTS.strip()}


assert np.allclose(parts(Dual(2.0, 1.0) ** 3), (8.0, 12.0))
assert np.allclose(parts(Dual(4.0, 1.0) ** 0.5), (2.0, 0.25))
assert np.allclose(parts(Dual(2.0, 3.0) ** -1), (0.5, -0.75))
### BEGIN HIDDEN TESTS
{HIDDEN_SETUP.strip()}


for _ in range(10):
    a, b, n = abs(rand()), rand(), float(rng.uniform(-3, 3))
    assert np.allclose(parts(Dual(a, b) ** n), (a**n, n * a ** (n - 1) * b))
    k = int(rng.integers(0, 6))
    assert np.allclose(parts(Dual(a, b) ** k), (a**k, k * a ** (k - 1) * b if k else 0.0))
### END HIDDEN TESTS
"""

# ---------------------------------------------------------------------------- exercise 2
EX2 = r"""
## Exercise 2: elementary functions (3 points)

Taylor's theorem with $\varepsilon^2 = 0$ gives $f(a + b\varepsilon) = f(a) + f'(a)\,b\,
\varepsilon$ for every smooth $f$: the chain rule, one function at a time. Complete `sin`,
`cos`, `exp`, `log` and `sqrt` for dual numbers. For anything that is not a `Dual`, each
already calls the function of `autodiff_lite.numpy` (which works on floats, arrays and
`autodiff_lite`'s own traced values), so the same code runs under `ad.jvp` too.

*Checked:* each function for random values and $\varepsilon$ parts (forgetting the factor
$b$ will not pass), and random compositions of them against `ad.jvp`.
"""

EX2_ANSWER = '''
def sin(x):
    """sin of a dual number (other values: autodiff_lite.numpy.sin)."""
    if not isinstance(x, Dual):
        return anp.sin(x)
    ### BEGIN SOLUTION
    return Dual(sin(x.a), x.b * cos(x.a))
    ### END SOLUTION


def cos(x):
    """cos of a dual number (other values: autodiff_lite.numpy.cos)."""
    if not isinstance(x, Dual):
        return anp.cos(x)
    ### BEGIN SOLUTION
    return Dual(cos(x.a), -x.b * sin(x.a))
    ### END SOLUTION


def exp(x):
    """exp of a dual number (other values: autodiff_lite.numpy.exp)."""
    if not isinstance(x, Dual):
        return anp.exp(x)
    ### BEGIN SOLUTION
    return Dual(exp(x.a), x.b * exp(x.a))
    ### END SOLUTION


def log(x):
    """log of a dual number, a > 0 (other values: autodiff_lite.numpy.log)."""
    if not isinstance(x, Dual):
        return anp.log(x)
    ### BEGIN SOLUTION
    return Dual(log(x.a), x.b / x.a)
    ### END SOLUTION


def sqrt(x):
    """sqrt of a dual number, a > 0 (other values: autodiff_lite.numpy.sqrt)."""
    if not isinstance(x, Dual):
        return anp.sqrt(x)
    ### BEGIN SOLUTION
    return Dual(sqrt(x.a), x.b / (2 * sqrt(x.a)))
    ### END SOLUTION
'''

EX2_TESTS = f"""
# Visible tests: the same inputs as the self-check.
{PARTS.strip()}


assert np.allclose(parts(sin(Dual(0.5, 2.0))), (np.sin(0.5), 2 * np.cos(0.5)))
assert np.allclose(parts(cos(Dual(0.5, 2.0))), (np.cos(0.5), -2 * np.sin(0.5)))
assert np.allclose(parts(exp(Dual(1.0, -3.0))), (np.e, -3 * np.e))
assert np.allclose(parts(log(Dual(2.0, 3.0))), (np.log(2.0), 1.5))
assert np.allclose(parts(sqrt(Dual(4.0, 2.0))), (2.0, 0.5))
assert np.isclose(sin(0.7), np.sin(0.7)) and np.isclose(log(0.7), np.log(0.7))
### BEGIN HIDDEN TESTS
rng = np.random.default_rng()
exact = {{
    sin: lambda a: (np.sin(a), np.cos(a)),
    cos: lambda a: (np.cos(a), -np.sin(a)),
    exp: lambda a: (np.exp(a), np.exp(a)),
    log: lambda a: (np.log(a), 1 / a),
    sqrt: lambda a: (np.sqrt(a), 0.5 / np.sqrt(a)),
}}
for fn, f_and_df in exact.items():
    for _ in range(5):
        a, b = float(rng.uniform(0.2, 3.0)), float(rng.normal() * 3)
        value, slope = f_and_df(a)
        assert np.allclose(parts(fn(Dual(a, b))), (value, slope * b)), (fn.__name__, a, b)


def composition(c, sin, cos, exp, log, sqrt):
    def g(x):
        return exp(c[0] * sin(x)) * log(1.0 + x * x) + sqrt(2.0 + cos(c[1] * x)) / (1.0 + x * x)

    return g


# The same composition of your functions on a Dual, and of autodiff_lite's under ad.jvp (the
# grader's tracer cannot enter your notebook: the reference is computed here).
for _ in range(5):
    c, x, v = rng.normal(size=2), float(rng.uniform(-2, 2)), float(rng.normal())
    reference = composition(c, anp.sin, anp.cos, anp.exp, anp.log, anp.sqrt)
    y, y_dot = ad.jvp(reference, (x,), (v,))
    yours = composition(c, sin, cos, exp, log, sqrt)
    assert np.allclose(parts(yours(Dual(x, v))), (y, y_dot)), (c, x, v)
### END HIDDEN TESTS
"""

# ---------------------------------------------------------------------------- exercise 3
EX3 = r"""
## Exercise 3: the derivative of a function of one variable (2 points)

Write `derivative(f, x)`: $f'(x)$, from one evaluation of `f` on a dual number. Which
$\varepsilon$ part makes the $\varepsilon$ part of $f(x + b\varepsilon)$ equal to $f'(x)$?
If `f` does not depend on its argument it may return a plain number: its derivative is $0$.

*Checked:* random polynomials and rational functions against `ad.grad` (built with
arithmetic only, so that a slip in Exercise 2 does not cost marks here too), and constant
functions.
"""

EX3_ANSWER = '''
def derivative(f, x):
    """f'(x) for f from R to R, by evaluating f on one dual number."""
    ### BEGIN SOLUTION
    y = f(Dual(x, 1.0))
    return y.b if isinstance(y, Dual) else 0.0
    ### END SOLUTION
'''

EX3_TESTS = """
# Visible tests: the same inputs as the self-check.
def quadratic(x):
    return x * x + 3 * x


def rational(x):
    return (x * x - 1) / (x * x + 1)


def constant(x):
    return 5.0


assert np.isclose(derivative(quadratic, 2.0), 7.0)
assert np.isclose(derivative(rational, 0.5), 4 * 0.5 / (0.5**2 + 1) ** 2)
assert np.isclose(derivative(constant, 1.0), 0.0)
### BEGIN HIDDEN TESTS
rng = np.random.default_rng()


def horner(coeffs):
    def p(x):
        total = 0.0
        for c in coeffs:
            total = total * x + float(c)
        return total

    return p


def composition(c):  # arithmetic only, so that Exercise 2 does not count here
    return lambda x: c[0] * x**3 / (2.0 + x * x) - (c[1] - x) ** 2 / (1.0 + (c[2] * x) ** 2)


def constant(k):
    return lambda x: k


for _ in range(10):
    coeffs, x = rng.normal(size=int(rng.integers(2, 8))), float(rng.uniform(-2, 2))
    assert np.isclose(derivative(horner(coeffs), x), np.polyval(np.polyder(coeffs), x))
    c = rng.normal(size=3)
    assert np.isclose(derivative(composition(c), x), ad.grad(composition(c))(x)), (c, x)
    assert derivative(constant(float(rng.normal())), x) == 0.0
### END HIDDEN TESTS
"""

# ---------------------------------------------------------------------------- exercise 4
EX4 = r"""
## Exercise 4: a tangent trace by hand (2 points)

Dual numbers run the tangent trace for us. Here you write one out yourself, with plain
floats and `np.log`, `np.sin`, `np.cos` (no `Dual`): for the lesson's running example
$y = \ln x_1 + x_1 x_2 - \sin x_2$, numbered as `ad.trace_tables` numbers it,

| primal | tangent |
|---|---|
| $v_{-1} = x_1$, $v_0 = x_2$ | $\dot v_{-1} = \dot x_1$, $\dot v_0 = \dot x_2$ (the seed) |
| $v_1 = \ln v_{-1}$ | $\dot v_1 = ?$ |
| $v_2 = v_{-1} \times v_0$ | $\dot v_2 = ?$ |
| $v_3 = v_1 + v_2$ | $\dot v_3 = ?$ |
| $v_4 = \sin v_0$ | $\dot v_4 = ?$ |
| $v_5 = v_3 - v_4 = y$ | $\dot v_5 = ?$ |

Write `tangent_trace(x1, x2, x1_dot, x2_dot)`, returning the list of the five pairs
`[(v1, v1_dot), (v2, v2_dot), (v3, v3_dot), (v4, v4_dot), (v5, v5_dot)]`.

*Checked:* against `ad.trace_tables` for random points and seeds (with both seeds
non-zero, so every term of every rule counts).
"""

EX4_ANSWER = '''
def tangent_trace(x1, x2, x1_dot, x2_dot):
    """[(v_i, v_i_dot) for i = 1..5] for y = ln x1 + x1 x2 - sin x2, in trace_tables order."""
    v_1, v0 = x1, x2
    v_1_dot, v0_dot = x1_dot, x2_dot
    ### BEGIN SOLUTION
    v1, v1_dot = np.log(v_1), v_1_dot / v_1
    v2, v2_dot = v_1 * v0, v_1_dot * v0 + v_1 * v0_dot
    v3, v3_dot = v1 + v2, v1_dot + v2_dot
    v4, v4_dot = np.sin(v0), v0_dot * np.cos(v0)
    v5, v5_dot = v3 - v4, v3_dot - v4_dot
    return [(v1, v1_dot), (v2, v2_dot), (v3, v3_dot), (v4, v4_dot), (v5, v5_dot)]
    ### END SOLUTION
'''

EX4_TESTS = """
# Visible tests: Baydin et al. (2018), Table 2: at (2, 5) with the seed (1, 0).
trace = tangent_trace(2.0, 5.0, 1.0, 0.0)
assert len(trace) == 5
assert np.allclose([v for v, _ in trace], [np.log(2), 10, np.log(2) + 10, np.sin(5), 11.652071455])
assert np.allclose([v_dot for _, v_dot in trace], [0.5, 5.0, 5.5, 0.0, 5.5])
### BEGIN HIDDEN TESTS
rng = np.random.default_rng()


def baydin(x1, x2):
    return anp.log(x1) + x1 * x2 - anp.sin(x2)


for _ in range(5):
    x1, x2 = float(rng.uniform(0.2, 4.0)), float(rng.uniform(-4, 4))
    x1_dot, x2_dot = (float(t) * rng.choice([-1, 1]) for t in rng.uniform(0.5, 2.0, size=2))
    tables = ad.trace_tables(baydin, x1, x2, tangents=[x1_dot, x2_dot])
    v, v_dot = tables.primal.values, tables.tangent.values
    expected = [(v[f"v_{i}"], v_dot[f"v_{i}"]) for i in range(1, 6)]
    got = tangent_trace(x1, x2, x1_dot, x2_dot)
    assert np.allclose(np.array(got, dtype=float), np.array(expected, dtype=float)), (x1, x2)
### END HIDDEN TESTS
"""

# ---------------------------------------------------------------------------- exercise 5
EX5 = r"""
## Exercise 5: a Jacobian-vector product (2 points)

For $f: \mathbb{R}^n \to \mathbb{R}$ the lesson showed
$f(x + v\,\varepsilon) = f(x) + (J_f(x)\, v)\, \varepsilon$: seeding input $i$ with the
$\varepsilon$ part $v_i$ gives the directional derivative along $v$ in **one** pass.

Write `jvp(f, x, v)`. Here `f` takes a list of $n$ numbers and returns one number; `x` and
`v` are lists of $n$ floats. Return the pair `(f(x), J v)` as two numbers. (`ad.jvp` takes
its arguments differently, as tuples of arguments; that is how the tests call it.)

*Checked:* against `ad.jvp` for random functions of up to five inputs and random
directions $v$ (seeding every input with $1$ will not pass).
"""

EX5_ANSWER = '''
def jvp(f, x, v):
    """(f(x), J v) for f from R^n to R, with one evaluation of f on dual numbers."""
    ### BEGIN SOLUTION
    y = f([Dual(x_i, v_i) for x_i, v_i in zip(x, v)])
    return (y.a, y.b) if isinstance(y, Dual) else (y, 0.0)
    ### END SOLUTION
'''

RANDOM_FUNCTIONS = """
def random_function(rng, n):
    \"\"\"f(x) for a list x of n numbers: a random sum of products, quotients and squares.\"\"\"
    terms = [(rng.normal(), rng.integers(n), rng.integers(n), rng.integers(3)) for _ in range(6)]

    def f(x):
        total = 0.0
        for c, i, j, kind in terms:
            if kind == 0:
                total = total + c * x[i] * x[j]
            elif kind == 1:
                total = total + c * x[i] / (1.0 + x[j] * x[j])
            else:
                total = total + c * (x[i] - x[j]) ** 2
        return total

    return f
"""

EX5_TESTS = f"""
# Visible tests: the same inputs as the self-check.
def f(x):
    return x[0] * x[1] + x[1] / (1 + x[2] * x[2]) - 3 * x[0]


def ad_jvp(f, x, v):  # autodiff_lite's jvp, for f of a list
    return ad.jvp(lambda *xs: f(list(xs)), tuple(x), tuple(v))


x = [1.0, 2.0, 0.5]
for v in ([1.0, 0.0, 0.0], [0.5, -1.0, 2.0]):
    y, y_dot = jvp(f, x, v)
    assert np.allclose((y, y_dot), ad_jvp(f, x, v))
### BEGIN HIDDEN TESTS
rng = np.random.default_rng()


{RANDOM_FUNCTIONS.strip()}


for _ in range(10):
    n = int(rng.integers(1, 6))
    f = random_function(rng, n)
    x, v = [float(t) for t in rng.normal(size=n)], [float(t) for t in rng.normal(size=n)]
    assert np.allclose(jvp(f, x, v), ad_jvp(f, x, v)), (n, x, v)
### END HIDDEN TESTS
"""

# ---------------------------------------------------------------------------- exercise 6
EX6 = r"""
## Exercise 6: the Jacobian, column by column (2 points)

For $F: \mathbb{R}^n \to \mathbb{R}^m$, seeding the unit vector $e_j$ gives $J e_j$, column
$j$ of the $m \times n$ Jacobian: $n$ forward passes give all of it.

Write `jacobian(F, x)`. Here `F` takes a list of $n$ numbers and returns a list of $m$
numbers (an output that does not depend on `x` may be a plain number: its derivatives are
$0$). Return the Jacobian as a numpy array of shape `(m, n)`, with `J[i, j]` $=
\partial F_i / \partial x_j$.

*Checked:* against `autodiff_lite`'s **reverse** mode, row by row, for random functions with
$m \neq n$ (so a transposed Jacobian has the wrong shape).
"""

EX6_ANSWER = '''
def jacobian(F, x):
    """The (m, n) Jacobian of F from R^n to R^m at x, one dual-number pass per column."""
    ### BEGIN SOLUTION
    n = len(x)
    columns = []
    for j in range(n):
        ys = F([Dual(x_i, 1.0 if i == j else 0.0) for i, x_i in enumerate(x)])
        columns.append([y.b if isinstance(y, Dual) else 0.0 for y in ys])
    return np.array(columns, dtype=float).T
    ### END SOLUTION
'''

EX6_TESTS = f"""
# Visible tests: the same inputs as the self-check.
def F(x):
    return [x[0] * x[1], x[1] * x[2], x[2] * x[0], x[0] + x[1] + x[2]]


J = jacobian(F, [1.0, 2.0, 3.0])
assert np.shape(J) == (4, 3)
assert np.allclose(J, [[2, 1, 0], [0, 3, 2], [3, 0, 1], [1, 1, 1]])
J = jacobian(lambda x: [x[0] * x[1], x[0] / x[1], 2.0], [3.0, 2.0])
assert np.shape(J) == (3, 2)
assert np.allclose(J, [[2, 3], [0.5, -0.75], [0, 0]])
### BEGIN HIDDEN TESTS
rng = np.random.default_rng()


{RANDOM_FUNCTIONS.strip()}


def jacobian_by_reverse_mode(fs, x):
    rows = []
    for f in fs:
        grad = ad.grad(lambda *xs, f=f: f(list(xs)) * 1.0, argnums=tuple(range(len(x))))
        rows.append([float(g) for g in grad(*x)])
    return np.array(rows)


for _ in range(6):
    n = int(rng.integers(1, 5))
    m = n + int(rng.integers(1, 3))
    fs = [random_function(rng, n) for _ in range(m)]
    x = [float(t) for t in rng.normal(size=n)]
    J = jacobian(lambda x, fs=fs: [f(x) for f in fs], x)
    assert np.shape(J) == (m, n), np.shape(J)
    assert np.allclose(J, jacobian_by_reverse_mode(fs, x)), (n, m, x)
### END HIDDEN TESTS
"""

END = r"""
## Before you submit

*Kernel → Restart Kernel and Run All Cells*, then read the self-check reports: each should
say "visible checks passed". That is necessary, not sufficient: the hidden tests use other
inputs.

**References.** W. K. Clifford (1873), Preliminary sketch of biquaternions, *Proc. London
Math. Soc.* 4, 381–395. A. G. Baydin, B. A. Pearlmutter, A. A. Radul, J. M. Siskind (2018),
Automatic differentiation in machine learning: a survey, *JMLR* 18(153), 1–43 (Table 2).
A. Griewank, A. Walther (2008), *Evaluating Derivatives*, 2nd ed., SIAM.
"""


def build():
    return notebook(
        [
            md("intro", INTRO),
            code("setup", SETUP),
            code("setup_self_check", SELF_CHECK),
            md("ex1", EX1),
            answer("dual", EX1_ANSWER),
            code("selfcheck_dual", "self_check.dual_arithmetic(Dual)"),
            tests("test_dual_add_sub", 1, ADD_SUB_TESTS),
            tests("test_dual_mul", 2, MUL_TESTS),
            tests("test_dual_div", 2, DIV_TESTS),
            tests("test_dual_pow", 1, POW_TESTS),
            md("ex2", EX2),
            answer("elementary", EX2_ANSWER),
            code("selfcheck_elementary", "self_check.elementary(Dual, sin, cos, exp, log, sqrt)"),
            tests("test_elementary", 3, EX2_TESTS),
            md("ex3", EX3),
            answer("derivative", EX3_ANSWER),
            code("selfcheck_derivative", "self_check.derivative(derivative)"),
            tests("test_derivative", 2, EX3_TESTS),
            md("ex4", EX4),
            answer("tangent_trace", EX4_ANSWER),
            code("selfcheck_tangent_trace", "self_check.tangent_trace(tangent_trace)"),
            tests("test_tangent_trace", 2, EX4_TESTS),
            md("ex5", EX5),
            answer("jvp", EX5_ANSWER),
            code("selfcheck_jvp", "self_check.jvp(jvp)"),
            tests("test_jvp", 2, EX5_TESTS),
            md("ex6", EX6),
            answer("jacobian", EX6_ANSWER),
            code("selfcheck_jacobian", "self_check.jacobian(jacobian)"),
            tests("test_jacobian", 2, EX6_TESTS),
            md("end", END),
        ]
    )


if __name__ == "__main__":
    main(LAB, build)
