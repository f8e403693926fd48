"""Plausible wrong answers to Lab 22 (transforms beyond grad); format in lab_wrong_answers.py."""

from lab_wrong_answers import solution_with

LAB = "lab22-transforms"

WRONG = {
    "rules": [
        # the example's axis used as the batched array's axis: not shifted past the batch axis
        solution_with(LAB, "rules", "axis=along if along < bdim else along + 1", "axis=along"),
        # always shifted by one, as if the batch axis were always first
        solution_with(LAB, "rules", "axis=along if along < bdim else along + 1", "axis=along + 1"),
        # a negative axis shifted as it is: -1 + 1 = 0 is the batch axis
        solution_with(
            LAB,
            "rules",
            "along = axis % example_ndim  # an axis of the example, counted from 0",
            "along = axis",
        ),
        # batched operands moved to the front but not lined up: lower ranks misalign
        solution_with(
            LAB,
            "rules",
            "lined_up.append(front.reshape(front.shape[:1] + (1,) * pad + front.shape[1:]))",
            "lined_up.append(front)",
        ),
        # the batch axis left where it was for every operand
        solution_with(LAB, "rules", "front = np.moveaxis(v, d, 0)", "front = v"),
    ],
    "per_example": [
        # clipping the mean gradient instead of each example's
        solution_with(
            LAB,
            "per_example",
            "    G = per_example_grads(w, X, Y)\n"
            "    norms = np.sqrt(np.sum(G * G, axis=1, keepdims=True))\n"
            "    shrink = np.minimum(1.0, clip / np.maximum(norms, 1e-300))\n"
            "    return np.mean(G * shrink, axis=0)",
            "    g = np.mean(per_example_grads(w, X, Y), axis=0)\n"
            "    return g * min(1.0, clip / np.linalg.norm(g))",
        ),
        # clipping every gradient to norm exactly clip (scaling short ones up)
        solution_with(
            LAB,
            "per_example",
            "shrink = np.minimum(1.0, clip / np.maximum(norms, 1e-300))",
            "shrink = clip / np.maximum(norms, 1e-300)",
        ),
        # the sign of the data term flipped in the likelihood
        solution_with(
            LAB, "per_example", "return anp.exp(eta) - y * eta", "return anp.exp(eta) + y * eta"
        ),
        # the gradient of the whole batch's loss repeated for every example
        solution_with(
            LAB,
            "per_example",
            "return ad.vmap(ad.grad(nll), in_axes=(None, 0, 0))(w, X, Y)",
            "total = ad.grad(lambda w: anp.sum(ad.vmap(nll, in_axes=(None, 0, 0))(w, X, Y)))(w)\n"
            "    return np.tile(total, (len(X), 1))",
        ),
    ],
    "predict_equations": [
        # one equation per line of the loop body, whatever the branch
        solution_with(
            LAB,
            "predict_equations",
            "return 3 * sine_steps + 2 * flip_steps + 2",
            "return 3 * m + 2",
        ),
        # the first iteration forgotten (i = 0 takes the sine branch)
        solution_with(LAB, "predict_equations", "sine_steps = (m + 2) // 3", "sine_steps = m // 3"),
        # the loop as one step (as if it were staged once, not unrolled)
        "def predict_equations(m):\n    return 3 + 2 + 2\n",
    ],
}
