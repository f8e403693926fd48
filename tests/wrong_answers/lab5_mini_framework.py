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
    # the sum of the squared errors, not their mean
    "mlp_loss": solution_with(
        LAB, "mlp_loss", "return (diff * diff).mean()", "return (diff * diff).sum()"
    ),
    "train": [
        # never clears the gradients: each step uses the sum of all past gradients
        solution_with(LAB, "train", "        p.grad = None\n", ""),
        # records the loss after the update
        solution_with(
            LAB,
            "train",
            "        sgd_step(params, lr)\n        losses.append(loss.item())",
            "        sgd_step(params, lr)\n        losses.append(mlp_loss(params, x, y).item())",
        ),
    ],
}
