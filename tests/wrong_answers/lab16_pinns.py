"""Plausible wrong answers to Lab 16 (physics-informed neural networks); each must lose marks."""

from lab_wrong_answers import solution_with

LAB = "lab16-pinns"

WRONG = {
    "input_derivatives": [
        # one function per derivative, each calling u again: right values, order + 1 calls
        """
def input_derivatives(u, x, order):
    fns = [u]
    for _ in range(order):
        fns.append(lambda p, f=fns[-1]: ad.jvp(f, (p,), (anp.ones_like(p),))[1])
    return [f(x) for f in fns]
""",
        # a tangent made with numpy: fails when x is traced (inside another jvp or grad)
        solution_with(
            LAB,
            "input_derivatives",
            "(anp.ones_like(points),)",
            "(np.ones_like(points),)",
        ),
        # the JVP of u at every level instead of the JVP of the list so far: u' repeats
        solution_with(
            LAB,
            "input_derivatives",
            "ad.jvp(below, (points,), (anp.ones_like(points),))",
            "ad.jvp(lambda p: [u(p)] * height, (points,), (anp.ones_like(points),))",
        ),
    ],
    "predict_net_calls": [
        # nested jacfwd adds its levels instead of multiplying them
        solution_with(LAB, "predict_net_calls", "n_points**order", "n_points * order"),
        # grad per point: thinks each level of grad calls the function again
        solution_with(
            LAB,
            "predict_net_calls",
            '"grad_per_point": n_points,',
            '"grad_per_point": n_points * order,',
        ),
        # the tower: thinks each JVP level calls the network once
        solution_with(LAB, "predict_net_calls", '"tower": 1,', '"tower": order,'),
        # the central stencil: forgets the middle point of an even-order stencil
        solution_with(
            LAB, "predict_net_calls", '"differences": order + 1,', '"differences": 2 * order,'
        ),
    ],
    "oscillator_loss": [
        # t * N(t): keeps u(0) = 1 but not u'(0) = 0
        solution_with(LAB, "oscillator_loss", "1.0 + t * t * correction", "1.0 + t * correction"),
        # the sign of the restoring term: u'' - omega**2 u
        solution_with(
            LAB,
            "oscillator_loss",
            "misfit = curvature + omega**2 * value\n    return anp.mean(misfit * misfit)\n",
            "misfit = curvature - omega**2 * value\n    return anp.mean(misfit * misfit)\n",
        ),
        # omega where omega**2 belongs
        solution_with(
            LAB,
            "oscillator_loss",
            "misfit = curvature + omega**2 * value\n    return anp.mean(misfit * misfit)\n",
            "misfit = curvature + omega * value\n    return anp.mean(misfit * misfit)\n",
        ),
        # the soft loss forgets the initial slope u'(0) = 0
        solution_with(
            LAB,
            "oscillator_loss",
            "(start_value[0, 0] - 1.0) ** 2 + start_slope[0, 0] ** 2",
            "(start_value[0, 0] - 1.0) ** 2",
        ),
    ],
    "fit_oscillator": [
        # records the loss after the update
        solution_with(
            LAB,
            "fit_oscillator",
            "        history.append(float(current))\n"
            "        params, moments = adam.update(params, slope, moments)\n",
            "        params, moments = adam.update(params, slope, moments)\n"
            "        history.append(float(oscillator_loss(params, X, omega)))\n",
        ),
        # the mean error, not the largest
        solution_with(
            LAB, "fit_oscillator", "float(np.abs(gap).max())", "float(np.abs(gap).mean())"
        ),
        # the learning rate is not passed on: Adam's default step is used
        solution_with(LAB, "fit_oscillator", "ad.optim.Adam(lr=lr)", "ad.optim.Adam()"),
    ],
}
