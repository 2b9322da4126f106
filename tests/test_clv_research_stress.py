"""Never silently wrong, chapter 10: the CNBD-k and covariate likelihoods join the no-NaN sweep of chapter 6."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from crmlab.clv import BetaGeoCNBDModel, ModifiedBetaGeoCNBDModel
from crmlab.clv.covariates import _bg_loglik_i, _pareto_loglik_i

PARAMS = [(0.01, 0.1, 0.05, 0.05), (0.243, 4.414, 0.793, 2.426), (50.0, 500.0, 20.0, 100.0), (1.0, 1.0, 1.0, 1.0)]


def _extreme_rows() -> pd.DataFrame:
    freq = [0, 1, 2, 50, 1000, 10_000]
    T = [0.5, 39.0, 520.0, 5200.0]
    rows = []
    for x, t in itertools.product(freq, T):
        recs = [0.0] if x == 0 else [1e-3 * t, 0.5 * t, t]
        rows += [(x, r, t) for r in recs]
    return pd.DataFrame(rows, columns=["frequency", "recency", "T"])


@pytest.mark.parametrize(("cls", "k", "params"), [(c, k, p) for c in (BetaGeoCNBDModel, ModifiedBetaGeoCNBDModel)
                                                   for k in (1, 3) for p in PARAMS])
def test_cnbd_has_no_nan_or_inf_for_extreme_inputs(cls, k, params):
    model = cls(k=k)
    model.params_ = pd.Series(params, index=["r", "alpha", "a", "b"], dtype=float)
    model.k_ = model._k_fit = k
    rows = _extreme_rows()
    pa = model.probability_alive(rows)
    assert np.all(np.isfinite(pa)) and pa.between(0, 1).all()
    for t in (1.0, 52.0, 5200.0):
        e = model.expected_purchases(t, rows)
        assert np.all(np.isfinite(e)) and (e >= -1e-9).all(), (t, rows[~np.isfinite(e)])
        act = model.probability_active(t, rows)
        assert np.all(np.isfinite(act)) and act.between(0, 1).all()
    assert np.all(np.isfinite(model.expected_purchases_new_customer(np.array([0.0, 1.0, 1e4]))))
    assert np.all(np.isfinite(model.individual_log_likelihood(rows)))


@pytest.mark.parametrize("params", PARAMS)
def test_covariate_likelihoods_are_finite_for_extreme_inputs(params):
    rows = _extreme_rows()
    x, tx, T = (rows[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T"))
    rng = np.random.default_rng(0)
    spread = np.exp(rng.normal(0.0, 2.0, len(x)))  # per-customer parameters over four orders of magnitude
    r, alpha, a, b = params
    with np.errstate(divide="raise", invalid="raise"):  # underflow to 0 in a tiny term is harmless
        bg = _bg_loglik_i(r, alpha * spread, a * spread, b / spread, x, tx, T)
    assert np.all(np.isfinite(bg))
    with np.errstate(divide="ignore", invalid="ignore"):
        pareto = _pareto_loglik_i(r, alpha * spread, a, b / spread, x, tx, T)
    assert np.all(np.isfinite(pareto))
