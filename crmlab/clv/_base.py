"""The estimator base of the BTYD models: fit, summary, per-customer log-likelihood.

Chapter 6. A model class supplies its parameter names, a vectorised
log-likelihood (and optionally its gradient) and a starting point; this base
validates the data, fits on unique rows with weights and stores ``params_``,
``log_likelihood_``, ``standard_errors_`` and ``covariance_``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from crmlab._validation import check_frame, check_number
from crmlab.clv._data import RFMData, collapse, resolve_weights, validate_rfm
from crmlab.clv._ml import maximize_likelihood, warn_if_weakly_identified

_DEFAULT_COLUMNS = {"frequency_col": "frequency", "recency_col": "recency", "T_col": "T"}


class FitResultsMixin:
    """One store of maximum-likelihood results for every crmlab.clv model.

    A model supplies ``_param_names``, its log-likelihood and a starting point; this
    mixin checks ``penalizer_coef`` and ``initial_params``, runs the optimiser and
    stores the same documented attributes for all models:

    ``params_`` (pandas.Series), ``log_likelihood_`` (float, at the estimate, without
    the penalty), ``standard_errors_`` (pandas.Series, delta method), ``covariance_``
    (pandas.DataFrame) and ``n_iter_`` (optimiser iterations).

    ``penalizer_coef`` is subtracted, times the sum of squared parameters, from the
    *total* log-likelihood; lifetimes subtracts it from the *mean* log-likelihood per
    customer, so lifetimes' ``c`` corresponds to ``c * n_customers`` here (lifetimes'
    0.001 on the 2,357 CDNOW customers is about 2.4 in crmlab).
    """

    _param_names: tuple[str, ...] = ()

    def _penalizer(self, caller: str) -> float:
        return check_number(self.penalizer_coef, "penalizer_coef", caller=caller, minimum=0.0)

    def _initial_log_params(self, caller: str) -> np.ndarray | None:
        """Return ``log(initial_params)`` in parameter order, or None if not given."""
        given = getattr(self, "initial_params", None)
        if given is None:
            return None
        names = list(self._param_names)
        if not isinstance(given, Mapping):
            raise TypeError(f"{caller}(): 'initial_params' must be a dict with keys {names}; got {given!r}.")
        missing = [n for n in names if n not in given]
        unknown = [k for k in given if k not in names]
        if missing or unknown:
            raise ValueError(f"{caller}(): 'initial_params' must give exactly {names}; missing {missing}, "
                             f"unknown {unknown}.")
        return np.log([check_number(given[n], f"initial_params['{n}']", caller=caller, minimum=0.0,
                                    strict_min=True) for n in names])

    def _fit_params(
        self,
        loglik: Callable[..., np.ndarray],
        data: Any,
        w: np.ndarray,
        default_start: np.ndarray,
        *,
        caller: str,
        row_info: Callable[[np.ndarray], str] | None = None,
        loglik_grad: Callable[..., tuple[np.ndarray, np.ndarray]] | None = None,
    ) -> None:
        """Maximise ``loglik`` (from ``initial_params`` if given) and store the results."""
        pen = self._penalizer(caller)
        x0 = self._initial_log_params(caller)
        res = maximize_likelihood(loglik, data, w, default_start if x0 is None else x0, names=self._param_names,
                                  caller=caller, penalizer_coef=pen, row_info=row_info, loglik_grad=loglik_grad)
        names = list(self._param_names)
        self.params_ = pd.Series(res.params, index=names, name="estimate")
        self.log_likelihood_ = res.log_likelihood
        self.standard_errors_ = pd.Series(res.standard_errors, index=names, name="std_error")
        self.covariance_ = pd.DataFrame(res.covariance, index=names, columns=names)
        self.n_iter_ = res.n_iter
        warn_if_weakly_identified(self.params_, self.standard_errors_, caller=caller)

    def summary(self) -> pd.DataFrame:
        """Return a table of estimates, standard errors and 95% intervals.

        Returns
        -------
        pandas.DataFrame
            Index: parameter names; columns ``estimate``, ``std_error``,
            ``lower_95``, ``upper_95`` (Wald intervals on the log scale, so they
            stay positive).
        """
        check_is_fitted(self, "params_")
        est = self.params_
        se = self.standard_errors_
        half = 1.959963984540054 * se / est
        return pd.DataFrame({"estimate": est, "std_error": se,
                             "lower_95": est * np.exp(-half), "upper_95": est * np.exp(half)})


#: Former name, kept for imports elsewhere.
SummaryMixin = FitResultsMixin


class BTYDModel(FitResultsMixin, BaseEstimator):
    """Common fit/summary/prediction plumbing for the recency-frequency models.

    Notes
    -----
    ``penalizer_coef`` is subtracted from the *total* log-likelihood (times the sum of
    squared parameters); lifetimes subtracts it from the *mean* per customer, so
    lifetimes' ``c`` is ``c * n_customers`` here.
    """

    _param_names: tuple[str, ...] = ()
    _integer_times = False

    def __init__(self, penalizer_coef: float = 0.0, initial_params: dict[str, float] | None = None) -> None:
        self.penalizer_coef = penalizer_coef
        self.initial_params = initial_params

    # model hooks -------------------------------------------------------------
    @staticmethod
    def _loglik(*args: Any) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _default_start(self, d: RFMData) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    # fitting -----------------------------------------------------------------
    def fit(
        self,
        data: pd.DataFrame,
        *,
        weights: str | np.ndarray | None = None,
        frequency_col: str = "frequency",
        recency_col: str = "recency",
        T_col: str = "T",
    ) -> BTYDModel:
        """Fit the model by maximum likelihood to one row per customer (or per group).

        Parameters
        ----------
        data : pandas.DataFrame
            Columns ``frequency`` (repeat purchases), ``recency`` (age at the last
            repeat purchase) and ``T`` (age at the end of observation), e.g. the
            output of :func:`crmlab.rfm.rfm_summary`.
        weights : str or array-like, optional
            Number of customers each row stands for (a column name or an array);
            default one per row.
        frequency_col, recency_col, T_col : str
            Column names, if they differ from the defaults.

        Returns
        -------
        self
            With ``params_``, ``log_likelihood_``, ``standard_errors_``,
            ``covariance_`` and ``n_customers_`` set.

        Raises
        ------
        ValueError
            For invalid data (naming the rows) or invalid hyperparameters.
        FitError
            If the likelihood cannot be maximised; the message says why.
        """
        caller = f"{type(self).__name__}.fit"
        data = check_frame(data, caller=caller, convert=True)
        self._penalizer(caller)
        self._initial_log_params(caller)
        columns = {"frequency_col": frequency_col, "recency_col": recency_col, "T_col": T_col}
        index, x, tx, T = validate_rfm(data, caller=caller, integer_times=self._integer_times, **columns)
        self._check_rows(x, tx, T, caller)
        w = resolve_weights(data, weights, len(x), caller=caller)
        if not np.any((x > 0) & (w > 0)):
            raise ValueError(f"{caller}(): no customer in 'data' has a repeat purchase ('{frequency_col}' > 0); "
                             "the purchase and dropout processes cannot be estimated from first purchases only.")
        d = collapse(x, tx, T, w)

        def row_info(mask: np.ndarray) -> str:
            if not mask.any():
                return ""
            i = np.flatnonzero(mask)[:3]
            ex = ", ".join(f"(frequency={d.x[j]:g}, recency={d.tx[j]:g}, T={d.T[j]:g})" for j in i)
            return f"{int(mask.sum())} data row pattern(s) were affected, e.g. {ex}."

        self._fit_params(self._loglik, d, d.w, self._default_start(d), caller=caller, row_info=row_info,
                         loglik_grad=getattr(self, "_loglik_grad", None))
        self.n_customers_ = d.n_customers
        self.n_unique_rows_ = len(d.x)
        self._train = (index, x, tx, T)
        self._columns = columns
        return self

    def _check_rows(self, x: np.ndarray, tx: np.ndarray, T: np.ndarray, caller: str) -> None:
        """Model-specific limits on the data (none by default)."""

    def individual_log_likelihood(self, data: pd.DataFrame | None = None) -> pd.Series:
        """Return each customer's log-likelihood at the fitted parameters.

        Chapter 6. Their sum over the training data is ``log_likelihood_``;
        customers the model finds surprising have very low values, and two
        models can be compared customer by customer.

        Parameters
        ----------
        data : pandas.DataFrame, optional
            Columns ``frequency``, ``recency``, ``T``; default the training data.

        Returns
        -------
        pandas.Series
            ``log_likelihood``, with the index of ``data``.
        """
        caller = f"{type(self).__name__}.individual_log_likelihood"
        index, x, tx, T = self._rows(data, caller)
        d = RFMData(x, tx, T, np.ones(len(x)), float(len(x)))
        with np.errstate(all="ignore"):
            ll = self._loglik(*[np.array([[v]]) for v in self._p()], d)[0]
        return pd.Series(ll, index=index, name="log_likelihood")

    def _p(self) -> tuple[float, ...]:
        check_is_fitted(self, "params_")
        return tuple(float(v) for v in self.params_.to_numpy())

    def _rows(self, data: pd.DataFrame | None, caller: str) -> tuple[pd.Index, np.ndarray, ...]:
        """Return the validated (index, frequency, recency, T) of ``data`` (default: the training data).

        The columns are read under the names given to :meth:`fit`; if those are absent but
        the default names ``frequency``, ``recency``, ``T`` are all present, those are read.
        """
        check_is_fitted(self, "params_")
        if data is None:
            return self._train
        fitted = getattr(self, "_columns", _DEFAULT_COLUMNS)
        columns = fitted
        if isinstance(data, pd.DataFrame) and not set(fitted.values()) <= set(data.columns) \
                and set(_DEFAULT_COLUMNS.values()) <= set(data.columns):
            columns = _DEFAULT_COLUMNS
        hint = (f"the prediction methods read the columns named at fit ({', '.join(map(repr, fitted.values()))}) "
                "or else 'frequency', 'recency', 'T': rename the columns of 'data' to one of these")
        index, x, tx, T = validate_rfm(data, caller=caller, integer_times=self._integer_times, missing_hint=hint,
                                       **columns)
        self._check_rows(x, tx, T, caller)
        return index, x, tx, T
