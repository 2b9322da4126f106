"""Boundary fits: the BG/NBD with a, b -> infinity returns its limiting model with a warning."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from crmlab._validation import CrmlabWarning
from crmlab.clv import BetaGeoCommonDropoutModel, BetaGeoModel, fit_bgnbd
from crmlab.datasets import load_cdnow_summary
from crmlab.synth.btyd_worlds import simulate_cnbd


def test_homogeneous_dropout_returns_the_limit_with_a_warning():
    # a, b huge: every customer has dropout probability 0.2, so the true (a, b) lies on the boundary and in about
    # half of the samples the BG/NBD maximum does too
    limits = 0
    for seed in range(1, 7):
        df = simulate_cnbd(3000, r=1.0, alpha=5.0, a=2e5, b=8e5, k=1, T=40.0, future=39.0, random_state=seed)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            m = fit_bgnbd(df)
        named = [w for w in caught if "boundary a, b -> infinity" in str(w.message)]
        if isinstance(m, BetaGeoModel):  # an interior maximum must beat the limit clearly
            assert not named
            assert m.log_likelihood_ > BetaGeoCommonDropoutModel().fit(df).log_likelihood_ + 1e-3
            continue
        limits += 1
        assert isinstance(m, BetaGeoCommonDropoutModel) and len(named) == 1
        assert issubclass(named[0].category, CrmlabWarning)
        z = (m.params_[["r", "alpha"]] - [1.0, 5.0]) / m.standard_errors_[["r", "alpha"]]
        assert (z.abs() < 3.5).all()
        se_p = m.standard_errors_["odds"] / (1 + m.params_["odds"]) ** 2
        assert abs(m.dropout_probability_ - 0.2) < 3.5 * se_p
        e = m.expected_purchases(39.0, df)
        se = df["frequency_holdout"].std() / np.sqrt(len(df))
        assert abs(e.mean() - df["frequency_holdout"].mean()) < 3.5 * se
    assert limits >= 2


def test_limit_is_the_bgnbd_with_huge_a_and_b():
    df = load_cdnow_summary()
    lim = BetaGeoCommonDropoutModel().fit(df)
    r, alpha, odds = lim.params_
    p = odds / (1 + odds)
    big = BetaGeoModel().fit(df)
    big.params_ = big.params_.copy()
    big.params_[:] = [r, alpha, p * 1e7, (1 - p) * 1e7]
    np.testing.assert_allclose(big.individual_log_likelihood(df), lim.individual_log_likelihood(df), atol=1e-4)
    np.testing.assert_allclose(big.expected_purchases(10.0, df), lim.expected_purchases(10.0, df), rtol=1e-4)
    np.testing.assert_allclose(big.probability_alive(df), lim.probability_alive(df), atol=1e-5)


def test_interior_fit_is_returned_when_a_and_b_are_identified():
    df = load_cdnow_summary()
    m = fit_bgnbd(df)
    assert isinstance(m, BetaGeoModel)
    assert m.log_likelihood_ == pytest.approx(-9582.4, abs=0.1)
