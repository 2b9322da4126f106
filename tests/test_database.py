"""Tests for crmlab.database (chapter 1): schema, atomic import, derived fields, alerts, views, quality, export."""

from __future__ import annotations

import hashlib
import sqlite3

import numpy as np
import pandas as pd
import pytest

from crmlab.database import (
    CustomerDatabase,
    DatabaseFileError,
    birthday_reminders,
    contact_reminders,
    customer_360,
    data_quality_report,
    export_tables,
    lapse_history,
    preference_lookup,
    pseudonymise,
    purchase_alerts,
    schema_sql,
)

HOSTILE = [
    "O'Brien",
    "'); DROP TABLE customers;--",
    'Robert"); DELETE FROM transactions; --',
    "张伟 (Zhāng Wěi) 👍",
    "line\nbreak\ttab",
    "%_ LIKE wildcards \\ backslash",
]


@pytest.fixture(scope="module")
def world(database_world):
    return database_world


@pytest.fixture()
def db(world):
    database = CustomerDatabase()
    database.import_world(world)
    yield database
    database.close()


def customers_frame(n=3, **extra):
    frame = pd.DataFrame(
        {
            "customer_id": np.arange(1, n + 1),
            "customer_type": "individual",
            "name": [f"Customer {i}" for i in range(1, n + 1)],
        }
    )
    for key, value in extra.items():
        frame[key] = value
    return frame


def tx_frame(customer_ids, dates, amounts, start_id=1, category=None):
    frame = pd.DataFrame(
        {
            "transaction_id": np.arange(start_id, start_id + len(customer_ids)),
            "customer_id": customer_ids,
            "date": pd.to_datetime(dates),
            "amount": amounts,
        }
    )
    if category is not None:
        frame["category"] = category
    return frame


