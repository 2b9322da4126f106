"""Benchmark crmlab.loyalty: brand switching, ladder classification and ladder simulation at scale.

Prints sizes, seconds and the process's peak resident memory; no assertions.
Run: ``python benchmarks/bench_loyalty.py``.
"""

from __future__ import annotations

import resource
import time

import numpy as np
import pandas as pd

from crmlab.loyalty import LadderChain, fit_ladder_chain, ladder_stages, switching_summary, transition_matrix


def _measure(label: str, func) -> None:
    t0 = time.perf_counter()
    func()
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"{label:55s} {seconds:7.2f} s   process peak RSS so far {peak:8.1f} MiB")


def _purchases(n_households: int, per_household: int, rng: np.random.Generator) -> pd.DataFrame:
    brands = np.array(["a", "b", "c", "d"], dtype=object)
    return pd.DataFrame({
        "household_id": np.repeat(np.arange(n_households), per_household),
        "choice": brands[rng.integers(0, 4, n_households * per_household)],
    })


def main() -> None:
    rng = np.random.default_rng(0)
    for n in (10_000, 100_000):
        purchases = _purchases(n, 20, rng)
        _measure(f"transition_matrix, {len(purchases):,} purchases", lambda p=purchases: transition_matrix(p))
        _measure(f"switching_summary, {len(purchases):,} purchases", lambda p=purchases: switching_summary(p))
    chain = LadderChain(np.full((6, 6), 1 / 6))
    for n in (10_000, 100_000):
        panel = chain.simulate(24, n_customers=n, random_state=1)
        _measure(f"LadderChain.simulate, {n:,} customers x 24 periods",
                 lambda n=n: chain.simulate(24, n_customers=n, random_state=1))
        _measure(f"fit_ladder_chain, {n:,} customers x 24 periods", lambda p=panel: fit_ladder_chain(p))
    for n in (10_000, 100_000):
        tx = pd.DataFrame({
            "customer_id": rng.integers(0, n, 10 * n),
            "date": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 730, 10 * n), unit="D"),
        })
        _measure(f"ladder_stages, {len(tx):,} transactions, 8 quarters", lambda t=tx: ladder_stages(t))


if __name__ == "__main__":
    main()
