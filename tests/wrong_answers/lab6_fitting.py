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
            "else velocity_next",
            "else velocity",
        ),
        # the (1 - momentum) "dampening" factor of an exponential average, which PyTorch omits
        solution_with(
            LAB,
            "momentum_update",
            "velocity_next = grads + momentum * velocity",
            "velocity_next = (1 - momentum) * grads + momentum * velocity",
        ),
        # Nesterov's look-ahead with the old velocity
        solution_with(
            LAB,
            "momentum_update",
            "direction = grads + momentum * velocity_next if nesterov",
            "direction = grads + momentum * velocity if nesterov",
        ),
    ],
    "adam_update": [
        # no bias correction
        solution_with(
            LAB,
            "adam_update",
            "unbiased_mean = m_next / (1 - b1**t)\n"
            "    unbiased_rms = np.sqrt(v_next / (1 - b2**t))",
            "unbiased_mean = m_next\n    unbiased_rms = np.sqrt(v_next)",
        ),
        # L2 regularisation: the decay added to the gradient, not decoupled
        """
def adam_update(params, grads, m, v, t, lr, b1=0.9, b2=0.999, eps=1e-8, weight_decay=0.0):
    grads = grads + weight_decay * params
    m = b1 * m + (1 - b1) * grads
    v = b2 * v + (1 - b2) * grads**2
    m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
    return params - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
""",
        # eps inside the square root
        solution_with(
            LAB,
            "adam_update",
            "np.sqrt(v_next / (1 - b2**t))",
            "np.sqrt(v_next / (1 - b2**t) + eps)",
        ),
    ],
    "predict_steps": [
        # a floor instead of a ceiling: one step short
        solution_with(
            LAB,
            "predict_steps",
            "return math.ceil(math.log(tol) / math.log(shrink))",
            "return math.floor(math.log(tol) / math.log(shrink))",
        ),
        # forgets the sign: 1 - lr * a without abs (alternating iterates)
        solution_with(
            LAB,
            "predict_steps",
            "shrink = abs(1.0 - lr * curvature)",
            "shrink = 1.0 - lr * curvature",
        ),
        # no divergence regime: a negative count where gradient descent blows up
        solution_with(
            LAB,
            "predict_steps",
            "    if shrink >= 1.0:\n        return math.inf\n",
            "",
        ),
        # a loop that stops at a fixed cap and calls the cap "never"
        """
def predict_steps(curvature, lr, tol):
    w, k = 1.0, 0
    while abs(w) > tol and k < 1000:
        w, k = w - lr * curvature * w, k + 1
    return k
""",
    ],
    "simulate_epidemic": [
        # the infections counted with the susceptibles already reduced (sequential update)
        solution_with(
            LAB,
            "simulate_epidemic",
            "        susceptible, infected = susceptible - infections, infected + infections"
            " - infected / days\n",
            "        susceptible = susceptible - infections\n"
            "        infected = infected + beta * susceptible * infected - infected / days\n",
        ),
        # records the fraction before each day: i_0 .. i_{n-1} instead of i_1 .. i_n
        """
def simulate_epidemic(theta, n_days, i0=0.01):
    beta, days = theta[0], theta[1]
    s, i, out = 1.0 - i0, i0, []
    for _ in range(n_days):
        out.append(i)
        new = beta * s * i
        s, i = s - new, i + new - i / days
    return anp.stack(out)
""",
        # recovers a fraction D of the infected each day instead of 1 / D
        solution_with(LAB, "simulate_epidemic", "- infected / days", "- infected * days"),
    ],
    "train": [
        # records the loss after the update
        """
def train(loss_fn, params, opt, n_steps):
    state, losses = opt.init(params), []
    for _ in range(n_steps):
        params, state = opt.update(params, ad.grad(loss_fn)(params), state)
        losses.append(float(loss_fn(params)))
    return params, losses
""",
        # a fresh optimizer state at every step (Adam's averages and step count are lost)
        solution_with(
            LAB,
            "train",
            "params, opt_state = opt.update(params, slope, opt_state)",
            "params, opt_state = opt.update(params, slope, opt.init(params))",
        ),
    ],
}
