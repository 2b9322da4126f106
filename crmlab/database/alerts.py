"""Alerts as queries: purchase-cycle "business falling" alerts, contact-cycle follow-up reminders, birthdays.

Chapter 1. Lecture 003's CRM record gives each customer a *purchase strategy*
(购买策略: a purchase cycle; when a customer goes longer than that without buying,
the system raises a "business falling" alert, 客户业务下滑提醒) and a *contact
strategy* (联系策略: a contact cycle; past it, a follow-up reminder, 跟进提醒).
Lecture 5 adds the anniversary: a card or a gift on the customer's birthday.
Every alert takes the as-of date as a parameter, so history can be replayed.

How the queries stay fast
-------------------------
The purchase alert reads the lapses the database keeps for every customer
(:mod:`crmlab.database.lapses`): one range of one table, for any day. The contact
reminder is computed from the logs: a customer with cycle :math:`c` is due on day
:math:`d` iff no contact lies in :math:`[d - c, d]` and there is something to
measure from. That query compares ISO date *text* only: the window start of every
cycle value is computed once in Python and bound as a parameter (a ``CASE`` over
the cycle values, most frequent first). The maintained last contact settles most
customers; only a customer with contacts on both sides of a past as-of date costs
a probe of the ``(customer_id, date)`` index.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from crmlab._validation import check_date_arg, check_int
from crmlab.database._dates import dates_from_days, day_sql

if TYPE_CHECKING:
    from crmlab.database.core import CustomerDatabase

__all__ = ["birthday_reminders", "contact_reminders", "purchase_alerts"]

#: Cycle values bound as parameters in the window-start ``CASE`` (rarer values fall back to ``date()``).
_MAX_BOUND_CYCLES = 48


def _as_of(value: Any, caller: str) -> str:
    """Return ``value`` as an ISO date string, raising a clear error if it is not a date."""
    return check_date_arg(value, "as_of", caller=caller).strftime("%Y-%m-%d")


def _window_start(db: CustomerDatabase, cycle: str, as_of: str, params: dict[str, Any]) -> str:
    """Return SQL for the first day of each customer's window ``[as_of - cycle, as_of]``, as ISO text.

    The window starts of the most frequent cycle values are bound as parameters (named ``w0``, ``w1``,
    ...; the cycle values ``k0``, ``k1``, ...) and added to ``params``; any other value is computed by
    SQLite's ``date()``. ``cycle`` is a column of ``customers`` (from a fixed list, never user text).
    """
    rows = db.connection.execute(
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


def _sweep(db: CustomerDatabase, sql: str, params: dict[str, Any]) -> tuple[list[str], list[tuple]]:
    """Run an alert query; return its column names and rows."""
    cur = db.connection.execute(sql, params)
    return [d[0] for d in cur.description], cur.fetchall()


def _since(last: list[np.ndarray], labels: list[str], acquired: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the date measured from (latest event on or before as-of, else acquisition) and its basis."""
    since = np.full(len(acquired), np.datetime64("NaT"), dtype="datetime64[ns]")
    basis = np.full(len(acquired), "acquisition date", dtype=object)
    for dates, label in zip(last, labels, strict=True):
        newer = ~np.isnat(dates) & (np.isnat(since) | (dates > since))  # ties keep the earlier source
        since[newer] = dates[newer]
        basis[newer] = label
    missing = np.isnat(since)
    since[missing] = acquired[missing]
    return since, basis


def _alert_frame(names: list[str], rows: list[tuple], as_of: str, cycle: str, last: dict[str, str],
                 keep: list[str]) -> pd.DataFrame:
    """Build an alert's result column-wise: days since/overdue in numpy, most overdue first.

    ``last`` maps the event-date columns to their basis labels; ``keep`` lists the output columns
    before ``since``, ``basis``, ``days_since`` and ``days_overdue``.
    """
    block = np.array(rows, dtype=object).reshape(len(rows), len(names))  # one C-level pass over the rows
    raw = {name: block[:, j] for j, name in enumerate(names)}
    dates = {c: dates_from_days(raw[c]) for c in [*last, "acquisition_date"]}
    since, basis = _since([dates[c] for c in last], list(last.values()), dates["acquisition_date"])
    ids = raw["customer_id"].astype(np.int64)
    cycles = raw[cycle].astype(np.int64)
    days_since = (np.datetime64(as_of, "ns") - since).astype("timedelta64[D]").astype(np.int64)
    days_overdue = days_since - cycles
    order = np.lexsort((ids, -days_overdue))
    columns: dict[str, Any] = {}
    for col in keep:
        if col in dates:
            columns[col] = dates[col][order]
        elif col == "customer_id":
            columns[col] = ids[order]
        elif col == cycle:
            columns[col] = cycles[order]
        else:
            columns[col] = pd.Series(raw[col][order]).infer_objects()
    columns.update(since=since[order], basis=basis[order], days_since=days_since[order],
                   days_overdue=days_overdue[order])
    return pd.DataFrame(columns)


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

