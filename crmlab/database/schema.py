"""The schema of the customer database: tables, rules, indexes and triggers.

Chapter 1. Every column is described once, by a :class:`Field`; the SQL DDL
(``CHECK`` constraints) and the pandas-side validation of an import are both
generated from the same descriptions, so the two can never disagree.

Tables
------
``customers``            one row per customer, individual (个人客户) or business (企业客户)
``product_categories``   the "system dictionary" (系统字典) of product categories
``transactions``         the transaction log (交易记录)
``interactions``         contacts with the customer (联系记录): visits, calls, e-mails
``complaints``           complaints (投诉)
``preferences``          one row per customer and preference item (客户偏好)
``customer_stats``       fields the system maintains itself (系统自动统计), kept by triggers
``contact_stats``        interaction count and last contact, kept by triggers (for follow-up reminders)
``purchase_lapses``      every customer's overdue intervals ("business falling" alerts), kept by triggers
``customer_record``      a view: the full customer record of the lecture, profile + system fields
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from crmlab.database import _lapses

__all__ = [
    "CUSTOMER_CATEGORIES",
    "CUSTOMER_TYPES",
    "INDEXES",
    "INDEX_TABLE",
    "INDUSTRY_POSITIONS",
    "INTERACTION_CHANNELS",
    "OWNERSHIP_TYPES",
    "PERSONAL_FIELDS",
    "PRIMARY_KEYS",
    "SCHEMA_VERSION",
    "SETTLEMENT_TERMS",
    "SOURCE_CHANNELS",
    "TABLES",
    "TRIGGERS",
    "Field",
    "schema_sql",
]

CUSTOMER_TYPES = ("individual", "business")
#: Customer category of lecture 003 (客户类别): potential / current / lost, end customer or agent.
CUSTOMER_CATEGORIES = (
    "potential end customer",
    "potential agent",
    "current end customer",
    "current agent",
    "lost end customer",
    "lost agent",
)
#: Lecture 003's system-dictionary values (系统字典) for source, settlement, position and ownership.
SOURCE_CHANNELS = ("web ad", "trade fair", "referral", "phone", "e-mail", "newspaper", "directory", "friend")
SETTLEMENT_TERMS = ("cash on delivery", "net 30 days", "pay on invoice", "net 60 days", "net 90 days")
INDUSTRY_POSITIONS = ("leader", "influential", "average", "no influence")
OWNERSHIP_TYPES = ("state-owned", "joint venture", "private", "partnership", "wholly foreign-owned")
INTERACTION_CHANNELS = ("visit", "phone", "email", "letter", "sms", "chat", "meeting", "web", "fax", "other")

#: Fields that identify a person; :func:`crmlab.database.export_tables` hashes them.
PERSONAL_FIELDS = ("name", "birth_date", "address", "postcode", "phone", "fax", "email", "website", "employer")


@dataclass(frozen=True)
class Field:
    """One column: its SQL type and the rules an imported value must obey.

    Parameters
    ----------
    name : str
        Column name.
    kind : {"int", "real", "text", "date", "bool"}
        Storage kind. Dates are ISO ``YYYY-MM-DD`` text; booleans are 0/1 integers.
    choices : tuple, optional
        Allowed values (an enumeration).
    minimum, maximum : float, optional
        Bounds; ``strict_min`` makes the lower bound exclusive.
    required : bool, default=False
        ``NOT NULL`` (and, for text, not empty).
    strict_min : bool, default=False
        Exclusive lower bound (``> minimum``).

    Examples
    --------
    >>> amount = Field("amount", "real", required=True, minimum=0.0)
    >>> amount.sql_type, [text for text, _ in amount.rules()]
    ('REAL', ['must be >= 0'])
    """

    name: str
    kind: str
    required: bool = field(default=False, kw_only=True)
    choices: tuple | None = None
    minimum: float | None = None
    maximum: float | None = None
    strict_min: bool = field(default=False, kw_only=True)

    @property
    def sql_type(self) -> str:
        """Return the STRICT-table type of the column."""
        return {"int": "INTEGER", "real": "REAL", "text": "TEXT", "date": "TEXT", "bool": "INTEGER"}[self.kind]

    def rules(self) -> list[tuple[str, str]]:
        """Return ``(rule text, SQL condition)`` pairs for this column (NULL passes every rule)."""
        n = self.name
        out = []
        if self.kind == "date":
            # the '+0 days' modifier makes SQLite normalise impossible days (2024-02-30 -> 2024-03-01)
            out.append(("must be a valid calendar date YYYY-MM-DD", f"{n} IS date({n}, '+0 days')"))
        if self.kind == "bool":
            out.append(("must be true/false (1/0)", f"{n} IN (0, 1)"))
        if self.kind == "text" and self.required:
            out.append(("must not be empty", f"length(trim({n})) > 0"))
        if self.choices is not None:
            # an OR chain, not IN (...): SQLite rebuilds an IN list for every row a CHECK tests
            listed = " OR ".join(f"{n} = {_sql_literal(c)}" for c in self.choices)
            out.append((f"must be one of {list(self.choices)}", listed))
        if self.minimum is not None:
            op = ">" if self.strict_min else ">="
            out.append((f"must be {op} {self.minimum:g}", f"{n} {op} {self.minimum!r}"))
        if self.maximum is not None:
            out.append((f"must be <= {self.maximum:g}", f"{n} <= {self.maximum!r}"))
        return out

    def ddl(self) -> str:
        """Return the column definition for ``CREATE TABLE``."""
        parts = [self.name, self.sql_type]
        if self.required:
            parts.append("NOT NULL")
        for _, cond in self.rules():
            # NOT NULL columns need no "IS NULL OR" escape (cheaper to evaluate on bulk loads)
            parts.append(f"CHECK ({cond})" if self.required else f"CHECK ({self.name} IS NULL OR ({cond}))")
        return " ".join(parts)


def _sql_literal(value: object) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return repr(value)


def _f(name: str, kind: str = "text", **kw: object) -> Field:
    return Field(name, kind, **kw)  # type: ignore[arg-type]


_POSITIVE = {"minimum": 0, "strict_min": True}

TABLES: dict[str, tuple[Field, ...]] = {
    "customers": (
        _f("customer_id", "int", required=True, **_POSITIVE),
        _f("customer_type", required=True, choices=CUSTOMER_TYPES),
        _f("name", required=True),
        # basic and contact data (both kinds of customer)
        _f("region"), _f("city"), _f("address"), _f("postcode"),
        _f("phone"), _f("fax"), _f("email"), _f("website"),
        _f("source_channel", choices=SOURCE_CHANNELS), _f("contact_channel"), _f("acquisition_date", "date"),
        _f("referred_by", "int", **_POSITIVE),
        _f("customer_category", choices=CUSTOMER_CATEGORIES),
        _f("credit_grade", "int", minimum=1, maximum=5),
        _f("contact_cycle_days", "int", **_POSITIVE),
        _f("purchase_cycle_days", "int", **_POSITIVE),
        _f("favourite_category"),
        # individual customers (个人客户)
        _f("gender"), _f("birth_date", "date"), _f("education"), _f("occupation"), _f("employer"),
        _f("income_band"), _f("household_size", "int", minimum=1),
        # business customers (企业客户)
        _f("ownership_type", choices=OWNERSHIP_TYPES), _f("industry"), _f("staff_count", "int", minimum=0),
        _f("scale_tier"), _f("years_in_business", "int", minimum=0),
        _f("industry_position", choices=INDUSTRY_POSITIONS), _f("settlement_terms", choices=SETTLEMENT_TERMS),
        _f("contact_person"),
    ),
    "product_categories": (_f("category", required=True), _f("description")),
    "transactions": (
        _f("transaction_id", "int", required=True, **_POSITIVE),
        _f("customer_id", "int", required=True, **_POSITIVE),
        _f("date", "date", required=True),
        _f("amount", "real", required=True, **_POSITIVE),
        _f("category"),
        _f("quantity", "int", **_POSITIVE),
        _f("discount", "bool"),
    ),
    "interactions": (
        _f("interaction_id", "int", required=True, **_POSITIVE),
        _f("customer_id", "int", required=True, **_POSITIVE),
        _f("date", "date", required=True),
        _f("channel", required=True, choices=INTERACTION_CHANNELS),
        _f("purpose"),
        _f("note"),
    ),
    "complaints": (
        _f("complaint_id", "int", required=True, **_POSITIVE),
        _f("customer_id", "int", required=True, **_POSITIVE),
        _f("date", "date", required=True),
        _f("category"),
        _f("channel"),
        _f("resolved", "bool"),
        _f("resolution_days", "int", minimum=0),
    ),
    "preferences": (
        _f("customer_id", "int", required=True, **_POSITIVE),
        _f("item", required=True),
        _f("value", required=True),
        _f("noted_on", "date"),
        _f("source"),
    ),
}

#: Primary key of each importable table (the key an import upserts by).
PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    "customers": ("customer_id",),
    "product_categories": ("category",),
    "transactions": ("transaction_id",),
    "interactions": ("interaction_id",),
    "complaints": ("complaint_id",),
    "preferences": ("customer_id", "item"),
}

_FOREIGN_KEYS: dict[str, str] = {
    "transactions": (
        "FOREIGN KEY (customer_id) REFERENCES customers (customer_id) ON DELETE CASCADE, "
        "FOREIGN KEY (category) REFERENCES product_categories (category)"
    ),
    "interactions": "FOREIGN KEY (customer_id) REFERENCES customers (customer_id) ON DELETE CASCADE",
    "complaints": "FOREIGN KEY (customer_id) REFERENCES customers (customer_id) ON DELETE CASCADE",
    "preferences": "FOREIGN KEY (customer_id) REFERENCES customers (customer_id) ON DELETE CASCADE",
}

#: Version of the schema, stored in the file (``PRAGMA user_version``); older files are upgraded on opening.
#: 1: the ``purchase_lapses`` table and the cycle indexes.
SCHEMA_VERSION = 1

#: Secondary indexes (name -> DDL). Bulk loads into an empty table drop and rebuild them.
INDEXES: dict[str, str] = {
    "idx_transactions_customer_date": "CREATE INDEX idx_transactions_customer_date "
    "ON transactions (customer_id, date, amount)",
    "idx_interactions_customer_date": "CREATE INDEX idx_interactions_customer_date "
    "ON interactions (customer_id, date)",
    "idx_complaints_customer": "CREATE INDEX idx_complaints_customer ON complaints (customer_id, date)",
    "idx_customers_phone": "CREATE INDEX idx_customers_phone ON customers (phone)",
    # the alerts bind one window start per cycle value: these make listing the values cheap
    "idx_customers_purchase_cycle": "CREATE INDEX idx_customers_purchase_cycle ON customers (purchase_cycle_days)",
    "idx_customers_contact_cycle": "CREATE INDEX idx_customers_contact_cycle ON customers (contact_cycle_days)",
}
INDEX_TABLE = {
    "idx_transactions_customer_date": "transactions",
    "idx_interactions_customer_date": "interactions",
    "idx_complaints_customer": "complaints",
    "idx_customers_phone": "customers",
    "idx_customers_purchase_cycle": "customers",
    "idx_customers_contact_cycle": "customers",
}

# The system-maintained fields (lecture 003: 交易次数, 交易金额, 首次交易, 最近交易) are recomputed
# from the log for every customer a write touches, so they can never drift from it.
_RECOMPUTE = """
    DELETE FROM customer_stats WHERE customer_id = {who}.customer_id;
    INSERT INTO customer_stats (customer_id, transaction_count, transaction_amount,
                                first_transaction, last_transaction)
    SELECT customer_id, COUNT(*), SUM(amount), MIN(date), MAX(date)
    FROM transactions WHERE customer_id = {who}.customer_id GROUP BY customer_id;
