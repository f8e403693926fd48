"""Complex numbers: every complex-capable function against JAX, finite differences and PyTorch.

The convention under test (JAX's, see ``autodiff_lite/primitives/complex.py``): JVPs push
complex tangents, VJPs are transposes (not conjugate transposes), and for a real-valued
``L(z)``, ``grad(L)(z) = dL/dx - i dL/dy`` with ``z = x + iy``. PyTorch's ``z.grad`` is the
conjugate of that.

For each function ``f`` of :data:`FUNCTIONS`, on random complex inputs (fixed seed per
function), against ``jax.jvp``, ``jax.vjp`` and ``jax.grad`` (one ``jax.jit`` per function):

- the value, the JVP with complex tangents and the VJP with a cotangent of the output's dtype;
- ``grad`` of the real-valued ``L(z) = sum(real(w * f(z))) + sum(|f(z)|^2) / 2``, which
  exercises the non-holomorphic rules (``real``, ``abs``) after ``f``, and the JVP of that
  gradient (forward-over-reverse: second derivatives through the complex rules);

and the same gradient against central finite differences in the real and imaginary parts of
each input (C treated as R^2). Functions that need an order (``maximum``, ``<``, ``floor``,
``argmax``, ``max``...) must refuse complex arguments with an error that says so.
"""

from __future__ import annotations

import numpy as np
import pytest

jax = pytest.importorskip("jax")
jnp = jax.numpy

import references as R  # noqa: E402

import autodiff_lite as ad  # noqa: E402
import autodiff_lite.numpy as anp  # noqa: E402

# --- inputs -------------------------------------------------------------------------------


def _polar(rng, shape, rmin=0.5, rmax=2.0):
    """Complex numbers with |z| in [rmin, rmax] and any phase."""
    r = rng.uniform(rmin, rmax, shape)
    return r * np.exp(1j * rng.uniform(-np.pi, np.pi, shape))


def _right(rng, shape):
    """Re z in [0.3, 2]: away from the branch cut of log, sqrt, z ** w on the negative axis."""
    return rng.uniform(0.3, 2.0, shape) + 1j * rng.uniform(-1.5, 1.5, shape)


def _off_axis(rng, shape):
    """|Im z| in [0.3, 1]: away from the cuts of arcsin, arccos (real |x| > 1)."""
    sign = np.where(rng.uniform(size=shape) < 0.5, -1.0, 1.0)
    return rng.uniform(-1.5, 1.5, shape) + 1j * sign * rng.uniform(0.3, 1.0, shape)


def _small(rng, shape):
    """|z| < 0.7: away from the cuts of arctan (imaginary |y| > 1) and log1p, the poles of tan."""
    return _polar(rng, shape, 0.1, 0.7)


def _matrix(rng, shape):
    """Complex matrices close to 2I (well conditioned, for solve, inv, det)."""
    n = shape[-1]
    noise = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
    return 2.0 * np.eye(n) + 0.3 * noise


def _real(rng, shape):
    return rng.uniform(-2.0, 2.0, shape)


def _positive(rng, shape):
    return rng.uniform(0.5, 2.0, shape)


C, C23 = (_polar, (3,)), (_polar, (2, 3))


def unary(f, domain=_polar, shape=(2, 3)):
    return f, [(domain, shape)]


