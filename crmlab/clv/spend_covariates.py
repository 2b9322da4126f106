r"""Gamma-Gamma spend model with time-invariant covariates (exp link on the scale).

Chapter 10. Each purchase of customer i is Gamma(p, ν_i) with
ν_i ~ Gamma(q, γ_i) and :math:`\gamma_i = \gamma_0 e^{\delta' z_i}`, so a
covariate multiplies the mean spend :math:`p\gamma_i/(q-1)` by
:math:`e^{\delta}` per unit. Fitted, like the plain model, on the customers
with repeat purchases (the others carry no spend information).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import gammaln

from crmlab._validation import check_columns, check_frame, check_no_missing, check_numeric_columns, first_ids
from crmlab.clv.covariates import _CovariateModel
from crmlab.clv.gammagamma import GammaGammaModel

__all__ = ["GammaGammaCovariateModel"]


def _validate_spend(data: pd.DataFrame, caller: str) -> tuple[pd.Index, tuple[np.ndarray, np.ndarray]]:
    df = check_frame(data, caller=caller)
    cols = ["frequency", "monetary_value"]
    check_columns(df, cols, caller=caller)
    check_numeric_columns(df, cols, caller=caller)
    check_no_missing(df, cols, caller=caller, id_col="customer_id")
    x = df["frequency"].to_numpy(dtype=float)
    m = df["monetary_value"].to_numpy(dtype=float)
    bad = ~np.isfinite(x) | ~np.isfinite(m) | (x < 1) | (x != np.floor(x)) | (m <= 0)
    if bad.any():
        raise ValueError(f"{caller}(): {int(bad.sum())} row(s) of 'data' are not repeat buyers with positive spend "
                         f"(first rows: {first_ids(df.index[bad])}); pass data[data['frequency'] > 0] with "
                         "positive 'monetary_value'.")
    return df.index, (x, m)


class GammaGammaCovariateModel(_CovariateModel):
    r"""Gamma-Gamma model of spend per purchase with covariates on the scale γ.

    Chapter 10.

    Parameters
    ----------
    spend_covariates : list of str, optional
        Columns of ``covariates`` acting on the mean spend.
    penalizer_coef : float, default=0.0
        L2 penalty on the coefficients.

    Attributes
    ----------
    params_ : pandas.Series
        ``p``, ``q``, ``gamma0`` (``gamma`` without covariates), ``spend:<col>``.
    standard_errors_, covariance_, log_likelihood_, n_customers_
        As for :class:`crmlab.clv.ParetoNBDCovariateModel`.

    See Also
    --------
    crmlab.clv.GammaGammaModel

    Notes
    -----
    For x purchases of mean value :math:`\bar m`,

    .. math::

        \log L_i = \log\frac{\Gamma(px+q)}{\Gamma(px)\Gamma(q)} + q\log\gamma_i + px\log x
                   + (px-1)\log\bar m - (px+q)\log(\gamma_i + x\bar m).

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). RFM and CLV: Using
    iso-value curves for customer base analysis. *Journal of Marketing
    Research*, 42(4), 415–430.

    Examples
    --------
    >>> from crmlab.synth.btyd_worlds import simulate_spend_covariates
    >>> spend, covariates = simulate_spend_covariates(1000, p=6.0, q=4.0, gamma=15.0, effects={"x": 0.5},
    ...                                               random_state=0)
    >>> model = GammaGammaCovariateModel(spend_covariates=["x"]).fit(spend[["frequency", "monetary_value"]], covariates)
    >>> round(float(model.params_["spend:x"]), 2)  # the true effect is 0.5
    0.48
    """

    _base = ("p", "q", "gamma")
    _plain = GammaGammaModel
    _links = (("gamma", 1.0, "spend_covariates", "spend"),)

    def __init__(self, spend_covariates: list[str] | None = None, penalizer_coef: float = 0.0) -> None:
        self.spend_covariates = spend_covariates
        self.penalizer_coef = penalizer_coef

    @staticmethod
    def _validate(data: pd.DataFrame, caller: str) -> tuple[pd.Index, tuple[np.ndarray, ...]]:
        return _validate_spend(data, caller)

    @staticmethod
    def _plain_frame(arrays: tuple[np.ndarray, ...]) -> pd.DataFrame:
        x, m = arrays
        return pd.DataFrame({"frequency": x, "monetary_value": m})

    def _loglik_i(self, p: float, q: float, g: np.ndarray, x: np.ndarray, m: np.ndarray) -> np.ndarray:
        px = p * x
        return (gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(g) + px * np.log(x)
                + (px - 1.0) * np.log(m) - (px + q) * np.log(g + x * m))

    def expected_spend(self, data: pd.DataFrame, covariates: pd.DataFrame | None = None) -> pd.Series:
        """Return each customer's expected spend per purchase given her history and covariates.

        Parameters
        ----------
        data : pandas.DataFrame
            ``frequency`` (>= 1) and ``monetary_value``, indexed by customer id.
        covariates : pandas.DataFrame, optional
            As in :meth:`fit`.

        Returns
        -------
        pandas.Series
            ``expected_spend`` = p(γ_i + x m̄)/(px + q - 1).
        """
        caller = f"{type(self).__name__}.expected_spend"
        index, (x, m) = self._validate(data, caller)
        prm = self.customer_parameters(covariates, index)
        p, q, g = (prm[b].to_numpy() for b in self._base)
        return pd.Series(p * (g + x * m) / (p * x + q - 1.0), index=index, name="expected_spend")

