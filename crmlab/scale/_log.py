"""A transaction log inside the engine, validated there: the shared first step of every query.

Chapter 11. The checks are those of :func:`crmlab.rfm.rfm_summary` (same messages),
computed by one aggregate scan in the engine; only counts and a few offending
customer ids come back to Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from crmlab._validation import check_date_arg, check_in_choices, check_number
from crmlab.rfm._periods import FREQ_CHOICES
from crmlab.scale.engines import Engine, fresh_name, quote
from crmlab.scale.sources import engine_for, register_source

_SHOWN = 5


@dataclass
class Log:
    """A validated log view with columns ``cid``, ``ts`` (timestamp), ``amt`` (double, if any)."""

    engine: Engine
    view: str
    customer_col: str
    has_amount: bool
    first: pd.Timestamp
    last: pd.Timestamp


def ts_literal(ts: pd.Timestamp) -> str:
    """Return a timestamp literal of the SQL dialect (microseconds)."""
    return f"TIMESTAMP '{ts.strftime('%Y-%m-%d %H:%M:%S.%f')}'"


def day_bound(ts: pd.Timestamp) -> str:
    """Return the SQL condition on ``ts`` meaning "after ``ts``", where a date without a time covers its whole day."""
    if ts == ts.normalize():
        return f"ts >= {ts_literal(ts + pd.Timedelta(days=1))}"
    return f"ts > {ts_literal(ts)}"


def period_sql(freq: str, column: str = "ts") -> str:
    """Return SQL giving the integer period of ``column`` as :func:`crmlab.rfm._periods.to_periods` does."""
    days = f"DATE_DIFF('day', DATE '1970-01-01', CAST({column} AS DATE))"
    if freq == "D":
        return days
    if freq == "W":  # weeks ending on Sunday; 1970-01-01 was a Thursday
        return f"CAST(FLOOR(({days} + 3) / 7) AS BIGINT)"
    if freq == "M":
        return f"((YEAR({column}) - 1970) * 12 + MONTH({column}) - 1)"
    if freq == "Q":
        return f"((YEAR({column}) - 1970) * 4 + CAST(FLOOR((MONTH({column}) - 1) / 3) AS BIGINT))"
    if freq == "Y":
        return f"(YEAR({column}) - 1970)"
    if freq == "h":
        return f"({days} * 24 + HOUR({column}))"
    raise ValueError(f"period_sql(): unknown freq {freq!r}.")


def offending_ids(engine: Engine, view: str, condition: str, customer_col: str) -> list[Any]:
    """Up to five distinct customer ids (smallest first) of rows meeting ``condition``."""
    ids = engine.collect(f"SELECT DISTINCT {quote(customer_col)} AS cid FROM {quote(view)} WHERE {condition} "
                         f"AND {quote(customer_col)} IS NOT NULL ORDER BY cid LIMIT {_SHOWN}")["cid"]
    return [v.item() if hasattr(v, "item") else v for v in ids]


def load_log(
    transactions: Any, *, engine: Any, customer_col: str, date_col: str, amount_col: str | None,
    allow_negative: bool, freq: str, time_scaler: float, caller: str,
) -> tuple[Log, float]:
    """Register, check and normalise a transaction log; return it and the time scaler."""
    check_in_choices(freq, "freq", FREQ_CHOICES, caller=caller)
    scaler = check_number(time_scaler, "time_scaler", caller=caller, minimum=0.0, strict_min=True)
    eng = engine_for(transactions, engine, caller=caller)
    src = register_source(eng, transactions, caller=caller)
    kinds = eng.schema(src)
    columns = [customer_col, date_col] + ([amount_col] if amount_col is not None else [])
    missing = [c for c in columns if c not in kinds]
    if missing:
        raise ValueError(f"{caller}(): 'transactions' is missing required column(s) {missing}; it has "
                         f"{list(kinds)}. Rename your columns or pass the matching *_col= arguments.")
    if amount_col is not None and kinds[amount_col] != "numeric":
        raise TypeError(f"{caller}(): column '{amount_col}' of 'transactions' must be numeric; got a "
                        f"{kinds[amount_col]} column.")
    date_kind = kinds[date_col]
    q = quote
    if date_kind in ("timestamp", "date"):
        ts = f"CAST({q(date_col)} AS TIMESTAMP)"
    elif date_kind == "string":
        ts = f"TRY_CAST({q(date_col)} AS TIMESTAMP)"
    else:
        raise TypeError(f"{caller}(): column '{date_col}' of 'transactions' must hold dates (a timestamp, date or "
                        f"ISO string column); got a {date_kind} column.")
    checks = {f"null_{c}": f"{q(c)} IS NULL" for c in columns}
    checks["bad_date"] = f"{q(date_col)} IS NOT NULL AND {ts} IS NULL"
    if amount_col is not None:
        checks["infinite"] = f"ABS(CAST({q(amount_col)} AS DOUBLE)) = CAST('Infinity' AS DOUBLE)"
        if not allow_negative:  # zero-price purchases are purchases; refunds are refused (as rfm_summary does)
            checks["negative"] = f"{q(amount_col)} < 0"
    sums = ", ".join(f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END) AS {name}" for name, cond in checks.items())
    stats = eng.collect(f"SELECT COUNT(*) AS n_rows, MIN({ts}) AS first_ts, MAX({ts}) AS last_ts, {sums} "
                        f"FROM {q(src)}").iloc[0]
    if int(stats["n_rows"]) == 0:
        raise ValueError(f"{caller}(): 'transactions' is empty; it needs at least one row.")
    for c in columns:
        n_bad = int(stats[f"null_{c}"])
        if n_bad:
            where = ("first rows: not available in an engine" if c == customer_col else
                     f"first {customer_col} values: {offending_ids(eng, src, checks[f'null_{c}'], customer_col)}")
            raise ValueError(f"{caller}(): column '{c}' of 'transactions' has {n_bad} missing value(s) ({where}); "
                             "fill or remove them first: crmlab never drops rows silently.")
    if int(stats["bad_date"]):
        bad = eng.collect(f"SELECT DISTINCT CAST({q(date_col)} AS VARCHAR) AS v FROM {q(src)} WHERE "
                          f"{checks['bad_date']} ORDER BY v LIMIT {_SHOWN}")["v"].tolist()
        ids = offending_ids(eng, src, checks["bad_date"], customer_col)
        raise ValueError(f"{caller}(): {int(stats['bad_date'])} value(s) in column '{date_col}' of 'transactions' "
                         f"could not be parsed as dates (examples: {bad}; first {customer_col} values: {ids}); "
                         "use ISO dates such as '1997-01-31'.")
    if "infinite" in checks and int(stats["infinite"]):
        ids = offending_ids(eng, src, checks["infinite"], customer_col)
        raise ValueError(f"{caller}(): column '{amount_col}' of 'transactions' has {int(stats['infinite'])} infinite "
                         f"value(s) (first {customer_col} values: {ids}); replace them by finite numbers first.")
    if "negative" in checks and int(stats["negative"]):
        ids = offending_ids(eng, src, checks["negative"], customer_col)
        raise ValueError(f"{caller}(): {int(stats['negative'])} row(s) of 'transactions' have a negative "
                         f"'{amount_col}' (first {customer_col} values: {ids}); negative amounts are refunds: net "
                         "them against their purchases first or pass allow_negative=True.")
    amt = f", CAST({q(amount_col)} AS DOUBLE) AS amt" if amount_col is not None else ""
    view = eng.create(fresh_name("log"), f"SELECT {q(customer_col)} AS cid, {ts} AS ts{amt} FROM {q(src)}")
    log = Log(eng, view, customer_col, amount_col is not None, pd.Timestamp(stats["first_ts"]),
              pd.Timestamp(stats["last_ts"]))
    return log, scaler


def resolve_end(log: Log, observation_end: Any, *, caller: str, date_col: str) -> pd.Timestamp:
    """Return the observation end (default the last purchase); raise if a purchase falls after it."""
    if observation_end is None:
        return log.last
    end = check_date_arg(observation_end, "observation_end", caller=caller)
    cond = day_bound(end)
    n_after = int(log.engine.collect(f"SELECT COUNT(*) AS n FROM {quote(log.view)} WHERE {cond}")["n"].iloc[0])
    if n_after:
        ids = offending_ids(log.engine, log.view, cond, "cid")
        raise ValueError(f"{caller}(): {n_after} row(s) of 'transactions' have '{date_col}' after "
                         f"observation_end={end.date()} (first {log.customer_col} values: {ids}); move "
                         "observation_end later or filter those rows first.")
    return end
