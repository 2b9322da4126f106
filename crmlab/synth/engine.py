"""The simulation steps behind :func:`crmlab.synth.make_customer_world` (private).

Each step turns arrays of customers into arrays of outcomes; the world module
assembles them into DataFrames. Order of the steps: segments -> latent ECSI scores
(satisfaction, loyalty) -> behavioural parameters (copula-coupled to loyalty) ->
purchases or subscription payments -> spend, discounts, categories -> referrals ->
complaints -> surveys.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.synth import behaviour as bh
from crmlab.synth.config import WorldConfig
from crmlab.synth.subscriptions import sbg_lifetimes
from crmlab.synth.surveys import CONSTRUCTS, latent_scores, total_effects

# No public names: the steps take the Generator streams make_customer_world derives from its one seed.
__all__: list[str] = []

_MONTH_DAYS = 30.4375
_NS_PER_DAY = 86_400 * 10**9


def assign_segments(cfg: WorldConfig, rng: np.random.Generator) -> np.ndarray:
    """Segment code (index into ``cfg.segments``) of every customer, in random id order."""
    shares = np.array([cfg.mix[s] for s in cfg.segments])
    n = cfg.n_customers
    if cfg.exact_mix:
        raw = shares * n
        counts = np.floor(raw).astype(np.int64)
        short = n - counts.sum()
        counts[np.argsort(-(raw - counts), kind="stable")[:short]] += 1
    else:
        counts = rng.multinomial(n, shares)
    return rng.permutation(np.repeat(np.arange(len(shares)), counts)).astype(np.int16)


def latent_constructs(cfg: WorldConfig, seg: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """ECSI latent scores (n x 7) and loyalty standardized within segment (exactly N(0, 1))."""
    shift = bh.segment_array(list(cfg.params.values()), seg, "image_shift")
    scores = latent_scores(cfg.n_customers, cfg.path_coefficients, shift, rng, "make_customer_world")
    effect = total_effects(cfg.path_coefficients)[CONSTRUCTS.index("loyalty"), 0]
    return scores, scores[:, CONSTRUCTS.index("loyalty")] - effect * shift


def acquisition_weeks(cfg: WorldConfig, seg: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Time of the first purchase (weeks after ``start``), uniform in the segment's window fraction."""
    params = list(cfg.params.values())
    lo = np.array([p.acquisition[0] for p in params])[seg]
    hi = np.array([p.acquisition[1] for p in params])[seg]
    frac = lo + (hi - lo) * rng.random(seg.shape[0])
    days = (cfg.end - cfg.start).days + 1
    return np.minimum(frac * days, days - 1e-6) / 7.0


