r"""Pareto/NBD with time-varying covariates (exp link, piecewise constant over periods), by maximum likelihood.

Chapter 10. Marketing actions and seasons change a customer's buying and
leaving from week to week (Bachmann, Meierer & Näf 2021; CLVTools'
dynamic-covariate Pareto/NBD). Customer *i* buys at rate
:math:`\lambda_i e^{\gamma_P' z_{P,i}(t)}` while alive and leaves with hazard
:math:`\mu_i e^{\gamma_D' z_{D,i}(t)}`, with :math:`\lambda_i \sim
\mathrm{Gamma}(r, \alpha_0)` and :math:`\mu_i \sim \mathrm{Gamma}(s, \beta_0)`
as in the Pareto/NBD; the covariate paths :math:`z(t)` are constant within
each period of a calendar grid (e.g. weeks).

With the purchase and dropout *exposures*
:math:`A_i(t) = \int_0^t e^{\gamma_P' z_{P,i}(u)}du` and
:math:`B_i(t) = \int_0^t e^{\gamma_D' z_{D,i}(u)}du` (customer time, 0 at the
first purchase), the likelihood of :math:`x` repeat purchases at
:math:`t_1..t_x` and the end of observation :math:`T` is

.. math::

    L_i = \frac{\Gamma(r+x)\alpha_0^r\beta_0^s}{\Gamma(r)} e^{\gamma_P'\sum_j z_{P}(t_j)}
    \Big[\frac{1}{(\alpha_0+A(T))^{r+x}(\beta_0+B(T))^s}
    + s\int_{t_x}^{T}\frac{e^{\gamma_D' z_D(\tau)}\,d\tau}{(\alpha_0+A(\tau))^{r+x}(\beta_0+B(\tau))^{s+1}}\Big].

Within a period both exposures are linear in time, so the integral over
each period is a Gauss hypergeometric term (the one of the Pareto/NBD's
:math:`A_0`, with period-specific :math:`\alpha, \beta`); the periods are
summed in logs. With covariates constant over time the likelihood is that of
:class:`~crmlab.clv.ParetoNBDCovariateModel`; with zero coefficients, that of
:class:`~crmlab.clv.ParetoNBDModel`.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from crmlab._validation import check_number
from crmlab.clv._data import check_horizon
from crmlab.clv._ml import FitError
from crmlab.clv._tv_data import Segments, TVData, _check_ids, build_segments, prepare_tv_data, read_path
from crmlab.clv._tv_likelihood import _grouped_cumsum_excl, _loglik_grad, _parts
from crmlab.clv.paretonbd import ParetoNBDModel

__all__ = ["ParetoNBDTimeVaryingModel", "tv_log_likelihood"]


def tv_log_likelihood(r: float, alpha: float, s: float, beta: float, gp: np.ndarray, gd: np.ndarray,
                      d: TVData) -> np.ndarray:
    """Per-customer log-likelihood of the time-varying Pareto/NBD on the covariates as given (unstandardised).

    Parameters
    ----------
    r, alpha, s, beta : float
        Pareto/NBD parameters (``alpha``, ``beta`` at covariates zero).
    gp, gd : numpy.ndarray
        Purchase and dropout coefficients.
    d : TVData
        Prepared data.

    Returns
    -------
    numpy.ndarray
        One value per customer.

    Examples
    --------
    >>> from crmlab.synth import simulate_tv_covariate_world
    >>> w = simulate_tv_covariate_world(300, n_periods=40, random_state=1,
    ...                                 params={"r": 1.0, "alpha": 6.0, "s": 1.0, "beta": 12.0})
    >>> m = ParetoNBDTimeVaryingModel(["is_promo"], ["is_promo"]).fit(
    ...     w.transactions, w.covariates, observation_end=w.calibration_end)
    >>> ll = tv_log_likelihood(*m.params_.iloc[:4], m.params_.iloc[4:5].to_numpy(),
    ...                        m.params_.iloc[5:].to_numpy(), m._data)
    >>> bool(abs(ll.sum() - m.log_likelihood_) < 1e-6)
    True
    """
    lead, alive, death, _, _ = _parts(r, alpha, s, beta, np.asarray(gp, float), np.asarray(gd, float), d)
    return lead + np.logaddexp(alive, death)


class ParetoNBDTimeVaryingModel(BaseEstimator):
    r"""Pareto/NBD whose purchase and dropout rates move with per-period covariates.

    Chapter 10. Fitted to a transaction log and a long table of covariate
    paths (one row per customer and period); predictions take the future
    covariate path the user expects (a planned campaign, the season).

    Parameters
    ----------
    purchase_covariates : list of str, optional
        Columns of the covariate path acting on the purchase rate.
    dropout_covariates : list of str, optional
        Columns acting on the dropout hazard (may overlap with the above).
    penalizer_coef : float, default=0.0
        L2 penalty on the coefficients (on the standardised scale).
    period_length : float, optional
        Length of a period in model time units; default the smallest gap
        between period starts.
    time_unit : str or pandas.Timedelta, default="7D"
        Model time unit when times are datetimes (weeks by default).

    Attributes
    ----------
    params_ : pandas.Series
        ``r``, ``alpha0``, ``s``, ``beta0`` (``alpha``/``beta`` without
        covariates on that process), then ``purchase:<col>`` and ``dropout:<col>``.
    standard_errors_, covariance_ : pandas.Series, pandas.DataFrame
        From the observed information (numerical Hessian), delta method for
        the base parameters.
    log_likelihood_ : float
        Maximised log-likelihood.
    n_customers_ : int
        Customers fitted.
    observation_end_ : float
        End of observation in model time (period units when times are datetimes).

    See Also
    --------
    ParetoNBDCovariateModel : the time-invariant special case.

    Notes
    -----
    A positive purchase coefficient multiplies the purchase rate by
    :math:`e^{\gamma}` in periods where the covariate is one unit higher; a
    positive dropout coefficient does the same to the hazard of leaving.
    Covariates are standardised inside the fit and the estimates transformed
    back. The gradient is a central difference of the total log-likelihood
    (two evaluations per parameter, each vectorised over all customers and
    periods).

    References
    ----------
    Bachmann, P., Meierer, M., & Näf, J. (2021). The role of time-varying
    contextual factors in latent attrition models for customer base analysis.
    *Marketing Science*, 40(4), 783–809.

    Examples
    --------
    >>> from crmlab.synth import simulate_tv_covariate_world
    >>> w = simulate_tv_covariate_world(400, n_periods=52, random_state=0)
    >>> m = ParetoNBDTimeVaryingModel(["is_promo"], ["is_promo"]).fit(
    ...     w.transactions, w.covariates, observation_end=w.calibration_end)
    >>> list(m.params_.index)
    ['r', 'alpha0', 's', 'beta0', 'purchase:is_promo', 'dropout:is_promo']
    """

    def __init__(self, purchase_covariates: list[str] | None = None, dropout_covariates: list[str] | None = None,
                 penalizer_coef: float = 0.0, period_length: float | None = None, time_unit: Any = "7D") -> None:
        self.purchase_covariates = purchase_covariates
        self.dropout_covariates = dropout_covariates
        self.penalizer_coef = penalizer_coef
        self.period_length = period_length
        self.time_unit = time_unit

    # ------------------------------------------------------------------ fitting
    def _cols(self) -> tuple[list[str], list[str]]:
        return list(self.purchase_covariates or []), list(self.dropout_covariates or [])

    def fit(self, transactions: pd.DataFrame, covariates: pd.DataFrame, *, observation_end: Any = None,
            customer_col: str = "customer_id", time_col: str = "date",
            period_col: str = "period") -> ParetoNBDTimeVaryingModel:
        """Fit base parameters and coefficients by maximum likelihood.

        Parameters
        ----------
        transactions : pandas.DataFrame
            One row per purchase: ``customer_col`` and ``time_col`` (numbers or
            datetimes); a customer's first purchase starts her history.
        covariates : pandas.DataFrame
            One row per customer and period: ``customer_col``, ``period_col``
            (period start, on a regular grid) and the covariate columns, for
            every period from the customer's first purchase to ``observation_end``.
        observation_end : float or datetime, optional
            End of observation. Default: the last purchase in ``transactions``
            (a warning says so when the covariate path runs further).
        customer_col, time_col, period_col : str
            Column names.

        Returns
        -------
        self

        Raises
        ------
        ValueError, TypeError
            Missing periods, NaN or non-numeric covariates, ids that do not match,
            constant covariates, purchases after ``observation_end``, a path that
            ends before it.
        FitError
            If the likelihood cannot be maximised.
        """
        caller = f"{type(self).__name__}.fit"
        pen = check_number(self.penalizer_coef, "penalizer_coef", caller=caller, minimum=0.0)
        pcols, dcols = self._cols()
        if not pcols and not dcols:
            raise ValueError(f"{caller}(): name at least one purchase or dropout covariate; without covariates "
                             "use ParetoNBDModel.")
        d, grid, end = prepare_tv_data(transactions, covariates, pcols, dcols, customer_col=customer_col,
                                       time_col=time_col, period_col=period_col, observation_end=observation_end,
                                       period_length=self.period_length, time_unit=self.time_unit, caller=caller)
        if not np.any(d.x > 0):
            raise ValueError(f"{caller}(): no customer has a repeat purchase; the model cannot be estimated.")
        mp, sp = d.seg.zp.mean(axis=0), d.seg.zp.std(axis=0)
        md, sd = d.seg.zd.mean(axis=0), d.seg.zd.std(axis=0)
        zp = (d.seg.zp - mp) / sp
        zd = (d.seg.zd - md) / sd
        zsum = (d.zp_at_purchases - d.x[:, None] * mp) / sp
        np_, nd_ = len(pcols), len(dcols)
        theta0 = np.concatenate([_start(d), np.zeros(np_ + nd_)])

        def total(theta: np.ndarray) -> tuple[float, np.ndarray]:
            with np.errstate(all="ignore"):
                ll, g = _loglik_grad(theta, d, zp, zd, zsum)
                v, gt = float(np.sum(ll)), g.sum(axis=1)
            return (v, gt) if np.isfinite(v) and np.all(np.isfinite(gt)) else (np.nan, gt)

        theta, ll, cov_std = _maximise(total, theta0, pen, len(d.x), caller)
        k = len(theta)
        J = np.eye(k)  # back to the covariates' own units: gamma = g / sd, log base += gamma' mean
        for j in range(np_):
            J[4 + j, 4 + j] = 1.0 / sp[j]
            J[1, 4 + j] = mp[j] / sp[j]
        for j in range(nd_):
            J[4 + np_ + j, 4 + np_ + j] = 1.0 / sd[j]
            J[3, 4 + np_ + j] = md[j] / sd[j]
        est = J @ theta
        cov = J @ cov_std @ J.T
        scale = np.concatenate([np.exp(est[:4]), np.ones(k - 4)])
        cov_nat = cov * np.outer(scale, scale)
        names = ["r", "alpha0" if np_ else "alpha", "s", "beta0" if nd_ else "beta",
                 *[f"purchase:{c}" for c in pcols], *[f"dropout:{c}" for c in dcols]]
        self.params_ = pd.Series(np.concatenate([np.exp(est[:4]), est[4:]]), index=names, name="estimate")
        self.standard_errors_ = pd.Series(np.sqrt(np.diag(cov_nat)), index=names, name="std_error")
        self.covariance_ = pd.DataFrame(cov_nat, index=names, columns=names)
        self.log_likelihood_ = float(ll)
        self.n_customers_ = len(d.x)
        self.observation_end_ = end
        self._theta = est
        self._grid = grid
        self._data = d
        self._colnames = {"customer_col": customer_col, "time_col": time_col, "period_col": period_col}
        return self

    # ------------------------------------------------------------------ results
    def summary(self) -> pd.DataFrame:
        """Return estimates, standard errors, z-values and 95% Wald intervals.

        Returns
        -------
        pandas.DataFrame
            Columns ``estimate``, ``std_error``, ``z`` (coefficients only),
            ``lower_95``, ``upper_95`` (log scale for the positive base parameters).
        """
        check_is_fitted(self, "params_")
        est, se = self.params_, self.standard_errors_
        q = 1.959963984540054
        lo, hi = est - q * se, est + q * se
        half = q * se.iloc[:4] / est.iloc[:4]
        lo.iloc[:4] = est.iloc[:4] * np.exp(-half)
        hi.iloc[:4] = est.iloc[:4] * np.exp(half)
        z = pd.Series(np.nan, index=est.index)
        z.iloc[4:] = est.iloc[4:] / se.iloc[4:]
        return pd.DataFrame({"estimate": est, "std_error": se, "z": z, "lower_95": lo, "upper_95": hi})

    def _unpack(self) -> tuple[float, float, float, float, np.ndarray, np.ndarray]:
        check_is_fitted(self, "params_")
        np_ = len(self._cols()[0])
        r, al, s, be = np.exp(self._theta[:4])
        return r, al, s, be, self._theta[4 : 4 + np_], self._theta[4 + np_ :]

    def _data_for(self, transactions: pd.DataFrame | None, covariates: pd.DataFrame | None,
                  observation_end: Any, caller: str) -> tuple[TVData, float]:
        if transactions is None and covariates is None:
            return self._data, self.observation_end_
        if transactions is None or covariates is None:
            raise ValueError(f"{caller}(): give both 'transactions' and 'covariates', or neither (training data).")
        pcols, dcols = self._cols()
        d, _, end = prepare_tv_data(transactions, covariates, pcols, dcols, observation_end=observation_end,
                                    period_length=self._grid.step, time_unit=self.time_unit, caller=caller,
                                    grid=self._grid, **self._colnames)
        return d, end

    def individual_log_likelihood(self, transactions: pd.DataFrame | None = None,
                                  covariates: pd.DataFrame | None = None, *,
                                  observation_end: Any = None) -> pd.Series:
        """Return each customer's log-likelihood at the estimates (default: the training customers).

        Parameters
        ----------
        transactions, covariates : pandas.DataFrame, optional
            As in :meth:`fit`, for other customers.
        observation_end : float or datetime, optional
            As in :meth:`fit`.

        Returns
        -------
        pandas.Series
            ``log_likelihood`` by customer id; sums to ``log_likelihood_`` on the training data.
        """
        caller = f"{type(self).__name__}.individual_log_likelihood"
        check_is_fitted(self, "params_")
        d, _ = self._data_for(transactions, covariates, observation_end, caller)
        with np.errstate(all="ignore"):
            ll = tv_log_likelihood(*self._unpack(), d)
        return pd.Series(ll, index=d.ids, name="log_likelihood")

    def probability_alive(self, transactions: pd.DataFrame | None = None, covariates: pd.DataFrame | None = None,
                          *, observation_end: Any = None) -> pd.Series:
        """Return each customer's probability of being alive at the end of observation.

        Parameters
        ----------
        transactions, covariates : pandas.DataFrame, optional
            As in :meth:`fit`; default the training data.
        observation_end : float or datetime, optional
            As in :meth:`fit`.

        Returns
        -------
        pandas.Series
            ``p_alive`` by customer id.
        """
        caller = f"{type(self).__name__}.probability_alive"
        check_is_fitted(self, "params_")
        d, _ = self._data_for(transactions, covariates, observation_end, caller)
        r, al, s, be, gp, gd = self._unpack()
        with np.errstate(all="ignore"):
            _, alive, death, _, _ = _parts(r, al, s, be, gp, gd, d)
            pa = np.exp(alive - np.logaddexp(alive, death))
        return pd.Series(pa, index=d.ids, name="p_alive")

    def expected_purchases(self, t: float, future_covariates: pd.DataFrame,
                           transactions: pd.DataFrame | None = None, covariates: pd.DataFrame | None = None, *,
                           observation_end: Any = None) -> pd.Series:
        r"""Return each customer's expected purchases in the ``t`` time units after the end of observation.

        Parameters
        ----------
        t : float
            Length of the window (model time units; weeks for datetimes by default).
        future_covariates : pandas.DataFrame
            Covariate path (same columns and grid as in :meth:`fit`) for every
            customer and every period overlapping the window.
        transactions, covariates : pandas.DataFrame, optional
            As in :meth:`fit`; default the training data.
        observation_end : float or datetime, optional
            As in :meth:`fit`.

        Returns
        -------
        pandas.Series
            ``expected_purchases`` by customer id.

        Raises
        ------
        ValueError
            If the future path misses a period of the window or its ids do not match.

        Notes
        -----
        Given alive at the end of observation, :math:`\lambda \sim \mathrm{Gamma}(r+x, \alpha_0+A(T))` and
        :math:`\mu \sim \mathrm{Gamma}(s, \beta_0+B(T))` independently, so
        :math:`E[X] = P(\text{alive})\,\frac{r+x}{\alpha_0+A(T)}\int_T^{T+t} e^{\gamma_P'z_P(\tau)}
        \big(\frac{\beta_0+B(T)}{\beta_0+B(\tau)}\big)^s d\tau`, in closed form per period.
        """
        caller = f"{type(self).__name__}.expected_purchases"
        check_is_fitted(self, "params_")
        t = check_horizon(t, "t", caller=caller)
        d, end = self._data_for(transactions, covariates, observation_end, caller)
        pcols, dcols = self._cols()
        cols = list(dict.fromkeys([*pcols, *dcols]))
        cc, pc = self._colnames["customer_col"], self._colnames["period_col"]
        fut, _, kvals = read_path(future_covariates, cols, customer_col=cc, period_col=pc, caller=caller,
                                  name="future_covariates", grid=self._grid)
        _check_ids(d.ids, pd.Index(pd.unique(fut[cc])), caller, "future_covariates")
        pos = d.ids.get_indexer(fut[cc])
        seg, _, _ = build_segments(fut, kvals, d.ids, pos, np.full(len(d.ids), end), end + t, self._grid,
                                   pcols, dcols, caller=caller, name="future_covariates",
                                   what=f"in the prediction window [{end:g}, {end + t:g}]")
        r, al, s, be, gp, gd = self._unpack()
        with np.errstate(all="ignore"):
            _, alive, death, a_T, b_T = _parts(r, al, s, be, gp, gd, d)
            pa = np.exp(alive - np.logaddexp(alive, death))
            inner = _future_integral(s, be + b_T, seg, gp, gd)
            out = pa * (r + d.x) / (al + a_T) * inner
        if t == 0:
            out = np.zeros(len(d.ids))
        return pd.Series(out, index=d.ids, name="expected_purchases")


def _start(d: TVData) -> np.ndarray:
    """Log (r, α, s, β) of the covariate-free Pareto/NBD on the same customers, or a rough guess if it fails."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # only a starting point: its own identification does not matter
            plain = ParetoNBDModel().fit(pd.DataFrame({"frequency": d.x, "recency": d.tx, "T": d.T}))
        start = np.log(plain.params_.to_numpy())
        if np.all(np.abs(start) < 12):
            return start
    except FitError:
        pass
    mean_t = max(float(np.mean(d.T)), 1e-3)
    return np.log([1.0, max(mean_t / (float(np.mean(d.x)) + 1.0), 1e-3), 1.0, mean_t])


