"""The shared input checks behind every public function's error messages."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import pytest

from crmlab._validation import check_date_arg
from crmlab.database import CustomerDatabase, purchase_alerts
from crmlab.rfm import rfm_summary


@pytest.mark.parametrize(
    "value", ["2024-12-31", datetime.date(2024, 12, 31), np.datetime64("2024-12-31"), pd.Timestamp("2024-12-31")]
)
def test_date_arguments_in_every_accepted_form(value):
    assert check_date_arg(value, "as_of", caller="f") == pd.Timestamp("2024-12-31")


def test_time_zone_is_dropped():
    assert check_date_arg(pd.Timestamp("2024-12-31", tz="UTC"), "x", caller="f").tzinfo is None


@pytest.mark.parametrize("value", [20241231, 1.5, True, None, ["2024-12-31"]])
def test_non_dates_are_type_errors(value):
    with pytest.raises(TypeError, match=r"f\(\): 'as_of' must be a date"):
        check_date_arg(value, "as_of", caller="f")


@pytest.mark.parametrize("value", ["31/31/2024", "soon", "NaT"])
def test_unparsable_dates_are_value_errors(value):
    with pytest.raises(ValueError, match=r"f\(\): 'as_of' must be a date such as"):
        check_date_arg(value, "as_of", caller="f")


def test_public_functions_share_the_message():
    log = pd.DataFrame({"customer_id": [1], "date": ["2024-01-01"], "amount": [1.0]})
    with pytest.raises(TypeError, match=r"rfm_summary\(\): 'observation_end' must be a date"):
        rfm_summary(log, observation_end=20240101)
    with pytest.raises(ValueError, match=r"purchase_alerts\(\): 'as_of' must be a date such as"):
        purchase_alerts(CustomerDatabase(), "yesterday-ish")
