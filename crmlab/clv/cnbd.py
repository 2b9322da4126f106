r"""BG/CNBD-k and MBG/CNBD-k: BTYD models for regular (Erlang-k) buyers.

Chapter 10. While alive a customer's gaps between purchases are Erlang-k
with rate λ ~ Gamma(r, α) (k = 1: Poisson buying, the BG/NBD); after each
repeat purchase she drops out with probability p ~ Beta(a, b) (MBG: also
right after the first purchase). k is chosen by maximum likelihood over
1..max_k, which needs each customer's sum of log gaps ``litt``
(:func:`crmlab.clv.regularity.log_intertransaction_times`).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy.special import betaln, expit, gammaln
from scipy.stats import nbinom
from sklearn.utils.validation import check_is_fitted

from crmlab._validation import check_columns, check_int, check_no_missing, check_numeric_columns, first_ids
from crmlab.clv._base import BTYDModel
from crmlab.clv._data import RFMData, check_horizon
from crmlab.clv._ml import FitError
from crmlab.clv._predict import PredictionMixin
from crmlab.clv.bgnbd import bg_expected_new

__all__ = ["BetaGeoCNBDModel", "ModifiedBetaGeoCNBDModel"]

_CELLS = 2_000_000  # rows x phases x purchases evaluated at once in the expectation
_MAX_TERMS = 20_000  # beyond this many possible purchases the renewal approximation is used


def _log_phase_terms(r: float, alpha: float, k: int, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Log of Γ(r+kx+j)/(Γ(r+kx) j!) ((T-t_x)/(α+T))^j for j = 0..k-1 (shape (k, n))."""
    j = np.arange(k, dtype=float)[:, None]
    rk = r + k * x
    with np.errstate(divide="ignore", invalid="ignore"):
        lu = np.log(T - tx) - np.log(alpha + T)
        pw = np.where(j == 0, 0.0, j * lu)
    return gammaln(rk + j) - gammaln(rk) - gammaln(j + 1.0) + pw


