"""Self-checks for Lab 23 (ODEs and adjoints): the VISIBLE checks of each exercise.

Each function runs one exercise's visible checks on your function and prints a report:
which input, what was expected, what you returned, and a hint for the classic mistakes.
Passing them is necessary, not sufficient: the hidden tests use other inputs.
"""

import numpy as np

import autodiff_lite as ad
import autodiff_lite.numpy as anp
from autodiff_lite.selfcheck import Case, check

Y0 = np.array([1.0, 0.0])

# The oscillator's trajectory for theta = (2.0, 0.3), 4 RK4 steps over 2 s (computed once
# with a reference solver), and the same with every stage evaluated at the step's start time.
TRAJECTORY = np.array(
    [
        [1.0, 0.0],
        [0.8601096716116174, -0.5365896333098441],
        [0.4933163511583471, -0.8966466932822938],
        [0.00300927492057262, -1.0237827070462957],
        [-0.48504844862621294, -0.8851238757166138],
    ]
)
FROZEN_CLOCK = np.array(
    [
        [1.0, 0.0],
        [0.86346875, -0.510915625],
        [0.5219158679004209, -0.7935087086214007],
        [0.08965412629185099, -0.8649022149799989],
        [-0.33268440445423514, -0.7600491706380462],
    ]
)


def _near(expected, rtol=1e-9):
    def predicate(got):
        try:
            return np.shape(got) == np.shape(expected) and np.allclose(got, expected, rtol=rtol)
        except (TypeError, ValueError):
            return False

    return predicate


def driven_oscillator(fn) -> bool:
    """Exercise 1: the right-hand side at two points."""
    cases = [
        Case(
            (np.array([0.5, -1.0]), 2.0, np.array([1.5, 0.2])),
            np.array([-1.0, -1.235511002695158]),
            "y = (0.5, -1), t = 2, theta = (1.5, 0.2)",
            rtol=1e-10,
            hints={
                _near(np.array([-1.0, -0.55])): "the drive F cos(Omega t) is missing",
                _near(np.array([-1.0, -0.35])): "the drive F cos(Omega t) is missing",
            },
        ),
        Case(
            (np.array([-0.3, 0.7]), 0.4, np.array([2.5, 0.6])),
            np.array([0.7, 1.02425534374212]),
            "y = (-0.3, 0.7), t = 0.4, theta = (2.5, 0.6)",
            rtol=1e-10,
        ),
    ]
    return check("driven_oscillator", fn, cases)


def rk4_trajectory(fn, rhs) -> bool:
    """Exercise 2: the oscillator's states over 4 steps, then the order on y' = cos t."""
    ok = check(
        "rk4_trajectory",
        fn,
        [
            Case(
                (rhs, Y0, np.array([2.0, 0.3]), 2.0, 4),
                TRAJECTORY,
                "the oscillator, theta = (2, 0.3), 4 steps over 2 s (all 5 states)",
                rtol=1e-9,
                hints={
                    _near(FROZEN_CLOCK): "every stage used the time at the start of the step: "
                    "the stages are at t, t + h/2, t + h/2 and t + h",
                    _near(TRAJECTORY[1:]): "return y0 as the first of the n + 1 states",
                    _near(TRAJECTORY[-1]): "return all n + 1 states, not only the last",
                },
            )
        ],
    )

    def clock(y, t, theta):
        return anp.cos(t) + 0 * y

    def error_ratio(solver):
        errors = [abs(np.asarray(solver(clock, np.zeros(1), None, 3.0, n))[-1, 0] - np.sin(3.0))
                  for n in (8, 16)]  # fmt: skip
        return errors[0] / errors[1]

    order = check(
        "rk4_trajectory (order)",
        error_ratio,
        [Case((fn,), 16.0, "y' = cos t: error at 8 steps / error at 16 steps", rtol=0.25)],
    )
    return ok and order


def adjoint_gradient(fn, rhs) -> bool:
    """Exercise 3: against reverse mode through the solver, with readings every 2 steps."""
    theta, n, every, t_end = np.array([2.0, 0.3]), 20, 2, 5.0
    data = np.linspace(-0.5, 0.5, 2 * (n // every)).reshape(n // every, 2)

    def solve(th, y0):
        h, y, out = t_end / n, y0, [y0]
        for t in np.arange(n) * h:
            a = rhs(y, t, th)
            b = rhs(y + h / 2 * a, t + h / 2, th)
            c = rhs(y + h / 2 * b, t + h / 2, th)
            d = rhs(y + h * c, t + h, th)
            y = y + h / 6 * (a + 2 * b + 2 * c + d)
            out.append(y)
        return anp.stack(out)

    def loss(th, y0):
        return 0.5 * anp.sum((solve(th, y0)[every::every] - data) ** 2)

    try:
        expected = tuple(ad.grad(loss, (0, 1))(theta, Y0))
    except NotImplementedError:
        print("adjoint_gradient: not implemented yet (finish Exercises 1 and 2 first)")
        return False
    except Exception as err:  # driven_oscillator fails
        print(
            f"adjoint_gradient: the reference gradient needs your driven_oscillator, which "
            f"failed ({type(err).__name__}: {err}); fix Exercise 1 first."
        )
        return False
    sign_flipped = tuple(-g for g in expected)
    return check(
        "adjoint_gradient",
        fn,
        [
            Case(
                (rhs, Y0, theta, t_end, n, data, every),
                expected,
                "oscillator, 20 steps over 5 s, readings every 2 steps: (dL/dtheta, dL/dy0)",
                rtol=5e-3,
                atol=1e-6,
                hints={
                    lambda got: all(_near(e, 5e-3)(g) for g, e in zip(got, sign_flipped)): "the "
                    "signs are flipped: going backwards, a and G change by -h times their "
                    "derivatives -a df/dy and -a df/dtheta",
                },
            )
        ],
    )


def predict_f_calls(fn) -> bool:
    """Exercise 4: the predictions are whole numbers that grow in proportion to n."""
    methods = ["through_solver", "adjoint", "forward_mode", "central_differences"]

    def scaling(method):
        small, large = fn(10, 3, method), fn(20, 3, method)
        return [int(small) == small > 0, large == 2 * small]

    cases = [
        Case(
            (m,),
            [True, True],
            f"{m}: a positive whole number at n = 10, doubling with n",
            hints={
                lambda got: got[0] is False: "a count of calls is a positive whole number",
                lambda got: got[1] is False: "each method calls f a fixed number of times per "
                "step, so the count is proportional to n",
            },
        )
        for m in methods
    ]
    return check("predict_f_calls", scaling, cases)


def calibrate(fn) -> bool:
    """Exercise 5: five steps from a guess: the shapes, and a falling loss."""
    rng = np.random.default_rng(11)
    data = 0.3 * rng.normal(size=(20, 2))

    def run(steps):
        theta, losses = fn(data, (2.0, 0.3), steps, 0.1)
        return [np.shape(theta), len(losses), bool(losses[-1] < losses[0])]

    return check(
        "calibrate",
        run,
        [
            Case(
                (5,),
                [(2,), 5, True],
                "5 steps from (2, 0.3) on noise: theta of shape (2,), 5 losses, the last lower",
                hints={
                    lambda got: got[1] != 5: "return one loss per step, computed before the update",
                    lambda got: got[2] is False: "the loss went up: step against the gradient, "
                    "and remember d/dlog k = k d/dk",
                },
            )
        ],
    )
