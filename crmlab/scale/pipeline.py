"""The whole out-of-core CLV pipeline: summary → compress → fit → score → write.

Chapter 11. What ``crmlab clv`` runs. Each step reports its wall time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from tqdm import tqdm

from crmlab._validation import check_in_choices
from crmlab.scale.compressed import compressed_table, fit_compressed, spend_table
from crmlab.scale.score import score_customers
from crmlab.scale.summary import EngineTable, calibration_and_holdout_split, rfm_summary

__all__ = ["MODELS", "ClvRun", "run_clv"]


def _model(name: str) -> Any:
    from crmlab import clv

    return {"bgnbd": clv.BetaGeoModel, "paretonbd": clv.ParetoNBDModel, "mbgnbd": clv.ModifiedBetaGeoModel,
            "bgbb": clv.BetaGeoBetaBinomModel}[name]()


MODELS = ("bgnbd", "paretonbd", "mbgnbd", "bgbb")


@dataclass
class ClvRun:
    """What :func:`run_clv` did: the fitted models, the tables, where the scores went, step times.

    Parameters
    ----------
    model : fitted BTYD model
        The purchase model, fitted on the compressed table.
    spend_model : fitted GammaGammaModel or None
        The spend model; None without an amount column or repeat buyers.
    summary : EngineTable
        The per-customer summary (materialised in the engine).
    scores : EngineTable
        The per-customer scores of :func:`crmlab.scale.score_customers`.
    table : pandas.DataFrame
        The compressed table the model was fitted on (unique rows and their counts).
    n_customers : int
        Number of customers in ``summary``.
    out : str or None
        Where the scores were written, if anywhere.
    seconds : dict of str to float
        Wall time of each step (``summary``, ``compress``, ``fit``, ``score``, ``write``).
    cpu_seconds : dict of str to float
        CPU time of this process in each step (every thread, DuckDB's workers included;
        a Spark JVM's work is not counted).
    """

    model: Any
    spend_model: Any
    summary: EngineTable
    scores: EngineTable
    table: pd.DataFrame
    n_customers: int
    out: str | None
    seconds: dict[str, float] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)


def run_clv(
    transactions: Any, *, engine: Any = None, model: str = "bgnbd", calibration_end: Any = None,
    observation_end: Any = None, customer_col: str = "customer_id", date_col: str = "date",
    amount_col: str | None = "amount", freq: str = "D", time_scaler: float = 1.0, horizon: float = 52.0,
    discount_rate: float = 0.0, margin: float = 1.0, out: str | None = None, out_format: str = "parquet",
    allow_negative: bool = False, date_format: str | None = None, after_end: str = "raise",
    duplicates: str = "warn", progress: bool = False,
) -> ClvRun:
    """Summarise a log in the engine, fit a BTYD model on the compressed table, score and write.

    Parameters
    ----------
    transactions : path, glob, folder, DuckDBTable, SparkTable, pandas/Arrow table or Spark DataFrame
        The purchase log: any source of :func:`crmlab.scale.rfm_summary`.
    engine : {"duckdb", "spark"}, Engine or SparkSession, optional
        ``"duckdb"`` (default), ``"spark"``, an Engine or a SparkSession.
    model : {"bgnbd", "paretonbd", "mbgnbd", "bgbb"}, default="bgnbd"
        The purchase model to fit.
    calibration_end : date-like, optional
        Fit on purchases up to this date (the holdout is left for checking); default the whole log.
    observation_end : date-like, optional
        As in :func:`crmlab.scale.rfm_summary`.
    customer_col, date_col : str, default="customer_id", "date"
        Column names, as in :func:`crmlab.scale.rfm_summary`.
    amount_col : str or None, default="amount"
        Spend column; None fits no spend model.
    freq : str, default="D"
        As in :func:`crmlab.scale.rfm_summary`.
    time_scaler : float, default=1.0
        As in :func:`crmlab.scale.rfm_summary`.
    horizon : float, default=52.0
        As in :func:`crmlab.scale.score_customers`.
    discount_rate : float, default=0.0
        As in :func:`crmlab.scale.score_customers`.
    margin : float, default=1.0
        As in :func:`crmlab.scale.score_customers`.
    out : str, optional
        Parquet path (``out_format="parquet"``) or table name (``"table"``) for the scores.
    out_format : {"parquet", "table"}, default="parquet"
        How ``out`` is written.
    allow_negative : bool, default=False
        As in :func:`crmlab.scale.rfm_summary`.
    date_format : str, optional
        As in :func:`crmlab.scale.rfm_summary`.
    after_end : {"raise", "drop"}, default="raise"
        As in :func:`crmlab.scale.rfm_summary`.
    duplicates : {"warn", "drop", "keep"}, default="warn"
        As in :func:`crmlab.scale.rfm_summary`.
    progress : bool, default=False
        Show a progress bar over the steps.

    Returns
    -------
    ClvRun
        The fitted models, tables, output location and step times.
    """
    caller = "run_clv"
    check_in_choices(model, "model", MODELS, caller=caller)
    seconds: dict[str, float] = {}
    cpu_seconds: dict[str, float] = {}
    steps = tqdm(total=5, desc="crmlab clv", disable=not progress, unit="step")
    t, cpu = time.perf_counter(), time.process_time()

    def done(step: str) -> None:
        nonlocal t, cpu
        now, now_cpu = time.perf_counter(), time.process_time()
        seconds[step], cpu_seconds[step] = now - t, now_cpu - cpu
        t, cpu = now, now_cpu
        steps.set_postfix_str(step)
        steps.update(1)

    kw = dict(customer_col=customer_col, date_col=date_col, amount_col=amount_col, observation_end=observation_end,
              freq=freq, time_scaler=time_scaler, engine=engine, allow_negative=allow_negative,
              date_format=date_format, after_end=after_end, duplicates=duplicates)
    if calibration_end is None:
        summary = rfm_summary(transactions, **kw)
    else:
        summary = calibration_and_holdout_split(transactions, calibration_end, **kw)
    summary = summary.materialize()
    n_customers = summary.count()
    done("summary")
    table = compressed_table(summary)
    spend = spend_table(summary) if amount_col is not None else None
    done("compress")
    fitted = fit_compressed(_model(model), table)
    spend_model = None
    if spend is not None and len(spend):
        from crmlab.clv import GammaGammaModel

        spend_model = GammaGammaModel().fit(spend, weights="weights")
    done("fit")
    scores = score_customers(fitted, summary, horizon=horizon, spend_model=spend_model, discount_rate=discount_rate,
                             margin=margin, table=table)
    done("score")
    if out is not None:
        scores.write(out, fmt=out_format)
    done("write")
    steps.close()
    return ClvRun(fitted, spend_model, summary, scores, table, n_customers, out, seconds, cpu_seconds)
