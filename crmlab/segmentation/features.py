"""Feature preparation for segmentation: the RFM feature table and named feature sets.

Chapter 3 (and the experiment grids of chapter 8). RFM values are heavily skewed
(a few customers buy very often or spend a lot), so distances on raw values are
dominated by the extremes; a log transform and scaling put the three on one footing.
Each preparation is a scikit-learn transformer and has a name, so a grid can
vary it like any other factor.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.utils.validation import check_is_fitted, validate_data

from crmlab._validation import (
    check_columns,
    check_finite,
    check_frame,
    check_in_choices,
    check_no_missing,
    check_nonnegative,
    check_numeric_columns,
)

__all__ = [
    "FEATURE_SETS",
    "RFM_FEATURES",
    "Log1pTransformer",
    "feature_set_names",
    "make_feature_pipeline",
    "prepare_features",
    "rfm_features",
]

#: Column names of the segmentation feature table (the classic marketing RFM).
RFM_FEATURES = ("recency", "frequency", "monetary")

#: Named feature preparations: name → one-line description.
FEATURE_SETS = {
    "raw": "the values as they are (distances dominated by the largest scale)",
    "scaled": "standardised to mean 0, sd 1",
    "log_scaled": "log(1 + x), then standardised (recommended for skewed RFM values)",
    "rank": "percentile ranks in (0, 1], ties share their average rank",
}


class Log1pTransformer(TransformerMixin, BaseEstimator):
    r"""Apply :math:`\log(1 + x)` to non-negative features.

    Chapter 3. Compresses the long right tail of frequency and monetary value, so
    one big spender does not define a cluster on their own.

    Attributes
    ----------
    n_features_in_ : int
        Number of columns seen in ``fit``.
    feature_names_in_ : numpy.ndarray
        Column names, when ``fit`` was given a DataFrame.

    Examples
    --------
    >>> import numpy as np
    >>> Log1pTransformer().fit_transform(np.array([[0.0], [np.e - 1]])).ravel().tolist()
    [0.0, 1.0]
    """

    def __sklearn_tags__(self) -> Any:
        """Declare that the transformer needs non-negative input (scikit-learn's estimator tags)."""
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True
        return tags

    def fit(self, X: Any, y: Any = None) -> Log1pTransformer:
        """Check ``X`` (non-negative, finite) and remember its width.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Non-negative features.
        y : ignored

        Returns
        -------
        self
        """
        X = validate_data(self, X, dtype=np.float64)
        self._check_nonnegative(X)
        return self

    def transform(self, X: Any) -> np.ndarray:
        r"""Return :math:`\log(1 + X)`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        numpy.ndarray of shape (n_samples, n_features)
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        self._check_nonnegative(X)
        return np.log1p(X)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Return the input feature names (the transform keeps the columns)."""
        check_is_fitted(self)
        if input_features is not None:
            return np.asarray(input_features, dtype=object)
        names = getattr(self, "feature_names_in_", None)
        return names if names is not None else np.array([f"x{i}" for i in range(self.n_features_in_)], dtype=object)

    @staticmethod
    def _check_nonnegative(X: np.ndarray) -> None:
        if (X < 0).any():
            raise ValueError("Log1pTransformer(): Negative values in data: 'X' must be non-negative; got a minimum "
                             f"of {float(X.min())}. Shift or drop negative values first.")


def _average_rank(X: np.ndarray) -> np.ndarray:
    """Column-wise percentile ranks in (0, 1] with ties sharing their average rank."""
    return pd.DataFrame(X).rank(method="average", pct=True).to_numpy()


def feature_set_names() -> list[str]:
    """Return the names of the built-in feature sets, sorted.

    Chapter 3 (and chapter 8's grids): the names :func:`prepare_features` accepts.

    Returns
    -------
    list of str

    Examples
    --------
    >>> feature_set_names()
    ['log_scaled', 'rank', 'raw', 'scaled']
    """
    return sorted(FEATURE_SETS)


def make_feature_pipeline(feature_set: str = "log_scaled") -> Pipeline:
    """Return an unfitted scikit-learn pipeline for a named feature preparation.

    Chapter 3. The names are those of :data:`FEATURE_SETS`; put the result in front of
    any clusterer (``make_pipeline(make_feature_pipeline("log_scaled"), KMeans(4))``).

    Parameters
    ----------
    feature_set : {"raw", "scaled", "log_scaled", "rank"}, default="log_scaled"
        Which preparation (see :data:`FEATURE_SETS`).

    Returns
    -------
    sklearn.pipeline.Pipeline
        Outputs pandas DataFrames when given DataFrames.

    Raises
    ------
    ValueError
        If ``feature_set`` is unknown.

    See Also
    --------
    prepare_features : apply a feature set to a feature table in one call.

    Examples
    --------
    >>> [name for name, _ in make_feature_pipeline("log_scaled").steps]
    ['log', 'scale']
    """
    check_in_choices(feature_set, "feature_set", feature_set_names(), caller="make_feature_pipeline")
    steps: dict[str, list[tuple[str, Any]]] = {
        "raw": [("identity", FunctionTransformer(feature_names_out="one-to-one"))],
        "scaled": [("scale", StandardScaler())],
        "log_scaled": [("log", Log1pTransformer()), ("scale", StandardScaler())],
        "rank": [("rank", FunctionTransformer(_average_rank, feature_names_out="one-to-one"))],
    }
    return Pipeline(steps[feature_set]).set_output(transform="pandas")


def prepare_features(
    features: pd.DataFrame, feature_set: str = "log_scaled", *, columns: list[str] | None = None
) -> pd.DataFrame:
    """Apply a named feature preparation to a feature table.

    Chapter 3. A pure function: the input is not changed.

    Parameters
    ----------
    features : pandas.DataFrame
        One row per customer, e.g. from :func:`rfm_features`.
    feature_set : {"raw", "scaled", "log_scaled", "rank"}, default="log_scaled"
        Which preparation (see :data:`FEATURE_SETS`).
    columns : list of str, optional
        Columns to use; default :data:`RFM_FEATURES`.

    Returns
    -------
    pandas.DataFrame
        Same index, the chosen columns, prepared (float).

    Raises
    ------
    TypeError
        If ``features`` is not a DataFrame or a column is not numeric.
    ValueError
        If a column is missing or has missing values, ``feature_set`` is unknown, or
        a log set meets negative values.

    See Also
    --------
    make_feature_pipeline : the same as an unfitted transformer.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"recency": [1.0, 9.0], "frequency": [1.0, 3.0], "monetary": [10.0, 30.0]})
    >>> prepare_features(f, "scaled").round(2).to_numpy().tolist()
    [[-1.0, -1.0, -1.0], [1.0, 1.0, 1.0]]
    """
    caller = "prepare_features"
    df = check_frame(features, caller=caller, name="features")
    cols = list(RFM_FEATURES) if columns is None else list(columns)
    check_columns(df, cols, caller=caller, name="features")
    check_no_missing(df, cols, caller=caller, name="features")
    check_numeric_columns(df, cols, caller=caller, name="features")
    check_finite(df, cols, caller=caller, name="features")
    check_in_choices(feature_set, "feature_set", feature_set_names(), caller=caller)
    if feature_set == "log_scaled":
        for col in cols:
            check_nonnegative(df, col, caller=caller, name="features")
    out = make_feature_pipeline(feature_set).fit_transform(df[cols].astype(np.float64))
    out.index = df.index
    out.columns = cols
    return out


def rfm_features(
    summary: pd.DataFrame,
    *,
    recency_col: str = "time_since_last",
    frequency_col: str = "n_purchases",
    monetary_col: str = "mean_value",
) -> pd.DataFrame:
    """Return the classic RFM feature table (recency, frequency, monetary) from a summary.

    Chapter 3. Marketing RFM measures recency as the time *since* the last purchase
    (smaller is better), frequency as the number of purchases, monetary as the mean
    spend per purchase. These are the columns of ``rfm_summary(..., classic=True)``.

    Parameters
    ----------
    summary : pandas.DataFrame
        One row per customer with the three source columns.
    recency_col, frequency_col, monetary_col : str
        Source columns, by default those of ``rfm_summary(..., classic=True)``.

    Returns
    -------
    pandas.DataFrame
        Same index; float columns ``recency``, ``frequency``, ``monetary``.

    Raises
    ------
    TypeError, ValueError
        If ``summary`` is not a DataFrame, a column is missing, not numeric, or has
        missing values.

    See Also
    --------
    crmlab.rfm.rfm_summary : builds the summary from a transaction log.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"time_since_last": [3.0], "n_purchases": [2], "mean_value": [12.5]})
    >>> rfm_features(s).to_numpy().tolist()
    [[3.0, 2.0, 12.5]]
    """
    caller = "rfm_features"
    df = check_frame(summary, caller=caller, name="summary")
    src = [recency_col, frequency_col, monetary_col]
    check_columns(df, src, caller=caller, name="summary")
    check_no_missing(df, src, caller=caller, name="summary")
    check_numeric_columns(df, src, caller=caller, name="summary")
    check_finite(df, src, caller=caller, name="summary")
    return pd.DataFrame({new: df[old].to_numpy(dtype=np.float64) for new, old in zip(RFM_FEATURES, src, strict=True)},
                        index=df.index)