def file_hash(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def stats_from_log(db):
    """The system-maintained fields recomputed with pandas from the transaction log."""
    tx = db.table("transactions")
    expected = tx.groupby("customer_id").agg(
        transaction_count=("amount", "size"),
        transaction_amount=("amount", "sum"),
        first_transaction=("date", "min"),
        last_transaction=("date", "max"),
    )
    record = db.customer_record().set_index("customer_id")
    got = record[record["transaction_count"] > 0][list(expected.columns)]
    return expected.sort_index(), got.sort_index(), record


def assert_stats_match(db):
    expected, got, record = stats_from_log(db)
    assert list(got.index) == list(expected.index)
    np.testing.assert_array_equal(got["transaction_count"].to_numpy(), expected["transaction_count"].to_numpy())
    np.testing.assert_allclose(got["transaction_amount"].to_numpy(), expected["transaction_amount"].to_numpy(),
                               rtol=1e-12)
    assert (got["first_transaction"] == expected["first_transaction"]).all()
    assert (got["last_transaction"] == expected["last_transaction"]).all()
    # customers without transactions show zero / missing
    none = record[~record.index.isin(expected.index)]
    assert (none["transaction_count"] == 0).all() and none["last_transaction"].isna().all()
    assert_lapses_match(db)


OPEN_END = (pd.Timestamp("9999-12-31") - pd.Timestamp("1970-01-01")).days


def pandas_lapses(customers, transactions):
    """Every customer's overdue intervals, customer by customer in plain Python (the reference rule)."""
    rows = []
    days = {}
    for cid, date in zip(transactions["customer_id"], transactions["date"], strict=True):
        days.setdefault(int(cid), set()).add((pd.Timestamp(date) - pd.Timestamp("1970-01-01")).days)
    for cid, cycle, acquired in zip(customers["customer_id"], customers["purchase_cycle_days"],
                                    customers["acquisition_date"], strict=True):
        if pd.isna(cycle):
            continue
        bought = sorted(days.get(int(cid), ()))
        acq = None if pd.isna(acquired) else (pd.Timestamp(acquired) - pd.Timestamp("1970-01-01")).days
        # (day measured from, last purchase): the acquisition, then each purchase; the lapse after each
        # one ends the day before the next purchase, or stays open
        bases = [(acq, None), *((d, d) for d in bought)]
        ends = [*(d - 1 for d in bought), OPEN_END]
        for (base, last_purchase), end in zip(bases, ends, strict=True):
            if base is not None and base + int(cycle) + 1 <= end:
                rows.append((end, int(cid), base + int(cycle) + 1, last_purchase))
    return sorted(rows)


def assert_lapses_match(db):
    got = sorted(tuple(None if pd.isna(v) else int(v) for v in row)
                 for row in db.table("purchase_lapses")[["lapse_until", "customer_id", "lapse_from",
                                                        "last_purchase"]].itertuples(index=False))
    assert got == pandas_lapses(db.table("customers"), db.table("transactions"))


# ---------------------------------------------------------------- schema
def test_schema_has_keys_checks_indexes_triggers_and_view():
    db = CustomerDatabase()
    conn = db.connection
    names = {r[0]: r[1] for r in conn.execute("SELECT name, type FROM sqlite_master")}
    for table in ["customers", "transactions", "interactions", "complaints", "preferences", "product_categories",
                  "customer_stats"]:
        assert names[table] == "table"
    assert names["customer_record"] == "view"
    assert names["idx_transactions_customer_date"] == "index"
    assert {"trg_transactions_insert", "trg_transactions_update", "trg_transactions_delete"} <= set(names)
    fks = conn.execute("PRAGMA foreign_key_list(transactions)").fetchall()
    assert {(r[2], r[3]) for r in fks} == {("customers", "customer_id"), ("product_categories", "category")}
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    ddl = "\n".join(schema_sql())
    assert "amount REAL NOT NULL CHECK (amount > 0)" in ddl
    assert "CHECK (credit_grade IS NULL OR (credit_grade >= 1))" in ddl


@pytest.mark.parametrize(
    ("sql", "params"),
    [
        ("INSERT INTO transactions (transaction_id, customer_id, date, amount) VALUES (?, ?, ?, ?)",
         (1, 1, "2024-01-01", -5.0)),
        ("INSERT INTO transactions (transaction_id, customer_id, date, amount) VALUES (?, ?, ?, ?)",
         (1, 1, "2024-02-30", 5.0)),
        ("INSERT INTO transactions (transaction_id, customer_id, date, amount) VALUES (?, ?, ?, ?)",
         (1, 99, "2024-01-01", 5.0)),
        ("UPDATE customers SET credit_grade = ? WHERE customer_id = 1", (6,)),
        ("UPDATE customers SET customer_category = ? WHERE customer_id = 1", ("vip",)),
        ("UPDATE customers SET source_channel = ? WHERE customer_id = 1", ("tv",)),
        ("INSERT INTO customers (customer_id, customer_type, name) VALUES (?, ?, ?)", (2, "robot", "X")),
    ],
)
def test_database_itself_enforces_rules(sql, params):
    db = CustomerDatabase()
    db.import_frame("customers", customers_frame(1))
    with pytest.raises(sqlite3.IntegrityError):
        db.execute(sql, params)


# ---------------------------------------------------------------- import
def test_import_world_counts_and_values(world, db):
    counts = db.counts()
    assert counts["customers"] == len(world.customers)
    assert counts["transactions"] == len(world.transactions)
    assert counts["complaints"] == len(world.complaints)
    assert counts["product_categories"] == world.transactions["category"].nunique()
    stored = db.table("customers").set_index("customer_id")
    src = world.customers.set_index("customer_id")
    assert (stored["email"] == src["email"]).all()
    assert (stored["birth_date"] == src["birth_date"]).all()
    tx = db.table("transactions").set_index("transaction_id")
    wt = world.transactions.set_index("transaction_id")
    np.testing.assert_array_equal(tx["amount"].to_numpy(), wt["amount"].to_numpy())
    assert (tx["date"] == wt["date"]).all()
    prefs = db.table("preferences")
    n_pref_cols = sum(c.startswith("preferred_") for c in world.customers.columns)
    assert len(prefs) == world.customers[[c for c in world.customers.columns
                                          if c.startswith("preferred_")]].notna().sum().sum()
    assert n_pref_cols > 0


def test_import_b2b_world(b2b_world):
    world = b2b_world
    db = CustomerDatabase()
    db.import_world(world)
    record = db.customer_record()
    assert (record["customer_type"] == "business").all()
    assert (record["name"].to_numpy() == world.customers["company_name"].to_numpy()).all()
    assert record["credit_grade"].between(1, 5).all()


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        ({"amount": -1.0}, r"row 7 \(transaction_id=\d+\) of 'transactions', field 'amount'.*amount must be > 0"),
        ({"date": "2024-02-30"}, r"row 7 .*field 'date'.*valid calendar date"),
        ({"customer_id": 99999}, r"row 7 .*field 'customer_id'.*id of a customer already in the database"),
        ({"category": "no-such-category"}, r"row 7 .*field 'category'.*registered product category"),
        ({"transaction_id": 900_001}, r"row 7 .*field 'transaction_id'.*unique within the batch"),
        ({"amount": np.nan}, r"row 7 .*field 'amount'.*required"),
    ],
)
def test_failed_import_leaves_file_byte_for_byte_unchanged(tmp_path, world, bad, match):
    path = tmp_path / "crm.sqlite"
    db = CustomerDatabase(path)
    db.import_world(world)
    before = file_hash(path)
    counts = db.counts()
    new_customers = customers_frame(3).assign(customer_id=[10_001, 10_002, 10_003])
    batch = tx_frame([10_001] * 10, ["2025-01-05"] * 10, [9.5] * 10, start_id=900_001,
                     category=world.transactions["category"].iloc[0])
    batch["date"] = batch["date"].dt.strftime("%Y-%m-%d")
    for col, value in bad.items():
        batch[col] = batch[col].astype(object)
        batch.loc[7, col] = value
    # customers are written first inside the same transaction, so the rollback is really exercised
    with pytest.raises(ValueError, match=match):
        db.import_tables({"customers": new_customers, "transactions": batch})
    assert db.counts() == counts
    assert file_hash(path) == before
    db.close()
    assert file_hash(path) == before


