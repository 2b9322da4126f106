"""Never silently wrong: extreme inputs stay finite, bad input is named, failed fits explain (chapter 6)."""

from __future__ import annotations

import itertools
import re
import warnings

import numpy as np
import pandas as pd
import pytest

from crmlab.clv import (
    BetaGeoBetaBinomModel,
    BetaGeoModel,
    FitError,
    GammaGammaModel,
    ModifiedBetaGeoModel,
    ParetoNBDModel,
    ShiftedBetaGeoModel,
)
from crmlab.datasets import load_cdnow_summary

CONTINUOUS = {
    BetaGeoModel: [(0.01, 0.1, 0.05, 0.05), (0.243, 4.414, 0.793, 2.426), (50.0, 500.0, 20.0, 100.0),
                   (1.0, 1.0, 1.0, 1.0)],
    ModifiedBetaGeoModel: [(0.01, 0.1, 0.05, 0.05), (0.5, 6.0, 0.9, 1.6), (50.0, 500.0, 20.0, 100.0)],
    ParetoNBDModel: [(0.01, 0.1, 0.05, 500.0), (0.553, 10.578, 0.606, 11.669), (50.0, 500.0, 20.0, 0.1),
                     (1.0, 5.0, 1.0, 5.0)],
}


def _extreme_rows() -> pd.DataFrame:
    freq = [0, 1, 2, 50, 1000, 10_000]
    T = [0.5, 39.0, 520.0, 5200.0]
    rows = []
    for x, t in itertools.product(freq, T):
        recs = [0.0] if x == 0 else [1e-3 * t, 0.5 * t, t]
        rows += [(x, r, t) for r in recs]
    return pd.DataFrame(rows, columns=["frequency", "recency", "T"])


NAMES = {
    BetaGeoModel: ["r", "alpha", "a", "b"],
    ModifiedBetaGeoModel: ["r", "alpha", "a", "b"],
    ParetoNBDModel: ["r", "alpha", "s", "beta"],
    BetaGeoBetaBinomModel: ["alpha", "beta", "gamma", "delta"],
}


def _set(model_cls, params):  # a "fitted" model with chosen parameters
    model = model_cls()
    model.params_ = pd.Series(params, index=NAMES[model_cls], dtype=float)
    return model


@pytest.mark.parametrize(("model_cls", "params"), [(c, p) for c, ps in CONTINUOUS.items() for p in ps])
def test_no_nan_or_inf_for_extreme_inputs(model_cls, params) -> None:
    model = _set(model_cls, params)
    rows = _extreme_rows()
    pa = model.probability_alive(rows)
    assert np.all(np.isfinite(pa)) and pa.between(0, 1).all()
    for t in (1.0, 52.0, 5200.0):
        e = model.expected_purchases(t, rows)
        assert np.all(np.isfinite(e)) and (e >= -1e-9).all(), (t, rows[~np.isfinite(e)])
    e_new = model.expected_purchases_new_customer(np.array([0.0, 1.0, 1e4]))
    assert np.all(np.isfinite(e_new))
    pk = model.probability_of_purchases(0, 52.0, rows)
    assert np.all(np.isfinite(pk))
    ll = model.individual_log_likelihood(rows)
    assert np.all(np.isfinite(ll))  # a density of purchase times: may exceed 1 for 10,000 purchases


def test_high_frequency_customer_is_sensible() -> None:
    model = _set(BetaGeoModel, (0.243, 4.414, 0.793, 2.426))
    rows = pd.DataFrame({"frequency": [10_000, 10_000], "recency": [5199.0, 100.0], "T": [5200.0, 5200.0]})
    pa = model.probability_alive(rows).to_numpy()
    assert pa[0] > 0.99 and pa[1] < 1e-6  # buying twice a day until yesterday vs silent for 100 years
    e = model.expected_purchases(52.0, rows).to_numpy()
    assert e[0] == pytest.approx(52.0 * 10_000 / 5200, rel=0.05)


def test_bgbb_extremes_finite() -> None:
    for params in [(0.01, 0.01, 0.01, 0.01), (100.0, 1.0, 1.0, 100.0), (1.2, 0.75, 1.0, 2.8)]:
        model = _set(BetaGeoBetaBinomModel, params)
        rows = pd.DataFrame({"frequency": [0, 1, 500, 1000], "recency": [0, 1000, 999, 1000], "T": [1000] * 4})
        assert np.all(np.isfinite(model.probability_alive(rows)))
        assert np.all(np.isfinite(model.expected_purchases(10, rows)))