# name: (f(ns, *args), [(domain, shape) per argument]). ns is autodiff_lite.numpy or jax.numpy.
FUNCTIONS = {
    # elementwise, holomorphic
    "negative": unary(lambda ns, z: ns.negative(z)),
    "exp": unary(lambda ns, z: ns.exp(z)),
    "log": unary(lambda ns, z: ns.log(z), _right),
    "log1p": unary(lambda ns, z: ns.log1p(z), _small),
    "expm1": unary(lambda ns, z: ns.expm1(z)),
    "sqrt": unary(lambda ns, z: ns.sqrt(z), _right),
    "sin": unary(lambda ns, z: ns.sin(z)),
    "cos": unary(lambda ns, z: ns.cos(z)),
    "tan": unary(lambda ns, z: ns.tan(z), _small),
    "arcsin": unary(lambda ns, z: ns.arcsin(z), _off_axis),
    "arccos": unary(lambda ns, z: ns.arccos(z), _off_axis),
    "arctan": unary(lambda ns, z: ns.arctan(z), _small),
    "sinh": unary(lambda ns, z: ns.sinh(z)),
    "cosh": unary(lambda ns, z: ns.cosh(z)),
    "tanh": unary(lambda ns, z: ns.tanh(z), _small),
    "square": unary(lambda ns, z: ns.square(z)),
    "reciprocal": unary(lambda ns, z: ns.reciprocal(z)),
    "log10, log2": unary(lambda ns, z: ns.log10(z) + ns.log2(z), _right),
    "exp2": unary(lambda ns, z: ns.exp2(z)),
    # elementwise, not holomorphic
    "abs": unary(lambda ns, z: ns.abs(z)),
    "absolute": unary(lambda ns, z: ns.absolute(z)),
    "real": unary(lambda ns, z: ns.real(z)),
    "imag": unary(lambda ns, z: ns.imag(z)),
    "conj": unary(lambda ns, z: ns.conj(z)),
    "conjugate": unary(lambda ns, z: ns.conjugate(z)),
    "angle": unary(lambda ns, z: ns.angle(z)),
    "z * conj(z)": unary(lambda ns, z: z * ns.conj(z)),
    # arithmetic, with broadcasting, complex with complex and with real
    "add": (lambda ns, z, w: z + w, [C23, C]),
    "subtract": (lambda ns, z, w: z - w, [C, C23]),
    "multiply": (lambda ns, z, w: z * w, [C23, C]),
    "divide": (lambda ns, z, w: z / w, [C23, C]),
    "multiply (real, complex)": (lambda ns, x, w: x * w, [(_real, (2, 3)), C]),
    "divide (complex, real)": (lambda ns, z, x: z / x, [C23, (_positive, (3,))]),
    "power (complex ** real)": (lambda ns, z, p: z**p, [(_right, (3,)), (_real, (3,))]),
    "power (complex ** complex)": (lambda ns, z, w: z**w, [(_right, (3,)), (_small, (3,))]),
    "power (real ** complex)": (lambda ns, x, w: x**w, [(_positive, (3,)), C]),
    "z ** 3, 2 ** z": unary(lambda ns, z: z**3 + 2.0**z),
    "where": (lambda ns, z, w: ns.where(np.array([True, False, True]), z, w), [C23, C]),
    # reductions
    "sum": unary(lambda ns, z: ns.sum(z, axis=0)),
    "sum (all)": unary(lambda ns, z: ns.sum(z)),
    "mean": unary(lambda ns, z: ns.mean(z, axis=1)),
    "prod": unary(lambda ns, z: ns.prod(z, axis=1)),
    "cumsum": unary(lambda ns, z: ns.cumsum(z, axis=1)),
    "var (real)": unary(lambda ns, z: ns.var(z, axis=1)),
    "std (real)": unary(lambda ns, z: ns.std(z)),
    # linear algebra
    "matmul": (lambda ns, a, b: a @ b, [C23, (_polar, (3, 4))]),
    "matmul (matrix, vector)": (lambda ns, a, b: ns.matmul(a, b), [C23, C]),
    "matmul (real, complex)": (lambda ns, a, b: a @ b, [(_real, (2, 3)), (_polar, (3, 2))]),
    "dot": (lambda ns, a, b: ns.dot(a, b), [C23, (_polar, (3, 2))]),
    "einsum": (lambda ns, a, b: ns.einsum("ij,kj->ik", a, b), [C23, (_polar, (4, 3))]),
    "inner": (lambda ns, a, b: ns.inner(a, b), [C, C]),
    "outer": (lambda ns, a, b: ns.outer(a, b), [C, (_polar, (2,))]),
    "vdot (conjugates a)": (lambda ns, a, b: ns.vdot(a, b), [C23, C23]),
    "trace": unary(lambda ns, z: ns.trace(z), _polar, (3, 3)),
    "solve": (lambda ns, a, b: ns.linalg.solve(a, b), [(_matrix, (3, 3)), C]),
    "inv": unary(lambda ns, a: ns.linalg.inv(a), _matrix, (3, 3)),
    "det": unary(lambda ns, a: ns.linalg.det(a), _matrix, (3, 3)),
    "norm (real)": unary(lambda ns, z: ns.linalg.norm(z)),
    "norm (ord=1, axis)": unary(lambda ns, z: ns.linalg.norm(z, ord=1, axis=1)),
    # shapes
    "reshape, transpose": unary(lambda ns, z: ns.transpose(ns.reshape(z, (3, 2)))),
    "indexing": unary(lambda ns, z: z[1, ::-1] * z[0, np.array([0, 0, 2])]),
    "concatenate, stack": (
        lambda ns, z, w: ns.stack([ns.concatenate([z, w]), ns.concatenate([w, z]) * z[0]]),
        [C, C],
    ),
    "broadcast_to, flip": unary(lambda ns, z: ns.flip(ns.broadcast_to(z, (2, 3)), axis=1), *C),
    "expand_dims, squeeze": unary(lambda ns, z: ns.squeeze(ns.expand_dims(z, 0), 0) * z),
    "moveaxis, swapaxes": unary(lambda ns, z: ns.swapaxes(ns.moveaxis(z, 0, 1), 0, 1) ** 2),
    "astype (real to complex)": (
        lambda ns, x: ns.exp(1j * ns.astype(x, np.complex128)),
        [(_real, (3,))],
    ),
}


