"""Tests of crmlab.accumulation (chapter 7) and its plots."""

from __future__ import annotations

import dataclasses
import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from crmlab.accumulation import (  # noqa: E402
    AccumulationChain,
    ComplaintLeakage,
    CustomerEquity,
    TwoStoreMarket,
    accumulation_table,
    customer_base_path,
    relationship_strength,
    steady_state_customers,
    value_chain_table,
)
from crmlab.plotting import (  # noqa: E402
    plot_accumulation_table,
    plot_customer_base,
    plot_equity_sensitivity,
    plot_relative_size,
    plot_share_paths,
)

# ---------------------------------------------------------------- the lecture's tables, transcribed from seed 004
LECTURE_CUSTOMERS = pd.DataFrame({
    "A_customers": [100, 99, 98, 90, 75, 50],
    "A_share_pct": ["50.00%", "49.50%", "49.00%", "45.00%", "37.50%", "25.00%"],
    "B_customers": [100, 101, 102, 110, 125, 150],
    "B_share_pct": ["50.00%", "50.50%", "51.00%", "55.00%", "62.50%", "75.00%"],
    "difference": [0, 2, 4, 20, 50, 100],
    "relative_size": ["1.00", "1.02", "1.04", "1.22", "1.67", "3.00"],
})
LECTURE_PROFIT = pd.DataFrame({
    "A_profit": [1000, 990, 980, 900, 750, 500],
    "B_profit": [1000, 1010, 1020, 1100, 1250, 1500],
    "difference": [0, 20, 40, 200, 500, 1000],
    "relative_size": ["1.00", "1.02", "1.04", "1.22", "1.67", "3.00"],
})


def test_lecture_customer_table_reproduced_exactly():
    t = accumulation_table()  # defaults: 100 customers each, $10, losses 0, 1, 2, 10, 25, 50
    assert t.index.tolist() == [0, 1, 2, 10, 25, 50]
    for col in ("A_customers", "B_customers", "difference"):
        assert t[col].tolist() == LECTURE_CUSTOMERS[col].tolist(), col
    assert [f"{100 * v:.2f}%" for v in t["A_share"]] == LECTURE_CUSTOMERS["A_share_pct"].tolist()
    assert [f"{100 * v:.2f}%" for v in t["B_share"]] == LECTURE_CUSTOMERS["B_share_pct"].tolist()
    assert [f"{v:.2f}" for v in t["relative_size"]] == LECTURE_CUSTOMERS["relative_size"].tolist()


def test_lecture_profit_table_reproduced_exactly():
    t = accumulation_table(basis="profit")
    for col in ("A_profit", "B_profit", "difference"):
        assert t[col].tolist() == LECTURE_PROFIT[col].tolist(), col
    assert [f"{v:.2f}" for v in t["relative_size"]] == LECTURE_PROFIT["relative_size"].tolist()


