"""Plausible wrong answers to Lab 20 (matrix elements); format in ``tests/lab_wrong_answers.py``."""

from lab_wrong_answers import solution_with

LAB = "lab20-matrix-elements"

WRONG = {
    "make_msq": [
        # no interference: the squared moduli of the exchanges added, not the square of the sum
        """
def make_msq(exchanges):
    def msq(theta, s, cos_theta):
        total = 0.0
        for h in ("LL", "LR", "RL", "RR"):
            shape = (1 + cos_theta) ** 2 if h[0] == h[1] else (1 - cos_theta) ** 2
            for ex in exchanges:
                a, b = ex["couplings"].get(h, (0.0, 0.0))
                g = a + b * theta
                if ex["mass"] is None:
                    re, im = s / LAMBDA**2, 0.0
                else:
                    den = (s - ex["mass"] ** 2) ** 2 + (ex["mass"] * ex["width"]) ** 2
                    re, im = s * (s - ex["mass"] ** 2) / den, -s * ex["mass"] * ex["width"] / den
                total = total + g**2 * (re**2 + im**2) * shape
        return (4 * np.pi * ALPHA) ** 2 / 4 * total

    return msq
""",
        # forgets the width: the propagator is real
        solution_with(
            LAB,
            "make_msq",
            "denominator = (s - mass**2) ** 2 + (mass * width) ** 2",
            "denominator = (s - mass**2) ** 2 + 1e-300",
        ),
        # the angular factors swapped between same and opposite helicities
        solution_with(
            LAB, "make_msq", "same_helicity = h[0] == h[1]", "same_helicity = h[0] != h[1]"
        ),
        # the spin average 1/4 forgotten
        solution_with(
            LAB,
            "make_msq",
            "return (4 * np.pi * ALPHA) ** 2 / 4 * summed",
            "return (4 * np.pi * ALPHA) ** 2 * summed",
        ),
        # reads the lab's PROCESS instead of its argument
        solution_with(LAB, "make_msq", "for exchange in exchanges:", "for exchange in PROCESS:"),
    ],
    "sigma_mc": [
        # the volume of the full range, 2, instead of 2 * cut
        solution_with(LAB, "sigma_mc", "volume = 2 * cut", "volume = 2"),
        # samples over the full range [-1, 1]
        solution_with(
            LAB,
            "sigma_mc",
            "uniform(-cut, cut, n)",
            "uniform(-1.0, 1.0, n)",
        ),
        # not differentiable: np.mean turns the traced values into a plain number
        """
def sigma_mc(theta, n, cut=CUT, seed=0):
    angles = np.random.default_rng(seed).uniform(-cut, cut, n)
    values = dsigma_dcos(float(theta), angles)
    return 2 * cut * float(np.mean(values))
""",
    ],
    "predict_n_samples": [
        # the photon's shape 1 + c^2 (the lesson's process), not (1 + c)^2
        """
def predict_n_samples(eps, cut):
    second = 1 + cut**2 / 3
    fourth = 1 + 2 * cut**2 / 3 + cut**4 / 5
    return (fourth / second**2 - 1) / eps**2
""",
        # forgets the cut: the full range
        """
def predict_n_samples(eps, cut):
    return 0.8 / eps**2
""",
        # V / eps instead of V / eps^2
        solution_with(
            LAB,
            "predict_n_samples",
            "return relative_variance / eps**2",
            "return relative_variance / eps",
        ),
    ],
    "joint_score": [
        # forgets the normalisation term
        solution_with(LAB, "joint_score", "return rate_part - slope / total", "return rate_part"),
        # d sigma / d theta instead of d log sigma / d theta
        solution_with(
            LAB, "joint_score", "return rate_part - slope / total", "return rate_part - slope"
        ),
        # one number for all events: the gradient with a shared theta
        """
def joint_score(theta, z, cut=CUT):
    z = np.asarray(z, dtype=float)
    shared = ad.grad(lambda th: anp.sum(anp.log(dsigma_dcos(th, z))))(float(theta))
    total, slope = ad.value_and_grad(sigma_mc)(float(theta), 200000, cut, 0)
    return shared - slope / total
""",
    ],
    "measure_theta": [
        # the coefficients in np.polyfit's order (highest power first)
        solution_with(
            LAB,
            "measure_theta",
            "design = np.vander(np.asarray(x, dtype=float), degree + 1, increasing=True)",
            "design = np.vander(np.asarray(x, dtype=float), degree + 1)",
        ),
        # forgets to divide by the Fisher information: a score shift is not a parameter shift
        solution_with(
            LAB,
            "measure_theta",
            "return 0.0 + float(shift / np.var(fitted(x_sim)))",
            "return 0.0 + float(shift)",
        ),
        # steps against the score: theta0 - shift / I
        solution_with(
            LAB,
            "measure_theta",
            "return 0.0 + float(shift / np.var(fitted(x_sim)))",
            "return 0.0 - float(shift / np.var(fitted(x_sim)))",
        ),
    ],
}
