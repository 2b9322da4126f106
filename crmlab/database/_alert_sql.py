"""The SQL of the contact reminder, tuned for SQLite's planner (the rule itself is in :mod:`.alerts`).

Chapter 1 (scale). The rule: a customer with contact cycle :math:`c` is due on
day :math:`d` iff no contact (or, optionally, purchase) lies in :math:`[d - c, d]`
and there is something to measure from. Written plainly, that is one search of
the log per customer. Three choices make it one pass over ``customers`` that
rarely touches the logs, for any past day:

1. **Compare ISO text, never compute dates per row.** The window start
   :math:`d - c` depends only on the cycle value, so it is computed once per
   distinct value in numpy and put in a small temporary table ``_windows``
   (cycle -> first day of the window, ISO text), which the query joins by
   its primary key: one lookup per customer, the start then read as a column.
2. **Let the maintained fields settle most customers.** ``contact_stats``
   (last contact) and ``customer_stats`` (first and last purchase) answer the
   question unless the customer has events on both sides of a past as-of date.
3. **Probe the ``(customer_id, date)`` index only for those**, with
   ``EXISTS`` / ``LIMIT 1`` subqueries the planner turns into one index seek.

The fragments below are ``CASE`` expressions in that order: maintained field
first, index probe last.
"""

from __future__ import annotations

import sqlite3

import numpy as np

from crmlab.database._dates import FIRST_DAY, day_sql

__all__ = ["contact_sql", "fill_windows"]


def fill_windows(conn: sqlite3.Connection, as_of: str) -> None:
    """Fill the temporary table ``_windows``: each contact cycle value and its window's first day (ISO text).

    A window reaching back before year 1 starts at '0000-01-01', which sorts before every stored date.
    """
    cycles = np.array([r[0] for r in conn.execute(
        "SELECT DISTINCT contact_cycle_days FROM customers WHERE contact_cycle_days IS NOT NULL")], dtype=np.int64)
    start = int(np.datetime64(as_of, "D").astype(np.int64)) - cycles  # no overflow: cycles are positive
    text = np.where(start >= FIRST_DAY,
                    np.datetime_as_string(np.maximum(start, FIRST_DAY).astype("datetime64[D]"), unit="D"),
                    "0000-01-01")
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS _windows (cycle INTEGER PRIMARY KEY, start TEXT NOT NULL)")
    conn.execute("DELETE FROM temp._windows")
    conn.executemany("INSERT INTO temp._windows VALUES (?, ?)", zip(cycles.tolist(), text.tolist(), strict=True))


# The pieces of the alert queries ({start}: the window start of the customer's cycle, ISO text).
# Purchases: the maintained first/last purchase settle the question unless the customer bought both
# before the window and after :as_of (a replay of the past); then one probe of the log's index answers.
_PURCHASE_IN_WINDOW = """CASE
        WHEN s.first_transaction IS NULL OR s.first_transaction > :as_of THEN 0
        WHEN s.last_transaction <= :as_of THEN s.last_transaction >= {start}
        WHEN s.first_transaction >= {start} THEN 1
        ELSE EXISTS (SELECT 1 FROM transactions AS t WHERE t.customer_id = c.customer_id
                     AND t.date >= {start} AND t.date <= :as_of) END"""
_LAST_PURCHASE = """CASE
        WHEN s.first_transaction IS NULL OR s.first_transaction > :as_of THEN NULL
        WHEN s.last_transaction <= :as_of THEN s.last_transaction
        ELSE (SELECT t.date FROM transactions AS t WHERE t.customer_id = c.customer_id AND t.date <= :as_of
              ORDER BY t.date DESC LIMIT 1) END"""
# Contacts: only the last contact is maintained, so a replay probes for a contact in the window, and,
# when the acquisition date does not settle it, for any contact on or before :as_of.
_CONTACT_IN_WINDOW = """CASE
        WHEN k.last_contact IS NULL THEN 0
        WHEN k.last_contact <= :as_of THEN k.last_contact >= {start}
        ELSE EXISTS (SELECT 1 FROM interactions AS e WHERE e.customer_id = c.customer_id
                     AND e.date >= {start} AND e.date <= :as_of) END"""
_ANY_CONTACT = """CASE
        WHEN k.last_contact IS NULL THEN 0
        WHEN k.last_contact <= :as_of THEN 1
        ELSE EXISTS (SELECT 1 FROM interactions AS e WHERE e.customer_id = c.customer_id
                     AND e.date <= :as_of) END"""
_LAST_CONTACT = """CASE
        WHEN k.last_contact IS NULL THEN NULL
        WHEN k.last_contact <= :as_of THEN k.last_contact
        ELSE (SELECT e.date FROM interactions AS e WHERE e.customer_id = c.customer_id AND e.date <= :as_of
              ORDER BY e.date DESC LIMIT 1) END"""


def contact_sql(*, count_purchases: bool) -> str:
    """Return the contact-reminder query (run it after :func:`fill_windows`)."""
    cycle_start = "w.start"
    acquired = day_sql("c.acquisition_date")
    columns = f"c.customer_id, c.name, c.contact_cycle_days, c.contact_channel, {acquired} AS acquisition_date"
    joins = ("JOIN temp._windows AS w ON w.cycle = c.contact_cycle_days "
             "LEFT JOIN contact_stats AS k ON k.customer_id = c.customer_id")
    quiet = f"NOT {_CONTACT_IN_WINDOW.format(start=cycle_start)}"
    measurable = f"c.acquisition_date < {cycle_start} OR {_ANY_CONTACT}"
    if count_purchases:
        columns += f", {day_sql(_LAST_PURCHASE)} AS last_purchase"
        joins += " LEFT JOIN customer_stats AS s ON s.customer_id = c.customer_id"
        quiet += f" AND NOT {_PURCHASE_IN_WINDOW.format(start=cycle_start)}"
        measurable += " OR s.first_transaction <= :as_of"
    return f"""
SELECT {columns}, {day_sql(_LAST_CONTACT)} AS last_contact
FROM customers AS c {joins}
WHERE c.contact_cycle_days IS NOT NULL
  AND (c.acquisition_date IS NULL OR c.acquisition_date <= :as_of)
  AND {quiet}
  AND ({measurable})
"""
