"""Benchmark of crmlab.scale (chapter 11): RFM → compressed table → BG/NBD → scores, out of core.

Targets (issue 19): a generated log of 100,000,000 transactions (about 10.8M customers) in
Parquet, summarised, compressed, fitted (BG/NBD + Gamma-Gamma) and scored with DuckDB under a
2 GB DuckDB memory limit, peak RSS of the process < 4 GB; the same at 1M, 10M and 30M
transactions (growth close to linear); at 10M, the in-memory pandas path and local Spark beside
DuckDB, with identical BG/NBD parameters. Generation (``crmlab generate --customers N --format
parquet``, the command itself): about 10M customers with peak RSS < 2 GB.

Each measured run is a separate process, so its peak RSS is its own: ``--step duckdb|pandas|spark``
runs in a child process of this script; the generation step runs the ``crmlab generate`` command
as a grandchild and reports that command's peak RSS (``RUSAGE_CHILDREN``). CPU times count every
thread of the measured process (DuckDB's workers included; not Spark's JVM). By default ``make
bench`` runs 1M and 10M transactions (plus pandas and Spark at 10M); the full run is

    CRMLAB_BENCH_SCALE_SIZES=1e6,1e7,3e7,1e8 nice python benchmarks/bench_scale.py

(about 1 GB of Parquet at 100M; data go to a temporary folder, ``CRMLAB_BENCH_SCALE_DIR`` chooses
where, and are deleted afterwards). ``CRMLAB_BENCH_SCALE_SPARK=0`` skips Spark. The pipeline runs
with ``duplicates="warn"``, the default, so the summary step includes the scan for repeated rows;
``CRMLAB_BENCH_SCALE_DUPLICATES=keep`` measures it without that scan.
Timings on a shared machine are noisy: CPU times are printed beside wall times.

Measured 2026-12-05 on a 2-core machine shared with other jobs (load average 5-13, so wall
times are 2.5-4x the CPU times), full run above (Spark at 10M included):

====================  ===========  ==========  =========  ============  ===========================
transactions          customers    wall        CPU        peak RSS      unique (x, t_x, T) rows
====================  ===========  ==========  =========  ============  ===========================
998,795               108,108      5.8 s       1.6 s      453 MB        39,438
9,946,140             1,081,081    28.0 s      7.1 s      976 MB        92,218
29,898,707            3,243,243    40.8 s      16.6 s     1,712 MB      117,554
99,670,031            10,810,811   216.8 s     80.1 s     2,213 MB      141,200
====================  ===========  ==========  =========  ============  ===========================

At 100M the summary step (with the scan for repeated rows) took 194.9 s (CPU 72.8), compress
4.7 s, fit 4.5 s, score 1.9 s, write 10.9 s; with ``duplicates="keep"`` the pipeline took 128.4 s
(CPU 49.9, summary CPU 41.8), peak RSS 2,246 MB. At 10M: pandas in memory 17.0 s (CPU 4.4),
peak RSS 1,182 MB, same BG/NBD parameters; Spark local[2] 578 s wall, parameters identical to
DuckDB's. Generating 10,810,811 customers with ``crmlab generate``: 52.8 s (CPU 27.7), peak RSS
1,013 MB (410 MB of Parquet).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

TX_PER_CUSTOMER = 9.25  # mean purchases per customer of the default chunked world (2023-2024)
MEMORY_LIMIT = "2GB"
FREQ = "W"  # whole weeks: the compressed table stops growing (at most ~105^3/6 patterns over two years)
CHUNK = 500_000  # customers per Parquet file (the generator's default for large worlds)
DUPLICATES = os.environ.get("CRMLAB_BENCH_SCALE_DUPLICATES", "warn")  # "keep" skips the scan for repeated rows


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _du_mb(folder: str) -> float:
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(folder) for f in fs) / 2**20


def step_generate(n_customers: int, out: str) -> dict:
    """Run the ``crmlab generate`` command itself; report its wall time, CPU and peak RSS."""
    cmd = [sys.executable, "-m", "crmlab.cli", "generate", "--customers", str(n_customers), "--format", "parquet",
           "--out", out, "--seed", "1", "--chunk-size", str(CHUNK), "--quiet"]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True)
    wall = time.perf_counter() - t0
    child = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"wall": wall, "cpu": child.ru_utime + child.ru_stime, "peak_mb_command": child.ru_maxrss / 1024.0,
            "parquet_mb": _du_mb(os.path.join(out, "transactions")), "command": " ".join(cmd[1:])}


def _pipeline(transactions: str, engine) -> dict:
    from crmlab.scale import run_clv

    out = os.path.join(os.path.dirname(os.path.dirname(transactions)), f"scores_{engine.name}.parquet")
    t0, c0 = _clock()
    run = run_clv(transactions, engine=engine, freq=FREQ, horizon=52.0, out=out, duplicates=DUPLICATES)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    n_tx = int(engine.collect(f"SELECT COUNT(*) AS n FROM \"{run.summary.meta['log']}\"")["n"].iloc[0])
    return {"wall": wall, "cpu": cpu, "steps": run.seconds, "cpu_steps": run.cpu_seconds,
            "customers": run.n_customers, "transactions": n_tx, "unique_rows": len(run.table),
            "params": {k: float(v) for k, v in run.model.params_.items()}}


def step_duckdb(transactions: str, spill: str) -> dict:
    import warnings

    from crmlab.scale import DuckDBEngine

    with warnings.catch_warnings(record=True) as caught:  # repeated rows of the generated log, if any
        warnings.simplefilter("always")
        result = _pipeline(transactions, DuckDBEngine(memory_limit=MEMORY_LIMIT, temp_directory=spill))
    result["warnings"] = [str(w.message)[:160] for w in caught]
    return result


def step_spark(transactions: str) -> dict:
    import warnings

    from pyspark.sql import SparkSession

    from crmlab.scale import SparkEngine

    session = (SparkSession.builder.master("local[2]").appName("bench_scale").config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false").config("spark.driver.memory", "4g").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        result = _pipeline(transactions, SparkEngine(session))
    session.stop()
    return result


def step_pandas(transactions: str) -> dict:
    """The in-memory path: read the whole log, rfm_summary, fit on every customer, score, write."""
    import glob
    import warnings

    import pandas as pd

    from crmlab import clv, rfm

    folder = os.path.dirname(transactions)
    out = os.path.join(os.path.dirname(folder), "scores_pandas.parquet")
    t0, c0 = _clock()
    log = pd.concat([pd.read_parquet(f) for f in sorted(glob.glob(transactions))], ignore_index=True)
    t_read, c_read = _clock()
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        summary = rfm.rfm_summary(log, freq=FREQ)
    n_tx = len(log)
    del log
    t_sum, c_sum = _clock()
    model = clv.BetaGeoModel().fit(summary)
    spend = clv.GammaGammaModel().fit(summary)
    t_fit, c_fit = _clock()
    scores = pd.DataFrame({"p_alive": model.probability_alive(summary),
                           "expected_purchases": model.expected_purchases(52.0, summary)})
    scores["clv"] = model.customer_lifetime_value(spend.expected_spend(summary), summary, horizon=52.0,
                                                  discount_rate=0.0)
    scores.to_parquet(out)
    t_end, c_end = _clock()
    return {"wall": t_end - t0, "cpu": c_end - c0,
            "steps": {"read": t_read - t0, "summary": t_sum - t_read, "fit": t_fit - t_sum,
                      "score+write": t_end - t_fit},
            "cpu_steps": {"read": c_read - c0, "summary": c_sum - c_read, "fit": c_fit - c_sum,
                          "score+write": c_end - c_fit},
            "customers": len(summary), "transactions": n_tx,
            "params": {k: float(v) for k, v in model.params_.items()}}


def _child(*args: str) -> dict:
    """Run one step in a fresh process; return its JSON result with its peak RSS."""
    cmd = [sys.executable, __file__, "--step", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _line(label: str, r: dict, target: str = "") -> str:
    if "error" in r:
        return f"{label}: FAILED ({r['error']})"
    cpu = r.get("cpu_steps", {})
    steps = ", ".join(f"{k} {v:.1f} s (CPU {cpu.get(k, float('nan')):.1f})" for k, v in r.get("steps", {}).items())
    peak = r.get("peak_mb_command", r["peak_mb"])
    return (f"{label}: {r['wall']:.1f} s wall (CPU {r['cpu']:.1f} s), peak RSS {peak:.0f} MB{target}"
            + (f"\n      steps: {steps}" if steps else ""))


def main() -> None:
    sizes = [int(float(s)) for s in os.environ.get("CRMLAB_BENCH_SCALE_SIZES", "1e6,1e7").split(",")]
    root = tempfile.mkdtemp(prefix="crmlab_bench_scale_", dir=os.environ.get("CRMLAB_BENCH_SCALE_DIR"))
    from importlib.util import find_spec

    has_spark = (find_spec("pyspark") is not None and shutil.which("java") is not None
                 and os.environ.get("CRMLAB_BENCH_SCALE_SPARK", "1") != "0")
    print(f"crmlab.scale benchmark: sizes {sizes}, DuckDB memory_limit {MEMORY_LIMIT}, freq={FREQ!r}, "
          f"duplicates={DUPLICATES!r}, "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    rows = []
    try:
        for n_tx in sizes:
            n_customers = round(n_tx / TX_PER_CUSTOMER)
            folder = os.path.join(root, f"tx{n_tx}")
            gen = _child("generate", str(n_customers), folder)
            print(_line(f"generate {n_customers:,} customers to Parquet (crmlab generate)", gen,
                        "  [~10M customers: RSS < 2 GB]"))
            if "error" in gen:
                continue
            print(f"      {gen['parquet_mb']:.0f} MB of transaction Parquet")
            transactions = os.path.join(folder, "transactions", "*.parquet")
            duck = _child("duckdb", transactions, os.path.join(root, "spill"))
            print(_line(f"  DuckDB (memory_limit {MEMORY_LIMIT}), ~{n_tx:,} transactions", duck,
                        "  [100M: RSS < 4 GB]"))
            if "error" not in duck:
                print(f"      {duck['transactions']:,} transactions, {duck['customers']:,} customers, "
                      f"{duck['unique_rows']:,} unique rows; BG/NBD "
                      f"{ {k: round(v, 4) for k, v in duck['params'].items()} }")
                for w in duck.get("warnings", []):
                    print(f"      warning: {w}")
                rows.append((n_tx, duck, gen))
            if n_tx == 10_000_000:
                pandas_r = _child("pandas", transactions)
                print(_line("  pandas in memory, same log", pandas_r))
                if "error" not in pandas_r:
                    print(f"      pandas BG/NBD (fit on every customer) "
                          f"{ {k: round(v, 4) for k, v in pandas_r['params'].items()} }")
                if has_spark:
                    spark = _child("spark", transactions)
                    print(_line("  Spark local[2], same log", spark, "  (CPU and RSS: the Python driver only)"))
                    if "error" not in spark and "error" not in duck:
                        same = spark["params"] == duck["params"]
                        print(f"      Spark BG/NBD parameters identical to DuckDB's: {same}")
                else:
                    print("  Spark: skipped (needs PySpark and java; CRMLAB_BENCH_SCALE_SPARK=0 skips it)")
            shutil.rmtree(folder, ignore_errors=True)
        if len(rows) > 1:
            print("growth (seconds per million transactions; flat = linear):")
            for _, duck, gen in rows:
                per = 1e6 / duck["transactions"]
                print(f"  {duck['transactions']:>12,} tx: pipeline {duck['wall'] * per:.2f} s/M (CPU "
                      f"{duck['cpu'] * per:.2f}), summary {duck['steps']['summary'] * per:.2f} s/M, "
                      f"score {duck['steps']['score'] * per:.2f} s/M, generate {gen['wall'] * per:.2f} s/M; "
                      f"peak RSS {duck['peak_mb']:.0f} MB")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--step":
        kind, rest = sys.argv[2], sys.argv[3:]
        fn = {"generate": lambda: step_generate(int(rest[0]), rest[1]), "duckdb": lambda: step_duckdb(*rest),
              "spark": lambda: step_spark(*rest), "pandas": lambda: step_pandas(*rest)}[kind]
        result = fn()
        result["peak_mb"] = _peak_mb()
        print(json.dumps(result))
    else:
        main()
