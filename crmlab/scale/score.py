"""Scores computed once per unique row in numpy, joined back to every customer in the engine.

Chapter 11. P(alive), expected purchases and discounted expected purchases depend
on a customer only through ``(frequency, recency, T)``: they are computed on the
compressed table (a few thousand rows) with the fitted :mod:`crmlab.clv` model,
registered in the engine as a small table and joined to the per-customer summary
on the whole-period keys. Expected spend (Gamma-Gamma) is a closed form of
``(frequency, monetary_value)`` evaluated by the engine itself. No Python runs per
customer and the per-customer table never enters Python.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from crmlab._validation import check_number
from crmlab.scale.compressed import _suffix, compressed_table
from crmlab.scale.engines import fresh_name, quote
from crmlab.scale.summary import EngineTable

__all__ = ["score_customers"]


def _row_scores(model: Any, table: pd.DataFrame, horizon: float, discount_rate: float, discrete: bool) -> pd.DataFrame:
    """Score each unique row with the fitted model (numpy, once per row)."""
    cols = ["frequency", "recency_periods", "T_periods"] if discrete else ["frequency", "recency", "T"]
    data = table[cols].rename(columns=dict(zip(cols, ["frequency", "recency", "T"], strict=True)))
    out = table[["frequency", "recency_periods", "T_periods"]].copy()
    out["p_alive"] = model.probability_alive(data).to_numpy()
    out["expected_purchases"] = model.expected_purchases(horizon, data).to_numpy()
    out["discounted_purchases"] = model.discounted_expected_transactions(
        data, horizon=horizon, discount_rate=discount_rate).to_numpy()
    return out.reset_index(drop=True)


def score_customers(
    model: Any, summary: EngineTable, *, horizon: float, spend_model: Any = None, discount_rate: float = 0.0,
    margin: float = 1.0, table: pd.DataFrame | None = None, discrete: bool | None = None,
) -> EngineTable:
    """Score every customer of an engine summary, inside the engine.

    Parameters
    ----------
    model : fitted BTYD model of :mod:`crmlab.clv`
        E.g. from :func:`crmlab.scale.fit_compressed`.
    summary : EngineTable
        The per-customer summary the model was fitted on (or any with the same columns).
    horizon : float
        Prediction horizon, in the summary's time unit (whole periods for BG/BB).
    spend_model : fitted GammaGammaModel, optional
        Adds ``expected_spend`` and ``clv`` (margin × expected spend × discounted
        expected purchases); needs ``monetary_value`` in the summary.
    discount_rate : float, default=0.0
        Per time unit, as in :meth:`crmlab.clv.BetaGeoModel.discounted_expected_transactions`.
    margin : float, default=1.0
        Profit margin on spend.
    table : pandas.DataFrame, optional
        The summary's compressed table, if already computed.
    discrete : bool, optional
        Score on whole periods; default True for BG/BB.

    Returns
    -------
    EngineTable
        A view: the customer id, ``frequency``, ``recency``, ``T``, ``p_alive``,
        ``expected_purchases``, ``discounted_purchases`` (and ``expected_spend``,
        ``clv``). Write it with ``.write(path)``.
    """
    caller = "score_customers"
    horizon = check_number(horizon, "horizon", caller=caller, minimum=0.0, strict_min=True)
    discount_rate = check_number(discount_rate, "discount_rate", caller=caller, minimum=0.0)
    margin = check_number(margin, "margin", caller=caller)
    if discrete is None:
        discrete = bool(getattr(model, "_integer_times", False))
    if table is None:
        table = compressed_table(summary)
    rows = _row_scores(model, table, horizon, discount_rate, discrete)
    eng = summary.engine
    keys = eng.register_pandas(fresh_name("keys"), rows)
    s = _suffix(summary)
    q = quote
    base = [f"frequency{s}", f"recency{s}", f"T{s}"]
    select = [f"c.{q(summary.customer_col)}"] + [f"c.{q(b)} AS {q(b.removesuffix(s) if s else b)}" for b in base]
    select += ["k.p_alive", "k.expected_purchases", "k.discounted_purchases"]
    names = ["frequency", "recency", "T", "p_alive", "expected_purchases", "discounted_purchases"]
    if spend_model is not None:
        if f"monetary_value{s}" not in summary.columns:
            raise ValueError(f"{caller}(): 'spend_model' needs 'monetary_value' in the summary; summarise with "
                             "amount_col set.")
        p, qq, g = (float(v) for v in spend_model.params_.to_numpy())
        x, z = f"c.{q('frequency' + s)}", f"c.{q('monetary_value' + s)}"
        spend = (f"({p!r} * ({g!r} + {x} * (CASE WHEN {x} > 0 THEN {z} ELSE 0.0 END))) / "
                 f"({p!r} * {x} + {qq!r} - 1.0)")
        select += [f"{spend} AS expected_spend", f"{float(margin)!r} * {spend} * k.discounted_purchases AS clv"]
        names += ["expected_spend", "clv"]
    on = " AND ".join(f"c.{q(a + s)} = k.{q(a)}" for a in ("frequency", "recency_periods", "T_periods"))
    sql = f"SELECT {', '.join(select)} FROM {q(summary.name)} AS c JOIN {q(keys)} AS k ON {on}"
    name = eng.create(fresh_name("scores"), sql)
    return EngineTable(eng, name, summary.customer_col, names, summary.time_scaler,
                       {**summary.meta, "horizon": horizon, "n_unique_rows": len(rows)})

