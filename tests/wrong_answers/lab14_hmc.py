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
        # forgets the final half kick
        solution_with(
            LAB,
            "leapfrog",
            "    p = p + 0.5 * step_size * grad_fn(q)\n    return q, p",
            "    return q, p",
        ),
    ],
    "hmc_step": [
        # the energy difference the wrong way round
        solution_with(LAB, "hmc_step", "< h_old - h_new", "< h_new - h_old"),
        # forgets the kinetic energy: accepts on the log-density alone
        solution_with(
            LAB,
            "hmc_step",
            "if np.log(rng.uniform()) < h_old - h_new:",
            "if np.log(rng.uniform()) < log_density(q_new) - log_density(q):",
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
}
