"""Tests for crmlab.rfm: summaries (vs pandas and published CDNOW), scores, segments, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmlab.datasets import load_cdnow_holdout, load_cdnow_sample, load_cdnow_summary
from crmlab.rfm import (
    DEFAULT_SEGMENT_RULES,
    calibration_and_holdout_split,
    rfm_bin_sizes,
    rfm_scores,
    rfm_segments,
    rfm_summary,
)

# --- an independent, straightforward pandas computation -----------------------------------------


def pandas_summary(log: pd.DataFrame, end: pd.Timestamp, freq: str = "D") -> pd.DataFrame:
    """Lifetimes-style summary with plain pandas groupby (the reference implementation)."""
    period = log["date"].dt.to_period(freq)
    per = log.assign(period=period).groupby(["customer_id", "period"], as_index=False)["amount"].sum()
    per = per.sort_values(["customer_id", "period"])
    end_p = pd.Timestamp(end).to_period(freq)

    def ordinal(p: pd.Series) -> np.ndarray:
        return np.array([x.ordinal for x in p])

    per["ord"] = ordinal(per["period"])
    g = per.groupby("customer_id")
    first, last, n = g["ord"].min(), g["ord"].max(), g.size()
    first_value = per.loc[per["ord"] == per["customer_id"].map(first), :].set_index("customer_id")["amount"]
    total = g["amount"].sum()
    freq_ = n - 1
    monetary = ((total - first_value) / freq_.where(freq_ > 0)).fillna(0.0)
    return pd.DataFrame({"frequency": freq_, "recency": (last - first).astype(float),
                         "T": (end_p.ordinal - first).astype(float), "monetary_value": monetary})


logs = st.lists(
    st.tuples(st.integers(1, 8), st.integers(0, 60), st.floats(0.5, 500.0, allow_nan=False)),
    min_size=1, max_size=60,
)


def _frame(rows: list[tuple[int, int, float]]) -> pd.DataFrame:
    ids, days, amounts = zip(*rows, strict=True)
    return pd.DataFrame({"customer_id": np.array(ids, dtype=np.int64),
                         "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(np.array(days), unit="D"),
                         "amount": np.array(amounts, dtype=float)})


@given(logs, st.sampled_from(["D", "W", "M"]), st.integers(0, 40))
def test_summary_matches_pandas_on_random_logs(rows, freq, extra_days):
    log = _frame(rows)
    end = log["date"].max() + pd.Timedelta(days=extra_days)
    got = rfm_summary(log, observation_end=end, freq=freq)
    want = pandas_summary(log, end, freq)
    pd.testing.assert_index_equal(got.index, want.index.rename("customer_id"))
    np.testing.assert_array_equal(got["frequency"].to_numpy(), want["frequency"].to_numpy())
    np.testing.assert_allclose(got[["recency", "T"]].to_numpy(), want[["recency", "T"]].to_numpy())
    np.testing.assert_allclose(got["monetary_value"].to_numpy(), want["monetary_value"].to_numpy(), rtol=1e-9)


@given(logs)
def test_string_ids_and_shuffled_rows_give_the_same_summary(rows):
    log = _frame(rows)
    shuffled = log.sample(frac=1.0, random_state=0)
    as_text = shuffled.assign(customer_id=shuffled["customer_id"].map(lambda i: f"c{i:03d}"))
    a = rfm_summary(log)
    b = rfm_summary(as_text)
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy())
    assert list(b.index) == [f"c{i:03d}" for i in a.index]


def test_hand_checked_example_merges_same_day_purchases():
    log = pd.DataFrame({"customer_id": [7, 7, 7, 7, 9],
                        "date": pd.to_datetime(["2024-03-01", "2024-03-01", "2024-03-08", "2024-03-15", "2024-03-10"]),
                        "amount": [10.0, 5.0, 20.0, 40.0, 3.0]})
    out = rfm_summary(log, observation_end="2024-03-31", classic=True)
    row = out.loc[7]
    assert row["frequency"] == 2 and row["recency"] == 14 and row["T"] == 30
    assert row["monetary_value"] == pytest.approx(30.0)
    assert row["n_purchases"] == 3 and row["total_value"] == 75 and row["mean_value"] == pytest.approx(25.0)
    assert row["time_since_last"] == 16
    assert out.loc[9, "frequency"] == 0 and out.loc[9, "monetary_value"] == 0
    first = rfm_summary(log, observation_end="2024-03-31", include_first_transaction=True)
    assert first.loc[7, "frequency"] == 3 and first.loc[7, "monetary_value"] == pytest.approx(25.0)
    weeks = rfm_summary(log, observation_end="2024-03-31", time_scaler=7)
    assert weeks.loc[7, "T"] == pytest.approx(30 / 7)


def test_input_is_not_mutated_and_no_amount_column_is_allowed():
    log = pd.DataFrame({"customer_id": [1, 2], "date": ["2024-01-01", "2024-01-05"], "amount": [1.0, 2.0]})
    before = log.copy()
    out = rfm_summary(log, amount_col=None)
    pd.testing.assert_frame_equal(log, before)
    assert list(out.columns) == ["frequency", "recency", "T"]


def test_cdnow_summary_reproduces_published_table():
    sample = load_cdnow_sample()
    calib = sample[sample["date"] <= "1997-09-30"]
    got = rfm_summary(calib, amount_col="dollar_value", observation_end="1997-09-30", time_scaler=7,
                      allow_nonpositive=True)
    ref = load_cdnow_summary().set_index("customer_id")
    assert len(got) == 2357 and int(got["frequency"].sum()) == 2457
    np.testing.assert_array_equal(got["frequency"].to_numpy(), ref["frequency"].to_numpy())
    for col in ("recency", "T", "monetary_value"):  # published with two decimals
        np.testing.assert_allclose(got[col].to_numpy(), ref[col].to_numpy(), atol=0.0051)


def test_cdnow_calibration_holdout_split_reproduces_published_table():
    got = calibration_and_holdout_split(load_cdnow_sample(), "1997-09-30", amount_col="dollar_value",
                                        observation_end="1998-06-30", time_scaler=7, allow_nonpositive=True)
    ref = load_cdnow_holdout().set_index("customer_id")
    for col in ref.columns:
        np.testing.assert_allclose(got[col].to_numpy(), ref[col].to_numpy(), atol=1e-9, err_msg=col)


@given(logs, st.integers(5, 50))
def test_split_agrees_with_summaries_of_each_window(rows, cut_day):
    log = _frame(rows)
    cut = pd.Timestamp("2024-01-01") + pd.Timedelta(days=cut_day)
    end = pd.Timestamp("2024-03-31")
    if not (log["date"] <= cut).any():
        return
    split = calibration_and_holdout_split(log, cut, observation_end=end)
    cal = rfm_summary(log[log["date"] <= cut], observation_end=cut)
    np.testing.assert_allclose(split[["frequency_cal", "recency_cal", "T_cal", "monetary_value_cal"]].to_numpy(),
                               cal.to_numpy())
    hold = log[(log["date"] > cut) & log["customer_id"].isin(cal.index)]
    want = hold.groupby("customer_id")["date"].nunique().reindex(cal.index, fill_value=0)
    np.testing.assert_array_equal(split["frequency_holdout"].to_numpy(), want.to_numpy())
    assert (split["duration_holdout"] == (end - cut).days).all()


# --- errors ------------------------------------------------------------------------------------------

GOOD = pd.DataFrame({"customer_id": [1, 1, 2], "date": pd.to_datetime(["2024-01-01", "2024-01-03", "2024-01-02"]),
                     "amount": [5.0, 6.0, 7.0]})


@pytest.mark.parametrize(
    ("change", "error", "pattern"),
    [
        (lambda d: d.drop(columns="amount"), ValueError, r"missing required column\(s\) \['amount'\]"),
        (lambda d: d.assign(customer_id=[1.0, np.nan, 2.0]), ValueError, "column 'customer_id'.*missing value"),
        (lambda d: d.assign(date=[pd.NaT, d["date"][1], d["date"][2]]), ValueError, "column 'date'.*missing value"),
        (lambda d: d.assign(amount=[5.0, -1.0, 7.0]), ValueError, "a negative 'amount'.*allow_negative=True"),
        (lambda d: d.assign(date=["2024-01-01", "not a date", "2024-01-02"]), ValueError, "could not be parsed"),
        (lambda d: d.iloc[:0], ValueError, "'transactions' is empty"),
        (lambda d: d.assign(amount=["a", "b", "c"]), TypeError, "'amount'.*must be numeric"),
    ],
)
def test_bad_logs_raise_clear_errors(change, error, pattern):
    with pytest.raises(error, match=pattern):
        rfm_summary(change(GOOD.copy()))


def test_observation_end_date_includes_that_whole_day():
    log = pd.DataFrame({"customer_id": [1, 1], "date": pd.to_datetime(["2024-01-01 09:00", "2024-01-31 15:30"]),
                        "amount": [1.0, 2.0]})
    out = rfm_summary(log, observation_end="2024-01-31")
    assert out.loc[1, "recency"] == 30 and out.loc[1, "T"] == 30
    with pytest.raises(ValueError, match="after observation_end=2024-01-30"):
        rfm_summary(log, observation_end="2024-01-30")


def test_other_argument_errors():
    with pytest.raises(ValueError, match=r"after observation_end=2024-01-02.*first customer_id values: \[1\]"):
        rfm_summary(GOOD, observation_end="2024-01-02")
    with pytest.raises(TypeError, match="'transactions' must be a pandas DataFrame"):
        rfm_summary(GOOD.to_dict())
    with pytest.raises(ValueError, match="'freq' must be one of"):
        rfm_summary(GOOD, freq="Q")
    with pytest.raises(ValueError, match="'time_scaler' must be a number > 0"):
        rfm_summary(GOOD, time_scaler=0)
    with pytest.raises(ValueError, match="'calibration_end' must be before"):
        calibration_and_holdout_split(GOOD, "2024-02-01")
    with pytest.raises(ValueError, match="'calibration_end' must not precede every purchase"):
        calibration_and_holdout_split(GOOD, "2023-12-01")
    assert rfm_summary(GOOD.assign(amount=[5.0, -1.0, 7.0]), allow_nonpositive=True).loc[1, "monetary_value"] == -1
    assert rfm_summary(GOOD.assign(amount=[5.0, -1.0, 7.0]), allow_negative=True).loc[1, "monetary_value"] == -1
    # a zero-price purchase is a purchase: counted by default
    free = rfm_summary(GOOD.assign(amount=[5.0, 0.0, 7.0]))
    assert free.loc[1, "frequency"] == 1 and free.loc[1, "monetary_value"] == 0.0


# --- scores and segments -------------------------------------------------------------------------------


def test_value_rule_gives_tied_customers_the_same_score_and_rank_rule_equal_bins():
    s = pd.DataFrame({"time_since_last": np.arange(10.0), "n_purchases": [1] * 6 + [2, 3, 4, 5],
                      "mean_value": np.linspace(1, 10, 10)})
    by_value = rfm_scores(s)
    assert by_value["F"].iloc[:6].nunique() == 1
    sizes = rfm_bin_sizes(by_value)
    assert sizes["F"].sum() == 10 and sizes.loc[1, "F"] == 0  # six ties share their average rank's bin
    by_rank = rfm_scores(s, method="rank")
    assert by_rank["F"].value_counts().tolist() == [2] * 5  # equal bins, ties split by row order
    assert by_rank["F"].iloc[:6].nunique() > 1
    assert by_value["R"].tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]  # recent = small time since last = high R


def test_nested_scores_rank_within_recency_groups():
    s = pd.DataFrame({"time_since_last": [1, 1, 1, 1, 9, 9, 9, 9], "n_purchases": [1, 2, 3, 4, 10, 20, 30, 40],
                      "mean_value": [1.0] * 8})
    nested = rfm_scores(s, n_bins=2, nested=True)
    assert nested["F"].tolist() == [1, 1, 2, 2, 1, 1, 2, 2]
    assert rfm_scores(s, n_bins=2)["F"].tolist() == [1, 1, 1, 1, 2, 2, 2, 2]


def test_cdnow_one_time_buyers_share_one_frequency_score():
    sample = load_cdnow_sample()
    s = rfm_summary(sample, amount_col="dollar_value", classic=True, allow_nonpositive=True)
    scores = rfm_scores(s)
    once = s["n_purchases"] == 1
    assert once.mean() > 0.5 and scores.loc[once, "F"].nunique() == 1
    sizes = rfm_bin_sizes(scores)
    assert (sizes[["R", "F", "M"]].sum() == len(s)).all()
    assert sizes["F_share"].max() > 0.5  # far from equal fifths


def test_default_rules_cover_every_cell_and_custom_rules_plug_in():
    grid = pd.DataFrame([(r, f, m) for r in range(1, 6) for f in range(1, 6) for m in range(1, 6)],
                        columns=["R", "F", "M"])
    seg = rfm_segments(grid)
    assert seg["segment"].notna().all() and set(seg["segment"]) == set(DEFAULT_SEGMENT_RULES["segment"])
    assert seg.loc[(grid["R"] == 5) & (grid["F"] == 5), "segment"].eq("Champions").all()
    assert seg.loc[(grid["R"] == 1) & (grid["F"] == 1), "segment"].eq("Hibernating").all()
    mine = pd.DataFrame({"segment": ["VIP"], "r_min": [4], "r_max": [5], "f_min": [4], "f_max": [5],
                         "m_min": [4], "m_max": [5], "action": ["call them"]})
    with pytest.raises(ValueError, match="match no rule"):
        rfm_segments(grid, mine)
    out = rfm_segments(grid, mine, default="Other")
    assert (out["segment"] == "VIP").sum() == 8 and list(out["segment"].cat.categories) == ["VIP", "Other"]


def test_score_errors():
    s = pd.DataFrame({"time_since_last": [1.0], "n_purchases": [1], "mean_value": [2.0]})
    with pytest.raises(ValueError, match="'n_bins' must be an integer >= 2; got 1"):
        rfm_scores(s, n_bins=1)
    with pytest.raises(ValueError, match="'method' must be one of"):
        rfm_scores(s, method="quantile")
    with pytest.raises(ValueError, match="missing required column"):
        rfm_scores(s.drop(columns="mean_value"))


