"""Regular buyers: BG/CNBD-k, MBG/CNBD-k, the regularity diagnostic and the Erlang-k generator."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlab.clv import (
    BetaGeoCNBDModel,
    BetaGeoModel,
    ModifiedBetaGeoCNBDModel,
    ModifiedBetaGeoModel,
    ParetoNBDModel,
    estimate_regularity,
    intertransaction_times,
    log_intertransaction_times,
    regularity_profile,
)
from crmlab.datasets import load_cdnow_summary
from crmlab.rfm import calibration_and_holdout_split, rfm_summary
from crmlab.synth.btyd_worlds import simulate_cnbd

TRUTH = {"r": 2.0, "alpha": 8.0, "a": 1.0, "b": 6.0}


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    return load_cdnow_summary()


def _world(k: int, n: int = 3000, seed: int = 0, mbg: bool = False) -> pd.DataFrame:
    T = np.random.default_rng(seed).uniform(26.0, 52.0, n)
    return simulate_cnbd(n, **TRUTH, k=k, T=T, future=39.0, dropout_at_zero=mbg, random_state=seed + 100)


@pytest.mark.parametrize(("cnbd", "classic"), [(BetaGeoCNBDModel, BetaGeoModel),
                                                 (ModifiedBetaGeoCNBDModel, ModifiedBetaGeoModel)])
def test_k1_is_the_classic_model(cdnow, cnbd, classic):
    ref = classic().fit(cdnow)
    one = cnbd(k=1).fit(cdnow)
    assert one.log_likelihood_ == pytest.approx(ref.log_likelihood_, abs=1e-6)
    # at the same parameters the per-customer log-likelihoods agree to 1e-8
    one.params_ = ref.params_.copy()
    diff = one.individual_log_likelihood(cdnow) - ref.individual_log_likelihood(cdnow)
    assert diff.abs().max() < 1e-8
    assert abs(diff.sum()) < 1e-8
    # and so do the predictions
    np.testing.assert_allclose(one.expected_purchases(39, cdnow), ref.expected_purchases(39, cdnow), rtol=1e-7)
    np.testing.assert_allclose(one.probability_alive(cdnow), ref.probability_alive(cdnow), atol=1e-10)
    active = 1.0 - ref.probability_of_purchases(0, 39, cdnow)
    np.testing.assert_allclose(one.probability_active(39, cdnow), active, atol=1e-9)
    t = np.array([5.0, 39.0, 78.0])
    np.testing.assert_allclose(one.expected_purchases_new_customer(t), ref.expected_purchases_new_customer(t),
                               rtol=1e-9)


@pytest.mark.parametrize(("k", "mbg"), [(2, False), (3, False), (2, True)])
def test_recovers_k_and_parameters(k, mbg):
    df = _world(k, seed=k + 10 * mbg, mbg=mbg)
    model = (ModifiedBetaGeoCNBDModel if mbg else BetaGeoCNBDModel)(max_k=5).fit(df)
    assert model.k_ == k
    assert model.k_table_["log_likelihood"].idxmax() == k
    z = (model.params_ - pd.Series(TRUTH)) / model.standard_errors_
    assert (z.abs() < 3.5).all(), z.to_dict()


def test_predictions_match_simulated_truth():
    df = _world(3, n=4000, seed=5)
    model = BetaGeoCNBDModel(k=3).fit(df)
    e = model.expected_purchases(39.0, df)
    se = df["frequency_holdout"].std() / np.sqrt(len(df))
    assert abs(e.mean() - df["frequency_holdout"].mean()) < 3.5 * se
    pa = model.probability_alive(df)
    assert abs(pa.mean() - df["alive"].mean()) < 0.02
    act = model.probability_active(39.0, df)
    assert abs(act.mean() - df["active_holdout"].mean()) < 0.02
    # conditional predictions order customers: more past purchases -> more expected
    assert np.corrcoef(e, df["frequency_holdout"])[0, 1] > 0.5


@pytest.mark.filterwarnings("ignore:.*barely identified")
def test_regularity_pays_on_regular_buyers_and_does_not_lose_on_poisson():
    for k, must_win in ((3, True), (1, False)):
        df = _world(k, n=3000, seed=20 + k)
        y = df["frequency_holdout"]
        mae = {}
        for name, model in (("cnbd", BetaGeoCNBDModel(max_k=4)), ("bg", BetaGeoModel()),
                            ("pareto", ParetoNBDModel(penalizer_coef=1e-3))):  # s -> 0 on BG-type worlds
            model.fit(df)
            mae[name] = float((model.expected_purchases(39.0, df) - y).abs().mean())
        if must_win:
            assert mae["cnbd"] < mae["bg"] and mae["cnbd"] < mae["pareto"], mae
            assert mae["cnbd"] < 0.95 * mae["bg"], mae
        else:
            assert mae["cnbd"] <= 1.01 * min(mae["bg"], mae["pareto"]), mae


def test_choosing_k_needs_litt(cdnow):
    with pytest.raises(ValueError, match="'litt'"):
        BetaGeoCNBDModel().fit(cdnow)
    bad = cdnow.assign(litt=np.where(cdnow["frequency"] == 0, 1.0, 0.0))
    with pytest.raises(ValueError, match="without repeat purchases"):
        BetaGeoCNBDModel().fit(bad)
    with pytest.raises(ValueError, match="'k'"):
        BetaGeoCNBDModel(k=0).fit(cdnow)


def test_intertransaction_times_and_litt():
    tx = pd.DataFrame({
        "customer_id": [1, 1, 1, 1, 2, 2, 3],
        "date": pd.to_datetime(["2020-01-01", "2020-01-03", "2020-01-03", "2020-01-10",
                                "2020-01-05", "2020-03-01", "2020-01-02"]),
    })
    gaps = intertransaction_times(tx, observation_end="2020-02-01")
    assert gaps["customer_id"].tolist() == [1, 1]
    assert gaps["gap"].tolist() == [2.0, 7.0]  # same-day purchases merged; customer 2's gap after the end dropped
    litt = log_intertransaction_times(gaps, pd.Index([1, 2, 3], name="customer_id"))
    assert litt.tolist() == pytest.approx([np.log(2.0) + np.log(7.0), 0.0, 0.0])
    weeks = intertransaction_times(tx, time_scaler=7.0)
    assert weeks.loc[weeks["customer_id"] == 2, "gap"].item() == pytest.approx(56 / 7)
    with pytest.raises(ValueError, match="not in 'customers'"):
        log_intertransaction_times(gaps, pd.Index([2, 3]))


def _random_log(seed: int, n_customers: int = 300) -> pd.DataFrame:
    """A log with same-day repeats, one-time buyers and string ids."""
    rng = np.random.default_rng(seed)
    n = rng.integers(1, 9, n_customers)
    ids = np.repeat([f"c{i}" for i in range(n_customers)], n)
    days = rng.integers(0, 200, n.sum())
    return pd.DataFrame({"customer_id": ids, "date": pd.Timestamp("2021-01-01") + pd.to_timedelta(days, unit="D"),
                         "amount": rng.gamma(2.0, 10.0, n.sum())}).sample(frac=1.0, random_state=seed)


@pytest.mark.parametrize(("freq", "scaler"), [("D", 1.0), ("D", 7.0), ("W", 1.0)])
def test_rfm_summary_adds_litt_equal_to_the_gap_route(freq, scaler):
    log = _random_log(4)
    summary = rfm_summary(log, freq=freq, time_scaler=scaler, litt=True)
    gaps = intertransaction_times(log, freq=freq, time_scaler=scaler)
    expected = log_intertransaction_times(gaps, summary.index)
    np.testing.assert_allclose(summary["litt"], expected, rtol=1e-12, atol=1e-12)
    assert (summary.loc[summary["frequency"] == 0, "litt"] == 0).all()
    assert summary["litt"].abs().max() > 1.0  # the check compares real values, not zeros
    plain = rfm_summary(log, freq=freq, time_scaler=scaler)
    pd.testing.assert_frame_equal(summary.drop(columns="litt"), plain)


def test_rfm_summary_litt_by_hand_and_in_the_split():
    tx = pd.DataFrame({
        "customer_id": [1, 1, 1, 1, 2, 2, 3],
        "date": pd.to_datetime(["2020-01-01", "2020-01-03", "2020-01-03", "2020-01-10",
                                "2020-01-05", "2020-03-01", "2020-01-02"]),
        "amount": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
    })
    got = rfm_summary(tx, litt=True, time_scaler=7.0)["litt"]
    assert got.tolist() == pytest.approx([np.log(2 / 7) + np.log(1.0), np.log(56 / 7), 0.0])
    split = calibration_and_holdout_split(tx, "2020-02-01", litt=True)
    assert split["litt_cal"].tolist() == pytest.approx([np.log(2.0) + np.log(7.0), 0.0, 0.0])
    assert "litt_cal" not in calibration_and_holdout_split(tx, "2020-02-01").columns


# Uniform random days identify no dropout process; the test is about the two routes to ``litt`` agreeing.
@pytest.mark.filterwarnings("ignore:.*barely identified:crmlab.CrmlabWarning")
def test_a_cnbd_model_fits_straight_from_rfm_summary():
    log = _random_log(5, n_customers=400)
    summary = rfm_summary(log, time_scaler=7.0, litt=True)
    model = BetaGeoCNBDModel(max_k=3).fit(summary)
    by_hand = summary.assign(litt=log_intertransaction_times(intertransaction_times(log, time_scaler=7.0),
                                                             summary.index))
    np.testing.assert_allclose(BetaGeoCNBDModel(max_k=3).fit(by_hand).k_table_["log_likelihood"],
                               model.k_table_["log_likelihood"], rtol=1e-10)


def test_regularity_estimate_recovers_the_erlang_order():
    rng = np.random.default_rng(3)
    n_cust, per = 800, 6
    rate = rng.gamma(2.0, 1.0, n_cust)
    for k in (1, 2, 4):
        g = rng.gamma(k, 1.0 / np.repeat(rate, per))
        gaps = pd.DataFrame({"customer_id": np.repeat(np.arange(n_cust), per), "gap": g})
        est = estimate_regularity(gaps)
        assert abs(est["k_hat"] - k) < 3.5 * est["std_error"], est.to_dict()
        assert est["k_integer"] == k
        prof = regularity_profile(gaps, max_k=6)
        assert prof["log_likelihood"].idxmax() == k
        assert prof["delta"].max() == 0.0


def test_simulated_litt_and_counts_are_consistent():
    df = _world(2, n=500, seed=9)
    assert (df.loc[df["frequency"] == 0, ["recency", "litt"]] == 0).all().all()
    assert (df["recency"] <= df["T"]).all()
    assert (df.loc[~df["alive"], "frequency_holdout"] == 0).all()
    again = _world(2, n=500, seed=9)
    pd.testing.assert_frame_equal(df, again)


def test_regularity_plot_marks_the_best_k():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from crmlab.plotting import plot_regularity

    rng = np.random.default_rng(8)
    g = rng.gamma(3, 1.0 / np.repeat(rng.gamma(2.0, 1.0, 300), 5))
    prof = regularity_profile(pd.DataFrame({"customer_id": np.repeat(np.arange(300), 5), "gap": g}), max_k=6)
    ax = plot_regularity(prof)
    assert list(ax.lines[0].get_ydata()) == pytest.approx(prof["delta"].tolist())
    assert "best k = 3" in ax.get_title()
    plt.close("all")


def test_simulated_gaps_match_litt_and_give_k():
    df, gaps = simulate_cnbd(1500, **TRUTH, k=3, T=52.0, return_gaps=True, random_state=2)
    litt = log_intertransaction_times(gaps, df.index)
    np.testing.assert_allclose(litt, df["litt"], atol=1e-9)
    assert (gaps.groupby("customer_id").size().reindex(df.index, fill_value=0) == df["frequency"]).all()
    assert estimate_regularity(gaps)["k_integer"] == 3
