"""The numpy surface added for issue 15 (autograd's coverage), function by function.

For each new ``anp`` name: it exists; on plain arrays it gives numpy's value (keyword
arguments included); traced, it gives the same value and derivatives that agree with
finite differences (forward and reverse, second order); the arguments we chose not to
support raise errors that say so. The new primitives are also swept by
``test_primitives_fd.py``, and all of them are compared with JAX and PyTorch in
``test_vs_frameworks.py`` (references in ``references/coverage.py``).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import autodiff_lite as ad
import autodiff_lite.numpy as anp

NEW_NAMES = """
    tensordot repeat remainder mod fmod vstack hstack column_stack dstack row_stack split
    array_split hsplit vsplit dsplit tril triu diag diagonal diagflat roll rot90 tile append
    pad sort partition select nan_to_num sinc arcsinh arccosh arctanh degrees radians
    deg2rad rad2deg gradient fabs logaddexp logaddexp2 hypot cbrt fliplr flipud rollaxis
    atleast_1d atleast_2d atleast_3d cumprod average trapezoid trapz kron cross ptp nansum
    nanmean fmax fmin linspace take take_along_axis broadcast_arrays rint trunc fix positive
    full full_like acos acosh asin asinh atan atanh atan2 pow permute_dims
    all any isinf isposinf isneginf isclose allclose array_equal array_equiv logical_xor
    signbit nonzero flatnonzero argwhere count_nonzero searchsorted argpartition isscalar
    isreal iscomplexobj result_type empty_like tril_indices triu_indices diag_indices indices
