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

from crmlab._validation import check_int
from crmlab.database._dates import iso_dates

if TYPE_CHECKING:
    from crmlab.database.core import CustomerDatabase

__all__ = ["birthday_reminders", "contact_reminders", "purchase_alerts"]


def _as_of(value: Any, caller: str) -> str:
    """Return ``value`` as an ISO date string, raising a clear error if it is not a date."""
    if isinstance(value, bool) or not isinstance(value, (str, pd.Timestamp, np.datetime64)) and not hasattr(
        value, "year"
    ):
        raise TypeError(f"{caller}(): 'as_of' must be a date (str 'YYYY-MM-DD' or Timestamp); got {value!r}.")
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{caller}(): 'as_of' must be a date such as '2024-12-31'; got {value!r}.") from exc
    if pd.isna(stamp):
        raise ValueError(f"{caller}(): 'as_of' must be a date such as '2024-12-31'; got {value!r}.")
    return stamp.strftime("%Y-%m-%d")


def _finish(frame: pd.DataFrame, cycle: str, last: str) -> pd.DataFrame:
    frame[last] = iso_dates(frame[last])
    frame["since"] = iso_dates(frame["since"])
    frame["days_overdue"] = frame["days_since"] - frame[cycle]
    return frame.reset_index(drop=True)


_PURCHASE_SQL = """
WITH base AS (
    SELECT c.customer_id, c.name, c.purchase_cycle_days, c.acquisition_date,
           CASE WHEN s.last_transaction IS NULL THEN NULL
                WHEN s.last_transaction <= :as_of THEN s.last_transaction
                ELSE (SELECT t.date FROM transactions AS t
                      WHERE t.customer_id = c.customer_id AND t.date <= :as_of ORDER BY t.date DESC LIMIT 1)
           END AS last_purchase
    FROM customers AS c LEFT JOIN customer_stats AS s ON s.customer_id = c.customer_id
    WHERE c.purchase_cycle_days IS NOT NULL
      AND (c.acquisition_date IS NULL OR c.acquisition_date <= :as_of)
), dated AS (
    SELECT *, COALESCE(last_purchase, acquisition_date) AS since,
           CAST(julianday(:as_of) - julianday(COALESCE(last_purchase, acquisition_date)) AS INTEGER) AS days_since
    FROM base
)
SELECT customer_id, name, purchase_cycle_days, last_purchase, since,
       CASE WHEN last_purchase IS NULL THEN 'acquisition date' ELSE 'last purchase' END AS basis, days_since
FROM dated
WHERE days_since > purchase_cycle_days
ORDER BY days_since - purchase_cycle_days DESC, customer_id
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
    The query reads the system-maintained ``last_transaction`` and only
    searches the log (through the ``(customer_id, date)`` index) for customers
    whose last transaction lies after ``as_of``.

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
    frame = db.query(_PURCHASE_SQL, {"as_of": day})
    return _finish(frame, "purchase_cycle_days", "last_purchase")


_CONTACT_SQL = """
WITH base AS (
    SELECT c.customer_id, c.name, c.contact_cycle_days, c.contact_channel, c.acquisition_date,
           CASE WHEN k.last_contact IS NULL THEN NULL
                WHEN k.last_contact <= :as_of THEN k.last_contact
                ELSE (SELECT i.date FROM interactions AS i
                      WHERE i.customer_id = c.customer_id AND i.date <= :as_of ORDER BY i.date DESC LIMIT 1)
           END AS last_contact
           {purchase_column}
    FROM customers AS c LEFT JOIN contact_stats AS k ON k.customer_id = c.customer_id {purchase_join}
    WHERE c.contact_cycle_days IS NOT NULL
      AND (c.acquisition_date IS NULL OR c.acquisition_date <= :as_of)
), dated AS (
    SELECT *, {since} AS since FROM base
), measured AS (
    SELECT *, CAST(julianday(:as_of) - julianday(since) AS INTEGER) AS days_since FROM dated
)
SELECT customer_id, name, contact_cycle_days, contact_channel, last_contact, since,
       CASE WHEN since IS last_contact THEN 'last contact'
            WHEN since IS acquisition_date THEN 'acquisition date' ELSE 'last purchase' END AS basis,
       days_since
FROM measured
WHERE days_since > contact_cycle_days
ORDER BY days_since - contact_cycle_days DESC, customer_id
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
        purchase_column = """, CASE WHEN s.last_transaction IS NULL THEN NULL
                WHEN s.last_transaction <= :as_of THEN s.last_transaction
                ELSE (SELECT t.date FROM transactions AS t WHERE t.customer_id = c.customer_id
                      AND t.date <= :as_of ORDER BY t.date DESC LIMIT 1) END AS last_purchase"""
        purchase_join = "LEFT JOIN customer_stats AS s ON s.customer_id = c.customer_id"
        since = """CASE WHEN last_contact IS NULL AND last_purchase IS NULL THEN acquisition_date
                   WHEN last_purchase IS NULL OR last_contact >= last_purchase THEN last_contact
                   WHEN last_contact IS NULL THEN last_purchase ELSE last_purchase END"""
    else:
        purchase_column, purchase_join, since = "", "", "COALESCE(last_contact, acquisition_date)"
    sql = _CONTACT_SQL.format(purchase_column=purchase_column, purchase_join=purchase_join, since=since)
    frame = db.query(sql, {"as_of": day})
    return _finish(frame, "contact_cycle_days", "last_contact")


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
