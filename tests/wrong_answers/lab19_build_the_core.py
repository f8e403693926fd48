"""Plausible wrong answers to Lab 19 (build the core); format in lab_wrong_answers.py."""

from lab_wrong_answers import solution_with

LAB = "lab19-build-the-core"

WRONG = {
    "tagged": [
        # perturbation confusion: a lower level's tangent read as the higher level's
        solution_with(
            LAB,
            "tagged",
            "mine = isinstance(v, Tagged) and v.level == lvl",
            "mine = isinstance(v, Tagged)",
        ),
        # the lower of the two levels taken as the level of the operation
        solution_with(
            LAB,
            "tagged",
            "lvl = max(v.level if isinstance(v, Tagged) else 0 for v in (x, y))",
            "lvl = min(v.level for v in (x, y) if isinstance(v, Tagged))",
        ),
        # the product rule with a term missing
        solution_with(
            LAB,
            "tagged",
            "Tagged(u * v, u_dot * v + u * v_dot, lvl)",
            "Tagged(u * v, u * v_dot, lvl)",
        ),
        # the quotient rule with the wrong sign
        solution_with(LAB, "tagged", "(u_dot - ratio * v_dot) / v", "(u_dot + ratio * v_dot) / v"),
        # sin without the chain rule's factor: the tangent forgotten
        solution_with(
            LAB,
            "tagged",
            "Tagged(sin(x.primal), cos(x.primal) * x.tangent, x.level)",
            "Tagged(sin(x.primal), cos(x.primal), x.level)",
        ),
    ],
    "grad": [
        # one level for every grad: the untagged dual numbers again
        solution_with(
            LAB, "grad", "        _level += 1\n        mine = _level\n", "        mine = 1\n"
        ),
        # the tangent read whatever the result's level
        solution_with(
            LAB,
            "grad",
            "if isinstance(out, Tagged) and out.level == mine:",
            "if isinstance(out, Tagged):",
        ),
    ],
    "predict_confused": [
        # the true derivative, as if the untagged numbers were right
        solution_with(
            LAB, "predict_confused", "return m * x0 ** (m - 1) * (x0 + c)", "return (m + 1) * x0**m"
        ),
        # the inner derivative taken as x0 + 1 (the ε parts, not the values, added)
        solution_with(
            LAB,
            "predict_confused",
            "return m * x0 ** (m - 1) * (x0 + c)",
            "return (m + 1) * x0**m + x0**m",
        ),
        # the inner result taken as still carrying the outer ε (a product rule on it)
        solution_with(
            LAB,
            "predict_confused",
            "return m * x0 ** (m - 1) * (x0 + c)",
            "return m * x0 ** (m - 1) * (x0 + c) + x0**m",
        ),
    ],
    "linearize": [
        # d/dx cos = +sin: the sign
        solution_with(
            LAB, "linearize", '"cos": lambda: (-np.sin(u),)', '"cos": lambda: (np.sin(u),)'
        ),
        # the quotient's second partial as -1/v² (the numerator forgotten)
        solution_with(
            LAB,
            "linearize",
            '"div": lambda: (1.0 / vals[1], -ans / vals[1])',
            '"div": lambda: (1.0 / vals[1], -1.0 / vals[1] ** 2)',
        ),
        # the mul partials swapped: d(uv)/du = u
        solution_with(
            LAB, "linearize", '"mul": lambda: (vals[1], u)', '"mul": lambda: (u, vals[1])'
        ),
        # the partial derivatives from autodiff_lite's grad: a forbidden shortcut
        solution_with(
            LAB,
            "linearize",
            "coefs = partials(op, vals, env[out])",
            "coefs = [ad.grad(ANP[op], argnums=k)(*vals) for k in range(len(vals))]",
        ),
    ],
    "transpose": [
        # set instead of add: a variable used twice keeps only one contribution
        solution_with(
            LAB,
            "transpose",
            "bar[arg] = bar.get(arg, 0.0) + coef * out_bar",
            "bar[arg] = coef * out_bar",
        ),
        # the equations in forward order
        solution_with(LAB, "transpose", "in reversed(linear)", "in linear"),
        # the coefficient left out (the linear map's structure without its numbers)
        solution_with(LAB, "transpose", "+ coef * out_bar", "+ out_bar"),
    ],
}
