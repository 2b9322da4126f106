"""Time-invariant covariates in Pareto/NBD and BG/NBD: special case, recovery, predictions, bad inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlab.clv import BetaGeoCovariateModel, BetaGeoModel, ParetoNBDCovariateModel, ParetoNBDModel
from crmlab.datasets import load_cdnow_summary
from crmlab.synth.btyd_worlds import simulate_covariate_world

PARETO = {"r": 1.0, "alpha": 8.0, "s": 0.8, "beta": 12.0}
BG = {"r": 1.0, "alpha": 8.0, "a": 1.0, "b": 4.0}


@pytest.mark.parametrize(("cov_model", "plain"), [(ParetoNBDCovariateModel, ParetoNBDModel),
                                                   (BetaGeoCovariateModel, BetaGeoModel)])
def test_without_covariates_the_published_fit_is_unchanged(cov_model, plain):
    cd = load_cdnow_summary()
    ref = plain().fit(cd)
    m = cov_model().fit(cd)
    assert m.log_likelihood_ == pytest.approx(ref.log_likelihood_, abs=1e-6)
    np.testing.assert_allclose(m.params_.to_numpy(), ref.params_.to_numpy(), rtol=1e-5)
    np.testing.assert_allclose(m.standard_errors_.to_numpy(), ref.standard_errors_.to_numpy(), rtol=0.02)
    np.testing.assert_allclose(m.expected_purchases(39.0, cd), ref.expected_purchases(39.0, cd), rtol=1e-4)
    np.testing.assert_allclose(m.probability_alive(cd), ref.probability_alive(cd), atol=1e-5)


def _truth_in_raw_units(effects: dict[str, float], sd_age: float) -> dict[str, float]:
    return {k: (v / sd_age if k.endswith("age") else v) for k, v in effects.items()}


@pytest.mark.parametrize("seed", [1, 2])
def test_pareto_recovers_covariate_effects(seed):
    T = np.random.default_rng(seed).uniform(30.0, 52.0, 4000)
    data, cov = simulate_covariate_world(4000, model="paretonbd", params=PARETO,
                                         purchase_effects={"is_web": 0.7, "age": -0.3},
                                         dropout_effects={"is_web": -0.5}, T=T, random_state=seed)
    cov["age"] = 40.0 + 10.0 * cov["age"]  # a covariate in its own units (years)
    m = ParetoNBDCovariateModel(["is_web", "age"], ["is_web"]).fit(data, cov)
    truth = pd.Series({"r": 1.0, "alpha0": 8.0 * np.exp(-0.3 * 4.0), "s": 0.8, "beta0": 12.0,
                       "purchase:is_web": 0.7, "purchase:age": -0.03, "dropout:is_web": -0.5})
    z = (m.params_ - truth) / m.standard_errors_
    assert (z.abs() < 3.5).all(), z.to_dict()
    s = m.summary()
    assert s.loc["purchase:is_web", "z"] > 5


@pytest.mark.parametrize("seed", [3, 4])
def test_bgnbd_recovers_covariate_effects(seed):
    T = np.random.default_rng(seed).uniform(30.0, 52.0, 4000)
    data, cov = simulate_covariate_world(4000, model="bgnbd", params=BG,
                                         purchase_effects={"is_web": 0.7, "age": -0.3},
                                         dropout_effects={"a:is_web": 0.5, "b:is_web": -0.3}, T=T, random_state=seed)
    m = BetaGeoCovariateModel(["is_web", "age"], ["is_web"]).fit(data, cov)
    truth = pd.Series({"r": 1.0, "alpha0": 8.0, "a0": 1.0, "b0": 4.0, "purchase:is_web": 0.7, "purchase:age": -0.3,
                       "dropout_a:is_web": 0.5, "dropout_b:is_web": -0.3})
    z = (m.params_ - truth) / m.standard_errors_
    assert (z.abs() < 3.5).all(), z.to_dict()


def test_covariate_predictions_track_the_holdout():
    data, cov = simulate_covariate_world(4000, model="paretonbd", params=PARETO,
                                         purchase_effects={"is_web": 1.0}, dropout_effects={}, T=40.0,
                                         future=39.0, random_state=7)
    m = ParetoNBDCovariateModel(["is_web"]).fit(data, cov)
    plain = ParetoNBDModel().fit(data)
    e = m.expected_purchases(39.0, data, cov)
    y = data["frequency_holdout"]
    se = y.std() / np.sqrt(len(y))
    assert abs(e.mean() - y.mean()) < 3.5 * se
    # the covariate carries information the plain model lacks: among customers with no repeat purchase
    # (identical to the plain model) the group means by covariate are tracked better
    silent = data["frequency"] == 0
    groups = cov.loc[silent, "is_web"]
    actual = y[silent].groupby(groups).mean()
    err_cov = (e[silent].groupby(groups).mean() - actual).abs().max()
    err_plain = (plain.expected_purchases(39.0, data)[silent].groupby(groups).mean() - actual).abs().max()
    assert err_cov < err_plain, (err_cov, err_plain)
    params = m.customer_parameters(cov, data.index)
    web = cov["is_web"] == 1
    expected_alpha = m.params_["alpha0"] * np.exp(-m.params_["purchase:is_web"])
    assert params.loc[web, "alpha"].iloc[0] == pytest.approx(expected_alpha)


def test_clear_errors_for_bad_covariates():
    data, cov = simulate_covariate_world(300, model="paretonbd", params=PARETO, purchase_effects={"is_web": 0.5},
                                         dropout_effects={}, T=40.0, random_state=1)
    m = ParetoNBDCovariateModel(["is_web"])
    with pytest.raises(ValueError, match="'covariates' was not given"):
        m.fit(data)
    with pytest.raises(ValueError, match="no column"):
        ParetoNBDCovariateModel(["income"]).fit(data, cov)
    with pytest.raises(ValueError, match="no row in 'covariates'"):
        m.fit(data, cov.iloc[5:])
    bad = cov.copy()
    bad.iloc[[3, 8], 0] = np.nan
    with pytest.raises(ValueError, match="missing or infinite"):
        m.fit(data, bad)
    with pytest.raises(TypeError, match="must be numeric"):
        m.fit(data, cov.assign(is_web=np.where(cov["is_web"] > 0, "web", "shop")))
    with pytest.raises(ValueError, match="constant"):
        m.fit(data, cov.assign(is_web=1.0))
    with pytest.raises(ValueError, match="duplicated"):
        m.fit(data, pd.concat([cov, cov.iloc[:2]]))


def test_gamma_gamma_covariates_special_case_and_recovery():
    from crmlab.clv import GammaGammaCovariateModel, GammaGammaModel
    from crmlab.synth.btyd_worlds import simulate_spend_covariates

    cd = load_cdnow_summary()
    rep = cd[cd["frequency"] > 0]
    ref = GammaGammaModel().fit(cd)
    m = GammaGammaCovariateModel().fit(rep)
    assert m.log_likelihood_ == pytest.approx(ref.log_likelihood_, abs=1e-6)
    np.testing.assert_allclose(m.params_.to_numpy(), ref.params_.to_numpy(), rtol=1e-5)
    with pytest.raises(ValueError, match="not repeat buyers"):
        m.fit(cd)
    data, cov = simulate_spend_covariates(3000, p=6.0, q=4.0, gamma=15.0, effects={"is_web": 0.4, "income": 0.2},
                                          random_state=11)
    fit = GammaGammaCovariateModel(["is_web", "income"]).fit(data, cov)
    truth = pd.Series({"p": 6.0, "q": 4.0, "gamma0": 15.0, "spend:income": 0.2, "spend:is_web": 0.4})
    z = (fit.params_ - truth[fit.params_.index]) / fit.standard_errors_
    assert (z.abs() < 3.5).all(), z.to_dict()
    e = fit.expected_spend(data, cov)
    true_mean = 6.0 * data["nu"] ** -1.0  # E[spend | nu] = p / nu
    assert np.corrcoef(e, true_mean)[0, 1] > 0.8


def test_sbg_covariates_special_case_and_recovery():
    from crmlab.clv import ShiftedBetaGeoCovariateModel, ShiftedBetaGeoModel, survival_to_cohort
    from crmlab.datasets import load_sbg_retention
    from crmlab.synth.btyd_worlds import simulate_retention_covariates

    cohort = survival_to_cohort(load_sbg_retention()["regular"], periods=7)
    ref = ShiftedBetaGeoModel().fit(cohort, weights="customers")
    people = cohort.loc[cohort.index.repeat(cohort["customers"]), ["lifetime", "churned"]].reset_index(drop=True)
    m = ShiftedBetaGeoCovariateModel().fit(people)
    assert m.log_likelihood_ == pytest.approx(ref.log_likelihood_, abs=1e-6)
    np.testing.assert_allclose(m.params_.to_numpy(), [0.704, 1.182], atol=2e-3)  # Fader & Hardie (2007)
    data, cov = simulate_retention_covariates(4000, alpha=1.0, beta=2.0, effects_alpha={"is_promo": 0.6},
                                              effects_beta={"is_promo": -0.3, "tenure": 0.3}, random_state=12)
    fit = ShiftedBetaGeoCovariateModel(["is_promo", "tenure"]).fit(data, cov)
    truth = pd.Series({"alpha0": 1.0, "beta0": 2.0, "churn_alpha:is_promo": 0.6, "churn_alpha:tenure": 0.0,
                       "churn_beta:is_promo": -0.3, "churn_beta:tenure": 0.3})
    z = (fit.params_ - truth[fit.params_.index]) / fit.standard_errors_
    assert (z.abs() < 3.5).all(), z.to_dict()
    surv = fit.survival(3, cov, data.index)
    promo = cov["is_promo"] == 1
    assert surv[promo].mean() < surv[~promo].mean()  # promotion-acquired subscribers churn more
