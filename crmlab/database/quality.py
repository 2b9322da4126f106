"""Data-quality report of the customer table: missing fields, bad e-mails and phones, likely duplicates.

Chapter 1. Customer information is only a basis for decisions (决策的基础) if it
is complete, valid and held once per customer. The report counts each kind of
problem and shows examples, so a data steward knows what to fix first.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crmlab._validation import check_number, first_ids
from crmlab.database._reads import check_db
from crmlab.database.core import CustomerDatabase
from crmlab.database.schema import TABLES

__all__ = ["EMAIL_PATTERN", "QualityReport", "data_quality_report", "normalise_phone"]

#: A pragmatic e-mail pattern: something@domain.tld, no spaces, one "@".
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$"
_PHONE_SEPARATORS = r"[\s\-\(\)\./]"


@dataclass(frozen=True)
class QualityReport:
    """Result of :func:`data_quality_report`.

    Parameters
    ----------
    n_customers : int
        Customers checked.
    summary : pandas.DataFrame
        One row per check (``check``, ``field``, ``count``, ``share``, ``examples`` = first customer ids).
    invalid : pandas.DataFrame
        ``customer_id``, ``field``, ``value`` of every invalid e-mail or phone number.
    duplicates : pandas.DataFrame
        Likely duplicate pairs: ``customer_id_a``, ``customer_id_b``, ``reason``, ``name_a``, ``name_b``,
        ``similarity``.

    Examples
    --------
    >>> import pandas as pd
    >>> from crmlab.database import CustomerDatabase
    >>> db = CustomerDatabase()
    >>> _ = db.import_frame("customers", pd.DataFrame({"customer_id": [7, 8], "customer_type": "individual",
    ...     "name": ["Ann Lee", "Ann Lee"], "phone": ["138 0013 8000", "13800138000"]}))
    >>> report = data_quality_report(db)
    >>> report.n_customers, len(report.duplicates)
    (2, 1)
    """

    n_customers: int
    summary: pd.DataFrame
    invalid: pd.DataFrame
    duplicates: pd.DataFrame


def normalise_phone(phone: pd.Series) -> pd.Series:
    """Strip spaces, dashes, dots, slashes and brackets from phone numbers; keep a leading ``+``.

    Chapter 1. Used by :func:`data_quality_report` to validate numbers and to
    find customers who share a phone however it was typed.

    Parameters
    ----------
    phone : pandas.Series
        Phone numbers as text; missing values stay missing.

    Returns
    -------
    pandas.Series
        Normalised numbers (object dtype), same index.

    Examples
    --------
    >>> normalise_phone(pd.Series(["+44 (20) 7946-0018", None])).tolist()
    ['+442079460018', None]
    """
    out = phone.astype(object).where(phone.notna(), None)
    cleaned = out.dropna().astype(str).str.replace(_PHONE_SEPARATORS, "", regex=True)
    out = out.copy()
    out[cleaned.index] = cleaned
    return out


def _norm_text(values: pd.Series) -> pd.Series:
    return (
        values.fillna("").astype(str).str.lower().str.replace(r"[^\w\s]", " ", regex=True)
        .str.split().str.join(" ")
    )


def _pairs(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """All pairs (a < b) of customers sharing ``key`` (a non-empty value)."""
    keyed = frame.loc[frame[key].fillna("") != "", ["customer_id", "name", key]]
    counts = keyed[key].map(keyed[key].value_counts())
    keyed = keyed[counts.to_numpy() > 1]
    pairs = keyed.merge(keyed, on=key, suffixes=("_a", "_b"))
    return pairs[pairs["customer_id_a"] < pairs["customer_id_b"]]


def data_quality_report(
    db: CustomerDatabase,
    *,
    required: Sequence[str] = ("name", "phone", "email", "address"),
    name_similarity: float = 0.85,
) -> QualityReport:
    """Check the customer table for missing fields, invalid contact data and likely duplicates.

    Chapter 1. Checks, each counted and illustrated:

    * **missing required fields** — each column of ``required`` that is empty;
    * **invalid e-mail** — not of the form ``someone@domain.tld``;
    * **invalid phone** — after removing spaces, dashes, dots and brackets, not a
      ``+`` followed by / or just 7 to 15 digits;
    * **duplicates (same phone)** — two customers with the same normalised phone;
    * **duplicates (similar name, same address)** — same normalised address and
      names whose similarity ratio is at least ``name_similarity``.

    Parameters
    ----------
    db : CustomerDatabase
        The database.
    required : sequence of str, default=("name", "phone", "email", "address")
        Customer columns that must be filled in.
    name_similarity : float, default=0.85
        Threshold on :class:`difflib.SequenceMatcher` ratio of normalised names (lower case, punctuation
        removed, tokens sorted).

    Returns
    -------
    QualityReport

    Raises
    ------
    ValueError
        If ``required`` names a column the customer table does not have, or ``name_similarity`` is not in
        (0, 1].

    Notes
    -----
    Duplicate candidates are blocked by phone and by address, and names are only
    compared within a block, so the cost grows with the size of the blocks, not
    with the square of the number of customers.

    Examples
    --------
    >>> import pandas as pd
    >>> from crmlab.database import CustomerDatabase
    >>> db = CustomerDatabase()
    >>> _ = db.import_frame("customers", pd.DataFrame({"customer_id": [1, 2, 3], "customer_type": "individual",
    ...     "name": ["Li Wei", "Wei Li", "Zhang San"], "phone": ["138 0013 8000", "13800138000", "12"],
    ...     "email": ["li@example.com", "li-at-example", None], "address": ["1 Main St", "1 main st.", None]}))
    >>> report = data_quality_report(db)
    >>> report.summary[["check", "field", "count"]]
                                       check    field  count
    0                          missing value     name      0
    1                          missing value    phone      0
    2                          missing value    email      1
    3                          missing value  address      1
    4                          invalid value    email      1
    5                          invalid value    phone      1
    6                  duplicate: same phone    phone      1
    7  duplicate: similar name, same address  address      1
    """
    columns = [f.name for f in TABLES["customers"]]
    unknown = [c for c in required if c not in columns]
    if unknown:
        raise ValueError(f"data_quality_report(): 'required' has unknown column(s) {unknown}; choose from {columns}.")
    name_similarity = check_number(
        name_similarity, "name_similarity", caller="data_quality_report", minimum=0.0, maximum=1.0, strict_min=True
    )
    check_db(db, "data_quality_report")
    cust = db.query("SELECT customer_id, name, phone, email, address, " + ", ".join(
        sorted(set(required) - {"name", "phone", "email", "address"}) or ["NULL AS _"]) + " FROM customers "
        "ORDER BY customer_id")
    n = len(cust)
    rows = []

    def add(check: str, field: str, ids: pd.Series) -> None:
        rows.append({"check": check, "field": field, "count": len(ids), "share": len(ids) / n if n else 0.0,
                     "examples": first_ids(ids)})

    for col in required:
        empty = cust[col].isna() | (cust[col].astype(object).fillna("").astype(str).str.strip() == "")
        add("missing value", col, cust.loc[empty, "customer_id"])
    email = cust["email"].dropna()
    bad_email = email[~email.astype(str).str.match(EMAIL_PATTERN)]
    phone = normalise_phone(cust["phone"]).dropna()
    bad_phone = phone[~phone.astype(str).str.fullmatch(r"\+?\d{7,15}")]
    add("invalid value", "email", cust.loc[bad_email.index, "customer_id"])
    add("invalid value", "phone", cust.loc[bad_phone.index, "customer_id"])
    invalid = pd.concat(
        [
            pd.DataFrame({"customer_id": cust.loc[bad_email.index, "customer_id"], "field": "email",
                          "value": cust.loc[bad_email.index, "email"]}),
            pd.DataFrame({"customer_id": cust.loc[bad_phone.index, "customer_id"], "field": "phone",
                          "value": cust.loc[bad_phone.index, "phone"]}),
        ],
        ignore_index=True,
    )
    keyed = cust[["customer_id", "name"]].copy()
    keyed["phone_key"] = normalise_phone(cust["phone"]).where(lambda s: s.isin(phone.drop(bad_phone.index)))
    keyed["address_key"] = _norm_text(cust["address"])
    by_phone = _pairs(keyed, "phone_key").assign(reason="same phone")
    by_address = _pairs(keyed, "address_key")
    name_a = _norm_text(by_address["name_a"]).str.split().map(sorted).str.join(" ")
    name_b = _norm_text(by_address["name_b"]).str.split().map(sorted).str.join(" ")
    ratio = np.array([difflib.SequenceMatcher(None, a, b).ratio() for a, b in zip(name_a, name_b, strict=True)])
    by_address = by_address.assign(similarity=ratio, reason="similar name, same address")
    by_address = by_address[by_address["similarity"] >= name_similarity]
    by_phone = by_phone.assign(similarity=np.nan)
    cols = ["customer_id_a", "customer_id_b", "reason", "name_a", "name_b", "similarity"]
    duplicates = pd.concat([by_phone[cols], by_address[cols]], ignore_index=True)
    add("duplicate: same phone", "phone", by_phone["customer_id_b"])
    add("duplicate: similar name, same address", "address", by_address["customer_id_b"])
    duplicates = duplicates.sort_values(["customer_id_a", "customer_id_b", "reason"], kind="stable")
    return QualityReport(
        n_customers=n,
        summary=pd.DataFrame(rows),
        invalid=invalid.sort_values(["customer_id", "field"], kind="stable").reset_index(drop=True),
        duplicates=duplicates.reset_index(drop=True),
    )
