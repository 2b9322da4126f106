"""The customer database (客户数据库) of chapter 1, held in a real SQLite database.

Chapter 1. Lecture 5 says a firm manages customer information with a customer
database; lecture 003 shows what one CRM record holds. This subpackage builds
that database with the standard library's :mod:`sqlite3`. Writes are methods of
the database; reads are functions that take it:

==================================  =================================================================
``CustomerDatabase``                open/create a database (a file or ``":memory:"``)
``db.import_frame``                 atomic upsert of a DataFrame; errors name row, field and rule
``db.import_tables``                several tables in one all-or-nothing transaction
``db.import_csv``                   the same from a CSV file (every value checked by the table's rules)
``db.import_world``                 atomic import of a :func:`crmlab.synth.make_customer_world` world
``db.add_categories``               register product categories (the system dictionary)
``db.delete``                       delete by id; deleting a customer cascades to their rows
``schema_sql``                      tables, keys, CHECK rules, indexes, triggers (:mod:`.schema`)
``purchase_alerts(db, as_of)``      "business falling" alert: past the purchase cycle (业务下滑提醒)
``lapse_history(db)``               every customer's past and open purchase alerts, kept by the database
``contact_reminders(db, as_of)``    follow-up reminder: past the contact cycle (跟进提醒)
``birthday_reminders(db, as_of)``   anniversaries coming up
``customer_360(db, customer_id)``   the 360° view of one customer
``preference_lookup(db, ...)``      the Regent hotel's carrot-juice question
``data_quality_report(db)``         missing fields, invalid e-mail/phone, likely duplicates
``export_tables(db, salt=...)``     export, personal fields pseudonymised by a salted hash
==================================  =================================================================

Modules: ``core`` (the database and its writes), ``schema``, ``alerts``, ``views``,
``quality``, ``export``; the private ones (``_import``, ``_validate``, ``_bulk``,
``_lapses``, ``_setup``, ``_insert``, ``_dates``, ``_files``, ``_reads``,
``_alert_sql``) hold the plumbing. Imports run one way: ``core`` imports only what
writing needs, the read modules import ``core``, nothing imports a read module
but the package and the views (``tests/test_database_imports.py`` checks it).

Examples
--------
>>> import pandas as pd
>>> from crmlab.database import CustomerDatabase
>>> with CustomerDatabase() as db:
...     db.import_frame("customers", pd.DataFrame({"customer_id": [1], "customer_type": "individual",
...                                                "name": ["'); DROP TABLE customers;--"]}))
...     db.query("SELECT name FROM customers")["name"].iloc[0]
1
"'); DROP TABLE customers;--"
"""

from crmlab.database.alerts import birthday_reminders, contact_reminders, lapse_history, purchase_alerts
from crmlab.database.core import CustomerDatabase, DatabaseFileError
from crmlab.database.export import export_tables, pseudonymise
from crmlab.database.quality import QualityReport, data_quality_report, normalise_phone
from crmlab.database.schema import PERSONAL_FIELDS, TABLES, schema_sql
from crmlab.database.views import Customer360, customer_360, preference_lookup

__all__ = [
    "PERSONAL_FIELDS",
    "TABLES",
    "Customer360",
    "CustomerDatabase",
    "DatabaseFileError",
    "QualityReport",
    "birthday_reminders",
    "contact_reminders",
    "customer_360",
    "data_quality_report",
    "export_tables",
    "lapse_history",
    "normalise_phone",
    "preference_lookup",
    "pseudonymise",
    "purchase_alerts",
    "schema_sql",
]