# A customer is overdue on :day iff one of their purchase lapses contains it (crmlab.database.lapses);
# the table is clustered by lapse_until, so this reads one range of it, whatever the day.
_PURCHASE_SQL = """
SELECT l.customer_id, c.name, c.purchase_cycle_days, {acquired} AS acquisition_date, l.last_purchase
FROM purchase_lapses AS l JOIN customers AS c ON c.customer_id = l.customer_id
WHERE l.lapse_until >= :day AND l.lapse_from <= :day
  AND (c.acquisition_date IS NULL OR c.acquisition_date <= :as_of)
"""


def purchase_alerts(db: CustomerDatabase, as_of: Any) -> pd.DataFrame:
    r"""List customers past their purchase cycle: the "business falling" alert (客户业务下滑提醒).

    Chapter 1. A customer with a purchase cycle of :math:`c` days is flagged
    when the days since their last purchase on or before ``as_of`` exceed
    :math:`c`. A customer who has not bought yet is measured from the
    acquisition date. Customers acquired after ``as_of``, customers without a
    purchase cycle and customers with neither a purchase nor an acquisition
    date are not assessed.

    Parameters
    ----------
    db : CustomerDatabase
        The database.
    as_of : str or Timestamp
        The day the alert is computed for; only purchases on or before it count.

    Returns
    -------
    pandas.DataFrame
        One row per alerted customer, most overdue first: ``customer_id``, ``name``,
        ``purchase_cycle_days``, ``last_purchase`` (NaT if none), ``since`` (the date measured from),
        ``basis`` (``"last purchase"`` or ``"acquisition date"``), ``days_since``, ``days_overdue``.

    Raises
    ------
    TypeError, ValueError
        If ``as_of`` is not a date.

    See Also
    --------
    contact_reminders, crmlab.database.customer_360

    Notes
    -----
    The query reads the table ``purchase_lapses``, which the database keeps
    for every customer (:mod:`crmlab.database.lapses`): the intervals of days
    on which the customer is past the cycle. The customers overdue on
    ``as_of`` are the lapses containing that day, one range of the table, so
    replaying a past day costs the same as today's alert.

    .. math:: \text{alert}_i = \mathbb{1}\{\text{as\_of} - \text{last purchase}_i > c_i\}

    Examples
    --------
    >>> import pandas as pd
    >>> from crmlab.database import CustomerDatabase
    >>> db = CustomerDatabase()
    >>> _ = db.import_frame("customers", pd.DataFrame({"customer_id": [1, 2], "customer_type": "individual",
    ...     "name": ["Ann", "Bo"], "purchase_cycle_days": [30, 90]}))
    >>> _ = db.import_frame("transactions", pd.DataFrame({"transaction_id": [1, 2], "customer_id": [1, 2],
    ...     "date": ["2024-01-01", "2024-01-01"], "amount": [10.0, 10.0]}))
    >>> purchase_alerts(db, "2024-03-01")[["customer_id", "days_since", "days_overdue"]]
       customer_id  days_since  days_overdue
    0            1          60            30
    """
    day = _as_of(as_of, "purchase_alerts")
    params = {"as_of": day, "day": int(np.datetime64(day, "D").astype(np.int64))}
    names, rows = _sweep(db, _PURCHASE_SQL.format(acquired=day_sql("c.acquisition_date")), params)
    keep = ["customer_id", "name", "purchase_cycle_days", "last_purchase"]
    return _alert_frame(names, rows, day, "purchase_cycle_days", {"last_purchase": "last purchase"}, keep)


