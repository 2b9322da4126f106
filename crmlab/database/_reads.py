"""Argument checks shared by the read functions (alerts, views, quality report, export)."""

from __future__ import annotations

from typing import Any

from crmlab._validation import check_date_arg
from crmlab.database.core import CustomerDatabase

__all__ = ["as_of_label", "check_db"]


def check_db(db: Any, caller: str) -> CustomerDatabase:
    """Return ``db`` if it is an open :class:`CustomerDatabase`, else raise naming the argument."""
    if not isinstance(db, CustomerDatabase):
        raise TypeError(f"{caller}(): 'db' must be a CustomerDatabase; got {type(db).__name__}. "
                        "Open one with CustomerDatabase(path).")
    return db


def as_of_label(value: Any, caller: str) -> str:
    """Return ``value`` as an ISO date string, raising a clear error if it is not a date."""
    return check_date_arg(value, "as_of", caller=caller).strftime("%Y-%m-%d")