def _case(name):
    """Inputs, tangents, output cotangent and loss weights of FUNCTIONS[name] (fixed seed)."""
    f, specs = FUNCTIONS[name]
    rng = np.random.default_rng(R.case_seed("complex", name))
    args = [np.asarray(domain(rng, shape)) for domain, shape in specs]
    y = np.asarray(f(anp, *args))

    def like(a):
        draw = rng.standard_normal(np.shape(a))
        if np.iscomplexobj(a):
            draw = draw + 1j * rng.standard_normal(np.shape(a))
        return np.asarray(draw, dtype=np.result_type(a))

    return dict(args=args, t=[like(a) for a in args], ct=like(y), w=like(y.astype(complex)))


def _results(T, name, inp):
    """Value, JVP, VJP, grad of the real loss L and the JVP of that grad, on T's side."""
    fn, _ = FUNCTIONS[name]
    ns, args, w = T.ns, tuple(inp["args"]), inp["w"]

    def f(*a):
        return fn(ns, *a)

    def loss(*a):
        y = f(*a)
        return ns.sum(ns.real(w * y)) + 0.5 * ns.sum(ns.abs(y) ** 2)

    argnums = tuple(range(len(args)))
    return {
        "value": f(*args),
        "jvp": T.jvp(f, args, tuple(inp["t"])),
        "vjp": T.vjp(f, *args)[1](inp["ct"]),
        "grad": T.grad(loss, argnums=argnums)(*args),
        "jvp of grad": T.jvp(T.grad(loss, argnums=argnums), args, tuple(inp["t"]))[1],
    }


class Ours:
    ns, jvp, vjp, grad = anp, staticmethod(ad.jvp), staticmethod(ad.vjp), staticmethod(ad.grad)


class Jax:
    ns, jvp, vjp, grad = jnp, staticmethod(jax.jvp), staticmethod(jax.vjp), staticmethod(jax.grad)


def _compare(ours, ref, against, what):
    R.assert_tree_close(ours, ref, against, what, rtol=1e-10, atol=1e-12)


# --- every function against JAX --------------------------------------------------------------


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_function_matches_jax(name):
    inp = _case(name)
    ours = _results(Ours, name, inp)
    with jax.default_device(jax.devices("cpu")[0]):
        ref = jax.jit(lambda i: _results(Jax, name, i))(inp)
    for key in ours:
        _compare(ours[key], ref[key], "jax", f"{name}: {key}")
    assert any(np.iscomplexobj(a) for a in inp["args"]) or np.iscomplexobj(ours["value"])


# --- the gradient is dL/dx - i dL/dy: against finite differences ------------------------------


def _fd_gradient(loss, args, i, h=1e-6):
    """dL/dx - i dL/dy for argument i, by central differences (dL/dx only for a real one)."""
    x = np.array(args[i])
    out = np.zeros(x.shape, dtype=x.dtype)
    steps = [1.0, 1j] if np.iscomplexobj(x) else [1.0]
    for k in np.ndindex(x.shape):
        for step in steps:
            e = np.zeros_like(x)
            e[k] = h * step
            moved = [list(args), list(args)]
            moved[0][i], moved[1][i] = x + e, x - e
            d = (loss(*moved[0]) - loss(*moved[1])) / (2 * h)
            out[k] += d if step == 1.0 else -1j * d
    return out


