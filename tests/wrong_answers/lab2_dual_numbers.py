"""Plausible wrong answers to Lab 2 (dual numbers); format in ``tests/lab_wrong_answers.py``."""

from lab_wrong_answers import solution_with

LAB = "lab2-dual-numbers"

WRONG = {
    "dual": [
        # the product rule with a term missing
        solution_with(LAB, "dual", "self.a * o.b + self.b * o.a", "self.b * o.a"),
        # the quotient rule with the wrong sign
        solution_with(
            LAB, "dual", "(self.b * o.a - self.a * o.b)", "(self.a * o.b - self.b * o.a)"
        ),
        # c - x computed as x - c
        solution_with(LAB, "dual", "return lift(other) - self", "return self - lift(other)"),
        # the power rule without the chain rule's factor b
        solution_with(LAB, "dual", "n * self.a ** (n - 1) * self.b", "n * self.a ** (n - 1)"),
    ],
    "elementary": [
        # forgets to multiply by the incoming ε part
        solution_with(
            LAB, "elementary", "Dual(sin(x.a), x.b * cos(x.a))", "Dual(sin(x.a), cos(x.a))"
        ),
        # d/dx cos = +sin: the wrong sign
        solution_with(LAB, "elementary", "-x.b * sin(x.a)", "x.b * sin(x.a)"),
    ],
    "derivative": [
        # returns the value part instead of the ε part
        solution_with(LAB, "derivative", "return y.b if", "return y.a if"),
        # assumes f always returns a Dual (a constant function breaks it)
        solution_with(
            LAB, "derivative", "return y.b if isinstance(y, Dual) else 0.0", "return y.b"
        ),
    ],
    # the product rule with a term missing (passes the seed (1, 0) of the lesson's table)
    "tangent_trace": solution_with(
        LAB, "tangent_trace", "v_1_dot * v0 + v_1 * v0_dot", "v_1_dot * v0"
    ),
    # seeds every input with 1: the sum of the partial derivatives, whatever v is
    "jvp": solution_with(LAB, "jvp", "Dual(x_i, v_i)", "Dual(x_i, 1.0)"),
    # one row per input: the transposed Jacobian
    "jacobian": solution_with(
        LAB, "jacobian", "np.array(columns, dtype=float).T", "np.array(columns, dtype=float)"
    ),
}
