"""Plausible wrong answers to Lab 12 (systematics-aware optimisation); format in
``tests/lab_wrong_answers.py``."""

from lab_wrong_answers import solution_with

LAB = "lab12-systematics"

WRONG = {
    "nll": [
        # forgets the constraint term of the nuisance parameter
        solution_with(LAB, "nll", " + 0.5 * theta**2", ""),
        # linear interpolation instead of the exponential one
        solution_with(
            LAB,
            "nll",
            "lam = mu * s + b * anp.exp(theta * anp.log(b_up / b))",
            "lam = mu * s + b + theta * (b_up - b)",
        ),
    ],
    "profile_theta": [
        # a single Newton step from theta = 0
        solution_with(LAB, "profile_theta", "for _ in range(100):", "for _ in range(1):"),
        # fits at mu = 0 whatever mu it is given
        solution_with(
            LAB,
            "profile_theta",
            "step = float(d1(mu, theta, s, b, b_up, n) / d2(mu, theta, s, b, b_up, n))",
            "step = float(d1(0.0, theta, s, b, b_up, n) / d2(0.0, theta, s, b, b_up, n))",
        ),
    ],
    "asimov_z": [
        # no profiling: theta kept at 0 under mu = 0 (the significance without the systematic)
        solution_with(
            LAB,
            "asimov_z",
            "theta = profile_theta(*(ad.stop_gradient(v) for v in (s, b, b_up, n)))",
            "theta = 0.0",
        ),
        # forgets the factor 2 of q0
        solution_with(LAB, "asimov_z", "q0 = 2 * (", "q0 = ("),
    ],
    "optimise_cut": [
        # maximises the significance without the systematic (b_up replaced by b)
        solution_with(
            LAB,
            "optimise_cut",
            "grad_z = ad.grad(lambda t: asimov_z(*yields_fn(t)))",
            "grad_z = ad.grad(lambda t: asimov_z(*yields_fn(t)[:2], yields_fn(t)[1]))",
        ),
        # descends instead of ascending
        solution_with(LAB, "optimise_cut", "-grad_z(t)", "grad_z(t)"),
    ],
}
