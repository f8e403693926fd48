"""Plausible wrong answers to Lab 4 (VJPs of array code)
(format: ``tests/lab_wrong_answers.py``)."""

from lab_wrong_answers import solution_with

LAB = "lab4-array-vjps"

WRONG = {
    "vjp_matmul": [
        # A_bar transposed (right shape only for square matrices)
        solution_with(LAB, "vjp_matmul", "return g @ B.T, A.T @ g", "return B @ g.T, A.T @ g"),
        # B_bar transposed
        solution_with(LAB, "vjp_matmul", "return g @ B.T, A.T @ g", "return g @ B.T, g.T @ A"),
    ],
    "unbroadcast": [
        # forgets to un-broadcast: returns g for both arguments of x + y
        solution_with(
            LAB,
            "unbroadcast",
            "return unbroadcast(g, np.shape(x)), unbroadcast(g, np.shape(y))",
            "return g, g",
        ),
        # sums the stretched axes away instead of keeping them with length 1
        solution_with(
            LAB,
            "unbroadcast",
            "g.sum(axis=stretched, keepdims=True).reshape(shape)",
            "g.sum(axis=stretched)",
        ),
    ],
    # broadcasts g from the right without putting the summed axes back
    "vjp_sum": solution_with(
        LAB, "vjp_sum", "    if not keepdims:\n        g = np.expand_dims(g, axes)\n", ""
    ),
    "vjp_softmax_cross_entropy": [
        # the gradient of the sum, not of the mean: forgets 1/B
        solution_with(LAB, "vjp_softmax_cross_entropy", "return loss, p / B", "return loss, p"),
        # no max subtraction: exp(1000) overflows
        solution_with(
            LAB,
            "vjp_softmax_cross_entropy",
            "shifted = z - z.max(axis=1, keepdims=True)",
            "shifted = z",
        ),
    ],
    "linear_backward": [
        # the bias gradient not un-broadcast: shape (B, m) instead of (m,)
        solution_with(LAB, "linear_backward", "Y_bar.sum(axis=0)", "Y_bar"),
        # the lesson's convention Y = X W + b: W_bar transposed
        solution_with(LAB, "linear_backward", "Y_bar.T @ X", "X.T @ Y_bar"),
    ],
    "predict_jacobian_bytes": [
        # entries, not bytes
        solution_with(LAB, "predict_jacobian_bytes", "8 * output_entries", "output_entries"),
        # the batch counted once for X: (m, B, n) instead of (B, m, B, n)
        solution_with(
            LAB,
            "predict_jacobian_bytes",
            "(batch * n_in, n_out * n_in, n_out)",
            "(n_in, n_out * n_in, n_out)",
        ),
        # the Jacobians of one example, as in the lesson: no batch at all
        solution_with(
            LAB,
            "predict_jacobian_bytes",
            "output_entries = batch * n_out",
            "output_entries, batch = n_out, 1",
        ),
        # float32 sizes
        solution_with(LAB, "predict_jacobian_bytes", "8 * output_entries", "4 * output_entries"),
    ],
}
