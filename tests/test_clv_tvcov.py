"""Time-varying covariates in the Pareto/NBD (chapter 10): truth recovery, special cases, a plain reference."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.integrate import quad
from scipy.special import gammaln

from crmlab._validation import CrmlabWarning
from crmlab.clv import ParetoNBDCovariateModel, ParetoNBDModel, ParetoNBDTimeVaryingModel
from crmlab.clv._tv_data import prepare_tv_data
from crmlab.clv.tv_covariates import _loglik_grad, tv_log_likelihood
from crmlab.synth import simulate_tv_covariate_world

KW = {"customer_col": "customer_id", "time_col": "date", "period_col": "period", "period_length": None,
      "time_unit": "7D", "caller": "test"}


def _prepare(w, pcols, dcols, end=None):
    return prepare_tv_data(w.transactions, w.covariates, pcols, dcols, observation_end=end or w.calibration_end,
                           **KW)[0]


@pytest.fixture(scope="module")
def world():
    return simulate_tv_covariate_world(1500, n_periods=78, holdout_periods=13, random_state=11,
                                       purchase_effects={"is_promo": 0.7, "season": 0.5},
                                       dropout_effects={"is_promo": -0.8})


@pytest.fixture(scope="module")
def fitted(world):
    return ParetoNBDTimeVaryingModel(["is_promo", "season"], ["is_promo"]).fit(
        world.transactions, world.covariates, observation_end=world.calibration_end)


# -- recovery and prediction ------------------------------------------------------------------------------------------
def test_recovers_the_true_parameters_within_3_5_standard_errors(world, fitted):
    table = fitted.summary()
    z = (table["estimate"] - world.truth) / table["std_error"]
    assert list(table.index) == list(world.truth.index)
    assert np.all(np.isfinite(table["std_error"])) and np.all(table["std_error"] > 0)
    assert np.all(np.abs(z) < 3.5), z
    assert table.loc["purchase:is_promo", "z"] > 10  # a strong effect is found, not just tolerated


def test_log_likelihood_is_the_sum_of_the_customers_and_the_gradient_is_zero_at_the_fit(fitted):
    ll = fitted.individual_log_likelihood()
    assert ll.sum() == pytest.approx(fitted.log_likelihood_, abs=1e-8)
    assert len(ll) == fitted.n_customers_ == 1500


def test_analytic_gradient_equals_numerical_differences(world):
    d = _prepare(world, ["is_promo", "season"], ["is_promo"])
    theta = np.array([np.log(0.7), np.log(9.0), np.log(0.5), np.log(25.0), 0.5, 0.3, -0.6])
    _, g = _loglik_grad(theta, d, d.seg.zp, d.seg.zd, d.zp_at_purchases)

    def total(t):
        return tv_log_likelihood(*np.exp(t[:4]), t[4:6], t[6:], d).sum()

    h = 1e-4  # fourth-order differences: error ~ h^4
    num = [(-total(theta + 2 * h * e) + 8 * total(theta + h * e) - 8 * total(theta - h * e)
            + total(theta - 2 * h * e)) / (12 * h) for e in np.eye(7)]
    np.testing.assert_allclose(g.sum(axis=1), num, rtol=1e-6, atol=1e-4)


def test_holdout_purchases_are_predicted_with_the_future_path(world, fitted):
    future = world.covariates[world.covariates["period"] >= world.calibration_end]
    pred = fitted.expected_purchases(13.0, future)
    actual = world.customers["holdout_purchases"].reindex(pred.index)
    assert pred.sum() == pytest.approx(actual.sum(), rel=0.1)
    pa = fitted.probability_alive()
    assert pa.between(0, 1).all()
    alive = world.customers["alive"].reindex(pa.index)
    assert pa[alive].mean() > pa[~alive].mean() + 0.3
    # a promotion in every future week raises the forecast of every customer
    promo = future.assign(is_promo=1.0)
    assert (fitted.expected_purchases(13.0, promo) > fitted.expected_purchases(13.0, future.assign(is_promo=0.0))).all()


# -- special cases ----------------------------------------------------------------------------------------------------
def _constant_world():
    return simulate_tv_covariate_world(800, n_periods=52, random_state=5, purchase_effects={"income": 0.4},
                                       dropout_effects={"income": -0.3},
                                       params={"r": 1.0, "alpha": 6.0, "s": 1.0, "beta": 12.0})


def _rfm(d):
    return pd.DataFrame({"frequency": d.x, "recency": d.tx, "T": d.T}, index=d.ids)


def test_constant_covariates_equal_the_time_invariant_covariate_model():
    w = _constant_world()
    d = _prepare(w, ["income"], ["income"])
    cov = w.covariates.groupby("customer_id")[["income"]].first()
    ti = ParetoNBDCovariateModel(["income"], ["income"]).fit(_rfm(d), cov)
    r, a0, s, b0, gp, gd = ti.params_.to_numpy()
    ll = tv_log_likelihood(r, a0, s, b0, np.array([gp]), np.array([gd]), d)
    assert ll.sum() == pytest.approx(ti.log_likelihood_, abs=1e-8)
    tv = ParetoNBDTimeVaryingModel(["income"], ["income"]).fit(w.transactions, w.covariates,
                                                                observation_end=w.calibration_end)
    assert tv.log_likelihood_ == pytest.approx(ti.log_likelihood_, abs=1e-6)
    pd.testing.assert_series_equal(tv.params_, ti.params_, rtol=1e-4)
    pd.testing.assert_series_equal(tv.standard_errors_, ti.standard_errors_, rtol=2e-3)
    # predictions with a constant future path equal the time-invariant model's
    future = pd.DataFrame({"customer_id": np.repeat(cov.index, 10),
                           "period": np.tile(w.calibration_end + pd.Timedelta(days=7) * np.arange(10), len(cov)),
                           "income": np.repeat(cov["income"].to_numpy(), 10)})
    np.testing.assert_allclose(tv.probability_alive().to_numpy(),
                               ti.probability_alive(_rfm(d), cov).to_numpy(), rtol=1e-5)
    np.testing.assert_allclose(tv.expected_purchases(10.0, future).to_numpy(),
                               ti.expected_purchases(10.0, _rfm(d), cov).to_numpy(), rtol=1e-5)


def test_zero_coefficients_equal_the_plain_pareto_nbd(world):
    d = _prepare(world, ["is_promo", "season"], ["is_promo"])
    plain = ParetoNBDModel().fit(_rfm(d))
    ll = tv_log_likelihood(*plain.params_.to_numpy(), np.zeros(2), np.zeros(1), d)
    assert ll.sum() == pytest.approx(plain.log_likelihood_, abs=1e-8)
    np.testing.assert_allclose(ll, plain.individual_log_likelihood().to_numpy(), rtol=1e-10, atol=1e-10)


# -- a plain, loop-written reference ----------------------------------------------------------------------------------
def _reference_loglik(trans, cov, end, r, alpha, s, beta, gp, gd, pcols, dcols):
    """Customer by customer, period by period, the dropout integral by adaptive quadrature."""
    out = {}
    for cid, g in trans.groupby("customer_id"):
        times = np.sort(g["date"].to_numpy(dtype=float))
        birth, purchases = times[0], times[1:]
        path = cov[cov["customer_id"] == cid].sort_values("period")
        starts = path["period"].to_numpy(dtype=float)
        p = np.exp(path[pcols].to_numpy() @ gp)
        q = np.exp(path[dcols].to_numpy() @ gd)

        def period_of(t, starts=starts):
            return int(np.searchsorted(starts, t, side="right") - 1)

        def exposure(t, rate, starts=starts, birth=birth):  # integral of the rate from birth to t
            total = 0.0
            for k, st in enumerate(starts):
                lo, hi = max(st, birth), min(st + 1.0, t)
                if hi > lo:
                    total += rate[k] * (hi - lo)
            return total

        x = len(purchases)
        tx = purchases[-1] if x else birth
        lead = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
        lead += sum(np.log(p[period_of(t)]) for t in purchases)
        alive = (alpha + exposure(end, p)) ** -(r + x) * (beta + exposure(end, q)) ** -s
        dead = 0.0
        for k, st in enumerate(starts):
            lo, hi = max(st, tx), min(st + 1.0, end)
            if hi > lo:
                def f(tau, k=k, p=p, q=q, x=x):
                    return (alpha + exposure(tau, p)) ** -(r + x) * q[k] * (beta + exposure(tau, q)) ** -(s + 1)
                dead += quad(f, lo, hi, epsabs=0, epsrel=1e-13, limit=200)[0]
        out[cid] = lead + np.log(alive + s * dead)
    return pd.Series(out)


def _small_numeric_world():
    rng = np.random.default_rng(3)
    trans = pd.DataFrame({"customer_id": [1, 1, 1, 2, 3, 3, 4, 4, 4, 4],
                          "date": [0.3, 1.7, 4.2, 2.5, 1.0, 1.0, 0.0, 2.2, 2.9, 5.5]})
    cov = pd.DataFrame({"customer_id": np.repeat([1, 2, 3, 4], 8), "period": np.tile(np.arange(8.0), 4),
                        "promo": rng.integers(0, 2, 32).astype(float), "temp": rng.normal(size=32)})
    return trans, cov


def test_vectorised_likelihood_equals_a_loop_written_reference():
    trans, cov = _small_numeric_world()
    end = 7.5
    d = prepare_tv_data(trans, cov, ["promo", "temp"], ["promo"], observation_end=end,
                        **{**KW, "period_length": 1.0})[0]
    args = (0.9, 3.0, 0.7, 6.0, np.array([0.8, -0.4]), np.array([1.1]))
    got = tv_log_likelihood(*args, d)
    ref = _reference_loglik(trans, cov, end, *args, ["promo", "temp"], ["promo"])
    np.testing.assert_allclose(got, ref.loc[d.ids].to_numpy(), rtol=1e-9)
    assert d.x.tolist() == [2, 0, 1, 3] and d.T.tolist() == [7.2, 5.0, 6.5, 7.5]


def _numeric(w):
    """The world with times as weeks since its start (numbers instead of datetimes)."""
    origin, wk = w.covariates["period"].min(), pd.Timedelta(days=7)
    return (w.transactions.assign(date=(w.transactions["date"] - origin) / wk),
            w.covariates.assign(period=(w.covariates["period"] - origin) / wk))


def _small_sim_world():
    return simulate_tv_covariate_world(400, n_periods=40, holdout_periods=4, random_state=2,
                                       params={"r": 1.0, "alpha": 6.0, "s": 1.0, "beta": 12.0})


def test_numeric_times_and_datetimes_give_the_same_fit():
    w = _small_sim_world()
    m1 = ParetoNBDTimeVaryingModel(["is_promo"], ["is_promo"]).fit(w.transactions, w.covariates,
                                                                   observation_end=w.calibration_end)
    num_t, num_c = _numeric(w)
    m2 = ParetoNBDTimeVaryingModel(["is_promo"], ["is_promo"]).fit(num_t, num_c, observation_end=40.0)
    pd.testing.assert_series_equal(m1.params_, m2.params_, rtol=1e-6)


# -- generator --------------------------------------------------------------------------------------------------------
def test_generator_is_seeded_and_keeps_the_truth():
    a = simulate_tv_covariate_world(200, n_periods=30, holdout_periods=5, random_state=4)
    b = simulate_tv_covariate_world(200, n_periods=30, holdout_periods=5, random_state=4)
    pd.testing.assert_frame_equal(a.transactions, b.transactions)
    pd.testing.assert_frame_equal(a.covariates, b.covariates)
    c = simulate_tv_covariate_world(200, n_periods=30, holdout_periods=5, random_state=5)
    assert not a.transactions.equals(c.transactions)
    cust = a.customers
    assert (cust["death"] > cust["birth"]).all()
    first = a.transactions.groupby("customer_id")["date"].min()
    wk = pd.Timedelta(days=7)
    np.testing.assert_allclose(((first - pd.Timestamp("2024-01-01")) / wk).to_numpy(), cust["birth"].to_numpy(),
                               atol=1e-9)
    # nobody buys after dying
    last = pd.concat([a.transactions, a.holdout]).groupby("customer_id")["date"].max()
    assert (((last - pd.Timestamp("2024-01-01")) / wk).to_numpy() <= cust["death"].to_numpy() + 1e-9).all()


def test_generator_rates_match_their_expectation():
    """Without covariate effects the purchase counts follow the Pareto/NBD mean for the simulated ages."""
    w = simulate_tv_covariate_world(20000, n_periods=52, purchase_effects={}, dropout_effects={},
                                    params={"r": 1.0, "alpha": 5.0, "s": 1.0, "beta": 20.0}, random_state=9)
    T = 52.0 - w.customers["birth"].to_numpy()
    # E[X(T)] = r beta / (alpha (s - 1)) * (1 - (beta / (beta + T))^(s - 1)); s = 1: r beta / alpha * log(1 + T/beta)
    expected = 1.0 * 20.0 / 5.0 * np.log1p(T / 20.0)
    x = w.transactions.groupby("customer_id").size().to_numpy() - 1
    assert x.mean() == pytest.approx(expected.mean(), rel=0.03)


# -- bad input --------------------------------------------------------------------------------------------------------
def _fit(trans, cov, **kw):
    return ParetoNBDTimeVaryingModel(["promo"], ["temp"]).fit(trans, cov, **{"observation_end": 7.5, **kw})


def test_missing_period_is_named():
    trans, cov = _small_numeric_world()
    bad = cov.drop(index=cov.index[(cov["customer_id"] == 2) & (cov["period"] == 4.0)])
    with pytest.raises(ValueError, match=r"missing periods.*customer 2 lacks the period\(s\) starting at \[4.0\]"):
        ParetoNBDTimeVaryingModel(["promo"], ["temp"], period_length=1.0).fit(trans, bad, observation_end=7.5)


def test_nan_and_non_numeric_covariates_are_refused():
    trans, cov = _small_numeric_world()
    with pytest.raises(ValueError, match="covariate 'temp' of 'covariates' has 1 missing"):
        _fit(trans, cov.assign(temp=cov["temp"].where(cov.index != 3)))
    with pytest.raises(TypeError, match="covariate 'promo' .* must be numeric"):
        _fit(trans, cov.assign(promo=np.where(cov["promo"] > 0, "yes", "no")))


def test_ids_must_match_both_ways():
    trans, cov = _small_numeric_world()
    with pytest.raises(ValueError, match=r"1 customer id\(s\) of 'transactions' have no covariate path .*\[4\]"):
        _fit(trans, cov[cov["customer_id"] != 4])
    extra = pd.concat([cov, cov[cov["customer_id"] == 1].assign(customer_id=99)])
    with pytest.raises(ValueError, match=r"customer id\(s\) of 'covariates' have no transaction \(first: \[99\]\)"):
        _fit(trans, extra)


def test_constant_covariate_is_refused():
    trans, cov = _small_numeric_world()
    with pytest.raises(ValueError, match=r"covariate\(s\) \['promo'\] are constant"):
        _fit(trans, cov.assign(promo=1.0))


def test_window_not_covered_and_late_purchases_are_refused():
    trans, cov = _small_numeric_world()
    with pytest.raises(ValueError, match="the covariate path ends at 8, before observation_end 9"):
        _fit(trans, cov, observation_end=9.0)
    with pytest.raises(ValueError, match=r"1 transaction\(s\) happen after observation_end 5"):
        _fit(trans, cov, observation_end=5.0)


def test_default_observation_end_is_said():
    trans, cov = _numeric(_small_sim_world())  # the path runs 4 weeks past the calibration
    last = trans["date"].max()
    with pytest.warns(CrmlabWarning, match=rf"no observation_end given: the window ends at the last purchase .*"
                                           rf"\({last:g}\), although the covariate path runs to 44"):
        m = ParetoNBDTimeVaryingModel(["is_promo"], ["is_promo"]).fit(trans, cov)
    assert m.observation_end_ == last


def test_future_path_must_cover_the_prediction_window(world, fitted):
    future = world.covariates[world.covariates["period"] >= world.calibration_end]
    short = future[future["period"] < world.calibration_end + pd.Timedelta(days=7 * 5)]
    with pytest.raises(ValueError, match=r"missing periods in 'future_covariates' in the prediction window"):
        fitted.expected_purchases(13.0, short)
    with pytest.raises(ValueError, match="have no covariate path in 'future_covariates'"):
        fitted.expected_purchases(4.0, short[short["customer_id"] != 1])
    with pytest.raises(ValueError, match="off the grid"):
        fitted.expected_purchases(4.0, short.assign(period=short["period"] + pd.Timedelta(days=2)))


def test_grid_and_duplicates_are_checked():
    trans, cov = _small_numeric_world()
    with pytest.raises(ValueError, match="duplicated \\(customer, period\\)"):
        _fit(trans, pd.concat([cov, cov.iloc[:1]]))
    with pytest.raises(ValueError, match="regular grid"):
        _fit(trans, cov.assign(period=cov["period"] ** 1.5))
    with pytest.raises(ValueError, match="name at least one purchase or dropout covariate"):
        ParetoNBDTimeVaryingModel().fit(trans, cov, observation_end=7.5)
    trans, cov = _numeric(_small_sim_world())
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a valid fit raises no warning
        ParetoNBDTimeVaryingModel(["is_promo"], ["is_promo"]).fit(trans, cov, observation_end=40.0)


# -- never silently wrong: extreme inputs -----------------------------------------------------------------------------
STRESS_PARAMS = [(0.01, 0.1, 0.05, 0.05), (0.243, 4.414, 0.793, 2.426), (50.0, 500.0, 20.0, 100.0),
                 (1.0, 1.0, 1.0, 1.0)]


def _extreme_world():
    """A silent customer, 10,000 purchases over ten years, a burst then silence, one born at the very end."""
    rng = np.random.default_rng(8)
    weeks = 520
    times = [np.array([3.0]), np.sort(rng.uniform(0.0, weeks, 10_000)), np.r_[0.0, rng.uniform(0.0, 1.0, 50)],
             np.array([float(weeks)])]
    trans = pd.DataFrame({"customer_id": np.repeat(np.arange(1, 5), [len(t) for t in times]),
                          "date": np.concatenate(times)})
    cov = pd.DataFrame({"customer_id": np.repeat(np.arange(1, 5), weeks + 1),
                        "period": np.tile(np.arange(weeks + 1.0), 4),
                        "promo": rng.integers(0, 2, 4 * (weeks + 1)).astype(float),
                        "temp": 3.0 * rng.normal(size=4 * (weeks + 1))})
    return trans, cov, float(weeks)


STRESS_CASES = [(p, c) for p in STRESS_PARAMS for c in (-2.0, 0.0, 2.0)]


@pytest.mark.parametrize(("params", "coef"), STRESS_CASES)
def test_likelihood_gradient_and_predictions_are_finite_for_extreme_inputs(params, coef):
    trans, cov, end = _extreme_world()
    d = prepare_tv_data(trans, cov, ["promo", "temp"], ["temp"], observation_end=end,
                        **{**KW, "period_length": 1.0})[0]
    assert d.x.tolist() == [0, 9999, 50, 0] and d.T[3] == 0
    theta = np.r_[np.log(params), coef, -coef / 2, coef / 3]
    ll, g = _loglik_grad(theta, d, d.seg.zp, d.seg.zd, d.zp_at_purchases)
    assert np.all(np.isfinite(ll)) and np.all(np.isfinite(g))
    model = ParetoNBDTimeVaryingModel(["promo", "temp"], ["temp"])
    model.params_ = pd.Series(np.r_[params, coef, -coef / 2, coef / 3])  # set by hand: no fit needed
    model._theta, model._data, model.observation_end_ = theta, d, end
    model._grid = prepare_tv_data(trans, cov, ["promo"], [], observation_end=end,
                                  **{**KW, "period_length": 1.0})[1]
    model._colnames = {"customer_col": "customer_id", "time_col": "date", "period_col": "period"}
    pa = model.probability_alive()
    assert np.all(np.isfinite(pa)) and pa.between(0, 1).all()
    future = cov.assign(period=cov["period"] + end)
    for t in (1.0, 52.0, 500.0):
        e = model.expected_purchases(t, future)
        assert np.all(np.isfinite(e)) and (e >= 0).all(), (t, e)
