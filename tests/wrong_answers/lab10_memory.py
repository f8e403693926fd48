"""Plausible wrong answers to Lab 10 (memory and checkpointing); see lab_wrong_answers."""

from lab_wrong_answers import solution_with

LAB = "lab10-memory"

WRONG = {
    "predict_tape": [
        # forgets the x * x node of the loss (only the sum)
        solution_with(
            LAB, "predict_tape", "return per_step * n_steps + 2", "return per_step * n_steps + 1"
        ),
        # counts k again at every step, as if each step kept its own copy
        solution_with(
            LAB, "predict_tape", "inputs = 3 * vector", "inputs = 2 * vector + n_steps * vector"
        ),
        # forgets the Python float DT that every dt * (...) node keeps
        solution_with(LAB, "predict_tape", "+ loss + 8", "+ loss"),
    ],
    "checkpointed_grad": [
        # starts theta_bar at zero: misses the loss's own dL/dtheta
        solution_with(
            LAB,
            "checkpointed_grad",
            "cot_state, cot_theta = ad.grad(loss, argnums=(0, 1))(state, theta)",
            "cot_state, cot_theta = ad.grad(loss)(state, theta), np.zeros_like(theta)",
        ),
        # overwrites theta_bar with each segment's share instead of adding the shares
        solution_with(
            LAB, "checkpointed_grad", "cot_theta = cot_theta + share", "cot_theta = share"
        ),
        # stores every state (no checkpointing) and pulls back one step at a time
        """
def checkpointed_grad(step, loss, x0, theta, n_steps, every):
    states = [x0]
    for _ in range(n_steps):
        states.append(step(states[-1], theta))
    x_bar, theta_bar = ad.grad(loss, argnums=(0, 1))(states[-1], theta)
    for i in reversed(range(n_steps)):
        x_bar, share = ad.vjp(step, states[i], theta)[1](x_bar)
        theta_bar = theta_bar + share
    return x_bar, theta_bar
""",
    ],
    "predict_step_calls": [
        # the recomputation shared by all the backward passes (one recomputation, not m)
        solution_with(
            LAB, "predict_step_calls", "return n_steps * (1 + n_out)", "return 2 * n_steps"
        ),
        # a plain loop also recomputes for each output
        solution_with(
            LAB, "predict_step_calls", "return n_steps  #", "return n_steps * (1 + n_out)  #"
        ),
    ],
    "reversible_grad": [
        # undoes the kick at the new position (the order of the two half-steps swapped)
        solution_with(
            LAB,
            "reversible_grad",
            """    x_before = x - dt * v  # undo the drift first: it used the new v
    v_before = v + dt * k * np.sin(x_before)  # then the kick, at the old position""",
            """    v_before = v + dt * k * np.sin(x)
    x_before = x - dt * v""",
        ),
        # the cotangent of x_N is x_N, not 2 x_N
        solution_with(LAB, "reversible_grad", "bars = [2.0 * x,", "bars = [x,"),
        # k_bar from the first step back only (overwritten instead of added)
        solution_with(LAB, "reversible_grad", "k_bar = k_bar + k_share", "k_bar = k_share"),
        # stores every state on the way forward instead of walking back: right, but O(N) memory
        solution_with(
            LAB,
            "reversible_grad",
            """    for _ in range(n_steps):
        x, v = pendulum_unstep(x, v, k, dt)""",
            """    states = [(x0, v0)]
    for _ in range(n_steps):
        states.append(pendulum_step(*states[-1], k, dt))
    for _ in range(n_steps):
        states.pop()
        x, v = states[-1]""",
        ),
    ],
    "choose_mode": [
        # the fewest passes, without checking that the memory fits
        solution_with(
            LAB,
            "choose_mode",
            "if memory <= memory_limit]",
            "if memory <= memory_limit or True]",
        ),
        # forgets the recorded forward pass of reverse mode (n_out passes, not 1 + n_out)
        solution_with(LAB, "choose_mode", '"reverse": (1 + n_out,', '"reverse": (n_out,'),
        # the recomputation shared by all the backward passes (2 + n_out passes, not 1 + 2 n_out)
        solution_with(
            LAB, "choose_mode", '"checkpointed": (1 + 2 * n_out,', '"checkpointed": (2 + n_out,'
        ),
    ],
}
