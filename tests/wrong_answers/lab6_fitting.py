"""Plausible wrong answers to Lab 6 (fitting parameters with gradients); format in
``tests/lab_wrong_answers.py``."""

from lab_wrong_answers import solution_with

LAB = "lab6-fitting"

WRONG = {
    "momentum_update": [
        # steps with the old velocity, then updates it
        solution_with(
            LAB,
            "momentum_update",
            "return params - lr * new_velocity, new_velocity",
            "return params - lr * velocity, new_velocity",
        ),
        # the (1 - momentum) "dampening" factor of an exponential average, which PyTorch omits
        solution_with(
            LAB,
            "momentum_update",
            "new_velocity = momentum * velocity + grads",
            "new_velocity = momentum * velocity + (1 - momentum) * grads",
        ),
    ],
    "adam_update": [
        # no bias correction
        solution_with(
            LAB,
            "adam_update",
            "m_hat = m / (1 - b1**t)\n    v_hat = v / (1 - b2**t)",
            "m_hat = m\n    v_hat = v",
        ),
        # eps inside the square root
        solution_with(
            LAB,
            "adam_update",
            "(np.sqrt(v_hat) + eps)",
            "np.sqrt(v_hat + eps)",
        ),
    ],
    "simulate_oscillator": [
        # explicit Euler: the position moves with the old velocity
        solution_with(
            LAB,
            "simulate_oscillator",
            "        v = v + dt * (-k * x - c * v)\n        x = x + dt * v\n",
            "        x, v = x + dt * v, v + dt * (-k * x - c * v)\n",
        ),
        # records the position before each step: x_0 .. x_{n-1} instead of x_1 .. x_n
        """
def simulate_oscillator(theta, n_steps, dt):
    k, c = theta[0], theta[1]
    x, v = 1.0, 0.0
    xs = []
    for _ in range(n_steps):
        xs.append(x)
        v = v + dt * (-k * x - c * v)
        x = x + dt * v
    return anp.stack(xs)
""",
    ],
    "train": [
        # records the loss after the update
        solution_with(
            LAB,
            "train",
            "        losses.append(float(loss))",
            "        losses.append(float(loss_fn(params)))",
        ),
        # a fresh optimizer state at every step (Adam's averages and step count are lost)
        solution_with(
            LAB,
            "train",
            "        params, state = opt.update(params, grads, state)",
            "        params, state = opt.update(params, grads, opt.init(params))",
        ),
    ],
}