def btyd_world(cfg: WorldConfig, seg: np.ndarray, z_loy: np.ndarray, acq: np.ndarray,
               rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Non-contractual purchasing: BG/NBD times plus truth of every customer."""
    params = list(cfg.params.values())
    lam = bh.gamma_by_group(seg, [s.r for s in params], rng) / bh.segment_array(params, seg, "alpha")
    z = bh.copula_normal(z_loy, cfg.loyalty_coupling, -1.0, rng)
    p = bh.beta_of_normal(seg, [s.a for s in params], [s.b for s in params], z)
    exposure = cfg.window_weeks - acq
    x, times, alive, drop = bh.simulate_btyd(lam, p, exposure, random_state=rng)
    counts = x + 1
    owner = np.repeat(np.arange(seg.shape[0]), counts)
    rel = np.zeros(owner.shape[0])
    is_repeat = np.ones(owner.shape[0], dtype=bool)
    is_repeat[np.cumsum(counts) - counts] = False
    rel[is_repeat] = times
    day = np.floor((acq[owner] + rel) * 7.0).astype(np.int64)
    nu = bh.gamma_by_group(seg, [s.q for s in params], rng) / bh.segment_array(params, seg, "gamma")
    amount = bh.gamma_by_group(seg[owner], [s.p for s in params], rng) / nu[owner]
    mean_spend = bh.segment_array(params, seg, "p") / nu
    expected = bh.btyd_expected_purchases(lam, p, alive, cfg.horizon_weeks)
    return {
        "owner": owner, "day": day, "amount": np.maximum(np.round(amount, 2), 0.01), "first": ~is_repeat,
        "purchase_rate": lam, "dropout_p": p, "alive": alive,
        "dropout_day": np.floor((acq + drop) * 7.0), "mean_spend": mean_spend,
        "expected_purchases": expected, "expected_spend": expected * mean_spend,
        "residual_value": bh.btyd_residual_value(lam, p, alive, mean_spend, cfg.margin, cfg.annual_discount_rate),
        "plan": None,
    }


def subscription_world(cfg: WorldConfig, seg: np.ndarray, z_loy: np.ndarray, acq: np.ndarray,
                       rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Contractual purchasing: monthly renewals with sBG churn, plus truth of every customer."""
    params = list(cfg.params.values())
    n = seg.shape[0]
    z = bh.copula_normal(z_loy, cfg.loyalty_coupling, -1.0, rng)
    theta = bh.beta_of_normal(seg, [s.a for s in params], [s.b for s in params], z)
    life = sbg_lifetimes(theta, rng)
    nu = bh.gamma_by_group(seg, [s.q for s in params], rng) / bh.segment_array(params, seg, "gamma")
    k = len(cfg.categories)
    prices = np.round(np.geomspace(10.0, 40.0, k)) - 0.01 if k > 1 else np.array([19.99])
    plan = np.abs(bh.segment_array(params, seg, "p")[:, None] / nu[:, None] - prices[None, :]).argmin(axis=1)
    start = cfg.start.to_datetime64().astype("datetime64[D]")
    acq_day = start + np.floor(acq * 7.0).astype("timedelta64[D]")
    acq_month = acq_day.astype("datetime64[M]")
    dom = np.minimum((acq_day - acq_month.astype("datetime64[D]")).astype(np.int64), 27)
    end = cfg.end.to_datetime64().astype("datetime64[D]")

    def renewals_until(last: np.datetime64) -> np.ndarray:
        months = (last.astype("datetime64[M]") - acq_month).astype(np.int64)
        last_dom = (last - last.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64)
        return months + (dom <= last_dom)

    observable = renewals_until(end)
    paid = np.minimum(life, observable)
    alive = life >= observable
    owner = np.repeat(np.arange(n), paid)
    idx = np.arange(owner.shape[0]) - np.repeat(np.cumsum(paid) - paid, paid)
    pay = (acq_month[owner] + idx).astype("datetime64[D]") + dom[owner]
    day = (pay - start).astype(np.int64)
    drop = np.where(alive, np.nan, ((acq_month + life).astype("datetime64[D]") + dom - start).astype(np.int64))
    horizon_end = end + np.timedelta64(int(round(cfg.horizon_weeks * 7)), "D")
    n_h = renewals_until(horizon_end) - observable
    keep = 1.0 - theta
    expected = np.where(alive, keep * -np.expm1(n_h * np.log(keep)) / theta, 0.0)
    monthly = (1.0 + cfg.annual_discount_rate) ** (1.0 / 12.0) - 1.0
    fee = prices[plan]
    return {
        "owner": owner, "day": day, "amount": fee[owner], "first": idx == 0,
        "purchase_rate": np.full(n, 7.0 / _MONTH_DAYS), "dropout_p": theta, "alive": alive,
        "dropout_day": drop, "mean_spend": fee, "expected_purchases": expected,
        "expected_spend": expected * fee,
        "residual_value": np.where(alive, cfg.margin * fee * keep / (theta + monthly), 0.0),
        "plan": plan,
    }


def referrals(cfg: WorldConfig, seg: np.ndarray, z_loy: np.ndarray, acq: np.ndarray,
              rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Who referred whom: referred customers pick an earlier customer, weighted by referral propensity.

    Returns the referrer index (-1 if none) and each customer's number of referrals.
    """
    n = seg.shape[0]
    sigma = 0.8
    zr = cfg.loyalty_coupling * z_loy + np.sqrt(1.0 - cfg.loyalty_coupling**2) * rng.standard_normal(n)
    weight = bh.segment_array(list(cfg.params.values()), seg, "referral_rate") * np.exp(sigma * zr - sigma**2 / 2)
    order = np.argsort(acq, kind="stable")
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    cum = np.cumsum(weight[order])
    referred = (rng.random(n) < cfg.referral_channel_share) & (rank > 0)
    before = np.where(rank > 0, cum[np.maximum(rank - 1, 0)], 0.0)
    referred &= before > 0
    target = rng.random(n) * before
    pick = np.minimum(np.searchsorted(cum, target, side="right"), np.maximum(rank - 1, 0))
    referrer = np.where(referred, order[pick], -1)
    counts = np.bincount(referrer[referrer >= 0], minlength=n)
    return referrer, counts


def day_to_date(start: pd.Timestamp, day: np.ndarray) -> np.ndarray:
    """Day offsets from ``start`` -> datetime64[ns] dates (NaN offsets become NaT)."""
    base = start.to_datetime64().astype("datetime64[ns]").astype(np.int64)
    d = np.asarray(day)
    if np.issubdtype(d.dtype, np.integer):
        return (base + d.astype(np.int64) * _NS_PER_DAY).view("datetime64[ns]")
    missing = np.isnan(d)
    ns = base + np.where(missing, 0, d).astype(np.int64) * _NS_PER_DAY
    ns[missing] = np.iinfo(np.int64).min  # NaT
    return ns.view("datetime64[ns]")


def frame(columns: dict[str, object]) -> pd.DataFrame:
    """Build a DataFrame on the given arrays without copying or consolidating them (fast for big tables)."""
    return pd.DataFrame(columns, copy=False)
