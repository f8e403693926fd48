"""Run the benchmark suite and write ``benchmarks/results.json``.

    python -m benchmarks.run              # every workload (about 10 minutes here)
    python -m benchmarks.run --quick      # a smoke run: does everything still work?
    python -m benchmarks.run --only mlp,scalar   # re-measure these, keep the rest of the file
    python -m benchmarks.run --course     # also the book build times (slow)
    python -m benchmarks.run --default-malloc   # glibc returns freed memory to the kernel

All systems run side by side in this one process, on the same inputs, each pinned to
``--threads`` threads (default 1). The results file records the machine, the versions
and the BLAS of each system, and the targets of issue 6 with their measured values;
the book's Performance page (``book/performance.md``) reads it and never re-runs it; the
targets and the tuning history are in ``benchmarks/HISTORY.md``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import time
from pathlib import Path

from . import systems

_KEEP_MEMORY = ("MALLOC_TRIM_THRESHOLD_", str(1 << 30))
_NO_MMAP = ("MALLOC_MMAP_THRESHOLD_", str(1 << 30))

WORKLOADS = ["mlp", "scalar", "ratio", "jacobian", "memory", "overhead", "course"]
RESULTS = Path(__file__).with_name("results.json")


def _targets(res: dict) -> list[dict]:
    """Issue 6's targets, each with the measured value and whether it is met."""
    out = []

    def add(name, value, limit, kind):
        if value is None:
            return
        met = value <= limit if kind == "max" else value >= limit
        out.append({"target": name, "value": value, "limit": limit, "kind": kind, "met": met})

    mlp = res.get("mlp", {}).get("ratios", {})
    add("MLP gradient / numpy forward", mlp.get("autodiff_lite grad / numpy forward"), 2.6, "max")
    ag = mlp.get("autodiff_lite grad / autograd grad")
    add("MLP: speed-up over HIPS autograd", None if ag is None else 1 / ag, 2.0, "min")
    add(
        "MLP gradient / PyTorch eager gradient",
        mlp.get("autodiff_lite grad / torch grad"),
        1.5,
        "max",
    )
    sc = res.get("scalar", {}).get("ratios", {})
    add("Scalar chain / HIPS autograd", sc.get("autodiff_lite grad / autograd grad"), 1.0, "max")
    add("Scalar chain / PyTorch eager", sc.get("autodiff_lite grad / torch grad"), 1.0, "max")
    add("Scalar chain / micrograd", sc.get("autodiff_lite grad / micrograd grad"), 2.0, "max")
    loop = res.get("memory", {}).get("loop")
    if loop:
        add("Checkpointing: peak memory reduction", loop["memory_reduction"], 5.0, "min")
        add("Checkpointing: time / plain", loop["time_ratio_checkpointed_over_plain"], 2.0, "max")
    fp = res.get("memory", {}).get("fixed_point")
    if fp:
        rows = fp["rows"]
        growth = rows[-1]["implicit_peak_bytes"] / rows[0]["implicit_peak_bytes"]
        iters = rows[-1]["iterations"] / rows[0]["iterations"]
        out.append(
            {
                "target": "Implicit differentiation: memory flat in the iterations",
                "value": growth,
                "limit": None,
                "kind": "info",
                "met": growth < 1 + 0.1 * iters,  # unrolled grows in proportion to the iterations
                "note": f"peak grows {growth:.2f}x while the iterations grow {iters:.1f}x",
            }
        )
    imp = res.get("course", {}).get("import_time", {}).get("autodiff_lite")
    if imp:
        add("import autodiff_lite (s)", imp["median_s"], 0.3, "max")
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--quick", action="store_true", help="few short rounds: a smoke test")
    p.add_argument("--only", default="", help=f"comma-separated subset of {WORKLOADS}")
    p.add_argument("--course", action="store_true", help="also time the book build (slow)")
    p.add_argument("--threads", type=int, default=1, help="BLAS/OpenMP threads per system")
    p.add_argument("--output", default=str(RESULTS), help="where to write the JSON")
    p.add_argument(
        "--default-malloc",
        action="store_true",
        help="leave glibc's malloc as it is (by default freed memory stays in the process)",
    )
    args = p.parse_args(argv)
    if not args.default_malloc and _KEEP_MEMORY[0] not in os.environ:
        # glibc hands freed memory back to the kernel, and on a virtual machine touching
        # it again costs microseconds per 4 KiB page. That penalizes every system whose
        # working set is large (all the tape-based ones) by an amount that depends on the
        # host, not on the system. Keep freed memory in the process, for all systems
        # alike: the variables must be set before the interpreter starts, so re-execute.
        env = dict(os.environ, **dict([_KEEP_MEMORY, _NO_MMAP]))
        os.execve(sys.executable, [sys.executable, "-m", "benchmarks.run", *sys.argv[1:]], env)

    systems.pin_threads(args.threads)  # before numpy, torch or jax are imported
    from . import harness

    cfg = harness.Config(quick=args.quick)
    mods = {name: systems.load(name) for name in systems.PEERS}
    chosen = [w for w in args.only.split(",") if w] or WORKLOADS
    unknown = set(chosen) - set(WORKLOADS)
    if unknown:
        p.error(f"unknown workload(s) {sorted(unknown)}; choose from {WORKLOADS}")

    results = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join(["python -m benchmarks.run", *(argv or sys.argv[1:])]),
        "quick": args.quick,
        "threads_per_system": args.threads,
        "clock": "process CPU time (time.process_time), medians over interleaved rounds",
        "machine": harness.machine_info(),
        "systems": systems.describe(mods),
        "missing_systems": [n for n, m in mods.items() if m is None],
        "workloads": {},
    }
    out_path = Path(args.output)
    if args.only and out_path.exists():
        # A subset re-run keeps the other workloads of the existing file (each workload
        # records its own date); the machine and systems sections describe the latest run.
        results["workloads"] = json.loads(out_path.read_text()).get("workloads", {})
    for name in chosen:
        t0 = time.perf_counter()
        print(f"[bench] {name} ...", flush=True)
        module = __import__(f"benchmarks.bench_{name}", fromlist=["run"])
        if name == "course":
            out = module.run(cfg, mods, course=args.course)
        else:
            out = module.run(cfg, mods)
        out["wall_s"] = time.perf_counter() - t0
        out["date"] = results["date"]
        out["malloc"] = "glibc default" if _KEEP_MEMORY[0] not in os.environ else "kept in process"
        results["workloads"][name] = out
        print(f"[bench] {name} done in {out['wall_s']:.0f} s", flush=True)
    results["targets"] = _targets(results["workloads"])
    out_path.write_text(json.dumps(results, indent=1) + "\n")
    for t in results["targets"]:
        mark = "met" if t["met"] else "NOT met"
        limit = "" if t["limit"] is None else f" ({t['kind']} {t['limit']})"
        print(f"  {t['target']:50s} {t['value']:7.2f}{limit}: {mark}")
    print(f"Wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
