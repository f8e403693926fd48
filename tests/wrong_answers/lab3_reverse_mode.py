"""Plausible wrong answers to Lab 3 (reverse mode); format in ``tests/lab_wrong_answers.py``."""

from lab_wrong_answers import solution_with

LAB = "lab3-reverse-mode"

WRONG = {
    "value_ops": [
        # tanh'(x) written with x instead of tanh(x): 1 - x**2
        solution_with(LAB, "value_ops", "((self, 1.0 - t * t),)", "((self, 1.0 - self.data**2),)"),
        # d(a/b)/db with the wrong sign
        solution_with(
            LAB, "value_ops", "(other, -self.data * inv * inv)", "(other, self.data * inv * inv)"
        ),
        # the power rule without lowering the exponent: c * a**c
        solution_with(LAB, "value_ops", "c * self.data ** (c - 1)", "c * self.data**c"),
        # the product rule with the two local derivatives swapped
        solution_with(
            LAB,
            "value_ops",
            "((self, other.data), (other, self.data))",
            "((self, self.data), (other, other.data))",
        ),
    ],
    "topological_order": [
        # the lesson's recursive depth-first search: fails on a chain of 5000 operations
        """
def topological_order(y):
    order, seen = [], set()

    def visit(v):
        if v not in seen:
            seen.add(v)
            for p, _ in v.parents:
                visit(p)
            order.append(v)

    visit(y)
    return order
""",
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
        solution_with(LAB, "backward", "operand.grad += v.grad * d", "operand.grad = v.grad * d"),
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
        solution_with(LAB, "backward", "order[-1].grad = 1.0", "pass"),
    ],
    "jacobian": [
        # never resets the grads: each row adds up the rows above it
        solution_with(
            LAB,
            "jacobian",
            "        for v in topological_order(y) + inputs:\n            v.grad = 0.0\n",
            "",
        ),
        # resets only the values the output depends on, not the other inputs
        solution_with(LAB, "jacobian", "topological_order(y) + inputs", "topological_order(y)"),
    ],
    "predict_tape_nodes": [
        # counts the constant weight 1.0 / k**2 (a power and a division) as taped operations
        solution_with(LAB, "predict_tape_nodes", "return 4 * n  #", "return 6 * n  #"),
        # the Value tape counted like autodiff_lite's: forgets the wrapped constants and x
        solution_with(LAB, "predict_tape_nodes", "return 6 * n + 2", "return 4 * n + 1"),
        # counts the 0.0 that total starts from once per wave, not once
        solution_with(LAB, "predict_tape_nodes", "return 6 * n + 2", "return 7 * n + 1"),
    ],
}
