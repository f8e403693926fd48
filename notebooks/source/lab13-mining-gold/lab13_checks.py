"""Self-checks for Lab 13 (mining gold): the VISIBLE checks of each exercise.

Each function runs one exercise's visible checks on your function and prints a report:
which input, what was expected, what you returned, and a hint for the classic mistakes
(the rate instead of the scale, a resolution that forgets theta, a missing -log w, one
score for all events, the log of a mean, swapped labels, alpha ignored). Passing them is
necessary, not sufficient: the hidden tests use other inputs. (The expected values are
written out as numbers, or are properties any right answer has, so this file holds no
solutions.)
"""

import numpy as np

import autodiff_lite as ad
import autodiff_lite.numpy as anp
from autodiff_lite.selfcheck import Case, check


def _near(value, rtol=1e-8):
    def predicate(got):
        try:
            return bool(np.allclose(np.asarray(got, dtype=float), value, rtol=rtol, atol=1e-10))
        except (TypeError, ValueError):
            return False

    return predicate


def log_joint(fn) -> bool:
    """Exercise 1: log_joint(theta, x, z, k, c)."""
    theta, x, z = np.array([0.5, -0.5]), np.array([2.0, 0.1]), np.array([1.5, 0.3])
    cases = [
        Case((0.0, 1.0, 1.0, 1.0, 0.0), -0.7149657288787368, "one event, k = 1, c = 0"),
        Case(
            (theta, x, z),
            np.array([-2.23574292, -0.68952345]),
            "two events at once, the lab's k and c (default arguments)",
            atol=1e-8,
            hints={
                _near(np.array([-1.79902883, -2.37686627])): "this is a Gamma with rate "
                "e^theta; the scale is e^theta, so z enters as z * exp(-theta)",
                _near(np.array([-2.28822868, -0.56619625])): "the width forgets its factor "
                "exp(c * theta): in this lab theta widens the resolution",
                _near(np.array([-3.00203365, -2.67210491])): "the -log w of the Gaussian's "
                "normalisation is missing",
            },
        ),
        Case(
            (theta, x, z, 3.0, 1.0), np.array([-3.08206657, -2.80572392]), "k = 3, c = 1", atol=1e-8
        ),
    ]
    ok = check("log_joint", fn, cases)
    try:
        d = ad.grad(lambda th: anp.sum(fn(th, x, z)))(theta)
        assert np.all(np.isfinite(d))
    except Exception as err:  # noqa: BLE001  (explain any failure in words)
        print(
            f"log_joint: ad.grad in theta failed ({type(err).__name__}: {err}); write it with "
            "anp functions (anp.exp, anp.log), not np, where theta enters"
        )
        return False
    return ok


def joint_score(fn) -> bool:
    """Exercise 2: joint_score(theta, x, z, k, c), one score per event."""
    theta, x, z = np.array([0.0, 0.5]), np.array([1.0, 2.0]), np.array([1.0, 1.5])
    cases = [
        Case(
            (theta, x, z),
            np.array([-1.3, -1.04294547]),
            "two events",
            atol=1e-8,
            hints={
                lambda got: np.shape(got) == (): "one number for all events: take the "
                "gradient of the sum with respect to the vector theta (one entry per event)",
                _near(np.array([-0.66666667, 2.45395718])): "this is the derivative with "
                "respect to z; the score is the derivative with respect to theta",
            },
        ),
        Case(
            (np.array([0.3]), np.array([0.7]), np.array([0.2]), 3.0, 1.0),
            np.array([3.14831206]),
            "one event, k = 3, c = 1",
            atol=1e-8,
        ),
    ]
    return check("joint_score", fn, cases)


def predict_score_variance(fn) -> bool:
    """Exercise 3: properties any right prediction has (the value is measured next)."""

    def number(got):
        return isinstance(got, (int, float, np.floating)) and not isinstance(got, bool)

    def halves(args):
        k, c, n = args
        small, large = fn(k, c, n), fn(k, c, 2 * n)
        return number(small) and number(large) and np.isclose(large, small / 2)

    cases = [
        Case(((2.0, 0.3, 4),), True, "a number; twice as many events, half the variance"),
        Case(((3.0, 1.0, 1),), True, "a number; twice as many events, half the variance"),
    ]
    ok = check("predict_score_variance", halves, cases)
    try:
        grows = fn(2.0, 1.0, 1) > fn(2.0, 0.0, 1) > 0
    except Exception as err:  # noqa: BLE001
        print(f"predict_score_variance failed ({type(err).__name__}: {err})")
        return False
    if not grows:
        print(
            "predict_score_variance: a resolution that depends on theta (c > 0) adds a "
            "term to the score, and so variance; your prediction does not grow with c"
        )
        return False
    return ok