@pytest.mark.parametrize(("frame", "match"), [
    (pd.DataFrame({"customer_id": [7, 8], "frequency": [1, 2], "recency": [5.0, 50.0], "T": [10.0, 20.0]}),
     r"'recency' greater than 'T' \(first customer_id values: \[8\]\)"),
    (pd.DataFrame({"customer_id": [1, 2], "frequency": [-1, 2], "recency": [0.0, 5.0], "T": [10.0, 20.0]}),
     r"negative 'frequency' \(first customer_id values: \[1\]\)"),
    (pd.DataFrame({"customer_id": [1, 2], "frequency": [1.5, 2], "recency": [1.0, 5.0], "T": [10.0, 20.0]}),
     r"fractional 'frequency' \(first customer_id values: \[1\]\)"),
    (pd.DataFrame({"customer_id": [1, 2], "frequency": [1, 2], "recency": [np.nan, 5.0], "T": [10.0, 20.0]}),
     r"column 'recency' of 'data' has 1 missing value\(s\) \(first customer_id values: \[1\]\)"),
    (pd.DataFrame({"customer_id": [1, 2], "frequency": [0, 2], "recency": [3.0, 5.0], "T": [10.0, 20.0]}),
     r"'frequency' 0 but 'recency' > 0"),
    (pd.DataFrame({"frequency": [1], "recency": [1.0]}), r"missing required column\(s\) \['T'\]"),
])
def test_bad_rfm_input_names_rows(frame: pd.DataFrame, match: str) -> None:
    for cls in (BetaGeoModel, ParetoNBDModel):
        with pytest.raises(ValueError, match=match):
            cls().fit(frame)


def test_bad_input_in_predictions_and_types() -> None:
    model = BetaGeoModel().fit(load_cdnow_summary())
    bad = pd.DataFrame({"customer_id": [3], "frequency": [1], "recency": [9.0], "T": [8.0]})
    with pytest.raises(ValueError, match=r"BetaGeoModel.probability_alive\(\).*customer_id values: \[3\]"):
        model.probability_alive(bad)
    with pytest.raises(ValueError, match=r"'t' must be a number >= 0.0; got -1.0"):
        model.expected_purchases(-1.0)
    with pytest.raises(TypeError, match=r"'data' must be a pandas DataFrame; got list"):
        BetaGeoModel().fit([1, 2, 3])
    with pytest.raises(ValueError, match=r"'penalizer_coef' must be a number >= 0.0"):
        BetaGeoModel(penalizer_coef=-1).fit(load_cdnow_summary())


def test_bgbb_discrete_checks() -> None:
    frame = pd.DataFrame({"frequency": [2], "recency": [1], "T": [6]})
    with pytest.raises(ValueError, match=r"'frequency' greater than 'recency'"):
        BetaGeoBetaBinomModel().fit(frame)
    with pytest.raises(ValueError, match=r"fractional 'recency' or 'T'"):
        BetaGeoBetaBinomModel().fit(pd.DataFrame({"frequency": [1], "recency": [1.5], "T": [6]}))


def test_gamma_gamma_rejects_nonpositive_spend() -> None:
    frame = pd.DataFrame({"customer_id": [4, 5, 6], "frequency": [2, 1, 0], "monetary_value": [0.0, 12.0, 0.0]})
    with pytest.raises(ValueError, match=r"zero or negative 'monetary_value' \(first customer_id values: \[4\]\)"):
        GammaGammaModel().fit(frame)
    frame.loc[0, "monetary_value"] = -3.0
    with pytest.raises(ValueError, match=r"customer_id values: \[4\]"):
        GammaGammaModel().fit(frame)
    with pytest.raises(ValueError, match=r"no row has 'frequency' > 0"):
        GammaGammaModel().fit(frame[frame["frequency"] == 0])


def test_sbg_rejects_bad_lifetimes() -> None:
    frame = pd.DataFrame({"customer_id": [1, 2], "lifetime": [0, 2.5], "churned": [True, False]})
    msg = r"2 row\(s\) have an invalid 'lifetime' \(first customer_id values: \[1, 2\]\)"
    with pytest.raises(ValueError, match=msg):
        ShiftedBetaGeoModel().fit(frame)