def _loss_of(name, inp, ns):
    fn, _ = FUNCTIONS[name]
    w = inp["w"]

    def loss(*a):
        y = fn(ns, *a)
        return ns.sum(ns.real(w * y)) + 0.5 * ns.sum(ns.abs(y) ** 2)

    return loss


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_gradient_is_df_dx_minus_i_df_dy(name):
    inp = _case(name)
    loss, args = _loss_of(name, inp, anp), inp["args"]
    grads = ad.grad(loss, argnums=tuple(range(len(args))))(*args)
    for i, g in enumerate(grads):
        assert np.asarray(g).dtype == args[i].dtype, f"{name}: gradient {i} has dtype {g.dtype}"
        np.testing.assert_allclose(
            g, _fd_gradient(loss, args, i), rtol=1e-6, atol=1e-7, err_msg=f"{name}, argument {i}"
        )


@pytest.mark.parametrize("name", ["abs", "angle", "exp", "matmul", "vdot (conjugates a)"])
def test_jax_gradient_is_df_dx_minus_i_df_dy(name):
    """The statement of the convention, checked on JAX itself (not only on the library)."""
    inp = _case(name)
    args = [jnp.asarray(a) for a in inp["args"]]
    loss = _loss_of(name, inp, jnp)
    grads = jax.grad(loss, argnums=tuple(range(len(args))))(*args)
    for i, g in enumerate(grads):
        fd = _fd_gradient(lambda *a: float(loss(*a)), inp["args"], i)
        np.testing.assert_allclose(np.asarray(g), fd, rtol=1e-6, atol=1e-7, err_msg=name)


def test_worked_example_abs_squared():
    """|z|^2 at 3 + 4i: df/dx = 6, df/dy = 8, so grad is 6 - 8i (JAX's value)."""
    g = ad.grad(lambda z: anp.abs(z) ** 2)(3 + 4j)
    assert g == pytest.approx(6 - 8j)
    _compare(g, jax.grad(lambda z: jnp.abs(z) ** 2)(3 + 4j), "jax", "worked example")
    for f in (lambda z: z * anp.conj(z), lambda z: anp.real(z) ** 2 + anp.imag(z) ** 2):
        assert ad.grad(lambda z, f=f: anp.real(f(z)))(3 + 4j) == pytest.approx(6 - 8j)


# --- PyTorch: the conjugate convention -------------------------------------------------------

# The same functions as in FUNCTIONS, spelled with torch's names.
TORCH_SPELLINGS = {
    "exp": lambda torch, z: torch.exp(z),
    "log": lambda torch, z: torch.log(z),
    "sqrt": lambda torch, z: torch.sqrt(z),
    "sin": lambda torch, z: torch.sin(z),
    "tanh": lambda torch, z: torch.tanh(z),
    "abs": lambda torch, z: torch.abs(z),
    "real": lambda torch, z: torch.real(z),
    "imag": lambda torch, z: torch.imag(z),
    "conj": lambda torch, z: torch.conj(z),
    "angle": lambda torch, z: torch.angle(z),
    "multiply": lambda torch, z, v: z * v,
    "divide": lambda torch, z, v: z / v,
    "power (complex ** complex)": lambda torch, z, v: z**v,
    "sum": lambda torch, z: torch.sum(z, dim=0),
    "prod": lambda torch, z: torch.prod(z, dim=1),
    "matmul": lambda torch, a, b: a @ b,
    "vdot (conjugates a)": lambda torch, a, b: torch.vdot(a.reshape(-1), b.reshape(-1)),
    "solve": lambda torch, a, b: torch.linalg.solve(a, b),
    "det": lambda torch, a: torch.linalg.det(a),
}


def _torch_loss(name, inp, torch):
    f, w = TORCH_SPELLINGS[name], torch.as_tensor(inp["w"])

    def loss(*a):
        y = f(torch, *a)
        return torch.sum(torch.real(w * y)) + 0.5 * torch.sum(torch.abs(y) ** 2)

    return loss


