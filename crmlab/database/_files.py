"""What can be wrong with a database file, said in crmlab's words: the file, the problem, what to do.

SQLite reports a bad file with terse messages ("file is not a database", "database is locked").
:class:`DatabaseFileError` carries the file name and the way out instead. A truncated file is
caught on opening from the file's own header (page size and page count against the size on
disk), which costs one read of 100 bytes however large the file is.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

__all__ = ["DatabaseFileError", "check_header", "explain"]

_MAGIC = b"SQLite format 3\x00"


class DatabaseFileError(sqlite3.OperationalError):
    """A database file that cannot be used as asked: not a database, damaged, read-only, locked or too new.

    A subclass of :class:`sqlite3.OperationalError`, so code that catches SQLite's errors still does.

    Examples
    --------
    >>> import os
    >>> import sqlite3
    >>> import tempfile
    >>> from crmlab.database import CustomerDatabase, DatabaseFileError
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = os.path.join(tmp, "notes.db")
    ...     with open(path, "w") as fh:
    ...         _ = fh.write("not a database")
    ...     try:
    ...         CustomerDatabase(path)
    ...     except DatabaseFileError as error:
    ...         print(isinstance(error, sqlite3.OperationalError), "is not an SQLite database" in str(error))
    True True
    """


def check_header(path: str) -> None:
    """Refuse a file that is not an SQLite database, or is shorter than its header says (truncated)."""
    if path == ":memory:" or path.startswith("file:"):
        return
    file = Path(path)
    if not file.is_file():
        return  # a new database (or a path SQLite will refuse, see explain)
    size = file.stat().st_size
    if size == 0:
        return  # an empty file becomes a new database
    with file.open("rb") as handle:
        header = handle.read(100)
    if not header.startswith(_MAGIC[: len(header)]) or (len(header) >= 16 and header[:16] != _MAGIC):
        raise DatabaseFileError(
            f"CustomerDatabase(): {path!r} is not an SQLite database (its first bytes are not SQLite's header); "
            "pass the path of a database crmlab wrote, or a new file name to create one.")
    if len(header) < 100:
        raise _truncated(path, size, 100)
    if any(Path(f"{path}{tail}").exists() for tail in ("-journal", "-wal")):
        return  # an interrupted write SQLite will roll back or replay: the size may be mid-change
    page = int.from_bytes(header[16:18], "big")
    page = 65536 if page == 1 else page
    pages = int.from_bytes(header[28:32], "big")
    header_valid = header[24:28] == header[92:96] and pages > 0  # SQLite's rule for trusting the page count
    if page < 512 or size % page or (header_valid and size < pages * page):
        raise _truncated(path, size, pages * page if header_valid else None)


def _truncated(path: str, size: int, expected: int | None) -> DatabaseFileError:
    told = f"; its header says {expected:,} bytes" if expected else ""
    return DatabaseFileError(
        f"CustomerDatabase(): {path!r} is truncated or damaged ({size:,} bytes on disk{told}); restore it from a "
        "backup or copy it again (the sqlite3 shell's .recover command can save what is left).")


def explain(exc: sqlite3.Error, path: str, timeout: float, doing: str) -> sqlite3.Error:
    """Return the crmlab error for SQLite's ``exc`` met while ``doing`` something with the file ``path``.

    Errors that are not about the file (an SQL mistake, a broken rule) are returned unchanged.
    """
    text = str(exc).lower()
    where = f"CustomerDatabase(): {doing} {path!r} failed"
    if "locked" in text or "busy" in text:
        return DatabaseFileError(
            f"{where}: another connection kept the database locked for longer than the timeout ({timeout:g} s). "
            "Finish or close the other program or transaction, or open with a larger timeout=.")
    if "readonly" in text or "read-only" in text:
        return DatabaseFileError(
            f"{where}: the file is read-only. Write to a copy you may change, or fix the file's permissions; "
            "reading works as it is.")
    if "not a database" in text or "encrypted" in text:
        return DatabaseFileError(
            f"{where}: the file is not an SQLite database. Pass the path of a database crmlab wrote, or a new "
            "file name.")
    if "malformed" in text or "corrupt" in text or "disk i/o" in text:
        return DatabaseFileError(
            f"{where}: the file is damaged or truncated ({exc}). Restore it from a backup (the sqlite3 shell's "
            ".recover command can save what is left).")
    if "unable to open" in text:
        return DatabaseFileError(
            f"{where}: the file cannot be opened ({exc}). Check that its folder exists and that you may write "
            "there.")
    return exc
