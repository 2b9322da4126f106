"""SERVQUAL: five service-quality dimensions, 22 items, gap scores and the gaps model.

Chapter 4. Service quality is the gap between what customers perceive (P) and what they
expected (E), item by item, averaged within five dimensions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crmlab._rng import RandomState, as_generator
from crmlab._validation import check_frame, check_int, check_number, first_ids

__all__ = [
    "SERVQUAL_DIMENSIONS",
    "ServqualResult",
    "five_gaps",
    "make_servqual_survey",
    "servqual_gaps",
    "servqual_items",
]

#: Dimension -> item numbers (1..22) of the 1988 instrument.
SERVQUAL_DIMENSIONS: Mapping[str, tuple[int, ...]] = {
    "tangibles": (1, 2, 3, 4),
    "reliability": (5, 6, 7, 8, 9),
    "responsiveness": (10, 11, 12, 13),
    "assurance": (14, 15, 16, 17),
    "empathy": (18, 19, 20, 21, 22),
}

_CHINESE = {
    "tangibles": "有形性",
    "reliability": "可靠性",
    "responsiveness": "响应性",
    "assurance": "保证性",
    "empathy": "移情性",
}

_ITEM_TEXT = (
    "modern-looking equipment",
    "visually appealing facilities",
    "neat, professional staff appearance",
    "appealing materials (brochures, statements)",
    "keeps promises about timing",
    "shows sincere interest in problems",
    "gets it right the first time",
    "delivers at the promised time",
    "keeps error-free records",
    "tells customers when service will happen",
    "gives prompt service",
    "always willing to help",
    "never too busy to respond",
    "staff behaviour instils confidence",
    "customers feel safe in transactions",
    "staff are consistently courteous",
    "staff have knowledge to answer",
    "gives individual attention",
    "convenient opening hours",
    "staff give personal attention",
    "has customers' best interests at heart",
    "understands customers' specific needs",
)


def servqual_items() -> pd.DataFrame:
    """List the 22 SERVQUAL items with their dimension and a short paraphrase.

    Chapter 4.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``item`` (1..22): ``dimension``, ``dimension_zh``, ``statement`` (paraphrased).

    See Also
    --------
    servqual_gaps

    References
    ----------
    Parasuraman, A., Zeithaml, V. A., & Berry, L. L. (1988). SERVQUAL: a multiple-item scale for
    measuring consumer perceptions of service quality. *Journal of Retailing*, 64(1), 12–40.

    Examples
    --------
    >>> servqual_items()["dimension"].value_counts().sort_index().tolist()
    [4, 5, 5, 4, 4]
    """
    dims = [d for d, items in SERVQUAL_DIMENSIONS.items() for _ in items]
    return pd.DataFrame(
        {"dimension": dims, "dimension_zh": [_CHINESE[d] for d in dims], "statement": list(_ITEM_TEXT)},
        index=pd.Index(range(1, 23), name="item"),
    )


def five_gaps() -> pd.DataFrame:
    """Map the lecture's five gaps behind dissatisfaction mapped onto the service-quality gaps model.

    Chapter 4. The lecture lists the promotion, understanding, procedure, behaviour and
    perception gaps (促销差距, 理解差距, 程序差距, 行为差距, 感受差距); Parasuraman, Zeithaml and
    Berry's gaps model names the same five.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``gap`` (1..5 of the gaps model): ``gaps_model`` name, ``lecture`` name,
        ``lecture_zh``, ``between`` (the two things that differ) and ``measured_by``.

    See Also
    --------
    servqual_gaps

    References
    ----------
    Parasuraman, A., Zeithaml, V. A., & Berry, L. L. (1985). A conceptual model of service quality
    and its implications for future research. *Journal of Marketing*, 49(4), 41–50.

    Examples
    --------
    >>> five_gaps().loc[5, "lecture"]
    'perception gap'
    """
    rows = [
        (
            1,
            "knowledge (listening) gap",
            "understanding gap",
            "理解差距",
            "what customers expect vs what managers think they expect",
            "management survey vs customer E",
        ),
        (
            2,
            "standards (design) gap",
            "procedure gap",
            "程序差距",
            "managers' view of expectations vs the service procedures and standards",
            "audit of specifications",
        ),
        (
            3,
            "delivery (performance) gap",
            "behaviour gap",
            "行为差距",
            "service standards vs what staff actually deliver",
            "mystery shopping, staff survey",
        ),
        (
            4,
            "communication gap",
            "promotion gap",
            "促销差距",
            "what advertising promises vs what is delivered",
            "comparing campaigns with delivery",
        ),
        (
            5,
            "customer (perceived quality) gap",
            "perception gap",
            "感受差距",
            "expected service vs perceived service; gaps 1-4 feed it",
            "SERVQUAL P - E scores",
        ),
    ]
    columns = ["gap", "gaps_model", "lecture", "lecture_zh", "between", "measured_by"]
    return pd.DataFrame(rows, columns=columns).set_index("gap")


@dataclass(frozen=True)
class ServqualResult:
    r"""SERVQUAL gap scores (see :func:`servqual_gaps`).

    Chapter 4 (service quality gaps). Returned by :func:`servqual_gaps`.

    Parameters
    ----------
    items : pandas.DataFrame
        Per item: ``dimension``, ``expectation``, ``perception``, ``gap`` (means).
    dimensions : pandas.DataFrame
        Per dimension: ``expectation``, ``perception``, ``gap``, ``weight``, ``weighted_gap``.
    respondents : pandas.DataFrame
        Per respondent, the gap of each dimension.
    overall_gap : float
        Unweighted mean of the five dimension gaps.
    weighted_gap : float
        Importance-weighted gap, :math:`\sum_d w_d G_d`.

    Examples
    --------
    >>> result = servqual_gaps(make_servqual_survey(200, random_state=0))
    >>> result.dimensions.index.tolist()
    ['tangibles', 'reliability', 'responsiveness', 'assurance', 'empathy']
    """

    items: pd.DataFrame
    dimensions: pd.DataFrame
    respondents: pd.DataFrame
    overall_gap: float
    weighted_gap: float


def _item_columns(prefix: str) -> list[str]:
    return [f"{prefix}{i}" for i in range(1, 23)]


def _weights(importance: Mapping[str, float] | None, caller: str) -> pd.Series:
    dims = list(SERVQUAL_DIMENSIONS)
    if importance is None:
        return pd.Series(1 / len(dims), index=dims)
    unknown = sorted(set(importance) - set(dims))
    missing = [d for d in dims if d not in importance]
    if unknown or missing:
        raise ValueError(
            f"{caller}(): 'importance' must give a weight for each dimension {dims}; "
            f"unknown: {unknown}, missing: {missing}."
        )
    w = pd.Series({d: check_number(importance[d], f"importance['{d}']", caller=caller, minimum=0.0) for d in dims})
    if w.sum() <= 0:
        raise ValueError(f"{caller}(): 'importance' weights must not all be zero; got {dict(w)}.")
    return w / w.sum()


def servqual_gaps(
    data: pd.DataFrame,
    *,
    importance: Mapping[str, float] | None = None,
    expectation_prefix: str = "E",
    perception_prefix: str = "P",
    scale: tuple[int, int] = (1, 7),
) -> ServqualResult:
    r"""SERVQUAL gap scores (perception − expectation) per item, dimension and overall.

    Chapter 4.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent with expectation items ``E1..E22`` and perception items
        ``P1..P22`` (prefixes configurable), on the Likert ``scale``.
    importance : mapping of str to float, optional
        Importance of each dimension (e.g. the 100 points respondents allocate across the five);
        normalized to sum to 1. ``None`` weights the dimensions equally.
    expectation_prefix, perception_prefix : str
        Column-name prefixes.
    scale : (int, int), default=(1, 7)
        Lowest and highest answer.

    Returns
    -------
    ServqualResult

    Raises
    ------
    ValueError
        Missing item columns (named), missing values or answers outside ``scale`` (item named),
        importance not covering the five dimensions.
    TypeError
        If ``data`` is not a DataFrame.

    See Also
    --------
    five_gaps, make_servqual_survey, crmlab.plotting.plot_servqual_gaps

    Notes
    -----
    With items :math:`k \in d` of dimension :math:`d`,

    .. math:: G_d = \frac{1}{|d|}\sum_{k \in d} (\bar P_k - \bar E_k), \qquad
        G = \sum_d w_d G_d.

    A negative gap means service falls short of expectations.

    References
    ----------
    Parasuraman, A., Zeithaml, V. A., & Berry, L. L. (1988). SERVQUAL. *Journal of Retailing*, 64(1), 12–40.
    Parasuraman, A., Berry, L. L., & Zeithaml, V. A. (1991). Refinement and reassessment of the
    SERVQUAL scale. *Journal of Retailing*, 67(4), 420–450.

    Examples
    --------
    >>> survey = make_servqual_survey(200, random_state=0)
    >>> res = servqual_gaps(survey)
    >>> res.dimensions.index.tolist()
    ['tangibles', 'reliability', 'responsiveness', 'assurance', 'empathy']
    """
    caller = "servqual_gaps"
    check_frame(data, caller=caller)
    e_cols, p_cols = _item_columns(expectation_prefix), _item_columns(perception_prefix)
    missing = [c for c in e_cols + p_cols if c not in data.columns]
    if missing:
        raise ValueError(
            f"{caller}(): SERVQUAL item column(s) {missing[:6]} missing from 'data' ({len(missing)} in all)."
        )
    lo, hi = scale
    x = data[e_cols + p_cols].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    bad = np.isnan(x) | (x < lo) | (x > hi)
    if bad.any():
        k = int(np.flatnonzero(bad.any(axis=0))[0])
        col = (e_cols + p_cols)[k]
        raise ValueError(
            f"{caller}(): item '{col}' has {int(bad[:, k].sum())} missing or non-numeric answer(s) or answer(s) "
            f"outside the scale [{lo}, {hi}] (first rows: {first_ids(data.index[bad[:, k]])})."
        )
    gaps = x[:, 22:] - x[:, :22]
    w = _weights(importance, caller)
    items = servqual_items()[["dimension"]].assign(
        expectation=x[:, :22].mean(axis=0), perception=x[:, 22:].mean(axis=0), gap=gaps.mean(axis=0)
    )
    dims = items.groupby("dimension", sort=False)[["expectation", "perception", "gap"]].mean()
    dims["weight"] = w
    dims["weighted_gap"] = dims["gap"] * dims["weight"]
    resp = pd.DataFrame(gaps, index=data.index, columns=items.index).T.groupby(items["dimension"], sort=False).mean().T
    return ServqualResult(items, dims, resp, float(dims["gap"].mean()), float(dims["weighted_gap"].sum()))


def make_servqual_survey(
    n_respondents: int = 300,
    *,
    gaps: Mapping[str, float] | None = None,
    expectation: float = 5.8,
    noise: float = 0.9,
    random_state: RandomState = None,
) -> pd.DataFrame:
    r"""Generate a SERVQUAL survey (E1..E22, P1..P22 on 1–7) with known true dimension gaps.

    Chapter 4: a test bed where the gap scores to recover are known.

    Parameters
    ----------
    n_respondents : int, default=300
        Number of simulated respondents.
    gaps : mapping of str to float, optional
        True mean gap P − E of each dimension; default: tangibles −0.3, reliability −1.2,
        responsiveness −0.9, assurance −0.4, empathy −0.6.
    expectation : float, default=5.8
        Mean expectation on the 1–7 scale.
    noise : float, default=0.9
        Standard deviation of answer noise before rounding.
    random_state : None, int or numpy.random.Generator, default=None
        An int repeats exactly; a Generator advances.

    Returns
    -------
    pandas.DataFrame
        ``respondent_id`` index; int columns ``E1..E22`` then ``P1..P22``.

    Raises
    ------
    ValueError
        Bad sizes or a gap for an unknown dimension.

    See Also
    --------
    servqual_gaps

    Notes
    -----
    Answers are :math:`\operatorname{clip}(\operatorname{round}(\mu + u_i + \varepsilon), 1, 7)` with a
    respondent effect :math:`u_i`; clipping at the scale ends shrinks large gaps slightly.

    Examples
    --------
    >>> make_servqual_survey(5, random_state=1).shape
    (5, 44)
    """
    caller = "make_servqual_survey"
    n = check_int(n_respondents, "n_respondents", caller=caller, minimum=1)
    noise = check_number(noise, "noise", caller=caller, minimum=0.0)
    expectation = check_number(expectation, "expectation", caller=caller, minimum=1.0, maximum=7.0)
    true = {"tangibles": -0.3, "reliability": -1.2, "responsiveness": -0.9, "assurance": -0.4, "empathy": -0.6}
    if gaps is not None:
        unknown = sorted(set(gaps) - set(true))
        if unknown:
            raise ValueError(f"{caller}(): 'gaps' names unknown dimension(s) {unknown}; use {list(true)}.")
        true.update({k: check_number(v, f"gaps['{k}']", caller=caller) for k, v in gaps.items()})
    rng = as_generator(random_state, caller=caller)
    gap_item = np.array([true[d] for d, items in SERVQUAL_DIMENSIONS.items() for _ in items])
    person = rng.normal(0.0, 0.4, size=(n, 1))
    e = expectation + person + rng.normal(0.0, noise, size=(n, 22))
    p = expectation + gap_item + person + rng.normal(0.0, noise, size=(n, 22))
    x = np.clip(np.rint(np.hstack([e, p])), 1, 7).astype(np.int64)
    return pd.DataFrame(
        x, columns=_item_columns("E") + _item_columns("P"), index=pd.Index(np.arange(1, n + 1), name="respondent_id")
    )
