"""Benchmark of crmlab.experiments: grid throughput serial vs parallel, and the cost of resuming.

Run: .venv/bin/python benchmarks/bench_experiments.py
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time

from crmlab.experiments import ExperimentGrid, run_grid


def timed(func):
    start = time.perf_counter()
    value = func()
    return value, time.perf_counter() - start


def main() -> None:
    n_customers = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    grid = ExperimentGrid(
        algorithms=["kmeans", "gmm"], feature_sets=["raw", "log_scaled"], k=[2, 3, 4, 5, 6], n_seeds=3,
        n_bootstrap=3, data={"n_customers": n_customers, "noise": [0.0, 0.5]}, base_seed=1,
    )
    print(f"grid: {len(grid)} cells, {n_customers} customers per world, 3 stability refits per cell")
    serial, t_serial = timed(lambda: run_grid(grid, n_jobs=1, progress=False))
    parallel, t_parallel = timed(lambda: run_grid(grid, n_jobs=2, progress=False))
    same = serial.drop(columns="seconds").equals(parallel.drop(columns="seconds"))
    print(f"serial   n_jobs=1: {t_serial:7.2f} s  ({len(grid) / t_serial:6.1f} cells/s)")
    print(f"parallel n_jobs=2: {t_parallel:7.2f} s  ({len(grid) / t_parallel:6.1f} cells/s); "
          f"speed-up {t_serial / t_parallel:.2f}x; identical metrics: {same}")
    print(f"sum of per-cell 'seconds' column (fit + scoring): {serial['seconds'].sum():.2f} s")
    with tempfile.TemporaryDirectory() as out:
        _, t_saved = timed(lambda: run_grid(grid, out=out, progress=False))
        resumed, t_resume = timed(lambda: run_grid(grid, out=out, progress=False))
        print(f"serial with results.csv written per cell: {t_saved:7.2f} s "
              f"(overhead vs in-memory {100 * (t_saved / t_serial - 1):+.0f}%)")
        print(f"rerun with every cell on disk: {t_resume:.3f} s, computed {resumed.attrs['n_computed']} cells")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of this process: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
