"""Plausible wrong answers to Lab 17 (a differentiable simulator); each must lose marks."""

from lab_wrong_answers import solution_with

LAB = "lab17-simulator"

WRONG = {
    "pendulum_step": [
        # explicit Euler: first order, and its energy drifts without bound
        """
def pendulum_step(state, length, damping, dt):
    theta, omega = state
    return theta + dt * omega, omega - dt * (G / length * anp.sin(theta) + damping * omega)
""",
        # the small-angle pendulum: theta where sin(theta) belongs
        solution_with(LAB, "pendulum_step", "anp.sin(a)", "a"),
        # the second half kick damps the old velocity instead of the half-step one
        solution_with(LAB, "pendulum_step", "pull(angle_next, spin_mid)", "pull(angle_next, spin)"),
        # numpy's sin: right values, but the derivative in L and gamma breaks under tracing
        solution_with(LAB, "pendulum_step", "anp.sin(a)", "np.sin(a)"),
    ],
    "simulate": [
        # records before each step: the initial angles are read, the last ones are not
        """
def simulate(length, damping, theta0, n_steps, dt, every):
    state, samples = (theta0, np.zeros(np.shape(theta0))), []
    for done in range(n_steps):
        if done % every == 0:
            samples.append(state[0])
        state = pendulum_step(state, length, damping, dt)
    return anp.stack(samples)
""",
        # stacks with numpy: fine for values, but breaks under ad.grad
        solution_with(LAB, "simulate", "return anp.stack(samples)", "return np.array(samples)"),
        # starts with the velocity equal to the angle instead of at rest
        solution_with(LAB, "simulate", "(theta0, np.zeros(np.shape(theta0)))", "(theta0, theta0)"),
    ],
    "simulate_checkpointed": [
        # not checkpointed: right readings and gradient, but the whole tape is kept
        """
def simulate_checkpointed(length, damping, theta0, n_steps, dt, every, segment):
    return simulate(length, damping, theta0, n_steps, dt, every)
""",
        # captures L and gamma by closure instead of passing them to the checkpointed segment
        solution_with(
            LAB,
            "simulate_checkpointed",
            "stretch(angle, spin, length, damping)\n        blocks",
            "stretch(angle, spin, 1.0 * length, 1.0 * damping)\n        blocks",
        ).replace(
            "def stretch(angle, spin, length, damping):",
            "def stretch(angle, spin, length_, damping_):",
        ),
        # keeps only the last segment's readings
        solution_with(
            LAB,
            "simulate_checkpointed",
            "return anp.concatenate(blocks, axis=0)",
            "return block",
        ),
    ],
    "predict_step_calls": [
        # thinks the backward pass of reverse mode reruns the steps
        solution_with(LAB, "predict_step_calls", '"grad": 1,', '"grad": 2,'),
        # thinks a checkpointed gradient reruns each segment once per segment boundary
        solution_with(
            LAB,
            "predict_step_calls",
            '"grad_checkpointed": 2,',
            '"grad_checkpointed": 1 + segment,',
        ),
        # thinks a second level of checkpointing costs nothing more
        solution_with(
            LAB,
            "predict_step_calls",
            '"grad_checkpointed_twice": 3,',
            '"grad_checkpointed_twice": 2,',
        ),
        # one run per finite difference instead of two (central differences)
        solution_with(
            LAB,
            "predict_step_calls",
            '"central_differences": 2 * n_params,',
            '"central_differences": n_params,',
        ),
        # forward mode: one JVP gives every parameter's derivative
        solution_with(
            LAB, "predict_step_calls", '"jvp_per_param": n_params,', '"jvp_per_param": 1,'
        ),
    ],
    "calibrate": [
        # gradient ascent: Adam given the negated gradient, the fit walks away
        solution_with(
            LAB,
            "calibrate",
            "logs, moments = adam.update(logs, slope, moments)",
            "logs, moments = adam.update(logs, -slope, moments)",
        ),
        # returns the logarithms it optimised, not L and gamma
        solution_with(
            LAB, "calibrate", "length, damping = np.exp(logs)\n", "length, damping = logs\n"
        ),
        # records the loss after the update
        solution_with(
            LAB,
            "calibrate",
            "        history.append(float(current))\n"
            "        logs, moments = adam.update(logs, slope, moments)\n",
            "        logs, moments = adam.update(logs, slope, moments)\n"
            "        history.append(float(mismatch(logs)))\n",
        ),
    ],
}
