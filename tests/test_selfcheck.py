"""autodiff_lite.selfcheck: every branch of the report a student sees."""

import numpy as np
import pytest

from autodiff_lite.selfcheck import Case, check


def square(x):
    return x * x


def report(capsys, *args, **kwargs):
    ok = check(*args, **kwargs)
    return ok, capsys.readouterr().out


def test_pass(capsys):
    cases = [Case((2.0,), 4.0, "at 2"), Case((np.array([1.0, 3.0]),), np.array([1.0, 9.0]))]
    ok, out = report(capsys, "square", square, cases)
    assert ok is True
    lines = out.splitlines()
    assert lines[0] == "square"
    assert lines[1] == "  ✓ at 2"
    assert lines[2] == "  ✓ case 2"  # unnamed cases are numbered
    assert lines[-1] == (
        "square: visible checks passed (2/2); hidden tests with other inputs run when your "
        "lab is graded."
    )


def test_wrong_value_shows_input_expected_got(capsys):
    ok, out = report(capsys, "square", lambda x: x + x, [Case((3.0,), 9.0, "at 3")])
    assert ok is False
    assert "  ✗ at 3: values differ by up to 3" in out
    assert "input:    x=3.0" in out
    assert "expected: 9.0" in out
    assert "got:      6.0" in out
    assert "1 of 1 visible checks failed" in out


def test_tolerances_are_used(capsys):
    close = [Case((3.0,), 9.0 + 1e-9, rtol=1e-7)]
    assert report(capsys, "square", square, close)[0] is True
    tight = [Case((3.0,), 9.0 + 1e-9, rtol=0.0, atol=1e-12)]
    assert report(capsys, "square", square, tight)[0] is False
    loose = [Case((3.0,), 9.5, rtol=0.0, atol=1.0)]
    assert report(capsys, "square", square, loose)[0] is True


def test_wrong_shape_is_reported_with_both_shapes(capsys):
    def no_unbroadcast(g):
        return g  # should have summed the broadcast axis away

    case = Case((np.ones((4, 3)),), np.full(3, 4.0), "gradient of a bias")
    ok, out = report(capsys, "bias_grad", no_unbroadcast, [case])
    assert ok is False
    assert "shapes differ: expected shape (3,), got shape (4, 3)" in out
    assert "shape=(4, 3)" in out and "shape=(3,)" in out


def test_shape_mismatch_is_not_broadcast_away(capsys):
    # np.allclose would broadcast (1,) against (); the check must not.
    ok, out = report(capsys, "f", lambda x: np.array([x]), [Case((2.0,), 2.0)])
    assert ok is False and "expected shape (), got shape (1,)" in out


def test_exception_shows_type_message_input_and_line(capsys):
    def broken(x):
        y = x + 1
        return y / 0.0 if isinstance(y, int) else {}["missing"]

    ok, out = report(capsys, "broken", broken, [Case((1.5,), 2.0, "at 1.5")])
    assert ok is False
    assert "✗ at 1.5: raised KeyError: 'missing'" in out
    assert "input:    x=1.5" in out
    assert "where:    line" in out and "in broken" in out and '{}["missing"]' in out


def test_not_implemented_yet(capsys):
    def stub(x):
        raise NotImplementedError("your code here")

    ok, out = report(capsys, "stub", stub, [Case((1.0,), 1.0, "a"), Case((2.0,), 4.0, "b")])
    assert ok is False
    assert "  ✗ a: not implemented yet" in out and "  ✗ b: not implemented yet" in out
    assert "2 of 2 visible checks failed" in out
    assert "Traceback" not in out


def test_wrong_signature_is_explained_not_raised(capsys):
    def two_args(x, y):
        return x * y

    ok, out = report(capsys, "two_args", two_args, [Case((1.0,), 1.0)])
    assert ok is False
    assert "raised TypeError" in out and "check the signature" in out


def test_keyword_arguments_are_passed_and_shown(capsys):
    def scaled(x, h=1.0):
        return x * h

    ok, out = report(capsys, "scaled", scaled, [Case((2.0,), 7.0, kwargs={"h": 3.0})])
    assert ok is False and "input:    x=2.0, h=3.0" in out


def test_hint_selection(capsys):
    hints = {
        lambda got: np.isclose(got, 3.0): "you returned x, not x**2",
        lambda got: np.isclose(got, 6.0): "you returned 2x, the derivative",
        lambda got: got > 0: "a generic hint, after the specific ones",
    }
    case = Case((3.0,), 9.0, "at 3", hints=hints)
    out = report(capsys, "square", lambda x: 2 * x, [case])[1]
    assert "hint: you returned 2x, the derivative" in out
    assert "you returned x, not" not in out
    assert "generic" not in out  # only the first matching hint is shown
    out = report(capsys, "square", lambda x: x + 100.0, [case])[1]
    assert "hint: a generic hint" in out
    out = report(capsys, "square", lambda x: -x, [case])[1]
    assert "hint:" not in out


