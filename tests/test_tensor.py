"""The Tensor object API: accumulation, no_grad, in-place optimizer steps, one engine."""

import numpy as np
import pytest

import autodiff_lite as ad
import autodiff_lite.numpy as anp


def test_sgd_step_in_place_under_no_grad_keeps_the_leaf():
    w = ad.Tensor([1.0, 2.0], requires_grad=True)
    alias = w
    (w * w).sum().backward()
    with ad.no_grad():
        w -= 0.1 * w.grad
    assert alias is w and w.requires_grad and w.is_leaf
    np.testing.assert_allclose(w.data, [0.8, 1.6])
    w.zero_grad()
    (w * w).sum().backward()  # the updated leaf is differentiated again
    np.testing.assert_allclose(w.grad.numpy(), [1.6, 3.2])


def test_in_place_update_outside_no_grad_is_refused():
    w = ad.Tensor([1.0], requires_grad=True)
    with pytest.raises(ad.BackwardError, match="in place.*no_grad"):
        w -= 1.0


def test_no_grad_records_nothing():
    w = ad.Tensor([3.0], requires_grad=True)
    with ad.no_grad():
        y = w * 2.0
    assert not y.requires_grad


def test_tensor_and_grad_share_one_engine():
    """Tensor.backward and ad.grad give the same numbers through the same rules."""
    x = np.array([0.3, -1.2, 2.0])

    def f(v):
        return anp.sum(anp.tanh(v) * anp.exp(v) - v**2)

    t = ad.Tensor(x, requires_grad=True)
    ((t.tanh() * t.exp()) - t**2).sum().backward()
    np.testing.assert_allclose(t.grad.numpy(), ad.grad(f)(x), rtol=1e-14)
