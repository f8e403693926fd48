"""The published worked examples (Baydin, Pearlmutter, Radul, Siskind 2018, JMLR 18(153)).

Table 2 (forward mode) and Table 3 (reverse mode) use
y = f(x1, x2) = ln(x1) + x1 * x2 - sin(x2) at (x1, x2) = (2, 5).
"""

import numpy as np
import pytest

import autodiff_lite as ad
import autodiff_lite.numpy as anp


def f(x1, x2):
    return anp.log(x1) + x1 * x2 - anp.sin(x2)


def test_table2_forward_mode_dy_dx1():
    y, y_dot = ad.jvp(f, (2.0, 5.0), (1.0, 0.0))
    assert y == pytest.approx(11.652, abs=5e-4)  # the paper's primal output
    assert y_dot == pytest.approx(5.5)  # the paper's tangent output


def test_table3_reverse_mode_both_partials_in_one_pass():
    calls = []

    def counted(x1, x2):
        calls.append(1)
        return f(x1, x2)

    y, vjp_fn = ad.vjp(counted, 2.0, 5.0)
    x1_bar, x2_bar = vjp_fn(1.0)
    assert len(calls) == 1  # one forward pass, one reverse pass for both partials
    assert x1_bar == pytest.approx(5.5)
    assert x2_bar == pytest.approx(1.716, abs=5e-4)  # = x1 - cos(x2)
    assert x2_bar == pytest.approx(2.0 - np.cos(5.0))


def test_log_of_product_partials():
    da, db = ad.grad(lambda a, b: anp.log(a * b), argnums=(0, 1))(2.0, 3.0)
    assert da == pytest.approx(0.5) and db == pytest.approx(1.0 / 3.0)


def test_logistic_map_fourth_iterate_derivative():
    """l_{n+1} = 4 l_n (1 - l_n), l_1 = x: d l_4 / dx from the paper's closed form."""

    def l4(x):
        l = x  # noqa: E741
        for _ in range(3):
            l = 4.0 * l * (1.0 - l)  # noqa: E741
        return l

    def closed(x):
        return 64 * (
            1
            - 42 * x
            + 504 * x**2
            - 2640 * x**3
            + 7040 * x**4
            - 9984 * x**5
            + 7168 * x**6
            - 2048 * x**7
        )

    for x in np.linspace(0.0, 1.0, 11):
        assert ad.grad(l4)(x) == pytest.approx(closed(x), rel=1e-9, abs=1e-9)
        assert ad.jvp(l4, (x,), (1.0,))[1] == pytest.approx(closed(x), rel=1e-9, abs=1e-9)
