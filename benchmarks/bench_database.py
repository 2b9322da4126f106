"""Benchmark of the customer database (chapter 1): bulk import and alert queries.

Targets of issue 4: import 1,000,000 customers and 10,000,000 transactions in under 60 s; each alert
query on that database in under 2 s. The data are made with numpy here (the generator has its own
benchmark); only the database work is timed. Usage::

    python benchmarks/bench_database.py [--customers 1000000] [--transactions 10000000]
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time

import numpy as np
import pandas as pd

from crmlab.database import CustomerDatabase


def make_tables(n_customers: int, n_transactions: int, seed: int = 1) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    ids = np.arange(1, n_customers + 1, dtype=np.int64)
    start = np.datetime64("2023-01-01")
    acq = start + rng.integers(0, 365, n_customers).astype("timedelta64[D]")
    customers = pd.DataFrame(
        {
            "customer_id": ids,
            "customer_type": "individual",
            "name": "Customer " + pd.Series(ids).astype(str),
            "city": rng.choice(["Chengdu", "Shanghai", "Beijing", "Guangzhou"], n_customers),
            "phone": pd.Series(13_800_000_000 + ids).astype(str),
            "email": "c" + pd.Series(ids).astype(str) + "@example.com",
            "acquisition_date": acq,
            "contact_cycle_days": rng.choice([30, 60, 90], n_customers),
            "purchase_cycle_days": rng.choice([30, 60, 90, 180], n_customers),
        }
    )
    cust = np.sort(rng.integers(1, n_customers + 1, n_transactions))
    days = rng.integers(365, 730, n_transactions).astype("timedelta64[D]")
    transactions = pd.DataFrame(
        {
            "transaction_id": np.arange(1, n_transactions + 1, dtype=np.int64),
            "customer_id": cust,
            "date": (start + days).astype("datetime64[ns]"),
            "amount": np.round(rng.gamma(2.0, 20.0, n_transactions) + 0.01, 2),
            "category": rng.choice(["books", "music", "video", "games"], n_transactions),
        }
    )
    n_inter = n_customers * 2
    interactions = pd.DataFrame(
        {
            "interaction_id": np.arange(1, n_inter + 1, dtype=np.int64),
            "customer_id": rng.integers(1, n_customers + 1, n_inter),
            "date": (start + rng.integers(365, 730, n_inter).astype("timedelta64[D]")).astype("datetime64[ns]"),
            "channel": rng.choice(["phone", "email", "visit"], n_inter),
        }
    )
    return {"customers": customers, "transactions": transactions, "interactions": interactions}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--transactions", type=int, default=10_000_000)
    args = parser.parse_args()
    print(f"bench_database: {args.customers:,} customers, {args.transactions:,} transactions "
          f"(machine: {os.cpu_count()} cores, shared)")
    t0 = time.perf_counter()
    tables = make_tables(args.customers, args.transactions)
    print(f"  make data (numpy, not part of the target)   {time.perf_counter() - t0:7.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "crm.sqlite")
        db = CustomerDatabase(path, synchronous="OFF")
        print("  step                                         wall s    CPU s")
        t0, c0 = time.perf_counter(), time.process_time()
        db.import_frame("customers", tables["customers"])
        t1, c1 = time.perf_counter(), time.process_time()
        print(f"  import customers                            {t1 - t0:7.1f}  {c1 - c0:7.1f}")
        db.import_frame("transactions", tables["transactions"], add_categories=True)
        t2, c2 = time.perf_counter(), time.process_time()
        print(f"  import transactions (+ indexes, derived)    {t2 - t1:7.1f}  {c2 - c1:7.1f}")
        print(f"  TOTAL import (target < 60 s)                {t2 - t0:7.1f}  {c2 - c0:7.1f}")
        db.import_frame("interactions", tables["interactions"])
        t3, c3 = time.perf_counter(), time.process_time()
        print(f"  import {len(tables['interactions']):>10,} interactions            {t3 - t2:7.1f}  {c3 - c2:7.1f}")
        print(f"  database file size                          {os.path.getsize(path) / 1e6:7.0f} MB")
        for label, call in [
            ("purchase_alerts(as_of=end)", lambda: db.purchase_alerts("2024-12-31")),
            ("purchase_alerts(as_of=mid-2024)", lambda: db.purchase_alerts("2024-06-30")),
            ("contact_reminders(as_of=end)", lambda: db.contact_reminders("2024-12-31")),
            ("contact_reminders(count_purchases)", lambda: db.contact_reminders("2024-12-31", count_purchases=True)),
        ]:
            t0, c0 = time.perf_counter(), time.process_time()
            out = call()
            print(f"  {label:<42}{time.perf_counter() - t0:7.2f}  {time.process_time() - c0:7.2f}"
                  f"   ({len(out):,} rows; target < 2 s)")
        t0, c0 = time.perf_counter(), time.process_time()
        db.customer_360(12345 % args.customers + 1, as_of="2024-12-31")
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        print(f"  customer_360                              {wall:7.3f}  {cpu:7.3f}")
        db.close()
    print(f"  peak memory (ru_maxrss)                     {peak_mb():7.0f} MB")
    print("  CPU s = process time; wall s is inflated when other jobs share the machine (load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at the end of this run).")


if __name__ == "__main__":
    main()
