"""Self-checks for Lab 2 (dual numbers and forward mode): the VISIBLE checks of each exercise.

Each function runs one exercise's visible checks on your code and prints a report: which
input, what was expected, what you returned, and a hint for the classic mistakes. Passing
them is necessary, not sufficient: the hidden tests use other inputs. Expected values come
from ``autodiff_lite`` (its own forward and reverse mode) or are written out as numbers, so
this file holds no solutions.
"""

import numpy as np

import autodiff_lite as ad
import autodiff_lite.numpy as anp
from autodiff_lite.selfcheck import Case, check


def _parts(d, Dual):
    """(value, ε part) of a Dual; a clear error for anything else."""
    if not isinstance(d, Dual):
        raise TypeError(f"expected a Dual, got {type(d).__name__} {d!r}: return a Dual(a, b)")
    return (float(d.a), float(d.b))


def _eps_is(value):
    """A hint predicate: the ε part of the (value, ε part) output is ``value``."""
    return lambda got: np.isclose(got[1], value)


PRODUCT = "the product rule: (a + bε)(c + dε) = ac + (ad + bc)ε, both terms"
EPS_SQUARED = "ε² = 0: the ε part of a product is ad + bc, not bd"
QUOTIENT = "the quotient rule: (a + bε)/(c + dε) = a/c + (bc - ad)/c² ε"
C_SQUARED = "divide the ε part by c², not by c"
# (expression, expected (value, ε part), hints): run with your Dual class.
ARITHMETIC = [
    ("Dual(2.0, 1.0) + Dual(3.0, 4.0)", (5.0, 5.0), {}),
    ("Dual(2.0, 1.0) - Dual(3.0, 4.0)", (-1.0, -3.0), {_eps_is(3.0): "a - c and b - d"}),
    ("Dual(2.0, 1.0) + 3.0", (5.0, 1.0), {_eps_is(4.0): "a constant has ε part 0"}),
    ("3.0 + Dual(2.0, 1.0)", (5.0, 1.0), {_eps_is(4.0): "a constant has ε part 0"}),
    ("3.0 - Dual(2.0, 1.0)", (1.0, -1.0), {_eps_is(1.0): "3 - x: the ε part is -b"}),
    ("-Dual(2.0, 1.0)", (-2.0, -1.0), {_eps_is(1.0): "negate both parts"}),
    (
        "Dual(2.0, 1.0) * Dual(3.0, 4.0)",
        (6.0, 11.0),
        {_eps_is(8.0): PRODUCT, _eps_is(3.0): PRODUCT, _eps_is(4.0): EPS_SQUARED},
    ),
    ("2.0 * Dual(3.0, 4.0)", (6.0, 8.0), {_eps_is(0.0): "a constant c times (a + bε) is ca + cbε"}),
    ("Dual(3.0, 4.0) * 2.0", (6.0, 8.0), {_eps_is(0.0): "a constant c times (a + bε) is ca + cbε"}),
    (
        "Dual(6.0, 1.0) / Dual(3.0, 1.0)",
        (2.0, -1.0 / 3.0),
        {_eps_is(1.0 / 3.0): QUOTIENT, _eps_is(-1.0): C_SQUARED},
    ),
    ("1.0 / Dual(3.0, 1.0)", (1.0 / 3.0, -1.0 / 9.0), {_eps_is(1.0 / 9.0): QUOTIENT}),
    ("Dual(6.0, 2.0) / 2.0", (3.0, 1.0), {}),
    ("Dual(2.0, 1.0) ** 3", (8.0, 12.0), {_eps_is(4.0): "d/dx x**n = n x**(n - 1)"}),
    ("Dual(4.0, 1.0) ** 0.5", (2.0, 0.25), {}),
    ("Dual(2.0, 3.0) ** -1", (0.5, -0.75), {_eps_is(-0.25): "multiply by the ε part b"}),
    ("np.float64(2.0) * Dual(3.0, 4.0)", (6.0, 8.0), {}),
]


