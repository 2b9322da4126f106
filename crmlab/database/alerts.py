"""Alerts as queries: the "business falling" alert, its history, follow-up reminders, birthdays.

Chapter 1. Lecture 003's CRM record gives each customer a *purchase strategy*
(购买策略: a purchase cycle; when a customer goes longer than that without buying,
the system raises a "business falling" alert, 客户业务下滑提醒) and a *contact
strategy* (联系策略: a contact cycle; past it, a follow-up reminder, 跟进提醒).
Lecture 5 adds the anniversary: a card or a gift on the customer's birthday.

The rule, the same for both cycles: a customer with a cycle of :math:`c` days
is due on day :math:`d` when the latest event (purchase; contact) on or before
:math:`d` lies more than :math:`c` days back; before the first event, the
acquisition date counts. Every alert takes the as-of day as a parameter, so
history can be replayed.

Where the speed comes from (kept out of the functions below): the purchase
alert reads the lapses the database keeps (:mod:`crmlab.database._lapses`), one
range of one table for any day; the contact reminder's SQL is tuned for SQLite's
planner in :mod:`crmlab.database._alert_sql`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from crmlab._validation import check_int
from crmlab.database._alert_sql import contact_sql, fill_windows
from crmlab.database._dates import UNIT, dates_from_days, day_sql, iso_dates
from crmlab.database._lapses import OPEN_END
from crmlab.database._reads import as_of_label, check_db
from crmlab.database._validate import whole_ids
from crmlab.database.core import CustomerDatabase

__all__ = ["birthday_reminders", "contact_reminders", "lapse_history", "purchase_alerts"]


# A customer is overdue on :day iff one of their purchase lapses contains it (crmlab.database._lapses);
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
    for every customer (:mod:`crmlab.database._lapses`): the intervals of days
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
    check_db(db, "purchase_alerts")
    day = as_of_label(as_of, "purchase_alerts")
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

    Notes
    -----
    How the query avoids a search of the log per customer is explained in
    :mod:`crmlab.database._alert_sql`.

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
    check_db(db, "contact_reminders")
    day = as_of_label(as_of, "contact_reminders")
    if not isinstance(count_purchases, bool):
        raise TypeError(f"contact_reminders(): 'count_purchases' must be a bool; got {count_purchases!r}.")
    params: dict[str, Any] = {"as_of": day}
    fill_windows(db.connection, day)
    sql = contact_sql(count_purchases=count_purchases)
    last = {"last_contact": "last contact"}
    if count_purchases:
        last["last_purchase"] = "last purchase"
    names, rows = _sweep(db, sql, params)
    keep = ["customer_id", "name", "contact_cycle_days", "contact_channel", "last_contact"]
    return _alert_frame(names, rows, day, "contact_cycle_days", last, keep)


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
    purchase_alerts : the lapses open on a given day.

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
    check_db(db, "lapse_history")
    sql = "SELECT customer_id, lapse_from, lapse_until, last_purchase FROM purchase_lapses"
    if customer_ids is None:
        frame = db.query(sql)
    else:  # through the customer index, a few hundred ids per statement
        wanted = sorted(set(whole_ids(customer_ids, "customer_ids", "lapse_history")))
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
    check_db(db, "birthday_reminders")
    day = pd.Timestamp(as_of_label(as_of, "birthday_reminders"))
    within_days = check_int(within_days, "within_days", caller="birthday_reminders", minimum=0, maximum=366)
    frame = db.query("SELECT customer_id, name, birth_date FROM customers WHERE birth_date IS NOT NULL")
    born = iso_dates(frame["birth_date"])
    month = born.dt.month.to_numpy()
    dom = born.dt.day.to_numpy()

    def anniversary(year: int) -> pd.Series:
        leap = (year % 4 == 0 and year % 100 != 0) or year % 400 == 0
        d = np.where((month == 2) & (dom == 29) & (not leap), 28, dom)
        return pd.to_datetime(pd.DataFrame({"year": year, "month": month, "day": d}))

    this_year = anniversary(day.year)
    nxt = this_year.where(this_year >= day, anniversary(day.year + 1))
    frame["birth_date"] = born.astype(UNIT)
    frame["next_birthday"] = nxt.astype(UNIT)
    frame["days_until"] = (nxt - day).dt.days.astype(np.int64)
    frame["age_then"] = (nxt.dt.year - born.dt.year).astype(np.int64)
    frame = frame[frame["days_until"] <= within_days]
    return frame.sort_values(["days_until", "customer_id"], kind="stable").reset_index(drop=True)


# -- building an alert's result ----------------------------------------------------------------------------
def _sweep(db: CustomerDatabase, sql: str, params: dict[str, Any]) -> tuple[list[str], list[tuple]]:
    """Run an alert query; return its column names and rows."""
    cur = db.connection.execute(sql, params)
    return [d[0] for d in cur.description], cur.fetchall()


def _since(last: list[np.ndarray], labels: list[str], acquired: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the date measured from (latest event on or before as-of, else acquisition) and its basis."""
    since = np.full(len(acquired), np.datetime64("NaT"), dtype=UNIT)
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
    days_since = (np.datetime64(as_of, "D").astype(UNIT) - since).astype("timedelta64[D]").astype(np.int64)
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
