"""Self-checks for Lab 1 (finite differences): the VISIBLE checks of each exercise.

Each function runs one exercise's visible checks on your function and prints a report:
which input, what was expected, what you returned, and a hint for the classic mistakes.
Passing them is necessary, not sufficient: the hidden tests use other inputs.
(The expected values are written out as numbers, so this file holds no solutions.)
"""

import numpy as np

from autodiff_lite.selfcheck import Case, check

EPS = np.finfo(np.float64).eps
POINTS = np.array([0.0, 1.0, 2.0])


def _near(value):
    """A hint predicate: the student's output is close to ``value``."""
    return lambda got: np.allclose(np.asarray(got, dtype=float), value, rtol=1e-9, atol=1e-12)


def cube(x):
    return x**3


def forward_difference(fn) -> None:
    """Exercise 1: forward_difference(f, x, h)."""
    hints = {
        "central": "this is the central difference; the forward difference uses f(x + h) and "
        "f(x) only",
        "backward": "this is a backward difference (it steps to x - h); the forward "
        "difference steps to x + h",
        "sign": "the sign is flipped: f(x + h) - f(x), not f(x) - f(x + h)",
    }
    cases = [
        Case(
            (cube, 2.0, 0.5),
            15.25,  # (2.5**3 - 2**3) / 0.5
            "x**3 at x = 2, h = 0.5",
            rtol=1e-9,
            hints={
                _near(12.25): hints["central"],
                _near(9.25): hints["backward"],
                _near(-15.25): hints["sign"],
            },
        ),
        Case(
            (np.exp, 0.0, 1e-3),
            1.0005001667083846,
            "exp at x = 0, h = 1e-3",
            rtol=1e-9,
            hints={
                _near(1.0000001666666813): hints["central"],
                _near(0.9995001666249781): hints["backward"],
                _near(-1.0005001667083846): hints["sign"],
            },
        ),
        Case(
            (np.sin, POINTS, 1e-6),
            np.cos(POINTS),
            "sin at 3 points at once (x is an array), h = 1e-6: close to cos x",
            atol=1e-5,
            hints={
                lambda got: np.shape(got) != (3,): "with an array x, return one estimate per "
                "point: use array arithmetic (no float() or loops that keep one value)",
            },
        ),
    ]
    check("forward_difference", fn, cases)


def central_difference(fn) -> None:
    """Exercise 2: central_difference(f, x, h)."""
    hints = {
        "forward": "this is the forward difference; the central one uses f(x + h) and f(x - h)",
        "twice": "divide by 2h: the two points are 2h apart",
        "precedence": "Python reads `/ 2 * h` as `(... / 2) * h`; write `/ (2 * h)`",
    }
    cases = [
        Case(
            (cube, 2.0, 0.5),
            12.25,  # (2.5**3 - 1.5**3) / 1
            "x**3 at x = 2, h = 0.5",
            rtol=1e-9,
            hints={
                _near(15.25): hints["forward"],
                _near(24.5): hints["twice"],
                _near(12.25 * 0.25): hints["precedence"],
            },
        ),
        Case(
            (np.exp, 0.0, 1e-3),
            1.0000001666666813,
            "exp at x = 0, h = 1e-3",
            rtol=1e-9,
            hints={
                _near(1.0005001667083846): hints["forward"],
                _near(2.0000003333333626): hints["twice"],
                _near(1.0000001666666813e-06): hints["precedence"],
            },
        ),
        Case(
            (np.sin, POINTS, 1e-4),
            np.cos(POINTS),
            "sin at 3 points at once (x is an array), h = 1e-4: within 1e-8 of cos x",
            atol=1e-8,
            hints={
                lambda got: np.shape(got) != (3,): "with an array x, return one estimate per "
                "point: use array arithmetic",
            },
        ),
    ]
    check("central_difference", fn, cases)


def backward(f, x, h):
    """The backward difference (not one of the exercises): first order, like the forward one."""
    return (f(x) - f(x - h)) / h


def five_point(f, x, h):
    """The fourth-order five-point difference of the lesson's exercises."""
    return (-f(x + 2 * h) + 8 * f(x + h) - 8 * f(x - h) + f(x - 2 * h)) / (12 * h)


def step_errors(fn) -> None:
    """Exercise 3: step_errors(method, f, df, xs, hs)."""
    xs = np.array([0.5, 0.8, 1.1, 1.4])
    hs = np.array([0.4, 0.2, 0.1])
    table = [  # (method, median |error| per step, mean |error| per step)
        (
            backward,
            [0.14350786138189928, 0.07633375445972665, 0.039222479190481524],
            [0.13709829645450783, 0.07292442098733151, 0.037470665564636484],
        ),
        (
            five_point,
            [0.0004815341226284131, 3.0529012283009305e-05, 1.9148903684929053e-06],
            [0.00046002711810589486, 2.9165479410710182e-05, 1.8293646418879317e-06],
        ),
    ]
    cases = [
        Case(
            (method, np.sin, np.cos, xs, hs),
            np.array(median),
            f"{method.__name__} differences of sin at 4 points, 3 steps",
            rtol=1e-6,
            hints={
                _near(-np.array(median)): "take the absolute error |estimate - df(x)| before "
                "the median",
                _near(np.array(mean)): "use the median over the points, not the mean",
                lambda got: np.ndim(got) == 2: "return one number per step: take the median "
                "over the points",
            },
        )
        for method, median, mean in table
    ]
    check("step_errors", fn, cases)