def dual_arithmetic(Dual) -> None:
    """Exercise 1: +, -, *, /, ** of the Dual class, with plain numbers on either side."""

    def evaluate(expression):
        return _parts(eval(expression, {"Dual": Dual, "np": np}), Dual)

    cases = [Case((e,), expected, e, rtol=1e-12, hints=h) for e, expected, h in ARITHMETIC]
    check("Dual arithmetic", evaluate, cases)


def elementary(Dual, sin, cos, exp, log, sqrt) -> None:
    """Exercise 2: sin, cos, exp, log, sqrt of dual numbers (and of plain numbers)."""
    env = {"Dual": Dual, "sin": sin, "cos": cos, "exp": exp, "log": log, "sqrt": sqrt}
    chain = "the chain rule: multiply f'(a) by the incoming ε part b"
    g = np.exp(np.sin(1.5))
    table = [
        ("sin(Dual(0.5, 2.0))", (np.sin(0.5), 2 * np.cos(0.5)), {_eps_is(np.cos(0.5)): chain}),
        (
            "cos(Dual(0.5, 2.0))",
            (np.cos(0.5), -2 * np.sin(0.5)),
            {_eps_is(2 * np.sin(0.5)): "d/dx cos x = -sin x", _eps_is(-np.sin(0.5)): chain},
        ),
        ("exp(Dual(1.0, -3.0))", (np.e, -3 * np.e), {_eps_is(np.e): chain}),
        (
            "log(Dual(2.0, 3.0))",
            (np.log(2.0), 1.5),
            {_eps_is(0.5): chain, _eps_is(6.0): "d/dx log x = 1/x"},
        ),
        ("sqrt(Dual(4.0, 2.0))", (2.0, 0.5), {_eps_is(0.25): chain}),
        ("exp(sin(Dual(1.5, 1.0)))", (g, g * np.cos(1.5)), {}),
    ]

    def evaluate(expression):
        return _parts(eval(expression, env), Dual)

    cases = [Case((e,), expected, e, rtol=1e-12, hints=h) for e, expected, h in table]

    def plain(name):
        fn = env[name]
        return Case(
            (fn, 0.7),
            float(getattr(np, name)(0.7)),
            f"{name}(0.7) on a plain float",
            rtol=1e-12,
        )

    cases += [plain(name) for name in ("sin", "cos", "exp", "log", "sqrt")]
    check("sin, cos, exp, log, sqrt", _dispatch(evaluate), cases)


def _dispatch(evaluate):
    """One function for both kinds of case: an expression string, or (function, number)."""

    def run(*args):
        if len(args) == 1:
            return evaluate(args[0])
        fn, x = args
        return fn(x)

    return run


def _quadratic(x):
    return x * x + 3 * x


def _rational(x):
    return (x * x - 1) / (x * x + 1)


def _constant(x):
    return 5.0


def derivative(fn) -> None:
    """Exercise 3: derivative(f, x) with dual numbers."""
    cases = [
        Case(
            (_quadratic, 2.0),
            7.0,
            "x*x + 3*x at x = 2",
            rtol=1e-12,
            hints={lambda got: np.isclose(got, 10.0): "that is f(2), the value: return the ε part"},
        ),
        Case(
            (_rational, 0.5),
            float(ad.grad(_rational)(0.5)),
            "(x*x - 1) / (x*x + 1) at x = 0.5",
            rtol=1e-12,
            hints={
                lambda got: np.isclose(got, -0.6): "that is f(0.5), the value: return the ε part"
            },
        ),
        Case(
            (_constant, 1.0),
            0.0,
            "a constant function, f(x) = 5.0 (f returns a plain float, not a Dual)",
            hints={
                lambda got: np.isclose(got, 5.0): "that is the value; the derivative of a "
                "constant is 0"
            },
        ),
    ]
    check("derivative", fn, cases)


BAYDIN = "y = ln x1 + x1 x2 - sin x2"


def _baydin(x1, x2):
    return anp.log(x1) + x1 * x2 - anp.sin(x2)


def _trace_from_autodiff_lite(x1, x2, x1_dot, x2_dot):
    tables = ad.trace_tables(_baydin, x1, x2, tangents=[x1_dot, x2_dot])
    v, v_dot = tables.primal.values, tables.tangent.values
    return [(float(v[f"v_{i}"]), float(v_dot[f"v_{i}"])) for i in range(1, 6)]


