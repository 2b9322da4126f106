"""Never silently wrong: extreme inputs stay finite, bad input is named, failed fits explain (chapter 6)."""

from __future__ import annotations

import itertools

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
    # one repeat purchase each, all at the very end: rates without heterogeneity, flagged as weakly identified
    from crmlab import CrmlabWarning

    with pytest.warns(CrmlabWarning, match=r"barely identified"):
        BetaGeoModel().fit(pd.DataFrame({"frequency": [1] * 50, "recency": ages, "T": ages}))
