"""Benchmark of crmlab.clv (chapter 6): BTYD fits and predictions at scale.

Targets (issue 8): BG/NBD fit on CDNOW < 0.2 s and on 1,000,000 generated customers
< 5 s; Pareto/NBD on 1,000,000 < 15 s; P(alive) + expected purchases for
1,000,000 customers < 2 s. Generated customers live on a daily grid (time in
weeks, acquired over 12 weeks, observed 39-51 weeks), as a real transaction log.
Wall times are the best of a few runs; CPU times are printed too, because the
machine may be shared (CPU time is what a quiet machine would need, roughly).
"""

from __future__ import annotations

import resource
import time

import numpy as np

from crmlab.clv import BetaGeoModel, GammaGammaModel, ParetoNBDModel, simulate_bgnbd, simulate_pareto_nbd
from crmlab.datasets import load_cdnow_summary

CPU = {"last": 0.0}


def _best(fn, repeats: int) -> tuple[float, object]:
    """Best wall time over ``repeats`` runs; the CPU time of that run is kept in CPU["last"]."""
    best, out = np.inf, None
    for _ in range(repeats):
        c0, t0 = time.process_time(), time.perf_counter()
        out = fn()
        wall = time.perf_counter() - t0
        if wall < best:
            best, CPU["last"] = wall, time.process_time() - c0
    return best, out


def _cpu() -> str:
    return f"(CPU {CPU['last']:.2f} s)"


def main(n: int = 1_000_000) -> None:
    cdnow = load_cdnow_summary()
    t, m = _best(lambda: BetaGeoModel().fit(cdnow), 5)
    print(f"BG/NBD fit, CDNOW (2,357 customers, {m.n_unique_rows_} unique rows): {t:.3f} s {_cpu()}  [target < 0.2 s]")
    t, _ = _best(lambda: ParetoNBDModel().fit(cdnow), 3)
    print(f"Pareto/NBD fit, CDNOW: {t:.3f} s {_cpu()}")
    t, _ = _best(lambda: GammaGammaModel().fit(cdnow), 3)
    print(f"Gamma-Gamma fit, CDNOW: {t:.3f} s {_cpu()}")

    rng = np.random.default_rng(0)
    ages = 39.0 + rng.integers(0, 84, n) / 7.0
    t0 = time.perf_counter()
    bg = simulate_bgnbd(n, r=0.243, alpha=4.414, a=0.793, b=2.426, T=ages, resolution=1 / 7, random_state=1)
    print(f"simulate_bgnbd, {n:,} customers: {time.perf_counter() - t0:.2f} s")
    t, m = _best(lambda: BetaGeoModel().fit(bg), 2)
    print(f"BG/NBD fit, {n:,} customers ({m.n_unique_rows_:,} unique rows): {t:.2f} s {_cpu()}  [target < 5 s]")
    print("  estimates:", {k: round(float(v), 3) for k, v in m.params_.items()},
          "truth: r=0.243, alpha=4.414, a=0.793, b=2.426")
    t, _ = _best(lambda: (m.probability_alive(bg), m.expected_purchases(39.0, bg)), 2)
    print(f"P(alive) + expected purchases, {n:,} customers: {t:.2f} s {_cpu()}  [target < 2 s]")
    t, _ = _best(lambda: m.customer_lifetime_value(35.0, bg, horizon=52.0, discount_rate=0.01,
                                                   period_length=4.0), 1)
    print(f"discounted CLV (13 four-week periods), {n:,} customers: {t:.2f} s {_cpu()}")

    pn = simulate_pareto_nbd(n, r=0.553, alpha=10.578, s=0.606, beta=11.669, T=ages, resolution=1 / 7,
                             random_state=2)
    t, m = _best(lambda: ParetoNBDModel().fit(pn), 2)
    print(f"Pareto/NBD fit, {n:,} customers ({m.n_unique_rows_:,} unique rows): {t:.2f} s {_cpu()}  [target < 15 s]")
    print("  estimates:", {k: round(float(v), 3) for k, v in m.params_.items()},
          "truth: r=0.553, alpha=10.578, s=0.606, beta=11.669")
    t, _ = _best(lambda: (m.probability_alive(pn), m.expected_purchases(39.0, pn)), 2)
    print(f"Pareto/NBD P(alive) + expected purchases, {n:,} customers: {t:.2f} s {_cpu()}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory: {peak:.0f} MB")


if __name__ == "__main__":
    main()
