"""The SQL of the contact reminder, tuned for SQLite's planner (the rule itself is in :mod:`.alerts`).

Chapter 1 (scale). The rule: a customer with contact cycle :math:`c` is due on
day :math:`d` iff no contact (or, optionally, purchase) lies in :math:`[d - c, d]`
and there is something to measure from. Written plainly, that is one search of
the log per customer. Three choices make it one pass over ``customers`` that
rarely touches the logs, for any past day (measured: 1M customers in about
1 s instead of 10 s):

1. **Compare ISO text, never compute dates per row.** The window start
   :math:`d - c` depends only on the cycle value, so it is computed once per
   value in Python and bound as a parameter: a ``CASE`` over the most frequent
   cycle values (:data:`_MAX_BOUND_CYCLES` of them; SQLite evaluates a ``CASE``
   top to bottom, so most customers match early). Rarer values fall back to
   SQLite's ``date()``.
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
from typing import Any

import numpy as np

from crmlab.database._dates import day_sql

__all__ = ["contact_sql", "window_start"]

#: Cycle values bound as parameters in the window-start ``CASE`` (rarer values fall back to ``date()``).
_MAX_BOUND_CYCLES = 48


def window_start(conn: sqlite3.Connection, cycle: str, as_of: str, params: dict[str, Any]) -> str:
    """Return SQL for the first day of each customer's window ``[as_of - cycle, as_of]``, as ISO text.

    The window starts of the most frequent cycle values are bound as parameters (named ``w0``, ``w1``,
    ...; the cycle values ``k0``, ``k1``, ...) and added to ``params``; any other value is computed by
    SQLite's ``date()``. ``cycle`` is a column of ``customers`` (from a fixed list, never user text).
    """
    rows = conn.execute(
        f"SELECT {cycle}, COUNT(*) AS n FROM customers WHERE {cycle} IS NOT NULL GROUP BY {cycle} "
        f"ORDER BY n DESC, {cycle} LIMIT {_MAX_BOUND_CYCLES}"
    ).fetchall()
    day = np.datetime64(as_of, "D")
    whens = []
    for i, (value, _) in enumerate(rows):
        params[f"k{i}"] = int(value)
        start = day - np.timedelta64(int(value), "D")
        # before year 1 every date lies in the window; '0000-01-01' sorts before any ISO date
        params[f"w{i}"] = str(start) if start >= np.datetime64("0001-01-01") else "0000-01-01"
        whens.append(f"WHEN :k{i} THEN :w{i}")
    fallback = f"COALESCE(date(:as_of, '-' || c.{cycle} || ' days'), '0000-01-01')"
    return f"CASE c.{cycle} {' '.join(whens)} ELSE {fallback} END" if whens else fallback


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


def contact_sql(cycle_start: str, count_purchases: bool) -> str:
    """Return the contact-reminder query; ``cycle_start`` is the SQL of :func:`window_start`."""
    acquired = day_sql("c.acquisition_date")
    columns = f"c.customer_id, c.name, c.contact_cycle_days, c.contact_channel, {acquired} AS acquisition_date"
    joins = "LEFT JOIN contact_stats AS k ON k.customer_id = c.customer_id"
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
