"""Plausible wrong answers to Lab 2 (dual numbers); format in ``tests/lab_wrong_answers.py``."""

from lab_wrong_answers import solution_with

LAB = "lab2-dual-numbers"

WRONG = {
    "dual": [
        # the product rule with a term missing
        solution_with(LAB, "dual", "a * d + b * c", "b * c"),
        # the quotient rule with the wrong sign
        solution_with(LAB, "dual", "(b * c - a * d)", "(a * d - b * c)"),
        # c / x computed as x / c
        solution_with(LAB, "dual", "return Dual(other, 0.0) / self", "return self / other"),
        # the power rule without the chain rule's factor b
        solution_with(LAB, "dual", "n * self.a ** (n - 1) * self.b", "n * self.a ** (n - 1)"),
    ],
    "elementary": [
        # forgets to multiply by the incoming ε part
        solution_with(LAB, "elementary", "(1 - t * t) * x.b", "(1 - t * t)"),
        # d/dx tanh = 1 + tanh²: the derivative of tan, not of tanh
        solution_with(LAB, "elementary", "(1 - t * t) * x.b", "(1 + t * t) * x.b"),
        # operator precedence: divides by 2, then multiplies by the root
        solution_with(LAB, "elementary", "x.b / (2 * root)", "x.b / 2 * root"),
        # d/dx arctan = 1 / (1 - x²): the wrong sign
        solution_with(LAB, "elementary", "x.b / (1 + x.a * x.a)", "x.b / (1 - x.a * x.a)"),
    ],
    "derivative": [
        # returns the value part instead of the ε part
        solution_with(LAB, "derivative", "return y.b if", "return y.a if"),
        # assumes f always returns a Dual (a constant function breaks it)
        solution_with(
            LAB, "derivative", "return y.b if isinstance(y, Dual) else 0.0", "return y.b"
        ),
    ],
    "tangent_trace": [
        # the quotient rule without the denominator's tangent (passes the seed (1, 0))
        solution_with(LAB, "tangent_trace", "(v_1_dot - v1 * v0_dot) / v0", "v_1_dot / v0"),
        # the product rule with a term missing (passes the seed (1, 0) too)
        solution_with(LAB, "tangent_trace", "v_1_dot * v3 + v_1 * v3_dot", "v_1_dot * v3"),
    ],
    # seeds every input with 1: the sum of the partial derivatives, whatever v is
    "jvp": solution_with(LAB, "jvp", "Dual(x_i, v_i)", "Dual(x_i, 1.0)"),
    # one row per input: the transposed Jacobian
    "jacobian": """
def jacobian(F, x):
    rows = []
    for j in range(len(x)):
        ys = F([Dual(x_i, 1.0 if i == j else 0.0) for i, x_i in enumerate(x)])
        rows.append([y.b if isinstance(y, Dual) else 0.0 for y in ys])
    return np.array(rows)
""",
    "predict_evaluations": [
        # forward mode: one pass per output (row) instead of per input (column)
        solution_with(LAB, "predict_evaluations", "return n  # one column", "return m  #"),
        # reverse mode: counts the m backward sweeps as evaluations of F
        solution_with(LAB, "predict_evaluations", "return 1  # one recorded", "return m  #"),
        # central differences counted like forward differences: F(x) once, then one per input
        solution_with(LAB, "predict_evaluations", "return 2 * n  #", "return n + 1  #"),
    ],
}
