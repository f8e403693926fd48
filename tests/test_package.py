"""The package itself: docstring examples run, numpy is its only dependency."""

import doctest
import importlib
import pkgutil
import subprocess
import sys

import numpy as np
import pytest

import autodiff_lite
import autodiff_lite.numpy as anp

MODULES = sorted(
    m.name for m in pkgutil.walk_packages(autodiff_lite.__path__, prefix="autodiff_lite.")
)


@pytest.mark.parametrize("name", ["autodiff_lite", *MODULES])
def test_docstring_examples(name):
    module = importlib.import_module(name)
    globs = {"np": np, "anp": anp, "ad": autodiff_lite}
    globs.update({k: getattr(autodiff_lite, k) for k in autodiff_lite.__all__})
    result = doctest.testmod(module, extraglobs=globs, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"


def test_every_module_opens_with_a_docstring():
    for name in ["autodiff_lite", *MODULES]:
        doc = importlib.import_module(name).__doc__
        assert doc and len(doc.strip()) > 40, f"{name} has no module docstring"


def test_library_imports_neither_jax_nor_torch():
    code = (
        "import sys, autodiff_lite, autodiff_lite.numpy;"
        "bad = [m for m in ('jax', 'torch', 'scipy') if m in sys.modules];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
