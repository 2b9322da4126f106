"""The 360° customer view and the preference lookup (the hotel that remembers the carrot juice).

Chapter 1. A 360° view (客户360度视图) puts everything the firm knows about one
customer on one page: the profile, the system-maintained fields, what and when
they bought, every contact, every complaint and their preferences. The
preference lookup answers the Regent hotel's question before a guest arrives:
what does this guest prefer, and when did we last serve them?
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from crmlab._validation import check_int
from crmlab.database._dates import iso_dates
from crmlab.database._reads import as_of_label, check_db
from crmlab.database.alerts import lapse_history
from crmlab.database.core import CustomerDatabase

__all__ = ["Customer360", "customer_360", "preference_lookup"]


@dataclass(frozen=True)
class Customer360:
    """Everything the database holds about one customer, as of a date.

    Parameters
    ----------
    customer_id : int
        The customer.
    as_of : pandas.Timestamp or None
        The date the view describes; None for the whole log as it stands.
    profile : pandas.Series
        The customer record (profile fields that are filled in, plus the system-maintained fields).
    summary : pandas.Series
        Key figures as of the date: transactions, spend, average ticket, first/last purchase, days since
        the last purchase, interactions, last contact, complaints and how many are unresolved.
    categories : pandas.DataFrame
        Spend by product category: ``transactions``, ``amount``, ``share`` of spend.
    recent_transactions, interactions, complaints : pandas.DataFrame
        The most recent rows of each log, newest first.
    preferences : pandas.DataFrame
        ``item``, ``value``, ``noted_on``, ``source``.
    purchase_alerts : pandas.DataFrame
        The customer's "business falling" alerts raised up to the date, as
        :func:`crmlab.database.lapse_history` lists them; one still running on the
        date is shown open.

    Examples
    --------
    >>> import pandas as pd
    >>> from crmlab.database import CustomerDatabase
    >>> db = CustomerDatabase()
    >>> _ = db.import_frame("customers", pd.DataFrame({"customer_id": [7, 8], "customer_type": "individual",
    ...     "name": ["Ann Lee", "Ann Lee"], "phone": ["138 0013 8000", "13800138000"]}))
    >>> _ = db.import_frame("transactions", pd.DataFrame({"transaction_id": [1, 2], "customer_id": 7,
    ...     "date": ["2024-01-01", "2024-02-01"], "amount": [10.0, 30.0]}))
    >>> view = customer_360(db, 7, as_of="2024-03-01")
    >>> view.customer_id, str(view.as_of.date()), len(view.recent_transactions)
    (7, '2024-03-01', 2)
    """

    customer_id: int
    as_of: pd.Timestamp | None
    profile: pd.Series
    summary: pd.Series
    categories: pd.DataFrame
    recent_transactions: pd.DataFrame
    interactions: pd.DataFrame
    complaints: pd.DataFrame
    preferences: pd.DataFrame
    purchase_alerts: pd.DataFrame


def _log(db: CustomerDatabase, table: str, customer_id: int, day: str | None) -> pd.DataFrame:
    cond = " AND date <= :day" if day else ""
    frame = db.query(
        f"SELECT * FROM {table} WHERE customer_id = :cid{cond} ORDER BY date DESC, rowid DESC",
        {"cid": customer_id, "day": day},
    )
    frame["date"] = iso_dates(frame["date"])
    return frame.drop(columns="customer_id")


def customer_360(db: CustomerDatabase, customer_id: int, *, as_of: Any = None, n_recent: int = 5) -> Customer360:
    """Return the 360° view of one customer (客户360度视图).

    Chapter 1.

    Parameters
    ----------
    db : CustomerDatabase
        The database.
    customer_id : int
        The customer.
    as_of : str or Timestamp, optional
        Only history on or before this date counts (default: everything).
    n_recent : int, default=5
        Rows of each log to keep, newest first.

    Returns
    -------
    Customer360

    Raises
    ------
    TypeError
        If ``customer_id`` or ``n_recent`` is not an integer.
    ValueError
        If the customer does not exist.

    See Also
    --------
    preference_lookup, purchase_alerts

    Examples
    --------
    >>> import pandas as pd
    >>> from crmlab.database import CustomerDatabase
    >>> db = CustomerDatabase()
    >>> _ = db.import_frame("customers", pd.DataFrame({"customer_id": [7], "customer_type": "individual",
    ...     "name": ["Ann"]}))
    >>> _ = db.import_frame("transactions", pd.DataFrame({"transaction_id": [1, 2], "customer_id": 7,
    ...     "date": ["2024-01-01", "2024-02-01"], "amount": [10.0, 30.0]}))
    >>> view = customer_360(db, 7, as_of="2024-03-01")
    >>> int(view.summary["transactions"]), float(view.summary["average_amount"]), int(view.summary["days_since_last"])
    (2, 20.0, 29)
    """
    check_db(db, "customer_360")
    customer_id = check_int(customer_id, "customer_id", caller="customer_360", minimum=1)
    n_recent = check_int(n_recent, "n_recent", caller="customer_360", minimum=1)
    day = None if as_of is None else as_of_label(as_of, "customer_360")
    record = db.customer_record([customer_id])
    if record.empty:
        raise ValueError(f"customer_360(): no customer with customer_id={customer_id} in the database.")
    profile = record.iloc[0]
    profile = profile[profile.notna()]
    tx = _log(db, "transactions", customer_id, day)
    inter = _log(db, "interactions", customer_id, day)
    comp = _log(db, "complaints", customer_id, day)
    prefs = db.query(
        "SELECT item, value, noted_on, source FROM preferences WHERE customer_id = ? ORDER BY item", (customer_id,)
    )
    stamp = None if day is None else pd.Timestamp(day)
    last = tx["date"].max() if len(tx) else pd.NaT
    summary = pd.Series(
        {
            "transactions": len(tx),
            "amount": float(tx["amount"].sum()),
            "average_amount": float(tx["amount"].mean()) if len(tx) else float("nan"),
            "first_purchase": tx["date"].min() if len(tx) else pd.NaT,
            "last_purchase": last,
            "days_since_last": (stamp - last).days if stamp is not None and len(tx) else None,
            "interactions": len(inter),
            "last_contact": inter["date"].max() if len(inter) else pd.NaT,
            "complaints": len(comp),
            "unresolved_complaints": int((comp["resolved"] == 0).sum()) if len(comp) else 0,
        },
        dtype=object,
    )
    alerts = lapse_history(db, [customer_id]).drop(columns="customer_id")
    if stamp is not None:  # as known on the date: later alerts unseen, a later clearing not yet happened
        alerts = alerts[alerts["raised"] <= stamp].reset_index(drop=True)
        running = alerts["cleared"].isna() | (alerts["cleared"] > stamp)
        alerts.loc[running, "cleared"] = pd.NaT
        alerts["days_overdue"] = alerts["days_overdue"].mask(running, pd.NA)
        alerts["open"] = running.to_numpy()
    summary["purchase_alerts"] = len(alerts)
    summary["alert_open"] = bool(alerts["open"].any())
    cats = tx.assign(category=tx["category"].fillna("(none)")) if "category" in tx else tx
    categories = cats.groupby("category").agg(transactions=("amount", "size"), amount=("amount", "sum"))
    categories["share"] = categories["amount"] / categories["amount"].sum() if len(tx) else 0.0
    categories = categories.sort_values("amount", ascending=False)
    return Customer360(
        customer_id=customer_id,
        as_of=stamp,
        profile=profile,
        summary=summary,
        categories=categories,
        recent_transactions=tx.head(n_recent).reset_index(drop=True),
        interactions=inter.head(n_recent).reset_index(drop=True),
        complaints=comp.head(n_recent).reset_index(drop=True),
        preferences=prefs,
        purchase_alerts=alerts,
    )


def preference_lookup(
    db: CustomerDatabase, *, customer_id: int | None = None, name: str | None = None, item: str | None = None
) -> pd.DataFrame:
    """Look up what a customer prefers and when we last served them (the carrot-juice lookup).

    Chapter 1. Lecture 5's Regent hotel in Hong Kong kept, for every guest, the
    small things they once mentioned — a glass of carrot juice (胡萝卜汁) — and
    had it waiting in the room on every later stay, for ten years. This is that
    lookup: find the guest by id or by name (case-insensitive), list the
    preferences on file and the last time the guest was served.

    Parameters
    ----------
    db : CustomerDatabase
        The database.
    customer_id : int, optional
        Look up one customer by id.
    name : str, optional
        Or by name (exact, case-insensitive; several customers may share it).
    item : str, optional
        Only this preference item (e.g. ``"drink"``).

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``name``, ``item``, ``value``, ``noted_on``, ``times_served`` (transactions),
        ``last_served`` (date of the last transaction), one row per preference.

    Raises
    ------
    ValueError
        If neither or both of ``customer_id`` and ``name`` are given.

    See Also
    --------
    customer_360

    Examples
    --------
    >>> import pandas as pd
    >>> from crmlab.database import CustomerDatabase
    >>> db = CustomerDatabase()
    >>> _ = db.import_frame("customers", pd.DataFrame({"customer_id": [1], "customer_type": "individual",
    ...     "name": ["Mr Chan"]}))
    >>> _ = db.import_frame("preferences", pd.DataFrame({"customer_id": [1], "item": ["drink"],
    ...     "value": ["carrot juice"], "noted_on": ["2014-05-02"]}))
    >>> preference_lookup(db, name="mr chan")[["name", "item", "value"]]
          name   item         value
    0  Mr Chan  drink  carrot juice
    """
    check_db(db, "preference_lookup")
    if (customer_id is None) == (name is None):
        raise ValueError("preference_lookup(): give exactly one of 'customer_id' and 'name'.")
    if customer_id is not None:
        customer_id = check_int(customer_id, "customer_id", caller="preference_lookup", minimum=1)
        who, params = "c.customer_id = :who", {"who": customer_id}
    else:
        if not isinstance(name, str):
            raise TypeError(f"preference_lookup(): 'name' must be a str; got {type(name).__name__}.")
        who, params = "c.name = :who COLLATE NOCASE", {"who": name}
    if item is not None:
        who += " AND p.item = :item"
        params["item"] = item
    frame = db.query(
        "SELECT c.customer_id, c.name, p.item, p.value, p.noted_on, "
        "COALESCE(s.transaction_count, 0) AS times_served, s.last_transaction AS last_served "
        "FROM customers AS c JOIN preferences AS p ON p.customer_id = c.customer_id "
        "LEFT JOIN customer_stats AS s ON s.customer_id = c.customer_id "
        f"WHERE {who} ORDER BY c.customer_id, p.item",
        params,
    )
    for col in ("noted_on", "last_served"):
        frame[col] = iso_dates(frame[col])
    return frame
