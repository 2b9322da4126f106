"""CLV formulas of chapter 6: the lecture's average CLV, the age example, retention CLV, cohorts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlab.clv import (
    acquisition_cost,
    age_example,
    average_clv,
    clv_sensitivity,
    cohort_retention,
    purchase_stream_value,
    retention_clv,
)


def test_average_clv_and_acquisition_cost_by_hand() -> None:
    # 200 new customers from a 30,000 campaign; revenue 500,000, retention cost 70,000, 1,000 customers
    cac = acquisition_cost(30_000, 200)
    assert cac == 150.0
    assert average_clv(500_000, 30_000, 70_000, 1_000) == 400.0
    with pytest.raises(ValueError, match=r"average_clv\(\): 'n_customers' must be an integer >= 1; got 0"):
        average_clv(1, 0, 0, 0)
    with pytest.raises(ValueError, match=r"acquisition_cost\(\): 'marketing_cost' must be a number >= 0.0"):
        acquisition_cost(-5, 10)
    with pytest.raises(TypeError, match=r"'new_customers' must be an integer; got 2.5"):
        acquisition_cost(5, 2.5)


def test_age_example_totals_and_discounting() -> None:
    table = age_example()
    totals = table.groupby("customer")["amount"].sum()
    assert totals.to_dict() == {"A (25)": 185_000, "B (65)": 45_000}
    assert table.groupby("customer").size().to_dict() == {"A (25)": 10, "B (65)": 3}
    undiscounted = purchase_stream_value(table)
    assert undiscounted["present_value"].tolist() == [185_000.0, 45_000.0]
    pv = purchase_stream_value(table, discount_rate=0.1)
    # B: 15,000 now, after 4 and after 8 years
    assert pv.loc["B (65)", "present_value"] == pytest.approx(15_000 * (1 + 1.1**-4 + 1.1**-8))
    assert pv.loc["A (25)", "present_value"] > pv.loc["B (65)", "present_value"]
    assert pv.loc["A (25)", "present_value"] < 185_000
    half = purchase_stream_value(table, discount_rate=0.1, margin=0.5)
    np.testing.assert_allclose(half["present_value"], 0.5 * pv["present_value"])


def test_retention_clv_closed_forms() -> None:
    assert retention_clv(100, 0.8, 0.1) == pytest.approx(100 * 0.8 / (1.1 - 0.8))
    q = 0.8 / 1.1
    assert retention_clv(100, 0.8, 0.1, horizon=5) == pytest.approx(100 * sum(q**t for t in range(1, 6)))
    assert retention_clv(100, 0.8, 0.1, horizon=10_000) == pytest.approx(retention_clv(100, 0.8, 0.1))
    assert retention_clv(100, 0.0, 0.1, horizon=3) == 0.0
    grid = retention_clv(np.array([1.0, 2.0]), np.array([[0.5], [0.9]]), 0.1)
    assert grid.shape == (2, 2)
    with pytest.raises(ValueError, match=r"'retention' must lie in \[0, 1\)"):
        retention_clv(100, 1.0, 0.1)


def test_sensitivity_is_monotone_and_convex_in_retention() -> None:
    table = clv_sensitivity(np.linspace(0.5, 0.95, 10), [50, 100], discount_rate=0.1)
    assert list(table.columns) == [50, 100]
    assert np.all(np.diff(table[100]) > 0)
    assert np.all(np.diff(table[100], 2) > 0)  # each extra point of retention is worth more
    np.testing.assert_allclose(table[100], 2 * table[50])


def test_cohort_retention_by_hand() -> None:
    tx = pd.DataFrame({
        "customer_id": [1, 1, 1, 2, 3, 3, 4],
        "date": ["2024-01-03", "2024-02-10", "2024-03-01", "2024-01-15", "2024-02-02", "2024-03-20", "2024-02-27"],
    })
    table = cohort_retention(tx)
    assert table.index.tolist() == ["2024-01", "2024-02"]
    assert table["size"].tolist() == [2, 2]
    assert table.loc["2024-01", [0, 1, 2]].tolist() == [1.0, 0.5, 0.5]
    assert table.loc["2024-02", [0, 1]].tolist() == [1.0, 0.5]
    assert np.isnan(table.loc["2024-02", 2])  # not observable yet
    assert not pd.api.types.is_datetime64_any_dtype(tx["date"])  # input untouched


def test_cohort_retention_errors() -> None:
    with pytest.raises(ValueError, match=r"missing required column\(s\) \['date'\]"):
        cohort_retention(pd.DataFrame({"customer_id": [1]}))
    with pytest.raises(ValueError, match=r"could not be parsed as dates"):
        cohort_retention(pd.DataFrame({"customer_id": [1], "date": ["not a date"]}))