"""

_CONTACT_RECOMPUTE = """
    DELETE FROM contact_stats WHERE customer_id = {who}.customer_id;
    INSERT INTO contact_stats (customer_id, interaction_count, last_contact)
    SELECT customer_id, COUNT(*), MAX(date)
    FROM interactions WHERE customer_id = {who}.customer_id GROUP BY customer_id;
"""

def _lapse_refresh(who: str) -> str:
    return _lapses.refresh_sql(f"{{a}}.customer_id = {who}.customer_id")


def _log_triggers(table: str, body: Callable[[str], str]) -> dict[str, str]:
    return {
        f"trg_{table}_insert": f"CREATE TRIGGER trg_{table}_insert AFTER INSERT ON {table} BEGIN"
        + body("NEW") + "END",
        f"trg_{table}_delete": f"CREATE TRIGGER trg_{table}_delete AFTER DELETE ON {table} BEGIN"
        + body("OLD") + "END",
        f"trg_{table}_update": f"CREATE TRIGGER trg_{table}_update AFTER UPDATE ON {table} BEGIN"
        + body("OLD") + body("NEW") + "END",
    }


# A write to the log recomputes the customer's maintained fields, then their purchase lapses (which
# read the maintained last purchase); a change of a customer's cycle or acquisition date recomputes
# their lapses.
TRIGGERS: dict[str, str] = {
    **_log_triggers("transactions", lambda who: _RECOMPUTE.format(who=who) + _lapse_refresh(who)),
    **_log_triggers("interactions", lambda who: _CONTACT_RECOMPUTE.format(who=who)),
    "trg_customers_insert": "CREATE TRIGGER trg_customers_insert AFTER INSERT ON customers BEGIN\n"
    + _lapse_refresh("NEW") + "END",
    "trg_customers_update": "CREATE TRIGGER trg_customers_update "
    "AFTER UPDATE OF customer_id, purchase_cycle_days, acquisition_date ON customers BEGIN\n"
    + _lapse_refresh("OLD") + _lapse_refresh("NEW") + "END",
    "trg_customers_delete": "CREATE TRIGGER trg_customers_delete AFTER DELETE ON customers BEGIN "
    "DELETE FROM customer_stats WHERE customer_id = OLD.customer_id; "
    "DELETE FROM contact_stats WHERE customer_id = OLD.customer_id; "
    "DELETE FROM purchase_lapses WHERE customer_id = OLD.customer_id; END",
}

_STATS_DDL = """CREATE TABLE IF NOT EXISTS customer_stats (
    customer_id INTEGER PRIMARY KEY,
    transaction_count INTEGER NOT NULL CHECK (transaction_count > 0),
    transaction_amount REAL NOT NULL,
    first_transaction TEXT NOT NULL,
    last_transaction TEXT NOT NULL
) STRICT"""

_CONTACT_STATS_DDL = """CREATE TABLE IF NOT EXISTS contact_stats (
    customer_id INTEGER PRIMARY KEY,
    interaction_count INTEGER NOT NULL CHECK (interaction_count > 0),
    last_contact TEXT NOT NULL
) STRICT"""

_RECORD_VIEW = """CREATE VIEW IF NOT EXISTS customer_record AS
SELECT c.*,
       COALESCE(s.transaction_count, 0) AS transaction_count,
       COALESCE(s.transaction_amount, 0.0) AS transaction_amount,
       s.first_transaction AS first_transaction,
       s.last_transaction AS last_transaction,
       COALESCE(k.interaction_count, 0) AS interaction_count,
       k.last_contact AS last_contact
