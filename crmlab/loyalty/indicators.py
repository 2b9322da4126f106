"""The six loyalty indicators, standardised and combined into a loyalty index.

Chapter 5. Lecture 002 measures loyalty (客户忠诚的指标) by six indicators: repeat
purchases (重复购买的次数), cross-buying (交叉购买的数量), price sensitivity (对价格的
敏感程度), tolerance of quality incidents (对质量事故的宽容度), time spent choosing
(挑选商品的时间) and formal/informal referrals (推荐行为). Price sensitivity and
choosing time point the other way: the more loyal, the lower they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from crmlab._validation import check_columns, check_frame, check_in_choices, check_no_missing, check_numeric_columns

__all__ = ["INDICATORS", "INDICATOR_DIRECTIONS", "LoyaltyIndex", "loyalty_indicators", "loyalty_profile"]

#: The six indicators, in the lecture's order.
INDICATORS: tuple[str, ...] = (
    "repeat_purchases", "cross_buying", "price_sensitivity", "quality_tolerance", "choice_time", "referrals",
)
#: +1 if a higher value means more loyal, -1 if lower means more loyal.
INDICATOR_DIRECTIONS: Mapping[str, int] = {
    "repeat_purchases": 1, "cross_buying": 1, "price_sensitivity": -1, "quality_tolerance": 1,
    "choice_time": -1, "referrals": 1,
}
_SURVEY_DEFAULT = {"quality_tolerance": "loy_tolerance", "choice_time": "loy_choice_time", "referrals": "loy_referral"}


def _from_transactions(tx: pd.DataFrame, category_col: str, discount_col: str, caller: str) -> pd.DataFrame:
    cols = ["customer_id", category_col, discount_col]
    check_frame(tx, caller=caller, name="transactions")
    check_columns(tx, cols, caller=caller, name="transactions")
    check_no_missing(tx, cols, caller=caller, name="transactions", id_col="customer_id")
    disc = tx[discount_col]
    if not pd.api.types.is_bool_dtype(disc) and not disc.isin([0, 1]).all():
        raise ValueError(f"{caller}(): column '{discount_col}' of 'transactions' must be boolean (or 0/1); "
                         f"got values such as {disc[~disc.isin([0, 1])].head(3).tolist()}.")
    g = tx.assign(_d=disc.astype(float)).groupby("customer_id")
    return pd.DataFrame({
        "repeat_purchases": g.size().astype(float) - 1.0,
        "cross_buying": g[category_col].nunique().astype(float),
        "price_sensitivity": g["_d"].mean(),
    })


def loyalty_indicators(
    transactions: pd.DataFrame | None = None,
    survey: pd.DataFrame | None = None,
    *,
    survey_items: Mapping[str, str] | None = None,
    category_col: str = "category",
    discount_col: str = "discount",
    scale: tuple[float, float] = (1, 10),
) -> pd.DataFrame:
    """Compute the six loyalty indicators per customer from a transaction log and a survey.

    Chapter 5 (客户忠诚的指标).

    Parameters
    ----------
    transactions : pandas.DataFrame or None, default=None
        Columns ``customer_id``, ``category_col`` and ``discount_col``. Gives repeat purchases
        (purchases − 1), cross-buying (distinct categories bought) and price sensitivity (share of
        purchases made on discount).
    survey : pandas.DataFrame or None, default=None
        Column ``customer_id`` and the rating items named in ``survey_items``.
    survey_items : mapping or None, default=None
        Indicator name -> survey column. Default ``{"quality_tolerance": "loy_tolerance",
        "choice_time": "loy_choice_time", "referrals": "loy_referral"}`` (the items of
        :func:`crmlab.synth.make_customer_world`). Map all six to survey items to use a survey alone.
    category_col : str, default="category"
        Product category column of ``transactions``.
    discount_col : str, default="discount"
        Boolean "bought on discount" column of ``transactions``.
    scale : tuple of float, default=(1, 10)
        Range of the survey ratings; answers outside raise.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``customer_id`` (sorted): one float column per available indicator, in the order
        of :data:`INDICATORS`. With both inputs, the rows are the customers present in both.

    Raises
    ------
    TypeError
        Non-numeric survey items.
    ValueError
        Neither input, missing columns or values, unknown indicator names, an indicator from both
        sources, survey answers outside ``scale``, duplicate respondents, or no common customers.

    See Also
    --------
    LoyaltyIndex, loyalty_profile

    Notes
    -----
    For customer *i* with :math:`n_i` purchases, :math:`c_i` distinct categories and :math:`d_i`
    discounted purchases: repeat purchases :math:`n_i - 1`, cross-buying :math:`c_i`, price
    sensitivity :math:`d_i / n_i`.

    References
    ----------
    Reichheld, F. F. (1996). *The Loyalty Effect*. Harvard Business School Press.

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2], "category": ["a", "b", "a"], "discount": [True, False, True]})
    >>> loyalty_indicators(tx).to_numpy().tolist()
    [[1.0, 2.0, 0.5], [0.0, 1.0, 1.0]]
    """
    caller = "loyalty_indicators"
    if transactions is None and survey is None:
        raise ValueError(f"{caller}(): pass 'transactions', 'survey' or both; got neither.")
    parts = []
    if transactions is not None:
        parts.append(_from_transactions(transactions, category_col, discount_col, caller))
    if survey is not None:
        items = dict(_SURVEY_DEFAULT if survey_items is None else survey_items)
        for name in items:
            check_in_choices(name, "survey_items key", INDICATORS, caller=caller)
            if parts and name in parts[0].columns:
                raise ValueError(f"{caller}(): indicator '{name}' comes from both 'transactions' and 'survey'; "
                                 "remove it from survey_items.")
        check_frame(survey, caller=caller, name="survey")
        check_columns(survey, ["customer_id", *items.values()], caller=caller, name="survey")
        check_no_missing(survey, ["customer_id", *items.values()], caller=caller, name="survey", id_col="customer_id")
        check_numeric_columns(survey, list(items.values()), caller=caller, name="survey")
        if survey["customer_id"].duplicated().any():
            dup = survey.loc[survey["customer_id"].duplicated(), "customer_id"].head().tolist()
            raise ValueError(f"{caller}(): 'survey' has duplicate customer_id values {dup}; one row per customer.")
        values = survey[list(items.values())].to_numpy(dtype=float)
        bad = (values < scale[0]) | (values > scale[1])
        if bad.any():
            col = list(items.values())[int(np.flatnonzero(bad.any(axis=0))[0])]
            raise ValueError(f"{caller}(): survey item '{col}' (and {int(bad.sum())} answer(s) in all) lies outside "
                             f"the scale {scale[0]}..{scale[1]}; indicators out of range. Fix the data or 'scale'.")
        parts.append(pd.DataFrame(values, columns=list(items), index=pd.Index(survey["customer_id"])))
    out = parts[0] if len(parts) == 1 else parts[0].join(parts[1], how="inner")
    if out.empty:
        raise ValueError(f"{caller}(): 'transactions' and 'survey' share no customer_id values.")
    out.index.name = "customer_id"
    return out[[c for c in INDICATORS if c in out.columns]].sort_index()


class LoyaltyIndex(TransformerMixin, BaseEstimator):
    r"""Standardise the loyalty indicators and combine them into one loyalty index.

    Chapter 5 (loyalty index, 忠诚度指数).

    Parameters
    ----------
    method : {"equal", "weights", "pca"}, default="equal"
        ``"equal"``: every indicator counts the same; ``"weights"``: the manager's ``weights``;
        ``"pca"``: the first principal component of the standardised indicators.
    weights : mapping or None, default=None
        Indicator -> weight, for ``method="weights"`` (normalised to sum to 1).

    Attributes
    ----------
    feature_names_in_ : numpy.ndarray
        Indicator columns seen in ``fit``.
    mean_, scale_ : pandas.Series
        Mean and standard deviation (ddof=0) per indicator.
    directions_ : pandas.Series
        +1/-1 per indicator (:data:`INDICATOR_DIRECTIONS`).
    weights_ : pandas.Series
        Weight of each oriented z-score in the index (sum 1).
    explained_variance_ratio_ : float
        Share of the indicators' total variance the first component explains (``"pca"`` only, else NaN).

    Raises
    ------
    TypeError
        Non-numeric indicator columns or ``weights`` not a mapping (in ``fit``).
    ValueError
        Unknown ``method``, unknown indicator columns, missing values, constant indicators, fewer than
        two customers, or invalid weights (in ``fit``).
    sklearn.exceptions.NotFittedError
        ``transform`` or ``standardize`` before ``fit``.

    See Also
    --------
    loyalty_indicators, loyalty_profile, crmlab.plotting.plot_loyalty_weights

    Notes
    -----
    With oriented z-scores :math:`z_{ik} = d_k (x_{ik} - \bar x_k) / s_k` the index is

    .. math:: I_i = \sum_k w_k z_{ik}, \qquad \sum_k w_k = 1.

    For PCA, :math:`w` is the leading eigenvector of the correlation matrix, signed so that the
    weights sum to a positive number and rescaled to sum 1.

    References
    ----------
    OECD/JRC (2008). *Handbook on Constructing Composite Indicators*. OECD Publishing.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"repeat_purchases": [0.0, 2.0, 4.0], "price_sensitivity": [0.9, 0.5, 0.1]})
    >>> LoyaltyIndex().fit_transform(X).round(3).tolist()
    [-1.225, 0.0, 1.225]
    """

    def __init__(self, method: str = "equal", weights: Mapping[str, float] | None = None) -> None:
        self.method = method
        self.weights = weights

    def _check_X(self, X: Any, caller: str) -> pd.DataFrame:
        check_frame(X, caller=caller, name="indicators")
        for col in X.columns:
            check_in_choices(col, "indicators column", INDICATORS, caller=caller)
        check_numeric_columns(X, list(X.columns), caller=caller, name="indicators")
        check_no_missing(X, list(X.columns), caller=caller, name="indicators")
        return X

    def fit(self, X: pd.DataFrame, y: Any = None) -> LoyaltyIndex:
        """Learn means, scales and weights from an indicator table (one row per customer)."""
        caller = "LoyaltyIndex.fit"
        check_in_choices(self.method, "method", ["equal", "weights", "pca"], caller=caller)
        X = self._check_X(X, caller)
        if len(X) < 2:
            raise ValueError(f"{caller}(): 'indicators' needs at least 2 customers to standardise; got {len(X)}.")
        cols = list(X.columns)
        self.feature_names_in_ = np.asarray(cols, dtype=object)
        self.mean_ = X.mean()
        self.scale_ = X.std(ddof=0)
        flat = self.scale_.index[self.scale_ <= 0].tolist()
        if flat:
            raise ValueError(f"{caller}(): indicator(s) {flat} are constant across customers and cannot be "
                             "standardised; drop them.")
        self.directions_ = pd.Series([INDICATOR_DIRECTIONS[c] for c in cols], index=cols, dtype=float)
        self.explained_variance_ratio_ = float("nan")
        if self.method == "equal":
            w = np.full(len(cols), 1.0 / len(cols))
        elif self.method == "weights":
            w = self._manual_weights(cols, caller)
        else:
            z = self._z(X)
            values, vectors = np.linalg.eigh(np.corrcoef(z, rowvar=False))
            v = vectors[:, -1] * (1.0 if vectors[:, -1].sum() >= 0 else -1.0)
            w = v / v.sum()
            self.explained_variance_ratio_ = float(values[-1] / values.sum())
        self.weights_ = pd.Series(w, index=cols, name="weight")
        return self

    def _manual_weights(self, cols: list[str], caller: str) -> np.ndarray:
        if not isinstance(self.weights, Mapping):
            raise TypeError(f"{caller}(): 'weights' must be a mapping indicator -> weight when method='weights'; "
                            f"got {type(self.weights).__name__}.")
        unknown = sorted(set(self.weights) - set(cols))
        if unknown:
            raise ValueError(f"{caller}(): 'weights' names indicator(s) {unknown} that are not columns of "
                             f"'indicators' ({cols}).")
        w = np.array([float(self.weights.get(c, 0.0)) for c in cols])
        if (w < 0).any() or w.sum() <= 0:
            raise ValueError(
                f"{caller}(): 'weights' must be non-negative with a positive sum; got {dict(self.weights)}."
            )
        return w / w.sum()

    def _z(self, X: pd.DataFrame) -> np.ndarray:
        return ((X - self.mean_) / self.scale_ * self.directions_).to_numpy(dtype=float)

    def standardize(self, X: pd.DataFrame) -> pd.DataFrame:
        """Return the oriented z-scores (higher = more loyal) with ``z_`` column prefixes."""
        check_is_fitted(self)
        X = self._check_X(X, "LoyaltyIndex.standardize")
        missing = [c for c in self.feature_names_in_ if c not in X.columns]
        if missing:
            raise ValueError(f"LoyaltyIndex.standardize(): 'indicators' lacks column(s) {missing} seen in fit.")
        X = X[list(self.feature_names_in_)]
        return pd.DataFrame(self._z(X), index=X.index, columns=[f"z_{c}" for c in X.columns])

    def transform(self, X: pd.DataFrame) -> pd.Series:
        """Return the loyalty index, one value per customer (Series named ``loyalty_index``)."""
        z = self.standardize(X)
        return pd.Series(z.to_numpy() @ self.weights_.to_numpy(), index=z.index, name="loyalty_index")


def loyalty_profile(indicators: pd.DataFrame, index: LoyaltyIndex | None = None) -> pd.DataFrame:
    """Each customer's loyalty profile: indicators, z-scores, index, percentile, strongest and weakest.

    Chapter 5.

    Parameters
    ----------
    indicators : pandas.DataFrame
        Output of :func:`loyalty_indicators`.
    index : LoyaltyIndex or None, default=None
        A fitted index; default ``LoyaltyIndex("equal")`` fitted on ``indicators``.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``indicators``: the indicators, ``z_<indicator>`` (oriented: higher = more loyal),
        ``loyalty_index``, ``percentile`` (0–100), ``strongest`` and ``weakest`` (indicator names).

    Raises
    ------
    ValueError
        As :class:`LoyaltyIndex`.

    See Also
    --------
    LoyaltyIndex, loyalty_indicators

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"repeat_purchases": [0.0, 4.0], "referrals": [9.0, 1.0]})
    >>> loyalty_profile(X)["strongest"].tolist()
    ['referrals', 'repeat_purchases']
    """
    model = LoyaltyIndex().fit(indicators) if index is None else index
    z = model.standardize(indicators)
    out = pd.concat([indicators[list(model.feature_names_in_)], z, model.transform(indicators)], axis=1)
    out["percentile"] = out["loyalty_index"].rank(pct=True) * 100
    names = np.asarray(model.feature_names_in_, dtype=object)
    zv = z.to_numpy()
    out["strongest"] = names[zv.argmax(axis=1)]
    out["weakest"] = names[zv.argmin(axis=1)]
    return out
