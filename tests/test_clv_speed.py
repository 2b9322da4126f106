"""Fast numeric paths of crmlab.clv (issue 20) checked against plain implementations.

Each fast path (aggregated likelihoods, one-pass gradients, close starts) must give
the same numbers as the plain per-row formula: values to 1e-10 relative, analytic
gradients equal to central finite differences, and fits reaching the same maximum.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlab.clv import GammaGammaModel, simulate_bgnbd
from crmlab.clv._ml import maximize_likelihood
from crmlab.clv.gammagamma import _mean_loglik, _mean_loglik_grad, _spend_sums, _SpendData


def _spend_frame(n: int, seed: int, *, repeat_values: bool = False) -> pd.DataFrame:
    """Repeat buyers with Gamma-Gamma spend (p=6.25, q=3.74, γ=15.45), some customers without repeats."""
    rng = np.random.default_rng(seed)
    x = rng.poisson(2.0, n).astype(float)
    nu = rng.gamma(3.74, 1 / 15.45, n)
    xs = np.maximum(x, 1.0)
    z = rng.gamma(6.25 * xs, 1 / (nu * xs))
    if repeat_values:
        z = np.round(z, 0) + 1.0  # whole amounts: many identical (x, z) rows
    return pd.DataFrame({"frequency": x, "monetary_value": np.where(x > 0, z, 0.0)})


def _plain_data(df: pd.DataFrame, w: np.ndarray | None = None) -> _SpendData:
    x = df["frequency"].to_numpy(float)
    z = df["monetary_value"].to_numpy(float)
    w = np.ones(len(x)) if w is None else w
    keep = x > 0
    return _SpendData(x[keep], z[keep], w[keep])


@pytest.mark.parametrize("repeat_values", [False, True])
def test_gamma_gamma_aggregate_equals_per_row_sum(repeat_values: bool) -> None:
    df = _spend_frame(3000, 1, repeat_values=repeat_values)
    w = np.random.default_rng(2).integers(1, 4, len(df)).astype(float)
    d = _plain_data(df, w)
    s = _spend_sums(d)
    if repeat_values:
        assert len(s.u) < len(d.x)  # identical (x, x z) rows were merged
    params = np.array([[6.0, 3.5, 15.0], [0.5, 1.2, 2.0], [40.0, 9.0, 300.0]])
    cols = [params[:, j : j + 1] for j in range(3)]
    plain = GammaGammaModel._loglik(*cols, d) @ d.w
    fast = _mean_loglik(*cols, s)[:, 0] * s.n
    np.testing.assert_allclose(fast, plain, rtol=1e-10)
    for row, expected in zip(params, plain, strict=True):
        ll, _ = _mean_loglik_grad(*row, s)
        assert ll[0] * s.n == pytest.approx(expected, rel=1e-10)


def test_gamma_gamma_gradient_equals_finite_differences() -> None:
    s = _spend_sums(_plain_data(_spend_frame(2000, 3)))
    theta = np.array([5.0, 3.0, 12.0])
    _, g = _mean_loglik_grad(*theta, s)
    num = []
    for j in range(3):
        h = 1e-6 * theta[j]
        up, dn = theta.copy(), theta.copy()
        up[j] += h
        dn[j] -= h
        num.append((_mean_loglik_grad(*up, s)[0][0] - _mean_loglik_grad(*dn, s)[0][0]) / (2 * h))
    np.testing.assert_allclose(g[:, 0], num, rtol=1e-6, atol=1e-9)


def test_gamma_gamma_fit_reaches_the_plain_maximum() -> None:
    df = _spend_frame(5000, 4)
    fast = GammaGammaModel().fit(df)
    d = _plain_data(df)
    plain = maximize_likelihood(GammaGammaModel._loglik, d, d.w, np.log([1.0, 2.0, d.z.mean()]),
                                names=("p", "q", "gamma"), caller="plain")
    assert fast.log_likelihood_ == pytest.approx(plain.log_likelihood, rel=1e-9)
    np.testing.assert_allclose(fast.params_.to_numpy(), plain.params, rtol=1e-4)
    np.testing.assert_allclose(fast.standard_errors_.to_numpy(), plain.standard_errors, rtol=1e-3)
    # and the per-customer log-likelihoods still add up to the total
    assert fast.individual_log_likelihood(df).sum() == pytest.approx(fast.log_likelihood_, rel=1e-10)
    # known truth within a few standard errors
    assert abs(fast.params_["p"] - 6.25) < 4 * fast.standard_errors_["p"]


def test_gamma_gamma_weights_equal_repeated_rows() -> None:
    df = _spend_frame(1500, 5)
    w = np.random.default_rng(6).integers(1, 4, len(df))
    by_weight = GammaGammaModel().fit(df, weights=w.astype(float))
    repeated = GammaGammaModel().fit(df.loc[df.index.repeat(w)].reset_index(drop=True))
    assert by_weight.log_likelihood_ == pytest.approx(repeated.log_likelihood_, rel=1e-10)
    np.testing.assert_allclose(by_weight.params_, repeated.params_, rtol=1e-5)




def _continuous_bg(n: int, seed: int) -> pd.DataFrame:
    T = 39.0 + np.random.default_rng(seed).uniform(0.0, 12.0, n)
    return simulate_bgnbd(n, r=0.243, alpha=4.414, a=0.793, b=2.426, T=T, random_state=seed)


def _assert_one_pass_gradient(model: type, d: object, thetas: tuple[np.ndarray, ...]) -> None:
    """``model._loglik_grad`` against the plain per-row ``_loglik`` and central differences of its weighted sum."""
    for theta in thetas:
        ll, g = model._loglik_grad(*theta, d)
        plain = model._loglik(*[np.array([[v]]) for v in theta], d)[0]
        np.testing.assert_allclose(ll, plain, rtol=1e-12, atol=1e-12)
        num = []
        for j in range(4):
            h = 1e-5 * theta[j]  # central differences: O(h^2) error, rounding error of the sum / h
            up, dn = theta.copy(), theta.copy()
            up[j] += h
            dn[j] -= h
            num.append((model._loglik(*[np.array([[v]]) for v in up], d)[0] @ d.w
                        - model._loglik(*[np.array([[v]]) for v in dn], d)[0] @ d.w) / (2 * h))
        np.testing.assert_allclose(g @ d.w, num, rtol=1e-6)


@pytest.mark.parametrize("block", [1 << 15, 1000])  # one block, several blocks with a short last one
@pytest.mark.parametrize("resolution", [None, 1 / 7])  # distinct ages, or a daily grid (log(alpha + t) on uniques)
def test_bgnbd_one_pass_gradient_equals_plain_loglik_and_finite_differences(
        block: int, resolution: float | None, monkeypatch: pytest.MonkeyPatch) -> None:
    from crmlab.clv import BetaGeoModel, bgnbd
    from crmlab.clv._data import collapse

    monkeypatch.setattr(bgnbd, "_BLOCK", block)
    T = 39.0 + np.random.default_rng(7).uniform(0.0, 12.0, 4000)
    df = simulate_bgnbd(4000, r=0.243, alpha=4.414, a=0.793, b=2.426, T=T, resolution=resolution, random_state=7)
    w = np.random.default_rng(8).integers(1, 3, len(df)).astype(float)
    d = collapse(df["frequency"].to_numpy(float), df["recency"].to_numpy(float), df["T"].to_numpy(float), w)
    if resolution is not None:  # the grid must take the path through the unique values
        assert 2 * len(d.txv) <= len(d.tx) and 2 * len(d.Tv) <= len(d.T)
    _assert_one_pass_gradient(BetaGeoModel, d, (np.array([0.25, 4.0, 0.8, 2.3]), np.array([2.0, 0.5, 3.0, 0.7]),
                                                np.array([0.1, 40.0, 1.0, 9.0])))


@pytest.mark.parametrize("model_name", ["BetaGeoModel", "ParetoNBDModel", "ModifiedBetaGeoModel"])
def test_subsample_start_reaches_the_same_maximum(model_name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import crmlab.clv as clv
    from crmlab.clv import _ml

    monkeypatch.setattr(_ml, "SUBSAMPLE_ROWS", 1000)  # so 6,000 customers take the subsample path
    monkeypatch.setattr(_ml.subsample_rows, "__defaults__", (1000,))
    df = _continuous_bg(6000, 9)
    cls = getattr(clv, model_name)
    close = cls().fit(df)
    assert close.n_unique_rows_ > 2000  # the subsample path was taken
    plain_start = [1.0, 5.0, 1.0, 40.0 if model_name == "ParetoNBDModel" else 1.0]
    far = cls(initial_params=dict(zip(cls._param_names, plain_start, strict=True))).fit(df)
    assert close.log_likelihood_ == pytest.approx(far.log_likelihood_, rel=1e-9)
    np.testing.assert_allclose(close.params_, far.params_, rtol=1e-4)
    assert close.n_iter_ < far.n_iter_


@pytest.mark.parametrize("grid", [True, False])  # dense table / hashed key
def test_unique_rows_of_predictions_match_the_plain_factorization(grid: bool) -> None:
    from crmlab.clv._data import factorize_rows
    from crmlab.clv._predict import _unique_rfm_rows

    rng = np.random.default_rng(10)
    n = 5000
    x = rng.integers(0, 6, n).astype(float)
    T = rng.integers(30, 40, n) / 7.0 if grid else np.round(rng.uniform(30, 40, n), 2)
    tx = np.where(x > 0, np.round(T * rng.uniform(size=n), 1), 0.0)
    (ux, utx, uT), inv = _unique_rfm_rows(x, tx, T)
    (px, ptx, pT), pinv = factorize_rows(x, tx, T)
    assert len(ux) == len(px)  # same number of unique rows
    if grid:
        assert len(ux) < n
    np.testing.assert_array_equal(ux[inv], x)
    np.testing.assert_array_equal(utx[inv], tx)
    np.testing.assert_array_equal(uT[inv], T)
    big = x.copy()
    big[0] = 2.0**40  # would overflow the packed key: plain path, same rows
    (bx, _, _), binv = _unique_rfm_rows(big, tx, T)
    np.testing.assert_array_equal(bx[binv], big)


def test_predictions_equal_row_by_row_formulas() -> None:
    from crmlab.clv import BetaGeoModel

    df = _continuous_bg(3000, 11)
    df["T"] = np.round(df["T"] * 7) / 7
    df["recency"] = np.minimum(np.round(df["recency"] * 7) / 7, df["T"])
    m = BetaGeoModel()
    m.params_ = pd.Series({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    p = tuple(m.params_)
    x, tx, T = (df[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    np.testing.assert_allclose(m.probability_alive(df), np.clip(m._h_p_alive(p, x, tx, T), 0, 1), rtol=1e-12)
    np.testing.assert_allclose(m.expected_purchases(10.0, df), m._h_cond_expected(p, 10.0, x, tx, T), rtol=1e-12)


def test_gamma_gamma_huge_frequencies_take_the_sorting_path() -> None:
    df = _spend_frame(500, 12)
    df.loc[df.index[:3], "frequency"] = [1e7, 2e7, 1e7]
    d = _plain_data(df)
    s = _spend_sums(d)
    assert set(s.xu) == set(d.x) and s.wxu.sum() == len(d.x)
    ll = _mean_loglik(*[np.array([[v]]) for v in (6.0, 3.5, 15.0)], s)[0, 0] * s.n
    # terms of size ~1e8 cancel for x ~ 1e7: the two summation orders agree to ~1e-10
    assert ll == pytest.approx(GammaGammaModel._loglik(*[np.array([[v]]) for v in (6.0, 3.5, 15.0)], d)[0].sum(),
                               rel=1e-8)


def test_prediction_row_cache_never_serves_other_data() -> None:
    from crmlab.clv import BetaGeoModel

    m = BetaGeoModel()
    m.params_ = pd.Series({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    one = _continuous_bg(2000, 13)
    two = one.copy()
    two.loc[two.index[5], "T"] += 1.0  # one row differs
    first = m.probability_alive(one)
    again = m.expected_purchases(5.0, one)  # reuses the rows of `one`
    other = m.probability_alive(two)
    p = tuple(m.params_)
    x, tx, T = (two[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    np.testing.assert_allclose(other, np.clip(m._h_p_alive(p, x, tx, T), 0, 1), rtol=1e-12)
    assert first.iloc[5] != other.iloc[5] or one.loc[one.index[5], "frequency"] == 0
    x1, tx1, T1 = (one[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    np.testing.assert_allclose(again, m._h_cond_expected(p, 5.0, x1, tx1, T1), rtol=1e-12)


@pytest.mark.parametrize("theta", [(0.55, 10.5, 0.6, 11.7), (0.55, 12.5, 0.6, 11.7), (2.0, 0.1, 0.3, 50.0),
                                   (0.3, 80.0, 1.5, 0.5), (1.0, 5.0, 1.0, 5.0)])
def test_pareto_series_term_equals_hyp2f1_and_finite_differences(theta: tuple[float, ...]) -> None:
    """The summed series (with its forward-mode gradient) against scipy's hyp2f1 and central differences.

    The parameter sets cover α > β, α < β, α = β and pairs with z > 0.6 (the hyp2f1 fallback).
    """
    from crmlab.clv.paretonbd import _SERIES_ZMAX, _log_a0_term, _log_a0_term_grad

    rng = np.random.default_rng(14)
    n = 3000
    x = rng.integers(0, 60, n).astype(float)
    t = rng.uniform(0.0, 60.0, n)  # unsorted on purpose: the function sorts what it needs
    r, alpha, s, beta = theta
    z = abs(alpha - beta) / (max(alpha, beta) + t)
    val, grad = _log_a0_term_grad(*theta, x, t)
    ref = _log_a0_term(*[np.array([[v]]) for v in theta], x, t)[0]
    np.testing.assert_allclose(val, ref, rtol=1e-13)
    th = np.array(theta)
    for j in range(4):
        h = 1e-6 * th[j]
        up, dn = th.copy(), th.copy()
        up[j] += h
        dn[j] -= h
        num = (_log_a0_term(*[np.array([[v]]) for v in up], x, t)[0]
               - _log_a0_term(*[np.array([[v]]) for v in dn], x, t)[0]) / (2 * h)
        series = z <= _SERIES_ZMAX
        np.testing.assert_allclose(grad[j][series], num[series], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(grad[j][~series], num[~series], rtol=1e-12, atol=1e-12)  # same code path


def test_pareto_one_pass_gradient_equals_plain_loglik_and_finite_differences() -> None:
    from crmlab.clv import ParetoNBDModel, simulate_pareto_nbd
    from crmlab.clv._data import collapse

    T = 39.0 + np.random.default_rng(15).uniform(0.0, 12.0, 3000)
    df = simulate_pareto_nbd(3000, r=0.553, alpha=10.578, s=0.606, beta=11.669, T=T, random_state=15)
    w = np.random.default_rng(16).integers(1, 3, len(df)).astype(float)
    d = collapse(df["frequency"].to_numpy(float), df["recency"].to_numpy(float), df["T"].to_numpy(float), w)
    _assert_one_pass_gradient(ParetoNBDModel, d, (np.array([0.55, 10.6, 0.6, 11.7]), np.array([2.0, 0.5, 3.0, 0.7]),
                                                  np.array([0.1, 40.0, 1.0, 9.0])))


@pytest.mark.parametrize("kind", ["continuous", "grid", "wide"])
def test_row_codes_from_column_codes_match_the_plain_grouping(kind: str) -> None:
    """combine_codes (packed key, distinct-column shortcut, overflow path) groups rows as row_codes does."""
    from crmlab._keys import column_codes, combine_codes, row_codes

    rng = np.random.default_rng(17)
    n = 4000
    x = rng.integers(0, 5, n).astype(float)
    if kind == "continuous":
        cols = [x, np.round(rng.uniform(0, 10, n), 1), rng.uniform(0, 10, n)]  # last column distinct per row
    elif kind == "grid":
        cols = [x, rng.integers(0, 8, n) / 7.0, rng.integers(30, 33, n) / 7.0]  # heavy repetition
    else:
        cols = [rng.integers(0, 3, n) * 1.5 for _ in range(45)]  # 3**45 > 2**62: pairwise fallback
    per_col = [column_codes(c) for c in cols]
    inv, first = combine_codes([c for c, _ in per_col], [len(u) for _, u in per_col])
    ref_inv, ref_first = row_codes(*cols)
    assert len(first) == len(ref_first)
    # same partition: a one-to-one map between the two numberings
    pairs = np.unique(np.column_stack([inv, ref_inv]), axis=0)
    assert len(pairs) == len(first)
    for c in cols:
        np.testing.assert_array_equal(c[first][inv], c)  # every row is its group's first row


def test_collapsed_data_keeps_every_row_and_pair() -> None:
    """RFMData from collapse (codes carried over) describes the same rows as RFMData built from scratch."""
    from crmlab.clv._data import RFMData, collapse

    rng = np.random.default_rng(18)
    n = 5000
    x = rng.integers(0, 4, n).astype(float)
    T = rng.integers(70, 80, n) / 7.0
    tx = np.where(x > 0, np.floor(T * rng.uniform(size=n) * 7) / 7, 0.0)
    for w in (np.ones(n), np.where(rng.uniform(size=n) < 0.2, 0.0, 1.0)):  # with and without dropped rows
        d = collapse(x, tx, T, w)
        plain = RFMData(d.x, d.tx, d.T, d.w, d.n_customers)
        assert d.w.sum() == w.sum() and np.all(d.w > 0)
        for dd in (d, plain):
            np.testing.assert_array_equal(dd.xu[dd.x_inv], dd.x)
            np.testing.assert_array_equal(dd.txv[dd.txv_inv], dd.tx)
            np.testing.assert_array_equal(dd.Tv[dd.Tv_inv], dd.T)
            np.testing.assert_array_equal(dd.x_tx[dd.tx_inv], dd.x)
            np.testing.assert_array_equal(dd.tx_u[dd.tx_inv], dd.tx)
            np.testing.assert_array_equal(dd.x_T[dd.T_inv], dd.x)
            np.testing.assert_array_equal(dd.T_u[dd.T_inv], dd.T)
            assert len(np.unique(np.column_stack([dd.x_T, dd.T_u]), axis=0)) == len(dd.x_T)  # pairs are unique
        # identical rows were merged: their count is the number of distinct (x, tx, T) among kept rows
        keep = w > 0
        assert len(d.x) == len(np.unique(np.column_stack([x, tx, T])[keep], axis=0))
