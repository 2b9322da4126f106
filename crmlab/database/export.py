"""Export of the customer database with personal fields pseudonymised."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from crmlab.database._reads import check_db
from crmlab.database.core import CustomerDatabase
from crmlab.database.schema import PERSONAL_FIELDS, PRIMARY_KEYS, TABLES

__all__ = ["export_tables", "pseudonymise"]

_HEX = np.array([f"{i:02x}" for i in range(256)], dtype=object)


def pseudonymise(values: pd.Series, salt: str) -> pd.Series:
    """Replace each value by a salted (keyed) hash: same value and salt, same pseudonym.

    Chapter 1. A keyed SipHash-2-4 of the value (pandas' vectorised
    ``hash_pandas_object`` with a 16-character key derived from ``salt`` by
    SHA-256). Without the salt the pseudonyms cannot be linked back to the
    values by hashing guesses; with it they can, so keep the salt secret.

    Parameters
    ----------
    values : pandas.Series
        Values to hide. Missing values stay missing.
    salt : str
        Secret salt, at least 8 characters.

    Returns
    -------
    pandas.Series
        16-hex-digit strings, same index.

    Raises
    ------
    TypeError
        If ``salt`` is not a string.
    ValueError
        If ``salt`` is shorter than 8 characters.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pseudonymise(pd.Series(["Ann", "Bob", "Ann"]), salt="course-2024")
    >>> bool(a[0] == a[2]), bool(a[0] == a[1]), len(a[0])
    (True, False, 16)
    """
    if not isinstance(salt, str):
        raise TypeError(f"pseudonymise(): 'salt' must be a string; got {type(salt).__name__}.")
    if len(salt) < 8:
        raise ValueError(f"pseudonymise(): 'salt' must have at least 8 characters; got {len(salt)}.")
    key = hashlib.sha256(salt.encode("utf-8")).hexdigest()[:16]
    missing = values.isna().to_numpy()
    text = values.astype(object).where(~missing, "").astype(str)
    hashed = pd.util.hash_pandas_object(text, index=False, hash_key=key).to_numpy(dtype=np.uint64)
    octets = hashed.astype(">u8").view(np.uint8).reshape(-1, 8)
    out = _HEX[octets[:, 0]]
    for k in range(1, 8):
        out = out + _HEX[octets[:, k]]
    out = out.astype(object)
    out[missing] = None
    return pd.Series(out, index=values.index, name=values.name, dtype=object)


def export_tables(
    db: CustomerDatabase,
    *,
    salt: str | None = None,
    fields: Iterable[str] = PERSONAL_FIELDS,
    folder: str | Path | None = None,
) -> dict[str, pd.DataFrame]:
    """Export every table, optionally pseudonymising personal fields, e.g. to share with students.

    Chapter 1. With a ``salt``, each personal field (name, address, phone,
    e-mail, ...) is replaced by its salted hash (:func:`pseudonymise`) and
    ``customer_id`` by a pseudonymous ``customer_key`` in every table, so the
    tables still join but nobody can read who the customers are.

    Parameters
    ----------
    db : CustomerDatabase
        The database.
    salt : str, optional
        Secret salt; ``None`` exports the data as stored (no pseudonymisation).
    fields : iterable of str, default=PERSONAL_FIELDS
        Customer columns to hash.
    folder : str or Path, optional
        Also write ``<table>.csv`` files there.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``customers`` (the full customer record, with the system fields), ``transactions``,
        ``interactions``, ``complaints``, ``preferences``.

    Raises
    ------
    ValueError
        If a name in ``fields`` is not a customer column, or the salt is too short.

    Examples
    --------
    >>> import pandas as pd
    >>> from crmlab.database import CustomerDatabase
    >>> db = CustomerDatabase()
    >>> db.import_frame("customers", pd.DataFrame(
    ...     {"customer_id": [1, 2], "customer_type": "individual", "name": ["Ann Lee", "Bo Wu"]}))
    2
    >>> tables = export_tables(db, salt="a-long-enough-secret")
    >>> sorted(tables)
    ['complaints', 'customers', 'interactions', 'preferences', 'transactions']
    >>> "customer_id" in tables["customers"], bool(tables["customers"]["name"].isin(["Ann Lee", "Bo Wu"]).any())
    (False, False)
    >>> export_tables(db)["customers"]["name"].tolist()
    ['Ann Lee', 'Bo Wu']
    """
    check_db(db, "export_tables")
    fields = list(fields)
    known = [f.name for f in TABLES["customers"]]
    unknown = [f for f in fields if f not in known]
    if unknown:
        raise ValueError(f"export_tables(): 'fields' has unknown customer column(s) {unknown}; choose from {known}.")
    out = {"customers": db.query("SELECT * FROM customer_record ORDER BY customer_id")}
    for name in ("transactions", "interactions", "complaints", "preferences"):
        out[name] = db.query(f"SELECT * FROM {name} ORDER BY {', '.join(PRIMARY_KEYS[name])}")
    if salt is not None:
        for col in fields:
            out["customers"][col] = pseudonymise(out["customers"][col], salt)
        for name, frame in out.items():
            key = pseudonymise(frame["customer_id"], salt)
            frame.insert(0, "customer_key", key)
            out[name] = frame.drop(columns="customer_id")
    if folder is not None:
        folder = Path(folder)
        if folder.exists() and not folder.is_dir():
            raise ValueError(f"export_tables(): 'folder' must be a folder; {str(folder)!r} is a file. Pass a new or "
                             "existing folder name.")
        folder.mkdir(parents=True, exist_ok=True)
        for name, frame in out.items():
            frame.to_csv(folder / f"{name}.csv", index=False)
    return out
