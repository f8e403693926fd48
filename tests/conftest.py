"""Shared fixtures for the test suite.

- JAX is switched to float64 (``jax_enable_x64``) here, before any test module
  touches JAX, so that the cross-framework tests compare float64 with float64.
  If JAX is not installed nothing happens and the library's own tests still run.
- ``device``: the cross-framework tests run their JAX/PyTorch reference side on
  ``"cpu"`` and on ``"gpu"``; the GPU half is skipped, with a clear reason, on a
  machine without one. The library itself always runs on numpy (CPU); only the
  reference moves.
- ``rng``: a numpy ``Generator`` with a fixed seed per test (derived from the
  test's id), so every failure reproduces.
- ``browser``: headless Debian Chromium driven by Playwright, one per test module, with the
  launch options this machine's closed network needs (the book, JupyterLab, the classroom
  and the sanitizer tests all use it).
- At the end of the session the number of cross-checks (value and derivative
  comparisons) made against JAX and against PyTorch is printed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zlib

import numpy as np
import pytest

# The tests import their helpers as the package ``references``, whether or not tests/ is a package,
# and the course's tools (notebooks/tools: course.py, sandbox.py) by their module names.
_HERE = os.path.dirname(os.path.abspath(__file__))
for _path in (_HERE, os.path.join(os.path.dirname(_HERE), "notebooks", "tools")):
    if _path not in sys.path:
        sys.path.insert(0, _path)

try:  # float64 in JAX, before any JAX array is made
    import jax as _jax
except ImportError:  # pragma: no cover - JAX is optional for the library's own tests
    _jax = None
else:
    _jax.config.update("jax_enable_x64", True)
    # No Python source locations in the compiled reference computations: collecting them
    # is a large share of JAX's tracing time here, and nobody reads that HLO.
    for _option, _value in [
        ("jax_traceback_in_locations_limit", 0),
        ("jax_include_full_tracebacks_in_locations", False),
    ]:
        try:
            _jax.config.update(_option, _value)
        except (AttributeError, KeyError, ValueError):  # pragma: no cover - other versions
            pass


def _torch():
    """PyTorch, imported only by the tests that use it (None if it is not installed)."""
    try:
        import torch
    except ImportError:  # pragma: no cover
        return None
    return torch


NO_GPU = "no GPU on this machine: the JAX/PyTorch reference runs on CPU only"

# XLA's CPU compiler takes tens of milliseconds per distinct operation by default; these
# flags (no fusion emitters, no LLVM optimization, one codegen thread) make the reference
# computations compile several times faster. They change compile time only: no fast-math,
# the same float64 arithmetic. XLA aborts on a flag it does not know (and flags come and
# go between versions), so they are tried in a subprocess first, dropping any the
# installed XLA rejects; a user's own XLA_FLAGS are left alone.
_FAST_XLA = [
    "--xla_cpu_use_fusion_emitters=false",
    "--xla_cpu_parallel_codegen_split_count=1",
    "--xla_backend_optimization_level=0",
]
_xla_flags_done = []


def _fast_xla_compiles():
    """Set XLA_FLAGS before JAX starts its backends (they read it then), once."""
    if _xla_flags_done or _jax is None or "XLA_FLAGS" in os.environ:
        return
    _xla_flags_done.append(True)
    flags = list(_FAST_XLA)
    while flags:
        env = dict(os.environ, XLA_FLAGS=" ".join(flags), JAX_PLATFORMS="cpu")
        probe = subprocess.run(
            [sys.executable, "-c", "import jax.numpy as jnp; jnp.zeros(1).block_until_ready()"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if probe.returncode == 0:
            os.environ["XLA_FLAGS"] = " ".join(flags)
            return
        unknown = [f for f in flags if f.split("=")[0] in probe.stderr]
        if not unknown:
            return  # failed for another reason: leave XLA alone
        flags = [f for f in flags if f not in unknown]


def _jax_has_gpu() -> bool:
    if _jax is None:
        return False
    _fast_xla_compiles()
    try:
        return len(_jax.devices("gpu")) > 0
    except RuntimeError:  # no GPU backend
        return False


def _torch_has_gpu() -> bool:
    torch = _torch()
    return torch is not None and torch.cuda.is_available()


@pytest.fixture(scope="session", params=["cpu", "gpu"])
def device(request):
    """Where the JAX/PyTorch reference runs: "cpu" or "gpu" (skipped when there is none).

    A test that uses ``jax_device`` needs a JAX GPU backend for its "gpu" half, one
    that uses ``torch_device`` a CUDA build of PyTorch; this fixture skips the "gpu"
    half when neither has one.
    """
    if request.param == "gpu" and not (_jax_has_gpu() or _torch_has_gpu()):
        pytest.skip(NO_GPU)
    return request.param


@pytest.fixture(scope="session")
def jax_device(device):
    """The ``jax.Device`` the JAX reference runs on."""
    if _jax is None:
        pytest.skip("jax is not installed")
    _fast_xla_compiles()
    if device == "gpu":
        if not _jax_has_gpu():
            pytest.skip(NO_GPU + " (JAX has no GPU backend here)")
        return _jax.devices("gpu")[0]
    return _jax.devices("cpu")[0]


@pytest.fixture(scope="session")
def torch_device(device):
    """The ``torch.device`` the PyTorch reference runs on."""
    torch = _torch()
    if torch is None:
        pytest.skip("torch is not installed")
    if device == "gpu":
        if not _torch_has_gpu():
            pytest.skip(NO_GPU + " (PyTorch has no CUDA here)")
        return torch.device("cuda")
    return torch.device("cpu")


@pytest.fixture
def rng(request):
    """A numpy Generator seeded from the test id: fixed per test, different across tests."""
    return np.random.default_rng(zlib.crc32(request.node.nodeid.encode()))


# --- the browser -----------------------------------------------------------------------

# Headless, no GPU, and none of Chromium's background connections (refused on a closed
# network, and slow to give up on).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("Chromium is not installed: apt-get install chromium (see README)")
    return path


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield b
        b.close()


# --- counting the cross-checks ---------------------------------------------------------


def _checks():
    mod = sys.modules.get("references.frameworks")  # where CHECKS counts
    return dict(mod.CHECKS) if mod is not None else {}


def pytest_configure(config):
    config._xcheck_totals = {}
    # (what, why) for each shared fixture that failed (the book build, the lab grading).
    # Such a failure errors every test that uses the fixture, so the pytest output holds
    # dozens of copies of the report and the cause scrolls far above the last lines, which
    # are often all a CI log shows: pytest_unconfigure repeats it after the last line.
    config._setup_failures = []
    # nbgrader's source notebooks (notebooks/source/<lab>/<lab>.ipynb, ignored by git) are
    # built from each lab's one source, <lab>.md, as `make release` builds them.
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "notebooks"))
    from grader import labsource

    labsource.build_all()


def pytest_unconfigure(config):
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    for what, why in getattr(config, "_setup_failures", []):
        reporter.section(f"{what} failed (repeated from above)", sep="!")
        reporter.write_line(why[-5000:])


def pytest_sessionfinish(session, exitstatus):
    # Under pytest-xdist, each worker sends its counts to the controller.
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["xchecks"] = _checks()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):  # a pytest-xdist controller hook
    totals = node.config._xcheck_totals
    for k, v in getattr(node, "workeroutput", {}).get("xchecks", {}).items():
        totals[k] = totals.get(k, 0) + v


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    counts = dict(_checks())
    for k, v in getattr(config, "_xcheck_totals", {}).items():
        counts[k] = counts.get(k, 0) + v
    if not counts:
        return
    terminalreporter.section("cross-framework checks")
    for framework in sorted(counts):
        terminalreporter.write_line(
            f"{counts[framework]} comparisons of autodiff_lite against {framework}"
        )
