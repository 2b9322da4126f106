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

from crmlab.database import CustomerDatabase, contact_reminders, customer_360, purchase_alerts


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
    interactions = make_contacts(ids, customers["contact_cycle_days"].to_numpy(), acq, rng)
    return {"customers": customers, "transactions": transactions, "interactions": interactions}


def make_contacts(ids: np.ndarray, cycle: np.ndarray, acq: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """Contacts drawn per customer's contact cycle over the last four months (2024-09-01 to 2024-12-31).

    Most customers are contacted on schedule: the last contact lies ``U(0, 1.08)`` cycles before the end
    and earlier ones about one cycle apart; 10% have lapsed (last contact ``1 + Exp(1)`` cycles back).
    So a realistic minority (about 15%) is overdue at the end, instead of most customers.
    """
    end, window = np.datetime64("2024-12-31"), np.datetime64("2024-09-01")
    lapsed = rng.random(len(ids)) < 0.10
    offset = np.where(lapsed, cycle * (1 + rng.exponential(1.0, len(ids))), cycle * rng.uniform(0, 1.08, len(ids)))
    last = end - np.floor(offset).astype("timedelta64[D]")
    per = (end - window).astype(int) // cycle + 1  # enough contacts to reach back past the window
    owner = np.repeat(np.arange(len(ids)), per)
    step = np.arange(len(owner)) - np.repeat(np.cumsum(per) - per, per)
    back = np.floor(step * cycle[owner] * rng.uniform(0.85, 1.0, len(owner))).astype("timedelta64[D]")
    date = last[owner] - back
    keep = (date >= window) & (date >= acq[owner])
    n = int(keep.sum())
    return pd.DataFrame(
        {
            "interaction_id": np.arange(1, n + 1, dtype=np.int64),
            "customer_id": ids[owner[keep]],
            "date": date[keep].astype("datetime64[ns]"),
            "channel": rng.choice(["phone", "email", "visit"], n),
        }
    )


def reference_seconds() -> float:
    """Seconds for a fixed pure-Python loop: a yardstick for how fast this machine is right now."""
    start = time.perf_counter()
    total = 0
    for i in range(5_000_000):
        total += i
    return time.perf_counter() - start


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_s() -> float:
    """User + system CPU seconds of this process (SQLite runs in it, helper threads included)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Clock:
    """Print wall and CPU seconds of each step."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), cpu_s()

    def lap(self, label: str, note: str = "") -> tuple[float, float]:
        wall, cpu = time.perf_counter() - self.wall, cpu_s() - self.cpu
        print(f"  {label:<44}{wall:7.2f}  {cpu:7.2f}{note}", flush=True)
        self.wall, self.cpu = time.perf_counter(), cpu_s()
        return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--transactions", type=int, default=10_000_000)
    parser.add_argument("--keep", default=None, help="keep the database file at this path (else a temp dir)")
    args = parser.parse_args()
    print(f"bench_database: {args.customers:,} customers, {args.transactions:,} transactions "
          f"(machine: {os.cpu_count()} cores, shared; load average {os.getloadavg()[0]:.1f} at start)")
    print(f"  yardstick: a 5,000,000-step Python loop took {reference_seconds():.2f} s (compare runs by it)")
    t0 = time.perf_counter()
    tables = make_tables(args.customers, args.transactions)
    print(f"  make data (numpy, not part of the target)   {time.perf_counter() - t0:7.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or os.path.join(tmp, "crm.sqlite")
        if os.path.exists(path):
            os.remove(path)
        db = CustomerDatabase(path, synchronous="OFF")
        print("  step                                           wall s    CPU s")
        clock = Clock()
        db.import_frame("customers", tables["customers"])
        w1, c1 = clock.lap("import customers")
        db.import_frame("transactions", tables["transactions"], add_categories=True)
        w2, c2 = clock.lap("import transactions (+ indexes, derived)")
        print(f"  {'TOTAL import (target < 60 s)':<44}{w1 + w2:7.2f}  {c1 + c2:7.2f}")
        n_inter = len(tables["interactions"])
        db.import_frame("interactions", tables["interactions"])
        clock.lap(f"import {n_inter:,} interactions")
        print(f"  database file size                            {os.path.getsize(path) / 1e6:7.0f} MB")
        print(f"  {'alert query (3 runs: best / median / worst)':<44}  wall s")
        for label, call in [
            ("purchase_alerts(as_of=end)", lambda: purchase_alerts(db, "2024-12-31")),
            ("purchase_alerts(as_of=mid-2024, replay)", lambda: purchase_alerts(db, "2024-06-30")),
            ("contact_reminders(as_of=end)", lambda: contact_reminders(db, "2024-12-31")),
            ("contact_reminders(as_of=2024-11-15, replay)", lambda: contact_reminders(db, "2024-11-15")),
            ("contact_reminders(count_purchases)", lambda: contact_reminders(db, "2024-12-31", count_purchases=True)),
        ]:
            times = []
            for _ in range(3):
                start = time.perf_counter()
                out = call()
                times.append(time.perf_counter() - start)
            best, median, worst = sorted(times)
            print(f"  {label:<44}{best:7.2f} / {median:.2f} / {worst:.2f}"
                  f"   ({len(out):,} rows of {args.customers:,}; target < 2 s)", flush=True)
        clock = Clock()
        customer_360(db, 12345 % args.customers + 1, as_of="2024-12-31")
        clock.lap("customer_360")
        db.close()
    print(f"  peak memory (ru_maxrss)                       {peak_mb():7.0f} MB")
    print("  CPU s = user + system time of this process (resource.getrusage); wall s is inflated when other jobs "
          f"share the machine (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at the end).")


if __name__ == "__main__":
    main()
