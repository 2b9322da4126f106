"""Creating, upgrading and re-arming the schema inside a database file (plumbing of the writer)."""

from __future__ import annotations

import sqlite3

from crmlab.database import _lapses
from crmlab.database.schema import SCHEMA_VERSION, TRIGGERS, schema_sql

__all__ = ["create_schema", "create_triggers", "drop_triggers", "upgrade_schema"]


def create_schema(conn: sqlite3.Connection) -> None:
    """Create every table, index, trigger and view that does not exist yet (idempotent)."""
    for statement in schema_sql():
        conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def upgrade_schema(conn: sqlite3.Connection) -> None:
    """Bring a file written by an earlier crmlab to :data:`SCHEMA_VERSION` (inside the caller's transaction).

    The triggers are replaced by the current ones, missing tables and indexes are created, and the purchase
    lapses are computed from the log.
    """
    drop_triggers(conn)
    create_schema(conn)
    _lapses.refresh(conn, "1")


def drop_triggers(conn: sqlite3.Connection, names: tuple[str, ...] | None = None) -> None:
    """Drop triggers (all, or ``names``); only inside a bulk-load or upgrade transaction."""
    for name in names or tuple(TRIGGERS):
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")


def create_triggers(conn: sqlite3.Connection, table: str | None = None) -> None:
    """Re-create the triggers (on one ``table``, or all)."""
    for name, ddl in TRIGGERS.items():
        if table is not None and not name.startswith(f"trg_{table}_"):
            continue
        conn.execute(ddl.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS"))
