"""Plausible wrong answers to Lab 7 (hard edges); format in ``tests/lab_wrong_answers.py``."""

from lab_wrong_answers import solution_with

LAB = "lab7-hard-edges"

WRONG = {
    "soft_cut_with_grad": [
        # the derivative with respect to x, not t: the sign is flipped
        solution_with(
            LAB,
            "soft_cut_with_grad",
            "return value, -s * value * (1.0 - value)",
            "return value, s * value * (1.0 - value)",
        ),
        # forgets the inner derivative s of s * (x - t)
        solution_with(
            LAB,
            "soft_cut_with_grad",
            "return value, -s * value * (1.0 - value)",
            "return value, -value * (1.0 - value)",
        ),
    ],
    "soft_significance": [
        # s / b instead of s / sqrt(b)
        solution_with(LAB, "soft_significance", "return s / anp.sqrt(b)", "return s / b"),
        # unweighted counts
        solution_with(
            LAB,
            "soft_significance",
            "s = anp.sum(w_sig * ad.relax.soft_cut(sig, cut, steepness))",
            "s = anp.sum(ad.relax.soft_cut(sig, cut, steepness))",
        ),
    ],
    "soft_histogram": [
        # the kernel's CDF the wrong way round: (x - e) / h, so every count is negative
        solution_with(
            LAB,
            "soft_histogram",
            "u = (anp.reshape(edges, (1, -1)) - anp.reshape(x, (-1, 1))) / bandwidth",
            "u = (anp.reshape(x, (-1, 1)) - anp.reshape(edges, (1, -1))) / bandwidth",
        ),
        # forgets the bandwidth: a kernel of scale 1 whatever h is
        solution_with(
            LAB,
            "soft_histogram",
            "u = (anp.reshape(edges, (1, -1)) - anp.reshape(x, (-1, 1))) / bandwidth",
            "u = anp.reshape(edges, (1, -1)) - anp.reshape(x, (-1, 1))",
        ),
    ],
    "reinforce_gradient": [
        # the score with the wrong sign: sigmoid(theta) - b
        solution_with(
            LAB,
            "reinforce_gradient",
            "(np.asarray(b) - p)",
            "(p - np.asarray(b))",
        ),
        # adds the baseline instead of subtracting it
        solution_with(
            LAB,
            "reinforce_gradient",
            "(np.asarray(f_values) - c)",
            "(np.asarray(f_values) + c)",
        ),
    ],
    "predict_reinforce_variance": [
        # the second moment E[g^2]: forgets to subtract the square of the mean
        solution_with(
            LAB,
            "predict_reinforce_variance",
            "p * heads**2 + (1.0 - p) * tails**2 - mean**2",
            "p * heads**2 + (1.0 - p) * tails**2",
        ),
        # the usual guess for the best baseline, E[f], is not the minimiser
        solution_with(
            LAB,
            "predict_reinforce_variance",
            "return float((1.0 - p) * f1 + p * f0)",
            "return float(p * f1 + (1.0 - p) * f0)",
        ),
        # the score taken as b - 1/2 (the derivative at theta = 0 only)
        solution_with(
            LAB,
            "predict_reinforce_variance",
            "heads, tails = (f1 - baseline) * (1.0 - p), -(f0 - baseline) * p",
            "heads, tails = (f1 - baseline) * 0.5, -(f0 - baseline) * 0.5",
        ),
    ],
}