def test_failed_bulk_import_rolls_back(tmp_path):
    path = tmp_path / "bulk.sqlite"
    db = CustomerDatabase(path)
    db.import_frame("customers", customers_frame(50))
    before = file_hash(path)
    n = 30_000  # above the bulk threshold: triggers/indexes are dropped inside the transaction
    rng = np.random.default_rng(0)
    batch = tx_frame(rng.integers(1, 51, n), ["2024-03-01"] * n, rng.uniform(1, 9, n))
    batch.loc[n - 1, "customer_id"] = 51
    with pytest.raises(ValueError, match=rf"row {n - 1} .*'customer_id'"):
        db.import_frame("transactions", batch)
    assert file_hash(path) == before
    names = {r[0] for r in db.connection.execute("SELECT name FROM sqlite_master")}
    assert {"trg_transactions_insert", "idx_transactions_customer_date"} <= names
    assert db.connection.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_bulk_load_into_empty_log_keeps_rules_and_derived_fields(tmp_path):
    # a batch above the bulk threshold into an empty log: multi-row inserts, CHECKs evaluated by the
    # batch validation instead of row by row, indexes and derived fields rebuilt set-wise
    db = CustomerDatabase(tmp_path / "bulk.sqlite")
    db.import_frame("customers", customers_frame(300, acquisition_date=["2023-01-01"] * 300,
                                                 purchase_cycle_days=[30] * 300))
    rng = np.random.default_rng(3)
    n = 40_001  # not a multiple of the rows per statement: the last partial statement is exercised
    batch = tx_frame(rng.integers(1, 301, n), pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 700, n),
                     unit="D"), np.round(rng.uniform(0.01, 99, n), 2))
    batch["discount"] = rng.random(n) < 0.3
    batch.loc[5, "amount"] = np.nan  # a required value missing: the whole batch is refused
    with pytest.raises(ValueError, match=r"row 5 .*'amount'.*required"):
        db.import_frame("transactions", batch)
    assert db.counts()["transactions"] == 0
    assert db.connection.execute("PRAGMA ignore_check_constraints").fetchone()[0] == 0
    batch.loc[5, "amount"] = 1.5
    assert db.import_frame("transactions", batch) == n
    assert db.connection.execute("PRAGMA ignore_check_constraints").fetchone()[0] == 0
    stored = db.table("transactions")
    assert stored["amount"].tolist() == batch["amount"].tolist()
    assert (stored["date"] == batch["date"]).all()
    assert stored["discount"].tolist() == batch["discount"].astype(int).tolist()
    assert_stats_match(db)
    # the database still refuses bad rows written outside an import
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO transactions (transaction_id, customer_id, date, amount) VALUES (?, ?, ?, ?)",
                   (n + 1, 1, "2024-02-30", 5.0))
    names = {r[0] for r in db.connection.execute("SELECT name FROM sqlite_master")}
    assert {"trg_transactions_insert", "idx_transactions_customer_date"} <= names


def test_reimport_upserts_by_id_and_keeps_other_columns():
    db = CustomerDatabase()
    first = customers_frame(3, city=["Chengdu", "Xi'an", "Wuhan"], email=["a@x.cn", "b@x.cn", "c@x.cn"])
    assert db.import_frame("customers", first) == 3
    again = first[["customer_id", "customer_type", "name"]].assign(name=["A", "B", "C"])
    db.import_frame("customers", again)
    stored = db.table("customers")
    assert len(stored) == 3
    assert stored["name"].tolist() == ["A", "B", "C"]
    assert stored["city"].tolist() == ["Chengdu", "Xi'an", "Wuhan"]
    assert stored["email"].tolist() == ["a@x.cn", "b@x.cn", "c@x.cn"]


def test_hostile_strings_round_trip_verbatim(tmp_path):
    db = CustomerDatabase(tmp_path / "h.sqlite")
    frame = customers_frame(len(HOSTILE)).assign(name=HOSTILE, address=HOSTILE[::-1])
    db.import_frame("customers", frame)
    db.import_frame("preferences", pd.DataFrame({"customer_id": frame["customer_id"], "item": HOSTILE,
                                                 "value": HOSTILE}))
    stored = db.table("customers")
    assert stored["name"].tolist() == HOSTILE
    assert stored["address"].tolist() == HOSTILE[::-1]
    assert db.table("preferences")["value"].tolist() == HOSTILE
    assert db.counts()["customers"] == len(HOSTILE)  # the table is still there
    looked_up = preference_lookup(db, name=HOSTILE[1])
    assert looked_up["value"].tolist() == [HOSTILE[1]]
    # CSV round trip too
    csv = tmp_path / "c.csv"
    frame.assign(customer_id=frame["customer_id"] + 100).to_csv(csv, index=False)
    db.import_csv(csv, "customers")
    assert db.table("customers")["name"].tolist() == HOSTILE * 2


def test_import_csv_reports_row_field_rule(tmp_path):
    db = CustomerDatabase()
    path = tmp_path / "bad.csv"
    customers_frame(3, credit_grade=["5", "2", "x"]).to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"row 2 .*field 'credit_grade'.*number"):
        db.import_csv(path, "customers")
    assert db.counts()["customers"] == 0


@pytest.mark.parametrize(
    ("frame", "exc", "match"),
    [
        (customers_frame(2).assign(loyalty=1), ValueError, r"no column\(s\) \['loyalty'\]"),
        (customers_frame(2).drop(columns="name"), ValueError, r"no column\(s\) \['name'\].*required"),
        (customers_frame(2).assign(customer_type="robot"), ValueError, r"customer_type must be one of"),
        (customers_frame(2).assign(name=["ok", "  "]), ValueError, r"row 1 .*must not be empty"),
        (customers_frame(2).assign(credit_grade=[1, 7]), ValueError, r"row 1 .*credit_grade must be <= 5"),
        (customers_frame(2).assign(birth_date=["1990-01-01 10:30", None]), ValueError, r"without a time"),
        ([1, 2], TypeError, r"must be a pandas DataFrame"),
    ],
)
def test_import_errors_name_the_problem(frame, exc, match):
    db = CustomerDatabase()
    with pytest.raises(exc, match=match):
        db.import_frame("customers", frame)
    assert db.counts()["customers"] == 0


