"""Tests for crmlab.value (chapter 2) and crmlab.plotting.value."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from crmlab.datasets import load_cdnow_master
from crmlab.plotting import plot_lorenz_curve, plot_value_matrix
from crmlab.value import (
    GROWTH_MATRIX,
    IDIC,
    VALUE_MATRIX,
    customer_delivered_value,
    customer_growth_matrix,
    customer_ordering,
    customer_revenue,
    customer_value_matrix,
    gini_coefficient,
    lorenz_curve,
    ordering_classes,
    revenue_concentration,
    scale_tiers,
)

# The three-factor order exactly as lecture 002 lists it (客户顺序模型), and the two-factor orders.
LECTURE_THREE = [
    "高信用等级—大规模—高忠诚度客户",
    "高信用等级—大规模—低忠诚度客户",
    "高信用等级—小规模—高忠诚度客户",
    "高信用等级—小规模—低忠诚度客户",
    "低信用等级—大规模—高忠诚度客户",
    "低信用等级—大规模—低忠诚度客户",
    "低信用等级—小规模—高忠诚度客户",
    "低信用等级—小规模—低忠诚度客户",
]
LECTURE_SCALE_LOYALTY = ["大规模——高忠诚度客户", "大规模——低忠诚度客户", "小规模——高忠诚度客户", "小规模——低忠诚度客户"]
LECTURE_CREDIT_LOYALTY = [
    "高信用等级——高忠诚度客户", "高信用等级——低忠诚度客户", "低信用等级——高忠诚度客户", "低信用等级——低忠诚度客户",
]


def dashes(labels):
    return [s.replace("——", "—") for s in labels]


# ---------------------------------------------------------------- delivered value
def offers():
    return pd.DataFrame(
        {"product": [60, 50, 70], "service": [20, 30, 10], "personnel": [10, 15, 5], "image": [10, 5, 15],
         "money": [70, 60, 90], "time": [5, 5, 2], "energy": [5, 5, 2], "psychological": [0, 5, 1]},
        index=["A", "B", "C"],
    )


def test_delivered_value_hand_case():
    out = customer_delivered_value(offers())
    assert list(out.index) == ["B", "A", "C"]
    assert out.loc["A", "total_value"] == 100 and out.loc["A", "total_cost"] == 80
    assert out.loc["B", "delivered_value"] == 25
    assert out.loc["C", "delivered_value"] == 100 - 95
    assert out.loc["C", "value_cost_ratio"] == pytest.approx(100 / 95)
    assert out["rank"].tolist() == [1, 2, 3]


def test_delivered_value_cutting_a_non_price_cost_changes_the_choice():
    o = offers()
    o.loc["C", "money"] = 75  # C now 100 - 80 = 20: ties A
    o.loc["C", "psychological"] = 0  # a trusted brand removes worry: 21 > 20
    o.loc["C", "energy"] = 0  # and easy delivery: 23
    assert customer_delivered_value(o).index[1] == "C"


def test_delivered_value_input_checks():
    original = offers()
    customer_delivered_value(original)
    assert original.equals(offers())  # not mutated
    with pytest.raises(ValueError, match=r"missing required column\(s\) \['psychological'\]"):
        customer_delivered_value(original.drop(columns="psychological"))
    bad = original.copy()
    bad.loc["A", "time"] = -1
    with pytest.raises(ValueError, match=r"negative 'time'"):
        customer_delivered_value(bad)
    with pytest.raises(TypeError, match="must be a pandas DataFrame"):
        customer_delivered_value([1, 2])


# ---------------------------------------------------------------- 80/20, Lorenz, Gini
def test_gini_hand_values_and_pairwise_formula():
    assert gini_coefficient([5, 5, 5]) == 0.0
    assert gini_coefficient([0, 0, 0, 1]) == pytest.approx(0.75)
    x = np.random.default_rng(0).lognormal(0, 1.2, 800)
    pairwise = np.abs(x[:, None] - x[None, :]).sum() / (2 * len(x) ** 2 * x.mean())
    assert gini_coefficient(x) == pytest.approx(pairwise, rel=1e-10)


def test_gini_and_top_share_recover_known_distributions():
    rng = np.random.default_rng(1)
    expo = rng.exponential(10.0, 400_000)
    assert gini_coefficient(expo) == pytest.approx(0.5, abs=0.005)  # exponential: G = 1/2
    top20 = 1 - (0.8 + 0.2 * np.log(0.2))  # 1 - L(0.8) with L(p) = p + (1-p) ln(1-p)
    assert revenue_concentration(expo, top=[0.2])["share_of_revenue"].iloc[0] == pytest.approx(top20, abs=0.005)
    alpha = 3.0
    pareto = rng.pareto(alpha, 400_000) + 1.0
    assert gini_coefficient(pareto) == pytest.approx(1 / (2 * alpha - 1), abs=0.01)


def test_lorenz_curve_shape():
    x = np.random.default_rng(2).gamma(0.5, 100, 1000)
    curve = lorenz_curve(x)
    assert len(curve) == 1001
    assert curve.iloc[0].tolist() == [0.0, 0.0] and curve.iloc[-1].tolist() == [1.0, 1.0]
    assert (np.diff(curve["revenue_share"]) >= 0).all()
    assert (np.diff(curve["revenue_share"], 2) >= -1e-12).all()  # convex
    assert (curve["revenue_share"] <= curve["customer_share"] + 1e-12).all()
    area = np.trapezoid(curve["revenue_share"], curve["customer_share"])
    assert gini_coefficient(x) == pytest.approx(1 - 2 * area, abs=1e-9)


def test_cdnow_80_20_equals_direct_count():
    cdnow = load_cdnow_master()
    revenue = customer_revenue(cdnow, amount_col="dollar_value")
    assert len(revenue) == 23_570
    assert revenue.sum() == pytest.approx(cdnow["dollar_value"].sum())
    table = revenue_concentration(revenue, top=[0.2, 0.5])
    top_n = int(0.2 * len(revenue))  # 4714 customers, an exact point of the curve
    direct = np.sort(revenue.to_numpy())[::-1][:top_n].sum() / revenue.sum()
    assert table.loc[0.2, "n_customers"] == top_n
    assert table.loc[0.2, "share_of_revenue"] == pytest.approx(direct, rel=1e-12)
    assert 0.5 < table.loc[0.2, "share_of_revenue"] < 0.9  # concentrated, but not exactly 80/20
    assert 0.4 < gini_coefficient(revenue) < 0.9


@pytest.mark.parametrize(
    ("values", "exc", "match"),
    [
        ([], ValueError, "empty"),
        ([1.0, -2.0], ValueError, "negative"),
        ([0.0, 0.0], ValueError, "sum to zero"),
        ([1.0, np.nan], ValueError, "missing"),
        (["a", "b"], TypeError, "numeric"),
        (np.ones((2, 2)), ValueError, "1-D"),
    ],
)
def test_concentration_input_errors(values, exc, match):
    with pytest.raises(exc, match=match):
        gini_coefficient(values)


def test_revenue_concentration_rejects_bad_share():
    with pytest.raises(ValueError, match="'top' must be a number > 0.0"):
        revenue_concentration([1, 2, 3], top=[0.0])


def test_scale_tiers_by_cumulative_share():
    rev = pd.Series([5, 50, 15, 30, 0], index=[10, 11, 12, 13, 14])
    tiers = scale_tiers(rev)
    assert tiers.astype(str).to_dict() == {10: "sporadic", 11: "large", 12: "small", 13: "medium", 14: "sporadic"}
    assert tiers.cat.ordered
    with pytest.raises(ValueError, match="strictly increasing"):
        scale_tiers(rev, cuts=(0.8, 0.5, 0.9))
    with pytest.raises(ValueError, match="one more than cuts"):
        scale_tiers(rev, labels=("a", "b"))


# ---------------------------------------------------------------- matrices
def test_value_matrix_quadrants_and_strategies():
    df = pd.DataFrame({"current_value": [10, 10, 1, 1, 5], "potential_value": [10, 1, 10, 1, 5]})
    out = customer_value_matrix(df, current_threshold=5, potential_threshold=5)
    assert out["quadrant"].astype(str).tolist() == ["core", "maintain", "develop", "minimise", "core"]
    assert out.loc[2, "strategy"] == VALUE_MATRIX.loc["develop", "strategy"]
    assert out.attrs["thresholds"] == {"current_value": 5.0, "potential_value": 5.0}
    median = customer_value_matrix(df)  # default: medians (5, 5)
    assert median["quadrant"].equals(out["quadrant"])
    assert "quadrant" not in df.columns
    with pytest.raises(ValueError, match="missing required column"):
        customer_value_matrix(df, current_col="margin")


def test_growth_matrix_hand_case():
    tx = pd.DataFrame({
        "customer_id": [1, 1, 1, 2, 3, 1],
        "category": ["books", "books", "music", "books", "video", "books"],
        "date": pd.to_datetime(["2023-05-01", "2024-02-01", "2024-03-01", "2024-04-01", "2024-05-01", "2025-02-01"]),
        "amount": [10.0, 11.0, 20.0, 30.0, 40.0, 99.0],
    })
    out = customer_growth_matrix(tx, period_start="2024-01-01", period_end="2024-12-31")
    assert list(out.index) == list(GROWTH_MATRIX.index)
    assert out["revenue"].tolist() == [11.0, 20.0, 30.0, 40.0]
    assert out["customers"].tolist() == [1, 1, 1, 1]
    assert out["share"].sum() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="must not be before"):
        customer_growth_matrix(tx, period_start="2024-12-31", period_end="2024-01-01")


# ---------------------------------------------------------------- ordering model
def test_ordering_classes_follow_the_lecture_order():
    assert ordering_classes()["chinese"].tolist() == LECTURE_THREE
    assert ordering_classes(["scale", "loyalty"])["chinese"].tolist() == dashes(LECTURE_SCALE_LOYALTY)
    assert ordering_classes(["loyalty", "credit"])["chinese"].tolist() == dashes(LECTURE_CREDIT_LOYALTY)
    two = ordering_classes(["scale", "loyalty"])
    assert two["advice"].iloc[0].startswith("first choice") and two["advice"].iloc[3].startswith("developed last")
    assert list(ordering_classes().index) == list(range(1, 9))


def test_customer_ordering_assigns_each_of_the_eight_classes_in_order():
    grid = np.array([[c, s, loy] for c in (5, 1) for s in (1000, 10) for loy in (0.9, 0.1)])  # lecture order
    df = pd.DataFrame(grid, columns=["credit_grade", "revenue", "loyalty"]).sample(frac=1, random_state=3)
    out = customer_ordering(df, thresholds={"scale": 500, "loyalty": 0.5})
    ranked = out.sort_values("ordering_rank")
    assert ranked["ordering_rank"].tolist() == list(range(1, 9))
    assert ranked["ordering_class"].astype(str).tolist() == ordering_classes()["label"].tolist()
    np.testing.assert_array_equal(ranked[["credit_grade", "revenue", "loyalty"]].to_numpy(), grid)
    assert list(out["ordering_class"].cat.categories) == ordering_classes()["label"].tolist()


def test_customer_ordering_two_factor_and_defaults():
    df = pd.DataFrame({"credit_grade": [5, 3, 4, 1], "revenue": [10, 20, 30, 40], "loyalty": [4, 3, 2, 1]})
    out = customer_ordering(df, factors=("credit", "loyalty"))  # credit >= 4 high; loyalty >= median 2.5
    assert out["ordering_rank"].tolist() == [1, 3, 2, 4]
    assert "high_scale" not in out.columns
    with pytest.raises(ValueError, match="must hold 'loyalty'"):
        customer_ordering(df, factors=("credit", "scale"))
    with pytest.raises(ValueError, match="not in factors"):
        customer_ordering(df, factors=("scale", "loyalty"), thresholds={"credit": 3})
    with pytest.raises(ValueError, match="missing required column"):
        customer_ordering(df.drop(columns="loyalty"))


def test_idic_frame():
    assert list(IDIC.index) == ["identify", "differentiate", "interact", "customise"]
    assert IDIC["chinese"].iloc[0] == "识别客户"


# ---------------------------------------------------------------- plots
def test_plot_lorenz_curve_draws_the_numbers():
    curve = lorenz_curve([1, 2, 3, 10])
    ax = plot_lorenz_curve(curve, label="toy")
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), curve["revenue_share"])
    assert "top 20%" in ax.texts[0].get_text()
    plt.close("all")


def test_plot_value_matrix_points_and_thresholds():
    df = pd.DataFrame({"current_value": [10, 10, 1, 1], "potential_value": [10, 1, 10, 1]})
    matrix = customer_value_matrix(df, current_threshold=5, potential_threshold=5)
    ax = plot_value_matrix(matrix)
    assert sum(len(c.get_offsets()) for c in ax.collections) == 4
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "core (1)", "maintain (1)", "develop (1)", "minimise (1)"]
    plt.close("all")
