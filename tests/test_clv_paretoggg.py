"""Pareto/GGG by MCMC: recovery on generated customers, convergence diagnostics, the Pareto/NBD special case."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlab.clv import ParetoGGGModel, ParetoNBDModel, effective_sample_size, simulate_pareto_nbd, split_r_hat
from crmlab.synth.btyd_worlds import simulate_pareto_ggg

TRUTH = {"t": 4.0, "gamma": 1.0, "r": 2.0, "alpha": 8.0, "s": 0.8, "beta": 15.0}


@pytest.fixture(scope="module")
def fitted():
    df = simulate_pareto_ggg(600, **TRUTH, T=52.0, future=39.0, random_state=1)
    model = ParetoGGGModel(n_chains=3, n_iter=700, burn_in=200, random_state=2).fit(df)
    return df, model


def test_posterior_covers_the_truth_and_chains_converge(fitted):
    df, model = fitted
    s = model.summary()
    truth = pd.Series(TRUTH)
    inside = (s["q2.5"] <= truth) & (truth <= s["q97.5"])
    assert inside.all(), s.assign(truth=truth)
    assert (s["r_hat"] < 1.05).all(), s["r_hat"].to_dict()
    assert (s["ess"] > 20).all()
    # customers' regularity is recovered, and P(alive) is calibrated on average
    assert np.corrcoef(model.customer_means_["k"], df["k"])[0, 1] > 0.4
    assert abs(model.customer_means_["p_alive"].mean() - df["alive"].mean()) < 0.03


def test_posterior_predictive_matches_the_holdout(fitted):
    df, model = fitted
    draws = model.posterior_predictive(39.0, random_state=3)
    assert draws.shape == (model._draws.shape[0], len(df))
    e = draws.mean(axis=0)
    se = df["frequency_holdout"].std() / np.sqrt(len(df))
    assert abs(e.mean() - df["frequency_holdout"].mean()) < 3.5 * se
    again = model.posterior_predictive(39.0, random_state=3)
    np.testing.assert_array_equal(draws, again)


def test_fixed_k_one_is_the_pareto_nbd():
    df = simulate_pareto_nbd(800, r=1.0, alpha=5.0, s=0.8, beta=10.0, T=52.0, random_state=4)
    ml = ParetoNBDModel().fit(df)
    mc = ParetoGGGModel(n_chains=2, n_iter=250, burn_in=100, fixed_k=1.0, random_state=5).fit(df)
    s = mc.summary()
    assert list(s.index) == ["r", "alpha", "s", "beta"]
    z = (s["mean"] - ml.params_[s.index]) / s["sd"]
    assert (z.abs() < 2.0).all(), z.to_dict()


def test_diagnostics_on_known_chains():
    rng = np.random.default_rng(0)
    iid = rng.standard_normal((4, 1000))
    assert split_r_hat(iid) == pytest.approx(1.0, abs=0.01)
    assert 2500 < effective_sample_size(iid) < 6000
    shifted = iid + np.arange(4)[:, None]
    assert split_r_hat(shifted) > 1.5
    ar = np.zeros((4, 1000))  # AR(1) with rho 0.9: ESS about n (1 - rho) / (1 + rho)
    for i in range(1, 1000):
        ar[:, i] = 0.9 * ar[:, i - 1] + rng.standard_normal(4)
    assert 100 < effective_sample_size(ar) < 400


def test_needs_litt_unless_k_is_fixed():
    df = simulate_pareto_nbd(50, r=1.0, alpha=5.0, s=0.8, beta=10.0, T=52.0, random_state=4)
    with pytest.raises(ValueError, match="'litt'"):
        ParetoGGGModel(n_iter=10, burn_in=0).fit(df)
