"""Self-checks for Lab 19 (build the core): the VISIBLE checks of each exercise.

Each function runs one exercise's visible checks on your code and prints a report: the
input, what was expected, what you returned, and a hint for the classic mistakes (the lower
level's tangent read as the higher one's: perturbation confusion; a product rule with a
term missing; the inner tangent read whatever its level; a transpose that sets instead of
adding). Expected values are numbers written out here or computed by ``autodiff_lite``, so
this file holds no solutions. Passing is necessary, not sufficient: the hidden tests use
fresh random values, functions and programs.
"""

import numbers

import numpy as np

import autodiff_lite as ad
import autodiff_lite.numpy as anp
from autodiff_lite.selfcheck import Case, check


def _expand(x):
    """A nested Tagged as {levels: coefficient} (as ``expand`` in the notebook)."""
    if isinstance(x, numbers.Real):
        return {(): float(x)}
    out = dict(_expand(x.primal))
    for levels, coef in _expand(x.tangent).items():
        key = tuple(sorted((*levels, x.level)))
        out[key] = out.get(key, 0.0) + coef
    return out


def _clean(p):
    """The polynomial without its zero terms (a zero tangent may be 0.0 or a Tagged)."""
    return {k: v for k, v in p.items() if abs(v) > 1e-15}


def tagged(Tagged, sin, cos, exp) -> bool:
    """Exercise 1: Tagged arithmetic at equal and at different levels, and sin, cos, exp.

    Results are shown as polynomials in the ε's: {(): 6.0, (1,): 8.0, (1, 2): 20.0} is
    6 + 8ε1 + 20ε1ε2."""
    x1, y1, x2 = (2.0, 1.0, 1), (3.0, 4.0, 1), (2.0, 5.0, 2)
    cross = {(): 6.0, (1,): 8.0, (2,): 15.0, (1, 2): 20.0}
    confused = "perturbation confusion: a value of the lower level is a constant at the higher "
    confused += "level (tangent 0 there); its primal is the WHOLE lower Tagged, so the product "
    confused += "keeps an ε1ε2 term"
    table = [
        ("x1 * y1", lambda: Tagged(*x1) * Tagged(*y1), {(): 6.0, (1,): 11.0}),
        ("x1 - 3", lambda: Tagged(*x1) - 3.0, {(): -1.0, (1,): 1.0}),
        ("3 - x1", lambda: 3.0 - Tagged(*x1), {(): 1.0, (1,): -1.0}),
        ("1 / y1", lambda: 1.0 / Tagged(*y1), {(): 1 / 3, (1,): -4 / 9}),
        ("x1 / y1", lambda: Tagged(*x1) / Tagged(*y1), {(): 2 / 3, (1,): -5 / 9}),
        ("x2 * y1", lambda: Tagged(*x2) * Tagged(*y1), cross),
        ("y1 * x2", lambda: Tagged(*y1) * Tagged(*x2), cross),
        ("y1 + x2", lambda: Tagged(*y1) + Tagged(*x2), {(): 5.0, (1,): 4.0, (2,): 5.0}),
        ("sin(x1)", lambda: sin(Tagged(*x1)), {(): np.sin(2.0), (1,): np.cos(2.0)}),
        ("cos(x1)", lambda: cos(Tagged(*x1)), {(): np.cos(2.0), (1,): -np.sin(2.0)}),
        ("exp(x2)", lambda: exp(Tagged(*x2)), {(): np.exp(2.0), (2,): 5 * np.exp(2.0)}),
        ("sin(0.5)", lambda: sin(0.5), {(): np.sin(0.5)}),
    ]
    makers = {name: make for name, make, _ in table}
    hints = {
        "x1 * y1": {lambda got: got.get((1,)) != 11.0: "the product rule: u_dot v + u v_dot"},
        "x1 / y1": {
            lambda got: np.isclose(got.get((1,), 0), 5 / 9): "the quotient rule: "
            "(u_dot - (u / v) v_dot) / v"
        },  # fmt: skip
        "x2 * y1": {lambda got: (1, 2) not in got: confused},
        "y1 * x2": {lambda got: (1, 2) not in got: confused},
    }
    cases = [
        Case(
            args=(name,),
            expected=_clean(expected),
            name=f"{name}, with x1 = 2 + ε1, y1 = 3 + 4ε1, x2 = 2 + 5ε2",
            hints=hints.get(name, {}),
        )
        for name, _, expected in table
    ]
    return check("Tagged", lambda name: _clean(_expand(makers[name]())), cases)


