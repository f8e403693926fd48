"""Helpers for the labs' hidden tests, on the grader's side (one module for every lab).

A lab's hidden tests run in the grader (``harness.py``), never in the student's process,
so they may import this module: ``from grader.testkit import fresh_rng, assert_close``.
Visible tests run in the student's kernel as well, so they must not import it (students
do not have it). The failure messages here go to the instructor (``DIFFPROG_DEBUG_TESTS``);
students only learn that a hidden test failed.
"""

from __future__ import annotations

import numpy as np


def fresh_rng() -> np.random.Generator:
    """Random inputs nobody has seen: unseeded, different at every grading run."""
    return np.random.default_rng()


def sent(a):
    """``a`` as numpy's own arithmetic would hand it to the student's function: a 0-d
    array as a numpy scalar (the grading wire delivers a 0-d array as shape (1,))."""
    return a[()] if isinstance(a, np.ndarray) and a.ndim == 0 else a


def assert_close(got, expected, what: str, rtol: float = 1e-7, atol: float = 1e-10) -> None:
    """``got`` has ``expected``'s shape and values (tuples compared element by element)."""
    if isinstance(expected, tuple):
        assert isinstance(got, tuple), f"{what}: return a tuple"
        assert len(got) == len(expected), f"{what}: expected {len(expected)} results"
        for k, (g, e) in enumerate(zip(got, expected)):
            assert_close(g, e, f"{what}[{k}]", rtol, atol)
        return
    assert np.shape(got) == np.shape(expected), (
        f"{what}: shape {np.shape(got)}, expected {np.shape(expected)}"
    )
    got_f = np.asarray(got, dtype=complex if np.iscomplexobj(expected) else float)
    assert np.allclose(got_f, expected, rtol=rtol, atol=atol), f"{what}: {got!r} != {expected!r}"


def as_number(value, what: str) -> float:
    """A prediction the student wrote: it must be a plain number (an int, a float), not a
    function, an array or a string."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise AssertionError(f"{what}: a prediction must be a number, not {type(value).__name__}")
    return float(value)


def assert_predicted(predicted, measured, what: str, rtol: float = 0.0) -> None:
    """A *predict, then measure* check: the student's number against the library's
    deterministic counter (exactly, or within ``rtol`` for a rate or an order)."""
    p = as_number(predicted, what)
    assert abs(p - measured) <= rtol * abs(measured), f"{what}: predicted {p}, measured {measured}"


class Calls:
    """Counts the calls of a function: ``f = Calls(g)``; ``f(x)``; ``f.n`` (passes, steps)."""

    def __init__(self, fn):
        self.fn, self.n = fn, 0

    def __call__(self, *args, **kwargs):
        self.n += 1
        return self.fn(*args, **kwargs)
