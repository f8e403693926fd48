"""Plausible wrong answers to Lab 12 (systematics-aware optimisation); format in
``tests/lab_wrong_answers.py``."""

from lab_wrong_answers import solution_with

LAB = "lab12-systematics"

WRONG = {
    "nll": [
        # constrains only the first nuisance parameter
        solution_with(LAB, "nll", "0.5 * anp.sum(thetas**2)", "0.5 * thetas[0] ** 2"),
        # adds the variations linearly instead of multiplying them
        solution_with(
            LAB,
            "nll",
            "expected = mu * s + b * anp.exp(pull)",
            "expected = mu * s + b + anp.sum(thetas[:, None] * (b_ups - b), axis=0)",
        ),
        # sums over the bins where the sum runs over the effects (fine only for K = bins)
        solution_with(
            LAB,
            "nll",
            "pull = anp.sum(thetas[:, None] * log_ratios, axis=0)",
            "pull = anp.sum(thetas[:, None] * log_ratios, axis=1)",
        ),
    ],
    "profile_thetas": [
        # a single Newton step from 0
        solution_with(LAB, "profile_thetas", "for _ in range(50):", "for _ in range(1):").replace(
            'raise RuntimeError("profile_thetas: Newton\'s method did not converge in 50 steps")',
            "return thetas",
        ),
        # each theta profiled on its own, the others held at 0
        """
def profile_thetas(s, b, b_ups, n, mu=0.0):
    out = []
    for row in b_ups:
        d1 = ad.grad(lambda th: nll(mu, th, s, b, row[None, :], n))
        d2 = ad.hessian(lambda th: nll(mu, th, s, b, row[None, :], n))
        th = np.zeros(1)
        for _ in range(50):
            step = np.linalg.solve(d2(th), d1(th))
            th = th - step
            if abs(step[0]) < 1e-12:
                break
        out.append(th[0])
    return np.array(out)
""",
        # fits at mu = 0 whatever mu it is given
        solution_with(
            LAB,
            "profile_thetas",
            "return nll(mu, th, s, b, b_ups, n)",
            "return nll(0.0, th, s, b, b_ups, n)",
        ),
    ],
    "asimov_z": [
        # no profiling: thetas kept at 0 under mu = 0
        solution_with(
            LAB,
            "asimov_z",
            "thetas_hat = profile_thetas(*constants)",
            "thetas_hat = np.zeros(np.shape(constants[2])[0])",
        ),
        # forgets the factor 2 of q0
        solution_with(LAB, "asimov_z", "anp.sqrt(2 * (", "anp.sqrt(("),
        # the gradient stopped on the best-fit term too: the value is right, the gradient wrong
        solution_with(
            LAB,
            "asimov_z",
            "best_fit = nll(1.0, np.zeros_like(thetas_hat), s, b, b_ups, n)",
            "best_fit = ad.stop_gradient(nll(1.0, np.zeros_like(thetas_hat), s, b, b_ups, n))",
        ),
    ],
    "predict_sigma_mu": [
        # the nuisance parameters held fixed: 1 / sqrt(I_mu_mu)
        solution_with(
            LAB,
            "predict_sigma_mu",
            "return float(np.sqrt(covariance[0, 0]))",
            "return float(1 / np.sqrt(fisher[0, 0]))",
        ),
        # no constraint terms
        solution_with(LAB, "predict_sigma_mu", "fisher[1:, 1:] += np.eye(len(r))", "pass"),
        # b where b r belongs
        solution_with(
            LAB,
            "predict_sigma_mu",
            "slopes = np.vstack([s, b * r])",
            "slopes = np.vstack([s, b + 0 * r])",
        ),
    ],
    "window_yields": [
        # the peaking background forgotten in b
        solution_with(LAB, "window_yields", "return s, nominal + peaking,", "return s, nominal,"),
        # the normalisation variation applied to the whole background
        solution_with(
            LAB,
            "window_yields",
            'more_peaking = nominal + spec["peak_up"] * peaking',
            'more_peaking = spec["peak_up"] * (nominal + peaking)',
        ),
        # the first variation forgets the peaking background
        solution_with(
            LAB,
            "window_yields",
            'slope_up = continuum(spec["scale_up"]) + peaking',
            'slope_up = continuum(spec["scale_up"])',
        ),
    ],
    "optimise_window": [
        # descends instead of ascending
        solution_with(LAB, "optimise_window", "-uphill(edges)", "uphill(edges)"),
        # maximises the significance without the systematics (b_ups replaced by b)
        solution_with(
            LAB,
            "optimise_window",
            "return asimov_z(*window_yields(edges[0], edges[1], spec))",
            "s, b, _ = window_yields(edges[0], edges[1], spec)\n"
            "        return asimov_z(s, b, anp.stack([b]))",
        ),
        # moves the lower edge only
        solution_with(
            LAB,
            "optimise_window",
            "edges, adam_state = adam.update(edges, -uphill(edges), adam_state)",
            "edges, adam_state = adam.update(edges, -uphill(edges) * (1, 0), adam_state)",
        ),
    ],
}
