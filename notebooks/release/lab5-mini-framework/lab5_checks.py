"""Self-checks for Lab 5 (a small PyTorch-style framework): the VISIBLE checks of each exercise.

Each function runs one exercise's visible checks on your code and prints a report: which
input, what was expected, what you returned, and a hint for the classic mistakes
(forgetting to un-broadcast a bias, a transposed matrix-product rule, overwriting instead
of accumulating, not clearing gradients between training steps, a miscounted tape).
Passing them is necessary, not sufficient: the hidden tests use other inputs.
"""

import numpy as np

import autodiff_lite as ad
import autodiff_lite.numpy as anp
from autodiff_lite.selfcheck import Case, check


def _near(value):
    return lambda got: (
        np.shape(got) == np.shape(value)
        and np.allclose(np.asarray(got, dtype=float), value, rtol=1e-9, atol=1e-12)
    )


# ----------------------------------------------------------------------------
# Exercise 1: operations
# ----------------------------------------------------------------------------

_A = np.arange(6.0).reshape(2, 3) - 2.5
_W = np.array([[1.0, -1.0], [0.5, 2.0], [0.0, 1.0]])
_OPS = [
    ("a + b, b a bias of shape (3,)", lambda a, b: a + b, (_A, np.array([1.0, -2.0, 0.5]))),
    ("a * b, b of shape (2, 1)", lambda a, b: a * b, (_A, np.array([[2.0], [-1.0]]))),
    ("a * a", lambda a: a * a, (_A,)),
    ("2.0 * a", lambda a: 2.0 * a, (_A,)),
    ("a + 1.0", lambda a: a + 1.0, (_A,)),
    ("a @ b, (2, 3) @ (3, 2)", lambda a, b: a @ b, (_A, _W)),
    ("a @ b, square (2, 2) @ (2, 2)", lambda a, b: a @ b, (_A[:, :2], _A[:, 1:])),
    ("a.sum()", lambda a: a.sum(), (_A,)),
    ("a.relu()", lambda a: a.relu(), (_A,)),
    ("a.tanh()", lambda a: a.tanh(), (_A,)),
]


def _reference(op, arrays, g):
    ref = [ad.Tensor(a, requires_grad=True) for a in arrays]
    out = op(*ref)
    out.backward(g)
    grads = [
        np.zeros(np.shape(a)) if r.grad is None else r.grad.numpy() for a, r in zip(arrays, ref)
    ]
    return out.detach().numpy(), grads


def _recorded(Tensor, op, arrays, g):
    """(value, [cotangent of each operand]) read from the result's parents."""
    tensors = [Tensor(a, requires_grad=True) for a in arrays]
    z = op(*tensors)
    if not isinstance(z, Tensor):
        raise TypeError(f"the operation returned a {type(z).__name__}, not a Tensor")
    shares = []
    for t in tensors:
        share = np.zeros(t.shape)
        for p, vjp in z.parents:
            if p is t:
                v = np.asarray(vjp(g), dtype=float)
                if v.shape != t.shape:
                    raise ValueError(
                        f"a vjp returned shape {v.shape} for an operand of shape {t.shape}: a "
                        "cotangent has the shape of its operand, so un-broadcast it "
                        "(unbroadcast(g, a.shape))"
                    )
                share = share + v
        shares.append(share)
    return (np.asarray(z.data), *shares)


