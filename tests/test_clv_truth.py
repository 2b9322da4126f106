"""Ground truth: BTYD models recover known parameters and calibrated P(alive) (chapter 6)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlab.clv import BetaGeoModel, GammaGammaModel, ParetoNBDModel, simulate_bgnbd, simulate_pareto_nbd

TRUE_BG = {"r": 0.4, "alpha": 6.0, "a": 0.7, "b": 2.5}
TRUE_PNBD = {"r": 0.6, "alpha": 10.0, "s": 0.5, "beta": 12.0}


def _ages(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return 39.0 + rng.integers(0, 84, n) / 7.0  # acquired over 12 weeks, daily grid


@pytest.fixture(scope="module")
def bg_world() -> pd.DataFrame:
    return simulate_bgnbd(30_000, **TRUE_BG, T=_ages(30_000, 1), future=39.0, resolution=1 / 7, random_state=11)


@pytest.fixture(scope="module")
def bg_model(bg_world: pd.DataFrame) -> BetaGeoModel:
    return BetaGeoModel().fit(bg_world)


def _within_sampling_error(model, truth: dict[str, float], z: float = 3.5) -> None:
    table = model.summary()
    for name, value in truth.items():
        est, se = table.loc[name, "estimate"], table.loc[name, "std_error"]
        assert abs(est - value) <= z * se, (name, est, se, value)


def test_bgnbd_recovers_true_parameters(bg_model: BetaGeoModel) -> None:
    model = bg_model
    _within_sampling_error(model, TRUE_BG)


def _calibration(p: np.ndarray, alive: np.ndarray, bins: int = 10) -> pd.DataFrame:
    groups = pd.qcut(p, bins, labels=False, duplicates="drop")
    return pd.DataFrame({"p": p, "alive": alive, "g": groups}).groupby("g")[["p", "alive"]].agg(["mean", "size"])


def _assert_calibrated(table: pd.DataFrame, allowance: float = 0.02) -> None:
    """Mean P(alive) per bin within 3 binomial standard errors (+ an allowance for estimated parameters)."""
    p, a, n = table[("p", "mean")], table[("alive", "mean")], table[("alive", "size")]
    limit = 3 * np.sqrt(a * (1 - a) / n) + allowance
    assert ((p - a).abs() <= limit).all(), pd.DataFrame({"p": p, "alive": a, "limit": limit})


def test_bgnbd_probability_alive_calibrated(bg_world: pd.DataFrame, bg_model: BetaGeoModel) -> None:
    model = bg_model
    p = model.probability_alive(bg_world).to_numpy()
    table = _calibration(p[bg_world["frequency"] > 0], bg_world["alive"].to_numpy()[bg_world["frequency"] > 0])
    _assert_calibrated(table)
    # P(alive) separates: the top decile is alive far more often than the bottom one
    alive = table[("alive", "mean")]
    assert alive.iloc[-1] - alive.iloc[0] > 0.5


def test_bgnbd_future_purchases_match_truth(bg_world: pd.DataFrame, bg_model: BetaGeoModel) -> None:
    model = bg_model
    pred = model.expected_purchases(39.0, bg_world)
    assert abs(pred.sum() / bg_world["future_purchases"].sum() - 1) < 0.03
    by_freq = pd.DataFrame({"pred": pred, "act": bg_world["future_purchases"],
                            "f": np.minimum(bg_world["frequency"], 5)}).groupby("f").mean()
    assert np.allclose(by_freq["pred"], by_freq["act"], rtol=0.12)


def test_pareto_nbd_recovers_truth() -> None:
    df = simulate_pareto_nbd(20_000, **TRUE_PNBD, T=_ages(20_000, 2), future=39.0, resolution=1 / 7,
                             random_state=12)
    model = ParetoNBDModel().fit(df)
    _within_sampling_error(model, TRUE_PNBD)
    p = model.probability_alive(df).to_numpy()
    _assert_calibrated(_calibration(p, df["alive"].to_numpy()))
    assert abs(model.expected_purchases(39.0, df).sum() / df["future_purchases"].sum() - 1) < 0.04


def test_synthetic_world_alive_and_purchases(loyal_world) -> None:
    from crmlab.rfm import rfm_summary

    world = loyal_world
    summary = rfm_summary(world.transactions, observation_end=world.config.end, time_scaler=7)
    model = BetaGeoModel().fit(summary)
    truth = world.truth.set_index("customer_id").loc[summary.index]
    true = world.parameters().loc["loyal"]
    # the generator works on whole days (same-day purchases merge), so allow 15% beyond sampling error
    for name in ("r", "alpha", "a", "b"):
        est, se = model.params_[name], model.standard_errors_[name]
        assert abs(est - true[name]) <= 3 * se + 0.15 * true[name], (name, est, se, true[name])
    p = model.probability_alive(summary).to_numpy()
    _assert_calibrated(_calibration(p, truth["alive"].to_numpy(), bins=5))
    pred = model.expected_purchases(world.config.horizon_weeks, summary)
    assert abs(pred.sum() / truth["expected_purchases"].sum() - 1) < 0.05
    gg = GammaGammaModel().fit(summary)
    true_mean = true["p"] * true["gamma"] / (true["q"] - 1)
    assert abs(gg.population_mean_spend() / true_mean - 1) < 0.1


def test_sbg_recovers_generated_subscribers() -> None:
    from crmlab.clv import ShiftedBetaGeoModel
    from crmlab.synth import make_subscriptions

    subs = make_subscriptions(5000, 12, alpha=1.0, beta=3.0, n_cohorts=6, random_state=1)
    data = pd.DataFrame({"customer_id": subs["customer_id"], "lifetime": subs["periods_paid"],
                         "churned": ~subs["active"]})
    model = ShiftedBetaGeoModel().fit(data)
    _within_sampling_error(model, {"alpha": 1.0, "beta": 3.0})
    # the survival of a fresh cohort matches the true churn probabilities of the subscribers
    theta = subs["churn_p"].to_numpy()
    for t in (1, 6, 12):
        assert model.survival(t) == pytest.approx(np.mean((1 - theta) ** t), abs=0.02)
