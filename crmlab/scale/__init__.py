"""RFM and CLV on logs larger than memory: summaries computed where the data live.

Chapter 11. The same tables as :mod:`crmlab.rfm` and :mod:`crmlab.clv`, computed
inside a query engine instead of pandas:

- :func:`rfm_summary`, :func:`calibration_and_holdout_split` — per-customer
  summaries that stay in the engine (:class:`EngineTable`);
- :func:`compressed_table` — unique ``(frequency, recency, T)`` rows with counts,
  which :func:`fit_compressed` fits with any BTYD model of :mod:`crmlab.clv`;
- :func:`score_customers` — scores computed once per unique row, joined back to
  every customer in the engine and written where the data live;
- :func:`cohort_table` — cohort retention shares;
- :func:`run_clv` — the whole pipeline (the ``crmlab clv`` command).

DuckDB (:class:`DuckDBEngine`) is the embedded default; the same SQL runs on
Spark (:class:`SparkEngine`) after transpilation by ``sqlglot``.
"""

from crmlab.scale.cohorts import cohort_table
from crmlab.scale.compressed import compressed_table, fit_compressed, spend_table
from crmlab.scale.engines import DuckDBEngine, Engine, SparkEngine, get_engine
from crmlab.scale.pipeline import run_clv
from crmlab.scale.score import score_customers
from crmlab.scale.sources import DuckDBTable, SparkTable
from crmlab.scale.summary import EngineTable, calibration_and_holdout_split, rfm_summary

__all__ = [
    "DuckDBEngine",
    "DuckDBTable",
    "Engine",
    "EngineTable",
    "SparkEngine",
    "SparkTable",
    "calibration_and_holdout_split",
    "cohort_table",
    "compressed_table",
    "fit_compressed",
    "get_engine",
    "rfm_summary",
    "run_clv",
    "score_customers",
    "spend_table",
]
