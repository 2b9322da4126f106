"""crmlab has one BG/NBD simulator (issue 15, item 4): clv.simulate_bgnbd draws through synth's simulate_btyd."""

from __future__ import annotations

import numpy as np
import pytest

from crmlab.clv import simulate_bgnbd
from crmlab.clv.bgnbd import bg_expected_new, bg_new_pmf
from crmlab.synth.behaviour import simulate_btyd

PARAMS = {"r": 0.8, "alpha": 6.0, "a": 0.9, "b": 2.5}


def test_simulate_bgnbd_is_simulate_btyd_on_the_same_draws():
    n, T = 2_000, 30.0
    df = simulate_bgnbd(n, **PARAMS, T=T, random_state=5)
    rng = np.random.default_rng(5)
    lam = rng.gamma(PARAMS["r"], 1.0 / PARAMS["alpha"], n)
    p = rng.beta(PARAMS["a"], PARAMS["b"], n)
    x, times, alive, _ = simulate_btyd(lam, p, np.full(n, T), random_state=rng)
    np.testing.assert_array_equal(df["purchase_rate"], lam)
    np.testing.assert_array_equal(df["frequency"], x)
    np.testing.assert_array_equal(df["alive"], alive)
    last = np.zeros(n)
    last[x > 0] = times[np.cumsum(x)[x > 0] - 1]
    np.testing.assert_array_equal(df["recency"], last)


def test_simulated_counts_and_future_match_the_bgnbd_formulas():
    n, T, future = 200_000, 30.0, 20.0
    df = simulate_bgnbd(n, **PARAMS, T=T, future=future, random_state=9)
    k = np.arange(6)
    observed = np.bincount(df["frequency"], minlength=6)[:6] / n
    expected = bg_new_pmf(PARAMS["r"], PARAMS["alpha"], PARAMS["a"], PARAMS["b"], k, T)
    se = np.sqrt(expected * (1 - expected) / n)
    assert np.all(np.abs(observed - expected) < 5 * se), (observed, expected)
    mean_future = bg_expected_new(**PARAMS, t=T + future) - bg_expected_new(**PARAMS, t=T)
    sd = df["future_purchases"].std() / np.sqrt(n)
    assert abs(df["future_purchases"].mean() - float(mean_future)) < 5 * sd
    assert np.all(df["recency"] <= df["T"]) and np.all((df["recency"] > 0) == (df["frequency"] > 0))
    assert not df.loc[~df["alive"], "future_purchases"].any()


def test_simulate_btyd_refuses_bad_inputs_naming_them():
    ok = np.ones(3)
    with pytest.raises(ValueError, match=r"simulate_btyd\(\): 'p' must hold drop-out probabilities.*\[1\]"):
        simulate_btyd(ok, np.array([0.5, 0.0, 0.5]), ok, random_state=0)
    with pytest.raises(ValueError, match=r"simulate_btyd\(\): 'lam'.*\[2\]"):
        simulate_btyd(np.array([1.0, 1.0, -1.0]), ok / 2, ok, random_state=0)
    with pytest.raises(ValueError, match=r"same length"):
        simulate_btyd(ok, ok[:2] / 2, ok, random_state=0)
    with pytest.raises(ValueError, match=r"'exposure'.*\[0\]"):
        simulate_btyd(ok, ok / 2, np.array([np.nan, 1.0, 1.0]), random_state=0)