class _CNBDBase(PredictionMixin, BTYDModel):
    _param_names = ("r", "alpha", "a", "b")
    _m = 0  # 1 for the MBG variant (dropout opportunity at time zero)

    def __init__(self, k: int | None = None, max_k: int = 10, penalizer_coef: float = 0.0,
                 initial_params: dict[str, float] | None = None) -> None:
        self.k = k
        self.max_k = max_k
        self.penalizer_coef = penalizer_coef
        self.initial_params = initial_params

    # likelihood ----------------------------------------------------------------
    def _loglik(self, r: np.ndarray, alpha: np.ndarray, a: np.ndarray, b: np.ndarray, d: RFMData) -> np.ndarray:
        k, m = self._k_fit, self._m
        xu = d.xu  # terms that depend on the frequency only are computed once per distinct frequency
        rku = r + k * xu
        lead = gammaln(rku) - gammaln(r) + r * np.log(alpha) - betaln(a, b)
        alive_x = lead + betaln(a, b + xu + m)
        can_die = (xu > 0) | (m == 1)
        xs = np.where(can_die, xu, 1.0)
        dead_x = np.where(can_die, lead + betaln(a + 1.0, b + xs - 1.0 + m), -np.inf)
        rk = rku[..., d.x_inv]
        l_T = np.log(alpha + d.Tv)[..., d.Tv_inv]
        alive = alive_x[..., d.x_inv] - rk * l_T
        if k > 1:
            with np.errstate(divide="ignore"):
                lu = np.log(d.T - d.tx) - l_T  # log((T - t_x)/(α + T)); -inf when t_x = T
            terms = [np.zeros_like(alive)]
            for j in range(1, k):  # k - 1 phase terms, each vectorised over customers
                ratio = gammaln(rku + j) - gammaln(rku) - gammaln(j + 1.0)
                terms.append(ratio[..., d.x_inv] + j * lu)
            alive = alive + np.logaddexp.reduce(np.stack(terms), axis=0)
        dead = dead_x[..., d.x_inv] - rk * np.log(alpha + d.txv)[..., d.txv_inv]
        return np.logaddexp(alive, dead)

    def _default_start(self, d: RFMData) -> np.ndarray:
        mean_t = float(np.average(d.T, weights=d.w)) or 1.0
        mean_x = float(np.average(d.x, weights=d.w))
        return np.log([1.0, max(self._k_fit * mean_t / (mean_x + 1.0), 1e-3), 1.0, 1.0])

    # fitting -------------------------------------------------------------------
    def fit(self, data: pd.DataFrame, *, litt_col: str = "litt", weights: str | np.ndarray | None = None,
            frequency_col: str = "frequency", recency_col: str = "recency", T_col: str = "T") -> _CNBDBase:
        """Fit by maximum likelihood for each k and keep the k with the highest likelihood.

        Parameters
        ----------
        data : pandas.DataFrame
            Columns ``frequency``, ``recency``, ``T`` and, unless ``k`` is fixed,
            ``litt`` (sum of log inter-purchase times, 0 without repeats).
        litt_col : str, default="litt"
            Column of the sum of log gaps.
        weights : str or array-like, optional
            Customers per row.
        frequency_col, recency_col, T_col : str
            Column names, if they differ from the defaults.

        Returns
        -------
        self
            With ``k_``, ``k_table_`` (log-likelihood of every k tried),
            ``params_``, ``log_likelihood_`` (including the gap-shape term
            when ``litt`` is given), ``standard_errors_``, ``covariance_``.

        Raises
        ------
        ValueError
            For invalid data or hyperparameters, or ``litt`` missing when k is chosen.
        FitError
            If no k can be fitted.
        """
        caller = f"{type(self).__name__}.fit"
        max_k = check_int(self.max_k, "max_k", caller=caller, minimum=1)
        ks = list(range(1, max_k + 1)) if self.k is None else [check_int(self.k, "k", caller=caller, minimum=1)]
        shape_term = self._shape_term(data, litt_col, frequency_col, caller, required=self.k is None)
        rows, best = [], None
        for kk in ks:
            self._k_fit = kk
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    BTYDModel.fit(self, data, weights=weights, frequency_col=frequency_col,
                                  recency_col=recency_col, T_col=T_col)
                except FitError as exc:
                    rows.append({"k": kk, "log_likelihood": np.nan, "r": np.nan, "alpha": np.nan, "a": np.nan,
                                 "b": np.nan})
                    last_error = exc
                    continue
            ll = self.log_likelihood_ + (shape_term(kk) if shape_term is not None else 0.0)
            rows.append({"k": kk, "log_likelihood": ll, **self.params_.to_dict()})
            if best is None or ll > best[0]:
                best = (ll, kk, {n: getattr(self, n) for n in ("params_", "standard_errors_", "covariance_",
                                                              "n_customers_", "n_unique_rows_", "n_iter_", "_train")},
                        caught)
        if best is None:
            raise last_error
        ll, kk, attrs, caught = best
        for n, v in attrs.items():
            setattr(self, n, v)
        for w in caught:
            warnings.warn(w.message, w.category, stacklevel=2)
        self._k_fit = kk
        self.k_ = kk
        self.log_likelihood_ = float(ll)
        self.k_table_ = pd.DataFrame(rows).set_index("k")
        return self

    def _shape_term(self, data: pd.DataFrame, litt_col: str, frequency_col: str, caller: str, *, required: bool):
        """Return k -> sum_i [(k-1) litt_i - x_i log Γ(k)] or None when ``litt`` is absent and not required."""
        if litt_col not in getattr(data, "columns", ()):
            if required:
                raise ValueError(f"{caller}(): choosing k needs the column '{litt_col}' (sum of log inter-purchase "
                                 "times; see crmlab.clv.log_intertransaction_times), or pass a fixed k.")
            return None
        check_columns(data, [litt_col, frequency_col], caller=caller)
        check_numeric_columns(data, [litt_col], caller=caller)
        check_no_missing(data, [litt_col], caller=caller, id_col="customer_id")
        litt = data[litt_col].to_numpy(dtype=float)
        x = data[frequency_col].to_numpy(dtype=float)
        bad = ~np.isfinite(litt) | ((x == 0) & (litt != 0))
        if bad.any():
            raise ValueError(f"{caller}(): {int(bad.sum())} row(s) have an infinite '{litt_col}' or a non-zero "
                             f"'{litt_col}' without repeat purchases (first rows: {first_ids(data.index[bad])}).")
        sl, sx = float(litt.sum()), float(x.sum())
        return lambda k: (k - 1) * sl - sx * float(gammaln(k))

    # predictions -----------------------------------------------------------------
    def _pk(self) -> tuple[tuple[float, ...], int]:
        check_is_fitted(self, "params_")
        return self._p(), self.k_

    def _h_p_alive(self, p: tuple[float, ...], x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
        r, alpha, a, b = p
        k, m = self.k_, self._m
        rk = r + k * x
        log_s2 = np.logaddexp.reduce(_log_phase_terms(r, alpha, k, x, tx, T), axis=0)
        can_die = (x > 0) | (m == 1)
        xs = np.where(can_die, x, 1.0)
        lo = (betaln(a + 1.0, b + xs - 1.0 + m) - betaln(a, b + x + m)
              + rk * (np.log(alpha + T) - np.log(alpha + tx)) - log_s2)
        return np.where(can_die, expit(-lo), 1.0)

    def _future(self, p: tuple[float, ...], t: float, x: np.ndarray, tx: np.ndarray, T: np.ndarray, *,
                expected: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """E[purchases in (T, T+t]] and P(at least one) for customers alive at T (exact series)."""
        r, alpha, a, b = p
        k = self.k_
        bb = b + x + self._m  # posterior Beta(a, bb) of p for a customer alive after x repeats
        lw = _log_phase_terms(r, alpha, k, x, tx, T)
        w = np.exp(lw - np.logaddexp.reduce(lw, axis=0))  # posterior phase (completed Erlang stages) weights
        q = (alpha + T) / (alpha + T + t)
        shape = r + k * x + np.arange(k)[:, None]  # (k, n)
        active = (w * nbinom.sf(k - np.arange(k)[:, None] - 1, shape, q)).sum(axis=0)
        out = np.zeros(len(x))
        if not expected or len(x) == 0:
            return out, active
        if k == 1:  # the BG/NBD closed form (Euler-transformed Gauss function)
            return bg_expected_new(r, alpha, a, bb - x, t, x=x, T=T), active
        # stages beyond the 1 - 1e-12 quantile carry nothing; rows sorted by it share a truncation per chunk
        top = np.ceil(nbinom.isf(1e-12, shape[-1], q) / k) + 2
        huge = top > _MAX_TERMS
        if huge.any():  # thousands of expected purchases: count purchases as stages / k (error < 1 purchase)
            wide = [bg_expected_new(shape[j, huge], k * (alpha + T[huge]), a, bb[huge], t) for j in range(k)]
            out[huge] = (w[:, huge] * np.array(wide)).sum(axis=0)
        rows = np.flatnonzero(~huge)
        rows = rows[np.argsort(top[rows], kind="stable")]
        start = 0
        while start < len(rows):  # chunks of customers bound memory, not a loop over customers
            cost = k * np.arange(1, len(rows) - start + 1) * top[rows[start:]]  # cells if the chunk ends here
            idx = rows[start : start + max(1, int(np.sum(cost <= _CELLS)))]
            n_max = int(top[idx].max())
            nn = np.arange(1, n_max + 1, dtype=float)
            surv = np.exp(betaln(a, bb[idx, None] + nn[None, :] - 1.0) - betaln(a, bb[idx, None]))  # (c, N)
            need = nn[None, None, :] * k - np.arange(k)[:, None, None] - 1.0  # (k, 1, N)
            tail = nbinom.sf(need, shape[:, idx, None], q[None, idx, None])  # (k, c, N)
            out[idx] = (w[:, idx, None] * tail * surv[None]).sum(axis=(0, 2))
            start += len(idx)
        return out, active

    def _h_cond_expected(self, p: tuple[float, ...], t: float, x: np.ndarray, tx: np.ndarray,
                         T: np.ndarray) -> np.ndarray:
        return self._h_p_alive(p, x, tx, T) * self._future(p, t, x, tx, T)[0]

    def _h_new_expected(self, p: tuple[float, ...], t: np.ndarray) -> np.ndarray:
        r, alpha, a, b = p
        tt = np.atleast_1d(np.asarray(t, dtype=float))
        z = np.zeros(1)
        vals = [self._future(p, float(v), z, z, z)[0][0] for v in tt]  # loop over horizons, not customers
        # a new customer is alive after her first purchase (BG); in the MBG she first survives it
        factor = b / (a + b) if self._m else 1.0
        return factor * np.asarray(vals).reshape(np.shape(t))

    def probability_active(self, t: float, data: pd.DataFrame | None = None) -> pd.Series:
        """Return each customer's probability of at least one purchase in the next ``t`` time units.

        Parameters
        ----------
        t : float
            Window length after ``T``.
        data : pandas.DataFrame, optional
            Columns ``frequency``, ``recency``, ``T``; default the training data.

        Returns
        -------
        pandas.Series
            ``p_active``, with the index of ``data``.
        """
        caller = f"{type(self).__name__}.probability_active"
        t = check_horizon(t, "t", caller=caller)
        index, x, tx, T = self._rows(data, caller)
        p = self._p()
        out = self._on_unique(lambda u, v, w: self._h_p_alive(p, u, v, w)
                              * self._future(p, t, u, v, w, expected=False)[1], x, tx, T)
        return self._series(np.clip(out, 0.0, 1.0), index, "p_active")


class BetaGeoCNBDModel(_CNBDBase):
    r"""BG/CNBD-k: the BG/NBD with Erlang-k gaps between purchases (regular buyers).

    Chapter 10. For replenishment buying (groceries, pet food, contact
    lenses) where a customer rarely buys again right after a purchase.

    Parameters
    ----------
    k : int, optional
        Erlang order of the gaps; default choose it by likelihood over 1..max_k.
    max_k : int, default=10
        Largest order tried when ``k`` is None.
    penalizer_coef : float, default=0.0
        L2 penalty on the parameters.
    initial_params : dict, optional
        Starting values ``{"r", "alpha", "a", "b"}``.

    Attributes
    ----------
    k_ : int
        The chosen order.
    k_table_ : pandas.DataFrame
        Log-likelihood and estimates for each k tried.
    params_ : pandas.Series
        ``r``, ``alpha`` (gamma of the Erlang rate λ; mean purchase rate r/(kα)),
        ``a``, ``b`` (beta of the dropout probability).
    log_likelihood_, standard_errors_, covariance_, n_customers_
        As for :class:`BetaGeoModel`; ``log_likelihood_`` includes the
        gap-shape term :math:`\sum_i [(k-1)\,\mathrm{litt}_i - x_i\log\Gamma(k)]`
        when ``litt`` is given.

    See Also
    --------
    ModifiedBetaGeoCNBDModel, BetaGeoModel, crmlab.clv.estimate_regularity

    Notes
    -----
    With :math:`u = T - t_x` and :math:`\rho = r + kx`,

    .. math::

        L = e^{(k-1)\mathrm{litt} - x\log\Gamma(k)} \frac{\Gamma(\rho)\alpha^r}{\Gamma(r)} \Big[
          \frac{B(a, b+x)}{B(a,b)} \frac{1}{(\alpha+T)^{\rho}}
          \sum_{j=0}^{k-1} \frac{\Gamma(\rho+j)}{\Gamma(\rho)\, j!}\Big(\frac{u}{\alpha+T}\Big)^j
          + \delta_{x>0}\frac{B(a+1, b+x-1)}{B(a,b)}\frac{1}{(\alpha+t_x)^{\rho}} \Big].

    k = 1 is the BG/NBD likelihood exactly. The j-th term of the sum is the
    posterior weight of j completed Erlang stages since the last purchase;
    given that phase, λ ~ Gamma(ρ+j, α+T) and the number of stages in the next
    t is negative binomial, which gives exact (series) expressions for the
    expected purchases and P(active).

    References
    ----------
    Platzer, M., & Reutterer, T. (2016). Ticking away the moments: Timing
    regularity helps to better predict customer activity. *Marketing Science*,
    35(5), 779–799.

    Examples
    --------
    >>> from crmlab.synth.btyd_worlds import simulate_cnbd
    >>> df = simulate_cnbd(2000, r=2.0, alpha=8.0, a=1.0, b=6.0, k=3, T=52.0, random_state=1)
    >>> BetaGeoCNBDModel(max_k=5).fit(df).k_
    3
    """

    _m = 0


class ModifiedBetaGeoCNBDModel(_CNBDBase):
    r"""MBG/CNBD-k: the MBG/NBD with Erlang-k gaps (dropout also possible after the first purchase).

    Chapter 10. Same parameters, attributes and methods as
    :class:`BetaGeoCNBDModel`; k = 1 is the MBG/NBD exactly.

    Parameters
    ----------
    k : int, optional
        Erlang order of the gaps; default choose it by likelihood over 1..max_k.
    max_k : int, default=10
        Largest order tried when ``k`` is None.
    penalizer_coef : float, default=0.0
        L2 penalty on the parameters.
    initial_params : dict, optional
        Starting values ``{"r", "alpha", "a", "b"}``.

    Attributes
    ----------
    k_, k_table_, params_, log_likelihood_, standard_errors_, covariance_, n_customers_
        As for :class:`BetaGeoCNBDModel`.

    See Also
    --------
    BetaGeoCNBDModel, ModifiedBetaGeoModel

    Notes
    -----
    As :class:`BetaGeoCNBDModel` with :math:`B(a, b+x+1)` and :math:`B(a+1, b+x)`
    in the two branches and the second branch present for x = 0 too.

    References
    ----------
    Platzer, M., & Reutterer, T. (2016). *Marketing Science*, 35(5), 779–799.
    """

    _m = 1
