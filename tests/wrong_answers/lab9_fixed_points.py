"""Plausible wrong answers to Lab 9 (fixed points and implicit gradients); see lab_wrong_answers."""

from lab_wrong_answers import solution_with

LAB = "lab9-fixed-points"

WRONG = {
    "damped_iterate": [
        # returns the last iterate when max_iter runs out, instead of raising
        solution_with(
            LAB,
            "damped_iterate",
            "    raise RuntimeError(\n",
            "    return z, max_iter\n    raise RuntimeError(\n",
        ),
        # counts the steps taken, not the calls of f (one short)
        solution_with(LAB, "damped_iterate", "return z, calls", "return z, calls - 1"),
        # ignores the damping: plain iteration, which diverges on inhibitory layers
        solution_with(LAB, "damped_iterate", "z = z + beta * residual", "z = z + residual"),
    ],
    "predict_calls": [
        # forgets the last call, the one whose residual is within tol
        solution_with(LAB, "predict_calls", "return int(steps) + 1", "return int(steps)"),
        # takes the map's rate for the damped step's rate
        solution_with(
            LAB,
            "predict_calls",
            "shrink = abs(1.0 - beta * (1.0 - rate))",
            "shrink = abs(rate)",
        ),
        # the distance to the solution where the residual |f(z0) - z0| is compared with tol
        solution_with(
            LAB,
            "predict_calls",
            "first_residual = abs(rate - 1.0) * dist0",
            "first_residual = dist0",
        ),
    ],
    "fixed_point_vjp": [
        # iterates w = g + A w (a JVP) where the adjoint needs A^T w
        solution_with(
            LAB,
            "fixed_point_vjp",
            "return g + pull_z(w)[0]",
            "return g + ad.jvp(lambda u: f(u, theta), (z_star,), (w,))[1]",
        ),
        # no adjoint solve at all: B^T g
        solution_with(LAB, "fixed_point_vjp", "return pull_theta(w)[0]", "return pull_theta(g)[0]"),
        # the adjoint iteration without damping: it diverges where the forward one needed beta
        solution_with(
            LAB,
            "fixed_point_vjp",
            "damped_iterate(adjoint_map, g, None, beta=beta,",
            "damped_iterate(adjoint_map, g, None, beta=1.0,",
        ),
    ],
    "fixed_point_layer": [
        # unrolled: the solver runs on traced values, so reverse mode records every iteration
        """
def fixed_point_layer(f, z0, beta=1.0):
    def layer(theta):
        z = z0
        for _ in range(1000):
            residual = f(z, theta) - z
            if np.max(np.abs(ad.core.value_of(residual))) <= 1e-12:
                return z
            z = z + beta * residual
        raise RuntimeError("no convergence")

    return layer
""",
        # the one-step ("Jacobian-free") rule: B^T g instead of the implicit VJP
        solution_with(
            LAB,
            "fixed_point_layer",
            "return fixed_point_vjp(f, z_star, theta, g, beta=beta)",
            "return ad.vjp(lambda t: f(z_star, t), theta)[1](g)[0]",
        ),
    ],
}
