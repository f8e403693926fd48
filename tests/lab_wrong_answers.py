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

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "notebooks"))
from grader import labsource  # noqa: E402


def solution_with(lab: str, grade_id: str, old: str, new: str) -> str:
    """The source of answer cell ``grade_id`` of ``lab``, with ``old`` replaced by ``new``."""
    for cell in labsource.read(lab).cells:
        if cell.metadata["nbgrader"]["grade_id"] == grade_id:
            text = cell.source
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

LAB3 = "lab3-reverse-mode"
WRONG_ANSWERS[LAB3] = {
    "value_ops": [
        # tanh'(x) written with x instead of tanh(x): 1 - x**2
        solution_with(LAB3, "value_ops", "((self, 1.0 - t * t),)", "((self, 1.0 - self.data**2),)"),
        # d(a/b)/db with the wrong sign
        solution_with(LAB3, "value_ops", "(other, -q / other.data)", "(other, q / other.data)"),
        # the power rule without lowering the exponent: c * a**c
        solution_with(LAB3, "value_ops", "c * self.data ** (c - 1)", "c * self.data**c"),
        # the product rule with the two local derivatives swapped
        solution_with(
            LAB3,
            "value_ops",
            "((self, other.data), (other, self.data))",
            "((self, self.data), (other, other.data))",
        ),
    ],
    "topological_order": [
        # the lesson's recursive depth-first search: fails on a chain of 5000 operations
        solution_with(
            LAB3,
            "topological_order",
            "    order, seen = [], set()\n",
            "    order, seen = [], set()\n\n"
            "    def visit(v):\n"
            "        if v not in seen:\n"
            "            seen.add(v)\n"
            "            for p, _ in v.parents:\n"
            "                visit(p)\n"
            "            order.append(v)\n\n"
            "    visit(y)\n"
            "    return order\n",
        ),
        # a breadth-first walk from y, reversed: not a topological order
        """
def topological_order(y):
    order, seen, queue = [], {y}, [y]
    while queue:
        v = queue.pop(0)
        order.append(v)
        for p, _ in v.parents:
            if p not in seen:
                seen.add(p)
                queue.append(p)
    return order[::-1]
""",
    ],
    "backward": [
        # overwriting instead of accumulating: a value used twice keeps one share
        solution_with(
            LAB3, "backward", "parent.grad += v.grad * local", "parent.grad = v.grad * local"
        ),
        # no topological order: passes each adjoint on when a breadth-first walk meets it
        """
def backward(y):
    y.grad = 1.0
    queue, seen = [y], {y}
    while queue:
        v = queue.pop(0)
        for parent, local in v.parents:
            parent.grad += v.grad * local
            if parent not in seen:
                seen.add(parent)
                queue.append(parent)


Value.backward = backward
""",
        # forgets the seed dy/dy = 1: every gradient stays 0
        solution_with(LAB3, "backward", "    y.grad = 1.0\n", ""),
    ],
    "jacobian": [
        # never resets the grads: each row adds up the rows above it
        solution_with(
            LAB3,
            "jacobian",
            "        for v in topological_order(y) + inputs:\n            v.grad = 0.0\n",
            "",
        ),
        # resets only the values the output depends on, not the other inputs
        solution_with(LAB3, "jacobian", "topological_order(y) + inputs", "topological_order(y)"),
    ],
}

