"""Alerts as queries: purchase-cycle "business falling" alerts, contact-cycle follow-up reminders, birthdays.

Chapter 1. Lecture 003's CRM record gives each customer a *purchase strategy*
(购买策略: a purchase cycle; when a customer goes longer than that without buying,
the system raises a "business falling" alert, 客户业务下滑提醒) and a *contact
strategy* (联系策略: a contact cycle; past it, a follow-up reminder, 跟进提醒).
Lecture 5 adds the anniversary: a card or a gift on the customer's birthday.
Every alert takes the as-of date as a parameter, so history can be replayed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from crmlab._validation import check_date_arg, check_int
from crmlab.database._dates import iso_dates

if TYPE_CHECKING:
    from crmlab.database.core import CustomerDatabase

__all__ = ["birthday_reminders", "contact_reminders", "purchase_alerts"]


def _as_of(value: Any, caller: str) -> str:
    """Return ``value`` as an ISO date string, raising a clear error if it is not a date."""
    return check_date_arg(value, "as_of", caller=caller).strftime("%Y-%m-%d")


def _jd(day: str) -> float:
    """Julian day number of an ISO date (SQLite's ``julianday``), computed once in Python."""
    return float(pd.Timestamp(day).to_julian_date())


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


def _alert_frame(db: CustomerDatabase, sql: str, as_of: str, cycle: str, last: dict[str, str],
                 keep: list[str]) -> pd.DataFrame:
    """Run an alert query; build the result column-wise, days since/overdue in numpy, most overdue first.

    ``last`` maps the event-date columns to their basis labels; ``keep`` lists the output columns
    before ``since``, ``basis``, ``days_since`` and ``days_overdue``.
    """
    cur = db.connection.execute(sql, {"as_of": as_of, "jd": _jd(as_of)})
    names = [d[0] for d in cur.description]
    rows = cur.fetchall()
    raw = dict(zip(names, zip(*rows, strict=True) if rows else [()] * len(names), strict=True))
    dates = {c: iso_dates(pd.Series(np.array(raw[c], dtype=object))).to_numpy() for c in [*last, "acquisition_date"]}
    since, basis = _since([dates[c] for c in last], list(last.values()), dates["acquisition_date"])
    ids = np.array(raw["customer_id"], dtype=np.int64)
    days_since = (np.datetime64(as_of, "ns") - since).astype("timedelta64[D]").astype(np.int64)
    days_overdue = days_since - np.array(raw[cycle], dtype=np.int64)
    order = np.lexsort((ids, -days_overdue))
    columns: dict[str, Any] = {}
    for col in keep:
        if col in dates:
            columns[col] = dates[col][order]
        elif col in ("customer_id", cycle):
            columns[col] = np.array(raw[col], dtype=np.int64)[order]
        else:
            columns[col] = pd.Series(np.array(raw[col], dtype=object)[order]).infer_objects()
    columns.update(since=since[order], basis=basis[order], days_since=days_since[order],
                   days_overdue=days_overdue[order])
    return pd.DataFrame(columns)


# {last}: the latest event on or before :as_of, from the maintained fields when they settle it and from
# ONE probe of the (customer_id, date) index otherwise; the probe runs only for customers with an event
# after :as_of (a replay of the past), never for the current day.
_LAST_EVENT = """CASE WHEN {stats}.{last} IS NULL THEN NULL
         WHEN {stats}.{last} <= :as_of THEN {stats}.{last}
         {first_rule}ELSE (SELECT e.date FROM {log} AS e WHERE e.customer_id = c.customer_id AND e.date <= :as_of
               ORDER BY e.date DESC LIMIT 1) END"""

_PURCHASE_LAST = _LAST_EVENT.format(
    stats="s", last="last_transaction", log="transactions",
    first_rule="WHEN s.first_transaction > :as_of THEN NULL\n         ",
)

# Alerted iff the date measured from lies more than the cycle before :as_of; compared as Julian day
# numbers (``:jd`` = julianday(:as_of) computed once). A customer whose first purchase already lies
# inside the cycle window cannot be alerted, so no probe is needed for them.
_PURCHASE_SQL = f"""
SELECT c.customer_id, c.name, c.purchase_cycle_days, c.acquisition_date, {_PURCHASE_LAST} AS last_purchase
FROM customers AS c LEFT JOIN customer_stats AS s ON s.customer_id = c.customer_id
WHERE c.purchase_cycle_days IS NOT NULL
  AND (c.acquisition_date IS NULL OR c.acquisition_date <= :as_of)
  AND CASE WHEN s.last_transaction IS NULL OR s.first_transaction > :as_of THEN julianday(c.acquisition_date)
           WHEN s.last_transaction <= :as_of THEN julianday(s.last_transaction)
           WHEN julianday(s.first_transaction) >= :jd - c.purchase_cycle_days THEN NULL
           ELSE julianday((SELECT t.date FROM transactions AS t WHERE t.customer_id = c.customer_id
                           AND t.date <= :as_of ORDER BY t.date DESC LIMIT 1))
      END < :jd - c.purchase_cycle_days
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
    The query reads the system-maintained ``first_transaction`` and
    ``last_transaction``; only for a past ``as_of`` does it search the log, with
    one probe of the ``(customer_id, date)`` index per customer who bought both
    before the cycle window and after ``as_of``. The filter runs in SQLite, so
    only alerted customers reach pandas.

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
    keep = ["customer_id", "name", "purchase_cycle_days", "last_purchase"]
    return _alert_frame(db, _PURCHASE_SQL, day, "purchase_cycle_days", {"last_purchase": "last purchase"}, keep)


_CONTACT_LAST = _LAST_EVENT.format(stats="k", last="last_contact", log="interactions", first_rule="")

# The latest contact on or before :as_of (else the acquisition date) must lie more than the cycle back.
# With count_purchases a purchase counts as a contact too: the inner WHERE first keeps the customers
# without a contact inside the cycle window, and only for those is the latest purchase looked up.
# "LIMIT -1 OFFSET 0" keeps SQLite from flattening the subquery into the outer query (which would copy
# each probe into every expression that uses it): rows stream through a co-routine, nothing is
# materialised, and the outer WHERE applies the final rule.
_CONTACT_SQL = f"""
SELECT * FROM (
    SELECT c.customer_id, c.name, c.contact_cycle_days, c.contact_channel, c.acquisition_date,
           {_CONTACT_LAST} AS last_contact {{purchase_column}}
    FROM customers AS c LEFT JOIN contact_stats AS k ON k.customer_id = c.customer_id {{purchase_join}}
    WHERE c.contact_cycle_days IS NOT NULL
      AND (c.acquisition_date IS NULL OR c.acquisition_date <= :as_of)
      AND {{quiet}} < :jd - c.contact_cycle_days
    LIMIT -1 OFFSET 0
)
WHERE julianday({{since}}) < :jd - contact_cycle_days
"""


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
    if count_purchases:
        purchase_column = f", {_PURCHASE_LAST} AS last_purchase"
        purchase_join = "LEFT JOIN customer_stats AS s ON s.customer_id = c.customer_id"
        since = "COALESCE(max(last_contact, last_purchase), last_contact, last_purchase, acquisition_date)"
    else:
        purchase_column, purchase_join = "", ""
        since = "COALESCE(last_contact, acquisition_date)"
    quiet = f"COALESCE(julianday({_CONTACT_LAST}), -1)" if count_purchases else (
        f"julianday(COALESCE({_CONTACT_LAST}, c.acquisition_date))")
    sql = _CONTACT_SQL.format(purchase_column=purchase_column, purchase_join=purchase_join, since=since, quiet=quiet)
    last = {"last_contact": "last contact", "last_purchase": "last purchase"} if count_purchases else {
        "last_contact": "last contact"}
    keep = ["customer_id", "name", "contact_cycle_days", "contact_channel", "last_contact"]
    return _alert_frame(db, sql, day, "contact_cycle_days", last, keep)


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
