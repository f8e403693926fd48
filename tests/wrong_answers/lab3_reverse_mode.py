"""Plausible wrong answers to Lab 3 (reverse mode); format in ``tests/lab_wrong_answers.py``."""

from lab_wrong_answers import solution_with

LAB = "lab3-reverse-mode"

WRONG = {
    "value_ops": [
        # tanh'(x) written with x instead of tanh(x): 1 - x**2
        solution_with(LAB, "value_ops", "((self, 1.0 - t * t),)", "((self, 1.0 - self.data**2),)"),
        # d(a/b)/db with the wrong sign
        solution_with(LAB, "value_ops", "(other, -q / other.data)", "(other, q / other.data)"),
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
        solution_with(
            LAB,
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
            LAB, "backward", "parent.grad += v.grad * local", "parent.grad = v.grad * local"
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
        solution_with(LAB, "backward", "    y.grad = 1.0\n", ""),
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
}
