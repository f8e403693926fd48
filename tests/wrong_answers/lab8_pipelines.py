"""Plausible wrong answers to Lab 8 (differentiable pipelines); format in
``tests/lab_wrong_answers.py``."""

from lab_wrong_answers import solution_with

LAB = "lab8-pipelines"

WRONG = {
    "fly": [
        # explicit Euler: the position moves with the old velocity
        solution_with(
            LAB,
            "fly",
            "        vx, vy = vx + dt * ax, vy + dt * ay\n"
            "        x, y = x + dt * vx, y + dt * vy\n",
            "        x, y = x + dt * vx, y + dt * vy\n"
            "        vx, vy = vx + dt * ax, vy + dt * ay\n",
        ),
        # linear drag -k v instead of quadratic -k |v| v
        solution_with(
            LAB,
            "fly",
            "ax, ay = -k * speed * vx, -k * speed * vy - G",
            "ax, ay = -k * vx, -k * vy - G",
        ),
    ],
    # the sum over targets instead of the mean
    "end_to_end_loss": solution_with(
        LAB,
        "end_to_end_loss",
        "return anp.mean(anp.sum(miss * miss, axis=1))",
        "return anp.sum(miss * miss)",
    ),
    "fit_drag": [
        # too few plain gradient steps on k itself: far from converged from a bad start
        """
def fit_drag(launches, observed, k0):
    def loss(k):
        return anp.sum((fly(launches, k, 25, 0.04) - observed) ** 2)

    k = float(k0)
    for _ in range(20):
        k = k - 1e-4 * ad.grad(loss)(k)
    return k
""",
    ],
}
