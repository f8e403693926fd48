"""Self-checks for the labs: run the visible checks of an exercise and explain a failure.

A lab exercise asks for a function; its self-check calls that function on a few
:class:`Case` inputs and prints one line per case, ✓ or ✗. For a failing case it
says what went in, what was expected and what came back (with the shapes when
they differ, which is how a forgotten un-broadcast shows up), and a hint when the
output matches a classic mistake. Exceptions from the student's code are caught
and explained: ``NotImplementedError`` means "not implemented yet", anything else
is shown with its type, message, the input that caused it and the line it came
from. A self-check only runs the checks it is given, which are the visible ones,
so it never claims more than that: hidden tests with other inputs run at grading.

>>> cases = [Case(args=(2.0,), expected=4.0, name="square at 2",
...               hints={lambda got: np.allclose(got, 2.0): "you returned x, not x**2"})]
>>> check("square", lambda x: x * x, cases)
square
  ✓ square at 2
square: visible checks passed (1/1); hidden tests with other inputs run when your lab is graded.
True
"""

from __future__ import annotations

import inspect
import os
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Case", "check", "student"]

Hints = Mapping[Callable[[Any], bool], str]


@dataclass
class Case:
    """One visible check: call ``fn(*args, **kwargs)`` and compare with ``expected``.

    ``hints`` maps predicates on the student's output to a sentence shown when the
    case fails: the first one whose predicate holds (e.g. "you returned x, not x**2"),
    so list the specific mistakes before the general ones. Numbers and
    arrays are compared with ``np.allclose(got, expected, rtol, atol)`` after checking
    that the shapes are equal; tuples, lists and dicts are compared item by item.
    """

    args: tuple = ()
    expected: Any = None
    name: str = ""
    rtol: float = 1e-7
    atol: float = 0.0
    hints: Hints = field(default_factory=dict)
    kwargs: dict = field(default_factory=dict)


# ----------------------------------------------------------------------------
# Showing values in plain words
# ----------------------------------------------------------------------------


def _float(v: float) -> str:
    text = f"{v:.7g}"
    return text if any(c in text for c in ".en") else text + "."  # 1. not 1: a float


