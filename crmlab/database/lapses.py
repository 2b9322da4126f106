"""Purchase lapses: the history of every customer's "business falling" alerts, kept by the database.

Chapter 1. A customer with a purchase cycle of :math:`c` days is overdue on
day :math:`d` when the latest purchase on or before :math:`d` (or, before the
first purchase, the acquisition date) lies more than :math:`c` days back. For
each customer the overdue days form disjoint intervals, one after each purchase
that is followed by a gap longer than the cycle (and one after the last
purchase, still open). A *lapse* is such an interval: it starts on the day the
alert is raised, ``base + c + 1``, and ends the day before the next purchase,
which clears it. The table ``purchase_lapses`` holds them all; it is derived from
the transaction log and the customers' cycles and acquisition dates, recomputed
by triggers for every customer a write touches (and set-wise after a bulk load),
so it can never drift from them.

The "business falling" alert on any day is then one range query on this table
(:func:`crmlab.database.purchase_alerts`): the lapses that contain the day. A
replay of the past costs the same as today's alert, instead of one search of the
log per customer.

Days are stored as integers, days since 1970-01-01; an open lapse ends on
:data:`OPEN_END` (9999-12-31).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from crmlab.database._dates import dates_from_days, day_sql

if TYPE_CHECKING:
    from crmlab.database.core import CustomerDatabase

__all__ = ["LAPSES_DDL", "LAPSES_INDEX", "OPEN_END", "add_for_new_customers", "lapse_arrays", "lapse_history",
           "rebuild_from_log", "refresh_sql"]

#: Day number of 9999-12-31, the end of a lapse that no purchase has cleared yet.
OPEN_END = int(np.datetime64("9999-12-31", "D").astype(np.int64))

# Clustered by the alert's search key (the last day of the lapse), so an alert reads one range.
LAPSES_DDL = """CREATE TABLE IF NOT EXISTS purchase_lapses (
    lapse_until INTEGER NOT NULL,
    customer_id INTEGER NOT NULL,
    lapse_from INTEGER NOT NULL CHECK (lapse_from <= lapse_until),
    last_purchase INTEGER,
    PRIMARY KEY (lapse_until, customer_id, lapse_from)
) STRICT, WITHOUT ROWID"""
# Triggers replace the lapses of one customer at a time.
LAPSES_INDEX = "CREATE INDEX IF NOT EXISTS idx_purchase_lapses_customer ON purchase_lapses (customer_id)"


def _lapse_rows(scope: str) -> str:
    """SELECT the lapses of the customers for which ``scope`` holds (``{a}`` is the table alias).

    Written without common table expressions so that triggers can use it. Each purchase closes the lapse
    that began after the previous purchase (for the first, after the acquisition date); one more lapse,
    open, follows the last purchase, or the acquisition date of a customer who never bought.
    """
    return f"""SELECT COALESCE(e.next_day - 1, {OPEN_END}), e.customer_id,
       COALESCE(e.base, {day_sql("c.acquisition_date")}) + c.purchase_cycle_days + 1, e.base
FROM (
    SELECT g.customer_id AS customer_id, g.prev AS base, g.day AS next_day
    FROM (SELECT t.customer_id AS customer_id, {day_sql("t.date")} AS day,
                 LAG({day_sql("t.date")}) OVER (PARTITION BY t.customer_id ORDER BY t.date) AS prev
          FROM transactions AS t WHERE {scope.format(a="t")}) AS g
    UNION ALL
    SELECT s.customer_id, {day_sql("s.last_transaction")}, NULL FROM customer_stats AS s WHERE {scope.format(a="s")}
    UNION ALL
    SELECT k.customer_id, NULL, NULL FROM customers AS k
    WHERE {scope.format(a="k")} AND NOT EXISTS (SELECT 1 FROM customer_stats AS z WHERE z.customer_id = k.customer_id)
) AS e JOIN customers AS c ON c.customer_id = e.customer_id
WHERE c.purchase_cycle_days IS NOT NULL
  AND COALESCE(e.base, {day_sql("c.acquisition_date")}) IS NOT NULL
  AND COALESCE(e.base, {day_sql("c.acquisition_date")}) + c.purchase_cycle_days + 1
      <= COALESCE(e.next_day - 1, {OPEN_END})"""


def refresh_sql(scope: str) -> str:
    """Return SQL that recomputes the lapses of the customers for which ``scope`` holds.

    ``scope`` is a condition on ``{a}.customer_id`` (``{a}`` stands for a table alias), such as
    ``"{a}.customer_id = NEW.customer_id"`` in a trigger. The customers' maintained transaction fields
    must be current.
    """
    return (f"DELETE FROM purchase_lapses WHERE {scope.format(a='purchase_lapses')};\n"
            f"INSERT INTO purchase_lapses (lapse_until, customer_id, lapse_from, last_purchase)\n"
            f"{_lapse_rows(scope)};\n")


def _distinct_sorted(cust: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the distinct (customer, day) pairs, sorted (one sort of a combined key when it fits)."""
    if len(cust) == 0:
        return cust, day
    lo_c, lo_d = int(cust.min()), int(day.min())
    span_c, span_d = int(cust.max()) - lo_c + 1, int(day.max()) - lo_d + 1
    if span_c * span_d < 2**62:
        key = np.sort((cust - lo_c) * span_d + (day - lo_d))
        key = key[np.r_[True, key[1:] != key[:-1]]]
        return key // span_d + lo_c, key % span_d + lo_d
    order = np.lexsort((day, cust))
    cust, day = cust[order], day[order]
    keep = np.r_[True, (cust[1:] != cust[:-1]) | (day[1:] != day[:-1])]
    return cust[keep], day[keep]


