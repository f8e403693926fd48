"""Plausible wrong answers to Lab 15 (design optimisation); format in
``tests/lab_wrong_answers.py``."""

from lab_wrong_answers import solution_with

LAB = "lab15-design"

WRONG = {
    "fit_intercepts": [
        # the unweighted fit of the lesson: every layer counts the same
        solution_with(LAB, "fit_intercepts", "w = 1.0 / sigma**2", "w = 1.0 + 0.0 * sigma"),
        # weights 1 / sigma instead of 1 / sigma^2
        solution_with(LAB, "fit_intercepts", "w = 1.0 / sigma**2", "w = 1.0 / sigma"),
    ],
    "ip_resolution": [
        # right values, but float() cuts the gradient
        solution_with(
            LAB,
            "ip_resolution",
            "return anp.sqrt(1.0 / total + z_c**2 / spread)",
            "return float(np.sqrt(1.0 / total + z_c**2 / spread))",
        ),
        # the variance, not the standard deviation
        solution_with(
            LAB,
            "ip_resolution",
            "return anp.sqrt(1.0 / total + z_c**2 / spread)",
            "return 1.0 / total + z_c**2 / spread",
        ),
        # forgets the error of the mean: only the extrapolation term
        solution_with(
            LAB,
            "ip_resolution",
            "return anp.sqrt(1.0 / total + z_c**2 / spread)",
            "return anp.sqrt(z_c**2 / spread)",
        ),
    ],
    "predict_resolution_factor": [
        # "a longer lever arm is better": divides by the scale
        solution_with(
            LAB,
            "predict_resolution_factor",
            "return sigma_factor / np.sqrt(copies)",
            "return sigma_factor / (scale * np.sqrt(copies))",
        ),
        # copies divide the error, not its square
        solution_with(
            LAB,
            "predict_resolution_factor",
            "return sigma_factor / np.sqrt(copies)",
            "return sigma_factor / copies",
        ),
        # ignores the copies
        solution_with(
            LAB,
            "predict_resolution_factor",
            "return sigma_factor / np.sqrt(copies)",
            "return sigma_factor + 0 * copies",
        ),
    ],
    "soft_significance": [
        # means over all the tracks instead of over each class
        solution_with(
            LAB,
            "soft_significance",
            "efficiency_s = anp.sum(keep * signal) / np.sum(signal)",
            "efficiency_s = anp.sum(keep * signal) / len(signal)",
        ),
        # S / (S + B): forgets the square root
        solution_with(LAB, "soft_significance", "s / anp.sqrt(b + s)", "s / (b + s)"),
    ],
    "detector_significance": [
        # the hit noise not scaled by the layer's resolution
        solution_with(
            LAB,
            "detector_significance",
            'hits = truth + detector["sigma"] * tracks["noise"]',
            'hits = truth + tracks["noise"]',
        ),
        # forgets z_min: layers anywhere between 0 and z_max - z_min
        solution_with(
            LAB,
            "detector_significance",
            "return low + (high - low) * ad.relax.sigmoid(u)",
            "return (high - low) * ad.relax.sigmoid(u)",
        ),
        # the inverse map forgets the -log(1 - f) of the logit
        solution_with(
            LAB,
            "detector_significance",
            "return np.log(fraction) - np.log1p(-fraction)",
            "return np.log(fraction)",
        ),
    ],
    "optimise_design": [
        # records Z after the update
        solution_with(
            LAB,
            "optimise_design",
            "        z_history.append(-float(value))\n"
            "        params, adam_state = adam.update(params, grads, adam_state)",
            "        params, adam_state = adam.update(params, grads, adam_state)\n"
            "        z_history.append(float(detector_significance(params, tracks, detector)))",
        ),
        # gives Adam the gradient of +Z: minimises the significance
        solution_with(
            LAB,
            "optimise_design",
            "return -detector_significance(p, tracks, detector)",
            "return detector_significance(p, tracks, detector)",
        ),
    ],
}