@pytest.mark.parametrize("name", list(TORCH_SPELLINGS))
def test_torch_gradient_is_the_conjugate(name):
    """PyTorch's gradient of a real L is dL/dx + i dL/dy: the conjugate of ours (and JAX's)."""
    torch = pytest.importorskip("torch")
    inp = _case(name)
    args = inp["args"]
    ours = ad.grad(_loss_of(name, inp, anp), argnums=tuple(range(len(args))))(*args)
    targs = [torch.tensor(a, requires_grad=True) for a in args]
    _torch_loss(name, inp, torch)(*targs).backward()
    for i, (g, t) in enumerate(zip(ours, targs)):
        R.assert_close(np.conj(g), t.grad, "torch", f"{name}, argument {i}")


def test_torch_worked_example():
    torch = pytest.importorskip("torch")
    z = torch.tensor(3 + 4j, requires_grad=True)
    (torch.abs(z) ** 2).backward()
    assert complex(z.grad) == pytest.approx(6 + 8j)
    R.assert_close(np.conj(ad.grad(lambda z: anp.abs(z) ** 2)(3 + 4j)), z.grad, "torch", "|z|^2")


# --- grad needs a real output; holomorphic=True ------------------------------------------------


def test_grad_of_a_complex_output_says_what_to_do():
    with pytest.raises(TypeError, match="holomorphic=True.*jvp or vjp"):
        ad.grad(anp.exp)(1j)
    with pytest.raises(TypeError, match="holomorphic=True"):
        ad.grad(lambda z: anp.sum(z * z))(np.array([1j, 2.0]))


@pytest.mark.parametrize(
    "name,f",
    [
        ("exp", lambda ns, z: ns.exp(z)),
        ("z ** 3 / (1 + z)", lambda ns, z: z**3 / (1.0 + z)),
        ("sin(z) * log(z)", lambda ns, z: ns.sin(z) * ns.log(z)),
    ],
)
def test_holomorphic_grad_matches_jax(name, f):
    z = 0.7 - 1.3j
    ours = ad.grad(lambda z: f(anp, z), holomorphic=True)(z)
    _compare(ours, jax.grad(lambda z: f(jnp, z), holomorphic=True)(z), "jax", name)
    h = 1e-6  # a holomorphic derivative is the same along every direction
    np.testing.assert_allclose(ours, (f(np, z + h) - f(np, z - h)) / (2 * h), rtol=1e-8)
    np.testing.assert_allclose(ours, (f(np, z + 1j * h) - f(np, z - 1j * h)) / (2j * h), rtol=1e-8)


def test_holomorphic_needs_complex_input_and_output():
    with pytest.raises(TypeError, match="holomorphic=True needs complex values"):
        ad.grad(anp.exp, holomorphic=True)(1.0)
    with pytest.raises(TypeError, match="holomorphic=True needs complex values"):
        ad.grad(anp.abs, holomorphic=True)(1.0 + 1j)


@pytest.mark.parametrize("transform", [ad.jacfwd, ad.jacrev, ad.hessian])
def test_jacobians_refuse_complex_inputs(transform):
    with pytest.raises(TypeError, match="does not take complex inputs.*grad .*jvp and vjp"):
        transform(lambda z: anp.abs(z) ** 2)(np.array([1 + 1j, 2.0]))


# --- a real input through complex intermediates --------------------------------------------------


def test_real_input_gets_a_real_gradient():
    """x * 1j promotes a real x: its cotangent is the real part (JAX's convention)."""

    def f(ns, x):
        return ns.sum(ns.abs(ns.exp(1j * x) + x) ** 2 + ns.real(x * (2 - 1j)))

    x = np.array([0.3, -1.2, 2.0])
    g = ad.grad(lambda x: f(anp, x))(x)
    assert g.dtype == np.float64
    _compare(g, jax.grad(lambda x: f(jnp, x))(x), "jax", "real input")
    t = np.array([1.0, 0.5, -2.0])
    _compare(
        ad.jvp(lambda x: f(anp, x), (x,), (t,)),
        jax.jvp(lambda x: f(jnp, x), (x,), (t,)),
        "jax",
        "real input, jvp",
    )