def test_table_method_matches_function():
    pd.testing.assert_frame_equal(TwoStoreMarket().table(basis="profit"), accumulation_table(basis="profit"))


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 10_000), frac=st.floats(0, 0.99), m=st.floats(0, 1000))
def test_closed_form_for_any_n_x_margin(n, frac, m):
    x = math.floor(frac * n)
    cust = accumulation_table([x], customers=n, margin=m)
    prof = accumulation_table([x], customers=n, margin=m, basis="profit")
    assert cust["A_customers"].iloc[0] + cust["B_customers"].iloc[0] == 2 * n
    assert cust["difference"].iloc[0] == 2 * x
    assert prof["difference"].iloc[0] == pytest.approx(2 * x * m)
    assert cust["A_share"].iloc[0] + cust["B_share"].iloc[0] == pytest.approx(1.0)
    ratio = TwoStoreMarket(n, m).relative_size(x)
    assert ratio * (n - x) == pytest.approx(n + x)
    assert TwoStoreMarket(n, m).losses_for_ratio(float(ratio)) == pytest.approx(x, abs=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"lost": [0, 100]}, ValueError, r"'lost' must lie in \[0, customers=100\)"),
        ({"lost": [-1]}, ValueError, "'lost' must lie in"),
        ({"lost": ["ten"]}, TypeError, r"accumulation_table\(\): 'lost' must be a number"),
        ({"customers": 0}, ValueError, r"accumulation_table\(\): 'customers' must be an integer >= 1; got 0"),
        ({"customers": 10.5}, TypeError, "'customers' must be an integer"),
        ({"margin": -1.0}, ValueError, "'margin' must be a number >= 0"),
        ({"basis": "revenue"}, ValueError, "'basis' must be one of"),
    ],
)
def test_twostore_validation(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        accumulation_table(**kwargs)


# ---------------------------------------------------------------- Markov chain dynamics
@pytest.fixture
def chain():
    return AccumulationChain.from_rates(retention=(0.80, 0.90), switching=(0.06, 0.03), acquisition=(0.05, 0.06))


def test_from_rates_builds_the_matrix():
    c = AccumulationChain.from_rates(retention=(0.8, 0.9), switching=(0.05, 0.02), acquisition=(0.1, 0.2))
    np.testing.assert_allclose(c.P, [[0.8, 0.05, 0.15], [0.02, 0.9, 0.08], [0.1, 0.2, 0.7]])
    assert not c.P.flags.writeable


def test_stationary_distribution_solves_pi_p(chain):
    pi = np.array(list(chain.stationary_distribution.values()))
    np.testing.assert_allclose(pi @ chain.P, pi, atol=1e-12)
    assert pi.sum() == pytest.approx(1.0)


def test_stationary_distribution_closed_form_without_switching():
    # no switching: balance pi_j (1 - r_j) = pi_0 a_j  =>  pi ∝ (a_A/(1-r_A), a_B/(1-r_B), 1)
    ra, rb, aa, ab = 0.9, 0.8, 0.04, 0.02
    c = AccumulationChain.from_rates(retention=(ra, rb), acquisition=(aa, ab))
    w = np.array([aa / (1 - ra), ab / (1 - rb), 1.0])
    np.testing.assert_allclose(list(c.stationary_distribution.values()), w / w.sum(), rtol=1e-12)
    ss = c.steady_state([100, 100, 800])
    assert ss["A"] == pytest.approx(1000 * w[0] / w.sum())


def test_expected_path_equals_matrix_powers(chain):
    n0 = np.array([120.0, 80.0, 800.0])
    path = chain.expected_path(n0, periods=12, margin=(10.0, 12.0))
    for t in (0, 1, 5, 12):
        np.testing.assert_allclose(path.loc[t, ["A", "B", "neither"]], n0 @ np.linalg.matrix_power(chain.P, t))
    np.testing.assert_allclose(path[["A", "B", "neither"]].sum(axis=1), 1000.0)
    np.testing.assert_allclose(path["profit_B"], 12.0 * path["B"])
    np.testing.assert_allclose(path["relative_size"], path["B"] / path["A"])
    np.testing.assert_allclose(path["share_A"] + path["share_B"], 1.0)


def test_expected_path_converges_to_steady_state(chain):
    path = chain.expected_path([100, 100, 800], periods=400)
    ss = chain.steady_state([100, 100, 800])
    np.testing.assert_allclose(path.iloc[-1][["A", "B", "neither"]], [ss["A"], ss["B"], ss["neither"]], rtol=1e-9)


def test_small_retention_gap_compounds():
    c = AccumulationChain.from_rates(retention=(0.88, 0.90), switching=0.02, acquisition=0.03)
    path = c.expected_path([100, 100, 800], periods=30)
    assert (path["gap"].diff().iloc[1:] > 0).all()  # B pulls away every period
    assert path["relative_size"].iloc[-1] > 1.1


def test_half_gap_time_exact_for_single_mode_chain():
    # P = lam*I + (1-lam)*1 pi': every deviation from pi shrinks exactly by lam per period
    lam, pi = 0.8, np.array([0.2, 0.3, 0.5])
    c = AccumulationChain(lam * np.eye(3) + (1 - lam) * np.outer(np.ones(3), pi))
    assert c.second_eigenvalue == pytest.approx(lam)
    assert c.half_life == pytest.approx(math.log(2) / -math.log(lam))
    assert c.half_gap_time([100, 100, 800]) == math.ceil(math.log(2) / -math.log(lam))


def test_half_gap_time_is_first_period_reaching_half(chain):
    n0 = [100, 100, 800]
    t = chain.half_gap_time(n0)
    path = chain.expected_path(n0, periods=t + 1)
    ss = chain.steady_state(n0)
    dist = (path["gap"] - (ss["B"] - ss["A"])).abs()
    assert dist.iloc[t] <= dist.iloc[0] / 2
    assert dist.iloc[t - 1] > dist.iloc[0] / 2


def test_simulation_mean_matches_expectation(chain):
    n0, periods, k = [100, 100, 800], 8, 4000
    sim = chain.simulate(n0, periods, n_paths=k, random_state=7)
    assert len(sim) == k * (periods + 1)
    assert (sim[["A", "B", "neither"]].sum(axis=1) == 1000).all()  # people are conserved on every path
    expected = chain.expected_path(n0, periods)
    last = sim[sim["period"] == periods]
    for s in ("A", "B", "neither"):
        se = last[s].std(ddof=1) / math.sqrt(k)
        assert abs(last[s].mean() - expected.loc[periods, s]) < 4 * se, s


def test_simulation_reproducible(chain):
    a = chain.simulate([50, 50, 100], 5, n_paths=3, random_state=11)
    b = chain.simulate([50, 50, 100], 5, n_paths=3, random_state=11)
    pd.testing.assert_frame_equal(a, b)
    rng = np.random.default_rng(3)
    c1 = chain.simulate([50, 50, 100], 5, n_paths=3, random_state=rng)
    c2 = chain.simulate([50, 50, 100], 5, n_paths=3, random_state=rng)
    assert not c1.equals(c2)  # a Generator advances


@pytest.mark.parametrize(
    ("matrix", "match"),
    [
        ([[0.9, 0.1, 0.1], [0, 1, 0], [0, 0, 1]], r"rows \{'A': 1.1\} do not"),
        ([[1.2, -0.2, 0], [0, 1, 0], [0, 0, 1]], r"must lie in \[0, 1\]"),
        (np.eye(2), r"shape \(3, 3\)"),
        ([[np.nan, 0, 1], [0, 1, 0], [0, 0, 1]], "NaN"),
    ],
)
def test_chain_validation(matrix, match):
    with pytest.raises(ValueError, match=match):
        AccumulationChain(matrix)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"retention": 1.1}, r"'retention\[A\]' must be a number >= 0.0 and <= 1.0; got 1.1"),
        ({"retention": (0.9, -0.1)}, r"'retention\[B\]'"),
        ({"retention": 0.9, "switching": 0.2}, "retention \\+ switching must be <= 1 for store A"),
        ({"retention": 0.9, "acquisition": (0.6, 0.5)}, "acquisition rates must sum to <= 1"),
        ({"retention": (0.9, 0.8, 0.7)}, "one probability or a pair"),
    ],
)
def test_from_rates_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        AccumulationChain.from_rates(**kwargs)