def tensor_ops(Tensor) -> bool:
    """Exercise 1: each operation's value and recorded VJPs, against ad.Tensor."""
    cases = []
    for name, op, arrays in _OPS:
        g = _cotangent(op, arrays)
        value, grads = _reference(op, arrays, g)
        hints = {}
        if "@" in name:
            a, b = arrays
            hints[
                lambda got, a=a, b=b, g=g: (
                    len(got) == 3
                    and np.shape(got[1]) == a.shape
                    and a.shape[0] == a.shape[1]
                    and np.allclose(got[1], (g @ b.T).T)
                )
            ] = "the vjp for a is transposed: g @ b.data.T"
        if name == "a.tanh()":
            hints[lambda got, a=arrays[0], g=g: np.allclose(got[1], g * (1 - a**2))] = (
                "that uses 1 - a**2; the derivative of tanh is 1 - tanh(a)**2"
            )
        if name == "a.relu()":
            hints[lambda got, a=arrays[0], g=g: np.allclose(got[1], g * np.maximum(a, 0))] = (
                "the relu rule passes g through where a > 0 (times 1, not times a)"
            )
        if name == "a * a":
            hints[lambda got, a=arrays[0], g=g: np.allclose(got[1], g * a)] = (
                "a * a uses a twice: both pairs (a, vjp) hold a, and their shares add up to 2 a g"
            )
        cases.append(
            Case(
                args=(name,),
                expected=(value, *grads),
                name=f"{name}: value, then cotangents",
                rtol=1e-10,
                atol=1e-12,
                hints=hints,
            )
        )
    table = {name: (op, arrays) for name, op, arrays in _OPS}

    def run(name):
        op, arrays = table[name]
        return _recorded(Tensor, op, arrays, _cotangent(op, arrays))

    return check("Tensor operations", run, cases)


def _cotangent(op, arrays):
    """A fixed cotangent with the shape of op's result."""
    shape = op(*[ad.Tensor(a) for a in arrays]).shape
    return np.cos(np.arange(int(np.prod(shape)), dtype=float) + 0.3).reshape(shape)


# ----------------------------------------------------------------------------
# Exercise 2: backward
# ----------------------------------------------------------------------------


def _run_net(X, W, b, V):
    h = (X @ W + b).tanh()
    r = (h @ V).relu()
    return (h * r + h).sum() + (r * b).sum()


def _net_grads(T, arrays):
    ts = [T(arrays[0])] + [T(a, requires_grad=True) for a in arrays[1:]]
    _run_net(*ts).backward()
    return tuple(
        None
        if t.grad is None
        else np.array(t.grad if not hasattr(t.grad, "numpy") else t.grad.numpy(), dtype=float)
        for t in ts[1:]
    )


def _propagated(Tensor, arrays, kind):
    """The leaves' gradients of the network, by a backward pass of the given kind over the
    parents recorded by your operations: "right", "overwrite" or "breadth-first"."""
    ts = [Tensor(arrays[0])] + [Tensor(a, requires_grad=True) for a in arrays[1:]]
    out = _run_net(*ts)
    if kind == "breadth-first":
        walk, queue, met = [], [out], {id(out)}
        while queue:
            node = queue.pop(0)
            walk.append(node)
            for parent, _ in node.parents:
                if id(parent) not in met:
                    met.add(id(parent))
                    queue.append(parent)
    else:  # a depth-first post-order, reversed: users before the tensors they use
        post, done = [], set()

        def dfs(node):
            done.add(id(node))
            for parent, _ in node.parents:
                if id(parent) not in done:
                    dfs(parent)
            post.append(node)

        dfs(out)
        walk = post[::-1]
    bars = {id(out): np.ones(out.shape)}
    for node in walk:
        for parent, vjp_fn in node.parents if id(node) in bars else ():
            part = np.asarray(vjp_fn(bars[id(node)]), dtype=float)
            keep = kind != "overwrite" and id(parent) in bars
            bars[id(parent)] = bars[id(parent)] + part if keep else part
    return tuple(bars.get(id(t), np.zeros(t.shape)) for t in ts[1:])