""".split()
NEW_LINALG = "slogdet cholesky eigh eigvalsh pinv matrix_power multi_dot".split()


def test_every_new_name_is_in_anp():
    missing = [n for n in NEW_NAMES if not callable(getattr(anp, n, None))]
    missing += [f"linalg.{n}" for n in NEW_LINALG if not callable(getattr(anp.linalg, n, None))]
    assert not missing, missing


RNG = np.random.default_rng(20261207)
X = RNG.uniform(-2.0, 2.0, (3, 4))
X3 = RNG.uniform(-2.0, 2.0, (2, 3, 4))
SPD = X[:, :3] @ X[:, :3].T + 3.0 * np.eye(3)

# name: (call(mod, x), x). ``mod`` is numpy or anp (``mod.linalg`` for linear algebra).
CALLS = {
    "tensordot": (lambda m, x: m.tensordot(x, x.T, axes=1), X),
    "tensordot (axis lists)": (lambda m, x: m.tensordot(x, x, axes=([0, 1], [0, 1])), X),
    "repeat (axis)": (lambda m, x: m.repeat(x, 2, axis=1), X),
    "repeat (counts)": (lambda m, x: m.repeat(x[0], [1, 2, 0, 3]), X),
    "remainder": (lambda m, x: m.remainder(x, 0.7) + m.mod(x, -0.6), X),
    "fmod": (lambda m, x: m.fmod(x, 0.7), X),
    "vstack": (lambda m, x: m.vstack([x, x[0]]), X),
    "hstack": (lambda m, x: m.hstack([x[0], x[1]]), X),
    "column_stack": (lambda m, x: m.column_stack([x[0], x[1]]), X),
    "dstack": (lambda m, x: m.dstack([x, x]), X),
    "split": (lambda m, x: m.split(x, 2, axis=1), X),
    "split (indices)": (lambda m, x: m.split(x, [1, 2], axis=0), X),
    "array_split": (lambda m, x: m.array_split(x, 3, axis=1), X),
    "hsplit": (lambda m, x: m.hsplit(x, 2), X),
    "vsplit": (lambda m, x: m.vsplit(x, [1]), X),
    "dsplit": (lambda m, x: m.dsplit(x, 2), X3),
    "tril": (lambda m, x: m.tril(x, k=-1), X),
    "triu (batch)": (lambda m, x: m.triu(x, 1), X3),
    "tril (1-D)": (lambda m, x: m.tril(x[0]), X),
    "diag (extract)": (lambda m, x: m.diag(x, k=1), X),
    "diag (build)": (lambda m, x: m.diag(x[0], k=-1), X),
    "diagonal": (lambda m, x: m.diagonal(x, offset=1, axis1=2, axis2=0), X3),
    "diagflat": (lambda m, x: m.diagflat(x[:2, :2], k=1), X),
    "roll": (lambda m, x: m.roll(x, 3), X),
    "roll (axes)": (lambda m, x: m.roll(x, (1, -1), axis=(0, 2)), X3),
    "rot90": (lambda m, x: m.rot90(x, k=3, axes=(2, 1)), X3),
    "tile": (lambda m, x: m.tile(x, (2, 1, 2)), X),
    "append": (lambda m, x: m.append(x, x[0]), X),
    "append (axis)": (lambda m, x: m.append(x, x[:1], axis=0), X),
    "pad (constant)": (lambda m, x: m.pad(x, ((1, 0), (2, 3)), constant_values=1.5), X),
    "pad (edge)": (lambda m, x: m.pad(x, 2, mode="edge"), X),
    "pad (reflect)": (lambda m, x: m.pad(x, (1, 2), mode="reflect"), X),
    "pad (symmetric)": (lambda m, x: m.pad(x, ((1, 1), (0, 3)), mode="symmetric"), X),
    "pad (wrap)": (lambda m, x: m.pad(x, ((0, 2), (3, 1)), mode="wrap"), X),
    "sort": (lambda m, x: m.sort(x, axis=0), X),
    "sort (flattened)": (lambda m, x: m.sort(x, axis=None), X),
    "partition (sorted after)": (lambda m, x: m.sort(m.partition(x, 2, axis=1), axis=1), X),
    "partition (k-th)": (lambda m, x: m.partition(x, 1, axis=0)[1], X),
    "select": (lambda m, x: m.select([x > 1, x < 0], [x, x**2], default=0.5), X),
    "nan_to_num": (lambda m, x: m.nan_to_num(1.0 / m.floor(x), posinf=7.0, neginf=-7.0), X),
    "sinc": (lambda m, x: m.sinc(x), X),
    "arcsinh": (lambda m, x: m.arcsinh(x), X),
    "arccosh": (lambda m, x: m.arccosh(x * x + 1.5), X),
    "arctanh": (lambda m, x: m.arctanh(x / 2.5), X),
    "cbrt": (lambda m, x: m.cbrt(x), X),
    "degrees, radians": (lambda m, x: m.degrees(x) + m.radians(x) ** 2, X),
    "deg2rad, rad2deg": (lambda m, x: m.deg2rad(x) * m.rad2deg(x), X),
    "numpy 2 names": (
        lambda m, x: (
            m.acos(x / 3)
            + m.asin(x / 3)
            + m.atan(x)
            + m.atan2(x, 1.5)
            + m.pow(x, 2)
            + m.asinh(x)
            + m.acosh(x * x + 1.5)
            + m.atanh(x / 3)
            + m.permute_dims(x, (1, 0)).T
        ),
        X,
    ),
    "fabs, positive": (lambda m, x: m.fabs(x) + m.positive(x), X),
    "gradient": (lambda m, x: m.gradient(x), X),
    "gradient (spacing, axis, edge_order=2)": (
        lambda m, x: m.gradient(x, 0.5, axis=1, edge_order=2),
        X,
    ),
    "logaddexp": (lambda m, x: m.logaddexp(x, x[0]), X),
    "logaddexp2": (lambda m, x: m.logaddexp2(x, 0.5), X),
    "hypot": (lambda m, x: m.hypot(x, x[::-1]), X),
    "fliplr, flipud": (lambda m, x: m.fliplr(x) + m.flipud(x), X),
    "rollaxis": (lambda m, x: m.rollaxis(x, 2, 1), X3),
    "atleast_2d, atleast_3d": (lambda m, x: m.atleast_3d(m.atleast_2d(x[0])), X),
    "cumprod": (lambda m, x: m.cumprod(x, axis=1), X),
    "cumprod (flattened)": (lambda m, x: m.cumprod(x), X),
    "average (weights)": (lambda m, x: m.average(x, axis=1, weights=[1.0, 2.0, 0.5, 3.0]), X),
    "average (returned)": (lambda m, x: m.average(x, axis=0, returned=True), X),
    "trapezoid": (lambda m, x: m.trapezoid(x, dx=0.3, axis=0), X),
    "trapezoid (sample points)": (lambda m, x: m.trapezoid(x, [0.0, 1.0, 3.0, 4.5]), X),
    "kron": (lambda m, x: m.kron(x[:2, :3], x), X),
    "cross": (lambda m, x: m.cross(x[:, :3], x[:, 1:]), X),
    "cross (axis)": (lambda m, x: m.cross(x[:, :3].T, x[:, 1:].T, axis=0), X),
    "ptp": (lambda m, x: m.ptp(x, axis=1), X),
    "nansum, nanmean": (lambda m, x: m.nansum(x, axis=0) + m.nanmean(x, axis=1)[0], X),
    "take": (lambda m, x: m.take(x, [0, 5, 5]) + m.take(x, [2, 0, 1], axis=1)[0], X),
    "take_along_axis": (lambda m, x: m.take_along_axis(x, np.argsort(X, axis=0), axis=0), X),
    "broadcast_arrays": (lambda m, x: m.broadcast_arrays(x, x[0]), X),
    "fmax, fmin": (lambda m, x: m.fmax(x, x[::-1]) + m.fmin(x, 0.5), X),
    "linspace (traced ends)": (lambda m, x: m.linspace(x[0, 0], x[1, 1], 5), X),
    "linspace (arrays, no endpoint)": (
        lambda m, x: m.linspace(x[0], x[1], 3, endpoint=False, retstep=True),
        X,
    ),
    "full (traced fill value)": (lambda m, x: m.full((2, 3), x[0, 0]), X),
    "linalg.slogdet": (lambda m, x: m.linalg.slogdet(x @ x.T + np.eye(3))[1], X),
    "linalg.cholesky": (lambda m, x: m.linalg.cholesky(x[:, :3] @ x[:, :3].T + np.eye(3)), X),
    "linalg.eigvalsh": (lambda m, x: m.linalg.eigvalsh(x @ x.T), X),
    "linalg.pinv (wide)": (lambda m, x: m.linalg.pinv(x), X),
    "linalg.pinv (tall)": (lambda m, x: m.linalg.pinv(x.T), X),
    "linalg.matrix_power": (lambda m, x: m.linalg.matrix_power(x[:, :3], -2), X),
    "linalg.multi_dot": (lambda m, x: m.linalg.multi_dot([x, x.T, x]), X),
}


def _leaves(out):
    return list(out) if isinstance(out, (list, tuple)) else [out]


@pytest.mark.parametrize("name", list(CALLS))
def test_value_matches_numpy(name):
    call, x = CALLS[name]
    with np.errstate(divide="ignore"):
        want, ours = _leaves(call(np, x)), _leaves(call(anp, x))
        # traced: the value carried through a transform is the same
        traced = _leaves(ad.jvp(lambda v: call(anp, v), (x,), (np.ones_like(x),))[0])
    assert len(ours) == len(want) == len(traced)
    for w, o, t in zip(want, ours, traced):
        assert np.shape(o) == np.shape(w) == np.shape(t)
        np.testing.assert_allclose(o, w, rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(t, w, rtol=1e-12, atol=1e-13)


def _scalar(call):
    """A scalar function of x made from call's output(s), to check derivatives with."""

    def f(x):
        total = 0.0
        for i, part in enumerate(_leaves(call(anp, x))):
            total = total + anp.sum(anp.sin(part + i))
        return total

    return f