def grad(grad, sin, exp) -> bool:
    """Exercise 2: first and nested derivatives, against autodiff_lite."""

    def wave(x):
        return 0.5 * x * x * x + 2.0 * sin(1.5 * x) * exp(x / 2)

    def wave_ref(x):
        return 0.5 * x * x * x + 2.0 * anp.sin(1.5 * x) * anp.exp(x / 2)

    def confusing(x):  # x · d/dy (x y) at y = 2: x², derivative 2 at x = 1
        return x * grad(lambda y: x * y)(2.0)

    def blind(x):  # x · d/dy (3 x) at y = 1: 0
        return x * grad(lambda y: 3.0 * x)(1.0)

    inner_any_level = "read the tangent only from a result of YOUR level: a result of an outer "
    inner_any_level += "level (or a plain number) does not depend on this x, so return 0.0"
    cases = [
        Case(args=(lambda x: x * x * x, 2.0), expected=12.0, name="d/dx x³ at 2"),
        Case(args=(wave, 0.3), expected=float(ad.grad(wave_ref)(0.3)), name="wave' at 0.3"),
        Case(
            args=(grad(wave), 0.3),
            expected=float(ad.grad(ad.grad(wave_ref))(0.3)),
            name="wave'' at 0.3: grad(grad(wave))",
        ),
        Case(
            args=(confusing, 1.0),
            expected=2.0,
            name="d/dx [x · d/dy (x y) at y = 2] at 1",
            hints={
                lambda got: np.isclose(got, 3.0): "perturbation confusion: the inner grad "
                "must use a level above the outer one (count the running grads in _level)",
            },
        ),
        Case(
            args=(blind, 1.0),
            expected=0.0,
            name="d/dx [x · d/dy (3 x) at y = 1] at 1",
            hints={lambda got: np.isclose(got, 3.0): inner_any_level},
        ),
        Case(args=(lambda x: 4.0, 1.0), expected=0.0, name="a constant function"),
    ]

    return check("grad", lambda f, x: grad(f)(x), cases)


def _untagged_dual():
    class Dual:
        __array_ufunc__ = None

        def __init__(self, a, b=0.0):
            self.a, self.b = a, b

        def __add__(self, other):
            o = other if isinstance(other, Dual) else Dual(other)
            return Dual(self.a + o.a, self.b + o.b)

        def __mul__(self, other):
            o = other if isinstance(other, Dual) else Dual(other)
            return Dual(self.a * o.a, self.a * o.b + self.b * o.a)

        __radd__, __rmul__ = __add__, __mul__

    def grad_untagged(f):
        def df(x):
            y = f(Dual(x, 1.0))
            return y.b if isinstance(y, Dual) else 0.0

        return df

    return grad_untagged


def predict_confused(fn) -> bool:
    """Exercise 3: the prediction against the untagged code, run here."""
    grad_untagged = _untagged_dual()
    cases = []
    for m, x0, c in [(1, 1.0, 2.0), (2, 1.5, -0.5), (3, 0.8, 2.0)]:

        def f(x, m=m, c=c):
            out = grad_untagged(lambda y: x * y)(c)
            for _ in range(m):
                out = out * x
            return out

        true = (m + 1) * x0**m
        cases.append(
            Case(
                args=(m, x0, c),
                expected=grad_untagged(f)(x0),
                name=f"m={m}, x0={x0}, c={c}",
                hints={
                    lambda got, t=true: np.isclose(got, t): "that is the true derivative: the "
                    "untagged version gets it wrong; follow the one ε by hand",
                },
            )
        )
    return check("predict_confused", fn, cases)


def _evaluate(program, x, ops):
    env = dict(zip(program["inputs"], x))
    for out, op, args in program["eqns"]:
        env[out] = ops[op](*[env[a] for a in args])
    return tuple(env[o] for o in program["outputs"])


ANP = {
    "add": anp.add,
    "sub": anp.subtract,
    "mul": anp.multiply,
    "div": anp.divide,
    "neg": anp.negative,
    "sin": anp.sin,
    "cos": anp.cos,
    "exp": anp.exp,
    "log": anp.log,
}


def _apply(program, linear, x_dot):
    dot = dict(zip(program["inputs"], x_dot))
    for out, terms in linear:
        dot[out] = sum(coef * dot[arg] for coef, arg in terms)
    return tuple(dot[o] for o in program["outputs"])


def linearize(fn, program, x) -> bool:
    """Exercise 4: the example program's outputs and JVPs against autodiff_lite."""
    y_ref = _evaluate(program, x, ANP)
    cases = [Case(args=("y",), expected=tuple(float(v) for v in y_ref), name="the outputs y")]
    for x_dot in [(1.0, 0.0), (0.0, 1.0)]:
        _, y_dot = ad.jvp(lambda *x: _evaluate(program, x, ANP), tuple(x), x_dot)
        cases.append(
            Case(
                args=(x_dot,),
                expected=tuple(float(v) for v in y_dot),
                name=f"apply_linear(program, linear, {x_dot}) against ad.jvp",
            )
        )

    def run(what):
        y, linear = fn(program, x)
        if what == "y":
            return tuple(float(v) for v in y)
        return tuple(float(v) for v in _apply(program, list(linear), what))

    return check("linearize", run, cases)


def transpose(fn, linearize, program, x) -> bool:
    """Exercise 5: transpose of your linear program against autodiff_lite's VJP."""
    _, vjp_fn = ad.vjp(lambda *x: _evaluate(program, x, ANP), *x)
    cases = []
    for y_bar in [(1.0, 0.0), (0.0, 1.0), (2.0, -0.5)]:
        cases.append(
            Case(
                args=(y_bar,),
                expected=tuple(float(v) for v in vjp_fn(y_bar)),
                name=f"y_bar = {y_bar} against ad.vjp",
                hints={
                    lambda got: len(got) != 2: "one cotangent per input, in the order of "
                    'program["inputs"]',
                },
            )
        )

    def run(y_bar):
        _, linear = linearize(program, x)
        return tuple(float(v) for v in fn(program, linear, y_bar))

    return check("transpose", run, cases)
