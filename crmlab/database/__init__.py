"""The customer database (客户数据库) of chapter 1, held in a real SQLite database.

Chapter 1. Lecture 5 says a firm manages customer information with a customer
database; lecture 003 shows what one CRM record holds. This subpackage builds
that database with the standard library's :mod:`sqlite3`:

==============================  =====================================================================
``CustomerDatabase``            open/create a database (a file or ``":memory:"``); methods for everything
``schema``                      tables, keys, CHECK rules, indexes, triggers (:func:`schema_sql`)
``import_frame``                atomic upsert of a DataFrame; errors name row, field and rule
``import_tables``               several tables in one all-or-nothing transaction
``import_csv``                  the same from a CSV file (every value checked by the table's rules)
``import_world``                atomic import of a :func:`crmlab.synth.make_customer_world` world
``export_tables``               export, personal fields pseudonymised by a salted hash
``purchase_alerts``             "business falling" alert: past the purchase cycle (业务下滑提醒)
``lapse_history``               every customer's past and open purchase alerts, kept by the database
``contact_reminders``           follow-up reminder: past the contact cycle (跟进提醒)
``birthday_reminders``          anniversaries coming up
``customer_360``                the 360° view of one customer
``preference_lookup``           the Regent hotel's carrot-juice question
``data_quality_report``         missing fields, invalid e-mail/phone, likely duplicates
==============================  =====================================================================

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

from crmlab.database.alerts import birthday_reminders, contact_reminders, purchase_alerts
from crmlab.database.core import CustomerDatabase
from crmlab.database.io import export_tables, import_csv, import_frame, import_tables, import_world, pseudonymise
from crmlab.database.lapses import lapse_history
from crmlab.database.quality import QualityReport, data_quality_report, normalise_phone
from crmlab.database.schema import PERSONAL_FIELDS, TABLES, schema_sql
from crmlab.database.views import Customer360, customer_360, preference_lookup

__all__ = [
    "PERSONAL_FIELDS",
    "TABLES",
    "Customer360",
    "CustomerDatabase",
    "QualityReport",
    "birthday_reminders",
    "contact_reminders",
    "customer_360",
    "data_quality_report",
    "export_tables",
    "import_csv",
    "import_frame",
    "import_tables",
    "import_world",
    "lapse_history",
    "normalise_phone",
    "preference_lookup",
    "pseudonymise",
    "purchase_alerts",
    "schema_sql",
]
