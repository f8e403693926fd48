"""Plausible wrong answers to Lab 5 (a mini framework); format in ``tests/lab_wrong_answers.py``."""

from lab_wrong_answers import solution_with

LAB = "lab5-mini-framework"

WRONG = {
    "tensor_ops": [
        # + without un-broadcasting: a bias gets a cotangent of the batch's shape
        solution_with(
            LAB,
            "tensor_ops",
            "(a, lambda g: unbroadcast(g, a.shape)),\n"
            "                (b, lambda g: unbroadcast(g, b.shape)),",
            "(a, lambda g: g),\n                (b, lambda g: g),",
        ),
        # the matmul rule for a transposed
        solution_with(
            LAB, "tensor_ops", "(a, lambda g: g @ b.data.T)", "(a, lambda g: b.data @ g.T)"
        ),
        # tanh' written with the input: 1 - x**2
        solution_with(LAB, "tensor_ops", "g * (1.0 - t * t)", "g * (1.0 - self.data**2)"),
    ],
    "backward": [
        # overwriting instead of accumulating the cotangents of a tensor used twice
        solution_with(
            LAB,
            "backward",
            "cotangents[id(p)] = cotangents[id(p)] + share if id(p) in cotangents else share",
            "cotangents[id(p)] = share",
        ),
        # replaces .grad on each backward() call instead of accumulating (PyTorch adds)
        solution_with(
            LAB, "backward", "t.grad = g if t.grad is None else t.grad + g", "t.grad = g"
        ),
        # breadth-first instead of topological order
        solution_with(
            LAB,
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
    "mlp_loss": [
        # the sum of the squared errors, not their mean
        solution_with(
            LAB,
            "mlp_loss",
            "return (residual * residual).mean()",
            "return (residual * residual).sum()",
        ),
        # a tanh after the last layer too
        """
def mlp_loss(params, x, y):
    h = x
    for W, b in params:
        h = (h @ W + b).tanh()
    d = h - y
    return (d * d).mean()
""",
        # only the lesson's one hidden layer: the layers after the second are ignored
        """
def mlp_loss(params, x, y):
    (W1, b1), (W2, b2) = params[0], params[-1]
    if len(params) == 1:
        d = x @ W1 + b1 - y
    else:
        d = (x @ W1 + b1).tanh() @ W2 + b2 - y
    return (d * d).mean()
""",
    ],
    "predict_tape": [
        # anp.mean counted as one node
        solution_with(LAB, "predict_tape", "at_the_end = 6", "at_the_end = 5"),
        # the parameters counted as nodes too (two per layer)
        solution_with(
            LAB,
            "predict_tape",
            "nodes = per_hidden_layer * depth + at_the_end",
            "nodes = per_hidden_layer * depth + at_the_end + 2 * (depth + 1)",
        ),
        # only the hidden layers' arrays counted: the output layer and the loss forgotten
        solution_with(
            LAB,
            "predict_tape",
            "floats = per_hidden_layer * depth * batch * width + 4 * batch + 2",
            "floats = per_hidden_layer * depth * batch * width",
        ),
        # the tape's length scales with the width (one node per unit)
        solution_with(
            LAB,
            "predict_tape",
            "nodes = per_hidden_layer * depth + at_the_end",
            "nodes = per_hidden_layer * depth * width + at_the_end",
        ),
    ],
    "train": [
        # never clears the gradients: each step uses the sum of all past gradients
        solution_with(LAB, "train", "            leaf.grad = None\n", ""),
        # records the loss after the update
        solution_with(
            LAB,
            "train",
            "        history.append(current.item())\n        current.backward()\n"
            "        sgd_step(params, lr)\n",
            "        current.backward()\n        sgd_step(params, lr)\n"
            "        history.append(mlp_loss(params, x, y).item())\n",
        ),
        # rebinds the name instead of updating the array in place (p = p - lr * p.grad)
        solution_with(
            LAB,
            "train",
            "            leaf.data -= lr * leaf.grad\n",
            "            leaf = leaf - lr * leaf.grad\n",
        ),
    ],
}
