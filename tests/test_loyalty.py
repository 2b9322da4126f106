"""Tests for crmlab.loyalty (Chapter 5): ground truth, hand-checkable cases, real-data anchors, errors."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from scipy import stats  # noqa: E402

from crmlab import CrmlabWarning  # noqa: E402
from crmlab.datasets import load_mobi, load_yogurt  # noqa: E402
from crmlab.loyalty import (  # noqa: E402
    LADDER_STAGES,
    LadderChain,
    LoyaltyIndex,
    ProgrammeScenario,
    classify_loyalty_types,
    compare_programme_vs_price_cut,
    dick_basu_segments,
    dick_basu_table,
    expected_survivors,
    fit_ladder_chain,
    hostage_effect,
    ladder_stages,
    ladder_transition_counts,
    loyalty_indicators,
    loyalty_profile,
    loyalty_type_table,
    make_switching_cost_survey,
    repeat_rate,
    satisfaction_loyalty_curves,
    satisfaction_loyalty_scores,
    share_of_category_requirements,
    stationary_shares,
    switching_summary,
    transition_counts,
    transition_matrix,
)

# ----------------------------------------------------------------------------------------------------------
# Brand switching: a 3-brand case computed by hand, the yogurt panel's published numbers, ground truth
# ----------------------------------------------------------------------------------------------------------


@pytest.fixture
def three_brands() -> pd.DataFrame:
    # h1: A A B C A   h2: B B C C   h3: C A   h4: A (one purchase: no transition)
    seqs = {1: "AABCA", 2: "BBCC", 3: "CA", 4: "A"}
    rows = [(h, b) for h, seq in seqs.items() for b in seq]
    return pd.DataFrame(rows, columns=["household_id", "choice"])


def test_hand_counts_and_matrix(three_brands):
    # pairs: AA AB BC CA | BB BC CC | CA  ->  A:[1,1,0]  B:[0,1,2]  C:[2,0,1]
    counts = transition_counts(three_brands)
    assert counts.to_numpy().tolist() == [[1, 1, 0], [0, 1, 2], [2, 0, 1]]
    P = transition_matrix(three_brands)
    expected = np.array([[1 / 2, 1 / 2, 0], [0, 1 / 3, 2 / 3], [2 / 3, 0, 1 / 3]])
    np.testing.assert_allclose(P.to_numpy(), expected)


def test_hand_stationary_and_repeat_rate(three_brands):
    # pi_A = 4/3 pi_C, pi_B = pi_C  ->  (0.4, 0.3, 0.3); repeats AA, BB, CC = 3 of 8 pairs
    pi = stationary_shares(transition_matrix(three_brands))
    np.testing.assert_allclose(pi.to_numpy(), [0.4, 0.3, 0.3])
    assert pi.index.tolist() == ["A", "B", "C"]
    assert repeat_rate(three_brands) == pytest.approx(3 / 8)


def test_hand_scr_and_summary(three_brands):
    scr = share_of_category_requirements(three_brands)
    assert scr["favourite_brand"].tolist() == ["A", "B", "A", "A"]  # ties go to the brand listed first
    np.testing.assert_allclose(scr["scr"], [3 / 5, 1 / 2, 1 / 2, 1.0])
    summary = switching_summary(three_brands)
    np.testing.assert_allclose(summary["observed_share"], [5 / 12, 3 / 12, 4 / 12])
    np.testing.assert_allclose(summary["p_stay"], [1 / 2, 1 / 3, 1 / 3])
    np.testing.assert_allclose(summary["penetration"], [3 / 4, 2 / 4, 3 / 4])
    # A's buyers (h1, h3, h4) make 5 + 2 + 1 = 8 purchases, 5 of them A
    assert summary.loc["A", "scr_buyers"] == pytest.approx(5 / 8)


def test_yogurt_reference_numbers():
    y = load_yogurt()
    P = transition_matrix(y)
    stay = pd.Series(np.diag(P.to_numpy()), index=P.index)
    for brand, ref in {"dannon": 0.886, "weight": 0.876, "yoplait": 0.842, "hiland": 0.448}.items():
        assert stay[brand] == pytest.approx(ref, abs=5e-4)
    pi = stationary_shares(P)
    for brand, ref in {"dannon": 0.389, "yoplait": 0.348, "weight": 0.234, "hiland": 0.030}.items():
        assert pi[brand] == pytest.approx(ref, abs=5e-4)
    assert repeat_rate(y) == pytest.approx(0.856, abs=5e-4)
    scr = share_of_category_requirements(y)
    assert scr["scr"].mean() == pytest.approx(0.761, abs=5e-4)
    assert (scr["scr"] >= 0.8).mean() == pytest.approx(0.5)
    obs = switching_summary(y)["observed_share"]
    for brand, ref in {"dannon": 0.402, "yoplait": 0.339, "weight": 0.229, "hiland": 0.029}.items():
        assert obs[brand] == pytest.approx(ref, abs=5e-4)


def test_order_col_restores_purchase_order():
    y = load_yogurt()
    shuffled = y.sample(frac=1.0, random_state=0)
    a = transition_matrix(y)
    b = transition_matrix(shuffled, order_col="occasion")
    pd.testing.assert_frame_equal(a, b)
    assert not transition_matrix(shuffled).equals(a)  # row order matters without order_col


def test_brand_chain_recovered_from_simulated_sequences():
    true = np.array([[0.8, 0.15, 0.05], [0.1, 0.7, 0.2], [0.3, 0.1, 0.6]])
    brands = ("x", "y", "z")
    panel = LadderChain(true, stages=brands).simulate(40, n_customers=500, init=[1 / 3] * 3, random_state=11)
    long = panel.stack().rename("choice").reset_index()
    long.columns = ["household_id", "occasion", "choice"]
    P = transition_matrix(long, brands=brands)
    np.testing.assert_allclose(P.to_numpy(), true, atol=0.02)
    np.testing.assert_allclose(stationary_shares(P), LadderChain(true, stages=brands).stationary_distribution,
                               atol=0.02)


def test_switching_errors(three_brands):
    single = pd.DataFrame({"household_id": [1, 2, 3], "choice": ["A", "B", "A"]})
    with pytest.raises(ValueError, match="single purchase"):
        transition_matrix(single)
    with pytest.raises(ValueError, match=r"unknown brand \['C'\]"):
        transition_matrix(three_brands, brands=["A", "B"])
    with pytest.raises(ValueError, match="missing required column"):
        transition_matrix(three_brands, brand_col="brand")
    with pytest.raises(ValueError, match="missing value"):
        repeat_rate(three_brands.assign(choice=three_brands["choice"].where(three_brands.index != 2)))
    with pytest.raises(ValueError, match="never followed"):
        transition_matrix(pd.DataFrame({"household_id": [1, 1], "choice": ["A", "B"]}))
    with pytest.raises(ValueError, match="sum to 1"):
        stationary_shares(np.array([[0.5, 0.4], [0.5, 0.5]]))
    with pytest.raises(ValueError, match="reducible"):
        stationary_shares(np.eye(2))
    with pytest.raises(TypeError, match="DataFrame"):
        transition_counts([1, 2])


# ----------------------------------------------------------------------------------------------------------
# The loyalty ladder
# ----------------------------------------------------------------------------------------------------------

TRUE_LADDER = np.array([
    [0.60, 0.40, 0.00, 0.00, 0.00, 0.00],
    [0.20, 0.40, 0.40, 0.00, 0.00, 0.00],
    [0.05, 0.10, 0.50, 0.35, 0.00, 0.00],
    [0.00, 0.00, 0.15, 0.60, 0.25, 0.00],
    [0.00, 0.00, 0.00, 0.15, 0.70, 0.15],
    [0.00, 0.00, 0.00, 0.00, 0.20, 0.80],
])


def test_ladder_transition_matrix_recovered():
    chain = LadderChain(TRUE_LADDER)
    panel = chain.simulate(30, n_customers=3000, random_state=5)
    fitted = fit_ladder_chain(panel)
    np.testing.assert_allclose(fitted.P, TRUE_LADDER, atol=0.03)
    np.testing.assert_allclose(fitted.stationary_distribution, chain.stationary_distribution, atol=0.02)


def test_ladder_steady_state_and_path():
    chain = LadderChain(TRUE_LADDER)
    pi = chain.stationary_distribution.to_numpy()
    np.testing.assert_allclose(pi @ TRUE_LADDER, pi, atol=1e-12)
    assert pi.sum() == pytest.approx(1.0)
    path = chain.distribution_path("prospect", 200)
    np.testing.assert_allclose(path.iloc[-1], pi, atol=1e-6)
    np.testing.assert_allclose(path.iloc[1], TRUE_LADDER[0])
    # simulated stage shares at a late period match the steady state
    panel = chain.simulate(60, n_customers=4000, random_state=1)
    shares = panel.iloc[:, -1].value_counts(normalize=True).reindex(LADDER_STAGES, fill_value=0)
    np.testing.assert_allclose(shares, pi, atol=0.03)


def test_ladder_simulation_reproducible():
    chain = LadderChain(TRUE_LADDER)
    a = chain.simulate(10, n_customers=50, random_state=3)
    b = chain.simulate(10, n_customers=50, random_state=3)
    c = chain.simulate(10, n_customers=50, random_state=4)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


def test_ladder_stages_by_hand():
    tx = pd.DataFrame({
        "customer_id": [1, 1, 1, 1, 2, 2],
        "date": pd.to_datetime(["2024-01-10", "2024-04-10", "2024-07-10", "2024-10-10", "2024-02-01", "2024-11-01"]),
    })
    refs = pd.DataFrame({"customer_id": [1, 1, 1, 1], "date": pd.to_datetime(
        ["2024-05-01", "2024-08-01", "2024-08-02", "2024-09-01"])})
    stages = ladder_stages(tx, customers=[1, 2, 3], referrals=refs, freq="Q")
    assert stages.columns.tolist() == ["2024Q1", "2024Q2", "2024Q3", "2024Q4"]
    assert stages.loc[1].tolist() == ["buyer", "advocate", "partner", "partner"]
    assert stages.loc[2].tolist() == ["buyer", "buyer", "buyer", "customer"]
    assert stages.loc[3].tolist() == ["prospect"] * 4
    # with a 3-period follower rule, customer 1 first becomes follower-type in Q3
    stages3 = ladder_stages(tx, customers=[1, 2, 3], referrals=refs, follower_periods=3)
    assert stages3.loc[1].tolist() == ["buyer", "customer", "partner", "partner"]
    # referrals only count in a recent window: with a one-quarter window the partner slips back in Q4
    stages_w1 = ladder_stages(tx, customers=[1, 2, 3], referrals=refs, referral_periods=1)
    assert stages_w1.loc[1].tolist() == ["buyer", "advocate", "partner", "follower"]


def test_ladder_stages_on_generated_world_are_estimable(ladder_world):
    world = ladder_world
    refs = world.customers.loc[world.customers["referred_by"].notna(), ["referred_by", "acquisition_date"]]
    refs = refs.set_axis(["customer_id", "date"], axis=1)
    refs = refs[refs["date"] >= pd.Timestamp("2023-01-01")]
    panel = ladder_stages(world.transactions, customers=world.customers["customer_id"], referrals=refs,
                          start="2023-01-01", end="2024-12-31")
    assert panel.shape == (300, 8)
    counts = ladder_transition_counts(panel)
    assert counts.to_numpy().sum() == 300 * 7
    # cumulative purchase counts never fall: nobody goes back to prospect or buyer from customer or above
    assert counts.loc[["customer", "follower", "advocate", "partner"], ["prospect", "buyer"]].to_numpy().sum() == 0


def test_ladder_errors():
    with pytest.raises(ValueError, match="at least two"):
        fit_ladder_chain(pd.DataFrame({0: ["buyer", "prospect"]}))
    with pytest.raises(ValueError, match=r"unknown stage \['vip'\]"):
        fit_ladder_chain(pd.DataFrame({0: ["buyer"], 1: ["vip"]}))
    with pytest.raises(ValueError, match="sum to 1"):
        LadderChain(np.full((6, 6), 0.2))
    with pytest.raises(ValueError, match="6 distinct names"):
        LadderChain(np.eye(6), stages=("a", "b"))
    with pytest.raises(ValueError, match="'init'"):
        LadderChain(TRUE_LADDER).simulate(3, init=[1.0, 0.5])
    with pytest.warns(CrmlabWarning, match="never observed"):
        fit_ladder_chain(pd.DataFrame({0: ["prospect", "buyer"], 1: ["buyer", "buyer"]}))
    tx = pd.DataFrame({"customer_id": [1], "date": ["not a date"]})
    with pytest.raises(ValueError, match="could not be parsed"):
        ladder_stages(tx)
    tx = pd.DataFrame({"customer_id": [1, 2], "date": pd.to_datetime(["2024-01-05", "2024-03-01"])})
    with pytest.raises(ValueError, match=r"ladder_stages\(\): 'end' must be a date"):
        ladder_stages(tx, end="soon")
    with pytest.raises(ValueError, match=r"'start' \(2025-01-01\) must not be after 'end' \(2024-03-01\)"):
        ladder_stages(tx, start="2025-01-01")
    with pytest.raises(ValueError, match="'freq' must be a pandas period alias"):
        ladder_stages(tx, freq="quarterly")
    singles = pd.DataFrame({"household_id": [1, 2], "choice": ["A", "B"]})
    for func in (repeat_rate, transition_matrix, switching_summary):  # the error names the function called
        with pytest.raises(ValueError, match=rf"^{func.__name__}\(\): every household .* single purchase"):
            func(singles)


# ----------------------------------------------------------------------------------------------------------
# Loyalty indicators and index
# ----------------------------------------------------------------------------------------------------------

ALL_ITEMS = {
    "repeat_purchases": "loy_repeat", "cross_buying": "loy_cross_buying",
    "price_sensitivity": "loy_price_sensitivity", "quality_tolerance": "loy_tolerance",
    "choice_time": "loy_choice_time", "referrals": "loy_referral",
}


@pytest.fixture(scope="module")
def world(survey_world):
    return survey_world


def test_indicators_by_hand():
    tx = pd.DataFrame({"customer_id": [1, 1, 1, 2], "category": ["a", "b", "a", "c"],
                       "discount": [True, False, False, True]})
    survey = pd.DataFrame({"customer_id": [2, 1], "loy_tolerance": [3, 9], "loy_choice_time": [8, 2],
                           "loy_referral": [1, 10]})
    X = loyalty_indicators(tx, survey)
    assert X.index.tolist() == [1, 2]
    assert X.loc[1].tolist() == [2.0, 2.0, 1 / 3, 9.0, 2.0, 10.0]
    assert X.loc[2].tolist() == [0.0, 1.0, 1.0, 3.0, 8.0, 1.0]
    # customer 1 is more loyal on every indicator (price sensitivity and choice time point down)
    z = LoyaltyIndex().fit(X).standardize(X)
    assert (z.loc[1] > 0).all() and (z.loc[2] < 0).all()
    prof = loyalty_profile(X)
    assert prof["percentile"].tolist() == [100.0, 50.0]


def test_index_methods_agree_with_definitions():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(50, 3)), columns=["repeat_purchases", "price_sensitivity", "referrals"])
    eq = LoyaltyIndex("equal").fit(X)
    z = (X - X.mean()) / X.std(ddof=0) * [1, -1, 1]
    np.testing.assert_allclose(eq.transform(X), z.mean(axis=1))
    w = LoyaltyIndex("weights", weights={"repeat_purchases": 2, "referrals": 2}).fit(X)
    np.testing.assert_allclose(w.transform(X), (z["repeat_purchases"] + z["referrals"]) / 2)
    pca = LoyaltyIndex("pca").fit(X)
    assert pca.weights_.sum() == pytest.approx(1.0)
    assert 0 < pca.explained_variance_ratio_ < 1


def test_index_recovers_latent_loyalty_in_generated_world(world):
    X = loyalty_indicators(survey=world.surveys, survey_items=ALL_ITEMS)
    truth = world.truth.set_index("customer_id")["loyalty"].loc[X.index]
    model = LoyaltyIndex("pca").fit(X)
    index = model.transform(X)
    assert np.corrcoef(index, truth)[0, 1] > 0.8
    # the first component weights the indicators in the order of their true generating weights
    from crmlab.synth.config import LOYALTY_INDICATORS

    true_w = pd.Series({k: abs(LOYALTY_INDICATORS[v]) for k, v in ALL_ITEMS.items()})
    assert (model.weights_ > 0).all()
    assert stats.spearmanr(model.weights_[true_w.index], true_w).statistic > 0.75
    assert model.weights_.idxmax() == "repeat_purchases" and model.weights_.idxmin() == "choice_time"
    # each oriented indicator correlates positively with true loyalty
    z = model.standardize(X)
    assert (z.corrwith(truth) > 0).all()


def test_transaction_indicators_track_truth(world):
    X = loyalty_indicators(world.transactions, world.surveys)
    truth = world.truth.set_index("customer_id").loc[X.index]
    # the observed discount share estimates the true one; it is sharp once a customer has bought often
    often = X["repeat_purchases"] >= 9
    assert stats.spearmanr(X["price_sensitivity"], truth["discount_share"]).statistic > 0.4
    assert stats.spearmanr(X.loc[often, "price_sensitivity"], truth.loc[often, "discount_share"]).statistic > 0.75
    index = LoyaltyIndex().fit(X).transform(X)
    assert np.corrcoef(index, truth["loyalty"])[0, 1] > 0.4


def test_indicator_errors():
    survey = pd.DataFrame({"customer_id": [1, 2], "loy_tolerance": [3, 11], "loy_choice_time": [1, 2],
                           "loy_referral": [1, 2]})
    with pytest.raises(ValueError, match="out of range"):
        loyalty_indicators(survey=survey)
    with pytest.raises(ValueError, match="neither"):
        loyalty_indicators()
    with pytest.raises(ValueError, match="'survey_items key' must be one of"):
        loyalty_indicators(survey=survey, survey_items={"loyalty": "loy_tolerance"})
    with pytest.raises(ValueError, match="constant"):
        LoyaltyIndex().fit(pd.DataFrame({"referrals": [1.0, 1.0], "cross_buying": [1.0, 2.0]}))
    with pytest.raises(ValueError, match="'method' must be one of"):
        LoyaltyIndex("median").fit(pd.DataFrame({"referrals": [1.0, 2.0]}))
    with pytest.raises(ValueError, match="not columns"):
        LoyaltyIndex("weights", weights={"age": 1}).fit(pd.DataFrame({"referrals": [1.0, 2.0]}))
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        LoyaltyIndex().transform(pd.DataFrame({"referrals": [1.0, 2.0]}))


# ----------------------------------------------------------------------------------------------------------
# Satisfaction vs loyalty, the hostage effect, Dick & Basu
# ----------------------------------------------------------------------------------------------------------


def test_curves_order_and_shape():
    c = satisfaction_loyalty_curves(51)
    assert (c["competitive"] <= c["proportional"] + 1e-12).all()
    assert (c["proportional"] <= c["non_competitive"] + 1e-12).all()
    assert c.iloc[-1, 1:].tolist() == [1.0, 1.0, 1.0]
    assert (np.diff(c["competitive"]) >= 0).all()


def test_types_by_hand():
    s = [9.5, 8, 8, 2, 1.5, 3, 6]
    ell = [9.5, 7, 2, 9, 1.0, 3, 6]
    assert classify_loyalty_types(s, ell).tolist() == [
        "apostle", "apostle", "mercenary", "hostage", "defector", "defector", "apostle"]
    assert classify_loyalty_types(s, ell, six=True).tolist() == [
        "enthusiast", "loyalist", "mercenary", "hostage", "terrorist", "defector", "loyalist"]
    table = loyalty_type_table(s, ell, six=True)
    assert table["n"].sum() == 7 and table.loc["enthusiast", "mean_satisfaction"] == 9.5


def test_types_on_mobi():
    scores = satisfaction_loyalty_scores(load_mobi())
    assert len(scores) == 250
    table = loyalty_type_table(scores["satisfaction"], scores["loyalty"])
    assert table["n"].sum() == 250
    assert table["share"].sum() == pytest.approx(1.0)
    # satisfied and loyal customers dominate a mature mobile market
    assert table["n"].idxmax() == "apostle"


def test_hostage_effect_recovered():
    truth = (5.5, 0.6, 0.3, -0.06)
    data = make_switching_cost_survey(4000, coefficients=truth, random_state=8)
    res = hostage_effect(data, centre=(5.5, 5.5))
    coef, se = res.coefficients["coef"], res.coefficients["std_err"]
    assert (np.abs(coef.to_numpy() - truth) < 4 * se.to_numpy()).all()
    assert res.coefficients.loc["satisfaction:switching_cost", "p_value"] < 1e-6
    assert res.slope_at(9.0) < res.slope_at(2.0)
    assert res.slope_at(9.0) == pytest.approx(0.6 - 0.06 * 3.5, abs=0.03)


def test_types_and_hostage_errors():
    with pytest.raises(ValueError, match="scale 1..10"):
        classify_loyalty_types([11], [5])
    with pytest.raises(ValueError, match="same length"):
        classify_loyalty_types([5, 6], [5])
    with pytest.raises(ValueError, match="scale 1..10"):
        satisfaction_loyalty_scores(load_mobi().assign(CUSA1=0))
    with pytest.raises(ValueError, match="missing required column"):
        hostage_effect(pd.DataFrame({"satisfaction": [1.0] * 6, "loyalty": [1.0] * 6}))
    survey = make_switching_cost_survey(50, random_state=0)
    with pytest.raises(TypeError, match=r"hostage_effect\(\): column 'loyalty' of 'data' must be numeric"):
        hostage_effect(survey.assign(loyalty=survey["loyalty"].astype(str)))
    with pytest.raises(TypeError, match="'centre' must be None or a pair"):
        hostage_effect(survey, centre=(5.5,))


def test_dick_basu_by_hand():
    a = pd.Series([9, 8, 2, 1, 9], index=[10, 11, 12, 13, 14])
    b = pd.Series([0.9, 0.2, 0.8, 0.1, 0.6], index=a.index)
    seg = dick_basu_segments(a, b, attitude_cut=5, behaviour_cut=0.5)
    assert seg.tolist() == ["true loyalty", "latent loyalty", "spurious loyalty", "no loyalty", "true loyalty"]
    assert seg.index.tolist() == [10, 11, 12, 13, 14]
    assert dick_basu_table(a, b, attitude_cut=5, behaviour_cut=0.5).to_numpy().tolist() == [[2, 1], [1, 1]]
    with pytest.raises(ValueError, match="different indexes"):
        dick_basu_segments(a, b.reset_index(drop=True))
    with pytest.raises(ValueError, match="missing or infinite"):
        dick_basu_segments([1.0, np.nan], [1.0, 2.0])


# ----------------------------------------------------------------------------------------------------------
# Loyalty programme vs price cut
# ----------------------------------------------------------------------------------------------------------


def test_expected_survivors_by_hand_and_by_simulation():
    # E[r] = a/(a+b) = 0.9, E[r^2] = a(a+1)/((a+b)(a+b+1)) = 90/110
    np.testing.assert_allclose(expected_survivors(9, 1, 3), [1.0, 0.9, 90 / 110])
    np.testing.assert_allclose(expected_survivors(2, 3, 5, churn_reduction=1.0), np.ones(5))
    rng = np.random.default_rng(1)
    r = rng.beta(3, 2, 200_000)
    r2 = 1 - 0.7 * (1 - r)
    mc = [np.mean(r2**t) for t in range(6)]
    np.testing.assert_allclose(expected_survivors(3, 2, 6, churn_reduction=0.3), mc, atol=3e-3)


def test_programme_simulation_matches_expectation():
    out = compare_programme_vs_price_cut(ProgrammeScenario(n_customers=40_000), random_state=2)
    for measure in ("customers_end", "revenue", "cost", "profit"):
        np.testing.assert_allclose(out[f"{measure}_sim"], out[f"{measure}_expected"], rtol=0.03)
    # equal cost per unit of spend: the price cut is reward rate x redemption rate
    assert ProgrammeScenario().price_cut == pytest.approx(0.05 * 0.6)
    # lecture's argument under default assumptions: the programme keeps more customers and earns more
    exp = out["net_profit_expected"]
    assert exp["loyalty programme"] > exp["baseline"] > exp["price cut"]
    a = compare_programme_vs_price_cut(random_state=5)
    pd.testing.assert_frame_equal(a, compare_programme_vs_price_cut(random_state=5))


def test_price_cut_can_win_when_unmatched():
    sc = ProgrammeScenario(competitor_response=0.0, price_churn_reduction=0.6, programme_churn_reduction=0.05,
                           price_elasticity=4.0)
    exp = compare_programme_vs_price_cut(sc, random_state=0)["net_profit_expected"]
    assert exp["price cut"] > exp["loyalty programme"]


def test_programme_errors():
    with pytest.raises(ValueError, match="'margin' must be a number >= 0.0 and <= 1.0"):
        ProgrammeScenario(margin=1.5)
    with pytest.raises(TypeError, match="ProgrammeScenario"):
        compare_programme_vs_price_cut({"n_customers": 5})


# ----------------------------------------------------------------------------------------------------------
# Plots
# ----------------------------------------------------------------------------------------------------------


def test_plots_return_axes(three_brands):
    from crmlab.plotting import (
        plot_dick_basu,
        plot_hostage_effect,
        plot_ladder_path,
        plot_loyalty_types,
        plot_loyalty_weights,
        plot_programme_comparison,
        plot_satisfaction_loyalty_curves,
        plot_share_comparison,
        plot_switching_matrix,
    )

    scores = pd.DataFrame({"satisfaction": [9.0, 2.0], "loyalty": [9.0, 9.0]})
    scores["loyalty_type"] = classify_loyalty_types(scores["satisfaction"], scores["loyalty"])
    X = pd.DataFrame({"repeat_purchases": [0.0, 1.0, 3.0], "referrals": [1.0, 2.0, 2.0]})
    axes = [
        plot_switching_matrix(transition_matrix(three_brands)),
        plot_share_comparison(switching_summary(three_brands)),
        plot_ladder_path(LadderChain(TRUE_LADDER).distribution_path(n_periods=5)),
        plot_satisfaction_loyalty_curves(satisfaction_loyalty_curves()),
        plot_loyalty_types(scores),
        plot_hostage_effect(hostage_effect(make_switching_cost_survey(50, random_state=0))),
        plot_dick_basu(dick_basu_table([1, 9], [1, 9])),
        plot_programme_comparison(compare_programme_vs_price_cut(ProgrammeScenario(n_customers=50), random_state=0)),
        plot_loyalty_weights(LoyaltyIndex().fit(X)),
    ]
    assert all(isinstance(ax, matplotlib.axes.Axes) for ax in axes)
    assert axes[0].texts[0].get_text() == "0.50"
    plt.close("all")


# ----------------------------------------------------------------------------------------------------------
# Properties and purity
# ----------------------------------------------------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 6), st.sampled_from("ABC")), min_size=2, max_size=60))
def test_switching_properties(rows):
    purchases = pd.DataFrame(rows, columns=["household_id", "choice"])
    if not purchases["household_id"].duplicated().any():
        with pytest.raises(ValueError, match="single purchase"):
            transition_counts(purchases, brands=list("ABC"))
        return
    counts = transition_counts(purchases, brands=list("ABC"))
    # every household with n purchases contributes n - 1 transitions
    assert counts.to_numpy().sum() == len(purchases) - purchases["household_id"].nunique()
    assert repeat_rate(purchases, brands=list("ABC")) == pytest.approx(np.trace(counts) / counts.to_numpy().sum())
    scr = share_of_category_requirements(purchases, brands=list("ABC"))
    np.testing.assert_allclose(scr[["scr_A", "scr_B", "scr_C"]].sum(axis=1), 1.0)
    assert (scr["scr"] >= 1 / 3 - 1e-12).all()


def test_inputs_not_mutated(three_brands):
    before = three_brands.copy()
    switching_summary(three_brands, order_col=None)
    transition_matrix(three_brands.assign(occasion=range(len(three_brands))), order_col="occasion")
    pd.testing.assert_frame_equal(three_brands, before)
    X = pd.DataFrame({"repeat_purchases": [0.0, 2.0, 5.0], "referrals": [3.0, 2.0, 9.0]})
    X_before = X.copy()
    loyalty_profile(X)
    pd.testing.assert_frame_equal(X, X_before)


def test_survey_only_indicators_all_six():
    survey = pd.DataFrame({"customer_id": [1, 2, 3], **{v: [2, 5, 9] for v in ALL_ITEMS.values()}})
    X = loyalty_indicators(survey=survey, survey_items=ALL_ITEMS)
    assert list(X.columns) == list(ALL_ITEMS)
    index = LoyaltyIndex().fit_transform(X)
    # the two reversed indicators cancel two of the four others: the index still rises with the answers
    assert index.is_monotonic_increasing


# ----------------------------------------------------------------------------------------------------------
# More ground truth from the generated world: ladder rungs, types and Dick & Basu track latent loyalty
# ----------------------------------------------------------------------------------------------------------


def test_ladder_rungs_track_true_loyalty(world):
    customers = world.customers
    refs = customers.loc[customers["referred_by"].notna(), ["referred_by", "acquisition_date"]]
    refs = refs.set_axis(["customer_id", "date"], axis=1)
    panel = ladder_stages(world.transactions, customers=customers["customer_id"], referrals=refs,
                          start="2023-01-01", end="2024-12-31")
    highest = panel.apply(lambda col: col.cat.codes).max(axis=1).map(dict(enumerate(LADDER_STAGES)))
    loyalty = world.truth.set_index("customer_id").loc[panel.index, "loyalty"].groupby(highest).mean()
    assert loyalty["customer"] < loyalty["follower"] < loyalty["advocate"]
    assert loyalty["advocate"] - loyalty["customer"] > 0.3


def test_survey_types_agree_with_latent_types(world):
    scores = satisfaction_loyalty_scores(world.surveys.set_index("customer_id"))
    truth = world.truth.set_index("customer_id").loc[scores.index]

    def to_scale(x):
        return 1 + 9 * (x - x.min()) / (x.max() - x.min())

    s_true, l_true = to_scale(truth["satisfaction"]), to_scale(truth["loyalty"])
    observed = classify_loyalty_types(scores["satisfaction"], scores["loyalty"],
                                      satisfaction_cut=float(scores["satisfaction"].median()),
                                      loyalty_cut=float(scores["loyalty"].median()))
    latent = classify_loyalty_types(s_true, l_true, satisfaction_cut=float(s_true.median()),
                                    loyalty_cut=float(l_true.median()))
    assert (observed.to_numpy() == latent.to_numpy()).mean() > 0.6  # chance is about 0.25


def test_dick_basu_cells_order_true_loyalty(world):
    X = loyalty_indicators(world.transactions, world.surveys)
    attitude = satisfaction_loyalty_scores(world.surveys.set_index("customer_id")).loc[X.index, "loyalty"]
    cells = dick_basu_segments(attitude, X["repeat_purchases"])
    latent = world.truth.set_index("customer_id").loc[X.index, "loyalty"].groupby(cells, observed=False).mean()
    assert latent["true loyalty"] == latent.max() and latent["no loyalty"] == latent.min()
    assert latent["latent loyalty"] > latent["spurious loyalty"]  # attitude carries more of the truth here