def lapse_arrays(customer_ids: np.ndarray, days: np.ndarray, known: np.ndarray, cycle: np.ndarray,
                 acquired: np.ndarray) -> dict[str, np.ndarray]:
    """Compute every customer's lapses with numpy (the same rule as the SQL, vectorised).

    Parameters
    ----------
    customer_ids, days : numpy.ndarray
        The whole transaction log: owner and day number of each purchase.
    known, cycle, acquired : numpy.ndarray
        Every customer: id, purchase cycle in days (-1 when missing) and acquisition day (``INT64_MIN``
        when missing).

    Returns
    -------
    dict of numpy.ndarray
        ``lapse_until``, ``customer_id``, ``lapse_from``, ``last_purchase`` (``INT64_MIN`` for none).
    """
    missing = np.iinfo(np.int64).min
    cust, day = _distinct_sorted(np.asarray(customer_ids, np.int64), np.asarray(days, np.int64))
    cycle = np.minimum(np.asarray(cycle, np.int64), 2**40)  # a longer cycle never lapses; no overflow below
    acquired = np.asarray(acquired, np.int64)
    starts = np.flatnonzero(np.r_[True, cust[1:] != cust[:-1]]) if len(cust) else np.zeros(0, np.int64)
    counts = np.diff(np.r_[starts, len(cust)])
    buyer = np.searchsorted(known, cust[starts])  # row of each buyer in ``known``
    ends = starts + counts - 1
    parts = []

    def add(owner: np.ndarray, base: np.ndarray, until: np.ndarray, last_purchase: np.ndarray) -> None:
        c = cycle[owner]
        start = base + np.maximum(c, 0) + 1
        keep = (c >= 0) & (base != missing) & (start <= until)
        parts.append((until[keep], known[owner[keep]], start[keep], last_purchase[keep]))

    # between consecutive purchases of one customer: from the earlier one to the day before the later one
    later = np.ones(len(cust), bool)
    later[starts] = False
    rows = np.flatnonzero(later)
    owner_rows = np.repeat(buyer, counts)[rows]
    add(owner_rows, day[rows - 1], day[rows] - 1, day[rows - 1])
    # before a buyer's first purchase, measured from the acquisition date
    add(buyer, acquired[buyer], day[starts] - 1, np.full(len(starts), missing))
    # after a buyer's last purchase, still open
    add(buyer, day[ends], np.full(len(ends), OPEN_END), day[ends])
    # customers who never bought, from the acquisition date, still open
    bought = np.zeros(len(known), bool)
    bought[buyer] = True
    never = np.flatnonzero(~bought)
    add(never, acquired[never], np.full(len(never), OPEN_END), np.full(len(never), missing))
    until, customer, start, last_purchase = (np.concatenate(col) for col in zip(*parts, strict=True))
    return {"lapse_until": until, "customer_id": customer, "lapse_from": start, "last_purchase": last_purchase}


def _write_lapses(conn: sqlite3.Connection, out: dict[str, np.ndarray],
                  write: Callable[[sqlite3.Connection, str, list[str], list[np.ndarray]], int]) -> None:
    order = np.lexsort((out["lapse_from"], out["customer_id"], out["lapse_until"]))
    last_purchase = out["last_purchase"][order].astype(object)
    last_purchase[out["last_purchase"][order] == np.iinfo(np.int64).min] = None
    write(conn, "purchase_lapses", ["lapse_until", "customer_id", "lapse_from", "last_purchase"],
          [out["lapse_until"][order], out["customer_id"][order], out["lapse_from"][order], last_purchase])


