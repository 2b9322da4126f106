"""A transaction log inside the engine, validated there: the shared first step of every query.

Chapter 11. The checks are those of :func:`crmlab.rfm.rfm_summary` (same messages),
computed by one aggregate scan in the engine; only counts and a few offending
customer ids come back to Python.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from crmlab._validation import (
    AMBIGUOUS_DATE_PATTERN,
    CrmlabWarning,
    after_end_message,
    ambiguous_dates_message,
    check_date_arg,
    check_in_choices,
    check_number,
    ids_where,
    unparsed_dates_message,
)
from crmlab.rfm._periods import FREQ_CHOICES
from crmlab.rfm.summary import (
    AFTER_END_CHOICES,
    AFTER_END_HINT,
    DUPLICATE_CHOICES,
    all_after_end_message,
    dropped_after_end_message,
    repeated_rows_message,
)
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
    date_col: str = "date"
    after_end: str = "raise"


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
    return _plain(ids)


def _plain(values: Any) -> list[Any]:
    return [v.item() if hasattr(v, "item") else v for v in values]


def _date_expr(date_col: str, date_kind: str, date_format: str | None, caller: str) -> str:
    """Return SQL turning the date column into a timestamp, NULL where a string does not parse."""
    q = quote(date_col)
    if date_kind in ("timestamp", "date"):
        return f"CAST({q} AS TIMESTAMP)"  # as in memory: date_format only applies to strings
    if date_kind == "string":
        if date_format is None:
            return f"TRY_CAST({q} AS TIMESTAMP)"
        fmt = date_format.replace("'", "''")
        # written for DuckDB; the Spark engine turns it into TRY_TO_TIMESTAMP with the Java pattern
        return f"CAST(TRY_STRPTIME({q}, '{fmt}') AS TIMESTAMP)"
    raise TypeError(f"{caller}(): column '{date_col}' of 'transactions' must hold dates (a timestamp, date or "
                    f"ISO string column); got a {date_kind} column.")


def load_log(
    transactions: Any, *, engine: Any, customer_col: str, date_col: str, amount_col: str | None,
    allow_negative: bool, freq: str, time_scaler: float, caller: str, date_format: str | None = None,
    duplicates: str = "warn", after_end: str = "raise",
) -> tuple[Log, float]:
    """Register, check and normalise a transaction log; return it and the time scaler.

    ``date_format``, ``duplicates`` and ``after_end`` (checked here, applied by
    :func:`resolve_end`) have the meaning, and the messages, of :func:`crmlab.rfm.rfm_summary`.
    """
    check_in_choices(freq, "freq", FREQ_CHOICES, caller=caller)
    check_in_choices(duplicates, "duplicates", DUPLICATE_CHOICES, caller=caller)
    check_in_choices(after_end, "after_end", AFTER_END_CHOICES, caller=caller)
    if date_format is not None and not isinstance(date_format, str):
        raise TypeError(f"{caller}(): 'date_format' must be a strftime string such as '%d/%m/%Y' or None; "
                        f"got {date_format!r}.")
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
    q = quote
    ts = _date_expr(date_col, kinds[date_col], date_format, caller)
    checks = {f"null_{c}": f"{q(c)} IS NULL" for c in columns}
    checks["bad_date"] = f"{q(date_col)} IS NOT NULL AND {ts} IS NULL"
    if date_format is None and kinds[date_col] == "string":  # day/month strings are refused, not guessed
        pattern = AMBIGUOUS_DATE_PATTERN.replace("'", "''")
        checks["ambiguous"] = f"{checks['bad_date']} AND REGEXP_MATCHES({q(date_col)}, '{pattern}')"
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
                     ids_where(customer_col, offending_ids(eng, src, checks[f"null_{c}"], customer_col)))
            raise ValueError(f"{caller}(): column '{c}' of 'transactions' has {n_bad} missing value(s) ({where}); "
                             "fill or remove them first: crmlab never drops rows silently.")

    def examples(condition: str) -> list[Any]:
        return eng.collect(f"SELECT DISTINCT CAST({q(date_col)} AS VARCHAR) AS v FROM {q(src)} WHERE "
                           f"{condition} ORDER BY v LIMIT {_SHOWN}")["v"].tolist()

    if int(stats.get("ambiguous", 0) or 0):
        raise ValueError(ambiguous_dates_message(caller, date_col, "transactions", examples(checks["ambiguous"])))
    if int(stats["bad_date"]):
        ids = offending_ids(eng, src, checks["bad_date"], customer_col)
        raise ValueError(unparsed_dates_message(caller, date_col, "transactions", int(stats["bad_date"]),
                                                examples(checks["bad_date"]), ids_where(customer_col, ids),
                                                date_format))
    if "infinite" in checks and int(stats["infinite"]):
        ids = offending_ids(eng, src, checks["infinite"], customer_col)
        raise ValueError(f"{caller}(): column '{amount_col}' of 'transactions' has {int(stats['infinite'])} infinite "
                         f"value(s) ({ids_where(customer_col, ids)}); replace them by finite numbers first.")
    if "negative" in checks and int(stats["negative"]):
        ids = offending_ids(eng, src, checks["negative"], customer_col)
        raise ValueError(f"{caller}(): {int(stats['negative'])} row(s) of 'transactions' have a negative "
                         f"'{amount_col}' ({ids_where(customer_col, ids)}); negative amounts are refunds: net "
                         "them against their purchases first or pass allow_negative=True.")
    # Rows repeating an earlier row exactly, compared on the raw columns as in memory. Without amounts a
    # repeated row cannot change the summary (purchases in one period are merged), so nothing is checked.
    if amount_col is not None and duplicates != "keep":
        group = ", ".join(q(c) for c in columns)
        repeated = (f"SELECT {q(customer_col)} AS cid, COUNT(*) - 1 AS extra FROM {q(src)} GROUP BY {group} "
                    "HAVING COUNT(*) > 1")
        n_repeated = int(eng.collect(f"SELECT COALESCE(SUM(extra), 0) AS n FROM ({repeated}) AS r")["n"].iloc[0])
        if n_repeated:
            ids = _plain(eng.collect(f"SELECT DISTINCT cid FROM ({repeated}) AS r ORDER BY cid "
                                     f"LIMIT {_SHOWN}")["cid"])
            warnings.warn(repeated_rows_message(caller, n_repeated, columns, ids_where(customer_col, ids),
                                                duplicates), CrmlabWarning, stacklevel=3)
            if duplicates == "drop":
                src = eng.create(fresh_name("dedup"), f"SELECT DISTINCT {group} FROM {q(src)}")
    amt = f", CAST({q(amount_col)} AS DOUBLE) AS amt" if amount_col is not None else ""
    view = eng.create(fresh_name("log"), f"SELECT {q(customer_col)} AS cid, {ts} AS ts{amt} FROM {q(src)}")
    log = Log(eng, view, customer_col, amount_col is not None, pd.Timestamp(stats["first_ts"]),
              pd.Timestamp(stats["last_ts"]), date_col, after_end)
    return log, scaler


def resolve_end(log: Log, observation_end: Any, *, caller: str) -> tuple[Log, pd.Timestamp]:
    """Return the log and the observation end (default the last purchase).

    A purchase after the end raises (``after_end="raise"``) or is dropped with a
    warning giving the number dropped (``after_end="drop"``), as in memory.
    """
    if observation_end is None:
        return log, log.last
    end = check_date_arg(observation_end, "observation_end", caller=caller)
    cond = day_bound(end)
    counts = log.engine.collect(f"SELECT COUNT(*) AS n, SUM(CASE WHEN {cond} THEN 1 ELSE 0 END) AS n_after "
                                f"FROM {quote(log.view)}").iloc[0]
    n_after = int(counts["n_after"] or 0)
    if not n_after:
        return log, end
    if log.after_end == "drop":
        if n_after == int(counts["n"]):
            raise ValueError(all_after_end_message(caller, end))
        warnings.warn(dropped_after_end_message(caller, n_after, end), CrmlabWarning, stacklevel=3)
        view = log.engine.create(fresh_name("log"), f"SELECT * FROM {quote(log.view)} WHERE NOT ({cond})")
        # the first purchase stays (it is not after the end); the last is not used once the end is given
        return replace(log, view=view, last=min(log.last, end)), end
    ids = offending_ids(log.engine, log.view, cond, "cid")
    raise ValueError(after_end_message(caller, n_after, "transactions", log.date_col, "observation_end", end,
                                       ids_where(log.customer_col, ids), AFTER_END_HINT))
