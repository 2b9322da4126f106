"""Benchmark of the chapter 10 research models: CNBD-k and covariate fits at scale, interval coverage.

Issue 16 asks for: MBG/CNBD-k fit on 100k customers; Pareto/GGG on 10k customers x
2,000 draws; covariate Pareto/NBD on 100k customers; interval coverage of nominal 80 % and 95 % within ±3 points in
simulation. Per-customer coverage (randomised PIT) is in the unit tests; here the
coverage of the *aggregate* (total holdout purchases) interval is estimated over
replicate worlds, each fitted afresh. Wall times are the best of the runs; CPU
times are printed too because the machine may be shared.

The time-varying covariate Pareto/NBD (10k customers x 104 weeks, weekly promotion indicator and
season) runs with the rest, or alone with ``python benchmarks/bench_clv_research.py tv [n_customers] [n_weeks]``.

Usage: ``python benchmarks/bench_clv_research.py [n_customers] [n_replicates] [n_ggg] [ggg_draws] [n_tv]``.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from crmlab.clv import (
    BetaGeoModel,
    ModifiedBetaGeoCNBDModel,
    ParetoGGGModel,
    ParetoNBDCovariateModel,
    ParetoNBDTimeVaryingModel,
    prediction_intervals,
)
from crmlab.synth.btyd_worlds import simulate_cnbd, simulate_covariate_world, simulate_pareto_ggg
from crmlab.synth.tv_covariates import simulate_tv_covariate_world


def _timed(fn):
    c0, t0 = time.process_time(), time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, time.process_time() - c0, out


def aggregate_coverage(n_replicates: int, n_customers: int = 1000, n_draws: int = 200) -> dict[str, float]:
    """Share of replicate worlds whose total holdout purchases fall inside the 80 % / 95 % intervals."""
    hits = {"80": 0, "95": 0}
    for rep in range(n_replicates):  # replicate worlds, each fitted afresh
        T = np.random.default_rng(rep).uniform(20.0, 52.0, n_customers)
        df = simulate_cnbd(n_customers, r=1.0, alpha=5.0, a=1.0, b=4.0, T=T, future=39.0, random_state=10_000 + rep)
        model = BetaGeoModel().fit(df)
        pi = prediction_intervals(model, df, 39.0, n_draws=n_draws, random_state=rep)
        total = df["frequency_holdout"].sum()
        for lv in hits:
            hits[lv] += int(pi.total[f"lower_{lv}"] <= total <= pi.total[f"upper_{lv}"])
    return {lv: h / n_replicates for lv, h in hits.items()}


def tv_covariate_fit(n_customers: int = 10_000, n_weeks: int = 104) -> None:
    """Fit time of the time-varying covariate Pareto/NBD (3 coefficients) and its estimates beside the truth."""
    w = simulate_tv_covariate_world(n_customers, n_periods=n_weeks, holdout_periods=13, random_state=7)
    model = ParetoNBDTimeVaryingModel(["is_promo", "season"], ["is_promo"])
    wall, cpu, m = _timed(lambda: model.fit(w.transactions, w.covariates, observation_end=w.calibration_end))
    table = m.summary()
    z = ((table["estimate"] - w.truth) / table["std_error"]).abs().max()
    future = w.covariates[w.covariates["period"] >= w.calibration_end]
    pw, _, pred = _timed(lambda: m.expected_purchases(13.0, future))
    print(f"time-varying covariate Pareto/NBD fit, {n_customers:,} customers x {n_weeks} weeks "
          f"({len(w.transactions):,} purchases, {len(m._data.seg.cust):,} customer-weeks): {wall:.1f} s "
          f"(CPU {cpu:.1f} s); max |estimate - truth| / SE = {z:.2f}")
    print("  estimates:", m.params_.round(3).to_dict())
    print("  truth:    ", w.truth.to_dict())
    print(f"  13-week forecast with the future path: {pred.sum():,.0f} purchases (actual "
          f"{w.customers['holdout_purchases'].sum():,}) [{pw:.2f} s]")


def main(n: int = 100_000, n_replicates: int = 200, n_ggg: int = 10_000, ggg_draws: int = 2000,
         n_tv: int = 10_000) -> None:
    tv_covariate_fit(n_tv)
    ggg = simulate_pareto_ggg(n_ggg, t=4.0, gamma=1.0, r=2.0, alpha=8.0, s=0.8, beta=15.0, T=52.0, random_state=3)
    wall, cpu, g = _timed(lambda: ParetoGGGModel(n_chains=2, n_iter=ggg_draws // 2, burn_in=200,
                                                 random_state=4).fit(ggg))
    s = g.summary()
    print(f"Pareto/GGG MCMC, {n_ggg:,} customers x {ggg_draws:,} draws (2 chains, +200 burn-in each): "
          f"{wall:.0f} s (CPU {cpu:.0f} s); max R-hat {s['r_hat'].max():.3f}, min ESS {s['ess'].min():.0f}")
    print("  posterior means:", s["mean"].round(3).to_dict(), "(truth t=4, gamma=1, r=2, alpha=8, s=0.8, beta=15)")

    rng = np.random.default_rng(0)
    ages = 39.0 + rng.integers(0, 84, n) / 7.0
    df = simulate_cnbd(n, r=2.0, alpha=8.0, a=1.0, b=6.0, k=2, T=ages, dropout_at_zero=True, random_state=1)
    wall, cpu, m = _timed(lambda: ModifiedBetaGeoCNBDModel(max_k=4).fit(df))
    print(f"MBG/CNBD-k fit (k = 1..4 tried), {n:,} customers: {wall:.1f} s (CPU {cpu:.1f} s); k = {m.k_}, "
          f"estimates {m.params_.round(3).to_dict()} (truth k=2, r=2, alpha=8, a=1, b=6)")

    data, cov = simulate_covariate_world(n, model="paretonbd", params={"r": 1.0, "alpha": 8.0, "s": 0.8, "beta": 12.0},
                                         purchase_effects={"is_web": 0.7, "age": -0.3},
                                         dropout_effects={"is_web": -0.5}, T=ages, random_state=2)
    wall, cpu, cm = _timed(lambda: ParetoNBDCovariateModel(["is_web", "age"], ["is_web"]).fit(data, cov))
    print(f"covariate Pareto/NBD fit (3 coefficients), {n:,} customers: {wall:.1f} s (CPU {cpu:.1f} s)")
    print("  estimates:", cm.params_.round(3).to_dict())

    wall, cpu, cover = _timed(lambda: aggregate_coverage(n_replicates))
    se = {lv: np.sqrt(float(lv) / 100 * (1 - float(lv) / 100) / n_replicates) for lv in cover}
    print(f"aggregate interval coverage over {n_replicates} BG/NBD worlds of 1,000 customers: "
          + ", ".join(f"{lv} %: {c:.3f} (± {2 * se[lv]:.3f} at 2 SE)" for lv, c in cover.items())
          + f"  [{wall:.0f} s]")


if __name__ == "__main__":
    if sys.argv[1:2] == ["tv"]:
        tv_covariate_fit(*[int(a) for a in sys.argv[2:]])
    else:
        main(*[int(a) for a in sys.argv[1:]])