def test_degenerate_fits_explain_themselves() -> None:
    ages = np.linspace(10, 40, 50)
    # nobody ever comes back: nothing to estimate
    with pytest.raises(ValueError, match=r"no customer in 'data' has a repeat purchase"):
        BetaGeoModel().fit(pd.DataFrame({"frequency": [0] * 50, "recency": [0.0] * 50, "T": ages}))
    # everyone bought five times and just now: the dropout probability runs to zero
    with pytest.raises(FitError, match=r"(?s)optimiser: .*ran to the edge.*Try: penalizer_coef"):
        BetaGeoModel().fit(pd.DataFrame({"frequency": [5] * 50, "recency": ages, "T": ages}))
    # one repeat purchase each, all at the very end: a and b drop out of the likelihood and r, alpha drift
    # together towards infinity (no rate heterogeneity). Where L-BFGS stops on that flat ridge depends on the
    # machine's last bits (CI stopped with success, a fresh venv here with ABNORMAL), so the test asks that
    # either outcome explains itself: a fit flagged as barely identified, or a FitError with the parameters.
    import warnings

    from crmlab import CrmlabWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            BetaGeoModel().fit(pd.DataFrame({"frequency": [1] * 50, "recency": ages, "T": ages}))
        except FitError as err:
            assert re.search(r"(?s)last parameters \{r=.*alpha=.*Try: penalizer_coef", str(err)), str(err)
        else:
            assert any(issubclass(w.category, CrmlabWarning) and "barely identified" in str(w.message)
                       for w in caught), [str(w.message) for w in caught]


# --- issue 14: the sweep extended to BG/BB, Gamma-Gamma and sBG --------------------------------------------------

BGBB_GRID = [(a, b, g, d) for a, b in [(0.05, 0.05), (1.2, 0.75), (100.0, 1.0)]
             for g in (0.01, 0.5, 1.0, 100.0, 1e3) for d in (0.01, 2.8, 1e3)]


