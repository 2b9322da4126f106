"""Tests of crmlab.synth: contract, reproducibility, truth recovery, presets, validation, CLI, realism."""

from __future__ import annotations

import argparse
import hashlib
import sqlite3
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, special

from crmlab.datasets import dataset_info, list_datasets, load, load_mobi
from crmlab.synth import (
    ECSI_PATHS,
    LOYALTY_INDICATORS,
    SEGMENTS,
    SegmentParams,
    WorldConfig,
    btyd_expected_purchases,
    btyd_residual_value,
    make_customer_world,
    make_ecsi_survey,
    make_subscriptions,
)
from crmlab.synth.cli import add_arguments, run
from crmlab.synth.realism import (
    cdnow_twin_settings,
    compare_logs,
    compare_repeat_distributions,
    inter_purchase_gaps,
    purchase_counts,
    realism_summary,
    repeat_purchase_distribution,
    top_revenue_share,
)

MOBI_ITEMS = list(load_mobi().columns)


@pytest.fixture(scope="module")
def world(synth_world):
    return synth_world


@pytest.fixture(scope="module")
def big_world(big_loyal_world):
    """One segment, many customers: for recovering the configured parameters."""
    return big_loyal_world


# --- the column contract -------------------------------------------------------------------------------------

def test_contract_columns_and_dtypes(world):
    assert list(world.transactions.columns) == ["transaction_id", "customer_id", "date", "amount", "category",
                                                "discount"]
    tx = world.transactions
    assert tx["transaction_id"].tolist() == list(range(1, len(tx) + 1))
    assert str(tx["date"].dtype) == "datetime64[ns]"
    assert (tx["date"] == tx["date"].dt.normalize()).all()
    assert tx["date"].is_monotonic_increasing
    assert (tx["amount"] > 0).all() and tx["discount"].dtype == bool
    assert tx["customer_id"].dtype == np.int64
    assert world.customers["customer_id"].tolist() == list(range(1, 3001))
    for col in ("name", "gender", "birth_date", "age", "city", "region", "education", "occupation", "income_band",
                "household_size", "acquisition_date", "source_channel", "contact_channel", "email", "phone",
                "address", "favourite_category", "preferred_payment", "contact_cycle_days", "purchase_cycle_days"):
        assert col in world.customers.columns, col
    assert set(MOBI_ITEMS) | set(LOYALTY_INDICATORS) <= set(world.surveys.columns)
    items = world.surveys[MOBI_ITEMS + list(LOYALTY_INDICATORS)]
    assert items.to_numpy().min() >= 1 and items.to_numpy().max() <= 10
    assert list(world.complaints.columns) == ["complaint_id", "customer_id", "date", "category", "channel",
                                              "resolved", "resolution_days"]
    for col in ("customer_id", "segment", "purchase_rate", "dropout_p", "alive", "dropout_date", "satisfaction",
                "loyalty", "complained", "expected_purchases", "expected_spend", "residual_value"):
        assert col in world.truth.columns, col
    assert isinstance(world.config, WorldConfig)


def test_first_purchase_is_acquisition_and_dates_inside_window(world):
    tx, truth = world.transactions, world.truth
    first = tx.groupby("customer_id")["date"].min()
    assert (first.to_numpy() == truth["acquisition_date"].to_numpy()).all()
    assert tx["date"].min() >= pd.Timestamp("2023-01-01") and tx["date"].max() <= pd.Timestamp("2024-12-31")
    dead = ~truth["alive"]
    assert truth.loc[dead, "dropout_date"].notna().all() and truth.loc[~dead, "dropout_date"].isna().all()
    last = tx.groupby("customer_id")["date"].max().to_numpy()
    assert (last[dead.to_numpy()] == truth.loc[dead, "dropout_date"].to_numpy()).all()  # drop-out after a purchase
    assert (truth.loc[dead, ["expected_purchases", "residual_value"]] == 0).all().all()


