"""Plausible wrong answers to Lab 24 (capstone); format in ``tests/lab_wrong_answers.py``."""

from lab_wrong_answers import solution_with

LAB = "lab24-capstone"

WRONG = {
    "spectrometer": [
        # the curvature term as a / r: the resolution improves too slowly with the radius
        solution_with(LAB, "spectrometer", 'detector["a"] / (r * r)', 'detector["a"] / r'),
        # the two terms added linearly instead of in quadrature
        solution_with(
            LAB,
            "spectrometer",
            'rel = anp.sqrt(curvature_term**2 + detector["c"] ** 2)',
            'rel = curvature_term + detector["c"]',
        ),
    ],
    "window_yields": [
        # the window on the true mass: the detector's resolution never enters
        solution_with(
            LAB,
            "window_yields",
            'mass = events["m_true"] * (1.0 + rel * events["noise"])',
            'mass = events["m_true"] + 0.0 * rel',
        ),
        # the acceptance forgotten: every track reaches the outer radius
        solution_with(
            LAB,
            "window_yields",
            'kept = events["weight"] * reaches * inside',
            'kept = events["weight"] * inside',
        ),
        # pT > k / r: a larger radius would accept more
        solution_with(
            LAB,
            "window_yields",
            'pt_needed = detector["pt_per_m"] * r',
            'pt_needed = detector["pt_per_m"] / r',
        ),
    ],
    "sigma_mu": [
        # 1 / sqrt(F_mu_mu): theta fixed, not profiled
        solution_with(
            LAB, "sigma_mu", "return anp.sqrt(f_tt / det)", "return 1.0 / anp.sqrt(f_mm)"
        ),
        # the constraint term forgotten: theta unconstrained
        solution_with(
            LAB,
            "sigma_mu",
            "f_tt = dlam_dtheta * dlam_dtheta / expected + 1.0",
            "f_tt = dlam_dtheta * dlam_dtheta / expected + 1e-9",
        ),
        # right value, but float() cuts the gradient
        solution_with(
            LAB, "sigma_mu", "return anp.sqrt(f_tt / det)", "return float(np.sqrt(f_tt / det))"
        ),
    ],
    "predict_sigma_mu": [
        # "more data always helps as 1/sqrt(L)": the systematic floor scaled away too
        solution_with(
            LAB,
            "predict_sigma_mu",
            "return np.sqrt(statistical + floor)",
            "return np.sqrt(statistical + floor / lumi)",
        ),
        # only the statistical part
        solution_with(
            LAB,
            "predict_sigma_mu",
            "return np.sqrt(statistical + floor)",
            "return np.sqrt(statistical)",
        ),
        # the floor added to the standard deviation, not to the variance
        solution_with(
            LAB,
            "predict_sigma_mu",
            "return np.sqrt(statistical + floor)",
            "return np.sqrt(statistical) + np.sqrt(floor)",
        ),
    ],
    "objective": [
        # the relative uncertainty itself as r_b, not log(1 + delta_b)
        solution_with(
            LAB, "objective", 'r_b = np.log1p(detector["delta_b"])', 'r_b = detector["delta_b"]'
        ),
        # the systematic always on
        solution_with(LAB, "objective", "r_b = 0.0", 'r_b = np.log1p(detector["delta_b"])'),
    ],
    "optimise": [
        # the history recorded after the update
        solution_with(
            LAB,
            "optimise",
            "        history.append(float(loss))\n"
            "        params, adam_state = adam.update(params, grads, adam_state)",
            "        params, adam_state = adam.update(params, grads, adam_state)\n"
            "        history.append(float(objective(params, events, detector, systematic)))",
        ),
        # the systematic flag dropped: both runs optimise the blind proxy
        solution_with(
            LAB,
            "optimise",
            "objective(p, events, detector, systematic=systematic)",
            "objective(p, events, detector, systematic=False)",
        ),
        # gradient ascent: Adam given the negated gradient
        solution_with(
            LAB,
            "optimise",
            "params, adam_state = adam.update(params, grads, adam_state)",
            "params, adam_state = adam.update(\n"
            "            params, ad.tree_map(lambda g: -g, grads), adam_state\n        )",
        ),
    ],
}
