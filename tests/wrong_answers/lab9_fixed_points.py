"""Plausible wrong answers to Lab 9 (fixed points and implicit gradients); see lab_wrong_answers."""

from lab_wrong_answers import solution_with

LAB = "lab9-fixed-points"

WRONG = {
    "fixed_point_iterate": [
        # returns the last iterate when max_iter runs out, instead of raising
        solution_with(
            LAB,
            "fixed_point_iterate",
            "    raise RuntimeError(\n",
            "    return z\n    raise RuntimeError(\n",
        ),
        # the stopping test inverted: stops as soon as the change is LARGER than tol
        solution_with(LAB, "fixed_point_iterate", "if change <= tol:", "if change > tol:"),
    ],
    "implicit_jacobian": [
        # forgets (I - A)^{-1}: the derivative of one more step, not of the solution
        solution_with(
            LAB,
            "implicit_jacobian",
            "return np.linalg.solve(np.eye(len(z_star)) - A, B)",
            "return B",
        ),
        # A transposed
        solution_with(
            LAB,
            "implicit_jacobian",
            "return np.linalg.solve(np.eye(len(z_star)) - A, B)",
            "return np.linalg.solve(np.eye(len(z_star)) - A.T, B)",
        ),
    ],
    "fixed_point_vjp": [
        # iterates w = g + A w (a JVP) where the adjoint needs A^T w
        """
def fixed_point_vjp(f, z_star, theta, g, tol=1e-12, max_iter=1000):
    w = g
    for _ in range(max_iter):
        w_next = g + ad.jvp(lambda z: f(z, theta), (z_star,), (w,))[1]
        if np.max(np.abs(w_next - w)) <= tol:
            break
        w = w_next
    _, B_T = ad.vjp(lambda t: f(z_star, t), theta)
    return B_T(w_next)[0]
""",
        # no adjoint solve at all: B^T g
        """
def fixed_point_vjp(f, z_star, theta, g, tol=1e-12, max_iter=1000):
    _, B_T = ad.vjp(lambda t: f(z_star, t), theta)
    return B_T(g)[0]
""",
    ],
    "fixed_point_layer": [
        # unrolled: the solver runs on traced values, so reverse mode records every iteration
        """
def fixed_point_layer(f, z0):
    def layer(theta):
        z = z0
        for _ in range(1000):
            z_next = f(z, theta)
            if np.max(np.abs(ad.core.value_of(z_next - z))) <= 1e-12:
                return z_next
            z = z_next
        raise RuntimeError("no convergence")

    return layer
""",
        # the one-step ("Jacobian-free") rule: B^T g instead of the implicit VJP
        solution_with(
            LAB,
            "fixed_point_layer",
            "return fixed_point_vjp(f, z_star, theta, g)",
            "return ad.vjp(lambda t: f(z_star, t), theta)[1](g)[0]",
        ),
    ],
}