@settings(max_examples=6, deadline=None)
@given(n=st.integers(1, 60), seed=st.integers(0, 10_000), preset=st.sampled_from(["retail", "b2b", "subscription"]))
def test_any_small_world_is_consistent(n, seed, preset):
    w = make_customer_world(n, start="2024-01-01", end="2024-06-30", preset=preset, random_state=seed)
    assert len(w.customers) == len(w.truth) == n
    assert w.transactions["customer_id"].between(1, n).all()
    assert w.transactions["customer_id"].nunique() == n  # everybody made the first purchase
    assert w.transactions["date"].between(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-06-30")).all()
    assert (w.transactions["amount"] > 0).all()


# --- reproducibility ------------------------------------------------------------------------------------------

def _digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_same_seed_gives_byte_identical_csv_and_other_seed_differs(tmp_path):
    kwargs = {"n_customers": 400, "preset": "retail"}
    make_customer_world(random_state=3, **kwargs).to_csv(tmp_path / "a")
    make_customer_world(random_state=3, **kwargs).to_csv(tmp_path / "b")
    make_customer_world(random_state=4, **kwargs).to_csv(tmp_path / "c")
    a, b, c = _digest(tmp_path / "a"), _digest(tmp_path / "b"), _digest(tmp_path / "c")
    assert a == b
    assert set(a) == {"customers.csv", "transactions.csv", "surveys.csv", "complaints.csv", "truth.csv",
                      "config.json"}
    assert all(a[k] != c[k] for k in a if k != "config.json")


def test_generator_random_state_advances():
    rng = np.random.default_rng(0)
    one = make_customer_world(50, random_state=rng)
    two = make_customer_world(50, random_state=rng)
    assert not one.transactions["amount"].equals(two.transactions["amount"])


def test_parquet_and_sqlite_exports(tmp_path, world):
    world.to_parquet(tmp_path / "pq")
    back = pd.read_parquet(tmp_path / "pq" / "transactions.parquet")
    pd.testing.assert_frame_equal(back, world.transactions)
    db = world.to_sqlite(tmp_path / "w.sqlite")
    with sqlite3.connect(db) as con:
        n_tx = con.execute("SELECT COUNT(*) FROM transactions").fetchone()[0]
        n_alive = con.execute("SELECT SUM(alive) FROM truth").fetchone()[0]
        preset = con.execute("SELECT value FROM config WHERE key = 'preset'").fetchone()[0]
    assert n_tx == len(world.transactions) and n_alive == int(world.truth["alive"].sum())
    assert preset == '"retail"'


# --- truth recovery -------------------------------------------------------------------------------------------

def _rfm(w):
    tx, truth = w.transactions, w.truth
    end = w.config.end + pd.Timedelta(days=1)
    g = tx.groupby("customer_id")["date"]
    first, last = g.min(), g.max()
    x = (g.size() - 1).to_numpy()
    t_x = ((last - first).dt.days / 7.0).to_numpy()
    T = ((end - first).dt.days / 7.0).to_numpy()
    assert (first.index.to_numpy() == truth["customer_id"].to_numpy()).all()
    return x, t_x, T


def _bgnbd_negll(log_params, x, t_x, T):
    r, alpha, a, b = np.exp(log_params)
    common = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    term1 = special.betaln(a, b + x) - special.betaln(a, b) + common - (r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        term2 = np.where(x > 0, special.betaln(a + 1, b + np.maximum(x, 1) - 1) - special.betaln(a, b) + common
                         - (r + x) * np.log(alpha + t_x), -np.inf)
    return -np.logaddexp(term1, term2).sum()


def test_bgnbd_fitted_on_one_segment_recovers_true_parameters(big_world):
    x, t_x, T = _rfm(big_world)
    true = big_world.config.params["loyal"]
    start = np.log([1.0, 1.0, 1.0, 1.0])
    fit = optimize.minimize(_bgnbd_negll, start, args=(x, t_x, T), method="L-BFGS-B")
    assert fit.success
    r, alpha, a, b = np.exp(fit.x)
    assert r / alpha == pytest.approx(true.r / true.alpha, rel=0.05)
    assert a / (a + b) == pytest.approx(true.a / (true.a + true.b), rel=0.15)
    assert r == pytest.approx(true.r, rel=0.25) and b == pytest.approx(true.b, rel=0.4)


def test_purchase_rates_of_live_customers_and_dropout_share(big_world):
    x, t_x, T = _rfm(big_world)
    truth = big_world.truth
    lam, p, alive = truth["purchase_rate"].to_numpy(), truth["dropout_p"].to_numpy(), truth["alive"].to_numpy()
    # Alive at T has probability exp(-lambda p T); live customers buy at rate lambda (1 - p).
    expected_alive = np.exp(-lam * p * T)
    se = np.sqrt((expected_alive * (1 - expected_alive)).sum()) / len(T)
    assert abs(alive.mean() - expected_alive.mean()) < 4 * se
    observed = x[alive].sum()
    mean = (lam * (1 - p) * T)[alive].sum()
    assert abs(observed - mean) < 4 * np.sqrt(mean)
    # The configured heterogeneity: mean rate r / alpha and mean drop-out a / (a + b).
    seg = big_world.config.params["loyal"]
    assert lam.mean() == pytest.approx(seg.mean_rate, abs=4 * np.sqrt(seg.r) / seg.alpha / np.sqrt(len(lam)))
    sd_p = np.sqrt(seg.a * seg.b / ((seg.a + seg.b) ** 2 * (seg.a + seg.b + 1)))
    assert p.mean() == pytest.approx(seg.mean_dropout, abs=4 * sd_p / np.sqrt(len(p)))


def test_gamma_gamma_spend_matches_configuration(big_world):
    seg = big_world.config.params["loyal"]
    nu = seg.p / big_world.truth["mean_spend"].to_numpy()  # nu ~ Gamma(q, gamma)
    assert nu.mean() == pytest.approx(seg.q / seg.gamma, rel=4 / np.sqrt(seg.q * len(nu)))
    tx = big_world.transactions
    amount = tx["amount"].to_numpy()
    assert amount.mean() == pytest.approx(seg.mean_spend, rel=0.03)
    own = big_world.truth["mean_spend"].to_numpy()[tx["customer_id"].to_numpy() - 1]
    assert np.corrcoef(amount, own)[0, 1] > 0.4


def test_complaint_share_among_the_dissatisfied():
    w = make_customer_world(60000, start="2024-01-01", end="2024-03-31", random_state=8,
                            complaint_share_dissatisfied=0.04, complaint_share_satisfied=0.0, survey_share=0.0)
    truth = w.truth
    dis = truth["dissatisfied"].to_numpy()
    share = truth.loc[dis, "complained"].mean()
    n = dis.sum()
    assert abs(share - 0.04) < 4 * np.sqrt(0.04 * 0.96 / n)
    assert not truth.loc[~dis, "complained"].any()
    assert set(w.complaints["customer_id"]) == set(truth.loc[truth["complained"], "customer_id"])
    assert w.complaints["resolution_days"].isna().eq(~w.complaints["resolved"]).all()


def _implied_correlation(paths):
    names = ("image", "expectation", "quality", "value", "satisfaction", "complaints", "loyalty")
    B = np.zeros((7, 7))
    for key, coef in paths.items():
        src, dst = key.split("->")
        B[names.index(dst), names.index(src)] = coef
    inv = np.linalg.inv(np.eye(7) - B)
    psi = np.zeros(7)
    for j in range(7):  # recursive model: construct j's variance depends on earlier disturbances only
        psi[j] = 1.0 - (inv @ np.diag(psi) @ inv.T)[j, j]
    return inv @ np.diag(psi) @ inv.T


def test_ecsi_survey_construct_correlations_and_paths():
    survey = make_ecsi_survey(20000, random_state=2)
    implied = _implied_correlation(ECSI_PATHS)
    got = survey.scores.corr().to_numpy()
    assert np.allclose(np.diag(implied), 1.0)
    assert np.abs(got - implied).max() < 0.03
    # OLS on the true scores recovers the standardized paths into satisfaction.
    s = survey.scores
    X = s[["image", "expectation", "quality", "value"]].to_numpy()
    coef = np.linalg.lstsq(np.column_stack([np.ones(len(X)), X]), s["satisfaction"].to_numpy(), rcond=None)[0][1:]
    want = [ECSI_PATHS[f"{c}->satisfaction"] for c in ("image", "expectation", "quality", "value")]
    assert np.allclose(coef, want, atol=0.03)
    # Items: same names as mobi, 1..10, and each loads on its own construct.
    assert list(survey.items.columns) == MOBI_ITEMS
    assert survey.items.to_numpy().min() >= 1 and survey.items.to_numpy().max() <= 10
    sat_items = survey.items[["CUSA1", "CUSA2", "CUSA3"]].mean(axis=1)
    assert np.corrcoef(sat_items, s["satisfaction"])[0, 1] > 0.8
    loading = survey.loadings.set_index("item")["loading"]
    r = np.corrcoef(survey.items["PERV1"], s["value"])[0, 1]
    assert 0.8 * loading["PERV1"] < r <= loading["PERV1"] + 0.02  # rounding to 1..10 only attenuates


def test_custom_paths_are_returned_as_truth_and_validated():
    survey = make_ecsi_survey(100, {"quality->satisfaction": 0.3}, random_state=1)
    paths = survey.paths.set_index(["source", "target"])["coefficient"]
    assert paths[("quality", "satisfaction")] == 0.3
    with pytest.raises(ValueError, match=r"make_ecsi_survey\(\): 'path_coefficients' has unknown key 'a->b'"):
        make_ecsi_survey(10, {"a->b": 0.1})
    with pytest.raises(ValueError, match="R\\^2"):
        make_ecsi_survey(10, {"quality->satisfaction": 0.99, "image->satisfaction": 0.9})
    with pytest.raises(ValueError, match="'n_respondents' must be an integer >= 1"):
        make_ecsi_survey(0)


def test_loyalty_indicators_follow_their_generating_weights():
    w = make_customer_world(20000, start="2024-01-01", end="2024-06-30", random_state=4, survey_share=1.0,
                            segments=("loyal",))
    loyalty = w.truth.set_index("customer_id").loc[w.surveys["customer_id"], "loyalty"].to_numpy()
    corr = {k: np.corrcoef(w.surveys[k], loyalty)[0, 1] for k in LOYALTY_INDICATORS}
    for name, weight in LOYALTY_INDICATORS.items():
        assert np.sign(corr[name]) == np.sign(weight)
        assert abs(corr[name]) == pytest.approx(abs(weight), abs=0.1)
    # Behaviour follows loyalty too: loyal customers drop out less and use fewer discounts.
    t = w.truth
    assert np.corrcoef(t["loyalty"], t["dropout_p"])[0, 1] < -0.2
    assert np.corrcoef(t["loyalty"], t["discount_share"])[0, 1] < -0.2
    assert np.corrcoef(t["loyalty"], t["category_breadth"])[0, 1] > 0.2


def test_referrals_link_to_earlier_customers(world):
    c = world.customers
    referred = c["referred_by"].notna()
    assert set(c.loc[referred, "source_channel"]) <= {"referral", "friend"}
    ref = c.loc[referred, "referred_by"].astype("int64").to_numpy()
    acq = c.set_index("customer_id")["acquisition_date"]
    assert (acq.loc[ref].to_numpy() <= c.loc[referred, "acquisition_date"].to_numpy()).all()
    counts = np.bincount(ref, minlength=len(c) + 1)[1:]
    assert (counts == world.truth["referrals"].to_numpy()).all()


# --- closed-form truth ----------------------------------------------------------------------------------------

def test_expected_purchases_formula_matches_monte_carlo():
    rng = np.random.default_rng(0)
    lam, p, h, n = 0.5, 0.1, 20.0, 200_000
    total = np.zeros(n)
    clock = np.zeros(n)
    alive = np.ones(n, dtype=bool)
    for _ in range(200):  # purchases, vectorised over simulated customers
        clock += rng.exponential(1 / lam, n)
        buy = alive & (clock < h)
        total += buy
        alive &= ~(buy & (rng.random(n) < p))
    want = btyd_expected_purchases(np.array([lam]), np.array([p]), np.array([True]), h)[0]
    assert total.mean() == pytest.approx(want, abs=4 * total.std() / np.sqrt(n))
    rv = btyd_residual_value(np.array([lam]), np.array([p]), np.array([True]), np.array([20.0]), 0.3, 0.0)[0]
    assert rv == pytest.approx(0.3 * 20.0 / p)  # no discounting: margin x spend x expected purchases 1/p


def test_btyd_truth_functions_edge_cases_and_errors():
    # p = 0: nobody drops out, so the expected count is lam * h (the limit), with no 0/0 warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = btyd_expected_purchases(np.array([0.5, 0.5]), np.array([0.0, 1e-12]), np.array([True, True]), 20.0)
    np.testing.assert_allclose(got, [10.0, 10.0])
    with pytest.raises(ValueError, match=r"btyd_expected_purchases\(\): 'p' must hold drop-out probabilities"):
        btyd_expected_purchases(np.array([1.0]), np.array([1.5]), np.array([True]), 1.0)
    with pytest.raises(TypeError, match="'alive' must be a boolean array"):
        btyd_expected_purchases(np.array([1.0]), np.array([0.5]), np.array([1]), 1.0)
    with pytest.raises(ValueError, match="'horizon' must be a number >= 0"):
        btyd_expected_purchases(np.array([1.0]), np.array([0.5]), np.array([True]), -1.0)
    with pytest.raises(ValueError, match="infinite residual value"):
        btyd_residual_value(np.array([1.0]), np.array([0.0]), np.array([True]), np.array([20.0]), 0.3, 0.0)


def test_subscriptions_follow_the_sbg_survival_curve():
    subs = make_subscriptions(40000, n_periods=8, alpha=1.0, beta=3.0, random_state=1)
    for t in (1, 2, 4, 7):
        survival = np.exp(special.betaln(1.0, 3.0 + t) - special.betaln(1.0, 3.0))
        got = (subs["periods_paid"] > t).mean()
        assert abs(got - survival) < 4 * np.sqrt(survival * (1 - survival) / len(subs))
    assert subs["churn_p"].mean() == pytest.approx(0.25, abs=0.01)
    assert subs.loc[subs["active"], "end_date"].isna().all()


def test_subscription_world_pays_monthly_until_churn():
    w = make_customer_world(3000, preset="subscription", random_state=2)
    tx, truth = w.transactions, w.truth
    gaps = tx.sort_values(["customer_id", "date"]).groupby("customer_id")["date"].diff().dt.days.dropna()
    assert gaps.between(28, 31).all()
    assert set(tx["category"].cat.categories) == set(w.config.categories)
    assert truth.loc[truth["alive"], "expected_purchases"].gt(0).all()
    # Churn per period: alive customers who joined early are rarer in high-churn segments.
    by_seg = truth.groupby("segment", observed=True)[["dropout_p", "alive"]].mean()
    assert by_seg["dropout_p"].corr(by_seg["alive"]) < -0.8


def test_b2b_profiles():
    w = make_customer_world(500, preset="b2b", random_state=1)
    c = w.customers
    for col in ("company_name", "ownership_type", "industry", "region", "staff_count", "scale_tier",
                "years_in_business", "industry_position", "credit_grade", "settlement_terms", "customer_category"):
        assert col in c.columns, col
    assert c["credit_grade"].between(1, 5).all()
    lost = c["customer_category"].astype(str).str.startswith("lost")
    assert (lost.to_numpy() == ~w.truth["alive"].to_numpy()).all()
    assert w.transactions["amount"].mean() > 500  # business orders are large


# --- segments -------------------------------------------------------------------------------------------------

def test_four_known_segments_with_exact_mix():
    mix = {"champions": 0.1, "loyal": 0.2, "bargain_hunters": 0.3, "dormant": 0.4}
    w = make_customer_world(1000, random_state=0, segment_mix=mix)
    counts = w.truth["segment"].value_counts()
    assert counts.to_dict() == {"dormant": 400, "bargain_hunters": 300, "loyal": 200, "champions": 100}
    params = w.parameters()
    assert list(params.index) == ["champions", "loyal", "bargain_hunters", "dormant"]
    assert params.loc["loyal", "r"] == w.config.params["loyal"].r
    # Well separated: segment means of the purchase rate are ordered as configured.
    rates = w.truth.groupby("segment", observed=True)["purchase_rate"].mean()
    assert rates["champions"] > rates["loyal"] > rates["dormant"]
    w2 = make_customer_world(100, random_state=0, segments=("champions", "dormant"))
    assert set(w2.truth["segment"]) == {"champions", "dormant"}


def test_segment_param_overrides():
    w = make_customer_world(200, random_state=0, segments=("loyal",), segment_params={"loyal": {"r": 9.0}})
    assert w.config.params["loyal"].r == 9.0
    custom = SegmentParams(r=1.0, alpha=2.0, a=1.0, b=9.0)
    w = make_customer_world(200, random_state=0, segments=("new",), segment_params={"new": custom})
    assert w.config.params["new"] == custom


# --- validation -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("kwargs", "message"), [
    ({"n_customers": 0}, "'n_customers' must be an integer >= 1; got 0"),
    ({"start": "2024-01-01", "end": "2023-01-01"}, "'end' must be after 'start'"),
    ({"complaint_share_dissatisfied": 1.5}, "'complaint_share_dissatisfied' must be a number >= 0.0 and <= 1.0"),
    ({"margin": -0.1}, "'margin' must be a number >= 0.0 and <= 1.0"),
    ({"preset": "shop"}, "'preset' must be one of \\['retail', 'b2b', 'subscription'\\]"),
    ({"segment_params": {"loyal": {"r": -1.0}}}, r"in segment_params\['loyal'\], 'r' must be a number > 0.0; got -1"),
    ({"segment_params": {"loyal": {"a": 0.0}}}, "'a' must be a number > 0.0"),
    ({"segments": ("loyal", "vip")}, "'segments' must be one of"),
    ({"segment_mix": {"loyal": -1.0}}, "segment_mix\\['loyal'\\]' must be a number >= 0.0"),
    ({"start": "not a date"}, "'start' must be a date"),
    ({"annual_discount_rate": -0.1}, "'annual_discount_rate' must be a number >= 0.0"),
])
def test_invalid_config_names_field_and_range(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_customer_world(**{"n_customers": 10, **kwargs})


def test_type_errors():
    with pytest.raises(TypeError, match="unknown option\\(s\\) \\['n_custmers'\\]"):
        make_customer_world(10, n_custmers=5)
    with pytest.raises(TypeError, match="'n_customers' must be an integer"):
        make_customer_world(10.5)
    with pytest.raises(TypeError, match="'random_state'"):
        make_customer_world(10, random_state="seed")
    with pytest.raises(ValueError, match="'alpha' must be a number > 0.0"):
        make_subscriptions(10, alpha=0.0)


# --- CLI ------------------------------------------------------------------------------------------------------

def _args(argv):
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(argv)


def test_cli_generates_files(tmp_path, capsys):
    out = tmp_path / "w"
    code = run(_args(["--customers", "50", "--seed", "3", "--format", "csv", "--out", str(out), "--quiet"]))
    assert code == 0 and capsys.readouterr().out == ""
    assert (out / "transactions.csv").is_file()
    direct = tmp_path / "direct"
    make_customer_world(50, random_state=3).to_csv(direct)
    assert (out / "transactions.csv").read_bytes() == (direct / "transactions.csv").read_bytes()
    db = tmp_path / "w.sqlite"
    assert run(_args(["--customers", "20", "--preset", "b2b", "--format", "sqlite", "--out", str(db)])) == 0
    assert "wrote" in capsys.readouterr().out and db.is_file()


def test_cli_reports_bad_values(tmp_path, capsys):
    code = run(_args(["--customers", "0", "--out", str(tmp_path / "x"), "--quiet"]))
    assert code == 2
    assert "'n_customers' must be an integer >= 1" in capsys.readouterr().err


# --- realism --------------------------------------------------------------------------------------------------

def test_realism_functions_on_hand_checkable_log():
    log = pd.DataFrame({
        "customer_id": [1, 1, 1, 2, 3, 3, 4, 5],
        "date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-11", "2024-01-02", "2024-01-03",
                                "2024-01-06", "2024-01-04", "2024-01-05"]),
        "amount": [50.0, 10.0, 20.0, 5.0, 5.0, 5.0, 2.5, 2.5],
    })
    assert purchase_counts(log).tolist() == [2, 1, 2, 1, 1]
    assert purchase_counts(log, by_day=False).tolist() == [3, 1, 2, 1, 1]
    dist = repeat_purchase_distribution(log, max_count=2)
    assert dist["customers"].tolist() == [3, 2] and dist.index.tolist() == ["1", "2+"]
    assert top_revenue_share(log, 0.2) == pytest.approx(80 / 100)
    assert sorted(inter_purchase_gaps(log).tolist()) == [3.0, 10.0]
    summary = realism_summary(log)
    assert summary["one_time_share"] == pytest.approx(0.6)
    assert summary["gap_q50"] == pytest.approx(6.5)
    both = compare_logs({"a": log, "b": log})
    assert list(both.columns) == ["a", "b"]
    assert compare_repeat_distributions({"a": log}, max_count=3)["a"].tolist() == [0.6, 0.4, 0.0]