def test_import_unknown_table():
    with pytest.raises(ValueError, match=r"'table' must be one of"):
        CustomerDatabase().import_frame("orders", customers_frame(1))


# ---------------------------------------------------------------- derived fields
def test_derived_fields_equal_pandas_after_inserts_updates_deletes(world, db):
    assert_stats_match(db)
    tx = db.table("transactions")
    cat = tx["category"].iloc[0]
    # inserts (small batch, triggers)
    new = tx_frame([1, 2, 2, 3], ["2025-01-03", "2025-01-04", "2022-12-01", "2025-02-01"], [5.0, 6.0, 7.0, 8.0],
                   start_id=int(tx["transaction_id"].max()) + 1, category=cat)
    db.import_frame("transactions", new)
    assert_stats_match(db)
    # updates by upsert: change amount, move a transaction to another customer, change a date
    upd = tx.iloc[[0, 1, 2]][["transaction_id", "customer_id", "date", "amount"]].copy()
    upd["amount"] = [1.25, 2.5, 3.75]
    upd.loc[upd.index[1], "customer_id"] = 5
    upd.loc[upd.index[2], "date"] = pd.Timestamp("2020-06-01")
    db.import_frame("transactions", upd)
    assert_stats_match(db)
    # raw SQL update and delete
    db.execute("UPDATE transactions SET amount = amount * 2 WHERE customer_id = ?", (7,))
    pair = tuple(int(i) for i in tx["transaction_id"][5:7])
    db.execute("DELETE FROM transactions WHERE transaction_id IN (?, ?)", pair)
    assert db.delete("transactions", tx["transaction_id"].iloc[10:20]) == 10  # not the rows triggers changed
    assert_stats_match(db)
    # delete every transaction of one customer, and delete a customer (cascade)
    victim = int(tx["customer_id"].iloc[30])
    db.execute("DELETE FROM transactions WHERE customer_id = ?", (victim,))
    db.delete("customers", [int(tx["customer_id"].iloc[40])])
    assert_stats_match(db)
    assert int(db.customer_record([victim])["transaction_count"].iloc[0]) == 0


def test_derived_fields_after_bulk_upsert_into_non_empty_log(world, db):
    tx = db.table("transactions")
    rng = np.random.default_rng(5)
    n = 25_000
    ids = rng.integers(1, len(world.customers) + 1, n)
    bulk = tx_frame(ids, pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D"),
                    np.round(rng.uniform(1, 99, n), 2), start_id=int(tx["transaction_id"].max()) - 99)
    bulk["category"] = tx["category"].iloc[0]  # the first 100 ids already exist: they are updated
    db.import_frame("transactions", bulk)
    assert db.counts()["transactions"] == len(tx) + n - 100
    assert_stats_match(db)
    names = {r[0] for r in db.connection.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert "trg_transactions_update" in names


# ---------------------------------------------------------------- alerts
def pandas_purchase_alerts(customers, transactions, as_of):
    as_of = pd.Timestamp(as_of)
    c = customers.set_index("customer_id")
    c = c[c["purchase_cycle_days"].notna() & (c["acquisition_date"] <= as_of)]
    last = transactions[transactions["date"] <= as_of].groupby("customer_id")["date"].max()
    since = last.reindex(c.index).fillna(c["acquisition_date"])
    days = (as_of - since).dt.days
    flagged = days[days > c["purchase_cycle_days"]]
    return flagged.sort_index()


@pytest.mark.parametrize("as_of", ["2023-06-30", "2024-03-15", "2024-12-31", "2026-01-01"])
def test_purchase_alerts_agree_with_pandas(world, db, as_of):
    got = purchase_alerts(db, as_of).set_index("customer_id").sort_index()
    expected = pandas_purchase_alerts(world.customers, world.transactions, as_of)
    assert list(got.index) == list(expected.index)
    np.testing.assert_array_equal(got["days_since"].to_numpy(), expected.to_numpy())
    assert (got["days_overdue"] > 0).all()
    ordered = purchase_alerts(db, as_of)["days_overdue"].to_numpy()
    assert (np.diff(ordered) <= 0).all()


def test_contact_reminders_agree_with_pandas(world, db):
    rng = np.random.default_rng(2)
    n = 900
    inter = pd.DataFrame({
        "interaction_id": np.arange(1, n + 1),
        "customer_id": rng.integers(1, len(world.customers) + 1, n),
        "date": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 730, n), unit="D"),
        "channel": rng.choice(["phone", "email", "visit"], n),
    })
    db.import_frame("interactions", inter)
    record = db.customer_record().set_index("customer_id")
    expected_last = inter.groupby("customer_id")["date"].max()
    assert (record.loc[expected_last.index, "last_contact"] == expected_last).all()
    assert (record.loc[expected_last.index, "interaction_count"] == inter.groupby("customer_id").size()).all()
    c = world.customers.set_index("customer_id")
    for as_of in ["2023-09-01", "2024-12-31"]:
        day = pd.Timestamp(as_of)
        cc = c[c["acquisition_date"] <= day]
        last = inter[inter["date"] <= day].groupby("customer_id")["date"].max().reindex(cc.index)
        last_buy = world.transactions[world.transactions["date"] <= day].groupby("customer_id")["date"].max()
        for count_purchases in (False, True):
            since = last
            if count_purchases:
                since = pd.concat([last, last_buy.reindex(cc.index)], axis=1).max(axis=1)
            since = since.fillna(cc["acquisition_date"])
            days = (day - since).dt.days
            expected = days[days > cc["contact_cycle_days"]].sort_index()
            got = contact_reminders(db, as_of, count_purchases=count_purchases).set_index("customer_id").sort_index()
            assert list(got.index) == list(expected.index)
            np.testing.assert_array_equal(got["days_since"].to_numpy(), expected.to_numpy())


