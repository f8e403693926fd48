"""Self-checks for Lab 13 (mining gold): the VISIBLE checks of each exercise.

Each function runs one exercise's visible checks on your function and prints a report:
which input, what was expected, what you returned, and a hint for the classic mistakes
(the rate instead of the mean, a missing -log sigma, one score for all events instead of
one per event, swapped labels). Passing them is necessary, not sufficient: the hidden
tests use other inputs. (The expected values are written out as numbers, so this file
holds no solutions.)
"""

import numpy as np

import autodiff_lite as ad
from autodiff_lite.selfcheck import Case, check


def _near(value, rtol=1e-8):
    def predicate(got):
        try:
            return bool(np.allclose(np.asarray(got, dtype=float), value, rtol=rtol, atol=1e-10))
        except (TypeError, ValueError):
            return False

    return predicate


def log_joint(fn) -> bool:
    """Exercise 1: log_joint(theta, x, z)."""
    theta, x, z = np.array([0.5, -0.5]), np.array([2.0, 0.1]), np.array([1.5, 0.3])
    cases = [
        Case((0.0, 1.0, 1.0), -1.5622635892659402, "one event: theta = 0, x = 1, z = 1"),
        Case(
            (theta, x, z),
            np.array([-2.41594538, -0.0269981]),
            "two events at once",
            atol=1e-8,
            hints={
                _near(np.array([-2.9792313, -0.71434091])): "this is an exponential with "
                "rate e^theta; the mean is e^theta, so the rate is e^-theta",
                _near(np.array([-2.46723868, -1.07682022])): "the -log sigma(z) of the "
                "Gaussian's normalisation is missing",
            },
        ),
    ]
    return check("log_joint", fn, cases)


def joint_score(fn) -> bool:
    """Exercise 2: joint_score(theta, x, z), one score per event."""
    theta, x, z = np.array([0.0, 0.5]), np.array([1.0, 2.0]), np.array([1.5, 1.5])
    expected = np.array([0.5, 1.5 * np.exp(-0.5) - 1.0])
    cases = [
        Case(
            (theta, x, z),
            expected,
            "two events",
            hints={
                lambda got: np.shape(got) == (): "one number for all events: return the "
                "gradient of the sum with respect to the vector theta (one entry per event)",
            },
        ),
        Case(
            (np.array([0.3]), np.array([0.7]), np.array([0.2])),
            np.array([0.2 * np.exp(-0.3) - 1]),
            "one event",
        ),
    ]
    return check("joint_score", fn, cases)


def cascal_loss(fn) -> bool:
    """Exercise 3: cascal_loss(params, theta, x1, x0, t1, alpha)."""
    params = ad.nn.init_mlp(np.random.default_rng(0), [2, 4, 1])
    theta, x1, x0 = np.array([0.5, -0.5, 0.2]), np.array([1.0, 0.3, 2.0]), np.array([0.8, 1.2, 0.1])
    t1 = np.array([0.4, -0.7, 1.1])
    hints = {
        _near(2.4463856652829374): "the labels are swapped: events x1 (from theta) have label "
        "1, so their term is softplus(-s)",
        _near(1.9713173023222859): "alpha is missing from the score term",
    }
    cases = [
        Case(
            (params, theta, x1, x0, t1, 0.0),
            1.4315223010112335,
            "alpha = 0: the cross-entropy alone",
        ),
        Case((params, theta, x1, x0, t1, 2.0), 2.511112303633338, "alpha = 2", hints=hints),
    ]
    ok = check("cascal_loss", fn, cases)
    try:
        grads = ad.grad(fn)(params, theta, x1, x0, t1, 2.0)
        assert np.shape(grads[0]["W"]) == (2, 4) and np.all(np.isfinite(grads[0]["W"]))
    except Exception as err:  # noqa: BLE001  (explain any failure in words)
        print(
            f"cascal_loss: ad.grad with respect to params failed ({type(err).__name__}: {err}); "
            "write the loss with anp and ad.grad only, no float() or np on traced values"
        )
        return False
    return ok
