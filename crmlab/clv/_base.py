"""The estimator base of the BTYD models: fit, summary, per-customer log-likelihood.

Chapter 6. A model class supplies its parameter names, a vectorised
log-likelihood (and optionally its gradient) and a starting point; this base
validates the data, fits on unique rows with weights and stores ``params_``,
``log_likelihood_``, ``standard_errors_`` and ``covariance_``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from crmlab._validation import (
    check_number,
)
from crmlab.clv._data import RFMData, collapse, resolve_weights, validate_rfm
from crmlab.clv._ml import maximize_likelihood, warn_if_weakly_identified


class SummaryMixin:
    """``summary()`` for every fitted crmlab.clv model (needs ``params_`` and ``standard_errors_``)."""

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


class BTYDModel(SummaryMixin, BaseEstimator):
    """Common fit/summary/prediction plumbing for the recency-frequency models."""

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
        pen = check_number(self.penalizer_coef, "penalizer_coef", caller=caller, minimum=0.0)
        index, x, tx, T = validate_rfm(data, caller=caller, frequency_col=frequency_col, recency_col=recency_col,
                                       T_col=T_col, integer_times=self._integer_times)
        w = resolve_weights(data, weights, len(x), caller=caller)
        if not np.any((x > 0) & (w > 0)):
            raise ValueError(f"{caller}(): no customer in 'data' has a repeat purchase ('{frequency_col}' > 0); "
                             "the purchase and dropout processes cannot be estimated from first purchases only.")
        d = collapse(x, tx, T, w)
        if self.initial_params is not None:
            missing = [n for n in self._param_names if n not in self.initial_params]
            if missing:
                raise ValueError(f"{caller}(): 'initial_params' must give {list(self._param_names)}; "
                                 f"missing {missing}.")
            x0 = np.log([check_number(self.initial_params[n], f"initial_params['{n}']", caller=caller,
                                      minimum=0.0, strict_min=True) for n in self._param_names])
        else:
            x0 = self._default_start(d)

        def row_info(mask: np.ndarray) -> str:
            if not mask.any():
                return ""
            i = np.flatnonzero(mask)[:3]
            ex = ", ".join(f"(frequency={d.x[j]:g}, recency={d.tx[j]:g}, T={d.T[j]:g})" for j in i)
            return f"{int(mask.sum())} data row pattern(s) were affected, e.g. {ex}."

        res = maximize_likelihood(self._loglik, d, d.w, x0, names=self._param_names, caller=caller,
                                  penalizer_coef=pen, row_info=row_info,
                                  loglik_grad=getattr(self, "_loglik_grad", None))
        self.params_ = pd.Series(res.params, index=list(self._param_names), name="estimate")
        self.log_likelihood_ = res.log_likelihood
        self.standard_errors_ = pd.Series(res.standard_errors, index=list(self._param_names), name="std_error")
        warn_if_weakly_identified(self.params_, self.standard_errors_, caller=caller)
        self.covariance_ = pd.DataFrame(res.covariance, index=list(self._param_names),
                                        columns=list(self._param_names))
        self.n_customers_ = d.n_customers
        self.n_unique_rows_ = len(d.x)
        self.n_iter_ = res.n_iter
        self._train = (index, x, tx, T)
        return self

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

    def _rows(self, data: pd.DataFrame | None, caller: str, **cols: str) -> tuple[pd.Index, np.ndarray, ...]:
        check_is_fitted(self, "params_")
        if data is None:
            return self._train
        return validate_rfm(data, caller=caller, integer_times=self._integer_times, **cols)


