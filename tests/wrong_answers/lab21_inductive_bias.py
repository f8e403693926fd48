"""Plausible wrong answers to Lab 21 (inductive bias); each must lose marks."""

from lab_wrong_answers import solution_with

LAB = "lab21-inductive-bias"

WRONG = {
    "hamiltonian_field": [
        # the gradient itself, not Hamilton's equations: (dH/dq, dH/dp)
        solution_with(
            LAB, "hamiltonian_field", "return slope_p, -slope_q", "return slope_q, slope_p"
        ),
        # the sign of dp/dt forgotten: the motion runs uphill
        solution_with(
            LAB, "hamiltonian_field", "return slope_p, -slope_q", "return slope_p, slope_q"
        ),
        # assumes H = |p|^2 / 2 + V(q): dq/dt = p, right only for the lab's own energy
        solution_with(LAB, "hamiltonian_field", "return slope_p, -slope_q", "return p, -slope_q"),
        # detaches the field from the tape: right values, no derivative in a parameter of H
        solution_with(
            LAB,
            "hamiltonian_field",
            "return slope_p, -slope_q",
            "return np.array(ad.stop_gradient(slope_p)), -np.array(ad.stop_gradient(slope_q))",
        ),
    ],
    "step": [
        # symplectic Euler that drifts with the old momentum: explicit Euler under another name
        solution_with(LAB, "step", "return q + dt * kicked, kicked", "return q + dt * p, kicked"),
        # leapfrog whose second half kick uses the old position
        solution_with(LAB, "step", "mid - 0.5 * dt * grad_V(moved)", "mid - 0.5 * dt * grad_V(q)"),
        # leapfrog with full kicks
        solution_with(LAB, "step", "mid = p - 0.5 * dt * grad_V(q)", "mid = p - dt * grad_V(q)"),
        # explicit Euler with the force pushing outwards
        solution_with(
            LAB,
            "step",
            "return q + dt * p, p - dt * grad_V(q)",
            "return q + dt * p, p + dt * grad_V(q)",
        ),  # fmt: skip
        # no error for an unknown method: returns None
        solution_with(
            LAB,
            "step",
            'raise ValueError(f"unknown method {method!r}; use euler, symplectic_euler or '
            'leapfrog")',
            "return None",
        ),
    ],
    "predict_error_ratio": [
        # every method is of order 1 in everything
        """
def predict_error_ratio(method, quantity, k):
    return float(k)
""",
        # leapfrog is second order, so everything it does is k^2, and it conserves nothing exactly
        """
def predict_error_ratio(method, quantity, k):
    return float(k) ** 2 if method == "leapfrog" else float(k)
""",
        # thinks symplectic Euler conserves the energy exactly, and the angular momentum not
        """
def predict_error_ratio(method, quantity, k):
    if method == "euler":
        return float(k)
    if method == "symplectic_euler":
        return None if quantity == "energy" else float(k)
    return None if quantity == "angular_momentum" else float(k) ** 2
""",
        # thinks explicit Euler also keeps the angular momentum (the force is central)
        solution_with(
            LAB,
            "predict_error_ratio",
            'method in ("symplectic_euler", "leapfrog")',
            'method in ("euler", "symplectic_euler", "leapfrog")',
        ),
    ],
    "models": [
        # the potential as a function of |q|, not |q|^2
        solution_with(
            LAB,
            "models",
            "nn.mlp(params, radius_sq)[:, 0]",
            "nn.mlp(params, anp.sqrt(radius_sq))[:, 0]",
        ),
        # forgets the kinetic energy: the learned H has no momentum in it
        solution_with(
            LAB,
            "models",
            "return 0.5 * anp.sum(p**2, axis=1) + nn.mlp",
            "return 0 * p[:, 0] + nn.mlp",
        ),
        # the plain network's outputs split the wrong way: (q1_dot, p1_dot), (q2_dot, p2_dot)
        solution_with(
            LAB,
            "models",
            "return rates[:, :2], rates[:, 2:]",
            "return rates[:, ::2], rates[:, 1::2]",
        ),  # fmt: skip
        # inputs in the order (p, q)
        solution_with(
            LAB, "models", "anp.concatenate([q, p], axis=1)", "anp.concatenate([p, q], axis=1)"
        ),
    ],
    "train": [
        # the invariant model's field taken as the gradient itself (dH/dq, dH/dp): no dynamics
        solution_with(
            LAB,
            "train",
            "return hamiltonian_field(lambda a, b: invariant_energy(weights, a, b), q, p)",
            "return ad.grad(lambda a, b: anp.sum(invariant_energy(weights, a, b)), "
            "argnums=(0, 1))(q, p)",
        ),
        # records the loss after the update (the first loss is not the one at the start)
        solution_with(
            LAB,
            "train",
            "        record.append(float(value))\n"
            "        weights, memory = optimiser.update(weights, slope, memory)",
            "        weights, memory = optimiser.update(weights, slope, memory)\n"
            "        record.append(float(mismatch(weights)))",
        ),
        # a different initial seed for each kind (ignores the seed it was given)
        solution_with(
            LAB,
            "train",
            "nn.init_mlp(np.random.default_rng(seed), sizes)",
            "nn.init_mlp(np.random.default_rng(len(kind)), sizes)",
        ),
        # the plain model trained for ten times fewer steps than asked (returns too few losses)
        solution_with(
            LAB, "train", "for _step in range(steps):", "for _step in range(steps // 10):"
        ),
        # a loss on the momenta only, ignoring the q_dot data (not the loss that was asked)
        solution_with(
            LAB,
            "train",
            "per_state = q_part + ",
            "per_state = 0.0 * q_part + ",
        ),
    ],
}