FROM customers AS c
LEFT JOIN customer_stats AS s ON s.customer_id = c.customer_id
LEFT JOIN contact_stats AS k ON k.customer_id = c.customer_id"""


def _table_ddl(table: str) -> str:
    cols = [f.ddl() for f in TABLES[table]]
    cols.append(f"PRIMARY KEY ({', '.join(PRIMARY_KEYS[table])})")
    if table in _FOREIGN_KEYS:
        cols.append(_FOREIGN_KEYS[table])
    body = ",\n    ".join(cols)
    return f"CREATE TABLE IF NOT EXISTS {table} (\n    {body}\n) STRICT"


def schema_sql() -> list[str]:
    """Return every ``CREATE`` statement of the schema, in execution order.

    Chapter 1. Print them to read the schema the way the database holds it.

    Returns
    -------
    list of str
        Tables, then indexes, triggers and the ``customer_record`` view.

    Examples
    --------
    >>> sql = schema_sql()
    >>> sql[0].splitlines()[0]
    'CREATE TABLE IF NOT EXISTS customers ('
    """
    out = [_table_ddl(t) for t in TABLES]
    out.append(_STATS_DDL)
    out.append(_CONTACT_STATS_DDL)
    out.append(_lapses.LAPSES_DDL)
    out.append(_lapses.LAPSES_INDEX)
    out += [ddl.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS") for ddl in INDEXES.values()]
    out += [ddl.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS") for ddl in TRIGGERS.values()]
    out.append(_RECORD_VIEW)
    return out
