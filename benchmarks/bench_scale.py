"""Benchmark of crmlab.scale (chapter 11): RFM → compressed table → BG/NBD → scores, out of core.

Targets (issue 19): a generated log of 100,000,000 transactions (about 10.8M customers) in
Parquet, summarised, compressed, fitted (BG/NBD + Gamma-Gamma) and scored with DuckDB under a
2 GB DuckDB memory limit, peak RSS of the process < 4 GB; the same at 1M and 10M transactions
(growth close to linear); at 10M, the in-memory pandas path and local Spark beside DuckDB, with
identical BG/NBD parameters. Generation: 10M customers with peak RSS < 2 GB.

Each measured run is a separate process (``--step``), so its peak RSS is its own. By default
``make bench`` runs 1M and 10M transactions (plus pandas and Spark at 10M); set
``CRMLAB_BENCH_SCALE_SIZES=1e6,1e7,1e8`` for the 100M run (about 1 GB of Parquet and several
minutes). Timings on a shared machine are noisy: CPU times are printed beside wall times.

    python benchmarks/bench_scale.py                    # 1M and 10M
    CRMLAB_BENCH_SCALE_SIZES=1e8 python benchmarks/bench_scale.py
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


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _clock():
    return time.perf_counter(), time.process_time()


def step_generate(n_customers: int, out: str) -> dict:
    from crmlab.synth.chunked import write_btyd_world

    t0, c0 = _clock()
    write_btyd_world(n_customers, out, random_state=1, chunk_size=250_000)
    return {"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0}


def _duckdb_pipeline(transactions: str, engine) -> dict:
    from crmlab.scale import run_clv

    out = os.path.join(os.path.dirname(os.path.dirname(transactions)), f"scores_{engine.name}.parquet")
    t0, c0 = _clock()
    run = run_clv(transactions, engine=engine, freq=FREQ, horizon=52.0, out=out)
    return {"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0, "steps": run.seconds,
            "customers": run.n_customers, "unique_rows": len(run.table),
            "params": {k: float(v) for k, v in run.model.params_.items()}}


def step_duckdb(transactions: str, spill: str) -> dict:
    from crmlab.scale import DuckDBEngine

    return _duckdb_pipeline(transactions, DuckDBEngine(memory_limit=MEMORY_LIMIT, temp_directory=spill))


def step_spark(transactions: str) -> dict:
    from pyspark.sql import SparkSession

    from crmlab.scale import SparkEngine

    session = (SparkSession.builder.master("local[2]").appName("bench_scale").config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false").config("spark.driver.memory", "4g").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    result = _duckdb_pipeline(transactions, SparkEngine(session))
    session.stop()
    return result


def step_pandas(transactions: str) -> dict:
    """The in-memory path: read the whole log, rfm_summary, fit on every customer, score, write."""
    import glob

    import pandas as pd

    from crmlab import clv, rfm

    folder = os.path.dirname(transactions)
    out = os.path.join(os.path.dirname(folder), "scores_pandas.parquet")
    t0, c0 = _clock()
    log = pd.concat([pd.read_parquet(f) for f in sorted(glob.glob(transactions))], ignore_index=True)
    t_read = time.perf_counter()
    summary = rfm.rfm_summary(log, freq=FREQ)
    del log
    t_sum = time.perf_counter()
    model = clv.BetaGeoModel().fit(summary)
    spend = clv.GammaGammaModel().fit(summary)
    t_fit = time.perf_counter()
    scores = pd.DataFrame({"p_alive": model.probability_alive(summary),
                           "expected_purchases": model.expected_purchases(52.0, summary)})
    scores["clv"] = model.customer_lifetime_value(spend.expected_spend(summary), summary, horizon=52.0,
                                                  discount_rate=0.0)
    scores.to_parquet(out)
    t_end = time.perf_counter()
    return {"wall": t_end - t0, "cpu": time.process_time() - c0,
            "steps": {"read": t_read - t0, "summary": t_sum - t_read, "fit": t_fit - t_sum,
                      "score+write": t_end - t_fit},
            "customers": len(summary), "params": {k: float(v) for k, v in model.params_.items()}}


def _child(*args: str) -> dict:
    """Run one step in a fresh process; return its JSON result with its peak RSS."""
    cmd = [sys.executable, __file__, "--step", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _line(label: str, r: dict) -> str:
    if "error" in r:
        return f"{label}: FAILED ({r['error']})"
    steps = ", ".join(f"{k} {v:.1f} s" for k, v in r.get("steps", {}).items())
    return (f"{label}: {r['wall']:.1f} s wall (CPU {r['cpu']:.1f} s), peak RSS {r['peak_mb']:.0f} MB"
            + (f"; {steps}" if steps else ""))


def main() -> None:
    sizes = [int(float(s)) for s in os.environ.get("CRMLAB_BENCH_SCALE_SIZES", "1e6,1e7").split(",")]
    root = tempfile.mkdtemp(prefix="crmlab_bench_scale_")
    try:
        from importlib.util import find_spec

        has_spark = find_spec("pyspark") is not None and shutil.which("java") is not None
        for n_tx in sizes:
            n_customers = round(n_tx / TX_PER_CUSTOMER)
            folder = os.path.join(root, f"tx{n_tx}")
            gen = _child("generate", str(n_customers), folder)
            print(_line(f"generate {n_customers:,} customers to Parquet", gen) + "  [10M customers: RSS < 2 GB]")
            transactions = os.path.join(folder, "transactions", "*.parquet")
            duck = _child("duckdb", transactions, os.path.join(root, "spill"))
            if "error" not in duck:
                print(f"  {duck['customers']:,} customers, {duck['unique_rows']:,} unique rows; BG/NBD "
                      f"{ {k: round(v, 4) for k, v in duck['params'].items()} }")
            print(_line(f"  DuckDB (memory_limit {MEMORY_LIMIT}), ~{n_tx:,} transactions", duck)
                  + "  [100M: RSS < 4 GB]")
            if n_tx == 10_000_000:
                pandas_r = _child("pandas", transactions)
                print(_line("  pandas in memory, same log", pandas_r))
                if "error" not in pandas_r:
                    print(f"  pandas BG/NBD (fit on every customer) {pandas_r['params']}")
                if has_spark:
                    spark = _child("spark", transactions)
                    print(_line("  Spark local[2], same log", spark))
                    if "error" not in spark and "error" not in duck:
                        same = spark["params"] == duck["params"]
                        print(f"  Spark BG/NBD parameters identical to DuckDB's: {same}")
                else:
                    print("  Spark: skipped (needs PySpark and java)")
            shutil.rmtree(folder, ignore_errors=True)
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