def tangent_trace(fn) -> None:
    """Exercise 4: the tangent trace of y = ln x1 + x1 x2 - sin x2, checked with ad.trace_tables."""

    def case(x1, x2, x1_dot, x2_dot):
        expected = _trace_from_autodiff_lite(x1, x2, x1_dot, x2_dot)
        v2_dot_half = [expected[1][0], x1_dot * x2]
        return Case(
            (x1, x2, x1_dot, x2_dot),
            expected,
            f"{BAYDIN} at ({x1}, {x2}) with the seed ({x1_dot}, {x2_dot})",
            rtol=1e-12,
            hints={
                lambda got: np.allclose(got[1], v2_dot_half) and x2_dot != 0: "v2 = v_-1 v0 "
                "needs both terms of the product rule: v̇2 = v̇_-1 v0 + v_-1 v̇0",
                lambda got: len(got) != 5: "return five pairs (v_i, v̇_i), for i = 1 to 5",
            },
        )

    check(
        "tangent_trace",
        fn,
        [case(2.0, 5.0, 1.0, 0.0), case(2.0, 5.0, 0.0, 1.0), case(0.5, -1.0, 0.5, 2.0)],
    )


def _f_visible(x):
    return x[0] * x[1] + x[1] / (1 + x[2] * x[2]) - 3 * x[0]


def jvp(fn) -> None:
    """Exercise 5: jvp(f, x, v) for f from R^n to R, with dual numbers."""

    def case(f, x, v, name):
        y, y_dot = ad.jvp(lambda *xs: f(list(xs)), tuple(x), tuple(v))
        sum_of_partials = ad.jvp(lambda *xs: f(list(xs)), tuple(x), (1.0,) * len(x))[1]
        return Case(
            (f, x, v),
            (float(y), float(y_dot)),
            name,
            rtol=1e-12,
            hints={
                lambda got: np.isclose(got[1], sum_of_partials): "seed input i with the ε part "
                "v[i], not with 1",
                lambda got: np.ndim(got) == 0: "return the pair (f(x), J v)",
            },
        )

    check(
        "jvp",
        fn,
        [
            case(
                _f_visible, [1.0, 2.0, 0.5], [1.0, 0.0, 0.0], "x0 x1 + x1/(1 + x2²) - 3 x0, v = e_0"
            ),
            case(_f_visible, [1.0, 2.0, 0.5], [0.5, -1.0, 2.0], "the same f, v = (0.5, -1, 2)"),
        ],
    )


def _F_lesson(x):
    return [x[0] * x[1], x[1] * x[2], x[2] * x[0], x[0] + x[1] + x[2]]


def _F_wide(x):
    return [x[0] * x[1], x[0] / x[1], 2.0]


def _jacobian_by_reverse_mode(F, x):
    """Row by row, with autodiff_lite's reverse mode (a different method from yours)."""
    n, m = len(x), len(F(list(x)))
    rows = []
    for i in range(m):
        row = ad.grad(lambda *xs, i=i: anp.asarray(F(list(xs))[i]) * 1.0, argnums=tuple(range(n)))
        rows.append([float(g) for g in row(*x)])
    return np.array(rows)


def jacobian(fn) -> None:
    """Exercise 6: jacobian(F, x), column by column with dual numbers."""

    def case(F, x, name):
        J = _jacobian_by_reverse_mode(F, x)
        return Case(
            (F, x),
            J,
            name,
            rtol=1e-12,
            hints={
                lambda got: np.shape(got) == J.T.shape and J.shape[0] != J.shape[1]: "J has one "
                "row per output and one column per input: J[i, j] = dF_i/dx_j (stack the "
                "columns with axis=1)",
                lambda got: np.allclose(got, J.T): "transposed: J[i, j] = dF_i/dx_j, one column "
                "per input",
            },
        )

    check(
        "jacobian",
        fn,
        [
            case(_F_lesson, [1.0, 2.0, 3.0], "F(x) = (x0 x1, x1 x2, x2 x0, x0 + x1 + x2)"),
            case(_F_wide, [3.0, 2.0], "F(x) = (x0 x1, x0 / x1, 2), a constant output"),
        ],
    )