def backward(Tensor) -> bool:
    """Exercise 2: Tensor.backward, against ad.Tensor."""

    def square_sum(a):
        x = Tensor(a, requires_grad=True)
        (x * x).sum().backward()
        return np.asarray(x.grad, dtype=float)

    def twice(a):
        x = Tensor(a, requires_grad=True)
        (x * x).sum().backward()
        (x * x).sum().backward()
        return np.asarray(x.grad, dtype=float)

    def lesson(w, data):
        wt, dt = Tensor(w, requires_grad=True), Tensor(data)
        (wt * dt).sum().backward()
        return np.asarray(wt.grad, dtype=float), dt.grad

    def explicit(a, g):
        v = Tensor(a, requires_grad=True)
        (v * v * v).backward(g)
        return np.asarray(v.grad, dtype=float)

    def net(arrays):
        return _net_grads(Tensor, arrays)

    rng = np.random.default_rng(5)
    arrays = [rng.normal(size=s) for s in [(4, 3), (3, 3), (3,), (3, 3)]]
    expected_net = _net_grads(ad.Tensor, arrays)
    net_hints = {
        lambda got: got[1] is not None and np.shape(got[1]) != (3,): "b.grad must have b's "
        "shape (3,): the bias is broadcast over the batch, so its vjp must un-broadcast",
    }
    try:  # what the classic bugs give on your Tensors (if your operations work)
        right = _propagated(Tensor, arrays, "right")
        if all(np.allclose(r, e, rtol=1e-10) for r, e in zip(right, expected_net)):
            for kind, text in [
                (
                    "overwrite",
                    "this is what overwriting gives: add each share into the "
                    "parent's cotangent, a tensor used twice gets two shares",
                ),
                (
                    "breadth-first",
                    "this is what a breadth-first walk gives: visit the tensors in "
                    "reverse topological order, so that a tensor passes its cotangent on only once "
                    "all of its users have added theirs",
                ),
            ]:
                wrong = _propagated(Tensor, arrays, kind)
                # A gradient that this bug gets wrong, and that you got wrong in the same way
                # (the bugs differ in details, so one such gradient is enough for the hint).
                if not all(np.allclose(w, r) for w, r in zip(wrong, right)):
                    net_hints[
                        lambda got, wrong=wrong, right=right: any(
                            g is not None
                            and np.shape(g) == np.shape(w)
                            and np.allclose(g, w)
                            and not np.allclose(w, r)
                            for g, w, r in zip(got, wrong, right)
                        )
                    ] = text
        else:
            net_hints[lambda got: True] = (
                "the operations of Exercise 1 are not right yet, so no backward pass can be: "
                "fix them first (run the self-check of Exercise 1)"
            )
    except Exception:
        pass
    x = np.array([1.0, 2.0, 3.0])
    checks = [
        (
            "(x * x).sum() at x = [1, 2, 3]",
            square_sum,
            (x,),
            2 * x,
            {
                _near(x): "x * x uses x twice: add both shares (+=), don't overwrite",
                _near(np.zeros(3)): "every gradient is 0: seed the output's cotangent with ones",
            },
        ),
        (
            "two backward() calls add up",
            twice,
            (x,),
            4 * x,
            {
                _near(2 * x): "after two calls x.grad should hold twice the gradient: the second "
                "call adds to x.grad (as in PyTorch). If the check above fails too, fix it first"
            },
        ),
        (
            "the lesson's (w * data).sum()",
            lesson,
            (np.array([1.0, 2.0]), np.array([3.0, 4.0])),
            (np.array([3.0, 4.0]), None),
            {},
        ),
        (
            "(v * v * v).backward(g) with g = [1, 2]",
            explicit,
            (np.array([0.5, -1.0]), np.array([1.0, 2.0])),
            np.array([0.75, 6.0]),
            {_near(np.array([0.75, 3.0])): "use the gradient argument as the seed, not ones"},
        ),
        (
            "a small network with a broadcast bias and shared tensors",
            net,
            (arrays,),
            expected_net,
            net_hints,
        ),
    ]
    cases = []
    fns = {}
    for name, fn, args, expected, hints in checks:
        fns[name] = fn
        cases.append(
            Case(
                args=(name, *args),
                expected=expected,
                name=name,
                rtol=1e-10,
                atol=1e-12,
                hints=hints,
            )
        )
    return check("backward", lambda name, *args: fns[name](*args), cases)


# ----------------------------------------------------------------------------
# Exercises 3 to 5: the network, its tape and its training
# ----------------------------------------------------------------------------

xs = np.linspace(-2.0, 2.0, 32).reshape(-1, 1)
ys = np.sin(xs)