def _pandas_due(cycle, acquired, events, as_of):
    """Reference rule: days since the latest event on or before as_of (else acquisition) exceed the cycle."""
    day = pd.Timestamp(as_of)
    keep = cycle.notna() & (acquired.isna() | (acquired <= day))
    last = [e[e["date"] <= day].groupby("customer_id")["date"].max().reindex(cycle.index) for e in events]
    since = pd.concat(last, axis=1).max(axis=1).fillna(acquired)
    days = (day - since).dt.days
    return days[keep & (days > cycle)].sort_index()


@pytest.mark.parametrize("seed", [0, 1])
def test_alerts_agree_with_pandas_on_window_edges_and_many_cycles(seed):
    # 600 customers, 70 distinct cycles (more than the bound window starts: the rest use SQLite's date()),
    # a few huge cycles, missing acquisition dates, and events placed exactly on window edges.
    rng = np.random.default_rng(seed)
    n = 600
    as_of_days = [pd.Timestamp("2024-03-31"), pd.Timestamp("2024-09-30")]
    cycles = rng.choice(np.r_[np.arange(1, 71), [5_000, 10**9]], n).astype(float)
    cycles[rng.random(n) < 0.05] = np.nan
    acquired = pd.Series(pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 600, n), unit="D"))
    acquired[rng.random(n) < 0.05] = pd.NaT
    contact_cycles = rng.choice(np.arange(1, 71), n)
    customers = customers_frame(n, purchase_cycle_days=pd.array(cycles, dtype="Int64"),
                                acquisition_date=acquired.to_numpy(), contact_cycle_days=contact_cycles)
    owners = rng.integers(1, n + 1, 4000)
    dates = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 730, 4000), unit="D")
    edge = rng.random(4000) < 0.3  # on the first day of the window, one day before it, or on as_of itself
    anchor = np.where(rng.random(4000) < 0.5, *as_of_days)
    back = np.where(np.isnan(cycles[owners - 1]), 0, np.minimum(cycles[owners - 1], 700)).astype(int)
    shift = rng.choice([0, 1, -1], 4000) + np.where(rng.random(4000) < 0.5, back, 0)
    dates = np.where(edge, pd.DatetimeIndex(anchor) - pd.to_timedelta(shift, unit="D"), dates)
    tx = tx_frame(owners, dates, np.full(4000, 9.5))
    contacts = pd.DataFrame({"interaction_id": np.arange(1, 1501), "customer_id": rng.integers(1, n + 1, 1500),
                             "date": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 730, 1500), unit="D"),
                             "channel": "phone"})
    db = CustomerDatabase()
    db.import_tables({"customers": customers, "transactions": tx, "interactions": contacts})
    c = customers.set_index("customer_id")
    acq = pd.to_datetime(c["acquisition_date"])
    for as_of in [*as_of_days, pd.Timestamp("2022-06-01"), pd.Timestamp("2030-01-01")]:
        got = purchase_alerts(db, as_of).set_index("customer_id").sort_index()
        expected = _pandas_due(c["purchase_cycle_days"].astype(float), acq, [tx], as_of)
        assert list(got.index) == list(expected.index), as_of
        np.testing.assert_array_equal(got["days_since"].to_numpy(), expected.to_numpy())
        for count_purchases in (False, True):
            got = contact_reminders(db, as_of, count_purchases=count_purchases).set_index("customer_id").sort_index()
            events = [contacts, tx] if count_purchases else [contacts]
            expected = _pandas_due(c["contact_cycle_days"].astype(float), acq, events, as_of)
            assert list(got.index) == list(expected.index), (as_of, count_purchases)
            np.testing.assert_array_equal(got["days_since"].to_numpy(), expected.to_numpy())


