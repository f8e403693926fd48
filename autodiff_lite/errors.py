"""Exceptions with messages that say what went wrong and how to fix it.

Each error subclasses the built-in exception a Python user would expect
(``TypeError`` for a wrong kind of value, ``ValueError`` for a wrong shape), so
``except TypeError`` still works, while the class name tells the story.
"""


class DifferentiationError(TypeError):
    """An operation that has no derivative rule was differentiated."""


class EscapedTracerError(RuntimeError):
    """A traced value outlived the transform that created it."""


class NumpyOnTracerError(TypeError):
    """A plain numpy function was applied to a traced value."""


class ShapeMismatchError(ValueError):
    """Tangents, cotangents or arguments have the wrong shape."""


class GradientCheckError(AssertionError):
    """``check_grads`` found a derivative that disagrees with finite differences."""


class BackwardError(RuntimeError):
    """``Tensor.backward`` was used in a way that cannot give a gradient."""


class NonScalarOutputError(TypeError):
    """``grad`` was asked for the gradient of a function whose output is not a scalar."""


class ConvergenceError(RuntimeError):
    """An iterative solver (``fixed_point``) stopped before reaching its tolerance.

    ``method``, ``iterations`` and ``residual`` say how far it got.
    """

    def __init__(self, message: str, method: str = "", iterations: int = 0, residual=None):
        super().__init__(message)
        self.method = method
        self.iterations = iterations
        self.residual = residual
