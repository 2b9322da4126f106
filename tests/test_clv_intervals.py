"""Prediction intervals: coverage in simulation (randomised PIT), agreement with the closed forms, seeds."""

from __future__ import annotations

import numpy as np
import pytest

from crmlab.clv import (
    BetaGeoCNBDModel,
    BetaGeoModel,
    GammaGammaModel,
    ParetoNBDModel,
    interval_coverage,
    prediction_intervals,
    simulate_pareto_nbd,
)
from crmlab.synth.btyd_worlds import simulate_cnbd


def _bg_world(k: int, seed: int):
    T = np.random.default_rng(seed).uniform(20.0, 52.0, 3000)
    return simulate_cnbd(3000, r=1.0, alpha=5.0, a=1.0, b=4.0, k=k, T=T, future=39.0, random_state=seed)


@pytest.mark.parametrize("which", ["bgnbd", "cnbd3", "pareto"])
def test_coverage_is_nominal_in_simulation(which):
    if which == "pareto":
        df = simulate_pareto_nbd(3000, r=1.0, alpha=5.0, s=0.8, beta=10.0, T=40.0, future=39.0, random_state=3)
        y = df["future_purchases"]
        model = ParetoNBDModel().fit(df)
    else:
        df = _bg_world(3 if which == "cnbd3" else 1, seed=5)
        y = df["frequency_holdout"]
        model = (BetaGeoCNBDModel(k=3) if which == "cnbd3" else BetaGeoModel()).fit(df)
    pi = prediction_intervals(model, df, 39.0, n_draws=500, random_state=1)
    cov = interval_coverage(pi.draws, y, random_state=2)
    assert abs(cov["80"] - 0.80) < 0.03, cov.to_dict()
    assert abs(cov["95"] - 0.95) < 0.03, cov.to_dict()
    # the simulation mean agrees with the model's closed-form expectation
    e = model.expected_purchases(39.0, df)
    assert pi.customers["mean"].mean() == pytest.approx(e.mean(), rel=0.02)
    c = pi.customers
    assert (c["lower_95"] <= c["lower_80"]).all() and (c["upper_80"] <= c["upper_95"]).all()


def test_parameter_uncertainty_widens_the_total_interval_and_seeds_repeat():
    df = _bg_world(1, seed=8)
    model = BetaGeoModel().fit(df)
    a = prediction_intervals(model, df, 39.0, n_draws=300, random_state=4)
    b = prediction_intervals(model, df, 39.0, n_draws=300, random_state=4)
    np.testing.assert_array_equal(a.draws, b.draws)
    fixed = prediction_intervals(model, df, 39.0, n_draws=300, parameter_uncertainty=False, random_state=4)
    width = a.total["upper_95"] - a.total["lower_95"]
    assert width > fixed.total["upper_95"] - fixed.total["lower_95"]


def test_bad_inputs():
    df = _bg_world(1, seed=9)
    model = BetaGeoModel().fit(df)
    with pytest.raises(ValueError, match="'levels'"):
        prediction_intervals(model, df, 39.0, levels=(80,))
    with pytest.raises(TypeError, match="'model'"):
        prediction_intervals(GammaGammaModel(), df, 39.0)
    with pytest.raises(ValueError, match="one value per column"):
        interval_coverage(np.zeros((10, 3)), [1, 2])
