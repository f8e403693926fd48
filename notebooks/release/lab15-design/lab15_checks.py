"""Self-checks for Lab 15 (design optimisation): the VISIBLE checks of each exercise.

Each function runs one exercise's visible checks on your function and prints a report:
which input, what was expected, what you returned, and a hint for the classic mistakes
(an unweighted fit, weights 1/sigma instead of 1/sigma^2, a mean over all tracks instead of
per class, the history recorded after the update). Passing them is necessary, not
sufficient: the hidden tests use other inputs. (The expected values are written out as
numbers, so this file holds no solutions.)

It also holds the lab's data and instruments: ``DETECTOR`` (the tracker of the lab),
``toy_tracks`` (simulated tracks with their noise drawn once), ``measure_resolution_ratio``
(Exercise 3's measurement, made with *your* fit) and ``hard_significance`` (a design judged
with a hard cut on a fresh, large sample, the fit given as an argument).
"""

import numpy as np

from autodiff_lite.selfcheck import Case, check

# Two pixel layers (5 µm) and four strip layers (15 µm), between 30 and 150 mm.
DETECTOR = {
    "z_min": 30.0,  # mm
    "z_max": 150.0,  # mm
    "sigma": np.array([5.0, 5.0, 15.0, 15.0, 15.0, 15.0]),  # µm, layer by layer
    "width": 0.5,  # µm, of the soft cut
    "n_s": 100.0,  # expected displaced tracks
    "n_b": 2000.0,  # expected prompt tracks
}


def toy_tracks(seed, n_sig, n_bkg, n_layers, ip_scale=50.0):
    """Simulated tracks, all random numbers drawn once: the first n_sig displaced (true IPs
    from a two-sided exponential of scale ip_scale µm), the others prompt (true IP 0)."""
    rng = np.random.default_rng(seed)
    n = n_sig + n_bkg
    return {
        "ip_true": np.concatenate([rng.laplace(0.0, ip_scale, n_sig), np.zeros(n_bkg)]),
        "slope": rng.uniform(-1000.0, 1000.0, n),  # µm per mm
        "noise": rng.standard_normal((n, n_layers)),  # hit errors in units of sigma
        "is_signal": np.arange(n) < n_sig,
    }


def measure_resolution_ratio(fit, z, sigma, scale, sigma_factor, copies, n_tracks=40_000):
    """sigma_IP of the changed tracker over that of (z, sigma), from the spread of the IPs
    that ``fit(z, hits, sigma)`` measures on n_tracks prompt tracks (true IP and slope 0)."""
    z, sigma = np.asarray(z, dtype=float), np.asarray(sigma, dtype=float)
    rng = np.random.default_rng(0)
    before = fit(z, sigma * rng.standard_normal((n_tracks, len(z))), sigma)
    z_new = np.tile(z * scale, copies)
    sigma_new = np.tile(sigma * sigma_factor, copies)
    after = fit(z_new, sigma_new * rng.standard_normal((n_tracks, len(z_new))), sigma_new)
    return float(np.std(after) / np.std(before))


def hard_significance(fit, z, cut, detector, n_per_class=50_000, seed=12345, ip_scale=50.0):
    """S / sqrt(S + B) of the layout z with the HARD cut |IP| > cut, on a fresh sample (so
    that a design is not judged on the tracks it was tuned on)."""
    sigma = np.asarray(detector["sigma"], dtype=float)
    rng = np.random.default_rng(seed)
    ip = np.concatenate([rng.laplace(0.0, ip_scale, n_per_class), np.zeros(n_per_class)])
    hits = ip[:, None] + sigma * rng.standard_normal((2 * n_per_class, len(sigma)))
    measured = np.abs(np.asarray(fit(np.asarray(z, dtype=float), hits, sigma)))
    s = detector["n_s"] * np.mean(measured[:n_per_class] > cut)
    b = detector["n_b"] * np.mean(measured[n_per_class:] > cut)
    return float(s / np.sqrt(s + b))


def _near(value, rtol=1e-6):
    def predicate(got):
        try:
            return bool(np.allclose(np.asarray(got, dtype=float), value, rtol=rtol, atol=1e-10))
        except (TypeError, ValueError):
            return False

    return predicate


Z4 = np.array([30.0, 60.0, 90.0, 120.0])
SIGMA4 = np.array([5.0, 5.0, 15.0, 15.0])
HITS = np.array([[20.0, 41.0, 52.0, 90.0], [-3.0, 1.0, -4.0, 2.0]])


def fit_intercepts(fn) -> bool:
    """Exercise 1: fit_intercepts(z, hits, sigma), the weighted straight-line fit at z = 0."""
    cases = [
        Case(
            (Z4, np.stack([5.0 + 0.5 * Z4, -3.0 + 0.0 * Z4]), SIGMA4),
            np.array([5.0, -3.0]),
            "two exact lines",
        ),
        Case(
            (Z4, HITS, SIGMA4),
            np.array([-1.5819672131147584, -3.9262295081967213]),
            "two noisy tracks, pixels 5 µm and strips 15 µm",
            hints={
                _near([-4.5, -3.5]): "that is the unweighted fit: weight each hit by 1 / sigma^2",
                _near([-2.375, -3.25]): "weights 1 / sigma: they must be 1 / sigma^2",
            },
        ),
    ]
    return check("fit_intercepts", fn, cases)