def test_chain_method_validation(chain):
    with pytest.raises(ValueError, match="'initial' customers must be finite and non-negative"):
        chain.expected_path([-5, 100, 100], 3)
    with pytest.raises(ValueError, match="must hold 3 counts"):
        chain.expected_path([100, 100], 3)
    with pytest.raises(ValueError, match="whole numbers"):
        chain.simulate([10.5, 10, 10], 3)
    with pytest.raises(ValueError, match="'periods' must be an integer >= 1; got 0"):
        chain.expected_path([1, 1, 1], 0)
    with pytest.raises(TypeError, match="'random_state'"):
        chain.simulate([1, 1, 1], 2, random_state="seed")
    reducible = AccumulationChain(np.eye(3))
    with pytest.raises(ValueError, match="several stationary distributions"):
        _ = reducible.stationary_distribution


# ---------------------------------------------------------------- customer base and equity
def test_customer_base_path_closed_form():
    n0, r, a, t = 500.0, 0.75, 120.0, 20
    path = customer_base_path(n0, r, a, t)
    k = np.arange(t + 1)
    np.testing.assert_allclose(path["customers"], r**k * n0 + a * (1 - r**k) / (1 - r))
    assert path["steady_state"].iloc[0] == pytest.approx(steady_state_customers(r, a)) == pytest.approx(480.0)
    np.testing.assert_allclose(path["retained"].iloc[1:] + path["lost"].iloc[1:], path["customers"].iloc[:-1])


