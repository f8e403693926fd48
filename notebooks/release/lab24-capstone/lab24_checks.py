"""Self-checks for Lab 24 (capstone): the VISIBLE checks of each exercise.

Each function runs one exercise's visible checks on your function and prints a report:
which input, what was expected, what you returned, and a hint for the classic mistakes.
Passing them is necessary, not sufficient: the hidden tests use other inputs and other
spectrometers. (The expected values are written out as numbers, so this file holds no
solutions.)

It also holds the lab's data and instruments: ``DETECTOR`` (the spectrometer and the
analysis), ``toy_events`` (simulated events with their random numbers drawn once),
``asimov_nll`` (the statistical model), ``measure_sigma_mu`` (the expected uncertainty on mu
measured from the curvature of the likelihood, by ``ad.hessian``) and ``judge`` (a design
judged with hard cuts on a fresh, large sample, with your yields function).
"""

import numpy as np

import autodiff_lite as ad
import autodiff_lite.numpy as anp
from autodiff_lite.selfcheck import Case, check

# A spectrometer of outer radius r (m) in a solenoid, and a mass-window analysis.
DETECTOR = {
    "r_min": 0.3,  # m: the smallest and largest outer radius allowed
    "r_max": 1.5,
    "pt_per_m": 10.0,  # GeV per m: a track needs pT > pt_per_m * r to reach radius r
    "a": 0.012,  # mass resolution sigma_m / m = sqrt((a / r^2)^2 + c^2)
    "c": 0.007,
    "m0": 100.0,  # GeV: the signal mass, centre of the window
    "n_s": 60.0,  # expected signal events before any selection
    "n_b": 3000.0,  # expected background events before any selection
    "delta_b": 0.1,  # relative uncertainty of the background normalisation
    "edge": 0.5,  # width of the soft edges (GeV for pT and mass)
}


def toy_events(seed, n_sig, n_bkg, detector=DETECTOR):
    """Simulated events, all random numbers drawn once: the first n_sig are signal (true
    mass m0 with a 0.5 GeV natural width), the others background (60 GeV + an exponential
    of scale 40 GeV). Each event's weight is its share of n_s or n_b."""
    rng = np.random.default_rng(seed)
    n = n_sig + n_bkg
    return {
        "m_true": np.concatenate(
            [rng.normal(detector["m0"], 0.5, n_sig), 60.0 + rng.exponential(40.0, n_bkg)]
        ),
        "pt": rng.exponential(12.0, n),  # GeV
        "noise": rng.standard_normal(n),  # the mass measurement's error, in resolutions
        "weight": np.concatenate(
            [np.full(n_sig, detector["n_s"] / n_sig), np.full(n_bkg, detector["n_b"] / n_bkg)]
        ),
        "is_signal": np.arange(n) < n_sig,
    }


def asimov_nll(mu, theta, s, b, r_s, r_b):
    """NLL(mu, theta) of one counting bin on its Asimov data n = s + b (constants dropped):
    lambda = mu s e^(r_s theta) + b e^(r_b theta), a unit Gaussian constraint on theta."""
    n = s + b
    lam = mu * s * anp.exp(r_s * theta) + b * anp.exp(r_b * theta)
    return lam - n * anp.log(lam) + 0.5 * theta**2


def measure_sigma_mu(s, b, r_s, r_b, lumi=1.0):
    """The expected uncertainty on mu, MEASURED: the inverse of the curvature matrix of
    asimov_nll at its minimum (mu, theta) = (1, 0), the curvature taken by ad.hessian."""
    s, b = lumi * float(s), lumi * float(b)
    curvature = ad.hessian(lambda x: asimov_nll(x[0], x[1], s, b, r_s, r_b))(np.array([1.0, 0.0]))
    return float(np.sqrt(np.linalg.inv(curvature)[0, 0]))


def judge(yields_fn, params, detector=DETECTOR, seed=12345, n_sig=20_000, n_bkg=100_000):
    """The real objective of a design: sigma_mu with HARD cuts on a fresh, large sample
    (so that a design is not judged on the events it was tuned on)."""
    events = toy_events(seed, n_sig, n_bkg, detector)
    s, b = yields_fn(params, events, detector, soft=False)
    return measure_sigma_mu(float(s), float(b), 0.0, np.log1p(detector["delta_b"]))


def _near(value, rtol=1e-6):
    def predicate(got):
        try:
            return bool(np.allclose(np.asarray(got, dtype=float), value, rtol=rtol, atol=1e-10))
        except (TypeError, ValueError):
            return False

    return predicate


# The visible tests' expected values, on toy_events(0, 400, 2000) and the start design
# {"u": 0.0, "half_width": 5.0}.
EXPECTED = {
    "window_yields": [28.41434864800887, 148.4640410379074],
    "window_yields_hard": [29.1, 147.0],
    "objective": [0.6834287814729444, 0.46805801109913925],
    "history": [
        0.6834287814729444,
        0.6720209510717017,
        0.6612440646160391,
        0.6507526598500596,
        0.6400905176631339,
    ],
}
START = {"u": 0.0, "half_width": 5.0}


