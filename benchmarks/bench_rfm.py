"""Benchmark of ``crmlab.rfm.rfm_summary`` against an equivalent DuckDB query (chapter 3).

Target of issue 5: 10,000,000 transactions by 1,000,000 customers summarised in under 3 s, within
2x of DuckDB doing the same work (same-day purchases merged, frequency, recency, T, mean repeat
value) on the same in-memory DataFrame in the same run. The log is made with numpy (rows in random
order, two years of dates). Usage::

    python benchmarks/bench_rfm.py [--transactions 10000000] [--customers 1000000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import pandas as pd

from crmlab.rfm import rfm_summary

DUCKDB_SQL = """
WITH per_day AS (
    SELECT customer_id, CAST(date AS DATE) AS day, SUM(amount) AS value
    FROM log GROUP BY customer_id, day
), per_customer AS (
    SELECT customer_id, COUNT(*) - 1 AS frequency, MIN(day) AS first_day, MAX(day) AS last_day,
           SUM(value) AS total, ARG_MIN(value, day) AS first_value
    FROM per_day GROUP BY customer_id
)
SELECT customer_id, frequency,
       CAST(last_day - first_day AS DOUBLE) AS recency,
       CAST(DATE '{end}' - first_day AS DOUBLE) AS T,
       CASE WHEN frequency > 0 THEN (total - first_value) / frequency ELSE 0.0 END AS monetary_value
FROM per_customer ORDER BY customer_id
"""


#: A lighter single GROUP BY (no first-day value, so no monetary_value): a lower bound for DuckDB.
DUCKDB_SIMPLE_SQL = """
SELECT customer_id, COUNT(DISTINCT CAST(date AS DATE)) - 1 AS frequency,
       MIN(date) AS first_date, MAX(date) AS last_date, SUM(amount) AS total
FROM log GROUP BY customer_id
"""


def make_log(n_transactions: int, n_customers: int, seed: int = 1) -> pd.DataFrame:
    """A random transaction log: every customer buys at least once, rows in random order."""
    rng = np.random.default_rng(seed)
    extra = rng.integers(1, n_customers + 1, n_transactions - n_customers)
    ids = np.concatenate([np.arange(1, n_customers + 1), extra])
    rng.shuffle(ids)
    days = rng.integers(0, 730, n_transactions).astype("timedelta64[D]")
    return pd.DataFrame({"customer_id": ids.astype(np.int64),
                         "date": (np.datetime64("2023-01-01") + days).astype("datetime64[ns]"),
                         "amount": np.round(rng.gamma(2.0, 20.0, n_transactions) + 0.01, 2)})


def best_of(func, repeats: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = func()
        times.append(time.perf_counter() - start)
    return min(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transactions", type=int, default=10_000_000)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    log = make_log(args.transactions, args.customers)
    end = "2024-12-31"
    print(f"log: {len(log):,} transactions, {log['customer_id'].nunique():,} customers")
    t_crm, ours = best_of(lambda: rfm_summary(log, observation_end=end), args.repeats)
    print(f"crmlab rfm_summary:  {t_crm:6.2f} s (best of {args.repeats})  target < 3 s")
    try:
        import duckdb
    except ImportError:  # pragma: no cover - the bench extra is not installed
        print("duckdb not installed: pip install duckdb (crmlab[bench])")
        return
    con = duckdb.connect()
    con.register("log", log)
    sql = DUCKDB_SQL.format(end=end)
    t_duck, theirs = best_of(lambda: con.execute(sql).df(), args.repeats)
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    print(f"duckdb GROUP BY:     {t_duck:6.2f} s (best of {args.repeats}, {threads} threads)")
    print(f"ratio crmlab/duckdb: {t_crm / t_duck:6.2f}x  target <= 2x")
    t_simple, _ = best_of(lambda: con.execute(DUCKDB_SIMPLE_SQL).df(), args.repeats)
    print(f"duckdb one GROUP BY: {t_simple:6.2f} s (distinct days, min, max, sum only; no monetary_value)")
    print(f"ratio crmlab/simple: {t_crm / t_simple:6.2f}x")
    # DuckDB's best case: the log already loaded into a native table (load time not counted).
    con.execute("CREATE TABLE native AS SELECT customer_id, date, amount FROM log")
    t_native, _ = best_of(lambda: con.execute(sql.replace("FROM log", "FROM native")).df(), args.repeats)
    print(f"duckdb native table: {t_native:6.2f} s (same query on a DuckDB table; loading not counted)")
    print(f"ratio crmlab/native: {t_crm / t_native:6.2f}x")
    theirs = theirs.set_index("customer_id")
    same = (np.array_equal(ours["frequency"].to_numpy(), theirs["frequency"].to_numpy())
            and np.allclose(ours[["recency", "T", "monetary_value"]].to_numpy(),
                            theirs[["recency", "T", "monetary_value"]].to_numpy()))
    print(f"results identical:   {same}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the run: {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
