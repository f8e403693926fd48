"""Plausible wrong answers to Lab 16 (physics-informed neural networks); each must lose marks."""

from lab_wrong_answers import solution_with

LAB = "lab16-pinns"

WRONG = {
    "input_derivatives": [
        # differentiates u twice along the same JVP instead of nesting: returns (u, u')
        """
def input_derivatives(u, x):
    return ad.jvp(u, (x,), (anp.ones_like(x),))
""",
        # a tangent made with numpy: fails when x is traced (inside another jvp or grad)
        solution_with(
            LAB,
            "input_derivatives",
            "return ad.jvp(u, (x,), (anp.ones_like(x),))[1]",
            "return ad.jvp(u, (x,), (np.ones_like(x),))[1]",
        ),
    ],
    "pinn_loss": [
        # the sign of the source: the residual of u'' = q instead of u'' + q = 0
        solution_with(
            LAB,
            "pinn_loss",
            "input_derivatives(u, X)[1] + q(X)",
            "input_derivatives(u, X)[1] - q(X)",
        ),
        # forgets the boundary conditions
        solution_with(
            LAB,
            "pinn_loss",
            "anp.mean(residual**2) + 0.5 * anp.sum(edges**2)",
            "anp.mean(residual**2)",
        ),
    ],
    "train_pinn": [
        # records the loss after the update
        """
def train_pinn(params, X, q, steps, lr):
    opt = ad.optim.Adam(lr=lr)
    state = opt.init(params)
    losses = []
    for _ in range(steps):
        grads = ad.grad(pinn_loss)(params, X, q)
        params, state = opt.update(params, grads, state)
        losses.append(float(pinn_loss(params, X, q)))
    return params, losses
""",
    ],
}
