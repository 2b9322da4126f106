"""The hostage effect: switching cost as a moderator of satisfaction → loyalty.

Chapter 5. Behind high switching costs (转换成本) even unhappy customers stay —
as hostages (囚禁者) — so loyalty depends less on satisfaction. A regression of
loyalty on satisfaction × switching cost measures this; a generator with known
coefficients checks the regression.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from crmlab._rng import RandomState, as_generator
from crmlab._validation import (
    check_columns,
    check_frame,
    check_int,
    check_no_missing,
    check_number,
    check_numeric_columns,
)

__all__ = ["HostageEffect", "hostage_effect", "make_switching_cost_survey"]


def make_switching_cost_survey(
    n_respondents: int = 500,
    *,
    coefficients: tuple[float, float, float, float] = (5.5, 0.6, 0.3, -0.06),
    noise: float = 1.0,
    random_state: RandomState = None,
) -> pd.DataFrame:
    r"""Generate survey scores where switching cost moderates satisfaction → loyalty (known truth).

    Chapter 5 (the hostage effect, 人质效应).

    Parameters
    ----------
    n_respondents : int, default=500
        Number of respondents.
    coefficients : tuple of 4 floats, default=(5.5, 0.6, 0.3, -0.06)
        True :math:`(\beta_0, \beta_S, \beta_C, \beta_{SC})` on centred scores (see Notes).
    noise : float, default=1.0
        Standard deviation of the loyalty error.
    random_state : None, int or numpy.random.Generator, default=None
        An int repeats exactly; a Generator advances.

    Returns
    -------
    pandas.DataFrame
        ``satisfaction`` and ``switching_cost`` (uniform on 1..10) and ``loyalty`` (continuous,
        not clipped, so the regression truth holds exactly).

    Raises
    ------
    ValueError
        For ``n_respondents`` < 3 or negative ``noise``.

    See Also
    --------
    hostage_effect

    Notes
    -----
    .. math::

        L = \beta_0 + \beta_S (S - 5.5) + \beta_C (C - 5.5) + \beta_{SC}(S - 5.5)(C - 5.5) + \varepsilon

    A negative :math:`\beta_{SC}` is the hostage effect: the higher the switching cost, the flatter
    the satisfaction–loyalty slope.

    References
    ----------
    Aiken, L. S., & West, S. G. (1991). *Multiple Regression: Testing and Interpreting Interactions*. Sage.

    Examples
    --------
    >>> make_switching_cost_survey(3, random_state=0).shape
    (3, 3)
    """
    caller = "make_switching_cost_survey"
    n = check_int(n_respondents, "n_respondents", caller=caller, minimum=3)
    sd = check_number(noise, "noise", caller=caller, minimum=0.0)
    b0, bs, bc, bsc = (float(c) for c in coefficients)
    rng = as_generator(random_state, caller=caller)
    s = rng.uniform(1, 10, n)
    c = rng.uniform(1, 10, n)
    loyalty = b0 + bs * (s - 5.5) + bc * (c - 5.5) + bsc * (s - 5.5) * (c - 5.5) + rng.normal(0, sd, n)
    return pd.DataFrame({"satisfaction": s, "switching_cost": c, "loyalty": loyalty})


@dataclass(frozen=True)
class HostageEffect:
    """Result of :func:`hostage_effect`: a moderated regression of loyalty on satisfaction.

    Chapter 5 (the hostage effect).

    Parameters
    ----------
    coefficients : pandas.DataFrame
        Rows ``intercept``, ``satisfaction``, ``switching_cost``, ``satisfaction:switching_cost``;
        columns ``coef``, ``std_err``, ``t``, ``p_value``.
    r_squared : float
        Share of loyalty variance explained.
    n : int
        Number of respondents.
    centre : tuple of float
        The values subtracted from satisfaction and switching cost before the regression.

    See Also
    --------
    hostage_effect, crmlab.plotting.plot_hostage_effect

    Examples
    --------
    >>> res = hostage_effect(make_switching_cost_survey(3000, random_state=1), centre=(5.5, 5.5))
    >>> res.slope_at(9.0) < res.slope_at(2.0)
    True
    """

    coefficients: pd.DataFrame
    r_squared: float
    n: int
    centre: tuple[float, float]

    def slope_at(self, switching_cost: float) -> float:
        """Return the slope of loyalty on satisfaction at a given switching cost (a simple slope)."""
        b = self.coefficients["coef"]
        return float(b["satisfaction"] + b["satisfaction:switching_cost"] * (switching_cost - self.centre[1]))

    def predict(self, satisfaction: Any, switching_cost: Any) -> np.ndarray:
        """Return predicted loyalty for satisfaction and switching-cost values (broadcast together)."""
        b = self.coefficients["coef"]
        s = np.asarray(satisfaction, dtype=float) - self.centre[0]
        c = np.asarray(switching_cost, dtype=float) - self.centre[1]
        interaction = b["satisfaction:switching_cost"] * s * c
        return b["intercept"] + b["satisfaction"] * s + b["switching_cost"] * c + interaction


def hostage_effect(
    data: pd.DataFrame,
    *,
    satisfaction: str = "satisfaction",
    loyalty: str = "loyalty",
    switching_cost: str = "switching_cost",
    centre: tuple[float, float] | None = None,
) -> HostageEffect:
    r"""Regress loyalty on satisfaction × switching cost: switching cost as a moderator.

    Chapter 5 (the hostage effect, 人质效应 / 转换成本的调节作用).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent with the three columns below.
    satisfaction, loyalty, switching_cost : str
        Column names.
    centre : tuple of float or None, default=None
        Values subtracted from satisfaction and switching cost before forming the product; default
        their sample means (so main effects are slopes at the average of the other variable).

    Returns
    -------
    HostageEffect
        Coefficients with OLS standard errors, t statistics and two-sided p-values; R²; n.

    Raises
    ------
    ValueError
        Missing columns or values, or fewer than 5 rows.
    TypeError
        If a column is not numeric or ``centre`` is not a pair of numbers.

    See Also
    --------
    make_switching_cost_survey, crmlab.plotting.plot_hostage_effect

    Notes
    -----
    .. math::

        L_i = \beta_0 + \beta_S \tilde S_i + \beta_C \tilde C_i + \beta_{SC} \tilde S_i \tilde C_i
        + \varepsilon_i

    with centred :math:`\tilde S, \tilde C`. The slope of loyalty on satisfaction at switching cost
    :math:`C` is :math:`\beta_S + \beta_{SC}\tilde C`; a negative :math:`\beta_{SC}` means high switching
    costs keep customers whether or not they are satisfied.

    References
    ----------
    Jones, M. A., Mothersbaugh, D. L., & Beatty, S. E. (2000). Switching barriers and repurchase
    intentions in services. *Journal of Retailing*, 76(2), 259–274.

    Examples
    --------
    >>> data = make_switching_cost_survey(2000, random_state=3)
    >>> round(float(hostage_effect(data, centre=(5.5, 5.5)).coefficients.loc["satisfaction:switching_cost", "coef"]), 2)
    -0.06
    """
    caller = "hostage_effect"
    check_frame(data, caller=caller, name="data")
    cols = [satisfaction, loyalty, switching_cost]
    check_columns(data, cols, caller=caller, name="data")
    check_no_missing(data, cols, caller=caller, name="data")
    check_numeric_columns(data, cols, caller=caller, name="data")
    if len(data) < 5:
        raise ValueError(f"{caller}(): 'data' needs at least 5 rows to estimate 4 coefficients; got {len(data)}.")
    s = data[satisfaction].to_numpy(dtype=float)
    c = data[switching_cost].to_numpy(dtype=float)
    y = data[loyalty].to_numpy(dtype=float)
    if centre is None:
        cs, cc = float(s.mean()), float(c.mean())
    else:
        pair = tuple(centre) if isinstance(centre, Iterable) and not isinstance(centre, str) else ()
        if len(pair) != 2:
            raise TypeError(f"{caller}(): 'centre' must be None or a pair (satisfaction, switching cost); "
                            f"got {centre!r}.")
        cs = check_number(pair[0], "centre[0]", caller=caller)
        cc = check_number(pair[1], "centre[1]", caller=caller)
    X = np.column_stack([np.ones_like(s), s - cs, c - cc, (s - cs) * (c - cc)])
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ beta
    dof = len(y) - X.shape[1]
    sigma2 = float(resid @ resid) / dof
    se = np.sqrt(np.diag(sigma2 * np.linalg.inv(X.T @ X)))
    t = beta / se
    table = pd.DataFrame(
        {"coef": beta, "std_err": se, "t": t, "p_value": 2 * stats.t.sf(np.abs(t), dof)},
        index=["intercept", "satisfaction", "switching_cost", "satisfaction:switching_cost"],
    )
    r2 = 1.0 - float(resid @ resid) / float(((y - y.mean()) ** 2).sum())
    return HostageEffect(coefficients=table, r_squared=r2, n=len(y), centre=(cs, cc))
