"""Plausible wrong answers to Lab 1 (finite differences)
(format: ``tests/lab_wrong_answers.py``)."""

LAB = "lab1-finite-differences"

WRONG = {
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
    "predict_order": [
        # counting points: n points give order n - 1 (wrong for symmetric stencils)
        """
def predict_order(offsets, weights):
    return len(offsets) - 1
""",
        # off by one: the index of the first non-vanishing moment, not the power of h
        """
def predict_order(offsets, weights):
    k, w = np.asarray(offsets, dtype=float), np.asarray(weights, dtype=float)
    m = 2
    while abs(np.sum(w * k**m)) < 1e-9 * np.sum(np.abs(w * k**m)):
        m += 1
    return m
""",
        # compares the moments with == 0: round-off makes a vanishing moment 1e-16
        """
def predict_order(offsets, weights):
    k, w = np.asarray(offsets, dtype=float), np.asarray(weights, dtype=float)
    m = 2
    while np.sum(w * k**m) == 0:
        m += 1
    return m - 1
""",
    ],
}
