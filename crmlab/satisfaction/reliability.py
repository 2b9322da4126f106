"""Reliability and convergent validity of a measurement block: Cronbach's α, ρ_c, AVE.

Chapter 4. A construct such as "satisfaction" is measured by several survey
items; these statistics say whether the items measure one thing consistently.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from crmlab._validation import check_columns, check_frame, check_no_missing, check_numeric_columns

__all__ = ["average_variance_extracted", "composite_reliability", "cronbach_alpha"]


def _need_two(n_items: int, construct: str, caller: str) -> None:
    if n_items < 2:
        raise ValueError(
            f"{caller}(): construct '{construct}' has {n_items} indicator(s); this statistic needs at least 2. "
            "A single-item construct has no internal consistency to measure: report it without one."
        )


def cronbach_alpha(data: pd.DataFrame, items: Sequence[str], *, construct: str = "block") -> float:
    r"""Return Cronbach's alpha of the raw (unstandardized) items of one construct.

    Chapter 4: internal-consistency reliability of a survey block.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent; must hold the numeric columns ``items``.
    items : sequence of str
        The construct's indicator columns (at least two).
    construct : str, default="block"
        Name used in error messages.

    Returns
    -------
    float
        Alpha; 1 means perfectly consistent items, values below about 0.7 are weak.

    Raises
    ------
    ValueError
        If fewer than two items or respondents are given, an item column is missing
        or has missing values, or the items have zero total variance.
    TypeError
        If ``data`` is not a DataFrame or an item is not numeric.

    See Also
    --------
    composite_reliability, average_variance_extracted, PLSPathModel

    Notes
    -----
    With :math:`K` items of variances :math:`s_k^2` and total-score variance :math:`s_T^2`,

    .. math:: \alpha = \frac{K}{K-1}\left(1 - \frac{\sum_k s_k^2}{s_T^2}\right).

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    *Psychometrika*, 16(3), 297–334.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4], "b": [1, 2, 3, 5]})
    >>> round(cronbach_alpha(df, ["a", "b"]), 3)
    0.972
    """
    caller = "cronbach_alpha"
    check_frame(data, caller=caller)
    items = list(items)
    _need_two(len(items), construct, caller)
    check_columns(data, items, caller=caller)
    check_numeric_columns(data, items, caller=caller)
    check_no_missing(data, items, caller=caller)
    if len(data) < 2:
        raise ValueError(f"{caller}(): 'data' has {len(data)} respondent(s); item variances need at least 2.")
    x = data[items].to_numpy(dtype=float)
    total_var = x.sum(axis=1).var(ddof=1)
    if total_var == 0:
        raise ValueError(f"{caller}(): the items of construct '{construct}' have zero total variance.")
    k = len(items)
    return float(k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / total_var))


def _loadings_array(loadings: Sequence[float] | pd.Series, construct: str, caller: str) -> np.ndarray:
    try:
        lam = np.asarray(loadings, dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"{caller}(): 'loadings' of construct '{construct}' must be numbers; got {type(loadings).__name__} "
            f"{loadings!r:.80}."
        ) from exc
    _need_two(lam.size, construct, caller)
    if not np.all(np.isfinite(lam)) or np.any(np.abs(lam) > 1):
        raise ValueError(f"{caller}(): loadings of construct '{construct}' must be finite and in [-1, 1]; got {lam}.")
    return lam


def composite_reliability(loadings: Sequence[float] | pd.Series, *, construct: str = "block") -> float:
    r"""Composite reliability :math:`\rho_c` (Dillon–Goldstein's rho) from standardized loadings.

    Chapter 4.

    Parameters
    ----------
    loadings : sequence of float
        Standardized outer loadings of one construct (at least two).
    construct : str, default="block"
        Name used in error messages.

    Returns
    -------
    float

    Raises
    ------
    TypeError
        If ``loadings`` are not numbers.
    ValueError
        If fewer than two loadings are given or a loading lies outside [-1, 1].

    See Also
    --------
    cronbach_alpha, average_variance_extracted

    Notes
    -----
    .. math:: \rho_c = \frac{(\sum_k \lambda_k)^2}{(\sum_k \lambda_k)^2 + \sum_k (1 - \lambda_k^2)}

    References
    ----------
    Werts, C. E., Linn, R. L., & Jöreskog, K. G. (1974). Intraclass reliability estimates.
    *Educational and Psychological Measurement*, 34(1), 25–33.

    Examples
    --------
    >>> round(composite_reliability([0.8, 0.8, 0.8]), 3)
    0.842
    """
    lam = _loadings_array(loadings, construct, "composite_reliability")
    s = lam.sum() ** 2
    return float(s / (s + (1 - lam**2).sum()))


def average_variance_extracted(loadings: Sequence[float] | pd.Series, *, construct: str = "block") -> float:
    r"""Average variance extracted (AVE): the mean squared standardized loading.

    Chapter 4: above 0.5 the construct explains more of its items' variance than error does.

    Parameters
    ----------
    loadings : sequence of float
        Standardized outer loadings of one construct (at least two).
    construct : str, default="block"
        Name used in error messages.

    Returns
    -------
    float

    Raises
    ------
    TypeError
        If ``loadings`` are not numbers.
    ValueError
        If fewer than two loadings are given or a loading lies outside [-1, 1].

    See Also
    --------
    composite_reliability

    Notes
    -----
    .. math:: \mathrm{AVE} = \frac{1}{K}\sum_k \lambda_k^2

    References
    ----------
    Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation models with
    unobservable variables and measurement error. *Journal of Marketing Research*, 18(1), 39–50.

    Examples
    --------
    >>> round(average_variance_extracted([0.9, 0.7]), 3)
    0.65
    """
    lam = _loadings_array(loadings, construct, "average_variance_extracted")
    return float(np.mean(lam**2))