def true_log_r(fn) -> bool:
    """Exercise 4: true_log_r(x, theta) by quadrature."""
    x = np.array([0.5, 2.0, 6.0])
    cases = [
        Case((x, np.zeros(3)), np.zeros(3), "theta = 0: the ratio is 1, log r = 0", atol=1e-10),
        Case(
            (x, np.full(3, 0.8)),
            np.array([-1.15185375, -0.42790532, 1.46817292]),
            "theta = 0.8",
            atol=1e-6,
            hints={
                _near(np.array([13.12719491, 12.80399472, 17.18687608]), 1e-6): "this "
                "averages the log joint over the grid; the marginal is the log of a sum: "
                "anp.logsumexp",
                _near(np.array([-2.29440085, -1.79664416, -2.59601704]), 1e-6): "this is "
                "log p(x | theta); subtract log p(x | 0)",
            },
        ),
        Case(
            (x, np.array([-0.6, 0.2, 0.9])),
            np.array([0.71467534, -0.030658, 1.51874098]),
            "one theta per event",
            atol=1e-6,
        ),
    ]
    return check("true_log_r", fn, cases)


def cascal_loss(fn) -> bool:
    """Exercise 5: cascal_loss(params, theta, x1, x0, t1, alpha)."""
    params = ad.nn.init_mlp(np.random.default_rng(0), [2, 4, 1])
    theta, x1, x0 = np.array([0.5, -0.5, 0.2]), np.array([1.0, 0.3, 2.0]), np.array([0.8, 1.2, 0.1])
    t1 = np.array([0.4, -0.7, 1.1])
    hints = {
        _near(2.6560210209945905): "the labels are swapped: events x1 (from theta) have "
        "label 1, so their term is softplus(-s)",
        _near(2.0761262733438044): "alpha is missing from the score term",
        _near(2.5551373013827523): "the score term uses the reference events x0; the joint "
        "scores t1 belong to the x1 events",
    }
    cases = [
        Case((params, theta, x1, x0, t1, 0.0), 1.4311120283406518, "alpha = 0: CARL alone"),
        Case((params, theta, x1, x0, t1, 2.0), 2.7211405183469575, "alpha = 2", hints=hints),
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


def train_estimator(fn, training_set) -> bool:
    """Exercise 7: the mechanics of training_set and train_estimator (a few cheap steps)."""

    def shapes(args):
        return [np.shape(v) for v in training_set(*args)]

    ok = check("training_set", shapes, [Case(((30, 0),), [(30,)] * 4, "30 pairs: four arrays")])

    def run(args):
        alpha, seed = args
        params = fn(alpha, n_pairs=20, seed=seed, steps=5)
        return [np.asarray(layer["W"]).shape for layer in params]

    layers = [(2, 16), (16, 1)]
    cases = [
        Case(((0.0, 0),), layers, "CARL, 5 steps"),
        Case(((1.0, 0),), layers, "CASCAL, 5 steps"),
    ]
    ok = check("train_estimator", run, cases) and ok
    if ok:
        carl = fn(0.0, n_pairs=20, seed=0, steps=5)
        cascal = fn(1.0, n_pairs=20, seed=0, steps=5)
        if np.allclose(carl[1]["W"], cascal[1]["W"]):
            print(
                "train_estimator: alpha = 0 and alpha = 1 give the same network; pass alpha "
                "to cascal_loss"
            )
            return False
    return ok


def estimator_error(fn) -> bool:
    """Exercise 6: estimator_error(params, n_test, seed)."""
    zero_net = [
        {"W": np.zeros((2, 3)), "b": np.zeros(3)},
        {"W": np.zeros((3, 1)), "b": np.zeros(1)},
    ]
    random_net = ad.nn.init_mlp(np.random.default_rng(0), [2, 3, 1])
    cases = [
        Case((zero_net, 200, 5), 0.7250212404710694, "a network that always says 0", rtol=1e-6),
        Case(
            (random_net, 200, 5),
            0.9093374756770638,
            "init_mlp(np.random.default_rng(0), [2, 3, 1])",
            rtol=1e-6,
            hints={_near(0.9535918810880595, 1e-6): "this is the root of the mean square"},
        ),
    ]
    return check("estimator_error", fn, cases)