def test_realism_on_cdnow_matches_its_data_card():
    from crmlab.datasets import load_cdnow_master

    cd = load_cdnow_master()
    summary = realism_summary(cd, amount_col="dollar_value")
    assert summary["customers"] == 23570
    assert summary["transactions"] == 69659


def test_cdnow_twin_looks_like_cdnow():
    from crmlab.datasets import load_cdnow_master

    cd = load_cdnow_master().rename(columns={"dollar_value": "amount"})
    twin = make_customer_world(**cdnow_twin_settings(), random_state=7)
    both = compare_logs({"cdnow": cd, "twin": twin.transactions})
    assert both.loc["one_time_share"].diff().abs().iloc[-1] < 0.03  # CDNOW: 0.511
    assert both.loc["purchase_days_per_customer"].diff().abs().iloc[-1] < 0.2  # CDNOW: 2.87
    assert both.loc["gap_q50"].diff().abs().iloc[-1] < 5  # CDNOW: 34 days


def test_realism_errors():
    log = pd.DataFrame({"customer_id": [1], "when": ["2024-01-01"]})
    with pytest.raises(ValueError, match="missing required column\\(s\\) \\['date'\\]"):
        purchase_counts(log)
    with pytest.raises(ValueError, match="could not be parsed as dates"):
        purchase_counts(log.rename(columns={"when": "date"}).assign(date=["soon"]))
    with pytest.raises(ValueError, match="'top' must be a number > 0.0"):
        top_revenue_share(pd.DataFrame({"customer_id": [1], "amount": [1.0]}), 0.0)
    with pytest.raises(TypeError, match="'transactions' must be a pandas DataFrame"):
        realism_summary([1, 2])


