"""Net Promoter Score (净推荐值) with a confidence interval.

Chapter 4. Customers answer "how likely are you to recommend us?" on 0–10; promoters (9–10)
minus detractors (0–6), in percentage points.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from crmlab._rng import RandomState, as_generator
from crmlab._validation import check_in_choices, check_int, check_probability, first_ids

__all__ = ["NPSResult", "make_nps_responses", "net_promoter_score"]


@dataclass(frozen=True)
class NPSResult:
    """Net Promoter Score and its interval (percentage points, −100..100).

    Chapter 4. Returned by :func:`net_promoter_score`.

    Parameters
    ----------
    nps : float
        The score: percentage of promoters minus percentage of detractors.
    lower, upper : float
        Confidence limits.
    std_error : float
        Standard error of the score, in percentage points.
    n : int
        Number of answers.
    promoters, passives, detractors : float
        Shares (0..1).
    level : float
        Confidence level of the interval, e.g. 0.95.
    method : str
        How the interval was computed, as passed to :func:`net_promoter_score`.

    Examples
    --------
    >>> result = net_promoter_score([10, 9, 9, 8, 7, 3, 10, 6, 9, 10])
    >>> result.nps, result.n, result.promoters
    (40.0, 10, 0.6)
    """

    nps: float
    lower: float
    upper: float
    std_error: float
    n: int
    promoters: float
    passives: float
    detractors: float
    level: float
    method: str

    def to_series(self) -> pd.Series:
        """Return the result as a labelled Series (handy for tables)."""
        return pd.Series(self.__dict__)


def _wald(n: float, prom: float, detr: float) -> tuple[float, float]:
    """Return NPS (as a fraction) and its multinomial standard error."""
    score = prom - detr
    se = np.sqrt(np.maximum(prom + detr - score**2, 0.0) / n)
    return score, se


def net_promoter_score(
    scores: Sequence[float] | np.ndarray | pd.Series,
    *,
    level: float = 0.95,
    method: str = "adjusted_wald",
    n_boot: int = 2000,
    random_state: RandomState = None,
) -> NPSResult:
    r"""Net Promoter Score with a confidence interval.

    Chapter 4.

    Parameters
    ----------
    scores : array-like of int
        Likelihood-to-recommend answers, integers 0–10.
    level : float, default=0.95
        Confidence level.
    method : {"adjusted_wald", "wald", "bootstrap"}, default="adjusted_wald"
        ``"wald"``: normal interval with the multinomial variance; ``"adjusted_wald"``: the same
        after adding 3 to the sample size and 3/4 to the promoter and detractor counts (better
        coverage for small samples and extreme shares, Rocks 2016); ``"bootstrap"``: percentile
        bootstrap.
    n_boot : int, default=2000
        Bootstrap resamples (only for ``method="bootstrap"``).
    random_state : None, int or numpy.random.Generator, default=None
        Only for the bootstrap. An int repeats exactly; a Generator advances.

    Returns
    -------
    NPSResult
        Score, limits and standard error in percentage points; group shares as fractions.

    Raises
    ------
    ValueError
        Empty input, missing values, non-integer answers or answers outside 0–10 (examples shown).

    See Also
    --------
    make_nps_responses, crmlab.plotting.plot_nps

    Notes
    -----
    With shares :math:`p_P` (promoters) and :math:`p_D` (detractors),
    :math:`\mathrm{NPS} = 100 (p_P - p_D)` and, since the three groups are multinomial,

    .. math:: \operatorname{Var}(\hat p_P - \hat p_D) = \frac{p_P + p_D - (p_P - p_D)^2}{n}.

    The adjusted interval uses :math:`\tilde n = n + 3` and shares :math:`(x_P + 3/4) / \tilde n`,
    :math:`(x_D + 3/4) / \tilde n` in the same formula, clipped to [−100, 100].

    References
    ----------
    Reichheld, F. F. (2003). The one number you need to grow. *Harvard Business Review*, 81(12), 46–54.
    Rocks, B. (2016). Interval estimation for the "net promoter score". *The American Statistician*,
    70(4), 365–372.

    Examples
    --------
    >>> r = net_promoter_score([10, 9, 9, 8, 7, 3, 10, 6, 9, 10])
    >>> r.nps
    40.0
    """
    caller = "net_promoter_score"
    level = check_probability(level, "level", caller=caller, open_low=True, open_high=True)
    check_in_choices(method, "method", ["adjusted_wald", "wald", "bootstrap"], caller=caller)
    x = pd.Series(np.asarray(scores).ravel()) if not isinstance(scores, pd.Series) else scores
    if len(x) == 0:
        raise ValueError(f"{caller}(): 'scores' is empty; it needs at least one answer.")
    values = pd.to_numeric(x, errors="coerce").to_numpy(dtype=float)
    bad = np.isnan(values) | (values < 0) | (values > 10) | (values != np.round(values))
    if bad.any():
        raise ValueError(
            f"{caller}(): 'scores' must be whole numbers from 0 to 10; {int(bad.sum())} answer(s) are not "
            f"(examples: {first_ids(x[bad])}, at positions {first_ids(np.flatnonzero(bad))})."
        )
    n = values.size
    prom, detr = np.mean(values >= 9), np.mean(values <= 6)
    z = float(stats.norm.ppf(0.5 + level / 2))
    if method == "bootstrap":
        n_boot = check_int(n_boot, "n_boot", caller=caller, minimum=2)
        rng = as_generator(random_state, caller=caller)
        group = np.where(values >= 9, 1.0, np.where(values <= 6, -1.0, 0.0))
        counts = rng.multinomial(n, [np.mean(group == g) for g in (1.0, 0.0, -1.0)], size=n_boot)
        boot = (counts[:, 0] - counts[:, 2]) / n
        lo, hi = np.quantile(boot, [(1 - level) / 2, (1 + level) / 2])
        se = float(boot.std(ddof=1))
    else:
        if method == "adjusted_wald":
            nt = n + 3
            center, se = _wald(nt, (prom * n + 0.75) / nt, (detr * n + 0.75) / nt)
        else:
            center, se = _wald(n, prom, detr)
        lo, hi = max(center - z * se, -1.0), min(center + z * se, 1.0)
    return NPSResult(
        nps=float(100 * (prom - detr)),
        lower=float(100 * lo),
        upper=float(100 * hi),
        std_error=float(100 * se),
        n=n,
        promoters=float(prom),
        passives=float(1 - prom - detr),
        detractors=float(detr),
        level=level,
        method=method,
    )


def make_nps_responses(
    n_respondents: int = 400,
    *,
    promoters: float = 0.45,
    detractors: float = 0.20,
    random_state: RandomState = None,
) -> pd.Series:
    """Generate 0–10 recommendation answers with known promoter and detractor shares.

    Chapter 4: a test bed whose true NPS is ``100 * (promoters - detractors)``.

    Parameters
    ----------
    n_respondents : int, default=400
        Number of simulated answers.
    promoters, detractors : float
        True shares of answers 9–10 and 0–6; their sum must not exceed 1.
    random_state : None, int or numpy.random.Generator, default=None
        An int repeats exactly; a Generator advances.

    Returns
    -------
    pandas.Series
        Integer answers named ``likelihood_to_recommend``, indexed ``respondent_id`` 1..n.

    Raises
    ------
    ValueError
        Shares outside [0, 1] or summing to more than 1.

    See Also
    --------
    net_promoter_score

    Notes
    -----
    Each answer first falls into a group with the given shares, then into a score uniform
    within the group (9–10, 7–8 or 0–6 with weights rising towards 6).

    Examples
    --------
    >>> bool(make_nps_responses(3, random_state=0).between(0, 10).all())
    True
    """
    caller = "make_nps_responses"
    n = check_int(n_respondents, "n_respondents", caller=caller, minimum=1)
    p_p = check_probability(promoters, "promoters", caller=caller)
    p_d = check_probability(detractors, "detractors", caller=caller)
    if p_p + p_d > 1:
        raise ValueError(f"{caller}(): 'promoters' + 'detractors' must be <= 1; got {p_p + p_d}.")
    rng = as_generator(random_state, caller=caller)
    group = rng.choice(3, size=n, p=[p_d, 1 - p_p - p_d, p_p])
    detr_scores = rng.choice(7, size=n, p=np.arange(1, 8) / 28)
    pass_scores = 7 + rng.integers(0, 2, size=n)
    prom_scores = 9 + rng.integers(0, 2, size=n)
    out = np.choose(group, [detr_scores, pass_scores, prom_scores]).astype(np.int64)
    return pd.Series(out, index=pd.Index(np.arange(1, n + 1), name="respondent_id"), name="likelihood_to_recommend")
