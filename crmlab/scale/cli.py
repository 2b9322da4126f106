"""The ``crmlab clv`` command: CLV scores for a transaction log that need not fit in memory.

Chapter 11. Wired into ``crmlab/cli.py`` as a sub-command::

    crmlab clv --transactions 'world/transactions/*.parquet' --engine duckdb --model bgnbd \
        --calibration-end 2024-06-30 --out scores.parquet
"""

from __future__ import annotations

import argparse
import sys
import warnings

from crmlab.scale.pipeline import MODELS, run_clv

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``crmlab clv`` to ``parser``.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The sub-command parser to fill.
    """
    parser.add_argument("--transactions", required=True,
                        help="Parquet/CSV file, glob or folder; or DB.duckdb:TABLE for a DuckDB table; "
                             "or spark:TABLE for a Spark catalog table")
    parser.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb", help="query engine (default duckdb)")
    parser.add_argument("--model", choices=MODELS, default="bgnbd", help="BTYD model (default bgnbd)")
    parser.add_argument("--calibration-end", default=None, help="fit on purchases up to this date (default: all)")
    parser.add_argument("--observation-end", default=None, help="end of observation (default: last purchase)")
    parser.add_argument("--customer-col", default="customer_id")
    parser.add_argument("--date-col", default="date")
    parser.add_argument("--amount-col", default="amount", help="purchase value column; 'none' for no spend model")
    parser.add_argument("--freq", choices=("D", "W", "M", "h"), default="D", help="period length (default D)")
    parser.add_argument("--time-scaler", type=float, default=1.0, help="divide recency and T by this (7: weeks)")
    parser.add_argument("--date-format", default=None,
                        help="strftime format of string dates, e.g. '%%d/%%m/%%Y' (default: ISO dates only)")
    parser.add_argument("--after-end", choices=("raise", "drop"), default="raise",
                        help="purchases after --observation-end: refuse them (default) or drop them with a warning")
    parser.add_argument("--duplicates", choices=("warn", "drop", "keep"), default="warn",
                        help="rows repeating an earlier row exactly: count them with a warning (default), drop "
                             "them (with a warning) or count them silently")
    parser.add_argument("--horizon", type=float, default=52.0, help="prediction horizon in scaled time units")
    parser.add_argument("--discount-rate", type=float, default=0.0, help="discount rate per time unit")
    parser.add_argument("--margin", type=float, default=1.0, help="profit margin on spend")
    parser.add_argument("--out", default="scores.parquet",
                        help="where the scores go: a .parquet path, or table:NAME for an engine table")
    parser.add_argument("--memory-limit", default=None, help="DuckDB memory limit, e.g. 2GB")
    parser.add_argument("--database", default=":memory:", help="DuckDB database file for --out table:NAME")
    parser.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    parser.set_defaults(out_is_file=True)  # --out names a scores file (rewritten on a rerun), not a folder


def _source(text: str, engine: str) -> object:
    from crmlab.scale.sources import DuckDBTable, SparkTable

    if text.startswith("spark:"):
        return SparkTable(text.removeprefix("spark:"))
    head, sep, table = text.rpartition(":")
    if sep and head.endswith((".duckdb", ".db")):
        return DuckDBTable(head, table)
    return text


def _show(caught: list[warnings.WarningMessage]) -> None:
    """Print crmlab's warnings (repeated rows, rows dropped after the end) plainly on stderr; re-show others."""
    from crmlab._validation import CrmlabWarning

    for warning in caught:
        if issubclass(warning.category, CrmlabWarning):
            print(f"crmlab clv: warning: {warning.message}", file=sys.stderr)
        else:
            warnings.showwarning(warning.message, warning.category, warning.filename, warning.lineno)


def run(args: argparse.Namespace) -> int:
    """Run the pipeline described by ``args``; return the exit code.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed options from :func:`add_arguments`.

    Returns
    -------
    int
        0 on success, 2 when the input or an option is invalid (the message goes to stderr).
    """
    from crmlab.clv import FitError
    from crmlab.scale.engines import DuckDBEngine, get_engine

    if args.engine == "spark":
        try:
            from pyspark.sql import SparkSession
        except ImportError:
            print("crmlab clv: --engine spark needs PySpark: pip install 'crmlab[spark]' (and Java 17+).",
                  file=sys.stderr)
            return 2
        session = SparkSession.builder.appName("crmlab clv").getOrCreate()
        engine = get_engine(session)
    else:
        engine = DuckDBEngine(args.database, memory_limit=args.memory_limit)
    out, fmt = (args.out.removeprefix("table:"), "table") if args.out.startswith("table:") else (args.out, "parquet")
    amount = None if args.amount_col.lower() == "none" else args.amount_col
    from crmlab._validation import CrmlabWarning

    caught: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", CrmlabWarning)
            result = run_clv(_source(args.transactions, args.engine), engine=engine, model=args.model,
                             calibration_end=args.calibration_end, observation_end=args.observation_end,
                             customer_col=args.customer_col, date_col=args.date_col, amount_col=amount,
                             freq=args.freq, time_scaler=args.time_scaler, horizon=args.horizon,
                             discount_rate=args.discount_rate,
                             margin=args.margin, out=out, out_format=fmt, date_format=args.date_format,
                             after_end=args.after_end, duplicates=args.duplicates, progress=not args.quiet)
    except (TypeError, ValueError, FileNotFoundError, FitError) as exc:
        _show(caught)
        print(f"crmlab clv: {exc}", file=sys.stderr)
        return 2
    _show(caught)
    if not args.quiet:
        print(f"{result.n_customers} customers in {len(result.table)} unique (frequency, recency, T) rows")
        params = ", ".join(f"{k}={v:.6g}" for k, v in result.model.params_.items())
        print(f"{args.model}: {params}")
        if result.spend_model is not None:
            params = ", ".join(f"{k}={v:.6g}" for k, v in result.spend_model.params_.items())
            print(f"gamma-gamma: {params}")
        print(f"scores written to {result.out}" + (" (table)" if fmt == "table" else ""))
    return 0
