"""Purchase lapses: the one home of their upkeep (table, triggers' SQL, refresh, bulk rebuild).

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

The rule is written twice, on purpose: in SQL (:func:`refresh_sql`, which the
triggers run for the one customer a write touches) and in numpy
(:func:`lapse_arrays`, which a bulk load runs for a million customers at once,
about ten times faster than the SQL). ``tests/test_database_lapses.py`` holds the
two equal, and equal to a plain Python reference, on generated data with edge
cases.

Days are stored as integers, days since 1970-01-01; an open lapse ends on
:data:`OPEN_END` (9999-12-31).
"""

from __future__ import annotations

import sqlite3

import numpy as np

from crmlab._keys import distinct_pairs, lookup_codes
from crmlab.database._dates import MISSING_DAY, day_sql
from crmlab.database._insert import insert_rows

__all__ = ["LAPSES_DDL", "LAPSES_INDEX", "OPEN_END", "add_for_new_customers", "lapse_arrays", "rebuild_from_log",
           "refresh", "refresh_sql"]

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


def refresh(conn: sqlite3.Connection, scope: str) -> None:
    """Run :func:`refresh_sql` statement by statement (outside a trigger)."""
    for statement in refresh_sql(scope).split(";\n"):
        if statement.strip():
            conn.execute(statement)


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
    missing = MISSING_DAY
    cust, day = distinct_pairs(np.asarray(customer_ids, np.int64), np.asarray(days, np.int64))
    cycle = np.minimum(np.asarray(cycle, np.int64), 2**40)  # a longer cycle never lapses; no overflow below
    acquired = np.asarray(acquired, np.int64)
    starts = np.flatnonzero(np.r_[True, cust[1:] != cust[:-1]]) if len(cust) else np.zeros(0, np.int64)
    counts = np.diff(np.r_[starts, len(cust)])
    buyer = lookup_codes(known, cust[starts])  # row of each buyer in ``known`` (every buyer is a customer)
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


def _write_lapses(conn: sqlite3.Connection, out: dict[str, np.ndarray]) -> None:
    order = np.lexsort((out["lapse_from"], out["customer_id"], out["lapse_until"]))
    last_purchase = out["last_purchase"][order].astype(object)
    last_purchase[out["last_purchase"][order] == MISSING_DAY] = None
    insert_rows(conn, "purchase_lapses", ["lapse_until", "customer_id", "lapse_from", "last_purchase"],
          [out["lapse_until"][order], out["customer_id"][order], out["lapse_from"][order], last_purchase])


def add_for_new_customers(conn: sqlite3.Connection, ids: np.ndarray, cycle: np.ndarray, acquired: np.ndarray) -> None:
    """Insert the lapses of customers who have no transactions yet (a bulk load into an empty table)."""
    order = np.argsort(ids, kind="stable")
    empty = np.zeros(0, np.int64)
    _write_lapses(conn, lapse_arrays(empty, empty, ids[order], cycle[order], acquired[order]))


def rebuild_from_log(conn: sqlite3.Connection, customer_ids: np.ndarray, days: np.ndarray) -> None:
    """Replace all lapses, given the whole transaction log as arrays (a bulk load into an empty log)."""
    rows = conn.execute(
        f"SELECT customer_id, COALESCE(purchase_cycle_days, -1), "
        f"COALESCE({day_sql('acquisition_date')}, {MISSING_DAY}) FROM customers ORDER BY customer_id"
    ).fetchall()
    table = np.array(rows, dtype=np.int64).reshape(len(rows), 3)
    out = lapse_arrays(customer_ids, days, table[:, 0], table[:, 1], table[:, 2])
    conn.execute("DELETE FROM purchase_lapses")
    conn.execute("DROP INDEX IF EXISTS idx_purchase_lapses_customer")
    _write_lapses(conn, out)
    conn.execute(LAPSES_INDEX)
