r"""Shifted-beta-geometric (contractual) retention with time-invariant covariates.

Chapter 10. Each subscriber churns at the end of every period with
probability θ_i ~ Beta(α_i, β_i), :math:`\alpha_i = \alpha_0 e^{\gamma_\alpha' z_i}`,
:math:`\beta_i = \beta_0 e^{\gamma_\beta' z_i}` (a covariate raising α or
lowering β raises the mean churn probability α/(α+β)).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import betaln

from crmlab._validation import check_columns, check_frame, check_no_missing, check_numeric_columns, first_ids
from crmlab.clv.covariates import _CovariateModel
from crmlab.clv.sbg import ShiftedBetaGeoModel

__all__ = ["ShiftedBetaGeoCovariateModel"]


def _validate_lifetimes(data: pd.DataFrame, caller: str) -> tuple[pd.Index, tuple[np.ndarray, np.ndarray]]:
    df = check_frame(data, caller=caller)
    check_columns(df, ["lifetime", "churned"], caller=caller)
    check_numeric_columns(df, ["lifetime"], caller=caller)
    check_no_missing(df, ["lifetime", "churned"], caller=caller, id_col="customer_id")
    t = df["lifetime"].to_numpy(dtype=float)
    churned = df["churned"].astype(bool).to_numpy()
    bad = ~np.isfinite(t) | (t != np.floor(t)) | (t < 0) | (churned & (t < 1))
    if bad.any():
        raise ValueError(f"{caller}(): {int(bad.sum())} row(s) have an invalid 'lifetime' (first rows: "
                         f"{first_ids(df.index[bad])}); lifetimes are whole periods, >= 1 for churned customers.")
    return df.index, (t, churned)


class ShiftedBetaGeoCovariateModel(_CovariateModel):
    r"""Shifted-beta-geometric (sBG) retention model with covariates on both beta parameters.

    Chapter 10.

    Parameters
    ----------
    churn_covariates : list of str, optional
        Columns of ``covariates``; each gets a coefficient on α and one on β.
    penalizer_coef : float, default=0.0
        L2 penalty on the coefficients.

    Attributes
    ----------
    params_ : pandas.Series
        ``alpha0``, ``beta0`` (no suffix without covariates), ``churn_alpha:<col>``, ``churn_beta:<col>``.
    standard_errors_, covariance_, log_likelihood_, n_customers_
        As for :class:`crmlab.clv.ParetoNBDCovariateModel`.

    See Also
    --------
    crmlab.clv.ShiftedBetaGeoModel

    Notes
    -----
    .. math::

        \log L_i = \begin{cases} \log B(\alpha_i+1, \beta_i+t_i-1) - \log B(\alpha_i,\beta_i) & \text{churned in } t_i\\
                   \log B(\alpha_i, \beta_i+t_i) - \log B(\alpha_i,\beta_i) & \text{still active after } t_i
                   \end{cases}

    References
    ----------
    Fader, P. S., & Hardie, B. G. S. (2007). How to project customer retention.
    *Journal of Interactive Marketing*, 21(1), 76–90.

    Examples
    --------
    >>> from crmlab.synth.btyd_worlds import simulate_retention_covariates
    >>> lifetimes, covariates = simulate_retention_covariates(1000, alpha=1.0, beta=3.0, effects_alpha={"x": 0.5},
    ...                                                       effects_beta={}, random_state=0)
    >>> model = ShiftedBetaGeoCovariateModel(churn_covariates=["x"]).fit(lifetimes[["lifetime", "churned"]],
    ...                                                                  covariates)
    >>> model.params_[["churn_alpha:x", "churn_beta:x"]].round(2).tolist()  # true effects 0.5 and 0
    [0.6, 0.17]
    """

    _base = ("alpha", "beta")
    _plain = ShiftedBetaGeoModel
    _links = (("alpha", 1.0, "churn_covariates", "churn_alpha"), ("beta", 1.0, "churn_covariates", "churn_beta"))

    def __init__(self, churn_covariates: list[str] | None = None, penalizer_coef: float = 0.0) -> None:
        self.churn_covariates = churn_covariates
        self.penalizer_coef = penalizer_coef

    @staticmethod
    def _validate(data: pd.DataFrame, caller: str) -> tuple[pd.Index, tuple[np.ndarray, ...]]:
        return _validate_lifetimes(data, caller)

    @staticmethod
    def _plain_frame(arrays: tuple[np.ndarray, ...]) -> pd.DataFrame:
        t, churned = arrays
        return pd.DataFrame({"lifetime": t, "churned": churned})

    def _loglik_i(self, a: np.ndarray, b: np.ndarray, t: np.ndarray, churned: np.ndarray) -> np.ndarray:
        lb = betaln(a, b)
        return np.where(churned, betaln(a + 1.0, b + np.maximum(t, 1.0) - 1.0) - lb, betaln(a, b + t) - lb)

    def survival(self, t: int, covariates: pd.DataFrame | None, index: pd.Index) -> pd.Series:
        """Return each customer's probability of still being a subscriber after ``t`` periods.

        Parameters
        ----------
        t : int
            Periods.
        covariates : pandas.DataFrame or None
            As in :meth:`fit`.
        index : pandas.Index
            Customers wanted.

        Returns
        -------
        pandas.Series
            ``survival`` = B(α_i, β_i + t)/B(α_i, β_i).
        """
        prm = self.customer_parameters(covariates, index)
        a, b = prm["alpha"].to_numpy(), prm["beta"].to_numpy()
        return pd.Series(np.exp(betaln(a, b + t) - betaln(a, b)), index=index, name="survival")
