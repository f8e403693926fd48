"""Plausible wrong answers to Lab 8 (differentiable pipelines); format in
``tests/lab_wrong_answers.py``."""

from lab_wrong_answers import solution_with

LAB = "lab8-pipelines"

WRONG = {
    "swing": [
        # explicit Euler: the angle moves with the old velocity
        solution_with(
            LAB,
            "swing",
            "        omega = omega - dt * (stiffness * anp.sin(phi) + damping * omega)\n"
            "        phi = phi + dt * omega\n",
            "        phi, omega = (\n"
            "            phi + dt * omega,\n"
            "            omega - dt * (stiffness * anp.sin(phi) + damping * omega),\n"
            "        )\n",
        ),
        # the small-angle pendulum: sin(phi) replaced by phi
        solution_with(LAB, "swing", "stiffness * anp.sin(phi)", "stiffness * phi"),
        # stores the angle before each step: the start is in, the last step is out
        solution_with(
            LAB,
            "swing",
            "    for _step in range(n_steps):\n"
            "        omega = omega - dt * (stiffness * anp.sin(phi) + damping * omega)\n"
            "        phi = phi + dt * omega\n"
            "        angles.append(phi)\n",
            "    for _step in range(n_steps):\n"
            "        angles.append(phi)\n"
            "        omega = omega - dt * (stiffness * anp.sin(phi) + damping * omega)\n"
            "        phi = phi + dt * omega\n",
        ),
    ],
    "predict_simulator_runs": [
        # counts the backward pass as a second run of the simulator
        solution_with(
            LAB,
            "predict_simulator_runs",
            '"grad": 1,  # one recorded run, then one backward pass',
            '"grad": 2,',
        ),
        # forward differences without the base point
        solution_with(
            LAB,
            "predict_simulator_runs",
            '"forward differences": n_params + 1,',
            '"forward differences": n_params,',
        ),
        # the Hessian as n^2 runs, one per entry
        solution_with(
            LAB,
            "predict_simulator_runs",
            '"hessian": n_params,',
            '"hessian": n_params * n_params,',
        ),
        # reverse mode thought to cost a pass per parameter, like forward mode
        solution_with(
            LAB,
            "predict_simulator_runs",
            '"jacrev": 1,',
            '"jacrev": n_params,',
        ),
    ],
    "end_to_end_loss": [
        # the sum over targets instead of the mean
        solution_with(
            LAB,
            "end_to_end_loss",
            "return anp.mean((last - targets) ** 2)",
            "return anp.sum((last - targets) ** 2)",
        ),
        # the angle after the first step, not the last one
        solution_with(LAB, "end_to_end_loss", "[:, -1]", "[:, 0]"),
        # the network alone, without the small-angle kick 3 t it corrects
        solution_with(LAB, "end_to_end_loss", "kick = 3.0 * targets + ", "kick = "),
    ],
    "fit_pendulum": [
        # plain gradient descent on the squared misfit, too few steps: far from converged
        """
def fit_pendulum(state0, observed, guess):
    def loss(p):
        return anp.sum((swing(state0, p[0], p[1], N_STEPS, DT) - observed) ** 2)

    p = np.array(guess, dtype=float)
    for _ in range(20):
        p = p - 1e-3 * ad.grad(loss)(p)
    return float(p[0]), float(p[1])
""",
        # a single Gauss-Newton step: not converged from a guess 25 % off
        solution_with(LAB, "fit_pendulum", "for _round in range(30):", "for _round in range(1):"),
    ],
}
