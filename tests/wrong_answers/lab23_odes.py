"""Plausible wrong answers to Lab 23 (ODEs and adjoints); each must lose marks."""

from lab_wrong_answers import solution_with

LAB = "lab23-odes"

WRONG = {
    "driven_oscillator": [
        # forgets the drive F cos(Omega t)
        solution_with(LAB, "driven_oscillator", "push - spring", "0.0 - spring"),
        # the friction pushes the wrong way
        solution_with(LAB, "driven_oscillator", "- friction * velocity", "+ friction * velocity"),
        # numpy's stack: right values, but the derivatives in y and theta break under tracing
        solution_with(LAB, "driven_oscillator", "anp.stack(", "np.stack("),
    ],
    "rk4_trajectory": [
        # every stage evaluated at the time of the step's start: a frozen clock
        solution_with(LAB, "rk4_trajectory", "t + h / 2, theta)", "t, theta)").replace(
            "t + h, theta)", "t, theta)"
        ),
        # leaves out y0: n states instead of n + 1
        solution_with(LAB, "rk4_trajectory", "states, now = [y0], y0", "states, now = [], y0"),
        # explicit Euler instead of RK4: first order
        solution_with(
            LAB,
            "rk4_trajectory",
            "now = now + (h / 6) * (s1 + 2 * (s2 + s3) + s4)",
            "now = now + h * s1",
        ),
    ],
    "adjoint_gradient": [
        # integrates a and G forwards in time (step +h): the signs come out wrong
        solution_with(LAB, "adjoint_gradient", "a = a - (h / 6)", "a = a + (h / 6)").replace(
            "total = total - (h / 6)", "total = total + (h / 6)"
        ),
        # adds each reading's gradient after the backward step instead of before it
        solution_with(
            LAB,
            "adjoint_gradient",
            "        if k % every == 0:\n            a = a + (path[k] - data[k // every - 1])\n",
            "",
        ).replace(
            "        total = total - (h / 6) * (dg1 + 2 * dg2 + 2 * dg3 + dg4)\n",
            "        total = total - (h / 6) * (dg1 + 2 * dg2 + 2 * dg3 + dg4)\n"
            "        if k % every == 0:\n            a = a + (path[k] - data[k // every - 1])\n",
        ),
        # only the last reading counts, as in the lesson's terminal loss
        solution_with(LAB, "adjoint_gradient", "if k % every == 0:", "if k == n:"),
    ],
    "predict_f_calls": [
        # thinks the backward pass over the tape calls f again
        solution_with(LAB, "predict_f_calls", "return per_solve  #", "return 2 * per_solve  #"),
        # forgets the half steps that rebuild the midpoint states
        solution_with(LAB, "predict_f_calls", "n * (4 + 4)", "n * 4"),
        # forward mode costs one solve whatever the number of parameters
        solution_with(LAB, "predict_f_calls", "return n_params * per_solve", "return per_solve"),
    ],
    "calibrate": [
        # climbs the loss: adds the gradient
        solution_with(LAB, "calibrate", "slope * theta, moments", "-slope * theta, moments"),
        # records the loss after the update, not before
        solution_with(
            LAB,
            "calibrate",
            "        logs, moments = adam.update(logs, slope * theta, moments)\n",
            "        logs, moments = adam.update(logs, slope * theta, moments)\n"
            "        history[-1] = 0.5 * float(np.sum((np.asarray(rk4_trajectory(driven_oscillator,"
            " Y0, np.exp(logs), T_END, N_STEPS))[EVERY::EVERY] - data) ** 2))\n",
        ),
    ],
}
