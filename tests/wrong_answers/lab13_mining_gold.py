"""Plausible wrong answers to Lab 13 (mining gold); format in ``tests/lab_wrong_answers.py``."""

from lab_wrong_answers import solution_with

LAB = "lab13-mining-gold"

WRONG = {
    "log_joint": [
        # a Gamma with rate e^theta instead of scale e^theta
        solution_with(LAB, "log_joint", "u = z * anp.exp(-theta)", "u = z * anp.exp(theta)"),
        # the lesson's detector: the width forgets its exp(c * theta)
        solution_with(
            LAB,
            "log_joint",
            "width = (0.1 + 0.2 * z) * anp.exp(c * theta)",
            "width = 0.1 + 0.2 * z",
        ),
        # forgets the -log w of the Gaussian's normalisation
        solution_with(LAB, "log_joint", " - anp.log(width)", ""),
    ],
    "joint_score": [
        # the derivative with respect to z, not theta
        """
def joint_score(theta, x, z, k=K, c=C):
    return ad.grad(lambda zz: anp.sum(log_joint(theta, x, zz, k, c)))(z)
""",
        # one number for all events: the score at the mean parameter
        """
def joint_score(theta, x, z, k=K, c=C):
    th = float(np.mean(theta))
    return ad.grad(lambda t: anp.sum(log_joint(t, x, z, k, c)))(th)
""",
        # ignores k and c (always the lab's simulator)
        """
def joint_score(theta, x, z, k=K, c=C):
    return ad.grad(lambda th: anp.sum(log_joint(th, x, z)))(theta)
""",
    ],
    "predict_score_variance": [
        # the lesson's simulator: no resolution term
        solution_with(
            LAB, "predict_score_variance", "from_resolution = 2 * c**2", "from_resolution = 0"
        ),
        # c^2 instead of 2 c^2 (the variance of v^2 taken as 1)
        solution_with(
            LAB, "predict_score_variance", "from_resolution = 2 * c**2", "from_resolution = c**2"
        ),
        # the variance of one score, not of the average of n
        solution_with(
            LAB,
            "predict_score_variance",
            "return (from_energy + from_resolution) / n",
            "return from_energy + from_resolution",
        ),
        # estimated by a small simulation instead of predicted
        """
def predict_score_variance(k, c, n):
    x, z = simulate(np.full(200 * n, 0.0), np.random.default_rng(0), k, c)
    t = np.asarray(joint_score(np.zeros(x.shape), x, z, k, c))
    return float(np.var(t.reshape(200, n).mean(axis=1)))
""",
    ],
    "true_log_r": [
        # the mean of the log joint over the grid instead of the log of the sum
        solution_with(
            LAB,
            "true_log_r",
            "return anp.logsumexp(on_grid, axis=1)",
            "return anp.mean(on_grid, axis=1)",
        ),
        # log p(x | theta) without the reference theta = 0
        solution_with(
            LAB,
            "true_log_r",
            "return np.asarray(log_evidence(theta) - log_evidence(np.zeros_like(x)))",
            "return np.asarray(log_evidence(theta))",
        ),
    ],
    "cascal_loss": [
        # the score term on the reference events x0 instead of x1
        solution_with(
            LAB,
            "cascal_loss",
            "return anp.sum(net(params, x1, th))",
            "return anp.sum(net(params, x0, th))",
        ),
        # swapped labels
        solution_with(
            LAB,
            "cascal_loss",
            "anp.mean(ad.nn.softplus(-logits_1)) + anp.mean(ad.nn.softplus(logits_0))",
            "anp.mean(ad.nn.softplus(logits_1)) + anp.mean(ad.nn.softplus(-logits_0))",
        ),
        # alpha forgotten
        solution_with(LAB, "cascal_loss", "classify + alpha * anp.mean", "classify + anp.mean"),
    ],
    "train_estimator": [
        # alpha ignored: always CARL
        solution_with(
            LAB,
            "train_estimator",
            "loss_grad(params, *data, alpha)",
            "loss_grad(params, *data, 0.0)",
        ),
        # the scores taken at theta = 0, not at each event's theta
        solution_with(
            LAB,
            "train_estimator",
            "joint_score(thetas, x_signal, z_signal)",
            "joint_score(np.zeros(n_pairs), x_signal, z_signal)",
        ),
        # reference events simulated at theta_i: the classifier cannot tell them apart
        solution_with(
            LAB,
            "train_estimator",
            "x_reference, _ = simulate(np.zeros(n_pairs), gen)",
            "x_reference, _ = simulate(thetas, gen)",
        ),
    ],
}
WRONG["estimator_error"] = [
    # the root of the mean square
    solution_with(
        LAB,
        "estimator_error",
        "return float(np.mean(residual**2))",
        "return float(np.sqrt(np.mean(residual**2)))",
    ),
    # test events all simulated at theta = 0
    solution_with(
        LAB,
        "estimator_error",
        "x_test, _ = simulate(theta_test, draw)",
        "x_test, _ = simulate(0 * theta_test, draw)",
    ),
]
