"""Plausible wrong answers to Lab 15 (design optimisation); each must lose marks."""

from lab_wrong_answers import solution_with

LAB = "lab15-design"

WRONG = {
    "fit_intercepts": [
        # the sign of the extrapolation: mean(y) + slope * mean(z)
        solution_with(
            LAB,
            "fit_intercepts",
            "anp.mean(hits, axis=1) - slopes",
            "anp.mean(hits, axis=1) + slopes",
        ),
        # plain numpy on the traced layer positions: right values, but not differentiable
        """
def fit_intercepts(z, hits):
    z = np.asarray(z, dtype=float)
    dz = z - np.mean(z)
    slopes = (hits @ dz) / np.sum(dz * dz)
    return np.mean(hits, axis=1) - slopes * np.mean(z)
""",
    ],
    "ip_resolution": [
        # forgets the extrapolation term: the resolution at the layers' centre
        """
def ip_resolution(z, sigma):
    return float(sigma / np.sqrt(len(z)))
""",
        # the variance instead of the standard deviation
        solution_with(LAB, "ip_resolution", "float(sigma * np.sqrt(", "float(sigma**2 * ("),
    ],
    "soft_significance": [
        # cuts on the signed IP: loses the displaced tracks with negative IP
        solution_with(LAB, "soft_significance", "anp.abs(ip)", "ip"),
        # the width used as the steepness
        solution_with(LAB, "soft_significance", "1.0 / width", "width"),
    ],
    "optimise_design": [
        # minimises the objective (Adam given the gradient of +objective)
        solution_with(LAB, "optimise_design", "lambda p: -objective(p)", "lambda p: objective(p)"),
        # records the value after the update
        """
def optimise_design(objective, params, steps, lr):
    opt = ad.optim.Adam(lr=lr)
    state = opt.init(params)
    history = []
    for _ in range(steps):
        grads = ad.grad(lambda p: -objective(p))(params)
        params, state = opt.update(params, grads, state)
        history.append(float(objective(params)))
    return params, history
""",
    ],
}