def init_params(seed, widths=(1, 16, 1)):
    """The lab's initial parameters [(W_1, b_1), ...] (the same as its init_params)."""
    rng = np.random.default_rng(seed)
    layers = []
    for k, (n_in, n_out) in enumerate(zip(widths[:-1], widths[1:])):
        last = k == len(widths) - 2
        W = rng.normal(size=(n_in, n_out)) / np.sqrt(n_in)
        layers.append((W, np.zeros(n_out) if last else rng.normal(size=n_out)))
    return layers


def loss_ad(params, x, y):
    """The network's loss with autodiff_lite's anp, for checking (and for the tape of
    Exercise 4): tanh after every layer but the last, then the mean squared error."""
    h = x
    for weight, bias in params[:-1]:
        h = anp.tanh(h @ weight + bias)
    return anp.mean((h @ params[-1][0] + params[-1][1] - y) ** 2)


def _tensors(Tensor, layers):
    return [(Tensor(W, requires_grad=True), Tensor(b, requires_grad=True)) for W, b in layers]


def mlp_loss(Tensor, fn) -> bool:
    """Exercise 3: mlp_loss(params, x, y): the loss and its gradients, at several depths."""

    def run(seed, widths):
        params = _tensors(Tensor, init_params(seed, widths))
        loss = fn(params, Tensor(xs), Tensor(ys))
        if not isinstance(loss, Tensor):
            raise TypeError(f"mlp_loss returned a {type(loss).__name__}, not a Tensor")
        loss.backward()
        grads = [(np.asarray(W.grad), np.asarray(b.grad)) for W, b in params]
        return {"loss": np.asarray(loss.data), "grads": grads}

    cases = []
    for seed, widths, name in [
        (0, (1, 16, 1), "one hidden layer of 16"),
        (1, (1, 8, 4, 1), "two hidden layers, 8 and 4 units"),
        (2, (1, 1), "a single linear layer (no tanh at all)"),
    ]:
        p0 = init_params(seed, widths)
        expected = {"loss": np.asarray(loss_ad(p0, xs, ys)), "grads": ad.grad(loss_ad)(p0, xs, ys)}
        hints = {
            lambda got: np.shape(got["loss"]) != (): "return the loss as a Tensor of shape (): "
            "use .mean() (or .sum() * (1 / n)) at the end",
            lambda got, e=expected: np.isclose(
                float(np.asarray(got["loss"]).sum()), 32 * float(e["loss"])
            ): "that is the sum of the squared errors: take the mean",
        }
        cases.append(
            Case(
                args=(seed, widths),
                expected=expected,
                name=f"the loss and its gradients, {name}",
                rtol=1e-10,
                atol=1e-12,
                hints=hints,
            )
        )
    return check("mlp_loss", run, cases)


def measured_tape(depth, width, batch):
    """(nodes, floats): the tape autodiff_lite records for loss_ad, counted."""
    from autodiff_lite.recording import record

    layers = init_params(0, (1, *[width] * depth, 1))
    flat = [a for layer in layers for a in layer]

    def loss_of_leaves(x, y, *leaves):
        return loss_ad(list(zip(leaves[::2], leaves[1::2])), x, y)

    x = np.linspace(-2.0, 2.0, batch).reshape(-1, 1)
    tape = record(loss_of_leaves, x, np.sin(x), *flat)
    return len(tape.nodes), sum(int(np.size(node.ans)) for node in tape.nodes)


