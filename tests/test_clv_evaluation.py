"""Evaluation tables and plots of chapter 6 (calibration/holdout, tracking, matrices, histories)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from crmlab.clv import (  # noqa: E402
    BetaGeoBetaBinomModel,
    BetaGeoModel,
    ShiftedBetaGeoModel,
    calibration_holdout_table,
    expected_cumulative_transactions,
    frequency_distribution,
    frequency_recency_matrix,
    mixing_distributions,
    probability_alive_history,
    probability_alive_matrix,
    survival_to_cohort,
)
from crmlab.datasets import (  # noqa: E402
    load_cdnow_holdout,
    load_cdnow_summary,
    load_cdnow_tracking,
    load_donations,
    load_sbg_retention,
)


@pytest.fixture(scope="module")
def model() -> BetaGeoModel:
    return BetaGeoModel().fit(load_cdnow_summary())


def test_calibration_holdout_table_cdnow(model: BetaGeoModel) -> None:
    hold = load_cdnow_holdout()
    table = calibration_holdout_table(model, hold)
    assert table.index.tolist() == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert table["customers"].sum() == 2357
    assert table.loc["0", "customers"] == 1411
    # actual means by hand
    assert table.loc["0", "actual"] == pytest.approx(hold.loc[hold["frequency_cal"] == 0, "frequency_holdout"].mean())
    # FHL (2005, Fig. 4): the model tracks the conditional expectations within about 0.4 purchases
    assert (table["predicted"] - table["actual"]).abs().max() < 0.4
    assert np.all(np.diff(table["predicted"]) > 0)


def test_frequency_distribution_matches_counts(model: BetaGeoModel) -> None:
    summary = load_cdnow_summary()
    table = frequency_distribution(model, summary)
    assert table["actual"].sum() == 2357
    assert table["model"].sum() == pytest.approx(2357, rel=1e-6)
    assert table.loc["0", "actual"] == 1411
    assert abs(table.loc["0", "model"] - 1411) < 30


def test_tracking_cdnow_within_five_percent(model: BetaGeoModel) -> None:
    track = expected_cumulative_transactions(model, load_cdnow_summary(), horizon=78, calibration_end=39)
    actual = load_cdnow_tracking().set_index("week")["cum_repeat_transactions"]
    assert len(track) == 78
    np.testing.assert_allclose(track["incremental"].cumsum(), track["cumulative"])
    assert abs(track["cumulative"].iloc[38] / actual.loc[39] - 1) < 0.05
    assert abs(track["cumulative"].iloc[77] / actual.loc[78] - 1) < 0.06


def test_matrices_shape_and_monotonicity(model: BetaGeoModel) -> None:
    pa = probability_alive_matrix(model, max_frequency=10)
    assert pa.shape == (11, 21)
    assert np.isnan(pa.iloc[0, 1:]).all() and pa.iloc[0, 0] == 1.0
    # for repeat buyers P(alive) rises with recency
    assert np.all(np.diff(pa.iloc[5].to_numpy()) > 0)
    fr = frequency_recency_matrix(model, t=10, max_frequency=10)
    assert fr.iloc[10, -1] == fr.to_numpy()[~np.isnan(fr.to_numpy())].max()


def test_probability_alive_history_jumps_at_purchases(model: BetaGeoModel) -> None:
    hist = probability_alive_history(model, [5.0, 10.0], T=30.0, n_points=61)
    at = hist.set_index("time")["p_alive"]
    a, b = model.params_["a"], model.params_["b"]
    # right at her x-th repeat purchase she is alive unless she quit just after it: (b+x-1)/(a+b+x-1)
    assert at.loc[5.0] == pytest.approx(b / (a + b))
    assert at.loc[10.0] == pytest.approx((b + 1) / (a + b + 1))
    assert at.loc[4.5] == 1.0  # no repeat purchase yet: BG/NBD customers cannot have left
    assert at.loc[30.0] < at.loc[20.0] < 1.0
    with pytest.raises(ValueError, match=r"'purchase_times' must lie in \(0, T\]"):
        probability_alive_history(model, [40.0], T=30.0)


def test_mixing_distributions_integrate_to_one(model: BetaGeoModel) -> None:
    dens = mixing_distributions(model, n_points=2000)
    assert dens["distribution"].nunique() == 2
    assert np.isfinite(dens["density"]).all() and (dens["density"] >= 0).all()
    smooth = ShiftedBetaGeoModel()
    smooth.params_ = pd.Series({"alpha": 2.0, "beta": 5.0})
    g = mixing_distributions(smooth, n_points=4000)
    # the grid runs from the 0.1% to the 99.9% quantile of Beta(2, 5)
    assert np.trapezoid(g["density"], g["value"]) == pytest.approx(0.998, abs=2e-3)
    assert g["cdf"].iloc[0] == pytest.approx(0.001) and g["cdf"].iloc[-1] == pytest.approx(0.999)
    # x f(x) integrates to one over log x, even for the singular gamma with r < 1
    for _, grp in dens.groupby("distribution"):
        area = np.trapezoid(grp["value"] * grp["density"], np.log(grp["value"]))
        assert area == pytest.approx(0.998, abs=0.01)
    sbg = ShiftedBetaGeoModel().fit(survival_to_cohort(load_sbg_retention()["regular"], periods=7),
                                    weights="customers")
    assert mixing_distributions(sbg)["distribution"].nunique() == 1
    bgbb = BetaGeoBetaBinomModel().fit(load_donations(), weights="weights", T_col="periods")
    assert mixing_distributions(bgbb)["distribution"].nunique() == 2


def test_plots_draw_the_tables(model: BetaGeoModel) -> None:
    from crmlab.plotting import (
        plot_calibration_holdout,
        plot_cumulative_transactions,
        plot_frequency_recency_matrix,
        plot_incremental_transactions,
        plot_mixing_distributions,
        plot_period_transactions,
        plot_probability_alive_history,
        plot_probability_alive_matrix,
    )

    summary = load_cdnow_summary()
    ax = plot_calibration_holdout(calibration_holdout_table(model, load_cdnow_holdout()))
    assert len(ax.lines) == 2
    ax = plot_period_transactions(frequency_distribution(model, summary))
    assert len(ax.patches) == 16
    track = expected_cumulative_transactions(model, summary, horizon=78, calibration_end=39)
    actual = load_cdnow_tracking().set_index("week")["cum_repeat_transactions"]
    ax = plot_cumulative_transactions(track, actual=actual, calibration_end=39)
    assert len(ax.lines) == 3
    ax = plot_incremental_transactions(track, actual=actual.diff().fillna(actual))
    np.testing.assert_allclose(ax.lines[1].get_ydata(), track["incremental"])
    _, axes = plt.subplots(1, 2)
    plot_frequency_recency_matrix(frequency_recency_matrix(model), ax=axes[0])
    plot_probability_alive_matrix(probability_alive_matrix(model), ax=axes[1])
    assert len(axes[1].images) == 1
    ax = plot_probability_alive_history(probability_alive_history(model, [3.0, 8.0], T=39.0))
    assert ax.get_ylabel() == "P(alive)"
    ax = plot_mixing_distributions(mixing_distributions(model))
    assert len(ax.lines) == 2
    plt.close("all")


def test_calibration_table_errors(model: BetaGeoModel) -> None:
    with pytest.raises(ValueError, match=r"missing required column\(s\) \['frequency_holdout'"):
        calibration_holdout_table(model, load_cdnow_holdout().drop(columns=["frequency_holdout"]))
    with pytest.raises(TypeError, match=r"'data' must be a pandas DataFrame"):
        frequency_distribution(model, pd.Series([1, 2]))


def test_customer_lifetime_value_by_hand(model: BetaGeoModel) -> None:
    rows = load_cdnow_summary().head(20)
    # no discounting and one period: DERT is simply the expected purchases
    dert = model.discounted_expected_transactions(rows, horizon=52, discount_rate=0.0, period_length=52)
    np.testing.assert_allclose(dert, model.expected_purchases(52, rows))
    # four 13-week periods at 2% each: sum of discounted increments
    d = model.discounted_expected_transactions(rows, horizon=52, discount_rate=0.02, period_length=13)
    cum = np.column_stack([model.expected_purchases(w, rows) for w in (0, 13, 26, 39, 52)])
    by_hand = (np.diff(cum, axis=1) / 1.02 ** np.arange(1, 5)).sum(axis=1)
    np.testing.assert_allclose(d, by_hand, rtol=1e-10)
    clv = model.customer_lifetime_value(30.0, rows, horizon=52, discount_rate=0.02, period_length=13, margin=0.5)
    np.testing.assert_allclose(clv, 15.0 * d)
    spend = pd.Series(np.arange(20.0), index=rows.index[::-1])
    with pytest.raises(ValueError, match=r"'spend' is a Series whose index differs"):
        model.customer_lifetime_value(spend, rows, horizon=52, discount_rate=0.02)
