"""Plausible wrong answers to Lab 11 (debugging gradients and training); see lab_wrong_answers."""

from lab_wrong_answers import solution_with

LAB = "lab11-debugging"

WRONG = {
    "worst_relative_error": [
        # a one-sided (forward) difference: accurate to h, not h**2
        solution_with(
            LAB,
            "worst_relative_error",
            "numeric[i] = (f(x + e) - f(x - e)) / (2 * h)",
            "numeric[i] = (f(x + e) - f(x)) / h",
        ),
        # the absolute error |a - n|: depends on the size of f
        solution_with(
            LAB,
            "worst_relative_error",
            "rel = np.abs(analytic - numeric) / scale",
            "rel = np.abs(analytic - numeric)",
        ),
    ],
    "predict_checker_error": [
        # the h**2 / 2 of e^{ch} kept for the central difference too (the cancellation missed)
        solution_with(LAB, "predict_checker_error", "return ch**2 / 6", "return ch**2 / 2"),
        # the forward difference's error taken as (ch)**2 / 2: the order of the central one
        solution_with(LAB, "predict_checker_error", "return ch / 2", "return ch**2 / 2"),
        # the step alone, without the scale c of the function
        solution_with(LAB, "predict_checker_error", "ch = c * h", "ch = h"),
    ],
    "diagnose": [
        # the ratio the wrong way round: order -2 for a right gradient
        solution_with(
            LAB,
            "diagnose",
            "order = float(np.log2(coarse / fine))",
            "order = float(np.log2(fine / coarse))",
        ),
        # a fixed threshold on the error instead of its order
        solution_with(
            LAB,
            "diagnose",
            '    if order > 1.5:\n        return order, "noise"',
            '    if coarse < 1e-3:\n        return order, "noise"',
        ),
        # the error at a step 10 times smaller, but the order computed as if it were h / 2
        solution_with(
            LAB,
            "diagnose",
            "worst_relative_error(f, grad_f, x, h / 2)",
            "worst_relative_error(f, grad_f, x, h / 10)",
        ),
    ],
    "fixed_rules": [
        # cumsum left as given (a running sum from the start, not to the end)
        solution_with(
            LAB,
            "fixed_rules",
            "return total - anp.cumsum(g, axis=-1) + g",
            "return anp.cumsum(g, axis=-1)",
        ),
        # the reversed cumsum off by one: leaves out g_j itself
        solution_with(
            LAB,
            "fixed_rules",
            "return total - anp.cumsum(g, axis=-1) + g",
            "return total - anp.cumsum(g, axis=-1)",
        ),
        # logsumexp left as given (its bug is silent on square inputs and on 1-D ones)
        solution_with(
            LAB,
            "fixed_rules",
            "return g[..., None] * anp.exp(x - ans[..., None])",
            "return g * anp.exp(x - ans)",
        ),
        # rms_norm: 1/n put in, but r squared instead of cubed
        solution_with(LAB, "fixed_rules", "/ (n * r**3)", "/ (n * r**2)"),
    ],
    "clip_by_global_norm": [
        # each leaf clipped by its own norm: changes the direction of the whole gradient
        """
def clip_by_global_norm(grads, max_norm):
    if not max_norm > 0:
        raise ValueError(f"max_norm must be positive, got {max_norm}")

    def clip(leaf):
        norm = np.linalg.norm(leaf)
        return leaf * min(1.0, max_norm / norm) if norm > 0 else leaf

    leaves = ad.tree_leaves(grads)
    norm = float(np.sqrt(sum(np.sum(leaf**2) for leaf in leaves)))
    return ad.tree_map(clip, grads), norm
""",
        # always rescales to max_norm, also a gradient that is already short enough
        solution_with(
            LAB,
            "clip_by_global_norm",
            "scale = min(1.0, max_norm / norm) if norm > 0 else 1.0",
            "scale = max_norm / norm if norm > 0 else 1.0",
        ),
    ],
    "largest_stable_step": [
        # power iteration from the vector of ones: misses a top eigenvector orthogonal to it
        solution_with(
            LAB,
            "largest_stable_step",
            "v = rng.standard_normal(np.shape(w))",
            "v = np.ones(np.shape(w))",
        ),
        # the step 1 / lam_max (the best step for the top direction), not the stability limit
        solution_with(LAB, "largest_stable_step", "return lam, 2.0 / lam", "return lam, 1.0 / lam"),
    ],
}