def add_for_new_customers(conn: sqlite3.Connection, ids: np.ndarray, cycle: np.ndarray, acquired: np.ndarray,
                          write: Callable[[sqlite3.Connection, str, list[str], list[np.ndarray]], int]) -> None:
    """Insert the lapses of customers who have no transactions yet (a bulk load into an empty table)."""
    order = np.argsort(ids, kind="stable")
    empty = np.zeros(0, np.int64)
    _write_lapses(conn, lapse_arrays(empty, empty, ids[order], cycle[order], acquired[order]), write)


def rebuild_from_log(conn: sqlite3.Connection, customer_ids: np.ndarray, days: np.ndarray,
                     write: Callable[[sqlite3.Connection, str, list[str], list[np.ndarray]], int]) -> None:
    """Replace all lapses, given the whole transaction log as arrays (a bulk load into an empty log).

    ``write(conn, table, names, arrays)`` inserts rows column-wise (missing values are ``None``).
    """
    rows = conn.execute(
        f"SELECT customer_id, COALESCE(purchase_cycle_days, -1), "
        f"COALESCE({day_sql('acquisition_date')}, -9223372036854775808) FROM customers ORDER BY customer_id"
    ).fetchall()
    table = np.array(rows, dtype=np.int64).reshape(len(rows), 3)
    out = lapse_arrays(customer_ids, days, table[:, 0], table[:, 1], table[:, 2])
    conn.execute("DELETE FROM purchase_lapses")
    conn.execute("DROP INDEX IF EXISTS idx_purchase_lapses_customer")
    _write_lapses(conn, out, write)
    conn.execute(LAPSES_INDEX)


def lapse_history(db: CustomerDatabase, customer_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """List the "business falling" alerts each customer has had: when raised, and which purchase cleared them.

    Chapter 1. Reads the table ``purchase_lapses`` that the database keeps.

    Parameters
    ----------
    db : CustomerDatabase
        The database.
    customer_ids : iterable of int, optional
        Only these customers (default: all).

    Returns
    -------
    pandas.DataFrame
        One row per lapse, by customer and date: ``customer_id``, ``raised`` (the first day past the
        cycle), ``cleared`` (the day of the purchase that ended it; NaT while it is open),
        ``measured_from`` (the last purchase before it; NaT when measured from the acquisition date),
        ``days_overdue`` (``cleared - raised``; missing while open) and ``open``.

    See Also
    --------
    crmlab.database.purchase_alerts : the lapses open on a given day.

    Examples
    --------
    >>> import pandas as pd
    >>> from crmlab.database import CustomerDatabase
    >>> db = CustomerDatabase()
    >>> _ = db.import_frame("customers", pd.DataFrame({"customer_id": [1], "customer_type": "individual",
    ...     "name": ["Ann"], "purchase_cycle_days": [30], "acquisition_date": ["2024-01-01"]}))
    >>> _ = db.import_frame("transactions", pd.DataFrame({"transaction_id": [1, 2], "customer_id": [1, 1],
    ...     "date": ["2024-01-10", "2024-04-01"], "amount": [10.0, 12.0]}))
    >>> lapse_history(db)[["raised", "cleared", "days_overdue", "open"]]
          raised    cleared  days_overdue   open
    0 2024-02-10 2024-04-01            51  False
    1 2024-05-02        NaT          <NA>   True
    """
    sql = "SELECT customer_id, lapse_from, lapse_until, last_purchase FROM purchase_lapses"
    if customer_ids is None:
        frame = db.query(sql)
    else:  # through the customer index, a few hundred ids per statement
        wanted = np.unique(np.asarray(list(customer_ids), dtype=np.int64)).tolist()
        parts = [db.query(f"{sql} WHERE customer_id IN ({', '.join('?' * len(chunk))})", chunk)
                 for chunk in (wanted[i:i + 500] for i in range(0, len(wanted), 500))]
        frame = pd.concat(parts, ignore_index=True) if parts else db.query(f"{sql} WHERE 0")
    frame = frame.sort_values(["customer_id", "lapse_from"], kind="stable").reset_index(drop=True)
    is_open = frame["lapse_until"].to_numpy(dtype=np.int64) == OPEN_END

    cleared = np.where(is_open, np.nan, frame["lapse_until"].to_numpy(dtype=float) + 1)
    overdue = pd.array(np.where(is_open, 0, frame["lapse_until"] - frame["lapse_from"] + 1), dtype="Int64")
    overdue[is_open] = pd.NA
    return pd.DataFrame({
        "customer_id": frame["customer_id"].to_numpy(dtype=np.int64),
        "raised": dates_from_days(frame["lapse_from"]),
        "cleared": dates_from_days(cleared),
        "measured_from": dates_from_days(frame["last_purchase"]),
        "days_overdue": overdue,
        "open": is_open,
    })