def test_lose_10_vs_30_percent_gives_three_times_the_base():
    assert steady_state_customers(0.9, 100) / steady_state_customers(0.7, 100) == pytest.approx(3.0)


def test_customer_base_path_with_varying_acquisitions():
    path = customer_base_path(0, 0.5, [10, 0, 0], 3)
    assert path["customers"].tolist() == [0.0, 10.0, 5.0, 2.5]
    assert path["steady_state"].isna().all()


def test_customer_equity_matches_brute_force_sum():
    eq = CustomerEquity(margin=40, retention=0.7, discount_rate=0.1, acquisition_cost=30, acquisitions=50,
                        current_customers=400, growth=0.03)
    t = np.arange(1, 400)
    life = np.sum(eq.margin * eq.retention**t / (1 + eq.discount_rate) ** t)
    assert eq.lifetime_value == pytest.approx(life)
    k = np.arange(0, 2000)
    weights = (1 + eq.growth) ** k / (1 + eq.discount_rate) ** k
    cohorts = np.sum(eq.acquisitions * weights * (life - eq.acquisition_cost))
    assert eq.value == pytest.approx(eq.current_customers * life + cohorts, rel=1e-9)


def test_gls_sensitivity_reproduced_in_spirit():
    s = CustomerEquity().sensitivity(0.01)  # m=100, r=0.85, i=0.12, c=50, n=200, N0=1000
    assert 4.5 < s.loc["retention", "value_change_pct"] < 5.5  # "1 % retention ≈ 5 % of value"
    assert 1.0 < s.loc["margin", "value_change_pct"] < 1.3  # ≈ 1 %
    assert 0.05 < s.loc["acquisition_cost", "value_change_pct"] < 0.3  # ≈ 0.1 %
    assert s.loc["retention", "value_change_pct"] > 4 * s.loc["discount_rate", "value_change_pct"]


def test_retention_elasticity_of_lifetime_value():
    r, i, h = 0.85, 0.12, 1e-6
    lv = CustomerEquity(retention=r, discount_rate=i).lifetime_value
    lv2 = CustomerEquity(retention=r + h, discount_rate=i).lifetime_value
    assert (lv2 - lv) / h * r / lv == pytest.approx((1 + i) / (1 + i - r), rel=1e-4)