def best_step(fn) -> None:
    """Exercise 4: best_step(method, f, df, xs, hs)."""
    xs = np.linspace(0.5, 1.5, 50)
    hs = np.logspace(-16, 0, 81)

    def within_10x(got, theory):
        return np.ndim(got) == 0 and float(got) in hs and theory / 10 < float(got) < theory * 10

    def case(method, theory, label):
        return Case(
            (method, np.sin, np.cos, xs, hs),
            theory,
            f"{method.__name__} differences of sin, 81 steps from 1e-16 to 1: the best step "
            f"should be one of hs, within a factor 10 of {label} = {theory:.1e}",
            hints={  # the first that matches is shown
                lambda got: isinstance(got, (int, np.integer)): "return the step hs[i] itself, "
                "not its index i",
                lambda got: float(got) not in hs: "return one of the steps in hs (not an error "
                "value)",
                lambda got: float(got) >= 0.1: "the best step has the smallest error, not the "
                "largest",
                lambda got: True: "is your step_errors right? best_step only picks the step "
                "with the smallest of its errors",
            },
        )

    cases = [case(backward, EPS**0.5, "eps**(1/2)"), case(five_point, EPS**0.2, "eps**(1/5)")]
    check("best_step", fn, cases, compare=within_10x)


def richardson(fn) -> None:
    """Exercise 5: richardson(f, x, h)."""
    first_order = "those are the weights for a first-order method; the central difference is "
    first_order += "second order, so its error terms are c h**2 and c (h/2)**2 = c h**2 / 4"
    swapped = "the weight 4 goes with the smaller step h/2"
    only_half = "this is just the central difference at h/2; combine it with the one at h"
    cases = [
        Case(
            (lambda x: x**5, 1.0, 0.1),
            4.999975000000007,
            "x**5 at x = 1, h = 0.1",
            rtol=1e-9,
            hints={
                _near(4.949912500000009): first_order,
                _near(5.125131250000002): swapped,
                _near(5.025006250000006): only_half,
            },
        ),
        Case(
            (np.exp, 0.0, 0.2),
            0.999996662696098,
            "exp at x = 0, h = 0.2",
            rtol=1e-9,
            hints={
                _near(0.9966549876914119): first_order,
                _near(1.008350850207813): swapped,
                _near(1.001667500198441): only_half,
            },
        ),
    ]
    check("richardson", fn, cases)


def squire_trefethen(x):
    """The test function of Squire and Trefethen (1998)."""
    return np.exp(x) / np.sqrt(np.sin(x) ** 3 + np.cos(x) ** 3)


def complex_step(fn) -> None:
    """Exercise 8: complex_step(f, x, h=1e-20)."""

    def case(f, x, expected, name, **kwargs):
        return Case(
            (f, x),
            expected,
            name,
            kwargs=kwargs,
            rtol=1e-13,
            atol=1e-15,
            hints={  # the first that matches is shown
                lambda got: np.iscomplexobj(got): "return a real number: the imaginary part "
                "of f(x + ih), divided by h",
                lambda got: abs(float(got)) > 1e6 * max(1.0, abs(expected)): "the result is "
                "huge: anything but the imaginary part of f(x + ih), divided by a tiny h, "
                "blows up; take np.imag(f(x + 1j * h)) / h",
                lambda got: abs(float(got)) < 1e-10: "f(x + ih) - f(x) is (to first order) "
                "purely imaginary: take the imaginary part, not the real part",
                lambda got: (
                    expected < 0 and np.isclose(float(got), abs(expected))
                ): "abs() loses the sign: take the imaginary part",
                lambda got: np.isclose(float(got), -expected): "the sign is flipped: "
                "Im f(x + ih) / h, no minus",
            },
        )

    check(
        "complex_step",
        fn,
        [
            case(np.exp, 0.0, 1.0, "exp at x = 0 (the default h)"),
            case(np.sin, 2.0, np.cos(2.0), "sin at x = 2, where the derivative is negative"),
            case(squire_trefethen, 1.5, 4.05342789389862, "Squire-Trefethen function at x = 1.5"),
            case(np.exp, 1.0, np.e, "exp at x = 1 with h = 1e-200", h=1e-200),
        ],
    )


def predict_order(fn) -> None:
    """Exercise 6: predict_order(offsets, weights)."""
    counting = (
        "a stencil of n points is not always of order n - 1: a symmetric one cancels one more "
        "term; find the first moment M_m (m >= 2) that is not zero"
    )
    off_by_one = "the moment M_m multiplies h**(m - 1): the order is m - 1, not m"
    exact = (
        "in floating point a moment that should vanish comes out near 1e-16: compare it with "
        "a tolerance relative to the size of its terms, not with == 0"
    )

    def case(offsets, weights, order, name, slips):
        return Case((offsets, weights), order, name, hints=slips)

    cases = [
        case((0, -1), (1, -1), 1, "backward difference", {_near(2): off_by_one}),
        case(
            (-1, 1),
            (-0.5, 0.5),
            2,
            "central difference (2 points)",
            {_near(1): counting, _near(3): off_by_one},
        ),
        case((0, 1, 2), (-1.5, 2, -0.5), 2, "one-sided, 3 points", {_near(3): off_by_one}),
        case(
            (-1, 0, 1, 2),
            (-1 / 3, -1 / 2, 1, -1 / 6),
            3,
            "lopsided, 4 points (weights -1/3, -1/2, 1, -1/6 as floats)",
            {_near(1): exact, _near(2): exact, _near(4): off_by_one},
        ),
        case(
            (-2, -1, 1, 2),
            (1 / 12, -8 / 12, 8 / 12, -1 / 12),
            4,
            "five-point (4 points, symmetric)",
            {_near(3): counting, _near(5): off_by_one},
        ),
    ]
    check("predict_order", fn, cases)