def test_hint_that_raises_is_ignored(capsys):
    case = Case((3.0,), 9.0, hints={lambda got: got["key"]: "never shown"})
    ok, out = report(capsys, "square", lambda x: x, [case])
    assert ok is False and "never shown" not in out


def test_hints_are_not_shown_for_passing_cases(capsys):
    case = Case((3.0,), 9.0, hints={lambda got: True: "always matches"})
    assert "always matches" not in report(capsys, "square", square, [case])[1]


def test_compare_override(capsys):
    def same_set(got, expected):
        return sorted(got) == sorted(expected)

    cases = [Case(([3, 1, 2],), [1, 2, 3], "a permutation")]
    ok, out = report(capsys, "shuffle", lambda xs: list(reversed(xs)), cases, compare=same_set)
    assert ok is True
    ok, out = report(capsys, "shuffle", lambda xs: xs[:2], cases, compare=same_set)
    assert ok is False and "not what was expected" in out


def test_compare_that_raises_is_reported(capsys):
    def bad_compare(got, expected):
        raise ValueError("cannot compare")

    ok, out = report(capsys, "f", square, [Case((1.0,), 1.0)], compare=bad_compare)
    assert ok is False and "could not compare the result (ValueError: cannot compare)" in out


def test_structured_outputs(capsys):
    def pair(x):
        return x, 2 * x

    ok, _ = report(capsys, "pair", pair, [Case((1.0,), (1.0, 2.0))])
    assert ok is True
    ok, out = report(capsys, "pair", pair, [Case((1.0,), (1.0, 3.0))])
    assert ok is False and "(at [1])" in out
    ok, out = report(capsys, "pair", lambda x: x, [Case((1.0,), (1.0, 2.0))])
    assert ok is False and "expected tuple of 2 items" in out
    ok, out = report(capsys, "d", lambda x: {"a": x}, [Case((1.0,), {"a": 1.0, "b": 2.0})])
    assert ok is False and "expected the keys ['a', 'b']" in out
    ok, _ = report(capsys, "d", lambda x: {"a": x}, [Case((1.0,), {"a": 1.0})])
    assert ok is True


def test_non_numeric_and_complex_outputs(capsys):
    ok, out = report(capsys, "f", lambda x: None, [Case((1.0,), 1.0)])
    assert ok is False and "returned None: is a `return` missing?" in out
    ok, out = report(capsys, "f", lambda x: "1.0x", [Case((1.0,), 1.0)])
    assert ok is False and "expected a number or array, got a str" in out
    ok, out = report(capsys, "f", lambda x: x + 0j, [Case((1.0,), 1.0)])
    assert ok is False and "got a complex one" in out


def test_never_claims_all_tests_passed(capsys):
    for fn in (square, lambda x: x, lambda x: 1 / 0):
        out = report(capsys, "square", fn, [Case((2.0,), 4.0)])[1]
        assert "all tests passed" not in out.lower()
        assert "hidden tests" in out


def test_misuse_raises_and_explains():
    with pytest.raises(TypeError, match="without calling it"):
        check("square", square(2.0), [Case((2.0,), 4.0)])
    with pytest.raises(TypeError, match="non-empty list of Case"):
        check("square", square, [])
    with pytest.raises(TypeError, match="non-empty list of Case"):
        check("square", square, [((2.0,), 4.0)])
    with pytest.raises(TypeError, match="compare must be a function"):
        check("square", square, [Case((2.0,), 4.0)], compare="allclose")


def test_student_is_this_notebook_in_a_kernel():
    """``student``: in the student's own kernel, the notebook's names (the grader binds the
    name to the student's process instead; tests/test_labs.py grades labs that use it)."""
    import subprocess
    import sys

    code = (
        "from IPython.testing.globalipapp import start_ipython\n"
        "ip = start_ipython()\n"
        "ip.run_cell('from autodiff_lite.selfcheck import student\\nanswer = 41')\n"
        "ip.run_cell('student.answer += 1')\n"
        "ip.run_cell('print(answer, student.answer)')\n"
        "ip.run_cell('student.missing')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "42 42" in out.stdout, out.stdout + out.stderr
    assert "defines no name 'missing' yet" in out.stdout + out.stderr
