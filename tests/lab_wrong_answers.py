"""Plausible wrong answers to the lab exercises: each one must lose marks when graded.

Format (keep it this simple)::

    WRONG_ANSWERS[lab][grade_id] = "replacement source"          # one mistake
    WRONG_ANSWERS[lab][grade_id] = ["source 1", "source 2", ...]  # several mistakes

``lab`` is the lab id (``lab1-finite-differences``), ``grade_id`` the grade id of an
"Autograded answer" cell, and each source is the whole text of that cell as a student might
write it, with one classic mistake. For a long cell,
``solution_with(lab, grade_id, old, new)`` gives the solution with one piece of text changed
(and fails loudly if that text is not there). Say in a comment which mistake it is.

``tests/test_labs.py`` submits the lab's source notebook with only that cell replaced (one
pretend student per mistake, all graded together) and checks that the exercise's
"Autograded tests" cells (those after the answer cell, up to the next answer cell) score
less than full marks. Every answer cell of every lab in ``notebooks/source/`` needs at least
one entry.
"""

import json
from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent / "notebooks" / "source"


def solution_with(lab: str, grade_id: str, old: str, new: str) -> str:
    """The source of answer cell ``grade_id`` of ``lab``, with ``old`` replaced by ``new``."""
    nb = json.loads((SOURCE / lab / f"{lab}.ipynb").read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id:
            text = "".join(cell["source"])
            if old not in text:
                raise ValueError(f"{lab}/{grade_id}: {old!r} is not in the solution")
            return text.replace(old, new)
    raise ValueError(f"{lab} has no cell {grade_id!r}")


WRONG_ANSWERS: dict[str, dict[str, str | list[str]]] = {}

WRONG_ANSWERS["lab1-finite-differences"] = {
    # a backward difference where a forward one is asked
    "forward_difference": """
def forward_difference(f, x, h):
    return (f(x) - f(x - h)) / h
""",
    "central_difference": [
        # a forward difference where a central one is asked
        """
def central_difference(f, x, h):
    return (f(x + h) - f(x)) / h
""",
        # operator precedence: divides by 2, then multiplies by h
        """
def central_difference(f, x, h):
    return (f(x + h) - f(x - h)) / 2 * h
""",
    ],
    "step_errors": [
        # the signed error: forgets the absolute value
        """
def step_errors(method, f, df, xs, hs):
    xs = np.asarray(xs, dtype=float)
    return np.array([np.median(method(f, xs, h) - df(xs)) for h in hs])
""",
        # the mean instead of the median
        """
def step_errors(method, f, df, xs, hs):
    xs = np.asarray(xs, dtype=float)
    return np.array([np.mean(np.abs(method(f, xs, h) - df(xs))) for h in hs])
""",
    ],
    # the index of the best step instead of the step
    "best_step": """
def best_step(method, f, df, xs, hs):
    return int(np.argmin(step_errors(method, f, df, xs, hs)))
""",
    # the weights of a first-order method (2, -1): cancels nothing for a second-order one
    "richardson": """
def richardson(f, x, h):
    return 2 * central_difference(f, x, h / 2) - central_difference(f, x, h)
""",
    # abs() of the complex difference: right size, but loses the sign
    "complex_step": """
def complex_step(f, x, h=1e-20):
    return abs(f(x + 1j * h) - f(x)) / h
""",
}

LAB2 = "lab2-dual-numbers"
WRONG_ANSWERS[LAB2] = {
    "dual": [
        # the product rule with a term missing
        solution_with(LAB2, "dual", "self.a * o.b + self.b * o.a", "self.b * o.a"),
        # the quotient rule with the wrong sign
        solution_with(
            LAB2, "dual", "(self.b * o.a - self.a * o.b)", "(self.a * o.b - self.b * o.a)"
        ),
        # c - x computed as x - c
        solution_with(LAB2, "dual", "return lift(other) - self", "return self - lift(other)"),
        # the power rule without the chain rule's factor b
        solution_with(LAB2, "dual", "n * self.a ** (n - 1) * self.b", "n * self.a ** (n - 1)"),
    ],
    "elementary": [
        # forgets to multiply by the incoming ε part
        solution_with(
            LAB2, "elementary", "Dual(sin(x.a), x.b * cos(x.a))", "Dual(sin(x.a), cos(x.a))"
        ),
        # d/dx cos = +sin: the wrong sign
        solution_with(LAB2, "elementary", "-x.b * sin(x.a)", "x.b * sin(x.a)"),
    ],
    "derivative": [
        # returns the value part instead of the ε part
        solution_with(LAB2, "derivative", "return y.b if", "return y.a if"),
        # assumes f always returns a Dual (a constant function breaks it)
        solution_with(
            LAB2, "derivative", "return y.b if isinstance(y, Dual) else 0.0", "return y.b"
        ),
    ],
    # the product rule with a term missing (passes the seed (1, 0) of the lesson's table)
    "tangent_trace": solution_with(
        LAB2, "tangent_trace", "v_1_dot * v0 + v_1 * v0_dot", "v_1_dot * v0"
    ),
    # seeds every input with 1: the sum of the partial derivatives, whatever v is
    "jvp": solution_with(LAB2, "jvp", "Dual(x_i, v_i)", "Dual(x_i, 1.0)"),
    # one row per input: the transposed Jacobian
    "jacobian": solution_with(
        LAB2, "jacobian", "np.array(columns, dtype=float).T", "np.array(columns, dtype=float)"
    ),
}