def test_generated_world_has_a_long_tail_and_pareto_revenue(world):
    summary = realism_summary(world.transactions)
    assert 0.1 < summary["one_time_share"] < 0.6
    assert summary["top20_revenue_share"] > 0.6


# --- the course dataset ---------------------------------------------------------------------------------------

COURSE = ("course_customers", "course_transactions", "course_truth", "course_surveys", "course_complaints")


def test_course_dataset_is_registered_and_loads():
    names = list_datasets()
    for name in COURSE:
        assert name in names
        info = dataset_info(name)
        df = load(name)
        assert df.shape == (info.rows, info.columns)
        assert "make_customer_world" in info.generator and info.seed
    tx = load("course_transactions")
    assert str(tx["date"].dtype) == "datetime64[ns]" and tx["customer_id"].dtype == np.int64
    assert set(tx["customer_id"]) <= set(load("course_customers")["customer_id"])


def test_course_dataset_regenerates_from_its_registry_entry(tmp_path):
    info = dataset_info("course_transactions")
    world = make_customer_world(**_course_call(info.generator), random_state=int(info.seed))
    world.to_csv(tmp_path)
    assert hashlib.sha256((tmp_path / "transactions.csv").read_bytes()).hexdigest() == info.sha256


def _course_call(generator: str) -> dict:
    """Parse 'crmlab.synth.make_customer_world(n_customers=5000, start=..., ...)' into kwargs."""
    inside = generator[generator.index("(") + 1:generator.rindex(")")]
    kwargs = {}
    for part in inside.split(","):
        key, value = (s.strip() for s in part.split("="))
        if key != "random_state":
            kwargs[key] = int(value) if value.isdigit() else value.strip("'\"")
    return kwargs


def test_all_segment_names_known():
    assert SEGMENTS == ("champions", "loyal", "bargain_hunters", "new", "at_risk", "dormant")