def test_alerts_replay_hand_case():
    # as of 2024-03-01: Ann bought on 01-10 and 04-01 (after as-of: the log is searched), Bo never bought,
    # Cy bought on 01-20 (inside his 60-day cycle), Di was acquired after as-of (not assessed)
    db = CustomerDatabase()
    db.import_frame("customers", customers_frame(
        4, acquisition_date=["2023-12-01", "2023-12-15", "2023-12-01", "2024-05-01"],
        purchase_cycle_days=[30, 30, 60, 30], contact_cycle_days=[20, 20, 20, 20]))
    db.import_frame("transactions", tx_frame([1, 1, 3], ["2024-01-10", "2024-04-01", "2024-01-20"],
                                             [5.0, 6.0, 7.0]))
    db.import_frame("interactions", pd.DataFrame({"interaction_id": [1, 2], "customer_id": [2, 2],
                                                  "date": pd.to_datetime(["2024-02-01", "2024-02-25"]),
                                                  "channel": ["phone", "visit"]}))
    got = purchase_alerts(db, "2024-03-01")
    assert got["customer_id"].tolist() == [2, 1]
    assert got["basis"].tolist() == ["acquisition date", "last purchase"]
    assert got["days_since"].tolist() == [77, 51]
    assert got["last_purchase"].iloc[1] == pd.Timestamp("2024-01-10") and pd.isna(got["last_purchase"].iloc[0])
    due = contact_reminders(db, "2024-02-10")  # Bo's contact of 02-25 is after as-of: replayed from the log
    assert due["customer_id"].tolist() == [1, 3]
    assert due["basis"].tolist() == ["acquisition date"] * 2
    due_any = contact_reminders(db, "2024-02-10", count_purchases=True)
    assert due_any["customer_id"].tolist() == [1, 3]
    assert due_any["basis"].tolist() == ["last purchase"] * 2
    assert due_any["days_since"].tolist() == [31, 21]


def test_alert_arguments_are_checked(db):
    with pytest.raises(ValueError, match=r"'as_of' must be a date"):
        purchase_alerts(db, "not a date")
    with pytest.raises(TypeError, match=r"'as_of' must be a date"):
        purchase_alerts(db, 20240101)
    with pytest.raises(TypeError, match=r"count_purchases"):
        contact_reminders(db, "2024-01-01", count_purchases="yes")


def test_birthday_reminders_hand_case():
    db = CustomerDatabase()
    db.import_frame("customers", customers_frame(
        4, birth_date=["1990-03-04", "1984-02-29", "1970-12-30", "2000-06-01"]))
    got = birthday_reminders(db, "2023-02-26", within_days=7)
    assert got["customer_id"].tolist() == [2, 1]  # 29 Feb celebrated on 28 Feb in 2023
    assert got["days_until"].tolist() == [2, 6]
    assert got["age_then"].tolist() == [39, 33]
    year_end = birthday_reminders(db, "2023-12-28", within_days=3)
    assert year_end["customer_id"].tolist() == [3]
    with pytest.raises(ValueError, match=r"'within_days' must be an integer >= 0"):
        birthday_reminders(db, "2023-12-28", within_days=-1)


# ---------------------------------------------------------------- views
@pytest.fixture()
def hotel():
    db = CustomerDatabase()
    guests = customers_frame(2, name=["Mr Chan", "Ms Lee"], birth_date=["1950-05-01", "1980-01-01"])
    db.import_frame("customers", guests)
    db.add_categories(["suite", "deluxe room"])
    stays = tx_frame([1, 1, 1, 2], ["1990-05-02", "1990-11-20", "2000-03-01", "1999-01-01"],
                     [3000.0, 3200.0, 9900.0, 1500.0], category=["suite", "suite", "deluxe room", "suite"])
    db.import_frame("transactions", stays)
    db.import_frame("preferences", pd.DataFrame({
        "customer_id": [1, 1, 1], "item": ["drink", "room temperature", "room side"],
        "value": ["carrot juice", "22 C", "sunny side"], "noted_on": ["1990-05-02", "1990-11-20", "1990-11-20"]}))
    db.import_frame("complaints", pd.DataFrame({"complaint_id": [1], "customer_id": [1], "date": ["1999-06-01"],
                                                "resolved": [False]}))
    return db


def test_preference_lookup_carrot_juice(hotel):
    got = preference_lookup(hotel, name="MR CHAN", item="drink")
    assert got[["item", "value"]].values.tolist() == [["drink", "carrot juice"]]
    assert got["times_served"].tolist() == [3]
    assert got["last_served"].tolist() == [pd.Timestamp("2000-03-01")]
    assert len(preference_lookup(hotel, customer_id=1)) == 3
    assert preference_lookup(hotel, customer_id=2).empty
    with pytest.raises(ValueError, match="exactly one"):
        preference_lookup(hotel)


def test_customer_360_as_of(hotel):
    view = customer_360(hotel, 1, as_of="1999-12-31")
    assert view.summary["transactions"] == 2
    assert view.summary["amount"] == 6200.0
    assert view.summary["last_purchase"] == pd.Timestamp("1990-11-20")
    assert view.summary["unresolved_complaints"] == 1
    assert view.categories.loc["suite", "share"] == 1.0
    full = customer_360(hotel, 1)
    assert full.summary["transactions"] == 3
    assert full.profile["transaction_count"] == 3
    assert list(full.recent_transactions["date"]) == sorted(full.recent_transactions["date"], reverse=True)
    assert set(full.preferences["item"]) == {"drink", "room temperature", "room side"}
    with pytest.raises(ValueError, match="no customer with customer_id=9"):
        customer_360(hotel, 9)