def test_customers_path_uses_growth():
    eq = CustomerEquity(growth=0.05, acquisitions=100, current_customers=0, retention=0.5)
    path = eq.customers_path(2)
    assert path["acquired"].tolist() == pytest.approx([0.0, 100.0, 105.0])


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"retention": 1.0}, ValueError, "'retention' must be a number >= 0 and < 1"),
        ({"discount_rate": 0.0}, ValueError, "'discount_rate' must be a number > 0"),
        ({"margin": -1}, ValueError, "'margin' must be a number >= 0"),
        ({"current_customers": -10}, ValueError, "'current_customers' must be a number >= 0"),
        ({"growth": 0.2}, ValueError, "'growth' must be < discount_rate=0.12"),
        ({"margin": "100"}, TypeError, "'margin' must be a number"),
    ],
)
def test_equity_validation(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        CustomerEquity(**kwargs)


def test_base_path_validation():
    with pytest.raises(ValueError, match="'initial' must be a number >= 0"):
        customer_base_path(-1, 0.8, 10, 5)
    with pytest.raises(ValueError, match="must be one number or 5 numbers"):
        customer_base_path(1, 0.8, [1, 2], 5)
    with pytest.raises(ValueError, match="'acquisitions' must be a number >= 0"):
        steady_state_customers(0.8, -3)


# ---------------------------------------------------------------- leakage: iceberg and value chain
def test_defection_rate_by_hand():
    leak = ComplaintLeakage(dissatisfied_share=0.2, complaint_rate=0.04, defection_silent=0.5,
                            defection_complained=0.2, defection_satisfied=0.05)
    assert leak.defection_rate == pytest.approx(0.8 * 0.05 + 0.2 * (0.04 * 0.2 + 0.96 * 0.5))
    assert leak.silent_per_complaint == pytest.approx(24.0)  # 4 heard of every 100 dissatisfied


def test_leakage_path_accounting():
    leak = ComplaintLeakage()
    p = leak.path(1000, 5, acquisitions=50)
    np.testing.assert_allclose(p["complained"] + p["silent"], p["dissatisfied"])
    np.testing.assert_allclose(p["complained"], 0.04 * p["dissatisfied"])
    np.testing.assert_allclose(p["customers"].iloc[1:].to_numpy(),
                               (p["customers"] - p["lost"] + 50).iloc[:-1].to_numpy())
    np.testing.assert_allclose(p["cumulative_lost"].iloc[-1], p["lost"].sum())


def test_silent_cost():
    leak = ComplaintLeakage()
    cost = leak.silent_cost(1000, 5, margin=10)
    first = 1000 * 0.2 * (1 - 0.04) * (0.5 - 0.2)  # d (1-c) (q_s - q_c) N
    assert cost.loc[0, "lost_to_silence"] == 0.0
    assert cost.loc[1, "lost_to_silence"] == pytest.approx(first)
    assert cost["lost_to_silence"].is_monotonic_increasing
    x, n = cost.loc[5, "lost_to_silence"], cost.loc[5, "customers_all_heard"]
    assert cost.loc[5, "rival_relative_size"] == pytest.approx((n + x) / (n - x))
    assert cost.loc[2, "profit_lost"] == pytest.approx(10 * cost.loc[1, "lost_to_silence"])
    nothing = dataclasses.replace(leak, complaint_rate=1.0).silent_cost(1000, 5)
    assert (nothing["lost_to_silence"] == 0).all()


def test_inverse_square_rule():
    np.testing.assert_allclose(relationship_strength([1, 2, 3, 4]), [1, 1 / 4, 1 / 9, 1 / 16])
    t = value_chain_table((1, 2, 3), retention_uplift=0.09)
    np.testing.assert_allclose(t["retention_uplift"], [0.09, 0.0225, 0.01])
    assert t["intermediaries"].tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match=r"value_chain_table\(\): 'links' must be numbers >= 1"):
        value_chain_table((0, 1))
    with pytest.raises(ValueError, match=r"value_chain_table\(\): 'links' must be whole numbers"):
        value_chain_table((1, 2.5))
    with pytest.raises(TypeError, match=r"relationship_strength\(\): 'links' must be a number"):
        relationship_strength(["one", "two"])
    with pytest.raises(ValueError, match="'complaint_rate' must be a number >= 0.0 and <= 1.0; got 4.0"):
        ComplaintLeakage(complaint_rate=4)


# ---------------------------------------------------------------- plots
def test_plots_return_axes(chain):
    fig, axes = plt.subplots(2, 3)
    path = chain.expected_path([100, 100, 800], 10, margin=10)
    sim = chain.simulate([100, 100, 800], 10, n_paths=3, random_state=1, margin=10)
    assert plot_accumulation_table(accumulation_table(), ax=axes[0, 0]) is axes[0, 0]
    assert len(axes[0, 0].patches) == 12
    assert plot_share_paths(path, what="profit", simulated=sim, ax=axes[0, 1]) is axes[0, 1]
    assert len(axes[0, 1].lines) == 2 and len(axes[0, 1].collections) == 2
    assert plot_relative_size(path, ax=axes[0, 2]) is axes[0, 2]
    assert plot_customer_base(customer_base_path(100, 0.8, 10, 5), ax=axes[1, 0], label="r=0.8") is axes[1, 0]
    assert plot_equity_sensitivity(CustomerEquity().sensitivity(), ax=axes[1, 1]) is axes[1, 1]
    assert len(axes[1, 1].patches) == 4
    with pytest.raises(ValueError, match="'what' must be one of"):
        plot_share_paths(path, what="revenue")
    with pytest.raises(ValueError, match="missing required column"):
        plot_relative_size(path.drop(columns="relative_size"))
    plt.close("all")