LAB4 = "lab4-array-vjps"
WRONG_ANSWERS[LAB4] = {
    "vjp_matmul": [
        # A_bar transposed (right shape only for square matrices)
        solution_with(LAB4, "vjp_matmul", "return g @ B.T, A.T @ g", "return B @ g.T, A.T @ g"),
        # B_bar transposed
        solution_with(LAB4, "vjp_matmul", "return g @ B.T, A.T @ g", "return g @ B.T, g.T @ A"),
    ],
    "unbroadcast": [
        # forgets to un-broadcast: returns g for both arguments of x + y
        solution_with(
            LAB4,
            "unbroadcast",
            "return unbroadcast(g, np.shape(x)), unbroadcast(g, np.shape(y))",
            "return g, g",
        ),
        # sums the stretched axes away instead of keeping them with length 1
        solution_with(
            LAB4,
            "unbroadcast",
            "g.sum(axis=stretched, keepdims=True).reshape(shape)",
            "g.sum(axis=stretched)",
        ),
    ],
    # broadcasts g from the right without putting the summed axes back
    "vjp_sum": solution_with(
        LAB4, "vjp_sum", "    if not keepdims:\n        g = np.expand_dims(g, axes)\n", ""
    ),
    "vjp_softmax_cross_entropy": [
        # the gradient of the sum, not of the mean: forgets 1/B
        solution_with(LAB4, "vjp_softmax_cross_entropy", "return loss, p / B", "return loss, p"),
        # no max subtraction: exp(1000) overflows
        solution_with(
            LAB4,
            "vjp_softmax_cross_entropy",
            "shifted = z - z.max(axis=1, keepdims=True)",
            "shifted = z",
        ),
    ],
    "linear_backward": [
        # the bias gradient not un-broadcast: shape (B, m) instead of (m,)
        solution_with(LAB4, "linear_backward", "Y_bar.sum(axis=0)", "Y_bar"),
        # the lesson's convention Y = X W + b: W_bar transposed
        solution_with(LAB4, "linear_backward", "Y_bar.T @ X", "X.T @ Y_bar"),
    ],
}

LAB5 = "lab5-mini-framework"
WRONG_ANSWERS[LAB5] = {
    "tensor_ops": [
        # + without un-broadcasting: a bias gets a cotangent of the batch's shape
        solution_with(
            LAB5,
            "tensor_ops",
            "(a, lambda g: unbroadcast(g, a.shape)),\n"
            "                (b, lambda g: unbroadcast(g, b.shape)),",
            "(a, lambda g: g),\n                (b, lambda g: g),",
        ),
        # the matmul rule for a transposed
        solution_with(
            LAB5, "tensor_ops", "(a, lambda g: g @ b.data.T)", "(a, lambda g: b.data @ g.T)"
        ),
        # tanh' written with the input: 1 - x**2
        solution_with(LAB5, "tensor_ops", "g * (1.0 - t * t)", "g * (1.0 - self.data**2)"),
    ],
    "backward": [
        # overwriting instead of accumulating the cotangents of a tensor used twice
        solution_with(
            LAB5,
            "backward",
            "cotangents[id(p)] = cotangents[id(p)] + share if id(p) in cotangents else share",
            "cotangents[id(p)] = share",
        ),
        # replaces .grad on each backward() call instead of accumulating (PyTorch adds)
        solution_with(
            LAB5, "backward", "t.grad = g if t.grad is None else t.grad + g", "t.grad = g"
        ),
        # breadth-first instead of topological order
        solution_with(
            LAB5,
            "backward",
            "    for t in reversed(order):\n",
            "    order, queue, met = [], [self], {id(self)}\n"
            "    while queue:\n"
            "        t = queue.pop(0)\n"
            "        order.insert(0, t)\n"
            "        for p, _ in t.parents:\n"
            "            if p.requires_grad and id(p) not in met:\n"
            "                met.add(id(p))\n"
            "                queue.append(p)\n"
            "    for t in reversed(order):\n",
        ),
    ],
    # the sum of the squared errors, not their mean
    "mlp_loss": solution_with(
        LAB5, "mlp_loss", "return (diff * diff).mean()", "return (diff * diff).sum()"
    ),
    "train": [
        # never clears the gradients: each step uses the sum of all past gradients
        solution_with(LAB5, "train", "        p.grad = None\n", ""),
        # records the loss after the update
        solution_with(
            LAB5,
            "train",
            "        sgd_step(params, lr)\n        losses.append(loss.item())",
            "        sgd_step(params, lr)\n        losses.append(mlp_loss(params, x, y).item())",
        ),
    ],
}


# Labs added later keep their wrong answers in a file of their own,
# ``tests/wrong_answers/<lab id with _ for ->.py``, which defines ``LAB`` (the lab id) and
# ``WRONG`` (a dict in the format above) and may import ``solution_with`` from here.
def _load_per_lab_files() -> None:
    import importlib.util

    for path in sorted((Path(__file__).resolve().parent / "wrong_answers").glob("*.py")):
        spec = importlib.util.spec_from_file_location(f"wrong_answers_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        if module.LAB in WRONG_ANSWERS:
            raise ValueError(f"{path.name}: wrong answers for {module.LAB} are defined twice")
        WRONG_ANSWERS[module.LAB] = module.WRONG


_load_per_lab_files()
