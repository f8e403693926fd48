"""Plausible wrong answers to Lab 18 (bilevel optimization); format in lab_wrong_answers.py."""

from lab_wrong_answers import solution_with

LAB = "lab18-bilevel"

WRONG = {
    "fit_logistic": [
        # the penalty forgotten in the gradient: the unpenalized (overfitted) weights
        solution_with(
            LAB,
            "fit_logistic",
            "slope = X.T @ (prob - y) / n_samples + lam * w",
            "slope = X.T @ (prob - y) / n_samples",
        ),
        # a sum where the loss has a mean: the minimizer of another objective
        solution_with(
            LAB,
            "fit_logistic",
            "slope = X.T @ (prob - y) / n_samples + lam * w",
            "slope = X.T @ (prob - y) + lam * w",
        ),
        # the last iterate returned when Newton's method has not converged
        solution_with(
            LAB,
            "fit_logistic",
            "    raise RuntimeError(\n",
            "    return w\n    raise RuntimeError(\n",
        ),
    ],
    "hypergradient": [
        # the minus sign of dw*/dlam = -H^{-1} (w * e_j) lost
        solution_with(LAB, "hypergradient", "return -np.bincount", "return np.bincount"),
        # dV/dlam, not dV/ds: the chain rule through lam = exp(s) forgotten
        solution_with(LAB, "hypergradient", "weights=penalty * w * adjoint", "weights=w * adjoint"),
        # the Hessian of the data term alone (the penalty's diag(lam) left out)
        solution_with(
            LAB, "hypergradient", "/ len(y) + np.diag(penalty)", "/ len(y) + 1e-9 * np.eye(len(w))"
        ),
        # the gradient of the training loss where the validation loss belongs
        solution_with(
            LAB, "hypergradient", "Xv.T @ (prob_val - yv) / len(yv)", "X.T @ (prob - y) / len(y)"
        ),
    ],
    "predict_tape_nodes": [
        # every step counted in full (the first step's constants recorded too)
        solution_with(
            LAB, "predict_tape_nodes", "return 2 + 4 + 12 * (K - 1) + 8", "return 2 + 12 * K + 8"
        ),
        # the implicit tape thought to grow with K as well
        solution_with(LAB, "predict_tape_nodes", "return 2 + 1 + 8", "return 2 + 12 * K + 1 + 8"),
        # anp.mean taken as one node
        solution_with(
            LAB,
            "predict_tape_nodes",
            "return 2 + 4 + 12 * (K - 1) + 8",
            "return 2 + 4 + 12 * (K - 1) + 7",
        ),
        # measured instead of predicted, with the library's recorder: a forbidden shortcut
        """def predict_tape_nodes(K, method):
    loss = implicit_loss if method == "implicit" else (lambda s: unrolled_loss(s, K))
    return len(ad.recording.record(loss, np.zeros(2)).nodes)
""",
    ],
    "tune": [
        # gradient ascent: the step's sign
        solution_with(LAB, "tune", "s = np.clip(s - step", "s = np.clip(s + step"),
        # the training data used as the validation set: the penalties only ever shrink
        solution_with(
            LAB,
            "tune",
            "hypergradient(w_trained, X, y, Xv, yv, s, groups)",
            "hypergradient(w_trained, X, y, X, y, s, groups)",
        ),
    ],
}