def test_complex64_stays_complex64():
    z = np.array([1 + 2j, -0.5 + 1j], dtype=np.complex64)

    def f(ns, z):
        return ns.sum(ns.abs(ns.exp(z) * z) + ns.angle(z) + ns.imag(z))

    g = ad.grad(lambda z: f(anp, z))(z)
    assert g.dtype == np.complex64
    ref = jax.grad(lambda z: f(jnp, z))(z)
    assert ref.dtype == np.complex64
    np.testing.assert_allclose(g, ref, rtol=1e-5)


def test_tangent_must_have_the_primal_dtype():
    with pytest.raises(TypeError, match="dtype"):
        ad.jvp(anp.exp, (np.array([1j]),), (np.array([1.0]),))


# --- what refuses complex numbers ------------------------------------------------------------

Z = np.array([1 + 2j, -0.5 + 1j, 2.0 - 1j])

REFUSED = {
    "maximum": lambda: anp.maximum(Z, 0.0),
    "minimum": lambda: anp.minimum(1.0, Z),
    "clip": lambda: anp.clip(Z, -1.0, 1.0),
    "arctan2": lambda: anp.arctan2(Z, 1.0),
    "greater": lambda: anp.greater(Z, 0.0),
    "greater_equal": lambda: anp.greater_equal(Z, 0.0),
    "less": lambda: anp.less(0.0, Z),
    "less_equal": lambda: anp.less_equal(Z, Z),
    "floor_divide": lambda: anp.floor_divide(Z, 2.0),
    "argmax": lambda: anp.argmax(Z),
    "argmin": lambda: anp.argmin(Z),
    "argsort": lambda: anp.argsort(Z),
    "floor": lambda: anp.floor(Z),
    "ceil": lambda: anp.ceil(Z),
    "round": lambda: anp.round(Z),
    "sign": lambda: anp.sign(Z),
    "max": lambda: anp.max(Z),
    "min": lambda: anp.min(Z, axis=0),
    "amax": lambda: anp.amax(Z),
    "logsumexp": lambda: anp.logsumexp(Z),
    "a Python complex": lambda: anp.maximum(1j, 2.0),
    "traced: z > 0": lambda: ad.grad(lambda z: anp.abs(anp.where(z > 0, z, 0.0)).sum())(Z),
    "traced: max": lambda: ad.grad(lambda z: anp.abs(anp.max(z)))(Z),
    "traced: maximum": lambda: ad.jvp(lambda z: anp.maximum(z, 0.0), (Z,), (Z,)),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_refuses_complex(name):
    with pytest.raises(TypeError, match="not defined for complex numbers.*no order"):
        REFUSED[name]()


def test_order_free_functions_accept_complex():
    np.testing.assert_array_equal(anp.equal(Z, Z[::-1]), [False, True, False])
    np.testing.assert_array_equal(anp.not_equal(Z, Z), [False, False, False])
    np.testing.assert_array_equal(anp.isfinite(Z), [True, True, True])
    assert anp.maximum(2.0, 3.0) == 3.0  # the real path is untouched


def test_traced_values_have_real_imag_and_conj():
    z = np.array([1 + 2j, -0.5 + 1j])

    def f(ns, z):
        conjugate = np.conjugate if ns is anp else jnp.conjugate  # numpy's ufunc on a tracer
        return ns.sum(z.real * z.imag + ns.abs(z.conj() * conjugate(z)) + z.conjugate().imag)

    _compare(ad.grad(lambda z: f(anp, z))(z), jax.grad(lambda z: f(jnp, z))(z), "jax", "methods")
    with pytest.raises(TypeError, match="complex\\(\\) of a traced value"):
        ad.grad(lambda z: anp.abs(complex(z)))(1j)


def test_abs_of_complex_zero_has_derivative_zero_as_in_jax():
    z, t = np.array([0j, 1 - 1j]), np.array([1 + 2j, 0.5j])
    _compare(
        ad.grad(lambda z: anp.sum(anp.abs(z)))(z),
        jax.grad(lambda z: jnp.sum(jnp.abs(z)))(z),
        "jax",
        "abs at 0, grad",
    )
    _compare(ad.jvp(anp.abs, (z,), (t,)), jax.jvp(jnp.abs, (z,), (t,)), "jax", "abs at 0, jvp")
    assert ad.grad(anp.abs)(0.0) == 1.0  # real abs keeps its convention abs'(0) = 1