def predict_tape(fn) -> bool:
    """Exercise 4: predict_tape(depth, width, batch), against counts worked out by hand."""
    cases = []
    for depth, width, batch, expected, name in [
        # 3 nodes of (32, 16) for the hidden layer; 4 of (32, 1) and 2 of () at the end
        (1, 16, 32, (9, 3 * 32 * 16 + 4 * 32 + 2), "one hidden layer of 16, batch 32"),
        (2, 16, 32, (12, 6 * 32 * 16 + 4 * 32 + 2), "two hidden layers of 16, batch 32"),
        (3, 8, 10, (15, 9 * 10 * 8 + 4 * 10 + 2), "three hidden layers of 8, batch 10"),
        (0, 50, 7, (6, 4 * 7 + 2), "no hidden layer: one linear layer, batch 7"),
    ]:
        hints = {
            lambda got, e=expected: tuple(got)[0] == e[0] - 1: "one node short: anp.mean "
            "records two nodes (a sum, then a division)",
            lambda got, e=expected, d=depth: tuple(got)[0] == e[0] - d: "one node short per "
            "hidden layer: a layer is a matmul, an add (the bias) and a tanh",
            lambda got, e=expected, d=depth: tuple(got)[0] == e[0] + 2 * d + 2: "the "
            "parameters and the data are the tape's inputs, not nodes",
        }
        cases.append(Case(args=(depth, width, batch), expected=expected, name=name, hints=hints))
    return check("predict_tape", fn, cases)


def _train_reference(p0, steps, lr):
    value_and_grad = ad.value_and_grad(loss_ad)
    params, losses = list(p0), []
    for _ in range(steps):
        loss, grads = value_and_grad(params, xs, ys)
        params = [(W - lr * gW, b - lr * gb) for (W, b), (gW, gb) in zip(params, grads)]
        losses.append(float(loss))
    return np.array(losses)


def train(Tensor, sgd_step_fn, train_fn) -> bool:
    """Exercise 5: sgd_step(params, lr) and train(params, x, y, steps, lr)."""

    def step():
        W, b = Tensor([[1.0, 2.0]], requires_grad=True), Tensor([0.5], requires_grad=True)
        same = W.data
        ((W * W).sum() + b.sum()).backward()
        sgd_step_fn([(W, b)], 0.25)
        return {
            "W": np.asarray(W.data),
            "b": np.asarray(b.data),
            "grads cleared": W.grad is None and b.grad is None,
            "updated in place": W.data is same or bool(np.shares_memory(W.data, same)),
        }

    def training(steps):
        params = _tensors(Tensor, init_params(0))
        losses = train_fn(params, Tensor(xs), Tensor(ys), steps, 0.1)
        return np.asarray(losses, dtype=float)

    step_case = Case(
        args=("sgd_step on W = [[1, 2]], b = [0.5], lr = 0.25",),
        expected={
            "W": np.array([[0.5, 1.0]]),
            "b": np.array([0.25]),
            "grads cleared": True,
            "updated in place": True,
        },
        name="sgd_step on one layer, W = [[1, 2]] with grad [[2, 4]], b = [0.5] with grad [1]",
        hints={
            lambda got: np.allclose(got["W"], [[1.0, 2.0]]): "W.data did not change: update it "
            "in place, p.data -= lr * p.grad (rebinding p = ... inside the loop changes nothing "
            "outside it)",
            lambda got: not got["updated in place"]: "update the array in place "
            "(p.data -= lr * p.grad), so that the Tensors in params stay the leaves",
            lambda got: not got["grads cleared"]: "set p.grad = None after the update, or the "
            "next backward() adds to the old gradient",
        },
    )
    expected = _train_reference(init_params(0), 200, 0.1)
    train_case = Case(
        args=("train: 200 steps, lr = 0.1, from init_params(0)",),
        expected=expected,
        name="train: 200 steps, lr = 0.1, from init_params(0) (ends below 0.02)",
        rtol=1e-8,
        atol=1e-12,
        hints={
            lambda got: len(got) == 200 and np.allclose(got, got[0]): "the loss never changes: "
            "update the parameters in place",
            lambda got: len(got) == 200 and np.allclose(got[:-1], expected[1:]): "each loss "
            "was recorded after its update: record it before (the loss of the forward pass)",
            lambda got: (
                len(got) == 200
                and np.isclose(got[0], expected[0])
                and not np.isclose(got[1], expected[1])
            ): "the first loss is right but the second "
            "is not, so the first update went wrong. If the self-checks of Exercises 1 to 3 "
            "pass, check that sgd_step clears the gradients",
        },
    )
    runs = {step_case.args[0]: step, train_case.args[0]: lambda: training(200)}
    return check("sgd_step and train", lambda name: runs[name](), [step_case, train_case])
