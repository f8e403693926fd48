"""Plausible wrong answers to Lab 17 (a differentiable simulator); each must lose marks."""

from lab_wrong_answers import solution_with

LAB = "lab17-simulator"

WRONG = {
    "verlet_step": [
        # explicit Euler: first order, and its energy grows without bound
        """
def verlet_step(state, k, gamma, dt):
    x, v = state
    return x + dt * v, v + dt * chain_acceleration(x, v, k, gamma)
""",
        # the second half kick damps the old velocity v instead of v_half
        solution_with(
            LAB,
            "verlet_step",
            "chain_acceleration(x_new, v_half, k, gamma)",
            "chain_acceleration(x_new, v, k, gamma)",
        ),
    ],
    "simulate": [
        # records before each step: the initial state is read, the last one is not
        """
def simulate(k, gamma, x0, v0, n_steps, dt, sensors, every):
    state, readings = (x0, v0), []
    for t in range(n_steps):
        if t % every == 0:
            readings.append(state[0][sensors])
        state = verlet_step(state, k, gamma, dt)
    return anp.stack(readings)
""",
        # stacks with numpy: fine for values, but breaks under ad.grad
        solution_with(LAB, "simulate", "return anp.stack(readings)", "return np.array(readings)"),
    ],
    "simulate_checkpointed": [
        # not checkpointed: right readings and gradient, but the whole tape is kept
        """
def simulate_checkpointed(k, gamma, x0, v0, n_steps, dt, sensors, every, segment):
    return simulate(k, gamma, x0, v0, n_steps, dt, sensors, every)
""",
        # captures k and gamma by closure instead of passing them to the checkpointed segment
        """
def simulate_checkpointed(k, gamma, x0, v0, n_steps, dt, sensors, every, segment):
    def run_segment(x, v):
        state, readings = (x, v), []
        for t in range(1, segment + 1):
            state = verlet_step(state, k, gamma, dt)
            if t % every == 0:
                readings.append(state[0][sensors])
        return state[0], state[1], anp.stack(readings)

    run_segment = ad.checkpoint(run_segment)
    x, v, pieces = x0, v0, []
    for _ in range(n_steps // segment):
        x, v, piece = run_segment(x, v)
        pieces.append(piece)
    return anp.concatenate(pieces, axis=0)
""",
    ],
}