# ---------------------------------------------------------------- quality
def test_quality_report_counts_and_examples():
    db = CustomerDatabase()
    frame = pd.DataFrame({
        "customer_id": [1, 2, 3, 4, 5, 6],
        "customer_type": "individual",
        "name": ["Li Wei", "Wei Li", "Zhang San", "Wang Fang", "Wang Fan", "Chen Jie"],
        "phone": ["+86 138-0013-8000", "13800138000", "12", None, "+86 139 0000 0001", "+86 13900000001"],
        "email": ["li@example.com", "li@example", "zhang@@x.cn", "w@x.cn", None, "c@x.cn"],
        "address": ["1 Main St", "1 main st.", None, "5 River Rd", "5 River Road", "9 Hill St"],
    })
    db.import_frame("customers", frame)
    report = data_quality_report(db)
    counts = report.summary.set_index(["check", "field"])["count"]
    assert counts[("missing value", "phone")] == 1
    assert counts[("missing value", "email")] == 1
    assert counts[("missing value", "address")] == 1
    assert counts[("invalid value", "email")] == 2
    assert counts[("invalid value", "phone")] == 1
    assert counts[("duplicate: same phone", "phone")] == 1  # 5 and 6 (1 and 2 differ by country code)
    assert counts[("duplicate: similar name, same address", "address")] == 1  # 1 and 2 (Wang Fan/Fang: address differs)
    examples = report.summary.set_index(["check", "field"])["examples"]
    assert examples[("invalid value", "email")] == [2, 3]
    pairs = report.duplicates[["customer_id_a", "customer_id_b", "reason"]].values.tolist()
    assert pairs == [[1, 2, "similar name, same address"], [5, 6, "same phone"]]
    assert report.invalid["value"].tolist() == ["li@example", "zhang@@x.cn", "12"]
    with pytest.raises(ValueError, match="unknown column"):
        data_quality_report(db, required=["shoe_size"])


# ---------------------------------------------------------------- export
def test_export_pseudonymises_and_keeps_joins(tmp_path, world, db):
    plain = export_tables(db)
    shared = export_tables(db, salt="winter-term-2024", folder=tmp_path)
    names = set(world.customers["name"])
    assert not names & set(shared["customers"]["name"])
    assert not set(world.customers["email"]) & set(shared["customers"]["email"])
    assert "customer_id" not in shared["transactions"].columns
    # the same customer gets the same key in every table; revenue per key equals revenue per id
    rev_key = shared["transactions"].groupby("customer_key")["amount"].sum()
    rev_id = plain["transactions"].groupby("customer_id")["amount"].sum()
    assert sorted(np.round(rev_key.to_numpy(), 6)) == sorted(np.round(rev_id.to_numpy(), 6))
    assert set(shared["transactions"]["customer_key"]) <= set(shared["customers"]["customer_key"])
    assert (tmp_path / "customers.csv").exists()
    again = export_tables(db, salt="winter-term-2024")
    assert again["customers"]["name"].equals(shared["customers"]["name"])
    other = export_tables(db, salt="another-salt-99")
    assert not (other["customers"]["name"] == shared["customers"]["name"]).any()
    assert shared["customers"]["city"].equals(plain["customers"]["city"])  # non-personal fields untouched


def test_pseudonymise_checks_salt():
    with pytest.raises(ValueError, match="at least 8"):
        pseudonymise(pd.Series(["a"]), salt="short")
    with pytest.raises(TypeError, match="must be a string"):
        pseudonymise(pd.Series(["a"]), salt=12345678)
    out = pseudonymise(pd.Series(["a", None]), salt="12345678")
    assert out.iloc[1] is None


def test_a_file_of_schema_version_0_is_upgraded_on_opening(tmp_path, world):
    path = tmp_path / "old.sqlite"
    with CustomerDatabase(path) as db:
        db.import_world(world)
        expected = purchase_alerts(db, "2024-06-30")
        # what an earlier crmlab wrote: no lapses, no cycle indexes, version 0
        for name in ("trg_customers_insert", "trg_customers_update"):
            db.execute(f"DROP TRIGGER {name}")
        for name in ("idx_customers_purchase_cycle", "idx_customers_contact_cycle"):
            db.execute(f"DROP INDEX {name}")
        db.execute("DROP TABLE purchase_lapses")
        db.execute("PRAGMA user_version = 0")
    with CustomerDatabase(path) as db:
        assert db.connection.execute("PRAGMA user_version").fetchone()[0] == 1
        names = {r[0] for r in db.connection.execute("SELECT name FROM sqlite_master")}
        assert {"idx_customers_purchase_cycle", "trg_customers_update", "purchase_lapses"} <= names
        assert_stats_match(db)
        pd.testing.assert_frame_equal(purchase_alerts(db, "2024-06-30"), expected)
        db.execute("PRAGMA user_version = 7")
    with pytest.raises(DatabaseFileError, match="schema version 7, written by a newer crmlab"):
        CustomerDatabase(path)


