"""Benchmarks of autodiff_lite against its peers (issue 6). Not tests: run ``make bench``.

Each ``bench_*.py`` module is one workload with a ``run(cfg)`` function returning a
JSON-able dict; :mod:`benchmarks.run` runs them side by side in one process and writes
``benchmarks/results.json``, which the book's Performance page plots.
"""