def _future_integral(s: float, b_T: np.ndarray, seg: Segments, gp: np.ndarray, gd: np.ndarray) -> np.ndarray:
    r"""Per customer :math:`\int e^{\gamma_P'z_P} ((\beta+B(T))/(\beta+B(\tau)))^s d\tau` over the future segments."""
    p, q = np.exp(seg.zp @ gp), np.exp(seg.zd @ gd)
    ql = q * seg.length
    c = b_T[seg.cust] + _grouped_cumsum_excl(ql, seg.first, seg.cust)  # beta + B at the segment start
    ratio = np.log(c) - np.log(b_T[seg.cust])
    lg = np.log1p(ql / c)
    sm1 = s - 1.0
    # int_0^L (c + q u)^(-s) du * (beta+B(T))^s = c / q * (c / (beta+B(T)))^(-s) * g(L), g -> log for s = 1
    g = lg if abs(sm1) < 1e-10 else -np.expm1(-sm1 * lg) / sm1
    val = p * c / q * np.exp(-s * ratio) * g
    return np.add.reduceat(val, seg.first)


def _maximise(total: Any, theta0: np.ndarray, pen: float, n: int, caller: str,
              ) -> tuple[np.ndarray, float, np.ndarray]:
    """L-BFGS-B on the total log-likelihood and its gradient; Hessian by differences of the gradient."""
    k = len(theta0)
    eye = np.eye(k)
    mask = np.r_[np.zeros(4), np.ones(k - 4)]

    def f(theta: np.ndarray) -> tuple[float, np.ndarray]:
        v, g = total(theta)
        return v - pen * float(np.sum(theta[4:] ** 2)), g - 2 * pen * theta * mask

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        v, g = f(theta)
        if not np.isfinite(v):
            return 1e10, -theta
        return -v / n, -g / n

    bounds = [(-25.0, 25.0)] * 4 + [(-20.0, 20.0)] * (k - 4)
    with threadpool_limits(1):
        res = minimize(objective, theta0, jac=True, method="L-BFGS-B", bounds=bounds,
                       options={"maxiter": 3000, "ftol": 1e-13, "gtol": 1e-7, "maxcor": 20})
        ll, g = total(res.x)
        g = g - 2 * pen * res.x * mask
    if not np.isfinite(ll) or np.max(np.abs(g)) / n > 1e-4 or np.any(np.abs(res.x[:4]) > 25 - 1e-6):
        last = np.concatenate([np.exp(res.x[:4]), res.x[4:]])
        raise FitError(f"{caller}(): the maximum-likelihood fit failed (optimiser: {res.message}); last "
                       f"log-likelihood {ll:.6g} at (r, alpha, s, beta, coefficients on the standardised "
                       f"covariates) = {np.round(last, 4).tolist()}. Very large s and beta, or a very large "
                       "coefficient, mean the data cannot pin down the dropout process (too few customers or too "
                       "short a window). Try more data, fewer or rescaled covariates, or penalizer_coef=0.01.")
    hs = 1e-4
    with threadpool_limits(1):  # k pairs of gradient evaluations, each vectorised over customers and periods
        hess = np.array([(f(res.x + hs * eye[j])[1] - f(res.x - hs * eye[j])[1]) / (2 * hs) for j in range(k)])
    try:
        cov = np.linalg.inv(-(hess + hess.T) / 2)
        if not np.all(np.isfinite(cov)) or np.any(np.diag(cov) <= 0):
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError:
        cov = np.full((k, k), np.nan)
    return res.x, ll, cov
