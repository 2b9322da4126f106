"""Tests of crmlab.complaints: the complaint iceberg, service recovery and complaint-log analysis."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from crmlab.complaints import (
    ComplaintIceberg,
    ServiceRecovery,
    complaint_log_summary,
    repurchase_after_complaint,
    repurchase_summary,
)
from crmlab.plotting import plot_complaint_iceberg


@pytest.fixture
def log():
    return pd.DataFrame(
        {
            "complaint_id": [1, 2, 3, 4],
            "customer_id": [10, 11, 10, 12],
            "date": pd.to_datetime(["2024-01-10", "2024-02-01", "2024-03-01", "2024-12-20"]),
            "category": ["delivery", "billing", "delivery", "delivery"],
            "resolved": [True, False, True, True],
            "resolution_days": [2.0, np.nan, 6.0, 1.0],
        }
    )


@pytest.fixture
def tx():
    return pd.DataFrame(
        {
            "transaction_id": [1, 2, 3, 4, 5],
            "customer_id": [10, 10, 10, 11, 12],
            "date": pd.to_datetime(["2024-01-01", "2024-01-10", "2024-02-15", "2024-09-01", "2024-12-25"]),
            "amount": [10.0, 20.0, 5.0, 8.0, 9.0],
        }
    )


# ---------------------------------------------------------------- iceberg
def test_iceberg_exact_expectations():
    ice = ComplaintIceberg()
    assert ice.hidden_per_complaint == pytest.approx(24.0)
    assert ice.expected_complaints(100) == pytest.approx(4.0)
    assert ice.expected_unhappy(4) == pytest.approx(100.0)
    assert ComplaintIceberg(0.25).hidden_per_complaint == pytest.approx(3.0)
    lo, hi = ice.unhappy_interval(4, level=0.9)
    assert lo < 100 < hi


def test_iceberg_simulation_matches_expectation():
    ice = ComplaintIceberg(0.04)
    sim = ice.simulate(1000, n_sims=4000, random_state=1)
    se = np.sqrt(1000 * 0.04 * 0.96 / 4000)
    assert abs(sim["complaints"].mean() - 40.0) < 4 * se
    assert (sim["complaints"] + sim["hidden"] == 1000).all()
    pd.testing.assert_frame_equal(sim, ice.simulate(1000, n_sims=4000, random_state=1))


def test_iceberg_validation():
    with pytest.raises(ValueError, match="'complaint_rate' must be a number > 0.0"):
        ComplaintIceberg(0.0)
    with pytest.raises(ValueError, match="'n_unhappy' must be an integer >= 0"):
        ComplaintIceberg().simulate(-1)


# ---------------------------------------------------------------- service recovery
def test_service_recovery_closed_form_and_simulation():
    rec = ServiceRecovery(
        complaint_rate=0.2, resolve_rate=0.5, retention_silent=0.5, retention_resolved=0.9, retention_unresolved=0.3
    )
    assert rec.retention_rate == pytest.approx(0.8 * 0.5 + 0.2 * (0.5 * 0.9 + 0.5 * 0.3))
    out = rec.expected_outcomes(1000)
    assert out["customers"].sum() == pytest.approx(1000)
    assert out["retained"].sum() == pytest.approx(1000 * rec.retention_rate)
    sim = rec.simulate(1000, n_sims=3000, random_state=4)
    assert abs(sim["retained"].mean() / 1000 - rec.retention_rate) < 0.003


def test_welcoming_complaints_pays_when_recovery_beats_silence():
    low, high = ServiceRecovery(complaint_rate=0.04), ServiceRecovery(complaint_rate=0.3)
    assert high.retention_rate > low.retention_rate  # 0.8*0.9 + 0.2*0.5 = 0.82 > 0.6
    poor = dict(resolve_rate=0.1, retention_unresolved=0.3)
    assert ServiceRecovery(complaint_rate=0.3, **poor).retention_rate < ServiceRecovery(0.04, **poor).retention_rate


# ---------------------------------------------------------------- complaint log
def test_complaint_log_summary_hand_check(log):
    s = complaint_log_summary(log)
    assert s.loc["all", "complaints"] == 4
    assert s.loc["all", "customers"] == 3
    assert s.loc["all", "share_resolved"] == pytest.approx(0.75)
    assert s.loc["all", "mean_days_to_resolve"] == pytest.approx(3.0)
    assert s.loc["all", "median_days_to_resolve"] == pytest.approx(2.0)
    by = complaint_log_summary(log, by="category")
    assert by.loc["delivery", "complaints"] == 3
    assert by.loc["billing", "share_resolved"] == 0.0


def test_repurchase_after_complaint_hand_check(log, tx):
    out = repurchase_after_complaint(log, tx, window_days=60, observation_end="2024-12-31")
    assert out["complaint_id"].tolist() == [1, 2, 3, 4]
    # complaint 1 on 2024-01-10: a purchase the same day does not count; next is 2024-02-15 (36 days)
    assert out["days_to_repurchase"].iloc[0] == 36.0
    assert bool(out["repurchased"].iloc[0])
    # complaint 2: next purchase after 213 days, outside the window
    assert out["days_to_repurchase"].iloc[1] == 213.0 and not out["repurchased"].iloc[1]
    # complaint 3: never bought again
    assert np.isnan(out["days_to_repurchase"].iloc[2]) and not out["repurchased"].iloc[2]
    # complaint 4: window runs past the end of data -> censored
    assert out["window_complete"].tolist() == [True, True, True, False]
    summ = repurchase_summary(out)
    assert summ.loc[True, "complaints"] == 3
    assert summ.loc[True, "complete"] == 2
    assert summ.loc[True, "repurchase_rate"] == pytest.approx(0.5)
    assert summ.loc[False, "repurchase_rate"] == pytest.approx(0.0)
    assert log["date"].iloc[0] == pd.Timestamp("2024-01-10")  # input untouched


def test_complaint_log_errors(log, tx):
    bad = log.assign(resolution_days=[2.0, np.nan, np.nan, 1.0])
    with pytest.raises(ValueError, match=r"resolved complaint\(s\) have no 'resolution_days'.*\[3\]"):
        complaint_log_summary(bad)
    with pytest.raises(ValueError, match="missing required column"):
        complaint_log_summary(log.drop(columns="resolved"))
    with pytest.raises(TypeError, match="'resolved' of 'complaints' must be boolean"):
        complaint_log_summary(log.assign(resolved=[1, 0, 1, 1]))
    with pytest.raises(ValueError, match="negative 'resolution_days'"):
        complaint_log_summary(log.assign(resolution_days=[-2.0, np.nan, 6.0, 1.0]))
    with pytest.raises(ValueError, match="'window_days' must be an integer >= 1"):
        repurchase_after_complaint(log, tx, window_days=0)
    with pytest.raises(TypeError, match="column 'resolution_days' of 'complaints' must be numeric"):
        complaint_log_summary(log.assign(resolution_days=["2", None, "6", "1"]))
    with pytest.raises(ValueError, match="'observation_end' must be a date"):
        repurchase_after_complaint(log, tx, observation_end="not a date")
    with pytest.raises(ValueError, match=r"1 row\(s\) of 'complaints' have 'date' after observation_end.*\[4\]"):
        repurchase_after_complaint(log, tx, observation_end="2024-12-01")


def test_on_generated_world(complaints_world):
    world = complaints_world
    comp = world.complaints
    summary = complaint_log_summary(comp, by="channel")
    assert summary["complaints"].sum() == len(comp)
    table = repurchase_after_complaint(comp, world.transactions, window_days=90, observation_end=world.config.end)
    assert len(table) == len(comp)
    # every complaint's next purchase really belongs to that customer and comes after the complaint
    hit = table.dropna(subset=["next_purchase"])
    assert (hit["next_purchase"] > hit["date"]).all()
    # the world's iceberg: among dissatisfied customers about 4% complained
    truth = world.truth
    assert truth.loc[truth["dissatisfied"], "complained"].mean() < 0.15


def test_iceberg_plot():
    ax = plot_complaint_iceberg(ComplaintIceberg(), 500)
    assert any("480 unhappy" in t.get_text() for t in ax.texts)


# --- the service-recovery effect in the generator (issue 18 §1) ------------------------------------------------

def _complaint_world(n=4000, seed=3):
    from crmlab.synth import make_customer_world

    return make_customer_world(n, random_state=seed, complaint_share_dissatisfied=0.4, resolution_share=0.5)


def test_service_recovery_removes_purchases_after_the_complaint_that_ends_the_relationship():
    from crmlab.synth.complaints import apply_service_recovery

    world = _complaint_world()
    n_tx = len(world.transactions)
    out = apply_service_recovery(world, lost_if_unresolved=1.0, lost_if_resolved=0.0, random_state=1)
    assert len(world.transactions) == n_tx  # input untouched
    unresolved = world.complaints[~world.complaints["resolved"]].groupby("customer_id")["date"].min()
    tx = out.transactions.merge(unresolved.rename("cut"), left_on="customer_id", right_index=True)
    assert not (tx["date"] > tx["cut"]).any()
    lost = out.truth.set_index("customer_id")["lost_after_complaint"]
    assert set(lost[lost].index) == set(unresolved.index)
    assert not out.truth.loc[out.truth["lost_after_complaint"], "alive"].any()
    assert (out.truth.loc[out.truth["lost_after_complaint"], "residual_value"] == 0).all()
    only_resolved = set(world.complaints["customer_id"]) - set(unresolved.index)
    before = world.transactions[world.transactions["customer_id"].isin(only_resolved)]
    after = out.transactions[out.transactions["customer_id"].isin(only_resolved)]
    assert len(before) == len(after) > 0


def test_service_recovery_no_effect_keeps_the_world_and_same_seed_same_bytes():
    from crmlab.synth.complaints import apply_service_recovery

    world = _complaint_world(1500)
    same = apply_service_recovery(world, lost_if_unresolved=0.0, lost_if_resolved=0.0, random_state=2)
    pd.testing.assert_frame_equal(same.transactions, world.transactions)
    a = apply_service_recovery(world, random_state=5)
    b = apply_service_recovery(world, random_state=5)
    pd.testing.assert_frame_equal(a.transactions, b.transactions)
    pd.testing.assert_frame_equal(a.truth, b.truth)


def test_service_recovery_effect_is_recovered_by_the_repurchase_analysis():
    """Ground truth: the repurchase-rate ratio unresolved/resolved moves by (1 - l_u) / (1 - l_r)."""
    from crmlab.synth.complaints import apply_service_recovery

    world = _complaint_world(20000, seed=11)

    def ratio(w):
        after = repurchase_after_complaint(w.complaints, w.transactions, window_days=90, observation_end="2024-12-31")
        rates = repurchase_summary(after, by="resolved")["repurchase_rate"]
        return rates.loc[False] / rates.loc[True]

    base = ratio(world)
    effect = ratio(apply_service_recovery(world, lost_if_unresolved=0.6, lost_if_resolved=0.1, random_state=4))
    assert effect / base == pytest.approx((1 - 0.6) / (1 - 0.1), abs=0.08)


@pytest.mark.parametrize("bad", [-0.1, 1.5])
def test_service_recovery_rejects_bad_probabilities(bad):
    from crmlab.synth.complaints import apply_service_recovery

    with pytest.raises(ValueError, match="apply_service_recovery\\(\\): 'lost_if_unresolved'"):
        apply_service_recovery(_complaint_world(200), lost_if_unresolved=bad)
