"""Named RFM segments from a rule table that is data, not code.

Chapter 3. The default is the widely used recency × frequency map (champions …
hibernating); a course or a firm plugs in its own table with the same columns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab._validation import check_columns, check_finite, check_frame, check_no_missing, check_numeric_columns

__all__ = ["DEFAULT_SEGMENT_RULES", "rfm_segments"]

RULE_COLUMNS = ("segment", "r_min", "r_max", "f_min", "f_max", "m_min", "m_max", "action")

#: The common recency × frequency segment map for 1–5 scores; first matching row wins.
DEFAULT_SEGMENT_RULES = pd.DataFrame(
    [
        ("Champions", 5, 5, 4, 5, 1, 5, "Reward them; ask for reviews and referrals; early access to new products."),
        ("Loyal customers", 3, 4, 4, 5, 1, 5, "Upsell higher-value products; loyalty programme; ask for feedback."),
        ("Potential loyalists", 4, 5, 2, 3, 1, 5, "Offer membership or a loyalty programme; recommend related items."),
        ("New customers", 5, 5, 1, 1, 1, 5, "Onboarding support; build the relationship early."),
        ("Promising", 4, 4, 1, 1, 1, 5, "Create brand awareness; small free trials."),
        ("Need attention", 3, 3, 3, 3, 1, 5, "Limited-time offers based on past purchases; reactivate."),
        ("About to sleep", 3, 3, 1, 2, 1, 5, "Share popular products and discounts; reconnect before they lapse."),
        ("Can't lose them", 1, 2, 5, 5, 1, 5, "Win them back with renewals or new products; talk to them."),
        ("At risk", 1, 2, 3, 4, 1, 5, "Personalised e-mails; offer renewals and helpful resources."),
        ("Hibernating", 1, 2, 1, 2, 1, 5, "Low-cost reactivation offers, or stop spending on them."),
    ],
    columns=list(RULE_COLUMNS),
)


def rfm_segments(
    scores: pd.DataFrame, rules: pd.DataFrame = DEFAULT_SEGMENT_RULES, *, default: str | None = None
) -> pd.DataFrame:
    """Name each customer's segment from R, F, M scores with a rule table.

    Chapter 3. Turns scores into groups a manager can act on (the "differentiate" step
    of the IDIC model, 对客户进行差异分析).

    Parameters
    ----------
    scores : pandas.DataFrame
        Int columns ``R``, ``F``, ``M`` (e.g. from :func:`crmlab.rfm.rfm_scores`).
    rules : pandas.DataFrame, default=DEFAULT_SEGMENT_RULES
        One row per rule, columns ``segment`` (name), ``r_min``, ``r_max``, ``f_min``,
        ``f_max``, ``m_min``, ``m_max`` (inclusive score bounds) and ``action`` (text).
        Rules are tried in order; the first match wins.
    default : str, optional
        Segment name for customers no rule matches; if None such customers are an error.

    Returns
    -------
    pandas.DataFrame
        Same index as ``scores``; ``segment`` (categorical, categories in rule order) and
        ``action``.

    Raises
    ------
    TypeError
        If an argument is not a DataFrame or a bound column is not numeric.
    ValueError
        If a column is missing, a score or bound is missing or infinite, or a customer
        matches no rule and ``default`` is None (a missing score is an error even with
        ``default``: it is not "no rule matched").

    See Also
    --------
    rfm_scores : makes the scores.
    crmlab.segmentation.segment_profiles : size, revenue share and means per segment.

    Examples
    --------
    >>> import pandas as pd
    >>> scores = pd.DataFrame({"R": [5, 1, 3], "F": [5, 1, 3], "M": [4, 2, 3]})
    >>> rfm_segments(scores)["segment"].tolist()
    ['Champions', 'Hibernating', 'Need attention']
    """
    caller = "rfm_segments"
    df = check_frame(scores, caller=caller, name="scores")
    check_columns(df, ["R", "F", "M"], caller=caller, name="scores")
    check_no_missing(df, ["R", "F", "M"], caller=caller, name="scores")
    check_numeric_columns(df, ["R", "F", "M"], caller=caller, name="scores")
    check_finite(df, ["R", "F", "M"], caller=caller, name="scores")
    rules = check_frame(rules, caller=caller, name="rules")
    check_columns(rules, list(RULE_COLUMNS), caller=caller, name="rules")
    bounds = [c for c in RULE_COLUMNS if c.endswith(("_min", "_max"))]
    check_no_missing(rules, ["segment", *bounds], caller=caller, name="rules")
    check_numeric_columns(rules, bounds, caller=caller, name="rules")
    r, f, m = (df[c].to_numpy() for c in ("R", "F", "M"))
    choice = np.full(len(df), -1, dtype=np.int64)
    for i, rule in enumerate(rules[bounds].to_numpy()):  # loop over rules (a handful), not customers
        r0, r1, f0, f1, m0, m1 = rule
        hit = (choice < 0) & (r >= r0) & (r <= r1) & (f >= f0) & (f <= f1) & (m >= m0) & (m <= m1)
        choice[hit] = i
    names = list(dict.fromkeys(rules["segment"].astype(str)))
    seg_of_rule = rules["segment"].astype(str).to_numpy()
    actions = rules["action"].astype(str).to_numpy()
    unmatched = choice < 0
    if unmatched.any() and default is None:
        cells = sorted(set(zip(r[unmatched].tolist(), f[unmatched].tolist(), m[unmatched].tolist(), strict=True)))
        raise ValueError(
            f"{caller}(): {int(unmatched.sum())} customer(s) match no rule (first (R, F, M) cells: {cells[:5]}); "
            "extend 'rules' or pass default='Other'."
        )
    if unmatched.any():
        names.append(default)
    segment = np.where(unmatched, default if default is not None else "", seg_of_rule[np.maximum(choice, 0)])
    action = np.where(unmatched, "", actions[np.maximum(choice, 0)])
    return pd.DataFrame(
        {"segment": pd.Categorical(segment, categories=names), "action": action}, index=df.index
    )
