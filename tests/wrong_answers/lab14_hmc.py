"""Plausible wrong answers to Lab 14 (Hamiltonian Monte Carlo); format in
``tests/lab_wrong_answers.py``."""

from lab_wrong_answers import solution_with

LAB = "lab14-hmc"

WRONG = {
    "leapfrog": [
        # symplectic Euler: a full kick, then a drift, n times (first order, not reversible)
        """
def leapfrog(q, p, step_size, n_steps, grad_fn):
    for _ in range(n_steps):
        p = p + step_size * grad_fn(q)
        q = q + step_size * p
    return q, p
""",
        # right values, but the gradient is computed twice per step (2 n calls, not n + 1)
        solution_with(
            LAB,
            "leapfrog",
            "        p = p + half * force  # half kick\n        q = q",
            "        p = p + half * grad_fn(q)  # half kick\n        q = q",
        ),
        # forgets the last half kick of each step
        solution_with(
            LAB, "leapfrog", "        p = p + half * force  # half kick\n    return", "    return"
        ),
    ],
    "predict_leapfrog": [
        # first order: the ratio of the steps
        solution_with(LAB, "predict_leapfrog", "float(shrink) ** 2", "float(shrink)"),
        # third order: the local (one-step) error, not the error over a trajectory
        solution_with(LAB, "predict_leapfrog", "float(shrink) ** 2", "float(shrink) ** 3"),
        # the largest diagonal entry instead of the largest eigenvalue
        solution_with(
            LAB,
            "predict_leapfrog",
            "np.linalg.eigvalsh(precision).max()",
            "np.max(np.diag(precision))",
        ),
        # the widest direction instead of the stiffest
        solution_with(
            LAB,
            "predict_leapfrog",
            "np.linalg.eigvalsh(precision).max()",
            "np.linalg.eigvalsh(precision).min()",
        ),
        # forgets the factor 2: one sd of the narrowest direction
        solution_with(LAB, "predict_leapfrog", "return 2.0 / omega_max", "return 1.0 / omega_max"),
    ],
    "hmc_chain": [
        # the energy difference the wrong way round
        solution_with(
            LAB,
            "hmc_chain",
            "< h_start - h_end:",
            "< h_end - h_start:",
        ),
        # forgets the kinetic energy: accepts on the log-density alone
        solution_with(
            LAB,
            "hmc_chain",
            "< h_start - h_end:",
            "< log_p_end - log_p:",
        ),
        # records only the accepted states
        solution_with(
            LAB,
            "hmc_chain",
            "            n_accepted += 1\n        chain.append(q)",
            "            n_accepted += 1\n            chain.append(q)",
        ),
        # no jitter drawn: the replayed chain goes elsewhere
        solution_with(
            LAB,
            "hmc_chain",
            "eps = step_size * rng.uniform(1.0 - jitter, 1.0 + jitter)",
            "eps = step_size",
        ),
    ],
    "effective_sample_size": [
        # sums the estimated autocorrelations over all lags
        """
def effective_sample_size(x):
    x = np.asarray(x, dtype=float)
    n = len(x)
    c = x - x.mean()
    acov = np.correlate(c, c, mode="full")[n - 1 :] / n
    rho = acov / acov[0]
    return n / (1 + 2 * np.sum(rho[1:]))
""",
        # no correction at all: the number of draws
        """
def effective_sample_size(x):
    return float(len(x))
""",
    ],
    "random_walk_metropolis": [
        # evaluates the current state again at every step (2 N + 1 density calls)
        solution_with(
            LAB,
            "random_walk_metropolis",
            "< log_p_candidate - log_p:",
            "< log_p_candidate - log_density(q):",
        ),
        # records only the accepted states
        solution_with(
            LAB,
            "random_walk_metropolis",
            "            n_accepted += 1\n        chain.append(q)",
            "            n_accepted += 1\n            chain.append(q)",
        ),
        # the ratio the wrong way round
        solution_with(
            LAB,
            "random_walk_metropolis",
            "< log_p_candidate - log_p:",
            "< log_p - log_p_candidate:",
        ),
    ],
    "make_ar1_target": [
        # forgets that the innovations have variance 1 - rho^2
        solution_with(
            LAB, "make_ar1_target", "inv_sd = 1.0 / np.sqrt(1.0 - rho**2)", "inv_sd = 1.0"
        ),
        # an independent Gaussian: ignores the correlation
        solution_with(
            LAB,
            "make_ar1_target",
            "innovations = (q[1:] - rho * q[:-1]) * inv_sd",
            "innovations = q[1:]",
        ),
    ],
}