def spectrometer(fn) -> bool:
    """Exercise 1: spectrometer(u, detector) -> (r, rel)."""
    hints = {
        _near([0.9, np.sqrt((0.012 / 0.9) ** 2 + 0.007**2)]): "the curvature term is a / r^2, "
        "not a / r: the sagitta of a track shrinks with the square of the arc",
        _near([0.9, 0.012 / 0.81 + 0.007]): "add the two terms in quadrature: "
        "sqrt((a / r^2)^2 + c^2)",
    }
    cases = [
        Case(
            (0.0, DETECTOR),
            np.array([0.9, 0.0163853208084937]),
            "u = 0: the middle radius",
            hints=hints,
        ),  # fmt: skip
        Case((2.0, DETECTOR), np.array([1.3569564935734588, 0.009564079524718825]), "u = 2"),
    ]

    def run(u, det):
        r, rel = fn(u, det)
        return np.array([float(r), float(rel)])

    return check("spectrometer", run, cases)


def window_yields(fn) -> bool:
    """Exercise 2: window_yields(params, events, detector, soft) on the lab's events."""
    events = toy_events(0, 400, 2000)

    def run(soft):
        s, b = fn(dict(START), events, DETECTOR, soft=soft)
        return np.array([float(s), float(b)])

    hints = {
        lambda got: got[0] > 40: "keep only the events that reach the radius: pT > pt_per_m * r",
    }
    cases = [
        Case(
            (True,), np.array(EXPECTED["window_yields"]), "soft cuts, the start design", hints=hints
        ),  # fmt: skip
        Case(
            (False,),
            np.array(EXPECTED["window_yields_hard"]),
            "hard cuts, the start design",
            hints=hints,
        ),  # fmt: skip
    ]
    return check("window_yields", run, cases)


def sigma_mu(fn) -> bool:
    """Exercise 3: sigma_mu(s, b, r_s, r_b) against the measured curvature."""
    hints = {
        _near(0.4183300132670378): "that is 1 / sqrt(F_mu_mu): theta FIXED at 0. Profiling "
        "takes the (mu, mu) entry of the INVERSE Fisher matrix",
    }
    cases = [
        Case(
            (20.0, 50.0, 0.0, np.log(1.1)),
            0.4814303582446579,
            "s = 20, b = 50, a 10 % background normalisation uncertainty",
            hints=hints,
        ),  # fmt: skip
        Case((20.0, 50.0, 0.0, 0.0), 0.4183300132670378, "no systematic: sqrt(s + b) / s"),
    ]
    return check("sigma_mu", fn, cases)


def predict_sigma_mu(fn) -> bool:
    """Exercise 4: your prediction against the measured curvature at other luminosities."""
    s, b, r_b = 12.0, 40.0, np.log(1.1)
    hints = {
        _near(np.sqrt((s + b) / (100 * s**2))): "that is the statistical part alone: the "
        "systematic's share does not shrink with luminosity",
        _near(np.sqrt((s + b) / (10 * s**2))): "the statistical variance falls as 1 / lumi, "
        "the standard deviation as 1 / sqrt(lumi)",
    }
    cases = [
        Case(
            (s, b, r_b, lumi),
            measure_sigma_mu(s, b, 0.0, r_b, lumi),
            f"lumi x {lumi:g}",
            rtol=1e-4,
            hints=hints,
        )  # fmt: skip
        for lumi in (1.0, 100.0)
    ]
    return check("predict_sigma_mu", fn, cases)


def objective(fn) -> bool:
    """Exercise 5: the start design's sigma_mu, with and without the systematic."""
    events = toy_events(0, 400, 2000)

    def run(systematic):
        return float(fn(dict(START), events, DETECTOR, systematic=systematic))

    cases = [
        Case(
            (True,), EXPECTED["objective"][0], "with the 10 % background uncertainty", rtol=1e-6
        ),  # fmt: skip
        Case((False,), EXPECTED["objective"][1], "systematics-blind: sqrt(s + b) / s", rtol=1e-6),
    ]
    return check("objective", run, cases)


def optimise(fn) -> bool:
    """Exercise 6: five Adam steps on the lab's events (the history)."""
    events = toy_events(0, 400, 2000)

    def run(steps, lr):
        _, history = fn(dict(START), events, DETECTOR, steps, lr)
        return np.asarray(history, dtype=float)

    hints = {
        lambda got: len(got) == 5 and got[0] < EXPECTED["history"][0] - 1e-6: "record the "
        "objective BEFORE each update",
        lambda got: len(got) == 5 and got[-1] > got[0]: "Adam minimises: give it the gradient "
        "of sigma_mu itself",
    }
    case = Case((5, 0.1), np.array(EXPECTED["history"]), "5 steps of Adam, lr 0.1", rtol=1e-6,
                hints=hints)  # fmt: skip
    return check("optimise", run, [case])