def _show(value: Any, limit: int = 120) -> str:
    """A short, one-line form of an input or output (functions by name, arrays compactly)."""
    if callable(value) and hasattr(value, "__name__"):
        return value.__name__
    if isinstance(value, np.ndarray):
        body = np.array2string(
            value, threshold=8, edgeitems=2, separator=", ", formatter={"float": _float}
        )
        body = " ".join(body.split())
        body = body if len(body) <= limit else body[: limit - 3] + "..."
        return f"array({body}, shape={value.shape})" if value.ndim else f"array({body})"
    if isinstance(value, np.generic):
        text = repr(value.item())
    elif isinstance(value, (tuple, list)):
        inner = ", ".join(_show(v, limit) for v in value)
        if isinstance(value, list):
            text = f"[{inner}]"
        else:
            text = f"({inner},)" if len(value) == 1 else f"({inner})"
    elif isinstance(value, dict):
        text = "{" + ", ".join(f"{k!r}: {_show(v, limit)}" for k, v in value.items()) + "}"
    else:
        text = " ".join(repr(value).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _show_inputs(fn: Callable, case: Case) -> str:
    """``name=value`` for each argument, using the parameter names of ``fn`` when they fit."""
    try:
        bound = inspect.signature(fn).bind(*case.args, **case.kwargs)
        return ", ".join(f"{k}={_show(v)}" for k, v in bound.arguments.items())
    except (TypeError, ValueError):
        parts = [_show(a) for a in case.args] + [f"{k}={_show(v)}" for k, v in case.kwargs.items()]
        return ", ".join(parts)


def _shape(value: Any) -> tuple | None:
    try:
        return np.shape(value)
    except Exception:  # ragged or exotic values have no shape
        return None


# ----------------------------------------------------------------------------
# Comparing
# ----------------------------------------------------------------------------


def _mismatch(got: Any, expected: Any, rtol: float, atol: float, where: str = "") -> str | None:
    """None if ``got`` matches ``expected``; otherwise why not, in words."""
    at = f" (at {where})" if where else ""
    if isinstance(expected, (tuple, list)):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            n = len(got) if isinstance(got, (tuple, list)) else None
            return f"expected {type(expected).__name__} of {len(expected)} items{at}, got " + (
                f"{n} items" if n is not None else f"a {type(got).__name__}"
            )
        for i, (g, e) in enumerate(zip(got, expected)):
            why = _mismatch(g, e, rtol, atol, f"{where}[{i}]")
            if why:
                return why
        return None
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return f"expected a dict{at}, got a {type(got).__name__}"
        if set(got) != set(expected):
            return f"expected the keys {sorted(expected)}{at}, got {sorted(got)}"
        for k in expected:
            why = _mismatch(got[k], expected[k], rtol, atol, f"{where}[{k!r}]")
            if why:
                return why
        return None
    if isinstance(expected, (str, bool)) or expected is None:
        return None if got == expected else f"values differ{at}"
    if got is None:
        return f"your function returned None{at}: is a `return` missing?"
    if np.iscomplexobj(got) and not np.iscomplexobj(expected):
        return f"expected a real number{at}, got a complex one (take its .real or .imag part)"
    try:
        g = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return f"expected a number or array{at}, got a {type(got).__name__}"
    e = np.asarray(expected, dtype=float)
    if g.shape != e.shape:
        return f"shapes differ{at}: expected shape {e.shape}, got shape {g.shape}"
    if not np.allclose(g, e, rtol=rtol, atol=atol):
        with np.errstate(invalid="ignore"):
            worst = np.max(np.abs(g - e)) if g.size else 0.0
        return f"values differ{at} by up to {worst:.3g} (allowed: rtol={rtol:g}, atol={atol:g})"
    return None


# ----------------------------------------------------------------------------
# Explaining exceptions
# ----------------------------------------------------------------------------


def _where(err: BaseException) -> str:
    """The last line of the traceback outside this module: where the student's code failed."""
    here = os.path.abspath(__file__)
    frames = [
        f for f in traceback.extract_tb(err.__traceback__) if os.path.abspath(f.filename) != here
    ]
    if not frames:
        return ""
    f = frames[-1]
    line = f"   `{f.line.strip()}`" if f.line else ""
    return f"line {f.lineno}, in {f.name}{line}"


def _call(fn: Callable, case: Case, label: str) -> tuple[Any, list[str]]:
    """Call ``fn`` on one case; return (output, []) or (None, report lines explaining an error)."""
    try:
        return fn(*case.args, **case.kwargs), []
    except NotImplementedError:
        return None, [f"  ✗ {label}: not implemented yet (replace the `raise NotImplementedError`)"]
    except Exception as err:  # the student's code failed: explain, never raise
        lines = [f"  ✗ {label}: raised {type(err).__name__}: {err}"]
        lines.append(f"      input:    {_show_inputs(fn, case)}")
        where = _where(err)
        if where:
            lines.append(f"      where:    {where}")
        if isinstance(err, TypeError) and "argument" in str(err):
            lines.append("      hint: check the signature of your function against the exercise")
        return None, lines


def _explain_failure(fn: Callable, case: Case, label: str, got: Any, why: str) -> list[str]:
    lines = [f"  ✗ {label}: {why}"]
    lines.append(f"      input:    {_show_inputs(fn, case)}")
    lines.append(f"      expected: {_show(case.expected)}")
    lines.append(f"      got:      {_show(got)}")
    g_shape, e_shape = _shape(got), _shape(case.expected)
    if g_shape is not None and e_shape is not None and g_shape != e_shape and "shape" not in why:
        lines.append(f"      shapes:   expected {e_shape}, got {g_shape}")
    for predicate, hint in case.hints.items():  # the first hint that matches, if any
        try:
            matched = bool(predicate(got))
        except Exception:  # a hint that does not apply to this output
            matched = False
        if matched:
            lines.append(f"      hint: {hint}")
            break
    return lines


def check(
    name: str,
    fn: Callable,
    cases: Sequence[Case],
    compare: Callable[[Any, Any], bool] | None = None,
) -> bool:
    """Run ``fn`` on each case, print a plain-words report, and return True if all passed.

    ``compare(got, expected) -> bool`` replaces the default comparison (shapes, then
    ``np.allclose``; item by item for tuples, lists and dicts). A failing case never
    raises: exceptions from ``fn`` are caught and explained. ``check`` raises
    ``TypeError`` only when it is called wrongly (``fn`` not callable, no cases).
    """
    if not callable(fn):
        raise TypeError(
            f"check({name!r}, ...) needs the function to check as its second argument, "
            f"got {_show(fn)} of type {type(fn).__name__}; pass the function itself, "
            f"e.g. check({name!r}, my_function, cases), without calling it"
        )
    cases = list(cases)
    if not cases or not all(isinstance(c, Case) for c in cases):
        raise TypeError(f"check({name!r}, ...) needs a non-empty list of Case objects")
    if compare is not None and not callable(compare):
        raise TypeError(f"check({name!r}, ...): compare must be a function (got, expected) -> bool")

    report, passed = [name], 0
    for i, case in enumerate(cases, start=1):
        label = case.name or f"case {i}"
        got, error = _call(fn, case, label)
        if error:
            report.extend(error)
            continue
        if compare is not None:
            try:
                why = None if compare(got, case.expected) else "the result is not what was expected"
            except Exception as err:
                why = f"could not compare the result ({type(err).__name__}: {err})"
        else:
            why = _mismatch(got, case.expected, case.rtol, case.atol)
        if why is None:
            passed += 1
            report.append(f"  ✓ {label}")
        else:
            report.extend(_explain_failure(fn, case, label, got, why))

    n = len(cases)
    if passed == n:
        report.append(
            f"{name}: visible checks passed ({n}/{n}); "
            "hidden tests with other inputs run when your lab is graded."
        )
    else:
        report.append(
            f"{name}: {n - passed} of {n} visible checks failed; fix them and run this cell "
            "again (the hidden tests use other inputs, so make the function right, not just "
            "these cases)."
        )
    print("\n".join(report))
    return passed == n


class _ThisNotebook:
    """``student``: the names of the notebook you are working in, as attributes.

    A lab's tests write ``student.ad.grad(loss)(theta)`` when autodiff must run *where your
    function lives*. In your kernel that is your notebook, and ``student.ad`` is simply your
    ``ad``; when the lab is graded, your cells run in a sandboxed process of their own and
    the grader binds ``student`` to that process instead (``notebooks/grader/harness.py``),
    so the same test line works in both places. ``student.name = value`` rebinds a name.
    """

    @staticmethod
    def _names() -> dict:
        try:  # a Jupyter kernel: the notebook's namespace
            from IPython import get_ipython

            shell = get_ipython()
        except ImportError:
            shell = None
        if shell is not None:
            return shell.user_ns
        import __main__

        return vars(__main__)

    def __getattr__(self, name: str):
        try:
            return self._names()[name]
        except KeyError:
            raise AttributeError(
                f"this notebook defines no name {name!r} yet: run the cells "
                "above (Kernel > Restart Kernel and Run All Cells)"
            ) from None

    def __setattr__(self, name: str, value) -> None:
        self._names()[name] = value

    def __repr__(self) -> str:
        return "<the names of this notebook>"


student = _ThisNotebook()
