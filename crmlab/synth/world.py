"""The customer world: one call that builds profiles, transactions, surveys, complaints and truth.

Chapter 0. :func:`make_customer_world` is the course's data engine: every chapter
and every model test draws its customers here, because only a generator knows the
truth (who is alive, their real purchase rate, their residual value).
"""

from __future__ import annotations

import dataclasses
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import special
from tqdm import tqdm

from crmlab._rng import RandomState, as_generator
from crmlab.synth import behaviour as bh
from crmlab.synth import engine
from crmlab.synth.complaints import complaint_log, draw_complained
from crmlab.synth.config import WorldConfig
from crmlab.synth.export import FORMATS, TABLES, write_world
from crmlab.synth.profiles import SOURCE_CHANNELS, business_profiles, channel_weights, individual_profiles
from crmlab.synth.surveys import _MOBI_ORDER, CONSTRUCTS, ecsi_items, loyalty_items

__all__ = ["FORMATS", "TABLES", "CustomerWorld", "make_customer_world"]

_TRUTH_LATENT = {"image": "image", "expectation": "expectation", "quality": "perceived_quality",
                 "value": "perceived_value", "satisfaction": "satisfaction", "complaints": "complaint_handling",
                 "loyalty": "loyalty"}


@dataclass(frozen=True, repr=False)
class CustomerWorld:
    """A synthetic customer base with its ground truth.

    Chapter 0. Made by :func:`make_customer_world`; every table is keyed by
    ``customer_id`` (1..n).

    Parameters
    ----------
    customers : pandas.DataFrame
        Profiles (individual or business fields, see :func:`make_customer_world`).
    transactions : pandas.DataFrame
        ``transaction_id``, ``customer_id``, ``date``, ``amount``, ``category``, ``discount``;
        sorted by date then customer.
    surveys : pandas.DataFrame
        ``customer_id``, ``survey_date``, the 24 ECSI items named as in ``mobi``
        (int 1..10) and the six loyalty-indicator items ``loy_*``.
    complaints : pandas.DataFrame
        ``complaint_id``, ``customer_id``, ``date``, ``category``, ``channel``, ``resolved``,
        ``resolution_days``.
    truth : pandas.DataFrame
        The hidden truth, one row per customer (see :func:`make_customer_world`).
    config : WorldConfig
        The configuration that made the world.

    Examples
    --------
    >>> world = make_customer_world(100, random_state=7)
    >>> len(world.customers), world.config.n_customers
    (100, 100)
    """

    customers: pd.DataFrame
    transactions: pd.DataFrame
    surveys: pd.DataFrame
    complaints: pd.DataFrame
    truth: pd.DataFrame
    config: WorldConfig

    def __repr__(self) -> str:
        sizes = ", ".join(f"{name}={len(getattr(self, name)):,}" for name in TABLES)
        return f"CustomerWorld(preset={self.config.preset!r}, {sizes})"

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The five tables by name."""
        return {name: getattr(self, name) for name in TABLES}

    def parameters(self) -> pd.DataFrame:
        """Return the true population parameters per segment (``r, alpha, a, b, p, q, gamma, ...``)."""
        return self.config.parameters()

    def export(self, out: str | Path, format: str = "csv", *, progress: bool = False) -> list[Path]:  # noqa: A002
        """Write the world to ``out`` as CSV files, Parquet files or one SQLite database.

        Parameters
        ----------
        out : str or pathlib.Path
            A folder for ``"csv"``/``"parquet"`` (created if needed; one file per
            table plus ``config.json``), or a database file for ``"sqlite"``.
        format : {"csv", "parquet", "sqlite"}, default="csv"
            Output format.
        progress : bool, default=False
            Show a tqdm progress bar (one step per table) on stderr.

        Returns
        -------
        list of pathlib.Path
            The files written.

        Raises
        ------
        ValueError
            If ``format`` is unknown.
        """
        return write_world(self.tables, self.config, out, format, progress=progress)


    def to_csv(self, folder: str | Path) -> list[Path]:
        """Write one CSV per table (and ``config.json``) into ``folder``."""
        return self.export(folder, "csv")

    def to_parquet(self, folder: str | Path) -> list[Path]:
        """Write one Parquet file per table (and ``config.json``) into ``folder``."""
        return self.export(folder, "parquet")

    def to_sqlite(self, path: str | Path) -> Path:
        """Write every table into the SQLite database ``path`` (replacing tables of the same name)."""
        return self.export(path, "sqlite")[0]


def make_customer_world(
    n_customers: int = 1000,
    start: str | pd.Timestamp = "2023-01-01",
    end: str | pd.Timestamp = "2024-12-31",
    preset: str = "retail",
    random_state: RandomState = None,
    *,
    progress: bool = False,
    **config_overrides: Any,
) -> CustomerWorld:
    r"""Generate a synthetic customer world with known ground truth.

    Chapter 0: the data engine of the course. Latent segments, each with its own
    heterogeneity distributions, drive BTYD purchasing and drop-out, Gamma-Gamma
    spend, cross-buying, discount use, referrals, complaints and ECSI survey
    answers; the truth of every customer is returned next to the data.

    Parameters
    ----------
    n_customers : int, default=1000
        Number of customers (ids 1..n).
    start, end : str or Timestamp, default="2023-01-01", "2024-12-31"
        Observation window (inclusive).
    preset : {"retail", "b2b", "subscription"}, default="retail"
        Individual consumers, business customers (CRM record fields, large orders),
        or a contractual subscription business (monthly renewals, sBG churn).
    random_state : None, int or numpy.random.Generator, optional
        An int repeats exactly (byte-identical CSV files); a Generator advances.
    progress : bool, default=False
        Show a tqdm progress bar of the generation steps on stderr.
    **config_overrides
        Any other :class:`WorldConfig` field, e.g. ``segments=("champions", "loyal",
        "bargain_hunters", "dormant")``, ``segment_mix={...}``,
        ``segment_params={"loyal": {"r": 5.0}}``, ``complaint_share_dissatisfied=0.04``,
        ``margin=0.3``, ``annual_discount_rate=0.1``, ``horizon_weeks=52``.

    Returns
    -------
    CustomerWorld
        ``customers``: ``customer_id``, the profile fields (retail: ``name``, ``gender``,
        ``birth_date``, ``age``, ``city``, ``region``, ``address``, ``postcode``, ``education``,
        ``occupation``, ``income_band``, ``household_size``, ``email``, ``phone``,
        ``preferred_contact_time``, ``preferred_payment``, ``preferred_shopping_channel``,
        ``contact_channel``; b2b: ``company_name``, ``ownership_type``, ``industry``, ``city``,
        ``region``, ``staff_count``, ``scale_tier``, ``years_in_business``,
        ``industry_position``, ``credit_grade`` (1–5 stars), ``settlement_terms``,
        ``contact_person``, ``phone``, ``fax``, ``email``, ``website``, ``customer_category``),
        then ``acquisition_date``, ``source_channel``, ``referred_by`` (Int64, <NA> if none),
        ``favourite_category``, ``contact_cycle_days``, ``purchase_cycle_days``.
        ``transactions``, ``surveys``, ``complaints`` as in :class:`CustomerWorld`.
        ``truth``: ``customer_id``, ``segment``, ``acquisition_date``, ``purchase_rate``
        (per week), ``dropout_p`` (per repeat purchase; per period in the subscription
        preset), ``alive`` (at ``end``), ``dropout_date`` (NaT if alive), ``mean_spend``,
        ``discount_share``, ``category_breadth``, the latent ECSI scores ``image``,
        ``expectation``, ``perceived_quality``, ``perceived_value``, ``satisfaction``,
        ``complaint_handling``, ``loyalty``; ``dissatisfied``, ``complained``,
        ``referrals``, ``expected_purchases`` and ``expected_spend`` (next
        ``horizon_weeks``, closed form given the individual parameters and alive
        status), ``residual_value`` (discounted future margin).
        ``config``: the :class:`WorldConfig`.

    Raises
    ------
    ValueError
        If a configuration value is out of range (the message names the field and the
        allowed range), ``end`` is not after ``start`` or ``preset`` is unknown.
    TypeError
        If an override is not a :class:`WorldConfig` field or has the wrong type.

    See Also
    --------
    WorldConfig : every option, documented.
    make_ecsi_survey : a stand-alone survey with known paths.
    make_subscriptions : stand-alone sBG subscribers.
    crmlab.synth.realism : compare a generated log with CDNOW.

    Notes
    -----
    Per segment :math:`s`, customer :math:`i` has
    :math:`\lambda_i \sim \mathrm{Gamma}(r_s, \alpha_s)`,
    :math:`p_i \sim \mathrm{Beta}(a_s, b_s)` and
    :math:`\nu_i \sim \mathrm{Gamma}(q_s, \gamma_s)`; purchases follow BG/NBD from the
    first purchase (the acquisition date), spends are :math:`\mathrm{Gamma}(p_s, \nu_i)`.
    Latent loyalty enters the drop-out probability, discount share, referrals and
    category breadth through a Gaussian copula, so every marginal stays exactly as
    configured. True per-segment parameters: ``world.parameters()``. Truth formulas:

    .. math:: E[X(h)] = \frac{1 - e^{-\lambda p h}}{p}, \qquad
              RV = m\,\frac{p_s}{\nu}\,\frac{\lambda}{\lambda p + \delta},
              \quad \delta = \ln(1 + d)/52

    for customers alive at ``end`` (zero otherwise).

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). "Counting your customers" the
    easy way: an alternative to the Pareto/NBD model. *Marketing Science*, 24(2), 275–284.

    Fader, P. S., & Hardie, B. G. S. (2013). The Gamma-Gamma model of monetary value.

    Examples
    --------
    >>> world = make_customer_world(200, random_state=7)
    >>> len(world.customers), len(world.truth)
    (200, 200)
    >>> list(world.transactions.columns)
    ['transaction_id', 'customer_id', 'date', 'amount', 'category', 'discount']
    >>> world.truth["segment"].nunique()
    6
    """
    fields = {f.name for f in dataclasses.fields(WorldConfig) if f.init}
    unknown = sorted(set(config_overrides) - fields)
    if unknown:
        raise TypeError(f"make_customer_world(): unknown option(s) {unknown}; "
                        f"allowed options are the WorldConfig fields {sorted(fields)}.")
    cfg = WorldConfig(n_customers=n_customers, start=start, end=end, preset=preset, **config_overrides)
    rng = as_generator(random_state, caller="make_customer_world")
    streams = rng.spawn(8)
    steps = ("segments", "behaviour", "spend & categories", "referrals", "complaints", "surveys", "profiles")
    with tqdm(total=len(steps), desc="make_customer_world", file=sys.stderr, disable=not progress,
              unit="step") as bar:
        return _build(cfg, streams, bar)


def _build(cfg: WorldConfig, streams: list[np.random.Generator], bar: tqdm) -> CustomerWorld:
    n = cfg.n_customers
    ids = np.arange(1, n + 1, dtype=np.int64)
    seg = engine.assign_segments(cfg, streams[0])
    scores, z_loy = engine.latent_constructs(cfg, seg, streams[0])
    acq = engine.acquisition_weeks(cfg, seg, streams[0])
    bar.update()
    simulate = engine.subscription_world if cfg.preset == "subscription" else engine.btyd_world
    sim = simulate(cfg, seg, z_loy, acq, streams[1])
    bar.update()
    tx, share, breadth, favourite = _transactions(cfg, seg, z_loy, sim, streams[2])
    bar.update()
    referrer, n_referrals = engine.referrals(cfg, seg, z_loy, acq, streams[3])
    bar.update()
    end_d = cfg.end.to_datetime64().astype("datetime64[D]")
    acq_date = engine.day_to_date(cfg.start, np.floor(acq * 7.0))
    last_day = np.where(sim["alive"], end_d, engine.day_to_date(cfg.start, sim["dropout_day"]).astype("datetime64[D]"))
    last_day = np.minimum(np.maximum(last_day, acq_date.astype("datetime64[D]")), end_d)
    sat = scores[:, CONSTRUCTS.index("satisfaction")]
    dissatisfied = sat < cfg.dissatisfied_threshold
    complained = draw_complained(dissatisfied, cfg.complaint_share_dissatisfied, cfg.complaint_share_satisfied,
                                 streams[4])
    complaints = complaint_log(ids, complained, acq_date.astype("datetime64[D]"), last_day, cfg.resolution_share,
                               random_state=streams[4])
    bar.update()
    surveys = _surveys(cfg, ids, scores, acq_date.astype("datetime64[D]"), last_day, streams[5])
    bar.update()
    truth = engine.frame({
        "customer_id": ids,
        "segment": pd.Categorical.from_codes(seg, categories=list(cfg.segments)),
        "acquisition_date": acq_date,
        "purchase_rate": sim["purchase_rate"],
        "dropout_p": sim["dropout_p"],
        "alive": sim["alive"],
        "dropout_date": engine.day_to_date(cfg.start, sim["dropout_day"]),
        "mean_spend": sim["mean_spend"],
        "discount_share": share,
        "category_breadth": breadth,
        **{_TRUTH_LATENT[c]: scores[:, j] for j, c in enumerate(CONSTRUCTS)},
        "dissatisfied": dissatisfied,
        "complained": complained,
        "referrals": n_referrals.astype(np.int64),
        "expected_purchases": sim["expected_purchases"],
        "expected_spend": sim["expected_spend"],
        "residual_value": sim["residual_value"],
    })
    customers = _customers(cfg, ids, seg, z_loy, sim, acq_date, referrer, favourite, streams[6])
    bar.update()
    return CustomerWorld(customers=customers, transactions=tx, surveys=surveys, complaints=complaints,
                         truth=truth, config=cfg)


def _transactions(cfg: WorldConfig, seg: np.ndarray, z_loy: np.ndarray, sim: dict[str, Any],
                  rng: np.random.Generator) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    params = list(cfg.params.values())
    owner = sim["owner"]
    z = bh.copula_normal(z_loy, cfg.loyalty_coupling, -1.0, rng)
    share = bh.beta_of_normal(seg, [s.discount_a for s in params], [s.discount_b for s in params], z)
    k = len(cfg.categories)
    if sim["plan"] is not None:
        cat = sim["plan"][owner].astype(np.int16)
        favourite = sim["plan"]
        breadth = np.ones(seg.shape[0])
        discount = sim["first"] & (rng.random(owner.shape[0]) < share[owner])
        amount = np.where(discount, np.round(sim["amount"] / 2.0, 2), sim["amount"])
    else:
        zb = cfg.loyalty_coupling * z_loy + np.sqrt(1.0 - cfg.loyalty_coupling**2) * rng.standard_normal(seg.shape[0])
        breadth = bh.segment_array(params, seg, "breadth") * np.exp(0.5 * zb - 0.125)
        popularity = bh.category_popularity(k)
        favourite = np.minimum(np.searchsorted(np.cumsum(popularity), rng.random(seg.shape[0]), side="right"), k - 1)
        cat = bh.category_draws(favourite, 1.0 / (1.0 + breadth), owner, popularity, rng)
        discount = rng.random(owner.shape[0]) < share[owner]
        amount = sim["amount"]
    day = sim["day"]
    small = np.int16 if day.max(initial=0) < np.iinfo(np.int16).max else np.int32
    order = np.argsort(day.astype(small), kind="stable")  # radix sort for int16 day numbers
    tx = engine.frame({
        "transaction_id": np.arange(1, owner.shape[0] + 1, dtype=np.int64),
        "customer_id": (owner[order] + 1).astype(np.int64),
        "date": engine.day_to_date(cfg.start, day[order]),
        "amount": amount[order],
        "category": pd.Categorical.from_codes(cat[order], categories=list(cfg.categories)),
        "discount": discount[order],
    })
    return tx, share, breadth, favourite


def _surveys(cfg: WorldConfig, ids: np.ndarray, scores: np.ndarray, first: np.ndarray, last: np.ndarray,
             rng: np.random.Generator) -> pd.DataFrame:
    who = np.flatnonzero(rng.random(ids.shape[0]) < cfg.survey_share)
    span = (last[who] - first[who]).astype(np.int64)
    date = first[who] + np.floor(rng.random(who.shape[0]) * (span + 1)).astype("timedelta64[D]")
    items = ecsi_items(scores[who], _loadings(), rng)
    loy = loyalty_items(scores[who, CONSTRUCTS.index("loyalty")], cfg.loyalty_weights, rng)
    return pd.DataFrame({"customer_id": ids[who], "survey_date": date.astype("datetime64[ns]"),
                         **{name: items[name] for name in _MOBI_ORDER}, **loy})


def _loadings() -> dict[str, float]:
    from crmlab.synth.surveys import ECSI_LOADINGS

    return dict(ECSI_LOADINGS)


def _customers(cfg: WorldConfig, ids: np.ndarray, seg: np.ndarray, z_loy: np.ndarray, sim: dict[str, Any],
               acq_date: np.ndarray, referrer: np.ndarray, favourite: np.ndarray,
               rng: np.random.Generator) -> pd.DataFrame:
    n = ids.shape[0]
    if cfg.preset == "b2b":
        credit_u = special.ndtr(bh.copula_normal(z_loy, cfg.loyalty_coupling, 1.0, rng))
        cols = business_profiles(ids, cfg.end, credit_u, random_state=rng)
        agent = cols.pop("agent")
        status = np.where(sim["alive"], 0, 1) * 2 + agent.astype(np.int64)
        cols["customer_category"] = pd.Categorical.from_codes(
            status, categories=["current end customer", "current agent", "lost end customer", "lost agent"])
    else:
        cols = individual_profiles(ids, cfg.end, random_state=rng)
    weights = np.asarray(channel_weights(cfg.preset))
    channel = np.searchsorted(np.cumsum(weights / weights.sum()), rng.random(n), side="right").clip(0, 7)
    referred = referrer >= 0
    channel = np.where(referred, np.where(rng.random(n) < 0.7, 2, 7), channel)
    cycle = np.array([p.contact_cycle_days for p in cfg.params.values()], dtype=np.int64)[seg]
    purchase_cycle = np.clip(np.rint(7.0 / np.maximum(sim["purchase_rate"], 1e-9)), 1, 3650).astype(np.int64)
    return engine.frame({
        "customer_id": ids,
        **cols,
        "acquisition_date": acq_date,
        "source_channel": pd.Categorical.from_codes(channel.astype(np.int32), categories=list(SOURCE_CHANNELS)),
        "referred_by": pd.arrays.IntegerArray(np.where(referred, referrer + 1, 0).astype(np.int64), ~referred),
        "favourite_category": pd.Categorical.from_codes(np.asarray(favourite, dtype=np.int32),
                                                        categories=list(cfg.categories)),
        "contact_cycle_days": cycle,
        "purchase_cycle_days": purchase_cycle,
    })