def test_lapses_follow_bulk_loads_and_changes_of_cycle_and_acquisition():
    rng = np.random.default_rng(4)
    n, m = 25_000, 60_000  # both above the bulk threshold: set-wise and numpy paths; 1% never lapse
    customers = customers_frame(n, purchase_cycle_days=rng.choice([15, 30, 90, 2**62], n, p=[0.33, 0.33, 0.33, 0.01]),
                                acquisition_date=pd.Timestamp("2023-01-01")
                                + pd.to_timedelta(rng.integers(0, 365, n), unit="D"))
    tx = tx_frame(rng.integers(1, n + 1, m), pd.Timestamp("2023-06-01") + pd.to_timedelta(rng.integers(0, 500, m),
                                                                                         unit="D"), 5.0)
    db = CustomerDatabase()
    db.import_frame("customers", customers)
    assert_lapses_match(db)  # acquisition only
    db.import_frame("transactions", tx)
    assert_stats_match(db)  # the numpy rebuild
    changed = customers.sample(21_000, random_state=1).copy()  # a bulk upsert of customers
    changed["purchase_cycle_days"] = rng.choice([7, 60], len(changed))
    changed.loc[changed.index[:500], "purchase_cycle_days"] = pd.NA
    db.import_frame("customers", changed)
    assert_lapses_match(db)
    db.execute("UPDATE customers SET acquisition_date = '2022-01-01', purchase_cycle_days = 3 WHERE customer_id <= 50")
    db.execute("UPDATE customers SET acquisition_date = NULL WHERE customer_id BETWEEN 51 AND 60")
    assert db.delete("customers", [61, 62, 10**9]) == 2  # an unknown id deletes nothing
    db.import_frame("customers", customers_frame(2, purchase_cycle_days=[5, 5], acquisition_date=["2024-01-01", None])
                    .assign(customer_id=[n + 1, n + 2]))
    db.import_frame("transactions", tx_frame([n + 1, 1, 1], ["2024-03-01", "2024-03-01", "2023-01-05"], 2.0,
                                             start_id=m + 1))
    assert_stats_match(db)
    for as_of in ["2023-03-01", "2024-01-15", "2025-06-30"]:
        c = db.table("customers").set_index("customer_id")
        expected = _pandas_due(c["purchase_cycle_days"].astype(float), c["acquisition_date"],
                               [db.table("transactions")], as_of)
        got = purchase_alerts(db, as_of).set_index("customer_id").sort_index()
        assert list(got.index) == list(expected.index)
        np.testing.assert_array_equal(got["days_since"].to_numpy(), expected.to_numpy())


def test_lapse_history_is_the_alert_on_every_day(world, db):
    history = lapse_history(db)
    assert (history["raised"] <= history["cleared"].fillna(pd.Timestamp("9999-12-31"))).all()
    assert history.groupby("customer_id")["open"].sum().le(1).all()  # at most one open lapse each
    closed = history[~history["open"]]
    assert ((closed["cleared"] - closed["raised"]).dt.days == closed["days_overdue"].astype(int)).all()
    for day in pd.to_datetime(["2023-05-17", "2024-02-29", "2024-12-31"]):
        on = history[(history["raised"] <= day) & (history["cleared"].isna() | (history["cleared"] > day))]
        alerts = purchase_alerts(db, day)
        assert sorted(on["customer_id"]) == sorted(alerts["customer_id"])
        merged = alerts.merge(on, on="customer_id")
        zero = pd.Timestamp(0)
        assert (merged["last_purchase"].fillna(zero) == merged["measured_from"].fillna(zero)).all()
    one = lapse_history(db, [int(history["customer_id"].iloc[0])])
    assert set(one["customer_id"]) == {int(history["customer_id"].iloc[0])}


def test_customer_360_shows_the_alerts_known_on_its_date(world, db):
    for as_of in ["2023-09-30", "2024-12-31"]:
        alerted = set(purchase_alerts(db, as_of)["customer_id"])
        for cid in range(1, 41):
            view = customer_360(db, cid, as_of=as_of)
            alerts = view.purchase_alerts
            assert view.summary["alert_open"] == (cid in alerted)
            assert (alerts["raised"] <= pd.Timestamp(as_of)).all()
            assert (alerts["cleared"].dropna() <= pd.Timestamp(as_of)).all()
            assert int(alerts["open"].sum()) == int(cid in alerted) and view.summary["purchase_alerts"] == len(alerts)


def test_lapse_rule_in_numpy_handles_extreme_cycles_and_missing_values():
    from crmlab.database._lapses import OPEN_END, lapse_arrays

    missing = np.iinfo(np.int64).min
    known = np.array([1, 2, 3, 4])
    cycle = np.array([2**63 - 1, 10, -1, 10])  # never lapses; 10 days; no cycle; 10 days without acquisition
    acquired = np.array([0, 0, 0, missing])
    out = lapse_arrays(np.array([1, 2, 2, 2, 4]), np.array([5, 5, 5, 30, 3]), known, cycle, acquired)
    rows = sorted(zip(out["customer_id"].tolist(), out["lapse_from"].tolist(), out["lapse_until"].tolist(),
                      out["last_purchase"].tolist(), strict=True))
    # customer 2: bought on day 5 (twice) and day 30 -> overdue from day 16 to 29, and again from day 41
    # customer 4: no acquisition date, so nothing before the first purchase; overdue from day 14
    assert rows == [(2, 16, 29, 5), (2, 41, OPEN_END, 30), (4, 14, OPEN_END, 3)]


def test_a_file_that_cannot_be_upgraded_says_so_and_is_left_alone(tmp_path, monkeypatch):
    import sqlite3

    import crmlab.database._setup as setup

    path = tmp_path / "old.sqlite"
    with CustomerDatabase(path) as db:
        db.import_frame("customers", customers_frame(2, purchase_cycle_days=[10, 20]))
        db.execute("PRAGMA user_version = 0")
    before = file_hash(path)

    def fail(conn):  # what a read-only file does on the first write
        conn.execute("DROP TRIGGER trg_customers_insert")
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(setup, "upgrade_schema", fail)
    with pytest.raises(sqlite3.OperationalError, match=r"schema version 0 and could not be brought to version 1"):
        CustomerDatabase(path)
    assert file_hash(path) == before  # rolled back