def contact_reminders(db: CustomerDatabase, as_of: Any, *, count_purchases: bool = False) -> pd.DataFrame:
    """List customers past their contact cycle: the follow-up reminder (跟进提醒).

    Chapter 1. A customer with a contact cycle of :math:`c` days is due for a
    follow-up when the days since the last interaction (visit, call, e-mail,
    ...) on or before ``as_of`` exceed :math:`c`; without any interaction the
    acquisition date counts.

    Parameters
    ----------
    db : CustomerDatabase
        The database.
    as_of : str or Timestamp
        The day the reminders are computed for.
    count_purchases : bool, default=False
        Also count a purchase as a contact (the latest of last interaction and last purchase).

    Returns
    -------
    pandas.DataFrame
        One row per customer to follow up, most overdue first: ``customer_id``, ``name``,
        ``contact_cycle_days``, ``contact_channel``, ``last_contact`` (NaT if none), ``since``,
        ``basis``, ``days_since``, ``days_overdue``.

    Raises
    ------
    TypeError, ValueError
        If ``as_of`` is not a date or ``count_purchases`` not a bool.

    See Also
    --------
    purchase_alerts

    Examples
    --------
    >>> import pandas as pd
    >>> from crmlab.database import CustomerDatabase
    >>> db = CustomerDatabase()
    >>> _ = db.import_frame("customers", pd.DataFrame({"customer_id": [1], "customer_type": "business",
    ...     "name": ["Acme Ltd"], "contact_cycle_days": [14], "acquisition_date": ["2024-01-01"]}))
    >>> contact_reminders(db, "2024-02-01")[["customer_id", "basis", "days_overdue"]]
       customer_id             basis  days_overdue
    0            1  acquisition date            17
    """
    day = _as_of(as_of, "contact_reminders")
    if not isinstance(count_purchases, bool):
        raise TypeError(f"contact_reminders(): 'count_purchases' must be a bool; got {count_purchases!r}.")
    params: dict[str, Any] = {"as_of": day}
    start = _window_start(db, "contact_cycle_days", day, params)
    acquired = day_sql("c.acquisition_date")
    columns = f"c.customer_id, c.name, c.contact_cycle_days, c.contact_channel, {acquired} AS acquisition_date"
    joins = "LEFT JOIN contact_stats AS k ON k.customer_id = c.customer_id"
    quiet = f"NOT {_CONTACT_IN_WINDOW.format(start=start)}"
    measurable = f"c.acquisition_date < {start} OR {_ANY_CONTACT}"
    last = {"last_contact": "last contact"}
    if count_purchases:
        columns += f", {day_sql(_LAST_PURCHASE)} AS last_purchase"
        joins += " LEFT JOIN customer_stats AS s ON s.customer_id = c.customer_id"
        quiet += f" AND NOT {_PURCHASE_IN_WINDOW.format(start=start)}"
        measurable += " OR s.first_transaction <= :as_of"
        last["last_purchase"] = "last purchase"
    sql = f"""
SELECT {columns}, {day_sql(_LAST_CONTACT)} AS last_contact
FROM customers AS c {joins}
WHERE c.contact_cycle_days IS NOT NULL
  AND (c.acquisition_date IS NULL OR c.acquisition_date <= :as_of)
  AND {quiet}
  AND ({measurable})
"""
    names, rows = _sweep(db, sql, params)
    keep = ["customer_id", "name", "contact_cycle_days", "contact_channel", "last_contact"]
    return _alert_frame(names, rows, day, "contact_cycle_days", last, keep)


def birthday_reminders(db: CustomerDatabase, as_of: Any, *, within_days: int = 7) -> pd.DataFrame:
    """List customers whose birthday falls in the next ``within_days`` days (a card, a gift, a coupon).

    Chapter 1. Lecture 5: knowing a customer's anniversary lets the firm
    surprise them on the day. A 29 February birthday is celebrated on
    28 February in common years.

    Parameters
    ----------
    db : CustomerDatabase
        The database.
    as_of : str or Timestamp
        Today.
    within_days : int, default=7
        Look-ahead window in days (0 = only today).

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``name``, ``birth_date``, ``next_birthday``, ``days_until``, ``age_then``,
        soonest first.

    Raises
    ------
    TypeError, ValueError
        If ``as_of`` is not a date or ``within_days`` is not an integer in [0, 366].

    Examples
    --------
    >>> import pandas as pd
    >>> from crmlab.database import CustomerDatabase
    >>> db = CustomerDatabase()
    >>> _ = db.import_frame("customers", pd.DataFrame({"customer_id": [1, 2], "customer_type": "individual",
    ...     "name": ["Ann", "Bo"], "birth_date": ["1990-03-04", "1985-07-01"]}))
    >>> birthday_reminders(db, "2024-03-01")[["customer_id", "days_until", "age_then"]]
       customer_id  days_until  age_then
    0            1           3        34
    """
    day = pd.Timestamp(_as_of(as_of, "birthday_reminders"))
    within_days = check_int(within_days, "within_days", caller="birthday_reminders", minimum=0, maximum=366)
    frame = db.query("SELECT customer_id, name, birth_date FROM customers WHERE birth_date IS NOT NULL")
    born = pd.to_datetime(frame["birth_date"], format="ISO8601")
    month = born.dt.month.to_numpy()
    dom = born.dt.day.to_numpy()

    def anniversary(year: int) -> pd.Series:
        leap = (year % 4 == 0 and year % 100 != 0) or year % 400 == 0
        d = np.where((month == 2) & (dom == 29) & (not leap), 28, dom)
        return pd.to_datetime(pd.DataFrame({"year": year, "month": month, "day": d}))

    this_year = anniversary(day.year)
    nxt = this_year.where(this_year >= day, anniversary(day.year + 1))
    frame["birth_date"] = born.astype("datetime64[ns]")
    frame["next_birthday"] = nxt.astype("datetime64[ns]")
    frame["days_until"] = (nxt - day).dt.days.astype(np.int64)
    frame["age_then"] = (nxt.dt.year - born.dt.year).astype(np.int64)
    frame = frame[frame["days_until"] <= within_days]
    return frame.sort_values(["days_until", "customer_id"], kind="stable").reset_index(drop=True)
