"""Plausible wrong answers to Lab 10 (memory and checkpointing); see lab_wrong_answers."""

from lab_wrong_answers import solution_with

LAB = "lab10-memory"

WRONG = {
    "tape_bytes": [
        # counts a value again each time a node keeps it (no de-duplication by id)
        solution_with(LAB, "tape_bytes", "if id(value) not in seen:", "if True:"),
        # counts only the outputs, not the inputs the rules read
        solution_with(
            LAB, "tape_bytes", "for value in (node.ans, *node.args):", "for value in (node.ans,):"
        ),
    ],
    "checkpointed_grad": [
        # overwrites theta_bar with the last segment's share instead of adding the shares
        solution_with(
            LAB, "checkpointed_grad", "theta_bar = theta_bar + share", "theta_bar = share"
        ),
        # stores every state (no checkpointing) and pulls back one step at a time
        """
def checkpointed_grad(step, x0, theta, n_steps, every):
    states = [x0]
    for _ in range(n_steps):
        states.append(step(states[-1], theta))
    x_bar, theta_bar = np.ones_like(states[-1]), np.zeros_like(theta)
    for i in reversed(range(n_steps)):
        x_bar, share = ad.vjp(step, states[i], theta)[1](x_bar)
        theta_bar = theta_bar + share
    return x_bar, theta_bar
""",
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
    ],
}
