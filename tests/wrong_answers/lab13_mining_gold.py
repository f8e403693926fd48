"""Plausible wrong answers to Lab 13 (mining gold); format in ``tests/lab_wrong_answers.py``."""

from lab_wrong_answers import solution_with

LAB = "lab13-mining-gold"

WRONG = {
    "log_joint": [
        # an exponential with rate e^theta instead of mean e^theta
        solution_with(
            LAB,
            "log_joint",
            "log_p_z = -theta - z * anp.exp(-theta)",
            "log_p_z = theta - z * anp.exp(theta)",
        ),
        # forgets the -log sigma(z) of the Gaussian's normalisation
        solution_with(LAB, "log_joint", " - anp.log(sigma)", ""),
    ],
    "joint_score": [
        # the derivative with respect to z, not theta
        """
def joint_score(theta, x, z):
    return ad.grad(lambda zz: anp.sum(log_joint(theta, x, zz)))(z)
""",
        # one number for all events: the score of the mean parameter
        """
def joint_score(theta, x, z):
    return ad.grad(lambda th: anp.sum(log_joint(th, x, z)))(float(np.mean(theta)))
""",
    ],
    "cascal_loss": [
        # the score term on the reference events x0 instead of x1
        solution_with(
            LAB,
            "cascal_loss",
            "score_hat = ad.grad(lambda th: anp.sum(net(params, x1, th)))(theta)",
            "score_hat = ad.grad(lambda th: anp.sum(net(params, x0, th)))(theta)",
        ),
        # swapped labels
        solution_with(
            LAB,
            "cascal_loss",
            "anp.mean(ad.nn.softplus(-net(params, x1, theta)))",
            "anp.mean(ad.nn.softplus(net(params, x1, theta)))",
        ),
    ],
}