def _bgbb_rows() -> pd.DataFrame:
    rows = []
    for n in (1, 6, 100, 1000):
        for x in sorted({0, 1, n // 2, n}):
            recs = [0] if x == 0 else sorted({max(x, 1), (x + n) // 2, n})
            rows += [(x, r, n) for r in recs if x <= r <= n]
    return pd.DataFrame(rows, columns=["frequency", "recency", "T"])


def test_bgbb_sweep_has_no_nan_inf_or_out_of_range_output() -> None:
    rows = _bgbb_rows()
    bad = []
    for params in BGBB_GRID:
        model = _set(BetaGeoBetaBinomModel, params)
        pa = model.probability_alive(rows).to_numpy()
        outputs = {"p_alive": (pa, 0.0, 1.0),
                   "new_customer": (model.expected_purchases_new_customer(np.array([0.0, 1.0, 10.0, 1000.0])),
                                    0.0, 1000.0),
                   "p(0 in 10)": (model.probability_of_purchases(0, 10, rows).to_numpy(), 0.0, 1.0),
                   "p_new(k in 10)": (model.probability_of_purchases_new_customer(np.arange(11), 10), 0.0, 1.0),
                   "loglik": (model.individual_log_likelihood(rows).to_numpy(), -np.inf, 0.0)}
        for t in (1.0, 10.0, 1000.0):
            outputs[f"E[X({t:g})]"] = (model.expected_purchases(t, rows).to_numpy(), 0.0, t)
        for name, (values, low, high) in outputs.items():
            values = np.asarray(values, dtype=float)
            wrong = ~np.isfinite(values) | (values < low - 1e-9) | (values > high + 1e-9)
            if wrong.any():
                bad.append((params, name, int(wrong.sum()), values[wrong][:3]))
    assert bad == [], bad[:5]


def test_bgbb_expected_purchases_matches_a_plain_sum_for_large_gamma() -> None:
    # E[X(t) | alive pattern] by summing P(alive at each future period) * p, written out term by term
    from scipy.special import betaln

    a, b, g, d = 1.2, 0.75, 150.0, 900.0
    model = _set(BetaGeoBetaBinomModel, (a, b, g, d))
    x, tx, n, t = 2, 5, 6, 4
    row = pd.DataFrame({"frequency": [x], "recency": [tx], "T": [n]})
    got = model.expected_purchases(t, row).iloc[0]
    # P(alive through period n | data): the first term of the likelihood over the whole likelihood
    alive_n = np.exp(betaln(a + x, b + n - x) - betaln(a, b) + betaln(g, d + n) - betaln(g, d)
                     - model.individual_log_likelihood(row).iloc[0])
    # given alive at n: p ~ Beta(a+x, b+n-x), theta ~ Beta(g, d+n); alive in period n+i with prob E[(1-theta)^i]
    p_mean = (a + x) / (a + b + n)
    want = alive_n * p_mean * sum(np.exp(betaln(g, d + n + i) - betaln(g, d + n)) for i in range(1, t + 1))
    assert got == pytest.approx(want, rel=1e-9)


def test_bgbb_limits_are_clear_and_fast() -> None:
    import time

    model = _set(BetaGeoBetaBinomModel, (1.2, 0.75, 0.66, 2.8))
    start = time.perf_counter()
    with pytest.raises(ValueError, match=r"'t' reaches 1e\+07 .*limited to 1,000"):
        model.probability_of_purchases_new_customer(1, 1e7)
    with pytest.raises(ValueError, match=r"'T' reaches 10000 .*BetaGeoModel"):
        BetaGeoBetaBinomModel().fit(pd.DataFrame({"frequency": [1, 5], "recency": [3, 9000], "T": [10_000] * 2}))
    assert time.perf_counter() - start < 5.0  # refused up front (was > 20 s and 97 s)
    # the largest allowed horizon still answers
    p = model.probability_of_purchases_new_customer(np.arange(3), 1000)
    assert np.all(np.isfinite(p)) and np.all((p >= 0) & (p <= 1))


@pytest.mark.parametrize("q", [0.5, 0.9, 0.999, 1.0, 1.001, 1.01, 1.1, 2.0])
def test_gamma_gamma_around_q_one(q: float) -> None:
    model = GammaGammaModel()
    model.params_ = pd.Series([6.25, q, 15.45], index=["p", "q", "gamma"])
    data = pd.DataFrame({"frequency": [0, 1, 2, 50, 1000], "monetary_value": [0.0, 1e-3, 30.0, 12.0, 1e6]})
    if q <= 1:
        with pytest.raises(ValueError, match=r"undefined for q <= 1"):
            model.expected_spend(data)
        with pytest.raises(ValueError, match=r"undefined for q <= 1"):
            model.population_mean_spend()
        return
    spend = model.expected_spend(data).to_numpy()
    assert np.all(np.isfinite(spend)) and np.all(spend > 0)
    mean = model.population_mean_spend()
    assert np.isfinite(mean) and mean > 0 and spend[0] == pytest.approx(mean)
    ll = model.individual_log_likelihood(data).to_numpy()[1:]
    assert np.all(np.isfinite(ll))


def test_gamma_gamma_fit_warns_when_q_at_most_one(monkeypatch) -> None:
    import crmlab.clv._base as base
    from crmlab import CrmlabWarning
    from crmlab.clv._ml import MLResult

    def fake(*args, **kwargs):  # the optimiser lands at q = 0.8 (as on heavy-tailed spend data)
        return MLResult(np.array([2.0, 0.8, 10.0]), -100.0, np.array([0.1, 0.1, 0.1]), np.eye(3) * 0.01, 5, "ok")

    monkeypatch.setattr(base, "maximize_likelihood", fake)
    data = pd.DataFrame({"frequency": [1, 2, 3], "monetary_value": [5.0, 50.0, 5000.0]})
    with pytest.warns(CrmlabWarning, match=r"q=0.8 is <= 1.*expected spend is undefined"):
        model = GammaGammaModel().fit(data)
    with pytest.raises(ValueError, match=r"undefined for q <= 1"):
        model.expected_spend(data)


@pytest.mark.parametrize(("alpha", "beta"), [(0.01, 0.01), (0.704, 1.182), (1e3, 1e3), (50.0, 0.05)])
def test_sbg_sweep_in_range_and_refuses_impossible_periods(alpha: float, beta: float) -> None:
    model = ShiftedBetaGeoModel()
    model.params_ = pd.Series([alpha, beta], index=["alpha", "beta"])
    t = np.arange(0, 1001)
    s = model.survival(t)
    assert np.all(np.isfinite(s)) and np.all((s >= 0) & (s <= 1)) and s[0] == 1.0
    assert np.all(np.diff(s) <= 1e-15)
    r = model.retention_rate(t[1:])
    assert np.all(np.isfinite(r)) and np.all((r >= 0) & (r <= 1))
    derl = model.discounted_expected_residual_lifetime(np.array([1, 10, 1000]), 0.1)
    assert np.all(np.isfinite(derl)) and np.all(derl >= 0) and np.all(derl <= 11.0 + 1e-9)  # at most 1 + 1/d
    for bad in (-3, -1, np.nan, np.inf, 0.5, [1, -1]):
        with pytest.raises(ValueError, match=r"'t' must be whole numbers of periods >= 0"):
            model.survival(bad)
    for bad in (0, -1, np.nan):
        with pytest.raises(ValueError, match=r"'t' must be whole numbers of periods >= 1"):
            model.retention_rate(bad)


def test_every_model_stores_the_same_fit_results() -> None:
    from crmlab.clv import survival_to_cohort
    from crmlab.datasets import load_cdnow_summary, load_donations, load_sbg_retention

    fits = {
        "bgnbd": BetaGeoModel().fit(load_cdnow_summary()),
        "bgbb": BetaGeoBetaBinomModel().fit(load_donations(), weights="weights", T_col="periods"),
        "gg": GammaGammaModel().fit(load_cdnow_summary()),
        "sbg": ShiftedBetaGeoModel().fit(survival_to_cohort(load_sbg_retention()["regular"], periods=7),
                                         weights="customers"),
    }
    for name, model in fits.items():
        names = list(model._param_names)
        assert list(model.params_.index) == names, name
        assert list(model.standard_errors_.index) == names, name
        assert list(model.covariance_.index) == names and list(model.covariance_.columns) == names, name
        np.testing.assert_allclose(np.sqrt(np.diag(model.covariance_)), model.standard_errors_, rtol=1e-12)
        assert np.isfinite(model.log_likelihood_) and model.n_iter_ >= 1 and model.n_customers_ > 0, name
        assert list(model.summary().columns) == ["estimate", "std_error", "lower_95", "upper_95"], name


def test_pareto_hypergeometric_term_is_right_where_scipys_direct_call_is_not():
    """:math:`{}_2F_1(1, b; c; w)`, w <= 0, over a wide seeded sweep against plain Gauss-Jacobi quadrature.

    Euler's integral :math:`E[(1-wU)^{-1}]`, U ~ Beta(b, c-b), with 300 nodes is the reference where
    it agrees with 150 nodes to 1e-12. scipy's direct ``hyp2f1`` is wrong by more than 1e-6 on many of
    these points (near-integer parameters, very negative w) while staying finite and in (0, 1], so a
    check of the range alone cannot see it; the Pfaff-transformed route must be right on them.
    """
    from scipy.special import hyp2f1, roots_jacobi

    from crmlab.clv.paretonbd import _hyp2f1_one

    rng = np.random.default_rng(1)
    n = 2000
    b = np.exp(rng.uniform(np.log(0.05), np.log(200.0), n))
    c = b + np.exp(rng.uniform(np.log(0.5), np.log(300.0), n))
    c = np.where(rng.random(n) < 0.3, np.round(c) + rng.choice([0.0, 1e-4, -1e-4, 5e-4], n), c)
    b = np.where(rng.random(n) < 0.3, np.round(b) + rng.choice([0.0, 1e-4, 5e-4], n), b)
    b = np.maximum(b, 0.05)
    c = np.maximum(c, b + 0.5)
    w = -np.exp(rng.uniform(np.log(1e-3), np.log(1e5), n))

    def euler(bv: float, cv: float, wv: float, nodes: int) -> float:
        x, wt = roots_jacobi(nodes, cv - bv - 1.0, bv - 1.0)
        return float(np.sum(wt / (1.0 - wv * (x + 1.0) / 2.0)) / np.sum(wt))

    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        ref = np.array([euler(*p, 300) for p in zip(b, c, w, strict=True)])
        coarse = np.array([euler(*p, 150) for p in zip(b, c, w, strict=True)])
        direct = hyp2f1(1.0, b, c, w)
    valid = np.isfinite(ref) & (ref > 0) & (np.abs(coarse / ref - 1.0) < 1e-12)
    assert valid.sum() > 1300
    got = _hyp2f1_one(b, c, w)
    assert np.all(np.isfinite(got)) and np.all((got > 0) & (got <= 1.0 + 1e-12))
    err = np.abs(got / ref - 1.0)[valid]
    direct_err = np.abs(direct / ref - 1.0)[valid]
    plausible = (np.isfinite(direct) & (direct > 0) & (direct <= 1.0))[valid]
    assert np.sum((direct_err > 1e-6) & plausible) > 20  # the sweep reaches where the direct call is quietly wrong
    assert err.max() < 1e-6, np.column_stack([b, c, w])[valid][err > 1e-6][:5]
    assert np.mean(err > 1e-9) < 0.005