NOT_DIFFERENTIATED = {"nan_to_num"}  # checked below, at its replaced values


@pytest.mark.parametrize("name", [n for n in CALLS if n not in NOT_DIFFERENTIATED])
def test_derivatives_match_finite_differences(name):
    call, x = CALLS[name]
    ad.check_grads(_scalar(call), (x,), order=2, modes=("fwd", "rev"))


# --- conventions at special points ----------------------------------------------------------


def test_nan_to_num_passes_derivative_where_finite_only():
    x = np.array([0.5, np.inf, -np.inf, np.nan, -1.5])
    with np.errstate(over="ignore", invalid="ignore"):
        g = ad.grad(lambda v: anp.sum(anp.nan_to_num(v) * np.arange(1.0, 6.0)))(x)
    np.testing.assert_array_equal(g, [1.0, 0.0, 0.0, 0.0, 5.0])


def test_fmax_fmin_ignore_nan_and_pass_its_derivative_to_the_other_value():
    x, y = np.array([1.0, np.nan, 3.0]), np.array([2.0, 1.0, np.nan])
    np.testing.assert_array_equal(anp.fmax(x, y), np.fmax(x, y))
    np.testing.assert_array_equal(anp.fmin(x, y), np.fmin(x, y))
    gx, gy = ad.grad(lambda a, b: anp.sum(anp.fmax(a, b)), argnums=(0, 1))(x, y)
    np.testing.assert_array_equal(gx, [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(gy, [1.0, 1.0, 0.0])


def test_sinc_at_zero_first_and_second_derivative():
    assert ad.grad(anp.sinc)(0.0) == 0.0
    np.testing.assert_allclose(ad.grad(ad.grad(anp.sinc))(0.0), -(math.pi**2) / 3, rtol=1e-15)
    np.testing.assert_allclose(anp.sinc(np.array([0.0, 0.5])), np.sinc([0.0, 0.5]))


def test_remainder_derivative_in_divisor_is_minus_the_quotient():
    x, y = np.array([3.5, -3.5, 3.5]), np.array([2.0, 2.0, -2.0])
    gx, gy = ad.grad(lambda a, b: anp.sum(anp.remainder(a, b)), argnums=(0, 1))(x, y)
    np.testing.assert_array_equal(gx, [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(gy, -np.floor(x / y))
    gy_fmod = ad.grad(lambda b: anp.sum(anp.fmod(x, b)))(y)
    np.testing.assert_array_equal(gy_fmod, -np.trunc(x / y))


def test_sort_sends_each_cotangent_back_to_its_element():
    x = np.array([3.0, 1.0, 2.0])
    g = ad.grad(lambda v: anp.sum(anp.sort(v) * np.array([10.0, 20.0, 30.0])))(x)
    np.testing.assert_array_equal(g, [30.0, 10.0, 20.0])


def test_tile_and_repeat_add_the_cotangents_of_copies():
    x = np.array([1.0, 2.0])
    np.testing.assert_array_equal(ad.grad(lambda v: anp.sum(anp.tile(v, 3)))(x), [3.0, 3.0])
    g = ad.grad(lambda v: anp.sum(anp.repeat(v, [2, 5])))(x)
    np.testing.assert_array_equal(g, [2.0, 5.0])


def test_symmetric_matrix_functions_give_symmetric_gradients():
    a = SPD + 0.1 * np.triu(np.ones((3, 3)))  # not symmetric: its symmetric part is used
    for f in (
        lambda m: anp.sum(anp.linalg.cholesky(m)),
        lambda m: anp.sum(anp.linalg.eigvalsh(m) ** 2),
        lambda m: anp.sum(anp.linalg.eigh(m)[1] ** 3),
    ):
        g = ad.grad(f)(a)
        np.testing.assert_allclose(g, g.T, rtol=1e-12, atol=1e-12)
    w, v = anp.linalg.eigh(a)
    np.testing.assert_allclose(v @ np.diag(w) @ v.T, 0.5 * (a + a.T), atol=1e-12)
    biggest = np.take_along_axis(v, np.argmax(np.abs(v), axis=0)[None], axis=0)
    assert np.all(biggest > 0), "each eigenvector's largest entry is positive"


def test_logaddexp_handles_infinities_like_numpy():
    x = np.array([-np.inf, 0.0, 800.0])
    y = np.array([-np.inf, -np.inf, 800.0])
    with np.errstate(divide="ignore"):
        np.testing.assert_array_equal(anp.logaddexp(x, y), np.logaddexp(x, y))
    g = ad.grad(lambda a: anp.sum(anp.logaddexp(a, y[1:])))(x[1:])
    np.testing.assert_allclose(g, [1.0, 0.5])


def test_float32_stays_float32():
    x = X.astype(np.float32)
    for f in (anp.tril, lambda v: anp.pad(v, 1), lambda v: anp.roll(v, 1), anp.cumprod):
        out, g = ad.value_and_grad(lambda v, f=f: anp.sum(f(v)))(x)
        assert out.dtype == np.float32 and g.dtype == np.float32


def test_functions_without_derivative_accept_traced_values():
    def f(x):
        assert anp.all(anp.isfinite(x)) and not anp.any(anp.isinf(x))
        assert anp.count_nonzero(x > 0) == np.count_nonzero(X > 0)
        np.testing.assert_array_equal(anp.searchsorted(anp.sort(x[0]), 0.0), 0 + (X[0] < 0).sum())
        return anp.sum(x * anp.signbit(x))

    np.testing.assert_array_equal(ad.grad(f)(X), np.signbit(X).astype(float))


# --- errors for what we chose not to support ----------------------------------------------------


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda x: anp.pad(x, 1, mode="median"), NotImplementedError, "mode='median'.*constant"),
        (lambda x: anp.pad(x, 1, mode="reflect", reflect_type="odd"), NotImplementedError, "odd"),
        (lambda x: anp.split(x, 3, axis=1), ValueError, "array_split"),
        (lambda x: anp.vsplit(x[0], 2), ValueError, "2 or more dimensions"),
        (lambda x: anp.gradient(x, np.arange(3.0), np.arange(4.0)), NotImplementedError, "spacing"),
        (lambda x: anp.gradient(x, edge_order=3), ValueError, "edge_order"),
        (lambda x: anp.cross(x[:, :2], x[:, 2:]), ValueError, "3-vectors"),
        (lambda x: anp.tensordot(x, x, axes=([0], [1])), ValueError, "length"),
        (lambda x: anp.linalg.pinv(np.outer(x[0], x[1])), NotImplementedError, "rank"),
        (lambda x: anp.linalg.matrix_power(x[:, :3], 1.5), TypeError, "integer"),
        (lambda x: anp.linalg.cholesky(x), ValueError, "square"),
        (lambda x: anp.diag(x[None]), ValueError, "1-D or 2-D"),
        (lambda x: anp.select([x > 0], [x, x]), ValueError, "same length"),
    ],
)
def test_unsupported_arguments_raise_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call(X)


def test_traced_pad_constant_is_refused():
    with pytest.raises(TypeError, match="constant_values"):
        ad.grad(lambda c: anp.sum(anp.pad(X, 1, constant_values=c)))(1.0)


def test_unsupported_numpy_function_on_a_tracer_names_it():
    """A numpy function with no anp counterpart still gets the clear error."""
    assert not hasattr(anp, "interp")
    with pytest.raises(ad.NumpyOnTracerError, match=r"numpy\.interp.*no equivalent"):
        ad.grad(lambda x: np.sum(np.interp(x, [0.0, 1.0], [1.0, 3.0])))(X[0])
    # and a supported one, called through numpy, points to its anp name
    with pytest.raises(ad.NumpyOnTracerError, match=r"numpy\.roll.*anp\.roll"):
        ad.grad(lambda x: np.sum(np.roll(x, 1)))(X[0])
