"""Kano model (卡诺模型): classify product features from paired functional/dysfunctional questions.

Chapter 4. Not every feature raises satisfaction the same way: must-be features only cause
dissatisfaction when missing, attractive ones only delight when present.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from crmlab._rng import RandomState, as_generator
from crmlab._validation import check_columns, check_frame, check_int, check_no_missing, check_probability, first_ids

__all__ = [
    "KANO_ANSWERS",
    "KANO_CATEGORIES",
    "kano_classify",
    "kano_evaluation_table",
    "kano_summary",
    "make_kano_responses",
]

#: Answer codes 1..5 of both questions.
KANO_ANSWERS = ("like", "must-be", "neutral", "live-with", "dislike")

#: Category code -> (English name, Chinese name).
KANO_CATEGORIES = {
    "A": ("attractive", "魅力质量"),
    "O": ("one-dimensional", "一元质量"),
    "M": ("must-be", "必备质量"),
    "I": ("indifferent", "无差异质量"),
    "R": ("reverse", "反向质量"),
    "Q": ("questionable", "可疑结果"),
}

_TABLE = np.array(
    [
        ["Q", "A", "A", "A", "O"],
        ["R", "I", "I", "I", "M"],
        ["R", "I", "I", "I", "M"],
        ["R", "I", "I", "I", "M"],
        ["R", "R", "R", "R", "Q"],
    ]
)


def kano_evaluation_table() -> pd.DataFrame:
    """Return the Kano evaluation table: functional answer (rows) × dysfunctional answer (columns).

    Chapter 4.

    Returns
    -------
    pandas.DataFrame
        5 × 5 table of category codes A, O, M, I, R, Q (see :data:`KANO_CATEGORIES`).

    See Also
    --------
    kano_classify

    References
    ----------
    Kano, N., Seraku, N., Takahashi, F., & Tsuji, S. (1984). Attractive quality and must-be quality.
    *Journal of the Japanese Society for Quality Control*, 14(2), 39–48.
    Berger, C., et al. (1993). Kano's methods for understanding customer-defined quality.
    *Center for Quality Management Journal*, 2(4), 3–36.

    Examples
    --------
    >>> kano_evaluation_table().loc["like", "dislike"]
    'O'
    """
    return pd.DataFrame(
        _TABLE, index=pd.Index(KANO_ANSWERS, name="functional"), columns=pd.Index(KANO_ANSWERS, name="dysfunctional")
    )


def _codes(data: pd.DataFrame, col: str, caller: str) -> np.ndarray:
    values = data[col]
    if values.dtype == object or isinstance(values.dtype, pd.StringDtype | pd.CategoricalDtype):
        mapped = values.astype(object).map({a: i + 1 for i, a in enumerate(KANO_ANSWERS)})
    else:
        mapped = values
    codes = pd.to_numeric(mapped, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isin(codes, [1, 2, 3, 4, 5])
    if bad.any():
        raise ValueError(
            f"{caller}(): column '{col}' must hold answers 1-5 or {list(KANO_ANSWERS)}; {int(bad.sum())} do not "
            f"(examples: {first_ids(values[bad])})."
        )
    return codes.astype(int)


def kano_classify(
    responses: pd.DataFrame,
    *,
    feature_col: str = "feature",
    functional_col: str = "functional",
    dysfunctional_col: str = "dysfunctional",
) -> pd.DataFrame:
    """Classify each answer pair with the Kano evaluation table.

    Chapter 4.

    Parameters
    ----------
    responses : pandas.DataFrame
        Long format, one row per respondent × feature, with ``feature_col`` and the answers to
        the functional ("if the product has ...") and dysfunctional ("if it does not have ...")
        questions, coded 1–5 or as the strings of :data:`KANO_ANSWERS`.
    feature_col, functional_col, dysfunctional_col : str
        Column names.

    Returns
    -------
    pandas.DataFrame
        A copy of ``responses`` with a new column ``category`` (A, O, M, I, R or Q).

    Raises
    ------
    ValueError
        Missing columns or values, answers outside the five options (column named).
    TypeError
        If ``responses`` is not a DataFrame.

    See Also
    --------
    kano_evaluation_table, kano_summary

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"feature": ["wifi"], "functional": ["like"], "dysfunctional": ["neutral"]})
    >>> kano_classify(r)["category"].tolist()
    ['A']
    """
    caller = "kano_classify"
    check_frame(responses, caller=caller, name="responses")
    cols = [feature_col, functional_col, dysfunctional_col]
    check_columns(responses, cols, caller=caller, name="responses")
    check_no_missing(responses, cols, caller=caller, name="responses")
    f = _codes(responses, functional_col, caller)
    d = _codes(responses, dysfunctional_col, caller)
    return responses.assign(category=_TABLE[f - 1, d - 1])


def kano_summary(classified: pd.DataFrame, *, feature_col: str = "feature") -> pd.DataFrame:
    r"""Per feature: category counts, the dominant category and the better/worse coefficients.

    Chapter 4.

    Parameters
    ----------
    classified : pandas.DataFrame
        Output of :func:`kano_classify` (``feature_col`` and ``category``).
    feature_col : str, default="feature"
        Column naming the product feature each row classifies.

    Returns
    -------
    pandas.DataFrame
        Indexed by feature (sorted): counts ``A, O, M, I, R, Q``, ``n``, ``category`` (most frequent;
        ties broken in the order M, O, A, I, R, Q), ``category_name``, ``better``, ``worse``.

    Raises
    ------
    ValueError
        If a column is missing.

    See Also
    --------
    kano_classify, crmlab.plotting.plot_kano

    Notes
    -----
    Customer-satisfaction coefficients (Berger et al. 1993):

    .. math:: \text{better} = \frac{A + O}{A + O + M + I}, \qquad
        \text{worse} = -\frac{O + M}{A + O + M + I}.

    Better near 1: offering the feature raises satisfaction; worse near −1: lacking it hurts.

    References
    ----------
    Berger, C., et al. (1993). Kano's methods for understanding customer-defined quality.
    *Center for Quality Management Journal*, 2(4), 3–36.

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"feature": ["x", "x"], "functional": [1, 1], "dysfunctional": [5, 3]})
    >>> kano_summary(kano_classify(r))[["better", "worse"]].to_dict("records")
    [{'better': 1.0, 'worse': -0.5}]
    """
    caller = "kano_summary"
    check_frame(classified, caller=caller, name="classified")
    check_columns(classified, [feature_col, "category"], caller=caller, name="classified")
    order = ["A", "O", "M", "I", "R", "Q"]
    counts = pd.crosstab(
        classified[feature_col], pd.Categorical(classified["category"], categories=order), dropna=False
    ).reindex(columns=order, fill_value=0)
    counts.columns = order
    counts.index.name = "feature"
    out = counts.copy()
    out["n"] = counts.sum(axis=1)
    tie_order = ["M", "O", "A", "I", "R", "Q"]
    out["category"] = counts[tie_order].idxmax(axis=1)
    out["category_name"] = out["category"].map({k: v[0] for k, v in KANO_CATEGORIES.items()})
    denom = (counts["A"] + counts["O"] + counts["M"] + counts["I"]).replace(0, np.nan)
    out["better"] = (counts["A"] + counts["O"]) / denom
    out["worse"] = -(counts["O"] + counts["M"]) / denom
    return out.sort_index()


_CANONICAL = {"A": (1, 3), "O": (1, 5), "M": (3, 5), "I": (3, 3), "R": (5, 1)}


def make_kano_responses(
    n_respondents: int = 150,
    *,
    features: Mapping[str, str] | None = None,
    noise: float = 0.3,
    random_state: RandomState = None,
) -> pd.DataFrame:
    """Generate Kano answer pairs for features whose true category is known.

    Chapter 4.

    Parameters
    ----------
    n_respondents : int, default=150
        Number of simulated respondents (each answers every feature).
    features : mapping of str to str, optional
        Feature -> true category code (A, O, M, I or R). Default: a mobile plan with
        ``network_coverage`` M, ``monthly_price_cut`` O, ``free_streaming`` A, ``app_theme`` I.
    noise : float, default=0.3
        Probability that a respondent answers both questions at random instead of as the
        category implies.
    random_state : None, int or numpy.random.Generator, default=None
        An int repeats exactly; a Generator advances.

    Returns
    -------
    pandas.DataFrame
        Columns ``respondent_id``, ``feature``, ``functional``, ``dysfunctional`` (codes 1–5).

    Raises
    ------
    ValueError
        Unknown category codes or a bad ``noise``.

    See Also
    --------
    kano_classify

    Examples
    --------
    >>> make_kano_responses(2, random_state=0).shape
    (8, 4)
    """
    caller = "make_kano_responses"
    n = check_int(n_respondents, "n_respondents", caller=caller, minimum=1)
    noise = check_probability(noise, "noise", caller=caller)
    if features is None:
        features = {"network_coverage": "M", "monthly_price_cut": "O", "free_streaming": "A", "app_theme": "I"}
    bad = {f: c for f, c in features.items() if c not in _CANONICAL}
    if bad or not features:
        raise ValueError(f"{caller}(): 'features' must map names to codes in {sorted(_CANONICAL)}; got {bad}.")
    rng = as_generator(random_state, caller=caller)
    names = list(features)
    canon = np.array([_CANONICAL[features[f]] for f in names])  # (F, 2)
    size = (n, len(names))
    random_pair = rng.integers(1, 6, size=size + (2,))
    pairs = np.where((rng.random(size) < noise)[..., None], random_pair, canon[None, :, :])
    return pd.DataFrame(
        {
            "respondent_id": np.repeat(np.arange(1, n + 1), len(names)),
            "feature": np.tile(names, n),
            "functional": pairs[..., 0].ravel(),
            "dysfunctional": pairs[..., 1].ravel(),
        }
    )