def ip_resolution(fn) -> bool:
    """Exercise 2: ip_resolution(z, sigma), the standard deviation of the fitted intercept."""
    cases = [
        Case(
            (np.linspace(20.0, 100.0, 6), np.full(6, 10.0)),
            9.850066473065525,
            "six equal layers, 20 to 100 mm, 10 µm (the lesson's start)",
        ),
        Case(
            (Z4, SIGMA4),
            8.034250452149774,
            "pixels 5 µm at 30 and 60 mm, strips 15 µm at 90 and 120 mm",
            hints={
                _near(12.24744871391589): "that is the unweighted formula with the mean sigma: "
                "weight each layer by 1 / sigma^2",
            },
        ),
    ]
    return check("ip_resolution", fn, cases)


def predictions(ratio_fn, fit_fn) -> bool:
    """Exercise 3: your prediction against a measurement made with your fit."""
    z, sigma = np.array([30.0, 50.0, 100.0, 150.0]), np.array([5.0, 5.0, 15.0, 15.0])
    try:
        measured = measure_resolution_ratio(fit_fn, z, sigma, 3.0, 1.5, 4)
    except NotImplementedError:
        print("predict_resolution_factor: not implemented yet (finish Exercise 1 first)")
        return False
    hints = {
        _near(0.25): "a longer lever arm also puts the layers further away: the two effects "
        "cancel exactly (look at sigma_IP when every z_i is multiplied by the same number)",
        _near(0.375): "n layers measuring the same thing average their errors: 1 / sqrt(n)",
        _near(1.5): "four copies of each layer are four independent measurements",
    }
    case = Case((3.0, 1.5, 4), measured, "z x 3, sigma x 1.5, 4 copies", rtol=0.03, hints=hints)
    return check("predict_resolution_factor", ratio_fn, [case])


def soft_significance(fn) -> bool:
    """Exercise 4: soft_significance(ip, is_signal, cut, width, n_s, n_b)."""
    ip = np.array([1.0, 50.0, -2.0, -60.0, 0.5, 30.0])
    is_signal = np.array([False, True, False, True, False, True])
    cases = [
        Case(
            (ip, is_signal, -100.0, 1.0, 10.0, 100.0),
            10 / np.sqrt(110),
            "a cut far below every |IP| keeps everything",
        ),
        Case(
            (ip, is_signal, 20.0, 2.0, 10.0, 100.0),
            3.157395401839221,
            "cut 20 µm, width 2 µm",
            rtol=1e-6,
            hints={
                _near(2.2326156995277375): "S and B are N_S times the mean weight of the SIGNAL "
                "tracks and N_B times that of the PROMPT tracks, each mean over its own class",
            },
        ),
    ]
    return check("soft_significance", fn, cases)


def detector_significance(fn) -> bool:
    """Exercise 5: the whole chain on the lab's toy tracks."""
    tracks = toy_tracks(0, 300, 1000, 6)
    start = {"u": np.linspace(-2.0, 2.0, 6), "cut": 30.0}
    cases = [
        Case((start, tracks, DETECTOR), 7.670966465487395, "the lab's tracker, start", rtol=1e-6),
        Case(
            ({"u": np.array([-3.0, -2.5, -2.0, 2.0, 2.5, 3.0]), "cut": 20.0}, tracks, DETECTOR),
            8.26256363976588,
            "layers pushed to the ends, cut 20 µm",
            rtol=1e-6,
        ),
    ]
    return check("detector_significance", fn, cases)


def optimise_design(fn) -> bool:
    """Exercise 6: five Adam steps on the lab's toy tracks (the history, and the cut)."""
    tracks = toy_tracks(0, 300, 1000, 6)

    def run(steps, lr):
        params, history = fn(
            {"u": np.linspace(-2.0, 2.0, 6), "cut": 30.0}, tracks, DETECTOR, steps, lr
        )
        return {"history": np.asarray(history, dtype=float), "cut": float(params["cut"])}

    expected = {
        "history": np.array(
            [
                7.670966465487395,
                7.704492523451192,
                7.712624075028374,
                7.720366415762018,
                7.7263890517222125,
            ]
        ),
        "cut": 29.531608153229982,
    }

    def compare(got, exp):
        return (
            got["history"].shape == exp["history"].shape
            and np.allclose(got["history"], exp["history"], rtol=1e-6)
            and np.isclose(got["cut"], exp["cut"], rtol=1e-3)
        )

    hints = {
        lambda got: got["history"][0] > 7.68: "record the objective BEFORE each update",
        lambda got: got["history"][-1] < got["history"][0]: "Adam minimises: give it the "
        "gradient of -Z",
    }
    case = Case((5, 0.1), expected, "5 steps of Adam, lr 0.1, from the start design", hints=hints)
    return check("optimise_design", run, [case], compare=compare)
