"""Never silently wrong: every CHECK rule on the small and the bulk path, exact dates, bad files, locks."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3

import numpy as np
import pandas as pd
import pytest

from crmlab.database import CustomerDatabase, DatabaseFileError, purchase_alerts
from crmlab.database._bulk import BULK_ROWS
from crmlab.database.schema import TABLES, schema_sql

SIZES = {"small": 5, "bulk": BULK_ROWS}
N = BULK_ROWS  # customers in the shared database


def valid_frame(table: str, n: int) -> pd.DataFrame:
    """A batch of ``n`` rows of ``table`` that breaks no rule (customer ids 1..N exist)."""
    ids = np.arange(1, n + 1)
    if table == "customers":
        return pd.DataFrame({"customer_id": ids, "customer_type": "individual", "name": "x"})
    if table == "product_categories":
        return pd.DataFrame({"category": [f"cat {i}" for i in ids]})
    if table == "preferences":
        return pd.DataFrame({"customer_id": ids, "item": "drink", "value": "tea"})
    key = {"transactions": "transaction_id", "interactions": "interaction_id", "complaints": "complaint_id"}[table]
    frame = pd.DataFrame({key: ids, "customer_id": ids, "date": "2024-01-01"})
    if table == "transactions":
        frame["amount"] = 1.0
    if table == "interactions":
        frame["channel"] = "phone"
    return frame


def bad_values(field) -> list[tuple[str, object]]:
    """One value breaking each rule of ``field``: (rule, value)."""
    out = []
    for rule, _ in field.rules():
        if "calendar date" in rule:
            out.append((rule, "2024-02-30"))
        elif "true/false" in rule:
            out.append((rule, 2))
        elif "not be empty" in rule:
            out.append((rule, "   "))
        elif "one of" in rule:
            out.append((rule, "no such value"))
        elif rule.startswith("must be >"):
            out.append((rule, field.minimum - (0 if field.strict_min else 1)))
        elif rule.startswith("must be <="):
            out.append((rule, field.maximum + 1))
        else:
            raise AssertionError(f"no bad value for the rule {rule!r}")  # a new kind of rule needs a case here
    if field.kind == "int":
        out.append(("fits a signed 64-bit integer", 2**63 + 5))
    return out


CASES = [(table, field.name, rule, value) for table, fields in TABLES.items() for field in fields
         for rule, value in bad_values(field)]


def test_every_check_constraint_of_the_schema_has_a_case():
    checks = sum(len(re.findall(r"CHECK \(", sql)) for sql in schema_sql()[: len(TABLES)])
    assert checks == sum(1 for case in CASES if case[2] != "fits a signed 64-bit integer")
    assert checks > 30


@pytest.fixture(scope="module")
def shared_db():
    db = CustomerDatabase()
    db.import_frame("customers", valid_frame("customers", N))
    yield db
    db.close()


def _snapshot(db):
    return {t: db.query(f"SELECT COUNT(*) AS n, total(rowid) AS s FROM {t}").iloc[0].tolist() for t in TABLES}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(("table", "field", "rule", "value"), CASES, ids=[f"{c[0]}.{c[1]}:{c[2][:24]}" for c in CASES])
def test_each_check_rule_holds_on_the_small_and_the_bulk_path(shared_db, table, field, rule, value, size):
    n = SIZES[size]
    frame = valid_frame(table, n)
    if field not in frame:
        frame[field] = pd.Series([None] * n, dtype=object)
    frame[field] = frame[field].astype(object)
    row = n - 2  # not the first row
    frame.iloc[row, frame.columns.get_loc(field)] = value
    before = _snapshot(shared_db)
    with pytest.raises(ValueError, match=rf"row {row}\b.*field '{field}'"):
        shared_db.import_frame(table, frame)
    assert _snapshot(shared_db) == before


@pytest.mark.parametrize("size", SIZES)
def test_uint64_ids_above_2_63_are_refused_not_wrapped(shared_db, size):
    n = SIZES[size]
    frame = valid_frame("transactions", n)
    frame["transaction_id"] = np.arange(1, n + 1, dtype=np.uint64)
    frame.loc[n - 1, "transaction_id"] = np.uint64(2**63 + 7)
    with pytest.raises(ValueError, match=r"transaction_id.*must be between -9223372036854775808 and"):
        shared_db.import_frame("transactions", frame)
    assert shared_db.counts()["transactions"] == 0
    frame.loc[n - 1, "transaction_id"] = np.uint64(2**63 - 1)  # the largest id that fits is stored exactly
    with CustomerDatabase() as db:
        db.import_frame("customers", valid_frame("customers", n))
        db.import_frame("transactions", frame)
        assert db.query("SELECT MAX(transaction_id) AS m FROM transactions")["m"].iloc[0] == 2**63 - 1


EXTREME = ["0001-01-01", "0999-12-31", "1066-10-14", "1677-09-21", "2262-04-12", "4000-02-29", "9999-12-31"]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("form", ["text", "datetime64[s]", "date objects", "tz-aware +08:00"])
def test_dates_round_trip_exactly_from_year_1_to_9999(size, form):
    n = SIZES[size]
    labels = np.resize(np.array(EXTREME, dtype=object), n)
    days = labels.astype("datetime64[D]")
    if form == "text":
        values = pd.Series(labels)
    elif form == "datetime64[s]":
        values = pd.Series(days.astype("datetime64[s]"))
    elif form == "date objects":
        values = pd.Series([dt.date.fromisoformat(s) for s in labels], dtype=object)
    else:  # midnight in Beijing is still that calendar day, even though UTC is the day before
        values = pd.Series([f"{s}T00:00:00+08:00" for s in labels], dtype=object)
    with CustomerDatabase() as db:
        db.import_frame("customers", valid_frame("customers", n).assign(birth_date=values, acquisition_date=values))
        stored = db.query("SELECT birth_date FROM customers ORDER BY customer_id")["birth_date"].to_numpy()
        np.testing.assert_array_equal(stored, labels)
        back = db.table("customers")["acquisition_date"].to_numpy()
        np.testing.assert_array_equal(back, days.astype(back.dtype))
        assert db.customer_record([1])["birth_date"].dt.year.tolist() == [1]


def test_tz_aware_datetime_columns_keep_the_local_calendar_date():
    beijing = pd.Series(pd.to_datetime(["2024-01-05T00:00:00+08:00", "2024-03-01T00:00:00+08:00"]))
    mixed = pd.Series([pd.Timestamp("2024-01-06T00:00:00-05:00"), pd.Timestamp("2024-03-02T00:00:00+08:00")],
                      dtype=object)  # mixed offsets: an object column of Timestamps
    with CustomerDatabase() as db:
        for values, expected in [(beijing, ["2024-01-05", "2024-03-01"]), (mixed, ["2024-01-06", "2024-03-02"])]:
            db.import_frame("customers", valid_frame("customers", 2).assign(acquisition_date=values))
            assert db.query("SELECT acquisition_date FROM customers")["acquisition_date"].tolist() == expected
        with pytest.raises(ValueError, match="acquisition_date.*without a time of day"):
            db.import_frame("customers", valid_frame("customers", 1).assign(
                acquisition_date=pd.Series(pd.to_datetime(["2024-01-05T09:30:00+08:00"]))))


@pytest.mark.parametrize(("value", "match"), [
    ("10000-01-01", "between 0001-01-01 and 9999-12-31"),
    ("0000-12-31", "between 0001-01-01 and 9999-12-31"),
    ("2023-02-29", "valid calendar date"),
    ("05/01/2024", "valid calendar date"),
    (20240105, "numbers such as 20240105 are not read as dates"),
    ("2024-01-05 13:00", "without a time of day"),
])
def test_dates_that_cannot_be_stored_exactly_are_refused(value, match):
    frame = valid_frame("customers", 3)
    frame["birth_date"] = pd.Series(["2000-01-01", value, None], dtype=object) if isinstance(value, str) \
        else pd.Series([20000101, value, 20000101])
    row = 1 if isinstance(value, str) else 0  # a numeric column is refused as a whole
    with CustomerDatabase() as db, pytest.raises(ValueError, match=rf"row {row} .*'birth_date'.*{match}"):
        db.import_frame("customers", frame)


def test_lapses_and_alerts_work_at_the_ends_of_the_calendar():
    with CustomerDatabase() as db:
        db.import_frame("customers", valid_frame("customers", 2).assign(
            purchase_cycle_days=[30, 30], acquisition_date=["0001-01-01", "9999-12-01"]))
        db.import_frame("transactions", valid_frame("transactions", 2).assign(date=["0001-01-10", "9999-12-31"]))
        alerts = purchase_alerts(db, "0001-03-01")
        assert alerts["customer_id"].tolist() == [1]
        assert str(alerts["last_purchase"].to_numpy()[0])[:10] == "0001-01-10"
        assert alerts["days_since"].iloc[0] == 50


# -- files -------------------------------------------------------------------------------------------------


def _filled(path, n=3):
    with CustomerDatabase(path) as db:
        db.import_frame("customers", valid_frame("customers", n))
    return path


def test_a_file_that_is_not_a_database(tmp_path):
    path = tmp_path / "notes.sqlite"
    path.write_text("customer_id,name\n1,Ann\n" * 20)
    with pytest.raises(DatabaseFileError, match=rf"{re.escape(str(path))}.*is not an SQLite database.*new file"):
        CustomerDatabase(path)


@pytest.mark.parametrize("keep", [0.5, 40 / 4096])
def test_a_truncated_file(tmp_path, keep):
    path = _filled(tmp_path / "crm.sqlite", n=3000)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(DatabaseFileError, match=rf"{re.escape(str(path))}.*truncated or damaged.*backup"):
        CustomerDatabase(path)


def test_a_read_only_file_can_be_read_but_a_write_says_so(tmp_path):
    path = _filled(tmp_path / "crm.sqlite")
    with CustomerDatabase(path, read_only=True) as db:
        assert db.counts()["customers"] == 3
        for write in (lambda: db.import_frame("customers", valid_frame("customers", 1)),
                      lambda: db.delete("customers", [1]),
                      lambda: db.execute("DELETE FROM customers")):
            with pytest.raises(DatabaseFileError, match=rf"{re.escape(str(path))}.*read-only.*copy"):
                write()
        assert db.counts()["customers"] == 3
    with pytest.raises(DatabaseFileError, match="needs an existing database file"):
        CustomerDatabase(tmp_path / "absent.sqlite", read_only=True)


def test_a_database_locked_longer_than_the_timeout(tmp_path):
    path = _filled(tmp_path / "crm.sqlite")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # another program writing and not letting go
    try:
        message = rf"opening {re.escape(repr(str(path)))}.*locked.*timeout \(0.1 s\)"
        with pytest.raises(DatabaseFileError, match=message):
            CustomerDatabase(path, timeout=0.1)
    finally:
        other.execute("ROLLBACK")
    db = CustomerDatabase(path, timeout=0.1)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(DatabaseFileError, match=r"import_frame into .*locked.*larger timeout="):
            db.import_frame("customers", valid_frame("customers", 5))
        with pytest.raises(DatabaseFileError, match=r"deleting from .*locked"):
            db.delete("customers", [1])
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert db.import_frame("customers", valid_frame("customers", 5)) == 5  # works once the lock is gone
    db.close()


def test_a_bulk_import_that_meets_a_lock_leaves_foreign_keys_on(tmp_path):
    path = _filled(tmp_path / "crm.sqlite", n=BULK_ROWS)
    db = CustomerDatabase(path, timeout=0.1)
    db.import_frame("transactions", valid_frame("transactions", 10))
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    with pytest.raises(DatabaseFileError, match="locked"):
        db.import_frame("transactions", valid_frame("transactions", BULK_ROWS).assign(transaction_id=lambda f:
                                                                                       f["transaction_id"] + 100))
    other.execute("ROLLBACK")
    other.close()
    assert db.query("PRAGMA foreign_keys").iloc[0, 0] == 1
    db.delete("customers", [1, 2])  # cascades: no orphan transactions
    assert db.query("SELECT COUNT(*) AS n FROM transactions WHERE customer_id IN (1, 2)")["n"].iloc[0] == 0
    assert db.counts()["transactions"] == 8
    db.close()


def test_a_file_from_a_newer_crmlab(tmp_path):
    path = _filled(tmp_path / "crm.sqlite")
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 99")
    with pytest.raises(DatabaseFileError, match=rf"{re.escape(str(path))}.*schema version 99.*Upgrade crmlab"):
        CustomerDatabase(path)


# -- siblings ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("ids", [[1.5], [float("nan")], [2**63], ["7"], [True], "123"])
def test_ids_given_to_delete_customer_record_and_lapse_history_are_checked(ids):
    from crmlab.database import lapse_history

    with CustomerDatabase() as db:
        db.import_frame("customers", valid_frame("customers", 3))
        for call in (lambda: db.delete("customers", ids), lambda: db.customer_record(ids),
                     lambda: lapse_history(db, ids)):
            with pytest.raises((ValueError, TypeError), match="ids"):
                call()
        assert db.counts()["customers"] == 3


def test_add_categories_refuses_a_single_string():
    with CustomerDatabase() as db, pytest.raises(TypeError, match=r"add_categories\(\): 'categories' must be a list"):
        db.add_categories("books")


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(("column", "value", "match"), [
    ("amount", np.inf, "finite"), ("amount", np.nan, "required"), ("customer_id", np.nan, "required"),
    ("transaction_id", np.nan, "required"), ("amount", -np.inf, "finite"),
])
def test_missing_and_infinite_values_are_refused_on_both_paths(shared_db, size, column, value, match):
    frame = valid_frame("transactions", SIZES[size]).astype({column: float})
    frame.loc[1, column] = value
    with pytest.raises(ValueError, match=rf"row 1\b.*'{column}'.*{match}"):
        shared_db.import_frame("transactions", frame)


def test_an_empty_batch_is_refused_with_a_message():
    with CustomerDatabase() as db, pytest.raises(ValueError, match=r"import_frame\(\): 'customers' is empty"):
        db.import_frame("customers", valid_frame("customers", 0))


def test_contact_reminders_with_cycles_reaching_before_year_1_and_on_a_read_only_file(tmp_path):
    from crmlab.database import contact_reminders

    path = tmp_path / "crm.sqlite"
    with CustomerDatabase(path) as db:
        db.import_frame("customers", valid_frame("customers", 3).assign(
            contact_cycle_days=[2**62, 10, 2**63 - 1], acquisition_date=["0001-01-01", "2024-01-01", "2024-01-01"]))
    with CustomerDatabase(path, read_only=True) as db:  # the reminder's scratch table lives in temp, not the file
        due = contact_reminders(db, "2024-03-01")
    assert due["customer_id"].tolist() == [2]
    assert due["days_overdue"].tolist() == [60 - 10]


def test_pyarrow_date32_columns_are_dates():
    pa = pytest.importorskip("pyarrow")
    values = pd.Series(pd.array([dt.date(1066, 10, 14), None, dt.date(9999, 12, 31)], dtype=pd.ArrowDtype(pa.date32())))
    with CustomerDatabase() as db:
        db.import_frame("customers", valid_frame("customers", 3).assign(birth_date=values))
        stored = db.query("SELECT birth_date FROM customers")["birth_date"]
        assert stored[[0, 2]].tolist() == ["1066-10-14", "9999-12-31"] and stored.isna()[1]


def test_repeated_column_names_are_named():
    frame = valid_frame("customers", 2)
    frame = pd.concat([frame, frame[["name"]]], axis=1)
    with CustomerDatabase() as db, pytest.raises(ValueError, match=r"duplicate column name\(s\) \['name'\]"):
        db.import_frame("customers", frame)


def test_export_folder_that_is_a_file_and_a_database_path_that_is_a_folder(tmp_path):
    from crmlab.database import export_tables

    (tmp_path / "out").write_text("x")
    with CustomerDatabase() as db, pytest.raises(ValueError, match=r"'folder' must be a folder; .*is a file"):
        export_tables(db, folder=tmp_path / "out")
    with pytest.raises(DatabaseFileError, match=rf"{re.escape(str(tmp_path))}.*cannot be opened.*folder exists"):
        CustomerDatabase(tmp_path)
