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


def elementary(Dual, sqrt, tanh, arctan) -> None:
    """Exercise 2: sqrt, tanh, arctan of dual numbers (and of plain numbers)."""
    env = {"Dual": Dual, "sqrt": sqrt, "tanh": tanh, "arctan": arctan}
    chain = "the chain rule: multiply f'(a) by the incoming ε part b"
    sech2 = 1 / np.cosh(0.5) ** 2
    s2 = np.sqrt(2.0)
    table = [
        (
            "sqrt(Dual(4.0, 2.0))",
            (2.0, 0.5),
            {_eps_is(0.25): chain, _eps_is(2.0): "divide by 2 sqrt(a): write / (2 * root)"},
        ),
        (
            "tanh(Dual(0.5, 2.0))",
            (np.tanh(0.5), 2 * sech2),
            {
                _eps_is(sech2): chain,
                _eps_is(2 * (1 + np.tanh(0.5) ** 2)): "d/dx tanh x = 1 - tanh² x (1 + tan² x "
                "is the derivative of tan)",
            },
        ),
        (
            "arctan(Dual(2.0, 3.0))",
            (np.arctan(2.0), 0.6),
            {_eps_is(0.2): chain, _eps_is(-1.0): "d/dx arctan x = 1 / (1 + x²), a plus sign"},
        ),
        ("tanh(sqrt(Dual(2.0, 1.0)))", (np.tanh(s2), (1 - np.tanh(s2) ** 2) / (2 * s2)), {}),
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

    cases += [plain(name) for name in ("sqrt", "tanh", "arctan")]
    check("sqrt, tanh, arctan", _dispatch(evaluate), cases)


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


NEW_FUNCTION = "y = sin(x1 / x2) + x1 exp(x2)"


def _new_function(x1, x2):
    return anp.sin(x1 / x2) + x1 * anp.exp(x2)


def _trace_from_autodiff_lite(x1, x2, x1_dot, x2_dot):
    tables = ad.trace_tables(_new_function, x1, x2, tangents=[x1_dot, x2_dot])
    v, v_dot = tables.primal.values, tables.tangent.values
    return [(float(v[f"v_{i}"]), float(v_dot[f"v_{i}"])) for i in range(1, 6)]


def tangent_trace(fn) -> None:
    """Exercise 4: the tangent trace of y = sin(x1 / x2) + x1 exp(x2), by ad.trace_tables."""

    def case(x1, x2, x1_dot, x2_dot):
        expected = _trace_from_autodiff_lite(x1, x2, x1_dot, x2_dot)
        v1_dot_numerator_only = x1_dot / x2
        v4_dot_half = x1_dot * expected[2][0]
        return Case(
            (x1, x2, x1_dot, x2_dot),
            expected,
            f"{NEW_FUNCTION} at ({x1}, {x2}) with the seed ({x1_dot}, {x2_dot})",
            rtol=1e-12,
            hints={
                lambda got: len(got) != 5: "return five pairs (v_i, v̇_i), for i = 1 to 5",
                lambda got: np.isclose(got[0][1], v1_dot_numerator_only) and x2_dot != 0: "v1 = "
                "v_-1 / v0 is a quotient: v̇1 = (v̇_-1 - v1 v̇0) / v0, the term of v̇0 too",
                lambda got: np.isclose(got[3][1], v4_dot_half) and x2_dot != 0: "v4 = v_-1 v3 "
                "needs both terms of the product rule: v̇4 = v̇_-1 v3 + v_-1 v̇3",
            },
        )

    check(
        "tangent_trace",
        fn,
        [case(1.5, 0.5, 1.0, 0.0), case(1.5, 0.5, 1.0, -2.0), case(-1.0, 2.0, 0.5, 2.0)],
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


def _count_calls(m, n, mode):
    """The calls of an F from R^n to R^m while ad.jacfwd, ad.jacrev or central differences
    build its Jacobian at x = (1, ..., 1)."""

    def F(x):
        F.calls += 1
        return [x[i % n] * x[(i + 1) % n] + (i + 1) * x[(3 * i) % n] ** 2 for i in range(m)]

    F.calls, x = 0, np.ones(n)
    jacobians = {"forward": ad.jacfwd, "reverse": ad.jacrev}
    if mode in jacobians:
        jacobians[mode](lambda a: anp.stack(F([a[j] for j in range(n)])))(x)
    else:  # central differences
        for j in range(n):
            step = 1e-5 * np.eye(n)[j]
            np.subtract(F(list(x + step)), F(list(x - step))) / 2e-5
    return F.calls


def predict_evaluations(fn) -> None:
    """Exercise 7: predict_evaluations(m, n, mode), the calls of F for one Jacobian."""
    rows_or_columns = (
        "forward mode pushes one seed e_j per pass: one pass per column, that is per input"
    )
    sweeps = (
        "reverse mode evaluates F once, recording a tape; its m backward sweeps run over the "
        "tape and do not call F"
    )
    one_sided = "central differences evaluate F on both sides, at x + h e_j and at x - h e_j"
    shapes = [(4, 3), (1, 6), (6, 1)]
    hints = {
        "forward": lambda m, n: {lambda got: got == m and m != n: rows_or_columns},
        "reverse": lambda m, n: {
            lambda got: got in (m, m + 1) and m != 1: sweeps,
            lambda got: got == n and n != 1: sweeps,
        },
        "central": lambda m, n: {
            lambda got: got in (n, n + 1): one_sided,
            lambda got: got == 2 * m and m != n: rows_or_columns,
        },
    }
    cases = [
        Case(
            (m, n, mode),
            _count_calls(m, n, mode),  # measured, as in the measure cell
            f"F from R^{n} to R^{m}, mode {mode!r}",
            hints=hints[mode](m, n),
        )
        for m, n in shapes
        for mode in ("forward", "reverse", "central")
    ]
    check("predict_evaluations", fn, cases)
